//! `tag`, `untag`, `history`, `image prune`, `image tree`, `system df` and
//! `system prune`: the local image management commands. The work is in
//! [`rsp_image::manage`]; this file parses, asks and prints.

use super::args::{
    DfArgs, Global, HistoryArgs, ImagePruneArgs, SystemPruneArgs, TagArgs, TreeArgs, UntagArgs,
};
use super::output::{self, Format, SizeStyle, human_size};
use super::{CmdResult, open_store};
use anyhow::{Context, anyhow, bail};
use rsp_image::manage::{self, Filters, ImageInfo, Removed};
use rsp_runtime::container::{self, Container};
use rsp_storage::{ImageDb, Store};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Write};

/// Filter keys `images --filter` takes.
pub const IMAGES_FILTERS: &[&str] = &[
    "dangling",
    "label",
    "label!",
    "reference",
    "before",
    "since",
    "until",
    "id",
    "containers",
];
const PRUNE_FILTERS: &[&str] = &[
    "until",
    "label",
    "label!",
    "dangling",
    "reference",
    "before",
    "since",
    "id",
];

fn short(id: &str) -> &str {
    &id[..12.min(id.len())]
}

/// Containers of every state, by image ID.
pub fn container_counts(containers: &[Container]) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for c in containers {
        *m.entry(c.config.image_id.clone()).or_default() += 1;
    }
    m
}

fn images_in_use(store: &Store) -> HashSet<String> {
    container::list(store)
        .unwrap_or_default()
        .into_iter()
        .map(|c| c.config.image_id)
        .collect()
}

/// Parses image `--filter`s; `before=`/`since=` name images of `db`.
pub fn image_filters(
    db: &ImageDb,
    infos: &[ImageInfo],
    specs: &[String],
    allowed: &[&str],
) -> Result<Filters, manage::ManageError> {
    Filters::parse(specs, allowed, |input| {
        let rec = rsp_image::lookup(db, input)?;
        Ok(infos
            .iter()
            .find(|i| i.rec.id == rec.id)
            .and_then(|i| i.created))
    })
}

/// Asks on stdout and reads the answer from stdin, as Podman does (a
/// script may pipe `y`). No answer at all is an error, not a yes.
pub(super) fn confirm(prompt: &str) -> anyhow::Result<bool> {
    let mut out = std::io::stdout().lock();
    write!(out, "{prompt}")?;
    out.flush()?;
    let mut line = String::new();
    let n = std::io::stdin().lock().read_line(&mut line)?;
    if n == 0 {
        writeln!(out)?;
        bail!("no answer on stdin: answer y, or give -f (--force) to skip the question");
    }
    Ok(line.trim_start().to_lowercase().starts_with('y'))
}

pub fn tag(g: &Global, a: &TagArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    let (rec, names) = manage::tag(&store, &a.image, &a.targets)?;
    for n in &names {
        rsp_runtime::image_event(&store, "tag", &rec.id, n);
    }
    Ok(0)
}

pub fn untag(g: &Global, a: &UntagArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    let (rec, names) = manage::untag(&store, &a.image, &a.names)?;
    for n in &names {
        rsp_runtime::image_event(&store, "untag", &rec.id, n);
    }
    Ok(0)
}

/// At most `max` characters, the last three `...` when cut (Podman's 45
/// for CREATED BY).
fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max - 3).collect();
    t.push_str("...");
    t
}

fn rfc3339_secs(t: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(t)
        .map(|t| {
            t.with_timezone(&chrono::Utc)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        })
        .unwrap_or_default()
}

