//! The command line itself: version, info, exit codes for bad usage, and
//! where state goes by default.

use crate::util::TestEnv;
use std::os::unix::fs::PermissionsExt;

#[test]
fn issue2_version_and_formats() {
    let env = TestEnv::new();
    let out = env.rsp().arg("version").ok();
    assert!(out.starts_with("Version:"), "{out}");
    let v = env
        .rsp()
        .args(["version", "--format", "{{.Client.Version}}"])
        .ok();
    assert_eq!(v.trim(), env!("CARGO_PKG_VERSION"));
    let json: serde_json::Value =
        serde_json::from_str(&env.rsp().args(["version", "--format", "json"]).ok()).unwrap();
    assert_eq!(json["Client"]["Version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn issue2_info_reports_store_and_userns() {
    let env = TestEnv::new();
    let info: serde_json::Value =
        serde_json::from_str(&env.rsp().args(["info", "--format", "json"]).ok()).unwrap();
    assert_eq!(info["store"]["graphRoot"], env.root().display().to_string());
    assert_eq!(
        info["store"]["runRoot"],
        env.runroot().display().to_string()
    );
    assert_eq!(info["store"]["graphDriverName"], "overlay");
    assert_eq!(info["host"]["userNamespaces"]["available"], true);
    assert!(
        info["host"]["kernel"]
            .as_str()
            .unwrap()
            .chars()
            .next()
            .unwrap()
            .is_ascii_digit()
    );
    assert_eq!(info["version"]["Version"], env!("CARGO_PKG_VERSION"));
    let text = env.rsp().arg("info").ok();
    assert!(
        text.contains("graphRoot:") && text.contains("userNamespaces:"),
        "{text}"
    );
    let t = env
        .rsp()
        .args(["info", "--format", "{{.store.graphDriverName}}"])
        .ok();
    assert_eq!(t, "overlay\n");
}

#[test]
fn issue2_usage_errors_exit_125() {
    let env = TestEnv::new();
    env.rsp().arg("no-such-command").code(125);
    env.rsp().args(["images", "--no-such-flag"]).code(125);
    env.rsp().arg("run").code(125);
    let out = env.rsp().args(["images", "--format", "{{.Nope"]).code(125);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("Error: ") && err.lines().count() == 1,
        "{err}"
    );
    env.rsp().arg("--help").code(0);
    env.rsp().args(["run", "--help"]).code(0);
}

#[test]
fn issue2_default_state_dirs() {
    let env = TestEnv::new();
    // XDG_DATA_HOME/rsp and XDG_RUNTIME_DIR/rsp by default.
    let info: serde_json::Value =
        serde_json::from_str(&env.rsp_bare().args(["info", "--format", "json"]).ok()).unwrap();
    assert_eq!(
        info["store"]["graphRoot"],
        env.data_home().join("rsp").display().to_string()
    );
    assert_eq!(
        info["store"]["runRoot"],
        env.runtime_dir().join("rsp").display().to_string()
    );
    // Without XDG variables: ~/.local/share/rsp and /tmp/rsp-$UID (0700).
    let info: serde_json::Value = serde_json::from_str(
        &env.rsp_bare()
            .env_remove("XDG_DATA_HOME")
            .env_remove("XDG_RUNTIME_DIR")
            .args(["info", "--format", "json"])
            .ok(),
    )
    .unwrap();
    assert_eq!(
        info["store"]["graphRoot"],
        env.home().join(".local/share/rsp").display().to_string()
    );
    let uid = nix::unistd::getuid();
    assert_eq!(info["store"]["runRoot"], format!("/tmp/rsp-{uid}"));
    // --root/--runroot override both, and the runroot is private.
    let root = env.tmp().join("r");
    let runroot = env.tmp().join("rr");
    env.rsp_bare()
        .arg("--root")
        .arg(&root)
        .arg("--runroot")
        .arg(&runroot)
        .args(["ps", "-a"])
        .ok();
    assert!(root.join("containers").is_dir());
    let env2 = TestEnv::new();
    let img = crate::util::image::busybox_image()
        .push(crate::util::registry::shared(), "cli-runroot", "v1")
        .reference;
    env2.rsp_bare()
        .arg("--root")
        .arg(&root)
        .arg("--runroot")
        .arg(&runroot)
        .args(["run", "--rm", &img, "true"])
        .ok();
    let mode = std::fs::metadata(&runroot).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
}

#[test]
fn issue2_forbidden_user_namespaces_are_explained() {
    // user.max_user_namespaces is per user namespace: setting it to 0 inside
    // one of our own reproduces a system that forbids them, without root.
    let env = TestEnv::new();
    let img = crate::util::image::busybox_image()
        .push(crate::util::registry::shared(), "cli-nouserns", "v1")
        .reference;
    env.rsp().args(["pull", "-q", &img]).ok();
    let script = format!(
        "echo 0 > /proc/sys/user/max_user_namespaces || exit 99; \"$0\" --root {} --runroot {} run --rm {img} true; echo rc=$?; \"$0\" --root {} --runroot {} info --format '{{{{.host.userNamespaces.detail}}}}'",
        env.root().display(),
        env.runroot().display(),
        env.root().display(),
        env.runroot().display(),
    );
    let out = env
        .cmd("unshare")
        .args(["-Ur", "sh", "-c", &script, crate::util::rsp_bin()])
        .output();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("rc=125"), "{stdout}{stderr}");
    let err_line = stderr
        .lines()
        .find(|l| l.starts_with("Error:"))
        .unwrap_or_default();
    assert!(
        err_line.contains("max_user_namespaces") && err_line.contains("sysctl"),
        "{stderr}"
    );
    assert!(stdout.contains("user.max_user_namespaces=0"), "{stdout}");
}
