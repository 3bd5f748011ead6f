//! Choosing the storage driver that builds containers' root filesystems.
//!
//! Contract: [`select`] gives the driver and why, in Podman's order of
//! precedence: `--storage-driver`, then `$STORAGE_DRIVER`, then `driver =`
//! in `storage.conf` (`$XDG_CONFIG_HOME/containers/storage.conf`, then
//! `/etc/containers/storage.conf`; `overlay` with a `mount_program` such as
//! fuse-overlayfs means rsp's own `fuse-overlay`), then auto-detection. An
//! unknown name is an error that lists the drivers rsp has. Each container
//! records the driver it was created with and keeps it.
//!
//! Auto-detection probes once per store and remembers the answer in
//! `<root>/storage-driver.json` with the kernel release it was probed on:
//! a changed kernel, or `rsp system reset` (which removes the file), makes
//! the next container probe again. The probe is a child process
//! ([`rsp_sys::spawn`]): in a fresh user and mount namespace it mounts a small
//! kernel overlay inside the store (the filesystem that matters: NFS or an
//! overlay home refuse where ext4 works), writes through it and deletes a
//! lower file; failing that it mounts FUSE. The first that works wins, and
//! `vfs` is the last resort.

use std::path::{Path, PathBuf};

const RECORD: &str = "storage-driver.json";

#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    #[error("unknown storage driver {name:?} (from {from}): rsp has overlay, fuse-overlay and vfs")]
    Unknown { name: String, from: String },
    #[error("reading {path}: {source}: fix the file's TOML")]
    Conf {
        path: PathBuf,
        source: toml::de::Error,
    },
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Driver {
    /// The kernel's overlayfs, mounted inside the user namespace (what
    /// records without a driver name mean).
    #[default]
    Overlay,
    /// rsp's own overlay, served through FUSE by the container's monitor.
    FuseOverlay,
    /// A plain copy of the layers per container.
    Vfs,
}

impl Driver {
    pub fn as_str(self) -> &'static str {
        match self {
            Driver::Overlay => "overlay",
            Driver::FuseOverlay => "fuse-overlay",
            Driver::Vfs => "vfs",
        }
    }

    /// A recorded name; anything else (older records) is overlay.
    pub fn from_record(s: &str) -> Driver {
        match s {
            "vfs" => Driver::Vfs,
            "fuse-overlay" => Driver::FuseOverlay,
            _ => Driver::Overlay,
        }
    }

    /// What the driver is, for `rsp info`.
    pub fn describe(self) -> &'static str {
        match self {
            Driver::Overlay => "kernel overlayfs mounted inside the user namespace (userxattr)",
            Driver::FuseOverlay => {
                "rsp's own overlay served through FUSE by the container's monitor"
            }
            Driver::Vfs => "a copy of the layers per container",
        }
    }

    fn parse(name: &str, from: &str) -> Result<Driver, DriverError> {
        match name {
            "overlay" | "overlay2" => Ok(Driver::Overlay),
            "fuse-overlay" | "fuse-overlayfs" => Ok(Driver::FuseOverlay),
            "vfs" => Ok(Driver::Vfs),
            _ => Err(DriverError::Unknown {
                name: name.to_string(),
                from: from.to_string(),
            }),
        }
    }
}

#[derive(serde::Deserialize, Default)]
struct StorageConf {
    #[serde(default)]
    storage: StorageSection,
}

#[derive(serde::Deserialize, Default)]
struct StorageSection {
    #[serde(default)]
    driver: Option<String>,
    #[serde(default)]
    options: StorageOptions,
}

#[derive(serde::Deserialize, Default)]
struct StorageOptions {
    #[serde(default)]
    overlay: OverlayOptions,
    /// Podman's older spelling, directly under `[storage.options]`.
    #[serde(default)]
    mount_program: Option<String>,
}

#[derive(serde::Deserialize, Default)]
struct OverlayOptions {
    #[serde(default)]
    mount_program: Option<String>,
}

impl StorageConf {
    fn driver(&self, from: &str) -> Result<Option<Driver>, DriverError> {
        let Some(name) = self.storage.driver.as_deref().filter(|d| !d.is_empty()) else {
            return Ok(None);
        };
        let d = Driver::parse(name, from)?;
        let o = &self.storage.options;
        let program = o
            .overlay
            .mount_program
            .as_ref()
            .or(o.mount_program.as_ref());
        // A FUSE mount program (fuse-overlayfs) is what rsp serves itself.
        Ok(Some(
            if d == Driver::Overlay && program.is_some_and(|p| !p.is_empty()) {
                Driver::FuseOverlay
            } else {
                d
            },
        ))
    }
}

