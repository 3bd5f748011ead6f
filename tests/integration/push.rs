//! Issue 6: `push`, `login`/`logout` and stored credentials, `search`, `manifest inspect`.
//! Every registry is a loopback docker-registry; nothing here reaches Docker Hub.

use crate::pull::{assert_one_error_line, hex, pull_quiet, stderr};
use crate::util::{self, Registry, TestEnv};
use serde_json::Value;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

/// `rsp push ARGS...`, asserting success; returns stderr.
fn push(env: &TestEnv, args: &[&str]) -> String {
    let out = env.rsp().arg("push").args(args).output();
    assert!(
        out.status.success(),
        "push {args:?}\n{}",
        util::show_output(&out)
    );
    stderr(&out)
}

fn lines_with<'a>(text: &'a str, needle: &str) -> Vec<&'a str> {
    text.lines().filter(|l| l.contains(needle)).collect()
}

/// Drops the blob-info cache so the next push cannot mount or skip by hint.
fn forget_blob_info(env: &TestEnv) {
    let _ = fs::remove_file(env.root().join("blob-info-cache.json"));
}

fn manifest_json(reg: &Registry, repo: &str, tag: &str) -> Value {
    let (_, bytes) = reg.fetch_manifest(repo, tag);
    serde_json::from_slice(&bytes).expect("manifest is JSON")
}

