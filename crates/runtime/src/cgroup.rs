//! A container's own cgroup (v2), for freezing it, reading its usage and
//! enforcing its resource limits, when the invoking user has a cgroup
//! delegated to it (as a systemd user session gives).
//!
//! Contract: [`delegated`] returns a directory only when we can both create
//! a cgroup under it and move processes into that cgroup; everywhere else
//! (cgroup v1 only, no delegation, no write access) it returns `None` and
//! callers fall back to `procs` (signals and `/proc`). [`placement`] says
//! where containers' cgroups go (the parent of ours when it is ours and
//! holds no process, since the kernel gives controllers only below such a
//! cgroup; else ours), enables the controllers it can there, and says why
//! each one it cannot have is missing; where a controller is bound to a
//! v1 hierarchy (hybrid layouts) and our cgroup there is ours to write, it
//! names that directory, and [`CgroupV1`] limits in a container's cgroup
//! below it. Missing interface files (controllers not enabled, kernels
//! without `cgroup.freeze`) are reported as absent values or errors, never
//! as panics.

use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum CgroupError {
    #[error("creating cgroup {path}: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("opening cgroup {path}: {source}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("moving process {pid} into cgroup {path}: {source}")]
    Add {
        path: PathBuf,
        pid: i32,
        source: std::io::Error,
    },
    #[error("writing {path}: {source}: this kernel may not support the cgroup v2 freezer")]
    Freeze {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cgroup {path} did not become {state} within {}s", FREEZE_WAIT.as_secs())]
    FreezeTimeout { path: PathBuf, state: &'static str },
    #[error("setting {path} to {value}: {source}")]
    Limit {
        path: PathBuf,
        value: String,
        source: std::io::Error,
    },
    #[error("removing cgroup {path}: {source}")]
    Remove {
        path: PathBuf,
        source: std::io::Error,
    },
}

type Result<T, E = CgroupError> = std::result::Result<T, E>;

const FREEZE_WAIT: Duration = Duration::from_secs(2);
const POLL: Duration = Duration::from_millis(10);

/// Undoes mountinfo's octal escapes (`\040` for a space).
fn unescape(field: &str) -> String {
    let b = field.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let octal = b
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|c| (b'0'..=b'7').contains(c)));
        if b[i] == b'\\'
            && let Some(d) = octal
        {
            out.push(d.iter().fold(0u8, |v, c| v.wrapping_mul(8) + (c - b'0')));
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The `oom_kill` count of a `memory.events` text.
fn oom_kills_in(events: &str) -> u64 {
    events
        .lines()
        .find_map(|l| l.strip_prefix("oom_kill ")?.trim().parse().ok())
        .unwrap_or(0)
}

/// Our cgroup v2 directory from the texts of `/proc/self/mountinfo` and
/// `/proc/self/cgroup`.
fn cgroup_dir(mountinfo: &str, cgroup: &str) -> Option<PathBuf> {
    let rel = cgroup.lines().find_map(|l| l.strip_prefix("0::"))?;
    in_mount(mountinfo, rel, |fstype, _| fstype == "cgroup2")
}

/// Where cgroup path `rel` is, in the first mount whose filesystem type
/// and super options `wanted` accepts.
fn in_mount(mountinfo: &str, rel: &str, wanted: impl Fn(&str, &str) -> bool) -> Option<PathBuf> {
    mountinfo.lines().find_map(|l| {
        let (mount, fs) = l.split_once(" - ")?;
        let mut fsf = fs.split_whitespace();
        let fstype = fsf.next()?;
        if !wanted(fstype, fsf.nth(1).unwrap_or("")) {
            return None;
        }
        let f: Vec<&str> = mount.split_whitespace().collect();
        let (root, point) = (unescape(f.get(3)?), unescape(f.get(4)?));
        // A mount of a subtree (inside a container) shows our path
        // relative to the hierarchy's root, so strip the mounted part.
        let inner = if root == "/" {
            rel
        } else {
            rel.strip_prefix(root.as_str())?
        };
        let inner = inner.trim_start_matches('/');
        Some(if inner.is_empty() {
            PathBuf::from(point)
        } else {
            Path::new(&point).join(inner)
        })
    })
}

fn writable(path: &Path) -> bool {
    nix::unistd::access(path, nix::unistd::AccessFlags::W_OK).is_ok()
}

/// Our cgroup when we may create child cgroups in it and move our
/// processes into them: the directory must be ours and writable, and so
/// must its `cgroup.procs`, since moving a process needs write access to
/// the `cgroup.procs` of the common ancestor of its old and new cgroups.
pub fn delegated() -> Option<PathBuf> {
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    let cgroup = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    delegated_in(&mountinfo, &cgroup)
}

/// [`delegated`], from the texts of `/proc/self/mountinfo` and
/// `/proc/self/cgroup`.
fn delegated_in(mountinfo: &str, cgroup: &str) -> Option<PathBuf> {
    let dir = cgroup_dir(mountinfo, cgroup)?;
    let meta = std::fs::metadata(&dir).ok()?;
    let ours = std::os::unix::fs::MetadataExt::uid(&meta) == nix::unistd::geteuid().as_raw();
    (ours && writable(&dir) && writable(&dir.join("cgroup.procs"))).then_some(dir)
}

/// Usage as the cgroup counts it; `None` where the controller is not
/// enabled for this cgroup.
/// The controllers rsp gives containers where they are delegated.
const CONTROLLERS: [&str; 5] = ["cpu", "cpuset", "io", "memory", "pids"];

/// Where a container's cgroups go and what they can have.
#[derive(Debug, Clone, Default)]
pub struct Placement {
    /// The cgroup v2 directory containers' cgroups are made in: the
    /// parent of our own when it is ours and holds no process (the
    /// kernel gives controllers only below such a cgroup), else our own.
    pub parent: PathBuf,
    /// The controllers enabled for them.
    pub controllers: Vec<String>,
    /// Where controllers are bound to cgroup v1 hierarchies (a hybrid
    /// layout): the v1 cgroups that hold us and are ours to write, one per
    /// hierarchy, with the controllers (v2 names) rsp limits there.
    pub v1: Vec<(PathBuf, Vec<&'static str>)>,
    /// Why each controller rsp wants and does not have is missing.
    pub missing: Vec<(&'static str, String)>,
}

impl Placement {
    /// Whether `controller` can be limited (in v2, or in a v1 hierarchy).
    pub fn has(&self, controller: &str) -> bool {
        self.controllers.iter().any(|c| c == controller) || self.v1_dir(controller).is_some()
    }

    /// The v1 cgroup of ours that `controller` (a v2 name) is limited in.
    pub fn v1_dir(&self, controller: &str) -> Option<&Path> {
        self.v1
            .iter()
            .find(|(_, cs)| cs.contains(&controller))
            .map(|(d, _)| d.as_path())
    }

    /// Why `controller` cannot be limited.
    pub fn why_not(&self, controller: &str) -> String {
        self.missing
            .iter()
            .find(|(c, _)| *c == controller)
            .map(|(_, w)| w.clone())
            .unwrap_or_else(|| format!("the {controller} controller is not delegated to you"))
    }
}

/// cgroup v1's name for a controller rsp knows by its v2 name.
fn v1_name(controller: &str) -> &str {
    if controller == "io" {
        "blkio"
    } else {
        controller
    }
}

/// The v1 weight file of a blkio cgroup: CFQ's, else BFQ's; none where
/// the I/O scheduler weighs nothing (mq-deadline, kyber, none).
fn blkio_weight_file(dir: &Path) -> Option<&'static str> {
    ["blkio.weight", "blkio.bfq.weight"]
        .into_iter()
        .find(|f| dir.join(f).exists())
}

/// The v1 hierarchy (its mount point and our path in it) that holds
/// `controller` (its v1 name), where it is bound to cgroup v1.
fn v1_dir(mountinfo: &str, cgroup: &str, controller: &str) -> Option<PathBuf> {
    let rel = cgroup.lines().find_map(|l| {
        let mut f = l.splitn(3, ':');
        let (id, subs, path) = (f.next()?, f.next()?, f.next()?);
        (id != "0" && subs.split(',').any(|s| s == controller)).then_some(path)
    })?;
    in_mount(mountinfo, rel, |fstype, opts| {
        fstype == "cgroup" && opts.split(',').any(|o| o == controller)
    })
}

fn ours(dir: &Path) -> bool {
    std::fs::metadata(dir)
        .is_ok_and(|m| std::os::unix::fs::MetadataExt::uid(&m) == nix::unistd::geteuid().as_raw())
        && writable(dir)
}

fn holds_processes(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("cgroup.procs")).map_or(true, |p| !p.trim().is_empty())
}

/// Where containers' cgroups go, with the controllers rsp can enable
/// there (enabling them: writing the parent's `cgroup.subtree_control`).
/// Err: why there is no delegated cgroup at all.
pub fn placement() -> Result<Placement, String> {
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let cgroup = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    let Some(own) = delegated_in(&mountinfo, &cgroup) else {
        let mounted = mountinfo.lines().any(|l| {
            l.split_once(" - ")
                .is_some_and(|(_, fs)| fs.starts_with("cgroup2 "))
        });
        return Err(match cgroup_dir(&mountinfo, &cgroup) {
            None if !mounted => "cgroup v2 is not mounted here".to_string(),
            None => "your cgroup is outside the cgroup v2 mount rsp sees (a cgroup namespace?)"
                .to_string(),
            Some(d) => format!("your cgroup {} is not yours to write", d.display()),
        });
    };
    let parent = own
        .parent()
        .filter(|p| ours(p) && !holds_processes(p) && p.join("cgroup.procs").exists())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| own.clone());
    let available: Vec<String> = std::fs::read_to_string(parent.join("cgroup.controllers"))
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let read_enabled = || -> Vec<String> {
        std::fs::read_to_string(parent.join("cgroup.subtree_control"))
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    let mut enabled = read_enabled();
    let wanted: Vec<&str> = CONTROLLERS
        .iter()
        .copied()
        .filter(|c| available.iter().any(|a| a == c) && !enabled.iter().any(|e| e == c))
        .collect();
    if !wanted.is_empty() {
        let line: Vec<String> = wanted.iter().map(|c| format!("+{c}")).collect();
        let _ = std::fs::write(parent.join("cgroup.subtree_control"), line.join(" "));
        enabled = read_enabled();
    }
    let mut p = Placement {
        parent: parent.clone(),
        controllers: enabled
            .into_iter()
            .filter(|c| CONTROLLERS.contains(&c.as_str()))
            .collect(),
        ..Placement::default()
    };
    for c in CONTROLLERS {
        if p.controllers.iter().any(|e| e == c) {
            continue;
        }
        let v1 = v1_dir(&mountinfo, &cgroup, v1_name(c));
        let usable = v1.as_ref().filter(|d| ours(d));
        if let Some(d) = usable
            && (c != "io" || blkio_weight_file(d).is_some())
        {
            match p.v1.iter_mut().find(|(e, _)| e == d) {
                Some((_, cs)) => cs.push(c),
                None => p.v1.push((d.clone(), vec![c])),
            }
            continue;
        }
        let why = if let Some(d) = usable {
            format!(
                "the blkio controller is bound to cgroup v1 here (a hybrid layout) and the I/O scheduler of {} weighs nothing (no blkio.weight or blkio.bfq.weight: it needs the BFQ scheduler)",
                d.display()
            )
        } else if let Some(d) = v1 {
            format!(
                "the {} controller is bound to cgroup v1 here (a hybrid layout) and your v1 cgroup {} is not yours to write",
                v1_name(c),
                d.display()
            )
        } else if !available.iter().any(|a| a == c) {
            format!(
                "the {c} controller is not delegated to {}",
                parent.display()
            )
        } else {
            format!(
                "{} holds processes, and the kernel gives controllers only below a cgroup that holds none",
                parent.display()
            )
        };
        p.missing.push((c, why));
    }
    Ok(p)
}

/// A container's cgroup in one cgroup v1 hierarchy (hybrid layouts), for
/// the limits of the controllers bound there. Which those are it reads
/// from the interface files the directory has, so a path kept in the
/// container's state is all it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CgroupV1 {
    path: PathBuf,
}

impl CgroupV1 {
    /// `parent/name`, made or reused. A new cpuset cgroup starts with no
    /// CPUs and no memory nodes, and v1 refuses processes into it: it
    /// gets its parent's.
    pub fn create(parent: &Path, name: &str) -> Result<CgroupV1> {
        let path = make_dir(parent, name)?;
        for f in ["cpuset.cpus", "cpuset.mems"] {
            let own = std::fs::read_to_string(path.join(f));
            if own.is_ok_and(|v| v.trim().is_empty()) {
                let from = std::fs::read_to_string(parent.join(f)).unwrap_or_default();
                write_files(&path, &[(f, from.trim().to_string())])?;
            }
        }
        Ok(CgroupV1 { path })
    }

    /// One recorded in a container's state, if it is still there.
    pub fn open(path: &Path) -> Option<CgroupV1> {
        (!path.as_os_str().is_empty() && path.join("cgroup.procs").exists()).then(|| CgroupV1 {
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The controllers (v2 names) this hierarchy carries, but io (see
    /// [`blkio_weight_file`]).
    fn controllers(&self) -> Vec<&'static str> {
        [
            ("memory", "memory.limit_in_bytes"),
            ("cpu", "cpu.shares"),
            ("cpuset", "cpuset.cpus"),
            ("pids", "pids.max"),
        ]
        .into_iter()
        .filter(|(_, f)| self.path.join(f).exists())
        .map(|(c, _)| c)
        .collect()
    }

    pub fn apply(&self, limits: &crate::limits::Limits) -> Result<()> {
        let memsw = self.path.join("memory.memsw.limit_in_bytes").exists();
        let mut files = limits.v1_files(&self.controllers(), memsw, blkio_weight_file(&self.path));
        // v1 refuses a memory limit above memsw's, and memsw below the
        // memory limit: lift memsw first, set the rest, then memsw.
        if memsw {
            let _ = std::fs::write(self.path.join("memory.memsw.limit_in_bytes"), "-1");
            if let Some(i) = files
                .iter()
                .position(|(f, _)| *f == "memory.memsw.limit_in_bytes")
            {
                let last = files.remove(i);
                files.push(last);
            }
        }
        write_files(&self.path, &files)
    }

    pub fn add(&self, pid: i32) -> Result<()> {
        add_to(&self.path, pid)
    }

    /// The OOM kills in it (0 outside the memory hierarchy).
    pub fn oom_kills(&self) -> u64 {
        std::fs::read_to_string(self.path.join("memory.oom_control"))
            .map(|s| oom_kills_in(&s))
            .unwrap_or(0)
    }

    pub fn remove(&self) -> Result<()> {
        remove_dir_waiting(&self.path)
    }
}

/// `parent/name`, made or reused: one left by a monitor that was killed
/// is empty now.
fn make_dir(parent: &Path, name: &str) -> Result<PathBuf> {
    let path = parent.join(name);
    match std::fs::create_dir(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        r => r.map_err(|source| CgroupError::Create {
            path: path.clone(),
            source,
        })?,
    }
    Ok(path)
}

fn write_files(dir: &Path, files: &[(&'static str, String)]) -> Result<()> {
    for (f, v) in files {
        let path = dir.join(f);
        std::fs::write(&path, v).map_err(|source| CgroupError::Limit {
            path: path.clone(),
            value: v.clone(),
            source,
        })?;
    }
    Ok(())
}

fn add_to(dir: &Path, pid: i32) -> Result<()> {
    let procs = dir.join("cgroup.procs");
    match std::fs::write(&procs, pid.to_string()) {
        Err(e) if e.raw_os_error() == Some(libc::ESRCH) => Ok(()),
        r => r.map_err(|source| CgroupError::Add {
            path: procs,
            pid,
            source,
        }),
    }
}

fn remove_dir_waiting(path: &Path) -> Result<()> {
    let rounds = FREEZE_WAIT.as_millis() / POLL.as_millis();
    let mut last = None;
    for _ in 0..rounds {
        match std::fs::remove_dir(path) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) if e.raw_os_error() == Some(libc::EBUSY) => {
                last = Some(e);
                std::thread::sleep(POLL);
            }
            Err(source) => {
                return Err(CgroupError::Remove {
                    path: path.to_path_buf(),
                    source,
                });
            }
        }
    }
    Err(CgroupError::Remove {
        path: path.to_path_buf(),
        source: last.unwrap_or_else(|| std::io::Error::from_raw_os_error(libc::EBUSY)),
    })
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CgroupStats {
    pub cpu_nanos: Option<u64>,
    pub mem_bytes: Option<u64>,
    /// `None` also when memory.max is `max` (no limit).
    pub mem_limit: Option<u64>,
    pub pids: u64,
}

/// One cgroup v2 directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cgroup {
    path: PathBuf,
}

impl Cgroup {
    /// Makes `parent/name`, first enabling in `parent` whichever of the
    /// cpu, memory, pids and io controllers it offers, best effort: the
    /// kernel refuses while `parent` itself holds processes, and then the
    /// new cgroup still works for freezing and CPU time.
    /// `parent/name` (a [`Placement`]'s parent, whose controllers it
    /// has enabled), made or reused.
    pub fn create(parent: &Path, name: &str) -> Result<Cgroup> {
        Ok(Cgroup {
            path: make_dir(parent, name)?,
        })
    }

    /// An existing cgroup, such as one recorded in a container's state.
    pub fn open(path: &Path) -> Result<Cgroup> {
        std::fs::metadata(path.join("cgroup.procs")).map_err(|source| CgroupError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Cgroup {
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Moves a process (with all its threads) into this cgroup; children
    /// it forks later are born here. A process that has already exited
    /// needs no moving, so that is not an error.
    pub fn add(&self, pid: i32) -> Result<()> {
        add_to(&self.path, pid)
    }

    /// Writes `limits` for the `controllers` enabled for it.
    pub fn apply(&self, limits: &crate::limits::Limits, controllers: &[String]) -> Result<()> {
        write_files(&self.path, &limits.v2_files(controllers))
    }

    fn events_frozen(&self) -> Option<bool> {
        let events = std::fs::read_to_string(self.path.join("cgroup.events")).ok()?;
        events
            .lines()
            .find_map(|l| l.strip_prefix("frozen "))
            .map(|v| v.trim() == "1")
    }

    /// Freezes or thaws every process in the cgroup, returning once the
    /// kernel reports it done: writing `cgroup.freeze` only starts it.
    pub fn freeze(&self, frozen: bool) -> Result<()> {
        let file = self.path.join("cgroup.freeze");
        std::fs::write(&file, if frozen { "1" } else { "0" }).map_err(|source| {
            CgroupError::Freeze {
                path: file.clone(),
                source,
            }
        })?;
        let rounds = FREEZE_WAIT.as_millis() / POLL.as_millis();
        for _ in 0..rounds {
            if self.events_frozen() == Some(frozen) {
                return Ok(());
            }
            std::thread::sleep(POLL);
        }
        Err(CgroupError::FreezeTimeout {
            path: self.path.clone(),
            state: if frozen { "frozen" } else { "thawed" },
        })
    }

    /// Usage now, or `None` when the cgroup is gone.
    pub fn stats(&self) -> Option<CgroupStats> {
        let procs = std::fs::read_to_string(self.path.join("cgroup.procs")).ok()?;
        let read = |f: &str| std::fs::read_to_string(self.path.join(f)).ok();
        let number = |f: &str| read(f).and_then(|s| s.trim().parse::<u64>().ok());
        let cpu_nanos = read("cpu.stat").and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("usage_usec ")?.trim().parse::<u64>().ok())
                .map(|us| us.saturating_mul(1000))
        });
        Some(CgroupStats {
            cpu_nanos,
            mem_bytes: number("memory.current"),
            mem_limit: number("memory.max"),
            pids: number("pids.current").unwrap_or_else(|| procs.lines().count() as u64),
        })
    }

    /// How many processes of this cgroup (and its children) the kernel's
    /// OOM killer killed: `oom_kill` in `memory.events`; 0 where the
    /// memory controller is not enabled for it (no such file).
    pub fn oom_kills(&self) -> u64 {
        std::fs::read_to_string(self.path.join("memory.events"))
            .map(|s| oom_kills_in(&s))
            .unwrap_or(0)
    }

    /// Host pids of the processes in this cgroup (not in its children).
    pub fn pids(&self) -> Vec<i32> {
        std::fs::read_to_string(self.path.join("cgroup.procs"))
            .map(|s| s.lines().filter_map(|l| l.trim().parse().ok()).collect())
            .unwrap_or_default()
    }

    /// Deletes the cgroup once it is empty. Processes killed just before
    /// may still hold it briefly (EBUSY), so this retries for a while; a
    /// cgroup already gone counts as removed.
    pub fn remove(&self) -> Result<()> {
        remove_dir_waiting(&self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsp_base::testing::require_or_skip;

    #[test]
    fn oom_kill_count() {
        let events = "low 0\nhigh 0\nmax 4\noom 2\noom_kill 1\noom_group_kill 0\n";
        assert_eq!(oom_kills_in(events), 1);
        assert_eq!(oom_kills_in("low 0\noom 0\n"), 0);
        assert_eq!(oom_kills_in(""), 0);
        // Not a prefix match on oom_group_kill.
        assert_eq!(oom_kills_in("oom_group_kill 3\n"), 0);
    }

    const MOUNTINFO: &str = "\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
";

    #[test]
    fn finds_our_v1_memory_cgroup_in_a_hybrid_layout() {
        let mi = "33 31 0:30 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n\
                  32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n\
                  41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
        let cg = "4:memory:/api/x\n1:cpu:/\n0::/u\n";
        assert_eq!(
            v1_dir(mi, cg, "memory"),
            Some(PathBuf::from("/sys/fs/cgroup/memory/api/x"))
        );
        assert_eq!(
            v1_dir(mi, cg, "cpu"),
            Some(PathBuf::from("/sys/fs/cgroup/cpu"))
        );
        assert_eq!(v1_dir(mi, cg, "pids"), None);
        assert_eq!(
            cgroup_dir(mi, cg),
            Some(PathBuf::from("/sys/fs/cgroup/unified/u"))
        );
    }

    #[test]
    fn finds_our_directory_in_hybrid_and_unified_layouts() {
        let cg = "9:name=systemd:/user.slice\n0::/user.slice/user-1000.slice/session-3.scope\n";
        assert_eq!(
            cgroup_dir(MOUNTINFO, cg),
            Some(PathBuf::from(
                "/sys/fs/cgroup/unified/user.slice/user-1000.slice/session-3.scope"
            ))
        );
        assert_eq!(
            cgroup_dir(MOUNTINFO, "0::/\n"),
            Some(PathBuf::from("/sys/fs/cgroup/unified"))
        );
        let unified = "25 1 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n";
        assert_eq!(
            cgroup_dir(unified, "0::/a\n"),
            Some(PathBuf::from("/sys/fs/cgroup/a"))
        );
        // cgroup v1 only: no unified hierarchy line, or no mount of it.
        assert_eq!(cgroup_dir(MOUNTINFO, "4:memory:/x\n"), None);
        assert_eq!(
            cgroup_dir("31 23 0:28 / /x rw - tmpfs tmpfs rw\n", "0::/\n"),
            None
        );
    }

    #[test]
    fn handles_subtree_mounts_and_escapes() {
        let m = "25 1 0:22 /user.slice /sys/fs/cgroup\\040x rw - cgroup2 cgroup2 rw\n";
        assert_eq!(
            cgroup_dir(m, "0::/user.slice/app\n"),
            Some(PathBuf::from("/sys/fs/cgroup x/app"))
        );
        assert_eq!(unescape("a\\134b"), "a\\b");
        assert_eq!(unescape("end\\"), "end\\");
    }

    #[test]
    fn open_fails_outside_a_cgroup() {
        let err = Cgroup::open(Path::new("/proc/self")).unwrap_err();
        assert!(matches!(err, CgroupError::Open { .. }), "{err}");
        assert!(err.to_string().contains("/proc/self"));
    }

    /// Where cgroup v2 is not mounted at all (v1 only) there is nothing to
    /// delegate, and `.ci/run` says so; where it is, CI sets up a delegated
    /// cgroup for its test user and this test must exercise it.
    #[test]
    fn delegated_cgroup_freezes_counts_and_removes() {
        let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
        let Some(ours) = cgroup_dir(&read("/proc/self/mountinfo"), &read("/proc/self/cgroup"))
        else {
            eprintln!("skipped: no cgroup v2 mounted (cgroup v1 only)");
            return;
        };
        let Some(parent) = delegated() else {
            require_or_skip(
                &format!(
                    "delegated cgroup v2 ({} is not ours to write)",
                    ours.display()
                ),
                "a systemd user session delegates one; .ci/run makes one for its test user",
                false,
            );
            return;
        };
        let name = format!("rsp-unit-test-{}", std::process::id());
        let cg = Cgroup::create(&parent, &name).unwrap();
        assert_eq!(Cgroup::open(cg.path()).unwrap(), cg);
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let pid = child.id() as i32;
        let result = std::panic::catch_unwind(|| {
            cg.add(pid).unwrap();
            assert_eq!(cg.pids(), [pid]);
            cg.add(i32::MAX).unwrap();
            let s = cg.stats().unwrap();
            assert_eq!(s.pids, 1);
            match cg.freeze(true) {
                Err(e @ CgroupError::Freeze { .. }) => {
                    require_or_skip(
                        "cgroup v2 freezer",
                        &format!("{e}; Linux 5.2 and later have it"),
                        false,
                    );
                }
                r => {
                    r.unwrap();
                    cg.freeze(false).unwrap();
                }
            }
        });
        let _ = child.kill();
        let _ = child.wait();
        cg.remove().unwrap();
        assert!(!cg.path().exists());
        cg.remove().unwrap();
        if let Err(e) = result {
            std::panic::resume_unwind(e);
        }
    }
}
