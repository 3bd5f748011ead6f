//! seccomp user notification for ownership and id emulation: the classic
//! BPF program that traps the stat, chown and chmod families, the id
//! calls and the calls that create inodes (the numbers of the
//! architecture rsp is built for), its installation with a listener, the
//! listener's ioctls (`ADDFD` included), and reading a stopped target's
//! memory (`process_vm_readv`).
//!
//! Contract: the safe functions here are safe to call whatever the
//! caller does: the ownership filter is installed only by
//! [`exec_filtered`], right before `execve`; installing an allow-list is
//! `unsafe` (see [`install_allowlist`]). A listener is an
//! [`OwnedFd`]; a notification is copied out into plain [`Notif`] values.
//! Nothing here decides what to answer: see `runtime::ownership`.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

#[cfg(target_arch = "x86_64")]
const AUDIT_ARCH_X86_64: u32 = 0xC000_003E;
const X32_SYSCALL_BIT: u32 = 0x4000_0000;

/// The audit architecture of the system calls this build of rsp traps
/// and makes: the target's own. Calls of any other architecture a
/// process may make (i386's through `int 0x80`, x32's) are not trapped.
#[cfg(target_arch = "x86_64")]
pub const NATIVE_ARCH: Option<u32> = Some(AUDIT_ARCH_X86_64);
#[cfg(target_arch = "aarch64")]
pub const NATIVE_ARCH: Option<u32> = Some(0xC000_00B7);
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
pub const NATIVE_ARCH: Option<u32> = None;

/// System call numbers of the target architecture, from `libc`. The
/// legacy path calls (`stat`, `chown`, `open`, `mkdir`, ...) exist on
/// x86_64 only; aarch64 has just their `*at` forms.
pub mod nr {
    #![allow(clippy::unnecessary_cast)]
    pub const FSTAT: i64 = libc::SYS_fstat as i64;
    pub const NEWFSTATAT: i64 = libc::SYS_newfstatat as i64;
    pub const STATX: i64 = libc::SYS_statx as i64;
    pub const FCHMOD: i64 = libc::SYS_fchmod as i64;
    pub const FCHOWN: i64 = libc::SYS_fchown as i64;
    pub const FCHOWNAT: i64 = libc::SYS_fchownat as i64;
    pub const FCHMODAT: i64 = libc::SYS_fchmodat as i64;
    /// Linux 6.6; the same number on every architecture.
    pub const FCHMODAT2: i64 = 452;
    pub const OPENAT: i64 = libc::SYS_openat as i64;
    /// Linux 5.6; the same number on every architecture.
    pub const OPENAT2: i64 = 437;
    pub const MKDIRAT: i64 = libc::SYS_mkdirat as i64;
    pub const MKNODAT: i64 = libc::SYS_mknodat as i64;
    pub const EXECVE: i64 = libc::SYS_execve as i64;
    pub const EXECVEAT: i64 = libc::SYS_execveat as i64;
    pub const EXIT_GROUP: i64 = libc::SYS_exit_group as i64;
    pub const SETUID: i64 = libc::SYS_setuid as i64;
    pub const SETGID: i64 = libc::SYS_setgid as i64;
    pub const SETREUID: i64 = libc::SYS_setreuid as i64;
    pub const SETREGID: i64 = libc::SYS_setregid as i64;
    pub const SETRESUID: i64 = libc::SYS_setresuid as i64;
    pub const SETRESGID: i64 = libc::SYS_setresgid as i64;
    pub const SETFSUID: i64 = libc::SYS_setfsuid as i64;
    pub const SETFSGID: i64 = libc::SYS_setfsgid as i64;
    pub const SETGROUPS: i64 = libc::SYS_setgroups as i64;
    pub const GETUID: i64 = libc::SYS_getuid as i64;
    pub const GETEUID: i64 = libc::SYS_geteuid as i64;
    pub const GETGID: i64 = libc::SYS_getgid as i64;
    pub const GETEGID: i64 = libc::SYS_getegid as i64;
    pub const GETRESUID: i64 = libc::SYS_getresuid as i64;
    pub const GETRESGID: i64 = libc::SYS_getresgid as i64;
    pub const GETGROUPS: i64 = libc::SYS_getgroups as i64;
    pub const CAPSET: i64 = libc::SYS_capset as i64;
    pub const PRCTL: i64 = libc::SYS_prctl as i64;
    #[cfg(target_arch = "x86_64")]
    pub const STAT: i64 = libc::SYS_stat as i64;
    #[cfg(target_arch = "x86_64")]
    pub const LSTAT: i64 = libc::SYS_lstat as i64;
    #[cfg(target_arch = "x86_64")]
    pub const CHMOD: i64 = libc::SYS_chmod as i64;
    #[cfg(target_arch = "x86_64")]
    pub const CHOWN: i64 = libc::SYS_chown as i64;
    #[cfg(target_arch = "x86_64")]
    pub const LCHOWN: i64 = libc::SYS_lchown as i64;
    #[cfg(target_arch = "x86_64")]
    pub const OPEN: i64 = libc::SYS_open as i64;
    #[cfg(target_arch = "x86_64")]
    pub const CREAT: i64 = libc::SYS_creat as i64;
    #[cfg(target_arch = "x86_64")]
    pub const MKDIR: i64 = libc::SYS_mkdir as i64;
    #[cfg(target_arch = "x86_64")]
    pub const MKNOD: i64 = libc::SYS_mknod as i64;
}
/// SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (Linux 5.19): once the supervisor
/// has received a notification, only fatal signals interrupt the target.
const WAIT_KILLABLE_RECV: libc::c_ulong = 1 << 5;
/// SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux 6.6).
const SYNC_WAKE_UP: libc::c_ulong = 1;

