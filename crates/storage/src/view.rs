//! A read-only merged view of a stack of layer directories in the store's
//! overlay format ([`super::layer`]), topmost first, as [`super::pack`]
//! walks them: what a container would see, looked up one path at a time.
//! The build reads an image's files through it (COPY's destination rules,
//! `COPY --from`, an extracted ADD archive).
//!
//! Rules (the same as [`super::pack`]'s merged directories):
//! - A 0/0 character device `NAME` or an empty regular file `.wh.NAME`
//!   in a layer deletes `NAME` from the layers below it (a `NAME` of the
//!   same layer is still shown).
//! - A directory with [`super::layer::OPAQUE_XATTR`]` = y` or an empty
//!   `.wh..wh..opq` in it hides the same directory of every layer below.
//! - Only directories merge: the topmost non-directory entry shadows
//!   everything below it.
//! - No `.wh.` name is ever part of the view.
//! - Owner and mode come from the entry's
//!   [`super::layer::OVERRIDE_STAT_XATTR`] record when it has a valid
//!   one, else the layer's default owner and the mode on disk; a regular
//!   file whose record names a device is that device.
//!
//! # Security contract
//!
//! Every directory is opened relative to its parent's descriptor with
//! `O_NOFOLLOW | O_DIRECTORY` and every file with `O_NOFOLLOW`, so no
//! symlink in a layer is ever followed and nothing outside a layer
//! directory is ever opened. Symlinks are entries of the view, with
//! their targets as stored; resolving them is the caller's job.

use super::layer::{self, OPAQUE_MARKER, OPAQUE_XATTR, OVERRIDE_STAT_XATTR, OverrideStat};
use super::pack::Layer;
use super::walk::file_type;
use nix::dir::Dir;
use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag, openat, readlinkat};
use nix::sys::stat::{FileStat, Mode, SFlag, fstat, fstatat};
use std::collections::{BTreeSet, HashSet};
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::fd::AsFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};
use xattr::FileExt;

/// What an entry of the view is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewKind {
    File,
    Dir,
    Symlink,
    Fifo,
    Socket,
    /// A device: a placeholder file with a device record, or a real node.
    Device(layer::Device),
}

/// One entry of the view, with its attributes as the image gives them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewEntry {
    pub kind: ViewKind,
    /// Permission bits with setuid, setgid and sticky (`0o7777`).
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// Size on disk (0 for a device placeholder).
    pub size: u64,
    /// Modification time: seconds and nanoseconds since the epoch.
    pub mtime: (i64, u32),
    /// A symlink's target, as stored.
    pub target: Option<PathBuf>,
    /// Index (in the view's layers, topmost first) of the layer it comes
    /// from.
    pub layer: usize,
}

/// A merged read-only view of layer directories (see the module docs).
pub struct View {
    layers: Vec<Layer>,
    /// Each layer's root directory, opened once.
    roots: Vec<File>,
}

/// One merged directory: (layer index, directory) for each layer that
/// contributes to it, topmost first, cut after the first opaque one.
type Parts = Vec<(usize, File)>;

/// The topmost entry found for a name in a merged directory.
struct Found {
    layer: usize,
    /// Index in the parent's [`Parts`] of the directory holding it.
    part: usize,
    stat: FileStat,
    /// For a directory looked up to descend into: its merged parts.
    parts: Parts,
}

fn errno(e: Errno) -> io::Error {
    e.into()
}

fn is_dir(stat: &FileStat) -> bool {
    file_type(stat) == SFlag::S_IFDIR
}

