//! Ownership and id emulation (`--owners image`): the image's owners and
//! modes, recorded in the [`OVERRIDE_STAT_XATTR`] xattr, shown to the
//! container and kept up to date by its `chown` and `chmod`; and each
//! thread's own user and group ids, changed by `setuid` and the rest, read
//! by `getuid` and the rest, raised by setuid files, and given to the
//! files it creates; though the container's user namespace maps one id.
//!
//! Contract: the container's command (and every `rsp exec` process) runs
//! under a seccomp filter (`rsp_sys::seccomp`, the numbers of the
//! architecture rsp is built for) that hands those calls to one
//! supervisor per container run: rsp re-executed with [`ARG`], started by
//! the monitor. The supervisor opens the host `/proc` first, makes itself
//! non-dumpable, then joins the container's user and mount namespaces, so
//! its stat results come back in the container's id view and its
//! privileges are exactly those of container root. For each call it
//! resolves the path as the caller would (absolute paths with
//! RESOLVE_IN_ROOT from the caller's root; relative ones from its cwd or
//! dirfd after a chroot into its root; never through magic links), and
//! checks that the notification is still live after reading the caller's
//! memory and opening its `/proc` entries. Anything it cannot resolve or
//! does not own is handed back to the kernel unchanged (CONTINUE), so the
//! caller gets the kernel's own errno.
//!
//! - stat: without the xattr, the kernel answers; with it, the owner,
//!   permission bits (and a device placeholder's type and numbers) are
//!   patched into the kernel's answer.
//! - chown (emulated root with CAP_CHOWN, or the recorded owner giving its
//!   group to one of its groups): `-1` keeps an id; the result is
//!   recorded in the xattr (removed once it says nothing more than the
//!   inode), setuid/setgid cleared on non-directories as the kernel does.
//!   Symlinks and special files cannot carry the xattr: the call succeeds
//!   without recording.
//! - chmod of a file with a record (by its recorded owner or emulated root
//!   with CAP_FOWNER): done by the supervisor, then recorded.
//! - ids: each thread's [`Creds`] follow the kernel's rules ([`ids`]); the
//!   [`Table`] keeps them per thread, keyed by `/proc` handles so a reused
//!   id never inherits a dead thread's. The id calls never reach the
//!   kernel (its answer would be the one mapped id).
//! - execve of a file whose (recorded) mode is setuid or setgid raises the
//!   effective ids, once `/proc/PID/exe` shows the process runs it.
//! - open(O_CREAT), mkdir and mknod (regular files) by a thread whose fs
//!   ids are not the mapped ones: the supervisor creates the inode itself
//!   with the thread's umask, records the thread as its owner, and hands
//!   an opened file over with SECCOMP_IOCTL_NOTIF_ADDFD. Symlinks, fifos
//!   and sockets cannot carry the record and stay the kernel's.
//!
//! Not emulated: the ids in `/proc/PID/status`, permission checks between
//! emulated users (a thread that dropped to uid 33 can still open
//! root's 0600 files: the kernel sees container root), signal permission,
//! `SO_PEERCRED`, `PR_SET_KEEPCAPS` and file capabilities.
//!
//! The supervisor serves more listeners handed over on a control socket
//! (`owners` in the container's runtime directory, for `rsp exec`, each
//! with the credentials its command starts with), and exits once every
//! listener is closed: the container is gone.

use crate::ids::{self, Creds, KEEP};
use nix::fcntl::{OFlag, OpenHow, ResolveFlag};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use rsp_storage::layer::{OVERRIDE_STAT_XATTR, OverrideStat};
use rsp_sys::seccomp::{self, Notif, Reply, nr};
use std::collections::HashMap;
use std::ffi::OsString;
use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// argv[1] that makes rsp an ownership supervisor.
pub const ARG: &str = "__owners";
/// The control socket's name in the container's runtime directory.
pub const CONTROL: &str = "owners";

const CAP_CHOWN: u32 = 0;
const CAP_DAC_OVERRIDE: u32 = 1;
const CAP_FOWNER: u32 = 3;
const CAP_SETGID: u32 = 6;
const CAP_SETUID: u32 = 7;

#[derive(Debug, thiserror::Error)]
pub enum OwnershipError {
    #[error("installing the ownership filter: {0}")]
    Install(std::io::Error),
    #[error("handing the ownership filter to the supervisor: {0}")]
    HandOver(std::io::Error),
    #[error("the container's ownership supervisor did not take the filter")]
    NoAck,
    #[error("starting the ownership supervisor: {0}")]
    Spawn(std::io::Error),
    #[error("ownership supervisor: {what}: {source}")]
    Setup {
        what: &'static str,
        source: std::io::Error,
    },
}

// ---- the record ----

/// The file type to show for an inode of `st_mode` with the record `r`: a
/// device placeholder's, else the inode's own.
fn file_type(r: &OverrideStat, st_mode: u32) -> u32 {
    match r.device() {
        Some(d) if d.block => libc::S_IFBLK,
        Some(_) => libc::S_IFCHR,
        None => st_mode & libc::S_IFMT,
    }
}

/// The kernel's stat with the record applied.
pub fn patch_stat(st: &mut libc::stat, r: &OverrideStat) {
    st.st_uid = r.uid;
    st.st_gid = r.gid;
    st.st_mode = file_type(r, st.st_mode) | r.mode;
    if let Some(d) = r.device() {
        st.st_rdev = libc::makedev(d.major, d.minor);
    }
}

/// The kernel's statx with the record applied.
pub fn patch_statx(sx: &mut libc::statx, r: &OverrideStat) {
    sx.stx_uid = r.uid;
    sx.stx_gid = r.gid;
    sx.stx_mode = (file_type(r, sx.stx_mode as u32) | r.mode) as u16;
    if let Some(d) = r.device() {
        sx.stx_rdev_major = d.major;
        sx.stx_rdev_minor = d.minor;
    }
}

/// Whether `r` says nothing beyond the inode the kernel shows as `st`,
/// so the record can go. On rsp's FUSE overlay (`fuse`) the mode shown is
/// the record's own: the record is implied only where the mode the server
/// keeps on disk is that mode (no set-id or sticky bit, nothing below its
/// floor).
fn implied(r: &OverrideStat, st: &libc::stat, fuse: bool) -> bool {
    let dir = st.st_mode & libc::S_IFMT == libc::S_IFDIR;
    r.is_implied_by(st.st_uid, st.st_gid, st.st_mode)
        && !(fuse && rsp_storage::layer::fuse_disk_mode(dir, r.mode) != r.mode & 0o7777)
}

/// What `chown(uid, gid)` makes of a regular file or directory that the
/// kernel shows as `st` and that has `cur` recorded; `None` when the
/// result says nothing beyond the inode (the record goes; see
/// [`implied`] for `fuse`).
pub fn chown_record(
    st: &libc::stat,
    cur: Option<OverrideStat>,
    uid: u32,
    gid: u32,
    fuse: bool,
) -> Option<OverrideStat> {
    let cur = cur.unwrap_or(OverrideStat::new(st.st_uid, st.st_gid, st.st_mode));
    let mut r = cur;
    if uid != u32::MAX {
        r.uid = uid;
    }
    if gid != u32::MAX {
        r.gid = gid;
    }
    if st.st_mode & libc::S_IFMT != libc::S_IFDIR && (uid != u32::MAX || gid != u32::MAX) {
        r.mode &= !libc::S_ISUID;
        if r.mode & libc::S_IXGRP != 0 {
            r.mode &= !libc::S_ISGID;
        }
    }
    (!implied(&r, st, fuse)).then_some(r)
}

// ---- starting it ----

/// The filter a container's processes run under: the ownership calls and
/// the id calls.
pub fn filter_program() -> Vec<libc::sock_filter> {
    let mut traps = seccomp::owner_traps();
    traps.extend(seccomp::id_traps());
    seccomp::program(&traps)
}

/// The credentials a process tree starts with, as the supervisor's
/// arguments and `rsp exec`'s control message carry them:
/// `UID:GID:G1,G2,...`.
pub fn creds_arg(c: &Creds) -> String {
    let groups: Vec<String> = c.groups.iter().map(u32::to_string).collect();
    format!("{}:{}:{}", c.uid[0], c.gid[0], groups.join(","))
}

/// Reads [`creds_arg`]'s text.
pub fn parse_creds_arg(s: &str) -> Option<Creds> {
    let mut it = s.splitn(3, ':');
    let uid = it.next()?.parse().ok()?;
    let gid = it.next()?.parse().ok()?;
    let groups = match it.next()? {
        "" => Vec::new(),
        g => g
            .split(',')
            .map(|x| x.parse().ok())
            .collect::<Option<Vec<u32>>>()?,
    };
    Some(Creds::new(uid, gid, &groups))
}

/// Starts the supervisor for a container run, as soon as its namespaces
/// exist: it gets its command's filter's listener on `source` (see
/// [`hand_over`]; closed without one, the supervisor ends), the
/// namespaces of its pid 1, `run_dir` for the control socket, the one
/// uid/gid its user namespace maps, and the credentials its command
/// starts with.
pub fn spawn(
    source: OwnedFd,
    userns: OwnedFd,
    mntns: OwnedFd,
    run_dir: &Path,
    ids: (u32, u32),
    user: &Creds,
) -> Result<std::process::Child, OwnershipError> {
    use std::os::unix::process::CommandExt;
    // Nothing else of the monitor's may live on in the supervisor (the
    // starter's status pipe would never see its end).
    rsp_sys::cloexec_from(3).map_err(OwnershipError::Spawn)?;
    let inherit = |fd: &OwnedFd| {
        nix::fcntl::fcntl(
            fd,
            nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::empty()),
        )
        .map_err(|e| OwnershipError::Spawn(e.into()))
    };
    inherit(&source)?;
    inherit(&userns)?;
    inherit(&mntns)?;
    // From the write-protected image (the monitor's own) and with none of
    // the monitor's environment: it joins the container's namespaces.
    let exe = rsp_sys::exe::self_path().map_err(OwnershipError::Spawn)?;
    let child = std::process::Command::new(exe)
        .env_clear()
        .arg0("rsp")
        .arg(ARG)
        .arg(source.as_raw_fd().to_string())
        .arg(userns.as_raw_fd().to_string())
        .arg(mntns.as_raw_fd().to_string())
        .arg(run_dir)
        .arg(ids.0.to_string())
        .arg(ids.1.to_string())
        .arg(creds_arg(user))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .map_err(OwnershipError::Spawn);
    // Ours are closed here: the supervisor holds the only copies.
    drop((source, userns, mntns));
    child
}

