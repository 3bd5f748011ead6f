//! A subset of Go's `text/template`, rendering over [`serde_json::Value`],
//! sized for Podman/Docker `--format` strings.
//!
//! # Contract
//!
//! Supported syntax:
//! - text and `{{ action }}`s, trim markers `{{- ` / ` -}}`, comments
//!   `{{/* ... */}}` (optionally with trim markers);
//! - operands: `.`, field chains `.A.B`, `$`, variables `$x` with field
//!   chains, `(pipeline).Field`, string (`"..."`, `` `...` ``), character
//!   (`'a'`, an integer), number, `true`/`false` and `nil` literals;
//! - pipelines with `|`, declarations `$x := ...`, assignments `$x = ...`,
//!   and `{{range $i, $e := ...}}`;
//! - `if` / `else if` / `else`, `with` / `else with` / `else`,
//!   `range` / `else` (over arrays, objects in stored key order, and
//!   non-negative integers), `break` and `continue`, all closed by `end`;
//! - functions `and or not eq ne lt le gt ge len index print printf println
//!   json upper lower title join split truncate contains`.
//!
//! Field lookup on an object tries the exact key first and then a
//! case-insensitive match, because Podman's JSON mixes `Id` and `ID` styles.
//! A missing key renders as `<no value>` and JSON `null` as `<nil>`, as Go
//! does for maps and nil pointers. Values print like Go's `fmt` (`%v`).
//!
//! Anything else (`define`, `template`, `block`, unknown functions, method
//! calls, custom delimiters, ...) is reported as a [`TemplateError`]; no
//! input, template or data, makes the module panic.
//!
//! Deliberate deviations, each chosen because JSON erases the Go types that
//! Podman's own templates see:
//! - `index` on a missing object key (or on `null`, Podman's nil map) yields
//!   `""`, matching Podman's `map[string]string` labels and annotations;
//! - `len` of `null` is 0, as for a nil Go map or slice;
//! - integers and floats compare with each other numerically;
//! - `%s` on numbers and booleans prints them as `%v` would, and
//!   string-taking functions accept numbers and booleans the same way;
//! - widths and precisions above 10000 are rejected as `%!(BADWIDTH)` /
//!   `%!(BADPREC)` (Go's limit is 10^6).
#![forbid(unsafe_code)]

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt::Write as _;
use std::rc::Rc;

use serde_json::{Map, Number, Value};

/// Nesting deeper than this is refused at parse time so that hostile input
/// cannot exhaust the stack in the recursive parser or evaluator.
const MAX_DEPTH: usize = 100;

/// Bounds printf widths and precisions so a format cannot request a huge
/// allocation (or exceed what `std::fmt` accepts for precision).
const MAX_WIDTH: usize = 10_000;

static NULL: Value = Value::Null;

/// The README's example runs as a doctest, so it cannot go stale.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// Errors from parsing or rendering a template.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The template text is malformed or uses unsupported syntax.
    #[error("template: parse error at byte {pos}: {msg}")]
    Parse { pos: usize, msg: String },
    /// The template is well formed but could not be applied to the data.
    #[error("template: execution error: {msg}")]
    Exec { msg: String },
}

fn perr(pos: usize, msg: impl Into<String>) -> TemplateError {
    TemplateError::Parse {
        pos,
        msg: msg.into(),
    }
}

/// A parsed template, reusable for any number of renders.
#[derive(Debug)]
pub struct Template {
    src: String,
    nodes: Vec<Node>,
}

impl Template {
    /// Parses `src`, rejecting unknown functions, undefined variables and
    /// unsupported syntax up front so that errors surface before any output.
    pub fn parse(src: &str) -> Result<Template, TemplateError> {
        let toks = lex(src)?;
        let mut parser = Parser {
            toks: &toks,
            i: 0,
            vars: vec!["$".to_string()],
            range_depth: 0,
            depth: 0,
        };
        let (nodes, end) = parser.parse_list()?;
        match end {
            ListEnd::Eof => Ok(Template {
                src: src.to_string(),
                nodes,
            }),
            ListEnd::End(pos) => Err(perr(pos, "unexpected {{end}}")),
            ListEnd::Else(pos) => Err(perr(pos, "unexpected {{else}}")),
        }
    }

    /// Renders the template with `data` as both `.` and `$`.
    pub fn render(&self, data: &serde_json::Value) -> Result<String, TemplateError> {
        let mut state = State {
            src: &self.src,
            vars: vec![("$", Val::Ref(data))],
            out: String::new(),
        };
        state.walk(&Val::Ref(data), &self.nodes)?;
        Ok(state.out)
    }
}

/// Podman's `table` prefix: `table {{.A}}\t{{.B}}` means "print a header line then rows".
/// Returns (is_table, template body without the "table " prefix).
pub fn strip_table(src: &str) -> (bool, &str) {
    match src.strip_prefix("table") {
        Some("") => (true, ""),
        Some(rest) => match rest.strip_prefix([' ', '\t']) {
            Some(body) => (true, body),
            // `tablefoo` is an ordinary template that happens to start with "table".
            None => (false, src),
        },
        None => (false, src),
    }
}

/// Expand the escapes Podman accepts in --format strings given on the command line: `\t` and `\n` written literally as backslash-t / backslash-n become tab / newline.
pub fn unescape(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut chars = src.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek() {
                Some('t') => {
                    chars.next();
                    out.push('\t');
                    continue;
                }
                Some('n') => {
                    chars.next();
                    out.push('\n');
                    continue;
                }
                _ => {}
            }
        }
        out.push(c);
    }
    out
}

// ---------------------------------------------------------------------------
// Lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Text(String),
    Open,
    Close,
    /// `.Name`, stored without the dot.
    Field(String),
    Dot,
    /// `$` or `$name`, stored with the dollar sign.
    Var(String),
    Ident(String),
    Str(String),
    Num(Number),
    Bool(bool),
    Nil,
    Pipe,
    LParen,
    RParen,
    Declare,
    Assign,
    Comma,
    Eof,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Text(_) => "text".into(),
            Tok::Open => "\"{{\"".into(),
            Tok::Close => "\"}}\"".into(),
            Tok::Field(f) => format!("<.{f}>"),
            Tok::Dot => "<.>".into(),
            Tok::Var(v) => format!("<{v}>"),
            Tok::Ident(i) => format!("<{i}>"),
            Tok::Str(s) => format!("{s:?}"),
            Tok::Num(n) => n.to_string(),
            Tok::Bool(b) => b.to_string(),
            Tok::Nil => "nil".into(),
            Tok::Pipe => "\"|\"".into(),
            Tok::LParen => "\"(\"".into(),
            Tok::RParen => "\")\"".into(),
            Tok::Declare => "\":=\"".into(),
            Tok::Assign => "\"=\"".into(),
            Tok::Comma => "\",\"".into(),
            Tok::Eof => "end of template".into(),
        }
    }
}

#[derive(Debug)]
struct Token {
    tok: Tok,
    pos: usize,
    /// Whether whitespace preceded the token; Go's grammar uses it to tell
    /// the chain `.A.B` from the two operands `.A .B`.
    spaced: bool,
}

static EOF: Token = Token {
    tok: Tok::Eof,
    pos: 0,
    spaced: false,
};

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

const SPACE_CHARS: [char; 4] = [' ', '\t', '\r', '\n'];

/// `- ` right after `{{`; Go requires the space so that `{{-3}}` stays a number.
fn has_left_trim(s: &str) -> bool {
    matches!(s.as_bytes(), [b'-', b' ' | b'\t' | b'\r' | b'\n', ..])
}

/// ` -}}`, a trimming close delimiter.
fn has_right_trim_close(s: &str) -> bool {
    matches!(
        s.as_bytes(),
        [b' ' | b'\t' | b'\r' | b'\n', b'-', b'}', b'}', ..]
    )
}

fn lex(src: &str) -> Result<Vec<Token>, TemplateError> {
    let mut toks = Vec::new();
    let mut pos = 0;
    let mut trim_next = false;
    loop {
        let open = src[pos..].find("{{").map(|i| pos + i);
        let text_end = open.unwrap_or(src.len());
        let mut text = &src[pos..text_end];
        if trim_next {
            text = text.trim_start_matches(SPACE_CHARS);
        }
        let left_trim = open.is_some_and(|o| has_left_trim(&src[o + 2..]));
        if left_trim {
            text = text.trim_end_matches(SPACE_CHARS);
        }
        if !text.is_empty() {
            toks.push(Token {
                tok: Tok::Text(text.to_string()),
                pos,
                spaced: false,
            });
        }
        let Some(open) = open else { break };
        pos = open + if left_trim { 4 } else { 2 };
        if src[pos..].starts_with("/*") {
            let Some(len) = src[pos + 2..].find("*/") else {
                return Err(perr(open, "unclosed comment"));
            };
            pos += 2 + len + 2;
            let rest = &src[pos..];
            if rest.starts_with("}}") {
                pos += 2;
                trim_next = false;
            } else if has_right_trim_close(rest) {
                pos += 4;
                trim_next = true;
            } else {
                return Err(perr(pos, "comment ends before closing delimiter"));
            }
            continue;
        }
        toks.push(Token {
            tok: Tok::Open,
            pos: open,
            spaced: false,
        });
        (pos, trim_next) = lex_action(src, pos, open, &mut toks)?;
    }
    toks.push(Token {
        tok: Tok::Eof,
        pos: src.len(),
        spaced: false,
    });
    Ok(toks)
}

/// Lexes the inside of one action; returns the position after its closing
/// delimiter and whether that delimiter asks to trim the following text.
fn lex_action(
    src: &str,
    mut pos: usize,
    open: usize,
    toks: &mut Vec<Token>,
) -> Result<(usize, bool), TemplateError> {
    let mut spaced = false;
    loop {
        let rest = &src[pos..];
        if rest.starts_with("}}") {
            toks.push(Token {
                tok: Tok::Close,
                pos,
                spaced,
            });
            return Ok((pos + 2, false));
        }
        if has_right_trim_close(rest) {
            toks.push(Token {
                tok: Tok::Close,
                pos,
                spaced: true,
            });
            return Ok((pos + 4, true));
        }
        let Some(c) = rest.chars().next() else {
            return Err(perr(open, "unclosed action"));
        };
        if is_space(c) {
            spaced = true;
            pos += 1;
            continue;
        }
        let (tok, len) = lex_token(rest, c).map_err(|msg| perr(pos, msg))?;
        toks.push(Token { tok, pos, spaced });
        spaced = false;
        pos += len;
    }
}

