//! Moving from Kapacitor to tickc end to end: a fake Kapacitor answers its API with the JSON
//! captured from Kapacitor 1.5.7 (../shared/reference), `tickc import` copies its tasks and
//! templates into files, `tickc build` makes one program of the manifest, and the program
//! lists every task and serves each enabled or disabled as Kapacitor had it. Also: templates
//! with vars files through `tickc check`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

fn tickc(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tickc"))
        .args(args)
        .env("TICKC_CACHE_DIR", test_cache())
        .current_dir(dir)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The build cache the workspace's tests share (see cli.rs).
fn test_cache() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/tickc-cache")
}

fn reference() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference")
}

/// What the fake Kapacitor knows: every task object the reference answered with (the latest
/// answer for each id), and the templates list.
fn captured() -> (BTreeMap<String, Value>, Value) {
    let mut tasks = BTreeMap::new();
    let exchanges = std::fs::read_to_string(reference().join("kapacitor-api-exchanges.jsonl")).unwrap();
    for line in exchanges.lines() {
        let exchange: Value = serde_json::from_str(line).unwrap();
        let response = &exchange["response"];
        let body = &response["body_json"];
        if response["status"] == 200 && body.get("script").is_some() {
            tasks.insert(body["id"].as_str().unwrap().to_owned(), body.clone());
        }
    }
    let templates: Value =
        serde_json::from_str(&std::fs::read_to_string(reference().join("kapacitor-api-templates.json")).unwrap()).unwrap();
    for task in [&templates["GET /kapacitor/v1/tasks/cpu_mean_web"]["body"], &templates["define_task_unknown_var"]["response"]["body"]] {
        tasks.insert(task["id"].as_str().unwrap().to_owned(), task.clone());
    }
    (tasks, templates["GET /kapacitor/v1/templates"]["body"].clone())
}

/// Serves Kapacitor's task and template reads from `captured()` until the test ends.
fn fake_kapacitor() -> (SocketAddr, BTreeMap<String, Value>) {
    let (tasks, templates) = captured();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let served = tasks.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = answer(stream, &served, &templates);
        }
    });
    (address, tasks)
}

fn answer(mut stream: TcpStream, tasks: &BTreeMap<String, Value>, templates: &Value) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("");
    let path = target.split('?').next().unwrap_or("");
    let (status, body) = match path.strip_prefix("/kapacitor/v1/") {
        Some("tasks") => {
            let listed: Vec<Value> = tasks
                .keys()
                .map(|id| json!({"id": id, "link": {"rel": "self", "href": format!("/kapacitor/v1/tasks/{id}")}}))
                .collect();
            (200, json!({ "tasks": listed }))
        }
        Some("templates") => (200, templates.clone()),
        Some(rest) => match rest.strip_prefix("tasks/").and_then(|id| tasks.get(id)) {
            Some(task) => (200, task.clone()),
            None => (404, json!({"error": "no task exists"})),
        },
        None => (404, json!({"error": "Not Found"})),
    };
    let body = serde_json::to_string_pretty(&body).unwrap();
    write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// The body of `GET path` on a local server, once it answers.
fn get(address: SocketAddr, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(address).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.split_once("\r\n\r\n").map(|(_, body)| body.to_owned())
}

