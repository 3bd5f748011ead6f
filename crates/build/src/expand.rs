//! Docker's variable substitution and word handling for Dockerfile words
//! (BuildKit's `shell.Lex`): `$VAR`, `${VAR}`, `${VAR:-word}`,
//! `${VAR-word}`, `${VAR:+word}`, `${VAR+word}`, `${VAR:?msg}`, single and
//! double quotes, and the escape character.
//!
//! Contract: pure functions of the text, the escape character and a
//! lookup; an unset variable expands to nothing; a malformed expression
//! is an [`ExpandError`], never a panic. Each function reports which
//! variables it looked up, so a build can key its cache on the build args
//! a step actually uses.
//!
//! Beyond the forms above, BuildKit's `${VAR#pat}`, `${VAR##pat}`,
//! `${VAR%pat}`, `${VAR%%pat}`, `${VAR/pat/repl}` and `${VAR//pat/repl}`
//! are supported (patterns with `*` and `?`), as are the positional and
//! special names (`$1`, `$@`, `$$`...), which are simply looked up (and
//! so are normally unset and empty).
//!
//! One deliberate difference from BuildKit: its `ProcessWords` loses the
//! part of a word before a `${VAR:-x}`-style expression (a shared buffer
//! is reset by the nested parse); here `a${B:-x}` is the one word `ax`.

#[derive(Debug, thiserror::Error)]
pub enum ExpandError {
    #[error("{text:?}: {message}")]
    Bad { text: String, message: String },
}

/// The result of an expansion: the text and the names looked up.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Expanded<T> {
    pub value: T,
    pub used: Vec<String>,
}

