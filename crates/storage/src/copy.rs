//! The file side of `rsp cp`: [`archive`] writes a path as a tar stream,
//! [`extract`] unpacks such a stream into a directory, and [`plan`] applies
//! `docker cp`'s rules to decide where and under which name. The caller runs
//! one side in a child whose root is the container's root and the other on
//! the host, with a pipe between them, so only ordinary paths appear here.
//!
//! # Archive contract
//!
//! A source spelled with a trailing `/.` (or `/`, the root) yields its
//! contents: a `./` entry for the directory itself, then its children named
//! relative to it. Any other source yields one top entry named after its
//! basename, with everything below it. Symlinks are stored as links, except
//! the top one when asked to follow it (`cp -L`); a second name of an inode
//! becomes a hard-link entry; sockets are skipped. Owner, mode and device
//! come from `user.containers.override_stat` when a file has it, since that
//! is where our store keeps the image's ownership it could not apply.
//!
//! # Extract contract
//!
//! The stream is hostile: it may come from a container or from a user. No
//! entry ever creates, modifies or follows anything outside `dest`:
//! - names lose leading `/`s and are resolved lexically; a `..` that would
//!   climb above `dest` is refused, as is, when the top entry is renamed,
//!   any entry that is not below it;
//! - parent directories are opened one component at a time with
//!   `O_NOFOLLOW | O_DIRECTORY` relative to their parent, and a symlink there
//!   is refused with [`CopyError::SymlinkInPath`];
//! - every non-directory is created under a fresh temporary name and renamed
//!   over the final one, so an existing file, symlink or hard link there is
//!   replaced, never written through;
//! - hard-link targets are resolved the same way as entry names.
//!
//! `dest` itself, which the caller chose, is opened following symlinks, and
//! is never modified beyond its contents: a `./` entry is ignored.
//!
//! Modes (setuid bits included), mtimes and, per [`Owner`], ownership are
//! applied; those of directories after their contents. A directory entry
//! merges into an existing directory, a non-directory replaces an existing
//! non-directory, and a directory meeting a non-directory or the reverse is
//! an error or a replacement per [`ExtractOptions::no_overwrite_dir_non_dir`].
//! On error, `dest` is left partly filled and directory attributes unapplied.

use rsp_base::text::shown;
use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use nix::dir::Dir;
use nix::errno::Errno;
use nix::fcntl::{AT_FDCWD, AtFlags, OFlag, openat, readlinkat, renameat};
use nix::sys::stat::{
    FchmodatFlags, FileStat, Mode, SFlag, UtimensatFlags, fchmod, fchmodat, fstat, fstatat,
    futimens, major, makedev, minor, mkdirat, mknodat, utimensat,
};
use nix::sys::time::TimeSpec;
use nix::unistd::{
    Gid, Uid, UnlinkatFlags, dup, fchown, fchownat, linkat, mkfifoat, symlinkat, unlinkat,
};
use xattr::FileExt;

use super::layer::{self, Device, OVERRIDE_STAT_XATTR, OverrideStat};
use super::walk::{self, WalkError, WalkErrorKind, file_type, remove_tree};

const IO_BUF_SIZE: usize = 256 * 1024;
// Longer names cannot be opened anyway, and the limit bounds the recursion
// of removing a directory an entry replaces.
const MAX_PATH_LEN: usize = libc::PATH_MAX as usize;

/// Why a copy stopped. Each variant names the step that failed and the path
/// it failed on: on the archive side the path on disk; on the extract side
/// the destination path an entry resolved to, or the entry's name as written
/// in the tar when it could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("no such file or directory in the container: {}", shown(.path))]
    NotFound { path: PathBuf },
    #[error("{}: {reason}", shown(.path))]
    InvalidSource { path: PathBuf, reason: &'static str },
    #[error("reading attributes of {}: {source}", shown(.path))]
    Stat { path: PathBuf, source: io::Error },
    #[error("opening {}: {source}", shown(.path))]
    Open { path: PathBuf, source: io::Error },
    #[error("listing directory {}: {source}", shown(.path))]
    ReadDir { path: PathBuf, source: io::Error },
    #[error("reading symlink {}: {source}", shown(.path))]
    ReadLink { path: PathBuf, source: io::Error },
    #[error("archiving {}: {source}", shown(.path))]
    Archive { path: PathBuf, source: io::Error },
    #[error("finishing the archive of {}: {source}", shown(.path))]
    FinishArchive { path: PathBuf, source: io::Error },
    #[error("destination directory {} does not exist", shown(.path))]
    DestDirMissing { path: PathBuf },
    #[error("cannot copy a directory to a file: {}", shown(.path))]
    DirToFile { path: PathBuf },
    #[error("opening destination directory {}: {source}", shown(.path))]
    OpenDest { path: PathBuf, source: io::Error },
    #[error("reading the archive to extract into {}: {source}", shown(.path))]
    Read { path: PathBuf, source: io::Error },
    #[error("{}: invalid tar header: {source}", shown(.path))]
    Header { path: PathBuf, source: io::Error },
    #[error("{}: invalid path: {reason}", shown(.path))]
    InvalidPath { path: PathBuf, reason: &'static str },
    #[error("{}: {} is a symlink, refusing to follow it", shown(.path), shown(.component))]
    SymlinkInPath { path: PathBuf, component: PathBuf },
    #[error("{}: {} is not a directory", shown(.path), shown(.component))]
    NotADirectory { path: PathBuf, component: PathBuf },
    #[error("{}: opening or creating directory {}: {source}", shown(.path), shown(.component))]
    Parent {
        path: PathBuf,
        component: PathBuf,
        source: io::Error,
    },
    #[error("cannot overwrite directory {} with non-directory", shown(.path))]
    OverwriteDir { path: PathBuf },
    #[error("cannot overwrite non-directory {} with directory", shown(.path))]
    OverwriteNonDir { path: PathBuf },
    #[error("{}: removing the existing entry: {source}", shown(.path))]
    RemoveExisting { path: PathBuf, source: io::Error },
    #[error("{}: creating directory: {source}", shown(.path))]
    CreateDir { path: PathBuf, source: io::Error },
    #[error("{}: creating file: {source}", shown(.path))]
    CreateFile { path: PathBuf, source: io::Error },
    #[error("{}: reading file data from the archive: {source}", shown(.path))]
    ReadData { path: PathBuf, source: io::Error },
    #[error("{}: writing file: {source}", shown(.path))]
    WriteFile { path: PathBuf, source: io::Error },
    #[error("{}: file data truncated: expected {expected} bytes, got {actual}", shown(.path))]
    Truncated {
        path: PathBuf,
        expected: u64,
        actual: u64,
    },
    #[error("{}: creating symlink: {source}", shown(.path))]
    Symlink { path: PathBuf, source: io::Error },
    #[error("{}: hard link target {} {reason}", shown(.path), shown(.target))]
    BadHardlinkTarget {
        path: PathBuf,
        target: PathBuf,
        reason: &'static str,
    },
    #[error("{}: creating hard link to {}: {source}", shown(.path), shown(.target))]
    Hardlink {
        path: PathBuf,
        target: PathBuf,
        source: io::Error,
    },
    #[error("{}: creating fifo: {source}", shown(.path))]
    Fifo { path: PathBuf, source: io::Error },
    #[error("{}: creating device: {source}", shown(.path))]
    Device { path: PathBuf, source: io::Error },
    #[error("{}: setting owner: {source}", shown(.path))]
    Chown { path: PathBuf, source: io::Error },
    #[error("{}: setting mode: {source}", shown(.path))]
    Chmod { path: PathBuf, source: io::Error },
    #[error("{}: setting timestamps: {source}", shown(.path))]
    Times { path: PathBuf, source: io::Error },
    #[error("{}: moving into place: {source}", shown(.path))]
    Rename { path: PathBuf, source: io::Error },
}

type Result<T, E = CopyError> = std::result::Result<T, E>;

/// What is at a path, as far as [`plan`] cares.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SrcInfo {
    pub is_dir: bool,
    pub exists: bool,
}

/// Looks at `path`, following a final symlink if `follow`. Any error, not
/// just a missing file, counts as not existing: `docker cp` can do nothing
/// else with a path it cannot stat.
pub fn stat_path(path: &Path, follow: bool) -> SrcInfo {
    let meta = if follow {
        std::fs::metadata(path)
    } else {
        std::fs::symlink_metadata(path)
    };
    match meta {
        Ok(meta) => SrcInfo {
            is_dir: meta.is_dir(),
            exists: true,
        },
        Err(_) => SrcInfo::default(),
    }
}

/// Where to extract an archive of the source, per [`plan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The existing directory to pass to [`extract`].
    pub extract_dir: String,
    /// For [`ExtractOptions::rename_top`].
    pub rename_top: Option<(String, String)>,
}

/// Applies `docker cp`'s destination rules to the user's SRC and DEST as
/// typed, with what is at each (DEST resolved as the caller sees fit).
///
/// Pure: that the parent of a missing DEST exists is checked by [`extract`]
/// when it opens [`Plan::extract_dir`].
pub fn plan(src: &str, src_info: &SrcInfo, dest: &str, dest_info: &SrcInfo) -> Result<Plan> {
    if !src_info.exists {
        return Err(CopyError::NotFound { path: src.into() });
    }
    let src_top = match split_src(src)? {
        Top::Contents => ".",
        Top::Entry { name, .. } => name,
    };
    if dest_info.exists && dest_info.is_dir {
        return Ok(Plan {
            extract_dir: dest.to_string(),
            rename_top: None,
        });
    }
    if dest_info.exists && src_info.is_dir {
        return Err(CopyError::DirToFile { path: dest.into() });
    }
    if !dest_info.exists && !src_info.is_dir && asserts_dir(dest) {
        return Err(CopyError::DestDirMissing { path: dest.into() });
    }
    let (extract_dir, dest_base) = split_dest(dest);
    Ok(Plan {
        extract_dir,
        rename_top: (src_top != dest_base).then(|| (src_top.to_string(), dest_base)),
    })
}

/// What an archive of a source holds, from the user's spelling of it.
enum Top<'a> {
    /// The directory's contents.
    Contents,
    /// One entry `name` in the directory `parent`.
    Entry { parent: &'a str, name: &'a str },
}

fn split_src(src: &str) -> Result<Top<'_>> {
    let invalid = |reason| CopyError::InvalidSource {
        path: src.into(),
        reason,
    };
    if src.is_empty() {
        return Err(invalid("empty path"));
    }
    let trimmed = src.trim_end_matches('/');
    if trimmed.is_empty() {
        return Ok(Top::Contents);
    }
    let (parent, name) = match trimmed.rfind('/') {
        Some(0) => ("/", &trimmed[1..]),
        Some(i) => (&trimmed[..i], &trimmed[i + 1..]),
        None => (".", trimmed),
    };
    match name {
        "." => Ok(Top::Contents),
        // The entry would be named `..`, which no extractor accepts.
        ".." => Err(invalid("ends in `..`; name the directory itself")),
        name => Ok(Top::Entry { parent, name }),
    }
}

