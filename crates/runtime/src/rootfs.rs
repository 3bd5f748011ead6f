//! Building the container's root filesystem inside its new user and mount
//! namespaces: the overlay of the image layers (given the caller's user
//! entries and home under `--userns=keep-id`), `/proc`, `/dev`, `/sys`, the
//! generated `/etc` files, volumes, masked and read-only paths, then
//! `pivot_root`.
//!
//! Contract: every mount target inside the image is resolved with
//! `openat2(RESOLVE_IN_ROOT)`, so a symlink in an image (`/etc -> /home/me`)
//! can never make rsp create or cover a file outside the container's root.
//! Mounts are made through the resulting `/proc/self/fd/N` handles.

use nix::fcntl::{OFlag, OpenHow, ResolveFlag, openat2};
use nix::mount::{MntFlags, MsFlags, mount, umount2};
use nix::sys::stat::Mode;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum RootfsError {
    #[error("mounting the image layers with overlayfs at {path}: {source}")]
    Overlay { path: PathBuf, source: nix::Error },
    #[error(
        "opening /dev/fuse: {0}: the fuse-overlay storage driver needs /dev/fuse readable and writable by you (mode 0666, as Debian ships it), or choose --storage-driver overlay or vfs"
    )]
    FuseDevice(nix::Error),
    #[error("handing the FUSE device to its server: {0}")]
    FuseHandOver(std::io::Error),
    #[error("too many image layers for one overlay mount ({0} layers)")]
    TooManyLayers(usize),
    #[error("preparing mount point {path} in the container: {source}")]
    Target { path: String, source: nix::Error },
    #[error("mounting {what} at {path}: {source}")]
    Mount {
        what: String,
        path: String,
        source: nix::Error,
    },
    #[error("volume source {path}: {source}: create it first or fix the -v option")]
    VolumeSource {
        path: String,
        source: std::io::Error,
    },
    #[error("copying the image's files at {path} into its tmpfs: {source}")]
    CopyUp {
        path: String,
        source: rsp_storage::vfs::VfsError,
    },
    #[error("switching to the container's root (pivot_root): {0}")]
    Pivot(nix::Error),
    #[error("making mounts private: {0}")]
    Private(nix::Error),
    #[error(transparent)]
    KeepId(#[from] super::keepid::KeepIdError),
    #[error("--sysctl {key}: {source}")]
    Sysctl { key: String, source: std::io::Error },
}

type Result<T> = std::result::Result<T, RootfsError>;

/// What to mount; built by the parent, used by the child.
pub struct RootfsPlan<'a> {
    pub layers_dir: &'a Path,
    /// Layer directory names inside `layers_dir`, lowest first.
    pub layers: Vec<String>,
    pub upper: PathBuf,
    pub work: PathBuf,
    pub merged: PathBuf,
    /// Generated files bind-mounted over `/etc/<name>`.
    pub etc_files: Vec<(PathBuf, &'static str)>,
    /// The container's mounts, resolved to host paths by the parent.
    pub volumes: Vec<Planned>,
    /// Whether the container has its own ipc namespace (a pod member
    /// sharing its infra's has no privilege to mount an mqueue for it).
    pub own_ipc: bool,
    /// Whether the container has its own network namespace (so a fresh
    /// sysfs may be mounted).
    pub own_netns: bool,
    pub empty_dir: PathBuf,
    /// With the vfs driver: the container's own copy, used instead of an
    /// overlay of the layers.
    pub vfs_root: Option<PathBuf>,
    /// With the fuse-overlay driver: where the mounted `/dev/fuse`
    /// descriptor goes, to the process that serves it.
    pub fuse: Option<OwnedFd>,
    /// The container's user and group: the only ids its namespace maps.
    pub owner: (u32, u32),
    /// `--userns=keep-id`: the caller's entries and home, added to the
    /// root before anything is mounted in it (see [`super::keepid`]).
    pub keep_id: Option<super::container::KeepIdUser>,
    /// `--read-only`: the root is remounted read-only last (its submounts,
    /// volumes and the `/etc` files rsp generates stay as they are).
    pub read_only: bool,
    /// `--read-only-tmpfs`: with `read_only`, fresh tmpfs mounts on
    /// [`READ_ONLY_TMPFS`], as Podman gives.
    pub read_only_tmpfs: bool,
    /// `--sysctl`s (checked by [`super::sysctl::check`]), written into the
    /// container's `/proc/sys` before it is made read-only.
    pub sysctls: std::collections::BTreeMap<String, String>,
    /// `--security-opt mask=` and `unmask=` paths.
    pub mask: Vec<String>,
    pub unmask: Vec<String>,
    /// `--device`s: host nodes bound in after `/dev` is made.
    pub devices: Vec<super::container::Device>,
}

