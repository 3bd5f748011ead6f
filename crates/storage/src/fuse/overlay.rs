//! The overlay core: the merged view of read-only layers under one
//! read-write upper directory, as plain methods on inode numbers, with no
//! FUSE in it (the adapter in `mod.rs` only translates requests and
//! replies), so every rule can be tested on temporary directories.
//!
//! Contract:
//! - The on-disk format is the kernel overlay driver's plus rsp's
//!   `user.containers.override_stat`: a whiteout is a 0/0 character device,
//!   an opaque directory carries `user.overlay.opaque=y`, and the owner and
//!   mode the disk cannot hold are in the override xattr (all of it
//!   defined in [`crate::layer`]). Layers are never
//!   written; every change lands in `upper`, staged in `work` and renamed
//!   into place so a crash never leaves half a file there.
//! - Where the filesystem refuses those (an overlayfs-mounted home refuses
//!   0/0 devices and `user.overlay.*`), the fallback format of
//!   fuse-overlayfs and containers/storage is read in every layer and
//!   written in upper: an empty regular file `.wh.NAME` whites out `NAME`,
//!   and `.wh..wh..opq` makes its directory opaque. No `.wh.*` name is ever
//!   shown to, or made by, the container. Whether a directory holds any
//!   such name is read once per descriptor (a readdir, only when a lookup
//!   misses there or it is merged over others), so the normal format costs
//!   no extra syscall per lookup.
//! - Inode numbers are ours, never reused while mounted. A directory, and
//!   every file in upper, is keyed by its backing (dev, ino), so the hard
//!   links made in upper share one number. A non-directory in a layer
//!   below is keyed by its name as well: a layer's hard links are separate
//!   files, each copied up by its own name, as with the kernel overlay
//!   without `index` (the kernel names the inode, never the name, in
//!   `link`, `open` and `setattr`, so one shared node could not tell which
//!   name to copy up). A copy-up keeps the number.
//! - Every backing file is reached with `*at` calls relative to directory
//!   descriptors held in the directory inodes, by one name that never holds
//!   a `/` and is never `.` or `..`, without following symlinks; a symlink
//!   in a layer can never make the server touch a host path outside the
//!   layers, upper and work.
//! - A file unlinked or renamed over while open stays usable until its
//!   last close, as on any filesystem: the kernel still names it by inode
//!   (its times written back at every close, `fchmod`, `ftruncate`, xattrs,
//!   an open through `/proc/PID/fd`), and every such request reaches it
//!   through a descriptor the server holds open on it.
//! - Requests are all treated as root's: no permission checks beyond
//!   refusing to execute a file without any execute bit.
//! - Locks: the inode table is behind one `RwLock` held only to copy out or
//!   record descriptors and names, never across I/O; copy-ups are
//!   serialised by their own mutex. The kernel serialises namespace
//!   changes within a directory, so none are re-checked here beyond what
//!   the syscalls themselves refuse.

use crate::layer::{
    self, Device, OPAQUE_MARKER, OPAQUE_VALUE, OPAQUE_XATTR, OVERRIDE_STAT_XATTR,
    OVERRIDE_STAT_XATTR_C, OverrideStat, WhiteoutName,
};
use fuser::{FileAttr, FileType, INodeNo};
use nix::dir::{Dir, Type};
use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag, RenameFlags, openat, readlinkat, renameat, renameat2};
use nix::sys::stat::{
    FchmodatFlags, FileStat, Mode, SFlag, UtimensatFlags, fchmod, fchmodat, fstat, fstatat,
    futimens, mkdirat, mknodat, utimensat,
};
use nix::sys::time::TimeSpec;
use nix::unistd::{UnlinkatFlags, linkat, symlinkat, unlinkat};
use std::collections::{HashMap, HashSet};
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::os::fd::{AsFd, AsRawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use xattr::FileExt as _;

pub(super) const ROOT: u64 = 1;
/// Index of upper in the layer list; lowers follow, topmost first.
const UPPER: usize = 0;

pub(super) type Res<T> = Result<T, Errno>;

/// A directory descriptor in one layer: `.0` is the layer index.
type LayerDir = (usize, Arc<LDir>);

/// A directory of one layer or of upper, with what one readdir, done the
/// first time it is needed, found of the fallback format in it.
pub(super) struct LDir {
    file: File,
    scan: OnceLock<Scan>,
}

struct Scan {
    /// Some `.wh.NAME` (not the opaque marker) is there.
    whiteouts: AtomicBool,
    /// `.wh..wh..opq` is there.
    opaque: AtomicBool,
}

impl std::ops::Deref for LDir {
    type Target = File;
    fn deref(&self) -> &File {
        &self.file
    }
}

impl LDir {
    fn new(file: File) -> LDir {
        LDir {
            file,
            scan: OnceLock::new(),
        }
    }

    fn scan(&self) -> &Scan {
        self.scan.get_or_init(|| {
            let (mut whiteouts, mut opaque) = (false, false);
            let dir = Dir::openat(
                self.file.as_fd(),
                ".",
                OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
                Mode::empty(),
            );
            match dir {
                Ok(mut dir) => {
                    for e in dir.iter() {
                        let Ok(e) = e else {
                            // Unknown: look for the names each time.
                            whiteouts = true;
                            continue;
                        };
                        let name = e.file_name().to_bytes();
                        if layer::is_opaque_marker(name) {
                            opaque = true;
                        } else if layer::is_whiteout_name(name) {
                            whiteouts = true;
                        }
                    }
                }
                Err(_) => whiteouts = true,
            }
            Scan {
                whiteouts: AtomicBool::new(whiteouts),
                opaque: AtomicBool::new(opaque),
            }
        })
    }

    /// Whether `.wh.NAME` files may be here.
    fn has_whiteout_files(&self) -> bool {
        self.scan().whiteouts.load(Ordering::Relaxed)
    }

    fn has_opaque_marker(&self) -> bool {
        self.scan().opaque.load(Ordering::Relaxed)
    }

    /// Whether a regular file `.wh.NAME` whites out `name` here.
    fn whiteout_file(&self, name: &OsStr) -> bool {
        self.has_whiteout_files()
            && matches!(
                fstatat(self.file.as_fd(), layer::whiteout_name(name).as_os_str(), AtFlags::AT_SYMLINK_NOFOLLOW),
                Ok(st) if kind_of(&st) == SFlag::S_IFREG
            )
    }
}

/// The errors of a filesystem that cannot hold the normal format.
fn refuses_format(e: Errno) -> bool {
    matches!(e, Errno::EPERM | Errno::EOPNOTSUPP)
}

/// Creates the empty marker file `name` in `dir` (an existing one is fine).
fn make_marker(dir: &File, name: &OsStr) -> Res<()> {
    let flags = OFlag::O_CREAT | OFlag::O_WRONLY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    openat(dir.as_fd(), name, flags, Mode::from_bits_truncate(0o600))?;
    Ok(())
}

/// What identifies a node (see the module docs on inode numbers).
#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    Backing(u64, u64),
    /// A layer's non-directory: (dev, ino, parent node, name).
    Named(u64, u64, u64, OsString),
}

fn key_for(parent: u64, name: &OsStr, layer: usize, st: &FileStat) -> Key {
    if layer != UPPER && kind_of(st) != SFlag::S_IFDIR {
        Key::Named(st.st_dev, st.st_ino, parent, name.to_owned())
    } else {
        Key::Backing(st.st_dev, st.st_ino)
    }
}

/// `dirs` up to the first one with an opaque marker file (the xattr form
/// already ended the list where it was found).
fn visible(mut dirs: Vec<LayerDir>) -> Vec<LayerDir> {
    if dirs.len() > 1
        && let Some(i) = dirs[..dirs.len() - 1]
            .iter()
            .position(|(_, d)| d.has_opaque_marker())
    {
        dirs.truncate(i + 1);
    }
    dirs
}

struct Node {
    parent: u64,
    name: OsString,
    /// Other names the kernel knows the node by (hard links in upper):
    /// one of them takes over when `name` is removed.
    aliases: Vec<(u64, OsString)>,
    /// The topmost layer holding the entry.
    layer: usize,
    /// Directories only: the merged directories, topmost first, ending
    /// at an opaque one. Empty for everything else.
    dirs: Vec<LayerDir>,
    lookups: u64,
    /// The name was unlinked or renamed over; the kernel may still hold
    /// the inode (an open file), but the name no longer leads to it.
    gone: bool,
}

struct Table {
    nodes: HashMap<u64, Node>,
    /// Backing (dev, ino) to our inode number; kept after a forget so the
    /// number stays the same for the rest of the mount.
    keys: HashMap<Key, u64>,
    next_ino: u64,
}

impl Table {
    fn ino_for(&mut self, key: Key) -> u64 {
        let next = &mut self.next_ino;
        *self.keys.entry(key).or_insert_with(|| {
            *next += 1;
            *next
        })
    }
}

/// One entry of a directory listing, snapshotted when a read of the
/// directory starts.
pub(super) struct DirEntry {
    pub ino: u64,
    pub kind: FileType,
    pub name: OsString,
}

/// One name of a merged listing: its `d_type`, `d_ino`, and the index in
/// the directory list of the layer it came from.
struct Merged(OsString, Option<Type>, u64, usize);

/// What a name resolves to in a merged directory.
struct Found {
    layer: usize,
    st: FileStat,
    /// The directory in `layer` holding the name.
    parent_fd: Arc<LDir>,
    dirs: Vec<LayerDir>,
}

/// Where a node's topmost copy is, copied out of the table.
struct Loc {
    parent: u64,
    name: OsString,
    layer: usize,
    /// The parent's directory in `layer`; `None` for the root.
    parent_fd: Option<Arc<LDir>>,
    dirs: Vec<LayerDir>,
}

/// The mode to keep on disk (see [`layer::fuse_disk_mode`]).
fn disk_mode(kind: SFlag, mode: u32) -> u32 {
    layer::fuse_disk_mode(kind == SFlag::S_IFDIR, mode)
}