fn open_dir(parent: &File, name: &OsStr) -> io::Result<File> {
    openat(
        parent.as_fd(),
        name,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map(File::from)
    .map_err(errno)
}

/// Opens a regular file for reading, never through a symlink, never
/// blocking on a FIFO swapped in.
fn open_file(parent: &File, name: &OsStr) -> io::Result<File> {
    let fd = openat(
        parent.as_fd(),
        name,
        OFlag::O_RDONLY
            | OFlag::O_NOFOLLOW
            | OFlag::O_NONBLOCK
            | OFlag::O_NOCTTY
            | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(errno)?;
    let st = fstat(&fd).map_err(errno)?;
    if file_type(&st) != SFlag::S_IFREG {
        return Err(io::Error::other("not a regular file"));
    }
    Ok(File::from(fd))
}

/// Whether `dir` is opaque, in either form.
fn is_opaque(dir: &File) -> io::Result<bool> {
    if matches!(dir.get_xattr(OPAQUE_XATTR), Ok(Some(v)) if layer::is_opaque_value(&v)) {
        return Ok(true);
    }
    has_regular(dir, OsStr::from_bytes(OPAQUE_MARKER))
}

/// Whether `dir` holds a regular file `name` (a marker of the tar form).
fn has_regular(dir: &File, name: &OsStr) -> io::Result<bool> {
    match fstatat(dir.as_fd(), name, AtFlags::AT_SYMLINK_NOFOLLOW) {
        Ok(st) => Ok(file_type(&st) == SFlag::S_IFREG),
        Err(Errno::ENOENT | Errno::ENOTDIR | Errno::ENAMETOOLONG) => Ok(false),
        Err(e) => Err(errno(e)),
    }
}

/// The components of a relative view path; `..` is refused (a view path
/// names an entry, it does not climb).
fn components(rel: &Path) -> io::Result<Vec<&OsStr>> {
    let mut out = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::RootDir | Component::CurDir => {}
            Component::ParentDir | Component::Prefix(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{}: not a plain relative path", rel.display()),
                ));
            }
        }
    }
    Ok(out)
}

fn not_found(rel: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::NotFound,
        format!("{}: no such file or directory", rel.display()),
    )
}

/// The content xattrs (`user.*` outside overlay's and containers/storage's
/// namespaces) of an open file or directory, sorted.
fn content_xattrs(f: &File) -> Vec<(OsString, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(names) = f.list_xattr() else {
        return out;
    };
    for n in names {
        if layer::is_content_xattr(n.as_bytes())
            && let Ok(Some(v)) = f.get_xattr(&n)
        {
            out.push((n, v));
        }
    }
    out.sort();
    out
}

impl View {
    /// The view of `layers` (topmost first). Each layer directory is
    /// opened now.
    pub fn new(layers: Vec<Layer>) -> io::Result<View> {
        let mut roots = Vec::with_capacity(layers.len());
        for l in &layers {
            let fd = nix::fcntl::open(
                &l.path,
                OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
                Mode::empty(),
            )
            .map_err(|e| {
                io::Error::new(
                    io::Error::from(e).kind(),
                    format!("opening layer {}: {e}", l.path.display()),
                )
            })?;
            roots.push(File::from(fd));
        }
        Ok(View { layers, roots })
    }

    /// The layers, topmost first.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// The merged root directory.
    fn root_parts(&self) -> io::Result<Parts> {
        let mut parts = Vec::new();
        for (i, root) in self.roots.iter().enumerate() {
            let dir = root.try_clone()?;
            let opaque = is_opaque(&dir)?;
            parts.push((i, dir));
            if opaque {
                break;
            }
        }
        Ok(parts)
    }

    /// Looks `name` up in the merged directory `parts`. With `descend`,
    /// a directory found also gets its merged parts.
    fn step(&self, parts: &Parts, name: &OsStr, descend: bool) -> io::Result<Option<Found>> {
        if layer::is_whiteout_name(name.as_bytes()) {
            return Ok(None);
        }
        let wh = layer::whiteout_name(name);
        let mut found: Option<Found> = None;
        for (idx, (layer, dir)) in parts.iter().enumerate() {
            match fstatat(dir.as_fd(), name, AtFlags::AT_SYMLINK_NOFOLLOW) {
                Ok(st) if layer::is_whiteout_device(st.st_mode, st.st_rdev) => break,
                Ok(st) => {
                    let dir_here = is_dir(&st);
                    match &mut found {
                        None => {
                            found = Some(Found {
                                layer: *layer,
                                part: idx,
                                stat: st,
                                parts: Vec::new(),
                            });
                            if !dir_here || !descend {
                                break;
                            }
                        }
                        // Only directories stay open to lower ones.
                        Some(_) if !dir_here => break,
                        Some(_) => {}
                    }
                    let child = open_dir(dir, name)?;
                    let opaque = is_opaque(&child)?;
                    if let Some(f) = &mut found {
                        f.parts.push((*layer, child));
                    }
                    if opaque {
                        break;
                    }
                }
                Err(Errno::ENOENT) => {}
                Err(e) => return Err(errno(e)),
            }
            // The tar form's whiteout closes the layers below this one.
            if has_regular(dir, &wh)? {
                break;
            }
        }
        Ok(found)
    }

