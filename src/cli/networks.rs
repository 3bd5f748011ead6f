//! `rsp network ...`: Podman's network commands over the engine's network
//! records (`rsp_runtime::networks`).

use super::args::{
    Global, NetworkCommand, NetworkCreateArgs, NetworkInspectArgs, NetworkLsArgs, NetworkPruneArgs,
    NetworkRmArgs,
};
use super::output::{self, Format};
use super::{CmdResult, Failure};
use anyhow::{Context, anyhow, bail};
use rsp_runtime::networks::{self, NetworkError, NetworkRecord};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Write;

pub fn network_cmd(g: &Global, c: &NetworkCommand) -> CmdResult {
    match c {
        NetworkCommand::Create(a) => create(g, a),
        NetworkCommand::Ls(a) => ls(g, a),
        NetworkCommand::Inspect(a) => inspect(g, a),
        NetworkCommand::Rm(a) => rm(g, a),
        NetworkCommand::Prune(a) => prune(g, a),
        NetworkCommand::Connect(a) => {
            let ip =
                a.ip.as_deref()
                    .map(|ip| {
                        ip.parse::<std::net::Ipv4Addr>().with_context(|| {
                        format!(
                            "invalid --ip {ip:?}: give an IPv4 address inside the network's subnet"
                        )
                    })
                    })
                    .transpose()?;
            change(g, &a.network, &a.container, &a.alias, ip, true)
        }
        NetworkCommand::Disconnect(a) => change(g, &a.network, &a.container, &[], None, false),
        NetworkCommand::Exists(a) => {
            let (_, store) = super::open_store(g)?;
            Ok(if networks::find(&store, &a.name).is_ok() {
                0
            } else {
                1
            })
        }
    }
}

fn change(
    g: &Global,
    network: &str,
    container: &str,
    aliases: &[String],
    ip: Option<std::net::Ipv4Addr>,
    connect: bool,
) -> CmdResult {
    let (paths, store) = super::open_store(g)?;
    let c = rsp_runtime::container::find(&store, container)?;
    rsp_runtime::ops::network_change(&store, &paths, &c, network, aliases, ip, connect)?;
    Ok(0)
}

/// Exit codes as Podman's: 1 for a network that does not exist, 2 for one
/// in use, 125 otherwise.
fn failure(e: NetworkError) -> Failure {
    let code = match &e {
        NetworkError::NotFound(_) => 1,
        NetworkError::InUse(_) => 2,
        _ => 125,
    };
    Failure::new(code, e.into())
}

fn create(g: &Global, a: &NetworkCreateArgs) -> CmdResult {
    let (_, store) = super::open_store(g)?;
    let opts = networks::CreateOptions {
        driver: a.driver.clone(),
        subnets: a.subnet.clone(),
        gateways: a.gateway.clone(),
        ip_ranges: a.ip_range.clone(),
        internal: a.internal,
        disable_dns: a.disable_dns,
        labels: super::key_values("--label", &a.label)?,
        options: super::key_values("--opt", &a.opt)?,
        ignore_existing: a.ignore,
    };
    let created = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
    let rec = networks::create(&store, a.name.as_deref(), &opts, created).map_err(failure)?;
    println!("{}", rec.name);
    Ok(0)
}

/// A network as `network inspect` and `--format json` show it: the
/// record, which has Podman's fields.
fn network_json(n: &NetworkRecord) -> Value {
    serde_json::to_value(n).unwrap_or(Value::Null)
}

/// A network as Go templates see it: the field names of Podman's
/// `types.Network`. `id_len` cuts the ID (`ls` shows 12 digits).
fn network_fields(n: &NetworkRecord, id_len: usize) -> Value {
    let subnets: Vec<Value> = n
        .subnets
        .iter()
        .map(|s| {
            json!({
                "Subnet": s.subnet,
                "Gateway": s.gateway.to_string(),
                "LeaseRange": s.lease_range.as_ref().map(|r| json!({
                    "StartIP": r.start_ip.to_string(),
                    "EndIP": r.end_ip.to_string(),
                })),
            })
        })
        .collect();
    json!({
        "Name": n.name,
        "ID": n.id.chars().take(id_len).collect::<String>(),
        "Driver": n.driver,
        "NetworkInterface": n.network_interface,
        "Created": n.created,
        "Subnets": subnets,
        "IPv6Enabled": n.ipv6_enabled,
        "Internal": n.internal,
        "DNSEnabled": n.dns_enabled,
        "Labels": n.labels,
        "Options": n.options,
        "IPAMOptions": n.ipam_options,
    })
}

