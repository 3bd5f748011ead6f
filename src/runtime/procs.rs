//! A running container's processes, read from the host's `/proc`: which
//! they are, `rsp top` in Podman's (psgo's) AIX-format descriptors or in
//! the host `ps` filtered to the container as Docker does, resource usage
//! for `rsp stats` in Podman's formats, and pausing with signals where no
//! cgroup can freeze the container.
//!
//! Contract: the container is everything in the pid namespace of its pid 1
//! (host pid). Processes that exit or cannot be read while we look are
//! skipped, never reported as errors. Pids shown as `pid`, `ppid` and
//! `pgid` are the container's own; ids shown as `user` and `group` are the
//! container's, named through the container's `/etc/passwd` and
//! `/etc/group`. [`freeze`] returns only once every member is stopped, or
//! resumes them all and fails.

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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
    #[error("unknown descriptor {0:?}: valid descriptors are {list}", list = descriptor_names().join(", "))]
    UnknownDescriptor(String),
    #[error("running {path}: {source}: install procps or use descriptors such as `pid,user,args`")]
    RunPs {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} {args} failed ({status}): {stderr}")]
    PsFailed {
        path: PathBuf,
        args: String,
        status: std::process::ExitStatus,
        stderr: String,
    },
    #[error(
        "the output of {path} has no PID column (header {header:?}): include pid in the ps options, e.g. -eo pid,args"
    )]
    NoPidColumn { path: PathBuf, header: String },
    #[error("sending {signal} to process {pid}: {source}")]
    Signal {
        pid: i32,
        signal: Signal,
        source: nix::Error,
    },
    #[error("processes {pids:?} did not stop within {}s", FREEZE_WAIT.as_secs())]
    NotStopped { pids: Vec<i32> },
}

