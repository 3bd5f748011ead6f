//! `rsp pod ...` and `run --pod`: Podman's pod commands over the engine's
//! pod records (`rsp_runtime::pods`) and the containers that belong to
//! them.

use super::args::{
    Global, PodCommand, PodCreateArgs, PodInspectArgs, PodKillArgs, PodLogsArgs, PodPruneArgs,
    PodPsArgs, PodRmArgs, PodStatsArgs,
};
use super::output::{self, Format};
use super::{CmdResult, Failure};
use anyhow::{Context, anyhow, bail};
use rsp_runtime::container::{self, Container, NetworkMode, OwnersMode};
use rsp_runtime::pods::{self, PodError, PodRecord};
use rsp_runtime::spec::{self, ContainerSpec};
use rsp_storage::Store;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Write;

pub fn pod_cmd(g: &Global, c: &PodCommand) -> CmdResult {
    match c {
        PodCommand::Create(a) => create(g, a),
        PodCommand::Ps(a) => ps(g, a),
        PodCommand::Inspect(a) => inspect(g, a),
        PodCommand::Start(a) => each(g, &a.pods, Action::Start),
        PodCommand::Stop(a) => each(g, &a.pods, Action::Stop(a.time)),
        PodCommand::Restart(a) => each(g, &a.pods, Action::Restart),
        PodCommand::Kill(a) => kill(g, a),
        PodCommand::Pause(a) => each(g, &a.pods, Action::Pause),
        PodCommand::Unpause(a) => each(g, &a.pods, Action::Unpause),
        PodCommand::Rm(a) => rm(g, a),
        PodCommand::Prune(a) => prune(g, a),
        PodCommand::Exists(a) => {
            let (_, store) = super::open_store(g)?;
            Ok(if pods::find(&store, &a.pod).is_ok() {
                0
            } else {
                1
            })
        }
        PodCommand::Top(a) => top(g, &a.pod),
        PodCommand::Stats(a) => stats(g, a),
        PodCommand::Logs(a) => logs(g, a),
    }
}

/// Exit codes as Podman's: 1 for a pod that does not exist, 125 otherwise.
fn failure(e: PodError) -> Failure {
    let code = if matches!(e, PodError::NotFound(_)) {
        1
    } else {
        125
    };
    Failure::new(code, e.into())
}

/// The infra containers' image, made in the store when first needed: one
/// empty layer (the infra runs nothing of it).
fn infra_image(store: &Store) -> anyhow::Result<rsp_storage::ImageRecord> {
    let db = store.images()?;
    if let Ok(rec) = rsp_image::lookup(&db, pods::INFRA_IMAGE) {
        return Ok(rec.clone());
    }
    // An empty tar archive: two zero blocks.
    let empty = vec![0u8; 1024];
    let opts = rsp_runtime::commit::ImportOptions {
        name: Some(pods::INFRA_IMAGE.to_string()),
        ..Default::default()
    };
    rsp_runtime::commit::import(store, &empty[..], &opts, &|_| {})
        .context("making the pods' infra image")
}

fn create(g: &Global, a: &PodCreateArgs) -> CmdResult {
    let (_, store) = super::open_store(g)?;
    if a.name.is_some() && a.pod_name.is_some() {
        return Err(anyhow!("give the pod's name once: --name or as an argument").into());
    }
    let rec = create_pod(&store, a.name.as_deref().or(a.pod_name.as_deref()), a)?;
    println!("{}", rec.id);
    Ok(0)
}

