//! Choosing the storage driver that builds containers' root filesystems.
//!
//! Contract: [`select`] gives the driver and why, in Podman's order of
//! precedence: `--storage-driver`, then `$STORAGE_DRIVER`, then `driver =`
//! in `storage.conf` (`$XDG_CONFIG_HOME/containers/storage.conf`, then
//! `/etc/containers/storage.conf`), then the default, `overlay`. An unknown
//! name is an error that lists the drivers rsp has. Each container records
//! the driver it was created with and keeps it.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    #[error("unknown storage driver {name:?} (from {from}): rsp has overlay and vfs")]
    Unknown { name: String, from: String },
    #[error("reading {path}: {source}: fix the file's TOML")]
    Conf {
        path: PathBuf,
        source: toml::de::Error,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Driver {
    /// The kernel's overlayfs, mounted inside the user namespace.
    Overlay,
    /// A plain copy of the layers per container.
    Vfs,
}

impl Driver {
    pub fn as_str(self) -> &'static str {
        match self {
            Driver::Overlay => "overlay",
            Driver::Vfs => "vfs",
        }
    }

    /// A recorded name; anything else (older records) is overlay.
    pub fn from_record(s: &str) -> Driver {
        if s == "vfs" {
            Driver::Vfs
        } else {
            Driver::Overlay
        }
    }

    fn parse(name: &str, from: &str) -> Result<Driver, DriverError> {
        match name {
            "overlay" | "overlay2" => Ok(Driver::Overlay),
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

/// The driver to use, and where that choice came from.
pub fn select(flag: Option<&str>) -> Result<(Driver, String), DriverError> {
    if let Some(f) = flag {
        return Ok((
            Driver::parse(f, "--storage-driver")?,
            "--storage-driver".into(),
        ));
    }
    if let Ok(e) = std::env::var("STORAGE_DRIVER")
        && !e.is_empty()
    {
        return Ok((
            Driver::parse(&e, "$STORAGE_DRIVER")?,
            "$STORAGE_DRIVER".into(),
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
        if let Some(d) = conf.storage.driver.filter(|d| !d.is_empty()) {
            let from = path.display().to_string();
            return Ok((Driver::parse(&d, &from)?, from));
        }
    }
    Ok((Driver::Overlay, "default".into()))
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
        assert!(e.contains("btrfs") && e.contains("overlay and vfs"), "{e}");
        assert_eq!(Driver::from_record(""), Driver::Overlay);
        let conf: StorageConf = toml::from_str("[storage]\ndriver = \"vfs\"\n").unwrap();
        assert_eq!(conf.storage.driver.as_deref(), Some("vfs"));
    }
}
