//! Local image management: names (tag, untag), history, the image filters
//! of `images` and `prune`, which images a prune removes, and how much
//! space images take.
//!
//! Contract: every change to the image records happens under the store
//! lock on a freshly read database, and all user input is checked before
//! anything is changed, so a bad name in `tag a b BAD` changes nothing.
//! Prune re-checks under the lock that no container uses an image, and
//! removes layers and blobs only once no remaining image needs them.
//! Sizes are layer sizes as recorded at unpack ([`Store::layer_size`]); a
//! layer shared by several images is counted once in totals.

use super::config::ImageConfig;
use super::reference::{Reference, ReferenceError};
use chrono::{DateTime, Utc};
use rsp_storage::{ImageDb, ImageRecord, Store, StoreError};
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Lookup(#[from] super::ImageError),
    #[error(transparent)]
    BadName(#[from] ReferenceError),
    #[error("invalid tag {0:?}: a name with a digest cannot be a tag: give NAME[:TAG]")]
    DigestTag(String),
    #[error("{name}: tag not known: image {image} has the names {names:?}")]
    TagNotKnown {
        name: String,
        image: String,
        names: Vec<String>,
    },
    #[error("invalid filter {filter:?}: {reason}")]
    BadFilter { filter: String, reason: String },
}

type Result<T, E = ManageError> = std::result::Result<T, E>;

/// The name `input` stands for as a tag, as Podman normalises it: a name
/// without a registry goes to `localhost/`, `docker.io/foo` becomes
/// `docker.io/library/foo`, and a missing tag is `latest`.
pub fn normalize_tag(input: &str) -> Result<String> {
    let (r, qualified) = Reference::parse_with_qualified(input)?;
    if r.digest.is_some() {
        return Err(ManageError::DigestTag(input.to_string()));
    }
    if qualified {
        return Ok(r.to_string());
    }
    // The parser put an unqualified name on Docker Hub, adding `library/`
    // to one-component names; as a local name the path is kept as written.
    let written_path = !input.starts_with("library/");
    let path = match r.repository.strip_prefix("library/") {
        Some(rest) if written_path && !rest.contains('/') => rest,
        _ => r.repository.as_str(),
    };
    Ok(format!("localhost/{path}:{}", r.tag_or_latest()))
}

/// Adds `targets` as names of the image `input` names; each name moves
/// away from any image that had it. Returns the image and the names added.
pub fn tag(store: &Store, input: &str, targets: &[String]) -> Result<(ImageRecord, Vec<String>)> {
    let names = targets
        .iter()
        .map(|t| normalize_tag(t))
        .collect::<Result<Vec<_>>>()?;
    let lock = store.lock()?;
    let mut db = store.images()?;
    let id = super::lookup(&db, input)?.id.clone();
    for n in &names {
        db.untag(n);
    }
    let rec = db
        .images
        .iter_mut()
        .find(|i| i.id == id)
        .expect("looked up above");
    for n in &names {
        if !rec.names.contains(n) {
            rec.names.push(n.clone());
        }
    }
    let rec = rec.clone();
    store.save_images(&db, &lock)?;
    Ok((rec, names))
}

/// Removes `names` (all of them when empty) from the image `input` names.
/// A name the image does not have is an error and nothing is removed.
pub fn untag(store: &Store, input: &str, names: &[String]) -> Result<(ImageRecord, Vec<String>)> {
    let lock = store.lock()?;
    let mut db = store.images()?;
    let rec = super::lookup(&db, input)?.clone();
    let mut remove = Vec::new();
    for n in names {
        let normal = normalize_tag(n)?;
        // `untag alpine alpine` means the stored docker.io name, as lookup
        // would find it, when there is no local name of that form.
        let found = if rec.names.contains(&normal) {
            Some(normal)
        } else {
            super::lookup_name(&db, n).filter(|s| rec.names.contains(s))
        };
        match found {
            Some(s) => remove.push(s),
            None => {
                return Err(ManageError::TagNotKnown {
                    name: normalize_tag(n)?,
                    image: rec.id[..12.min(rec.id.len())].to_string(),
                    names: rec.names.clone(),
                });
            }
        }
    }
    if names.is_empty() {
        remove = rec.names.clone();
    }
    for n in &remove {
        db.untag(n);
    }
    store.save_images(&db, &lock)?;
    let rec = db
        .images
        .into_iter()
        .find(|i| i.id == rec.id)
        .unwrap_or(rec);
    Ok((rec, remove))
}

/// The image's config, or an empty one if its blob is missing or unreadable
/// (a listing still shows the image).
pub fn config_of(store: &Store, rec: &ImageRecord) -> ImageConfig {
    store
        .get_blob(&format!("sha256:{}", rec.id))
        .ok()
        .and_then(|b| ImageConfig::parse(&b).ok())
        .unwrap_or_default()
}

/// One line of `history`.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryEntry {
    /// The image ID on the newest entry, `None` (`<missing>`) on the others.
    pub id: Option<String>,
    pub created: Option<String>,
    pub created_by: String,
    /// Size of the layer this step made; 0 for steps without a layer.
    pub size: u64,
    pub comment: String,
    /// The image's names, on the newest entry.
    pub tags: Vec<String>,
}