pub fn history(g: &Global, a: &HistoryArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    let db = store.images()?;
    let rec = rsp_image::lookup(&db, &a.image)?;
    let cfg = manage::config_of(&store, rec);
    let entries = manage::history(&cfg, rec, |d| store.layer_size(d));
    let fmt = output::parse_format(a.format.as_deref(), &[("CreatedBy", "CREATED BY")])?;
    let mut out = std::io::stdout().lock();
    let id = |e: &manage::HistoryEntry, trunc: bool| match &e.id {
        Some(id) if trunc => short(id).to_string(),
        Some(id) => id.clone(),
        None => "<missing>".to_string(),
    };
    if matches!(fmt, Format::Json) {
        let arr: Vec<Value> = entries
            .iter()
            .map(|e| {
                let mut v = json!({"id": id(e, false), "size": e.size});
                let created = e.created.clone().unwrap_or_default();
                v["created"] = json!(created);
                if !e.created_by.is_empty() {
                    v["CreatedBy"] = json!(e.created_by);
                }
                if !e.tags.is_empty() {
                    v["tags"] = json!(e.tags);
                }
                if !e.comment.is_empty() {
                    v["comment"] = json!(e.comment);
                }
                v["Created"] = json!(rfc3339_secs(&created));
                v
            })
            .collect();
        writeln!(out, "{}", output::json_pretty(&Value::Array(arr)))?;
        return Ok(0);
    }
    let trunc = !a.no_trunc;
    let rows: Vec<Value> = entries
        .iter()
        .map(|e| {
            let created = e.created.clone().unwrap_or_default();
            let ago = output::human_ago(&created);
            json!({
                "ID": id(e, trunc),
                "Created": if a.human { ago.clone() } else { rfc3339_secs(&created) },
                "CreatedAt": rfc3339_secs(&created),
                "CreatedSince": ago,
                "CreatedBy": if trunc { truncate(&e.created_by, 45) } else { e.created_by.clone() },
                "Size": output::human_size(e.size, SizeStyle::Spaced),
                "Comment": e.comment,
                "Tags": e.tags,
            })
        })
        .collect();
    let cell = |r: &Value, k: &str| r[k].as_str().unwrap_or_default().to_string();
    if a.quiet {
        for r in &rows {
            writeln!(out, "{}", cell(r, "ID"))?;
        }
        return Ok(0);
    }
    match fmt {
        Format::Template { .. } => output::render_template(&mut out, &fmt, &rows)?,
        _ => {
            let cols = ["ID", "Created", "CreatedBy", "Size", "Comment"];
            let table: Vec<Vec<String>> = rows
                .iter()
                .map(|r| cols.iter().map(|k| cell(r, k)).collect())
                .collect();
            output::table(
                &mut out,
                &["ID", "CREATED", "CREATED BY", "SIZE", "COMMENT"],
                &table,
            )?;
        }
    }
    Ok(0)
}

/// Removes the images a prune selects; `remove` events for each.
fn prune_images(
    store: &Store,
    paths: &rsp_base::paths::Paths,
    all: bool,
    specs: &[String],
) -> anyhow::Result<Removed> {
    // Containers of builds that were killed hold their images: gone first.
    let _ = container::remove_dead_build_containers(store, paths);
    // And the work files of rsp processes that were killed.
    store.clean_temp();
    let db = store.images()?;
    let counts = container_counts(&container::list(store)?);
    let infos = manage::infos(store, &db, &counts);
    let filters = image_filters(&db, &infos, specs, PRUNE_FILTERS)?;
    let ids = manage::prune_candidates(&infos, all, &filters);
    let removed = manage::remove_images(store, &ids, || images_in_use(store))?;
    // Cache entries of removed images stop being hits; drop them.
    rsp_build::cache::Cache::open(store).prune(&store.images()?);
    for id in &removed.ids {
        let name = infos
            .iter()
            .find(|i| &i.rec.id == id)
            .and_then(|i| i.rec.names.first().cloned())
            .unwrap_or_default();
        rsp_runtime::image_event(store, "remove", id, &name);
    }
    Ok(removed)
}

