//! Unpacks one OCI/Docker image layer (a tar stream, optionally gzip or zstd
//! compressed) into a directory of its own, to be used as a lower layer of a
//! kernel overlayfs mounted inside a user namespace with `userxattr`.
//!
//! The unpacker runs as an ordinary unprivileged user, so the image's
//! ownership, modes the owner must not lose, and device numbers are not
//! applied on disk but recorded in the [`OVERRIDE_STAT_XATTR`] xattr. Layer
//! whiteouts become overlayfs whiteouts (0:0 character devices) and opaque
//! markers become the `user.overlay.opaque` xattr. Where the filesystem
//! refuses those (an overlayfs-mounted home: EPERM), they are kept as the
//! tar had them, the fallback format fuse-overlayfs reads: an empty file
//! `.wh.NAME`, and an empty `.wh..wh..opq` in an opaque directory; a later
//! entry `NAME` of the layer removes its `.wh.NAME`. Such a store is only
//! used through rsp's own fuse overlay or the `vfs` copy, which read both.
//!
//! # Security contract
//!
//! No entry, however hostile, ever creates, modifies or follows anything
//! outside `dest`:
//! - names are resolved lexically with `..` clamped at the layer root, so
//!   `../../etc/passwd` means `dest/etc/passwd`;
//! - every parent directory is opened one component at a time with
//!   `O_NOFOLLOW | O_DIRECTORY` relative to its parent's descriptor, and a
//!   symlink there is refused with [`UnpackError::SymlinkInPath`]; the
//!   descriptors of the last entry's parent and its ancestors are kept
//!   open for the next entries, which can never remove them;
//! - the final component is created with `O_CREAT | O_EXCL | O_NOFOLLOW`
//!   or an `*at` call that never follows it, so nothing is ever written
//!   through an existing symlink; where that fails with EEXIST, what is
//!   there is unlinked and the creation tried once more;
//! - hard-link targets are resolved the same way and must already exist in
//!   this layer.
//!
//! # Cost
//!
//! A layer is usually unpacked into an empty directory, so nothing is
//! probed before it is created, and entries are created with their final
//! modes where the umask allows (see [`creation_mask`]): a regular file
//! costs `openat`, its `write`s, `utimensat` on the descriptor and
//! `close`; a symlink `symlinkat` and `utimensat`; a directory `mkdirat`,
//! the `openat` of its first child's walk and a `utimensat` at the end.
//! `fchmod` is left for the modes the umask or a write would change
//! (group- or world-writable, setuid, setgid, sticky).
//!
//! On error, `dest` is left partly filled; the caller owns it and removes it.

use rsp_base::text::shown;
use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use nix::errno::Errno;
use nix::fcntl::{AT_FDCWD, AtFlags, OFlag, openat};
use nix::sys::stat::{
    Mode, SFlag, UtimensatFlags, fchmod, fstatat, futimens, mkdirat, mknodat, utimensat,
};
use nix::sys::time::TimeSpec;
use nix::unistd::{UnlinkatFlags, linkat, mkfifoat, symlinkat, unlinkat};
use sha2::{Digest, Sha256};
use xattr::FileExt;

use super::layer::{
    self, Device, OPAQUE_VALUE, OPAQUE_XATTR, OVERRIDE_STAT_XATTR, OverrideStat, WhiteoutName,
};
use super::tarsplit::{Recorder, SharedRecorder};
use super::walk::{self, WalkError, WalkErrorKind, file_type, remove_tree};

const IO_BUF_SIZE: usize = 256 * 1024;
// Longer names cannot be used inside the container anyway, and the limit
// bounds the directory depth that removing a subtree has to recurse into.
const MAX_PATH_LEN: usize = libc::PATH_MAX as usize;

/// What [`unpack_layer`] found in the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpackStats {
    /// `sha256:<hex>` of the uncompressed tar stream, i.e. the layer's diff ID.
    pub diff_id: String,
    /// Length of the uncompressed tar stream in bytes.
    pub size: u64,
    /// Whether the layer recorded at least one owner or mode in
    /// [`OVERRIDE_STAT_XATTR`].
    pub records_owners: bool,
    /// Whether [`unpack_layer_recorded`] wrote a tar-split record that
    /// reproduces the stream.
    pub recorded: bool,
}

/// Why unpacking stopped. Each variant names the step that failed and, for
/// entries, the entry's name as written in the tar.
#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    /// Not produced here: for callers reporting failures around the unpack,
    /// such as the unpacking thread dying.
    #[error("{}: {source}", shown(.path))]
    Io { path: PathBuf, source: io::Error },
    #[error("opening layer directory {}: {source}", shown(.path))]
    OpenDest { path: PathBuf, source: io::Error },
    #[error("reading layer stream: {source}")]
    Read { source: io::Error },
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
    #[error("{}: removing the existing entry: {source}", shown(.path))]
    RemoveExisting { path: PathBuf, source: io::Error },
    #[error("{}: creating directory: {source}", shown(.path))]
    CreateDir { path: PathBuf, source: io::Error },
    #[error("{}: reading file data from the layer stream: {source}", shown(.path))]
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
    #[error("{}: creating device placeholder: {source}", shown(.path))]
    Device { path: PathBuf, source: io::Error },
    #[error("{}: creating whiteout: {source}", shown(.path))]
    Whiteout { path: PathBuf, source: io::Error },
    #[error("{}: setting xattr {}: {source}", shown(.path), shown(.name))]
    Xattr {
        path: PathBuf,
        name: String,
        source: io::Error,
    },
    #[error("{}: setting mode: {source}", shown(.path))]
    Chmod { path: PathBuf, source: io::Error },
    #[error("{}: setting timestamps: {source}", shown(.path))]
    Times { path: PathBuf, source: io::Error },
}

type Result<T, E = UnpackError> = std::result::Result<T, E>;

/// Unpack `reader` (compression detected from magic bytes: gzip `1f 8b`,
/// zstd `28 b5 2f fd`, else plain tar) into `dest`, an existing empty
/// directory owned by the caller.
///
/// The whole stream is read, including any padding after the end-of-archive
/// blocks, so that the returned diff ID covers every byte.
pub fn unpack_layer<R: Read>(reader: R, dest: &Path) -> Result<UnpackStats> {
    unpack_layer_as(reader, dest, How::default(), None)
}

/// [`unpack_layer`], also writing to `split` the record that gives the
/// stream back byte for byte ([`super::tarsplit`]). If the record cannot
/// reproduce this stream, the file is removed and `recorded` is false.
pub fn unpack_layer_recorded<R: Read>(reader: R, dest: &Path, split: &Path) -> Result<UnpackStats> {
    let recorder = Recorder::create(split).map_err(|source| UnpackError::Io {
        path: split.to_path_buf(),
        source,
    })?;
    let mut stats = unpack_layer_as(reader, dest, How::default(), Some(recorder.clone()))?;
    stats.recorded = recorder
        .borrow_mut()
        .finish()
        .map_err(|source| UnpackError::Io {
            path: split.to_path_buf(),
            source,
        })?;
    if !stats.recorded {
        let _ = std::fs::remove_file(split);
    }
    Ok(stats)
}

/// How [`unpack_layer_as`] works, where tests need other than the default.
#[derive(Debug, Default, Clone, Copy)]
struct How {
    /// Write the fallback format from the start (as a filesystem refusing
    /// the normal one makes the unpacker do).
    fallback: bool,
    /// Work as the unpacker did before issue 19, the reference of the
    /// differential tests: probe for an existing entry before creating
    /// each one, and set every mode after creation.
    reference: bool,
}

/// [`unpack_layer`], as `how` says.
fn unpack_layer_as<R: Read>(
    mut reader: R,
    dest: &Path,
    how: How,
    recorder: Option<SharedRecorder>,
) -> Result<UnpackStats> {
    let root = openat(
        AT_FDCWD,
        dest,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| UnpackError::OpenDest {
        path: dest.to_path_buf(),
        source: e.into(),
    })?;

    let read_err = |source| UnpackError::Read { source };
    let (magic, magic_len) = read_magic(&mut reader).map_err(read_err)?;
    let magic = &magic[..magic_len];
    let buffered = BufReader::with_capacity(IO_BUF_SIZE, magic.chain(reader));
    let stream = match magic {
        [0x1f, 0x8b, ..] => {
            Decompressor::Gzip(Box::new(flate2::bufread::MultiGzDecoder::new(buffered)))
        }
        [0x28, 0xb5, 0x2f, 0xfd] => Decompressor::Zstd(
            zstd::stream::read::Decoder::with_buffer(buffered).map_err(read_err)?,
        ),
        _ => Decompressor::Plain(buffered),
    };

    let mut hashing = HashingReader::new(stream);
    hashing.recorder = recorder.clone();
    let mut archive = tar::Archive::new(hashing);
    let mut unpacker = Unpacker::new(root);
    unpacker.recorder = recorder;
    unpacker.whiteout_files = how.fallback;
    unpacker.opaque_files = how.fallback;
    if how.reference {
        unpacker.umask = None;
        unpacker.probe_first = true;
    }
    for entry in archive.entries().map_err(read_err)? {
        unpacker.unpack_entry(&mut entry.map_err(read_err)?)?;
    }
    let records_owners = unpacker.finish()?;

    let mut rest = archive.into_inner();
    io::copy(&mut rest, &mut io::sink()).map_err(read_err)?;
    Ok(UnpackStats {
        records_owners,
        ..rest.stats()
    })
}

