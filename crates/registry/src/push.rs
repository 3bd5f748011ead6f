//! The registry side of a push, and reading a manifest as served.
//!
//! Contract: blobs are checked for (`HEAD`), mounted from another repository of the same
//! registry, or uploaded from an open file in bounded chunks; the registry verifies each
//! upload's digest. A manifest is written with one `PUT`, so a tag either names a complete
//! image (every blob already present) or is left as it was. Access errors name the registry
//! and suggest `rsp login`.

use std::io::Read;

use futures_util::stream;
use oci_client::errors::{OciDistributionError, OciErrorCode};

use super::{ACCEPTED_MANIFESTS, Registry, RegistryError, Transport, classify_transport, to_oci};
use rsp_image::reference::Reference;

/// Bytes read from the file per upload request.
const UPLOAD_CHUNK: usize = 4 << 20;

impl Registry {
    async fn ensure_auth(&self, oci_ref: &oci_client::Reference) {
        // Requests other than manifest pulls do not store the credentials by themselves.
        self.client
            .store_auth_if_needed(oci_ref.resolve_registry(), &self.auth)
            .await;
    }

    /// Whether the repository of `reference` already has blob `digest`.
    pub async fn blob_exists(
        &self,
        reference: &Reference,
        digest: &str,
    ) -> Result<bool, RegistryError> {
        let oci_ref = to_oci(reference);
        self.ensure_auth(&oci_ref).await;
        self.client
            .blob_exists(&oci_ref, digest)
            .await
            .map_err(|e| self.push_error(reference, &format!("checking blob {digest}"), e))
    }

    /// Asks the registry to link blob `digest` from repository `from` into `reference`'s
    /// repository. `false` when the registry declines (it then expects an upload).
    pub async fn mount_blob(&self, reference: &Reference, from: &str, digest: &str) -> bool {
        let oci_ref = to_oci(reference);
        self.ensure_auth(&oci_ref).await;
        let source = oci_client::Reference::with_tag(
            reference.registry.clone(),
            from.to_string(),
            "latest".to_string(),
        );
        match self.client.mount_blob(&oci_ref, &source, digest).await {
            Ok(()) => true,
            Err(e) => {
                log::debug!("mounting {digest} from {from}: {e}");
                false
            }
        }
    }

    /// Uploads `size` bytes from `file` (read from its current position) as blob `digest`.
    /// `progress` gets each chunk's size as it is handed to the connection.
    pub async fn push_blob_file(
        &self,
        reference: &Reference,
        file: std::fs::File,
        digest: &str,
        progress: std::sync::Arc<dyn Fn(u64) + Send + Sync>,
    ) -> Result<(), RegistryError> {
        let oci_ref = to_oci(reference);
        self.ensure_auth(&oci_ref).await;
        let chunks = stream::unfold(Some(file), move |file| {
            let progress = progress.clone();
            async move {
                let mut file = file?;
                // One chunk in memory at a time; the read is short and local.
                let mut buf = vec![0u8; UPLOAD_CHUNK];
                let mut filled = 0;
                while filled < buf.len() {
                    match file.read(&mut buf[filled..]) {
                        Ok(0) => break,
                        Ok(n) => filled += n,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(e) => {
                            return Some((Err(OciDistributionError::IoError(e)), None));
                        }
                    }
                }
                if filled == 0 {
                    return None;
                }
                buf.truncate(filled);
                progress(filled as u64);
                Some((Ok(bytes::Bytes::from(buf)), Some(file)))
            }
        });
        self.client
            .push_blob_stream(&oci_ref, chunks, digest, None)
            .await
            .map(|_| ())
            .map_err(|e| self.push_error(reference, &format!("uploading blob {digest}"), e))
    }

    /// Uploads a small blob held in memory (the image config).
    pub async fn push_blob_bytes(
        &self,
        reference: &Reference,
        data: Vec<u8>,
        digest: &str,
    ) -> Result<(), RegistryError> {
        let oci_ref = to_oci(reference);
        self.ensure_auth(&oci_ref).await;
        self.client
            .push_blob(&oci_ref, data, digest)
            .await
            .map(|_| ())
            .map_err(|e| self.push_error(reference, &format!("uploading blob {digest}"), e))
    }

    /// Writes `bytes` as the manifest for `reference`'s tag (or digest).
    pub async fn push_manifest(
        &self,
        reference: &Reference,
        bytes: Vec<u8>,
        media_type: &str,
    ) -> Result<(), RegistryError> {
        let oci_ref = to_oci(reference);
        self.ensure_auth(&oci_ref).await;
        let content_type = reqwest::header::HeaderValue::from_str(media_type).map_err(|e| {
            RegistryError::Push {
                reference: reference.to_string(),
                registry: self.registry.clone(),
                step: "writing the manifest".to_string(),
                source: Box::new(OciDistributionError::GenericError(Some(e.to_string()))),
            }
        })?;
        self.client
            .push_manifest_raw(&oci_ref, bytes, content_type)
            .await
            .map(|_| ())
            .map_err(|e| self.push_error(reference, "writing the manifest", e))
    }

    /// The manifest or index `reference` names, exactly as served, and its media type.
    pub async fn fetch_manifest_raw(
        &self,
        reference: &Reference,
    ) -> Result<(Vec<u8>, String), RegistryError> {
        let name = reference
            .digest
            .clone()
            .unwrap_or_else(|| reference.tag_or_latest().to_string());
        let (bytes, _) = self
            .pull_manifest(reference, &name, reference.digest.as_deref())
            .await?;
        let media_type = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| v.get("mediaType")?.as_str().map(str::to_string))
            .unwrap_or_else(|| ACCEPTED_MANIFESTS[2].to_string());
        Ok((bytes, media_type))
    }

    fn push_error(
        &self,
        reference: &Reference,
        step: &str,
        err: OciDistributionError,
    ) -> RegistryError {
        let source = Box::new(err);
        let denied = match source.as_ref() {
            OciDistributionError::RegistryError { envelope, .. } => envelope
                .errors
                .iter()
                .any(|e| matches!(e.code, OciErrorCode::Unauthorized | OciErrorCode::Denied)),
            OciDistributionError::UnauthorizedError { .. }
            | OciDistributionError::AuthenticationFailure(_)
            | OciDistributionError::ServerError {
                code: 401 | 403, ..
            } => true,
            OciDistributionError::RequestError(e) => {
                matches!(e.status().map(|s| s.as_u16()), Some(401 | 403))
            }
            _ => false,
        };
        if denied {
            return RegistryError::PushDenied {
                reference: reference.to_string(),
                registry: self.registry.clone(),
                source,
            };
        }
        if matches!(source.as_ref(), OciDistributionError::RequestError(_)) {
            match classify_transport(source.as_ref()) {
                Transport::Tls => {
                    return RegistryError::Tls {
                        registry: self.registry.clone(),
                        source,
                    };
                }
                Transport::Unreachable => {
                    return RegistryError::Unreachable {
                        registry: self.registry.clone(),
                        source,
                    };
                }
                Transport::Other => {}
            }
        }
        RegistryError::Push {
            reference: reference.to_string(),
            registry: self.registry.clone(),
            step: step.to_string(),
            source,
        }
    }
}
