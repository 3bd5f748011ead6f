//! The `vfs` storage driver: a container's root filesystem as a plain copy
//! of its image's layers, for where no overlay can be mounted.
//!
//! Contract: [`materialize`] applies the layers lowest first with overlay's
//! rules (a whiteout removes what is below it, an opaque directory hides
//! everything below it, an entry of another type replaces the one below)
//! into a new directory. The destination is walked one component at a time
//! without following symlinks, so a symlink an image carries can never
//! make the copy write outside it. Hard links within the image stay hard
//! links. Ownership and modes recorded in `user.containers.override_stat`
//! are copied with the files. A layer may also hold the fallback format
//! the unpacker writes where the disk refuses whiteout devices or the
//! opaque xattr: an empty file `.wh.NAME` is a whiteout of `NAME`, and
//! `.wh..wh..opq` makes its directory opaque; no `.wh.*` name is copied
//! (both forms: [`super::layer`]).

use super::layer::{self, OPAQUE_MARKER, OPAQUE_XATTR, OVERRIDE_STAT_XATTR};
use super::walk::{file_type, open_subdir, remove_tree};
use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag, openat};
use nix::sys::stat::{FileStat, Mode, SFlag, fchmod, fstatat, futimens, mkdirat};
use nix::sys::time::TimeSpec;
use nix::unistd::{UnlinkatFlags, unlinkat};
use rsp_base::text::shown;
use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs::File;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use xattr::FileExt;

#[derive(Debug, thiserror::Error)]
pub enum VfsError {
    #[error("reading layer {}: {source}", shown(.path))]
    ReadLayer {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("writing {} in the container's copy: {source}", shown(.path))]
    Write { path: PathBuf, source: nix::Error },
    #[error("copying {} into the container's copy: {source}", shown(.path))]
    Copy {
        path: PathBuf,
        source: std::io::Error,
    },
}

type Result<T> = std::result::Result<T, VfsError>;

/// Open handles on the copies of files with several links, by the layer
/// file's identity, so later names become links to the same copy.
type Links = HashMap<(u64, u64), OwnedFd>;

