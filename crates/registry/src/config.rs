//! The parts of `registries.conf` that pulling needs.
//!
//! Contract: [`RegistriesConf::load`] reads `$XDG_CONFIG_HOME/containers/registries.conf`
//! (default `~/.config/containers/registries.conf`) if it exists, else
//! `/etc/containers/registries.conf`, else uses built-in defaults. Only the first file found is
//! read and drop-in `registries.conf.d` directories are not. From Podman's v2 format it takes
//! `unqualified-search-registries` and `[[registry]]` tables' `location`/`prefix` and
//! `insecure`; it also accepts the v1 `[registries.search]`/`[registries.insecure]` tables.
//! Other keys are ignored. When no file sets search registries, Docker Hub is searched; an
//! explicitly empty list means short names cannot be resolved.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::RegistryError;
use rsp_image::reference::{DEFAULT_REGISTRY, Reference};

const SYSTEM_PATH: &str = "/etc/containers/registries.conf";

/// Search and TLS settings from `registries.conf`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistriesConf {
    /// Registries tried in order for names without a registry.
    pub unqualified_search_registries: Vec<String>,
    /// Registry locations (or `*.domain` prefixes) reached over plain HTTP.
    pub insecure: Vec<String>,
}

impl Default for RegistriesConf {
    fn default() -> Self {
        RegistriesConf {
            unqualified_search_registries: vec![DEFAULT_REGISTRY.to_string()],
            insecure: Vec::new(),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case", default)]
struct FileV2 {
    unqualified_search_registries: Option<Vec<String>>,
    registry: Vec<RegistryTable>,
    registries: V1Tables,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RegistryTable {
    location: Option<String>,
    prefix: Option<String>,
    insecure: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct V1Tables {
    search: V1List,
    insecure: V1List,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct V1List {
    registries: Vec<String>,
}

impl RegistriesConf {
    /// Loads the user's file, else the system file, else the defaults.
    pub fn load() -> Result<Self, RegistryError> {
        match user_path().filter(|p| p.exists()) {
            Some(path) => Self::load_from(&path),
            None if Path::new(SYSTEM_PATH).exists() => Self::load_from(Path::new(SYSTEM_PATH)),
            None => Ok(Self::default()),
        }
    }

    /// Loads `path`, which must exist and parse.
    pub fn load_from(path: &Path) -> Result<Self, RegistryError> {
        let text = std::fs::read_to_string(path).map_err(|source| RegistryError::ConfigRead {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text).map_err(|source| RegistryError::ConfigParse {
            path: path.to_path_buf(),
            source: Box::new(source),
        })
    }

    fn parse(text: &str) -> Result<Self, toml::de::Error> {
        let file: FileV2 = toml::from_str(text)?;
        let search = file.unqualified_search_registries.unwrap_or_else(|| {
            if file.registries.search.registries.is_empty() {
                vec![DEFAULT_REGISTRY.to_string()]
            } else {
                file.registries.search.registries
            }
        });
        let mut insecure = file.registries.insecure.registries;
        insecure.extend(
            file.registry
                .into_iter()
                .filter(|r| r.insecure)
                .filter_map(|r| r.prefix.or(r.location)),
        );
        Ok(RegistriesConf {
            unqualified_search_registries: search,
            insecure,
        })
    }

    /// The references to try for `input`: just itself when it names a registry, otherwise
    /// one per search registry, in order.
    pub fn candidates(&self, input: &str) -> Result<Vec<Reference>, RegistryError> {
        let (reference, qualified) = Reference::parse_with_qualified(input)?;
        if qualified {
            return Ok(vec![reference]);
        }
        if self.unqualified_search_registries.is_empty() {
            return Err(RegistryError::NoSearchRegistries {
                input: input.to_string(),
            });
        }
        Ok(self
            .unqualified_search_registries
            .iter()
            .map(|registry| reference.with_registry(registry))
            .collect())
    }

    /// Whether `registry` (`host[:port]`) is marked insecure. An entry matches the registry
    /// itself, any namespace under it (`host/ns` still means the host's TLS is off), or, for
    /// `*.domain`, any host under that domain.
    pub fn is_insecure(&self, registry: &str) -> bool {
        self.insecure.iter().any(|entry| {
            let host = entry.split('/').next().unwrap_or(entry);
            match host.strip_prefix("*.") {
                Some(domain) => registry
                    .strip_suffix(domain)
                    .is_some_and(|sub| sub.ends_with('.') && sub.len() > 1),
                None => host == registry,
            }
        })
    }
}

fn user_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|home| PathBuf::from(home).join(".config"))
        })?;
    Some(base.join("containers/registries.conf"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registries.conf");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn v2_file() {
        let (_dir, path) = write(
            r#"
unqualified-search-registries = ["quay.io", "docker.io"]
short-name-mode = "permissive"

[[registry]]
location = "localhost:5000"
insecure = true

[[registry]]
location = "registry.example.com"
blocked = false

[[registry]]
prefix = "*.corp.example"
location = "mirror.corp.example"
insecure = true

[[registry.mirror]]
location = "ignored.example"
"#,
        );
        let conf = RegistriesConf::load_from(&path).unwrap();
        assert_eq!(conf.unqualified_search_registries, ["quay.io", "docker.io"]);
        assert_eq!(conf.insecure, ["localhost:5000", "*.corp.example"]);
        assert!(conf.is_insecure("localhost:5000"));
        assert!(!conf.is_insecure("localhost:5001"));
        assert!(!conf.is_insecure("registry.example.com"));
        assert!(conf.is_insecure("a.corp.example"));
        assert!(!conf.is_insecure("corp.example"));
    }

    #[test]
    fn v1_file() {
        let (_dir, path) = write(
            r#"
[registries.search]
registries = ["r1.example"]
[registries.insecure]
registries = ["r2.example:5000"]
"#,
        );
        let conf = RegistriesConf::load_from(&path).unwrap();
        assert_eq!(conf.unqualified_search_registries, ["r1.example"]);
        assert!(conf.is_insecure("r2.example:5000"));
    }

    #[test]
    fn empty_file_means_docker_hub() {
        let (_dir, path) = write("# everything commented out\n");
        assert_eq!(
            RegistriesConf::load_from(&path).unwrap(),
            RegistriesConf::default()
        );
    }

    #[test]
    fn namespaced_location_marks_its_host() {
        let (_dir, path) = write("[[registry]]\nlocation = \"r.example/team\"\ninsecure = true\n");
        assert!(
            RegistriesConf::load_from(&path)
                .unwrap()
                .is_insecure("r.example")
        );
    }

    #[test]
    fn malformed_file_names_the_file() {
        let (_dir, path) = write("unqualified-search-registries = [\"a\"\n");
        let err = RegistriesConf::load_from(&path).unwrap_err();
        assert!(matches!(err, RegistryError::ConfigParse { .. }));
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );
        let (_dir, path) = write("unqualified-search-registries = \"docker.io\"\n");
        assert!(RegistriesConf::load_from(&path).is_err());
    }

    #[test]
    fn missing_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope.conf");
        let err = RegistriesConf::load_from(&path).unwrap_err();
        assert!(matches!(err, RegistryError::ConfigRead { .. }));
        assert!(err.to_string().contains("nope.conf"), "{err}");
    }

    #[test]
    fn candidates() {
        let conf = RegistriesConf {
            unqualified_search_registries: vec!["quay.io".into(), "docker.io".into()],
            insecure: vec![],
        };
        let names: Vec<String> = conf
            .candidates("alpine")
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            names,
            ["quay.io/alpine:latest", "docker.io/library/alpine:latest"]
        );
        let names: Vec<String> = conf
            .candidates("user/x:1")
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(names, ["quay.io/user/x:1", "docker.io/user/x:1"]);
        let qualified = conf.candidates("localhost:5000/x").unwrap();
        assert_eq!(qualified.len(), 1);
        assert_eq!(qualified[0].to_string(), "localhost:5000/x:latest");
        assert_eq!(
            RegistriesConf::default().candidates("alpine").unwrap()[0].to_string(),
            "docker.io/library/alpine:latest"
        );
        assert!(matches!(
            conf.candidates("Bad"),
            Err(RegistryError::InvalidReference(_))
        ));
        let none = RegistriesConf {
            unqualified_search_registries: vec![],
            insecure: vec![],
        };
        assert!(matches!(
            none.candidates("alpine"),
            Err(RegistryError::NoSearchRegistries { .. })
        ));
        assert_eq!(none.candidates("docker.io/alpine").unwrap().len(), 1);
    }
}
