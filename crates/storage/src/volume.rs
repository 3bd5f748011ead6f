//! Volumes: named directories that outlive containers, in the store's
//! `volumes/` directory. This module owns their on-disk format.
//!
//! Layout (under the store root):
//! - `volumes/<NAME>/volume.json`: the [`VolumeRecord`], written once at
//!   creation and rewritten whole (temp file and rename) when its first
//!   mount clears [`VolumeRecord::needs_copy_up`].
//! - `volumes/<NAME>/_data/`: the contents, mounted into containers.
//!
//! Contract:
//! - A name is [`valid_name`]: `[A-Za-z0-9][A-Za-z0-9_.-]*`, at most
//!   [`MAX_NAME`] bytes, so it is always one path component and never `.`
//!   or `..`.
//! - A volume appears whole or not at all: it is built in the store's
//!   `tmp/` and renamed into `volumes/`; removal renames it back into
//!   `tmp/` first, so a killed `volume rm` leaves the volume or nothing
//!   (the next store user clears `tmp/`). Callers hold the store lock
//!   around creation, removal and record changes.
//! - Owners and modes that the host cannot give are kept as in image
//!   layers: the [`super::layer::OVERRIDE_STAT_XATTR`] record, absent
//!   where the owner is root and the mode is the one on disk. The copy of
//!   an image's directory ([`copy_up`]), `:U` ([`record_owner`]) and
//!   [`import`] write those records; the container's own `chown`s go
//!   through its ownership supervisor, which writes the same records.
//! - Every walk of a volume's contents opens directories relative to their
//!   parent with `O_NOFOLLOW`: a symlink a container left in its volume is
//!   never followed.

use super::layer::{OVERRIDE_STAT_XATTR, OverrideStat};
use super::pack::Layer;
use super::view::{View, ViewKind};
use super::walk::file_type;
use super::{Store, StoreError, StoreLock};
use nix::dir::Dir;
use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag, openat};
use nix::sys::stat::{Mode, SFlag, fstatat, futimens, mkdirat};
use nix::sys::time::TimeSpec;
use nix::unistd::symlinkat;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use xattr::FileExt;

/// The longest volume name: a file name, with room for the store's
/// temporary prefixes.
pub const MAX_NAME: usize = 200;
/// The one driver: directories in the store.
pub const LOCAL: &str = "local";

#[derive(Debug, thiserror::Error)]
pub enum VolumeError {
    #[error(
        "invalid volume name {0:?}: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]* and be at most {MAX_NAME} characters"
    )]
    BadName(String),
    #[error("volume with name {0} already exists: volume already exists")]
    Exists(String),
    #[error("no volume with name {0:?} found: no such volume")]
    NotFound(String),
    #[error("volume {name}: reading its record {path}: {source}")]
    Record {
        name: String,
        path: PathBuf,
        source: io::Error,
    },
    #[error("volume {name}: its record {path} is corrupt ({source}): remove the volume")]
    Corrupt {
        name: String,
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("volume {name}: creating {path}: {source}")]
    Create {
        name: String,
        path: PathBuf,
        source: io::Error,
    },
    #[error("volume {name}: copying {path} from the image: {source}")]
    CopyUp {
        name: String,
        path: PathBuf,
        source: io::Error,
    },
    #[error("recording owners in {path}: {source}")]
    Owner { path: PathBuf, source: io::Error },
    #[error("volume {name}: {source}")]
    Archive {
        name: String,
        source: super::copy::CopyError,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

type Result<T> = std::result::Result<T, VolumeError>;

/// What `volume.json` keeps.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct VolumeRecord {
    pub name: String,
    /// Always [`LOCAL`].
    pub driver: String,
    /// RFC 3339, from the caller's clock.
    pub created_at: String,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// `-o` options as given (`type`, `o`, `device`), checked by the
    /// caller.
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    /// Made for one container (`-v /path`, an image's VOLUME): removed with
    /// it by `--rm` and `rm -v`.
    #[serde(default)]
    pub anonymous: bool,
    /// Not yet mounted: its first mount on a directory of an image copies
    /// that directory's contents, owner and mode in.
    #[serde(default)]
    pub needs_copy_up: bool,
}

