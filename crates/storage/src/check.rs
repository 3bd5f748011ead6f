//! `rsp system check`: the store verified against itself, and what cannot
//! be trusted found (and, on request, removed).
//!
//! Contract: [`check`] runs under the store lock, so nothing it sees is
//! work in progress: anything half-made is a leftover of a killed command.
//! It finds
//! - layers whose content no longer reproduces their diff ID, replayed
//!   from their tar-split record (skipped with `quick`), and layers with
//!   no record, which cannot be checked (reported, kept);
//! - files next to the layers (`<hex>.size`, `.tarsplit`, `.owners`) with
//!   no layer, left by an unpack killed before its directory was put in
//!   place, and temporary files of atomic writes whose writer is dead;
//! - blobs (configs, manifests) whose content does not match their name
//!   (skipped with `quick`);
//! - images whose config, manifest or layers are missing or damaged;
//! - containers whose layers are missing or damaged, container directories
//!   with no record, and leftovers under `tmp/` of dead processes.
//!
//! [`repair`] removes what [`check`] found: damaged layers, blobs and
//! leftovers, and the images that need what is gone; containers only when
//! asked (`containers`), since removing one loses its changes. What it
//! leaves is consistent: every image it keeps has all its parts.
//! Container records are read here only for their layers (their format is
//! the runtime's); removing a container's directory is all a store can do.

use crate::{Store, StoreLock, digest_hex, is_hex64, remove_tree, sha256_digest, writer_dead};
use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::path::PathBuf;

/// One thing found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// A layer's content does not reproduce its diff ID (or cannot be read).
    DamagedLayer { diff_id: String, why: String },
    /// A layer stored without its tar-split record: it cannot be checked.
    UncheckedLayer { diff_id: String },
    /// A blob whose content does not hash to its name.
    DamagedBlob { digest: String },
    /// An image whose config, manifest or a layer is missing or damaged.
    DamagedImage {
        id: String,
        names: Vec<String>,
        why: String,
    },
    /// A container whose layers are missing or damaged.
    DamagedContainer { id: String, why: String },
    /// Something a killed command left behind.
    Leftover { path: PathBuf, what: &'static str },
}

impl Finding {
    /// Whether [`repair`] removes it without being asked about containers.
    pub fn damaged(&self) -> bool {
        !matches!(self, Finding::UncheckedLayer { .. })
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Finding::DamagedLayer { diff_id, why } => write!(f, "damaged layer {diff_id}: {why}"),
            Finding::UncheckedLayer { diff_id } => write!(
                f,
                "layer {diff_id} has no tar-split record (stored by an older rsp, or its tar lists a file twice): its content cannot be checked"
            ),
            Finding::DamagedBlob { digest } => {
                write!(
                    f,
                    "damaged blob {digest}: its content does not match its digest"
                )
            }
            Finding::DamagedImage { id, names, why } => {
                let n = if names.is_empty() {
                    "<none>".to_string()
                } else {
                    names.join(", ")
                };
                write!(f, "damaged image {} ({n}): {why}", &id[..id.len().min(12)])
            }
            Finding::DamagedContainer { id, why } => {
                write!(f, "damaged container {}: {why}", &id[..id.len().min(12)])
            }
            Finding::Leftover { path, what } => {
                write!(f, "leftover {what}: {}", path.display())
            }
        }
    }
}

/// A temporary file of [`crate::write_atomic`] whose writer is dead.
fn dead_temp_file(name: &str) -> bool {
    name.starts_with('.')
        && name
            .rsplit_once(".tmp-")
            .is_some_and(|(_, tag)| writer_dead(tag))
}

