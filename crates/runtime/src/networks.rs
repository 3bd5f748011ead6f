//! User-defined networks: their records, their address plans, and the
//! rules for making and removing them. This module owns their on-disk
//! format.
//!
//! Layout (under the store root): `networks/<NAME>.json`, one
//! [`NetworkRecord`] each, in the field names of `podman network inspect`
//! so that output is the record itself.
//!
//! Contract:
//! - A name is [`valid_name`]: `[A-Za-z0-9][A-Za-z0-9_.-]*`, at most
//!   [`MAX_NAME`] bytes (one path component, never `.` or `..`).
//! - Every record is checked before it is written: one IPv4 subnet whose
//!   address is the network's own (host bits cleared), a prefix that
//!   leaves room for hosts, a gateway and lease range inside it, and no
//!   overlap with another network's subnet or with an address of the
//!   host's interfaces. Records are written whole (temp file and rename)
//!   under the store lock, and the overlap check is made under that same
//!   lock, so two concurrent `network create`s never take one subnet.
//! - Records are read back as untrusted: a record that does not parse, or
//!   whose name is not its file's, is an error naming the file.
//! - A network is in use while any container (running or not) names it;
//!   one in use is not removed.

use rsp_storage::{Store, StoreError, StoreLock};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;
use std::path::PathBuf;

/// The longest network name.
pub const MAX_NAME: usize = 200;
/// Podman's default network, always there (`--network bridge` joins it):
/// its name, fixed ID, subnet and bridge.
pub const DEFAULT_NAME: &str = "podman";
const DEFAULT_ID: &str = "2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9";
const DEFAULT_SUBNET: Cidr = Cidr {
    addr: Ipv4Addr::new(10, 88, 0, 0),
    prefix: 16,
};
/// The one driver: a kernel bridge.
pub const BRIDGE: &str = "bridge";
/// Where subnets are taken from when none is given: Podman's default pool,
/// `10.89.0.0/24`, `10.89.1.0/24`, ... up to `10.89.255.0/24`.
const POOL_FIRST: Ipv4Addr = Ipv4Addr::new(10, 89, 0, 0);
/// The smallest MTU the kernel accepts on an Ethernet device, and the
/// largest any device takes.
const MTU_RANGE: std::ops::RangeInclusive<u32> = 68..=65535;

#[derive(Debug, thiserror::Error)]
pub enum NetworkError {
    #[error(
        "network name {0:?} invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]* and be at most {MAX_NAME} characters: invalid argument"
    )]
    BadName(String),
    #[error("network name {0} already used: network already exists")]
    Exists(String),
    #[error("unable to find network with name or ID {0}: network not found")]
    NotFound(String),
    #[error(
        "network {0}: the name or ID prefix matches more than one network: give more of the ID"
    )]
    Ambiguous(String),
    #[error("invalid CIDR address {0:?}: give an IPv4 subnet such as 10.89.0.0/24")]
    BadCidr(String),
    #[error("subnet {0}: IPv6 networks are not supported by rsp: give an IPv4 subnet")]
    Ipv6(String),
    #[error("subnet {0}: the prefix leaves no room for a gateway and hosts: use /30 or shorter")]
    TooSmall(String),
    #[error("invalid gateway IP address {0:?}: give an IPv4 address inside the subnet")]
    BadGateway(String),
    #[error("gateway ip {gateway} not in subnet {subnet}")]
    GatewayOutside { gateway: Ipv4Addr, subnet: Cidr },
    #[error(
        "gateway ip {0}: the subnet's own address and its broadcast address cannot be the gateway"
    )]
    GatewayReserved(Ipv4Addr),
    #[error("invalid ip range {0:?}: give a CIDR such as 10.89.0.128/25 inside the subnet")]
    BadRange(String),
    #[error("ip range {range} is not inside subnet {subnet}")]
    RangeOutside { range: Cidr, subnet: Cidr },
    #[error("cannot set gateway or range without subnet")]
    NeedsSubnet,
    #[error("rsp networks take one subnet: give --subnet once")]
    OneSubnet,
    #[error("subnet {0} is already used on the host or by another config")]
    Overlap(Cidr),
    #[error("no free subnet left in 10.89.0.0/16: remove unused networks or give --subnet")]
    PoolExhausted,
    #[error(
        "unsupported network driver {0:?}: rsp networks are bridges: leave --driver out or say bridge"
    )]
    Driver(String),
    #[error(
        "unsupported network option {0:?}: rsp supports mtu=N (and, as Podman, no others): remove it"
    )]
    Option(String),
    #[error("invalid mtu {0:?}: give a number from 68 to 65535")]
    Mtu(String),
    #[error("network {name}: reading its record {path}: {source}")]
    Read {
        name: String,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("network {name}: its record {path} is corrupt ({why}): remove the file")]
    Corrupt {
        name: String,
        path: PathBuf,
        why: String,
    },
    #[error(
        "{0:?} has associated containers with it. Use -f to forcibly delete containers and pods: network is being used"
    )]
    InUse(String),
    #[error("default network {0} cannot be removed")]
    Default(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

type Result<T> = std::result::Result<T, NetworkError>;

/// An IPv4 subnet: its address (host bits cleared) and prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cidr {
    pub addr: Ipv4Addr,
    pub prefix: u8,
}

