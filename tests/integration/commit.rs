//! Issue 6: `commit`, `diff`, `export` and `import`, on every storage
//! driver: a container's changes become a layer that reproduces them
//! exactly, owners included; hostile symlinks are written as symlinks.

use crate::util::image::{Layer, busybox_image};
use crate::util::registry::shared;
use crate::util::{TestEnv, show_output};
use std::io::Read;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const DRIVERS: &[&str] = &["overlay", "fuse-overlay", "vfs"];

/// Runs `check` on every driver, then fails naming every driver that did.
fn on_every_driver(check: impl Fn(&str) + std::panic::RefUnwindSafe) {
    let failed: Vec<&str> = DRIVERS
        .iter()
        .copied()
        .filter(|d| std::panic::catch_unwind(|| check(d)).is_err())
        .collect();
    assert!(failed.is_empty(), "failed on {failed:?}");
}

/// busybox plus files to modify, delete and re-create, and a file owned
/// 33:33.
fn base() -> &'static str {
    static REF: OnceLock<String> = OnceLock::new();
    REF.get_or_init(|| {
        busybox_image()
            .layer(
                Layer::new()
                    .file("/opt/mod", 0o644, b"mod\n")
                    .file("/opt/gone", 0o644, b"gone\n")
                    .file("/lower/dir/f1", 0o644, b"1\n")
                    .file("/lower/dir/f2", 0o644, b"2\n")
                    .dir_owned("/srv", 0o755, 33, 33)
                    .file_owned("/srv/f", 0o640, 33, 33, b"srv\n"),
            )
            .push(shared(), "commit-base", "v1")
            .reference
    })
}

const CHANGES: &str = "echo new > /new; echo more >> /opt/mod; rm /opt/gone; \
    rm -rf /lower/dir; mkdir /lower/dir; echo 3 > /lower/dir/f3; chown 7:8 /srv/f";

const DIFF: &str = "A /lower/dir/f3\nA /new\nC /lower\nC /lower/dir\nC /opt\nC /opt/mod\nC /srv\nC /srv/f\nD /lower/dir/f1\nD /lower/dir/f2\nD /opt/gone\n";

/// What the new image shows of the changes.
const CHECK: &str = "cat /new /opt/mod; test -e /opt/gone || echo gone-ok; ls /lower/dir; \
    stat -c '%u:%g %a' /srv/f; pwd; echo $FOO";

/// `diff` lines sorted by kind then path, for a stable comparison.
fn by_kind(out: &str) -> String {
    let mut lines: Vec<&str> = out.lines().collect();
    lines.sort();
    lines.iter().map(|l| format!("{l}\n")).collect()
}

#[test]
fn issue6_commit_reproduces_changes_on_every_driver() {
    let image = base();
    on_every_driver(|driver| {
        let env = TestEnv::new();
        let rsp = |args: &[&str]| env.rsp().args(["--storage-driver", driver]).args(args);
        rsp(&[
            "run", "--name", "c", "--owners", "image", image, "sh", "-c", CHANGES,
        ])
        .ok();
        let diff = rsp(&["diff", "c"]).ok();
        assert_eq!(by_kind(&diff), DIFF, "{driver}: diff");
        // Podman's order: by path.
        let paths: Vec<&str> = diff.lines().map(|l| &l[2..]).collect();
        let mut sorted = paths.clone();
        sorted.sort();
        assert_eq!(paths, sorted, "{driver}");
        let json: serde_json::Value =
            serde_json::from_str(&rsp(&["container", "diff", "--format", "json", "c"]).ok())
                .unwrap();
        assert_eq!(
            json["deleted"].as_array().map(Vec::len),
            Some(3),
            "{driver}: {json}"
        );

        let out = rsp(&[
            "commit",
            "-m",
            "my message",
            "-a",
            "Some One <one@example.com>",
            "-c",
            "CMD [\"cat\", \"/new\"]",
            "--change",
            "ENV FOO=bar",
            "-c",
            "WORKDIR /opt",
            "c",
            "committed",
        ])
        .output();
        assert!(out.status.success(), "{driver}: {}", show_output(&out));
        let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert_eq!(
            id.len(),
            64,
            "{driver}: ID on stdout: {}",
            show_output(&out)
        );
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("Writing manifest"),
            "{driver}: progress on stderr"
        );
        let images = rsp(&["images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"]).ok();
        assert!(
            images.contains(&format!("localhost/committed:latest {}", &id[..12])),
            "{driver}: {images}"
        );

        assert_eq!(
            rsp(&["run", "--rm", "committed"]).ok(),
            "new\n",
            "{driver}: CMD"
        );
        let out = rsp(&[
            "run",
            "--rm",
            "--owners",
            "image",
            "committed",
            "sh",
            "-c",
            CHECK,
        ])
        .ok();
        assert_eq!(
            out, "new\nmod\nmore\ngone-ok\nf3\n7:8 640\n/opt\nbar\n",
            "{driver}: the new image"
        );
        // The image's own diff: its top layer is exactly the changes.
        assert_eq!(
            by_kind(&rsp(&["image", "diff", "committed"]).ok()),
            DIFF,
            "{driver}"
        );

        let author = rsp(&["image", "inspect", "--format", "{{.Author}}", "committed"]).ok();
        assert_eq!(author.trim(), "Some One <one@example.com>", "{driver}");
        let inspect: serde_json::Value =
            serde_json::from_str(&rsp(&["image", "inspect", "committed"]).ok()).unwrap();
        let history = inspect[0]["History"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let last = history.last().cloned().unwrap_or_default();
        assert_eq!(last["comment"], "my message", "{driver}: {inspect}");
        assert_eq!(last["author"], "Some One <one@example.com>", "{driver}");
        assert_eq!(
            inspect[0]["RootFS"]["Layers"].as_array().map(Vec::len),
            Some(3),
            "{driver}: one new layer"
        );
    });
}

