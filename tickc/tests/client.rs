//! The operating commands (`tickc list`, `show`, `enable`, `record`, `replay --task`, `delete`)
//! against a fake API that answers what Kapacitor 1.5.7 answered, checked against what
//! Kapacitor's CLI sent and printed for the same command line.
//!
//! The fixtures are the reference captures in ../shared/reference: every request Kapacitor's CLI
//! made with the reply it got (`kapacitor-api-exchanges.jsonl`, of which the CLI's own requests are
//! used) and the CLI's printed output (`kapacitor-cli-outputs.txt`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

/// One request the CLI made and the reply it got.
#[derive(Debug, Clone)]
struct Exchange {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    body: Option<Value>,
    status: u16,
    reply: String,
}

/// A request as the fake server saw it.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    body: Option<Value>,
    /// The target as sent, for the log.
    target: String,
}

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/reference")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The CLI's exchanges in the step labelled `step`, in order.
fn exchanges(step: &str) -> Vec<Exchange> {
    fixture("kapacitor-api-exchanges.jsonl")
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        // The CLI's requests; the capture also holds curl's, and the CLI's debug/vars probes.
        .filter(|e| e["client"] == "cli")
        .filter(|e| e["request"]["path"] != "/kapacitor/v1/debug/vars")
        .filter(|e| e["step"] == step)
        .map(|e| {
            let request = &e["request"];
            let query = request["query"]
                .as_array()
                .unwrap()
                .iter()
                .map(|pair| {
                    (
                        pair[0].as_str().unwrap().to_owned(),
                        pair[1].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            Exchange {
                method: request["method"].as_str().unwrap().to_owned(),
                path: request["path"].as_str().unwrap().to_owned(),
                query,
                body: request.get("body_json").cloned(),
                status: e["response"]["status"].as_u64().unwrap() as u16,
                reply: e["response"]["body"].as_str().unwrap().to_owned(),
            }
        })
        .collect()
}

/// What Kapacitor's CLI was run with in the step labelled `step` (its arguments after
/// `kapacitor`), what it printed, and its exit code.
fn kapacitor_run(step: &str) -> (Vec<String>, String, i32) {
    let outputs = fixture("kapacitor-cli-outputs.txt");
    let block = outputs
        .split("===== STEP: ")
        .find(|block| block.starts_with(&format!("{step}\n")))
        .unwrap_or_else(|| panic!("no step {step:?}"));
    let mut lines = block.lines().skip(1);
    let command = lines.next().unwrap().strip_prefix("$ kapacitor ").unwrap();
    let rest: Vec<&str> = lines.collect();
    let (exit, printed) = rest.split_last().unwrap();
    let code = exit
        .trim_start_matches("[exit ")
        .trim_end_matches(']')
        .parse()
        .unwrap();
    let mut stdout: String = printed.iter().map(|line| format!("{line}\n")).collect();
    // An error goes to stderr; the capture interleaves it with stdout.
    if code != 0 {
        stdout.clear();
    }
    (
        command.split_whitespace().map(str::to_owned).collect(),
        stdout,
        code,
    )
}

/// A fake Kapacitor API: answers each request with the next scripted reply, and notes what it
/// was asked.
struct FakeApi {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    server: JoinHandle<()>,
}

impl FakeApi {
    fn serve(script: Vec<Exchange>) -> FakeApi {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        // Polled so that a command asking less than scripted fails the test instead of hanging it.
        listener.set_nonblocking(true).unwrap();
        let server = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(20);
            for reply in script {
                let stream = loop {
                    match listener.accept() {
                        Ok((stream, _)) => break stream,
                        Err(_) if Instant::now() < deadline => {
                            std::thread::sleep(Duration::from_millis(5))
                        }
                        Err(e) => panic!("no request for the scripted reply: {e}"),
                    }
                };
                stream.set_nonblocking(false).unwrap();
                answer(stream, &reply, &log);
            }
        });
        FakeApi { url, seen, server }
    }

    /// What was asked, once every scripted reply went out.
    fn finish(self) -> Vec<Seen> {
        self.server.join().unwrap();
        self.seen.lock().unwrap().clone()
    }
}

fn answer(stream: TcpStream, reply: &Exchange, log: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    reader.read_line(&mut head).unwrap();
    let mut parts = head.split_whitespace();
    let method = parts.next().unwrap().to_owned();
    let target = parts.next().unwrap().to_owned();
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let query = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8()
                    .unwrap()
                    .into_owned()
            };
            (decode(key), decode(value))
        })
        .collect();
    log.lock().unwrap().push(Seen {
        method,
        path: path.to_owned(),
        query,
        body: (!body.is_empty()).then(|| serde_json::from_slice(&body).unwrap()),
        target: target.clone(),
    });
    let mut stream = reader.into_inner();
    let length = if reply.status == 204 {
        String::new()
    } else {
        format!("Content-Length: {}\r\n", reply.reply.len())
    };
    write!(
        stream,
        "HTTP/1.1 {} X\r\nContent-Type: application/json; charset=utf-8\r\n{length}Connection: close\r\n\r\n{}",
        reply.status, reply.reply
    )
    .unwrap();
}

