//! Property tests of [`Reference::parse`] (issue 18): generated strings,
//! from pieces of the grammar and from mutating valid references.
//!
//! Properties: parsing never panics; an accepted reference prints (as
//! `Display`, the form the store keeps and messages show) to a string that
//! parses back to the same reference, qualified, with only the implied
//! `:latest` made explicit; its registry is a valid one, its repository
//! path valid components, and the normalized name within the grammar's
//! 255 characters.

use super::*;
use rsp_base::testing::fuzz::{self, Rng};

const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

const PIECES: &[&str] = &[
    "a",
    "b0",
    "alpine",
    "library",
    "docker.io",
    "index.docker.io",
    "localhost",
    "quay.io",
    "127.0.0.1",
    "[::1]",
    "[",
    "]",
    ":",
    ":5000",
    ":latest",
    ":v1.0-rc_2",
    "/",
    "//",
    "@",
    "@sha256:",
    DIGEST,
    ".",
    "..",
    "-",
    "--",
    "_",
    "__",
    "___",
    "A",
    "Alpine",
    "é",
    "\u{0}",
    " ",
    "sha256:",
    "0123456789abcdef",
];

fn generated(rng: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..rng.size(12) {
        if rng.chance(5) {
            // Long names and tags: the length limits.
            let n = rng.size(300);
            s.push_str(&"a".repeat(n));
        } else {
            let piece: &&str = rng.pick(PIECES);
            s.push_str(piece);
        }
    }
    s
}

fn valid_sample(rng: &mut Rng) -> String {
    rng.pick(&[
        "alpine",
        "alpine:3.19",
        "user/x:1.0",
        "docker.io/library/alpine:latest",
        "index.docker.io/alpine",
        "localhost:5000/a/b:t",
        "[::1]:5000/x:t",
        "quay.io/podman/hello@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "a.b-c__d/e:tag@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "foo.com:5000",
    ])
    .to_string()
}

fn check(input: &str) {
    let Ok((r, _)) = Reference::parse_with_qualified(input) else {
        return;
    };
    let shown = r.to_string();
    let (again, qualified) = Reference::parse_with_qualified(&shown)
        .unwrap_or_else(|e| panic!("{input:?} parsed as {shown:?}, which does not parse: {e}"));
    assert!(qualified, "{shown:?} names its registry");
    let mut expected = r.clone();
    if expected.tag.is_none() && expected.digest.is_none() {
        expected.tag = Some(DEFAULT_TAG.to_string());
    }
    assert_eq!(again, expected, "{input:?} printed as {shown:?}");
    assert_eq!(again.to_string(), shown, "printing is stable");
    assert!(is_valid_registry(&r.registry), "{input:?}: {r:?}");
    assert!(
        r.repository.split('/').all(is_valid_component),
        "{input:?}: {r:?}"
    );
    assert!(r.name().len() <= MAX_NAME_LEN, "{input:?}: {r:?}");
}

#[test]
fn issue18_reference_parse_round_trips() {
    fuzz::run("reference", 50_000, |rng| {
        let input = if rng.chance(50) {
            generated(rng)
        } else {
            let mut bytes = valid_sample(rng).into_bytes();
            rng.mutate(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        };
        check(&input);
    });
}
