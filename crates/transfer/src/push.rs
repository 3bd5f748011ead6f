//! Pushing a stored image to a registry.
//!
//! Contract of [`push`]: each distinct layer is sent at most once and only if the destination
//! repository lacks it: a layer the blob-info cache knows is first `HEAD`-checked in the
//! destination, then mounted from another repository of the same registry known to hold it;
//! only otherwise is it compressed (two at a time, each while hashing, into an unlinked temp
//! file, so memory stays bounded and a kill leaves nothing behind) and uploaded. The config
//! follows, and the manifest is written last, so a failed or killed push never leaves a tag
//! naming a half-uploaded image. The local store is only read (plus the blob-info cache).

use std::fs::File;
use std::io::{self, Seek, Write};
use std::sync::Arc;

use serde_json::json;
use sha2::{Digest, Sha256};

use super::TransferError;
use super::blobinfo::{self, BlobInfoCache};
use rsp_image::reference::Reference;
use rsp_registry::{DOCKER_MANIFEST_V2, OCI_MANIFEST, PullOptions, RegistriesConf, Registry};
use rsp_storage::{Store, digest_hex};

/// Compressions rsp can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    Gzip,
    Zstd,
}

impl Compression {
    pub fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// Manifest formats rsp can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManifestFormat {
    Oci,
    V2s2,
}

#[derive(Debug, Clone)]
pub struct PushOptions {
    pub registry: PullOptions,
    pub compression: Compression,
    /// `None`: the compressor's default.
    pub level: Option<i32>,
    pub format: ManifestFormat,
}

/// What a push reports as it goes.
pub trait PushProgress: Send + Sync {
    fn start(&self) {}
    /// Layer `diff_id` (`size` bytes uncompressed) is being compressed.
    fn compressing(&self, _diff_id: &str, _size: u64) {}
    /// `n` more bytes of layer `diff_id` compressed, or, once
    /// [`PushProgress::blob`] has said it goes, uploaded.
    fn bytes(&self, _diff_id: &str, _n: u64) {}
    /// A layer about to be uploaded (`skipped`: the registry has it
    /// already); `size` is what goes over the wire.
    fn blob(&self, _diff_id: &str, _size: u64, _skipped: bool) {}
    /// Layer `diff_id` is in the registry.
    fn blob_done(&self, _diff_id: &str) {}
    fn config(&self, _digest: &str) {}
    fn writing_manifest(&self) {}
}

pub struct QuietPush;
impl PushProgress for QuietPush {}

/// Where the image went.
#[derive(Debug, Clone)]
pub struct Pushed {
    pub reference: Reference,
    pub manifest_digest: String,
}

/// Compression workers; the machine's cores are shared with the uploads.
const COMPRESSORS: usize = 2;

/// Parses a push destination: `docker://REF` or a plain reference.
pub fn destination(input: &str) -> Result<Reference, TransferError> {
    // Transports Podman knows; only the registry one is supported here.
    const OTHER_TRANSPORTS: &[&str] = &[
        "oci",
        "oci-archive",
        "docker-archive",
        "dir",
        "containers-storage",
        "docker-daemon",
    ];
    let bare = match input.split_once("://") {
        Some(("docker", rest)) => rest,
        Some((transport, _)) => {
            return Err(TransferError::UnsupportedTransport {
                destination: input.to_string(),
                transport: transport.to_string(),
            });
        }
        None => {
            if let Some((t, _)) = input.split_once(':')
                && OTHER_TRANSPORTS.contains(&t)
            {
                return Err(TransferError::UnsupportedTransport {
                    destination: input.to_string(),
                    transport: t.to_string(),
                });
            }
            input
        }
    };
    let reference = Reference::parse(bare).map_err(rsp_registry::RegistryError::from)?;
    if reference.digest.is_some() {
        return Err(TransferError::DestinationDigest {
            destination: input.to_string(),
        });
    }
    Ok(reference)
}

/// Pushes `image` (a name or ID in the store) to `dest` (default: the image's first name).
pub fn push(
    store: &Store,
    image: &str,
    dest: Option<&str>,
    opts: &PushOptions,
    progress: Arc<dyn PushProgress>,
) -> Result<Pushed, TransferError> {
    if opts.format == ManifestFormat::V2s2 && opts.compression == Compression::Zstd {
        return Err(TransferError::ZstdNeedsOci);
    }
    let db = store.images()?;
    let rec = rsp_image::lookup(&db, image)?.clone();
    // Without a destination, the name the user typed (as Podman), else the image's first name.
    let typed = rsp_image::lookup_name(&db, image);
    let dest = match dest {
        Some(d) => destination(d)?,
        None => match typed.as_ref().or(rec.names.first()) {
            Some(n) => destination(n)?,
            None => {
                return Err(TransferError::NoDestination {
                    image: image.to_string(),
                });
            }
        },
    };
    let config_digest = format!("sha256:{}", rec.id);
    let config_bytes = store.get_blob(&config_digest)?;
    // Annotations (`build --annotation`) live in the stored manifest.
    let annotations = store
        .get_blob(&rec.manifest_digest)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .map(|m| m["annotations"].clone())
        .filter(serde_json::Value::is_object);
    for d in &rec.layers {
        digest_hex(d)?;
    }
    let conf = RegistriesConf::load()?;
    let registry = Registry::new(&dest, &opts.registry, &conf)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(TransferError::Runtime)?;
    let result = rt.block_on(push_async(
        store,
        &registry,
        &dest,
        &rec.layers,
        &config_digest,
        config_bytes,
        annotations,
        opts,
        progress,
    ));
    rt.shutdown_timeout(std::time::Duration::from_secs(2));
    let manifest_digest = result?;
    Ok(Pushed {
        reference: dest,
        manifest_digest,
    })
}

