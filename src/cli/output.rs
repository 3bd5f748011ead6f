//! Output helpers shared by the commands: Podman-style tables, human sizes
//! and times, and `--format` (json, Go templates, `table ...`).

use super::template::{Template, strip_table, unescape};
use anyhow::{Context, Result};
use serde_json::Value;
use std::io::Write;

/// Writes rows as columns separated by at least three spaces, like
/// Podman's tabwriter output.
pub fn table(out: &mut impl Write, header: &[&str], rows: &[Vec<String>]) -> std::io::Result<()> {
    let n = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(n) {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&" ".repeat(widths[i] - c.chars().count() + 3));
            }
        }
        s.trim_end().to_string()
    };
    writeln!(out, "{}", line(header.to_vec()))?;
    for r in rows {
        writeln!(out, "{}", line(r.iter().map(String::as_str).collect()))?;
    }
    Ok(())
}

/// Sizes as Podman prints them: decimal units, three significant digits.
pub fn human_size(bytes: u64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB", "PB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1000.0 && u + 1 < units.len() {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        return format!("{bytes} B");
    }
    let s = format!("{v:.3}");
    let s = if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        s[..s.len().min(4)].to_string()
    };
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    format!("{s} {}", units[u])
}

/// "3 seconds ago", "2 minutes ago", "About an hour ago", like Podman.
pub fn human_ago(time: &str) -> String {
    let Ok(t) = chrono::DateTime::parse_from_rfc3339(time) else {
        return String::new();
    };
    let secs = (chrono::Utc::now() - t.with_timezone(&chrono::Utc))
        .num_seconds()
        .max(0);
    format!("{} ago", human_duration(secs))
}

/// Docker's units.HumanDuration.
pub fn human_duration(secs: i64) -> String {
    let (m, h, d) = (secs / 60, secs / 3600, secs / 86400);
    match secs {
        s if s < 1 => "Less than a second".into(),
        1 => "1 second".into(),
        s if s < 60 => format!("{s} seconds"),
        _ if m == 1 => "About a minute".into(),
        _ if m < 60 => format!("{m} minutes"),
        _ if (secs as f64 / 3600.0).round() as i64 == 1 => "About an hour".into(),
        _ if h < 48 => format!("{h} hours"),
        _ if h < 24 * 7 * 2 => format!("{d} days"),
        _ if h < 24 * 30 * 2 => format!("{} weeks", d / 7),
        _ if h < 24 * 365 * 2 => format!("{} months", d / 30),
        _ => format!("{} years", d / 365),
    }
}

pub enum Format {
    /// The command's own table.
    Default,
    Json,
    /// A Go template, applied per item; `table` adds a header line.
    Template {
        tmpl: Template,
        table: bool,
        header: String,
    },
}

/// Parses `--format`. For `table` templates the header is the template with
/// each `{{.Field}}` replaced by the field name in upper case, as Podman does.
/// `headers` renames columns as Podman does (`ID` is `IMAGE ID` for images).
pub fn parse_format(f: Option<&str>, headers: &[(&str, &str)]) -> Result<Format> {
    let Some(f) = f else {
        return Ok(Format::Default);
    };
    let f = unescape(f);
    if f.trim() == "json" {
        return Ok(Format::Json);
    }
    let (is_table, body) = strip_table(&f);
    let body = body.to_string();
    let tmpl =
        Template::parse(&body).with_context(|| format!("invalid --format template {f:?}"))?;
    let header = if is_table {
        table_header(&body, headers)
    } else {
        String::new()
    };
    Ok(Format::Template {
        tmpl,
        table: is_table,
        header,
    })
}

fn table_header(body: &str, headers: &[(&str, &str)]) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find("}}") else { break };
        let inner = rest[i + 2..i + j].trim().trim_matches('-').trim();
        let name = inner.rsplit('.').next().unwrap_or(inner);
        let name: String = name.chars().filter(|c| c.is_alphanumeric()).collect();
        match headers.iter().find(|(field, _)| *field == name) {
            Some((_, shown)) => out.push_str(shown),
            None => out.push_str(&name.to_uppercase()),
        }
        rest = &rest[i + j + 2..];
    }
    out.push_str(rest);
    out
}

/// Renders `items` through a template format, one line per item.
pub fn render_template(out: &mut impl Write, fmt: &Format, items: &[Value]) -> Result<()> {
    if let Format::Template {
        tmpl,
        table,
        header,
    } = fmt
    {
        if *table {
            writeln!(out, "{header}")?;
        }
        for item in items {
            let s = tmpl.render(item).context("--format template")?;
            if s.ends_with('\n') {
                write!(out, "{s}")?;
            } else {
                writeln!(out, "{s}")?;
            }
        }
    }
    Ok(())
}

/// Pretty JSON with Podman's four-space indent.
pub fn json_pretty(v: &Value) -> String {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    serde::Serialize::serialize(v, &mut ser).expect("JSON values always serialize");
    String::from_utf8(buf).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(human_size(999), "999 B");
        assert_eq!(human_size(1_234_000), "1.23 MB");
        assert_eq!(human_size(4_090_000), "4.09 MB");
        assert_eq!(human_size(12_340_000), "12.3 MB");
        assert_eq!(human_size(123_400_000), "123 MB");
        assert_eq!(human_size(2_000_000), "2 MB");
    }

    #[test]
    fn durations() {
        assert_eq!(human_duration(3), "3 seconds");
        assert_eq!(human_duration(60), "About a minute");
        assert_eq!(human_duration(600), "10 minutes");
        assert_eq!(human_duration(3600), "About an hour");
        assert_eq!(human_duration(86400 * 3), "3 days");
    }

    #[test]
    fn header() {
        assert_eq!(table_header("{{.ID}}\t{{.Names}}", &[]), "ID\tNAMES");
        assert_eq!(
            table_header("{{.ID}} {{.Tag}}", &[("ID", "IMAGE ID")]),
            "IMAGE ID TAG"
        );
    }
}
