//! Unit tests of the userspace stack ([`super::stack::Stack`]): its NAT and
//! its device, driven in memory, without any namespace.
//!
//! The container is a second smoltcp interface (10.0.2.100/24, default
//! route through 10.0.2.2, its own MAC) at the other end of a pair of frame
//! queues; smoltcp's `FaultInjector` in front of it loses frames both ways,
//! and the stack's end of the queues can reorder them. Both run in one
//! thread, in bounded loops. The host side is real sockets on 127.0.0.1
//! only. Other tests push hand-made frames (ICMP echo, a SYN with options,
//! malformed and random frames) straight into the link and read what the
//! stack sends back.

use super::forward::Listeners;
use super::stack::{Limits, Link, Memory, Stack};
use super::wire::OUR_MAC;
use super::{DEFAULT_MTU, DNS, GATEWAY, GUEST, NetOptions, PREFIX};
use smoltcp::iface::{Config, Interface, SocketHandle, SocketSet};
use smoltcp::phy::{
    ChecksumCapabilities, Device, DeviceCapabilities, FaultInjector, Medium, RxToken, TxToken,
};
use smoltcp::socket::{tcp, udp};
use smoltcp::wire::{
    ArpOperation, ArpPacket, ArpRepr, EthernetAddress, EthernetFrame, EthernetProtocol,
    EthernetRepr, HardwareAddress, Icmpv4Packet, Icmpv4Repr, IpAddress, IpCidr, IpEndpoint,
    IpProtocol, Ipv4Packet, Ipv4Repr, TcpControl, TcpPacket, TcpRepr, TcpSeqNumber, UdpPacket,
    UdpRepr,
};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::fd::BorrowedFd;
use std::rc::Rc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

type Queue = Rc<RefCell<VecDeque<Vec<u8>>>>;

const GUEST_MAC: EthernetAddress = EthernetAddress([0x02, 0x00, 0x0a, 0x00, 0x02, 0x64]);
const GUEST_PORT: u16 = 49152;
/// The container's TCP buffers (its window is scaled too).
const GUEST_BUF: usize = 512 << 10;
/// Under loss or reordering, smaller windows: smoltcp's TCP (on both ends
/// here) recovers a segment quickly only by fast retransmit, which needs
/// three duplicate pure ACKs and few holes per window (its reassembly
/// keeps four); anything else waits for a retransmission timeout of a
/// second or more, doubled each time.
const LOSSY_BUF: usize = 8 << 10;
const REORDER_BUF: usize = 64 << 10;
/// A frame as large as the tap's.
const BIG_FRAME: usize = DEFAULT_MTU as usize + 14;
const MIB: usize = 1 << 20;

/// xorshift32: deterministic loss, reordering and data.
struct Rng(u32);

impl Rng {
    fn next(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }

    fn pct(&mut self, p: u32) -> bool {
        self.next() % 100 < p
    }

    fn below(&mut self, n: usize) -> usize {
        self.next() as usize % n
    }
}

fn pattern(seed: u32, len: usize) -> Vec<u8> {
    let mut r = Rng(seed | 1);
    let mut v = Vec::with_capacity(len + 4);
    while v.len() < len {
        v.extend_from_slice(&r.next().to_le_bytes());
    }
    v.truncate(len);
    v
}

/// Swaps the newest (or oldest) queued frame with one of the (up to) four
/// next to it.
fn swap_near(q: &mut VecDeque<Vec<u8>>, rng: &mut Rng, newest: bool) {
    let n = q.len();
    if n < 2 {
        return;
    }
    let k = 1 + rng.below((n - 1).min(4));
    if newest {
        q.swap(n - 1, n - 1 - k);
    } else {
        q.swap(0, k);
    }
}

/// The stack's end of the wire: frames from the container in `rx`, to it
/// in `tx`; `reorder` percent of frames each way change places with a
/// neighbour.
struct MemLink {
    rx: Queue,
    tx: Queue,
    reorder: u32,
    rng: Rng,
}

impl Link for MemLink {
    fn recv(&mut self, buf: &mut [u8]) -> io::Result<Option<usize>> {
        let mut q = self.rx.borrow_mut();
        if self.rng.pct(self.reorder) {
            swap_near(&mut q, &mut self.rng, false);
        }
        let Some(f) = q.pop_front() else {
            return Ok(None);
        };
        let n = f.len().min(buf.len());
        buf[..n].copy_from_slice(&f[..n]);
        Ok(Some(n))
    }

    fn send(&mut self, frame: &[u8]) {
        let mut q = self.tx.borrow_mut();
        q.push_back(frame.to_vec());
        if self.rng.pct(self.reorder) {
            swap_near(&mut q, &mut self.rng, true);
        }
    }

    fn fd(&self) -> Option<BorrowedFd<'_>> {
        None
    }
}

/// The container's end of the wire, as a smoltcp device.
struct GuestDev {
    rx: Queue,
    tx: Queue,
    frame_max: usize,
}

struct GuestRx(Vec<u8>);

impl RxToken for GuestRx {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.0)
    }
}

struct GuestTx<'a>(&'a RefCell<VecDeque<Vec<u8>>>);

impl TxToken for GuestTx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut buf = vec![0u8; len];
        let r = f(&mut buf);
        self.0.borrow_mut().push_back(buf);
        r
    }
}

impl Device for GuestDev {
    type RxToken<'a>
        = GuestRx
    where
        Self: 'a;
    type TxToken<'a>
        = GuestTx<'a>
    where
        Self: 'a;

    fn receive(&mut self, _: smoltcp::time::Instant) -> Option<(GuestRx, GuestTx<'_>)> {
        let frame = self.rx.borrow_mut().pop_front()?;
        Some((GuestRx(frame), GuestTx(&self.tx)))
    }

    fn transmit(&mut self, _: smoltcp::time::Instant) -> Option<GuestTx<'_>> {
        Some(GuestTx(&self.tx))
    }

    fn capabilities(&self) -> DeviceCapabilities {
        // Checksums are both made and verified: the stack's frames must
        // carry correct ones.
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        caps.max_transmission_unit = self.frame_max;
        caps
    }
}

/// The container: a smoltcp interface with its own sockets.
struct Guest<D: Device> {
    iface: Interface,
    dev: D,
    sockets: SocketSet<'static>,
    /// The size of each TCP socket buffer.
    tcp_buf: usize,
}

impl<D: Device> Guest<D> {
    fn new(mut dev: D) -> Guest<D> {
        let mut config = Config::new(HardwareAddress::Ethernet(GUEST_MAC));
        config.random_seed = 0x5eed_1234;
        let mut iface = Interface::new(config, &mut dev, smoltcp::time::Instant::now());
        iface.update_ip_addrs(|a| {
            a.push(IpCidr::new(GUEST.into(), PREFIX)).unwrap();
        });
        iface.routes_mut().add_default_ipv4_route(GATEWAY).unwrap();
        Guest {
            iface,
            dev,
            sockets: SocketSet::new(Vec::new()),
            tcp_buf: GUEST_BUF,
        }
    }

    fn poll(&mut self) {
        self.iface.poll(
            smoltcp::time::Instant::now(),
            &mut self.dev,
            &mut self.sockets,
        );
    }

    fn connect(&mut self, to: (Ipv4Addr, u16)) -> SocketHandle {
        self.connect_from(to, GUEST_PORT)
    }

    fn connect_from(&mut self, to: (Ipv4Addr, u16), port: u16) -> SocketHandle {
        let mut s = tcp::Socket::new(
            tcp::SocketBuffer::new(vec![0u8; self.tcp_buf]),
            tcp::SocketBuffer::new(vec![0u8; self.tcp_buf]),
        );
        s.set_nagle_enabled(false);
        s.connect(self.iface.context(), (IpAddress::Ipv4(to.0), to.1), port)
            .unwrap();
        self.sockets.add(s)
    }

