//! The DNS forwarder's configuration: which host resolvers 10.0.2.3
//! forwards to, and the `/etc/resolv.conf` the container gets.
//!
//! The host's resolvers come from `/etc/resolv.conf`, or from the file
//! `$RSP_RESOLV_CONF` names. As an extension for local resolvers (and
//! tests), a `nameserver` line may carry a port: `nameserver 127.0.0.1:5353`
//! or `nameserver [::1]:5353`.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

/// The host resolver file rsp reads.
pub fn host_resolv_conf() -> PathBuf {
    std::env::var_os("RSP_RESOLV_CONF")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/etc/resolv.conf"))
}

/// The `nameserver` entries of a resolv.conf, at most three as libc uses.
pub fn nameservers(text: &str) -> Vec<SocketAddr> {
    text.lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            (w.next()? == "nameserver").then_some(())?;
            let v = w.next()?;
            v.parse::<SocketAddr>()
                .ok()
                .or_else(|| v.parse::<IpAddr>().ok().map(|ip| SocketAddr::new(ip, 53)))
        })
        .take(3)
        .collect()
}

/// The host's resolvers, read now.
pub fn upstreams() -> Vec<SocketAddr> {
    nameservers(&std::fs::read_to_string(host_resolv_conf()).unwrap_or_default())
}

/// The container's resolv.conf: the forwarder, plus the host's `search`
/// and `options` lines so short names resolve as they do on the host.
pub fn container_resolv_conf(host: &str) -> String {
    let mut out = String::new();
    for l in host.lines() {
        let first = l.split_whitespace().next().unwrap_or("");
        if first == "search" || first == "domain" || first == "options" {
            out.push_str(l.trim());
            out.push('\n');
        }
    }
    out.push_str(&format!("nameserver {}\n", super::DNS));
    out
}

/// What a DNS query asks, when it is one rsp may answer itself: one
/// question, class IN, type A (1) or AAAA (28).
#[derive(Debug, PartialEq, Eq)]
pub struct Question {
    /// The name, lower case, without the final dot.
    pub name: String,
    pub aaaa: bool,
    /// Where the question ends in the query (the answer copies it).
    end: usize,
}

const HEADER: usize = 12;

/// Reads the one question of a standard query; `None` for anything else
/// (a response, several questions, compressed or malformed names, other
/// types), which is then forwarded as is. The query is untrusted: every
/// length is checked against the buffer.
pub fn question(q: &[u8]) -> Option<Question> {
    if q.len() < HEADER {
        return None;
    }
    let flags = u16::from_be_bytes([q[2], q[3]]);
    let opcode = (flags >> 11) & 0xf;
    let counts = |i: usize| u16::from_be_bytes([q[i], q[i + 1]]);
    if flags & 0x8000 != 0 || opcode != 0 || counts(4) != 1 || counts(6) != 0 || counts(8) != 0 {
        return None;
    }
    let mut at = HEADER;
    let mut labels: Vec<String> = Vec::new();
    loop {
        let len = *q.get(at)? as usize;
        at += 1;
        if len == 0 {
            break;
        }
        // 0xC0: a compression pointer, never needed in a question.
        if len > 63 {
            return None;
        }
        let label = q.get(at..at + len)?;
        if !label
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        {
            return None;
        }
        labels.push(String::from_utf8_lossy(label).to_ascii_lowercase());
        at += len;
        if at > 255 + HEADER {
            return None;
        }
    }
    let ty = u16::from_be_bytes([*q.get(at)?, *q.get(at + 1)?]);
    let class = u16::from_be_bytes([*q.get(at + 2)?, *q.get(at + 3)?]);
    if class != 1 || (ty != 1 && ty != 28) || labels.is_empty() {
        return None;
    }
    Some(Question {
        name: labels.join("."),
        aaaa: ty == 28,
        end: at + 4,
    })
}

