//! Issue 19 (its volumes part): named, anonymous and image volumes on
//! every storage driver, copy-up with the image's owners, `:U`, `:O`,
//! `--mount` forms and bad specs, `--tmpfs`, `--volumes-from`, removal
//! rules, `volume export | import`, a volume surviving a killed monitor,
//! hostile names, and two containers writing one volume at once.

use crate::util::debian::gosu_layer;
use crate::util::image::{Layer, busybox_image};
use crate::util::registry::shared;
use crate::util::{TestEnv, show_output};
use std::sync::OnceLock;

const DRIVERS: &[&str] = &["overlay", "fuse-overlay", "vfs"];

/// busybox with `/data` (0750, 33:33) holding `f` (0640, 33:33, "img"),
/// `/data/sub/g`, and a `VOLUME /vol` holding `seed`.
fn image() -> &'static str {
    static REF: OnceLock<String> = OnceLock::new();
    REF.get_or_init(|| {
        busybox_image()
            .layer(
                Layer::new()
                    .dir_owned("/data", 0o750, 33, 33)
                    .file_owned("/data/f", 0o640, 33, 33, b"img\n")
                    .file("/data/sub/g", 0o600, b"g\n")
                    .file("/vol/seed", 0o644, b"seed\n"),
            )
            .layer(gosu_layer())
            .volume("/vol")
            .push(shared(), "volumes-img", "latest")
            .reference
    })
}

fn pulled(env: &TestEnv) -> &'static str {
    let img = image();
    env.rsp().args(["pull", "-q", img]).ok();
    img
}

fn volumes(env: &TestEnv) -> Vec<String> {
    env.rsp()
        .args(["volume", "ls", "-q"])
        .ok()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn issue19_named_anonymous_and_image_volumes_on_every_driver() {
    for driver in DRIVERS {
        let env = TestEnv::new();
        let img = pulled(&env);
        let rsp = || env.rsp().args(["--storage-driver", driver]);
        // A new named volume on an image path: filled from the image,
        // owners and modes as recorded.
        let out = rsp()
            .args(["run", "--rm", "--network", "none", "-v", "db:/data", img])
            .args(["sh", "-c", "stat -c '%n %u:%g %a' /data /data/f /data/sub/g; cat /data/f; echo more > /data/new"])
            .ok();
        assert_eq!(
            out, "/data 33:33 750\n/data/f 33:33 640\n/data/sub/g 0:0 600\nimg\n",
            "{driver}"
        );
        // It outlives the container; a second one is not filled again.
        let out = rsp()
            .args(["run", "--rm", "--network", "none", "-v", "db:/other", img])
            .args(["sh", "-c", "cat /other/new; ls /other"])
            .ok();
        assert_eq!(out, "more\nf\nnew\nsub\n", "{driver}");
        // The image's VOLUME and `-v /path` are anonymous volumes, gone
        // with `--rm`.
        let out = rsp()
            .args(["run", "--rm", "--network", "none", "-v", "/anon", img])
            .args([
                "sh",
                "-c",
                "cat /vol/seed; grep -c -e ' /vol ' -e ' /anon ' /proc/mounts",
            ])
            .ok();
        assert_eq!(out, "seed\n2\n", "{driver}");
        assert_eq!(volumes(&env), ["db"], "{driver}");
        // An image mount: read-only unless rw=true.
        let out = rsp()
            .args(["run", "--rm", "--network", "none", "--mount"])
            .arg(format!("type=image,src={img},dst=/img"))
            .args([
                img,
                "sh",
                "-c",
                "cat /img/data/f; touch /img/x 2>&1 || true",
            ])
            .ok();
        assert!(
            out.starts_with("img\n") && out.contains("Read-only"),
            "{driver}: {out}"
        );
        // `inspect` shows the mounts as Podman does.
        rsp()
            .args(["create", "--name", "c", "-v", "db:/data:ro", img, "true"])
            .ok();
        let mounts = rsp()
            .args(["inspect", "--format", "{{json .Mounts}}", "c"])
            .ok();
        let v: serde_json::Value = serde_json::from_str(&mounts).unwrap();
        let db = v
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["Destination"] == "/data")
            .unwrap();
        assert_eq!(db["Type"], "volume");
        assert_eq!(db["Name"], "db");
        assert_eq!(db["RW"], false);
        assert!(
            db["Source"]
                .as_str()
                .unwrap()
                .ends_with("/volumes/db/_data")
        );
        let anon = v
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["Destination"] == "/vol")
            .unwrap();
        assert_eq!(anon["Type"], "volume");
        rsp().args(["rm", "-v", "c"]).ok();
        assert_eq!(
            volumes(&env),
            ["db"],
            "{driver}: rm -v removes the anonymous one only"
        );
    }
}