    fn tcp(&mut self, h: SocketHandle) -> &mut tcp::Socket<'static> {
        self.sockets.get_mut(h)
    }

    fn bind_udp(&mut self, port: u16) -> SocketHandle {
        let buf =
            || udp::PacketBuffer::new(vec![udp::PacketMetadata::EMPTY; 16], vec![0u8; 256 << 10]);
        let mut s = udp::Socket::new(buf(), buf());
        s.bind(port).unwrap();
        self.sockets.add(s)
    }

    fn udp(&mut self, h: SocketHandle) -> &mut udp::Socket<'static> {
        self.sockets.get_mut(h)
    }
}

fn loopback() -> NetOptions {
    NetOptions {
        allow_host_loopback: true,
        ..Default::default()
    }
}

/// A stack and a container joined by memory queues.
struct Net<D: Device> {
    stack: Stack<MemLink>,
    guest: Guest<D>,
}

fn net<D: Device>(
    opts: NetOptions,
    dns: Vec<SocketAddr>,
    reorder: u32,
    dev: impl FnOnce(GuestDev) -> D,
) -> Net<D> {
    let to_stack = Queue::default();
    let to_guest = Queue::default();
    let link = MemLink {
        rx: to_stack.clone(),
        tx: to_guest.clone(),
        reorder,
        rng: Rng(0x2545_f491),
    };
    let stack = Stack::new(link, opts, dns, Listeners::default(), None).expect("making the stack");
    let guest = Guest::new(dev(GuestDev {
        rx: to_guest,
        tx: to_stack,
        frame_max: BIG_FRAME,
    }));
    Net { stack, guest }
}

/// A container on a clean link with the tap's MTU.
fn plain(opts: NetOptions, dns: Vec<SocketAddr>) -> Net<GuestDev> {
    net(opts, dns, 0, |d| d)
}

/// A container behind a fault injector (which limits frames to 1536
/// bytes) losing `loss` percent of frames each way, on a link reordering
/// `reorder` percent of them.
fn lossy(opts: NetOptions, loss: u8, reorder: u32) -> Net<FaultInjector<GuestDev>> {
    net(opts, Vec::new(), reorder, |d| {
        let mut f = FaultInjector::new(d, 0x1357_9bdf);
        f.set_drop_chance(loss);
        f
    })
}

impl<D: Device> Net<D> {
    fn step(&mut self) {
        self.stack
            .turn(Some(Duration::from_millis(1)))
            .expect("stack turn");
        self.guest.poll();
    }

    /// Steps until `done`, failing after `limit`.
    fn run_until(&mut self, limit: Duration, what: &str, mut done: impl FnMut(&mut Self) -> bool) {
        let start = Instant::now();
        while !done(self) {
            assert!(start.elapsed() < limit, "{what}: not done within {limit:?}");
            self.step();
        }
    }
}

fn accept_within(l: &TcpListener, limit: Duration) -> TcpStream {
    l.set_nonblocking(true).unwrap();
    let start = Instant::now();
    loop {
        match l.accept() {
            Ok((s, _)) => {
                s.set_nonblocking(false).unwrap();
                return s;
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                assert!(start.elapsed() < limit, "host: no connection came");
                thread::sleep(Duration::from_millis(1));
            }
            Err(e) => panic!("host accept: {e}"),
        }
    }
}

/// The host's end of a TCP test: accepts one connection, sends `down`
/// while it reads everything the container sends; once the container has
/// closed its side, sends `tail`, then closes. Returns what it read.
fn host_peer(l: TcpListener, down: Vec<u8>, tail: Vec<u8>) -> JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut s = accept_within(&l, Duration::from_secs(10));
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        s.set_write_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut r = s.try_clone().unwrap();
        let reader = thread::spawn(move || {
            let mut v = Vec::new();
            r.read_to_end(&mut v).map(|_| v)
        });
        s.write_all(&down).expect("host: sending");
        let up = reader
            .join()
            .unwrap()
            .expect("host: reading until the container's FIN");
        s.write_all(&tail)
            .expect("host: sending after the container's half-close");
        drop(s);
        up
    })
}

/// What a TCP round trip moves: the container sends `up` while the host
/// sends `down`; once the container has closed its side, the host sends
/// `tail`, then closes. All within `limit`.
struct Transfer {
    up: usize,
    down: usize,
    tail: usize,
    limit: Duration,
}

/// The container connects to a host listener through 10.0.2.2 and moves
/// `t`. Both ends must see exactly what the other sent, the container's
/// connection must end in TIME-WAIT (an orderly close, not a reset) and
/// the stack's flow must be gone afterwards.
fn tcp_round_trip<D: Device>(mut n: Net<D>, t: Transfer) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let up = pattern(0xa5a5, t.up);
    let down = pattern(0x5a5a, t.down);
    let tail = pattern(0x7777, t.tail);
    let host = host_peer(l, down.clone(), tail.clone());
    let h = n.guest.connect((GATEWAY, port));
    let (mut sent, mut got, mut closed) = (0, Vec::new(), false);
    let mut states = Vec::new();
    let start = Instant::now();
    loop {
        let s = n.guest.tcp(h);
        if states.last() != Some(&s.state()) {
            states.push(s.state());
        }
        while sent < up.len() && s.can_send() {
            match s.send_slice(&up[sent..]) {
                Ok(0) => break,
                Ok(k) => sent += k,
                Err(e) => panic!("container send: {e:?}"),
            }
        }
        if sent == up.len() && !closed && s.may_send() {
            s.close();
            closed = true;
        }
        while s.can_recv() {
            s.recv(|b| {
                got.extend_from_slice(b);
                (b.len(), ())
            })
            .unwrap();
        }
        if closed && !s.may_recv() && matches!(s.state(), tcp::State::TimeWait | tcp::State::Closed)
        {
            break;
        }
        assert!(
            start.elapsed() < t.limit,
            "not done within {:?}: the container queued {sent} of {} bytes and received {} of {}; states {states:?}",
            t.limit,
            up.len(),
            got.len(),
            down.len() + tail.len(),
        );
        n.step();
    }
    assert!(
        states.contains(&tcp::State::Established),
        "never established: {states:?}"
    );
    assert_eq!(
        n.guest.tcp(h).state(),
        tcp::State::TimeWait,
        "the connection did not end in order: {states:?}"
    );
    let expect: Vec<u8> = [down, tail].concat();
    assert_eq!(got.len(), expect.len(), "bytes the container received");
    assert!(got == expect, "the container received other bytes");
    let host_got = host.join().expect("host thread");
    assert_eq!(host_got.len(), up.len(), "bytes the host received");
    assert!(host_got == up, "the host received other bytes");
    assert_eq!(
        n.stack.memory().unmodeled,
        0,
        "the receive ring left the model"
    );
    n.run_until(t.limit, "the flow's removal", |n| {
        n.stack.flow_counts() == (0, 0, 0)
    });
    // A spare socket keeps its pages until the next tick.
    n.run_until(Duration::from_secs(3), "the memory's return", |n| {
        n.stack.memory() == Memory::default()
    });
}

/// 4 MiB each way at once, then 64 KiB after the container's half-close.
const BULK: Transfer = Transfer {
    up: 4 * MIB,
    down: 4 * MIB,
    tail: 64 << 10,
    limit: Duration::from_secs(10),
};

/// Under loss, a transfer takes a few retransmission timeouts: little data.
const LOSSY: Transfer = Transfer {
    up: 32 << 10,
    down: 32 << 10,
    tail: 8 << 10,
    limit: Duration::from_secs(30),
};

#[test]
fn tcp_to_host_loopback_carries_data_both_ways_and_half_closes() {
    tcp_round_trip(plain(loopback(), Vec::new()), BULK);
}

#[test]
fn tcp_with_ethernet_sized_frames() {
    tcp_round_trip(lossy(loopback(), 0, 0), BULK);
}

#[test]
fn tcp_survives_reordering() {
    let mut n = lossy(loopback(), 0, 20);
    n.guest.tcp_buf = REORDER_BUF;
    tcp_round_trip(n, BULK);
}

#[test]
fn tcp_survives_ten_percent_loss() {
    let mut n = lossy(loopback(), 10, 0);
    n.guest.tcp_buf = LOSSY_BUF;
    tcp_round_trip(n, LOSSY);
}

