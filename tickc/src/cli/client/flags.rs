//! Kapacitor's CLI takes long flags with one dash (`-task cpu_alert`); clap wants two. The
//! arguments are rewritten before parsing so both spellings work.

use std::ffi::OsString;

/// The long flags of the operating commands that Kapacitor users type with one dash.
const KAPACITOR_FLAGS: [&str; 9] = [
    "task",
    "duration",
    "recording",
    "recording-id",
    "no-wait",
    "real-clock",
    "rec-time",
    "replay-id",
    "url",
];

/// The arguments with `-task`, `-task=ID` (and the other flags above) spelled `--task`. Nothing
/// after a `--` changes: that is where arguments for other programs go.
pub fn kapacitor_flags(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut passthrough = false;
    args.into_iter()
        .map(|arg| {
            if passthrough {
                return arg;
            }
            if arg == "--" {
                passthrough = true;
                return arg;
            }
            match arg.to_str().and_then(single_dash_flag) {
                Some(flag) => OsString::from(format!("--{flag}")),
                None => arg,
            }
        })
        .collect()
}

/// `arg` when it is one of the flags with a single dash (and maybe `=value`).
fn single_dash_flag(arg: &str) -> Option<&str> {
    let flag = arg
        .strip_prefix('-')
        .filter(|rest| !rest.starts_with('-'))?;
    let name = flag.split_once('=').map_or(flag, |(name, _)| name);
    KAPACITOR_FLAGS.contains(&name).then_some(flag)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(args: &[&str]) -> Vec<String> {
        kapacitor_flags(args.iter().map(OsString::from))
            .into_iter()
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn single_dash_long_flags_get_a_second_dash() {
        let args = rewrite(&[
            "tickc",
            "record",
            "stream",
            "-task",
            "cpu",
            "-duration=60s",
            "-no-wait",
        ]);
        assert_eq!(
            args,
            [
                "tickc",
                "record",
                "stream",
                "--task",
                "cpu",
                "--duration=60s",
                "--no-wait"
            ]
        );
    }

    #[test]
    fn other_arguments_are_left_alone() {
        let args = rewrite(&[
            "tickc", "build", "-o", "out", "--task", "-tasks", "-", "run", "--", "-url",
        ]);
        assert_eq!(
            args,
            [
                "tickc", "build", "-o", "out", "--task", "-tasks", "-", "run", "--", "-url"
            ]
        );
    }
}
