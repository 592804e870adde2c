//! A served task keeps its alert state across a graceful restart: examples/cpu_alert.tick is
//! built into a program, served with a data directory, made CRITICAL, stopped with SIGTERM and
//! started again; an OK point then raises an OK alert whose previous level is CRITICAL, as if
//! the task had never stopped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tickc::build::cache::{CACHE_DIR_ENV, Cache};
use tickc::build::program::{CompiledTask, build_program};
use tickc::check::{CheckOptions, check_source};

const PATIENCE: Duration = Duration::from_secs(20);
/// Where the example script logs its alerts; the test points it into its own folder.
const EXAMPLE_LOG: &str = "/tmp/alerts.log";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Builds examples/cpu_alert.tick, logging to `log`, into a program.
fn build_cpu_alert(log: &Path) -> PathBuf {
    let root = workspace_root();
    let source = std::fs::read_to_string(root.join("examples/cpu_alert.tick")).unwrap();
    assert!(source.contains(EXAMPLE_LOG), "the example no longer logs to {EXAMPLE_LOG}");
    let source = source.replace(EXAMPLE_LOG, &log.display().to_string());
    let checked = check_source(&source, &CheckOptions::default());
    let task = checked.task.expect("the example checks");
    let code = tickc::codegen::generate_file(&task, "cpu_alert", &source).expect("the example compiles");
    let task = CompiledTask { id: "cpu_alert".into(), source_name: "cpu_alert.tick".into(), code };
    let cache = match std::env::var_os(CACHE_DIR_ENV) {
        Some(dir) => Cache::at(PathBuf::from(dir)),
        None => Cache::at(root.join("target/tickc-cache")),
    };
    build_program(&cache, "serve_restart", &[task]).unwrap_or_else(|e| panic!("build failed: {e}"))
}

/// A program serving on a free port.
struct Serving {
    child: Child,
    address: SocketAddr,
}

impl Serving {
    fn start(binary: &Path, data_dir: &Path) -> Serving {
        let mut child = Command::new(binary)
            .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let address = loop {
            let line = lines.next().expect("the program exited before listening").unwrap();
            if let Some(address) = line.strip_prefix("listening on http://") {
                break address.parse().unwrap();
            }
        };
        // Keep draining the program's standard error so it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Serving { child, address }
    }

    fn write(&self, line_protocol: &str) {
        let status = post(self.address, "/write?db=telegraf&rp=autogen&precision=s", line_protocol);
        assert_eq!(status, 204, "write of {line_protocol:?}");
    }

    /// Stops the program as a service manager would, and waits for its graceful exit.
    fn terminate(mut self) {
        let killed = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(killed.success());
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "exit status {status}");
                return;
            }
            assert!(Instant::now() < deadline, "the program did not stop");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        // Only a test that failed midway leaves the program running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// POSTs `body` over a plain HTTP/1.1 connection; the status code.
fn post(address: SocketAddr, path: &str, body: &str) -> u16 {
    let mut stream = TcpStream::connect(address).unwrap();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0)
}

/// Waits until the alert log has `count` lines; they are returned.
fn alerts(log: &Path, count: usize) -> Vec<serde_json::Value> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        if lines.len() >= count {
            return lines.iter().map(|l| serde_json::from_str(l).unwrap()).collect();
        }
        assert!(Instant::now() < deadline, "waited for {count} alerts; the log has:\n{text}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
#[ignore = "needs the alert node's state snapshot (issue 11, the alert helper's branch): without it \
            the restarted task starts at OK and the OK point raises no alert"]
fn alert_state_survives_a_graceful_restart() {
    let scratch = tempfile::tempdir().unwrap();
    let log = scratch.path().join("alerts.log");
    let data_dir = scratch.path().join("data");
    let binary = build_cpu_alert(&log);

    let serving = Serving::start(&binary, &data_dir);
    serving.write("cpu,cpu=cpu-total,host=h1 usage_idle=50 1795640200\n");
    let first = alerts(&log, 1);
    assert_eq!(first[0]["level"], "CRITICAL");
    serving.terminate();
    assert!(data_dir.join("state/cpu_alert.bin").is_file(), "no state saved at shutdown");

    let serving = Serving::start(&binary, &data_dir);
    serving.write("cpu,cpu=cpu-total,host=h1 usage_idle=90 1795640201\n");
    let both = alerts(&log, 2);
    assert_eq!((both[1]["level"].as_str(), both[1]["previousLevel"].as_str()), (Some("OK"), Some("CRITICAL")));
    assert_eq!(both[1]["duration"], 1_000_000_000);
    serving.terminate();
}