/// Expands one word, quotes removed (ProcessWord): for WORKDIR, USER,
/// ENV and LABEL values, COPY flags, FROM, STOPSIGNAL.
pub fn word(
    text: &str,
    escape: char,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Expanded<String>, ExpandError> {
    let mut lex = Lex::new(text, escape, lookup);
    let (value, _) = lex.run()?;
    Ok(Expanded {
        value,
        used: lex.used,
    })
}

/// Expands and splits into words on unquoted whitespace, quotes removed
/// (ProcessWords): for EXPOSE, VOLUME, COPY/ADD sources in shell form.
/// A word that expands to nothing (an unset variable, `""`) is dropped.
pub fn words(
    text: &str,
    escape: char,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Expanded<Vec<String>>, ExpandError> {
    let mut lex = Lex::new(text, escape, lookup);
    let (_, value) = lex.run()?;
    Ok(Expanded {
        value,
        used: lex.used,
    })
}

/// Expands `$VAR`s in a heredoc body (quotes are kept: the body is data).
///
/// As BuildKit does for `COPY <<EOF` bodies, the backslash still escapes
/// the next character (`\$HOME` gives `$HOME`, `\\` gives `\`), whatever
/// the file's escape character.
pub fn heredoc(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Expanded<String>, ExpandError> {
    let mut lex = Lex::new(text, '\\', lookup);
    lex.skip_quotes = true;
    let (value, _) = lex.run()?;
    Ok(Expanded {
        value,
        used: lex.used,
    })
}

/// How deeply `${A:-${B:-...}}` may nest: the parse is recursive and the
/// text is hostile, so the depth is bounded rather than the stack.
const MAX_DEPTH: usize = 64;

/// The lexer, with BuildKit's knobs (the parser uses the raw modes to find
/// heredoc delimiters in a line).
pub(crate) struct Lex<'a> {
    chars: Vec<char>,
    pos: usize,
    escape: char,
    /// Keep quote characters in the result (`RawQuotes`).
    pub(crate) raw_quotes: bool,
    /// Keep escape characters in the result (`RawEscapes`).
    pub(crate) raw_escapes: bool,
    /// Leave references to unset variables as written (`SkipUnsetEnv`).
    pub(crate) skip_unset: bool,
    /// Quotes are ordinary characters (`SkipProcessQuotes`).
    pub(crate) skip_quotes: bool,
    lookup: &'a dyn Fn(&str) -> Option<String>,
    /// Every name looked up, first lookup first, once each.
    pub(crate) used: Vec<String>,
    depth: usize,
}

/// Splits the result into words as it is built: unquoted whitespace
/// separates words; quoted text and escaped characters never do.
#[derive(Default)]
struct Words {
    buf: String,
    words: Vec<String>,
    in_word: bool,
}

impl Words {
    fn add_char(&mut self, ch: char) {
        if ch.is_whitespace() {
            if self.in_word && !self.buf.is_empty() {
                self.words.push(std::mem::take(&mut self.buf));
                self.in_word = false;
            }
        } else {
            self.add_raw_char(ch);
        }
    }

    fn add_raw_char(&mut self, ch: char) {
        self.buf.push(ch);
        self.in_word = true;
    }

    fn add_string(&mut self, s: &str) {
        for ch in s.chars() {
            self.add_char(ch);
        }
    }

    fn add_raw_string(&mut self, s: &str) {
        self.buf.push_str(s);
        self.in_word = true;
    }

    fn finish(mut self) -> Vec<String> {
        if !self.buf.is_empty() {
            self.words.push(std::mem::take(&mut self.buf));
        }
        self.words
    }
}

fn is_special_param(ch: char) -> bool {
    matches!(ch, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0')
}

impl<'a> Lex<'a> {
    pub(crate) fn new(
        text: &str,
        escape: char,
        lookup: &'a dyn Fn(&str) -> Option<String>,
    ) -> Self {
        Lex {
            chars: text.chars().collect(),
            pos: 0,
            escape,
            raw_quotes: false,
            raw_escapes: false,
            skip_unset: false,
            skip_quotes: false,
            lookup,
            used: Vec::new(),
            depth: 0,
        }
    }

    /// Processes the whole text: (the word, the words).
    pub(crate) fn run(&mut self) -> Result<(String, Vec<String>), ExpandError> {
        self.pos = 0;
        self.depth = 0;
        let raw = self.raw_escapes;
        self.process_stop_on(None, raw)
            .map_err(|message| ExpandError::Bad {
                text: self.chars.iter().collect(),
                message,
            })
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let ch = self.peek();
        if ch.is_some() {
            self.pos += 1;
        }
        ch
    }

    fn get_env(&mut self, name: &str) -> Option<String> {
        if !self.used.iter().any(|u| u == name) {
            self.used.push(name.to_string());
        }
        (self.lookup)(name)
    }

    /// Reads up to `stop` (consumed) or the end: the text and its words.
    fn process_stop_on(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Result<(String, Vec<String>), String> {
        let mut result = String::new();
        let mut words = Words::default();
        while let Some(ch) = self.peek() {
            if Some(ch) == stop {
                self.next();
                return Ok((result, words.finish()));
            }
            match ch {
                '$' => {
                    let tmp = self.process_dollar()?;
                    result.push_str(&tmp);
                    // An expanded value is split on its whitespace.
                    words.add_string(&tmp);
                }
                '<' => {
                    let tmp = self.process_possible_heredoc();
                    result.push_str(&tmp);
                    words.add_raw_string(&tmp);
                }
                '\'' if !self.skip_quotes => {
                    let tmp = self.process_single_quote()?;
                    result.push_str(&tmp);
                    words.add_raw_string(&tmp);
                }
                '"' if !self.skip_quotes => {
                    let tmp = self.process_double_quote(raw_escapes)?;
                    result.push_str(&tmp);
                    words.add_raw_string(&tmp);
                }
                _ => {
                    self.next();
                    if ch == self.escape {
                        if raw_escapes {
                            words.add_raw_char(ch);
                            result.push(ch);
                        }
                        // The escape character escapes the next one; at
                        // the very end it is dropped.
                        match self.next() {
                            None => break,
                            Some(escaped) => {
                                words.add_raw_char(escaped);
                                result.push(escaped);
                            }
                        }
                    } else {
                        words.add_char(ch);
                        result.push(ch);
                    }
                }
            }
        }
        if let Some(stop) = stop {
            return Err(format!(
                "unexpected end of statement while looking for matching {stop}"
            ));
        }
        Ok((result, words.finish()))
    }

    fn process_single_quote(&mut self) -> Result<String, String> {
        // Everything up to the next ' is literal; ' cannot be escaped.
        let mut result = String::new();
        let open = self.next();
        if self.raw_quotes {
            result.extend(open);
        }
        loop {
            match self.next() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching single-quote"
                            .to_string(),
                    );
                }
                Some('\'') => {
                    if self.raw_quotes {
                        result.push('\'');
                    }
                    return Ok(result);
                }
                Some(ch) => result.push(ch),
            }
        }
    }

    fn process_double_quote(&mut self, raw_escapes: bool) -> Result<String, String> {
        // Literal except `$` and the escape character, which escapes only
        // `"`, `$` and itself (as sh's backslash inside double quotes).
        let mut result = String::new();
        let open = self.next();
        if self.raw_quotes {
            result.extend(open);
        }
        loop {
            match self.peek() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching double-quote"
                            .to_string(),
                    );
                }
                Some('"') => {
                    self.next();
                    if self.raw_quotes {
                        result.push('"');
                    }
                    return Ok(result);
                }
                Some('$') => {
                    let value = self.process_dollar()?;
                    result.push_str(&value);
                }
                Some(_) => {
                    let ch = self.next().unwrap_or_default();
                    if ch == self.escape {
                        match self.peek() {
                            // The end: the missing quote is reported next.
                            None => continue,
                            Some(next) if next == '"' || next == '$' || next == self.escape => {
                                if raw_escapes {
                                    result.push(ch);
                                }
                                self.next();
                                result.push(next);
                                continue;
                            }
                            Some(_) => {}
                        }
                    }
                    result.push(ch);
                }
            }
        }
    }

    fn process_possible_heredoc(&mut self) -> String {
        self.next();
        if self.peek() != Some('<') {
            return "<".to_string();
        }
        self.next();
        // `<< EOF` is one word, as BuildKit has it.
        let mut result = "<<".to_string();
        while let Some(ch @ ('\t' | '\r' | ' ')) = self.peek() {
            result.push(ch);
            self.next();
        }
        result
    }

    fn process_name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && ch.is_ascii_digit() {
                // Positional: all the digits.
                while let Some(d) = self.peek().filter(char::is_ascii_digit) {
                    name.push(d);
                    self.next();
                }
                return name;
            }
            if name.is_empty() && is_special_param(ch) {
                self.next();
                return ch.to_string();
            }
            if !ch.is_alphanumeric() && ch != '_' {
                break;
            }
            self.next();
            name.push(ch);
        }
        name
    }

    fn process_dollar(&mut self) -> Result<String, String> {
        self.next();
        if self.peek() != Some('{') {
            let name = self.process_name();
            if name.is_empty() {
                // `$` before a non-name character is literal.
                return Ok("$".to_string());
            }
            return Ok(match self.get_env(&name) {
                Some(value) => value,
                None if self.skip_unset => format!("${name}"),
                None => String::new(),
            });
        }
        self.next();
        match self.peek() {
            None => return Err("syntax error: missing '}'".to_string()),
            Some('{' | '}' | ':') => return Err("syntax error: bad substitution".to_string()),
            Some(_) => {}
        }
        if self.depth >= MAX_DEPTH {
            return Err("substitutions nested too deeply".to_string());
        }
        self.depth += 1;
        let result = self.process_braced();
        self.depth -= 1;
        result
    }

    /// After `${`: the name, then `}` or a modifier.
    fn process_braced(&mut self) -> Result<String, String> {
        let name = self.process_name();
        match self.next() {
            None => Err("syntax error: missing '}'".to_string()),
            Some('}') => Ok(match self.get_env(&name) {
                Some(value) => value,
                None if self.skip_unset => format!("${{{name}}}"),
                None => String::new(),
            }),
            Some(':') => match self.next() {
                None => Err("syntax error: missing '}'".to_string()),
                Some(op) => self.process_modifier(&name, op, true),
            },
            Some(op @ ('+' | '-' | '?' | '#' | '%')) => self.process_modifier(&name, op, false),
            Some('/') => self.process_replace(&name),
            Some(op) => Err(format!("unsupported modifier ({op}) in substitution")),
        }
    }

    fn process_modifier(&mut self, name: &str, op: char, colon: bool) -> Result<String, String> {
        let chs = if colon {
            format!(":{op}")
        } else {
            op.to_string()
        };
        // Patterns keep their escapes: `\*` is a literal star.
        let pattern = op == '#' || op == '%';
        if colon && pattern {
            return Err(format!("unsupported modifier ({chs}) in substitution"));
        }
        let word = self.nested_until('}', pattern, "syntax error: missing '}'")?;
        let value = self.get_env(name);
        if value.is_none() && self.skip_unset {
            return Ok(format!("${{{name}{chs}{word}}}"));
        }
        // With the colon, empty counts as unset.
        let missing = match &value {
            None => true,
            Some(v) => colon && v.is_empty(),
        };
        match op {
            '-' => Ok(if missing {
                word
            } else {
                value.unwrap_or_default()
            }),
            '+' => Ok(if missing { String::new() } else { word }),
            '?' => {
                if value.is_none() || missing {
                    let message = if !word.is_empty() {
                        word
                    } else if value.is_none() {
                        "is not allowed to be unset".to_string()
                    } else {
                        "is not allowed to be empty".to_string()
                    };
                    return Err(format!("{name}: {message}"));
                }
                Ok(value.unwrap_or_default())
            }
            '#' | '%' => {
                let (greedy, word) = match word.strip_prefix(op) {
                    Some(rest) => (true, rest.to_string()),
                    None => (false, word),
                };
                let value = value.unwrap_or_default();
                let toks = Pattern::parse(&word)?;
                Ok(if op == '#' {
                    toks.trim_prefix(&value, greedy)
                } else {
                    toks.trim_suffix(&value, greedy)
                })
            }
            _ => Err(format!("unsupported modifier ({chs}) in substitution")),
        }
    }

    fn process_replace(&mut self, name: &str) -> Result<String, String> {
        let all = self.peek() == Some('/');
        if all {
            self.next();
        }
        let pattern = self.nested_until('/', true, "syntax error: missing '/' in ${}")?;
        let replacement = self.nested_until('}', true, "syntax error: missing '}'")?;
        let value = self.get_env(name);
        let Some(value) = value else {
            if self.skip_unset {
                return Ok(format!("${{{name}/{pattern}/{replacement}}}"));
            }
            return Ok(String::new());
        };
        let toks = Pattern::parse(&pattern)?;
        Ok(toks.replace(&value, &replacement, all))
    }

    /// A nested word up to `stop`; running out of text is `at_end`.
    fn nested_until(
        &mut self,
        stop: char,
        raw_escapes: bool,
        at_end: &str,
    ) -> Result<String, String> {
        match self.process_stop_on(Some(stop), raw_escapes) {
            Ok((word, _)) => Ok(word),
            Err(_) if self.peek().is_none() => Err(at_end.to_string()),
            Err(e) => Err(e),
        }
    }
}