/// One of the container's own mounts, resolved to what the child mounts.
#[derive(Clone, Debug)]
pub enum Planned {
    /// A host path (a bind mount, or a volume's directory).
    Bind {
        source: PathBuf,
        dest: String,
        readonly: bool,
        /// `rbind` (the default) rather than `bind`.
        recursive: bool,
        /// `nosuid`, `nodev`, `noexec`, `noatime` asked for.
        flags: MsFlags,
        /// `MS_SHARED`, `MS_SLAVE`, `MS_PRIVATE` or `MS_UNBINDABLE`, with
        /// `MS_REC` for the `r` forms.
        propagation: MsFlags,
    },
    /// `:O`: an overlay over a host directory whose changes go to `upper`
    /// (emptied at each start).
    Overlay {
        lower: PathBuf,
        upper: PathBuf,
        work: PathBuf,
        dest: String,
    },
    /// A fresh tmpfs; `copy_up` fills it from what it covers.
    Tmpfs {
        dest: String,
        flags: MsFlags,
        data: String,
        copy_up: bool,
    },
    /// An image's layers (lowest first) under a fresh `upper` (and work)
    /// directory.
    Image {
        lowers: Vec<PathBuf>,
        upper: (PathBuf, PathBuf),
        readonly: bool,
        dest: String,
    },
    /// A new devpts instance.
    Devpts { dest: String, data: String },
}

/// The `MS_*` flags of mount option names (`nosuid`...); unknown names
/// and the positive forms add nothing.
pub fn option_flags(names: &[String]) -> MsFlags {
    let mut f = MsFlags::empty();
    for n in names {
        f |= match n.as_str() {
            "nosuid" => MsFlags::MS_NOSUID,
            "nodev" => MsFlags::MS_NODEV,
            "noexec" => MsFlags::MS_NOEXEC,
            "noatime" => MsFlags::MS_NOATIME,
            _ => MsFlags::empty(),
        };
    }
    f
}

/// The propagation flags of a propagation option name.
pub fn propagation_flags(name: Option<&str>) -> MsFlags {
    match name {
        Some("shared") => MsFlags::MS_SHARED,
        Some("rshared") => MsFlags::MS_SHARED | MsFlags::MS_REC,
        Some("slave") => MsFlags::MS_SLAVE,
        Some("rslave") => MsFlags::MS_SLAVE | MsFlags::MS_REC,
        Some("unbindable") => MsFlags::MS_UNBINDABLE,
        Some("runbindable") => MsFlags::MS_UNBINDABLE | MsFlags::MS_REC,
        Some("private") => MsFlags::MS_PRIVATE,
        _ => MsFlags::MS_PRIVATE | MsFlags::MS_REC,
    }
}

/// Where `--read-only` keeps writable tmpfs mounts (Podman's list).
pub const READ_ONLY_TMPFS: &[&str] = &["/tmp", "/var/tmp", "/run"];

const MASKED: &[&str] = &[
    "/proc/acpi",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/fs/selinux",
    "/sys/dev/block",
    "/sys/devices/virtual/powercap",
];

const READONLY: &[&str] = &[
    "/proc/asound",
    "/proc/bus",
    "/proc/fs",
    "/proc/irq",
    "/proc/sys",
    "/proc/sysrq-trigger",
];