#[test]
fn tcp_survives_loss_and_reordering() {
    let mut n = lossy(loopback(), 10, 10);
    n.guest.tcp_buf = LOSSY_BUF;
    tcp_round_trip(n, LOSSY);
}

/// The container's connection to `to` ends Closed, quickly, and never got
/// established.
fn expect_reset<D: Device>(n: &mut Net<D>, to: (Ipv4Addr, u16)) {
    let h = n.guest.connect(to);
    let mut states = vec![n.guest.tcp(h).state()];
    n.run_until(Duration::from_secs(2), "the reset", |n| {
        let st = n.guest.tcp(h).state();
        if states.last() != Some(&st) {
            states.push(st);
        }
        st == tcp::State::Closed
    });
    assert!(
        !states.contains(&tcp::State::Established),
        "the connection was established: {states:?}"
    );
    assert_eq!(states, [tcp::State::SynSent, tcp::State::Closed]);
}

#[test]
fn gateway_without_host_loopback_is_reset() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.set_nonblocking(true).unwrap();
    let port = l.local_addr().unwrap().port();
    let mut n = plain(NetOptions::default(), Vec::new());
    expect_reset(&mut n, (GATEWAY, port));
    match l.accept() {
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
        other => panic!("the host listener saw a connection: {other:?}"),
    }
    assert_eq!(n.stack.flow_counts(), (0, 0, 0));
}

#[test]
fn closed_host_port_is_reset() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut n = plain(loopback(), Vec::new());
    expect_reset(&mut n, (GATEWAY, port));
    // The refused flow is not kept.
    n.run_until(Duration::from_secs(2), "the flow's removal", |n| {
        n.stack.flow_counts() == (0, 0, 0)
    });
}

#[test]
fn udp_to_host_loopback_is_relayed_and_answered_from_the_gateway() {
    let host = UdpSocket::bind("127.0.0.1:0").unwrap();
    host.set_nonblocking(true).unwrap();
    let port = host.local_addr().unwrap().port();
    let mut n = plain(loopback(), Vec::new());
    let h = n.guest.bind_udp(GUEST_PORT);
    let msgs = [b"hello".to_vec(), pattern(5, 1400), pattern(6, 30000)];
    for m in &msgs {
        n.guest
            .udp(h)
            .send_slice(m, (IpAddress::Ipv4(GATEWAY), port))
            .unwrap();
    }
    let (mut echoed, mut replies) = (Vec::new(), Vec::new());
    let mut buf = vec![0u8; 65536];
    n.run_until(Duration::from_secs(5), "the UDP echoes", |n| {
        while let Ok((k, from)) = host.recv_from(&mut buf) {
            host.send_to(&buf[..k], from).unwrap();
            echoed.push(buf[..k].to_vec());
        }
        while let Ok((data, meta)) = n.guest.udp(h).recv() {
            replies.push((data.to_vec(), meta.endpoint));
        }
        replies.len() == msgs.len()
    });
    assert_eq!(echoed, msgs, "what the host received");
    for (m, (data, from)) in msgs.iter().zip(&replies) {
        assert!(data == m, "a reply of {} bytes differs", m.len());
        assert_eq!(*from, IpEndpoint::new(GATEWAY.into(), port));
    }
    assert_eq!(n.stack.flow_counts(), (0, 1, 0), "one UDP flow");
}

/// A DNS query for example.com (id 0xabcd) and an answer to it.
fn dns_query() -> Vec<u8> {
    let mut q = vec![0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    q.extend_from_slice(b"\x07example\x03com\x00\x00\x01\x00\x01");
    q
}

fn dns_answer(query: &[u8]) -> Vec<u8> {
    let mut a = query.to_vec();
    a[2..4].copy_from_slice(&[0x81, 0x80]);
    a[6..8].copy_from_slice(&[0, 1]);
    a.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1]);
    a
}

#[test]
fn dns_is_forwarded_to_the_upstream_and_answered_from_10_0_2_3() {
    let upstream = UdpSocket::bind("127.0.0.1:0").unwrap();
    upstream.set_nonblocking(true).unwrap();
    let mut n = plain(NetOptions::default(), vec![upstream.local_addr().unwrap()]);
    let h = n.guest.bind_udp(GUEST_PORT);
    let query = dns_query();
    n.guest
        .udp(h)
        .send_slice(&query, (IpAddress::Ipv4(DNS), 53))
        .unwrap();
    let mut buf = vec![0u8; 2048];
    let (mut asked, mut reply) = (Vec::new(), None);
    n.run_until(Duration::from_secs(5), "the DNS answer", |n| {
        while let Ok((k, from)) = upstream.recv_from(&mut buf) {
            asked.push(buf[..k].to_vec());
            upstream.send_to(&dns_answer(&buf[..k]), from).unwrap();
        }
        if let Ok((data, meta)) = n.guest.udp(h).recv() {
            reply = Some((data.to_vec(), meta.endpoint));
        }
        reply.is_some()
    });
    assert_eq!(asked.len(), 1, "queries the upstream received");
    assert_eq!(asked[0], query, "the query the upstream received");
    let (data, from) = reply.unwrap();
    assert_eq!(data, dns_answer(&query));
    assert_eq!(from, IpEndpoint::new(DNS.into(), 53));
}

// Hand-made frames, pushed straight into the link.

/// A stack whose link the test drives by hand.
struct Raw {
    stack: Stack<MemLink>,
    to_stack: Queue,
    to_guest: Queue,
}

fn raw(opts: NetOptions, dns: Vec<SocketAddr>) -> Raw {
    let to_stack = Queue::default();
    let to_guest = Queue::default();
    let link = MemLink {
        rx: to_stack.clone(),
        tx: to_guest.clone(),
        reorder: 0,
        rng: Rng(1),
    };
    let stack = Stack::new(link, opts, dns, Listeners::default(), None).expect("making the stack");
    Raw {
        stack,
        to_stack,
        to_guest,
    }
}

impl Raw {
    fn push(&mut self, frame: Vec<u8>) {
        self.to_stack.borrow_mut().push_back(frame);
    }

    fn turn(&mut self) {
        self.stack.turn(Some(Duration::ZERO)).expect("stack turn");
    }

    /// Turns until the stack sends a frame `find` likes.
    fn until<T>(&mut self, what: &str, mut find: impl FnMut(&[u8]) -> Option<T>) -> T {
        let start = Instant::now();
        loop {
            self.stack
                .turn(Some(Duration::from_millis(1)))
                .expect("stack turn");
            while let Some(f) = self.to_guest.borrow_mut().pop_front() {
                if let Some(t) = find(&f) {
                    return t;
                }
            }
            assert!(
                start.elapsed() < Duration::from_secs(2),
                "{what}: never came"
            );
        }
    }
}

/// An Ethernet frame from the container to the stack around an IPv4
/// packet with a correct header checksum.
fn ipv4_frame(src: Ipv4Addr, dst: Ipv4Addr, proto: IpProtocol, payload: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; 14 + 20 + payload.len()];
    EthernetRepr {
        src_addr: GUEST_MAC,
        dst_addr: OUR_MAC,
        ethertype: EthernetProtocol::Ipv4,
    }
    .emit(&mut EthernetFrame::new_unchecked(&mut buf[..]));
    Ipv4Repr {
        src_addr: src,
        dst_addr: dst,
        next_header: proto,
        payload_len: payload.len(),
        hop_limit: 64,
    }
    .emit(
        &mut Ipv4Packet::new_unchecked(&mut buf[14..]),
        &ChecksumCapabilities::default(),
    );
    buf[34..].copy_from_slice(payload);
    buf
}

fn arp_request(target: Ipv4Addr) -> Vec<u8> {
    let repr = ArpRepr::EthernetIpv4 {
        operation: ArpOperation::Request,
        source_hardware_addr: GUEST_MAC,
        source_protocol_addr: GUEST,
        target_hardware_addr: EthernetAddress([0; 6]),
        target_protocol_addr: target,
    };
    let mut buf = vec![0u8; 14 + repr.buffer_len()];
    EthernetRepr {
        src_addr: GUEST_MAC,
        dst_addr: EthernetAddress::BROADCAST,
        ethertype: EthernetProtocol::Arp,
    }
    .emit(&mut EthernetFrame::new_unchecked(&mut buf[..]));
    repr.emit(&mut ArpPacket::new_unchecked(&mut buf[14..]));
    buf
}