/// Reads up to four bytes, tolerating short reads from network streams.
fn read_magic(reader: &mut impl Read) -> io::Result<([u8; 4], usize)> {
    let mut magic = [0; 4];
    let mut len = 0;
    while len < magic.len() {
        match reader.read(&mut magic[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok((magic, len))
}

enum Decompressor<R: BufRead> {
    Plain(R),
    // Boxed: zlib-rs's inflate state is large, the others are not.
    Gzip(Box<flate2::bufread::MultiGzDecoder<R>>),
    Zstd(zstd::stream::read::Decoder<'static, R>),
}

impl<R: BufRead> Read for Decompressor<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Plain(r) => r.read(buf),
            Self::Gzip(r) => r.read(buf),
            Self::Zstd(r) => r.read(buf),
        }
    }
}

/// Hashes and counts the uncompressed bytes as the tar parser pulls them.
struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    len: u64,
    recorder: Option<SharedRecorder>,
}

impl<R> HashingReader<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
            len: 0,
            recorder: None,
        }
    }

    fn stats(self) -> UnpackStats {
        UnpackStats {
            diff_id: format!("sha256:{}", hex::encode(self.hasher.finalize())),
            size: self.len,
            records_owners: false,
            recorded: false,
        }
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        if let Some(r) = &self.recorder {
            r.borrow_mut().consumed(&buf[..n]);
        }
        Ok(n)
    }
}

/// Image-side attributes of one entry.
#[derive(Debug, Clone, Copy)]
struct Meta {
    uid: u64,
    gid: u64,
    /// Permission bits including setuid, setgid and sticky.
    mode: u32,
    mtime: TimeSpec,
}

impl Meta {
    fn record(&self) -> OverrideStat {
        OverrideStat::new(layer::tar_id(self.uid), layer::tar_id(self.gid), self.mode)
    }

    /// The owner record, if the on-disk inode does not already say
    /// everything: on disk every file belongs to the invoking user, who is
    /// the container's root.
    fn override_stat(&self, disk_mode: u32) -> Option<OverrideStat> {
        let record = self.record();
        (!record.is_implied_by(0, 0, disk_mode)).then_some(record)
    }
}

/// What the entry's PAX header says beyond what the tar crate applies itself.
#[derive(Default)]
struct PaxInfo {
    xattrs: Vec<(OsString, Vec<u8>)>,
    mtime: Option<TimeSpec>,
}

impl WalkError {
    fn into_unpack(self, path: &Path) -> UnpackError {
        let path = path.to_path_buf();
        let component = self.component;
        match self.kind {
            WalkErrorKind::Symlink => UnpackError::SymlinkInPath { path, component },
            WalkErrorKind::NotADirectory => UnpackError::NotADirectory { path, component },
            WalkErrorKind::Missing => UnpackError::Parent {
                path,
                component,
                source: Errno::ENOENT.into(),
            },
            WalkErrorKind::Io(e) => UnpackError::Parent {
                path,
                component,
                source: e.into(),
            },
        }
    }
}

struct Unpacker {
    root: Rc<File>,
    /// The open directories down to the previous entry's parent.
    ancestors: Ancestors,
    /// The permission bits the kernel clears from a new inode's mode, if
    /// [`creation_mask`] could tell: then entries are created with their
    /// final mode and changed afterwards only where this would clear bits.
    /// `None`: every entry gets its mode set after creation.
    umask: Option<u32>,
    /// Directory modes and mtimes, applied after all entries because writing
    /// into a directory changes its mtime. Keyed by clean path so a later
    /// entry wins; every entry that replaces a directory goes through
    /// [`Unpacker::clear`], which drops it and what was below it.
    dirs: HashMap<PathBuf, DirMeta>,
    buf: Vec<u8>,
    /// The filesystem refused a 0/0 device: whiteouts are `.wh.NAME` files
    /// from then on, and every new entry removes its own.
    whiteout_files: bool,
    /// It refused the opaque xattr: opaque directories get `.wh..wh..opq`.
    opaque_files: bool,
    /// An override xattr was written.
    records_owners: bool,
    recorder: Option<SharedRecorder>,
    /// Look for an existing entry before creating each one
    /// ([`How::reference`]).
    probe_first: bool,
}

/// A directory entry's attributes, and the mode the directory was made
/// with if that is known to be what it has on disk.
#[derive(Debug, Clone, Copy)]
struct DirMeta {
    meta: Meta,
    made_with: Option<u32>,
}

/// How many directories [`Ancestors`] keeps open: real images stay far
/// below; a hostile tar's deeper paths are opened from the deepest kept
/// one each time instead, so no layer holds more descriptors than this.
const MAX_OPEN_DIRS: usize = 48;

/// The directories from the layer root down to the previous entry's
/// parent, open. Tars list a directory's entries together and walk the
/// tree depth first, so most entries find their parent here, and the others
/// share a prefix with it and only open what is below that, instead of
/// walking from the root. Opening an entry's parent first truncates this
/// to that parent's own chain, and an entry can only remove itself and
/// what is below it, never its ancestors, so nothing kept here goes stale.
struct Ancestors {
    root: Rc<File>,
    open: Vec<(OsString, OwnedFd)>,
}

/// A directory opened through [`Ancestors`]: one of the descriptors it
/// keeps, or, deeper than it keeps them, one of its own.
enum DirFd<'a> {
    Kept(BorrowedFd<'a>),
    Own(OwnedFd),
}

impl AsFd for DirFd<'_> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            Self::Kept(fd) => fd.as_fd(),
            Self::Own(fd) => fd.as_fd(),
        }
    }
}

impl Ancestors {
    fn new(root: &Rc<File>) -> Self {
        Self {
            root: Rc::clone(root),
            open: Vec::new(),
        }
    }

    /// Opens directory `dir` (clean, relative to the root) from the deepest
    /// kept directory on its path, one component at a time, never following
    /// a symlink, creating missing components (mode 0755) if `create`.
    fn open(&mut self, dir: &Path, create: bool) -> Result<DirFd<'_>, WalkError> {
        let names: Vec<&OsStr> = dir.iter().collect();
        let common = self
            .open
            .iter()
            .zip(&names)
            .take_while(|((kept, _), name)| kept == *name)
            .count();
        self.open.truncate(common);
        let mut own: Option<OwnedFd> = None;
        for (i, name) in names.iter().enumerate().skip(common) {
            let base = match &own {
                Some(fd) => fd.as_fd(),
                None => self
                    .open
                    .last()
                    .map_or(self.root.as_fd(), |(_, fd)| fd.as_fd()),
            };
            let fd = walk::open_subdir(base, name, create).map_err(|kind| WalkError {
                component: names[..=i].iter().collect(),
                kind,
            })?;
            if own.is_none() && self.open.len() < MAX_OPEN_DIRS {
                self.open.push((name.to_os_string(), fd));
            } else {
                own = Some(fd);
            }
        }
        Ok(match own {
            Some(fd) => DirFd::Own(fd),
            None => DirFd::Kept(
                self.open
                    .last()
                    .map_or(self.root.as_fd(), |(_, fd)| fd.as_fd()),
            ),
        })
    }
}

/// The permission bits that creating an inode below `root` clears (the
/// umask), or `None` if the modes new inodes get there cannot be told in
/// advance: the umask is unknown (no `/proc`), or `root` is not empty (what
/// is already there could have any mode), is setgid (new directories would
/// inherit the bit) or has a default ACL (which replaces the umask).
fn creation_mask(root: &File) -> Option<u32> {
    let status = std::fs::read_to_string("/proc/thread-self/status").ok()?;
    let umask = status
        .lines()
        .find_map(|l| l.strip_prefix("Umask:"))
        .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())?;
    let stat = nix::sys::stat::fstat(root).ok()?;
    if stat.st_mode & libc::S_ISGID != 0 {
        return None;
    }
    match root.get_xattr("system.posix_acl_default") {
        Ok(None) => {}
        Err(e) if e.raw_os_error() == Some(libc::EOPNOTSUPP) => {}
        _ => return None,
    }
    let mut listing = nix::dir::Dir::from_fd(nix::unistd::dup(root).ok()?).ok()?;
    let empty = listing
        .iter()
        .all(|entry| entry.is_ok_and(|e| matches!(e.file_name().to_bytes(), b"." | b"..")));
    empty.then_some(umask & 0o777)
}

/// The errors of a filesystem that cannot hold a whiteout device or the
/// opaque xattr.
fn refuses_format(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EPERM | libc::EOPNOTSUPP | libc::EINVAL)
    )
}

impl Unpacker {
    fn new(root: OwnedFd) -> Self {
        let root = Rc::new(File::from(root));
        Self {
            umask: creation_mask(&root),
            ancestors: Ancestors::new(&root),
            root,
            dirs: HashMap::new(),
            buf: vec![0; IO_BUF_SIZE],
            whiteout_files: false,
            opaque_files: false,
            records_owners: false,
            recorder: None,
            probe_first: false,
        }
    }

    /// Whether an inode created with permission bits `mode` (no setuid,
    /// setgid or sticky bit) is known to get exactly those.
    fn creates_exactly(&self, mode: u32) -> bool {
        self.umask.is_some_and(|umask| mode & umask == 0)
    }

