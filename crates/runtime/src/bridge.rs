//! Joining a user-defined network: the network's namespaces, its bridge,
//! each member's veth pair and address, and the live table of members
//! that name resolution reads. This module owns that table's format.
//!
//! Design (see the README's "Networks"): a network is a user namespace
//! `U` (the caller's uid as root) with a network namespace `N` inside it
//! holding a kernel bridge. A container that joins is created from a
//! process that has entered `U`, so the container's own user namespace
//! is nested in `U`; `U`'s root (the joining process) then creates a veth
//! pair with one end on the bridge in `N` and the other as `eth0` in the
//! container's network namespace. Container-to-container traffic stays in
//! the kernel. Nothing lives for the network alone: every member's
//! monitor (the process that spawned it) holds a descriptor of `N` and
//! sits in `U`, so the namespaces last while any member runs and vanish
//! with the last one, whichever process is killed.
//!
//! Who can change what: the container's root has capabilities only in
//! its own user namespace, which owns only its own network namespace: it
//! can configure its `eth0` (with `--cap-add NET_ADMIN`, as with any
//! bridge), never the bridge, `N` or another member's namespace. `U` is
//! entered only by rsp processes of the same user.
//!
//! Layout (under the runtime root): `networks/<NAME>.json`, the
//! [`Live`] table, and `networks/<NAME>.lock`, the lock every change of
//! the table and every join holds. A join finds the namespaces through a
//! live member: its pid's `ns/user` and the descriptor of `N` it recorded,
//! both checked against the inode numbers the table keeps, so a reused
//! pid or descriptor number is never mistaken for a member. A member
//! that is gone (killed) is dropped at the next join; its address is then
//! free again.

use crate::networks::{Cidr, NetworkRecord};
use rsp_base::paths::Paths;
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

/// The interface a member gets in its own namespace.
pub const IFNAME: &str = "eth0";
/// The MTU of a network without `-o mtu=`: traffic between members never
/// leaves the kernel, so large frames cost nothing and cut per-packet work.
pub const DEFAULT_MTU: u32 = 65520;
/// The search domain of member names, as Podman's.
pub const DOMAIN: &str = "dns.podman";

#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    #[error("network {network}: {what} {path}: {source}")]
    File {
        network: String,
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "network {network}: its live table {path} is corrupt ({why}): stop its containers and remove the file"
    )]
    Corrupt {
        network: String,
        path: PathBuf,
        why: String,
    },
    #[error("network {network}: {what}: {source}")]
    Setup {
        network: String,
        what: &'static str,
        source: std::io::Error,
    },
    #[error(
        "network {network}: no free IP address left in {range}: stop containers or create a larger network"
    )]
    Full { network: String, range: String },
    #[error(
        "requested IP address {ip} is not in subnet {subnet} of network {network}: choose an --ip inside it"
    )]
    IpOutside {
        ip: Ipv4Addr,
        subnet: Cidr,
        network: String,
    },
    #[error(
        "requested IP address {ip} is already allocated to container {by} on network {network}: choose another --ip"
    )]
    IpTaken {
        ip: Ipv4Addr,
        by: String,
        network: String,
    },
    #[error(
        "requested IP address {ip} is the network's own, broadcast or gateway address: choose another --ip"
    )]
    IpReserved { ip: Ipv4Addr },
}

type Result<T> = std::result::Result<T, BridgeError>;

/// One running member, as the live table keeps it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Member {
    /// The container's ID.
    pub id: String,
    pub name: String,
    /// `--network-alias`es; the short ID is resolved too.
    #[serde(default)]
    pub aliases: Vec<String>,
    pub ip: Ipv4Addr,
    /// The process that holds the network for it (its monitor).
    pub pid: u32,
    /// Its descriptor of the network's namespace.
    pub fd: i32,
    /// Which join of that process this is (a monitor joins again for each
    /// restart of its container).
    #[serde(default)]
    pub token: u64,
    /// Running: its name resolves and its address is taken. A member
    /// whose container exited still holds the network (its monitor may
    /// start it again) until its monitor ends.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// `networks/<NAME>.json` under the runtime root: the network's
/// namespaces (by inode) and its members.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Live {
    pub userns_ino: u64,
    pub netns_ino: u64,
    pub members: Vec<Member>,
}