/// Unnamed commits, -q, -p on a running container.
#[test]
fn issue6_commit_quiet_unnamed_and_paused() {
    let env = TestEnv::new();
    env.rsp()
        .args([
            "run",
            "-d",
            "--name",
            "r",
            base(),
            "sh",
            "-c",
            "echo x > /x; sleep 60",
        ])
        .ok();
    // The file is written right after start.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !env.rsp().args(["diff", "r"]).ok().contains("A /x") {
        assert!(Instant::now() < deadline, "the container never wrote /x");
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = env.rsp().args(["commit", "-q", "-p", "r"]).output();
    assert!(out.status.success(), "{}", show_output(&out));
    assert!(out.stderr.is_empty(), "-q: {}", show_output(&out));
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_eq!(id.len(), 64);
    let status = env
        .rsp()
        .args(["inspect", "--format", "{{.State.Status}}", "r"])
        .ok();
    assert_eq!(status.trim(), "running", "unpaused after the commit");
    let images = env.rsp().args(["images"]).ok();
    assert!(
        images.contains(&format!("<none>   <none>   {}", &id[..12]))
            || images
                .lines()
                .any(|l| l.contains("<none>") && l.contains(&id[..12])),
        "{images}"
    );
    assert_eq!(
        env.rsp().args(["run", "--rm", &id, "cat", "/x"]).ok(),
        "x\n"
    );
    env.rsp().args(["rm", "-f", "r"]).ok();
}

fn tar_entries(data: &[u8]) -> Vec<(String, tar::EntryType, u64, u64, String, Vec<u8>)> {
    let mut a = tar::Archive::new(data);
    a.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let mut content = Vec::new();
            e.read_to_end(&mut content).unwrap();
            let h = e.header();
            (
                String::from_utf8_lossy(&e.path_bytes()).into_owned(),
                h.entry_type(),
                h.uid().unwrap(),
                h.gid().unwrap(),
                e.link_name_bytes()
                    .map(|l| String::from_utf8_lossy(&l).into_owned())
                    .unwrap_or_default(),
                content,
            )
        })
        .collect()
}

