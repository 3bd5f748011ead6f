//! Pulling layers with hostile tar entries (issue 2): whatever a layer says,
//! nothing outside the store is created, followed or changed, and the store
//! stays usable. rsp may refuse such a layer (with one clear `Error:` line)
//! or unpack it with the names clamped inside the layer; both are fine.

use super::pull::tmp_entries;
use super::pull::{assert_one_error_line, hex, image_ids, layer_dir, pull_quiet, stored_images};
use crate::util::{self, ImageBuilder, Kind, Layer, Pushed, TestEnv};
use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::process::Output;

/// A name no other test (or earlier run) uses.
fn unique(what: &str) -> String {
    format!("{what}-{}", std::process::id())
}

/// Pushes one layer (after a harmless one) as `<repo>:v1` and pulls it into
/// a fresh environment. Asserts the outcome is success or a clear error.
fn pull_hostile(repo: &str, layer: Layer) -> (TestEnv, Pushed, Output) {
    let env = TestEnv::new();
    // rsp opens (creates) the store anyway; tests plant files next to it.
    fs::create_dir_all(env.root()).unwrap();
    let pushed = push_hostile(repo, layer);
    let out = pull_prepared(&env, &pushed);
    (env, pushed, out)
}

fn push_hostile(repo: &str, layer: Layer) -> Pushed {
    ImageBuilder::new()
        .layer(Layer::new().file("/harmless", 0o644, b"ok\n"))
        .layer(layer)
        .push(util::shared(), repo, "v1")
}

fn pull_prepared(env: &TestEnv, pushed: &Pushed) -> Output {
    let out = env.rsp().args(["pull", "-q", &pushed.reference]).output();
    if !out.status.success() {
        assert_eq!(
            out.status.code(),
            Some(125),
            "a refused layer is rsp's error (125)\n{}",
            util::show_output(&out)
        );
        assert_one_error_line(&out, "");
    }
    out
}

/// After the hostile pull, whatever its outcome: no temp leftovers, a failed
/// pull left no image and no hostile layer, and a normal pull still works.
fn assert_store_consistent(env: &TestEnv, pushed: &Pushed, out: &Output, repo: &str) {
    assert!(tmp_entries(env).is_empty(), "{:?}", tmp_entries(env));
    if out.status.success() {
        assert_eq!(image_ids(env), [&hex(&pushed.config_digest)[..12]]);
    } else {
        assert!(stored_images(env).is_empty(), "failed pull stored an image");
        assert!(
            !layer_dir(env, &pushed.diff_ids[1]).exists(),
            "a refused layer must not be committed"
        );
    }
    let normal = util::busybox_image().push(util::shared(), &format!("{repo}-normal"), "v1");
    pull_quiet(env, &normal.reference);
    env.rsp()
        .args(["image", "exists", &normal.reference])
        .code(0);
    if out.status.success() {
        assert_eq!(image_ids(env).len(), 2);
    }
}

/// Paths named `name` under `dir` (not following symlinks, at most `depth`
/// levels down), skipping `skip`. Unreadable directories are ignored: other
/// users' temp dirs, or tests removing theirs meanwhile.
fn find_named(dir: &Path, name: &str, skip: &Path, depth: usize, found: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path == skip {
            continue;
        }
        if e.file_name().to_string_lossy().contains(name) {
            found.push(path.clone());
        }
        if depth > 0 && e.file_type().is_ok_and(|t| t.is_dir()) {
            find_named(&path, name, skip, depth - 1, found);
        }
    }
}

/// Asserts nothing named `name` exists outside `<root>/layers`: not under
/// the test environment, not in `/tmp` (a few levels deep) nor in `/`.
#[track_caller]
fn assert_nowhere_outside_layers(env: &TestEnv, name: &str) {
    let layers = env.root().join("layers");
    let mut found = Vec::new();
    find_named(env.dir.path(), name, &layers, 64, &mut found);
    find_named(Path::new("/tmp"), name, env.dir.path(), 3, &mut found);
    find_named(Path::new("/"), name, Path::new("/proc"), 0, &mut found);
    assert!(found.is_empty(), "{name} escaped the layer: {found:?}");
}

