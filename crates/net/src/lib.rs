//! Userspace networking for containers: a `slirp`-style network built on
//! `smoltcp`, without root, slirp4netns or pasta.
//!
//! Contract:
//! - The container gets a tap device `eth0` (MTU 65520, 10.0.2.100/24,
//!   default route through 10.0.2.2, DNS at 10.0.2.3), made inside its own
//!   network namespace; the device's descriptor is handed to the process
//!   that owns the container (its monitor), which runs a [`stack::Stack`].
//! - The stack NATs the container's TCP and UDP to host sockets: a TCP
//!   handshake completes only once the host connection did, and a refused
//!   or unreachable one becomes a RST. 10.0.2.2 reaches the host's loopback
//!   only with `allow_host_loopback=true`; 10.0.2.3 forwards DNS to the
//!   host's resolvers.
//! - Published ports ([`PortMapping`]) are bound on the host before the
//!   container starts; each connection is joined to a socket made inside the
//!   container's namespace and copied between the two (the default), or,
//!   with `port_handler=slirp`, carried through the stack so the container
//!   sees the client's real address.
//! - What a container's traffic can make the stack hold is bounded: every
//!   flow's buffers are charged to one byte budget (`budget`), flows end
//!   (and close their host sockets) when closed, reset, or abandoned, and
//!   the flow table has a cap ([`stack::Limits`]).
//! - Everything here parses untrusted frames with `smoltcp::wire`'s checked
//!   accessors; a malformed frame is dropped, never trusted.
#![forbid(unsafe_code)]

mod budget;
pub mod dns;
pub mod forward;
pub mod ports;
pub mod stack;
#[cfg(test)]
mod stack_tests;
mod table;
mod wire;

pub use ports::{PortMapping, parse_publish};
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// The container's address.
pub const GUEST: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 100);
/// The gateway: the stack itself, and the host's loopback when allowed.
pub const GATEWAY: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 2);
/// The DNS forwarder.
pub const DNS: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 3);
pub const NETMASK: Ipv4Addr = Ipv4Addr::new(255, 255, 255, 0);
pub const PREFIX: u8 = 24;
/// Large frames cut per-packet costs; the same MTU as slirp4netns and pasta.
pub const DEFAULT_MTU: u32 = 65520;
/// The interface name inside the container.
pub const IFNAME: &str = "eth0";
/// Its name in a container on a user-defined network, whose `eth0` is the
/// network's.
pub const BRIDGED_IFNAME: &str = "tap0";

#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error(
        "invalid port mapping {spec:?}: {why}; use -p [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]"
    )]
    BadPort { spec: String, why: String },
    #[error(
        "unknown network option {0:?}: rsp supports allow_host_loopback=true|false, port_handler=rootlesskit|slirp and mtu=N"
    )]
    BadOption(String),
    #[error(
        "cannot publish {proto} port {addr}: {source}: choose another host port or stop what uses it"
    )]
    Bind {
        proto: &'static str,
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("setting up the network stack: {0}")]
    Setup(std::io::Error),
}

/// `--network slirp:OPTS` options, with Podman's names.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct NetOptions {
    /// Whether 10.0.2.2 reaches the host's loopback.
    pub allow_host_loopback: bool,
    /// `rootlesskit` (the default): published TCP ports are joined to a
    /// socket inside the container, which sees connections come from its
    /// own namespace's address. `slirp`: they go through the stack, and the
    /// container sees the client's real address.
    pub port_handler: String,
    pub mtu: u32,
}

impl Default for NetOptions {
    fn default() -> Self {
        NetOptions {
            allow_host_loopback: false,
            port_handler: "rootlesskit".into(),
            mtu: DEFAULT_MTU,
        }
    }
}

impl NetOptions {
    /// Parses the part after `slirp:` (or `slirp4netns:`): comma-separated
    /// `key=value` pairs.
    pub fn parse(s: &str) -> Result<NetOptions, NetError> {
        let mut o = NetOptions::default();
        for kv in s.split(',').filter(|p| !p.is_empty()) {
            let bad = || NetError::BadOption(kv.to_string());
            let (k, v) = kv.split_once('=').ok_or_else(bad)?;
            match k {
                "allow_host_loopback" => {
                    o.allow_host_loopback = match v {
                        "true" => true,
                        "false" => false,
                        _ => return Err(bad()),
                    }
                }
                "port_handler" => match v {
                    "rootlesskit" | "slirp" | "slirp4netns" => {
                        o.port_handler = if v == "rootlesskit" { v } else { "slirp" }.into()
                    }
                    _ => return Err(bad()),
                },
                "mtu" => {
                    o.mtu = v
                        .parse()
                        .ok()
                        .filter(|m| (1280..=65520).contains(m))
                        .ok_or_else(bad)?
                }
                // Accepted for scripts written for Podman; rsp's behaviour
                // is already what they ask for, or they do not apply.
                "enable_ipv6" if v == "false" => {}
                "outbound_addr" | "outbound_addr6" | "cidr" | "enable_ipv6" | "enable_sandbox"
                | "enable_seccomp" => return Err(bad()),
                _ => return Err(bad()),
            }
        }
        Ok(o)
    }

    /// Whether published ports go through the stack rather than the fast path.
    pub fn slirp_ports(&self) -> bool {
        self.port_handler == "slirp"
    }
}