#[test]
fn issue19_owners_chowned_in_a_volume_persist_across_containers() {
    let env = TestEnv::new();
    let img = pulled(&env);
    let run = |args: &[&str], script: &str| {
        env.rsp()
            .args(["run", "--rm", "--network", "none", "-v", "pg:/var/lib/db"])
            .args(args)
            .args([img, "sh", "-c", script])
            .ok()
    };
    // As a database image's entrypoint does: root chowns the data
    // directory, then drops to the service user (gosu) who writes there.
    run(
        &[],
        "mkdir -p /var/lib/db/main && chown -R 33:33 /var/lib/db/main && chmod 700 /var/lib/db/main",
    );
    let out = run(
        &[],
        "gosu 33:33 sh -c 'echo row > /var/lib/db/main/table' && stat -c '%u:%g %a' /var/lib/db/main /var/lib/db/main/table",
    );
    assert_eq!(out, "33:33 700\n33:33 644\n");
    // A third container sees the same owners, and so does one running as
    // the service user itself.
    let out = run(
        &[],
        "stat -c '%u:%g' /var/lib/db/main/table; cat /var/lib/db/main/table",
    );
    assert_eq!(out, "33:33\nrow\n");
    let out = run(
        &["--user", "33"],
        "stat -c '%u:%g' /var/lib/db/main/table; cat /var/lib/db/main/table",
    );
    assert_eq!(out, "33:33\nrow\n");
    // nocopy: a new volume stays empty.
    let out = env
        .rsp()
        .args([
            "run",
            "--rm",
            "--network",
            "none",
            "-v",
            "empty:/data:nocopy",
            img,
        ])
        .args(["ls", "-A", "/data"])
        .ok();
    assert_eq!(out, "");
}

#[test]
fn issue19_u_records_the_container_user_and_o_throws_changes_away() {
    let env = TestEnv::new();
    let img = pulled(&env);
    let host = env.tmp().join("host");
    std::fs::create_dir_all(host.join("d")).unwrap();
    std::fs::write(host.join("d/f"), "host\n").unwrap();
    let spec = |opts: &str| format!("{}:/h:{opts}", host.display());
    let out = env
        .rsp()
        .args([
            "run",
            "--rm",
            "--network",
            "none",
            "--user",
            "33",
            "-v",
            &spec("U"),
            img,
        ])
        .args([
            "sh",
            "-c",
            "stat -c '%u:%g' /h /h/d /h/d/f; echo w > /h/d/f",
        ])
        .ok();
    assert_eq!(out, "33:33\n33:33\n33:33\n");
    // No real chown: the host files are still the user's.
    use std::os::unix::fs::MetadataExt;
    assert_eq!(
        std::fs::metadata(host.join("d/f")).unwrap().uid(),
        nix::unistd::getuid().as_raw()
    );
    let out = env
        .rsp()
        .args(["run", "--rm", "--network", "none", "-v", &spec("O"), img])
        .args([
            "sh",
            "-c",
            "echo changed > /h/d/f; touch /h/new; rm /h/d/f; ls /h /h/d",
        ])
        .ok();
    assert!(!out.contains("f\n"), "{out}");
    assert_eq!(std::fs::read_to_string(host.join("d/f")).unwrap(), "w\n");
    assert!(!host.join("new").exists());
    // A second run starts from the host directory again.
    let out = env
        .rsp()
        .args(["run", "--rm", "--network", "none", "-v", &spec("O"), img])
        .args(["sh", "-c", "ls /h; cat /h/d/f"])
        .ok();
    assert_eq!(out, "d\nw\n");
}

