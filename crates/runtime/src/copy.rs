//! `rsp cp`: the container side of a copy runs in a child process whose
//! root is the container's own: the running container's mount namespace
//! (joined with `setns`, user namespace first), or, for a container that
//! is not running, a fresh user and mount namespace with its layers and
//! volumes mounted. The data crosses as a tar stream over a pipe.
//!
//! Contract: paths inside the container are resolved by the kernel against
//! the container's root, so no symlink in the container can reach the
//! host; what comes out is unpacked on the host by
//! [`crate::storage::copy::extract`], which never writes outside its
//! destination. Ownership inside the container is the container user's,
//! or, for ids the user namespace cannot map, recorded the way image layers
//! record it.

use super::container::Container;
use super::{RuntimeError, rootfs};
use crate::storage::Store;
use crate::storage::copy::{self, ExtractOptions, Owner, SrcInfo};
use nix::fcntl::OFlag;
use nix::sched::CloneFlags;
use nix::unistd::Pid;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::Path;

type Result<T, E = RuntimeError> = std::result::Result<T, E>;

fn err(msg: impl Into<String>) -> RuntimeError {
    RuntimeError::Exec(msg.into())
}

fn pipe() -> Result<(OwnedFd, OwnedFd)> {
    nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(|e| RuntimeError::Fork(e.into()))
}

/// Forks a child that enters the container's root and runs `f` there. The
/// child's failure message comes back through its own pipe.
fn in_container(
    store: &Store,
    c: &Container,
    parent_ends: &[RawFd],
    f: impl FnOnce() -> std::result::Result<(), String>,
) -> Result<(Pid, OwnedFd, Option<crate::storage::fuse::Server>)> {
    let (err_r, err_w) = pipe()?;
    let running = c.state.is_active();
    let (ready_r, ready_w) = pipe()?;
    let namespaces = if running {
        let mut v = Vec::new();
        for (name, flag) in [
            ("user", CloneFlags::CLONE_NEWUSER),
            ("mnt", CloneFlags::CLONE_NEWNS),
        ] {
            let p = format!("/proc/{}/ns/{name}", c.state.ns_pid());
            let fd = nix::fcntl::open(
                p.as_str(),
                OFlag::O_RDONLY | OFlag::O_CLOEXEC,
                nix::sys::stat::Mode::empty(),
            )
            .map_err(|e| err(format!("opening {p}: {e}")))?;
            v.push((fd, flag));
        }
        v
    } else {
        Vec::new()
    };
    let layers_dir = store.layers_dir();
    let mut plan = super::rootfs_plan(store, &layers_dir, &c.config, Vec::new())?;
    let fuse_ours = if running {
        None
    } else {
        super::fuse_link(&c.config, &mut plan)?
    };
    let flags = if running {
        0
    } else {
        libc::CLONE_NEWUSER | libc::CLONE_NEWNS
    };
    match crate::sys::clone_fork(flags).map_err(RuntimeError::Fork)? {
        crate::sys::Forked::Child => {
            drop((err_r, ready_w));
            // The parent's ends of our pipes: holding them would keep us
            // from ever seeing end-of-file (or a closed reader).
            for fd in parent_ends {
                let _ = nix::unistd::close(*fd);
            }
            let fail = |msg: String| -> ! {
                let _ =
                    std::fs::File::from(err_w.try_clone().expect("dup")).write_all(msg.as_bytes());
                crate::sys::exit_now(1)
            };
            let _ = nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL);
            if running {
                // Outside the container's pid namespace, but in its mount
                // namespace: out of its reach all the same.
                if let Err(e) = crate::sys::confine::set_non_dumpable() {
                    fail(format!("making the copying process non-dumpable: {e}"));
                }
                for (fd, flag) in &namespaces {
                    if let Err(e) = nix::sched::setns(fd, *flag) {
                        fail(format!("joining the container's namespaces: {e}"));
                    }
                }
            } else {
                let mut b = [0u8; 1];
                if !matches!(std::fs::File::from(ready_r).read(&mut b), Ok(1)) {
                    crate::sys::exit_now(1);
                }
                if let Err(e) = rootfs::setup_files_only(&plan) {
                    fail(e.to_string());
                }
            }
            match f() {
                Ok(()) => crate::sys::exit_now(0),
                Err(e) => fail(e),
            }
        }
        crate::sys::Forked::Parent(pid) => {
            drop((err_w, ready_r, namespaces, plan.fuse.take()));
            let kill = || {
                let _ =
                    nix::sys::signal::kill(Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL);
                let _ = nix::sys::wait::waitpid(Pid::from_raw(pid), None);
            };
            if !running {
                if let Err(e) = super::write_id_maps(pid, &c.config) {
                    kill();
                    return Err(e);
                }
                let _ = std::fs::File::from(ready_w).write_all(b"1");
            }
            let fuse = match &fuse_ours {
                Some(sock) => super::serve_fuse(sock, &plan).inspect_err(|_| kill())?,
                None => None,
            };
            Ok((Pid::from_raw(pid), err_r, fuse))
        }
    }
}

