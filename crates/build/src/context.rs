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
//!
//! Details, following Docker and BuildKit:
//! - An ignored entry is invisible: [`Tree::lstat`] says `None`,
//!   [`Tree::list`] leaves it out, [`Tree::open`] fails with `NotFound`.
//!   An excluded directory an exception re-includes something below is
//!   visible (with only what is re-included), as BuildKit sends such a
//!   directory when it sends something inside it.
//! - The ignore file and the Dockerfile are ordinary entries: copyable
//!   unless the ignore file lists them. The builder itself reads both
//!   whatever the ignore file says ([`Context::dockerfile`]).
//! - A path through a symlink has no entry (`lstat` says `None`, `open`
//!   fails): resolving symlinks, scoped to the root, is the caller's job.
//! - Owners are the host's uid and gid of the files (COPY replaces them
//!   with 0:0 or `--chown`); mtimes have nanoseconds.
//! - A tar context ([`Context::from_tar`]) is unpacked with the store's
//!   plain extractor (`rsp_storage::copy::extract`, as `rsp cp` uses it,
//!   owned by the caller) rather than the layer unpacker: a context is
//!   files, not a layer, so `.wh.` names stay files and modes stay on
//!   disk where `lstat` reads them. Names lose a leading `/`, a `..`
//!   climbing out of the scratch directory is refused, parents are opened
//!   without following symlinks (a symlink then a file through it is
//!   refused), hard links must point inside, and devices are skipped.

use crate::ignore::Ignore;
use crate::tree::{Kind, Meta, Tree};
use nix::dir::{Dir, Type};
use nix::errno::Errno;
use nix::fcntl::{AT_FDCWD, AtFlags, OFlag, openat, readlinkat};
use nix::sys::stat::{FileStat, Mode, SFlag, fstat, fstatat};
use std::collections::{HashMap, VecDeque};
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

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
    /// Podman's words for a `-f` file that is not there.
    #[error("stat {}: no such file or directory", .0.display())]
    Missing(PathBuf),
}

/// The default Dockerfile names, in the order Podman looks for them.
const DEFAULT_NAMES: [&str; 2] = ["Containerfile", "Dockerfile"];
/// The ignore files, in the order Podman looks for them.
const IGNORE_NAMES: [&str; 2] = [".containerignore", ".dockerignore"];
/// Symlinks followed while resolving the Dockerfile's path (Linux's own
/// limit).
const MAX_LINKS: usize = 40;
const OUT_OF_CONTEXT: &str = "the Dockerfile is a symlink out of the build context";

/// A build context (see the module documentation).
pub struct Context {
    root: PathBuf,
    ignore: Ignore,
    /// The root directory, opened once: every lookup starts here.
    fd: OwnedFd,
    /// Excluded directories already searched for a re-included entry.
    below: Mutex<HashMap<String, bool>>,
}

/// How resolving a path inside the context ended badly.
enum Resolve {
    /// A symlink (or `..`) leads out of the context.
    Outside,
    Io(io::Error),
}

impl From<Errno> for Resolve {
    fn from(e: Errno) -> Self {
        Resolve::Io(e.into())
    }
}

impl Context {
    /// The context in directory `dir`, with its `.containerignore` (else
    /// `.dockerignore`), or `ignore_file` when given.
    pub fn open(dir: &Path, ignore_file: Option<&Path>) -> Result<Context, ContextError> {
        let open_err = |source: io::Error| ContextError::Open {
            path: dir.to_path_buf(),
            source,
        };
        let root = std::fs::canonicalize(dir).map_err(open_err)?;
        let fd = openat(
            AT_FDCWD,
            &root,
            OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| open_err(e.into()))?;
        let mut context = Context {
            root,
            ignore: Ignore::default(),
            fd,
            below: Mutex::new(HashMap::new()),
        };
        context.ignore = match ignore_file {
            // Named by the user: read as given, like `-f` outside.
            Some(file) => {
                let text = std::fs::read(file).map_err(|source| ContextError::Open {
                    path: file.to_path_buf(),
                    source,
                })?;
                Ignore::parse(&String::from_utf8_lossy(&text), &file.display().to_string())?
            }
            None => context.read_ignore()?,
        };
        Ok(context)
    }

