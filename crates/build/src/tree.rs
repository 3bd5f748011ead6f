//! A read-only file tree that COPY and ADD copy from: the build context,
//! an image's layers (`--from`), or an extracted archive.
//!
//! Contract: paths given to a [`Tree`] are relative (no leading `/`), made
//! of normal components only (no `.`, `..` or empty ones); an
//! implementation never follows a symlink itself, and never opens
//! anything outside its root. Resolving symlinks (scoped to the root) is
//! the caller's job, with [`Tree::lstat`] and [`Meta::target`].

use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag, openat, readlinkat};
use nix::sys::stat::{Mode, SFlag, fstat, fstatat};
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::AsFd;
use std::os::unix::ffi::OsStringExt;
use std::path::{Component, Path, PathBuf};

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
    /// The `user.*` xattrs a layer carries of file or directory `rel`
    /// (COPY keeps them on the directories it must repeat from below);
    /// none for a tree that keeps none.
    fn xattrs(&self, rel: &Path) -> io::Result<Vec<(OsString, Vec<u8>)>> {
        let _ = rel;
        Ok(Vec::new())
    }
}

/// An image's files, or an extracted archive: layer directories in the
/// store's format seen as one tree ([`rsp_storage::view::View`]), owners
/// and modes as their records say.
pub struct LayersTree(pub rsp_storage::view::View);

impl Tree for LayersTree {
    fn lstat(&self, rel: &Path) -> io::Result<Option<Meta>> {
        use rsp_storage::view::ViewKind;
        Ok(self.0.lstat(rel)?.map(|e| Meta {
            kind: match e.kind {
                ViewKind::File => Kind::File,
                ViewKind::Dir => Kind::Dir,
                ViewKind::Symlink => Kind::Symlink,
                _ => Kind::Other,
            },
            mode: e.mode,
            uid: e.uid,
            gid: e.gid,
            size: e.size,
            mtime: e.mtime,
            target: e.target,
        }))
    }

    fn list(&self, rel: &Path) -> io::Result<Vec<OsString>> {
        self.0.list(rel)
    }

    fn open(&self, rel: &Path) -> io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(self.0.open(rel)?))
    }

    fn xattrs(&self, rel: &Path) -> io::Result<Vec<(OsString, Vec<u8>)>> {
        self.0.xattrs(rel)
    }
}

/// A plain host directory seen as a tree: owners and modes as the disk
/// has them. Every path is opened component by component from the root's
/// descriptor with `O_NOFOLLOW`, so a symlink in it is an entry, never a
/// way out.
pub struct DirTree {
    root: File,
}

impl DirTree {
    pub fn open(path: &Path) -> io::Result<DirTree> {
        let fd = nix::fcntl::open(
            path,
            OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )?;
        Ok(DirTree {
            root: File::from(fd),
        })
    }

    /// The directory `comps` (walked without following symlinks), or
    /// `None` if there is no directory there.
    fn dir(&self, comps: &[&OsStr]) -> io::Result<Option<File>> {
        let mut cur = self.root.try_clone()?;
        for name in comps {
            match openat(
                cur.as_fd(),
                *name,
                OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
                Mode::empty(),
            ) {
                Ok(fd) => cur = File::from(fd),
                Err(Errno::ENOENT | Errno::ENOTDIR | Errno::ELOOP) => return Ok(None),
                Err(e) => return Err(e.into()),
            }
        }
        Ok(Some(cur))
    }
}

/// The plain components of a tree path (`..` refused: see [`Tree`]).
fn tree_components(rel: &Path) -> io::Result<Vec<&OsStr>> {
    let mut out = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::RootDir | Component::CurDir => {}
            _ => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{}: not a plain relative path", rel.display()),
                ));
            }
        }
    }
    Ok(out)
}

impl Tree for DirTree {
    fn lstat(&self, rel: &Path) -> io::Result<Option<Meta>> {
        let comps = tree_components(rel)?;
        let (st, target) = match comps.split_last() {
            None => (fstat(self.root.as_fd())?, None),
            Some((name, parents)) => {
                let Some(dir) = self.dir(parents)? else {
                    return Ok(None);
                };
                let st = match fstatat(dir.as_fd(), *name, AtFlags::AT_SYMLINK_NOFOLLOW) {
                    Ok(st) => st,
                    Err(Errno::ENOENT) => return Ok(None),
                    Err(e) => return Err(e.into()),
                };
                let is_link =
                    SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT == SFlag::S_IFLNK;
                let target = if is_link {
                    Some(PathBuf::from(readlinkat(dir.as_fd(), *name)?))
                } else {
                    None
                };
                (st, target)
            }
        };
        let kind = match SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT {
            SFlag::S_IFREG => Kind::File,
            SFlag::S_IFDIR => Kind::Dir,
            SFlag::S_IFLNK => Kind::Symlink,
            _ => Kind::Other,
        };
        Ok(Some(Meta {
            kind,
            mode: if kind == Kind::Symlink {
                0o777
            } else {
                st.st_mode & 0o7777
            },
            uid: st.st_uid,
            gid: st.st_gid,
            size: st.st_size as u64,
            mtime: (st.st_mtime, st.st_mtime_nsec as u32),
            target,
        }))
    }

    fn list(&self, rel: &Path) -> io::Result<Vec<OsString>> {
        let comps = tree_components(rel)?;
        let Some(dir) = self.dir(&comps)? else {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{}: no such directory", rel.display()),
            ));
        };
        let mut listing = nix::dir::Dir::from_fd(dir.into())?;
        let mut names = Vec::new();
        for e in listing.iter() {
            let n = e?.file_name().to_bytes().to_vec();
            if n != b"." && n != b".." {
                names.push(OsString::from_vec(n));
            }
        }
        names.sort();
        Ok(names)
    }

    fn open(&self, rel: &Path) -> io::Result<Box<dyn Read + '_>> {
        let comps = tree_components(rel)?;
        let not_found = || io::Error::new(io::ErrorKind::NotFound, rel.display().to_string());
        let (name, parents) = comps.split_last().ok_or_else(not_found)?;
        let dir = self.dir(parents)?.ok_or_else(not_found)?;
        let fd = openat(
            dir.as_fd(),
            *name,
            OFlag::O_RDONLY
                | OFlag::O_NOFOLLOW
                | OFlag::O_NONBLOCK
                | OFlag::O_NOCTTY
                | OFlag::O_CLOEXEC,
            Mode::empty(),
        )?;
        if SFlag::from_bits_truncate(fstat(&fd)?.st_mode) & SFlag::S_IFMT != SFlag::S_IFREG {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{}: not a regular file", rel.display()),
            ));
        }
        Ok(Box::new(File::from(fd)))
    }
}
