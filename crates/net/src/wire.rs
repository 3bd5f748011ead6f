//! Frames the stack writes itself, outside smoltcp's sockets: UDP
//! datagrams from NATed flows, RSTs for refused connections, and ICMP
//! replies and errors. Each builder returns a whole Ethernet frame.

use smoltcp::phy::ChecksumCapabilities;
use smoltcp::wire::{
    EthernetAddress, EthernetFrame, EthernetProtocol, EthernetRepr, Icmpv4DstUnreachable,
    Icmpv4Packet, Icmpv4Repr, IpAddress, IpProtocol, Ipv4Packet, Ipv4Repr, TcpControl, TcpPacket,
    TcpRepr, TcpSeqNumber, UdpPacket, UdpRepr,
};
use std::net::Ipv4Addr;

/// The stack's own MAC address, slirp's traditional one.
pub const OUR_MAC: EthernetAddress = EthernetAddress([0x52, 0x55, 0x0a, 0x00, 0x02, 0x02]);

const ETH: usize = 14;
const IP: usize = 20;

/// Ethernet + IPv4 headers around a payload of `len` bytes that `fill`
/// writes (it gets the payload slice).
fn ipv4_frame(
    dst_mac: EthernetAddress,
    src: Ipv4Addr,
    dst: Ipv4Addr,
    proto: IpProtocol,
    len: usize,
    fill: impl FnOnce(&mut [u8]),
) -> Vec<u8> {
    let mut buf = vec![0u8; ETH + IP + len];
    let mut eth = EthernetFrame::new_unchecked(&mut buf[..]);
    EthernetRepr {
        src_addr: OUR_MAC,
        dst_addr: dst_mac,
        ethertype: EthernetProtocol::Ipv4,
    }
    .emit(&mut eth);
    let ip = Ipv4Repr {
        src_addr: src,
        dst_addr: dst,
        next_header: proto,
        payload_len: len,
        hop_limit: 64,
    };
    let mut pkt = Ipv4Packet::new_unchecked(&mut buf[ETH..]);
    ip.emit(&mut pkt, &ChecksumCapabilities::default());
    fill(&mut buf[ETH + IP..]);
    buf
}

/// A UDP datagram from `src` to `dst`.
pub fn udp(
    dst_mac: EthernetAddress,
    src: (Ipv4Addr, u16),
    dst: (Ipv4Addr, u16),
    payload: &[u8],
) -> Vec<u8> {
    let repr = UdpRepr {
        src_port: src.1,
        dst_port: dst.1,
    };
    ipv4_frame(
        dst_mac,
        src.0,
        dst.0,
        IpProtocol::Udp,
        8 + payload.len(),
        |b| {
            let mut pkt = UdpPacket::new_unchecked(b);
            repr.emit(
                &mut pkt,
                &IpAddress::Ipv4(src.0),
                &IpAddress::Ipv4(dst.0),
                payload.len(),
                |p| p.copy_from_slice(payload),
                &ChecksumCapabilities::default(),
            );
        },
    )
}

/// The RST+ACK that refuses a SYN from `guest` to `remote` whose sequence
/// number was `seq`.
pub fn tcp_rst(
    dst_mac: EthernetAddress,
    remote: (Ipv4Addr, u16),
    guest: (Ipv4Addr, u16),
    seq: TcpSeqNumber,
) -> Vec<u8> {
    let repr = TcpRepr {
        src_port: remote.1,
        dst_port: guest.1,
        control: TcpControl::Rst,
        seq_number: TcpSeqNumber(0),
        ack_number: Some(seq + 1),
        window_len: 0,
        window_scale: None,
        max_seg_size: None,
        sack_permitted: false,
        sack_ranges: [None; 3],
        timestamp: None,
        payload: &[],
    };
    ipv4_frame(
        dst_mac,
        remote.0,
        guest.0,
        IpProtocol::Tcp,
        repr.buffer_len(),
        |b| {
            let mut pkt = TcpPacket::new_unchecked(b);
            repr.emit(
                &mut pkt,
                &IpAddress::Ipv4(remote.0),
                &IpAddress::Ipv4(guest.0),
                &ChecksumCapabilities::default(),
            );
        },
    )
}

/// An ICMP message from `src` to `dst`.
pub fn icmp(dst_mac: EthernetAddress, src: Ipv4Addr, dst: Ipv4Addr, repr: &Icmpv4Repr) -> Vec<u8> {
    ipv4_frame(
        dst_mac,
        src,
        dst,
        IpProtocol::Icmp,
        repr.buffer_len(),
        |b| {
            let mut pkt = Icmpv4Packet::new_unchecked(b);
            repr.emit(&mut pkt, &ChecksumCapabilities::default());
        },
    )
}

/// "Destination unreachable" for the IPv4 packet `orig` (its header and
/// the first 8 bytes of its payload are quoted, as RFC 792 asks), sent by
/// `from`.
pub fn unreachable(
    dst_mac: EthernetAddress,
    from: Ipv4Addr,
    reason: Icmpv4DstUnreachable,
    orig: &[u8],
) -> Option<Vec<u8>> {
    let pkt = Ipv4Packet::new_checked(orig).ok()?;
    let header = Ipv4Repr::parse(&pkt, &ChecksumCapabilities::ignored()).ok()?;
    let payload = pkt.payload();
    let data = &payload[..payload.len().min(8)];
    let repr = Icmpv4Repr::DstUnreachable {
        reason,
        header,
        data,
    };
    Some(icmp(dst_mac, from, header.src_addr, &repr))
}
