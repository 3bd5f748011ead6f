//! Issue 5: storage drivers. The same image semantics are checked on
//! every driver rsp has: the kernel overlay, rsp's own FUSE overlay, and
//! the vfs copy.

use crate::util::TestEnv;
use crate::util::image::{multilayer_image, semantics_image, uid33_image};
use crate::util::registry::shared;
use std::sync::OnceLock;

fn images() -> &'static (String, String) {
    static REF: OnceLock<(String, String)> = OnceLock::new();
    REF.get_or_init(|| {
        (
            multilayer_image()
                .push(shared(), "storage-multilayer", "v1")
                .reference,
            uid33_image()
                .push(shared(), "storage-uid33", "v1")
                .reference,
        )
    })
}

const DRIVERS: &[&str] = &["overlay", "fuse-overlay", "vfs"];

/// mmap, flock, POSIX locks and O_TMPFILE on a lower-layer file, which
/// busybox has no applets for.
const FSPROBE_C: &str = r#"
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <unistd.h>
int main(int argc, char **argv) {
    int fd = open(argv[1], O_RDWR);
    if (fd < 0 || ftruncate(fd, 4096) != 0) { perror(argv[1]); return 1; }
    char *p = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) { perror("mmap"); return 1; }
    memcpy(p, "mapped", 6);
    msync(p, 4096, MS_SYNC);
    munmap(p, 4096);
    close(fd);
    char buf[7] = {0};
    fd = open(argv[1], O_RDONLY);
    if (read(fd, buf, 6) != 6) return 1;
    printf("mmap:%s\n", buf);
    int a = open(argv[1], O_RDONLY), b = open(argv[1], O_RDONLY);
    int first = flock(a, LOCK_EX | LOCK_NB) == 0;
    int second = flock(b, LOCK_EX | LOCK_NB) == 0;
    printf("flock:%d/%d\n", first, second);
    struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    int w = open(argv[1], O_RDWR);
    printf("posix-lock:%d\n", fcntl(w, F_SETLK, &l) == 0);
    int t = open(argv[2], O_TMPFILE | O_RDWR, 0600);
    fprintf(stderr, "tmpfile:%s\n", t >= 0 ? "ok" : strerror(errno));
    return 0;
}
"#;

fn fsprobe_binary() -> Vec<u8> {
    crate::util::static_c_program("fsprobe", FSPROBE_C)
}

fn semantics() -> &'static str {
    static REF: OnceLock<String> = OnceLock::new();
    REF.get_or_init(|| {
        semantics_image()
            .layer(crate::util::image::Layer::new().file("/bin/fsprobe", 0o755, &fsprobe_binary()))
            .push(shared(), "storage-semantics", "v1")
            .reference
    })
}

/// Changes the container's files on its first run and checks them on the
/// next: the same output on every driver.
const SEMANTICS: &str = r#"
if [ -e /ran ]; then
  echo second; stat -c %a /modes/secret; cat /h/orig; ls /mv; ls -A /lower/dir | wc -l
  cat /s/target; test -p /fifo && echo fifo; stat -c %Y /s/target; test -e /hidden/old || echo hidden
  exit 0
fi
set -e
touch /ran
[ "$(stat -c %h /h/orig)" = 2 ] && echo hardlink-kept
cat /s/sym; readlink /s/sym
ls /hidden
mv /mv/src /mv/dst; cat /mv/dst; ls /mv
rm /lower/dir/f1; ls /lower/dir | tr '
' ' '; echo
rm -r /lower/dir; test ! -e /lower/dir && echo dir-gone
mkdir /lower/dir; echo "empty:$(ls -A /lower/dir | wc -l)"
ln /h/orig /h/third; echo more >> /h/third; cat /h/orig
chmod 0751 /modes/secret; stat -c %a /modes/secret
echo changed > /s/sym; cat /s/target
dd if=/dev/zero of=/big bs=1M count=8 2>/dev/null; stat -c %s /big; rm /big
df / >/dev/null && echo statfs
mkfifo /fifo; test -p /fifo && echo fifo
touch -d @1000000000 /s/target; stat -c %Y /s/target
mkdir -p /new/a/b; echo deep > /new/a/b/f; mv /new/a /new/c; cat /new/c/b/f
fsprobe /m/data /tmp
touch /tmp/sticky; stat -c %a /tmp /
"#;

const FIRST: &str = "hardlink-kept\ntarget\ntarget\nnew\nmv\ndst\nf2 f3 \ndir-gone\nempty:0\nh\nmore\n751\nchanged\n8388608\nstatfs\nfifo\n1000000000\ndeep\nmmap:mapped\nflock:1/0\nposix-lock:1\n1777\n755\n";
const SECOND: &str = "second\n751\nh\nmore\ndst\n0\nchanged\nfifo\n1000000000\nhidden\n";