    /// The merged parts of the directory `comps`, or `None` if there is
    /// no directory there.
    fn dir_parts(&self, comps: &[&OsStr]) -> io::Result<Option<Parts>> {
        let mut parts = self.root_parts()?;
        for name in comps {
            match self.step(&parts, name, true)? {
                Some(f) if is_dir(&f.stat) => parts = f.parts,
                _ => return Ok(None),
            }
        }
        Ok(Some(parts))
    }

    /// The topmost entry at `rel` with the directory holding it, or `None`.
    fn find(&self, rel: &Path) -> io::Result<Option<(Found, File, OsString)>> {
        let comps = components(rel)?;
        let Some((name, parents)) = comps.split_last() else {
            return Ok(None);
        };
        let Some(mut parts) = self.dir_parts(parents)? else {
            return Ok(None);
        };
        let Some(found) = self.step(&parts, name, false)? else {
            return Ok(None);
        };
        let parent = parts.swap_remove(found.part).1;
        Ok(Some((found, parent, name.to_os_string())))
    }

    /// The entry at `rel` (relative; `""` is the root), or `None`.
    pub fn lstat(&self, rel: &Path) -> io::Result<Option<ViewEntry>> {
        if components(rel)?.is_empty() {
            let Some(root) = self.roots.first() else {
                return Ok(None);
            };
            let st = fstat(root.as_fd()).map_err(errno)?;
            let record = record(root);
            return Ok(Some(self.entry(0, &st, record, None)));
        }
        let Some((found, parent, name)) = self.find(rel)? else {
            return Ok(None);
        };
        let st = &found.stat;
        let kind = file_type(st);
        let (record, target) = match kind {
            SFlag::S_IFREG => (
                open_file(&parent, &name).ok().and_then(|f| record(&f)),
                None,
            ),
            SFlag::S_IFDIR => (open_dir(&parent, &name).ok().and_then(|d| record(&d)), None),
            SFlag::S_IFLNK => {
                let t = readlinkat(parent.as_fd(), name.as_os_str()).map_err(errno)?;
                (None, Some(PathBuf::from(t)))
            }
            _ => (None, None),
        };
        Ok(Some(self.entry(found.layer, st, record, target)))
    }

    fn entry(
        &self,
        layer: usize,
        st: &FileStat,
        record: Option<OverrideStat>,
        target: Option<PathBuf>,
    ) -> ViewEntry {
        let (mut uid, mut gid) = self.layers.get(layer).map_or((0, 0), |l| l.default_owner);
        let mut mode = st.st_mode & 0o7777;
        let mut kind = match file_type(st) {
            SFlag::S_IFDIR => ViewKind::Dir,
            SFlag::S_IFLNK => ViewKind::Symlink,
            SFlag::S_IFIFO => ViewKind::Fifo,
            SFlag::S_IFSOCK => ViewKind::Socket,
            t @ (SFlag::S_IFCHR | SFlag::S_IFBLK) => ViewKind::Device(layer::Device {
                block: t == SFlag::S_IFBLK,
                major: nix::sys::stat::major(st.st_rdev) as u32,
                minor: nix::sys::stat::minor(st.st_rdev) as u32,
            }),
            _ => ViewKind::File,
        };
        let mut size = st.st_size as u64;
        if let Some(r) = record {
            (uid, gid, mode) = (r.uid, r.gid, r.mode);
            if let (Some(d), ViewKind::File) = (r.device(), kind) {
                kind = ViewKind::Device(d);
                size = 0;
            }
        }
        if kind == ViewKind::Symlink {
            mode = 0o777;
        }
        ViewEntry {
            kind,
            mode,
            uid,
            gid,
            size,
            mtime: (st.st_mtime, st.st_mtime_nsec as u32),
            target,
            layer,
        }
    }

