//! Time values for `--since` and `--until`, as Podman and Docker accept them.
//!
//! Contract: [`parse_time`] turns one user-typed string into an instant, or an
//! error whose one-line message names the input and the accepted forms. The
//! forms, tried in this order:
//! - RFC 3339 with a zone, with or without fraction
//!   (`2006-01-02T15:04:05Z`, `2006-01-02T15:04:05.999999999+07:00`);
//! - the same without a zone, taken in the machine's local time zone, down to
//!   `2006-01-02T15:04`, `2006-01-02T15` and `2006-01-02` (midnight); a date
//!   may also carry a zone (`2006-01-02Z`, `2006-01-02+07:00`);
//! - a Go duration (`10m`, `1h30m`, `1.5h`, `500ms`, `-5m`), meaning that long
//!   before `now` (a negative one lies in the future);
//! - Unix seconds with an optional decimal fraction (`1700000000.123`).
//!
//! `now` is a parameter so callers take one reading of the clock for both
//! bounds and tests are deterministic.
//!
//! The other way round, [`go_duration`] writes a duration as Go's
//! `time.Duration.String()` does, which Podman (and psgo for `top`) prints.

use chrono::{
    DateTime, FixedOffset, Local, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc,
};

#[derive(Debug, thiserror::Error)]
pub enum TimeError {
    #[error(
        "invalid time {input:?}: expected RFC 3339 (2006-01-02T15:04:05Z07:00), \
         local 2006-01-02T15:04:05 or 2006-01-02, Unix seconds (1700000000.5), \
         or a duration ago (10m, 1h30m, 500ms)"
    )]
    Invalid { input: String },
    #[error("time {input:?} is out of the supported range")]
    OutOfRange { input: String },
}

/// Parses a `--since`/`--until` value; see the module documentation.
pub fn parse_time(s: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, TimeError> {
    let input = s.trim();
    let invalid = || TimeError::Invalid {
        input: s.to_string(),
    };
    let out_of_range = || TimeError::OutOfRange {
        input: s.to_string(),
    };
    if input.is_empty() {
        return Err(invalid());
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(input) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Some(t) = parse_calendar(input) {
        return Ok(t);
    }
    // Docker checks durations before Unix seconds but leaves "0" to the
    // epoch, which matters only for that one string.
    if input != "0" {
        match parse_go_duration(input) {
            Some(Ok(nanos)) => {
                return now
                    .checked_sub_signed(chrono::Duration::nanoseconds(nanos))
                    .ok_or_else(out_of_range);
            }
            Some(Err(())) => return Err(out_of_range()),
            None => {}
        }
    }
    match parse_unix(input) {
        Some(Some(t)) => Ok(t),
        Some(None) => Err(out_of_range()),
        None => Err(invalid()),
    }
}

/// Dates and date-times without the full RFC 3339 shape; `None` if `s` is
/// not one of them.
fn parse_calendar(s: &str) -> Option<DateTime<Utc>> {
    let (body, zone) = split_zone(s);
    let naive = parse_naive(body)?;
    match zone {
        Some(offset) => offset
            .from_local_datetime(&naive)
            .single()
            .map(|t| t.with_timezone(&Utc)),
        None => Some(local_to_utc(&naive)),
    }
}

/// Splits a trailing `Z` or `±HH:MM` off `s`, the zone forms Go's `Z07:00`
/// accepts.
fn split_zone(s: &str) -> (&str, Option<FixedOffset>) {
    if let Some(body) = s.strip_suffix(['Z', 'z']) {
        return (body, FixedOffset::east_opt(0));
    }
    let b = s.as_bytes();
    if b.len() > 6 && (b[b.len() - 6] == b'+' || b[b.len() - 6] == b'-') && b[b.len() - 3] == b':' {
        let digits = |r: std::ops::Range<usize>| {
            let t = &s[r];
            (t.len() == 2 && t.bytes().all(|c| c.is_ascii_digit()))
                .then(|| t.parse::<i32>().ok())
                .flatten()
        };
        let n = b.len();
        if let (Some(h), Some(m)) = (digits(n - 5..n - 3), digits(n - 2..n))
            && h < 24
            && m < 60
        {
            let secs = (h * 3600 + m * 60) * if b[n - 6] == b'-' { -1 } else { 1 };
            return (&s[..n - 6], FixedOffset::east_opt(secs));
        }
    }
    (s, None)
}

fn parse_naive(s: &str) -> Option<NaiveDateTime> {
    const FORMATS: [&str; 3] = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ];
    // The date part must be exactly YYYY-MM-DD: chrono's %Y would also take
    // "20231" and signs, which Go's layouts do not.
    let date = s.get(..10)?;
    let db = date.as_bytes();
    if !db.iter().enumerate().all(|(i, c)| {
        if i == 4 || i == 7 {
            *c == b'-'
        } else {
            c.is_ascii_digit()
        }
    }) {
        return None;
    }
    if s.len() == 10 {
        return NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()?
            .and_hms_opt(0, 0, 0);
    }
    // Docker's `2006-01-02T15` layout; chrono wants minutes too.
    let rest = &s[10..];
    if rest.len() == 3
        && rest.starts_with(['T', 't'])
        && rest[1..].bytes().all(|c| c.is_ascii_digit())
    {
        return NaiveDateTime::parse_from_str(&format!("{date}T{}:00", &rest[1..]), FORMATS[2])
            .ok();
    }
    let normalized = s.replacen('t', "T", 1);
    FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&normalized, f).ok())
}