/// Lexes one token starting with `c` at the beginning of `rest`; returns it
/// with its length in bytes.
fn lex_token(rest: &str, c: char) -> Result<(Tok, usize), String> {
    match c {
        '|' => Ok((Tok::Pipe, 1)),
        '(' => Ok((Tok::LParen, 1)),
        ')' => Ok((Tok::RParen, 1)),
        ',' => Ok((Tok::Comma, 1)),
        '=' => Ok((Tok::Assign, 1)),
        ':' if rest.starts_with(":=") => Ok((Tok::Declare, 2)),
        ':' => Err("expected :=".into()),
        '"' => lex_quoted(rest),
        '`' => match rest[1..].find('`') {
            Some(i) => Ok((Tok::Str(rest[1..1 + i].to_string()), i + 2)),
            None => Err("unterminated raw quoted string".into()),
        },
        '\'' => lex_char(rest),
        '$' => {
            let n = 1 + name_len(&rest[1..]);
            check_terminator(rest, n)?;
            Ok((Tok::Var(rest[..n].to_string()), n))
        }
        '.' if rest[1..].starts_with(|d: char| d.is_ascii_digit()) => lex_number(rest),
        '.' => {
            let n = name_len(&rest[1..]);
            check_terminator(rest, 1 + n)?;
            let tok = if n == 0 {
                Tok::Dot
            } else {
                Tok::Field(rest[1..1 + n].to_string())
            };
            Ok((tok, 1 + n))
        }
        '+' | '-' | '0'..='9' => lex_number(rest),
        c if c.is_alphabetic() || c == '_' => {
            let n = name_len(rest);
            check_terminator(rest, n)?;
            let tok = match &rest[..n] {
                "true" => Tok::Bool(true),
                "false" => Tok::Bool(false),
                "nil" => Tok::Nil,
                word => Tok::Ident(word.to_string()),
            };
            Ok((tok, n))
        }
        c => Err(format!("unrecognized character in action: {c:?}")),
    }
}

fn name_len(s: &str) -> usize {
    s.char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
        .map_or(s.len(), |(i, _)| i)
}

/// Go rejects names glued to arbitrary punctuation (`.A!`), so do we.
fn check_terminator(rest: &str, n: usize) -> Result<(), String> {
    let after = &rest[n..];
    match after.chars().next() {
        None => Ok(()),
        Some(c)
            if is_space(c)
                || matches!(c, '.' | ',' | '|' | ':' | ')' | '(' | '=')
                || after.starts_with("}}") =>
        {
            Ok(())
        }
        Some(c) => Err(format!("bad character {c:?}")),
    }
}

