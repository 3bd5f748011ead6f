//! Published ports: parsing `-p`, choosing free host ports for `-P` and
//! `HOSTPORT` left empty, and the text forms `ps`, `port` and `inspect` show.

use super::NetError;
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, SocketAddr};

/// One published port range, as Podman records it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PortMapping {
    /// Empty: every address.
    pub host_ip: String,
    /// 0 until a free port is chosen when the container is created.
    pub host_port: u16,
    pub container_port: u16,
    /// "tcp" or "udp".
    pub protocol: String,
    /// How many consecutive ports, from both starts.
    pub range: u16,
    /// Before create: a host range to pick one free port from.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub host_range: u16,
}

fn is_zero(n: &u16) -> bool {
    *n == 0
}

impl PortMapping {
    /// The `(host address, container port)` pairs this mapping publishes.
    pub fn pairs(&self) -> Vec<(SocketAddr, u16)> {
        let ip: IpAddr = self.host_ip.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        (0..self.range)
            .map(|i| {
                (
                    SocketAddr::new(ip, self.host_port.wrapping_add(i)),
                    self.container_port.wrapping_add(i),
                )
            })
            .collect()
    }

    pub fn is_udp(&self) -> bool {
        self.protocol == "udp"
    }

    /// The host address as `ps` and `port` print it (IPv6 in brackets).
    pub fn shown_ip(&self) -> String {
        if self.host_ip.is_empty() {
            "0.0.0.0".into()
        } else if self.host_ip.contains(':') {
            format!("[{}]", self.host_ip)
        } else {
            self.host_ip.clone()
        }
    }
}

fn bad(spec: &str, why: &str) -> NetError {
    NetError::BadPort {
        spec: spec.to_string(),
        why: why.to_string(),
    }
}

/// `N` or `N-M` (inclusive), ports 1-65535.
fn parse_range(spec: &str, s: &str) -> Result<(u16, u16), NetError> {
    let port = |p: &str| {
        p.parse::<u16>()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| bad(spec, &format!("{p:?} is not a port number (1-65535)")))
    };
    match s.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (port(a)?, port(b)?);
            if b < a {
                return Err(bad(spec, "a range must go from low to high"));
            }
            Ok((a, b - a + 1))
        }
        None => Ok((port(s)?, 1)),
    }
}

/// Parses one `-p [IP:][HOSTPORT:]CONTAINERPORT[/PROTO]`; IPv6 addresses
/// go in brackets (`[::1]:8080:80`). An empty or missing host port means
/// a free one, chosen by [`assign_host_ports`].
pub fn parse_publish(spec: &str) -> Result<PortMapping, NetError> {
    let (rest, proto) = match spec.rsplit_once('/') {
        Some((r, p)) => (r, p),
        None => (spec, "tcp"),
    };
    if proto != "tcp" && proto != "udp" {
        return Err(bad(
            spec,
            &format!("protocol {proto:?} is not supported (tcp or udp)"),
        ));
    }
    let (ip, rest) = if let Some(r) = rest.strip_prefix('[') {
        let (ip, r) = r
            .split_once("]:")
            .ok_or_else(|| bad(spec, "an IPv6 address must be followed by ':'"))?;
        (Some(ip), r)
    } else {
        let parts: Vec<&str> = rest.split(':').collect();
        match parts.len() {
            1 | 2 => (None, rest),
            3 => (Some(parts[0]), &rest[parts[0].len() + 1..]),
            _ => return Err(bad(spec, "too many ':'")),
        }
    };
    let host_ip = match ip {
        None | Some("") => String::new(),
        Some(a) => {
            let parsed: IpAddr = a
                .parse()
                .map_err(|_| bad(spec, &format!("{a:?} is not an IP address")))?;
            parsed.to_string()
        }
    };
    let (host, ctr) = match rest.split_once(':') {
        Some((h, c)) => (Some(h), c),
        None => (None, rest),
    };
    let (container_port, range) = parse_range(spec, ctr)?;
    let mut host_range = 0;
    let host_port = match host {
        None | Some("") | Some("0") => 0,
        Some(h) => {
            let (p, n) = parse_range(spec, h)?;
            if n != range && range == 1 {
                // Docker: one free port out of the host range.
                host_range = n;
                p
            } else if n != range {
                return Err(bad(
                    spec,
                    "the host and container ranges must be the same length",
                ));
            } else {
                p
            }
        }
    };
    if host_port != 0 && u32::from(host_port) + u32::from(range) - 1 > 65535 {
        return Err(bad(spec, "the range goes past port 65535"));
    }
    Ok(PortMapping {
        host_ip,
        host_port,
        container_port,
        protocol: proto.to_string(),
        range,
        host_range,
    })
}

