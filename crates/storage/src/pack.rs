//! Writing layer tars from what is on disk: a container's changes (for
//! `commit` and `diff`), the flattened root filesystem (for `export`), or an
//! image's top layer against its parents (for `diff` of an image).
//!
//! Everything is one operation: compare an *old* view with a *new* view,
//! each a stack of directories in the store's overlay format (topmost
//! first: a 0/0 character device or an empty `.wh.NAME` file whites out
//! `NAME` below it, an opaque directory (`user.overlay.opaque=y` or
//! `.wh..wh..opq` in it) hides everything below it), and report what
//! differs as [`Change`]s, in a deterministic depth-first order sorted by
//! name, to a [`Sink`]. [`TarSink`] turns them into a layer tar: added and
//! changed entries in full, deleted ones as `.wh.NAME`, every parent
//! directory of a change (with its attributes) before it. An opaque
//! directory in the new view is written as explicit whiteouts of what it
//! hides: the result is the same filesystem. Both forms are those of
//! [`super::layer`].
//!
//! - Overlay upper: new = `[upper, layers...]`, old = `[layers...]`,
//!   `only_top_changes`: an entry that does not come from upper is the
//!   old one, so only upper's directories are walked.
//! - vfs copy: new = `[copy]`, old = `[layers...]`: every entry is
//!   compared (type, mode, recorded owner, size, mtime, link target).
//! - Export: old = `[]`, everything is added.
//!
//! Owners and modes come from `user.containers.override_stat` when an
//! entry has it, else the directory's default owner (0:0 for image layers,
//! the container's user for its upper or copy, which is what its user
//! namespace shows) and the mode on disk. `user.*` xattrs other than
//! overlay's and rsp's own are kept.
//!
//! # Security contract
//!
//! The directories may be changed by a running container at any time.
//! Every directory is opened relative to its parent's descriptor with
//! `O_NOFOLLOW | O_DIRECTORY`, every file with `O_NOFOLLOW` and checked to
//! still be the regular file it was, so a symlink in the container is
//! written as a symlink and never makes this code read a host file.

use super::layer::{
    self, OPAQUE_MARKER, OPAQUE_XATTR, OVERRIDE_STAT_XATTR, OverrideStat, WhiteoutName,
};
use nix::dir::Dir;
use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag, openat, readlinkat};
use nix::sys::stat::{FileStat, Mode, SFlag, fstat, fstatat};
use rsp_base::text::shown;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use xattr::FileExt;

#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("opening {}: {source}", shown(.path))]
    Open { path: PathBuf, source: io::Error },
    #[error("reading {}: {source}", shown(.path))]
    Read { path: PathBuf, source: io::Error },
    #[error(
        "{} changed while it was being read (pause the container with -p, or stop it): {what}",
        shown(.path)
    )]
    Changed { path: PathBuf, what: &'static str },
    #[error("writing the layer tar: {0}")]
    Write(io::Error),
}

type Result<T, E = PackError> = std::result::Result<T, E>;

/// One directory tree in the store's overlay format, and who owns its
/// entries that record no owner.
#[derive(Clone, Debug)]
pub struct Layer {
    pub path: PathBuf,
    pub default_owner: (u32, u32),
}

impl Layer {
    pub fn image(path: PathBuf) -> Layer {
        Layer {
            path,
            default_owner: (0, 0),
        }
    }
}

/// What happened to one path (relative, no leading `/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Changed,
    Deleted,
}

impl ChangeKind {
    /// The letter `diff` prints.
    pub fn letter(self) -> char {
        match self {
            ChangeKind::Added => 'A',
            ChangeKind::Changed => 'C',
            ChangeKind::Deleted => 'D',
        }
    }
}

/// An entry of the new view, to be read for a tar.
pub struct Entry<'a> {
    dir: BorrowedFd<'a>,
    name: &'a OsStr,
    stat: &'a FileStat,
    default_owner: (u32, u32),
    /// Open handle of a directory entry (to read its xattrs).
    dir_fd: Option<BorrowedFd<'a>>,
}

