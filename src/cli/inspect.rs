//! `inspect` of a container: Podman's `InspectContainerData`, with its
//! field names and order, built from the engine's record and state; and of
//! an image: Podman's `ImageData` ([`ImageInspect`]).
//!
//! rsp's own additions keep their places from before: `State.PauseMethod`
//! and `State.Warnings`, `HostConfig.Owners` and `HostConfig.CgroupPath`.
//! `Rootfs` is "" as Podman shows it for containers made from an image
//! (rsp has no `--rootfs`).

use rsp_base::paths::Paths;
use rsp_runtime::container::{Container, ContainerConfig, NetworkMode, State, Status};
use rsp_storage::Store;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerInspect {
    #[serde(rename = "Id")]
    id: String,
    created: String,
    path: String,
    args: Vec<String>,
    state: InspectState,
    image: String,
    image_digest: String,
    image_name: String,
    rootfs: String,
    pod: String,
    resolv_conf_path: String,
    hostname_path: String,
    hosts_path: String,
    /// Docker's place for it; "" for a driver that keeps no log.
    log_path: String,
    name: String,
    restart_count: u32,
    driver: &'static str,
    /// The capabilities the container's command holds (its user's), and
    /// the bounding set: `["CAP_CHOWN", ...]`.
    effective_caps: Vec<String>,
    bounding_caps: Vec<String>,
    mounts: Vec<InspectMount>,
    network_settings: NetworkSettings,
    config: InspectConfig,
    host_config: HostConfig,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct InspectState {
    oci_version: &'static str,
    status: &'static str,
    running: bool,
    paused: bool,
    /// Exited, and its monitor is about to start it again (restart policy).
    restarting: bool,
    #[serde(rename = "OOMKilled")]
    oom_killed: bool,
    /// The state record could not be read (Podman's "bad state").
    dead: bool,
    pid: i32,
    conmon_pid: i32,
    exit_code: i32,
    error: String,
    started_at: String,
    finished_at: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    cgroup_path: String,
    /// How `pause` froze it: "signal" (SIGSTOP to every process of its pid
    /// namespace) or "cgroup" (the cgroup v2 freezer).
    pause_method: String,
    /// What did not go as asked when the current (or last) run started.
    warnings: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct InspectMount {
    #[serde(rename = "Type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    source: String,
    destination: String,
    driver: &'static str,
    mode: String,
    options: Vec<String>,
    #[serde(rename = "RW")]
    rw: bool,
    propagation: String,
}

/// A mount as Podman's inspect shows it: a volume by its name and the
/// directory it is, an image by its ID.
fn inspect_mount(store: &rsp_storage::Store, m: &rsp_runtime::container::Mount) -> InspectMount {
    use rsp_runtime::container::MountKind;
    let kind = m.kind();
    let (name, source, driver) = match kind {
        MountKind::Volume => {
            let rec = store.volume(&m.source).ok();
            let source = match rec.as_ref().and_then(|r| r.options.get("device")) {
                Some(d) => d.clone(),
                None => store
                    .volume_data(&m.source)
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
            };
            (Some(m.source.clone()), source, "local")
        }
        MountKind::Tmpfs => (None, "tmpfs".to_string(), ""),
        MountKind::Devpts => (None, "devpts".to_string(), ""),
        _ => (None, m.source.clone(), ""),
    };
    InspectMount {
        kind: kind.as_str(),
        name,
        source,
        destination: m.destination.clone(),
        driver,
        mode: m.options.relabel.clone().unwrap_or_default(),
        options: rsp_runtime::mounts::inspect_options(m),
        rw: !m.readonly,
        propagation: rsp_runtime::mounts::propagation(m).to_string(),
    }
}

#[derive(Serialize)]
struct HostPort {
    #[serde(rename = "HostIp")]
    host_ip: String,
    #[serde(rename = "HostPort")]
    host_port: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct NetworkSettings {
    #[serde(rename = "EndpointID")]
    endpoint_id: &'static str,
    gateway: String,
    #[serde(rename = "IPAddress")]
    ip_address: String,
    #[serde(rename = "IPPrefixLen")]
    ip_prefix_len: u8,
    #[serde(rename = "IPv6Gateway")]
    ipv6_gateway: &'static str,
    #[serde(rename = "GlobalIPv6Address")]
    global_ipv6_address: &'static str,
    #[serde(rename = "GlobalIPv6PrefixLen")]
    global_ipv6_prefix_len: u8,
    mac_address: &'static str,
    bridge: &'static str,
    #[serde(rename = "SandboxID")]
    sandbox_id: &'static str,
    hairpin_mode: bool,
    #[serde(rename = "LinkLocalIPv6Address")]
    link_local_ipv6_address: &'static str,
    #[serde(rename = "LinkLocalIPv6PrefixLen")]
    link_local_ipv6_prefix_len: u8,
    /// Published ports, and (as null) exposed ones that are not.
    ports: BTreeMap<String, Option<Vec<HostPort>>>,
    sandbox_key: String,
    /// On user-defined networks: each one's endpoint, as Podman's.
    #[serde(skip_serializing_if = "Option::is_none")]
    networks: Option<BTreeMap<String, serde_json::Value>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct InspectConfig {
    hostname: String,
    domainname: &'static str,
    user: String,
    attach_stdin: bool,
    attach_stdout: bool,
    attach_stderr: bool,
    tty: bool,
    open_stdin: bool,
    stdin_once: bool,
    env: Vec<String>,
    cmd: Vec<String>,
    image: String,
    working_dir: String,
    entrypoint: Vec<String>,
    labels: BTreeMap<String, String>,
    stop_signal: String,
    /// The command line that created the container ([] for records made
    /// before rsp kept it).
    create_command: Vec<String>,
    stop_timeout: u32,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    exposed_ports: BTreeMap<String, Empty>,
}

#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct LogConfig {
    #[serde(rename = "Type")]
    kind: &'static str,
    config: Option<()>,
    path: String,
    tag: String,
    size: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct RestartPolicy {
    name: &'static str,
    maximum_retry_count: u32,
}

#[derive(Serialize)]
struct IdMappings {
    #[serde(rename = "UidMap")]
    uid_map: Vec<String>,
    #[serde(rename = "GidMap")]
    gid_map: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct HostConfig {
    binds: Vec<String>,
    log_config: LogConfig,
    network_mode: String,
    dns: Vec<String>,
    dns_search: Vec<String>,
    dns_options: Vec<String>,
    extra_hosts: Vec<String>,
    port_bindings: BTreeMap<String, Option<Vec<HostPort>>>,
    restart_policy: RestartPolicy,
    auto_remove: bool,
    /// "enabled" or "disabled".
    cgroups: &'static str,
    /// The container's own cgroup while it runs, where one is delegated.
    cgroup_path: String,
    #[serde(rename = "IDMappings")]
    id_mappings: IdMappings,
    init: bool,
    /// "image" (the image's recorded owners, emulated) or "user".
    owners: &'static str,
    /// `--userns` as given: "" (the default) or keep-id[:uid=N,gid=N].
    userns_mode: String,
    /// `--group-add` as given.
    group_add: Vec<String>,
    /// The user's initial supplementary groups as resolved: the image's
    /// `/etc/group` memberships and `--group-add`'s (rsp's own field).
    supplementary_groups: Vec<u32>,
    /// `--ulimit`s: `[{"Name": "RLIMIT_NOFILE", "Soft": 64, "Hard": 64}]`.
    ulimits: Vec<rsp_runtime::ulimit::Ulimit>,
    /// `--read-only`.
    readonly_rootfs: bool,
    /// `["no-new-privileges"]` when set, as Podman shows it.
    security_opt: Vec<String>,
    /// Resource limits, as Docker and Podman show them (0: none).
    memory: u64,
    memory_swap: i64,
    memory_reservation: u64,
    nano_cpus: u64,
    cpu_shares: u64,
    /// `--cpu-weight` (rsp's own field; 0: none).
    cpu_weight: u64,
    cpu_period: u64,
    cpu_quota: i64,
    cpuset_cpus: String,
    pids_limit: i64,
    blkio_weight: u16,
    /// `--cap-add` and `--cap-drop`, normalized (`CAP_NET_ADMIN`, `ALL`).
    cap_add: Vec<String>,
    cap_drop: Vec<String>,
    privileged: bool,
    /// `--device`s.
    devices: Vec<rsp_runtime::container::Device>,
    /// `--sysctl`s: `{"net.ipv4.ip_forward": "1"}`.
    sysctls: BTreeMap<String, String>,
}

/// Docker's `{"80/tcp": [{"HostIp": ..., "HostPort": ...}]}`; in
/// `PortBindings` (`bindings`) an unspecified address is "", as asked.
fn port_map(
    ports: &[rsp_net::PortMapping],
    bindings: bool,
) -> BTreeMap<String, Option<Vec<HostPort>>> {
    let mut m: BTreeMap<String, Option<Vec<HostPort>>> = BTreeMap::new();
    for (ctr, ip, port) in rsp_net::ports::each(ports) {
        let ip = if bindings && ip == "0.0.0.0" {
            String::new()
        } else {
            ip.trim_matches(|c| c == '[' || c == ']').to_string()
        };
        m.entry(ctr)
            .or_insert_with(|| Some(Vec::new()))
            .get_or_insert_default()
            .push(HostPort {
                host_ip: ip,
                host_port: port.to_string(),
            });
    }
    m
}

/// A running member's endpoint on each of its user-defined networks.
fn endpoints(
    cfg: &ContainerConfig,
    st: &State,
    paths: &Paths,
    store: &Store,
) -> BTreeMap<String, serde_json::Value> {
    let mut out = BTreeMap::new();
    for n in &cfg.networks {
        let net = rsp_runtime::networks::get(store, n).ok();
        let live = rsp_runtime::bridge::read_live(paths, n).unwrap_or_default();
        let me = live
            .members
            .iter()
            .find(|m| m.id == cfg.id && m.active && st.is_active());
        let mut aliases = cfg.network_aliases.clone();
        aliases.push(cfg.id[..12].to_string());
        out.insert(
            n.clone(),
            serde_json::json!({
                "EndpointID": "",
                "Gateway": match (&net, me) {
                    (Some(net), Some(_)) => net.subnets[0].gateway.to_string(),
                    _ => String::new(),
                },
                "IPAddress": me.map(|m| m.ip.to_string()).unwrap_or_default(),
                "IPPrefixLen": match (&net, me) {
                    (Some(net), Some(_)) => net.cidr().map_or(0, |c| c.prefix),
                    _ => 0,
                },
                "IPv6Gateway": "",
                "GlobalIPv6Address": "",
                "GlobalIPv6PrefixLen": 0,
                "MacAddress": "",
                "NetworkID": net.as_ref().map(|n| n.id.clone()).unwrap_or_default(),
                "DriverOpts": null,
                "IPAMConfig": null,
                "Links": null,
                "Aliases": aliases,
            }),
        );
    }
    out
}

fn network_settings(
    cfg: &ContainerConfig,
    st: &State,
    paths: &Paths,
    store: &Store,
) -> NetworkSettings {
    let slirp = cfg.network == NetworkMode::Slirp && st.is_active();
    let (ip, gw, prefix) = if slirp {
        (
            rsp_net::GUEST.to_string(),
            rsp_net::GATEWAY.to_string(),
            rsp_net::PREFIX,
        )
    } else {
        (String::new(), String::new(), 0)
    };
    let mut ports = port_map(&cfg.ports, false);
    // As Podman: exposed ports show too, unpublished ones as null.
    if cfg.network.own_namespace() {
        for k in cfg.exposed_ports() {
            ports.entry(k).or_insert(None);
        }
    }
    NetworkSettings {
        endpoint_id: "",
        gateway: gw,
        ip_address: ip,
        ip_prefix_len: prefix,
        ipv6_gateway: "",
        global_ipv6_address: "",
        global_ipv6_prefix_len: 0,
        mac_address: "",
        bridge: "",
        sandbox_id: "",
        hairpin_mode: false,
        link_local_ipv6_address: "",
        link_local_ipv6_prefix_len: 0,
        ports,
        sandbox_key: if st.is_active() && cfg.network.own_namespace() {
            format!("/proc/{}/ns/net", st.ns_pid())
        } else {
            String::new()
        },
        networks: (cfg.network == NetworkMode::Bridge).then(|| endpoints(cfg, st, paths, store)),
    }
}

/// The inspect record of container `c`.
pub fn container(c: &Container, paths: &Paths, store: &Store) -> ContainerInspect {
    let cfg = &c.config;
    let st = &c.state;
    let run_dir = paths.runroot.join("containers").join(&cfg.id);
    let in_run_dir = |f: &str| run_dir.join(f).display().to_string();
    let image_digest = store
        .images()
        .ok()
        .and_then(|db| {
            db.images
                .iter()
                .find(|i| i.id == cfg.image_id)
                .map(|i| i.manifest_digest.clone())
        })
        .unwrap_or_default();
    let log_path = if cfg.logs_enabled() {
        cfg.log_path(store).display().to_string()
    } else {
        String::new()
    };
    ContainerInspect {
        id: cfg.id.clone(),
        created: cfg.created.clone(),
        path: cfg.args.first().cloned().unwrap_or_default(),
        args: cfg.args.iter().skip(1).cloned().collect(),
        state: InspectState {
            oci_version: "1.1.0",
            status: st.status.as_str(),
            running: st.status == Status::Running,
            paused: st.status == Status::Paused,
            restarting: st.is_restarting(),
            oom_killed: st.oom_killed,
            dead: st.unreadable,
            pid: st.pid,
            conmon_pid: st.monitor_pid,
            exit_code: st.exit_code,
            error: String::new(),
            started_at: st.started_at.clone().unwrap_or_default(),
            finished_at: st.finished_at.clone().unwrap_or_default(),
            cgroup_path: st.cgroup.clone(),
            pause_method: st.pause_method.clone(),
            warnings: st.warnings.iter().map(|w| w.to_string()).collect(),
        },
        image: cfg.image_id.clone(),
        image_digest,
        image_name: cfg.image_name.clone(),
        rootfs: String::new(),
        pod: String::new(),
        resolv_conf_path: in_run_dir("resolv.conf"),
        hostname_path: in_run_dir("hostname"),
        hosts_path: in_run_dir("hosts"),
        log_path: log_path.clone(),
        name: cfg.name.clone(),
        restart_count: st.restart_count,
        driver: cfg.storage_driver.as_str(),
        effective_caps: {
            let sets = rsp_runtime::caps::resolve(&cfg.cap_add, &cfg.cap_drop, cfg.privileged);
            rsp_runtime::caps::names(sets.effective(cfg.uid))
        },
        bounding_caps: rsp_runtime::caps::names(
            rsp_runtime::caps::resolve(&cfg.cap_add, &cfg.cap_drop, cfg.privileged).bounding,
        ),
        mounts: cfg.mounts.iter().map(|m| inspect_mount(store, m)).collect(),
        network_settings: network_settings(cfg, st, paths, store),
        config: InspectConfig {
            hostname: cfg.hostname.clone(),
            domainname: "",
            user: cfg.user.clone(),
            attach_stdin: cfg.interactive,
            attach_stdout: true,
            attach_stderr: true,
            tty: cfg.tty,
            open_stdin: cfg.interactive,
            stdin_once: false,
            env: cfg.env.clone(),
            cmd: cfg.cmd.clone(),
            image: cfg.image_name.clone(),
            working_dir: cfg.workdir.clone(),
            entrypoint: cfg.entrypoint.clone(),
            labels: cfg.labels.clone(),
            stop_signal: cfg.stop_signal.clone(),
            create_command: cfg.create_command.clone(),
            stop_timeout: cfg.stop_timeout,
            exposed_ports: cfg
                .exposed_ports()
                .into_iter()
                .map(|k| (k, Empty {}))
                .collect(),
        },
        host_config: HostConfig {
            dns: cfg.dns.clone(),
            dns_search: cfg.dns_search.clone(),
            dns_options: cfg.dns_options.clone(),
            extra_hosts: cfg.add_hosts.clone(),
            binds: cfg
                .mounts
                .iter()
                .filter(|m| {
                    matches!(
                        m.kind(),
                        rsp_runtime::container::MountKind::Bind
                            | rsp_runtime::container::MountKind::Volume
                    )
                })
                .map(|m| {
                    format!(
                        "{}:{}:{}",
                        m.source,
                        m.destination,
                        if m.readonly { "ro" } else { "rw" }
                    )
                })
                .collect(),
            log_config: LogConfig {
                kind: cfg.log_driver.as_str(),
                config: None,
                path: log_path,
                tag: cfg.log_tag.clone(),
                size: cfg
                    .log_max_size
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "0B".into()),
            },
            network_mode: match (cfg.networks.first(), &cfg.network_container) {
                (Some(n), _) if cfg.network == NetworkMode::Bridge => n.clone(),
                (_, Some(id)) if cfg.network == NetworkMode::Container => format!("container:{id}"),
                _ => cfg.network.as_str().to_string(),
            },
            port_bindings: port_map(&cfg.ports, true),
            restart_policy: RestartPolicy {
                name: cfg.restart_policy.as_str(),
                maximum_retry_count: cfg.restart_max,
            },
            auto_remove: cfg.remove,
            cgroups: if cfg.no_cgroup { "disabled" } else { "enabled" },
            cgroup_path: st.cgroup.clone(),
            id_mappings: IdMappings {
                uid_map: vec![format!("{}:{}:1", cfg.uid, nix::unistd::getuid())],
                gid_map: vec![format!("{}:{}:1", cfg.gid, nix::unistd::getgid())],
            },
            init: cfg.init,
            owners: cfg.owners.as_str(),
            userns_mode: cfg.userns.to_record(),
            group_add: cfg.group_add.clone(),
            supplementary_groups: cfg.groups.clone(),
            ulimits: cfg.ulimits.clone(),
            readonly_rootfs: cfg.read_only,
            sysctls: cfg.sysctls.clone(),
            devices: cfg.devices.clone(),
            security_opt: {
                let mut v = Vec::new();
                if cfg.no_new_privileges {
                    v.push("no-new-privileges".to_string());
                }
                if !cfg.mask.is_empty() {
                    v.push(format!("mask={}", cfg.mask.join(":")));
                }
                if !cfg.unmask.is_empty() {
                    v.push(format!("unmask={}", cfg.unmask.join(":")));
                }
                if !cfg.seccomp_profile.is_empty() {
                    v.push(format!("seccomp={}", cfg.seccomp_profile));
                }
                v
            },
            memory: cfg.limits.memory.unwrap_or(0),
            memory_swap: cfg.limits.memory_swap.unwrap_or(0),
            memory_reservation: cfg.limits.memory_reservation.unwrap_or(0),
            nano_cpus: cfg.limits.nano_cpus.unwrap_or(0),
            cpu_shares: cfg.limits.cpu_shares.unwrap_or(0),
            cpu_weight: cfg.limits.cpu_weight.unwrap_or(0),
            cpu_period: if cfg.limits.nano_cpus.is_some() {
                100_000
            } else {
                0
            },
            cpu_quota: cfg.limits.nano_cpus.map_or(0, |n| (n / 10_000) as i64),
            cpuset_cpus: cfg.limits.cpuset_cpus.clone().unwrap_or_default(),
            pids_limit: cfg.limits.pids().max(0),
            blkio_weight: cfg.limits.blkio_weight.unwrap_or(0),
            cap_add: cfg.cap_add.clone(),
            cap_drop: cfg.cap_drop.clone(),
            privileged: cfg.privileged,
        },
    }
}

/// The inspect record as JSON, for `--format` and printing.
pub fn container_json(c: &Container, paths: &Paths, store: &Store) -> serde_json::Value {
    serde_json::to_value(container(c, paths, store)).expect("inspect records serialize")
}

/// `image inspect`: Podman's `ImageData`, field names and order.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImageInspect<'a> {
    #[serde(rename = "Id")]
    id: &'a str,
    digest: &'a str,
    repo_tags: &'a [String],
    repo_digests: &'a [String],
    parent: String,
    comment: &'a str,
    created: String,
    config: &'a rsp_image::config::ContainerConfig,
    version: &'static str,
    author: &'a str,
    architecture: &'a str,
    os: &'a str,
    size: u64,
    virtual_size: u64,
    graph_driver: GraphDriver,
    #[serde(rename = "RootFS")]
    root_fs: ImageRootFs<'a>,
    labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    manifest_type: &'a str,
    user: &'a str,
    history: &'a [serde_json::Value],
    names_history: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GraphDriver {
    name: &'static str,
    data: GraphDriverData,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GraphDriverData {
    lower_dir: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ImageRootFs<'a> {
    #[serde(rename = "Type")]
    kind: &'static str,
    layers: &'a [String],
}

impl<'a> ImageInspect<'a> {
    /// `lower_dir` is the layers' directories, top first, joined by `:`.
    pub fn new(
        rec: &'a rsp_storage::ImageRecord,
        cfg: &'a rsp_image::config::ImageConfig,
        created: String,
        parent: String,
        lower_dir: String,
    ) -> ImageInspect<'a> {
        ImageInspect {
            id: &rec.id,
            digest: &rec.manifest_digest,
            repo_tags: &rec.names,
            repo_digests: &rec.digests,
            parent,
            comment: cfg.comment(),
            created,
            config: &cfg.config,
            version: "",
            author: cfg.author.as_deref().unwrap_or_default(),
            architecture: &cfg.architecture,
            os: &cfg.os,
            size: rec.size,
            virtual_size: rec.size,
            graph_driver: GraphDriver {
                name: "overlay",
                data: GraphDriverData { lower_dir },
            },
            root_fs: ImageRootFs {
                kind: "layers",
                layers: &rec.layers,
            },
            labels: cfg.config.labels.clone().unwrap_or_default(),
            annotations: BTreeMap::new(),
            manifest_type: &rec.manifest_media_type,
            user: cfg.config.user.as_deref().unwrap_or_default(),
            history: &cfg.history,
            names_history: &rec.names,
        }
    }

    /// As the templates and `--format json` see it.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("plain data always serializes")
    }
}
