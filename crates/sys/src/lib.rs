//! Thin wrappers over the system calls that have no safe binding in
//! `nix`: `clone(2)` with namespace flags, terminal ioctls, closing
//! inherited descriptors; [`spawn`] starts every child process rsp runs
//! code of its own in, [`exe`] keeps rsp's own executable out of a
//! container's reach and [`confine`] confines rsp's processes inside one.
//!
//! Contract: this is the only module where `unsafe` is allowed. A safe
//! function here is sound whatever its caller does (where a rule must
//! hold, the function checks it, as [`spawn::Spawn::start`] checks that
//! the process has one thread); a function whose soundness depends on its
//! caller is an `unsafe fn` whose `# Safety` section says what the caller
//! must ensure, and is called only from this module. Each `unsafe` block
//! states why it is sound.
#![allow(unsafe_code)]

pub mod confine;
pub mod exe;
pub mod mem;
pub mod net;
pub mod seccomp;
pub mod spawn;

pub use spawn::inherited_fd;

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};

/// What [`clone_fork`] returned in this process.
pub enum Forked {
    Parent(libc::pid_t),
    Child,
}

/// `fork(2)` that also moves the child into the namespaces named by
/// `flags` (`CLONE_NEW*`), as one `clone(2)` system call.
///
/// A raw `clone` with no new stack behaves like `fork`: the child runs on a
/// copy of the caller's stack and returns here. [`spawn::Spawn`] is the
/// safe way to start a child.
///
/// # Safety
///
/// Either the calling process has one thread, or the child makes only
/// async-signal-safe calls (raw system calls: no allocation, no lock)
/// until it executes a program or exits with [`exit_now`]: another
/// thread may hold a lock the child would wait on forever, or leave data
/// half-updated. `flags` must not include `CLONE_VM`, `CLONE_THREAD`,
/// `CLONE_VFORK`, `CLONE_SETTLS` or the `CLONE_*TID` flags (the child
/// would share our memory or stack); with `CLONE_FILES`, the child must
/// leave alone the descriptors objects of ours own.
pub unsafe fn clone_fork(flags: libc::c_int) -> io::Result<Forked> {
    let flags = (flags | libc::SIGCHLD) as libc::c_ulong;
    // SAFETY: with a null child stack, clone(2) duplicates the calling
    // process like fork(2); all pointer arguments are null and unused
    // because no CLONE_*TID / CLONE_SETTLS flag is passed.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_clone,
            flags,
            std::ptr::null_mut::<libc::c_void>(),
            std::ptr::null_mut::<libc::c_int>(),
            std::ptr::null_mut::<libc::c_int>(),
            0 as libc::c_ulong,
        )
    };
    match ret {
        -1 => Err(io::Error::last_os_error()),
        0 => Ok(Forked::Child),
        pid => Ok(Forked::Parent(pid as libc::pid_t)),
    }
}

