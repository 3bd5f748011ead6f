//! Resource usage for `rsp stats`: a container's CPU time, memory,
//! network and block I/O and process count, and its CPU use between two
//! readings as Podman computes it.
//!
//! Contract: [`of_container`] reads the container's cgroup where it has
//! one (exact) and otherwise sums its processes from `/proc` (processes
//! that exit while we look are skipped). [`CpuTracker`] turns successive
//! readings of the same containers into Podman's `CPU %` (CPU time over
//! wall time since the previous reading, since the container started for
//! the first) and `AVG CPU %` (the mean of the `CPU %` values shown so
//! far). Values are numbers; the CLI formats them.

use super::cgroup::Cgroup;
use super::container::Container;
use super::procs::{self, ProcsError, Stat, proc_path};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    #[error(transparent)]
    Procs(#[from] ProcsError),
    #[error("reading {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

type Result<T, E = StatsError> = std::result::Result<T, E>;

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| StatsError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Resource usage of a container's processes at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProcStats {
    /// User and system time, including that of reaped children.
    pub cpu_nanos: u64,
    /// Sum of the processes' resident sets (shared pages count once each).
    pub mem_bytes: u64,
    /// The host's MemTotal: without a cgroup there is no other limit.
    pub mem_limit: u64,
    pub net_rx: u64,
    pub net_tx: u64,
    pub block_read: u64,
    pub block_write: u64,
    pub pids: u64,
}

/// Sums usage over `pids`; network counters come from the network
/// namespace of `net_pid` (none for a container on the host network).
pub fn of_processes(pids: &[i32], net_pid: Option<i32>) -> Result<ProcStats> {
    let tck = procs::clock_ticks()?;
    let page = procs::sysconf_u64(nix::unistd::SysconfVar::PAGE_SIZE, "the page size")?;
    let mut s = ProcStats {
        mem_limit: mem_total()?,
        ..ProcStats::default()
    };
    let mut ticks: u128 = 0;
    for &pid in pids {
        let Some(stat) = std::fs::read_to_string(proc_path(pid, "stat"))
            .ok()
            .and_then(|t| Stat::parse(&t))
        else {
            continue;
        };
        s.pids += 1;
        ticks += u128::from(stat.utime + stat.stime + stat.cutime + stat.cstime);
        let rss_pages = std::fs::read_to_string(proc_path(pid, "statm"))
            .ok()
            .and_then(|t| t.split_whitespace().nth(1)?.parse::<u64>().ok())
            .unwrap_or(0);
        s.mem_bytes += rss_pages * page;
        // /proc/P/io needs ptrace rights; a process we may not inspect just
        // adds nothing.
        if let Ok(io) = std::fs::read_to_string(proc_path(pid, "io")) {
            let (r, w) = parse_io(&io);
            s.block_read += r;
            s.block_write += w;
        }
    }
    s.cpu_nanos = u64::try_from(ticks * 1_000_000_000 / u128::from(tck)).unwrap_or(u64::MAX);
    if let Some(np) = net_pid {
        (s.net_rx, s.net_tx) = parse_net_dev(&read(&proc_path(np, "net/dev"))?);
    }
    Ok(s)
}

fn mem_total() -> Result<u64> {
    let path = Path::new("/proc/meminfo");
    read(path)?
        .lines()
        .find_map(|l| {
            let kb: u64 = l
                .strip_prefix("MemTotal:")?
                .split_whitespace()
                .next()?
                .parse()
                .ok()?;
            Some(kb * 1024)
        })
        .ok_or_else(|| StatsError::Read {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, "no MemTotal line"),
        })
}

/// Storage-level bytes, as the cgroup's io.stat counts them; rchar/wchar
/// would also count pipes and the page cache.
fn parse_io(text: &str) -> (u64, u64) {
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
            .unwrap_or(0)
    };
    (field("read_bytes:"), field("write_bytes:"))
}

