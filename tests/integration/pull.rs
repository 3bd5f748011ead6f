//! `rsp pull` (issue 2): progress and output, manifest and layer formats,
//! platform selection, layer reuse, errors, short names, what lands in the
//! store, and what concurrent or killed pulls leave behind.
//!
//! The small helpers at the top are shared with `images.rs` and `hostile.rs`.

use crate::util::{self, Compression, Layer, Pushed, TestEnv};
use serde_json::Value;
use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

/// The hex part of a `sha256:` digest.
pub fn hex(digest: &str) -> &str {
    digest
        .strip_prefix("sha256:")
        .unwrap_or_else(|| panic!("{digest:?} is not a sha256 digest"))
}

/// `<root>/layers/<hex>`, the directory of an unpacked layer.
pub fn layer_dir(env: &TestEnv, diff_id: &str) -> PathBuf {
    env.root().join("layers").join(hex(diff_id))
}

/// `rsp pull -q REFERENCE`; returns the printed image ID.
pub fn pull_quiet(env: &TestEnv, reference: &str) -> String {
    env.rsp()
        .args(["pull", "-q", reference])
        .ok()
        .trim()
        .to_string()
}

/// The image records in `<root>/images.json` (empty if there is none).
pub fn stored_images(env: &TestEnv) -> Vec<Value> {
    let path = env.root().join("images.json");
    let Ok(data) = fs::read(&path) else {
        return Vec::new();
    };
    let db: Value = serde_json::from_slice(&data)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    db["images"].as_array().cloned().unwrap_or_default()
}