fn conf_paths() -> Vec<PathBuf> {
    let mut v = Vec::new();
    if let Some(d) = std::env::var_os("XDG_CONFIG_HOME").filter(|d| !d.is_empty()) {
        v.push(PathBuf::from(d).join("containers/storage.conf"));
    } else if let Some(h) = std::env::var_os("HOME") {
        v.push(PathBuf::from(h).join(".config/containers/storage.conf"));
    }
    v.push(PathBuf::from("/etc/containers/storage.conf"));
    v
}

/// The driver to use for the store at `root`, and where that choice came
/// from.
pub fn select(flag: Option<&str>, root: &Path) -> Result<(Driver, String), DriverError> {
    if let Some(f) = flag {
        return Ok((
            Driver::parse(f, "--storage-driver")?,
            "chosen by --storage-driver".into(),
        ));
    }
    if let Ok(e) = std::env::var("STORAGE_DRIVER")
        && !e.is_empty()
    {
        return Ok((
            Driver::parse(&e, "$STORAGE_DRIVER")?,
            "chosen by $STORAGE_DRIVER".into(),
        ));
    }
    for path in conf_paths() {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let conf: StorageConf = toml::from_str(&text).map_err(|source| DriverError::Conf {
            path: path.clone(),
            source,
        })?;
        let from = path.display().to_string();
        if let Some(d) = conf.driver(&from)? {
            return Ok((d, format!("chosen by {from}")));
        }
    }
    let r = detect(root);
    Ok((r.driver, r.reason))
}

/// What auto-detection found for a store.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
pub struct Detected {
    pub driver: Driver,
    /// The kernel release it was probed on.
    pub kernel: String,
    pub reason: String,
}

