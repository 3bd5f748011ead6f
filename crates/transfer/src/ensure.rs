//! "Ensure this image": the image a new container is made from, found in
//! the store or pulled as a pull policy says. Every command that creates
//! containers (`run`, `create`, and later `build`'s RUN steps, pods and
//! `kube play`) goes through [`ensure_image`].
//!
//! Contract:
//! - [`PullPolicy::Never`] never contacts a registry: no local image is an
//!   error naming the image.
//! - [`PullPolicy::Missing`] pulls only when no local image matches.
//! - [`PullPolicy::Always`] pulls (the pull itself skips layers the store
//!   has).
//! - [`PullPolicy::Newer`] asks the registry which image the name points at
//!   now (its manifest and config, no layers) and pulls only when that
//!   image's ID (its config digest) differs from the local image's. When
//!   the registry cannot be asked (unreachable, refused, no such tag), the
//!   local image is used and an [`EnsureWarning`] says why, as Podman does;
//!   without a local image it pulls like `Missing`.
//!
//! Progress goes to the [`PullProgress`] the caller gives; nothing here
//! prints. A caller that forks next must know whether a registry was
//! contacted ([`Ensured::contacted_registry`]): the download workers may
//! outlive the pull for a moment.

use super::{PullProgress, TransferError};
use rsp_image::reference::{Reference, is_image_id_prefix};
use rsp_registry::{PullOptions, RegistriesConf, Registry};
use rsp_storage::{ImageRecord, Store, digest_hex};
use std::sync::Arc;

/// `--pull`: when a container's image is fetched from its registry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PullPolicy {
    Always,
    #[default]
    Missing,
    Never,
    /// Only when the registry's image differs from the local one.
    Newer,
}

impl PullPolicy {
    /// Podman's names: always, missing, never, newer.
    pub fn parse(s: &str) -> Option<PullPolicy> {
        match s {
            "always" => Some(PullPolicy::Always),
            "missing" => Some(PullPolicy::Missing),
            "never" => Some(PullPolicy::Never),
            "newer" => Some(PullPolicy::Newer),
            _ => None,
        }
    }
}

/// What did not go as asked, though an image was found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EnsureWarning {
    #[error(
        "checking whether {reference} is newer in its registry: {reason}: using the local image"
    )]
    NewerUnknown { reference: String, reason: String },
}

/// The image to use, and how it was found.
#[derive(Debug)]
pub struct Ensured {
    pub image: ImageRecord,
    /// It was pulled now: the caller records the `pull` event.
    pub pulled: bool,
    /// A registry was contacted (to pull, or to compare).
    pub contacted_registry: bool,
    pub warnings: Vec<EnsureWarning>,
}

/// Finds the image `input` names, pulling it as `policy` says.
pub fn ensure_image(
    store: &Store,
    input: &str,
    policy: PullPolicy,
    opts: &PullOptions,
    progress: Arc<dyn PullProgress>,
) -> Result<Ensured, TransferError> {
    let local = {
        let db = store.images()?;
        rsp_image::lookup(&db, input).cloned()
    };
    let pull = || {
        super::pull(store, input, opts, progress.clone()).map(|image| Ensured {
            image,
            pulled: true,
            contacted_registry: true,
            warnings: Vec::new(),
        })
    };
    let use_local = |image: ImageRecord, contacted: bool, warnings: Vec<EnsureWarning>| Ensured {
        image,
        pulled: false,
        contacted_registry: contacted,
        warnings,
    };
    match (policy, local) {
        (PullPolicy::Never, local) => Ok(use_local(local?, false, Vec::new())),
        (PullPolicy::Missing, Ok(image)) => Ok(use_local(image, false, Vec::new())),
        (PullPolicy::Missing, Err(_)) | (PullPolicy::Always, _) => pull(),
        (PullPolicy::Newer, Err(_)) => pull(),
        // An image ID names no registry image: it is what it is.
        (PullPolicy::Newer, Ok(image)) if is_image_id_prefix(input) => {
            Ok(use_local(image, false, Vec::new()))
        }
        (PullPolicy::Newer, Ok(image)) => match remote_image_id(input, &image, opts) {
            Ok((_, id)) if id == image.id => Ok(use_local(image, true, Vec::new())),
            Ok(_) => pull(),
            Err((reference, reason)) => Ok(use_local(
                image,
                true,
                vec![EnsureWarning::NewerUnknown { reference, reason }],
            )),
        },
    }
}

/// The registry reference `input` stands for that names the local
/// `image` (a short name may have several candidates).
fn reference_of(input: &str, image: &ImageRecord, conf: &RegistriesConf) -> Option<Reference> {
    let candidates = conf.candidates(input).ok()?;
    let named = |r: &Reference| {
        let name = format!("{}:{}", r.name(), r.tag_or_latest());
        image.names.contains(&name) || r.digest.is_some()
    };
    candidates
        .iter()
        .find(|r| named(r))
        .or(candidates.first())
        .cloned()
}

/// The ID of the image `input` points at in its registry now; on failure
/// the reference asked and why.
fn remote_image_id(
    input: &str,
    image: &ImageRecord,
    opts: &PullOptions,
) -> Result<(Reference, String), (String, String)> {
    let conf = RegistriesConf::load().map_err(|e| (input.to_string(), e.to_string()))?;
    let reference = reference_of(input, image, &conf)
        .ok_or_else(|| (input.to_string(), "no registry name for it".to_string()))?;
    let failed = |e: String| (reference.to_string(), e);
    let registry = Registry::new(&reference, opts, &conf).map_err(|e| failed(e.to_string()))?;
    // One thread: nothing of this check outlives it.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| failed(e.to_string()))?;
    let resolved = rt
        .block_on(registry.resolve(&reference))
        .map_err(|e| failed(e.to_string()))?;
    drop(rt);
    let id = digest_hex(&resolved.config.digest)
        .map_err(|e| failed(e.to_string()))?
        .to_string();
    Ok((reference, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies() {
        for (s, p) in [
            ("always", PullPolicy::Always),
            ("missing", PullPolicy::Missing),
            ("never", PullPolicy::Never),
            ("newer", PullPolicy::Newer),
        ] {
            assert_eq!(PullPolicy::parse(s), Some(p));
        }
        assert_eq!(PullPolicy::parse("sometimes"), None);
    }

    #[test]
    fn never_and_missing_use_the_store_alone() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let opts = PullOptions::default();
        // Nothing local, and no registry asked: the lookup's own error.
        let err = ensure_image(
            &store,
            "localhost:1/none:x",
            PullPolicy::Never,
            &opts,
            Arc::new(super::super::Quiet),
        )
        .unwrap_err();
        assert!(err.to_string().contains("localhost:1/none:x"), "{err}");
    }
}
