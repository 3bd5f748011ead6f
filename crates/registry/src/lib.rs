//! Pulling image manifests and blobs from OCI/Docker registries.
//!
//! Contract: [`Registry::resolve`] turns a reference into the platform-specific image manifest
//! (following a Docker manifest list or OCI index), returning the manifest bytes exactly as
//! served together with their sha256 digest and the verified config blob. It accepts Docker
//! schema 2 and OCI image manifests only, and only sha256 digests. [`Registry::fetch_blob`]
//! streams one blob into a writer and fails with [`RegistryError::DigestMismatch`] unless both
//! its sha256 and its size match the descriptor, so nothing unverified is ever reported as
//! complete (the writer may have received partial data; the caller discards it).
//!
//! Everything a pull reads into memory (manifests, indexes, configs, tokens, tag lists, error
//! answers) is capped at containers/image's limits, and the read stops at the cap (see
//! [`http`]): an oversized manifest fails with [`RegistryError::TooLarge`], "exceeded maximum
//! allowed size of 4194304 bytes" as in Podman. Text from the registry reaches messages
//! shortened ([`rsp_base::text::shorten`]).
//!
//! Plain HTTP is used only for loopback registries, registries marked insecure in
//! registries.conf, or with `tls_verify == Some(false)`; `Some(true)` forces verified HTTPS even
//! for loopback. Pulls speak the distribution API through [`http`] (bearer tokens and basic
//! auth included); pushes use `oci-client`. A [`Registry`] is cheap to clone and can be used
//! from many tasks at once.
#![forbid(unsafe_code)]

pub mod auth;
mod config;
mod credhelper;
mod http;
mod push;
mod search;
#[cfg(test)]
mod tests;

use std::error::Error as StdError;
use std::net::{IpAddr, Ipv6Addr};
use std::path::PathBuf;
use std::time::Duration;

use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::{DigestError, OciDistributionError, OciErrorCode};
use oci_client::secrets::RegistryAuth;
use serde::Deserialize;
use sha2::{Digest, Sha256};

pub use auth::{AuthError, Credentials};
pub use config::RegistriesConf;
pub use http::{MAX_CONFIG, MAX_ERROR_BODY, MAX_MANIFEST, MAX_TOKEN};
use rsp_image::Platform;
pub use search::{SearchResult, TagResult, search_docker_hub};

use http::{Fail, Grants};
use rsp_base::text::shorten;
use rsp_image::reference::{Reference, ReferenceError};

/// Docker image manifest, schema 2.
pub const DOCKER_MANIFEST_V2: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker manifest list (multi-platform).
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index (multi-platform).
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

const ACCEPTED_MANIFESTS: &[&str] = &[
    OCI_INDEX,
    DOCKER_MANIFEST_LIST,
    OCI_MANIFEST,
    DOCKER_MANIFEST_V2,
];

const USER_AGENT: &str = concat!("rsp/", env!("CARGO_PKG_VERSION"));
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
// A stalled transfer should fail rather than hang a pull forever.
const READ_TIMEOUT: Duration = Duration::from_secs(120);

