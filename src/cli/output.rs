//! Output helpers shared by the commands: Podman-style tables, human sizes
//! and times, the engine's warnings, and `--format` (json, Go templates,
//! `table ...`).

use anyhow::{Context, Result};
use gotmpl::{Template, strip_table, unescape};
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

/// How a column writes sizes: Podman formats them with go-units in two ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeStyle {
    /// go-units' `HumanSize`: four significant digits, the unit right
    /// after (`1.045MB`, `0B`), as in `stats`, `system df`, `image tree`
    /// and "Total reclaimed space".
    Compact,
    /// go-units' `HumanSizeWithPrecision(size, 3)` with a space before the
    /// unit (`1.23 MB`, `999 B`), as `podman images` writes its SIZE.
    Spaced,
}

/// `bytes` in decimal units (kB = 1000 B) as go-units writes them: Go's
/// `%.*g` of the value in the largest unit it reaches, so a value that
/// rounds up to 1000 is written `1e+03`, as Go does.
pub fn human_size(bytes: u64, style: SizeStyle) -> String {
    const UNITS: &[&str] = &["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    let mut size = bytes as f64;
    let mut i = 0;
    while size >= 1000.0 && i < UNITS.len() - 1 {
        size /= 1000.0;
        i += 1;
    }
    match style {
        SizeStyle::Compact => format!("{}{}", go_g(size, 4), UNITS[i]),
        SizeStyle::Spaced => format!("{} {}", go_g(size, 3), UNITS[i]),
    }
}

/// Go's `%.<digits>g` for a non-negative value: `digits` significant
/// digits, no trailing zeros, exponent form (`1.234e-05`, `1e+03`) when
/// the exponent is below -4 or not below `digits`.
fn go_g(v: f64, digits: usize) -> String {
    fn trim(s: &str) -> &str {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.')
        } else {
            s
        }
    }
    if v == 0.0 {
        return "0".into();
    }
    let digits = digits.max(1);
    let sci = format!("{v:.*e}", digits - 1);
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    if exp < -4 || exp >= digits as i64 {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{}e{sign}{:02}", trim(mant), exp.abs());
    }
    let decimals = usize::try_from(digits as i64 - 1 - exp).unwrap_or(0);
    trim(&format!("{v:.decimals$}")).to_string()
}

/// Logs what the engine warns about, in Podman's words.
pub fn warn(w: rsp_runtime::ops::Warning) {
    match w {
        rsp_runtime::ops::Warning::StopSignalTimedOut {
            container,
            signal,
            timeout,
        } => log::warn!(
            "StopSignal {} failed to stop container {container} in {timeout} seconds, resorting to SIGKILL",
            signal.as_str()
        ),
    }
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
    fn spaced_sizes_as_podman_images() {
        let h = |n| human_size(n, SizeStyle::Spaced);
        assert_eq!(h(0), "0 B");
        assert_eq!(h(999), "999 B");
        assert_eq!(h(1_234_000), "1.23 MB");
        assert_eq!(h(4_090_000), "4.09 MB");
        assert_eq!(h(12_340_000), "12.3 MB");
        assert_eq!(h(123_400_000), "123 MB");
        assert_eq!(h(2_000_000), "2 MB");
        assert_eq!(h(1_236_000), "1.24 MB", "rounded, not cut");
        // Go's %.3g of 999.6.
        assert_eq!(h(999_600), "1e+03 kB");
    }

    #[test]
    fn compact_sizes_as_go_units_human_size() {
        let h = |n| human_size(n, SizeStyle::Compact);
        assert_eq!(h(0), "0B");
        assert_eq!(h(999), "999B");
        assert_eq!(h(1_000), "1kB");
        assert_eq!(h(1_045_000), "1.045MB");
        assert_eq!(h(1_988_000), "1.988MB");
        assert_eq!(h(1_987_560), "1.988MB");
        assert_eq!(h(12_340_000), "12.34MB");
        assert_eq!(h(12_345_678), "12.35MB");
        assert_eq!(h(123_456_789), "123.5MB");
        assert_eq!(h(33_510_000_000), "33.51GB");
        assert_eq!(h(999_960), "1000kB");
        assert_eq!(h(u64::MAX), "18.45EB");
        assert_eq!(go_g(0.00001234, 4), "1.234e-05");
        assert_eq!(go_g(123456.0, 4), "1.235e+05");
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
