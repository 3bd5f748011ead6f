//! Bounded HTTP for what a pull reads from a registry.
//!
//! Contract: a body read into memory stops at its cap: a `Content-Length` over the cap fails
//! before anything is read, and a body without one fails as soon as it passes the cap, so a
//! hostile registry cannot make rsp hold more than the cap however much it sends. The caps are
//! containers/image's (Podman's): manifests and indexes [`MAX_MANIFEST`], image configs
//! [`MAX_CONFIG`], token answers [`MAX_TOKEN`], error answers [`MAX_ERROR_BODY`] (of which only
//! a short prefix reaches a message). Blobs are streamed, never held.
//!
//! A request answers one authentication challenge: `Bearer` gets a token from the challenge's
//! realm for the repository (kept per repository, and fetched again when the registry refuses
//! it, so long pulls outlive short-lived tokens), `Basic` gets the login, if any. Only the
//! registry itself may challenge: a 401 from a host a redirect led to (a blob store) is an
//! error, never a reason to send the login; a realm reached over plain HTTP gets the login
//! only from a registry that is itself plain HTTP; and no redirect may lead from HTTPS to
//! plain HTTP.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use oci_client::errors::{OciDistributionError, OciEnvelope};
use oci_client::secrets::RegistryAuth;
use serde::Deserialize;

use super::Registry;
use rsp_base::text::shorten;

/// containers/image `MaxManifestBodySize`, the limit of the Docker registry itself.
pub const MAX_MANIFEST: u64 = 4 << 20;
/// containers/image `MaxConfigBodySize`.
pub const MAX_CONFIG: u64 = 4 << 20;
/// containers/image `MaxAuthTokenBodySize`.
pub const MAX_TOKEN: u64 = 1 << 20;
/// containers/image `MaxErrorBodySize`.
pub const MAX_ERROR_BODY: u64 = 1 << 20;
/// Tag lists and catalog pages: a page of the size asked for fits many times over.
pub const MAX_LIST: u64 = 16 << 20;
/// Characters of an error answer kept for the message.
const ERROR_SHOWN: usize = 300;

/// A failed bounded request, one variant per step that can fail.
#[derive(Debug, thiserror::Error)]
pub enum Fail {
    /// The transfer failed, or the registry answered with an error.
    #[error(transparent)]
    Http(#[from] OciDistributionError),
    #[error("{what}: exceeded maximum allowed size of {limit} bytes")]
    TooLarge { what: String, limit: u64 },
    #[error("the registry's answer is not what it should be: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the registry's bearer challenge names no token service (no realm)")]
    NoRealm,
    #[error(
        "the token service {realm} answered something that is not a token: {source}: check the \
         registry's address"
    )]
    TokenDecode {
        realm: String,
        source: serde_json::Error,
    },
    #[error("the token service {realm} answered without a token")]
    NoToken { realm: String },
    #[error(
        "refusing to send credentials to the token service {realm} over plain HTTP for a \
         registry reached over HTTPS"
    )]
    InsecureRealm { realm: String },
    #[error(
        "{url} asked for credentials, but it is not the registry (a redirect led there): refused"
    )]
    ForeignChallenge { url: String },
}

impl From<reqwest::Error> for Fail {
    fn from(e: reqwest::Error) -> Fail {
        Fail::Http(e.into())
    }
}

/// How a repository's requests authenticate once a challenge was answered.
#[derive(Clone)]
pub(super) enum Grant {
    Bearer(String),
    Basic,
}

/// Grants by repository, shared by the clones of one [`Registry`].
pub(super) type Grants = Arc<Mutex<HashMap<String, Grant>>>;

/// Redirects followed at most, as reqwest's default.
const MAX_REDIRECTS: usize = 10;

