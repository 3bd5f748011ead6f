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
//!    tree, whose read-only flag the kernel has locked (see
//!    [`read_only_mount_of`]): opening it for writing fails with EROFS, and
//!    no one, with whatever capabilities in whatever user namespace, can
//!    make it writable. No copy, no memory: well under a millisecond.
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
/// The first call forks a child that makes system calls only, so it may
/// come from a process with threads.
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
/// file `want` describes, detached, whose read-only flag is locked: made
/// by a child that shares our descriptor table and leaves the mount's
/// descriptor in the slot we reserved for it.
///
/// A plain detached mount made read-only would not do: anyone holding a
/// descriptor of it and CAP_SYS_ADMIN in some user namespace of their own
/// (container root) could clear the flag with `mount_setattr`. The kernel
/// locks the flags of mounts it copies into a mount namespace owned by a
/// less privileged user namespace; clearing a locked read-only flag fails
/// with EPERM. So the child makes the read-only bind mount in a first
/// user and mount namespace, enters a second pair below it, where that
/// mount is a locked copy, and clones the copy.
fn read_only_mount_of(path: &Path, want: &nix::sys::stat::FileStat) -> io::Result<OwnedFd> {
    let path = CString::new(path.as_os_str().as_bytes())?;
    // Written by the child to its own maps: the second user namespace can
    // only be made by an id the first one maps.
    let uid_map = format!("0 {} 1", nix::unistd::geteuid());
    let gid_map = format!("0 {} 1", nix::unistd::getegid());
    let slot = nix::fcntl::open(
        "/dev/null",
        nix::fcntl::OFlag::O_RDONLY | nix::fcntl::OFlag::O_CLOEXEC,
        nix::sys::stat::Mode::empty(),
    )?;
    let slot_raw = slot.as_raw_fd();
    // Not a `spawn::Spawn`: the child must share our descriptor table, and
    // the caller may have threads.
    // SAFETY: the child makes only system calls (everything it needs was
    // made above) and ends with _exit; of the descriptor table it shares,
    // it only replaces the placeholder `slot`, which it was made for.
    match unsafe { super::clone_fork(libc::CLONE_NEWUSER | libc::CLONE_NEWNS | libc::CLONE_FILES) }?
    {
        super::Forked::Child => {
            // Only system calls from here: the parent may have threads.
            let maps = [
                (c"/proc/self/setgroups", b"deny".as_slice()),
                (c"/proc/self/uid_map", uid_map.as_bytes()),
                (c"/proc/self/gid_map", gid_map.as_bytes()),
            ];
            let code = match locked_read_only(&path, &maps, want, slot_raw) {
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

/// In the child of [`read_only_mount_of`], in its first user and mount
/// namespace: maps itself (`maps`), bind-mounts `path` read-only onto
/// itself, enters a second user and mount namespace, clones the (now
/// locked) mount of `path` into a detached tree, checks it is still the
/// file `want` describes, and moves it into descriptor `slot`. Makes
/// system calls only.
fn locked_read_only(
    path: &CString,
    maps: &[(&std::ffi::CStr, &[u8])],
    want: &nix::sys::stat::FileStat,
    slot: libc::c_int,
) -> io::Result<()> {
    use nix::mount::MsFlags;
    for (file, data) in maps {
        let fd = nix::fcntl::open(
            *file,
            nix::fcntl::OFlag::O_WRONLY | nix::fcntl::OFlag::O_CLOEXEC,
            nix::sys::stat::Mode::empty(),
        )?;
        nix::unistd::write(&fd, data)?;
    }
    // Nothing of ours may propagate anywhere.
    nix::mount::mount(
        None::<&std::ffi::CStr>,
        c"/",
        None::<&std::ffi::CStr>,
        MsFlags::MS_REC | MsFlags::MS_PRIVATE,
        None::<&std::ffi::CStr>,
    )?;
    nix::mount::mount(
        Some(path.as_c_str()),
        path.as_c_str(),
        None::<&std::ffi::CStr>,
        MsFlags::MS_BIND,
        None::<&std::ffi::CStr>,
    )?;
    nix::mount::mount(
        None::<&std::ffi::CStr>,
        path.as_c_str(),
        None::<&std::ffi::CStr>,
        MsFlags::MS_REMOUNT
            | MsFlags::MS_BIND
            | MsFlags::MS_RDONLY
            | MsFlags::MS_NOSUID
            | MsFlags::MS_NODEV,
        None::<&std::ffi::CStr>,
    )?;
    nix::sched::unshare(
        nix::sched::CloneFlags::CLONE_NEWUSER | nix::sched::CloneFlags::CLONE_NEWNS,
    )?;
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
pub fn make_read_only_mount(path: &Path) -> io::Result<OwnedFd> {
    read_only_mount_of(path, &nix::sys::stat::stat(path)?)
}

/// A fresh sealed memfd copy of the file at `path` (the fallback of
/// [`sealed`]), for the benchmark.
pub fn make_sealed_memfd(path: &Path) -> io::Result<OwnedFd> {
    sealed_memfd(path)
}

/// The AppArmor label of this process, when a profile confines it (the
/// label is not `unconfined`); None without AppArmor.
pub fn apparmor_label() -> Option<String> {
    let label = std::fs::read_to_string("/proc/self/attr/apparmor/current")
        .or_else(|_| std::fs::read_to_string("/proc/self/attr/current"))
        .ok()?;
    confined_label(&label)
}

fn confined_label(label: &str) -> Option<String> {
    let label = label.trim_end_matches(['\n', '\0']).trim();
    (!label.is_empty() && label != "unconfined").then(|| label.to_string())
}

/// Whether rsp's own processes are executed from the write-protected
/// image. Not under an AppArmor profile: AppArmor attaches profiles by the
/// executable's path, which the image does not have, so a process executed
/// from it would lose the profile (on Ubuntu, the one that lets rsp make
/// user namespaces at all). There they are executed from the binary by
/// path, and stay out of the container's reach by being non-dumpable.
pub fn runs_sealed() -> bool {
    static SEALED_RUNS: OnceLock<bool> = OnceLock::new();
    *SEALED_RUNS.get_or_init(|| apparmor_label().is_none())
}

/// Makes ready what [`exec_self`] executes (see [`sealed`]).
pub fn prepare() -> io::Result<()> {
    if runs_sealed() {
        sealed()?;
    }
    Ok(())
}

/// The path to give `exec` for rsp's own image: `/proc/self/fd/N` of the
/// write-protected image, or `/proc/self/exe` (see [`runs_sealed`]).
pub fn self_path() -> io::Result<std::path::PathBuf> {
    if runs_sealed() {
        Ok(format!("/proc/self/fd/{}", sealed()?.as_raw_fd()).into())
    } else {
        Ok("/proc/self/exe".into())
    }
}

/// Executes rsp's own image (see [`runs_sealed`]) with `argv` and `env`;
/// returns only on failure.
pub fn exec_self<SA: AsRef<std::ffi::CStr>, SE: AsRef<std::ffi::CStr>>(
    argv: &[SA],
    env: &[SE],
) -> io::Error {
    let r = if runs_sealed() {
        match sealed() {
            Ok(fd) => nix::unistd::fexecve(fd, argv, env),
            Err(e) => return e,
        }
    } else {
        nix::unistd::execve(c"/proc/self/exe", argv, env)
    };
    match r {
        Err(e) => e.into(),
        Ok(never) => match never {},
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
        // Another test's child, forked while `victim` still had the copy
        // open for writing, holds that descriptor until it execs or exits:
        // exec then fails with ETXTBSY for a moment (the race Go's os/exec
        // also retries). Any other failure is the answer.
        const BUSY: i32 = 126;
        for _ in 0..200 {
            match exec_once(fd) {
                BUSY => std::thread::sleep(std::time::Duration::from_millis(10)),
                code => return code,
            }
        }
        panic!("the copy stayed busy (ETXTBSY) for 2 s");
    }

    fn exec_once(fd: BorrowedFd<'_>) -> i32 {
        // Made before the fork: the test harness has threads, so the child
        // must not allocate.
        let argv = [c"true".as_ptr(), std::ptr::null()];
        let env = [std::ptr::null::<libc::c_char>()];
        // SAFETY: the child makes system calls only and ends with _exit.
        match unsafe { super::super::clone_fork(0) }.unwrap() {
            super::super::Forked::Child => {
                // SAFETY: both arrays are live and null-terminated, their
                // strings NUL-terminated.
                unsafe { libc::fexecve(fd.as_raw_fd(), argv.as_ptr(), env.as_ptr()) };
                let busy = io::Error::last_os_error().raw_os_error() == Some(libc::ETXTBSY);
                super::super::exit_now(if busy { 126 } else { 127 })
            }
            super::super::Forked::Parent(pid) => {
                match nix::sys::wait::waitpid(nix::unistd::Pid::from_raw(pid), None).unwrap() {
                    nix::sys::wait::WaitStatus::Exited(_, c) => c,
                    other => panic!("{other:?}"),
                }
            }
        }
    }

    /// As container root would with a handle on the image: in a user and
    /// mount namespace of its own, tries to clear the mount's read-only
    /// flag and to clone it. 0 when both are refused and the image is
    /// still read-only; else which step gave way.
    fn unlock_in_own_namespace(fd: BorrowedFd<'_>) -> i32 {
        #[repr(C)]
        struct MountAttr {
            attr_set: u64,
            attr_clr: u64,
            propagation: u64,
            userns_fd: u64,
        }
        let attr = MountAttr {
            attr_set: 0,
            attr_clr: libc::MOUNT_ATTR_RDONLY,
            propagation: 0,
            userns_fd: 0,
        };
        let reopen = CString::new(format!("/proc/self/fd/{}", fd.as_raw_fd())).unwrap();
        // SAFETY: the child makes system calls only (everything it needs
        // was made above) and ends with _exit.
        match unsafe { super::super::clone_fork(libc::CLONE_NEWUSER | libc::CLONE_NEWNS) }.unwrap()
        {
            super::super::Forked::Child => {
                // SAFETY: the path is empty and NUL-terminated, `attr` a live
                // struct of the size passed.
                let cleared = unsafe {
                    libc::syscall(
                        libc::SYS_mount_setattr,
                        fd.as_raw_fd(),
                        c"".as_ptr(),
                        libc::AT_EMPTY_PATH,
                        &attr as *const MountAttr,
                        std::mem::size_of::<MountAttr>(),
                    )
                } == 0;
                // SAFETY: as above; open_tree only returns a descriptor.
                let cloned = unsafe {
                    libc::syscall(
                        libc::SYS_open_tree,
                        fd.as_raw_fd(),
                        c"".as_ptr(),
                        libc::OPEN_TREE_CLONE | libc::AT_EMPTY_PATH as libc::c_uint,
                    )
                } >= 0;
                // SAFETY: a live NUL-terminated path.
                let writable =
                    unsafe { libc::open(reopen.as_ptr(), libc::O_WRONLY | libc::O_APPEND) } >= 0;
                let code = i32::from(cleared) | i32::from(cloned) << 1 | i32::from(writable) << 2;
                super::super::exit_now(code)
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
        assert_eq!(unlock_in_own_namespace(fd.as_fd()), 0);
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
    fn apparmor_labels() {
        assert_eq!(confined_label("unconfined\n"), None);
        assert_eq!(confined_label(""), None);
        assert_eq!(
            confined_label("rsp (unconfined)\n").as_deref(),
            Some("rsp (unconfined)")
        );
        assert_eq!(
            confined_label("rsp (enforce)\0").as_deref(),
            Some("rsp (enforce)")
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
