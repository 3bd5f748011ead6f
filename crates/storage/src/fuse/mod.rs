//! rsp's own overlay filesystem, served through FUSE with `fuser`, for
//! where the kernel will not mount overlayfs in a user namespace.
//!
//! Contract: [`serve`] answers the kernel on a `/dev/fuse` descriptor that
//! the container has already mounted, presenting `layers` (lowest first)
//! under `upper` with the kernel overlay driver's on-disk format (see
//! `overlay.rs`, which holds every rule), so `commit` and `diff` read an
//! upper directory the same way whichever driver wrote it. The server runs
//! as the unprivileged owner of the layer files; its requests come from
//! the container's root and get everything root would. [`Server::join`]
//! returns once the kernel side is gone (unmounted, or its mount namespace
//! died), which is a normal end.
//!
//! Opens: the kernel sends no OPEN and no RELEASE (refused once, see
//! `open`); reads and writes come without a handle and go through the
//! node's own descriptor, a write copying the file up first.
//!
//! Caching: the kernel keeps entries (missing names too) and attributes
//! for an hour ([`TTL`]), file data across opens (`FOPEN_KEEP_CACHE`),
//! directory listings (what it does for a filesystem without OPENDIR,
//! which this one refuses, see `opendir`), symlink targets, and holds
//! writes in its page cache until written back (`FUSE_WRITEBACK_CACHE`).
//! That is coherent because the container is the only writer: layers
//! never change, and upper is written only by this server, for requests
//! that came through this mount while it is mounted (`rsp cp` into a
//! running container enters its mount namespace; the ownership
//! supervisor writes its records through the mount too). The kernel
//! updates or drops what it cached of every inode and name a request of
//! its own changes: writes land in the page cache that later opens read;
//! a copy-up keeps the node number, so the kernel inode and the data it
//! caches (the same bytes) carry over; create, unlink, rename, link,
//! mkdir and rmdir update the entries and drop the parent's cached
//! listing; setattr replies with the new attributes; setxattr and
//! removexattr drop them (an `override_stat` record changes the mode
//! shown). So nothing here ever has to invalidate the kernel's caches,
//! and anything that changed upper behind a mounted server would have
//! to. `fuse/tests.rs` (`issue19_*`) checks each case through a mount.
//!
//! This module only translates requests and replies; nothing here touches
//! the disk.

mod overlay;
#[cfg(test)]
mod tests;

use fuser::{
    AccessFlags, Config, Errno, FileAttr, FileHandle, Filesystem, FopenFlags, Generation, INodeNo,
    InitFlags, KernelConfig, LockOwner, OpenFlags, RenameFlags, ReplyAttr, ReplyCreate, ReplyData,
    ReplyDirectory, ReplyDirectoryPlus, ReplyEmpty, ReplyEntry, ReplyOpen, ReplyStatfs, ReplyWrite,
    ReplyXattr, Request, Session, SessionACL, TimeOrNow,
};
use overlay::{Overlay, Res};
use std::ffi::OsStr;
use std::fs::File;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

