//! `rsp cp`: the container side of a copy runs in a child process whose
//! root is the container's own: the running container's mount namespace
//! (joined with `setns`, user namespace first), or, for a container that
//! is not running, a fresh user and mount namespace with its layers and
//! volumes mounted. The data crosses as a tar stream over a pipe.
//!
//! Contract: paths inside the container are resolved by the kernel against
//! the container's root, so no symlink in the container can reach the
//! host; what comes out is unpacked on the host by
//! [`rsp_storage::copy::extract`], which never writes outside its
//! destination. Ownership inside the container is the container user's,
//! or, for ids the user namespace cannot map, recorded the way image layers
//! record it.

use super::container::Container;
use super::{RuntimeError, rootfs};
use nix::fcntl::OFlag;
use rsp_storage::Store;
use rsp_storage::copy::{self, ExtractOptions, Owner, SrcInfo};
use rsp_sys::spawn::{Failure, IdMaps, Namespace, SetupError, Spawn, SpawnError, Started};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::OwnedFd;
use std::path::Path;

type Result<T, E = RuntimeError> = std::result::Result<T, E>;

fn err(msg: impl Into<String>) -> RuntimeError {
    RuntimeError::Exec(msg.into())
}

fn pipe() -> Result<(OwnedFd, OwnedFd)> {
    nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(|e| RuntimeError::Fork(e.into()))
}

/// A child in the container's root, with our ends of its channels: its
/// failure message comes back through its own pipe.
type InContainer<P> = (Started<String>, P, Option<rsp_storage::fuse::Server>);

/// Starts a child that enters the container's root and runs `f` there.
/// `parent_ends` (our ends of the pipes `f` uses) are closed in the child,
/// so that it sees us close them, and given back.
fn in_container<P>(
    store: &Store,
    c: &Container,
    parent_ends: P,
    f: impl FnOnce() -> std::result::Result<(), String>,
) -> Result<InContainer<P>> {
    let running = c.state.is_active();
    let mut spawn = Spawn::new().die_with_parent();
    if running {
        // Outside the container's pid namespace, but in its mount
        // namespace: out of its reach all the same.
        spawn = spawn.non_dumpable();
        for ns in [Namespace::User, Namespace::Mount] {
            let fd = ns.open(c.state.ns_pid()).map_err(|e| {
                err(format!(
                    "opening /proc/{}/ns/{}: {}",
                    c.state.ns_pid(),
                    ns.proc_name(),
                    nix::Error::from_raw(e.raw_os_error().unwrap_or(libc::EIO))
                ))
            })?;
            spawn = spawn.join(ns, fd);
        }
    } else {
        spawn = spawn
            .new_namespaces(Namespace::User | Namespace::Mount)
            .id_maps(IdMaps::own_ids_as(c.config.uid, c.config.gid));
    }
    let layers_dir = store.layers_dir();
    let mut plan = super::rootfs_plan(store, &layers_dir, &c.config, Vec::new())?;
    let fuse_ours = if running {
        None
    } else {
        super::fuse_link(&c.config, &mut plan)?
    };
    let started = spawn.start_keeping(parent_ends, |_| {
        if !running {
            rootfs::setup_files_only(&plan).map_err(|e| e.to_string())?;
        }
        f()
    });
    let (child, parent_ends) = match started {
        Ok(s) => s,
        Err(SpawnError::IdMap { path, source }) => {
            return Err(if source.kind() == std::io::ErrorKind::PermissionDenied {
                RuntimeError::UserNs(super::userns::diagnose())
            } else {
                RuntimeError::IdMap { path, source }
            });
        }
        Err(SpawnError::Clone(e)) => return Err(RuntimeError::Fork(e)),
        Err(e) => return Err(RuntimeError::Spawn(e)),
    };
    drop(plan.fuse.take());
    let fuse = match &fuse_ours {
        Some(sock) => super::serve_fuse(sock, &plan).inspect_err(|_| child.kill())?,
        None => None,
    };
    Ok((child, parent_ends, fuse))
}

/// Waits for the child. Whichever side failed first says why: the other
/// one then only saw its pipe closed ("Broken pipe"), which is not news.
fn finish(mut child: Started<String>, parent: std::result::Result<(), String>) -> Result<()> {
    let msg = match child.outcome() {
        Ok(()) => String::new(),
        Err(Failure::Child(m)) => m,
        Err(Failure::Setup(SetupError::NonDumpable(e))) => {
            format!("making the copying process non-dumpable: {e}")
        }
        Err(Failure::Setup(SetupError::Join { source, .. })) => {
            format!("joining the container's namespaces: {source}")
        }
        Err(Failure::Setup(e @ SetupError::Panicked)) => e.to_string(),
    };
    let st = child.wait();
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
    let (child, data_r, _fuse) = in_container(store, c, data_r, move || {
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
    finish(child, parent)
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
    let (child, (info_r, data_w), _fuse) = in_container(store, c, (info_r, data_w), move || {
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
    })?;
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
    finish(child, parent)
}
