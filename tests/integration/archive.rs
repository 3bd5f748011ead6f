//! Issue 6: `save` and `load`, read and written by skopeo and Podman's
//! formats, and hostile or broken archives.

use crate::pull::{assert_one_error_line, hex, pull_quiet};
use crate::util::{self, TestEnv};
use serde_json::Value;
use std::fs;
use std::path::Path;
use std::time::Duration;

fn inspect(env: &TestEnv, image: &str) -> Value {
    let out = env.rsp().args(["image", "inspect", image]).ok();
    serde_json::from_str::<Value>(&out).unwrap()[0].clone()
}

fn layers_of(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {v}"))
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect()
}

fn skopeo(env: &TestEnv, args: &[&str]) -> String {
    env.cmd("skopeo")
        .args(["--tmpdir"])
        .arg(env.tmp())
        .args(args)
        .timeout(Duration::from_secs(120))
        .ok()
}

fn has_skopeo() -> bool {
    std::process::Command::new("skopeo")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// No image record, whatever is in `images.json`.
fn assert_no_images(env: &TestEnv) {
    assert_eq!(
        env.rsp().args(["images", "-q"]).ok(),
        "",
        "images were added"
    );
}

#[test]
fn issue6_save_in_each_format_is_read_by_skopeo_and_loads_back() {
    if !util::require_or_skip("skopeo", "apt-get install skopeo", has_skopeo()) {
        return;
    }
    let reg = util::shared();
    let src = util::multilayer_image().push(reg, "issue6-save", "v1");
    let env = TestEnv::new();
    let id = pull_quiet(&env, &src.reference);
    let expected = layers_of(&inspect(&env, &src.reference)["RootFS"], "Layers");
    assert_eq!(expected, src.diff_ids);
    let dir = env.tmp();
    for format in ["docker-archive", "oci-archive", "oci-dir"] {
        let path = dir.join(format!("{format}.out"));
        let p = path.to_str().unwrap();
        env.rsp()
            .args(["save", "--format", format, "-o", p, &src.reference])
            .ok();
        let transport = match format {
            "oci-dir" => format!("oci:{p}"),
            f => format!("{f}:{p}"),
        };
        let seen: Value = serde_json::from_str(&skopeo(&env, &["inspect", &transport])).unwrap();
        assert_eq!(layers_of(&seen, "Layers"), expected, "{format}");
        let config: Value =
            serde_json::from_str(&skopeo(&env, &["inspect", "--config", &transport])).unwrap();
        assert_eq!(
            layers_of(&config["rootfs"], "diff_ids"),
            expected,
            "{format}"
        );

        // The round trip keeps the image ID and its name.
        env.rsp().args(["rmi", &src.reference]).ok();
        let out = env.rsp().args(["load", "-i", p]).ok();
        assert_eq!(
            out,
            format!("Loaded image: {}\n", src.reference),
            "{format}"
        );
        assert_eq!(inspect(&env, &src.reference)["Id"], id.as_str(), "{format}");
        let out = env
            .rsp()
            .args(["run", "--rm", &src.reference, "cat", "/keep/k1", "/new"])
            .ok();
        assert_eq!(out, "k1\nnew\n", "{format}");
    }

    // Standard output, gzip-compressed on the way back in, and the image
    // listed by ID saves unnamed.
    let out = env
        .rsp()
        .args(["save", &id[..12]])
        .into_command()
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &out.stdout).unwrap();
    let gz = gz.finish().unwrap();
    let other = TestEnv::new();
    let loaded = other.rsp().arg("load").stdin(gz).ok();
    assert_eq!(loaded, format!("Loaded image: sha256:{id}\n"));
}