/// Everything that can go wrong talking to a registry or reading its configuration.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("{0}")]
    InvalidReference(#[from] ReferenceError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(
        "pushing {reference}: access denied ({}): log in with `rsp login {registry}` or give \
         --creds for an account that may push there",
        root_cause(.source.as_ref())
    )]
    PushDenied {
        reference: String,
        registry: String,
        source: Box<OciDistributionError>,
    },
    #[error("pushing {reference} to {registry}: {step}: {}", root_cause(.source.as_ref()))]
    Push {
        reference: String,
        registry: String,
        step: String,
        source: Box<OciDistributionError>,
    },
    #[error("{what} on {registry}: {}", root_cause(.source.as_ref()))]
    Query {
        what: String,
        registry: String,
        source: Box<OciDistributionError>,
    },
    #[error(
        "{what} on {registry}: access denied ({}): log in with `rsp login {registry}` or give --creds",
        root_cause(.source.as_ref())
    )]
    QueryDenied {
        what: String,
        registry: String,
        source: Box<OciDistributionError>,
    },
    #[error("{action}: {what}: exceeded maximum allowed size of {limit} bytes")]
    TooLarge {
        action: String,
        what: String,
        limit: u64,
    },
    /// A step of a bounded request other than the transfer itself (the token service, a
    /// challenge from the wrong host, an answer that is not JSON).
    #[error("{action}: {source}")]
    Bounded {
        action: String,
        source: Box<http::Fail>,
    },
    #[error("searching {registry}: {reason}")]
    Search { registry: String, reason: String },
    #[error("reading {path}: {source}")]
    ConfigRead {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("parsing {path}: {source}: fix or remove the file")]
    ConfigParse {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
    #[error(
        "cannot resolve short name {input:?}: registries.conf lists no \
         unqualified-search-registries: use a fully qualified name such as docker.io/library/{input}"
    )]
    NoSearchRegistries { input: String },
    #[error("setting up a client for registry {registry}: {source}")]
    Client {
        registry: String,
        source: Box<OciDistributionError>,
    },
    #[error("cannot reach registry {registry} ({}): is it running?", root_cause(.source.as_ref()))]
    Unreachable {
        registry: String,
        source: Box<OciDistributionError>,
    },
    #[error(
        "TLS connection to registry {registry} failed ({}): if it serves plain HTTP, use \
         --tls-verify=false or mark it insecure in registries.conf",
        root_cause(.source.as_ref())
    )]
    Tls {
        registry: String,
        source: Box<OciDistributionError>,
    },
    #[error("pulling {reference}: image not found: check the name and tag")]
    NotFound {
        reference: String,
        source: Box<OciDistributionError>,
    },
    #[error(
        "pulling {reference}: blob {digest} not found in the registry: the image is incomplete \
         there, push it again"
    )]
    BlobNotFound {
        reference: String,
        digest: String,
        source: Box<OciDistributionError>,
    },
    #[error(
        "pulling {reference}: access denied ({}): check the name, or give credentials that may \
         read it",
        root_cause(.source.as_ref())
    )]
    Unauthorized {
        reference: String,
        source: Box<OciDistributionError>,
    },
    #[error("pulling {reference} from {registry}: {}", root_cause(.source.as_ref()))]
    Request {
        reference: String,
        registry: String,
        source: Box<OciDistributionError>,
    },
    #[error(
        "pulling {reference}: the registry serves a Docker schema 1 manifest, which is not \
         supported: push the image again with a current client"
    )]
    Schema1 { reference: String },
    #[error(
        "pulling {reference}: unsupported manifest type {:?}: only Docker schema 2 and \
         OCI images can be pulled",
        shorten(media_type)
    )]
    UnsupportedManifest {
        reference: String,
        media_type: String,
    },
    #[error(
        "pulling {reference}: manifest {digest} is malformed ({source}): the registry content is broken"
    )]
    BadManifest {
        reference: String,
        digest: String,
        source: serde_json::Error,
    },
    #[error(
        "pulling {reference}: descriptor {:?} is invalid ({reason}): the registry content \
         is broken",
        shorten(digest)
    )]
    InvalidDescriptor {
        reference: String,
        digest: String,
        reason: &'static str,
    },
    #[error(
        "pulling {reference}: no image for platform {wanted} (available: {}): choose one with \
         --platform",
        shorten(&available.join(", "))
    )]
    NoMatchingPlatform {
        reference: String,
        wanted: Platform,
        available: Vec<String>,
    },
    #[error(
        "pulling {reference}: manifest is {actual}, expected {expected}: the registry served \
         other content, check the digest"
    )]
    ManifestDigestMismatch {
        reference: String,
        expected: String,
        actual: String,
    },
    #[error(
        "pulling {reference}: blob {digest} is corrupt: got {actual_size} bytes with digest \
         {actual}, expected {expected_size} bytes: try again"
    )]
    DigestMismatch {
        reference: String,
        digest: String,
        expected_size: i64,
        actual: String,
        actual_size: u64,
    },
    #[error("pulling {reference}: downloading blob {digest}: {source}: try again")]
    BlobRead {
        reference: String,
        digest: String,
        source: std::io::Error,
    },
    #[error("pulling {reference}: writing blob {digest}: {source}")]
    Sink {
        reference: String,
        digest: String,
        source: std::io::Error,
    },
}