fn lex_quoted(rest: &str) -> Result<(Tok, usize), String> {
    let mut out = String::new();
    let mut i = 1;
    loop {
        match rest[i..].chars().next() {
            None | Some('\n') => return Err("unterminated quoted string".into()),
            Some('"') => return Ok((Tok::Str(out), i + 1)),
            Some('\\') => {
                let (ch, n) = lex_escape(&rest[i + 1..])?;
                out.push(ch);
                i += 1 + n;
            }
            Some(c) => {
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
}

fn lex_char(rest: &str) -> Result<(Tok, usize), String> {
    let body = &rest[1..];
    let (ch, n) = match body.chars().next() {
        Some('\\') => {
            let (ch, n) = lex_escape(&body[1..])?;
            (ch, n + 1)
        }
        None | Some('\'' | '\n') => return Err("malformed character constant".into()),
        Some(c) => (c, c.len_utf8()),
    };
    if !body[n..].starts_with('\'') {
        return Err("malformed character constant".into());
    }
    Ok((Tok::Num(Number::from(u32::from(ch))), n + 2))
}

/// Decodes the escape sequence after a backslash; returns the character and
/// the number of bytes consumed.
fn lex_escape(s: &str) -> Result<(char, usize), String> {
    let Some(c) = s.chars().next() else {
        return Err("unterminated escape sequence".into());
    };
    let simple = match c {
        'a' => Some('\x07'),
        'b' => Some('\x08'),
        'f' => Some('\x0c'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'v' => Some('\x0b'),
        '\\' | '"' | '\'' => Some(c),
        _ => None,
    };
    if let Some(ch) = simple {
        return Ok((ch, 1));
    }
    let (skip, digits, radix) = match c {
        'x' => (1, 2, 16),
        'u' => (1, 4, 16),
        'U' => (1, 8, 16),
        '0'..='7' => (0, 3, 8),
        _ => return Err(format!("unknown escape sequence \\{c}")),
    };
    let bad = || format!("invalid escape sequence \\{c}");
    let text = s.get(skip..skip + digits).ok_or_else(bad)?;
    if !text.chars().all(|d| d.is_digit(radix)) {
        return Err(bad());
    }
    let code = u32::from_str_radix(text, radix).map_err(|_| bad())?;
    // Go's byte escapes can produce invalid UTF-8, which a Rust string cannot hold.
    if matches!(c, 'x' | '0'..='7') && code > 0x7f {
        let seq = s.get(..skip + digits).unwrap_or(text);
        return Err(format!("byte escape \\{seq} above 0x7f is not supported"));
    }
    let ch = char::from_u32(code).ok_or_else(bad)?;
    Ok((ch, skip + digits))
}

fn lex_number(rest: &str) -> Result<(Tok, usize), String> {
    let b = rest.as_bytes();
    let digit_run = |mut i: usize, ok: fn(u8) -> bool| {
        while b.get(i).is_some_and(|&c| ok(c) || c == b'_') {
            i += 1;
        }
        i
    };
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let mut radix = 10;
    if b.get(i) == Some(&b'0') {
        radix = match b.get(i + 1) {
            Some(b'x' | b'X') => 16,
            Some(b'o' | b'O') => 8,
            Some(b'b' | b'B') => 2,
            _ => 10,
        };
    }
    if radix != 10 {
        i = digit_run(i + 2, |c| c.is_ascii_hexdigit());
    } else {
        i = digit_run(i, |c| c.is_ascii_digit());
        if b.get(i) == Some(&b'.') {
            i = digit_run(i + 1, |c| c.is_ascii_digit());
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            i = digit_run(i, |c| c.is_ascii_digit());
        }
    }
    let text = &rest[..i];
    if let Some(c) = rest[i..].chars().next()
        && (c.is_alphanumeric() || c == '.')
    {
        return Err(format!(
            "bad number syntax: {:?}",
            &rest[..i + c.len_utf8()]
        ));
    }
    Ok((Tok::Num(parse_number(text, radix)?), i))
}

fn parse_number(text: &str, radix: u32) -> Result<Number, String> {
    let bad = || format!("bad number syntax: {text:?}");
    let range = || format!("number out of range: {text}");
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    let (neg, body) = match clean.strip_prefix('-') {
        Some(body) => (true, body),
        None => (false, clean.strip_prefix('+').unwrap_or(&clean)),
    };
    let int = |v: i128| -> Result<Number, String> {
        let v = if neg { -v } else { v };
        i64::try_from(v)
            .map(Number::from)
            .or_else(|_| u64::try_from(v).map(Number::from))
            .map_err(|_| range())
    };
    if radix != 10 {
        let digits = body.get(2..).unwrap_or("");
        if digits.is_empty() || !digits.chars().all(|d| d.is_digit(radix)) {
            return Err(bad());
        }
        return int(i128::from_str_radix(digits, radix).map_err(|_| range())?);
    }
    if !body.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return Err(bad());
    }
    if body.contains(['.', 'e', 'E']) {
        let f: f64 = body.parse().map_err(|_| bad())?;
        let f = if neg { -f } else { f };
        return Number::from_f64(f)
            .filter(|_| f.is_finite())
            .ok_or_else(range);
    }
    int(body.parse::<i128>().map_err(|_| range())?)
}

// ---------------------------------------------------------------------------
// Syntax tree and parser

#[derive(Debug)]
enum Node {
    Text(String),
    Action(Pipeline),
    If(Control),
    Range(Control),
    With(Control),
    Break,
    Continue,
}

#[derive(Debug)]
struct Control {
    pipe: Pipeline,
    list: Vec<Node>,
    else_list: Vec<Node>,
}

#[derive(Debug)]
struct Pipeline {
    decl: Vec<String>,
    is_assign: bool,
    cmds: Vec<Command>,
}

#[derive(Debug)]
struct Command {
    args: Vec<Arg>,
    /// Byte range of the command in the source, quoted in execution errors.
    span: (usize, usize),
}

#[derive(Debug)]
enum Arg {
    Dot,
    Nil,
    Lit(Value),
    Field(Vec<String>),
    Var(String, Vec<String>),
    Func(Func),
    Pipe(Box<Pipeline>, Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Func {
    And,
    Contains,
    Eq,
    Ge,
    Gt,
    Index,
    Join,
    Json,
    Le,
    Len,
    Lower,
    Lt,
    Ne,
    Not,
    Or,
    Print,
    Printf,
    Println,
    Split,
    Title,
    Truncate,
    Upper,
}

struct FuncDef {
    name: &'static str,
    func: Func,
    min: usize,
    max: Option<usize>,
}

const fn def(name: &'static str, func: Func, min: usize, max: Option<usize>) -> FuncDef {
    FuncDef {
        name,
        func,
        min,
        max,
    }
}

const FUNCS: &[FuncDef] = &[
    def("and", Func::And, 1, None),
    def("contains", Func::Contains, 2, Some(2)),
    def("eq", Func::Eq, 2, None),
    def("ge", Func::Ge, 2, Some(2)),
    def("gt", Func::Gt, 2, Some(2)),
    def("index", Func::Index, 1, None),
    def("join", Func::Join, 2, Some(2)),
    def("json", Func::Json, 1, Some(1)),
    def("le", Func::Le, 2, Some(2)),
    def("len", Func::Len, 1, Some(1)),
    def("lower", Func::Lower, 1, Some(1)),
    def("lt", Func::Lt, 2, Some(2)),
    def("ne", Func::Ne, 2, Some(2)),
    def("not", Func::Not, 1, Some(1)),
    def("or", Func::Or, 1, None),
    def("print", Func::Print, 0, None),
    def("printf", Func::Printf, 1, None),
    def("println", Func::Println, 0, None),
    def("split", Func::Split, 2, Some(2)),
    def("title", Func::Title, 1, Some(1)),
    def("truncate", Func::Truncate, 2, Some(2)),
    def("upper", Func::Upper, 1, Some(1)),
];

const KEYWORDS: &[&str] = &[
    "if", "else", "end", "range", "with", "break", "continue", "define", "template", "block",
];

fn func_def(f: Func) -> Option<&'static FuncDef> {
    FUNCS.iter().find(|d| d.func == f)
}

fn check_arity(f: Func, n: usize, pos: usize) -> Result<(), TemplateError> {
    let Some(d) = func_def(f) else { return Ok(()) };
    if n >= d.min && d.max.is_none_or(|m| n <= m) {
        return Ok(());
    }
    let want = match d.max {
        Some(m) if m == d.min => m.to_string(),
        Some(m) => format!("{} to {m}", d.min),
        None => format!("at least {}", d.min),
    };
    Err(perr(
        pos,
        format!("wrong number of args for {}: want {want} got {n}", d.name),
    ))
}

fn delim(word: &str) -> String {
    ["{{", word, "}}"].concat()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    If,
    Range,
    With,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::If => "if",
            Kind::Range => "range",
            Kind::With => "with",
        }
    }
}

/// How a list of nodes ended.
enum ListEnd {
    Eof,
    /// `{{end}}`, fully consumed.
    End(usize),
    /// `{{else`, with the rest of the action still unread.
    Else(usize),
}

struct Parser<'t> {
    toks: &'t [Token],
    i: usize,
    /// Variables in scope, innermost last; checked at parse time so that
    /// rendering never meets an undefined variable.
    vars: Vec<String>,
    range_depth: usize,
    depth: usize,
}

impl<'t> Parser<'t> {
    fn peek_at(&self, n: usize) -> &'t Token {
        let toks = self.toks;
        toks.get(self.i + n).or(toks.last()).unwrap_or(&EOF)
    }

    fn peek(&self) -> &'t Token {
        self.peek_at(0)
    }

    fn next(&mut self) -> &'t Token {
        let t = self.peek();
        if self.i < self.toks.len() {
            self.i += 1;
        }
        t
    }

    fn enter(&mut self, pos: usize) -> Result<(), TemplateError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(perr(pos, "template nesting too deep"));
        }
        Ok(())
    }

    fn expect_close(&mut self, ctx: &str) -> Result<(), TemplateError> {
        let t = self.next();
        match t.tok {
            Tok::Close => Ok(()),
            ref other => Err(perr(
                t.pos,
                format!("unexpected {} in {}", other.describe(), delim(ctx)),
            )),
        }
    }

    fn parse_list(&mut self) -> Result<(Vec<Node>, ListEnd), TemplateError> {
        let mut nodes = Vec::new();
        loop {
            let t = self.next();
            match &t.tok {
                Tok::Text(s) => nodes.push(Node::Text(s.clone())),
                Tok::Eof => return Ok((nodes, ListEnd::Eof)),
                Tok::Open => {
                    let kw = self.peek();
                    let word = match &kw.tok {
                        Tok::Ident(w) => w.as_str(),
                        _ => "",
                    };
                    match word {
                        "end" => {
                            self.next();
                            self.expect_close("end")?;
                            return Ok((nodes, ListEnd::End(t.pos)));
                        }
                        "else" => {
                            self.next();
                            return Ok((nodes, ListEnd::Else(t.pos)));
                        }
                        "if" | "range" | "with" => {
                            self.next();
                            let kind = match word {
                                "if" => Kind::If,
                                "range" => Kind::Range,
                                _ => Kind::With,
                            };
                            let control = self.parse_control(kind, t.pos)?;
                            nodes.push(match kind {
                                Kind::If => Node::If(control),
                                Kind::Range => Node::Range(control),
                                Kind::With => Node::With(control),
                            });
                        }
                        "break" | "continue" => {
                            self.next();
                            if self.range_depth == 0 {
                                return Err(perr(
                                    t.pos,
                                    format!("{} outside {{{{range}}}}", delim(word)),
                                ));
                            }
                            self.expect_close(word)?;
                            nodes.push(if word == "break" {
                                Node::Break
                            } else {
                                Node::Continue
                            });
                        }
                        "define" | "template" | "block" => {
                            return Err(perr(
                                kw.pos,
                                format!("{} actions are not supported", delim(word)),
                            ));
                        }
                        _ => nodes.push(Node::Action(self.parse_pipeline(
                            "command",
                            false,
                            &Tok::Close,
                        )?)),
                    }
                }
                other => return Err(perr(t.pos, format!("unexpected {}", other.describe()))),
            }
        }
    }

    fn parse_control(&mut self, kind: Kind, pos: usize) -> Result<Control, TemplateError> {
        self.enter(pos)?;
        let name = kind.name();
        let mark = self.vars.len();
        let pipe = self.parse_pipeline(name, kind == Kind::Range, &Tok::Close)?;
        let body_mark = self.vars.len();
        if kind == Kind::Range {
            self.range_depth += 1;
        }
        let (list, end) = self.parse_list()?;
        if kind == Kind::Range {
            self.range_depth -= 1;
        }
        // Variables declared in the body are not visible in the else branch.
        self.vars.truncate(body_mark);
        let unclosed = || {
            perr(
                pos,
                format!("unexpected EOF: {} without {{{{end}}}}", delim(name)),
            )
        };
        let else_list = match end {
            ListEnd::Eof => return Err(unclosed()),
            ListEnd::End(_) => Vec::new(),
            ListEnd::Else(else_pos) => {
                let t = self.peek();
                match &t.tok {
                    Tok::Close => {
                        self.next();
                        match self.parse_list()? {
                            (list, ListEnd::End(_)) => list,
                            (_, ListEnd::Eof) => return Err(unclosed()),
                            (_, ListEnd::Else(p)) => {
                                return Err(perr(p, "expected {{end}}; found {{else}}"));
                            }
                        }
                    }
                    Tok::Ident(w)
                        if (kind == Kind::If && w == "if")
                            || (kind == Kind::With && w == "with") =>
                    {
                        self.next();
                        // `{{else if x}}...{{end}}` shares its `{{end}}` with the outer
                        // control, so the nested parse consumes it for both.
                        let nested = self.parse_control(kind, else_pos)?;
                        vec![match kind {
                            Kind::If => Node::If(nested),
                            _ => Node::With(nested),
                        }]
                    }
                    other => {
                        return Err(perr(
                            t.pos,
                            format!("unexpected {} after {{{{else", other.describe()),
                        ));
                    }
                }
            }
        };
        self.vars.truncate(mark);
        self.depth -= 1;
        Ok(Control {
            pipe,
            list,
            else_list,
        })
    }

    fn parse_pipeline(
        &mut self,
        ctx: &str,
        is_range: bool,
        end: &Tok,
    ) -> Result<Pipeline, TemplateError> {
        let start = self.peek().pos;
        let mut decl = Vec::new();
        let mut is_assign = false;
        if let Tok::Var(v) = &self.peek().tok {
            let op = self.peek_at(1);
            match op.tok {
                Tok::Declare | Tok::Assign => {
                    is_assign = op.tok == Tok::Assign;
                    decl.push(v.clone());
                    self.i += 2;
                }
                Tok::Comma => {
                    if !is_range {
                        return Err(perr(op.pos, format!("too many declarations in {ctx}")));
                    }
                    self.i += 2;
                    let t = self.next();
                    let Tok::Var(v2) = &t.tok else {
                        return Err(perr(t.pos, "range can only initialize variables"));
                    };
                    let op2 = self.next();
                    match op2.tok {
                        Tok::Declare => {}
                        Tok::Assign => is_assign = true,
                        _ => {
                            return Err(perr(
                                op2.pos,
                                format!(
                                    "expected := after range variables, found {}",
                                    op2.tok.describe()
                                ),
                            ));
                        }
                    }
                    decl.push(v.clone());
                    decl.push(v2.clone());
                }
                _ => {}
            }
        }
        if is_assign && let Some(undefined) = decl.iter().find(|d| !self.vars.contains(d)) {
            return Err(perr(start, format!("undefined variable {undefined:?}")));
        }
        let mut cmds = Vec::new();
        loop {
            cmds.push(self.parse_command(ctx, cmds.len())?);
            if self.peek().tok != Tok::Pipe {
                break;
            }
            self.next();
        }
        let t = self.next();
        if t.tok != *end {
            return Err(match (&t.tok, end) {
                (Tok::Close | Tok::Eof, Tok::RParen) => perr(t.pos, "unclosed left paren"),
                (Tok::RParen, _) => perr(t.pos, "unexpected right paren"),
                (other, _) => perr(t.pos, format!("unexpected {} in {ctx}", other.describe())),
            });
        }
        // Declared only after the commands, so `$x := $x` cannot see itself.
        if !is_assign {
            self.vars.extend(decl.iter().cloned());
        }
        Ok(Pipeline {
            decl,
            is_assign,
            cmds,
        })
    }

    fn parse_command(&mut self, ctx: &str, index: usize) -> Result<Command, TemplateError> {
        let first = self.peek();
        let start = first.pos;
        let mut args = Vec::new();
        loop {
            let t = self.peek();
            if matches!(t.tok, Tok::Pipe | Tok::Close | Tok::RParen | Tok::Eof) {
                break;
            }
            if !args.is_empty() && !t.spaced {
                return Err(perr(
                    t.pos,
                    format!("unexpected {} in operand", t.tok.describe()),
                ));
            }
            args.push(self.parse_operand()?);
        }
        let span = (start, self.peek().pos);
        match args.first() {
            None => {
                let what = if index == 0 { ctx } else { "command" };
                return Err(perr(start, format!("missing value for {what}")));
            }
            Some(Arg::Func(f)) => check_arity(*f, args.len() - 1 + usize::from(index > 0), start)?,
            Some(Arg::Nil) => return Err(perr(start, "nil is not a command")),
            Some(_) if args.len() > 1 || index > 0 => {
                return Err(perr(
                    start,
                    format!(
                        "can't give argument to non-function {}",
                        first.tok.describe()
                    ),
                ));
            }
            Some(_) => {}
        }
        // A function named as an argument is called with no arguments, as in Go.
        for arg in args.iter().skip(1) {
            if let Arg::Func(f) = arg {
                check_arity(*f, 0, start)?;
            }
        }
        Ok(Command { args, span })
    }

    fn parse_operand(&mut self) -> Result<Arg, TemplateError> {
        let t = self.next();
        let mut arg = match &t.tok {
            Tok::Dot => Arg::Dot,
            Tok::Nil => Arg::Nil,
            Tok::Bool(b) => Arg::Lit(Value::Bool(*b)),
            Tok::Num(n) => Arg::Lit(Value::Number(n.clone())),
            Tok::Str(s) => Arg::Lit(Value::String(s.clone())),
            Tok::Field(f) => Arg::Field(vec![f.clone()]),
            Tok::Var(v) => {
                if !self.vars.contains(v) {
                    return Err(perr(t.pos, format!("undefined variable {v:?}")));
                }
                Arg::Var(v.clone(), Vec::new())
            }
            Tok::Ident(name) => {
                if KEYWORDS.contains(&name.as_str()) {
                    return Err(perr(t.pos, format!("unexpected <{name}> in command")));
                }
                match FUNCS.iter().find(|d| d.name == name) {
                    Some(d) => Arg::Func(d.func),
                    None => return Err(perr(t.pos, format!("function {name:?} not defined"))),
                }
            }
            Tok::LParen => {
                self.enter(t.pos)?;
                let pipe = self.parse_pipeline("parenthesized pipeline", false, &Tok::RParen)?;
                self.depth -= 1;
                Arg::Pipe(Box::new(pipe), Vec::new())
            }
            other => {
                return Err(perr(
                    t.pos,
                    format!("unexpected {} in operand", other.describe()),
                ));
            }
        };
        while let Some(next) = self.toks.get(self.i)
            && let Tok::Field(f) = &next.tok
            && !next.spaced
        {
            match &mut arg {
                Arg::Field(chain) | Arg::Var(_, chain) | Arg::Pipe(_, chain) => {
                    chain.push(f.clone());
                }
                _ => {
                    return Err(perr(
                        next.pos,
                        format!("unexpected .{f} after {}", t.tok.describe()),
                    ));
                }
            }
            self.i += 1;
        }
        Ok(arg)
    }
}

// ---------------------------------------------------------------------------
// Evaluation

/// A value during evaluation: borrowed from the data or the template where
/// possible, shared when computed, or the "no value" of a missing map key.
#[derive(Debug, Clone)]
enum Val<'a> {
    Missing,
    Ref(&'a Value),
    Own(Rc<Value>),
}

impl<'a> Val<'a> {
    fn own(v: Value) -> Self {
        Val::Own(Rc::new(v))
    }

    fn value(&self) -> &Value {
        match self {
            Val::Missing => &NULL,
            Val::Ref(v) => v,
            Val::Own(v) => v,
        }
    }

