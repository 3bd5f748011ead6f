//! Issue 15: flags that were accepted and then ignored now do what they
//! say (`cp --overwrite`, `save -m`, streaming `stats`), or are refused
//! with the alternative (`exec --detach-keys`), or say plainly what they
//! amount to in rsp (`images -a`, `system prune --volumes`,
//! `ps --external`).

use crate::util::image::busybox_image;
use crate::util::registry::shared;
use crate::util::{Cmd, Spawned, TestEnv};
use serde_json::Value;
use std::io::Read;
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn busybox() -> &'static str {
    static REF: OnceLock<String> = OnceLock::new();
    REF.get_or_init(|| {
        busybox_image()
            .push(shared(), "flags-busybox", "latest")
            .reference
    })
}

/// A second image, different from [`busybox`] by a label only.
fn labelled() -> &'static str {
    static REF: OnceLock<String> = OnceLock::new();
    REF.get_or_init(|| {
        busybox_image()
            .label("issue15", "second")
            .push(shared(), "flags-labelled", "v1")
            .reference
    })
}

fn env() -> TestEnv {
    let env = TestEnv::new();
    env.rsp().args(["pull", "-q", busybox()]).ok();
    env
}

fn rsp(env: &TestEnv, args: &[&str]) -> Cmd {
    env.rsp().args(args)
}

/// `run -d --name NAME busybox CMD...`.
fn detach(env: &TestEnv, name: &str, cmd: &[&str]) {
    let mut a = vec!["run", "-d", "--name", name, busybox()];
    a.extend_from_slice(cmd);
    rsp(env, &a).ok();
}

fn sh_in(env: &TestEnv, name: &str, script: &str) -> String {
    rsp(env, &["exec", name, "sh", "-c", script]).ok()
}

fn stderr_of(cmd: Cmd, code: i32) -> String {
    String::from_utf8_lossy(&cmd.code(code).stderr).into_owned()
}