fn syn_repr(src_port: u16, dst_port: u16) -> TcpRepr<'static> {
    TcpRepr {
        src_port,
        dst_port,
        control: TcpControl::Syn,
        seq_number: TcpSeqNumber(1000),
        ack_number: None,
        window_len: 64240,
        window_scale: Some(7),
        max_seg_size: Some(1460),
        sack_permitted: true,
        sack_ranges: [None; 3],
        timestamp: None,
        payload: &[],
    }
}

fn tcp_frame(src: Ipv4Addr, dst: Ipv4Addr, repr: &TcpRepr) -> Vec<u8> {
    let mut seg = vec![0u8; repr.buffer_len()];
    repr.emit(
        &mut TcpPacket::new_unchecked(&mut seg[..]),
        &src.into(),
        &dst.into(),
        &ChecksumCapabilities::default(),
    );
    ipv4_frame(src, dst, IpProtocol::Tcp, &seg)
}

fn udp_frame(src: (Ipv4Addr, u16), dst: (Ipv4Addr, u16), data: &[u8]) -> Vec<u8> {
    let mut dgram = vec![0u8; 8 + data.len()];
    UdpRepr {
        src_port: src.1,
        dst_port: dst.1,
    }
    .emit(
        &mut UdpPacket::new_unchecked(&mut dgram[..]),
        &src.0.into(),
        &dst.0.into(),
        data.len(),
        |p| p.copy_from_slice(data),
        &ChecksumCapabilities::default(),
    );
    ipv4_frame(src.0, dst.0, IpProtocol::Udp, &dgram)
}

fn echo_frame(dst: Ipv4Addr, ident: u16, seq_no: u16, data: &[u8]) -> Vec<u8> {
    let repr = Icmpv4Repr::EchoRequest {
        ident,
        seq_no,
        data,
    };
    let mut pkt = vec![0u8; repr.buffer_len()];
    repr.emit(
        &mut Icmpv4Packet::new_unchecked(&mut pkt[..]),
        &ChecksumCapabilities::default(),
    );
    ipv4_frame(GUEST, dst, IpProtocol::Icmp, &pkt)
}

/// A frame from the stack to the container: Ethernet source and
/// destination, the IPv4 header (its checksum verified) and the payload.
fn parse_ipv4(f: &[u8]) -> Option<(EthernetAddress, EthernetAddress, Ipv4Repr, &[u8])> {
    let eth = EthernetFrame::new_checked(f).ok()?;
    if eth.ethertype() != EthernetProtocol::Ipv4 {
        return None;
    }
    let (src, dst) = (eth.src_addr(), eth.dst_addr());
    let pkt = &f[14..];
    let ip = Ipv4Packet::new_checked(pkt).ok()?;
    let repr = Ipv4Repr::parse(&ip, &ChecksumCapabilities::default()).ok()?;
    let (hl, tl) = (ip.header_len() as usize, ip.total_len() as usize);
    Some((src, dst, repr, &pkt[hl..tl]))
}

/// The echo reply in `f`, if it is one, as (source, ident, seq, data).
fn echo_reply(f: &[u8]) -> Option<(Ipv4Addr, u16, u16, Vec<u8>)> {
    let (src_mac, dst_mac, ip, payload) = parse_ipv4(f)?;
    if ip.next_header != IpProtocol::Icmp {
        return None;
    }
    assert_eq!((src_mac, dst_mac), (OUR_MAC, GUEST_MAC), "echo reply MACs");
    assert_eq!(ip.dst_addr, GUEST);
    let pkt = Icmpv4Packet::new_checked(payload).ok()?;
    match Icmpv4Repr::parse(&pkt, &ChecksumCapabilities::default()) {
        Ok(Icmpv4Repr::EchoReply {
            ident,
            seq_no,
            data,
        }) => Some((ip.src_addr, ident, seq_no, data.to_vec())),
        other => panic!("not an echo reply: {other:?}"),
    }
}

#[test]
fn icmp_echo_to_the_gateway_and_dns_is_answered() {
    let mut r = raw(NetOptions::default(), Vec::new());
    for (i, dst) in [GATEWAY, DNS].into_iter().enumerate() {
        let data = pattern(i as u32 + 9, 56);
        r.push(echo_frame(dst, 0x1234, 7 + i as u16, &data));
        let reply = r.until("the echo reply", echo_reply);
        assert_eq!(reply, (dst, 0x1234, 7 + i as u16, data));
    }
    assert_eq!(r.stack.flow_counts(), (0, 0, 0));
}

#[test]
fn syn_ack_advertises_window_scaling() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let mut r = raw(loopback(), Vec::new());
    // The request fills the stack's neighbour cache, so its SYN-ACK needs
    // no ARP of its own.
    r.push(arp_request(GATEWAY));
    r.push(tcp_frame(GUEST, GATEWAY, &syn_repr(GUEST_PORT, port)));
    let (ip, control, ack, ws, mss, ports) = r.until("the SYN-ACK", |f| {
        let (_, _, ip, payload) = parse_ipv4(f)?;
        if ip.next_header != IpProtocol::Tcp {
            return None;
        }
        let pkt = TcpPacket::new_checked(payload).ok()?;
        let t = TcpRepr::parse(
            &pkt,
            &ip.src_addr.into(),
            &ip.dst_addr.into(),
            &ChecksumCapabilities::default(),
        )
        .expect("a valid TCP segment");
        Some((
            ip,
            t.control,
            t.ack_number,
            t.window_scale,
            t.max_seg_size,
            (t.src_port, t.dst_port),
        ))
    });
    assert_eq!((ip.src_addr, ip.dst_addr), (GATEWAY, GUEST));
    assert_eq!(ports, (port, GUEST_PORT));
    assert_eq!(control, TcpControl::Syn, "not a SYN-ACK");
    assert_eq!(ack, Some(TcpSeqNumber(1001)));
    assert!(
        matches!(ws, Some(s) if s > 0),
        "window scale {ws:?}: the stack's 1 MiB window cannot be offered"
    );
    assert!(mss.is_some(), "no MSS option");
}

#[test]
fn udp_relays_only_the_datagram() {
    let host = UdpSocket::bind("127.0.0.1:0").unwrap();
    host.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let port = host.local_addr().unwrap().port();
    let mut r = raw(loopback(), Vec::new());
    // Ethernet pads short frames to 60 bytes; the padding is not data.
    let mut padded = udp_frame((GUEST, GUEST_PORT), (GATEWAY, port), b"x");
    padded.resize(60, 0xee);
    // A UDP length shorter than the IP payload ends the datagram.
    let mut short = udp_frame((GUEST, GUEST_PORT), (GATEWAY, port), b"yz!");
    UdpPacket::new_unchecked(&mut short[34..]).set_len(9);
    let mut buf = [0u8; 64];
    for (f, want) in [(padded, &b"x"[..]), (short, &b"y"[..])] {
        r.push(f);
        r.turn();
        let (k, _) = host.recv_from(&mut buf).expect("the datagram");
        assert_eq!(&buf[..k], want);
    }
}

// Hostile frames: none may open a flow, and none may panic the stack.

/// Frames from the container: a SYN to a host listener through 10.0.2.2,
/// a datagram to a host UDP socket, and a DNS query; each would open a
/// flow if it were well formed.
struct Targets {
    _tcp: TcpListener,
    _udp: UdpSocket,
    _dns: UdpSocket,
    dns: SocketAddr,
    syn: Vec<u8>,
    dgram: Vec<u8>,
    query: Vec<u8>,
}

fn targets() -> Targets {
    let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    let dns = UdpSocket::bind("127.0.0.1:0").unwrap();
    let tport = tcp.local_addr().unwrap().port();
    let uport = udp.local_addr().unwrap().port();
    Targets {
        dns: dns.local_addr().unwrap(),
        syn: tcp_frame(GUEST, GATEWAY, &syn_repr(GUEST_PORT, tport)),
        dgram: udp_frame((GUEST, GUEST_PORT), (GATEWAY, uport), b"hello"),
        query: udp_frame((GUEST, GUEST_PORT), (DNS, 53), &dns_query()),
        _tcp: tcp,
        _udp: udp,
        _dns: dns,
    }
}