fn dir_is_empty(dir: &Path) -> bool {
    fs::read_dir(dir).unwrap().next().is_none()
}

#[test]
fn issue2_hostile_dotdot_names_stay_in_the_layer() {
    let repo = "hostile-dotdot";
    let name = unique("escape-dotdot");
    let deep = format!("{}tmp/{name}", "../".repeat(16));
    let layer = Layer::new()
        .raw_entry(format!("../../{name}").as_bytes(), Kind::File, None, b"x")
        .raw_entry(deep.as_bytes(), Kind::File, None, b"x")
        .raw_entry(b"sub/", Kind::Dir, None, b"")
        .raw_entry(
            format!("sub/../../../{name}-2").as_bytes(),
            Kind::File,
            None,
            b"x",
        );
    let (env, pushed, out) = pull_hostile(repo, layer);
    assert_nowhere_outside_layers(&env, &name);
    if out.status.success() {
        // Clamped at the layer root, as the unpacker documents.
        let dir = layer_dir(&env, &pushed.diff_ids[1]);
        assert!(dir.join(&name).is_file(), "../../{name} not clamped");
    }
    assert_store_consistent(&env, &pushed, &out, repo);
}

#[test]
fn issue2_hostile_absolute_names_stay_in_the_layer() {
    let repo = "hostile-absolute";
    let name = unique("abs-escape");
    let layer = Layer::new()
        .raw_entry(format!("/{name}").as_bytes(), Kind::File, None, b"x")
        .raw_entry(format!("/tmp/{name}").as_bytes(), Kind::File, None, b"x");
    let (env, pushed, out) = pull_hostile(repo, layer);
    assert!(!Path::new("/").join(&name).exists());
    assert!(!Path::new("/tmp").join(&name).exists());
    assert_nowhere_outside_layers(&env, &name);
    if out.status.success() {
        let dir = layer_dir(&env, &pushed.diff_ids[1]);
        assert!(dir.join(&name).is_file(), "/{name} not made relative");
    }
    assert_store_consistent(&env, &pushed, &out, repo);
}

#[test]
fn issue2_hostile_symlink_to_outside_dir_is_never_followed() {
    let repo = "hostile-symlink-abs";
    let outside = tempfile::Builder::new()
        .prefix("rsp-outside")
        .tempdir()
        .unwrap();
    let target = outside.path().to_str().unwrap().as_bytes().to_vec();
    let file_target = format!("{}/file", outside.path().display());
    let layer = Layer::new()
        .raw_entry(b"evil", Kind::Symlink, Some(&target), b"")
        .raw_entry(b"evil/pwned", Kind::File, None, b"pwned")
        // A symlink replaced by a file: the file must not be written
        // through the link.
        .raw_entry(b"evil2", Kind::Symlink, Some(file_target.as_bytes()), b"")
        .raw_entry(b"evil2", Kind::File, None, b"pwned");
    let (env, pushed, out) = pull_hostile(repo, layer);
    assert!(
        dir_is_empty(outside.path()),
        "the layer wrote into {}: {:?}",
        outside.path().display(),
        fs::read_dir(outside.path()).unwrap().collect::<Vec<_>>()
    );
    assert_store_consistent(&env, &pushed, &out, repo);
    assert!(dir_is_empty(outside.path()));
}

#[test]
fn issue2_hostile_relative_symlink_up_is_never_followed() {
    let repo = "hostile-symlink-up";
    let name = unique("pwned-up");
    let layer = Layer::new()
        .raw_entry(b"up", Kind::Symlink, Some(b"../../.."), b"")
        .raw_entry(format!("up/{name}").as_bytes(), Kind::File, None, b"x")
        .raw_entry(
            b"upup",
            Kind::Symlink,
            Some("../".repeat(16).as_bytes()),
            b"",
        )
        .raw_entry(
            format!("upup/tmp/{name}").as_bytes(),
            Kind::File,
            None,
            b"x",
        );
    let (env, pushed, out) = pull_hostile(repo, layer);
    assert!(!Path::new("/tmp").join(&name).exists());
    assert_nowhere_outside_layers(&env, &name);
    assert_store_consistent(&env, &pushed, &out, repo);
}

