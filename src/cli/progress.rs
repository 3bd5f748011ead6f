//! Pull and push progress: indicatif bars per layer on a terminal, plain
//! lines (as Podman prints them) otherwise, nothing with `-q`.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use rsp_transfer::PullProgress;
use rsp_transfer::push::{PushProgress, QuietPush};
use std::collections::HashMap;
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

fn bar_style(what: &str) -> ProgressStyle {
    ProgressStyle::with_template(&format!(
        "{what} {{prefix}} [{{bar:30}}] {{bytes}}/{{total_bytes}} {{bytes_per_sec}}"
    ))
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ")
}

fn finish(b: &ProgressBar) {
    b.set_style(
        ProgressStyle::with_template("Copying blob {prefix} done {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    b.finish_with_message(indicatif::HumanBytes(b.length().unwrap_or(0)).to_string());
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
        // Styled before it is added: the default style would be drawn first.
        let bar = self.multi.add(
            ProgressBar::new(size)
                .with_style(bar_style("Copying blob"))
                .with_prefix(short(digest).to_string()),
        );
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
            finish(&b);
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

/// Stderr for bars, if they would be drawn there: indicatif draws nothing,
/// not even the lines printed through it, on a terminal it cannot drive
/// (`TERM` unset or `dumb`), so those get plain lines like a pipe does.
fn bar_target() -> Option<ProgressDrawTarget> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let target = ProgressDrawTarget::stderr();
    (!target.is_hidden()).then_some(target)
}

/// The reporter for this terminal and flags.
pub fn for_pull(quiet: bool) -> Arc<dyn PullProgress> {
    if quiet {
        Arc::new(rsp_transfer::Quiet)
    } else if let Some(target) = bar_target() {
        Arc::new(Bars {
            multi: MultiProgress::with_draw_target(target),
            bars: Mutex::new(Vec::new()),
        })
    } else {
        Arc::new(Lines)
    }
}

/// Podman's plain push lines on stderr.
struct PushLines;

impl PushProgress for PushLines {
    fn start(&self) {
        eprintln!("Getting image source signatures");
    }
    fn blob(&self, diff_id: &str, _size: u64, skipped: bool) {
        if skipped {
            eprintln!("Copying blob {} skipped: already exists", short(diff_id));
        } else {
            eprintln!("Copying blob {diff_id}");
        }
    }
    fn config(&self, digest: &str) {
        eprintln!("Copying config {digest}");
    }
    fn writing_manifest(&self) {
        eprintln!("Writing manifest to image destination");
    }
}

/// A bar per layer that goes through compression, then upload.
struct PushBars {
    multi: MultiProgress,
    bars: Mutex<HashMap<String, ProgressBar>>,
}

impl PushBars {
    fn bar(&self, diff_id: &str) -> Option<ProgressBar> {
        self.bars.lock().ok()?.get(diff_id).cloned()
    }
    fn new_bar(&self, diff_id: &str, what: &str, size: u64) {
        let bar = match self.bar(diff_id) {
            Some(b) => b,
            None => {
                let b = self.multi.add(
                    ProgressBar::new(size)
                        .with_style(bar_style(what))
                        .with_prefix(short(diff_id).to_string()),
                );
                if let Ok(mut bars) = self.bars.lock() {
                    bars.insert(diff_id.to_string(), b.clone());
                }
                b
            }
        };
        bar.set_style(bar_style(what));
        bar.set_length(size);
        bar.set_position(0);
        bar.reset_eta();
    }
}

impl PushProgress for PushBars {
    fn start(&self) {
        let _ = self.multi.println("Getting image source signatures");
    }
    fn compressing(&self, diff_id: &str, size: u64) {
        self.new_bar(diff_id, "Compressing blob", size);
    }
    fn bytes(&self, diff_id: &str, n: u64) {
        if let Some(b) = self.bar(diff_id) {
            b.inc(n);
        }
    }
    fn blob(&self, diff_id: &str, size: u64, skipped: bool) {
        if skipped {
            if let Some(b) = self.bar(diff_id) {
                b.finish_and_clear();
            }
            let _ = self.multi.println(format!(
                "Copying blob {} skipped: already exists",
                short(diff_id)
            ));
        } else {
            self.new_bar(diff_id, "Copying blob", size);
        }
    }
    fn blob_done(&self, diff_id: &str) {
        if let Some(b) = self.bar(diff_id) {
            finish(&b);
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

/// The push reporter for this terminal and flags.
pub fn for_push(quiet: bool) -> Arc<dyn PushProgress> {
    if quiet {
        Arc::new(QuietPush)
    } else if let Some(target) = bar_target() {
        Arc::new(PushBars {
            multi: MultiProgress::with_draw_target(target),
            bars: Mutex::new(HashMap::new()),
        })
    } else {
        Arc::new(PushLines)
    }
}