/// Gives the supervisor started with [`spawn`] its listener, on the other
/// end of its `source`.
pub fn hand_over(sock: &OwnedFd, listener: &OwnedFd) -> Result<(), OwnershipError> {
    rsp_sys::send_fd(sock.as_fd(), listener.as_fd()).map_err(OwnershipError::HandOver)
}

/// For `rsp exec`: a connection to the container's supervisor, when it
/// has one, told the credentials the exec'd command starts with.
pub fn connect(run_dir: &Path, user: &Creds) -> Option<UnixStream> {
    let mut c = with_dir(run_dir, |p| UnixStream::connect(p.join(CONTROL))).ok()?;
    c.write_all(format!("C {}\n", creds_arg(user)).as_bytes())
        .ok()?;
    Some(c)
}

/// Runs `f` with a short path to `dir` (socket paths are limited to 108
/// bytes): `/proc/self/fd/N`.
fn with_dir<T>(dir: &Path, f: impl FnOnce(&Path) -> std::io::Result<T>) -> std::io::Result<T> {
    let d = nix::fcntl::open(
        dir,
        OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        nix::sys::stat::Mode::empty(),
    )?;
    f(&PathBuf::from(format!("/proc/self/fd/{}", d.as_raw_fd())))
}

// ---- the supervisor ----

/// Entry point: `rsp __owners SOURCE_FD USERNS_FD MNTNS_FD RUN_DIR UID
/// GID CREDS`. Returns when the container is gone; the caller reports an
/// error.
pub fn main(args: &[OsString]) -> Result<(), OwnershipError> {
    serve(args)
}

fn setup(what: &'static str) -> impl Fn(nix::Error) -> OwnershipError {
    move |e| OwnershipError::Setup {
        what,
        source: e.into(),
    }
}

/// A listener and the credentials its process tree started with.
struct Listener {
    fd: OwnedFd,
    start: Rc<Creds>,
}

fn serve(args: &[OsString]) -> Result<(), OwnershipError> {
    let _ = nix::sys::prctl::set_name(c"rsp-owners");
    let bad = || OwnershipError::Setup {
        what: "arguments",
        source: std::io::Error::from_raw_os_error(libc::EINVAL),
    };
    let num = |i: usize| -> Result<u32, OwnershipError> {
        args.get(i)
            .and_then(|a| a.to_str())
            .and_then(|s| s.parse().ok())
            .ok_or_else(bad)
    };
    let fd = |i: usize| {
        num(i)
            .ok()
            .and_then(|n| rsp_sys::inherited_fd(n as i32))
            .ok_or_else(bad)
    };
    let source = fd(0)?;
    let userns = fd(1)?;
    let mntns = fd(2)?;
    let run_dir = PathBuf::from(args.get(3).ok_or_else(bad)?);
    let ids = (num(4)?, num(5)?);
    let start = args
        .get(6)
        .and_then(|a| a.to_str())
        .and_then(parse_creds_arg)
        .ok_or_else(bad)?;
    seccomp::check_sizes().map_err(|source| OwnershipError::Setup {
        what: "seccomp notification sizes",
        source,
    })?;
    let open_dir = |p: &str| {
        nix::fcntl::open(
            p,
            OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            nix::sys::stat::Mode::empty(),
        )
    };
    let proc = open_dir("/proc").map_err(setup("opening /proc"))?;
    let self_fd = open_dir("/proc/self/fd").map_err(setup("opening /proc/self/fd"))?;
    let control = with_dir(&run_dir, |d| {
        let p = d.join(CONTROL);
        let _ = std::fs::remove_file(&p);
        UnixListener::bind(p)
    })
    .map_err(|source| OwnershipError::Setup {
        what: "binding the control socket",
        source,
    })?;
    control
        .set_nonblocking(true)
        .map_err(|source| OwnershipError::Setup {
            what: "control socket",
            source,
        })?;
    // One descriptor per thread we know: as many as the limit allows.
    if let Ok((_, hard)) =
        nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE)
    {
        let _ =
            nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE, hard, hard);
    }
    // We create inodes for the container's processes with their umask,
    // applied by us.
    nix::sys::stat::umask(nix::sys::stat::Mode::empty());
    // Start-up ran most of rsp, the loop runs little of it (and once in
    // the container's mount namespace, our /proc/self is not reachable).
    let _ = rsp_sys::release_code_pages();
    // Nobody may ptrace us for the host handles above.
    nix::sys::prctl::set_dumpable(false).map_err(setup("PR_SET_DUMPABLE"))?;
    // Only the container's own user namespace gets container root's
    // answers: a process in a namespace nested inside it has no rights
    // over these files, whatever its capabilities say.
    let userns_ino = nix::sys::stat::fstat(&userns)
        .map_err(setup("reading the container's user namespace"))?
        .st_ino;
    nix::sched::setns(&userns, nix::sched::CloneFlags::CLONE_NEWUSER)
        .map_err(setup("joining the container's user namespace"))?;
    nix::sched::setns(&mntns, nix::sched::CloneFlags::CLONE_NEWNS)
        .map_err(setup("joining the container's mount namespace"))?;
    drop((userns, mntns));
    // Our cwd stays on our own fd directory: "N" names our descriptor N,
    // whatever root a relative lookup chrooted us into.
    nix::unistd::fchdir(&self_fd).map_err(setup("fchdir"))?;
    // Ready before the container's command installs its filter: the
    // listener comes once it has, and its first trapped call (the exec)
    // waits for us. None: the command never got that far.
    let listener = match rsp_sys::recv_fd(source.as_fd()) {
        Ok(Some(l)) => l,
        Ok(None) => return Ok(()),
        Err(source) => {
            return Err(OwnershipError::Setup {
                what: "receiving the container's filter",
                source,
            });
        }
    };
    drop(source);
    let _ = seccomp::set_sync_wakeup(listener.as_fd());
    let start = Rc::new(start);
    let mut sup = Supervisor {
        proc,
        self_fd,
        ids,
        userns_ino,
        table: Table::default(),
        chrooted: std::cell::Cell::new(None),
        records: Default::default(),
    };
    let mut listeners = vec![Listener {
        fd: listener,
        start: start.clone(),
    }];
    let mut conns: Vec<(UnixStream, Vec<u8>)> = Vec::new();
    while !listeners.is_empty() {
        let mut fds = vec![PollFd::new(control.as_fd(), PollFlags::POLLIN)];
        fds.extend(
            conns
                .iter()
                .map(|(c, _)| PollFd::new(c.as_fd(), PollFlags::POLLIN)),
        );
        fds.extend(
            listeners
                .iter()
                .map(|l| PollFd::new(l.fd.as_fd(), PollFlags::POLLIN)),
        );
        match poll(&mut fds, PollTimeout::NONE) {
            Ok(_) => {}
            Err(nix::Error::EINTR) => continue,
            Err(e) => return Err(setup("poll")(e)),
        }
        let revents: Vec<PollFlags> = fds
            .iter()
            .map(|f| f.revents().unwrap_or(PollFlags::empty()))
            .collect();
        drop(fds);
        let nc = conns.len();
        let mut dead = Vec::new();
        for (i, l) in listeners.iter().enumerate() {
            let r = revents[1 + nc + i];
            if r.contains(PollFlags::POLLIN) {
                sup.handle(l);
            } else if r.intersects(PollFlags::POLLHUP | PollFlags::POLLERR | PollFlags::POLLNVAL) {
                dead.push(i);
            }
        }
        for i in dead.into_iter().rev() {
            listeners.remove(i);
        }
        // New listeners from `rsp exec`, after the credentials their
        // command starts with: served from now on, then acked.
        let mut done = Vec::new();
        for (i, (c, text)) in conns.iter_mut().enumerate() {
            if revents[1 + i].is_empty() {
                continue;
            }
            let mut buf = [0u8; 512];
            match rsp_sys::recv_fd_data(c.as_fd(), &mut buf) {
                Ok((n, fd)) if n > 0 || fd.is_some() => {
                    if text.len() + n > 64 * 1024 {
                        done.push(i);
                        continue;
                    }
                    text.extend_from_slice(&buf[..n]);
                    let Some(l) = fd else { continue };
                    done.push(i);
                    let first = text.split(|&b| b == b'\n').next().unwrap_or_default();
                    let creds = std::str::from_utf8(first)
                        .ok()
                        .and_then(|l| l.strip_prefix("C "))
                        .and_then(parse_creds_arg)
                        .map(Rc::new)
                        .unwrap_or_else(|| start.clone());
                    let _ = seccomp::set_sync_wakeup(l.as_fd());
                    listeners.push(Listener {
                        fd: l,
                        start: creds,
                    });
                    let _ = c.write_all(b"1");
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                _ => done.push(i),
            }
        }
        for i in done.into_iter().rev() {
            conns.remove(i);
        }
        if revents[0].contains(PollFlags::POLLIN) {
            while let Ok((c, _)) = control.accept() {
                conns.push((c, Vec::new()));
            }
        }
    }
    Ok(())
}

/// What the supervisor knows of a thread: a handle on its `/proc`
/// directory (which stops resolving once the thread is gone, so a reused
/// thread id never finds another thread's entry), its process, and its
/// credentials.
struct Entry {
    dir: OwnedFd,
    tgid: u32,
    creds: Rc<Creds>,
}

/// An `execve` that changes credentials, applied once the process runs
/// the file (`/proc/PID/exe` is it): the kernel may still refuse it.
struct Pending {
    dir: OwnedFd,
    exe: (u64, u64),
    creds: Rc<Creds>,
}

/// The emulated credentials of the container's threads.
///
/// Until some thread's credentials first change (`changed`), every thread
/// has its tree's starting ones and nothing is recorded. From then on a
/// thread met for the first time takes those of the thread that made it:
/// its process's leader, else its parent process, looked up the same way
/// up to a process outside the filter. Before a thread's credentials
/// change and before a process exits, its children not yet known are
/// recorded with the credentials they were made with, so that neither a
/// later change nor their being reparented gives them other ones.
#[derive(Default)]
struct Table {
    threads: HashMap<u32, Entry>,
    pending: HashMap<u32, Pending>,
    changed: bool,
    gc_at: usize,
}

