//! The events log: one JSON object per line, appended by every rsp command
//! that changes something, read by `rsp events`.
//!
//! Contract:
//! - [`append`] adds one whole line with one `write(2)` on an `O_APPEND`
//!   file, so lines from concurrent rsp processes never interleave and a
//!   reader sees a line entirely or not at all (only lines ending in `\n`
//!   are read).
//! - Readers skip lines that do not parse: a corrupt line costs that event,
//!   never the log. A missing file holds no events.
//! - `since` and `until` are inclusive. Filters follow `podman events
//!   --filter`: values of one key are alternatives, different keys must all
//!   match.
//! - Events are data; the CLI writes them as `podman events` does.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Seek, SeekFrom, Write};
use std::os::unix::fs::{DirBuilderExt, FileExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum EventsError {
    #[error("creating events directory {path}: {source}")]
    CreateDir { path: PathBuf, source: io::Error },
    #[error("opening events log {path}: {source}")]
    Open { path: PathBuf, source: io::Error },
    #[error("encoding an event for {path}: {source}")]
    Encode {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("writing events log {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error("reading events log {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("printing events from {path}: {source}")]
    Output { path: PathBuf, source: io::Error },
    #[error("invalid filter {filter:?}: expected key=value, keys: {VALID_KEYS}")]
    BadFilter { filter: String },
    #[error("unknown filter key {key:?}: valid keys are {VALID_KEYS}")]
    UnknownFilter { key: String },
}

const VALID_KEYS: &str = "container, event (or status), image, label, type";

/// One thing that happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    #[serde(with = "rfc3339_nanos")]
    pub time: DateTime<Utc>,
    /// `container`, `image` or `system`.
    pub kind: String,
    /// What happened: `create`, `start`, `died`, `pull`, `tag`, ...
    pub status: String,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub image: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// Container labels, plus details such as an exec session's ID.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
}

impl Event {
    /// An event of `kind` and `status` happening now, other fields empty.
    pub fn new(kind: &str, status: &str) -> Event {
        Event {
            time: Utc::now(),
            kind: kind.to_string(),
            status: status.to_string(),
            id: String::new(),
            name: String::new(),
            image: String::new(),
            exit_code: None,
            attributes: BTreeMap::new(),
        }
    }
}

/// Nanosecond RFC 3339 always, so stored times keep their full precision
/// and sort as text.
mod rfc3339_nanos {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Nanos, true))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }
}

/// Appends `ev` to the log at `path`, creating the file (0600) and its
/// directory (0700) if needed.
pub fn append(path: &Path, ev: &Event) -> Result<(), EventsError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|source| EventsError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
    }
    let mut line = serde_json::to_vec(ev).map_err(|source| EventsError::Encode {
        path: path.to_path_buf(),
        source,
    })?;
    line.push(b'\n');
    let mut file = OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(path)
        .map_err(|source| EventsError::Open {
            path: path.to_path_buf(),
            source,
        })?;
    // One write(2) for the whole line; write_all only loops on a short
    // write, which a regular file gives only when the disk is full.
    file.write_all(&line).map_err(|source| EventsError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Which events to show, from `--filter key=value` arguments.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Container names, IDs or ID prefixes.
    pub container: Vec<String>,
    /// Statuses (`event=` or `status=`).
    pub event: Vec<String>,
    /// Image names, IDs or ID prefixes.
    pub image: Vec<String>,
    /// `key` or `key=value`, matched against the attributes.
    pub label: Vec<String>,
    /// Event kinds (`type=`).
    pub kind: Vec<String>,
}

