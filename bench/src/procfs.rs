//! What /proc says about a process: CPU time (`/proc/PID/stat`, in clock ticks), peak resident
//! memory (`VmHWM` in `/proc/PID/status`), and the CPU time of this process's reaped children.

use std::process::Command;
use std::time::Duration;

/// CPU time in clock ticks: user and system.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CpuTicks {
    pub user: u64,
    pub system: u64,
}

impl CpuTicks {
    pub fn total(self) -> u64 {
        self.user + self.system
    }
}

/// Fields of `/proc/PID/stat` by their 1-based numbers in proc(5), counted from the state
/// (field 3), the first after the command name.
const UTIME: usize = 14 - 3;
const STIME: usize = 15 - 3;
const CUTIME: usize = 16 - 3;
const CSTIME: usize = 17 - 3;

/// The fields after the command name: it is in parentheses and may itself hold spaces and
/// parentheses, so it ends at the last `)`.
fn fields_after_name(stat: &str) -> Option<Vec<&str>> {
    let (_, rest) = stat.rsplit_once(')')?;
    Some(rest.split_ascii_whitespace().collect())
}

fn ticks_at(stat: &str, user: usize, system: usize) -> Option<CpuTicks> {
    let fields = fields_after_name(stat)?;
    Some(CpuTicks {
        user: fields.get(user)?.parse().ok()?,
        system: fields.get(system)?.parse().ok()?,
    })
}

/// The process's own CPU time (utime, stime) from the text of its `stat` file.
pub fn parse_cpu(stat: &str) -> Option<CpuTicks> {
    ticks_at(stat, UTIME, STIME)
}

/// The CPU time of the children the process has waited for (cutime, cstime).
pub fn parse_children_cpu(stat: &str) -> Option<CpuTicks> {
    ticks_at(stat, CUTIME, CSTIME)
}

/// The peak resident set size (`VmHWM`), in bytes, from the text of a `status` file.
pub fn parse_peak_rss(status: &str) -> Option<u64> {
    let line = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?;
    let kib: u64 = line.trim().strip_suffix("kB")?.trim().parse().ok()?;
    Some(kib * 1024)
}

/// Process `pid`'s CPU time so far.
pub fn cpu(pid: u32) -> Option<CpuTicks> {
    parse_cpu(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// Process `pid`'s peak resident memory so far, in bytes.
pub fn peak_rss(pid: u32) -> Option<u64> {
    parse_peak_rss(&std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?)
}

/// The CPU time of every child this process has reaped so far.
pub fn reaped_children_cpu() -> Option<CpuTicks> {
    parse_children_cpu(&std::fs::read_to_string("/proc/self/stat").ok()?)
}

/// The length of a clock tick, from `getconf CLK_TCK` (100 per second where it cannot say).
pub fn clock_tick() -> Duration {
    let per_second = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.trim().parse::<u64>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(100);
    Duration::from_secs(1) / u32::try_from(per_second).unwrap_or(100)
}

/// `ticks` of CPU time as seconds.
pub fn seconds(ticks: u64, tick: Duration) -> f64 {
    ticks as f64 * tick.as_secs_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    // A real line, with the command name made awkward: spaces and a parenthesis inside.
    const STAT: &str = "4242 (task (x) 1) S 1 4242 4242 0 -1 4194560 2103 0 0 0 173 41 7 3 20 0 3 0 \
                        1234 123456789 2200 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";

    #[test]
    fn cpu_times_are_read_past_a_name_with_spaces_and_parentheses() {
        assert_eq!(parse_cpu(STAT), Some(CpuTicks { user: 173, system: 41 }));
        assert_eq!(parse_children_cpu(STAT), Some(CpuTicks { user: 7, system: 3 }));
        assert_eq!(parse_cpu(STAT).map(CpuTicks::total), Some(214));
    }

    #[test]
    fn a_short_or_garbled_stat_reads_as_nothing() {
        assert_eq!(parse_cpu("4242 (x) S 1 2"), None);
        assert_eq!(parse_cpu("no parenthesis here"), None);
        assert_eq!(parse_cpu(&STAT.replace(" 173 ", " x ")), None);
    }

    #[test]
    fn peak_rss_is_vm_hwm_in_bytes() {
        let status = "Name:\tcpu_alert\nVmPeak:\t  120000 kB\nVmHWM:\t    6144 kB\nVmRSS:\t    5000 kB\n";
        assert_eq!(parse_peak_rss(status), Some(6144 * 1024));
        assert_eq!(parse_peak_rss("Name:\tx\n"), None);
    }

    #[test]
    fn this_process_can_be_read() {
        let me = std::process::id();
        assert!(cpu(me).is_some());
        assert!(peak_rss(me).is_some_and(|bytes| bytes > 0));
        assert!(reaped_children_cpu().is_some());
        assert!(clock_tick() > Duration::ZERO);
        assert!((seconds(250, Duration::from_millis(10)) - 2.5).abs() < 1e-9);
    }
}
