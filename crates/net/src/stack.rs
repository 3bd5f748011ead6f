//! The stack: one event loop over the container's link (its tap device)
//! and the host sockets that carry its traffic.
//!
//! Frames from the container are sorted before smoltcp sees them: a TCP
//! SYN to a new destination is held until the host connection to where it
//! is going has been made, so the container's handshake completes only if
//! the host's did (and a refusal becomes a RST); UDP and ICMP echo are
//! relayed here directly, without smoltcp sockets; everything else of
//! TCP and ARP goes to smoltcp, whose sockets hold the NATed connections.
//! The loop is edge-triggered epoll; every flow records whether its host
//! socket may be read or written, and data moves until one side blocks.
//!
//! Memory and descriptors are bounded:
//! - every flow's buffers are charged to one byte budget
//!   ([`super::budget`]): TCP rings are committed page by page as data
//!   passes and given back when the flow is idle, the budget is short, or
//!   the flow ends (its mapping goes with it); flows opened while half the
//!   budget is spent get small rings, and none are opened when it is all
//!   spent;
//! - a flow ends, and gives back its host socket, when both sides have
//!   closed, either side resets, a handshake takes too long, or one
//!   direction has closed and nothing has moved for a while (the other
//!   side holding a half-closed connection open); when the flow table is
//!   full, the longest idle such half-closed flow makes room for a new one;
//! - UDP flows end after a while without datagrams.

use super::budget::{Budget, Rings};
use super::forward::{self, Listeners, Pumped, Relay};
use super::table::Slab;
use super::{DNS, GATEWAY, GUEST, NetOptions, PREFIX, wire};
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags};
use nix::sys::socket::{
    AddressFamily, MsgFlags, SockFlag, SockProtocol, SockType, SockaddrStorage, sockopt,
};
use rsp_sys::mem::{TcpId, TcpSockets};
use rsp_sys::net::SocketFactory;
use smoltcp::iface::{Config, Interface};
use smoltcp::phy::{Checksum, Device, DeviceCapabilities, Medium, RxToken, TxToken};
use smoltcp::socket::tcp;
use smoltcp::wire::{
    EthernetAddress, EthernetFrame, EthernetProtocol, HardwareAddress, Icmpv4DstUnreachable,
    Icmpv4Packet, Icmpv4Repr, IpCidr, IpEndpoint, IpListenEndpoint, IpProtocol, Ipv4Packet,
    TcpPacket, TcpSeqNumber, UdpPacket,
};
use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::time::{Duration, Instant};

/// Where the stack's frames come from and go: the tap device, or, in
/// tests, another stack in memory.
pub trait Link {
    /// One frame into `buf`; `None` when none is waiting.
    fn recv(&mut self, buf: &mut [u8]) -> io::Result<Option<usize>>;
    /// Sends one frame; a frame the link cannot take now is dropped, as a
    /// network would (TCP will resend it).
    fn send(&mut self, frame: &[u8]);
    /// A descriptor that turns readable when frames wait.
    fn fd(&self) -> Option<BorrowedFd<'_>>;
}

/// The container's tap device, non-blocking.
pub struct Tap(pub OwnedFd);

impl Link for Tap {
    fn recv(&mut self, buf: &mut [u8]) -> io::Result<Option<usize>> {
        match nix::unistd::read(&self.0, buf) {
            Ok(n) => Ok(Some(n)),
            Err(nix::Error::EAGAIN) | Err(nix::Error::EINTR) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
    fn send(&mut self, frame: &[u8]) {
        let _ = nix::unistd::write(&self.0, frame);
    }
    fn fd(&self) -> Option<BorrowedFd<'_>> {
        Some(self.0.as_fd())
    }
}

/// The rings of flows opened while the budget is short (a power of two).
const RING_SMALL: usize = 64 << 10;
/// Closed sockets kept for reuse, with their pages (given back at the
/// next tick if still unused).
const SPARE_SOCKETS: usize = 2;
/// How long a socket listens for its held SYN.
const LISTEN_TIMEOUT: Duration = Duration::from_secs(5);
const PING_IDLE: Duration = Duration::from_secs(10);
const POOL: usize = 64;
/// How soon a flow waiting for budget tries again, and how often at most
/// every flow is made to give back its empty pages.
const SQUEEZE_EVERY: Duration = Duration::from_millis(20);

/// The stack's bounds.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Bytes the buffers of all flows may use together.
    pub budget: usize,
    /// Ring sizes of a NATed TCP connection (a power of two). The receive
    /// ring sets the window the container may fill (1 MiB, scaled); it
    /// stays far below what the tap's queue holds at this MTU (hundreds of
    /// 64 KiB frames), so the container never sends more than the queue
    /// takes. Both are address space: pages are committed, and charged,
    /// as data passes.
    pub ring: usize,
    /// TCP flows and published-port relays together, and UDP flows: each
    /// at most this many; more are refused.
    pub max_flows: usize,
    /// A flow that moved nothing for this long gives back the pages of its
    /// buffers that hold nothing; a half-closed flow this idle may be
    /// reset to make room when the flow table is full.
    pub reclaim_idle: Duration,
    /// A flow with one direction closed that moved nothing for this long
    /// is reset (Linux's conntrack forgets such connections after 60 s).
    pub closing_idle: Duration,
    /// A host connection or a handshake with the container that takes
    /// longer is abandoned.
    pub handshake: Duration,
    /// A UDP flow without datagrams for this long ends.
    pub udp_idle: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            // 64 full windows; slirp4netns took 417 MB for 20 000 short
            // connections, and nothing bounds it.
            budget: 64 << 20,
            ring: 1 << 20,
            max_flows: 8192,
            reclaim_idle: Duration::from_secs(1),
            closing_idle: Duration::from_secs(60),
            handshake: Duration::from_secs(60),
            udp_idle: Duration::from_secs(60),
        }
    }
}

/// What the buffers of the stack's flows hold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Memory {
    /// Bytes charged to the budget.
    pub charged: usize,
    /// Bytes of TCP rings in memory.
    pub resident: usize,
    /// TCP flows whose receive ring left the model (charged whole).
    pub unmodeled: usize,
}

struct Frame {
    buf: Vec<u8>,
    len: usize,
}

impl Frame {
    /// The IPv4 packet this Ethernet frame carries, checked.
    fn ipv4(&self) -> Option<Ipv4Packet<&[u8]>> {
        let eth = EthernetFrame::new_checked(&self.buf[..self.len]).ok()?;
        (eth.ethertype() == EthernetProtocol::Ipv4).then_some(())?;
        Ipv4Packet::new_checked(&self.buf[14..self.len]).ok()
    }

    fn dst_mac(&self) -> EthernetAddress {
        EthernetAddress::from_bytes(&self.buf[..6])
    }
}

/// smoltcp's view of the link: frames we have sorted wait in `rxq`.
struct Dev<L> {
    link: L,
    rxq: VecDeque<Frame>,
    pool: Vec<Vec<u8>>,
    tx: Vec<u8>,
    frame_max: usize,
}

struct Rx<'a> {
    frame: Frame,
    pool: &'a mut Vec<Vec<u8>>,
    frame_max: usize,
}

impl RxToken for Rx<'_> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        let r = f(&self.frame.buf[..self.frame.len]);
        // Held SYNs are copied to small buffers: those are not for reading.
        if self.pool.len() < POOL && self.frame.buf.len() == self.frame_max {
            self.pool.push(self.frame.buf);
        }
        r
    }
}

struct Tx<'a, L> {
    link: &'a mut L,
    buf: &'a mut Vec<u8>,
}

impl<L: Link> TxToken for Tx<'_, L> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        if self.buf.len() < len {
            self.buf.resize(len, 0);
        }
        let r = f(&mut self.buf[..len]);
        self.link.send(&self.buf[..len]);
        r
    }
}

impl<L: Link> Device for Dev<L> {
    type RxToken<'a>
        = Rx<'a>
    where
        Self: 'a;
    type TxToken<'a>
        = Tx<'a, L>
    where
        Self: 'a;

