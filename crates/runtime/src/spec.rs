//! The container spec: what a caller asks of a new container (the CLI's
//! `run` and `create` fill it from flags; `build`'s RUN steps, pods and
//! `kube play` will fill it from their own inputs), and how the engine
//! turns it, with an image, into the [`ContainerConfig`] it records.
//!
//! Contract: [`ContainerSpec::build`] is the one place where a container's
//! defaults are decided (the image's entrypoint, command, environment,
//! user, working directory, stop signal, labels and exposed ports, then
//! the caller's values over them, as Docker and Podman apply them) and
//! where a spec is validated: every refusal is a [`SpecError`] variant,
//! and nothing is created, bound or written before validation passed
//! (host ports are chosen last). Non-fatal surprises come back as
//! [`SpecWarning`]s for the caller to show. The parsers here
//! ([`parse_network`], [`parse_restart`], [`crate::mounts`],
//! [`parse_log_opt`], [`parse_userns`], [`CgroupsMode::parse`]) read the
//! short string forms that Podman's flags and compose files share, so
//! every front end refuses the same things with the same words.

use super::container::{
    self, ContainerConfig, KeepIdUser, LogDriver, Mount, NetworkMode, OwnersMode, RestartPolicy,
    UsernsMode,
};
use super::process::{self, ProcessError};
use rsp_image::config::ImageConfig;
use rsp_net::{NetError, NetOptions, PortMapping};
use rsp_storage::driver::Driver;
use rsp_storage::{ImageRecord, Store, StoreError};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Why a spec cannot become a container. The texts name Podman's flags,
/// the vocabulary every front end shares.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error(transparent)]
    Process(#[from] ProcessError),
    #[error(transparent)]
    Net(#[from] NetError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("unknown network mode {0:?}: use slirp[:OPTIONS], none or host")]
    UnknownNetwork(String),
    #[error("invalid --network {0:?}: give each network's name once, separated by commas")]
    OneNetwork(String),
    #[error("{0}")]
    Network(String),
    #[error(
        "--network-alias and --ip need a user-defined network: create one with `rsp network create NAME` and give --network NAME"
    )]
    NetworkFlags,
    #[error("invalid --dns {0:?}: give an IPv4 or IPv6 address, or none alone")]
    BadDns(String),
    #[error("invalid --dns-search {0:?}: give a domain name (or . for none)")]
    BadDnsSearch(String),
    #[error("invalid --dns-option {0:?}: give a resolv.conf option such as ndots:2")]
    BadDnsOption(String),
    #[error("invalid --add-host {0:?}: use NAME:IP, with an IPv4 or IPv6 address or host-gateway")]
    BadAddHost(String),
    #[error("--no-hosts and --add-host cannot be set together: drop one of them")]
    NoHostsWithAddHost,
    #[error("invalid --mac-address {0:?}: give a unicast MAC such as 92:d0:c6:0a:29:33")]
    BadMac(String),
    #[error("{0} cannot be used with --network {1}: the container has no network of its own")]
    NetFlagWithoutNetns(&'static str, &'static str),
    #[error(
        "network mode {0:?} takes no options in rsp: use bridge (Podman's default network), \
         a network's name, slirp[:OPTIONS] (the default: a network namespace of its own with \
         outbound access), none or host"
    )]
    NoBridge(String),
    #[error(
        "network mode {0:?} takes no options in rsp: its default network is rsp's own \
         stack, use slirp[:OPTIONS] for options"
    )]
    NetworkOptions(String),
    #[error("ports cannot be published with --network none: use the default slirp network")]
    PortsWithoutNetwork,
    #[error("--restart {0:?}: the retry count must be a number, as in on-failure:3")]
    RestartCount(String),
    #[error("invalid --restart policy {0:?}: use no, on-failure[:MAX], always or unless-stopped")]
    BadRestart(String),
    #[error("the --rm option conflicts with --restart {0}: choose one")]
    RemoveWithRestart(String),
    #[error("invalid --stop-signal {0:?}: use a name such as SIGTERM or a number")]
    BadStopSignal(String),
    #[error(transparent)]
    Ulimit(#[from] crate::ulimit::UlimitError),
    #[error(transparent)]
    Caps(#[from] crate::caps::CapsError),
    #[error(transparent)]
    Limits(#[from] crate::limits::LimitsError),
    #[error(
        "{flag}: rsp cannot enforce it here: {why}. Limits need a cgroup v2 delegated to you with that controller: run rsp in one with `systemd-run --user --scope -p Delegate=yes rsp ...` (and `loginctl enable-linger` for containers that outlive your login)"
    )]
    LimitUnavailable { flag: &'static str, why: String },
    #[error("{0}: rsp cannot enforce limits with --cgroups=disabled: drop one or the other")]
    LimitWithoutCgroup(&'static str),
    #[error(transparent)]
    Seccomp(#[from] crate::seccomp::SeccompError),
    #[error(transparent)]
    Sysctl(#[from] crate::sysctl::SysctlError),
    #[error(
        "--device {0:?}: give HOST[:CONTAINER][:PERMISSIONS] with absolute paths, as in /dev/fuse or /dev/dri/card0:/dev/card0:rw"
    )]
    DeviceFormat(String),
    #[error("--device {path}: {why}")]
    Device { path: String, why: String },
    #[error(
        "--security-opt {0:?} is not supported by rsp yet: it takes no-new-privileges[=true|false], \
         seccomp=unconfined|PROFILE.json, mask=PATHS, unmask=PATHS|ALL and label=disable (rsp \
         applies no SELinux labels)"
    )]
    SecurityOpt(String),
    #[error(
        "--security-opt {0:?}: give absolute paths separated by colons, as in mask=/proc/cpuinfo:/sys/kernel (unmask also takes ALL)"
    )]
    MaskPath(String),
    #[error("the passthrough log driver cannot be used with --tty: use --log-driver k8s-file")]
    PassthroughWithTty,
    #[error("--log-opt {0:?}: give a size such as 10m or 512k")]
    LogSize(String),
    #[error("--log-opt {0:?}: give the number of log files to keep, as in max-file=3")]
    LogFileCount(String),
    #[error("--log-opt {0:?}: give an absolute path, as in path=/var/tmp/web.log")]
    LogPathNotAbsolute(String),
    #[error(
        "unknown --log-opt {0:?}: rsp supports max-size=SIZE, max-file=N, path=FILE and tag=TAG"
    )]
    UnknownLogOpt(String),
    #[error("--log-opt max-file needs max-size: files are rotated when the log reaches max-size")]
    MaxFileWithoutMaxSize,
    #[error(
        "--log-opt {key} applies to the log file, which the {driver} log driver does not write: \
         use --log-driver k8s-file"
    )]
    LogOptWithoutFile {
        key: &'static str,
        driver: LogDriver,
    },
    #[error("--log-opt path={}: its directory does not exist: create it first", .0.display())]
    LogPathDir(PathBuf),
    #[error(
        "--cgroups=split is not supported: rsp's monitor has no cgroup of its own to split \
         from the container's; use --cgroups=enabled (the container's own cgroup, made under \
         yours) or --cgroups=disabled"
    )]
    CgroupsSplit,
    #[error("invalid --cgroups mode {0:?}: use enabled, disabled or no-conmon")]
    BadCgroups(String),
    #[error(
        "--owners image is not available on this build of rsp: the ownership and id filter \
         traps x86_64 and aarch64 system calls only; use --owners user"
    )]
    OwnersUnsupported,
    #[error(
        "--userns=host is not supported: rsp never runs a container in your own user namespace; \
         each container gets a user namespace of its own, which maps your uid to the \
         container's user. Leave --userns unset (the container's root is you), or use \
         --userns=keep-id (your own uid inside)"
    )]
    UsernsHost,
    #[error(
        "--userns={0} is not supported: it needs a range of subordinate ids (/etc/subuid and \
         newuidmap), and rsp maps only your own uid. Leave --userns unset, or use \
         --userns=keep-id"
    )]
    UsernsSubids(String),
    #[error(
        "--userns={0} is not supported: rsp cannot join another user namespace; each container \
         gets one of its own. Leave --userns unset, or use --userns=keep-id"
    )]
    UsernsJoin(String),
    #[error(
        "invalid --userns {0:?}: keep-id takes uid=UID and gid=GID, as in \
         keep-id:uid=1000,gid=1000 (size is not supported: rsp maps one id)"
    )]
    KeepIdOptions(String),
    #[error(
        "unknown --userns mode {0:?}: rsp runs each container in a user namespace of its own; \
         leave --userns unset, or use keep-id[:uid=UID,gid=GID]"
    )]
    BadUserns(String),
    #[error(
        "--userns=keep-id: your uid {uid} has no entry in this system's user database, so there \
         is no name or home to give you in the container: add one, or use \
         --userns=keep-id:uid={uid},gid={gid}, which adds no entry"
    )]
    KeepIdNoEntry { uid: u32, gid: u32 },
    #[error("working directory {0:?} must be an absolute path")]
    RelativeWorkdir(String),
    #[error(transparent)]
    Mount(#[from] crate::mounts::MountError),
    #[error("--volumes-from {0}: {1}")]
    VolumesFrom(String, String),
    #[error("--mount type=image,src={0}: {1}")]
    ImageMount(String, String),
    #[error("invalid --image-volume {0:?}: use bind, tmpfs or ignore")]
    ImageVolumeMode(String),
}