/// One element of a shell pattern.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Tok {
    /// `*`: any run of characters.
    Star,
    /// `?`: one character.
    Any,
    Lit(char),
}

/// A shell pattern of `*`, `?` and literals (no brackets, as BuildKit),
/// matched by a small NFA in time linear in the text per pattern element.
struct Pattern(Vec<Tok>);

impl Pattern {
    fn parse(pattern: &str) -> Result<Pattern, String> {
        let bad = |detail: String| format!("invalid pattern ({pattern}) in substitution: {detail}");
        let mut toks = Vec::new();
        let mut it = pattern.chars().peekable();
        while let Some(ch) = it.next() {
            match ch {
                '*' => toks.push(Tok::Star),
                '?' => toks.push(Tok::Any),
                '\\' => match it.peek().copied() {
                    // `\}` and `\/` only protected the ${} syntax.
                    Some(c @ ('}' | '/')) => {
                        it.next();
                        toks.push(Tok::Lit(c));
                    }
                    Some(c @ ('*' | '?' | '\\')) => {
                        it.next();
                        toks.push(Tok::Lit(c));
                    }
                    Some(c) => return Err(bad(format!("invalid escape '\\{c}'"))),
                    None => return Err(bad("invalid escape '\\'".to_string())),
                },
                c => toks.push(Tok::Lit(c)),
            }
        }
        Ok(Pattern(toks))
    }

