//! Issue 16: images with several users, without /etc/subuid. A real
//! Debian image made from the host's packages (`util::debian`), apt
//! against a repository on the host's loopback, and the id changes that
//! su, setpriv, apt's sandbox and gosu make.

use crate::util::TestEnv;
use crate::util::debian::{
    AptRepo, DEBIAN_HOW, GOSU, HELLO_CONTENT, HELLO_DEB_URL_PATH, HELLO_PATH,
    HOST_LOOPBACK_NETWORK, debian, debian_available, debian_rootfs, gosu_layer,
};
use crate::util::image::busybox_image;
use crate::util::registry::shared;
use crate::util::require_or_skip;

fn have_debian() -> bool {
    require_or_skip(
        "a Debian 12 host with the image's packages",
        DEBIAN_HOW,
        debian_available(),
    )
}

#[test]
fn issue16_debian_image_runs() {
    if !have_debian() {
        return;
    }
    let t = std::time::Instant::now();
    let image = debian();
    let rootfs = debian_rootfs();
    eprintln!(
        "Debian image: {} packages, {} entries, {} MiB of files ({} listed paths absent \
         on this host), built in {:?}, built and pushed in {:?}",
        rootfs.packages.len(),
        rootfs.entries,
        rootfs.bytes >> 20,
        rootfs.absent.len(),
        rootfs.elapsed,
        t.elapsed()
    );
    let env = TestEnv::new();
    let out = env
        .rsp()
        .args([
            "run",
            "--rm",
            image,
            "sh",
            "-c",
            "cat /etc/debian_version; python3 -c 'print(1)'; apt-get --version | head -1; \
             id -u; stat -c %a /usr/bin/su; su --version; dpkg --audit && echo audit-ok; \
             awk -F: '$3 >= 1000 && $3 < 65534' /etc/passwd /etc/group",
        ])
        .ok();
    let version = std::fs::read_to_string("/etc/debian_version").unwrap();
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some(version.trim()), "{out}");
    assert_eq!(lines.next(), Some("1"), "{out}");
    assert!(lines.next().is_some_and(|l| l.starts_with("apt ")), "{out}");
    assert_eq!(lines.next(), Some("0"), "{out}");
    assert_eq!(lines.next(), Some("4755"), "{out}");
    assert!(
        lines
            .next()
            .is_some_and(|l| l.starts_with("su from util-linux")),
        "{out}"
    );
    // dpkg's database matches the files, and no host user came along.
    assert_eq!(lines.next(), Some("audit-ok"), "{out}");
    assert_eq!(lines.next(), None, "{out}");
    // Owners as the host has them: the shadow group's tools and files.
    let out = env
        .rsp()
        .args([
            "run",
            "--rm",
            image,
            "stat",
            "-c",
            "%U:%G %a %n",
            "/usr/bin/chage",
            "/etc/shadow",
            "/var/lib/apt/lists/partial",
            "/tmp",
        ])
        .ok();
    assert_eq!(
        out,
        "root:shadow 2755 /usr/bin/chage\nroot:shadow 640 /etc/shadow\n\
         _apt:root 700 /var/lib/apt/lists/partial\nroot:root 1777 /tmp\n"
    );
}

#[test]
fn issue16_loopback_repo_reachable_from_a_container() {
    if !have_debian() {
        return;
    }
    let repo = AptRepo::start();
    let env = TestEnv::new();
    let url = format!("http://10.0.2.2:{}/Release", repo.port());
    let out = env
        .rsp()
        .args(["run", "--rm", "--network", HOST_LOOPBACK_NETWORK, debian()])
        .args(["busybox", "wget", "-q", "-O-", &url])
        .ok();
    assert!(out.starts_with("Origin: rsp-tests\n"), "{out}");
    assert_eq!(repo.requests(), ["GET /Release"]);
}

/// apt's download sandbox switches to `_apt` (setgroups, setresgid,
/// setresuid, then checks that it cannot get root back): this needs the
/// id emulation, and fails with `E: setgroups 65534 failed` without it.
#[test]
fn issue16_apt_get_update_from_loopback_repo() {
    if !have_debian() {
        return;
    }
    let repo = AptRepo::start();
    let env = TestEnv::new();
    let script = format!(
        "echo '{}' > /etc/apt/sources.list && apt-get update && apt-get install -y rsp-hello \
         && cat {HELLO_PATH}",
        repo.sources_list_line()
    );
    let out = env
        .rsp()
        .args(["run", "--rm", "--network", HOST_LOOPBACK_NETWORK, debian()])
        .args(["sh", "-c", &script])
        .ok();
    assert!(out.ends_with(HELLO_CONTENT), "{out}");
    let requests = repo.requests();
    assert!(
        requests.iter().any(|r| r.ends_with(HELLO_DEB_URL_PATH)),
        "{requests:?}"
    );
}

/// The gosu fixture itself: static, so it runs on any image, and it says
/// what is wrong with its arguments (what it does with good ones needs the
/// id emulation).
#[test]
fn issue16_util_gosu_runs_in_any_image() {
    let image = busybox_image()
        .layer(gosu_layer())
        .push(shared(), "issue16-gosu", "v1")
        .reference;
    let env = TestEnv::new();
    let out = env
        .rsp()
        .args(["run", "--rm", &image, GOSU, "33", "id"])
        .code(1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.ends_with("usage: gosu UID:GID COMMAND [ARGS...]\n"),
        "{stderr}"
    );
}

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

/// What the issue's examples print, in one container per driver.
const ID_CHANGES: &str = r#"
setpriv --reuid=33 --regid=33 --clear-groups id
su -s /bin/sh nobody -c 'id -u; touch /tmp/n'
stat -c %U:%G /tmp/n
python3 -c '
import os
os.setuid(33)
try:
    os.setuid(0)
    print("regained root")
except PermissionError:
    print("PermissionError")
'
useradd -m app && su app -c 'mkdir ~/d' && stat -c %U:%G /home/app/d
gosu 33:33 id
"#;

#[test]
fn issue16_id_changes_work_on_every_driver() {
    if !have_debian() {
        return;
    }
    let image = crate::util::debian::debian_with_gosu();
    on_every_driver(|driver| {
        let env = TestEnv::new();
        let out = env
            .rsp()
            .args(["--storage-driver", driver, "run", "--rm", image])
            .args(["sh", "-ec", ID_CHANGES])
            .ok();
        assert_eq!(
            out,
            "uid=33(www-data) gid=33(www-data) groups=33(www-data)\n\
             65534\n\
             nobody:nogroup\n\
             PermissionError\n\
             app:app\n\
             uid=33(www-data) gid=33(www-data) groups=33(www-data)\n",
            "{driver}"
        );
    });
}
