//! Image references as Podman and Docker understand them.
//!
//! Contract: [`Reference::parse`] accepts `[registry/]path[:tag][@sha256:<hex>]`, validates it
//! against the distribution reference grammar and normalizes it the way Podman does: a name
//! without a registry goes to `docker.io`, and single-component Docker Hub names get the
//! `library/` namespace. The first path component is a registry only when it contains `.` or
//! `:`, is `localhost`, or is a bracketed IPv6 address. A reference without a tag or digest
//! stands for `:latest`; `tag` stays `None` so callers can tell whether the user wrote one.
//! Only `sha256` digests are accepted, since that is all the store can verify.

use std::fmt;
use std::str::FromStr;

/// Registry used for names that do not start with one.
pub const DEFAULT_REGISTRY: &str = "docker.io";
/// Tag used when a reference names neither a tag nor a digest.
pub const DEFAULT_TAG: &str = "latest";

const DOCKER_HUB_LEGACY: &str = "index.docker.io";
const OFFICIAL_NAMESPACE: &str = "library/";
const MAX_NAME_LEN: usize = 255;
const MAX_TAG_LEN: usize = 128;

/// Why a string is not a valid image reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("invalid image reference: the name is empty: give an image name such as alpine")]
    Empty,
    #[error("invalid image reference {input:?}: repository {repository:?} must be lowercase")]
    Uppercase { input: String, repository: String },
    #[error(
        "invalid image reference {input:?}: repository component {component:?} must be lowercase \
         letters and digits separated by '.', '_', '__' or dashes"
    )]
    BadComponent { input: String, component: String },
    #[error("invalid image reference {input:?}: registry {registry:?} is not a valid host[:port]")]
    BadRegistry { input: String, registry: String },
    #[error(
        "invalid image reference {input:?}: tag {tag:?} must be 1-128 letters, digits, '_', '.' \
         or '-' and not start with '.' or '-'"
    )]
    BadTag { input: String, tag: String },
    #[error(
        "invalid image reference {input:?}: digest {digest:?} must be sha256:<64 lowercase hex>"
    )]
    BadDigest { input: String, digest: String },
    #[error("invalid image reference {input:?}: the repository name is longer than 255 characters")]
    TooLong { input: String },
}

/// A normalized image reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    /// Registry host, with port if any, e.g. `docker.io` or `localhost:5000`.
    pub registry: String,
    /// Repository path inside the registry, e.g. `library/alpine`.
    pub repository: String,
    /// Tag as written; `None` means `latest` unless a digest is given.
    pub tag: Option<String>,
    /// `sha256:<hex>` when the reference pins a manifest.
    pub digest: Option<String>,
}

/// A reference split into its parts before defaults are applied.
struct Parts<'a> {
    registry: Option<&'a str>,
    path: &'a str,
    tag: Option<&'a str>,
    digest: Option<&'a str>,
}

impl Reference {
    /// Parses and normalizes `s` (see the module documentation for the rules).
    pub fn parse(s: &str) -> Result<Reference, ReferenceError> {
        Self::parse_with_qualified(s).map(|(reference, _)| reference)
    }

    /// Like [`Reference::parse`], and also tells whether `s` named its registry. An
    /// unqualified name is the cue to try each of registries.conf's
    /// `unqualified-search-registries` in turn instead of only Docker Hub.
    pub fn parse_with_qualified(s: &str) -> Result<(Reference, bool), ReferenceError> {
        let parts = split(s)?;
        let qualified = parts.registry.is_some();
        let registry = parts.registry.unwrap_or(DEFAULT_REGISTRY);
        let reference = parts.into_reference(registry);
        // The limit is on the normalized name, as in the distribution
        // grammar (`ParseNormalizedNamed` checks `docker.io/library/...`):
        // checked on the name as written, a 250-character `aaa...` was
        // accepted while its own `to_string()` was refused (issue 18).
        if reference.name().len() > MAX_NAME_LEN {
            return Err(ReferenceError::TooLong {
                input: s.to_string(),
            });
        }
        Ok((reference, qualified))
    }

