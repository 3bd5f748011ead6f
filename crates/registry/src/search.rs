//! `search`: Docker Hub's search API, or a registry's `/v2/_catalog` and tag lists.
//!
//! Contract: results are bounded (at most [`MAX_PAGES`] catalog pages and `limit` results),
//! sorted as the registry returns them, and carry fully qualified names
//! (`registry/repository`). Only Docker Hub has a search API; elsewhere the catalog is filtered
//! by a case-insensitive substring match of the term. Every answer is read up to a cap
//! ([`super::http`]), tokens included.

use serde::Deserialize;

use oci_client::errors::OciDistributionError;

use super::http::{self, Fail, MAX_LIST};
use super::{Registry, RegistryError};
use rsp_image::reference::Reference;

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
    /// Sorts a failed catalog or tags request: unreachable, TLS, access denied, too large, or
    /// other.
    fn query_error(&self, what: &str, fail: Fail) -> RegistryError {
        use oci_client::errors::{OciDistributionError as E, OciErrorCode};
        let err = match fail {
            Fail::Http(e) => e,
            Fail::TooLarge { what: part, limit } => {
                return RegistryError::TooLarge {
                    action: format!("{what} on {}", self.registry),
                    what: part,
                    limit,
                };
            }
            other => {
                return RegistryError::Bounded {
                    action: format!("{what} on {}", self.registry),
                    source: Box::new(other),
                };
            }
        };
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
        let term = term.to_ascii_lowercase();
        let mut found = Vec::new();
        let mut last: Option<String> = None;
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self
                .catalog_page(&mut token, last.as_deref())
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

    /// One page of `/v2/_catalog`. A registry with a token service wants a
    /// token of scope `registry:catalog:*`, which oci-client's per-repository
    /// tokens never are: on its challenge, one is fetched (with the login,
    /// if any) into `token` and the page asked again.
    async fn catalog_page(
        &self,
        token: &mut Option<String>,
        last: Option<&str>,
    ) -> Result<oci_client::client::CatalogResponse, Fail> {
        use oci_client::secrets::RegistryAuth;
        let url = format!("{}_catalog", self.v2_url());
        let mut query = vec![("n", PAGE.to_string())];
        if let Some(l) = last {
            query.push(("last", l.to_string()));
        }
        let basic = match &self.auth {
            RegistryAuth::Basic(u, p) => Some((u.as_str(), p.as_str())),
            _ => None,
        };
        for attempt in 0..2 {
            let mut req = self
                .http
                .get(&url)
                .query(&query)
                .timeout(super::READ_TIMEOUT);
            req = match (token.as_deref(), basic, &self.auth) {
                (Some(t), _, _) => req.bearer_auth(t),
                (None, _, RegistryAuth::Bearer(t)) => req.bearer_auth(t),
                (None, Some((u, p)), _) => req.basic_auth(u, Some(p)),
                (None, None, _) => req,
            };
            let resp = req.send().await?;
            let status = resp.status().as_u16();
            if let Some(challenge) = self.challenge(&resp)?
                && attempt == 0
                && challenge.to_ascii_lowercase().starts_with("bearer")
            {
                let scope = "registry:catalog:*";
                *token = Some(
                    http::fetch_token(
                        &self.http,
                        &challenge,
                        &self.auth,
                        scope,
                        &url,
                        self.plain_http,
                    )
                    .await?,
                );
                continue;
            }
            if !(200..300).contains(&status) {
                return Err(http::status_error(resp, &url).await.into());
            }
            let body =
                http::read_capped(resp, MAX_LIST, || "reading a catalog page".into()).await?;
            return Ok(serde_json::from_slice(&body)?);
        }
        Err(OciDistributionError::UnauthorizedError { url }.into())
    }

    /// Tags of `reference`'s repository, at most `limit`.
    pub async fn list_tags(
        &self,
        reference: &Reference,
        limit: usize,
    ) -> Result<Vec<TagResult>, RegistryError> {
        #[derive(Deserialize)]
        struct Tags {
            #[serde(default)]
            tags: Option<Vec<String>>,
        }
        let url = format!(
            "{}{}/tags/list?n={}",
            self.v2_url(),
            reference.repository,
            limit.max(1)
        );
        let tags = async {
            let resp = self.get(&url, &reference.repository, None, true).await?;
            let body = http::read_capped(resp, MAX_LIST, || "reading the tag list".into()).await?;
            Ok::<Tags, Fail>(serde_json::from_slice(&body)?)
        }
        .await
        .map_err(|e| self.query_error(&format!("listing the tags of {}", reference.name()), e))?;
        Ok(tags
            .tags
            .unwrap_or_default()
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
    if !status.is_success() {
        return Err(err(format!("the search API answered {status}")));
    }
    let body = http::read_capped(resp, MAX_LIST, || "reading the answer".into())
        .await
        .map_err(|e| match e {
            Fail::Http(e) => err(super::root_cause(&e)),
            Fail::TooLarge { what, limit } => RegistryError::TooLarge {
                action: "searching docker.io".into(),
                what,
                limit,
            },
            other => RegistryError::Bounded {
                action: "searching docker.io".into(),
                source: Box::new(other),
            },
        })?;
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
            platform: rsp_image::Platform::parse("linux/amd64").unwrap(),
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
