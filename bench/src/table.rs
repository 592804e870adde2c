//! The results as one Markdown table beside Kapacitor's figures: medians over the runs, CPU
//! seconds scaled to 1M points, the ratio to Kapacitor and whether the issue's target is met.

use std::fmt::Write;

use crate::cases::{Case, Target, Workload};
use crate::driver::RunResult;
use crate::summary::{max, median};

/// A case and how its runs went.
#[derive(Debug, Clone)]
pub struct Measured {
    pub case: Case,
    pub outcome: Result<Vec<RunResult>, String>,
}

/// The medians of one case's runs.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Medians {
    points: f64,
    wall: f64,
    rate: f64,
    cpu: f64,
    startup_cpu: f64,
    cpu_per_million: f64,
    rss_mib: f64,
    rss_max_mib: f64,
    alert_lines: f64,
}

const MIB: f64 = 1024.0 * 1024.0;

fn medians(runs: &[RunResult]) -> Option<Medians> {
    let of = |f: &dyn Fn(&RunResult) -> f64| median(&runs.iter().map(f).collect::<Vec<_>>());
    let points = of(&|r| r.points as f64)?;
    let cpu = of(&|r| r.cpu_seconds)?;
    let startup_cpu = of(&|r| r.startup_cpu_seconds)?;
    Some(Medians {
        points,
        wall: of(&|r| r.wall.as_secs_f64())?,
        rate: of(&|r| r.points as f64 / r.wall.as_secs_f64().max(f64::MIN_POSITIVE))?,
        cpu,
        startup_cpu,
        cpu_per_million: of(&|r| per_million(r.cpu_seconds - r.startup_cpu_seconds, r.points))?,
        rss_mib: of(&|r| r.peak_rss_bytes as f64 / MIB)?,
        rss_max_mib: max(&runs.iter().map(|r| r.peak_rss_bytes as f64 / MIB).collect::<Vec<_>>())?,
        alert_lines: of(&|r| r.alert_lines as f64)?,
    })
}

/// `cpu` seconds for `points` scaled to 1M points.
fn per_million(cpu: f64, points: u64) -> f64 {
    if points > 0 { cpu.max(0.0) * 1e6 / points as f64 } else { 0.0 }
}

const HEADER: &str = "| case | how | points | wall s (done) | points/s | CPU-s (of which startup) | CPU-s per 1M after startup | VmHWM MiB (med/max) | alert lines | Kapacitor CPU-s per 1M | Kapacitor ÷ tickc | target | met |\n\
                      |---|---|---|---|---|---|---|---|---|---|---|---|---|\n";

/// The table, a row per case, in the order given.
pub fn render(measured: &[Measured]) -> String {
    let all: Vec<(Case, Option<Medians>)> = measured
        .iter()
        .map(|m| (m.case, m.outcome.as_ref().ok().and_then(|runs| medians(runs))))
        .collect();
    let mut out = String::from(HEADER);
    for m in measured {
        let how = match m.case.workload {
            Workload::Dips => "POST, 1% alerting",
            Workload::NoDips => "POST, no alerts",
            Workload::Replay => "replay, no HTTP",
        };
        let row = match &m.outcome {
            Ok(runs) => medians(runs).map(|med| row_cells(&m.case, &med, &all)),
            Err(why) => Some(note_row(&format!("failed: {}", why.replace('|', "/").replace('\n', " ")))),
        };
        let _ = writeln!(out, "| {} | {how} | {} |", m.case.name, row.unwrap_or_else(|| note_row("no runs")));
    }
    out
}

/// A row's cells after the case's name: `note` in the first, the rest empty.
fn note_row(note: &str) -> String {
    format!("{note}{}", " |".repeat(10))
}

