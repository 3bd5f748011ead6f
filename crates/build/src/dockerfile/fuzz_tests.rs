//! Property tests of the Dockerfile parser (issue 18): generated files
//! from the pieces of the syntax (keywords in any case, flags, JSON and
//! shell forms, quotes, escapes, line continuations, heredocs of every
//! spelling, comments, parser directives, CRLF, a BOM, odd unicode), and
//! valid files mutated.
//!
//! Properties: [`parse`] never panics and returns in bounded time for
//! bounded input (each case is a few KiB at most); an accepted file has
//! instructions, each on a line of the file, in order, its first
//! non-`ARG` instruction a `FROM`; an error names a line of the file.

use super::*;
use rsp_base::testing::fuzz::{self, Rng};
use std::time::{Duration, Instant};

const WORDS: &[&str] = &[
    "FROM",
    "from",
    "RUN",
    "run",
    "COPY",
    "ADD",
    "ENV",
    "LABEL",
    "ARG",
    "ONBUILD",
    "HEALTHCHECK",
    "CMD",
    "NONE",
    "ENTRYPOINT",
    "SHELL",
    "WORKDIR",
    "USER",
    "EXPOSE",
    "VOLUME",
    "STOPSIGNAL",
    "MAINTAINER",
    "AS",
    "alpine",
    "stage",
    "--mount=type=cache,target=/x",
    "--from=stage",
    "--chown=1:1",
    "--link",
    "--link=maybe",
    "--interval=30s",
    "--timeout=1.5h",
    "--retries=-1",
    "--start-period=99999999999999999999h",
    "--",
    "--=",
    "-",
    "<<EOF",
    "<<-EOF",
    "<<\"EOF\"",
    "<<'E O F'",
    "2<<EOF",
    "<<<",
    "<<",
    "EOF",
    "\tEOF",
    "[\"a\", \"b\"]",
    "[\"sh\", 1]",
    "[",
    "]",
    "\"",
    "'",
    "\\",
    "`",
    "$VAR",
    "${A:-b}",
    "A=b",
    "=",
    "a b",
    "#",
    "# escape=`",
    "# escape=\\",
    "# syntax=docker/dockerfile:1",
    "# check=skip=all",
    "# escape=x",
    "é",
    "中文",
    "\u{2028}",
    "\u{200b}",
    "\u{feff}",
    "\u{0}",
    "\r",
    "\x0b",
];

const SEPARATORS: &[&str] = &[" ", " ", " ", "\t", "  ", "\n", "\\\n", "`\n", "\r\n", ""];

fn generated(rng: &mut Rng) -> String {
    let mut s = String::new();
    if rng.chance(5) {
        s.push('\u{feff}');
    }
    for _ in 0..rng.size(40) {
        let word: &&str = rng.pick(WORDS);
        s.push_str(word);
        let sep: &&str = rng.pick(SEPARATORS);
        s.push_str(sep);
    }
    s
}

const SAMPLE: &str = concat!(
    "# syntax=docker/dockerfile:1\n",
    "# escape=\\\n",
    "ARG BASE=alpine\n",
    "FROM ${BASE} AS build\n",
    "RUN --mount=type=cache,target=/c <<EOF\n",
    "echo hi \\\n",
    "  there\n",
    "EOF\n",
    "COPY --from=build <<-A <<\"B\" /dst/\n",
    "\tone\n",
    "\tA\n",
    "two\n",
    "B\n",
    "ENV A=1 B=\"two words\" \\\n",
    "    C=3\n",
    "LABEL k=v\n",
    "HEALTHCHECK --interval=5s CMD [\"true\"]\n",
    "ONBUILD RUN echo later\n",
    "# a comment\n",
    "SHELL [\"/bin/sh\", \"-c\"]\n",
    "CMD echo done\n",
);

fn check(text: &str) {
    let lines = text.split_inclusive('\n').count().max(1);
    let start = Instant::now();
    let result = parse(text);
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "parsing {} bytes took {:?}",
        text.len(),
        start.elapsed()
    );
    match result {
        Ok(file) => {
            assert!(!file.instructions.is_empty());
            let mut last = 0;
            for i in &file.instructions {
                assert!(
                    i.line > last && i.line <= lines,
                    "line {} of {lines}",
                    i.line
                );
                last = i.line;
            }
            let first = file
                .instructions
                .iter()
                .find(|i| !matches!(i.kind, Kind::Arg(_)));
            assert!(matches!(first.map(|i| &i.kind), Some(Kind::From { .. })));
        }
        Err(e) => {
            assert!(
                (1..=lines).contains(&e.line),
                "error on line {} of {lines}",
                e.line
            );
            assert!(!e.to_string().is_empty());
        }
    }
}

#[test]
fn issue18_dockerfile_parse_never_panics() {
    fuzz::run("dockerfile", 20_000, |rng| {
        let text = if rng.chance(50) {
            generated(rng)
        } else {
            let mut bytes = SAMPLE.as_bytes().to_vec();
            for _ in 0..1 + rng.below(6) {
                rng.mutate(&mut bytes);
            }
            String::from_utf8_lossy(&bytes).into_owned()
        };
        check(&text);
    });
}

/// Large inputs stay fast: a long continuation, many heredocs, a long run
/// of quotes, many flags, many comments.
#[test]
fn issue18_dockerfile_large_inputs_parse_quickly() {
    let n = 20_000;
    for text in [
        format!("FROM a\nRUN {}echo\n", "x \\\n".repeat(n)),
        format!("FROM a\nRUN {}\n{}", "<<E ".repeat(200), "E\n".repeat(200)),
        format!("FROM a\nENV A={}\n", "\"'".repeat(n)),
        format!("FROM a\nCOPY {} /d\n", "--chown=1 ".repeat(n)),
        format!("{}FROM a\n", "# c\n".repeat(n)),
    ] {
        check(&text);
    }
}