#[test]
fn issue19_mount_forms_tmpfs_and_recursive_read_only() {
    let env = TestEnv::new();
    let img = pulled(&env);
    let host = env.tmp().join("b");
    std::fs::create_dir_all(&host).unwrap();
    let out = env
        .rsp()
        .args(["run", "--rm", "--network", "none"])
        .args([
            "--mount",
            &format!("type=bind,src={},dst=/b,ro", host.display()),
        ])
        .args(["--mount", "type=volume,src=mv,dst=/v,volume-nocopy"])
        .args(["--mount", "type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=700"])
        .args(["--mount", "type=devpts,dst=/dev/pts2"])
        .args(["--tmpfs", "/data:size=2m,noexec"])
        .args([img, "sh", "-c"])
        .arg(
            "touch /b/x 2>/dev/null && echo bind-writable; touch /v/x && echo volume-ok; \
             stat -c %a /t; grep -E ' /(t|data|dev/pts2) ' /proc/mounts | cut -d' ' -f2-4; \
             cat /data/f",
        )
        .ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "volume-ok", "{out}");
    assert_eq!(lines[1], "700", "{out}");
    assert!(
        out.contains("/t tmpfs rw,nosuid,nodev,relatime,size=1024k"),
        "{out}"
    );
    assert!(out.contains("/data tmpfs rw,nosuid,nodev,noexec"), "{out}");
    assert!(out.contains("/dev/pts2 devpts"), "{out}");
    // --tmpfs copies the image's files in (Podman's tmpcopyup).
    assert!(out.ends_with("img\n"), "{out}");
    // `volume create -o`: a tmpfs volume, and one binding a host directory.
    env.rsp()
        .args([
            "volume",
            "create",
            "-o",
            "type=tmpfs",
            "-o",
            "o=size=8m",
            "tv",
        ])
        .ok();
    env.rsp()
        .args(["volume", "create", "-o", "type=none", "-o", "o=bind", "-o"])
        .arg(format!("device={}", host.display()))
        .arg("bv")
        .ok();
    std::fs::write(host.join("from-host"), "h\n").unwrap();
    let out = env
        .rsp()
        .args([
            "run",
            "--rm",
            "--network",
            "none",
            "-v",
            "tv:/tv",
            "-v",
            "bv:/bv",
            img,
        ])
        .args([
            "sh",
            "-c",
            "grep ' /tv ' /proc/mounts | cut -d' ' -f3; cat /bv/from-host",
        ])
        .ok();
    assert_eq!(out, "tmpfs\nh\n");
    let err = env
        .rsp()
        .args([
            "volume",
            "create",
            "-o",
            "type=ext4",
            "-o",
            "device=/dev/vda",
            "dev",
        ])
        .fails();
    assert!(String::from_utf8_lossy(&err.stderr).contains("type=ext4"));
    // A read-only bind of a tree with submounts is read-only all the way
    // down (mount_setattr): the host's /sys has cgroup and other mounts.
    let out = env
        .rsp()
        .args(["run", "--rm", "--network", "none", "-v", "/sys:/hs:ro", img])
        .args(["sh", "-c", "grep ' /hs' /proc/mounts | grep -vc ' ro,'"])
        .code(1);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "0\n",
        "{}",
        show_output(&out)
    );
}

#[test]
fn issue19_bad_mount_specs_are_refused_with_one_line_and_create_nothing() {
    let env = TestEnv::new();
    let img = pulled(&env);
    for (args, word) in [
        (vec!["--mount", "type=bind,dst=/x"], "src"),
        (vec!["--mount", "type=nfs,dst=/x"], "type"),
        (
            vec!["--mount", "type=tmpfs,dst=/x,tmpfs-size=lots"],
            "tmpfs-size",
        ),
        (vec!["--mount", "type=volume,src=v,dst=/x,bogus=1"], "bogus"),
        (vec!["--mount", "type=volume,src=v"], "destination"),
        (
            vec!["--mount", "type=volume,src=v,dst=/x,volume-driver=nfs"],
            "volume-driver",
        ),
        (vec!["--mount", "type=image,dst=/x"], "src=IMAGE"),
        (
            vec!["--mount", "type=image,src=no-such-image,dst=/x"],
            "no-such-image",
        ),
        (vec!["-v", "v:/x:bogus"], "bogus"),
        (vec!["-v", "v:relative"], "relative"),
        (vec!["-v", "v:/x:ro,rw"], "\"ro\" and \"rw\""),
        (vec!["-v", "/no/such/dir:/x"], "/no/such/dir"),
        (
            vec!["-v", "v:/x", "-v", "w:/x"],
            "duplicate mount destination",
        ),
        (vec!["--tmpfs", "/x:mode=99999"], "mode"),
        (vec!["--tmpfs", "relative"], "relative"),
        (vec!["--volumes-from", "nobody-here"], "nobody-here"),
        (vec!["--image-volume", "sometimes"], "sometimes"),
    ] {
        let out = env
            .rsp()
            .args(["run", "--rm", "--network", "none"])
            .args(&args)
            .args([img, "true"])
            .code(125);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.starts_with("Error: ") && err.contains(word),
            "{args:?}: {err}"
        );
    }
    assert!(volumes(&env).is_empty());
    assert_eq!(env.rsp().args(["ps", "-aq"]).ok(), "");
}