/// Makes a pod (and its infra container) as `a` asks; `run --pod new:`
/// uses it with the defaults.
pub fn create_pod(
    store: &Store,
    name: Option<&str>,
    a: &PodCreateArgs,
) -> anyhow::Result<PodRecord> {
    let share = pods::parse_share(&a.share)?;
    let custom_net = a.network != "slirp" || !a.publish.is_empty() || !a.add_host.is_empty();
    if !a.infra && (custom_net || a.hostname.is_some()) {
        bail!(
            "--publish, --network, --add-host and --hostname need the pod's infra container: leave --infra=false out"
        );
    }
    if custom_net && !share.iter().any(|s| s == "net") {
        bail!(
            "--publish, --network and --add-host are the pod's shared network's: add net to --share"
        );
    }
    let share = if a.infra { share } else { Vec::new() };
    let mut rec = pods::new_record(
        store,
        name,
        super::key_values("--label", &a.label)?,
        a.hostname.as_deref(),
        share,
        std::env::args().collect(),
    )?;
    let mut infra_spec = None;
    if a.infra {
        let (network, net_options, networks, network_container) =
            super::containers::network_flag(&a.network)?;
        if network_container.is_some() || network == NetworkMode::Host {
            bail!(
                "a pod's network cannot be the host's or another container's in rsp (its members could not join it): give slirp, none, bridge or network names"
            );
        }
        let ports = a
            .publish
            .iter()
            .map(|p| rsp_net::parse_publish(p))
            .collect::<Result<Vec<_>, _>>()?;
        let s = ContainerSpec {
            image: pods::INFRA_IMAGE.to_string(),
            name: Some(format!("{}-infra", &rec.id[..12])),
            command: vec!["rsp-infra".to_string()],
            hostname: Some(rec.hostname.clone()),
            // On user-defined networks the pod answers to its name.
            network_aliases: if network == NetworkMode::Bridge {
                vec![rec.name.clone()]
            } else {
                Vec::new()
            },
            network,
            net_options,
            networks,
            ports,
            add_hosts: a.add_host.clone(),
            owners: Some(OwnersMode::User),
            // Members' roots have no privilege over the infra's network
            // namespace: low ports must be open to them, as to the
            // containers of a Podman pod (which share its root).
            sysctls: if rec.share.iter().any(|s| s == "net") && network.own_namespace() {
                vec!["net.ipv4.ip_unprivileged_port_start=0".to_string()]
            } else {
                Vec::new()
            },
            pod: Some(rec.id.clone()),
            infra: true,
            labels: BTreeMap::new(),
            ..ContainerSpec::default()
        };
        s.validate().map_err(|e| anyhow!(e))?;
        infra_spec = Some(s);
    }
    // The record first: an infra container never exists without its pod.
    {
        let lock = store.lock()?;
        pods::insert(store, &rec, &lock)?;
    }
    if let Some(s) = infra_spec {
        let made = (|| -> anyhow::Result<String> {
            let img = infra_image(store)?;
            let built = s.build(store, &img).map_err(|e| anyhow!(e))?;
            let mut cfg = built.config;
            spec::create(store, &mut cfg, true)?;
            Ok(cfg.id)
        })();
        let lock = store.lock()?;
        match made {
            Ok(id) => {
                rec.infra_id = Some(id);
                pods::save(store, &rec, &lock)?;
            }
            Err(e) => {
                let _ = pods::remove_record(store, &rec, &lock);
                return Err(e);
            }
        }
    }
    Ok(rec)
}

