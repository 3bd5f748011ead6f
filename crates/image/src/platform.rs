//! Target platforms for choosing an entry of a manifest list or image index.
//!
//! Contract: names follow the OCI image-spec (`GOOS`/`GOARCH` spelling: `amd64`, `arm64`,
//! `386`, ...). [`Platform::matches`] compares os and architecture exactly and the variant only
//! when the wanted platform names one, treating an absent arm64 variant as `v8` because
//! registries list arm64 images both ways.

use std::fmt;

/// A `--platform` value that is not `os/arch[/variant]`.
#[derive(Debug, thiserror::Error)]
#[error("invalid platform {input:?}: use os/arch[/variant], e.g. linux/arm64/v8")]
pub struct InvalidPlatform {
    pub input: String,
}

/// An OS/architecture pair, e.g. `linux/arm64/v8`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl Platform {
    /// The platform this binary runs on, in OCI spelling.
    pub fn host() -> Platform {
        let (architecture, variant) = match std::env::consts::ARCH {
            "x86_64" => ("amd64", None),
            "aarch64" => ("arm64", None),
            "arm" => ("arm", Some("v7")),
            "x86" => ("386", None),
            "powerpc64" if cfg!(target_endian = "little") => ("ppc64le", None),
            "powerpc64" => ("ppc64", None),
            "s390x" => ("s390x", None),
            "riscv64" => ("riscv64", None),
            other => (other, None),
        };
        Platform {
            os: "linux".to_string(),
            architecture: architecture.to_string(),
            variant: variant.map(str::to_string),
        }
    }

    /// Parses `os/arch[/variant]` as given to `--platform`. Common aliases (`x86_64`,
    /// `aarch64`) are accepted because users copy them from `uname -m`.
    pub fn parse(s: &str) -> Result<Platform, InvalidPlatform> {
        let invalid = || InvalidPlatform {
            input: s.to_string(),
        };
        let mut parts = s.split('/');
        let (Some(os), Some(arch)) = (parts.next(), parts.next()) else {
            return Err(invalid());
        };
        let variant = parts.next();
        let well_formed = |p: &str| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        };
        if parts.next().is_some()
            || !well_formed(os)
            || !well_formed(arch)
            || !variant.is_none_or(well_formed)
        {
            return Err(invalid());
        }
        let architecture = match arch {
            "x86_64" | "x86-64" => "amd64",
            "aarch64" => "arm64",
            "i386" | "i686" => "386",
            other => other,
        };
        Ok(Platform {
            os: os.to_string(),
            architecture: architecture.to_string(),
            variant: variant.map(str::to_string),
        })
    }

    /// Whether an index entry for `os`/`architecture`/`variant` satisfies this platform.
    pub fn matches(&self, os: &str, architecture: &str, variant: Option<&str>) -> bool {
        if self.os != os || self.architecture != architecture {
            return false;
        }
        let Some(wanted) = self.variant.as_deref() else {
            return true;
        };
        match variant {
            Some(v) => v == wanted,
            None => architecture == "arm64" && wanted == "v8",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(variant) = &self.variant {
            write!(f, "/{variant}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_is_linux_in_oci_spelling() {
        let host = Platform::host();
        assert_eq!(host.os, "linux");
        assert!(!host.architecture.contains('_'), "{host}");
        if cfg!(target_arch = "x86_64") {
            assert_eq!(host.to_string(), "linux/amd64");
        }
    }

    #[test]
    fn parse_forms() {
        let p = Platform::parse("linux/arm64/v8").unwrap();
        assert_eq!(
            (p.os.as_str(), p.architecture.as_str(), p.variant.as_deref()),
            ("linux", "arm64", Some("v8"))
        );
        assert_eq!(p.to_string(), "linux/arm64/v8");
        assert_eq!(
            Platform::parse("linux/x86_64").unwrap().to_string(),
            "linux/amd64"
        );
        assert_eq!(
            Platform::parse("linux/aarch64").unwrap().to_string(),
            "linux/arm64"
        );
        for bad in [
            "",
            "linux",
            "linux/",
            "/amd64",
            "linux/amd64/v1/x",
            "Linux/amd64",
        ] {
            let err = Platform::parse(bad).unwrap_err().to_string();
            assert!(err.contains(&format!("{bad:?}")), "{err}");
        }
    }

    #[test]
    fn matching() {
        let any_arm64 = Platform::parse("linux/arm64").unwrap();
        assert!(any_arm64.matches("linux", "arm64", Some("v8")));
        assert!(any_arm64.matches("linux", "arm64", None));
        assert!(!any_arm64.matches("linux", "amd64", None));
        assert!(!any_arm64.matches("windows", "arm64", None));
        let v8 = Platform::parse("linux/arm64/v8").unwrap();
        assert!(v8.matches("linux", "arm64", None));
        let v7 = Platform::parse("linux/arm/v7").unwrap();
        assert!(v7.matches("linux", "arm", Some("v7")));
        assert!(!v7.matches("linux", "arm", Some("v6")));
        assert!(!v7.matches("linux", "arm", None));
    }
}
