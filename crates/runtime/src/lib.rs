//! Running containers: creating the record, forking straight into new
//! user, mount, pid, uts, ipc, cgroup (and network) namespaces, mapping the
//! invoking user to the container user through `/proc`, building the root
//! filesystem, and executing the command as pid 1 of its namespace.
//!
//! Contract: the `rsp` that starts a foreground container stays in the host
//! namespaces as its parent: it forwards signals, relays the terminal for
//! `-t`, reaps the container and returns its exit status (128+N for a
//! signal). A container whose setup fails is never left half-started: the
//! child exits, and the error is returned with exit code 125 (126 when the
//! command cannot be run, 127 when it does not exist), as Podman does.
//!
//! Every process is started through [`rsp_sys::spawn`]: the caller
//! must be single-threaded (the child is made with a fork-like `clone`),
//! or the start is refused.
#![forbid(unsafe_code)]

pub mod events;
pub mod logs;

pub mod attach;
pub mod bridge;
pub mod caps;
pub mod cgroup;
pub mod commit;
pub mod container;
pub mod copy;
pub mod exec;
pub mod freeze;
pub mod ids;
mod init;
pub mod keepid;
pub mod limits;
pub mod monitor;
pub mod mounts;
mod network;
pub mod networks;
pub mod ops;
pub mod ownership;
pub mod pods;
pub mod process;
pub mod procs;
mod proto;
pub mod rootfs;
pub mod seccomp;
pub mod spec;
pub mod stats;
mod syscalls;
pub mod sysctl;
pub mod top;
mod tty;
pub mod ulimit;
pub mod userns;
pub mod volumes;

/// For the CLI: end by a signal's default action (after a prompt
/// restored the terminal).
pub use rsp_sys::die_by_signal;