pub fn image_prune(g: &Global, a: &ImagePruneArgs) -> CmdResult {
    let (paths, store) = open_store(g)?;
    // Bad filters are reported before the question.
    let db = store.images()?;
    image_filters(&db, &[], &a.filter, PRUNE_FILTERS)?;
    if !a.force {
        let what = if a.all {
            "all images without at least one container associated with them"
        } else {
            "all dangling images"
        };
        let prompt = format!(
            "WARNING! This command removes {what}.\nAre you sure you want to continue? [y/N] "
        );
        if !confirm(&prompt)? {
            return Ok(0);
        }
    }
    let removed = prune_images(&store, &paths, a.all, &a.filter)?;
    let mut out = std::io::stdout().lock();
    for id in &removed.ids {
        writeln!(out, "{id}")?;
    }
    Ok(0)
}

pub fn image_tree(g: &Global, a: &TreeArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    let db = store.images()?;
    let rec = rsp_image::lookup(&db, &a.image)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "Image ID: {}", short(&rec.id))?;
    writeln!(out, "Tags:     [{}]", rec.names.join(" "))?;
    writeln!(
        out,
        "Size:     {}",
        human_size(rec.size, SizeStyle::Compact)
    )?;
    writeln!(out, "Image Layers")?;
    let line = |layer: &str, with_shared: bool| {
        let label = |r: &rsp_storage::ImageRecord| -> Vec<String> {
            if r.names.is_empty() {
                vec![short(&r.id).to_string()]
            } else {
                r.names.clone()
            }
        };
        let hex = rsp_storage::digest_hex(layer).unwrap_or(layer);
        let mut line = format!(
            "ID: {} Size: {:>7}",
            short(hex),
            human_size(store.layer_size(layer), SizeStyle::Compact)
        );
        let top: Vec<String> = db
            .images
            .iter()
            .filter(|i| i.layers.last().map(String::as_str) == Some(layer))
            .flat_map(label)
            .collect();
        if !top.is_empty() {
            line.push_str(&format!(" Top Layer of: [{}]", top.join(" ")));
        }
        let shared: Vec<String> = db
            .images
            .iter()
            .filter(|i| {
                with_shared
                    && i.id != rec.id
                    && i.layers.iter().any(|l| l == layer)
                    && i.layers.last().map(String::as_str) != Some(layer)
            })
            .flat_map(label)
            .collect();
        if !shared.is_empty() {
            line.push_str(&format!(" Shared with: [{}]", shared.join(" ")));
        }
        line
    };
    if a.whatrequires {
        // The image's top layer, with what other images stack on it.
        if let Some(top) = rec.layers.last() {
            writeln!(out, "└── {}", line(top, false))?;
            let children = rsp_image::manage::dependents(&db, rec);
            print_layer_tree(&mut out, &children, "    ", &|l| line(l, false))?;
        }
    } else {
        for (n, layer) in rec.layers.iter().enumerate() {
            let branch = if n + 1 == rec.layers.len() {
                "└──"
            } else {
                "├──"
            };
            writeln!(out, "{branch} {}", line(layer, true))?;
        }
    }
    // Podman's tree printer ends with an empty line.
    writeln!(out)?;
    Ok(0)
}

fn print_layer_tree(
    out: &mut impl Write,
    nodes: &[rsp_image::manage::LayerNode],
    prefix: &str,
    line: &dyn Fn(&str) -> String,
) -> std::io::Result<()> {
    for (n, node) in nodes.iter().enumerate() {
        let last = n + 1 == nodes.len();
        let (branch, more) = if last {
            ("└──", "    ")
        } else {
            ("├──", "│   ")
        };
        writeln!(out, "{prefix}{branch} {}", line(&node.layer))?;
        print_layer_tree(out, &node.children, &format!("{prefix}{more}"), line)?;
    }
    Ok(())
}

/// `used (percent%)` as Podman prints RECLAIMABLE.
fn reclaimable(part: u64, total: u64) -> String {
    let pct = if total > 0 {
        (part as f64 / total as f64 * 100.0).round() as u64
    } else {
        0
    };
    format!("{} ({pct}%)", human_size(part, SizeStyle::Compact))
}