type Result<T, E = ProcsError> = std::result::Result<T, E>;

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| ProcsError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn proc_path(pid: i32, file: &str) -> PathBuf {
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
struct Stat {
    comm: String,
    state: char,
    tty_nr: u64,
    utime: u64,
    stime: u64,
    cutime: u64,
    cstime: u64,
    nice: i64,
    starttime: u64,
    vsize: u64,
}

impl Stat {
    fn parse(text: &str) -> Option<Stat> {
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
struct Status {
    name: String,
    state: String,
    ppid: i32,
    uids: Vec<u32>,
    gids: Vec<u32>,
    groups: Vec<u32>,
    nspid: Vec<i32>,
    nspgid: Vec<i32>,
    vmrss: Option<String>,
    caps: HashMap<String, String>,
    seccomp: String,
}

impl Status {
    fn parse(text: &str) -> Status {
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
struct Proc {
    pid: i32,
    stat: Stat,
    status: Status,
    cmdline: Vec<String>,
}

impl Proc {
    fn read(pid: i32) -> Option<Proc> {
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

    fn ns_pid(&self) -> i32 {
        self.status.nspid.last().copied().unwrap_or(self.pid)
    }
}

/// One AIX-format descriptor as psgo defines it.
#[derive(Debug)]
struct Descriptor {
    code: Option<&'static str>,
    normal: &'static str,
    header: &'static str,
}

const fn d(code: Option<&'static str>, normal: &'static str, header: &'static str) -> Descriptor {
    Descriptor {
        code,
        normal,
        header,
    }
}

/// psgo's table, in its order; `code` is the ps(1) `%x` short form.
const DESCRIPTORS: &[Descriptor] = &[
    d(Some("%C"), "pcpu", "%CPU"),
    d(Some("%G"), "group", "GROUP"),
    d(None, "groups", "GROUPS"),
    d(Some("%P"), "ppid", "PPID"),
    d(Some("%U"), "user", "USER"),
    d(None, "uid", "UID"),
    d(Some("%a"), "args", "COMMAND"),
    d(Some("%c"), "comm", "COMMAND"),
    d(Some("%g"), "rgroup", "RGROUP"),
    d(Some("%n"), "nice", "NI"),
    d(Some("%p"), "pid", "PID"),
    d(Some("%r"), "pgid", "PGID"),
    d(Some("%t"), "etime", "ELAPSED"),
    d(Some("%u"), "ruser", "RUSER"),
    d(Some("%x"), "time", "TIME"),
    d(Some("%y"), "tty", "TTY"),
    d(Some("%z"), "vsz", "VSZ"),
    d(None, "capamb", "AMBIENT CAPS"),
    d(None, "capinh", "INHERITED CAPS"),
    d(None, "capprm", "PERMITTED CAPS"),
    d(None, "capeff", "EFFECTIVE CAPS"),
    d(None, "capbnd", "BOUNDING CAPS"),
    d(None, "seccomp", "SECCOMP"),
    d(None, "label", "LABEL"),
    d(None, "hpid", "HPID"),
    d(None, "huser", "HUSER"),
    d(None, "huid", "HUID"),
    d(None, "hgroup", "HGROUP"),
    d(None, "hgroups", "HGROUPS"),
    d(None, "rss", "RSS"),
    d(None, "state", "STATE"),
    d(None, "stime", "STIME"),
];

/// psgo's default, compatible with `ps -ef`.
pub const DEFAULT_DESCRIPTORS: &[&str] = &[
    "user", "pid", "ppid", "pcpu", "etime", "tty", "time", "args",
];

/// Every descriptor [`top`] knows, sorted as `podman top -l --help` lists them.
pub fn descriptor_names() -> Vec<&'static str> {
    let mut names: Vec<_> = DESCRIPTORS.iter().map(|d| d.normal).collect();
    names.sort_unstable();
    names
}

/// Podman splits each argument on commas too, so `pid,user` and `pid user`
/// are the same.
fn parse_descriptors(list: &[String]) -> Result<Vec<&'static Descriptor>> {
    let mut names: Vec<&str> = list
        .iter()
        .flat_map(|a| a.split(','))
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    if names.is_empty() {
        names = DEFAULT_DESCRIPTORS.to_vec();
    }
    names
        .into_iter()
        .map(|n| {
            DESCRIPTORS
                .iter()
                .find(|d| d.normal == n || d.code == Some(n))
                .ok_or_else(|| ProcsError::UnknownDescriptor(n.to_string()))
        })
        .collect()
}

fn clock_ticks() -> Result<u64> {
    sysconf_u64(nix::unistd::SysconfVar::CLK_TCK, "the clock tick rate")
}

fn sysconf_u64(var: nix::unistd::SysconfVar, name: &'static str) -> Result<u64> {
    match nix::unistd::sysconf(var) {
        Ok(Some(v)) if v > 0 => Ok(v as u64),
        Ok(_) => Err(ProcsError::Sysconf {
            name,
            source: nix::Error::EINVAL,
        }),
        Err(source) => Err(ProcsError::Sysconf { name, source }),
    }
}

fn boot_time() -> Result<u64> {
    let path = Path::new("/proc/stat");
    read(path)?
        .lines()
        .find_map(|l| l.strip_prefix("btime ")?.trim().parse().ok())
        .ok_or_else(|| ProcsError::Read {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, "no btime line"),
        })
}

/// What every row needs, read once per call.
struct TopContext<'a> {
    passwd: Option<&'a str>,
    group: Option<&'a str>,
    host_passwd: String,
    host_group: String,
    clk_tck: u64,
    btime: u64,
    now: SystemTime,
    own_userns: Option<PathBuf>,
    overflow_uid: u32,
    overflow_gid: u32,
}

fn overflow_id(file: &str) -> u32 {
    std::fs::read_to_string(file)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(65534)
}

/// Maps a host id into the namespace described by an `id_map` file
/// ("inside outside count" lines), as the kernel shows unmapped ids.
fn map_to_inside(host: u32, id_map: &str) -> Option<u32> {
    id_map.lines().find_map(|l| {
        let f: Vec<u64> = l
            .split_whitespace()
            .filter_map(|n| n.parse().ok())
            .collect();
        let (inside, outside, count) = (*f.first()?, *f.get(1)?, *f.get(2)?);
        let h = u64::from(host);
        (h >= outside && h < outside + count)
            .then(|| u32::try_from(inside + (h - outside)).ok())
            .flatten()
    })
}

/// The name for an id in `/etc/passwd` or `/etc/group` text (name is field
/// 0, id field 2 in both).
fn name_for(id: u32, db: Option<&str>) -> String {
    db.and_then(|text| {
        text.lines().find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.len() > 2 && !l.starts_with('#') && f[2].parse() == Ok(id)).then(|| f[0].to_string())
        })
    })
    .unwrap_or_else(|| id.to_string())
}

/// Go's `time.Duration.String()`, which psgo prints for ELAPSED and TIME
/// and Podman for CPU TIME (`3.216812523s`, `1m5s`, `1.5ms`).
pub fn go_duration(nanos: u128) -> String {
    fn frac(value: u128, unit: u128, digits: usize) -> String {
        let (whole, rest) = (value / unit, value % unit);
        if rest == 0 {
            return whole.to_string();
        }
        let f = format!("{rest:0digits$}");
        format!("{whole}.{}", f.trim_end_matches('0'))
    }
    const SEC: u128 = 1_000_000_000;
    match nanos {
        0 => "0s".into(),
        n if n < 1_000 => format!("{n}ns"),
        n if n < 1_000_000 => format!("{}µs", frac(n, 1_000, 3)),
        n if n < SEC => format!("{}ms", frac(n, 1_000_000, 6)),
        n => {
            let secs = n / SEC;
            let mut out = String::new();
            if secs >= 3600 {
                out.push_str(&format!("{}h", secs / 3600));
            }
            if secs >= 60 {
                out.push_str(&format!("{}m", secs / 60 % 60));
            }
            out.push_str(&frac(n % (60 * SEC), SEC, 9));
            out.push('s');
            out
        }
    }
}

