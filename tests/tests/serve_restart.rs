//! A served task keeps its alert state across a graceful restart: examples/cpu_alert.tick is
//! built into a program, served with a data directory, made CRITICAL, stopped with SIGTERM and
//! started again; an OK point then raises an OK alert whose previous level is CRITICAL, as if
//! the task had never stopped.

use tickc_tests::serving::{Serving, alerts, build, example};

#[test]
fn alert_state_survives_a_graceful_restart() {
    let scratch = tempfile::tempdir().unwrap();
    let log = scratch.path().join("alerts.log");
    let data_dir = scratch.path().join("data");
    let binary = build("serve_restart", "cpu_alert", &example("cpu_alert.tick", &[("/tmp/alerts.log", &log.display().to_string())]));
    let data_dir_arg = data_dir.display().to_string();

    let serving = Serving::start(&binary, &["--data-dir", &data_dir_arg]);
    serving.write("cpu,cpu=cpu-total,host=h1 usage_idle=50 1795640200\n");
    let first = alerts(&log, 1);
    assert_eq!(first[0]["level"], "CRITICAL");
    assert!(serving.terminate().success());
    assert!(data_dir.join("state/cpu_alert.bin").is_file(), "no state saved at shutdown");

    let serving = Serving::start(&binary, &["--data-dir", &data_dir_arg]);
    serving.write("cpu,cpu=cpu-total,host=h1 usage_idle=90 1795640201\n");
    let both = alerts(&log, 2);
    assert_eq!((both[1]["level"].as_str(), both[1]["previousLevel"].as_str()), (Some("OK"), Some("CRITICAL")));
    assert_eq!(both[1]["duration"], 1_000_000_000);
    assert!(serving.terminate().success());
}