fn summary_row(kind: &str, total: usize, active: usize, size: u64, free: u64) -> Value {
    json!({
        "Type": kind,
        "Total": total,
        "Active": active,
        "Size": human_size(size, SizeStyle::Compact),
        "Reclaimable": reclaimable(free, size),
        "RawSize": size,
        "RawReclaimable": free,
    })
}

pub fn system_df(g: &Global, a: &DfArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    let db = store.images()?;
    let containers = container::list(&store)?;
    let infos = manage::infos(&store, &db, &container_counts(&containers));
    let usage = manage::images_usage(&infos, |d| store.layer_size(d));
    let csize: Vec<u64> = containers
        .iter()
        .map(|c| super::containers::upper_size(&store, &c.config.id))
        .collect();
    let running = |c: &Container| c.state.is_active();
    let users = rsp_runtime::volumes::users(&store)?;
    // (name, size, containers using it)
    let vols: Vec<(String, u64, usize)> = store
        .volumes()?
        .into_iter()
        .map(|v| {
            let links = users.get(&v.name).map_or(0, Vec::len);
            (v.name.clone(), store.volume_size(&v.name), links)
        })
        .collect();
    let ctotal: u64 = csize.iter().sum();
    let cfree: u64 = containers
        .iter()
        .zip(&csize)
        .filter(|(c, _)| !running(c))
        .map(|(_, s)| s)
        .sum();
    let summary = vec![
        summary_row(
            "Images",
            infos.len(),
            usage.active,
            usage.size,
            usage.reclaimable,
        ),
        summary_row(
            "Containers",
            containers.len(),
            containers.iter().filter(|c| running(c)).count(),
            ctotal,
            cfree,
        ),
        summary_row(
            "Local Volumes",
            vols.len(),
            vols.iter().filter(|(_, _, links)| *links > 0).count(),
            vols.iter().map(|(_, s, _)| s).sum(),
            vols.iter()
                .filter(|(_, _, links)| *links == 0)
                .map(|(_, s, _)| s)
                .sum(),
        ),
    ];
    let fmt = output::parse_format(a.format.as_deref(), &[])?;
    let mut out = std::io::stdout().lock();
    if !a.verbose {
        match fmt {
            Format::Json => writeln!(out, "{}", output::json_pretty(&Value::Array(summary)))?,
            Format::Template { .. } => output::render_template(&mut out, &fmt, &summary)?,
            Format::Default => {
                let rows: Vec<Vec<String>> = summary
                    .iter()
                    .map(|r| {
                        ["Type", "Total", "Active", "Size", "Reclaimable"]
                            .iter()
                            .map(|k| match &r[*k] {
                                Value::String(s) => s.clone(),
                                v => v.to_string(),
                            })
                            .collect()
                    })
                    .collect();
                output::table(
                    &mut out,
                    &["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"],
                    &rows,
                )?;
            }
        }
        return Ok(0);
    }
    let ago = |t: &str| output::human_ago(t).trim_end_matches(" ago").to_string();
    let volumes: Vec<Value> = vols
        .iter()
        .map(|(n, size, links)| json!({"VolumeName": n, "Links": links, "Size": size}))
        .collect();
    let mut images = Vec::new();
    for (i, u) in infos.iter().zip(&usage.images) {
        let created = i.created.map(|t| t.to_rfc3339()).unwrap_or_default();
        let names = if i.rec.names.is_empty() {
            vec!["<none>:<none>".to_string()]
        } else {
            i.rec.names.clone()
        };
        for n in names {
            let (repo, tag) = rsp_image::split_name(&n);
            images.push(json!({
                "Repository": repo, "Tag": tag, "ImageID": i.rec.id,
                "Created": created, "CreatedSince": ago(&created),
                "Size": u.size, "SharedSize": u.shared, "UniqueSize": u.size - u.shared,
                "Containers": u.containers,
            }));
        }
    }
    let ctrs: Vec<Value> = containers
        .iter()
        .zip(&csize)
        .map(|(c, s)| {
            json!({
                "ContainerID": c.config.id, "Image": c.config.image_id,
                "Command": c.config.args.join(" "),
                "LocalVolumes": c.config.mounts.iter().filter(|m| m.kind() == rsp_runtime::container::MountKind::Volume).count(),
                "Size": s,
                "Created": c.config.created, "CreatedSince": ago(&c.config.created),
                "Status": c.state.status.as_str(), "Names": c.config.name,
            })
        })
        .collect();
    match fmt {
        Format::Json => {
            let v = json!({"Images": images, "Containers": ctrs, "Volumes": volumes});
            writeln!(out, "{}", output::json_pretty(&v))?;
        }
        Format::Template { .. } => {
            return Err(anyhow!(
                "--format with -v takes json only: rsp system df -v --format json"
            )
            .into());
        }
        Format::Default => print_df_verbose(&mut out, &images, &ctrs, &volumes)?,
    }
    Ok(0)
}