#[test]
fn issue19_volumes_from_and_removal_rules() {
    let env = TestEnv::new();
    let img = pulled(&env);
    let host = env.tmp().join("shared");
    std::fs::create_dir_all(&host).unwrap();
    env.rsp()
        .args(["create", "--name", "src", "-v", "named:/n", "-v", "/anon"])
        .args(["-v", &format!("{}:/h", host.display()), img, "true"])
        .ok();
    let out = env
        .rsp()
        .args([
            "run",
            "--rm",
            "--network",
            "none",
            "--volumes-from",
            "src:ro",
            img,
        ])
        .args([
            "sh",
            "-c",
            "ls /n /vol /anon /h >/dev/null && touch /n/x 2>&1; true",
        ])
        .ok();
    assert!(out.contains("Read-only"), "{out}");
    // The copy's --rm left src's anonymous volumes alone.
    assert_eq!(volumes(&env).len(), 3, "{:?}", volumes(&env));
    // In use: refused with Podman's words and exit code 2.
    let out = env.rsp().args(["volume", "rm", "named"]).code(2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("volume named is being used by the following container(s)"),
        "{err}"
    );
    assert_eq!(
        String::from_utf8_lossy(&env.rsp().args(["volume", "rm", "nope"]).code(1).stderr),
        "Error: no volume with name \"nope\" found: no such volume\n"
    );
    env.rsp().args(["volume", "exists", "named"]).ok();
    assert_eq!(
        env.rsp()
            .args([
                "inspect",
                "--type",
                "volume",
                "--format",
                "{{.Name}} {{.MountCount}}",
                "named"
            ])
            .ok(),
        "named 1\n"
    );
    env.rsp().args(["volume", "exists", "nope"]).code(1);
    // prune keeps what is in use.
    env.rsp()
        .args(["volume", "create", "--label", "k=v", "idle"])
        .ok();
    env.rsp().args(["volume", "create", "idle2"]).ok();
    let out = env
        .rsp()
        .args(["volume", "prune", "-f", "--filter", "label=k=v"])
        .ok();
    assert_eq!(out, "idle\n");
    assert_eq!(
        env.rsp()
            .args(["volume", "ls", "-q", "--filter", "dangling=true"])
            .ok(),
        "idle2\n"
    );
    // -f removes the containers using it (as Podman, their anonymous
    // volumes stay until pruned).
    env.rsp().args(["volume", "rm", "-f", "named"]).ok();
    assert_eq!(env.rsp().args(["ps", "-aq"]).ok(), "");
    let left = volumes(&env);
    assert_eq!(left.len(), 3, "{left:?}");
    assert!(left.contains(&"idle2".to_string()), "{left:?}");
    // system df counts volumes; system prune --volumes removes unused ones.
    let df = env
        .rsp()
        .args(["system", "df", "--format", "{{.Type}} {{.Total}}"])
        .ok();
    assert!(df.contains("Local Volumes 3"), "{df}");
    let out = env.rsp().args(["system", "prune", "-f", "--volumes"]).ok();
    assert!(
        out.contains("Deleted Volumes\n") && out.contains("idle2\n"),
        "{out}"
    );
    assert!(volumes(&env).is_empty());
}

