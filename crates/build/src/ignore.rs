//! `.containerignore` / `.dockerignore` patterns with Go's
//! `filepath.Match` rules, `**`, and `!` exceptions, as BuildKit and
//! buildah apply them.
//!
//! Contract: [`Ignore::excluded`] decides for a context-relative path
//! (`/`-separated, no leading `/`); the last pattern that matches wins.
//! A malformed pattern is an [`IgnoreError`] naming it.
//!
//! The rules are those of moby's `ignorefile` and `patternmatcher`, which
//! BuildKit, Docker and buildah share:
//! - a line starting with `#` is a comment (only in the first column);
//!   lines are trimmed and empty ones skipped; a UTF-8 BOM is dropped;
//! - a pattern is cleaned like Go's `path.Clean` (`./a//b/` is `a/b`) and
//!   loses a leading `/`; `!` in front makes it an exception;
//! - `*` matches within one path component, `?` one character of it,
//!   `[...]` a class, `\` escapes the next character, and `**` any number
//!   of components (zero included); a pattern starting with `**` and
//!   otherwise plain text matches any path ending in that text, as
//!   `patternmatcher` has it (`**.go` matches `a/b.go`);
//! - a path is excluded when the last pattern matching it *or one of its
//!   parent directories* is not an exception, so a pattern naming a
//!   directory excludes everything below it unless a later exception
//!   re-includes part of it.
//!
//! [`Ignore::may_include_below`] is BuildKit's walk pruning (fsutil's
//! `filterFS.Walk`): an excluded directory is still walked when an
//! exception could match something below it. Matching is linear in the
//! pattern and path lengths, so a hostile ignore file cannot make it blow
//! up.

#[derive(Debug, thiserror::Error)]
pub enum IgnoreError {
    #[error("invalid pattern {pattern:?} in {file}: {message}")]
    Bad {
        file: String,
        pattern: String,
        message: String,
    },
}

/// Parsed ignore patterns.
#[derive(Clone, Debug, Default)]
pub struct Ignore {
    patterns: Vec<Pattern>,
    /// Some pattern is an exception (`!`).
    exceptions: bool,
    /// Some exception has a wildcard before its trailing `/*` or `/**`:
    /// then no excluded directory can be pruned (fsutil's
    /// `onlyPrefixExcludeExceptions` false).
    wild_exceptions: bool,
}

/// One pattern, compiled as `patternmatcher` does.
#[derive(Clone, Debug)]
struct Pattern {
    /// The cleaned pattern, without its `!`.
    text: String,
    exception: bool,
    how: How,
}

/// `patternmatcher`'s match types: the plain ones compare strings, which
/// is not always what the wildcard reading would say (`**.go`), so they
/// are kept apart.
#[derive(Clone, Debug)]
enum How {
    /// No wildcard: the path is the pattern.
    Exact,
    /// Plain text then a final `**`: the path starts with the text.
    Prefix(String),
    /// A leading `**` then plain text: the path ends with the text (or is
    /// it, without its leading `/`).
    Suffix(String),
    /// Anything else, matched token by token.
    Glob(Vec<Tok>),
}

#[derive(Clone, Debug)]
enum Tok {
    Lit(char),
    /// `*`: any run of characters but `/`.
    Star,
    /// `?`: one character but `/`.
    One,
    /// `[...]`: one character in (or, negated, not in) the ranges.
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
    /// `**` followed by more pattern: any run of whole components, each
    /// with its `/` (the regexp `(.*/)?`).
    Dirs,
    /// A final `**` after other wildcards: anything (the regexp `.*`).
    Any,
}