/// Waits for the child. Whichever side failed first says why: the other
/// one then only saw its pipe closed ("Broken pipe"), which is not news.
fn finish(child: Pid, err_r: OwnedFd, parent: std::result::Result<(), String>) -> Result<()> {
    let mut msg = String::new();
    let _ = std::fs::File::from(err_r).read_to_string(&mut msg);
    let st = nix::sys::wait::waitpid(child, None);
    let broken = |m: &str| m.contains("Broken pipe") || m.contains("os error 32");
    match parent {
        Err(p) if msg.is_empty() || (broken(&msg) && !broken(&p)) => return Err(err(p)),
        _ if !msg.is_empty() => return Err(err(msg)),
        Err(p) => return Err(err(p)),
        Ok(()) => {}
    }
    match st {
        Ok(nix::sys::wait::WaitStatus::Exited(_, 0)) => Ok(()),
        _ => Err(err("the copy inside the container failed")),
    }
}

fn info_byte(i: &SrcInfo) -> u8 {
    match (i.exists, i.is_dir) {
        (false, _) => b'n',
        (true, true) => b'd',
        (true, false) => b'f',
    }
}

fn byte_info(b: u8) -> SrcInfo {
    SrcInfo {
        exists: b != b'n',
        is_dir: b == b'd',
    }
}