/// When a system call goes to the supervisor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trap {
    /// Every call.
    Always(i64),
    /// Only when argument `arg` has one of the bits of `mask` set (in its
    /// low 32 bits): `openat` creating a file, not the many opens that
    /// do not.
    IfArg { nr: i64, arg: u8, mask: u32 },
    /// Only when argument `arg` (its low 32 bits) is `value`: one
    /// `prctl` option, not the many others.
    IfArgIs { nr: i64, arg: u8, value: u32 },
}

impl Trap {
    pub fn nr(&self) -> i64 {
        match *self {
            Trap::Always(nr) | Trap::IfArg { nr, .. } | Trap::IfArgIs { nr, .. } => nr,
        }
    }
}

/// The stat, chown and chmod families: the image's owners and modes.
pub fn owner_traps() -> Vec<Trap> {
    #[cfg_attr(not(target_arch = "x86_64"), allow(unused_mut))]
    let mut v = vec![
        nr::FSTAT,
        nr::NEWFSTATAT,
        nr::STATX,
        nr::FCHOWN,
        nr::FCHOWNAT,
        nr::FCHMOD,
        nr::FCHMODAT,
        nr::FCHMODAT2,
    ];
    #[cfg(target_arch = "x86_64")]
    v.extend([nr::STAT, nr::LSTAT, nr::CHOWN, nr::LCHOWN, nr::CHMOD]);
    v.into_iter().map(Trap::Always).collect()
}

/// Id emulation: the id calls, `capset` and `prctl(PR_SET_KEEPCAPS)`
/// (root's capabilities across a change of uid), `execve` (setuid files),
/// `exit_group` (its children's credentials) and the calls that create
/// inodes (their owner). `openat` and `open` only when they may create.
pub fn id_traps() -> Vec<Trap> {
    let creat = libc::O_CREAT as u32;
    let mut v: Vec<Trap> = [
        nr::SETUID,
        nr::SETGID,
        nr::SETREUID,
        nr::SETREGID,
        nr::SETRESUID,
        nr::SETRESGID,
        nr::SETFSUID,
        nr::SETFSGID,
        nr::SETGROUPS,
        nr::GETUID,
        nr::GETEUID,
        nr::GETGID,
        nr::GETEGID,
        nr::GETRESUID,
        nr::GETRESGID,
        nr::GETGROUPS,
        nr::CAPSET,
        nr::EXECVE,
        nr::EXECVEAT,
        nr::EXIT_GROUP,
        nr::OPENAT2,
        nr::MKDIRAT,
        nr::MKNODAT,
    ]
    .into_iter()
    .map(Trap::Always)
    .collect();
    v.push(Trap::IfArg {
        nr: nr::OPENAT,
        arg: 2,
        mask: creat,
    });
    v.push(Trap::IfArgIs {
        nr: nr::PRCTL,
        arg: 0,
        value: libc::PR_SET_KEEPCAPS as u32,
    });
    #[cfg(target_arch = "x86_64")]
    {
        v.extend([nr::CREAT, nr::MKDIR, nr::MKNOD].map(Trap::Always));
        v.push(Trap::IfArg {
            nr: nr::OPEN,
            arg: 1,
            mask: creat,
        });
    }
    v
}

