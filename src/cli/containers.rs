//! `run`, `create`, `ps`, `rm`, `inspect`, `container ...`. `run` and
//! `create` fill the engine's container spec from flags
//! (`runtime::spec`), and get the image through the engine's "ensure"
//! (`transfer::ensure`).

use super::args::{
    ContainerCommand, ExistsArgs, FormatOnlyArgs, Global, InspectArgs, PsArgs, RmArgs, RunArgs,
};
use super::output::{self, Format};
use super::{CmdResult, Failure, open_store};
use anyhow::{Context, anyhow, bail};
use rsp_base::paths::Paths;
use rsp_runtime::attach::{AttachOptions, parse_detach_keys};
use rsp_runtime::container::{self, Container, LogDriver, OwnersMode, StartWarning, Status};
use rsp_runtime::monitor::Launch;
use rsp_runtime::process;
use rsp_runtime::spec::{self, CgroupsMode, ContainerSpec, LogSpec, SpecError};
use rsp_storage::{ImageRecord, Store};
use rsp_transfer::ensure::{PullPolicy, ensure_image};
use serde_json::{Value, json};
use std::io::Write;

/// Set in the environment of an rsp that re-executed itself after pulling,
/// so it does not pull again.
const PULLED_ENV: &str = "_RSP_PULLED";

/// Finds the image for `run`, pulling it as `--pull` says. After a
/// registry was contacted this process re-executes itself (see
/// [`reexec`]) and does not return; the new one finds the image stored.
fn image_for_run(store: &Store, a: &RunArgs) -> anyhow::Result<ImageRecord> {
    let again = std::env::var_os(PULLED_ENV).is_some();
    let policy = match PullPolicy::parse(&a.pull) {
        _ if again => PullPolicy::Never,
        Some(p) => p,
        None => bail!(
            "invalid --pull policy {:?}: use always, missing, never or newer",
            a.pull
        ),
    };
    let opts = match policy {
        PullPolicy::Never => Default::default(),
        _ => super::images::registry_options(&a.pull_opts)?,
    };
    let ensured = ensure_image(
        store,
        &a.image,
        policy,
        &opts,
        super::progress::for_pull(a.quiet),
    )?;
    for w in &ensured.warnings {
        log::warn!("{w}");
    }
    if ensured.pulled {
        super::images::pull_event(store, &ensured.image, &a.image);
    }
    if ensured.contacted_registry {
        reexec()?;
        unreachable!("execve returned without error");
    }
    Ok(ensured.image)
}

/// Prints what did not go as asked when containers started.
pub(super) fn print_start_warnings(warnings: &[StartWarning]) {
    for w in warnings {
        log::warn!("{w}");
    }
}

/// For commands that start containers without attaching: the warnings of
/// one start.
pub(super) fn started(launch: Launch) {
    if let Launch::Started { warnings, .. } = launch {
        print_start_warnings(&warnings);
    }
}

/// Replaces this process with a fresh rsp with the same arguments. After a
/// pull, worker threads may linger; the container must be forked from a
/// single-threaded process.
fn reexec() -> anyhow::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let args: Vec<CString> = std::env::args_os()
        .filter_map(|a| CString::new(a.as_bytes()).ok())
        .collect();
    let mut env = process::environ_cstrings();
    env.push(CString::new(format!("{PULLED_ENV}=1"))?);
    let exe = CString::new("/proc/self/exe")?;
    let e = nix::unistd::execve(&exe, &args, &env).unwrap_err();
    Err(anyhow!("re-executing rsp after the pull: {e}"))
}

pub(super) fn parse_env_file(path: &std::path::Path) -> anyhow::Result<Vec<String>> {
    let data = std::fs::read_to_string(path)
        .with_context(|| format!("reading --env-file {}: check the path", path.display()))?;
    let mut env = Vec::new();
    for (n, line) in data.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let kv = expand_env(line)
            .with_context(|| format!("--env-file {} line {}", path.display(), n + 1))?;
        env.extend(kv);
    }
    Ok(env)
}

