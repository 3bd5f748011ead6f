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

use super::forward::{Listeners, Relay};
use super::table::Slab;
use super::{DNS, GATEWAY, GUEST, NetOptions, PREFIX, wire};
use crate::sys::net::SocketFactory;
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags};
use nix::sys::socket::{
    AddressFamily, MsgFlags, SockFlag, SockProtocol, SockType, SockaddrStorage, sockopt,
};
use smoltcp::iface::{Config, Interface, SocketHandle, SocketSet};
use smoltcp::phy::{Checksum, Device, DeviceCapabilities, Medium, RxToken, TxToken};
use smoltcp::socket::tcp;
use smoltcp::wire::{
    EthernetAddress, EthernetFrame, EthernetProtocol, HardwareAddress, Icmpv4DstUnreachable,
    Icmpv4Packet, Icmpv4Repr, IpCidr, IpListenEndpoint, IpProtocol, Ipv4Packet, TcpPacket,
    TcpSeqNumber, UdpPacket,
};
use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};
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

/// Socket buffers per NATed TCP connection. The receive side sets the
/// window the container may fill (1 MiB, scaled); it stays far below what
/// the tap's queue holds at this MTU (hundreds of 64 KiB frames), so the
/// container never sends more than the queue takes.
const TCP_RX: usize = 1 << 20;
const TCP_TX: usize = 1 << 20;
/// Flows a container may hold open at once; more are refused.
const MAX_FLOWS: usize = 8192;
const UDP_IDLE: Duration = Duration::from_secs(60);
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(60);
/// Closed sockets kept for reuse: at most this many times the buffers of
/// one connection stay resident after the connections are gone.
const SPARE_SOCKETS: usize = 2;
const PING_IDLE: Duration = Duration::from_secs(10);
const POOL: usize = 64;

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
}