impl Ignore {
    /// Parses an ignore file's text (`file` names it in errors).
    pub fn parse(text: &str, file: &str) -> Result<Ignore, IgnoreError> {
        let mut ignore = Ignore::default();
        for (n, line) in text.lines().enumerate() {
            let line = if n == 0 {
                line.strip_prefix('\u{feff}').unwrap_or(line)
            } else {
                line
            };
            if line.starts_with('#') {
                continue;
            }
            let mut pattern = line.trim();
            if pattern.is_empty() {
                continue;
            }
            let bad = |message: &str| IgnoreError::Bad {
                file: file.to_string(),
                pattern: line.trim().to_string(),
                message: message.to_string(),
            };
            let exception = pattern.starts_with('!');
            if exception {
                pattern = pattern[1..].trim();
                if pattern.is_empty() {
                    return Err(bad("illegal exclusion pattern: \"!\""));
                }
            }
            let mut cleaned = clean(pattern);
            if cleaned.len() > 1 && cleaned.starts_with('/') {
                cleaned.remove(0);
            }
            let how = compile(&cleaned).map_err(bad)?;
            if exception {
                ignore.exceptions = true;
                let stem = without_trailing_glob(&cleaned);
                if stem.contains(['*', '[', ']', '?', '^', '\\']) {
                    ignore.wild_exceptions = true;
                }
            }
            ignore.patterns.push(Pattern {
                text: cleaned,
                exception,
                how,
            });
        }
        Ok(ignore)
    }

    /// Whether there are no patterns at all.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether `rel` is left out of the context.
    pub fn excluded(&self, rel: &str) -> bool {
        let rel = clean(rel.trim_start_matches('/'));
        if rel == "." || rel.is_empty() || self.patterns.is_empty() {
            // The context itself is never excluded.
            return false;
        }
        let path: Vec<char> = rel.chars().collect();
        // The ends of the parent directories' paths within `path`.
        let parents: Vec<usize> = path
            .iter()
            .enumerate()
            .filter(|(_, c)| **c == '/')
            .map(|(i, _)| i)
            .collect();
        let mut excluded = false;
        for pattern in &self.patterns {
            // A pattern that cannot change the outcome need not be tried.
            if pattern.exception != excluded {
                continue;
            }
            let matched = pattern.matches(&rel, &path)
                || parents
                    .iter()
                    .any(|&end| pattern.matches(&rel[..byte_index(&rel, end)], &path[..end]));
            if matched {
                excluded = !pattern.exception;
            }
        }
        excluded
    }

    /// Whether an exception (`!pattern`) could re-include something
    /// below the excluded directory `rel`: then it must still be walked.
    pub fn may_include_below(&self, rel: &str) -> bool {
        if !self.exceptions {
            return false;
        }
        if self.wild_exceptions {
            return true;
        }
        let rel = clean(rel.trim_start_matches('/'));
        if rel == "." {
            return true;
        }
        let dir = format!("{rel}/");
        self.patterns
            .iter()
            .filter(|p| p.exception)
            .any(|p| format!("{}/", without_trailing_glob(&p.text)).starts_with(&dir))
    }
}

impl Pattern {
    /// Whether the pattern matches `text` (`chars` is the same, split).
    fn matches(&self, text: &str, chars: &[char]) -> bool {
        match &self.how {
            How::Exact => text == self.text,
            How::Prefix(prefix) => text.starts_with(prefix.as_str()),
            How::Suffix(suffix) => {
                text.ends_with(suffix.as_str())
                    || suffix.strip_prefix('/').is_some_and(|s| text == s)
            }
            How::Glob(toks) => glob(toks, chars),
        }
    }
}

/// The byte offset of character `n` of `s`.
fn byte_index(s: &str, n: usize) -> usize {
    s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)
}

/// fsutil's `patternWithoutTrailingGlob`.
fn without_trailing_glob(p: &str) -> &str {
    let p = p.strip_suffix("/**").unwrap_or(p);
    p.strip_suffix("/*").unwrap_or(p)
}

/// Go's `path.Clean`: `.` and empty components dropped, `..` resolved
/// lexically (kept at the front of a relative path, dropped at the root).
pub(crate) fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".to_string();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            part => parts.push(part),
        }
    }
    let joined = parts.join("/");
    if rooted {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".to_string()
    } else {
        joined
    }
}