#[test]
fn issue6_skopeo_archives_load_and_rsp_archives_copy_into_a_registry() {
    if !util::require_or_skip("skopeo", "apt-get install skopeo", has_skopeo()) {
        return;
    }
    let reg = util::shared();
    // gzip: skopeo cannot put zstd layers in a docker-archive. It copies
    // the compressed blobs as they are, so rsp loads compressed layers.
    let src = util::multilayer_image().push(reg, "issue6-skopeo-src", "v1");
    let env = TestEnv::new();
    let dir = env.tmp();
    let docker = dir.join("sk-docker.tar");
    let oci = dir.join("sk-oci.tar");
    let from = format!("docker://{}", src.reference);
    skopeo(
        &env,
        &[
            "copy",
            "-q",
            "--src-tls-verify=false",
            &from,
            &format!("docker-archive:{}:issue6/fromskopeo:v2", docker.display()),
        ],
    );
    skopeo(
        &env,
        &[
            "copy",
            "-q",
            "--src-tls-verify=false",
            &from,
            &format!("oci-archive:{}:latest", oci.display()),
        ],
    );
    let out = env
        .rsp()
        .args(["load", "-i", docker.to_str().unwrap()])
        .ok();
    assert_eq!(out, "Loaded image: docker.io/issue6/fromskopeo:v2\n");
    assert_eq!(
        inspect(&env, "issue6/fromskopeo:v2")["Id"],
        hex(&src.config_digest)
    );
    // skopeo's oci-archive names the image only by tag: it loads unnamed.
    let out = env.rsp().args(["load", "-i", oci.to_str().unwrap()]).ok();
    assert_eq!(
        out,
        format!("Loaded image: sha256:{}\n", hex(&src.config_digest))
    );
    let out = env
        .rsp()
        .args(["run", "--rm", "issue6/fromskopeo:v2", "cat", "/d/z"])
        .ok();
    assert_eq!(out, "z\n");

    // An archive rsp saved goes into a registry with skopeo, and comes
    // back with the same ID.
    let saved = dir.join("rsp.tar");
    env.rsp()
        .args([
            "save",
            "-o",
            saved.to_str().unwrap(),
            "issue6/fromskopeo:v2",
        ])
        .ok();
    let dest = reg.reference("issue6-skopeo-dest", "v1");
    skopeo(
        &env,
        &[
            "copy",
            "-q",
            "--dest-tls-verify=false",
            &format!("docker-archive:{}", saved.display()),
            &format!("docker://{dest}"),
        ],
    );
    let other = TestEnv::new();
    assert_eq!(pull_quiet(&other, &dest), hex(&src.config_digest));
}

/// Writes a docker-archive with the given manifest.json and extra entries.
fn docker_archive(path: &Path, manifest: &str, entries: &[(&str, &[u8])]) {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in entries
        .iter()
        .copied()
        .chain([("manifest.json", manifest.as_bytes())])
    {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, data).unwrap();
    }
    fs::write(path, b.into_inner().unwrap()).unwrap();
}

#[test]
fn issue6_broken_and_hostile_archives_are_refused_and_add_nothing() {
    let env = TestEnv::new();
    let dir = env.tmp();
    let built = util::busybox_image().build();
    let good = dir.join("good.tar");
    let reg = util::shared();
    let src = util::busybox_image().push(reg, "issue6-broken", "v1");
    pull_quiet(&env, &src.reference);
    env.rsp()
        .args(["save", "-o", good.to_str().unwrap(), &src.reference])
        .ok();
    env.rsp().args(["rmi", "-a"]).ok();
    let data = fs::read(&good).unwrap();
    let _ = built;

    let load = |name: &str, needle: &str| {
        let p = dir.join(name);
        let out = env
            .rsp()
            .args(["load", "-i", p.to_str().unwrap()])
            .code(125);
        assert_one_error_line(&out, needle);
        assert_no_images(&env);
    };

    // Cut short in a layer.
    fs::write(dir.join("cut.tar"), &data[..data.len() / 2]).unwrap();
    load("cut.tar", "cut.tar");
    // Not an archive at all.
    fs::write(dir.join("junk.tar"), vec![7u8; 4096]).unwrap();
    load("junk.tar", "is not an image archive");

    // A layer path leaving the archive, and a symlink pointing out.
    let config = br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:0000000000000000000000000000000000000000000000000000000000000000"]}}"#;
    docker_archive(
        &dir.join("escape.tar"),
        r#"[{"Config":"c.json","RepoTags":["x:1"],"Layers":["../../etc/passwd"]}]"#,
        &[("c.json", config)],
    );
    load("escape.tar", "leaves the archive");
    docker_archive(
        &dir.join("absolute.tar"),
        r#"[{"Config":"/etc/passwd","RepoTags":["x:1"],"Layers":[]}]"#,
        &[],
    );
    load("absolute.tar", "leaves the archive");
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Symlink);
    h.set_size(0);
    h.set_cksum();
    b.append_link(&mut h, "l.tar", "../../../etc/passwd")
        .unwrap();
    for (name, d) in [
        ("c.json", &config[..]),
        (
            "manifest.json",
            br#"[{"Config":"c.json","RepoTags":["x:1"],"Layers":["l.tar"]}]"#,
        ),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_size(d.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, d).unwrap();
    }
    fs::write(dir.join("symlink.tar"), b.into_inner().unwrap()).unwrap();
    load("symlink.tar", "leaves the archive");
    // A layer that is not what the config says.
    docker_archive(
        &dir.join("diffid.tar"),
        r#"[{"Config":"c.json","RepoTags":["x:1"],"Layers":["l.tar"]}]"#,
        &[("c.json", config), ("l.tar", &[0u8; 1024])],
    );
    load("diffid.tar", "the archive is corrupt");
    // Invalid JSON and a missing entry.
    docker_archive(&dir.join("json.tar"), "[{", &[]);
    load("json.tar", "manifest.json is not valid");
    docker_archive(
        &dir.join("missing.tar"),
        r#"[{"Config":"c.json","RepoTags":["x:1"],"Layers":["nope.tar"]}]"#,
        &[("c.json", config)],
    );
    load("missing.tar", "is listed but not in the archive");

    // An OCI layout whose layer blob does not match its digest.
    let layout = dir.join("layout");
    env.rsp().args(["load", "-i", good.to_str().unwrap()]).ok();
    env.rsp()
        .args([
            "save",
            "--format",
            "oci-dir",
            "-o",
            layout.to_str().unwrap(),
            &src.reference,
        ])
        .ok();
    env.rsp().args(["rmi", "-a"]).ok();
    let layer = layout.join("blobs/sha256").join(hex(&src.diff_ids[0]));
    let mut bytes = fs::read(&layer).unwrap();
    let n = bytes.len();
    bytes[n - 2000] ^= 1;
    fs::write(&layer, bytes).unwrap();
    load("layout", "does not match its digest");
    assert!(
        fs::read_dir(env.root().join("layers"))
            .map(|d| d.count())
            .unwrap_or(0)
            == 0,
        "a rejected layer stayed in the store"
    );
}

