//! The cases of the benchmark: which tasks (a program built from their scripts) over which
//! workload, with Kapacitor's figure and the target for each.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::completion::Expect;

/// The tasks one program holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskSet {
    /// One task that reads another database: the cost of ingest alone.
    NoTask,
    CpuAlert,
    Sigma,
    P95,
    /// 100 tasks, each `from` one host, then cpu_alert's alert.
    HundredTasks,
}

/// How many tasks [`TaskSet::HundredTasks`] holds; gen.py's data has as many hosts.
const HUNDRED: usize = 100;

impl TaskSet {
    pub fn name(self) -> &'static str {
        match self {
            TaskSet::NoTask => "no_task",
            TaskSet::CpuAlert => "cpu_alert",
            TaskSet::Sigma => "sigma",
            TaskSet::P95 => "p95",
            TaskSet::HundredTasks => "tasks100",
        }
    }

    /// What the tasks must have seen once every point has passed.
    pub fn expect(self) -> Expect {
        match self {
            TaskSet::NoTask => Expect::Nothing,
            TaskSet::CpuAlert | TaskSet::Sigma | TaskSet::P95 => Expect::EveryTaskSeesAll,
            TaskSet::HundredTasks => Expect::SplitAcrossTasks,
        }
    }

    /// The scripts (task id, source), reading the shared ones from `tasks_dir` and sending
    /// alerts to a log per task in `log_dir`.
    pub fn scripts(self, tasks_dir: &Path, log_dir: &Path) -> Result<Vec<(String, String)>, String> {
        let log = |id: &str| log_dir.join(format!("{id}.log")).display().to_string();
        let shared = |file: &str, id: &str| -> Result<Vec<(String, String)>, String> {
            let path = tasks_dir.join(file);
            let source = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let source = with_log_path(&source, &log(id)).ok_or_else(|| format!("{} has no .log('...')", path.display()))?;
            Ok(vec![(id.to_owned(), source)])
        };
        match self {
            TaskSet::NoTask => Ok(vec![("no_task".to_owned(), alert_script("\"other\".\"autogen\"", "", &log("no_task")))]),
            TaskSet::CpuAlert => shared("cpu_alert.tick", "cpu_alert"),
            TaskSet::Sigma => shared("cpu_alert_sigma.tick", "sigma"),
            TaskSet::P95 => shared("cpu_p95.tick", "p95"),
            TaskSet::HundredTasks => Ok((0..HUNDRED)
                .map(|n| {
                    let host = format!("host{n:03}");
                    let filter = format!("\n        .where(lambda: \"host\" == '{host}')");
                    let source = alert_script("\"telegraf\".\"autogen\"", &filter, &log(&host));
                    (host, source)
                })
                .collect()),
        }
    }

    /// Writes the scripts into `scripts_dir` (emptied first) and builds them into one program
    /// at `output` with `tickc build` (with `--lto` when `lto`), as a user would.
    pub fn build(
        self,
        tickc: &Path,
        tasks_dir: &Path,
        scripts_dir: &Path,
        log_dir: &Path,
        output: &Path,
        lto: bool,
    ) -> Result<(), String> {
        let io = |what: &str, path: &Path, e: std::io::Error| format!("cannot {what} {}: {e}", path.display());
        if scripts_dir.exists() {
            std::fs::remove_dir_all(scripts_dir).map_err(|e| io("empty", scripts_dir, e))?;
        }
        std::fs::create_dir_all(scripts_dir).map_err(|e| io("create", scripts_dir, e))?;
        if let Some(parent) = output.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io("create", parent, e))?;
        }
        let mut paths: Vec<PathBuf> = Vec::new();
        for (id, source) in self.scripts(tasks_dir, log_dir)? {
            let path = scripts_dir.join(format!("{id}.tick"));
            std::fs::write(&path, source).map_err(|e| io("write", &path, e))?;
            paths.push(path);
        }
        eprintln!("building {} ({} task(s){})", output.display(), paths.len(), if lto { ", --lto" } else { "" });
        let status = build_command(tickc, &paths, output, lto)
            .status()
            .map_err(|e| format!("cannot run {}: {e}", tickc.display()))?;
        if status.success() { Ok(()) } else { Err(format!("tickc build of {} failed: {status}", self.name())) }
    }
}

/// `tickc build` of `scripts` into `output`; whole-program optimised when `lto`.
fn build_command(tickc: &Path, scripts: &[PathBuf], output: &Path, lto: bool) -> Command {
    let mut command = Command::new(tickc);
    command.arg("build");
    if lto {
        command.arg("--lto");
    }
    command.args(scripts).arg("-o").arg(output);
    command
}

/// cpu_alert's pipeline reading `dbrp`, with `filter` added to its `from`.
fn alert_script(dbrp: &str, filter: &str, log: &str) -> String {
    format!(
        "dbrp {dbrp}\n\nstream\n    |from()\n        .measurement('cpu'){filter}\n    |alert()\n        \
         .crit(lambda: \"usage_idle\" < 70)\n        .log('{log}')\n"
    )
}

/// `source` with the path of its `.log('...')` replaced by `path`; `None` without one.
fn with_log_path(source: &str, path: &str) -> Option<String> {
    const CALL: &str = ".log('";
    let start = source.find(CALL)? + CALL.len();
    let end = start + source.get(start..)?.find('\'')?;
    Some(format!("{}{path}{}", source.get(..start)?, source.get(end..)?))
}

/// What a case feeds its program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// POSTed to `/write`: the reference's data (1% of points alerting).
    Dips,
    /// POSTed: the data without dips (no alert).
    NoDips,
    /// The dips data as a recording, through `PROGRAM replay`, without HTTP.
    Replay,
}