/// The flows one frame opens on a fresh stack that NATs 10.0.2.2 to the
/// host's loopback and forwards DNS.
fn flows_after(t: &Targets, frame: &[u8]) -> (usize, usize, usize) {
    let mut r = raw(loopback(), vec![t.dns]);
    r.push(frame.to_vec());
    for _ in 0..3 {
        r.turn();
    }
    r.stack.flow_counts()
}

/// `frame` with its IPv4 header changed by `m` (the checksum redone when
/// the header fits the frame).
fn with_ip(frame: &[u8], m: impl FnOnce(&mut Ipv4Packet<&mut [u8]>)) -> Vec<u8> {
    let mut v = frame.to_vec();
    let mut ip = Ipv4Packet::new_unchecked(&mut v[14..]);
    m(&mut ip);
    let hl = ip.header_len() as usize;
    if (20..=v.len() - 14).contains(&hl) {
        Ipv4Packet::new_unchecked(&mut v[14..]).fill_checksum();
    }
    v
}

/// `frame` (whose IPv4 header is 20 bytes) with its TCP header changed by
/// `m`, the checksum redone.
fn with_tcp(frame: &[u8], m: impl FnOnce(&mut TcpPacket<&mut [u8]>)) -> Vec<u8> {
    let mut v = frame.to_vec();
    let mut t = TcpPacket::new_unchecked(&mut v[34..]);
    m(&mut t);
    t.fill_checksum(&GUEST.into(), &GATEWAY.into());
    v
}

fn with_udp(frame: &[u8], m: impl FnOnce(&mut UdpPacket<&mut [u8]>)) -> Vec<u8> {
    let mut v = frame.to_vec();
    m(&mut UdpPacket::new_unchecked(&mut v[34..]));
    v
}

/// Malformed frames that the stack's own checks drop.
fn malformed(t: &Targets) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let flows = [("SYN", &t.syn), ("UDP", &t.dgram), ("DNS", &t.query)];
    out.push(("an empty frame".into(), Vec::new()));
    for (what, f) in flows {
        for k in 1..f.len() {
            out.push((format!("{what} cut to {k} bytes"), f[..k].to_vec()));
        }
        // Headers cut short inside an IPv4 packet whose length agrees.
        let min = if what == "SYN" { 20 } else { 8 };
        for k in 0..min {
            let mut v = f[..34 + k].to_vec();
            Ipv4Packet::new_unchecked(&mut v[14..]).set_total_len(20 + k as u16);
            Ipv4Packet::new_unchecked(&mut v[14..]).fill_checksum();
            out.push((format!("{what} with a {k}-byte transport header"), v));
        }
        for ihl in [0u8, 4, 8, 16, 19, 60] {
            out.push((
                format!("{what} with IP header length {ihl}"),
                with_ip(f, |ip| ip.set_header_len(ihl)),
            ));
        }
        for len in [0u16, 10, 19, 2000, 65535] {
            out.push((
                format!("{what} with IP total length {len}"),
                with_ip(f, |ip| ip.set_total_len(len)),
            ));
        }
        for src in [
            Ipv4Addr::new(10, 0, 2, 99),
            GATEWAY,
            DNS,
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::LOCALHOST,
            Ipv4Addr::BROADCAST,
            Ipv4Addr::new(192, 0, 2, 1),
        ] {
            out.push((
                format!("{what} from {src}"),
                with_ip(f, |ip| ip.set_src_addr(src)),
            ));
        }
        out.push((
            format!("{what} as a first fragment"),
            with_ip(f, |ip| ip.set_more_frags(true)),
        ));
        out.push((
            format!("{what} as a later fragment"),
            with_ip(f, |ip| ip.set_frag_offset(8)),
        ));
        out.push((
            format!("{what} as a middle fragment"),
            with_ip(f, |ip| {
                ip.set_more_frags(true);
                ip.set_frag_offset(1480)
            }),
        ));
        let mut v6 = f.to_vec();
        EthernetFrame::new_unchecked(&mut v6[..]).set_ethertype(EthernetProtocol::Ipv6);
        out.push((format!("{what} in an IPv6 frame"), v6));
        let mut arp = f.to_vec();
        EthernetFrame::new_unchecked(&mut arp[..]).set_ethertype(EthernetProtocol::Arp);
        out.push((format!("{what} in an ARP frame"), arp));
    }
    for off in [0u8, 4, 16, 19, 44, 60] {
        out.push((
            format!("SYN with TCP header length {off}"),
            with_tcp(&t.syn, |tcp| tcp.set_header_len(off)),
        ));
    }
    for len in [0u16, 7, 2000] {
        out.push((
            format!("UDP with UDP length {len}"),
            with_udp(&t.dgram, |u| u.set_len(len)),
        ));
        out.push((
            format!("DNS with UDP length {len}"),
            with_udp(&t.query, |u| u.set_len(len)),
        ));
    }
    let arp = arp_request(GATEWAY);
    for k in 14..arp.len() {
        out.push((format!("ARP cut to {k} bytes"), arp[..k].to_vec()));
    }
    let mut bogus_arp = arp.clone();
    ArpPacket::new_unchecked(&mut bogus_arp[14..]).set_hardware_len(200);
    out.push(("ARP with hardware length 200".into(), bogus_arp));
    out
}

#[test]
fn well_formed_frames_do_open_flows() {
    // The control for the hostile-frame tests: the frames they spoil work.
    let t = targets();
    assert_eq!(flows_after(&t, &t.syn), (1, 0, 0));
    assert_eq!(flows_after(&t, &t.dgram), (0, 1, 0));
    assert_eq!(flows_after(&t, &t.query), (0, 1, 0));
}

#[test]
fn malformed_frames_open_no_flows() {
    let t = targets();
    let bad: Vec<String> = malformed(&t)
        .into_iter()
        .filter(|(_, f)| flows_after(&t, f) != (0, 0, 0))
        .map(|(name, _)| name)
        .collect();
    assert!(bad.is_empty(), "frames that opened flows: {bad:?}");
}

/// SYNs well formed enough for the stack's first checks that smoltcp's
/// parser (or its MAC filter) refuses: connecting to the host for one would
/// leave a flow waiting for a handshake that never comes.
fn refused_by_smoltcp(t: &Targets) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for v in [0u8, 5, 6, 15] {
        out.push((
            format!("SYN with IP version {v}"),
            with_ip(&t.syn, |ip| ip.set_version(v)),
        ));
    }
    out.push((
        "SYN from port 0".into(),
        with_tcp(&t.syn, |tcp| tcp.set_src_port(0)),
    ));
    out.push(("SYN+FIN".into(), with_tcp(&t.syn, |tcp| tcp.set_fin(true))));
    out.push(("SYN+RST".into(), with_tcp(&t.syn, |tcp| tcp.set_rst(true))));
    out.push((
        "SYN with a 3-byte MSS option".into(),
        with_tcp(&t.syn, |tcp| {
            tcp.options_mut()[..4].copy_from_slice(&[2, 3, 5, 0])
        }),
    ));
    let mut other_mac = t.syn.clone();
    EthernetFrame::new_unchecked(&mut other_mac[..])
        .set_dst_addr(EthernetAddress([0x02, 0, 0, 0, 0, 0x99]));
    out.push(("SYN to another MAC".into(), other_mac));
    out
}

#[test]
fn syns_smoltcp_would_refuse_open_no_flows() {
    let t = targets();
    let bad: Vec<String> = refused_by_smoltcp(&t)
        .into_iter()
        .filter(|(_, f)| flows_after(&t, f) != (0, 0, 0))
        .map(|(name, _)| name)
        .collect();
    assert!(bad.is_empty(), "frames that opened flows: {bad:?}");
}