/// Go's `time.Time.String()` for a local time; the zone is named only when
/// it is UTC, as chrono cannot give other zones' abbreviations.
fn go_time(t: SystemTime) -> String {
    let local: chrono::DateTime<chrono::Local> = t.into();
    let offset = local.offset().local_minus_utc();
    let zone = if offset == 0 {
        "UTC".to_string()
    } else {
        local.format("%z").to_string()
    };
    format!("{} {zone}", local.format("%Y-%m-%d %H:%M:%S %z"))
}

/// Capability names by bit number, as capability.h numbers them.
const CAPS: &str = "\
    CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID \
    SETPCAP LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN \
    NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE \
    SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME \
    SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP \
    MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ \
    PERFMON BPF CHECKPOINT_RESTORE";

/// psgo's rendering of a capability mask: `full`, `none`, or sorted names.
fn caps_string(hex: &str) -> String {
    let Ok(mask) = u64::from_str_radix(hex, 16) else {
        return "?".into();
    };
    // psgo compares against the set its table knows, so a kernel with more
    // capabilities shows names rather than "full".
    let names: Vec<&str> = CAPS.split_whitespace().collect();
    if mask == (1u64 << names.len()) - 1 {
        return "full".into();
    }
    let mut set: Vec<&str> = (0..64)
        .filter(|i| mask >> i & 1 == 1)
        .map(|i| names.get(i).copied().unwrap_or("unknown"))
        .collect();
    if set.is_empty() {
        return "none".into();
    }
    set.sort_unstable();
    set.join(",")
}

/// The terminal name for `tty_nr` from the kernel's fixed device numbers;
/// psgo scans the container's `/dev` instead, which we cannot see, but
/// the numbers of these devices are the same everywhere.
fn tty_name(tty_nr: u64) -> String {
    let major = (tty_nr >> 8) & 0xfff;
    let minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);
    match (major, minor) {
        (0, _) => "?".into(),
        (136..=143, m) => format!("pts/{}", (major - 136) * 256 + m),
        (4, m) if m < 64 => format!("tty{m}"),
        (4, m) => format!("ttyS{}", m - 64),
        (5, 0) => "tty".into(),
        (5, 1) => "console".into(),
        _ => "?".into(),
    }
}