#[test]
fn issue6_push_round_trip_gzip_and_zstd_then_skips_and_mounts() {
    let reg = util::shared();
    let src = util::multilayer_image().push(reg, "issue6-push-src", "v1");
    let env = TestEnv::new();
    let id = pull_quiet(&env, &src.reference);
    let layers = src.diff_ids.len();

    // The pulled gzip layers are known to live in issue6-push-src: a push to a new repository
    // of the same registry mounts them instead of uploading.
    let dest = reg.reference("issue6-push-mounted", "v2");
    let err = push(&env, &["--format", "v2s2", &src.reference, &dest]);
    assert_eq!(
        lines_with(&err, "skipped: already exists").len(),
        layers,
        "{err}"
    );
    assert!(lines_with(&err, "Copying blob sha256:").is_empty(), "{err}");
    let m = manifest_json(reg, "issue6-push-mounted", "v2");
    assert_eq!(
        m["mediaType"],
        "application/vnd.docker.distribution.manifest.v2+json"
    );
    let digests: Vec<&str> = m["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["digest"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = src.layer_digests.iter().map(String::as_str).collect();
    assert_eq!(digests, expected, "mounted layers are the source's blobs");
    let other = TestEnv::new();
    assert_eq!(pull_quiet(&other, &dest), id);

    for (compression, repo) in [("gzip", "issue6-push-gz"), ("zstd", "issue6-push-zst")] {
        forget_blob_info(&env);
        let dest = reg.reference(repo, "v1");
        let err = push(
            &env,
            &[
                "--compression-format",
                compression,
                &src.reference,
                &format!("docker://{dest}"),
            ],
        );
        assert!(
            err.starts_with("Getting image source signatures\n"),
            "{err}"
        );
        assert_eq!(
            lines_with(&err, "Copying blob sha256:").len(),
            layers,
            "{err}"
        );
        assert_eq!(lines_with(&err, "Copying config sha256:").len(), 1, "{err}");
        assert!(
            err.ends_with("Writing manifest to image destination\n"),
            "{err}"
        );
        let m = manifest_json(reg, repo, "v1");
        assert_eq!(m["mediaType"], "application/vnd.oci.image.manifest.v1+json");
        for l in m["layers"].as_array().unwrap() {
            assert_eq!(
                l["mediaType"],
                format!("application/vnd.oci.image.layer.v1.tar+{compression}")
            );
        }
        assert_eq!(m["config"]["digest"], src.config_digest);

        // Another client accepts what was pushed (skopeo checks every blob's digest).
        let copy = env.tmp().join(format!("skopeo-{compression}"));
        env.cmd("skopeo")
            .args(["--insecure-policy", "copy", "--src-tls-verify=false"])
            .arg(format!("docker://{dest}"))
            .arg(format!("dir:{}", copy.display()))
            .ok();

        // Round trip through a fresh store: same image, and it runs.
        let other = TestEnv::new();
        assert_eq!(pull_quiet(&other, &dest), id);
        let out = other
            .rsp()
            .args(["run", "--rm", &dest, "cat", "/keep/k1"])
            .ok();
        assert_eq!(out, "k1\n");

        // Again: every layer is already there.
        let err = push(
            &env,
            &["--compression-format", compression, &src.reference, &dest],
        );
        assert_eq!(
            lines_with(&err, "skipped: already exists").len(),
            layers,
            "second push should skip every layer:\n{err}"
        );
        assert!(lines_with(&err, "Copying blob sha256:").is_empty(), "{err}");
    }

    // The zstd blobs rsp just made are known to live in issue6-push-zst: another repository
    // of the same registry gets them by mount.
    let err = push(
        &env,
        &[
            "--compression-format=zstd",
            &src.reference,
            &reg.reference("issue6-push-zst2", "v1"),
        ],
    );
    assert_eq!(
        lines_with(&err, "skipped: already exists").len(),
        layers,
        "{err}"
    );
    assert!(lines_with(&err, "Copying blob sha256:").is_empty(), "{err}");

    // -q prints nothing; --digestfile gets the manifest digest.
    let digestfile = env.tmp().join("digest");
    let out = env
        .rsp()
        .args(["image", "push", "-q", "--digestfile"])
        .arg(&digestfile)
        .args([&src.reference, &reg.reference("issue6-push-quiet", "v1")])
        .output();
    assert!(out.status.success(), "{}", util::show_output(&out));
    assert!(
        out.stdout.is_empty() && out.stderr.is_empty(),
        "{}",
        util::show_output(&out)
    );
    let digest = fs::read_to_string(&digestfile).unwrap();
    let (_, bytes) = reg.fetch_manifest("issue6-push-quiet", "v1");
    assert_eq!(digest, util::sha256_digest(&bytes));

    // Without a destination, the name given is where it goes.
    let named = reg.reference("issue6-push-tagged", "t1");
    env.rsp().args(["tag", &src.reference, &named]).ok();
    push(&env, &["-q", &named]);
    assert_eq!(
        manifest_json(reg, "issue6-push-tagged", "t1")["config"]["digest"],
        src.config_digest
    );

    // Bad input: clear one-line errors.
    let out = env
        .rsp()
        .args([
            "push",
            "--format",
            "v2s2",
            "--compression-format",
            "zstd",
            &src.reference,
        ])
        .code(125);
    assert_one_error_line(&out, "--format oci");
    let out = env
        .rsp()
        .args(["push", "--compression-level=12", &src.reference])
        .code(125);
    assert_one_error_line(&out, "use 0-9");
    let out = env.rsp().args(["push", "issue6-no-such-image"]).code(125);
    assert_one_error_line(&out, "image not known");
    let out = env
        .rsp()
        .args(["push", &src.reference, "oci-archive:/tmp/x.tar"])
        .code(125);
    assert_one_error_line(&out, "docker://");
}

fn login(env: &TestEnv, reg: &Registry, pass: &str) -> Output {
    env.rsp()
        .args(["login", "-u", "issue6user", "--password-stdin", &reg.addr])
        .stdin(format!("{pass}\n"))
        .output()
}

fn assert_no_secret(out: &Output, secret: &str) {
    let all = util::show_output(out);
    assert!(!all.contains(secret), "the password leaked:\n{all}");
}

#[test]
fn issue6_login_push_pull_logout_with_htpasswd() {
    const PASS: &str = "issue6-Secret-pw";
    let auth_reg = Registry::start_with_htpasswd("issue6user", PASS);
    let src = util::busybox_image().push(util::shared(), "issue6-auth-src", "v1");
    let env = TestEnv::new();
    let id = pull_quiet(&env, &src.reference);
    let dest = auth_reg.reference("issue6-auth", "v1");
    let authfile = env.runtime_dir().join("containers/auth.json");

    // Without credentials: a clear access error that says how to log in.
    let out = env.rsp().args(["push", &src.reference, &dest]).code(125);
    assert_one_error_line(&out, &format!("rsp login {}", auth_reg.addr));

    // A wrong password: the clear error, exit 125, nothing stored.
    let out = login(&env, &auth_reg, "wrong-password");
    assert_eq!(out.status.code(), Some(125), "{}", util::show_output(&out));
    assert_one_error_line(
        &out,
        &format!(
            "logging into \"{}\": invalid username/password",
            auth_reg.addr
        ),
    );
    assert!(!authfile.exists(), "a failed login stored something");

    let out = login(&env, &auth_reg, PASS);
    assert!(out.status.success(), "{}", util::show_output(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Login Succeeded!\n");
    assert_no_secret(&out, PASS);
    let mode = fs::metadata(&authfile).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let doc: Value = serde_json::from_slice(&fs::read(&authfile).unwrap()).unwrap();
    assert!(doc["auths"][&auth_reg.addr]["auth"].is_string(), "{doc}");
    let user = env
        .rsp()
        .args(["login", "--get-login", &auth_reg.addr])
        .ok();
    assert_eq!(user, "issue6user\n");
    let again = env.rsp().args(["login", &auth_reg.addr]).ok();
    assert!(again.contains("Already logged in to"), "{again}");

    // Push and pull use the stored login.
    let out = env.rsp().args(["push", &src.reference, &dest]).output();
    assert!(out.status.success(), "{}", util::show_output(&out));
    assert_no_secret(&out, PASS);
    env.rsp().args(["rmi", &src.reference]).ok();
    let out = env
        .rsp()
        .args(["--log-level=debug", "pull", &dest])
        .output();
    assert!(out.status.success(), "{}", util::show_output(&out));
    assert_no_secret(&out, PASS);
    assert!(String::from_utf8_lossy(&out.stdout).contains(&id));
    let tags = env
        .rsp()
        .args([
            "search",
            "--list-tags",
            &format!("{}/issue6-auth", auth_reg.addr),
        ])
        .ok();
    assert!(tags.contains("v1"), "{tags}");
    let found = env
        .rsp()
        .args(["search", &format!("{}/issue6-au", auth_reg.addr)])
        .ok();
    assert!(
        found.contains(&format!("{}/issue6-auth", auth_reg.addr)),
        "{found}"
    );
    let out = env.rsp().args(["manifest", "inspect", &dest]).output();
    assert!(out.status.success(), "{}", util::show_output(&out));

    let out = env.rsp().args(["logout", &auth_reg.addr]).ok();
    assert_eq!(
        out,
        format!("Removed login credentials for {}\n", auth_reg.addr)
    );
    env.rsp().args(["rmi", &dest]).ok();
    let out = env.rsp().args(["pull", &dest]).code(125);
    assert_one_error_line(&out, "access denied");
    let out = env
        .rsp()
        .args([
            "search",
            "--list-tags",
            &format!("{}/issue6-auth", auth_reg.addr),
        ])
        .code(125);
    assert_one_error_line(&out, &format!("rsp login {}", auth_reg.addr));
    let out = env.rsp().args(["logout", &auth_reg.addr]).code(125);
    assert_one_error_line(&out, &format!("not logged into {}", auth_reg.addr));

    // REGISTRY_AUTH_FILE is where login writes and where pull looks.
    let custom = env.tmp().join("custom-auth.json");
    let out = env
        .rsp()
        .env("REGISTRY_AUTH_FILE", &custom)
        .args([
            "login",
            "--username=issue6user",
            "--password-stdin",
            &auth_reg.addr,
        ])
        .stdin(PASS)
        .output();
    assert!(out.status.success(), "{}", util::show_output(&out));
    assert!(custom.exists());
    let doc: Value = serde_json::from_slice(&fs::read(&authfile).unwrap()).unwrap();
    assert!(doc["auths"].get(&auth_reg.addr).is_none(), "{doc}");
    env.rsp()
        .env("REGISTRY_AUTH_FILE", &custom)
        .args(["pull", "-q", &dest])
        .ok();
    // --creds works without any login, and the password is not echoed in errors.
    env.rsp().args(["rmi", &dest]).ok();
    env.rsp()
        .args([
            "pull",
            "-q",
            "--creds",
            &format!("issue6user:{PASS}"),
            &dest,
        ])
        .ok();
    let out = env
        .rsp()
        .args([
            "pull",
            "--creds",
            "issue6user:bad-Secret-9",
            &auth_reg.reference("issue6-auth", "none"),
        ])
        .fails();
    assert_no_secret(&out, "bad-Secret-9");
    env.rsp()
        .env("REGISTRY_AUTH_FILE", &custom)
        .args(["logout", "--all"])
        .ok();
}

/// A docker-credential helper that keeps credentials as files in `$HELPER_DIR`.
const CRED_HELPER: &str = r#"#!/bin/sh
set -e
read -r server || true
key=$(printf %s "$server" | tr '/:' '__')
case "$1" in
get)
    if [ -f "$HELPER_DIR/$key" ]; then cat "$HELPER_DIR/$key"; else
        echo "credentials not found in native keychain"; exit 1; fi ;;
store)
    printf %s "$server" > "$HELPER_DIR/in.json"
    key=$(sed -n 's/.*"ServerURL":"\([^"]*\)".*/\1/p' "$HELPER_DIR/in.json" | tr '/:' '__')
    mv "$HELPER_DIR/in.json" "$HELPER_DIR/$key" ;;
erase)
    [ -f "$HELPER_DIR/$key" ] || { echo "credentials not found in native keychain"; exit 1; }
    rm "$HELPER_DIR/$key" ;;
