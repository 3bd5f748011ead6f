//! Images: references, the OCI image configuration, and finding an image in
//! the store by what a user typed.
//!
//! Contract: [`lookup`] accepts the forms Podman accepts: a full or short
//! name (`alpine`, `alpine:3`, `docker.io/library/alpine`), a name with a
//! digest, or a unique prefix (≥ 3 hex digits) of an image ID.
#![forbid(unsafe_code)]

pub mod change;
pub mod config;
pub mod local;
pub mod manage;
pub mod platform;
pub mod reference;

pub use platform::Platform;

use rsp_storage::{ImageDb, ImageRecord};

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("{0}: image not known: pull it first with `rsp pull {0}`")]
    NotFound(String),
    #[error("{input}: ambiguous image ID prefix matches {count} images: give more digits")]
    Ambiguous { input: String, count: usize },
}

/// Names the store may hold for `input`, most specific first.
fn candidate_names(input: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok((r, qualified)) = reference::Reference::parse_with_qualified(input) {
        out.push(r.to_string());
        if !qualified {
            // Images pulled from a search registry or built locally under a
            // short name are still found by that short name.
            out.push(format!(
                "localhost/{}:{}",
                r.repository.trim_start_matches("library/"),
                r.tag_or_latest()
            ));
        }
    }
    out
}

/// The stored name that `input` means, if an image has it.
pub fn lookup_name(db: &ImageDb, input: &str) -> Option<String> {
    candidate_names(input)
        .into_iter()
        .find(|n| db.images.iter().any(|i| i.names.iter().any(|x| x == n)))
}

/// Finds the image `input` names.
pub fn lookup<'a>(db: &'a ImageDb, input: &str) -> Result<&'a ImageRecord, ImageError> {
    let names = candidate_names(input);
    for n in &names {
        if let Some(img) = db
            .images
            .iter()
            .find(|i| i.names.iter().any(|x| x == n) || i.digests.iter().any(|x| x == n))
        {
            return Ok(img);
        }
    }
    // A short name matches any registry's image with that path and tag, as
    // Podman does for images already in local storage.
    if let Ok((r, false)) = reference::Reference::parse_with_qualified(input) {
        let short = r.repository.trim_start_matches("library/").to_string();
        let suffix_tag = format!("/{short}:{}", r.tag_or_latest());
        let matches: Vec<&ImageRecord> = db
            .images
            .iter()
            .filter(|i| i.names.iter().any(|n| n.ends_with(&suffix_tag)))
            .collect();
        if matches.len() == 1 {
            return Ok(matches[0]);
        }
    }
    let hex = input.strip_prefix("sha256:").unwrap_or(input);
    if reference::is_image_id_prefix(hex) {
        let matches: Vec<&ImageRecord> =
            db.images.iter().filter(|i| i.id.starts_with(hex)).collect();
        match matches.len() {
            0 => {}
            1 => return Ok(matches[0]),
            count => {
                return Err(ImageError::Ambiguous {
                    input: input.to_string(),
                    count,
                });
            }
        }
    }
    Err(ImageError::NotFound(input.to_string()))
}

/// Splits a stored name `registry/repo:tag` into (repository, tag) as
/// `rsp images` shows them.
pub fn split_name(name: &str) -> (&str, &str) {
    match name.rfind(':') {
        Some(i) if !name[i + 1..].contains('/') => (&name[..i], &name[i + 1..]),
        _ => (name, "<none>"),
    }
}
