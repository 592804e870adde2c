//! The bench data, generated once per point count into a cache folder: the reference's file
//! (1% of points dipping below the alert threshold), the same without dips, and a stream
//! recording of the first for replays.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The database and retention policy the bench writes to, as the tasks' `dbrp` says.
pub const DATABASE: &str = "telegraf";
pub const RETENTION_POLICY: &str = "autogen";

/// The files for one point count.
#[derive(Debug, Clone)]
pub struct DataFiles {
    pub points: u64,
    /// gen.py's default: 1% of points with usage_idle below 70.
    pub dips: PathBuf,
    /// `--dip 0`: no point alerts.
    pub no_dips: PathBuf,
    /// `dips` as a stream recording (.srpl).
    pub recording: PathBuf,
}

impl DataFiles {
    /// The files for `points` in `dir`, generated with `gen_py` (../shared/bench/gen.py) where
    /// missing.
    pub fn prepare(dir: &Path, gen_py: &Path, points: u64) -> Result<DataFiles, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let files = DataFiles {
            points,
            dips: dir.join(format!("bench_{points}.lp")),
            no_dips: dir.join(format!("bench_{points}_nodip.lp")),
            recording: dir.join(format!("bench_{points}.srpl")),
        };
        generate(gen_py, points, &files.dips, &[])?;
        generate(gen_py, points, &files.no_dips, &["--dip", "0"])?;
        if !files.recording.exists() {
            eprintln!("writing {}", files.recording.display());
            write_once(&files.recording, |out| write_recording(&files.dips, out))?;
        }
        Ok(files)
    }
}

/// Runs gen.py for `points` into `out` unless it is there already.
fn generate(gen_py: &Path, points: u64, out: &Path, extra: &[&str]) -> Result<(), String> {
    if out.exists() {
        return Ok(());
    }
    eprintln!("generating {}", out.display());
    write_once(out, |partial| {
        let status = Command::new("python3")
            .arg(gen_py)
            .arg("gen")
            .arg(points.to_string())
            .arg(partial)
            .args(extra)
            .stdout(std::process::Stdio::null())
            .status()
            .map_err(|e| format!("cannot run python3 {}: {e}", gen_py.display()))?;
        if status.success() { Ok(()) } else { Err(format!("{} failed: {status}", gen_py.display())) }
    })
}

/// Makes `out` by writing a sibling file and renaming it, so an interrupted run leaves no
/// half-written file that a later run would take as done.
fn write_once(out: &Path, write: impl FnOnce(&Path) -> Result<(), String>) -> Result<(), String> {
    let partial = out.with_extension("partial");
    write(&partial)?;
    std::fs::rename(&partial, out).map_err(|e| format!("cannot rename {}: {e}", partial.display()))
}

/// The points of line-protocol file `lp` as a stream recording at `out`.
fn write_recording(lp: &Path, out: &Path) -> Result<(), String> {
    let input = File::open(lp).map_err(|e| format!("cannot read {}: {e}", lp.display()))?;
    let output = File::create(out).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    to_recording(BufReader::new(input), BufWriter::new(output)).map_err(|e| format!("{}: {e}", out.display()))
}

/// Each non-empty line of `lines` as a recorded point: database, retention policy, the line.
pub fn to_recording(lines: impl BufRead, mut out: impl Write) -> std::io::Result<()> {
    for line in lines.lines() {
        let line = line?;
        if !line.trim().is_empty() {
            writeln!(out, "{DATABASE}\n{RETENTION_POLICY}\n{line}")?;
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recording_is_three_lines_per_point() {
        let mut out = Vec::new();
        to_recording(&b"cpu,host=a v=1 1\n\ncpu,host=b v=2 2\n"[..], &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "telegraf\nautogen\ncpu,host=a v=1 1\ntelegraf\nautogen\ncpu,host=b v=2 2\n"
        );
    }
}