fn live_dir(paths: &Paths) -> PathBuf {
    paths.runroot.join("networks")
}

fn live_path(paths: &Paths, network: &str) -> PathBuf {
    live_dir(paths).join(format!("{network}.json"))
}

/// The table's lock, held while it is read and rewritten.
struct TableLock {
    _lock: nix::fcntl::Flock<std::fs::File>,
}

fn lock(paths: &Paths, network: &str) -> Result<TableLock> {
    let dir = live_dir(paths);
    let path = dir.join(format!("{network}.lock"));
    let err = |what, path: &Path, source| BridgeError::File {
        network: network.to_string(),
        what,
        path: path.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(&dir).map_err(|e| err("creating", &dir, e))?;
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| err("opening", &path, e))?;
    let lock = nix::fcntl::Flock::lock(f, nix::fcntl::FlockArg::LockExclusive)
        .map_err(|(_, e)| err("locking", &path, e.into()))?;
    Ok(TableLock { _lock: lock })
}

/// Reads the live table (empty when there is none).
pub fn read_live(paths: &Paths, network: &str) -> Result<Live> {
    let path = live_path(paths, network);
    match std::fs::read(&path) {
        Ok(data) => serde_json::from_slice(&data).map_err(|e| BridgeError::Corrupt {
            network: network.to_string(),
            path,
            why: e.to_string(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Live::default()),
        Err(source) => Err(BridgeError::File {
            network: network.to_string(),
            what: "reading",
            path,
            source,
        }),
    }
}

fn write_live(paths: &Paths, network: &str, live: &Live, _lock: &TableLock) -> Result<()> {
    let path = live_path(paths, network);
    let data = serde_json::to_vec(live).expect("the live table serializes");
    rsp_storage::write_atomic(&path, &data).map_err(|e| BridgeError::File {
        network: network.to_string(),
        what: "writing",
        path,
        source: std::io::Error::other(e.to_string()),
    })
}

fn ino(fd: BorrowedFd<'_>) -> Option<u64> {
    nix::sys::stat::fstat(fd).ok().map(|st| st.st_ino)
}

fn open_ro(path: &str) -> Option<OwnedFd> {
    nix::fcntl::open(
        path,
        nix::fcntl::OFlag::O_RDONLY | nix::fcntl::OFlag::O_CLOEXEC,
        nix::sys::stat::Mode::empty(),
    )
    .ok()
}

/// The network's namespaces as member `m` holds them, if it still does.
fn through(m: &Member, live: &Live) -> Option<(OwnedFd, OwnedFd)> {
    let user = open_ro(&format!("/proc/{}/ns/user", m.pid))?;
    let net = open_ro(&format!("/proc/{}/fd/{}", m.pid, m.fd))?;
    (ino(user.as_fd()) == Some(live.userns_ino) && ino(net.as_fd()) == Some(live.netns_ino))
        .then_some((user, net))
}

/// What joining leaves the spawner holding for the container's life: the
/// network's namespace and the container's place in the table, which
/// goes when this is dropped.
pub struct Joined {
    pub network: NetworkRecord,
    /// Its interface in the container: `eth0`, `eth1`, ...
    pub ifname: String,
    pub ip: Ipv4Addr,
    pub prefix: u8,
    pub mtu: u32,
    /// Where the network's bridge is (kept open: it keeps the bridge).
    pub netns: OwnedFd,
    /// A route netlink socket in it, for the veth.
    nl: OwnedFd,
    bridge_index: u32,
    id: String,
    token: u64,
    paths: Paths,
}

/// Where a member joins: the user namespace shared by every network of
/// this user, entered by [`enter_shared_userns`] and held (with the lock
/// that makes finding or creating it atomic) until the joins are
/// registered.
pub struct InUserns {
    _lock: TableLock,
}

/// Moves the calling process into the user namespace that every
/// network's namespaces belong to, found through any live member of any
/// network, or made if none runs. The caller must be single-threaded
/// unless it is in that namespace already (a monitor connecting or
/// restarting its container).
pub fn enter_shared_userns(paths: &Paths) -> Result<InUserns> {
    let lock = lock(paths, ".userns")?;
    let setup = |what: &'static str| {
        move |source: std::io::Error| BridgeError::Setup {
            network: "(all)".to_string(),
            what,
            source,
        }
    };
    let ours = open_ro("/proc/self/ns/user").and_then(|f| ino(f.as_fd()));
    let mut found = None;
    if let Ok(entries) = std::fs::read_dir(live_dir(paths)) {
        'all: for e in entries.flatten() {
            let f = e.file_name();
            let Some(net) = f.to_str().and_then(|f| f.strip_suffix(".json")) else {
                continue;
            };
            if !crate::networks::valid_name(net) {
                continue;
            }
            let Ok(live) = read_live(paths, net) else {
                continue;
            };
            for m in &live.members {
                if let Some((user, _)) = through(m, &live) {
                    found = Some(user);
                    break 'all;
                }
            }
        }
    }
    // The initial user namespace's inode (PROC_USER_INIT_INO).
    const INITIAL: u64 = 0xEFFF_FFFD;
    match found {
        Some(user) if ino(user.as_fd()) == ours => {}
        // No member anywhere, and we are in a user namespace of our own
        // already: a monitor whose container left every network (or was
        // the last member) is still in the shared one, and keeps it.
        None if ours.is_some_and(|i| i != INITIAL) => {}
        Some(user) => {
            rsp_sys::net::enter_userns(user.as_fd())
                .map_err(setup("entering the networks' user namespace"))?;
        }
        None => {
            rsp_sys::net::unshare_own_userns()
                .map_err(setup("creating the networks' user namespace"))?;
        }
    }
    Ok(InUserns { _lock: lock })
}

