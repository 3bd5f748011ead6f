//! Ownership emulation (`--owners image`): the image's owners and modes,
//! recorded in the [`OVERRIDE_STAT_XATTR`] xattr, shown to the container
//! and kept up to date by its `chown` and `chmod`, though its user
//! namespace maps only one id.
//!
//! Contract: the container's command (and every `rsp exec` process) runs
//! under a seccomp filter that hands the stat, chown and chmod families
//! (x86_64 only) to one supervisor per container run: rsp re-executed with
//! [`ARG`], started by the monitor. The supervisor opens the host `/proc`
//! first, makes itself non-dumpable, then joins the container's user and
//! mount namespaces, so its stat results come back in the container's id
//! view and its privileges are exactly those of container root. For each
//! call it resolves the path as the caller would (absolute paths with
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
//! - chown (needs CAP_CHOWN in the caller): `-1` keeps an id; the result is
//!   recorded in the xattr (removed once it says nothing more than the
//!   inode), setuid/setgid cleared on non-directories as the kernel does.
//!   Symlinks and special files cannot carry the xattr: the call succeeds
//!   without recording.
//! - chmod of a file with a record (by its recorded owner or with
//!   CAP_FOWNER): done by the supervisor, then recorded.
//!
//! The supervisor serves more listeners handed over on a control socket
//! (`owners` in the container's runtime directory, for `rsp exec`), and
//! exits once every listener is closed: the container is gone.

use nix::fcntl::{OFlag, OpenHow, ResolveFlag};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use rsp_storage::layer::{OVERRIDE_STAT_XATTR, OverrideStat};
use rsp_sys::seccomp::{self, Notif, Reply, nr};
use std::ffi::OsString;
use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};

/// argv[1] that makes rsp an ownership supervisor.
pub const ARG: &str = "__owners";
/// The control socket's name in the container's runtime directory.
pub const CONTROL: &str = "owners";

const AUDIT_ARCH_X86_64: u32 = 0xC000_003E;
const CAP_CHOWN: u32 = 0;
const CAP_FOWNER: u32 = 3;

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

/// What `chown(uid, gid)` makes of a regular file or directory that the
/// kernel shows as `st` and that has `cur` recorded; `None` when the
/// result says nothing beyond the inode (the record goes).
pub fn chown_record(
    st: &libc::stat,
    cur: Option<OverrideStat>,
    uid: u32,
    gid: u32,
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
    (!r.is_implied_by(st.st_uid, st.st_gid, st.st_mode)).then_some(r)
}

// ---- starting it ----

/// Starts the supervisor for a container run: `listener` from its command,
/// the namespaces of its pid 1, `run_dir` for the control socket, and the
/// one uid/gid its user namespace maps.
pub fn spawn(
    listener: OwnedFd,
    userns: OwnedFd,
    mntns: OwnedFd,
    run_dir: &Path,
    ids: (u32, u32),
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
    inherit(&listener)?;
    inherit(&userns)?;
    inherit(&mntns)?;
    // From the write-protected image (the monitor's own) and with none of
    // the monitor's environment: it joins the container's namespaces.
    let exe = rsp_sys::exe::self_path().map_err(OwnershipError::Spawn)?;
    let child = std::process::Command::new(exe)
        .env_clear()
        .arg0("rsp")
        .arg(ARG)
        .arg(listener.as_raw_fd().to_string())
        .arg(userns.as_raw_fd().to_string())
        .arg(mntns.as_raw_fd().to_string())
        .arg(run_dir)
        .arg(ids.0.to_string())
        .arg(ids.1.to_string())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .map_err(OwnershipError::Spawn);
    // Ours are closed here: the supervisor holds the only copies.
    drop((listener, userns, mntns));
    child
}

