//! Images from containers and tarballs (`commit`, `import`), and the
//! filesystem views behind `diff` and `export`.
//!
//! Contract: a new layer is streamed from [`rsp_storage::pack`] (or the
//! imported file) straight into the unpacker, in a directory of the
//! store's `tmp/`, and moved into place only when complete; the image
//! record is written last, by [`rsp_image::local::store_image`]. A commit or
//! import killed or failed at any point leaves no image behind, at most a
//! layer nothing references, which the next prune removes.
//!
//! A container's files are read in a child process in a user namespace of
//! its own, where the invoking user is root: what the container made
//! unreadable to everyone (`chmod 000`) is read there as its root would,
//! and nothing of the host beyond the user's own files becomes reachable.

use super::container::ContainerConfig;
use rsp_image::change::{self, ChangeError};
use rsp_image::local::{self, LocalImageError};
use rsp_image::reference::{Reference, ReferenceError};
use rsp_storage::driver::Driver;
use rsp_storage::pack::{self, ChangeList, Layer, PackError, TarSink};
use rsp_storage::unpack::{UnpackError, UnpackStats};
use rsp_storage::{ImageRecord, Store, StoreError};
use rsp_sys::spawn::{Failure, IdMaps, Spawn, SpawnError, Started};
use serde_json::{Map, Value, json};
use std::io::{self, Read, Write};