    fn reversed(&self) -> Pattern {
        Pattern(self.0.iter().rev().copied().collect())
    }

    /// Adds state `k` and what it reaches without input (a star may match
    /// nothing), keeping the smallest start per state.
    fn add(&self, states: &mut [Option<usize>], mut k: usize, start: usize) {
        loop {
            match states[k] {
                Some(s) if s <= start => return,
                _ => states[k] = Some(start),
            }
            if k < self.0.len() && self.0[k] == Tok::Star {
                k += 1;
            } else {
                return;
            }
        }
    }

    fn step(&self, states: &[Option<usize>], ch: char) -> Vec<Option<usize>> {
        let mut next = vec![None; states.len()];
        for (k, start) in states.iter().enumerate() {
            let Some(start) = *start else { continue };
            match self.0.get(k) {
                None => {}
                Some(Tok::Star) => self.add(&mut next, k, start),
                Some(Tok::Any) => self.add(&mut next, k + 1, start),
                Some(Tok::Lit(c)) if *c == ch => self.add(&mut next, k + 1, start),
                Some(Tok::Lit(_)) => {}
            }
        }
        next
    }

    /// The lengths of the prefixes of `text` the pattern matches, shortest
    /// first.
    fn prefix_matches(&self, text: &[char]) -> Vec<usize> {
        let accept = self.0.len();
        let mut states = vec![None; accept + 1];
        self.add(&mut states, 0, 0);
        let mut found = Vec::new();
        for i in 0..=text.len() {
            if states[accept].is_some() {
                found.push(i);
            }
            if i == text.len() || states.iter().all(Option::is_none) {
                break;
            }
            states = self.step(&states, text[i]);
        }
        found
    }