/// `KEY=VALUE` as is; a bare `KEY` takes rsp's own value, or is dropped. As in Podman, white
/// space before the name is dropped, and an empty name (`=VALUE`, `''`) or one with white
/// space in it is refused.
pub(super) fn expand_env(kv: &str) -> anyhow::Result<Option<String>> {
    let kv = kv.trim_start();
    let (name, value) = match kv.split_once('=') {
        Some((name, value)) => (name, Some(value)),
        None => (kv, None),
    };
    if name.is_empty() {
        bail!("invalid environment variable: {kv:?}: use KEY=VALUE");
    }
    if name.contains(char::is_whitespace) {
        bail!("name {name:?} has white spaces, poorly formatted name");
    }
    if kv.contains('\0') {
        bail!("invalid environment variable: {kv:?}: it contains a NUL byte");
    }
    Ok(match value {
        Some(_) => Some(kv.to_string()),
        None => std::env::var(name).ok().map(|v| format!("{name}={v}")),
    })
}

/// `--env-file` files in order, then `-e` options: what the user asked for.
pub(super) fn user_env(
    files: &[std::path::PathBuf],
    env: &[String],
) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for f in files {
        out.extend(parse_env_file(f)?);
    }
    for e in env {
        out.extend(expand_env(e)?);
    }
    Ok(out)
}

fn parse_entrypoint(e: &str) -> anyhow::Result<Vec<String>> {
    if e.trim_start().starts_with('[') {
        return serde_json::from_str(e)
            .with_context(|| format!("--entrypoint {e:?} is not a JSON array of strings"));
    }
    Ok(if e.is_empty() {
        vec![]
    } else {
        vec![e.to_string()]
    })
}

pub fn run(g: &Global, a: &RunArgs) -> CmdResult {
    run_or_create(g, a, false)
}

pub fn create(g: &Global, a: &RunArgs) -> CmdResult {
    run_or_create(g, a, true)
}

/// Podman's exit code for a spec the engine refuses: 125, bad usage.
fn spec_failure(e: SpecError) -> Failure {
    Failure::new(125, e.into())
}

fn spec_error(e: rsp_runtime::mounts::MountError) -> SpecError {
    SpecError::Mount(e)
}