/// `run`/`create --pod POD` (`new:NAME` makes it): the member joins the
/// pod and the namespaces it shares.
pub fn join_pod(
    store: &Store,
    pod: &str,
    s: &mut ContainerSpec,
    flags_network: &str,
) -> anyhow::Result<Option<PodRecord>> {
    let new = pod.strip_prefix("new:");
    // What the pod shares decides which of the member's flags are its;
    // checked before a new pod is made.
    let (share, has_infra, name) = match new {
        Some(n) => (
            pods::DEFAULT_SHARE.iter().map(|s| s.to_string()).collect(),
            true,
            n.to_string(),
        ),
        None => {
            let rec = pods::find(store, pod)?;
            (rec.share.clone(), rec.infra_id.is_some(), rec.name)
        }
    };
    let shares = |n: &str| share.iter().any(|s| s == n);
    if has_infra {
        if shares("net") {
            if flags_network != "slirp" || !s.ports.is_empty() || !s.add_hosts.is_empty() {
                bail!(
                    "--network, --publish and --add-host of a pod's container are the pod's: give them to `rsp pod create` (pod {name})"
                );
            }
        } else if s.network == NetworkMode::Bridge || s.network == NetworkMode::Host {
            bail!(
                "a container of pod {name}, which does not share its network, can use only a network of its own (slirp or none): make the pod share net and give it the network"
            );
        }
        if shares("uts") && s.hostname.is_some() {
            bail!(
                "--hostname of a pod's container is the pod's: give it to `rsp pod create --hostname` (pod {name})"
            );
        }
    }
    let mut made = None;
    let rec = match new {
        Some(name) => {
            let defaults = PodCreateArgs {
                name: None,
                infra: true,
                share: pods::DEFAULT_SHARE.join(","),
                publish: Vec::new(),
                network: "slirp".to_string(),
                hostname: None,
                add_host: Vec::new(),
                label: Vec::new(),
                pod_name: None,
            };
            let rec = create_pod(store, Some(name), &defaults)?;
            made = Some(rec.clone());
            rec
        }
        None => pods::find(store, pod)?,
    };
    if let Some(infra) = &rec.infra_id {
        if shares("net") {
            s.network = NetworkMode::Container;
            s.network_container = Some(infra.clone());
        }
        if shares("uts") {
            s.hostname = Some(rec.hostname.clone());
        }
        s.pod_infra = Some(infra.clone());
        s.pod_share = rec.share.iter().filter(|n| *n != "net").cloned().collect();
    }
    s.pod = Some(rec.id.clone());
    Ok(made)
}

fn load_all(store: &Store, names: &[String]) -> Result<Vec<PodRecord>, Failure> {
    names
        .iter()
        .map(|n| pods::find(store, n).map_err(failure))
        .collect()
}

#[derive(Clone, Copy)]
enum Action {
    Start,
    Stop(Option<u32>),
    Restart,
    Pause,
    Unpause,
}

/// Applies `act` to each pod's containers, the infra first to start and
/// last to stop; prints each pod's ID.
fn each(g: &Global, names: &[String], act: Action) -> CmdResult {
    let (paths, store) = super::open_store(g)?;
    let recs = load_all(&store, names)?;
    let mut out = std::io::stdout().lock();
    for rec in recs {
        let members = pods::members(&store, &rec)?;
        let stop = |c: &Container, t: Option<u32>| -> anyhow::Result<()> {
            if c.state.is_active() || c.state.monitor_alive() {
                rsp_runtime::ops::stop(&store, &paths, c, t, &mut output::warn)?;
            }
            Ok(())
        };
        let start = |c: &Container| -> anyhow::Result<()> {
            let now = container::load(&store, &c.config.id)?;
            if !now.state.is_active() {
                rsp_runtime::ops::start(&store, &paths, &now, false)?;
            }
            Ok(())
        };
        match act {
            Action::Start => {
                for c in &members {
                    start(c).with_context(|| format!("starting {}", c.config.name))?;
                }
            }
            Action::Stop(t) => {
                for c in members.iter().rev() {
                    stop(c, t).with_context(|| format!("stopping {}", c.config.name))?;
                }
            }
            Action::Restart => {
                for c in members.iter().rev() {
                    stop(c, None).with_context(|| format!("stopping {}", c.config.name))?;
                }
                for c in &members {
                    start(c).with_context(|| format!("starting {}", c.config.name))?;
                }
            }
            Action::Pause | Action::Unpause => {
                for c in &members {
                    let now = container::load(&store, &c.config.id)?;
                    let r = if matches!(act, Action::Pause) {
                        if now.state.status != container::Status::Running {
                            continue;
                        }
                        rsp_runtime::ops::pause(&store, &now)
                    } else {
                        if now.state.status != container::Status::Paused {
                            continue;
                        }
                        rsp_runtime::ops::unpause(&store, &now)
                    };
                    r.with_context(|| format!("container {}", c.config.name))?;
                }
            }
        }
        writeln!(out, "{}", rec.id)?;
    }
    Ok(0)
}