/// Polls `f` until it is true, for at most `secs` seconds.
fn eventually(secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn issue15_cp_overwrite_replaces_a_directory_and_a_file() {
    let env = env();
    detach(&env, "box", &["sleep", "600"]);
    // In the container: /tmp/x a directory, /tmp/d a file.
    sh_in(&env, "box", "mkdir -p /tmp/x/sub && echo old > /tmp/d");
    // On the host: x a file, d a directory.
    let h = env.tmp().join("h");
    std::fs::create_dir_all(h.join("d")).unwrap();
    std::fs::write(h.join("x"), "new\n").unwrap();
    std::fs::write(h.join("d/in"), "inside\n").unwrap();
    let hx = h.join("x");
    let hd = h.join("d");
    let (hx, hd) = (hx.to_str().unwrap(), hd.to_str().unwrap());

    // Without --overwrite, neither replaces what is there (as Podman).
    rsp(&env, &["cp", hx, "box:/tmp/"]).code(125);
    rsp(&env, &["cp", hd, "box:/tmp/"]).code(125);
    assert_eq!(
        sh_in(&env, "box", "test -d /tmp/x/sub && cat /tmp/d"),
        "old\n"
    );
    // With it, a file replaces the directory and a directory the file.
    rsp(&env, &["cp", "--overwrite", hx, "box:/tmp/"]).ok();
    rsp(&env, &["cp", "--overwrite", hd, "box:/tmp/"]).ok();
    assert_eq!(sh_in(&env, "box", "cat /tmp/x /tmp/d/in"), "new\ninside\n");

    // The same on the way out: the host's x is a directory, the
    // container's a file.
    let out = env.tmp().join("out");
    std::fs::create_dir_all(out.join("x/keep")).unwrap();
    let o = format!("{}/", out.display());
    rsp(&env, &["cp", "box:/tmp/x", &o]).code(125);
    assert!(out.join("x/keep").is_dir());
    rsp(&env, &["cp", "--overwrite", "box:/tmp/x", &o]).ok();
    assert_eq!(std::fs::read_to_string(out.join("x")).unwrap(), "new\n");
    // Copying a directory onto a file stays refused, as in Podman: the
    // destination of a directory must be a directory.
    std::fs::write(out.join("file"), "f").unwrap();
    let file = out.join("file");
    rsp(
        &env,
        &["cp", "--overwrite", "box:/tmp/d", file.to_str().unwrap()],
    )
    .code(125);
}

#[test]
fn issue15_exec_detach_keys_are_refused_with_the_alternative() {
    let env = env();
    detach(&env, "box", &["sleep", "600"]);
    let err = stderr_of(
        rsp(&env, &["exec", "--detach-keys", "ctrl-a", "box", "true"]),
        125,
    );
    assert!(
        err.contains("--detach-keys") && err.contains("exec -d"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    // No keys at all is what rsp exec does: accepted.
    assert_eq!(
        rsp(&env, &["exec", "--detach-keys=", "box", "echo", "hi"]).ok(),
        "hi\n"
    );
}

#[test]
fn issue15_images_all_lists_what_images_lists() {
    let env = env();
    // An unnamed image (dangling, not intermediate: Podman lists it too).
    detach(&env, "box", &["sleep", "600"]);
    rsp(&env, &["commit", "box"]).ok();
    let plain = rsp(&env, &["images"]).ok();
    assert_eq!(plain.lines().count(), 3, "{plain}");
    assert!(plain.contains("<none>"), "{plain}");
    assert_eq!(rsp(&env, &["images", "-a"]).ok(), plain);
    assert_eq!(
        rsp(&env, &["images", "--all", "--no-trunc", "-q"]).ok(),
        rsp(&env, &["images", "--no-trunc", "-q"]).ok()
    );
}

/// The entries of `manifest.json` in a docker-archive.
fn archive_manifest(path: &std::path::Path) -> Vec<Value> {
    let mut a = tar::Archive::new(std::fs::File::open(path).unwrap());
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        if e.path().unwrap().to_str() == Some("manifest.json") {
            let mut s = String::new();
            e.read_to_string(&mut s).unwrap();
            return serde_json::from_str(&s).unwrap();
        }
    }
    panic!("no manifest.json in {}", path.display());
}

fn repo_tags(entry: &Value) -> Vec<&str> {
    entry["RepoTags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect()
}

#[test]
fn issue15_save_multi_image_archive() {
    let env = env();
    rsp(&env, &["pull", "-q", labelled()]).ok();
    let dir = env.tmp();

    // -m: every image named, in one docker-archive.
    let both = dir.join("both.tar");
    let b = both.to_str().unwrap();
    rsp(&env, &["save", "-q", "-m", "-o", b, busybox(), labelled()]).ok();
    let m = archive_manifest(&both);
    assert_eq!(m.len(), 2, "{m:?}");
    assert_eq!(repo_tags(&m[0]), [busybox()]);
    assert_eq!(repo_tags(&m[1]), [labelled()]);
    rsp(&env, &["rmi", "-a"]).ok();
    let loaded = rsp(&env, &["load", "-q", "-i", b]).ok();
    assert_eq!(
        loaded,
        format!(
            "Loaded image: {}\nLoaded image: {}\n",
            busybox(),
            labelled()
        )
    );

    // Without -m, the names after the first are extra tags for it.
    let one = dir.join("one.tar");
    let o = one.to_str().unwrap();
    rsp(
        &env,
        &["save", "-q", "-o", o, busybox(), "extra:1", "docker.io/x/y"],
    )
    .ok();
    let m = archive_manifest(&one);
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(
        repo_tags(&m[0]),
        ["localhost/extra:1", "docker.io/x/y:latest", busybox()]
    );

    // Several images, or extra tags, need a docker-archive.
    let oci = dir.join("x.oci");
    let x = oci.to_str().unwrap();
    let err = stderr_of(
        rsp(
            &env,
            &[
                "save",
                "-m",
                "--format",
                "oci-archive",
                "-o",
                x,
                busybox(),
                labelled(),
            ],
        ),
        125,
    );
    assert!(err.contains("only docker-archive"), "{err}");
    let err = stderr_of(
        rsp(
            &env,
            &[
                "save",
                "--format",
                "oci-archive",
                "-o",
                x,
                busybox(),
                "extra:1",
            ],
        ),
        125,
    );
    assert!(err.contains("docker-archive"), "{err}");
    assert!(!oci.exists());
    // One image with -m is any format's.
    rsp(
        &env,
        &["save", "-m", "--format", "oci-archive", "-o", x, busybox()],
    )
    .ok();
}

#[test]
fn issue15_system_prune_volumes_with_none_removes_nothing() {
    // Issue 19 gave rsp volumes; with none, --volumes prunes nothing and
    // says nothing about them.
    let env = env();
    let out = rsp(&env, &["system", "prune", "-f", "--volumes"]).output();
    assert!(out.status.success(), "{}", crate::util::show_output(&out));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("Deleted Volumes"), "{stdout}");
    assert!(stdout.ends_with("Total reclaimed space: 0B\n"), "{stdout}");
}

#[test]
fn issue15_ps_external_lists_what_ps_lists() {
    let env = env();
    detach(&env, "up", &["sleep", "600"]);
    rsp(&env, &["create", "--name", "made", busybox(), "true"]).ok();
    let fmt = ["--format", "{{.Names}} {{.State}}"];
    for all in [&[][..], &["-a"][..]] {
        let plain = rsp(&env, &["ps"]).args(all).args(fmt).ok();
        let external = rsp(&env, &["ps", "--external"]).args(all).args(fmt).ok();
        assert_eq!(external, plain, "{all:?}");
    }
    let all = rsp(&env, &["ps", "-a", "--external", "--format", "{{.Names}}"]).ok();
    let mut names: Vec<&str> = all.lines().collect();
    names.sort_unstable();
    assert_eq!(names, ["made", "up"]);
}

/// Reads the JSON arrays a streaming `stats --format json` prints, one
/// per refresh, into a channel.
fn stats_stream(env: &TestEnv, name: &str) -> (Spawned, std::sync::mpsc::Receiver<Value>) {
    let mut cmd = rsp(env, &["stats", "--interval", "1", "--format", "json", name]).into_command();
    cmd.stdout(Stdio::piped()).stderr(Stdio::null());
    let mut child = Spawned(cmd.spawn().unwrap());
    let stdout = child.0.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for v in serde_json::Deserializer::from_reader(stdout).into_iter::<Value>() {
            let Ok(v) = v else { return };
            if tx.send(v).is_err() {
                return;
            }
        }
    });
    (child, rx)
}