    /// The names in directory `rel`, merged, sorted; whiteouts, opaque
    /// directories and the names of the tar form are honoured and hidden.
    pub fn list(&self, rel: &Path) -> io::Result<Vec<OsString>> {
        let comps = components(rel)?;
        let Some(parts) = self.dir_parts(&comps)? else {
            return Err(match self.lstat(rel)? {
                Some(_) => io::Error::from(io::ErrorKind::NotADirectory),
                None => not_found(rel),
            });
        };
        let mut out: BTreeSet<OsString> = BTreeSet::new();
        // Names the layers below may no longer contribute.
        let mut closed: HashSet<OsString> = HashSet::new();
        for (_, dir) in &parts {
            let mut whiteouts = Vec::new();
            let mut listing = Dir::openat(
                dir.as_fd(),
                ".",
                OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
                Mode::empty(),
            )
            .map_err(errno)?;
            for e in listing.iter() {
                let e = e.map_err(errno)?;
                let bytes = e.file_name().to_bytes();
                if bytes == b"." || bytes == b".." {
                    continue;
                }
                let name = OsStr::from_bytes(bytes);
                if let Some(marker) = layer::whiteout_name_kind(name) {
                    if let layer::WhiteoutName::Whiteout(hidden) = marker
                        && has_regular(dir, name)?
                    {
                        whiteouts.push(hidden.to_os_string());
                    }
                    continue;
                }
                let maybe_device = !matches!(
                    e.file_type(),
                    Some(
                        nix::dir::Type::File
                            | nix::dir::Type::Directory
                            | nix::dir::Type::Symlink
                            | nix::dir::Type::Fifo
                            | nix::dir::Type::Socket
                            | nix::dir::Type::BlockDevice
                    )
                );
                if maybe_device {
                    match fstatat(dir.as_fd(), name, AtFlags::AT_SYMLINK_NOFOLLOW) {
                        Ok(st) if layer::is_whiteout_device(st.st_mode, st.st_rdev) => {
                            whiteouts.push(name.to_os_string());
                            continue;
                        }
                        Ok(_) => {}
                        // Gone since the listing.
                        Err(Errno::ENOENT) => continue,
                        Err(e) => return Err(errno(e)),
                    }
                }
                if !closed.contains(name) {
                    out.insert(name.to_os_string());
                }
            }
            closed.extend(whiteouts);
        }
        Ok(out.into_iter().collect())
    }

    /// Opens the regular file at `rel` (from the topmost layer that has
    /// it) for reading. A symlink is never followed: opening one fails.
    pub fn open(&self, rel: &Path) -> io::Result<File> {
        let Some((found, parent, name)) = self.find(rel)? else {
            return Err(not_found(rel));
        };
        if file_type(&found.stat) != SFlag::S_IFREG {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{}: not a regular file", rel.display()),
            ));
        }
        let f = open_file(&parent, &name)?;
        let st = fstat(f.as_fd()).map_err(errno)?;
        if (st.st_dev, st.st_ino) != (found.stat.st_dev, found.stat.st_ino) {
            return Err(io::Error::other(format!(
                "{}: replaced while it was opened",
                rel.display()
            )));
        }
        Ok(f)
    }

    /// The content xattrs (`user.*` ones a layer carries, see
    /// [`layer::is_content_xattr`]) of the file or directory at `rel`;
    /// empty for other entries.
    pub fn xattrs(&self, rel: &Path) -> io::Result<Vec<(OsString, Vec<u8>)>> {
        if components(rel)?.is_empty() {
            return Ok(self.roots.first().map(content_xattrs).unwrap_or_default());
        }
        let Some((found, parent, name)) = self.find(rel)? else {
            return Err(not_found(rel));
        };
        Ok(match file_type(&found.stat) {
            SFlag::S_IFREG => content_xattrs(&open_file(&parent, &name)?),
            SFlag::S_IFDIR => content_xattrs(&open_dir(&parent, &name)?),
            _ => Vec::new(),
        })
    }
}