    fn unpack_entry<R: Read>(&mut self, entry: &mut tar::Entry<'_, R>) -> Result<()> {
        let raw_path = entry.path_bytes().into_owned();
        let path = PathBuf::from(OsString::from_vec(raw_path.clone()));
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
            // Global PAX headers, volume labels and unknown types carry
            // nothing to create.
            return Ok(());
        }
        let clean = clean_path(&raw_path).map_err(|reason| UnpackError::InvalidPath {
            path: path.clone(),
            reason,
        })?;
        let (Some(parent_path), Some(name)) = (clean.parent(), clean.file_name()) else {
            // The layer root itself.
            return Ok(());
        };
        // Taken out while the entry is handled, which needs `self` too.
        let mut ancestors = std::mem::replace(&mut self.ancestors, Ancestors::new(&self.root));
        let result = match ancestors.open(parent_path, true) {
            Ok(parent) => {
                if let Some(marker) = layer::whiteout_name_kind(name) {
                    self.whiteout(parent.as_fd(), name, marker, &clean, &path)
                } else {
                    self.create(entry, kind, parent.as_fd(), name, &clean, &path)
                }
            }
            Err(e) => Err(e.into_unpack(&path)),
        };
        self.ancestors = ancestors;
        result
    }

    fn create<R: Read>(
        &mut self,
        entry: &mut tar::Entry<'_, R>,
        kind: tar::EntryType,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        clean: &Path,
        path: &Path,
    ) -> Result<()> {
        let header_err = |source| UnpackError::Header {
            path: path.to_path_buf(),
            source,
        };
        let pax = read_pax(entry).map_err(header_err)?;
        let header = entry.header();
        let mtime = match pax.mtime {
            Some(t) => t,
            None => {
                let secs = header.mtime().map_err(header_err)?;
                TimeSpec::new(i64::try_from(secs).unwrap_or(i64::MAX), 0)
            }
        };
        let meta = Meta {
            uid: header.uid().map_err(header_err)?,
            gid: header.gid().map_err(header_err)?,
            mode: header.mode().map_err(header_err)? & 0o7777,
            mtime,
        };

        match kind {
            tar::EntryType::Directory => self.directory(parent, name, clean, meta, &pax, path),
            // Pre-POSIX tars mark directories only by a trailing slash.
            tar::EntryType::Regular if entry.path_bytes().ends_with(b"/") => {
                self.directory(parent, name, clean, meta, &pax, path)
            }
            tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
                self.regular_file(entry, parent, name, clean, meta, &pax, path)
            }
            tar::EntryType::Symlink => {
                let target = link_target(entry, path)?;
                self.symlink(parent, name, clean, &target, meta, path)
            }
            tar::EntryType::Link => {
                let target = link_target(entry, path)?;
                self.hardlink(parent, name, clean, &target, path)
            }
            tar::EntryType::Char | tar::EntryType::Block => {
                let major = header.device_major().map_err(header_err)?.unwrap_or(0);
                let minor = header.device_minor().map_err(header_err)?.unwrap_or(0);
                let device = Device {
                    block: kind == tar::EntryType::Block,
                    major,
                    minor,
                };
                self.device(parent, name, clean, meta, device, &pax, path)
            }
            tar::EntryType::Fifo => self.fifo(parent, name, clean, meta, path),
            _ => Ok(()),
        }
    }

    /// Opens directory `dir` (clean, relative to the root) one component at
    /// a time, never following a symlink.
    fn walk(&self, dir: &Path, create: bool) -> Result<OwnedFd, WalkError> {
        walk::walk_dirs(self.root.as_fd(), dir, create)
    }

    /// In the fallback format, removes the whiteout file `.wh.NAME` that a
    /// new entry `name` undoes.
    fn remove_whiteout_file(
        &mut self,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        path: &Path,
    ) -> Result<()> {
        if !self.whiteout_files || layer::is_whiteout_name(name.as_bytes()) {
            return Ok(());
        }
        let wh = layer::whiteout_name(name);
        match unlinkat(parent, wh.as_os_str(), UnlinkatFlags::NoRemoveDir) {
            Ok(()) | Err(Errno::ENOENT) => Ok(()),
            Err(e) => Err(UnpackError::RemoveExisting {
                path: path.to_path_buf(),
                source: e.into(),
            }),
        }
    }

    /// Makes room for a new entry at `name`: removes whatever is there,
    /// except that an existing directory is kept if `keep_dir`. Returns
    /// whether a directory was kept.
    fn clear(
        &mut self,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        clean: &Path,
        keep_dir: bool,
        path: &Path,
    ) -> Result<bool> {
        let remove_err = |e: Errno| UnpackError::RemoveExisting {
            path: path.to_path_buf(),
            source: e.into(),
        };
        let stat = match fstatat(parent, name, AtFlags::AT_SYMLINK_NOFOLLOW) {
            Ok(stat) => stat,
            Err(Errno::ENOENT) => return Ok(false),
            Err(e) => return Err(remove_err(e)),
        };
        let is_dir = file_type(&stat) == SFlag::S_IFDIR;
        if is_dir && keep_dir {
            return Ok(true);
        }
        if let Some(r) = &self.recorder {
            r.borrow_mut().replacing(clean, is_dir);
        }
        if is_dir {
            remove_tree(parent, name).map_err(remove_err)?;
            self.dirs.retain(|dir, _| !dir.starts_with(clean));
        } else {
            unlinkat(parent, name, UnlinkatFlags::NoRemoveDir).map_err(remove_err)?;
        }
        Ok(false)
    }

    /// Creates the entry `name` with `make`, an `*at` call that never
    /// follows `name` and fails with EEXIST if anything is there. Only then
    /// is the old entry removed ([`Unpacker::clear`]) and `make` tried
    /// again: in a fresh layer directory nothing is there but what an
    /// earlier entry of the same name made, so probing first would cost a
    /// failed `newfstatat` for nearly every entry.
    fn create_at<T>(
        &mut self,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        clean: &Path,
        path: &Path,
        mut make: impl FnMut() -> nix::Result<T>,
        err: impl Fn(io::Error) -> UnpackError,
    ) -> Result<T> {
        self.remove_whiteout_file(parent, name, path)?;
        if self.probe_first {
            self.clear(parent, name, clean, false, path)?;
        }
        match make() {
            Err(Errno::EEXIST) => {}
            r => return r.map_err(|e| err(e.into())),
        }
        self.clear(parent, name, clean, false, path)?;
        make().map_err(|e| err(e.into()))
    }

    fn whiteout(
        &mut self,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        marker: WhiteoutName<'_>,
        clean: &Path,
        path: &Path,
    ) -> Result<()> {
        let hidden = match marker {
            WhiteoutName::Whiteout(hidden) => hidden,
            // AUFS metadata, meaningless here.
            WhiteoutName::Other => return Ok(()),
            WhiteoutName::Opaque => return self.opaque(parent, name, clean, path),
        };
        let target = clean.with_file_name(hidden);
        self.remove_whiteout_file(parent, hidden, path)?;
        self.clear(parent, hidden, &target, false, path)?;
        if !self.whiteout_files {
            match mknodat(parent, hidden, SFlag::S_IFCHR, Mode::empty(), 0) {
                Err(e) if refuses_format(&e.into()) => self.whiteout_files = true,
                r => {
                    return r.map_err(|e| UnpackError::Whiteout {
                        path: path.to_path_buf(),
                        source: e.into(),
                    });
                }
            }
        }
        self.whiteout_file(parent, name, clean, path)
    }

    /// Makes `parent` opaque for the marker entry `name`.
    fn opaque(
        &mut self,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        clean: &Path,
        path: &Path,
    ) -> Result<()> {
        // O_PATH descriptors cannot carry xattrs; "." of the parent is
        // the parent itself, not a link.
        let dir = openat(
            parent,
            ".",
            OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| UnpackError::Parent {
            path: path.to_path_buf(),
            component: clean.parent().unwrap_or(Path::new("")).to_path_buf(),
            source: e.into(),
        })?;
        if !self.opaque_files {
            match File::from(dir).set_xattr(OPAQUE_XATTR, OPAQUE_VALUE) {
                Err(e) if refuses_format(&e) => self.opaque_files = true,
                r => {
                    return r.map_err(|source| UnpackError::Xattr {
                        path: path.to_path_buf(),
                        name: OPAQUE_XATTR.into(),
                        source,
                    });
                }
            }
        }
        self.whiteout_file(parent, name, clean, path)
    }

    /// Keeps the whiteout entry `name` as the tar had it: an empty file.
    fn whiteout_file(
        &mut self,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        clean: &Path,
        path: &Path,
    ) -> Result<()> {
        self.new_file(parent, name, clean, 0o600, path, |source| {
            UnpackError::Whiteout {
                path: path.to_path_buf(),
                source,
            }
        })
        .map(drop)
    }

    fn directory(
        &mut self,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        clean: &Path,
        meta: Meta,
        pax: &PaxInfo,
        path: &Path,
    ) -> Result<()> {
        let create_err = |e: Errno| UnpackError::CreateDir {
            path: path.to_path_buf(),
            source: e.into(),
        };
        // Made with its final permission bits where mkdir can give them
        // (not setuid or setgid); the owner must always be able to add to
        // and delete the layer.
        let mode = (meta.mode | 0o700) & 0o1777;
        let mkdir = || mkdirat(parent, name, Mode::from_bits_truncate(mode));
        self.remove_whiteout_file(parent, name, path)?;
        if self.probe_first && self.clear(parent, name, clean, true, path)? {
            self.dirs.insert(
                clean.to_path_buf(),
                DirMeta {
                    meta,
                    made_with: None,
                },
            );
            return set_dir_xattrs(parent, name, pax, path);
        }
        let made = match mkdir() {
            Ok(()) => true,
            Err(Errno::EEXIST) => {
                // A directory already there is kept, with its contents.
                !self.clear(parent, name, clean, true, path)? && {
                    mkdir().map_err(create_err)?;
                    true
                }
            }
            Err(e) => return Err(create_err(e)),
        };
        let made_with = (made && self.creates_exactly(mode & 0o777)).then_some(mode);
        self.dirs
            .insert(clean.to_path_buf(), DirMeta { meta, made_with });
        set_dir_xattrs(parent, name, pax, path)
    }

    #[allow(clippy::too_many_arguments)]
    fn regular_file<R: Read>(
        &mut self,
        entry: &mut tar::Entry<'_, R>,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        clean: &Path,
        meta: Meta,
        pax: &PaxInfo,
        path: &Path,
    ) -> Result<()> {
        // The owner must always be able to rewrite and delete the layer.
        let disk_mode = meta.mode | 0o600;
        // Writing clears setuid and setgid, so those are set afterwards,
        // as is anything the umask would clear.
        let create_mode = disk_mode & 0o777;
        let file = self.new_file(parent, name, clean, create_mode, path, |source| {
            UnpackError::WriteFile {
                path: path.to_path_buf(),
                source,
            }
        })?;
        let expected = entry.size();
        if let Some(r) = &self.recorder
            && entry.header().entry_type() != tar::EntryType::GNUSparse
        {
            r.borrow_mut()
                .file_content(entry.raw_file_position(), expected, clean);
        }
        let sparse = entry.header().entry_type() == tar::EntryType::GNUSparse;
        let actual = self.copy_data(entry, &file, sparse, path)?;
        // The tar reader ends an entry early, without an error, when the
        // stream does.
        if actual != expected {
            return Err(UnpackError::Truncated {
                path: path.to_path_buf(),
                expected,
                actual,
            });
        }
        let exact = create_mode == disk_mode && self.creates_exactly(create_mode);
        self.records_owners |= finish_file(&file, meta, disk_mode, !exact, None, pax, path)?;
        Ok(())
    }

    /// Creates the regular file `name` with permission bits `mode` (to
    /// which the umask applies) and opens it for writing.
    fn new_file(
        &mut self,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        clean: &Path,
        mode: u32,
        path: &Path,
        err: impl Fn(io::Error) -> UnpackError,
    ) -> Result<File> {
        let fd = self.create_at(
            parent,
            name,
            clean,
            path,
            || {
                openat(
                    parent,
                    name,
                    OFlag::O_WRONLY
                        | OFlag::O_CREAT
                        | OFlag::O_EXCL
                        | OFlag::O_NOFOLLOW
                        | OFlag::O_CLOEXEC,
                    Mode::from_bits_truncate(mode),
                )
            },
            err,
        )?;
        Ok(File::from(fd))
    }

    /// Copies an entry's data, telling stream errors from disk errors.
    ///
    /// A GNU sparse entry's holes are left as holes (as `tar` and Docker
    /// do): its header alone gives its size, so without this a layer of a
    /// few blocks could make the unpacker write gigabytes of zeros to disk
    /// (issue 18: a 1.5 KiB layer wrote 1 GiB).
    fn copy_data(
        &mut self,
        data: &mut impl Read,
        mut file: &File,
        sparse: bool,
        path: &Path,
    ) -> Result<u64> {
        let write_err = |source| UnpackError::WriteFile {
            path: path.to_path_buf(),
            source,
        };
        let mut written = 0u64;
        let mut hole = false;
        loop {
            let n = match data.read(&mut self.buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(source) => {
                    return Err(UnpackError::ReadData {
                        path: path.to_path_buf(),
                        source,
                    });
                }
            };
            let chunk = &self.buf[..n];
            if sparse && chunk.iter().all(|&b| b == 0) {
                file.seek(SeekFrom::Current(n as i64)).map_err(write_err)?;
                hole = true;
            } else {
                file.write_all(chunk).map_err(write_err)?;
                hole = false;
            }
            written += n as u64;
        }
        // A file ending in a hole gets its length from the size alone.
        if hole {
            file.set_len(written).map_err(write_err)?;
        }
        Ok(written)
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
        self.create_at(
            parent,
            name,
            clean,
            path,
            || symlinkat(target, parent, name),
            |source| UnpackError::Symlink {
                path: path.to_path_buf(),
                source,
            },
        )?;
        // Symlinks cannot carry user xattrs, so their owner is not recorded.
        set_times_at(parent, name, meta.mtime, path)
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
        let bad_target = |reason| UnpackError::BadHardlinkTarget {
            path: path.to_path_buf(),
            target: target_path.clone(),
            reason,
        };
        let target_clean = clean_path(target.as_bytes()).map_err(bad_target)?;
        if target_clean == clean {
            return Ok(());
        }
        let (Some(target_parent), Some(target_name)) =
            (target_clean.parent(), target_clean.file_name())
        else {
            return Err(bad_target("is the layer root"));
        };
        // Most links are to a sibling, whose directory is open already.
        let walked;
        let target_dir = if Some(target_parent) == clean.parent() {
            parent
        } else {
            walked = match self.walk(target_parent, false) {
                Ok(fd) => fd,
                Err(WalkError {
                    kind: WalkErrorKind::Missing,
                    ..
                }) => return Err(bad_target("does not exist in this layer")),
                Err(e) => return Err(e.into_unpack(path)),
            };
            walked.as_fd()
        };
        let link_err = |source| UnpackError::Hardlink {
            path: path.to_path_buf(),
            target: target_path.clone(),
            source,
        };
        // No AT_SYMLINK_FOLLOW: a link to a symlink links the symlink itself.
        let linked = self.create_at(
            parent,
            name,
            clean,
            path,
            || linkat(target_dir, target_name, parent, name, AtFlags::empty()),
            link_err,
        );
        let Err(err) = linked else {
            return Ok(());
        };
        // Say why, where it is the target's fault.
        match fstatat(target_dir, target_name, AtFlags::AT_SYMLINK_NOFOLLOW) {
            Ok(stat) if file_type(&stat) == SFlag::S_IFDIR => Err(bad_target("is a directory")),
            Err(Errno::ENOENT) => Err(bad_target("does not exist in this layer")),
            _ => Err(err),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn device(
        &mut self,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        clean: &Path,
        meta: Meta,
        device: Device,
        pax: &PaxInfo,
        path: &Path,
    ) -> Result<()> {
        let file = self.new_file(parent, name, clean, 0o600, path, |source| {
            UnpackError::Device {
                path: path.to_path_buf(),
                source,
            }
        })?;
        let exact = self.creates_exactly(0o600);
        self.records_owners |= finish_file(&file, meta, 0o600, !exact, Some(device), pax, path)?;
        Ok(())
    }

    fn fifo(
        &mut self,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        clean: &Path,
        meta: Meta,
        path: &Path,
    ) -> Result<()> {
        let fifo_err = |source| UnpackError::Fifo {
            path: path.to_path_buf(),
            source,
        };
        // Made with its mode where that comes out exact; else readable by
        // its owner, to be opened and given its mode below.
        let exact = meta.mode & 0o7000 == 0 && self.creates_exactly(meta.mode);
        let create_mode = if exact { meta.mode } else { 0o600 };
        self.create_at(
            parent,
            name,
            clean,
            path,
            || mkfifoat(parent, name, Mode::from_bits_truncate(create_mode)),
            fifo_err,
        )?;
        // Fifos cannot carry user xattrs, so their owner is not recorded.
        if exact {
            return set_times_at(parent, name, meta.mtime, path);
        }
        // A non-blocking read-only open of a fifo returns at once, and gives
        // a descriptor to set the exact mode (no umask) and mtime through.
        let fd = openat(
            parent,
            name,
            OFlag::O_RDONLY | OFlag::O_NONBLOCK | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| fifo_err(e.into()))?;
        set_mode(&fd, meta.mode, path)?;
        set_times(&fd, meta.mtime, path)
    }

    /// Applies the deferred directory attributes.
    /// Returns whether the layer records any owner or mode.
    fn finish(mut self) -> Result<bool> {
        let mut records_owners = self.records_owners;
        // In path order, so that each directory's parent is open already
        // or nearly.
        let mut dirs: Vec<(PathBuf, DirMeta)> = self.dirs.drain().collect();
        dirs.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
        for (dir, DirMeta { meta, made_with }) in dirs {
            let path = Path::new("/").join(&dir);
            let (Some(parent_path), Some(name)) = (dir.parent(), dir.file_name()) else {
                continue;
            };
            // A directory that a later entry replaced by something else is
            // not in `dirs` any more; one that vanished with its parent
            // has no attributes left to apply.
            let parent = match self.ancestors.open(parent_path, false) {
                Ok(fd) => fd,
                Err(WalkError {
                    kind: WalkErrorKind::Io(e),
                    component,
                }) => {
                    return Err(UnpackError::Parent {
                        path,
                        component,
                        source: e.into(),
                    });
                }
                Err(_) => continue,
            };
            let disk_mode = meta.mode | 0o700;
            let record = meta.override_stat(disk_mode);
            if record.is_none() && made_with == Some(disk_mode) {
                // Nothing to set but the times: no need to open it.
                match utimensat(
                    &parent,
                    name,
                    &meta.mtime,
                    &meta.mtime,
                    UtimensatFlags::NoFollowSymlink,
                ) {
                    Err(Errno::ENOENT) => continue,
                    r => {
                        r.map_err(|e| UnpackError::Times {
                            path: path.clone(),
                            source: e.into(),
                        })?;
                        continue;
                    }
                }
            }
            let fd = match openat(
                &parent,
                name,
                OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
                Mode::empty(),
            ) {
                Ok(fd) => fd,
                Err(Errno::ENOENT | Errno::ENOTDIR | Errno::ELOOP) => continue,
                Err(e) => {
                    return Err(UnpackError::CreateDir {
                        path,
                        source: e.into(),
                    });
                }
            };
            let dir = File::from(fd);
            if let Some(record) = record {
                set_xattr(
                    &dir,
                    OVERRIDE_STAT_XATTR,
                    record.to_string().as_bytes(),
                    &path,
                )?;
                records_owners = true;
            }
            if made_with != Some(disk_mode) {
                set_mode(&dir, disk_mode, &path)?;
            }
            set_times(&dir, meta.mtime, &path)?;
        }
        Ok(records_owners)
    }
}

/// Resolves a tar name lexically inside the layer: leading `/` and `.`
/// components vanish and `..` cannot climb above the root.
fn clean_path(raw: &[u8]) -> Result<PathBuf, &'static str> {
    if raw.contains(&0) {
        return Err("contains a NUL byte");
    }
    let mut clean = PathBuf::new();
    for part in raw.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                clean.pop();
            }
            part => clean.push(OsStr::from_bytes(part)),
        }
    }
    if clean.as_os_str().len() > MAX_PATH_LEN {
        return Err("longer than PATH_MAX");
    }
    Ok(clean)
}