/// `--image-volume`: what an image's `VOLUME` paths become.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ImageVolumeMode {
    /// An anonymous volume, filled from the image (Podman's default).
    #[default]
    Bind,
    /// A fresh tmpfs.
    Tmpfs,
    /// Nothing: the image's files stay in the container's own layer.
    Ignore,
}

impl ImageVolumeMode {
    pub fn parse(s: &str) -> Result<ImageVolumeMode, SpecError> {
        match s {
            "bind" | "anonymous" => Ok(ImageVolumeMode::Bind),
            "tmpfs" => Ok(ImageVolumeMode::Tmpfs),
            "ignore" => Ok(ImageVolumeMode::Ignore),
            _ => Err(SpecError::ImageVolumeMode(s.to_string())),
        }
    }
}

/// What the caller should hear about although the container is made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SpecWarning {
    #[error("published ports are discarded with the host network")]
    PortsDiscarded,
}

/// `--cgroups`: whether the container gets a cgroup of its own.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CgroupsMode {
    /// Its own cgroup (v2) under the caller's, where that one is
    /// delegated; the monitor stays in the caller's cgroup.
    #[default]
    Enabled,
    /// No cgroup of its own.
    Disabled,
    /// Podman's "no cgroup for conmon": what `Enabled` does in rsp, whose
    /// monitor never gets a cgroup of its own.
    NoConmon,
}

impl CgroupsMode {
    /// Podman's names; `split` (sub-cgroups for the monitor and the
    /// container) is refused: rsp's monitor has no cgroup to split off.
    pub fn parse(s: &str) -> Result<CgroupsMode, SpecError> {
        match s {
            "enabled" => Ok(CgroupsMode::Enabled),
            "disabled" => Ok(CgroupsMode::Disabled),
            "no-conmon" => Ok(CgroupsMode::NoConmon),
            "split" => Err(SpecError::CgroupsSplit),
            _ => Err(SpecError::BadCgroups(s.to_string())),
        }
    }
}

/// The log driver and its options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogSpec {
    pub driver: LogDriver,
    /// `max-size`: 0 or none, no limit.
    pub max_size: Option<u64>,
    /// `max-file`: how many files to keep when rotating at `max_size`.
    pub max_file: Option<u32>,
    /// `path`: where the log file goes (absolute).
    pub path: Option<PathBuf>,
    /// `tag`: shown by `inspect`.
    pub tag: Option<String>,
}

/// Parses a size such as `10m`, `1.5k`, `1024`, `2GB` (Podman's units).
pub fn parse_size(s: &str) -> Option<u64> {
    let t = s.trim().to_ascii_lowercase();
    let t = t.strip_suffix('b').unwrap_or(&t);
    let (num, mult) = match t.chars().last()? {
        'k' => (&t[..t.len() - 1], 1u64 << 10),
        'm' => (&t[..t.len() - 1], 1 << 20),
        'g' => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    let n: f64 = num.parse().ok()?;
    (n >= 0.0).then_some((n * mult as f64) as u64)
}

/// Applies one `KEY=VALUE` log option to `log`. A relative `path` is
/// taken from `cwd`.
pub fn parse_log_opt(log: &mut LogSpec, opt: &str, cwd: &Path) -> Result<(), SpecError> {
    match opt.split_once('=') {
        Some(("max-size", v)) => {
            log.max_size = Some(parse_size(v).ok_or_else(|| SpecError::LogSize(opt.to_string()))?);
        }
        Some(("max-file", v)) => {
            let n: u32 = v
                .trim()
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| SpecError::LogFileCount(opt.to_string()))?;
            log.max_file = Some(n);
        }
        Some(("path", v)) if !v.is_empty() => {
            let p = Path::new(v);
            log.path = Some(if p.is_absolute() {
                p.to_path_buf()
            } else if cwd.is_absolute() {
                cwd.join(p)
            } else {
                return Err(SpecError::LogPathNotAbsolute(opt.to_string()));
            });
        }
        Some(("tag", v)) => log.tag = Some(v.to_string()),
        _ => return Err(SpecError::UnknownLogOpt(opt.to_string())),
    }
    Ok(())
}

/// Parses a network mode: `slirp[:OPTIONS]` (also spelt `slirp4netns`;
/// `default`, `private` and `pasta` name the same default network
/// without options), `none` or `host`. Bridges are refused.
pub fn parse_network(spec: &str) -> Result<(NetworkMode, NetOptions), SpecError> {
    let (mode, opts) = match spec.split_once(':') {
        Some((m, o)) => (m, Some(o)),
        None => (spec, None),
    };
    match (mode, opts) {
        ("none", None) => Ok((NetworkMode::None, NetOptions::default())),
        ("host", None) => Ok((NetworkMode::Host, NetOptions::default())),
        ("slirp" | "slirp4netns", _) => {
            Ok((NetworkMode::Slirp, NetOptions::parse(opts.unwrap_or(""))?))
        }
        ("default" | "private" | "pasta", None) => Ok((NetworkMode::Slirp, NetOptions::default())),
        ("default" | "private" | "pasta", Some(_)) => {
            Err(SpecError::NetworkOptions(spec.to_string()))
        }
        ("bridge", _) => Err(SpecError::NoBridge(spec.to_string())),
        _ => Err(SpecError::UnknownNetwork(spec.to_string())),
    }
}

