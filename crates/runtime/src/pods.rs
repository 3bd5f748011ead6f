//! Pods: groups of containers that share namespaces held by an infra
//! container, which is rsp itself as pid 1 (no pause image). This module
//! owns the pods' on-disk format and their rules.
//!
//! Layout (under the store root): `pods/<ID>.json`, one [`PodRecord`]
//! each, written whole (temp file and rename) under the store lock.
//!
//! Contract:
//! - A pod's name is unique among pods (and follows the container name
//!   rules); its ID is 64 hex digits.
//! - Its infra container (when it has one) is a container of the pod
//!   like the others, marked `infra`: it holds the namespaces the pod
//!   shares (`net`, `uts`, `ipc`; `pid` is refused), and every member
//!   joins them when it starts, starting the infra first if it is not
//!   running. Members are the containers whose record names the pod.
//! - The infra's image is rsp's own: an empty one-layer image,
//!   `localhost/rsp-infra:latest`, made in the store when first needed;
//!   the infra runs nothing of it.

use crate::container::{self, Container, Status};
use rsp_storage::{Store, StoreError, StoreLock};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The image the infra containers are made from.
pub const INFRA_IMAGE: &str = "localhost/rsp-infra:latest";
/// The namespaces a pod shares by default, as Podman's.
pub const DEFAULT_SHARE: &[&str] = &["ipc", "net", "uts"];

#[derive(Debug, thiserror::Error)]
pub enum PodError {
    #[error(
        "invalid pod name {0:?}: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]* (at most 253 characters)"
    )]
    BadName(String),
    #[error("pod {0} already exists: choose another --name")]
    Exists(String),
    #[error("no pod with name or ID {0} found: no such pod")]
    NotFound(String),
    #[error("pod {0}: more than one pod matches that ID prefix: give more of the ID")]
    Ambiguous(String),
    #[error(
        "invalid --share {0:?}: rsp pods share net, uts and ipc (not pid, cgroup or user): give a comma-separated subset"
    )]
    BadShare(String),
    #[error("pod {name}: its record {path} is corrupt ({why}): remove the file")]
    Corrupt {
        name: String,
        path: PathBuf,
        why: String,
    },
    #[error(
        "pod {0} has running containers: stop them first or use -f: pod has running containers"
    )]
    Running(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

type Result<T> = std::result::Result<T, PodError>;

/// What `pods/<ID>.json` keeps.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct PodRecord {
    pub id: String,
    pub name: String,
    /// RFC 3339, from the creator's clock.
    pub created: String,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub hostname: String,
    /// The namespaces its members share with its infra container.
    #[serde(default)]
    pub share: Vec<String>,
    /// Its infra container's ID; none with `--infra=false`.
    #[serde(default)]
    pub infra_id: Option<String>,
    /// `pod create`'s command line, as Podman keeps it.
    #[serde(default)]
    pub create_command: Vec<String>,
}

/// Checks `--share`: a comma-separated subset of net, uts, ipc (an empty
/// string shares nothing).
pub fn parse_share(s: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for k in s.split(',').map(str::trim).filter(|k| !k.is_empty()) {
        if !matches!(k, "net" | "uts" | "ipc") {
            return Err(PodError::BadShare(s.to_string()));
        }
        if !out.iter().any(|x| x == k) {
            out.push(k.to_string());
        }
    }
    out.sort();
    Ok(out)
}

fn pods_dir(store: &Store) -> PathBuf {
    store.root().join("pods")
}

fn record_path(store: &Store, id: &str) -> Result<PathBuf> {
    if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(PodError::NotFound(id.to_string()));
    }
    Ok(pods_dir(store).join(format!("{id}.json")))
}

/// Whether `c` is the infra container of a pod that still exists: it goes
/// only with its pod (`pod rm`), never on its own.
pub fn is_pod_infra(store: &Store, c: &Container) -> bool {
    c.config.infra
        && c.config
            .pod
            .as_deref()
            .is_some_and(|p| find(store, p).is_ok())
}

/// Writes a new pod's record, its name checked again under the lock (two
/// `pod create`s of one name at once make one pod).
pub fn insert(store: &Store, rec: &PodRecord, lock: &StoreLock) -> Result<()> {
    if list(store)?
        .iter()
        .any(|p| p.name == rec.name && p.id != rec.id)
    {
        return Err(PodError::Exists(rec.name.clone()));
    }
    save(store, rec, lock)
}