const DEVICES: &[&str] = &["null", "zero", "full", "random", "urandom", "tty"];

fn fd_path(fd: &OwnedFd) -> String {
    format!("/proc/self/fd/{}", fd.as_raw_fd())
}

fn in_root() -> ResolveFlag {
    ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS
}

/// Opens (creating if missing) `path` inside the root `root` as an `O_PATH`
/// handle, resolving every symlink as if `root` were `/`.
fn target(root: &OwnedFd, path: &str, dir: bool) -> Result<OwnedFd> {
    let err = |source| RootfsError::Target {
        path: path.to_string(),
        source,
    };
    let rel = path.trim_start_matches('/');
    let open = |p: &str, extra: OFlag| {
        openat2(
            root.as_fd(),
            if p.is_empty() { "." } else { p },
            OpenHow::new()
                .flags(OFlag::O_PATH | OFlag::O_CLOEXEC | extra)
                .resolve(in_root()),
        )
    };
    let want = if dir {
        OFlag::O_DIRECTORY
    } else {
        OFlag::empty()
    };
    match open(rel, want) {
        Ok(fd) => return Ok(fd),
        Err(nix::Error::ENOENT) => {}
        Err(e) => return Err(err(e)),
    }
    // Create the missing components one by one, each inside the directory
    // handle we already resolved safely.
    let mut done = String::new();
    let comps: Vec<&str> = rel.split('/').filter(|c| !c.is_empty()).collect();
    for (i, comp) in comps.iter().enumerate() {
        let last = i + 1 == comps.len();
        let parent = open(&done, OFlag::O_DIRECTORY).map_err(err)?;
        if !done.is_empty() {
            done.push('/');
        }
        done.push_str(comp);
        let is_dir = !last || dir;
        match open(
            &done,
            if is_dir {
                OFlag::O_DIRECTORY
            } else {
                OFlag::empty()
            },
        ) {
            Ok(fd) if last => return Ok(fd),
            Ok(_) => continue,
            Err(nix::Error::ENOENT) => {}
            Err(e) => return Err(err(e)),
        }
        if is_dir {
            match nix::sys::stat::mkdirat(parent.as_fd(), *comp, Mode::from_bits_truncate(0o755)) {
                Ok(()) | Err(nix::Error::EEXIST) => {}
                Err(e) => return Err(err(e)),
            }
        } else {
            // O_NOFOLLOW|O_EXCL: never create through a dangling symlink.
            match nix::fcntl::openat(
                parent.as_fd(),
                *comp,
                OFlag::O_CREAT
                    | OFlag::O_EXCL
                    | OFlag::O_WRONLY
                    | OFlag::O_NOFOLLOW
                    | OFlag::O_CLOEXEC,
                Mode::from_bits_truncate(0o644),
            ) {
                Ok(_) | Err(nix::Error::EEXIST) => {}
                Err(e) => return Err(err(e)),
            }
        }
    }
    open(rel, want).map_err(err)
}

fn do_mount(
    source: Option<&str>,
    target: &str,
    fstype: Option<&str>,
    flags: MsFlags,
    data: Option<&str>,
    what: &str,
    shown: &str,
) -> Result<()> {
    mount(source, target, fstype, flags, data).map_err(|source| RootfsError::Mount {
        what: what.to_string(),
        path: shown.to_string(),
        source,
    })
}

/// Flags a bind-remount must repeat because the kernel locks them on mounts
/// that came from a more privileged namespace.
fn locked_flags(path: &str) -> MsFlags {
    use nix::sys::statvfs::FsFlags;
    let mut out = MsFlags::empty();
    if let Ok(st) = nix::sys::statvfs::statvfs(path) {
        let f = st.flags();
        for (a, b) in [
            (FsFlags::ST_NOSUID, MsFlags::MS_NOSUID),
            (FsFlags::ST_NODEV, MsFlags::MS_NODEV),
            (FsFlags::ST_NOEXEC, MsFlags::MS_NOEXEC),
            (FsFlags::ST_NOATIME, MsFlags::MS_NOATIME),
            (FsFlags::ST_NODIRATIME, MsFlags::MS_NODIRATIME),
            (FsFlags::ST_RELATIME, MsFlags::MS_RELATIME),
        ] {
            if f.contains(a) {
                out |= b;
            }
        }
    }
    out
}