/// For `rsp exec`: a connection to the container's supervisor, when it
/// has one.
pub fn connect(run_dir: &Path) -> Option<UnixStream> {
    with_dir(run_dir, |p| UnixStream::connect(p.join(CONTROL))).ok()
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

/// Entry point: `rsp __owners LISTENER_FD USERNS_FD MNTNS_FD RUN_DIR UID GID`.
/// Returns when the container is gone; the caller reports an error.
pub fn main(args: &[OsString]) -> Result<(), OwnershipError> {
    serve(args)
}

fn setup(what: &'static str) -> impl Fn(nix::Error) -> OwnershipError {
    move |e| OwnershipError::Setup {
        what,
        source: e.into(),
    }
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
    let listener = fd(0)?;
    let userns = fd(1)?;
    let mntns = fd(2)?;
    let run_dir = PathBuf::from(args.get(3).ok_or_else(bad)?);
    let ids = (num(4)?, num(5)?);
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
    let _ = seccomp::set_sync_wakeup(listener.as_fd());
    let mut sup = Supervisor {
        proc,
        self_fd,
        ids,
        userns_ino,
    };
    let mut listeners = vec![listener];
    let mut conns: Vec<UnixStream> = Vec::new();
    while !listeners.is_empty() {
        let mut fds = vec![PollFd::new(control.as_fd(), PollFlags::POLLIN)];
        fds.extend(
            conns
                .iter()
                .map(|c| PollFd::new(c.as_fd(), PollFlags::POLLIN)),
        );
        fds.extend(
            listeners
                .iter()
                .map(|l| PollFd::new(l.as_fd(), PollFlags::POLLIN)),
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
                sup.handle(l.as_fd());
            } else if r.intersects(PollFlags::POLLHUP | PollFlags::POLLERR | PollFlags::POLLNVAL) {
                dead.push(i);
            }
        }
        for i in dead.into_iter().rev() {
            listeners.remove(i);
        }
        // New listeners from `rsp exec`: served from now on, then acked.
        let mut done = Vec::new();
        for (i, c) in conns.iter_mut().enumerate() {
            if revents[1 + i].is_empty() {
                continue;
            }
            done.push(i);
            if let Ok(Some(l)) = rsp_sys::recv_fd(c.as_fd()) {
                let _ = seccomp::set_sync_wakeup(l.as_fd());
                listeners.push(l);
                let _ = c.write_all(b"1");
            }
        }
        for i in done.into_iter().rev() {
            conns.remove(i);
        }
        if revents[0].contains(PollFlags::POLLIN) {
            while let Ok((c, _)) = control.accept() {
                conns.push(c);
            }
        }
    }
    Ok(())
}