/// Whether `name` may name a volume (see the module docs).
pub fn valid_name(name: &str) -> bool {
    rsp_base::text::is_object_name(name, MAX_NAME)
}

fn check_name(name: &str) -> Result<()> {
    if valid_name(name) {
        Ok(())
    } else {
        Err(VolumeError::BadName(name.to_string()))
    }
}

impl Store {
    /// `volumes/`, where every volume lives.
    pub fn volumes_dir(&self) -> PathBuf {
        self.root().join("volumes")
    }

    /// A volume's directory (`volumes/<name>`); the name must be valid.
    pub fn volume_dir(&self, name: &str) -> Result<PathBuf> {
        check_name(name)?;
        Ok(self.volumes_dir().join(name))
    }

    /// Where a volume's contents are: `volumes/<name>/_data`.
    pub fn volume_data(&self, name: &str) -> Result<PathBuf> {
        Ok(self.volume_dir(name)?.join("_data"))
    }

    /// Creates a volume from `rec` (whose name must be free).
    pub fn create_volume(&self, rec: &VolumeRecord, _lock: &StoreLock) -> Result<()> {
        let dir = self.volume_dir(&rec.name)?;
        let name = rec.name.clone();
        if fs::symlink_metadata(&dir).is_ok() {
            return Err(VolumeError::Exists(name));
        }
        let err = |path: &Path, source| VolumeError::Create {
            name: name.clone(),
            path: path.to_path_buf(),
            source,
        };
        let vols = self.volumes_dir();
        super::mkdir(&vols, 0o700)?;
        let tmp = self.temp_dir("volume")?;
        let data = tmp.join("_data");
        // Like a fresh directory in a container: root's, 0755.
        fs::create_dir(&data).map_err(|e| err(&data, e))?;
        let _ = fs::set_permissions(&data, std::os::unix::fs::PermissionsExt::from_mode(0o755));
        super::write_json(&tmp.join("volume.json"), rec)?;
        fs::rename(&tmp, &dir).map_err(|e| {
            let _ = super::remove_tree(&tmp);
            err(&dir, e)
        })?;
        Ok(())
    }

    /// The record of volume `name`.
    pub fn volume(&self, name: &str) -> Result<VolumeRecord> {
        let dir = self.volume_dir(name)?;
        let path = dir.join("volume.json");
        let data = fs::read(&path).map_err(|source| {
            if source.kind() == io::ErrorKind::NotFound {
                VolumeError::NotFound(name.to_string())
            } else {
                VolumeError::Record {
                    name: name.to_string(),
                    path: path.clone(),
                    source,
                }
            }
        })?;
        serde_json::from_slice(&data).map_err(|source| VolumeError::Corrupt {
            name: name.to_string(),
            path,
            source,
        })
    }

    /// Rewrites a volume's record (its name is the key).
    pub fn save_volume(&self, rec: &VolumeRecord, _lock: &StoreLock) -> Result<()> {
        let path = self.volume_dir(&rec.name)?.join("volume.json");
        super::write_json(&path, rec)?;
        Ok(())
    }