impl Cidr {
    /// Parses `A.B.C.D/N`; the host bits are cleared, as Podman does.
    pub fn parse(s: &str) -> Result<Cidr> {
        let bad = || NetworkError::BadCidr(s.to_string());
        let (a, p) = s.split_once('/').ok_or_else(bad)?;
        if a.contains(':') {
            return Err(NetworkError::Ipv6(s.to_string()));
        }
        let addr: Ipv4Addr = a.parse().map_err(|_| bad())?;
        if p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let prefix: u8 = p.parse().map_err(|_| bad())?;
        if prefix > 32 {
            return Err(bad());
        }
        Ok(Cidr::new(addr, prefix))
    }

    pub fn new(addr: Ipv4Addr, prefix: u8) -> Cidr {
        let c = Cidr { addr, prefix };
        Cidr {
            addr: Ipv4Addr::from(u32::from(addr) & c.mask()),
            prefix,
        }
    }

    fn mask(&self) -> u32 {
        if self.prefix == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(self.prefix))
        }
    }

    pub fn contains(&self, ip: Ipv4Addr) -> bool {
        u32::from(ip) & self.mask() == u32::from(self.addr)
    }

    pub fn overlaps(&self, other: &Cidr) -> bool {
        self.contains(other.addr) || other.contains(self.addr)
    }

    /// The broadcast address: the last of the subnet.
    pub fn last(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.addr) | !self.mask())
    }

    /// The first address after the subnet's own: the default gateway.
    pub fn first_host(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.addr) + 1)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// Addresses handed to containers, as Podman's `lease_range`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct LeaseRange {
    pub start_ip: Ipv4Addr,
    pub end_ip: Ipv4Addr,
}

/// One subnet of a network, as `podman network inspect` shows it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Subnet {
    pub subnet: String,
    pub gateway: Ipv4Addr,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_range: Option<LeaseRange>,
}

/// What `networks/<NAME>.json` keeps: Podman's fields and names.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct NetworkRecord {
    pub name: String,
    /// 64 hex digits.
    pub id: String,
    /// Always [`BRIDGE`].
    pub driver: String,
    /// The bridge's name inside the network's namespace.
    pub network_interface: String,
    /// RFC 3339 with nanoseconds, from the creator's clock.
    pub created: String,
    pub subnets: Vec<Subnet>,
    pub ipv6_enabled: bool,
    pub internal: bool,
    pub dns_enabled: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
    pub ipam_options: BTreeMap<String, String>,
}

impl NetworkRecord {
    /// The network's one subnet (see [`check`]).
    pub fn cidr(&self) -> Option<Cidr> {
        self.subnets
            .first()
            .and_then(|s| Cidr::parse(&s.subnet).ok())
    }
}

/// What `network create` asks for, as given on the command line.
#[derive(Clone, Debug, Default)]
pub struct CreateOptions {
    pub driver: Option<String>,
    pub subnets: Vec<String>,
    pub gateways: Vec<String>,
    pub ip_ranges: Vec<String>,
    pub internal: bool,
    pub disable_dns: bool,
    pub labels: BTreeMap<String, String>,
    pub options: BTreeMap<String, String>,
    /// `--ignore`: an existing network of that name is fine.
    pub ignore_existing: bool,
}

