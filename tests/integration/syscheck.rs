//! Issue 18: `rsp system check [--repair [--force]]` finds a damaged layer
//! (and the image and container that need it) and the leftovers killed
//! commands leave, removes what cannot be trusted, and leaves a store the
//! next command works with.

use crate::util::TestEnv;
use crate::util::image::busybox_image;
use crate::util::registry::shared;
use std::sync::OnceLock;

fn image() -> &'static str {
    static REF: OnceLock<String> = OnceLock::new();
    REF.get_or_init(|| {
        busybox_image()
            .push(shared(), "syscheck", "latest")
            .reference
    })
}

fn out(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn issue18_system_check_finds_and_repairs_damage_and_leftovers() {
    let env = TestEnv::new();
    env.rsp().args(["pull", "-q", image()]).ok();
    let id = env
        .rsp()
        .args(["create", "--network", "none", image(), "true"])
        .ok()
        .trim()
        .to_string();
    assert_eq!(
        env.rsp().args(["system", "check"]).ok(),
        "No problems found\n"
    );
    // The damage: a file of the layer changed, as a disk or a user
    // editing the store would.
    let layers = env.root().join("layers");
    let layer = std::fs::read_dir(&layers)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.is_dir())
        .unwrap();
    let hex = layer.file_name().unwrap().to_string_lossy().into_owned();
    let passwd = layer.join("etc/passwd");
    let mut text = std::fs::read(&passwd).unwrap();
    text.extend_from_slice(b"intruder:x:0:0::/:/bin/sh\n");
    std::fs::write(&passwd, text).unwrap();
    // What killed commands leave: a dead process's work directory, a
    // container directory without its record, a layer's files without
    // the layer, an atomic write's temporary file.
    let dead = env.root().join("tmp/999999999-layer");
    std::fs::create_dir_all(dead.join("x")).unwrap();
    let orphan = env.root().join("containers").join("ab".repeat(32));
    std::fs::create_dir_all(&orphan).unwrap();
    let stray = layers.join(format!("{}.size", "cd".repeat(32)));
    std::fs::write(&stray, "1").unwrap();
    let tmpfile = env.root().join("blobs/sha256/.x.tmp-999999999-0");
    std::fs::write(&tmpfile, "x").unwrap();

    let found = env.rsp().args(["system", "check"]).code(1);
    let text = out(&found);
    for words in [
        format!("damaged layer sha256:{hex}"),
        "damaged image ".to_string(),
        format!("damaged container {}", &id[..12]),
        format!(
            "leftover temporary work of a dead process: {}",
            dead.display()
        ),
        format!(
            "leftover container directory with no record: {}",
            orphan.display()
        ),
        format!(
            "leftover file of a layer that was never put in place: {}",
            stray.display()
        ),
        format!("leftover temporary file: {}", tmpfile.display()),
    ] {
        assert!(text.contains(&words), "{words:?} not in:\n{text}");
    }
    // --quick skips the contents: the layer is not read.
    let quick = out(&env.rsp().args(["system", "check", "--quick"]).code(1));
    assert!(!quick.contains("damaged layer"), "{quick}");
    // --repair removes all but the container, which needs --force.
    let repaired = out(&env.rsp().args(["system", "check", "--repair"]).code(1));
    assert!(
        repaired.contains(&format!("removed damaged layer sha256:{hex}")),
        "{repaired}"
    );
    assert!(repaired.contains("removed damaged image"), "{repaired}");
    assert!(repaired.contains("--repair --force"), "{repaired}");
    for p in [&dead, &orphan, &stray, &tmpfile, &layer] {
        assert!(!p.exists(), "{} is still there", p.display());
    }
    env.rsp()
        .args(["system", "check", "--repair", "--force"])
        .ok();
    assert_eq!(
        env.rsp().args(["system", "check"]).ok(),
        "No problems found\n"
    );
    env.rsp().args(["container", "exists", &id]).code(1);
    // The next commands work: the image comes back whole.
    env.rsp().args(["pull", "-q", image()]).ok();
    assert_eq!(
        env.rsp()
            .args([
                "run",
                "--rm",
                "--network",
                "none",
                image(),
                "grep",
                "-c",
                "intruder",
                "/etc/passwd"
            ])
            .code(1)
            .stdout,
        b"0\n"
    );
    assert_eq!(
        env.rsp().args(["system", "check"]).ok(),
        "No problems found\n"
    );
    // --force alone is a mistake.
    env.rsp().args(["system", "check", "--force"]).code(125);
}