fn print_df_verbose(
    out: &mut impl Write,
    images: &[Value],
    ctrs: &[Value],
    volumes: &[Value],
) -> anyhow::Result<()> {
    let s = |v: &Value, k: &str| match &v[k] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let size = |v: &Value, k: &str| human_size(v[k].as_u64().unwrap_or(0), SizeStyle::Compact);
    writeln!(out, "Images space usage:\n")?;
    let rows: Vec<Vec<String>> = images
        .iter()
        .map(|i| {
            vec![
                s(i, "Repository"),
                s(i, "Tag"),
                short(&s(i, "ImageID")).to_string(),
                s(i, "CreatedSince"),
                size(i, "Size"),
                size(i, "SharedSize"),
                size(i, "UniqueSize"),
                s(i, "Containers"),
            ]
        })
        .collect();
    output::table(
        out,
        &[
            "REPOSITORY",
            "TAG",
            "IMAGE ID",
            "CREATED",
            "SIZE",
            "SHARED SIZE",
            "UNIQUE SIZE",
            "CONTAINERS",
        ],
        &rows,
    )?;
    writeln!(out, "\nContainers space usage:\n")?;
    let rows: Vec<Vec<String>> = ctrs
        .iter()
        .map(|c| {
            vec![
                short(&s(c, "ContainerID")).to_string(),
                short(&s(c, "Image")).to_string(),
                s(c, "Command"),
                s(c, "LocalVolumes"),
                size(c, "Size"),
                s(c, "CreatedSince"),
                s(c, "Status"),
                s(c, "Names"),
            ]
        })
        .collect();
    output::table(
        out,
        &[
            "CONTAINER ID",
            "IMAGE",
            "COMMAND",
            "LOCAL VOLUMES",
            "SIZE",
            "CREATED",
            "STATUS",
            "NAMES",
        ],
        &rows,
    )?;
    writeln!(out, "\nLocal Volumes space usage:\n")?;
    let rows: Vec<Vec<String>> = volumes
        .iter()
        .map(|v| vec![s(v, "VolumeName"), s(v, "Links"), size(v, "Size")])
        .collect();
    output::table(out, &["VOLUME NAME", "LINKS", "SIZE"], &rows)?;
    Ok(())
}

