//! Published ports on the host side: the listening sockets, bound before
//! the container starts, and the fast path that joins an accepted
//! connection to a socket made inside the container's network namespace
//! and moves the bytes with `splice(2)`, never through user space.

use super::{NetError, PortMapping};
use std::io;
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};

/// The host sockets of a container's published ports.
#[derive(Default)]
pub struct Listeners {
    /// (listener, container port)
    pub tcp: Vec<(TcpListener, u16)>,
    pub udp: Vec<(UdpSocket, u16)>,
}

impl Listeners {
    /// Binds every published port, or none: the first that fails is the
    /// error, and the ones already bound are closed with it.
    pub fn bind(maps: &[PortMapping]) -> Result<Listeners, NetError> {
        let mut out = Listeners::default();
        for m in maps {
            for (addr, ctr) in m.pairs() {
                let err = |source| NetError::Bind {
                    proto: if m.is_udp() { "udp" } else { "tcp" },
                    addr,
                    source,
                };
                if m.is_udp() {
                    let s = UdpSocket::bind(addr).map_err(err)?;
                    s.set_nonblocking(true).map_err(err)?;
                    out.udp.push((s, ctr));
                } else {
                    let s = TcpListener::bind(addr).map_err(err)?;
                    s.set_nonblocking(true).map_err(err)?;
                    out.tcp.push((s, ctr));
                }
            }
        }
        Ok(out)
    }

    /// Copies of the descriptors, for a stack that runs while the owner
    /// keeps the ports bound across restarts.
    pub fn try_clone(&self) -> io::Result<Listeners> {
        Ok(Listeners {
            tcp: self
                .tcp
                .iter()
                .map(|(l, p)| Ok((l.try_clone()?, *p)))
                .collect::<io::Result<_>>()?,
            udp: self
                .udp
                .iter()
                .map(|(l, p)| Ok((l.try_clone()?, *p)))
                .collect::<io::Result<_>>()?,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.tcp.is_empty() && self.udp.is_empty()
    }
}

/// Pipes hold up to this much in flight per direction.
const PIPE_SIZE: i32 = 1 << 20;

/// One direction of a relay: socket -> pipe -> socket.
struct Half {
    r: OwnedFd,
    w: OwnedFd,
    /// Bytes sitting in the pipe.
    queued: usize,
    eof: bool,
    shut: bool,
}

impl Half {
    fn new() -> io::Result<Half> {
        let (r, w) =
            nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC | nix::fcntl::OFlag::O_NONBLOCK)?;
        let _ = nix::fcntl::fcntl(&w, nix::fcntl::FcntlArg::F_SETPIPE_SZ(PIPE_SIZE));
        Ok(Half {
            r,
            w,
            queued: 0,
            eof: false,
            shut: false,
        })
    }

    /// Moves what it can from `src` to `dst`; `Err` ends the relay.
    fn pump(&mut self, src: &OwnedFd, dst: &OwnedFd) -> io::Result<bool> {
        let mut moved = false;
        loop {
            let mut progress = false;
            if !self.eof && self.queued < PIPE_SIZE as usize {
                match crate::sys::net::splice(src.as_fd(), self.w.as_fd(), 1 << 20) {
                    Ok(0) => self.eof = true,
                    Ok(n) => {
                        self.queued += n;
                        progress = true;
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(e) => return Err(e),
                }
            }
            if self.queued > 0 {
                match crate::sys::net::splice(self.r.as_fd(), dst.as_fd(), self.queued) {
                    Ok(n) => {
                        self.queued -= n;
                        progress |= n > 0;
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(e) => return Err(e),
                }
            }
            if self.eof && self.queued == 0 && !self.shut {
                let _ =
                    nix::sys::socket::shutdown(dst.as_raw_fd(), nix::sys::socket::Shutdown::Write);
                self.shut = true;
            }
            moved |= progress;
            if !progress {
                return Ok(moved);
            }
        }
    }
}

/// A published TCP connection on the fast path.
pub struct Relay {
    pub host: OwnedFd,
    pub guest: OwnedFd,
    /// The connect inside the container has not finished yet.
    pub connecting: bool,
    up: Half,
    down: Half,
}

impl Relay {
    /// Starts connecting `guest` (a socket in the container's namespace)
    /// to the container's port.
    pub fn new(host: OwnedFd, guest: OwnedFd, to: SocketAddr) -> io::Result<Relay> {
        let addr = nix::sys::socket::SockaddrStorage::from(to);
        match nix::sys::socket::connect(guest.as_raw_fd(), &addr) {
            Ok(()) | Err(nix::Error::EINPROGRESS) => {}
            Err(e) => return Err(e.into()),
        }
        let _ = nix::sys::socket::setsockopt(&host, nix::sys::socket::sockopt::TcpNoDelay, &true);
        let _ = nix::sys::socket::setsockopt(&guest, nix::sys::socket::sockopt::TcpNoDelay, &true);
        Ok(Relay {
            host,
            guest,
            connecting: true,
            up: Half::new()?,
            down: Half::new()?,
        })
    }

    /// Moves bytes both ways. `Ok(true)` while the relay lives on.
    pub fn pump(&mut self) -> io::Result<bool> {
        if self.connecting {
            match nix::sys::socket::getsockopt(&self.guest, nix::sys::socket::sockopt::SocketError)?
            {
                0 => {}
                e => return Err(io::Error::from_raw_os_error(e)),
            }
            // No error yet may only mean "not yet".
            if nix::sys::socket::getpeername::<nix::sys::socket::SockaddrStorage>(
                self.guest.as_raw_fd(),
            )
            .is_err()
            {
                return Ok(true);
            }
            self.connecting = false;
        }
        self.up.pump(&self.host, &self.guest)?;
        self.down.pump(&self.guest, &self.host)?;
        Ok(!(self.up.shut && self.down.shut))
    }

    /// Ends the client's connection with a reset, so that a refused or
    /// broken container side is not mistaken for a clean end.
    pub fn reset_host(&self) {
        let _ = nix::sys::socket::setsockopt(
            &self.host,
            nix::sys::socket::sockopt::Linger,
            &libc::linger {
                l_onoff: 1,
                l_linger: 0,
            },
        );
    }
}