/// Fields of `/proc/PID/status` the supervisor reads.
#[derive(Default)]
struct Status {
    tgid: u32,
    ppid: u32,
    umask: u32,
    cap_eff: u64,
    cap_bnd: u64,
    no_new_privs: bool,
    filters: u32,
    /// The thread's id in its own (the innermost) pid namespace.
    ns_tid: u32,
}

impl Status {
    /// Whether a thread with emulated credentials `c` holds `cap`: the
    /// kernel's effective set says so, or, under SECBIT_NOROOT (where the
    /// kernel gives none), emulated root's effective capabilities within
    /// the bounding set.
    fn holds(&self, c: &Creds, cap: u32) -> bool {
        self.cap_eff & (1 << cap) != 0
            || (c.noroot && c.effective && self.cap_bnd & (1 << cap) != 0)
    }
}

fn parse_status(s: &str) -> Status {
    let mut st = Status::default();
    for line in s.lines() {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let v = v.trim();
        match k {
            "Tgid" => st.tgid = v.parse().unwrap_or(0),
            "PPid" => st.ppid = v.parse().unwrap_or(0),
            "Umask" => st.umask = u32::from_str_radix(v, 8).unwrap_or(0o022),
            "CapEff" => st.cap_eff = u64::from_str_radix(v, 16).unwrap_or(0),
            "CapBnd" => st.cap_bnd = u64::from_str_radix(v, 16).unwrap_or(0),
            "NoNewPrivs" => st.no_new_privs = v == "1",
            "Seccomp_filters" => st.filters = v.parse().unwrap_or(0),
            "NSpid" => {
                st.ns_tid = v
                    .split_whitespace()
                    .last()
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(0)
            }
            _ => {}
        }
    }
    st
}

/// How far up a process tree a lookup goes, and how many processes a
/// change records: bounds on what one trapped call may cost.
const MAX_DEPTH: usize = 64;
const MAX_PINNED: usize = 4096;

struct Supervisor {
    /// The host's /proc.
    proc: OwnedFd,
    /// Our own /proc/self/fd, our cwd.
    self_fd: OwnedFd,
    /// The container's one mapped uid and gid.
    ids: (u32, u32),
    /// The inode of the container's user namespace.
    userns_ino: u64,
    table: Table,
    /// The root we are chrooted into (see [`Supervisor::dir_id`]), once a
    /// relative lookup has put us there.
    chrooted: std::cell::Cell<Option<(u64, u64)>>,
    /// Records of files on FUSE mounts (see [`RecordCache`]).
    records: std::cell::RefCell<RecordCache>,
}

/// The records of files on FUSE filesystems (the fuse-overlay root), by
/// device, inode and change time, so a `stat` of a file whose record was
/// read before costs no FUSE round trip for the xattr.
///
/// Sound because, on rsp's FUSE overlay: inode numbers are never reused
/// (the server counts them up); every change of a record goes through the
/// mount, which updates the inode's change time in the kernel's cache;
/// and a change this supervisor makes (the usual one: `chown`, `chmod`,
/// a file created for an emulated user) drops the entry itself, since two
/// changes within one tick of the kernel's coarse clock could keep the
/// same change time. Other filesystems (the kernel overlay, volumes) are
/// asked every time, as before.
///
/// Before the cache, a file on the container's own FUSE root whose
/// `st_blksize` is [`rsp_storage::layer::FUSE_BLKSIZE_PLAIN`] has no
/// record at all: the server says so in every attribute reply and drops
/// the kernel's attributes whenever a record is set or removed.
#[derive(Default)]
struct RecordCache {
    /// Devices known to be FUSE (true) or not.
    fuse: HashMap<u64, bool>,
    /// FUSE devices known to be (true) or not to be a target's root: rsp's
    /// own overlay.
    roots: HashMap<u64, bool>,
    entries: HashMap<(u64, u64), CachedRecord>,
}

/// A file's change time (seconds, nanoseconds) and its record then.
type CachedRecord = ((i64, u32), Option<OverrideStat>);

/// What [`Supervisor::cached_record`] found of a file.
struct Lookup {
    record: Option<OverrideStat>,
    /// The file is on FUSE.
    fuse: bool,
    /// On the container's own FUSE root, with no record.
    plain_root: bool,
    /// The file's mode, as the kernel has it cached, when `plain_root`.
    mode: u32,
}

impl Lookup {
    fn other(record: Option<OverrideStat>) -> Lookup {
        Lookup {
            record,
            fuse: false,
            plain_root: false,
            mode: 0,
        }
    }

    fn fuse(record: Option<OverrideStat>) -> Lookup {
        Lookup {
            record,
            fuse: true,
            plain_root: false,
            mode: 0,
        }
    }
}

/// Entries kept before the cache starts again: a bound on its memory.
const MAX_CACHED_RECORDS: usize = 1 << 16;

/// The trapped call's thread and cookie.
struct Target<'a> {
    pid: u32,
    id: u64,
    listener: BorrowedFd<'a>,
}

impl Target<'_> {
    fn valid(&self) -> bool {
        seccomp::id_valid(self.listener, self.id)
    }
}

const AT_EMPTY_PATH: u64 = libc::AT_EMPTY_PATH as u64;
const AT_NOFOLLOW: u64 = libc::AT_SYMLINK_NOFOLLOW as u64;

impl Supervisor {
    fn handle(&mut self, l: &Listener) {
        let Ok(n) = seccomp::recv(l.fd.as_fd()) else {
            return;
        };
        let reply = self.dispatch(l, &n);
        let _ = seccomp::send(l.fd.as_fd(), n.id, reply);
    }

    fn dispatch(&mut self, l: &Listener, n: &Notif) -> Reply {
        if Some(n.arch) != seccomp::NATIVE_ARCH {
            return Reply::Continue;
        }
        let a = n.args;
        let t = Target {
            pid: n.pid,
            id: n.id,
            listener: l.fd.as_fd(),
        };
        if !self.in_container_userns(&t) {
            return Reply::Continue;
        }
        let start = &l.start;
        let cwd = libc::AT_FDCWD;
        let (u, g) = (a[0] as u32, a[1] as u32);
        use ids::Cap::{SetGid, SetUid};
        match n.nr {
            nr::FSTAT => self.stat(&t, a[0] as i32, 0, AT_EMPTY_PATH, a[1], None),
            nr::NEWFSTATAT => self.stat(&t, a[0] as i32, a[1], a[3], a[2], None),
            nr::STATX => self.stat(&t, a[0] as i32, a[1], a[2], a[4], Some(a[3] as u32)),
            nr::FCHOWN => self.chown(
                &t,
                start,
                a[0] as i32,
                0,
                u_at(a[1]),
                u_at(a[2]),
                AT_EMPTY_PATH,
            ),
            nr::FCHOWNAT => self.chown(&t, start, a[0] as i32, a[1], u_at(a[2]), u_at(a[3]), a[4]),
            nr::FCHMOD => self.chmod(&t, start, a[0] as i32, 0, a[1] as u32, AT_EMPTY_PATH),
            nr::FCHMODAT => self.chmod(&t, start, a[0] as i32, a[1], a[2] as u32, 0),
            nr::FCHMODAT2 => self.chmod(&t, start, a[0] as i32, a[1], a[2] as u32, a[3]),
            nr::GETUID => self.get(&t, start, |c| c.uid[0]),
            nr::GETEUID => self.get(&t, start, |c| c.uid[1]),
            nr::GETGID => self.get(&t, start, |c| c.gid[0]),
            nr::GETEGID => self.get(&t, start, |c| c.gid[1]),
            nr::GETRESUID => self.get_res(&t, start, SetUid, [a[0], a[1], a[2]]),
            nr::GETRESGID => self.get_res(&t, start, SetGid, [a[0], a[1], a[2]]),
            nr::GETGROUPS => self.get_groups(&t, start, a[0] as i32, a[1]),
            nr::SETUID => self.set(&t, start, SetUid, |c, p| c.set_id(SetUid, p, u)),
            nr::SETGID => self.set(&t, start, SetGid, |c, p| c.set_id(SetGid, p, u)),
            nr::SETREUID => self.set(&t, start, SetUid, |c, p| c.set_re(SetUid, p, u, g)),
            nr::SETREGID => self.set(&t, start, SetGid, |c, p| c.set_re(SetGid, p, u, g)),
            nr::SETRESUID => self.set(&t, start, SetUid, |c, p| {
                c.set_res(SetUid, p, u, g, a[2] as u32)
            }),
            nr::SETRESGID => self.set(&t, start, SetGid, |c, p| {
                c.set_res(SetGid, p, u, g, a[2] as u32)
            }),
            nr::SETFSUID => self.set_fs(&t, start, SetUid, u),
            nr::SETFSGID => self.set_fs(&t, start, SetGid, u),
            nr::SETGROUPS => self.set_groups(&t, start, a[0] as i32, a[1]),
            nr::PRCTL => self.keepcaps(&t, start, a[1]),
            nr::CAPSET => self.capset(&t, start, a[0], a[1]),
            nr::EXECVE => self.exec(&t, start, cwd, a[0], 0),
            nr::EXECVEAT => self.exec(&t, start, a[0] as i32, a[1], a[4]),
            nr::EXIT_GROUP => self.exit_group(&t, start),
            nr::OPENAT => self.create(
                &t,
                start,
                a[0] as i32,
                a[1],
                Create::Open(a[2] as i32),
                a[3] as u32,
            ),
            nr::OPENAT2 => self.openat2(&t, start, a[0] as i32, a[1], a[2], a[3]),
            nr::MKDIRAT => self.create(&t, start, a[0] as i32, a[1], Create::Dir, a[2] as u32),
            nr::MKNODAT => self.mknod(&t, start, a[0] as i32, a[1], a[2] as u32),
            #[cfg(target_arch = "x86_64")]
            other => self.dispatch_legacy(&t, start, other, a),
            #[cfg(not(target_arch = "x86_64"))]
            _ => Reply::Continue,
        }
    }

