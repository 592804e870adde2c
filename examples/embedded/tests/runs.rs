//! The example runs over the getting-started recording and prints its alerts: those of the
//! recording, then the two its own points raise.

use std::process::Command;

#[test]
fn the_example_prints_the_alerts_of_the_recording_and_its_own_points() {
    let run = Command::new(env!("CARGO_BIN_EXE_cpu-alert-embedded")).output().expect("the example runs");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let stdout = String::from_utf8_lossy(&run.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    let (summary, alerts) = lines.split_last().expect("the example prints");
    assert_eq!(*summary, format!("{} alerts", alerts.len()));
    assert!(alerts.iter().any(|l| l.contains("CRITICAL") && l.contains("cpu:nil is CRITICAL")), "{stdout}");
    let last_two: Vec<&str> = alerts.iter().rev().take(2).rev().map(|l| l.split_whitespace().nth(1).unwrap_or("")).collect();
    assert_eq!(last_two, ["CRITICAL", "OK"], "{stdout}");
}

#[test]
fn a_missing_recording_is_an_error() {
    let run = Command::new(env!("CARGO_BIN_EXE_cpu-alert-embedded")).arg("no/such.srpl").output().expect("the example runs");
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("cannot open no/such.srpl"));
}