/// The image's `ExposedPorts` keys (`80/tcp`, `53/udp`, `8080`) as
/// mappings to free host ports, for `-P`.
/// Other protocols (sctp) are skipped, as rsp cannot publish them.
pub fn exposed(keys: &[String]) -> Result<Vec<PortMapping>, NetError> {
    let mut out: Vec<PortMapping> = Vec::new();
    for k in keys {
        let (port, proto) = k.split_once('/').unwrap_or((k, "tcp"));
        if proto != "tcp" && proto != "udp" {
            continue;
        }
        let m = parse_publish(&format!("{port}/{proto}"))?;
        if !out.contains(&m) {
            out.push(m);
        }
    }
    Ok(out)
}

/// Gives every mapping with host port 0 a port that is free now, as
/// Podman does at create time. A range needs consecutive free ports.
pub fn assign_host_ports(maps: &mut [PortMapping]) -> Result<(), NetError> {
    // Ports already taken by this container's own mappings.
    let mut taken: Vec<(bool, u16)> = maps
        .iter()
        .filter(|m| m.host_port != 0 && m.host_range == 0)
        .flat_map(|m| (0..m.range).map(move |i| (m.is_udp(), m.host_port + i)))
        .collect();
    for m in maps.iter_mut() {
        let ip: IpAddr = m.host_ip.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let udp = m.is_udp();
        if m.host_range > 0 {
            let first = m.host_port;
            let last = u32::from(first) + u32::from(m.host_range) - 1;
            m.host_port = (u32::from(first)..=last.min(65535))
                .map(|p| p as u16)
                .find(|&p| !taken.contains(&(udp, p)) && port_free(ip, p, udp))
                .ok_or_else(|| NetError::BadPort {
                    spec: format!("{first}-{last}:{}", m.container_port),
                    why: "no port of the host range is free".into(),
                })?;
            m.host_range = 0;
            taken.push((udp, m.host_port));
            continue;
        }
        if m.host_port != 0 {
            continue;
        }
        let mut chosen = None;
        for _ in 0..64 {
            let first = free_port(ip, udp).map_err(|source| NetError::Bind {
                proto: if udp { "udp" } else { "tcp" },
                addr: SocketAddr::new(ip, 0),
                source,
            })?;
            if u32::from(first) + u32::from(m.range) - 1 > 65535 {
                continue;
            }
            let ok = (0..m.range).all(|i| !taken.contains(&(udp, first + i)))
                && (1..m.range).all(|i| port_free(ip, first + i, udp));
            if ok {
                chosen = Some(first);
                break;
            }
        }
        m.host_port = chosen.ok_or_else(|| NetError::BadPort {
            spec: format!("{}/{}", m.container_port, m.protocol),
            why: format!("no {} consecutive free host ports were found", m.range),
        })?;
        taken.extend((0..m.range).map(|i| (udp, m.host_port + i)));
    }
    Ok(())
}

fn free_port(ip: IpAddr, udp: bool) -> std::io::Result<u16> {
    let addr = SocketAddr::new(ip, 0);
    Ok(if udp {
        std::net::UdpSocket::bind(addr)?.local_addr()?.port()
    } else {
        std::net::TcpListener::bind(addr)?.local_addr()?.port()
    })
}

fn port_free(ip: IpAddr, port: u16, udp: bool) -> bool {
    let addr = SocketAddr::new(ip, port);
    if udp {
        std::net::UdpSocket::bind(addr).is_ok()
    } else {
        std::net::TcpListener::bind(addr).is_ok()
    }
}