/// The answer to query `q` (whose question `qn` is) with `addr`: one A
/// record, or for AAAA no record (the name exists, IPv4 only); with no
/// address, NXDOMAIN. Authoritative, recursion available, TTL 0 (members
/// come and go).
pub fn answer(q: &[u8], qn: &Question, addr: Option<std::net::Ipv4Addr>) -> Vec<u8> {
    let mut r = Vec::with_capacity(qn.end + 16);
    r.extend_from_slice(&q[..2]);
    let rd = q[2] & 0x01;
    r.push(0x84 | rd); // QR, AA, RD as asked
    r.push(if addr.is_some() { 0x80 } else { 0x83 }); // RA; NXDOMAIN
    r.extend_from_slice(&1u16.to_be_bytes());
    let an = u16::from(addr.is_some() && !qn.aaaa);
    r.extend_from_slice(&an.to_be_bytes());
    r.extend_from_slice(&[0, 0, 0, 0]);
    r.extend_from_slice(&q[HEADER..qn.end]);
    if let (Some(a), false) = (addr, qn.aaaa) {
        r.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4]);
        r.extend_from_slice(&a.octets());
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(name: &str, ty: u16) -> Vec<u8> {
        let mut q = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        for l in name.split('.') {
            q.push(l.len() as u8);
            q.extend_from_slice(l.as_bytes());
        }
        q.push(0);
        q.extend_from_slice(&ty.to_be_bytes());
        q.extend_from_slice(&1u16.to_be_bytes());
        q
    }

    #[test]
    fn issue20_answers_member_names() {
        let q = query("Web.dns.podman", 1);
        let qn = question(&q).unwrap();
        assert_eq!(qn.name, "web.dns.podman");
        assert!(!qn.aaaa);
        let r = answer(&q, &qn, Some(std::net::Ipv4Addr::new(10, 89, 0, 2)));
        assert_eq!(&r[..2], &[0x12, 0x34]);
        assert_eq!(r[2] & 0x80, 0x80);
        assert_eq!(r[3] & 0x0f, 0);
        assert_eq!(u16::from_be_bytes([r[6], r[7]]), 1);
        assert_eq!(&r[r.len() - 4..], &[10, 89, 0, 2]);
        let r = answer(&q, &qn, None);
        assert_eq!(r[3] & 0x0f, 3);
        let q6 = query("web", 28);
        let qn6 = question(&q6).unwrap();
        let r = answer(&q6, &qn6, Some(std::net::Ipv4Addr::new(10, 89, 0, 2)));
        assert_eq!(u16::from_be_bytes([r[6], r[7]]), 0);
    }

    #[test]
    fn issue20_hostile_queries_are_not_parsed() {
        assert_eq!(question(&[]), None);
        assert_eq!(question(&[0; 11]), None);
        let mut q = query("web", 1);
        q[12] = 0xc0; // a pointer
        assert_eq!(question(&q), None);
        let mut q = query("web", 1);
        q[12] = 60; // past the end
        assert_eq!(question(&q), None);
        let q = query("web", 1);
        for cut in 0..q.len() {
            assert_eq!(question(&q[..cut]), None, "{cut}");
        }
        let mut q = query("web", 15); // MX
        assert_eq!(question(&q), None);
        q = query("web", 1);
        q[2] |= 0x80; // a response
        assert_eq!(question(&q), None);
        q = query("w b", 1);
        assert_eq!(question(&q), None);
    }

    #[test]
    fn parses_nameservers() {
        let ns = nameservers(
            "# c\nnameserver 10.1.1.1\nsearch a.b\nnameserver 127.0.0.1:5353\nnameserver [::1]:54\nnameserver ::2\nnameserver x\n",
        );
        assert_eq!(
            ns,
            vec![
                "10.1.1.1:53".parse().unwrap(),
                "127.0.0.1:5353".parse().unwrap(),
                "[::1]:54".parse().unwrap()
            ]
        );
    }

    #[test]
    fn container_file() {
        let r = container_resolv_conf("nameserver 1.2.3.4\nsearch corp.example\noptions ndots:2\n");
        assert_eq!(
            r,
            "search corp.example\noptions ndots:2\nnameserver 10.0.2.3\n"
        );
    }
}