fn stmt(code: u32, k: u32) -> libc::sock_filter {
    libc::sock_filter {
        code: code as u16,
        jt: 0,
        jf: 0,
        k,
    }
}

fn jump(code: u32, k: u32, jt: u8, jf: u8) -> libc::sock_filter {
    libc::sock_filter {
        code: code as u16,
        jt,
        jf,
        k,
    }
}

/// The filter for `traps`: calls of other architectures (i386's through
/// `int 0x80`) and x32 are allowed untouched; on the native architecture
/// the trapped calls go to the listener, the rest run. Layout (classic
/// BPF jumps only forward): the checks of the number, ALLOW, one
/// argument test per [`Trap::IfArg`], ALLOW, NOTIFY.
pub fn program(traps: &[Trap]) -> Vec<libc::sock_filter> {
    const LD_W_ABS: u32 = libc::BPF_LD | libc::BPF_W | libc::BPF_ABS;
    const JEQ_K: u32 = libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K;
    const JGE_K: u32 = libc::BPF_JMP | libc::BPF_JGE | libc::BPF_K;
    const JSET_K: u32 = libc::BPF_JMP | libc::BPF_JSET | libc::BPF_K;
    const RET_K: u32 = libc::BPF_RET | libc::BPF_K;
    let x32 = usize::from(cfg!(target_arch = "x86_64"));
    let head = 3 + x32;
    let n = traps.len();
    let first_allow = head + n;
    let conditional = traps
        .iter()
        .filter(|t| !matches!(t, Trap::Always(_)))
        .count();
    let allow = first_allow + 1 + 2 * conditional;
    let notify = allow + 1;
    let rel = |from: usize, to: usize| -> u8 {
        u8::try_from(to - from - 1).expect("a seccomp program short enough for 8-bit jumps")
    };
    let mut p = Vec::with_capacity(notify + 1);
    // struct seccomp_data: nr at 0, arch at 4, args from 16 (the low half
    // of each first: both architectures are little-endian).
    p.push(stmt(LD_W_ABS, 4));
    p.push(jump(
        JEQ_K,
        NATIVE_ARCH.unwrap_or(0),
        0,
        rel(1, first_allow),
    ));
    p.push(stmt(LD_W_ABS, 0));
    if x32 == 1 {
        p.push(jump(JGE_K, X32_SYSCALL_BIT, rel(3, first_allow), 0));
    }
    let mut blocks = Vec::new();
    for (i, t) in traps.iter().enumerate() {
        let at = head + i;
        let target = match t {
            Trap::Always(_) => notify,
            Trap::IfArg { .. } | Trap::IfArgIs { .. } => {
                let b = first_allow + 1 + 2 * blocks.len();
                blocks.push(*t);
                b
            }
        };
        p.push(jump(JEQ_K, t.nr() as u32, rel(at, target), 0));
    }
    p.push(stmt(RET_K, libc::SECCOMP_RET_ALLOW));
    for t in blocks {
        let at = p.len();
        let (arg, test) = match t {
            Trap::IfArg { arg, mask, .. } => (arg, stmt(JSET_K, mask)),
            Trap::IfArgIs { arg, value, .. } => (arg, stmt(JEQ_K, value)),
            Trap::Always(_) => continue,
        };
        p.push(stmt(LD_W_ABS, 16 + 8 * arg as u32));
        p.push(jump(
            test.code.into(),
            test.k,
            rel(at + 1, notify),
            rel(at + 1, allow),
        ));
    }
    p.push(stmt(RET_K, libc::SECCOMP_RET_ALLOW));
    p.push(stmt(RET_K, libc::SECCOMP_RET_USER_NOTIF));
    p
}

/// What kept [`exec_filtered`] from executing the program.
#[derive(Debug)]
pub enum FilteredExecError {
    /// The filter could not be installed: nothing changed, and the
    /// program may be executed without it.
    Install(io::Error),
    /// Its listener could not be sent.
    HandOver(io::Error),
    /// The supervisor did not acknowledge it.
    NoAck,
    /// `execve` failed, with the filter installed.
    Exec(nix::Error),
    /// The confining program (`confine`) could not be installed: nothing
    /// is executed.
    Confine(io::Error),
}