    /// The same image on another registry, for trying search registries. Docker Hub puts
    /// single-component names under `library/`; other registries take the path as is, so an
    /// implicit `library/` added for Docker Hub is dropped when moving elsewhere.
    pub fn with_registry(&self, registry: &str) -> Reference {
        let registry = normalize_registry(registry);
        let path = if self.registry == DEFAULT_REGISTRY {
            self.repository
                .strip_prefix(OFFICIAL_NAMESPACE)
                .filter(|rest| !rest.contains('/'))
                .unwrap_or(&self.repository)
        } else {
            &self.repository
        };
        Reference {
            registry: registry.to_string(),
            repository: repository_for(registry, path),
            tag: self.tag.clone(),
            digest: self.digest.clone(),
        }
    }

    /// `registry/repository`, e.g. `docker.io/library/alpine`.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The tag, or `latest` when none was written.
    pub fn tag_or_latest(&self) -> &str {
        self.tag.as_deref().unwrap_or(DEFAULT_TAG)
    }
}

impl Parts<'_> {
    fn into_reference(self, registry: &str) -> Reference {
        let registry = normalize_registry(registry);
        Reference {
            registry: registry.to_string(),
            repository: repository_for(registry, self.path),
            tag: self.tag.map(str::to_string),
            digest: self.digest.map(str::to_string),
        }
    }
}

/// Builds the repository for `path` on `registry`, adding Docker Hub's implicit namespace.
fn repository_for(registry: &str, path: &str) -> String {
    if registry == DEFAULT_REGISTRY && !path.contains('/') {
        format!("{OFFICIAL_NAMESPACE}{path}")
    } else {
        path.to_string()
    }
}

fn normalize_registry(registry: &str) -> &str {
    if registry == DOCKER_HUB_LEGACY {
        DEFAULT_REGISTRY
    } else {
        registry
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        match (&self.tag, &self.digest) {
            (Some(tag), Some(digest)) => write!(f, ":{tag}@{digest}"),
            (Some(tag), None) => write!(f, ":{tag}"),
            (None, Some(digest)) => write!(f, "@{digest}"),
            (None, None) => write!(f, ":{DEFAULT_TAG}"),
        }
    }
}

impl FromStr for Reference {
    type Err = ReferenceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Reference::parse(s)
    }
}

/// Whether `s` can name an image by (a prefix of) its ID: 3 to 64 lowercase hex digits,
/// optionally after `sha256:`.
pub fn is_image_id_prefix(s: &str) -> bool {
    let hex = s.strip_prefix("sha256:").unwrap_or(s);
    (3..=64).contains(&hex.len()) && hex.bytes().all(is_lower_hex)
}

fn split(input: &str) -> Result<Parts<'_>, ReferenceError> {
    if input.is_empty() {
        return Err(ReferenceError::Empty);
    }
    let (rest, digest) = match input.split_once('@') {
        Some((rest, digest)) => {
            if !is_valid_digest(digest) {
                return Err(ReferenceError::BadDigest {
                    input: input.to_string(),
                    digest: digest.to_string(),
                });
            }
            (rest, Some(digest))
        }
        None => (input, None),
    };
    // A ':' after the last '/' starts the tag; one before it belongs to a registry port.
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    if let Some(tag) = tag
        && !is_valid_tag(tag)
    {
        return Err(ReferenceError::BadTag {
            input: input.to_string(),
            tag: tag.to_string(),
        });
    }
    if name.is_empty() {
        return Err(ReferenceError::Empty);
    }
    let (registry, path) = match name.split_once('/') {
        Some((first, path)) if looks_like_registry(first) => (Some(first), path),
        _ => (None, name),
    };
    if let Some(registry) = registry
        && !is_valid_registry(registry)
    {
        return Err(ReferenceError::BadRegistry {
            input: input.to_string(),
            registry: registry.to_string(),
        });
    }
    validate_path(input, path)?;
    Ok(Parts {
        registry,
        path,
        tag,
        digest,
    })
}