/// Whether DEST says it must be a directory: a trailing `/` or `/.`.
fn asserts_dir(dest: &str) -> bool {
    dest.ends_with('/') || dest.ends_with("/.") || dest == "."
}

/// Splits DEST into its directory and basename, ignoring trailing `/` and
/// `/.`, which only assert that it is a directory.
fn split_dest(dest: &str) -> (String, String) {
    let mut trimmed = dest;
    loop {
        let shorter = trimmed.trim_end_matches('/');
        let shorter = shorter.strip_suffix("/.").unwrap_or(shorter);
        if shorter == trimmed {
            break;
        }
        trimmed = shorter;
    }
    match trimmed.rfind('/') {
        Some(0) => ("/".into(), trimmed[1..].into()),
        Some(i) => (trimmed[..i].into(), trimmed[i + 1..].into()),
        None if trimmed.is_empty() => ("/".into(), String::new()),
        None => (".".into(), trimmed.into()),
    }
}

/// Writes a tar of `src`, the path exactly as the user typed it, to `out`
/// and finishes the archive. `follow_link` follows `src` itself if it is a
/// symlink; the entry keeps the link's name.
pub fn archive(src: &str, follow_link: bool, out: impl Write) -> Result<()> {
    let src_path = Path::new(src);
    let top = split_src(src)?;
    let asserts_dir = src.ends_with('/') || matches!(top, Top::Contents);
    let missing = |e: Errno| match e {
        Errno::ENOTDIR if asserts_dir => CopyError::InvalidSource {
            path: src_path.to_path_buf(),
            reason: "not a directory",
        },
        Errno::ENOENT | Errno::ENOTDIR => CopyError::NotFound {
            path: src_path.to_path_buf(),
        },
        e => CopyError::Stat {
            path: src_path.to_path_buf(),
            source: e.into(),
        },
    };
    // The raw string gives the kernel's own answer for a trailing slash:
    // it follows a symlink and insists on a directory.
    let flags = if follow_link {
        AtFlags::empty()
    } else {
        AtFlags::AT_SYMLINK_NOFOLLOW
    };
    fstatat(AT_FDCWD, src_path, flags).map_err(missing)?;

    let mut archiver = Archiver {
        builder: tar::Builder::new(out),
        links: HashMap::new(),
    };
    match top {
        Top::Contents => {
            let dir = openat(
                AT_FDCWD,
                src_path,
                OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
                Mode::empty(),
            )
            .map_err(|e| match e {
                Errno::ENOENT | Errno::ENOTDIR => missing(e),
                e => CopyError::Open {
                    path: src_path.to_path_buf(),
                    source: e.into(),
                },
            })?;
            archiver.directory(dir, Path::new(""), src_path)?;
        }
        Top::Entry { parent, name } => {
            let parent = openat(
                AT_FDCWD,
                parent,
                OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
                Mode::empty(),
            )
            .map_err(missing)?;
            let follow = follow_link || src.ends_with('/');
            let name = OsStr::new(name);
            if !archiver.add(parent.as_fd(), name, Path::new(name), src_path, follow)? {
                return Err(CopyError::NotFound {
                    path: src_path.to_path_buf(),
                });
            }
        }
    }
    let finish_err = |source| CopyError::FinishArchive {
        path: src_path.to_path_buf(),
        source,
    };
    let mut out = archiver.builder.into_inner().map_err(finish_err)?;
    out.flush().map_err(finish_err)
}

/// Owner, mode, mtime and device of an entry to archive.
struct Attrs {
    uid: u64,
    gid: u64,
    mode: u32,
    mtime: u64,
    device: Option<Device>,
}

fn entry_type(device: Device) -> tar::EntryType {
    if device.block {
        tar::EntryType::Block
    } else {
        tar::EntryType::Char
    }
}

/// `file` is the inode itself, opened, for the override xattr: only regular
/// files and directories can carry user xattrs.
fn attrs_of(stat: &FileStat, file: Option<&File>) -> Attrs {
    let mut attrs = Attrs {
        uid: stat.st_uid.into(),
        gid: stat.st_gid.into(),
        mode: stat.st_mode & 0o7777,
        mtime: u64::try_from(stat.st_mtime).unwrap_or(0),
        device: None,
    };
    // A file without the xattr, or on a filesystem without xattrs, is
    // simply what it seems.
    if let Some(file) = file
        && let Ok(Some(value)) = file.get_xattr(OVERRIDE_STAT_XATTR)
        && let Ok(over) = OverrideStat::parse(&value)
    {
        attrs.uid = over.uid.into();
        attrs.gid = over.gid.into();
        attrs.mode = over.mode;
        if file_type(stat) == SFlag::S_IFREG {
            attrs.device = over.device();
        }
    }
    attrs
}

fn new_header(kind: tar::EntryType, attrs: &Attrs, size: u64) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(kind);
    header.set_mode(attrs.mode);
    header.set_uid(attrs.uid);
    header.set_gid(attrs.gid);
    header.set_mtime(attrs.mtime);
    header.set_size(size);
    // Zero rather than blank, which some readers refuse to parse.
    header
        .set_device_major(0)
        .and_then(|()| header.set_device_minor(0))
        .expect("GNU headers have device fields");
    header
}

struct Archiver<W: Write> {
    builder: tar::Builder<W>,
    /// First archived name of each multiply linked inode, by device and
    /// inode number.
    links: HashMap<(u64, u64), PathBuf>,
}

impl<W: Write> Archiver<W> {
    /// Archives `name` in `dir` as `tar_name`, and below it if a directory.
    /// `path` is where it is on disk, for errors. Returns false if it is
    /// gone: a live container changes while it is copied.
    fn add(
        &mut self,
        dir: BorrowedFd<'_>,
        name: &OsStr,
        tar_name: &Path,
        path: &Path,
        follow: bool,
    ) -> Result<bool> {
        let (at_flags, nofollow) = if follow {
            (AtFlags::empty(), OFlag::empty())
        } else {
            (AtFlags::AT_SYMLINK_NOFOLLOW, OFlag::O_NOFOLLOW)
        };
        let stat = match fstatat(dir, name, at_flags) {
            Ok(stat) => stat,
            Err(Errno::ENOENT) => return Ok(false),
            Err(e) => return Err(stat_err(path, e)),
        };
        let open = |flags: OFlag| match openat(dir, name, flags | nofollow, Mode::empty()) {
            Ok(fd) => Ok(Some(fd)),
            Err(Errno::ENOENT) => Ok(None),
            Err(e) => Err(CopyError::Open {
                path: path.to_path_buf(),
                source: e.into(),
            }),
        };
        let kind = file_type(&stat);
        if kind == SFlag::S_IFDIR {
            let Some(fd) = open(OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC)? else {
                return Ok(false);
            };
            self.directory(fd, tar_name, path)?;
        } else if kind == SFlag::S_IFREG {
            // O_NONBLOCK: should a fifo have taken the file's place since
            // the stat, opening it must not wait for a writer.
            let flags = OFlag::O_RDONLY | OFlag::O_NONBLOCK | OFlag::O_NOCTTY | OFlag::O_CLOEXEC;
            let Some(fd) = open(flags)? else {
                return Ok(false);
            };
            let file = File::from(fd);
            let stat = fstat(&file).map_err(|e| stat_err(path, e))?;
            if file_type(&stat) != SFlag::S_IFREG {
                return Ok(false);
            }
            self.regular(&file, &stat, tar_name, path)?;
        } else if kind == SFlag::S_IFLNK {
            let target = match readlinkat(dir, name) {
                Ok(target) => target,
                Err(Errno::ENOENT) => return Ok(false),
                Err(e) => {
                    return Err(CopyError::ReadLink {
                        path: path.to_path_buf(),
                        source: e.into(),
                    });
                }
            };
            if !self.hardlink(&stat, tar_name, path)? {
                let mut header = new_header(tar::EntryType::Symlink, &attrs_of(&stat, None), 0);
                self.builder
                    .append_link(&mut header, tar_name, &target)
                    .map_err(|e| archive_err(path, e))?;
            }
        } else if (kind == SFlag::S_IFIFO || kind == SFlag::S_IFCHR || kind == SFlag::S_IFBLK)
            && !self.hardlink(&stat, tar_name, path)?
        {
            let mut attrs = attrs_of(&stat, None);
            if kind != SFlag::S_IFIFO {
                let too_big = |_| {
                    let e = io::Error::new(io::ErrorKind::InvalidData, "device number too large");
                    archive_err(path, e)
                };
                attrs.device = Some(Device {
                    block: kind == SFlag::S_IFBLK,
                    major: u32::try_from(major(stat.st_rdev)).map_err(too_big)?,
                    minor: u32::try_from(minor(stat.st_rdev)).map_err(too_big)?,
                });
            }
            self.special(&attrs, tar_name, path)?;
        }
        // Sockets cannot be recreated from a tar, as Docker skips them.
        Ok(true)
    }

    /// Archives the open directory `dir` as `tar_name`, `./` if empty, then
    /// its children in name order so archives are reproducible.
    fn directory(&mut self, dir: OwnedFd, tar_name: &Path, path: &Path) -> Result<()> {
        let dir = File::from(dir);
        let stat = fstat(&dir).map_err(|e| stat_err(path, e))?;
        let attrs = attrs_of(&stat, Some(&dir));
        let mut name = if tar_name.as_os_str().is_empty() {
            b".".to_vec()
        } else {
            tar_name.as_os_str().as_bytes().to_vec()
        };
        name.push(b'/');
        let mut header = new_header(tar::EntryType::Directory, &attrs, 0);
        self.builder
            .append_data(&mut header, OsStr::from_bytes(&name), io::empty())
            .map_err(|e| archive_err(path, e))?;

        let list_err = |e: Errno| CopyError::ReadDir {
            path: path.to_path_buf(),
            source: e.into(),
        };
        let mut children = Vec::new();
        let mut listing = Dir::from_fd(dup(&dir).map_err(list_err)?).map_err(list_err)?;
        for child in listing.iter() {
            let child = child.map_err(list_err)?;
            let child = child.file_name().to_bytes();
            if child != b"." && child != b".." {
                children.push(OsStr::from_bytes(child).to_os_string());
            }
        }
        drop(listing);
        children.sort();
        for child in children {
            self.add(
                dir.as_fd(),
                &child,
                &tar_name.join(&child),
                &path.join(&child),
                false,
            )?;
        }
        Ok(())
    }

