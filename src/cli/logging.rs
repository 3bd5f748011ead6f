//! The log lines rsp prints on stderr: every warning, info and debug line
//! goes through here, so `--log-level` governs them all.
//!
//! Contract: every layer, the CLI included, logs through the `log` facade;
//! only this module writes log records. `--log-level` sets the threshold
//! for every level (`error` hides warnings, `info` adds info lines,
//! `debug`/`trace` more). A record is one line in logrus's layout,
//! `WARN[0003] message` (seconds since rsp started), whatever stderr is, so
//! scripts can grep `WARN[` as they do Podman's terminal output; control
//! characters in a message become spaces, so it cannot move the cursor or
//! forge a second record. Records from rsp's own crates are shown at the
//! chosen level; those of the libraries rsp uses (HTTP, TLS) only at
//! `trace`, so `--log-level=debug` stays readable and never shows what a
//! library chose to log about a request.

use std::io::Write;
use std::time::Instant;

use log::{Level, LevelFilter, Log, Metadata, Record};

struct StderrLog {
    start: Instant,
    libraries: bool,
}

/// The threshold for a `--log-level` value (clap has checked it is one of
/// logrus's names). `fatal` and `panic` show errors only: rsp has no
/// separate levels for them.
pub fn level_filter(name: &str) -> LevelFilter {
    match name {
        "trace" => LevelFilter::Trace,
        "debug" => LevelFilter::Debug,
        "info" => LevelFilter::Info,
        "warn" => LevelFilter::Warn,
        _ => LevelFilter::Error,
    }
}

/// Installs the logger for this process; later calls change nothing.
pub fn init(level: &str) {
    let filter = level_filter(level);
    let logger = StderrLog {
        start: Instant::now(),
        libraries: filter == LevelFilter::Trace,
    };
    // One logger per process, for its whole life: leaking it is what
    // `log` expects of a logger that is not a static.
    if log::set_logger(Box::leak(Box::new(logger))).is_ok() {
        log::set_max_level(filter);
    }
}

fn ours(target: &str) -> bool {
    target == "rsp" || target.starts_with("rsp::") || target.starts_with("rsp_")
}

/// logrus's four-letter name for a level.
fn short_name(level: Level) -> &'static str {
    match level {
        Level::Error => "ERRO",
        Level::Warn => "WARN",
        Level::Info => "INFO",
        Level::Debug => "DEBU",
        Level::Trace => "TRAC",
    }
}

/// One record as a line, without the newline.
fn line(level: Level, msg: &str, elapsed_secs: u64) -> String {
    let clean: String = msg
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("{}[{elapsed_secs:04}] {clean}", short_name(level))
}

impl Log for StderrLog {
    fn enabled(&self, m: &Metadata) -> bool {
        m.level() <= log::max_level() && (self.libraries || ours(m.target()))
    }

    fn log(&self, r: &Record) {
        if !self.enabled(r.metadata()) {
            return;
        }
        let text = line(
            r.level(),
            &r.args().to_string(),
            self.start.elapsed().as_secs(),
        );
        let _ = writeln!(std::io::stderr().lock(), "{text}");
    }

    fn flush(&self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_is_one_logrus_line() {
        assert_eq!(
            line(Level::Warn, "StopSignal SIGTERM failed", 10),
            "WARN[0010] StopSignal SIGTERM failed"
        );
        assert_eq!(
            line(Level::Debug, "x\x1b[2Jy\nz", 12),
            "DEBU[0012] x [2Jy z"
        );
    }

    #[test]
    fn every_level_name_sets_a_threshold() {
        assert_eq!(level_filter("error"), LevelFilter::Error);
        assert_eq!(level_filter("fatal"), LevelFilter::Error);
        assert_eq!(level_filter("warn"), LevelFilter::Warn);
        assert_eq!(level_filter("info"), LevelFilter::Info);
        assert_eq!(level_filter("trace"), LevelFilter::Trace);
    }

    #[test]
    fn library_records_are_told_apart() {
        assert!(ours("rsp::registry::auth"));
        assert!(ours("rsp_registry::auth"));
        assert!(!ours("reqwest::connect"));
        assert!(!ours("rustls"));
    }
}
