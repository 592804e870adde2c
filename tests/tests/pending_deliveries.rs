//! Alerts that could not be delivered before a graceful stop are sent after the restart: the
//! alert endpoint is down while three alerts are raised, the program is stopped with SIGTERM
//! (it saves them with the task's state), and once started again with the endpoint up, the
//! three alerts arrive, in order.

mod support;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use support::Sink;
use tickc_tests::serving::{PATIENCE, Serving, build, example};

#[test]
fn alerts_queued_for_a_down_endpoint_arrive_after_a_restart() {
    let scratch = tempfile::tempdir().unwrap();
    let data_dir = scratch.path().join("data");
    let data_dir_arg = data_dir.display().to_string();
    // Nothing listens on this port until the restart.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let post = format!(".post('http://{port}/alert')");
    let script = example("cpu_alert.tick", &[(".log('/tmp/alerts.log')", &post)]);
    let binary = build("pending_deliveries", "cpu_alert", &script);

    let serving = Serving::start(&binary, &["--data-dir", &data_dir_arg]);
    serving.write(
        "cpu,cpu=cpu-total,host=h1 usage_idle=50 1795640200\n\
         cpu,cpu=cpu-total,host=h1 usage_idle=90 1795640201\n\
         cpu,cpu=cpu-total,host=h1 usage_idle=40 1795640202\n",
    );
    std::thread::sleep(Duration::from_millis(300));
    // Well within the retries of the first post (about 3.5 s): nothing has failed for good.
    assert!(serving.terminate().success());
    assert!(data_dir.join("state/cpu_alert.bin").is_file());

    let endpoint = Sink::on(TcpListener::bind(port).unwrap(), Duration::ZERO);
    let serving = Serving::start(&binary, &["--data-dir", &data_dir_arg]);
    let deadline = Instant::now() + PATIENCE;
    while endpoint.bodies().len() < 3 {
        assert!(Instant::now() < deadline, "{} alerts arrived:\n{}", endpoint.bodies().len(), serving.stderr());
        std::thread::sleep(Duration::from_millis(20));
    }
    let levels: Vec<String> = endpoint
        .bodies()
        .iter()
        .map(|body| serde_json::from_str::<serde_json::Value>(body).unwrap()["level"].as_str().unwrap_or("?").to_owned())
        .collect();
    assert_eq!(levels, ["CRITICAL", "OK", "CRITICAL"]);
    assert!(serving.terminate().success());
    // Delivered, so not sent again after a further restart.
    let serving = Serving::start(&binary, &["--data-dir", &data_dir_arg]);
    std::thread::sleep(Duration::from_millis(500));
    assert!(serving.terminate().success());
    assert_eq!(endpoint.bodies().len(), 3);
}