fn kill(g: &Global, a: &PodKillArgs) -> CmdResult {
    let (paths, store) = super::open_store(g)?;
    let sig = rsp_runtime::ops::parse_signal(&a.signal).ok_or_else(|| {
        anyhow!(
            "invalid signal {:?}: give a name such as TERM or a number",
            a.signal
        )
    })?;
    let recs = load_all(&store, &a.pods)?;
    let mut out = std::io::stdout().lock();
    let mut code = 0;
    for rec in recs {
        let members = pods::members(&store, &rec)?;
        if !members.iter().any(|c| c.state.is_active()) {
            eprintln!("Error: pod {} has no running containers to kill", rec.name);
            code = 125;
            continue;
        }
        // The infra holds the others' namespaces: only KILL reaches it
        // (a signal the members handle must not take their network).
        let kill_infra = sig == nix::sys::signal::Signal::SIGKILL;
        for c in members
            .iter()
            .rev()
            .filter(|c| c.state.is_active() && (kill_infra || !c.config.infra))
        {
            rsp_runtime::ops::kill(&store, &paths, c, sig)
                .with_context(|| format!("killing {}", c.config.name))?;
        }
        writeln!(out, "{}", rec.id)?;
    }
    Ok(code)
}

/// Removes `rec` and its containers (stopping running ones with `force`).
fn remove_pod(
    store: &Store,
    paths: &rsp_base::paths::Paths,
    rec: &PodRecord,
    force: bool,
    time: Option<u32>,
) -> anyhow::Result<()> {
    let members = pods::members(store, rec)?;
    if !force && members.iter().any(|c| c.state.is_active()) {
        return Err(anyhow!(failure(PodError::Running(rec.name.clone())).error));
    }
    // Members first, the infra (whose namespaces they use) last.
    for c in members.iter().rev() {
        rsp_runtime::ops::remove(store, paths, c, true, time, false, &mut output::warn)
            .with_context(|| format!("removing container {} of pod {}", c.config.name, rec.name))?;
    }
    let lock = store.lock()?;
    pods::remove_record(store, rec, &lock)?;
    Ok(())
}

/// Removes a pod `run --pod new:` made for a container that was not
/// made after all.
pub fn discard(
    store: &Store,
    paths: &rsp_base::paths::Paths,
    rec: &PodRecord,
) -> anyhow::Result<()> {
    remove_pod(store, paths, rec, true, Some(0))
}

fn rm(g: &Global, a: &PodRmArgs) -> CmdResult {
    let (paths, store) = super::open_store(g)?;
    let recs = load_all(&store, &a.pods)?;
    let mut out = std::io::stdout().lock();
    for rec in recs {
        remove_pod(&store, &paths, &rec, a.force, a.time)?;
        writeln!(out, "{}", rec.id)?;
    }
    Ok(0)
}

/// Removes the pods none of whose containers runs; their IDs (`system
/// prune` uses it too).
pub fn prune_stopped(store: &Store, paths: &rsp_base::paths::Paths) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for rec in pods::list(store)? {
        let members = pods::members(store, &rec)?;
        if members.iter().any(|c| c.state.is_active()) {
            continue;
        }
        remove_pod(store, paths, &rec, false, None)?;
        out.push(rec.id);
    }
    Ok(out)
}

