//! Dockerfile/Containerfile parsing: parser directives (`# syntax=`
//! ignored, `# escape=`), comments, line continuations, heredocs, JSON
//! (exec) and shell forms, and each instruction's flags, into typed
//! [`Instruction`]s.
//!
//! Contract: words are kept as written (quotes, escapes and `$VAR`
//! references included): substitution depends on the build state at the
//! instruction and is [`crate::expand`]'s job. A file that cannot be
//! parsed is a [`ParseError`] naming its line; an unknown instruction or
//! flag is an error, never ignored.
//!
//! The line handling is BuildKit's (`frontend/dockerfile/parser`):
//! directives only before anything else; a comment or blank line inside a
//! continuation is skipped; continuation lines keep their leading
//! whitespace; heredoc bodies are taken verbatim. The instruction checks
//! are BuildKit's `instructions` package's, with its error texts.

/// A parse failure, with the 1-based line it was found on.
#[derive(Debug, thiserror::Error)]
#[error("Containerfile line {line}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

/// The whole file.
#[derive(Clone, Debug, PartialEq)]
pub struct Dockerfile {
    /// The escape character (`\` unless `# escape=` says otherwise).
    pub escape: char,
    pub instructions: Vec<Instruction>,
}

/// One instruction.
#[derive(Clone, Debug, PartialEq)]
pub struct Instruction {
    /// 1-based line of its keyword.
    pub line: usize,
    /// The instruction as written, continuations joined into one line and
    /// the keyword upper-cased (`RUN apt-get update && ...`), heredoc
    /// bodies left out: for messages.
    pub text: String,
    /// The logical line exactly as BuildKit and Podman keep it (their
    /// `Original`): leading whitespace dropped, continuations joined, but
    /// the keyword's case, the spacing and any trailing whitespace as
    /// written, heredoc bodies left out. Podman prints this in its
    /// `STEP n/m:` lines and history `created_by` (`env  A=1`, not
    /// `ENV A=1`).
    pub original: String,
    pub kind: Kind,
}

/// A heredoc (`<<EOF`, `<<-EOF`, `<<"EOF"`).
#[derive(Clone, Debug, PartialEq)]
pub struct Heredoc {
    /// The delimiter word, unquoted (`EOF`).
    pub name: String,
    /// The body, each line ending in `\n`; with `<<-`, leading tabs
    /// already removed.
    pub body: String,
    /// Whether `$VAR`s in the body are substituted (an unquoted delimiter).
    pub expand: bool,
}

/// A command as RUN, CMD, ENTRYPOINT and HEALTHCHECK take it.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// `["executable", "arg"]`, strings already JSON-decoded.
    Exec(Vec<String>),
    /// The rest of the line, to be run by the SHELL (`/bin/sh -c`); for
    /// `RUN <<EOF` the text after `RUN` including the `<<EOF` word.
    Shell(String),
}

/// `--name=value` (or `--name` alone: value `None`) flags, in order:
/// the name without its `--`, the value unexpanded (`$VAR`s intact) but,
/// as BuildKit's flag extraction does, with quotes and escapes already
/// removed (`--chown="a b"` is `("chown", Some("a b"))`). The parser
/// checks the names each instruction accepts, that string flags have a
/// value, that a boolean one is `true`/`false` if given one, and that
/// only `--mount` and `--exclude` repeat.
pub type Flags = Vec<(String, Option<String>)>;

/// The value of flag `name` (the last one given), if given with a value.
pub fn flag_value<'a>(flags: &'a Flags, name: &str) -> Option<&'a str> {
    flags
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .and_then(|(_, v)| v.as_deref())
}

/// Every value of a repeatable flag (`--mount`, `--exclude`), in order.
pub fn flag_values<'a>(flags: &'a Flags, name: &str) -> Vec<&'a str> {
    flags
        .iter()
        .filter(|(n, _)| n == name)
        .filter_map(|(_, v)| v.as_deref())
        .collect()
}

/// Whether boolean flag `name` is on (`--link`, `--link=true`).
pub fn flag_is_true(flags: &Flags, name: &str) -> bool {
    flags
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .is_some_and(|(_, v)| v.as_deref().is_none_or(|v| v.eq_ignore_ascii_case("true")))
}

/// COPY and ADD.
#[derive(Clone, Debug, PartialEq)]
pub struct CopyArgs {
    pub flags: Flags,
    /// Sources then destination, unexpanded; from the JSON form already
    /// decoded. A heredoc source appears as its `<<NAME` word.
    pub sources: Vec<String>,
    pub dest: String,
    pub heredocs: Vec<Heredoc>,
}

impl CopyArgs {
    /// The heredoc a source stands for: sources that are heredocs are
    /// written `<<NAME` (the delimiter unquoted, whatever `<<-"NAME"` form
    /// the file used).
    pub fn heredoc(&self, source: &str) -> Option<&Heredoc> {
        let name = source.strip_prefix("<<")?;
        self.heredocs.iter().find(|h| h.name == name)
    }
}

/// HEALTHCHECK.
#[derive(Clone, Debug, PartialEq)]
pub enum Health {
    /// `HEALTHCHECK NONE`.
    None,
    /// `HEALTHCHECK [--interval= --timeout= --start-period= --start-interval= --retries=] CMD ...`.
    Check { flags: Flags, cmd: Command },
}

/// What an instruction says, words unexpanded.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// `FROM [--platform=P] IMAGE [AS NAME]`.
    From {
        flags: Flags,
        image: String,
        alias: Option<String>,
    },
    /// `RUN [--mount=...] [--network=...] [--security=...] cmd`.
    Run {
        flags: Flags,
        cmd: Command,
        heredocs: Vec<Heredoc>,
    },
    Cmd(Command),
    Entrypoint(Command),
    /// `SHELL ["executable", "params"]` (JSON form only).
    Shell(Vec<String>),
    Copy(CopyArgs),
    Add(CopyArgs),
    /// `ENV K=V ...` or the legacy `ENV K V`: (raw key, raw value) pairs
    /// (BuildKit expands keys too).
    Env(Vec<(String, String)>),
    /// `LABEL K=V ...`: (raw key, raw value) pairs.
    Label(Vec<(String, String)>),
    /// `ARG NAME[=default] ...`: (name, raw default).
    Arg(Vec<(String, Option<String>)>),
    /// `WORKDIR path`, raw.
    Workdir(String),
    /// `USER user[:group]`, raw.
    User(String),
    /// `EXPOSE port[/proto] ...`, raw words.
    Expose(Vec<String>),
    /// `VOLUME ["/a", "/b"]` or `VOLUME /a /b`: raw words.
    Volume(Vec<String>),
    /// `STOPSIGNAL sig`, raw.
    StopSignal(String),
    Healthcheck(Health),
    /// `ONBUILD INSTRUCTION ...`: the trigger as written (`RUN echo hi`),
    /// checked to parse and not to be FROM, ONBUILD or MAINTAINER.
    Onbuild(String),
    /// `MAINTAINER name`, raw.
    Maintainer(String),
}

impl ParseError {
    fn new(line: usize, message: impl Into<String>) -> Self {
        ParseError {
            line,
            message: message.into(),
        }
    }
}