#[allow(clippy::too_many_arguments)]
async fn push_async(
    store: &Store,
    registry: &Registry,
    dest: &Reference,
    layers: &[String],
    config_digest: &str,
    config_bytes: Vec<u8>,
    annotations: Option<serde_json::Value>,
    opts: &PushOptions,
    progress: Arc<dyn PushProgress>,
) -> Result<String, TransferError> {
    progress.start();
    let cache = Arc::new(BlobInfoCache::load(store));
    let compressors = Arc::new(tokio::sync::Semaphore::new(COMPRESSORS));
    let mut unique: Vec<&String> = Vec::new();
    for d in layers {
        if !unique.contains(&d) {
            unique.push(d);
        }
    }
    let mut tasks = Vec::new();
    for diff_id in unique {
        let (store, registry, dest, cache, compressors, progress) = (
            store.clone(),
            registry.clone(),
            dest.clone(),
            cache.clone(),
            compressors.clone(),
            progress.clone(),
        );
        let (diff_id, compression, level) = (diff_id.clone(), opts.compression, opts.level);
        tasks.push(tokio::spawn(async move {
            push_layer(
                &store,
                &registry,
                &dest,
                &cache,
                &compressors,
                &diff_id,
                compression,
                level,
                progress,
            )
            .await
            .map(|blob| (diff_id, blob))
        }));
    }
    let mut sent = Vec::new();
    let mut first_err = None;
    for t in tasks {
        match t.await {
            Ok(Ok(b)) => sent.push(b),
            Ok(Err(e)) => {
                first_err.get_or_insert(e);
            }
            Err(e) => {
                first_err.get_or_insert(TransferError::Runtime(io::Error::other(e.to_string())));
            }
        }
    }
    if let Some(e) = first_err {
        return Err(e);
    }

    progress.config(config_digest);
    if !registry.blob_exists(dest, config_digest).await? {
        registry
            .push_blob_bytes(dest, config_bytes.clone(), config_digest)
            .await?;
    }

    let (manifest_type, config_type, layer_type) = match (opts.format, opts.compression) {
        (ManifestFormat::V2s2, _) => (
            DOCKER_MANIFEST_V2,
            "application/vnd.docker.container.image.v1+json",
            "application/vnd.docker.image.rootfs.diff.tar.gzip",
        ),
        (ManifestFormat::Oci, Compression::Gzip) => (
            OCI_MANIFEST,
            "application/vnd.oci.image.config.v1+json",
            "application/vnd.oci.image.layer.v1.tar+gzip",
        ),
        (ManifestFormat::Oci, Compression::Zstd) => (
            OCI_MANIFEST,
            "application/vnd.oci.image.config.v1+json",
            "application/vnd.oci.image.layer.v1.tar+zstd",
        ),
    };
    let layer_descs: Vec<serde_json::Value> = layers
        .iter()
        .map(|d| {
            let (digest, size) = sent
                .iter()
                .find(|(id, _)| id == d)
                .map(|(_, b)| b.clone())
                .unwrap_or_default();
            json!({"mediaType": layer_type, "digest": digest, "size": size})
        })
        .collect();
    let mut manifest = json!({
        "schemaVersion": 2,
        "mediaType": manifest_type,
        "config": {
            "mediaType": config_type,
            "digest": config_digest,
            "size": config_bytes.len(),
        },
        "layers": layer_descs,
    });
    // Docker's schema 2 has no annotations.
    if let Some(a) = annotations.filter(|_| manifest_type == OCI_MANIFEST) {
        manifest["annotations"] = a;
    }
    let bytes = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| TransferError::Runtime(io::Error::other(e)))?;
    let digest = format!("sha256:{}", hex::encode(Sha256::digest(&bytes)));
    progress.writing_manifest();
    registry.push_manifest(dest, bytes, manifest_type).await?;
    Ok(digest)
}

