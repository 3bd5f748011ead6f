//! `.containerignore` / `.dockerignore` patterns with Go's
//! `filepath.Match` rules, `**`, and `!` exceptions, as BuildKit and
//! buildah apply them.
//!
//! Contract: [`Ignore::excluded`] decides for a context-relative path
//! (`/`-separated, no leading `/`); the last pattern that matches wins.
//! A malformed pattern is an [`IgnoreError`] naming it.

#[derive(Debug, thiserror::Error)]
pub enum IgnoreError {
    #[error("invalid pattern {pattern:?} in {file}: {message}")]
    Bad {
        file: String,
        pattern: String,
        message: String,
    },
}

/// Parsed ignore patterns.
#[derive(Clone, Debug, Default)]
pub struct Ignore {
    // helper C
}

impl Ignore {
    /// Parses an ignore file's text (`file` names it in errors).
    pub fn parse(text: &str, file: &str) -> Result<Ignore, IgnoreError> {
        let _ = (text, file);
        todo!("helper C")
    }

    /// Whether `rel` is left out of the context.
    pub fn excluded(&self, rel: &str) -> bool {
        let _ = rel;
        todo!("helper C")
    }

    /// Whether an exception (`!pattern`) could re-include something
    /// below the excluded directory `rel`: then it must still be walked.
    pub fn may_include_below(&self, rel: &str) -> bool {
        let _ = rel;
        todo!("helper C")
    }
}