/// The valid owner record of an open file or directory.
fn record(f: &File) -> Option<OverrideStat> {
    match f.get_xattr(OVERRIDE_STAT_XATTR) {
        Ok(Some(v)) => OverrideStat::parse(&v).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::io::Read;
    use std::os::unix::fs::{PermissionsExt, symlink};

    /// A whiteout device where the disk allows one, else the tar form.
    fn whiteout_dev(dir: &Path, name: &str) -> bool {
        use nix::sys::stat::mknod;
        mknod(&dir.join(name), SFlag::S_IFCHR, Mode::empty(), 0).is_ok()
    }

    fn set_xattr(path: &Path, name: &str, value: &[u8]) -> bool {
        xattr::set(path, name, value).is_ok()
    }

    fn names(v: &View, rel: &str) -> Vec<String> {
        v.list(Path::new(rel))
            .unwrap()
            .into_iter()
            .map(|n| n.to_string_lossy().into_owned())
            .collect()
    }

    fn read(v: &View, rel: &str) -> String {
        let mut s = String::new();
        v.open(Path::new(rel))
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        s
    }

    /// Three layers: `top` over `mid` over `low`.
    fn stack(t: &Path) -> (PathBuf, PathBuf, PathBuf) {
        let (top, mid, low) = (t.join("top"), t.join("mid"), t.join("low"));
        for d in [&top, &mid, &low] {
            fs::create_dir(d).unwrap();
        }
        (top, mid, low)
    }

    fn view(layers: &[&Path]) -> View {
        View::new(
            layers
                .iter()
                .map(|p| Layer::image(p.to_path_buf()))
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn issue17_view_merges_and_shadows() {
        let t = tempfile::tempdir().unwrap();
        let (top, mid, low) = stack(t.path());
        fs::create_dir_all(low.join("etc/sub")).unwrap();
        fs::write(low.join("etc/a"), b"low-a").unwrap();
        fs::write(low.join("etc/b"), b"low-b").unwrap();
        fs::write(low.join("etc/sub/x"), b"x").unwrap();
        fs::write(low.join("file-then-dir"), b"f").unwrap();
        fs::create_dir_all(mid.join("etc")).unwrap();
        fs::write(mid.join("etc/a"), b"mid-a").unwrap();
        fs::create_dir(mid.join("file-then-dir")).unwrap();
        fs::write(mid.join("file-then-dir/in"), b"i").unwrap();
        fs::create_dir_all(top.join("etc")).unwrap();
        fs::write(top.join("etc/c"), b"top-c").unwrap();
        // A directory below a file is hidden whole.
        fs::write(top.join("etc/sub"), b"now a file").unwrap();
        let v = view(&[&top, &mid, &low]);
        assert_eq!(names(&v, ""), ["etc", "file-then-dir"]);
        assert_eq!(names(&v, "etc"), ["a", "b", "c", "sub"]);
        assert_eq!(read(&v, "etc/a"), "mid-a");
        assert_eq!(read(&v, "etc/b"), "low-b");
        assert_eq!(read(&v, "etc/c"), "top-c");
        assert_eq!(read(&v, "etc/sub"), "now a file");
        assert_eq!(v.lstat(Path::new("etc/sub/x")).unwrap(), None);
        assert!(v.list(Path::new("etc/sub")).is_err());
        assert_eq!(names(&v, "file-then-dir"), ["in"]);
        let e = v.lstat(Path::new("etc/a")).unwrap().unwrap();
        assert_eq!((e.kind, e.layer, e.size), (ViewKind::File, 1, 5));
        let d = v.lstat(Path::new("etc")).unwrap().unwrap();
        assert_eq!((d.kind, d.layer), (ViewKind::Dir, 0));
        assert_eq!(v.lstat(Path::new("")).unwrap().unwrap().kind, ViewKind::Dir);
        assert_eq!(v.lstat(Path::new("nope/x")).unwrap(), None);
        assert!(v.open(Path::new("nope")).is_err());
        assert!(v.lstat(Path::new("etc/../etc")).is_err());
    }

    #[test]
    fn issue17_view_whiteouts_both_forms() {
        let t = tempfile::tempdir().unwrap();
        let (top, mid, low) = stack(t.path());
        for n in ["dev-gone", "file-gone", "dir-gone", "kept"] {
            fs::write(low.join(n), n).unwrap();
        }
        fs::create_dir(low.join("d")).unwrap();
        fs::write(low.join("d/x"), b"x").unwrap();
        fs::write(low.join("d/y"), b"y").unwrap();
        let dev = whiteout_dev(&mid, "dev-gone");
        fs::write(mid.join(".wh.file-gone"), b"").unwrap();
        fs::create_dir(mid.join("d")).unwrap();
        fs::write(mid.join("d/.wh.x"), b"").unwrap();
        // A whiteout deletes lower layers only: the same layer's entry and
        // a later upper entry show.
        fs::write(mid.join(".wh.dir-gone"), b"").unwrap();
        fs::create_dir(top.join("dir-gone")).unwrap();
        fs::write(top.join("dir-gone/new"), b"n").unwrap();
        // AUFS metadata and a `.wh.` directory are no whiteouts, and hidden.
        fs::write(mid.join(".wh..wh.plnk"), b"").unwrap();
        fs::create_dir(mid.join(".wh.kept")).unwrap();
        let v = view(&[&top, &mid, &low]);
        let mut want = vec!["d", "dir-gone", "file-gone", "kept"];
        if !dev {
            want.insert(1, "dev-gone");
        }
        want.retain(|n| *n != "file-gone");
        assert_eq!(names(&v, ""), want);
        assert_eq!(names(&v, "d"), ["y"]);
        assert_eq!(names(&v, "dir-gone"), ["new"]);
        assert_eq!(v.lstat(Path::new("file-gone")).unwrap(), None);
        assert_eq!(v.lstat(Path::new("d/x")).unwrap(), None);
        assert_eq!(v.lstat(Path::new(".wh.file-gone")).unwrap(), None);
        assert!(v.open(Path::new("file-gone")).is_err());
        if dev {
            assert_eq!(v.lstat(Path::new("dev-gone")).unwrap(), None);
        }
        assert_eq!(read(&v, "kept"), "kept");
    }

    #[test]
    fn issue17_view_opaque_dirs_both_forms() {
        let t = tempfile::tempdir().unwrap();
        let (top, mid, low) = stack(t.path());
        for d in ["by-marker", "by-xattr"] {
            fs::create_dir(low.join(d)).unwrap();
            fs::write(low.join(d).join("old"), b"o").unwrap();
            fs::create_dir(mid.join(d)).unwrap();
            fs::write(mid.join(d).join("new"), b"n").unwrap();
            fs::create_dir(top.join(d)).unwrap();
            fs::write(top.join(d).join("top"), b"t").unwrap();
        }
        fs::write(mid.join("by-marker/.wh..wh..opq"), b"").unwrap();
        let xattrs = set_xattr(&mid.join("by-xattr"), OPAQUE_XATTR, b"y");
        let v = view(&[&top, &mid, &low]);
        assert_eq!(names(&v, "by-marker"), ["new", "top"]);
        assert_eq!(v.lstat(Path::new("by-marker/old")).unwrap(), None);
        if xattrs {
            assert_eq!(names(&v, "by-xattr"), ["new", "top"]);
            assert_eq!(v.lstat(Path::new("by-xattr/old")).unwrap(), None);
        }
    }

    #[test]
    fn issue17_view_records_and_default_owners() {
        let t = tempfile::tempdir().unwrap();
        let (top, _, low) = stack(t.path());
        fs::write(low.join("plain"), b"p").unwrap();
        fs::set_permissions(low.join("plain"), fs::Permissions::from_mode(0o640)).unwrap();
        fs::write(low.join("owned"), b"o").unwrap();
        fs::set_permissions(low.join("owned"), fs::Permissions::from_mode(0o600)).unwrap();
        fs::write(low.join("null"), b"").unwrap();
        fs::create_dir(low.join("dir")).unwrap();
        fs::write(low.join("bad"), b"b").unwrap();
        fs::set_permissions(low.join("bad"), fs::Permissions::from_mode(0o644)).unwrap();
        fs::write(top.join("mine"), b"m").unwrap();
        fs::set_permissions(top.join("mine"), fs::Permissions::from_mode(0o755)).unwrap();
        let recorded = set_xattr(&low.join("owned"), OVERRIDE_STAT_XATTR, b"33:44:0000")
            && set_xattr(&low.join("null"), OVERRIDE_STAT_XATTR, b"0:0:0666:char-1-3")
            && set_xattr(&low.join("dir"), OVERRIDE_STAT_XATTR, b"5:6:01777")
            && set_xattr(&low.join("bad"), OVERRIDE_STAT_XATTR, b"-1:0:0777")
            && set_xattr(&low.join("dir"), "user.k", b"v");
        let v = View::new(vec![
            Layer {
                path: top.clone(),
                default_owner: (1000, 1000),
            },
            Layer::image(low.clone()),
        ])
        .unwrap();
        let get = |n: &str| v.lstat(Path::new(n)).unwrap().unwrap();
        assert_eq!((get("plain").uid, get("plain").mode), (0, 0o640));
        assert_eq!(
            (get("mine").uid, get("mine").gid, get("mine").mode),
            (1000, 1000, 0o755)
        );
        if !rsp_base::testing::require_or_skip(
            &format!("user xattrs on {}", t.path().display()),
            "point TMPDIR at ext4, xfs, btrfs, or tmpfs on Linux 6.6 or later",
            recorded,
        ) {
            return;
        }
        let o = get("owned");
        assert_eq!((o.uid, o.gid, o.mode, o.kind), (33, 44, 0, ViewKind::File));
        let n = get("null");
        assert_eq!(
            n.kind,
            ViewKind::Device(layer::Device {
                block: false,
                major: 1,
                minor: 3
            })
        );
        assert_eq!(n.mode, 0o666);
        let d = get("dir");
        assert_eq!(
            (d.kind, d.uid, d.gid, d.mode),
            (ViewKind::Dir, 5, 6, 0o1777)
        );
        // A bad record reads as none.
        assert_eq!((get("bad").uid, get("bad").mode), (0, 0o644));
        assert_eq!(
            v.xattrs(Path::new("dir")).unwrap(),
            [(OsString::from("user.k"), b"v".to_vec())]
        );
        assert_eq!(v.xattrs(Path::new("plain")).unwrap(), []);
    }

    #[test]
    fn issue17_view_never_follows_symlinks() {
        let t = tempfile::tempdir().unwrap();
        let (top, _, low) = stack(t.path());
        let outside = t.path().join("outside");
        fs::create_dir(&outside).unwrap();
        fs::write(outside.join("secret"), b"secret").unwrap();
        fs::create_dir(low.join("etc")).unwrap();
        fs::write(low.join("etc/passwd"), b"root").unwrap();
        // A symlink to a directory outside, and a file symlink.
        symlink(&outside, top.join("etc")).unwrap();
        symlink(outside.join("secret"), top.join("link")).unwrap();
        symlink("/", top.join("root")).unwrap();
        let v = view(&[&top, &low]);
        let e = v.lstat(Path::new("etc")).unwrap().unwrap();
        assert_eq!(e.kind, ViewKind::Symlink);
        assert_eq!(e.target.as_deref(), Some(outside.as_path()));
        assert_eq!(e.mode, 0o777);
        // The symlink shadows the lower directory and is not walked into.
        assert_eq!(v.lstat(Path::new("etc/passwd")).unwrap(), None);
        assert_eq!(v.lstat(Path::new("etc/secret")).unwrap(), None);
        assert!(v.list(Path::new("etc")).is_err());
        assert!(v.open(Path::new("etc/secret")).is_err());
        assert!(v.open(Path::new("link")).is_err());
        assert_eq!(v.lstat(Path::new("root/etc")).unwrap(), None);
        assert!(v.list(Path::new("root")).is_err());
    }
}