/// Container filters of `system prune`: label=KEY[=VALUE], until=TIME.
fn container_filter(specs: &[String]) -> anyhow::Result<impl Fn(&Container) -> bool> {
    let mut labels = Vec::new();
    let mut until = None;
    for f in specs {
        match f.split_once('=') {
            Some(("label", v)) => labels.push(v.to_string()),
            Some(("until", v)) => {
                until = Some(
                    rsp_base::timespec::parse_time(v, chrono::Utc::now())
                        .with_context(|| format!("--filter {f}"))?,
                )
            }
            _ => bail!("invalid filter {f:?}: system prune takes label= and until="),
        }
    }
    Ok(move |c: &Container| {
        let labels_ok = labels.iter().all(|l| super::map_has(&c.config.labels, l));
        let created = chrono::DateTime::parse_from_rfc3339(&c.config.created).ok();
        let until_ok = match (until, created) {
            (Some(u), Some(t)) => t < u,
            _ => true,
        };
        labels_ok && until_ok
    })
}

pub fn system_prune(g: &Global, a: &SystemPruneArgs) -> CmdResult {
    let (paths, store) = open_store(g)?;
    let keep = container_filter(&a.filter)?;
    if !a.force {
        let volumes = if a.volumes {
            "\n\t- all volumes not used by at least one container"
        } else {
            ""
        };
        let images = if a.all {
            "all images without at least one container associated with them\n\t- all build cache"
        } else {
            "all dangling images\n\t- all dangling build cache"
        };
        let prompt = format!(
            "WARNING! This command removes:\n\t- all stopped containers\n\t- all networks not used by at least one container{volumes}\n\t- {images}\n\nAre you sure you want to continue? [y/N] "
        );
        if !confirm(&prompt)? {
            return Ok(0);
        }
    }
    let mut removed_ctrs = Vec::new();
    let mut reclaimed = 0;
    let pods = super::pods::prune_stopped(&store, &paths)?;
    for c in container::list(&store)? {
        if c.state.is_active()
            || c.state.monitor_alive()
            || !keep(&c)
            || rsp_runtime::pods::is_pod_infra(&store, &c)
        {
            continue;
        }
        let size = super::containers::upper_size(&store, &c.config.id);
        rsp_runtime::ops::remove(&store, &paths, &c, false, None, false, &mut output::warn)
            .with_context(|| format!("removing container {}", c.config.name))?;
        reclaimed += size;
        removed_ctrs.push(c.config.id);
    }
    super::containers::remove_orphans(&store, &paths)?;
    let nets = super::networks::prune_networks(&store, &a.filter)?;
    let images = prune_images(&store, &paths, a.all, &a.filter).map_err(|e| anyhow!(e))?;
    reclaimed += images.reclaimed;
    let mut out = std::io::stdout().lock();
    for (title, ids) in [
        ("Deleted Pods", &pods),
        ("Deleted Containers", &removed_ctrs),
        ("Deleted Networks", &nets),
        ("Deleted Images", &images.ids),
    ] {
        if !ids.is_empty() {
            writeln!(out, "{title}")?;
            for id in ids {
                writeln!(out, "{id}")?;
            }
        }
    }
    if a.volumes {
        let vols = super::volumes::prune_volumes(&store, &|_| true)?;
        if !vols.is_empty() {
            writeln!(out, "Deleted Volumes")?;
            for (name, size) in vols {
                writeln!(out, "{name}")?;
                reclaimed += size;
            }
        }
    }
    writeln!(
        out,
        "Total reclaimed space: {}",
        human_size(reclaimed, SizeStyle::Compact)
    )?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_by_is_cut_at_45() {
        let s = "/bin/sh -c #(nop) ADD file:d38ab184a994766bca83ce001ed88eef in /";
        assert_eq!(
            truncate(s, 45),
            "/bin/sh -c #(nop) ADD file:d38ab184a994766..."
        );
        assert_eq!(truncate("short", 45), "short");
        assert_eq!(truncate(&"é".repeat(50), 45).chars().count(), 45);
    }

    #[test]
    fn reclaimable_percent() {
        assert_eq!(reclaimable(0, 0), "0B (0%)");
        assert_eq!(reclaimable(1_988_000, 1_988_000), "1.988MB (100%)");
        assert_eq!(reclaimable(1, 3), "1B (33%)");
    }
}