/// One network as `rsp inspect` shows it: the record, or its Go fields for
/// a template.
pub fn inspect_json(n: &NetworkRecord, format: Option<&str>) -> Value {
    match format {
        Some(f) if f != "json" => network_fields(n, usize::MAX),
        _ => network_json(n),
    }
}

/// `--filter` for `network ls` and `network prune`: every key must match
/// (several values of one key: any of them). `allowed` names the keys the
/// command takes.
fn filter(
    filters: &[String],
    allowed: &[&str],
    users: &BTreeMap<String, Vec<String>>,
) -> anyhow::Result<impl Fn(&NetworkRecord) -> bool> {
    let mut by_key: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in filters {
        let Some((k, v)) = f.split_once('=') else {
            bail!("invalid filter {f:?}: use KEY=VALUE");
        };
        if !allowed.contains(&k) {
            bail!("invalid filter {k:?}: use {}", allowed.join(", "));
        }
        if k == "dangling" && !matches!(v, "true" | "false" | "1" | "0") {
            bail!("invalid dangling filter {v:?}: use true or false");
        }
        if k == "until" {
            super::parse_until(v)?;
        }
        by_key.entry(k.to_string()).or_default().push(v.to_string());
    }
    let used: std::collections::HashSet<String> = users
        .iter()
        .filter(|(_, ids)| !ids.is_empty())
        .map(|(n, _)| n.clone())
        .collect();
    Ok(move |n: &NetworkRecord| {
        let label = |want: &str| super::map_has(&n.labels, want);
        by_key.iter().all(|(k, vals)| match k.as_str() {
            "name" => vals
                .iter()
                .any(|v| super::containers::regex_lite_match(v, &n.name)),
            "id" => vals.iter().any(|v| n.id.starts_with(v.as_str())),
            "driver" => vals.contains(&n.driver),
            "label" => vals.iter().any(|l| label(l)),
            "label!" => vals.iter().all(|l| !label(l)),
            "dangling" => vals
                .iter()
                .any(|d| matches!(d.as_str(), "true" | "1") != used.contains(&n.name)),
            "until" => {
                let created = chrono::DateTime::parse_from_rfc3339(&n.created).ok();
                vals.iter()
                    .any(|u| match (super::parse_until(u).ok(), created) {
                        (Some(u), Some(t)) => t < u,
                        _ => false,
                    })
            }
            _ => true,
        })
    })
}

fn ls(g: &Global, a: &NetworkLsArgs) -> CmdResult {
    let (_, store) = super::open_store(g)?;
    let users = networks::users(&store).map_err(failure)?;
    let keep = filter(
        &a.filter,
        &[
            "name", "id", "driver", "label", "label!", "dangling", "until",
        ],
        &users,
    )?;
    let nets: Vec<NetworkRecord> = networks::list(&store)
        .map_err(failure)?
        .into_iter()
        .filter(|n| keep(n))
        .collect();
    let mut out = std::io::stdout().lock();
    if a.quiet {
        for n in &nets {
            writeln!(out, "{}", n.name)?;
        }
        return Ok(0);
    }
    let id_len = if a.no_trunc { usize::MAX } else { 12 };
    let headers = [
        ("ID", "NETWORK ID"),
        ("Name", "NAME"),
        ("Driver", "DRIVER"),
        ("NetworkInterface", "NETWORK INTERFACE"),
    ];
    match output::parse_format(a.format.as_deref(), &headers)? {
        Format::Json => {
            let items: Vec<Value> = nets.iter().map(network_json).collect();
            writeln!(out, "{}", output::json_pretty(&Value::Array(items)))?
        }
        fmt @ Format::Template { .. } => {
            let fmt = match fmt {
                Format::Template { tmpl, table, .. } if a.noheading => Format::Template {
                    tmpl,
                    table,
                    header: String::new(),
                },
                f => f,
            };
            let items: Vec<Value> = nets.iter().map(|n| network_fields(n, id_len)).collect();
            output::render_template(&mut out, &fmt, &items)?
        }
        Format::Default => {
            let rows: Vec<Vec<String>> = nets
                .iter()
                .map(|n| {
                    vec![
                        n.id.chars().take(id_len).collect(),
                        n.name.clone(),
                        n.driver.clone(),
                    ]
                })
                .collect();
            if a.noheading {
                for r in rows {
                    writeln!(out, "{:<14}{:<12}{}", r[0], r[1], r[2])?;
                }
            } else {
                output::table(&mut out, &["NETWORK ID", "NAME", "DRIVER"], &rows)?;
            }
        }
    }
    Ok(0)
}