use container::{ContainerConfig, NetworkMode, State};
use nix::fcntl::OFlag;
use nix::sys::signal::{SigSet, SigmaskHow, Signal, sigprocmask};
use nix::sys::wait::WaitStatus;
use rsp_base::paths::Paths;
use rsp_storage::driver::Driver;
use rsp_storage::{Store, StoreError};
use rsp_sys::spawn::{
    ChildCtx, Failure, IdMaps, Namespace, SetupError, Spawn, SpawnError, Started,
};
use std::ffi::CString;
use std::io::Read;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Volumes(#[from] volumes::VolumesError),
    #[error(transparent)]
    Lookup(#[from] container::LookupError),
    #[error(transparent)]
    Process(#[from] process::ProcessError),
    #[error(
        "the container name {0:?} is already in use: remove that container with `rsp rm {0}` or choose another --name"
    )]
    NameInUse(String),
    #[error(
        "invalid container name {0:?}: use letters, digits, '_', '.' and '-', starting with a letter or digit"
    )]
    BadName(String),
    #[error(
        "image {0} was removed while the container was being created: pull or build it again and retry"
    )]
    ImageGone(String),
    #[error(
        "container {0} was removed while it was starting (by `rmi -f` of its image, or `rm -f`): \
         run it again"
    )]
    RemovedWhileStarting(String),
    #[error(
        "the layers of image {0} were removed while the container was starting: pull the image \
         again, then start the container"
    )]
    LayersGone(String),
    #[error("{0}")]
    UserNs(String),
    #[error(transparent)]
    Seccomp(#[from] seccomp::SeccompError),
    #[error("the container's resource limits: {0}")]
    Limits(#[from] cgroup::CgroupError),
    #[error(transparent)]
    Spec(#[from] Box<spec::SpecError>),
    #[error("creating the container process: {0}")]
    Fork(std::io::Error),
    #[error(transparent)]
    Spawn(SpawnError),
    #[error(
        "making a write-protected image of rsp's executable for the container's processes: {0}"
    )]
    SealedExe(std::io::Error),
    #[error("writing {path} for the container's user namespace: {source}")]
    IdMap {
        path: String,
        source: std::io::Error,
    },
    #[error("{message}")]
    Child { code: i32, message: String },
    /// The monitor ended (or was killed) without saying how the start went.
    #[error("the container's monitor ended before starting the container")]
    MonitorEnded,
    #[error("waiting for the container: {0}")]
    Wait(nix::Error),
    #[error("writing runtime file {path}: {source}")]
    RuntimeFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("container {0} is running: stop it first or use `rsp rm -f`")]
    Running(String),
    #[error("relaying the terminal: {0}")]
    Tty(std::io::Error),
    #[error("signalling container {name}: {source}")]
    Signal { name: String, source: nix::Error },
    #[error("container {0} did not exit after SIGKILL: its processes may be stuck in the kernel")]
    StopTimeout(String),
    #[error("container {0} is not running: start it with `rsp start {0}`")]
    NotRunning(String),
    #[error("container {0} is already paused: resume it with `rsp unpause {0}`")]
    AlreadyPaused(String),
    #[error("container {0} is not paused")]
    NotPaused(String),
    #[error("pausing or resuming the container: {0}")]
    Pause(String),
    #[error("attaching to the container: {0}")]
    Attach(std::io::Error),
    #[error("{0}")]
    Exec(String),
    #[error("making the container's vfs copy: {0}")]
    Vfs(rsp_storage::vfs::VfsError),
    #[error(transparent)]
    Net(#[from] rsp_net::NetError),
    #[error(transparent)]
    Fuse(rsp_storage::fuse::FuseError),
    #[error(transparent)]
    Bridge(#[from] bridge::BridgeError),
    #[error(transparent)]
    Networks(#[from] networks::NetworkError),
}

impl RuntimeError {
    /// Podman's exit codes: 126/127 when the command cannot be run or is
    /// not found, 125 for everything else that is rsp's fault.
    pub fn exit_code(&self) -> i32 {
        match self {
            RuntimeError::Child { code, .. } => *code,
            _ => 125,
        }
    }
}

type Result<T, E = RuntimeError> = std::result::Result<T, E>;

/// Stores a new container's record. Takes the store lock so that two
/// `rsp run --name x` at once cannot both get the name.
pub fn create(store: &Store, cfg: &ContainerConfig) -> Result<()> {
    // vfs: the copy is made first, in a temp dir, and moved in with the
    // record, so a failed or killed copy leaves nothing behind.
    let vfs_copy = if cfg.storage_driver == Driver::Vfs {
        let tmp = store.temp_dir("vfs")?;
        let layers = cfg
            .layers
            .iter()
            .map(|d| store.layer_path(d))
            .collect::<Result<Vec<_>, _>>()?;
        if let Err(e) = rsp_storage::vfs::materialize(&layers, &tmp) {
            let _ = rsp_storage::remove_tree(&tmp);
            return Err(RuntimeError::Vfs(e));
        }
        Some(tmp)
    } else {
        None
    };
    let lock = store.lock()?;
    if !container::valid_name(&cfg.name) {
        return Err(RuntimeError::BadName(cfg.name.clone()));
    }
    if container::name_taken(store, &cfg.name, &lock)? {
        return Err(RuntimeError::NameInUse(cfg.name.clone()));
    }
    // The image was resolved before the lock was taken; an `rmi` or
    // `image prune` since then would leave this container without its
    // layers. Checked under the lock, the container.json written below
    // then keeps the image in use for every later removal.
    let image_present =
        cfg.image_id.is_empty() || store.images()?.images.iter().any(|i| i.id == cfg.image_id);
    if !image_present || !cfg.layers.iter().all(|d| store.has_layer(d)) {
        if let Some(tmp) = &vfs_copy {
            let _ = rsp_storage::remove_tree(tmp);
        }
        return Err(RuntimeError::ImageGone(cfg.image_name.clone()));
    }
    // Its volumes: made if new, filled from the image on first use.
    if let Err(e) = volumes::prepare(store, cfg, &lock) {
        if let Some(tmp) = &vfs_copy {
            let _ = rsp_storage::remove_tree(tmp);
        }
        return Err(e.into());
    }
    store.create_container_dir(&cfg.id)?;
    if let Some(tmp) = vfs_copy {
        let dest = store.container_dir(&cfg.id).join("rootfs");
        std::fs::rename(&tmp, &dest)
            .map_err(|source| RuntimeError::RuntimeFile { path: dest, source })?;
    }
    store.write_container_state(&cfg.id, &State::default())?;
    // container.json last: a container is listed only once it is complete, and
    // until then (all under the lock) container::remove_orphans leaves it be.
    store.write_container_file(&cfg.id, "container.json", cfg)?;
    event(store, cfg, "create", None);
    Ok(())
}

fn runtime_dir(paths: &Paths, id: &str) -> PathBuf {
    paths.runroot.join("containers").join(id)
}

/// Deletes a container's record and files, whatever its state; the
/// caller has made sure nothing runs in it. With `volumes`, its anonymous
/// volumes that no other container uses go too.
pub(crate) fn remove_files(store: &Store, paths: &Paths, id: &str, volumes: bool) -> Result<()> {
    let cfg: Option<ContainerConfig> = store.read_container_file(id, "container.json").ok();
    // Cgroups its monitor could not remove (killed, or still busy then).
    if let Ok(st) = store.read_container_file::<State>(id, "state.json") {
        for cg in st.cgroup_dirs() {
            let _ = std::fs::remove_dir(cg);
        }
    }
    let lock = store.lock()?;
    // Drop container.json first so a half-removed container is not listed.
    let existed = std::fs::remove_file(store.container_dir(id).join("container.json")).is_ok();
    store.remove_container_dir(id)?;
    let _ = rsp_storage::remove_tree(&runtime_dir(paths, id));
    // Layers it kept after its image was removed (see Store::remove_unused_layers) go with it.
    let db = store.images()?;
    if let Some(cfg) = &cfg
        && !cfg.image_id.is_empty()
        && !db.images.iter().any(|i| i.id == cfg.image_id)
    {
        store.remove_unused_layers(&db, &lock)?;
    }
    if volumes && let Some(cfg) = &cfg {
        volumes::remove_anonymous(store, cfg, &lock)?;
    }
    if existed && let Some(cfg) = cfg {
        event(store, &cfg, "remove", None);
    }
    Ok(())
}

/// Appends a container event to the events log; failures to log never fail
/// the command.
pub fn event(store: &Store, cfg: &ContainerConfig, status: &str, exit_code: Option<i32>) {
    let mut ev = crate::events::Event::new("container", status);
    ev.id = cfg.id.clone();
    ev.name = cfg.name.clone();
    ev.image = cfg.image_name.clone();
    ev.exit_code = exit_code;
    ev.attributes = cfg.labels.clone();
    let _ = crate::events::append(&store.events_path(), &ev);
}

/// Appends an image event.
pub fn image_event(store: &Store, status: &str, id: &str, name: &str) {
    let mut ev = crate::events::Event::new("image", status);
    ev.id = id.to_string();
    ev.name = name.to_string();
    let _ = crate::events::append(&store.events_path(), &ev);
}

fn write_file(path: &Path, data: &str) -> Result<()> {
    std::fs::write(path, data).map_err(|source| RuntimeError::RuntimeFile {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes `/etc/hosts`, `/etc/hostname` and `/etc/resolv.conf` for the
/// container into its runtime directory.
fn etc_files(
    paths: &Paths,
    cfg: &ContainerConfig,
    bridge_ip: Option<std::net::Ipv4Addr>,
) -> Result<Vec<(PathBuf, &'static str)>> {
    let dir = runtime_dir(paths, &cfg.id);
    // Sharing another container's network: its names and resolvers too.
    let shared = cfg
        .network_container
        .as_deref()
        .filter(|_| cfg.network == NetworkMode::Container)
        .map(|id| runtime_dir(paths, id));
    std::fs::create_dir_all(&dir).map_err(|source| RuntimeError::RuntimeFile {
        path: dir.clone(),
        source,
    })?;
    let host_net = cfg.network == NetworkMode::Host;
    let slirp = cfg.network.uses_stack();
    let mut hosts = String::new();
    if host_net {
        hosts.push_str(&std::fs::read_to_string("/etc/hosts").unwrap_or_default());
        if !hosts.is_empty() && !hosts.ends_with('\n') {
            hosts.push('\n');
        }
    } else {
        hosts.push_str(
            "127.0.0.1\tlocalhost localhost.localdomain\n::1\tlocalhost localhost.localdomain\n",
        );
    }
    if slirp {
        hosts.push_str(&format!(
            "{}\t{} {}\n",
            bridge_ip.unwrap_or(rsp_net::GUEST),
            cfg.hostname,
            cfg.name
        ));
        // Only where it leads somewhere: 10.0.2.2 refuses otherwise.
        if cfg.net_options.allow_host_loopback {
            hosts.push_str(&format!(
                "{}\thost.containers.internal host.docker.internal\n",
                rsp_net::GATEWAY
            ));
        }
    } else {
        hosts.push_str(&format!("127.0.1.1\t{} {}\n", cfg.hostname, cfg.name));
    }
    // --add-host lines first: the first match wins.
    let mut added = String::new();
    for h in &cfg.add_hosts {
        if let Some((name, ip)) = h.split_once(':') {
            added.push_str(&format!("{ip}\t{name}\n"));
        }
    }
    let hosts = match &shared {
        Some(d) => std::fs::read_to_string(d.join("hosts")).unwrap_or(hosts),
        None => added + &hosts,
    };
    let host_resolv = std::fs::read_to_string(rsp_net::dns::host_resolv_conf()).unwrap_or_default();
    let resolv = if bridge_ip.is_some() {
        // Members' names, bare or in Podman's domain, first on the one
        // search line (resolvers keep only the last such line).
        let mut out = String::new();
        let mut search = vec![bridge::DOMAIN.to_string()];
        for l in rsp_net::dns::container_resolv_conf(&host_resolv).lines() {
            let mut w = l.split_whitespace();
            match w.next() {
                Some("search" | "domain") => search.extend(w.map(str::to_string)),
                _ => {
                    out.push_str(l);
                    out.push('\n');
                }
            }
        }
        format!("search {}\n{out}", search.join(" "))
    } else if slirp {
        rsp_net::dns::container_resolv_conf(&host_resolv)
    } else {
        host_resolv
    };
    let resolv = match &shared {
        Some(d) => std::fs::read_to_string(d.join("resolv.conf")).unwrap_or(resolv),
        None => custom_resolv(cfg, &resolv),
    };
    let mut out = Vec::new();
    for (name, data) in [
        ("hosts", hosts),
        ("hostname", format!("{}\n", cfg.hostname)),
        ("resolv.conf", resolv),
    ] {
        // --no-hosts and --dns none: the image's own file.
        if (name == "hosts" && cfg.no_hosts)
            || (name == "resolv.conf" && cfg.dns.iter().any(|d| d == "none"))
        {
            continue;
        }
        let p = dir.join(name);
        write_file(&p, &data)?;
        out.push((p, name));
    }
    Ok(out)
}

/// `--network container:NAME`: moves the calling process (the monitor,
/// single-threaded here) into that container's network namespace, so the
/// new container, made without one of its own, is in it too. Entering it
/// takes privilege over the user namespace that owns it: for a member of
/// user-defined networks, the networks' shared one (which the target's
/// is inside); otherwise the target's own, inside which the new
/// container's user namespace is then made (so the target's root has
/// power over it, as containers sharing Podman's rootless user namespace
/// do). The monitor needs no network of its own: the container has no
/// stack and publishes no ports.
fn enter_shared_network(store: &Store, paths: &Paths, cfg: &ContainerConfig) -> Result<()> {
    // A pod member joins its infra's namespaces (the network's too when
    // its --network is container:INFRA).
    let id = cfg
        .network_container
        .as_deref()
        .filter(|_| cfg.network == NetworkMode::Container)
        .or(cfg.pod_infra.as_deref())
        .unwrap_or_default();
    let target = container::load(store, id).map_err(|_| {
        RuntimeError::Exec(format!(
            "the container whose network {} shares ({id}) is gone: recreate {} with another --network",
            cfg.name, cfg.name
        ))
    })?;
    if !target.state.is_active() {
        return Err(RuntimeError::Exec(format!(
            "container {} is not running: start it first, {} shares its network namespace",
            target.config.name, cfg.name
        )));
    }
    let pid = target.state.ns_pid();
    let open = |what: &str| {
        nix::fcntl::open(
            format!("/proc/{pid}/ns/{what}").as_str(),
            OFlag::O_RDONLY | OFlag::O_CLOEXEC,
            nix::sys::stat::Mode::empty(),
        )
        .map_err(|e| {
            RuntimeError::Exec(format!(
                "opening the {what} namespace of container {}: {e}",
                target.config.name
            ))
        })
    };
    let same = |a: &OwnedFd, ours: &str| {
        let st = |p: &str| nix::sys::stat::stat(p).ok().map(|s| s.st_ino);
        nix::sys::stat::fstat(a).ok().map(|s| s.st_ino) == st(ours)
    };
    if target.config.network == NetworkMode::Bridge && !target.config.networks.is_empty() {
        drop(bridge::enter_shared_userns(paths)?);
    } else {
        let user = open("user")?;
        if !same(&user, "/proc/self/ns/user") {
            rsp_sys::net::enter_userns(user.as_fd()).map_err(|e| {
                RuntimeError::Exec(format!(
                    "entering the user namespace of container {}: {e}",
                    target.config.name
                ))
            })?;
        }
    }
    let mut join = Vec::new();
    if cfg.network == NetworkMode::Container {
        join.push(("net", nix::sched::CloneFlags::CLONE_NEWNET));
    }
    for (kind, flag) in [
        ("uts", nix::sched::CloneFlags::CLONE_NEWUTS),
        ("ipc", nix::sched::CloneFlags::CLONE_NEWIPC),
    ] {
        if cfg.pod_share.iter().any(|s| s == kind) {
            join.push((kind, flag));
        }
    }
    for (kind, flag) in join {
        let ns = open(kind)?;
        nix::sched::setns(&ns, flag).map_err(|e| {
            RuntimeError::Exec(format!(
                "entering the {kind} namespace of container {}: {e}",
                target.config.name
            ))
        })?;
    }
    Ok(())
}

/// `resolv` with `--dns`, `--dns-search` and `--dns-option` in place of
/// its nameserver, search and options lines.
fn custom_resolv(cfg: &ContainerConfig, resolv: &str) -> String {
    if cfg.dns.is_empty() && cfg.dns_search.is_empty() && cfg.dns_options.is_empty() {
        return resolv.to_string();
    }
    // On a user-defined network the stack's server stays (it answers the
    // members' names) and forwards to the --dns servers instead; the
    // network's domain stays first among the search domains.
    let bridged = cfg.network == NetworkMode::Bridge && !cfg.networks.is_empty();
    let mut out = String::new();
    for l in resolv.lines() {
        let kind = l.split_whitespace().next().unwrap_or("");
        let replaced = match kind {
            "nameserver" => !cfg.dns.is_empty() && !bridged,
            "search" | "domain" => !cfg.dns_search.is_empty(),
            "options" => !cfg.dns_options.is_empty(),
            _ => false,
        };
        if !replaced {
            out.push_str(l);
            out.push('\n');
        }
    }
    // "." alone clears the search list, as in Podman.
    let mut search: Vec<&str> = cfg
        .dns_search
        .iter()
        .map(String::as_str)
        .filter(|s| *s != ".")
        .collect();
    if bridged && !cfg.dns_search.is_empty() {
        search.insert(0, bridge::DOMAIN);
    }
    if !search.is_empty() {
        out.push_str(&format!("search {}\n", search.join(" ")));
    }
    if !cfg.dns_options.is_empty() {
        out.push_str(&format!("options {}\n", cfg.dns_options.join(" ")));
    }
    if !bridged {
        for d in &cfg.dns {
            out.push_str(&format!("nameserver {d}\n"));
        }
    }
    out
}

/// Everything the child needs, prepared before the fork so the child does
/// no allocation-heavy work it could fail at halfway.
struct ChildPlan<'a> {
    cfg: &'a ContainerConfig,
    rootfs: rootfs::RootfsPlan<'a>,
    own_netns: bool,
    path_env: String,
    env: Vec<CString>,
    /// The ownership filter, made before the fork.
    filter: Vec<libc::sock_filter>,
    confinement: Confinement,
    /// On a user-defined network: the address, netmask and MTU its `eth0`
    /// gets (the spawner connects it before the child runs), and whether
    /// the network is internal (no route out).
    bridge_if: Vec<BridgeIf>,
    /// `--mac-address`, for its own interface.
    mac: Option<[u8; 6]>,
}

/// The container's interface on its user-defined network.
struct BridgeIf {
    ifname: String,
    ip: std::net::Ipv4Addr,
    netmask: std::net::Ipv4Addr,
    mtu: u32,
    internal: bool,
}

/// How the container's stdio is connected.
pub(crate) enum ChildIo {
    /// A pseudo-terminal made inside the container; its master side comes
    /// back to the parent over the socket.
    Tty(OwnedFd),
    /// Pipes held by the monitor: the child's ends.
    Pipes {
        stdin: Option<OwnedFd>,
        stdout: OwnedFd,
        stderr: OwnedFd,
    },
    /// The caller's own stdio, as is (`--log-driver passthrough`).
    Inherit,
}

/// The sockets a container's first process uses besides its stdio, each
/// present only when the container needs it.
struct ChildLinks {
    /// The tap device goes back on it (`--network slirp`).
    net: Option<OwnedFd>,
    /// The ownership filter's listener goes back on it.
    owners: Option<OwnedFd>,
    /// `--init`: the command sends one datagram on it before it executes,
    /// so that the parent learns its pid from the kernel's credentials.
    cmd: Option<OwnedFd>,
}

/// Why a container's process (or `exec`'s command) did not get to run
/// its command: Podman's exit code (125 for rsp's own errors, 126 when
/// the command cannot be run, 127 when it does not exist) and why. It
/// crosses the error pipe as the code's byte, then the message.
#[derive(Debug)]
pub(crate) struct ChildFailure {
    pub code: i32,
    pub message: String,
}

impl ChildFailure {
    pub(crate) fn new(code: i32, message: String) -> ChildFailure {
        ChildFailure { code, message }
    }
}

impl rsp_sys::spawn::ChildError for ChildFailure {
    fn exit_code(&self) -> i32 {
        self.code
    }
    fn encode(&self) -> Vec<u8> {
        let mut data = vec![self.code as u8];
        data.extend_from_slice(self.message.as_bytes());
        data
    }
    fn decode(bytes: &[u8]) -> Self {
        ChildFailure {
            code: bytes.first().map_or(125, |&c| c as i32),
            message: String::from_utf8_lossy(bytes.get(1..).unwrap_or_default()).into_owned(),
        }
    }
}

impl From<ChildFailure> for RuntimeError {
    fn from(f: ChildFailure) -> RuntimeError {
        RuntimeError::Child {
            code: f.code,
            message: f.message,
        }
    }
}

/// A container process's failure as its parent learns it: its own, or
/// that of a step the spawn made before it (`what` names the process).
fn child_failure(f: Failure<ChildFailure>, what: &str) -> RuntimeError {
    match f {
        Failure::Child(f) => f.into(),
        Failure::Setup(SetupError::NonDumpable(e)) => RuntimeError::Child {
            code: 125,
            message: format!("making {what} non-dumpable: {e}"),
        },
        Failure::Setup(SetupError::Join { source, .. }) => RuntimeError::Child {
            code: 125,
            message: format!("joining the container's namespaces: {source}"),
        },
        Failure::Setup(e @ SetupError::Panicked) => RuntimeError::Child {
            code: 125,
            message: format!("{what}: {e}"),
        },
    }
}

/// The container's first process, in its new namespaces: it is released
/// once its id maps are written, and made non-dumpable then (by the
/// spawn). Returns only its failure to get to the command.
fn child_main(
    ctx: &mut ChildCtx,
    plan: &ChildPlan<'_>,
    io: ChildIo,
    links: ChildLinks,
    old_mask: &SigSet,
) -> Result<(), ChildFailure> {
    let fail = ChildFailure::new;
    // Once the container is recorded as running, `rsp exec` may put
    // processes of the container's own in our pid namespace: rsp's
    // executable, memory and environment must be out of their reach (see
    // `sys::confine`) before. The parent has opened all it needs of our
    // /proc entries by now; they belong to root from here. We are
    // non-dumpable (the spawn did it): say so.
    ctx.tell_parent();
    // Then wait until it is recorded (and we are in its cgroup).
    if !ctx.hear_parent() {
        rsp_sys::exit_now(125);
    }
    ctx.stop_hearing();
    let title: &[u8] = if plan.cfg.init { b"rsp-init" } else { b"rsp" };
    if let Err(e) = rsp_sys::confine::conceal_args_and_env(title) {
        return Err(fail(
            125,
            format!("clearing the monitor's command line and environment: {e}"),
        ));
    }
    let ChildLinks { net, owners, cmd } = links;
    // The cgroup namespace is made only now, after the monitor may have
    // moved us into the container's own cgroup, so that it is our root.
    if let Err(e) = nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWCGROUP) {
        return Err(fail(
            125,
            format!("creating the container's cgroup namespace: {e}"),
        ));
    }
    let _ = nix::unistd::setsid();
    // A pod member sharing the pod's uts namespace has the pod's name.
    if !plan.cfg.pod_share.iter().any(|s| s == "uts")
        && let Err(e) = nix::unistd::sethostname(&plan.cfg.hostname)
    {
        return Err(fail(125, format!("setting the container's hostname: {e}")));
    }
    if plan.own_netns
        && let Err(e) = rsp_sys::loopback_up()
    {
        return Err(fail(
            125,
            format!("bringing up loopback in the container: {e}"),
        ));
    }
    // An address freed by one member may be another's a moment later:
    // announce ours when each interface comes up (gratuitous ARP), or the
    // other members' caches would keep sending to the old owner.
    if !plan.bridge_if.is_empty() {
        let _ = std::fs::write("/proc/sys/net/ipv4/conf/all/arp_notify", "1");
    }
    if let (Some(mac), Some(b)) = (plan.mac, plan.bridge_if.first())
        && let Err(e) = rsp_sys::net::if_set_hwaddr_here(&b.ifname, mac)
    {
        return Err(fail(
            125,
            format!("setting the container's MAC address: {e}"),
        ));
    }
    for b in &plan.bridge_if {
        if let Err(e) =
            rsp_sys::net::if_configure_here(&b.ifname, Some(b.mtu), Some((b.ip, b.netmask)))
        {
            return Err(fail(
                125,
                format!("configuring the container's interface on its network: {e}"),
            ));
        }
    }
    if let Some(sock) = net {
        // On a user-defined network, eth0 is the network's; rsp's stack
        // is the way out (none for an internal network: only its DNS).
        let tap = rsp_sys::net::tap_setup(&rsp_sys::net::TapConfig {
            name: if !plan.bridge_if.is_empty() {
                rsp_net::BRIDGED_IFNAME
            } else {
                rsp_net::IFNAME
            },
            mtu: plan.cfg.net_options.mtu,
            addr: rsp_net::GUEST,
            netmask: rsp_net::NETMASK,
            // No way out when every network is internal.
            gateway: (plan.bridge_if.is_empty() || plan.bridge_if.iter().any(|b| !b.internal))
                .then_some(rsp_net::GATEWAY),
            // On a user-defined network the MAC asked for is eth0's.
            hwaddr: plan.mac.filter(|_| plan.bridge_if.is_empty()),
        });
        match tap {
            Ok(tap) => {
                if let Err(e) = rsp_sys::send_fd(sock.as_fd(), tap.as_fd()) {
                    return Err(fail(
                        125,
                        format!("handing over the container's network device: {e}"),
                    ));
                }
            }
            Err(e) => {
                return Err(fail(
                    125,
                    format!(
                        "creating the container's network device with /dev/net/tun: {e}: rsp's slirp network needs /dev/net/tun readable and writable by you (mode 0666, as Debian ships it), or run with --network none or --network host"
                    ),
                ));
            }
        }
    }
    if let Err(e) = rootfs::setup(&plan.rootfs) {
        return Err(fail(125, e.to_string()));
    }
    if let Err(e) = child_stdio(io, plan.cfg.interactive) {
        return Err(fail(125, format!("setting up the container's stdio: {e}")));
    }

    let wd = if plan.cfg.workdir.is_empty() {
        "/"
    } else {
        &plan.cfg.workdir
    };
    if nix::unistd::chdir(wd).is_err() {
        let _ = std::fs::create_dir_all(wd);
        if let Err(e) = nix::unistd::chdir(wd) {
            return Err(fail(
                125,
                format!(
                    "changing to working directory {wd}: {e}: fix -w or the image's WorkingDir"
                ),
            ));
        }
    }
    if let Err(e) = ulimit::apply(&plan.cfg.ulimits) {
        return Err(fail(125, e.to_string()));
    }
    if plan.cfg.no_new_privileges
        && let Err(e) = nix::sys::prctl::set_no_new_privs()
    {
        return Err(fail(125, format!("setting no-new-privileges: {e}")));
    }
    // The ownership filter comes last, in the command's process (under
    // --init, pid 1 is rsp's reaper, which runs no code of the image;
    // everything else descends from the command and inherits it).
    let run = |_: &mut ChildCtx| {
        let (code, msg) = exec_command(
            &plan.cfg.args,
            &plan.path_env,
            &plan.env,
            old_mask,
            owners.as_ref().map(|s| (s, false, plan.filter.as_slice())),
            &plan.confinement,
        );
        Err(fail(code, msg))
    };
    // A pod's infra: rsp holds the namespaces; nothing of the image runs.
    if plan.cfg.infra {
        ctx.become_pause();
    }
    if !plan.cfg.init {
        return run(ctx);
    }
    // pid 1 stays rsp: it reaps orphans and passes signals on, and the
    // command runs as pid 2, reporting its failure where we would.
    let started = ctx
        .reporter()
        .try_clone()
        .map_err(SpawnError::Pipe)
        .and_then(|reporter| {
            Spawn::new().report_through(reporter).start(|ctx| {
                // The kernel adds our pid, as the parent's namespace sees
                // it, to what we send.
                if let Some(sock) = &cmd {
                    let _ = nix::unistd::write(sock, b"p");
                }
                run(ctx)
            })
        });
    match started {
        Ok(command) => {
            // The command has its copy: ours would keep the parent
            // waiting for a listener the command never sends.
            drop(owners);
            init::run(ctx, command.pid())
        }
        Err(e) => Err(fail(
            125,
            format!("starting the command under --init: {}", spawn_cause(&e)),
        )),
    }
}

/// The system's own error under a spawn error, as rsp's messages quote
/// it.
pub(crate) fn spawn_cause(e: &SpawnError) -> String {
    match e {
        SpawnError::Clone(e) | SpawnError::Pipe(e) => e.to_string(),
        other => other.to_string(),
    }
}

/// What a container's command is confined with, made before the fork
/// (a forked child of a threaded process must not allocate): its
/// capabilities and its seccomp program (empty: unconfined).
#[derive(Clone, Debug, Default)]
pub(crate) struct Confinement {
    pub bounding: u64,
    /// The command starts as a non-root user: root's automatic
    /// capabilities are locked out, and it keeps `ambient` only.
    pub non_root: bool,
    pub ambient: u64,
    pub filter: Vec<libc::sock_filter>,
}

impl Confinement {
    /// For a process of `cfg`'s container that starts as `uid`; the
    /// seccomp program comes from `cache` when it was compiled before.
    pub(crate) fn of(
        cfg: &ContainerConfig,
        uid: u32,
        cache: Option<&Path>,
    ) -> Result<Confinement, seccomp::SeccompError> {
        let sets = caps::resolve(&cfg.cap_add, &cfg.cap_drop, cfg.privileged);
        let filter = if cfg.privileged || cfg.seccomp_profile == "unconfined" {
            Vec::new()
        } else {
            let custom = cfg
                .seccomp_json
                .as_deref()
                .map(|j| (cfg.seccomp_profile.as_str(), j));
            seccomp::cached_program(custom, sets.bounding, cache)?
        };
        Ok(Confinement {
            bounding: sets.bounding,
            non_root: uid != 0,
            ambient: sets.non_root,
            filter,
        })
    }

    /// Cuts the calling process's capabilities, which executes its
    /// command next; the seccomp program goes on right before `execve`
    /// (`rsp_sys::seccomp::exec_confined`), while the process still has
    /// CAP_SYS_ADMIN (the capability sets change at `execve`), so it needs
    /// no no_new_privs.
    fn limit_capabilities(&self) -> Result<(), String> {
        rsp_sys::confine::limit_capabilities(self.bounding, self.non_root, self.ambient)
            .map_err(|e| format!("setting the container's capabilities: {e}"))
    }
}

/// Where compiled seccomp programs are kept (see
/// [`seccomp::cached_program`]).
pub fn seccomp_cache(paths: &Paths) -> PathBuf {
    paths.runroot.join("seccomp")
}

/// Finds and executes the container's command; returns only when it could
/// not, with Podman's code (126 not runnable, 127 not found) and why.
fn exec_command(
    args: &[String],
    path_env: &str,
    env: &[CString],
    old_mask: &SigSet,
    owners: Option<(&OwnedFd, bool, &[libc::sock_filter])>,
    confinement: &Confinement,
) -> (i32, String) {
    let cmd = &args[0];
    let exe = match process::find_executable(cmd, path_env) {
        Ok(p) => p,
        Err(nix::Error::EACCES) => {
            return (
                126,
                format!("{cmd}: permission denied: the file is not executable"),
            );
        }
        Err(_) => {
            return (
                127,
                format!(
                    "{cmd}: executable file not found in $PATH in the container: check the command and the image"
                ),
            );
        }
    };
    let Ok(exe_c) = CString::new(exe.clone()) else {
        return (127, format!("{cmd}: invalid command name"));
    };
    let argv: Vec<CString> = args
        .iter()
        .map(|a| CString::new(a.as_bytes()).unwrap_or_default())
        .collect();
    let _ = rsp_sys::cloexec_from(3);
    // Rust ignores SIGPIPE for itself; the container must get the default.
    rsp_sys::default_sigpipe();
    let _ = sigprocmask(SigmaskHow::SIG_SETMASK, Some(old_mask), None);
    if let Err(msg) = confinement.limit_capabilities() {
        return (125, msg);
    }
    let confine = confinement.filter.as_slice();
    // The ownership filter, as late as possible: from here on the stat
    // and chown families wait for the supervisor.
    let err = match owners {
        Some((sock, wait_ack, filter)) => {
            use ownership::OwnershipError;
            use rsp_sys::seccomp::{FilteredExecError, exec_filtered};
            match exec_filtered(confine, filter, sock.as_fd(), wait_ack, &exe_c, &argv, env) {
                FilteredExecError::Exec(e) => e,
                // Without the filter, the command runs with the plain view;
                // the parent hears why instead of a listener (see
                // `Spawned::owners_refused`).
                FilteredExecError::Install(e) if !wait_ack => {
                    let _ = nix::unistd::write(sock, format!("E{e}").as_bytes());
                    nix::unistd::execve(&exe_c, &argv, env).unwrap_err()
                }
                FilteredExecError::Install(e) => {
                    return (125, OwnershipError::Install(e).to_string());
                }
                FilteredExecError::HandOver(e) => {
                    return (125, OwnershipError::HandOver(e).to_string());
                }
                FilteredExecError::NoAck => return (125, OwnershipError::NoAck.to_string()),
                FilteredExecError::Confine(e) => return (125, confine_failed(e)),
            }
        }
        None => match rsp_sys::seccomp::exec_confined(confine, &exe_c, &argv, env) {
            rsp_sys::seccomp::FilteredExecError::Exec(e) => e,
            rsp_sys::seccomp::FilteredExecError::Confine(e) => return (125, confine_failed(e)),
            _ => nix::Error::EINVAL,
        },
    };
    match err {
        nix::Error::ENOENT => (
            127,
            format!(
                "{exe}: no such file or directory in the container (for a script, check its #! interpreter)"
            ),
        ),
        nix::Error::EACCES | nix::Error::EPERM => (126, format!("{exe}: permission denied")),
        e => (126, format!("{exe}: cannot execute: {e}")),
    }
}

fn confine_failed(e: std::io::Error) -> String {
    format!("installing the container's seccomp filter: {e}")
}

/// Connects the child's stdin, stdout and stderr as `io` says.
fn child_stdio(io: ChildIo, interactive: bool) -> std::io::Result<()> {
    match io {
        ChildIo::Tty(sock) => child_tty(&sock)?,
        ChildIo::Pipes {
            stdin,
            stdout,
            stderr,
        } => {
            match stdin {
                Some(fd) => nix::unistd::dup2_stdin(&fd)?,
                None => dev_null_stdin()?,
            }
            nix::unistd::dup2_stdout(&stdout)?;
            nix::unistd::dup2_stderr(&stderr)?;
        }
        ChildIo::Inherit => {
            if !interactive {
                dev_null_stdin()?;
            }
        }
    }
    Ok(())
}

fn dev_null_stdin() -> std::io::Result<()> {
    let fd = nix::fcntl::open("/dev/null", OFlag::O_RDONLY, nix::sys::stat::Mode::empty())?;
    nix::unistd::dup2_stdin(&fd)?;
    Ok(())
}

/// Opens a terminal in the container's own devpts, sends its master side to
/// the parent, waits for it to set the size, and makes it our terminal.
pub(crate) fn child_tty(sock: &OwnedFd) -> std::io::Result<()> {
    use nix::pty::{grantpt, posix_openpt, ptsname_r, unlockpt};
    let master = posix_openpt(OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_CLOEXEC)?;
    grantpt(&master)?;
    unlockpt(&master)?;
    let name = ptsname_r(&master)?;
    let slave = nix::fcntl::open(
        name.as_str(),
        OFlag::O_RDWR | OFlag::O_NOCTTY,
        nix::sys::stat::Mode::empty(),
    )?;
    rsp_sys::send_fd(sock.as_fd(), master.as_fd())?;
    let mut b = [0u8; 1];
    std::fs::File::from(sock.try_clone()?).read_exact(&mut b)?;
    drop(master);
    rsp_sys::set_controlling_tty(slave.as_fd())?;
    nix::unistd::dup2_stdin(&slave)?;
    nix::unistd::dup2_stdout(&slave)?;
    nix::unistd::dup2_stderr(&slave)?;
    Ok(())
}

pub(crate) fn exit_code(st: WaitStatus) -> i32 {
    match st {
        WaitStatus::Exited(_, c) => c,
        WaitStatus::Signaled(_, s, _) => 128 + s as i32,
        _ => 125,
    }
}

/// The signals rsp passes on to a container's process (or, in a monitor,
/// ignores) instead of acting on; with `SIGCHLD` too when `child` is set,
/// for waiting on a signalfd.
pub(crate) fn relayed_signals(child: bool) -> SigSet {
    let mut set = SigSet::empty();
    for s in [
        Signal::SIGHUP,
        Signal::SIGINT,
        Signal::SIGQUIT,
        Signal::SIGTERM,
        Signal::SIGUSR1,
        Signal::SIGUSR2,
        Signal::SIGALRM,
        Signal::SIGWINCH,
    ] {
        set.add(s);
    }
    if child {
        set.add(Signal::SIGCHLD);
    }
    set
}

/// What to mount for `cfg`'s root filesystem.
fn rootfs_plan<'a>(
    store: &Store,
    layers_dir: &'a Path,
    cfg: &ContainerConfig,
    etc_files: Vec<(PathBuf, &'static str)>,
) -> Result<rootfs::RootfsPlan<'a>> {
    let id = &cfg.id;
    let empty_dir = store.container_dir(id).join("empty");
    if cfg.layers.is_empty() {
        let _ = std::fs::create_dir_all(&empty_dir);
    }
    let mut layer_names = cfg
        .layers
        .iter()
        .map(|d| rsp_storage::digest_hex(d).map(str::to_string))
        .collect::<Result<Vec<_>, _>>()?;
    // An image may list one layer twice; overlayfs refuses a repeated lower
    // dir (ELOOP). Only the highest copy matters: it re-applies everything
    // the lower one had, over whatever came between.
    let mut seen = std::collections::HashSet::new();
    layer_names.reverse();
    layer_names.retain(|l| seen.insert(l.clone()));
    layer_names.reverse();
    let cdir = store.container_dir(id);
    let driver = cfg.storage_driver;
    Ok(rootfs::RootfsPlan {
        layers_dir,
        layers: layer_names,
        upper: cdir.join("upper"),
        work: cdir.join("work"),
        merged: cdir.join("merged"),
        etc_files,
        own_ipc: !cfg.pod_share.iter().any(|s| s == "ipc"),
        volumes: plan_mounts(store, cfg)?,
        own_netns: cfg.network.own_namespace(),
        empty_dir,
        vfs_root: (driver == Driver::Vfs).then(|| cdir.join("rootfs")),
        fuse: None,
        owner: (cfg.uid, cfg.gid),
        keep_id: cfg.keep_id.clone(),
        read_only: cfg.read_only,
        read_only_tmpfs: cfg.read_only_tmpfs,
        sysctls: {
            let mut s = cfg.sysctls.clone();
            // Podman's default (containers.conf default_sysctls, "0 0"):
            // ICMP echo sockets for the container's group, so ping works
            // without CAP_NET_RAW, which is not in the default set. The
            // one group the user namespace maps is the only one the
            // kernel takes, and every process's real group.
            if cfg.network.own_namespace() {
                s.entry("net.ipv4.ping_group_range".into())
                    .or_insert_with(|| format!("{0} {0}", cfg.gid));
            }
            s
        },
        devices: cfg.devices.clone(),
        mask: cfg.mask.clone(),
        // --privileged: nothing of the kernel's is hidden or read-only.
        unmask: if cfg.privileged {
            vec!["ALL".into()]
        } else {
            cfg.unmask.clone()
        },
    })
}

/// The container's mounts as the child mounts them: volumes by their
/// directories (or, for `-o type=tmpfs`/`type=none` volumes, what their
/// options say), image mounts by their layers. Applies `:U` (records the
/// container's user as owner) and empties each `:O` overlay's upper
/// directory, so every start begins from the host directory as it is.
fn plan_mounts(store: &Store, cfg: &ContainerConfig) -> Result<Vec<rootfs::Planned>> {
    use container::MountKind;
    use nix::mount::MsFlags;
    let cdir = store.container_dir(&cfg.id);
    let mut out = Vec::new();
    for (i, m) in cfg.mounts.iter().enumerate() {
        let flags = rootfs::option_flags(&m.options.flags);
        let ro = if m.readonly {
            MsFlags::MS_RDONLY
        } else {
            MsFlags::empty()
        };
        let mut source = PathBuf::from(&m.source);
        let mut recursive = !m.options.nonrecursive;
        match m.kind() {
            MountKind::Tmpfs => {
                let mut data = m.options.data.clone();
                if !data.iter().any(|d| d.starts_with("mode=")) {
                    data.push("mode=1777".into());
                }
                out.push(rootfs::Planned::Tmpfs {
                    dest: m.destination.clone(),
                    flags: flags | ro,
                    data: data.join(","),
                    copy_up: !m.options.nocopy,
                });
                continue;
            }
            MountKind::Devpts => {
                out.push(rootfs::Planned::Devpts {
                    dest: m.destination.clone(),
                    data: m.options.data.join(","),
                });
                continue;
            }
            MountKind::Image => {
                let lowers = m
                    .options
                    .layers
                    .iter()
                    .map(|d| store.layer_path(d))
                    .collect::<Result<Vec<_>, _>>()?;
                // Always over a fresh upper directory: overlayfs wants two
                // lower directories without one, and an image may have one
                // layer. Read-only mounts are read-only at the mount.
                let d = cdir.join("mounts").join(i.to_string());
                out.push(rootfs::Planned::Image {
                    lowers,
                    upper: fresh_overlay_dirs(&d)?,
                    readonly: m.readonly,
                    dest: m.destination.clone(),
                });
                continue;
            }
            MountKind::Volume => {
                let rec = store
                    .volume(&m.source)
                    .map_err(volumes::VolumesError::from)?;
                match rec.options.get("type").map(String::as_str) {
                    Some("tmpfs") => {
                        out.push(rootfs::Planned::Tmpfs {
                            dest: m.destination.clone(),
                            flags: MsFlags::MS_NOSUID | MsFlags::MS_NODEV | flags | ro,
                            data: rec.options.get("o").cloned().unwrap_or_default(),
                            copy_up: false,
                        });
                        continue;
                    }
                    Some(_) => {
                        let o = rec.options.get("o").map(String::as_str).unwrap_or("");
                        source =
                            PathBuf::from(rec.options.get("device").cloned().unwrap_or_default());
                        recursive = o.split(',').any(|x| x == "rbind");
                    }
                    None => {
                        source = store
                            .volume_data(&m.source)
                            .map_err(volumes::VolumesError::from)?
                    }
                }
            }
            MountKind::Bind => {}
        }
        if m.options.chown {
            rsp_storage::volume::record_owner(&source, cfg.uid, cfg.gid)
                .map_err(volumes::VolumesError::from)?;
        }
        if m.options.overlay {
            let d = cdir.join("mounts").join(i.to_string());
            let (upper, work) = fresh_overlay_dirs(&d)?;
            out.push(rootfs::Planned::Overlay {
                lower: source,
                upper,
                work,
                dest: m.destination.clone(),
            });
            continue;
        }
        out.push(rootfs::Planned::Bind {
            source,
            dest: m.destination.clone(),
            readonly: m.readonly,
            recursive,
            flags: flags
                | if m.kind() == MountKind::Volume {
                    MsFlags::MS_NOSUID | MsFlags::MS_NODEV
                } else {
                    MsFlags::empty()
                },
            propagation: rootfs::propagation_flags(m.options.propagation.as_deref()),
        });
    }
    Ok(out)
}

/// Empty `upper` and `work` directories under `dir` for an overlay whose
/// changes are thrown away: whatever an earlier start left goes first.
fn fresh_overlay_dirs(dir: &Path) -> Result<(PathBuf, PathBuf)> {
    rsp_storage::remove_tree(dir)?;
    let (upper, work) = (dir.join("upper"), dir.join("work"));
    for d in [&upper, &work] {
        std::fs::create_dir_all(d).map_err(|source| RuntimeError::RuntimeFile {
            path: d.clone(),
            source,
        })?;
    }
    Ok((upper, work))
}

/// For the fuse-overlay driver: a socket pair, one end in `plan` for the
/// child that mounts, the other for [`serve_fuse`].
pub(crate) fn fuse_link(
    cfg: &ContainerConfig,
    plan: &mut rootfs::RootfsPlan<'_>,
) -> Result<Option<OwnedFd>> {
    if cfg.storage_driver != Driver::FuseOverlay {
        return Ok(None);
    }
    let (a, b) = std::os::unix::net::UnixStream::pair().map_err(RuntimeError::Fork)?;
    plan.fuse = Some(OwnedFd::from(b));
    Ok(Some(OwnedFd::from(a)))
}

/// Receives the FUSE device the child mounted and serves the container's
/// root filesystem on it. `None` when the child failed before mounting
/// (its error pipe says why).
pub(crate) fn serve_fuse(
    sock: &OwnedFd,
    plan: &rootfs::RootfsPlan<'_>,
) -> Result<Option<rsp_storage::fuse::Server>> {
    let Some(dev) = rsp_sys::recv_fd(sock.as_fd()).ok().flatten() else {
        return Ok(None);
    };
    let layers = plan
        .layers
        .iter()
        .map(|l| plan.layers_dir.join(l))
        .collect();
    rsp_storage::fuse::serve(
        dev,
        layers,
        plan.upper.clone(),
        plan.work.clone(),
        plan.owner,
    )
    .map(Some)
    .map_err(RuntimeError::Fuse)
}

/// A container process just started, still held: `release` lets it run.
pub(crate) struct Spawned {
    pub pid: i32,
    /// The process whose namespaces and root `exec`, `cp` and `top`
    /// enter: `pid`, or under `--init` the command (see [`State::ns_pid`]).
    pub ns_pid: i32,
    /// The pty master for `-t`.
    pub master: Option<OwnedFd>,
    /// The container's tap device, for `--network slirp`.
    pub tap: Option<OwnedFd>,
    /// Its user and network namespaces, opened while it surely lived, for
    /// the socket factory of published ports.
    pub netns: Option<(OwnedFd, OwnedFd)>,
    /// The FUSE server of its root filesystem, for fuse-overlay; it ends
    /// when the container's mount namespace does.
    pub fuse: Option<rsp_storage::fuse::Server>,
    /// Its place on its user-defined network, held while it runs.
    pub bridge: Vec<bridge::Joined>,
    /// Its network namespace, on user-defined networks.
    pub ctr_netns: Option<OwnedFd>,
    /// Its ownership and id supervisor (`--owners image`).
    pub owners: Option<std::process::Child>,
    /// `--owners image` whose filter the kernel refused: why. The command
    /// runs with the plain ownership view.
    pub owners_refused: Option<String>,
}

/// Forks the container into its new namespaces and builds its root
/// filesystem. `io` says how its stdio is connected (for a terminal,
/// `tty` is our end of the socket its master comes back on, and the size
/// to give it); `before_run` is
/// called once the id maps are written and before the container's own
/// code may run (the state is recorded there). Returns once the command
/// has been executed, or its error with Podman's exit code.
///
/// The caller must be single-threaded (or the start is refused, see
/// [`Spawn::start`]) and have `monitor_signals()` blocked; `old_mask` is
/// restored in the child before exec.
pub(crate) fn spawn_container(
    store: &Store,
    paths: &Paths,
    cfg: &ContainerConfig,
    io: ChildIo,
    tty: Option<(OwnedFd, Option<rsp_sys::WinSize>)>,
    old_mask: &SigSet,
    before_run: &mut dyn FnMut(i32, u64),
) -> Result<Spawned> {
    let own_netns = cfg.network.own_namespace();
    // The network first: joining moves us into its user namespace, which
    // the container's is then made in, and gives the address the
    // container's /etc/hosts names.
    if cfg.network == NetworkMode::Container || cfg.pod_infra.is_some() {
        enter_shared_network(store, paths, cfg)?;
    }
    let mut joined = Vec::new();
    if cfg.network == NetworkMode::Bridge && !cfg.networks.is_empty() {
        let nets = cfg
            .networks
            .iter()
            .map(|n| networks::get(store, n))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let u = bridge::enter_shared_userns(paths)?;
        for (i, net) in nets.iter().enumerate() {
            joined.push(bridge::join(
                paths,
                &u,
                net,
                &format!("eth{i}"),
                &cfg.id,
                &cfg.name,
                &cfg.network_aliases,
                // --ip is the first network's address.
                cfg.static_ip.filter(|_| i == 0),
            )?);
        }
    }
    let layers_dir = store.layers_dir();
    let mut rootfs = rootfs_plan(
        store,
        &layers_dir,
        cfg,
        etc_files(paths, cfg, joined.first().map(|j| j.ip))?,
    )?;
    let fuse_ours = fuse_link(cfg, &mut rootfs)?;
    let mut plan = ChildPlan {
        cfg,
        rootfs,
        own_netns,
        path_env: process::env_get(&cfg.env, "PATH")
            .unwrap_or(process::DEFAULT_PATH)
            .to_string(),
        env: cfg
            .env
            .iter()
            .filter_map(|e| CString::new(e.as_bytes()).ok())
            .collect(),
        filter: if cfg.emulates_owners() {
            ownership::filter_program()
        } else {
            Vec::new()
        },
        confinement: Confinement::of(cfg, cfg.uid, Some(&seccomp_cache(paths)))?,
        bridge_if: joined
            .iter()
            .map(|j| BridgeIf {
                ifname: j.ifname.clone(),
                ip: j.ip,
                netmask: j.netmask(),
                mtu: j.mtu,
                internal: j.network.internal,
            })
            .collect(),
        mac: cfg.mac_address.as_deref().and_then(spec::parse_mac),
    };

    let (net_ours, net_child) = if cfg.network.uses_stack() {
        let (a, b) = std::os::unix::net::UnixStream::pair().map_err(RuntimeError::Fork)?;
        (Some(OwnedFd::from(a)), Some(OwnedFd::from(b)))
    } else {
        (None, None)
    };
    let (owners_ours, owners_child) = if cfg.emulates_owners() {
        let (a, b) = std::os::unix::net::UnixStream::pair().map_err(RuntimeError::Fork)?;
        (Some(OwnedFd::from(a)), Some(OwnedFd::from(b)))
    } else {
        (None, None)
    };
    let (cmd_ours, cmd_child) = if cfg.init {
        let (a, b) = rsp_sys::pid_report_pair().map_err(RuntimeError::Fork)?;
        (Some(a), Some(b))
    } else {
        (None, None)
    };
    let mut namespaces = Namespace::User | Namespace::Mount | Namespace::Pid;
    // A pod member joined its infra's (see `enter_shared_network`).
    let shares = |n: &str| cfg.pod_share.iter().any(|s| s == n);
    if !shares("uts") {
        namespaces = namespaces | Namespace::Uts;
    }
    if !shares("ipc") {
        namespaces = namespaces | Namespace::Ipc;
    }
    if own_netns {
        namespaces = namespaces | Namespace::Net;
    }
    // Held until the container is recorded; it says (handshake) once it
    // is non-dumpable: only then is it recorded as running, which lets
    // `rsp exec` in.
    let mut spawn = Spawn::new()
        .new_namespaces(namespaces)
        .id_maps(IdMaps::own_ids_as(cfg.uid, cfg.gid))
        .die_with_parent()
        .hold()
        .handshake();
    // A pod's infra runs nothing of the image's and no one can `exec`
    // into it; it stays dumpable so that its members' monitors (yours)
    // can open its namespaces. Its members, in user namespaces below
    // its, have no privilege over it.
    if !cfg.infra {
        spawn = spawn.non_dumpable();
    }
    let links = ChildLinks {
        net: net_child,
        owners: owners_child,
        cmd: cmd_child,
    };
    let started = spawn.start_keeping((tty, net_ours, owners_ours, cmd_ours), |ctx| {
        child_main(ctx, &plan, io, links, old_mask)
    });
    let (mut child, (tty, net_ours, owners_ours, cmd_ours)) = match started {
        Ok(s) => s,
        Err(SpawnError::Clone(e))
            if matches!(
                e.raw_os_error(),
                Some(libc::EPERM | libc::ENOSPC | libc::EUSERS | libc::EINVAL)
            ) =>
        {
            return Err(RuntimeError::UserNs(userns::diagnose()));
        }
        Err(SpawnError::IdMap { source, .. })
            if source.kind() == std::io::ErrorKind::PermissionDenied =>
        {
            return Err(RuntimeError::UserNs(userns::diagnose()));
        }
        Err(SpawnError::IdMap { path, source }) => {
            return Err(RuntimeError::IdMap { path, source });
        }
        Err(e) => return Err(RuntimeError::Spawn(e)),
    };
    drop(plan.rootfs.fuse.take());
    let pid = child.pid();
    // Its network namespace is open to us only until it makes itself
    // non-dumpable, after its release below.
    // Kept: `network connect` adds interfaces to it later.
    // Its namespaces, opened while we may (see the supervisor's below).
    let ns = |n: &str| {
        nix::fcntl::open(
            format!("/proc/{pid}/ns/{n}").as_str(),
            OFlag::O_RDONLY | OFlag::O_CLOEXEC,
            nix::sys::stat::Mode::empty(),
        )
        .map_err(|e| RuntimeError::Exec(format!("opening the container's {n} namespace: {e}")))
    };
    let mut ctr_netns = None;
    if !joined.is_empty() {
        let ns = ns("net");
        let attached = ns.and_then(|ns| {
            for j in &joined {
                j.attach(ns.as_fd())?;
            }
            Ok(ns)
        });
        match attached {
            Ok(ns) => ctr_netns = Some(ns),
            Err(e) => {
                child.kill();
                return Err(e);
            }
        }
    }
    let (tty_sock, winsize) = match tty {
        Some((s, w)) => (Some(s), w),
        None => (None, None),
    };
    let abort = |child: &Started<ChildFailure>, e: RuntimeError| {
        child.kill();
        e
    };
    // The ownership supervisor starts now, while the child builds its
    // root filesystem: it joins the namespaces, opened while we may (the
    // child is made non-dumpable before it runs anything of its own), and
    // waits for the listener on `sup_sock`.
    let mut owners = None;
    let mut sup_sock = None;
    if owners_ours.is_some() {
        let (userns, mntns) = match (ns("user"), ns("mnt")) {
            (Ok(u), Ok(m)) => (u, m),
            (Err(e), _) | (_, Err(e)) => return Err(abort(&child, e)),
        };
        let (ours, theirs) = match std::os::unix::net::UnixStream::pair() {
            Ok(p) => p,
            Err(e) => return Err(abort(&child, RuntimeError::Fork(e))),
        };
        let start = ids::Creds::new(cfg.uid, cfg.gid, &cfg.groups);
        let dir = monitor::run_dir(paths, &cfg.id);
        match ownership::spawn(
            theirs.into(),
            userns,
            mntns,
            &dir,
            (cfg.uid, cfg.gid),
            &start,
        ) {
            Ok(sup) => owners = Some(sup),
            Err(e) => return Err(abort(&child, RuntimeError::Exec(e.to_string()))),
        }
        sup_sock = Some(OwnedFd::from(ours));
    }
    // Opened before the child may run: a command that exits at once
    // takes its namespaces with it.
    let netns = if cfg.network.uses_stack() && !cfg.ports.is_empty() {
        match rsp_sys::net::SocketFactory::namespaces(pid) {
            Ok(ns) => Some(ns),
            Err(e) => {
                return Err(abort(
                    &child,
                    RuntimeError::Net(rsp_net::NetError::Setup(e)),
                ));
            }
        }
    } else {
        None
    };
    let pid_start = container::process_start_time(pid).unwrap_or(0);
    child.release();
    // No word: the child failed; its error pipe says why.
    if child.hear_child() {
        before_run(pid, pid_start);
    }
    child.tell_child();
    child.stop_telling();

    // The tap comes first: the child makes it before its terminal.
    let tap = net_ours
        .as_ref()
        .and_then(|s| rsp_sys::recv_fd(s.as_fd()).ok().flatten());
    // Then the root filesystem: the child waits on it from the moment it
    // is mounted, so it is served before anything else.
    let fuse = match &fuse_ours {
        Some(sock) => match serve_fuse(sock, &plan.rootfs) {
            Ok(f) => f,
            Err(e) => return Err(abort(&child, e)),
        },
        None => None,
    };
    let mut master = None;
    if let Some(sock) = &tty_sock {
        // A child that failed before making its terminal sends nothing; the
        // error pipe below says why.
        if let Ok(Some(m)) = rsp_sys::recv_fd(sock.as_fd()) {
            // Sized before the command runs: it may ask at once.
            if let Some(ws) = winsize {
                let _ = rsp_sys::set_winsize(m.as_fd(), ws);
            }
            let _ = nix::unistd::write(sock.as_fd(), b"1");
            master = Some(m);
        }
    }
    // The command sends its filter's listener right before its exec,
    // which the supervisor answers: it gets it before we wait on that
    // exec. None when the kernel refused the filter (what the child wrote
    // after its one-byte marker is why), or the child failed before.
    let mut owners_refused = None;
    if let Some(s) = &owners_ours {
        match rsp_sys::recv_fd(s.as_fd()) {
            Ok(Some(listener)) => {
                if let Some(sock) = &sup_sock
                    && let Err(e) = ownership::hand_over(sock, &listener)
                {
                    return Err(abort(&child, RuntimeError::Exec(e.to_string())));
                }
            }
            Ok(None) => {
                let mut why = Vec::new();
                let sock = std::os::unix::net::UnixStream::from(
                    s.try_clone().map_err(RuntimeError::Fork)?,
                );
                let _ = sock.set_nonblocking(true);
                // Ends with WouldBlock (or EOF): what was read is kept.
                let _ = (&sock).read_to_end(&mut why);
                let why = String::from_utf8_lossy(&why).into_owned();
                owners_refused = Some(if why.is_empty() {
                    "the command did not report it".to_string()
                } else {
                    why
                });
            }
            Err(_) => {}
        }
    }
    // Without a listener, the supervisor sees its socket close and ends.
    drop(sup_sock);
    if let Err(f) = child.outcome() {
        let _ = child.wait();
        if let Some(mut sup) = owners {
            let _ = sup.kill();
            let _ = sup.wait();
        }
        return Err(child_failure(f, "the container's first process"));
    }
    // Under --init, pid 1 is rsp's and non-dumpable: the container's
    // namespaces are entered through the command, which reported itself
    // before the exec we just saw.
    let ns_pid = cmd_ours
        .as_ref()
        .and_then(|s| rsp_sys::recv_sender_pid(s.as_fd()).ok().flatten())
        .unwrap_or(pid);
    Ok(Spawned {
        pid,
        ns_pid,
        master,
        tap,
        netns,
        fuse,
        bridge: joined,
        ctr_netns,
        owners,
        owners_refused,
    })
}

/// The host's raw fd for stdin, for callers that check for a terminal.
pub fn stdin_is_tty() -> bool {
    rsp_sys::isatty(std::io::stdin().as_fd()) && std::io::stdin().as_raw_fd() == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_refuses_an_image_removed_since_it_was_resolved() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let cfg = ContainerConfig {
            id: "c".repeat(64),
            name: "late".into(),
            image_id: "a".repeat(64),
            image_name: "localhost/gone:latest".into(),
            layers: vec![format!("sha256:{}", "b".repeat(64))],
            ..ContainerConfig::default()
        };
        let err = create(&store, &cfg).unwrap_err();
        assert!(matches!(err, RuntimeError::ImageGone(_)), "{err}");
        assert!(!store.container_dir(&cfg.id).exists());
    }
}