#[derive(Debug, thiserror::Error)]
pub enum FuseError {
    #[error("opening layer {path}: {source}")]
    Layer {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("opening the upper directory {path}: {source}")]
    Upper {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("opening the work directory {path}: {source}")]
    Work {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("reading the root of the upper directory {path}: {source}")]
    Root { path: PathBuf, source: nix::Error },
    #[error("answering the kernel's FUSE INIT (upper {path}): {source}")]
    Handshake {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("starting the FUSE server thread (upper {path}): {source}")]
    Spawn {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A running server; `join` waits until the kernel side is gone.
pub struct Server {
    thread: std::thread::JoinHandle<std::io::Result<()>>,
}

impl Server {
    pub fn join(self) -> std::io::Result<()> {
        match self.thread.join() {
            Ok(r) => r,
            Err(_) => Err(std::io::Error::other("the FUSE server thread panicked")),
        }
    }
}

/// Serves the overlay of `layers` (lowest first) with `upper` on top, on
/// the already mounted `/dev/fuse` descriptor `dev`.
///
/// Every entry is shown as owned by `owner`, the container's user and
/// group: the only ids its user namespace maps. The kernel shows any other
/// id as 65534 and, worse, refuses every write to an inode whose owner it
/// cannot map, so showing the recorded owners would make a `www-data` file
/// read-only even to the container's root. The recorded owners stay in
/// the xattrs, for `commit` and `export`; modes are shown as recorded.
pub fn serve(
    dev: OwnedFd,
    layers: Vec<PathBuf>,
    upper: PathBuf,
    work: PathBuf,
    owner: (u32, u32),
) -> Result<Server, FuseError> {
    let mut fs = OverlayFs::open(&layers, &upper, &work)?;
    fs.owner = Some(owner);
    let notifier = fs.notifier.clone();
    // Every directory the kernel holds keeps one descriptor per layer open.
    rsp_sys::net::raise_nofile_limit();
    let mut config = Config::default();
    config.n_threads = Some(THREADS);
    config.clone_fd = true;
    let session = Session::from_fd(fs, dev, SessionACL::All, config).map_err(|source| {
        FuseError::Handshake {
            path: upper.clone(),
            source,
        }
    })?;
    let _ = notifier.set(session.notifier());
    let thread = std::thread::Builder::new()
        .name("rsp-fuse".into())
        .spawn(move || match session.run() {
            Ok(()) => Ok(()),
            // The kernel side going away is how every session ends.
            Err(e) if matches!(e.raw_os_error(), Some(libc::ENODEV | libc::ENOTCONN)) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotConnected => Ok(()),
            Err(e) => Err(e),
        })
        .map_err(|source| FuseError::Spawn {
            path: upper.clone(),
            source,
        })?;
    Ok(Server { thread })
}

/// Event loop threads; requests block on disk I/O, so a few more than the
/// cores keep one slow read from stalling lookups.
const THREADS: usize = 4;

/// Nothing but this mount changes the tree, and the kernel drops what our
/// own replies invalidate, so entries and attributes can live long.
const TTL: Duration = Duration::from_secs(3600);

thread_local! {
    /// A server thread's read buffer (see `read`).
    static READ_BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn open_dir(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_CLOEXEC)
        .open(path)
}

pub(crate) struct OverlayFs {
    ov: Overlay,
    /// Who every entry is shown as owned by (see [`serve`]); `None` shows
    /// the recorded owners.
    owner: Option<(u32, u32)>,
    /// Tells the kernel to drop an inode's cached attributes after its
    /// owner record changed (see [`super::layer::FUSE_BLKSIZE_PLAIN`]):
    /// with the writeback cache it keeps change times itself and would
    /// not ask again. Set once the session exists.
    notifier: std::sync::Arc<std::sync::OnceLock<fuser::Notifier>>,
}

impl OverlayFs {
    /// After `name` changed on `ino`: if it is the owner record, the
    /// kernel's attributes (their `st_blksize` marker) are stale.
    fn record_changed(&self, ino: INodeNo, name: &OsStr) {
        if name == super::layer::OVERRIDE_STAT_XATTR
            && let Some(n) = self.notifier.get()
        {
            // An offset below zero drops the attributes only.
            let _ = n.inval_inode(ino, -1, 0);
        }
    }

    pub(crate) fn open(layers: &[PathBuf], upper: &Path, work: &Path) -> Result<Self, FuseError> {
        let layers = layers
            .iter()
            .map(|p| {
                open_dir(p).map_err(|source| FuseError::Layer {
                    path: p.clone(),
                    source,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let u = open_dir(upper).map_err(|source| FuseError::Upper {
            path: upper.to_path_buf(),
            source,
        })?;
        let w = open_dir(work).map_err(|source| FuseError::Work {
            path: work.to_path_buf(),
            source,
        })?;
        let ov = Overlay::new(layers, u, w).map_err(|source| FuseError::Root {
            path: upper.to_path_buf(),
            source,
        })?;
        Ok(OverlayFs {
            ov,
            owner: None,
            notifier: Default::default(),
        })
    }
}

/// The attributes of a negative entry: only its node id (0) matters.
fn negative_attr() -> FileAttr {
    FileAttr {
        ino: INodeNo(0),
        size: 0,
        blocks: 0,
        atime: SystemTime::UNIX_EPOCH,
        mtime: SystemTime::UNIX_EPOCH,
        ctime: SystemTime::UNIX_EPOCH,
        crtime: SystemTime::UNIX_EPOCH,
        kind: fuser::FileType::RegularFile,
        perm: 0,
        nlink: 0,
        uid: 0,
        gid: 0,
        rdev: 0,
        blksize: 0,
        flags: 0,
    }
}

fn errno(e: nix::Error) -> Errno {
    Errno::from_i32(e as i32)
}

fn entry(reply: ReplyEntry, r: Res<FileAttr>) {
    match r {
        Ok(a) => reply.entry(&TTL, &a, Generation(0)),
        Err(e) => reply.error(errno(e)),
    }
}

fn attr(reply: ReplyAttr, r: Res<FileAttr>) {
    match r {
        Ok(a) => reply.attr(&TTL, &a),
        Err(e) => reply.error(errno(e)),
    }
}

fn empty(reply: ReplyEmpty, r: Res<()>) {
    match r {
        Ok(()) => reply.ok(),
        Err(e) => reply.error(errno(e)),
    }
}

fn xattr_reply(reply: ReplyXattr, r: Res<Vec<u8>>, size: u32) {
    match r {
        Ok(v) if size == 0 => reply.size(v.len() as u32),
        Ok(v) if v.len() > size as usize => reply.error(Errno::from_i32(libc::ERANGE)),
        Ok(v) => reply.data(&v),
        Err(e) => reply.error(errno(e)),
    }
}

fn time_or_now(t: Option<TimeOrNow>) -> Option<Option<SystemTime>> {
    t.map(|t| match t {
        TimeOrNow::SpecificTime(t) => Some(t),
        TimeOrNow::Now => None,
    })
}

impl OverlayFs {
    fn show(&self, mut a: FileAttr) -> FileAttr {
        if let Some((uid, gid)) = self.owner {
            a.uid = uid;
            a.gid = gid;
        }
        a
    }

    fn shown(&self, r: Res<FileAttr>) -> Res<FileAttr> {
        r.map(|a| self.show(a))
    }
}

impl Filesystem for OverlayFs {
    fn init(&mut self, _req: &Request, config: &mut KernelConfig) -> std::io::Result<()> {
        let _ = config.set_max_write(1 << 20);
        let _ = config.set_max_readahead(1 << 20);
        // No FUSE_ATOMIC_O_TRUNC: with OPEN refused (see `open`), an
        // O_TRUNC reaches us only as the SETATTR the kernel then sends.
        for cap in [
            InitFlags::FUSE_PARALLEL_DIROPS,
            InitFlags::FUSE_CACHE_SYMLINKS,
            InitFlags::FUSE_MAX_PAGES,
            InitFlags::FUSE_DO_READDIRPLUS,
            // Without it the kernel asks for security.capability before
            // every write; the container's root may keep its own bits.
            InitFlags::FUSE_HANDLE_KILLPRIV_V2,
            // Small writes and their times stay in the page cache until
            // written back: one request per file instead of several.
            InitFlags::FUSE_WRITEBACK_CACHE,
        ] {
            let _ = config.add_capabilities(cap);
        }
        Ok(())
    }

    fn lookup(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        match self.ov.lookup(parent.0, name) {
            Ok(a) => reply.entry(&TTL, &self.show(a), Generation(0)),
            // A missing name is cached too (node id 0): a shell's PATH
            // search or tar's unlink-then-create asks again and again, and
            // only this mount can make the name appear.
            Err(nix::Error::ENOENT) => reply.entry(&TTL, &negative_attr(), Generation(0)),
            Err(e) => reply.error(errno(e)),
        }
    }

    fn forget(&self, _req: &Request, ino: INodeNo, nlookup: u64) {
        self.ov.forget(ino.0, nlookup);
    }

    fn getattr(&self, _req: &Request, ino: INodeNo, _fh: Option<FileHandle>, reply: ReplyAttr) {
        attr(reply, self.shown(self.ov.getattr(ino.0)));
    }

    fn setattr(
        &self,
        _req: &Request,
        ino: INodeNo,
        mode: Option<u32>,
        uid: Option<u32>,
        gid: Option<u32>,
        size: Option<u64>,
        atime: Option<TimeOrNow>,
        mtime: Option<TimeOrNow>,
        _ctime: Option<SystemTime>,
        _fh: Option<FileHandle>,
        _crtime: Option<SystemTime>,
        _chgtime: Option<SystemTime>,
        _bkuptime: Option<SystemTime>,
        _flags: Option<fuser::BsdFileFlags>,
        reply: ReplyAttr,
    ) {
        let r = self.ov.setattr(
            ino.0,
            mode,
            uid,
            gid,
            size,
            time_or_now(atime),
            time_or_now(mtime),
        );
        attr(reply, self.shown(r));
    }

    fn readlink(&self, _req: &Request, ino: INodeNo, reply: ReplyData) {
        use std::os::unix::ffi::OsStrExt;
        match self.ov.readlink(ino.0) {
            Ok(t) => reply.data(t.as_bytes()),
            Err(e) => reply.error(errno(e)),
        }
    }

    fn mknod(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        _umask: u32,
        rdev: u32,
        reply: ReplyEntry,
    ) {
        let owner = (req.uid(), req.gid());
        entry(
            reply,
            self.shown(self.ov.mknod(parent.0, name, mode, rdev, owner)),
        );
    }

    fn mkdir(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        _umask: u32,
        reply: ReplyEntry,
    ) {
        let owner = (req.uid(), req.gid());
        entry(
            reply,
            self.shown(self.ov.mkdir(parent.0, name, mode, owner)),
        );
    }

    fn unlink(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        empty(reply, self.ov.unlink(parent.0, name));
    }

    fn rmdir(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        empty(reply, self.ov.rmdir(parent.0, name));
    }

    fn symlink(
        &self,
        _req: &Request,
        parent: INodeNo,
        link_name: &OsStr,
        target: &Path,
        reply: ReplyEntry,
    ) {
        entry(
            reply,
            self.shown(self.ov.symlink(parent.0, link_name, target.as_os_str())),
        );
    }

    fn rename(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        newparent: INodeNo,
        newname: &OsStr,
        flags: RenameFlags,
        reply: ReplyEmpty,
    ) {
        let r = self
            .ov
            .rename(parent.0, name, newparent.0, newname, flags.bits());
        empty(reply, r);
    }

    fn link(
        &self,
        _req: &Request,
        ino: INodeNo,
        newparent: INodeNo,
        newname: &OsStr,
        reply: ReplyEntry,
    ) {
        entry(reply, self.shown(self.ov.link(ino.0, newparent.0, newname)));
    }

    /// Refused with ENOSYS, which tells the kernel to send no OPEN and no
    /// RELEASE for the rest of the mount (two round trips per file open;
    /// nor RELEASE for files made by CREATE, see `create`): reads and
    /// writes then come with handle 0 and go through the node's own
    /// descriptor ([`Overlay::node_file`]), a write copying the file up
    /// first, as an open for writing would. The kernel keeps file data
    /// across opens for such a mount (as `FOPEN_KEEP_CACHE` would), and
    /// truncates with a SETATTR (no `FUSE_ATOMIC_O_TRUNC`, see `init`).
    fn open(&self, _req: &Request, _ino: INodeNo, _flags: OpenFlags, reply: ReplyOpen) {
        reply.error(Errno::ENOSYS);
    }

    fn read(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        size: u32,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyData,
    ) {
        // One buffer per server thread, grown to the largest read: no
        // allocation, and no zeroing, per request.
        READ_BUF.with_borrow_mut(|buf| {
            let size = size as usize;
            if buf.len() < size {
                buf.resize(size, 0);
            }
            match self.ov.read_into(ino.0, offset, &mut buf[..size]) {
                Ok(n) => reply.data(&buf[..n]),
                Err(e) => reply.error(errno(e)),
            }
        });
    }

    fn write(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        data: &[u8],
        _write_flags: fuser::WriteFlags,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyWrite,
    ) {
        match self.ov.write(ino.0, offset, data) {
            Ok(n) => reply.written(n),
            Err(e) => reply.error(errno(e)),
        }
    }

    /// Never sent once OPEN is refused (see `open`); nothing to free.
    fn release(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        _flush: bool,
        reply: ReplyEmpty,
    ) {
        reply.ok();
    }

    fn fsync(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        datasync: bool,
        reply: ReplyEmpty,
    ) {
        empty(reply, self.ov.fsync(ino.0, datasync));
    }

    /// Refused with ENOSYS, which tells the kernel to send no OPENDIR and
    /// no RELEASEDIR for the rest of the mount (two round trips per
    /// directory read), and to keep each directory's listing in its cache
    /// (`FOPEN_CACHE_DIR | FOPEN_KEEP_CACHE`, what we answered before):
    /// listings only change through this mount, and the kernel drops its
    /// copy when it changes one itself. Reads say which listing they
    /// continue by their offsets ([`Overlay::listing_at`]).
    fn opendir(&self, _req: &Request, _ino: INodeNo, _flags: OpenFlags, reply: ReplyOpen) {
        reply.error(Errno::ENOSYS);
    }

    fn readdir(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        mut reply: ReplyDirectory,
    ) {
        let (list, start, base) = match self.ov.listing_at(ino.0, offset) {
            Ok(l) => l,
            Err(e) => return reply.error(errno(e)),
        };
        for (i, e) in list.iter().enumerate().skip(start) {
            if reply.add(INodeNo(e.ino), base | (i as u64 + 1), e.kind, &e.name) {
                break;
            }
        }
        reply.ok();
    }

    /// Entries with their attributes, so `find` and `ls -l` cost one
    /// request per batch instead of one lookup per name. Every entry sent
    /// (but `.` and `..`, which the kernel ignores here) counts as a lookup.
    fn readdirplus(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        mut reply: ReplyDirectoryPlus,
    ) {
        let (list, start, base) = match self.ov.listing_at(ino.0, offset) {
            Ok(l) => l,
            Err(e) => return reply.error(errno(e)),
        };
        for (i, e) in list.iter().enumerate().skip(start) {
            let off = base | (i as u64 + 1);
            if e.name == "." || e.name == ".." {
                // The kernel links no entry for these and ignores their
                // attributes: only the number and type reach `getdents`.
                let a = FileAttr {
                    ino: INodeNo(e.ino),
                    kind: fuser::FileType::Directory,
                    ..negative_attr()
                };
                if reply.add(INodeNo(e.ino), off, &e.name, &TTL, &a, Generation(0)) {
                    break;
                }
                continue;
            }
            // Gone since the listing was taken: skipped, as readdir after
            // an unlink would.
            let Ok(a) = self.ov.lookup(ino.0, &e.name) else {
                continue;
            };
            let a = self.show(a);
            if reply.add(a.ino, off, &e.name, &TTL, &a, Generation(0)) {
                // Not sent after all: the kernel will not forget it.
                self.ov.forget(a.ino.0, 1);
                break;
            }
        }
        reply.ok();
    }

    fn fsyncdir(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        _datasync: bool,
        reply: ReplyEmpty,
    ) {
        reply.ok();
    }

    fn statfs(&self, _req: &Request, _ino: INodeNo, reply: ReplyStatfs) {
        match self.ov.statfs() {
            Ok(s) => reply.statfs(
                s.blocks(),
                s.blocks_free(),
                s.blocks_available(),
                s.files(),
                s.files_free(),
                s.block_size() as u32,
                s.name_max() as u32,
                s.fragment_size() as u32,
            ),
            Err(e) => reply.error(errno(e)),
        }
    }

    fn setxattr(
        &self,
        _req: &Request,
        ino: INodeNo,
        name: &OsStr,
        value: &[u8],
        flags: i32,
        _position: u32,
        reply: ReplyEmpty,
    ) {
        let r = self.ov.setxattr(ino.0, name, value, flags);
        // Before the reply: once the caller's setxattr returns, its next
        // stat must not find the old `st_blksize` marker (the ownership
        // supervisor sets a record, then the container stats the file).
        if r.is_ok() {
            self.record_changed(ino, name);
        }
        empty(reply, r);
    }

    fn getxattr(&self, _req: &Request, ino: INodeNo, name: &OsStr, size: u32, reply: ReplyXattr) {
        xattr_reply(reply, self.ov.getxattr(ino.0, name), size);
    }

    fn listxattr(&self, _req: &Request, ino: INodeNo, size: u32, reply: ReplyXattr) {
        xattr_reply(reply, self.ov.listxattr(ino.0), size);
    }

    fn removexattr(&self, _req: &Request, ino: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        let r = self.ov.removexattr(ino.0, name);
        // Before the reply, as for setxattr.
        if r.is_ok() {
            self.record_changed(ino, name);
        }
        empty(reply, r);
    }

    fn access(&self, _req: &Request, ino: INodeNo, mask: AccessFlags, reply: ReplyEmpty) {
        empty(reply, self.ov.access(ino.0, mask.bits()));
    }

    fn create(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        _umask: u32,
        _flags: i32,
        reply: ReplyCreate,
    ) {
        let owner = (req.uid(), req.gid());
        // Handle 0: reads and writes go through the descriptor the create
        // kept as the node's own. Once OPEN is refused the kernel sends no
        // RELEASE for created files either.
        match self.ov.create(parent.0, name, mode, owner) {
            Ok(a) => reply.created(
                &TTL,
                &self.show(a),
                Generation(0),
                FileHandle(0),
                FopenFlags::FOPEN_KEEP_CACHE,
            ),
            Err(e) => reply.error(errno(e)),
        }
    }

    fn fallocate(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        length: u64,
        mode: i32,
        reply: ReplyEmpty,
    ) {
        empty(reply, self.ov.fallocate(ino.0, offset, length, mode));
    }
}