#[test]
fn issue2_hostile_hardlink_to_host_passwd_is_refused_or_contained() {
    let repo = "hostile-hardlink-passwd";
    let before = fs::metadata("/etc/passwd").unwrap();
    let content = fs::read("/etc/passwd").unwrap();
    let layer = Layer::new()
        .raw_entry(b"passwd", Kind::Hardlink, Some(b"/etc/passwd"), b"")
        .raw_entry(
            b"passwd2",
            Kind::Hardlink,
            Some(format!("{}etc/passwd", "../".repeat(16)).as_bytes()),
            b"",
        );
    let (env, pushed, out) = pull_hostile(repo, layer);
    let after = fs::metadata("/etc/passwd").unwrap();
    assert_eq!(after.nlink(), before.nlink(), "/etc/passwd got a new link");
    assert_eq!(after.mtime(), before.mtime());
    assert_eq!(fs::read("/etc/passwd").unwrap(), content);
    if out.status.success() {
        let dir = layer_dir(&env, &pushed.diff_ids[1]);
        for n in ["passwd", "passwd2"] {
            if let Ok(m) = fs::symlink_metadata(dir.join(n)) {
                assert!(
                    (m.dev(), m.ino()) != (after.dev(), after.ino()),
                    "{n} is the host's /etc/passwd"
                );
            }
        }
    }
    assert_store_consistent(&env, &pushed, &out, repo);
}

#[test]
fn issue2_hostile_hardlink_out_of_the_layer_is_refused_or_contained() {
    let repo = "hostile-hardlink-up";
    let env = TestEnv::new();
    // Where `../../outside` lands from `<root>/tmp/<work>` or
    // `<root>/layers/<hex>`.
    fs::create_dir_all(env.root()).unwrap();
    let outside = env.root().join("outside");
    fs::write(&outside, b"secret\n").unwrap();
    let layer = Layer::new()
        .raw_entry(b"hl", Kind::Hardlink, Some(b"../../outside"), b"")
        // Rewriting the link's name must not write through it.
        .raw_entry(b"hl", Kind::File, None, b"pwned\n")
        .raw_entry(b"hl2", Kind::Hardlink, Some(b"../../outside"), b"");
    let pushed = push_hostile(repo, layer);
    let out = pull_prepared(&env, &pushed);
    let meta = fs::metadata(&outside).unwrap();
    assert_eq!(meta.nlink(), 1, "a layer entry links to {outside:?}");
    assert_eq!(fs::read(&outside).unwrap(), b"secret\n");
    assert_store_consistent(&env, &pushed, &out, repo);
}

#[test]
fn issue2_hostile_device_becomes_a_placeholder_file() {
    let repo = "hostile-device";
    let layer = Layer::new()
        .dir("/dev", 0o755)
        .raw_entry(
            b"dev/sda",
            Kind::CharDevice { major: 8, minor: 0 },
            None,
            b"",
        )
        .raw_entry(
            b"dev/sdb",
            Kind::BlockDevice {
                major: 8,
                minor: 16,
            },
            None,
            b"",
        );
    let (env, pushed, out) = pull_hostile(repo, layer);
    assert!(out.status.success(), "{}", util::show_output(&out));
    let dev = layer_dir(&env, &pushed.diff_ids[1]).join("dev");
    for (name, kind) in [("sda", "char-8-0"), ("sdb", "block-8-16")] {
        let m = fs::symlink_metadata(dev.join(name)).unwrap();
        assert!(
            m.file_type().is_file(),
            "{name}: {:?} is not a placeholder file",
            m.file_type()
        );
        assert!(!m.file_type().is_char_device() && !m.file_type().is_block_device());
        assert_eq!(m.len(), 0);
        let stat = xattr::get(dev.join(name), "user.containers.override_stat")
            .unwrap()
            .map(|v| String::from_utf8_lossy(&v).into_owned());
        assert!(
            stat.as_deref().is_some_and(|s| s.ends_with(kind)),
            "{name}: override_stat {stat:?} should record {kind}"
        );
    }
    assert_store_consistent(&env, &pushed, &out, repo);
}