/// Makes the terminal `fd` the controlling terminal of the calling process,
/// which must be a session leader.
pub fn set_controlling_tty(fd: BorrowedFd<'_>) -> io::Result<()> {
    // SAFETY: TIOCSCTTY takes an int argument by value; fd is a live,
    // borrowed descriptor.
    let ret = unsafe { libc::ioctl(fd.as_raw_fd(), libc::TIOCSCTTY, 0) };
    if ret == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Terminal size in rows and columns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WinSize {
    pub rows: u16,
    pub cols: u16,
}

/// Reads the window size of terminal `fd`.
pub fn get_winsize(fd: BorrowedFd<'_>) -> io::Result<WinSize> {
    let mut ws = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ writes one `struct winsize` through the pointer,
    // which points to a live, properly aligned local.
    let ret = unsafe { libc::ioctl(fd.as_raw_fd(), libc::TIOCGWINSZ, &mut ws) };
    if ret == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(WinSize {
        rows: ws.ws_row,
        cols: ws.ws_col,
    })
}

/// Sets the window size of terminal `fd`.
pub fn set_winsize(fd: BorrowedFd<'_>, size: WinSize) -> io::Result<()> {
    let ws = libc::winsize {
        ws_row: size.rows,
        ws_col: size.cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCSWINSZ reads one `struct winsize` through the pointer,
    // which points to a live local.
    let ret = unsafe { libc::ioctl(fd.as_raw_fd(), libc::TIOCSWINSZ, &ws) };
    if ret == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Marks every descriptor from `first` upwards close-on-exec, so that a
/// container never inherits rsp's files.
pub fn cloexec_from(first: RawFd) -> io::Result<()> {
    // SAFETY: close_range(2) only changes descriptor flags; it touches no
    // memory of ours. CLOSE_RANGE_CLOEXEC leaves the descriptors open for
    // our own use until exec.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_close_range,
            first as libc::c_uint,
            libc::c_uint::MAX,
            libc::CLOSE_RANGE_CLOEXEC,
        )
    };
    if ret == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Closes every descriptor from `first` upwards: for a forked process
/// that will not exec (rsp's init inside a container, see
/// [`spawn::ChildCtx::become_init`]), which must not keep the monitor's
/// files open.
///
/// # Safety
///
/// Descriptors owned by objects in this process (statics included)
/// become dangling: the process must have one thread, and must never use
/// or drop such an object afterwards.
pub unsafe fn close_from(first: RawFd) -> io::Result<()> {
    // SAFETY: close_range(2) closes descriptors; it touches no memory of
    // ours. The caller promises not to use objects owning those fds.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_close_range,
            first as libc::c_uint,
            libc::c_uint::MAX,
            0 as libc::c_uint,
        )
    };
    if ret == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Drops this process's resident pages of its own executable's code
/// (`r-xp` mappings of `/proc/self/exe`): for a long-lived process, such as
/// a container's monitor, that ran much start-up code it will not run
/// again. The pages stay in the page cache; whatever runs later is simply
/// faulted back in. Returns the bytes advised.
pub fn release_code_pages() -> io::Result<u64> {
    let exe = std::fs::read_link("/proc/self/exe")?;
    // A memfd's link says "/memfd:NAME (deleted)", its mappings only
    // "/memfd:NAME".
    let exe = exe.to_string_lossy();
    let exe = exe.strip_suffix(" (deleted)").unwrap_or(&exe);
    let maps = std::fs::read_to_string("/proc/self/maps")?;
    let mut total = 0;
    for line in maps.lines() {
        let mut f = line.split_whitespace();
        let (Some(range), Some(perms)) = (f.next(), f.next()) else {
            continue;
        };
        let path = f.nth(3).unwrap_or("");
        if perms != "r-xp" || path != exe {
            continue;
        }
        let Some((a, b)) = range.split_once('-') else {
            continue;
        };
        let (Ok(start), Ok(end)) = (usize::from_str_radix(a, 16), usize::from_str_radix(b, 16))
        else {
            continue;
        };
        // SAFETY: the range is a whole mapping of ours, read and execute
        // only and private: its pages were never written, so discarding
        // them loses nothing, and the kernel reads them back from the file
        // on the next access (a running executable cannot be written to:
        // ETXTBSY). No Rust object lives in this memory.
        let ret =
            unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED) };
        if ret == 0 {
            total += (end - start) as u64;
        }
    }
    Ok(total)
}

/// Immediately ends the calling process without running destructors or
/// flushing stdio: the only correct way out of a forked child that failed
/// before `exec`, since the parent owns every buffer the child inherited.
pub fn exit_now(code: i32) -> ! {
    // SAFETY: _exit(2) is async-signal-safe and never returns.
    unsafe { libc::_exit(code) }
}

/// Whether `fd` refers to a terminal.
pub fn isatty(fd: BorrowedFd<'_>) -> bool {
    nix::unistd::isatty(fd).unwrap_or(false)
}

/// Brings the loopback interface of the current network namespace up.
pub fn loopback_up() -> io::Result<()> {
    let sock = net::inet_socket()?;
    let mut req = net::ifreq("lo")?;
    // SAFETY: SIOCGIFFLAGS reads ifr_name and writes ifr_flags of the live
    // ifreq we pass.
    if unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCGIFFLAGS, &mut req) } < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the kernel just filled the flags member of the union.
    unsafe { req.ifr_ifru.ifru_flags |= (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short };
    // SAFETY: SIOCSIFFLAGS reads the ifreq we pass.
    if unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCSIFFLAGS, &req) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Sends one descriptor over a Unix socket (SCM_RIGHTS).