/// Writes a pod's record (new or changed).
pub fn save(store: &Store, rec: &PodRecord, _lock: &StoreLock) -> Result<()> {
    let dir = pods_dir(store);
    std::fs::create_dir_all(&dir).map_err(|source| StoreError::Write {
        path: dir.clone(),
        source,
    })?;
    let data = serde_json::to_vec_pretty(rec).expect("a pod record serializes");
    rsp_storage::write_atomic(&record_path(store, &rec.id)?, &data)?;
    Ok(())
}

/// A new pod's record (not written): checks its name against the other
/// pods'.
pub fn new_record(
    store: &Store,
    name: Option<&str>,
    labels: BTreeMap<String, String>,
    hostname: Option<&str>,
    share: Vec<String>,
    create_command: Vec<String>,
) -> Result<PodRecord> {
    let id = container::random_id();
    let name = match name {
        Some(n) => n.to_string(),
        None => container::random_name(id.as_bytes()),
    };
    if !container::valid_name(&name) {
        return Err(PodError::BadName(name));
    }
    if list(store)?.iter().any(|p| p.name == name) {
        return Err(PodError::Exists(name));
    }
    Ok(PodRecord {
        hostname: hostname.map(str::to_string).unwrap_or_else(|| name.clone()),
        id,
        name,
        created: container::now_rfc3339(),
        labels,
        share,
        infra_id: None,
        create_command,
    })
}

/// Every pod, by creation time.
pub fn list(store: &Store) -> Result<Vec<PodRecord>> {
    let dir = pods_dir(store);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(StoreError::Read { path: dir, source }.into()),
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let f = e.file_name();
        let Some(id) = f.to_str().and_then(|f| f.strip_suffix(".json")) else {
            continue;
        };
        let Ok(path) = record_path(store, id) else {
            continue;
        };
        let data = match std::fs::read(&path) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => return Err(StoreError::Read { path, source }.into()),
        };
        let rec: PodRecord = serde_json::from_slice(&data).map_err(|e| PodError::Corrupt {
            name: id.to_string(),
            path: path.clone(),
            why: e.to_string(),
        })?;
        if rec.id != id {
            return Err(PodError::Corrupt {
                name: rec.name,
                path,
                why: "its ID is not its file's".to_string(),
            });
        }
        out.push(rec);
    }
    out.sort_by(|a, b| a.created.cmp(&b.created));
    Ok(out)
}

/// A pod by name, full ID or unique ID prefix.
pub fn find(store: &Store, name_or_id: &str) -> Result<PodRecord> {
    let all = list(store)?;
    if let Some(p) = all
        .iter()
        .find(|p| p.name == name_or_id || p.id == name_or_id)
    {
        return Ok(p.clone());
    }
    let mut by_prefix = all
        .into_iter()
        .filter(|p| !name_or_id.is_empty() && p.id.starts_with(name_or_id));
    match (by_prefix.next(), by_prefix.next()) {
        (Some(p), None) => Ok(p),
        (Some(_), Some(_)) => Err(PodError::Ambiguous(name_or_id.to_string())),
        _ => Err(PodError::NotFound(name_or_id.to_string())),
    }
}

/// The pod's containers, its infra first.
pub fn members(store: &Store, pod: &PodRecord) -> Result<Vec<Container>> {
    let mut out: Vec<Container> = container::list(store)?
        .into_iter()
        .filter(|c| c.config.pod.as_deref() == Some(pod.id.as_str()))
        .collect();
    out.sort_by_key(|c| !c.config.infra);
    Ok(out)
}

/// A pod's state, as Podman names it: Created (nothing ever ran),
/// Running (all running), Paused, Degraded (some running), Exited.
pub fn status(members: &[Container]) -> &'static str {
    let running = members.iter().filter(|c| c.state.is_active()).count();
    let paused = members
        .iter()
        .filter(|c| c.state.status == Status::Paused)
        .count();
    if members.is_empty() || members.iter().all(|c| c.state.status == Status::Created) {
        "Created"
    } else if paused > 0 && paused == members.len() {
        "Paused"
    } else if running == members.len() {
        "Running"
    } else if running > 0 {
        "Degraded"
    } else {
        "Exited"
    }
}

/// Deletes a pod's record (its containers must be gone).
pub fn remove_record(store: &Store, pod: &PodRecord, _lock: &StoreLock) -> Result<()> {
    let path = record_path(store, &pod.id)?;
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(StoreError::Remove { path, source }.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue20_share_lists() {
        assert_eq!(parse_share("net,uts").unwrap(), ["net", "uts"]);
        assert_eq!(parse_share("ipc,net,ipc").unwrap(), ["ipc", "net"]);
        assert!(parse_share("").unwrap().is_empty());
        assert!(matches!(parse_share("pid"), Err(PodError::BadShare(_))));
        assert!(matches!(parse_share("net,x"), Err(PodError::BadShare(_))));
    }
}