/// How to reach the registry and which image to pick. `Debug` leaves the password out.
#[derive(Clone)]
pub struct PullOptions {
    /// `None` follows the registry's defaults (see the module docs).
    pub tls_verify: Option<bool>,
    pub platform: Platform,
    /// Basic-auth user and password; `None` uses the stored login for the registry, if any.
    pub auth: Option<(String, String)>,
    /// `--authfile`: the only credentials file consulted when given.
    pub authfile: Option<PathBuf>,
}

impl std::fmt::Debug for PullOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PullOptions")
            .field("tls_verify", &self.tls_verify)
            .field("platform", &self.platform)
            .field("user", &self.auth.as_ref().map(|(u, _)| u))
            .field("authfile", &self.authfile)
            .finish()
    }
}

impl Default for PullOptions {
    fn default() -> Self {
        PullOptions {
            tls_verify: None,
            platform: Platform::host(),
            auth: None,
            authfile: None,
        }
    }
}

/// One descriptor as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobRef {
    pub media_type: String,
    pub digest: String,
    pub size: i64,
}

/// A reference resolved to one platform's image manifest.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub reference: Reference,
    /// Digest of the image manifest (the platform-specific one, after a list/index).
    pub manifest_digest: String,
    /// The image manifest exactly as served.
    pub manifest_bytes: Vec<u8>,
    pub manifest_media_type: String,
    pub config: BlobRef,
    /// The config blob, digest verified.
    pub config_bytes: Vec<u8>,
    pub layers: Vec<BlobRef>,
}

/// A client for one registry.
#[derive(Clone)]
pub struct Registry {
    /// Pushes only; pulls go through `http`.
    client: oci_client::Client,
    http: reqwest::Client,
    grants: Grants,
    auth: RegistryAuth,
    registry: String,
    /// The host requests go to (Docker Hub's differs from its name).
    host: String,
    platform: Platform,
    plain_http: bool,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Deliberately leaves out the credentials.
        f.debug_struct("Registry")
            .field("registry", &self.registry)
            .field("platform", &self.platform)
            .field("plain_http", &self.plain_http)
            .finish_non_exhaustive()
    }
}

impl Registry {
    /// Prepares a client for `reference`'s registry; it does not connect yet.
    pub fn new(
        reference: &Reference,
        opts: &PullOptions,
        conf: &RegistriesConf,
    ) -> Result<Registry, RegistryError> {
        let registry = reference.registry.clone();
        let plain_http = plain_http_for(&registry, opts.tls_verify, conf);
        let host = to_oci(reference).resolve_registry().to_string();
        let protocol = if plain_http {
            // oci-client compares against the address it connects to, which differs from the
            // name for Docker Hub.
            ClientProtocol::HttpsExcept(vec![registry.clone(), host.clone()])
        } else {
            ClientProtocol::Https
        };
        let config = ClientConfig {
            protocol,
            // Index entries are chosen here, with variant support and a useful error.
            platform_resolver: None,
            connect_timeout: Some(CONNECT_TIMEOUT),
            read_timeout: Some(READ_TIMEOUT),
            user_agent: USER_AGENT,
            ..ClientConfig::default()
        };
        let client =
            oci_client::Client::try_from(config).map_err(|source| RegistryError::Client {
                registry: registry.clone(),
                source: Box::new(source),
            })?;
        let http = http::client(&registry).map_err(|source| RegistryError::Client {
            registry: registry.clone(),
            source: Box::new(source.into()),
        })?;
        let auth = match &opts.auth {
            Some((user, password)) => RegistryAuth::Basic(user.clone(), password.clone()),
            None => match auth::lookup(&registry, opts.authfile.as_deref())? {
                Some(c) => RegistryAuth::Basic(c.username, c.password),
                None => RegistryAuth::Anonymous,
            },
        };
        Ok(Registry {
            client,
            http,
            grants: Grants::default(),
            auth,
            registry,
            host,
            platform: opts.platform.clone(),
            plain_http,
        })
    }