fn link_target<R: Read>(entry: &tar::Entry<'_, R>, path: &Path) -> Result<OsString> {
    walk::link_target(entry).map_err(|reason| UnpackError::InvalidPath {
        path: path.to_path_buf(),
        reason,
    })
}

fn read_pax<R: Read>(entry: &mut tar::Entry<'_, R>) -> io::Result<PaxInfo> {
    let mut info = PaxInfo::default();
    let Some(extensions) = entry.pax_extensions()? else {
        return Ok(info);
    };
    for extension in extensions {
        let extension = extension?;
        let key = extension.key_bytes();
        if key == b"mtime" {
            info.mtime = parse_pax_time(extension.value_bytes());
        } else if let Some(name) = key.strip_prefix(b"SCHILY.xattr.")
            && layer::is_content_xattr(name)
        {
            info.xattrs.push((
                OsStr::from_bytes(name).to_os_string(),
                extension.value_bytes().to_vec(),
            ));
        }
    }
    Ok(info)
}

/// Parses a PAX time, `[-]seconds[.fraction]`.
fn parse_pax_time(value: &[u8]) -> Option<TimeSpec> {
    let value = std::str::from_utf8(value).ok()?;
    let (secs, frac) = value.split_once('.').unwrap_or((value, ""));
    let negative = secs.starts_with('-');
    let secs: i64 = secs.parse().ok()?;
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = &frac[..frac.len().min(9)];
    let mut nanos: i64 = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    nanos *= 10i64.pow(9 - digits.len() as u32);
    if negative && nanos > 0 {
        return Some(TimeSpec::new(secs.checked_sub(1)?, 1_000_000_000 - nanos));
    }
    Some(TimeSpec::new(secs, nanos))
}