/// Joins `net` for container `id` (`name`, `aliases`, `ip` if asked), as
/// interface `ifname`: finds the network's namespace and bridge through a
/// live member, or makes them, and takes an address. The caller is in
/// the shared user namespace (`_u`); it then connects the container
/// ([`Joined::attach`]).
#[allow(clippy::too_many_arguments)]
pub fn join(
    paths: &Paths,
    _u: &InUserns,
    net: &NetworkRecord,
    ifname: &str,
    id: &str,
    name: &str,
    aliases: &[String],
    ip: Option<Ipv4Addr>,
) -> Result<Joined> {
    let n = net.name.clone();
    let setup = |what: &'static str| {
        let n = n.clone();
        move |source: std::io::Error| BridgeError::Setup {
            network: n,
            what,
            source,
        }
    };
    let subnet = net.cidr().expect("a checked record has a subnet");
    let gateway = net.subnets[0].gateway;
    let mtu = net
        .options
        .get("mtu")
        .and_then(|m| m.parse().ok())
        .unwrap_or(DEFAULT_MTU);
    let lock = lock(paths, &n)?;
    let mut live = read_live(paths, &n)?;
    let userns_ino = open_ro("/proc/self/ns/user")
        .and_then(|f| ino(f.as_fd()))
        .unwrap_or(0);
    // Members that no longer hold the network are dropped (their
    // addresses are free again); the first that does leads us in. A
    // table of another user namespace has no live member (any would have
    // led us into it).
    let mut found = None;
    let members = std::mem::take(&mut live.members);
    for m in members {
        if live.userns_ino == userns_ino
            && let Some((_, netns)) = through(&m, &live)
        {
            if found.is_none() {
                found = Some(netns);
            }
            live.members.push(m);
        }
    }
    let (netns, nl, bridge_index) = match found {
        Some(netns) => {
            let nl = rsp_sys::net::netlink_in(netns.as_fd())
                .map_err(setup("opening a netlink socket in its namespace"))?;
            let inet = rsp_sys::net::inet_socket_in(netns.as_fd())
                .map_err(setup("opening a socket in its namespace"))?;
            let index = rsp_sys::net::if_index(&inet, &net.network_interface)
                .map_err(setup("finding its bridge"))?;
            (netns, nl, index)
        }
        None => {
            live.members.clear();
            let netns = rsp_sys::net::new_netns().map_err(setup("creating its namespace"))?;
            let nl = rsp_sys::net::netlink_in(netns.as_fd())
                .map_err(setup("opening a netlink socket in its namespace"))?;
            rsp_sys::net::bridge_create(&nl, &net.network_interface, mtu)
                .map_err(setup("creating its bridge"))?;
            let inet = rsp_sys::net::inet_socket_in(netns.as_fd())
                .map_err(setup("opening a socket in its namespace"))?;
            rsp_sys::net::if_configure(
                &inet,
                &net.network_interface,
                None,
                Some((gateway, netmask(subnet.prefix))),
            )
            .map_err(setup("bringing its bridge up"))?;
            let index = rsp_sys::net::if_index(&inet, &net.network_interface)
                .map_err(setup("finding its bridge"))?;
            live.userns_ino = userns_ino;
            live.netns_ino = ino(netns.as_fd()).unwrap_or(0);
            (netns, nl, index)
        }
    };
    let ip = allocate(net, &live, subnet, gateway, ip)?;
    let token = live.members.iter().map(|m| m.token).max().unwrap_or(0) + 1;
    live.members.push(Member {
        id: id.to_string(),
        name: name.to_string(),
        aliases: aliases.to_vec(),
        ip,
        pid: std::process::id(),
        fd: netns.as_raw_fd(),
        token,
        active: true,
    });
    write_live(paths, &n, &live, &lock)?;
    Ok(Joined {
        network: net.clone(),
        ifname: ifname.to_string(),
        ip,
        prefix: subnet.prefix,
        mtu,
        netns,
        nl,
        bridge_index,
        id: id.to_string(),
        token,
        paths: paths.clone(),
    })
}