fn kernel_release() -> String {
    nix::sys::utsname::uname()
        .map(|u| u.release().to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The remembered answer for `root`, probing first if there is none or the
/// kernel changed since.
pub fn detect(root: &Path) -> Detected {
    let kernel = kernel_release();
    let record = root.join(RECORD);
    if let Ok(text) = std::fs::read(&record)
        && let Ok(d) = serde_json::from_slice::<Detected>(&text)
        && d.kernel == kernel
    {
        return d;
    }
    let d = probe(root, kernel);
    if let Ok(json) = serde_json::to_vec_pretty(&d) {
        // Only a cache: a store that cannot take it probes again next time.
        let _ = super::write_atomic(&record, &json);
    }
    d
}

/// Runs the probe in a child and turns its answers into a choice.
fn probe(root: &Path, kernel: String) -> Detected {
    let dir = root
        .join("tmp")
        .join(format!("{}-probe", super::unique_tag()));
    let run = |what: &str| -> Result<(), String> {
        let _ = super::remove_tree(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let out = probe_in_child(what, &dir);
        let _ = super::remove_tree(&dir);
        out
    };
    let (driver, reason) = match run("overlay") {
        Ok(()) => (
            Driver::Overlay,
            format!(
                "auto-detected: the kernel mounts overlayfs in a user namespace on this store (probed on kernel {kernel})"
            ),
        ),
        Err(overlay) => match run("fuse") {
            Ok(()) => (
                Driver::FuseOverlay,
                format!(
                    "auto-detected: the kernel refused overlayfs here ({overlay}); /dev/fuse works (probed on kernel {kernel})"
                ),
            ),
            Err(fuse) => (
                Driver::Vfs,
                format!(
                    "auto-detected: the kernel refused overlayfs here ({overlay}) and FUSE ({fuse}) (probed on kernel {kernel})"
                ),
            ),
        },
    };
    Detected {
        driver,
        kernel,
        reason,
    }
}

/// The data of a FUSE mount whose server reads `dev`: the container's
/// user (`uid`:`gid`, the one pair its namespace maps) owns it, every
/// process in that namespace may use it, and the server decides
/// permissions, as the owner of every file (the kernel still checks the
/// execute bit).
pub fn fuse_mount_data(dev: &impl std::os::fd::AsRawFd, uid: u32, gid: u32) -> String {
    format!(
        "fd={},rootmode=40000,user_id={uid},group_id={gid},allow_other",
        dev.as_raw_fd()
    )
}

/// Runs the probe in a child in a new user namespace, where the caller
/// is root, and mount namespace: `what` is `overlay` or `fuse`, `dir` an
/// empty directory in the store. Why it failed, if it did.
fn probe_in_child(what: &str, dir: &Path) -> Result<(), String> {
    use rsp_sys::spawn::{Failure, IdMaps, Namespace, Spawn, SpawnError};
    let started = Spawn::new()
        .new_namespaces(Namespace::Mount)
        .id_maps(IdMaps::own_ids_as(0, 0))
        .start(|_| probe_in_namespace(what, dir));
    let mut child = match started {
        Ok(c) => c,
        Err(SpawnError::Clone(e)) => {
            let errno = nix::Error::from_raw(e.raw_os_error().unwrap_or(libc::EIO));
            return Err(format!("user namespace: {errno}"));
        }
        Err(SpawnError::IdMap { path, source }) => return Err(format!("{path}: {source}")),
        Err(e) => return Err(format!("running the probe: {e}")),
    };
    let outcome = child.outcome();
    let status = child.wait();
    match outcome {
        Err(Failure::Child(msg)) => Err(msg.trim().to_string()),
        Err(Failure::Setup(e)) => Err(e.to_string()),
        Ok(()) => match status {
            Ok(nix::sys::wait::WaitStatus::Exited(_, 0)) => Ok(()),
            other => Err(format!("the probe ended: {other:?}")),
        },
    }
}

/// The probe itself, in the child of [`probe_in_child`].
fn probe_in_namespace(what: &str, dir: &Path) -> Result<(), String> {
    use nix::mount::{MsFlags, mount};
    mount(
        None::<&str>,
        "/",
        None::<&str>,
        MsFlags::MS_REC | MsFlags::MS_PRIVATE,
        None::<&str>,
    )
    .map_err(|e| format!("making mounts private: {e}"))?;
    let p = |n: &str| dir.join(n);
    for d in ["l1", "l2", "upper", "work", "merged"] {
        std::fs::create_dir(p(d)).map_err(|e| format!("{}: {e}", p(d).display()))?;
    }
    let merged = p("merged");
    if what == "fuse" {
        let dev = nix::fcntl::open(
            "/dev/fuse",
            nix::fcntl::OFlag::O_RDWR | nix::fcntl::OFlag::O_CLOEXEC,
            nix::sys::stat::Mode::empty(),
        )
        .map_err(|e| format!("/dev/fuse: {e}"))?;
        let opts = fuse_mount_data(&dev, 0, 0);
        return mount(
            Some("rsp-probe"),
            &merged,
            Some("fuse.rsp-overlay"),
            MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
            Some(opts.as_str()),
        )
        .map_err(|e| format!("mounting FUSE: {e}"));
    }
    std::fs::write(p("l1/gone"), b"x").map_err(|e| format!("writing a layer: {e}"))?;
    std::fs::write(p("l2/kept"), b"x").map_err(|e| format!("writing a layer: {e}"))?;
    let data = format!(
        "lowerdir={}:{},upperdir={},workdir={},userxattr",
        p("l2").display(),
        p("l1").display(),
        p("upper").display(),
        p("work").display()
    );
    mount(
        Some("overlay"),
        &merged,
        Some("overlay"),
        MsFlags::empty(),
        Some(data.as_str()),
    )
    .map_err(|e| format!("mounting overlayfs: {e}"))?;
    // Mounting is not enough on some filesystems: copy-up and whiteouts
    // are where they fail.
    std::fs::write(merged.join("kept"), b"y").map_err(|e| format!("copy-up: {e}"))?;
    std::fs::remove_file(merged.join("gone")).map_err(|e| format!("whiteout: {e}"))?;
    std::fs::create_dir(merged.join("d")).map_err(|e| format!("mkdir: {e}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(Driver::parse("overlay2", "x").unwrap(), Driver::Overlay);
        assert_eq!(Driver::parse("vfs", "x").unwrap(), Driver::Vfs);
        let e = Driver::parse("btrfs", "storage.conf")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("btrfs") && e.contains("fuse-overlay and vfs"),
            "{e}"
        );
        assert_eq!(Driver::from_record(""), Driver::Overlay);
        let conf: StorageConf = toml::from_str("[storage]\ndriver = \"vfs\"\n").unwrap();
        assert_eq!(conf.storage.driver.as_deref(), Some("vfs"));
        let conf: StorageConf = toml::from_str(
            "[storage]\ndriver = \"overlay\"\n[storage.options.overlay]\nmount_program = \"/usr/bin/fuse-overlayfs\"\n",
        )
        .unwrap();
        assert_eq!(conf.driver("x").unwrap(), Some(Driver::FuseOverlay));
        assert_eq!(Driver::from_record("fuse-overlay"), Driver::FuseOverlay);
    }
}