    /// Every volume, by name. Entries that are not volumes (a bad name,
    /// no record) are skipped; a corrupt record is an error.
    pub fn volumes(&self) -> Result<Vec<VolumeRecord>> {
        let mut out = Vec::new();
        let entries = match fs::read_dir(self.volumes_dir()) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
            Err(source) => {
                return Err(StoreError::Read {
                    path: self.volumes_dir(),
                    source,
                }
                .into());
            }
        };
        for e in entries.flatten() {
            let Some(name) = e.file_name().to_str().map(str::to_string) else {
                continue;
            };
            if !valid_name(&name) {
                continue;
            }
            match self.volume(&name) {
                Ok(rec) => out.push(rec),
                Err(VolumeError::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Removes volume `name` and its contents: first renamed away, so it is
    /// gone at once and whole even if the removal of its files is killed.
    pub fn remove_volume(&self, name: &str, _lock: &StoreLock) -> Result<()> {
        let dir = self.volume_dir(name)?;
        if !dir.join("volume.json").exists() {
            return Err(VolumeError::NotFound(name.to_string()));
        }
        let tmp = self.temp_dir("volume-rm")?;
        let gone = tmp.join("v");
        fs::rename(&dir, &gone).map_err(|source| StoreError::Remove {
            path: dir.clone(),
            source,
        })?;
        super::remove_tree(&tmp)?;
        Ok(())
    }

    /// Bytes used by a volume's files (their sizes; directories count 0).
    pub fn volume_size(&self, name: &str) -> u64 {
        self.volume_data(name)
            .map(|d| super::tree_size(&d))
            .unwrap_or(0)
    }
}

fn io_err(e: Errno) -> io::Error {
    e.into()
}

/// Copies the image directory at `path` (absolute, in the image `layers`
/// give, topmost first) into the volume directory `data`: contents,
/// owners, modes, times and content xattrs, with owners and modes the
/// host cannot give kept as records. `data` itself takes the directory's
/// owner and mode when `root_attrs` is set. A path that is missing in the image, or not a
/// directory there, copies nothing; symlinks on the way are resolved
/// inside the image, as the container would. Files already in `data`
/// are kept (a name the image also has is left as it is).
pub fn copy_up(
    layers: Vec<Layer>,
    path: &str,
    data: &Path,
    name: &str,
    root_attrs: bool,
) -> Result<()> {
    let err = |p: &Path, source| VolumeError::CopyUp {
        name: name.to_string(),
        path: p.to_path_buf(),
        source,
    };
    let view = View::new(layers).map_err(|e| err(Path::new("/"), e))?;
    let Some(rel) = resolve_in_image(&view, path).map_err(|e| err(Path::new(path), e))? else {
        return Ok(());
    };
    let Some(top) = view.lstat(&rel).map_err(|e| err(&rel, e))? else {
        return Ok(());
    };
    if top.kind != ViewKind::Dir {
        return Ok(());
    }
    let root = File::from(
        nix::fcntl::open(
            data,
            OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| err(data, io_err(e)))?,
    );
    let mut c = Copier {
        view: &view,
        name,
        buf: vec![0; 256 * 1024],
    };
    c.dir(&rel, root.as_fd())?;
    if root_attrs {
        c.attrs(&root, &rel, top.uid, top.gid, top.mode, top.mtime)?;
    }
    Ok(())
}

/// `path` with every symlink on it resolved inside the image (at most 40),
/// relative to the image root; `None` when a part is missing or a loop.
fn resolve_in_image(view: &View, path: &str) -> io::Result<Option<PathBuf>> {
    let mut todo: Vec<Vec<u8>> = path
        .as_bytes()
        .split(|b| *b == b'/')
        .filter(|p| !p.is_empty())
        .map(<[u8]>::to_vec)
        .rev()
        .collect();
    let mut cur: Vec<Vec<u8>> = Vec::new();
    let mut hops = 0;
    while let Some(part) = todo.pop() {
        match part.as_slice() {
            b"." => continue,
            b".." => {
                cur.pop();
                continue;
            }
            _ => {}
        }
        cur.push(part);
        let rel: PathBuf = cur.iter().map(|p| OsStr::from_bytes(p)).collect();
        let Some(e) = view.lstat(&rel)? else {
            return Ok(None);
        };
        if e.kind == ViewKind::Symlink {
            hops += 1;
            if hops > 40 {
                return Ok(None);
            }
            cur.pop();
            let target = e.target.unwrap_or_default();
            let t = target.as_os_str().as_bytes();
            if t.starts_with(b"/") {
                cur.clear();
            }
            todo.extend(
                t.split(|b| *b == b'/')
                    .filter(|p| !p.is_empty())
                    .map(<[u8]>::to_vec)
                    .rev(),
            );
        }
    }
    Ok(Some(cur.iter().map(|p| OsStr::from_bytes(p)).collect()))
}

struct Copier<'a> {
    view: &'a View,
    name: &'a str,
    buf: Vec<u8>,
}

impl Copier<'_> {
    fn err(&self, p: &Path, source: io::Error) -> VolumeError {
        VolumeError::CopyUp {
            name: self.name.to_string(),
            path: p.to_path_buf(),
            source,
        }
    }

    /// Copies the children of image directory `rel` into `dest`.
    fn dir(&mut self, rel: &Path, dest: BorrowedFd<'_>) -> Result<()> {
        let names = self.view.list(rel).map_err(|e| self.err(rel, e))?;
        for n in names {
            let child = rel.join(&n);
            let Some(e) = self.view.lstat(&child).map_err(|e| self.err(&child, e))? else {
                continue;
            };
            // Whatever the volume already has wins.
            if fstatat(dest, n.as_os_str(), AtFlags::AT_SYMLINK_NOFOLLOW).is_ok() {
                continue;
            }
            match e.kind {
                ViewKind::Dir => {
                    mkdirat(dest, n.as_os_str(), Mode::from_bits_truncate(0o700))
                        .map_err(|x| self.err(&child, io_err(x)))?;
                    let fd = open_dir_at(dest, &n).map_err(|x| self.err(&child, x))?;
                    let f = File::from(fd);
                    self.dir(&child, f.as_fd())?;
                    self.attrs(&f, &child, e.uid, e.gid, e.mode, e.mtime)?;
                }
                ViewKind::File => {
                    let mut src = self.view.open(&child).map_err(|x| self.err(&child, x))?;
                    let fd = openat(
                        dest,
                        n.as_os_str(),
                        OFlag::O_WRONLY
                            | OFlag::O_CREAT
                            | OFlag::O_EXCL
                            | OFlag::O_NOFOLLOW
                            | OFlag::O_CLOEXEC,
                        Mode::from_bits_truncate(0o600),
                    )
                    .map_err(|x| self.err(&child, io_err(x)))?;
                    let mut out = File::from(fd);
                    loop {
                        let k = src.read(&mut self.buf).map_err(|x| self.err(&child, x))?;
                        if k == 0 {
                            break;
                        }
                        out.write_all(&self.buf[..k])
                            .map_err(|x| self.err(&child, x))?;
                    }
                    self.attrs(&out, &child, e.uid, e.gid, e.mode, e.mtime)?;
                }
                ViewKind::Symlink => {
                    let target = e.target.clone().unwrap_or_default();
                    symlinkat(target.as_os_str(), dest, n.as_os_str())
                        .map_err(|x| self.err(&child, io_err(x)))?;
                }
                ViewKind::Device(d) => {
                    // As a layer keeps one: a placeholder with a record.
                    let fd = openat(
                        dest,
                        n.as_os_str(),
                        OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_CLOEXEC,
                        Mode::from_bits_truncate(0o600),
                    )
                    .map_err(|x| self.err(&child, io_err(x)))?;
                    let f = File::from(fd);
                    let rec = OverrideStat::new(e.uid, e.gid, e.mode).with_device(d);
                    f.set_xattr(OVERRIDE_STAT_XATTR, rec.to_string().as_bytes())
                        .map_err(|x| self.err(&child, x))?;
                }
                ViewKind::Fifo => {
                    nix::unistd::mkfifoat(
                        dest,
                        n.as_os_str(),
                        Mode::from_bits_truncate(e.mode & 0o777),
                    )
                    .map_err(|x| self.err(&child, io_err(x)))?;
                }
                // A socket is a live process's, never content.
                ViewKind::Socket => {}
            }
        }
        Ok(())
    }

    /// Mode, record, content xattrs and times of a copied file or
    /// directory (directories after their contents).
    fn attrs(
        &self,
        f: &File,
        rel: &Path,
        uid: u32,
        gid: u32,
        mode: u32,
        mtime: (i64, u32),
    ) -> Result<()> {
        for (k, v) in self.view.xattrs(rel).map_err(|e| self.err(rel, e))? {
            let _ = f.set_xattr(&k, &v);
        }
        set_record(f, uid, gid, mode).map_err(|e| self.err(rel, e))?;
        let t = TimeSpec::new(mtime.0, mtime.1.into());
        futimens(f, &t, &t).map_err(|e| self.err(rel, io_err(e)))?;
        Ok(())
    }
}

/// Gives an open file or directory `mode` on disk and the owner record
/// `uid:gid:mode` unless that is root's with the mode on disk. Disk modes
/// keep the owner's read and write (and search, for directories) so the
/// user can always manage and remove the volume; the record then says
/// what the container sees.
fn set_record(f: &File, uid: u32, gid: u32, mode: u32) -> io::Result<()> {
    let is_dir = f.metadata()?.is_dir();
    let disk = (mode & 0o7777) | if is_dir { 0o700 } else { 0o600 };
    nix::sys::stat::fchmod(f, Mode::from_bits_truncate(disk)).map_err(io_err)?;
    let rec = OverrideStat::new(uid, gid, mode);
    if rec.is_implied_by(0, 0, disk) {
        match f.remove_xattr(OVERRIDE_STAT_XATTR) {
            Ok(()) => Ok(()),
            Err(e) if e.raw_os_error() == Some(libc::ENODATA) => Ok(()),
            Err(e) => Err(e),
        }
    } else {
        f.set_xattr(OVERRIDE_STAT_XATTR, rec.to_string().as_bytes())
    }
}

fn open_dir_at(dir: BorrowedFd<'_>, name: &OsStr) -> io::Result<OwnedFd> {
    openat(
        dir,
        name,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(io_err)
}

/// `:U`: records `uid:gid` as the owner of `dir` and everything below it
/// (modes kept), as Podman's chown of a volume would leave them. Symlinks
/// cannot carry a record and are skipped, never followed.
pub fn record_owner(dir: &Path, uid: u32, gid: u32) -> Result<()> {
    let err = |p: &Path, source| VolumeError::Owner {
        path: p.to_path_buf(),
        source,
    };
    let root = File::from(
        nix::fcntl::open(
            dir,
            OFlag::O_RDONLY | OFlag::O_CLOEXEC | OFlag::O_NOFOLLOW,
            Mode::empty(),
        )
        .map_err(|e| err(dir, io_err(e)))?,
    );
    chown_tree(&root, dir, uid, gid).map_err(|(p, e)| err(&p, e))
}

fn chown_tree(
    f: &File,
    path: &Path,
    uid: u32,
    gid: u32,
) -> std::result::Result<(), (PathBuf, io::Error)> {
    let e = |x: io::Error| (path.to_path_buf(), x);
    let st = nix::sys::stat::fstat(f).map_err(|x| e(io_err(x)))?;
    let kind = file_type(&st);
    if kind != SFlag::S_IFREG && kind != SFlag::S_IFDIR {
        return Ok(());
    }
    let mode = match f.get_xattr(OVERRIDE_STAT_XATTR) {
        Ok(Some(v)) => OverrideStat::parse(&v)
            .map(|r| r.mode)
            .unwrap_or(st.st_mode & 0o7777),
        _ => st.st_mode & 0o7777,
    };
    // Always a record, even for root: the file's own group may be one the
    // container's namespace does not map.
    let rec = OverrideStat::new(uid, gid, mode);
    f.set_xattr(OVERRIDE_STAT_XATTR, rec.to_string().as_bytes())
        .map_err(e)?;
    if kind != SFlag::S_IFDIR {
        return Ok(());
    }
    let mut d = Dir::openat(
        f.as_fd(),
        ".",
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|x| e(io_err(x)))?;
    let mut names = Vec::new();
    for ent in d.iter() {
        let ent = ent.map_err(|x| e(io_err(x)))?;
        let n = ent.file_name().to_bytes();
        if n != b"." && n != b".." {
            names.push(OsStr::from_bytes(n).to_os_string());
        }
    }
    for n in names {
        let child = path.join(&n);
        match openat(
            f.as_fd(),
            n.as_os_str(),
            OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC | OFlag::O_NONBLOCK,
            Mode::empty(),
        ) {
            Ok(fd) => chown_tree(&File::from(fd), &child, uid, gid)?,
            // Symlinks (ELOOP) carry no record; anything gone meanwhile
            // or unreadable is left as it is.
            Err(Errno::ELOOP | Errno::ENOENT | Errno::EACCES | Errno::ENXIO) => {}
            Err(x) => return Err((child, io_err(x))),
        }
    }
    Ok(())
}

/// `volume export`: a tar of the volume's contents, owners and modes as
/// the container sees them (records win over the disk).
pub fn export(store: &Store, name: &str, out: impl Write) -> Result<()> {
    store.volume(name)?;
    let data = store.volume_data(name)?;
    super::copy::archive(&format!("{}/.", data.display()), false, out).map_err(|source| {
        VolumeError::Archive {
            name: name.to_string(),
            source,
        }
    })
}

/// `volume import`: unpacks a tar into the volume, over what it has; the
/// stream is hostile (see [`super::copy::extract`]) and its owners become
/// records.
pub fn import(store: &Store, name: &str, input: impl Read) -> Result<()> {
    store.volume(name)?;
    let data = store.volume_data(name)?;
    let opts = super::copy::ExtractOptions {
        rename_top: None,
        owner: super::copy::Owner::Record,
        no_overwrite_dir_non_dir: false,
    };
    super::copy::extract(input, &data, &opts).map_err(|source| VolumeError::Archive {
        name: name.to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The owner a volume file's record names, if it has one.
    fn recorded_owner(path: &Path) -> Option<(u32, u32)> {
        let v = xattr::get(path, OVERRIDE_STAT_XATTR).ok().flatten()?;
        OverrideStat::parse(&v).ok().map(|r| (r.uid, r.gid))
    }

    #[test]
    fn issue19_volume_names() {
        for ok in ["a", "data", "my-vol_1.x", &"v".repeat(MAX_NAME)] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in [
            "",
            ".",
            "..",
            "../x",
            "a/b",
            "/",
            "-x",
            "_x",
            ".hidden",
            "a b",
            "a\0b",
            "é",
            &"v".repeat(MAX_NAME + 1),
        ] {
            assert!(!valid_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn issue19_create_list_remove() {
        let d = tempfile::tempdir().unwrap();
        let s = Store::open(d.path()).unwrap();
        let lock = s.lock().unwrap();
        let rec = VolumeRecord {
            name: "v1".into(),
            driver: LOCAL.into(),
            created_at: "now".into(),
            needs_copy_up: true,
            ..Default::default()
        };
        s.create_volume(&rec, &lock).unwrap();
        assert!(matches!(
            s.create_volume(&rec, &lock),
            Err(VolumeError::Exists(_))
        ));
        assert!(s.volume_data("v1").unwrap().is_dir());
        assert_eq!(s.volumes().unwrap(), vec![rec.clone()]);
        fs::write(s.volume_data("v1").unwrap().join("f"), b"hello").unwrap();
        assert_eq!(s.volume_size("v1"), 5);
        assert!(matches!(
            s.volume_dir("../etc"),
            Err(VolumeError::BadName(_))
        ));
        s.remove_volume("v1", &lock).unwrap();
        assert!(s.volumes().unwrap().is_empty());
        assert!(matches!(
            s.remove_volume("v1", &lock),
            Err(VolumeError::NotFound(_))
        ));
        // Nothing left behind in tmp/.
        assert_eq!(fs::read_dir(d.path().join("tmp")).unwrap().count(), 0);
    }

    #[test]
    fn issue19_record_owner_skips_symlinks() {
        let d = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("secret"), b"x").unwrap();
        fs::create_dir(d.path().join("sub")).unwrap();
        fs::write(d.path().join("sub/f"), b"x").unwrap();
        std::os::unix::fs::symlink(outside.path(), d.path().join("link")).unwrap();
        record_owner(d.path(), 999, 998).unwrap();
        assert_eq!(recorded_owner(&d.path().join("sub/f")), Some((999, 998)));
        assert_eq!(recorded_owner(&d.path().join("sub")), Some((999, 998)));
        assert_eq!(recorded_owner(d.path()), Some((999, 998)));
        assert_eq!(recorded_owner(&outside.path().join("secret")), None);
        record_owner(d.path(), 0, 0).unwrap();
        assert_eq!(recorded_owner(&d.path().join("sub/f")), Some((0, 0)));
    }
}
