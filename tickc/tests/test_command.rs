//! `tickc test` end to end: the examples' tests pass, a failing expectation is reported with its
//! diff, and mistakes in a test file are reported where they are.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `tickc test ARGS` in `dir` with the build cache the workspace's tests share (inside
/// target/, so the runtime compiles once per checkout).
fn tickc_test(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tickc"))
        .arg("test")
        .args(args)
        .env("TICKC_CACHE_DIR", workspace().join("target/tickc-cache"))
        .current_dir(dir)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_examples_tests_pass() {
    let out = tickc_test(&["examples/"], &workspace());
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", text(&out.stderr));
    for name in [
        "cpu_alert::fires_when_idle_drops",
        "cpu_alert_sigma::a_sudden_drop_is_critical",
        "cpu_p95::a_spike_warns",
        "batch_cpu_alert::a_low_minute_mean_is_critical",
    ] {
        assert!(stdout.contains(&format!("test {name} ... ok")), "{stdout}");
    }
    assert!(stdout.contains("test result: ok. 9 passed; 0 failed"), "{stdout}");
}

/// A copy of the getting-started task in a fresh folder, with `test` as its test file.
fn task_with_test(test: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(workspace().join("examples/cpu_alert.tick"), dir.path().join("cpu_alert.tick")).unwrap();
    std::fs::write(dir.path().join("cpu_alert.test.toml"), test).unwrap();
    dir
}

const FAILING: &str = r#"
[[test]]
name = "passes"
[[test.input]]
measurement = "cpu"
every = "10s"
fields = { usage_idle = "90 60" }
[[test.alert]]
at = "10s"
level = "CRITICAL"

[[test]]
name = "expects_the_wrong_level"
[[test.input]]
measurement = "cpu"
tags = { host = "a" }
every = "10s"
fields = { usage_idle = "90 60 50 95" }
[[test.alert]]
at = "20s"
level = "WARNING"
tags = { host = "a" }
[[test.absent_alert]]
level = "OK"
"#;

#[test]
fn a_failing_expectation_is_reported_with_its_diff() {
    let dir = task_with_test(FAILING);
    let out = tickc_test(&[], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    insta::assert_snapshot!(text(&out.stdout), @r#"

    running 2 tests
    test cpu_alert::passes ... ok
    test cpu_alert::expects_the_wrong_level ... FAILED

    failures:

    ---- cpu_alert::expects_the_wrong_level ----
    expected alert was not raised (cpu_alert.test.toml:19:1)
      expected  at=20s level=WARNING  tags.host="a"
      nearest   at=20s level=CRITICAL tags.host="a"
                       ^^^^^^^^^^^^^^
    an alert that must not be raised was (cpu_alert.test.toml:23:1)
      absent    level=OK
      happened  30s alert2 OK (was CRITICAL) id="cpu:nil" message="cpu:nil is OK"

    alerts raised (3):
        10s alert2 CRITICAL (was OK) id="cpu:nil" message="cpu:nil is CRITICAL"
        20s alert2 CRITICAL (was CRITICAL) id="cpu:nil" message="cpu:nil is CRITICAL"
        30s alert2 OK (was CRITICAL) id="cpu:nil" message="cpu:nil is OK"

    failures:
        cpu_alert::expects_the_wrong_level

    test result: FAILED. 1 passed; 1 failed
    "#);
}

const MISTAKES: &str = r#"
[[test]]
name = "unknown_node"
[[test.input]]
measurement = "cpu"
fields = { usage_idle = 50 }
[[test.output]]
node = "alert3"

[[test]]
name = "bad_line_protocol"
[[test.input]]
lines = '''
cpu usage_idle=50 0s
cpu,host=a usage_idle= 10s
'''
"#;

#[test]
fn mistakes_in_a_test_file_are_reported_where_they_are() {
    let dir = task_with_test(MISTAKES);
    let out = tickc_test(&["cpu_alert.test.toml"], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    insta::assert_snapshot!(text(&out.stderr), @r#"
    error[test-file]: task cpu_alert has no node `alert3`
      --> cpu_alert.test.toml:8:8
      |
    8 | node = "alert3"
      |        ^^^^^^^^
      |
      = help: its nodes are: stream0, from1, alert2
      = fix: write "alert2"

    error[test-input]: the task refused this input: missing field value
       --> cpu_alert.test.toml:15:23
       |
    15 | cpu,host=a usage_idle= 10s
       |                       ^
    "#);
    assert!(text(&out.stdout).contains("test result: FAILED. 0 passed; 0 failed; 2 could not run"));
}

#[test]
fn a_script_that_does_not_compile_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.tick"), "stream\n    |from()\n        .measurement(\"cpu\")\n").unwrap();
    std::fs::write(dir.path().join("bad.test.toml"), "[[test]]\nname = \"t\"\n[[test.input]]\nmeasurement = \"cpu\"\nfields = { v = 1 }\n").unwrap();
    let out = tickc_test(&[], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("error[quoting]"), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("test bad::t ... ERROR"), "{}", text(&out.stdout));
}