#[test]
fn udp_with_a_wrong_ip_version_opens_no_flow() {
    let t = targets();
    for v in [0u8, 6, 15] {
        for f in [&t.dgram, &t.query] {
            let frame = with_ip(f, |ip| ip.set_version(v));
            assert_eq!(flows_after(&t, &frame), (0, 0, 0), "IP version {v}");
        }
    }
}

#[test]
fn random_frames_open_no_flows_and_do_not_break_the_stack() {
    // Nothing here may be NATed: 10.0.2.2 is not the host's loopback and
    // there is no DNS upstream, so even a frame that parses is refused.
    let mut r = raw(NetOptions::default(), Vec::new());
    let mut rng = Rng(0x9e37_79b9);
    let header = ipv4_frame(GUEST, GATEWAY, IpProtocol::Tcp, &[]);
    for i in 0..2000 {
        let len = rng.below(1600);
        let mut f: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        match i % 4 {
            // Pure noise.
            0 => {}
            // An Ethernet header for the stack, then noise.
            1 if len >= 14 => {
                let ty = [0x0800u16, 0x0806, 0x86dd][rng.below(3)];
                let mut eth = EthernetFrame::new_unchecked(&mut f[..]);
                eth.set_dst_addr(OUR_MAC);
                eth.set_src_addr(GUEST_MAC);
                eth.set_ethertype(ty.into());
            }
            // A valid IPv4 header from the container, then noise; its
            // length agrees with the frame half of the time.
            _ if len >= 34 => {
                f[..34].copy_from_slice(&header);
                let mut ip = Ipv4Packet::new_unchecked(&mut f[14..]);
                ip.set_next_header([IpProtocol::Tcp, IpProtocol::Udp, IpProtocol::Icmp][i % 3]);
                ip.set_dst_addr([GATEWAY, DNS][rng.below(2)]);
                ip.set_total_len(if rng.pct(50) {
                    (len - 14) as u16
                } else {
                    rng.next() as u16
                });
                if rng.pct(20) {
                    ip.set_more_frags(true);
                }
                ip.fill_checksum();
            }
            _ => {}
        }
        r.push(f);
        if i % 16 == 15 {
            r.turn();
            assert_eq!(r.stack.flow_counts(), (0, 0, 0), "after frame {i}");
        }
    }
    r.turn();
    assert_eq!(r.stack.flow_counts(), (0, 0, 0));
    r.to_guest.borrow_mut().clear();
    // Still serving.
    r.push(echo_frame(GATEWAY, 1, 2, b"still there?"));
    let reply = r.until("the echo reply", echo_reply);
    assert_eq!(reply, (GATEWAY, 1, 2, b"still there?".to_vec()));
}

// Flow lifecycle and memory: every flow ends, whoever ends it, and gives
// back its host socket and its pages.

/// A container on a clean link, with the stack's bounds set to `limits`.
fn bounded(limits: Limits) -> Net<GuestDev> {
    let Net { stack, guest } = plain(loopback(), Vec::new());
    Net {
        stack: stack.with_limits(limits),
        guest,
    }
}

/// Bounds with short timeouts, for tests that wait for them.
fn short() -> Limits {
    Limits {
        reclaim_idle: Duration::from_millis(100),
        closing_idle: Duration::from_millis(300),
        handshake: Duration::from_millis(300),
        ..Limits::default()
    }
}

fn listener() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    (l, port)
}

impl<D: Device> Net<D> {
    /// Connects from container port `from` to the host's `port` and
    /// returns the container's socket with the host's end of it.
    fn open(&mut self, l: &TcpListener, port: u16, from: u16) -> (SocketHandle, TcpStream) {
        let h = self.guest.connect_from((GATEWAY, port), from);
        self.run_until(Duration::from_secs(5), "the connection", |n| {
            n.guest.tcp(h).state() == tcp::State::Established
        });
        let host = accept_within(l, Duration::from_secs(5));
        host.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        (h, host)
    }

    /// Sends `data` from the container and has the host read it back.
    fn up(&mut self, h: SocketHandle, host: &mut TcpStream, data: &[u8]) {
        host.set_nonblocking(true).unwrap();
        let (mut sent, mut got) = (0, Vec::new());
        let mut buf = vec![0u8; 65536];
        self.run_until(Duration::from_secs(10), "the upload", |n| {
            let s = n.guest.tcp(h);
            if sent < data.len() && s.can_send() {
                sent += s.send_slice(&data[sent..]).unwrap();
            }
            loop {
                match host.read(&mut buf) {
                    Ok(0) => break,
                    Ok(k) => got.extend_from_slice(&buf[..k]),
                    Err(_) => break,
                }
            }
            got.len() >= data.len()
        });
        host.set_nonblocking(false).unwrap();
        assert!(got == data, "the host received other bytes");
    }

    /// Sends `data` from the host and has the container read it.
    fn down(&mut self, h: SocketHandle, host: &mut TcpStream, data: &[u8]) {
        host.set_nonblocking(true).unwrap();
        let (mut sent, mut got) = (0, Vec::new());
        self.run_until(Duration::from_secs(10), "the download", |n| {
            if sent < data.len()
                && let Ok(k) = host.write(&data[sent..])
            {
                sent += k;
            }
            let s = n.guest.tcp(h);
            while s.can_recv() {
                s.recv(|b| {
                    got.extend_from_slice(b);
                    (b.len(), ())
                })
                .unwrap();
            }
            got.len() >= data.len()
        });
        host.set_nonblocking(false).unwrap();
        assert!(got == data, "the container received other bytes");
    }

    /// Steps until the stack holds no flow and no memory (a spare socket
    /// keeps its pages until the next tick).
    fn until_empty(&mut self, limit: Duration) {
        self.run_until(limit, "every flow's end", |n| {
            n.stack.flow_counts() == (0, 0, 0)
        });
        self.run_until(Duration::from_secs(3), "the memory's return", |n| {
            n.stack.memory() == Memory::default()
        });
    }
}

/// The host's next read: bytes, end of stream, or the error's kind.
fn host_read(host: &mut TcpStream) -> Result<usize, io::ErrorKind> {
    let mut buf = [0u8; 64];
    host.read(&mut buf).map_err(|e| e.kind())
}

#[test]
fn flow_ends_when_the_container_closes_first() {
    let (l, port) = listener();
    let mut n = plain(loopback(), Vec::new());
    let (h, mut host) = n.open(&l, port, 40001);
    n.up(h, &mut host, &pattern(1, 100_000));
    n.down(h, &mut host, &pattern(2, 100_000));
    n.guest.tcp(h).close();
    n.run_until(Duration::from_secs(5), "the host's end of stream", |_| {
        host.set_nonblocking(true).unwrap();
        matches!(host_read(&mut host), Ok(0))
    });
    drop(host);
    n.until_empty(Duration::from_secs(5));
    n.run_until(Duration::from_secs(5), "the container's close", |n| {
        matches!(
            n.guest.tcp(h).state(),
            tcp::State::TimeWait | tcp::State::Closed
        )
    });
}

#[test]
fn flow_ends_when_the_host_closes_first() {
    let (l, port) = listener();
    let mut n = plain(loopback(), Vec::new());
    let (h, mut host) = n.open(&l, port, 40002);
    n.down(h, &mut host, &pattern(3, 300_000));
    drop(host);
    n.run_until(
        Duration::from_secs(5),
        "the container's end of stream",
        |n| !n.guest.tcp(h).may_recv(),
    );
    n.guest.tcp(h).close();
    n.until_empty(Duration::from_secs(5));
    assert_eq!(n.guest.tcp(h).state(), tcp::State::Closed);
}

#[test]
fn a_container_reset_resets_the_host_and_ends_the_flow() {
    let (l, port) = listener();
    let mut n = plain(loopback(), Vec::new());
    let (h, mut host) = n.open(&l, port, 40003);
    n.up(h, &mut host, b"some bytes");
    n.guest.tcp(h).abort();
    n.until_empty(Duration::from_secs(5));
    assert_eq!(
        host_read(&mut host),
        Err(io::ErrorKind::ConnectionReset),
        "the host saw an orderly end"
    );
}