*) echo "unknown action $1" >&2; exit 2 ;;
esac
"#;

/// Credential helpers named by `credHelpers` keep the login instead of
/// auth.json: login stores there, pull and push read from there, logout erases.
#[test]
fn issue6_login_push_pull_through_a_credential_helper() {
    const PASS: &str = "issue6-Helper-pw";
    let reg = Registry::start_with_htpasswd("issue6user", PASS);
    let src = util::busybox_image().push(util::shared(), "issue6-helper-src", "v1");
    let env = TestEnv::new();
    pull_quiet(&env, &src.reference);
    let bin = env.tmp().join("bin");
    let kept = env.tmp().join("kept");
    fs::create_dir_all(&bin).unwrap();
    fs::create_dir_all(&kept).unwrap();
    let helper = bin.join("docker-credential-rsptest");
    fs::write(&helper, CRED_HELPER).unwrap();
    fs::set_permissions(&helper, fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:/usr/sbin:/usr/bin:/sbin:/bin", bin.display());
    let rsp = || env.rsp().env("PATH", &path).env("HELPER_DIR", &kept);
    let authfile = env.runtime_dir().join("containers/auth.json");
    fs::create_dir_all(authfile.parent().unwrap()).unwrap();
    let with_helper = |name: &str| {
        let doc = serde_json::json!({"credHelpers": {reg.addr.clone(): name}});
        fs::write(&authfile, doc.to_string()).unwrap();
    };
    with_helper("rsptest");

    let out = rsp()
        .args(["login", "-u", "issue6user", "--password-stdin", &reg.addr])
        .stdin(PASS)
        .output();
    assert!(out.status.success(), "{}", util::show_output(&out));
    assert_no_secret(&out, PASS);
    let doc: Value = serde_json::from_slice(&fs::read(&authfile).unwrap()).unwrap();
    assert!(doc.get("auths").is_none(), "login wrote auth.json: {doc}");
    let stored = fs::read_to_string(kept.join(reg.addr.replace(':', "_"))).unwrap();
    assert!(
        stored.contains(PASS) && stored.contains("issue6user"),
        "{stored}"
    );
    let user = rsp().args(["login", "--get-login", &reg.addr]).ok();
    assert_eq!(user, "issue6user\n");

    let dest = reg.reference("issue6-helper", "v1");
    let out = rsp().args(["push", &src.reference, &dest]).output();
    assert!(out.status.success(), "{}", util::show_output(&out));
    rsp().args(["rmi", &src.reference]).ok();
    let out = rsp().args(["pull", "-q", &dest]).output();
    assert!(out.status.success(), "{}", util::show_output(&out));
    assert_no_secret(&out, PASS);

    let out = rsp().args(["logout", &reg.addr]).ok();
    assert!(out.starts_with("Removed login credentials"), "{out}");
    assert_eq!(
        fs::read_dir(&kept).unwrap().count(),
        0,
        "logout left the login"
    );
    rsp().args(["rmi", &dest]).ok();
    let out = rsp().args(["pull", &dest]).code(125);
    assert_one_error_line(&out, "access denied");
    let out = rsp().args(["logout", &reg.addr]).code(125);
    assert_one_error_line(&out, &format!("not logged into {}", reg.addr));

    // A helper that is not installed: one clear line naming it and the file.
    with_helper("nowhere");
    let out = rsp().args(["pull", &dest]).code(125);
    let line = assert_one_error_line(&out, "docker-credential-nowhere");
    assert!(line.contains(&authfile.display().to_string()), "{line}");
    // A name that is a path is refused, not run.
    with_helper("../../bin/sh");
    let out = rsp().args(["pull", &dest]).code(125);
    assert_one_error_line(&out, "names credential helper \"../../bin/sh\"");
}

/// A bound, not a delay: generous for a loaded CI machine.
const PROMPT_WAIT: Duration = Duration::from_secs(60);

/// Reads the pty master into `seen` until `needle` has appeared (or `wait`
/// passes: with an empty needle, reads what comes in that time; else
/// panics).
fn read_until(master: &std::fs::File, seen: &mut String, needle: &str, wait: Duration) {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    use std::io::Read;
    use std::os::fd::AsFd;
    let deadline = Instant::now() + wait;
    while needle.is_empty() || !seen.contains(needle) {
        if Instant::now() >= deadline {
            assert!(needle.is_empty(), "no {needle:?} in {seen:?}");
            return;
        }
        let mut fds = [PollFd::new(master.as_fd(), PollFlags::POLLIN)];
        if poll(&mut fds, PollTimeout::from(100u16)).unwrap_or(0) == 0 {
            continue;
        }
        let mut buf = [0u8; 4096];
        match (&*master).read(&mut buf) {
            Ok(0) | Err(_) => std::thread::sleep(Duration::from_millis(20)),
            Ok(n) => seen.push_str(&String::from_utf8_lossy(&buf[..n])),
        }
    }
}

/// Starts `cmd` with a new terminal as its stdin, stdout and stderr;
/// returns the terminal's master and slave sides and the process.
fn spawn_on_pty(cmd: util::Cmd) -> (std::fs::File, std::os::fd::OwnedFd, util::Spawned) {
    let pty = nix::pty::openpty(None, None).unwrap();
    let mut cmd = cmd.into_command();
    cmd.stdin(Stdio::from(pty.slave.try_clone().unwrap()))
        .stdout(Stdio::from(pty.slave.try_clone().unwrap()))
        .stderr(Stdio::from(pty.slave.try_clone().unwrap()));
    let child = util::Spawned(cmd.spawn().unwrap());
    (std::fs::File::from(pty.master), pty.slave, child)
}

/// Runs `cmd` with a terminal as its stdin, stdout and stderr;
/// returns whether it succeeded and what it wrote, escape codes included.
fn run_on_pty(cmd: util::Cmd) -> (bool, String) {
    let (master, _slave, mut child) = spawn_on_pty(cmd);
    // The child must not block on a full pty buffer: read while it runs.
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        assert!(Instant::now() < deadline, "the command did not end: {seen}");
        read_until(&master, &mut seen, "", Duration::from_millis(100));
        if let Some(status) = child.0.try_wait().unwrap() {
            break status;
        }
    };
    read_until(&master, &mut seen, "", Duration::from_millis(100));
    (status.success(), seen)
}