/// Parses a whole Dockerfile.
pub fn parse(text: &str) -> Result<Dockerfile, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut directives = Directives::default();
    let mut instructions: Vec<Instruction> = Vec::new();
    let mut seen_from = false;
    let mut idx = 0;
    while idx < lines.len() {
        let line_no = idx + 1;
        let first = trim_newline(lines[idx]).trim_start();
        idx += 1;
        directives.check(first, line_no)?;
        let escape = directives.escape;
        if is_comment(first) {
            continue;
        }
        let (head, mut done) = trim_continuation(first, escape);
        if done && head.is_empty() {
            continue;
        }
        let mut joined = head.to_string();
        while !done && idx < lines.len() {
            let next = trim_newline(lines[idx]);
            idx += 1;
            // Comments and blank lines inside a continuation are skipped
            // (BuildKit; a blank one is only a warning there).
            if is_comment(next) || next.trim_start().is_empty() {
                continue;
            }
            let (part, end) = trim_continuation(next, escape);
            joined.push_str(part);
            done = end;
        }
        if joined.trim().is_empty() {
            continue;
        }
        let bad = |message: String| ParseError::new(line_no, message);
        let parsed = parse_instruction(&joined, escape).map_err(bad)?;
        let mut kind = parsed.kind;
        if parsed.heredocs && joined.contains("<<") {
            let specs = heredocs_from_line(&joined).map_err(bad)?;
            let mut docs = Vec::new();
            let mut raw_bodies = Vec::new();
            for spec in specs {
                let mut body = String::new();
                let mut terminated = false;
                while idx < lines.len() {
                    let raw = lines[idx];
                    idx += 1;
                    let mut candidate = trim_newline(raw);
                    if spec.chomp {
                        candidate = candidate.trim_start_matches('\t');
                    }
                    if candidate == spec.name {
                        terminated = true;
                        break;
                    }
                    body.push_str(raw);
                }
                if !terminated {
                    return Err(bad("unterminated heredoc".to_string()));
                }
                raw_bodies.push(body.clone());
                if spec.chomp {
                    body = chomp_tabs(&body);
                }
                docs.push(Heredoc {
                    name: spec.name,
                    body,
                    expand: spec.expand,
                });
            }
            attach_heredocs(&mut kind, docs, &raw_bodies).map_err(bad)?;
        }
        match &kind {
            Kind::From { .. } => seen_from = true,
            Kind::Arg(_) => {}
            _ if !seen_from => {
                return Err(bad("no build stage in current context".to_string()));
            }
            _ => {}
        }
        instructions.push(Instruction {
            line: line_no,
            text: parsed.text,
            original: joined,
            kind,
        });
    }
    if instructions.is_empty() {
        return Err(ParseError::new(
            lines.len().max(1),
            "file with no instructions",
        ));
    }
    if !seen_from {
        let last = instructions.last().map_or(1, |i| i.line);
        return Err(ParseError::new(
            last,
            "dockerfile contains no stages to build",
        ));
    }
    Ok(Dockerfile {
        escape: directives.escape,
        instructions,
    })
}

/// Checks a HEALTHCHECK duration flag as BuildKit does (`parseOptInterval`):
/// a Go duration (`30s`, `1m30s`, `500ms`), empty or zero meaning unset
/// (zero), otherwise at least a millisecond.
pub fn health_interval(flag: &str, value: &str) -> Result<std::time::Duration, String> {
    if value.is_empty() {
        return Ok(std::time::Duration::ZERO);
    }
    let nanos = go_duration(value)?;
    if nanos == 0 {
        return Ok(std::time::Duration::ZERO);
    }
    if nanos < 1_000_000 {
        return Err(format!("Interval {flag:?} cannot be less than 1ms"));
    }
    let nanos = u64::try_from(nanos).map_err(|_| format!("time: invalid duration {value:?}"))?;
    Ok(std::time::Duration::from_nanos(nanos))
}

/// Checks HEALTHCHECK's `--retries` as BuildKit does: empty is 0, else a
/// non-negative 32-bit integer.
pub fn health_retries(value: &str) -> Result<u32, String> {
    if value.is_empty() {
        return Ok(0);
    }
    let n: i32 = value.parse().map_err(|e: std::num::ParseIntError| {
        let why = match e.kind() {
            std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                "value out of range"
            }
            _ => "invalid syntax",
        };
        format!("strconv.ParseInt: parsing {value:?}: {why}")
    })?;
    u32::try_from(n).map_err(|_| format!("--retries cannot be negative ({n})"))
}

/// Go's `time.ParseDuration`, in nanoseconds (negative allowed).
fn go_duration(orig: &str) -> Result<i128, String> {
    let invalid = || format!("time: invalid duration {orig:?}");
    let mut s = orig;
    let mut neg = false;
    if let Some(rest) = s.strip_prefix('-') {
        neg = true;
        s = rest;
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: i128 = 0;
    while !s.is_empty() {
        if !s.starts_with(|c: char| c == '.' || c.is_ascii_digit()) {
            return Err(invalid());
        }
        let int_len = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let int_part = &s[..int_len];
        s = &s[int_len..];
        let mut frac_part = "";
        if let Some(rest) = s.strip_prefix('.') {
            let frac_len = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            frac_part = &rest[..frac_len];
            s = &rest[frac_len..];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(invalid());
        }
        let unit_len = s
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        let unit = &s[..unit_len];
        s = &s[unit_len..];
        let scale: i128 = match unit {
            "" => return Err(format!("time: missing unit in duration {orig:?}")),
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return Err(format!("time: unknown unit {unit:?} in duration {orig:?}")),
        };
        // Beyond 19 digits the value overflows Go's int64 anyway.
        if int_part.len() > 19 {
            return Err(invalid());
        }
        let int: i128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| invalid())?
        };
        // Digits past the 20th are below a nanosecond for any unit.
        let frac_digits = &frac_part[..frac_part.len().min(20)];
        let mut frac: i128 = 0;
        let mut den: i128 = 1;
        for d in frac_digits.bytes() {
            frac = frac * 10 + i128::from(d - b'0');
            den *= 10;
        }
        let value = int * scale + frac * scale / den;
        total += value;
        if total > i128::from(i64::MAX) {
            return Err(invalid());
        }
    }
    Ok(if neg { -total } else { total })
}

/// The parser directives (`# escape=`, `# syntax=`, `# check=`): BuildKit's
/// `DirectiveParser`. They are only recognised before anything else: the
/// first line that is not one (an instruction, a blank line, any other
/// comment) ends them.
#[derive(Debug)]
struct Directives {
    escape: char,
    /// Lower-cased names already seen: each may appear once.
    seen: Vec<String>,
    done: bool,
}

impl Default for Directives {
    fn default() -> Self {
        Directives {
            escape: '\\',
            seen: Vec::new(),
            done: false,
        }
    }
}

impl Directives {
    /// Looks at a line (newline and leading whitespace already removed)
    /// while the directive section lasts.
    fn check(&mut self, line: &str, line_no: usize) -> Result<(), ParseError> {
        if self.done {
            return Ok(());
        }
        let Some((name, value)) = line.strip_prefix('#').and_then(directive_parts) else {
            self.done = true;
            return Ok(());
        };
        let name = name.to_ascii_lowercase();
        if !matches!(name.as_str(), "syntax" | "escape" | "check") {
            // `# foo=bar` is an ordinary comment, and ends the section.
            self.done = true;
            return Ok(());
        }
        if self.seen.contains(&name) {
            return Err(ParseError::new(
                line_no,
                format!("only one {name} parser directive can be used"),
            ));
        }
        self.seen.push(name.clone());
        if name == "escape" {
            self.escape = match value {
                "\\" => '\\',
                "`" => '`',
                _ => {
                    return Err(ParseError::new(
                        line_no,
                        format!("invalid escape token '{value}' does not match ` or \\"),
                    ));
                }
            };
        }
        Ok(())
    }
}

/// BuildKit's `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` on the text after
/// the `#` (leading whitespace dropped): (name, value).
fn directive_parts(text: &str) -> Option<(&str, &str)> {
    let text = text.trim_start();
    if !text.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let name_len = text
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(text.len());
    let (name, rest) = text.split_at(name_len);
    let value = rest
        .trim_start_matches(|c: char| c.is_ascii_whitespace())
        .strip_prefix('=')?
        .trim_matches(|c: char| c.is_ascii_whitespace());
    (!value.is_empty()).then_some((name, value))
}

/// A comment line: its first non-whitespace character is `#`.
fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// The line without its line ending (`\n` or `\r\n`).
fn trim_newline(line: &str) -> &str {
    line.trim_end_matches(['\r', '\n'])
}