fn netmask(prefix: u8) -> Ipv4Addr {
    Ipv4Addr::from(u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0))
}

/// The address for a new member: `want` if it is free, else the lowest
/// free one of the lease range (the subnet's hosts by default), never the
/// gateway.
fn allocate(
    net: &NetworkRecord,
    live: &Live,
    subnet: Cidr,
    gateway: Ipv4Addr,
    want: Option<Ipv4Addr>,
) -> Result<Ipv4Addr> {
    let used = |ip: Ipv4Addr| live.members.iter().find(|m| m.active && m.ip == ip);
    if let Some(ip) = want {
        if !subnet.contains(ip) {
            return Err(BridgeError::IpOutside {
                ip,
                subnet,
                network: net.name.clone(),
            });
        }
        if ip == subnet.addr || ip == subnet.last() || ip == gateway {
            return Err(BridgeError::IpReserved { ip });
        }
        if let Some(m) = used(ip) {
            return Err(BridgeError::IpTaken {
                ip,
                by: m.name.clone(),
                network: net.name.clone(),
            });
        }
        return Ok(ip);
    }
    let (first, last) = match &net.subnets[0].lease_range {
        Some(r) => (u32::from(r.start_ip), u32::from(r.end_ip)),
        None => (u32::from(subnet.first_host()), u32::from(subnet.last()) - 1),
    };
    (first..=last)
        .map(Ipv4Addr::from)
        .find(|ip| *ip != gateway && *ip != subnet.addr && used(*ip).is_none())
        .ok_or_else(|| BridgeError::Full {
            network: net.name.clone(),
            range: format!("{}-{}", Ipv4Addr::from(first), Ipv4Addr::from(last)),
        })
}

impl Joined {
    /// Connects the container whose network namespace is `ns` (opened
    /// while it was held, before it runs anything): a veth pair from the
    /// bridge to its `eth0`. The container configures `eth0` itself.
    pub fn attach(&self, ns: BorrowedFd<'_>) -> Result<()> {
        let host_end = self.host_end();
        // A pair an earlier run of this container left (its namespace
        // held elsewhere) would make the name taken.
        let _ = rsp_sys::net::link_delete(&self.nl, &host_end);
        rsp_sys::net::veth_create(
            &self.nl,
            &host_end,
            self.bridge_index,
            &self.ifname,
            ns,
            self.mtu,
        )
        .map_err(|source| BridgeError::Setup {
            network: self.network.name.clone(),
            what: "connecting the container to its bridge",
            source,
        })?;
        let inet = rsp_sys::net::inet_socket_in(self.netns.as_fd())
            .and_then(|s| rsp_sys::net::if_configure(&s, &host_end, None, None));
        inet.map_err(|source| BridgeError::Setup {
            network: self.network.name.clone(),
            what: "bringing the container's bridge port up",
            source,
        })
    }

