//! `--init`: rsp itself as the container's pid 1, the way catatonit and
//! tini serve Podman and Docker.
//!
//! Contract: pid 1 reaps every orphan that is re-parented to it, passes
//! every signal it receives on to the command (pid 2), and exits with the
//! command's status (128+N when a signal ended it) once the command exits.

use nix::sys::signal::{SigSet, SigmaskHow, Signal, sigprocmask};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;

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