fn prune(g: &Global, a: &PodPruneArgs) -> CmdResult {
    let (paths, store) = super::open_store(g)?;
    if !a.force
        && !super::imagecmds::confirm(
            "WARNING! This will remove all stopped/exited pods..\nAre you sure you want to continue? [y/N] ",
        )?
    {
        return Ok(0);
    }
    let mut out = std::io::stdout().lock();
    for rec in pods::list(&store)? {
        let members = pods::members(&store, &rec)?;
        if members.iter().any(|c| c.state.is_active()) {
            continue;
        }
        remove_pod(&store, &paths, &rec, false, None)?;
        writeln!(out, "{}", rec.id)?;
    }
    Ok(0)
}

/// One pod as `rsp inspect` shows it.
pub fn inspect_json(store: &Store, rec: &PodRecord) -> anyhow::Result<Value> {
    Ok(pod_json(rec, &pods::members(store, rec)?))
}

/// A pod as `pod inspect` shows it (Podman's fields).
fn pod_json(rec: &PodRecord, members: &[Container]) -> Value {
    let containers: Vec<Value> = members
        .iter()
        .map(|c| {
            json!({
                "Id": c.config.id,
                "Name": c.config.name,
                "State": c.state.status.as_str(),
            })
        })
        .collect();
    json!({
        "Id": rec.id,
        "Name": rec.name,
        "Created": rec.created,
        "CreateCommand": rec.create_command,
        "State": pods::status(members),
        "Hostname": rec.hostname,
        "Labels": rec.labels,
        "CreateInfra": rec.infra_id.is_some(),
        "InfraContainerID": rec.infra_id.clone().unwrap_or_default(),
        "SharedNamespaces": rec.share,
        "NumContainers": members.len(),
        "Containers": containers,
    })
}

fn inspect(g: &Global, a: &PodInspectArgs) -> CmdResult {
    let (_, store) = super::open_store(g)?;
    let recs = load_all(&store, &a.pods)?;
    let mut items = Vec::new();
    for rec in &recs {
        items.push(pod_json(rec, &pods::members(&store, rec)?));
    }
    let mut out = std::io::stdout().lock();
    match output::parse_format(a.format.as_deref(), &[])? {
        fmt @ Format::Template { .. } => output::render_template(&mut out, &fmt, &items)?,
        // One pod: its object, as Podman prints it; several: a list.
        _ if items.len() == 1 => writeln!(out, "{}", output::json_pretty(&items[0]))?,
        _ => writeln!(out, "{}", output::json_pretty(&Value::Array(items)))?,
    }
    Ok(0)
}

fn ps(g: &Global, a: &PodPsArgs) -> CmdResult {
    let (_, store) = super::open_store(g)?;
    for f in &a.filter {
        if !matches!(
            f.split_once('='),
            Some(("name" | "id" | "status" | "label", _))
        ) {
            return Err(anyhow!("invalid filter {f:?}: use name=, id=, status= or label=").into());
        }
    }
    let mut rows = Vec::new();
    for rec in pods::list(&store)? {
        let members = pods::members(&store, &rec)?;
        let status = pods::status(&members);
        let keep = a.filter.iter().all(|f| match f.split_once('=') {
            Some(("name", v)) => super::containers::regex_lite_match(v, &rec.name),
            Some(("id", v)) => rec.id.starts_with(v),
            Some(("status", v)) => status.eq_ignore_ascii_case(v),
            Some(("label", v)) => super::map_has(&rec.labels, v),
            _ => false,
        });
        if keep {
            rows.push((rec, members, status));
        }
    }
    let mut out = std::io::stdout().lock();
    let id = |s: &str| -> String {
        if a.no_trunc {
            s.to_string()
        } else {
            s.chars().take(12).collect()
        }
    };
    if a.quiet {
        for (rec, _, _) in &rows {
            writeln!(out, "{}", id(&rec.id))?;
        }
        return Ok(0);
    }
    let items: Vec<Value> = rows
        .iter()
        .map(|(rec, m, status)| {
            json!({
                "Id": id(&rec.id),
                "Name": rec.name,
                "Status": status,
                "Created": rec.created,
                "InfraId": id(rec.infra_id.as_deref().unwrap_or_default()),
                "NumberOfContainers": m.len(),
                "Labels": rec.labels,
                "Containers": m.iter().map(|c| json!({"Id": c.config.id, "Names": c.config.name, "Status": c.state.status.as_str()})).collect::<Vec<_>>(),
            })
        })
        .collect();
    match output::parse_format(
        a.format.as_deref(),
        &[("Id", "POD ID"), ("Name", "NAME"), ("Status", "STATUS")],
    )? {
        Format::Json => writeln!(out, "{}", output::json_pretty(&Value::Array(items)))?,
        fmt @ Format::Template { .. } => output::render_template(&mut out, &fmt, &items)?,
        Format::Default => {
            let table: Vec<Vec<String>> = rows
                .iter()
                .map(|(rec, m, status)| {
                    vec![
                        id(&rec.id),
                        rec.name.clone(),
                        status.to_string(),
                        output::human_ago(&rec.created),
                        id(rec.infra_id.as_deref().unwrap_or_default()),
                        m.len().to_string(),
                    ]
                })
                .collect();
            let header = [
                "POD ID",
                "NAME",
                "STATUS",
                "CREATED",
                "INFRA ID",
                "# OF CONTAINERS",
            ];
            if a.noheading {
                for r in table {
                    writeln!(out, "{}", r.join("  "))?;
                }
            } else {
                output::table(&mut out, &header, &table)?;
            }
        }
    }
    Ok(0)
}