    fn regular(
        &mut self,
        file: &File,
        stat: &FileStat,
        tar_name: &Path,
        path: &Path,
    ) -> Result<()> {
        if self.hardlink(stat, tar_name, path)? {
            return Ok(());
        }
        let attrs = attrs_of(stat, Some(file));
        if attrs.device.is_some() {
            // A placeholder the store made for a device it could not create.
            return self.special(&attrs, tar_name, path);
        }
        let size = u64::try_from(stat.st_size).unwrap_or(0);
        let mut header = new_header(tar::EntryType::Regular, &attrs, size);
        // A tar entry must hold exactly the size in its header, so a file
        // that grows or shrinks while being read is cut or zero-padded.
        let data = file.take(size).chain(io::repeat(0)).take(size);
        self.builder
            .append_data(&mut header, tar_name, data)
            .map_err(|e| archive_err(path, e))
    }

    /// Fifos and devices: everything is in the header.
    fn special(&mut self, attrs: &Attrs, tar_name: &Path, path: &Path) -> Result<()> {
        let kind = attrs.device.map_or(tar::EntryType::Fifo, entry_type);
        let mut header = new_header(kind, attrs, 0);
        if let Some(device) = attrs.device {
            header
                .set_device_major(device.major)
                .and_then(|()| header.set_device_minor(device.minor))
                .map_err(|e| archive_err(path, e))?;
        }
        self.builder
            .append_data(&mut header, tar_name, io::empty())
            .map_err(|e| archive_err(path, e))
    }

    /// Writes a hard-link entry if this inode was archived before under
    /// another name, and remembers it otherwise. Returns whether it wrote.
    fn hardlink(&mut self, stat: &FileStat, tar_name: &Path, path: &Path) -> Result<bool> {
        if stat.st_nlink < 2 {
            return Ok(false);
        }
        let key = (stat.st_dev, stat.st_ino);
        let Some(first) = self.links.get(&key) else {
            self.links.insert(key, tar_name.to_path_buf());
            return Ok(false);
        };
        let mut header = new_header(tar::EntryType::Link, &attrs_of(stat, None), 0);
        self.builder
            .append_link(&mut header, tar_name, first)
            .map_err(|e| archive_err(path, e))?;
        Ok(true)
    }
}

fn stat_err(path: &Path, e: Errno) -> CopyError {
    CopyError::Stat {
        path: path.to_path_buf(),
        source: e.into(),
    }
}

fn archive_err(path: &Path, source: io::Error) -> CopyError {
    CopyError::Archive {
        path: path.to_path_buf(),
        source,
    }
}

/// How [`extract`] treats what it creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractOptions {
    /// Renames the first path component `.0` of every entry (and hard-link
    /// target) to `.1`, which must be a single name; entries not below `.0`
    /// are refused. `.0 == "."` puts every entry below `.1` instead, for an
    /// archive of a directory's contents.
    pub rename_top: Option<(String, String)>,
    pub owner: Owner,
    /// Refuse to replace a directory with a non-directory or the reverse,
    /// as `docker cp` does, rather than remove what is there.
    pub no_overwrite_dir_non_dir: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// The tar's uid and gid. An id the kernel will not give (unmapped in
    /// this user namespace, or no privilege) is recorded in
    /// `user.containers.override_stat` instead, where the filesystem allows it.
    Keep,
    /// Never chowns: the tar's owner and mode are recorded in
    /// `user.containers.override_stat` unless they are root's with the
    /// mode on disk, as a layer records them. For a volume's files, which
    /// the container sees through its ownership emulation.
    Record,
    /// Whoever extracts owns everything, as when copying out to the host.
    /// Device entries are skipped: a container must not be able to hand
    /// the host a device node, even when `rsp` runs as root.
    Caller,
}

/// Extracts the tar stream `input` into the existing directory `dest`; see
/// the module documentation for what a hostile stream cannot do.
pub fn extract(input: impl Read, dest: &Path, opts: &ExtractOptions) -> Result<()> {
    if let Some((_, new)) = &opts.rename_top
        && (new.is_empty() || new == "." || new == ".." || new.contains(['/', '\0']))
    {
        return Err(CopyError::InvalidPath {
            path: new.into(),
            reason: "the new top name must be a single path component",
        });
    }
    let root = openat(
        AT_FDCWD,
        dest,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| CopyError::OpenDest {
        path: dest.to_path_buf(),
        source: e.into(),
    })?;
    let read_err = |source| CopyError::Read {
        path: dest.to_path_buf(),
        source,
    };
    let mut archive = tar::Archive::new(input);
    let mut extractor = Extractor {
        root,
        dest,
        opts,
        dirs: HashMap::new(),
        buf: vec![0; IO_BUF_SIZE],
    };
    for entry in archive.entries().map_err(read_err)? {
        extractor.entry(&mut entry.map_err(read_err)?)?;
    }
    extractor.finish()?;
    // The writer may still be sending the end-of-archive blocks or record
    // padding; closing the pipe on it would fail its copy.
    io::copy(&mut archive.into_inner(), &mut io::sink()).map_err(read_err)?;
    Ok(())
}

/// Tar-side attributes of one entry.
#[derive(Debug, Clone, Copy)]
struct Meta {
    uid: u64,
    gid: u64,
    /// Permission bits including setuid, setgid and sticky.
    mode: u32,
    mtime: TimeSpec,
}

impl Meta {
    fn override_stat(&self, device: Option<Device>) -> String {
        let record = OverrideStat::new(layer::tar_id(self.uid), layer::tar_id(self.gid), self.mode);
        match device {
            Some(device) => record.with_device(device).to_string(),
            None => record.to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct DirAttrs {
    meta: Meta,
    /// Made by this extraction rather than merged into.
    created: bool,
}

struct Extractor<'a> {
    root: OwnedFd,
    dest: &'a Path,
    opts: &'a ExtractOptions,
    /// Directory attributes, applied after all entries because writing into
    /// a directory changes its mtime and a read-only one would block later
    /// entries. Keyed by clean path so a later entry wins.
    dirs: HashMap<PathBuf, DirAttrs>,
    buf: Vec<u8>,
}

impl Extractor<'_> {
    fn entry<R: Read>(&mut self, entry: &mut tar::Entry<'_, R>) -> Result<()> {
        let raw = entry.path_bytes().into_owned();
        let name_in_tar = PathBuf::from(OsString::from_vec(raw.clone()));
        let kind = entry.header().entry_type();
        if !matches!(
            kind,
            tar::EntryType::Regular
                | tar::EntryType::Continuous
                | tar::EntryType::GNUSparse
                | tar::EntryType::Directory
                | tar::EntryType::Symlink
                | tar::EntryType::Link
                | tar::EntryType::Char
                | tar::EntryType::Block
                | tar::EntryType::Fifo
        ) {
            // PAX globals, volume labels and unknown types create nothing.
            return Ok(());
        }
        let clean = self
            .resolve(&raw)
            .map_err(|reason| CopyError::InvalidPath {
                path: name_in_tar.clone(),
                reason,
            })?;
        let Some(clean) = clean else {
            // `dest` itself, which belongs to the caller.
            return Ok(());
        };
        let path = self.dest.join(&clean);
        let (Some(parent_path), Some(name)) = (clean.parent(), clean.file_name()) else {
            return Ok(());
        };
        let header = entry.header();
        let header_err = |source| CopyError::Header {
            path: name_in_tar.clone(),
            source,
        };
        let mtime = header.mtime().map_err(header_err)?;
        let meta = Meta {
            uid: header.uid().map_err(header_err)?,
            gid: header.gid().map_err(header_err)?,
            mode: header.mode().map_err(header_err)? & 0o7777,
            mtime: TimeSpec::new(i64::try_from(mtime).unwrap_or(i64::MAX), 0),
        };
        let device = if matches!(kind, tar::EntryType::Char | tar::EntryType::Block) {
            Some(Device {
                block: kind == tar::EntryType::Block,
                major: header.device_major().map_err(header_err)?.unwrap_or(0),
                minor: header.device_minor().map_err(header_err)?.unwrap_or(0),
            })
        } else {
            None
        };
        let parent = self
            .walk(parent_path, true)
            .map_err(|e| self.walk_err(e, &path))?;
        let parent = parent.as_fd();

        match kind {
            tar::EntryType::Directory => self.directory(parent, name, &clean, meta, &path),
            // Pre-POSIX tars mark directories only by a trailing slash.
            tar::EntryType::Regular if raw.ends_with(b"/") => {
                self.directory(parent, name, &clean, meta, &path)
            }
            tar::EntryType::Symlink => {
                let target = link_target(entry, &name_in_tar)?;
                self.symlink(parent, name, &clean, &target, meta, &path)
            }
            tar::EntryType::Link => {
                let target = link_target(entry, &name_in_tar)?;
                self.hardlink(parent, name, &clean, &target, &path)
            }
            tar::EntryType::Fifo => self.fifo(parent, name, &clean, meta, &path),
            _ => match device {
                Some(device) => self.device(parent, name, &clean, meta, device, &path),
                None => self.regular_file(entry, parent, name, &clean, meta, &path),
            },
        }
    }

    /// Resolves a tar name to a path relative to `dest`, `None` for `dest`
    /// itself: leading `/`, empty and `.` components vanish, `..` may not
    /// climb above `dest`, then the top component is renamed.
    fn resolve(&self, raw: &[u8]) -> Result<Option<PathBuf>, &'static str> {
        if raw.contains(&0) {
            return Err("contains a NUL byte");
        }
        let mut parts: Vec<&[u8]> = Vec::new();
        for part in raw.split(|&b| b == b'/') {
            match part {
                b"" | b"." => {}
                b".." => {
                    if parts.pop().is_none() {
                        return Err("climbs out of the destination with `..`");
                    }
                }
                part => parts.push(part),
            }
        }
        if let Some((old, new)) = &self.opts.rename_top {
            if old == "." {
                parts.insert(0, new.as_bytes());
            } else {
                match parts.first_mut() {
                    // Renaming `dest` itself makes no sense; skip it.
                    None => return Ok(None),
                    Some(first) if *first == old.as_bytes() => *first = new.as_bytes(),
                    // Writing next to the destination the user named would
                    // go beyond what they asked for.
                    Some(_) => return Err("is not below the copied path"),
                }
            }
        }
        if parts.is_empty() {
            return Ok(None);
        }
        let clean = PathBuf::from(OsString::from_vec(parts.join(&b'/')));
        if clean.as_os_str().len() > MAX_PATH_LEN {
            return Err("longer than PATH_MAX");
        }
        Ok(Some(clean))
    }

