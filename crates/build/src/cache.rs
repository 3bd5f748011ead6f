//! The build cache: which image a build step made, by cache key, and the
//! directories of `RUN --mount=type=cache`.
//!
//! On disk, under the store's root:
//!
//! ```text
//! build-cache/steps/<key hex>      the image ID (hex) the step made, "\n"
//! build-cache/mounts/<id hash>/    a cache mount's files
//! build-cache/mounts/<id hash>.lock  its lock (sharing=locked)
//! ```
//!
//! Contract: an entry is written with temp file and rename, so a reader
//! sees a whole entry or none; an entry is only a hint: [`Cache::get`]
//! hands out an image only while the store still has it, so images pruned
//! or removed simply stop being hits, and [`Cache::prune`] drops their
//! entries. A key is a sha256 over the step's parent image, its
//! instruction after substitution, the build args it uses and the content
//! hash of what it copies ([`Key`]); the same key always means the same
//! result, whichever build or stage asks.

use rsp_storage::{ImageDb, Store, StoreError, write_atomic};
use sha2::{Digest, Sha256};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("build cache {}: {source}", .path.display())]
    Dir { path: PathBuf, source: io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A cache key under construction: fields are length-prefixed so that no
/// two different field lists hash alike.
pub struct Key(Sha256);

impl Key {
    /// A key for a step of kind `what` (`run`, `copy`, ...), versioned so a
    /// change in how keys are made never hits old entries.
    pub fn new(what: &str) -> Key {
        let mut k = Key(Sha256::new());
        k.add("rsp-build-cache-v1");
        k.add(what);
        k
    }

    pub fn add(&mut self, field: &str) -> &mut Key {
        self.0.update((field.len() as u64).to_le_bytes());
        self.0.update(field.as_bytes());
        self
    }

    pub fn finish(self) -> String {
        hex::encode(self.0.finalize())
    }
}

/// The build cache of a store (see the module documentation).
pub struct Cache {
    dir: PathBuf,
}

fn valid_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Cache {
    pub fn open(store: &Store) -> Cache {
        Cache {
            dir: store.root().join("build-cache"),
        }
    }

    fn steps(&self) -> PathBuf {
        self.dir.join("steps")
    }

    fn ensure(path: &Path) -> Result<(), CacheError> {
        fs::create_dir_all(path).map_err(|source| CacheError::Dir {
            path: path.to_path_buf(),
            source,
        })
    }

    /// The image a step with `key` made, if the store still has it.
    pub fn get(&self, key: &str, db: &ImageDb) -> Option<String> {
        if !valid_hex(key, 64) {
            return None;
        }
        let text = fs::read_to_string(self.steps().join(key)).ok()?;
        let id = text.trim();
        (valid_hex(id, 64) && db.images.iter().any(|i| i.id == id)).then(|| id.to_string())
    }

    /// Records that the step with `key` made image `id`.
    pub fn put(&self, key: &str, id: &str) -> Result<(), CacheError> {
        let dir = self.steps();
        Self::ensure(&dir)?;
        write_atomic(&dir.join(key), format!("{id}\n").as_bytes())?;
        Ok(())
    }

    /// Drops entries whose image is gone; returns how many.
    pub fn prune(&self, db: &ImageDb) -> usize {
        let Ok(entries) = fs::read_dir(self.steps()) else {
            return 0;
        };
        let mut n = 0;
        for e in entries.flatten() {
            let keep = fs::read_to_string(e.path())
                .map(|t| db.images.iter().any(|i| i.id == t.trim()))
                .unwrap_or(false);
            if !keep && fs::remove_file(e.path()).is_ok() {
                n += 1;
            }
        }
        n
    }

    /// The directory of cache mount `id` (created, empty the first time)
    /// and its lock file. The id is hashed into the name, so any id is a
    /// safe one.
    pub fn mount_dir(&self, id: &str) -> Result<(PathBuf, PathBuf), CacheError> {
        let base = self.dir.join("mounts");
        let name = hex::encode(Sha256::digest(id.as_bytes()));
        let dir = base.join(&name);
        Self::ensure(&dir)?;
        Ok((dir, base.join(format!("{name}.lock"))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue17_keys_are_unambiguous() {
        let mut a = Key::new("run");
        a.add("ab").add("c");
        let mut b = Key::new("run");
        b.add("a").add("bc");
        assert_ne!(a.finish(), b.finish());
    }

    #[test]
    fn issue17_entries_hit_only_while_the_image_exists() {
        let d = tempfile::tempdir().unwrap();
        let store = Store::open(d.path()).unwrap();
        let cache = Cache::open(&store);
        let key = Key::new("x").finish();
        let id = "a".repeat(64);
        cache.put(&key, &id).unwrap();
        let mut db = ImageDb::default();
        assert_eq!(cache.get(&key, &db), None);
        db.images.push(rsp_storage::ImageRecord {
            id: id.clone(),
            names: vec![],
            digests: vec![],
            manifest_digest: String::new(),
            manifest_media_type: String::new(),
            layers: vec![],
            size: 0,
            added: String::new(),
            intermediate: true,
        });
        assert_eq!(cache.get(&key, &db), Some(id));
        assert_eq!(cache.get("../../etc/passwd", &db), None);
        assert_eq!(cache.prune(&ImageDb::default()), 1);
        assert_eq!(cache.get(&key, &db), None);
    }
}
