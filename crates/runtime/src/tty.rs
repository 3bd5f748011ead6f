//! Terminals: raw mode on the user's side for every attached terminal, and
//! for `exec -t` the relay between the user's terminal and a pty made in
//! the container, with window-size changes passed on and the last output
//! drained after the process exits.

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::Signal;
use nix::sys::signalfd::SignalFd;
use nix::sys::termios::{SetArg, Termios, cfmakeraw, tcgetattr, tcsetattr};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;
use rsp_sys::{WinSize, get_winsize, set_winsize};
use std::io::{self, Write};
use std::os::fd::{AsFd, OwnedFd};

/// Restores the terminal's mode when dropped.
pub struct RawMode {
    saved: Option<Termios>,
}

impl RawMode {
    pub fn enter() -> RawMode {
        let stdin = io::stdin();
        let saved = tcgetattr(stdin.as_fd()).ok();
        if let Some(t) = &saved {
            let mut raw = t.clone();
            cfmakeraw(&mut raw);
            let _ = tcsetattr(stdin.as_fd(), SetArg::TCSANOW, &raw);
        }
        RawMode { saved }
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        if let Some(t) = &self.saved {
            let _ = tcsetattr(io::stdin().as_fd(), SetArg::TCSANOW, t);
        }
    }
}

/// The user's terminal size, when stdin or stdout is a terminal.
pub fn host_winsize() -> Option<WinSize> {
    get_winsize(io::stdin().as_fd())
        .or_else(|_| get_winsize(io::stdout().as_fd()))
        .ok()
        .filter(|w| w.rows > 0 && w.cols > 0)
}

/// Copies between the terminal and `master` until `child` exits, forwarding
/// other signals from `sigfd` to it. Returns the child's wait status.
pub fn relay(
    master: OwnedFd,
    interactive: bool,
    sigfd: &mut SignalFd,
    child: Pid,
) -> io::Result<WaitStatus> {
    let stdin = io::stdin();
    let mut stdout = io::stdout().lock();
    let mut stdin_open = interactive;
    // Input waits here rather than in a blocking write: a program busy
    // writing its output must still have that output read.
    if let Ok(fl) = nix::fcntl::fcntl(&master, nix::fcntl::FcntlArg::F_GETFL) {
        let _ = nix::fcntl::fcntl(
            &master,
            nix::fcntl::FcntlArg::F_SETFL(
                nix::fcntl::OFlag::from_bits_truncate(fl) | nix::fcntl::OFlag::O_NONBLOCK,
            ),
        );
    }
    let mut pending: Vec<u8> = Vec::new();
    let mut master_open = true;
    let mut buf = vec![0u8; 32 * 1024];
    let mut status = None;
    loop {
        if let Some(st) = status
            && !master_open
        {
            return Ok(st);
        }
        let mut master_ev = PollFlags::empty();
        if master_open {
            master_ev |= PollFlags::POLLIN;
            if !pending.is_empty() {
                master_ev |= PollFlags::POLLOUT;
            }
        }
        let mut fds = vec![
            PollFd::new(sigfd.as_fd(), PollFlags::POLLIN),
            PollFd::new(master.as_fd(), master_ev),
        ];
        if stdin_open && pending.len() < (64 << 10) {
            fds.push(PollFd::new(stdin.as_fd(), PollFlags::POLLIN));
        }
        // Once the child is gone, wait only briefly for the rest of its
        // output: a process it left behind could hold the terminal open.
        let timeout = if status.is_some() {
            PollTimeout::from(200u16)
        } else {
            PollTimeout::NONE
        };
        match poll(&mut fds, timeout) {
            Ok(0) => return Ok(status.unwrap_or(WaitStatus::StillAlive)),
            Ok(_) => {}
            Err(nix::Error::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
        let ready = |i: usize| {
            fds.get(i)
                .and_then(|f| f.revents())
                .is_some_and(|r| !r.is_empty())
        };
        let (sig_ready, master_ready, stdin_ready) = (ready(0), ready(1), ready(2));
        drop(fds);
        if master_ready && !pending.is_empty() {
            match nix::unistd::write(master.as_fd(), &pending) {
                Ok(n) => {
                    pending.drain(..n);
                }
                Err(nix::Error::EAGAIN) | Err(nix::Error::EINTR) => {}
                Err(_) => pending.clear(),
            }
        }
        if master_ready {
            match nix::unistd::read(master.as_fd(), &mut buf) {
                Ok(0) | Err(nix::Error::EIO) => master_open = false,
                Ok(n) => {
                    stdout.write_all(&buf[..n])?;
                    stdout.flush()?;
                }
                Err(nix::Error::EINTR) | Err(nix::Error::EAGAIN) => {}
                Err(e) => return Err(e.into()),
            }
        }
        if stdin_ready {
            match nix::unistd::read(stdin.as_fd(), &mut buf) {
                Ok(0) => {
                    // A terminal has no half-close: end-of-file is ^D.
                    stdin_open = false;
                    pending.push(4);
                }
                Ok(n) => pending.extend_from_slice(&buf[..n]),
                Err(nix::Error::EINTR) | Err(nix::Error::EAGAIN) => {}
                Err(_) => stdin_open = false,
            }
        }
        if sig_ready && let Ok(Some(info)) = sigfd.read_signal() {
            match Signal::try_from(info.ssi_signo as i32) {
                Ok(Signal::SIGCHLD) => {
                    if let Ok(st) = waitpid(child, Some(WaitPidFlag::WNOHANG))
                        && st != WaitStatus::StillAlive
                    {
                        status = Some(st);
                    }
                }
                Ok(Signal::SIGWINCH) => {
                    if let Some(ws) = host_winsize() {
                        let _ = set_winsize(master.as_fd(), ws);
                    }
                }
                Ok(sig) => {
                    let _ = nix::sys::signal::kill(child, sig);
                }
                Err(_) => {}
            }
        }
    }
}
