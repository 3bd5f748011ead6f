//! `--init`: rsp itself as the container's pid 1, the way catatonit and
//! tini serve Podman and Docker.
//!
//! Contract: pid 1 reaps every orphan that is re-parented to it, passes
//! every signal it receives on to the command (pid 2), and exits with the
//! command's status (128+N when a signal ended it) once the command exits.
//!
//! It is the one rsp process that lives on inside a container, so it is
//! confined against it: non-dumpable from the start (the container cannot
//! ptrace it or open its `/proc/1/exe`, `environ`, `mem`), with its command
//! line and environment cleared, no capabilities, and a seccomp filter
//! that allows only the calls its loop makes. It runs from the
//! write-protected image of rsp that the monitor runs from.

use nix::sys::signal::{SigSet, SigmaskHow, Signal, sigprocmask};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;

/// The system calls pid 1's loop makes: reading the signalfd, reaping,
/// passing signals on, exiting; and what the allocator and the signal
/// return path may need.
const CALLS: &[libc::c_long] = &[
    libc::SYS_read,
    libc::SYS_wait4,
    libc::SYS_waitid,
    libc::SYS_kill,
    libc::SYS_tgkill,
    libc::SYS_exit,
    libc::SYS_exit_group,
    libc::SYS_rt_sigreturn,
    libc::SYS_rt_sigprocmask,
    libc::SYS_restart_syscall,
    libc::SYS_brk,
    libc::SYS_mmap,
    libc::SYS_munmap,
    libc::SYS_mremap,
    libc::SYS_madvise,
    libc::SYS_futex,
    libc::SYS_getpid,
    libc::SYS_gettid,
    libc::SYS_clock_gettime,
];

/// Runs pid 1's loop until `cmd` exits; never returns.
pub fn run(cmd: Pid) -> ! {
    // Nothing of the monitor's may stay open in here: its sockets and
    // pipes must close when the monitor is done with them.
    let _ = crate::sys::close_from(3);
    let _ = nix::sys::prctl::set_name(c"rsp-init");
    let all = SigSet::all();
    let _ = sigprocmask(SigmaskHow::SIG_BLOCK, Some(&all), None);
    let Ok(sfd) = SignalFd::with_flags(&all, SfdFlags::SFD_CLOEXEC) else {
        crate::sys::exit_now(125);
    };
    // Nothing here needs a privilege: the command has our uid, so it may
    // be signalled without one. A kernel without seccomp leaves the loop
    // unfiltered; it stays out of the container's reach all the same
    // (non-dumpable, see `sys::confine`).
    if crate::sys::confine::drop_all_capabilities().is_err() {
        let _ = nix::sys::signal::kill(cmd, Signal::SIGKILL);
        crate::sys::exit_now(125);
    }
    let _ = crate::sys::seccomp::install_allowlist(CALLS);
    loop {
        let Ok(Some(info)) = sfd.read_signal() else {
            continue;
        };
        match Signal::try_from(info.ssi_signo as i32) {
            Ok(Signal::SIGCHLD) => loop {
                match waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
                    Ok(st @ (WaitStatus::Exited(p, _) | WaitStatus::Signaled(p, _, _)))
                        if p == cmd =>
                    {
                        crate::sys::exit_now(super::exit_code(st));
                    }
                    Ok(WaitStatus::StillAlive) | Err(_) => break,
                    Ok(_) => {}
                }
            },
            Ok(sig) => {
                let _ = nix::sys::signal::kill(cmd, sig);
            }
            Err(_) => {}
        }
    }
}