pub fn send_fd(sock: BorrowedFd<'_>, fd: BorrowedFd<'_>) -> io::Result<()> {
    use nix::sys::socket::{ControlMessage, MsgFlags, sendmsg};
    let fds = [fd.as_raw_fd()];
    let iov = [io::IoSlice::new(b"F")];
    sendmsg::<()>(
        sock.as_raw_fd(),
        &iov,
        &[ControlMessage::ScmRights(&fds)],
        MsgFlags::empty(),
        None,
    )?;
    Ok(())
}

/// Receives one descriptor sent with [`send_fd`]; `None` when the peer
/// closed the socket without sending one.
pub fn recv_fd(sock: BorrowedFd<'_>) -> io::Result<Option<std::os::fd::OwnedFd>> {
    use nix::sys::socket::{ControlMessageOwned, MsgFlags, recvmsg};
    use std::os::fd::{FromRawFd, OwnedFd};
    let mut buf = [0u8; 1];
    let mut iov = [io::IoSliceMut::new(&mut buf)];
    let mut space = nix::cmsg_space!([RawFd; 1]);
    let msg = recvmsg::<()>(
        sock.as_raw_fd(),
        &mut iov,
        Some(&mut space),
        MsgFlags::MSG_CMSG_CLOEXEC,
    )?;
    let mut out = None;
    for c in msg.cmsgs()? {
        if let ControlMessageOwned::ScmRights(fds) = c {
            for fd in fds {
                // SAFETY: the kernel just installed this descriptor in our
                // table for us; nothing else refers to it.
                let owned = unsafe { OwnedFd::from_raw_fd(fd) };
                if out.is_none() {
                    out = Some(owned);
                }
            }
        }
    }
    Ok(out)
}

/// Receives bytes into `buf`, and the one descriptor sent with them if
/// any (a stream socket never returns bytes sent before a descriptor and
/// the descriptor together). `(0, None)`: the peer closed the socket.
pub fn recv_fd_data(
    sock: BorrowedFd<'_>,
    buf: &mut [u8],
) -> io::Result<(usize, Option<std::os::fd::OwnedFd>)> {
    use nix::sys::socket::{ControlMessageOwned, MsgFlags, recvmsg};
    use std::os::fd::{FromRawFd, OwnedFd};
    let mut iov = [io::IoSliceMut::new(buf)];
    let mut space = nix::cmsg_space!([RawFd; 1]);
    let msg = recvmsg::<()>(
        sock.as_raw_fd(),
        &mut iov,
        Some(&mut space),
        MsgFlags::MSG_CMSG_CLOEXEC | MsgFlags::MSG_DONTWAIT,
    )?;
    let n = msg.bytes;
    let mut out = None;
    for c in msg.cmsgs()? {
        if let ControlMessageOwned::ScmRights(fds) = c {
            for fd in fds {
                // SAFETY: the kernel just installed this descriptor in our
                // table for us; nothing else refers to it.
                let owned = unsafe { OwnedFd::from_raw_fd(fd) };
                if out.is_none() {
                    out = Some(owned);
                }
            }
        }
    }
    Ok((n, out))
}

/// A datagram socket pair on which the receiving end (the first) learns
/// the sender's pid from the kernel (SO_PASSCRED), translated into the
/// receiver's pid namespace: how a parent outside a pid namespace finds
/// the host pid of a process inside it.
pub fn pid_report_pair() -> io::Result<(std::os::fd::OwnedFd, std::os::fd::OwnedFd)> {
    use nix::sys::socket::{AddressFamily, SockFlag, SockType, setsockopt, socketpair, sockopt};
    let (a, b) = socketpair(
        AddressFamily::Unix,
        SockType::Datagram,
        None,
        SockFlag::SOCK_CLOEXEC,
    )?;
    setsockopt(&a, sockopt::PassCred, &true)?;
    Ok((a, b))
}