    /// A context read as a tar (plain or compressed) from `reader`,
    /// unpacked safely into the empty directory `scratch`.
    pub fn from_tar(reader: impl Read, scratch: &Path) -> Result<Context, ContextError> {
        let mut reader = reader;
        let mut head = [0u8; 8];
        let mut len = 0;
        while len < head.len() {
            match reader.read(&mut head[len..]) {
                Ok(0) => break,
                Ok(n) => len += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ContextError::Tar(e.to_string())),
            }
        }
        let compression = crate::archive::compression(&head[..len]);
        let stream = crate::archive::decompress((&head[..len]).chain(reader), compression)
            .map_err(|e| ContextError::Tar(e.to_string()))?;
        let opts = rsp_storage::copy::ExtractOptions {
            rename_top: None,
            owner: rsp_storage::copy::Owner::Caller,
            no_overwrite_dir_non_dir: false,
        };
        rsp_storage::copy::extract(stream, scratch, &opts)
            .map_err(|e| ContextError::Tar(e.to_string()))?;
        Context::open(scratch, None)
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
    ///
    /// As buildah does, a relative `name` missing from the current
    /// directory is looked up in the context, and a `name` that is a
    /// directory is searched for a `Containerfile` or `Dockerfile`.
    pub fn dockerfile(&self, name: Option<&Path>) -> Result<(PathBuf, String), ContextError> {
        let Some(name) = name else {
            return self.dockerfile_in(&self.root, Vec::new())?.ok_or_else(|| {
                ContextError::Dockerfile {
                    path: self.root.clone(),
                    message:
                        "no Containerfile or Dockerfile specified or found in context directory"
                            .into(),
                }
            });
        };
        let missing = |path: &Path| ContextError::Missing(path.to_path_buf());
        let cwd = std::env::current_dir().map_err(|e| ContextError::Dockerfile {
            path: name.to_path_buf(),
            message: format!("finding the current directory: {e}"),
        })?;
        let abs = lexical_clean(&cwd.join(name));
        if let Some(rel) = self.inside(&abs) {
            return self
                .read_inside(&abs, rel, true)?
                .ok_or_else(|| missing(&abs));
        }
        if name.is_relative() && std::fs::symlink_metadata(&abs).is_err() {
            let in_context = lexical_clean(&self.root.join(name));
            if let Some(rel) = self.inside(&in_context) {
                return self
                    .read_inside(&in_context, rel, true)?
                    .ok_or_else(|| missing(&abs));
            }
        }
        // Inside after all when the path the user gave goes through a
        // symlinked directory of their own.
        if let (Some(parent), Some(file)) = (abs.parent(), abs.file_name())
            && let Ok(parent) = std::fs::canonicalize(parent)
            && let Some(rel) = self.inside(&parent.join(file))
        {
            return self
                .read_inside(&abs, rel, true)?
                .ok_or_else(|| missing(&abs));
        }
        read_outside(&abs)
    }

    /// The components of `abs` (lexically clean) below the root, if it is
    /// there.
    fn inside(&self, abs: &Path) -> Option<Vec<OsString>> {
        let rel = abs.strip_prefix(&self.root).ok()?;
        Some(rel.iter().map(OsStr::to_os_string).collect())
    }