    fn trim_prefix(&self, value: &str, greedy: bool) -> String {
        let chars: Vec<char> = value.chars().collect();
        let found = self.prefix_matches(&chars);
        let cut = if greedy { found.last() } else { found.first() };
        match cut {
            Some(&n) => chars[n..].iter().collect(),
            None => value.to_string(),
        }
    }

    fn trim_suffix(&self, value: &str, greedy: bool) -> String {
        let mut chars: Vec<char> = value.chars().collect();
        chars.reverse();
        let found = self.reversed().prefix_matches(&chars);
        let cut = if greedy { found.last() } else { found.first() };
        match cut {
            Some(&n) => chars[n..].iter().rev().collect(),
            None => value.to_string(),
        }
    }

    /// The leftmost match starting at or after `from`, longest at that
    /// start: (start, end).
    fn find(&self, text: &[char], from: usize) -> Option<(usize, usize)> {
        let accept = self.0.len();
        let mut states = vec![None; accept + 1];
        let mut best: Option<(usize, usize)> = None;
        for i in from..=text.len() {
            if best.is_none() {
                self.add(&mut states, 0, i);
            }
            if let Some(s) = states[accept] {
                match best {
                    Some((bs, _)) if bs < s => {}
                    _ => best = Some((s, i)),
                }
            }
            if let Some((bs, _)) = best {
                // Threads that started later can no longer win.
                for st in states.iter_mut() {
                    if st.is_some_and(|s| s > bs) {
                        *st = None;
                    }
                }
            }
            if i == text.len() || (best.is_some() && states.iter().all(Option::is_none)) {
                break;
            }
            states = self.step(&states, text[i]);
        }
        best
    }