/// Received and sent bytes over every interface but loopback, which
/// Podman does not count either.
fn parse_net_dev(text: &str) -> (u64, u64) {
    let mut rx = 0;
    let mut tx = 0;
    for line in text.lines() {
        let Some((name, counters)) = line.split_once(':') else {
            continue;
        };
        if name.trim() == "lo" {
            continue;
        }
        let f: Vec<u64> = counters
            .split_whitespace()
            .filter_map(|n| n.parse().ok())
            .collect();
        if f.len() >= 9 {
            rx += f[0];
            tx += f[8];
        }
    }
    (rx, tx)
}

/// The usage of `c` now: zero for a container that is not running.
pub fn of_container(c: &Container) -> Result<ProcStats> {
    if !c.state.is_active() {
        return Ok(ProcStats::default());
    }
    let pids = procs::members(c.state.pid, c.state.ns_pid()).unwrap_or_default();
    let net = c.config.network.own_namespace().then_some(c.state.ns_pid());
    let mut s = of_processes(&pids, net)?;
    // The container's own cgroup counts exactly, when it has one.
    if let Some(cs) = (!c.state.cgroup.is_empty())
        .then(|| Cgroup::open(Path::new(&c.state.cgroup)).ok())
        .flatten()
        .and_then(|cg| cg.stats())
    {
        s.cpu_nanos = cs.cpu_nanos.unwrap_or(s.cpu_nanos);
        s.mem_bytes = cs.mem_bytes.unwrap_or(s.mem_bytes);
        s.mem_limit = cs.mem_limit.unwrap_or(s.mem_limit);
        s.pids = cs.pids;
    }
    Ok(s)
}

/// When `c` last started, from its state.
pub fn started_at(c: &Container) -> Option<SystemTime> {
    let t = chrono::DateTime::parse_from_rfc3339(c.state.started_at.as_deref()?).ok()?;
    Some(t.with_timezone(&chrono::Utc).into())
}

/// CPU use in percent of one CPU, as `podman stats` shows it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CpuUse {
    /// Over the time since the previous reading (since the container
    /// started, for the first reading).
    pub percent: f64,
    /// The mean of the `percent` of every reading so far, the one included.
    pub average: f64,
}

/// Podman's `calculateCPUPercent`: CPU time used over wall time passed
/// between two readings, in percent; 0 when either did not grow.
pub fn cpu_percent(
    prev_cpu_nanos: u64,
    prev_at: SystemTime,
    cpu_nanos: u64,
    at: SystemTime,
) -> f64 {
    let cpu = cpu_nanos.saturating_sub(prev_cpu_nanos) as f64;
    let wall = at
        .duration_since(prev_at)
        .map_or(0.0, |d| d.as_nanos() as f64);
    if cpu > 0.0 && wall > 0.0 {
        cpu / wall * 100.0
    } else {
        0.0
    }
}

/// One container's previous reading.
#[derive(Debug, Clone, Copy)]
struct Previous {
    started: Option<SystemTime>,
    cpu_nanos: u64,
    at: SystemTime,
    average: f64,
    points: u32,
}

/// Remembers each container's previous reading across the refreshes of a
/// streaming `rsp stats`, so that each refresh shows the CPU use since the
/// one before, not the average over the container's life.
#[derive(Debug, Default)]
pub struct CpuTracker {
    previous: HashMap<String, Previous>,
}