    fn field(&self, name: &str) -> Result<Val<'a>, String> {
        match self {
            Val::Missing => Ok(Val::Missing),
            Val::Ref(v) => Ok(lookup_field(v, name)?.map_or(Val::Missing, Val::Ref)),
            Val::Own(v) => Ok(lookup_field(v, name)?.map_or(Val::Missing, |f| Val::own(f.clone()))),
        }
    }
}

fn lookup_field<'v>(v: &'v Value, name: &str) -> Result<Option<&'v Value>, String> {
    match v {
        Value::Object(m) => Ok(m.get(name).or_else(|| {
            m.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })),
        Value::Null => Err(format!("nil pointer evaluating interface {{}}.{name}")),
        other => Err(format!(
            "can't evaluate field {name} in type {}",
            type_name(other)
        )),
    }
}

enum Flow {
    Normal,
    Break,
    Continue,
}

struct State<'a> {
    src: &'a str,
    vars: Vec<(&'a str, Val<'a>)>,
    out: String,
}

impl<'a> State<'a> {
    fn err_at(&self, cmd: &Command, msg: &str) -> TemplateError {
        let snippet = self.src.get(cmd.span.0..cmd.span.1).unwrap_or("").trim();
        TemplateError::Exec {
            msg: format!("at <{snippet}>: {msg}"),
        }
    }

    fn walk(&mut self, dot: &Val<'a>, nodes: &'a [Node]) -> Result<Flow, TemplateError> {
        for node in nodes {
            let flow = match node {
                Node::Text(s) => {
                    self.out.push_str(s);
                    Flow::Normal
                }
                Node::Action(pipe) => {
                    let v = self.eval_pipeline(dot, pipe)?;
                    if pipe.decl.is_empty() {
                        print_top(&mut self.out, &v);
                    }
                    Flow::Normal
                }
                Node::If(c) | Node::With(c) => {
                    let mark = self.vars.len();
                    let v = self.eval_pipeline(dot, &c.pipe)?;
                    let flow = if !truth(v.value()) {
                        self.walk(dot, &c.else_list)?
                    } else if matches!(node, Node::With(_)) {
                        self.walk(&v, &c.list)?
                    } else {
                        self.walk(dot, &c.list)?
                    };
                    self.vars.truncate(mark);
                    flow
                }
                Node::Range(c) => self.walk_range(dot, c)?,
                Node::Break => Flow::Break,
                Node::Continue => Flow::Continue,
            };
            if !matches!(flow, Flow::Normal) {
                return Ok(flow);
            }
        }
        Ok(Flow::Normal)
    }

    fn walk_range(&mut self, dot: &Val<'a>, c: &'a Control) -> Result<Flow, TemplateError> {
        let mark = self.vars.len();
        let v = self.eval_pipeline(dot, &c.pipe)?;
        let inner = self.vars.len();
        let ran = match &v {
            Val::Missing => false,
            Val::Ref(r) => self.range_over(c, inner, r, Val::Ref)?,
            Val::Own(rc) => self.range_over(c, inner, rc, |e| Val::own(e.clone()))?,
        };
        // An else branch may still `break` out of an enclosing range.
        let flow = if ran {
            Flow::Normal
        } else {
            self.walk(dot, &c.else_list)?
        };
        self.vars.truncate(mark);
        Ok(flow)
    }

    /// Runs the body once per element; returns whether it ran at all.
    fn range_over<'v>(
        &mut self,
        c: &'a Control,
        inner: usize,
        v: &'v Value,
        wrap: impl Fn(&'v Value) -> Val<'a>,
    ) -> Result<bool, TemplateError> {
        let mut ran = false;
        match v {
            Value::Array(items) => {
                for (i, e) in items.iter().enumerate() {
                    ran = true;
                    if self.iteration(c, inner, Val::own(Value::from(i)), wrap(e))? {
                        break;
                    }
                }
            }
            Value::Object(m) => {
                for (k, e) in m {
                    ran = true;
                    if self.iteration(c, inner, Val::own(Value::String(k.clone())), wrap(e))? {
                        break;
                    }
                }
            }
            Value::Number(n) => {
                let Some(count) = n.as_i64() else {
                    return Err(exec(format!("range can't iterate over {n}")));
                };
                if c.pipe.decl.len() > 1 {
                    return Err(exec(format!(
                        "can't use {} to iterate over more than one variable",
                        n
                    )));
                }
                for i in 0..count {
                    ran = true;
                    let iv = Val::own(Value::from(i));
                    if self.iteration(c, inner, iv.clone(), iv)? {
                        break;
                    }
                }
            }
            Value::Null => {}
            other => {
                return Err(exec(format!(
                    "range can't iterate over {}",
                    sprint(&[other])
                )));
            }
        }
        Ok(ran)
    }

    /// One range iteration; returns true on `{{break}}`.
    fn iteration(
        &mut self,
        c: &'a Control,
        inner: usize,
        key: Val<'a>,
        elem: Val<'a>,
    ) -> Result<bool, TemplateError> {
        match c.pipe.decl.as_slice() {
            [e] => self.assign(e, elem.clone())?,
            [k, e] => {
                self.assign(k, key)?;
                self.assign(e, elem.clone())?;
            }
            _ => {}
        }
        let flow = self.walk(&elem, &c.list)?;
        self.vars.truncate(inner);
        Ok(matches!(flow, Flow::Break))
    }

    fn assign(&mut self, name: &str, v: Val<'a>) -> Result<(), TemplateError> {
        match self.vars.iter_mut().rev().find(|(n, _)| *n == name) {
            Some(slot) => {
                slot.1 = v;
                Ok(())
            }
            None => Err(exec(format!("undefined variable: {name}"))),
        }
    }

    fn eval_pipeline(
        &mut self,
        dot: &Val<'a>,
        pipe: &'a Pipeline,
    ) -> Result<Val<'a>, TemplateError> {
        let mut val = None;
        for cmd in &pipe.cmds {
            val = Some(self.eval_command(dot, cmd, val.take())?);
        }
        let val = val.unwrap_or(Val::Missing);
        for name in &pipe.decl {
            if pipe.is_assign {
                self.assign(name, val.clone())?;
            } else {
                self.vars.push((name, val.clone()));
            }
        }
        Ok(val)
    }

    fn eval_command(
        &mut self,
        dot: &Val<'a>,
        cmd: &'a Command,
        piped: Option<Val<'a>>,
    ) -> Result<Val<'a>, TemplateError> {
        match cmd.args.split_first() {
            Some((Arg::Func(f), args)) => self.call(dot, *f, args, piped, cmd),
            Some((arg, _)) => self.eval_arg(dot, arg, cmd),
            None => Ok(Val::Missing),
        }
    }

    fn eval_arg(
        &mut self,
        dot: &Val<'a>,
        arg: &'a Arg,
        cmd: &'a Command,
    ) -> Result<Val<'a>, TemplateError> {
        let (base, chain) = match arg {
            Arg::Dot => return Ok(dot.clone()),
            Arg::Nil => return Ok(Val::Ref(&NULL)),
            Arg::Lit(v) => return Ok(Val::Ref(v)),
            Arg::Func(f) => return self.call(dot, *f, &[], None, cmd),
            Arg::Field(chain) => (dot.clone(), chain),
            Arg::Var(name, chain) => {
                let found = self.vars.iter().rev().find(|(n, _)| n == name);
                match found {
                    Some((_, v)) => (v.clone(), chain),
                    None => return Err(self.err_at(cmd, &format!("undefined variable: {name}"))),
                }
            }
            Arg::Pipe(pipe, chain) => (self.eval_pipeline(dot, pipe)?, chain),
        };
        chain.iter().try_fold(base, |v, name| {
            v.field(name).map_err(|msg| self.err_at(cmd, &msg))
        })
    }

    fn call(
        &mut self,
        dot: &Val<'a>,
        f: Func,
        args: &'a [Arg],
        piped: Option<Val<'a>>,
        cmd: &'a Command,
    ) -> Result<Val<'a>, TemplateError> {
        if matches!(f, Func::And | Func::Or) {
            // Go evaluates and/or lazily: later operands may be invalid when
            // an earlier one decides the result (`and .X .X.Y`).
            let stop_on = f == Func::Or;
            let mut last = Val::Missing;
            for arg in args {
                let v = self.eval_arg(dot, arg, cmd)?;
                if truth(v.value()) == stop_on {
                    return Ok(v);
                }
                last = v;
            }
            return Ok(piped.unwrap_or(last));
        }
        let mut vals = Vec::with_capacity(args.len() + 1);
        for arg in args {
            vals.push(self.eval_arg(dot, arg, cmd)?);
        }
        vals.extend(piped);
        call_builtin(f, vals).map_err(|msg| self.err_at(cmd, &msg))
    }
}

fn exec(msg: String) -> TemplateError {
    TemplateError::Exec { msg }
}

fn print_top(out: &mut String, v: &Val<'_>) {
    match v {
        Val::Missing => out.push_str("<no value>"),
        other => fmt_arg(out, other.value(), &Spec::verb('v'), 0),
    }
}

fn truth(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(n) if as_int(n).is_some() => "int",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

fn as_int(n: &Number) -> Option<i128> {
    n.as_i64()
        .map(i128::from)
        .or_else(|| n.as_u64().map(i128::from))
}

// ---------------------------------------------------------------------------
// Built-in functions

fn call_builtin<'a>(f: Func, args: Vec<Val<'a>>) -> Result<Val<'a>, String> {
    match f {
        Func::Index => return index(args),
        Func::And | Func::Or => {
            // `State::call` normally evaluates these lazily; given already
            // evaluated operands the result is the same.
            let stop_on = f == Func::Or;
            let mut last = Val::Missing;
            for v in args {
                if truth(v.value()) == stop_on {
                    return Ok(v);
                }
                last = v;
            }
            return Ok(last);
        }
        _ => {}
    }
    let vals: Vec<&Value> = args.iter().map(Val::value).collect();
    let arg = |i: usize| vals.get(i).copied().unwrap_or(&NULL);
    let string = |s: String| Val::own(Value::String(s));
    let boolean = |b: bool| Val::own(Value::Bool(b));
    Ok(match f {
        Func::Len => Val::own(Value::from(go_len(arg(0))?)),
        Func::Json => {
            let mut s = String::new();
            write_json(&mut s, arg(0));
            string(s)
        }
        Func::Printf => string(sprintf(&to_str(arg(0))?, vals.get(1..).unwrap_or(&[]))),
        Func::Print => string(sprint(&vals)),
        Func::Println => string(sprintln(&vals)),
        Func::Eq => {
            let mut found = false;
            for other in vals.iter().skip(1) {
                if basic_eq(arg(0), other)? {
                    found = true;
                    break;
                }
            }
            boolean(found)
        }
        Func::Ne => boolean(!basic_eq(arg(0), arg(1))?),
        Func::Lt => boolean(compare(arg(0), arg(1))? == Ordering::Less),
        Func::Le => boolean(compare(arg(0), arg(1))? != Ordering::Greater),
        Func::Gt => boolean(compare(arg(0), arg(1))? == Ordering::Greater),
        Func::Ge => boolean(compare(arg(0), arg(1))? != Ordering::Less),
        Func::Not => boolean(!truth(arg(0))),
        Func::Upper => string(to_str(arg(0))?.to_uppercase()),
        Func::Lower => string(to_str(arg(0))?.to_lowercase()),
        Func::Title => string(go_title(&to_str(arg(0))?)),
        Func::Join => string(join(arg(0), &to_str(arg(1))?)?),
        Func::Split => {
            let s = to_str(arg(0))?;
            let sep = to_str(arg(1))?;
            let parts: Vec<Value> = if sep.is_empty() {
                s.chars().map(|c| Value::String(c.to_string())).collect()
            } else {
                s.split(sep.as_ref())
                    .map(|p| Value::String(p.to_string()))
                    .collect()
            };
            Val::own(Value::Array(parts))
        }
        Func::Truncate => {
            let s = to_str(arg(0))?;
            let n = match arg(1) {
                Value::Number(n) => as_int(n).and_then(|i| usize::try_from(i).ok()),
                _ => None,
            };
            let Some(n) = n else {
                return Err(format!(
                    "truncate: length must be a non-negative integer, got {}",
                    sprint(&[arg(1)])
                ));
            };
            string(s.chars().take(n).collect())
        }
        Func::Contains => boolean(to_str(arg(0))?.contains(to_str(arg(1))?.as_ref())),
        // Dispatched above, before the arguments were borrowed as values.
        Func::Index | Func::And | Func::Or => Val::Missing,
    })
}

