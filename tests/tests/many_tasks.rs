//! Many tasks on one stream: tasks each `from().measurement('cpu').where(lambda: "host" ==
//! 'hostNNN')` then the getting-started alert, built into one program and served a hundred
//! hosts' points.
//! Each task's nodes count only its own host's points: the runtime hands a point only to the
//! tasks whose routes (derived by the compiler from `from()`) it matches, rather than offering
//! it to every task. An ignored test measures what that saves: server CPU for one task and for
//! a hundred, on the same 200 000 points (`cargo test -p tickc-tests --test many_tasks --
//! --ignored --nocapture`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tickc_tests::serving::{PATIENCE, Serving, build_tasks, get, post};

const HOSTS: usize = 100;
const CPUS: usize = 4;

/// Task `host{index}`: the alert of `cpu_alert.tick` on one host's points.
fn task(index: usize, where_clause: &str, log: &Path) -> (String, String) {
    let host = format!("host{index:03}");
    let source = format!(
        "dbrp \"telegraf\".\"autogen\"\n\nstream\n    |from()\n        .measurement('cpu')\n        \
         .where(lambda: {})\n    |alert()\n        .crit(lambda: \"usage_idle\" < 70)\n        .log('{}')\n",
        where_clause.replace("HOST", &host),
        log.display()
    );
    (host, source)
}

/// `ticks` rounds of one point per host and cpu, one second apart, as `gen.py` writes them
/// (usage_idle from 80 to 94: no alert), in bodies of at most 5 000 lines.
fn bodies(ticks: usize) -> Vec<String> {
    let lines: Vec<String> = (0..ticks)
        .flat_map(|tick| (0..HOSTS * CPUS).map(move |series| (tick, series)))
        .map(|(tick, series)| {
            let (host, cpu) = (series / CPUS, series % CPUS);
            format!(
                "cpu,cpu=cpu{cpu},datacenter=dc{},host=host{host:03},service=svc{} usage_idle={},usage_user=5.5 {}\n",
                host % 3,
                host % 5,
                80 + (tick + series) % 15,
                1_700_000_000 + tick
            )
        })
        .collect();
    lines.chunks(5_000).map(|chunk| chunk.concat()).collect()
}

fn post_all(serving: &Serving, bodies: &[String]) {
    for body in bodies {
        let status = post(
            serving.address,
            "/write?db=telegraf&rp=autogen&precision=s",
            body,
        );
        assert_eq!(status, 204);
    }
}

/// The task's node counts, `collected` by node name.
fn collected(serving: &Serving, task: &str, node: &str) -> u64 {
    let (status, body) = get(serving.address, &format!("/kapacitor/v1/tasks/{task}"));
    assert_eq!(status, 200, "{body}");
    let json: serde_json::Value =
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    json["stats"]["node-stats"][node]["collected"]
        .as_u64()
        .unwrap_or(0)
}

/// Waits until every task's alert node has taken `points`, asking about the last task first
/// (the tasks run side by side), so a measurement counts few of these requests.
fn wait_for_alert_nodes(serving: &Serving, hosts: &[String], points: u64) {
    let deadline = Instant::now() + PATIENCE * 6;
    for host in hosts.iter().rev() {
        while collected(serving, host, "alert2") < points {
            assert!(
                Instant::now() < deadline,
                "task {host} is still short of {points} points"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn build(program: &str, tasks: usize, where_clause: &str, log: &Path) -> (PathBuf, Vec<String>) {
    let tasks: Vec<(String, String)> = (0..tasks).map(|i| task(i, where_clause, log)).collect();
    let hosts = tasks.iter().map(|(host, _)| host.clone()).collect();
    (build_tasks(program, &tasks), hosts)
}

/// Tasks in the program the test builds: enough to show each gets only its own host's points
/// out of a hundred hosts' stream, few enough to compile in the test command's time (the
/// ignored measurement below builds a hundred).
const ROUTED_TASKS: usize = 12;

#[test]
fn each_task_receives_only_its_hosts_points() {
    let scratch = tempfile::tempdir().unwrap();
    let log = scratch.path().join("alerts.log");
    let (binary, hosts) = build("many_tasks", ROUTED_TASKS, "\"host\" == 'HOST'", &log);
    let serving = Serving::start(&binary, &[]);
    let ticks = 5;
    post_all(&serving, &bodies(ticks));
    let per_host = (ticks * CPUS) as u64;
    wait_for_alert_nodes(&serving, &hosts, per_host);
    for host in &hosts {
        // Offered every point, the stream node would count all 2 000 and from() drop the rest.
        let counts = (
            collected(&serving, host, "stream0"),
            collected(&serving, host, "from1"),
        );
        assert_eq!(counts, (per_host, per_host), "task {host}");
    }
    assert!(serving.terminate().success());
    assert!(!log.exists(), "no point is below the threshold");
}

/// utime + stime of a process, in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // The fields after the command name (which may hold spaces) start after its `)`.
    let after_name = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    let per_second = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok();
    let per_second: f64 = per_second
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0);
    ticks as f64 / per_second
}

#[test]
#[ignore = "a measurement: builds four release programs and posts 200 000 points to each"]
fn cpu_of_one_and_a_hundred_tasks_on_200k_points() {
    let scratch = tempfile::tempdir().unwrap();
    let log = scratch.path().join("alerts.log");
    let ticks = 500;
    let bodies = bodies(ticks);
    let points = ticks * HOSTS * CPUS;
    let programs = [
        // Host000's 1% of the points: the rest are dropped at ingest, never decoded.
        (
            "one task, one host",
            build("many_tasks_one", 1, "\"host\" == 'HOST'", &log),
            ticks * CPUS,
        ),
        // The same pipeline work as a hundred tasks of one host each.
        (
            "one task, every host",
            build("many_tasks_all", 1, "TRUE", &log),
            points,
        ),
        (
            "100 tasks, routed",
            build("many_tasks", HOSTS, "\"host\" == 'HOST'", &log),
            ticks * CPUS,
        ),
        // An OR does not narrow: every task is offered every point, as before routing.
        (
            "100 tasks, offered every point",
            build(
                "many_tasks_unrouted",
                HOSTS,
                "\"host\" == 'HOST' OR \"host\" == 'nowhere'",
                &log,
            ),
            ticks * CPUS,
        ),
    ];
    for (name, (binary, hosts), per_task) in programs {
        let serving = Serving::start(&binary, &[]);
        let before = cpu_seconds(serving.pid());
        let started = Instant::now();
        post_all(&serving, &bodies);
        wait_for_alert_nodes(&serving, &hosts, per_task as u64);
        let cpu = cpu_seconds(serving.pid()) - before;
        let wall = started.elapsed().as_secs_f64();
        println!(
            "{name}: {cpu:.2} CPU-s for {points} points ({:.2} CPU-s per 1M), {wall:.2} s",
            cpu * 1e6 / points as f64
        );
        assert!(serving.terminate().success());
    }
}
