//! `search`: Docker Hub's search API, or a registry's `/v2/_catalog` and tag lists.
//!
//! Contract: results are bounded (at most [`MAX_PAGES`] catalog pages and `limit` results),
//! sorted as the registry returns them, and carry fully qualified names
//! (`registry/repository`). Only Docker Hub has a search API; elsewhere the catalog is filtered
//! by a case-insensitive substring match of the term.

use serde::Deserialize;

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
        let probe = oci_client::Reference::with_tag(
            self.registry.clone(),
            "catalog".to_string(),
            "latest".to_string(),
        );
        let term = term.to_ascii_lowercase();
        let mut found = Vec::new();
        let mut last: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self
                .client
                .catalog(&probe, &self.auth, Some(PAGE), last.as_deref())
                .await
                .map_err(|e| self.query_error("listing the repositories (/v2/_catalog)", e))?;
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
}
