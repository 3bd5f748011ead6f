//! How `stats` and `events` show the engine's data: Podman's stats table
//! and JSON rows, and Podman's event lines and JSON objects.
//!
//! Contract: everything here is a pure function of typed engine data
//! ([`ProcStats`] and [`CpuUse`] from [`rsp_runtime::stats`],
//! [`Event`] from [`rsp_runtime::events`]) to text or JSON. Event times are
//! written in UTC, which is what Podman writes on a machine whose zone is
//! UTC.

use super::output::{SizeStyle, human_size};
use chrono::{DateTime, Utc};
use rsp_base::timespec::go_duration;
use rsp_runtime::events::Event;
use rsp_runtime::stats::{CpuUse, ProcStats};
use std::time::Duration;

fn size(bytes: u64) -> String {
    human_size(bytes, SizeStyle::Compact)
}

fn percent(p: f64) -> String {
    format!("{p:.2}%")
}

/// One container as `podman stats --format json` prints it; `id` as
/// given (the caller shortens it unless `--no-trunc`).
pub fn stats_row(id: &str, name: &str, s: &ProcStats, cpu: CpuUse) -> serde_json::Value {
    let mem = if s.mem_limit > 0 {
        s.mem_bytes as f64 / s.mem_limit as f64 * 100.0
    } else {
        0.0
    };
    serde_json::json!({
        "id": id,
        "name": name,
        "cpu_time": go_duration(Duration::from_nanos(s.cpu_nanos)),
        "cpu_percent": percent(cpu.percent),
        "avg_cpu": percent(cpu.average),
        "mem_usage": format!("{} / {}", size(s.mem_bytes), size(s.mem_limit)),
        "mem_percent": percent(mem),
        "net_io": format!("{} / {}", size(s.net_rx), size(s.net_tx)),
        "block_io": format!("{} / {}", size(s.block_read), size(s.block_write)),
        "pids": s.pids.to_string(),
    })
}

/// The columns of Podman's default `stats` table.
pub const STATS_HEADERS: &[&str] = &[
    "ID",
    "NAME",
    "CPU %",
    "MEM USAGE / LIMIT",
    "MEM %",
    "NET IO",
    "BLOCK IO",
    "PIDS",
    "CPU TIME",
    "AVG CPU %",
];

/// A [`stats_row`] value as the cells under [`STATS_HEADERS`].
pub fn stats_table_row(v: &serde_json::Value) -> Vec<String> {
    [
        "id",
        "name",
        "cpu_percent",
        "mem_usage",
        "mem_percent",
        "net_io",
        "block_io",
        "pids",
        "cpu_time",
        "avg_cpu",
    ]
    .iter()
    .map(|k| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string())
    .collect()
}

/// Go's `time.Time.String()` for a UTC time: fraction without trailing
/// zeros, none at all for whole seconds.
fn go_time_string(t: &DateTime<Utc>) -> String {
    let mut s = t.format("%Y-%m-%d %H:%M:%S").to_string();
    let nanos = t.timestamp_subsec_nanos();
    if nanos != 0 {
        let frac = format!("{nanos:09}");
        s.push('.');
        s.push_str(frac.trim_end_matches('0'));
    }
    s.push_str(" +0000 UTC");
    s
}

/// The event as `podman events` prints it by default.
pub fn event_line(ev: &Event) -> String {
    let t = go_time_string(&ev.time);
    let (kind, status, id) = (&ev.kind, &ev.status, &ev.id);
    match kind.as_str() {
        "container" | "pod" => {
            let mut s = format!(
                "{t} {kind} {status} {id} (image={}, name={}",
                ev.image, ev.name
            );
            for (k, v) in &ev.attributes {
                s.push_str(&format!(", {k}={v}"));
            }
            s.push(')');
            s
        }
        "image" => format!("{t} {kind} {status} {id} {}", ev.name),
        _ if ev.name.is_empty() && id.is_empty() => format!("{t} {kind} {status}"),
        "system" => format!("{t} {kind} {status} {}", ev.name),
        _ if ev.name.is_empty() => format!("{t} {kind} {status} {id}"),
        _ => format!("{t} {kind} {status} {}", ev.name),
    }
}

