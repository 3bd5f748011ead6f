//! Published ports on the host side: the listening sockets, bound before
//! the container starts, and the fast path that joins an accepted
//! connection to a socket made inside the container's network namespace
//! and copies the bytes between the two sockets, through buffers that start
//! small, grow while a transfer fills them, and are charged to the stack's
//! budget ([`super::budget`]) and given back when empty and idle.

use super::budget::Budget;
use super::{NetError, PortMapping};
use rsp_sys::mem::Region;
use std::io;
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::Instant;

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

/// A relay's buffer per direction starts at this size, and grows (x4) to
/// `RELAY_MAX` while reads keep filling it; it is given back when empty and
/// idle, or when the relay ends.
const RELAY_MIN: usize = 16 << 10;
const RELAY_MAX: usize = 256 << 10;
/// First buffers of ended relays kept (charged) for the next ones, so that
/// a short connection maps no memory; dropped at the stack's next tick.
const SPARE_BUFFERS: usize = 4;

/// Spare first buffers ([`SPARE_BUFFERS`]).
pub(super) type Spare = Vec<Region>;

/// Gives `r` back: kept as a spare first buffer (still charged), or
/// unmapped and uncharged.
fn put_back(r: Region, budget: &mut Budget, spare: &mut Spare) {
    if r.len() == RELAY_MIN && spare.len() < SPARE_BUFFERS {
        spare.push(r);
    } else {
        budget.uncharge(r.len());
    }
}

/// Drops every spare buffer.
pub(super) fn drop_spare(budget: &mut Budget, spare: &mut Spare) {
    for r in spare.drain(..) {
        budget.uncharge(r.len());
    }
}

/// One direction of a relay: socket -> buffer -> socket. Plain copies
/// measured faster here than `splice(2)` through a pipe (11-17 against
/// 10-14 Gbit/s on loopback), and need no pipe descriptors. The buffer is
/// a mapping of its own, so that giving it back returns its pages to the
/// kernel, and is charged to the stack's budget.
struct Half {
    buf: Option<Region>,
    /// `buf[start..end]` is waiting to be written.
    start: usize,
    end: usize,
    /// The last read filled the buffer: the next one gets a larger one.
    filled: bool,
    eof: bool,
    shut: bool,
}

/// What one pump of a relay did.
#[derive(Default)]
pub struct Pumped {
    /// Bytes moved.
    pub moved: bool,
    /// A direction waits for a buffer the budget could not give.
    pub starved: bool,
}

impl Half {
    fn new() -> Half {
        Half {
            buf: None,
            start: 0,
            end: 0,
            filled: false,
            eof: false,
            shut: false,
        }
    }

    /// An empty buffer to read into: the one held, a larger one after a
    /// read that filled it, or a first one. `false`: the budget has none.
    fn buffer(&mut self, budget: &mut Budget, spare: &mut Spare) -> io::Result<bool> {
        let have = self.buf.as_ref().map_or(0, Region::len);
        let want = match have {
            0 => RELAY_MIN,
            n if self.filled && n < RELAY_MAX => (n * 4).min(RELAY_MAX),
            n => n,
        };
        if have == 0
            && let Some(r) = spare.pop()
        {
            self.buf = Some(r);
        } else if want != have && budget.try_charge(want) {
            let r = Region::new(want).inspect_err(|_| budget.uncharge(want))?;
            if let Some(old) = self.buf.replace(r) {
                put_back(old, budget, spare);
            }
        }
        self.filled = false;
        Ok(self.buf.is_some())
    }

    /// Moves what it can from `src` to `dst`; `Err` ends the relay.
    fn pump(
        &mut self,
        src: &OwnedFd,
        dst: &OwnedFd,
        budget: &mut Budget,
        spare: &mut Spare,
        out: &mut Pumped,
    ) -> io::Result<()> {
        loop {
            if self.start == self.end && !self.eof {
                if !self.buffer(budget, spare)? {
                    out.starved = true;
                    return Ok(());
                }
                let Some(buf) = self.buf.as_mut().map(Region::as_mut_slice) else {
                    return Ok(());
                };
                match nix::unistd::read(src, buf) {
                    Ok(0) => self.eof = true,
                    Ok(n) => {
                        (self.start, self.end) = (0, n);
                        self.filled = n == buf.len();
                    }
                    Err(nix::Error::EAGAIN) | Err(nix::Error::EINTR) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            let mut wrote = false;
            if let Some(buf) = self.buf.as_mut() {
                let buf = buf.as_mut_slice();
                while self.start < self.end {
                    match nix::sys::socket::send(
                        dst.as_raw_fd(),
                        &buf[self.start..self.end],
                        nix::sys::socket::MsgFlags::MSG_NOSIGNAL,
                    ) {
                        Ok(n) => {
                            self.start += n;
                            wrote = true;
                            out.moved = true;
                        }
                        Err(nix::Error::EAGAIN) | Err(nix::Error::EINTR) => break,
                        Err(e) => return Err(e.into()),
                    }
                }
            }
            if self.eof && self.start == self.end && !self.shut {
                let _ =
                    nix::sys::socket::shutdown(dst.as_raw_fd(), nix::sys::socket::Shutdown::Write);
                self.shut = true;
                out.moved = true;
            }
            // Stop when the destination is full or the source is dry.
            if !wrote || self.start < self.end {
                return Ok(());
            }
        }
    }

    /// Gives the buffer back if it holds nothing.
    fn release(&mut self, budget: &mut Budget, spare: &mut Spare) {
        if self.start != self.end {
            return;
        }
        if let Some(b) = self.buf.take() {
            put_back(b, budget, spare);
        }
        self.filled = false;
    }
}

/// A published TCP connection on the fast path.
pub struct Relay {
    pub host: OwnedFd,
    pub guest: OwnedFd,
    /// The connect inside the container has not finished yet.
    pub connecting: bool,
    /// When bytes last moved (or the relay began).
    pub last_io: Instant,
    up: Half,
    down: Half,
}

impl Relay {
    /// Starts connecting `guest` (a socket in the container's namespace)
    /// to the container's port. Buffers come on first use.
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
            last_io: Instant::now(),
            up: Half::new(),
            down: Half::new(),
        })
    }

    /// Moves bytes both ways. `Ok(true)` while the relay lives on.
    pub(super) fn pump(
        &mut self,
        budget: &mut Budget,
        spare: &mut Spare,
        out: &mut Pumped,
    ) -> io::Result<bool> {
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
        self.up.pump(&self.host, &self.guest, budget, spare, out)?;
        self.down
            .pump(&self.guest, &self.host, budget, spare, out)?;
        if out.moved {
            self.last_io = Instant::now();
        }
        Ok(!(self.up.shut && self.down.shut))
    }

    /// One direction has ended and the other not.
    pub fn half_closed(&self) -> bool {
        self.up.shut != self.down.shut
    }

    /// Gives back the buffers that hold nothing.
    pub(super) fn release_idle(&mut self, budget: &mut Budget, spare: &mut Spare) {
        self.up.release(budget, spare);
        self.down.release(budget, spare);
    }

    /// The relay is over: its buffers go back (the budget, or the spares).
    pub(super) fn finish(mut self, budget: &mut Budget, spare: &mut Spare) {
        for h in [&mut self.up, &mut self.down] {
            if let Some(b) = h.buf.take() {
                put_back(b, budget, spare);
            }
        }
    }

    /// Ends the client's connection with a reset, so that a refused or
    /// broken container side is not mistaken for a clean end.
    pub fn reset_host(&self) {
        super::stack::set_linger_zero(&self.host);
    }
}