    /// Whether this client talks plain HTTP to the registry.
    pub fn is_plain_http(&self) -> bool {
        self.plain_http
    }

    /// Resolves `reference` to an image manifest for the configured platform and fetches its
    /// config blob.
    pub async fn resolve(&self, reference: &Reference) -> Result<Resolved, RegistryError> {
        let name = reference
            .digest
            .clone()
            .unwrap_or_else(|| reference.tag_or_latest().to_string());
        let (bytes, digest) = self
            .pull_manifest(reference, &name, reference.digest.as_deref())
            .await?;
        let (digest, bytes, image) = match parse_manifest(reference, &digest, &bytes)? {
            Manifest::Image(image) => (digest, bytes, image),
            Manifest::Index(entries) => {
                let entry = self.select(reference, &entries)?;
                let (bytes, digest) = self
                    .pull_manifest(reference, &entry.digest, Some(&entry.digest))
                    .await?;
                match parse_manifest(reference, &digest, &bytes)? {
                    Manifest::Image(image) => (digest, bytes, image),
                    Manifest::Index(_) => {
                        return Err(RegistryError::UnsupportedManifest {
                            reference: reference.to_string(),
                            media_type: "index nested in an index".to_string(),
                        });
                    }
                }
            }
        };
        // The descriptor's size bounds the download; Podman's cap bounds the descriptor.
        if image.config.size > MAX_CONFIG as i64 {
            return Err(RegistryError::TooLarge {
                action: format!("pulling {reference}"),
                what: format!(
                    "reading config {} ({} bytes)",
                    shorten(&image.config.digest),
                    image.config.size
                ),
                limit: MAX_CONFIG,
            });
        }
        let mut config_bytes = Vec::new();
        self.fetch_blob(reference, &image.config, &mut config_bytes, &|_| {})
            .await?;
        Ok(Resolved {
            reference: reference.clone(),
            manifest_digest: digest,
            manifest_bytes: bytes,
            manifest_media_type: image.media_type,
            config: image.config,
            config_bytes,
            layers: image.layers,
        })
    }

    /// Streams `blob` into `sink`, calling `progress` with each chunk's size, and verifies its
    /// sha256 and size. `reference` names the repository the blob lives in.
    pub async fn fetch_blob(
        &self,
        reference: &Reference,
        blob: &BlobRef,
        sink: &mut (dyn std::io::Write + Send),
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<(), RegistryError> {
        check_descriptor(reference, blob)?;
        let url = format!(
            "{}{}/blobs/{}",
            self.v2_url(),
            reference.repository,
            blob.digest
        );
        let mut resp = self
            .get(&url, &reference.repository, None, false)
            .await
            .map_err(|e| self.fail(reference, Some(&blob.digest), e))?;
        let mut hasher = Sha256::new();
        let mut received: u64 = 0;
        let expected_size = u64::try_from(blob.size).unwrap_or(0);
        let mismatch = |hasher: Sha256, received| RegistryError::DigestMismatch {
            reference: reference.to_string(),
            digest: blob.digest.clone(),
            expected_size: blob.size,
            actual: format!("sha256:{}", hex::encode(hasher.finalize())),
            actual_size: received,
        };
        loop {
            let chunk = match resp.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(e) => {
                    return Err(RegistryError::BlobRead {
                        reference: reference.to_string(),
                        digest: blob.digest.clone(),
                        source: std::io::Error::other(root_cause(&e)),
                    });
                }
            };
            received += chunk.len() as u64;
            hasher.update(&chunk);
            // Stop early so a misbehaving registry cannot fill the disk.
            if received > expected_size {
                return Err(mismatch(hasher, received));
            }
            sink.write_all(&chunk)
                .map_err(|source| RegistryError::Sink {
                    reference: reference.to_string(),
                    digest: blob.digest.clone(),
                    source,
                })?;
            progress(chunk.len() as u64);
        }
        let actual = format!("sha256:{}", hex::encode(hasher.clone().finalize()));
        if actual != blob.digest || received != expected_size {
            return Err(mismatch(hasher, received));
        }
        sink.flush().map_err(|source| RegistryError::Sink {
            reference: reference.to_string(),
            digest: blob.digest.clone(),
            source,
        })
    }