/// Whether `name` may name a network (see the module docs).
pub fn valid_name(name: &str) -> bool {
    rsp_base::text::is_object_name(name, MAX_NAME)
}

fn networks_dir(store: &Store) -> PathBuf {
    store.root().join("networks")
}

fn record_path(store: &Store, name: &str) -> Result<PathBuf> {
    if !valid_name(name) {
        return Err(NetworkError::BadName(name.to_string()));
    }
    Ok(networks_dir(store).join(format!("{name}.json")))
}

/// The checked options of `o`, before anything is looked up: the
/// driver, the `-o` options, and the subnet the user gave (with its
/// gateway and range), if any.
fn plan(o: &CreateOptions) -> Result<Option<Subnet>> {
    if let Some(d) = &o.driver
        && d != BRIDGE
    {
        return Err(NetworkError::Driver(d.clone()));
    }
    for (k, v) in &o.options {
        match k.as_str() {
            "mtu" => match v.parse::<u32>() {
                Ok(m) if MTU_RANGE.contains(&m) => {}
                _ => return Err(NetworkError::Mtu(v.clone())),
            },
            _ => return Err(NetworkError::Option(k.clone())),
        }
    }
    if o.subnets.len() > 1 || o.gateways.len() > 1 || o.ip_ranges.len() > 1 {
        return Err(NetworkError::OneSubnet);
    }
    let Some(s) = o.subnets.first() else {
        if !o.gateways.is_empty() || !o.ip_ranges.is_empty() {
            return Err(NetworkError::NeedsSubnet);
        }
        return Ok(None);
    };
    let cidr = Cidr::parse(s)?;
    if cidr.prefix > 30 {
        return Err(NetworkError::TooSmall(cidr.to_string()));
    }
    let gateway = match o.gateways.first() {
        None => cidr.first_host(),
        Some(g) => {
            if g.contains(':') {
                return Err(NetworkError::Ipv6(g.clone()));
            }
            let ip: Ipv4Addr = g.parse().map_err(|_| NetworkError::BadGateway(g.clone()))?;
            if !cidr.contains(ip) {
                return Err(NetworkError::GatewayOutside {
                    gateway: ip,
                    subnet: cidr,
                });
            }
            if ip == cidr.addr || ip == cidr.last() {
                return Err(NetworkError::GatewayReserved(ip));
            }
            ip
        }
    };
    let lease_range = match o.ip_ranges.first() {
        None => None,
        Some(r) => {
            let range = Cidr::parse(r).map_err(|e| match e {
                NetworkError::BadCidr(_) => NetworkError::BadRange(r.clone()),
                e => e,
            })?;
            if !cidr.contains(range.addr) || range.prefix < cidr.prefix {
                return Err(NetworkError::RangeOutside {
                    range,
                    subnet: cidr,
                });
            }
            // As Podman: the range's own address and broadcast address
            // are usable only where they are not the subnet's.
            let start = if range.addr == cidr.addr {
                cidr.first_host()
            } else {
                range.addr
            };
            let end = if range.last() == cidr.last() {
                Ipv4Addr::from(u32::from(range.last()) - 1)
            } else {
                range.last()
            };
            Some(LeaseRange {
                start_ip: start,
                end_ip: end,
            })
        }
    };
    Ok(Some(Subnet {
        subnet: cidr.to_string(),
        gateway,
        lease_range,
    }))
}

/// The subnets of the host's interfaces (a network there would shadow
/// them for containers).
fn host_subnets() -> Vec<Cidr> {
    let Ok(addrs) = nix::ifaddrs::getifaddrs() else {
        return Vec::new();
    };
    addrs
        .filter_map(|a| {
            let ip = a.address?.as_sockaddr_in()?.ip();
            let mask = a.netmask?.as_sockaddr_in()?.ip();
            let prefix = u32::from(mask).leading_ones() as u8;
            Some(Cidr::new(ip, prefix))
        })
        .collect()
}