/// Installs the confining program `confine` (if not empty) on the calling
/// thread, then executes `path`: returns only on failure. Nothing runs in
/// between: whatever the program refuses, only `execve` can meet it.
pub fn exec_confined(
    confine: &[libc::sock_filter],
    path: &std::ffi::CStr,
    argv: &[std::ffi::CString],
    env: &[std::ffi::CString],
) -> FilteredExecError {
    if !confine.is_empty() {
        let mut prog = confine.to_vec();
        // SAFETY: execve follows at once; its failure is returned as is.
        if let Err(e) = unsafe { install_program(&mut prog) } {
            return FilteredExecError::Confine(e);
        }
    }
    match nix::unistd::execve(path, argv, env) {
        Err(e) => FilteredExecError::Exec(e),
        Ok(never) => match never {},
    }
}

/// Installs the confining program `confine` (if not empty; see
/// [`exec_confined`]), then `prog` (a [`program`]; both made beforehand:
/// a forked child of a threaded process must not allocate) on the calling
/// thread, sends its
/// listener to the supervisor on `sock` (and with `wait_ack`, waits for
/// its one byte of acknowledgement), then executes `path`: returns only
/// on failure. Nothing between the filter and `execve` makes a trapped
/// call but `execve` itself, which the supervisor answers.
pub fn exec_filtered(
    confine: &[libc::sock_filter],
    prog: &[libc::sock_filter],
    sock: BorrowedFd<'_>,
    wait_ack: bool,
    path: &std::ffi::CStr,
    argv: &[std::ffi::CString],
    env: &[std::ffi::CString],
) -> FilteredExecError {
    if !confine.is_empty() {
        let mut c = confine.to_vec();
        // SAFETY: what follows until execve is the code below: a refused
        // call there fails, and its failure is returned.
        if let Err(e) = unsafe { install_program(&mut c) } {
            return FilteredExecError::Confine(e);
        }
    }
    // SAFETY: what follows until execve makes none of the trapped calls
    // (sendmsg, close, read; no allocation on success) but execve, whose
    // result is the kernel's own.
    let listener = match unsafe { install_filter(prog) } {
        Ok(l) => l,
        Err(e) => return FilteredExecError::Install(e),
    };
    if let Err(e) = super::send_fd(sock, listener.as_fd()) {
        return FilteredExecError::HandOver(e);
    }
    drop(listener);
    if wait_ack {
        let mut b = [0u8; 1];
        if !matches!(nix::unistd::read(sock, &mut b), Ok(1)) {
            return FilteredExecError::NoAck;
        }
    }
    match nix::unistd::execve(path, argv, env) {
        Err(e) => FilteredExecError::Exec(e),
        Ok(never) => match never {},
    }
}

/// Installs the filter on the calling thread (inherited by its children
/// and kept across exec) and returns its listener, close-on-exec. Needs
/// CAP_SYS_ADMIN in the caller's user namespace or no_new_privs.
///
/// # Safety
///
/// From here on, the trapped calls of this thread return what the
/// supervisor reading the listener answers, which the code making them
/// cannot check (a `stat` may succeed without filling its buffer): the
/// thread must make none of them until it executes a program. See
/// [`exec_filtered`].
unsafe fn install_filter(f: &[libc::sock_filter]) -> io::Result<OwnedFd> {
    let prog = libc::sock_fprog {
        len: f.len() as u16,
        // The kernel only reads the program (it copies it).
        filter: f.as_ptr().cast_mut(),
    };
    let mut last = io::Error::from_raw_os_error(libc::EINVAL);
    for flags in [
        libc::SECCOMP_FILTER_FLAG_NEW_LISTENER | WAIT_KILLABLE_RECV,
        libc::SECCOMP_FILTER_FLAG_NEW_LISTENER,
    ] {
        // SAFETY: `prog` points at a valid filter array that lives across
        // the call; the kernel copies it.
        let r = unsafe {
            libc::syscall(
                libc::SYS_seccomp,
                libc::SECCOMP_SET_MODE_FILTER,
                flags,
                &prog as *const libc::sock_fprog,
            )
        };
        if r >= 0 {
            // SAFETY: the kernel just made this descriptor for us alone.
            let fd = unsafe { OwnedFd::from_raw_fd(r as i32) };
            nix::fcntl::fcntl(
                &fd,
                nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
            )?;
            return Ok(fd);
        }
        last = io::Error::last_os_error();
        if last.raw_os_error() != Some(libc::EINVAL) {
            break;
        }
    }
    Err(last)
}