/// The reqwest client for one registry: rsp's user agent and timeouts, no proxy for a
/// registry on this machine, and no redirect from HTTPS to plain HTTP (a manifest fetched by
/// tag has no digest to protect it).
pub(super) fn client(registry: &str) -> reqwest::Result<reqwest::Client> {
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        let downgrade = attempt.url().scheme() == "http"
            && attempt.previous().iter().any(|u| u.scheme() == "https");
        if downgrade {
            attempt.error("a redirect from HTTPS to plain HTTP")
        } else if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error("too many redirects")
        } else {
            attempt.follow()
        }
    });
    let mut builder = reqwest::Client::builder()
        .user_agent(super::USER_AGENT)
        .redirect(policy)
        .connect_timeout(super::CONNECT_TIMEOUT)
        // Between reads, so a long blob download is fine but a stalled one fails.
        .read_timeout(super::READ_TIMEOUT);
    if super::is_loopback(registry) {
        // A proxy must never see (or be asked to reach) a registry on this machine.
        builder = builder.no_proxy();
    }
    builder.build()
}

/// Reads `resp`'s body, failing once it passes `limit` bytes; `what` names it in the error.
pub(super) async fn read_capped(
    mut resp: reqwest::Response,
    limit: u64,
    what: impl FnOnce() -> String,
) -> Result<Vec<u8>, Fail> {
    if resp.content_length().is_some_and(|n| n > limit) {
        return Err(Fail::TooLarge {
            what: what(),
            limit,
        });
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(Fail::TooLarge {
                what: what(),
                limit,
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The error a non-success answer stands for, read as oci-client would (the registry's error
/// envelope when there is one), from at most [`MAX_ERROR_BODY`] bytes of its body.
pub(super) async fn status_error(mut resp: reqwest::Response, url: &str) -> OciDistributionError {
    let status = resp.status();
    let mut body = Vec::new();
    // A broken or endless error answer still reports its status.
    while let Ok(Some(chunk)) = resp.chunk().await {
        let room = MAX_ERROR_BODY as usize - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= MAX_ERROR_BODY as usize {
            break;
        }
    }
    let url = shorten(url).into_owned();
    let message = || {
        let text = String::from_utf8_lossy(&body);
        let cut: String = text.chars().take(ERROR_SHOWN).collect();
        shorten(&cut).into_owned()
    };
    match status.as_u16() {
        401 => OciDistributionError::UnauthorizedError { url },
        code @ 400..=499 => match serde_json::from_slice::<OciEnvelope>(&body) {
            Ok(envelope) => OciDistributionError::RegistryError { envelope, url },
            Err(_) => OciDistributionError::ServerError {
                code,
                url,
                message: message(),
            },
        },
        code => OciDistributionError::ServerError {
            code,
            url,
            message: message(),
        },
    }
}

/// A token from the realm of `challenge` (a `Bearer` challenge) for the challenge's scope, else
/// `default_scope`; sent with the login, if any. The answer is read up to [`MAX_TOKEN`].
pub(super) async fn fetch_token(
    http: &reqwest::Client,
    challenge: &str,
    auth: &RegistryAuth,
    default_scope: &str,
    url: &str,
    plain_http: bool,
) -> Result<String, Fail> {
    let params = super::auth::parse_challenge(challenge);
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let realm = get("realm").ok_or(Fail::NoRealm)?;
    let sends_login = matches!(auth, RegistryAuth::Basic(..));
    if sends_login && !plain_http && !realm.to_ascii_lowercase().starts_with("https://") {
        return Err(Fail::InsecureRealm {
            realm: shorten(&realm).into_owned(),
        });
    }
    let mut query = vec![("scope", get("scope").unwrap_or(default_scope.to_string()))];
    if let Some(service) = get("service") {
        query.push(("service", service));
    }
    let mut req = http.get(&realm).query(&query).timeout(super::READ_TIMEOUT);
    if let RegistryAuth::Basic(u, p) = auth {
        req = req.basic_auth(u, Some(p));
    }
    let resp = req.send().await?;
    let status = resp.status().as_u16();
    if status == 401 || status == 403 {
        return Err(OciDistributionError::UnauthorizedError {
            url: shorten(url).into_owned(),
        }
        .into());
    }
    if !(200..300).contains(&status) {
        return Err(status_error(resp, &realm).await.into());
    }
    let body = read_capped(resp, MAX_TOKEN, || {
        format!("reading the token from {}", shorten(&realm))
    })
    .await?;
    #[derive(Deserialize)]
    struct Token {
        token: Option<String>,
        access_token: Option<String>,
    }
    let shown = || shorten(&realm).into_owned();
    let t: Token = serde_json::from_slice(&body).map_err(|source| Fail::TokenDecode {
        realm: shown(),
        source,
    })?;
    t.token
        .or(t.access_token)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Fail::NoToken { realm: shown() })
}

impl Registry {
    /// `scheme://host/v2/`, the root every registry URL starts with.
    pub(super) fn v2_url(&self) -> String {
        let scheme = if self.plain_http { "http" } else { "https" };
        format!("{scheme}://{}/v2/", self.host)
    }

    /// Whether `url` is on the registry itself (scheme, host and port), not on a host a
    /// redirect led to.
    fn is_registry(&self, url: &reqwest::Url) -> bool {
        reqwest::Url::parse(&self.v2_url()).is_ok_and(|own| {
            own.scheme() == url.scheme()
                && own.host_str() == url.host_str()
                && own.port_or_known_default() == url.port_or_known_default()
        })
    }

    /// The authentication challenge of a 401 answer (empty when it names
    /// none); None for any other answer. Only the registry itself may
    /// challenge: a 401 from a host a redirect led to is refused.
    pub(super) fn challenge(&self, resp: &reqwest::Response) -> Result<Option<String>, Fail> {
        if resp.status().as_u16() != 401 {
            return Ok(None);
        }
        if !self.is_registry(resp.url()) {
            return Err(Fail::ForeignChallenge {
                url: shorten(resp.url().as_str()).into_owned(),
            });
        }
        Ok(Some(
            resp.headers()
                .get(reqwest::header::WWW_AUTHENTICATE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string(),
        ))
    }

    /// GETs `url`, a resource of `repository`, answering one authentication challenge; a
    /// non-success answer becomes the error it stands for. `whole` bounds the whole request
    /// in time (for bodies held in memory); without it only each read is.
    pub(super) async fn get(
        &self,
        url: &str,
        repository: &str,
        accept: Option<&str>,
        whole: bool,
    ) -> Result<reqwest::Response, Fail> {
        for attempt in 0..2 {
            let mut req = self.http.get(url);
            if let Some(accept) = accept {
                req = req.header(reqwest::header::ACCEPT, accept);
            }
            if whole {
                req = req.timeout(super::READ_TIMEOUT);
            }
            let grant = self
                .grants
                .lock()
                .ok()
                .and_then(|g| g.get(repository).cloned());
            req = match (&grant, &self.auth) {
                (Some(Grant::Bearer(token)), _) | (None, RegistryAuth::Bearer(token)) => {
                    req.bearer_auth(token)
                }
                (Some(Grant::Basic), RegistryAuth::Basic(u, p)) => req.basic_auth(u, Some(p)),
                _ => req,
            };
            let resp = req.send().await?;
            if let Some(challenge) = self.challenge(&resp)?
                && attempt == 0
            {
                let lower = challenge.to_ascii_lowercase();
                let grant = if lower.starts_with("bearer") {
                    let scope = format!("repository:{repository}:pull");
                    let token = fetch_token(
                        &self.http,
                        &challenge,
                        &self.auth,
                        &scope,
                        url,
                        self.plain_http,
                    )
                    .await?;
                    Some(Grant::Bearer(token))
                } else if lower.starts_with("basic") && matches!(self.auth, RegistryAuth::Basic(..))
                {
                    Some(Grant::Basic)
                } else {
                    None
                };
                if let Some(grant) = grant {
                    if let Ok(mut grants) = self.grants.lock() {
                        grants.insert(repository.to_string(), grant);
                    }
                    continue;
                }
            }
            if resp.status().is_success() {
                return Ok(resp);
            }
            return Err(status_error(resp, url).await.into());
        }
        Err(OciDistributionError::UnauthorizedError {
            url: shorten(url).into_owned(),
        }
        .into())
    }
}
