//! The `tickc` binary end to end: exit codes and output of `check` and `fmt`.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn tickc(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tickc")).args(args).current_dir(dir).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const QUOTING: &str = "dbrp \"telegraf\".\"autogen\"\n\nstream\n    |from()\n        .measurement(\"cpu\")\n";
const WARNING_ONLY: &str =
    "dbrp \"telegraf\".\"autogen\"\n\nstream\n    |from()\n        .measurement('cpu')\n    |where(lambda: \"host\" == \"server01\")\n";

#[test]
fn check_passes_the_examples() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let out = tickc(&["check", "."], &examples);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("0 error(s)"));
}

#[test]
fn check_reports_errors_with_position_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.tick"), QUOTING).unwrap();
    let out = tickc(&["check", "bad.tick"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[quoting]"), "{stderr}");
    assert!(stderr.contains("bad.tick:5:22"), "{stderr}");
    assert!(stderr.contains("'cpu'"), "{stderr}");
}

#[test]
fn check_json_lines_go_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.tick"), QUOTING).unwrap();
    let out = tickc(&["check", "--format", "json", "bad.tick"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let first: serde_json::Value = serde_json::from_str(text(&out.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(first["code"], "quoting");
    assert_eq!(first["line"], 5);
    assert_eq!(first["fix"]["replacement"], "'cpu'");
}

#[test]
fn warnings_fail_only_when_denied() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("warn.tick"), WARNING_ONLY).unwrap();
    let out = tickc(&["check", "warn.tick"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("warning[quoting]"));
    let out = tickc(&["check", "--deny-warnings", "warn.tick"], dir.path());
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn missing_file_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = tickc(&["check", "nope.tick"], dir.path());
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn fmt_check_write_and_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let messy = "dbrp \"telegraf\".\"autogen\"\nstream|from().measurement('cpu')|alert().crit(lambda: \"usage_idle\" <  70)\n";
    std::fs::write(dir.path().join("t.tick"), messy).unwrap();
    let out = tickc(&["fmt", "--check", "t.tick"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("t.tick: not formatted"));

    let out = tickc(&["fmt", "-w", "t.tick"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let formatted = std::fs::read_to_string(dir.path().join("t.tick")).unwrap();
    assert!(formatted.contains("    |from()\n        .measurement('cpu')\n"), "{formatted}");
    assert!(formatted.contains("\"usage_idle\" < 70"), "{formatted}");
    assert_eq!(tickc(&["fmt", "--check", "t.tick"], dir.path()).status.code(), Some(0));

    let mut child = Command::new(env!("CARGO_BIN_EXE_tickc"))
        .arg("fmt")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(messy.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(text(&out.stdout), formatted);
}

#[test]
fn fmt_refuses_a_script_with_syntax_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.tick"), "stream|from(\n").unwrap();
    let out = tickc(&["fmt", "t.tick"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("error[syntax]"), "{}", text(&out.stderr));
}

/// The build cache the workspace's tests share (inside target/, so the runtime compiles once per
/// checkout).
fn test_cache() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/tickc-cache")
}

#[test]
fn replay_runs_a_task_over_a_recording_and_delivers_its_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let script = std::fs::read_to_string(examples.join("cpu_alert.tick")).unwrap();
    let log = dir.path().join("alerts.log");
    std::fs::write(dir.path().join("cpu_alert.tick"), script.replace("/tmp/alerts.log", &log.display().to_string()))
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tickc"))
        .args(["replay", "cpu_alert.tick", "--recording"])
        .arg(examples.join("data/cpu.srpl"))
        .env("TICKC_CACHE_DIR", test_cache())
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let alerts = std::fs::read_to_string(&log).unwrap();
    let levels: Vec<String> = alerts
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["level"].as_str().unwrap().to_string())
        .collect();
    // The recording's dips below 70% idle: each raises CRITICAL, and the next point recovers.
    assert!(levels.len() > 10, "{alerts}");
    assert_eq!(levels[0], "CRITICAL");
    assert!(levels.iter().all(|l| l == "CRITICAL" || l == "OK"));
}

#[test]
fn replay_of_a_rejected_task_exits_2_with_the_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.tick"), QUOTING).unwrap();
    std::fs::write(dir.path().join("empty.srpl"), "").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tickc"))
        .args(["replay", "bad.tick", "--recording", "empty.srpl"])
        .env("TICKC_CACHE_DIR", test_cache())
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("error[quoting]"));
}
