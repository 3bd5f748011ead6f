//! `save` and `load`.

use super::args::{Global, LoadArgs, SaveArgs};
use super::{CmdResult, open_store};
use crate::transfer::archive::{self, ArchiveFormat, SaveItem};
use anyhow::{Context, anyhow};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

pub fn save(g: &Global, a: &SaveArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    let format =
        ArchiveFormat::parse(&a.format).ok_or_else(|| anyhow!("unknown --format {}", a.format))?;
    let db = store.images()?;
    let mut items = Vec::new();
    for input in &a.images {
        let record = crate::image::lookup(&db, input)?.clone();
        // A name keeps that name; an ID saves the image unnamed, as Docker.
        let names: Vec<String> = crate::image::lookup_name(&db, input).into_iter().collect();
        match items
            .iter_mut()
            .find(|i: &&mut SaveItem| i.record.id == record.id)
        {
            Some(item) => item.names.extend(names),
            None => items.push(SaveItem { record, names }),
        }
    }
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
            crate::runtime::image_event(&store, "load", &img.id, "");
        }
        for n in &img.names {
            writeln!(out, "Loaded image: {n}")?;
            crate::runtime::image_event(&store, "load", &img.id, n);
        }
    }
    Ok(0)
}