/// Splits off a line-continuation escape: BuildKit's
/// `([^\E])\E[ \t]*$|^\E[ \t]*$`. Returns the text before the escape and
/// `false` (more lines follow), or the line unchanged and `true`. An
/// escape preceded by another escape (`foo \\`) is not a continuation.
fn trim_continuation(line: &str, escape: char) -> (&str, bool) {
    let trimmed = line.trim_end_matches([' ', '\t']);
    if let Some(before) = trimmed.strip_suffix(escape)
        && (before.is_empty() || !before.ends_with(escape))
    {
        return (before, false);
    }
    (line, true)
}

/// What [`parse_instruction`] makes of one logical line.
struct Parsed {
    kind: Kind,
    /// The keyword upper-cased, the rest as written.
    text: String,
    /// Whether the instruction takes heredocs (RUN, COPY, ADD, not in
    /// their JSON form, and ONBUILD with such a trigger).
    heredocs: bool,
}

/// How a flag takes its value (BuildKit's `BFlags` types).
#[derive(Clone, Copy, PartialEq)]
enum FlagKind {
    Bool,
    Str,
    /// A string that may repeat (`--mount`, `--exclude`).
    Strings,
}

const FROM_FLAGS: &[(&str, FlagKind)] = &[("platform", FlagKind::Str)];
const RUN_FLAGS: &[(&str, FlagKind)] = &[
    ("mount", FlagKind::Strings),
    ("network", FlagKind::Str),
    ("security", FlagKind::Str),
];
const COPY_FLAGS: &[(&str, FlagKind)] = &[
    ("chown", FlagKind::Str),
    ("from", FlagKind::Str),
    ("chmod", FlagKind::Str),
    ("link", FlagKind::Bool),
    ("exclude", FlagKind::Strings),
    ("parents", FlagKind::Bool),
];
const ADD_FLAGS: &[(&str, FlagKind)] = &[
    ("chown", FlagKind::Str),
    ("chmod", FlagKind::Str),
    ("link", FlagKind::Bool),
    ("keep-git-dir", FlagKind::Bool),
    ("checksum", FlagKind::Str),
    ("unpack", FlagKind::Bool),
    ("exclude", FlagKind::Strings),
];
const HEALTH_FLAGS: &[(&str, FlagKind)] = &[
    ("interval", FlagKind::Str),
    ("timeout", FlagKind::Str),
    ("start-period", FlagKind::Str),
    ("start-interval", FlagKind::Str),
    ("retries", FlagKind::Str),
];

/// Go's `reWhitespace` (`[\t\v\f\r ]`), which splits the keyword off and
/// the whitespace-delimited arguments apart.
fn is_go_ws(c: char) -> bool {
    matches!(c, '\t' | '\x0b' | '\x0c' | '\r' | ' ')
}

