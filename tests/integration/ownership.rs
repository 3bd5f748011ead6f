//! Issue 5: ownership without subuid. The owners and modes an image
//! records show inside the container, and its chown/chmod are recorded,
//! on every storage driver (`--owners image`, seccomp user notification).

use crate::util::TestEnv;
use crate::util::image::{ImageBuilder, Layer, busybox_image, uid33_image};
use crate::util::registry::shared;
use std::sync::OnceLock;

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

fn uid33() -> &'static str {
    static REF: OnceLock<String> = OnceLock::new();
    REF.get_or_init(|| uid33_image().push(shared(), "owners-uid33", "v1").reference)
}

fn plain() -> &'static str {
    static REF: OnceLock<String> = OnceLock::new();
    REF.get_or_init(|| {
        ImageBuilder::new()
            .layer(Layer::new().file("/f", 0o644, b"f\n"))
            .cmd(&["true"])
            .push(shared(), "owners-plain", "v1")
            .reference
    })
}

#[test]
fn issue5_image_owners_show_on_every_driver() {
    let image = uid33();
    on_every_driver(|driver| {
        let env = TestEnv::new();
        let rsp = |args: &[&str]| env.rsp().args(["--storage-driver", driver]).args(args);
        let out = rsp(&[
            "run",
            "--rm",
            image,
            "sh",
            "-c",
            "stat -c '%u:%g %a' /var/www /var/www/index.html; ls -ln /var/www",
        ])
        .ok();
        let mut lines = out.lines();
        assert_eq!(lines.next(), Some("33:33 755"), "{driver}: {out}");
        assert_eq!(lines.next(), Some("33:33 640"), "{driver}: {out}");
        let ls = out
            .lines()
            .find(|l| l.ends_with("index.html"))
            .unwrap_or("");
        let f: Vec<&str> = ls.split_whitespace().collect();
        assert!(
            f.len() > 4 && f[0] == "-rw-r-----" && f[2] == "33" && f[3] == "33",
            "{driver}: ls -ln: {out}"
        );
        // pid 1 is rsp's init: the command is still covered.
        let out = rsp(&[
            "run", "--rm", "--init", image, "stat", "-c", "%u:%g", "/var/www",
        ])
        .ok();
        assert_eq!(out, "33:33\n", "{driver}: --init");
    });
}

/// Changes owners on the first run, checks them on the next.
const CHOWN: &str = r#"
if [ -e /ran ]; then
  stat -c '%n %u:%g %a' /data /data/f /data/sub/g /var/www/index.html /var/www
  exit 0
fi
touch /ran
mkdir -p /data/sub && echo f > /data/f && echo g > /data/sub/g
chmod 4755 /data/f
chown -R 1000:1000 /data
stat -c '%n %u:%g %a' /data /data/f /data/sub/g
chmod 0600 /var/www/index.html
chown 7:8 /var/www
stat -c '%n %u:%g %a' /var/www/index.html /var/www
cat /var/www/index.html
"#;

#[test]
fn issue5_chown_and_chmod_recorded_and_kept() {
    let image = uid33();
    on_every_driver(|driver| {
        let env = TestEnv::new();
        let rsp = |args: &[&str]| env.rsp().args(["--storage-driver", driver]).args(args);
        let out = rsp(&["run", "--name", "c", image, "sh", "-c", CHOWN]).ok();
        assert_eq!(
            out,
            "/data 1000:1000 755\n/data/f 1000:1000 755\n/data/sub/g 1000:1000 644\n\
             /var/www/index.html 33:33 600\n/var/www 7:8 755\nhello from uid 33\n",
            "{driver}: first run"
        );
        let out = rsp(&["start", "-a", "c"]).ok();
        assert_eq!(
            out,
            "/data 1000:1000 755\n/data/f 1000:1000 755\n/data/sub/g 1000:1000 644\n\
             /var/www/index.html 33:33 600\n/var/www 7:8 755\n",
            "{driver}: after a restart"
        );
        let out = rsp(&["inspect", "--format", "{{.HostConfig.Owners}}", "c"]).ok();
        assert_eq!(out.trim(), "image", "{driver}");
    });
}

/// Ownership supervisors (`rsp __owners ...`) serving containers of the
/// store whose runtime root is `runroot`.
fn supervisors(runroot: &str) -> usize {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .filter(|c| {
            let args: Vec<&[u8]> = c.split(|b| *b == 0).collect();
            args.get(1) == Some(&&b"__owners"[..])
                && args.iter().any(|a| a.starts_with(runroot.as_bytes()))
        })
        .count()
}