/// On a terminal, push shows a bar per layer: compressing, then copying.
/// A terminal indicatif cannot drive (no `TERM`) gets Podman's lines.
#[test]
fn issue6_push_shows_progress_bars_on_a_terminal() {
    let reg = util::shared();
    let src = util::busybox_image().push(reg, "issue6-bars-src", "v1");
    let env = TestEnv::new();
    pull_quiet(&env, &src.reference);
    forget_blob_info(&env);
    let dest = reg.reference("issue6-bars", "v1");
    let (ok, out) =
        run_on_pty(
            env.rsp()
                .env("TERM", "xterm")
                .args(["push", &src.reference, &dest]),
        );
    assert!(ok, "{out}");
    let short = &hex(&src.diff_ids[0])[..12];
    for want in [
        format!("Compressing blob {short} ["),
        format!("Copying blob {short} done"),
        "Writing manifest to image destination".to_string(),
    ] {
        assert!(out.contains(&want), "no {want:?} in {out:?}");
    }
    let (ok, out) = run_on_pty(env.rsp().args(["push", &src.reference, &dest]));
    assert!(ok, "{out}");
    assert!(
        out.contains(&format!("Copying blob {short} skipped: already exists"))
            && out.contains("Writing manifest to image destination"),
        "{out:?}"
    );
    // Pull too: before, a terminal without TERM got no output at all.
    let (ok, out) = run_on_pty(TestEnv::new().rsp().args(["pull", &dest]));
    assert!(ok, "{out}");
    assert!(
        out.contains("Writing manifest to image destination"),
        "{out:?}"
    );
}

