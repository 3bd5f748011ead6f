//! rsp's own executable, write-protected, for the processes rsp starts
//! that a container can reach (the runc CVE-2019-5736 class).
//!
//! A container's root is the invoking user, who usually owns the rsp
//! binary (`cargo install` puts it in `~/.cargo/bin`). Any rsp process
//! inside a container's namespaces (`--init`'s pid 1, the `rsp exec`
//! joiner before it executes the command, the ownership supervisor) would
//! let the container open the binary through `/proc/PID/exe` and, once no
//! process executes it any more, write to it. Such processes are made
//! non-dumpable (so the kernel refuses `/proc/PID/exe` to the container),
//! and they run from the image [`sealed`] returns, through which nothing
//! can be written even by someone holding an open handle:
//!
//! 1. If this process already runs from such an image (a read-only mount
//!    or a write-sealed memfd), that image: the monitor's children share
//!    it at no cost.
//! 2. Else a read-only bind mount of the binary, detached from every mount
//!    tree, made with `open_tree(OPEN_TREE_CLONE)` and `mount_setattr` in a
//!    throwaway user and mount namespace: opening it for writing fails with
//!    EROFS. No copy, no memory: about half a millisecond.
//! 3. Else a copy in a memfd sealed against writes, growing and shrinking
//!    (runc's way): opening works, every write fails with EPERM. Costs a
//!    copy of the binary, in time and in memory for as long as a process
//!    runs from it.
//!
//! Contract: [`sealed`] makes the image once per process and hands out the
//! same descriptor afterwards (close-on-exec; `fexecve` needs no inherited
//! copy). [`protection`] tells how a descriptor is protected, or that it is
//! not.
#![allow(unsafe_code)]

use std::ffi::CString;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::OnceLock;

/// How an executable image is kept from being written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protection {
    /// On a read-only mount: opening it for writing fails (EROFS).
    ReadOnlyMount,
    /// A memfd sealed against writes, growing and shrinking.
    SealedMemfd,
}

static SEALED: OnceLock<Result<OwnedFd, i32>> = OnceLock::new();

/// The write-protected image of this process's executable, made on the
/// first call (see the module documentation for how).
///
/// The first call forks; like [`super::clone_fork`], it must come while
/// the process is single-threaded, or at least while no other thread can
/// hold a lock the child would need (the child only makes system calls).
pub fn sealed() -> io::Result<BorrowedFd<'static>> {
    match SEALED.get_or_init(|| make().map_err(|e| e.raw_os_error().unwrap_or(libc::EIO))) {
        Ok(fd) => Ok(fd.as_fd()),
        Err(errno) => Err(io::Error::from_raw_os_error(*errno)),
    }
}

/// Takes `fd`, the executable of another rsp process (a container's
/// monitor: `/proc/PID/exe`), as this process's image for [`sealed`], when
/// it is write-protected and the very file this process runs (not an rsp
/// installed since): spares making one. Returns whether [`sealed`] now
/// has an image without making one.
pub fn adopt(fd: OwnedFd) -> bool {
    let same_file = || -> io::Result<bool> {
        let ours = nix::sys::stat::stat("/proc/self/exe")?;
        let theirs = nix::sys::stat::fstat(&fd)?;
        Ok((ours.st_dev, ours.st_ino) == (theirs.st_dev, theirs.st_ino))
    };
    if SEALED.get().is_some() {
        return SEALED.get().is_some_and(|r| r.is_ok());
    }
    if protection(fd.as_fd()).is_none() || !same_file().unwrap_or(false) {
        return false;
    }
    let _ = SEALED.set(Ok(fd));
    SEALED.get().is_some_and(|r| r.is_ok())
}

fn make() -> io::Result<OwnedFd> {
    let exe = nix::fcntl::open(
        "/proc/self/exe",
        nix::fcntl::OFlag::O_PATH | nix::fcntl::OFlag::O_CLOEXEC,
        nix::sys::stat::Mode::empty(),
    )?;
    if protection(exe.as_fd()).is_some() {
        return Ok(exe);
    }
    if let Ok(fd) = read_only_mount(&exe)
        && protection(fd.as_fd()) == Some(Protection::ReadOnlyMount)
    {
        return Ok(fd);
    }
    let fd = sealed_memfd(Path::new("/proc/self/exe"))?;
    if protection(fd.as_fd()) != Some(Protection::SealedMemfd) {
        return Err(io::Error::from_raw_os_error(libc::EPERM));
    }
    Ok(fd)
}

