//! Moving images between registries and the store.
//!
//! Contract of [`pull`]: every layer missing from the store is downloaded
//! and unpacked at the same time (the download streams straight into the
//! unpacker), all layers in parallel. The compressed digest is checked as
//! bytes arrive and the uncompressed digest (diff ID) against the image
//! config; a layer becomes visible in the store only once both match. The
//! image record is written last, under the store lock, so a failed or killed
//! pull leaves the store as it was (plus, at most, complete layers that the
//! next pull reuses).
#![forbid(unsafe_code)]

pub mod archive;
pub mod blobinfo;
pub mod ensure;
mod gzip;
pub mod push;

use rsp_image::config::ImageConfig;
use rsp_image::reference::Reference;
use rsp_registry::{BlobRef, PullOptions, RegistriesConf, Registry, RegistryError};
use rsp_storage::unpack::{UnpackError, unpack_layer_recorded};
use rsp_storage::{ImageRecord, Store, StoreError, digest_hex};
use std::io::{self, Read, Write};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("unpacking layer {digest}: {source}")]
    Unpack { digest: String, source: UnpackError },
    #[error("image config of {reference} is invalid JSON: {source}")]
    BadConfig {
        reference: String,
        source: serde_json::Error,
    },
    #[error(
        "{reference}: the manifest lists {layers} layers but the config {diff_ids} diff IDs: the image is broken"
    )]
    LayerCount {
        reference: String,
        layers: usize,
        diff_ids: usize,
    },
    #[error(
        "layer {digest} unpacks to {actual}, but the image config says {expected}: the image is corrupt"
    )]
    DiffIdMismatch {
        digest: String,
        expected: String,
        actual: String,
    },
    #[error("starting the download workers: {0}")]
    Runtime(io::Error),
    #[error("{0}")]
    Candidates(String),
    #[error("layer {0} was removed while pulling: run the pull again")]
    LayerVanished(String),
    #[error(transparent)]
    Image(#[from] rsp_image::ImageError),
    #[error(
        "image {image} has no name to push it under: give a destination, e.g. \
         rsp push {image} localhost:5000/name:tag"
    )]
    NoDestination { image: String },
    #[error(
        "unsupported destination {destination}: transport {transport:?} is not supported: use \
         docker://REFERENCE or a plain reference"
    )]
    UnsupportedTransport {
        destination: String,
        transport: String,
    },
    #[error("cannot push to {destination}: give a tag, not a digest")]
    DestinationDigest { destination: String },
    #[error(
        "--format v2s2 cannot carry zstd layers: use --format oci or --compression-format gzip"
    )]
    ZstdNeedsOci,
    #[error("compressing layer {diff_id}: {source}")]
    Compress { diff_id: String, source: io::Error },
}

/// What a pull reports as it goes; the CLI draws bars or prints lines.
pub trait PullProgress: Send + Sync {
    fn trying(&self, _reference: &str) {}
    fn layer(&self, _index: usize, _digest: &str, _size: u64, _skipped: bool) {}
    fn layer_bytes(&self, _index: usize, _bytes: u64) {}
    fn layer_done(&self, _index: usize) {}
    fn config(&self, _digest: &str) {}
    fn writing_manifest(&self) {}
}

/// Reports nothing (for `-q`).
pub struct Quiet;
impl PullProgress for Quiet {}