/// Bind-mounts `source` at `path` in the container (created if missing).
fn bind(root: &OwnedFd, source: &str, path: &str, dir: bool, readonly: bool) -> Result<()> {
    bind_with(root, source, path, dir, readonly, true, MsFlags::empty())
}

/// [`bind`] with the choice of `rbind` or `bind` and extra flags
/// (`nosuid`...). A read-only recursive bind is read-only all the way
/// down where the kernel has `mount_setattr`; else only its top mount.
fn bind_with(
    root: &OwnedFd,
    source: &str,
    path: &str,
    dir: bool,
    readonly: bool,
    recursive: bool,
    extra: MsFlags,
) -> Result<()> {
    let dest = target(root, path, dir)?;
    let t = fd_path(&dest);
    let rec = if recursive {
        MsFlags::MS_REC
    } else {
        MsFlags::empty()
    };
    do_mount(
        Some(source),
        &t,
        None,
        MsFlags::MS_BIND | rec,
        None,
        "bind mount",
        path,
    )?;
    if readonly || !extra.is_empty() {
        // Our handle still names the covered mount: open the path again to
        // reach the new one.
        let top = target(root, path, dir)?;
        let t = fd_path(&top);
        let ro = if readonly {
            MsFlags::MS_RDONLY
        } else {
            MsFlags::empty()
        };
        let flags = MsFlags::MS_BIND | MsFlags::MS_REMOUNT | ro | extra | locked_flags(&t);
        do_mount(None, &t, None, flags, None, "read-only remount", path)?;
        if readonly && recursive {
            match rsp_sys::mount_set_readonly_recursive(top.as_fd()) {
                Ok(()) => {}
                // An older kernel: the top mount is read-only, as before
                // mount_setattr existed.
                Err(e) if e.raw_os_error() == Some(libc::ENOSYS) => {}
                Err(e) => {
                    return Err(RootfsError::Mount {
                        what: "recursive read-only".into(),
                        path: path.to_string(),
                        source: nix::Error::from_raw(e.raw_os_error().unwrap_or(libc::EIO)),
                    });
                }
            }
        }
    }
    Ok(())
}

fn mount_overlay(plan: &RootfsPlan<'_>) -> Result<()> {
    if let Some(sock) = &plan.fuse {
        return mount_fuse(plan, sock);
    }
    if let Some(copy) = &plan.vfs_root {
        // pivot_root needs a mount point: the copy, bound over `merged`.
        return mount(
            Some(copy.as_path()),
            &plan.merged,
            None::<&str>,
            MsFlags::MS_BIND | MsFlags::MS_REC,
            None::<&str>,
        )
        .map_err(|source| RootfsError::Mount {
            what: format!("the vfs copy {}", copy.display()),
            path: plan.merged.display().to_string(),
            source,
        });
    }
    // Relative lower paths keep the option string short; the kernel resolves
    // them against our working directory at mount time.
    nix::unistd::chdir(plan.layers_dir).map_err(|source| RootfsError::Overlay {
        path: plan.layers_dir.to_path_buf(),
        source,
    })?;
    let lower = if plan.layers.is_empty() {
        plan.empty_dir.display().to_string()
    } else {
        plan.layers
            .iter()
            .rev()
            .cloned()
            .collect::<Vec<_>>()
            .join(":")
    };
    let data = format!(
        "lowerdir={lower},upperdir={},workdir={},userxattr",
        plan.upper.display(),
        plan.work.display()
    );
    if data.len() >= 4000 {
        return Err(RootfsError::TooManyLayers(plan.layers.len()));
    }
    mount(
        Some("overlay"),
        &plan.merged,
        Some("overlay"),
        MsFlags::empty(),
        Some(data.as_str()),
    )
    .map_err(|source| RootfsError::Overlay {
        path: plan.merged.clone(),
        source,
    })
}

