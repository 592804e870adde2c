//! Points shaped like ../shared/bench/gen.py's: measurement cpu, 100 hosts × 4 cpus = 400
//! series (tags cpu, datacenter, host, service in sorted order), fields usage_idle and
//! usage_user, one point per series per second, nanosecond timestamps. A fixed-seed generator
//! keeps every run the same.

use tick_runtime::__private::Point;
use tick_runtime::lineproto::parse_body;
use tick_runtime::time::Precision;

pub const SERIES: usize = 400;
const HOSTS: usize = 100;
const CPUS: usize = SERIES / HOSTS;
const BASE_NS: i64 = 1_700_000_000_000_000_000;

/// Which points fall below the cpu_alert threshold (usage_idle < 70).
#[derive(Debug, Clone, Copy)]
pub enum Dips {
    None,
    /// Every other point: each point changes the alert level.
    EveryOther,
}

/// A small xorshift generator: deterministic values in [0, 1).
struct Random(u64);

impl Random {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `points` lines of line protocol, series after series each second.
pub fn lines(points: usize, dips: Dips) -> String {
    let mut random = Random(42);
    let mut out = String::with_capacity(points * 110);
    for i in 0..points {
        let (series, tick) = (i % SERIES, (i / SERIES) as i64);
        let (host, cpu) = (series / CPUS, series % CPUS);
        let dip = matches!(dips, Dips::EveryOther) && i % 2 == 1;
        let idle = if dip { 20.0 + 40.0 * random.next() } else { 80.0 + 15.0 * random.next() };
        let user = (100.0 - idle) * (0.5 + 0.4 * random.next());
        out.push_str(&format!(
            "cpu,cpu=cpu{cpu},datacenter=dc{},host=host{host:03},service=svc{} usage_idle={idle:.2},usage_user={user:.2} {}\n",
            host % 3,
            host % 5,
            BASE_NS + tick * 1_000_000_000,
        ));
    }
    out
}

/// The same points, parsed, as ingest hands them to tasks.
pub fn points(points: usize, dips: Dips) -> Vec<Point> {
    let body = lines(points, dips);
    parse_body(body.as_bytes(), Precision::Nanosecond)
        .filter_map(Result::ok)
        .map(|line| line.view.to_point("telegraf", "autogen", 0))
        .collect()
}