#[test]
fn a_host_reset_resets_the_container_and_ends_the_flow() {
    let (l, port) = listener();
    let mut n = plain(loopback(), Vec::new());
    let (h, host) = n.open(&l, port, 40004);
    super::stack::set_linger_zero(&std::os::fd::OwnedFd::from(host));
    n.until_empty(Duration::from_secs(5));
    n.run_until(Duration::from_secs(5), "the container's reset", |n| {
        n.guest.tcp(h).state() == tcp::State::Closed
    });
}

#[test]
fn a_half_closed_flow_left_idle_is_reset_either_way() {
    let (l, port) = listener();
    let mut n = bounded(short());
    // The container closes; the host never does.
    let (h1, mut host1) = n.open(&l, port, 40005);
    n.guest.tcp(h1).close();
    // The host closes; the container never does.
    let (h2, host2) = n.open(&l, port, 40006);
    drop(host2);
    n.run_until(Duration::from_secs(5), "the half-closes", |n| {
        n.guest.tcp(h1).state() == tcp::State::FinWait2 && !n.guest.tcp(h2).may_recv()
    });
    assert_eq!(n.stack.flow_counts(), (2, 0, 0));
    n.until_empty(Duration::from_secs(5));
    assert_eq!(n.guest.tcp(h2).state(), tcp::State::Closed, "no reset");
    host1.set_nonblocking(false).unwrap();
    assert_eq!(host_read(&mut host1), Ok(0), "the container's FIN");
    assert!(
        host1.write_all(b"late").is_err(),
        "the host's end was not reset"
    );
}

