//! Task programs for end-to-end tests: built from a script with tickc's library into the shared
//! build cache, served on a free loopback port, written to over plain HTTP, stopped with SIGTERM;
//! and the alert log they write, read as it grows.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tickc::build::cache::{CACHE_DIR_ENV, Cache};
use tickc::build::profile::Profile;
use tickc::build::program::{CompiledTask, build_program};
use tickc::check::{CheckOptions, check_source};

/// How long a test waits for what should happen promptly.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// The repository's root folder.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// A getting-started example (`examples/NAME`) with `replacements` applied, each of which must
/// apply (so a change to the example fails here rather than testing something else).
pub fn example(name: &str, replacements: &[(&str, &str)]) -> String {
    let path = workspace_root().join("examples").join(name);
    let mut source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for (from, to) in replacements {
        assert!(source.contains(from), "{name} no longer contains {from:?}");
        source = source.replace(from, to);
    }
    source
}

/// Builds `source` as task `task_id` into the program `program` in the shared build cache
/// (`TICKC_CACHE_DIR`, else target/tickc-cache); the program's path.
pub fn build(program: &str, task_id: &str, source: &str) -> PathBuf {
    build_tasks(program, &[(task_id, source)])
}

/// Builds several tasks, each `(task id, source)`, into one program; its path.
pub fn build_tasks(program: &str, tasks: &[(impl AsRef<str>, impl AsRef<str>)]) -> PathBuf {
    let tasks: Vec<CompiledTask> = tasks
        .iter()
        .map(|(task_id, source)| compile(task_id.as_ref(), source.as_ref()))
        .collect();
    let cache = match std::env::var_os(CACHE_DIR_ENV) {
        Some(dir) => Cache::at(PathBuf::from(dir)),
        None => Cache::at(workspace_root().join("target/tickc-cache")),
    };
    build_program(&cache, program, &tasks, Profile::Release).unwrap_or_else(|e| panic!("build failed: {e}"))
}

/// The generated module of one task; the script must be accepted.
fn compile(task_id: &str, source: &str) -> CompiledTask {
    let checked = check_source(source, &CheckOptions::default());
    let errors: Vec<&str> = checked.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.message.as_str()).collect();
    assert!(errors.is_empty(), "the script is rejected: {errors:?}\n{source}");
    let task = checked.task.expect("a checked task");
    let code = tickc::codegen::generate_file(&task, task_id, source).expect("the script compiles");
    CompiledTask { id: task_id.into(), source_name: format!("{task_id}.tick"), code }
}

/// A task program serving on a free loopback port, its standard error collected; killed if the
/// test ends without stopping it.
pub struct Serving {
    child: Child,
    stderr: Arc<Mutex<String>>,
    pub address: SocketAddr,
}

impl Serving {
    /// Starts `binary serve --bind 127.0.0.1:0 ARGS...` and waits until it listens.
    pub fn start(binary: &Path, args: &[&str]) -> Serving {
        let mut child = Command::new(binary)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let (listening, started) = std::sync::mpsc::channel();
        let pipe = child.stderr.take().expect("piped stderr");
        let collected = stderr.clone();
        // Keeps draining the program's standard error so it never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if let Some(address) = line.strip_prefix("listening on http://") {
                    let _ = listening.send(address.parse::<SocketAddr>());
                }
                collected.lock().unwrap_or_else(|e| e.into_inner()).push_str(&format!("{line}\n"));
            }
        });
        let address = match started.recv_timeout(PATIENCE) {
            Ok(Ok(address)) => address,
            Ok(Err(e)) => panic!("serve printed an address that does not parse: {e}"),
            Err(_) => panic!("serve did not start listening:\n{}", stderr.lock().unwrap_or_else(|e| e.into_inner())),
        };
        Serving { child, stderr, address }
    }

    /// The program's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// What the program wrote on standard error so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Writes line protocol (second precision) to `telegraf.autogen`; asserts 204.
    pub fn write(&self, line_protocol: &str) {
        let status = post(self.address, "/write?db=telegraf&rp=autogen&precision=s", line_protocol);
        assert_eq!(status, 204, "write of {line_protocol:?}");
    }

    /// Stops the program as a service manager would (SIGTERM) and waits for it to end.
    pub fn terminate(mut self) -> ExitStatus {
        let killed = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(killed.success());
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the program did not stop on SIGTERM:\n{}", self.stderr());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Serving {
    /// Kills the program outright (SIGKILL), as a crash or an OOM killer would.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        // Only a test that failed midway leaves the program running.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// POSTs `body` over a plain HTTP/1.1 connection; the status code.
pub fn post(address: SocketAddr, path: &str, body: &str) -> u16 {
    try_post(address, path, body).unwrap()
}

/// POSTs `body` over a plain HTTP/1.1 connection; the status code (0 for an answer without
/// one), or why the server could not be reached or did not answer.
pub fn try_post(address: SocketAddr, path: &str, body: &str) -> std::io::Result<u16> {
    let mut stream = TcpStream::connect(address)?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes())?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0))
}

/// GETs `path` over a plain HTTP/1.1 connection; the status code and the body.
pub fn get(address: SocketAddr, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    let body = answer.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default();
    (status, body)
}

/// Waits until the alert log has at least `count` lines; they are returned, parsed.
pub fn alerts(log: &Path, count: usize) -> Vec<serde_json::Value> {
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