fn history_str(v: &serde_json::Value, key: &str) -> String {
    v.get(key)
        .and_then(|s| s.as_str())
        .unwrap_or_default()
        .to_string()
}

/// The config's history, newest first, each step that made a layer matched
/// to that layer in order (`empty_layer` steps made none). Layers below
/// the recorded steps (all of them, for a config without history) get an
/// entry each.
pub fn history(
    cfg: &ImageConfig,
    rec: &ImageRecord,
    layer_size: impl Fn(&str) -> u64,
) -> Vec<HistoryEntry> {
    let is_empty = |h: &serde_json::Value| {
        h.get("empty_layer")
            .and_then(|e| e.as_bool())
            .unwrap_or(false)
    };
    // History is often missing for the lowest layers (an image built
    // without it, then committed): it describes the newest ones, and the
    // older layers get rows of their own.
    let described = cfg.history.iter().filter(|h| !is_empty(h)).count();
    let undescribed = rec.layers.len().saturating_sub(described);
    let mut layers = rec.layers[undescribed..].iter();
    let mut out: Vec<HistoryEntry> = rec.layers[..undescribed]
        .iter()
        .map(|d| HistoryEntry {
            id: None,
            created: cfg.created.clone(),
            created_by: String::new(),
            size: layer_size(d),
            comment: String::new(),
            tags: Vec::new(),
        })
        .collect();
    out.extend(cfg.history.iter().map(|h| {
        let size = if is_empty(h) {
            0
        } else {
            layers.next().map(|d| layer_size(d)).unwrap_or(0)
        };
        HistoryEntry {
            id: None,
            created: h
                .get("created")
                .and_then(|c| c.as_str())
                .map(str::to_string),
            created_by: history_str(h, "created_by"),
            size,
            comment: history_str(h, "comment"),
            tags: Vec::new(),
        }
    }));
    out.reverse();
    if let Some(top) = out.first_mut() {
        top.id = Some(rec.id.clone());
        top.tags = rec.names.clone();
    }
    out
}

/// What the image filters look at, gathered once per image.
#[derive(Clone, Debug)]
pub struct ImageInfo {
    pub rec: ImageRecord,
    pub created: Option<DateTime<Utc>>,
    pub labels: BTreeMap<String, String>,
    /// Containers (any state) made from the image.
    pub containers: usize,
}

/// Gathers [`ImageInfo`] for every image; `containers` counts containers by
/// image ID.
pub fn infos(store: &Store, db: &ImageDb, containers: &HashMap<String, usize>) -> Vec<ImageInfo> {
    db.images
        .iter()
        .map(|rec| {
            let cfg = config_of(store, rec);
            let created = cfg
                .created
                .as_deref()
                .or(Some(rec.added.as_str()))
                .and_then(|c| DateTime::parse_from_rfc3339(c).ok())
                .map(|t| t.with_timezone(&Utc));
            ImageInfo {
                rec: rec.clone(),
                created,
                labels: cfg.config.labels.unwrap_or_default(),
                containers: containers.get(&rec.id).copied().unwrap_or(0),
            }
        })
        .collect()
}

#[derive(Clone, Debug, PartialEq)]
enum Filter {
    Dangling(bool),
    Label {
        key: String,
        value: Option<String>,
    },
    /// `label!=KEY[=VALUE]`: images without that label (or value).
    NotLabel {
        key: String,
        value: Option<String>,
    },
    Reference(String),
    Before(DateTime<Utc>),
    Since(DateTime<Utc>),
    Until(DateTime<Utc>),
    Id(String),
    Containers(bool),
}