#[test]
fn issue6_export_then_import() {
    for driver in ["overlay", "vfs"] {
        let env = TestEnv::new();
        let rsp = |args: &[&str]| env.rsp().args(["--storage-driver", driver]).args(args);
        // A host file the container names by its host path.
        let secret = env.tmp().join("secret");
        std::fs::write(&secret, b"host-secret-content").unwrap();
        let script = format!(
            "{CHANGES}; ln -s {} /evil; ln -s ../../../../../..{} /evil2",
            secret.display(),
            secret.display()
        );
        rsp(&[
            "run",
            "--name",
            "c",
            "--owners",
            "image",
            base(),
            "sh",
            "-c",
            &script,
        ])
        .ok();
        let file = env.tmp().join("fs.tar");
        rsp(&["export", "-o", file.to_str().unwrap(), "c"]).ok();
        let data = std::fs::read(&file).unwrap();
        let entries = tar_entries(&data);
        let find = |n: &str| entries.iter().find(|e| e.0 == n);
        assert!(
            find("opt/gone").is_none(),
            "{driver}: deleted file exported"
        );
        assert!(find("lower/dir/f1").is_none(), "{driver}");
        assert_eq!(
            find("new").map(|e| e.5.clone()),
            Some(b"new\n".to_vec()),
            "{driver}"
        );
        assert_eq!(
            find("bin/busybox").map(|e| e.1),
            Some(tar::EntryType::Regular)
        );
        let f = find("srv/f").expect("srv/f");
        assert_eq!((f.2, f.3), (7, 8), "{driver}: owner as recorded");
        let evil = find("evil").expect("evil");
        assert_eq!(evil.1, tar::EntryType::Symlink, "{driver}");
        assert_eq!(evil.4, secret.display().to_string());
        assert!(
            !data
                .windows(b"host-secret-content".len())
                .any(|w| w == b"host-secret-content"),
            "{driver}: the host file was read"
        );
        assert!(!entries.iter().any(|e| e.0.contains(".wh.")), "{driver}");

        // Export to stdout is the same archive.
        let out = rsp(&["export", "c"]).output();
        assert!(out.status.success(), "{}", show_output(&out));
        assert_eq!(out.stdout, data, "{driver}: stdout export");

        let out = rsp(&[
            "import",
            "-c",
            "CMD /bin/cat /new",
            "-m",
            "imported",
            file.to_str().unwrap(),
            "imp",
        ])
        .output();
        assert!(out.status.success(), "{}", show_output(&out));
        assert_eq!(rsp(&["run", "--rm", "imp"]).ok(), "new\n", "{driver}");
        let out = rsp(&[
            "run",
            "--rm",
            "--owners",
            "image",
            "imp",
            "sh",
            "-c",
            "stat -c '%u:%g' /srv/f; readlink /evil; ls /lower/dir",
        ])
        .ok();
        assert_eq!(out, format!("7:8\n{}\nf3\n", secret.display()), "{driver}");
        let history = rsp(&["image", "inspect", "--format", "{{json .History}}", "imp"]).ok();
        assert!(history.contains("imported"), "{driver}: {history}");
        let os = rsp(&[
            "image",
            "inspect",
            "--format",
            "{{.Os}}/{{.Architecture}}",
            "imp",
        ])
        .ok();
        assert!(os.starts_with("linux/"), "{os}");
    }
}

#[test]
fn issue6_import_from_stdin_compressed() {
    let env = TestEnv::new();
    env.rsp().args(["run", "--name", "c", base(), "true"]).ok();
    let out = env.rsp().args(["export", "c"]).output();
    assert!(out.status.success(), "{}", show_output(&out));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &out.stdout).unwrap();
    let gz = gz.finish().unwrap();
    let id = env
        .rsp()
        .args(["image", "import", "-q", "-", "example.com/x/imported:2"])
        .stdin(gz)
        .ok();
    assert_eq!(id.trim().len(), 64, "{id}");
    let out = env
        .rsp()
        .args(["run", "--rm", "example.com/x/imported:2", "cat", "/opt/mod"])
        .ok();
    assert_eq!(out, "mod\n");
}

#[test]
fn issue6_bad_input_is_refused_and_changes_nothing() {
    let env = TestEnv::new();
    env.rsp()
        .args(["run", "--name", "c", base(), "sh", "-c", "echo x > /x"])
        .ok();
    let layers = || {
        std::fs::read_dir(env.root().join("layers"))
            .unwrap()
            .count()
    };
    let before = (layers(), env.rsp().args(["images", "-q"]).ok());
    let out = env
        .rsp()
        .args(["commit", "-c", "ONBUILD RUN x", "c", "bad"])
        .fails();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("ONBUILD"),
        "{}",
        show_output(&out)
    );
    let out = env
        .rsp()
        .args(["commit", "-c", "FROB x", "c", "bad"])
        .fails();
    assert!(String::from_utf8_lossy(&out.stderr).contains("CMD, ENTRYPOINT"));
    env.rsp()
        .args(["import", "http://127.0.0.1:1/x.tar"])
        .fails();
    env.rsp().args(["import", "/nonexistent.tar"]).fails();
    env.rsp().args(["diff", "nosuchthing"]).fails();
    let garbage = env.tmp().join("garbage.tar");
    std::fs::write(&garbage, vec![0x42u8; 5000]).unwrap();
    env.rsp()
        .args(["import", garbage.to_str().unwrap()])
        .fails();
    assert_eq!((layers(), env.rsp().args(["images", "-q"]).ok()), before);
}