/// `rsp login` on a terminal asks for the username and the password, the
/// password without echo; Ctrl-C at the password prompt gives the terminal
/// its echo back.
#[test]
fn issue6_login_prompts_on_a_terminal_without_echo() {
    use nix::sys::termios::{LocalFlags, tcgetattr};
    use std::io::Write;
    const PASS: &str = "issue6-Typed-pw";
    let reg = Registry::start_with_htpasswd("issue6user", PASS);
    let env = TestEnv::new();
    let spawn = |args: &[&str]| spawn_on_pty(env.rsp().args(args));
    let echo_on = |slave: &std::os::fd::OwnedFd| {
        tcgetattr(slave)
            .unwrap()
            .local_flags
            .contains(LocalFlags::ECHO)
    };

    let (master, slave, mut child) = spawn(&["login", &reg.addr]);
    let mut seen = String::new();
    read_until(&master, &mut seen, "Username: ", PROMPT_WAIT);
    assert!(echo_on(&slave), "the username is echoed");
    (&master).write_all(b"issue6user\n").unwrap();
    read_until(&master, &mut seen, "Password: ", PROMPT_WAIT);
    // Echo went off before the prompt was shown: no waiting for it, so a
    // password typed the moment the prompt shows cannot be echoed.
    assert!(!echo_on(&slave), "echo on at the password prompt: {seen:?}");
    (&master).write_all(format!("{PASS}\n").as_bytes()).unwrap();
    read_until(&master, &mut seen, "Login Succeeded!", PROMPT_WAIT);
    assert!(child.0.wait().unwrap().success(), "{seen}");
    assert!(!seen.contains(PASS), "the password was echoed: {seen:?}");
    assert!(seen.contains("issue6user"), "{seen:?}");
    assert!(echo_on(&slave), "echo stayed off after the login");
    let user = env.rsp().args(["login", "--get-login", &reg.addr]).ok();
    assert_eq!(user, "issue6user\n");
    env.rsp().args(["logout", &reg.addr]).ok();

    let (master, slave, mut child) = spawn(&["login", "-u", "issue6user", &reg.addr]);
    let mut seen = String::new();
    read_until(&master, &mut seen, "Password: ", PROMPT_WAIT);
    assert!(!echo_on(&slave), "echo on at the password prompt: {seen:?}");
    // Ctrl-C at the prompt: the signal is blocked from before the prompt,
    // so it is handled (terminal restored, then the default action)
    // however soon it comes.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.0.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let status = child.0.wait().unwrap();
    // What it wrote before it ended, to show in a failure.
    read_until(&master, &mut seen, "", Duration::from_millis(100));
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(2), "{status:?} {seen}");
    assert!(echo_on(&slave), "Ctrl-C left the terminal without echo");
    env.rsp()
        .args(["login", "--get-login", &reg.addr])
        .code(125);
}