/// An allow-list: the native architecture's `allowed` calls run, every
/// other call (any other architecture's too, and x32's) fails with EPERM.
pub fn allowlist_program(allowed: &[libc::c_long]) -> Vec<libc::sock_filter> {
    const LD_W_ABS: u32 = libc::BPF_LD | libc::BPF_W | libc::BPF_ABS;
    const JEQ_K: u32 = libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K;
    const RET_K: u32 = libc::BPF_RET | libc::BPF_K;
    let n = allowed.len();
    let mut p = Vec::with_capacity(n + 6);
    // The two returns close the program: DENY at n + 4 + x32, ALLOW after.
    let x32 = usize::from(cfg!(target_arch = "x86_64"));
    let deny = 3 + x32 + n;
    p.push(stmt(LD_W_ABS, 4));
    p.push(jump(JEQ_K, NATIVE_ARCH.unwrap_or(0), 0, (deny - 2) as u8));
    p.push(stmt(LD_W_ABS, 0));
    if x32 == 1 {
        const JGE_K: u32 = libc::BPF_JMP | libc::BPF_JGE | libc::BPF_K;
        p.push(jump(JGE_K, X32_SYSCALL_BIT, (deny - 4) as u8, 0));
    }
    for (i, nr) in allowed.iter().enumerate() {
        // On a match, over the remaining compares and the DENY.
        p.push(jump(JEQ_K, *nr as u32, (n - i) as u8, 0));
    }
    p.push(stmt(RET_K, libc::SECCOMP_RET_ERRNO | libc::EPERM as u32));
    p.push(stmt(RET_K, libc::SECCOMP_RET_ALLOW));
    p
}

/// Installs [`allowlist_program`] on the calling thread, for good (it is
/// inherited and kept across exec). Needs no_new_privs or CAP_SYS_ADMIN in
/// the caller's user namespace.
///
/// # Safety
///
/// Every system call the thread makes from here on that is not in
/// `allowed` fails with EPERM. Code that cannot take such a failure must
/// not run afterwards: `allowed` must hold `rt_sigreturn` if a signal
/// handler may run (a failed return from a handler resumes nowhere), and
/// every call the code that follows needs.
pub unsafe fn install_allowlist(allowed: &[libc::c_long]) -> io::Result<()> {
    if NATIVE_ARCH.is_none() {
        return Err(io::Error::from_raw_os_error(libc::ENOSYS));
    }
    // SAFETY: the caller vouches for `allowed`.
    unsafe { install_program(&mut allowlist_program(allowed)) }
}