/// Interprets a wall-clock time in the local zone. In a DST gap the clock
/// never showed that time; the offset in force just before is used, which
/// is what Go does when it normalises such a time.
fn local_to_utc(naive: &NaiveDateTime) -> DateTime<Utc> {
    match Local.from_local_datetime(naive) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => {
            let before = *naive - chrono::Duration::hours(3);
            let offset = Local.offset_from_utc_datetime(&before).fix();
            let utc = *naive - chrono::Duration::seconds(i64::from(offset.local_minus_utc()));
            Utc.from_utc_datetime(&utc)
        }
    }
}

/// Parses a Go `time.ParseDuration` string into nanoseconds. `None`: not a
/// duration; `Some(Err)`: a duration too large for an `i64` of nanoseconds.
fn parse_go_duration(s: &str) -> Option<Result<i64, ()>> {
    let (negative, mut rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Some(Ok(0));
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: u128 = 0;
    let mut overflow = false;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (int_part, after) = rest.split_at(int_len);
        let (frac_part, after) = match after.strip_prefix('.') {
            Some(a) => {
                let n = a.bytes().take_while(u8::is_ascii_digit).count();
                a.split_at(n)
            }
            None => ("", after),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        let unit_len = after
            .char_indices()
            .find(|(_, c)| c.is_ascii_digit() || *c == '.')
            .map_or(after.len(), |(i, _)| i);
        let (unit, after) = after.split_at(unit_len);
        let unit_nanos: u128 = match unit {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60 * 1_000_000_000,
            "h" => 3600 * 1_000_000_000,
            _ => return None,
        };
        // Keeping at most 30 digits keeps the arithmetic inside u128; more
        // integer digits overflow anyway, more fraction digits are below a
        // nanosecond.
        let int_val: u128 = if int_part.len() > 30 {
            overflow = true;
            0
        } else {
            int_part.parse().unwrap_or(0)
        };
        let frac_digits = &frac_part[..frac_part.len().min(18)];
        let frac_val: u128 = frac_digits.parse().unwrap_or(0);
        let scale = 10u128.pow(frac_digits.len() as u32);
        match int_val
            .checked_mul(unit_nanos)
            .and_then(|v| v.checked_add(frac_val * unit_nanos / scale))
            .and_then(|v| total.checked_add(v))
        {
            Some(t) => total = t,
            None => overflow = true,
        }
        rest = after;
    }
    let limit = if negative {
        i64::MIN.unsigned_abs() as u128
    } else {
        i64::MAX as u128
    };
    if overflow || total > limit {
        return Some(Err(()));
    }
    let nanos = if negative {
        0i64.checked_sub_unsigned(total as u64).unwrap_or(i64::MIN)
    } else {
        total as i64
    };
    Some(Ok(nanos))
}

/// Unix seconds with an optional decimal fraction. `None`: not that form;
/// `Some(None)`: that form but not a representable time.
fn parse_unix(s: &str) -> Option<Option<DateTime<Utc>>> {
    let (secs, frac) = s.split_once('.').unwrap_or((s, ""));
    let all_digits = |t: &str| t.bytes().all(|c| c.is_ascii_digit());
    if secs.is_empty() || !all_digits(secs) || !all_digits(frac) || s.ends_with('.') {
        return None;
    }
    let Ok(secs) = secs.parse::<i64>() else {
        return Some(None);
    };
    let frac = &frac[..frac.len().min(9)];
    let nanos = if frac.is_empty() {
        0
    } else {
        frac.parse::<u32>().ok()? * 10u32.pow(9 - frac.len() as u32)
    };
    Some(DateTime::from_timestamp(secs, nanos))
}

/// Go's `time.Duration.String()`, which psgo prints for ELAPSED and TIME
/// and Podman for CPU TIME (`3.216812523s`, `1m5s`, `1.5ms`).
pub fn go_duration(d: std::time::Duration) -> String {
    fn frac(value: u128, unit: u128, digits: usize) -> String {
        let (whole, rest) = (value / unit, value % unit);
        if rest == 0 {
            return whole.to_string();
        }
        let f = format!("{rest:0digits$}");
        format!("{whole}.{}", f.trim_end_matches('0'))
    }
    const SEC: u128 = 1_000_000_000;
    match d.as_nanos() {
        0 => "0s".into(),
        n if n < 1_000 => format!("{n}ns"),
        n if n < 1_000_000 => format!("{}µs", frac(n, 1_000, 3)),
        n if n < SEC => format!("{}ms", frac(n, 1_000_000, 6)),
        n => {
            let secs = n / SEC;
            let mut out = String::new();
            if secs >= 3600 {
                out.push_str(&format!("{}h", secs / 3600));
            }
            if secs >= 60 {
                out.push_str(&format!("{}m", secs / 60 % 60));
            }
            out.push_str(&frac(n % (60 * SEC), SEC, 9));
            out.push('s');
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T15:48:46.5Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn p(s: &str) -> DateTime<Utc> {
        parse_time(s, now()).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn local(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, nanos: u32) -> DateTime<Utc> {
        let naive = NaiveDate::from_ymd_opt(y, mo, d)
            .unwrap()
            .and_hms_nano_opt(h, mi, s, nanos)
            .unwrap();
        local_to_utc(&naive)
    }

    #[test]
    fn rfc3339_forms() {
        assert_eq!(p("2026-11-23T15:48:46Z"), utc("2026-11-23T15:48:46Z"));
        assert_eq!(
            p("2026-11-23T15:48:46.123456789Z").timestamp_subsec_nanos(),
            123_456_789
        );
        assert_eq!(p("2026-11-23T17:48:46+02:00"), utc("2026-11-23T15:48:46Z"));
        assert_eq!(
            p("2026-11-23T10:48:46.5-05:00"),
            utc("2026-11-23T15:48:46.5Z")
        );
        assert_eq!(p(" 2026-11-23T15:48:46Z "), utc("2026-11-23T15:48:46Z"));
    }

    #[test]
    fn local_forms() {
        assert_eq!(p("2026-11-23T15:48:46"), local(2026, 11, 23, 15, 48, 46, 0));
        assert_eq!(
            p("2026-11-23T15:48:46.25"),
            local(2026, 11, 23, 15, 48, 46, 250_000_000)
        );
        assert_eq!(p("2026-11-23T15:48"), local(2026, 11, 23, 15, 48, 0, 0));
        assert_eq!(p("2026-11-23T15"), local(2026, 11, 23, 15, 0, 0, 0));
        assert_eq!(p("2026-11-23"), local(2026, 11, 23, 0, 0, 0, 0));
        // Back through chrono's own UTC-to-local conversion.
        let wall = p("2026-11-23T15:48:46").with_timezone(&Local).naive_local();
        assert_eq!(wall.to_string(), "2026-11-23 15:48:46");
    }

    #[test]
    fn zoned_dates_and_short_times() {
        assert_eq!(p("2026-11-23Z"), utc("2026-11-23T00:00:00Z"));
        assert_eq!(p("2026-11-23+02:00"), utc("2026-11-22T22:00:00Z"));
        assert_eq!(p("2026-11-23T15:48Z"), utc("2026-11-23T15:48:00Z"));
        assert_eq!(p("2026-11-23T15:48-01:30"), utc("2026-11-23T17:18:00Z"));
    }

    #[test]
    fn durations_mean_ago() {
        let n = now();
        assert_eq!(p("10m"), n - chrono::Duration::minutes(10));
        assert_eq!(p("1h30m"), n - chrono::Duration::minutes(90));
        assert_eq!(p("90s"), n - chrono::Duration::seconds(90));
        assert_eq!(p("1.5h"), n - chrono::Duration::minutes(90));
        assert_eq!(p("500ms"), n - chrono::Duration::milliseconds(500));
        assert_eq!(p("2us"), n - chrono::Duration::microseconds(2));
        assert_eq!(p("2µs"), n - chrono::Duration::microseconds(2));
        assert_eq!(p("7ns"), n - chrono::Duration::nanoseconds(7));
        assert_eq!(p(".5s"), n - chrono::Duration::milliseconds(500));
        assert_eq!(
            p("1h1m1s1ms"),
            n - chrono::Duration::milliseconds(3_661_001)
        );
        assert_eq!(p("-5m"), n + chrono::Duration::minutes(5));
        assert_eq!(p("+5m"), n - chrono::Duration::minutes(5));
    }

    #[test]
    fn unix_seconds() {
        assert_eq!(p("1700000000"), utc("2023-11-14T22:13:20Z"));
        assert_eq!(p("1700000000.123"), utc("2023-11-14T22:13:20.123Z"));
        assert_eq!(
            p("1700000000.123456789").timestamp_subsec_nanos(),
            123_456_789
        );
        // Digits beyond nanoseconds are dropped, not rounded.
        assert_eq!(
            p("1700000000.1234567899").timestamp_subsec_nanos(),
            123_456_789
        );
        // "0" is the epoch, not a zero duration (Docker's rule).
        assert_eq!(p("0"), utc("1970-01-01T00:00:00Z"));
        assert_eq!(p("10"), utc("1970-01-01T00:00:10Z"));
    }

    #[test]
    fn rejects_garbage_with_a_helpful_message() {
        for bad in [
            "",
            "   ",
            "yesterday",
            "10x",
            "1h30",
            "h",
            ".",
            "1.",
            "1..5",
            "-",
            "2026-11-23T",
            "2026-13-01",
            "2026-11-23T25:00",
            "2026-11-23 15:48",
            "20261123T1548",
            "1700000000.12a",
            "--5m",
        ] {
            let err = parse_time(bad, now()).expect_err(bad);
            assert!(matches!(err, TimeError::Invalid { .. }), "{bad}: {err}");
            let msg = err.to_string();
            assert!(msg.contains(&format!("{bad:?}")), "{msg}");
            assert!(msg.contains("RFC 3339") && msg.contains("10m"), "{msg}");
            assert!(!msg.contains('\n'), "{msg}");
        }
    }

    #[test]
    fn out_of_range_is_reported() {
        for big in ["999999999999h", "99999999999999999999999999999999999s"] {
            assert!(
                matches!(parse_time(big, now()), Err(TimeError::OutOfRange { .. })),
                "{big}"
            );
        }
        assert!(matches!(
            parse_time("99999999999999999999", now()),
            Err(TimeError::OutOfRange { .. })
        ));
        // Just inside i64 nanoseconds (about 292 years).
        assert!(parse_time("2562047h", now()).is_ok());
    }

    #[test]
    fn odd_input_never_panics() {
        for s in [
            "ü",
            "2026-11-23ü",
            "2026-11-23T15:48:46+ü:00",
            "2026-11-23T15:48+0ü:0",
            "ü2026-11-23T15:48+01:00",
            "1.ü",
            "1ü",
            "5µ",
            "999999999999999999999999999999999999999999h",
            "0.99999999999999999999999999999999s",
            "1700000000.",
            ".1700000000",
        ] {
            let _ = parse_time(s, now());
        }
    }

    #[test]
    fn go_duration_matches_go() {
        let cases: &[(u64, &str)] = &[
            (0, "0s"),
            (999, "999ns"),
            (1_500, "1.5µs"),
            (5_000_000, "5ms"),
            (1_234_567, "1.234567ms"),
            (3_216_812_523, "3.216812523s"),
            (61_000_000_000, "1m1s"),
            (3_600_000_000_000, "1h0m0s"),
            (3_723_500_000_000, "1h2m3.5s"),
        ];
        for (n, s) in cases {
            assert_eq!(go_duration(std::time::Duration::from_nanos(*n)), *s, "{n}");
        }
    }

    #[test]
    fn go_duration_parser_edges() {
        assert_eq!(parse_go_duration("0"), Some(Ok(0)));
        assert_eq!(parse_go_duration("-0"), Some(Ok(0)));
        assert_eq!(parse_go_duration("0s"), Some(Ok(0)));
        assert_eq!(parse_go_duration("1.000000001s"), Some(Ok(1_000_000_001)));
        assert_eq!(parse_go_duration("5"), None);
        assert_eq!(parse_go_duration("5d"), None);
        assert_eq!(parse_go_duration("s"), None);
        assert_eq!(
            parse_go_duration("-9223372036854775808ns"),
            Some(Ok(i64::MIN))
        );
        assert_eq!(parse_go_duration("9223372036854775808ns"), Some(Err(())));
    }
}