impl TopContext<'_> {
    fn start_time(&self, p: &Proc) -> SystemTime {
        // psgo truncates the start to whole seconds before measuring.
        UNIX_EPOCH + Duration::from_secs(self.btime + p.stat.starttime / self.clk_tck)
    }

    fn elapsed(&self, p: &Proc) -> Duration {
        self.now
            .duration_since(self.start_time(p))
            .unwrap_or_default()
    }

    /// psgo counts CPU time in whole seconds, so short-lived work shows 0s.
    fn cpu_secs(&self, p: &Proc) -> u64 {
        (p.stat.utime + p.stat.stime) / self.clk_tck
    }

    /// The container's view of a host id: identity when the process shares
    /// our user namespace, else through its map (whose "outside" column is
    /// in our namespace because we read it from outside).
    fn inside_id(&self, p: &Proc, host: u32, map_file: &str, overflow: u32) -> u32 {
        let ns = std::fs::read_link(proc_path(p.pid, "ns/user")).ok();
        if ns.is_some() && ns == self.own_userns {
            return host;
        }
        std::fs::read_to_string(proc_path(p.pid, map_file))
            .ok()
            .and_then(|m| map_to_inside(host, &m))
            .unwrap_or(overflow)
    }

    fn inside_uid(&self, p: &Proc, which: usize) -> u32 {
        let host = p
            .status
            .uids
            .get(which)
            .copied()
            .unwrap_or(self.overflow_uid);
        self.inside_id(p, host, "uid_map", self.overflow_uid)
    }

    fn inside_gid(&self, p: &Proc, host: u32) -> u32 {
        self.inside_id(p, host, "gid_map", self.overflow_gid)
    }

    /// The parent's pid in the container, 0 for pid 1 whose parent is
    /// outside the namespace.
    fn ns_ppid(&self, p: &Proc) -> i32 {
        let ppid = p.status.ppid;
        if ppid <= 0 {
            return 0;
        }
        // In the same pid namespace, the parent's pids go as many levels
        // deep (/proc's NSpid, which, unlike ns/pid, rsp's non-dumpable
        // init lets us read).
        let Some(parent) = std::fs::read_to_string(proc_path(ppid, "status"))
            .ok()
            .map(|s| Status::parse(&s).nspid)
        else {
            return 0;
        };
        if parent.len() == p.status.nspid.len() {
            parent.last().copied().unwrap_or(0)
        } else {
            0
        }
    }

    fn value(&self, desc: &Descriptor, p: &Proc) -> String {
        let cap = |k: &str| caps_string(p.status.caps.get(k).map_or("", String::as_str));
        let host_gid = p.status.gids.get(1).copied().unwrap_or(self.overflow_gid);
        match desc.normal {
            "pcpu" => {
                let elapsed = self.elapsed(p).as_secs_f64();
                let pcpu = if elapsed > 0.0 {
                    100.0 * self.cpu_secs(p) as f64 / elapsed
                } else {
                    0.0
                };
                format!("{pcpu:.3}")
            }
            "group" => name_for(self.inside_gid(p, host_gid), self.group),
            "rgroup" => {
                let host = p.status.gids.first().copied().unwrap_or(self.overflow_gid);
                name_for(self.inside_gid(p, host), self.group)
            }
            "groups" => p
                .status
                .groups
                .iter()
                .map(|&g| name_for(self.inside_gid(p, g), self.group))
                .collect::<Vec<_>>()
                .join(","),
            "ppid" => self.ns_ppid(p).to_string(),
            "user" => name_for(self.inside_uid(p, 1), self.passwd),
            "ruser" => name_for(self.inside_uid(p, 0), self.passwd),
            "uid" => self.inside_uid(p, 1).to_string(),
            "args" if p.cmdline.first().is_none_or(|a| a.is_empty()) => {
                format!("[{}]", p.status.name)
            }
            "args" => p.cmdline.join(" "),
            "comm" => p.stat.comm.clone(),
            "nice" => p.stat.nice.to_string(),
            "pid" => p.ns_pid().to_string(),
            "pgid" => p.status.nspgid.last().copied().unwrap_or(0).to_string(),
            "etime" => go_duration(self.elapsed(p).as_nanos()),
            "time" => go_duration(u128::from(self.cpu_secs(p)) * 1_000_000_000),
            "stime" => go_time(self.start_time(p)),
            "tty" => tty_name(p.stat.tty_nr),
            "vsz" => (p.stat.vsize / 1024).to_string(),
            "rss" => p.status.vmrss.clone().unwrap_or_else(|| "0".into()),
            "state" => p.status.state.clone(),
            "capamb" => cap("CapAmb"),
            "capinh" => cap("CapInh"),
            "capprm" => cap("CapPrm"),
            "capeff" => cap("CapEff"),
            "capbnd" => cap("CapBnd"),
            "seccomp" => match p.status.seccomp.as_str() {
                "0" => "disabled".into(),
                "1" => "strict".into(),
                "2" => "filter".into(),
                _ => "?".into(),
            },
            "label" => std::fs::read_to_string(proc_path(p.pid, "attr/current"))
                .map(|l| l.trim_end_matches(['\n', '\0']).to_string())
                .unwrap_or_else(|_| "?".into()),
            "hpid" => p.pid.to_string(),
            "huser" => {
                let uid = p.status.uids.get(1).copied().unwrap_or(self.overflow_uid);
                name_for(uid, Some(&self.host_passwd))
            }
            "huid" => p
                .status
                .uids
                .get(1)
                .map_or_else(|| "?".into(), u32::to_string),
            "hgroup" => name_for(host_gid, Some(&self.host_group)),
            "hgroups" => p
                .status
                .groups
                .iter()
                .map(|&g| name_for(g, Some(&self.host_group)))
                .collect::<Vec<_>>()
                .join(","),
            _ => "?".into(),
        }
    }
}

/// `podman top`: the header and one row per process, in the container's
/// pid order. `passwd` and `group` are the container's `/etc/passwd` and
/// `/etc/group`, to name its users as it does. An unknown descriptor fails
/// with [`ProcsError::UnknownDescriptor`]; Podman then runs `ps` instead
/// (see [`ps_fallback`]).
pub fn top(
    pids: &[i32],
    descriptors: &[String],
    passwd: Option<&str>,
    group: Option<&str>,
) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let descs = parse_descriptors(descriptors)?;
    let ctx = TopContext {
        passwd,
        group,
        host_passwd: std::fs::read_to_string("/etc/passwd").unwrap_or_default(),
        host_group: std::fs::read_to_string("/etc/group").unwrap_or_default(),
        clk_tck: clock_ticks()?,
        btime: boot_time()?,
        now: SystemTime::now(),
        own_userns: std::fs::read_link("/proc/self/ns/user").ok(),
        overflow_uid: overflow_id("/proc/sys/kernel/overflowuid"),
        overflow_gid: overflow_id("/proc/sys/kernel/overflowgid"),
    };
    let mut procs: Vec<Proc> = pids.iter().filter_map(|&p| Proc::read(p)).collect();
    procs.sort_by_key(|p| (p.ns_pid(), p.pid));
    let header = descs.iter().map(|d| d.header.to_string()).collect();
    let rows = procs
        .iter()
        .map(|p| descs.iter().map(|d| ctx.value(d, p)).collect())
        .collect();
    Ok((header, rows))
}

