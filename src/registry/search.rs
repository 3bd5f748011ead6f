//! `search`: Docker Hub's search API, or a registry's `/v2/_catalog` and tag lists.
//!
//! Contract: results are bounded (at most [`MAX_PAGES`] catalog pages and `limit` results),
//! sorted as the registry returns them, and carry fully qualified names
//! (`registry/repository`). Only Docker Hub has a search API; elsewhere the catalog is filtered
//! by a case-insensitive substring match of the term.

use serde::Deserialize;

use oci_client::errors::OciDistributionError;

use super::{Registry, RegistryError, to_oci};
use crate::image::reference::Reference;

/// Catalog entries asked for per request.
const PAGE: usize = 1000;
/// Upper bound on catalog requests for one search.
const MAX_PAGES: usize = 50;
/// Docker Hub's own ceiling on results per search request.
const HUB_MAX: usize = 100;

/// One repository found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchResult {
    /// `registry/repository`.
    pub name: String,
    pub description: String,
    pub stars: u64,
    pub official: bool,
    pub automated: bool,
}

/// One tag of a repository (`search --list-tags`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagResult {
    pub name: String,
    pub tag: String,
}

impl Registry {
    /// Sorts a failed catalog or tags request: unreachable, TLS, access denied, or other.
    fn query_error(
        &self,
        what: &str,
        err: oci_client::errors::OciDistributionError,
    ) -> RegistryError {
        use oci_client::errors::{OciDistributionError as E, OciErrorCode};
        let source = Box::new(err);
        let registry = self.registry.clone();
        let denied = match source.as_ref() {
            E::UnauthorizedError { .. } | E::AuthenticationFailure(_) => true,
            E::ServerError { code, .. } => matches!(code, 401 | 403),
            E::RegistryError { envelope, .. } => envelope
                .errors
                .iter()
                .any(|e| matches!(e.code, OciErrorCode::Unauthorized | OciErrorCode::Denied)),
            _ => false,
        };
        if denied {
            return RegistryError::QueryDenied {
                what: what.to_string(),
                registry,
                source,
            };
        }
        if matches!(source.as_ref(), E::RequestError(_)) {
            match super::classify_transport(source.as_ref()) {
                super::Transport::Tls => return RegistryError::Tls { registry, source },
                super::Transport::Unreachable => {
                    return RegistryError::Unreachable { registry, source };
                }
                super::Transport::Other => {}
            }
        }
        RegistryError::Query {
            what: what.to_string(),
            registry,
            source,
        }
    }

    /// Repositories whose name contains `term`, at most `limit`.
    pub async fn search_catalog(
        &self,
        term: &str,
        limit: usize,
    ) -> Result<Vec<SearchResult>, RegistryError> {
        let what = "listing the repositories (/v2/_catalog)";
        let http = self
            .http_client()
            .map_err(|e| self.query_error(what, e.into()))?;
        let term = term.to_ascii_lowercase();
        let mut found = Vec::new();
        let mut last: Option<String> = None;
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self
                .catalog_page(&http, &mut token, last.as_deref())
                .await
                .map_err(|e| self.query_error(what, e))?;
            let n = page.repositories.len();
            for repo in page.repositories {
                if found.len() >= limit {
                    return Ok(found);
                }
                if repo.to_ascii_lowercase().contains(&term) {
                    found.push(SearchResult {
                        name: format!("{}/{repo}", self.registry),
                        description: String::new(),
                        stars: 0,
                        official: false,
                        automated: false,
                    });
                }
                last = Some(repo);
            }
            if n < PAGE {
                break;
            }
        }
        Ok(found)
    }

    fn http_client(&self) -> reqwest::Result<reqwest::Client> {
        let mut builder = reqwest::Client::builder()
            .user_agent(super::USER_AGENT)
            .connect_timeout(super::CONNECT_TIMEOUT)
            .timeout(super::READ_TIMEOUT);
        if super::is_loopback(&self.registry) {
            // A proxy must never see (or be asked to reach) a registry on this machine.
            builder = builder.no_proxy();
        }
        builder.build()
    }

    /// One page of `/v2/_catalog`. A registry with a token service wants a
    /// token of scope `registry:catalog:*`, which oci-client's per-repository
    /// tokens never are: on its challenge, one is fetched (with the login,
    /// if any) into `token` and the page asked again.
    async fn catalog_page(
        &self,
        http: &reqwest::Client,
        token: &mut Option<String>,
        last: Option<&str>,
    ) -> Result<oci_client::client::CatalogResponse, OciDistributionError> {
        use oci_client::secrets::RegistryAuth;
        let scheme = if self.plain_http { "http" } else { "https" };
        let host = if self.registry == "docker.io" {
            "registry-1.docker.io"
        } else {
            &self.registry
        };
        let url = format!("{scheme}://{host}/v2/_catalog");
        let mut query = vec![("n", PAGE.to_string())];
        if let Some(l) = last {
            query.push(("last", l.to_string()));
        }
        let basic = match &self.auth {
            RegistryAuth::Basic(u, p) => Some((u.as_str(), p.as_str())),
            _ => None,
        };
        for attempt in 0..2 {
            let mut req = http.get(&url).query(&query);
            req = match (token.as_deref(), basic, &self.auth) {
                (Some(t), _, _) => req.bearer_auth(t),
                (None, _, RegistryAuth::Bearer(t)) => req.bearer_auth(t),
                (None, Some((u, p)), _) => req.basic_auth(u, Some(p)),
                (None, None, _) => req,
            };
            let resp = req.send().await?;
            let status = resp.status().as_u16();
            if status == 401 && attempt == 0 {
                let challenge = resp
                    .headers()
                    .get(reqwest::header::WWW_AUTHENTICATE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                if challenge.to_ascii_lowercase().starts_with("bearer") {
                    *token = Some(fetch_token(http, &challenge, basic, &url).await?);
                    continue;
                }
            }
            let body = read_bounded(resp).await?;
            return match status {
                200..=299 => Ok(serde_json::from_slice(&body)?),
                401 => Err(OciDistributionError::UnauthorizedError { url }),
                code => Err(OciDistributionError::ServerError {
                    code,
                    url,
                    message: String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned(),
                }),
            };
        }
        Err(OciDistributionError::UnauthorizedError { url })
    }

    /// Tags of `reference`'s repository, at most `limit`.
    pub async fn list_tags(
        &self,
        reference: &Reference,
        limit: usize,
    ) -> Result<Vec<TagResult>, RegistryError> {
        let oci_ref = to_oci(reference);
        let resp = self
            .client
            .list_tags(&oci_ref, &self.auth, Some(limit.max(1)), None)
            .await
            .map_err(|e| {
                self.query_error(&format!("listing the tags of {}", reference.name()), e)
            })?;
        Ok(resp
            .tags
            .into_iter()
            .take(limit)
            .map(|tag| TagResult {
                name: reference.name(),
                tag,
            })
            .collect())
    }
}

