//! A running container's processes, read from the host's `/proc`: which
//! they are ([`members`]), and each one's `stat`, `status` and command
//! line as the sibling modules use them: [`super::top`] (`rsp top`),
//! [`super::stats`] (`rsp stats`) and [`super::freeze`] (pausing with
//! signals where no cgroup can freeze the container).
//!
//! Contract: the container is everything in the pid namespace of its pid 1
//! (host pid). Processes that exit or cannot be read while we look are
//! skipped, never reported as errors.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ProcsError {
    #[error("listing processes in {path}: {source}")]
    ListProcs {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "reading the container's pid namespace {path}: {source}: is the container still running?"
    )]
    PidNamespace {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("reading {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("asking the system for {name}: {source}")]
    Sysconf {
        name: &'static str,
        source: nix::Error,
    },
}

type Result<T, E = ProcsError> = std::result::Result<T, E>;

pub(super) fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| ProcsError::Read {
        path: path.to_path_buf(),
        source,
    })
}

pub(super) fn proc_path(pid: i32, file: &str) -> PathBuf {
    PathBuf::from(format!("/proc/{pid}/{file}"))
}

fn pid_ns(pid: i32) -> std::io::Result<PathBuf> {
    std::fs::read_link(proc_path(pid, "ns/pid"))
}