    /// Opens directory `dir` (clean, relative to `dest`) one component at a
    /// time, never following a symlink, creating missing ones if `create`.
    fn walk(&self, dir: &Path, create: bool) -> Result<OwnedFd, WalkError> {
        walk::walk_dirs(self.root.as_fd(), dir, create)
    }

    fn walk_err(&self, err: WalkError, path: &Path) -> CopyError {
        let path = path.to_path_buf();
        let component = self.dest.join(err.component);
        match err.kind {
            WalkErrorKind::Symlink => CopyError::SymlinkInPath { path, component },
            WalkErrorKind::NotADirectory => CopyError::NotADirectory { path, component },
            WalkErrorKind::Missing => CopyError::Parent {
                path,
                component,
                source: Errno::ENOENT.into(),
            },
            WalkErrorKind::Io(e) => CopyError::Parent {
                path,
                component,
                source: e.into(),
            },
        }
    }

    /// Readies `name` for a non-directory. A directory there is an error or
    /// is removed, per the options; anything else stays until the rename
    /// replaces it, and its stat is returned.
    fn make_room(
        &mut self,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        clean: &Path,
        path: &Path,
    ) -> Result<Option<FileStat>> {
        let remove_err = |e: Errno| CopyError::RemoveExisting {
            path: path.to_path_buf(),
            source: e.into(),
        };
        match fstatat(parent, name, AtFlags::AT_SYMLINK_NOFOLLOW) {
            Ok(stat) if file_type(&stat) == SFlag::S_IFDIR => {
                if self.opts.no_overwrite_dir_non_dir {
                    return Err(CopyError::OverwriteDir {
                        path: path.to_path_buf(),
                    });
                }
                remove_tree(parent, name).map_err(remove_err)?;
                self.dirs.retain(|dir, _| !dir.starts_with(clean));
                Ok(None)
            }
            Ok(stat) => Ok(Some(stat)),
            Err(Errno::ENOENT) => Ok(None),
            Err(e) => Err(stat_err(path, e)),
        }
    }

    fn directory(
        &mut self,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        clean: &Path,
        meta: Meta,
        path: &Path,
    ) -> Result<()> {
        let create = match fstatat(parent, name, AtFlags::AT_SYMLINK_NOFOLLOW) {
            Ok(stat) if file_type(&stat) == SFlag::S_IFDIR => false,
            Ok(_) => {
                if self.opts.no_overwrite_dir_non_dir {
                    return Err(CopyError::OverwriteNonDir {
                        path: path.to_path_buf(),
                    });
                }
                unlinkat(parent, name, UnlinkatFlags::NoRemoveDir).map_err(|e| {
                    CopyError::RemoveExisting {
                        path: path.to_path_buf(),
                        source: e.into(),
                    }
                })?;
                true
            }
            Err(Errno::ENOENT) => true,
            Err(e) => return Err(stat_err(path, e)),
        };
        if create {
            // Private until its attributes are applied at the end.
            mkdirat(parent, name, Mode::S_IRWXU).map_err(|e| CopyError::CreateDir {
                path: path.to_path_buf(),
                source: e.into(),
            })?;
        }
        let created = create || self.dirs.get(clean).is_some_and(|d| d.created);
        self.dirs
            .insert(clean.to_path_buf(), DirAttrs { meta, created });
        Ok(())
    }

    fn regular_file<R: Read>(
        &mut self,
        entry: &mut tar::Entry<'_, R>,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        clean: &Path,
        meta: Meta,
        path: &Path,
    ) -> Result<()> {
        self.make_room(parent, name, clean, path)?;
        let tmp = temp_name();
        let file = create_temp_file(parent, &tmp, path)?;
        let result = self.fill_file(entry, &file, meta, path);
        commit(parent, &tmp, name, result, path)
    }

    fn fill_file<R: Read>(
        &mut self,
        entry: &mut tar::Entry<'_, R>,
        mut file: &File,
        meta: Meta,
        path: &Path,
    ) -> Result<()> {
        let expected = entry.size();
        let mut actual = 0u64;
        loop {
            let n = match entry.read(&mut self.buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(source) => {
                    return Err(CopyError::ReadData {
                        path: path.to_path_buf(),
                        source,
                    });
                }
            };
            file.write_all(&self.buf[..n])
                .map_err(|source| CopyError::WriteFile {
                    path: path.to_path_buf(),
                    source,
                })?;
            actual += n as u64;
        }
        // The tar reader ends an entry early, without an error, when the
        // stream does.
        if actual != expected {
            return Err(CopyError::Truncated {
                path: path.to_path_buf(),
                expected,
                actual,
            });
        }
        self.set_owner(file, meta, path)?;
        set_mode_and_times(file, meta, path)
    }

    fn symlink(
        &mut self,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        clean: &Path,
        target: &OsStr,
        meta: Meta,
        path: &Path,
    ) -> Result<()> {
        self.make_room(parent, name, clean, path)?;
        let tmp = temp_name();
        symlinkat(target, parent, tmp.as_os_str()).map_err(|e| CopyError::Symlink {
            path: path.to_path_buf(),
            source: e.into(),
        })?;
        let result = self
            .set_owner_at(parent, &tmp, meta, path)
            .and_then(|()| times_at(parent, &tmp, meta, path));
        commit(parent, &tmp, name, result, path)
    }

    fn hardlink(
        &mut self,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        clean: &Path,
        target: &OsStr,
        path: &Path,
    ) -> Result<()> {
        let target_path = PathBuf::from(target);
        let bad_target = |reason| CopyError::BadHardlinkTarget {
            path: path.to_path_buf(),
            target: target_path.clone(),
            reason,
        };
        let target_clean = self
            .resolve(target.as_bytes())
            .map_err(bad_target)?
            .ok_or_else(|| bad_target("is the destination itself"))?;
        if target_clean == clean {
            return Ok(());
        }
        let (Some(target_parent), Some(target_name)) =
            (target_clean.parent(), target_clean.file_name())
        else {
            return Err(bad_target("is the destination itself"));
        };
        let target_dir = match self.walk(target_parent, false) {
            Ok(fd) => fd,
            Err(WalkError {
                kind: WalkErrorKind::Missing,
                ..
            }) => return Err(bad_target("does not exist")),
            Err(e) => return Err(self.walk_err(e, path)),
        };
        let link_err = |e: Errno| CopyError::Hardlink {
            path: path.to_path_buf(),
            target: target_path.clone(),
            source: e.into(),
        };
        let target_stat = match fstatat(&target_dir, target_name, AtFlags::AT_SYMLINK_NOFOLLOW) {
            Ok(stat) if file_type(&stat) == SFlag::S_IFDIR => {
                return Err(bad_target("is a directory"));
            }
            Ok(stat) => stat,
            Err(Errno::ENOENT) => return Err(bad_target("does not exist")),
            Err(e) => return Err(link_err(e)),
        };
        if let Some(existing) = self.make_room(parent, name, clean, path)?
            && (existing.st_dev, existing.st_ino) == (target_stat.st_dev, target_stat.st_ino)
        {
            // Renaming a link over another name of the same inode would do
            // nothing and leave the temporary name behind.
            return Ok(());
        }
        let tmp = temp_name();
        // No AT_SYMLINK_FOLLOW: a link to a symlink links the symlink itself.
        linkat(
            &target_dir,
            target_name,
            parent,
            tmp.as_os_str(),
            AtFlags::empty(),
        )
        .map_err(link_err)?;
        commit(parent, &tmp, name, Ok(()), path)
    }