#[test]
fn issue6_search_catalog_list_tags_and_manifest_inspect() {
    let reg = util::shared();
    let a = util::busybox_image().push(reg, "issue6-search/alpha", "v1");
    util::busybox_image().push(reg, "issue6-search/alpha", "v2");
    util::busybox_image().push(reg, "issue6-search/beta", "v1");
    let env = TestEnv::new();

    let out = env
        .rsp()
        .args(["search", &format!("{}/issue6-search", reg.addr)])
        .ok();
    let mut lines = out.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("NAME") && header.contains("DESCRIPTION"),
        "{out}"
    );
    let names: Vec<&str> = lines
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![
            format!("{}/issue6-search/alpha", reg.addr),
            format!("{}/issue6-search/beta", reg.addr)
        ],
        "{out}"
    );
    let out = env
        .rsp()
        .args([
            "search",
            "--limit",
            "1",
            "--format",
            "{{.Name}}",
            &format!("{}/issue6-search", reg.addr),
        ])
        .ok();
    assert_eq!(out, format!("{}/issue6-search/alpha\n", reg.addr));

    let out = env
        .rsp()
        .args([
            "search",
            "--list-tags",
            &format!("{}/issue6-search/alpha", reg.addr),
        ])
        .ok();
    let rows: Vec<Vec<&str>> = out
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    let name = format!("{}/issue6-search/alpha", reg.addr);
    assert_eq!(
        rows,
        vec![vec!["NAME", "TAG"], vec![&name, "v1"], vec![&name, "v2"]],
        "{out}"
    );

    let out = env.rsp().args(["manifest", "inspect", &a.reference]).ok();
    let shown: Value = serde_json::from_str(&out).unwrap();
    let (_, bytes) = reg.fetch_manifest("issue6-search/alpha", "v1");
    assert_eq!(shown, serde_json::from_slice::<Value>(&bytes).unwrap());
    assert!(out.starts_with("{\n    \""), "pretty, 4 spaces: {out}");
    let out = env
        .rsp()
        .args([
            "manifest",
            "inspect",
            &reg.reference("issue6-search/none", "v1"),
        ])
        .code(125);
    assert_one_error_line(&out, "not found");
}

