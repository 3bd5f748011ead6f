//! The client side of attaching to a container's monitor: `run` in the
//! foreground, `start -a`, `attach`.
//!
//! Contract: output frames go to our stdout and stderr as they come; our
//! stdin goes to the container when asked for; the detach keys (ctrl-p
//! ctrl-q unless `--detach-keys` says otherwise) end the attachment and
//! leave the container running. With a terminal, it is put in raw mode and
//! restored on every way out, and window-size changes are passed on. The
//! client never blocks writing to the monitor while output is waiting, so
//! a container that echoes its input cannot deadlock with us.

use super::proto;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{SigSet, SigmaskHow, Signal, sigprocmask};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::unistd::Pid;
use rsp_sys::get_winsize;
use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;

pub const DEFAULT_DETACH_KEYS: &str = "ctrl-p,ctrl-q";

/// How an attachment ended.
#[derive(Debug, PartialEq, Eq)]
pub enum AttachEnd {
    Exited(i32),
    /// The user pressed the detach keys.
    Detached,
    /// The monitor went away without an exit code.
    Lost,
}

pub struct AttachOptions {
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
    /// The container has a terminal.
    pub tty: bool,
    /// Bytes that detach; empty disables detaching.
    pub detach_keys: Vec<u8>,
    /// Forward the signals we get to this process (`--sig-proxy`).
    pub sig_proxy: Option<i32>,
}

/// Parses Podman's `--detach-keys`: comma-separated `ctrl-X` or single
/// characters; an empty string disables detaching.
pub fn parse_detach_keys(s: &str) -> Result<Vec<u8>, String> {
    if s.is_empty() {
        return Ok(Vec::new());
    }
    s.split(',')
        .map(|k| {
            let bad = || {
                format!(
                    "invalid detach key {k:?} in {s:?}: use a comma-separated list of single characters or ctrl-<value> with <value> one of a-z, @, [, \\, ], ^, _"
                )
            };
            if let Some(c) = k.strip_prefix("ctrl-") {
                let b = match c.as_bytes() {
                    [b] if b.is_ascii_lowercase() => b - b'a' + 1,
                    [b'@'] => 0,
                    [b'['] => 27,
                    [b'\\'] | [b'\\', b'\\'] => 28,
                    [b']'] => 29,
                    [b'^'] => 30,
                    [b'_'] => 31,
                    _ => return Err(bad()),
                };
                Ok(b)
            } else if k.len() == 1 {
                Ok(k.as_bytes()[0])
            } else {
                Err(bad())
            }
        })
        .collect()
}

/// Scans input for the detach sequence, holding back a partial match.
struct DetachScanner {
    keys: Vec<u8>,
    matched: usize,
}

impl DetachScanner {
    /// Returns the bytes to send and whether the sequence was completed.
    fn feed(&mut self, data: &[u8]) -> (Vec<u8>, bool) {
        if self.keys.is_empty() {
            return (data.to_vec(), false);
        }
        let mut out = Vec::with_capacity(data.len());
        for &b in data {
            if b == self.keys[self.matched] {
                self.matched += 1;
                if self.matched == self.keys.len() {
                    return (out, true);
                }
            } else {
                out.extend_from_slice(&self.keys[..self.matched]);
                self.matched = 0;
                if b == self.keys[0] {
                    self.matched = 1;
                } else {
                    out.push(b);
                }
            }
        }
        (out, false)
    }
}

fn resize_frame(out: &mut Vec<u8>) {
    let ws = get_winsize(io::stdin().as_fd()).or_else(|_| get_winsize(io::stdout().as_fd()));
    if let Ok(ws) = ws
        && ws.rows > 0
    {
        let mut p = ws.rows.to_le_bytes().to_vec();
        p.extend_from_slice(&ws.cols.to_le_bytes());
        proto::encode(proto::RESIZE, &p, out);
    }
}