/// `--network`'s value: the mode, its options, the user-defined networks
/// it names and, for `container:NAME`, NAME. Anything but rsp's own
/// modes names user-defined networks (checked against the store when the
/// container is made); `bridge` is Podman's default network.
#[allow(clippy::type_complexity)]
pub(super) fn network_flag(
    value: &str,
) -> anyhow::Result<(
    rsp_runtime::container::NetworkMode,
    rsp_net::NetOptions,
    Vec<String>,
    Option<String>,
)> {
    match spec::parse_network(value) {
        Ok((m, o)) => Ok((m, o, Vec::new(), None)),
        Err(_) if value.starts_with("container:") && value.len() > 10 => Ok((
            rsp_runtime::container::NetworkMode::Container,
            Default::default(),
            Vec::new(),
            Some(value["container:".len()..].to_string()),
        )),
        Err(e @ (spec::SpecError::UnknownNetwork(_) | spec::SpecError::NoBridge(_))) => {
            let names: Vec<String> = value
                .split(',')
                .map(|n| match n {
                    "bridge" => rsp_runtime::networks::DEFAULT_NAME.to_string(),
                    n => n.to_string(),
                })
                .collect();
            if !names.iter().all(|n| rsp_runtime::networks::valid_name(n)) {
                return Err(e.into());
            }
            Ok((
                rsp_runtime::container::NetworkMode::Bridge,
                Default::default(),
                names,
                None,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// The container spec the flags of `run` and `create` ask for.
fn spec_from_flags(
    a: &RunArgs,
    storage_driver: rsp_storage::driver::Driver,
) -> anyhow::Result<ContainerSpec> {
    let env = user_env(&a.env_file, &a.env)?;
    let entrypoint = a.entrypoint.as_deref().map(parse_entrypoint).transpose()?;
    let (network, net_options, networks, network_container) = network_flag(&a.network)?;
    let static_ip =
        a.ip.as_deref()
            .map(|ip| {
                ip.parse::<std::net::Ipv4Addr>().with_context(|| {
                    format!("invalid --ip {ip:?}: give an IPv4 address inside the network's subnet")
                })
            })
            .transpose()?;
    let ports = a
        .publish
        .iter()
        .map(|p| rsp_net::parse_publish(p))
        .collect::<Result<Vec<_>, _>>()?;
    let (restart, restart_max) = spec::parse_restart(&a.restart)?;
    let mut log = LogSpec {
        driver: LogDriver::from_name(&a.log_driver).with_context(|| {
            format!(
                "unknown --log-driver {:?}: use k8s-file, none or passthrough",
                a.log_driver
            )
        })?,
        ..LogSpec::default()
    };
    if log.driver == LogDriver::Passthrough && a.detach {
        bail!("the passthrough log driver cannot be used with --detach: use --log-driver k8s-file");
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    for o in &a.log_opt {
        spec::parse_log_opt(&mut log, o, &cwd)?;
    }
    let labels = super::key_values("--label", &a.label)?;
    let owners = match a.owners.as_deref() {
        None => None,
        Some(o) => Some(
            OwnersMode::from_name(o)
                .with_context(|| format!("invalid --owners {o:?}: use image or user"))?,
        ),
    };
    let mut mounts = Vec::new();
    for v in &a.volume {
        mounts.push(rsp_runtime::mounts::parse_volume(v).map_err(spec_error)?);
    }
    for m in &a.mount {
        mounts.push(rsp_runtime::mounts::parse_mount(m).map_err(spec_error)?);
    }
    for t in &a.tmpfs {
        mounts.push(rsp_runtime::mounts::parse_tmpfs(t).map_err(spec_error)?);
    }
    Ok(ContainerSpec {
        image: a.image.clone(),
        name: a.name.clone(),
        command: a.command.clone(),
        entrypoint,
        env,
        workdir: a.workdir.clone(),
        user: a.user.clone(),
        userns: spec::parse_userns(a.userns.as_deref().unwrap_or(""))?,
        group_add: a.group_add.clone(),
        hostname: a.hostname.clone(),
        mounts,
        volumes_from: a.volumes_from.clone(),
        image_volume: spec::ImageVolumeMode::parse(&a.image_volume)?,
        labels,
        tty: a.tty,
        interactive: a.interactive,
        remove: a.rm,
        init: a.init,
        network,
        net_options,
        networks,
        network_aliases: a.network_alias.clone(),
        static_ip,
        network_container,
        pod: None,
        infra: false,
        pod_infra: None,
        pod_share: Vec::new(),
        dns: a.dns.clone(),
        dns_search: a.dns_search.clone(),
        dns_options: a.dns_option.clone(),
        add_hosts: a.add_host.clone(),
        no_hosts: a.no_hosts,
        mac_address: a.mac_address.clone(),
        ports,
        publish_all: a.publish_all,
        expose: a.expose.clone(),
        restart,
        restart_max,
        stop_signal: a.stop_signal.clone(),
        ulimits: a.ulimit.clone(),
        read_only: a.read_only,
        security_opts: a.security_opt.clone(),
        limits: a.limits.flags(),
        cap_add: a.cap_add.clone(),
        cap_drop: a.cap_drop.clone(),
        privileged: a.privileged,
        sysctls: a.sysctl.clone(),
        devices: a.device.clone(),
        read_only_tmpfs: a.read_only_tmpfs,
        stop_timeout: a.stop_timeout,
        log,
        cgroups: CgroupsMode::parse(&a.cgroups)?,
        owners,
        storage_driver,
        create_command: std::env::args().collect(),
        build: None,
    })
}

fn run_or_create(g: &Global, a: &RunArgs, create_only: bool) -> CmdResult {
    let (paths, store) = open_store(g)?;
    let (driver, _) = rsp_storage::driver::select(g.storage_driver.as_deref(), &paths.root)?;
    // Every flag is checked before anything is fetched.
    let mut spec = spec_from_flags(a, driver)?;
    spec.validate().map_err(spec_failure)?;
    let Some(pod) = &a.pod else {
        return run_spec(a, create_only, paths, store, spec);
    };
    // `--pod new:NAME` makes the pod: gone again if the container is not
    // made after all.
    let made = super::pods::join_pod(&store, pod, &mut spec, &a.network)?;
    let r = spec
        .validate()
        .map_err(spec_failure)
        .and_then(|()| run_spec(a, create_only, paths, store, spec));
    if r.is_err()
        && let Some(p) = made
        && let Ok((paths, store)) = open_store(g)
        && rsp_runtime::pods::members(&store, &p).is_ok_and(|m| m.iter().all(|c| c.config.infra))
    {
        let _ = super::pods::discard(&store, &paths, &p);
    }
    r
}

/// [`run_or_create`] once the spec is complete.
fn run_spec(
    a: &RunArgs,
    create_only: bool,
    paths: rsp_base::paths::Paths,
    store: Store,
    spec: ContainerSpec,
) -> CmdResult {
    let rec = image_for_run(&store, a)?;
    let built = spec.build(&store, &rec).map_err(spec_failure)?;
    for w in &built.warnings {
        log::warn!("{w}");
    }
    let mut cfg = built.config;
    spec::create(&store, &mut cfg, a.name.is_some())?;
    if create_only {
        println!("{}", cfg.id);
        return Ok(0);
    }
    // Just created: its record is what we hold.
    let c = Container {
        config: cfg.clone(),
        state: Default::default(),
    };
    let launch = rsp_runtime::ops::start(&store, &paths, &c, !a.detach)?;
    let Launch::Started {
        pid,
        client,
        warnings,
    } = launch
    else {
        return Err(anyhow!("container {} was started by someone else", cfg.name).into());
    };
    print_start_warnings(&warnings);
    if a.detach {
        println!("{}", cfg.id);
        return Ok(0);
    }
    // With passthrough the container has our stdio itself: we only wait.
    let relay = cfg.log_driver != LogDriver::Passthrough;
    let opts = AttachOptions {
        stdin: a.interactive && relay,
        stdout: relay,
        stderr: relay,
        tty: a.tty,
        detach_keys: parse_detach_keys(&a.detach_keys).map_err(|e| anyhow!(e))?,
        sig_proxy: a.sig_proxy.then_some(pid),
    };
    let client = client.context("the monitor gave no attach connection")?;
    super::lifecycle::finish_attach(&store, &cfg.id, client, &opts)
}

fn status_text(c: &Container) -> String {
    match c.state.status {
        Status::Created => "Created".into(),
        Status::Paused => "Paused".into(),
        Status::Running => {
            let since = c.state.started_at.as_deref().unwrap_or(&c.config.created);
            format!("Up {}", output::human_ago(since).trim_end_matches(" ago"))
        }
        Status::Exited => format!(
            "Exited ({}) {}",
            c.state.exit_code,
            c.state
                .finished_at
                .as_deref()
                .map(output::human_ago)
                .unwrap_or_default()
        ),
    }
}

fn unix(t: Option<&str>) -> i64 {
    t.and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp())
        .unwrap_or(0)
}

fn ps_row(c: &Container, no_trunc: bool) -> Value {
    let command = c.config.args.join(" ");
    let short_cmd = if no_trunc || command.chars().count() <= 20 {
        command.clone()
    } else {
        format!("{}...", command.chars().take(17).collect::<String>())
    };
    let id = if no_trunc {
        c.config.id.clone()
    } else {
        c.config.id[..12].to_string()
    };
    json!({
        "ID": id,
        "Id": c.config.id,
        "Image": c.config.image_name,
        "ImageID": c.config.image_id,
        "Command": short_cmd,
        "CreatedAt": c.config.created,
        "CreatedHuman": output::human_ago(&c.config.created),
        "RunningFor": output::human_ago(&c.config.created),
        "Created": unix(Some(&c.config.created)),
        "Status": status_text(c),
        "State": c.state.status.as_str(),
        "Names": c.config.name,
        "Size": "",
        "Ports": rsp_net::ports::ps_text(&c.config.ports),
        "Pid": c.state.pid,
        "ExitCode": c.state.exit_code,
        "Exited": c.state.status == Status::Exited,
        "AutoRemove": c.config.remove,
        "Labels": c.config.labels,
    })
}

/// Podman's `ps --filter`: the same key repeated matches any of its
/// values; different keys must all match.
fn ps_filter(filters: &[String]) -> anyhow::Result<impl Fn(&Container) -> bool> {
    let mut by_key: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for f in filters {
        let (k, v) = f
            .split_once('=')
            .with_context(|| format!("invalid filter {f:?}: use KEY=VALUE"))?;
        match k {
            "status" => {
                if ![
                    "created",
                    "running",
                    "paused",
                    "exited",
                    "stopped",
                    "restarting",
                    "removing",
                    "unknown",
                ]
                .contains(&v)
                {
                    bail!(
                        "invalid filter {f:?}: status must be one of created, running, paused, exited, stopped"
                    );
                }
            }
            "name" | "id" | "label" | "ancestor" | "exited" | "before" | "since" | "network" => {}
            _ => bail!(
                "invalid filter key {k:?}: use status, name, id, label, ancestor, exited, before, since or network"
            ),
        }
        by_key.entry(k.to_string()).or_default().push(v.to_string());
    }
    Ok(move |c: &Container| {
        by_key.iter().all(|(k, vals)| {
            vals.iter().any(|v| match k.as_str() {
                "status" => {
                    c.state.status.as_str() == v
                        || (v == "stopped" && c.state.status == Status::Exited)
                        || (v == "restarting" && c.state.is_restarting())
                }
                "name" => regex_lite_match(v, &c.config.name),
                "id" => c.config.id.starts_with(v.as_str()),
                "label" => super::map_has(&c.config.labels, v),
                "ancestor" => {
                    c.config.image_name == *v
                        || c.config.image_name.starts_with(&format!("{v}:"))
                        || c.config.image_name.ends_with(&format!("/{v}"))
                        || c.config.image_name.contains(&format!("/{v}:"))
                        || c.config.image_id.starts_with(v.as_str())
                }
                "exited" => c.state.status == Status::Exited && c.state.exit_code.to_string() == *v,
                // A user-defined network's name, or a mode (slirp, host, none).
                "network" => c.config.networks.contains(v) || c.config.network.as_str() == v,
                _ => true,
            })
        })
    })
}

/// Podman matches names as unanchored regular expressions; rsp supports
/// the common forms: plain substrings, `^` and `$` anchors.
pub(super) fn regex_lite_match(pat: &str, name: &str) -> bool {
    let (start, p) = match pat.strip_prefix('^') {
        Some(p) => (true, p),
        None => (false, pat),
    };
    let (end, p) = match p.strip_suffix('$') {
        Some(p) => (true, p),
        None => (false, p),
    };
    match (start, end) {
        (true, true) => name == p,
        (true, false) => name.starts_with(p),
        (false, true) => name.ends_with(p),
        (false, false) => name.contains(p),
    }
}

fn image_size(store: &Store, image_id: &str) -> u64 {
    store
        .images()
        .ok()
        .and_then(|db| db.images.iter().find(|i| i.id == image_id).map(|i| i.size))
        .unwrap_or(0)
}

/// Bytes a container has written to its own layer.
pub(super) fn upper_size(store: &Store, id: &str) -> u64 {
    rsp_storage::tree_size(&store.container_dir(id).join("upper"))
}

pub fn ps(g: &Global, a: &PsArgs) -> CmdResult {
    let (paths, store) = open_store(g)?;
    // What a killed `rsp build` left (its steps' containers, tied to it)
    // goes before anyone sees it.
    let _ = container::remove_dead_build_containers(&store, &paths);
    let keep = ps_filter(&a.filter)?;
    let mut all: Vec<Container> = container::list(&store)?
        .into_iter()
        .filter(|c| a.external || c.config.build.is_none())
        .filter(|c| {
            // As Podman: only a status filter widens the list beyond the
            // running containers (paused ones included only with -a).
            a.all
                || a.last.is_some()
                || a.latest
                || a.filter.iter().any(|f| f.starts_with("status="))
                || c.state.status == Status::Running
        })
        .filter(|c| keep(c))
        .collect();
    if a.latest {
        all.truncate(1);
    } else if let Some(n) = a.last {
        all.truncate(n);
    }
    let sizes: std::collections::HashMap<String, u64> = if a.size {
        all.iter()
            .map(|c| (c.config.id.clone(), upper_size(&store, &c.config.id)))
            .collect()
    } else {
        Default::default()
    };
    let mut out = std::io::stdout().lock();
    if a.quiet {
        for c in &all {
            writeln!(
                out,
                "{}",
                if a.no_trunc {
                    &c.config.id[..]
                } else {
                    &c.config.id[..12]
                }
            )?;
        }
        return Ok(0);
    }
    let fmt = output::parse_format(a.format.as_deref(), &[("ID", "CONTAINER ID")])?;
    match fmt {
        Format::Json => {
            let arr: Vec<Value> = all
                .iter()
                .map(|c| {
                    json!({
                        "AutoRemove": c.config.remove,
                        "Command": c.config.args,
                        "CreatedAt": output::human_ago(&c.config.created),
                        "Exited": c.state.status == Status::Exited,
                        "ExitedAt": unix(c.state.finished_at.as_deref()),
                        "ExitCode": c.state.exit_code,
                        "Id": c.config.id,
                        "Image": c.config.image_name,
                        "ImageID": c.config.image_id,
                        "IsInfra": false,
                        "Labels": c.config.labels,
                        "Mounts": c.config.mounts.iter().map(|m| m.destination.clone()).collect::<Vec<_>>(),
                        "Names": [c.config.name],
                        "Networks": [],
                        "Pid": c.state.pid,
                        "Pod": "",
                        "PodName": "",
                        "Ports": c.config.ports.iter().map(|p| json!({
                            "host_ip": p.host_ip,
                            "container_port": p.container_port,
                            "host_port": p.host_port,
                            "range": p.range,
                            "protocol": p.protocol,
                        })).collect::<Vec<_>>(),
                        "StartedAt": unix(c.state.started_at.as_deref()),
                        "State": c.state.status.as_str(),
                        "Status": status_text(c),
                        "Created": unix(Some(&c.config.created)),
                    })
                })
                .collect();
            writeln!(out, "{}", output::json_pretty(&Value::Array(arr)))?;
        }
        Format::Template { .. } => {
            let rows: Vec<Value> = all.iter().map(|c| ps_row(c, a.no_trunc)).collect();
            output::render_template(&mut out, &fmt, &rows)?;
        }
        Format::Default => {
            let pod_names: std::collections::HashMap<String, String> =
                rsp_runtime::pods::list(&store)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|p| (p.id, p.name))
                    .collect();
            let rows: Vec<Vec<String>> = all
                .iter()
                .map(|c| {
                    let r = ps_row(c, a.no_trunc);
                    let mut row: Vec<String> = [
                        "ID",
                        "Image",
                        "Command",
                        "CreatedHuman",
                        "Status",
                        "Ports",
                        "Names",
                    ]
                    .iter()
                    .map(|k| r[*k].as_str().unwrap_or_default().to_string())
                    .collect();
                    if a.pod {
                        let p = c
                            .config
                            .pod
                            .as_deref()
                            .and_then(|id| pod_names.get(id).map(|n| (id, n)));
                        row.push(p.map(|(id, _)| id[..12].to_string()).unwrap_or_default());
                        row.push(p.map(|(_, n)| n.clone()).unwrap_or_default());
                    }
                    if a.size {
                        row.push(format!(
                            "{} (virtual {})",
                            output::human_size(
                                sizes.get(&c.config.id).copied().unwrap_or(0),
                                output::SizeStyle::Spaced,
                            ),
                            output::human_size(
                                image_size(&store, &c.config.image_id),
                                output::SizeStyle::Spaced,
                            )
                        ));
                    }
                    row
                })
                .collect();
            let mut header = vec![
                "CONTAINER ID",
                "IMAGE",
                "COMMAND",
                "CREATED",
                "STATUS",
                "PORTS",
                "NAMES",
            ];
            if a.pod {
                header.extend(["POD ID", "PODNAME"]);
            }
            if a.size {
                header.push("SIZE");
            }
            output::table(&mut out, &header, &rows)?;
        }
    }
    Ok(0)
}

pub fn rm(g: &Global, a: &RmArgs) -> CmdResult {
    let (paths, store) = open_store(g)?;
    let targets: Vec<String> = if a.all {
        container::list(&store)?
            .into_iter()
            .map(|c| c.config.id)
            .collect()
    } else {
        a.containers.clone()
    };
    if targets.is_empty() && !a.all {
        return Err(Failure::new(
            125,
            anyhow!("rsp rm needs at least one container name or ID, or --all"),
        ));
    }
    // As Podman: every name is looked up first, and a missing one (unless
    // -f or -i, which skip it silently) means nothing is removed.
    let mut found = Vec::new();
    let mut missing = false;
    for t in &targets {
        match container::find(&store, t) {
            Ok(c) => found.push((t, c)),
            Err(_) if a.ignore || a.force => {}
            Err(e) => {
                eprintln!("Error: {e}");
                missing = true;
            }
        }
    }
    if missing {
        return Ok(1);
    }
    // A pod's infra holds its members' namespaces: it goes with the pod
    // (or with -f, which the caller means); `rm -a` leaves it be.
    // A pod's infra holds its members' namespaces: it goes with its pod
    // (`rsp pod rm`). `rm -a` leaves it; `rm -af` (everything) takes it
    // last, with its pod's record.
    let infra_of_pod = |c: &Container| rsp_runtime::pods::is_pod_infra(&store, c);
    if !a.all
        && let Some((_, c)) = found.iter().find(|(_, c)| infra_of_pod(c))
    {
        return Err(anyhow!(
            "container {} is the infra container of a pod: remove the pod with `rsp pod rm`",
            c.config.name
        )
        .into());
    }
    if a.all && !a.force {
        found.retain(|(_, c)| !infra_of_pod(c));
    }
    found.sort_by_key(|(_, c)| c.config.infra);
    let pods_before = if a.all && a.force {
        rsp_runtime::pods::list(&store).unwrap_or_default()
    } else {
        Vec::new()
    };
    let mut code = 0;
    for (t, c) in &found {
        match rsp_runtime::ops::remove(
            &store,
            &paths,
            c,
            a.force,
            a.time,
            a.volumes,
            &mut output::warn,
        ) {
            Ok(()) => println!("{t}"),
            Err(e @ rsp_runtime::RuntimeError::Running(_)) => {
                eprintln!("Error: {e}");
                code = 2;
            }
            Err(e) => return Err(e.into()),
        }
    }
    if a.all {
        remove_orphans(&store, &paths)?;
    }
    if !pods_before.is_empty() {
        let lock = store.lock()?;
        for p in pods_before {
            if p.infra_id
                .as_deref()
                .is_some_and(|id| container::load(&store, id).is_err())
            {
                let _ = rsp_runtime::pods::remove_record(&store, &p, &lock);
            }
        }
    }
    Ok(code)
}

/// Removes what killed creates and removals left (never listed, so never
/// printed); `rm -a`, `container prune` and `system prune` do it.
pub(super) fn remove_orphans(store: &Store, paths: &Paths) -> anyhow::Result<()> {
    let removed = container::remove_orphans(store, paths)
        .context("removing the leftovers of killed container creations")?;
    if !removed.is_empty() {
        log::debug!("removed leftovers of killed creations: {removed:?}");
    }
    Ok(())
}

pub fn inspect(g: &Global, a: &InspectArgs) -> CmdResult {
    let (paths, store) = open_store(g)?;
    let db = store.images()?;
    let mut items = Vec::new();
    for n in &a.names {
        if (a.kind == "all" || a.kind == "container")
            && let Ok(c) = container::find(&store, n)
        {
            items.push(super::inspect::container_json(&c, &paths, &store));
            continue;
        }
        if (a.kind == "all" || a.kind == "image")
            && let Ok(rec) = rsp_image::lookup(&db, n)
        {
            items.push(super::images::inspect_json(&store, rec));
            continue;
        }
        if (a.kind == "all" || a.kind == "volume")
            && let Ok(v) = store.volume(n)
        {
            items.push(super::volumes::inspect_json(&store, &v)?);
            continue;
        }
        if (a.kind == "all" || a.kind == "network")
            && let Ok(n) = rsp_runtime::networks::find(&store, n)
        {
            items.push(super::networks::inspect_json(&n, a.format.as_deref()));
            continue;
        }
        if (a.kind == "all" || a.kind == "pod")
            && let Ok(p) = rsp_runtime::pods::find(&store, n)
        {
            items.push(super::pods::inspect_json(&store, &p)?);
            continue;
        }
        super::images::print_inspect(a.format.as_deref(), &items)?;
        return Err(anyhow!(
            "no such object: {n:?}: check the name with `rsp ps -a` or `rsp images`"
        )
        .into());
    }
    super::images::print_inspect(a.format.as_deref(), &items)?;
    Ok(0)
}

fn container_inspect(g: &Global, a: &FormatOnlyArgs) -> CmdResult {
    let (paths, store) = open_store(g)?;
    let mut items = Vec::new();
    for n in &a.names {
        let c = container::find(&store, n)?;
        items.push(super::inspect::container_json(&c, &paths, &store));
    }
    super::images::print_inspect(a.format.as_deref(), &items)?;
    Ok(0)
}

fn exists(g: &Global, a: &ExistsArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    Ok(if container::find(&store, &a.name).is_ok() {
        0
    } else {
        1
    })
}

pub fn container_cmd(g: &Global, sub: &ContainerCommand) -> CmdResult {
    match sub {
        ContainerCommand::Ps(a) => ps(g, a),
        ContainerCommand::Run(a) => run(g, a),
        ContainerCommand::Rm(a) => rm(g, a),
        ContainerCommand::Inspect(a) => container_inspect(g, a),
        ContainerCommand::Exists(a) => exists(g, a),
        ContainerCommand::Create(a) => create(g, a),
        ContainerCommand::Start(a) => super::lifecycle::start(g, a),
        ContainerCommand::Stop(a) => super::lifecycle::stop(g, a),
        ContainerCommand::Kill(a) => super::lifecycle::kill(g, a),
        ContainerCommand::Restart(a) => super::lifecycle::restart(g, a),
        ContainerCommand::Wait(a) => super::lifecycle::wait(g, a),
        ContainerCommand::Rename(a) => super::lifecycle::rename(g, a),
        ContainerCommand::Update(a) => super::lifecycle::update(g, a),
        ContainerCommand::Attach(a) => super::lifecycle::attach(g, a),
        ContainerCommand::Exec(a) => super::lifecycle::exec(g, a),
        ContainerCommand::Pause(a) => super::lifecycle::pause(g, a),
        ContainerCommand::Unpause(a) => super::lifecycle::unpause(g, a),
        ContainerCommand::Prune(a) => super::lifecycle::prune(g, a),
        ContainerCommand::Logs(a) => super::observe::logs(g, a),
        ContainerCommand::Top(a) => super::observe::top(g, a),
        ContainerCommand::Port(a) => super::observe::port(g, a),
        ContainerCommand::Stats(a) => super::observe::stats(g, a),
        ContainerCommand::Cp(a) => super::observe::cp(g, a),
        ContainerCommand::Commit(a) => super::commit::commit(g, a),
        ContainerCommand::Diff(a) => super::commit::diff(g, a),
        ContainerCommand::Export(a) => super::commit::export(g, a),
    }
}