/// Sets the xattrs, mode (if `chmod`: creating it did not give it
/// `disk_mode`) and mtime of a regular file just written or a device
/// placeholder, in that order so nothing bumps the mtime afterwards.
/// Returns whether it recorded an owner or mode.
fn finish_file(
    file: &File,
    meta: Meta,
    disk_mode: u32,
    chmod: bool,
    device: Option<Device>,
    pax: &PaxInfo,
    path: &Path,
) -> Result<bool> {
    set_xattrs(file, &pax.xattrs, path)?;
    let override_stat = match device {
        Some(device) => Some(meta.record().with_device(device)),
        None => meta.override_stat(disk_mode),
    };
    let records = override_stat.is_some();
    if let Some(record) = override_stat {
        set_xattr(
            file,
            OVERRIDE_STAT_XATTR,
            record.to_string().as_bytes(),
            path,
        )?;
    }
    if chmod {
        set_mode(file, disk_mode, path)?;
    }
    set_times(file, meta.mtime, path)?;
    Ok(records)
}

fn set_mode(fd: impl AsFd, mode: u32, path: &Path) -> Result<()> {
    fchmod(fd.as_fd(), Mode::from_bits_truncate(mode)).map_err(|e| UnpackError::Chmod {
        path: path.to_path_buf(),
        source: e.into(),
    })
}

fn set_times(fd: impl AsFd, mtime: TimeSpec, path: &Path) -> Result<()> {
    futimens(fd.as_fd(), &mtime, &mtime).map_err(|e| UnpackError::Times {
        path: path.to_path_buf(),
        source: e.into(),
    })
}

/// Sets the times of the entry `name` just made in `parent`, without
/// following it: for symlinks and fifos, which are not opened.
fn set_times_at(parent: BorrowedFd<'_>, name: &OsStr, mtime: TimeSpec, path: &Path) -> Result<()> {
    utimensat(
        parent,
        name,
        &mtime,
        &mtime,
        UtimensatFlags::NoFollowSymlink,
    )
    .map_err(|e| UnpackError::Times {
        path: path.to_path_buf(),
        source: e.into(),
    })
}

/// Sets the PAX header's xattrs on the directory `name` just made or kept.
fn set_dir_xattrs(parent: BorrowedFd<'_>, name: &OsStr, pax: &PaxInfo, path: &Path) -> Result<()> {
    if pax.xattrs.is_empty() {
        return Ok(());
    }
    let dir = openat(
        parent,
        name,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| UnpackError::CreateDir {
        path: path.to_path_buf(),
        source: e.into(),
    })?;
    set_xattrs(&File::from(dir), &pax.xattrs, path)
}

fn set_xattrs(file: &File, xattrs: &[(OsString, Vec<u8>)], path: &Path) -> Result<()> {
    xattrs
        .iter()
        .try_for_each(|(name, value)| set_xattr(file, name, value, path))
}

fn set_xattr(file: &File, name: impl AsRef<OsStr>, value: &[u8], path: &Path) -> Result<()> {
    let name = name.as_ref();
    file.set_xattr(name, value)
        .map_err(|source| UnpackError::Xattr {
            path: path.to_path_buf(),
            name: name.to_string_lossy().into_owned(),
            source,
        })
}

