//! Walking a destination directory safely, shared by the layer unpacker
//! and `rsp cp`'s extractor: directories are opened one component at a
//! time with `O_NOFOLLOW`, so a symlink planted by an archive (or already
//! there) is reported, never followed.

use nix::dir::{Dir, Type};
use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag, openat};
use nix::sys::stat::{FileStat, Mode, SFlag, fchmod, fstatat, mkdirat};
use nix::unistd::{UnlinkatFlags, dup, unlinkat};
use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// Why a directory walk stopped, with the path of the offending component.
pub(super) struct WalkError {
    pub component: PathBuf,
    pub kind: WalkErrorKind,
}

/// Opens the directory `dir` (relative, already cleaned) below `root`, one
/// component at a time, creating missing ones if `create`.
pub(super) fn walk_dirs(
    root: BorrowedFd<'_>,
    dir: &Path,
    create: bool,
) -> Result<OwnedFd, WalkError> {
    let mut current = dup(root).map_err(|e| WalkError {
        component: PathBuf::new(),
        kind: WalkErrorKind::Io(e),
    })?;
    let mut component = PathBuf::new();
    for name in dir {
        component.push(name);
        current = open_subdir(current.as_fd(), name, create).map_err(|kind| WalkError {
            component: component.clone(),
            kind,
        })?;
    }
    Ok(current)
}

/// Why one component of a path could not be walked.
pub(super) enum WalkErrorKind {
    Symlink,
    NotADirectory,
    Missing,
    Io(Errno),
}

/// Opens the directory `name` in `dir` without following a symlink,
/// creating it (mode 0755) if `create` and it is missing.
pub(super) fn open_subdir(
    dir: BorrowedFd<'_>,
    name: &OsStr,
    create: bool,
) -> Result<OwnedFd, WalkErrorKind> {
    let flags = OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    match openat(dir, name, flags, Mode::empty()) {
        Ok(fd) => return Ok(fd),
        Err(Errno::ENOENT) if create => {}
        Err(e) => return Err(classify_open_error(dir, name, e)),
    }
    match mkdirat(dir, name, Mode::from_bits_truncate(0o755)) {
        Ok(()) => {
            // Undo the umask: implicit directories must be traversable by
            // every user of the container.
            let fd = openat(
                dir,
                name,
                OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
                Mode::empty(),
            )
            .map_err(|e| classify_open_error(dir, name, e))?;
            fchmod(&fd, Mode::from_bits_truncate(0o755)).map_err(WalkErrorKind::Io)?;
            Ok(fd)
        }
        Err(Errno::EEXIST) => {
            openat(dir, name, flags, Mode::empty()).map_err(|e| classify_open_error(dir, name, e))
        }
        Err(e) => Err(WalkErrorKind::Io(e)),
    }
}

pub(super) fn classify_open_error(dir: BorrowedFd<'_>, name: &OsStr, err: Errno) -> WalkErrorKind {
    match err {
        Errno::ENOENT => WalkErrorKind::Missing,
        // O_NOFOLLOW gives ELOOP for a symlink, O_DIRECTORY ENOTDIR for the
        // rest, but O_PATH blurs that, so look.
        Errno::ELOOP | Errno::ENOTDIR => match fstatat(dir, name, AtFlags::AT_SYMLINK_NOFOLLOW) {
            Ok(stat) if file_type(&stat) == SFlag::S_IFLNK => WalkErrorKind::Symlink,
            Ok(_) => WalkErrorKind::NotADirectory,
            Err(e) => WalkErrorKind::Io(e),
        },
        e => WalkErrorKind::Io(e),
    }
}

/// Removes the directory `name` in `parent` and everything below it, never
/// following a symlink. Every directory this unpacker made is at least
/// u+rwx, so nothing inside can refuse.
pub(super) fn remove_tree(parent: BorrowedFd<'_>, name: &OsStr) -> nix::Result<()> {
    let fd = openat(
        parent,
        name,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::empty(),
    )?;
    // Collect first: unlinking while reading a directory may skip entries.
    let mut children = Vec::new();
    let mut listing = Dir::from_fd(dup(&fd)?)?;
    for child in listing.iter() {
        let child = child?;
        let child_name = OsStr::from_bytes(child.file_name().to_bytes());
        if child_name != "." && child_name != ".." {
            children.push((child_name.to_os_string(), child.file_type()));
        }
    }
    drop(listing);
    for (child, kind) in children {
        let is_dir = match kind {
            Some(kind) => kind == Type::Directory,
            None => {
                file_type(&fstatat(
                    &fd,
                    child.as_os_str(),
                    AtFlags::AT_SYMLINK_NOFOLLOW,
                )?) == SFlag::S_IFDIR
            }
        };
        if is_dir {
            remove_tree(fd.as_fd(), &child)?;
        } else {
            unlinkat(&fd, child.as_os_str(), UnlinkatFlags::NoRemoveDir)?;
        }
    }
    unlinkat(parent, name, UnlinkatFlags::RemoveDir)
}

pub(super) fn file_type(stat: &FileStat) -> SFlag {
    SFlag::from_bits_truncate(stat.st_mode) & SFlag::S_IFMT
}

/// A link entry's target, checked: present, not empty, no NUL byte; the
/// error is the reason.
pub(super) fn link_target<R: Read>(entry: &tar::Entry<'_, R>) -> Result<OsString, &'static str> {
    let target = entry.link_name_bytes().ok_or("link without a target")?;
    if target.is_empty() {
        return Err("link with an empty target");
    }
    if target.contains(&0) {
        return Err("link target contains a NUL byte");
    }
    Ok(OsString::from_vec(target.into_owned()))
}