/// Copies `layers` (lowest first) into the existing, empty directory `dest`.
pub fn materialize(layers: &[PathBuf], dest: &Path) -> Result<()> {
    let w = |source| VfsError::Write {
        path: dest.to_path_buf(),
        source,
    };
    let root = nix::fcntl::open(
        dest,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(w)?;
    // `dest` was made private; a root filesystem's top is 0755, as the
    // overlay drivers show it.
    fchmod(root.as_fd(), Mode::from_bits_truncate(0o755)).map_err(w)?;
    for layer in layers {
        let mut links = Links::new();
        apply_dir(layer, root.as_fd(), Path::new("/"), &mut links)?;
    }
    Ok(())
}

fn write_err(rel: &Path, source: nix::Error) -> VfsError {
    VfsError::Write {
        path: rel.to_path_buf(),
        source,
    }
}

/// What is at `name` in `dir`, without following a symlink.
fn existing(dir: BorrowedFd<'_>, name: &OsStr) -> Option<FileStat> {
    fstatat(dir, name, AtFlags::AT_SYMLINK_NOFOLLOW).ok()
}

/// Removes whatever is at `name` in `dir`.
fn clear(dir: BorrowedFd<'_>, name: &OsStr, rel: &Path) -> Result<()> {
    match existing(dir, name) {
        None => Ok(()),
        Some(st) if file_type(&st) == SFlag::S_IFDIR => {
            remove_tree(dir, name).map_err(|e| write_err(rel, e))
        }
        Some(_) => unlinkat(dir, name, UnlinkatFlags::NoRemoveDir).map_err(|e| write_err(rel, e)),
    }
}

/// The layer directory `path` is opaque, in either format.
fn is_opaque(path: &Path) -> bool {
    matches!(xattr::get(path, OPAQUE_XATTR), Ok(Some(v)) if layer::is_opaque_value(&v))
        || std::fs::symlink_metadata(path.join(OsStr::from_bytes(OPAQUE_MARKER)))
            .is_ok_and(|m| m.is_file())
}

fn copy_attrs(src: &Path, meta: &std::fs::Metadata, fd: BorrowedFd<'_>, rel: &Path) -> Result<()> {
    fchmod(fd, Mode::from_bits_truncate(meta.mode() & 0o7777)).map_err(|e| write_err(rel, e))?;
    let file = File::from(nix::unistd::dup(fd).map_err(|e| write_err(rel, e))?);
    if let Ok(Some(v)) = xattr::get(src, OVERRIDE_STAT_XATTR) {
        let _ = file.set_xattr(OVERRIDE_STAT_XATTR, &v);
    }
    let mtime = TimeSpec::new(meta.mtime(), meta.mtime_nsec());
    futimens(fd, &TimeSpec::UTIME_OMIT, &mtime).map_err(|e| write_err(rel, e))
}

/// Applies the layer directory `src` onto the copy's directory `dir`.
fn apply_dir(src: &Path, dir: BorrowedFd<'_>, rel: &Path, links: &mut Links) -> Result<()> {
    let read_err = |source| VfsError::ReadLayer {
        path: src.to_path_buf(),
        source,
    };
    let mut entries: Vec<_> = std::fs::read_dir(src)
        .map_err(read_err)?
        .collect::<std::io::Result<_>>()
        .map_err(read_err)?;
    entries.sort_by_key(|e| e.file_name());
    // The fallback format's whiteouts first, so an entry of this layer
    // that they name (the unpacker never leaves both) would still win.
    let (marks, entries): (Vec<_>, Vec<_>) = entries
        .into_iter()
        .partition(|e| layer::is_whiteout_name(e.file_name().as_bytes()));
    for entry in marks {
        let name = entry.file_name();
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if let (true, Some(hidden)) = (is_file, layer::whiteout_target(&name)) {
            clear(dir, hidden, &rel.join(hidden))?;
        }
    }
    for entry in entries {
        let name = entry.file_name();
        let path = entry.path();
        let rel = rel.join(&name);
        let meta = std::fs::symlink_metadata(&path).map_err(|source| VfsError::ReadLayer {
            path: path.clone(),
            source,
        })?;
        let ft = meta.file_type();
        if layer::is_whiteout_device(meta.mode(), meta.rdev()) {
            clear(dir, &name, &rel)?;
        } else if ft.is_dir() {
            let opaque = is_opaque(&path);
            let keep =
                !opaque && existing(dir, &name).is_some_and(|st| file_type(&st) == SFlag::S_IFDIR);
            if !keep {
                clear(dir, &name, &rel)?;
                mkdirat(dir, name.as_os_str(), Mode::from_bits_truncate(0o700))
                    .map_err(|e| write_err(&rel, e))?;
            }
            let sub =
                open_subdir(dir, &name, false).map_err(|_| write_err(&rel, Errno::ENOTDIR))?;
            // O_PATH handles cannot be read from: reopen for the walk.
            let sub = openat(
                &sub,
                ".",
                OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
                Mode::empty(),
            )
            .map_err(|e| write_err(&rel, e))?;
            apply_dir(&path, sub.as_fd(), &rel, links)?;
            copy_attrs(&path, &meta, sub.as_fd(), &rel)?;
        } else if ft.is_symlink() {
            clear(dir, &name, &rel)?;
            let target = std::fs::read_link(&path).map_err(|source| VfsError::ReadLayer {
                path: path.clone(),
                source,
            })?;
            nix::unistd::symlinkat(target.as_os_str(), dir, name.as_os_str())
                .map_err(|e| write_err(&rel, e))?;
        } else {
            clear(dir, &name, &rel)?;
            copy_file(&path, &meta, dir, &name, &rel, links)?;
        }
    }
    Ok(())
}

/// Copies a file that is not a directory or symlink (a regular file, or a
/// fifo), or links it to an earlier copy of the same layer file.
fn copy_file(
    path: &Path,
    meta: &std::fs::Metadata,
    dir: BorrowedFd<'_>,
    name: &OsStr,
    rel: &Path,
    links: &mut Links,
) -> Result<()> {
    use std::os::unix::fs::FileTypeExt;
    let key = (meta.dev(), meta.ino());
    if meta.nlink() > 1
        && let Some(first) = links.get(&key)
    {
        // Through /proc: linking an fd needs no privilege this way, and
        // no path in the copy (which could hold the image's symlinks) is
        // resolved.
        let via = format!("/proc/self/fd/{}", first.as_raw_fd());
        return nix::unistd::linkat(
            nix::fcntl::AT_FDCWD,
            via.as_str(),
            dir,
            name,
            AtFlags::AT_SYMLINK_FOLLOW,
        )
        .map_err(|e| write_err(rel, e));
    }
    if meta.file_type().is_fifo() {
        nix::unistd::mkfifoat(dir, name, Mode::from_bits_truncate(0o600))
            .map_err(|e| write_err(rel, e))?;
        let fd = openat(
            dir,
            name,
            OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| write_err(rel, e))?;
        // Modes of a fifo through its O_PATH handle: via /proc.
        let _ = nix::sys::stat::fchmodat(
            nix::fcntl::AT_FDCWD,
            format!("/proc/self/fd/{}", fd.as_raw_fd()).as_str(),
            Mode::from_bits_truncate(meta.mode() & 0o7777),
            nix::sys::stat::FchmodatFlags::FollowSymlink,
        );
        return Ok(());
    }
    let fd = openat(
        dir,
        name,
        OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::from_bits_truncate(0o600),
    )
    .map_err(|e| write_err(rel, e))?;
    let mut out = File::from(fd);
    let mut input = File::open(path).map_err(|source| VfsError::ReadLayer {
        path: path.to_path_buf(),
        source,
    })?;
    std::io::copy(&mut input, &mut out).map_err(|source| VfsError::Copy {
        path: rel.to_path_buf(),
        source,
    })?;
    copy_attrs(path, meta, out.as_fd(), rel)?;
    if meta.nlink() > 1 {
        let keep = openat(
            dir,
            name,
            OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| write_err(rel, e))?;
        links.insert(key, keep);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::{PermissionsExt, symlink};

    fn whiteout_supported(dir: &Path) -> bool {
        nix::sys::stat::mknod(
            &dir.join("probe"),
            SFlag::S_IFCHR,
            Mode::from_bits_truncate(0o600),
            0,
        )
        .is_ok()
    }

    #[test]
    fn layers_apply_in_order_with_overlay_rules() {
        let t = tempfile::tempdir().unwrap();
        let (l1, l2, dest) = (t.path().join("l1"), t.path().join("l2"), t.path().join("d"));
        for d in [&l1, &l2, &dest] {
            fs::create_dir(d).unwrap();
        }
        fs::create_dir_all(l1.join("d")).unwrap();
        fs::write(l1.join("d/x"), "x").unwrap();
        fs::write(l1.join("keep"), "k").unwrap();
        fs::write(l1.join("gone"), "g").unwrap();
        fs::write(l1.join("hl"), "h").unwrap();
        fs::hard_link(l1.join("hl"), l1.join("hl2")).unwrap();
        symlink("/", l1.join("escape")).unwrap();
        fs::set_permissions(l1.join("keep"), fs::Permissions::from_mode(0o751)).unwrap();
        // Layer 2: an opaque /d, a file through the symlink's name (must
        // replace the link, not write through it).
        fs::create_dir(l2.join("d")).unwrap();
        fs::write(l2.join("d/y"), "y").unwrap();
        let opaque = xattr::set(l2.join("d"), "user.overlay.opaque", b"y").is_ok();
        fs::create_dir(l2.join("escape")).unwrap();
        fs::write(l2.join("escape/pwned"), "p").unwrap();
        let wh = whiteout_supported(&l2);
        if wh {
            fs::remove_file(l2.join("probe")).unwrap();
            nix::sys::stat::mknod(
                &l2.join("gone"),
                SFlag::S_IFCHR,
                Mode::from_bits_truncate(0o600),
                0,
            )
            .unwrap();
        }
        materialize(&[l1.clone(), l2.clone()], &dest).unwrap();
        assert_eq!(fs::read_to_string(dest.join("keep")).unwrap(), "k");
        assert_eq!(
            fs::metadata(dest.join("keep"))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o751
        );
        assert_eq!(fs::read_to_string(dest.join("d/y")).unwrap(), "y");
        if opaque {
            assert!(!dest.join("d/x").exists(), "opaque hides the lower dir");
        }
        if wh {
            assert!(!dest.join("gone").exists(), "whiteout removes");
        }
        assert!(dest.join("escape").is_dir() && !dest.join("escape").is_symlink());
        assert!(!Path::new("/pwned").exists());
        let (a, b) = (
            fs::metadata(dest.join("hl")).unwrap(),
            fs::metadata(dest.join("hl2")).unwrap(),
        );
        assert_eq!(a.ino(), b.ino(), "hard links stay linked");
    }

    #[test]
    fn fallback_whiteouts_and_opaque_markers() {
        let t = tempfile::tempdir().unwrap();
        let (l1, l2, dest) = (t.path().join("l1"), t.path().join("l2"), t.path().join("d"));
        for d in [&l1, &l2, &dest] {
            fs::create_dir(d).unwrap();
        }
        fs::create_dir_all(l1.join("o")).unwrap();
        fs::write(l1.join("o/old"), "").unwrap();
        fs::create_dir_all(l1.join("gone/sub")).unwrap();
        fs::write(l1.join("f"), "").unwrap();
        fs::write(l1.join("-dash"), "").unwrap();
        fs::write(l1.join("keep"), "").unwrap();
        fs::create_dir(l2.join("o")).unwrap();
        fs::write(l2.join("o/.wh..wh..opq"), "").unwrap();
        fs::write(l2.join("o/new"), "").unwrap();
        for wh in [".wh.gone", ".wh.f", ".wh.-dash", ".wh.absent"] {
            fs::write(l2.join(wh), "").unwrap();
        }
        materialize(&[l1.clone(), l2.clone()], &dest).unwrap();
        let names = |d: &Path| {
            let mut v: Vec<String> = fs::read_dir(d)
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            v.sort();
            v
        };
        assert_eq!(names(&dest), ["keep", "o"]);
        assert_eq!(names(&dest.join("o")), ["new"]);
    }
}
