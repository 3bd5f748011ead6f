//! Confining the rsp processes that live inside a container's namespaces
//! (`--init`'s pid 1; the container's first process and the `rsp exec`
//! joiner until they execute the command) against the container itself.
//!
//! Every such process is forked from an rsp started in the host's user
//! namespace, so its memory descriptor belongs to that namespace: once it
//! is non-dumpable, the kernel lets only a holder of CAP_SYS_PTRACE there
//! ptrace it or open its `/proc/PID/{exe,environ,mem,fd,root}`, which
//! container root never is (its capabilities are in the container's user
//! namespace). Executing the command makes the process dumpable again,
//! with a fresh memory descriptor that belongs to the container.
//!
//! Contract: each function acts on the calling process only; none of them
//! can be undone by the process afterwards.

use std::io;

/// Makes the calling process non-dumpable (see the module documentation).
/// Its `/proc/PID` files then belong to root, so whatever the host user
/// must still open there (id maps, namespaces) must be opened before.
pub fn set_non_dumpable() -> io::Result<()> {
    nix::sys::prctl::set_dumpable(false)?;
    Ok(())
}

/// Drops every capability for good: the bounding set, the ambient,
/// inheritable, permitted and effective sets, and sets no_new_privs.
pub fn drop_all_capabilities() -> io::Result<()> {
    cut_bounding(0)?;
    // SAFETY: PR_CAP_AMBIENT_CLEAR_ALL takes no pointers.
    unsafe {
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL,
            0,
            0,
            0,
        )
    };
    capset(&[CapData::default(); 2])?;
    nix::sys::prctl::set_no_new_privs()?;
    Ok(())
}

