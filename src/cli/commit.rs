//! `commit`, `diff`, `export` and `import`.

use super::args::{CommitArgs, DiffArgs, ExportArgs, Global, ImportArgs};
use super::{CmdResult, open_store};
use anyhow::{Context, anyhow};
use rsp_runtime::commit::{self, CommitOptions, ImportOptions};
use rsp_runtime::container::{self, Status};
use std::io::{IsTerminal, Write};

fn short(digest: &str) -> &str {
    let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
    &hex[..hex.len().min(12)]
}

/// Podman's copy progress lines, on stderr.
fn progress_start(quiet: bool, base_layers: &[String]) {
    if quiet {
        return;
    }
    eprintln!("Getting image source signatures");
    for l in base_layers {
        eprintln!("Copying blob {} skipped: already exists", short(l));
    }
}

fn progress_end(quiet: bool, id: &str) {
    if !quiet {
        eprintln!("Copying config {} done", short(id));
        eprintln!("Writing manifest to image destination");
    }
    println!("{id}");
}

pub fn commit(g: &Global, a: &CommitArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    let c = container::find(&store, &a.container)?;
    let name = a.image.as_deref().map(commit::normalize_name).transpose()?;
    let opts = CommitOptions {
        author: a.author.clone(),
        message: a.message.clone(),
        changes: a.change.clone(),
        name: name.clone(),
    };
    let paused = a.pause && c.state.status == Status::Running;
    if paused {
        rsp_runtime::ops::pause(&store, &c)?;
    }
    progress_start(a.quiet, &c.config.layers);
    let quiet = a.quiet;
    let result = commit::commit(&store, &c.config, &opts, &|d| {
        if !quiet {
            eprintln!("Copying blob {} done", short(d));
        }
    });
    if paused {
        let c = container::find(&store, &c.config.id)?;
        rsp_runtime::ops::unpause(&store, &c)?;
    }
    let rec = result.with_context(|| format!("committing container {}", c.config.name))?;
    rsp_runtime::image_event(&store, "commit", &rec.id, name.as_deref().unwrap_or(""));
    progress_end(a.quiet, &rec.id);
    Ok(0)
}

pub fn diff(g: &Global, a: &DiffArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    let lines = match container::find(&store, &a.name) {
        Ok(c) => commit::container_changes(&store, &c.config)?,
        Err(container::LookupError::NotFound(_)) => {
            let db = store.images()?;
            let rec = rsp_image::lookup(&db, &a.name).map_err(|_| {
                anyhow!(
                    "{}: no container or image of that name or ID: see `rsp ps -a` and `rsp images`",
                    a.name
                )
            })?;
            commit::image_changes(&store, rec)?
        }
        Err(e) => return Err(e.into()),
    };
    let mut out = std::io::stdout().lock();
    if a.format.as_deref() == Some("json") {
        let mut report = serde_json::Map::new();
        for (key, letter) in [("changed", 'C'), ("added", 'A'), ("deleted", 'D')] {
            let paths: Vec<&String> = lines
                .iter()
                .filter(|(c, _)| *c == letter)
                .map(|(_, p)| p)
                .collect();
            if !paths.is_empty() {
                report.insert(key.into(), serde_json::json!(paths));
            }
        }
        writeln!(
            out,
            "{}",
            super::output::json_pretty(&serde_json::Value::Object(report))
        )?;
    } else {
        for (c, p) in &lines {
            writeln!(out, "{c} {p}")?;
        }
    }
    Ok(0)
}

pub fn export(g: &Global, a: &ExportArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    let c = container::find(&store, &a.container)?;
    match &a.output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("creating {}", path.display()))?;
            let result = commit::export(&store, &c.config, std::io::BufWriter::new(file));
            if result.is_err() {
                let _ = std::fs::remove_file(path);
            }
            result.with_context(|| format!("exporting container {}", c.config.name))?;
        }
        None => {
            let stdout = std::io::stdout();
            if stdout.is_terminal() {
                return Err(anyhow!(
                    "refusing to write a tar archive to a terminal: use -o FILE or redirect standard output"
                )
                .into());
            }
            commit::export(
                &store,
                &c.config,
                std::io::BufWriter::with_capacity(256 * 1024, stdout.lock()),
            )
            .with_context(|| format!("exporting container {}", c.config.name))?;
        }
    }
    Ok(0)
}

pub fn import(g: &Global, a: &ImportArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    if a.source.contains("://") {
        return Err(anyhow!(
            "{}: importing from a URL is not supported: download the file and import it, or pipe it in with `-`",
            a.source
        )
        .into());
    }
    let name = a
        .reference
        .as_deref()
        .map(commit::normalize_name)
        .transpose()?;
    let opts = ImportOptions {
        message: a.message.clone(),
        changes: a.change.clone(),
        name: name.clone(),
    };
    let source: Box<dyn std::io::Read> = if a.source == "-" {
        if std::io::stdin().is_terminal() {
            return Err(anyhow!(
                "refusing to read a tar archive from a terminal: give a file or pipe one in"
            )
            .into());
        }
        Box::new(std::io::stdin())
    } else {
        Box::new(
            std::fs::File::open(&a.source)
                .with_context(|| format!("opening {}: give an existing tar file", a.source))?,
        )
    };
    progress_start(a.quiet, &[]);
    let quiet = a.quiet;
    let rec = commit::import(&store, source, &opts, &|d| {
        if !quiet {
            eprintln!("Copying blob {} done", short(d));
        }
    })
    .with_context(|| format!("importing {}", a.source))?;
    rsp_runtime::image_event(&store, "import", &rec.id, name.as_deref().unwrap_or(""));
    progress_end(a.quiet, &rec.id);
    Ok(0)
}