struct Supervisor {
    /// The host's /proc.
    proc: OwnedFd,
    /// Our own /proc/self/fd, our cwd.
    self_fd: OwnedFd,
    /// The container's one mapped uid and gid.
    ids: (u32, u32),
    /// The inode of the container's user namespace.
    userns_ino: u64,
}

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
    fn handle(&mut self, listener: BorrowedFd<'_>) {
        let Ok(n) = seccomp::recv(listener) else {
            return;
        };
        let reply = self.dispatch(listener, &n);
        let _ = seccomp::send(listener, n.id, reply);
    }

    fn dispatch(&mut self, listener: BorrowedFd<'_>, n: &Notif) -> Reply {
        if n.arch != AUDIT_ARCH_X86_64 {
            return Reply::Continue;
        }
        let a = n.args;
        let t = Target {
            pid: n.pid,
            id: n.id,
            listener,
        };
        if !self.in_container_userns(&t) {
            return Reply::Continue;
        }
        let cwd = libc::AT_FDCWD;
        match n.nr {
            nr::STAT => self.stat(&t, cwd, a[0], 0, a[1], None),
            nr::LSTAT => self.stat(&t, cwd, a[0], AT_NOFOLLOW, a[1], None),
            nr::FSTAT => self.stat(&t, a[0] as i32, 0, AT_EMPTY_PATH, a[1], None),
            nr::NEWFSTATAT => self.stat(&t, a[0] as i32, a[1], a[3], a[2], None),
            nr::STATX => self.stat(&t, a[0] as i32, a[1], a[2], a[4], Some(a[3] as u32)),
            nr::CHOWN => self.chown(&t, cwd, a[0], a[1] as u32, a[2] as u32, 0),
            nr::LCHOWN => self.chown(&t, cwd, a[0], a[1] as u32, a[2] as u32, AT_NOFOLLOW),
            nr::FCHOWN => self.chown(&t, a[0] as i32, 0, a[1] as u32, a[2] as u32, AT_EMPTY_PATH),
            nr::FCHOWNAT => self.chown(&t, a[0] as i32, a[1], a[2] as u32, a[3] as u32, a[4]),
            nr::CHMOD => self.chmod(&t, cwd, a[0], a[1] as u32, 0),
            nr::FCHMOD => self.chmod(&t, a[0] as i32, 0, a[1] as u32, AT_EMPTY_PATH),
            nr::FCHMODAT => self.chmod(&t, a[0] as i32, a[1], a[2] as u32, 0),
            nr::FCHMODAT2 => self.chmod(&t, a[0] as i32, a[1], a[2] as u32, a[3]),
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

    /// Writes `bytes` at `addr` in the trapped thread's memory. The memory
    /// is opened first and the notification checked after: if the thread
    /// died and its id went to another process meanwhile (a FUSE mount in
    /// the container can stall us for as long as it likes), the check
    /// fails, and an open memory file stays the memory of the process it
    /// was opened for.
    fn write_back(&self, t: &Target<'_>, addr: u64, bytes: &[u8]) -> Reply {
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
        let Ok(offset) = i64::try_from(addr) else {
            return Reply::Error(libc::EFAULT);
        };
        match nix::sys::uio::pwrite(&mem, bytes, offset) {
            Ok(n) if n == bytes.len() => Reply::Value(0),
            _ => Reply::Error(libc::EFAULT),
        }
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
                // say for a start below it: take that root as ours.
                nix::unistd::fchdir(&root).ok()?;
                let r = nix::unistd::chroot(".");
                let _ = nix::unistd::fchdir(&self.self_fd);
                r.ok()?;
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

    fn set_record(&self, fd: &OwnedFd, r: Option<OverrideStat>) -> std::io::Result<()> {
        let name = Self::name(fd);
        match r {
            Some(r) => xattr::set_deref(&name, OVERRIDE_STAT_XATTR, r.to_string().as_bytes()),
            None => match xattr::remove_deref(&name, OVERRIDE_STAT_XATTR) {
                Err(e) if e.raw_os_error() == Some(libc::ENODATA) => Ok(()),
                r => r,
            },
        }
    }

    /// The target's effective capabilities and fsuid, from its status.
    fn creds(&self, t: &Target<'_>) -> Option<(u64, u32)> {
        let mut f =
            std::fs::File::from(self.open_proc(&format!("{}/status", t.pid), OFlag::O_RDONLY)?);
        let mut s = String::new();
        f.read_to_string(&mut s).ok()?;
        if !t.valid() {
            return None;
        }
        let mut caps = None;
        let mut fsuid = None;
        for line in s.lines() {
            if let Some(v) = line.strip_prefix("CapEff:") {
                caps = u64::from_str_radix(v.trim(), 16).ok();
            } else if let Some(v) = line.strip_prefix("Uid:") {
                fsuid = v.split_whitespace().nth(3).and_then(|u| u.parse().ok());
            }
        }
        Some((caps?, fsuid?))
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
        let Some(rec) = self.record(&fd) else {
            return Reply::Continue;
        };
        let bytes = match statx_mask {
            None => {
                let Ok(mut st) = seccomp::fstat(fd.as_fd()) else {
                    return Reply::Continue;
                };
                patch_stat(&mut st, &rec);
                seccomp::stat_bytes(&st)
            }
            Some(mask) => {
                let Ok(mut sx) = seccomp::statx_fd(fd.as_fd(), flags as i32, mask) else {
                    return Reply::Continue;
                };
                patch_statx(&mut sx, &rec);
                seccomp::statx_bytes(&sx)
            }
        };
        self.write_back(t, buf, &bytes)
    }

    fn chown(
        &mut self,
        t: &Target<'_>,
        dirfd: i32,
        path: u64,
        uid: u32,
        gid: u32,
        flags: u64,
    ) -> Reply {
        let (cuid, cgid) = self.ids;
        let native = (uid == u32::MAX || uid == cuid) && (gid == u32::MAX || gid == cgid);
        let Some(path) = self.read_path(t, path, flags) else {
            return Reply::Continue;
        };
        let Some(fd) = self.resolve(t, dirfd, &path, flags) else {
            return Reply::Continue;
        };
        let Ok(st) = seccomp::fstat(fd.as_fd()) else {
            return Reply::Continue;
        };
        match self.creds(t) {
            Some((caps, _)) if caps & (1 << CAP_CHOWN) != 0 => {}
            _ => return Reply::Continue,
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
        let cur = self.record(&fd);
        if cur.is_none() && native {
            return Reply::Continue;
        }
        match self.set_record(&fd, chown_record(&st, cur, uid, gid)) {
            Ok(()) => Reply::Value(0),
            Err(e) => Reply::Error(e.raw_os_error().unwrap_or(libc::EIO)),
        }
    }

    fn chmod(&mut self, t: &Target<'_>, dirfd: i32, path: u64, mode: u32, flags: u64) -> Reply {
        let Some(path) = self.read_path(t, path, flags) else {
            return Reply::Continue;
        };
        let Some(fd) = self.resolve(t, dirfd, &path, flags) else {
            return Reply::Continue;
        };
        let Some(mut rec) = self.record(&fd) else {
            return Reply::Continue;
        };
        let Ok(st) = seccomp::fstat(fd.as_fd()) else {
            return Reply::Continue;
        };
        let fmt = st.st_mode & libc::S_IFMT;
        if fmt != libc::S_IFREG && fmt != libc::S_IFDIR {
            return Reply::Continue;
        }
        match self.creds(t) {
            Some((caps, fsuid)) if caps & (1 << CAP_FOWNER) != 0 || fsuid == rec.uid => {}
            _ => return Reply::Continue,
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
        let plain = rec.is_implied_by(st.st_uid, st.st_gid, st.st_mode);
        match self.set_record(&fd, (!plain).then_some(rec)) {
            Ok(()) => Reply::Value(0),
            Err(e) => Reply::Error(e.raw_os_error().unwrap_or(libc::EIO)),
        }
    }
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
    fn chown_records_and_forgets() {
        let file = stat_of(0, 0, libc::S_IFREG | 0o4755);
        // -1 keeps, setuid goes
        let r = chown_record(&file, None, 1000, u32::MAX).unwrap();
        assert_eq!((r.uid, r.gid, r.mode), (1000, 0, 0o755));
        // back to the inode's own view: no record
        let plain = stat_of(0, 0, libc::S_IFREG | 0o644);
        let cur = OverrideStat::parse(b"33:33:0644").unwrap();
        assert_eq!(chown_record(&plain, Some(cur), 0, 0), None);
        // directories keep setgid
        let dir = stat_of(0, 0, libc::S_IFDIR | 0o2775);
        let r = chown_record(&dir, None, 1000, 1000).unwrap();
        assert_eq!(r.mode, 0o2775);
        // setgid without group exec is mandatory locking: kept
        let f = stat_of(0, 0, libc::S_IFREG | 0o2644);
        assert_eq!(chown_record(&f, None, 5, 5).unwrap().mode, 0o2644);
        // the recorded mode wins over the inode's
        let r = chown_record(
            &plain,
            Some(OverrideStat::parse(b"33:33:0640").unwrap()),
            u32::MAX,
            7,
        );
        assert_eq!(r.unwrap().to_string(), "33:7:0640");
    }
}