/// The override to record for `mode`/owner on a file of `kind` whose disk
/// mode is `disk`; `None` when the disk already says it all.
fn override_for(ov: OverrideStat, disk: u32) -> Option<String> {
    (!ov.is_implied_by(0, 0, disk)).then(|| ov.to_string())
}

fn kind_of(st: &FileStat) -> SFlag {
    SFlag::from_bits_truncate(st.st_mode & SFlag::S_IFMT.bits())
}

fn is_whiteout(st: &FileStat) -> bool {
    layer::is_whiteout_device(st.st_mode, st.st_rdev)
}

fn file_type(kind: SFlag) -> FileType {
    match kind {
        SFlag::S_IFDIR => FileType::Directory,
        SFlag::S_IFLNK => FileType::Symlink,
        SFlag::S_IFIFO => FileType::NamedPipe,
        SFlag::S_IFSOCK => FileType::Socket,
        SFlag::S_IFCHR => FileType::CharDevice,
        SFlag::S_IFBLK => FileType::BlockDevice,
        _ => FileType::RegularFile,
    }
}

fn time(sec: i64, nsec: i64) -> SystemTime {
    if sec >= 0 {
        UNIX_EPOCH + Duration::new(sec as u64, nsec as u32)
    } else {
        UNIX_EPOCH - Duration::from_secs(sec.unsigned_abs()) + Duration::from_nanos(nsec as u64)
    }
}

/// The kernel's `new_encode_dev`, which is what FUSE carries in `rdev`.
fn encode_dev(major: u32, minor: u32) -> u32 {
    (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & !0xff) << 12)
}

pub(super) fn decode_dev(rdev: u32) -> (u32, u32) {
    (
        (rdev >> 8) & 0xfff,
        (rdev & 0xff) | ((rdev >> 12) & 0xfff00),
    )
}

/// Names hidden from the container: the format's own bookkeeping.
/// The overlay's own markers: never the container's to see or change.
fn overlay_xattr(name: &OsStr) -> bool {
    layer::is_overlay_xattr(name.as_bytes())
}

/// The listings of one directory that reads are under way in (see
/// [`Overlay::listing_at`]): a few of the latest, by generation.
#[derive(Default)]
struct Snapshots {
    next: u32,
    latest: std::collections::VecDeque<(u32, Arc<Vec<DirEntry>>)>,
}

/// How many listings of one directory are kept for reads under way.
const SNAPSHOTS: usize = 4;

pub(super) fn hidden_xattr(name: &OsStr) -> bool {
    overlay_xattr(name) || name.as_bytes() == OVERRIDE_STAT_XATTR.as_bytes()
}