impl RxToken for Rx<'_> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        let r = f(&self.frame.buf[..self.frame.len]);
        if self.pool.len() < POOL {
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

/// (container port, destination address, destination port)
type Key = (u16, Ipv4Addr, u16);

struct Conn {
    handle: SocketHandle,
    host: OwnedFd,
    key: Option<Key>,
    readable: bool,
    writable: bool,
    host_eof: bool,
    host_shut: bool,
    /// Reset or finished: removed after the next poll has sent what the
    /// socket still had to say.
    dead: bool,
    since: Instant,
    /// For a published-port connection through the stack: the (source
    /// address, source port, container port) it holds.
    inbound: Option<(Ipv4Addr, u16, u16)>,
}

impl Conn {
    fn new(
        handle: SocketHandle,
        host: OwnedFd,
        key: Option<Key>,
        inbound: Option<(Ipv4Addr, u16, u16)>,
    ) -> Conn {
        Conn {
            handle,
            host,
            key,
            readable: true,
            writable: true,
            host_eof: false,
            host_shut: false,
            dead: false,
            since: Instant::now(),
            inbound,
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
        key: Key,
    },
    Active(Conn),
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

pub struct Stack<L: Link> {
    iface: Interface,
    dev: Dev<L>,
    sockets: SocketSet<'static>,
    opts: NetOptions,
    dns: Vec<SocketAddr>,
    guest_mac: EthernetAddress,
    epoll: Epoll,
    tcp: Slab<Tcp>,
    tcp_keys: HashMap<Key, usize>,
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
    inbound: std::collections::HashSet<(Ipv4Addr, u16, u16)>,
    spare: Vec<SocketHandle>,
    spare_bufs: Vec<[Vec<u8>; 2]>,
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
        Ok(Stack {
            iface,
            dev,
            sockets: SocketSet::new(Vec::new()),
            opts,
            dns,
            guest_mac: EthernetAddress::BROADCAST,
            epoll,
            tcp: Slab::default(),
            tcp_keys: HashMap::new(),
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
            inbound: Default::default(),
            spare: Vec::new(),
            spare_bufs: Vec::new(),
        })
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
            self.iface
                .poll_delay(self.now(), &self.sockets)
                .map(|d| Duration::from_micros(d.total_micros()))
                .unwrap_or(Duration::from_secs(1))
                .min(Duration::from_secs(1))
        };
        if let Some(m) = max_wait {
            wait = wait.min(m);
        }
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
        if Instant::now() >= self.next_expiry {
            self.expire_udp();
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
            Some((
                syn,
                (tcp.src_port(), ip.dst_addr(), tcp.dst_port()),
                tcp.seq_number(),
            ))
        })();
        let Some((new_syn, key, seq)) = info else {
            return self.recycle(f);
        };
        if !new_syn {
            return self.dev.rxq.push_back(f);
        }
        if let Some(&id) = self.tcp_keys.get(&key) {
            match self.tcp.get_mut(id) {
                // A resent SYN: the first one is still held.
                Some(Tcp::Pending { .. }) => return self.recycle(f),
                _ => return self.dev.rxq.push_back(f),
            }
        }
        let target = self
            .map(key.1, key.2)
            .filter(|_| self.tcp.len() < MAX_FLOWS);
        let sock = match target.map(|t| connect_nb(t, SockType::Stream)) {
            Some(Ok(s)) => s,
            Some(Err(e)) => {
                self.refuse_syn(key, seq, e.raw_os_error(), &f);
                return self.recycle(f);
            }
            None => {
                self.refuse_syn(key, seq, None, &f);
                return self.recycle(f);
            }
        };
        let id = self.tcp.slot();
        self.watch(&sock, K_TCP | id as u64);
        self.tcp.insert(Tcp::Pending {
            sock,
            syn: f,
            seq,
            key,
        });
        self.tcp_keys.insert(key, id);
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

    fn tcp_event(&mut self, id: usize, ev: EpollFlags) {
        match self.tcp.get_mut(id) {
            Some(Tcp::Pending { sock, .. }) => match connected(sock) {
                Ok(false) => {}
                Ok(true) => self.activate(id),
                Err(e) => {
                    if let Some(Tcp::Pending { syn, seq, key, .. }) = self.tcp.remove(id) {
                        self.tcp_keys.remove(&key);
                        self.refuse_syn(key, seq, e.raw_os_error(), &syn);
                        self.recycle(syn);
                    }
                }
            },
            Some(Tcp::Active(c)) => {
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

    fn new_socket() -> tcp::Socket<'static> {
        let mut s = tcp::Socket::new(
            tcp::SocketBuffer::new(vec![0u8; TCP_RX]),
            tcp::SocketBuffer::new(vec![0u8; TCP_TX]),
        );
        // Small writes must not wait for an ACK: request/response traffic
        // would stall (slirp4netns' delayed responses, Podman #20465).
        s.set_nagle_enabled(false);
        s.set_ack_delay(None);
        s.set_tsval_generator(Some(tsval));
        // No smoltcp timeout: it counts from the last segment received even
        // on an idle connection, and would reset every quiet one (ssh, a
        // pooled keep-alive) after that long. Handshakes time out in
        // `service_tcp` instead.
        s
    }

    /// A closed socket to use: a spare one if there is one, so that its
    /// buffers (already mapped and faulted in) are not allocated, zeroed
    /// and freed again for every short connection.
    fn take_socket(&mut self) -> SocketHandle {
        match self.spare.pop() {
            Some(h) => h,
            None => self.sockets.add(Self::new_socket()),
        }
    }

    /// Gives a flow's socket back: kept as a spare, or dropped.
    fn release_socket(&mut self, h: SocketHandle) {
        if self.spare.len() < SPARE_SOCKETS {
            // Closed, so it takes no packets while it waits.
            self.sockets.get_mut::<tcp::Socket>(h).abort();
            self.spare.push(h);
        } else {
            self.sockets.remove(h);
        }
    }

    /// The host connection is up: let the held SYN through to a socket
    /// listening on exactly the address the container asked for.
    fn activate(&mut self, id: usize) {
        let Some(Tcp::Pending { sock, syn, key, .. }) = self.tcp.remove(id) else {
            return;
        };
        let handle = self.take_socket();
        if self
            .sockets
            .get_mut::<tcp::Socket>(handle)
            .listen(IpListenEndpoint {
                addr: Some(key.1.into()),
                port: key.2,
            })
            .is_err()
        {
            self.release_socket(handle);
            self.tcp_keys.remove(&key);
            return;
        }
        let _ = nix::sys::socket::setsockopt(&sock, sockopt::TcpNoDelay, &true);
        let nid = self
            .tcp
            .insert(Tcp::Active(Conn::new(handle, sock, Some(key), None)));
        debug_assert_eq!(nid, id);
        self.tcp_keys.insert(key, nid);
        self.dev.rxq.push_back(syn);
    }

    /// Runs smoltcp and moves data between its sockets and the host's
    /// until neither side has anything more to give now.
    fn poll_iface(&mut self) {
        for _ in 0..64 {
            let now = self.now();
            self.iface.poll(now, &mut self.dev, &mut self.sockets);
            let moved = self.service_tcp();
            if !moved && self.dev.rxq.is_empty() {
                break;
            }
        }
    }

    fn service_tcp(&mut self) -> bool {
        let mut moved = false;
        for id in self.tcp.ids() {
            let Some(Tcp::Active(c)) = self.tcp.get_mut(id) else {
                continue;
            };
            let s = self.sockets.get_mut::<tcp::Socket>(c.handle);
            // A held SYN that smoltcp did not take after all: nothing will
            // ever complete this flow.
            if s.state() == tcp::State::Listen && c.since.elapsed() > Duration::from_secs(5) {
                c.dead = true;
            }
            // A handshake the container abandoned (or never answers).
            if matches!(s.state(), tcp::State::SynSent | tcp::State::SynReceived)
                && c.since.elapsed() > HANDSHAKE_TIMEOUT
            {
                s.abort();
                c.dead = true;
            }
            if c.dead {
                if !s.is_active() || s.state() == tcp::State::TimeWait {
                    let handle = c.handle;
                    let key = c.key;
                    if let Some(t) = c.inbound {
                        self.inbound.remove(&t);
                    }
                    self.release_socket(handle);
                    if let Some(k) = key {
                        self.tcp_keys.remove(&k);
                    }
                    self.tcp.remove(id);
                }
                continue;
            }
            // Container to host.
            while c.writable && s.can_recv() {
                match s.recv(|d| match send_nosig(&c.host, d) {
                    Ok(n) => (n, Ok(n)),
                    Err(e) => (0, Err(e)),
                }) {
                    Ok(Ok(n)) if n > 0 => moved = true,
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
            // The container closed its side and everything it sent is out.
            if !s.may_recv()
                && s.recv_queue() == 0
                && !c.host_shut
                && s.state() != tcp::State::Listen
                && s.state() != tcp::State::SynReceived
                && s.state() != tcp::State::SynSent
            {
                if s.state() == tcp::State::Closed {
                    // Closed without a FIN seen first: the container reset
                    // (or refused) the connection. The host peer must see a
                    // reset too, not an orderly end of a truncated stream.
                    set_linger_zero(&c.host);
                    c.dead = true;
                } else {
                    let _ = nix::sys::socket::shutdown(
                        c.host.as_raw_fd(),
                        nix::sys::socket::Shutdown::Write,
                    );
                }
                c.host_shut = true;
            }
            // Host to container.
            while c.readable && !c.host_eof && s.can_send() {
                match s.send(|buf| match nix::unistd::read(&c.host, buf) {
                    Ok(n) => (n, Ok(n)),
                    Err(e) => (0, Err(io::Error::from(e))),
                }) {
                    Ok(Ok(0)) => {
                        c.host_eof = true;
                        s.close();
                        moved = true;
                    }
                    Ok(Ok(_)) => moved = true,
                    Ok(Err(e)) if would_block(&e) => c.readable = false,
                    Ok(Err(_)) => {
                        s.abort();
                        c.dead = true;
                        moved = true;
                    }
                    Err(_) => break,
                }
            }
            // A host that closed while the container still connects, or a
            // container that reset: drop the host side too.
            if !c.dead
                && (s.state() == tcp::State::Closed
                    || s.state() == tcp::State::TimeWait
                    || (c.host_eof && c.host_shut && !s.is_active()))
            {
                c.dead = true;
                moved = true;
            }
        }
        moved
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
            .filter(|_| self.udp.len() < MAX_FLOWS)
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
        if !self.udp_keys.contains_key(&UdpKey::Ping(ident, dst)) && self.udp.len() >= MAX_FLOWS {
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
        let mut buf = vec![0u8; 65536];
        for _ in 0..256 {
            let Some(u) = self.udp.get_mut(id) else {
                return;
            };
            let n = match nix::sys::socket::recv(u.sock.as_raw_fd(), &mut buf, MsgFlags::empty()) {
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

    fn expire_udp(&mut self) {
        let now = Instant::now();
        self.next_expiry = now + Duration::from_secs(1);
        for id in self.udp.ids() {
            let Some(u) = self.udp.get_mut(id) else {
                continue;
            };
            let idle = if matches!(u.key, UdpKey::Ping(..)) {
                PING_IDLE
            } else {
                UDP_IDLE
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
        let mut buf = vec![0u8; 65536];
        for _ in 0..256 {
            let Some((l, ctr)) = self.listeners.udp.get(li) else {
                return;
            };
            let ctr = *ctr;
            let (n, client) = match l.recv_from(&mut buf) {
                Ok(x) => x,
                Err(e) if would_block(&e) => return,
                Err(_) => continue,
            };
            let key = UdpKey::Published(li, client);
            let id = match self.udp_keys.get(&key) {
                Some(&id) => Some(id),
                None if self.udp.len() >= MAX_FLOWS => None,
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
            if self.tcp.len() + self.relays.len() >= MAX_FLOWS {
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
        let bufs = self.spare_bufs.pop().unwrap_or_default();
        let Ok(relay) = Relay::new(host, guest, SocketAddr::from((GUEST, ctr)), bufs) else {
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
        let done = match r.pump() {
            Ok(live) => !live,
            Err(_) => {
                r.reset_host();
                true
            }
        };
        if done
            && let Some(r) = self.relays.remove(id)
            && self.spare_bufs.len() < SPARE_SOCKETS
        {
            self.spare_bufs.push(r.buffers());
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
            if !self.inbound.contains(&(src, port, ctr)) {
                break;
            }
            port = self.next_ephemeral();
        }
        if !self.inbound.insert((src, port, ctr)) {
            set_linger_zero(&host);
            return;
        }
        let handle = self.take_socket();
        let cx = self.iface.context();
        if self
            .sockets
            .get_mut::<tcp::Socket>(handle)
            .connect(
                cx,
                SocketAddrV4::new(GUEST, ctr),
                IpListenEndpoint {
                    addr: Some(src.into()),
                    port,
                },
            )
            .is_err()
        {
            self.release_socket(handle);
            self.inbound.remove(&(src, port, ctr));
            return;
        }
        let _ = nix::sys::socket::setsockopt(&host, sockopt::TcpNoDelay, &true);
        let id = self.tcp.slot();
        self.watch(&host, K_TCP | id as u64);
        self.tcp.insert(Tcp::Active(Conn::new(
            handle,
            host,
            None,
            Some((src, port, ctr)),
        )));
    }

    /// The link, for tests that drive the stack by hand.
    pub fn link_mut(&mut self) -> &mut L {
        &mut self.dev.link
    }

    /// Open NATed TCP and UDP flows and published-port relays.
    pub fn flow_counts(&self) -> (usize, usize, usize) {
        (self.tcp.len(), self.udp.len(), self.relays.len())
    }
}