#[cfg(test)]
mod fuzz_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::fs;
    use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
    use tar::{EntryType, Header};

    /// Builds tar streams, writing names raw so hostile ones survive.
    use super::super::testtar::{MTIME, Spec, Tar};

    /// `dest` to unpack into and a sibling `outside` holding a secret, which
    /// no hostile entry may touch.
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

        fn unpack(&self, tar: &[u8]) -> Result<UnpackStats> {
            unpack_layer(tar, &self.dest())
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
                    state.insert(
                        path.clone(),
                        (
                            meta.mode(),
                            meta.nlink(),
                            meta.size(),
                            meta.mtime(),
                            content,
                        ),
                    );
                    if meta.is_dir() {
                        stack.push(path);
                    }
                }
            }
            state
        }

        /// Unpacks a hostile stream and checks nothing outside `dest` moved.
        fn unpack_hostile(&self, tar: &[u8]) -> Result<UnpackStats> {
            let before = self.outside_state();
            let result = self.unpack(tar);
            assert_eq!(before, self.outside_state(), "outside of dest changed");
            result
        }
    }

    fn xattr_of(path: impl AsRef<Path>, name: &str) -> Option<String> {
        xattr::get(path, name)
            .unwrap()
            .map(|v| String::from_utf8(v).unwrap())
    }

    fn mode_of(path: impl AsRef<Path>) -> u32 {
        fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
    }

    fn sha256(data: &[u8]) -> String {
        format!("sha256:{}", hex::encode(Sha256::digest(data)))
    }

    #[test]
    fn unpacks_plain_entries() {
        let sandbox = Sandbox::new();
        let tar = Tar::new()
            .dir("etc/")
            .file("etc/hosts", b"127.0.0.1 localhost\n")
            .symlink("etc/localtime", "/usr/share/zoneinfo/UTC")
            .hardlink("etc/hosts.bak", "etc/hosts")
            .file("usr/bin/tool", b"#!/bin/sh\n")
            .add(Spec::new(EntryType::Fifo, "run/pipe"))
            .finish();
        assert!(!sandbox.unpack(&tar).unwrap().records_owners);
        let dest = sandbox.dest();

        assert_eq!(
            fs::read(dest.join("etc/hosts")).unwrap(),
            b"127.0.0.1 localhost\n"
        );
        assert_eq!(
            fs::read_link(dest.join("etc/localtime")).unwrap(),
            Path::new("/usr/share/zoneinfo/UTC")
        );
        let hosts = fs::metadata(dest.join("etc/hosts")).unwrap();
        let backup = fs::metadata(dest.join("etc/hosts.bak")).unwrap();
        assert_eq!((hosts.ino(), hosts.nlink()), (backup.ino(), 2));
        assert_eq!(hosts.mtime(), MTIME as i64);
        assert_eq!(mode_of(dest.join("etc/hosts")), 0o644);
        assert_eq!(xattr_of(dest.join("etc/hosts"), OVERRIDE_STAT_XATTR), None);
        let link = fs::symlink_metadata(dest.join("etc/localtime")).unwrap();
        assert_eq!(link.mtime(), MTIME as i64);
        assert_eq!(mode_of(dest.join("usr")), 0o755, "implicit parent");
        assert_eq!(
            fs::metadata(dest.join("etc")).unwrap().mtime(),
            MTIME as i64
        );
        let pipe = fs::symlink_metadata(dest.join("run/pipe")).unwrap();
        assert!(pipe.file_type().is_fifo());
        assert_eq!(mode_of(dest.join("run/pipe")), 0o644);
    }

    /// Issue 19: entries are created with their final modes where the
    /// umask lets them be, and changed afterwards where it does not or
    /// where writing would clear the bits (setuid, setgid); either way the
    /// result is the tar's modes and times.
    #[test]
    fn modes_and_times_are_exact() {
        let sandbox = Sandbox::new();
        let file_modes = [
            0o000, 0o400, 0o644, 0o664, 0o666, 0o755, 0o777, 0o4755, 0o2755, 0o6755, 0o1644,
        ];
        let dir_modes = [
            0o000, 0o555, 0o700, 0o755, 0o775, 0o777, 0o1755, 0o1777, 0o2775, 0o4755,
        ];
        let fifo_modes = [0o000, 0o200, 0o600, 0o644, 0o666, 0o777, 0o1666, 0o4000];
        let names: Vec<_> = (0..file_modes.len().max(dir_modes.len()))
            .map(|i| (format!("f{i}"), format!("d{i}/"), format!("p{i}")))
            .collect();
        let mut tar = Tar::new();
        for (i, mode) in file_modes.iter().enumerate() {
            tar.add(Spec {
                mode: *mode,
                data: b"#!/bin/sh\n",
                ..Spec::new(EntryType::Regular, &names[i].0)
            });
        }
        for (i, mode) in dir_modes.iter().enumerate() {
            tar.add(Spec {
                mode: *mode,
                ..Spec::new(EntryType::Directory, &names[i].1)
            });
            // Something inside, made before the directory gets its mode.
            tar.file(&format!("{}inner", names[i].1), b"x");
        }
        for (i, mode) in fifo_modes.iter().enumerate() {
            tar.add(Spec {
                mode: *mode,
                ..Spec::new(EntryType::Fifo, &names[i].2)
            });
        }
        tar.symlink("link", "f0");
        sandbox.unpack(&tar.finish()).unwrap();
        let dest = sandbox.dest();

        let check = |name: &str, disk: u32, mode: u32| {
            let path = dest.join(name);
            assert_eq!(mode_of(&path), disk, "{name}: {mode:o}");
            let meta = fs::symlink_metadata(&path).unwrap();
            assert_eq!(
                (meta.mtime(), meta.mtime_nsec()),
                (MTIME as i64, 0),
                "{name}"
            );
        };
        for (i, mode) in file_modes.iter().enumerate() {
            let disk = mode | 0o600;
            check(&names[i].0, disk, *mode);
            let record = xattr_of(dest.join(&names[i].0), OVERRIDE_STAT_XATTR);
            let want = (disk != *mode).then(|| format!("0:0:0{mode:o}"));
            assert_eq!(record, want, "{}", names[i].0);
            assert_eq!(fs::read(dest.join(&names[i].0)).unwrap(), b"#!/bin/sh\n");
        }
        for (i, mode) in dir_modes.iter().enumerate() {
            check(&names[i].1, mode | 0o700, *mode);
        }
        for (i, mode) in fifo_modes.iter().enumerate() {
            check(&names[i].2, *mode, *mode);
        }
        check("link", 0o777, 0o777);
    }

    /// Issue 19: entries are created without looking first, so every kind
    /// of collision goes through the retry after EEXIST.
    #[test]
    fn collisions_replace_what_was_there() {
        let sandbox = Sandbox::new();
        let tar = Tar::new()
            .file("n", b"a file first")
            .dir("n/")
            .file("n/inner", b"then a directory")
            .dir("m/")
            .file("m/inner", b"a directory first")
            .file("m", b"then a file")
            .file("h", b"old")
            .hardlink("h2", "h")
            .file("h", b"new")
            .add(Spec::new(EntryType::Fifo, "p"))
            .file("p", b"")
            .symlink("l", "n")
            .symlink("l", "m")
            .hardlink("l2", "l")
            .add(Spec {
                mode: 0o700,
                ..Spec::new(EntryType::Directory, "n/")
            })
            .finish();
        sandbox.unpack_hostile(&tar).unwrap();
        let dest = sandbox.dest();

        assert_eq!(fs::read(dest.join("n/inner")).unwrap(), b"then a directory");
        assert_eq!(mode_of(dest.join("n")), 0o700);
        assert_eq!(fs::read(dest.join("m")).unwrap(), b"then a file");
        // The link keeps the inode it was made to.
        assert_eq!(fs::read(dest.join("h2")).unwrap(), b"old");
        assert_eq!(fs::read(dest.join("h")).unwrap(), b"new");
        assert_eq!(fs::metadata(dest.join("h")).unwrap().nlink(), 1);
        assert!(fs::symlink_metadata(dest.join("p")).unwrap().is_file());
        assert_eq!(fs::read_link(dest.join("l")).unwrap(), Path::new("m"));
        assert_eq!(fs::read_link(dest.join("l2")).unwrap(), Path::new("m"));
    }

    /// The unpacker is given an empty directory, but one that is not
    /// (so that it cannot tell the modes new entries get) is unpacked into
    /// the same way, and what is there is replaced, never written through.
    #[test]
    fn unpacks_into_a_directory_that_is_not_empty() {
        let sandbox = Sandbox::new();
        let dest = sandbox.dest();
        fs::write(dest.join("f"), b"before").unwrap();
        fs::create_dir(dest.join("d")).unwrap();
        fs::set_permissions(dest.join("d"), fs::Permissions::from_mode(0o700)).unwrap();
        std::os::unix::fs::symlink(sandbox.outside().join("secret"), dest.join("s")).unwrap();
        let tar = Tar::new()
            .file("f", b"after")
            .dir("d/")
            .file("d/x", b"x")
            .file("s", b"not through the link")
            .add(Spec {
                mode: 0o777,
                ..Spec::new(EntryType::Directory, "e/")
            })
            .finish();
        sandbox.unpack_hostile(&tar).unwrap();

        assert_eq!(fs::read(dest.join("f")).unwrap(), b"after");
        assert_eq!(mode_of(dest.join("d")), 0o755);
        assert_eq!(fs::read(dest.join("d/x")).unwrap(), b"x");
        assert!(fs::symlink_metadata(dest.join("s")).unwrap().is_file());
        assert_eq!(mode_of(dest.join("e")), 0o777);
    }

    /// Deeper than the unpacker keeps directories open, entries still go
    /// where they belong, and directories there get their times.
    #[test]
    fn deep_paths() {
        let sandbox = Sandbox::new();
        let deep: String = (0..MAX_OPEN_DIRS + 10).map(|i| format!("d{i}/")).collect();
        let header = |kind, size| {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(kind);
            h.set_mode(0o755);
            h.set_uid(0);
            h.set_gid(0);
            h.set_mtime(MTIME);
            h.set_size(size);
            h
        };
        let mut tar = Tar::new();
        let mut dir = String::new();
        for part in deep.split_inclusive('/') {
            dir.push_str(part);
            let mut h = header(EntryType::Directory, 0);
            tar.0.append_data(&mut h, &dir, &[][..]).unwrap();
            let mut h = header(EntryType::Regular, 1);
            tar.0
                .append_data(&mut h, format!("{dir}f"), &b"f"[..])
                .unwrap();
        }
        // Back up to a shallow directory and down again.
        let mut h = header(EntryType::Regular, 1);
        tar.0.append_data(&mut h, "d0/g", &b"g"[..]).unwrap();
        tar.0
            .append_data(&mut h, format!("{deep}g"), &b"g"[..])
            .unwrap();
        sandbox.unpack(&tar.finish()).unwrap();
        let dest = sandbox.dest();

        let mut dir = dest.clone();
        for part in deep.split('/').filter(|p| !p.is_empty()) {
            dir.push(part);
            assert_eq!(fs::read(dir.join("f")).unwrap(), b"f");
        }
        assert_eq!(fs::read(dir.join("g")).unwrap(), b"g");
        assert_eq!(fs::read(dest.join("d0/g")).unwrap(), b"g");
        assert_eq!(fs::metadata(&dir).unwrap().mtime(), MTIME as i64);
    }

    #[test]
    fn detects_compression_and_hashes_uncompressed_stream() {
        let mut tar = Tar::new().file("a", b"hello").finish();
        // Padding after the end-of-archive blocks belongs to the diff ID.
        tar.extend_from_slice(&[0; 4096]);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        let gz = gz.finish().unwrap();
        let zst = zstd::encode_all(&tar[..], 3).unwrap();

        for (label, stream) in [("plain", &tar), ("gzip", &gz), ("zstd", &zst)] {
            let sandbox = Sandbox::new();
            let stats = sandbox.unpack(stream).unwrap();
            assert_eq!(stats.diff_id, sha256(&tar), "{label}");
            assert_eq!(stats.size, tar.len() as u64, "{label}");
            assert_eq!(fs::read(sandbox.dest().join("a")).unwrap(), b"hello");
        }
    }

    #[test]
    fn empty_stream_is_an_empty_layer() {
        let sandbox = Sandbox::new();
        let stats = sandbox.unpack(&[]).unwrap();
        assert_eq!((stats.diff_id, stats.size), (sha256(b""), 0));
    }

    #[test]
    fn long_names_and_pax_attributes() {
        let long_dir = "d".repeat(120);
        let long_name = format!("{long_dir}/{}", "f".repeat(150));
        let long_target = format!("/{}", "t".repeat(200));
        let mut builder = tar::Builder::new(Vec::new());
        let gnu_header = || {
            let mut header = Header::new_gnu();
            header.set_mode(0o644);
            header.set_uid(0);
            header.set_gid(0);
            header.set_mtime(MTIME);
            header.set_size(0);
            header
        };
        let mut header = gnu_header();
        header.set_size(3);
        builder
            .append_data(&mut header, &long_name, &b"abc"[..])
            .unwrap();
        let mut header = gnu_header();
        header.set_entry_type(EntryType::Symlink);
        builder
            .append_link(&mut header, "link", &long_target)
            .unwrap();
        let mut tar = Tar(builder);
        tar.pax(&[
            ("SCHILY.xattr.user.note", b"kept"),
            ("SCHILY.xattr.user.overlay.redirect", b"/etc"),
            ("SCHILY.xattr.user.containers.override_stat", b"0:0:04755"),
            ("SCHILY.xattr.security.capability", b"\x01"),
            ("mtime", b"1234.5"),
            ("uid", b"3000000"),
        ])
        .file("attrs", b"x");
        let sandbox = Sandbox::new();
        sandbox.unpack(&tar.finish()).unwrap();
        let dest = sandbox.dest();

        assert_eq!(fs::read(dest.join(&long_name)).unwrap(), b"abc");
        assert_eq!(
            fs::read_link(dest.join("link")).unwrap(),
            Path::new(&long_target)
        );
        let attrs = dest.join("attrs");
        assert_eq!(xattr_of(&attrs, "user.note").as_deref(), Some("kept"));
        assert_eq!(xattr_of(&attrs, "user.overlay.redirect"), None);
        assert_eq!(
            xattr_of(&attrs, OVERRIDE_STAT_XATTR).as_deref(),
            Some("3000000:0:0644")
        );
        let meta = fs::metadata(&attrs).unwrap();
        assert_eq!((meta.mtime(), meta.mtime_nsec()), (1234, 500_000_000));
    }

    #[test]
    fn records_owner_and_lost_modes() {
        let sandbox = Sandbox::new();
        let tar = Tar::new()
            .add(Spec {
                uid: 33,
                data: b"www",
                ..Spec::new(EntryType::Regular, "var/www/index.html")
            })
            .add(Spec {
                mode: 0o000,
                ..Spec::new(EntryType::Regular, "etc/shadow")
            })
            .add(Spec {
                mode: 0o4755,
                ..Spec::new(EntryType::Regular, "bin/su")
            })
            .add(Spec {
                mode: 0o1777,
                ..Spec::new(EntryType::Directory, "tmp/")
            })
            .finish();
        assert!(sandbox.unpack(&tar).unwrap().records_owners);
        let dest = sandbox.dest();

        let www = dest.join("var/www/index.html");
        assert_eq!(
            xattr_of(&www, OVERRIDE_STAT_XATTR).as_deref(),
            Some("33:33:0644")
        );
        let shadow = dest.join("etc/shadow");
        assert_eq!(mode_of(&shadow), 0o600);
        assert_eq!(
            xattr_of(&shadow, OVERRIDE_STAT_XATTR).as_deref(),
            Some("0:0:00")
        );
        assert_eq!(mode_of(dest.join("bin/su")), 0o4755);
        assert_eq!(xattr_of(dest.join("bin/su"), OVERRIDE_STAT_XATTR), None);
        assert_eq!(mode_of(dest.join("tmp")), 0o1777);
        assert_eq!(xattr_of(dest.join("tmp"), OVERRIDE_STAT_XATTR), None);
    }

    #[test]
    fn read_only_dir_is_filled_then_locked() {
        let sandbox = Sandbox::new();
        let tar = Tar::new()
            .add(Spec {
                mode: 0o555,
                ..Spec::new(EntryType::Directory, "ro/")
            })
            .file("ro/a", b"a")
            .dir("ro/sub/")
            .file("ro/sub/b", b"b")
            .finish();
        sandbox.unpack(&tar).unwrap();
        let ro = sandbox.dest().join("ro");

        assert_eq!(fs::read(ro.join("sub/b")).unwrap(), b"b");
        assert_eq!(mode_of(&ro), 0o755);
        assert_eq!(
            xattr_of(&ro, OVERRIDE_STAT_XATTR).as_deref(),
            Some("0:0:0555")
        );
        assert_eq!(fs::metadata(&ro).unwrap().mtime(), MTIME as i64);
        assert_eq!(fs::metadata(ro.join("sub")).unwrap().mtime(), MTIME as i64);
    }

    #[test]
    fn device_becomes_placeholder() {
        let sandbox = Sandbox::new();
        let tar = Tar::new()
            .add(Spec {
                mode: 0o666,
                device: (1, 3),
                ..Spec::new(EntryType::Char, "dev/null")
            })
            .add(Spec {
                mode: 0o660,
                uid: 6,
                device: (8, 0),
                ..Spec::new(EntryType::Block, "dev/sda")
            })
            .finish();
        sandbox.unpack(&tar).unwrap();
        let dev = sandbox.dest().join("dev");

        let null = fs::symlink_metadata(dev.join("null")).unwrap();
        assert!(null.is_file());
        assert_eq!((null.len(), mode_of(dev.join("null"))), (0, 0o600));
        assert_eq!(
            xattr_of(dev.join("null"), OVERRIDE_STAT_XATTR).as_deref(),
            Some("0:0:0666:char-1-3")
        );
        assert_eq!(
            xattr_of(dev.join("sda"), OVERRIDE_STAT_XATTR).as_deref(),
            Some("6:6:0660:block-8-0")
        );
    }

    #[test]
    fn whiteouts_and_opaque_dirs() {
        let sandbox = Sandbox::new();
        let tar = Tar::new()
            .dir("a/")
            .file("a/b", b"gone")
            .file("a/.wh.b", b"")
            .file("a/c/d", b"gone too")
            .file("a/.wh.c", b"")
            .file("lower/.wh.file", b"")
            .file("opaque/.wh..wh..opq", b"")
            .file("x/.wh..wh.plnk", b"")
            .finish();
        sandbox.unpack(&tar).unwrap();
        let dest = sandbox.dest();

        for whiteout in ["a/b", "a/c", "lower/file"] {
            let meta = fs::symlink_metadata(dest.join(whiteout)).unwrap();
            assert!(meta.file_type().is_char_device(), "{whiteout}");
            assert_eq!(meta.rdev(), 0, "{whiteout}");
        }
        assert_eq!(
            xattr_of(dest.join("opaque"), OPAQUE_XATTR).as_deref(),
            Some("y")
        );
        assert_eq!(fs::read_dir(dest.join("opaque")).unwrap().count(), 0);
        assert_eq!(fs::read_dir(dest.join("x")).unwrap().count(), 0);
        assert!(!dest.join("a/.wh.b").exists());
    }

    #[test]
    fn whiteouts_and_opaque_dirs_in_the_fallback_format() {
        let sandbox = Sandbox::new();
        let tar = Tar::new()
            .dir("a/")
            .file("a/b", b"gone")
            .file("a/.wh.b", b"")
            .file("a/c/d", b"gone too")
            .file("a/.wh.c", b"")
            .file("a/.wh.back", b"")
            .file("a/back", b"later entries win")
            .file("lower/.wh.file", b"")
            .file("opaque/.wh..wh..opq", b"")
            .file("opaque/kept", b"")
            .file("x/.wh..wh.plnk", b"")
            .finish();
        let fallback = How {
            fallback: true,
            ..How::default()
        };
        unpack_layer_as(&tar[..], &sandbox.dest(), fallback, None).unwrap();
        let dest = sandbox.dest();
        let names = |d: &str| {
            let mut v: Vec<String> = fs::read_dir(dest.join(d))
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            v.sort();
            v
        };
        assert_eq!(names("a"), [".wh.b", ".wh.c", "back"]);
        for whiteout in ["a/.wh.b", "a/.wh.c", "lower/.wh.file"] {
            let meta = fs::symlink_metadata(dest.join(whiteout)).unwrap();
            assert!(meta.is_file() && meta.len() == 0, "{whiteout}");
        }
        assert_eq!(names("lower"), [".wh.file"]);
        assert_eq!(names("opaque"), [".wh..wh..opq", "kept"]);
        assert_eq!(xattr_of(dest.join("opaque"), OPAQUE_XATTR), None);
        assert_eq!(fs::read_dir(dest.join("x")).unwrap().count(), 0);
        assert_eq!(
            fs::read_to_string(dest.join("a/back")).unwrap(),
            "later entries win"
        );
    }

    #[test]
    fn later_entries_win() {
        let sandbox = Sandbox::new();
        let tar = Tar::new()
            .file("f", b"one")
            .file("f", b"two")
            .dir("d/")
            .file("d/kept", b"k")
            .add(Spec {
                mode: 0o700,
                ..Spec::new(EntryType::Directory, "d/")
            })
            .file("d2/inner", b"i")
            .file("d2", b"now a file")
            .symlink("s", "f")
            .file("s", b"no longer a link")
            .finish();
        sandbox.unpack(&tar).unwrap();
        let dest = sandbox.dest();

        assert_eq!(fs::read(dest.join("f")).unwrap(), b"two");
        assert_eq!(fs::read(dest.join("d/kept")).unwrap(), b"k");
        assert_eq!(mode_of(dest.join("d")), 0o700);
        assert_eq!(fs::read(dest.join("d2")).unwrap(), b"now a file");
        assert_eq!(fs::read(dest.join("f")).unwrap(), b"two");
        assert!(fs::symlink_metadata(dest.join("s")).unwrap().is_file());
    }

    #[test]
    fn dot_dot_and_absolute_names_stay_inside() {
        let sandbox = Sandbox::new();
        let tar = Tar::new()
            .file("../../escape", b"e")
            .file("/abs/path", b"p")
            .file("./a/../../outside/secret", b"overwritten?")
            .dir("./")
            .file("", b"")
            .finish();
        sandbox.unpack_hostile(&tar).unwrap();
        let dest = sandbox.dest();

        assert_eq!(fs::read(dest.join("escape")).unwrap(), b"e");
        assert_eq!(fs::read(dest.join("abs/path")).unwrap(), b"p");
        assert_eq!(
            fs::read(dest.join("outside/secret")).unwrap(),
            b"overwritten?"
        );
        assert!(!sandbox.base.path().join("escape").exists());
    }

    #[test]
    fn symlink_parents_are_never_followed() {
        let sandbox = Sandbox::new();
        let outside = sandbox.outside().to_str().unwrap().to_owned();
        let cases = [
            Tar::new()
                .symlink("evil", &outside)
                .file("evil/x", b"x")
                .finish(),
            Tar::new()
                .symlink("evil", "../..")
                .file("evil/x", b"x")
                .finish(),
            Tar::new()
                .symlink("evil", "../outside")
                .dir("evil/sub/")
                .finish(),
            Tar::new()
                .dir("d/")
                .file("d/f", b"f")
                .symlink("d", &outside)
                .file("d/x", b"x")
                .finish(),
        ];
        for tar in cases {
            let sandbox = Sandbox::new();
            let err = sandbox.unpack_hostile(&tar).unwrap_err();
            assert!(
                matches!(err, UnpackError::SymlinkInPath { .. }),
                "unexpected error: {err}"
            );
        }
    }

    #[test]
    fn existing_symlinks_are_replaced_not_written_through() {
        let sandbox = Sandbox::new();
        let secret = sandbox.outside().join("secret");
        let secret = secret.to_str().unwrap();
        let tar = Tar::new()
            .symlink("s1", secret)
            .file("s1", b"data")
            .symlink("s2", secret)
            .add(Spec {
                mode: 0o777,
                ..Spec::new(EntryType::Directory, "s2")
            })
            .symlink("s3", secret)
            .hardlink("h", "s3")
            .symlink("s4", "../outside/secret")
            .add(Spec::new(EntryType::Fifo, "s4"))
            .symlink("s5", secret)
            .add(Spec {
                device: (1, 3),
                ..Spec::new(EntryType::Char, "s5")
            })
            .symlink("s6", secret)
            .file(".wh.s6", b"")
            .finish();
        sandbox.unpack_hostile(&tar).unwrap();
        let dest = sandbox.dest();

        assert_eq!(fs::read(dest.join("s1")).unwrap(), b"data");
        assert!(fs::symlink_metadata(dest.join("s2")).unwrap().is_dir());
        assert!(fs::symlink_metadata(dest.join("h")).unwrap().is_symlink());
        assert!(
            fs::symlink_metadata(dest.join("s4"))
                .unwrap()
                .file_type()
                .is_fifo()
        );
        assert!(fs::symlink_metadata(dest.join("s5")).unwrap().is_file());
    }

    #[test]
    fn hardlinks_cannot_reach_outside() {
        let sandbox = Sandbox::new();
        let secret = sandbox.outside().join("secret");
        for target in [
            "../../outside/secret",
            "../outside/secret",
            secret.to_str().unwrap(),
            "/etc/passwd",
        ] {
            let tar = Tar::new().hardlink("h", target).finish();
            let sandbox = Sandbox::new();
            let err = sandbox.unpack_hostile(&tar).unwrap_err();
            assert!(
                matches!(err, UnpackError::BadHardlinkTarget { .. }),
                "{target}: unexpected error: {err}"
            );
            assert!(!sandbox.dest().join("h").exists());
        }

        let outside = sandbox.outside();
        let tar = Tar::new()
            .symlink("evil", outside.to_str().unwrap())
            .hardlink("h", "evil/secret")
            .finish();
        let err = sandbox.unpack_hostile(&tar).unwrap_err();
        assert!(matches!(err, UnpackError::SymlinkInPath { .. }), "{err}");

        let tar = Tar::new().dir("d/").hardlink("h", "d").finish();
        let err = Sandbox::new().unpack_hostile(&tar).unwrap_err();
        assert!(
            matches!(err, UnpackError::BadHardlinkTarget { .. }),
            "{err}"
        );
    }

    #[test]
    fn truncated_file_data_is_an_error() {
        let tar = Tar::new().file("big", &[7; 5000]).finish();
        let err = Sandbox::new().unpack(&tar[..512 + 3000]).unwrap_err();
        assert!(matches!(err, UnpackError::Truncated { .. }), "{err}");
    }

    #[test]
    fn errors_name_the_entry() {
        let tar = Tar::new()
            .symlink("evil", "/")
            .file("evil/etc/x", b"")
            .finish();
        let err = Sandbox::new().unpack(&tar).unwrap_err();
        assert_eq!(
            err.to_string(),
            "evil/etc/x: evil is a symlink, refusing to follow it"
        );
    }

    /// A tiny xorshift generator: enough to shake the parser without a
    /// dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
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
            .file("d/.wh.x", b"")
            .pax(&[("SCHILY.xattr.user.a", b"b"), ("mtime", b"-1.5")])
            .add(Spec {
                device: (1, 1),
                ..Spec::new(EntryType::Char, "c")
            })
            .finish();
        let gz = {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(&valid).unwrap();
            gz.finish().unwrap()
        };
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        for len in (0..valid.len()).step_by(97) {
            inputs.push(valid[..len].to_vec());
        }
        for len in (0..gz.len()).step_by(13) {
            inputs.push(gz[..len].to_vec());
        }
        for _ in 0..150 {
            let mut mutated = valid.clone();
            for _ in 0..1 + rng.below(8) {
                let at = rng.below(mutated.len());
                mutated[at] = rng.next() as u8;
            }
            inputs.push(mutated);
        }
        for _ in 0..50 {
            let len = rng.below(3000);
            let mut noise: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            if let Some(first) = noise.get_mut(..4) {
                match rng.below(3) {
                    0 => first.copy_from_slice(&[0x1f, 0x8b, 8, 0]),
                    1 => first.copy_from_slice(&[0x28, 0xb5, 0x2f, 0xfd]),
                    _ => {}
                }
            }
            inputs.push(noise);
        }
        for input in inputs {
            let dest = tempfile::tempdir_in(sandbox.dest()).unwrap();
            let _ = unpack_layer(&input[..], dest.path());
            // Dropping `dest` checks that whatever was left is removable.
        }
        assert_eq!(before, sandbox.outside_state());
    }

    #[test]
    fn clean_path_clamps_at_root() {
        let clean = |raw: &str| clean_path(raw.as_bytes()).unwrap();
        assert_eq!(clean("../../etc/passwd"), Path::new("etc/passwd"));
        assert_eq!(clean("/a//b/./c/"), Path::new("a/b/c"));
        assert_eq!(clean("a/../../b"), Path::new("b"));
        assert_eq!(clean("./"), Path::new(""));
        assert!(clean_path(b"a\0b").is_err());
        assert!(clean_path("x/".repeat(3000).as_bytes()).is_err());
    }

    #[test]
    fn pax_times() {
        let parse = |s: &str| parse_pax_time(s.as_bytes()).map(|t| (t.tv_sec(), t.tv_nsec()));
        assert_eq!(parse("12"), Some((12, 0)));
        assert_eq!(parse("12.000000001"), Some((12, 1)));
        assert_eq!(parse("12.1234567899"), Some((12, 123_456_789)));
        assert_eq!(parse("-1.5"), Some((-2, 500_000_000)));
        assert_eq!(parse("x"), None);
        assert_eq!(parse("1.x"), None);
    }
}