#[test]
fn issue5_owners_inside_exec() {
    let image = uid33();
    on_every_driver(|driver| {
        let env = TestEnv::new();
        let rsp = |args: &[&str]| env.rsp().args(["--storage-driver", driver]).args(args);
        rsp(&["run", "-d", "--name", "e", image, "sleep", "300"]).ok();
        assert_eq!(
            supervisors(&env.runroot().display().to_string()),
            1,
            "{driver}"
        );
        let out = rsp(&["exec", "e", "stat", "-c", "%u:%g %a", "/var/www/index.html"]).ok();
        assert_eq!(out, "33:33 640\n", "{driver}: exec stat");
        let out = rsp(&[
            "exec",
            "e",
            "sh",
            "-c",
            "touch /x && chown 5:6 /x && stat -c %u:%g /x",
        ])
        .ok();
        assert_eq!(out, "5:6\n", "{driver}: exec chown");
        // Another exec sees it; so does the container's own process tree.
        let out = rsp(&["exec", "e", "stat", "-c", "%u:%g", "/x"]).ok();
        assert_eq!(out, "5:6\n", "{driver}: second exec");
        rsp(&["rm", "-f", "e"]).ok();
        // The supervisor ends with the container.
        let runroot = env.runroot().display().to_string();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while supervisors(&runroot) > 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "{driver}: supervisor outlived the container"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    });
}

fn busybox() -> String {
    static REF: OnceLock<String> = OnceLock::new();
    REF.get_or_init(|| {
        busybox_image()
            .push(shared(), "owners-busybox", "v1")
            .reference
    })
    .clone()
}

#[test]
fn issue5_owners_user_shows_the_container_user() {
    let image = uid33();
    let env = TestEnv::new();
    let out = env
        .rsp()
        .args(["run", "--name", "u", "--owners", "user", image])
        .args(["stat", "-c", "%u:%g", "/var/www", "/var/www/index.html"])
        .ok();
    assert_eq!(out, "0:0\n0:0\n");
    let out = env
        .rsp()
        .args(["inspect", "--format", "{{.HostConfig.Owners}}", "u"])
        .ok();
    assert_eq!(out.trim(), "user");
    // Issue 16: an image that records no owner is emulated too (its
    // processes may still change ids).
    env.rsp()
        .args(["create", "--name", "p", plain(), "true"])
        .ok();
    let out = env
        .rsp()
        .args(["inspect", "--format", "{{.HostConfig.Owners}}", "p"])
        .ok();
    assert_eq!(out.trim(), "image");
    // Emulation asked for explicitly.
    let out = env
        .rsp()
        .args(["run", "--rm", "--owners", "image", &busybox()])
        .args(["sh", "-c", "mkdir /d && chown 33:44 /d && stat -c %u:%g /d"])
        .ok();
    assert_eq!(out, "33:44\n");
}

#[test]
fn issue5_owners_never_reach_host_files() {
    let image = uid33();
    on_every_driver(|driver| {
        let env = TestEnv::new();
        let host = env.tmp().join("x");
        std::fs::write(&host, "host\n").unwrap();
        let before = std::fs::metadata(&host).unwrap();
        let h = host.display().to_string();
        let script = format!(
            "ln -s {h} /abs; cd /var/www; ln -s ../../../../../../../..{h} /rel; \
             chown -h 5:5 /abs; chown 5:5 /abs; chown 5:5 /rel; chmod 0777 /abs; \
             stat -c %u:%g ../../../../..{h}; stat -L -c %u:%g /abs /rel; \
             stat -c '%u:%g %F' /abs; echo done"
        );
        let out = env
            .rsp()
            .args([
                "--storage-driver",
                driver,
                "run",
                "--rm",
                image,
                "sh",
                "-c",
                &script,
            ])
            .output();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("done"), "{driver}: {stdout}");
        assert!(!stdout.contains("5:5 regular"), "{driver}: {stdout}");
        let after = std::fs::metadata(&host).unwrap();
        use std::os::unix::fs::MetadataExt;
        assert_eq!(
            (after.uid(), after.gid(), after.mode()),
            (before.uid(), before.gid(), before.mode()),
            "{driver}: host file changed"
        );
        assert_eq!(
            xattr::get(&host, "user.containers.override_stat")
                .ok()
                .flatten(),
            None,
            "{driver}: host file got a record"
        );
        assert_eq!(std::fs::read_to_string(&host).unwrap(), "host\n");
    });
}