/// `network create`: checks the options, then writes the record. Returns
/// it (an existing one under `--ignore`).
pub fn create(
    store: &Store,
    name: Option<&str>,
    o: &CreateOptions,
    created: String,
) -> Result<NetworkRecord> {
    let wanted = plan(o)?;
    let lock = store.lock()?;
    let existing = list(store)?;
    let name = match name {
        Some(n) => n.to_string(),
        None => free_name(&existing),
    };
    if !valid_name(&name) {
        return Err(NetworkError::BadName(name));
    }
    if let Some(n) = existing.iter().find(|n| n.name == name) {
        if o.ignore_existing {
            return Ok(n.clone());
        }
        return Err(NetworkError::Exists(name));
    }
    let taken: Vec<Cidr> = existing
        .iter()
        .filter_map(NetworkRecord::cidr)
        .chain(host_subnets())
        .collect();
    let subnet = match wanted {
        Some(s) => {
            let cidr = Cidr::parse(&s.subnet)?;
            if taken.iter().any(|t| t.overlaps(&cidr)) {
                return Err(NetworkError::Overlap(cidr));
            }
            s
        }
        None => {
            let cidr = (0..=255u32)
                .map(|i| Cidr::new(Ipv4Addr::from(u32::from(POOL_FIRST) + (i << 8)), 24))
                .find(|c| !taken.iter().any(|t| t.overlaps(c)))
                .ok_or(NetworkError::PoolExhausted)?;
            Subnet {
                subnet: cidr.to_string(),
                gateway: cidr.first_host(),
                lease_range: None,
            }
        }
    };
    let rec = NetworkRecord {
        name: name.clone(),
        id: crate::container::random_id(),
        driver: BRIDGE.to_string(),
        network_interface: free_interface(&existing),
        created,
        subnets: vec![subnet],
        ipv6_enabled: false,
        internal: o.internal,
        dns_enabled: !o.disable_dns,
        labels: o.labels.clone(),
        options: o.options.clone(),
        ipam_options: BTreeMap::from([("driver".to_string(), "host-local".to_string())]),
    };
    write(store, &rec, &lock)?;
    Ok(rec)
}

/// Podman's names for unnamed networks: `podman1`, `podman2`, ...
fn free_name(existing: &[NetworkRecord]) -> String {
    (1..)
        .map(|i| format!("podman{i}"))
        .find(|n| !existing.iter().any(|r| &r.name == n))
        .unwrap_or_default()
}

/// The bridge names, as Podman's: `podman1`, `podman2`, ... (each network
/// has its own namespace, so they only need to differ for the reader).
fn free_interface(existing: &[NetworkRecord]) -> String {
    (1..)
        .map(|i| format!("podman{i}"))
        .find(|n| !existing.iter().any(|r| &r.network_interface == n))
        .unwrap_or_default()
}

fn write(store: &Store, rec: &NetworkRecord, _lock: &StoreLock) -> Result<()> {
    let dir = networks_dir(store);
    std::fs::create_dir_all(&dir).map_err(|source| StoreError::Write {
        path: dir.clone(),
        source,
    })?;
    let data = serde_json::to_vec_pretty(rec).expect("a network record serializes");
    rsp_storage::write_atomic(&record_path(store, &rec.name)?, &data)?;
    Ok(())
}

/// Podman's default network, as Podman shows it: no DNS (as Podman's),
/// created "now".
pub fn default_network() -> NetworkRecord {
    NetworkRecord {
        name: DEFAULT_NAME.to_string(),
        id: DEFAULT_ID.to_string(),
        driver: BRIDGE.to_string(),
        network_interface: "podman0".to_string(),
        created: chrono_now(),
        subnets: vec![Subnet {
            subnet: DEFAULT_SUBNET.to_string(),
            gateway: DEFAULT_SUBNET.first_host(),
            lease_range: None,
        }],
        ipv6_enabled: false,
        internal: false,
        dns_enabled: false,
        labels: BTreeMap::new(),
        options: BTreeMap::new(),
        ipam_options: BTreeMap::from([("driver".to_string(), "host-local".to_string())]),
    }
}

fn chrono_now() -> String {
    crate::container::now_rfc3339()
}