/// Receives the changes in order: parents before children, siblings
/// sorted by name. `entry` is `None` for deletions.
pub trait Sink {
    fn change(&mut self, path: &Path, kind: ChangeKind, entry: Option<&Entry<'_>>) -> Result<()>;
}

/// Collects the changes as `diff` shows them.
#[derive(Default)]
pub struct ChangeList(pub Vec<(PathBuf, ChangeKind)>);

impl Sink for ChangeList {
    fn change(&mut self, path: &Path, kind: ChangeKind, _: Option<&Entry<'_>>) -> Result<()> {
        self.0.push((path.to_path_buf(), kind));
        Ok(())
    }
}

/// Compares `old` with `new` (both topmost first) and reports every
/// difference to `sink`. With `only_top_changes`, entries of `new` that do
/// not come from its first directory are taken as unchanged.
///
/// Paths in `skip_added` (relative) are left out when they are new: the
/// mount points a runtime makes in a container, which are not changes.
pub fn compare(
    old: &[Layer],
    new: &[Layer],
    only_top_changes: bool,
    skip_added: &[&str],
    sink: &mut dyn Sink,
) -> Result<()> {
    let open_root = |l: &Layer| {
        nix::fcntl::open(
            &l.path,
            OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map(Rc::new)
        .map_err(|e| PackError::Open {
            path: l.path.clone(),
            source: e.into(),
        })
    };
    let mut old_dirs = Vec::new();
    for (i, l) in old.iter().enumerate() {
        old_dirs.push((i, open_root(l)?));
    }
    let mut new_dirs = Vec::new();
    for (i, l) in new.iter().enumerate() {
        new_dirs.push((i, open_root(l)?));
    }
    let owners: Vec<(u32, u32)> = new.iter().map(|l| l.default_owner).collect();
    let mut walker = Walker {
        owners,
        only_top: only_top_changes,
        skip_added,
        pending: Vec::new(),
        sink,
    };
    walker.dir(&old_dirs, &new_dirs, Path::new(""))
}

/// Directories making up one merged directory: (layer index, descriptor),
/// topmost first.
type Dirs = Vec<(usize, Rc<OwnedFd>)>;

/// One name of a merged directory.
struct Merged {
    layer: usize,
    parent: Rc<OwnedFd>,
    stat: FileStat,
    /// For a directory: the parents holding the directories it merges.
    parts: Vec<(usize, Rc<OwnedFd>)>,
}

impl Merged {
    fn is_dir(&self) -> bool {
        file_type(&self.stat) == SFlag::S_IFDIR
    }
}

fn file_type(stat: &FileStat) -> SFlag {
    SFlag::from_bits_truncate(stat.st_mode) & SFlag::S_IFMT
}

fn dir_file(fd: &OwnedFd, path: &Path) -> Result<File> {
    nix::unistd::dup(fd)
        .map(File::from)
        .map_err(|e| PackError::Open {
            path: path.to_path_buf(),
            source: e.into(),
        })
}

/// The names of a directory, sorted.
fn read_names(fd: &OwnedFd, path: &Path) -> Result<Vec<OsString>> {
    let err = |e: Errno| PackError::Read {
        path: path.to_path_buf(),
        source: e.into(),
    };
    let mut dir = Dir::openat(
        fd.as_fd(),
        ".",
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(err)?;
    let mut names = Vec::new();
    for e in dir.iter() {
        let e = e.map_err(err)?;
        let n = e.file_name().to_bytes();
        if n != b"." && n != b".." {
            names.push(OsStr::from_bytes(n).to_os_string());
        }
    }
    names.sort();
    Ok(names)
}

/// Lists the merged directory made of `dirs` with overlay's rules.
fn list_merged(dirs: &Dirs, path: &Path) -> Result<BTreeMap<OsString, Merged>> {
    let mut out: BTreeMap<OsString, Merged> = BTreeMap::new();
    // Names no lower directory may contribute any more.
    let mut closed: HashSet<OsString> = HashSet::new();
    for (layer, fd) in dirs {
        let mut whiteouts = Vec::new();
        let mut opaque = matches!(
            dir_file(fd, path)?.get_xattr(OPAQUE_XATTR),
            Ok(Some(v)) if layer::is_opaque_value(&v)
        );
        for name in read_names(fd, path)? {
            let stat = match fstatat(fd.as_fd(), name.as_os_str(), AtFlags::AT_SYMLINK_NOFOLLOW) {
                Ok(s) => s,
                // Removed by the container since the listing.
                Err(Errno::ENOENT) => continue,
                Err(e) => {
                    return Err(PackError::Read {
                        path: path.join(&name),
                        source: e.into(),
                    });
                }
            };
            if let Some(marker) = layer::whiteout_name_kind(&name) {
                if file_type(&stat) == SFlag::S_IFREG {
                    match marker {
                        WhiteoutName::Opaque => opaque = true,
                        WhiteoutName::Whiteout(hidden) => whiteouts.push(hidden.to_os_string()),
                        WhiteoutName::Other => {}
                    }
                }
                // No `.wh.` name is ever part of a view.
                continue;
            }
            if layer::is_whiteout_device(stat.st_mode, stat.st_rdev) {
                whiteouts.push(name);
                continue;
            }
            if closed.contains(&name) {
                continue;
            }
            let is_dir = file_type(&stat) == SFlag::S_IFDIR;
            match out.get_mut(&name) {
                Some(upper) => {
                    // Only directories stay open to lower ones.
                    if is_dir {
                        upper.parts.push((*layer, fd.clone()));
                        if is_opaque_child(fd, &name, path)? {
                            closed.insert(name);
                        }
                    } else {
                        closed.insert(name);
                    }
                }
                None => {
                    let mut m = Merged {
                        layer: *layer,
                        parent: fd.clone(),
                        stat,
                        parts: Vec::new(),
                    };
                    if is_dir {
                        m.parts.push((*layer, fd.clone()));
                        if is_opaque_child(fd, &name, path)? {
                            closed.insert(name.clone());
                        }
                    } else {
                        closed.insert(name.clone());
                    }
                    out.insert(name, m);
                }
            }
        }
        for w in whiteouts {
            closed.insert(w);
        }
        if opaque {
            break;
        }
    }
    Ok(out)
}

/// Whether the directory `name` in `parent` is opaque (in either format).
fn is_opaque_child(parent: &OwnedFd, name: &OsStr, path: &Path) -> Result<bool> {
    let fd = open_dir(parent, name, &path.join(name))?;
    if matches!(
        dir_file(&fd, path)?.get_xattr(OPAQUE_XATTR),
        Ok(Some(v)) if layer::is_opaque_value(&v)
    ) {
        return Ok(true);
    }
    Ok(matches!(
        fstatat(fd.as_fd(), OsStr::from_bytes(OPAQUE_MARKER), AtFlags::AT_SYMLINK_NOFOLLOW),
        Ok(s) if file_type(&s) == SFlag::S_IFREG
    ))
}

fn open_dir(parent: &OwnedFd, name: &OsStr, path: &Path) -> Result<OwnedFd> {
    openat(
        parent.as_fd(),
        name,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| match e {
        Errno::ELOOP | Errno::ENOTDIR => PackError::Changed {
            path: path.to_path_buf(),
            what: "a directory was replaced",
        },
        e => PackError::Open {
            path: path.to_path_buf(),
            source: e.into(),
        },
    })
}

fn open_parts(parts: &[(usize, Rc<OwnedFd>)], name: &OsStr, path: &Path) -> Result<Dirs> {
    parts
        .iter()
        .map(|(l, p)| Ok((*l, Rc::new(open_dir(p, name, path)?))))
        .collect()
}

/// A pending parent directory: written only once something below it is.
struct Pending {
    path: PathBuf,
    name: OsString,
    parent: Rc<OwnedFd>,
    fd: Rc<OwnedFd>,
    stat: FileStat,
    owner: (u32, u32),
    kind: ChangeKind,
    written: bool,
}

struct Walker<'s> {
    owners: Vec<(u32, u32)>,
    only_top: bool,
    skip_added: &'s [&'s str],
    pending: Vec<Pending>,
    sink: &'s mut dyn Sink,
}

impl Walker<'_> {
    /// Writes the parent directories not written yet.
    fn flush(&mut self) -> Result<()> {
        for p in self.pending.iter_mut().filter(|p| !p.written) {
            p.written = true;
            let e = Entry {
                dir: p.parent.as_fd(),
                name: &p.name,
                stat: &p.stat,
                default_owner: p.owner,
                dir_fd: Some(p.fd.as_fd()),
            };
            self.sink.change(&p.path, p.kind, Some(&e))?;
        }
        Ok(())
    }