#[test]
fn a_kapacitor_is_imported_built_and_run() {
    let (kapacitor, captured_tasks) = fake_kapacitor();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://{kapacitor}");
    let imported = tickc(&["import", "--url", &url, "-o", "imported"], dir.path());
    let report = text(&imported.stderr);
    assert_eq!(imported.status.code(), Some(0), "{report}");
    // The unknown var of the reference's `unknown_var` task is a warning, as Kapacitor accepted it.
    assert!(report.contains("var `nope`"), "{report}");

    let root = dir.path().join("imported");
    let manifest = std::fs::read_to_string(root.join("tickc.toml")).unwrap();
    for (id, task) in &captured_tasks {
        assert!(manifest.contains(&format!("id = \"{id}\"")), "{id} missing from:\n{manifest}");
        let script = match task["template-id"].as_str() {
            Some(template) if !template.is_empty() => root.join("templates").join(format!("{template}.tick")),
            _ => root.join("tasks").join(format!("{id}.tick")),
        };
        assert_eq!(std::fs::read_to_string(&script).unwrap(), task["script"].as_str().unwrap(), "{id}");
    }
    let vars: Value = serde_json::from_str(&std::fs::read_to_string(root.join("vars/cpu_mean_web.json")).unwrap()).unwrap();
    assert_eq!(vars["where_filter"]["value"], "\"service\" == 'web'");

    let built = tickc(&["build", "imported/tickc.toml", "-o", "program"], dir.path());
    assert_eq!(built.status.code(), Some(0), "{}", text(&built.stderr));
    let program = dir.path().join("program");
    let listed = Command::new(&program).arg("list").output().unwrap();
    let listed = text(&listed.stdout);
    for id in captured_tasks.keys() {
        assert!(listed.lines().any(|l| l.split('\t').next() == Some(id)), "{id} not in:\n{listed}");
    }

    // Served, every task has the status it had in Kapacitor.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let mut server = Command::new(&program).args(["serve", "--bind", &port.to_string()]).spawn().unwrap();
    let started = Instant::now();
    let answer = loop {
        if let Some(body) = get(port, "/kapacitor/v1/tasks") {
            break body;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the program does not answer");
        std::thread::sleep(Duration::from_millis(100));
    };
    server.kill().unwrap();
    server.wait().unwrap();
    let served: Value = serde_json::from_str(&answer).unwrap();
    let statuses: BTreeMap<&str, &str> = served["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["id"].as_str().unwrap(), t["status"].as_str().unwrap()))
        .collect();
    let expected: BTreeMap<&str, &str> =
        captured_tasks.iter().map(|(id, t)| (id.as_str(), t["status"].as_str().unwrap())).collect();
    assert_eq!(statuses, expected);
}

const TEMPLATE: &str = "dbrp \"telegraf\".\"autogen\"\nvar measurement string\nvar crit = 70.0\nstream\n    |from()\n        .measurement(measurement)\n    |alert()\n        .crit(lambda: \"usage_idle\" < crit)\n";

#[test]
fn check_with_vars_files_names_the_var_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cpu.tick"), TEMPLATE).unwrap();
    std::fs::write(dir.path().join("web.json"), r#"{"measurement": {"type": "string", "value": "cpu"}}"#).unwrap();
    std::fs::write(dir.path().join("db.toml"), "[measurement]\ntype = \"string\"\nvalue = \"cpu\"\n[crit]\ntype = \"float\"\nvalue = 50\n").unwrap();
    let good = tickc(&["check", "cpu.tick", "--vars", "web.json", "--vars", "db.toml"], dir.path());
    assert_eq!(good.status.code(), Some(0), "{}", text(&good.stderr));

    std::fs::write(dir.path().join("bad.json"), r#"{"crit": {"type": "string", "value": "high"}}"#).unwrap();
    let bad = tickc(&["check", "cpu.tick", "--vars", "bad.json"], dir.path());
    let report = text(&bad.stderr);
    assert_eq!(bad.status.code(), Some(1), "{report}");
    assert!(report.contains("missing value for var `measurement` in bad.json"), "{report}");
    assert!(report.contains("var `crit` in bad.json is a string, but the script's default is a float"), "{report}");

    std::fs::write(dir.path().join("malformed.json"), r#"{"crit": {"type": "float", "value": "high"}}"#).unwrap();
    let malformed = tickc(&["check", "cpu.tick", "--vars", "malformed.json"], dir.path());
    assert_eq!(malformed.status.code(), Some(1));
    assert!(text(&malformed.stderr).contains("malformed.json: var `crit`: a value of type float is a number"), "{}", text(&malformed.stderr));

    let without = tickc(&["check", "cpu.tick"], dir.path());
    assert_eq!(without.status.code(), Some(1));
    assert!(text(&without.stderr).contains("error[missing-var]"));
}
