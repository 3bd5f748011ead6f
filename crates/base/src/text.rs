//! Untrusted text in messages.
//!
//! Contract: [`shorten`] and [`shorten_path`] return their input unchanged when it is at most
//! [`MAX_SHOWN`] characters, else its first [`HEAD`] and last [`TAIL`] characters around `…`,
//! followed by the full length in bytes, so an error naming a 300 000-character tar entry or a
//! registry's megabyte of error text stays one readable line. Control characters are shown
//! escaped, so a name cannot rewrite the terminal or split the line. Every name or text that
//! comes from an image, an archive or a registry goes through here before it is formatted into
//! an error.

use std::borrow::Cow;
use std::ffi::OsStr;
use std::fmt::Write;
use std::path::Path;

/// Longest text shown whole, in characters.
pub const MAX_SHOWN: usize = 200;
/// Characters kept from the start of a longer text.
pub const HEAD: usize = 100;
/// Characters kept from its end.
pub const TAIL: usize = 50;

/// `s` as it may appear in a message (see the module docs).
pub fn shorten(s: &str) -> Cow<'_, str> {
    let count = s.chars().count();
    let clean = !s.chars().any(char::is_control);
    if count <= MAX_SHOWN && clean {
        return Cow::Borrowed(s);
    }
    let mut out = String::new();
    if count <= MAX_SHOWN {
        push_escaped(&mut out, s.chars());
        return Cow::Owned(out);
    }
    push_escaped(&mut out, s.chars().take(HEAD));
    out.push('…');
    push_escaped(&mut out, s.chars().skip(count - TAIL));
    let _ = write!(out, " ({} bytes)", s.len());
    Cow::Owned(out)
}

/// [`shorten`] for a path (shown lossily if it is not UTF-8).
pub fn shorten_path(p: &Path) -> String {
    shorten(&p.to_string_lossy()).into_owned()
}

/// [`shorten`] for any string or path: what error messages format their untrusted fields with.
pub fn shown<S: AsRef<OsStr> + ?Sized>(s: &S) -> String {
    shorten(&s.as_ref().to_string_lossy()).into_owned()
}

fn push_escaped(out: &mut String, chars: impl Iterator<Item = char>) {
    for c in chars {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
}

/// Podman's rule for the names of containers, pods, volumes and networks:
/// `[a-zA-Z0-9][a-zA-Z0-9_.-]*`, at most `max` bytes. Such a name is
/// always one path component, never `.` or `..`.
pub fn is_object_name(name: &str, max: usize) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= max
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_unchanged() {
        assert!(matches!(shorten("etc/passwd"), Cow::Borrowed("etc/passwd")));
        let limit = "é".repeat(MAX_SHOWN);
        assert_eq!(shorten(&limit), limit);
    }

    #[test]
    fn long_text_keeps_both_ends_and_its_length() {
        let name = format!(
            "{}{}{}",
            "a".repeat(150),
            "b".repeat(299_700),
            "c".repeat(150)
        );
        let s = shorten(&name);
        assert!(s.len() < 300, "{}", s.len());
        assert!(s.starts_with(&"a".repeat(HEAD)));
        assert!(
            s.contains(&format!("…{} (300000 bytes)", "c".repeat(TAIL))),
            "{s}"
        );
        // Multi-byte characters are never cut.
        let wide = "ü".repeat(1000);
        let s = shorten(&wide);
        assert!(s.ends_with("(2000 bytes)"), "{s}");
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(shorten("a\nb\x1b[2J"), "a\\nb\\u{1b}[2J");
        let long = format!("{}\n", "x".repeat(500));
        assert!(!shorten(&long).contains('\n'));
    }
}
