//! `rsp volume ...`: Podman's volume commands over the store's volumes
//! (`rsp_storage::volume`) and the engine's rules for them
//! (`rsp_runtime::volumes`).

use super::args::{
    Global, VolumeCommand, VolumeCreateArgs, VolumeExportArgs, VolumeImportArgs, VolumeInspectArgs,
    VolumeLsArgs, VolumePruneArgs, VolumeRmArgs,
};
use super::output::{self, Format};
use super::{CmdResult, Failure};
use anyhow::{Context, anyhow, bail};
use rsp_runtime::volumes::{self, VolumesError};
use rsp_storage::Store;
use rsp_storage::volume::{VolumeError, VolumeRecord};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Write;

pub fn volume_cmd(g: &Global, c: &VolumeCommand) -> CmdResult {
    match c {
        VolumeCommand::Create(a) => create(g, a),
        VolumeCommand::Ls(a) => ls(g, a),
        VolumeCommand::Inspect(a) => inspect(g, a),
        VolumeCommand::Rm(a) => rm(g, a),
        VolumeCommand::Prune(a) => prune(g, a),
        VolumeCommand::Exists(a) => {
            let (_, store) = super::open_store(g)?;
            Ok(if store.volume(&a.name).is_ok() { 0 } else { 1 })
        }
        VolumeCommand::Export(a) => export(g, a),
        VolumeCommand::Import(a) => import(g, a),
        // Podman reloads volume plugins' volumes; rsp has no plugins, so
        // there is nothing to add or remove.
        VolumeCommand::Reload => Ok(0),
    }
}

/// Exit codes as Podman's: 1 for a volume that does not exist, 2 for one
/// in use, 125 otherwise.
fn failure(e: VolumesError) -> Failure {
    let code = match &e {
        VolumesError::Volume(VolumeError::NotFound(_)) => 1,
        VolumesError::InUse { .. } => 2,
        _ => 125,
    };
    Failure::new(code, e.into())
}

fn create(g: &Global, a: &VolumeCreateArgs) -> CmdResult {
    if a.driver != rsp_storage::volume::LOCAL {
        return Err(anyhow!(
            "volume driver {:?}: rsp has only the local driver: leave --driver out",
            a.driver
        )
        .into());
    }
    let (_, store) = super::open_store(g)?;
    let opts = volumes::CreateOptions {
        labels: super::key_values("--label", &a.label)?,
        options: super::key_values("--opt", &a.opt)?,
        ignore_existing: a.ignore,
    };
    let name = volumes::create(&store, a.name.as_deref(), &opts).map_err(failure)?;
    println!("{name}");
    Ok(0)
}

/// A volume as `volume inspect` and `--format` show it (Podman's fields).
fn volume_json(store: &Store, v: &VolumeRecord, users: &BTreeMap<String, Vec<String>>) -> Value {
    let mountpoint = match v.options.get("type").map(String::as_str) {
        Some("none") | Some("bind") => v.options.get("device").cloned().unwrap_or_default(),
        _ => store
            .volume_data(&v.name)
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
    };
    let mut j = json!({
        "Name": v.name,
        "Driver": v.driver,
        "Mountpoint": mountpoint,
        "CreatedAt": v.created_at,
        "Labels": v.labels,
        "Scope": "local",
        "Options": v.options,
        "MountCount": users.get(&v.name).map_or(0, Vec::len),
        "NeedsCopyUp": v.needs_copy_up,
        "NeedsChown": v.needs_copy_up,
        "LockNumber": 0,
    });
    if v.anonymous {
        j["Anonymous"] = json!(true);
    }
    j
}

/// One volume as `rsp inspect` shows it.
pub fn inspect_json(store: &Store, v: &VolumeRecord) -> anyhow::Result<Value> {
    let users = volumes::users(store)?;
    Ok(volume_json(store, v, &users))
}