/// The capabilities the calling process executes its command with: the
/// bounding set is cut to `bounding`; with `non_root`, root's automatic
/// capabilities end for good (`SECBIT_NOROOT`, locked: uid 0 gains
/// nothing from `execve`) and the process keeps `ambient` only (raised in
/// its inheritable and ambient sets, so they survive `execve`). The
/// effective and permitted sets are left alone until `execve` recomputes
/// them, so the caller may still do what needs privilege (install seccomp
/// filters) after this.
pub fn limit_capabilities(bounding: u64, non_root: bool, ambient: u64) -> io::Result<()> {
    cut_bounding(bounding)?;
    if !non_root {
        return Ok(());
    }
    let mut sets = capget()?;
    sets[0].inheritable = ambient as u32;
    sets[1].inheritable = (ambient >> 32) as u32;
    capset(&sets)?;
    for cap in 0..64u32 {
        if ambient & (1 << cap) == 0 {
            continue;
        }
        // SAFETY: PR_CAP_AMBIENT_RAISE takes the capability number by value.
        let r = unsafe {
            libc::prctl(
                libc::PR_CAP_AMBIENT,
                libc::PR_CAP_AMBIENT_RAISE as libc::c_ulong,
                cap as libc::c_ulong,
                0,
                0,
            )
        };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    const SECBIT_NOROOT: libc::c_ulong = 1 << 0;
    const SECBIT_NOROOT_LOCKED: libc::c_ulong = 1 << 1;
    // SAFETY: PR_SET_SECUREBITS takes the bits by value.
    let r = unsafe {
        libc::prctl(
            libc::PR_SET_SECUREBITS,
            SECBIT_NOROOT | SECBIT_NOROOT_LOCKED,
            0,
            0,
            0,
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Drops every capability not in `keep` from the bounding set.
fn cut_bounding(keep: u64) -> io::Result<()> {
    for cap in 0..64u32 {
        if keep & (1 << cap) != 0 {
            continue;
        }
        // SAFETY: PR_CAPBSET_DROP takes the capability number by value.
        let r = unsafe { libc::prctl(libc::PR_CAPBSET_DROP, cap as libc::c_ulong, 0, 0, 0) };
        if r < 0 {
            let e = io::Error::last_os_error();
            // Past the last capability this kernel knows.
            if e.raw_os_error() == Some(libc::EINVAL) {
                break;
            }
            return Err(e);
        }
    }
    Ok(())
}

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: libc::c_int,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

/// _LINUX_CAPABILITY_VERSION_3: two 32-bit words per set.
const CAP_VERSION_3: u32 = 0x2008_0522;

fn capget() -> io::Result<[CapData; 2]> {
    let mut header = CapHeader {
        version: CAP_VERSION_3,
        pid: 0,
    };
    let mut data = [CapData::default(); 2];
    // SAFETY: capget writes two data structs of the version-3 layout into
    // a live local array and reads the header.
    let r = unsafe {
        libc::syscall(
            libc::SYS_capget,
            &mut header as *mut CapHeader,
            data.as_mut_ptr(),
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(data)
}

fn capset(data: &[CapData; 2]) -> io::Result<()> {
    let mut header = CapHeader {
        version: CAP_VERSION_3,
        pid: 0,
    };
    // SAFETY: capset reads one header and two data structs of the
    // version-3 layout, both live.
    let r = unsafe {
        libc::syscall(
            libc::SYS_capset,
            &mut header as *mut CapHeader,
            data.as_ptr(),
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Overwrites this process's command line and environment strings where
/// the kernel shows them (`/proc/PID/cmdline`, `/proc/PID/environ`):
/// the command line becomes `title`, the environment nothing. For a
/// process forked from rsp that the container can see: what rsp was
/// started with (host paths, the user's variables) must not show there.
///
/// Only for a single-threaded process (a forked child always is): it fails
/// with EBUSY otherwise. Afterwards `std::env::args` and `std::env::var`
/// read `title` and empty strings.
pub fn conceal_args_and_env(title: &[u8]) -> io::Result<()> {
    if !super::spawn::single_threaded()? {
        return Err(io::Error::from_raw_os_error(libc::EBUSY));
    }
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // Fields after the command name, which may hold spaces: arg_start is
    // field 48 of the whole line, so the 46th after the name (state = 3).
    let rest = stat
        .rfind(')')
        .map(|i| &stat[i + 2..])
        .ok_or_else(|| io::Error::from_raw_os_error(libc::EINVAL))?;
    let f: Vec<usize> = rest
        .split_whitespace()
        .skip(45)
        .take(4)
        .map(|v| v.parse().unwrap_or(0))
        .collect();
    let [arg_start, arg_end, env_start, env_end] = f[..] else {
        return Err(io::Error::from_raw_os_error(libc::EINVAL));
    };
    // Both areas are the strings the kernel copied to the top of the
    // initial stack; argv normally ends where the environment begins.
    if arg_start == 0 || arg_end < arg_start || env_end < env_start {
        return Err(io::Error::from_raw_os_error(libc::EINVAL));
    }
    for (start, end) in [(arg_start, arg_end), (env_start, env_end)] {
        // SAFETY: [start, end) is this process's own argument or
        // environment area on its initial stack, mapped read-write for
        // its whole life. No other thread exists (checked above, and only
        // this one could start one); no Rust reference points into it
        // (std copies argv and environ strings out when asked). Zero
        // bytes keep every C pointer into it a valid, terminated string.
        unsafe { std::ptr::write_bytes(start as *mut u8, 0, end - start) };
    }
    let n = title.len().min((arg_end - arg_start).saturating_sub(2));
    // SAFETY: as above; `n` bytes fit before the area's last two bytes.
    unsafe { std::ptr::copy_nonoverlapping(title.as_ptr(), arg_start as *mut u8, n) };
    if arg_end - arg_start >= 2 {
        // A non-zero last byte tells the kernel the command line was
        // rewritten (setproctitle): it then shows it up to its first NUL,
        // `title` alone, instead of the whole area's zeros.
        // SAFETY: as above; the byte is inside the area, after the NUL
        // that ends `title`.
        unsafe { *((arg_end - 1) as *mut u8) = b' ' };
    }
    Ok(())
}