/// Compiles a cleaned pattern as `patternmatcher`'s `compile` does, with
/// `filepath.Match`'s syntax errors.
fn compile(pattern: &str) -> Result<How, &'static str> {
    #[derive(PartialEq)]
    enum Type {
        Exact,
        Prefix,
        Suffix,
        Glob,
    }
    let chars: Vec<char> = pattern.chars().collect();
    let mut toks = Vec::new();
    let mut kind = Type::Exact;
    let mut i = 0;
    let mut first = true;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '*' if chars.get(i) == Some(&'*') => {
                i += 1;
                // `**/` is `**`.
                if chars.get(i) == Some(&'/') {
                    i += 1;
                }
                if i == chars.len() {
                    if kind == Type::Exact {
                        kind = Type::Prefix;
                    } else {
                        toks.push(Tok::Any);
                        kind = Type::Glob;
                    }
                } else {
                    toks.push(Tok::Dirs);
                    kind = Type::Glob;
                }
                if first {
                    kind = Type::Suffix;
                }
            }
            '*' => {
                toks.push(Tok::Star);
                kind = Type::Glob;
            }
            '?' => {
                toks.push(Tok::One);
                kind = Type::Glob;
            }
            '\\' => {
                let Some(&next) = chars.get(i) else {
                    return Err("syntax error in pattern: trailing backslash");
                };
                i += 1;
                toks.push(Tok::Lit(next));
                kind = Type::Glob;
            }
            '[' => {
                let (tok, next) = class(&chars, i)?;
                toks.push(tok);
                i = next;
                kind = Type::Glob;
            }
            ']' => {
                toks.push(Tok::Lit(']'));
                kind = Type::Glob;
            }
            c => toks.push(Tok::Lit(c)),
        }
        first = false;
    }
    Ok(match kind {
        Type::Exact => How::Exact,
        Type::Prefix => How::Prefix(pattern[..pattern.len() - 2].to_string()),
        Type::Suffix => How::Suffix(pattern[2..].to_string()),
        Type::Glob => How::Glob(toks),
    })
}

/// Parses the class whose `[` ends before `chars[start]`, as Go's
/// `filepath.Match` does; returns it and the index after its `]`.
fn class(chars: &[char], start: usize) -> Result<(Tok, usize), &'static str> {
    const BAD: &str = "syntax error in pattern: bad character class";
    let mut i = start;
    let negated = chars.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    // One character of the class, with its escape.
    let esc = |i: &mut usize| -> Result<char, &'static str> {
        match chars.get(*i) {
            None | Some('-') | Some(']') => return Err(BAD),
            Some('\\') => *i += 1,
            Some(_) => {}
        }
        let c = *chars.get(*i).ok_or(BAD)?;
        *i += 1;
        if *i >= chars.len() {
            return Err(BAD);
        }
        Ok(c)
    };
    let mut ranges = Vec::new();
    loop {
        if chars.get(i) == Some(&']') && !ranges.is_empty() {
            i += 1;
            break;
        }
        let lo = esc(&mut i)?;
        let mut hi = lo;
        if chars.get(i) == Some(&'-') {
            i += 1;
            hi = esc(&mut i)?;
        }
        if lo > hi {
            return Err("syntax error in pattern: invalid character class range");
        }
        ranges.push((lo, hi));
    }
    Ok((Tok::Class { negated, ranges }, i))
}

