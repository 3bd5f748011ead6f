//! Where rsp keeps its state.
//!
//! Persistent state (images, layers, containers) lives under the *root*:
//! `--root`, else `$XDG_DATA_HOME/rsp`, else `~/.local/share/rsp`. Runtime
//! state (mount points, pids, sockets) lives under the *runroot*:
//! `--runroot`, else `$XDG_RUNTIME_DIR/rsp`, else `/tmp/rsp-$UID`. The runroot
//! is created mode 0700 because other users on a shared machine can see
//! `/tmp`.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum PathsError {
    #[error("cannot find a home directory: set HOME or XDG_DATA_HOME, or pass --root")]
    NoHome,
    #[error("creating runtime directory {path}: {source}")]
    CreateRunroot {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "runtime directory {path} belongs to uid {owner}, not to you (uid {uid}): pass --runroot or set XDG_RUNTIME_DIR"
    )]
    RunrootOwner { path: PathBuf, owner: u32, uid: u32 },
}

/// The two state directories of one rsp invocation.
#[derive(Clone, Debug)]
pub struct Paths {
    pub root: PathBuf,
    pub runroot: PathBuf,
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
}

impl Paths {
    /// Resolves the directories from the overrides and the environment,
    /// without touching the filesystem.
    pub fn resolve(root: Option<&Path>, runroot: Option<&Path>) -> Result<Paths, PathsError> {
        let root = match root {
            Some(r) => r.to_path_buf(),
            None => match env_path("XDG_DATA_HOME") {
                Some(d) => d.join("rsp"),
                None => env_path("HOME")
                    .ok_or(PathsError::NoHome)?
                    .join(".local/share/rsp"),
            },
        };
        let runroot = match runroot {
            Some(r) => r.to_path_buf(),
            None => match env_path("XDG_RUNTIME_DIR") {
                Some(d) => d.join("rsp"),
                None => PathBuf::from(format!("/tmp/rsp-{}", nix::unistd::getuid())),
            },
        };
        // Relative paths are made absolute now: the monitor and the other
        // processes rsp starts work from other directories.
        let absolute = |p: PathBuf| {
            if p.is_relative() {
                std::env::current_dir().map(|d| d.join(&p)).unwrap_or(p)
            } else {
                p
            }
        };
        Ok(Paths {
            root: absolute(root),
            runroot: absolute(runroot),
        })
    }

    /// Creates the runroot (0700) if needed and checks that it is ours, so
    /// another user cannot pre-create `/tmp/rsp-$UID` and watch our state.
    pub fn ensure_runroot(&self) -> Result<(), PathsError> {
        use std::os::unix::fs::{DirBuilderExt, MetadataExt};
        let err = |source| PathsError::CreateRunroot {
            path: self.runroot.clone(),
            source,
        };
        match std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.runroot)
        {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(err(e)),
        }
        let meta = std::fs::metadata(&self.runroot).map_err(err)?;
        let uid = nix::unistd::getuid().as_raw();
        if meta.uid() != uid {
            return Err(PathsError::RunrootOwner {
                path: self.runroot.clone(),
                owner: meta.uid(),
                uid,
            });
        }
        Ok(())
    }
}