    fn emit(
        &mut self,
        path: &Path,
        kind: ChangeKind,
        name: &OsStr,
        m: Option<&Merged>,
        dir_fd: Option<&OwnedFd>,
    ) -> Result<()> {
        self.flush()?;
        match m {
            None => self.sink.change(path, kind, None),
            Some(m) => {
                let e = Entry {
                    dir: m.parent.as_fd(),
                    name,
                    stat: &m.stat,
                    default_owner: self.owners[m.layer],
                    dir_fd: dir_fd.map(|f| f.as_fd()),
                };
                self.sink.change(path, kind, Some(&e))
            }
        }
    }

    fn dir(&mut self, old: &Dirs, new: &Dirs, path: &Path) -> Result<()> {
        let old_list = list_merged(old, path)?;
        let new_list = list_merged(new, path)?;
        let names: BTreeSet<&OsString> = old_list.keys().chain(new_list.keys()).collect();
        for name in names {
            let child = path.join(name);
            match (old_list.get(name), new_list.get(name)) {
                (Some(_), None) => self.emit(&child, ChangeKind::Deleted, name, None, None)?,
                (None, Some(n)) => {
                    let skipped = |p: &&str| Path::new(p) == child.as_path();
                    let holds_skipped = |p: &&str| Path::new(p).starts_with(&child);
                    if self.skip_added.iter().any(skipped) {
                        continue;
                    }
                    if n.is_dir() && self.skip_added.iter().any(holds_skipped) {
                        // A directory made only to hold mount points is
                        // no change of its own: written once something
                        // else in it is.
                        let new_dirs = open_parts(&n.parts, name, &child)?;
                        self.pending.push(Pending {
                            path: child.clone(),
                            name: name.clone(),
                            parent: n.parent.clone(),
                            fd: new_dirs[0].1.clone(),
                            stat: n.stat,
                            owner: self.owners[n.layer],
                            kind: ChangeKind::Added,
                            written: false,
                        });
                        let r = self.dir(&Vec::new(), &new_dirs, &child);
                        self.pending.pop();
                        r?;
                    } else {
                        self.added(n, name, &child)?
                    }
                }
                (Some(o), Some(n)) => {
                    // Upper is the topmost directory: whatever comes from
                    // below it is the old entry itself.
                    if self.only_top && n.layer != 0 {
                        continue;
                    }
                    if o.is_dir() && n.is_dir() {
                        let new_dirs = open_parts(&n.parts, name, &child)?;
                        let old_dirs = open_parts(&o.parts, name, &child)?;
                        let top = new_dirs[0].1.clone();
                        let changed = self.differs(o, &old_dirs[0].1, n, &top, name, &child)?;
                        let owner = self.owners[n.layer];
                        if changed {
                            self.emit(&child, ChangeKind::Changed, name, Some(n), Some(&top))?;
                        }
                        self.pending.push(Pending {
                            path: child.clone(),
                            name: name.clone(),
                            parent: n.parent.clone(),
                            fd: top,
                            stat: n.stat,
                            owner,
                            kind: ChangeKind::Changed,
                            written: changed,
                        });
                        let r = self.dir(&old_dirs, &new_dirs, &child);
                        self.pending.pop();
                        r?;
                    } else if o.is_dir() || n.is_dir() {
                        // Replaced by another type: the new entry shadows
                        // the old one whole (a new directory merges with
                        // nothing below it).
                        self.replaced(n, name, &child)?;
                    } else {
                        let changed = if self.only_top {
                            n.layer == 0
                        } else {
                            self.differs(o, &o.parent, n, &n.parent, name, &child)?
                        };
                        if changed {
                            self.emit(&child, ChangeKind::Changed, name, Some(n), None)?;
                        }
                    }
                }
                (None, None) => {}
            }
        }
        Ok(())
    }