#[test]
fn a_busy_half_closed_flow_is_not_reset() {
    let (l, port) = listener();
    let mut n = bounded(short());
    let (h, mut host) = n.open(&l, port, 40007);
    n.guest.tcp(h).close();
    // Longer than `closing_idle`, but data keeps moving.
    let start = Instant::now();
    let mut i = 0;
    while start.elapsed() < Duration::from_secs(1) {
        n.down(h, &mut host, &pattern(i, 1000));
        i += 1;
        thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(n.stack.flow_counts(), (1, 0, 0));
    drop(host);
    n.until_empty(Duration::from_secs(5));
}

#[test]
fn an_abandoned_handshake_times_out() {
    let (l, port) = listener();
    l.set_nonblocking(true).unwrap();
    let mut r = raw(loopback(), Vec::new());
    r.stack = r.stack.with_limits(short());
    r.push(arp_request(GATEWAY));
    r.push(tcp_frame(GUEST, GATEWAY, &syn_repr(GUEST_PORT, port)));
    // The SYN-ACK comes; the container never answers it.
    r.until("the SYN-ACK", |f| {
        let (_, _, ip, _) = parse_ipv4(f)?;
        (ip.next_header == IpProtocol::Tcp).then_some(())
    });
    let mut host = accept_within(&l, Duration::from_secs(2));
    host.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let start = Instant::now();
    while r.stack.flow_counts() != (0, 0, 0) {
        assert!(start.elapsed() < Duration::from_secs(5), "the flow stayed");
        r.stack.turn(Some(Duration::from_millis(10))).unwrap();
    }
    assert_eq!(r.stack.memory(), Memory::default());
    assert_eq!(host_read(&mut host), Err(io::ErrorKind::ConnectionReset));
}

#[test]
fn an_idle_flow_gives_back_its_pages_and_still_works() {
    let (l, port) = listener();
    let mut n = bounded(short());
    let (h, mut host) = n.open(&l, port, 40008);
    n.up(h, &mut host, &pattern(4, 700_000));
    n.down(h, &mut host, &pattern(5, 700_000));
    let busy = n.stack.memory();
    assert!(
        busy.resident > 0 && busy.charged >= busy.resident,
        "{busy:?}"
    );
    n.run_until(Duration::from_secs(5), "the pages' return", |n| {
        n.stack.memory().charged == 0
    });
    assert_eq!(n.stack.memory().resident, 0, "pages still in memory");
    // The rings still carry the stream where it left off.
    n.up(h, &mut host, &pattern(6, 900_000));
    n.down(h, &mut host, &pattern(7, 900_000));
    assert_eq!(n.stack.memory().unmodeled, 0);
    n.guest.tcp(h).close();
    drop(host);
    n.until_empty(Duration::from_secs(5));
}

#[test]
fn many_flows_to_one_destination_at_once_each_get_their_own_socket() {
    let (l, port) = listener();
    let mut n = plain(loopback(), Vec::new());
    let hs: Vec<_> = (0..8)
        .map(|i| n.guest.connect_from((GATEWAY, port), 41000 + i))
        .collect();
    n.run_until(Duration::from_secs(5), "the connections", |n| {
        hs.iter()
            .all(|&h| n.guest.tcp(h).state() == tcp::State::Established)
    });
    let mut hosts: Vec<_> = (0..8)
        .map(|_| accept_within(&l, Duration::from_secs(2)))
        .collect();
    // Each host connection hears from exactly one container port.
    for (i, &h) in hs.iter().enumerate() {
        n.guest.tcp(h).send_slice(&[i as u8]).unwrap();
    }
    let mut seen = Vec::new();
    n.run_until(Duration::from_secs(5), "the bytes", |_| {
        for host in &mut hosts {
            host.set_nonblocking(true).unwrap();
            let mut b = [0u8; 8];
            if let Ok(1) = host.read(&mut b) {
                seen.push(b[0]);
            }
        }
        seen.len() == 8
    });
    seen.sort();
    assert_eq!(seen, (0..8).collect::<Vec<u8>>());
    assert!(hs.iter().all(|&h| n.guest.tcp(h).is_open()), "a reset");
    for &h in &hs {
        n.guest.tcp(h).close();
    }
    drop(hosts);
    n.until_empty(Duration::from_secs(5));
}

#[test]
fn half_closed_flows_make_room_when_the_table_is_full() {
    let (l, port) = listener();
    let mut n = bounded(Limits {
        max_flows: 3,
        ..short()
    });
    let mut hosts = Vec::new();
    for i in 0..3 {
        let (h, host) = n.open(&l, port, 42000 + i);
        hosts.push(host);
        n.guest.tcp(h).close();
    }
    // Before they have been idle, there is no room.
    let refused = n.guest.connect_from((GATEWAY, port), 42010);
    n.run_until(Duration::from_secs(5), "the refusal", |n| {
        n.guest.tcp(refused).state() == tcp::State::Closed
    });
    thread::sleep(Duration::from_millis(150));
    let (h, mut host) = n.open(&l, port, 42011);
    n.up(h, &mut host, b"room");
    assert_eq!(n.stack.flow_counts(), (3, 0, 0), "no flow was reset");
}

#[test]
fn a_spent_budget_refuses_new_flows_and_holds_data_until_it_drains() {
    let (l, port) = listener();
    let mut n = bounded(Limits {
        budget: 64 << 10,
        ..Limits::default()
    });
    // The container does not read: what the host sends piles up in the
    // stack's send ring, as far as the budget lets it.
    let (h, mut host) = n.open(&l, port, 43000);
    let data = pattern(8, 2 << 20);
    host.set_nonblocking(true).unwrap();
    let mut sent = 0;
    n.run_until(Duration::from_secs(5), "the budget's end", |n| {
        if let Ok(k) = host.write(&data[sent..]) {
            sent += k;
        }
        n.stack.memory().charged >= 64 << 10
    });
    for _ in 0..50 {
        n.step();
    }
    assert_eq!(n.stack.memory().charged, 64 << 10, "over the budget");
    // A new flow is refused, cleanly.
    let refused = n.guest.connect_from((GATEWAY, port), 43001);
    n.run_until(Duration::from_secs(5), "the refusal", |n| {
        n.guest.tcp(refused).state() == tcp::State::Closed
    });
    assert_eq!(n.stack.flow_counts(), (1, 0, 0));
    // Everything arrives, in order, once the container reads.
    let mut got = Vec::new();
    n.run_until(Duration::from_secs(20), "the download", |n| {
        if sent < data.len()
            && let Ok(k) = host.write(&data[sent..])
        {
            sent += k;
        }
        let s = n.guest.tcp(h);
        while s.can_recv() {
            s.recv(|b| {
                got.extend_from_slice(b);
                (b.len(), ())
            })
            .unwrap();
        }
        got.len() >= data.len()
    });
    assert!(got == data, "the container received other bytes");
    assert!(n.stack.memory().charged <= 64 << 10);
    n.guest.tcp(h).close();
    drop(host);
    n.until_empty(Duration::from_secs(5));
}

#[test]
fn uploads_fit_a_small_budget() {
    let (l, port) = listener();
    let mut n = bounded(Limits {
        budget: 256 << 10,
        ..Limits::default()
    });
    let (h, mut host) = n.open(&l, port, 44000);
    n.up(h, &mut host, &pattern(9, 3 << 20));
    assert!(n.stack.memory().charged <= 256 << 10);
    n.guest.tcp(h).close();
    drop(host);
    n.until_empty(Duration::from_secs(5));
}

#[test]
fn uploads_survive_drops_when_windows_outgrow_the_budget() {
    let (l, port) = listener();
    // Four flows with 256 KiB windows, opened while the budget was free;
    // together they can send more than it holds.
    let mut n = bounded(Limits {
        budget: 1 << 20,
        ring: 256 << 10,
        ..Limits::default()
    });
    n.guest.tcp_buf = 256 << 10;
    let mut flows: Vec<_> = (0..4).map(|i| n.open(&l, port, 46000 + i)).collect();
    let data: Vec<_> = (0..4).map(|i| pattern(50 + i, 1 << 20)).collect();
    let mut sent = [0; 4];
    let mut got = vec![Vec::new(); 4];
    let mut buf = vec![0u8; 65536];
    let mut peak = 0;
    n.run_until(Duration::from_secs(60), "the uploads", |n| {
        for (i, (h, host)) in flows.iter_mut().enumerate() {
            let s = n.guest.tcp(*h);
            if sent[i] < data[i].len() && s.can_send() {
                sent[i] += s.send_slice(&data[i][sent[i]..]).unwrap();
            }
            host.set_nonblocking(true).unwrap();
            while let Ok(k) = host.read(&mut buf) {
                if k == 0 {
                    break;
                }
                got[i].extend_from_slice(&buf[..k]);
            }
        }
        peak = peak.max(n.stack.memory().charged);
        (0..4).all(|i| got[i].len() >= data[i].len())
    });
    assert!(peak <= 1 << 20, "charged {peak} bytes");
    for i in 0..4 {
        assert!(got[i] == data[i], "flow {i}: the host received other bytes");
    }
    assert_eq!(n.stack.memory().unmodeled, 0);
    for (h, _) in &flows {
        n.guest.tcp(*h).close();
    }
    drop(flows);
    n.until_empty(Duration::from_secs(5));
}

#[test]
fn sequential_flows_leave_nothing_behind() {
    let (l, port) = listener();
    let mut n = plain(loopback(), Vec::new());
    for i in 0..40 {
        let (h, mut host) = n.open(&l, port, 45000 + i);
        n.up(h, &mut host, &pattern(i as u32, 20_000));
        n.down(h, &mut host, &pattern(i as u32 + 100, 20_000));
        n.guest.tcp(h).close();
        drop(host);
        n.run_until(Duration::from_secs(5), "the close", |n| {
            n.stack.flow_counts() == (0, 0, 0)
        });
        n.guest.sockets.remove(h);
    }
    n.until_empty(Duration::from_secs(5));
}

#[test]
fn a_reused_port_replaces_the_half_closed_flow_it_belonged_to() {
    let (l, port) = listener();
    let mut n = plain(loopback(), Vec::new());
    // The container closes; the host keeps its end open.
    let (h, mut old) = n.open(&l, port, 47000);
    n.guest.tcp(h).close();
    n.run_until(Duration::from_secs(5), "the half-close", |n| {
        n.guest.tcp(h).state() == tcp::State::FinWait2
    });
    // The container's socket is gone (its FIN-WAIT-2 timed out) and the
    // port is used again for the same destination.
    n.guest.sockets.remove(h);
    let (h, mut new) = n.open(&l, port, 47000);
    n.up(h, &mut new, b"again");
    assert_eq!(n.stack.flow_counts(), (1, 0, 0));
    old.set_nonblocking(false).unwrap();
    assert_eq!(host_read(&mut old), Ok(0), "the container's FIN");
    assert!(old.write_all(b"late").is_err(), "the old flow lives on");
}

/// Property tests (issue 18): frames from the container are untrusted.
/// Valid frames of every kind the stack parses (a SYN, a datagram, a DNS
/// query, an ARP request, an ICMP echo) are mutated byte-wise, cut, or
/// replaced by noise, and fed to one stack; it must never panic, never
/// hold more flows than its limit, and still answer a ping afterwards.
///
/// Whatever the mutation, the IPv4 destination is put back to 10.0.2.2 or
/// 10.0.2.3 and the TCP/UDP destination port to a test socket's, so that
/// what the stack NATs only ever reaches this test's own sockets on
/// 127.0.0.1, never another address or another program's port.
mod fuzz_tests {
    use super::*;
    use rsp_base::testing::fuzz;

    /// Points a frame's IPv4 destination (and, for TCP and UDP, its port)
    /// at this test's own targets, as the stack would read them.
    fn aim(f: &mut [u8], rng: &mut fuzz::Rng, ports: &[u16]) {
        if f.len() < 34 {
            return;
        }
        let dst = if rng.chance(50) { GATEWAY } else { DNS };
        f[30..34].copy_from_slice(&dst.octets());
        let at = 14 + usize::from(f[14] & 0x0f) * 4 + 2;
        if f.len() >= at + 2 {
            let port: &u16 = rng.pick(ports);
            f[at..at + 2].copy_from_slice(&port.to_be_bytes());
        }
    }

    #[test]
    fn issue18_mutated_frames_never_panic_the_stack() {
        let t = targets();
        let tport = t._tcp.local_addr().unwrap().port();
        let uport = t._udp.local_addr().unwrap().port();
        let ports = [tport, uport, 53];
        let max_flows = 16;
        let Raw {
            stack,
            to_stack,
            to_guest,
        } = raw(loopback(), vec![t.dns]);
        let mut r = Raw {
            stack: stack.with_limits(Limits {
                max_flows,
                ..Limits::default()
            }),
            to_stack,
            to_guest,
        };
        let seeds = [
            t.syn.clone(),
            t.dgram.clone(),
            t.query.clone(),
            arp_request(GATEWAY),
            echo_frame(GATEWAY, 1, 2, b"ping"),
        ];
        fuzz::run("net-frames", 20_000, |rng| {
            let mut f = match rng.below(10) {
                0 => {
                    let n = rng.size(200);
                    rng.bytes(n)
                }
                1 => {
                    // A valid frame cut anywhere.
                    let mut f = rng.pick(&seeds).clone();
                    let keep = rng.below(f.len() + 1);
                    f.truncate(keep);
                    f
                }
                _ => {
                    let mut f = rng.pick(&seeds).clone();
                    for _ in 0..1 + rng.below(3) {
                        rng.mutate(&mut f);
                    }
                    // Half the time the IPv4 header checksum is made right
                    // again, so the mutation gets past it.
                    if f.len() >= 34 && rng.chance(50) {
                        let hl = usize::from(f[14] & 0x0f) * 4;
                        if (20..=f.len() - 14).contains(&hl) {
                            Ipv4Packet::new_unchecked(&mut f[14..]).fill_checksum();
                        }
                    }
                    f
                }
            };
            aim(&mut f, rng, &ports);
            r.push(f);
            if rng.chance(10) {
                r.turn();
                let (tcp, udp, _) = r.stack.flow_counts();
                assert!(
                    tcp <= max_flows && udp <= max_flows,
                    "{tcp} TCP and {udp} UDP flows"
                );
            }
        });
        r.turn();
        r.to_guest.borrow_mut().clear();
        r.push(echo_frame(GATEWAY, 7, 8, b"still there?"));
        let reply = r.until("the echo reply", echo_reply);
        assert_eq!(reply, (GATEWAY, 7, 8, b"still there?".to_vec()));
    }
}
