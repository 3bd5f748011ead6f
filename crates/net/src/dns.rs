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

#[cfg(test)]
mod tests {
    use super::*;

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