/// `reWhitespace.Split(s, -1)` on an already trimmed string.
fn split_ws(s: &str) -> Vec<String> {
    s.split(is_go_ws)
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// BuildKit's `parseJSON`: `None` if `rest` is not a JSON array (then it
/// is shell form, even if it starts with `[`), an error if it is one with
/// anything but strings in it.
fn parse_json(rest: &str) -> Result<Option<Vec<String>>, String> {
    let rest = rest.trim_start();
    if !rest.starts_with('[') {
        return Ok(None);
    }
    let Ok(values) = serde_json::from_str::<Vec<serde_json::Value>>(rest) else {
        return Ok(None);
    };
    values
        .into_iter()
        .map(|v| match v {
            serde_json::Value::String(s) => Ok(s),
            _ => Err(
                "when using JSON array syntax, arrays must be comprised of strings only"
                    .to_string(),
            ),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// BuildKit's `extractBuilderFlags`: the leading `--flag` words (quotes
/// and escapes removed) and the rest of the line. A `--` word ends them.
fn extract_flags(line: &str, escape: char) -> (Vec<String>, &str) {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut i = 0;
    loop {
        let at_end = i == chars.len();
        let (pos, mut ch) = if at_end { (line.len(), '\0') } else { chars[i] };
        if phase == Phase::Spaces {
            if at_end {
                break;
            }
            if ch.is_whitespace() {
                i += 1;
                continue;
            }
            if ch != '-' || i + 1 == chars.len() || chars[i + 1].1 != '-' {
                return (words, &line[pos..]);
            }
            phase = Phase::Word;
        }
        if at_end {
            if word != "--" && (blank_ok || !word.is_empty()) {
                words.push(word);
            }
            break;
        }
        i += 1;
        if phase == Phase::Word {
            if ch.is_whitespace() {
                phase = Phase::Spaces;
                if word == "--" {
                    return (words, &line[pos..]);
                }
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                word.clear();
                blank_ok = false;
                continue;
            }
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
                continue;
            }
            if ch == escape {
                if i == chars.len() {
                    continue;
                }
                ch = chars[i].1;
                i += 1;
            }
            word.push(ch);
        } else {
            if ch == quote {
                phase = Phase::Word;
                continue;
            }
            if ch == escape {
                if i == chars.len() {
                    phase = Phase::Word;
                    continue;
                }
                ch = chars[i].1;
                i += 1;
            }
            word.push(ch);
        }
    }
    (words, "")
}

/// BuildKit's `BFlags.Parse`: checks the flag words against what the
/// instruction accepts.
fn parse_flags(words: Vec<String>, accepted: &[(&str, FlagKind)]) -> Result<Flags, String> {
    let mut flags = Flags::new();
    for word in words {
        if word == "--" {
            break;
        }
        let Some(stripped) = word.strip_prefix("--") else {
            return Err(format!("arg should start with -- : {word}"));
        };
        let (name, value) = match stripped.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (stripped, None),
        };
        let Some(&(_, kind)) = accepted.iter().find(|(n, _)| *n == name) else {
            return Err(format!("unknown flag: --{name}"));
        };
        if kind != FlagKind::Strings && flags.iter().any(|(n, _)| n == name) {
            return Err(format!("duplicate flag specified: --{name}"));
        }
        match kind {
            FlagKind::Bool => match value {
                Some("") => return Err(format!("missing a value on flag: --{name}")),
                Some(v) if !v.eq_ignore_ascii_case("true") && !v.eq_ignore_ascii_case("false") => {
                    return Err(format!(
                        "expecting boolean value for flag --{name}, not: {v}"
                    ));
                }
                _ => {}
            },
            FlagKind::Str | FlagKind::Strings => {
                if value.is_none() {
                    return Err(format!("missing a value on flag: --{name}"));
                }
            }
        }
        flags.push((name.to_string(), value.map(str::to_string)));
    }
    Ok(flags)
}

/// BuildKit's `parseWords` (ENV, LABEL, ARG): whitespace-separated words,
/// quoted sections kept together, quotes and escapes kept in the word.
fn parse_words(rest: &str, escape: char) -> Vec<String> {
    let chars: Vec<char> = rest.chars().collect();
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut blank_ok = false;
    let mut i = 0;
    while i < chars.len() {
        let mut ch = chars[i];
        i += 1;
        if let Some(q) = quote {
            if ch == q {
                quote = None;
            }
            // Nothing escapes inside single quotes.
            if ch == escape && q != '\'' {
                if i == chars.len() {
                    quote = None;
                    continue;
                }
                word.push(ch);
                ch = chars[i];
                i += 1;
            }
            word.push(ch);
            continue;
        }
        if !in_word {
            if ch.is_whitespace() {
                continue;
            }
            in_word = true;
        }
        if ch.is_whitespace() {
            if blank_ok || !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            in_word = false;
            blank_ok = false;
            continue;
        }
        if ch == '\'' || ch == '"' {
            quote = Some(ch);
            blank_ok = true;
        }
        if ch == escape {
            if i == chars.len() {
                continue;
            }
            word.push(ch);
            ch = chars[i];
            i += 1;
        }
        word.push(ch);
    }
    if in_word && (blank_ok || !word.is_empty()) {
        words.push(word);
    }
    words
}

/// BuildKit's `parseNameVal` (ENV and LABEL): `K=V ...`, or the legacy
/// `K V` where V is the rest of the line. Keys and values raw.
fn parse_name_val(rest: &str, escape: char, what: &str) -> Result<Vec<(String, String)>, String> {
    let words = parse_words(rest, escape);
    if words.is_empty() {
        return Err(format!("{what} requires at least one argument"));
    }
    if !words[0].contains('=') {
        let Some((key, value)) = rest.split_once(is_go_ws) else {
            return Err(format!("{what} must have two arguments"));
        };
        let value = value.trim_start_matches(is_go_ws);
        return Ok(vec![(key.to_string(), value.to_string())]);
    }
    words
        .into_iter()
        .map(|word| {
            let Some((key, value)) = word.split_once('=') else {
                return Err(format!(
                    "Syntax error - can't find = in {word:?}. Must be of the form: name=value"
                ));
            };
            if key.is_empty() {
                return Err(format!("{what} names can not be blank"));
            }
            Ok((key.to_string(), value.to_string()))
        })
        .collect()
}

/// A command in JSON (exec) or shell form.
fn parse_command(rest: &str) -> Result<Command, String> {
    Ok(match parse_json(rest)? {
        Some(argv) => Command::Exec(argv),
        None => Command::Shell(rest.to_string()),
    })
}

/// Flags on an instruction that takes none are BuildKit's "unknown flag".
fn no_flags(words: Vec<String>) -> Result<(), String> {
    parse_flags(words, &[]).map(drop)
}

/// The single raw argument of WORKDIR, USER, STOPSIGNAL, MAINTAINER.
fn one_arg(rest: &str, what: &str) -> Result<String, String> {
    if rest.is_empty() {
        return Err(format!("{what} requires exactly one argument"));
    }
    Ok(rest.to_string())
}

/// COPY and ADD: sources and destination, JSON or whitespace-separated.
fn parse_copy(
    rest: &str,
    flag_words: Vec<String>,
    accepted: &[(&str, FlagKind)],
    what: &str,
) -> Result<(CopyArgs, bool), String> {
    let json = parse_json(rest)?;
    let takes_heredocs = json.is_none();
    let mut args = json.unwrap_or_else(|| split_ws(rest));
    if args.len() < 2 {
        return Err(format!(
            "{what} requires at least two arguments, but only one was provided. Destination could not be determined"
        ));
    }
    let flags = parse_flags(flag_words, accepted)?;
    let dest = args.pop().unwrap_or_default();
    if heredoc_word(&dest).is_some() {
        return Err(format!("{what} cannot accept a heredoc as a destination"));
    }
    Ok((
        CopyArgs {
            flags,
            sources: args,
            dest,
            heredocs: Vec::new(),
        },
        takes_heredocs,
    ))
}

/// HEALTHCHECK: `NONE` or `[flags] CMD command`.
fn parse_health(rest: &str, flag_words: Vec<String>) -> Result<(Health, bool), String> {
    if rest.is_empty() {
        return Err("HEALTHCHECK requires at least one argument".to_string());
    }
    let (typ, cmd_rest) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let cmd_rest = cmd_rest.trim_start();
    let typ = typ.to_uppercase();
    // Checked even for NONE (BuildKit ignores them there), so that no
    // flag goes unchecked.
    let flags = parse_flags(flag_words, HEALTH_FLAGS)?;
    if typ == "NONE" {
        if !cmd_rest.is_empty() {
            return Err("HEALTHCHECK NONE takes no arguments".to_string());
        }
        return Ok((Health::None, false));
    }
    if typ != "CMD" {
        return Err(format!("Unknown type {typ:?} in HEALTHCHECK (try CMD)"));
    }
    let cmd = parse_command(cmd_rest)?;
    let empty = match &cmd {
        Command::Exec(argv) => argv.is_empty(),
        Command::Shell(s) => s.is_empty(),
    };
    if empty {
        return Err("Missing command after HEALTHCHECK CMD".to_string());
    }
    for name in ["interval", "timeout", "start-period", "start-interval"] {
        health_interval(name, flag_value(&flags, name).unwrap_or(""))?;
    }
    health_retries(flag_value(&flags, "retries").unwrap_or(""))?;
    Ok((Health::Check { flags, cmd }, false))
}

/// BuildKit's stage-name rule: `^[a-z][a-z0-9-_.]*$` once lower-cased.
fn valid_stage_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

/// Parses one logical line (continuations joined, heredoc bodies not
/// included) into its instruction.
fn parse_instruction(joined: &str, escape: char) -> Result<Parsed, String> {
    let line = joined.trim();
    let (keyword, after) = match line.split_once(is_go_ws) {
        Some((keyword, after)) => (keyword, after.trim_start_matches(is_go_ws)),
        None => (line, ""),
    };
    let (flag_words, rest) = extract_flags(after, escape);
    let rest = rest.trim();
    let upper = keyword.to_uppercase();
    let text = format!("{upper}{}", &line[keyword.len()..]);
    let mut heredocs = false;
    let kind = match upper.as_str() {
        "FROM" => {
            let args = split_ws(rest);
            let alias = match args.as_slice() {
                [_] => None,
                [_, as_word, name] if as_word.eq_ignore_ascii_case("as") => {
                    // Stage names are case-insensitive: BuildKit keeps
                    // them lower-cased.
                    let lower = name.to_lowercase();
                    if !valid_stage_name(&lower) {
                        return Err(format!(
                            "invalid name for build stage: {name:?}, name can't start with a number or contain symbols"
                        ));
                    }
                    Some(lower)
                }
                _ => return Err("FROM requires either one or three arguments".to_string()),
            };
            Kind::From {
                flags: parse_flags(flag_words, FROM_FLAGS)?,
                image: args[0].clone(),
                alias,
            }
        }
        "RUN" => {
            let cmd = parse_command(rest)?;
            let flags = parse_flags(flag_words, RUN_FLAGS)?;
            heredocs = matches!(cmd, Command::Shell(_));
            Kind::Run {
                flags,
                cmd,
                heredocs: Vec::new(),
            }
        }
        "CMD" | "ENTRYPOINT" => {
            let cmd = parse_command(rest)?;
            no_flags(flag_words)?;
            if upper == "CMD" {
                Kind::Cmd(cmd)
            } else {
                Kind::Entrypoint(cmd)
            }
        }
        "SHELL" => {
            let json = parse_json(rest)?;
            no_flags(flag_words)?;
            match json {
                Some(argv) if !argv.is_empty() => Kind::Shell(argv),
                Some(_) => return Err("SHELL requires at least one argument".to_string()),
                None if rest.is_empty() => {
                    return Err("SHELL requires at least one argument".to_string());
                }
                None => return Err("SHELL requires the arguments to be in JSON form".to_string()),
            }
        }
        "COPY" => {
            let (args, takes) = parse_copy(rest, flag_words, COPY_FLAGS, "COPY")?;
            heredocs = takes;
            Kind::Copy(args)
        }
        "ADD" => {
            let (args, takes) = parse_copy(rest, flag_words, ADD_FLAGS, "ADD")?;
            heredocs = takes;
            Kind::Add(args)
        }
        "ENV" => {
            let pairs = parse_name_val(rest, escape, "ENV")?;
            no_flags(flag_words)?;
            Kind::Env(pairs)
        }
        "LABEL" => {
            let pairs = parse_name_val(rest, escape, "LABEL")?;
            no_flags(flag_words)?;
            Kind::Label(pairs)
        }
        "ARG" => {
            let words = parse_words(rest, escape);
            if words.is_empty() {
                return Err("ARG requires at least one argument".to_string());
            }
            no_flags(flag_words)?;
            let args = words
                .into_iter()
                .map(|word| match word.split_once('=') {
                    Some(("", _)) => Err("ARG names can not be blank".to_string()),
                    Some((name, value)) => Ok((name.to_string(), Some(value.to_string()))),
                    None => Ok((word, None)),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Kind::Arg(args)
        }
        "WORKDIR" => {
            let path = one_arg(rest, "WORKDIR")?;
            no_flags(flag_words)?;
            Kind::Workdir(path)
        }
        "USER" => {
            let user = one_arg(rest, "USER")?;
            no_flags(flag_words)?;
            Kind::User(user)
        }
        "STOPSIGNAL" => {
            let sig = one_arg(rest, "STOPSIGNAL")?;
            no_flags(flag_words)?;
            Kind::StopSignal(sig)
        }
        "MAINTAINER" => {
            let name = one_arg(rest, "MAINTAINER")?;
            no_flags(flag_words)?;
            Kind::Maintainer(name)
        }
        "EXPOSE" => {
            let ports = split_ws(rest);
            if ports.is_empty() {
                return Err("EXPOSE requires at least one argument".to_string());
            }
            no_flags(flag_words)?;
            Kind::Expose(ports)
        }
        "VOLUME" => {
            let vols = parse_json(rest)?.unwrap_or_else(|| split_ws(rest));
            if vols.is_empty() {
                return Err("VOLUME requires at least one argument".to_string());
            }
            no_flags(flag_words)?;
            let vols = vols
                .into_iter()
                .map(|v| {
                    let v = v.trim();
                    if v.is_empty() {
                        Err("VOLUME specified can not be an empty string".to_string())
                    } else {
                        Ok(v.to_string())
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            Kind::Volume(vols)
        }
        "HEALTHCHECK" => {
            let (health, takes) = parse_health(rest, flag_words)?;
            heredocs = takes;
            Kind::Healthcheck(health)
        }
        "ONBUILD" => {
            if rest.is_empty() {
                return Err("ONBUILD requires at least one argument".to_string());
            }
            no_flags(flag_words)?;
            let trigger = rest.split(is_go_ws).next().unwrap_or("").to_uppercase();
            match trigger.as_str() {
                "ONBUILD" => {
                    return Err("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed".to_string());
                }
                "MAINTAINER" | "FROM" => {
                    return Err(format!("{trigger} isn't allowed as an ONBUILD trigger"));
                }
                _ => {}
            }
            let inner = parse_instruction(rest, escape)?;
            heredocs = inner.heredocs;
            // BuildKit's `(?i)^\s*ONBUILD\s*` removed from the original.
            let expression = joined.trim_start()[keyword.len()..].trim_start();
            Kind::Onbuild(expression.to_string())
        }
        _ => return Err(format!("unknown instruction: {keyword}")),
    };
    Ok(Parsed {
        kind,
        text,
        heredocs,
    })
}

/// A heredoc named on an instruction's line, its body not yet read.
#[derive(Clone, Debug, PartialEq)]
struct HeredocSpec {
    /// The delimiter, quotes removed.
    name: String,
    /// `<<-`: leading tabs are removed from the body and the terminator.
    chomp: bool,
    /// An unquoted delimiter: `$VAR`s in the body are substituted.
    expand: bool,
}

/// Splits `s` into shell words as BuildKit's lexer does when it looks for
/// heredocs: (as written, quotes and escapes removed) pairs; `None` for an
/// unterminated quote.
fn shell_words(s: &str) -> Option<Vec<(String, String)>> {
    let mut words = Vec::new();
    let mut raw = String::new();
    let mut cooked = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            if in_word {
                words.push((std::mem::take(&mut raw), std::mem::take(&mut cooked)));
                in_word = false;
            }
            continue;
        }
        in_word = true;
        raw.push(c);
        match c {
            '\'' => loop {
                let c = chars.next()?;
                raw.push(c);
                if c == '\'' {
                    break;
                }
                cooked.push(c);
            },
            '"' => loop {
                let c = chars.next()?;
                raw.push(c);
                match c {
                    '"' => break,
                    '\\' => {
                        let next = chars.next()?;
                        raw.push(next);
                        if !matches!(next, '"' | '\\' | '$') {
                            cooked.push('\\');
                        }
                        cooked.push(next);
                    }
                    _ => cooked.push(c),
                }
            },
            '\\' => {
                if let Some(next) = chars.next() {
                    raw.push(next);
                    cooked.push(next);
                }
            }
            _ => cooked.push(c),
        }
    }
    if in_word {
        words.push((raw, cooked));
    }
    Some(words)
}

/// BuildKit's `ParseHeredoc`: whether a word (as written) is a heredoc
/// (`^(\d*)<<(-?)\s*([^<]*)$`, the delimiter one shell word).
fn heredoc_word(word: &str) -> Option<HeredocSpec> {
    let rest = word.trim_start_matches(|c: char| c.is_ascii_digit());
    let rest = rest.strip_prefix("<<")?;
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    let rest = rest.trim_start();
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let words = shell_words(rest)?;
    let [(raw, cooked)] = words.as_slice() else {
        return None;
    };
    let quotes = |s: &str| s.chars().filter(|c| matches!(c, '\'' | '"')).count();
    Some(HeredocSpec {
        name: cooked.clone(),
        chomp,
        // Some part of the delimiter quoted: the body is taken literally.
        expand: quotes(raw) == quotes(cooked),
    })
}

/// The heredocs an instruction's line names, in order (BuildKit's
/// `heredocsFromLine`). `<<` inside quotes or `<<<` is no heredoc.
fn heredocs_from_line(joined: &str) -> Result<Vec<HeredocSpec>, String> {
    // A line BuildKit's lexer cannot split (an unterminated quote) has no
    // heredocs: it ignores that error.
    let words = shell_words(joined).unwrap_or_default();
    Ok(words
        .iter()
        .filter_map(|(raw, _)| heredoc_word(raw))
        .collect())
}

/// Removes the leading tabs of every line (`<<-`).
fn chomp_tabs(body: &str) -> String {
    body.split_inclusive('\n')
        .map(|line| line.trim_start_matches('\t'))
        .collect()
}

/// Gives an instruction the heredoc bodies read after its line.
/// `raw_bodies` are the bodies before any `<<-` tab removal, which
/// ONBUILD keeps in its trigger text (as BuildKit does).
fn attach_heredocs(
    kind: &mut Kind,
    docs: Vec<Heredoc>,
    raw_bodies: &[String],
) -> Result<(), String> {
    match kind {
        Kind::Run { cmd, heredocs, .. } => {
            if matches!(cmd, Command::Exec(_)) {
                return Err("RUN in exec (JSON) form cannot take heredocs".to_string());
            }
            *heredocs = docs;
        }
        Kind::Copy(args) | Kind::Add(args) => {
            for source in &mut args.sources {
                if let Some(spec) = heredoc_word(source) {
                    *source = format!("<<{}", spec.name);
                }
            }
            args.heredocs = docs;
        }
        Kind::Onbuild(expression) => {
            for (doc, raw) in docs.iter().zip(raw_bodies) {
                expression.push('\n');
                expression.push_str(raw);
                expression.push_str(&doc.name);
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod fuzz_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Kind> {
        parse(text)
            .unwrap()
            .instructions
            .into_iter()
            .map(|i| i.kind)
            .collect()
    }

    fn one(line: &str) -> Kind {
        let text = format!("FROM scratch\n{line}\n");
        let mut k = kinds(&text);
        assert_eq!(k.len(), 2, "{k:?}");
        k.pop().unwrap()
    }

    fn err(text: &str) -> ParseError {
        parse(text).unwrap_err()
    }

    fn err_line(line: &str) -> String {
        err(&format!("FROM scratch\n{line}\n")).message
    }

    fn shell(s: &str) -> Command {
        Command::Shell(s.to_string())
    }

    fn exec(v: &[&str]) -> Command {
        Command::Exec(v.iter().map(|s| s.to_string()).collect())
    }

    fn flag(name: &str, value: Option<&str>) -> (String, Option<String>) {
        (name.to_string(), value.map(str::to_string))
    }

    #[test]
    fn issue17_parse_basic_file() {
        let df = parse("FROM alpine:3.20\nRUN echo hi\nCMD [\"sh\"]\n").unwrap();
        assert_eq!(df.escape, '\\');
        assert_eq!(df.instructions.len(), 3);
        assert_eq!(df.instructions[1].line, 2);
        assert_eq!(df.instructions[1].text, "RUN echo hi");
        assert_eq!(
            df.instructions[0].kind,
            Kind::From {
                flags: vec![],
                image: "alpine:3.20".into(),
                alias: None
            }
        );
        assert_eq!(df.instructions[2].kind, Kind::Cmd(exec(&["sh"])));
    }

    #[test]
    fn issue17_parse_keyword_case_text_and_original() {
        let df = parse("from alpine\n  env  A=1 \nRun echo \\\n   hi\n").unwrap();
        let env = &df.instructions[1];
        assert_eq!(env.text, "ENV  A=1");
        assert_eq!(env.original, "env  A=1 ");
        assert_eq!(env.kind, Kind::Env(vec![("A".into(), "1".into())]));
        let run = &df.instructions[2];
        assert_eq!(run.line, 3);
        assert_eq!(run.original, "Run echo    hi");
        assert_eq!(
            run.kind,
            Kind::Run {
                flags: vec![],
                cmd: shell("echo    hi"),
                heredocs: vec![]
            }
        );
    }

    #[test]
    fn issue17_parse_escape_directive_changes_continuation() {
        let df = parse("# escape=`\nFROM scratch\nRUN echo a \\\nCOPY a `\n  b\n").unwrap();
        assert_eq!(df.escape, '`');
        // `\` no longer continues: two instructions.
        assert_eq!(
            df.instructions[1].kind,
            Kind::Run {
                flags: vec![],
                cmd: shell("echo a \\"),
                heredocs: vec![]
            }
        );
        let Kind::Copy(c) = &df.instructions[2].kind else {
            panic!()
        };
        assert_eq!(c.sources, vec!["a".to_string()]);
        assert_eq!(c.dest, "b");
    }

    #[test]
    fn issue17_parse_directives_rules() {
        // Case-insensitive name, spaces around `=`, syntax ignored.
        let df = parse("# syntax=docker/dockerfile:1\n#  ESCAPE = `\nFROM scratch\n").unwrap();
        assert_eq!(df.escape, '`');
        // After a comment, a directive is just a comment.
        let df = parse("# hello\n# escape=`\nFROM scratch\n").unwrap();
        assert_eq!(df.escape, '\\');
        // After a blank line too.
        let df = parse("\n# escape=`\nFROM scratch\n").unwrap();
        assert_eq!(df.escape, '\\');
        // After an instruction too.
        let df = parse("FROM scratch\n# escape=`\n").unwrap();
        assert_eq!(df.escape, '\\');
        // check= accepted.
        parse("# check=skip=all\nFROM scratch\n").unwrap();
        let e = err("# escape=x\nFROM scratch\n");
        assert_eq!(e.line, 1);
        assert!(
            e.message
                .contains("invalid escape token 'x' does not match"),
            "{e}"
        );
        let e = err("# escape=`\n# escape=\\\nFROM scratch\n");
        assert_eq!(e.line, 2);
        assert_eq!(e.message, "only one escape parser directive can be used");
        let e = err("# syntax=a\n# Syntax=b\nFROM scratch\n");
        assert_eq!(e.message, "only one syntax parser directive can be used");
    }

    #[test]
    fn issue17_parse_comments_and_blank_lines_in_continuation() {
        let df =
            parse("FROM scratch\nRUN echo a \\\n# comment\n\n    && echo b\n# after\nUSER me\n")
                .unwrap();
        assert_eq!(
            df.instructions[1].kind,
            Kind::Run {
                flags: vec![],
                cmd: shell("echo a     && echo b"),
                heredocs: vec![]
            }
        );
        assert_eq!(df.instructions[2].line, 7);
        assert_eq!(df.instructions[2].kind, Kind::User("me".into()));
    }

    #[test]
    fn issue17_parse_continuation_details() {
        assert_eq!(trim_continuation("a \\  ", '\\'), ("a ", false));
        assert_eq!(trim_continuation("\\", '\\'), ("", false));
        assert_eq!(trim_continuation("a \\\\", '\\'), ("a \\\\", true));
        assert_eq!(trim_continuation("a `", '`'), ("a ", false));
        assert_eq!(trim_continuation("a \\", '`'), ("a \\", true));
        assert_eq!(trim_newline("x\r\n"), "x");
        assert_eq!(trim_newline("x\n"), "x");
        assert!(is_comment("   # x"));
        assert!(!is_comment("RUN # x"));
        // CRLF files.
        let df = parse("FROM scratch\r\nRUN a \\\r\n b\r\n").unwrap();
        assert_eq!(
            df.instructions[1].kind,
            Kind::Run {
                flags: vec![],
                cmd: shell("a  b"),
                heredocs: vec![]
            }
        );
    }

    #[test]
    fn issue17_parse_json_vs_shell_form() {
        assert_eq!(one("CMD [\"a\", \"b c\"]"), Kind::Cmd(exec(&["a", "b c"])));
        assert_eq!(one("CMD echo [\"a\"]"), Kind::Cmd(shell("echo [\"a\"]")));
        assert_eq!(one("ENTRYPOINT []"), Kind::Entrypoint(exec(&[])));
        // Not valid JSON: shell form (BuildKit).
        assert_eq!(one("CMD [\"a\", b]"), Kind::Cmd(shell("[\"a\", b]")));
        assert_eq!(one("CMD ['a']"), Kind::Cmd(shell("['a']")));
        assert_eq!(
            one("RUN [\"sh\", \"-c\", \"echo \\u0041\"]"),
            Kind::Run {
                flags: vec![],
                cmd: exec(&["sh", "-c", "echo A"]),
                heredocs: vec![]
            }
        );
        assert!(err_line("CMD [\"a\", 1]").contains("arrays must be comprised of strings only"));
        assert_eq!(
            one("SHELL [\"/bin/bash\", \"-c\"]"),
            Kind::Shell(vec!["/bin/bash".into(), "-c".into()])
        );
        assert_eq!(
            err_line("SHELL /bin/bash -c"),
            "SHELL requires the arguments to be in JSON form"
        );
        assert_eq!(err_line("SHELL []"), "SHELL requires at least one argument");
    }

    #[test]
    fn issue17_parse_run_flags() {
        let k = one(
            "RUN --mount=type=cache,target=/c --mount=type=tmpfs,target=/t --network=none echo hi",
        );
        assert_eq!(
            k,
            Kind::Run {
                flags: vec![
                    flag("mount", Some("type=cache,target=/c")),
                    flag("mount", Some("type=tmpfs,target=/t")),
                    flag("network", Some("none")),
                ],
                cmd: shell("echo hi"),
                heredocs: vec![]
            }
        );
        let Kind::Run { flags, .. } = one("RUN --mount=\"type=bind,source=a b\" true") else {
            panic!()
        };
        assert_eq!(flag_values(&flags, "mount"), vec!["type=bind,source=a b"]);
        // `--` ends the flags.
        let Kind::Run { flags, cmd, .. } = one("RUN --network=host -- --weird") else {
            panic!()
        };
        assert_eq!(flags.len(), 1);
        assert_eq!(cmd, shell("--weird"));
        // A flag word after the command is the command's.
        let Kind::Run { flags, cmd, .. } = one("RUN ls --all") else {
            panic!()
        };
        assert!(flags.is_empty());
        assert_eq!(cmd, shell("ls --all"));
    }

    #[test]
    fn issue17_parse_flag_errors() {
        assert_eq!(err_line("RUN --bogus=1 true"), "unknown flag: --bogus");
        assert_eq!(
            err_line("RUN --network=a --network=b true"),
            "duplicate flag specified: --network"
        );
        assert_eq!(
            err_line("COPY --from a b"),
            "missing a value on flag: --from"
        );
        // An empty string value is a value.
        let Kind::Copy(c) = one("COPY --chown= a b") else {
            panic!()
        };
        assert_eq!(c.flags, vec![flag("chown", Some(""))]);
        assert_eq!(
            err_line("COPY --link= a b"),
            "missing a value on flag: --link"
        );
        assert_eq!(
            err_line("COPY --link=yes a b"),
            "expecting boolean value for flag --link, not: yes"
        );
        assert_eq!(err_line("ENV --x=1 A=b"), "unknown flag: --x");
        let Kind::Copy(c) = one("COPY --exclude=a --exclude=b --parents x y") else {
            panic!()
        };
        assert_eq!(flag_values(&c.flags, "exclude"), vec!["a", "b"]);
        assert!(flag_is_true(&c.flags, "parents"));
    }

    #[test]
    fn issue17_parse_copy_and_add() {
        let Kind::Copy(c) = one("COPY --from=build --chown=\"1:2\" --link a \"b c\" /dst/") else {
            panic!()
        };
        assert_eq!(
            c.flags,
            vec![
                flag("from", Some("build")),
                flag("chown", Some("1:2")),
                flag("link", None)
            ]
        );
        assert!(flag_is_true(&c.flags, "link"));
        // Whitespace-split, quotes kept, as BuildKit does.
        assert_eq!(c.sources, vec!["a".to_string(), "\"b".into(), "c\"".into()]);
        assert_eq!(c.dest, "/dst/");
        let Kind::Copy(c) = one("COPY [\"a b\", \"$X\", \"/d\"]") else {
            panic!()
        };
        assert_eq!(c.sources, vec!["a b".to_string(), "$X".into()]);
        assert_eq!(c.dest, "/d");
        let Kind::Add(a) =
            one("ADD --checksum=sha256:abc --keep-git-dir=true --unpack=false --exclude=*.o u /d")
        else {
            panic!()
        };
        assert_eq!(flag_value(&a.flags, "checksum"), Some("sha256:abc"));
        assert!(flag_is_true(&a.flags, "keep-git-dir"));
        assert!(!flag_is_true(&a.flags, "unpack"));
        assert_eq!(err_line("ADD --from=x a b"), "unknown flag: --from");
        assert_eq!(
            err_line("COPY --checksum=x a b"),
            "unknown flag: --checksum"
        );
        assert_eq!(
            err_line("COPY onlyone"),
            "COPY requires at least two arguments, but only one was provided. Destination could not be determined"
        );
        assert_eq!(
            err_line("COPY a <<EOF"),
            "COPY cannot accept a heredoc as a destination"
        );
    }

    #[test]
    fn issue17_parse_env_forms() {
        assert_eq!(
            one("ENV A=1 B=\"two words\" C='x y' D=a\\ b"),
            Kind::Env(vec![
                ("A".into(), "1".into()),
                ("B".into(), "\"two words\"".into()),
                ("C".into(), "'x y'".into()),
                ("D".into(), "a\\ b".into()),
            ])
        );
        assert_eq!(err_line("ENV A"), "ENV must have two arguments");
        assert_eq!(
            one("ENV PATH /usr/bin:$PATH  and more"),
            Kind::Env(vec![("PATH".into(), "/usr/bin:$PATH  and more".into())])
        );
        assert_eq!(one("ENV E="), Kind::Env(vec![("E".into(), String::new())]));
        assert_eq!(err_line("ENV =x"), "ENV names can not be blank");
        assert_eq!(err_line("ENV"), "ENV requires at least one argument");
        assert!(err_line("ENV A=1 B").contains("can't find = in \"B\""));
    }

    #[test]
    fn issue17_parse_label_and_arg() {
        assert_eq!(
            one("LABEL a=b \"c d\"=\"e f\""),
            Kind::Label(vec![
                ("a".into(), "b".into()),
                ("\"c d\"".into(), "\"e f\"".into())
            ])
        );
        assert_eq!(
            one("LABEL key some value"),
            Kind::Label(vec![("key".into(), "some value".into())])
        );
        assert_eq!(
            one("ARG A B=1 C= D=\"x y\""),
            Kind::Arg(vec![
                ("A".into(), None),
                ("B".into(), Some("1".into())),
                ("C".into(), Some(String::new())),
                ("D".into(), Some("\"x y\"".into())),
            ])
        );
        assert_eq!(err_line("ARG =1"), "ARG names can not be blank");
        assert_eq!(err_line("ARG"), "ARG requires at least one argument");
    }

    #[test]
    fn issue17_parse_from() {
        assert_eq!(
            one("FROM --platform=$BUILDPLATFORM golang:1 as Build"),
            Kind::From {
                flags: vec![flag("platform", Some("$BUILDPLATFORM"))],
                image: "golang:1".into(),
                alias: Some("build".into())
            }
        );
        assert_eq!(
            err_line("FROM a b"),
            "FROM requires either one or three arguments"
        );
        assert_eq!(
            err_line("FROM a AS b c"),
            "FROM requires either one or three arguments"
        );
        assert_eq!(
            err_line("FROM a IS b"),
            "FROM requires either one or three arguments"
        );
        assert_eq!(
            err("FROM").message,
            "FROM requires either one or three arguments"
        );
        assert!(err_line("FROM a AS 1x").contains("invalid name for build stage"));
    }

    #[test]
    fn issue17_parse_before_from() {
        let df = parse("ARG V=1\n# c\nFROM img:$V\n").unwrap();
        assert_eq!(
            df.instructions[0].kind,
            Kind::Arg(vec![("V".into(), Some("1".into()))])
        );
        let e = err("RUN x\nFROM a\n");
        assert_eq!(
            (e.line, e.message.as_str()),
            (1, "no build stage in current context")
        );
        assert_eq!(
            err("ARG A\n").message,
            "dockerfile contains no stages to build"
        );
    }

    #[test]
    fn issue17_parse_empty_and_bom() {
        assert_eq!(err("").message, "file with no instructions");
        assert_eq!(
            err("# just a comment\n\n").message,
            "file with no instructions"
        );
        let df = parse("\u{feff}# escape=`\nFROM scratch\n").unwrap();
        assert_eq!(df.escape, '`');
        let df = parse("\u{feff}FROM scratch").unwrap();
        assert_eq!(df.instructions[0].original, "FROM scratch");
    }

    #[test]
    fn issue17_parse_unknown_instruction() {
        let e = err("FROM a\nFOO bar\n");
        assert_eq!(
            (e.line, e.message.as_str()),
            (2, "unknown instruction: FOO")
        );
        assert_eq!(
            err("FROM a\nfoo --x bar\n").message,
            "unknown instruction: foo"
        );
    }

    #[test]
    fn issue17_parse_simple_instructions() {
        assert_eq!(one("WORKDIR /a b"), Kind::Workdir("/a b".into()));
        assert_eq!(one("USER 1000:1000"), Kind::User("1000:1000".into()));
        assert_eq!(
            one("STOPSIGNAL SIGKILL"),
            Kind::StopSignal("SIGKILL".into())
        );
        assert_eq!(
            one("MAINTAINER Jo <jo@x>"),
            Kind::Maintainer("Jo <jo@x>".into())
        );
        assert_eq!(
            one("EXPOSE 80/tcp  443"),
            Kind::Expose(vec!["80/tcp".into(), "443".into()])
        );
        assert_eq!(
            one("VOLUME /a /b"),
            Kind::Volume(vec!["/a".into(), "/b".into()])
        );
        assert_eq!(one("VOLUME [\"/a b\"]"), Kind::Volume(vec!["/a b".into()]));
        assert_eq!(
            err_line("VOLUME [\" \"]"),
            "VOLUME specified can not be an empty string"
        );
        assert_eq!(err_line("WORKDIR"), "WORKDIR requires exactly one argument");
        assert_eq!(err_line("EXPOSE"), "EXPOSE requires at least one argument");
    }

    #[test]
    fn issue17_parse_healthcheck() {
        assert_eq!(one("HEALTHCHECK NONE"), Kind::Healthcheck(Health::None));
        assert_eq!(one("healthcheck none"), Kind::Healthcheck(Health::None));
        assert_eq!(
            one("HEALTHCHECK --interval=5s --retries=3 CMD curl -f http://x/ || exit 1"),
            Kind::Healthcheck(Health::Check {
                flags: vec![flag("interval", Some("5s")), flag("retries", Some("3"))],
                cmd: shell("curl -f http://x/ || exit 1"),
            })
        );
        assert_eq!(
            one("HEALTHCHECK cmd [\"true\"]"),
            Kind::Healthcheck(Health::Check {
                flags: vec![],
                cmd: exec(&["true"])
            })
        );
        assert_eq!(
            err_line("HEALTHCHECK NONE x"),
            "HEALTHCHECK NONE takes no arguments"
        );
        assert_eq!(
            err_line("HEALTHCHECK CMD"),
            "Missing command after HEALTHCHECK CMD"
        );
        assert_eq!(
            err_line("HEALTHCHECK foo bar"),
            "Unknown type \"FOO\" in HEALTHCHECK (try CMD)"
        );
        assert_eq!(
            err_line("HEALTHCHECK"),
            "HEALTHCHECK requires at least one argument"
        );
        assert_eq!(
            err_line("HEALTHCHECK --interval=1us CMD true"),
            "Interval \"interval\" cannot be less than 1ms"
        );
        assert_eq!(
            err_line("HEALTHCHECK --timeout=5 CMD true"),
            "time: missing unit in duration \"5\""
        );
        assert_eq!(
            err_line("HEALTHCHECK --retries=-1 CMD true"),
            "--retries cannot be negative (-1)"
        );
        assert_eq!(
            err_line("HEALTHCHECK --bogus=1 CMD true"),
            "unknown flag: --bogus"
        );
    }

    #[test]
    fn issue17_parse_onbuild() {
        assert_eq!(
            one("ONBUILD RUN echo hi"),
            Kind::Onbuild("RUN echo hi".into())
        );
        assert_eq!(one("onbuild   copy a b"), Kind::Onbuild("copy a b".into()));
        assert_eq!(
            err_line("ONBUILD ONBUILD RUN x"),
            "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"
        );
        assert_eq!(
            err_line("ONBUILD from x"),
            "FROM isn't allowed as an ONBUILD trigger"
        );
        assert_eq!(
            err_line("ONBUILD MAINTAINER me"),
            "MAINTAINER isn't allowed as an ONBUILD trigger"
        );
        assert_eq!(err_line("ONBUILD BOGUS x"), "unknown instruction: BOGUS");
        assert_eq!(
            err_line("ONBUILD COPY a"),
            "COPY requires at least two arguments, but only one was provided. Destination could not be determined"
        );
        assert_eq!(
            err_line("ONBUILD"),
            "ONBUILD requires at least one argument"
        );
        // A heredoc trigger keeps its body, un-chomped, in the text.
        let k = kinds("FROM a\nONBUILD RUN <<-EOF\n\techo hi\n\tEOF\nUSER x\n");
        assert_eq!(k[1], Kind::Onbuild("RUN <<-EOF\n\techo hi\nEOF".into()));
        assert_eq!(k[2], Kind::User("x".into()));
    }

    #[test]
    fn issue17_parse_heredoc_run() {
        let df = parse("FROM a\nRUN <<EOF\necho $HOME\n  indented\nEOF\nUSER me\n").unwrap();
        let run = &df.instructions[1];
        assert_eq!(run.original, "RUN <<EOF");
        assert_eq!(run.text, "RUN <<EOF");
        assert_eq!(
            run.kind,
            Kind::Run {
                flags: vec![],
                cmd: shell("<<EOF"),
                heredocs: vec![Heredoc {
                    name: "EOF".into(),
                    body: "echo $HOME\n  indented\n".into(),
                    expand: true
                }]
            }
        );
        assert_eq!(df.instructions[2].line, 6);
    }

    #[test]
    fn issue17_parse_heredoc_chomp_and_quotes() {
        let k = one("RUN <<-EOT bash\n\t\techo a\n\tb\t\n\tEOT");
        let Kind::Run { heredocs, cmd, .. } = k else {
            panic!()
        };
        assert_eq!(cmd, shell("<<-EOT bash"));
        assert_eq!(
            heredocs,
            vec![Heredoc {
                name: "EOT".into(),
                body: "echo a\nb\t\n".into(),
                expand: true
            }]
        );
        for quoted in ["<<\"EOF\"", "<<'EOF'", "<<-'EOF'", "<<E\"O\"F"] {
            let k = one(&format!("RUN cat {quoted}\n$X\nEOF"));
            let Kind::Run { heredocs, .. } = k else {
                panic!()
            };
            assert_eq!(
                heredocs,
                vec![Heredoc {
                    name: "EOF".into(),
                    body: "$X\n".into(),
                    expand: false
                }],
                "{quoted}"
            );
        }
    }

    #[test]
    fn issue17_parse_heredoc_two_on_one_line() {
        let k = kinds("FROM a\nRUN cat <<A && cat <<'B' > /f\none\nA\ntwo\nB\nUSER u\n");
        let Kind::Run { heredocs, cmd, .. } = &k[1] else {
            panic!()
        };
        assert_eq!(cmd, &shell("cat <<A && cat <<'B' > /f"));
        assert_eq!(heredocs.len(), 2);
        assert_eq!(
            (
                heredocs[0].name.as_str(),
                heredocs[0].body.as_str(),
                heredocs[0].expand
            ),
            ("A", "one\n", true)
        );
        assert_eq!(
            (
                heredocs[1].name.as_str(),
                heredocs[1].body.as_str(),
                heredocs[1].expand
            ),
            ("B", "two\n", false)
        );
        assert_eq!(k[2], Kind::User("u".into()));
    }

    #[test]
    fn issue17_parse_not_heredocs() {
        // Quoted, `<<<`, JSON form, and instructions that take none.
        let k = kinds(
            "FROM a\nRUN echo \"<<EOF\"\nRUN cat <<<word\nRUN [\"cat\", \"<<EOF\"]\nLABEL a=<<EOF\nUSER u\n",
        );
        assert_eq!(k.len(), 6);
        assert!(matches!(&k[1], Kind::Run { heredocs, .. } if heredocs.is_empty()));
        assert!(matches!(&k[2], Kind::Run { heredocs, .. } if heredocs.is_empty()));
        assert!(matches!(
            &k[3],
            Kind::Run {
                cmd: Command::Exec(_),
                ..
            }
        ));
        assert_eq!(k[5], Kind::User("u".into()));
        assert_eq!(
            err("FROM a\nRUN <<EOF\necho\n").message,
            "unterminated heredoc"
        );
    }

    #[test]
    fn issue17_parse_heredoc_copy() {
        let k = one("COPY --chmod=755 <<-\"EOF\" <<X /path/\n\t#!/bin/sh\n\tEOF\nx\nX");
        let Kind::Copy(c) = k else { panic!() };
        assert_eq!(c.sources, vec!["<<EOF".to_string(), "<<X".into()]);
        assert_eq!(c.dest, "/path/");
        let doc = c.heredoc("<<EOF").unwrap();
        assert_eq!((doc.body.as_str(), doc.expand), ("#!/bin/sh\n", false));
        let doc = c.heredoc("<<X").unwrap();
        assert_eq!((doc.body.as_str(), doc.expand), ("x\n", true));
        assert!(c.heredoc("/path/").is_none());
    }

    #[test]
    fn issue17_parse_helpers() {
        assert_eq!(chomp_tabs("\ta\n\t\tb\n c\n"), "a\nb\n c\n");
        assert_eq!(
            heredocs_from_line("RUN 3<<A cat <<-B x<<C \"<<D\" <<\"E F\"").unwrap(),
            vec![
                HeredocSpec {
                    name: "A".into(),
                    chomp: false,
                    expand: true
                },
                HeredocSpec {
                    name: "B".into(),
                    chomp: true,
                    expand: true
                },
                HeredocSpec {
                    name: "E F".into(),
                    chomp: false,
                    expand: false
                },
            ]
        );
        // An unterminated quote: no heredocs (BuildKit ignores the line).
        assert!(heredocs_from_line("RUN <<EOF \"x").unwrap().is_empty());
        assert_eq!(
            extract_flags("--a=\"x y\" --b 'c' rest --c", '\\'),
            (vec!["--a=x y".to_string(), "--b".into()], "'c' rest --c")
        );
        assert_eq!(
            parse_words("a \"b c\" d\\ e 'f\\'", '\\'),
            vec!["a", "\"b c\"", "d\\ e", "'f\\'"]
        );
    }
}