#[test]
fn issue6_killed_commit_leaves_no_image() {
    let env = TestEnv::new();
    // Enough data that a commit takes a while.
    env.rsp()
        .args([
            "--storage-driver", "overlay", "run", "--name", "c", base(), "sh", "-c",
            "for i in 1 2 3 4 5 6 7 8; do dd if=/dev/urandom of=/big$i bs=1M count=16 2>/dev/null; done",
        ])
        .timeout(Duration::from_secs(120))
        .ok();
    let mut killed = 0;
    for delay_ms in [20u64, 60, 150, 300, 600] {
        let mut child = env
            .rsp()
            .args(["commit", "-q", "c", "killed"])
            .into_command()
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // The image record is written last: an image under the name means
        // the commit got that far (it may have been killed on its way
        // out), and then the image must be whole. No image means the kill
        // came earlier and left nothing behind.
        let images = env.rsp().args(["images"]).ok();
        if images.contains("killed") {
            let out = env
                .rsp()
                .args(["run", "--rm", "killed", "sh", "-c", "ls /big*"])
                .ok();
            assert_eq!(out.lines().count(), 8, "after {delay_ms} ms: {out}");
            env.rsp().args(["rmi", "killed"]).ok();
            continue;
        }
        killed += 1;
    }
    assert!(killed > 0, "every commit finished before it was killed");
    // The store still works: a commit after all that succeeds.
    env.rsp()
        .args(["commit", "-q", "c", "finally"])
        .timeout(Duration::from_secs(120))
        .ok();
    let out = env
        .rsp()
        .args(["run", "--rm", "finally", "sh", "-c", "ls /big*"])
        .ok();
    assert_eq!(out.lines().count(), 8, "{out}");
}

/// Files and directories the container made unreadable to everyone (the
/// disk then refuses even their owner) are still committed and exported.
#[test]
fn issue6_unreadable_files_are_committed() {
    on_every_driver(|driver| {
        let env = TestEnv::new();
        let rsp = |args: &[&str]| env.rsp().args(["--storage-driver", driver]).args(args);
        rsp(&[
            "run",
            "--name",
            "c",
            base(),
            "sh",
            "-c",
            "echo x > /f; mkdir -p /d/e; echo y > /d/e/g; chmod 000 /f /d/e/g /d/e /d",
        ])
        .ok();
        let diff = rsp(&["diff", "c"]).ok();
        assert_eq!(diff, "A /d\nA /d/e\nA /d/e/g\nA /f\n", "{driver}");
        rsp(&["commit", "-q", "c", "locked"]).ok();
        let out = rsp(&[
            "run",
            "--rm",
            "locked",
            "sh",
            "-c",
            "cat /f /d/e/g; stat -c '%a %n' /f /d",
        ])
        .ok();
        assert_eq!(out, "x\ny\n0 /f\n0 /d\n", "{driver}");
        let out = rsp(&["export", "c"]).output();
        assert!(out.status.success(), "{driver}: {}", show_output(&out));
        let entries = tar_entries(&out.stdout);
        let g = entries.iter().find(|e| e.0 == "d/e/g").expect("d/e/g");
        assert_eq!(g.5, b"y\n", "{driver}");
    });
}

/// A committed layer is recorded like a pulled one: it can be pushed byte
/// for byte (same image ID after a pull elsewhere).
#[test]
fn issue6_committed_image_can_be_pushed_and_pulled() {
    let env = TestEnv::new();
    env.rsp()
        .args(["run", "--name", "c", base(), "sh", "-c", CHANGES])
        .ok();
    let id = env.rsp().args(["commit", "-q", "c", "pushme"]).ok();
    let dest = shared().reference("issue6-commit-pushed", "v1");
    let out = env.rsp().args(["push", "pushme", &dest]).output();
    assert!(out.status.success(), "{}", show_output(&out));
    let other = TestEnv::new();
    let pulled = other.rsp().args(["pull", "-q", &dest]).ok();
    assert_eq!(
        pulled.trim(),
        id.trim(),
        "the same image ID after push and pull"
    );
    let out = other.rsp().args(["run", "--rm", &dest, "cat", "/new"]).ok();
    assert_eq!(out, "new\n");
}