    /// The x86_64 calls that take a path relative to the cwd.
    #[cfg(target_arch = "x86_64")]
    fn dispatch_legacy(
        &mut self,
        t: &Target<'_>,
        start: &Rc<Creds>,
        nr: i64,
        a: [u64; 6],
    ) -> Reply {
        let cwd = libc::AT_FDCWD;
        match nr {
            nr::STAT => self.stat(t, cwd, a[0], 0, a[1], None),
            nr::LSTAT => self.stat(t, cwd, a[0], AT_NOFOLLOW, a[1], None),
            nr::CHOWN => self.chown(t, start, cwd, a[0], u_at(a[1]), u_at(a[2]), 0),
            nr::LCHOWN => self.chown(t, start, cwd, a[0], u_at(a[1]), u_at(a[2]), AT_NOFOLLOW),
            nr::CHMOD => self.chmod(t, start, cwd, a[0], a[1] as u32, 0),
            nr::OPEN => self.create(t, start, cwd, a[0], Create::Open(a[1] as i32), a[2] as u32),
            nr::CREAT => self.create(
                t,
                start,
                cwd,
                a[0],
                Create::Open(libc::O_CREAT | libc::O_WRONLY | libc::O_TRUNC),
                a[1] as u32,
            ),
            nr::MKDIR => self.create(t, start, cwd, a[0], Create::Dir, a[1] as u32),
            nr::MKNOD => self.mknod(t, start, cwd, a[0], a[1] as u32),
            _ => Reply::Continue,
        }
    }

    fn in_container_userns(&self, t: &Target<'_>) -> bool {
        nix::sys::stat::fstatat(
            &self.proc,
            format!("{}/ns/user", t.pid).as_str(),
            nix::fcntl::AtFlags::empty(),
        )
        .is_ok_and(|st| st.st_ino == self.userns_ino)
    }

    // ---- credentials ----

    /// `/proc/PID` of a thread, as a handle that outlives its id.
    fn open_pid(&self, pid: u32) -> Option<OwnedFd> {
        self.open_proc(&pid.to_string(), OFlag::O_PATH | OFlag::O_DIRECTORY)
    }

    fn read_status(dir: &OwnedFd) -> Option<Status> {
        let f = nix::fcntl::openat(
            dir,
            "status",
            OFlag::O_RDONLY | OFlag::O_CLOEXEC,
            nix::sys::stat::Mode::empty(),
        )
        .ok()?;
        let mut s = String::with_capacity(1600);
        std::fs::File::from(f).read_to_string(&mut s).ok()?;
        Some(parse_status(&s))
    }

    fn alive(dir: &OwnedFd) -> bool {
        nix::unistd::faccessat(
            dir,
            "stat",
            nix::unistd::AccessFlags::F_OK,
            nix::fcntl::AtFlags::empty(),
        )
        .is_ok()
    }

    /// The trapping thread's credentials; None when it is gone.
    fn creds(&mut self, t: &Target<'_>, start: &Rc<Creds>) -> Option<Rc<Creds>> {
        if !self.table.changed {
            return Some(start.clone());
        }
        let c = self.lookup(t.pid, start, 0)?;
        t.valid().then_some(c)
    }

    /// `tid`'s credentials, recorded from now on.
    fn lookup(&mut self, tid: u32, start: &Rc<Creds>, depth: usize) -> Option<Rc<Creds>> {
        if let Some(e) = self.table.threads.get(&tid)
            && Self::alive(&e.dir)
        {
            let tgid = e.tgid;
            let creds = e.creds.clone();
            return Some(self.applied_exec(tgid).unwrap_or(creds));
        }
        let dir = self.open_pid(tid)?;
        let st = Self::read_status(&dir)?;
        if tid == st.tgid
            && let Some(c) = self.applied_exec(st.tgid)
        {
            return Some(c);
        }
        let creds = if depth >= MAX_DEPTH {
            start.clone()
        } else if tid != st.tgid {
            self.lookup(st.tgid, start, depth + 1)?
        } else {
            self.parent_creds(st.ppid, start, depth)
        };
        self.insert(tid, dir, st.tgid, creds.clone());
        Some(creds)
    }

    /// The credentials a process inherited from `ppid`: the tree's start
    /// once the parent is not one of the filtered processes of the
    /// container.
    fn parent_creds(&mut self, ppid: u32, start: &Rc<Creds>, depth: usize) -> Rc<Creds> {
        if ppid == 0 {
            return start.clone();
        }
        // A parent that executed a setuid file and forked before any
        // trapped call of its own: the exec counts.
        if let Some(c) = self.applied_exec(ppid) {
            return c;
        }
        if let Some(e) = self.table.threads.get(&ppid)
            && Self::alive(&e.dir)
        {
            return e.creds.clone();
        }
        let filtered = self.open_pid(ppid).is_some_and(|d| {
            Self::read_status(&d).is_some_and(|s| s.filters > 0)
                && nix::sys::stat::fstatat(&d, "ns/user", nix::fcntl::AtFlags::empty())
                    .is_ok_and(|st| st.st_ino == self.userns_ino)
        });
        if !filtered {
            return start.clone();
        }
        self.lookup(ppid, start, depth + 1)
            .unwrap_or_else(|| start.clone())
    }

    fn insert(&mut self, tid: u32, dir: OwnedFd, tgid: u32, creds: Rc<Creds>) {
        let table = &mut self.table;
        if table.threads.len() >= table.gc_at {
            table.threads.retain(|_, e| Self::alive(&e.dir));
            table.pending.retain(|_, p| Self::alive(&p.dir));
            table.gc_at = (2 * table.threads.len()).max(1024);
        }
        table.threads.insert(tid, Entry { dir, tgid, creds });
    }

    /// A pending `execve` of `tgid` that has happened: its credentials,
    /// now recorded.
    fn applied_exec(&mut self, tgid: u32) -> Option<Rc<Creds>> {
        let p = self.table.pending.get(&tgid)?;
        if !Self::alive(&p.dir) {
            self.table.pending.remove(&tgid);
            return None;
        }
        let st = nix::sys::stat::fstatat(&p.dir, "exe", nix::fcntl::AtFlags::empty()).ok()?;
        if (st.st_dev, st.st_ino) != p.exe {
            return None;
        }
        let p = self.table.pending.remove(&tgid)?;
        let creds = p.creds.clone();
        self.table.threads.retain(|_, e| e.tgid != tgid);
        self.table.threads.insert(
            tgid,
            Entry {
                dir: p.dir,
                tgid,
                creds: creds.clone(),
            },
        );
        Some(creds)
    }

    /// Records the children of process `tgid` (and theirs) not known yet,
    /// with the credentials of the thread that made them, before those
    /// change or the process goes.
    fn pin_children(&mut self, tgid: u32, start: &Rc<Creds>) {
        let mut budget = MAX_PINNED;
        self.pin_process(tgid, None, start, &mut budget);
    }

    fn pin_process(
        &mut self,
        tgid: u32,
        inherited: Option<Rc<Creds>>,
        start: &Rc<Creds>,
        budget: &mut usize,
    ) {
        let Ok(tasks) = nix::dir::Dir::openat(
            &self.proc,
            format!("{tgid}/task").as_str(),
            OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            nix::sys::stat::Mode::empty(),
        ) else {
            return;
        };
        let tids: Vec<u32> = tasks
            .into_iter()
            .filter_map(|e| e.ok()?.file_name().to_str().ok()?.parse().ok())
            .collect();
        for tid in tids {
            if *budget == 0 {
                return;
            }
            *budget -= 1;
            let creds = match &inherited {
                Some(c) if !self.known(tid) => {
                    if let Some(dir) = self.open_pid(tid) {
                        self.insert(tid, dir, tgid, c.clone());
                    }
                    c.clone()
                }
                _ => match self.lookup(tid, start, 0) {
                    Some(c) => c,
                    None => continue,
                },
            };
            let mut children = String::new();
            if let Some(f) = self.open_proc(&format!("{tgid}/task/{tid}/children"), OFlag::O_RDONLY)
            {
                let _ = std::fs::File::from(f).read_to_string(&mut children);
            }
            for child in children
                .split_whitespace()
                .filter_map(|c| c.parse::<u32>().ok())
            {
                if !self.known(child) {
                    self.pin_process(child, Some(creds.clone()), start, budget);
                }
            }
        }
    }

    fn known(&self, tid: u32) -> bool {
        self.table
            .threads
            .get(&tid)
            .is_some_and(|e| Self::alive(&e.dir))
    }

    /// Makes `new` the trapping thread's credentials.
    fn change(&mut self, t: &Target<'_>, start: &Rc<Creds>, old: &Rc<Creds>, new: Creds) {
        if **old == new {
            return;
        }
        let Some(dir) = self.open_pid(t.pid) else {
            return;
        };
        let Some(st) = Self::read_status(&dir) else {
            return;
        };
        if !t.valid() {
            return;
        }
        // The thread itself is known before anything changes (the first
        // change finds nothing recorded).
        self.table.changed = true;
        if !self.known(t.pid) {
            self.insert(t.pid, dir, st.tgid, old.clone());
        }
        self.pin_children(st.tgid, start);
        if let Some(e) = self.table.threads.get_mut(&t.pid) {
            e.creds = Rc::new(new);
        }
    }

    /// Whether the trapping thread's bounding set has `cap`.
    fn bounding(&self, t: &Target<'_>, cap: u32) -> bool {
        self.open_pid(t.pid)
            .and_then(|d| Self::read_status(&d))
            .is_some_and(|s| s.cap_bnd & (1 << cap) != 0)
    }

    fn get(&mut self, t: &Target<'_>, start: &Rc<Creds>, f: impl Fn(&Creds) -> u32) -> Reply {
        match self.creds(t, start) {
            Some(c) => Reply::Value(f(&c) as i64),
            None => Reply::Continue,
        }
    }

    fn get_res(&mut self, t: &Target<'_>, start: &Rc<Creds>, cap: ids::Cap, at: [u64; 3]) -> Reply {
        let Some(c) = self.creds(t, start) else {
            return Reply::Continue;
        };
        let ids = match cap {
            ids::Cap::SetUid => c.uid,
            ids::Cap::SetGid => c.gid,
        };
        let writes: Vec<(u64, Vec<u8>)> = (0..3)
            .map(|i| (at[i], ids[i].to_ne_bytes().to_vec()))
            .collect();
        self.write_many(t, &writes)
    }

