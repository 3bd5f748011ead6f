//! Issue 5 (in progress): storage drivers. The same image semantics are
//! checked on every driver rsp has.

use crate::util::TestEnv;
use crate::util::image::{multilayer_image, uid33_image};
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

const DRIVERS: &[&str] = &["overlay", "vfs"];

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
    assert!(String::from_utf8_lossy(&bad.stderr).contains("overlay and vfs"));
    env.write_config("containers/storage.conf", "[storage\n");
    let bad = env.rsp().args(["info"]).code(125);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("storage.conf"));
}
