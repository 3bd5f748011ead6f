//! The on-disk store: content-addressed blobs, unpacked layers, image
//! records and container records under the root directory.
//!
//! Layout (all under `root`):
//! - `store.lock`: `flock`ed exclusively around every mutation of the
//!   records below, shared never (readers only ever see whole files).
//! - `blobs/sha256/<hex>`: manifests and configs, verified on write.
//! - `layers/<diff-id hex>/`: one directory per unpacked layer, named by the
//!   digest of its uncompressed tar, so identical layers are shared.
//! - `images.json`: every image record, rewritten whole.
//! - `containers/<id>/container.json` and `state.json`, plus the container's
//!   overlay `upper/` and `work/` directories.
//! - `tmp/`: work in progress; each entry starts with the pid that owns it,
//!   and is removed by the next store user once that pid is gone.
//!
//! Every file is written to a temporary name, fsynced and renamed, so a crash
//! or `kill -9` leaves either the old or the new version, never half of one.
//! A layer or blob becomes visible only by a rename of a complete, verified
//! directory or file; an image record is written only after all its layers
//! exist. That is what keeps a killed pull from leaving a half image.
#![forbid(unsafe_code)]

pub mod check;
pub mod copy;
pub mod driver;
pub mod fuse;
pub mod layer;
pub mod pack;
pub mod tarsplit;
#[cfg(test)]
mod testtar;
pub mod unpack;
pub mod vfs;
pub mod view;
pub mod volume;
mod walk;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("creating store directory {path}: {source}")]
    CreateDir { path: PathBuf, source: io::Error },
    #[error("locking store {path}: {source}")]
    Lock { path: PathBuf, source: io::Error },
    #[error("reading {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("writing {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error("removing {path}: {source}")]
    Remove { path: PathBuf, source: io::Error },
    #[error("{path} is corrupt ({source}): remove it or restore it from a backup")]
    Corrupt {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("blob {expected} does not match its content (sha256:{actual})")]
    DigestMismatch { expected: String, actual: String },
    #[error("invalid digest {0:?}: expected sha256:<64 hex digits>")]
    BadDigest(String),
    #[error(
        "layer {0} was stored without the record needed to export it (by an older rsp, or its \
         tar lists a file twice): remove the image and pull or load it again"
    )]
    NoTarSplit(String),
}

type Result<T, E = StoreError> = std::result::Result<T, E>;

/// One image known to the store.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ImageRecord {
    /// The config digest's hex, as Podman's image ID.
    pub id: String,
    /// Fully qualified names, e.g. `docker.io/library/alpine:latest`.
    #[serde(default)]
    pub names: Vec<String>,
    /// `repo@sha256:...` names of the manifest it was pulled by.
    #[serde(default)]
    pub digests: Vec<String>,
    pub manifest_digest: String,
    #[serde(default)]
    pub manifest_media_type: String,
    /// Diff IDs of the layers, lowest first.
    pub layers: Vec<String>,
    /// Uncompressed size of all layers.
    pub size: u64,
    /// When the image was pulled or made here (RFC 3339).
    pub added: String,
    /// A build step's image (Podman's intermediate images): not listed
    /// by `images` without `-a` while it has no name.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub intermediate: bool,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ImageDb {
    pub images: Vec<ImageRecord>,
}

impl ImageDb {
    /// Removes `name` from every image (a name points at one image only).
    pub fn untag(&mut self, name: &str) {
        for img in &mut self.images {
            img.names.retain(|n| n != name);
        }
    }

    /// Adds or merges `rec`, moving its names away from other images.
    pub fn upsert(&mut self, rec: ImageRecord) {
        for n in &rec.names {
            self.untag(n);
        }
        if let Some(existing) = self.images.iter_mut().find(|i| i.id == rec.id) {
            // Made again by something other than a build step: a real image.
            existing.intermediate &= rec.intermediate;
            for n in rec.names {
                if !existing.names.contains(&n) {
                    existing.names.push(n);
                }
            }
            for d in rec.digests {
                if !existing.digests.contains(&d) {
                    existing.digests.push(d);
                }
            }
        } else {
            self.images.push(rec);
        }
    }
}