/// Mounts FUSE at `merged` and hands the device to the server. Nothing here
/// keeps a copy of the device: once the server is gone, the kernel fails
/// the container's file operations instead of waiting for it.
fn mount_fuse(plan: &RootfsPlan<'_>, sock: &OwnedFd) -> Result<()> {
    let dev = nix::fcntl::open("/dev/fuse", OFlag::O_RDWR | OFlag::O_CLOEXEC, Mode::empty())
        .map_err(RootfsError::FuseDevice)?;
    let data = rsp_storage::driver::fuse_mount_data(&dev, plan.owner.0, plan.owner.1);
    mount(
        Some("rsp-overlay"),
        &plan.merged,
        Some("fuse.rsp-overlay"),
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
        Some(data.as_str()),
    )
    .map_err(|source| RootfsError::Mount {
        what: "the image layers with FUSE".into(),
        path: plan.merged.display().to_string(),
        source,
    })?;
    rsp_sys::send_fd(sock.as_fd(), dev.as_fd()).map_err(RootfsError::FuseHandOver)?;
    // The kernel makes the root inode owned by id 0 until it first asks
    // the server; where 0 is not mapped (`-u 33`), it would refuse every
    // write into it. Asking once now sets the real owner.
    nix::sys::stat::stat(&plan.merged).map_err(|source| RootfsError::Mount {
        what: "the image layers with FUSE".into(),
        path: plan.merged.display().to_string(),
        source,
    })?;
    Ok(())
}

fn setup_dev(root: &OwnedFd, own_ipc: bool) -> Result<()> {
    let dev = target(root, "/dev", true)?;
    do_mount(
        Some("tmpfs"),
        &fd_path(&dev),
        Some("tmpfs"),
        MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC | MsFlags::MS_STRICTATIME,
        Some("mode=755,size=65536k"),
        "tmpfs",
        "/dev",
    )?;
    for d in DEVICES {
        bind(
            root,
            &format!("/dev/{d}"),
            &format!("/dev/{d}"),
            false,
            false,
        )?;
    }
    let pts = target(root, "/dev/pts", true)?;
    do_mount(
        Some("devpts"),
        &fd_path(&pts),
        Some("devpts"),
        MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC,
        Some("newinstance,ptmxmode=0666,mode=0620"),
        "devpts",
        "/dev/pts",
    )?;
    let shm = target(root, "/dev/shm", true)?;
    do_mount(
        Some("shm"),
        &fd_path(&shm),
        Some("tmpfs"),
        MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC | MsFlags::MS_NODEV,
        Some("mode=1777,size=65536k"),
        "tmpfs",
        "/dev/shm",
    )?;
    if own_ipc {
        let mq = target(root, "/dev/mqueue", true)?;
        do_mount(
            Some("mqueue"),
            &fd_path(&mq),
            Some("mqueue"),
            MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC | MsFlags::MS_NODEV,
            None,
            "mqueue",
            "/dev/mqueue",
        )?;
    }
    // /dev is our fresh tmpfs now: plain symlinks in it are safe to create.
    let devfd = target(root, "/dev", true)?;
    for (name, dest) in [
        ("ptmx", "pts/ptmx"),
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
        ("core", "/proc/kcore"),
    ] {
        // An O_PATH descriptor is enough for *at calls that only name a child.
        let _ = nix::unistd::symlinkat(dest, devfd.as_fd(), name);
    }
    Ok(())
}