impl Filter {
    /// Parses `key=value` strings; keys are case-insensitive.
    pub fn parse(filters: &[String]) -> Result<Filter, EventsError> {
        let mut f = Filter::default();
        for raw in filters {
            let bad = || EventsError::BadFilter {
                filter: raw.clone(),
            };
            let (key, value) = raw.split_once('=').ok_or_else(bad)?;
            if value.is_empty() {
                return Err(bad());
            }
            let list = match key.to_ascii_lowercase().as_str() {
                "container" => &mut f.container,
                "event" | "status" => &mut f.event,
                "image" => &mut f.image,
                "label" => &mut f.label,
                "type" => &mut f.kind,
                _ => {
                    return Err(EventsError::UnknownFilter {
                        key: key.to_string(),
                    });
                }
            };
            list.push(value.to_string());
        }
        Ok(f)
    }

    /// True if `ev` passes every key given.
    pub fn matches(&self, ev: &Event) -> bool {
        let any = |values: &[String], pred: &dyn Fn(&str) -> bool| {
            values.is_empty() || values.iter().any(|v| pred(v))
        };
        let name_or_id = |v: &str| ev.name == v || ev.id.starts_with(v);
        any(&self.container, &|v| ev.kind == "container" && name_or_id(v))
            && any(&self.event, &|v| ev.status == v)
            // A container event names its image too, as Docker matches it.
            && any(&self.image, &|v| match ev.kind.as_str() {
                "image" => name_or_id(v),
                "container" => ev.image == v,
                _ => false,
            })
            && any(&self.label, &|v| match v.split_once('=') {
                Some((k, val)) => ev.attributes.get(k).is_some_and(|a| a == val),
                None => ev.attributes.contains_key(v),
            })
            && any(&self.kind, &|v| ev.kind == v)
    }
}

fn in_range(ev: &Event, since: Option<DateTime<Utc>>, until: Option<DateTime<Utc>>) -> bool {
    since.is_none_or(|s| ev.time >= s) && until.is_none_or(|u| ev.time <= u)
}

/// Calls `f` with each event in the complete lines of `file` from `offset`
/// on; returns the offset past the last complete line.
fn scan(
    file: &File,
    path: &Path,
    offset: u64,
    f: &mut dyn FnMut(Event) -> Result<(), EventsError>,
) -> Result<u64, EventsError> {
    let read_err = |source| EventsError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut reader = BufReader::new(file);
    reader.seek(SeekFrom::Start(offset)).map_err(read_err)?;
    let mut offset = offset;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line).map_err(read_err)?;
        // EOF, or a line still being written: leave it for the next scan.
        if n == 0 || line.last() != Some(&b'\n') {
            return Ok(offset);
        }
        offset += n as u64;
        if let Ok(ev) = serde_json::from_slice::<Event>(&line) {
            f(ev)?;
        }
    }
}