    /// Fetches one manifest (tag or digest `name` of `reference`'s repository), at most
    /// [`MAX_MANIFEST`] bytes, and checks it against `expected` when the digest is known.
    async fn pull_manifest(
        &self,
        reference: &Reference,
        name: &str,
        expected: Option<&str>,
    ) -> Result<(Vec<u8>, String), RegistryError> {
        let url = format!("{}{}/manifests/{name}", self.v2_url(), reference.repository);
        let accept = ACCEPTED_MANIFESTS.join(", ");
        let bytes = async {
            let resp = self
                .get(&url, &reference.repository, Some(&accept), true)
                .await?;
            http::read_capped(resp, MAX_MANIFEST, || format!("reading manifest {name}")).await
        }
        .await
        .map_err(|e| self.fail(reference, None, e))?;
        let actual = sha256_digest(&bytes);
        if let Some(expected) = expected
            && expected != actual
        {
            return Err(RegistryError::ManifestDigestMismatch {
                reference: reference.to_string(),
                expected: expected.to_string(),
                actual,
            });
        }
        Ok((bytes, actual))
    }

    /// The error for a failed pull request (`blob` names the blob, if it was one).
    fn fail(&self, reference: &Reference, blob: Option<&str>, fail: Fail) -> RegistryError {
        match fail {
            Fail::Http(e) => self.map_error(reference, blob, e),
            Fail::TooLarge { what, limit } => RegistryError::TooLarge {
                action: format!("pulling {reference}"),
                what,
                limit,
            },
            other => RegistryError::Bounded {
                action: format!("pulling {reference}"),
                source: Box::new(other),
            },
        }
    }