    /// Writes `n` and, for a directory, everything below it.
    fn added(&mut self, n: &Merged, name: &OsStr, path: &Path) -> Result<()> {
        self.whole(n, name, path, ChangeKind::Added)
    }

    fn replaced(&mut self, n: &Merged, name: &OsStr, path: &Path) -> Result<()> {
        self.whole(n, name, path, ChangeKind::Changed)
    }

    fn whole(&mut self, n: &Merged, name: &OsStr, path: &Path, kind: ChangeKind) -> Result<()> {
        if !n.is_dir() {
            return self.emit(path, kind, name, Some(n), None);
        }
        let dirs = open_parts(&n.parts, name, path)?;
        self.emit(path, kind, name, Some(n), Some(&dirs[0].1))?;
        let list = list_merged(&dirs, path)?;
        for (child_name, c) in &list {
            let child = path.join(child_name);
            // Parents before children: written already, nothing pending.
            self.added(c, child_name, &child)?;
        }
        Ok(())
    }

    /// Whether two entries of the same type differ (the vfs comparison;
    /// for directories also used with an overlay upper).
    fn differs(
        &self,
        o: &Merged,
        o_fd: &OwnedFd,
        n: &Merged,
        n_fd: &OwnedFd,
        name: &OsStr,
        path: &Path,
    ) -> Result<bool> {
        let (os, ns) = (&o.stat, &n.stat);
        if file_type(os) != file_type(ns) || os.st_mode & 0o7777 != ns.st_mode & 0o7777 {
            return Ok(true);
        }
        let kind = file_type(ns);
        let is_dir = kind == SFlag::S_IFDIR;
        if !is_dir && (os.st_size != ns.st_size || os.st_rdev != ns.st_rdev) {
            return Ok(true);
        }
        if kind == SFlag::S_IFLNK {
            let a = readlinkat(o_fd.as_fd(), name).ok();
            let b = readlinkat(n_fd.as_fd(), name).ok();
            return Ok(a != b);
        }
        if !is_dir && (os.st_mtime != ns.st_mtime || os.st_mtime_nsec != ns.st_mtime_nsec) {
            return Ok(true);
        }
        let (ox, nx) = if is_dir {
            (
                xattrs(&dir_file(o_fd, path)?),
                xattrs(&dir_file(n_fd, path)?),
            )
        } else if kind == SFlag::S_IFREG {
            let of = open_file(o_fd, name, path).map(|(f, _)| xattrs(&f));
            let nf = open_file(n_fd, name, path).map(|(f, _)| xattrs(&f));
            (of.unwrap_or_default(), nf.unwrap_or_default())
        } else {
            return Ok(false);
        };
        Ok(ox != nx)
    }
}

/// The `user.*` xattrs of a file that belong in a layer, plus rsp's owner
/// record (compared, written as owner and mode, never as an xattr).
fn xattrs(f: &File) -> Vec<(OsString, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(names) = f.list_xattr() else {
        return out;
    };
    for n in names {
        let b = n.as_bytes();
        let keep = b == OVERRIDE_STAT_XATTR.as_bytes() || layer::is_content_xattr(b);
        if keep && let Ok(Some(v)) = f.get_xattr(&n) {
            out.push((n, v));
        }
    }
    out.sort();
    out
}