#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Local(#[from] LocalImageError),
    #[error(transparent)]
    Change(#[from] ChangeError),
    #[error("reading the container's files: {0}")]
    Pack(#[from] PackError),
    #[error("storing the new layer: {0}")]
    Unpack(#[from] UnpackError),
    #[error("the config of image {id} is missing or not JSON: {reason}")]
    BadBaseConfig { id: String, reason: String },
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    #[error("{0:?}: give a name without a digest, e.g. name:tag")]
    DigestName(String),
    #[error("reading the container's files: {0}")]
    Reader(String),
    #[error("starting the process that reads the container's files: {0}")]
    Spawn(SpawnError),
}

type Result<T, E = CommitError> = std::result::Result<T, E>;

/// The name an image made here is stored under: a name without a registry
/// is `localhost/NAME:TAG`, as Podman stores it.
pub fn normalize_name(input: &str) -> Result<String> {
    let (r, qualified) = Reference::parse_with_qualified(input)?;
    if r.digest.is_some() {
        return Err(CommitError::DigestName(input.to_string()));
    }
    Ok(if qualified {
        format!("{}:{}", r.name(), r.tag_or_latest())
    } else {
        let repo = r
            .repository
            .strip_prefix("library/")
            .unwrap_or(&r.repository);
        format!("localhost/{repo}:{}", r.tag_or_latest())
    })
}

/// What rsp's runtime adds to a container as mount points (as Podman's
/// diff leaves out): not changes the container made.
const MOUNT_POINTS: &[&str] = &[
    "dev",
    "proc",
    "sys",
    "run/.containerenv",
    "etc/hostname",
    "etc/hosts",
    "etc/resolv.conf",
];

/// Image layer directories of `diff_ids` (lowest first), topmost first.
fn image_layers(store: &Store, diff_ids: &[String]) -> Result<Vec<Layer>> {
    Ok(store.image_layers(diff_ids)?)
}

/// The runtime's mount points and the container's volume targets.
fn mount_points(c: &ContainerConfig) -> Vec<String> {
    MOUNT_POINTS
        .iter()
        .map(|p| p.to_string())
        .chain(
            c.mounts
                .iter()
                .map(|m| m.destination.trim_matches('/').to_string()),
        )
        .collect()
}

/// (old, new, only the top of new can differ) for a container.
fn container_views(store: &Store, c: &ContainerConfig) -> Result<(Vec<Layer>, Vec<Layer>, bool)> {
    let old = image_layers(store, &c.layers)?;
    let dir = store.container_dir(&c.id);
    let owner = (c.uid, c.gid);
    Ok(if c.storage_driver == Driver::Vfs {
        let copy = Layer {
            path: dir.join("rootfs"),
            default_owner: owner,
        };
        (old, vec![copy], false)
    } else {
        let mut new = vec![Layer {
            path: dir.join("upper"),
            default_owner: owner,
        }];
        new.extend(image_layers(store, &c.layers)?);
        (old, new, true)
    })
}

/// `diff` of a container: its changes against its image.
pub fn container_changes(store: &Store, c: &ContainerConfig) -> Result<Vec<(char, String)>> {
    let (old, new, top) = container_views(store, c)?;
    let skip = mount_points(c);
    let (mut reader, child) = as_owner(move |w| {
        let mut list = ChangeList::default();
        let skip: Vec<&str> = skip.iter().map(String::as_str).collect();
        pack::compare(&old, &new, top, &skip, &mut list)?;
        let lines = pack::diff_lines(&list);
        serde_json::to_writer(w, &lines).map_err(|e| PackError::Write(e.into()))?;
        Ok(())
    })?;
    let mut data = Vec::new();
    let read = reader.read_to_end(&mut data);
    drop(reader);
    child.finish()?;
    read.map_err(|e| CommitError::Reader(e.to_string()))?;
    serde_json::from_slice(&data).map_err(|e| CommitError::Reader(e.to_string()))
}

/// `diff` of an image: its top layer against the layers below it.
pub fn image_changes(store: &Store, rec: &ImageRecord) -> Result<Vec<(char, String)>> {
    let new = image_layers(store, &rec.layers)?;
    let old = image_layers(store, &rec.layers[..rec.layers.len().saturating_sub(1)])?;
    let mut list = ChangeList::default();
    pack::compare(&old, &new, true, &[], &mut list)?;
    Ok(pack::diff_lines(&list))
}

/// Writes the container's root filesystem, flattened, as a tar to `out`.
pub fn export(store: &Store, c: &ContainerConfig, out: impl Write) -> Result<()> {
    let (_, new, _) = container_views(store, c)?;
    flatten(new, out)
}

/// Writes the merged view of `layers` (topmost first) as one tar.
fn flatten(layers: Vec<Layer>, mut out: impl Write) -> Result<()> {
    let (mut reader, child) = as_owner(move |w| {
        let mut sink = TarSink::new(w);
        pack::compare(&[], &layers, false, &[], &mut sink)?;
        sink.finish()?;
        Ok(())
    })?;
    let copied = io::copy(&mut reader, &mut out).and_then(|_| out.flush());
    drop(reader);
    child.finish()?;
    copied.map_err(|e| CommitError::Pack(PackError::Write(e)))?;
    Ok(())
}

/// A child process reading the container's files (see [`as_owner`]).
struct Reader {
    child: Started<String>,
}

impl Reader {
    /// Waits for the child; its error, if it had one.
    fn finish(mut self) -> Result<()> {
        let outcome = self.child.outcome();
        let status = self.child.wait();
        match outcome {
            Ok(()) => {}
            Err(Failure::Child(msg)) => return Err(CommitError::Reader(msg)),
            Err(Failure::Setup(e)) => return Err(CommitError::Reader(e.to_string())),
        }
        match status {
            Ok(nix::sys::wait::WaitStatus::Exited(_, 0)) => Ok(()),
            other => Err(CommitError::Reader(format!("the reader ended: {other:?}"))),
        }
    }
}

/// Runs `f` in a child process in a new user namespace where the invoking
/// user is root: files the container made unreadable even to their owner
/// (`chmod 000`) are readable there, as they are to the container's root,
/// and nothing else of the host becomes accessible. Returns what `f`
/// writes. Fails ([`SpawnError::Threaded`]) once this process has started
/// a thread.
fn as_owner(f: impl FnOnce(&mut std::fs::File) -> Result<()>) -> Result<(std::fs::File, Reader)> {
    use nix::fcntl::OFlag;
    let (data_r, data_w) = nix::unistd::pipe2(OFlag::O_CLOEXEC)
        .map_err(|e| CommitError::Spawn(SpawnError::Pipe(e.into())))?;
    let (child, data_r) = Spawn::new()
        .id_maps(IdMaps::own_ids_as(0, 0))
        .die_with_parent()
        .start_keeping(data_r, move |_| {
            let mut w = std::fs::File::from(data_w);
            f(&mut w).map_err(|e| e.to_string())
        })
        .map_err(CommitError::Spawn)?;
    Ok((std::fs::File::from(data_r), Reader { child }))
}

/// Unpacks the tar `reader` gives into a new layer of the store, once
/// `produced` (called when the stream has ended) says its producer
/// finished without error, and returns what the unpacker found.
fn add_layer(
    store: &Store,
    reader: impl Read,
    produced: impl FnOnce() -> Result<()>,
) -> Result<UnpackStats> {
    store.add_layer(reader, |unpacked| {
        // The producer's error explains a stream the unpacker found cut.
        produced()?;
        Ok(unpacked?)
    })
}

/// What `commit` takes besides the container.
#[derive(Debug, Default, Clone)]
pub struct CommitOptions {
    pub author: Option<String>,
    pub message: Option<String>,
    pub changes: Vec<String>,
    /// Fully qualified name, or none for an unnamed image.
    pub name: Option<String>,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

/// The image config of a commit: the base image's, with what the
/// container ran with (as Podman takes it: user, env, entrypoint, cmd,
/// working directory, labels, exposed ports), then `--change`.
fn commit_config(
    base: &[u8],
    image_id: &str,
    c: &ContainerConfig,
    o: &CommitOptions,
    diff_id: &str,
) -> Result<Vec<u8>> {
    let bad = |reason: String| CommitError::BadBaseConfig {
        id: image_id.to_string(),
        reason,
    };
    let mut v: Value = serde_json::from_slice(base).map_err(|e| bad(e.to_string()))?;
    let root = v
        .as_object_mut()
        .ok_or_else(|| bad("not an object".into()))?;
    let mut cfg = match root.remove("config") {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    if !c.user.is_empty() {
        cfg.insert("User".into(), json!(c.user));
    }
    cfg.insert("Env".into(), json!(c.env));
    if !c.entrypoint.is_empty() {
        cfg.insert("Entrypoint".into(), json!(c.entrypoint));
    }
    if !c.cmd.is_empty() {
        cfg.insert("Cmd".into(), json!(c.cmd));
    }
    if !c.workdir.is_empty() {
        cfg.insert("WorkingDir".into(), json!(c.workdir));
    }
    if !c.labels.is_empty() {
        let labels = cfg.entry("Labels").or_insert_with(|| json!({}));
        if !labels.is_object() {
            *labels = json!({});
        }
        if let Some(m) = labels.as_object_mut() {
            for (k, val) in &c.labels {
                m.insert(k.clone(), json!(val));
            }
        }
    }
    let exposed = c.exposed_ports();
    if !exposed.is_empty() {
        let ports = cfg.entry("ExposedPorts").or_insert_with(|| json!({}));
        if !ports.is_object() {
            *ports = json!({});
        }
        if let Some(m) = ports.as_object_mut() {
            for p in exposed {
                m.insert(p, json!({}));
            }
        }
    }
    change::apply(&mut cfg, &o.changes)?;
    root.insert("config".into(), Value::Object(cfg));
    let created = now();
    root.insert("created".into(), json!(created));
    match &o.author {
        Some(a) => root.insert("author".into(), json!(a)),
        None => root.remove("author"),
    };
    let rootfs = root
        .entry("rootfs")
        .or_insert_with(|| json!({"type": "layers"}));
    if !rootfs.is_object() {
        *rootfs = json!({"type": "layers"});
    }
    let rootfs = rootfs.as_object_mut().expect("made an object above");
    rootfs.insert("type".into(), json!("layers"));
    let ids = rootfs.entry("diff_ids").or_insert_with(|| json!([]));
    if !ids.is_array() {
        *ids = json!([]);
    }
    ids.as_array_mut()
        .expect("made a list above")
        .push(json!(diff_id));
    let mut entry = Map::new();
    entry.insert("created".into(), json!(created));
    entry.insert("created_by".into(), json!(shell_words(&c.args)));
    if let Some(a) = &o.author {
        entry.insert("author".into(), json!(a));
    }
    if let Some(m) = &o.message {
        entry.insert("comment".into(), json!(m));
    }
    let history = root.entry("history").or_insert_with(|| json!([]));
    if !history.is_array() {
        *history = json!([]);
    }
    history
        .as_array_mut()
        .expect("made a list above")
        .push(Value::Object(entry));
    // Docker's fields describing the container the image came from belong
    // to the base image's build, not to this commit.
    root.remove("container");
    root.remove("container_config");
    Ok(serde_json::to_vec(&v).expect("a JSON value serializes"))
}

fn shell_words(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "/._-=:,+@%".contains(c))
            {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Makes an image of the container's changes on top of its image.
/// `layer_done` is called once the layer is stored (for progress output).
pub fn commit(
    store: &Store,
    c: &ContainerConfig,
    o: &CommitOptions,
    layer_done: &dyn Fn(&str),
) -> Result<ImageRecord> {
    let base = store
        .get_blob(&format!("sha256:{}", c.image_id))
        .map_err(|e| CommitError::BadBaseConfig {
            id: c.image_id.clone(),
            reason: format!("{e}: the container's image was removed"),
        })?;
    // Checked before the layer is written: a bad --change wastes nothing.
    change::apply(&mut Map::new(), &o.changes)?;
    let stats = container_layer(store, c)?;
    layer_done(&stats.diff_id);
    let config = commit_config(&base, &c.image_id, c, o, &stats.diff_id)?;
    Ok(local::store_image(
        store,
        &config,
        o.name.iter().cloned().collect(),
    )?)
}

/// Stores the container's changes (against its image, the runtime's mount
/// points and its volumes left out) as a new layer.
pub fn container_layer(store: &Store, c: &ContainerConfig) -> Result<UnpackStats> {
    let (old, new, top) = container_views(store, c)?;
    let skip = mount_points(c);
    let (reader, child) = as_owner(move |w| {
        let mut sink = TarSink::new(w);
        let skip: Vec<&str> = skip.iter().map(String::as_str).collect();
        pack::compare(&old, &new, top, &skip, &mut sink)?;
        sink.finish()?;
        Ok(())
    })?;
    add_layer(store, reader, || child.finish())
}

/// Stores what directory `upper` (the store's overlay format, entries
/// without a record owned by 0:0) changes over the image layers `layers`
/// (diff IDs, lowest first) as a new layer: how a build's COPY, ADD and
/// WORKDIR become layers.
pub fn upper_layer(
    store: &Store,
    upper: &std::path::Path,
    layers: &[String],
) -> Result<UnpackStats> {
    let old = image_layers(store, layers)?;
    let mut new = vec![Layer {
        path: upper.to_path_buf(),
        default_owner: (0, 0),
    }];
    new.extend(image_layers(store, layers)?);
    // The same files again (a `--no-cache` rebuild): the layer is already
    // there, and writing thousands of files only to remove them would cost
    // more than reading the upper twice.
    let (o, n) = (old.clone(), new.clone());
    let (mut reader, child) = as_owner(move |w| {
        let mut sink = TarSink::new(w);
        pack::compare(&o, &n, true, &[], &mut sink)?;
        sink.finish()?;
        Ok(())
    })?;
    let mut digest = DigestWriter::default();
    let hashed = io::copy(&mut reader, &mut digest);
    drop(reader);
    child.finish()?;
    hashed.map_err(|e| CommitError::Pack(PackError::Write(e)))?;
    let diff_id = format!(
        "sha256:{}",
        hex::encode(sha2::Digest::finalize(digest.hash))
    );
    if store.has_layer(&diff_id) {
        return Ok(UnpackStats {
            diff_id,
            size: digest.len,
            records_owners: false,
            recorded: true,
        });
    }
    let (reader, child) = as_owner(move |w| {
        let mut sink = TarSink::new(w);
        pack::compare(&old, &new, true, &[], &mut sink)?;
        sink.finish()?;
        Ok(())
    })?;
    add_layer(store, reader, || child.finish())
}

/// A sink that only hashes and counts what is written.
#[derive(Default)]
struct DigestWriter {
    hash: sha2::Sha256,
    len: u64,
}

impl Write for DigestWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        use sha2::Digest;
        self.hash.update(buf);
        self.len += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Stores one layer with everything the layers `all` change over their
/// first `base` ones (`--squash`; `base` 0: the whole filesystem, for
/// `--squash-all`).
pub fn squash_layer(store: &Store, all: &[String], base: usize) -> Result<UnpackStats> {
    let new = image_layers(store, all)?;
    let old = image_layers(store, &all[..base.min(all.len())])?;
    let (reader, child) = as_owner(move |w| {
        let mut sink = TarSink::new(w);
        pack::compare(&old, &new, false, &[], &mut sink)?;
        sink.finish()?;
        Ok(())
    })?;
    add_layer(store, reader, || child.finish())
}

/// Writes the filesystem of image layers `layers` (diff IDs, lowest
/// first), flattened, as a tar to `out` (for `build --output`).
pub fn export_layers(store: &Store, layers: &[String], out: impl Write) -> Result<()> {
    flatten(image_layers(store, layers)?, out)
}

/// What `import` takes besides the tarball.
#[derive(Debug, Default, Clone)]
pub struct ImportOptions {
    pub message: Option<String>,
    pub changes: Vec<String>,
    pub name: Option<String>,
}

/// Makes a one-layer image of a root filesystem tarball (plain, gzip or
/// zstd), for the host's platform.
pub fn import(
    store: &Store,
    source: impl Read,
    o: &ImportOptions,
    layer_done: &dyn Fn(&str),
) -> Result<ImageRecord> {
    let mut cfg = Map::new();
    change::apply(&mut cfg, &o.changes)?;
    // The unpacker sees the file exactly as given and detects its
    // compression itself; read errors are the unpacker's to report.
    let stats = add_layer(store, source, || Ok(()))?;
    layer_done(&stats.diff_id);
    let platform = rsp_image::Platform::host();
    let created = now();
    let mut history = json!({
        "created": created,
        "created_by": "/bin/sh -c #(nop) ADD file in /",
    });
    if let Some(m) = &o.message {
        history["comment"] = json!(m);
    }
    let mut config = json!({
        "created": created,
        "architecture": platform.architecture,
        "os": platform.os,
        "config": cfg,
        "rootfs": {"type": "layers", "diff_ids": [stats.diff_id]},
        "history": [history],
    });
    if let Some(v) = platform.variant {
        config["variant"] = json!(v);
    }
    let bytes = serde_json::to_vec(&config).expect("a JSON value serializes");
    Ok(local::store_image(
        store,
        &bytes,
        o.name.iter().cloned().collect(),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue6_names() {
        assert_eq!(normalize_name("foo").unwrap(), "localhost/foo:latest");
        assert_eq!(normalize_name("foo:1").unwrap(), "localhost/foo:1");
        assert_eq!(normalize_name("quay.io/a/b:2").unwrap(), "quay.io/a/b:2");
        assert!(
            normalize_name(
                "foo@sha256:0000000000000000000000000000000000000000000000000000000000000000"
            )
            .is_err()
        );
    }

    #[test]
    fn issue6_commit_config() {
        let base = br#"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["sh"],"Labels":{"a":"b"}},"rootfs":{"type":"layers","diff_ids":["sha256:aa"]},"history":[{"created_by":"x"}],"unknown":1}"#;
        let c = ContainerConfig {
            env: vec!["PATH=/bin".into(), "X=1".into()],
            cmd: vec!["sleep".into(), "1".into()],
            args: vec!["sleep".into(), "1".into()],
            workdir: "/w".into(),
            ..ContainerConfig::default()
        };
        let o = CommitOptions {
            author: Some("me".into()),
            message: Some("msg".into()),
            changes: vec!["CMD [\"/bin/true\"]".into()],
            name: None,
        };
        let out: Value =
            serde_json::from_slice(&commit_config(base, "id", &c, &o, "sha256:bb").unwrap())
                .unwrap();
        assert_eq!(out["config"]["Cmd"], json!(["/bin/true"]));
        assert_eq!(out["config"]["Env"], json!(["PATH=/bin", "X=1"]));
        assert_eq!(out["config"]["WorkingDir"], json!("/w"));
        assert_eq!(out["config"]["Labels"], json!({"a": "b"}));
        assert_eq!(out["rootfs"]["diff_ids"], json!(["sha256:aa", "sha256:bb"]));
        assert_eq!(out["author"], json!("me"));
        assert_eq!(out["unknown"], json!(1));
        let h = out["history"].as_array().unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h[1]["comment"], json!("msg"));
        assert_eq!(h[1]["author"], json!("me"));
        assert_eq!(h[1]["created_by"], json!("sleep 1"));
    }
}