/// How `fd` (any descriptor of a file, `O_PATH` too) is write-protected,
/// if it is.
pub fn protection(fd: BorrowedFd<'_>) -> Option<Protection> {
    let vfs = nix::sys::statvfs::fstatvfs(fd).ok()?;
    if vfs.flags().contains(nix::sys::statvfs::FsFlags::ST_RDONLY) {
        return Some(Protection::ReadOnlyMount);
    }
    // Seals can only be read through a descriptor opened for I/O.
    let file = nix::fcntl::open(
        format!("/proc/self/fd/{}", fd.as_raw_fd()).as_str(),
        nix::fcntl::OFlag::O_RDONLY | nix::fcntl::OFlag::O_CLOEXEC,
        nix::sys::stat::Mode::empty(),
    )
    .ok()?;
    // SAFETY: F_GET_SEALS takes no argument and only reads file state.
    let seals = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GET_SEALS) };
    let needed = libc::F_SEAL_WRITE | libc::F_SEAL_GROW | libc::F_SEAL_SHRINK | libc::F_SEAL_SEAL;
    (seals >= 0 && seals & needed == needed).then_some(Protection::SealedMemfd)
}

/// A read-only bind mount of our executable `exe`, detached.
fn read_only_mount(exe: &OwnedFd) -> io::Result<OwnedFd> {
    // The child must resolve a path of its own mount namespace: the magic
    // link would lead to our mount, which `open_tree` refuses to clone
    // from another namespace.
    let path = std::fs::read_link("/proc/self/exe")?;
    if path.as_os_str().as_bytes().ends_with(b" (deleted)") {
        return Err(io::Error::from_raw_os_error(libc::ENOENT));
    }
    read_only_mount_of(&path, &nix::sys::stat::fstat(exe)?)
}

/// A read-only bind mount of the file at `path`, which must still be the
/// file `want` describes, detached: made by a child in a user and mount
/// namespace of its own, which shares our descriptor table and leaves the
/// mount's descriptor in the slot we reserved for it.
fn read_only_mount_of(path: &Path, want: &nix::sys::stat::FileStat) -> io::Result<OwnedFd> {
    let path = CString::new(path.as_os_str().as_bytes())?;
    let slot = nix::fcntl::open(
        "/dev/null",
        nix::fcntl::OFlag::O_RDONLY | nix::fcntl::OFlag::O_CLOEXEC,
        nix::sys::stat::Mode::empty(),
    )?;
    let slot_raw = slot.as_raw_fd();
    match super::clone_fork(libc::CLONE_NEWUSER | libc::CLONE_NEWNS | libc::CLONE_FILES)? {
        super::Forked::Child => {
            // Only system calls from here: the parent may have threads.
            let code = match detached_read_only(&path, want, slot_raw) {
                Ok(()) => 0,
                Err(e) => e.raw_os_error().unwrap_or(libc::EIO).clamp(1, 255),
            };
            super::exit_now(code)
        }
        super::Forked::Parent(pid) => {
            let st = nix::sys::wait::waitpid(nix::unistd::Pid::from_raw(pid), None)?;
            match st {
                nix::sys::wait::WaitStatus::Exited(_, 0) => Ok(slot),
                nix::sys::wait::WaitStatus::Exited(_, code) => {
                    Err(io::Error::from_raw_os_error(code))
                }
                _ => Err(io::Error::from_raw_os_error(libc::ECHILD)),
            }
        }
    }
}