/// Where the copy out goes.
pub enum OutDest<'a> {
    /// A host path, with Docker's rules for what it becomes.
    Path(&'a str),
    /// A tar stream on this writer.
    Tar(&'a mut dyn Write),
}

/// Copies `src` from the container to the host. `overwrite` lets a
/// directory replace a non-directory and the reverse (`cp --overwrite`).
pub fn copy_out(
    store: &Store,
    c: &Container,
    src: &str,
    follow: bool,
    overwrite: bool,
    dest: OutDest<'_>,
) -> Result<()> {
    let (data_r, data_w) = pipe()?;
    let src_owned = src.to_string();
    let (child, err_r, _fuse) = in_container(store, c, &[data_r.as_raw_fd()], move || {
        let mut w = std::fs::File::from(data_w);
        let info = copy::stat_path(Path::new(&src_owned), follow);
        w.write_all(&[info_byte(&info)])
            .map_err(|e| e.to_string())?;
        if !info.exists {
            return Err(format!(
                "{src_owned}: no such file or directory in the container"
            ));
        }
        copy::archive(&src_owned, follow, &mut w).map_err(|e| e.to_string())
    })?;
    let mut r = BufReader::new(std::fs::File::from(data_r));
    let parent = (|| -> std::result::Result<(), String> {
        let mut b = [0u8; 1];
        if r.read_exact(&mut b).is_err() {
            return Ok(()); // the child's message says why
        }
        let info = byte_info(b[0]);
        if !info.exists {
            return Ok(());
        }
        match dest {
            OutDest::Tar(w) => {
                std::io::copy(&mut r, w).map_err(|e| format!("writing the tar stream: {e}"))?;
                Ok(())
            }
            OutDest::Path(d) => {
                let dinfo = copy::stat_path(Path::new(d), true);
                let plan = copy::plan(src, &info, d, &dinfo).map_err(|e| e.to_string())?;
                let opts = ExtractOptions {
                    rename_top: plan.rename_top,
                    owner: Owner::Caller,
                    no_overwrite_dir_non_dir: !overwrite,
                };
                copy::extract(&mut r, Path::new(&plan.extract_dir), &opts)
                    .map_err(|e| e.to_string())
            }
        }
    })();
    // Unblock a child still writing when we stopped reading.
    drop(r);
    finish(child, err_r, parent)
}

/// Where the copy in comes from.
pub enum InSrc<'a> {
    Path(&'a str),
    /// A tar stream to unpack into the destination directory.
    Tar(&'a mut dyn Read),
}

/// Copies into the container at `dest`. `archive` keeps the source's
/// owners (as `cp -a`); otherwise files belong to the container's user.
/// `overwrite` as for [`copy_out`].
pub fn copy_in(
    store: &Store,
    c: &Container,
    src: InSrc<'_>,
    dest: &str,
    archive: bool,
    follow: bool,
    overwrite: bool,
) -> Result<()> {
    let (info_r, info_w) = pipe()?;
    let (data_r, data_w) = pipe()?;
    let dest_owned = dest.to_string();
    let keep = archive || matches!(src, InSrc::Tar(_));
    let (child, err_r, _fuse) = in_container(
        store,
        c,
        &[info_r.as_raw_fd(), data_w.as_raw_fd()],
        move || {
            let info = copy::stat_path(Path::new(&dest_owned), true);
            std::fs::File::from(info_w)
                .write_all(&[info_byte(&info)])
                .map_err(|e| e.to_string())?;
            // The plan line: the directory to unpack into, then the rename.
            let mut r = BufReader::new(std::fs::File::from(data_r));
            let mut line = Vec::new();
            r.read_until(b'\n', &mut line).map_err(|e| e.to_string())?;
            if line.last() != Some(&b'\n') {
                return Ok(()); // the parent gave up; its error says why
            }
            line.pop();
            let parts: Vec<String> = line
                .split(|b| *b == 0)
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect();
            let rename_top = match parts.as_slice() {
                [_, old, new] if !old.is_empty() => Some((old.clone(), new.clone())),
                _ => None,
            };
            let opts = ExtractOptions {
                rename_top,
                owner: if keep { Owner::Keep } else { Owner::Caller },
                no_overwrite_dir_non_dir: !overwrite,
            };
            copy::extract(&mut r, Path::new(&parts[0]), &opts).map_err(|e| e.to_string())
        },
    )?;
    let parent = (|| -> std::result::Result<(), String> {
        let mut b = [0u8; 1];
        if std::fs::File::from(info_r).read_exact(&mut b).is_err() {
            return Ok(());
        }
        let dinfo = byte_info(b[0]);
        let mut w = std::fs::File::from(data_w);
        match src {
            InSrc::Tar(input) => {
                if !dinfo.is_dir {
                    return Err(format!(
                        "{dest}: the destination of a tar stream must be an existing directory in the container"
                    ));
                }
                w.write_all(format!("{dest}\0\0\n").as_bytes())
                    .map_err(|e| e.to_string())?;
                std::io::copy(input, &mut w).map_err(|e| format!("sending the tar stream: {e}"))?;
            }
            InSrc::Path(s) => {
                let sinfo = copy::stat_path(Path::new(s), follow);
                if !sinfo.exists {
                    return Err(format!("{s}: no such file or directory"));
                }
                let plan = copy::plan(s, &sinfo, dest, &dinfo).map_err(|e| e.to_string())?;
                let (old, new) = plan.rename_top.unwrap_or_default();
                w.write_all(format!("{}\0{old}\0{new}\n", plan.extract_dir).as_bytes())
                    .map_err(|e| e.to_string())?;
                copy::archive(s, follow, &mut w).map_err(|e| e.to_string())?;
            }
        }
        Ok(())
    })();
    finish(child, err_r, parent)
}