/// Opens a regular file of a view for reading, never through a symlink,
/// and checks it still is a regular file.
fn open_file(dir: &OwnedFd, name: &OsStr, path: &Path) -> Result<(File, FileStat)> {
    let fd = openat(
        dir.as_fd(),
        name,
        OFlag::O_RDONLY
            | OFlag::O_NOFOLLOW
            | OFlag::O_NONBLOCK
            | OFlag::O_NOCTTY
            | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| match e {
        Errno::ELOOP => PackError::Changed {
            path: path.to_path_buf(),
            what: "a file was replaced by a symlink",
        },
        e => PackError::Open {
            path: path.to_path_buf(),
            source: e.into(),
        },
    })?;
    let st = fstat(&fd).map_err(|e| PackError::Read {
        path: path.to_path_buf(),
        source: e.into(),
    })?;
    if file_type(&st) != SFlag::S_IFREG {
        return Err(PackError::Changed {
            path: path.to_path_buf(),
            what: "a file was replaced by something else",
        });
    }
    Ok((File::from(fd), st))
}

/// Writes the changes as a layer tar; with an empty old view, the whole
/// new view (an export).
pub struct TarSink<W: Write> {
    builder: tar::Builder<W>,
    /// First path written of each multiply-linked file, by (dev, ino).
    links: HashMap<(u64, u64), PathBuf>,
}

impl<W: Write> TarSink<W> {
    pub fn new(out: W) -> Self {
        let mut builder = tar::Builder::new(out);
        builder.mode(tar::HeaderMode::Complete);
        TarSink {
            builder,
            links: HashMap::new(),
        }
    }

    /// Writes the end-of-archive blocks and returns the writer.
    pub fn finish(self) -> Result<W> {
        self.builder.into_inner().map_err(PackError::Write)
    }

    fn append(
        &mut self,
        header: &mut tar::Header,
        path: &Path,
        link: Option<&OsStr>,
        xattrs: &[(OsString, Vec<u8>)],
        data: impl Read,
    ) -> Result<()> {
        let mut pax: Vec<(String, Vec<u8>)> = Vec::new();
        let mut name = path.as_os_str().as_bytes().to_vec();
        if header.entry_type() == tar::EntryType::Directory {
            name.push(b'/');
        }
        if header.set_path(OsStr::from_bytes(&name)).is_err() || name.len() > 100 {
            // ustar's prefix split is not understood by every reader the
            // same way: long names go in PAX.
            pax.push(("path".into(), name.clone()));
            let short: Vec<u8> = name.iter().copied().take(99).collect();
            header.as_old_mut().name = [0; 100];
            header.as_old_mut().name[..short.len()].copy_from_slice(&short);
            if let Some(ustar) = header.as_ustar_mut() {
                ustar.prefix = [0; 155];
            }
        }
        if let Some(link) = link
            && (link.len() > 100 || header.set_link_name(link).is_err())
        {
            pax.push(("linkpath".into(), link.as_bytes().to_vec()));
            header.as_old_mut().linkname = [0; 100];
        }
        for (k, v) in xattrs {
            pax.push((format!("SCHILY.xattr.{}", k.to_string_lossy()), v.clone()));
        }
        if !pax.is_empty() {
            self.builder
                .append_pax_extensions(pax.iter().map(|(k, v)| (k.as_str(), v.as_slice())))
                .map_err(PackError::Write)?;
        }
        header.set_cksum();
        self.builder.append(header, data).map_err(PackError::Write)
    }

    fn whiteout(&mut self, path: &Path) -> Result<()> {
        let p = path.with_file_name(layer::whiteout_name(path.file_name().unwrap_or_default()));
        let mut h = tar::Header::new_ustar();
        h.set_entry_type(tar::EntryType::Regular);
        h.set_size(0);
        h.set_mode(0o644);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(0);
        self.append(&mut h, &p, None, &[], io::empty())
    }