/// The pid of the sender of the next datagram waiting on `sock` (a first
/// end of [`pid_report_pair`]), without blocking; `None` when none waits.
pub fn recv_sender_pid(sock: BorrowedFd<'_>) -> io::Result<Option<libc::pid_t>> {
    use nix::sys::socket::{ControlMessageOwned, MsgFlags, UnixCredentials, recvmsg};
    let mut buf = [0u8; 8];
    let mut iov = [io::IoSliceMut::new(&mut buf)];
    let mut space = nix::cmsg_space!(UnixCredentials);
    let msg = match recvmsg::<()>(
        sock.as_raw_fd(),
        &mut iov,
        Some(&mut space),
        MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_CMSG_CLOEXEC,
    ) {
        Ok(m) => m,
        Err(nix::Error::EAGAIN) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    for c in msg.cmsgs()? {
        if let ControlMessageOwned::ScmCredentials(cred) = c
            && cred.pid() > 0
        {
            return Ok(Some(cred.pid()));
        }
    }
    Ok(None)
}

/// The words of a signal set's `sigset_t`, real-time signals included,
/// for handing it to another process.
pub fn sigset_words(set: &nix::sys::signal::SigSet) -> Vec<u64> {
    let raw: &libc::sigset_t = set.as_ref();
    let n = std::mem::size_of::<libc::sigset_t>() / 8;
    // SAFETY: sigset_t is plain data of `n` whole u64 words on Linux; the
    // slice covers exactly `*raw`, which lives for the call.
    unsafe { std::slice::from_raw_parts((raw as *const libc::sigset_t).cast::<u64>(), n) }.to_vec()
}

/// The signal set [`sigset_words`] gave; missing words are empty, extra
/// ones ignored.
pub fn sigset_from_words(words: &[u64]) -> nix::sys::signal::SigSet {
    // SAFETY: an all-zero sigset_t is the empty set.
    let mut raw: libc::sigset_t = unsafe { std::mem::zeroed() };
    let n = std::mem::size_of::<libc::sigset_t>() / 8;
    // SAFETY: as above; at most `n` words are written into `raw`.
    let dst = unsafe {
        std::slice::from_raw_parts_mut((&mut raw as *mut libc::sigset_t).cast::<u64>(), n)
    };
    for (d, w) in dst.iter_mut().zip(words) {
        *d = *w;
    }
    // SAFETY: `raw` is a valid sigset_t (any bit pattern of its words is).
    unsafe { nix::sys::signal::SigSet::from_sigset_t_unchecked(raw) }
}

/// Restores the default action of SIGPIPE, which the Rust runtime sets to
/// "ignore" and which `exec` would otherwise pass on to the container.
pub fn default_sigpipe() {
    default_action(nix::sys::signal::Signal::SIGPIPE);
}

/// Gives `sig` its default action back.
fn default_action(sig: nix::sys::signal::Signal) {
    use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, sigaction};
    let act = SigAction::new(SigHandler::SigDfl, SaFlags::empty(), SigSet::empty());
    // SAFETY: installing SIG_DFL runs no code of ours in signal context.
    let _ = unsafe { sigaction(sig, &act) };
}

/// Ends the process by `sig`'s default action, whatever handler, mask or
/// ignored disposition it inherited or set up; exits with 128 + the
/// signal's number if the signal somehow does not end it.
pub fn die_by_signal(sig: nix::sys::signal::Signal) -> ! {
    use nix::sys::signal::{SigSet, SigmaskHow};
    default_action(sig);
    let mut set = SigSet::empty();
    set.add(sig);
    let _ = nix::sys::signal::raise(sig);
    // Pending now: unblocking it delivers it before this call returns.
    let _ = nix::sys::signal::pthread_sigmask(SigmaskHow::SIG_UNBLOCK, Some(&set), None);
    exit_now(128 + sig as i32)
}

/// `getxattrat(2)` (Linux 6.13); the same number on every architecture.
const SYS_GETXATTRAT: libc::c_long = 464;