fn row_cells(case: &Case, m: &Medians, all: &[(Case, Option<Medians>)]) -> String {
    let (kapacitor, ratio) = match case.kapacitor_cpu {
        Some(k) if m.cpu_per_million > 0.0 => (format!("{k}"), format!("{:.1}×", k / m.cpu_per_million)),
        Some(k) => (format!("{k}"), "—".into()),
        None => ("—".into(), "—".into()),
    };
    let (target, met) = match case.target {
        Some(target) => describe(target, m, all),
        None => ("—".into(), "—".into()),
    };
    format!(
        "{} | {:.3} | {} | {:.3} ({:.3}) | {:.3} | {:.1} / {:.1} | {} | {kapacitor} | {ratio} | {target} | {met}",
        thousands(m.points),
        m.wall,
        thousands(m.rate),
        m.cpu,
        m.startup_cpu,
        m.cpu_per_million,
        m.rss_mib,
        m.rss_max_mib,
        thousands(m.alert_lines),
    )
}

/// The target in words, and whether these medians meet it.
fn describe(target: Target, m: &Medians, all: &[(Case, Option<Medians>)]) -> (String, String) {
    let yes_no = |met: bool| if met { "yes" } else { "**no**" }.to_owned();
    match target {
        Target::CpuPerMillion(cpu) => (format!("≤ {cpu} CPU-s"), yes_no(m.cpu_per_million <= cpu)),
        Target::CpuAndMemory(cpu, mib) => (
            format!("≤ {cpu} CPU-s, ≤ {mib} MiB"),
            yes_no(m.cpu_per_million <= cpu && m.rss_max_mib <= mib),
        ),
        Target::TimesCase(other, times) => {
            let base = all.iter().find(|(c, _)| c.name == other).and_then(|(_, med)| *med);
            let met = base.map_or("— (not run)".into(), |b| yes_no(m.cpu_per_million <= times * b.cpu_per_million));
            (format!("≤ {times}× {other}"), met)
        }
        Target::PointsPerSecond(rate) => (format!("≥ {} points/s", thousands(rate)), yes_no(m.rate >= rate)),
    }
}

/// `value` rounded, with thousands separated by commas.
fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::cases::CASES;

    fn run(points: u64, wall_ms: u64, cpu: f64, rss_mib: u64) -> RunResult {
        RunResult {
            points,
            wall: Duration::from_millis(wall_ms),
            cpu_seconds: cpu,
            startup_cpu_seconds: 0.01,
            peak_rss_bytes: rss_mib * 1024 * 1024,
            alert_lines: 10,
        }
    }

    fn case(name: &str) -> Case {
        *CASES.iter().find(|c| c.name == name).unwrap()
    }

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(thousands(1_234_567.4), "1,234,567");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(0.0), "0");
    }

    #[test]
    fn a_row_holds_medians_scaled_to_a_million_points_and_the_ratio() {
        let runs = vec![run(200_000, 1000, 0.30, 10), run(200_000, 500, 0.10, 12), run(200_000, 800, 0.20, 11)];
        let measured = [
            Measured { case: case("cpu_alert_nodip"), outcome: Ok(runs.clone()) },
            Measured { case: case("tasks100"), outcome: Ok(runs) },
            Measured { case: case("p95"), outcome: Err("a post failed".into()) },
        ];
        insta::assert_snapshot!(render(&measured), @r"
        | case | how | points | wall s (done) | points/s | CPU-s (of which startup) | CPU-s per 1M after startup | VmHWM MiB (med/max) | alert lines | Kapacitor CPU-s per 1M | Kapacitor ÷ tickc | target | met |
        |---|---|---|---|---|---|---|---|---|---|---|---|---|
        | cpu_alert_nodip | POST, no alerts | 200,000 | 0.800 | 250,000 | 0.200 (0.010) | 0.950 | 11.0 / 12.0 | 10 | 5.8 | 6.1× | ≤ 0.29 CPU-s | **no** |
        | tasks100 | POST, no alerts | 200,000 | 0.800 | 250,000 | 0.200 (0.010) | 0.950 | 11.0 / 12.0 | 10 | 101 | 106.3× | ≤ 2× cpu_alert_nodip | yes |
        | p95 | POST, 1% alerting | failed: a post failed | | | | | | | | | | |
        ");
    }
}