/// `--add-host NAME:IP` as (name, address); `host-gateway` is the address
/// that leads to the host: rsp's gateway, 10.0.2.2 (which reaches the
/// host's loopback only with `allow_host_loopback=true`).
pub fn parse_add_host(s: &str) -> Result<(String, String), SpecError> {
    let bad = || SpecError::BadAddHost(s.to_string());
    let (name, ip) = s
        .split_once(':')
        .or_else(|| s.split_once('='))
        .ok_or_else(bad)?;
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
    {
        return Err(bad());
    }
    let ip = ip.trim_start_matches('[').trim_end_matches(']');
    let ip = if ip == "host-gateway" {
        rsp_net::GATEWAY.to_string()
    } else {
        ip.parse::<std::net::IpAddr>()
            .map_err(|_| bad())?
            .to_string()
    };
    Ok((name.to_string(), ip))
}

/// Whether `mac` is a unicast MAC address `xx:xx:xx:xx:xx:xx`.
pub fn parse_mac(mac: &str) -> Option<[u8; 6]> {
    let mut out = [0u8; 6];
    let mut parts = mac.split(':');
    for b in out.iter_mut() {
        let p = parts.next()?;
        if p.len() != 2 {
            return None;
        }
        *b = u8::from_str_radix(p, 16).ok()?;
    }
    (parts.next().is_none() && out[0] & 1 == 0 && out != [0; 6]).then_some(out)
}

/// Parses a restart policy: no, on-failure[:N], always, unless-stopped;
/// returns it with its retry limit (0: none).
pub fn parse_restart(p: &str) -> Result<(RestartPolicy, u32), SpecError> {
    let (name, max) = match p.split_once(':') {
        Some((n, m)) => (n, Some(m)),
        None => (p, None),
    };
    match (RestartPolicy::from_name(name), max) {
        (Some(policy), None) => Ok((policy, 0)),
        (Some(RestartPolicy::OnFailure), Some(m)) => m
            .parse::<u32>()
            .map(|n| (RestartPolicy::OnFailure, n))
            .map_err(|_| SpecError::RestartCount(p.to_string())),
        _ => Err(SpecError::BadRestart(p.to_string())),
    }
}

/// Parses `--userns` as Podman spells it. `""` is the default (the
/// caller mapped to the container's user), `keep-id[:uid=N,gid=N]` the
/// caller's own ids; the rest needs what rsp does without (the caller's
/// own user namespace, subordinate ids, another namespace) and is refused,
/// each with why.
pub fn parse_userns(s: &str) -> Result<UsernsMode, SpecError> {
    if let Some(mode) = UsernsMode::from_record(s) {
        return Ok(mode);
    }
    let name = s.split_once(':').map_or(s, |(m, _)| m);
    Err(match name {
        "host" => SpecError::UsernsHost,
        "keep-id" => SpecError::KeepIdOptions(s.to_string()),
        "auto" | "nomap" => SpecError::UsernsSubids(s.to_string()),
        "ns" | "container" | "pod" => SpecError::UsernsJoin(s.to_string()),
        _ => SpecError::BadUserns(s.to_string()),
    })
}

/// The caller's own entry in the host's user database for
/// `--userns=keep-id`; none for root, as Podman (root needs no entry).
fn caller_entry() -> Result<Option<KeepIdUser>, SpecError> {
    let (uid, gid) = (nix::unistd::getuid(), nix::unistd::getgid());
    if uid.is_root() {
        return Ok(None);
    }
    let no_entry = || SpecError::KeepIdNoEntry {
        uid: uid.as_raw(),
        gid: gid.as_raw(),
    };
    let user = nix::unistd::User::from_uid(uid)
        .ok()
        .flatten()
        .ok_or_else(no_entry)?;
    // Fields that would break the line they go in are not given.
    let field = |s: &str| (!s.contains([':', '\n'])).then(|| s.to_string());
    let name = field(&user.name)
        .filter(|n| !n.is_empty())
        .ok_or_else(no_entry)?;
    let home = field(&user.dir.to_string_lossy())
        .filter(|h| h.starts_with('/'))
        .unwrap_or_else(|| "/".into());
    let gecos = user.gecos.to_string_lossy();
    let gecos = gecos
        .split(',')
        .next()
        .unwrap_or("")
        .replace([':', '\n'], "");
    let group = nix::unistd::Group::from_gid(gid)
        .ok()
        .flatten()
        .and_then(|g| field(&g.name))
        .unwrap_or_default();
    Ok(Some(KeepIdUser {
        name,
        uid: uid.as_raw(),
        gid: gid.as_raw(),
        gecos,
        home,
        group,
    }))
}

/// Whether this build of rsp can emulate owners and ids: its seccomp
/// filter knows the system call numbers of x86_64 and aarch64, and a
/// supervisor on any other architecture would trap nothing.
pub const OWNERS_EMULATION: bool = cfg!(any(target_arch = "x86_64", target_arch = "aarch64"));

/// The ownership mode a container gets: the one asked for, else `image`
/// wherever this build can emulate owners and ids (an image whose files
/// are all root's may still change ids at run time).
fn owners_mode(asked: Option<OwnersMode>, supported: bool) -> Result<OwnersMode, SpecError> {
    match asked {
        Some(OwnersMode::Image) if !supported => Err(SpecError::OwnersUnsupported),
        Some(mode) => Ok(mode),
        None if supported => Ok(OwnersMode::Image),
        None => Ok(OwnersMode::User),
    }
}

