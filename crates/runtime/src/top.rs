//! `rsp top`: a running container's processes in Podman's (psgo's)
//! AIX-format descriptors, or in the host `ps` filtered to the container
//! as Docker does.
//!
//! Contract: the rows are what psgo (inside libpod) gives Podman: cells
//! already in psgo's text forms, which `podman top` prints as they are.
//! Pids shown as `pid`, `ppid` and `pgid` are the container's own; ids
//! shown as `user` and `group` are the container's, named through the
//! container's `/etc/passwd` and `/etc/group`. Processes that exit while
//! we look are skipped.

use super::procs::{self, Proc, ProcsError, Status, proc_path};
use rsp_base::timespec::go_duration;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Debug, thiserror::Error)]
pub enum TopError {
    #[error(transparent)]
    Procs(#[from] ProcsError),
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
}

type Result<T, E = TopError> = std::result::Result<T, E>;

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
                .ok_or_else(|| TopError::UnknownDescriptor(n.to_string()))
        })
        .collect()
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
            "etime" => go_duration(self.elapsed(p)),
            "time" => go_duration(Duration::from_secs(self.cpu_secs(p))),
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
/// with [`TopError::UnknownDescriptor`]; Podman then runs `ps` instead
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
        clk_tck: procs::clock_ticks()?,
        btime: procs::boot_time()?,
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
        .map_err(|source| TopError::RunPs {
            path: path.clone(),
            source,
        })?;
    if !out.status.success() {
        return Err(TopError::PsFailed {
            path,
            args: args.join(" "),
            status: out.status,
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    filter_ps_output(&String::from_utf8_lossy(&out.stdout), pids).ok_or_else(|| {
        TopError::NoPidColumn {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::procs::tests::{Kids, own_pid, spawn};
    use std::process::Command;

    #[test]
    fn tty_names_from_device_numbers() {
        assert_eq!(tty_name(34816), "pts/0");
        assert_eq!(tty_name(0), "?");
        assert_eq!(tty_name(4 << 8 | 1), "tty1");
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
        assert!(matches!(&err, TopError::UnknownDescriptor(n) if n == "-eo"));
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
        if !rsp_base::testing::require_or_skip("ps", "apt-get install procps", has_ps) {
            return;
        }
        let kids = Kids(vec![spawn(&["sleep", "34"])]);
        let pid = kids.0[0].id() as i32;
        let out = ps_fallback(&[pid], &[]).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "{out}");
        assert!(lines[0].contains("PID") && lines[1].contains("sleep 34"));
        let err = ps_fallback(&[pid], &["-eo".into(), "comm".into()]).unwrap_err();
        assert!(matches!(err, TopError::NoPidColumn { .. }), "{err}");
    }
}