    /// `Containerfile`, else `Dockerfile` in the context directory `dir`
    /// (resolved components), shown as `shown`.
    fn dockerfile_in(
        &self,
        shown: &Path,
        dir: Vec<OsString>,
    ) -> Result<Option<(PathBuf, String)>, ContextError> {
        for name in DEFAULT_NAMES {
            let mut rel = dir.clone();
            rel.push(name.into());
            if let Some(found) = self.read_inside(&shown.join(name), rel, false)? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    /// Reads the Dockerfile at `rel` in the context, following symlinks
    /// only while they stay inside; `None` if there is none. A directory
    /// is searched for the default names when `dir_ok`.
    fn read_inside(
        &self,
        shown: &Path,
        rel: Vec<OsString>,
        dir_ok: bool,
    ) -> Result<Option<(PathBuf, String)>, ContextError> {
        let err = |message: String| ContextError::Dockerfile {
            path: shown.to_path_buf(),
            message,
        };
        let resolved = match self.resolve_inside(rel) {
            Ok(resolved) => resolved,
            Err(Resolve::Outside) => return Err(err(OUT_OF_CONTEXT.into())),
            Err(Resolve::Io(e)) => return Err(err(e.to_string())),
        };
        match self.read_file(&resolved) {
            Ok(bytes) => {
                let text = String::from_utf8(bytes)
                    .map_err(|_| err("the Dockerfile is not UTF-8 text".into()))?;
                Ok(Some((shown.to_path_buf(), text)))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) if e.raw_os_error() == Some(libc::EISDIR) && dir_ok => {
                self.dockerfile_in(shown, resolved)
            }
            Err(e) => Err(err(e.to_string())),
        }
    }

    /// Reads the ignore file of the context, if there is one.
    fn read_ignore(&self) -> Result<Ignore, ContextError> {
        for name in IGNORE_NAMES {
            let path = self.root.join(name);
            let open_err = |source| ContextError::Open {
                path: path.clone(),
                source,
            };
            let resolved = match self.resolve_inside(vec![name.into()]) {
                Ok(resolved) => resolved,
                Err(Resolve::Outside) => {
                    return Err(open_err(io::Error::other(
                        "the ignore file is a symlink out of the build context",
                    )));
                }
                Err(Resolve::Io(e)) => return Err(open_err(e)),
            };
            match self.read_file(&resolved) {
                Ok(bytes) => {
                    let text = String::from_utf8_lossy(&bytes);
                    return Ok(Ignore::parse(&text, &path.display().to_string())?);
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(open_err(e)),
            }
        }
        Ok(Ignore::default())
    }

    /// Resolves the symlinks of `rel` (components relative to the root)
    /// inside the context: a relative target against the link's
    /// directory, an absolute one only when it names a path under the
    /// root. Anything leading out is [`Resolve::Outside`]. Missing
    /// components are left for the caller's open to report.
    fn resolve_inside(&self, rel: Vec<OsString>) -> Result<Vec<OsString>, Resolve> {
        let mut todo: VecDeque<OsString> = rel.into();
        let mut done: Vec<OsString> = Vec::new();
        let mut links = 0;
        while let Some(name) = todo.pop_front() {
            if name.is_empty() || name == "." {
                continue;
            }
            if name == ".." {
                if done.pop().is_none() {
                    return Err(Resolve::Outside);
                }
                continue;
            }
            done.push(name);
            let comps: Vec<&OsStr> = done.iter().map(OsString::as_os_str).collect();
            let Some((parent, stat)) = self.raw_lstat(&comps).map_err(Resolve::Io)? else {
                // Missing: the rest cannot resolve to anything either.
                done.extend(todo);
                return Ok(done);
            };
            if file_type(&stat) != SFlag::S_IFLNK {
                continue;
            }
            links += 1;
            if links > MAX_LINKS {
                return Err(Resolve::Io(Errno::ELOOP.into()));
            }
            let last = done.pop().unwrap_or_default();
            let target = PathBuf::from(readlinkat(&parent, last.as_os_str())?);
            let target = if target.is_absolute() {
                let clean = lexical_clean(&target);
                let Ok(rel) = clean.strip_prefix(&self.root) else {
                    return Err(Resolve::Outside);
                };
                done.clear();
                rel.to_path_buf()
            } else {
                target
            };
            for part in target.iter().rev() {
                if part != "/" {
                    todo.push_front(part.to_os_string());
                }
            }
        }
        Ok(done)
    }

    /// Reads regular file `rel` (resolved) without following symlinks.
    fn read_file(&self, rel: &[OsString]) -> io::Result<Vec<u8>> {
        let comps: Vec<&OsStr> = rel.iter().map(OsString::as_os_str).collect();
        let Some((last, parents)) = comps.split_last() else {
            return Err(Errno::EISDIR.into());
        };
        let parent = self.open_dir(parents).map_err(not_found_through_link)?;
        let fd = openat(
            &parent,
            *last,
            OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC | OFlag::O_NONBLOCK,
            Mode::empty(),
        )
        .map_err(not_found_through_link)?;
        let stat = fstat(&fd)?;
        match file_type(&stat) {
            SFlag::S_IFREG => {}
            SFlag::S_IFDIR => return Err(Errno::EISDIR.into()),
            _ => return Err(io::Error::other("not a regular file")),
        }
        let mut bytes = Vec::new();
        File::from(fd).read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    /// Opens directory `comps` (an `O_PATH` descriptor), one component
    /// at a time, never following a symlink.
    fn open_dir(&self, comps: &[&OsStr]) -> Result<OwnedFd, Errno> {
        let flags = OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
        let mut fd = openat(&self.fd, ".", flags, Mode::empty())?;
        for name in comps {
            fd = openat(&fd, *name, flags, Mode::empty())?;
        }
        Ok(fd)
    }

    /// The entry at `comps`, unfiltered, with its parent directory; `None`
    /// if it does not exist or a parent is not a directory (a symlink
    /// included).
    fn raw_lstat(&self, comps: &[&OsStr]) -> io::Result<Option<(OwnedFd, FileStat)>> {
        let Some((last, parents)) = comps.split_last() else {
            let fd = self.open_dir(&[])?;
            let stat = fstat(&fd)?;
            return Ok(Some((fd, stat)));
        };
        let parent = match self.open_dir(parents) {
            Ok(fd) => fd,
            Err(Errno::ENOENT | Errno::ENOTDIR | Errno::ELOOP) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        match fstatat(&parent, *last, AtFlags::AT_SYMLINK_NOFOLLOW) {
            Ok(stat) => Ok(Some((parent, stat))),
            Err(Errno::ENOENT | Errno::ENOTDIR) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The names in directory `comps`, unfiltered, each with whether it is
    /// a directory.
    fn read_dir(&self, comps: &[&OsStr]) -> io::Result<Vec<(OsString, bool)>> {
        let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
        let fd = match comps.split_last() {
            None => openat(&self.fd, ".", flags, Mode::empty())?,
            Some((last, parents)) => openat(&self.open_dir(parents)?, *last, flags, Mode::empty())?,
        };
        let mut dir = Dir::from_fd(fd)?;
        let mut raw = Vec::new();
        for entry in dir.iter() {
            let entry = entry?;
            let name = OsStr::from_bytes(entry.file_name().to_bytes());
            if name != "." && name != ".." {
                raw.push((name.to_os_string(), entry.file_type()));
            }
        }
        let mut names = Vec::with_capacity(raw.len());
        for (name, kind) in raw {
            let is_dir = match kind {
                Some(kind) => kind == Type::Directory,
                None => match fstatat(&dir, name.as_os_str(), AtFlags::AT_SYMLINK_NOFOLLOW) {
                    Ok(stat) => file_type(&stat) == SFlag::S_IFDIR,
                    // Gone meanwhile.
                    Err(Errno::ENOENT) => continue,
                    Err(e) => return Err(e.into()),
                },
            };
            names.push((name, is_dir));
        }
        Ok(names)
    }

    /// Whether the existing entry `comps` is in the context's view: every
    /// parent is walked (not excluded, or an exception may re-include
    /// something below it) and it is not excluded itself, or is a
    /// directory with a re-included entry below it.
    fn visible(&self, comps: &[&OsStr], is_dir: bool) -> io::Result<bool> {
        if self.ignore.is_empty() || comps.is_empty() {
            return Ok(true);
        }
        for n in 1..comps.len() {
            let parent = rel_string(&comps[..n]);
            if self.ignore.excluded(&parent) && !self.ignore.may_include_below(&parent) {
                return Ok(false);
            }
        }
        self.visible_child(comps, is_dir)
    }

    /// [`Self::visible`] for an entry whose parents are known to be walked.
    fn visible_child(&self, comps: &[&OsStr], is_dir: bool) -> io::Result<bool> {
        let rel = rel_string(comps);
        if !self.ignore.excluded(&rel) {
            return Ok(true);
        }
        if !is_dir || !self.ignore.may_include_below(&rel) {
            return Ok(false);
        }
        self.shows_below(comps, rel)
    }

    /// Whether anything below the excluded, walked directory `comps`
    /// (`rel`) is re-included: a bounded walk (it visits each directory
    /// once), remembered.
    fn shows_below(&self, comps: &[&OsStr], rel: String) -> io::Result<bool> {
        if let Some(&known) = self
            .below
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&rel)
        {
            return Ok(known);
        }
        let mut stack: Vec<Vec<OsString>> = vec![comps.iter().map(|c| c.to_os_string()).collect()];
        let mut found = false;
        'walk: while let Some(dir) = stack.pop() {
            let dir_comps: Vec<&OsStr> = dir.iter().map(OsString::as_os_str).collect();
            let children = match self.read_dir(&dir_comps) {
                Ok(children) => children,
                // As BuildKit: an unreadable excluded directory is skipped.
                Err(e) if e.kind() == io::ErrorKind::PermissionDenied => continue,
                Err(e) => return Err(e),
            };
            for (name, is_dir) in children {
                let mut child = dir_comps.clone();
                child.push(&name);
                let child_rel = rel_string(&child);
                if !self.ignore.excluded(&child_rel) {
                    found = true;
                    break 'walk;
                }
                if is_dir && self.ignore.may_include_below(&child_rel) {
                    stack.push(child.iter().map(|c| c.to_os_string()).collect());
                }
            }
        }
        self.below
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(rel, found);
        Ok(found)
    }
}

impl Tree for Context {
    fn lstat(&self, rel: &Path) -> io::Result<Option<Meta>> {
        let comps = components(rel)?;
        let Some((parent, stat)) = self.raw_lstat(&comps)? else {
            return Ok(None);
        };
        let kind = kind_of(&stat);
        if !self.visible(&comps, kind == Kind::Dir)? {
            return Ok(None);
        }
        let target = match (kind, comps.last()) {
            (Kind::Symlink, Some(name)) => Some(PathBuf::from(readlinkat(&parent, *name)?)),
            _ => None,
        };
        Ok(Some(Meta {
            kind,
            mode: stat.st_mode & 0o7777,
            uid: stat.st_uid,
            gid: stat.st_gid,
            size: u64::try_from(stat.st_size).unwrap_or(0),
            mtime: (
                stat.st_mtime,
                u32::try_from(stat.st_mtime_nsec).unwrap_or(0),
            ),
            target,
        }))
    }

    fn list(&self, rel: &Path) -> io::Result<Vec<OsString>> {
        let comps = components(rel)?;
        match self.lstat(rel)? {
            Some(meta) if meta.kind == Kind::Dir => {}
            Some(_) => return Err(Errno::ENOTDIR.into()),
            None => return Err(not_found(rel)),
        }
        let mut names = Vec::new();
        for (name, is_dir) in self.read_dir(&comps)? {
            let mut child = comps.clone();
            child.push(&name);
            if self.ignore.is_empty() || self.visible_child(&child, is_dir)? {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    fn open(&self, rel: &Path) -> io::Result<Box<dyn Read + '_>> {
        let comps = components(rel)?;
        let Some((last, _)) = comps.split_last() else {
            return Err(Errno::EISDIR.into());
        };
        let Some((parent, stat)) = self.raw_lstat(&comps)? else {
            return Err(not_found(rel));
        };
        if !self.visible(&comps, kind_of(&stat) == Kind::Dir)? {
            return Err(not_found(rel));
        }
        if kind_of(&stat) != Kind::File {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{}: not a regular file", rel.display()),
            ));
        }
        // O_NONBLOCK: should it have become a FIFO meanwhile, do not hang.
        let fd = openat(
            &parent,
            *last,
            OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC | OFlag::O_NONBLOCK,
            Mode::empty(),
        )?;
        if file_type(&fstat(fd.as_fd())?) != SFlag::S_IFREG {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{}: not a regular file", rel.display()),
            ));
        }
        Ok(Box::new(File::from(fd)))
    }
}

/// The components of a tree path: normal ones only.
fn components(rel: &Path) -> io::Result<Vec<&OsStr>> {
    rel.components()
        .map(|c| match c {
            Component::Normal(name) => Ok(name),
            _ => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{}: not a relative path of plain components", rel.display()),
            )),
        })
        .collect()
}

/// The `/`-separated form the ignore patterns are matched against.
fn rel_string(comps: &[&OsStr]) -> String {
    let parts: Vec<_> = comps.iter().map(|c| c.to_string_lossy()).collect();
    parts.join("/")
}

fn not_found(rel: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::NotFound,
        format!(
            "{}: no such file or directory in the build context",
            rel.display()
        ),
    )
}