/// Strings pass through; numbers and booleans are printed as `%v` would.
fn to_str(v: &Value) -> Result<Cow<'_, str>, String> {
    match v {
        Value::String(s) => Ok(Cow::Borrowed(s)),
        Value::Number(_) | Value::Bool(_) => Ok(Cow::Owned(sprint(&[v]))),
        other => Err(format!(
            "wrong type for value; expected string; got {}",
            type_name(other)
        )),
    }
}

fn go_len(v: &Value) -> Result<usize, String> {
    match v {
        Value::String(s) => Ok(s.len()),
        Value::Array(a) => Ok(a.len()),
        Value::Object(m) => Ok(m.len()),
        Value::Null => Ok(0),
        other => Err(format!("len of type {}", type_name(other))),
    }
}

fn join(list: &Value, sep: &str) -> Result<String, String> {
    match list {
        Value::Null => Ok(String::new()),
        Value::Array(items) => {
            let parts = items.iter().map(to_str).collect::<Result<Vec<_>, _>>()?;
            Ok(parts.join(sep))
        }
        other => Err(format!(
            "wrong type for value; expected []string; got {}",
            type_name(other)
        )),
    }
}

/// Go's deprecated `strings.Title`, which Podman's `title` still uses.
fn go_title(s: &str) -> String {
    let is_sep = |c: char| {
        if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '_')
        } else if c.is_alphanumeric() {
            false
        } else {
            c.is_whitespace()
        }
    };
    let mut out = String::with_capacity(s.len());
    let mut prev = ' ';
    for c in s.chars() {
        if is_sep(prev) {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev = c;
    }
    out
}

fn index(args: Vec<Val<'_>>) -> Result<Val<'_>, String> {
    let mut it = args.into_iter();
    let Some(mut cur) = it.next() else {
        return Err("index of nothing".into());
    };
    let absent = || Val::own(Value::String(String::new()));
    for key in it {
        let key = key.value();
        cur = match cur {
            Val::Missing => index_value(&NULL, key)?.map_or_else(absent, Val::Ref),
            Val::Ref(v) => index_value(v, key)?.map_or_else(absent, Val::Ref),
            Val::Own(v) => index_value(&v, key)?.map_or_else(absent, |e| Val::own(e.clone())),
        };
    }
    Ok(cur)
}

/// `Ok(None)` means "absent map key", which renders as the empty string
/// because Podman's indexable maps (labels, annotations) hold strings.
fn index_value<'v>(item: &'v Value, key: &Value) -> Result<Option<&'v Value>, String> {
    let int_key = || match key {
        Value::Number(n) => as_int(n)
            .ok_or_else(|| format!("cannot index slice/array with type {}", type_name(key))),
        _ => Err(format!(
            "cannot index slice/array with type {}",
            type_name(key)
        )),
    };
    match item {
        Value::Array(items) => {
            let i = int_key()?;
            usize::try_from(i)
                .ok()
                .and_then(|u| items.get(u))
                .map(Some)
                .ok_or_else(|| format!("index out of range: {i}"))
        }
        Value::Object(m) => match key {
            Value::String(k) => Ok(m.get(k)),
            other => Err(format!("cannot index map with type {}", type_name(other))),
        },
        Value::Null => match key {
            Value::String(_) => Ok(None),
            _ => Err(format!("index out of range: {}", sprint(&[key]))),
        },
        Value::String(_) => Err("index of string is not supported".into()),
        other => Err(format!("can't index item of type {}", type_name(other))),
    }
}

fn num_cmp(x: &Number, y: &Number) -> Ordering {
    match (as_int(x), as_int(y)) {
        (Some(a), Some(b)) => a.cmp(&b),
        _ => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
    }
}

fn basic_eq(a: &Value, b: &Value) -> Result<bool, String> {
    match (a, b) {
        (Value::Null, Value::Null) => Ok(true),
        (Value::Null, _) | (_, Value::Null) => Ok(false),
        (Value::Bool(x), Value::Bool(y)) => Ok(x == y),
        (Value::Number(x), Value::Number(y)) => Ok(num_cmp(x, y) == Ordering::Equal),
        (Value::String(x), Value::String(y)) => Ok(x == y),
        (Value::Array(_) | Value::Object(_), _) | (_, Value::Array(_) | Value::Object(_)) => Err(
            format!("non-comparable types {} and {}", type_name(a), type_name(b)),
        ),
        _ => Err(format!(
            "incompatible types for comparison: {} and {}",
            type_name(a),
            type_name(b)
        )),
    }
}

fn compare(a: &Value, b: &Value) -> Result<Ordering, String> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => Ok(num_cmp(x, y)),
        (Value::String(x), Value::String(y)) => Ok(x.cmp(y)),
        (Value::Number(_) | Value::String(_), Value::Number(_) | Value::String(_)) => Err(format!(
            "incompatible types for comparison: {} and {}",
            type_name(a),
            type_name(b)
        )),
        _ => Err(format!(
            "invalid type for comparison: {} and {}",
            type_name(a),
            type_name(b)
        )),
    }
}

// ---------------------------------------------------------------------------
// Go fmt emulation

#[derive(Debug, Default)]
struct Spec {
    minus: bool,
    plus: bool,
    space: bool,
    zero: bool,
    sharp: bool,
    width: Option<usize>,
    prec: Option<usize>,
    verb: char,
}

impl Spec {
    fn verb(verb: char) -> Spec {
        Spec {
            verb,
            ..Spec::default()
        }
    }
}

/// `fmt.Sprint`: a space goes between operands when neither is a string.
fn sprint(vals: &[&Value]) -> String {
    let mut out = String::new();
    let mut prev_string = false;
    for (i, v) in vals.iter().enumerate() {
        let is_string = matches!(v, Value::String(_));
        if i > 0 && !is_string && !prev_string {
            out.push(' ');
        }
        fmt_arg(&mut out, v, &Spec::verb('v'), 0);
        prev_string = is_string;
    }
    out
}

fn sprintln(vals: &[&Value]) -> String {
    let mut out = String::new();
    for (i, v) in vals.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        fmt_arg(&mut out, v, &Spec::verb('v'), 0);
    }
    out.push('\n');
    out
}

/// Reads a decimal number; `Err(())` if it exceeds [`MAX_WIDTH`].
fn read_num(cs: &[char], i: &mut usize) -> Result<Option<usize>, ()> {
    let mut n: Option<usize> = None;
    while let Some(d) = cs.get(*i).and_then(|c| c.to_digit(10)) {
        let v = n.unwrap_or(0).saturating_mul(10).saturating_add(d as usize);
        n = Some(v);
        *i += 1;
    }
    match n {
        Some(v) if v > MAX_WIDTH => Err(()),
        other => Ok(other),
    }
}

fn sprintf(format: &str, args: &[&Value]) -> String {
    let cs: Vec<char> = format.chars().collect();
    let mut out = String::new();
    let mut argi = 0;
    let mut i = 0;
    while let Some(&c) = cs.get(i) {
        i += 1;
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        while let Some(&flag) = cs.get(i) {
            match flag {
                '-' => spec.minus = true,
                '+' => spec.plus = true,
                ' ' => spec.space = true,
                '0' => spec.zero = true,
                '#' => spec.sharp = true,
                _ => break,
            }
            i += 1;
        }
        match read_num(&cs, &mut i) {
            Ok(w) => spec.width = w,
            Err(()) => out.push_str("%!(BADWIDTH)"),
        }
        if cs.get(i) == Some(&'.') {
            i += 1;
            match read_num(&cs, &mut i) {
                Ok(p) => spec.prec = Some(p.unwrap_or(0)),
                Err(()) => out.push_str("%!(BADPREC)"),
            }
        }
        let Some(&verb) = cs.get(i) else {
            out.push_str("%!(NOVERB)");
            break;
        };
        i += 1;
        if verb == '%' {
            out.push('%');
            continue;
        }
        spec.verb = verb;
        match args.get(argi) {
            Some(arg) => {
                argi += 1;
                fmt_arg(&mut out, arg, &spec, 0);
            }
            None => {
                let _ = write!(out, "%!{verb}(MISSING)");
            }
        }
    }
    if let Some(extra) = args.get(argi..).filter(|e| !e.is_empty()) {
        out.push_str("%!(EXTRA ");
        for (k, a) in extra.iter().enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            if !a.is_null() {
                out.push_str(type_name(a));
                out.push('=');
            }
            fmt_arg(&mut out, a, &Spec::verb('v'), 0);
        }
        out.push(')');
    }
    out
}

fn bad_verb(out: &mut String, verb: char, v: &Value) {
    let _ = write!(out, "%!{verb}(");
    if !v.is_null() {
        out.push_str(type_name(v));
        out.push('=');
    }
    fmt_arg(out, v, &Spec::verb('v'), 1);
    out.push(')');
}

/// Formats one operand like Go's fmt: containers apply the verb to each
/// element, scalars are padded to the width.
fn fmt_arg(out: &mut String, v: &Value, spec: &Spec, depth: usize) {
    match v {
        Value::Array(items) => {
            out.push('[');
            for (i, e) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                fmt_arg(out, e, spec, depth + 1);
            }
            out.push(']');
        }
        Value::Object(m) => fmt_map(out, m, spec, depth),
        Value::Null if spec.verb == 'v' || depth > 0 => pad(out, "", "<nil>", spec, false),
        Value::Null => bad_verb(out, spec.verb, v),
        Value::Bool(b) => match spec.verb {
            't' | 'v' | 's' => pad(out, "", if *b { "true" } else { "false" }, spec, false),
            verb => bad_verb(out, verb, v),
        },
        Value::String(s) => {
            let s = match spec.prec {
                Some(p) => s.chars().take(p).collect::<String>(),
                None => s.clone(),
            };
            match spec.verb {
                'v' | 's' => pad(out, "", &s, spec, true),
                'q' => pad(out, "", &go_quote(&s, '"'), spec, true),
                'x' | 'X' => {
                    let mut hex = String::new();
                    if spec.sharp {
                        hex.push_str(if spec.verb == 'x' { "0x" } else { "0X" });
                    }
                    for b in s.bytes() {
                        let _ = if spec.verb == 'x' {
                            write!(hex, "{b:02x}")
                        } else {
                            write!(hex, "{b:02X}")
                        };
                    }
                    pad(out, "", &hex, spec, true);
                }
                verb => bad_verb(out, verb, v),
            }
        }
        Value::Number(n) => match as_int(n) {
            Some(i) => fmt_int(out, i, spec, v),
            None => fmt_float(out, n.as_f64().unwrap_or(0.0), spec, v),
        },
    }
}