/// Names of the entries in `<root>/tmp`.
pub fn tmp_entries(env: &TestEnv) -> Vec<String> {
    match fs::read_dir(env.root().join("tmp")) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Lines of `rsp images -q`.
pub fn image_ids(env: &TestEnv) -> Vec<String> {
    env.rsp()
        .args(["images", "-q"])
        .ok()
        .lines()
        .map(str::to_string)
        .collect()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts that a failed rsp printed exactly one `Error: ` line on stderr
/// and that it contains `needle`; returns that line.
#[track_caller]
pub fn assert_one_error_line(out: &Output, needle: &str) -> String {
    let err = stderr(out);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    let errors: Vec<&&str> = lines.iter().filter(|l| l.starts_with("Error: ")).collect();
    assert_eq!(
        errors.len(),
        1,
        "expected one `Error:` line\n{}",
        util::show_output(out)
    );
    assert_eq!(
        lines.last(),
        errors.first().copied(),
        "the `Error:` line must be the last thing on stderr\n{}",
        util::show_output(out)
    );
    assert!(
        errors[0].contains(needle),
        "error should mention {needle:?}\n{}",
        util::show_output(out)
    );
    errors[0].to_string()
}

fn is_full_id(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[test]
fn issue2_pull_by_tag_prints_progress_on_stderr_and_id_last_on_stdout() {
    let reg = util::shared();
    let pushed = util::busybox_image().push(reg, "pull-by-tag", "v1");
    let env = TestEnv::new();
    let out = env.rsp().args(["pull", &pushed.reference]).output();
    assert!(out.status.success(), "{}", util::show_output(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    assert_eq!(last, hex(&pushed.config_digest), "stdout: {stdout}");
    assert!(is_full_id(last));
    let err = stderr(&out);
    for expected in [
        format!("Trying to pull {}", pushed.reference),
        "Copying blob".to_string(),
        "Copying config".to_string(),
        "Writing manifest".to_string(),
    ] {
        assert!(err.contains(&expected), "no {expected:?} in stderr:\n{err}");
    }
    // Not a terminal: plain lines, no progress-bar escape sequences.
    assert!(
        !err.contains('\x1b'),
        "escape sequences on stderr:\n{err:?}"
    );
}

#[test]
fn issue2_pull_quiet_prints_only_the_id() {
    let reg = util::shared();
    let pushed = util::busybox_image().push(reg, "pull-quiet", "latest");
    let env = TestEnv::new();
    let out = env.rsp().args(["pull", "-q", &pushed.reference]).output();
    assert!(out.status.success(), "{}", util::show_output(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{}\n", hex(&pushed.config_digest))
    );
    assert_eq!(stderr(&out), "", "-q must not print progress");
}

#[test]
fn issue2_pull_stores_layers_and_image_record() {
    let reg = util::shared();
    let pushed = util::multilayer_image().push(reg, "pull-store-layout", "v1");
    let env = TestEnv::new();
    let id = pull_quiet(&env, &pushed.reference);
    assert_eq!(id, hex(&pushed.config_digest));
    for diff_id in &pushed.diff_ids {
        assert!(
            layer_dir(&env, diff_id).is_dir(),
            "layer {diff_id} not unpacked"
        );
    }
    let busybox = fs::metadata(layer_dir(&env, &pushed.diff_ids[0]).join("bin/busybox"))
        .expect("bin/busybox in the base layer");
    assert_eq!(busybox.len(), fs::metadata("/bin/busybox").unwrap().len());
    assert_eq!(
        fs::read(layer_dir(&env, &pushed.diff_ids[1]).join("keep/k1")).unwrap(),
        b"k1\n"
    );

    let images = stored_images(&env);
    assert_eq!(images.len(), 1, "images.json: {images:?}");
    let rec = &images[0];
    assert_eq!(rec["id"], id.as_str());
    assert_eq!(rec["names"], serde_json::json!([pushed.reference]));
    assert_eq!(rec["manifest_digest"], pushed.manifest_digest.as_str());
    assert_eq!(rec["layers"], serde_json::json!(pushed.diff_ids));
    assert!(tmp_entries(&env).is_empty(), "{:?}", tmp_entries(&env));
}

#[test]
fn issue2_pull_by_digest() {
    let reg = util::shared();
    let pushed =
        util::busybox_image()
            .label("test", "pull-by-digest")
            .push(reg, "pull-by-digest", "v1");
    let by_digest = format!("{}/pull-by-digest@{}", reg.addr, pushed.manifest_digest);
    let env = TestEnv::new();
    let out = env.rsp().args(["pull", &by_digest]).output();
    assert!(out.status.success(), "{}", util::show_output(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().last(), Some(hex(&pushed.config_digest)));
    env.rsp().args(["image", "exists", &by_digest]).code(0);
    let rec = &stored_images(&env)[0];
    assert_eq!(rec["manifest_digest"], pushed.manifest_digest.as_str());
    assert_eq!(rec["digests"], serde_json::json!([by_digest]));
}

#[test]
fn issue2_pull_by_digest_that_does_not_exist_fails() {
    let reg = util::shared();
    util::busybox_image().push(reg, "pull-missing-digest", "v1");
    let missing = format!("{}/pull-missing-digest@sha256:{}", reg.addr, "0".repeat(64));
    let env = TestEnv::new();
    let out = env.rsp().args(["pull", &missing]).code(125);
    assert_one_error_line(&out, "pull-missing-digest");
    assert!(stored_images(&env).is_empty());
}

/// Pushes an image with busybox and a small layer in `compression`,
/// pulls it and checks both layers' content and the ID.
fn pull_format(repo: &str, oci: bool, compression: Compression) {
    let reg = util::shared();
    let pushed = util::busybox_image()
        .layer(Layer::new().file("/etc/format", 0o644, repo.as_bytes()))
        .oci(oci)
        .compression(compression)
        .push(reg, repo, "v1");
    let env = TestEnv::new();
    assert_eq!(
        pull_quiet(&env, &pushed.reference),
        hex(&pushed.config_digest)
    );
    assert_eq!(
        fs::read(layer_dir(&env, &pushed.diff_ids[1]).join("etc/format")).unwrap(),
        repo.as_bytes()
    );
    assert!(
        layer_dir(&env, &pushed.diff_ids[0])
            .join("bin/sh")
            .is_symlink()
    );
    let manifest_type = env
        .rsp()
        .args(["image", "inspect", "--format", "{{.ManifestType}}"])
        .arg(&pushed.reference)
        .ok();
    let expected = if oci {
        "application/vnd.oci.image.manifest.v1+json"
    } else {
        "application/vnd.docker.distribution.manifest.v2+json"
    };
    assert_eq!(manifest_type.trim(), expected);
}

#[test]
fn issue2_pull_docker_schema2_gzip() {
    pull_format("pull-docker-gzip", false, Compression::Gzip);
}

#[test]
fn issue2_pull_oci_gzip() {
    pull_format("pull-oci-gzip", true, Compression::Gzip);
}

#[test]
fn issue2_pull_oci_zstd() {
    pull_format("pull-oci-zstd", true, Compression::Zstd);
}

#[test]
fn issue2_pull_oci_uncompressed() {
    pull_format("pull-oci-uncompressed", true, Compression::None);
}

fn host_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64/v8",
        other => panic!("no test image for host architecture {other}"),
    }
}

#[test]
fn issue2_pull_index_picks_host_platform_or_platform_flag() {
    let reg = util::shared();
    for oci in [false, true] {
        let repo = format!("pull-index-{}", if oci { "oci" } else { "docker" });
        let index = util::push_index(
            reg,
            &repo,
            "multi",
            &[
                ("amd64", util::busybox_image().oci(oci)),
                ("arm64/v8", util::busybox_image().oci(oci)),
            ],
        );
        let id_of = |arch: &str| {
            let (_, p) = index.images.iter().find(|(a, _)| a == arch).unwrap();
            hex(&p.config_digest).to_string()
        };
        assert_ne!(id_of("amd64"), id_of("arm64/v8"));

        let env = TestEnv::new();
        assert_eq!(
            pull_quiet(&env, &index.reference),
            id_of(host_arch()),
            "default platform ({repo})"
        );

        let env = TestEnv::new();
        let arm = env
            .rsp()
            .args(["pull", "-q", "--platform", "linux/arm64", &index.reference])
            .ok();
        assert_eq!(arm.trim(), id_of("arm64/v8"), "--platform linux/arm64");
        let arch = env
            .rsp()
            .args(["image", "inspect", "--format", "{{.Architecture}}"])
            .arg(&index.reference)
            .ok();
        assert_eq!(arch.trim(), "arm64");

        let env = TestEnv::new();
        let amd = env
            .rsp()
            .args(["pull", "-q", "--platform", "linux/amd64", &index.reference])
            .ok();
        assert_eq!(amd.trim(), id_of("amd64"), "--platform linux/amd64");
    }
}

#[test]
fn issue2_pull_index_without_the_platform_fails_clearly() {
    let reg = util::shared();
    let index = util::push_index(
        reg,
        "pull-index-noplatform",
        "v1",
        &[("amd64", util::busybox_image())],
    );
    let env = TestEnv::new();
    let out = env
        .rsp()
        .args(["pull", "--platform", "linux/s390x", &index.reference])
        .code(125);
    assert_one_error_line(&out, "s390x");
    assert!(stored_images(&env).is_empty());
}

#[test]
fn issue2_pull_skips_layers_already_in_the_store() {
    let reg = util::shared();
    let base = util::busybox_image().push(reg, "pull-skip-base", "v1");
    let derived = util::uid33_image().push(reg, "pull-skip-derived", "v1");
    assert_eq!(base.diff_ids[0], derived.diff_ids[0], "shared base layer");
    let env = TestEnv::new();
    pull_quiet(&env, &base.reference);
    let base_layer = layer_dir(&env, &base.diff_ids[0]);
    let inode_before = fs::metadata(&base_layer).unwrap().ino();

    let out = env.rsp().args(["pull", &derived.reference]).output();
    assert!(out.status.success(), "{}", util::show_output(&out));
    let err = stderr(&out);
    let short = &hex(&derived.layer_digests[0])[..12];
    assert!(
        err.lines()
            .any(|l| l.contains(short) && l.contains("skipped: already exists")),
        "base layer {short} not reported as skipped:\n{err}"
    );
    let new_short = &hex(&derived.layer_digests[1])[..12];
    assert!(
        !err.lines()
            .any(|l| l.contains(new_short) && l.contains("skipped")),
        "new layer reported as skipped:\n{err}"
    );
    // The existing directory was left alone, not unpacked again.
    assert_eq!(fs::metadata(&base_layer).unwrap().ino(), inode_before);
    assert_eq!(image_ids(&env).len(), 2);
}

#[test]
fn issue2_pull_again_skips_every_layer_and_prints_the_id() {
    let reg = util::shared();
    let pushed = util::multilayer_image().push(reg, "pull-again", "v1");
    let env = TestEnv::new();
    pull_quiet(&env, &pushed.reference);
    let out = env.rsp().args(["pull", &pushed.reference]).output();
    assert!(out.status.success(), "{}", util::show_output(&out));
    let skipped = stderr(&out)
        .lines()
        .filter(|l| l.contains("skipped: already exists"))
        .count();
    assert_eq!(skipped, pushed.diff_ids.len(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().last(), Some(hex(&pushed.config_digest)));
    assert_eq!(stored_images(&env).len(), 1);
    assert_eq!(stored_images(&env)[0]["names"].as_array().unwrap().len(), 1);
}

/// busybox, `/twice`, `/between`, and the `/twice` layer again.
fn push_repeated_layer_image(repo: &str) -> Pushed {
    let extra = Layer::new().file("/twice", 0o644, b"twice\n");
    let pushed = util::busybox_image()
        .layer(extra.clone())
        .layer(Layer::new().file("/between", 0o644, b"b\n"))
        .layer(extra)
        .push(util::shared(), repo, "v1");
    assert_eq!(pushed.diff_ids[1], pushed.diff_ids[3]);
    pushed
}

#[test]
fn issue2_pull_image_listing_the_same_layer_twice() {
    let pushed = push_repeated_layer_image("pull-repeated-layer");
    let env = TestEnv::new();
    let out = env.rsp().args(["pull", &pushed.reference]).output();
    assert!(out.status.success(), "{}", util::show_output(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().last(), Some(hex(&pushed.config_digest)));
    // Fetched once: two unpacks of one layer in one process race on its
    // directory and `.size` file.
    let fetches = stderr(&out)
        .lines()
        .filter(|l| l.contains(hex(&pushed.layer_digests[1])) && !l.contains("skipped"))
        .count();
    assert_eq!(fetches, 1, "{}", stderr(&out));
    assert!(tmp_entries(&env).is_empty(), "{:?}", tmp_entries(&env));
    let layers = env
        .rsp()
        .args(["image", "inspect", "--format", "{{json .RootFS.Layers}}"])
        .arg(&pushed.reference)
        .ok();
    let layers: Vec<String> = serde_json::from_str(layers.trim()).unwrap();
    assert_eq!(layers, pushed.diff_ids);
    assert_eq!(
        fs::read(layer_dir(&env, &pushed.diff_ids[1]).join("twice")).unwrap(),
        b"twice\n"
    );
}

/// Layers are stored by diff ID, so a repeated layer is one directory; it
/// must not appear twice in overlayfs' `lowerdir` (the kernel refuses that
/// with ELOOP).
#[test]
fn issue2_run_image_listing_the_same_layer_twice() {
    let pushed = push_repeated_layer_image("run-repeated-layer");
    let env = TestEnv::new();
    pull_quiet(&env, &pushed.reference);
    let out = env
        .rsp()
        .args([
            "run",
            "--rm",
            &pushed.reference,
            "cat",
            "/twice",
            "/between",
        ])
        .ok();
    assert_eq!(out, "twice\nb\n");
}

#[test]
fn issue2_pull_missing_tag_fails_with_one_error_line() {
    let reg = util::shared();
    util::busybox_image().push(reg, "pull-missing-tag", "exists");
    let env = TestEnv::new();
    let reference = reg.reference("pull-missing-tag", "nope");
    let out = env.rsp().args(["pull", &reference]).code(125);
    assert_one_error_line(&out, &reference);
    assert!(stored_images(&env).is_empty());
    assert!(tmp_entries(&env).is_empty());
}

#[test]
fn issue2_pull_missing_repository_fails_with_one_error_line() {
    let reg = util::shared();
    let env = TestEnv::new();
    let reference = reg.reference("pull-no-such-repo", "latest");
    let out = env.rsp().args(["pull", &reference]).code(125);
    assert_one_error_line(&out, &reference);
    assert!(stored_images(&env).is_empty());
}

#[test]
fn issue2_pull_tls_verify_true_against_plain_http_registry_fails_clearly() {
    let reg = util::shared();
    let pushed = util::busybox_image().push(reg, "pull-tls-verify", "v1");
    let env = TestEnv::new();
    let out = env
        .rsp()
        .args(["pull", "--tls-verify=true", &pushed.reference])
        .code(125);
    let line = assert_one_error_line(&out, &reg.addr);
    assert!(
        line.contains("TLS") || line.contains("tls") || line.contains("HTTPS"),
        "error should say TLS/HTTPS is the problem: {line}"
    );
    assert!(stored_images(&env).is_empty());

    // And --tls-verify=false works against the same registry.
    env.rsp()
        .args(["pull", "-q", "--tls-verify=false", &pushed.reference])
        .ok();
}

#[test]
fn issue2_pull_short_name_uses_unqualified_search_registries() {
    let reg = util::shared();
    let pushed = util::busybox_image().push(reg, "pull-shortname-mybox", "latest");
    let env = TestEnv::new();
    env.write_registries_conf(&format!(
        "unqualified-search-registries = [\"{}\"]\n",
        reg.addr
    ));
    let out = env.rsp().args(["pull", "pull-shortname-mybox"]).output();
    assert!(out.status.success(), "{}", util::show_output(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().last(), Some(hex(&pushed.config_digest)));
    assert!(
        stderr(&out).contains(&pushed.reference),
        "should say which reference it tried:\n{}",
        stderr(&out)
    );
    let rec = &stored_images(&env)[0];
    assert_eq!(rec["names"], serde_json::json!([pushed.reference]));
    // And the short name finds it locally.
    env.rsp()
        .args(["image", "exists", "pull-shortname-mybox"])
        .code(0);
}

#[test]
fn issue2_pull_short_name_tries_each_search_registry() {
    let reg = util::shared();
    let pushed = util::busybox_image().push(reg, "pull-shortname-second", "v2");
    // An unused loopback port first: nothing listens there.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    let env = TestEnv::new();
    env.write_registries_conf(&format!(
        "unqualified-search-registries = [\"{dead}\", \"{}\"]\n",
        reg.addr
    ));
    assert_eq!(
        pull_quiet(&env, "pull-shortname-second:v2"),
        hex(&pushed.config_digest)
    );
}

#[test]
fn issue2_pull_whiteouts_become_overlay_whiteouts() {
    let reg = util::shared();
    let pushed = util::multilayer_image().push(reg, "pull-whiteouts", "v1");
    let env = TestEnv::new();
    pull_quiet(&env, &pushed.reference);
    let top = layer_dir(&env, &pushed.diff_ids[2]);

    let wh = fs::symlink_metadata(top.join("a")).expect("whiteout for /a");
    assert!(wh.file_type().is_char_device(), "{:?}", wh.file_type());
    assert_eq!(wh.rdev(), 0, "whiteout must be device 0:0");
    assert!(!top.join(".wh.a").exists());

    let opaque = xattr::get(top.join("d"), "user.overlay.opaque").expect("reading xattr");
    assert_eq!(opaque.as_deref(), Some(&b"y"[..]));
    assert!(!top.join("d/.wh..wh..opq").exists());
    assert_eq!(fs::read(top.join("d/z")).unwrap(), b"z\n");
    assert!(!top.join("d/x").exists());
}

#[test]
fn issue2_pull_records_image_owner_in_override_xattr() {
    let reg = util::shared();
    let pushed = util::uid33_image().push(reg, "pull-uid33", "v1");
    let env = TestEnv::new();
    pull_quiet(&env, &pushed.reference);
    let index = layer_dir(&env, &pushed.diff_ids[1]).join("var/www/index.html");
    let meta = fs::symlink_metadata(&index).unwrap();
    // SAFETY: plain getters.
    let (uid, gid) = unsafe { (libc::geteuid(), libc::getegid()) };
    assert_eq!(
        (meta.uid(), meta.gid()),
        (uid, gid),
        "owned by the test user"
    );
    let value = xattr::get(&index, "user.containers.override_stat").expect("reading xattr");
    assert_eq!(
        value.as_deref().map(String::from_utf8_lossy).as_deref(),
        Some("33:33:0640")
    );
    assert_eq!(fs::read(&index).unwrap(), b"hello from uid 33\n");
}

#[test]
fn issue2_concurrent_pulls_of_the_same_image_both_succeed() {
    let reg = util::shared();
    let pushed = util::big_image(24, 3).push(reg, "pull-concurrent", "v1");
    let env = TestEnv::new();
    let outputs: Vec<Output> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| s.spawn(|| env.rsp().args(["pull", &pushed.reference]).output()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for out in &outputs {
        assert!(out.status.success(), "{}", util::show_output(out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(stdout.lines().last(), Some(hex(&pushed.config_digest)));
    }
    assert_eq!(
        image_ids(&env),
        vec![hex(&pushed.config_digest)[..12].to_string()]
    );
    assert_eq!(stored_images(&env).len(), 1);
    assert!(tmp_entries(&env).is_empty(), "{:?}", tmp_entries(&env));
    for diff_id in &pushed.diff_ids {
        assert!(layer_dir(&env, diff_id).is_dir());
    }
    env.rsp()
        .args(["run", "--rm", &pushed.reference, "cat", "/etc/group"])
        .ok();
}

/// Total bytes of regular files under `dir` (0 if it does not exist).
fn bytes_under(dir: &Path) -> u64 {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => bytes_under(&e.path()),
            Ok(t) if t.is_file() => e.metadata().map(|m| m.len()).unwrap_or(0),
            _ => 0,
        })
        .sum()
}

#[test]
fn issue2_killed_pull_leaves_no_image_and_no_partial_layer() {
    const MB: usize = 160;
    const LAYERS: usize = 4;
    let reg = util::shared();
    let pushed = util::big_image(MB, LAYERS).push(reg, "pull-killed", "v1");
    let blob_len = ((MB << 20) / LAYERS) as u64;
    let env = TestEnv::new();

    let mut child = env
        .rsp()
        .args(["pull", &pushed.reference])
        .into_command()
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawning rsp pull");
    // Kill once the unpack has started writing layer data.
    let deadline = Instant::now() + Duration::from_secs(30);
    while bytes_under(&env.root().join("tmp")) < 4 << 20 {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("pull ended ({status}) before it could be killed: grow the image");
        }
        assert!(Instant::now() < deadline, "pull wrote nothing to tmp");
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "pull finished before the kill");

    assert!(image_ids(&env).is_empty(), "killed pull listed an image");
    assert!(stored_images(&env).is_empty());
    // Every layer directory present is one of the image's and complete.
    for entry in fs::read_dir(env.root().join("layers")).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.file_type().unwrap().is_dir() {
            continue;
        }
        let i = pushed
            .diff_ids
            .iter()
            .position(|d| hex(d) == name)
            .unwrap_or_else(|| panic!("unknown layer directory {name}"));
        if i > 0 {
            let blob = entry.path().join(format!("data/blob-{}", i - 1));
            assert_eq!(
                fs::metadata(&blob).map(|m| m.len()).ok(),
                Some(blob_len),
                "layer {i} is visible but incomplete"
            );
        } else {
            assert_eq!(
                fs::metadata(entry.path().join("bin/busybox"))
                    .unwrap()
                    .len(),
                fs::metadata("/bin/busybox").unwrap().len()
            );
        }
    }

    assert_eq!(
        pull_quiet(&env, &pushed.reference),
        hex(&pushed.config_digest)
    );
    assert!(
        tmp_entries(&env).is_empty(),
        "the next pull should clean up the killed one's tmp: {:?}",
        tmp_entries(&env)
    );
    env.rsp()
        .args(["run", "--rm", &pushed.reference, "true"])
        .ok();
}
