//! Pull progress: indicatif bars per layer on a terminal, plain lines (as
//! Podman prints them) otherwise, nothing with `-q`.

use crate::transfer::PullProgress;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};

fn short(digest: &str) -> &str {
    let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
    &hex[..hex.len().min(12)]
}

/// Plain lines on stderr, for logs and pipes.
pub struct Lines;

impl PullProgress for Lines {
    fn trying(&self, reference: &str) {
        eprintln!("Trying to pull {reference}...");
        eprintln!("Getting image source signatures");
    }
    fn layer(&self, _index: usize, digest: &str, _size: u64, skipped: bool) {
        if skipped {
            eprintln!("Copying blob {} skipped: already exists", short(digest));
        } else {
            eprintln!("Copying blob {digest}");
        }
    }
    fn config(&self, digest: &str) {
        eprintln!("Copying config {digest}");
    }
    fn writing_manifest(&self) {
        eprintln!("Writing manifest to image destination");
    }
}

/// One indicatif bar per layer.
pub struct Bars {
    multi: MultiProgress,
    bars: Mutex<Vec<(usize, String, ProgressBar)>>,
}

impl Bars {
    fn bar(&self, index: usize) -> Option<ProgressBar> {
        let bars = self.bars.lock().ok()?;
        bars.iter()
            .find(|(i, _, _)| *i == index)
            .map(|(_, _, b)| b.clone())
    }
}

impl PullProgress for Bars {
    fn trying(&self, reference: &str) {
        let _ = self.multi.println(format!("Trying to pull {reference}..."));
    }
    fn layer(&self, index: usize, digest: &str, size: u64, skipped: bool) {
        if skipped {
            let _ = self.multi.println(format!(
                "Copying blob {} skipped: already exists",
                short(digest)
            ));
            return;
        }
        let bar = self.multi.add(ProgressBar::new(size));
        bar.set_style(
            ProgressStyle::with_template(
                "Copying blob {prefix} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_prefix(short(digest).to_string());
        if let Ok(mut bars) = self.bars.lock() {
            bars.push((index, digest.to_string(), bar));
        }
    }
    fn layer_bytes(&self, index: usize, bytes: u64) {
        if let Some(b) = self.bar(index) {
            b.inc(bytes);
        }
    }
    fn layer_done(&self, index: usize) {
        if let Some(b) = self.bar(index) {
            b.set_style(
                ProgressStyle::with_template("Copying blob {prefix} done {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            b.finish_with_message(indicatif::HumanBytes(b.length().unwrap_or(0)).to_string());
        }
    }
    fn config(&self, digest: &str) {
        let _ = self
            .multi
            .println(format!("Copying config {} done", short(digest)));
    }
    fn writing_manifest(&self) {
        let _ = self.multi.println("Writing manifest to image destination");
    }
}

/// The reporter for this terminal and flags.
pub fn for_pull(quiet: bool) -> Arc<dyn PullProgress> {
    if quiet {
        Arc::new(crate::transfer::Quiet)
    } else if std::io::stderr().is_terminal() {
        Arc::new(Bars {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            bars: Mutex::new(Vec::new()),
        })
    } else {
        Arc::new(Lines)
    }
}