fn inspect(g: &Global, a: &NetworkInspectArgs) -> CmdResult {
    let (_, store) = super::open_store(g)?;
    let mut nets = Vec::new();
    for n in &a.names {
        nets.push(networks::find(&store, n).map_err(|e| {
            // Podman's `network inspect` of a missing network is a 125.
            Failure::new(125, e.into())
        })?);
    }
    let mut out = std::io::stdout().lock();
    match output::parse_format(a.format.as_deref(), &[])? {
        fmt @ Format::Template { .. } => {
            let items: Vec<Value> = nets.iter().map(|n| network_fields(n, usize::MAX)).collect();
            output::render_template(&mut out, &fmt, &items)?
        }
        _ => {
            let items: Vec<Value> = nets.iter().map(network_json).collect();
            writeln!(out, "{}", output::json_pretty(&Value::Array(items)))?
        }
    }
    Ok(0)
}

fn rm(g: &Global, a: &NetworkRmArgs) -> CmdResult {
    let (paths, store) = super::open_store(g)?;
    if a.time.is_some() && !a.force {
        return Err(anyhow!("--time only applies with --force: add -f or leave --time out").into());
    }
    let mut code = 0;
    let mut out = std::io::stdout().lock();
    for name in &a.names {
        if a.force
            && let Ok(rec) = networks::find(&store, name)
        {
            let users = networks::users(&store).map_err(failure)?;
            for id in users.get(&rec.name).cloned().unwrap_or_default() {
                let Ok(c) = rsp_runtime::container::load(&store, &id) else {
                    continue;
                };
                rsp_runtime::ops::remove(
                    &store,
                    &paths,
                    &c,
                    true,
                    a.time,
                    false,
                    &mut output::warn,
                )
                .with_context(|| {
                    format!(
                        "removing container {} that uses network {}",
                        c.config.name, rec.name
                    )
                })?;
            }
        }
        match networks::remove(&store, name) {
            Ok(rec) => writeln!(out, "{}", rec.name)?,
            Err(e) => {
                if a.names.len() == 1 {
                    return Err(failure(e));
                }
                let f = failure(e);
                eprintln!("Error: {}", super::one_line(&f.error));
                code = code.max(f.code);
            }
        }
    }
    Ok(code)
}

/// Removes the networks no container uses that `filters` (label=,
/// label!=, until=) select; their names. `system prune` uses it too.
pub fn prune_networks(
    store: &rsp_storage::Store,
    filters: &[String],
) -> anyhow::Result<Vec<String>> {
    let users = networks::users(store)?;
    let keep = filter(filters, &["label", "label!", "until"], &users)?;
    Ok(networks::prune(store, &|n| keep(n))?)
}

fn prune(g: &Global, a: &NetworkPruneArgs) -> CmdResult {
    let (_, store) = super::open_store(g)?;
    if !a.force
        && !super::imagecmds::confirm(
            "WARNING! This will remove all networks not used by at least one container.\nAre you sure you want to continue? [y/N] ",
        )?
    {
        return Ok(0);
    }
    let removed = prune_networks(&store, &a.filter)?;
    let mut out = std::io::stdout().lock();
    for name in removed {
        writeln!(out, "{name}")?;
    }
    Ok(0)
}
