//! Tests against a real `docker-registry` (distribution 2.8) on a loopback port.
//!
//! Each test starts its own registry in a temp dir and kills it on drop. When the binary is not
//! installed the network tests say so and pass, so a machine without it still builds.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::*;

const REGISTRY_BIN: &str = "/usr/bin/docker-registry";

struct TestRegistry {
    child: Child,
    dir: tempfile::TempDir,
    addr: String,
}

impl TestRegistry {
    fn start() -> Option<TestRegistry> {
        if !Path::new(REGISTRY_BIN).exists() {
            // CI installs the registry: there a missing one is a failure,
            // not a reason to skip.
            assert!(
                std::env::var_os("RSP_REQUIRE_REGISTRY").is_none(),
                "{REGISTRY_BIN} is missing: apt-get install docker-registry"
            );
            eprintln!(
                "skipping: {REGISTRY_BIN} is not installed (apt-get install docker-registry)"
            );
            return None;
        }
        // The port is free when probed but may be taken before the registry binds it; retry.
        for _ in 0..5 {
            let dir = tempfile::tempdir().unwrap();
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let addr = format!("127.0.0.1:{port}");
            let config = dir.path().join("config.yml");
            std::fs::write(
                &config,
                format!(
                    "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    \
                     rootdirectory: {}\nhttp:\n  addr: {addr}\n",
                    dir.path().join("data").display()
                ),
            )
            .unwrap();
            let log = std::fs::File::create(dir.path().join("registry.log")).unwrap();
            let mut child = Command::new(REGISTRY_BIN)
                .arg("serve")
                .arg(&config)
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .unwrap();
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                if TcpStream::connect(&addr).is_ok() {
                    return Some(TestRegistry { child, dir, addr });
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("docker-registry did not start");
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn push_blob(&self, repo: &str, data: &[u8]) -> BlobRef {
        let digest = sha256_digest(data);
        let resp = ureq::post(&self.url(&format!("/v2/{repo}/blobs/uploads/")))
            .send_empty()
            .unwrap();
        let location = resp.headers()["location"].to_str().unwrap().to_string();
        let location = if location.starts_with('/') {
            self.url(&location)
        } else {
            location
        };
        let sep = if location.contains('?') { '&' } else { '?' };
        ureq::put(&format!("{location}{sep}digest={digest}"))
            .header("Content-Type", "application/octet-stream")
            .send(data)
            .unwrap();
        BlobRef {
            media_type: String::new(),
            digest,
            size: data.len() as i64,
        }
    }

    fn push_manifest(&self, repo: &str, tag: &str, media_type: &str, body: &[u8]) -> String {
        ureq::put(&self.url(&format!("/v2/{repo}/manifests/{tag}")))
            .header("Content-Type", media_type)
            .send(body)
            .unwrap();
        sha256_digest(body)
    }

    /// Where distribution's filesystem driver keeps a blob's bytes.
    fn blob_path(&self, digest: &str) -> PathBuf {
        let hex = digest.strip_prefix("sha256:").unwrap();
        self.dir
            .path()
            .join("data/docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }

    fn reference(&self, rest: &str) -> Reference {
        Reference::parse(&format!("{}/{rest}", self.addr)).unwrap()
    }
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Pushes a one-layer image; returns (manifest bytes, manifest digest, config, layer, layer bytes).
struct Pushed {
    manifest: Vec<u8>,
    digest: String,
    config: BlobRef,
    config_bytes: Vec<u8>,
    layer: BlobRef,
    layer_bytes: Vec<u8>,
}

fn push_image(reg: &TestRegistry, repo: &str, tag: &str, oci: bool, arch: &str) -> Pushed {
    let config_bytes = format!(
        r#"{{"architecture":"{arch}","os":"linux","rootfs":{{"type":"layers","diff_ids":[]}}}}"#
    )
    .into_bytes();
    let layer_bytes: Vec<u8> = (0..100_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 ^ arch.len() as u8)
        .collect();
    let (manifest_type, config_type, layer_type) = if oci {
        (
            OCI_MANIFEST,
            "application/vnd.oci.image.config.v1+json",
            "application/vnd.oci.image.layer.v1.tar+gzip",
        )
    } else {
        (
            DOCKER_MANIFEST_V2,
            "application/vnd.docker.container.image.v1+json",
            "application/vnd.docker.image.rootfs.diff.tar.gzip",
        )
    };
    let mut config = reg.push_blob(repo, &config_bytes);
    config.media_type = config_type.to_string();
    let mut layer = reg.push_blob(repo, &layer_bytes);
    layer.media_type = layer_type.to_string();
    let manifest = serde_json::to_vec_pretty(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": manifest_type,
        "config": {"mediaType": config.media_type, "digest": config.digest, "size": config.size},
        "layers": [{"mediaType": layer.media_type, "digest": layer.digest, "size": layer.size}],
    }))
    .unwrap();
    let digest = reg.push_manifest(repo, tag, manifest_type, &manifest);
    Pushed {
        manifest,
        digest,
        config,
        config_bytes,
        layer,
        layer_bytes,
    }
}

fn client(reference: &Reference, platform: &str) -> Registry {
    let opts = PullOptions {
        tls_verify: None,
        platform: Platform::parse(platform).unwrap(),
        auth: None,
        authfile: None,
    };
    let registry = Registry::new(reference, &opts, &RegistriesConf::default()).unwrap();
    assert!(registry.is_plain_http());
    registry
}

async fn fetch(
    registry: &Registry,
    reference: &Reference,
    blob: &BlobRef,
) -> Result<(Vec<u8>, u64), RegistryError> {
    let mut sink = Vec::new();
    let seen = AtomicU64::new(0);
    registry
        .fetch_blob(reference, blob, &mut sink, &|n| {
            seen.fetch_add(n, Ordering::Relaxed);
        })
        .await?;
    Ok((sink, seen.into_inner()))
}

fn check_resolved(resolved: &Resolved, pushed: &Pushed, media_type: &str) {
    assert_eq!(resolved.manifest_media_type, media_type);
    assert_eq!(resolved.manifest_bytes, pushed.manifest);
    assert_eq!(resolved.manifest_digest, pushed.digest);
    assert_eq!(resolved.config, pushed.config);
    assert_eq!(resolved.config_bytes, pushed.config_bytes);
    assert_eq!(resolved.layers, std::slice::from_ref(&pushed.layer));
}

#[tokio::test]
async fn schema2_and_oci_manifests() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    for (tag, oci, media_type) in [
        ("v2", false, DOCKER_MANIFEST_V2),
        ("oci", true, OCI_MANIFEST),
    ] {
        let pushed = push_image(&reg, "test/img", tag, oci, "amd64");
        let reference = reg.reference(&format!("test/img:{tag}"));
        let registry = client(&reference, "linux/amd64");
        let resolved = registry.resolve(&reference).await.unwrap();
        check_resolved(&resolved, &pushed, media_type);
        let (bytes, seen) = fetch(&registry, &reference, &resolved.layers[0])
            .await
            .unwrap();
        assert_eq!(bytes, pushed.layer_bytes);
        assert_eq!(seen, pushed.layer_bytes.len() as u64);
    }
}

#[tokio::test]
async fn index_selects_platform() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let amd = push_image(&reg, "multi", "amd64-only", true, "amd64");
    let arm = push_image(&reg, "multi", "arm64-only", true, "arm64");
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [
            {"mediaType": OCI_MANIFEST, "digest": amd.digest, "size": amd.manifest.len(),
             "platform": {"os": "linux", "architecture": "amd64"}},
            {"mediaType": OCI_MANIFEST, "digest": arm.digest, "size": arm.manifest.len(),
             "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}},
            {"mediaType": OCI_MANIFEST, "digest": amd.digest, "size": amd.manifest.len(),
             "platform": {"os": "unknown", "architecture": "unknown"}},
        ],
    }))
    .unwrap();
    let index_digest = reg.push_manifest("multi", "latest", OCI_INDEX, &index);
    let reference = reg.reference("multi");