/// A parent that is not a directory (a symlink, say) means the path has
/// no entry.
fn not_found_through_link(e: Errno) -> io::Error {
    match e {
        Errno::ENOTDIR | Errno::ELOOP => Errno::ENOENT.into(),
        e => e.into(),
    }
}

fn file_type(stat: &FileStat) -> SFlag {
    SFlag::from_bits_truncate(stat.st_mode) & SFlag::S_IFMT
}

fn kind_of(stat: &FileStat) -> Kind {
    match file_type(stat) {
        SFlag::S_IFREG => Kind::File,
        SFlag::S_IFDIR => Kind::Dir,
        SFlag::S_IFLNK => Kind::Symlink,
        _ => Kind::Other,
    }
}

/// `path` with `.` and `..` resolved lexically (`..` stops at `/`).
fn lexical_clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// Reads a Dockerfile outside the context, as Podman does: the user
/// named it.
fn read_outside(path: &Path) -> Result<(PathBuf, String), ContextError> {
    let err = |path: &Path, e: io::Error| {
        if e.kind() == io::ErrorKind::NotFound {
            ContextError::Missing(path.to_path_buf())
        } else {
            ContextError::Dockerfile {
                path: path.to_path_buf(),
                message: e.to_string(),
            }
        }
    };
    let meta = std::fs::metadata(path).map_err(|e| err(path, e))?;
    let file = if meta.is_dir() {
        DEFAULT_NAMES
            .iter()
            .map(|name| path.join(name))
            .find(|p| p.is_file())
            .ok_or_else(|| ContextError::Dockerfile {
                path: path.to_path_buf(),
                message: "no Containerfile or Dockerfile found in the directory".into(),
            })?
    } else {
        path.to_path_buf()
    };
    let bytes = std::fs::read(&file).map_err(|e| err(&file, e))?;
    let text = String::from_utf8(bytes).map_err(|_| ContextError::Dockerfile {
        path: file.clone(),
        message: "the Dockerfile is not UTF-8 text".into(),
    })?;
    Ok((file, text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::unix::fs::symlink;

    fn write(path: &Path, text: &str) {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, text).unwrap();
    }

    fn read(tree: &dyn Tree, rel: &str) -> io::Result<String> {
        let mut text = String::new();
        tree.open(Path::new(rel))?.read_to_string(&mut text)?;
        Ok(text)
    }

    fn names(tree: &dyn Tree, rel: &str) -> Vec<String> {
        tree.list(Path::new(rel))
            .unwrap()
            .into_iter()
            .map(|n| n.into_string().unwrap())
            .collect()
    }

    #[test]
    fn issue17_context_tree_never_follows_symlinks() {
        let outside = tempfile::tempdir().unwrap();
        write(&outside.path().join("secret"), "host secret");
        let ctx = tempfile::tempdir().unwrap();
        write(&ctx.path().join("a.txt"), "a");
        write(&ctx.path().join("sub/b.txt"), "b");
        symlink(outside.path(), ctx.path().join("out")).unwrap();
        symlink("../../", ctx.path().join("sub/up")).unwrap();
        symlink("b.txt", ctx.path().join("sub/blink")).unwrap();

        let context = Context::open(ctx.path(), None).unwrap();
        assert_eq!(context.root(), std::fs::canonicalize(ctx.path()).unwrap());
        assert_eq!(names(&context, ""), ["a.txt", "out", "sub"]);
        assert_eq!(names(&context, "sub"), ["b.txt", "blink", "up"]);

        let out = context.lstat(Path::new("out")).unwrap().unwrap();
        assert_eq!(out.kind, Kind::Symlink);
        assert_eq!(out.target.as_deref(), Some(outside.path()));
        // Through a symlink there is nothing: no stat, no open, no list.
        assert_eq!(context.lstat(Path::new("out/secret")).unwrap(), None);
        assert!(read(&context, "out/secret").is_err());
        assert!(context.list(Path::new("out")).is_err());
        assert!(read(&context, "sub/up/etc/passwd").is_err());
        assert!(read(&context, "sub/blink").is_err());
        assert!(read(&context, "out").is_err());

        assert_eq!(read(&context, "sub/b.txt").unwrap(), "b");
        let meta = context.lstat(Path::new("a.txt")).unwrap().unwrap();
        assert_eq!(meta.kind, Kind::File);
        assert_eq!(meta.size, 1);
        let host = std::fs::symlink_metadata(ctx.path().join("a.txt")).unwrap();
        use std::os::unix::fs::MetadataExt;
        assert_eq!(meta.uid, host.uid());
        assert_eq!(meta.mtime, (host.mtime(), host.mtime_nsec() as u32));
        assert_eq!(meta.mode, host.mode() & 0o7777);
        assert_eq!(
            context.lstat(Path::new("")).unwrap().unwrap().kind,
            Kind::Dir
        );

        // Only plain relative paths.
        for bad in ["../x", "/etc/passwd", "sub/../a.txt"] {
            assert!(context.lstat(Path::new(bad)).is_err(), "{bad}");
            assert!(context.open(Path::new(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn issue17_context_ignored_files_are_invisible() {
        let ctx = tempfile::tempdir().unwrap();
        write(&ctx.path().join("app.log"), "log");
        write(&ctx.path().join("keep.log"), "keep");
        write(&ctx.path().join("main.c"), "int main;");
        write(&ctx.path().join("secret/key"), "k");
        write(&ctx.path().join("docs/README.md"), "readme");
        write(&ctx.path().join("docs/other.md"), "other");
        write(&ctx.path().join("docs/deep/x.md"), "x");
        write(&ctx.path().join("empty/nothing"), "n");
        write(&ctx.path().join("Dockerfile"), "FROM scratch\n");
        write(
            &ctx.path().join(".dockerignore"),
            "# ignore logs\n*.log\n!keep.log\nsecret\ndocs\n!docs/README.md\nempty\n!empty/keep\nDockerfile\n.dockerignore\n",
        );
        let context = Context::open(ctx.path(), None).unwrap();
        assert_eq!(names(&context, ""), ["docs", "keep.log", "main.c"]);
        assert_eq!(names(&context, "docs"), ["README.md"]);
        assert_eq!(read(&context, "docs/README.md").unwrap(), "readme");
        for hidden in [
            "app.log",
            "secret",
            "secret/key",
            "docs/other.md",
            "docs/deep",
            "docs/deep/x.md",
            "empty",
            "Dockerfile",
            ".dockerignore",
        ] {
            assert_eq!(context.lstat(Path::new(hidden)).unwrap(), None, "{hidden}");
            let err = context.open(Path::new(hidden)).err().unwrap();
            assert_eq!(err.kind(), io::ErrorKind::NotFound, "{hidden}");
        }
        assert!(context.list(Path::new("secret")).is_err());
        // The builder still reads the Dockerfile it cannot copy.
        let (path, text) = context.dockerfile(None).unwrap();
        assert_eq!(path, context.root().join("Dockerfile"));
        assert_eq!(text, "FROM scratch\n");
    }

    #[test]
    fn issue17_context_containerignore_preferred_and_explicit() {
        let ctx = tempfile::tempdir().unwrap();
        write(&ctx.path().join("a"), "a");
        write(&ctx.path().join("b"), "b");
        write(&ctx.path().join("c"), "c");
        write(&ctx.path().join(".dockerignore"), "a\n");
        write(&ctx.path().join(".containerignore"), "b\n");
        let context = Context::open(ctx.path(), None).unwrap();
        assert_eq!(
            names(&context, ""),
            [".containerignore", ".dockerignore", "a", "c"]
        );
        let other = tempfile::tempdir().unwrap();
        write(&other.path().join("ignore"), "c\n.*\n");
        let context = Context::open(ctx.path(), Some(&other.path().join("ignore"))).unwrap();
        assert_eq!(names(&context, ""), ["a", "b"]);
        // Errors: a missing context, a bad pattern, a missing ignore file.
        let missing = ctx.path().join("nope");
        let err = Context::open(&missing, None).err().unwrap();
        assert!(err.to_string().contains("nope"), "{err}");
        assert!(Context::open(ctx.path(), Some(&missing)).is_err());
        write(&ctx.path().join(".containerignore"), "[\n");
        let err = Context::open(ctx.path(), None).err().unwrap();
        assert!(matches!(err, ContextError::Ignore(_)), "{err}");
    }

    #[test]
    fn issue17_context_ignore_file_symlink_out_refused() {
        let outside = tempfile::tempdir().unwrap();
        write(&outside.path().join("ign"), "*\n");
        let ctx = tempfile::tempdir().unwrap();
        symlink(outside.path().join("ign"), ctx.path().join(".dockerignore")).unwrap();
        let err = Context::open(ctx.path(), None).err().unwrap();
        assert!(
            err.to_string().contains("out of the build context"),
            "{err}"
        );
    }

    #[test]
    fn issue17_dockerfile_resolution() {
        let ctx = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        write(&outside.path().join("Dockerfile"), "FROM outside\n");
        write(&ctx.path().join("Dockerfile"), "FROM docker\n");
        let context = Context::open(ctx.path(), None).unwrap();
        assert_eq!(context.dockerfile(None).unwrap().1, "FROM docker\n");
        write(&ctx.path().join("Containerfile"), "FROM container\n");
        assert_eq!(context.dockerfile(None).unwrap().1, "FROM container\n");

        // -f outside the context is allowed, like Podman.
        let (path, text) = context
            .dockerfile(Some(&outside.path().join("Dockerfile")))
            .unwrap();
        assert_eq!(path, outside.path().join("Dockerfile"));
        assert_eq!(text, "FROM outside\n");
        // -f naming a file inside, absolute; a directory is searched.
        write(&ctx.path().join("build/Dockerfile.dev"), "FROM dev\n");
        let dev = context.root().join("build/Dockerfile.dev");
        assert_eq!(context.dockerfile(Some(&dev)).unwrap().1, "FROM dev\n");
        write(&ctx.path().join("build/Containerfile"), "FROM sub\n");
        let sub = context.root().join("build");
        assert_eq!(context.dockerfile(Some(&sub)).unwrap().1, "FROM sub\n");
        // A relative name missing from the current directory is looked
        // up in the context.
        let rel = Path::new("build/Dockerfile.dev");
        assert_eq!(context.dockerfile(Some(rel)).unwrap().1, "FROM dev\n");
        // Symlinks inside the context are followed while they stay in.
        symlink("build/Dockerfile.dev", ctx.path().join("Linked")).unwrap();
        let linked = context.root().join("Linked");
        assert_eq!(context.dockerfile(Some(&linked)).unwrap().1, "FROM dev\n");

        let err = context
            .dockerfile(Some(&context.root().join("missing")))
            .err()
            .unwrap();
        assert!(
            err.to_string().contains("no such file or directory"),
            "{err}"
        );
        let empty = tempfile::tempdir().unwrap();
        let err = Context::open(empty.path(), None)
            .unwrap()
            .dockerfile(None)
            .err()
            .unwrap();
        assert!(
            err.to_string().contains("no Containerfile or Dockerfile"),
            "{err}"
        );
    }

    #[test]
    fn issue17_dockerfile_symlink_out_refused() {
        let outside = tempfile::tempdir().unwrap();
        write(&outside.path().join("Dockerfile"), "FROM secret\n");
        for target in [
            outside.path().join("Dockerfile"),
            PathBuf::from("../../../../../../../../..")
                .join(outside.path().strip_prefix("/").unwrap())
                .join("Dockerfile"),
        ] {
            let ctx = tempfile::tempdir().unwrap();
            symlink(&target, ctx.path().join("Dockerfile")).unwrap();
            let context = Context::open(ctx.path(), None).unwrap();
            let err = context.dockerfile(None).err().unwrap();
            assert!(matches!(err, ContextError::Dockerfile { .. }), "{err}");
            assert!(err.to_string().contains(OUT_OF_CONTEXT), "{err}");
            let named = context.root().join("Dockerfile");
            let err = context.dockerfile(Some(&named)).err().unwrap();
            assert!(err.to_string().contains(OUT_OF_CONTEXT), "{err}");
            // A directory symlink on the way out is refused the same way.
            std::fs::remove_file(ctx.path().join("Dockerfile")).unwrap();
            symlink(outside.path(), ctx.path().join("dir")).unwrap();
            let err = context
                .dockerfile(Some(&context.root().join("dir/Dockerfile")))
                .err()
                .unwrap();
            assert!(err.to_string().contains(OUT_OF_CONTEXT), "{err}");
        }
        // An absolute symlink naming a file inside the context is fine.
        let ctx = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(ctx.path()).unwrap();
        write(&root.join("real/Dockerfile"), "FROM inside\n");
        symlink(root.join("real/Dockerfile"), root.join("Dockerfile")).unwrap();
        let context = Context::open(&root, None).unwrap();
        assert_eq!(context.dockerfile(None).unwrap().1, "FROM inside\n");
    }

    fn raw_entry(
        builder: &mut tar::Builder<Vec<u8>>,
        name: &[u8],
        kind: tar::EntryType,
        link: &[u8],
        data: &[u8],
    ) {
        let mut header = tar::Header::new_gnu();
        header.as_gnu_mut().unwrap().name[..name.len()].copy_from_slice(name);
        header.as_gnu_mut().unwrap().linkname[..link.len()].copy_from_slice(link);
        header.set_entry_type(kind);
        header.set_mode(if kind == tar::EntryType::Directory {
            0o755
        } else {
            0o644
        });
        header.set_size(data.len() as u64);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(0);
        header.set_cksum();
        builder.append(&header, data).unwrap();
    }

    /// (name, type, link target, data).
    type Entry<'a> = (&'a [u8], tar::EntryType, &'a [u8], &'a [u8]);

    fn tar_of(entries: &[Entry<'_>]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (name, kind, link, data) in entries {
            raw_entry(&mut builder, name, *kind, link, data);
        }
        builder.into_inner().unwrap()
    }

    #[test]
    fn issue17_from_tar_context() {
        use tar::EntryType::{Directory, Regular, Symlink};
        let tar = tar_of(&[
            (b"Dockerfile", Regular, b"", b"FROM scratch\nCOPY . /\n"),
            (b"dir/", Directory, b"", b""),
            (b"dir/file", Regular, b"", b"data"),
            (b"link", Symlink, b"/etc/passwd", b""),
            (b".dockerignore", Regular, b"", b"*.tmp\n"),
            (b"x.tmp", Regular, b"", b"tmp"),
        ]);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&tar).unwrap();
        let gz = gz.finish().unwrap();
        for stream in [tar.clone(), gz] {
            let scratch = tempfile::tempdir().unwrap();
            let context = Context::from_tar(&stream[..], scratch.path()).unwrap();
            assert_eq!(
                names(&context, ""),
                [".dockerignore", "Dockerfile", "dir", "link"]
            );
            assert_eq!(read(&context, "dir/file").unwrap(), "data");
            let link = context.lstat(Path::new("link")).unwrap().unwrap();
            assert_eq!(link.target.as_deref(), Some(Path::new("/etc/passwd")));
            assert!(read(&context, "link").is_err());
            assert_eq!(
                context.dockerfile(None).unwrap().1,
                "FROM scratch\nCOPY . /\n"
            );
        }
    }

    #[test]
    fn issue17_from_tar_hostile_entries() {
        use tar::EntryType::{Link, Regular, Symlink};
        let host = tempfile::tempdir().unwrap();
        let host_dir = std::fs::canonicalize(host.path()).unwrap();
        let host_dir = host_dir.as_os_str().as_bytes();

        // `..` climbing out: refused.
        let scratch = tempfile::tempdir().unwrap();
        let base = scratch.path().join("ctx");
        std::fs::create_dir(&base).unwrap();
        let tar = tar_of(&[(b"../escaped", Regular, b"", b"x")]);
        let err = Context::from_tar(&tar[..], &base).err().unwrap();
        assert!(matches!(err, ContextError::Tar(_)), "{err}");
        assert!(!scratch.path().join("escaped").exists());

        // An absolute name: confined below the scratch directory.
        let mut abs = host_dir.to_vec();
        abs.extend_from_slice(b"/abs");
        let scratch = tempfile::tempdir().unwrap();
        let tar = tar_of(&[(&abs, Regular, b"", b"x")]);
        let context = Context::from_tar(&tar[..], scratch.path()).unwrap();
        assert!(!host.path().join("abs").exists());
        let inside = std::str::from_utf8(&abs[1..]).unwrap();
        assert_eq!(read(&context, inside).unwrap(), "x");

        // A symlink to the host, then a file through it: refused.
        let scratch = tempfile::tempdir().unwrap();
        let tar = tar_of(&[
            (b"l", Symlink, host_dir, b""),
            (b"l/planted", Regular, b"", b"x"),
        ]);
        assert!(Context::from_tar(&tar[..], scratch.path()).is_err());
        assert!(!host.path().join("planted").exists());

        // A hard link to a file outside: refused.
        let scratch = tempfile::tempdir().unwrap();
        let tar = tar_of(&[(b"h", Link, b"../../../../../../../etc/passwd", b"")]);
        assert!(Context::from_tar(&tar[..], scratch.path()).is_err());
        assert!(!scratch.path().join("h").exists());

        // A hard link through a symlink: refused.
        std::fs::write(host.path().join("target"), "host").unwrap();
        let scratch = tempfile::tempdir().unwrap();
        let tar = tar_of(&[
            (b"l", Symlink, host_dir, b""),
            (b"h", Link, b"l/target", b""),
        ]);
        assert!(Context::from_tar(&tar[..], scratch.path()).is_err());
        assert!(!scratch.path().join("h").exists());
    }
}