/// What a caller asks of a new container. `Default` asks for nothing
/// beyond the image's own defaults: give at least [`ContainerSpec::image`].
#[derive(Clone, Debug, Default)]
pub struct ContainerSpec {
    /// The image as the caller named it: the container's image name when
    /// the image record has none.
    pub image: String,
    /// None: a random `adjective_scientist` name.
    pub name: Option<String>,
    /// Arguments after the image: the command, or the entrypoint's
    /// arguments.
    pub command: Vec<String>,
    /// Replaces the image's entrypoint (empty: none).
    pub entrypoint: Option<Vec<String>>,
    /// `KEY=VALUE` pairs over the image's environment.
    pub env: Vec<String>,
    pub workdir: Option<String>,
    /// `USER[:GROUP]`, names or numbers, resolved in the image.
    pub user: Option<String>,
    /// `--userns` (see [`parse_userns`]).
    pub userns: UsernsMode,
    /// `--group-add`: GIDs or group names of the image's `/etc/group`.
    pub group_add: Vec<String>,
    pub hostname: Option<String>,
    /// `-v`, `--mount` and `--tmpfs`, parsed (see [`crate::mounts`]).
    pub mounts: Vec<Mount>,
    /// `--volumes-from CONTAINER[:ro|rw]`.
    pub volumes_from: Vec<String>,
    /// `--image-volume`: what the image's `VOLUME`s become.
    pub image_volume: ImageVolumeMode,
    /// Over the image's labels.
    pub labels: BTreeMap<String, String>,
    pub tty: bool,
    pub interactive: bool,
    /// Removed once it exits for good (`--rm`).
    pub remove: bool,
    pub init: bool,
    pub network: NetworkMode,
    pub net_options: NetOptions,
    /// The user-defined networks to join (with [`NetworkMode::Bridge`]).
    pub networks: Vec<String>,
    /// `--network-alias`.
    pub network_aliases: Vec<String>,
    /// `--ip`.
    pub static_ip: Option<std::net::Ipv4Addr>,
    /// `--network container:NAME`: NAME.
    pub network_container: Option<String>,
    /// Its pod (ID), its infra container (ID) and what it shares with it
    /// (`pod::member_spec` fills these).
    pub pod: Option<String>,
    pub infra: bool,
    pub pod_infra: Option<String>,
    pub pod_share: Vec<String>,
    /// `--dns`, `--dns-search`, `--dns-option`, `--add-host`, `--no-hosts`,
    /// `--mac-address`, as given (checked by [`ContainerSpec::validate`]).
    pub dns: Vec<String>,
    pub dns_search: Vec<String>,
    pub dns_options: Vec<String>,
    pub add_hosts: Vec<String>,
    pub no_hosts: bool,
    pub mac_address: Option<String>,
    /// Published ports; host port 0 picks a free one.
    pub ports: Vec<PortMapping>,
    /// Publish every exposed port (the image's and [`Self::expose`]).
    pub publish_all: bool,
    /// More exposed ports, `PORT[-END][/PROTO]`.
    pub expose: Vec<String>,
    pub restart: RestartPolicy,
    pub restart_max: u32,
    pub stop_signal: Option<String>,
    pub stop_timeout: Option<u32>,
    /// `--ulimit TYPE=SOFT[:HARD]`, as given.
    pub ulimits: Vec<String>,
    /// `--device HOST[:CONTAINER][:PERMS]`, as given.
    pub devices: Vec<String>,
    /// `--sysctl KEY=VALUE`, as given.
    pub sysctls: Vec<String>,
    /// `--security-opt`, as given.
    pub security_opts: Vec<String>,
    /// Resource limit flags, as given.
    pub limits: crate::limits::LimitFlags,
    /// `--cap-add` and `--cap-drop`, as given.
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    /// `--privileged`.
    pub privileged: bool,
    /// `--read-only` and `--read-only-tmpfs`.
    pub read_only: bool,
    pub read_only_tmpfs: bool,
    pub log: LogSpec,
    pub cgroups: CgroupsMode,
    /// None: `image` where this build can emulate owners and ids.
    pub owners: Option<OwnersMode>,
    pub storage_driver: Driver,
    /// The command line that made the container, for `inspect`.
    pub create_command: Vec<String>,
    /// A build step's container, owned by this build process.
    pub build: Option<crate::container::BuildOwner>,
}

/// A spec made into a container config.
#[derive(Debug)]
pub struct Built {
    pub config: ContainerConfig,
    pub warnings: Vec<SpecWarning>,
}

/// `--device`s, checked: a device node on the host that you can open
/// as asked (a container cannot be given more than you have).
fn devices(specs: &[String]) -> Result<Vec<crate::container::Device>, SpecError> {
    use std::os::unix::fs::FileTypeExt;
    let perms_ok = |p: &str| !p.is_empty() && p.chars().all(|c| matches!(c, 'r' | 'w' | 'm'));
    let mut out = Vec::new();
    for s in specs {
        let parts: Vec<&str> = s.split(':').collect();
        let (host, ctr, perms) = match parts.as_slice() {
            [h] => (*h, *h, "rwm"),
            [h, p] if perms_ok(p) => (*h, *h, *p),
            [h, c] => (*h, *c, "rwm"),
            [h, c, p] if perms_ok(p) => (*h, *c, *p),
            _ => return Err(SpecError::DeviceFormat(s.clone())),
        };
        if !host.starts_with('/') || !ctr.starts_with('/') {
            return Err(SpecError::DeviceFormat(s.clone()));
        }
        // Without a device cgroup (which needs root) the kernel cannot be
        // told to allow reads but not writes of a node: refuse rather than
        // pretend.
        if !(perms.contains('r') && perms.contains('w')) {
            return Err(SpecError::Device {
                path: host.to_string(),
                why: format!(
                    "permissions {perms:?} cannot be enforced without a device cgroup, which \
                     needs root: give rw (or leave them out)"
                ),
            });
        }
        let bad = |why: String| SpecError::Device {
            path: host.to_string(),
            why,
        };
        let meta = std::fs::metadata(host).map_err(|e| bad(e.to_string()))?;
        let ft = meta.file_type();
        if !ft.is_char_device() && !ft.is_block_device() {
            return Err(bad("not a device node: give one, such as /dev/fuse".into()));
        }
        let mut mode = nix::unistd::AccessFlags::empty();
        if perms.contains('r') {
            mode |= nix::unistd::AccessFlags::R_OK;
        }
        if perms.contains('w') {
            mode |= nix::unistd::AccessFlags::W_OK;
        }
        if !mode.is_empty() && nix::unistd::access(host, mode).is_err() {
            return Err(bad(format!(
                "you cannot open it for {}: a container gets no more than you have (check its mode and group)",
                if perms.contains('w') {
                    "writing"
                } else {
                    "reading"
                }
            )));
        }
        out.push(crate::container::Device {
            path_on_host: host.to_string(),
            path_in_container: ctr.to_string(),
            cgroup_permissions: perms.to_string(),
        });
    }
    Ok(out)
}

/// Refuses limits this machine cannot enforce for us, naming the flag,
/// why, and the fix (also for `update`).
pub fn check_limits(limits: &crate::limits::Limits, no_cgroup: bool) -> Result<(), SpecError> {
    let wanted = limits.controllers();
    let Some(&(_, first)) = wanted.first() else {
        return Ok(());
    };
    if no_cgroup {
        return Err(SpecError::LimitWithoutCgroup(first));
    }
    let placement = crate::cgroup::placement();
    for (controller, flag) in wanted {
        match &placement {
            Err(why) => {
                return Err(SpecError::LimitUnavailable {
                    flag,
                    why: why.clone(),
                });
            }
            Ok(p) if !p.has(controller) => {
                return Err(SpecError::LimitUnavailable {
                    flag,
                    why: p.why_not(controller),
                });
            }
            Ok(_) => {}
        }
    }
    Ok(())
}

/// `--security-opt`s, checked.
#[derive(Debug, Default)]
struct SecurityOpts {
    /// no-new-privileges (the last one given wins, as in Podman).
    no_new_privileges: bool,
    /// The paths of `mask=` and `unmask=` (colon-separated absolute
    /// paths; `unmask=ALL`).
    mask: Vec<String>,
    unmask: Vec<String>,
    /// `seccomp=unconfined|PROFILE`: "unconfined" or the path, and the
    /// profile's JSON (read and checked now).
    seccomp: String,
    seccomp_json: Option<String>,
}