    fn entry(&mut self, path: &Path, e: &Entry<'_>) -> Result<()> {
        let kind = file_type(e.stat);
        let mut h = tar::Header::new_ustar();
        h.set_mtime(u64::try_from(e.stat.st_mtime).unwrap_or(0));
        h.set_size(0);
        let mut attrs = Vec::new();
        let mut file = None;
        match kind {
            SFlag::S_IFDIR => {
                h.set_entry_type(tar::EntryType::Directory);
                if let Some(fd) = e.dir_fd {
                    let f = File::from(nix::unistd::dup(fd).map_err(|err| PackError::Open {
                        path: path.to_path_buf(),
                        source: err.into(),
                    })?);
                    attrs = xattrs(&f);
                }
            }
            SFlag::S_IFLNK => {
                let target = readlinkat(e.dir, e.name).map_err(|err| PackError::Read {
                    path: path.to_path_buf(),
                    source: err.into(),
                })?;
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_uid(e.default_owner.0.into());
                h.set_gid(e.default_owner.1.into());
                h.set_mode(0o777);
                return self.append(&mut h, path, Some(&target), &[], io::empty());
            }
            SFlag::S_IFIFO => h.set_entry_type(tar::EntryType::Fifo),
            SFlag::S_IFREG => {
                let dir = nix::unistd::dup(e.dir).map_err(|err| PackError::Open {
                    path: path.to_path_buf(),
                    source: err.into(),
                })?;
                let (f, st) = open_file(&dir, e.name, path)?;
                if (st.st_dev, st.st_ino) != (e.stat.st_dev, e.stat.st_ino) {
                    return Err(PackError::Changed {
                        path: path.to_path_buf(),
                        what: "a file was replaced",
                    });
                }
                attrs = xattrs(&f);
                h.set_entry_type(tar::EntryType::Regular);
                h.set_size(st.st_size as u64);
                file = Some((f, st));
            }
            // Sockets and real devices: a layer has no way to hold them.
            _ => return Ok(()),
        }
        let mut owner = e.default_owner;
        let mut mode = e.stat.st_mode & 0o7777;
        if let Some(i) = attrs
            .iter()
            .position(|(n, _)| n.as_bytes() == OVERRIDE_STAT_XATTR.as_bytes())
        {
            let (_, v) = attrs.remove(i);
            if let Ok(r) = OverrideStat::parse(&v) {
                owner = (r.uid, r.gid);
                mode = r.mode;
                if let (Some(d), SFlag::S_IFREG) = (r.device(), kind) {
                    h.set_entry_type(if d.block {
                        tar::EntryType::Block
                    } else {
                        tar::EntryType::Char
                    });
                    h.set_size(0);
                    h.set_device_major(d.major).map_err(PackError::Write)?;
                    h.set_device_minor(d.minor).map_err(PackError::Write)?;
                    file = None;
                }
            }
        }
        h.set_uid(owner.0.into());
        h.set_gid(owner.1.into());
        h.set_mode(mode);
        let Some((f, st)) = file else {
            return self.append(&mut h, path, None, &attrs, io::empty());
        };
        if st.st_nlink > 1 {
            let key = (st.st_dev, st.st_ino);
            if let Some(first) = self.links.get(&key).cloned() {
                h.set_entry_type(tar::EntryType::Link);
                h.set_size(0);
                return self.append(&mut h, path, Some(first.as_os_str()), &[], io::empty());
            }
            self.links.insert(key, path.to_path_buf());
        }
        let size = st.st_size as u64;
        let mut reader = ExactReader {
            inner: f,
            left: size,
            path: path.to_path_buf(),
        };
        self.append(&mut h, path, None, &attrs, &mut reader)?;
        if reader.left != 0 {
            return Err(PackError::Changed {
                path: path.to_path_buf(),
                what: "a file shrank",
            });
        }
        Ok(())
    }
}

/// Reads exactly `left` bytes; a file that shrinks ends early, one that
/// grows is cut at its size when it was opened.
struct ExactReader {
    inner: File,
    left: u64,
    path: PathBuf,
}