/// Parsed `--filter KEY=VALUE` options. Filters of one key match if any
/// of them does (labels: all of them); different keys must all match.
#[derive(Clone, Debug, Default)]
pub struct Filters {
    by_key: BTreeMap<String, Vec<Filter>>,
}

fn parse_bool(filter: &str, v: &str) -> Result<bool> {
    match v {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(ManageError::BadFilter {
            filter: filter.to_string(),
            reason: "give true or false".into(),
        }),
    }
}

impl Filters {
    /// Parses `specs`, accepting only the keys in `allowed`. `created_of`
    /// finds the creation time of the image a `before=`/`since=` names.
    pub fn parse(
        specs: &[String],
        allowed: &[&str],
        created_of: impl Fn(&str) -> Result<Option<DateTime<Utc>>>,
    ) -> Result<Filters> {
        let mut by_key: BTreeMap<String, Vec<Filter>> = BTreeMap::new();
        for spec in specs {
            let bad = |reason: String| ManageError::BadFilter {
                filter: spec.clone(),
                reason,
            };
            let Some((key, value)) = spec.split_once('=') else {
                return Err(bad(format!(
                    "give KEY=VALUE with KEY one of {}",
                    allowed.join(", ")
                )));
            };
            if !allowed.contains(&key) {
                return Err(bad(format!(
                    "unknown key {key:?}: use one of {}",
                    allowed.join(", ")
                )));
            }
            let time = |v: &str| {
                rsp_base::timespec::parse_time(v, Utc::now()).map_err(|e| bad(e.to_string()))
            };
            let image_time = |v: &str| {
                created_of(v)?.ok_or_else(|| bad(format!("image {v} records no creation time")))
            };
            let f = match key {
                "dangling" => Filter::Dangling(parse_bool(spec, value)?),
                "containers" => Filter::Containers(parse_bool(spec, value)?),
                "label" | "label!" => {
                    let (k, v) = match value.split_once('=') {
                        Some((k, v)) => (k.to_string(), Some(v.to_string())),
                        None => (value.to_string(), None),
                    };
                    if key == "label" {
                        Filter::Label { key: k, value: v }
                    } else {
                        Filter::NotLabel { key: k, value: v }
                    }
                }
                "reference" => Filter::Reference(value.to_string()),
                "id" => Filter::Id(value.trim_start_matches("sha256:").to_string()),
                "before" => Filter::Before(image_time(value)?),
                "since" => Filter::Since(image_time(value)?),
                "until" => Filter::Until(time(value)?),
                _ => unreachable!("checked against allowed"),
            };
            by_key.entry(key.to_string()).or_default().push(f);
        }
        Ok(Filters { by_key })
    }

    pub fn matches(&self, info: &ImageInfo) -> bool {
        self.by_key.iter().all(|(key, fs)| {
            if key.starts_with("label") {
                fs.iter().all(|f| f.matches(info))
            } else {
                fs.iter().any(|f| f.matches(info))
            }
        })
    }
}

impl Filter {
    fn matches(&self, info: &ImageInfo) -> bool {
        let older = |t: &DateTime<Utc>| info.created.is_some_and(|c| c < *t);
        match self {
            Filter::Dangling(d) => info.rec.names.is_empty() == *d,
            Filter::Containers(c) => (info.containers > 0) == *c,
            Filter::Label { key, value } => has_label(info, key, value),
            Filter::NotLabel { key, value } => !has_label(info, key, value),
            Filter::Reference(pattern) => {
                info.rec.names.iter().any(|n| reference_matches(pattern, n))
            }
            Filter::Id(prefix) => info.rec.id.starts_with(prefix.as_str()),
            Filter::Before(t) | Filter::Until(t) => older(t),
            Filter::Since(t) => info.created.is_some_and(|c| c > *t),
        }
    }
}

fn has_label(info: &ImageInfo, key: &str, value: &Option<String>) -> bool {
    match (info.labels.get(key), value) {
        (Some(have), Some(want)) => have == want,
        (Some(_), None) => true,
        (None, _) => false,
    }
}

/// Whether a `reference=` pattern (with `*` and `?` wildcards that do not
/// cross `/`) matches the stored name `name`, written in full or in any
/// shorter form a user would type: without registry, without `library/`,
/// with or without the tag.
fn reference_matches(pattern: &str, name: &str) -> bool {
    let (repo, tag) = super::split_name(name);
    let mut forms = vec![repo.to_string()];
    if let Some((_, path)) = repo.split_once('/') {
        forms.push(path.to_string());
        if let Some(short) = path.strip_prefix("library/") {
            forms.push(short.to_string());
        }
    }
    forms
        .iter()
        .any(|f| glob(pattern, f) || (tag != "<none>" && glob(pattern, &format!("{f}:{tag}"))))
}