/// Docker's `top`: runs the host's `ps` with the user's options (`-ef`
/// when none) and keeps its header and the rows whose PID is one of
/// `pids`. The PIDs shown are therefore host pids.
pub fn ps_fallback(pids: &[i32], ps_args: &[String]) -> Result<String> {
    let path = PathBuf::from("ps");
    let args: Vec<String> = if ps_args.is_empty() {
        vec!["-ef".into()]
    } else {
        ps_args.to_vec()
    };
    let out = std::process::Command::new(&path)
        .args(&args)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|source| ProcsError::RunPs {
            path: path.clone(),
            source,
        })?;
    if !out.status.success() {
        return Err(ProcsError::PsFailed {
            path,
            args: args.join(" "),
            status: out.status,
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    filter_ps_output(&String::from_utf8_lossy(&out.stdout), pids).ok_or_else(|| {
        ProcsError::NoPidColumn {
            path,
            header: String::from_utf8_lossy(&out.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .to_string(),
        }
    })
}

/// `None` when the header has no PID column.
fn filter_ps_output(text: &str, pids: &[i32]) -> Option<String> {
    let mut lines = text.lines();
    let header = lines.next()?;
    let col = header.split_whitespace().position(|f| f == "PID")?;
    let mut out = format!("{header}\n");
    for line in lines {
        // Only the last column (the command) may hold spaces, and PID is
        // never last when a command is shown, so field counting is safe.
        let pid = line
            .split_whitespace()
            .nth(col)
            .and_then(|f| f.parse().ok());
        if pid.is_some_and(|p| pids.contains(&p)) {
            out.push_str(line);
            out.push('\n');
        }
    }
    Some(out)
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
pub fn stats(pids: &[i32], net_pid: Option<i32>) -> Result<ProcStats> {
    let tck = clock_ticks()?;
    let page = sysconf_u64(nix::unistd::SysconfVar::PAGE_SIZE, "the page size")?;
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
        .ok_or_else(|| ProcsError::Read {
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

/// Go's `%.4g`, as go-units' `HumanSize` uses.
fn go_g4(v: f64) -> String {
    fn trim(s: &str) -> &str {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.')
        } else {
            s
        }
    }
    if v == 0.0 {
        return "0".into();
    }
    let sci = format!("{v:.3e}");
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..4).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{}e{sign}{:02}", trim(mant), exp.abs());
    }
    let decimals = usize::try_from(3 - exp).unwrap_or(0);
    trim(&format!("{v:.decimals$}")).to_string()
}

/// go-units' `HumanSize`: decimal units, four significant digits
/// (`1.045MB`, `33.51GB`, `0B`).
pub fn human_size(bytes: u64) -> String {
    const UNITS: &[&str] = &["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    let mut size = bytes as f64;
    let mut i = 0;
    while size >= 1000.0 && i < UNITS.len() - 1 {
        size /= 1000.0;
        i += 1;
    }
    format!("{}{}", go_g4(size), UNITS[i])
}

fn percent(part: f64, whole: f64) -> String {
    let p = if whole > 0.0 {
        part / whole * 100.0
    } else {
        0.0
    };
    format!("{p:.2}%")
}

/// One container as `podman stats --no-stream --format json` prints it.
/// With a single sample, CPU % is the average over the container's
/// `uptime`, so `cpu_percent` equals `avg_cpu`.
pub fn stats_row(id: &str, name: &str, s: &ProcStats, uptime: Duration) -> serde_json::Value {
    let cpu = percent(s.cpu_nanos as f64, uptime.as_nanos() as f64);
    serde_json::json!({
        // As given: the caller shortens it unless --no-trunc.
        "id": id,
        "name": name,
        "cpu_time": go_duration(u128::from(s.cpu_nanos)),
        "cpu_percent": cpu,
        "avg_cpu": cpu,
        "mem_usage": format!("{} / {}", human_size(s.mem_bytes), human_size(s.mem_limit)),
        "mem_percent": percent(s.mem_bytes as f64, s.mem_limit as f64),
        "net_io": format!("{} / {}", human_size(s.net_rx), human_size(s.net_tx)),
        "block_io": format!("{} / {}", human_size(s.block_read), human_size(s.block_write)),
        "pids": s.pids.to_string(),
    })
}

/// The columns of Podman's default `stats` table.
pub const STATS_HEADERS: &[&str] = &[
    "ID",
    "NAME",
    "CPU %",
    "MEM USAGE / LIMIT",
    "MEM %",
    "NET IO",
    "BLOCK IO",
    "PIDS",
    "CPU TIME",
    "AVG CPU %",
];

/// A [`stats_row`] value as the cells under [`STATS_HEADERS`].
pub fn stats_table_row(v: &serde_json::Value) -> Vec<String> {
    [
        "id",
        "name",
        "cpu_percent",
        "mem_usage",
        "mem_percent",
        "net_io",
        "block_io",
        "pids",
        "cpu_time",
        "avg_cpu",
    ]
    .iter()
    .map(|k| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string())
    .collect()
}

/// How long [`freeze`] waits for every member to show as stopped.
const FREEZE_WAIT: Duration = Duration::from_secs(2);
const FREEZE_POLL: Duration = Duration::from_millis(10);

fn state_of(pid: i32) -> Option<char> {
    Stat::parse(&std::fs::read_to_string(proc_path(pid, "stat")).ok()?).map(|s| s.state)
}

/// Stopped, traced, or past caring (zombies cannot be stopped).
fn is_still(state: char) -> bool {
    matches!(state, 'T' | 't' | 'Z' | 'X' | 'x')
}

fn signal(pid: i32, sig: Signal) -> Result<()> {
    match kill(Pid::from_raw(pid), sig) {
        Ok(()) | Err(nix::Error::ESRCH) => Ok(()),
        Err(source) => Err(ProcsError::Signal {
            pid,
            signal: sig,
            source,
        }),
    }
}

/// Pauses the container by stopping each of its processes with SIGSTOP.
pub fn freeze(pid1: i32, ns_pid: i32) -> Result<()> {
    freeze_with(&|| members(pid1, ns_pid))
}

/// Resumes every process of the container with SIGCONT.
pub fn thaw(pid1: i32, ns_pid: i32) -> Result<()> {
    thaw_pids(&members(pid1, ns_pid)?)
}

fn thaw_pids(pids: &[i32]) -> Result<()> {
    let mut first_err = None;
    for &pid in pids {
        // Resume as many as we can even if one refuses.
        if let Err(e) = signal(pid, Signal::SIGCONT) {
            first_err.get_or_insert(e);
        }
    }
    first_err.map_or(Ok(()), Err)
}

/// Stops everything `scan` lists until two scans in a row list the same
/// processes, all stopped: a process may fork between our listing and its
/// SIGSTOP, and only a listing made after every known process was seen
/// stopped is sure to include such a child. On failure, everything is
/// resumed so the container is not left half paused.
fn freeze_with(scan: &dyn Fn() -> Result<Vec<i32>>) -> Result<()> {
    let result = stop_all(scan);
    if result.is_err()
        && let Ok(pids) = scan()
    {
        let _ = thaw_pids(&pids);
    }
    result
}

fn stop_all(scan: &dyn Fn() -> Result<Vec<i32>>) -> Result<()> {
    let rounds = FREEZE_WAIT.as_millis() / FREEZE_POLL.as_millis();
    let mut settled: Option<Vec<i32>> = None;
    let mut running = Vec::new();
    for _ in 0..rounds {
        let pids = scan()?;
        running.clear();
        for &pid in &pids {
            if state_of(pid).is_some_and(|s| !is_still(s)) {
                signal(pid, Signal::SIGSTOP)?;
                running.push(pid);
            }
        }
        if running.is_empty() {
            if settled.as_ref() == Some(&pids) {
                return Ok(());
            }
            settled = Some(pids);
            continue;
        }
        settled = None;
        std::thread::sleep(FREEZE_POLL);
    }
    Err(ProcsError::NotStopped { pids: running })
}

#[cfg(test)]
mod tests {
    use super::super::cgroup::prereq::require_or_skip;
    use super::*;
    use std::process::{Child, Command};

    /// Kills its children and their descendants, and reaps the children,
    /// when a test ends, even by panicking.
    struct Kids(Vec<Child>);

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
    fn spawn(args: &[&str]) -> Child {
        let child = Command::new(args[0]).args(&args[1..]).spawn().unwrap();
        let cmdline = proc_path(child.id() as i32, "cmdline");
        wait_for(|| std::fs::read(&cmdline).is_ok_and(|c| !c.is_empty()));
        child
    }

    fn own_pid() -> i32 {
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
    fn tree(root: i32) -> Vec<i32> {
        let mut out = vec![root];
        let mut i = 0;
        while i < out.len() {
            out.extend(children_of(out[i]));
            i += 1;
        }
        out
    }

    fn wait_for(mut cond: impl FnMut() -> bool) {
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
        assert_eq!(tty_name(s.tty_nr), "pts/0");
        assert!(Stat::parse("garbage").is_none());
    }

    #[test]
    fn go_duration_matches_go() {
        let cases: &[(u128, &str)] = &[
            (0, "0s"),
            (999, "999ns"),
            (1_500, "1.5µs"),
            (5_000_000, "5ms"),
            (1_234_567, "1.234567ms"),
            (3_216_812_523, "3.216812523s"),
            (61_000_000_000, "1m1s"),
            (3_600_000_000_000, "1h0m0s"),
            (3_723_500_000_000, "1h2m3.5s"),
        ];
        for (n, s) in cases {
            assert_eq!(go_duration(*n), *s, "{n}");
        }
    }

    #[test]
    fn human_size_matches_go_units() {
        assert_eq!(human_size(0), "0B");
        assert_eq!(human_size(999), "999B");
        assert_eq!(human_size(1_045_000), "1.045MB");
        assert_eq!(human_size(33_510_000_000), "33.51GB");
        assert_eq!(human_size(1_000), "1kB");
        assert_eq!(human_size(999_960), "1000kB");
        assert_eq!(human_size(12_345_678), "12.35MB");
        assert_eq!(go_g4(0.00001234), "1.234e-05");
    }

    #[test]
    fn caps_render_as_psgo() {
        assert_eq!(caps_string("000001ffffffffff"), "full");
        assert_eq!(caps_string("0000000000000000"), "none");
        assert_eq!(caps_string("0000000000000401"), "CHOWN,NET_BIND_SERVICE");
        assert_eq!(caps_string("zz"), "?");
    }

    #[test]
    fn ids_map_through_the_namespace_and_the_container_files() {
        let map = "         0       1000          1\n         1     100000      65536\n";
        assert_eq!(map_to_inside(1000, map), Some(0));
        assert_eq!(map_to_inside(100_005, map), Some(6));
        assert_eq!(map_to_inside(5, map), None);
        let passwd =
            "# comment\nroot:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n";
        assert_eq!(name_for(1000, Some(passwd)), "app");
        assert_eq!(name_for(7, Some(passwd)), "7");
        assert_eq!(name_for(0, None), "0");
    }

    #[test]
    fn descriptors_accept_commas_codes_and_reject_unknown() {
        let d = parse_descriptors(&["pid,%C".into(), " user ".into()]).unwrap();
        let names: Vec<_> = d.iter().map(|d| d.normal).collect();
        assert_eq!(names, ["pid", "pcpu", "user"]);
        assert_eq!(parse_descriptors(&[]).unwrap().len(), 8);
        let err = parse_descriptors(&["-eo".into()]).unwrap_err();
        assert!(matches!(&err, ProcsError::UnknownDescriptor(n) if n == "-eo"));
        let msg = err.to_string();
        assert!(
            msg.contains("args, capamb, capbnd") && msg.contains("vsz"),
            "{msg}"
        );
    }

    #[test]
    fn top_default_descriptors_on_our_children() {
        let kids = Kids(vec![spawn(&["sleep", "31"]), spawn(&["sleep", "32"])]);
        let pids: Vec<i32> = kids.0.iter().map(|c| c.id() as i32).collect();
        let uid = nix::unistd::geteuid().as_raw();
        let passwd = format!("tester:x:{uid}:{uid}::/:/bin/sh\n");
        let mut with_gone = pids.clone();
        with_gone.push(i32::MAX);
        let (header, rows) = top(&with_gone, &[], Some(&passwd), None).unwrap();
        assert_eq!(
            header,
            [
                "USER", "PID", "PPID", "%CPU", "ELAPSED", "TTY", "TIME", "COMMAND"
            ]
        );
        assert_eq!(rows.len(), 2);
        for (row, args) in rows.iter().zip(["sleep 31", "sleep 32"]) {
            assert_eq!(row[0], "tester");
            assert!(pids.contains(&row[1].parse().unwrap()));
            assert_eq!(row[2], own_pid().to_string());
            assert!(row[3].ends_with(|c: char| c.is_ascii_digit()) && row[3].contains('.'));
            assert!(row[4].ends_with('s'), "{}", row[4]);
            assert_eq!(row[6], "0s");
            assert_eq!(row[7], args);
        }
    }

    #[test]
    fn top_other_descriptors() {
        let kids = Kids(vec![spawn(&["sleep", "33"])]);
        let pid = kids.0[0].id() as i32;
        let d: Vec<String> = ["hpid,comm,state,seccomp,capbnd,rss,vsz,stime,huser,uid,pgid"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (header, rows) = top(&[pid], &d, None, None).unwrap();
        assert_eq!(header[0], "HPID");
        let row = &rows[0];
        assert_eq!(row[0], pid.to_string());
        assert_eq!(row[1], "sleep");
        assert!(["S", "R"].contains(&row[2].as_str()));
        assert!(["disabled", "strict", "filter"].contains(&row[3].as_str()));
        assert!(!row[4].is_empty());
        assert!(row[5].parse::<u64>().unwrap() > 0);
        assert!(row[6].parse::<u64>().unwrap() > 0);
        let stime = row[7].as_bytes();
        assert!(
            stime.len() >= 25 && stime[4] == b'-' && stime[13] == b':',
            "{}",
            row[7]
        );
        assert!(row[7][20..].starts_with(['+', '-']), "{}", row[7]);
        assert_eq!(row[9], nix::unistd::geteuid().as_raw().to_string());
    }

    #[test]
    fn ps_output_is_filtered_to_the_pids() {
        let text = "UID PID PPID C STIME TTY TIME CMD\nroot 1 0 0 10:00 ? 00:00:01 /sbin/init splash\nme 42 1 0 10:01 pts/0 00:00:00 sleep 10\n";
        assert_eq!(
            filter_ps_output(text, &[42]).unwrap(),
            "UID PID PPID C STIME TTY TIME CMD\nme 42 1 0 10:01 pts/0 00:00:00 sleep 10\n"
        );
        assert!(filter_ps_output("UID CMD\nroot init\n", &[1]).is_none());
    }

    #[test]
    fn ps_fallback_runs_the_host_ps() {
        let has_ps = Command::new("ps").arg("-p1").output().is_ok();
        if !require_or_skip("ps", "apt-get install procps", has_ps) {
            return;
        }
        let kids = Kids(vec![spawn(&["sleep", "34"])]);
        let pid = kids.0[0].id() as i32;
        let out = ps_fallback(&[pid], &[]).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "{out}");
        assert!(lines[0].contains("PID") && lines[1].contains("sleep 34"));
        let err = ps_fallback(&[pid], &["-eo".into(), "comm".into()]).unwrap_err();
        assert!(matches!(err, ProcsError::NoPidColumn { .. }), "{err}");
    }

    #[test]
    fn stats_sum_our_children() {
        let kids = Kids(vec![spawn(&["sleep", "35"]), spawn(&["sleep", "36"])]);
        let mut pids: Vec<i32> = kids.0.iter().map(|c| c.id() as i32).collect();
        pids.push(i32::MAX);
        let s = stats(&pids, Some(own_pid())).unwrap();
        assert_eq!(s.pids, 2);
        assert!(s.mem_bytes > 0 && s.mem_limit > s.mem_bytes);
        let me = stats(&[own_pid()], None).unwrap();
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
    fn stats_row_has_podmans_keys_and_formats() {
        let s = ProcStats {
            cpu_nanos: 1_500_000_000,
            mem_bytes: 1_045_000,
            mem_limit: 33_510_000_000,
            pids: 3,
            ..ProcStats::default()
        };
        let v = stats_row("0123456789abcdef", "web", &s, Duration::from_secs(100));
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "id",
                "name",
                "cpu_time",
                "cpu_percent",
                "avg_cpu",
                "mem_usage",
                "mem_percent",
                "net_io",
                "block_io",
                "pids"
            ]
        );
        assert_eq!(v["id"], "0123456789abcdef", "the caller decides the length");
        assert_eq!(v["cpu_time"], "1.5s");
        assert_eq!(v["cpu_percent"], "1.50%");
        assert_eq!(v["mem_usage"], "1.045MB / 33.51GB");
        assert_eq!(v["mem_percent"], "0.00%");
        assert_eq!(v["net_io"], "0B / 0B");
        assert_eq!(v["pids"], "3");
        let row = stats_table_row(&v);
        assert_eq!(row.len(), STATS_HEADERS.len());
        assert_eq!(row[2], "1.50%");
        assert_eq!(row[8], "1.5s");
        let zero = stats_row("x", "y", &ProcStats::default(), Duration::ZERO);
        assert_eq!(zero["cpu_percent"], "0.00%");
        assert_eq!(zero["mem_percent"], "0.00%");
    }

    #[test]
    fn freeze_and_thaw_a_process_tree() {
        // A shell with two children, one of which keeps forking, to check
        // the rescan catches processes born while others are being stopped.
        let kids = Kids(vec![spawn(&[
            "sh",
            "-c",
            "sleep 37 & (while :; do sleep 0.01; done) & wait",
        ])]);
        let root = kids.0[0].id() as i32;
        wait_for(|| tree(root).len() >= 3);
        freeze_with(&|| Ok(tree(root))).unwrap();
        let frozen = tree(root);
        assert!(frozen.len() >= 3);
        for &p in &frozen {
            assert!(state_of(p).is_none_or(is_still), "{p} not stopped");
        }
        // Nothing new appears while frozen.
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(tree(root), frozen);
        thaw_pids(&frozen).unwrap();
        wait_for(|| {
            frozen
                .iter()
                .all(|&p| state_of(p).is_none_or(|s| !matches!(s, 'T' | 't')))
        });
    }
}