#[derive(Deserialize)]
struct HubPage {
    #[serde(default)]
    results: Vec<HubResult>,
}

#[derive(Deserialize)]
struct HubResult {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    star_count: u64,
    #[serde(default)]
    is_official: bool,
    #[serde(default)]
    is_automated: bool,
}

/// Docker Hub's search API (`index.docker.io/v1/search`).
/// The most of an answer read: a catalog page of [`PAGE`] names fits many
/// times over; a hostile registry cannot make rsp hold more.
const MAX_BODY: usize = 16 << 20;

async fn read_bounded(mut resp: reqwest::Response) -> Result<Vec<u8>, OciDistributionError> {
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(OciDistributionError::GenericError(Some(format!(
                "the answer is larger than {} MiB",
                MAX_BODY >> 20
            ))));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A token from the realm of a `Bearer` challenge, for the challenge's
/// scope (else `registry:catalog:*`).
async fn fetch_token(
    http: &reqwest::Client,
    challenge: &str,
    basic: Option<(&str, &str)>,
    url: &str,
) -> Result<String, OciDistributionError> {
    let params = super::auth::parse_challenge(challenge);
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let realm = get("realm").ok_or_else(|| {
        OciDistributionError::GenericError(Some("a bearer challenge without a realm".into()))
    })?;
    let mut query = vec![(
        "scope",
        get("scope").unwrap_or_else(|| "registry:catalog:*".to_string()),
    )];
    if let Some(service) = get("service") {
        query.push(("service", service));
    }
    let mut req = http.get(&realm).query(&query);
    if let Some((u, p)) = basic {
        req = req.basic_auth(u, Some(p));
    }
    let resp = req.send().await?;
    let status = resp.status().as_u16();
    let body = read_bounded(resp).await?;
    if status == 401 || status == 403 {
        return Err(OciDistributionError::UnauthorizedError {
            url: url.to_string(),
        });
    }
    if !(200..300).contains(&status) {
        return Err(OciDistributionError::ServerError {
            code: status,
            url: realm,
            message: "the token service refused".into(),
        });
    }
    #[derive(Deserialize)]
    struct Token {
        token: Option<String>,
        access_token: Option<String>,
    }
    let t: Token = serde_json::from_slice(&body)?;
    t.token
        .or(t.access_token)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            OciDistributionError::GenericError(Some("the token service gave no token".into()))
        })
}

pub async fn search_docker_hub(
    term: &str,
    limit: usize,
) -> Result<Vec<SearchResult>, RegistryError> {
    let err = |reason: String| RegistryError::Search {
        registry: "docker.io".to_string(),
        reason,
    };
    let client = reqwest::Client::builder()
        .user_agent(super::USER_AGENT)
        .connect_timeout(super::CONNECT_TIMEOUT)
        .timeout(super::READ_TIMEOUT)
        .build()
        .map_err(|e| err(e.to_string()))?;
    let n = limit.clamp(1, HUB_MAX).to_string();
    let resp = client
        .get("https://index.docker.io/v1/search")
        .query(&[("q", term), ("n", n.as_str())])
        .send()
        .await
        .map_err(|e| err(super::root_cause(&e)))?;
    let status = resp.status();
    let body = resp.bytes().await.map_err(|e| err(super::root_cause(&e)))?;
    if !status.is_success() {
        return Err(err(format!("the search API answered {status}")));
    }
    parse_hub(&body, limit).map_err(|e| err(format!("unexpected answer: {e}")))
}