    fn get_groups(&mut self, t: &Target<'_>, start: &Rc<Creds>, size: i32, at: u64) -> Reply {
        let Some(c) = self.creds(t, start) else {
            return Reply::Continue;
        };
        let n = c.groups.len();
        if size < 0 {
            return Reply::Error(libc::EINVAL);
        }
        if size == 0 {
            return Reply::Value(n as i64);
        }
        if (size as usize) < n {
            return Reply::Error(libc::EINVAL);
        }
        let bytes: Vec<u8> = c.groups.iter().flat_map(|g| g.to_ne_bytes()).collect();
        match self.write_many(t, &[(at, bytes)]) {
            Reply::Value(_) => Reply::Value(n as i64),
            r => r,
        }
    }

    fn set(
        &mut self,
        t: &Target<'_>,
        start: &Rc<Creds>,
        cap: ids::Cap,
        f: impl Fn(&Creds, bool) -> Result<Creds, i32>,
    ) -> Reply {
        let Some(old) = self.creds(t, start) else {
            return Reply::Continue;
        };
        let bit = match cap {
            ids::Cap::SetUid => CAP_SETUID,
            ids::Cap::SetGid => CAP_SETGID,
        };
        let privileged = old.capable(true) && self.bounding(t, bit);
        match f(&old, privileged) {
            Ok(new) => {
                self.change(t, start, &old, new);
                Reply::Value(0)
            }
            Err(e) => Reply::Error(e),
        }
    }

    fn set_fs(&mut self, t: &Target<'_>, start: &Rc<Creds>, cap: ids::Cap, id: u32) -> Reply {
        let Some(old) = self.creds(t, start) else {
            return Reply::Continue;
        };
        let bit = match cap {
            ids::Cap::SetUid => CAP_SETUID,
            ids::Cap::SetGid => CAP_SETGID,
        };
        let privileged = old.capable(true) && self.bounding(t, bit);
        let (prev, new) = old.set_fs(cap, privileged, id);
        if let Some(new) = new {
            self.change(t, start, &old, new);
        }
        Reply::Value(prev as i64)
    }