#[test]
fn issue5_overlay_semantics_on_every_driver() {
    let image = semantics();
    for driver in DRIVERS {
        let env = TestEnv::new();
        let rsp = |args: &[&str]| env.rsp().args(["--storage-driver", driver]).args(args);
        let out = rsp(&["run", "--name", "c", image, "sh", "-c", SEMANTICS]).output();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            FIRST,
            "{driver}: first run: {}",
            crate::util::show_output(&out)
        );
        // fuser has no tmpfile operation: O_TMPFILE is refused there, as
        // the README says.
        let tmpfile = if *driver == "fuse-overlay" {
            "tmpfile:Operation not supported"
        } else {
            "tmpfile:ok"
        };
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(tmpfile),
            "{driver}: {}",
            crate::util::show_output(&out)
        );
        let out = rsp(&["start", "-a", "c"]).ok();
        assert_eq!(out, SECOND, "{driver}: after a restart");
        // A lower directory cannot be renamed in place (EXDEV, as the
        // kernel's overlay without redirect_dir); mv copies it instead.
        let out = rsp(&[
            "run",
            "--rm",
            image,
            "sh",
            "-c",
            "mv /lower/dir /moved && ls /moved | tr '\\n' ' '",
        ])
        .ok();
        assert_eq!(out, "f1 f2 f3 ", "{driver}");
        rsp(&["rm", "c"]).ok();
    }
}

#[test]
fn issue5_layers_whiteouts_and_writes_on_every_driver() {
    let (multi, uid33) = images();
    for driver in DRIVERS {
        let env = TestEnv::new();
        let rsp = |args: &[&str]| env.rsp().args(["--storage-driver", driver]).args(args);
        let out = rsp(&[
            "run", "--name", "c", multi, "sh", "-c",
            "test -e /a && echo a-present; ls /d | tr '\\n' ' '; cat /keep/k1; echo written > /keep/new",
        ])
        .ok();
        assert!(
            !out.contains("a-present"),
            "{driver}: whiteout hides /a: {out}"
        );
        assert!(
            out.contains("z ") && !out.contains("x "),
            "{driver}: opaque /d: {out}"
        );
        assert!(out.contains("k1"), "{driver}: {out}");
        assert_eq!(
            env.rsp()
                .args(["inspect", "--format", "{{.Driver}}", "c"])
                .ok()
                .trim(),
            *driver
        );
        // The container's writes are its own and survive a restart.
        let again = rsp(&["start", "-a", "c"]).ok();
        assert!(again.contains("k1"), "{driver}: {again}");
        let kept = rsp(&["run", "--rm", multi, "cat", "/keep/new"]).code(1);
        assert!(
            kept.stdout.is_empty(),
            "{driver}: another container does not see it"
        );
        // cp into and out of the stopped container.
        let f = env.tmp().join("f");
        std::fs::write(&f, "cp\n").unwrap();
        rsp(&["cp", f.to_str().unwrap(), "c:/copied"]).ok();
        let back = env.tmp().join("back");
        rsp(&["cp", "c:/keep/new", back.to_str().unwrap()]).ok();
        assert_eq!(std::fs::read_to_string(&back).unwrap(), "written\n");
        rsp(&["rm", "c"]).ok();
        // The image's owner is kept with the file (uid 33 can read 0640).
        let out = rsp(&[
            "run",
            "--rm",
            "-u",
            "33",
            uid33,
            "cat",
            "/var/www/index.html",
        ])
        .ok();
        assert_eq!(out, "hello from uid 33\n", "{driver}");
    }
}

#[test]
fn issue5_driver_from_env_and_storage_conf() {
    let (multi, _) = images();
    let env = TestEnv::new();
    env.write_config("containers/storage.conf", "[storage]\ndriver = \"vfs\"\n");
    let info = env
        .rsp()
        .args(["info", "--format", "{{.store.graphDriverName}}"])
        .ok();
    assert_eq!(info.trim(), "vfs");
    env.rsp().args(["run", "--name", "v", multi, "true"]).ok();
    let d = env
        .rsp()
        .args(["inspect", "--format", "{{.Driver}}", "v"])
        .ok();
    assert_eq!(d.trim(), "vfs");
    let over = env
        .rsp()
        .env("STORAGE_DRIVER", "overlay")
        .args(["info", "--format", "{{.store.graphDriverReason}}"])
        .ok();
    assert!(over.contains("$STORAGE_DRIVER"), "{over}");
    let bad = env
        .rsp()
        .args(["--storage-driver", "zfs", "run", multi, "true"])
        .code(125);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("fuse-overlay and vfs"));
    env.write_config("containers/storage.conf", "[storage\n");
    let bad = env.rsp().args(["info"]).code(125);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("storage.conf"));
}