fn setup_sys(root: &OwnedFd, own_netns: bool) -> Result<()> {
    let sys = target(root, "/sys", true)?;
    let t = fd_path(&sys);
    let flags = MsFlags::MS_RDONLY | MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC | MsFlags::MS_NODEV;
    if own_netns
        && mount(
            Some("sysfs"),
            t.as_str(),
            Some("sysfs"),
            flags,
            None::<&str>,
        )
        .is_ok()
    {
        return Ok(());
    }
    // The kernel only lets a user namespace mount sysfs when it owns the
    // network namespace; with the host's network, show the host's /sys
    // read-only instead, as Podman does.
    drop(sys);
    bind(root, "/sys", "/sys", true, true)
}

/// Opens `path` in the container only if it exists, without creating
/// anything or following a final symlink; also says whether it is a
/// directory.
fn existing(root: &OwnedFd, path: &str) -> Option<(OwnedFd, bool)> {
    let fd = openat2(
        root.as_fd(),
        path.trim_start_matches('/'),
        OpenHow::new()
            .flags(OFlag::O_PATH | OFlag::O_CLOEXEC | OFlag::O_NOFOLLOW)
            .resolve(in_root()),
    )
    .ok()?;
    let is_dir = nix::sys::stat::fstat(fd.as_fd())
        .map(|s| s.st_mode & libc::S_IFMT == libc::S_IFDIR)
        .unwrap_or(false);
    Some((fd, is_dir))
}

fn mask(root: &OwnedFd, path: &str) -> Result<()> {
    let Some((fd, is_dir)) = existing(root, path) else {
        return Ok(());
    };
    let t = fd_path(&fd);
    if is_dir {
        do_mount(
            Some("tmpfs"),
            &t,
            Some("tmpfs"),
            MsFlags::MS_RDONLY,
            Some("size=0"),
            "tmpfs mask",
            path,
        )
    } else {
        do_mount(
            Some("/dev/null"),
            &t,
            None,
            MsFlags::MS_BIND,
            None,
            "mask",
            path,
        )
    }
}

fn readonly(root: &OwnedFd, path: &str) -> Result<()> {
    let Some((fd, is_dir)) = existing(root, path) else {
        return Ok(());
    };
    bind(root, &fd_path(&fd), path, is_dir, true)
}

/// Mounts only the image layers and the volumes, and switches into them:
/// enough to read and write a stopped container's files (`rsp cp`).
pub fn setup_files_only(plan: &RootfsPlan<'_>) -> Result<()> {
    let root = mount_root(plan)?;
    mount_volumes(&root, plan)?;
    pivot(&root)
}

/// Makes our mounts private, mounts the layers and opens the new root.
fn mount_root(plan: &RootfsPlan<'_>) -> Result<OwnedFd> {
    mount(
        None::<&str>,
        "/",
        None::<&str>,
        MsFlags::MS_REC | MsFlags::MS_PRIVATE,
        None::<&str>,
    )
    .map_err(RootfsError::Private)?;
    mount_overlay(plan)?;
    nix::fcntl::open(
        &plan.merged,
        OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|source| RootfsError::Target {
        path: "/".into(),
        source,
    })
}

