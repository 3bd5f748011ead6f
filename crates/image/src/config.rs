//! The OCI / Docker image configuration (the config blob), parsed leniently:
//! unknown fields are kept for `inspect`, missing ones are empty.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ImageConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Docker's image comment (`commit -m`); OCI configs have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub os: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    #[serde(default)]
    pub config: ContainerConfig,
    #[serde(default)]
    pub rootfs: RootFs,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<serde_json::Value>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RootFs {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub diff_ids: Vec<String>,
}

/// The part of the config that says how to run the image.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exposed_ports: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volumes: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_signal: Option<String>,
}

impl ImageConfig {
    /// The image's comment: the config's own (Docker's, set by `commit
    /// -m`) or else the newest history entry's, as Podman shows it.
    pub fn comment(&self) -> &str {
        self.comment
            .as_deref()
            .filter(|c| !c.is_empty())
            .or_else(|| {
                self.history
                    .last()
                    .and_then(|h| h.get("comment"))
                    .and_then(serde_json::Value::as_str)
            })
            .unwrap_or_default()
    }

    pub fn parse(data: &[u8]) -> Result<ImageConfig, serde_json::Error> {
        serde_json::from_slice(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_is_the_configs_own_else_the_newest_historys() {
        let own: ImageConfig =
            serde_json::from_str(r#"{"comment":"mine","history":[{"comment":"old"}]}"#).unwrap();
        assert_eq!(own.comment(), "mine");
        let from_history: ImageConfig =
            serde_json::from_str(r#"{"comment":"","history":[{"comment":"a"},{"comment":"b"}]}"#)
                .unwrap();
        assert_eq!(from_history.comment(), "b");
        assert_eq!(ImageConfig::default().comment(), "");
        // Read and written back, the comment survives.
        let again: ImageConfig =
            serde_json::from_str(&serde_json::to_string(&own).unwrap()).unwrap();
        assert_eq!(again.comment.as_deref(), Some("mine"));
    }
}

/// Property tests (issue 18): config blobs from registries and archives
/// are untrusted; any bytes, and valid configs mutated, must parse or be
/// refused without panicking, and what parses must write back out as
/// JSON that parses to the same thing.
#[cfg(test)]
mod fuzz_tests {
    use super::*;
    use rsp_base::testing::fuzz;

    const SAMPLE: &str = r#"{"created":"2024-01-01T00:00:00Z","architecture":"amd64","os":"linux",
        "config":{"User":"1000:1000","ExposedPorts":{"80/tcp":{}},"Env":["PATH=/bin","A=b"],
        "Entrypoint":["/bin/sh","-c"],"Cmd":["echo hi"],"Volumes":{"/data":{}},
        "WorkingDir":"/w","Labels":{"k":"v"},"StopSignal":"SIGTERM"},
        "rootfs":{"type":"layers","diff_ids":["sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"]},
        "history":[{"created_by":"x","empty_layer":true},{"comment":"c"}]}"#;

    #[test]
    fn issue18_image_config_parse_never_panics() {
        fuzz::run("image-config", 20_000, |rng| {
            let bytes = if rng.chance(10) {
                let n = rng.size(200);
                rng.bytes(n)
            } else {
                let mut b = SAMPLE.as_bytes().to_vec();
                for _ in 0..1 + rng.below(4) {
                    rng.mutate(&mut b);
                }
                b
            };
            let Ok(config) = ImageConfig::parse(&bytes) else {
                return;
            };
            let _ = config.comment();
            let out = serde_json::to_vec(&config).expect("a parsed config serializes");
            let again = ImageConfig::parse(&out).expect("a written config parses");
            assert_eq!(serde_json::to_vec(&again).unwrap(), out);
        });
    }
}