#[test]
fn issue5_driver_detected_once_per_store_and_forgotten_by_reset() {
    let (multi, _) = images();
    let env = TestEnv::new();
    let info = |env: &TestEnv| {
        env.rsp()
            .args([
                "info",
                "--format",
                "{{.store.graphDriverName}} {{.store.graphDriverReason}}",
            ])
            .ok()
    };
    let first = info(&env);
    assert!(
        first.starts_with("overlay ") && first.contains("auto-detected"),
        "{first}"
    );
    let record = env.root().join("storage-driver.json");
    let text = std::fs::read_to_string(&record).unwrap();
    assert!(text.contains("\"driver\": \"overlay\""), "{text}");
    // Another kernel: probed again.
    std::fs::write(
        &record,
        text.replace("\"kernel\": \"", "\"kernel\": \"old-"),
    )
    .unwrap();
    info(&env);
    let text = std::fs::read_to_string(&record).unwrap();
    assert!(!text.contains("old-"), "{text}");
    // The same kernel: the remembered answer stands, probe or not.
    std::fs::write(
        &record,
        text.replace("\"driver\": \"overlay\"", "\"driver\": \"fuse-overlay\""),
    )
    .unwrap();
    env.rsp()
        .args(["run", "--name", "c", multi, "cat", "/new"])
        .ok();
    let d = env
        .rsp()
        .args(["inspect", "--format", "{{.Driver}}", "c"])
        .ok();
    assert_eq!(d.trim(), "fuse-overlay");
    // `system reset` asks first; "n" keeps everything.
    env.rsp().args(["system", "reset"]).stdin("n\n").ok();
    env.rsp().args(["container", "exists", "c"]).ok();
    env.rsp().args(["system", "reset", "--force"]).ok();
    assert!(!record.exists());
    env.rsp().args(["container", "exists", "c"]).code(1);
    let images = env.rsp().args(["images", "-q"]).ok();
    assert!(images.is_empty(), "{images}");
    assert!(info(&env).contains("auto-detected"));
}

/// A store on overlayfs (as on some overlay-rooted or network homes): the
/// kernel refuses an overlay upper there, so rsp serves its own FUSE
/// overlay; without a usable /dev/fuse it falls back to copies.
#[test]
fn issue5_falls_back_where_the_kernel_refuses_overlay() {
    let (multi, _) = images();
    let env = TestEnv::new();
    let base = env.tmp().join("ovl");
    for d in ["lo", "up", "wk", "m"] {
        std::fs::create_dir_all(base.join(d)).unwrap();
    }
    let script = r#"set -e
mount -t overlay o -o lowerdir=lo,upperdir=up,workdir=wk,userxattr m
rsp() { "$RSP" --root m/root --runroot m/run "$@"; }
rsp info --format '{{.store.graphDriverName}}'
rsp run --rm "$IMG" sh -c 'cat /keep/k1; test -e /a || echo whiteout; echo w > /w; cat /w'
mount --bind /dev/null /dev/fuse
rsp system reset -f
rsp info --format '{{.store.graphDriverName}}'
rsp run --rm "$IMG" cat /new
rsp system reset -f
"#;
    let out = env
        .cmd("unshare")
        .args(["-Urm", "sh", "-c", script])
        .env("RSP", crate::util::rsp_bin())
        .env("IMG", multi)
        .current_dir(&base)
        .ok();
    assert_eq!(out, "fuse-overlay\nk1\nwhiteout\nw\nvfs\nnew\n");
}

/// The FUSE server lives in the container's monitor: if the monitor is
/// killed, the container goes with it and nothing is left waiting on a
/// server that no longer answers.
#[test]
fn issue5_fuse_server_killed_leaves_nothing_hanging() {
    let (multi, _) = images();
    let env = TestEnv::new();
    let rsp = || env.rsp().args(["--storage-driver", "fuse-overlay"]);
    rsp()
        .args(["run", "-d", "--name", "c", multi, "sleep", "1000"])
        .ok();
    let monitor = env
        .rsp()
        .args(["inspect", "--format", "{{.State.ConmonPid}}", "c"])
        .ok();
    let monitor: i32 = monitor.trim().parse().unwrap();
    assert!(monitor > 0);
    env.cmd("kill").args(["-9", &monitor.to_string()]).ok();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let st = env
            .rsp()
            .args(["inspect", "--format", "{{.State.Status}}", "c"])
            .ok();
        if st.trim() != "running" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "still {st}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    env.rsp()
        .args(["rm", "-f", "c"])
        .timeout(std::time::Duration::from_secs(20))
        .ok();
    // The same store still runs fuse-overlay containers.
    let out = rsp().args(["run", "--rm", multi, "cat", "/new"]).ok();
    assert_eq!(out, "new\n");
}
