//! Images made on this machine (load, import, commit): their layers are
//! already in the store, unpacked; what is left is to write the config, an
//! OCI manifest describing the layers uncompressed, and the image record.
//!
//! Contract of [`store_image`]: the config must list as diff IDs only layers
//! the store has; the config and manifest blobs are written first and the
//! record last, under the store lock, so a caller killed at any point leaves
//! no image behind, only unreferenced blobs that the next prune removes.

use super::config::ImageConfig;
use rsp_storage::{ImageRecord, Store, StoreError, digest_hex, sha256_digest};

/// OCI media types of what [`store_image`] writes.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const OCI_LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";

#[derive(Debug, thiserror::Error)]
pub enum LocalImageError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("image config is invalid JSON: {0}")]
    BadConfig(serde_json::Error),
    #[error("image config lists layer {0}, which is not in the store")]
    MissingLayer(String),
}

/// Docker schema 2 media types, for images built with `--format docker`.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
pub const DOCKER_LAYER_TAR: &str = "application/vnd.docker.image.rootfs.diff.tar";

/// How [`store_image_as`] keeps an image.
#[derive(Clone, Debug, Default)]
pub struct StoreAs {
    /// A build step's image (see `ImageRecord::intermediate`).
    pub intermediate: bool,
    /// A Docker schema 2 manifest instead of an OCI one (`push` then sends
    /// it as `v2s2` unless told otherwise).
    pub docker: bool,
    /// Manifest annotations (`build --annotation`); an OCI manifest
    /// carries them, a Docker one has no place for them.
    pub annotations: std::collections::BTreeMap<String, String>,
}

/// The manifest of an image whose layers are stored uncompressed: each
/// layer's descriptor digest is its diff ID.
pub fn manifest_for(store: &Store, config_bytes: &[u8]) -> Result<Vec<u8>, LocalImageError> {
    manifest_typed(store, config_bytes, false, &Default::default())
}

fn manifest_typed(
    store: &Store,
    config_bytes: &[u8],
    docker: bool,
    annotations: &std::collections::BTreeMap<String, String>,
) -> Result<Vec<u8>, LocalImageError> {
    let (manifest_type, config_type, layer_type) = if docker {
        (DOCKER_MANIFEST, DOCKER_CONFIG, DOCKER_LAYER_TAR)
    } else {
        (OCI_MANIFEST, OCI_CONFIG, OCI_LAYER_TAR)
    };
    let config = ImageConfig::parse(config_bytes).map_err(LocalImageError::BadConfig)?;
    let mut layers = Vec::new();
    for d in &config.rootfs.diff_ids {
        digest_hex(d)?;
        if !store.has_layer(d) {
            return Err(LocalImageError::MissingLayer(d.clone()));
        }
        layers.push(serde_json::json!({
            "mediaType": layer_type,
            "digest": d,
            "size": store.layer_size(d),
        }));
    }
    let mut manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": manifest_type,
        "config": {
            "mediaType": config_type,
            "digest": sha256_digest(config_bytes),
            "size": config_bytes.len(),
        },
        "layers": layers,
    });
    if !docker && !annotations.is_empty() {
        manifest["annotations"] = serde_json::json!(annotations);
    }
    Ok(serde_json::to_vec(&manifest).expect("a JSON value serializes"))
}

/// Stores an image made from `config_bytes` (whose layers are all in the
/// store) under `names` (fully qualified, may be empty) and returns its
/// record as stored (merged with an existing image of the same ID).
pub fn store_image(
    store: &Store,
    config_bytes: &[u8],
    names: Vec<String>,
) -> Result<ImageRecord, LocalImageError> {
    store_image_as(store, config_bytes, names, StoreAs::default())
}

/// [`store_image`], kept as `how` says.
pub fn store_image_as(
    store: &Store,
    config_bytes: &[u8],
    names: Vec<String>,
    how: StoreAs,
) -> Result<ImageRecord, LocalImageError> {
    let config = ImageConfig::parse(config_bytes).map_err(LocalImageError::BadConfig)?;
    let manifest = manifest_typed(store, config_bytes, how.docker, &how.annotations)?;
    let config_digest = sha256_digest(config_bytes);
    let manifest_digest = sha256_digest(&manifest);
    store.put_blob(&config_digest, config_bytes)?;
    store.put_blob(&manifest_digest, &manifest)?;
    let diff_ids = config.rootfs.diff_ids;
    let rec = ImageRecord {
        id: digest_hex(&config_digest)?.to_string(),
        names,
        digests: Vec::new(),
        manifest_digest,
        manifest_media_type: if how.docker {
            DOCKER_MANIFEST
        } else {
            OCI_MANIFEST
        }
        .to_string(),
        size: diff_ids.iter().map(|d| store.layer_size(d)).sum(),
        layers: diff_ids,
        added: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        intermediate: how.intermediate,
    };
    let lock = store.lock()?;
    // A concurrent rmi may have removed a layer since the manifest was made.
    if let Some(d) = rec.layers.iter().find(|d| !store.has_layer(d)) {
        return Err(LocalImageError::MissingLayer(d.clone()));
    }
    let mut db = store.images()?;
    db.upsert(rec.clone());
    // The same config with annotations of its own: its manifest is the
    // one asked for now (the ID names the config, not the manifest).
    if !how.annotations.is_empty()
        && let Some(existing) = db.images.iter_mut().find(|i| i.id == rec.id)
    {
        existing.manifest_digest = rec.manifest_digest.clone();
        existing.manifest_media_type = rec.manifest_media_type.clone();
    }
    store.save_images(&db, &lock)?;
    Ok(db
        .images
        .into_iter()
        .find(|i| i.id == rec.id)
        .unwrap_or(rec))
}
