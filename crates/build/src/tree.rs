//! A read-only file tree that COPY and ADD copy from: the build context,
//! an image's layers (`--from`), or an extracted archive.
//!
//! Contract: paths given to a [`Tree`] are relative (no leading `/`), made
//! of normal components only (no `.`, `..` or empty ones); an
//! implementation never follows a symlink itself, and never opens
//! anything outside its root. Resolving symlinks (scoped to the root) is
//! the caller's job, with [`Tree::lstat`] and [`Meta::target`].

use std::ffi::OsString;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// What an entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Symlink,
    /// Devices, FIFOs, sockets: not copied.
    Other,
}

/// An entry's attributes as the tree records them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meta {
    pub kind: Kind,
    /// Permission bits with setuid, setgid and sticky (`0o7777`).
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub size: u64,
    /// Modification time: seconds and nanoseconds since the epoch.
    pub mtime: (i64, u32),
    /// A symlink's target, as stored.
    pub target: Option<PathBuf>,
}

/// A read-only tree of files (see the module documentation).
pub trait Tree {
    /// The entry at `rel` (`""` is the root), or `None` if there is none.
    fn lstat(&self, rel: &Path) -> io::Result<Option<Meta>>;
    /// The names in directory `rel`, sorted.
    fn list(&self, rel: &Path) -> io::Result<Vec<OsString>>;
    /// The contents of regular file `rel`.
    fn open(&self, rel: &Path) -> io::Result<Box<dyn Read + '_>>;
}