    fn select<'a>(
        &self,
        reference: &Reference,
        entries: &'a [IndexEntry],
    ) -> Result<&'a BlobRef, RegistryError> {
        let found = entries.iter().find(|e| {
            e.platform.as_ref().is_some_and(|p| {
                self.platform
                    .matches(&p.os, &p.architecture, p.variant.as_deref())
            })
        });
        if let Some(entry) = found {
            return Ok(&entry.blob);
        }
        let mut available: Vec<String> = Vec::new();
        // Attestation manifests are listed as unknown/unknown; they are not images.
        for p in entries.iter().filter_map(|e| e.platform.as_ref()) {
            let name = Platform {
                os: p.os.clone(),
                architecture: p.architecture.clone(),
                variant: p.variant.clone(),
            }
            .to_string();
            if p.os != "unknown" && !available.contains(&name) {
                available.push(name);
            }
        }
        Err(RegistryError::NoMatchingPlatform {
            reference: reference.to_string(),
            wanted: self.platform.clone(),
            available,
        })
    }

    fn map_error(
        &self,
        reference: &Reference,
        blob: Option<&str>,
        err: OciDistributionError,
    ) -> RegistryError {
        let reference_s = reference.to_string();
        let registry = self.registry.clone();
        let source = Box::new(err);
        let not_found = |source| match blob {
            Some(digest) => RegistryError::BlobNotFound {
                reference: reference_s.clone(),
                digest: digest.to_string(),
                source,
            },
            None => RegistryError::NotFound {
                reference: reference_s.clone(),
                source,
            },
        };
        match source.as_ref() {
            OciDistributionError::RegistryError { envelope, .. } => {
                let codes: Vec<&OciErrorCode> = envelope.errors.iter().map(|e| &e.code).collect();
                if codes.iter().any(|c| {
                    matches!(
                        c,
                        OciErrorCode::ManifestUnknown
                            | OciErrorCode::NameUnknown
                            | OciErrorCode::NotFound
                            | OciErrorCode::BlobUnknown
                    )
                }) {
                    return not_found(source);
                }
                if codes
                    .iter()
                    .any(|c| matches!(c, OciErrorCode::Unauthorized | OciErrorCode::Denied))
                {
                    return RegistryError::Unauthorized {
                        reference: reference_s,
                        source,
                    };
                }
            }
            OciDistributionError::ServerError { code: 404, .. }
            | OciDistributionError::ImageManifestNotFoundError(_) => return not_found(source),
            OciDistributionError::UnauthorizedError { .. }
            | OciDistributionError::AuthenticationFailure(_)
            | OciDistributionError::ServerError {
                code: 401 | 403, ..
            } => {
                return RegistryError::Unauthorized {
                    reference: reference_s,
                    source,
                };
            }
            OciDistributionError::DigestError(DigestError::VerificationError {
                expected,
                actual,
            }) => {
                return RegistryError::ManifestDigestMismatch {
                    reference: reference_s,
                    expected: expected.clone(),
                    actual: actual.clone(),
                };
            }
            OciDistributionError::RequestError(_) => match classify_transport(source.as_ref()) {
                Transport::Tls => return RegistryError::Tls { registry, source },
                Transport::Unreachable => return RegistryError::Unreachable { registry, source },
                Transport::Other => {}
            },
            _ => {}
        }
        RegistryError::Request {
            reference: reference_s,
            registry,
            source,
        }
    }
}

/// Whether to talk plain HTTP to `registry` (see the module docs).
pub fn plain_http_for(registry: &str, tls_verify: Option<bool>, conf: &RegistriesConf) -> bool {
    match tls_verify {
        Some(verify) => !verify,
        None => is_loopback(registry) || conf.is_insecure(registry),
    }
}

/// Plain HTTP is the norm for registries on this machine, as in Docker and Podman.
fn is_loopback(registry: &str) -> bool {
    let host = match registry.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(rest),
        None => registry.split(':').next().unwrap_or(registry),
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback()),
    }
}

fn to_oci(reference: &Reference) -> oci_client::Reference {
    let registry = reference.registry.clone();
    let repository = reference.repository.clone();
    match &reference.digest {
        // The digest pins the content; a tag next to it is informational only.
        Some(digest) => oci_client::Reference::with_digest(registry, repository, digest.clone()),
        None => oci_client::Reference::with_tag(
            registry,
            repository,
            reference.tag_or_latest().to_string(),
        ),
    }
}

fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

fn is_sha256_digest(digest: &str) -> bool {
    digest.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

fn check_descriptor(reference: &Reference, blob: &BlobRef) -> Result<(), RegistryError> {
    let reason = if !is_sha256_digest(&blob.digest) {
        "digest is not sha256:<64 lowercase hex>"
    } else if blob.size < 0 {
        "size is negative"
    } else {
        return Ok(());
    };
    Err(RegistryError::InvalidDescriptor {
        reference: reference.to_string(),
        digest: blob.digest.clone(),
        reason,
    })
}

enum Transport {
    Tls,
    Unreachable,
    Other,
}

fn error_chain<'a>(
    err: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(err), |&e| e.source())
}