/// Whether the tokens match all of `s`: a dynamic program over (token,
/// position), one row at a time from the last token, so O(tokens × len).
fn glob(toks: &[Tok], s: &[char]) -> bool {
    let n = s.len();
    // `next[j]`: the tokens after the current one match `s[j..]`.
    let mut next = vec![false; n + 1];
    next[n] = true;
    let mut cur = vec![false; n + 1];
    for tok in toks.iter().rev() {
        match tok {
            Tok::Star => {
                cur[n] = next[n];
                for j in (0..n).rev() {
                    cur[j] = next[j] || (s[j] != '/' && cur[j + 1]);
                }
            }
            Tok::Any => {
                cur[n] = next[n];
                for j in (0..n).rev() {
                    cur[j] = next[j] || cur[j + 1];
                }
            }
            Tok::Dirs => {
                // `ahead`: some `/` at or after j is followed by a match.
                let mut ahead = false;
                cur[n] = next[n];
                for j in (0..n).rev() {
                    ahead = ahead || (s[j] == '/' && next[j + 1]);
                    cur[j] = next[j] || ahead;
                }
            }
            single => {
                cur[n] = false;
                for j in 0..n {
                    let c = s[j];
                    let one = match single {
                        Tok::Lit(l) => c == *l,
                        Tok::One => c != '/',
                        Tok::Class { negated, ranges } => {
                            ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated
                        }
                        _ => unreachable!(),
                    };
                    cur[j] = one && next[j + 1];
                }
            }
        }
        std::mem::swap(&mut cur, &mut next);
    }
    next[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(pattern: &str, path: &str) -> bool {
        Ignore::parse(pattern, "t").unwrap().excluded(path)
    }

    #[test]
    fn issue17_patternmatcher_cases() {
        // moby/patternmatcher's TestMatches table (MatchesOrParentMatches).
        let cases: &[(&str, &str, bool)] = &[
            ("**", "file", true),
            ("**", "file/", true),
            ("**/", "file", true),
            ("**/", "file/", true),
            ("**", "dir/file", true),
            ("**/", "dir/file", true),
            ("**/**", "dir/file", true),
            ("dir/**", "dir/file", true),
            ("dir/**", "dir/dir2/file", true),
            ("**/dir", "dir", true),
            ("**/dir", "dir/file", true),
            ("**/dir2/*", "dir/dir2/file", true),
            ("**/dir2/**", "dir/dir2/dir3/file", true),
            ("**file", "file", true),
            ("**file", "dir/file", true),
            ("**/file", "dir/file", true),
            ("**file", "dir/dir/file", true),
            ("**/file", "dir/dir/file", true),
            ("**/file*", "dir/dir/file", true),
            ("**/file*", "dir/dir/file.txt", true),
            ("**/file*txt", "dir/dir/file.txt", true),
            ("**/file*.txt", "dir/dir/file.txt", true),
            ("**/file*.txt*", "dir/dir/file.txt", true),
            ("**/**/*.txt", "dir/dir/file.txt", true),
            ("**/**/*.txt2", "dir/dir/file.txt", false),
            ("**/*.txt", "file.txt", true),
            ("**/**/*.txt", "file.txt", true),
            ("a**/*.txt", "a/file.txt", true),
            ("a**/*.txt", "a/dir/file.txt", true),
            ("a**/*.txt", "a/dir/dir/file.txt", true),
            ("a/*.txt", "a/dir/file.txt", false),
            ("a/*.txt", "a/file.txt", true),
            ("a/*.txt**", "a/file.txt", true),
            ("a[b-d]e", "ae", false),
            ("a[b-d]e", "ace", true),
            ("a[b-d]e", "aae", false),
            ("a[^b-d]e", "aze", true),
            (".*", ".foo", true),
            (".*", "foo", false),
            ("abc.def", "abcdef", false),
            ("abc.def", "abc.def", true),
            ("abc.def", "abcZdef", false),
            ("abc?def", "abcZdef", true),
            ("abc?def", "abcdef", false),
            ("a\\\\", "a\\", true),
            ("**/foo/bar", "foo/bar", true),
            ("**/foo/bar", "dir/foo/bar", true),
            ("**/foo/bar", "dir/dir2/foo/bar", true),
            ("abc/**", "abc", false),
            ("abc/**", "abc/def", true),
            ("abc/**", "abc/def/ghi", true),
            ("**/.foo", ".foo", true),
            ("**/.foo", "bar.foo", false),
            ("a(b)c/def", "a(b)c/def", true),
            ("a(b)c/def", "a(b)c/xyz", false),
            ("a.|)$(}+{bc", "a.|)$(}+{bc", true),
            (
                "dist/*.whl",
                "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
                true,
            ),
            ("a\\*b", "a*b", true),
            ("a\\*b", "axb", false),
            // Plain suffix after a leading `**`, as patternmatcher has it.
            ("**.go", "a/b.go", true),
            // A pattern naming a directory excludes what is below it.
            ("docs", "docs/a/b", true),
            ("docs/", "docs/a", true),
            ("/docs", "docs/a", true),
            ("./docs//x/../y", "docs/y", true),
            ("*", "a/b", true),
            ("*/b", "a/b/c", true),
            ("*/b", "b", false),
        ];
        for (pattern, path, want) in cases {
            assert_eq!(
                one(pattern, path),
                *want,
                "pattern {pattern:?} path {path:?}"
            );
        }
    }

    #[test]
    fn issue17_exceptions_last_match_wins() {
        let ig = Ignore::parse("*.md\n!README.md\n", "t").unwrap();
        assert!(ig.excluded("CHANGES.md"));
        assert!(!ig.excluded("README.md"));
        // Order matters: an exception before the pattern is overridden.
        let ig = Ignore::parse("!README.md\n*.md\n", "t").unwrap();
        assert!(ig.excluded("README.md"));
        let ig = Ignore::parse("**\n!util/docker/web\nutil/docker/web/foo\n", "t").unwrap();
        assert!(!ig.excluded("util/docker/web/bar"));
        assert!(ig.excluded("util/docker/web/foo"));
        assert!(ig.excluded("util/docker/other"));
    }

    #[test]
    fn issue17_exception_under_excluded_dir() {
        let ig = Ignore::parse("docs\n!docs/README.md\n", "t").unwrap();
        assert!(ig.excluded("docs"));
        assert!(ig.excluded("docs/other.md"));
        assert!(!ig.excluded("docs/README.md"));
        assert!(ig.may_include_below("docs"));
        assert!(!ig.may_include_below("src"));
        assert!(!ig.may_include_below("docs/sub"));
        // Deeper exceptions keep every directory on the way walkable.
        let ig = Ignore::parse("a\n!a/b/c/**\n", "t").unwrap();
        assert!(ig.may_include_below("a"));
        assert!(ig.may_include_below("a/b"));
        assert!(ig.may_include_below("a/b/c"));
        assert!(!ig.excluded("a/b/c/d"));
        assert!(ig.excluded("a/b/x"));
        // A wildcard exception may match anywhere: no pruning.
        let ig = Ignore::parse("vendor\n!**/*.go\n", "t").unwrap();
        assert!(ig.may_include_below("vendor/x"));
        assert!(!ig.excluded("vendor/x/y.go"));
        assert!(ig.excluded("vendor/x/y.c"));
        // No exceptions: nothing below an excluded directory.
        let ig = Ignore::parse("vendor\n", "t").unwrap();
        assert!(!ig.may_include_below("vendor"));
    }

    #[test]
    fn issue17_comments_blank_lines_and_errors() {
        let text = "\u{feff}# a comment\n\n   \n  spaced.txt  \n #notcomment\r\n";
        let ig = Ignore::parse(text, "t").unwrap();
        assert_eq!(ig.patterns.len(), 2);
        assert!(ig.excluded("spaced.txt"));
        assert!(!ig.excluded("# a comment"));
        assert!(ig.excluded("#notcomment"));
        for bad in ["!", "[", "a[]b", "a[z-a]", "x\\", "[a-]"] {
            let err = Ignore::parse(bad, ".dockerignore").unwrap_err();
            assert!(err.to_string().contains(".dockerignore"), "{bad:?}: {err}");
        }
        assert!(!Ignore::default().excluded("anything"));
        assert!(!Ignore::parse("*", "t").unwrap().excluded(""));
    }

    #[test]
    fn issue17_hostile_pattern_is_linear() {
        let pattern = "*a".repeat(2000) + "b";
        let path = "a".repeat(4000);
        let ig = Ignore::parse(&pattern, "t").unwrap();
        assert!(!ig.excluded(&path));
        let ig = Ignore::parse(&"**/".repeat(1000), "t").unwrap();
        assert!(ig.excluded(&"x/".repeat(500)));
    }
}
