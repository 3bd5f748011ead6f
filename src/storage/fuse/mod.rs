//! rsp's own overlay filesystem, served through FUSE with `fuser`, for
//! where the kernel will not mount overlayfs in a user namespace.
//!
//! (Being written; see `serve`.)

use std::os::fd::OwnedFd;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum FuseError {
    #[error("opening layer {path}: {source}")]
    Layer {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("starting the FUSE server: {0}")]
    Start(std::io::Error),
}

/// A running server; `join` waits until the kernel side is gone.
pub struct Server {
    thread: std::thread::JoinHandle<std::io::Result<()>>,
}

impl Server {
    pub fn join(self) -> std::io::Result<()> {
        self.thread.join().unwrap_or(Ok(()))
    }
}

/// Serves the overlay of `layers` (lowest first) with `upper` on top, on
/// the already mounted `/dev/fuse` descriptor `dev`.
pub fn serve(
    dev: OwnedFd,
    layers: Vec<PathBuf>,
    upper: PathBuf,
    work: PathBuf,
) -> Result<Server, FuseError> {
    let _ = (dev, layers, upper, work);
    Err(FuseError::Start(std::io::Error::other("not yet written")))
}