/// The goal for a case.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// At most this many server CPU seconds per 1M points.
    CpuPerMillion(f64),
    /// At most this CPU, and at most this peak RSS in MiB.
    CpuAndMemory(f64, f64),
    /// At most this many times the CPU of the named case.
    TimesCase(&'static str, f64),
    /// At least this many points per second.
    PointsPerSecond(f64),
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Case {
    pub name: &'static str,
    pub tasks: TaskSet,
    pub workload: Workload,
    /// Kapacitor 1.5.7's server CPU seconds per 1M points (REFERENCE.md).
    pub kapacitor_cpu: Option<f64>,
    pub target: Option<Target>,
}

/// Every case, in table order.
pub const CASES: &[Case] = &[
    Case {
        name: "none",
        tasks: TaskSet::NoTask,
        workload: Workload::NoDips,
        kapacitor_cpu: Some(3.9),
        target: Some(Target::CpuPerMillion(0.20)),
    },
    Case {
        name: "cpu_alert",
        tasks: TaskSet::CpuAlert,
        workload: Workload::Dips,
        kapacitor_cpu: Some(14.4),
        target: Some(Target::CpuPerMillion(0.72)),
    },
    Case { name: "sigma", tasks: TaskSet::Sigma, workload: Workload::Dips, kapacitor_cpu: Some(13.1), target: None },
    Case {
        name: "p95",
        tasks: TaskSet::P95,
        workload: Workload::Dips,
        kapacitor_cpu: Some(10.9),
        target: Some(Target::CpuAndMemory(0.55, 25.0)),
    },
    Case {
        name: "cpu_alert_nodip",
        tasks: TaskSet::CpuAlert,
        workload: Workload::NoDips,
        kapacitor_cpu: Some(5.8),
        target: Some(Target::CpuPerMillion(0.29)),
    },
    Case {
        name: "sigma_nodip",
        tasks: TaskSet::Sigma,
        workload: Workload::NoDips,
        kapacitor_cpu: Some(6.1),
        target: Some(Target::CpuPerMillion(0.31)),
    },
    Case {
        name: "tasks100",
        tasks: TaskSet::HundredTasks,
        workload: Workload::NoDips,
        kapacitor_cpu: Some(101.0),
        target: Some(Target::TimesCase("cpu_alert_nodip", 2.0)),
    },
    Case {
        name: "replay",
        tasks: TaskSet::CpuAlert,
        workload: Workload::Replay,
        kapacitor_cpu: None,
        target: Some(Target::PointsPerSecond(5_000_000.0)),
    },
];

/// The cases named in `list` (comma-separated), in table order; every case for `None`.
pub fn select(list: Option<&str>) -> Result<Vec<Case>, String> {
    let Some(list) = list else { return Ok(CASES.to_vec()) };
    let wanted: Vec<&str> = list.split(',').map(str::trim).filter(|n| !n.is_empty()).collect();
    if let Some(unknown) = wanted.iter().find(|n| !CASES.iter().any(|c| c.name == **n)) {
        let known: Vec<&str> = CASES.iter().map(|c| c.name).collect();
        return Err(format!("no case {unknown:?} (cases: {})", known.join(", ")));
    }
    Ok(CASES.iter().filter(|c| wanted.contains(&c.name)).copied().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_path_is_replaced_and_nothing_else() {
        let source = "stream\n    |alert()\n        .log('/tmp/alerts.log')\n        .id('x')\n";
        assert_eq!(
            with_log_path(source, "/w/logs/a.log").as_deref(),
            Some("stream\n    |alert()\n        .log('/w/logs/a.log')\n        .id('x')\n")
        );
        assert_eq!(with_log_path("stream|from()", "/x"), None);
    }

    #[test]
    fn the_hundred_tasks_filter_one_host_each() {
        let scripts = TaskSet::HundredTasks.scripts(Path::new("/unused"), Path::new("/logs")).unwrap();
        assert_eq!(scripts.len(), 100);
        let (id, source) = &scripts[7];
        assert_eq!(id, "host007");
        assert!(source.contains(".where(lambda: \"host\" == 'host007')"), "{source}");
        assert!(source.contains(".log('/logs/host007.log')"), "{source}");
    }

    #[test]
    fn the_no_task_program_reads_another_database() {
        let scripts = TaskSet::NoTask.scripts(Path::new("/unused"), Path::new("/logs")).unwrap();
        assert!(scripts[0].1.starts_with("dbrp \"other\".\"autogen\""), "{}", scripts[0].1);
    }

    #[test]
    fn programs_are_built_with_lto_unless_asked_not_to() {
        let args = |lto| {
            let command = build_command(Path::new("tickc"), &[PathBuf::from("a.tick")], Path::new("prog"), lto);
            command.get_args().map(|a| a.to_string_lossy().into_owned()).collect::<Vec<_>>()
        };
        assert_eq!(args(true), ["build", "--lto", "a.tick", "-o", "prog"]);
        assert_eq!(args(false), ["build", "a.tick", "-o", "prog"]);
    }

    #[test]
    fn cases_are_selected_by_name_in_table_order() {
        let names = |cases: Vec<Case>| cases.iter().map(|c| c.name).collect::<Vec<_>>();
        assert_eq!(names(select(Some("p95, none")).unwrap()), ["none", "p95"]);
        assert_eq!(select(None).unwrap().len(), CASES.len());
        assert!(select(Some("nope")).unwrap_err().contains("no case \"nope\""));
    }
}