fn looks_like_registry(component: &str) -> bool {
    component.contains(['.', ':']) || component == "localhost" || component.starts_with('[')
}

fn validate_path(input: &str, path: &str) -> Result<(), ReferenceError> {
    for component in path.split('/') {
        if is_valid_component(component) {
            continue;
        }
        // Uppercase is the most common mistake; say so rather than reciting the grammar.
        let lowered = component.to_ascii_lowercase();
        if lowered != component && is_valid_component(&lowered) {
            return Err(ReferenceError::Uppercase {
                input: input.to_string(),
                repository: path.to_string(),
            });
        }
        return Err(ReferenceError::BadComponent {
            input: input.to_string(),
            component: component.to_string(),
        });
    }
    Ok(())
}

/// `[a-z0-9]+(([_.]|__|[-]+)[a-z0-9]+)*`
fn is_valid_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if bytes.is_empty() || !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let separator = &component[start..i];
        let ok = matches!(separator, "." | "_" | "__") || separator.bytes().all(|b| b == b'-');
        if !ok {
            return false;
        }
    }
    true
}

/// `host[:port]` where host is dot-separated labels or a bracketed IPv6 address.
fn is_valid_registry(registry: &str) -> bool {
    let port_ok = |port: Option<&str>| {
        port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    };
    if let Some(rest) = registry.strip_prefix('[') {
        let Some((addr, after)) = rest.split_once(']') else {
            return false;
        };
        let port = match after {
            "" => None,
            _ => match after.strip_prefix(':') {
                Some(port) => Some(port),
                None => return false,
            },
        };
        return !addr.is_empty()
            && addr.bytes().all(|b| b.is_ascii_hexdigit() || b == b':')
            && port_ok(port);
    }
    let (host, port) = match registry.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (registry, None),
    };
    let label_ok = |label: &str| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    port_ok(port) && host.split('.').all(label_ok)
}

/// `[\w][\w.-]{0,127}`
fn is_valid_tag(tag: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = tag.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_TAG_LEN
        && word(bytes[0])
        && bytes.iter().all(|&b| word(b) || b == b'.' || b == b'-')
}

fn is_valid_digest(digest: &str) -> bool {
    digest
        .strip_prefix("sha256:")
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(is_lower_hex))
}

fn is_lower_hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
}