/// One path component from the kernel: never empty, `.`, `..` or with `/`.
fn check_name(name: &OsStr) -> Res<()> {
    let b = name.as_bytes();
    if b.is_empty() || b == b"." || b == b".." || b.contains(&b'/') || b.contains(&0) {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

/// A name the container creates: the fallback format's names are not
/// the container's to make.
fn check_new_name(name: &OsStr) -> Res<()> {
    check_name(name)?;
    if layer::is_whiteout_name(name.as_bytes()) {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

/// Removes the `.wh.NAME` file of `name`, now that `name` is in `dir`.
fn remove_wh_file(dir: &File, name: &OsStr) -> Res<()> {
    match unlinkat(
        dir.as_fd(),
        layer::whiteout_name(name).as_os_str(),
        UnlinkatFlags::NoRemoveDir,
    ) {
        Err(Errno::ENOENT) => Ok(()),
        r => r,
    }
}

fn io_errno(e: std::io::Error) -> Errno {
    e.raw_os_error().map(Errno::from_raw).unwrap_or(Errno::EIO)
}

/// `name` in the directory `dir`, as a path the xattr calls (which do not
/// follow the last component) can use without resolving anything else.
fn proc_path(dir: &File, name: &OsStr) -> PathBuf {
    let mut p = PathBuf::from(format!("/proc/self/fd/{}", dir.as_raw_fd()));
    p.push(name);
    p
}

fn open_dir_at(dir: &File, name: &OsStr) -> Res<File> {
    let fd = openat(
        dir.as_fd(),
        name,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::empty(),
    )?;
    Ok(File::from(fd))
}

fn is_opaque(dir: &File) -> bool {
    matches!(dir.get_xattr(OPAQUE_XATTR), Ok(Some(v)) if layer::is_opaque_value(&v))
}

/// How a request reaches a node's copy: a directory by its own
/// descriptor, anything else by its name in its parent (or the
/// descriptor kept for a file in upper), and a file no name leads to any
/// more (unlinked, or renamed over, while open) through the descriptor
/// pinned for it, the only way left to it.
enum Target {
    Dir(Arc<LDir>),
    Name(Arc<LDir>, OsString),
    Open(Arc<Handle>),
}

/// A [`Target`] as the syscalls take it.
enum By<'a> {
    Fd(&'a File),
    Name(&'a File, &'a OsStr),
}

impl Target {
    fn by(&self) -> By<'_> {
        match self {
            Target::Dir(d) => By::Fd(&d.file),
            Target::Open(h) => By::Fd(&h.file),
            Target::Name(d, n) => By::Name(&d.file, n),
        }
    }

    fn get(&self, name: &OsStr) -> std::io::Result<Option<Vec<u8>>> {
        match self.by() {
            By::Fd(f) => f.get_xattr(name),
            By::Name(d, n) => xattr::get(proc_path(d, n), name),
        }
    }
    fn set(&self, name: &OsStr, value: &[u8]) -> std::io::Result<()> {
        match self.by() {
            By::Fd(f) => f.set_xattr(name, value),
            By::Name(d, n) => xattr::set(proc_path(d, n), name, value),
        }
    }
    fn remove(&self, name: &OsStr) -> std::io::Result<()> {
        match self.by() {
            By::Fd(f) => f.remove_xattr(name),
            By::Name(d, n) => xattr::remove(proc_path(d, n), name),
        }
    }
    fn list(&self) -> std::io::Result<Vec<OsString>> {
        match self.by() {
            By::Fd(f) => Ok(f.list_xattr()?.collect()),
            By::Name(d, n) => Ok(xattr::list(proc_path(d, n))?.collect()),
        }
    }

    fn stat(&self) -> Res<FileStat> {
        match self.by() {
            By::Fd(f) => fstat(f.as_fd()),
            By::Name(d, n) => fstatat(d.as_fd(), n, AtFlags::AT_SYMLINK_NOFOLLOW),
        }
    }

    /// The raw override record of a node of kind `kind`; only regular
    /// files and directories can hold one.
    fn override_raw(&self, kind: SFlag) -> Option<Vec<u8>> {
        if kind != SFlag::S_IFDIR && kind != SFlag::S_IFREG {
            return None;
        }
        let v = match self.by() {
            By::Fd(f) => f.get_xattr(OVERRIDE_STAT_XATTR),
            By::Name(d, n) => rsp_sys::xattr_at(d.as_fd(), n, OVERRIDE_STAT_XATTR_C),
        };
        v.ok().flatten()
    }

    fn chmod(&self, mode: u32) -> Res<()> {
        let mode = Mode::from_bits_truncate(mode);
        match self.by() {
            By::Fd(f) => fchmod(f.as_fd(), mode),
            By::Name(d, n) => fchmodat(d.as_fd(), n, mode, FchmodatFlags::FollowSymlink),
        }
    }

    fn set_times(&self, atime: &TimeSpec, mtime: &TimeSpec) -> Res<()> {
        match self.by() {
            By::Fd(f) => futimens(f.as_fd(), atime, mtime),
            By::Name(d, n) => {
                utimensat(d.as_fd(), n, atime, mtime, UtimensatFlags::NoFollowSymlink)
            }
        }
    }
}

/// A node's open file (see [`NodeFiles`]): the node, the descriptor and
/// whether it is a layer's (read-only, never changing) copy.
pub(super) struct Handle {
    pub ino: u64,
    pub file: File,
    pub lower: bool,
}

/// Descriptors by node, for the reads and writes the kernel sends
/// without a handle (it opens files without asking us: see `open` in
/// mod.rs). Kept for the most recently used nodes, and pinned for a node
/// whose last name went while the kernel still held it (an open file that
/// was unlinked or renamed over), until the kernel forgets it.
#[derive(Default)]
struct NodeFiles {
    files: HashMap<u64, NodeFile>,
    clock: u64,
}

struct NodeFile {
    handle: Arc<Handle>,
    pinned: bool,
    used: u64,
}

/// How many unpinned descriptors [`NodeFiles`] keeps.
const NODE_FILES: usize = 512;

impl NodeFiles {
    fn get(&mut self, ino: u64) -> Option<Arc<Handle>> {
        self.clock += 1;
        let now = self.clock;
        self.files.get_mut(&ino).map(|f| {
            f.used = now;
            f.handle.clone()
        })
    }

    fn insert(&mut self, ino: u64, handle: Arc<Handle>, pinned: bool) {
        self.clock += 1;
        let pinned = pinned || self.files.get(&ino).is_some_and(|f| f.pinned);
        self.files.insert(
            ino,
            NodeFile {
                handle,
                pinned,
                used: self.clock,
            },
        );
        let unpinned = self.files.values().filter(|f| !f.pinned).count();
        if unpinned > NODE_FILES {
            // The oldest quarter goes (closed once no request uses it).
            let mut ages: Vec<u64> = self
                .files
                .values()
                .filter(|f| !f.pinned)
                .map(|f| f.used)
                .collect();
            ages.sort_unstable();
            let cut = ages[NODE_FILES / 4];
            self.files.retain(|_, f| f.pinned || f.used > cut);
        }
    }
}

pub(super) struct Overlay {
    work: File,
    table: RwLock<Table>,
    copy_lock: Mutex<()>,
    tmp_seq: AtomicU64,
    node_files: Mutex<NodeFiles>,
    /// Directory inode to the listings reads of it go through.
    listings: Mutex<HashMap<u64, Snapshots>>,
    upper: Arc<LDir>,
    /// Upper refused a 0/0 device, or the opaque xattr: the fallback
    /// format is written from then on.
    whiteout_files: AtomicBool,
    opaque_files: AtomicBool,
}

impl Overlay {
    /// `layers` are opened directories, lowest first.
    pub fn new(layers: Vec<File>, upper: File, work: File) -> Res<Overlay> {
        let upper = Arc::new(LDir::new(upper));
        let mut dirs: Vec<LayerDir> = vec![(UPPER, upper.clone())];
        let mut all: Vec<Arc<LDir>> = layers
            .into_iter()
            .rev()
            .map(|d| Arc::new(LDir::new(d)))
            .collect();
        if !is_opaque(&upper) {
            for (i, d) in all.drain(..).enumerate() {
                let opaque = is_opaque(&d);
                dirs.push((i + 1, d));
                if opaque {
                    break;
                }
            }
        }
        let st = fstat(upper.as_fd())?;
        let mut table = Table {
            nodes: HashMap::new(),
            keys: HashMap::new(),
            next_ino: ROOT,
        };
        table.keys.insert(Key::Backing(st.st_dev, st.st_ino), ROOT);
        table.nodes.insert(
            ROOT,
            Node {
                parent: ROOT,
                name: OsString::new(),
                aliases: Vec::new(),
                layer: UPPER,
                dirs,
                lookups: 1,
                gone: false,
            },
        );
        Ok(Overlay {
            work,
            table: RwLock::new(table),
            copy_lock: Mutex::new(()),
            tmp_seq: AtomicU64::new(0),
            node_files: Mutex::new(NodeFiles::default()),
            listings: Mutex::new(HashMap::new()),
            upper,
            whiteout_files: AtomicBool::new(false),
            opaque_files: AtomicBool::new(false),
        })
    }

    /// Writes the fallback format from the start, as on a filesystem that
    /// refuses the normal one.
    #[cfg(test)]
    pub fn use_fallback_format(&self) {
        self.whiteout_files.store(true, Ordering::Relaxed);
        self.opaque_files.store(true, Ordering::Relaxed);
    }

    /// Makes a whiteout for `name` in `dir`, where nothing is at `name`.
    fn make_whiteout(&self, dir: &LDir, name: &OsStr) -> Res<()> {
        if !self.whiteout_files.load(Ordering::Relaxed) {
            match mknodat(dir.as_fd(), name, SFlag::S_IFCHR, Mode::empty(), 0) {
                Err(e) if refuses_format(e) => self.whiteout_files.store(true, Ordering::Relaxed),
                r => return r,
            }
        }
        make_marker(dir, &layer::whiteout_name(name))?;
        dir.scan().whiteouts.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// Marks the directory `d` opaque; `ld` is its `LDir`, if it has one
    /// whose scan must learn of a marker file.
    fn set_opaque(&self, d: &File, ld: Option<&LDir>) -> Res<()> {
        if !self.opaque_files.load(Ordering::Relaxed) {
            match d.set_xattr(OPAQUE_XATTR, OPAQUE_VALUE).map_err(io_errno) {
                Err(e) if refuses_format(e) => self.opaque_files.store(true, Ordering::Relaxed),
                r => return r,
            }
        }
        make_marker(d, OsStr::from_bytes(OPAQUE_MARKER))?;
        if let Some(ld) = ld {
            ld.scan().opaque.store(true, Ordering::Relaxed);
        }
        Ok(())
    }

    fn tmp_name(&self) -> String {
        format!(
            "rsp-fuse-{}-{}",
            std::process::id(),
            self.tmp_seq.fetch_add(1, Ordering::Relaxed)
        )
    }

    fn table(&self) -> std::sync::RwLockReadGuard<'_, Table> {
        self.table.read().unwrap_or_else(|e| e.into_inner())
    }

    fn table_mut(&self) -> std::sync::RwLockWriteGuard<'_, Table> {
        self.table.write().unwrap_or_else(|e| e.into_inner())
    }

    fn loc(&self, ino: u64) -> Res<Loc> {
        let t = self.table();
        let node = t.nodes.get(&ino).ok_or(Errno::ESTALE)?;
        if node.gone {
            return Err(Errno::ENOENT);
        }
        let parent_fd = if ino == ROOT {
            None
        } else {
            let p = t.nodes.get(&node.parent).ok_or(Errno::ESTALE)?;
            let fd = p.dirs.iter().find(|(l, _)| *l == node.layer);
            Some(fd.ok_or(Errno::ESTALE)?.1.clone())
        };
        Ok(Loc {
            parent: node.parent,
            name: node.name.clone(),
            layer: node.layer,
            parent_fd,
            dirs: node.dirs.clone(),
        })
    }

    fn dir_fds(&self, ino: u64) -> Res<Vec<LayerDir>> {
        let t = self.table();
        let node = t.nodes.get(&ino).ok_or(Errno::ESTALE)?;
        if node.gone {
            return Err(Errno::ENOENT);
        }
        if node.dirs.is_empty() {
            return Err(Errno::ENOTDIR);
        }
        let dirs = node.dirs.clone();
        drop(t);
        Ok(visible(dirs))
    }

    /// Resolves `name` through the merged directory `pdirs`.
    fn resolve(&self, pdirs: &[LayerDir], name: &OsStr) -> Res<Option<Found>> {
        if layer::is_whiteout_name(name.as_bytes()) {
            return Ok(None);
        }
        let mut found: Option<Found> = None;
        for (i, (layer, dir)) in pdirs.iter().enumerate() {
            let st = match fstatat(dir.as_fd(), name, AtFlags::AT_SYMLINK_NOFOLLOW) {
                Ok(st) => st,
                Err(Errno::ENOENT) => {
                    if i + 1 < pdirs.len() && dir.whiteout_file(name) {
                        break;
                    }
                    continue;
                }
                Err(e) => return Err(e),
            };
            if is_whiteout(&st) {
                break;
            }
            let is_dir = kind_of(&st) == SFlag::S_IFDIR;
            match &mut found {
                None if !is_dir => {
                    return Ok(Some(Found {
                        layer: *layer,
                        st,
                        parent_fd: dir.clone(),
                        dirs: Vec::new(),
                    }));
                }
                None => {
                    let d = Arc::new(LDir::new(open_dir_at(dir, name)?));
                    let last = i + 1 == pdirs.len();
                    let opaque = !last && is_opaque(&d);
                    found = Some(Found {
                        layer: *layer,
                        st,
                        parent_fd: dir.clone(),
                        dirs: vec![(*layer, d)],
                    });
                    if opaque {
                        break;
                    }
                }
                Some(f) => {
                    if !is_dir {
                        break;
                    }
                    let d = Arc::new(LDir::new(open_dir_at(dir, name)?));
                    let last = i + 1 == pdirs.len();
                    let opaque = !last && is_opaque(&d);
                    f.dirs.push((*layer, d));
                    if opaque {
                        break;
                    }
                }
            }
        }
        Ok(found)
    }

    /// Whether a layer below upper shows `name` in the merged directory
    /// `pdirs` (so removing it from upper must leave a whiteout).
    fn lower_has(&self, pdirs: &[LayerDir], name: &OsStr) -> Res<bool> {
        for (layer, dir) in pdirs {
            if *layer == UPPER {
                continue;
            }
            match fstatat(dir.as_fd(), name, AtFlags::AT_SYMLINK_NOFOLLOW) {
                Ok(st) => return Ok(!is_whiteout(&st)),
                Err(Errno::ENOENT) if dir.whiteout_file(name) => return Ok(false),
                Err(Errno::ENOENT) => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(false)
    }

    fn override_of(
        &self,
        kind: SFlag,
        own: Option<&File>,
        parent: &File,
        name: &OsStr,
    ) -> Option<OverrideStat> {
        // Only regular files and directories can carry user xattrs.
        let v = match kind {
            SFlag::S_IFDIR => own?.get_xattr(OVERRIDE_STAT_XATTR),
            SFlag::S_IFREG => rsp_sys::xattr_at(parent.as_fd(), name, OVERRIDE_STAT_XATTR_C),
            _ => return None,
        };
        OverrideStat::parse(&v.ok()??).ok()
    }

    fn make_attr(ino: u64, st: &FileStat, ov: Option<OverrideStat>) -> FileAttr {
        // Whether a record exists, for the ownership supervisor (see
        // layer::FUSE_BLKSIZE_PLAIN).
        let blksize = if ov.is_some() {
            super::super::layer::FUSE_BLKSIZE_RECORDED
        } else {
            super::super::layer::FUSE_BLKSIZE_PLAIN
        };
        let mut kind = file_type(kind_of(st));
        let (mut perm, mut uid, mut gid, mut rdev) = (st.st_mode & 0o7777, 0, 0, 0);
        if kind == FileType::CharDevice || kind == FileType::BlockDevice {
            let (ma, mi) = (
                nix::sys::stat::major(st.st_rdev),
                nix::sys::stat::minor(st.st_rdev),
            );
            rdev = encode_dev(ma as u32, mi as u32);
        }
        if let Some(ov) = ov {
            perm = ov.mode;
            uid = ov.uid;
            gid = ov.gid;
            if let Some(d) = ov.device() {
                kind = if d.block {
                    FileType::BlockDevice
                } else {
                    FileType::CharDevice
                };
                rdev = encode_dev(d.major, d.minor);
            }
        }
        FileAttr {
            ino: INodeNo(ino),
            size: st.st_size as u64,
            blocks: st.st_blocks as u64,
            atime: time(st.st_atime, st.st_atime_nsec),
            mtime: time(st.st_mtime, st.st_mtime_nsec),
            ctime: time(st.st_ctime, st.st_ctime_nsec),
            crtime: UNIX_EPOCH,
            kind,
            perm: perm as u16,
            nlink: st.st_nlink as u32,
            uid,
            gid,
            rdev,
            blksize,
            flags: 0,
        }
    }

    /// Records a resolved entry in the table (one more kernel lookup).
    fn register(&self, parent: u64, name: &OsStr, f: &Found, count: bool) -> u64 {
        let mut t = self.table_mut();
        let ino = t.ino_for(key_for(parent, name, f.layer, &f.st));
        match t.nodes.get_mut(&ino) {
            Some(n) => {
                // A copy-up that finished after `f` was resolved left the
                // node in upper: the lower copy `f` found is stale now.
                let stale = n.layer == UPPER
                    && f.layer != UPPER
                    && !n.gone
                    && n.parent == parent
                    && n.name == name;
                if !stale {
                    if (n.parent != parent || n.name != name) && !n.gone {
                        let old = (n.parent, std::mem::take(&mut n.name));
                        if !n.aliases.contains(&old) {
                            n.aliases.push(old);
                        }
                    }
                    n.aliases
                        .retain(|(p, a)| (*p, a.as_os_str()) != (parent, name));
                    n.parent = parent;
                    n.name = name.to_owned();
                    n.layer = f.layer;
                    n.dirs = f.dirs.clone();
                }
                n.gone = false;
                if count {
                    n.lookups += 1;
                }
            }
            None => {
                t.nodes.insert(
                    ino,
                    Node {
                        parent,
                        name: name.to_owned(),
                        aliases: Vec::new(),
                        layer: f.layer,
                        dirs: f.dirs.clone(),
                        lookups: u64::from(count),
                        gone: false,
                    },
                );
            }
        }
        ino
    }

    fn found_attr(&self, ino: u64, f: &Found, name: &OsStr) -> FileAttr {
        let own = f.dirs.first().map(|(_, d)| &d.file);
        let ov = self.override_of(kind_of(&f.st), own, &f.parent_fd, name);
        Self::make_attr(ino, &f.st, ov)
    }

    pub fn lookup(&self, parent: u64, name: &OsStr) -> Res<FileAttr> {
        check_name(name)?;
        if layer::is_whiteout_name(name.as_bytes()) {
            return Err(Errno::ENOENT);
        }
        let pdirs = self.dir_fds(parent)?;
        let f = self.resolve(&pdirs, name)?.ok_or(Errno::ENOENT)?;
        let ino = self.register(parent, name, &f, true);
        Ok(self.found_attr(ino, &f, name))
    }

    pub fn forget(&self, ino: u64, n: u64) {
        if ino == ROOT {
            return;
        }
        let mut t = self.table_mut();
        if let Some(node) = t.nodes.get_mut(&ino) {
            node.lookups = node.lookups.saturating_sub(n);
            if node.lookups == 0 {
                t.nodes.remove(&ino);
                drop(t);
                let mut l = self.listings.lock().unwrap_or_else(|e| e.into_inner());
                l.remove(&ino);
                drop(l);
                self.node_files().files.remove(&ino);
            }
        }
    }

    pub fn getattr(&self, ino: u64) -> Res<FileAttr> {
        match self.loc(ino) {
            Ok(loc) => self.loc_attr(ino, &loc),
            // No name leads to it: what is kept of it (an image file
            // pinned when its name went still has its link in the layer).
            Err(Errno::ENOENT) => match self.node_files().get(ino) {
                Some(h) => {
                    let mut a = Self::open_attr(ino, &h)?;
                    a.nlink = 0;
                    Ok(a)
                }
                None => Err(Errno::ENOENT),
            },
            Err(e) => Err(e),
        }
    }

    fn open_attr(ino: u64, h: &Handle) -> Res<FileAttr> {
        let st = fstat(h.file.as_fd())?;
        let ov = h
            .file
            .get_xattr(OVERRIDE_STAT_XATTR)
            .ok()
            .flatten()
            .and_then(|v| OverrideStat::parse(&v).ok());
        Ok(Self::make_attr(ino, &st, ov))
    }

    /// The descriptor pinned for the node's copy in upper (see
    /// [`Self::pin`]), once no name leads to the node any more (unlinked,
    /// or renamed over, while the kernel holds it): the only way left to
    /// the file, which stays usable until its last close, as on any
    /// filesystem. `None` while a name leads to it.
    fn unlinked_handle(&self, ino: u64) -> Option<Arc<Handle>> {
        if self.table().nodes.get(&ino).is_some_and(|n| !n.gone) {
            return None;
        }
        self.node_files().get(ino).filter(|h| !h.lower)
    }

    /// How to reach the node's topmost copy (see [`Target`]).
    fn target(&self, ino: u64) -> Res<Target> {
        match self.loc(ino) {
            Ok(loc) => match (loc.dirs.first(), loc.parent_fd.clone()) {
                (Some((_, d)), _) => Ok(Target::Dir(d.clone())),
                (None, Some(p)) => Ok(match self.kept_upper_file(ino, &loc) {
                    Some(h) => Target::Open(h),
                    None => Target::Name(p, loc.name.clone()),
                }),
                (None, None) => Err(Errno::ESTALE),
            },
            Err(Errno::ENOENT) => self
                .unlinked_handle(ino)
                .map(Target::Open)
                .ok_or(Errno::ENOENT),
            Err(e) => Err(e),
        }
    }

    /// The descriptor kept for a file in upper (see [`Self::node_file`]),
    /// if there is one: the same inode as its name, reached without a
    /// path walk (`tar x` sets the mode and times of the file it just
    /// made through it).
    fn kept_upper_file(&self, ino: u64, loc: &Loc) -> Option<Arc<Handle>> {
        if loc.layer != UPPER || !loc.dirs.is_empty() {
            return None;
        }
        self.node_files().get(ino).filter(|h| !h.lower)
    }

    fn loc_attr(&self, ino: u64, loc: &Loc) -> Res<FileAttr> {
        if let Some(h) = self.kept_upper_file(ino, loc) {
            return Self::open_attr(ino, &h);
        }
        if let Some((_, d)) = loc.dirs.first() {
            let st = fstat(d.as_fd())?;
            let ov = d
                .get_xattr(OVERRIDE_STAT_XATTR)
                .ok()
                .flatten()
                .and_then(|v| OverrideStat::parse(&v).ok());
            return Ok(Self::make_attr(ino, &st, ov));
        }
        let pfd = loc.parent_fd.as_ref().ok_or(Errno::ESTALE)?;
        let st = fstatat(
            pfd.as_fd(),
            loc.name.as_os_str(),
            AtFlags::AT_SYMLINK_NOFOLLOW,
        )?;
        let ov = self.override_of(kind_of(&st), None, pfd, &loc.name);
        Ok(Self::make_attr(ino, &st, ov))
    }

    pub fn readlink(&self, ino: u64) -> Res<OsString> {
        let loc = self.loc(ino)?;
        let pfd = loc.parent_fd.ok_or(Errno::EINVAL)?;
        readlinkat(pfd.as_fd(), loc.name.as_os_str())
    }

    // ---- copy-up ----

    /// Makes sure the node's topmost copy is in upper: parents first,
    /// then the node, data copied unless `with_data` is false (it is about
    /// to be truncated).
    pub fn copy_up(&self, ino: u64, with_data: bool) -> Res<()> {
        match self.loc(ino) {
            Ok(loc) if loc.layer == UPPER => return Ok(()),
            Ok(_) => {}
            // Unlinked while open in upper: nothing left to copy.
            Err(Errno::ENOENT) if self.unlinked_handle(ino).is_some() => return Ok(()),
            Err(e) => return Err(e),
        }
        let _g = self.copy_lock.lock().unwrap_or_else(|e| e.into_inner());
        self.copy_up_locked(ino, with_data)
    }

    fn copy_up_locked(&self, ino: u64, with_data: bool) -> Res<()> {
        let loc = self.loc(ino)?;
        if loc.layer == UPPER {
            return Ok(());
        }
        self.copy_up_locked(loc.parent, true)?;
        let udir = self.upper_of(loc.parent)?;
        let src_parent = loc.parent_fd.as_ref().ok_or(Errno::ESTALE)?;
        let name = loc.name.as_os_str();
        let tmp = self.tmp_name();
        let tmp = OsStr::new(&tmp);
        let st = fstatat(src_parent.as_fd(), name, AtFlags::AT_SYMLINK_NOFOLLOW)?;
        let kind = kind_of(&st);
        let times = [
            TimeSpec::new(st.st_atime, st.st_atime_nsec),
            TimeSpec::new(st.st_mtime, st.st_mtime_nsec),
        ];
        let made = (|| -> Res<Option<File>> {
            match kind {
                SFlag::S_IFDIR => {
                    let src = &loc.dirs.first().ok_or(Errno::ESTALE)?.1;
                    mkdirat(self.work.as_fd(), tmp, Mode::from_bits_truncate(0o700))?;
                    let d = open_dir_at(&self.work, tmp)?;
                    copy_xattrs(&Target::Dir(src.clone()), &d)?;
                    // All the lower's bits: the sticky bit of /tmp must
                    // survive a copy-up, and nothing records it elsewhere.
                    fchmod(
                        d.as_fd(),
                        Mode::from_bits_truncate((st.st_mode & 0o7777) | 0o700),
                    )?;
                    futimens(d.as_fd(), &times[0], &times[1])?;
                    Ok(Some(d))
                }
                SFlag::S_IFREG => {
                    let flags = OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
                    let mut src =
                        File::from(openat(src_parent.as_fd(), name, flags, Mode::empty())?);
                    let flags = OFlag::O_CREAT
                        | OFlag::O_EXCL
                        | OFlag::O_RDWR
                        | OFlag::O_NOFOLLOW
                        | OFlag::O_CLOEXEC;
                    let mut dst = File::from(openat(
                        self.work.as_fd(),
                        tmp,
                        flags,
                        Mode::from_bits_truncate(0o600),
                    )?);
                    if with_data {
                        std::io::copy(&mut src, &mut dst).map_err(io_errno)?;
                    }
                    copy_xattrs(&Target::Name(src_parent.clone(), name.to_owned()), &dst)?;
                    fchmod(dst.as_fd(), Mode::from_bits_truncate(st.st_mode & 0o7777))?;
                    futimens(dst.as_fd(), &times[0], &times[1])?;
                    Ok(None)
                }
                SFlag::S_IFLNK => {
                    let target = readlinkat(src_parent.as_fd(), name)?;
                    symlinkat(target.as_os_str(), self.work.as_fd(), tmp)?;
                    utimensat(
                        self.work.as_fd(),
                        tmp,
                        &times[0],
                        &times[1],
                        UtimensatFlags::NoFollowSymlink,
                    )?;
                    Ok(None)
                }
                SFlag::S_IFIFO | SFlag::S_IFSOCK => {
                    mknodat(
                        self.work.as_fd(),
                        tmp,
                        kind,
                        Mode::from_bits_truncate(st.st_mode & 0o777),
                        0,
                    )?;
                    utimensat(
                        self.work.as_fd(),
                        tmp,
                        &times[0],
                        &times[1],
                        UtimensatFlags::NoFollowSymlink,
                    )?;
                    Ok(None)
                }
                _ => Err(Errno::EPERM),
            }
        })();
        let made = match made.and_then(|m| {
            renameat(self.work.as_fd(), tmp, udir.as_fd(), name)?;
            Ok(m)
        }) {
            Ok(m) => m,
            Err(e) => {
                let flag = if kind == SFlag::S_IFDIR {
                    UnlinkatFlags::RemoveDir
                } else {
                    UnlinkatFlags::NoRemoveDir
                };
                let _ = unlinkat(self.work.as_fd(), tmp, flag);
                return Err(e);
            }
        };
        let nst = fstatat(udir.as_fd(), name, AtFlags::AT_SYMLINK_NOFOLLOW)?;
        let mut t = self.table_mut();
        t.keys.insert(Key::Backing(nst.st_dev, nst.st_ino), ino);
        if let Some(node) = t.nodes.get_mut(&ino) {
            node.layer = UPPER;
            if let Some(d) = made {
                node.dirs.insert(0, (UPPER, Arc::new(LDir::new(d))));
            }
        }
        Ok(())
    }

    /// The upper directory of the directory `ino`, copying it up first.
    fn upper_dir(&self, ino: u64) -> Res<Arc<LDir>> {
        self.copy_up(ino, true)?;
        self.upper_of(ino)
    }

    fn upper_of(&self, ino: u64) -> Res<Arc<LDir>> {
        let dirs = self.dir_fds(ino)?;
        match dirs.first() {
            Some((UPPER, d)) => Ok(d.clone()),
            _ => Err(Errno::EIO),
        }
    }

    // ---- creating entries ----

    /// Which whiteout upper holds at `name`, which the new entry must
    /// replace: `Some(true)` a device, `Some(false)` a `.wh.NAME` file.
    fn upper_whiteout(dir: &LDir, name: &OsStr) -> Res<Option<bool>> {
        match fstatat(dir.as_fd(), name, AtFlags::AT_SYMLINK_NOFOLLOW) {
            Ok(st) if is_whiteout(&st) => Ok(Some(true)),
            Ok(_) => Err(Errno::EEXIST),
            Err(Errno::ENOENT) => Ok(dir.whiteout_file(name).then_some(false)),
            Err(e) => Err(e),
        }
    }

    /// Creates a new entry `name` in `parent` with `make`, which gets the
    /// directory and name to create it at and whether it replaces a
    /// whiteout. Over a whiteout the entry is made in work and exchanged
    /// with the whiteout, so there is never a moment without either; over
    /// a `.wh.NAME` file it is moved in, and the file removed after (the
    /// entry wins over it in its own directory).
    fn place(
        &self,
        parent: u64,
        name: &OsStr,
        make: impl FnOnce(&File, &OsStr, bool) -> Res<()>,
    ) -> Res<Arc<LDir>> {
        check_new_name(name)?;
        let pdirs = self.dir_fds(parent)?;
        if self.resolve(&pdirs, name)?.is_some() {
            return Err(Errno::EEXIST);
        }
        let upper = self.upper_dir(parent)?;
        let Some(device) = Self::upper_whiteout(&upper, name)? else {
            make(&upper, name, false)?;
            return Ok(upper);
        };
        let tmp = self.tmp_name();
        let tmp = OsStr::new(&tmp);
        make(&self.work, tmp, true)?;
        let flag = if device {
            RenameFlags::RENAME_EXCHANGE
        } else {
            RenameFlags::RENAME_NOREPLACE
        };
        if let Err(e) = renameat2(self.work.as_fd(), tmp, upper.as_fd(), name, flag) {
            let _ = unlinkat(self.work.as_fd(), tmp, UnlinkatFlags::NoRemoveDir);
            let _ = remove_tree(&self.work, tmp);
            return Err(e);
        }
        if device {
            unlinkat(self.work.as_fd(), tmp, UnlinkatFlags::NoRemoveDir)?;
        } else {
            remove_wh_file(&upper, name)?;
        }
        Ok(upper)
    }

    fn set_override(target: &Target, value: Option<String>) -> Res<()> {
        match value {
            Some(v) => target
                .set(OsStr::new(OVERRIDE_STAT_XATTR), v.as_bytes())
                .map_err(io_errno),
            None => match target.remove(OsStr::new(OVERRIDE_STAT_XATTR)) {
                Err(e) if e.raw_os_error() != Some(Errno::ENODATA as i32) => Err(io_errno(e)),
                _ => Ok(()),
            },
        }
    }

    /// Creates a regular file; its descriptor becomes the node's own (see
    /// [`Self::node_file`]): the kernel opens it without asking.
    pub fn create(&self, parent: u64, name: &OsStr, mode: u32, owner: (u32, u32)) -> Res<FileAttr> {
        let (attr, file) = self.mkfile(parent, name, mode, owner, None)?;
        let ino = attr.ino.0;
        let handle = Arc::new(Handle {
            ino,
            file,
            lower: false,
        });
        self.node_files().insert(ino, handle, false);
        Ok(attr)
    }

    /// Creates a regular file (`dev`: a device placeholder), registered
    /// as one more kernel lookup; its attributes and a read-write
    /// descriptor of it.
    fn mkfile(
        &self,
        parent: u64,
        name: &OsStr,
        mode: u32,
        owner: (u32, u32),
        dev: Option<Device>,
    ) -> Res<(FileAttr, File)> {
        let mode = mode & 0o7777;
        let mut made = None;
        let upper = self.place(parent, name, |dir, n, _| {
            let flags = OFlag::O_CREAT
                | OFlag::O_EXCL
                | OFlag::O_RDWR
                | OFlag::O_NOFOLLOW
                | OFlag::O_CLOEXEC;
            let f = File::from(openat(
                dir.as_fd(),
                n,
                flags,
                Mode::from_bits_truncate(0o600),
            )?);
            let disk = disk_mode(SFlag::S_IFREG, mode);
            fchmod(f.as_fd(), Mode::from_bits_truncate(disk))?;
            let mut ov = OverrideStat::new(owner.0, owner.1, mode);
            if let Some(dev) = dev {
                ov = ov.with_device(dev);
            }
            let record = override_for(ov, disk);
            if let Some(v) = &record {
                f.set_xattr(OVERRIDE_STAT_XATTR, v.as_bytes())
                    .map_err(io_errno)?;
            }
            made = Some((f, record.map(|_| ov)));
            Ok(())
        })?;
        let (file, record) = made.ok_or(Errno::EIO)?;
        // What a lookup would find, without looking it up again.
        let found = Found {
            layer: UPPER,
            st: fstat(file.as_fd())?,
            parent_fd: upper,
            dirs: Vec::new(),
        };
        let ino = self.register(parent, name, &found, true);
        Ok((Self::make_attr(ino, &found.st, record), file))
    }

    pub fn mknod(
        &self,
        parent: u64,
        name: &OsStr,
        mode: u32,
        rdev: u32,
        owner: (u32, u32),
    ) -> Res<FileAttr> {
        let kind = SFlag::from_bits_truncate(mode & SFlag::S_IFMT.bits());
        let perm = mode & 0o7777;
        match kind {
            SFlag::S_IFREG => self.mkfile(parent, name, perm, owner, None).map(|(a, _)| a),
            SFlag::S_IFCHR | SFlag::S_IFBLK => {
                let (major, minor) = decode_dev(rdev);
                let dev = Device {
                    block: kind == SFlag::S_IFBLK,
                    major,
                    minor,
                };
                self.mkfile(parent, name, perm, owner, Some(dev))
                    .map(|(a, _)| a)
            }
            SFlag::S_IFIFO | SFlag::S_IFSOCK => {
                self.place(parent, name, |dir, n, _| {
                    mknodat(dir.as_fd(), n, kind, Mode::from_bits_truncate(0o600), 0)?;
                    fchmodat(
                        dir.as_fd(),
                        n,
                        Mode::from_bits_truncate(disk_mode(kind, perm)),
                        FchmodatFlags::FollowSymlink,
                    )
                })?;
                self.lookup(parent, name)
            }
            _ => Err(Errno::EINVAL),
        }
    }

    pub fn mkdir(&self, parent: u64, name: &OsStr, mode: u32, owner: (u32, u32)) -> Res<FileAttr> {
        let mode = mode & 0o7777;
        self.place(parent, name, |dir, n, over_whiteout| {
            mkdirat(dir.as_fd(), n, Mode::from_bits_truncate(0o700))?;
            let d = open_dir_at(dir, n)?;
            let disk = disk_mode(SFlag::S_IFDIR, mode);
            fchmod(d.as_fd(), Mode::from_bits_truncate(disk))?;
            let ov = OverrideStat::new(owner.0, owner.1, mode);
            if let Some(v) = override_for(ov, disk) {
                d.set_xattr(OVERRIDE_STAT_XATTR, v.as_bytes())
                    .map_err(io_errno)?;
            }
            // What the whiteout hid below must stay hidden.
            if over_whiteout {
                self.set_opaque(&d, None)?;
            }
            Ok(())
        })?;
        self.lookup(parent, name)
    }

    pub fn symlink(&self, parent: u64, name: &OsStr, target: &OsStr) -> Res<FileAttr> {
        self.place(parent, name, |dir, n, _| symlinkat(target, dir.as_fd(), n))?;
        self.lookup(parent, name)
    }

    pub fn link(&self, ino: u64, newparent: u64, newname: &OsStr) -> Res<FileAttr> {
        let loc = self.loc(ino)?;
        if !loc.dirs.is_empty() {
            return Err(Errno::EPERM);
        }
        self.copy_up(ino, true)?;
        let loc = self.loc(ino)?;
        let src = loc.parent_fd.ok_or(Errno::ESTALE)?;
        self.place(newparent, newname, |dir, n, _| {
            linkat(
                src.as_fd(),
                loc.name.as_os_str(),
                dir.as_fd(),
                n,
                AtFlags::empty(),
            )
        })?;
        self.lookup(newparent, newname)
    }

    // ---- removing and renaming ----

    /// The entry `f` at `name` in `parent` is gone; its node stays
    /// reachable by another name it is known by, if any.
    fn mark_gone(&self, parent: u64, name: &OsStr, f: &Found, drop_key: bool) {
        let mut t = self.table_mut();
        let key = key_for(parent, name, f.layer, &f.st);
        let Some(&ino) = t.keys.get(&key) else { return };
        if drop_key {
            t.keys.remove(&key);
        }
        if let Some(n) = t.nodes.get_mut(&ino) {
            if n.parent == parent && n.name == name {
                match n.aliases.pop() {
                    Some((p, a)) if !drop_key => (n.parent, n.name) = (p, a),
                    _ => n.gone = true,
                }
            } else {
                n.aliases
                    .retain(|(p, a)| (*p, a.as_os_str()) != (parent, name));
            }
        }
    }

    /// Replaces whatever upper holds at `name` with a whiteout, atomically.
    fn whiteout_over(&self, upper: &LDir, name: &OsStr) -> Res<()> {
        let tmp = self.tmp_name();
        let tmp = OsStr::new(&tmp);
        if !self.whiteout_files.load(Ordering::Relaxed) {
            match mknodat(self.work.as_fd(), tmp, SFlag::S_IFCHR, Mode::empty(), 0) {
                Err(e) if refuses_format(e) => self.whiteout_files.store(true, Ordering::Relaxed),
                r => r?,
            }
        }
        if self.whiteout_files.load(Ordering::Relaxed) {
            // The `.wh.NAME` file first: while `name` is there, it wins.
            self.make_whiteout(upper, name)?;
            renameat(upper.as_fd(), name, self.work.as_fd(), tmp)?;
            return remove_tree(&self.work, tmp);
        }
        if let Err(e) = renameat2(
            self.work.as_fd(),
            tmp,
            upper.as_fd(),
            name,
            RenameFlags::RENAME_EXCHANGE,
        ) {
            let _ = unlinkat(self.work.as_fd(), tmp, UnlinkatFlags::NoRemoveDir);
            return Err(e);
        }
        // `tmp` now holds the old entry.
        remove_tree(&self.work, tmp)
    }

    pub fn unlink(&self, parent: u64, name: &OsStr) -> Res<()> {
        self.remove(parent, name, false)
    }

    pub fn rmdir(&self, parent: u64, name: &OsStr) -> Res<()> {
        self.remove(parent, name, true)
    }

    /// Whether an entry may be removed by `rmdir` (`dir`) or `unlink`, or
    /// replaced by a rename of a directory (`dir`) or of anything else: the
    /// types must agree, and a directory must be empty in the merged view.
    fn may_replace(&self, f: &Found, dir: bool) -> Res<()> {
        let is_dir = !f.dirs.is_empty();
        if dir && !is_dir {
            return Err(Errno::ENOTDIR);
        }
        if !dir && is_dir {
            return Err(Errno::EISDIR);
        }
        if dir && !self.merged_list(&f.dirs, |_| true)?.is_empty() {
            return Err(Errno::ENOTEMPTY);
        }
        Ok(())
    }

    fn remove(&self, parent: u64, name: &OsStr, dir: bool) -> Res<()> {
        check_name(name)?;
        let pdirs = self.dir_fds(parent)?;
        let f = self.resolve(&pdirs, name)?.ok_or(Errno::ENOENT)?;
        self.may_replace(&f, dir)?;
        // The types agree once may_replace passed.
        let is_dir = dir;
        let upper = self.upper_dir(parent)?;
        let need_wh = self.lower_has(&pdirs, name)?;
        if !is_dir {
            self.pin(parent, name, &f);
        }
        let mut drop_key = false;
        if f.layer == UPPER {
            drop_key = is_dir || f.st.st_nlink <= 1;
            if need_wh {
                self.whiteout_over(&upper, name)?;
            } else if is_dir {
                // Only whiteouts are left in it: the merged view is empty.
                let d = &f.dirs[0].1;
                clear_dir(d)?;
                unlinkat(upper.as_fd(), name, UnlinkatFlags::RemoveDir)?;
            } else {
                unlinkat(upper.as_fd(), name, UnlinkatFlags::NoRemoveDir)?;
            }
        } else {
            self.make_whiteout(&upper, name)?;
        }
        self.mark_gone(parent, name, &f, drop_key);
        Ok(())
    }

    pub fn rename(
        &self,
        parent: u64,
        name: &OsStr,
        newparent: u64,
        newname: &OsStr,
        flags: u32,
    ) -> Res<()> {
        check_name(name)?;
        check_new_name(newname)?;
        let noreplace = RenameFlags::RENAME_NOREPLACE.bits();
        if flags & !noreplace != 0 {
            return Err(Errno::EINVAL);
        }
        let pdirs = self.dir_fds(parent)?;
        let npdirs = self.dir_fds(newparent)?;
        let src = self.resolve(&pdirs, name)?.ok_or(Errno::ENOENT)?;
        let src_dir = !src.dirs.is_empty();
        if src_dir && visible(src.dirs.clone()).iter().any(|(l, _)| *l != UPPER) {
            // As overlayfs without redirect_dir: `mv` falls back to a copy.
            return Err(Errno::EXDEV);
        }
        let dst = self.resolve(&npdirs, newname)?;
        if let Some(d) = &dst {
            if flags & noreplace != 0 {
                return Err(Errno::EEXIST);
            }
            if (d.st.st_dev, d.st.st_ino) == (src.st.st_dev, src.st.st_ino) {
                return Ok(());
            }
            self.may_replace(d, src_dir)?;
            if !src_dir {
                self.pin(newparent, newname, d);
            }
        }
        // Points the node at this name (a hard link may have been looked
        // up last by another), which the copy-up below goes by.
        let src_ino = self.register(parent, name, &src, false);
        self.copy_up(src_ino, true)?;
        let usrc = self.upper_dir(parent)?;
        let udst = self.upper_dir(newparent)?;
        let need_wh = self.lower_has(&pdirs, name)?;
        let dst_lower = self.lower_has(&npdirs, newname)?;
        let (dst_wh, dst_upper_dir) =
            match fstatat(udst.as_fd(), newname, AtFlags::AT_SYMLINK_NOFOLLOW) {
                Ok(st) => (is_whiteout(&st), kind_of(&st) == SFlag::S_IFDIR),
                Err(Errno::ENOENT) => (false, false),
                Err(e) => return Err(e),
            };
        let dst_wh_file = dst.is_none() && udst.whiteout_file(newname);
        if src_dir {
            if dst_lower {
                let d = &src.dirs[0].1;
                self.set_opaque(d, Some(d))?;
            }
            if dst_upper_dir && let Some(d) = &dst {
                clear_dir(&d.dirs[0].1)?;
            }
        }
        if src_dir && dst_wh {
            // A directory cannot replace a non-directory: swap them, and
            // the whiteout lands at the old name.
            renameat2(
                usrc.as_fd(),
                name,
                udst.as_fd(),
                newname,
                RenameFlags::RENAME_EXCHANGE,
            )?;
            if !need_wh {
                unlinkat(usrc.as_fd(), name, UnlinkatFlags::NoRemoveDir)?;
            }
        } else if need_wh {
            let r = if self.whiteout_files.load(Ordering::Relaxed) {
                Err(Errno::EINVAL)
            } else {
                renameat2(
                    usrc.as_fd(),
                    name,
                    udst.as_fd(),
                    newname,
                    RenameFlags::RENAME_WHITEOUT,
                )
            };
            match r {
                Ok(()) => {}
                Err(Errno::EINVAL | Errno::EPERM | Errno::EOPNOTSUPP) => {
                    renameat(usrc.as_fd(), name, udst.as_fd(), newname)?;
                    self.make_whiteout(&usrc, name)?;
                }
                Err(e) => return Err(e),
            }
        } else {
            renameat(usrc.as_fd(), name, udst.as_fd(), newname)?;
        }
        if dst_wh_file {
            remove_wh_file(&udst, newname)?;
        }
        if let Some(d) = &dst {
            let drop_key = d.layer == UPPER && (dst_upper_dir || d.st.st_nlink <= 1);
            self.mark_gone(newparent, newname, d, drop_key);
        }
        let mut t = self.table_mut();
        if let Some(n) = t.nodes.get_mut(&src_ino) {
            n.aliases
                .retain(|(p, a)| (*p, a.as_os_str()) != (newparent, newname));
            n.parent = newparent;
            n.name = newname.to_owned();
            n.layer = UPPER;
            n.gone = false;
        }
        Ok(())
    }

    // ---- attributes ----

    #[allow(clippy::too_many_arguments)]
    pub fn setattr(
        &self,
        ino: u64,
        mode: Option<u32>,
        uid: Option<u32>,
        gid: Option<u32>,
        size: Option<u64>,
        atime: Option<Option<SystemTime>>,
        mtime: Option<Option<SystemTime>>,
    ) -> Res<FileAttr> {
        let gone = self.table().nodes.get(&ino).is_some_and(|n| n.gone);
        let target = match gone {
            // No name leads to it: the node's own descriptor (in upper, or
            // a copy of a lower file of its own; see `node_file`). apt's
            // temporary files are unlinked as soon as they are made, and
            // the kernel still writes their times back at every close.
            true => Target::Open(self.node_file(ino, true)?),
            false => {
                self.copy_up(ino, size != Some(0))?;
                self.target(ino)?
            }
        };
        if let Some(size) = size {
            let len = i64::try_from(size).map_err(|_| Errno::EFBIG)?;
            match &target {
                Target::Open(h) => nix::unistd::ftruncate(h.file.as_fd(), len)?,
                Target::Dir(_) => return Err(Errno::EISDIR),
                Target::Name(d, n) => {
                    let flags =
                        OFlag::O_WRONLY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC | OFlag::O_NONBLOCK;
                    let f = openat(d.as_fd(), n.as_os_str(), flags, Mode::empty())?;
                    nix::unistd::ftruncate(f.as_fd(), len)?;
                }
            }
        }
        if mode.is_some() || uid.is_some() || gid.is_some() {
            let st = target.stat()?;
            let kind = kind_of(&st);
            let raw = target.override_raw(kind);
            let cur = raw
                .as_deref()
                .and_then(|v| OverrideStat::parse(v).ok())
                .unwrap_or(OverrideStat::new(0, 0, st.st_mode));
            let new = OverrideStat {
                uid: uid.unwrap_or(cur.uid),
                gid: gid.unwrap_or(cur.gid),
                mode: mode.map(|m| m & 0o7777).unwrap_or(cur.mode),
                kind: cur.kind,
            };
            let disk = disk_mode(kind, new.mode);
            // tar sets the owner and mode every file already has: nothing
            // to write then.
            let want = override_for(new, disk);
            let disk_same = st.st_mode & 0o7777 == disk;
            let record_same = want.as_deref().map(str::as_bytes) == raw.as_deref();
            match kind {
                SFlag::S_IFDIR | SFlag::S_IFREG if disk_same && record_same => {}
                SFlag::S_IFDIR | SFlag::S_IFREG => {
                    target.chmod(disk)?;
                    if !record_same {
                        Self::set_override(&target, want)?;
                    }
                }
                // Symlinks have no mode, and fifos and sockets cannot hold
                // user xattrs: their owner is not recorded.
                SFlag::S_IFLNK => {}
                _ => target.chmod(disk)?,
            }
        }
        if atime.is_some() || mtime.is_some() {
            let ts = |t: Option<Option<SystemTime>>| match t {
                None => TimeSpec::UTIME_OMIT,
                Some(None) => TimeSpec::UTIME_NOW,
                Some(Some(t)) => match t.duration_since(UNIX_EPOCH) {
                    Ok(d) => TimeSpec::from_duration(d),
                    Err(e) => {
                        let d = e.duration();
                        TimeSpec::new(
                            -(d.as_secs() as i64) - 1,
                            1_000_000_000 - i64::from(d.subsec_nanos()),
                        )
                    }
                },
            };
            target.set_times(&ts(atime), &ts(mtime))?;
        }
        match &target {
            Target::Open(h) => Self::open_attr(ino, h),
            _ => self.getattr(ino),
        }
    }

    // ---- files ----

    /// A descriptor of the node's topmost copy, read-write (`write`) or
    /// read-only. (Never write-only: with the writeback cache the kernel
    /// reads to fill partial pages.)
    fn open_handle(&self, ino: u64, write: bool) -> Res<Handle> {
        let acc = if write {
            OFlag::O_RDWR
        } else {
            OFlag::O_RDONLY
        };
        let oflags = acc | OFlag::O_CLOEXEC;
        let (file, lower) = match self.loc(ino) {
            Ok(loc) => {
                if !loc.dirs.is_empty() {
                    return Err(Errno::EISDIR);
                }
                let pfd = loc.parent_fd.as_ref().ok_or(Errno::ESTALE)?;
                let fd = openat(
                    pfd.as_fd(),
                    loc.name.as_os_str(),
                    oflags | OFlag::O_NOFOLLOW,
                    Mode::empty(),
                )?;
                (File::from(fd), loc.layer != UPPER)
            }
            // Unlinked, and opened again through `/proc/PID/fd` of a
            // process holding it: so is the descriptor pinned for it.
            Err(Errno::ENOENT) => {
                let h = self.unlinked_handle(ino).ok_or(Errno::ENOENT)?;
                let path = format!("/proc/self/fd/{}", h.file.as_raw_fd());
                let fd = nix::fcntl::open(path.as_str(), oflags, Mode::empty())?;
                (File::from(fd), false)
            }
            Err(e) => return Err(e),
        };
        Ok(Handle { ino, file, lower })
    }

    fn node_files(&self) -> std::sync::MutexGuard<'_, NodeFiles> {
        self.node_files.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The descriptor a request without a handle (`fh` 0) goes through:
    /// the node's topmost copy, in upper for a write (copied up first, as
    /// overlayfs does at an open for writing).
    fn node_file(&self, ino: u64, write: bool) -> Res<Arc<Handle>> {
        // (gone, in upper) as the table has it now.
        let state = self
            .table()
            .nodes
            .get(&ino)
            .map(|n| (n.gone, n.layer == UPPER));
        let cached = self.node_files().get(ino);
        if let Some(h) = cached {
            let current = match state {
                Some((false, upper)) => h.lower != upper,
                // No name leads to it: what was pinned is all there is.
                _ => true,
            };
            if current && !(write && h.lower) {
                return Ok(h);
            }
            if current && write && !matches!(state, Some((false, _))) {
                // A lower file unlinked while open, now written: its own
                // copy, which no name reaches, takes the writes.
                let h = Arc::new(self.detached_copy(&h)?);
                self.node_files().insert(ino, h.clone(), true);
                return Ok(h);
            }
        }
        if write {
            self.copy_up(ino, true)?;
        }
        // A file in upper is opened read-write even to read: the next
        // request may write it.
        let rw = write || matches!(state, Some((false, true)));
        let h = Arc::new(self.open_handle(ino, rw)?);
        self.node_files().insert(ino, h.clone(), false);
        Ok(h)
    }

    /// A copy of `h`'s data in a file of the work directory that no name
    /// leads to.
    fn detached_copy(&self, h: &Handle) -> Res<Handle> {
        let tmp = self.tmp_name();
        let flags = OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_RDWR | OFlag::O_CLOEXEC;
        let fd = openat(
            self.work.as_fd(),
            tmp.as_str(),
            flags,
            Mode::from_bits_truncate(0o600),
        )?;
        let _ = unlinkat(self.work.as_fd(), tmp.as_str(), UnlinkatFlags::NoRemoveDir);
        let mut dst = File::from(fd);
        let mut src = h.file.try_clone().map_err(io_errno)?;
        std::io::Seek::seek(&mut src, std::io::SeekFrom::Start(0)).map_err(io_errno)?;
        std::io::copy(&mut src, &mut dst).map_err(io_errno)?;
        Ok(Handle {
            ino: h.ino,
            file: dst,
            lower: false,
        })
    }

    /// Keeps a descriptor of the regular file at `name` (as `f` found
    /// it), before that name goes, for a node the kernel holds: an open
    /// file stays readable and writable after its last name is gone.
    fn pin(&self, parent: u64, name: &OsStr, f: &Found) {
        if kind_of(&f.st) != SFlag::S_IFREG {
            return;
        }
        let ino = {
            let t = self.table();
            match t.keys.get(&key_for(parent, name, f.layer, &f.st)) {
                Some(&ino) if t.nodes.get(&ino).is_some_and(|n| n.lookups > 0) => ino,
                _ => return,
            }
        };
        let acc = if f.layer == UPPER {
            OFlag::O_RDWR
        } else {
            OFlag::O_RDONLY
        };
        let flags = acc | OFlag::O_CLOEXEC | OFlag::O_NOFOLLOW | OFlag::O_NONBLOCK;
        if let Ok(fd) = openat(f.parent_fd.as_fd(), name, flags, Mode::empty()) {
            let handle = Arc::new(Handle {
                ino,
                file: File::from(fd),
                lower: f.layer != UPPER,
            });
            self.node_files().insert(ino, handle, true);
        }
    }

    /// Reads at `offset` into all of `buf` (less at the end of the file);
    /// how many bytes it read.
    pub fn read_into(&self, ino: u64, offset: u64, buf: &mut [u8]) -> Res<usize> {
        let h = self.node_file(ino, false)?;
        let mut done = 0;
        while done < buf.len() {
            match h.file.read_at(&mut buf[done..], offset + done as u64) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_errno(e)),
            }
        }
        Ok(done)
    }

    #[cfg(test)]
    pub fn read(&self, ino: u64, offset: u64, size: u32) -> Res<Vec<u8>> {
        let mut buf = vec![0u8; size as usize];
        let n = self.read_into(ino, offset, &mut buf)?;
        buf.truncate(n);
        Ok(buf)
    }

    pub fn write(&self, ino: u64, offset: u64, data: &[u8]) -> Res<u32> {
        let h = self.node_file(ino, true)?;
        if h.lower {
            return Err(Errno::EBADF);
        }
        h.file.write_all_at(data, offset).map_err(io_errno)?;
        Ok(data.len() as u32)
    }

    pub fn fsync(&self, ino: u64, datasync: bool) -> Res<()> {
        let h = self.node_file(ino, false)?;
        let r = if datasync {
            h.file.sync_data()
        } else {
            h.file.sync_all()
        };
        r.map_err(io_errno)
    }

    pub fn fallocate(&self, ino: u64, offset: u64, length: u64, mode: i32) -> Res<()> {
        let h = self.node_file(ino, true)?;
        if h.lower {
            return Err(Errno::EBADF);
        }
        let flags = nix::fcntl::FallocateFlags::from_bits(mode).ok_or(Errno::EOPNOTSUPP)?;
        nix::fcntl::fallocate(h.file.as_fd(), flags, offset as i64, length as i64)
    }

    /// Root may do anything but execute a file without execute bits.
    pub fn access(&self, ino: u64, mask: i32) -> Res<()> {
        if mask & 1 != 0 {
            let a = self.getattr(ino)?;
            if a.kind != FileType::Directory && a.perm & 0o111 == 0 {
                return Err(Errno::EACCES);
            }
        } else {
            self.loc(ino)?;
        }
        Ok(())
    }

    // ---- directories ----

    /// The merged entries of `dirs` (topmost first) that `keep` accepts,
    /// as (name, d_type, d_ino, layer index in `dirs`).
    fn merged_list(
        &self,
        dirs: &[LayerDir],
        mut keep: impl FnMut(&OsStr) -> bool,
    ) -> Res<Vec<Merged>> {
        let mut out = Vec::new();
        let mut seen: HashSet<OsString> = HashSet::new();
        let merged = dirs.len() > 1;
        for (i, (_, d)) in dirs.iter().enumerate() {
            let mut dir = Dir::openat(
                d.as_fd(),
                ".",
                OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
                Mode::empty(),
            )?;
            // Whited out by `.wh.NAME` files: hidden in the dirs below.
            let mut hidden: Vec<OsString> = Vec::new();
            let mut opaque = false;
            for e in dir.iter() {
                let e = e?;
                let name = OsStr::from_bytes(e.file_name().to_bytes());
                if name == "." || name == ".." {
                    continue;
                }
                if let Some(marker) = layer::whiteout_name_kind(name) {
                    match marker {
                        WhiteoutName::Opaque => opaque = true,
                        WhiteoutName::Whiteout(h)
                            if merged && matches!(e.file_type(), Some(Type::File) | None) =>
                        {
                            hidden.push(h.to_owned());
                        }
                        _ => {}
                    }
                    continue;
                }
                if merged && !seen.insert(name.to_owned()) {
                    continue;
                }
                let mut ty = e.file_type();
                if matches!(ty, Some(Type::CharacterDevice) | None) {
                    match fstatat(d.as_fd(), name, AtFlags::AT_SYMLINK_NOFOLLOW) {
                        Ok(st) if is_whiteout(&st) => continue,
                        Ok(st) => ty = Some(type_of(kind_of(&st))),
                        Err(_) => continue,
                    }
                }
                if keep(name) {
                    out.push(Merged(name.to_owned(), ty, e.ino(), i));
                }
            }
            if opaque {
                break;
            }
            seen.extend(hidden);
        }
        Ok(out)
    }

    /// The merged entries of directory `ino`, `.` and `..` first.
    fn build_listing(&self, ino: u64) -> Res<Vec<DirEntry>> {
        let dirs = self.dir_fds(ino)?;
        let parent = self.loc(ino)?.parent;
        let list = self.merged_list(&dirs, |_| true)?;
        let devs = dirs
            .iter()
            .map(|(_, d)| fstat(d.as_fd()).map(|st| st.st_dev))
            .collect::<Res<Vec<u64>>>()?;
        let mut entries = Vec::with_capacity(list.len() + 2);
        entries.push(DirEntry {
            ino,
            kind: FileType::Directory,
            name: ".".into(),
        });
        entries.push(DirEntry {
            ino: parent,
            kind: FileType::Directory,
            name: "..".into(),
        });
        {
            let mut t = self.table_mut();
            for Merged(name, ty, d_ino, i) in list {
                let kind = match ty {
                    Some(Type::Directory) => FileType::Directory,
                    Some(Type::Symlink) => FileType::Symlink,
                    Some(Type::Fifo) => FileType::NamedPipe,
                    Some(Type::Socket) => FileType::Socket,
                    Some(Type::CharacterDevice) => FileType::CharDevice,
                    Some(Type::BlockDevice) => FileType::BlockDevice,
                    _ => FileType::RegularFile,
                };
                let key = if dirs[i].0 != UPPER && kind != FileType::Directory {
                    Key::Named(devs[i], d_ino, ino, name.clone())
                } else {
                    Key::Backing(devs[i], d_ino)
                };
                let ino = t.ino_for(key);
                entries.push(DirEntry { ino, kind, name });
            }
        }
        Ok(entries)
    }

    /// The listing a read of directory `ino` at `offset` goes through, the
    /// index in it to start at, and the base of its entries' offsets.
    ///
    /// There are no directory handles (the kernel is told to send no
    /// OPENDIR or RELEASEDIR, two round trips per directory a `find`
    /// walks), so the offsets themselves say which listing a read
    /// continues: a read at offset 0 (a new `opendir`, or `rewinddir`)
    /// takes a snapshot of generation `g`, and its entries carry the
    /// offsets `g << 32 | index + 1`, which the kernel hands back to
    /// continue. A read keeps its own snapshot while the directory
    /// changes, as a handle's did, so no entry is skipped or repeated; the
    /// few latest per directory are kept, and one that is gone (more reads
    /// started meanwhile) is taken again, from the same index.
    pub fn listing_at(&self, ino: u64, offset: u64) -> Res<(Arc<Vec<DirEntry>>, usize, u64)> {
        let (generation, index) = ((offset >> 32) as u32, (offset & 0xffff_ffff) as usize);
        if offset != 0 {
            let l = self.listings.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((_, v)) = l
                .get(&ino)
                .and_then(|s| s.latest.iter().find(|(g, _)| *g == generation))
            {
                return Ok((v.clone(), index, u64::from(generation) << 32));
            }
        }
        let v = Arc::new(self.build_listing(ino)?);
        let mut l = self.listings.lock().unwrap_or_else(|e| e.into_inner());
        let snaps = l.entry(ino).or_default();
        // Generation 0 would make the first entry's offset 0, which means
        // "from the start".
        snaps.next = snaps.next.wrapping_add(1).max(1);
        let generation = snaps.next;
        if snaps.latest.len() == SNAPSHOTS {
            snaps.latest.pop_front();
        }
        snaps.latest.push_back((generation, v.clone()));
        Ok((v, index, u64::from(generation) << 32))
    }

    pub fn statfs(&self) -> Res<nix::sys::statvfs::Statvfs> {
        nix::sys::statvfs::fstatvfs(self.upper.as_fd())
    }

    // ---- xattrs ----

    /// The recorded owner (`user.containers.override_stat`) may be read
    /// and written as on the kernel's overlay, where the container's
    /// ownership emulation keeps it; it is only left out of listings, so
    /// copies (`cp -a`, `tar --xattrs`) do not carry it around.
    ///
    /// `security.capability`, which the kernel asks for at every `execve`
    /// (FUSE caches no xattr, not even a missing one), is answered without
    /// touching the disk: no file here can carry one. Layers keep only
    /// `user.*` xattrs (see [`crate::layer::is_content_xattr`]), and the
    /// server's unprivileged user cannot set a `security.*` one in upper.
    pub fn getxattr(&self, ino: u64, name: &OsStr) -> Res<Vec<u8>> {
        if overlay_xattr(name) || name.as_bytes() == b"security.capability" {
            return Err(Errno::ENODATA);
        }
        self.target(ino)?
            .get(name)
            .map_err(io_errno)?
            .ok_or(Errno::ENODATA)
    }

    /// The names, each followed by a NUL, as `listxattr(2)` returns them.
    pub fn listxattr(&self, ino: u64) -> Res<Vec<u8>> {
        let mut out = Vec::new();
        for n in self.target(ino)?.list().map_err(io_errno)? {
            if !hidden_xattr(&n) {
                out.extend_from_slice(n.as_bytes());
                out.push(0);
            }
        }
        Ok(out)
    }

    pub fn setxattr(&self, ino: u64, name: &OsStr, value: &[u8], flags: i32) -> Res<()> {
        if overlay_xattr(name) {
            return Err(Errno::EPERM);
        }
        if name.as_bytes() == OVERRIDE_STAT_XATTR.as_bytes() && OverrideStat::parse(value).is_err()
        {
            return Err(Errno::EINVAL);
        }
        self.copy_up(ino, true)?;
        let t = self.target(ino)?;
        // XATTR_CREATE = 1, XATTR_REPLACE = 2.
        if flags & 3 != 0 {
            let exists = t.get(name).map_err(io_errno)?.is_some();
            if flags & 1 != 0 && exists {
                return Err(Errno::EEXIST);
            }
            if flags & 2 != 0 && !exists {
                return Err(Errno::ENODATA);
            }
        }
        t.set(name, value).map_err(io_errno)
    }

    pub fn removexattr(&self, ino: u64, name: &OsStr) -> Res<()> {
        if overlay_xattr(name) {
            return Err(Errno::EPERM);
        }
        if self.target(ino)?.get(name).map_err(io_errno)?.is_none() {
            return Err(Errno::ENODATA);
        }
        self.copy_up(ino, true)?;
        self.target(ino)?.remove(name).map_err(io_errno)
    }
}

fn type_of(kind: SFlag) -> Type {
    match kind {
        SFlag::S_IFDIR => Type::Directory,
        SFlag::S_IFLNK => Type::Symlink,
        SFlag::S_IFIFO => Type::Fifo,
        SFlag::S_IFSOCK => Type::Socket,
        SFlag::S_IFCHR => Type::CharacterDevice,
        SFlag::S_IFBLK => Type::BlockDevice,
        _ => Type::File,
    }
}

/// Copies the user xattrs a copy-up must keep, except the overlay's own
/// (an opaque marker copied up would hide the layers below its source).
fn copy_xattrs(src: &Target, dst: &File) -> Res<()> {
    let names = match src.list() {
        Ok(n) => n,
        Err(e) if e.raw_os_error() == Some(Errno::EOPNOTSUPP as i32) => return Ok(()),
        Err(e) => return Err(io_errno(e)),
    };
    for n in names {
        if overlay_xattr(&n) || !n.as_bytes().starts_with(b"user.") {
            continue;
        }
        if let Some(v) = src.get(&n).map_err(io_errno)? {
            dst.set_xattr(&n, &v).map_err(io_errno)?;
        }
    }
    Ok(())
}

/// Removes every entry of a directory in upper or work (whiteouts and,
/// for a directory moved aside, whatever it held), recursively.
fn clear_dir(dir: &File) -> Res<()> {
    let mut d = Dir::openat(
        dir.as_fd(),
        ".",
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )?;
    let names: Vec<OsString> = d
        .iter()
        .filter_map(|e| e.ok())
        .map(|e| OsStr::from_bytes(e.file_name().to_bytes()).to_owned())
        .filter(|n| n != "." && n != "..")
        .collect();
    for n in names {
        remove_tree(dir, &n)?;
    }
    Ok(())
}

fn remove_tree(dir: &File, name: &OsStr) -> Res<()> {
    match unlinkat(dir.as_fd(), name, UnlinkatFlags::NoRemoveDir) {
        Ok(()) => Ok(()),
        Err(Errno::EISDIR) => {
            let sub = open_dir_at(dir, name)?;
            clear_dir(&sub)?;
            unlinkat(dir.as_fd(), name, UnlinkatFlags::RemoveDir)
        }
        Err(e) => Err(e),
    }
}