fn parse_hub(body: &[u8], limit: usize) -> Result<Vec<SearchResult>, serde_json::Error> {
    let page: HubPage = serde_json::from_slice(body)?;
    Ok(page
        .results
        .into_iter()
        .filter(|r| !r.name.is_empty())
        .take(limit)
        .map(|r| {
            // Official images are listed without their `library/` namespace.
            let name = if r.name.contains('/') {
                format!("docker.io/{}", r.name)
            } else {
                format!("docker.io/library/{}", r.name)
            };
            SearchResult {
                name,
                description: r.description.unwrap_or_default(),
                stars: r.star_count,
                official: r.is_official,
                automated: r.is_automated,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_answer_is_parsed_and_bounded() {
        let body = br#"{"num_results":3,"results":[
            {"name":"alpine","description":"A minimal image","star_count":10,"is_official":true},
            {"name":"someone/alpine-x","description":null,"star_count":1},
            {"name":"","description":"skip me"}
        ]}"#;
        let r = parse_hub(body, 10).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].name, "docker.io/library/alpine");
        assert!(r[0].official);
        assert_eq!(r[1].name, "docker.io/someone/alpine-x");
        assert_eq!(r[1].description, "");
        assert_eq!(parse_hub(body, 1).unwrap().len(), 1);
        assert!(parse_hub(b"\"x\"", 1).is_err());
    }

    /// A registry whose catalog needs a `registry:catalog:*` token from its
    /// token service, which wants user `u` with password `right`. Answers
    /// `requests` requests; returns the request lines it saw.
    fn token_catalog_registry(requests: usize) -> (String, std::thread::JoinHandle<Vec<String>>) {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let realm = format!("http://{addr}/token");
        let handle = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for _ in 0..requests {
                let (stream, _) = listener.accept().unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                reader.read_line(&mut request_line).unwrap();
                let mut authz = String::new();
                for _ in 0..100 {
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    if line.trim().is_empty() {
                        break;
                    }
                    if line.to_ascii_lowercase().starts_with("authorization:") {
                        authz = line["authorization:".len()..].trim().to_string();
                    }
                }
                seen.push(request_line.trim().to_string());
                let (status, extra, body) = if request_line.starts_with("GET /v2/_catalog")
                    && authz == "Bearer catalog-token"
                {
                    (
                        "200 OK",
                        String::new(),
                        r#"{"repositories":["a/web","b/db"]}"#,
                    )
                } else if request_line.starts_with("GET /v2/_catalog") {
                    (
                        "401 Unauthorized",
                        format!(
                            "WWW-Authenticate: Bearer realm=\"{realm}\",service=\"fake\",scope=\"registry:catalog:*\"\r\n"
                        ),
                        "{}",
                    )
                } else if request_line
                    .starts_with("GET /token?scope=registry%3Acatalog%3A*&service=fake ")
                    && authz == "Basic dTpyaWdodA=="
                {
                    ("200 OK", String::new(), r#"{"token":"catalog-token"}"#)
                } else {
                    ("401 Unauthorized", String::new(), "{}")
                };
                let mut stream = stream;
                write!(
                    stream,
                    "HTTP/1.1 {status}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
                .unwrap();
            }
            seen
        });
        (addr, handle)
    }

    fn registry_at(addr: &str, password: &str) -> Registry {
        let reference = Reference::parse(&format!("{addr}/x")).unwrap();
        let opts = super::super::PullOptions {
            tls_verify: Some(false),
            platform: super::super::Platform::parse("linux/amd64").unwrap(),
            auth: Some(("u".into(), password.into())),
            authfile: None,
        };
        Registry::new(&reference, &opts, &super::super::RegistriesConf::default()).unwrap()
    }

    #[tokio::test]
    async fn catalog_behind_a_token_service_gets_a_catalog_token() {
        let (addr, server) = token_catalog_registry(3);
        let found = registry_at(&addr, "right")
            .search_catalog("WEB", 10)
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, format!("{addr}/a/web"));
        let seen = server.join().unwrap();
        assert!(seen[0].starts_with("GET /v2/_catalog?n=1000 "), "{seen:?}");
        assert!(seen[1].starts_with("GET /token?"), "{seen:?}");

        let (addr, server) = token_catalog_registry(2);
        let err = registry_at(&addr, "wrong")
            .search_catalog("web", 10)
            .await
            .unwrap_err();
        assert!(matches!(err, RegistryError::QueryDenied { .. }), "{err}");
        assert!(!err.to_string().contains("wrong"), "{err}");
        server.join().unwrap();
    }
}
