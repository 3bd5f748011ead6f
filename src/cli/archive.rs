//! `save` and `load`.

use super::args::{Global, LoadArgs, SaveArgs};
use super::{CmdResult, open_store};
use anyhow::{Context, anyhow, bail};
use rsp_transfer::archive::{self, ArchiveFormat, SaveItem};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

pub fn save(g: &Global, a: &SaveArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    let format =
        ArchiveFormat::parse(&a.format).ok_or_else(|| anyhow!("unknown --format {}", a.format))?;
    let items = save_items(&store, a, format)?;
    match (&a.output, format) {
        (None, ArchiveFormat::OciDir) => {
            return Err(anyhow!("--format oci-dir writes a directory: give it with -o DIR").into());
        }
        (Some(dir), ArchiveFormat::OciDir) => {
            let tmp = temp_next_to(dir)?;
            std::fs::create_dir(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
            let result = archive::save_dir(&store, &items, &tmp)
                .map_err(anyhow::Error::from)
                .and_then(|()| {
                    // An existing empty directory is replaced; anything
                    // else there is refused by rename.
                    std::fs::rename(&tmp, dir).with_context(|| {
                        format!(
                            "{} exists and is not empty: remove it or choose another",
                            dir.display()
                        )
                    })
                });
            if result.is_err() {
                let _ = std::fs::remove_dir_all(&tmp);
            }
            result?;
        }
        (Some(path), _) => {
            let tmp = temp_next_to(path)?;
            let file = std::fs::File::create(&tmp)
                .with_context(|| format!("creating {}", tmp.display()))?;
            let result = archive::save(&store, &items, format, &file)
                .map_err(anyhow::Error::from)
                .and_then(|()| file.sync_all().context("writing the archive"))
                .and_then(|()| {
                    std::fs::rename(&tmp, path).with_context(|| {
                        format!("renaming {} to {}", tmp.display(), path.display())
                    })
                });
            if result.is_err() {
                let _ = std::fs::remove_file(&tmp);
            }
            result?;
        }
        (None, _) => {
            let stdout = std::io::stdout();
            if stdout.is_terminal() {
                return Err(anyhow!(
                    "refusing to write an image archive to a terminal: use -o FILE or redirect standard output"
                )
                .into());
            }
            archive::save(&store, &items, format, stdout.lock())?;
        }
    }
    Ok(0)
}

/// What `save` writes, as Podman decides it: with `-m`, every IMAGE (a
/// docker-archive only, when there are several); without, the first IMAGE
/// alone, the others being extra tags for it (a docker-archive's
/// `RepoTags`). An image named twice is written once, with both names.
fn save_items(
    store: &rsp_storage::Store,
    a: &SaveArgs,
    format: ArchiveFormat,
) -> anyhow::Result<Vec<SaveItem>> {
    let (images, extra_tags) = if a.multi_image_archive {
        (&a.images[..], &[][..])
    } else {
        a.images.split_at(1)
    };
    if images.len() > 1 && format != ArchiveFormat::DockerArchive {
        bail!(
            "unsupported format {:?} for saving multiple images (only docker-archive)",
            a.format
        );
    }
    if !extra_tags.is_empty() && format != ArchiveFormat::DockerArchive {
        bail!(
            "--format {} names its image only as given: extra tags ({}) need --format docker-archive, and several images -m",
            a.format,
            extra_tags.join(", ")
        );
    }
    let tags: Vec<String> = extra_tags
        .iter()
        .map(|t| rsp_image::manage::normalize_tag(t).with_context(|| format!("extra tag {t:?}")))
        .collect::<anyhow::Result<_>>()?;
    let db = store.images()?;
    let mut items: Vec<SaveItem> = Vec::new();
    for input in images {
        let record = rsp_image::lookup(&db, input)?.clone();
        // A name keeps that name; an ID saves the image unnamed, as Docker.
        let names: Vec<String> = rsp_image::lookup_name(&db, input).into_iter().collect();
        match items.iter_mut().find(|i| i.record.id == record.id) {
            Some(item) => {
                for n in names {
                    if !item.names.contains(&n) {
                        item.names.push(n);
                    }
                }
            }
            None => {
                // As libimage: the extra tags first, then the name given.
                let mut all = tags.clone();
                all.extend(names.into_iter().filter(|n| !tags.contains(n)));
                items.push(SaveItem { record, names: all });
            }
        }
    }
    Ok(items)
}

/// A temporary name in the same directory as `dest`, so that the rename
/// into place is atomic.
fn temp_next_to(dest: &Path) -> anyhow::Result<PathBuf> {
    let name = dest
        .file_name()
        .ok_or_else(|| anyhow!("{}: not a file name", dest.display()))?;
    Ok(dest.with_file_name(format!(
        ".{}.rsp-{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    )))
}

pub fn load(g: &Global, a: &LoadArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    let path = a.input.as_deref().filter(|p| *p != Path::new("-"));
    if path.is_none() && std::io::stdin().is_terminal() {
        return Err(anyhow!(
            "refusing to read an image archive from a terminal: use -i FILE or redirect standard input"
        )
        .into());
    }
    let loaded = archive::load(&store, path)?;
    let mut out = std::io::stdout().lock();
    for img in &loaded {
        if img.names.is_empty() {
            writeln!(out, "Loaded image: sha256:{}", img.id)?;
            rsp_runtime::image_event(&store, "load", &img.id, "");
        }
        for n in &img.names {
            writeln!(out, "Loaded image: {n}")?;
            rsp_runtime::image_event(&store, "load", &img.id, n);
        }
    }
    Ok(0)
}