/// A `Write` that hands chunks to another thread's `Read`, so a download can
/// stream into the unpacker without holding the layer in memory or on disk.
struct ChannelWriter(SyncSender<Vec<u8>>);
struct ChannelReader {
    rx: Receiver<Vec<u8>>,
    buf: Vec<u8>,
    pos: usize,
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.0
            .send(data.to_vec())
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "unpacker stopped"))?;
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Read for ChannelReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.buf.len() {
            match self.rx.recv() {
                Ok(b) => {
                    self.buf = b;
                    self.pos = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Pulls `input` (as typed by the user), trying each candidate registry for
/// short names, and returns the stored image record.
pub fn pull(
    store: &Store,
    input: &str,
    opts: &PullOptions,
    progress: Arc<dyn PullProgress>,
) -> Result<ImageRecord, TransferError> {
    let conf = RegistriesConf::load()?;
    let candidates = conf.candidates(input)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .map_err(TransferError::Runtime)?;
    let mut errors = Vec::new();
    let mut result = None;
    for reference in &candidates {
        progress.trying(&reference.to_string());
        match rt.block_on(pull_one(store, reference, opts, &conf, progress.clone())) {
            Ok(rec) => {
                result = Some(rec);
                break;
            }
            Err(e) if candidates.len() > 1 => errors.push(e.to_string()),
            Err(e) => {
                rt.shutdown_timeout(std::time::Duration::from_secs(2));
                return Err(e);
            }
        }
    }
    // Wait for the workers to stop: rsp run forks after a pull and must be
    // single-threaded then.
    rt.shutdown_timeout(std::time::Duration::from_secs(2));
    result.ok_or_else(|| TransferError::Candidates(errors.join("; ")))
}

async fn pull_one(
    store: &Store,
    reference: &Reference,
    opts: &PullOptions,
    conf: &RegistriesConf,
    progress: Arc<dyn PullProgress>,
) -> Result<ImageRecord, TransferError> {
    let registry = Registry::new(reference, opts, conf)?;
    let resolved = registry.resolve(reference).await?;
    let config =
        ImageConfig::parse(&resolved.config_bytes).map_err(|source| TransferError::BadConfig {
            reference: reference.to_string(),
            source,
        })?;
    let diff_ids = config.rootfs.diff_ids.clone();
    if diff_ids.len() != resolved.layers.len() {
        return Err(TransferError::LayerCount {
            reference: reference.to_string(),
            layers: resolved.layers.len(),
            diff_ids: diff_ids.len(),
        });
    }
    for d in &diff_ids {
        digest_hex(d)?;
    }
    store.clean_temp();

    let mut tasks = Vec::new();
    // An image may list the same layer more than once: fetch it once.
    let mut scheduled = std::collections::HashSet::new();
    for (i, (blob, diff_id)) in resolved.layers.iter().zip(&diff_ids).enumerate() {
        let skipped = store.has_layer(diff_id) || !scheduled.insert(diff_id.as_str());
        progress.layer(i, &blob.digest, blob.size.max(0) as u64, skipped);
        if skipped {
            progress.layer_done(i);
            continue;
        }
        let (registry, reference, blob, diff_id) = (
            registry.clone(),
            reference.clone(),
            blob.clone(),
            diff_id.clone(),
        );
        let (store, progress) = (store.clone(), progress.clone());
        tasks.push(tokio::spawn(async move {
            fetch_layer(
                &store,
                &registry,
                &reference,
                &blob,
                &diff_id,
                i,
                progress.as_ref(),
            )
            .await?;
            progress.layer_done(i);
            Ok::<(), TransferError>(())
        }));
    }
    let mut first_err = None;
    for t in tasks {
        let r = match t.await {
            Ok(r) => r,
            Err(e) => Err(TransferError::Runtime(io::Error::other(e.to_string()))),
        };
        if let Err(e) = r
            && first_err.is_none()
        {
            first_err = Some(e);
        }
    }
    if let Some(e) = first_err {
        return Err(e);
    }

    progress.config(&resolved.config.digest);
    store.put_blob(&resolved.config.digest, &resolved.config_bytes)?;
    store.put_blob(&resolved.manifest_digest, &resolved.manifest_bytes)?;
    progress.writing_manifest();

    let id = digest_hex(&resolved.config.digest)?.to_string();
    let mut names = Vec::new();
    if reference.digest.is_none() || reference.tag.is_some() {
        names.push(format!(
            "{}:{}",
            reference.name(),
            reference.tag_or_latest()
        ));
    }
    let rec = ImageRecord {
        id,
        names,
        digests: vec![format!("{}@{}", reference.name(), resolved.manifest_digest)],
        manifest_digest: resolved.manifest_digest.clone(),
        manifest_media_type: resolved.manifest_media_type.clone(),
        layers: diff_ids.clone(),
        size: 0,
        added: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        intermediate: false,
    };
    let lock = store.lock()?;
    let mut rec = rec;
    rec.size = diff_ids.iter().map(|d| store.layer_size(d)).sum();
    for d in &diff_ids {
        if !store.has_layer(d) {
            return Err(TransferError::LayerVanished(d.clone()));
        }
    }
    let mut db = store.images()?;
    db.upsert(rec.clone());
    store.save_images(&db, &lock)?;
    Ok(db
        .images
        .into_iter()
        .find(|i| i.id == rec.id)
        .unwrap_or(rec))
}

async fn fetch_layer(
    store: &Store,
    registry: &Registry,
    reference: &Reference,
    blob: &BlobRef,
    diff_id: &str,
    index: usize,
    progress: &dyn PullProgress,
) -> Result<(), TransferError> {
    let tmp = store.temp_dir("layer")?;
    let (tx, rx) = sync_channel::<Vec<u8>>(64);
    let dest = tmp.clone();
    let split = Store::split_temp(&tmp);
    let unpacker = std::thread::spawn(move || {
        let mut reader = ChannelReader {
            rx,
            buf: Vec::new(),
            pos: 0,
        };
        let r = unpack_layer_recorded(&mut reader, &dest, &split);
        // Drain what is left so the downloader never blocks on a full
        // channel after an unpack error.
        let _ = io::copy(&mut reader, &mut io::sink());
        r
    });
    let mut sink = ChannelWriter(tx);
    let fetched = registry
        .fetch_blob(reference, blob, &mut sink, &|n| {
            progress.layer_bytes(index, n)
        })
        .await;
    drop(sink);
    let unpacked = unpacker.join();
    let result = (|| {
        fetched?;
        let stats = unpacked
            .map_err(|_| TransferError::Runtime(io::Error::other("layer unpacker panicked")))?
            .map_err(|source| TransferError::Unpack {
                digest: blob.digest.clone(),
                source,
            })?;
        if stats.diff_id != diff_id {
            return Err(TransferError::DiffIdMismatch {
                digest: blob.digest.clone(),
                expected: diff_id.to_string(),
                actual: stats.diff_id,
            });
        }
        store.finish_layer(&tmp, &stats)?;
        // A hint for push (see blobinfo): losing it only costs a later upload.
        let compression = blobinfo::compression_of(&blob.media_type);
        let _ = blobinfo::record(
            store,
            diff_id,
            compression,
            &blob.digest,
            blob.size,
            &reference.name(),
        );
        Ok(())
    })();
    if result.is_err() {
        let _ = rsp_storage::remove_tree(&tmp);
        let _ = rsp_storage::remove_tree(&Store::split_temp(&tmp));
    }
    result
}