    fn set_groups(&mut self, t: &Target<'_>, start: &Rc<Creds>, size: i32, at: u64) -> Reply {
        let Some(old) = self.creds(t, start) else {
            return Reply::Continue;
        };
        if size < 0 || size as usize > ids::NGROUPS_MAX {
            return Reply::Error(libc::EINVAL);
        }
        let privileged = old.capable(true) && self.bounding(t, CAP_SETGID);
        if !privileged {
            return Reply::Error(libc::EPERM);
        }
        let mut raw = vec![0u8; size as usize * 4];
        if !raw.is_empty()
            && !matches!(seccomp::vm_read(t.pid, at, &mut raw), Ok(n) if n == raw.len())
        {
            return Reply::Error(libc::EFAULT);
        }
        // What we read was the trapping thread's only if it still waits.
        if !t.valid() {
            return Reply::Continue;
        }
        let groups: Vec<u32> = raw
            .chunks_exact(4)
            .map(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        match old.set_groups(privileged, &groups) {
            Ok(new) => {
                self.change(t, start, &old, new);
                Reply::Value(0)
            }
            Err(e) => Reply::Error(e),
        }
    }

    /// `prctl(PR_SET_KEEPCAPS)`: recorded, then the kernel's own (so
    /// `PR_GET_KEEPCAPS` reads it back).
    fn keepcaps(&mut self, t: &Target<'_>, start: &Rc<Creds>, on: u64) -> Reply {
        if on > 1 {
            return Reply::Continue;
        }
        if let Some(old) = self.creds(t, start) {
            let new = old.set_keepcaps(on == 1);
            self.change(t, start, &old, new);
        }
        Reply::Continue
    }

    /// `capset` of the thread itself: whether CAP_SETUID or CAP_SETGID
    /// stays effective and permitted, recorded; refused when it would
    /// raise what the emulated credentials do not permit, else the
    /// kernel's own.
    fn capset(&mut self, t: &Target<'_>, start: &Rc<Creds>, hdr: u64, data: u64) -> Reply {
        const V1: u32 = 0x1998_0330;
        let mut h = [0u8; 8];
        if data == 0 || !matches!(seccomp::vm_read(t.pid, hdr, &mut h), Ok(8)) {
            return Reply::Continue;
        }
        let version = u32::from_ne_bytes([h[0], h[1], h[2], h[3]]);
        let pid = i32::from_ne_bytes([h[4], h[5], h[6], h[7]]);
        // Its own id, as its pid namespace numbers it: another thread's
        // capabilities are not ours to change (the kernel refuses).
        if pid != 0
            && self
                .open_pid(t.pid)
                .and_then(|d| Self::read_status(&d))
                .is_none_or(|s| s.ns_tid != pid as u32)
        {
            return Reply::Continue;
        }
        // effective, permitted, inheritable: one set of words (v1), two
        // (v2, v3); CAP_SETGID and CAP_SETUID are in the first.
        let len = if version == V1 { 12 } else { 24 };
        let mut d = [0u8; 24];
        if !matches!(seccomp::vm_read(t.pid, data, &mut d[..len]), Ok(n) if n == len) {
            return Reply::Continue;
        }
        let word =
            |i: usize| u32::from_ne_bytes([d[4 * i], d[4 * i + 1], d[4 * i + 2], d[4 * i + 3]]);
        let ids_caps = (1 << CAP_SETUID) | (1 << CAP_SETGID);
        let (effective, permitted) = (word(0) & ids_caps != 0, word(1) & ids_caps != 0);
        let Some(old) = self.creds(t, start) else {
            return Reply::Continue;
        };
        match old.set_caps(effective, permitted) {
            Ok(new) => {
                self.change(t, start, &old, new);
                Reply::Continue
            }
            Err(e) => Reply::Error(e),
        }
    }

    /// `execve`: a setuid or setgid file (by its recorded mode and owner)
    /// raises the effective ids as the kernel would, once the process
    /// runs it; every exec makes the saved ids the effective ones.
    fn exec(
        &mut self,
        t: &Target<'_>,
        start: &Rc<Creds>,
        dirfd: i32,
        path: u64,
        flags: u64,
    ) -> Reply {
        let Some(path) = self.read_path(t, path, flags) else {
            return Reply::Continue;
        };
        let Some(fd) = self.resolve(t, dirfd, &path, flags & (AT_EMPTY_PATH | AT_NOFOLLOW)) else {
            return Reply::Continue;
        };
        let Ok(st) = seccomp::fstat(fd.as_fd()) else {
            return Reply::Continue;
        };
        if st.st_mode & libc::S_IFMT != libc::S_IFREG {
            return Reply::Continue;
        }
        let (uid, gid, mode) = match self.record(&fd) {
            Some(r) => (r.uid, r.gid, r.mode),
            None => (st.st_uid, st.st_gid, st.st_mode),
        };
        let setuid = mode & libc::S_ISUID != 0;
        let setgid = mode & libc::S_ISGID != 0 && mode & libc::S_IXGRP != 0;
        let Some(old) = self.creds(t, start) else {
            return Reply::Continue;
        };
        let plain = old.exec(None, None);
        if !setuid && !setgid && plain == *old {
            return Reply::Continue;
        }
        let mut new = plain;
        if setuid || setgid {
            let honoured = self
                .open_pid(t.pid)
                .and_then(|d| Self::read_status(&d))
                .is_some_and(|s| !s.no_new_privs)
                && nix::sys::statvfs::fstatvfs(&fd)
                    .is_ok_and(|v| !v.flags().contains(nix::sys::statvfs::FsFlags::ST_NOSUID))
                && !self.is_script(&fd);
            if honoured {
                new = old.exec(setuid.then_some(uid), setgid.then_some(gid));
            }
        }
        if new == *old {
            return Reply::Continue;
        }
        let Some(dir) = self.open_pid(t.pid) else {
            return Reply::Continue;
        };
        let Some(status) = Self::read_status(&dir) else {
            return Reply::Continue;
        };
        let Some(pdir) = self.open_pid(status.tgid) else {
            return Reply::Continue;
        };
        if !t.valid() {
            return Reply::Continue;
        }
        self.table.changed = true;
        if !self.known(t.pid) {
            self.insert(t.pid, dir, status.tgid, old.clone());
        }
        self.pin_children(status.tgid, start);
        self.table.pending.insert(
            status.tgid,
            Pending {
                dir: pdir,
                exe: (st.st_dev, st.st_ino),
                creds: Rc::new(new),
            },
        );
        Reply::Continue
    }

    /// Whether a file starts with `#!`: the kernel runs its interpreter
    /// and ignores its setuid bit.
    fn is_script(&self, fd: &OwnedFd) -> bool {
        let Ok(f) = nix::fcntl::openat(
            &self.self_fd,
            Self::name(fd).as_str(),
            OFlag::O_RDONLY | OFlag::O_CLOEXEC | OFlag::O_NONBLOCK,
            nix::sys::stat::Mode::empty(),
        ) else {
            return false;
        };
        let mut b = [0u8; 2];
        matches!(nix::unistd::read(&f, &mut b), Ok(2)) && &b == b"#!"
    }

    /// `exit_group`: the process's children outlive it under another
    /// parent; they keep the credentials they were made with.
    fn exit_group(&mut self, t: &Target<'_>, start: &Rc<Creds>) -> Reply {
        if !self.table.changed {
            return Reply::Continue;
        }
        let Some(dir) = self.open_pid(t.pid) else {
            return Reply::Continue;
        };
        if let Some(st) = Self::read_status(&dir)
            && t.valid()
        {
            self.pin_children(st.tgid, start);
        }
        Reply::Continue
    }

    // ---- inodes made by a thread whose fs ids are not the kernel's ----

    /// The trapping thread's credentials and status when the inode it
    /// creates must be recorded as theirs, and it may create it as we
    /// would (CAP_DAC_OVERRIDE: we create it with our own rights).
    fn creator(&mut self, t: &Target<'_>, start: &Rc<Creds>) -> Option<(Rc<Creds>, Status)> {
        if !self.table.changed && start.fsuid() == self.ids.0 && start.fsgid() == self.ids.1 {
            return None;
        }
        let c = self.creds(t, start)?;
        if c.fsuid() == self.ids.0 && c.fsgid() == self.ids.1 {
            return None;
        }
        let st = self.open_pid(t.pid).and_then(|d| Self::read_status(&d))?;
        // Without CAP_DAC_OVERRIDE the thread may still create what its
        // real credentials let it (see `create`) under SECBIT_NOROOT.
        if (st.cap_eff & (1 << CAP_DAC_OVERRIDE) == 0 && !c.noroot) || !t.valid() {
            return None;
        }
        Some((c, st))
    }

    /// The directory a new inode goes in, and its name; None leaves the
    /// call to the kernel.
    fn parent_of(
        &self,
        t: &Target<'_>,
        dirfd: i32,
        path: &[u8],
        dir_ok: bool,
    ) -> Option<(OwnedFd, Vec<u8>)> {
        let mut p = path;
        if dir_ok {
            while p.len() > 1 && p.ends_with(b"/") {
                p = &p[..p.len() - 1];
            }
        }
        let (parent, name) = match p.iter().rposition(|&b| b == b'/') {
            Some(i) => (if i == 0 { &p[..1] } else { &p[..i] }, &p[i + 1..]),
            None => (&p[..0], p),
        };
        if name.is_empty() || name == b"." || name == b".." {
            return None;
        }
        let fd = self.resolve(t, dirfd, parent, AT_EMPTY_PATH)?;
        Some((fd, name.to_vec()))
    }

    fn create(
        &mut self,
        t: &Target<'_>,
        start: &Rc<Creds>,
        dirfd: i32,
        path: u64,
        what: Create,
        mode: u32,
    ) -> Reply {
        if let Create::Open(flags) = what
            && (flags & libc::O_CREAT == 0 || flags & libc::O_PATH != 0)
        {
            return Reply::Continue;
        }
        let Some((c, st)) = self.creator(t, start) else {
            return Reply::Continue;
        };
        let Some(path) = self.read_path(t, path, 0) else {
            return Reply::Continue;
        };
        let Some((parent, name)) = self.parent_of(t, dirfd, &path, matches!(what, Create::Dir))
        else {
            return Reply::Continue;
        };
        let name = std::ffi::OsStr::from_bytes(&name);
        let pst = seccomp::fstat(parent.as_fd()).ok();
        let precord = self.record(&parent);
        let (pgid, pmode) = match (&precord, &pst) {
            (Some(r), _) => (r.gid, r.mode),
            (None, Some(s)) => (s.st_gid, s.st_mode),
            (None, None) => return Reply::Continue,
        };
        // We create with our own rights: a thread without
        // CAP_DAC_OVERRIDE only where the kernel would let it, uid 0 with
        // no capabilities (write and search on the parent).
        if st.cap_eff & (1 << CAP_DAC_OVERRIDE) == 0 {
            let Some(p) = &pst else {
                return Reply::Continue;
            };
            let bits = if p.st_uid == self.ids.0 {
                p.st_mode >> 6
            } else if p.st_gid == self.ids.1 {
                p.st_mode >> 3
            } else {
                p.st_mode
            };
            if bits & 0o3 != 0o3 {
                return Reply::Continue;
            }
        }
        let (uid, gid) = c.new_inode_owner(Some((pgid, pmode)));
        let perm = mode & 0o7777 & !st.umask;
        let md = nix::sys::stat::Mode::from_bits_truncate(perm);
        match what {
            Create::Dir => {
                if let Err(e) = nix::sys::stat::mkdirat(&parent, name, md) {
                    return Reply::Error(e as i32);
                }
                let Ok(fd) = nix::fcntl::openat(
                    &parent,
                    name,
                    OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
                    nix::sys::stat::Mode::empty(),
                ) else {
                    return Reply::Value(0);
                };
                let mut rmode = perm;
                if pmode & libc::S_ISGID != 0 {
                    rmode |= libc::S_ISGID;
                }
                let _ = self.set_record(&fd, Some(OverrideStat::new(uid, gid, rmode)));
                Reply::Value(0)
            }
            Create::Open(flags) => {
                let cloexec = flags & libc::O_CLOEXEC != 0;
                let oflags = OFlag::from_bits_retain((flags | libc::O_EXCL) & !libc::O_CLOEXEC)
                    | OFlag::O_CLOEXEC;
                let fd = match nix::fcntl::openat(&parent, name, oflags, md) {
                    Ok(fd) => fd,
                    // An existing file is opened, not made: the kernel's.
                    Err(nix::Error::EEXIST) if flags & libc::O_EXCL == 0 => return Reply::Continue,
                    Err(e) => return Reply::Error(e as i32),
                };
                let _ = self.set_record(&fd, Some(OverrideStat::new(uid, gid, perm)));
                match seccomp::addfd_send(t.listener, t.id, fd.as_fd(), cloexec) {
                    Ok(_) => Reply::Sent,
                    Err(e) => Reply::Error(e.raw_os_error().unwrap_or(libc::EIO)),
                }
            }
            Create::File => {
                let fd = match nix::fcntl::openat(
                    &parent,
                    name,
                    OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_WRONLY | OFlag::O_CLOEXEC,
                    md,
                ) {
                    Ok(fd) => fd,
                    Err(e) => return Reply::Error(e as i32),
                };
                let _ = self.set_record(&fd, Some(OverrideStat::new(uid, gid, perm)));
                Reply::Value(0)
            }
        }
    }

    /// `openat2` that creates with no `resolve` flags is an `openat`; the
    /// rest is left to the kernel.
    fn openat2(
        &mut self,
        t: &Target<'_>,
        start: &Rc<Creds>,
        dirfd: i32,
        path: u64,
        how: u64,
        size: u64,
    ) -> Reply {
        if size < 24 {
            return Reply::Continue;
        }
        let mut raw = [0u8; 24];
        if !matches!(seccomp::vm_read(t.pid, how, &mut raw), Ok(24)) {
            return Reply::Continue;
        }
        let word =
            |i: usize| u64::from_ne_bytes(raw[8 * i..8 * i + 8].try_into().unwrap_or_default());
        let (flags, mode, resolve) = (word(0), word(1), word(2));
        if resolve != 0 || flags > i32::MAX as u64 || mode > 0o7777 {
            return Reply::Continue;
        }
        self.create(
            t,
            start,
            dirfd,
            path,
            Create::Open(flags as i32),
            mode as u32,
        )
    }

    /// `mknod` of a regular file is a create; fifos, sockets and devices
    /// are the kernel's (they cannot carry a record).
    fn mknod(
        &mut self,
        t: &Target<'_>,
        start: &Rc<Creds>,
        dirfd: i32,
        path: u64,
        mode: u32,
    ) -> Reply {
        match mode & libc::S_IFMT {
            0 | libc::S_IFREG => self.create(t, start, dirfd, path, Create::File, mode),
            _ => Reply::Continue,
        }
    }

    // ---- memory and paths ----

    /// Writes `bytes` at each address in the trapped thread's memory. The
    /// memory is opened first and the notification checked after: if the
    /// thread died and its id went to another process meanwhile (a FUSE
    /// mount in the container can stall us for as long as it likes), the
    /// check fails, and an open memory file stays the memory of the
    /// process it was opened for.
    fn write_many(&self, t: &Target<'_>, writes: &[(u64, Vec<u8>)]) -> Reply {
        let Ok(mem) = nix::fcntl::openat(
            &self.proc,
            format!("{}/mem", t.pid).as_str(),
            OFlag::O_RDWR | OFlag::O_CLOEXEC,
            nix::sys::stat::Mode::empty(),
        ) else {
            return Reply::Error(libc::EFAULT);
        };
        if !t.valid() {
            return Reply::Continue;
        }
        for (addr, bytes) in writes {
            let Ok(offset) = i64::try_from(*addr) else {
                return Reply::Error(libc::EFAULT);
            };
            match nix::sys::uio::pwrite(&mem, bytes, offset) {
                Ok(n) if n == bytes.len() => {}
                _ => return Reply::Error(libc::EFAULT),
            }
        }
        Reply::Value(0)
    }

    fn write_back(&self, t: &Target<'_>, addr: u64, bytes: &[u8]) -> Reply {
        self.write_many(t, &[(addr, bytes.to_vec())])
    }
    /// The NUL-terminated path at `addr`; None leaves it to the kernel
    /// (a bad pointer is its EFAULT, a long path its ENAMETOOLONG).
    fn read_path(&self, t: &Target<'_>, addr: u64, flags: u64) -> Option<Vec<u8>> {
        if addr == 0 {
            // Linux 6.11 accepts NULL with AT_EMPTY_PATH.
            return (flags & AT_EMPTY_PATH != 0).then(Vec::new);
        }
        let mut out = Vec::with_capacity(64);
        let mut cur = addr;
        let mut buf = [0u8; 4096];
        while out.len() < libc::PATH_MAX as usize {
            // Never across a page: the next one may be unmapped.
            let chunk = 4096 - (cur as usize % 4096);
            let n = seccomp::vm_read(t.pid, cur, &mut buf[..chunk]).ok()?;
            if n == 0 {
                return None;
            }
            let got = &buf[..n];
            if let Some(z) = got.iter().position(|&b| b == 0) {
                out.extend_from_slice(&got[..z]);
                return Some(out);
            }
            out.extend_from_slice(got);
            cur += n as u64;
        }
        None
    }

    fn open_proc(&self, rel: &str, flags: OFlag) -> Option<OwnedFd> {
        nix::fcntl::openat(
            &self.proc,
            rel,
            flags | OFlag::O_CLOEXEC,
            nix::sys::stat::Mode::empty(),
        )
        .ok()
    }

    /// Resolves (dirfd, path) as the target would, to an O_PATH handle;
    /// None leaves the call to the kernel.
    fn resolve(&self, t: &Target<'_>, dirfd: i32, path: &[u8], flags: u64) -> Option<OwnedFd> {
        let root = self.open_proc(
            &format!("{}/root", t.pid),
            OFlag::O_PATH | OFlag::O_DIRECTORY,
        )?;
        let base = if path.first() == Some(&b'/') {
            None
        } else if dirfd == libc::AT_FDCWD {
            Some(self.open_proc(&format!("{}/cwd", t.pid), OFlag::O_PATH)?)
        } else if dirfd >= 0 {
            Some(self.open_proc(&format!("{}/fd/{dirfd}", t.pid), OFlag::O_PATH)?)
        } else {
            return None;
        };
        // The handles above are the target's only while it still waits.
        if !t.valid() {
            return None;
        }
        if path.is_empty() {
            return if flags & AT_EMPTY_PATH != 0 {
                base
            } else {
                None
            };
        }
        let mut resolve = ResolveFlag::RESOLVE_NO_MAGICLINKS;
        let dir = match &base {
            None => {
                resolve |= ResolveFlag::RESOLVE_IN_ROOT;
                root.as_fd()
            }
            Some(b) => {
                // ".." must stop at the target's root, which openat2 cannot
                // say for a start below it: take that root as ours, unless
                // it already is. The fchdir and chroot each cost a FUSE
                // ACCESS round trip on fuse-overlay (nothing caches them),
                // twice per `fstatat(dirfd, name)` of a `find`.
                let id = Self::dir_id(&root);
                if id.is_none() || self.chrooted.get() != id {
                    self.chrooted.set(None);
                    nix::unistd::fchdir(&root).ok()?;
                    let r = nix::unistd::chroot(".");
                    let _ = nix::unistd::fchdir(&self.self_fd);
                    r.ok()?;
                    self.chrooted.set(id);
                }
                b.as_fd()
            }
        };
        let mut oflags = OFlag::O_PATH | OFlag::O_CLOEXEC;
        if flags & AT_NOFOLLOW != 0 {
            oflags |= OFlag::O_NOFOLLOW;
        }
        let how = OpenHow::new().flags(oflags).resolve(resolve);
        nix::fcntl::openat2(dir, std::ffi::OsStr::from_bytes(path), how).ok()
    }

    /// What identifies a directory as a root: its mount and inode (the
    /// same inode reached through another bind mount is another root, for
    /// ".."), the mount by its unique id (kernel 6.8: the short id is
    /// reused once a mount is gone), so a root that matches is the very
    /// one we are in. From the kernel's cached attributes (no FUSE round
    /// trip); `None` where the kernel cannot say, and we chroot each time.
    fn dir_id(fd: &OwnedFd) -> Option<(u64, u64)> {
        let mask = libc::STATX_INO | libc::STATX_MNT_ID_UNIQUE;
        let sx = seccomp::statx_fd(fd.as_fd(), libc::AT_STATX_DONT_SYNC, mask).ok()?;
        (sx.stx_mask & mask == mask).then_some((sx.stx_mnt_id, sx.stx_ino))
    }

    /// Our own name for `fd`, relative to our cwd.
    fn name(fd: &OwnedFd) -> String {
        fd.as_raw_fd().to_string()
    }

    fn record(&self, fd: &OwnedFd) -> Option<OverrideStat> {
        xattr::get_deref(Self::name(fd), OVERRIDE_STAT_XATTR)
            .ok()
            .flatten()
            .and_then(|v| OverrideStat::parse(&v).ok())
    }

    /// [`Self::record`] through the [`RecordCache`] for files on FUSE,
    /// and where the file is: on FUSE, and on the container's own FUSE
    /// root without a record.
    fn cached_record(&self, t: &Target<'_>, fd: &OwnedFd) -> Lookup {
        let mask = libc::STATX_INO | libc::STATX_CTIME | libc::STATX_MODE;
        // The kernel's cached attributes, asked again only where they
        // were dropped (STATX_MODE: change times alone never are, under
        // the writeback cache).
        let sx = seccomp::statx_fd(fd.as_fd(), 0, mask).ok();
        let Some(sx) = sx.filter(|sx| sx.stx_mask & mask == mask) else {
            return Lookup::other(self.record(fd));
        };
        let dev = libc::makedev(sx.stx_dev_major, sx.stx_dev_minor);
        let mut cache = self.records.borrow_mut();
        let fuse = *cache.fuse.entry(dev).or_insert_with(|| {
            nix::sys::statfs::fstatfs(fd)
                .map(|f| f.filesystem_type() == nix::sys::statfs::FUSE_SUPER_MAGIC)
                .unwrap_or(false)
        });
        if !fuse {
            drop(cache);
            return Lookup::other(self.record(fd));
        }
        // rsp's FUSE overlay (the container's root) says in st_blksize
        // whether a file has a record.
        if sx.stx_blksize == rsp_storage::layer::FUSE_BLKSIZE_PLAIN {
            // Asked of /proc once per device: a FUSE volume is no root.
            let own = match cache.roots.get(&dev) {
                Some(own) => *own,
                None => {
                    let own = self.root_dev(t) == Some(dev);
                    cache.roots.insert(dev, own);
                    own
                }
            };
            if own {
                return Lookup {
                    record: None,
                    fuse: true,
                    plain_root: true,
                    mode: u32::from(sx.stx_mode),
                };
            }
        }
        let key = (dev, sx.stx_ino);
        let ctime = (sx.stx_ctime.tv_sec, sx.stx_ctime.tv_nsec);
        if let Some((t, r)) = cache.entries.get(&key)
            && *t == ctime
        {
            return Lookup::fuse(*r);
        }
        let r = self.record(fd);
        if cache.entries.len() >= MAX_CACHED_RECORDS {
            cache.entries.clear();
        }
        cache.entries.insert(key, (ctime, r));
        Lookup::fuse(r)
    }

    /// The device of the target's root directory.
    fn root_dev(&self, t: &Target<'_>) -> Option<u64> {
        let root = self.open_proc(&format!("{}/root", t.pid), OFlag::O_PATH)?;
        let sx = seccomp::statx_fd(root.as_fd(), libc::AT_STATX_DONT_SYNC, libc::STATX_INO).ok()?;
        Some(libc::makedev(sx.stx_dev_major, sx.stx_dev_minor))
    }

    /// Drops what the [`RecordCache`] knows of `fd`'s inode.
    fn forget_record(&self, fd: &OwnedFd) {
        let mut cache = self.records.borrow_mut();
        if cache.entries.is_empty() {
            return;
        }
        if let Ok(sx) = seccomp::statx_fd(fd.as_fd(), libc::AT_STATX_DONT_SYNC, libc::STATX_INO) {
            let dev = libc::makedev(sx.stx_dev_major, sx.stx_dev_minor);
            cache.entries.remove(&(dev, sx.stx_ino));
        }
    }

    fn set_record(&self, fd: &OwnedFd, r: Option<OverrideStat>) -> std::io::Result<()> {
        self.forget_record(fd);
        let name = Self::name(fd);
        match r {
            Some(r) => xattr::set_deref(&name, OVERRIDE_STAT_XATTR, r.to_string().as_bytes()),
            None => match xattr::remove_deref(&name, OVERRIDE_STAT_XATTR) {
                Err(e) if e.raw_os_error() == Some(libc::ENODATA) => Ok(()),
                r => r,
            },
        }
    }

    fn stat(
        &mut self,
        t: &Target<'_>,
        dirfd: i32,
        path: u64,
        flags: u64,
        buf: u64,
        statx_mask: Option<u32>,
    ) -> Reply {
        let Some(path) = self.read_path(t, path, flags) else {
            return Reply::Continue;
        };
        let Some(fd) = self.resolve(t, dirfd, &path, flags) else {
            return Reply::Continue;
        };
        let found = self.cached_record(t, &fd);
        // A file without a record: the kernel's answer is right, let it
        // give it; except an `fstat` of an open file on the container's
        // FUSE root (see below), the stat that follows reading it. A stat
        // by path costs less left to the kernel (no write into the
        // target's memory).
        if found.record.is_none() && !(found.plain_root && path.is_empty()) {
            return Reply::Continue;
        }
        // On FUSE, answered here without asking for the access time: a
        // read drops the kernel's cached atime, and asking for it would
        // cost a GETATTR round trip to the server per file read (tar's
        // fstat after each file). The atime given is the kernel's cached
        // one; every other field is as fresh as the target's own stat.
        let no_atime = |m: u32| {
            if found.fuse {
                m & !libc::STATX_ATIME
            } else {
                m
            }
        };
        let bytes = match statx_mask {
            None if found.fuse => {
                let Ok(sx) = seccomp::statx_fd(fd.as_fd(), 0, no_atime(libc::STATX_BASIC_STATS))
                else {
                    return Reply::Continue;
                };
                let mut st = seccomp::stat_from_statx(&sx);
                if let Some(rec) = &found.record {
                    patch_stat(&mut st, rec);
                }
                seccomp::stat_bytes(&st)
            }
            None => {
                let Ok(mut st) = seccomp::fstat(fd.as_fd()) else {
                    return Reply::Continue;
                };
                if let Some(rec) = &found.record {
                    patch_stat(&mut st, rec);
                }
                seccomp::stat_bytes(&st)
            }
            Some(mask) => {
                let Ok(mut sx) = seccomp::statx_fd(fd.as_fd(), flags as i32, no_atime(mask)) else {
                    return Reply::Continue;
                };
                sx.stx_mask |= mask & libc::STATX_ATIME;
                if let Some(rec) = &found.record {
                    patch_statx(&mut sx, rec);
                }
                seccomp::statx_bytes(&sx)
            }
        };
        self.write_back(t, buf, &bytes)
    }

    /// `chown`: root (emulated, with CAP_CHOWN) gives any owner; a file's
    /// owner may give its group to one of its own groups.
    #[allow(clippy::too_many_arguments)]
    fn chown(
        &mut self,
        t: &Target<'_>,
        start: &Rc<Creds>,
        dirfd: i32,
        path: u64,
        uid: u32,
        gid: u32,
        flags: u64,
    ) -> Reply {
        let (cuid, cgid) = self.ids;
        let native = (uid == KEEP || uid == cuid) && (gid == KEEP || gid == cgid);
        let Some(path) = self.read_path(t, path, flags) else {
            return Reply::Continue;
        };
        let Some(fd) = self.resolve(t, dirfd, &path, flags) else {
            return Reply::Continue;
        };
        let found = self.cached_record(t, &fd);
        let Some(c) = self.creds(t, start) else {
            return Reply::Continue;
        };
        if native && found.plain_root {
            // On the container's own FUSE root a file without a record is
            // shown as the container's user: this chown changes no owner,
            // and its owner may make it without any capability. With no
            // set-id bit to clear either, it is answered here; the kernel
            // would send the server a SETATTR and a GETXATTR of
            // `security.capability`, two round trips per file that `tar x`
            // extracts as root. (What is skipped: the change time, and
            // dropping a file capability, which only the image can have
            // given the file.)
            let setid = found.mode & libc::S_IFMT != libc::S_IFDIR
                && found.mode & (libc::S_ISUID | libc::S_ISGID) != 0;
            if !setid && c.fsuid() == cuid {
                return Reply::Value(0);
            }
        }
        let Ok(st) = seccomp::fstat(fd.as_fd()) else {
            return Reply::Continue;
        };
        let Some(status) = self.open_pid(t.pid).and_then(|d| Self::read_status(&d)) else {
            return Reply::Continue;
        };
        let cur = found.record;
        let real = status.cap_eff & (1 << CAP_CHOWN) != 0;
        let root = c.euid() == 0 && status.holds(&c, CAP_CHOWN);
        if !root {
            // The kernel's rule for a file's owner, with the recorded owner.
            let (ouid, ogid) = cur.map_or((st.st_uid, st.st_gid), |r| (r.uid, r.gid));
            let may = c.fsuid() == ouid
                && (uid == KEEP || uid == ouid)
                && (gid == KEEP || gid == ogid || c.in_group(gid));
            // Under SECBIT_NOROOT the kernel's view (uid 0 without
            // capabilities) cannot express the change: ours decides.
            if !may {
                return if real || c.noroot {
                    Reply::Error(libc::EPERM)
                } else {
                    Reply::Continue
                };
            }
            if !real && !c.noroot {
                return Reply::Continue;
            }
        }
        let fmt = st.st_mode & libc::S_IFMT;
        if fmt != libc::S_IFREG && fmt != libc::S_IFDIR {
            // No user xattrs on symlinks and special files: the change
            // cannot be kept; pretend, as for any id the kernel refuses.
            return if native {
                Reply::Continue
            } else {
                Reply::Value(0)
            };
        }
        if cur.is_none() && native {
            return Reply::Continue;
        }
        match self.set_record(&fd, chown_record(&st, cur, uid, gid, found.fuse)) {
            Ok(()) => Reply::Value(0),
            Err(e) => Reply::Error(e.raw_os_error().unwrap_or(libc::EIO)),
        }
    }

    /// `chmod` of a file with a record, by its recorded owner (emulated
    /// fsuid) or emulated root with CAP_FOWNER: done by us, then
    /// recorded.
    fn chmod(
        &mut self,
        t: &Target<'_>,
        start: &Rc<Creds>,
        dirfd: i32,
        path: u64,
        mode: u32,
        flags: u64,
    ) -> Reply {
        let Some(path) = self.read_path(t, path, flags) else {
            return Reply::Continue;
        };
        let Some(fd) = self.resolve(t, dirfd, &path, flags) else {
            return Reply::Continue;
        };
        let found = self.cached_record(t, &fd);
        let Some(mut rec) = found.record else {
            // A file on the container's FUSE root without a record, given
            // the mode it has (`tar x` does that for every file): nothing
            // to change, and its owner may; answered here instead of a
            // SETATTR round trip to the server. Set-id bits are left to
            // the kernel, which may clear S_ISGID.
            let same = found.plain_root
                && mode & 0o7777 == found.mode & 0o7777
                && mode & (libc::S_ISUID | libc::S_ISGID) == 0;
            if same
                && self
                    .creds(t, start)
                    .is_some_and(|c| c.fsuid() == self.ids.0)
            {
                return Reply::Value(0);
            }
            return Reply::Continue;
        };
        let Ok(st) = seccomp::fstat(fd.as_fd()) else {
            return Reply::Continue;
        };
        let fmt = st.st_mode & libc::S_IFMT;
        if fmt != libc::S_IFREG && fmt != libc::S_IFDIR {
            return Reply::Continue;
        }
        let Some(status) = self.open_pid(t.pid).and_then(|d| Self::read_status(&d)) else {
            return Reply::Continue;
        };
        let Some(c) = self.creds(t, start) else {
            return Reply::Continue;
        };
        let fowner = c.euid() == 0 && status.holds(&c, CAP_FOWNER);
        if !fowner && c.fsuid() != rec.uid {
            return Reply::Continue;
        }
        let mode = mode & 0o7777;
        if let Err(e) = nix::sys::stat::fchmodat(
            nix::fcntl::AT_FDCWD,
            Self::name(&fd).as_str(),
            nix::sys::stat::Mode::from_bits_truncate(mode),
            nix::sys::stat::FchmodatFlags::FollowSymlink,
        ) {
            return Reply::Error(e as i32);
        }
        rec.mode = mode;
        let plain = implied(&rec, &st, found.fuse);
        match self.set_record(&fd, (!plain).then_some(rec)) {
            Ok(()) => Reply::Value(0),
            Err(e) => Reply::Error(e.raw_os_error().unwrap_or(libc::EIO)),
        }
    }
}

/// What a trapped call creates.
#[derive(Clone, Copy)]
enum Create {
    /// `open` with these flags (O_CREAT among them).
    Open(i32),
    /// `mkdir`.
    Dir,
    /// `mknod` of a regular file.
    File,
}

/// An id argument as the kernel reads it (32 bits; -1 keeps).
fn u_at(a: u64) -> u32 {
    a as u32
}

use std::os::unix::ffi::OsStrExt;

#[cfg(test)]
mod tests {
    use super::*;