#[test]
fn issue6_killed_load_leaves_no_image() {
    let reg = util::shared();
    let src = util::big_image(24, 3).push(reg, "issue6-killed-load", "v1");
    let env = TestEnv::new();
    pull_quiet(&env, &src.reference);
    let archive = env.tmp().join("big.tar");
    env.rsp()
        .args(["save", "-o", archive.to_str().unwrap(), &src.reference])
        .ok();
    env.rsp().args(["rmi", "-a"]).ok();
    for delay in [20, 80, 200] {
        let mut child = env
            .rsp()
            .args(["load", "-i", archive.to_str().unwrap()])
            .into_command()
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
        let images = env.rsp().args(["images", "-q"]).ok();
        // Too late a kill may find the load done; never half of it.
        if !images.is_empty() {
            assert_eq!(
                inspect(&env, &src.reference)["RootFS"]["Layers"],
                serde_json::json!(src.diff_ids),
                "delay {delay}"
            );
            env.rsp().args(["rmi", "-a"]).ok();
        }
    }
    let out = env
        .rsp()
        .args(["load", "-i", archive.to_str().unwrap()])
        .ok();
    assert_eq!(out, format!("Loaded image: {}\n", src.reference));
    let out = env
        .rsp()
        .args(["run", "--rm", &src.reference, "ls", "/data"])
        .ok();
    assert_eq!(out, "blob-0\nblob-1\nblob-2\n");
    // Nothing of the killed loads is left in the store's temp area.
    let tmp: Vec<_> = fs::read_dir(env.root().join("tmp"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(tmp.is_empty(), "{tmp:?}");
}

/// Issue 18: an OCI layout directory whose `blobs` is a symlink to
/// another directory (a symlinked parent of every blob) is read through
/// nothing: refused as leaving the archive, and nothing is added.
#[test]
fn issue18_oci_dir_reads_nothing_through_a_symlinked_directory() {
    let env = TestEnv::new();
    let reg = util::shared();
    let src = util::busybox_image().push(reg, "issue18-ocidir", "v1");
    pull_quiet(&env, &src.reference);
    let dir = env.tmp();
    let layout = dir.join("layout");
    env.rsp()
        .args([
            "save",
            "--format",
            "oci-dir",
            "-o",
            layout.to_str().unwrap(),
            &src.reference,
        ])
        .ok();
    env.rsp().args(["rmi", "-a"]).ok();
    // The blobs moved out, and a symlink left in their place.
    let outside = dir.join("elsewhere");
    fs::rename(layout.join("blobs"), &outside).unwrap();
    std::os::unix::fs::symlink(&outside, layout.join("blobs")).unwrap();
    let out = env
        .rsp()
        .args(["load", "-i", layout.to_str().unwrap()])
        .code(125);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("it leaves the archive"), "{err}");
    assert_no_images(&env);
    // Put back, it loads.
    fs::remove_file(layout.join("blobs")).unwrap();
    fs::rename(&outside, layout.join("blobs")).unwrap();
    env.rsp()
        .args(["load", "-i", layout.to_str().unwrap()])
        .ok();
}