/// The event as one object of `podman events --format json`: Podman's
/// field names and order, empty strings left out, `time` in Unix seconds.
pub fn event_json(ev: &Event) -> serde_json::Value {
    use serde_json::{Map, Value};
    let mut m = Map::new();
    if let Some(code) = ev.exit_code {
        m.insert("ContainerExitCode".into(), code.into());
    }
    for (key, value) in [("ID", &ev.id), ("Image", &ev.image), ("Name", &ev.name)] {
        if !value.is_empty() {
            m.insert(key.into(), value.as_str().into());
        }
    }
    m.insert("Status".into(), ev.status.as_str().into());
    m.insert("time".into(), ev.time.timestamp().into());
    let nanos = ev
        .time
        .timestamp_nanos_opt()
        .unwrap_or(if ev.time.timestamp() < 0 {
            i64::MIN
        } else {
            i64::MAX
        });
    m.insert("timeNano".into(), nanos.into());
    m.insert("Type".into(), ev.kind.as_str().into());
    // Podman's container events always carry a (label) map; others carry
    // none, which Go prints as null.
    let attrs = if ev.attributes.is_empty() && ev.kind != "container" {
        Value::Null
    } else {
        Value::Object(
            ev.attributes
                .iter()
                .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                .collect(),
        )
    };
    m.insert("Attributes".into(), attrs);
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn ev(time: &str, kind: &str, status: &str, id: &str, name: &str) -> Event {
        let mut e = Event::new(kind, status);
        e.time = at(time);
        e.id = id.into();
        e.name = name.into();
        if kind == "container" {
            e.image = "docker.io/library/busybox:latest".into();
        }
        e
    }

    #[test]
    fn stats_row_has_podmans_keys_and_formats() {
        let s = ProcStats {
            cpu_nanos: 1_500_000_000,
            mem_bytes: 1_045_000,
            mem_limit: 33_510_000_000,
            pids: 3,
            ..ProcStats::default()
        };
        let cpu = CpuUse {
            percent: 1.5,
            average: 12.345,
        };
        let v = stats_row("0123456789abcdef", "web", &s, cpu);
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "id",
                "name",
                "cpu_time",
                "cpu_percent",
                "avg_cpu",
                "mem_usage",
                "mem_percent",
                "net_io",
                "block_io",
                "pids"
            ]
        );
        assert_eq!(v["id"], "0123456789abcdef", "the caller decides the length");
        assert_eq!(v["cpu_time"], "1.5s");
        assert_eq!(v["cpu_percent"], "1.50%");
        assert_eq!(v["avg_cpu"], "12.35%");
        assert_eq!(v["mem_usage"], "1.045MB / 33.51GB");
        assert_eq!(v["mem_percent"], "0.00%");
        assert_eq!(v["net_io"], "0B / 0B");
        assert_eq!(v["pids"], "3");
        let row = stats_table_row(&v);
        assert_eq!(row.len(), STATS_HEADERS.len());
        assert_eq!(row[2], "1.50%");
        assert_eq!(row[8], "1.5s");
        assert_eq!(row[9], "12.35%");
        let zero = stats_row("x", "y", &ProcStats::default(), CpuUse::default());
        assert_eq!(zero["cpu_percent"], "0.00%");
        assert_eq!(zero["mem_percent"], "0.00%");
        assert_eq!(zero["cpu_time"], "0s");
    }

    #[test]
    fn event_lines_match_podman() {
        let mut e = ev(
            "2026-11-23T15:48:46.123456789Z",
            "container",
            "start",
            "3b2e2f",
            "foo",
        );
        assert_eq!(
            event_line(&e),
            "2026-11-23 15:48:46.123456789 +0000 UTC container start 3b2e2f \
             (image=docker.io/library/busybox:latest, name=foo)"
        );
        e.attributes.insert("z".into(), "1".into());
        e.attributes.insert("a".into(), "x y".into());
        e.time = at("2026-11-23T15:48:46.5Z");
        e.status = "died".into();
        e.exit_code = Some(3);
        assert_eq!(
            event_line(&e),
            "2026-11-23 15:48:46.5 +0000 UTC container died 3b2e2f \
             (image=docker.io/library/busybox:latest, name=foo, a=x y, z=1)"
        );
        let img = ev(
            "2026-11-23T15:48:46Z",
            "image",
            "pull",
            "feed",
            "docker.io/x:1",
        );
        assert_eq!(
            event_line(&img),
            "2026-11-23 15:48:46 +0000 UTC image pull feed docker.io/x:1"
        );
        let sys = ev("2026-11-23T15:48:46Z", "system", "refresh", "", "");
        assert_eq!(
            event_line(&sys),
            "2026-11-23 15:48:46 +0000 UTC system refresh"
        );
        let named = ev("2026-11-23T15:48:46Z", "system", "log-rotation", "", "/x");
        assert_eq!(
            event_line(&named),
            "2026-11-23 15:48:46 +0000 UTC system log-rotation /x"
        );
    }

    #[test]
    fn event_json_has_podmans_fields() {
        let mut e = ev(
            "2026-11-23T15:48:46.123456789Z",
            "container",
            "died",
            "3b2e",
            "foo",
        );
        e.exit_code = Some(0);
        e.attributes.insert("app".into(), "web".into());
        let v = event_json(&e);
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"ContainerExitCode":0,"ID":"3b2e","Image":"docker.io/library/busybox:latest","Name":"foo","Status":"died","time":1795448926,"timeNano":1795448926123456789,"Type":"container","Attributes":{"app":"web"}}"#
        );
        let sys = ev("2026-11-23T15:48:46Z", "system", "refresh", "", "");
        assert_eq!(
            serde_json::to_string(&event_json(&sys)).unwrap(),
            r#"{"Status":"refresh","time":1795448926,"timeNano":1795448926000000000,"Type":"system","Attributes":null}"#
        );
    }
}