impl Read for ExactReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Ok(0);
        }
        let max = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..max])?;
        if n == 0 {
            return Err(io::Error::other(format!(
                "{} shrank while it was being read: pause the container (-p) or stop it",
                self.path.display()
            )));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

impl<W: Write> Sink for TarSink<W> {
    fn change(&mut self, path: &Path, kind: ChangeKind, entry: Option<&Entry<'_>>) -> Result<()> {
        match (kind, entry) {
            (ChangeKind::Deleted, _) | (_, None) => self.whiteout(path),
            (_, Some(e)) => self.entry(path, e),
        }
    }
}

/// The lines `diff` prints: sorted by path, `/`-rooted.
pub fn diff_lines(changes: &ChangeList) -> Vec<(char, String)> {
    let mut seen: BTreeMap<String, char> = BTreeMap::new();
    for (p, k) in &changes.0 {
        let path = format!("/{}", p.display());
        seen.entry(path)
            .and_modify(|c| {
                // Deleted and re-added as another type: changed.
                if *c == 'D' {
                    *c = 'C';
                }
            })
            .or_insert(k.letter());
    }
    let mut v: Vec<(char, String)> = seen.into_iter().map(|(p, c)| (c, p)).collect();
    v.sort_by(|a, b| a.1.cmp(&b.1));
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::symlink;

    /// (name, type, uid:gid, mode, link target, size) of every entry.
    fn listing(tar: &[u8]) -> Vec<(String, char, String, u32, String, u64)> {
        let mut a = tar::Archive::new(tar);
        a.entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let h = e.header();
                let t = match h.entry_type() {
                    tar::EntryType::Directory => 'd',
                    tar::EntryType::Symlink => 'l',
                    tar::EntryType::Link => 'h',
                    tar::EntryType::Char => 'c',
                    tar::EntryType::Fifo => 'p',
                    _ => '-',
                };
                (
                    String::from_utf8_lossy(&e.path_bytes()).into_owned(),
                    t,
                    format!("{}:{}", h.uid().unwrap(), h.gid().unwrap()),
                    h.mode().unwrap(),
                    e.link_name_bytes()
                        .map(|l| String::from_utf8_lossy(&l).into_owned())
                        .unwrap_or_default(),
                    h.size().unwrap(),
                )
            })
            .collect()
    }

    /// A whiteout of `name` in `dir`: overlay's device where we may make
    /// one, else the fallback file.
    fn whiteout(dir: &Path, name: &str) {
        use nix::sys::stat::{SFlag, mknod};
        if mknod(&dir.join(name), SFlag::S_IFCHR, Mode::empty(), 0).is_err() {
            fs::write(dir.join(format!(".wh.{name}")), b"").unwrap();
        }
    }

    #[test]
    fn issue6_upper_to_layer_tar() {
        let t = tempfile::tempdir().unwrap();
        let (lower, upper) = (t.path().join("lower"), t.path().join("upper"));
        for d in ["a", "d", "tmp"] {
            fs::create_dir_all(lower.join(d)).unwrap();
        }
        fs::write(lower.join("a/f1"), b"1").unwrap();
        fs::write(lower.join("a/f2"), b"2").unwrap();
        fs::write(lower.join("gone"), b"g").unwrap();
        fs::write(lower.join("d/x"), b"x").unwrap();
        fs::write(lower.join("d/x2"), b"x").unwrap();
        fs::write(lower.join("untouched"), b"u").unwrap();
        fs::create_dir_all(upper.join("a")).unwrap();
        fs::write(upper.join("a/f1"), b"one").unwrap();
        whiteout(&upper, "gone");
        fs::create_dir(upper.join("d")).unwrap();
        // The opaque directory in the fallback format (xattrs on tmpfs
        // need a recent kernel).
        fs::write(upper.join("d/.wh..wh..opq"), b"").unwrap();
        fs::write(upper.join("d/x"), b"x").unwrap();
        fs::write(upper.join("d/y"), b"y").unwrap();
        fs::write(upper.join("h1"), b"hard").unwrap();
        fs::hard_link(upper.join("h1"), upper.join("h2")).unwrap();
        symlink("/etc/shadow", upper.join("evil")).unwrap();
        fs::write(upper.join("owned"), b"o").unwrap();
        let recorded = fs::File::open(upper.join("owned"))
            .unwrap()
            .set_xattr(OVERRIDE_STAT_XATTR, b"1000:33:0640")
            .is_ok();
        let old = [Layer::image(lower.clone())];
        let new = [
            Layer {
                path: upper.clone(),
                default_owner: (0, 0),
            },
            Layer::image(lower.clone()),
        ];
        let mut list = ChangeList::default();
        compare(&old, &new, true, &[], &mut list).unwrap();
        let lines: Vec<String> = diff_lines(&list)
            .into_iter()
            .map(|(c, p)| format!("{c} {p}"))
            .collect();
        assert_eq!(
            lines,
            [
                "C /a", "C /a/f1", "C /d", "C /d/x", "D /d/x2", "A /d/y", "A /evil", "D /gone",
                "A /h1", "A /h2", "A /owned"
            ]
        );
        let mut sink = TarSink::new(Vec::new());
        compare(&old, &new, true, &[], &mut sink).unwrap();
        let tar = sink.finish().unwrap();
        let l = listing(&tar);
        let names: Vec<&str> = l.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(
            names,
            [
                "a/", "a/f1", "d/", "d/x", "d/.wh.x2", "d/y", "evil", ".wh.gone", "h1", "h2",
                "owned"
            ]
        );
        let get = |n: &str| l.iter().find(|e| e.0 == n).unwrap().clone();
        assert_eq!(get("a/f1").5, 3);
        assert_eq!(get("evil").1, 'l');
        assert_eq!(get("evil").4, "/etc/shadow");
        assert_eq!(get("h2").1, 'h');
        assert_eq!(get("h2").4, "h1");
        if recorded {
            assert_eq!((get("owned").2, get("owned").3), ("1000:33".into(), 0o640));
        }
        // Unpacked again, it is the same change.
        let dest = t.path().join("unpacked");
        fs::create_dir(&dest).unwrap();
        super::super::unpack::unpack_layer(&tar[..], &dest).unwrap();
        assert_eq!(fs::read(dest.join("a/f1")).unwrap(), b"one");
    }

    #[test]
    fn issue6_vfs_copy_and_export() {
        let t = tempfile::tempdir().unwrap();
        let (lower, copy) = (t.path().join("lower"), t.path().join("copy"));
        for d in [&lower, &copy] {
            fs::create_dir_all(d.join("dir")).unwrap();
            fs::write(d.join("same"), b"s").unwrap();
            fs::write(d.join("dir/gone"), b"g").unwrap();
        }
        fs::remove_file(copy.join("dir/gone")).unwrap();
        fs::write(copy.join("added"), b"a").unwrap();
        // The copy keeps the layer's mtimes; a rewrite changes them.
        let mtime = fs::metadata(lower.join("same"))
            .unwrap()
            .modified()
            .unwrap();
        fs::File::options()
            .write(true)
            .open(copy.join("same"))
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        let mut list = ChangeList::default();
        compare(
            &[Layer::image(lower.clone())],
            &[Layer::image(copy.clone())],
            false,
            &[],
            &mut list,
        )
        .unwrap();
        let lines: Vec<String> = diff_lines(&list)
            .into_iter()
            .map(|(c, p)| format!("{c} {p}"))
            .collect();
        assert_eq!(lines, ["A /added", "C /dir", "D /dir/gone"]);
        let mut sink = TarSink::new(Vec::new());
        compare(&[], &[Layer::image(copy)], false, &[], &mut sink).unwrap();
        let l = listing(&sink.finish().unwrap());
        let names: Vec<&str> = l.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(names, ["added", "dir/", "same"]);
    }

    #[test]
    fn issue6_long_names_and_recorded_devices() {
        let t = tempfile::tempdir().unwrap();
        let long = "n".repeat(150);
        fs::write(t.path().join(&long), b"x").unwrap();
        fs::write(t.path().join("null"), b"").unwrap();
        let dev = fs::File::open(t.path().join("null"))
            .unwrap()
            .set_xattr(OVERRIDE_STAT_XATTR, b"0:0:0666:char-1-3")
            .is_ok();
        let mut sink = TarSink::new(Vec::new());
        compare(&[], &[Layer::image(t.path().into())], false, &[], &mut sink).unwrap();
        let l = listing(&sink.finish().unwrap());
        assert_eq!(l[0].0, long);
        if dev {
            assert_eq!((l[1].1, l[1].3), ('c', 0o666));
        }
    }

    /// Owner records are read with `storage::layer`'s one policy: what
    /// containers/storage writes and end padding count, a bad record is
    /// ignored (the disk's mode and the default owner are written).
    #[test]
    fn records_of_every_writer_become_tar_owners() {
        use std::os::unix::fs::PermissionsExt;
        let t = tempfile::tempdir().unwrap();
        let mut recorded = true;
        for (name, value) in [
            ("cs", &b"33:33:0750:file"[..]),
            ("padded", b"7:8:0604\0"),
            ("bad", b"-1:0:0777"),
            ("huge", b"4294967296:0:0777"),
        ] {
            let path = t.path().join(name);
            fs::write(&path, b"x").unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
            recorded &= fs::File::open(&path)
                .unwrap()
                .set_xattr(OVERRIDE_STAT_XATTR, value)
                .is_ok();
        }
        if !rsp_base::testing::require_or_skip(
            &format!("user xattrs on {}", t.path().display()),
            "point TMPDIR at ext4, xfs, btrfs, or tmpfs on Linux 6.6 or later",
            recorded,
        ) {
            return;
        }
        let mut sink = TarSink::new(Vec::new());
        compare(&[], &[Layer::image(t.path().into())], false, &[], &mut sink).unwrap();
        let l = listing(&sink.finish().unwrap());
        let get = |n: &str| {
            let e = l.iter().find(|e| e.0 == n).unwrap();
            (e.1, e.2.clone(), e.3)
        };
        assert_eq!(get("cs"), ('-', "33:33".into(), 0o750));
        assert_eq!(get("padded"), ('-', "7:8".into(), 0o604));
        assert_eq!(get("bad"), ('-', "0:0".into(), 0o640));
        assert_eq!(get("huge"), ('-', "0:0".into(), 0o640));
    }

    #[test]
    fn issue6_fallback_whiteouts_and_no_following() {
        let t = tempfile::tempdir().unwrap();
        let (lower, upper) = (t.path().join("lower"), t.path().join("upper"));
        fs::create_dir_all(lower.join("dir")).unwrap();
        fs::write(lower.join("dir/old"), b"o").unwrap();
        fs::write(lower.join("f"), b"f").unwrap();
        fs::create_dir_all(upper.join("dir")).unwrap();
        // fuse-overlay's format where the disk refuses 0/0 devices.
        fs::write(upper.join(".wh.f"), b"").unwrap();
        fs::write(upper.join("dir/.wh.old"), b"").unwrap();
        let mut list = ChangeList::default();
        let new = [Layer::image(upper.clone()), Layer::image(lower.clone())];
        compare(&[Layer::image(lower.clone())], &new, true, &[], &mut list).unwrap();
        let lines: Vec<String> = diff_lines(&list)
            .into_iter()
            .map(|(c, p)| format!("{c} {p}"))
            .collect();
        assert_eq!(lines, ["C /dir", "D /dir/old", "D /f"]);

        // A directory or file swapped for a symlink after it was listed
        // is refused, never followed.
        let outside = t.path().join("outside");
        fs::create_dir(&outside).unwrap();
        fs::write(outside.join("secret"), b"secret").unwrap();
        symlink(&outside, upper.join("swapped")).unwrap();
        symlink(outside.join("secret"), upper.join("link")).unwrap();
        let root =
            nix::fcntl::open(&upper, OFlag::O_RDONLY | OFlag::O_DIRECTORY, Mode::empty()).unwrap();
        assert!(matches!(
            open_dir(&root, OsStr::new("swapped"), Path::new("swapped")),
            Err(PackError::Changed { .. })
        ));
        assert!(matches!(
            open_file(&root, OsStr::new("link"), Path::new("link")),
            Err(PackError::Changed { .. })
        ));
    }
}
