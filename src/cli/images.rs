//! `pull`, `images`, `rmi`, `image inspect`, `image exists` (the other
//! image commands are in imagecmds.rs).

use super::args::{
    ExistsArgs, FormatOnlyArgs, Global, ImageCommand, ImagesArgs, PullArgs, PullOpts, RmiArgs,
};
use super::output::{self, Format};
use super::{CmdResult, Failure, open_store};
use anyhow::{Context, anyhow};
use rsp_image::Platform;
use rsp_image::config::ImageConfig;
use rsp_registry::PullOptions;
use rsp_storage::{ImageRecord, Store};
use serde_json::{Value, json};
use std::io::Write;

pub fn registry_options(opts: &PullOpts) -> anyhow::Result<PullOptions> {
    let platform = match &opts.platform {
        Some(p) => Platform::parse(p).with_context(|| format!("--platform {p}"))?,
        None => Platform::host(),
    };
    let auth = super::registry::parse_creds(opts.creds.as_ref().map(|c| c.0.as_str()))?;
    Ok(PullOptions {
        tls_verify: opts.tls_verify,
        platform,
        auth,
        authfile: opts.authfile.clone(),
    })
}

/// Pulls `image` into `store`, drawing progress unless `quiet`.
pub fn pull_into(
    store: &Store,
    image: &str,
    opts: &PullOpts,
    quiet: bool,
) -> anyhow::Result<ImageRecord> {
    let ropts = registry_options(opts)?;
    let rec = rsp_transfer::pull(store, image, &ropts, super::progress::for_pull(quiet))?;
    pull_event(store, &rec, image);
    Ok(rec)
}

/// Records the `pull` event of `rec`, pulled as `image`.
pub fn pull_event(store: &Store, rec: &ImageRecord, image: &str) {
    let name = rec
        .names
        .first()
        .cloned()
        .unwrap_or_else(|| image.to_string());
    rsp_runtime::image_event(store, "pull", &rec.id, &name);
}

pub fn pull(g: &Global, a: &PullArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    let rec = pull_into(&store, &a.image, &a.opts, a.quiet)?;
    println!("{}", rec.id);
    Ok(0)
}

fn config_of(store: &Store, rec: &ImageRecord) -> ImageConfig {
    store
        .get_blob(&format!("sha256:{}", rec.id))
        .ok()
        .and_then(|b| ImageConfig::parse(&b).ok())
        .unwrap_or_default()
}

fn created_of(cfg: &ImageConfig, rec: &ImageRecord) -> String {
    cfg.created.clone().unwrap_or_else(|| rec.added.clone())
}

fn unix_time(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.timestamp())
        .unwrap_or(0)
}

/// One `rsp images` row per name (or one `<none>` row), as Podman lists.
fn image_rows(store: &Store, images: &[ImageRecord], a: &ImagesArgs) -> Vec<Value> {
    let mut rows = Vec::new();
    for rec in images {
        let cfg = config_of(store, rec);
        let created = created_of(&cfg, rec);
        let names: Vec<String> = if rec.names.is_empty() {
            vec!["<none>:<none>".to_string()]
        } else {
            rec.names.clone()
        };
        for n in names {
            let (repo, tag) = rsp_image::split_name(&n);
            if let Some(filter) = &a.name {
                let f = filter.split(':').next().unwrap_or(filter);
                if repo != f && !repo.ends_with(&format!("/{f}")) {
                    continue;
                }
            }
            let id = if a.no_trunc {
                format!("sha256:{}", rec.id)
            } else {
                rec.id[..12.min(rec.id.len())].to_string()
            };
            rows.push(json!({
                "ID": id,
                "Id": rec.id,
                "Repository": repo,
                "Tag": tag,
                "Digest": rec.manifest_digest,
                "Created": output::human_ago(&created),
                "CreatedSince": output::human_ago(&created),
                "CreatedAt": created,
                "Size": output::human_size(rec.size, output::SizeStyle::Spaced),
                "VirtualSize": output::human_size(rec.size, output::SizeStyle::Spaced),
                "Names": rec.names,
                "Labels": cfg.config.labels.clone().unwrap_or_default(),
            }));
        }
    }
    rows
}

/// Whether `rsp images` hides `rec` unless `-a`: Podman's intermediate
/// images are the unnamed steps a build leaves below the image it makes.
/// rsp has no `build` yet, so none of its images is one. (An unnamed image
/// left by a pull, commit or untag is dangling, not intermediate: Podman
/// lists those too.)
// TODO(build): an unnamed image whose top layer is the parent of another
// image's top layer, as libimage's layer tree says.
/// A build step's image that has no name of its own (Podman hides these
/// without `-a`).
fn is_intermediate(rec: &ImageRecord) -> bool {
    rec.intermediate && rec.names.is_empty()
}