/// Makes sure the destination has layer `diff_id`; returns its compressed digest and size.
#[allow(clippy::too_many_arguments)]
async fn push_layer(
    store: &Store,
    registry: &Registry,
    dest: &Reference,
    cache: &BlobInfoCache,
    compressors: &tokio::sync::Semaphore,
    diff_id: &str,
    compression: Compression,
    level: Option<i32>,
    progress: Arc<dyn PushProgress>,
) -> Result<(String, i64), TransferError> {
    let here = dest.name();
    if let Some(known) = cache.find(diff_id, compression.name()) {
        if registry.blob_exists(dest, &known.digest).await? {
            progress.blob(diff_id, known.size.max(0) as u64, true);
            return Ok((known.digest.clone(), known.size));
        }
        let prefix = format!("{}/", dest.registry);
        // Newest first: the most recently seen copy is the likeliest to still exist.
        for loc in known.locations.iter().rev() {
            let Some(repo) = loc.strip_prefix(&prefix) else {
                continue;
            };
            if *loc == here {
                continue;
            }
            if registry.mount_blob(dest, repo, &known.digest).await
                && registry.blob_exists(dest, &known.digest).await?
            {
                progress.blob(diff_id, known.size.max(0) as u64, true);
                let _ = blobinfo::record(
                    store,
                    diff_id,
                    compression.name(),
                    &known.digest,
                    known.size,
                    &here,
                );
                return Ok((known.digest.clone(), known.size));
            }
        }
    }

    let permit = compressors
        .acquire()
        .await
        .map_err(|e| TransferError::Runtime(io::Error::other(e)))?;
    progress.compressing(diff_id, store.layer_size(diff_id));
    let (s, d, p) = (store.clone(), diff_id.to_string(), progress.clone());
    let compressed = tokio::task::spawn_blocking(move || {
        compress_layer(&s, &d, compression, level, &|n| p.bytes(&d, n))
    })
    .await
    .map_err(|e| TransferError::Runtime(io::Error::other(e.to_string())))??;
    drop(permit);
    let (file, digest, written) = compressed;
    let size = i64::try_from(written).unwrap_or(i64::MAX);
    if registry.blob_exists(dest, &digest).await? {
        progress.blob(diff_id, written, true);
    } else {
        progress.blob(diff_id, written, false);
        let (p, d) = (progress.clone(), diff_id.to_string());
        registry
            .push_blob_file(dest, file, &digest, Arc::new(move |n| p.bytes(&d, n)))
            .await?;
        progress.blob_done(diff_id);
    }
    // Only a hint for later pushes: failing to note it must not fail this one.
    let _ = blobinfo::record(store, diff_id, compression.name(), &digest, size, &here);
    Ok((digest, size))
}

/// Reports the size of each read from `inner`.
struct Counting<'a, R> {
    inner: R,
    report: &'a dyn Fn(u64),
}

impl<R: io::Read> io::Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        (self.report)(n as u64);
        Ok(n)
    }
}

/// Counts and hashes what passes through to `inner`.
struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    written: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// An anonymous file in the store's temp area: unlinked at once, so nothing is left behind
/// whatever happens to this process.
fn anonymous_file(store: &Store) -> Result<File, TransferError> {
    let dir = store.temp_dir("push")?;
    let path = dir.join("blob");
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path);
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_dir(&dir);
    file.map_err(|source| TransferError::Compress {
        diff_id: path.display().to_string(),
        source,
    })
}

/// Compresses layer `diff_id` into an anonymous file; returns it rewound, with the compressed
/// digest and size.
fn compress_layer(
    store: &Store,
    diff_id: &str,
    compression: Compression,
    level: Option<i32>,
    read: &dyn Fn(u64),
) -> Result<(File, String, u64), TransferError> {
    let mut tar = Counting {
        inner: store.layer_tar(diff_id)?,
        report: read,
    };
    let file = anonymous_file(store)?;
    let err = |source| TransferError::Compress {
        diff_id: diff_id.to_string(),
        source,
    };
    let sink = HashingWriter {
        inner: io::BufWriter::with_capacity(1 << 20, file),
        hasher: Sha256::new(),
        written: 0,
    };
    let sink = match compression {
        Compression::Gzip => {
            let level = level.map_or(6, |l| l.clamp(0, 9) as u32);
            let mut enc = super::gzip::AdaptiveGzip::new(sink, level).map_err(err)?;
            io::copy(&mut tar, &mut enc).map_err(err)?;
            enc.finish().map_err(err)?
        }
        Compression::Zstd => {
            let level = level
                .unwrap_or(zstd::DEFAULT_COMPRESSION_LEVEL)
                .clamp(1, 19);
            let mut enc = zstd::stream::write::Encoder::new(sink, level).map_err(err)?;
            io::copy(&mut tar, &mut enc).map_err(err)?;
            enc.finish().map_err(err)?
        }
    };
    let digest = format!("sha256:{}", hex::encode(sink.hasher.finalize()));
    let mut file = sink.inner.into_inner().map_err(|e| err(e.into_error()))?;
    file.rewind().map_err(err)?;
    Ok((file, digest, sink.written))
}