    fn replace(&self, value: &str, replacement: &str, all: bool) -> String {
        let text: Vec<char> = value.chars().collect();
        let mut out = String::new();
        let mut pos = 0;
        let mut last_end: Option<usize> = None;
        while pos <= text.len() {
            let Some((s, e)) = self.find(&text, pos) else {
                break;
            };
            // An empty match right after the previous match is skipped,
            // as Go's ReplaceAll does.
            if s == e && last_end == Some(s) {
                if s < text.len() {
                    out.push(text[s]);
                }
                pos = s + 1;
                continue;
            }
            out.extend(&text[pos..s]);
            out.push_str(replacement);
            last_end = Some(e);
            if !all {
                pos = e;
                break;
            }
            if e == s {
                if s < text.len() {
                    out.push(text[s]);
                }
                pos = s + 1;
            } else {
                pos = e;
            }
        }
        if pos < text.len() {
            out.extend(&text[pos..]);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn w(text: &str, vars: &[(&str, &str)]) -> String {
        let map = env(vars);
        word(text, '\\', &|k| map.get(k).cloned()).unwrap().value
    }

    fn ws(text: &str, vars: &[(&str, &str)]) -> Vec<String> {
        let map = env(vars);
        words(text, '\\', &|k| map.get(k).cloned()).unwrap().value
    }

    fn werr(text: &str, vars: &[(&str, &str)]) -> String {
        let map = env(vars);
        match word(text, '\\', &|k| map.get(k).cloned()) {
            Ok(v) => panic!("{text:?} expanded to {:?}", v.value),
            Err(ExpandError::Bad { message, .. }) => message,
        }
    }

    #[test]
    fn issue17_plain_and_braced_variables() {
        let v = [("A", "x"), ("B", "y z")];
        assert_eq!(w("$A", &v), "x");
        assert_eq!(w("${A}", &v), "x");
        assert_eq!(w("a${A}b", &v), "axb");
        assert_eq!(w("$A-$B", &v), "x-y z");
        assert_eq!(
            w("$Ab", &v),
            "",
            "the name runs to the end of the name characters"
        );
        assert_eq!(w("$UNSET", &v), "");
        assert_eq!(w("${UNSET}", &v), "");
        assert_eq!(w("a_$A_b", &v), "a_");
        assert_eq!(w("$A_", &[("A_", "u")]), "u");
    }

    #[test]
    fn issue17_dollar_before_non_name_is_literal() {
        assert_eq!(w("$", &[]), "$");
        assert_eq!(w("a$", &[]), "a$");
        assert_eq!(w("$/x", &[]), "$/x");
        assert_eq!(w("$ x", &[]), "$ x");
        assert_eq!(w("100$%", &[]), "100$%");
        assert_eq!(w("$.", &[]), "$.");
    }

    #[test]
    fn issue17_positional_and_special_names_are_looked_up() {
        let map = env(&[("1", "one")]);
        let r = word("$1$12$@$$", '\\', &|k| map.get(k).cloned()).unwrap();
        assert_eq!(r.value, "one");
        assert_eq!(r.used, vec!["1", "12", "@", "$"]);
    }

    #[test]
    fn issue17_default_and_alternative_operators() {
        let v = [("SET", "v"), ("EMPTY", "")];
        assert_eq!(w("${SET:-d}", &v), "v");
        assert_eq!(w("${EMPTY:-d}", &v), "d");
        assert_eq!(w("${UNSET:-d}", &v), "d");
        assert_eq!(w("${SET-d}", &v), "v");
        assert_eq!(w("${EMPTY-d}", &v), "");
        assert_eq!(w("${UNSET-d}", &v), "d");

        assert_eq!(w("${SET:+alt}", &v), "alt");
        assert_eq!(w("${EMPTY:+alt}", &v), "");
        assert_eq!(w("${UNSET:+alt}", &v), "");
        assert_eq!(w("${SET+alt}", &v), "alt");
        assert_eq!(w("${EMPTY+alt}", &v), "alt");
        assert_eq!(w("${UNSET+alt}", &v), "");
        assert_eq!(w("${UNSET:-}", &v), "");
    }

    #[test]
    fn issue17_nested_words_in_modifiers() {
        let v = [("A", "a"), ("B", "b")];
        assert_eq!(w("${UNSET:-$A}", &v), "a");
        assert_eq!(w("${UNSET:-${B}-x}", &v), "b-x");
        assert_eq!(w("${UNSET:-${NOPE:-deep}}", &v), "deep");
        assert_eq!(w("${A:+[$B]}", &v), "[b]");
        assert_eq!(w("${UNSET:-\"q u\"}", &v), "q u");
        assert_eq!(w("${UNSET:-'$A'}", &v), "$A");
        assert_eq!(w("${UNSET:-a\\}b}", &v), "a}b");
        assert_eq!(w("${UNSET:-/usr/local}/bin", &v), "/usr/local/bin");
    }

    #[test]
    fn issue17_error_operator() {
        let v = [("SET", "v"), ("EMPTY", "")];
        assert_eq!(w("${SET:?boom}", &v), "v");
        assert_eq!(w("${SET?boom}", &v), "v");
        assert_eq!(w("${EMPTY?boom}", &v), "");
        assert_eq!(werr("${UNSET:?must be set}", &v), "UNSET: must be set");
        assert_eq!(werr("${UNSET?}", &v), "UNSET: is not allowed to be unset");
        assert_eq!(werr("${EMPTY:?}", &v), "EMPTY: is not allowed to be empty");
        assert_eq!(werr("${EMPTY:?msg $SET}", &v), "EMPTY: msg v");
        let e = word("${X:?x}", '\\', &|_| None).unwrap_err();
        assert_eq!(e.to_string(), "\"${X:?x}\": X: x");
    }

    #[test]
    fn issue17_malformed_expressions_are_errors() {
        for (text, message) in [
            ("${", "syntax error: missing '}'"),
            ("${A", "syntax error: missing '}'"),
            ("${A:-x", "syntax error: missing '}'"),
            ("${A:", "syntax error: missing '}'"),
            ("${}", "syntax error: bad substitution"),
            ("${:a}", "syntax error: bad substitution"),
            ("${{a}", "syntax error: bad substitution"),
            ("${A!}", "unsupported modifier (!) in substitution"),
            ("${A:x}", "unsupported modifier (:x) in substitution"),
            ("${A:#x}", "unsupported modifier (:#) in substitution"),
            ("${A/x}", "syntax error: missing '/' in ${}"),
            (
                "'abc",
                "unexpected end of statement while looking for matching single-quote",
            ),
            (
                "\"abc",
                "unexpected end of statement while looking for matching double-quote",
            ),
            (
                "\"abc\\",
                "unexpected end of statement while looking for matching double-quote",
            ),
        ] {
            assert_eq!(werr(text, &[("A", "a")]), message, "{text}");
        }
    }

    #[test]
    fn issue17_deep_nesting_is_bounded() {
        let deep = "${A:-".repeat(10_000) + &"}".repeat(10_000);
        let e = werr(&deep, &[]);
        assert!(e.contains("nested too deeply"), "{e}");
        let ok = "${A:-".repeat(10) + "x" + &"}".repeat(10);
        assert_eq!(w(&ok, &[]), "x");
    }

    #[test]
    fn issue17_quotes() {
        let v = [("A", "x y")];
        assert_eq!(w("'$A'", &v), "$A");
        assert_eq!(w("\"$A\"", &v), "x y");
        assert_eq!(w("\"${A}\"", &v), "x y");
        assert_eq!(w("a'b c'd", &v), "ab cd");
        assert_eq!(w("\"it's\"", &v), "it's");
        assert_eq!(w("'say \"hi\"'", &v), "say \"hi\"");
        assert_eq!(w("''", &v), "");
        assert_eq!(w("'a\\b'", &v), "a\\b", "no escapes in single quotes");
    }

    #[test]
    fn issue17_escapes() {
        let v = [("A", "x")];
        assert_eq!(w("\\$A", &v), "$A");
        assert_eq!(w("\\${A}", &v), "${A}");
        assert_eq!(w("a\\ b", &v), "a b");
        assert_eq!(w("\\'x\\'", &v), "'x'");
        assert_eq!(w("\\\\", &v), "\\");
        assert_eq!(w("a\\", &v), "a", "a trailing escape is dropped");
        // In double quotes the escape works only before " $ and itself.
        assert_eq!(w("\"\\$A\"", &v), "$A");
        assert_eq!(w("\"a\\\"b\"", &v), "a\"b");
        assert_eq!(w("\"a\\\\b\"", &v), "a\\b");
        assert_eq!(w("\"a\\tb\"", &v), "a\\tb");
        assert_eq!(w("\"a\\'b\"", &v), "a\\'b");
    }

    #[test]
    fn issue17_backtick_escape() {
        let map = env(&[("A", "x")]);
        let f = |k: &str| map.get(k).cloned();
        assert_eq!(word("`$A", '`', &f).unwrap().value, "$A");
        assert_eq!(word("c:\\dir\\$A", '`', &f).unwrap().value, "c:\\dir\\x");
        assert_eq!(word("\"a`\"b\"", '`', &f).unwrap().value, "a\"b");
        assert_eq!(
            words("a` b c", '`', &f).unwrap().value,
            vec!["a b".to_string(), "c".to_string()]
        );
    }

    #[test]
    fn issue17_words_splitting() {
        let v = [
            ("space", "abc  def"),
            ("leading", "  ab c"),
            ("trailing", "ab c   "),
            ("empty", ""),
        ];
        assert_eq!(ws("hello", &v), ["hello"]);
        assert_eq!(ws("hello there     ", &v), ["hello", "there"]);
        assert_eq!(ws("  a   b  ", &v), ["a", "b"]);
        assert_eq!(ws("hello${space}bye", &v), ["helloabc", "defbye"]);
        assert_eq!(ws("hello\"${space}\"bye", &v), ["helloabc  defbye"]);
        assert_eq!(ws("hello \"${space}\"bye", &v), ["hello", "abc  defbye"]);
        assert_eq!(ws("hello${leading}def", &v), ["hello", "ab", "cdef"]);
        assert_eq!(ws("hello\"${leading}\" def", &v), ["hello  ab c", "def"]);
        assert_eq!(ws("hello${trailing}d", &v), ["helloab", "c", "d"]);
        assert_eq!(ws("hel\"lo${trailing}\"", &v), ["helloab c   "]);
        assert_eq!(ws("hello\\ there", &v), ["hello there"]);
        assert_eq!(ws("hello\\\" there", &v), ["hello\"", "there"]);
        assert_eq!(ws("hello'\\\\there'", &v), ["hello\\\\there"]);
        assert_eq!(ws("hello'$there'", &v), ["hello$there"]);
        // Unset and empty give no word at all.
        assert_eq!(ws("a $UNSET b", &v), ["a", "b"]);
        assert_eq!(ws("$UNSET", &v), Vec::<String>::new());
        assert_eq!(ws("$empty \"\" ''", &v), Vec::<String>::new());
        assert_eq!(ws("", &v), Vec::<String>::new());
        // Text before a modifier expression stays in its word.
        assert_eq!(ws("a${UNSET:-x} b", &v), ["ax", "b"]);
        // `<<` and the spaces after it stay one word (BuildKit's heredoc rule).
        assert_eq!(ws("cat << EOF", &v), ["cat", "<< EOF"]);
    }

    #[test]
    fn issue17_used_variables_deduplicated_in_order() {
        let map = env(&[("A", "1"), ("B", "")]);
        let f = |k: &str| map.get(k).cloned();
        let r = word("$B ${A} $C ${A:-x} ${D:-$E} '$F' \"$G\" \\$H", '\\', &f).unwrap();
        assert_eq!(r.used, vec!["B", "A", "C", "E", "D", "G"]);
        let r = words("$X $Y $X", '\\', &f).unwrap();
        assert_eq!(r.used, vec!["X", "Y"]);
        let r = word("no vars", '\\', &f).unwrap();
        assert!(r.used.is_empty());
    }

    #[test]
    fn issue17_heredoc_bodies_keep_quotes() {
        let map = env(&[("NAME", "me"), ("EMPTY", "")]);
        let f = |k: &str| map.get(k).cloned();
        let h = |t: &str| heredoc(t, &f).unwrap();
        assert_eq!(h("hello $NAME\n").value, "hello me\n");
        assert_eq!(h("\"$NAME\" '$NAME'\n").value, "\"me\" 'me'\n");
        assert_eq!(h("\\$NAME costs \\$5\n").value, "$NAME costs $5\n");
        assert_eq!(h("${EMPTY:-dflt} ${UNSET}.\n").value, "dflt .\n");
        assert_eq!(h("it's \"unbalanced\n").value, "it's \"unbalanced\n");
        assert_eq!(h("a\\\\b\n").value, "a\\b\n");
        assert_eq!(h("a\\nb").value, "anb", "BuildKit's escape rule");
        assert_eq!(h("$NAME $X").used, vec!["NAME", "X"]);
        assert!(heredoc("${NAME", &f).is_err());
    }

    #[test]
    fn issue17_prefix_and_suffix_removal() {
        let v = [
            ("P", "linux/arm64/v8"),
            ("F", "archive.tar.gz"),
            ("S", "a*b"),
        ];
        assert_eq!(w("${P#linux/}", &v), "arm64/v8");
        assert_eq!(w("${P#*/}", &v), "arm64/v8");
        assert_eq!(w("${P##*/}", &v), "v8");
        assert_eq!(w("${P#nomatch}", &v), "linux/arm64/v8");
        assert_eq!(w("${F%.*}", &v), "archive.tar");
        assert_eq!(w("${F%%.*}", &v), "archive");
        assert_eq!(w("${F%.gz}", &v), "archive.tar");
        assert_eq!(w("${F%?z}", &v), "archive.tar.");
        assert_eq!(w("${S#a\\*}", &v), "b");
        assert_eq!(w("${UNSET#x}", &v), "");
        assert_eq!(w("${F#}", &v), "archive.tar.gz");
        assert!(werr("${F#\\x}", &v).contains("invalid escape"));
    }

    #[test]
    fn issue17_pattern_replacement() {
        let v = [("A", "a-b-c"), ("P", "/usr/lib")];
        assert_eq!(w("${A/-/+}", &v), "a+b-c");
        assert_eq!(w("${A//-/+}", &v), "a+b+c");
        assert_eq!(w("${A//-/}", &v), "abc");
        assert_eq!(w("${A/b*/X}", &v), "a-X");
        assert_eq!(w("${A/?/X}", &v), "X-b-c");
        assert_eq!(w("${A/zz/X}", &v), "a-b-c");
        assert_eq!(w("${P//\\//_}", &v), "_usr_lib");
        assert_eq!(w("${UNSET/a/b}", &v), "");
        assert_eq!(w("${A///X}", &v), "XaX-XbX-XcX");
    }

    #[test]
    fn issue17_raw_modes_for_heredoc_detection() {
        let none = |_: &str| None;
        let mut lex = Lex::new("RUN <<'E O' \"$X\" \\$Y ${Z:-w}", '\\', &none);
        lex.raw_quotes = true;
        lex.raw_escapes = true;
        lex.skip_unset = true;
        let (_, words) = lex.run().unwrap();
        assert_eq!(words, ["RUN", "<<'E O'", "\"$X\"", "\\$Y", "${Z:-w}"]);
    }
}