    fn fifo(
        &mut self,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        clean: &Path,
        meta: Meta,
        path: &Path,
    ) -> Result<()> {
        let fifo_err = |e: Errno| CopyError::Fifo {
            path: path.to_path_buf(),
            source: e.into(),
        };
        self.make_room(parent, name, clean, path)?;
        let tmp = temp_name();
        mkfifoat(parent, tmp.as_os_str(), Mode::S_IRUSR | Mode::S_IWUSR).map_err(fifo_err)?;
        // A non-blocking read-only open of a fifo returns at once, and gives
        // a descriptor to set the exact mode (no umask) through.
        let result = openat(
            parent,
            tmp.as_os_str(),
            OFlag::O_RDONLY | OFlag::O_NONBLOCK | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(fifo_err)
        .and_then(|fd| {
            let fifo = File::from(fd);
            self.set_owner(&fifo, meta, path)?;
            set_mode_and_times(&fifo, meta, path)
        });
        commit(parent, &tmp, name, result, path)
    }

    fn device(
        &mut self,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        clean: &Path,
        meta: Meta,
        device: Device,
        path: &Path,
    ) -> Result<()> {
        if self.opts.owner == Owner::Caller {
            return Ok(());
        }
        let device_err = |e: Errno| CopyError::Device {
            path: path.to_path_buf(),
            source: e.into(),
        };
        self.make_room(parent, name, clean, path)?;
        let tmp = temp_name();
        let kind = if device.block {
            SFlag::S_IFBLK
        } else {
            SFlag::S_IFCHR
        };
        let dev = makedev(device.major.into(), device.minor.into());
        match mknodat(parent, tmp.as_os_str(), kind, Mode::S_IRUSR, dev) {
            Ok(()) => {
                // Opening a device can have side effects, so its mode is set
                // by name; the name is our fresh temporary one.
                let result = self
                    .set_owner_at(parent, &tmp, meta, path)
                    .and_then(|()| {
                        fchmodat(
                            parent,
                            tmp.as_os_str(),
                            Mode::from_bits_truncate(meta.mode),
                            FchmodatFlags::FollowSymlink,
                        )
                        .map_err(|e| CopyError::Chmod {
                            path: path.to_path_buf(),
                            source: e.into(),
                        })
                    })
                    .and_then(|()| times_at(parent, &tmp, meta, path));
                commit(parent, &tmp, name, result, path)
            }
            // Without CAP_MKNOD, as in any user namespace, Docker skips
            // devices; keep a placeholder the store's way instead, so the
            // copy says what the device was.
            Err(Errno::EPERM) => {
                let file = create_temp_file(parent, &tmp, path)?;
                let _ = file.set_xattr(
                    OVERRIDE_STAT_XATTR,
                    meta.override_stat(Some(device)).as_bytes(),
                );
                let result =
                    futimens(&file, &meta.mtime, &meta.mtime).map_err(|e| CopyError::Times {
                        path: path.to_path_buf(),
                        source: e.into(),
                    });
                commit(parent, &tmp, name, result, path)
            }
            Err(e) => Err(device_err(e)),
        }
    }

    /// Applies [`ExtractOptions::owner`] to an open inode, before its mode
    /// since a chown clears setuid and setgid bits. Returns whether it
    /// changed the owner on disk.
    fn set_owner(&self, file: &File, meta: Meta, path: &Path) -> Result<bool> {
        match self.opts.owner {
            Owner::Caller => return Ok(false),
            Owner::Record => {
                if (meta.uid, meta.gid) != (0, 0) {
                    let _ =
                        file.set_xattr(OVERRIDE_STAT_XATTR, meta.override_stat(None).as_bytes());
                } else {
                    // A directory merged into may carry an older record.
                    let _ = file.remove_xattr(OVERRIDE_STAT_XATTR);
                }
                return Ok(false);
            }
            Owner::Keep => {}
        }
        match ids(meta).and_then(|(uid, gid)| fchown(file, Some(uid), Some(gid))) {
            Ok(()) => Ok(true),
            Err(Errno::EPERM | Errno::EINVAL) => {
                // Best effort: some filesystems take no user xattrs, and
                // fifos none at all; the copy is still worth having.
                let _ = file.set_xattr(OVERRIDE_STAT_XATTR, meta.override_stat(None).as_bytes());
                Ok(false)
            }
            Err(e) => Err(CopyError::Chown {
                path: path.to_path_buf(),
                source: e.into(),
            }),
        }
    }

    /// [`Self::set_owner`] for symlinks and devices, which are not opened.
    /// Neither can carry a user xattr, so an id the kernel refuses is lost.
    fn set_owner_at(
        &self,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        meta: Meta,
        path: &Path,
    ) -> Result<()> {
        if self.opts.owner != Owner::Keep {
            return Ok(());
        }
        let chown = ids(meta).and_then(|(uid, gid)| {
            fchownat(
                parent,
                name,
                Some(uid),
                Some(gid),
                AtFlags::AT_SYMLINK_NOFOLLOW,
            )
        });
        match chown {
            Ok(()) | Err(Errno::EPERM | Errno::EINVAL) => Ok(()),
            Err(e) => Err(CopyError::Chown {
                path: path.to_path_buf(),
                source: e.into(),
            }),
        }
    }

    /// Applies the deferred directory attributes, deepest first so that a
    /// directory made unsearchable does not hide those below it.
    fn finish(self) -> Result<()> {
        let mut dirs: Vec<_> = self.dirs.iter().collect();
        dirs.sort_by_key(|(dir, _)| std::cmp::Reverse(dir.components().count()));
        for (dir, &DirAttrs { meta, created }) in dirs {
            let path = self.dest.join(dir);
            let (Some(parent_path), Some(name)) = (dir.parent(), dir.file_name()) else {
                continue;
            };
            // A directory that a later entry replaced has nothing to apply.
            let parent = match self.walk(parent_path, false) {
                Ok(fd) => fd,
                Err(
                    e @ WalkError {
                        kind: WalkErrorKind::Io(_),
                        ..
                    },
                ) => return Err(self.walk_err(e, &path)),
                Err(_) => continue,
            };
            let fd = match openat(
                &parent,
                name,
                OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
                Mode::empty(),
            ) {
                Ok(fd) => fd,
                Err(Errno::ENOENT | Errno::ENOTDIR | Errno::ELOOP) => continue,
                Err(e) => {
                    return Err(CopyError::Open {
                        path,
                        source: e.into(),
                    });
                }
            };
            let dir = File::from(fd);
            if self.set_owner(&dir, meta, &path)? {
                // A directory merged into may carry an override from its
                // image that would now contradict its real owner.
                let _ = dir.remove_xattr(OVERRIDE_STAT_XATTR);
            }
            // Someone else's directory that was only merged into, such as
            // the host's /tmp, keeps its attributes: the contents copied
            // are what the user asked for.
            if let Err(e) = set_mode_and_times(&dir, meta, &path)
                && (created || !is_eperm(&e))
            {
                return Err(e);
            }
        }
        Ok(())
    }
}

/// Unique per call, so concurrent copies into one directory never collide,
/// and short, so it fits whatever the final name's length.
fn temp_name() -> OsString {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    format!(".rsp-cp-{}-{seq}", std::process::id()).into()
}

fn create_temp_file(parent: BorrowedFd<'_>, tmp: &OsStr, path: &Path) -> Result<File> {
    let fd = openat(
        parent,
        tmp,
        OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::S_IRUSR | Mode::S_IWUSR,
    )
    .map_err(|e| CopyError::CreateFile {
        path: path.to_path_buf(),
        source: e.into(),
    })?;
    Ok(File::from(fd))
}

/// Renames the finished temporary entry `tmp` over `name` (rename replaces
/// a file or symlink there without following it), or removes it if
/// `result`, its preparation, failed.
fn commit(
    parent: BorrowedFd<'_>,
    tmp: &OsStr,
    name: &OsStr,
    result: Result<()>,
    path: &Path,
) -> Result<()> {
    let result = result.and_then(|()| {
        renameat(parent, tmp, parent, name).map_err(|e| CopyError::Rename {
            path: path.to_path_buf(),
            source: e.into(),
        })
    });
    if result.is_err() {
        let _ = unlinkat(parent, tmp, UnlinkatFlags::NoRemoveDir);
    }
    result
}

/// The tar's ids as the kernel's; ids beyond 32 bits cannot exist, which
/// the kernel would say with EINVAL too.
/// The ids to chown to; EINVAL, as the kernel says, for one that is not a
/// valid `uid_t` (too big, or -1, which would mean "unchanged").
fn ids(meta: Meta) -> nix::Result<(Uid, Gid)> {
    let id = |id: u64| match u32::try_from(id) {
        Ok(id) if id != u32::MAX => Ok(id),
        _ => Err(Errno::EINVAL),
    };
    Ok((Uid::from_raw(id(meta.uid)?), Gid::from_raw(id(meta.gid)?)))
}

fn is_eperm(err: &CopyError) -> bool {
    match err {
        CopyError::Chmod { source, .. } | CopyError::Times { source, .. } => {
            source.raw_os_error() == Some(libc::EPERM)
        }
        _ => false,
    }
}

fn set_mode_and_times(file: &File, meta: Meta, path: &Path) -> Result<()> {
    fchmod(file, Mode::from_bits_truncate(meta.mode)).map_err(|e| CopyError::Chmod {
        path: path.to_path_buf(),
        source: e.into(),
    })?;
    futimens(file, &meta.mtime, &meta.mtime).map_err(|e| CopyError::Times {
        path: path.to_path_buf(),
        source: e.into(),
    })
}

/// Sets the mtime of `name` in `parent` by name, without following it (a
/// symlink or device we just made under a temporary name).
fn times_at(parent: BorrowedFd<'_>, name: &OsStr, meta: Meta, path: &Path) -> Result<()> {
    utimensat(
        parent,
        name,
        &meta.mtime,
        &meta.mtime,
        UtimensatFlags::NoFollowSymlink,
    )
    .map_err(|e| CopyError::Times {
        path: path.to_path_buf(),
        source: e.into(),
    })
}

fn link_target<R: Read>(entry: &tar::Entry<'_, R>, name_in_tar: &Path) -> Result<OsString> {
    walk::link_target(entry).map_err(|reason| CopyError::InvalidPath {
        path: name_in_tar.to_path_buf(),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::fs;
    use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt, symlink};
    use std::os::unix::net::UnixListener;
    use tar::EntryType;

    /// Builds tar streams, writing names raw so hostile ones survive.
    use super::super::testtar::{MTIME, Spec, Tar};
    use rsp_base::testing::require_or_skip;

    fn opts() -> ExtractOptions {
        ExtractOptions {
            rename_top: None,
            owner: Owner::Caller,
            no_overwrite_dir_non_dir: true,
        }
    }

    /// `dest` to extract into and a sibling `outside` holding a secret,
    /// which no hostile entry may touch.
    struct Sandbox {
        base: tempfile::TempDir,
    }

    impl Sandbox {
        fn new() -> Self {
            let base = tempfile::tempdir().unwrap();
            fs::create_dir(base.path().join("dest")).unwrap();
            fs::create_dir(base.path().join("outside")).unwrap();
            fs::write(base.path().join("outside/secret"), b"secret").unwrap();
            Self { base }
        }

        fn dest(&self) -> PathBuf {
            self.base.path().join("dest")
        }

        fn outside(&self) -> PathBuf {
            self.base.path().join("outside")
        }

        /// Everything under the base but inside `dest`, with the metadata
        /// a write would change.
        fn outside_state(&self) -> BTreeMap<PathBuf, (u32, u64, u64, i64, Vec<u8>)> {
            let mut state = BTreeMap::new();
            let mut stack = vec![self.base.path().to_path_buf()];
            while let Some(dir) = stack.pop() {
                for entry in fs::read_dir(&dir).unwrap() {
                    let path = entry.unwrap().path();
                    if path == self.dest() {
                        continue;
                    }
                    let meta = fs::symlink_metadata(&path).unwrap();
                    let content = if meta.is_file() {
                        fs::read(&path).unwrap()
                    } else {
                        Vec::new()
                    };
                    let state_of = (
                        meta.mode(),
                        meta.nlink(),
                        meta.size(),
                        meta.mtime(),
                        content,
                    );
                    state.insert(path.clone(), state_of);
                    if meta.is_dir() {
                        stack.push(path);
                    }
                }
            }
            state
        }

        /// Extracts a hostile stream and checks nothing outside `dest`
        /// moved and no temporary name was left behind.
        fn extract_hostile(&self, tar: &[u8], opts: &ExtractOptions) -> Result<()> {
            let before = self.outside_state();
            let result = extract(tar, &self.dest(), opts);
            assert_eq!(before, self.outside_state(), "outside of dest changed");
            assert!(
                !fs::read_dir(self.dest()).unwrap().any(|e| e
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with(".rsp-cp-")),
                "temporary file left behind"
            );
            result
        }
    }

    struct Listed {
        name: String,
        kind: EntryType,
        uid: u64,
        gid: u64,
        mode: u32,
        mtime: u64,
        link: Option<String>,
        device: (u32, u32),
        data: Vec<u8>,
    }

    fn list(tar: &[u8]) -> Vec<Listed> {
        let mut archive = tar::Archive::new(tar);
        archive
            .entries()
            .unwrap()
            .map(|entry| {
                let mut entry = entry.unwrap();
                let mut data = Vec::new();
                entry.read_to_end(&mut data).unwrap();
                let header = entry.header();
                Listed {
                    name: String::from_utf8(entry.path_bytes().into_owned()).unwrap(),
                    kind: header.entry_type(),
                    uid: header.uid().unwrap(),
                    gid: header.gid().unwrap(),
                    mode: header.mode().unwrap(),
                    mtime: header.mtime().unwrap(),
                    link: entry
                        .link_name_bytes()
                        .map(|l| String::from_utf8(l.into_owned()).unwrap()),
                    device: (
                        header.device_major().unwrap().unwrap_or(0),
                        header.device_minor().unwrap().unwrap_or(0),
                    ),
                    data,
                }
            })
            .collect()
    }

    fn names(tar: &[u8]) -> Vec<String> {
        list(tar).into_iter().map(|e| e.name).collect()
    }

    fn archive_of(src: impl AsRef<Path>, follow: bool) -> Vec<u8> {
        let mut tar = Vec::new();
        archive(src.as_ref().to_str().unwrap(), follow, &mut tar).unwrap();
        tar
    }

    fn set_mtime(path: impl AsRef<Path>, secs: i64) {
        let t = TimeSpec::new(secs, 0);
        let path = path.as_ref();
        utimensat(AT_FDCWD, path, &t, &t, UtimensatFlags::NoFollowSymlink).unwrap();
    }

    fn chmod(path: impl AsRef<Path>, mode: u32) {
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }

    fn mode_of(path: impl AsRef<Path>) -> u32 {
        fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
    }

    fn mtime_of(path: impl AsRef<Path>) -> i64 {
        fs::symlink_metadata(path).unwrap().mtime()
    }

    fn xattr_of(path: impl AsRef<Path>, name: &str) -> Option<String> {
        xattr::get(path, name)
            .unwrap()
            .map(|v| String::from_utf8(v).unwrap())
    }

    /// Whether user xattrs work where the tests write (not on every tmpfs).
    fn user_xattrs_work(dir: &Path) -> bool {
        let probe = dir.join("xattr-probe");
        fs::write(&probe, b"").unwrap();
        let works = xattr::set(&probe, "user.probe", b"1").is_ok();
        fs::remove_file(probe).unwrap();
        works
    }

    #[test]
    fn round_trip_keeps_types_modes_times_and_links() {
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("tree");
        let long = "n".repeat(150);
        fs::create_dir(&src).unwrap();
        fs::write(src.join("file"), b"hello").unwrap();
        chmod(src.join("file"), 0o640);
        fs::write(src.join("suid"), b"#!/bin/sh\n").unwrap();
        chmod(src.join("suid"), 0o4755);
        fs::create_dir(src.join("sub")).unwrap();
        fs::write(src.join("sub/deep"), b"deep").unwrap();
        symlink("file", src.join("link")).unwrap();
        fs::hard_link(src.join("file"), src.join("hard")).unwrap();
        nix::unistd::mkfifo(&src.join("fifo"), Mode::S_IRUSR | Mode::S_IWUSR).unwrap();
        chmod(src.join("fifo"), 0o620);
        let _socket = UnixListener::bind(src.join("sock")).unwrap();
        fs::write(src.join(&long), b"long").unwrap();
        chmod(src.join("sub"), 0o700);
        chmod(&src, 0o750);
        for (i, name) in ["file", "suid", "sub/deep", "link", "fifo", &long, "sub", ""]
            .iter()
            .enumerate()
        {
            set_mtime(src.join(name), 1000 + i as i64);
        }

        let tar = archive_of(&src, false);
        let listed = list(&tar);
        let names: Vec<_> = listed.iter().map(|e| e.name.as_str()).collect();
        let long_entry = format!("tree/{long}");
        assert_eq!(
            names,
            [
                "tree/",
                "tree/fifo",
                "tree/file",
                "tree/hard",
                "tree/link",
                long_entry.as_str(),
                "tree/sub/",
                "tree/sub/deep",
                "tree/suid"
            ]
        );
        let hard = &listed[3];
        assert_eq!(hard.kind, EntryType::Link);
        assert_eq!(hard.link.as_deref(), Some("tree/file"));
        let me = u64::from(nix::unistd::getuid().as_raw());
        assert!(listed.iter().all(|e| e.uid == me));
        assert_eq!((listed[2].mode, listed[2].mtime), (0o640, 1000));

        let out = tmp.path().join("out");
        fs::create_dir(&out).unwrap();
        extract(&tar[..], &out, &opts()).unwrap();
        let tree = out.join("tree");
        assert_eq!(fs::read(tree.join("file")).unwrap(), b"hello");
        assert_eq!(
            (mode_of(tree.join("file")), mtime_of(tree.join("file"))),
            (0o640, 1000)
        );
        assert_eq!(mode_of(tree.join("suid")), 0o4755);
        assert_eq!(fs::read(tree.join("sub/deep")).unwrap(), b"deep");
        assert_eq!(mtime_of(tree.join("sub/deep")), 1002);
        assert_eq!(fs::read_link(tree.join("link")).unwrap(), Path::new("file"));
        assert_eq!(mtime_of(tree.join("link")), 1003);
        let (file, hard) = (
            fs::metadata(tree.join("file")).unwrap(),
            fs::metadata(tree.join("hard")).unwrap(),
        );
        assert_eq!((file.ino(), file.nlink()), (hard.ino(), 2));
        let fifo = fs::symlink_metadata(tree.join("fifo")).unwrap();
        assert!(fifo.file_type().is_fifo());
        assert_eq!((mode_of(tree.join("fifo")), fifo.mtime()), (0o620, 1004));
        assert_eq!(fs::read(tree.join(&long)).unwrap(), b"long");
        assert!(!tree.join("sock").exists());
        assert_eq!(
            (mode_of(tree.join("sub")), mtime_of(tree.join("sub"))),
            (0o700, 1006)
        );
        assert_eq!((mode_of(&tree), mtime_of(&tree)), (0o750, 1007));
    }

    #[test]
    fn dot_suffix_archives_contents_and_spares_dest() {
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("tree");
        fs::create_dir_all(src.join("sub")).unwrap();
        fs::write(src.join("a"), b"a").unwrap();
        fs::write(src.join("sub/b"), b"b").unwrap();
        chmod(&src, 0o700);

        let tar = archive_of(format!("{}/.", src.display()), false);
        assert_eq!(names(&tar), ["./", "a", "sub/", "sub/b"]);
        assert_eq!(
            names(&archive_of(format!("{}/./", src.display()), false))[0],
            "./"
        );

        let dest = tmp.path().join("dest");
        fs::create_dir(&dest).unwrap();
        chmod(&dest, 0o755);
        set_mtime(&dest, 5);
        extract(&tar[..], &dest, &opts()).unwrap();
        assert_eq!(fs::read(dest.join("sub/b")).unwrap(), b"b");
        assert_eq!(mode_of(&dest), 0o755, "dest's own mode is the caller's");

        let renamed = ExtractOptions {
            rename_top: Some((".".into(), "new".into())),
            ..opts()
        };
        extract(&tar[..], tmp.path(), &renamed).unwrap();
        assert_eq!(fs::read(tmp.path().join("new/a")).unwrap(), b"a");
        assert_eq!(mode_of(tmp.path().join("new")), 0o700);
    }

    #[test]
    fn top_symlink_is_followed_only_when_asked() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir(tmp.path().join("tree")).unwrap();
        fs::write(tmp.path().join("tree/a"), b"a").unwrap();
        fs::write(tmp.path().join("file"), b"data").unwrap();
        symlink("tree", tmp.path().join("ln")).unwrap();
        symlink("file", tmp.path().join("fln")).unwrap();
        symlink("missing", tmp.path().join("dangling")).unwrap();
        let ln = tmp.path().join("ln");

        let plain = list(&archive_of(&ln, false));
        assert_eq!(plain.len(), 1);
        assert_eq!(
            (plain[0].kind, plain[0].link.as_deref()),
            (EntryType::Symlink, Some("tree"))
        );
        assert_eq!(names(&archive_of(&ln, true)), ["ln/", "ln/a"]);
        assert_eq!(
            names(&archive_of(format!("{}/", ln.display()), false)),
            ["ln/", "ln/a"]
        );
        let followed = list(&archive_of(tmp.path().join("fln"), true));
        assert_eq!(
            (followed[0].name.as_str(), followed[0].kind),
            ("fln", EntryType::Regular)
        );
        assert_eq!(followed[0].data, b"data");

        let dangling = tmp.path().join("dangling");
        assert_eq!(
            list(&archive_of(&dangling, false))[0].kind,
            EntryType::Symlink
        );
        let err = archive(dangling.to_str().unwrap(), true, Vec::new()).unwrap_err();
        assert!(matches!(err, CopyError::NotFound { .. }), "{err}");
    }

    #[test]
    fn bad_sources_are_errors() {
        let tmp = tempfile::tempdir().unwrap();
        let err = archive("/nonexistent/x", false, Vec::new()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no such file or directory in the container: /nonexistent/x"
        );
        let file = tmp.path().join("f");
        fs::write(&file, b"").unwrap();
        for src in [
            format!("{}/", file.display()),
            format!("{}/.", file.display()),
        ] {
            let err = archive(&src, false, Vec::new()).unwrap_err();
            assert!(matches!(err, CopyError::InvalidSource { .. }), "{err}");
        }
        let up = format!("{}/..", tmp.path().display());
        let err = archive(&up, false, Vec::new()).unwrap_err();
        assert!(matches!(err, CopyError::InvalidSource { .. }), "{err}");
    }

    #[test]
    fn override_stat_xattr_wins_in_headers() {
        let tmp = tempfile::tempdir().unwrap();
        if !require_or_skip(
            &format!("user xattrs on {}", tmp.path().display()),
            "point TMPDIR at ext4, xfs, btrfs, or tmpfs on Linux 6.6 or later",
            user_xattrs_work(tmp.path()),
        ) {
            return;
        }
        let src = tmp.path().join("tree");
        fs::create_dir(&src).unwrap();
        fs::write(src.join("www"), b"index").unwrap();
        fs::write(src.join("null"), b"").unwrap();
        fs::write(src.join("junk"), b"").unwrap();
        chmod(src.join("junk"), 0o600);
        xattr::set(src.join("www"), OVERRIDE_STAT_XATTR, b"33:33:0755").unwrap();
        xattr::set(
            src.join("null"),
            OVERRIDE_STAT_XATTR,
            b"0:0:020666:char-1-3",
        )
        .unwrap();
        xattr::set(src.join("junk"), OVERRIDE_STAT_XATTR, b"x:y").unwrap();
        // containers/storage's form, with a C writer's terminator.
        fs::write(src.join("cs"), b"").unwrap();
        xattr::set(src.join("cs"), OVERRIDE_STAT_XATTR, b"44:45:0700:file\0").unwrap();
        xattr::set(&src, OVERRIDE_STAT_XATTR, b"0:0:01777").unwrap();

        let listed = list(&archive_of(&src, false));
        let by_name = |name: &str| listed.iter().find(|e| e.name == name).unwrap();
        let top = by_name("tree/");
        assert_eq!((top.uid, top.gid, top.mode), (0, 0, 0o1777));
        let www = by_name("tree/www");
        assert_eq!((www.uid, www.gid, www.mode), (33, 33, 0o755));
        assert_eq!(www.data, b"index");
        let null = by_name("tree/null");
        assert_eq!(
            (null.kind, null.device, null.mode),
            (EntryType::Char, (1, 3), 0o666)
        );
        let cs = by_name("tree/cs");
        assert_eq!(
            (cs.kind, cs.uid, cs.gid, cs.mode),
            (EntryType::Regular, 44, 45, 0o700)
        );
        let junk = by_name("tree/junk");
        let me = u64::from(nix::unistd::getuid().as_raw());
        assert_eq!((junk.uid, junk.mode), (me, 0o600));
    }

    #[test]
    fn owner_keep_chowns_or_records_the_override() {
        let sandbox = Sandbox::new();
        let dest = sandbox.dest();
        let tar = Tar::new()
            .add(Spec {
                uid: 4242,
                mode: 0o750,
                ..Spec::new(EntryType::Directory, "d/")
            })
            .add(Spec {
                uid: 4242,
                data: b"x",
                ..Spec::new(EntryType::Regular, "d/f")
            })
            .add(Spec {
                mode: 0o666,
                device: (1, 3),
                ..Spec::new(EntryType::Char, "null")
            })
            .add(Spec {
                // No kernel takes a 33-bit id: the override path even as
                // root, recorded as the overflow id (see `layer::tar_id`).
                uid: 5_000_000_000,
                mode: 0o4711,
                ..Spec::new(EntryType::Regular, "huge")
            })
            .finish();
        let keep = ExtractOptions {
            owner: Owner::Keep,
            ..opts()
        };
        extract(&tar[..], &dest, &keep).unwrap();
        assert_eq!(fs::read(dest.join("d/f")).unwrap(), b"x");
        assert_eq!(mode_of(dest.join("d")), 0o750);
        assert_eq!(mode_of(dest.join("huge")), 0o4711);
        let xattrs = require_or_skip(
            &format!("user xattrs on {}", dest.display()),
            "point TMPDIR at ext4, xfs, btrfs, or tmpfs on Linux 6.6 or later",
            user_xattrs_work(&dest),
        );
        if xattrs {
            assert_eq!(
                xattr_of(dest.join("huge"), OVERRIDE_STAT_XATTR).as_deref(),
                Some("65534:65534:04711")
            );
        }
        let meta = fs::metadata(dest.join("d/f")).unwrap();
        let null = fs::symlink_metadata(dest.join("null")).unwrap();
        if meta.uid() == 4242 {
            // Privileged: the ids and the device are real.
            assert_eq!(fs::metadata(dest.join("d")).unwrap().gid(), 4242);
            assert!(null.file_type().is_char_device());
        } else if xattrs {
            assert_eq!(
                xattr_of(dest.join("d/f"), OVERRIDE_STAT_XATTR).as_deref(),
                Some("4242:4242:0644")
            );
            assert_eq!(
                xattr_of(dest.join("d"), OVERRIDE_STAT_XATTR).as_deref(),
                Some("4242:4242:0750")
            );
            assert!(null.is_file());
            assert_eq!(
                xattr_of(dest.join("null"), OVERRIDE_STAT_XATTR).as_deref(),
                Some("0:0:0666:char-1-3")
            );
        }

        // As the caller, nothing is chowned and no device is faked.
        let caller = Sandbox::new();
        extract(&tar[..], &caller.dest(), &opts()).unwrap();
        let me = nix::unistd::getuid().as_raw();
        assert_eq!(fs::metadata(caller.dest().join("d/f")).unwrap().uid(), me);
        assert_eq!(
            xattr::get(caller.dest().join("d/f"), OVERRIDE_STAT_XATTR)
                .ok()
                .flatten(),
            None
        );
        assert!(!caller.dest().join("null").exists());
    }

    #[test]
    fn plan_follows_docker_rules() {
        let file = SrcInfo {
            is_dir: false,
            exists: true,
        };
        let dir = SrcInfo {
            is_dir: true,
            exists: true,
        };
        let none = SrcInfo::default();
        let ok = |src, src_info, dest, dest_info, dir: &str, rename: Option<(&str, &str)>| {
            let plan = plan(src, src_info, dest, dest_info)
                .unwrap_or_else(|e| panic!("{src} -> {dest}: {e}"));
            let want = Plan {
                extract_dir: dir.to_string(),
                rename_top: rename.map(|(a, b)| (a.to_string(), b.to_string())),
            };
            assert_eq!(plan, want, "{src} -> {dest}");
        };
        // SRC is a file.
        ok(
            "/etc/hosts",
            &file,
            "/tmp/new",
            &none,
            "/tmp",
            Some(("hosts", "new")),
        );
        ok(
            "/etc/hosts",
            &file,
            "/tmp/f",
            &file,
            "/tmp",
            Some(("hosts", "f")),
        );
        ok("/etc/hosts", &file, "/tmp/hosts", &file, "/tmp", None);
        ok("/etc/hosts", &file, "/tmp", &dir, "/tmp", None);
        ok("/etc/hosts", &file, "/tmp/", &dir, "/tmp/", None);
        ok("hosts", &file, "new", &none, ".", Some(("hosts", "new")));
        ok(
            "/etc/hosts",
            &file,
            "/new",
            &none,
            "/",
            Some(("hosts", "new")),
        );
        let err = plan("/etc/hosts", &file, "/tmp/new/", &none).unwrap_err();
        assert_eq!(
            err.to_string(),
            "destination directory /tmp/new/ does not exist"
        );
        assert!(matches!(
            plan("/etc/hosts", &file, "/tmp/new/.", &none),
            Err(CopyError::DestDirMissing { .. })
        ));
        // SRC is a directory.
        ok(
            "/etc",
            &dir,
            "/tmp/new",
            &none,
            "/tmp",
            Some(("etc", "new")),
        );
        ok(
            "/etc/",
            &dir,
            "/tmp/new/",
            &none,
            "/tmp",
            Some(("etc", "new")),
        );
        ok("/etc", &dir, "/tmp", &dir, "/tmp", None);
        ok("/etc", &dir, "/tmp/etc", &none, "/tmp", None);
        let err = plan("/etc", &dir, "/tmp/f", &file).unwrap_err();
        assert_eq!(err.to_string(), "cannot copy a directory to a file: /tmp/f");
        // SRC ends with `/.`.
        ok("/etc/.", &dir, "/tmp", &dir, "/tmp", None);
        ok(
            "/etc/.",
            &dir,
            "/tmp/new",
            &none,
            "/tmp",
            Some((".", "new")),
        );
        ok("/", &dir, "out", &none, ".", Some((".", "out")));
        assert!(matches!(
            plan("/etc/.", &dir, "/tmp/f", &file),
            Err(CopyError::DirToFile { .. })
        ));
        // SRC missing.
        let err = plan("/nope", &none, "/tmp", &dir).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no such file or directory in the container: /nope"
        );
    }