fn bytes_under(dir: &Path) -> u64 {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => bytes_under(&e.path()),
            Ok(t) if t.is_file() => e.metadata().map(|m| m.len()).unwrap_or(0),
            _ => 0,
        })
        .sum()
}

#[test]
fn issue6_killed_push_leaves_no_tag_and_push_again_works() {
    let reg = util::shared();
    let src = util::big_image(48, 2).push(reg, "issue6-kill-src", "v1");
    let env = TestEnv::new();
    let id = pull_quiet(&env, &src.reference);
    forget_blob_info(&env);
    let images_before = fs::read(env.root().join("images.json")).unwrap();
    let repo = "issue6-kill-dest";
    let dest = reg.reference(repo, "v1");
    let uploads = reg
        .storage_dir()
        .join("docker/registry/v2/repositories")
        .join(repo)
        .join("_uploads");

    let mut child = env
        .rsp()
        .args(["push", "--compression-level", "1", &src.reference, &dest])
        .into_command()
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawning rsp push");
    let deadline = Instant::now() + Duration::from_secs(60);
    while bytes_under(&uploads) < 4 << 20 {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("push ended ({status}) before it could be killed: grow the image");
        }
        assert!(Instant::now() < deadline, "push uploaded nothing");
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "push finished before the kill");

    let r = reg
        .client()
        .get(&format!("/v2/{repo}/manifests/v1"), util::MANIFEST_ACCEPT);
    assert_eq!(r.status, 404, "a killed push left a tag: {r:?}");
    assert_eq!(
        fs::read(env.root().join("images.json")).unwrap(),
        images_before
    );
    let tmp: Vec<_> = fs::read_dir(env.root().join("tmp"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(tmp.is_empty(), "a killed push left temp files: {tmp:?}");

    push(&env, &[&src.reference, &dest]);
    let other = TestEnv::new();
    assert_eq!(pull_quiet(&other, &dest), id);
    assert_eq!(hex(&src.config_digest), id);
}