/// A held exclusive lock on the store; released on drop.
pub struct StoreLock {
    _flock: nix::fcntl::Flock<File>,
}

/// Handle to a store directory.
#[derive(Clone, Debug)]
pub struct Store {
    root: PathBuf,
}

/// Returns the hex part of a `sha256:<hex>` digest after checking its form,
/// so that no digest from a manifest can name a path outside the store.
pub fn digest_hex(digest: &str) -> Result<&str> {
    let hex = digest
        .strip_prefix("sha256:")
        .ok_or_else(|| StoreError::BadDigest(digest.to_string()))?;
    if hex.len() != 64
        || !hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(StoreError::BadDigest(digest.to_string()));
    }
    Ok(hex)
}

/// `sha256:<hex>` of `data`.
pub fn sha256_digest(data: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(data)))
}

/// `<pid>-<n>`, unique per call and not just per process: several threads
/// of one pull write temporary files at once. The pid comes first so
/// [`Store::clean_temp`] can tell whose leftovers are dead.
fn unique_tag() -> String {
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{}-{seq}", std::process::id())
}

/// Whether `s` is 64 lowercase hex digits: a sha256 in the store's names.
pub(crate) fn is_hex64(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Whether the process named by a [`unique_tag`] (`PID-...`) is gone.
pub(crate) fn writer_dead(tag: &str) -> bool {
    tag.split('-')
        .next()
        .and_then(|p| p.parse::<i32>().ok())
        .is_none_or(|p| !Path::new(&format!("/proc/{p}")).exists())
}

/// Writes `data` to `path` atomically: temp file in the same directory,
/// fsync, rename, fsync of the directory.
pub fn write_atomic(path: &Path, data: &[u8]) -> Result<()> {
    write_replace(path, data, true)
}

/// Temp file and rename, with or without the fsyncs: readers never see a
/// half-written file either way; `durable` also survives a power cut.
fn write_replace(path: &Path, data: &[u8], durable: bool) -> Result<()> {
    let err = |source| StoreError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", unique_tag()));
    let mut f = File::create(&tmp).map_err(err)?;
    f.write_all(data).map_err(err)?;
    if durable {
        f.sync_all().map_err(err)?;
    }
    fs::rename(&tmp, path).map_err(err)?;
    if durable && let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn read_json<T: for<'de> Deserialize<'de> + Default>(path: &Path) -> Result<T> {
    match read_json_strict(path) {
        Err(StoreError::Read { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
            Ok(T::default())
        }
        r => r,
    }
}

/// [`read_json`] where a missing file is an error (a `Read` whose source
/// is `NotFound`).
fn read_json_strict<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T> {
    match fs::read(path) {
        Ok(data) => serde_json::from_slice(&data).map_err(|source| StoreError::Corrupt {
            path: path.to_path_buf(),
            source,
        }),
        Err(source) => Err(StoreError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let data = serde_json::to_vec_pretty(value).expect("store records always serialize");
    write_atomic(path, &data)
}

fn mkdir(path: &Path, mode: u32) -> Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(mode)
        .create(path)
        .map_err(|source| StoreError::CreateDir {
            path: path.to_path_buf(),
            source,
        })
}

/// Bytes in the files below `dir` (their sizes; directories count 0,
/// unreadable parts 0).
pub fn tree_size(dir: &Path) -> u64 {
    let Ok(rd) = fs::read_dir(dir) else {
        return 0;
    };
    rd.flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => tree_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Removes a directory tree even where the container or an image made
/// directories unwritable for their owner (overlay's `work/work` is 0000).
pub fn remove_tree(path: &Path) -> Result<()> {
    if fs::symlink_metadata(path).is_ok_and(|m| !m.is_dir()) {
        return fs::remove_file(path).map_err(|source| StoreError::Remove {
            path: path.to_path_buf(),
            source,
        });
    }
    match fs::remove_dir_all(path) {
        Ok(()) => return Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(_) => {}
    }
    make_writable(path);
    match fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(StoreError::Remove {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn make_writable(path: &Path) {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return;
    };
    if !meta.is_dir() {
        return;
    }
    let mode = meta.permissions().mode();
    if mode & 0o700 != 0o700 {
        let _ = fs::set_permissions(path, fs::Permissions::from_mode(mode | 0o700));
    }
    if let Ok(entries) = fs::read_dir(path) {
        for e in entries.flatten() {
            make_writable(&e.path());
        }
    }
}

impl Store {
    /// Opens (creating if needed) the store at `root`.
    pub fn open(root: &Path) -> Result<Store> {
        let store = Store {
            root: root.to_path_buf(),
        };
        for sub in ["blobs/sha256", "layers", "containers", "tmp"] {
            let p = root.join(sub);
            if !p.is_dir() {
                mkdir(&p, 0o700)?;
            }
        }
        Ok(store)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Takes the store's exclusive lock, waiting for other rsp processes.
    pub fn lock(&self) -> Result<StoreLock> {
        self.flock(nix::fcntl::FlockArg::LockExclusive)?
            .ok_or_else(|| self.lock_error(std::io::ErrorKind::WouldBlock.into()))
    }

    /// [`Store::lock`] if it is free now, else `None`: for fix-ups that can wait for the next
    /// command, done from code that may already hold the lock (a second `flock` on a new
    /// descriptor would wait for ourselves).
    pub fn try_lock(&self) -> Result<Option<StoreLock>> {
        self.flock(nix::fcntl::FlockArg::LockExclusiveNonblock)
    }

    fn lock_error(&self, source: std::io::Error) -> StoreError {
        StoreError::Lock {
            path: self.root.join("store.lock"),
            source,
        }
    }

    /// `flock`s `store.lock` as `how` says; `None` when it would block.
    fn flock(&self, how: nix::fcntl::FlockArg) -> Result<Option<StoreLock>> {
        let f = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(self.root.join("store.lock"))
            .map_err(|e| self.lock_error(e))?;
        match nix::fcntl::Flock::lock(f, how) {
            Ok(flock) => Ok(Some(StoreLock { _flock: flock })),
            Err((_, nix::errno::Errno::EWOULDBLOCK)) => Ok(None),
            Err((_, e)) => Err(self.lock_error(e.into())),
        }
    }

    // ---- blobs ----

    pub fn blob_path(&self, digest: &str) -> Result<PathBuf> {
        Ok(self.root.join("blobs/sha256").join(digest_hex(digest)?))
    }

    /// Stores `data` under `digest` after checking that it matches.
    pub fn put_blob(&self, digest: &str, data: &[u8]) -> Result<()> {
        let path = self.blob_path(digest)?;
        let actual = sha256_digest(data);
        if actual != digest {
            return Err(StoreError::DigestMismatch {
                expected: digest.to_string(),
                actual,
            });
        }
        if path.exists() {
            return Ok(());
        }
        write_atomic(&path, data)
    }

    pub fn get_blob(&self, digest: &str) -> Result<Vec<u8>> {
        let path = self.blob_path(digest)?;
        fs::read(&path).map_err(|source| StoreError::Read { path, source })
    }

    // ---- layers ----

    pub fn layers_dir(&self) -> PathBuf {
        self.root.join("layers")
    }

    pub fn layer_path(&self, diff_id: &str) -> Result<PathBuf> {
        Ok(self.layers_dir().join(digest_hex(diff_id)?))
    }

    /// The layer directories of `diff_ids` (lowest first) as a view or a
    /// pack takes them: topmost first, each with the image's default owner.
    pub fn image_layers(&self, diff_ids: &[String]) -> Result<Vec<pack::Layer>> {
        diff_ids
            .iter()
            .rev()
            .map(|d| Ok(pack::Layer::image(self.layer_path(d)?)))
            .collect()
    }

    /// The marker of a layer that records at least one owner or mode
    /// ([`layer::OVERRIDE_STAT_XATTR`]): `layers/<hex>.owners`.
    pub fn owners_marker(&self, diff_id: &str) -> Result<PathBuf> {
        Ok(self
            .layers_dir()
            .join(format!("{}.owners", digest_hex(diff_id)?)))
    }

    /// Whether any of `layers` records an owner or mode.
    pub fn layers_record_owners(&self, layers: &[String]) -> bool {
        layers
            .iter()
            .any(|d| self.owners_marker(d).map(|p| p.exists()).unwrap_or(false))
    }

    /// Uncompressed size of a stored layer, as recorded next to it
    /// (`layers/<hex>.size`); 0 if unknown.
    pub fn layer_size(&self, diff_id: &str) -> u64 {
        self.layer_path(diff_id)
            .ok()
            .and_then(|p| fs::read_to_string(p.with_extension("size")).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0)
    }

    pub fn has_layer(&self, diff_id: &str) -> bool {
        self.layer_path(diff_id)
            .map(|p| p.is_dir())
            .unwrap_or(false)
    }

    /// The layer's uncompressed tar stream, byte for byte as it was
    /// unpacked, so that its sha256 is `diff_id` again. Reading fails (an
    /// `io::Error` at the end at the latest) if the stored layer no longer
    /// reproduces that digest, so a push or save never sends a wrong layer.
    pub fn layer_tar(&self, diff_id: &str) -> Result<tarsplit::LayerTar> {
        let dir = self.layer_path(diff_id)?;
        let split = dir.with_extension("tarsplit");
        if !split.exists() && dir.is_dir() {
            return Err(StoreError::NoTarSplit(diff_id.to_string()));
        }
        tarsplit::LayerTar::open(&split, &dir, diff_id).map_err(|source| StoreError::Read {
            path: split,
            source,
        })
    }

    /// Where [`unpack::unpack_layer_recorded`] should write the record of a
    /// layer being unpacked into `tmp` (a [`Store::temp_dir`]), so that
    /// [`Store::finish_layer`] finds it and a dead process's leftovers are
    /// cleaned with the directory.
    pub fn split_temp(tmp: &Path) -> PathBuf {
        tmp.with_extension("tarsplit")
    }

    /// Unpacks `reader` into a new layer, with its tar-split record, and
    /// puts it in place once `accept`, given what the unpacker returned,
    /// agrees (it checks the diff ID, or that the producer of the stream
    /// finished cleanly). Whatever fails, nothing is left behind.
    pub fn add_layer<E: From<StoreError>>(
        &self,
        reader: impl io::Read,
        accept: impl FnOnce(
            std::result::Result<unpack::UnpackStats, unpack::UnpackError>,
        ) -> std::result::Result<unpack::UnpackStats, E>,
    ) -> std::result::Result<unpack::UnpackStats, E> {
        let tmp = self.temp_dir("layer")?;
        let split = Self::split_temp(&tmp);
        let unpacked = unpack::unpack_layer_recorded(reader, &tmp, &split);
        let result = accept(unpacked).and_then(|stats| {
            self.finish_layer(&tmp, &stats)
                .map(|()| stats)
                .map_err(E::from)
        });
        if result.is_err() {
            let _ = remove_tree(&tmp);
            let _ = remove_tree(&split);
        }
        result
    }

    /// Puts a layer unpacked into `tmp` into place as `stats.diff_id`, which
    /// the caller has checked: its size, its owners marker and its
    /// tar-split record first, the directory last, since a layer directory
    /// is taken as complete once it exists. On error `tmp` is removed.
    pub fn finish_layer(&self, tmp: &Path, stats: &unpack::UnpackStats) -> Result<()> {
        let result = (|| {
            let diff_id = &stats.diff_id;
            let final_path = self.layer_path(diff_id)?;
            write_atomic(
                &final_path.with_extension("size"),
                stats.size.to_string().as_bytes(),
            )?;
            // A layer without its marker would look like one that records
            // no owners.
            if stats.records_owners {
                write_atomic(&self.owners_marker(diff_id)?, b"")?;
            }
            let split = Self::split_temp(tmp);
            if stats.recorded {
                let dest = final_path.with_extension("tarsplit");
                fs::rename(&split, &dest)
                    .map_err(|source| StoreError::Write { path: dest, source })?;
            }
            self.commit_layer(tmp, diff_id)
        })();
        if result.is_err() {
            let _ = remove_tree(tmp);
            let _ = remove_tree(&Self::split_temp(tmp));
        }
        result
    }

    /// Moves a finished unpack directory into place as layer `diff_id`.
    /// If another process won the race, its copy is kept and ours removed.
    pub fn commit_layer(&self, tmp: &Path, diff_id: &str) -> Result<()> {
        let dest = self.layer_path(diff_id)?;
        match fs::rename(tmp, &dest) {
            Ok(()) => Ok(()),
            Err(_) if dest.is_dir() => remove_tree(tmp),
            Err(source) => Err(StoreError::Write { path: dest, source }),
        }
    }

    /// Layers the containers' records (`container.json`) name. Under the store lock this is
    /// every container that exists or is being created.
    fn container_layers(&self) -> Result<Vec<String>> {
        Ok(self
            .layers_by_container()?
            .into_iter()
            .flat_map(|(_, layers)| layers)
            .collect())
    }

    /// Each container's ID and the layers its record names (none for a
    /// record that cannot be read: a broken container, not one being
    /// started).
    pub(crate) fn layers_by_container(&self) -> Result<Vec<(String, Vec<String>)>> {
        // An image mount (`--mount type=image`) keeps its image's layers
        // too: they are in the mount's options.
        #[derive(Deserialize, Default)]
        struct Layers {
            #[serde(default)]
            layers: Vec<String>,
            #[serde(default)]
            mounts: Vec<MountLayers>,
        }
        #[derive(Deserialize, Default)]
        struct MountLayers {
            #[serde(default)]
            options: MountOptionLayers,
        }
        #[derive(Deserialize, Default)]
        struct MountOptionLayers {
            #[serde(default)]
            layers: Vec<String>,
        }
        Ok(self
            .container_ids()?
            .into_iter()
            .map(|id| {
                let layers = self
                    .read_container_file::<Layers>(&id, "container.json")
                    .map(|r| {
                        let mut all = r.layers;
                        all.extend(r.mounts.into_iter().flat_map(|m| m.options.layers));
                        all
                    })
                    .unwrap_or_default();
                (id, layers)
            })
            .collect())
    }

    /// Removes layers that no image and no container references. A container
    /// keeps its layers after its image is removed (`rmi -f` racing the
    /// container's creation), until it is removed itself. Caller holds the
    /// lock.
    pub fn remove_unused_layers(&self, db: &ImageDb, _lock: &StoreLock) -> Result<()> {
        let used: std::collections::HashSet<String> = db
            .images
            .iter()
            .flat_map(|i| i.layers.iter())
            .cloned()
            .chain(self.container_layers()?)
            .filter_map(|d| digest_hex(&d).ok().map(str::to_string))
            .collect();
        let dir = self.layers_dir();
        let entries = fs::read_dir(&dir).map_err(|source| StoreError::Read {
            path: dir.clone(),
            source,
        })?;
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            // Anything kept next to a layer (`.size`, `.owners`, `.tarsplit`,
            // ...) is `<hex>.<suffix>` and goes with it.
            let (hex, marker) = match name.split_once('.') {
                Some((hex, _)) => (hex, true),
                None => (name.as_str(), false),
            };
            if is_hex64(hex) && !used.contains(hex) {
                if marker {
                    let _ = fs::remove_file(e.path());
                } else {
                    remove_tree(&e.path())?;
                }
            }
        }
        Ok(())
    }

    /// Removes manifests and configs that no image references. Caller
    /// holds the lock.
    pub fn remove_unused_blobs(&self, db: &ImageDb, _lock: &StoreLock) -> Result<()> {
        let used: std::collections::HashSet<String> = db
            .images
            .iter()
            .flat_map(|i| {
                [
                    i.id.clone(),
                    i.manifest_digest.trim_start_matches("sha256:").to_string(),
                ]
            })
            .collect();
        let dir = self.root.join("blobs/sha256");
        let Ok(entries) = fs::read_dir(&dir) else {
            return Ok(());
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.len() == 64 && !used.contains(&name) {
                let _ = fs::remove_file(e.path());
            }
        }
        Ok(())
    }

    // ---- temporary work ----

    /// A fresh directory under `tmp/` owned by this process.
    pub fn temp_dir(&self, what: &str) -> Result<PathBuf> {
        let p = self
            .root
            .join("tmp")
            .join(format!("{}-{what}", unique_tag()));
        let _ = remove_tree(&p);
        mkdir(&p, 0o700)?;
        Ok(p)
    }

    /// Removes leftovers of rsp processes that died mid-work (kill -9).
    pub fn clean_temp(&self) {
        let Ok(entries) = fs::read_dir(self.root.join("tmp")) else {
            return;
        };
        for e in entries.flatten() {
            if writer_dead(&e.file_name().to_string_lossy()) {
                let _ = remove_tree(&e.path());
            }
        }
    }

    // ---- images ----

    fn images_path(&self) -> PathBuf {
        self.root.join("images.json")
    }

    pub fn images(&self) -> Result<ImageDb> {
        read_json(&self.images_path())
    }

    pub fn save_images(&self, db: &ImageDb, _lock: &StoreLock) -> Result<()> {
        write_json(&self.images_path(), db)
    }

    // ---- containers ----

    /// The append-only events log.
    pub fn events_path(&self) -> PathBuf {
        self.root.join("events.log")
    }

    pub fn containers_dir(&self) -> PathBuf {
        self.root.join("containers")
    }

    pub fn container_dir(&self, id: &str) -> PathBuf {
        self.containers_dir().join(id)
    }

    /// IDs of all containers, in no particular order.
    pub fn container_ids(&self) -> Result<Vec<String>> {
        let dir = self.containers_dir();
        let entries = fs::read_dir(&dir).map_err(|source| StoreError::Read {
            path: dir.clone(),
            source,
        })?;
        Ok(entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.len() == 64 && n.bytes().all(|b| b.is_ascii_hexdigit()))
            .filter(|n| self.container_dir(n).join("container.json").exists())
            .collect())
    }

    /// Directories under `containers/` named like a container ID but without a
    /// `container.json`: what a create or a removal killed half-way leaves (both run under
    /// the store lock, so under it these are never work in progress).
    pub fn orphan_container_ids(&self, _lock: &StoreLock) -> Result<Vec<String>> {
        let dir = self.containers_dir();
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(StoreError::Read { path: dir, source }),
        };
        Ok(entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.len() == 64 && n.bytes().all(|b| b.is_ascii_hexdigit()))
            .filter(|n| {
                let d = self.container_dir(n);
                d.is_dir() && !d.join("container.json").exists()
            })
            .collect())
    }

    /// Reads one of a container's records. A missing one is an error (a
    /// `Read` whose source is `NotFound`), not a default: the container
    /// may have been removed since its id was looked up.
    pub fn read_container_file<T: for<'de> Deserialize<'de>>(
        &self,
        id: &str,
        file: &str,
    ) -> Result<T> {
        read_json_strict(&self.container_dir(id).join(file))
    }

    pub fn write_container_file<T: Serialize>(&self, id: &str, file: &str, v: &T) -> Result<()> {
        write_json(&self.container_dir(id).join(file), v)
    }

    /// Rewrites a container's `state.json`. Like Podman's runtime state it
    /// describes processes, which a power cut ends anyway: it is replaced
    /// atomically but not fsynced, so state changes cost no disk flushes.
    pub fn write_container_state<T: Serialize>(&self, id: &str, v: &T) -> Result<()> {
        let data = serde_json::to_vec_pretty(v).expect("store records always serialize");
        write_replace(&self.container_dir(id).join("state.json"), &data, false)
    }

    pub fn create_container_dir(&self, id: &str) -> Result<PathBuf> {
        let dir = self.container_dir(id);
        for sub in ["upper", "work", "merged"] {
            mkdir(&dir.join(sub), 0o700)?;
        }
        // The container's root directory is the upper dir's root: it must be
        // traversable by the container user, like `/` on any system.
        let _ = fs::set_permissions(dir.join("upper"), fs::Permissions::from_mode(0o755));
        Ok(dir)
    }

    pub fn remove_container_dir(&self, id: &str) -> Result<()> {
        remove_tree(&self.container_dir(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_hex_rejects_paths() {
        assert!(digest_hex("sha256:../../etc").is_err());
        assert!(digest_hex(&format!("sha256:{}", "A".repeat(64))).is_err());
        assert!(digest_hex(&format!("sha512:{}", "a".repeat(64))).is_err());
        assert!(digest_hex(&format!("sha256:{}", "a".repeat(64))).is_ok());
    }

    #[test]
    fn put_blob_verifies() {
        let d = tempfile::tempdir().unwrap();
        let s = Store::open(d.path()).unwrap();
        let good = sha256_digest(b"hello");
        s.put_blob(&good, b"hello").unwrap();
        assert_eq!(s.get_blob(&good).unwrap(), b"hello");
        let bad = sha256_digest(b"other");
        assert!(matches!(
            s.put_blob(&bad, b"hello"),
            Err(StoreError::DigestMismatch { .. })
        ));
        assert!(!s.blob_path(&bad).unwrap().exists());
    }

    #[test]
    fn upsert_moves_names() {
        let rec = |id: &str, name: &str| ImageRecord {
            id: id.into(),
            names: vec![name.into()],
            digests: vec![],
            manifest_digest: String::new(),
            manifest_media_type: String::new(),
            layers: vec![],
            size: 0,
            added: String::new(),
            intermediate: false,
        };
        let mut db = ImageDb::default();
        db.upsert(rec("a", "x:latest"));
        db.upsert(rec("b", "x:latest"));
        assert!(db.images[0].names.is_empty());
        assert_eq!(db.images[1].names, vec!["x:latest".to_string()]);
    }

    #[test]
    fn remove_unused_layers_takes_every_marker_of_an_unused_layer() {
        let d = tempfile::tempdir().unwrap();
        let s = Store::open(d.path()).unwrap();
        let (used, unused) = ("a".repeat(64), "b".repeat(64));
        for hex in [&used, &unused] {
            fs::create_dir(s.layers_dir().join(hex)).unwrap();
            for suffix in ["size", "owners", "tarsplit"] {
                fs::write(s.layers_dir().join(format!("{hex}.{suffix}")), b"1").unwrap();
            }
        }
        fs::write(s.layers_dir().join("unrelated.txt"), b"x").unwrap();
        let mut db = ImageDb::default();
        db.images.push(ImageRecord {
            id: "c".repeat(64),
            names: vec![],
            digests: vec![],
            manifest_digest: String::new(),
            manifest_media_type: String::new(),
            layers: vec![format!("sha256:{used}")],
            size: 0,
            added: String::new(),
            intermediate: false,
        });
        let lock = s.lock().unwrap();
        s.remove_unused_layers(&db, &lock).unwrap();
        let mut left: Vec<String> = fs::read_dir(s.layers_dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        let mut want = vec![
            used.clone(),
            format!("{used}.owners"),
            format!("{used}.size"),
            format!("{used}.tarsplit"),
            "unrelated.txt".to_string(),
        ];
        want.sort();
        assert_eq!(left, want);
    }

    #[test]
    fn a_container_keeps_the_layers_of_a_removed_image() {
        let d = tempfile::tempdir().unwrap();
        let s = Store::open(d.path()).unwrap();
        let (kept, gone) = ("a".repeat(64), "b".repeat(64));
        for hex in [&kept, &gone] {
            fs::create_dir(s.layers_dir().join(hex)).unwrap();
        }
        let id = "c".repeat(64);
        s.create_container_dir(&id).unwrap();
        s.write_container_file(
            &id,
            "container.json",
            &serde_json::json!({"id": id, "layers": [format!("sha256:{kept}")]}),
        )
        .unwrap();
        // A container still being created (no record yet) holds nothing.
        s.create_container_dir(&"d".repeat(64)).unwrap();
        let lock = s.lock().unwrap();
        s.remove_unused_layers(&ImageDb::default(), &lock).unwrap();
        assert!(s.layers_dir().join(&kept).is_dir());
        assert!(!s.layers_dir().join(&gone).exists());
    }

    #[test]
    fn remove_tree_handles_unwritable_dirs() {
        let d = tempfile::tempdir().unwrap();
        let t = d.path().join("t");
        fs::create_dir_all(t.join("a/b")).unwrap();
        fs::write(t.join("a/b/f"), b"x").unwrap();
        fs::set_permissions(t.join("a/b"), fs::Permissions::from_mode(0o000)).unwrap();
        fs::set_permissions(t.join("a"), fs::Permissions::from_mode(0o500)).unwrap();
        remove_tree(&t).unwrap();
        assert!(!t.exists());
    }
}