/// `filepath.Match`-style matching of `*` and `?` (neither matches `/`).
fn glob(pattern: &str, s: &str) -> bool {
    let (p, s): (Vec<char>, Vec<char>) = (pattern.chars().collect(), s.chars().collect());
    // Classic two-pointer wildcard match with one backtrack point, bounded
    // by the lengths: no recursion on hostile patterns.
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && (p[pi] == s[si] || (p[pi] == '?' && s[si] != '/')) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, si));
            pi += 1;
        } else if let Some((sp, ss)) = star {
            if s[ss] == '/' {
                return false;
            }
            pi = sp + 1;
            si = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// The images a prune removes: those no container uses that are dangling
/// (no name), or with `all` every one, and that match `filters`.
pub fn prune_candidates(infos: &[ImageInfo], all: bool, filters: &Filters) -> Vec<String> {
    // A build's intermediate image below a named image is its build
    // cache: kept, as Podman keeps an image's parents, unless `all`.
    let named: Vec<&[String]> = infos
        .iter()
        .filter(|i| !i.rec.names.is_empty())
        .map(|i| i.rec.layers.as_slice())
        .collect();
    let parent =
        |i: &ImageInfo| i.rec.intermediate && named.iter().any(|l| l.starts_with(&i.rec.layers));
    infos
        .iter()
        .filter(|i| {
            i.containers == 0
                && (all || (i.rec.names.is_empty() && !parent(i)))
                && filters.matches(i)
        })
        .map(|i| i.rec.id.clone())
        .collect()
}

/// What [`remove_images`] removed.
#[derive(Debug, Default, PartialEq)]
pub struct Removed {
    pub ids: Vec<String>,
    /// Bytes of the layers that went with them (no other image used them).
    pub reclaimed: u64,
}

/// Removes the images `ids` that `in_use` (asked under the store lock)
/// does not report as used by a container, then every layer and blob no
/// remaining image needs.
pub fn remove_images(
    store: &Store,
    ids: &[String],
    in_use: impl Fn() -> HashSet<String>,
) -> Result<Removed> {
    if ids.is_empty() {
        return Ok(Removed::default());
    }
    let lock = store.lock()?;
    let used = in_use();
    let mut db = store.images()?;
    let (gone, kept): (Vec<ImageRecord>, Vec<ImageRecord>) = db
        .images
        .drain(..)
        .partition(|i| ids.contains(&i.id) && !used.contains(&i.id));
    db.images = kept;
    let still: HashSet<&String> = db.images.iter().flat_map(|i| &i.layers).collect();
    let freed: HashSet<&String> = gone
        .iter()
        .flat_map(|i| &i.layers)
        .filter(|d| !still.contains(d))
        .collect();
    let reclaimed = freed.iter().map(|d| store.layer_size(d)).sum();
    store.save_images(&db, &lock)?;
    store.remove_unused_layers(&db, &lock)?;
    store.remove_unused_blobs(&db, &lock)?;
    Ok(Removed {
        ids: gone.into_iter().map(|i| i.id).collect(),
        reclaimed,
    })
}

/// A layer above an image's top layer and the layers stacked on it, as
/// `image tree --whatrequires` shows them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LayerNode {
    pub layer: String,
    pub children: Vec<LayerNode>,
}

/// The layers that images built on `base` add above it, as a tree: an
/// image requires `base` when its layer list starts with all of `base`'s
/// layers and is longer. Children keep the order of the image list.
pub fn dependents(db: &ImageDb, base: &ImageRecord) -> Vec<LayerNode> {
    let mut roots: Vec<LayerNode> = Vec::new();
    for img in &db.images {
        if img.id == base.id
            || img.layers.len() <= base.layers.len()
            || !img.layers.starts_with(&base.layers)
        {
            continue;
        }
        let mut level = &mut roots;
        for layer in &img.layers[base.layers.len()..] {
            let at = match level.iter().position(|n| &n.layer == layer) {
                Some(at) => at,
                None => {
                    level.push(LayerNode {
                        layer: layer.clone(),
                        children: Vec::new(),
                    });
                    level.len() - 1
                }
            };
            level = &mut level[at].children;
        }
    }
    roots
}