/// `--security-opt`s (see [`SecurityOpts`]); anything else rsp cannot do
/// is refused.
fn security_opts(opts: &[String]) -> Result<SecurityOpts, SpecError> {
    let mut out = SecurityOpts::default();
    for o in opts {
        let (k, v) = match o.split_once(['=', ':']) {
            Some((k, v)) => (k, Some(v)),
            None => (o.as_str(), None),
        };
        match (k, v) {
            ("no-new-privileges", None | Some("true")) => out.no_new_privileges = true,
            ("no-new-privileges", Some("false")) => out.no_new_privileges = false,
            ("label", Some("disable")) => {}
            ("seccomp", Some("unconfined")) => {
                out.seccomp = "unconfined".into();
                out.seccomp_json = None;
            }
            ("seccomp", Some(path)) if !path.is_empty() => {
                let text = std::fs::read_to_string(path).map_err(|source| {
                    crate::seccomp::SeccompError::Read {
                        path: path.into(),
                        source,
                    }
                })?;
                // Checked now, compiled at each start.
                crate::seccomp::Profile::parse(path, &text)?;
                out.seccomp = path.to_string();
                out.seccomp_json = Some(text);
            }
            ("mask" | "unmask", Some(paths)) => {
                for p in paths.split(':') {
                    let all = k == "unmask" && p == "ALL";
                    if !all && (!p.starts_with('/') || p.split('/').any(|c| c == "..")) {
                        return Err(SpecError::MaskPath(o.clone()));
                    }
                    if k == "mask" {
                        out.mask.push(p.to_string());
                    } else {
                        out.unmask.push(p.to_string());
                    }
                }
            }
            _ => return Err(SpecError::SecurityOpt(o.clone())),
        }
    }
    Ok(out)
}

/// `80`, `80/tcp`, `8000-8001/udp` as Podman keys exposed ports: one
/// `PORT/PROTO` per port.
fn expose_keys(specs: &[String]) -> Result<Vec<String>, SpecError> {
    let mut out = Vec::new();
    for m in rsp_net::ports::exposed(specs)? {
        for i in 0..m.range.max(1) {
            let k = format!(
                "{}/{}",
                u32::from(m.container_port) + u32::from(i),
                m.protocol
            );
            if !out.contains(&k) {
                out.push(k);
            }
        }
    }
    Ok(out)
}

impl ContainerSpec {
    /// A spec for a container of `image` with the image's defaults.
    pub fn new(image: impl Into<String>) -> ContainerSpec {
        ContainerSpec {
            image: image.into(),
            ..ContainerSpec::default()
        }
    }