fn mount_volumes(root: &OwnedFd, plan: &RootfsPlan<'_>) -> Result<()> {
    for v in &plan.volumes {
        match v {
            Planned::Bind {
                source,
                dest,
                readonly,
                recursive,
                flags,
                propagation,
            } => {
                let meta = std::fs::metadata(source).map_err(|e| RootfsError::VolumeSource {
                    path: source.display().to_string(),
                    source: e,
                })?;
                bind_with(
                    root,
                    &source.display().to_string(),
                    dest,
                    meta.is_dir(),
                    *readonly,
                    *recursive,
                    *flags,
                )?;
                if *propagation != MsFlags::MS_PRIVATE | MsFlags::MS_REC {
                    let top = target(root, dest, meta.is_dir())?;
                    do_mount(
                        None,
                        &fd_path(&top),
                        None,
                        *propagation,
                        None,
                        "propagation",
                        dest,
                    )?;
                }
            }
            Planned::Overlay {
                lower,
                upper,
                work,
                dest,
            } => {
                let d = target(root, dest, true)?;
                let data = format!(
                    "lowerdir={},upperdir={},workdir={},userxattr",
                    overlay_path(lower),
                    overlay_path(upper),
                    overlay_path(work)
                );
                do_mount(
                    Some("overlay"),
                    &fd_path(&d),
                    Some("overlay"),
                    MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
                    Some(&data),
                    "overlay (:O)",
                    dest,
                )?;
            }
            Planned::Tmpfs {
                dest,
                flags,
                data,
                copy_up,
            } => {
                let d = target(root, dest, true)?;
                // What the tmpfs covers, for tmpcopyup: a handle taken before
                // it is covered still reads it.
                let under = if *copy_up {
                    nix::fcntl::openat(
                        d.as_fd(),
                        ".",
                        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
                        Mode::empty(),
                    )
                    .ok()
                } else {
                    None
                };
                let rdonly = flags.contains(MsFlags::MS_RDONLY);
                do_mount(
                    Some("tmpfs"),
                    &fd_path(&d),
                    Some("tmpfs"),
                    *flags & !MsFlags::MS_RDONLY,
                    Some(data),
                    "tmpfs",
                    dest,
                )?;
                let top = target(root, dest, true)?;
                if let Some(under) = under {
                    tmpfs_copy_up(&under, &top, data, dest)?;
                }
                if rdonly {
                    let t = fd_path(&top);
                    let f = MsFlags::MS_REMOUNT | MsFlags::MS_BIND | MsFlags::MS_RDONLY | *flags;
                    do_mount(None, &t, None, f, None, "read-only remount", dest)?;
                }
            }
            Planned::Image {
                lowers,
                upper: (u, w),
                readonly,
                dest,
            } => {
                let d = target(root, dest, true)?;
                // overlayfs lists lower directories topmost first.
                let lower = lowers
                    .iter()
                    .rev()
                    .map(|l| overlay_path(l))
                    .collect::<Vec<_>>()
                    .join(":");
                let data = format!(
                    "lowerdir={lower},upperdir={},workdir={},userxattr",
                    overlay_path(u),
                    overlay_path(w)
                );
                if data.len() >= 4000 {
                    return Err(RootfsError::TooManyLayers(lowers.len()));
                }
                let ro = if *readonly {
                    MsFlags::MS_RDONLY
                } else {
                    MsFlags::empty()
                };
                do_mount(
                    Some("overlay"),
                    &fd_path(&d),
                    Some("overlay"),
                    MsFlags::MS_NOSUID | MsFlags::MS_NODEV | ro,
                    Some(&data),
                    "image mount",
                    dest,
                )?;
            }
            Planned::Devpts { dest, data } => {
                let d = target(root, dest, true)?;
                let mut opts = String::from("newinstance,ptmxmode=0666");
                if !data.is_empty() {
                    opts.push(',');
                    opts.push_str(data);
                }
                do_mount(
                    Some("devpts"),
                    &fd_path(&d),
                    Some("devpts"),
                    MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC,
                    Some(&opts),
                    "devpts",
                    dest,
                )?;
            }
        }
    }
    Ok(())
}

/// A path in an overlay option string: `,` and `:` separate options and
/// layers, so they are escaped.
fn overlay_path(p: &Path) -> String {
    p.display()
        .to_string()
        .replace('\\', "\\\\")
        .replace(',', "\\,")
        .replace(':', "\\:")
}

/// Podman's tmpcopyup: the files a new tmpfs covers (`under`) are copied
/// into it, owners' records included; the tmpfs root keeps its own mode.
fn tmpfs_copy_up(under: &OwnedFd, top: &OwnedFd, data: &str, dest: &str) -> Result<()> {
    let from = PathBuf::from(fd_path(under));
    let to = PathBuf::from(fd_path(top));
    rsp_storage::vfs::materialize(&[from], &to).map_err(|e| RootfsError::CopyUp {
        path: dest.to_string(),
        source: e,
    })?;
    // materialize leaves a root's 0755; the tmpfs's mode= (or 1777) wins.
    let mode = data
        .split(',')
        .find_map(|o| o.strip_prefix("mode="))
        .and_then(|m| u32::from_str_radix(m, 8).ok())
        .unwrap_or(0o1777);
    nix::sys::stat::fchmodat(
        nix::fcntl::AT_FDCWD,
        to.as_path(),
        Mode::from_bits_truncate(mode),
        nix::sys::stat::FchmodatFlags::FollowSymlink,
    )
    .map_err(|source| RootfsError::Mount {
        what: "tmpfs mode".into(),
        path: dest.to_string(),
        source,
    })
}