    fn receive(
        &mut self,
        _: smoltcp::time::Instant,
    ) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        let frame = self.rxq.pop_front()?;
        Some((
            Rx {
                frame,
                pool: &mut self.pool,
                frame_max: self.frame_max,
            },
            Tx {
                link: &mut self.link,
                buf: &mut self.tx,
            },
        ))
    }

    fn transmit(&mut self, _: smoltcp::time::Instant) -> Option<Self::TxToken<'_>> {
        Some(Tx {
            link: &mut self.link,
            buf: &mut self.tx,
        })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        caps.max_transmission_unit = self.frame_max;
        // The container's kernel checksums what it sends (a tap without
        // offloads gets finished packets); checking again costs a pass over
        // every byte and protects nothing.
        caps.checksum.ipv4 = Checksum::Tx;
        caps.checksum.tcp = Checksum::Tx;
        caps.checksum.udp = Checksum::Tx;
        caps.checksum.icmpv4 = Checksum::Tx;
        caps
    }
}

/// (container port, remote address, remote port): a TCP flow, whichever
/// side opened it.
type Key = (u16, Ipv4Addr, u16);

struct Conn {
    sock: TcpId,
    rings: Rings,
    host: OwnedFd,
    key: Key,
    /// A published-port connection through the stack (`port_handler=slirp`).
    inbound: bool,
    readable: bool,
    writable: bool,
    host_eof: bool,
    host_shut: bool,
    /// Reset or finished: removed after the next poll has sent what the
    /// socket still had to say.
    dead: bool,
    since: Instant,
    /// When data last moved or the state last changed.
    last_io: Instant,
    /// The socket's state as last seen.
    state: tcp::State,
    /// In the stack's list of flows to service.
    marked: bool,
    /// The container's initial sequence number (of its SYN, or SYN-ACK).
    isn: u32,
}

impl Conn {
    /// A flow whose socket listens for the held SYN, or (`inbound`) has
    /// sent its own.
    fn new(sock: TcpId, rings: Rings, host: OwnedFd, key: Key, inbound: bool) -> Conn {
        let now = Instant::now();
        Conn {
            sock,
            rings,
            host,
            key,
            inbound,
            readable: true,
            writable: true,
            host_eof: false,
            host_shut: false,
            dead: false,
            since: now,
            last_io: now,
            state: if inbound {
                tcp::State::SynSent
            } else {
                tcp::State::Listen
            },
            marked: false,
            isn: 0,
        }
    }
}

enum Tcp {
    /// Waiting for the host connection; the container's SYN is held.
    Pending {
        sock: OwnedFd,
        syn: Frame,
        /// The SYN's sequence number, for refusing it later.
        seq: TcpSeqNumber,
        /// Bytes of data the SYN carries.
        data: usize,
        key: Key,
        since: Instant,
    },
    Active(Conn),
}

/// Puts flow `id` on the list of flows to service.
fn mark(dirty: &mut Vec<usize>, id: usize, c: &mut Conn) {
    if !c.marked {
        c.marked = true;
        dirty.push(id);
    }
}

/// What servicing one flow did.
#[derive(Default)]
struct Serviced {
    moved: bool,
    starved: bool,
    /// The flow is over: remove it.
    gone: bool,
}

/// What the stack needs of a TCP segment from the container.
struct Seg {
    key: Key,
    seq: u32,
    syn: bool,
    ack: bool,
    len: usize,
}

/// The states in which one direction has closed and the other not (or
/// the last FIN waits for its acknowledgement).
fn closing(st: tcp::State) -> bool {
    use tcp::State::*;
    matches!(st, FinWait1 | FinWait2 | Closing | LastAck | CloseWait)
}

#[derive(Hash, PartialEq, Eq, Clone, Copy)]
enum UdpKey {
    Nat(Key),
    Ping(u16, Ipv4Addr),
    Published(usize, SocketAddr),
}

struct Udp {
    sock: OwnedFd,
    key: UdpKey,
    last: Instant,
}

const T_TAP: u64 = 0;
const T_STOP: u64 = 1;
const K_TCP: u64 = 1 << 32;
const K_UDP: u64 = 2 << 32;
const K_LISTEN: u64 = 3 << 32;
const K_ULISTEN: u64 = 4 << 32;
const K_RELAY: u64 = 5 << 32;
const ID_MASK: u64 = 0xffff_ffff;

/// Looks a name (lower case, no final dot) up among a network's members.
pub type Names = Box<dyn Fn(&str) -> Option<Ipv4Addr> + Send>;

pub struct Stack<L: Link> {
    iface: Interface,
    dev: Dev<L>,
    sockets: TcpSockets,
    opts: NetOptions,
    dns: Vec<SocketAddr>,
    /// Names 10.0.2.3 answers itself (a user-defined network's members).
    names: Option<Names>,
    /// No way out but those names (an internal network).
    internal: bool,
    guest_mac: EthernetAddress,
    epoll: Epoll,
    tcp: Slab<Tcp>,
    tcp_keys: HashMap<Key, usize>,
    /// (address, port) -> the flow whose socket listens there for its
    /// held SYN. smoltcp gives a SYN to the first socket listening on its
    /// destination, whatever its source: one at a time per destination.
    listening: HashMap<(Ipv4Addr, u16), usize>,
    udp: Slab<Udp>,
    udp_keys: HashMap<UdpKey, usize>,
    listeners: Listeners,
    factory: Option<SocketFactory>,
    relays: Slab<Relay>,
    next_port: u16,
    epoch: Instant,
    next_expiry: Instant,
    link_ready: bool,
    /// Handlers to run again: (token, not before).
    again: Vec<(u64, Instant)>,
    budget: Budget,
    limits: Limits,
    page: usize,
    /// How often timeouts and idle flows are looked at.
    tick: Duration,
    /// Budget kept free of data beyond a hole in a stream (room for two
    /// of the largest segments, to fill holes).
    reserve: usize,
    /// A flow has host data waiting for pages the budget could not give.
    starved: bool,
    /// TCP flows to service after the next poll.
    dirty: Vec<usize>,
    /// Closed sockets kept for the next flows.
    spare: Vec<(TcpId, Rings)>,
    /// Relay buffers kept for the next relays.
    relay_spare: forward::Spare,
    last_squeeze: Instant,
    /// Datagrams are read here.
    scratch: Vec<u8>,
}

fn random_seed() -> u64 {
    let mut b = [0u8; 8];
    if std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut b))
        .is_err()
    {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        return t.as_nanos() as u64 ^ std::process::id() as u64;
    }
    u64::from_ne_bytes(b)
}

/// TCP timestamps: milliseconds, but strictly increasing across calls.
/// Published-port connections through the stack reuse source ports; a
/// SYN whose timestamp is newer than the last one the container saw on
/// those ports reopens a connection the container still holds in
/// TIME_WAIT, where a random sequence number alone would be refused half
/// of the time (and retried a second later).
fn tsval() -> u32 {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
    static START: OnceLock<Instant> = OnceLock::new();
    static LAST: AtomicU32 = AtomicU32::new(0);
    let now = START.get_or_init(Instant::now).elapsed().as_millis() as u32;
    let mut last = LAST.load(Relaxed);
    loop {
        let next = if now.wrapping_sub(last) as i32 > 0 {
            now
        } else {
            last.wrapping_add(1)
        };
        match LAST.compare_exchange_weak(last, next, Relaxed, Relaxed) {
            Ok(_) => return next,
            Err(l) => last = l,
        }
    }
}

/// Makes the close of `fd` send a RST.
pub(super) fn set_linger_zero(fd: &OwnedFd) {
    let _ = nix::sys::socket::setsockopt(
        fd,
        sockopt::Linger,
        &libc::linger {
            l_onoff: 1,
            l_linger: 0,
        },
    );
}

fn would_block(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::WouldBlock || e.kind() == io::ErrorKind::Interrupted
}

fn send_nosig(fd: &OwnedFd, data: &[u8]) -> io::Result<usize> {
    nix::sys::socket::send(fd.as_raw_fd(), data, MsgFlags::MSG_NOSIGNAL).map_err(Into::into)
}

/// A non-blocking socket connecting to `to`.
fn connect_nb(to: SocketAddr, ty: SockType) -> io::Result<OwnedFd> {
    let fam = if to.is_ipv4() {
        AddressFamily::Inet
    } else {
        AddressFamily::Inet6
    };
    let s = nix::sys::socket::socket(
        fam,
        ty,
        SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC,
        None,
    )?;
    match nix::sys::socket::connect(s.as_raw_fd(), &SockaddrStorage::from(to)) {
        Ok(()) | Err(nix::Error::EINPROGRESS) => Ok(s),
        Err(e) => Err(e.into()),
    }
}

fn connected(fd: &OwnedFd) -> io::Result<bool> {
    match nix::sys::socket::getsockopt(fd, sockopt::SocketError)? {
        0 => Ok(nix::sys::socket::getpeername::<SockaddrStorage>(fd.as_raw_fd()).is_ok()),
        e => Err(io::Error::from_raw_os_error(e)),
    }
}