/// Space one image takes.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageUsage {
    pub id: String,
    /// All its layers.
    pub size: u64,
    /// Its layers that other images use too.
    pub shared: u64,
    pub containers: usize,
}

/// Space all images take.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImagesUsage {
    pub images: Vec<ImageUsage>,
    /// Images some container uses.
    pub active: usize,
    /// Every distinct layer once.
    pub size: u64,
    /// Layers no container's image needs: what `image prune -a` frees.
    pub reclaimable: u64,
}

/// Disk usage of the images in `infos`, from each layer's `layer_size`.
pub fn images_usage(infos: &[ImageInfo], layer_size: impl Fn(&str) -> u64) -> ImagesUsage {
    let mut users: HashMap<&str, usize> = HashMap::new();
    for i in infos {
        let distinct: HashSet<&String> = i.rec.layers.iter().collect();
        for d in distinct {
            *users.entry(d).or_default() += 1;
        }
    }
    let sizes: HashMap<&str, u64> = users.keys().map(|d| (*d, layer_size(d))).collect();
    let active_layers: HashSet<&String> = infos
        .iter()
        .filter(|i| i.containers > 0)
        .flat_map(|i| &i.rec.layers)
        .collect();
    let size: u64 = sizes.values().sum();
    let active_size: u64 = active_layers.iter().map(|d| sizes[d.as_str()]).sum();
    let images = infos
        .iter()
        .map(|i| {
            let distinct: HashSet<&String> = i.rec.layers.iter().collect();
            ImageUsage {
                id: i.rec.id.clone(),
                size: distinct.iter().map(|d| sizes[d.as_str()]).sum(),
                shared: distinct
                    .iter()
                    .filter(|d| users[d.as_str()] > 1)
                    .map(|d| sizes[d.as_str()])
                    .sum(),
                containers: i.containers,
            }
        })
        .collect();
    ImagesUsage {
        images,
        active: infos.iter().filter(|i| i.containers > 0).count(),
        size,
        reclaimable: size - active_size,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rec(id: &str, names: &[&str], layers: &[&str]) -> ImageRecord {
        ImageRecord {
            id: id.repeat(64 / id.len()),
            names: names.iter().map(|s| s.to_string()).collect(),
            digests: vec![],
            manifest_digest: String::new(),
            manifest_media_type: String::new(),
            layers: layers.iter().map(|s| s.to_string()).collect(),
            size: 0,
            added: String::new(),
            intermediate: false,
        }
    }

    fn info(r: ImageRecord, containers: usize) -> ImageInfo {
        ImageInfo {
            rec: r,
            created: None,
            labels: BTreeMap::new(),
            containers,
        }
    }

    #[test]
    fn tags_are_normalised_like_podman() {
        let n = |s: &str| normalize_tag(s).unwrap();
        assert_eq!(n("foo"), "localhost/foo:latest");
        assert_eq!(n("foo:v1"), "localhost/foo:v1");
        assert_eq!(n("a/b"), "localhost/a/b:latest");
        assert_eq!(n("library/x"), "localhost/library/x:latest");
        assert_eq!(n("docker.io/foo"), "docker.io/library/foo:latest");
        assert_eq!(n("quay.io/x/y:v2"), "quay.io/x/y:v2");
        assert_eq!(n("localhost:5000/app"), "localhost:5000/app:latest");
        assert!(matches!(normalize_tag("Bad"), Err(ManageError::BadName(_))));
        assert!(matches!(
            normalize_tag("foo:bad!tag"),
            Err(ManageError::BadName(_))
        ));
        assert!(matches!(
            normalize_tag(&format!("foo@sha256:{}", "a".repeat(64))),
            Err(ManageError::DigestTag(_))
        ));
    }

    #[test]
    fn history_matches_layers_and_skips_empty_steps() {
        let cfg = ImageConfig {
            history: vec![
                json!({"created": "2024-01-01T00:00:00Z", "created_by": "ADD rootfs"}),
                json!({"created_by": "ENV A=1", "empty_layer": true}),
                json!({"created_by": "RUN make", "comment": "c"}),
            ],
            ..Default::default()
        };
        let r = rec("ab", &["localhost/x:latest"], &["l1", "l2"]);
        let h = history(&cfg, &r, |d| if d == "l1" { 100 } else { 7 });
        assert_eq!(h.len(), 3);
        // One step recorded for two layers: it describes the newer one.
        let one = ImageConfig {
            history: vec![json!({"created_by": "commit"})],
            ..Default::default()
        };
        let h1 = history(&one, &r, |d| if d == "l1" { 100 } else { 7 });
        assert_eq!((h1[0].created_by.as_str(), h1[0].size), ("commit", 7));
        assert_eq!((h1[1].created_by.as_str(), h1[1].size), ("", 100));
        assert_eq!(h[0].id.as_deref(), Some(r.id.as_str()));
        assert_eq!(h[0].created_by, "RUN make");
        assert_eq!((h[0].size, h[0].comment.as_str()), (7, "c"));
        assert_eq!(h[0].tags, r.names);
        assert_eq!((h[1].id.clone(), h[1].size), (None, 0));
        assert_eq!(h[2].size, 100);
        assert_eq!(h[2].created.as_deref(), Some("2024-01-01T00:00:00Z"));
    }

    #[test]
    fn history_without_records_lists_layers() {
        let r = rec("ab", &[], &["l1", "l2"]);
        let h = history(&ImageConfig::default(), &r, |_| 5);
        assert_eq!(h.len(), 2);
        assert!(h[0].id.is_some() && h[1].id.is_none());
    }

    #[test]
    fn globs_do_not_cross_slashes() {
        assert!(glob("a*", "abc"));
        assert!(glob("*", ""));
        assert!(glob("a?c", "abc"));
        assert!(!glob("a*", "a/b"));
        assert!(glob("*/b", "a/b"));
        assert!(!glob("abc", "abcd"));
        assert!(glob(&"*".repeat(50), &"a".repeat(50)));
        assert!(!glob(&"*a".repeat(30), &"a".repeat(29)));
    }

    #[test]
    fn reference_filter_takes_short_forms() {
        let n = "docker.io/library/alpine:3";
        for p in [
            "alpine",
            "alpine:3",
            "library/alpine",
            "docker.io/library/alpine:3",
            "alp*",
        ] {
            assert!(reference_matches(p, n), "{p}");
        }
        for p in ["alpine:4", "busybox", "pine"] {
            assert!(!reference_matches(p, n), "{p}");
        }
    }

    #[test]
    fn filters_combine() {
        let mut a = info(rec("a", &["localhost/a:latest"], &[]), 0);
        a.labels.insert("k".into(), "v".into());
        a.created = Some("2024-01-01T00:00:00Z".parse().unwrap());
        let b = info(rec("b", &[], &[]), 1);
        let none = |_: &str| Ok(None);
        let f = |specs: &[&str]| {
            let specs: Vec<String> = specs.iter().map(|s| s.to_string()).collect();
            Filters::parse(
                &specs,
                &["dangling", "label", "label!", "reference", "until"],
                none,
            )
            .unwrap()
        };
        assert!(f(&["dangling=true"]).matches(&b));
        assert!(!f(&["dangling=true"]).matches(&a));
        assert!(f(&["label=k=v"]).matches(&a));
        assert!(f(&["label=k"]).matches(&a));
        assert!(!f(&["label=k=w"]).matches(&a));
        assert!(!f(&["label=k", "label=z"]).matches(&a));
        assert!(!f(&["label!=k"]).matches(&a));
        assert!(!f(&["label!=k=v"]).matches(&a));
        assert!(f(&["label!=k=w"]).matches(&a));
        assert!(f(&["label!=z", "label=k"]).matches(&a));
        assert!(!f(&["label!=z", "label!=k"]).matches(&a));
        assert!(f(&["reference=a", "reference=zz"]).matches(&a));
        assert!(f(&["until=2025-01-01T00:00:00Z"]).matches(&a));
        assert!(!f(&["until=2023-01-01T00:00:00Z"]).matches(&a));
        assert!(!f(&["until=2025-01-01T00:00:00Z"]).matches(&b));
        let bad = Filters::parse(&["color=red".to_string()], &["label"], none);
        assert!(matches!(bad, Err(ManageError::BadFilter { .. })));
        let bad = Filters::parse(&["dangling=maybe".to_string()], &["dangling"], none);
        assert!(matches!(bad, Err(ManageError::BadFilter { .. })));
    }

    #[test]
    fn prune_takes_dangling_unused_images_or_all_unused() {
        let infos = vec![
            info(rec("a", &["localhost/a:latest"], &[]), 0),
            info(rec("b", &[], &[]), 0),
            info(rec("c", &[], &[]), 2),
            info(rec("d", &["localhost/d:latest"], &[]), 1),
        ];
        let none = Filters::default();
        assert_eq!(prune_candidates(&infos, false, &none), vec!["b".repeat(64)]);
        assert_eq!(
            prune_candidates(&infos, true, &none),
            vec!["a".repeat(64), "b".repeat(64)]
        );
    }

    #[test]
    fn usage_counts_shared_layers_once() {
        let infos = vec![
            info(rec("a", &[], &["base", "a1"]), 1),
            info(rec("b", &[], &["base", "b1"]), 0),
            info(rec("c", &[], &["c1"]), 0),
        ];
        let size = |d: &str| match d {
            "base" => 100,
            "a1" => 10,
            "b1" => 20,
            _ => 5,
        };
        let u = images_usage(&infos, size);
        assert_eq!(u.size, 135);
        assert_eq!(u.active, 1);
        assert_eq!(u.reclaimable, 25);
        assert_eq!(u.images[0].size, 110);
        assert_eq!(u.images[0].shared, 100);
        assert_eq!(u.images[2].shared, 0);
    }

    #[test]
    fn tag_untag_and_prune_on_a_store() {
        let d = tempfile::tempdir().unwrap();
        let store = Store::open(d.path()).unwrap();
        let layer = format!("sha256:{}", "1".repeat(64));
        let hex = "1".repeat(64);
        std::fs::create_dir(store.layers_dir().join(&hex)).unwrap();
        std::fs::write(store.layers_dir().join(format!("{hex}.size")), "42").unwrap();
        let mut db = ImageDb::default();
        db.images.push(rec("a", &["localhost/a:latest"], &[&layer]));
        db.images.push(rec("b", &[], &[&layer]));
        store.save_images(&db, &store.lock().unwrap()).unwrap();

        let (r, added) = tag(&store, "a", &["x".into(), "docker.io/y:1".into()]).unwrap();
        assert_eq!(added, ["localhost/x:latest", "docker.io/library/y:1"]);
        assert_eq!(r.names.len(), 3);
        // A bad name changes nothing.
        assert!(tag(&store, "a", &["z".into(), "BAD".into()]).is_err());
        assert!(
            !store.images().unwrap().images[0]
                .names
                .contains(&"localhost/z:latest".to_string())
        );
        // The name moves from a to b.
        tag(&store, &"b".repeat(12), &["x".into()]).unwrap();
        let db = store.images().unwrap();
        assert_eq!(db.images[1].names, ["localhost/x:latest"]);
        assert!(matches!(
            untag(&store, "a", &["x".into()]),
            Err(ManageError::TagNotKnown { .. })
        ));
        let (_, removed) = untag(&store, "a", &[]).unwrap();
        assert_eq!(removed.len(), 2);

        // a is dangling now; b is used by a container and survives, and so
        // does the layer they share.
        let out = remove_images(&store, &["a".repeat(64), "b".repeat(64)], || {
            HashSet::from(["b".repeat(64)])
        })
        .unwrap();
        assert_eq!(out.ids, ["a".repeat(64)]);
        assert_eq!(out.reclaimed, 0);
        assert!(store.layers_dir().join(&hex).is_dir());
        let out = remove_images(&store, &["b".repeat(64)], HashSet::new).unwrap();
        assert_eq!(out.reclaimed, 42);
        assert!(!store.layers_dir().join(&hex).exists());
        assert!(store.images().unwrap().images.is_empty());
    }

    #[test]
    fn dependents_form_a_tree_above_the_base() {
        let img = |id: &str, layers: &[&str]| rec(id, &[], layers);
        let db = ImageDb {
            images: vec![
                img("base", &["a", "b"]),
                img("child1", &["a", "b", "c"]),
                img("grand", &["a", "b", "c", "d"]),
                img("child2", &["a", "b", "e", "f"]),
                img("other", &["a", "x", "y"]),
                img("below", &["a"]),
            ],
        };
        let node = |l: &str, children: Vec<LayerNode>| LayerNode {
            layer: l.into(),
            children,
        };
        assert_eq!(
            dependents(&db, &db.images[0]),
            [
                node("c", vec![node("d", vec![])]),
                node("e", vec![node("f", vec![])]),
            ]
        );
        assert!(dependents(&db, &db.images[2]).is_empty());
    }
}