/// In the child of [`read_only_mount`]: clones the mount of `path` into a
/// detached tree, checks it is still the file `want` describes, makes it
/// read-only, and moves it into descriptor `slot`.
fn detached_read_only(
    path: &CString,
    want: &nix::sys::stat::FileStat,
    slot: libc::c_int,
) -> io::Result<()> {
    #[repr(C)]
    struct MountAttr {
        attr_set: u64,
        attr_clr: u64,
        propagation: u64,
        userns_fd: u64,
    }
    // SAFETY: `path` is a live NUL-terminated string; open_tree returns a
    // new descriptor or -1 and touches no other memory.
    let tree = unsafe {
        libc::syscall(
            libc::SYS_open_tree,
            libc::AT_FDCWD,
            path.as_ptr(),
            libc::OPEN_TREE_CLONE | libc::OPEN_TREE_CLOEXEC,
        )
    };
    if tree < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the kernel just made this descriptor; nothing else owns it.
    let tree = unsafe { OwnedFd::from_raw_fd(tree as libc::c_int) };
    let st = nix::sys::stat::fstat(&tree)?;
    if (st.st_dev, st.st_ino) != (want.st_dev, want.st_ino) {
        // The binary was replaced since we started.
        return Err(io::Error::from_raw_os_error(libc::ESTALE));
    }
    let attr = MountAttr {
        attr_set: libc::MOUNT_ATTR_RDONLY | libc::MOUNT_ATTR_NOSUID | libc::MOUNT_ATTR_NODEV,
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    // SAFETY: the path is an empty NUL-terminated string and `attr` a live
    // struct of the size passed; the kernel only reads them.
    let r = unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            tree.as_raw_fd(),
            c"".as_ptr(),
            libc::AT_EMPTY_PATH,
            &attr as *const MountAttr,
            std::mem::size_of::<MountAttr>(),
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: dup3 replaces the placeholder the parent reserved in the
    // descriptor table we share; both descriptors are open.
    if unsafe { libc::dup3(tree.as_raw_fd(), slot, libc::O_CLOEXEC) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// A copy of the file `src` in a memfd sealed against writing, growing,
/// shrinking and further sealing.
fn sealed_memfd(src: &Path) -> io::Result<OwnedFd> {
    /// MFD_EXEC (Linux 6.3): an executable memfd even where
    /// `vm.memfd_noexec` makes them non-executable by default.
    const MFD_EXEC: libc::c_uint = 0x10;
    let src = std::fs::File::open(src)?;
    let len = src.metadata()?.len();
    let mut fd = -1;
    for extra in [MFD_EXEC, 0] {
        // SAFETY: the name is a live NUL-terminated string; memfd_create
        // returns a new descriptor or -1.
        fd = unsafe {
            libc::memfd_create(
                c"rsp".as_ptr(),
                libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING | extra,
            )
        };
        if fd >= 0 || io::Error::last_os_error().raw_os_error() != Some(libc::EINVAL) {
            break;
        }
    }
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the kernel just made this descriptor; nothing else owns it.
    let mem = unsafe { OwnedFd::from_raw_fd(fd) };
    let mut copied = 0u64;
    while copied < len {
        let want = (len - copied).min(1 << 30) as usize;
        // SAFETY: both descriptors are open; a null offset makes sendfile
        // use and advance `src`'s own file position.
        let n =
            unsafe { libc::sendfile(mem.as_raw_fd(), src.as_raw_fd(), std::ptr::null_mut(), want) };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        if n == 0 {
            return Err(io::Error::from_raw_os_error(libc::EIO));
        }
        copied += n as u64;
    }
    let seals = libc::F_SEAL_SEAL | libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_WRITE;
    // SAFETY: F_ADD_SEALS takes an int by value and only changes the
    // memfd's state.
    if unsafe { libc::fcntl(mem.as_raw_fd(), libc::F_ADD_SEALS, seals) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(mem)
}

/// A fresh read-only mount of the executable file at `path` (the way
/// [`sealed`] takes first), for the benchmark, which compares both ways.
/// The caller must be single-threaded, as for [`sealed`].
pub fn make_read_only_mount(path: &Path) -> io::Result<OwnedFd> {
    read_only_mount_of(path, &nix::sys::stat::stat(path)?)
}

/// A fresh sealed memfd copy of the file at `path` (the fallback of
/// [`sealed`]), for the benchmark.
pub fn make_sealed_memfd(path: &Path) -> io::Result<OwnedFd> {
    sealed_memfd(path)
}

/// Executes the sealed image with `argv` and `env`; returns only on
/// failure.
pub fn exec_sealed<SA: AsRef<std::ffi::CStr>, SE: AsRef<std::ffi::CStr>>(
    argv: &[SA],
    env: &[SE],
) -> io::Error {
    match sealed() {
        Ok(fd) => match nix::unistd::fexecve(fd, argv, env) {
            Err(e) => e.into(),
            Ok(never) => match never {},
        },
        Err(e) => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A copy of a small executable that nothing runs, so writing to it
    /// would not fail with ETXTBSY.
    fn victim(dir: &Path) -> std::path::PathBuf {
        let p = dir.join("true");
        std::fs::copy("/bin/true", &p).unwrap();
        p
    }

    /// Runs `fd` in a child and returns its exit code.
    fn exec_code(fd: BorrowedFd<'_>) -> i32 {
        // Made before the fork: the test harness has threads, so the child
        // must not allocate.
        let argv = [c"true".as_ptr(), std::ptr::null()];
        let env = [std::ptr::null::<libc::c_char>()];
        match super::super::clone_fork(0).unwrap() {
            super::super::Forked::Child => {
                // SAFETY: both arrays are live and null-terminated, their
                // strings NUL-terminated.
                unsafe { libc::fexecve(fd.as_raw_fd(), argv.as_ptr(), env.as_ptr()) };
                super::super::exit_now(127)
            }
            super::super::Forked::Parent(pid) => {
                match nix::sys::wait::waitpid(nix::unistd::Pid::from_raw(pid), None).unwrap() {
                    nix::sys::wait::WaitStatus::Exited(_, c) => c,
                    other => panic!("{other:?}"),
                }
            }
        }
    }

    fn reopen_for_writing(fd: BorrowedFd<'_>) -> io::Result<std::fs::File> {
        std::fs::OpenOptions::new()
            .append(true)
            .open(format!("/proc/self/fd/{}", fd.as_raw_fd()))
    }

    #[test]
    fn read_only_mount_runs_and_cannot_be_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let path = victim(dir.path());
        let before = std::fs::read(&path).unwrap();
        let fd = make_read_only_mount(&path).unwrap();
        assert_eq!(protection(fd.as_fd()), Some(Protection::ReadOnlyMount));
        assert_eq!(exec_code(fd.as_fd()), 0);
        let err = reopen_for_writing(fd.as_fd()).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EROFS), "{err}");
        // The file itself stays the user's to replace or write.
        assert!(
            protection(
                nix::fcntl::open(
                    &path,
                    nix::fcntl::OFlag::O_PATH,
                    nix::sys::stat::Mode::empty()
                )
                .unwrap()
                .as_fd()
            )
            .is_none()
        );
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn sealed_memfd_runs_and_takes_no_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = victim(dir.path());
        let fd = make_sealed_memfd(&path).unwrap();
        assert_eq!(protection(fd.as_fd()), Some(Protection::SealedMemfd));
        assert_eq!(exec_code(fd.as_fd()), 0);
        let mut f = reopen_for_writing(fd.as_fd()).unwrap();
        let err = f.write_all(b"PWNED").unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EPERM), "{err}");
        assert_eq!(
            std::fs::read(format!("/proc/self/fd/{}", fd.as_raw_fd())).unwrap(),
            std::fs::read(&path).unwrap()
        );
    }

    #[test]
    fn only_a_protected_image_of_this_very_binary_is_adopted() {
        let dir = tempfile::tempdir().unwrap();
        let other = make_read_only_mount(&victim(dir.path())).unwrap();
        assert!(!adopt(other), "a protected image of another file");
        let plain = nix::fcntl::open(
            "/proc/self/exe",
            nix::fcntl::OFlag::O_PATH,
            nix::sys::stat::Mode::empty(),
        )
        .unwrap();
        assert!(!adopt(plain), "the writable binary itself");
        let ours = make_read_only_mount(&std::fs::read_link("/proc/self/exe").unwrap()).unwrap();
        assert!(adopt(ours));
        assert_eq!(
            protection(sealed().unwrap()),
            Some(Protection::ReadOnlyMount)
        );
    }

    #[test]
    fn a_plain_file_is_not_protected() {
        let dir = tempfile::tempdir().unwrap();
        let path = victim(dir.path());
        let fd = nix::fcntl::open(
            &path,
            nix::fcntl::OFlag::O_PATH,
            nix::sys::stat::Mode::empty(),
        )
        .unwrap();
        assert_eq!(protection(fd.as_fd()), None);
    }
}