/// Replays a layer's tar stream: an error if it does not reproduce
/// `diff_id`.
fn verify_layer(store: &Store, diff_id: &str) -> Result<(), String> {
    let mut tar = store.layer_tar(diff_id).map_err(|e| e.to_string())?;
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        match tar.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// Everything wrong with the store (see the module documentation).
pub fn check(store: &Store, _lock: &StoreLock, quick: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut bad_layers: HashSet<String> = HashSet::new();
    let layers_dir = store.layers_dir();
    let mut present: HashSet<String> = HashSet::new();
    let mut side_files = Vec::new();
    for e in fs::read_dir(&layers_dir).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if dead_temp_file(&name) {
            out.push(Finding::Leftover {
                path: e.path(),
                what: "temporary file",
            });
            continue;
        }
        match name.split_once('.') {
            None if is_hex64(&name) && e.path().is_dir() => {
                present.insert(name);
            }
            Some((hex, _)) if is_hex64(hex) => side_files.push((hex.to_string(), e.path())),
            _ => {}
        }
    }
    for (hex, path) in side_files {
        if !present.contains(&hex) {
            out.push(Finding::Leftover {
                path,
                what: "file of a layer that was never put in place",
            });
        }
    }
    let mut sorted: Vec<&String> = present.iter().collect();
    sorted.sort();
    for hex in sorted {
        let diff_id = format!("sha256:{hex}");
        if !layers_dir.join(format!("{hex}.tarsplit")).exists() {
            out.push(Finding::UncheckedLayer { diff_id });
            continue;
        }
        if quick {
            continue;
        }
        if let Err(why) = verify_layer(store, &diff_id) {
            bad_layers.insert(hex.clone());
            out.push(Finding::DamagedLayer { diff_id, why });
        }
    }
    // Blobs.
    let blobs = store.root().join("blobs/sha256");
    let mut bad_blobs = HashSet::new();
    for e in fs::read_dir(&blobs).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if dead_temp_file(&name) {
            out.push(Finding::Leftover {
                path: e.path(),
                what: "temporary file",
            });
            continue;
        }
        if quick || !is_hex64(&name) {
            continue;
        }
        let ok = fs::read(e.path()).is_ok_and(|d| sha256_digest(&d) == format!("sha256:{name}"));
        if !ok {
            bad_blobs.insert(name.clone());
            out.push(Finding::DamagedBlob {
                digest: format!("sha256:{name}"),
            });
        }
    }
    // Images.
    let blob_ok = |d: &str| {
        let hex = d.trim_start_matches("sha256:");
        !bad_blobs.contains(hex) && blobs.join(hex).is_file()
    };
    let layer_state = |d: &str| -> Option<&'static str> {
        let hex = digest_hex(d).ok()?;
        if bad_layers.contains(hex) {
            Some("damaged")
        } else if !present.contains(hex) {
            Some("missing")
        } else {
            None
        }
    };
    if let Ok(db) = store.images() {
        for img in &db.images {
            let mut why = Vec::new();
            if !blob_ok(&img.id) {
                why.push("its config is missing or damaged".to_string());
            }
            if !img.manifest_digest.is_empty() && !blob_ok(&img.manifest_digest) {
                why.push("its manifest is missing or damaged".to_string());
            }
            for l in &img.layers {
                if let Some(s) = layer_state(l) {
                    why.push(format!("layer {l} is {s}"));
                }
            }
            if !why.is_empty() {
                out.push(Finding::DamagedImage {
                    id: img.id.clone(),
                    names: img.names.clone(),
                    why: why.join("; "),
                });
            }
        }
    }
    // Containers.
    for (id, layers) in store.layers_by_container().unwrap_or_default() {
        let why: Vec<String> = layers
            .iter()
            .filter_map(|l| layer_state(l).map(|s| format!("layer {l} is {s}")))
            .collect();
        if !why.is_empty() {
            out.push(Finding::DamagedContainer {
                id,
                why: why.join("; "),
            });
        }
    }
    for id in store.orphan_container_ids(_lock).unwrap_or_default() {
        out.push(Finding::Leftover {
            path: store.container_dir(&id),
            what: "container directory with no record",
        });
    }
    for e in fs::read_dir(store.root().join("tmp"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let name = e.file_name().to_string_lossy().into_owned();
        if writer_dead(&name) {
            out.push(Finding::Leftover {
                path: e.path(),
                what: "temporary work of a dead process",
            });
        }
    }
    out
}

/// Removes what `findings` (from [`check`], under the same lock) say
/// cannot be trusted: damaged layers and blobs, leftovers, the images that
/// need what is gone, and with `containers` the damaged containers'
/// directories. Returns what it removed, one line each.
pub fn repair(
    store: &Store,
    lock: &StoreLock,
    findings: &[Finding],
    containers: bool,
) -> crate::Result<Vec<String>> {
    let mut done = Vec::new();
    let mut images_out: HashSet<String> = HashSet::new();
    for f in findings {
        match f {
            Finding::DamagedLayer { diff_id, .. } => {
                let dir = store.layer_path(diff_id)?;
                for ext in ["tarsplit", "size", "owners"] {
                    let _ = fs::remove_file(dir.with_extension(ext));
                }
                remove_tree(&dir)?;
                done.push(format!("removed damaged layer {diff_id}"));
            }
            Finding::DamagedBlob { digest } => {
                let _ = fs::remove_file(store.blob_path(digest)?);
                done.push(format!("removed damaged blob {digest}"));
            }
            Finding::DamagedImage { id, .. } => {
                images_out.insert(id.clone());
            }
            Finding::Leftover { path, what } => {
                if path.is_dir() {
                    remove_tree(path)?;
                } else {
                    let _ = fs::remove_file(path);
                }
                done.push(format!("removed {what} {}", path.display()));
            }
            Finding::DamagedContainer { id, .. } if containers => {
                store.remove_container_dir(id)?;
                done.push(format!("removed damaged container {id}"));
            }
            Finding::DamagedContainer { .. } | Finding::UncheckedLayer { .. } => {}
        }
    }
    if !images_out.is_empty() {
        let mut db = store.images()?;
        db.images.retain(|i| {
            let out = images_out.contains(&i.id);
            if out {
                done.push(format!(
                    "removed damaged image {}",
                    &i.id[..i.id.len().min(12)]
                ));
            }
            !out
        });
        store.save_images(&db, lock)?;
        // What only they used goes with them (kept layers of containers stay).
        store.remove_unused_layers(&db, lock)?;
        store.remove_unused_blobs(&db, lock)?;
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names() {
        assert!(dead_temp_file(".images.json.tmp-999999999-0"));
        assert!(!dead_temp_file(&format!(
            ".images.json.tmp-{}-0",
            std::process::id()
        )));
        assert!(!dead_temp_file("images.json"));
        assert!(writer_dead("999999999-layer"));
        assert!(!writer_dead(&format!("{}-layer", std::process::id())));
    }
}