    fn stat_of(uid: u32, gid: u32, mode: u32) -> libc::stat {
        // A real stat to start from: no unsafe zeroing outside sys.
        let mut st = seccomp::fstat(std::io::stdin().as_fd())
            .or_else(|_| {
                let f = std::fs::File::open("/").unwrap();
                seccomp::fstat(f.as_fd())
            })
            .unwrap();
        st.st_uid = uid;
        st.st_gid = gid;
        st.st_mode = mode;
        st.st_rdev = 0;
        st
    }

    #[test]
    fn patches_stat() {
        let mut st = stat_of(0, 0, libc::S_IFREG | 0o600);
        patch_stat(&mut st, &OverrideStat::parse(b"33:34:0640").unwrap());
        assert_eq!(
            (st.st_uid, st.st_gid, st.st_mode),
            (33, 34, libc::S_IFREG | 0o640)
        );
        let mut st = stat_of(0, 0, libc::S_IFREG | 0o600);
        patch_stat(&mut st, &OverrideStat::parse(b"0:0:0666:char-1-3").unwrap());
        assert_eq!(st.st_mode, libc::S_IFCHR | 0o666);
        assert_eq!(st.st_rdev, libc::makedev(1, 3));
        // containers/storage's records: the inode's type stays.
        let mut st = stat_of(0, 0, libc::S_IFDIR | 0o700);
        patch_stat(&mut st, &OverrideStat::parse(b"33:33:0755:dir").unwrap());
        assert_eq!((st.st_uid, st.st_mode), (33, libc::S_IFDIR | 0o755));
    }