    /// `docker cp SRC DEST` on the local filesystem, both sides in-process.
    fn cp(src: &Path, dest: &Path, src_suffix: &str, dest_suffix: &str) -> Result<()> {
        let src = format!("{}{src_suffix}", src.display());
        let dest = format!("{}{dest_suffix}", dest.display());
        let src_info = stat_path(Path::new(&src), false);
        let dest_info = stat_path(Path::new(&dest), true);
        let plan = plan(&src, &src_info, &dest, &dest_info)?;
        let mut tar = Vec::new();
        archive(&src, false, &mut tar)?;
        let opts = ExtractOptions {
            rename_top: plan.rename_top,
            ..opts()
        };
        extract(&tar[..], Path::new(&plan.extract_dir), &opts)
    }

    #[test]
    fn docker_cp_cases_end_to_end() {
        let tmp = tempfile::tempdir().unwrap();
        let t = tmp.path();
        fs::create_dir_all(t.join("src/sub")).unwrap();
        fs::write(t.join("src/a"), b"a").unwrap();
        fs::write(t.join("src/sub/b"), b"b").unwrap();
        fs::create_dir(t.join("out")).unwrap();

        cp(&t.join("src/a"), &t.join("out/copy"), "", "").unwrap();
        assert_eq!(fs::read(t.join("out/copy")).unwrap(), b"a");

        // Overwriting replaces the file: another name of the old inode
        // keeps the old data.
        fs::write(t.join("out/old"), b"old").unwrap();
        fs::hard_link(t.join("out/old"), t.join("out/old-link")).unwrap();
        cp(&t.join("src/a"), &t.join("out/old"), "", "").unwrap();
        assert_eq!(fs::read(t.join("out/old")).unwrap(), b"a");
        assert_eq!(fs::read(t.join("out/old-link")).unwrap(), b"old");

        cp(&t.join("src/a"), &t.join("out"), "", "/").unwrap();
        assert_eq!(fs::read(t.join("out/a")).unwrap(), b"a");
        let err = cp(&t.join("src/a"), &t.join("out/nodir"), "", "/").unwrap_err();
        assert!(matches!(err, CopyError::DestDirMissing { .. }), "{err}");
        let err = cp(&t.join("src/a"), &t.join("out/no/such"), "", "").unwrap_err();
        assert!(
            err.to_string()
                .contains(&format!("{}", t.join("out/no").display())),
            "{err}"
        );

        cp(&t.join("src"), &t.join("out/newdir"), "", "").unwrap();
        assert_eq!(fs::read(t.join("out/newdir/sub/b")).unwrap(), b"b");
        cp(&t.join("src"), &t.join("out"), "", "").unwrap();
        assert_eq!(fs::read(t.join("out/src/sub/b")).unwrap(), b"b");
        cp(&t.join("src"), &t.join("out/newdir"), "/.", "").unwrap();
        assert_eq!(fs::read(t.join("out/newdir/a")).unwrap(), b"a");
        cp(&t.join("src"), &t.join("out/contents"), "/.", "").unwrap();
        assert_eq!(fs::read(t.join("out/contents/sub/b")).unwrap(), b"b");
        let err = cp(&t.join("src"), &t.join("out/copy"), "", "").unwrap_err();
        assert!(matches!(err, CopyError::DirToFile { .. }), "{err}");
    }