/// The matching events in the log, in the order they were written.
pub fn read(
    path: &Path,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    filter: &Filter,
) -> Result<Vec<Event>, EventsError> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(EventsError::Open {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let mut events = Vec::new();
    scan(&file, path, 0, &mut |ev| {
        if in_range(&ev, since, until) && filter.matches(&ev) {
            events.push(ev);
        }
        Ok(())
    })?;
    Ok(events)
}

/// Streams matching events as `podman events` does: with `since` or
/// `until`, from the start of the log, else only events written from now
/// on; checking every `poll`. Returns once the clock passes `until`, or
/// with an error once `out` fails (e.g. a closed pipe). A missing log is
/// waited for; a log emptied or replaced is read again from its start,
/// skipping what was already shown.
pub fn follow(
    path: &Path,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    filter: &Filter,
    out: &mut dyn FnMut(&Event) -> io::Result<()>,
    poll: Duration,
) -> Result<(), EventsError> {
    let read_err = |source| EventsError::Read {
        path: path.to_path_buf(),
        source,
    };
    let open = |path: &Path| match File::open(path) {
        Ok(f) => {
            let meta = f.metadata().map_err(read_err)?;
            Ok(Some((f, (meta.dev(), meta.ino()), meta.len())))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(EventsError::Open {
            path: path.to_path_buf(),
            source,
        }),
    };
    let from_start = since.is_some() || until.is_some();
    let mut current = open(path)?;
    let mut offset = match &current {
        Some((_, _, len)) if !from_start => *len,
        _ => 0,
    };
    let last_shown: Cell<Option<DateTime<Utc>>> = Cell::new(None);
    // After a restart, events up to the last one shown were shown before.
    let mut skip_through: Option<DateTime<Utc>> = None;
    let mut emit = |ev: Event, skip_through: Option<DateTime<Utc>>| {
        if skip_through.is_some_and(|s| ev.time <= s)
            || !in_range(&ev, since, until)
            || !filter.matches(&ev)
        {
            return Ok(());
        }
        last_shown.set(Some(last_shown.get().map_or(ev.time, |l| l.max(ev.time))));
        out(&ev).map_err(|source| EventsError::Output {
            path: path.to_path_buf(),
            source,
        })
    };
    let mut sig = match &current {
        Some((file, _, _)) => signature(file, offset),
        None => Vec::new(),
    };
    loop {
        let done = until.is_some_and(|u| Utc::now() > u);
        let now_id = match std::fs::metadata(path) {
            Ok(meta) => Some((meta.dev(), meta.ino())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(source) => return Err(read_err(source)),
        };
        let replaced = match (&current, now_id) {
            (Some((_, id, _)), Some(now)) => *id != now,
            (None, Some(_)) => true,
            _ => false,
        };
        if replaced {
            if let Some((file, _, _)) = &current {
                offset = scan(file, path, offset, &mut |ev| emit(ev, skip_through))?;
                sig = signature(file, offset);
            }
            if let Some(new) = open(path)? {
                current = Some(new);
                offset = 0;
                sig.clear();
                skip_through = last_shown.get();
            }
        }
        if let Some((file, _, _)) = &current {
            // Emptied, or rewritten (Podman's rotation keeps the newer half)
            // perhaps to the same length: the bytes before `offset` tell.
            let len = file.metadata().map_err(read_err)?.len();
            if len < offset || signature(file, offset) != sig {
                offset = 0;
                skip_through = last_shown.get();
            }
            let reached = scan(file, path, offset, &mut |ev| emit(ev, skip_through))?;
            if reached != offset {
                offset = reached;
                sig = signature(file, offset);
            }
        }
        if done {
            return Ok(());
        }
        std::thread::sleep(poll);
    }
}

/// The bytes just before `offset`, to recognise a rewritten file.
fn signature(file: &File, offset: u64) -> Vec<u8> {
    let start = offset.saturating_sub(64);
    let mut buf = vec![0u8; (offset - start) as usize];
    match file.read_exact_at(&mut buf, start) {
        Ok(()) => buf,
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn ev(time: &str, kind: &str, status: &str, id: &str, name: &str) -> Event {
        Event {
            time: at(time),
            kind: kind.into(),
            status: status.into(),
            id: id.into(),
            name: name.into(),
            image: if kind == "container" {
                "docker.io/library/busybox:latest".into()
            } else {
                String::new()
            },
            exit_code: None,
            attributes: BTreeMap::new(),
        }
    }

    fn filter(args: &[&str]) -> Filter {
        Filter::parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    fn statuses(evs: &[Event]) -> Vec<&str> {
        evs.iter().map(|e| e.status.as_str()).collect()
    }

    #[test]
    fn serde_round_trip_keeps_nanoseconds() {
        let mut e = ev(
            "2026-11-23T15:48:46.123456789Z",
            "container",
            "died",
            "abc",
            "foo",
        );
        e.exit_code = Some(137);
        e.attributes.insert("a".into(), "b".into());
        let line = serde_json::to_string(&e).unwrap();
        assert!(
            line.contains("\"2026-11-23T15:48:46.123456789Z\""),
            "{line}"
        );
        assert_eq!(serde_json::from_str::<Event>(&line).unwrap(), e);
        // Whole seconds still carry nine digits.
        let whole = ev("2026-11-23T15:48:46Z", "system", "refresh", "", "");
        let line = serde_json::to_string(&whole).unwrap();
        assert!(line.contains("15:48:46.000000000Z"), "{line}");
        assert!(!line.contains("exit_code") && !line.contains("attributes"));
        // Optional fields may be missing when read back.
        let min = r#"{"time":"2026-11-23T15:48:46+01:00","kind":"system","status":"x"}"#;
        let e = serde_json::from_str::<Event>(min).unwrap();
        assert_eq!(e.time, at("2026-11-23T14:48:46Z"));
    }

    #[test]
    fn append_creates_dir_and_file_private() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("events/sub/events.log");
        append(&p, &ev("2026-11-23T15:00:00Z", "system", "a", "", "")).unwrap();
        append(&p, &ev("2026-11-23T15:00:01Z", "system", "b", "", "")).unwrap();
        assert_eq!(std::fs::metadata(&p).unwrap().mode() & 0o777, 0o600);
        let dir = p.parent().unwrap();
        assert_eq!(std::fs::metadata(dir).unwrap().mode() & 0o777, 0o700);
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(text.lines().count(), 2);
        let all = read(&p, None, None, &Filter::default()).unwrap();
        assert_eq!(statuses(&all), ["a", "b"]);
    }

    #[test]
    fn concurrent_appends_never_interleave() {
        let d = tempfile::tempdir().unwrap();
        let p = Arc::new(d.path().join("events.log"));
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let p = p.clone();
                std::thread::spawn(move || {
                    for i in 0..100 {
                        let mut e = Event::new("container", "start");
                        e.id = format!("{t}-{i}");
                        // Lines well past a page, where a torn write would show.
                        e.attributes.insert("pad".into(), "x".repeat(5000 + i * 7));
                        append(&p, &e).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let text = std::fs::read_to_string(&*p).unwrap();
        assert_eq!(text.lines().count(), 800);
        for line in text.lines() {
            serde_json::from_str::<Event>(line).unwrap();
        }
        let mut ids: Vec<String> = read(&p, None, None, &Filter::default())
            .unwrap()
            .into_iter()
            .map(|e| e.id)
            .collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 800);
    }

    #[test]
    fn missing_file_is_empty_and_corrupt_lines_are_skipped() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("events.log");
        assert!(read(&p, None, None, &Filter::default()).unwrap().is_empty());
        append(&p, &ev("2026-11-23T15:00:00Z", "system", "a", "", "")).unwrap();
        let mut f = OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(b"not json\n{\"time\":\"bad\",\"kind\":\"x\",\"status\":\"y\"}\n\n\xff\n")
            .unwrap();
        append(&p, &ev("2026-11-23T15:00:01Z", "system", "b", "", "")).unwrap();
        // A line still being written is not read.
        f.write_all(br#"{"time":"2026-11-23T15:00:02Z","kind":"system","status":"c"}"#)
            .unwrap();
        let all = read(&p, None, None, &Filter::default()).unwrap();
        assert_eq!(statuses(&all), ["a", "b"]);
    }

    #[test]
    fn filter_parsing() {
        let f = filter(&[
            "container=foo",
            "EVENT=start",
            "status=stop",
            "type=container",
        ]);
        assert_eq!(f.container, ["foo"]);
        assert_eq!(f.event, ["start", "stop"]);
        assert_eq!(f.kind, ["container"]);
        // Only the first '=' separates: label values may contain '='.
        assert_eq!(filter(&["label=a=b=c"]).label, ["a=b=c"]);
        let err = Filter::parse(&["volume=x".into()]).unwrap_err();
        assert!(matches!(err, EventsError::UnknownFilter { .. }));
        let msg = err.to_string();
        assert!(
            msg.contains("\"volume\"") && msg.contains("container, event"),
            "{msg}"
        );
        for bad in ["container", "container=", "=x"] {
            let err = Filter::parse(&[bad.into()]).unwrap_err();
            assert!(
                matches!(
                    err,
                    EventsError::BadFilter { .. } | EventsError::UnknownFilter { .. }
                ),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn filter_matching() {
        let mut start = ev(
            "2026-11-23T15:00:00Z",
            "container",
            "start",
            "3b2e2f00aa",
            "foo",
        );
        start.attributes.insert("app".into(), "web".into());
        let stop = ev("2026-11-23T15:00:01Z", "container", "stop", "99aa", "bar");
        let mut pull = ev(
            "2026-11-23T15:00:02Z",
            "image",
            "pull",
            "feedbeef",
            "docker.io/x:1",
        );
        pull.image = String::new();
        let sys = ev("2026-11-23T15:00:03Z", "system", "refresh", "", "");
        let all = [&start, &stop, &pull, &sys];
        let hits = |args: &[&str]| -> Vec<String> {
            let f = filter(args);
            all.iter()
                .filter(|e| f.matches(e))
                .map(|e| e.status.clone())
                .collect()
        };
        assert_eq!(hits(&[]), ["start", "stop", "pull", "refresh"]);
        assert_eq!(hits(&["container=foo"]), ["start"]);
        assert_eq!(hits(&["container=3b2e"]), ["start"]);
        assert_eq!(hits(&["container=2e2f"]), Vec::<String>::new());
        // The same key twice: either.
        assert_eq!(hits(&["container=foo", "container=bar"]), ["start", "stop"]);
        // Different keys: both.
        assert_eq!(hits(&["container=foo", "event=stop"]), Vec::<String>::new());
        assert_eq!(hits(&["container=bar", "status=stop"]), ["stop"]);
        assert_eq!(hits(&["type=image"]), ["pull"]);
        assert_eq!(hits(&["type=image", "type=system"]), ["pull", "refresh"]);
        assert_eq!(hits(&["image=docker.io/x:1"]), ["pull"]);
        assert_eq!(hits(&["image=feed"]), ["pull"]);
        assert_eq!(
            hits(&["image=docker.io/library/busybox:latest"]),
            ["start", "stop"]
        );
        assert_eq!(hits(&["label=app"]), ["start"]);
        assert_eq!(hits(&["label=app=web"]), ["start"]);
        assert_eq!(hits(&["label=app=db"]), Vec::<String>::new());
        assert_eq!(hits(&["label=app=db", "label=app=web"]), ["start"]);
    }

    #[test]
    fn since_and_until_are_inclusive() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("events.log");
        for (i, s) in ["a", "b", "c", "d"].iter().enumerate() {
            append(
                &p,
                &ev(&format!("2026-11-23T15:00:0{i}Z"), "system", s, "", ""),
            )
            .unwrap();
        }
        let f = Filter::default();
        let got = |since: Option<&str>, until: Option<&str>| {
            statuses(&read(&p, since.map(at), until.map(at), &f).unwrap())
                .into_iter()
                .map(String::from)
                .collect::<Vec<_>>()
        };
        assert_eq!(got(Some("2026-11-23T15:00:01Z"), None), ["b", "c", "d"]);
        assert_eq!(got(None, Some("2026-11-23T15:00:02Z")), ["a", "b", "c"]);
        assert_eq!(
            got(Some("2026-11-23T15:00:01Z"), Some("2026-11-23T15:00:01Z")),
            ["b"]
        );
        assert!(got(Some("2026-11-23T15:00:04Z"), None).is_empty());
    }

    type Following = (
        Arc<Mutex<Vec<String>>>,
        std::thread::JoinHandle<Result<(), EventsError>>,
    );

    /// Runs `follow` in a thread, collecting statuses as they come.
    fn spawn_follow(
        p: &Path,
        since: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
        f: Filter,
    ) -> Following {
        let got = Arc::new(Mutex::new(Vec::new()));
        let sink = got.clone();
        let p = p.to_path_buf();
        let h = std::thread::spawn(move || {
            follow(
                &p,
                since,
                until,
                &f,
                &mut |e| {
                    sink.lock().unwrap().push(e.status.clone());
                    Ok(())
                },
                Duration::from_millis(5),
            )
        });
        (got, h)
    }

    fn wait_len(got: &Mutex<Vec<String>>, n: usize) {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while got.lock().unwrap().len() < n {
            assert!(
                std::time::Instant::now() < deadline,
                "{:?}",
                got.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn now_event(status: &str) -> Event {
        Event::new("system", status)
    }

    #[test]
    fn follow_with_since_shows_old_then_new_and_ends_at_until() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("events.log");
        append(&p, &ev("2020-01-01T00:00:00Z", "system", "ancient", "", "")).unwrap();
        append(&p, &now_event("old")).unwrap();
        let since = Utc::now() - chrono::Duration::hours(1);
        let until = Utc::now() + chrono::Duration::milliseconds(400);
        let (got, h) = spawn_follow(&p, Some(since), Some(until), Filter::default());
        wait_len(&got, 1);
        append(&p, &now_event("new")).unwrap();
        let mut late = now_event("late");
        late.time = until + chrono::Duration::seconds(1);
        append(&p, &late).unwrap();
        h.join().unwrap().unwrap();
        assert!(Utc::now() > until);
        assert_eq!(*got.lock().unwrap(), ["old", "new"]);
    }

    #[test]
    fn follow_without_since_starts_at_the_end() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("events.log");
        append(&p, &now_event("before")).unwrap();
        let got = Arc::new(Mutex::new(Vec::new()));
        let sink = got.clone();
        let fp = p.clone();
        // Ends by the callback failing, as on a closed pipe.
        let h = std::thread::spawn(move || {
            follow(
                &fp,
                None,
                None,
                &filter(&["event=start", "event=stop"]),
                &mut |e| {
                    sink.lock().unwrap().push(e.status.clone());
                    if e.status == "stop" {
                        return Err(io::Error::from(io::ErrorKind::BrokenPipe));
                    }
                    Ok(())
                },
                Duration::from_millis(5),
            )
        });
        std::thread::sleep(Duration::from_millis(200));
        append(&p, &now_event("ignored")).unwrap();
        append(&p, &now_event("start")).unwrap();
        append(&p, &now_event("stop")).unwrap();
        append(&p, &now_event("start")).unwrap();
        let err = h.join().unwrap().unwrap_err();
        assert!(matches!(err, EventsError::Output { .. }), "{err}");
        assert_eq!(*got.lock().unwrap(), ["start", "stop"]);
    }

    #[test]
    fn follow_waits_for_the_file_and_survives_truncation() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("sub/events.log");
        let (got, h) = spawn_follow(
            &p,
            None,
            Some(Utc::now() + chrono::Duration::seconds(3)),
            Filter::default(),
        );
        std::thread::sleep(Duration::from_millis(50));
        append(&p, &now_event("first")).unwrap();
        append(&p, &now_event("second")).unwrap();
        wait_len(&got, 2);
        // Rotated the way Podman does: the file is rewritten shorter, old
        // events kept; they must not be shown twice.
        let text = std::fs::read_to_string(&p).unwrap();
        let kept = text.lines().nth(1).unwrap().to_string();
        std::fs::write(&p, format!("{kept}\n")).unwrap();
        append(&p, &now_event("third")).unwrap();
        wait_len(&got, 3);
        // Replaced by a new file.
        std::fs::remove_file(&p).unwrap();
        append(&p, &now_event("fourth")).unwrap();
        wait_len(&got, 4);
        h.join().unwrap().unwrap();
        assert_eq!(*got.lock().unwrap(), ["first", "second", "third", "fourth"]);
    }
}