#[test]
fn issue19_volume_export_import_round_trip() {
    let env = TestEnv::new();
    let img = pulled(&env);
    env.rsp()
        .args(["run", "--rm", "--network", "none", "-v", "a:/d", img, "sh", "-c"])
        .arg("mkdir /d/www && echo page > /d/www/i && chown -R 33:33 /d/www && chmod 640 /d/www/i && ln -s www/i /d/link")
        .ok();
    let tar = env.tmp().join("a.tar");
    env.rsp()
        .args(["volume", "export", "-o"])
        .arg(&tar)
        .arg("a")
        .ok();
    env.rsp().args(["volume", "create", "b"]).ok();
    env.rsp().args(["volume", "import", "b"]).arg(&tar).ok();
    // And through a pipe: export to stdout, import from stdin.
    let bytes = env.rsp().args(["volume", "export", "a"]).output().stdout;
    env.rsp().args(["volume", "create", "c"]).ok();
    env.rsp()
        .args(["volume", "import", "c", "-"])
        .stdin(bytes)
        .ok();
    for v in ["b", "c"] {
        let out = env
            .rsp()
            .args([
                "run",
                "--rm",
                "--network",
                "none",
                "-v",
                &format!("{v}:/d"),
                img,
            ])
            .args([
                "sh",
                "-c",
                "stat -c '%u:%g %a' /d/www /d/www/i; cat /d/link",
            ])
            .ok();
        assert_eq!(out, "33:33 755\n33:33 640\npage\n", "{v}");
    }
    // The volume must exist; a hostile archive cannot write outside it.
    env.rsp()
        .args(["volume", "import", "nope", "-"])
        .stdin(Vec::new())
        .code(1);
    let mut evil = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Regular);
    h.set_size(4);
    h.set_mode(0o644);
    // Written by hand: the tar crate refuses to write a `..` name.
    let name = b"../../escape";
    h.as_gnu_mut().unwrap().name[..name.len()].copy_from_slice(name);
    h.set_cksum();
    evil.append(&h, &b"bad\n"[..]).unwrap();
    let evil = evil.into_inner().unwrap();
    env.rsp()
        .args(["volume", "import", "c", "-"])
        .stdin(evil)
        .fails();
    assert!(!env.data_home().join("rsp/escape").exists());
    assert!(!env.data_home().join("rsp/volumes/escape").exists());
}

#[test]
fn issue19_a_volume_survives_a_killed_monitor() {
    let env = TestEnv::new();
    let img = pulled(&env);
    let id = env
        .rsp()
        .args(["run", "-d", "--network", "none", "-v", "k:/d", img, "sh", "-c"])
        .arg("i=0; while [ $i -lt 100 ]; do echo $i >> /d/log; i=$((i+1)); done; echo done > /d/marker; sleep 300")
        .ok();
    let id = id.trim();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let marker = env.data_home().join("rsp/volumes/k/_data/marker");
    while !marker.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the container never wrote its volume"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let pid: i32 = env
        .rsp()
        .args(["inspect", "--format", "{{.State.ConmonPid}}", id])
        .ok()
        .trim()
        .parse()
        .unwrap();
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::SIGKILL).unwrap();
    let out = env
        .rsp()
        .args(["run", "--rm", "--network", "none", "-v", "k:/d", img])
        .args(["sh", "-c", "wc -l < /d/log; cat /d/marker"])
        .ok();
    assert_eq!(out, "100\ndone\n");
    env.rsp().args(["rm", "-f", "-v", id]).ok();
    assert_eq!(volumes(&env), ["k"]);
}

#[test]
fn issue19_hostile_volume_names_are_refused() {
    let env = TestEnv::new();
    let img = pulled(&env);
    let long = "v".repeat(201);
    for name in [
        "..",
        ".",
        "/",
        "a/b",
        "../x",
        "-x",
        ".hidden",
        "a b",
        long.as_str(),
    ] {
        let out = env.rsp().args(["volume", "create", "--", name]).fails();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("invalid volume name") || name == "/",
            "{name}: {err}"
        );
        if !name.starts_with(['.', '/']) {
            env.rsp()
                .args([
                    "run",
                    "--rm",
                    "--network",
                    "none",
                    "-v",
                    &format!("{name}:/d"),
                    img,
                    "true",
                ])
                .code(125);
        }
    }
    assert!(volumes(&env).is_empty());
    let vols = env.data_home().join("rsp/volumes");
    let n = std::fs::read_dir(&vols).map(|d| d.count()).unwrap_or(0);
    assert_eq!(n, 0);
}