/// The pod's containers that run something of their own (not the infra).
fn workers(store: &Store, pod: &str) -> anyhow::Result<Vec<Container>> {
    let rec = pods::find(store, pod).map_err(|e| anyhow!(failure(e).error))?;
    Ok(pods::members(store, &rec)?
        .into_iter()
        .filter(|c| !c.config.infra)
        .collect())
}

fn top(g: &Global, pod: &str) -> CmdResult {
    let (_, store) = super::open_store(g)?;
    let running: Vec<Container> = workers(&store, pod)?
        .into_iter()
        .filter(|c| c.state.is_active())
        .collect();
    if running.is_empty() {
        return Err(anyhow!("pod {pod} has no running containers").into());
    }
    for c in running {
        println!("{}:", c.config.name);
        let a = super::args::TopArgs {
            container: c.config.id.clone(),
            descriptors: Vec::new(),
        };
        super::observe::top(g, &a)?;
    }
    Ok(0)
}

fn stats(g: &Global, a: &PodStatsArgs) -> CmdResult {
    let (_, store) = super::open_store(g)?;
    let names: Vec<String> = workers(&store, &a.pod)?
        .into_iter()
        .filter(|c| c.state.is_active())
        .map(|c| c.config.name)
        .collect();
    if names.is_empty() {
        return Err(anyhow!("pod {} has no running containers", a.pod).into());
    }
    let s = super::args::StatsArgs {
        all: false,
        no_stream: a.no_stream,
        no_trunc: false,
        format: a.format.clone(),
        interval: 5,
        containers: names,
    };
    super::observe::stats(g, &s)
}

fn logs(g: &Global, a: &PodLogsArgs) -> CmdResult {
    let (_, store) = super::open_store(g)?;
    let mut names: Vec<String> = workers(&store, &a.pod)?
        .into_iter()
        .map(|c| c.config.name)
        .collect();
    if let Some(c) = &a.container {
        let c = container::find(&store, c)?;
        if !names.contains(&c.config.name) {
            return Err(anyhow!("container {} is not in pod {}", c.config.name, a.pod).into());
        }
        names = vec![c.config.name];
    }
    if names.is_empty() {
        return Ok(0);
    }
    let l = super::args::LogsArgs {
        follow: a.follow,
        since: None,
        until: None,
        tail: a.tail,
        timestamps: a.timestamps,
        names: names.len() > 1,
        containers: names,
    };
    super::observe::logs(g, &l)
}
