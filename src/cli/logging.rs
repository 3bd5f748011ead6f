//! The log lines rsp prints on stderr, in Podman's (logrus's) two forms.
//!
//! Contract: every layer logs through the `log` facade; only this module
//! writes log records. `--log-level` sets the threshold for every level
//! (`error` hides warnings, `info` adds info lines, `debug`/`trace` more).
//! On a terminal a record is `WARN[0003] message` (seconds since start);
//! otherwise `time="RFC 3339" level=warning msg="message"`, as Podman
//! prints them when its stderr is a file or a pipe. Records from rsp's own
//! modules are shown at the chosen level; those of the libraries rsp uses
//! (HTTP, TLS) only at `trace`, so `--log-level=debug` stays readable and
//! never shows what a library chose to log about a request.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use log::{Level, LevelFilter, Log, Metadata, Record};

struct StderrLog {
    start: Instant,
    terminal: bool,
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
        terminal: std::io::stderr().is_terminal(),
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

/// logrus's name for a level, and its four-letter terminal form.
fn names(level: Level) -> (&'static str, &'static str) {
    match level {
        Level::Error => ("error", "ERRO"),
        Level::Warn => ("warning", "WARN"),
        Level::Info => ("info", "INFO"),
        Level::Debug => ("debug", "DEBU"),
        Level::Trace => ("trace", "TRAC"),
    }
}

/// One record as a line, without the newline.
fn line(level: Level, msg: &str, terminal: bool, elapsed_secs: u64, now: &str) -> String {
    let (long, short) = names(level);
    if terminal {
        // A message cannot move the cursor or start a new line that looks
        // like another record.
        let clean: String = msg
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        format!("{short}[{elapsed_secs:04}] {clean}")
    } else {
        format!("time=\"{now}\" level={long} msg={}", gotmpl::quote(msg))
    }
}

impl Log for StderrLog {
    fn enabled(&self, m: &Metadata) -> bool {
        m.level() <= log::max_level() && (self.libraries || ours(m.target()))
    }

    fn log(&self, r: &Record) {
        if !self.enabled(r.metadata()) {
            return;
        }
        let now = chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
        let text = line(
            r.level(),
            &r.args().to_string(),
            self.terminal,
            self.start.elapsed().as_secs(),
            &now,
        );
        let _ = writeln!(std::io::stderr().lock(), "{text}");
    }

    fn flush(&self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipe_form_is_logrus_text() {
        assert_eq!(
            line(Level::Warn, "a \"b\"\nc", false, 3, "2026-01-02T03:04:05Z"),
            r#"time="2026-01-02T03:04:05Z" level=warning msg="a \"b\"\nc""#
        );
        // Go's %q spelling of a control character, as logrus prints it.
        assert_eq!(
            line(Level::Error, "\x1b", false, 0, "t"),
            r#"time="t" level=error msg="\x1b""#
        );
    }

    #[test]
    fn terminal_form_has_seconds_and_no_control_characters() {
        assert_eq!(
            line(Level::Debug, "x\x1b[2Jy", true, 12, ""),
            "DEBU[0012] x [2Jy"
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