    #[test]
    fn creds_travel_as_text() {
        let c = Creds::new(33, 44, &[27, 4]);
        assert_eq!(creds_arg(&c), "33:44:4,27");
        assert_eq!(parse_creds_arg("33:44:4,27"), Some(c));
        assert_eq!(parse_creds_arg("0:0:"), Some(Creds::new(0, 0, &[])));
        for bad in ["", "0", "0:x:", "0:0:a", "0:0:1,,2", "-1:0:"] {
            assert_eq!(parse_creds_arg(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn status_fields() {
        let st = parse_status(
            "Name:\tsh\nUmask:\t0027\nTgid:\t812\nPid:\t815\nPPid:\t800\n\
             NSpid:\t815\t7\nCapEff:\t00000000000000c0\nCapBnd:\t000001ffffffffff\n\
             NoNewPrivs:\t1\nSeccomp_filters:\t2\n",
        );
        assert_eq!((st.tgid, st.ppid, st.ns_tid), (812, 800, 7));
        assert_eq!(st.umask, 0o027);
        assert_eq!(st.cap_eff, 0xc0);
        assert_eq!(st.cap_bnd, 0x1ff_ffff_ffff);
        assert!(st.no_new_privs);
        assert_eq!(st.filters, 2);
    }

    #[test]
    fn chown_records_and_forgets() {
        let file = stat_of(0, 0, libc::S_IFREG | 0o4755);
        // -1 keeps, setuid goes
        let r = chown_record(&file, None, 1000, u32::MAX, false).unwrap();
        assert_eq!((r.uid, r.gid, r.mode), (1000, 0, 0o755));
        // back to the inode's own view: no record
        let plain = stat_of(0, 0, libc::S_IFREG | 0o644);
        let cur = OverrideStat::parse(b"33:33:0644").unwrap();
        assert_eq!(chown_record(&plain, Some(cur), 0, 0, false), None);
        // directories keep setgid
        let dir = stat_of(0, 0, libc::S_IFDIR | 0o2775);
        let r = chown_record(&dir, None, 1000, 1000, false).unwrap();
        assert_eq!(r.mode, 0o2775);
        // setgid without group exec is mandatory locking: kept
        let f = stat_of(0, 0, libc::S_IFREG | 0o2644);
        assert_eq!(chown_record(&f, None, 5, 5, false).unwrap().mode, 0o2644);
        // the recorded mode wins over the inode's
        let r = chown_record(
            &plain,
            Some(OverrideStat::parse(b"33:33:0640").unwrap()),
            u32::MAX,
            7,
            false,
        );
        assert_eq!(r.unwrap().to_string(), "33:7:0640");
        // On FUSE a set-id bit lives in the record only: it stays.
        let sgid = stat_of(0, 0, libc::S_IFDIR | 0o2775);
        let cur = OverrideStat::parse(b"0:0:02775").unwrap();
        assert_eq!(chown_record(&sgid, Some(cur), 0, 0, false), None);
        let r = chown_record(&sgid, Some(cur), 0, 0, true).unwrap();
        assert_eq!(r.to_string(), "0:0:02775");
    }
}