#[test]
fn issue19_two_containers_write_one_volume_at_once() {
    let env = TestEnv::new();
    let img = pulled(&env);
    // Both started before either is waited for.
    let ids: Vec<String> = ["a", "b"]
        .iter()
        .map(|me| {
            env.rsp()
                .args(["run", "-d", "--network", "none", "-v", "both:/d", img])
                .args(["sh", "-c"])
                .arg(format!(
                    "i=0; while [ $i -lt 300 ]; do echo {me}$i >> /d/{me}; echo {me} >> /d/shared; i=$((i+1)); done"
                ))
                .ok()
        })
        .collect();
    for id in &ids {
        assert_eq!(env.rsp().args(["wait", id.trim()]).ok(), "0\n");
    }
    let out = env
        .rsp()
        .args(["run", "--rm", "--network", "none", "-v", "both:/d", img])
        .args([
            "sh",
            "-c",
            "wc -l < /d/a; wc -l < /d/b; grep -c a /d/shared; grep -c b /d/shared",
        ])
        .ok();
    assert_eq!(out, "300\n300\n300\n300\n");
}

/// What `script` prints, run by `sh -c` in a fresh fuse-overlay
/// container of `img` with no network.
fn on_fuse_overlay(env: &TestEnv, img: &str, script: &str) -> String {
    env.rsp()
        .args([
            "--storage-driver",
            "fuse-overlay",
            "run",
            "--rm",
            "--network",
            "none",
            img,
        ])
        .args(["sh", "-c", script])
        .ok()
}

/// On fuse-overlay the ownership supervisor answers a chown that changes
/// nothing and a chmod to the mode a file has (what `tar x` does for each
/// file) without the server; each still behaves as the kernel's would.
#[test]
fn issue19_fuse_overlay_noop_chown_and_chmod_keep_their_meaning() {
    let env = TestEnv::new();
    let img = pulled(&env);
    let out = on_fuse_overlay(
        &env,
        img,
        "touch /p; chmod 600 /p; chown 0:0 /p; chmod 600 /p; stat -c '%u:%g %a' /p; \
         touch /s; chmod 4755 /s; chown 0:0 /s; stat -c %a /s; \
         mkdir /d; chmod 2775 /d; chown 0:0 /d; stat -c %a /d; \
         touch /r; chmod 400 /r; chown 0:0 /r; stat -c %a /r; \
         chown 33:33 /p; stat -c %u:%g /p; chown 0:0 /p; stat -c '%u:%g %a' /p; \
         gosu 33:33 chown 0:0 /p 2>/dev/null || echo refused; \
         mkdir /t && cd /t && printf x > a && chmod 640 a && tar cf /a.tar a && rm a && \
         tar xf /a.tar && stat -c '%u:%g %a %s' a",
    );
    assert_eq!(
        out,
        "0:0 600\n755\n2775\n400\n33:33\n0:0 600\nrefused\n0:0 640 1\n"
    );
}

/// fuse-overlay speed: the ownership supervisor keeps the records of files
/// on the FUSE root by inode and change time; changes within one tick of
/// the kernel's coarse clock, a file removed and made again, and files
/// made for an emulated user must still read right.
#[test]
fn issue19_fuse_overlay_owner_records_stay_coherent() {
    let env = TestEnv::new();
    let img = pulled(&env);
    let out = on_fuse_overlay(
        &env,
        img,
        "for i in 1 2 3; do touch /f$i; chown 33:33 /f$i; stat -c %u /f$i; \
         chown 34:34 /f$i; stat -c %u /f$i; chown 0:0 /f$i; stat -c %u /f$i; \
         chmod 600 /f$i; stat -c %a /f$i; done; \
         stat -c %u /data/f; rm /data/f; touch /data/f; stat -c %u /data/f; \
         gosu 33:33 touch /tmp/g; stat -c %u /tmp/g; rm /tmp/g; touch /tmp/g; stat -c %u /tmp/g",
    );
    assert_eq!(
        out,
        "33\n34\n0\n600\n33\n34\n0\n600\n33\n34\n0\n600\n33\n0\n33\n0\n"
    );
}
