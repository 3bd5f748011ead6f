//! The build context: a directory, or a tar read from stdin and unpacked
//! into a scratch directory, seen through its ignore file.
//!
//! Contract: [`Context`] is a [`Tree`] of the context's files minus the
//! ignored ones. It never opens anything outside its root: every path is
//! opened component by component without following symlinks
//! (`openat` + `O_NOFOLLOW`), so a symlink in the context is an entry,
//! never a way out. The Dockerfile, when it is inside the context, is read
//! the same way; one that is a symlink leading out of the context is
//! refused.

use crate::ignore::Ignore;
use crate::tree::{Meta, Tree};
use std::ffi::OsString;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    #[error("build context {}: {source}", .path.display())]
    Open { path: PathBuf, source: io::Error },
    #[error(transparent)]
    Ignore(#[from] crate::ignore::IgnoreError),
    #[error("reading the build context from stdin: {0}")]
    Tar(String),
    #[error("{}: {message}", .path.display())]
    Dockerfile { path: PathBuf, message: String },
}

/// A build context (see the module documentation).
pub struct Context {
    root: PathBuf,
    ignore: Ignore,
    // helper C: e.g. an O_PATH fd of the root
}

impl Context {
    /// The context in directory `dir`, with its `.containerignore` (else
    /// `.dockerignore`), or `ignore_file` when given.
    pub fn open(dir: &Path, ignore_file: Option<&Path>) -> Result<Context, ContextError> {
        let _ = (dir, ignore_file);
        todo!("helper C")
    }

    /// A context read as a tar (plain or compressed) from `reader`,
    /// unpacked safely into the empty directory `scratch`.
    pub fn from_tar(reader: impl Read, scratch: &Path) -> Result<Context, ContextError> {
        let _ = (reader, scratch);
        todo!("helper C")
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn ignore(&self) -> &Ignore {
        &self.ignore
    }

    /// The Dockerfile: `name` when given (absolute, or relative to the
    /// current directory as Podman takes `-f`; when inside the context it
    /// is read without following symlinks out of it), else the context's
    /// `Containerfile`, else its `Dockerfile`. Returns its path and text.
    pub fn dockerfile(&self, name: Option<&Path>) -> Result<(PathBuf, String), ContextError> {
        let _ = name;
        todo!("helper C")
    }
}

impl Tree for Context {
    fn lstat(&self, rel: &Path) -> io::Result<Option<Meta>> {
        let _ = rel;
        todo!("helper C")
    }
    fn list(&self, rel: &Path) -> io::Result<Vec<OsString>> {
        let _ = rel;
        todo!("helper C")
    }
    fn open(&self, rel: &Path) -> io::Result<Box<dyn Read + '_>> {
        let _ = rel;
        todo!("helper C")
    }
}