/// Installs a filter program made beforehand (a forked child of a
/// threaded process must not allocate).
///
/// # Safety
///
/// As for [`install_allowlist`]: whatever the program refuses, the code
/// that follows must cope without it.
pub unsafe fn install_program(f: &mut [libc::sock_filter]) -> io::Result<()> {
    let prog = libc::sock_fprog {
        len: f.len() as u16,
        filter: f.as_mut_ptr(),
    };
    // SAFETY: `prog` points at a valid filter array that lives across the
    // call; the kernel copies it.
    let r = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            0,
            &prog as *const libc::sock_fprog,
        )
    };
    if r >= 0 {
        return Ok(());
    }
    let e = io::Error::last_os_error();
    if !matches!(
        e.raw_os_error(),
        Some(libc::EPERM | libc::ENOSYS | libc::EACCES)
    ) {
        return Err(e);
    }
    // A sandbox around rsp may refuse seccomp(2) itself but not the older
    // prctl, which installs the same filter (without flags).
    // SAFETY: as above.
    let r = unsafe {
        libc::prctl(
            libc::PR_SET_SECCOMP,
            libc::SECCOMP_MODE_FILTER,
            &prog as *const libc::sock_fprog,
            0,
            0,
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Checks that the kernel's notification structures are no larger than
/// the ones compiled in (it would write past them otherwise).
pub fn check_sizes() -> io::Result<()> {
    let mut sz = libc::seccomp_notif_sizes {
        seccomp_notif: 0,
        seccomp_notif_resp: 0,
        seccomp_data: 0,
    };
    // SAFETY: SECCOMP_GET_NOTIF_SIZES writes one seccomp_notif_sizes
    // through the pointer, which points at a live local.
    let r = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_GET_NOTIF_SIZES,
            0,
            &mut sz as *mut libc::seccomp_notif_sizes,
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    if sz.seccomp_notif as usize > std::mem::size_of::<libc::seccomp_notif>()
        || sz.seccomp_notif_resp as usize > std::mem::size_of::<libc::seccomp_notif_resp>()
    {
        return Err(io::Error::other(
            "the kernel's seccomp notification structures are larger than rsp's",
        ));
    }
    Ok(())
}

/// Asks the kernel to switch to the target right after a reply, and to
/// the supervisor right after a trap, on the same CPU (Linux 6.6). Older
/// kernels refuse: then nothing changes.
pub fn set_sync_wakeup(listener: BorrowedFd<'_>) -> io::Result<()> {
    // SAFETY: SET_FLAGS takes its flags by value; no memory is passed.
    let r = unsafe {
        libc::ioctl(
            listener.as_raw_fd(),
            libc::SECCOMP_IOCTL_NOTIF_SET_FLAGS,
            SYNC_WAKE_UP,
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// One trapped system call.
#[derive(Clone, Copy, Debug)]
pub struct Notif {
    pub id: u64,
    /// The target thread's id in the supervisor's pid namespace.
    pub pid: u32,
    pub nr: i64,
    pub arch: u32,
    pub args: [u64; 6],
}

/// Receives the next notification. Fails with ENOENT when the target was
/// interrupted before we got it.
pub fn recv(listener: BorrowedFd<'_>) -> io::Result<Notif> {
    // SAFETY: all-zero is a valid seccomp_notif, and the kernel requires
    // the buffer to be zeroed.
    let mut req: libc::seccomp_notif = unsafe { std::mem::zeroed() };
    // SAFETY: NOTIF_RECV writes one seccomp_notif (size checked by
    // check_sizes) through the pointer to a live local.
    let r = unsafe {
        libc::ioctl(
            listener.as_raw_fd(),
            libc::SECCOMP_IOCTL_NOTIF_RECV,
            &mut req as *mut libc::seccomp_notif,
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(Notif {
        id: req.id,
        pid: req.pid,
        nr: req.data.nr as i64,
        arch: req.data.arch,
        args: req.data.args,
    })
}

/// The answer to a notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply {
    /// Let the kernel run the system call as if never trapped.
    Continue,
    /// Return this value.
    Value(i64),
    /// Fail with this errno.
    Error(i32),
    /// Already answered (by [`addfd_send`]): nothing more to send.
    Sent,
}

/// Answers notification `id`. ENOENT (the target is gone) is not an error.
pub fn send(listener: BorrowedFd<'_>, id: u64, reply: Reply) -> io::Result<()> {
    if reply == Reply::Sent {
        return Ok(());
    }
    let mut resp = libc::seccomp_notif_resp {
        id,
        val: 0,
        error: 0,
        flags: 0,
    };
    match reply {
        Reply::Continue => resp.flags = libc::SECCOMP_USER_NOTIF_FLAG_CONTINUE as u32,
        Reply::Value(v) => resp.val = v,
        Reply::Error(e) => resp.error = -e,
        Reply::Sent => {}
    }
    // SAFETY: NOTIF_SEND reads one seccomp_notif_resp from a live local.
    let r = unsafe {
        libc::ioctl(
            listener.as_raw_fd(),
            libc::SECCOMP_IOCTL_NOTIF_SEND,
            &mut resp as *mut libc::seccomp_notif_resp,
        )
    };
    if r < 0 {
        let e = io::Error::last_os_error();
        if e.raw_os_error() != Some(libc::ENOENT) {
            return Err(e);
        }
    }
    Ok(())
}

/// Installs `fd` in the target's descriptor table and makes that
/// descriptor the trapped call's result, in one step (Linux 5.14), with
/// close-on-exec when `cloexec`: how a supervisor answers an `open` it
/// made itself. Fails with ENOENT when the target is gone.
pub fn addfd_send(
    listener: BorrowedFd<'_>,
    id: u64,
    fd: BorrowedFd<'_>,
    cloexec: bool,
) -> io::Result<i32> {
    let mut req = libc::seccomp_notif_addfd {
        id,
        flags: libc::SECCOMP_ADDFD_FLAG_SEND as u32,
        srcfd: fd.as_raw_fd() as u32,
        newfd: 0,
        newfd_flags: if cloexec { libc::O_CLOEXEC as u32 } else { 0 },
    };
    // SAFETY: NOTIF_ADDFD reads one seccomp_notif_addfd from a live
    // local; the descriptor it names stays open across the call.
    let r = unsafe {
        libc::ioctl(
            listener.as_raw_fd(),
            libc::SECCOMP_IOCTL_NOTIF_ADDFD,
            &mut req as *mut libc::seccomp_notif_addfd,
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(r)
}

/// Whether notification `id` is still pending: its target still waits in
/// the trapped call, so its thread id still names it.
pub fn id_valid(listener: BorrowedFd<'_>, id: u64) -> bool {
    let mut id = id;
    // SAFETY: ID_VALID reads one u64 through the pointer to a live local.
    unsafe {
        libc::ioctl(
            listener.as_raw_fd(),
            libc::SECCOMP_IOCTL_NOTIF_ID_VALID,
            &mut id as *mut u64,
        ) == 0
    }
}

/// Reads the target's memory at `addr` into `buf`; returns the bytes read.
pub fn vm_read(pid: u32, addr: u64, buf: &mut [u8]) -> io::Result<usize> {
    let local = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    let remote = libc::iovec {
        iov_base: addr as *mut libc::c_void,
        iov_len: buf.len(),
    };
    // SAFETY: the local iovec covers exactly `buf`, which is live and
    // writable; the remote side is checked by the kernel.
    let n = unsafe { libc::process_vm_readv(pid as libc::pid_t, &local, 1, &remote, 1, 0) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(n as usize)
}

/// The bytes of a `struct stat` as the kernel would write them.
pub fn stat_bytes(st: &libc::stat) -> Vec<u8> {
    let len = std::mem::size_of::<libc::stat>();
    // SAFETY: libc::stat is plain old data with explicit padding fields on
    // x86_64 (every byte initialized); the slice covers exactly `*st`.
    unsafe { std::slice::from_raw_parts((st as *const libc::stat).cast::<u8>(), len) }.to_vec()
}

/// The bytes of a `struct statx` as the kernel would write them.
pub fn statx_bytes(st: &libc::statx) -> Vec<u8> {
    let len = std::mem::size_of::<libc::statx>();
    // SAFETY: libc::statx is plain old data whose reserved fields are
    // explicit (every byte initialized); the slice covers exactly `*st`.
    unsafe { std::slice::from_raw_parts((st as *const libc::statx).cast::<u8>(), len) }.to_vec()
}

/// `fstat(2)` of any descriptor, O_PATH ones included.
pub fn fstat(fd: BorrowedFd<'_>) -> io::Result<libc::stat> {
    Ok(nix::sys::stat::fstat(fd)?)
}

/// The `stat` that `stat(2)` would give, from a statx's fields.
pub fn stat_from_statx(sx: &libc::statx) -> libc::stat {
    // SAFETY: all-zero is a valid stat (plain integers and padding).
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    st.st_dev = libc::makedev(sx.stx_dev_major, sx.stx_dev_minor);
    st.st_ino = sx.stx_ino;
    st.st_nlink = sx.stx_nlink as _;
    st.st_mode = sx.stx_mode as _;
    st.st_uid = sx.stx_uid;
    st.st_gid = sx.stx_gid;
    st.st_rdev = libc::makedev(sx.stx_rdev_major, sx.stx_rdev_minor);
    st.st_size = sx.stx_size as _;
    st.st_blksize = sx.stx_blksize as _;
    st.st_blocks = sx.stx_blocks as _;
    st.st_atime = sx.stx_atime.tv_sec;
    st.st_atime_nsec = sx.stx_atime.tv_nsec as _;
    st.st_mtime = sx.stx_mtime.tv_sec;
    st.st_mtime_nsec = sx.stx_mtime.tv_nsec as _;
    st.st_ctime = sx.stx_ctime.tv_sec;
    st.st_ctime_nsec = sx.stx_ctime.tv_nsec as _;
    st
}

/// `statx(2)` of the descriptor itself (AT_EMPTY_PATH); `flags` may add
/// AT_STATX_* sync flags.
pub fn statx_fd(fd: BorrowedFd<'_>, flags: i32, mask: u32) -> io::Result<libc::statx> {
    // SAFETY: all-zero is a valid statx.
    let mut sx: libc::statx = unsafe { std::mem::zeroed() };
    // SAFETY: the path is an empty C string, and statx writes one statx
    // through the pointer to a live local.
    let r = unsafe {
        libc::statx(
            fd.as_raw_fd(),
            c"".as_ptr(),
            libc::AT_EMPTY_PATH | (flags & libc::AT_STATX_SYNC_TYPE),
            mask,
            &mut sx,
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(sx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_from_statx_matches_fstat() {
        let f = std::fs::File::open("/proc/self/exe").unwrap();
        let st = fstat(f.as_fd()).unwrap();
        let sx = statx_fd(f.as_fd(), 0, libc::STATX_BASIC_STATS).unwrap();
        let got = stat_from_statx(&sx);
        assert_eq!(stat_bytes(&got), stat_bytes(&st));
    }

    #[test]
    fn program_jumps_land_on_the_returns() {
        let mut traps = owner_traps();
        traps.extend(id_traps());
        let p = program(&traps);
        let head = if cfg!(target_arch = "x86_64") { 4 } else { 3 };
        let n = traps.len();
        let first_allow = head + n;
        let notify = p.len() - 1;
        let allow = p.len() - 2;
        let is_allow = |i: usize| p[i].k == libc::SECCOMP_RET_ALLOW && i >= first_allow;
        assert!(is_allow(first_allow) && is_allow(allow));
        assert_eq!(p[notify].k, libc::SECCOMP_RET_USER_NOTIF);
        // arch mismatch -> ALLOW
        assert!(is_allow(2 + p[1].jf as usize));
        if head == 4 {
            // x32 -> ALLOW
            assert!(is_allow(4 + p[3].jt as usize));
        }
        let mut blocks = 0;
        for (i, t) in traps.iter().enumerate() {
            let at = head + i;
            assert_eq!(p[at].k, t.nr() as u32);
            let to = at + 1 + p[at].jt as usize;
            match t {
                Trap::Always(_) => assert_eq!(to, notify),
                Trap::IfArg { arg, mask: k, .. } | Trap::IfArgIs { arg, value: k, .. } => {
                    assert_eq!(to, first_allow + 1 + 2 * blocks);
                    blocks += 1;
                    assert_eq!(p[to].k, 16 + 8 * *arg as u32);
                    assert_eq!(p[to + 1].k, *k);
                    assert_eq!(to + 2 + p[to + 1].jt as usize, notify);
                    assert_eq!(to + 2 + p[to + 1].jf as usize, allow);
                }
            }
        }
        assert_eq!(allow, first_allow + 1 + 2 * blocks);
        // Each trapped number once.
        let mut nrs: Vec<i64> = traps.iter().map(Trap::nr).collect();
        nrs.sort();
        nrs.dedup();
        assert_eq!(nrs.len(), n);
    }

    #[test]
    fn allowlist_jumps_land_on_the_returns() {
        let allowed = [libc::SYS_read, libc::SYS_wait4, libc::SYS_exit_group];
        let p = allowlist_program(&allowed);
        let allow = p.len() - 1;
        let deny = p.len() - 2;
        assert_eq!(p[allow].k, libc::SECCOMP_RET_ALLOW);
        assert_eq!(p[deny].k, libc::SECCOMP_RET_ERRNO | libc::EPERM as u32);
        // Another architecture -> DENY.
        assert_eq!(2 + p[1].jf as usize, deny);
        let first = if cfg!(target_arch = "x86_64") {
            // x32 -> DENY.
            assert_eq!(4 + p[3].jt as usize, deny);
            4
        } else {
            3
        };
        for (i, nr) in allowed.iter().enumerate() {
            let at = first + i;
            assert_eq!(p[at].k, *nr as u32);
            assert_eq!(at + 1 + p[at].jt as usize, allow);
        }
        assert_eq!(first + allowed.len(), deny);
    }

    #[test]
    fn an_allowlisted_child_gets_eperm_for_the_rest() {
        // In a forked child: the filter is for good. The program is made
        // first: the test harness has threads, so the child must not
        // allocate.
        let mut prog = allowlist_program(&[libc::SYS_getpid, libc::SYS_exit_group, libc::SYS_exit]);
        // SAFETY: the child makes only system calls (the program is made
        // and the errno read without allocating) and ends with _exit.
        match unsafe { crate::clone_fork(0) }.unwrap() {
            crate::Forked::Child => {
                let _ = nix::sys::prctl::set_no_new_privs();
                // SAFETY: the child only makes the allowed calls, and
                // getppid, whose failure it expects.
                let ok = unsafe { install_program(&mut prog) }.is_ok();
                // Through syscall(2), which sets errno: glibc's getppid()
                // cannot fail, so it would not.
                // SAFETY: getppid takes no arguments.
                let denied = unsafe { libc::syscall(libc::SYS_getppid) } == -1
                    && io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
                // SAFETY: getpid takes no arguments.
                let allowed = unsafe { libc::syscall(libc::SYS_getpid) } > 0;
                crate::exit_now(if ok && denied && allowed { 0 } else { 1 })
            }
            crate::Forked::Parent(pid) => {
                let st = nix::sys::wait::waitpid(nix::unistd::Pid::from_raw(pid), None).unwrap();
                assert_eq!(
                    st,
                    nix::sys::wait::WaitStatus::Exited(nix::unistd::Pid::from_raw(pid), 0)
                );
            }
        }
    }
}