    /// Checks what can be checked without the image, so a caller can
    /// refuse a spec before fetching anything.
    fn validate_dns(&self) -> Result<(), SpecError> {
        let none = self.dns.iter().any(|d| d == "none");
        for d in &self.dns {
            let ok = if d == "none" {
                self.dns.len() == 1
            } else {
                d.parse::<std::net::IpAddr>().is_ok()
            };
            if !ok || (none && self.dns.len() > 1) {
                return Err(SpecError::BadDns(d.clone()));
            }
        }
        for s in &self.dns_search {
            if s.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(SpecError::BadDnsSearch(s.clone()));
            }
        }
        for o in &self.dns_options {
            if o.is_empty() || o.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(SpecError::BadDnsOption(o.clone()));
            }
        }
        for h in &self.add_hosts {
            parse_add_host(h)?;
        }
        let resolvers =
            !(self.dns.is_empty() && self.dns_search.is_empty() && self.dns_options.is_empty());
        if resolvers && !self.network.own_namespace() {
            return Err(SpecError::NetFlagWithoutNetns(
                "--dns",
                self.network.as_str(),
            ));
        }
        if self.no_hosts && !self.add_hosts.is_empty() {
            return Err(SpecError::NoHostsWithAddHost);
        }
        if let Some(m) = &self.mac_address {
            if parse_mac(m).is_none() {
                return Err(SpecError::BadMac(m.clone()));
            }
            if !self.network.uses_stack() {
                return Err(SpecError::NetFlagWithoutNetns(
                    "--mac-address",
                    self.network.as_str(),
                ));
            }
        }
        Ok(())
    }

    pub fn validate(&self) -> Result<(), SpecError> {
        if self.restart != RestartPolicy::No && self.remove {
            let policy = match (self.restart, self.restart_max) {
                (RestartPolicy::OnFailure, n) if n > 0 => format!("on-failure:{n}"),
                (p, _) => p.to_string(),
            };
            return Err(SpecError::RemoveWithRestart(policy));
        }
        if let Some(s) = &self.stop_signal
            && super::ops::parse_signal(s).is_none()
        {
            return Err(SpecError::BadStopSignal(s.clone()));
        }
        if self.log.driver == LogDriver::Passthrough && self.tty {
            return Err(SpecError::PassthroughWithTty);
        }
        crate::ulimit::parse_all(&self.ulimits)?;
        security_opts(&self.security_opts)?;
        self.validate_dns()?;
        check_limits(
            &self.limits.parse(&crate::limits::Limits::default())?,
            self.cgroups == CgroupsMode::Disabled,
        )?;
        crate::caps::normalize("--cap-add", &self.cap_add)?;
        crate::caps::normalize("--cap-drop", &self.cap_drop)?;
        crate::sysctl::check(&self.sysctls, self.network.own_namespace())?;
        devices(&self.devices)?;
        self.validate_log()?;
        if let Some(w) = &self.workdir
            && !w.starts_with('/')
        {
            return Err(SpecError::RelativeWorkdir(w.clone()));
        }
        crate::mounts::check_unique(&self.mounts)?;
        for v in &self.volumes_from {
            let (_, mode) = v.split_once(':').unwrap_or((v, ""));
            if !mode
                .split(',')
                .all(|o| matches!(o, "" | "ro" | "rw" | "z" | "Z"))
            {
                return Err(SpecError::VolumesFrom(
                    v.clone(),
                    "unknown option: use CONTAINER[:ro|rw]".into(),
                ));
            }
        }
        if self.owners == Some(OwnersMode::Image) {
            owners_mode(self.owners, OWNERS_EMULATION)?;
        }
        if self.group_add.iter().any(|g| g == "keep-groups") {
            return Err(ProcessError::KeepGroups.into());
        }
        expose_keys(&self.expose)?;
        Ok(())
    }

    /// The container's mounts: the caller's, then those of
    /// `--volumes-from` on paths not yet taken, then the image's
    /// `VOLUME`s on paths still free; anonymous volumes get their names,
    /// image mounts their image's ID and layers.
    fn resolve_mounts(&self, store: &Store, img: &ImageConfig) -> Result<Vec<Mount>, SpecError> {
        let mut mounts = self.mounts.clone();
        let taken = |mounts: &[Mount], d: &str| mounts.iter().any(|m| m.destination == d);
        for v in &self.volumes_from {
            let (name, mode) = v.split_once(':').unwrap_or((v, ""));
            let c = container::find(store, name)
                .map_err(|e| SpecError::VolumesFrom(v.clone(), e.to_string()))?;
            for m in &c.config.mounts {
                if !matches!(
                    m.kind(),
                    container::MountKind::Bind | container::MountKind::Volume
                ) || taken(&mounts, &m.destination)
                {
                    continue;
                }
                let mut m = m.clone();
                // Its anonymous volumes stay its own: removing this
                // container leaves them.
                m.options.anonymous = false;
                for o in mode.split(',') {
                    match o {
                        "ro" => m.readonly = true,
                        "rw" => m.readonly = false,
                        _ => {}
                    }
                }
                mounts.push(m);
            }
        }
        let image_volumes: Vec<String> = img
            .config
            .volumes
            .as_ref()
            .map(|v| v.keys().map(|k| crate::mounts::clean_path(k)).collect())
            .unwrap_or_default();
        for path in image_volumes {
            if !path.starts_with('/') || path == "/" || taken(&mounts, &path) {
                continue;
            }
            match self.image_volume {
                ImageVolumeMode::Ignore => {}
                ImageVolumeMode::Tmpfs => {
                    let mut m = Mount::tmpfs(path);
                    m.options.flags = vec!["nosuid".into(), "nodev".into()];
                    mounts.push(m);
                }
                ImageVolumeMode::Bind => {
                    let mut m = Mount {
                        kind: container::MountKind::Volume,
                        destination: path,
                        ..Mount::default()
                    };
                    m.options.anonymous = true;
                    mounts.push(m);
                }
            }
        }
        let mut db = None;
        for m in &mut mounts {
            match m.kind() {
                container::MountKind::Volume if m.source.is_empty() => {
                    m.source = container::random_id();
                    m.options.anonymous = true;
                }
                container::MountKind::Image => {
                    let db = match &mut db {
                        Some(db) => db,
                        None => db.insert(store.images()?),
                    };
                    let rec = rsp_image::lookup(db, &m.source)
                        .map_err(|e| SpecError::ImageMount(m.source.clone(), e.to_string()))?;
                    m.source = rec.id.clone();
                    m.options.layers = rec.layers.clone();
                }
                _ => {}
            }
        }
        crate::mounts::check_unique(&mounts)?;
        Ok(mounts)
    }

    fn validate_log(&self) -> Result<(), SpecError> {
        let log = &self.log;
        if log.driver != LogDriver::K8sFile {
            let key = if log.path.is_some() {
                Some("path")
            } else if log.max_size.is_some_and(|m| m > 0) {
                Some("max-size")
            } else if log.max_file.is_some() {
                Some("max-file")
            } else {
                None
            };
            if let Some(key) = key {
                return Err(SpecError::LogOptWithoutFile {
                    key,
                    driver: log.driver,
                });
            }
        }
        if log.max_file.is_some_and(|n| n > 1) && log.max_size.is_none_or(|m| m == 0) {
            return Err(SpecError::MaxFileWithoutMaxSize);
        }
        if let Some(p) = &log.path {
            let dir = p.parent().filter(|d| !d.as_os_str().is_empty());
            if !p.is_absolute() || !dir.is_some_and(Path::is_dir) {
                return Err(SpecError::LogPathDir(p.clone()));
            }
        }
        Ok(())
    }

    /// Makes the container config: the image's defaults, then the spec's
    /// values; validates, and picks free host ports last.
    pub fn build(&self, store: &Store, rec: &ImageRecord) -> Result<Built, SpecError> {
        self.validate()?;
        let img: ImageConfig = store
            .get_blob(&format!("sha256:{}", rec.id))
            .ok()
            .and_then(|b| ImageConfig::parse(&b).ok())
            .unwrap_or_default();
        let ic = &img.config;
        let image_ep = ic.entrypoint.clone().unwrap_or_default();
        let image_cmd = ic.cmd.clone().unwrap_or_default();
        let args = match &self.entrypoint {
            Some(ep) => {
                let mut v = ep.clone();
                v.extend(self.command.iter().cloned());
                if v.is_empty() {
                    return Err(ProcessError::NoCommand.into());
                }
                v
            }
            None => process::argv(&image_ep, &image_cmd, None, &self.command)?,
        };

        let mut warnings = Vec::new();
        let mut expose: Vec<String> = ic
            .exposed_ports
            .as_ref()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        expose.extend(self.expose.iter().cloned());
        let mut ports = self.ports.clone();
        if self.publish_all {
            for m in rsp_net::ports::exposed(&expose)? {
                let dup = ports
                    .iter()
                    .any(|p| p.container_port == m.container_port && p.protocol == m.protocol);
                if !dup {
                    ports.push(m);
                }
            }
        }
        // The image's odd keys (sctp, garbage) are not the caller's fault:
        // only the caller's own must parse.
        let mut keys: Vec<String> = Vec::new();
        for k in &expose[..expose.len() - self.expose.len()] {
            for k in expose_keys(std::slice::from_ref(k)).unwrap_or_default() {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
        for k in expose_keys(&self.expose)? {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        let expose = keys;
        if self.network == NetworkMode::Bridge {
            let mut seen = std::collections::HashSet::new();
            if self.networks.is_empty() || !self.networks.iter().all(|n| seen.insert(n)) {
                return Err(SpecError::OneNetwork(self.networks.join(",")));
            }
            for n in &self.networks {
                crate::networks::get(store, n).map_err(|e| SpecError::Network(e.to_string()))?;
            }
        } else if !self.network_aliases.is_empty() || self.static_ip.is_some() {
            return Err(SpecError::NetworkFlags);
        }
        let network_container = match (&self.network_container, self.network) {
            (Some(n), NetworkMode::Container) => {
                let c = container::find(store, n)
                    .map_err(|_| SpecError::Network(format!("no container {n:?} to share the network of: check the name with `rsp ps -a`")))?;
                Some(c.config.id)
            }
            _ => None,
        };
        match self.network {
            NetworkMode::Container if !ports.is_empty() => {
                return Err(SpecError::NetFlagWithoutNetns("-p", "container"));
            }
            NetworkMode::Host if !ports.is_empty() => {
                warnings.push(SpecWarning::PortsDiscarded);
                ports.clear();
            }
            NetworkMode::None if !ports.is_empty() => return Err(SpecError::PortsWithoutNetwork),
            _ => {}
        }

        let mut labels = ic.labels.clone().unwrap_or_default();
        labels.extend(self.labels.clone());
        let id = container::random_id();
        let hostname = match &self.hostname {
            Some(h) => h.clone(),
            None if self.network == NetworkMode::Host => nix::unistd::gethostname()
                .map(|h| h.to_string_lossy().into_owned())
                .unwrap_or_else(|_| id[..12].to_string()),
            None => id[..12].to_string(),
        };

        let layer_dirs: Vec<_> = rec
            .layers
            .iter()
            .filter_map(|d| store.layer_path(d).ok())
            .collect();
        let passwd = process::read_from_layers(&layer_dirs, "/etc/passwd");
        let group = process::read_from_layers(&layer_dirs, "/etc/group");
        let mut user_spec = self
            .user
            .clone()
            .or_else(|| ic.user.clone())
            .unwrap_or_default();
        // keep-id: the caller's ids (or those given), unless `--user` or
        // the image's User names someone else, as Podman; the caller's
        // passwd and group entries only with the caller's own ids.
        let keep_id = match self.userns {
            UsernsMode::Default => None,
            UsernsMode::KeepId { uid, gid } => {
                if user_spec.is_empty() {
                    user_spec = format!(
                        "{}:{}",
                        uid.unwrap_or(nix::unistd::getuid().as_raw()),
                        gid.unwrap_or(nix::unistd::getgid().as_raw())
                    );
                }
                if uid.is_none() && gid.is_none() {
                    caller_entry()?
                } else {
                    None
                }
            }
        };
        let mut user = process::resolve_user(&user_spec, passwd.as_deref(), group.as_deref())?;
        // The caller's entry the container will get gives its home.
        if let Some(k) = &keep_id
            && user.uid == k.uid
            && !process::passwd_has_entry(passwd.as_deref().unwrap_or(""), &k.name, k.uid)
        {
            user.home = k.home.clone();
        }
        let mut groups = user.groups.clone();
        for g in &self.group_add {
            groups.push(process::resolve_group(g, group.as_deref())?);
        }
        groups.retain(|g| *g != user.gid);
        groups.sort_unstable();
        groups.dedup();
        let workdir = match &self.workdir {
            Some(w) => w.clone(),
            None => ic
                .working_dir
                .clone()
                .filter(|w| !w.is_empty())
                .unwrap_or_else(|| "/".into()),
        };

        let image_env = ic.env.clone().unwrap_or_default();
        let mut base = Vec::new();
        if process::env_get(&image_env, "PATH").is_none() {
            base.push(format!("PATH={}", process::DEFAULT_PATH));
        }
        if self.tty {
            base.push("TERM=xterm".to_string());
        }
        base.push("container=oci".to_string());
        let mut env = process::merge_env(&[&base, &image_env, &self.env]);
        if process::env_get(&env, "HOME").is_none() {
            env.push(format!("HOME={}", user.home));
        }
        if process::env_get(&env, "HOSTNAME").is_none() {
            env.push(format!("HOSTNAME={hostname}"));
        }

        let owners = owners_mode(self.owners, OWNERS_EMULATION)?;
        let name = match &self.name {
            Some(n) => n.clone(),
            None => container::random_name(&hex::decode(&id[..4]).unwrap_or_default()),
        };
        // Last: it binds to find free ports, so nothing may fail after it.
        rsp_net::ports::assign_host_ports(&mut ports)?;
        let sec = security_opts(&self.security_opts)?;
        let config = ContainerConfig {
            id,
            name,
            image_id: rec.id.clone(),
            image_name: rec
                .names
                .first()
                .cloned()
                .unwrap_or_else(|| self.image.clone()),
            created: container::now_rfc3339(),
            args,
            env,
            workdir,
            user: user_spec,
            uid: user.uid,
            gid: user.gid,
            hostname,
            network: self.network,
            net_options: self.net_options.clone(),
            networks: self.networks.clone(),
            network_aliases: self.network_aliases.clone(),
            static_ip: self.static_ip,
            network_container,
            pod: self.pod.clone(),
            infra: self.infra,
            pod_infra: self.pod_infra.clone(),
            pod_share: self.pod_share.clone(),
            dns: self.dns.clone(),
            dns_search: self.dns_search.clone(),
            dns_options: self.dns_options.clone(),
            add_hosts: self
                .add_hosts
                .iter()
                .map(|h| parse_add_host(h).map(|(n, ip)| format!("{n}:{ip}")))
                .collect::<Result<_, _>>()?,
            no_hosts: self.no_hosts,
            mac_address: self.mac_address.as_deref().map(str::to_ascii_lowercase),
            ports,
            expose,
            tty: self.tty,
            interactive: self.interactive,
            remove: self.remove,
            mounts: self.resolve_mounts(store, &img)?,
            layers: rec.layers.clone(),
            labels,
            entrypoint: self.entrypoint.clone().unwrap_or(image_ep),
            cmd: if self.command.is_empty() {
                image_cmd
            } else {
                self.command.clone()
            },
            restart_policy: self.restart,
            restart_max: self.restart_max,
            init: self.init,
            // Kept as Podman shows it: the full name, SIGUSR1.
            stop_signal: self
                .stop_signal
                .clone()
                .or_else(|| ic.stop_signal.clone())
                .and_then(|s| super::ops::parse_signal(&s))
                .map(|s| s.as_str().to_string())
                .unwrap_or_else(|| "SIGTERM".into()),
            stop_timeout: self.stop_timeout.unwrap_or(10),
            ulimits: crate::ulimit::parse_all(&self.ulimits)?,
            read_only: self.read_only,
            read_only_tmpfs: self.read_only && self.read_only_tmpfs,
            no_new_privileges: sec.no_new_privileges,
            mask: sec.mask,
            unmask: sec.unmask,
            limits: self.limits.parse(&crate::limits::Limits::default())?,
            cap_add: crate::caps::normalize("--cap-add", &self.cap_add)?,
            cap_drop: crate::caps::normalize("--cap-drop", &self.cap_drop)?,
            privileged: self.privileged,
            seccomp_profile: sec.seccomp,
            seccomp_json: sec.seccomp_json,
            sysctls: crate::sysctl::check(&self.sysctls, self.network.own_namespace())?,
            devices: devices(&self.devices)?,
            log_driver: self.log.driver,
            log_max_size: self.log.max_size.filter(|m| *m > 0),
            log_max_file: self.log.max_file.unwrap_or(0),
            log_path: self
                .log
                .path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            log_tag: self.log.tag.clone().unwrap_or_default(),
            no_cgroup: self.cgroups == CgroupsMode::Disabled,
            storage_driver: self.storage_driver,
            owners,
            create_command: self.create_command.clone(),
            build: self.build,
            userns: self.userns,
            keep_id,
            group_add: self.group_add.clone(),
            groups,
        };
        Ok(Built { config, warnings })
    }
}

/// Records `cfg` as a new container (see [`super::create`]). Without a
/// name of the caller's (`name_given` false), a random name that is taken
/// is drawn again.
pub fn create(store: &Store, cfg: &mut ContainerConfig, name_given: bool) -> super::Result<()> {
    let mut tries = 0;
    loop {
        match super::create(store, cfg) {
            Ok(()) => return Ok(()),
            Err(super::RuntimeError::NameInUse(_)) if !name_given && tries < 20 => {
                tries += 1;
                let seed = container::random_id();
                cfg.name = format!(
                    "{}{}",
                    container::random_name(&hex::decode(&seed[..4]).unwrap_or_default()),
                    if tries > 10 {
                        format!("_{}", &seed[..4])
                    } else {
                        String::new()
                    }
                );
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_gate() {
        // A build that can emulate owners and ids: the default.
        assert_eq!(
            owners_mode(Some(OwnersMode::Image), true).unwrap(),
            OwnersMode::Image
        );
        assert_eq!(owners_mode(None, true).unwrap(), OwnersMode::Image);
        // One that cannot refuses `image` and never defaults to it.
        assert!(matches!(
            owners_mode(Some(OwnersMode::Image), false),
            Err(SpecError::OwnersUnsupported)
        ));
        assert_eq!(owners_mode(None, false).unwrap(), OwnersMode::User);
        assert_eq!(
            owners_mode(Some(OwnersMode::User), false).unwrap(),
            OwnersMode::User
        );
        let spec = ContainerSpec {
            owners: Some(OwnersMode::Image),
            ..ContainerSpec::new("x")
        };
        assert_eq!(spec.validate().is_ok(), OWNERS_EMULATION);
    }

    #[test]
    fn networks() {
        let mode = |s: &str| parse_network(s).map(|(m, _)| m);
        for name in ["slirp", "slirp4netns", "default", "private", "pasta"] {
            assert_eq!(mode(name).unwrap(), NetworkMode::Slirp, "{name}");
        }
        assert_eq!(mode("none").unwrap(), NetworkMode::None);
        assert_eq!(mode("host").unwrap(), NetworkMode::Host);
        let (_, o) = parse_network("slirp4netns:mtu=1400").unwrap();
        assert_eq!(o.mtu, 1400);
        assert!(matches!(mode("bridge"), Err(SpecError::NoBridge(_))));
        assert!(matches!(mode("bridge:x"), Err(SpecError::NoBridge(_))));
        assert!(matches!(
            mode("pasta:-T,80"),
            Err(SpecError::NetworkOptions(_))
        ));
        assert!(matches!(mode("host:x"), Err(SpecError::UnknownNetwork(_))));
        assert!(matches!(mode("bogus"), Err(SpecError::UnknownNetwork(_))));
        assert!(mode("slirp:bogus=1").is_err());
    }

    #[test]
    fn userns_modes() {
        assert_eq!(parse_userns("").unwrap(), UsernsMode::Default);
        assert_eq!(
            parse_userns("keep-id").unwrap(),
            UsernsMode::KeepId {
                uid: None,
                gid: None
            }
        );
        assert_eq!(
            parse_userns("keep-id:uid=200,gid=210").unwrap(),
            UsernsMode::KeepId {
                uid: Some(200),
                gid: Some(210)
            }
        );
        assert_eq!(
            parse_userns("keep-id:gid=5").unwrap(),
            UsernsMode::KeepId {
                uid: None,
                gid: Some(5)
            }
        );
        // What the record keeps (and inspect shows) reads back the same.
        for s in ["", "keep-id", "keep-id:uid=200,gid=210", "keep-id:gid=5"] {
            assert_eq!(parse_userns(s).unwrap().to_record(), s);
            let json = serde_json::to_string(&parse_userns(s).unwrap()).unwrap();
            assert_eq!(
                serde_json::from_str::<UsernsMode>(&json).unwrap(),
                parse_userns(s).unwrap()
            );
        }
        // A mode this rsp does not know reads as the default.
        assert_eq!(
            serde_json::from_str::<UsernsMode>("\"auto\"").unwrap(),
            UsernsMode::Default
        );
        assert!(matches!(parse_userns("host"), Err(SpecError::UsernsHost)));
        for s in ["auto", "auto:size=8192", "nomap"] {
            assert!(
                matches!(parse_userns(s), Err(SpecError::UsernsSubids(_))),
                "{s}"
            );
        }
        for s in ["ns:/proc/1/ns/user", "container:web", "pod"] {
            assert!(
                matches!(parse_userns(s), Err(SpecError::UsernsJoin(_))),
                "{s}"
            );
        }
        for s in [
            "keep-id:size=10",
            "keep-id:uid=x",
            "keep-id:uid=1,uid=2",
            "keep-id:uid",
        ] {
            assert!(
                matches!(parse_userns(s), Err(SpecError::KeepIdOptions(_))),
                "{s}"
            );
        }
        for s in ["private", "keepid", "host:x"] {
            let e = parse_userns(s).unwrap_err();
            assert!(
                matches!(e, SpecError::BadUserns(_) | SpecError::UsernsHost),
                "{s}: {e}"
            );
        }
        assert!(
            SpecError::UsernsHost
                .to_string()
                .starts_with("--userns=host is not supported: ")
        );
    }

    #[test]
    fn keep_groups_is_refused_before_the_image() {
        let spec = ContainerSpec {
            group_add: vec!["wheel".into(), "keep-groups".into()],
            ..ContainerSpec::new("x")
        };
        let e = spec.validate().unwrap_err();
        assert!(
            matches!(e, SpecError::Process(ProcessError::KeepGroups)),
            "{e}"
        );
    }

    #[test]
    fn restart_policies() {
        assert_eq!(parse_restart("no").unwrap(), (RestartPolicy::No, 0));
        assert_eq!(
            parse_restart("on-failure:3").unwrap(),
            (RestartPolicy::OnFailure, 3)
        );
        assert_eq!(
            parse_restart("unless-stopped").unwrap(),
            (RestartPolicy::UnlessStopped, 0)
        );
        assert!(matches!(
            parse_restart("on-failure:x"),
            Err(SpecError::RestartCount(_))
        ));
        assert!(matches!(
            parse_restart("always:3"),
            Err(SpecError::BadRestart(_))
        ));
        assert!(matches!(
            parse_restart("sometimes"),
            Err(SpecError::BadRestart(_))
        ));
        let spec = ContainerSpec {
            remove: true,
            restart: RestartPolicy::OnFailure,
            restart_max: 2,
            ..ContainerSpec::new("x")
        };
        assert_eq!(
            spec.validate().unwrap_err().to_string(),
            "the --rm option conflicts with --restart on-failure:2: choose one"
        );
    }

    #[test]
    fn cgroups_modes() {
        assert_eq!(CgroupsMode::parse("enabled").unwrap(), CgroupsMode::Enabled);
        assert_eq!(
            CgroupsMode::parse("no-conmon").unwrap(),
            CgroupsMode::NoConmon
        );
        assert!(matches!(
            CgroupsMode::parse("split"),
            Err(SpecError::CgroupsSplit)
        ));
    }

    #[test]
    fn log_options() {
        let cwd = Path::new("/work");
        let mut log = LogSpec::default();
        for o in [
            "max-size=4k",
            "max-file=3",
            "path=logs/x.log",
            "tag={{.Name}}",
        ] {
            parse_log_opt(&mut log, o, cwd).unwrap();
        }
        assert_eq!(log.max_size, Some(4096));
        assert_eq!(log.max_file, Some(3));
        assert_eq!(log.path.as_deref(), Some(Path::new("/work/logs/x.log")));
        assert_eq!(log.tag.as_deref(), Some("{{.Name}}"));
        for bad in [
            "max-size=lots",
            "max-file=0",
            "max-file=x",
            "mode=blocking",
            "path=",
        ] {
            assert!(
                parse_log_opt(&mut LogSpec::default(), bad, cwd).is_err(),
                "{bad}"
            );
        }
        // max-file rotates at max-size: alone it means nothing.
        let spec = |log: LogSpec| ContainerSpec {
            log,
            ..ContainerSpec::new("x")
        };
        let only_files = LogSpec {
            max_file: Some(3),
            ..LogSpec::default()
        };
        assert!(matches!(
            spec(only_files).validate(),
            Err(SpecError::MaxFileWithoutMaxSize)
        ));
        // Options of the log file need a driver that writes one.
        let none = LogSpec {
            driver: LogDriver::None,
            max_size: Some(10),
            ..LogSpec::default()
        };
        assert!(matches!(
            spec(none).validate(),
            Err(SpecError::LogOptWithoutFile {
                key: "max-size",
                ..
            })
        ));
        let tagged = LogSpec {
            driver: LogDriver::None,
            tag: Some("t".into()),
            ..LogSpec::default()
        };
        spec(tagged).validate().unwrap();
        let nowhere = LogSpec {
            path: Some("/no/such/dir/x.log".into()),
            ..LogSpec::default()
        };
        assert!(matches!(
            spec(nowhere).validate(),
            Err(SpecError::LogPathDir(_))
        ));
    }

    #[test]
    fn exposed_port_keys() {
        let keys = expose_keys(&[
            "80".into(),
            "53/udp".into(),
            "8000-8001/tcp".into(),
            "80/tcp".into(),
        ])
        .unwrap();
        assert_eq!(keys, ["80/tcp", "53/udp", "8000/tcp", "8001/tcp"]);
        assert!(expose_keys(&["x".into()]).is_err());
    }
}