/// Sorts a transport failure by its cause, which reqwest only exposes through the error chain.
fn classify_transport(err: &(dyn StdError + 'static)) -> Transport {
    let io_kind = error_chain(err)
        .filter_map(|e| e.downcast_ref::<std::io::Error>())
        .map(std::io::Error::kind)
        .next();
    let text = error_chain(err)
        .map(|e| e.to_string().to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(": ");
    let tls_words = [
        "tls",
        "certificate",
        "invalidcontenttype",
        "corrupt message",
        "handshake",
    ];
    if tls_words.iter().any(|w| text.contains(w)) {
        return Transport::Tls;
    }
    use std::io::ErrorKind::*;
    match io_kind {
        Some(
            ConnectionRefused | ConnectionReset | ConnectionAborted | TimedOut | HostUnreachable
            | NetworkUnreachable | AddrNotAvailable | NotConnected,
        ) => Transport::Unreachable,
        _ if text.contains("dns error") || text.contains("connect") => Transport::Unreachable,
        _ => Transport::Other,
    }
}

/// The innermost message of an error chain: reqwest's outer layers only say "error sending
/// request", which tells the user nothing.
fn root_cause(err: &(dyn StdError + 'static)) -> String {
    let last = error_chain(err).last().unwrap_or(err);
    let text = last.to_string();
    // The text may carry whatever the registry answered.
    if text.is_empty() {
        shorten(&err.to_string()).into_owned()
    } else {
        shorten(&text).into_owned()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawManifest {
    schema_version: Option<i64>,
    media_type: Option<String>,
    config: Option<RawDescriptor>,
    layers: Option<Vec<RawDescriptor>>,
    manifests: Option<Vec<RawDescriptor>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDescriptor {
    #[serde(default)]
    media_type: String,
    digest: String,
    size: i64,
    platform: Option<RawPlatform>,
}

#[derive(Deserialize)]
struct RawPlatform {
    os: String,
    architecture: String,
    variant: Option<String>,
}

struct ImageManifest {
    media_type: String,
    config: BlobRef,
    layers: Vec<BlobRef>,
}

struct IndexEntry {
    blob: BlobRef,
    platform: Option<RawPlatform>,
}

enum Manifest {
    Image(ImageManifest),
    Index(Vec<IndexEntry>),
}

/// Classifies a manifest by its `mediaType`, or by its shape when the optional OCI field is
/// absent, and checks every descriptor it lists.
fn parse_manifest(
    reference: &Reference,
    digest: &str,
    bytes: &[u8],
) -> Result<Manifest, RegistryError> {
    let raw: RawManifest = serde_json::from_slice(bytes).map_err(|source| {
        // Schema 1 manifests fail the strict parse; say what they are instead.
        if is_schema1(bytes) {
            RegistryError::Schema1 {
                reference: reference.to_string(),
            }
        } else {
            RegistryError::BadManifest {
                reference: reference.to_string(),
                digest: digest.to_string(),
                source,
            }
        }
    })?;
    if raw.schema_version == Some(1) || is_schema1(bytes) {
        return Err(RegistryError::Schema1 {
            reference: reference.to_string(),
        });
    }
    let media_type = match raw.media_type.as_deref() {
        Some(t) => t.to_string(),
        None if raw.manifests.is_some() => OCI_INDEX.to_string(),
        None if raw.config.is_some() => OCI_MANIFEST.to_string(),
        None => String::new(),
    };
    let to_blob = |d: RawDescriptor| {
        let blob = BlobRef {
            media_type: d.media_type,
            digest: d.digest,
            size: d.size,
        };
        check_descriptor(reference, &blob).map(|()| (blob, d.platform))
    };
    match media_type.as_str() {
        OCI_INDEX | DOCKER_MANIFEST_LIST => {
            let entries = raw
                .manifests
                .unwrap_or_default()
                .into_iter()
                .map(|d| to_blob(d).map(|(blob, platform)| IndexEntry { blob, platform }))
                .collect::<Result<_, _>>()?;
            Ok(Manifest::Index(entries))
        }
        OCI_MANIFEST | DOCKER_MANIFEST_V2 => {
            let config = raw.config.ok_or_else(|| RegistryError::InvalidDescriptor {
                reference: reference.to_string(),
                digest: digest.to_string(),
                reason: "image manifest has no config",
            })?;
            let config = to_blob(config)?.0;
            let layers = raw
                .layers
                .unwrap_or_default()
                .into_iter()
                .map(|d| to_blob(d).map(|(blob, _)| blob))
                .collect::<Result<_, _>>()?;
            Ok(Manifest::Image(ImageManifest {
                media_type,
                config,
                layers,
            }))
        }
        _ => Err(RegistryError::UnsupportedManifest {
            reference: reference.to_string(),
            media_type,
        }),
    }
}

fn is_schema1(bytes: &[u8]) -> bool {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Probe {
        schema_version: Option<i64>,
        media_type: Option<String>,
    }
    serde_json::from_slice::<Probe>(bytes).is_ok_and(|p| {
        p.schema_version == Some(1)
            || p.media_type
                .is_some_and(|t| t.starts_with("application/vnd.docker.distribution.manifest.v1"))
    })
}

/// Property tests (issue 18): manifests and indexes come from registries
/// and are untrusted. Arbitrary bytes and mutated valid documents must
/// never panic [`parse_manifest`]; what it accepts must be what it
/// promises: an image manifest of a known media type with a config, an
/// index of a known one, and every descriptor's digest
/// `sha256:<64 lowercase hex>` and size non-negative.
#[cfg(test)]
mod fuzz_tests {
    use super::*;
    use rsp_base::testing::fuzz;

    const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn samples() -> Vec<String> {
        vec![
            format!(
                r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{D}","size":7023}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{D}","size":32654}}]}}"#
            ),
            format!(r#"{{"schemaVersion":2,"config":{{"digest":"{D}","size":1}},"layers":[]}}"#),
            format!(
                r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{{"mediaType":"{OCI_MANIFEST}","digest":"{D}","size":7143,"platform":{{"architecture":"amd64","os":"linux","variant":"v8"}}}}]}}"#
            ),
            format!(
                r#"{{"schemaVersion":2,"mediaType":"{DOCKER_MANIFEST_LIST}","manifests":[{{"digest":"{D}","size":1,"platform":{{"architecture":"arm","os":"linux"}}}}]}}"#
            ),
            r#"{"schemaVersion":1,"name":"x","fsLayers":[]}"#.to_string(),
        ]
    }

    fn check_blob(b: &BlobRef) {
        assert!(
            is_sha256_digest(&b.digest),
            "accepted digest {:?}",
            b.digest
        );
        assert!(b.size >= 0, "accepted size {}", b.size);
    }

    #[test]
    fn issue18_manifest_parse_never_panics() {
        let reference = Reference::parse("localhost/x").unwrap();
        let samples = samples();
        fuzz::run("manifest", 20_000, |rng| {
            let bytes = if rng.chance(10) {
                let n = rng.size(300);
                rng.bytes(n)
            } else {
                let mut b = rng.pick(&samples).clone().into_bytes();
                for _ in 0..1 + rng.below(4) {
                    rng.mutate(&mut b);
                }
                b
            };
            match parse_manifest(&reference, D, &bytes) {
                Ok(Manifest::Image(m)) => {
                    assert!(
                        [OCI_MANIFEST, DOCKER_MANIFEST_V2].contains(&m.media_type.as_str()),
                        "accepted media type {:?}",
                        m.media_type
                    );
                    check_blob(&m.config);
                    m.layers.iter().for_each(check_blob);
                }
                Ok(Manifest::Index(entries)) => {
                    entries.iter().for_each(|e| check_blob(&e.blob));
                }
                Err(e) => assert!(!e.to_string().is_empty()),
            }
        });
    }
}