fn tickc(args: &[String], url: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tickc"))
        .args(args)
        .env("TICKC_URL", url)
        .env("TZ", "UTC")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The requests as a readable log for snapshots.
fn log(seen: &[Seen]) -> String {
    seen.iter()
        .map(|s| match &s.body {
            Some(body) => format!("{} {} {body}", s.method, s.target),
            None => format!("{} {}", s.method, s.target),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs Kapacitor's command line of `step` as `tickc` against the replies Kapacitor gave, and
/// checks that tickc asked the same and printed the same. Returns the requests' log.
fn replay_step(step: &str) -> String {
    replay_step_with(step, exchanges(step))
}

fn replay_step_with(step: &str, script: Vec<Exchange>) -> String {
    let (args, expected, code) = kapacitor_run(step);
    let api = FakeApi::serve(script.clone());
    let out = tickc(&args, &api.url);
    let seen = api.finish();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{step}: {}",
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout), expected, "{step}");
    assert_eq!(seen.len(), script.len(), "{step}");
    for (seen, asked) in seen.iter().zip(&script) {
        assert_eq!(
            (&seen.method, &seen.path, &seen.query),
            (&asked.method, &asked.path, &asked.query),
            "{step}"
        );
        assert_eq!(seen.body, asked.body, "{step}");
    }
    log(&seen)
}

#[test]
fn list_tasks_prints_what_kapacitor_prints() {
    insta::assert_snapshot!(replay_step("02 list tasks (disabled)"), @"GET /kapacitor/v1/tasks?dot-view=attributes&fields=type&fields=status&fields=executing&fields=dbrps&limit=100&offset=0&pattern=&replay-id=&script-format=formatted");
    replay_step("06 list tasks (enabled)");
    replay_step("25c list tasks (after errors)");
    replay_step("29d list tasks (empty)");
    insta::assert_snapshot!(replay_step("43 list tasks pattern cpu*"), @"GET /kapacitor/v1/tasks?dot-view=attributes&fields=type&fields=status&fields=executing&fields=dbrps&limit=100&offset=0&pattern=cpu*&replay-id=&script-format=formatted");
}

#[test]
fn show_prints_what_kapacitor_prints() {
    insta::assert_snapshot!(replay_step("03 show cpu_alert (before enable)"), @"GET /kapacitor/v1/tasks/cpu_alert?dot-view=attributes&replay-id=&script-format=formatted");
    replay_step("05 show cpu_alert (after enable)");
    replay_step("08 show cpu_alert (after data)");
    replay_step("27b show cpu_alert (after disable)");
    replay_step("51 show compact-defined task (CLI shows formatted script)");
}

#[test]
fn show_dot_prints_the_graph_alone() {
    let step = "08 show cpu_alert (after data)";
    let (_, expected, _) = kapacitor_run(step);
    let api = FakeApi::serve(exchanges(step));
    let out = tickc(
        &["show".into(), "--dot".into(), "cpu_alert".into()],
        &api.url,
    );
    api.finish();
    let dot = expected.split_once("DOT:\n").unwrap().1;
    assert_eq!(text(&out.stdout), dot);
}

#[test]
fn a_missing_task_prints_kapacitors_message_and_exits_3() {
    let step = "23 ERR show nonexistent task";
    replay_step(step);
    let api = FakeApi::serve(exchanges(step));
    let out = tickc(&["show".into(), "no_such_task".into()], &api.url);
    api.finish();
    assert_eq!(text(&out.stderr), "error: no task exists\n");
}

#[test]
fn enable_and_disable_patch_each_matching_task() {
    insta::assert_snapshot!(replay_step("04 enable cpu_alert"), @r#"
    GET /kapacitor/v1/tasks?dot-view=attributes&fields=link&limit=100&offset=0&pattern=cpu_alert&replay-id=&script-format=formatted
    PATCH /kapacitor/v1/tasks/cpu_alert {"status":"enabled"}
    "#);
    insta::assert_snapshot!(replay_step("27 disable cpu_alert"), @r#"
    GET /kapacitor/v1/tasks?dot-view=attributes&fields=link&limit=100&offset=0&pattern=cpu_alert&replay-id=&script-format=formatted
    PATCH /kapacitor/v1/tasks/cpu_alert {"status":"disabled"}
    "#);
    replay_step("25b ERR enable nonexistent task");
}

#[test]
fn record_stream_polls_until_finished_and_prints_the_id() {
    let step = "09 record stream (CLI, polls until finished; curl writes interleaved)";
    let all = exchanges(step);
    // Kapacitor polled nine times while the recording ran; one running poll is enough here.
    let mut script = all[..2].to_vec();
    script.push(all.last().unwrap().clone());
    // The stop time is now plus the duration: it cannot match the capture's.
    script[0].body = None;
    let (args, expected, _) = kapacitor_run(step);
    let api = FakeApi::serve(script);
    let before = jiff::Timestamp::now();
    let out = tickc(&args, &api.url);
    let seen = api.finish();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), expected);
    let body = seen[0].body.as_ref().unwrap();
    assert_eq!(body["task"], "cpu_alert");
    assert!(body.get("id").is_none(), "{body}");
    let stop: jiff::Timestamp = body["stop"].as_str().unwrap().parse().unwrap();
    let recorded_for = stop.duration_since(before).as_secs_f64();
    assert!((10.0..20.0).contains(&recorded_for), "{recorded_for}");
    insta::assert_snapshot!(log(&seen[1..]), @r"
    GET /kapacitor/v1/recordings/dc367b27-9837-418b-b8c7-52eca976df16
    GET /kapacitor/v1/recordings/dc367b27-9837-418b-b8c7-52eca976df16
    ");
}

#[test]
fn a_failed_recording_prints_its_id_then_fails_with_the_reason() {
    let mut failed =
        exchanges("09 record stream (CLI, polls until finished; curl writes interleaved)")
            .last()
            .unwrap()
            .clone();
    failed.reply = failed
        .reply
        .replace("\"finished\"", "\"failed\"")
        .replace("\"error\": \"\"", "\"error\": \"task vanished\"");
    let mut start =
        exchanges("09 record stream (CLI, polls until finished; curl writes interleaved)")[0]
            .clone();
    start.body = None;
    let api = FakeApi::serve(vec![start, failed]);
    let args: Vec<String> = ["record", "stream", "-task", "cpu_alert", "-duration", "1m"]
        .map(String::from)
        .to_vec();
    let out = tickc(&args, &api.url);
    api.finish();
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(text(&out.stdout), "dc367b27-9837-418b-b8c7-52eca976df16\n");
    assert_eq!(text(&out.stderr), "error: task vanished\n");
}

#[test]
fn list_recordings_and_replays_print_what_kapacitor_prints() {
    insta::assert_snapshot!(replay_step("10 list recordings"), @"GET /kapacitor/v1/recordings?fields=type&fields=size&fields=date&fields=status&limit=100&offset=0&pattern=");
    replay_step("13b list recordings with id pattern");
    replay_step("28c list recordings (empty)");
    insta::assert_snapshot!(replay_step("13 list replays"), @"GET /kapacitor/v1/replays?fields=task&fields=recording&fields=status&fields=clock&fields=date&limit=100&offset=0&pattern=");
    replay_step("28d list replays (empty)");
}

#[test]
fn replay_of_a_server_recording_prints_the_replay_id() {
    insta::assert_snapshot!(replay_step("12 replay recording"), @r#"
    POST /kapacitor/v1/replays {"clock":"fast","id":"","recording":"dc367b27-9837-418b-b8c7-52eca976df16","recording-time":false,"task":"cpu_alert"}
    GET /kapacitor/v1/replays/709c1601-e665-443d-8674-cc19b8dbc889
    "#);
}

#[test]
fn delete_lists_then_deletes_each_match() {
    insta::assert_snapshot!(replay_step("28 delete recording"), @r"
    GET /kapacitor/v1/recordings?fields=link&limit=100&offset=0&pattern=dc367b27-9837-418b-b8c7-52eca976df16
    DELETE /kapacitor/v1/recordings/dc367b27-9837-418b-b8c7-52eca976df16
    ");
    replay_step("28b delete replay");
    replay_step("29 delete task cpu_alert");
    replay_step("29c delete nonexistent task");
}

#[test]
fn an_unreachable_server_is_named() {
    // A port that was just free: nothing listens there.
    let url = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let out = tickc(
        &["list".into(), "tasks".into(), "--url".into(), url.clone()],
        "http://unused.invalid:1",
    );
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with(&format!("error: cannot reach the Kapacitor API at {url} (")),
        "{stderr}"
    );
}

#[test]
fn replay_needs_a_script_or_a_task() {
    let out = tickc(
        &["replay".into(), "--recording".into(), "r.srpl".into()],
        "http://unused.invalid:1",
    );
    assert_eq!(out.status.code(), Some(2));
    let out = tickc(
        &["replay".into(), "x.tick".into(), "-task".into(), "t".into()],
        "http://unused.invalid:1",
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "a script and a server task conflict"
    );
}