fn pivot(root: &OwnedFd) -> Result<()> {
    // pivot_root(".", ".") stacks the old root on top of the new one; the
    // detach then drops it, leaving nothing of the host reachable.
    nix::unistd::fchdir(root.as_fd()).map_err(RootfsError::Pivot)?;
    nix::unistd::pivot_root(".", ".").map_err(RootfsError::Pivot)?;
    umount2(".", MntFlags::MNT_DETACH).map_err(RootfsError::Pivot)?;
    nix::unistd::chdir("/").map_err(RootfsError::Pivot)?;
    Ok(())
}

/// Builds the root filesystem and switches into it. Runs in the child,
/// inside the new namespaces, before `exec`.
pub fn setup(plan: &RootfsPlan<'_>) -> Result<()> {
    let root = mount_root(plan)?;
    if let Some(user) = &plan.keep_id {
        super::keepid::apply(&root, user)?;
    }

    let proc_ = target(&root, "/proc", true)?;
    do_mount(
        Some("proc"),
        &fd_path(&proc_),
        Some("proc"),
        MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC | MsFlags::MS_NODEV,
        None,
        "proc",
        "/proc",
    )?;
    // The proc just mounted (`proc_` is the directory beneath it).
    let procfs = if plan.sysctls.is_empty() {
        None
    } else {
        Some(target(&root, "/proc", true)?)
    };
    for (key, value) in &plan.sysctls {
        let Some(procfs) = &procfs else { break };
        let path = format!("{}/{}", fd_path(procfs), super::sysctl::proc_path(key));
        std::fs::write(&path, value).map_err(|source| RootfsError::Sysctl {
            key: key.clone(),
            source,
        })?;
    }
    setup_dev(&root, plan.own_ipc)?;
    for d in &plan.devices {
        bind(&root, &d.path_on_host, &d.path_in_container, false, false)?;
    }
    setup_sys(&root, plan.own_netns)?;

    for (src, name) in &plan.etc_files {
        bind(
            &root,
            &src.display().to_string(),
            &format!("/etc/{name}"),
            false,
            false,
        )?;
    }
    mount_volumes(&root, plan)?;
    let kept = |p: &str| plan.unmask.iter().any(|u| u == "ALL" || u == p);
    for p in MASKED.iter().filter(|p| !kept(p)) {
        mask(&root, p)?;
    }
    for p in &plan.mask {
        mask(&root, p)?;
    }
    for p in READONLY.iter().filter(|p| !kept(p)) {
        readonly(&root, p)?;
    }
    if plan.read_only {
        read_only_root(&root, plan.read_only_tmpfs)?;
    }
    pivot(&root)
}

/// `--read-only`: the tmpfs mounts first (their mount points may need
/// making), then the root itself read-only.
fn read_only_root(root: &OwnedFd, tmpfs: bool) -> Result<()> {
    if tmpfs {
        for p in READ_ONLY_TMPFS {
            let dest = target(root, p, true)?;
            do_mount(
                Some("tmpfs"),
                &fd_path(&dest),
                Some("tmpfs"),
                MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
                Some(if *p == "/run" {
                    "mode=755"
                } else {
                    "mode=1777"
                }),
                "tmpfs",
                p,
            )?;
        }
    }
    let path = fd_path(root);
    do_mount(
        None,
        &path,
        None,
        MsFlags::MS_REMOUNT | MsFlags::MS_BIND | MsFlags::MS_RDONLY | locked_flags(&path),
        None,
        "the root read-only",
        "/",
    )
}