static NO_GETXATTRAT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The value of xattr `attr` on `name` in the directory `dir`, without
/// following a final symlink; `None` when it has none. One system call
/// where the kernel has `getxattrat`, which spares a walk through
/// `/proc/self/fd` (most of the cost of a FUSE lookup); that walk where it
/// does not.
pub fn xattr_at(
    dir: BorrowedFd<'_>,
    name: &std::ffi::OsStr,
    attr: &std::ffi::CStr,
) -> io::Result<Option<Vec<u8>>> {
    use std::os::unix::ffi::OsStrExt;
    let missing = |e: &io::Error| e.raw_os_error() == Some(libc::ENODATA);
    if !NO_GETXATTRAT.load(std::sync::atomic::Ordering::Relaxed) {
        let cname = std::ffi::CString::new(name.as_bytes())
            .map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
        let mut buf = vec![0u8; 256];
        loop {
            #[repr(C)]
            struct XattrArgs {
                value: u64,
                size: u32,
                flags: u32,
            }
            let mut args = XattrArgs {
                value: buf.as_mut_ptr() as u64,
                size: buf.len() as u32,
                flags: 0,
            };
            // SAFETY: every pointer is to a live, NUL-terminated string or
            // to `args`, whose `value` points at `buf` of `size` bytes; the
            // kernel writes at most `size` bytes there and reads `args`
            // only during the call.
            let r = unsafe {
                libc::syscall(
                    SYS_GETXATTRAT,
                    dir.as_raw_fd(),
                    cname.as_ptr(),
                    libc::AT_SYMLINK_NOFOLLOW,
                    attr.as_ptr(),
                    &mut args as *mut XattrArgs,
                    std::mem::size_of::<XattrArgs>(),
                )
            };
            if r >= 0 {
                buf.truncate(r as usize);
                return Ok(Some(buf));
            }
            let e = io::Error::last_os_error();
            match e.raw_os_error() {
                Some(libc::ERANGE) if buf.len() < 1 << 16 => buf.resize(1 << 16, 0),
                Some(libc::ENOSYS) => {
                    NO_GETXATTRAT.store(true, std::sync::atomic::Ordering::Relaxed);
                    break;
                }
                _ if missing(&e) => return Ok(None),
                _ => return Err(e),
            }
        }
    }
    let path = std::path::PathBuf::from(format!("/proc/self/fd/{}", dir.as_raw_fd())).join(name);
    let attr = std::ffi::OsStr::from_bytes(attr.to_bytes());
    xattr::get(path, attr)
}

/// Makes the mount at `fd` (an `O_PATH` handle on its root) and every
/// mount below it read-only, with `mount_setattr(AT_RECURSIVE)`. ENOSYS
/// on kernels before 5.12, which the caller may accept.
pub fn mount_set_readonly_recursive(fd: BorrowedFd<'_>) -> io::Result<()> {
    #[repr(C)]
    struct MountAttr {
        attr_set: u64,
        attr_clr: u64,
        propagation: u64,
        userns_fd: u64,
    }
    let attr = MountAttr {
        attr_set: libc::MOUNT_ATTR_RDONLY,
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    // SAFETY: the path is an empty NUL-terminated string and `attr` a live
    // struct of the size passed; the kernel only reads both during the call.
    let r = unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            fd.as_raw_fd(),
            c"".as_ptr(),
            libc::AT_EMPTY_PATH | libc::AT_RECURSIVE,
            &attr as *const MountAttr,
            std::mem::size_of::<MountAttr>(),
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::sys::signal::{SigSet, Signal};

    #[test]
    fn signal_sets_survive_their_words_real_time_signals_included() {
        let mut set = SigSet::empty();
        set.add(Signal::SIGTERM);
        set.add(Signal::SIGCHLD);
        let mut raw: libc::sigset_t = *set.as_ref();
        // SAFETY: sigaddset writes into the live local set.
        unsafe { libc::sigaddset(&mut raw, libc::SIGRTMIN() + 3) };
        // SAFETY: `raw` is a valid sigset_t.
        let set = unsafe { SigSet::from_sigset_t_unchecked(raw) };
        let back = sigset_from_words(&sigset_words(&set));
        assert!(back.contains(Signal::SIGTERM) && back.contains(Signal::SIGCHLD));
        assert!(!back.contains(Signal::SIGINT));
        // SAFETY: sigismember reads the live set.
        assert_eq!(
            unsafe { libc::sigismember(back.as_ref(), libc::SIGRTMIN() + 3) },
            1
        );
        assert_eq!(sigset_from_words(&[]), SigSet::empty());
    }
}