impl CpuTracker {
    /// Records a reading of container `id` (`cpu_nanos` of CPU time at
    /// `at`; `started` when it last started) and returns its CPU use. As
    /// Podman: the first reading of a container, or the first after it
    /// restarted (CPU time went down or the start time changed), is
    /// measured from its start; a container that is not running has none.
    pub fn update(
        &mut self,
        id: &str,
        started: Option<SystemTime>,
        cpu_nanos: u64,
        at: SystemTime,
    ) -> CpuUse {
        let fresh = Previous {
            started,
            cpu_nanos: 0,
            at: started.unwrap_or(at),
            average: 0.0,
            points: 0,
        };
        let prev = match self.previous.get(id) {
            Some(p) if p.started == started && p.cpu_nanos <= cpu_nanos => *p,
            _ => fresh,
        };
        let percent = cpu_percent(prev.cpu_nanos, prev.at, cpu_nanos, at);
        // Podman's calculateAvgCPU: a running mean over the readings.
        let points = prev.points.saturating_add(1);
        let average = (prev.average * f64::from(prev.points) + percent) / f64::from(points);
        self.previous.insert(
            id.to_string(),
            Previous {
                started,
                cpu_nanos,
                at,
                average,
                points,
            },
        );
        CpuUse { percent, average }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::procs::tests::{Kids, own_pid, spawn};
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn stats_sum_our_children() {
        let kids = Kids(vec![spawn(&["sleep", "35"]), spawn(&["sleep", "36"])]);
        let mut pids: Vec<i32> = kids.0.iter().map(|c| c.id() as i32).collect();
        pids.push(i32::MAX);
        let s = of_processes(&pids, Some(own_pid())).unwrap();
        assert_eq!(s.pids, 2);
        assert!(s.mem_bytes > 0 && s.mem_limit > s.mem_bytes);
        let me = of_processes(&[own_pid()], None).unwrap();
        assert!(me.cpu_nanos > 0 || me.mem_bytes > 0);
        assert_eq!((me.net_rx, me.net_tx), (0, 0));
    }

    #[test]
    fn net_dev_skips_loopback() {
        let text = "Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n    lo:  500 5 0 0 0 0 0 0  500 5 0 0 0 0 0 0\n  eth0: 1000 10 0 0 0 0 0 0 2000 20 0 0 0 0 0 0\n  tap1:   10 1 0 0 0 0 0 0   20 2 0 0 0 0 0 0\n";
        assert_eq!(parse_net_dev(text), (1010, 2020));
        assert_eq!(
            parse_io("rchar: 5\nread_bytes: 4096\nwrite_bytes: 8192\n"),
            (4096, 8192)
        );
    }

    #[test]
    fn cpu_percent_is_cpu_time_over_wall_time() {
        let t0 = UNIX_EPOCH + Duration::from_secs(1_000);
        let t1 = t0 + Duration::from_secs(2);
        // 0.5 s of CPU in 2 s of wall time.
        assert_eq!(cpu_percent(1_000_000_000, t0, 1_500_000_000, t1), 25.0);
        // Two CPUs busy: over 100%, as Podman shows it.
        assert_eq!(cpu_percent(0, t0, 4_000_000_000, t1), 200.0);
        assert_eq!(cpu_percent(5, t0, 5, t1), 0.0, "no CPU used");
        assert_eq!(cpu_percent(0, t1, 5, t0), 0.0, "clock went back");
        assert_eq!(cpu_percent(0, t0, 5, t0), 0.0, "no time passed");
    }

    #[test]
    fn a_stream_shows_the_use_since_the_previous_refresh() {
        let sec = |n: u64| Duration::from_secs(n);
        let start = UNIX_EPOCH + sec(10_000);
        let mut t = CpuTracker::default();
        // First reading: 10 s of CPU over 100 s of life, the lifetime average.
        let first = t.update("a", Some(start), 10 * 1_000_000_000, start + sec(100));
        assert_eq!(first.percent, 10.0);
        assert_eq!(first.average, 10.0);
        // Busy since: 4 s of CPU in the 5 s since the first reading. The
        // lifetime average would say 14/105 = 13.3%.
        let second = t.update("a", Some(start), 14 * 1_000_000_000, start + sec(105));
        assert_eq!(second.percent, 80.0);
        assert_eq!(second.average, 45.0);
        // Idle since.
        let third = t.update("a", Some(start), 14 * 1_000_000_000, start + sec(110));
        assert_eq!(third.percent, 0.0);
        assert_eq!(third.average, 30.0);
        // Another container is tracked on its own.
        let other = t.update("b", Some(start), 1_000_000_000, start + sec(110));
        assert!((other.percent - 100.0 / 110.0).abs() < 1e-9, "{other:?}");
        // Restarted: measured from the new start again.
        let restart = start + sec(200);
        let again = t.update("a", Some(restart), 1_000_000_000, restart + sec(2));
        assert_eq!(
            again,
            CpuUse {
                percent: 50.0,
                average: 50.0
            }
        );
        // Not running: no start time, no CPU use.
        let stopped = t.update("c", None, 0, restart);
        assert_eq!(stopped, CpuUse::default());
    }
}