impl<L: Link> Stack<L> {
    /// A stack on `link`. `dns` are the host resolvers 10.0.2.3 forwards
    /// to; `listeners` the published ports, and `factory` what makes
    /// sockets inside the container for them.
    pub fn new(
        link: L,
        opts: NetOptions,
        dns: Vec<SocketAddr>,
        listeners: Listeners,
        factory: Option<SocketFactory>,
    ) -> io::Result<Stack<L>> {
        let frame_max = opts.mtu as usize + 14;
        let mut dev = Dev {
            link,
            rxq: VecDeque::new(),
            pool: Vec::new(),
            tx: Vec::new(),
            frame_max,
        };
        let epoch = Instant::now();
        let mut config = Config::new(HardwareAddress::Ethernet(wire::OUR_MAC));
        config.random_seed = random_seed();
        let mut iface = Interface::new(config, &mut dev, smoltcp::time::Instant::ZERO);
        iface.update_ip_addrs(|a| {
            let _ = a.push(IpCidr::new(GATEWAY.into(), PREFIX));
            let _ = a.push(IpCidr::new(DNS.into(), PREFIX));
        });
        // AnyIP answers for every destination the container NATs to; it
        // needs a route through one of our own addresses to do so.
        iface
            .routes_mut()
            .add_default_ipv4_route(GATEWAY)
            .map_err(|_| io::Error::other("adding the stack's route"))?;
        iface.set_any_ip(true);
        let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)?;
        let et = EpollFlags::EPOLLIN | EpollFlags::EPOLLET;
        if let Some(fd) = dev.link.fd() {
            epoll.add(fd, EpollEvent::new(et, T_TAP))?;
        }
        for (i, (l, _)) in listeners.tcp.iter().enumerate() {
            epoll.add(l, EpollEvent::new(et, K_LISTEN | i as u64))?;
        }
        for (i, (l, _)) in listeners.udp.iter().enumerate() {
            epoll.add(l, EpollEvent::new(et, K_ULISTEN | i as u64))?;
        }
        let limits = Limits::default();
        Ok(Stack {
            iface,
            dev,
            sockets: TcpSockets::default(),
            opts,
            dns,
            names: None,
            internal: false,
            guest_mac: EthernetAddress::BROADCAST,
            epoll,
            tcp: Slab::default(),
            tcp_keys: HashMap::new(),
            listening: HashMap::new(),
            udp: Slab::default(),
            udp_keys: HashMap::new(),
            listeners,
            factory,
            relays: Slab::default(),
            next_port: 1024,
            epoch,
            next_expiry: epoch + Duration::from_secs(1),
            link_ready: true,
            again: Vec::new(),
            budget: Budget::new(limits.budget),
            tick: Self::tick_for(&limits),
            limits,
            page: rsp_sys::mem::page_size(),
            reserve: 2 * (frame_max + 2 * rsp_sys::mem::page_size()),
            starved: false,
            dirty: Vec::new(),
            spare: Vec::new(),
            relay_spare: Vec::new(),
            last_squeeze: epoch,
            scratch: Vec::new(),
        })
    }

    /// The same stack answering `names` at 10.0.2.3 before it forwards a
    /// query; with `internal`, nothing else leaves: no connection, no
    /// datagram and no ping goes out, and other names are not found.
    pub fn with_names(mut self, names: Names, internal: bool) -> Stack<L> {
        self.names = Some(names);
        self.internal = internal;
        self
    }

    /// The same stack with other bounds (tests use short timeouts and a
    /// small budget); before any traffic.
    pub fn with_limits(mut self, limits: Limits) -> Stack<L> {
        self.budget = Budget::new(limits.budget);
        self.tick = Self::tick_for(&limits);
        self.next_expiry = Instant::now() + self.tick;
        self.limits = limits;
        self
    }

    /// Timeouts are checked often enough to keep them within half again.
    fn tick_for(l: &Limits) -> Duration {
        [l.reclaim_idle, l.closing_idle, l.handshake, l.udp_idle]
            .into_iter()
            .map(|d| d / 2)
            .fold(Duration::from_secs(1), Duration::min)
            .max(Duration::from_millis(10))
    }

    fn now(&self) -> smoltcp::time::Instant {
        smoltcp::time::Instant::from_micros(self.epoch.elapsed().as_micros() as i64)
    }

    /// Runs until `stop` turns readable.
    pub fn run(&mut self, stop: BorrowedFd<'_>) -> io::Result<()> {
        self.epoll
            .add(stop, EpollEvent::new(EpollFlags::EPOLLIN, T_STOP))?;
        while self.turn(None)? {}
        Ok(())
    }

    /// Waits for events (at most `max_wait`, or until smoltcp's next
    /// timer) and handles them. `Ok(false)` when told to stop.
    pub fn turn(&mut self, max_wait: Option<Duration>) -> io::Result<bool> {
        let busy = self.link_ready || !self.dev.rxq.is_empty();
        let mut wait = if busy {
            Duration::ZERO
        } else {
            let now = self.now();
            self.sockets
                .poll_delay(&mut self.iface, now)
                .map(|d| Duration::from_micros(d.total_micros()))
                .unwrap_or(Duration::from_secs(1))
                .min(Duration::from_secs(1))
        };
        if let Some(m) = max_wait {
            wait = wait.min(m);
        }
        if self.starved {
            wait = wait.min(SQUEEZE_EVERY);
        }
        wait = wait.min(self.next_expiry.saturating_duration_since(Instant::now()));
        if let Some(t) = self.again.iter().map(|(_, t)| *t).min() {
            wait = wait.min(t.saturating_duration_since(Instant::now()));
        }
        let ms = wait.as_micros().div_ceil(1000).min(1000) as u16;
        let mut events = [EpollEvent::empty(); 128];
        let n = match self.epoll.wait(&mut events, ms) {
            Ok(n) => n,
            Err(nix::Error::EINTR) => 0,
            Err(e) => return Err(e.into()),
        };
        for ev in &events[..n] {
            if !self.dispatch(ev.data(), ev.events()) {
                return Ok(false);
            }
        }
        if !self.again.is_empty() {
            let now = Instant::now();
            let (due, wait): (Vec<_>, Vec<_>) = std::mem::take(&mut self.again)
                .into_iter()
                .partition(|(_, t)| *t <= now);
            self.again = wait;
            for (token, _) in due {
                self.dispatch(token, EpollFlags::EPOLLIN);
            }
        }
        if self.dev.link.fd().is_none() {
            self.link_ready = true;
        }
        if self.link_ready {
            self.read_frames();
        }
        self.poll_iface();
        if self.starved {
            self.squeeze();
        }
        if Instant::now() >= self.next_expiry {
            self.maintain();
        }
        Ok(true)
    }

    fn read_frames(&mut self) {
        for _ in 0..POOL {
            let mut buf = self
                .dev
                .pool
                .pop()
                .unwrap_or_else(|| vec![0u8; self.dev.frame_max]);
            match self.dev.link.recv(&mut buf) {
                Ok(Some(len)) => self.ingress(Frame { buf, len }),
                _ => {
                    self.dev.pool.push(buf);
                    self.link_ready = false;
                    return;
                }
            }
        }
    }

    fn recycle(&mut self, f: Frame) {
        if self.dev.pool.len() < POOL {
            self.dev.pool.push(f.buf);
        }
    }

    fn send_frame(&mut self, frame: &[u8]) {
        self.dev.link.send(frame);
    }

    /// Sorts one frame from the container.
    fn ingress(&mut self, f: Frame) {
        let data = &f.buf[..f.len];
        let Ok(eth) = EthernetFrame::new_checked(data) else {
            return self.recycle(f);
        };
        match eth.ethertype() {
            EthernetProtocol::Arp => {
                if eth.src_addr().is_unicast() {
                    self.guest_mac = eth.src_addr();
                }
                self.dev.rxq.push_back(f);
            }
            EthernetProtocol::Ipv4 => {
                let src_mac = eth.src_addr();
                let Ok(ip) = Ipv4Packet::new_checked(eth.payload()) else {
                    return self.recycle(f);
                };
                // Only the container's own address is NATed; fragments are
                // not reassembled (the MTU makes them rare).
                if ip.version() != 4
                    || ip.src_addr() != GUEST
                    || ip.more_frags()
                    || ip.frag_offset() != 0
                {
                    return self.recycle(f);
                }
                if src_mac.is_unicast() {
                    self.guest_mac = src_mac;
                }
                match ip.next_header() {
                    IpProtocol::Tcp => self.tcp_ingress(f),
                    IpProtocol::Udp => {
                        self.udp_ingress(&f);
                        self.recycle(f)
                    }
                    IpProtocol::Icmp => {
                        self.icmp_ingress(&f);
                        self.recycle(f)
                    }
                    _ => self.recycle(f),
                }
            }
            // IPv6 and the rest are not served.
            _ => self.recycle(f),
        }
    }

    /// Where traffic for `dst:port` goes on the host; `None` is refused.
    fn map(&self, dst: Ipv4Addr, port: u16) -> Option<SocketAddr> {
        if self.internal {
            return None;
        }
        if dst == GATEWAY {
            return self
                .opts
                .allow_host_loopback
                .then(|| SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
        }
        if dst == DNS {
            return if port == 53 {
                self.dns.first().copied()
            } else {
                None
            };
        }
        let ours = u32::from(dst) & 0xffff_ff00 == u32::from(GATEWAY) & 0xffff_ff00;
        if ours
            || dst.is_loopback()
            || dst.is_unspecified()
            || dst.is_broadcast()
            || dst.is_multicast()
        {
            return None;
        }
        Some(SocketAddr::from((dst, port)))
    }

    fn tcp_ingress(&mut self, f: Frame) {
        let info = (|| {
            let ip = f.ipv4()?;
            let tcp = TcpPacket::new_checked(ip.payload()).ok()?;
            let syn = tcp.syn() && !tcp.ack();
            // A SYN opens a host connection only if smoltcp will take it
            // too, or the flow would wait for a handshake that never comes.
            if syn {
                let caps = smoltcp::phy::ChecksumCapabilities::ignored();
                let ipr = smoltcp::wire::Ipv4Repr::parse(&ip, &caps).ok()?;
                smoltcp::wire::TcpRepr::parse(
                    &tcp,
                    &ipr.src_addr.into(),
                    &ipr.dst_addr.into(),
                    &caps,
                )
                .ok()?;
                let to = f.dst_mac();
                if (to != wire::OUR_MAC && !to.is_broadcast()) || tcp.fin() || tcp.rst() {
                    return None;
                }
            }
            Some(Seg {
                key: (tcp.src_port(), ip.dst_addr(), tcp.dst_port()),
                seq: tcp.seq_number().0 as u32,
                syn: tcp.syn(),
                ack: tcp.ack(),
                len: tcp.payload().len(),
            })
        })();
        let Some(seg) = info else {
            return self.recycle(f);
        };
        if seg.syn && !seg.ack {
            return self.tcp_syn(f, seg);
        }
        // Anything else goes to smoltcp (which resets what no socket
        // takes), once the pages its data will land in are charged.
        let Some(&id) = self.tcp_keys.get(&seg.key) else {
            return self.dev.rxq.push_back(f);
        };
        let Some(Tcp::Active(c)) = self.tcp.get_mut(id) else {
            return self.dev.rxq.push_back(f);
        };
        mark(&mut self.dirty, id, c);
        if seg.syn && c.inbound {
            // The container's SYN-ACK: where its stream starts.
            c.rings.set_isn(seg.seq);
            c.isn = seg.seq;
        }
        if seg.len > 0 {
            let at = seg.seq.wrapping_add(seg.syn as u32);
            if !c
                .rings
                .charge_rx(at, seg.len, self.reserve, &mut self.budget)
            {
                // The flow's own pages behind its data first (a busy flow
                // slides over its ring), then everyone's.
                self.reclaim_flow(id);
                let charge = |s: &mut Self| match s.tcp.get_mut(id) {
                    Some(Tcp::Active(c)) => {
                        c.rings.charge_rx(at, seg.len, s.reserve, &mut s.budget)
                    }
                    _ => false,
                };
                let ok = charge(self) || {
                    self.squeeze();
                    charge(self)
                };
                // No memory for it: dropped, the container sends it again.
                if !ok {
                    return self.recycle(f);
                }
            }
        }
        self.dev.rxq.push_back(f);
    }

    /// A SYN from the container: a new flow, held until the host
    /// connection is made, or one for a flow already there.
    fn tcp_syn(&mut self, f: Frame, seg: Seg) {
        let key = seg.key;
        if let Some(&id) = self.tcp_keys.get(&key) {
            match self.tcp.get_mut(id) {
                // A resent SYN: the first one is still held.
                Some(Tcp::Pending { .. }) | None => return self.recycle(f),
                // The container reuses the port of a connection it has
                // closed (Linux does once its FIN-WAIT-2 or TIME-WAIT is
                // over) while the flow waits for the host's side: that one
                // is over; this SYN opens a new flow.
                Some(Tcp::Active(c))
                    if c.dead
                        || closing(c.state)
                        || matches!(c.state, tcp::State::TimeWait | tcp::State::Closed)
                        || (c.state == tcp::State::SynReceived && c.isn != seg.seq) =>
                {
                    set_linger_zero(&c.host);
                    self.remove_flow(id);
                }
                Some(Tcp::Active(c)) => {
                    mark(&mut self.dirty, id, c);
                    // Only this flow's own socket may see it.
                    if self
                        .listening
                        .get(&(key.1, key.2))
                        .is_some_and(|&l| l != id)
                    {
                        return self.recycle(f);
                    }
                    return self.dev.rxq.push_back(f);
                }
            }
        }
        let seq = TcpSeqNumber(seg.seq as i32);
        let target = self.map(key.1, key.2);
        let sock = match target {
            Some(t) if self.admit() => connect_nb(t, SockType::Stream),
            _ => {
                self.refuse_syn(key, seq, None, &f);
                return self.recycle(f);
            }
        };
        let sock = match sock {
            Ok(s) => s,
            Err(e) => {
                self.refuse_syn(key, seq, e.raw_os_error(), &f);
                return self.recycle(f);
            }
        };
        // The SYN waits in a buffer of its size; the frame buffer goes
        // back to the pool.
        let syn = Frame {
            buf: f.buf[..f.len].to_vec(),
            len: f.len,
        };
        self.recycle(f);
        let id = self.tcp.slot();
        self.watch(&sock, K_TCP | id as u64);
        self.tcp.insert(Tcp::Pending {
            sock,
            syn,
            seq,
            data: seg.len,
            key,
            since: Instant::now(),
        });
        self.tcp_keys.insert(key, id);
    }

    /// Room for one more TCP flow or relay: a place in the flow table
    /// (made by resetting the longest idle half-closed flow if need be),
    /// and budget left.
    fn admit(&mut self) -> bool {
        if self.tcp.len() + self.relays.len() >= self.limits.max_flows && !self.evict() {
            return false;
        }
        if self.budget.exhausted() {
            self.squeeze();
        }
        !self.budget.exhausted()
    }

    /// Resets the half-closed flow (or relay) idle the longest, if one has
    /// been idle long enough.
    fn evict(&mut self) -> bool {
        let now = Instant::now();
        let old = |t: Instant| now.duration_since(t) >= self.limits.reclaim_idle;
        let mut best: Option<(Instant, bool, usize)> = None;
        for id in 0..self.tcp.bound() {
            if let Some(Tcp::Active(c)) = self.tcp.get_mut(id)
                && closing(c.state)
                && old(c.last_io)
                && best.is_none_or(|b| c.last_io < b.0)
            {
                best = Some((c.last_io, true, id));
            }
        }
        for id in 0..self.relays.bound() {
            if let Some(r) = self.relays.get_mut(id)
                && r.half_closed()
                && old(r.last_io)
                && best.is_none_or(|b| r.last_io < b.0)
            {
                best = Some((r.last_io, false, id));
            }
        }
        match best {
            Some((_, true, id)) => {
                if let Some(Tcp::Active(c)) = self.tcp.get_mut(id) {
                    set_linger_zero(&c.host);
                    if let Some(mut s) = self.sockets.get(c.sock) {
                        s.abort();
                    }
                }
                // Gone at once (the container's next segment for it gets a
                // reset from smoltcp).
                self.remove_flow(id);
                true
            }
            Some((_, false, id)) => {
                if let Some(r) = self.relays.remove(id) {
                    r.reset_host();
                    r.finish(&mut self.budget, &mut self.relay_spare);
                }
                true
            }
            None => false,
        }
    }

    /// Answers a SYN that cannot be NATed: unreachable networks and hosts
    /// get ICMP, everything else a RST.
    fn refuse_syn(&mut self, key: Key, seq: TcpSeqNumber, errno: Option<i32>, syn: &Frame) {
        let unreach = match errno {
            Some(libc::ENETUNREACH) => Some(Icmpv4DstUnreachable::NetUnreachable),
            Some(libc::EHOSTUNREACH) | Some(libc::ETIMEDOUT) => {
                Some(Icmpv4DstUnreachable::HostUnreachable)
            }
            _ => None,
        };
        let frame = match unreach {
            Some(r) => wire::unreachable(self.guest_mac, key.1, r, &syn.buf[14..syn.len]),
            None => Some(wire::tcp_rst(
                self.guest_mac,
                (key.1, key.2),
                (GUEST, key.0),
                seq,
            )),
        };
        if let Some(fr) = frame {
            self.send_frame(&fr);
        }
    }

    /// A pending flow the host refused, or that took too long: the
    /// container's SYN is answered accordingly.
    fn refuse_pending(&mut self, id: usize, errno: Option<i32>) {
        if let Some(Tcp::Pending { syn, seq, key, .. }) = self.tcp.remove(id) {
            if self.tcp_keys.get(&key) == Some(&id) {
                self.tcp_keys.remove(&key);
            }
            self.refuse_syn(key, seq, errno, &syn);
        }
    }

    fn tcp_event(&mut self, id: usize, ev: EpollFlags) {
        match self.tcp.get_mut(id) {
            Some(Tcp::Pending { sock, .. }) => match connected(sock) {
                Ok(false) => {}
                Ok(true) => self.activate(id),
                Err(e) => self.refuse_pending(id, e.raw_os_error()),
            },
            Some(Tcp::Active(c)) => {
                mark(&mut self.dirty, id, c);
                if ev.intersects(
                    EpollFlags::EPOLLIN
                        | EpollFlags::EPOLLRDHUP
                        | EpollFlags::EPOLLHUP
                        | EpollFlags::EPOLLERR,
                ) {
                    c.readable = true;
                }
                if ev.intersects(EpollFlags::EPOLLOUT | EpollFlags::EPOLLHUP | EpollFlags::EPOLLERR)
                {
                    c.writable = true;
                }
            }
            None => {}
        }
    }

    /// Ring sizes for a new flow: full ones while less than half the
    /// budget is spent and what is left holds a few of them, small ones
    /// after (a window the budget cannot fill only gets segments dropped).
    fn ring_size(&self) -> usize {
        let full = self.limits.ring;
        if self.budget.pressed() || self.budget.free() < 4 * full {
            RING_SMALL.min(full)
        } else {
            full
        }
    }

    /// A closed socket for a new flow, with its rings' accounting: a spare
    /// one if there is one of the size wanted (its pages are in memory
    /// already and stay charged: a short connection then costs no system
    /// call and no page fault), or a new one.
    fn take_socket(&mut self) -> Option<(TcpId, Rings)> {
        let ring = self.ring_size();
        if ring == self.limits.ring
            && let Some(spare) = self.spare.pop()
        {
            return Some(spare);
        }
        let id = self.sockets.add(ring, ring).ok()?;
        if let Some(mut s) = self.sockets.get(id) {
            // Small writes must not wait for an ACK: request/response
            // traffic would stall (slirp4netns' delayed responses, Podman
            // #20465).
            s.set_nagle_enabled(false);
            s.set_ack_delay(None);
            s.set_tsval_generator(Some(tsval));
            // No smoltcp timeout: it counts from the last segment received
            // even on an idle connection, and would reset every quiet one
            // (ssh, a pooled keep-alive) after that long. Handshakes and
            // idle half-closed flows time out in `maintain` instead.
        }
        Some((id, Rings::new(ring, ring, self.page)))
    }

    /// A flow's socket is done with: kept as a spare (closed, so it takes
    /// no segments; `listen` and `connect` start it afresh), or dropped
    /// with its rings, whose pages go back to the budget.
    fn release_socket(&mut self, sock: TcpId, mut rings: Rings) {
        if self.spare.len() < SPARE_SOCKETS
            && rings.cap() == self.limits.ring
            && let Some(mut s) = self.sockets.get(sock)
        {
            s.abort();
            rings.restart();
            self.spare.push((sock, rings));
        } else {
            rings.release_all(&mut self.budget);
            self.sockets.remove(sock);
        }
    }

    /// The host connection is up: let the held SYN through to a socket
    /// listening on exactly the address the container asked for.
    fn activate(&mut self, id: usize) {
        let Some(Tcp::Pending { key, .. }) = self.tcp.get_mut(id) else {
            return;
        };
        if self.listening.contains_key(&(key.1, key.2)) {
            // Another flow's SYN to the same place goes first.
            return self.later(K_TCP | id as u64, Duration::ZERO);
        }
        let Some(Tcp::Pending {
            sock,
            syn,
            seq,
            data,
            key,
            ..
        }) = self.tcp.remove(id)
        else {
            return;
        };
        let Some((handle, mut rings)) = self.take_socket() else {
            self.tcp_keys.remove(&key);
            self.refuse_syn(key, seq, None, &syn);
            return;
        };
        rings.set_isn(seq.0 as u32);
        let ok = self.sockets.get(handle).is_some_and(|mut s| {
            s.listen(IpListenEndpoint {
                addr: Some(key.1.into()),
                port: key.2,
            })
            .is_ok()
        }) && rings.charge_rx(
            (seq.0 as u32).wrapping_add(1),
            data,
            self.reserve,
            &mut self.budget,
        );
        if !ok {
            self.release_socket(handle, rings);
            self.tcp_keys.remove(&key);
            self.refuse_syn(key, seq, None, &syn);
            return;
        }
        let _ = nix::sys::socket::setsockopt(&sock, sockopt::TcpNoDelay, &true);
        let mut c = Conn::new(handle, rings, sock, key, false);
        c.isn = seq.0 as u32;
        mark(&mut self.dirty, id, &mut c);
        let nid = self.tcp.insert(Tcp::Active(c));
        debug_assert_eq!(nid, id);
        self.tcp_keys.insert(key, nid);
        self.listening.insert((key.1, key.2), nid);
        self.dev.rxq.push_back(syn);
    }

    /// Runs smoltcp and moves data between its sockets and the host's
    /// until neither side has anything more to give now.
    fn poll_iface(&mut self) {
        self.starved = false;
        for _ in 0..64 {
            let now = self.now();
            self.sockets.poll(&mut self.iface, now, &mut self.dev);
            let moved = self.service_tcp();
            if !moved && self.dev.rxq.is_empty() {
                break;
            }
        }
    }

    /// Services the flows something happened to (frames, host readiness,
    /// timeouts; every flow at each tick, to be sure).
    fn service_tcp(&mut self) -> bool {
        let mut moved = false;
        let mut gone = Vec::new();
        let now = Instant::now();
        let ids = std::mem::take(&mut self.dirty);
        let mut hungry = Vec::new();
        let Stack {
            tcp,
            sockets,
            budget,
            listening,
            dirty,
            ..
        } = self;
        for id in ids {
            let Some(Tcp::Active(c)) = tcp.get_mut(id) else {
                continue;
            };
            c.marked = false;
            let Some(mut s) = sockets.get(c.sock) else {
                continue;
            };
            let did = Self::service_one(id, c, &mut s, budget, listening, now);
            moved |= did.moved;
            if did.starved {
                hungry.push(id);
            }
            if did.gone {
                gone.push(id);
            } else if did.moved || did.starved || c.dead {
                mark(dirty, id, c);
            }
        }
        for id in gone {
            self.remove_flow(id);
        }
        // Host data waits for pages: the flow's own that hold nothing go
        // first (a busy flow slides over its ring); then it tries again.
        for id in hungry {
            if self.reclaim_flow(id) > 0 {
                moved = true;
            } else {
                self.starved = true;
            }
        }
        moved
    }

    /// Flow `id` gives back the pages of its rings that hold nothing.
    fn reclaim_flow(&mut self, id: usize) -> usize {
        let Some(Tcp::Active(c)) = self.tcp.get_mut(id) else {
            return 0;
        };
        let Some(queued) = self.sockets.get(c.sock).map(|s| s.send_queue()) else {
            return 0;
        };
        let sockets = &mut self.sockets;
        let sock = c.sock;
        c.rings.reclaim(queued, &mut self.budget, |ring, off, len| {
            sockets.discard(sock, ring, off, len).is_ok()
        })
    }

    /// Moves what can move between a flow's socket and its host socket.
    fn service_one(
        id: usize,
        c: &mut Conn,
        s: &mut rsp_sys::mem::Tcp<'_>,
        budget: &mut Budget,
        listening: &mut HashMap<(Ipv4Addr, u16), usize>,
        now: Instant,
    ) -> Serviced {
        let mut did = Serviced::default();
        let st = s.state();
        if st != c.state {
            if c.state == tcp::State::Listen {
                if listening.get(&(c.key.1, c.key.2)) == Some(&id) {
                    listening.remove(&(c.key.1, c.key.2));
                }
                // The held SYN must have reached this socket and no other:
                // its rings are charged by this flow's stream.
                let ours = IpEndpoint::new(GUEST.into(), c.key.0);
                if !c.inbound && st != tcp::State::Closed && s.remote_endpoint() != Some(ours) {
                    s.abort();
                    set_linger_zero(&c.host);
                    c.dead = true;
                }
            }
            c.state = st;
            c.last_io = now;
        }
        if c.dead {
            did.gone = !s.is_active() || st == tcp::State::TimeWait;
            return did;
        }
        // Container to host.
        while c.writable && s.can_recv() {
            match s.recv(|d, off| match send_nosig(&c.host, d) {
                Ok(n) => {
                    c.rings.received(off, n, budget);
                    (n, Ok(n))
                }
                Err(e) => (0, Err(e)),
            }) {
                Ok(Ok(n)) if n > 0 => {
                    did.moved = true;
                    c.last_io = now;
                }
                Ok(Ok(_)) => break,
                Ok(Err(e)) if would_block(&e) => c.writable = false,
                Ok(Err(_)) => {
                    s.abort();
                    c.dead = true;
                    break;
                }
                Err(_) => break,
            }
        }
        c.rings.in_order(s.recv_queue());
        // The container closed its side and everything it sent is out.
        let st = s.state();
        if !s.may_recv()
            && s.recv_queue() == 0
            && !c.host_shut
            && st != tcp::State::Listen
            && st != tcp::State::SynReceived
            && st != tcp::State::SynSent
        {
            if st == tcp::State::Closed {
                // Closed without a FIN seen first: the container reset (or
                // refused) the connection. The host peer must see a reset
                // too, not an orderly end of a truncated stream.
                set_linger_zero(&c.host);
                c.dead = true;
            } else {
                let _ = nix::sys::socket::shutdown(
                    c.host.as_raw_fd(),
                    nix::sys::socket::Shutdown::Write,
                );
            }
            c.host_shut = true;
            c.last_io = now;
        }
        // Host to container, into pages the budget gives.
        while c.readable && !c.host_eof && s.can_send() {
            match s.send(|buf, off| {
                let room = c.rings.tx_room(off, buf.len(), budget);
                if room == 0 {
                    return (0, Err(None));
                }
                match nix::unistd::read(&c.host, &mut buf[..room]) {
                    Ok(n) => {
                        c.rings.queued(off, n, budget);
                        (n, Ok(n))
                    }
                    Err(e) => (0, Err(Some(io::Error::from(e)))),
                }
            }) {
                Ok(Ok(0)) => {
                    c.host_eof = true;
                    s.close();
                    did.moved = true;
                    c.last_io = now;
                }
                Ok(Ok(_)) => {
                    did.moved = true;
                    c.last_io = now;
                }
                Ok(Err(None)) => {
                    did.starved = true;
                    break;
                }
                Ok(Err(Some(e))) if would_block(&e) => c.readable = false,
                Ok(Err(Some(_))) => {
                    s.abort();
                    c.dead = true;
                    did.moved = true;
                }
                Err(_) => break,
            }
        }
        // A host that closed while the container still connects, or a
        // container that reset: drop the host side too.
        let st = s.state();
        if !c.dead
            && (st == tcp::State::Closed
                || st == tcp::State::TimeWait
                || (c.host_eof && c.host_shut && !s.is_active()))
        {
            c.dead = true;
            did.moved = true;
        }
        did
    }

    /// Ends flow `id` now: its host socket closes, its smoltcp socket and
    /// rings go, and its pages go back to the budget.
    fn remove_flow(&mut self, id: usize) {
        match self.tcp.remove(id) {
            Some(Tcp::Active(c)) => {
                self.release_socket(c.sock, c.rings);
                if self.tcp_keys.get(&c.key) == Some(&id) {
                    self.tcp_keys.remove(&c.key);
                }
                if self.listening.get(&(c.key.1, c.key.2)) == Some(&id) {
                    self.listening.remove(&(c.key.1, c.key.2));
                }
            }
            Some(Tcp::Pending { key, .. }) if self.tcp_keys.get(&key) == Some(&id) => {
                self.tcp_keys.remove(&key);
            }
            _ => {}
        }
    }

    /// Every flow gives back the pages that hold no data, busy or not:
    /// the budget ran out. At most every `SQUEEZE_EVERY`.
    fn squeeze(&mut self) {
        let now = Instant::now();
        if now.duration_since(self.last_squeeze) < SQUEEZE_EVERY {
            return;
        }
        self.last_squeeze = now;
        self.reclaim(None);
    }

    /// Flows idle at least `idle` (all with `None`) give back the pages of
    /// their buffers that hold nothing.
    fn reclaim(&mut self, idle: Option<Duration>) {
        let now = Instant::now();
        let idle_enough = |t: Instant| idle.is_none_or(|d| now.duration_since(t) >= d);
        let Stack {
            tcp,
            sockets,
            budget,
            relays,
            relay_spare,
            ..
        } = self;
        for id in 0..tcp.bound() {
            let Some(Tcp::Active(c)) = tcp.get_mut(id) else {
                continue;
            };
            if c.rings.charged() == 0 || !idle_enough(c.last_io) {
                continue;
            }
            let Some(queued) = sockets.get(c.sock).map(|s| s.send_queue()) else {
                continue;
            };
            let sock = c.sock;
            c.rings.reclaim(queued, budget, |ring, off, len| {
                sockets.discard(sock, ring, off, len).is_ok()
            });
        }
        for id in 0..relays.bound() {
            if let Some(r) = relays.get_mut(id)
                && idle_enough(r.last_io)
            {
                r.release_idle(budget, relay_spare);
            }
        }
        if idle.is_some() {
            // Spares kept until the next tick go now.
            forward::drop_spare(budget, relay_spare);
        }
        // Spare sockets hold nothing.
        for (sock, rings) in &mut self.spare {
            let sock = *sock;
            let sockets = &mut self.sockets;
            rings.reclaim_idle_socket(&mut self.budget, |ring, off, len| {
                sockets.discard(sock, ring, off, len).is_ok()
            });
        }
    }

    /// Tables that grew for many flows and hold none now start afresh:
    /// their memory goes back (a churn of thousands of connections would
    /// otherwise leave megabytes of empty slots behind).
    fn compact(&mut self) {
        if self.tcp.len() == 0 && self.tcp.bound() > 64 {
            for (sock, rings) in std::mem::take(&mut self.spare) {
                self.release_socket(sock, rings);
            }
            self.spare.clear();
            self.tcp = Slab::default();
            self.sockets = TcpSockets::default();
            self.tcp_keys = HashMap::new();
            self.listening = HashMap::new();
            self.dirty = Vec::new();
        }
        if self.udp.len() == 0 && self.udp.bound() > 64 {
            self.udp = Slab::default();
            self.udp_keys = HashMap::new();
        }
        if self.relays.len() == 0 && self.relays.bound() > 64 {
            self.relays = Slab::default();
        }
    }

    /// Timeouts, and idle flows' pages: every `tick`.
    fn maintain(&mut self) {
        let now = Instant::now();
        self.next_expiry = now + self.tick;
        self.expire_udp(now);
        let l = self.limits.clone();
        for id in 0..self.tcp.bound() {
            match self.tcp.get_mut(id) {
                Some(Tcp::Pending { since, .. }) if now.duration_since(*since) > l.handshake => {
                    self.refuse_pending(id, Some(libc::ETIMEDOUT));
                }
                Some(Tcp::Active(c)) => {
                    // Every flow is looked at now and then, whatever
                    // happened to it.
                    mark(&mut self.dirty, id, c);
                    let Some(mut s) = self.sockets.get(c.sock) else {
                        continue;
                    };
                    let st = s.state();
                    let age = now.duration_since(c.since);
                    let handshake = matches!(st, tcp::State::SynSent | tcp::State::SynReceived)
                        && age > l.handshake;
                    // One side closed and the other holds the connection
                    // open, silent: the container's side may be long gone
                    // (a closed Linux socket leaves FIN-WAIT-2 after 60 s).
                    let abandoned = closing(st) && now.duration_since(c.last_io) > l.closing_idle;
                    if !c.dead && (handshake || abandoned) {
                        s.abort();
                        set_linger_zero(&c.host);
                        c.dead = true;
                    }
                    // A held SYN that smoltcp did not take after all:
                    // nothing will ever complete this flow.
                    if st == tcp::State::Listen && age > LISTEN_TIMEOUT {
                        c.dead = true;
                    }
                }
                _ => {}
            }
        }
        for id in 0..self.relays.bound() {
            if let Some(r) = self.relays.get_mut(id)
                && r.half_closed()
                && now.duration_since(r.last_io) > l.closing_idle
                && let Some(r) = self.relays.remove(id)
            {
                r.reset_host();
                r.finish(&mut self.budget, &mut self.relay_spare);
            }
        }
        self.reclaim(Some(l.reclaim_idle));
        self.compact();
    }

    fn udp_ingress(&mut self, f: &Frame) {
        let Some((key, payload_at, payload_len)) = (|| {
            let ip = f.ipv4()?;
            let udp = UdpPacket::new_checked(ip.payload()).ok()?;
            let hdr = 14 + ip.header_len() as usize + 8;
            Some((
                (udp.src_port(), ip.dst_addr(), udp.dst_port()),
                hdr,
                udp.payload().len(),
            ))
        })() else {
            return;
        };
        let payload = &f.buf[payload_at..payload_at + payload_len];
        if key.1 == DNS
            && key.2 == 53
            && let Some(names) = &self.names
            && let Some(q) = crate::dns::question(payload)
        {
            let found = names(&q.name);
            if found.is_some() || self.internal {
                let r = crate::dns::answer(payload, &q, found);
                let fr = wire::udp(self.guest_mac, (DNS, 53), (GUEST, key.0), &r);
                return self.send_frame(&fr);
            }
        }
        let now = Instant::now();
        if let Some(&id) = self.udp_keys.get(&UdpKey::Nat(key)) {
            if let Some(u) = self.udp.get_mut(id) {
                u.last = now;
                let _ = send_nosig(&u.sock, payload);
            }
            return;
        }
        let Some(target) = self
            .map(key.1, key.2)
            .filter(|_| self.udp.len() < self.limits.max_flows)
        else {
            if (key.1 == GATEWAY || key.1 == DNS)
                && let Some(fr) = wire::unreachable(
                    self.guest_mac,
                    key.1,
                    Icmpv4DstUnreachable::PortUnreachable,
                    &f.buf[14..f.len],
                )
            {
                self.send_frame(&fr);
            }
            return;
        };
        let Ok(sock) = connect_nb(target, SockType::Datagram) else {
            return;
        };
        let _ = send_nosig(&sock, payload);
        self.add_udp(sock, UdpKey::Nat(key));
    }

    fn add_udp(&mut self, sock: OwnedFd, key: UdpKey) -> usize {
        let id = self.udp.insert(Udp {
            sock,
            key,
            last: Instant::now(),
        });
        if let Some(u) = self.udp.get_mut(id) {
            let _ = self.epoll.add(
                &u.sock,
                EpollEvent::new(EpollFlags::EPOLLIN | EpollFlags::EPOLLET, K_UDP | id as u64),
            );
        }
        self.udp_keys.insert(key, id);
        id
    }

    fn icmp_ingress(&mut self, f: &Frame) {
        let Some((dst, ident, seq, data)) = (|| {
            let ip = f.ipv4()?;
            let pkt = Icmpv4Packet::new_checked(ip.payload()).ok()?;
            match Icmpv4Repr::parse(&pkt, &smoltcp::phy::ChecksumCapabilities::ignored()).ok()? {
                Icmpv4Repr::EchoRequest {
                    ident,
                    seq_no,
                    data,
                } => Some((ip.dst_addr(), ident, seq_no, data.to_vec())),
                _ => None,
            }
        })() else {
            return;
        };
        if dst == GATEWAY || dst == DNS {
            let reply = Icmpv4Repr::EchoReply {
                ident,
                seq_no: seq,
                data: &data,
            };
            let fr = wire::icmp(self.guest_mac, dst, GUEST, &reply);
            return self.send_frame(&fr);
        }
        let refuse = |s: &mut Self| {
            if let Some(fr) = wire::unreachable(
                s.guest_mac,
                GATEWAY,
                Icmpv4DstUnreachable::HostUnreachable,
                &f.buf[14..f.len],
            ) {
                s.send_frame(&fr);
            }
        };
        if self.map(dst, 0).is_none() {
            return refuse(self);
        }
        if !self.udp_keys.contains_key(&UdpKey::Ping(ident, dst))
            && self.udp.len() >= self.limits.max_flows
        {
            return refuse(self);
        }
        let key = UdpKey::Ping(ident, dst);
        let id = match self.udp_keys.get(&key) {
            Some(&id) => id,
            None => {
                // Unprivileged ICMP sockets exist only where
                // net.ipv4.ping_group_range includes our group.
                let sock = nix::sys::socket::socket(
                    AddressFamily::Inet,
                    SockType::Datagram,
                    SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC,
                    SockProtocol::Icmp,
                )
                .ok()
                .filter(|s| {
                    nix::sys::socket::connect(
                        s.as_raw_fd(),
                        &SockaddrStorage::from(SocketAddr::from((dst, 0))),
                    )
                    .is_ok()
                });
                match sock {
                    Some(s) => self.add_udp(s, key),
                    None => return refuse(self),
                }
            }
        };
        let req = Icmpv4Repr::EchoRequest {
            ident,
            seq_no: seq,
            data: &data,
        };
        let mut buf = vec![0u8; req.buffer_len()];
        req.emit(
            &mut Icmpv4Packet::new_unchecked(&mut buf[..]),
            &smoltcp::phy::ChecksumCapabilities::default(),
        );
        if let Some(u) = self.udp.get_mut(id) {
            u.last = Instant::now();
            let _ = send_nosig(&u.sock, &buf);
        }
    }

    fn udp_readable(&mut self, id: usize) {
        let mut buf = self.take_scratch();
        self.udp_read(id, &mut buf);
        self.scratch = buf;
    }

    /// The datagram buffer, lent out while it is in use.
    fn take_scratch(&mut self) -> Vec<u8> {
        let mut buf = std::mem::take(&mut self.scratch);
        buf.resize(65536, 0);
        buf
    }

    fn udp_read(&mut self, id: usize, buf: &mut [u8]) {
        for _ in 0..256 {
            let Some(u) = self.udp.get_mut(id) else {
                return;
            };
            let n = match nix::sys::socket::recv(u.sock.as_raw_fd(), buf, MsgFlags::empty()) {
                Ok(n) => n,
                Err(nix::Error::EAGAIN) => return,
                // An ICMP error for an earlier datagram; the next may pass.
                Err(_) => continue,
            };
            u.last = Instant::now();
            let frame = match u.key {
                UdpKey::Nat((gport, dst, dport)) => {
                    if n + 28 > self.opts.mtu as usize {
                        continue;
                    }
                    Some(wire::udp(
                        self.guest_mac,
                        (dst, dport),
                        (GUEST, gport),
                        &buf[..n],
                    ))
                }
                UdpKey::Ping(ident, dst) => {
                    let pkt = Icmpv4Packet::new_checked(&buf[..n]).ok();
                    match pkt.and_then(|p| {
                        Icmpv4Repr::parse(&p, &smoltcp::phy::ChecksumCapabilities::ignored()).ok()
                    }) {
                        Some(Icmpv4Repr::EchoReply { seq_no, data, .. }) => {
                            let reply = Icmpv4Repr::EchoReply {
                                ident,
                                seq_no,
                                data,
                            };
                            Some(wire::icmp(self.guest_mac, dst, GUEST, &reply))
                        }
                        _ => None,
                    }
                }
                UdpKey::Published(li, client) => {
                    if let Some((l, _)) = self.listeners.udp.get(li) {
                        let _ = l.send_to(&buf[..n], client);
                    }
                    None
                }
            };
            if let Some(fr) = frame {
                self.send_frame(&fr);
            }
        }
        self.later(K_UDP | id as u64, Duration::ZERO);
    }

    fn expire_udp(&mut self, now: Instant) {
        for id in 0..self.udp.bound() {
            let Some(u) = self.udp.get_mut(id) else {
                continue;
            };
            let idle = if matches!(u.key, UdpKey::Ping(..)) {
                PING_IDLE
            } else {
                self.limits.udp_idle
            };
            if now.duration_since(u.last) > idle {
                let key = u.key;
                self.udp.remove(id);
                self.udp_keys.remove(&key);
            }
        }
    }

    /// A datagram for a published UDP port: relayed through a socket in the
    /// container's namespace, one per client.
    fn udp_listener(&mut self, li: usize) {
        let mut buf = self.take_scratch();
        self.udp_listen(li, &mut buf);
        self.scratch = buf;
    }

    fn udp_listen(&mut self, li: usize, buf: &mut [u8]) {
        for _ in 0..256 {
            let Some((l, ctr)) = self.listeners.udp.get(li) else {
                return;
            };
            let ctr = *ctr;
            let (n, client) = match l.recv_from(buf) {
                Ok(x) => x,
                Err(e) if would_block(&e) => return,
                Err(_) => continue,
            };
            let key = UdpKey::Published(li, client);
            let id = match self.udp_keys.get(&key) {
                Some(&id) => Some(id),
                None if self.udp.len() >= self.limits.max_flows => None,
                None => self
                    .factory
                    .as_mut()
                    .and_then(|f| f.socket(true).ok())
                    .filter(|s| {
                        nix::sys::socket::connect(
                            s.as_raw_fd(),
                            &SockaddrStorage::from(SocketAddr::from((GUEST, ctr))),
                        )
                        .is_ok()
                    })
                    .map(|s| self.add_udp(s, key)),
            };
            if let Some(u) = id.and_then(|id| self.udp.get_mut(id)) {
                u.last = Instant::now();
                let _ = send_nosig(&u.sock, &buf[..n]);
            }
        }
        self.later(K_ULISTEN | li as u64, Duration::ZERO);
    }

    fn next_ephemeral(&mut self) -> u16 {
        let p = self.next_port;
        self.next_port = if p == u16::MAX { 1024 } else { p + 1 };
        p
    }

    fn accept(&mut self, li: usize) {
        for _ in 0..256 {
            let Some((l, ctr)) = self.listeners.tcp.get(li) else {
                return;
            };
            let ctr = *ctr;
            let (stream, peer) = match l.accept() {
                Ok(x) => x,
                Err(e) if would_block(&e) => return,
                // Out of descriptors: try again shortly rather than spin
                // or (edge-triggered) never hear of this port again.
                Err(e)
                    if matches!(
                        e.raw_os_error(),
                        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
                    ) =>
                {
                    return self.later(K_LISTEN | li as u64, Duration::from_millis(100));
                }
                // A client that gave up while queued.
                Err(_) => continue,
            };
            let _ = stream.set_nonblocking(true);
            let host = OwnedFd::from(stream);
            if !self.admit() {
                set_linger_zero(&host);
                continue;
            }
            if self.opts.slirp_ports() {
                self.accept_slirp(host, peer, ctr);
            } else {
                self.accept_fast(host, ctr);
            }
        }
        // Still more queued: carry on next turn, after the others' work.
        self.later(K_LISTEN | li as u64, Duration::ZERO);
    }

    /// Registers a connection's socket for edge-triggered reads, writes
    /// and hang-ups under `token`.
    fn watch(&self, fd: &OwnedFd, token: u64) {
        let flags = EpollFlags::EPOLLIN
            | EpollFlags::EPOLLOUT
            | EpollFlags::EPOLLRDHUP
            | EpollFlags::EPOLLET;
        let _ = self.epoll.add(fd, EpollEvent::new(flags, token));
    }

    /// Handles `token` again after `delay`, as if its descriptor had
    /// signalled: edge-triggered readiness is not repeated for work a
    /// handler left undone.
    fn later(&mut self, token: u64, delay: Duration) {
        self.again.push((token, Instant::now() + delay));
    }

    fn dispatch(&mut self, data: u64, ev: EpollFlags) -> bool {
        let id = (data & ID_MASK) as usize;
        match data & !ID_MASK {
            0 if data == T_TAP => self.link_ready = true,
            0 if data == T_STOP => return false,
            K_TCP => self.tcp_event(id, ev),
            K_UDP => self.udp_readable(id),
            K_LISTEN => self.accept(id),
            K_ULISTEN => self.udp_listener(id),
            K_RELAY => self.relay(id),
            _ => {}
        }
        true
    }

    /// The fast path: a socket inside the container's namespace connects
    /// to its port; the kernel moves the bytes.
    fn accept_fast(&mut self, host: OwnedFd, ctr: u16) {
        let Some(guest) = self.factory.as_mut().and_then(|f| f.socket(false).ok()) else {
            return;
        };
        let Ok(relay) = Relay::new(host, guest, SocketAddr::from((GUEST, ctr))) else {
            return;
        };
        let id = self.relays.slot();
        self.watch(&relay.host, K_RELAY | id as u64);
        self.watch(&relay.guest, K_RELAY | id as u64);
        self.relays.insert(relay);
    }

    fn relay(&mut self, id: usize) {
        let Some(r) = self.relays.get_mut(id) else {
            return;
        };
        let mut out = Pumped::default();
        let done = match r.pump(&mut self.budget, &mut self.relay_spare, &mut out) {
            Ok(live) => !live,
            Err(_) => {
                r.reset_host();
                true
            }
        };
        if done {
            if let Some(r) = self.relays.remove(id) {
                r.finish(&mut self.budget, &mut self.relay_spare);
            }
        } else if out.starved {
            self.squeeze();
            self.later(K_RELAY | id as u64, SQUEEZE_EVERY);
        }
    }

    /// The slirp port handler: the connection goes through the stack from
    /// the client's own address (the gateway's, for a client on the
    /// host's loopback, which the container could not route back to).
    fn accept_slirp(&mut self, host: OwnedFd, peer: SocketAddr, ctr: u16) {
        let src = match peer.ip() {
            IpAddr::V4(ip) if self.map(ip, 1).is_some() => ip,
            IpAddr::V6(ip) => match ip.to_ipv4_mapped() {
                Some(v4) if self.map(v4, 1).is_some() => v4,
                _ => GATEWAY,
            },
            _ => GATEWAY,
        };
        // A source port no live connection to this container port holds.
        let mut port = self.next_ephemeral();
        for _ in 0..u16::MAX {
            if !self.tcp_keys.contains_key(&(ctr, src, port)) {
                break;
            }
            port = self.next_ephemeral();
        }
        let key = (ctr, src, port);
        if self.tcp_keys.contains_key(&key) {
            set_linger_zero(&host);
            return;
        }
        let Some((handle, rings)) = self.take_socket() else {
            set_linger_zero(&host);
            return;
        };
        let cx = self.iface.context();
        let connected = self.sockets.get(handle).is_some_and(|mut s| {
            s.connect(
                cx,
                IpEndpoint::new(GUEST.into(), ctr),
                IpListenEndpoint {
                    addr: Some(src.into()),
                    port,
                },
            )
            .is_ok()
        });
        if !connected {
            self.release_socket(handle, rings);
            set_linger_zero(&host);
            return;
        }
        let _ = nix::sys::socket::setsockopt(&host, sockopt::TcpNoDelay, &true);
        let id = self.tcp.slot();
        self.watch(&host, K_TCP | id as u64);
        // The container's stream starts at the sequence number of its
        // SYN-ACK, learnt in `tcp_ingress`.
        let mut c = Conn::new(handle, rings, host, key, true);
        mark(&mut self.dirty, id, &mut c);
        self.tcp.insert(Tcp::Active(c));
        self.tcp_keys.insert(key, id);
    }

    /// The link, for tests that drive the stack by hand.
    pub fn link_mut(&mut self) -> &mut L {
        &mut self.dev.link
    }

    /// Open NATed TCP and UDP flows and published-port relays.
    pub fn flow_counts(&self) -> (usize, usize, usize) {
        (self.tcp.len(), self.udp.len(), self.relays.len())
    }

    /// What the flows' buffers hold now.
    pub fn memory(&mut self) -> Memory {
        let mut m = Memory {
            charged: self.budget.used(),
            ..Memory::default()
        };
        for id in 0..self.tcp.bound() {
            if let Some(Tcp::Active(c)) = self.tcp.get_mut(id) {
                m.resident += self.sockets.resident(c.sock).unwrap_or(0);
                m.unmodeled += !c.rings.modeled() as usize;
            }
        }
        for (sock, _) in &self.spare {
            m.resident += self.sockets.resident(*sock).unwrap_or(0);
        }
        m
    }
}