    #[test]
    fn conflicts_between_directories_and_files() {
        let sandbox = Sandbox::new();
        let dest = sandbox.dest();
        fs::create_dir(dest.join("d")).unwrap();
        fs::write(dest.join("d/inner"), b"").unwrap();
        fs::write(dest.join("f"), b"").unwrap();

        let err = extract(&Tar::new().file("d", b"x").finish()[..], &dest, &opts()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "cannot overwrite directory {} with non-directory",
                dest.join("d").display()
            )
        );
        let err = extract(&Tar::new().dir("f/").finish()[..], &dest, &opts()).unwrap_err();
        assert!(matches!(err, CopyError::OverwriteNonDir { .. }), "{err}");
        assert!(dest.join("d/inner").exists());

        let replace = ExtractOptions {
            no_overwrite_dir_non_dir: false,
            ..opts()
        };
        let tar = Tar::new()
            .file("d", b"x")
            .dir("f/")
            .file("f/g", b"g")
            .finish();
        extract(&tar[..], &dest, &replace).unwrap();
        assert_eq!(fs::read(dest.join("d")).unwrap(), b"x");
        assert_eq!(fs::read(dest.join("f/g")).unwrap(), b"g");

        // A directory entry over an existing directory merges.
        let tar = Tar::new().dir("f/").file("f/h", b"h").finish();
        extract(&tar[..], &dest, &opts()).unwrap();
        assert!(dest.join("f/g").exists() && dest.join("f/h").exists());
    }

    #[test]
    fn dot_dot_and_absolute_names() {
        for name in ["../x", "a/../../x", "./../outside/secret"] {
            let sandbox = Sandbox::new();
            let tar = Tar::new().file(name, b"e").finish();
            let err = sandbox.extract_hostile(&tar, &opts()).unwrap_err();
            assert!(
                matches!(err, CopyError::InvalidPath { .. }),
                "{name}: {err}"
            );
        }
        let sandbox = Sandbox::new();
        let tar = Tar::new()
            .file("/abs/x", b"p")
            .file("//abs/./y", b"q")
            .file("a/../b", b"b")
            .dir("./")
            .finish();
        sandbox.extract_hostile(&tar, &opts()).unwrap();
        let dest = sandbox.dest();
        assert_eq!(fs::read(dest.join("abs/x")).unwrap(), b"p");
        assert_eq!(fs::read(dest.join("abs/y")).unwrap(), b"q");
        assert_eq!(fs::read(dest.join("b")).unwrap(), b"b");
    }

    #[test]
    fn symlinked_parents_are_never_followed() {
        let sandbox = Sandbox::new();
        let outside = sandbox.outside().to_str().unwrap().to_owned();
        let cases = [
            Tar::new().symlink("a", "/").file("a/etc/x", b"x").finish(),
            Tar::new().symlink("a", &outside).file("a/x", b"x").finish(),
            Tar::new().symlink("up", "..").file("up/x", b"x").finish(),
            Tar::new()
                .symlink("up", "..")
                .file("up/outside/secret", b"overwritten")
                .finish(),
            Tar::new()
                .symlink("up", "../outside")
                .dir("up/sub/")
                .finish(),
            Tar::new()
                .dir("d/")
                .symlink("d", &outside)
                .symlink("d/secret", "/etc/passwd")
                .finish(),
        ];
        // Replacing lets a directory become a symlink, as in the last case.
        let replace = ExtractOptions {
            no_overwrite_dir_non_dir: false,
            ..opts()
        };
        for tar in cases {
            let sandbox = Sandbox::new();
            let err = sandbox.extract_hostile(&tar, &replace).unwrap_err();
            assert!(
                matches!(err, CopyError::SymlinkInPath { .. }),
                "unexpected error: {err}"
            );
        }
        let tar = Tar::new().symlink("a", "/").file("a/etc/x", b"").finish();
        let err = Sandbox::new().extract_hostile(&tar, &opts()).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("/a is a symlink, refusing to follow it"),
            "{err}"
        );
    }

    #[test]
    fn hardlinks_cannot_reach_outside() {
        let sandbox = Sandbox::new();
        let secret = sandbox.outside().join("secret");
        for target in [
            "../../etc/passwd",
            "../outside/secret",
            secret.to_str().unwrap(),
            "/etc/passwd",
        ] {
            let tar = Tar::new().hardlink("h", target).finish();
            let sandbox = Sandbox::new();
            let err = sandbox.extract_hostile(&tar, &opts()).unwrap_err();
            assert!(
                matches!(err, CopyError::BadHardlinkTarget { .. }),
                "{target}: unexpected error: {err}"
            );
            assert!(!sandbox.dest().join("h").exists());
        }

        let tar = Tar::new()
            .symlink("evil", sandbox.outside().to_str().unwrap())
            .hardlink("h", "evil/secret")
            .finish();
        let err = sandbox.extract_hostile(&tar, &opts()).unwrap_err();
        assert!(matches!(err, CopyError::SymlinkInPath { .. }), "{err}");

        let tar = Tar::new().dir("d/").hardlink("h", "d").finish();
        let err = Sandbox::new().extract_hostile(&tar, &opts()).unwrap_err();
        assert!(matches!(err, CopyError::BadHardlinkTarget { .. }), "{err}");
    }

    #[test]
    fn existing_symlinks_are_replaced_not_written_through() {
        let sandbox = Sandbox::new();
        let dest = sandbox.dest();
        let secret = sandbox.outside().join("secret");
        for name in ["s1", "s2", "s3", "s4"] {
            symlink(&secret, dest.join(name)).unwrap();
        }
        symlink(sandbox.outside(), dest.join("dirlink")).unwrap();
        fs::write(dest.join("target"), b"t").unwrap();
        let tar = Tar::new()
            .file("s1", b"data")
            .symlink("s2", "elsewhere")
            .hardlink("s3", "target")
            .add(Spec::new(EntryType::Fifo, "s4"))
            .finish();
        sandbox.extract_hostile(&tar, &opts()).unwrap();
        assert_eq!(fs::read(dest.join("s1")).unwrap(), b"data");
        assert!(fs::symlink_metadata(dest.join("s1")).unwrap().is_file());
        assert_eq!(
            fs::read_link(dest.join("s2")).unwrap(),
            Path::new("elsewhere")
        );
        assert_eq!(fs::read(dest.join("s3")).unwrap(), b"t");
        assert!(
            fs::symlink_metadata(dest.join("s4"))
                .unwrap()
                .file_type()
                .is_fifo()
        );

        // A directory entry over a symlink: an error, as Docker, or the
        // link replaced; never a merge into where it points.
        let tar = Tar::new().dir("dirlink/").file("dirlink/x", b"x").finish();
        let err = sandbox.extract_hostile(&tar, &opts()).unwrap_err();
        assert!(matches!(err, CopyError::OverwriteNonDir { .. }), "{err}");
        let replace = ExtractOptions {
            no_overwrite_dir_non_dir: false,
            ..opts()
        };
        sandbox.extract_hostile(&tar, &replace).unwrap();
        assert!(fs::symlink_metadata(dest.join("dirlink")).unwrap().is_dir());
        assert_eq!(fs::read(dest.join("dirlink/x")).unwrap(), b"x");
    }

    #[test]
    fn renamed_top_confines_every_entry() {
        let rename = ExtractOptions {
            rename_top: Some(("a".into(), "b".into())),
            ..opts()
        };
        let sandbox = Sandbox::new();
        let tar = Tar::new()
            .dir("a/")
            .file("a/x", b"x")
            .hardlink("a/y", "a/x")
            .finish();
        sandbox.extract_hostile(&tar, &rename).unwrap();
        assert_eq!(fs::read(sandbox.dest().join("b/y")).unwrap(), b"x");
        assert!(!sandbox.dest().join("a").exists());

        for tar in [
            Tar::new().file("a/x", b"x").file("c/y", b"y").finish(),
            Tar::new().file("a/../c", b"c").finish(),
            Tar::new().file("a/x", b"x").hardlink("a/y", "c/z").finish(),
        ] {
            let sandbox = Sandbox::new();
            let err = sandbox.extract_hostile(&tar, &rename).unwrap_err();
            assert!(!sandbox.dest().join("c").exists());
            assert!(
                matches!(
                    err,
                    CopyError::InvalidPath { .. } | CopyError::BadHardlinkTarget { .. }
                ),
                "{err}"
            );
        }
        let bad = ExtractOptions {
            rename_top: Some(("a".into(), "../b".into())),
            ..opts()
        };
        let tar = Tar::new().file("a", b"").finish();
        assert!(Sandbox::new().extract_hostile(&tar, &bad).is_err());
    }

    #[test]
    fn directory_times_and_modes_are_applied_last() {
        let sandbox = Sandbox::new();
        let tar = Tar::new()
            .add(Spec {
                mode: 0o555,
                ..Spec::new(EntryType::Directory, "ro/")
            })
            .file("ro/a", b"a")
            .dir("ro/sub/")
            .add(Spec {
                mode: 0o6755,
                ..Spec::new(EntryType::Regular, "ro/sub/suid")
            })
            .finish();
        sandbox.extract_hostile(&tar, &opts()).unwrap();
        let ro = sandbox.dest().join("ro");
        assert_eq!(fs::read(ro.join("a")).unwrap(), b"a");
        assert_eq!((mode_of(&ro), mtime_of(&ro)), (0o555, MTIME as i64));
        assert_eq!(mtime_of(ro.join("sub")), MTIME as i64);
        assert_eq!(mode_of(ro.join("sub/suid")), 0o6755);
        chmod(&ro, 0o755);
    }

    #[test]
    fn truncated_data_is_an_error_and_leaves_no_temp_file() {
        let tar = Tar::new().file("big", &[7; 5000]).finish();
        let sandbox = Sandbox::new();
        let err = sandbox
            .extract_hostile(&tar[..512 + 3000], &opts())
            .unwrap_err();
        assert!(matches!(err, CopyError::Truncated { .. }), "{err}");
        assert!(!sandbox.dest().join("big").exists());
    }

    #[test]
    fn hostile_bytes_never_panic() {
        let sandbox = Sandbox::new();
        let before = sandbox.outside_state();
        let valid = Tar::new()
            .dir("d/")
            .file("d/f", &[1; 700])
            .symlink("d/l", "f")
            .hardlink("d/h", "d/f")
            .add(Spec::new(EntryType::Fifo, "d/p"))
            .finish();
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..150 {
            let mut input = valid.clone();
            if round % 3 == 0 {
                input.truncate(next() as usize % valid.len());
            }
            for _ in 0..1 + next() % 8 {
                let at = next() as usize % input.len().max(1);
                if let Some(byte) = input.get_mut(at) {
                    *byte = next() as u8;
                }
            }
            let dest = tempfile::tempdir_in(sandbox.dest()).unwrap();
            let _ = extract(&input[..], dest.path(), &opts());
            // Dropping `dest` checks whatever was left is removable.
        }
        assert_eq!(before, sandbox.outside_state());
    }
}