/// The record of network `name` (exactly that name).
pub fn get(store: &Store, name: &str) -> Result<NetworkRecord> {
    if name == DEFAULT_NAME {
        return Ok(default_network());
    }
    let path = record_path(store, name)?;
    let data = std::fs::read(&path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            NetworkError::NotFound(name.to_string())
        } else {
            NetworkError::Read {
                name: name.to_string(),
                path: path.clone(),
                source,
            }
        }
    })?;
    let corrupt = |why: String| NetworkError::Corrupt {
        name: name.to_string(),
        path: path.clone(),
        why,
    };
    let rec: NetworkRecord = serde_json::from_slice(&data).map_err(|e| corrupt(e.to_string()))?;
    if rec.name != name {
        return Err(corrupt(format!("it names network {:?}", rec.name)));
    }
    // Read back as untrusted: the same rules as at creation.
    let sane = rec.subnets.len() == 1
        && rec.cidr().is_some_and(|c| {
            let s = &rec.subnets[0];
            c.prefix <= 30
                && c.contains(s.gateway)
                && s.gateway != c.addr
                && s.gateway != c.last()
                && s.lease_range.as_ref().is_none_or(|r| {
                    c.contains(r.start_ip) && c.contains(r.end_ip) && r.start_ip <= r.end_ip
                })
        });
    if !sane {
        return Err(corrupt(
            "its subnet, gateway or range is not valid".to_string(),
        ));
    }
    Ok(rec)
}

/// Every network, by name. Files that are not records (other names) are
/// skipped; a corrupt record is an error.
pub fn list(store: &Store) -> Result<Vec<NetworkRecord>> {
    let dir = networks_dir(store);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![default_network()]),
        Err(source) => return Err(StoreError::Read { path: dir, source }.into()),
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let file = e.file_name();
        let Some(name) = file.to_str().and_then(|f| f.strip_suffix(".json")) else {
            continue;
        };
        if !valid_name(name) || name == DEFAULT_NAME {
            continue;
        }
        match get(store, name) {
            Ok(r) => out.push(r),
            Err(NetworkError::NotFound(_)) => {}
            Err(e) => return Err(e),
        }
    }
    out.push(default_network());
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// A network by its name, its full ID, or a unique prefix of its ID.
pub fn find(store: &Store, name_or_id: &str) -> Result<NetworkRecord> {
    if valid_name(name_or_id) {
        match get(store, name_or_id) {
            Err(NetworkError::NotFound(_)) => {}
            r => return r,
        }
    }
    let all = list(store)?;
    let mut by_id = all
        .into_iter()
        .filter(|r| !name_or_id.is_empty() && r.id.starts_with(name_or_id));
    match (by_id.next(), by_id.next()) {
        (Some(r), None) => Ok(r),
        (Some(_), Some(_)) => Err(NetworkError::Ambiguous(name_or_id.to_string())),
        _ => Err(NetworkError::NotFound(name_or_id.to_string())),
    }
}

/// The containers (their IDs), running or not, that name each network,
/// by network name.
pub fn users(store: &Store) -> Result<BTreeMap<String, Vec<String>>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in crate::container::list(store)? {
        for n in &c.config.networks {
            out.entry(n.clone()).or_default().push(c.config.id.clone());
        }
    }
    Ok(out)
}

/// `network rm`: removes network `name` (name or ID) unless a container
/// names it. Returns the removed record.
pub fn remove(store: &Store, name_or_id: &str) -> Result<NetworkRecord> {
    let _lock = store.lock()?;
    let rec = find(store, name_or_id)?;
    if rec.name == DEFAULT_NAME {
        return Err(NetworkError::Default(rec.name));
    }
    if users(store)?.get(&rec.name).is_some_and(|u| !u.is_empty()) {
        return Err(NetworkError::InUse(rec.name));
    }
    let path = record_path(store, &rec.name)?;
    std::fs::remove_file(&path).map_err(|source| StoreError::Remove { path, source })?;
    Ok(rec)
}