/// `--filter` for `volume ls` and `volume prune`: every key must match
/// (several values of one key: any of them).
fn filter(
    filters: &[String],
    users: &BTreeMap<String, Vec<String>>,
) -> anyhow::Result<impl Fn(&VolumeRecord) -> bool> {
    let mut by_key: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in filters {
        let Some((k, v)) = f.split_once('=') else {
            bail!("invalid filter {f:?}: use KEY=VALUE");
        };
        if !matches!(
            k,
            "name" | "label" | "label!" | "driver" | "dangling" | "until" | "scope" | "opt"
        ) {
            bail!(
                "invalid filter {k:?}: use name, label, label!, driver, dangling, until, scope or opt"
            );
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
    Ok(move |v: &VolumeRecord| {
        let label = |want: &str| super::map_has(&v.labels, want);
        by_key.iter().all(|(k, vals)| match k.as_str() {
            "name" => vals.iter().any(|n| v.name.contains(n.as_str())),
            "label" => vals.iter().any(|l| label(l)),
            "label!" => vals.iter().all(|l| !label(l)),
            "driver" => vals.contains(&v.driver),
            "scope" => vals.iter().any(|s| s == "local"),
            "dangling" => vals
                .iter()
                .any(|d| matches!(d.as_str(), "true" | "1") != used.contains(&v.name)),
            "opt" => vals.iter().any(|o| super::map_has(&v.options, o)),
            "until" => {
                let created = chrono::DateTime::parse_from_rfc3339(&v.created_at).ok();
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

fn ls(g: &Global, a: &VolumeLsArgs) -> CmdResult {
    let (_, store) = super::open_store(g)?;
    let users = volumes::users(&store).map_err(failure)?;
    let keep = filter(&a.filter, &users)?;
    let vols: Vec<VolumeRecord> = store
        .volumes()
        .map_err(|e| failure(e.into()))?
        .into_iter()
        .filter(|v| keep(v))
        .collect();
    let mut out = std::io::stdout().lock();
    if a.quiet {
        for v in &vols {
            writeln!(out, "{}", v.name)?;
        }
        return Ok(0);
    }
    let items: Vec<Value> = vols
        .iter()
        .map(|v| volume_json(&store, v, &users))
        .collect();
    match output::parse_format(a.format.as_deref(), &[("Name", "VOLUME NAME")])? {
        Format::Json => writeln!(out, "{}", output::json_pretty(&Value::Array(items)))?,
        fmt @ Format::Template { .. } => {
            let fmt = if a.noheading {
                match fmt {
                    Format::Template { tmpl, .. } => Format::Template {
                        tmpl,
                        table: false,
                        header: String::new(),
                    },
                    f => f,
                }
            } else {
                fmt
            };
            output::render_template(&mut out, &fmt, &items)?
        }
        Format::Default => {
            let rows: Vec<Vec<String>> = vols
                .iter()
                .map(|v| vec![v.driver.clone(), v.name.clone()])
                .collect();
            if a.noheading {
                for r in rows {
                    writeln!(out, "{:<12}{}", r[0], r[1])?;
                }
            } else {
                output::table(&mut out, &["DRIVER", "VOLUME NAME"], &rows)?;
            }
        }
    }
    Ok(0)
}

fn inspect(g: &Global, a: &VolumeInspectArgs) -> CmdResult {
    let (_, store) = super::open_store(g)?;
    if a.all != a.names.is_empty() {
        return Err(anyhow!("give volume names or --all (not both)").into());
    }
    let users = volumes::users(&store).map_err(failure)?;
    let vols = if a.all {
        store.volumes().map_err(|e| failure(e.into()))?
    } else {
        let mut v = Vec::new();
        for n in &a.names {
            v.push(store.volume(n).map_err(|e| failure(e.into()))?);
        }
        v
    };
    let items: Vec<Value> = vols
        .iter()
        .map(|v| volume_json(&store, v, &users))
        .collect();
    let mut out = std::io::stdout().lock();
    match output::parse_format(a.format.as_deref(), &[])? {
        fmt @ Format::Template { .. } => output::render_template(&mut out, &fmt, &items)?,
        _ => writeln!(out, "{}", output::json_pretty(&Value::Array(items)))?,
    }
    Ok(0)
}

fn rm(g: &Global, a: &VolumeRmArgs) -> CmdResult {
    let (paths, store) = super::open_store(g)?;
    if a.all != a.names.is_empty() {
        return Err(anyhow!("give volume names or --all (not both)").into());
    }
    let names: Vec<String> = if a.all {
        store
            .volumes()
            .map_err(|e| failure(e.into()))?
            .into_iter()
            .map(|v| v.name)
            .collect()
    } else {
        a.names.clone()
    };
    let mut code = 0;
    let mut out = std::io::stdout().lock();
    for name in &names {
        if a.force {
            let users = volumes::users(&store).map_err(failure)?;
            for id in users.get(name).cloned().unwrap_or_default() {
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
                        "removing container {} that uses volume {name}",
                        c.config.name
                    )
                })?;
            }
        }
        match volumes::remove(&store, name) {
            Ok(()) => writeln!(out, "{name}")?,
            // `--all` skips volumes in use, as Podman.
            Err(VolumesError::InUse { .. }) if a.all => {}
            Err(e) => {
                if names.len() == 1 {
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

fn prune(g: &Global, a: &VolumePruneArgs) -> CmdResult {
    let (_, store) = super::open_store(g)?;
    let users = volumes::users(&store).map_err(failure)?;
    let keep = filter(&a.filter, &users)?;
    if !a.force
        && !super::imagecmds::confirm(
            "WARNING! This will remove all volumes not used by at least one container. The following volumes will be removed:\nAre you sure you want to continue? [y/N] ",
        )?
    {
        return Ok(0);
    }
    let removed = prune_volumes(&store, &keep)?;
    let mut out = std::io::stdout().lock();
    for (name, _) in removed {
        writeln!(out, "{name}")?;
    }
    Ok(0)
}

/// Removes the unused volumes `keep` matches; their names and sizes.
pub fn prune_volumes(
    store: &Store,
    keep: &dyn Fn(&VolumeRecord) -> bool,
) -> anyhow::Result<Vec<(String, u64)>> {
    Ok(volumes::prune(store, &|v| !keep(v))?)
}

fn export(g: &Global, a: &VolumeExportArgs) -> CmdResult {
    let (_, store) = super::open_store(g)?;
    store.volume(&a.name).map_err(|e| failure(e.into()))?;
    match &a.output {
        Some(path) => {
            // Written beside the target and renamed: a failed export never
            // leaves half an archive under the name asked for.
            let mut tmp = path.clone().into_os_string();
            tmp.push(format!(".tmp-{}", std::process::id()));
            let tmp = std::path::PathBuf::from(tmp);
            let file = std::fs::File::create(&tmp)
                .with_context(|| format!("creating {}", tmp.display()))?;
            let result =
                rsp_storage::volume::export(&store, &a.name, std::io::BufWriter::new(file));
            if let Err(e) = result {
                let _ = std::fs::remove_file(&tmp);
                return Err(failure(e.into()));
            }
            std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
        }
        None => {
            if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                return Err(anyhow!(
                    "refusing to write a tar archive to a terminal: use -o FILE or redirect the output"
                )
                .into());
            }
            let out = std::io::stdout().lock();
            rsp_storage::volume::export(&store, &a.name, out).map_err(|e| failure(e.into()))?;
        }
    }
    Ok(0)
}

fn import(g: &Global, a: &VolumeImportArgs) -> CmdResult {
    let (_, store) = super::open_store(g)?;
    store.volume(&a.name).map_err(|e| failure(e.into()))?;
    let r = if a.source == "-" {
        rsp_storage::volume::import(&store, &a.name, std::io::stdin().lock())
    } else {
        let f = std::fs::File::open(&a.source).with_context(|| {
            format!(
                "opening {}: give a tar archive or - for standard input",
                a.source
            )
        })?;
        rsp_storage::volume::import(&store, &a.name, std::io::BufReader::new(f))
    };
    r.map_err(|e| failure(e.into()))?;
    Ok(0)
}
