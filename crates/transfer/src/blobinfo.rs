//! A small cache of what compressed blobs stored layers correspond to, and where they live.
//!
//! Contract: `<root>/blob-info-cache.json` maps (diff ID, compression) to the compressed
//! blob's digest and size and to the `registry/repository` names known to hold it. It is only
//! a hint: every use is checked against the registry (`HEAD`, or a mount the registry
//! confirms), so a stale, lost or corrupt cache costs an upload, never a wrong image. Updates
//! happen under the store lock and are written atomically; sizes are bounded
//! ([`MAX_ENTRIES`], [`MAX_LOCATIONS`]), oldest dropped first.

use serde::{Deserialize, Serialize};

use rsp_storage::{Store, StoreError, digest_hex, write_atomic};

const FILE: &str = "blob-info-cache.json";
pub const MAX_ENTRIES: usize = 4096;
pub const MAX_LOCATIONS: usize = 16;

#[derive(Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct BlobInfoCache {
    #[serde(default)]
    pub entries: Vec<BlobInfo>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BlobInfo {
    pub diff_id: String,
    /// `gzip`, `zstd` or `none`.
    pub compression: String,
    pub digest: String,
    pub size: i64,
    /// `registry/repository`, most recent last.
    #[serde(default)]
    pub locations: Vec<String>,
}

/// The compression a layer media type names.
pub fn compression_of(media_type: &str) -> &'static str {
    if media_type.contains("zstd") {
        "zstd"
    } else if media_type.contains("gzip") || media_type.is_empty() {
        // Docker media types say `tar.gzip`; an absent media type is gzip in practice.
        "gzip"
    } else {
        "none"
    }
}

impl BlobInfoCache {
    /// Reads the cache; a missing or unreadable one is empty (it is only a hint).
    pub fn load(store: &Store) -> BlobInfoCache {
        std::fs::read(store.root().join(FILE))
            .ok()
            .and_then(|d| serde_json::from_slice(&d).ok())
            .unwrap_or_default()
    }

    /// The entry for `diff_id` compressed with `compression`, if it is well-formed.
    pub fn find(&self, diff_id: &str, compression: &str) -> Option<&BlobInfo> {
        self.entries.iter().rev().find(|e| {
            e.diff_id == diff_id
                && e.compression == compression
                && digest_hex(&e.digest).is_ok()
                && e.size >= 0
        })
    }

    /// Adds or refreshes an entry and notes `location` as holding it.
    pub fn note(&mut self, info: BlobInfo) {
        let pos = self
            .entries
            .iter()
            .position(|e| e.diff_id == info.diff_id && e.compression == info.compression);
        let mut entry = match pos {
            // The same layer compressed again may give other bytes (another level or
            // compressor version): the newest digest wins, and its locations start afresh.
            Some(i) if self.entries[i].digest == info.digest => self.entries.remove(i),
            Some(i) => {
                self.entries.remove(i);
                BlobInfo {
                    locations: Vec::new(),
                    ..info.clone()
                }
            }
            None => BlobInfo {
                locations: Vec::new(),
                ..info.clone()
            },
        };
        entry.size = info.size;
        for loc in info.locations {
            entry.locations.retain(|l| *l != loc);
            entry.locations.push(loc);
        }
        if entry.locations.len() > MAX_LOCATIONS {
            let extra = entry.locations.len() - MAX_LOCATIONS;
            entry.locations.drain(..extra);
        }
        self.entries.push(entry);
        if self.entries.len() > MAX_ENTRIES {
            let extra = self.entries.len() - MAX_ENTRIES;
            self.entries.drain(..extra);
        }
    }
}

/// Records that `location` (`registry/repository`) holds `digest`, the `compression`
/// compressed form of layer `diff_id`.
pub fn record(
    store: &Store,
    diff_id: &str,
    compression: &str,
    digest: &str,
    size: i64,
    location: &str,
) -> Result<(), StoreError> {
    digest_hex(diff_id)?;
    digest_hex(digest)?;
    let lock = store.lock()?;
    let mut cache = BlobInfoCache::load(store);
    cache.note(BlobInfo {
        diff_id: diff_id.to_string(),
        compression: compression.to_string(),
        digest: digest.to_string(),
        size,
        locations: vec![location.to_string()],
    });
    let data = serde_json::to_vec(&cache).map_err(|e| StoreError::Write {
        path: store.root().join(FILE),
        source: std::io::Error::other(e),
    })?;
    write_atomic(&store.root().join(FILE), &data)?;
    drop(lock);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(c: char) -> String {
        format!("sha256:{}", c.to_string().repeat(64))
    }

    fn info(diff: char, digest: char, loc: &str) -> BlobInfo {
        BlobInfo {
            diff_id: d(diff),
            compression: "gzip".into(),
            digest: d(digest),
            size: 10,
            locations: vec![loc.into()],
        }
    }

    #[test]
    fn notes_locations_and_replaces_stale_digests() {
        let mut c = BlobInfoCache::default();
        c.note(info('a', 'b', "r/one"));
        c.note(info('a', 'b', "r/two"));
        c.note(info('a', 'b', "r/one"));
        let e = c.find(&d('a'), "gzip").unwrap();
        assert_eq!(e.locations, vec!["r/two", "r/one"]);
        assert!(c.find(&d('a'), "zstd").is_none());
        c.note(info('a', 'c', "r/three"));
        let e = c.find(&d('a'), "gzip").unwrap();
        assert_eq!(e.digest, d('c'));
        assert_eq!(e.locations, vec!["r/three"]);
        assert_eq!(c.entries.len(), 1);
    }

    #[test]
    fn bounded() {
        let mut c = BlobInfoCache::default();
        for i in 0..MAX_LOCATIONS + 5 {
            c.note(info('a', 'b', &format!("r/{i}")));
        }
        assert_eq!(c.entries[0].locations.len(), MAX_LOCATIONS);
        assert_eq!(
            c.entries[0].locations.last().unwrap(),
            &format!("r/{}", MAX_LOCATIONS + 4)
        );
        for i in 0..MAX_ENTRIES + 3 {
            c.note(BlobInfo {
                diff_id: format!("sha256:{i:064x}"),
                ..info('a', 'b', "r/x")
            });
        }
        assert_eq!(c.entries.len(), MAX_ENTRIES);
    }

    #[test]
    fn malformed_entries_are_ignored_and_files_round_trip() {
        let mut c = BlobInfoCache::default();
        c.note(BlobInfo {
            digest: "sha256:../../etc".into(),
            ..info('a', 'b', "r/x")
        });
        assert!(c.find(&d('a'), "gzip").is_none());

        let dir = std::env::temp_dir().join(format!("rsp-blobinfo-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::open(&dir).unwrap();
        record(&store, &d('a'), "zstd", &d('e'), 5, "127.0.0.1:1/x").unwrap();
        assert!(record(&store, &d('a'), "zstd", "sha256:zz", 5, "x").is_err());
        let c = BlobInfoCache::load(&store);
        assert_eq!(
            c.find(&d('a'), "zstd").unwrap().locations,
            vec!["127.0.0.1:1/x"]
        );
        std::fs::write(dir.join(FILE), b"{not json").unwrap();
        assert_eq!(BlobInfoCache::load(&store), BlobInfoCache::default());
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            compression_of("application/vnd.oci.image.layer.v1.tar+zstd"),
            "zstd"
        );
        assert_eq!(
            compression_of("application/vnd.docker.image.rootfs.diff.tar.gzip"),
            "gzip"
        );
        assert_eq!(
            compression_of("application/vnd.oci.image.layer.v1.tar"),
            "none"
        );
    }
}