fn fmt_map(out: &mut String, m: &Map<String, Value>, spec: &Spec, depth: usize) {
    // Go's fmt prints map keys sorted, independent of insertion order.
    let mut entries: Vec<(&String, &Value)> = m.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    out.push_str("map[");
    for (i, (k, val)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        fmt_arg(out, &Value::String(k.clone()), spec, depth + 1);
        out.push(':');
        fmt_arg(out, val, spec, depth + 1);
    }
    out.push(']');
}

/// Writes `sign` + `body` padded to the width; zero padding goes between the
/// sign and the digits, as Go does for numbers.
fn pad(out: &mut String, sign: &str, body: &str, spec: &Spec, zero_ok: bool) {
    let len = sign.chars().count() + body.chars().count();
    let fill = spec.width.unwrap_or(0).saturating_sub(len);
    if fill == 0 {
        out.push_str(sign);
        out.push_str(body);
    } else if spec.minus {
        out.push_str(sign);
        out.push_str(body);
        out.extend(std::iter::repeat_n(' ', fill));
    } else if spec.zero && zero_ok {
        out.push_str(sign);
        out.extend(std::iter::repeat_n('0', fill));
        out.push_str(body);
    } else {
        out.extend(std::iter::repeat_n(' ', fill));
        out.push_str(sign);
        out.push_str(body);
    }
}

fn sign_of(neg: bool, spec: &Spec) -> &'static str {
    if neg {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    }
}

fn char_of(i: i128) -> char {
    u32::try_from(i)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or('\u{FFFD}')
}

fn fmt_int(out: &mut String, i: i128, spec: &Spec, v: &Value) {
    let mag = i.unsigned_abs();
    let (mut digits, prefix) = match spec.verb {
        'd' | 'v' | 's' => (mag.to_string(), ""),
        'x' => (format!("{mag:x}"), "0x"),
        'X' => (format!("{mag:X}"), "0X"),
        'o' => (format!("{mag:o}"), "0"),
        'b' => (format!("{mag:b}"), "0b"),
        'c' => return pad(out, "", &char_of(i).to_string(), spec, true),
        'q' => {
            return pad(
                out,
                "",
                &go_quote(&char_of(i).to_string(), '\''),
                spec,
                true,
            );
        }
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => return fmt_float(out, i as f64, spec, v),
        verb => return bad_verb(out, verb, v),
    };
    if let Some(p) = spec.prec
        && digits.len() < p
    {
        digits = "0".repeat(p - digits.len()) + &digits;
    }
    if spec.sharp {
        digits = format!("{prefix}{digits}");
    }
    // Go ignores the 0 flag when an integer precision is given.
    pad(
        out,
        sign_of(i < 0, spec),
        &digits,
        spec,
        spec.prec.is_none(),
    );
}

fn fmt_float(out: &mut String, f: f64, spec: &Spec, v: &Value) {
    let body = match spec.verb {
        'v' | 's' | 'g' | 'G' => fmt_g(f.abs(), spec.prec),
        'e' | 'E' => fmt_e(f.abs(), spec.prec.unwrap_or(6)),
        'f' | 'F' => format!("{:.*}", spec.prec.unwrap_or(6), f.abs()),
        'd' if f.fract() == 0.0 && f.abs() < 1e18 => {
            return fmt_int(out, f as i128, &Spec { verb: 'd', ..*spec }, v);
        }
        verb => return bad_verb(out, verb, v),
    };
    let body = if matches!(spec.verb, 'E' | 'G') {
        body.to_uppercase()
    } else {
        body
    };
    pad(out, sign_of(f.is_sign_negative(), spec), &body, spec, true);
}

/// Splits Rust's `{:e}` output into mantissa and exponent.
fn split_exp(s: &str) -> Option<(&str, i32)> {
    let (mant, exp) = s.split_once('e')?;
    Some((mant, exp.parse().ok()?))
}

/// Go writes exponents with a sign and at least two digits (`e+06`).
fn go_exp(exp: i32) -> String {
    format!(
        "e{}{:02}",
        if exp < 0 { '-' } else { '+' },
        exp.unsigned_abs()
    )
}

fn fmt_e(f: f64, prec: usize) -> String {
    let s = format!("{f:.prec$e}");
    match split_exp(&s) {
        Some((mant, exp)) => format!("{mant}{}", go_exp(exp)),
        None => s,
    }
}

/// Go's `%g`/`%v` for a non-negative float.
fn fmt_g(f: f64, prec: Option<usize>) -> String {
    match prec {
        None => {
            let s = format!("{f:e}");
            match split_exp(&s) {
                // Go switches to exponent form at 1e6 for the shortest representation.
                Some((mant, exp)) if !(-4..6).contains(&exp) => format!("{mant}{}", go_exp(exp)),
                _ => format!("{f}"),
            }
        }
        Some(p) => {
            let p = p.max(1);
            let s = format!("{:.*e}", p - 1, f);
            let Some((mant, exp)) = split_exp(&s) else {
                return s;
            };
            let trim = |m: &str| -> String {
                if m.contains('.') {
                    m.trim_end_matches('0').trim_end_matches('.').to_string()
                } else {
                    m.to_string()
                }
            };
            if exp < -4 || i64::from(exp) >= p as i64 {
                format!("{}{}", trim(mant), go_exp(exp))
            } else {
                let decimals = usize::try_from(i64::from(p as i32 - 1 - exp)).unwrap_or(0);
                trim(&format!("{f:.decimals$}"))
            }
        }
    }
}

/// `strconv.Quote` (or `QuoteRune` with `'`).
fn go_quote(s: &str, quote: char) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\x7f' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if c.is_control() => {
                let _ = if (c as u32) < 0x10000 {
                    write!(out, "\\u{:04x}", c as u32)
                } else {
                    write!(out, "\\U{:08x}", c as u32)
                };
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Compact JSON as Podman's `json` function emits it (Go's encoder with
/// HTML escaping off): Go's float spelling and string escapes.
fn write_json(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match as_int(n) {
            Some(i) => {
                let _ = write!(out, "{i}");
            }
            None => out.push_str(&json_float(n.as_f64().unwrap_or(0.0))),
        },
        Value::String(s) => json_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, e) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, e);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, e)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(out, k);
                out.push(':');
                write_json(out, e);
            }
            out.push('}');
        }
    }
}

fn json_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let s = format!("{f:e}");
        match s.split_once('e') {
            Some((mant, exp)) if exp.starts_with('-') => format!("{mant}e{exp}"),
            Some((mant, exp)) => format!("{mant}e+{exp}"),
            None => s,
        }
    } else {
        format!("{f}")
    }
}

fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(src: &str, data: &Value) -> String {
        match Template::parse(src) {
            Ok(t) => match t.render(data) {
                Ok(s) => s,
                Err(e) => panic!("render {src:?}: {e}"),
            },
            Err(e) => panic!("parse {src:?}: {e}"),
        }
    }

    fn parse_err(src: &str) -> String {
        match Template::parse(src) {
            Ok(t) => panic!("expected parse error for {src:?}, got {t:?}"),
            Err(e @ TemplateError::Parse { .. }) => e.to_string(),
            Err(e) => panic!("expected parse error for {src:?}, got {e}"),
        }
    }

    fn exec_err(src: &str, data: &Value) -> String {
        let t = Template::parse(src).unwrap_or_else(|e| panic!("parse {src:?}: {e}"));
        match t.render(data) {
            Ok(s) => panic!("expected exec error for {src:?}, got {s:?}"),
            Err(e @ TemplateError::Exec { .. }) => e.to_string(),
            Err(e) => panic!("expected exec error, got {e}"),
        }
    }

    fn expect_parse_err(src: &str, needle: &str) {
        let msg = parse_err(src);
        assert!(msg.contains(needle), "{src:?}: {msg:?} lacks {needle:?}");
    }

    fn expect_exec_err(src: &str, data: &Value, needle: &str) {
        let msg = exec_err(src, data);
        assert!(msg.contains(needle), "{src:?}: {msg:?} lacks {needle:?}");
    }

    fn container() -> Value {
        json!({
            "Id": "4f3a2b1c0d9e8f7a",
            "Repository": "docker.io/library/alpine",
            "Tag": "latest",
            "Name": "web",
            "Names": ["web", "frontend"],
            "Running": true,
            "Labels": {"a.b": "dotted", "maintainer": "me"},
            "State": {"ExitCode": 137, "Status": "exited", "Health": null},
            "Config": {"Env": ["A=1", "B=2"], "Cmd": ["sh", "-c", "echo <hi> & bye"]},
            "Size": 1.5,
            "Ports": [],
            "Mounts": [
                {"Source": "/a", "Destination": "/x", "Options": ["ro"]},
                {"Source": "/b", "Destination": "/y", "Options": ["rw", "z"]}
            ]
        })
    }

    #[test]
    fn repository_and_tag() {
        assert_eq!(
            render("{{.Repository}}:{{.Tag}}", &container()),
            "docker.io/library/alpine:latest"
        );
    }

    #[test]
    fn field_lookup_falls_back_to_case_insensitive() {
        let d = container();
        assert_eq!(render("{{.ID}}", &d), "4f3a2b1c0d9e8f7a");
        assert_eq!(render("{{.id}}", &d), "4f3a2b1c0d9e8f7a");
        // Exact matches win over case-insensitive ones.
        assert_eq!(render("{{.ID}}", &json!({"Id": "a", "ID": "b"})), "b");
        assert_eq!(render("{{.Id}}", &json!({"Id": "a", "ID": "b"})), "a");
    }

    #[test]
    fn json_function_is_compact_and_unescaped() {
        assert_eq!(
            render("{{json .Config}}", &container()),
            r#"{"Env":["A=1","B=2"],"Cmd":["sh","-c","echo <hi> & bye"]}"#
        );
        assert_eq!(
            render("{{json .Names}}", &container()),
            r#"["web","frontend"]"#
        );
        assert_eq!(render("{{json .Missing}}", &container()), "null");
        assert_eq!(
            render(
                "{{json .}}",
                &json!({"f": 1.0, "g": 1e-7, "h": 1e21, "s": "a\u{1}\n"})
            ),
            r#"{"f":1,"g":1e-7,"h":1e+21,"s":"a\u0001\n"}"#
        );
    }

    #[test]
    fn range_over_array() {
        assert_eq!(
            render("{{range .Names}}{{.}} {{end}}", &container()),
            "web frontend "
        );
        assert_eq!(
            render("{{range .Ports}}x{{else}}none{{end}}", &container()),
            "none"
        );
        assert_eq!(
            render("{{range .Nope}}x{{else}}none{{end}}", &container()),
            "none"
        );
    }

    #[test]
    fn range_over_object_in_stored_order() {
        let d = json!({"m": {"z": 1, "a": 2}});
        assert_eq!(
            render("{{range $k, $v := .m}}{{$k}}={{$v}};{{end}}", &d),
            "z=1;a=2;"
        );
        assert_eq!(render("{{range .m}}{{.}}{{end}}", &d), "12");
    }

    #[test]
    fn range_over_integer() {
        assert_eq!(render("{{range $i := 3}}{{$i}}{{end}}", &json!({})), "012");
        assert_eq!(
            render("{{range 0}}x{{else}}empty{{end}}", &json!({})),
            "empty"
        );
    }

    #[test]
    fn if_else() {
        let t = "{{if .Running}}up{{else}}down{{end}}";
        assert_eq!(render(t, &container()), "up");
        assert_eq!(render(t, &json!({"Running": false})), "down");
        assert_eq!(render(t, &json!({})), "down");
        let chain = "{{if eq .N 1}}one{{else if eq .N 2}}two{{else}}many{{end}}";
        assert_eq!(render(chain, &json!({"N": 1})), "one");
        assert_eq!(render(chain, &json!({"N": 2})), "two");
        assert_eq!(render(chain, &json!({"N": 3})), "many");
    }

    #[test]
    fn go_truthiness() {
        let t = "{{if .}}T{{else}}F{{end}}";
        for (v, want) in [
            (json!(false), "F"),
            (json!(0), "F"),
            (json!(0.0), "F"),
            (json!(""), "F"),
            (json!(null), "F"),
            (json!([]), "F"),
            (json!({}), "F"),
            (json!(true), "T"),
            (json!(-1), "T"),
            (json!("0"), "T"),
            (json!([0]), "T"),
            (json!({"a": null}), "T"),
        ] {
            assert_eq!(render(t, &v), want, "truth of {v}");
        }
    }

    #[test]
    fn with_else() {
        let d = container();
        assert_eq!(render("{{with .State}}{{.Status}}{{end}}", &d), "exited");
        assert_eq!(render("{{with .Nope}}x{{else}}no{{end}}", &d), "no");
        assert_eq!(
            render("{{with .Nope}}a{{else with .Tag}}{{.}}{{else}}c{{end}}", &d),
            "latest"
        );
    }

    #[test]
    fn printf_widths() {
        let d = container();
        assert_eq!(render(r#"{{printf "%-10s|" .Name}}"#, &d), "web       |");
        assert_eq!(render(r#"{{printf "%10s|" .Name}}"#, &d), "       web|");
        assert_eq!(
            render(r#"{{printf "%5d|%-5d|%05d" 42 42 -42}}"#, &d),
            "   42|42   |-0042"
        );
        assert_eq!(render(r#"{{printf "%.2s" .Name}}"#, &d), "we");
    }

    #[test]
    fn printf_verbs() {
        let d = container();
        assert_eq!(render(r#"{{printf "%d" .State.ExitCode}}"#, &d), "137");
        assert_eq!(
            render(r#"{{printf "%v %v" .Names .Running}}"#, &d),
            "[web frontend] true"
        );
        assert_eq!(render(r#"{{printf "%q" .Name}}"#, &d), r#""web""#);
        assert_eq!(render(r#"{{printf "%q" "a\"b\n"}}"#, &d), r#""a\"b\n""#);
        assert_eq!(render(r#"{{printf "%t" .Running}}"#, &d), "true");
        assert_eq!(
            render(r#"{{printf "%x %X %#x" 255 255 255}}"#, &d),
            "ff FF 0xff"
        );
        assert_eq!(render(r#"{{printf "%x" "hi"}}"#, &d), "6869");
        assert_eq!(
            render(r#"{{printf "%.2f %e %g" 3.14159 1500.0 0.5}}"#, &d),
            "3.14 1.500000e+03 0.5"
        );
        assert_eq!(render(r#"{{printf "%c%c" 72 'i'}}"#, &d), "Hi");
        assert_eq!(render(r#"{{printf "100%%"}}"#, &d), "100%");
        assert_eq!(render(r#"{{printf "%s"}}"#, &d), "%!s(MISSING)");
        assert_eq!(
            render(r#"{{printf "%s" "a" "b"}}"#, &d),
            "a%!(EXTRA string=b)"
        );
        assert_eq!(render(r#"{{printf "%d" "a"}}"#, &d), "%!d(string=a)");
        assert_eq!(render(r#"{{printf "%s" nil}}"#, &d), "%!s(<nil>)");
        assert_eq!(render(r#"{{printf "%v" nil}}"#, &d), "<nil>");
        assert_eq!(
            render(r#"{{printf "%3d" .Names}}"#, &json!({"Names": [1, 2]})),
            "[  1   2]"
        );
        assert_eq!(render(r#"{{printf "%"}}"#, &d), "%!(NOVERB)");
        assert_eq!(render(r#"{{printf "%99999d" 1}}"#, &d), "%!(BADWIDTH)1");
    }

    #[test]
    fn index_function() {
        let d = container();
        assert_eq!(render(r#"{{index .Labels "a.b"}}"#, &d), "dotted");
        assert_eq!(render(r#"{{index .Names 1}}"#, &d), "frontend");
        assert_eq!(render(r#"{{index .Mounts 1 "Options" 0}}"#, &d), "rw");
        assert_eq!(render(r#"[{{index .Labels "nope"}}]"#, &d), "[]");
        assert_eq!(
            render(r#"[{{index .Nil "x"}}]"#, &json!({"Nil": null})),
            "[]"
        );
        expect_exec_err("{{index .Names 5}}", &d, "index out of range: 5");
        expect_exec_err("{{index .Names -1}}", &d, "index out of range");
    }

    #[test]
    fn nested_fields_and_numbers() {
        let d = container();
        assert_eq!(render("{{.State.ExitCode}}", &d), "137");
        assert_eq!(render("{{.Size}}", &d), "1.5");
        assert_eq!(render("{{.}}", &json!(1e6)), "1e+06");
        assert_eq!(render("{{.}}", &json!(123456.0)), "123456");
        assert_eq!(render("{{.}}", &json!(0.0001)), "0.0001");
        assert_eq!(render("{{.}}", &json!(0.00001)), "1e-05");
        assert_eq!(render("{{.}}", &json!(3.0)), "3");
        assert_eq!(render("{{.}}", &json!(-7)), "-7");
        assert_eq!(render("{{.}}", &json!(u64::MAX)), "18446744073709551615");
        assert_eq!(render("{{.State.Nope}}", &d), "<no value>");
        assert_eq!(render("{{.Nope.Deeper}}", &d), "<no value>");
        assert_eq!(render("{{.State.Health}}", &d), "<nil>");
    }

    #[test]
    fn value_printing_like_go_fmt() {
        let d =
            json!({"a": [1, "x", null, true, [2]], "m": {"b": 1, "a": [1, 2], "c": {"z": null}}});
        assert_eq!(render("{{.a}}", &d), "[1 x <nil> true [2]]");
        assert_eq!(render("{{.m}}", &d), "map[a:[1 2] b:1 c:map[z:<nil>]]");
        assert_eq!(render("{{.}}", &json!(null)), "<nil>");
    }

    #[test]
    fn nested_range_with_variables() {
        let d = container();
        let t = "{{range $i, $m := .Mounts}}{{$i}}:{{$m.Source}}->{{.Destination}}\
                 [{{range $j, $o := .Options}}{{if $j}},{{end}}{{$o}}@{{$i}}{{end}}]\
                 {{$.Name}};{{end}}";
        assert_eq!(render(t, &d), "0:/a->/x[ro@0]web;1:/b->/y[rw@1,z@1]web;");
    }

    #[test]
    fn variables_declare_and_assign() {
        let d = container();
        assert_eq!(render("{{$x := .Name}}{{$x}}-{{$x}}", &d), "web-web");
        assert_eq!(
            render("{{$n := 0}}{{range .Names}}{{$n = .}}{{end}}{{$n}}", &d),
            "frontend"
        );
        assert_eq!(
            render("{{with $s := .State}}{{$s.Status}}{{end}}", &d),
            "exited"
        );
        expect_parse_err("{{if true}}{{$y := 1}}{{end}}{{$y}}", "undefined variable");
        expect_parse_err("{{$z = 1}}", "undefined variable");
    }

    #[test]
    fn break_and_continue() {
        let d = json!({"n": [1, 2, 3, 4]});
        assert_eq!(
            render(
                "{{range .n}}{{if eq . 2}}{{continue}}{{end}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}",
                &d
            ),
            "13"
        );
        expect_parse_err("{{break}}", "outside");
        expect_parse_err("{{range .n}}{{else}}{{break}}{{end}}", "outside");
    }

    #[test]
    fn trim_markers_and_comments() {
        let d = container();
        assert_eq!(render("a  {{- .Tag -}}  b", &d), "alatestb");
        assert_eq!(render("a\n\t{{- .Tag}}\n", &d), "alatest\n");
        assert_eq!(
            render("{{range .Names -}}\n  {{.}}\n{{- end}}", &d),
            "webfrontend"
        );
        assert_eq!(render("a {{/* note */}} b", &d), "a  b");
        assert_eq!(render("a {{- /* note */ -}} b", &d), "ab");
        assert_eq!(render("{{-3}}", &d), "-3");
    }

    #[test]
    fn pipelines_and_parens() {
        let d = container();
        assert_eq!(render("{{.Name | upper}}", &d), "WEB");
        assert_eq!(render("{{.Name | printf \"%s!\" | upper}}", &d), "WEB!");
        assert_eq!(render("{{(index .Mounts 0).Source}}", &d), "/a");
        assert_eq!(render("{{len (split \"a,b,c\" \",\")}}", &d), "3");
        assert_eq!(
            render("{{if and .Running (gt .State.ExitCode 100)}}y{{end}}", &d),
            "y"
        );
    }

    #[test]
    fn string_functions() {
        let d = container();
        assert_eq!(render(r#"{{join .Names ","}}"#, &d), "web,frontend");
        assert_eq!(render(r#"{{truncate .ID 12}}"#, &d), "4f3a2b1c0d9e");
        assert_eq!(render(r#"{{truncate "ab" 12}}"#, &d), "ab");
        assert_eq!(render(r#"{{split "a:b" ":"}}"#, &d), "[a b]");
        assert_eq!(render(r#"{{lower "ABC"}} {{upper "abc"}}"#, &d), "abc ABC");
        assert_eq!(
            render(r#"{{title "hello wide-world_x"}}"#, &d),
            "Hello Wide-World_x"
        );
        assert_eq!(render(r#"{{contains .Repository "alpine"}}"#, &d), "true");
        assert_eq!(
            render(r#"{{len .Name}} {{len .Names}} {{len .Labels}}"#, &d),
            "3 2 2"
        );
    }

    #[test]
    fn print_functions() {
        let d = json!({});
        assert_eq!(render(r#"{{print "a" "b" 1 2 "c"}}"#, &d), "ab1 2c");
        assert_eq!(render(r#"{{println "a" 1}}"#, &d), "a 1\n");
        assert_eq!(render(r#"{{print .Missing}}"#, &d), "<nil>");
    }

    #[test]
    fn comparisons_and_logic() {
        let d = json!({"a": 1, "b": 2.5, "s": "x"});
        assert_eq!(
            render("{{eq .a 1}} {{ne .a 1}} {{lt .a .b}} {{ge .b 2.5}}", &d),
            "true false true true"
        );
        assert_eq!(
            render(r#"{{eq .s "y" "x"}} {{lt "a" "b"}}"#, &d),
            "true true"
        );
        assert_eq!(render("{{eq .nope nil}} {{eq .a nil}}", &d), "true false");
        assert_eq!(
            render(r#"{{or .nope "default"}} {{and 1 0}} {{not .a}}"#, &d),
            "default 0 false"
        );
        // `and` stops before evaluating a failing operand.
        assert_eq!(
            render("{{and .nope .nope.x.y}}", &json!({"nope": null})),
            "<nil>"
        );
        expect_exec_err(r#"{{eq .a "1"}}"#, &d, "incompatible types");
        expect_exec_err("{{lt true false}}", &d, "invalid type for comparison");
    }

    #[test]
    fn literals() {
        let d = json!({});
        assert_eq!(
            render(
                r#"{{"a\tb"}}|{{`raw\n`}}|{{'a'}}|{{0x1F}}|{{1_000}}|{{1.5e3}}"#,
                &d
            ),
            "a\tb|raw\\n|97|31|1000|1500"
        );
        assert_eq!(render("{{true}} {{false}}", &d), "true false");
        assert_eq!(render(r#"{{"}}"}}"#, &d), "}}");
    }

    #[test]
    fn parse_errors() {
        expect_parse_err("{{.Name", "unclosed action");
        expect_parse_err("{{.Name ", "unclosed action");
        expect_parse_err("{{.Name }", "unrecognized character");
        expect_parse_err("{{.Name}", "bad character");
        expect_parse_err("{{nosuch .X}}", "function \"nosuch\" not defined");
        expect_parse_err("{{end}}", "unexpected {{end}}");
        expect_parse_err("{{else}}", "unexpected {{else}}");
        expect_parse_err("{{if .A}}x", "unexpected EOF");
        expect_parse_err("{{range .A}}x{{else}}", "unexpected EOF");
        expect_parse_err("{{if .A}}{{else}}{{else}}{{end}}", "expected {{end}}");
        expect_parse_err("{{}}", "missing value for command");
        expect_parse_err("{{if}}{{end}}", "missing value for if");
        expect_parse_err("{{nil}}", "nil is not a command");
        expect_parse_err("{{(.A}}", "unclosed left paren");
        expect_parse_err("{{.A)}}", "unexpected right paren");
        expect_parse_err("{{len}}", "wrong number of args for len");
        expect_parse_err("{{.A | .B}}", "non-function");
        expect_parse_err("{{.A .B}}", "non-function");
        expect_parse_err("{{/* x }}", "unclosed comment");
        expect_parse_err("{{/* x */ }}", "comment ends");
        expect_parse_err("{{template \"x\"}}", "not supported");
        expect_parse_err("{{\"abc}}", "unterminated quoted string");
        expect_parse_err("{{1.2.3}}", "bad number");
        expect_parse_err(r#"{{"\xff"}}"#, r"byte escape \xff above");
        expect_parse_err(r#"{{"\377"}}"#, r"byte escape \377 above");
        expect_parse_err("{{$x}}", "undefined variable");
        expect_parse_err("{{if $a, $b := .X}}{{end}}", "too many declarations");
        expect_parse_err("{{\"x\".Y}}", "after");
        expect_parse_err("{{.A!}}", "bad character");
    }

    #[test]
    fn error_display_is_one_line() {
        let e = parse_err("{{nosuch}}");
        assert_eq!(
            e,
            "template: parse error at byte 2: function \"nosuch\" not defined"
        );
        let e = exec_err("{{.Name.First}}", &json!({"Name": "x"}));
        assert_eq!(
            e,
            "template: execution error: at <.Name.First>: can't evaluate field First in type string"
        );
        assert!(!e.contains('\n'));
    }

    #[test]
    fn exec_errors() {
        let d = container();
        expect_exec_err("{{.State.Health.Status}}", &d, "nil pointer evaluating");
        expect_exec_err("{{range .Name}}{{end}}", &d, "range can't iterate");
        expect_exec_err("{{len 3}}", &d, "len of type int");
        expect_exec_err("{{truncate .Name -1}}", &d, "non-negative");
        expect_exec_err("{{upper .Names}}", &d, "expected string");
    }

    #[test]
    fn strip_table_prefix() {
        assert_eq!(
            strip_table("table {{.A}}\t{{.B}}"),
            (true, "{{.A}}\t{{.B}}")
        );
        assert_eq!(strip_table("table"), (true, ""));
        assert_eq!(strip_table("{{.A}}"), (false, "{{.A}}"));
        assert_eq!(strip_table("tablefoo"), (false, "tablefoo"));
        assert_eq!(strip_table("json"), (false, "json"));
    }

    #[test]
    fn unescape_tab_and_newline() {
        assert_eq!(unescape(r"{{.A}}\t{{.B}}\n"), "{{.A}}\t{{.B}}\n");
        assert_eq!(unescape(r"a\\tb"), "a\\\tb");
        assert_eq!(unescape(r"\x\"), r"\x\");
        assert_eq!(unescape("plain"), "plain");
    }

    #[test]
    fn table_format_from_command_line() {
        let raw = unescape(r"table {{.Name}}\t{{.Tag}}");
        let (is_table, body) = strip_table(&raw);
        assert!(is_table);
        assert_eq!(render(body, &container()), "web\tlatest");
    }

    #[test]
    fn range_assigns_existing_variables() {
        let d = json!({"x": ["a", "b"]});
        assert_eq!(
            render(
                "{{$i := 0}}{{$e := 0}}{{range $i, $e = .x}}{{end}}{{$i}}{{$e}}",
                &d
            ),
            "1b"
        );
    }

    #[test]
    fn template_is_reusable() {
        let t = Template::parse("{{.}};").unwrap_or_else(|e| panic!("{e}"));
        for i in 0..3 {
            assert_eq!(t.render(&json!(i)).ok(), Some(format!("{i};")));
        }
    }

    const MALFORMED: &[&str] = &[
        "{{",
        "}}",
        "{{{",
        "{{}}}",
        "{{-",
        "{{- }}",
        "{{ -}}",
        "{{-}}",
        "{{- -}}",
        "{{/*",
        "{{/**/",
        "{{/**/}",
        "{{.",
        "{{..}}",
        "{{.A.}}",
        "{{$}}",
        "{{$.}}",
        "{{$$}}",
        "{{(}}",
        "{{)}}",
        "{{()}}",
        "{{((.))}}",
        "{{|}}",
        "{{.A|}}",
        "{{|.A}}",
        "{{:=}}",
        "{{$x :=}}",
        "{{$x := }}",
        "{{$x = 1}}",
        "{{$x, $y := 1}}",
        "{{range $x, := .}}{{end}}",
        "{{range $a, $b, $c := .}}{{end}}",
        "{{if}}",
        "{{if .}}",
        "{{if .}}{{else if}}{{end}}",
        "{{else if .}}",
        "{{range}}",
        "{{with}}{{end}}",
        "{{end}}{{end}}",
        "{{\"}}",
        "{{`}}",
        "{{'}}",
        "{{''}}",
        "{{'ab'}}",
        "{{'\\",
        "{{\"\\",
        "{{\"\\x\"}}",
        "{{\"\\xff\"}}",
        "{{\"\\u12\"}}",
        "{{\"\\U0011ffff\"}}",
        "{{\"\\q\"}}",
        "{{0x}}",
        "{{0b2}}",
        "{{1e}}",
        "{{1e+}}",
        "{{+}}",
        "{{-}}",
        "{{.5.5}}",
        "{{99999999999999999999999999999999999999999}}",
        "{{1e999}}",
        "{{index}}",
        "{{index .}}",
        "{{printf}}",
        "{{json}}",
        "{{json 1 2}}",
        "{{print print}}",
        "{{len len}}",
        "{{nil.A}}",
        "{{true.A}}",
        "{{1.A}}",
        "{{.A.B.C.D.E.F.G}}",
        "{{$.A.B}}",
        "{{(1).A}}",
        "{{(.).A}}",
        "{{define \"a\"}}{{end}}",
        "{{block \"a\" .}}{{end}}",
        "{{break}}",
        "{{continue}}",
        "{{range .}}{{break 1}}{{end}}",
        "é{{é}}",
        "{{.é}}",
        "{{\u{0}}}",
        "{{#}}",
        "{{.A\"x\"}}",
        "{{printf \"%*d\" 1 2}}",
        "{{printf \"%[1]d\" 1}}",
        "{{printf \"%-+# 012.5v\" .}}",
        "{{printf \"%.99999f\" 1.0}}",
        "{{printf \"%c\" -1}}",
        "{{printf \"%c\" 99999999999}}",
        "{{printf \"%q\" 1114112}}",
        "{{printf \"%d\" 1e300}}",
        "{{printf \"%x\" -1.5}}",
        "{{range -5}}x{{end}}",
        "{{range 1.5}}{{end}}",
        "{{range true}}{{end}}",
        "{{index . 1e10}}",
        "{{index . \"a\" 1}}",
        "{{index 1 2}}",
        "{{truncate . 1e30}}",
        "{{split . \"\"}}",
        "{{eq . .}}",
        "{{lt . .}}",
        "{{ne nil nil}}",
        "{{with $x := .}}{{$x = 2}}{{end}}{{$x}}",
    ];

    fn sample_data() -> Vec<Value> {
        vec![
            json!(null),
            json!(0),
            json!(-1),
            json!(1.5),
            json!("str"),
            json!([1, "a", null, [], {}]),
            json!({"A": {"B": [1, 2]}, "a": null, "é": "x"}),
            container(),
        ]
    }

    #[test]
    fn malformed_input_never_panics() {
        let data = sample_data();
        for src in MALFORMED {
            if let Ok(t) = Template::parse(src) {
                for d in &data {
                    let _ = t.render(d);
                }
            }
        }
    }

    #[test]
    fn generated_input_never_panics() {
        const FRAGMENTS: &[&str] = &[
            "{{",
            "}}",
            "{{- ",
            " -}}",
            " ",
            ".",
            ".A",
            "$",
            "$x",
            ":=",
            "=",
            "(",
            ")",
            "|",
            "\"",
            "'",
            "`",
            "1",
            "-",
            "if ",
            "else",
            "end",
            "range ",
            "with ",
            "len",
            "index",
            "/*",
            "*/",
            ",",
            "printf \"%5.2v\"",
            "\\",
            "é",
            "0x",
            "e",
            "break",
            "nil",
        ];
        let data = sample_data();
        // A fixed LCG keeps the test deterministic without extra dependencies.
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize
        };
        for _ in 0..30_000 {
            let len = next() % 12;
            let body: String = (0..len)
                .map(|_| FRAGMENTS[next() % FRAGMENTS.len()])
                .collect();
            // Wrapping half the inputs in an action reaches past the lexer more often.
            let src = if next() % 2 == 0 {
                format!("{{{{{body}}}}}")
            } else {
                body
            };
            if let Ok(t) = Template::parse(&src) {
                for d in &data {
                    let _ = t.render(d);
                }
            }
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{{{{{}.{}}}}}", "(".repeat(5000), ")".repeat(5000));
        expect_parse_err(&deep, "too deep");
        let deep_if = "{{if 1}}".repeat(5000);
        expect_parse_err(&deep_if, "too deep");
    }
}