    let resolved = client(&reference, "linux/amd64")
        .resolve(&reference)
        .await
        .unwrap();
    check_resolved(&resolved, &amd, OCI_MANIFEST);

    for platform in ["linux/arm64", "linux/arm64/v8"] {
        let resolved = client(&reference, platform)
            .resolve(&reference)
            .await
            .unwrap();
        check_resolved(&resolved, &arm, OCI_MANIFEST);
    }

    // The index pinned by digest resolves the same way.
    let pinned = reg.reference(&format!("multi@{index_digest}"));
    let resolved = client(&pinned, "linux/arm64")
        .resolve(&pinned)
        .await
        .unwrap();
    assert_eq!(resolved.manifest_digest, arm.digest);

    let err = client(&reference, "linux/s390x")
        .resolve(&reference)
        .await
        .unwrap_err();
    let RegistryError::NoMatchingPlatform { available, .. } = &err else {
        panic!("unexpected {err:?}");
    };
    assert_eq!(available, &["linux/amd64", "linux/arm64/v8"]);
    let msg = err.to_string();
    assert!(
        msg.contains("linux/s390x") && msg.contains("--platform"),
        "{msg}"
    );
}

#[tokio::test]
async fn pull_by_digest() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let pushed = push_image(&reg, "bydigest", "t", false, "amd64");
    for spec in [
        format!("bydigest@{}", pushed.digest),
        format!("bydigest:t@{}", pushed.digest),
    ] {
        let reference = reg.reference(&spec);
        let resolved = client(&reference, "linux/amd64")
            .resolve(&reference)
            .await
            .unwrap();
        check_resolved(&resolved, &pushed, DOCKER_MANIFEST_V2);
        assert_eq!(resolved.reference, reference);
    }
    let unknown = reg.reference(&format!("bydigest@sha256:{}", "0".repeat(64)));
    let err = client(&unknown, "linux/amd64")
        .resolve(&unknown)
        .await
        .unwrap_err();
    assert!(matches!(err, RegistryError::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn blob_mismatches_are_detected() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let data = b"some layer content".repeat(1000);
    let blob = reg.push_blob("blobs", &data);
    let reference = reg.reference("blobs");
    let registry = client(&reference, "linux/amd64");
    assert_eq!(fetch(&registry, &reference, &blob).await.unwrap().0, data);

    for size in [blob.size - 1, blob.size + 1] {
        let wrong_size = BlobRef {
            size,
            ..blob.clone()
        };
        let err = fetch(&registry, &reference, &wrong_size).await.unwrap_err();
        assert!(
            matches!(err, RegistryError::DigestMismatch { .. }),
            "{size}: {err:?}"
        );
    }

    // A digest the registry does not have.
    let unknown = BlobRef {
        digest: sha256_digest(b"never pushed"),
        ..blob.clone()
    };
    let err = fetch(&registry, &reference, &unknown).await.unwrap_err();
    assert!(matches!(err, RegistryError::BlobNotFound { .. }), "{err:?}");
    assert!(err.to_string().contains(&unknown.digest), "{err}");

    // Content that no longer matches its digest, as a corrupt or malicious registry serves it.
    let mut tampered = data.clone();
    tampered[0] ^= 0xff;
    std::fs::write(reg.blob_path(&blob.digest), &tampered).unwrap();
    let err = fetch(&registry, &reference, &blob).await.unwrap_err();
    let RegistryError::DigestMismatch {
        actual,
        actual_size,
        ..
    } = &err
    else {
        panic!("unexpected {err:?}");
    };
    assert_eq!(actual, &sha256_digest(&tampered));
    assert_eq!(*actual_size, data.len() as u64);
    assert!(err.to_string().contains(&blob.digest), "{err}");

    let bad = BlobRef {
        digest: "sha512:abc".into(),
        ..blob.clone()
    };
    let err = fetch(&registry, &reference, &bad).await.unwrap_err();
    assert!(
        matches!(err, RegistryError::InvalidDescriptor { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn corrupt_config_is_detected() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let pushed = push_image(&reg, "cfg", "latest", true, "amd64");
    let mut tampered = pushed.config_bytes.clone();
    tampered[1] ^= 0x20;
    std::fs::write(reg.blob_path(&pushed.config.digest), &tampered).unwrap();
    let reference = reg.reference("cfg");
    let err = client(&reference, "linux/amd64")
        .resolve(&reference)
        .await
        .unwrap_err();
    assert!(
        matches!(err, RegistryError::DigestMismatch { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn missing_images_are_reported() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    push_image(&reg, "present", "v1", false, "amd64");
    for spec in ["present:v2", "absent:latest"] {
        let reference = reg.reference(spec);
        let err = client(&reference, "linux/amd64")
            .resolve(&reference)
            .await
            .unwrap_err();
        assert!(matches!(err, RegistryError::NotFound { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!(
                "pulling {}/{spec}: image not found: check the name and tag",
                reg.addr
            )
        );
    }
}

#[tokio::test]
async fn parallel_downloads_share_one_client() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let pushed = push_image(&reg, "par", "latest", true, "amd64");
    let reference = reg.reference("par");
    let registry = client(&reference, "linux/amd64");
    let resolved = registry.resolve(&reference).await.unwrap();
    let blobs = [resolved.config.clone(), resolved.layers[0].clone()];
    let total = std::sync::Arc::new(Mutex::new(0u64));
    let tasks: Vec<_> = blobs
        .iter()
        .cloned()
        .map(|blob| {
            let registry = registry.clone();
            let reference = reference.clone();
            let total = total.clone();
            tokio::spawn(async move {
                let mut sink = Vec::new();
                registry
                    .fetch_blob(&reference, &blob, &mut sink, &|n| {
                        *total.lock().unwrap() += n;
                    })
                    .await
                    .map(|()| sink)
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap().unwrap());
    }
    assert_eq!(
        results,
        [pushed.config_bytes.clone(), pushed.layer_bytes.clone()]
    );
    assert_eq!(
        *total.lock().unwrap(),
        (pushed.config_bytes.len() + pushed.layer_bytes.len()) as u64
    );
}

#[tokio::test]
async fn basic_credentials_are_harmless_without_auth() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let pushed = push_image(&reg, "auth", "latest", true, "amd64");
    let reference = reg.reference("auth");
    let opts = PullOptions {
        tls_verify: None,
        platform: Platform::parse("linux/amd64").unwrap(),
        auth: Some(("user".into(), "secret".into())),
        authfile: None,
    };
    let registry = Registry::new(&reference, &opts, &RegistriesConf::default()).unwrap();
    assert!(!format!("{registry:?}").contains("secret"));
    assert!(!format!("{opts:?}").contains("secret"));
    let resolved = registry.resolve(&reference).await.unwrap();
    check_resolved(&resolved, &pushed, OCI_MANIFEST);
}

#[tokio::test]
async fn tls_against_plain_http_suggests_tls_verify_false() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let reference = reg.reference("x");
    let opts = PullOptions {
        tls_verify: Some(true),
        ..PullOptions::default()
    };
    let registry = Registry::new(&reference, &opts, &RegistriesConf::default()).unwrap();
    assert!(!registry.is_plain_http());
    let err = registry.resolve(&reference).await.unwrap_err();
    assert!(matches!(err, RegistryError::Tls { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains(&reg.addr) && msg.contains("--tls-verify=false"),
        "{msg}"
    );
}

#[tokio::test]
async fn unreachable_registry() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let reference = Reference::parse(&format!("127.0.0.1:{port}/x")).unwrap();
    let err = client(&reference, "linux/amd64")
        .resolve(&reference)
        .await
        .unwrap_err();
    assert!(matches!(err, RegistryError::Unreachable { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!("cannot reach registry 127.0.0.1:{port} ("))
            && msg.ends_with("): is it running?"),
        "{msg}"
    );
}

#[test]
fn http_or_https() {
    let conf = RegistriesConf {
        unqualified_search_registries: vec!["docker.io".into()],
        insecure: vec!["insecure.example:5000".into()],
    };
    let plain = |name: &str, tls_verify: Option<bool>| {
        let reference = Reference::parse(name).unwrap();
        let opts = PullOptions {
            tls_verify,
            ..PullOptions::default()
        };
        Registry::new(&reference, &opts, &conf)
            .unwrap()
            .is_plain_http()
    };
    for name in [
        "localhost/x",
        "localhost:5000/x",
        "LOCALHOST:1/x",
        "127.0.0.1/x",
        "127.1.2.3:5000/x",
        "[::1]/x",
        "[::1]:5000/x",
        "insecure.example:5000/x",
    ] {
        assert!(plain(name, None), "{name}");
        assert!(!plain(name, Some(true)), "{name}");
    }
    for name in [
        "alpine",
        "quay.io/x",
        "localhost.example.com/x",
        "128.0.0.1:5000/x",
        "[::2]:5000/x",
        "insecure.example/x",
        "insecure.example:5001/x",
    ] {
        assert!(!plain(name, None), "{name}");
        assert!(plain(name, Some(false)), "{name}");
    }
}

#[test]
fn manifest_classification() {
    let reference = Reference::parse("localhost/x").unwrap();
    let schema1 = br#"{"schemaVersion":1,"name":"x","tag":"latest","architecture":"amd64","fsLayers":[],"history":[]}"#;
    let err = parse_manifest(&reference, "sha256:x", schema1)
        .err()
        .unwrap();
    assert!(matches!(err, RegistryError::Schema1 { .. }), "{err:?}");
    assert!(err.to_string().contains("schema 1"), "{err}");

    let artifact =
        br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.artifact.manifest.v1+json"}"#;
    let err = parse_manifest(&reference, "sha256:x", artifact)
        .err()
        .unwrap();
    assert!(
        matches!(err, RegistryError::UnsupportedManifest { .. }),
        "{err:?}"
    );

    let d = format!("sha256:{}", "a".repeat(64));
    // OCI manifests may omit mediaType.
    let bare = format!(
        r#"{{"schemaVersion":2,"config":{{"mediaType":"c","digest":"{d}","size":2}},"layers":[]}}"#
    );
    let Ok(Manifest::Image(image)) = parse_manifest(&reference, "sha256:x", bare.as_bytes()) else {
        panic!("bare OCI manifest not recognised");
    };
    assert_eq!(image.media_type, OCI_MANIFEST);
    let bare_index = format!(r#"{{"schemaVersion":2,"manifests":[{{"digest":"{d}","size":2}}]}}"#);
    assert!(matches!(
        parse_manifest(&reference, "sha256:x", bare_index.as_bytes()),
        Ok(Manifest::Index(_))
    ));

    let bad_digest =
        r#"{"schemaVersion":2,"config":{"mediaType":"c","digest":"md5:00","size":2},"layers":[]}"#;
    assert!(matches!(
        parse_manifest(&reference, "sha256:x", bad_digest.as_bytes()),
        Err(RegistryError::InvalidDescriptor { .. })
    ));
    assert!(matches!(
        parse_manifest(&reference, "sha256:x", b"not json"),
        Err(RegistryError::BadManifest { .. })
    ));
}

#[test]
fn errors_are_reasonably_small() {
    // Results travel through many async frames; keep the error from bloating them.
    assert!(std::mem::size_of::<RegistryError>() <= 128);
}

/// A one-purpose HTTP server on a loopback port: answers every request
/// with `answer(path)` and records the requests' heads, for at most
/// `max` connections.
fn tiny_server(
    max: usize,
    answer: impl Fn(&str) -> String + Send + 'static,
) -> (u16, std::sync::Arc<Mutex<Vec<String>>>) {
    use std::io::{BufRead, BufReader, Write};
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let seen = std::sync::Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for conn in l.incoming().take(max) {
            let Ok(mut conn) = conn else { continue };
            let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
            let mut head = String::new();
            let mut r = BufReader::new(conn.try_clone().unwrap());
            while let Ok(n) = r.read_line(&mut head) {
                if n <= 2 {
                    break;
                }
            }
            let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
            log.lock().unwrap().push(head.clone());
            let _ = conn.write_all(answer(&path).as_bytes());
        }
    });
    (port, seen)
}

#[tokio::test]
async fn a_challenge_from_where_a_redirect_led_gets_no_credentials() {
    // The token service: must never be asked.
    let (realm_port, realm_seen) = tiny_server(4, |_| {
        "HTTP/1.1 200 OK\r\nContent-Length: 15\r\nConnection: close\r\n\r\n{\"token\":\"t\"}\r\n"
            .into()
    });
    // A blob store the registry redirects to, which challenges.
    let (store_port, _) = tiny_server(4, move |_| {
        format!(
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"http://127.0.0.1:{realm_port}/token\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
    });
    let (reg_port, _) = tiny_server(4, move |path| {
        format!(
            "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{store_port}{path}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
    });
    let reference = Reference::parse(&format!("127.0.0.1:{reg_port}/lure:latest")).unwrap();
    let opts = PullOptions {
        tls_verify: None,
        platform: Platform::parse("linux/amd64").unwrap(),
        auth: Some(("user".into(), "secret".into())),
        authfile: None,
    };
    let registry = Registry::new(&reference, &opts, &RegistriesConf::default()).unwrap();
    let err = registry.resolve(&reference).await.unwrap_err().to_string();
    assert!(err.contains("not the registry"), "{err}");
    assert!(realm_seen.lock().unwrap().is_empty(), "the login went out");
}

#[tokio::test]
async fn credentials_never_go_to_a_plain_http_realm_of_an_https_registry() {
    let (realm_port, realm_seen) = tiny_server(1, |_| String::new());
    let challenge = format!("Bearer realm=\"http://127.0.0.1:{realm_port}/token\"");
    let http = http::client("registry.example").unwrap();
    let auth = RegistryAuth::Basic("user".into(), "secret".into());
    let err = http::fetch_token(&http, &challenge, &auth, "repository:x:pull", "u", false)
        .await
        .unwrap_err();
    assert!(matches!(err, http::Fail::InsecureRealm { .. }), "{err}");
    assert!(realm_seen.lock().unwrap().is_empty());
}