/// Seconds in a Go duration ("1.5s", "1m2.5s", "12.5ms"; less is 0).
fn go_seconds(t: &str) -> f64 {
    if let Some(ms) = t.strip_suffix("ms") {
        return ms.parse::<f64>().unwrap() / 1000.0;
    }
    if t.ends_with("µs") || t.ends_with("ns") {
        return 0.0;
    }
    let (mut total, mut num) = (0.0, String::new());
    for c in t.chars() {
        let unit = match c {
            'h' => 3600.0,
            'm' => 60.0,
            's' => 1.0,
            _ => {
                num.push(c);
                continue;
            }
        };
        total += num.parse::<f64>().unwrap() * unit;
        num.clear();
    }
    total
}

fn percent(v: &Value, key: &str) -> f64 {
    v[0][key]
        .as_str()
        .and_then(|s| s.strip_suffix('%'))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{key} in {v}"))
}

#[test]
fn issue15_streaming_stats_shows_cpu_since_the_last_refresh() {
    let env = env();
    // Busy until told to stop, then idle.
    detach(
        &env,
        "burn",
        &[
            "sh",
            "-c",
            "while [ ! -e /tmp/stop ]; do :; done; exec sleep 600",
        ],
    );
    let cpu_secs = |env: &TestEnv| -> f64 {
        let v: Value = serde_json::from_str(
            &rsp(env, &["stats", "--no-stream", "--format", "json", "burn"]).ok(),
        )
        .unwrap();
        go_seconds(v[0]["cpu_time"].as_str().unwrap())
    };
    eventually(60, "the container to use CPU", || cpu_secs(&env) >= 0.3);
    rsp(&env, &["exec", "burn", "touch", "/tmp/stop"]).ok();
    eventually(30, "the busy loop to end", || {
        let top = rsp(&env, &["top", "burn", "args"]).ok();
        top.contains("sleep 600") && !top.contains("sh -c")
    });

    let (_child, rx) = stats_stream(&env, "burn");
    let next = || {
        rx.recv_timeout(Duration::from_secs(60))
            .expect("no stats refresh within 60s")
    };
    // The first refresh is the average since the container started, as
    // Podman's; the CPU it burnt shows.
    let first = next();
    let first_cpu = percent(&first, "cpu_percent");
    assert!(first_cpu > 0.0, "{first}");
    assert_eq!(percent(&first, "avg_cpu"), first_cpu, "{first}");
    // The next ones show only the second since: an idle `sleep`. The
    // lifetime average would still show the busy loop (over 1% for any
    // container younger than 30s that burnt 0.3s).
    let second = next();
    let second_cpu = percent(&second, "cpu_percent");
    assert!(second_cpu < 1.0, "{second}");
    // AVG CPU % is the mean of the refreshes so far.
    let avg = percent(&second, "avg_cpu");
    assert!(
        (avg - (first_cpu + second_cpu) / 2.0).abs() < 0.02,
        "{first} {second}"
    );
}