/// `network prune`: removes the unused networks `select` picks; their
/// names.
pub fn prune(store: &Store, select: &dyn Fn(&NetworkRecord) -> bool) -> Result<Vec<String>> {
    let _lock = store.lock()?;
    let used = users(store)?;
    let mut out = Vec::new();
    for rec in list(store)? {
        if rec.name == DEFAULT_NAME
            || used.get(&rec.name).is_some_and(|u| !u.is_empty())
            || !select(&rec)
        {
            continue;
        }
        let path = record_path(store, &rec.name)?;
        std::fs::remove_file(&path).map_err(|source| StoreError::Remove { path, source })?;
        out.push(rec.name);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(subnet: &str, gw: &str, range: &str) -> CreateOptions {
        let v = |s: &str| {
            if s.is_empty() {
                Vec::new()
            } else {
                vec![s.to_string()]
            }
        };
        CreateOptions {
            subnets: v(subnet),
            gateways: v(gw),
            ip_ranges: v(range),
            ..CreateOptions::default()
        }
    }

    #[test]
    fn cidrs() {
        let c = Cidr::parse("10.89.3.7/24").unwrap();
        assert_eq!(c.to_string(), "10.89.3.0/24");
        assert_eq!(c.last(), Ipv4Addr::new(10, 89, 3, 255));
        assert!(c.contains(Ipv4Addr::new(10, 89, 3, 200)));
        assert!(!c.contains(Ipv4Addr::new(10, 89, 4, 1)));
        assert!(c.overlaps(&Cidr::parse("10.89.0.0/16").unwrap()));
        assert!(!c.overlaps(&Cidr::parse("10.89.4.0/24").unwrap()));
        assert_eq!(
            Cidr::parse("0.0.0.0/0").unwrap().last(),
            Ipv4Addr::BROADCAST
        );
        for bad in [
            "10.89.0.0",
            "10.89.0.0/33",
            "10.89.0/24",
            "x/24",
            "10.89.0.0/",
            "10.89.0.0/+8",
        ] {
            assert!(
                matches!(Cidr::parse(bad), Err(NetworkError::BadCidr(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            Cidr::parse("fd00::/64"),
            Err(NetworkError::Ipv6(_))
        ));
    }

    #[test]
    fn plans() {
        let s = plan(&opts("10.90.0.0/24", "", "")).unwrap().unwrap();
        assert_eq!(s.gateway, Ipv4Addr::new(10, 90, 0, 1));
        let s = plan(&opts("10.90.0.0/24", "10.90.0.254", "10.90.0.128/25"))
            .unwrap()
            .unwrap();
        assert_eq!(s.gateway, Ipv4Addr::new(10, 90, 0, 254));
        let r = s.lease_range.unwrap();
        assert_eq!(
            (r.start_ip, r.end_ip),
            (Ipv4Addr::new(10, 90, 0, 128), Ipv4Addr::new(10, 90, 0, 254))
        );
        assert!(matches!(
            plan(&opts("10.90.0.0/24", "10.91.0.1", "")),
            Err(NetworkError::GatewayOutside { .. })
        ));
        assert!(matches!(
            plan(&opts("10.90.0.0/24", "10.90.0.255", "")),
            Err(NetworkError::GatewayReserved(_))
        ));
        assert!(matches!(
            plan(&opts("10.90.0.0/24", "", "10.91.0.0/25")),
            Err(NetworkError::RangeOutside { .. })
        ));
        assert!(matches!(
            plan(&opts("", "10.90.0.1", "")),
            Err(NetworkError::NeedsSubnet)
        ));
        assert!(matches!(
            plan(&opts("10.90.0.0/31", "", "")),
            Err(NetworkError::TooSmall(_))
        ));
        let mut o = opts("", "", "");
        o.options.insert("mtu".into(), "9000".into());
        assert!(plan(&o).is_ok());
        o.options.insert("mtu".into(), "12".into());
        assert!(matches!(plan(&o), Err(NetworkError::Mtu(_))));
        o.options.clear();
        o.options.insert("vlan".into(), "3".into());
        assert!(matches!(plan(&o), Err(NetworkError::Option(_))));
        o.options.clear();
        o.driver = Some("macvlan".into());
        assert!(matches!(plan(&o), Err(NetworkError::Driver(_))));
    }

    #[test]
    fn names() {
        assert!(valid_name("net-1.a_b"));
        for bad in ["", ".", "..", "-a", "a/b", "a b", &"n".repeat(MAX_NAME + 1)] {
            assert!(!valid_name(bad), "{bad:?}");
        }
    }
}