/// Host pids of every process in the pid namespace of `ns_pid`, `pid1`
/// (that namespace's init, which may not let us read its namespace: rsp's
/// own `--init`) and `ns_pid` included.
pub fn members(pid1: i32, ns_pid: i32) -> Result<Vec<i32>> {
    let ns_path = proc_path(ns_pid, "ns/pid");
    let ns = std::fs::read_link(&ns_path).map_err(|source| ProcsError::PidNamespace {
        path: ns_path,
        source,
    })?;
    let proc_dir = Path::new("/proc");
    let entries = std::fs::read_dir(proc_dir).map_err(|source| ProcsError::ListProcs {
        path: proc_dir.to_path_buf(),
        source,
    })?;
    let mut out: Vec<i32> = entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .filter(|&pid| pid_ns(pid).is_ok_and(|n| n == ns))
        .collect();
    for p in [pid1, ns_pid] {
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out.sort_unstable();
    Ok(out)
}

/// The pid as the process's own (innermost) pid namespace numbers it.
pub fn ns_pid(pid: i32) -> Option<i32> {
    let status = std::fs::read_to_string(proc_path(pid, "status")).ok()?;
    Status::parse(&status).nspid.last().copied()
}

/// The fields of `/proc/P/stat` we use.
#[derive(Debug, Default, Clone)]
pub(super) struct Stat {
    pub(super) comm: String,
    pub(super) state: char,
    pub(super) tty_nr: u64,
    pub(super) utime: u64,
    pub(super) stime: u64,
    pub(super) cutime: u64,
    pub(super) cstime: u64,
    pub(super) nice: i64,
    pub(super) starttime: u64,
    pub(super) vsize: u64,
}

impl Stat {
    pub(super) fn parse(text: &str) -> Option<Stat> {
        // The command name may hold spaces and parentheses: it runs from
        // the first '(' to the last ')'.
        let open = text.find('(')?;
        let close = text.rfind(')')?;
        let comm = text.get(open + 1..close)?.to_string();
        // Fields numbered as in proc(5), starting at field 3 (state).
        let f: Vec<&str> = text.get(close + 1..)?.split_whitespace().collect();
        let num = |n: usize| -> Option<u64> { f.get(n - 3)?.parse().ok() };
        Some(Stat {
            comm,
            state: f.first()?.chars().next()?,
            tty_nr: num(7)?,
            utime: num(14)?,
            stime: num(15)?,
            cutime: num(16)?,
            cstime: num(17)?,
            nice: f.get(19 - 3)?.parse().ok()?,
            starttime: num(22)?,
            vsize: num(23)?,
        })
    }
}

/// The fields of `/proc/P/status` we use, as the host sees them.
#[derive(Debug, Default, Clone)]
pub(super) struct Status {
    pub(super) name: String,
    pub(super) state: String,
    pub(super) ppid: i32,
    pub(super) uids: Vec<u32>,
    pub(super) gids: Vec<u32>,
    pub(super) groups: Vec<u32>,
    pub(super) nspid: Vec<i32>,
    pub(super) nspgid: Vec<i32>,
    pub(super) vmrss: Option<String>,
    pub(super) caps: HashMap<String, String>,
    pub(super) seccomp: String,
}

impl Status {
    pub(super) fn parse(text: &str) -> Status {
        let mut s = Status::default();
        for line in text.lines() {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            let nums = |v: &str| -> Vec<u32> {
                v.split_whitespace()
                    .filter_map(|n| n.parse().ok())
                    .collect()
            };
            let pids = |v: &str| -> Vec<i32> {
                v.split_whitespace()
                    .filter_map(|n| n.parse().ok())
                    .collect()
            };
            match key {
                "Name" => s.name = value.to_string(),
                "State" => s.state = value.split_whitespace().next().unwrap_or("").to_string(),
                "PPid" => s.ppid = value.parse().unwrap_or(0),
                "Uid" => s.uids = nums(value),
                "Gid" => s.gids = nums(value),
                "Groups" => s.groups = nums(value),
                "NSpid" => s.nspid = pids(value),
                "NSpgid" => s.nspgid = pids(value),
                "VmRSS" => s.vmrss = value.split_whitespace().next().map(str::to_string),
                "CapInh" | "CapPrm" | "CapEff" | "CapBnd" | "CapAmb" => {
                    s.caps.insert(key.to_string(), value.to_string());
                }
                "Seccomp" => s.seccomp = value.to_string(),
                _ => {}
            }
        }
        s
    }
}

/// One process as read at one moment; `None` when it is gone.
pub(super) struct Proc {
    pub(super) pid: i32,
    pub(super) stat: Stat,
    pub(super) status: Status,
    pub(super) cmdline: Vec<String>,
}

impl Proc {
    pub(super) fn read(pid: i32) -> Option<Proc> {
        let stat = Stat::parse(&std::fs::read_to_string(proc_path(pid, "stat")).ok()?)?;
        let status = Status::parse(&std::fs::read_to_string(proc_path(pid, "status")).ok()?);
        let raw = std::fs::read(proc_path(pid, "cmdline")).ok()?;
        // The kernel ends each argument with NUL; splitting on it would
        // leave an empty last argument and a trailing space in `args`.
        let raw = raw.strip_suffix(b"\0").unwrap_or(&raw);
        let cmdline = if raw.is_empty() {
            Vec::new()
        } else {
            raw.split(|&b| b == 0)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect()
        };
        Some(Proc {
            pid,
            stat,
            status,
            cmdline,
        })
    }

    pub(super) fn ns_pid(&self) -> i32 {
        self.status.nspid.last().copied().unwrap_or(self.pid)
    }
}

pub(super) fn clock_ticks() -> Result<u64> {
    sysconf_u64(nix::unistd::SysconfVar::CLK_TCK, "the clock tick rate")
}

pub(super) fn sysconf_u64(var: nix::unistd::SysconfVar, name: &'static str) -> Result<u64> {
    match nix::unistd::sysconf(var) {
        Ok(Some(v)) if v > 0 => Ok(v as u64),
        Ok(_) => Err(ProcsError::Sysconf {
            name,
            source: nix::Error::EINVAL,
        }),
        Err(source) => Err(ProcsError::Sysconf { name, source }),
    }
}

pub(super) fn boot_time() -> Result<u64> {
    let path = Path::new("/proc/stat");
    read(path)?
        .lines()
        .find_map(|l| l.strip_prefix("btime ")?.trim().parse().ok())
        .ok_or_else(|| ProcsError::Read {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, "no btime line"),
        })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    use std::process::{Child, Command};
    use std::time::Duration;

    /// Kills its children and their descendants, and reaps the children,
    /// when a test ends, even by panicking.
    pub(crate) struct Kids(pub(crate) Vec<Child>);
    impl Drop for Kids {
        fn drop(&mut self) {
            for c in &mut self.0 {
                for p in tree(c.id() as i32) {
                    let _ = kill(Pid::from_raw(p), Signal::SIGKILL);
                }
                let _ = c.wait();
            }
        }
    }

    /// Returns once the child shows its new argv: spawn() returns when
    /// exec has begun, and the kernel fills in the argv a little later.
    pub(crate) fn spawn(args: &[&str]) -> Child {
        let child = Command::new(args[0]).args(&args[1..]).spawn().unwrap();
        let cmdline = proc_path(child.id() as i32, "cmdline");
        wait_for(|| std::fs::read(&cmdline).is_ok_and(|c| !c.is_empty()));
        child
    }

    pub(crate) fn own_pid() -> i32 {
        std::process::id() as i32
    }

    fn children_of(pid: i32) -> Vec<i32> {
        let mut out: Vec<i32> = std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .filter(|&p| {
                std::fs::read_to_string(proc_path(p, "status"))
                    .is_ok_and(|s| Status::parse(&s).ppid == pid)
            })
            .collect();
        out.sort_unstable();
        out
    }

    /// The tree under `root`, root included.
    pub(crate) fn tree(root: i32) -> Vec<i32> {
        let mut out = vec![root];
        let mut i = 0;
        while i < out.len() {
            out.extend(children_of(out[i]));
            i += 1;
        }
        out
    }

    pub(crate) fn wait_for(mut cond: impl FnMut() -> bool) {
        for _ in 0..200 {
            if cond() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("condition not met within 2s");
    }

    #[test]
    fn members_include_our_children() {
        let kids = Kids(vec![spawn(&["sleep", "30"])]);
        let child = kids.0[0].id() as i32;
        let m = members(own_pid(), own_pid()).unwrap();
        assert!(m.contains(&own_pid()) && m.contains(&child));
        assert!(m.windows(2).all(|w| w[0] < w[1]));
        assert!(matches!(
            members(i32::MAX, i32::MAX),
            Err(ProcsError::PidNamespace { .. })
        ));
    }

    #[test]
    fn ns_pid_of_a_process_in_our_namespace_is_its_pid() {
        let kids = Kids(vec![spawn(&["sleep", "30"])]);
        let child = kids.0[0].id() as i32;
        assert_eq!(ns_pid(child), Some(child));
        assert_eq!(ns_pid(i32::MAX), None);
    }

    #[test]
    fn stat_parses_names_with_spaces_and_parens() {
        let text = "42 (a (b) c) S 1 42 42 34816 42 4194560 1 2 3 4 10 20 30 40 20 -5 1 0 999 4096000 300 18446744073709551615";
        let s = Stat::parse(text).unwrap();
        assert_eq!(s.comm, "a (b) c");
        assert_eq!(s.state, 'S');
        assert_eq!((s.utime, s.stime, s.cutime, s.cstime), (10, 20, 30, 40));
        assert_eq!((s.nice, s.starttime, s.vsize), (-5, 999, 4096000));
        assert_eq!(s.tty_nr, 34816);
        assert!(Stat::parse("garbage").is_none());
    }
}