pub fn list(g: &Global, a: &ImagesArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    let db = store.images()?;
    let mut images = if a.filter.is_empty() {
        db.images.clone()
    } else {
        let counts = super::imagecmds::container_counts(
            &rsp_runtime::container::list(&store).unwrap_or_default(),
        );
        let infos = rsp_image::manage::infos(&store, &db, &counts);
        let filters = super::imagecmds::image_filters(
            &db,
            &infos,
            &a.filter,
            super::imagecmds::IMAGES_FILTERS,
        )?;
        infos
            .into_iter()
            .filter(|i| filters.matches(i))
            .map(|i| i.rec)
            .collect()
    };
    // Without -a, Podman hides intermediate images.
    images.retain(|r| a.all || !is_intermediate(r));
    images.sort_by_key(|r| std::cmp::Reverse(created_of(&config_of(&store, r), r)));
    let fmt = output::parse_format(a.format.as_deref(), &[("ID", "IMAGE ID")])?;
    let mut out = std::io::stdout().lock();
    if a.quiet {
        let mut seen = std::collections::HashSet::new();
        for r in image_rows(&store, &images, a) {
            let id = r["ID"].as_str().unwrap_or_default().to_string();
            if seen.insert(id.clone()) {
                writeln!(out, "{id}")?;
            }
        }
        return Ok(0);
    }
    match fmt {
        Format::Json => {
            let arr: Vec<Value> = images
                .iter()
                .filter(|rec| {
                    a.name.is_none() || !image_rows(&store, std::slice::from_ref(rec), a).is_empty()
                })
                .map(|rec| {
                    let cfg = config_of(&store, rec);
                    let created = created_of(&cfg, rec);
                    json!({
                        "Id": rec.id,
                        "ParentId": "",
                        "RepoTags": if rec.names.is_empty() { Value::Null } else { json!(rec.names) },
                        "RepoDigests": rec.digests,
                        "Size": rec.size,
                        "SharedSize": 0,
                        "VirtualSize": rec.size,
                        "Labels": cfg.config.labels.clone().unwrap_or_default(),
                        "Containers": containers_using(&store, &rec.id).len(),
                        "Names": rec.names,
                        "Digest": rec.manifest_digest,
                        "Created": unix_time(&created),
                        "CreatedAt": created,
                    })
                })
                .collect();
            writeln!(out, "{}", output::json_pretty(&Value::Array(arr)))?;
        }
        Format::Template { .. } => {
            output::render_template(&mut out, &fmt, &image_rows(&store, &images, a))?
        }
        Format::Default => {
            let rows: Vec<Vec<String>> = image_rows(&store, &images, a)
                .iter()
                .map(|r| {
                    let mut row: Vec<String> = ["Repository", "Tag"]
                        .iter()
                        .map(|k| r[*k].as_str().unwrap_or_default().to_string())
                        .collect();
                    if a.digests {
                        row.push(r["Digest"].as_str().unwrap_or_default().to_string());
                    }
                    for k in ["ID", "Created", "Size"] {
                        row.push(r[k].as_str().unwrap_or_default().to_string());
                    }
                    row
                })
                .collect();
            let mut header = vec!["REPOSITORY", "TAG"];
            if a.digests {
                header.push("DIGEST");
            }
            header.extend(["IMAGE ID", "CREATED", "SIZE"]);
            output::table(&mut out, &header, &rows)?;
        }
    }
    Ok(0)
}

fn containers_using(store: &Store, image_id: &str) -> Vec<rsp_runtime::container::Container> {
    rsp_runtime::container::list(store)
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c.config.image_id == image_id)
        .collect()
}

pub fn rmi(g: &Global, a: &RmiArgs) -> CmdResult {
    let (paths, store) = open_store(g)?;
    let db = store.images()?;
    let targets: Vec<String> = if a.all {
        db.images.iter().map(|i| i.id.clone()).collect()
    } else {
        a.images.clone()
    };
    if targets.is_empty() {
        return Err(Failure::new(
            125,
            anyhow!("rsp rmi needs at least one image name or ID, or --all"),
        ));
    }
    let mut code = 0;
    let mut out = std::io::stdout().lock();
    for input in &targets {
        let db = store.images()?;
        let rec = match rsp_image::lookup(&db, input) {
            Ok(r) => r.clone(),
            Err(e) => {
                eprintln!("Error: {e}");
                code = code.max(1);
                continue;
            }
        };
        let users = containers_using(&store, &rec.id);
        // Removing one of several names of an image only untags it.
        let by_name =
            rec.names.len() > 1 && !rec.id.starts_with(input.trim_start_matches("sha256:"));
        if !users.is_empty() && !by_name {
            if !a.force {
                eprintln!(
                    "Error: image {input} is in use by container {}: remove the container first, or use rsp rmi -f",
                    &users[0].config.id[..12]
                );
                code = 2;
                continue;
            }
            for c in &users {
                rsp_runtime::ops::remove(&store, &paths, c, true, None, false, &mut output::warn)?;
            }
        }
        let lock = store.lock()?;
        let mut db = store.images()?;
        if by_name {
            let full = rsp_image::lookup_name(&db, input).unwrap_or_else(|| input.clone());
            db.untag(&full);
            store.save_images(&db, &lock)?;
            drop(lock);
            rsp_runtime::image_event(&store, "untag", &rec.id, &full);
            writeln!(out, "Untagged: {full}")?;
            continue;
        }
        db.images.retain(|i| i.id != rec.id);
        store.save_images(&db, &lock)?;
        store.remove_unused_layers(&db, &lock)?;
        store.remove_unused_blobs(&db, &lock)?;
        drop(lock);
        rsp_runtime::image_event(
            &store,
            "remove",
            &rec.id,
            rec.names.first().map(String::as_str).unwrap_or(""),
        );
        for n in &rec.names {
            writeln!(out, "Untagged: {n}")?;
        }
        writeln!(out, "Deleted: {}", rec.id)?;
    }
    Ok(code)
}