    /// The netmask of the member's address.
    pub fn netmask(&self) -> Ipv4Addr {
        netmask(self.prefix)
    }

    /// The bridge's end of the pair: unique on the bridge while the
    /// container lives (its ID and interface).
    fn host_end(&self) -> String {
        let n: u32 = self.ifname.trim_start_matches("eth").parse().unwrap_or(0);
        let id = self.id.get(..11).unwrap_or(&self.id);
        format!("v{id}{:02x}", n % 256)
    }

    /// Connects a running container (`disconnect` undoes it): the pair,
    /// and the container's end configured from here (the container's
    /// user namespace is inside ours, so its network namespace is ours to
    /// change).
    pub fn attach_running(&self, ns: BorrowedFd<'_>) -> Result<()> {
        self.attach(ns)?;
        let r = self.configure_in(ns);
        if r.is_err() {
            let _ = self.detach();
        }
        r
    }

    fn configure_in(&self, ns: BorrowedFd<'_>) -> Result<()> {
        let r = rsp_sys::net::inet_socket_in(ns).and_then(|s| {
            rsp_sys::net::if_configure(
                &s,
                &self.ifname,
                Some(self.mtu),
                Some((self.ip, self.netmask())),
            )
        });
        r.map_err(|source| BridgeError::Setup {
            network: self.network.name.clone(),
            what: "configuring the container's new interface",
            source,
        })
    }

    /// Removes the pair (both ends go with either).
    pub fn detach(&self) -> Result<()> {
        rsp_sys::net::link_delete(&self.nl, &self.host_end()).map_err(|source| BridgeError::Setup {
            network: self.network.name.clone(),
            what: "disconnecting the container",
            source,
        })
    }
}

impl Joined {
    fn change(&self, f: impl FnOnce(&mut Vec<Member>, u32)) {
        let n = &self.network.name;
        let Ok(lock) = lock(&self.paths, n) else {
            return;
        };
        let Ok(mut live) = read_live(&self.paths, n) else {
            return;
        };
        f(&mut live.members, std::process::id());
        let _ = write_live(&self.paths, n, &live, &lock);
    }

    /// The container exited: its name stops resolving and its address is
    /// free, but the entry stays, as the way into the network for a
    /// later join (this process's own, when it restarts the container,
    /// must find the namespaces it is in).
    pub fn leave(&self) {
        self.change(|members, me| {
            for m in members.iter_mut() {
                if m.pid == me && m.token == self.token {
                    m.active = false;
                }
            }
        });
    }
}

impl Drop for Joined {
    fn drop(&mut self) {
        // The container's end of the pair went with its namespace; what
        // is left is its entry (and, for the last member, the namespaces,
        // when `netns` closes after this).
        self.change(|members, me| members.retain(|m| !(m.pid == me && m.token == self.token)));
    }
}

/// The address of `name` on the first of `networks` that has it.
pub fn resolve_any(paths: &Paths, networks: &[String], name: &str) -> Option<Ipv4Addr> {
    networks.iter().find_map(|n| resolve(paths, n, name))
}

/// The address of `name` on network `network`: a member's name, alias or
/// short ID, with or without [`DOMAIN`]; case does not matter.
pub fn resolve(paths: &Paths, network: &str, name: &str) -> Option<Ipv4Addr> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let name = name
        .strip_suffix(&format!(".{DOMAIN}"))
        .unwrap_or(&name)
        .to_string();
    let live = read_live(paths, network).ok()?;
    live.members
        .iter()
        .find(|m| {
            m.active
                && alive(m, &live)
                && (m.name.eq_ignore_ascii_case(&name)
                    || m.aliases.iter().any(|a| a.eq_ignore_ascii_case(&name))
                    || (name.len() == 12 && m.id.starts_with(&name)))
        })
        .map(|m| m.ip)
}

/// Whether member `m`'s process still holds the network (a monitor that
/// was killed left its entry behind).
fn alive(m: &Member, live: &Live) -> bool {
    nix::sys::stat::stat(format!("/proc/{}/fd/{}", m.pid, m.fd).as_str())
        .is_ok_and(|st| st.st_ino == live.netns_ino)
}