/// `0.0.0.0:8080->80/tcp, ...` for `ps`.
pub fn ps_text(maps: &[PortMapping]) -> String {
    maps.iter()
        .map(|m| {
            let ip = m.shown_ip();
            if m.range > 1 {
                format!(
                    "{ip}:{}-{}->{}-{}/{}",
                    m.host_port,
                    m.host_port + m.range - 1,
                    m.container_port,
                    m.container_port + m.range - 1,
                    m.protocol
                )
            } else {
                format!("{ip}:{}->{}/{}", m.host_port, m.container_port, m.protocol)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One `(container port/proto, host ip, host port)` per published port.
pub fn each(maps: &[PortMapping]) -> Vec<(String, String, u16)> {
    let mut out = Vec::new();
    for m in maps {
        for i in 0..m.range {
            out.push((
                format!("{}/{}", m.container_port + i, m.protocol),
                m.shown_ip(),
                m.host_port + i,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> PortMapping {
        parse_publish(s).unwrap()
    }

    #[test]
    fn forms() {
        let m = p("8080:80");
        assert_eq!(
            (m.host_ip.as_str(), m.host_port, m.container_port),
            ("", 8080, 80)
        );
        assert_eq!(m.protocol, "tcp");
        let m = p("127.0.0.1:8080:80/udp");
        assert_eq!(
            (m.host_ip.as_str(), m.host_port, m.protocol.as_str()),
            ("127.0.0.1", 8080, "udp")
        );
        let m = p("80");
        assert_eq!((m.host_port, m.container_port), (0, 80));
        let m = p("127.0.0.1::80");
        assert_eq!((m.host_ip.as_str(), m.host_port), ("127.0.0.1", 0));
        let m = p("[::1]:9000:90");
        assert_eq!(
            (m.host_ip.as_str(), m.host_port, m.container_port),
            ("::1", 9000, 90)
        );
        let m = p("0:80");
        assert_eq!(m.host_port, 0);
        let mut one = vec![p("127.0.0.1:40000-40100:80")];
        assign_host_ports(&mut one).unwrap();
        assert!((40000..=40100).contains(&one[0].host_port));
        assert_eq!(one[0].range, 1);
        assert_eq!(ps_text(&[p("[::1]:9000:90")]), "[::1]:9000->90/tcp");
        let m = p("8000-8002:80-82");
        assert_eq!((m.host_port, m.container_port, m.range), (8000, 80, 3));
        assert_eq!(m.pairs().len(), 3);
        assert_eq!(ps_text(&[m]), "0.0.0.0:8000-8002->80-82/tcp");
    }

    #[test]
    fn rejects() {
        for s in [
            "",
            "0",
            "70000",
            "a:80",
            "1.2.3:80:80",
            "8080:80/sctp",
            "8000-8001:80-82",
            "9-8:9-8",
            "1:2:3:4",
            "[::1]80",
            "65535-65535:1-1/tcp/x",
        ] {
            assert!(parse_publish(s).is_err(), "{s:?} accepted");
        }
        let e = parse_publish("8080:80/sctp").unwrap_err().to_string();
        assert!(e.contains("-p [IP:]"), "{e}");
    }

    #[test]
    fn assigns_free_ports() {
        let mut maps = vec![
            p("127.0.0.1::80"),
            p("127.0.0.1::53/udp"),
            p("127.0.0.1::81"),
            p("127.0.0.1::82"),
        ];
        assign_host_ports(&mut maps).unwrap();
        assert!(maps.iter().all(|m| m.host_port != 0));
        let tcp: std::collections::HashSet<u16> = maps
            .iter()
            .filter(|m| !m.is_udp())
            .map(|m| m.host_port)
            .collect();
        assert_eq!(tcp.len(), 3);
    }

    #[test]
    fn exposed_keys() {
        let m = exposed(&[
            "80/tcp".into(),
            "53/udp".into(),
            "8080".into(),
            "80".into(),
            "9/sctp".into(),
        ])
        .unwrap();
        assert_eq!(m.len(), 3);
        assert!(m.iter().all(|m| m.host_port == 0));
        assert_eq!(m[1].protocol, "udp");
    }
}