/// Relays between the monitor and our stdio until the container exits,
/// the user detaches, or the monitor goes away.
pub fn attach(mut sock: UnixStream, opts: &AttachOptions) -> io::Result<AttachEnd> {
    let mut pending = Vec::new();
    let mut flags = 0;
    if opts.stdin {
        flags |= proto::WANT_STDIN;
    }
    if opts.stdout {
        flags |= proto::WANT_STDOUT;
    }
    if opts.stderr {
        flags |= proto::WANT_STDERR;
    }
    proto::encode(proto::HELLO, &[flags], &mut pending);
    let stdin_tty = rsp_sys::isatty(io::stdin().as_fd());
    if opts.tty {
        resize_frame(&mut pending);
    }
    let _raw = (opts.tty && opts.stdin && stdin_tty).then(super::tty::RawMode::enter);
    let mut scanner = DetachScanner {
        // Detaching is for people at a terminal: piped binary input could
        // hold the sequence by chance.
        keys: if opts.tty && stdin_tty {
            opts.detach_keys.clone()
        } else {
            Vec::new()
        },
        matched: 0,
    };
    let mut old = SigSet::empty();
    sigprocmask(
        SigmaskHow::SIG_BLOCK,
        Some(&super::relayed_signals(false)),
        Some(&mut old),
    )?;
    let restore = MaskGuard(old);
    let sfd = SignalFd::with_flags(&super::relayed_signals(false), SfdFlags::SFD_CLOEXEC)?;
    sock.set_nonblocking(true)?;

    let stdin = io::stdin();
    let mut stdout = io::stdout().lock();
    let mut stderr = io::stderr();
    let mut stdin_open = opts.stdin;
    let mut inbuf = Vec::new();
    let mut buf = vec![0u8; 64 << 10];
    let end = loop {
        // Stop reading stdin while the monitor has not taken what we sent.
        let read_stdin = stdin_open && pending.len() < (256 << 10);
        let mut fds = vec![
            PollFd::new(sfd.as_fd(), PollFlags::POLLIN),
            PollFd::new(
                sock.as_fd(),
                if pending.is_empty() {
                    PollFlags::POLLIN
                } else {
                    PollFlags::POLLIN | PollFlags::POLLOUT
                },
            ),
        ];
        if read_stdin {
            fds.push(PollFd::new(stdin.as_fd(), PollFlags::POLLIN));
        }
        match poll(&mut fds, PollTimeout::NONE) {
            Ok(_) => {}
            Err(nix::Error::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
        let rev = |i: usize| {
            fds.get(i)
                .and_then(|f| f.revents())
                .unwrap_or(PollFlags::empty())
        };
        let (sig_ev, sock_ev, in_ev) = (rev(0), rev(1), rev(2));
        drop(fds);
        if !sig_ev.is_empty()
            && let Ok(Some(info)) = sfd.read_signal()
        {
            match Signal::try_from(info.ssi_signo as i32) {
                Ok(Signal::SIGWINCH) => {
                    if opts.tty {
                        resize_frame(&mut pending);
                    }
                }
                Ok(sig) => {
                    if let Some(pid) = opts.sig_proxy {
                        let _ = nix::sys::signal::kill(Pid::from_raw(pid), sig);
                    }
                }
                Err(_) => {}
            }
        }
        if sock_ev.intersects(PollFlags::POLLIN | PollFlags::POLLHUP | PollFlags::POLLERR) {
            let mut closed = false;
            loop {
                match sock.read(&mut buf) {
                    Ok(0) => {
                        closed = true;
                        break;
                    }
                    Ok(n) => inbuf.extend_from_slice(&buf[..n]),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => {
                        closed = true;
                        break;
                    }
                }
            }
            let mut exited = None;
            while let Some((kind, p)) = proto::take_frame(&mut inbuf)? {
                match kind {
                    proto::STDOUT => {
                        stdout.write_all(&p)?;
                        stdout.flush()?;
                    }
                    proto::STDERR => stderr.write_all(&p)?,
                    proto::EXIT if p.len() == 4 => {
                        exited = Some(i32::from_le_bytes([p[0], p[1], p[2], p[3]]));
                    }
                    _ => {}
                }
            }
            if let Some(code) = exited {
                break AttachEnd::Exited(code);
            }
            if closed {
                break AttachEnd::Lost;
            }
        }
        if !pending.is_empty() && !sock_ev.is_empty() {
            match sock.write(&pending) {
                Ok(n) => {
                    pending.drain(..n);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => break AttachEnd::Lost,
            }
        }
        if !in_ev.is_empty() {
            match nix::unistd::read(stdin.as_fd(), &mut buf) {
                Ok(0) => {
                    stdin_open = false;
                    proto::encode(proto::STDIN_EOF, &[], &mut pending);
                }
                Ok(n) => {
                    let (data, detach) = scanner.feed(&buf[..n]);
                    if !data.is_empty() {
                        proto::encode(proto::STDIN, &data, &mut pending);
                    }
                    if detach {
                        // Hand over what was typed before the keys.
                        let _ = sock.set_nonblocking(false);
                        let _ = sock.write_all(&pending);
                        break AttachEnd::Detached;
                    }
                }
                Err(nix::Error::EINTR) | Err(nix::Error::EAGAIN) => {}
                Err(_) => {
                    stdin_open = false;
                    proto::encode(proto::STDIN_EOF, &[], &mut pending);
                }
            }
        }
    };
    drop(restore);
    Ok(end)
}

/// Restores the signal mask when dropped.
struct MaskGuard(SigSet);

impl Drop for MaskGuard {
    fn drop(&mut self) {
        let _ = sigprocmask(SigmaskHow::SIG_SETMASK, Some(&self.0), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detach_keys_parse() {
        assert_eq!(
            parse_detach_keys(DEFAULT_DETACH_KEYS).unwrap(),
            vec![16, 17]
        );
        assert_eq!(parse_detach_keys("ctrl-a,x").unwrap(), vec![1, b'x']);
        assert_eq!(parse_detach_keys("").unwrap(), Vec::<u8>::new());
        assert!(parse_detach_keys("ctrl-1").is_err());
        assert!(parse_detach_keys("ab").is_err());
    }

    #[test]
    fn scanner_holds_partial_matches() {
        let mut s = DetachScanner {
            keys: vec![16, 17],
            matched: 0,
        };
        assert_eq!(s.feed(b"ab\x10"), (b"ab".to_vec(), false));
        assert_eq!(s.feed(b"c"), (b"\x10c".to_vec(), false));
        assert_eq!(s.feed(b"\x10\x10"), (b"\x10".to_vec(), false));
        assert_eq!(s.feed(b"\x11rest"), (Vec::new(), true));
    }
}