#[cfg(test)]
mod fuzz_tests;

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn parsed(s: &str) -> (String, String, Option<String>, Option<String>) {
        let r = Reference::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        (r.registry, r.repository, r.tag, r.digest)
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn short_name_goes_to_docker_hub_library() {
        assert_eq!(
            parsed("alpine"),
            ("docker.io".into(), "library/alpine".into(), None, None)
        );
        assert_eq!(
            Reference::parse("alpine").unwrap().to_string(),
            "docker.io/library/alpine:latest"
        );
    }

    #[test]
    fn user_namespace_stays_on_docker_hub() {
        assert_eq!(
            parsed("user/x:1.0"),
            ("docker.io".into(), "user/x".into(), some("1.0"), None)
        );
        assert_eq!(
            parsed("a/b/c"),
            ("docker.io".into(), "a/b/c".into(), None, None)
        );
    }

    #[test]
    fn docker_hub_spellings_normalize() {
        for s in [
            "docker.io/alpine",
            "docker.io/library/alpine",
            "index.docker.io/alpine",
            "index.docker.io/library/alpine",
        ] {
            assert_eq!(
                parsed(s),
                ("docker.io".into(), "library/alpine".into(), None, None),
                "{s}"
            );
        }
    }

    #[test]
    fn explicit_registries_are_kept() {
        assert_eq!(
            parsed("localhost/x"),
            ("localhost".into(), "x".into(), None, None)
        );
        assert_eq!(
            parsed("localhost:5000/x:v1"),
            ("localhost:5000".into(), "x".into(), some("v1"), None)
        );
        assert_eq!(
            parsed("127.0.0.1:5000/a/b"),
            ("127.0.0.1:5000".into(), "a/b".into(), None, None)
        );
        assert_eq!(
            parsed("quay.io/podman/hello"),
            ("quay.io".into(), "podman/hello".into(), None, None)
        );
        assert_eq!(
            parsed("myhost:443/x"),
            ("myhost:443".into(), "x".into(), None, None)
        );
        assert_eq!(
            parsed("[::1]:5000/x:t"),
            ("[::1]:5000".into(), "x".into(), some("t"), None)
        );
        assert_eq!(
            parsed("Registry.Example.COM/x"),
            ("Registry.Example.COM".into(), "x".into(), None, None)
        );
    }

    #[test]
    fn first_component_without_dot_or_colon_is_a_namespace() {
        assert_eq!(
            parsed("myhost/x"),
            ("docker.io".into(), "myhost/x".into(), None, None)
        );
        // Docker reads these as a repository with a tag, not a registry.
        assert_eq!(
            parsed("localhost:5000"),
            (
                "docker.io".into(),
                "library/localhost".into(),
                some("5000"),
                None
            )
        );
        assert_eq!(
            parsed("test.com:tag"),
            (
                "docker.io".into(),
                "library/test.com".into(),
                some("tag"),
                None
            )
        );
    }

    #[test]
    fn digests() {
        assert_eq!(
            parsed(&format!("x@{D}")),
            ("docker.io".into(), "library/x".into(), None, some(D))
        );
        assert_eq!(
            parsed(&format!("localhost:5000/x:tag@{D}")),
            ("localhost:5000".into(), "x".into(), some("tag"), some(D))
        );
        assert_eq!(
            Reference::parse(&format!("x@{D}")).unwrap().to_string(),
            format!("docker.io/library/x@{D}")
        );
        assert_eq!(
            Reference::parse(&format!("x:tag@{D}")).unwrap().to_string(),
            format!("docker.io/library/x:tag@{D}")
        );
    }

    #[test]
    fn separators_in_components() {
        for s in ["a.b", "a_b", "a__b", "a-b", "a---b", "a0/b1.c_d__e-f"] {
            Reference::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        }
    }

    #[test]
    fn tags() {
        Reference::parse("x:_under").unwrap();
        Reference::parse("x:UPPER.case-ok_1").unwrap();
        Reference::parse(&format!("x:{}", "a".repeat(128))).unwrap();
    }

    /// Regression (issue 18, found by `fuzz_tests`): the name limit was
    /// checked before normalization, so a reference printed to a string
    /// that did not parse.
    #[test]
    fn issue18_name_limit_is_on_the_normalized_name() {
        let short = "a".repeat(255 - "docker.io/library/".len());
        let shown = Reference::parse(&short).unwrap().to_string();
        assert!(Reference::parse(&shown).is_ok(), "{shown}");
        let long = format!("{short}a");
        assert!(matches!(
            Reference::parse(&long),
            Err(ReferenceError::TooLong { .. })
        ));
        // Written longer than the limit, normalized within it.
        let legacy = format!("index.docker.io/library/{short}");
        assert_eq!(Reference::parse(&legacy).unwrap().to_string(), shown);
    }

    #[test]
    fn rejections() {
        fn kind(e: &ReferenceError) -> &'static str {
            match e {
                ReferenceError::Empty => "empty",
                ReferenceError::Uppercase { .. } => "uppercase",
                ReferenceError::BadComponent { .. } => "component",
                ReferenceError::BadRegistry { .. } => "registry",
                ReferenceError::BadTag { .. } => "tag",
                ReferenceError::BadDigest { .. } => "digest",
                ReferenceError::TooLong { .. } => "long",
            }
        }
        let long_name = "a".repeat(256);
        let long_tag = format!("x:{}", "a".repeat(129));
        let upper_digest = format!("x@sha256:{}", "A".repeat(64));
        let short_digest = format!("x@sha256:{}", "a".repeat(63));
        let sha512 = format!("x@sha512:{}", "a".repeat(128));
        let cases = [
            ("", "empty"),
            (":tag", "empty"),
            ("Alpine", "uppercase"),
            ("quay.io/Foo/bar", "uppercase"),
            ("a..b", "component"),
            ("a___b", "component"),
            ("-a", "component"),
            ("a/", "component"),
            ("a//b", "component"),
            ("a b", "component"),
            ("x:", "tag"),
            ("x:.t", "tag"),
            ("x:-t", "tag"),
            ("x:a+b", "tag"),
            (&long_tag, "tag"),
            ("x@sha256:abc", "digest"),
            ("x@", "digest"),
            (&upper_digest, "digest"),
            (&short_digest, "digest"),
            (&sha512, "digest"),
            ("x:t/u", "registry"),
            ("host:port/x", "registry"),
            ("-bad.host/x", "registry"),
            ("[zz]/x", "registry"),
            ("[::1/x", "registry"),
            (&long_name, "long"),
        ];
        for (input, expected) in cases {
            let err = Reference::parse(input).expect_err(input);
            assert_eq!(kind(&err), expected, "{input:?}: {err}");
        }
    }

    #[test]
    fn error_messages_name_the_input() {
        let err = Reference::parse("Alpine:latest").unwrap_err().to_string();
        assert!(err.contains("\"Alpine:latest\""), "{err}");
        assert!(err.contains("lowercase"), "{err}");
        let err = Reference::parse("x:.bad").unwrap_err().to_string();
        assert!(
            err.contains("\"x:.bad\"") && err.contains("\".bad\""),
            "{err}"
        );
    }

    #[test]
    fn qualified_flag() {
        assert!(!Reference::parse_with_qualified("alpine").unwrap().1);
        assert!(!Reference::parse_with_qualified("user/x").unwrap().1);
        assert!(
            Reference::parse_with_qualified("docker.io/alpine")
                .unwrap()
                .1
        );
        assert!(Reference::parse_with_qualified("localhost/x").unwrap().1);
        assert!(Reference::parse_with_qualified("h:1/x").unwrap().1);
    }

    #[test]
    fn with_registry_moves_between_registries() {
        let alpine = Reference::parse("alpine:3").unwrap();
        let quay = alpine.with_registry("quay.io");
        assert_eq!(quay.to_string(), "quay.io/alpine:3");
        assert_eq!(
            quay.with_registry("docker.io").to_string(),
            "docker.io/library/alpine:3"
        );
        assert_eq!(
            quay.with_registry("index.docker.io").to_string(),
            "docker.io/library/alpine:3"
        );
        let user = Reference::parse(&format!("user/x@{D}")).unwrap();
        assert_eq!(
            user.with_registry("localhost:5000").to_string(),
            format!("localhost:5000/user/x@{D}")
        );
        let nested = Reference::parse("library/a/b").unwrap();
        assert_eq!(nested.with_registry("r.io").name(), "r.io/library/a/b");
    }

    #[test]
    fn name_and_tag_or_latest() {
        let r = Reference::parse("alpine").unwrap();
        assert_eq!(r.name(), "docker.io/library/alpine");
        assert_eq!(r.tag_or_latest(), "latest");
        let r: Reference = "localhost:5000/x:v2".parse().unwrap();
        assert_eq!(r.tag_or_latest(), "v2");
    }

    #[test]
    fn image_id_prefixes() {
        assert!(is_image_id_prefix("abc"));
        assert!(is_image_id_prefix(&"f".repeat(64)));
        assert!(is_image_id_prefix("sha256:0a1b2c"));
        assert!(!is_image_id_prefix("ab"));
        assert!(!is_image_id_prefix(&"f".repeat(65)));
        assert!(!is_image_id_prefix("ABC"));
        assert!(!is_image_id_prefix("abg"));
        assert!(!is_image_id_prefix("sha256:"));
        assert!(!is_image_id_prefix("alpine"));
    }
}