/// `image inspect` JSON, shaped like Podman's (see [`super::inspect`]).
pub fn inspect_json(store: &Store, rec: &ImageRecord) -> Value {
    let cfg = config_of(store, rec);
    let created = created_of(&cfg, rec);
    let layer_dirs: Vec<String> = rec
        .layers
        .iter()
        .rev()
        .filter_map(|d| store.layer_path(d).ok())
        .map(|p| p.display().to_string())
        .collect();
    let parent = parent_of(store, rec);
    // Podman shows the manifest's annotations (`build --annotation`).
    let annotations = store
        .get_blob(&rec.manifest_digest)
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .and_then(|m| serde_json::from_value(m["annotations"].clone()).ok())
        .unwrap_or_default();
    let mut i = super::inspect::ImageInspect::new(rec, &cfg, created, parent, layer_dirs.join(":"));
    i.annotations = annotations;
    i.to_value()
}

/// The local image this one was built on, as Podman finds it: the image
/// whose layers are all of this one's but the top one.
fn parent_of(store: &Store, rec: &ImageRecord) -> String {
    let Some((_, base)) = rec.layers.split_last() else {
        return String::new();
    };
    if base.is_empty() {
        return String::new();
    }
    store
        .images()
        .ok()
        .and_then(|db| db.images.into_iter().find(|i| i.layers == base))
        .map(|i| format!("sha256:{}", i.id))
        .unwrap_or_default()
}

/// Prints inspect objects as a JSON array or through a template.
pub fn print_inspect(format: Option<&str>, items: &[Value]) -> anyhow::Result<()> {
    // Shared by image and container inspect: no column renames.
    let fmt = output::parse_format(format, &[])?;
    let mut out = std::io::stdout().lock();
    match fmt {
        Format::Default | Format::Json => writeln!(
            out,
            "{}",
            output::json_pretty(&Value::Array(items.to_vec()))
        )?,
        Format::Template { .. } => output::render_template(&mut out, &fmt, items)?,
    }
    Ok(())
}

fn inspect(g: &Global, a: &FormatOnlyArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    let db = store.images()?;
    let mut items = Vec::new();
    let mut missing = None;
    for n in &a.names {
        match rsp_image::lookup(&db, n) {
            Ok(rec) => items.push(inspect_json(&store, rec)),
            Err(e) => missing = Some(e),
        }
    }
    print_inspect(a.format.as_deref(), &items)?;
    match missing {
        Some(e) => Err(e.into()),
        None => Ok(0),
    }
}

fn exists(g: &Global, a: &ExistsArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    let db = store.images()?;
    Ok(if rsp_image::lookup(&db, &a.name).is_ok() {
        0
    } else {
        1
    })
}

pub fn image_cmd(g: &Global, sub: &ImageCommand) -> CmdResult {
    match sub {
        ImageCommand::Images(a) => list(g, a),
        ImageCommand::Pull(a) => pull(g, a),
        ImageCommand::Rm(a) => rmi(g, a),
        ImageCommand::Inspect(a) => inspect(g, a),
        ImageCommand::Exists(a) => exists(g, a),
        ImageCommand::Diff(a) => super::commit::diff(g, a),
        ImageCommand::Import(a) => super::commit::import(g, a),
        ImageCommand::Push(a) => super::registry::push(g, a),
        ImageCommand::Save(a) => super::archive::save(g, a),
        ImageCommand::Load(a) => super::archive::load(g, a),
        ImageCommand::Search(a) => super::registry::search(a),
        ImageCommand::Tag(a) => super::imagecmds::tag(g, a),
        ImageCommand::Untag(a) => super::imagecmds::untag(g, a),
        ImageCommand::History(a) => super::imagecmds::history(g, a),
        ImageCommand::Prune(a) => super::imagecmds::image_prune(g, a),
        ImageCommand::Tree(a) => super::imagecmds::image_tree(g, a),
        ImageCommand::Build(a) => super::build::build(g, a),
    }
}
