//! Issue 18 (its first parts): `--read-only` with Podman's tmpfs mounts,
//! `--security-opt no-new-privileges` (seen in `/proc/self/status`, and a
//! setuid file then raises nothing, emulated ids or not), both under
//! `exec` too, and `--security-opt` values rsp cannot honour refused.

use crate::util::TestEnv;
use crate::util::image::{Layer, busybox_image};
use crate::util::registry::shared;
use std::sync::OnceLock;

/// busybox plus `/usr/local/bin/euid`, user 1000's and setuid (mode
/// 4755): a static program printing its effective uid, so run by root it
/// prints 1000 where the setuid bit is honoured. (busybox's own applets
/// drop a setuid euid.)
fn image() -> &'static str {
    static REF: OnceLock<String> = OnceLock::new();
    REF.get_or_init(|| {
        let euid = crate::util::static_c_program(
            "euid",
            "#include <stdio.h>\n#include <unistd.h>\nint main(void) { printf(\"%u\\n\", (unsigned) geteuid()); return 0; }\n",
        );
        busybox_image()
            .layer(Layer::new().dir("/usr/local/bin", 0o755).file_owned(
                "/usr/local/bin/euid",
                0o4755,
                1000,
                1000,
                &euid,
            ))
            .push(shared(), "hardening-busybox", "latest")
            .reference
    })
}

/// `rsp run --rm ARGS IMAGE true`, which must be refused (exit 125) before
/// anything runs; its stderr.
pub(crate) fn refused(env: &TestEnv, image: &str, args: &[&str]) -> String {
    let out = env
        .rsp()
        .args(["run", "--rm"])
        .args(args)
        .args([image, "true"])
        .code(125);
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn status_field(status: &str, name: &str) -> String {
    status
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .unwrap_or_default()
        .trim()
        .to_string()
}

#[test]
fn issue18_no_new_privileges_is_set_and_stops_setuid() {
    let env = TestEnv::new();
    let img = image();
    env.rsp().args(["pull", "-q", img]).ok();
    let run = |extra: &[&str], cmd: &[&str]| {
        env.rsp()
            .args(["run", "--rm", "--network", "none"])
            .args(extra)
            .arg(img)
            .args(cmd)
            .ok()
    };
    let status = run(
        &["--security-opt", "no-new-privileges"],
        &["cat", "/proc/self/status"],
    );
    assert_eq!(status_field(&status, "NoNewPrivs"), "1", "{status}");
    let status = run(&[], &["cat", "/proc/self/status"]);
    assert_eq!(status_field(&status, "NoNewPrivs"), "0", "{status}");
    // The setuid file changes the effective uid (id emulation) without it,
    // and not with it.
    // (From a shell: rsp does not apply a setuid bit to the container's
    // first command itself.)
    let euid = ["sh", "-c", "/usr/local/bin/euid; true"];
    assert_eq!(run(&[], &euid), "1000\n");
    assert_eq!(run(&["--security-opt", "no-new-privileges"], &euid), "0\n");
    // exec'd processes get it too; inspect shows it.
    let id = env
        .rsp()
        .args([
            "run",
            "-d",
            "--network",
            "none",
            "--security-opt=no-new-privileges=true",
            img,
            "sleep",
            "60",
        ])
        .ok()
        .trim()
        .to_string();
    let status = env
        .rsp()
        .args(["exec", &id, "cat", "/proc/self/status"])
        .ok();
    assert_eq!(status_field(&status, "NoNewPrivs"), "1", "{status}");
    let shown = env
        .rsp()
        .args([
            "inspect",
            "--format",
            "{{json .HostConfig.SecurityOpt}}",
            &id,
        ])
        .ok();
    assert_eq!(shown.trim(), r#"["no-new-privileges"]"#);
    env.rsp().args(["rm", "-f", &id]).ok();
}

#[test]
fn issue18_security_opts_rsp_cannot_honour_are_refused() {
    let env = TestEnv::new();
    let img = image();
    env.rsp().args(["pull", "-q", img]).ok();
    for opt in ["apparmor=unconfined", "label=type:x", "bogus"] {
        let err = refused(&env, img, &["--network", "none", "--security-opt", opt]);
        assert!(err.contains("is not supported by rsp yet"), "{opt}: {err}");
    }
    // label=disable asks for nothing rsp does.
    env.rsp()
        .args([
            "run",
            "--rm",
            "--network",
            "none",
            "--security-opt",
            "label=disable",
            img,
            "true",
        ])
        .ok();
}

#[test]
fn issue18_read_only_root_with_tmpfs_where_podman_has_them() {
    let env = TestEnv::new();
    let img = image();
    env.rsp().args(["pull", "-q", img]).ok();
    let vol = env.tmp().join("vol");
    std::fs::create_dir_all(&vol).unwrap();
    let volume = format!("{}:/vol", vol.display());
    let script = "for p in /x /tmp/x /var/tmp/x /run/x /vol/x; do \
                  if echo hi > $p 2>/dev/null; then echo $p ok; else echo $p refused; fi; done";
    for driver in ["overlay", "fuse-overlay", "vfs"] {
        let out = env
            .rsp()
            .args([
                "--storage-driver",
                driver,
                "run",
                "--rm",
                "--network",
                "none",
                "--read-only",
            ])
            .args(["-v", &volume, img, "sh", "-c", script])
            .ok();
        assert_eq!(
            out, "/x refused\n/tmp/x ok\n/var/tmp/x ok\n/run/x ok\n/vol/x ok\n",
            "{driver}"
        );
    }
    let out = env
        .rsp()
        .args([
            "run",
            "--rm",
            "--network",
            "none",
            "--read-only",
            "--read-only-tmpfs=false",
        ])
        .args([img, "sh", "-c", script])
        .ok();
    assert!(out.starts_with("/x refused\n/tmp/x refused\n"), "{out}");
    let id = env
        .rsp()
        .args(["create", "--read-only", img, "true"])
        .ok()
        .trim()
        .to_string();
    let shown = env
        .rsp()
        .args(["inspect", "--format", "{{.HostConfig.ReadonlyRootfs}}", &id])
        .ok();
    assert_eq!(shown.trim(), "true");
    env.rsp().args(["rm", &id]).ok();
}

#[test]
fn issue18_sysctl_sets_the_containers_own_and_refuses_the_hosts() {
    let env = TestEnv::new();
    let img = image();
    env.rsp().args(["pull", "-q", img]).ok();
    let host_before = std::fs::read_to_string("/proc/sys/kernel/msgmax").unwrap();
    for network in ["none", "slirp"] {
        let out = env
            .rsp()
            .args(["run", "--rm", "--network", network])
            .args(["--sysctl", "net.ipv4.ip_unprivileged_port_start=0"])
            .args([
                "--sysctl",
                "kernel.msgmax=4321",
                "--sysctl",
                "fs/mqueue/msg_max=20",
            ])
            .args([
                img,
                "cat",
                "/proc/sys/net/ipv4/ip_unprivileged_port_start",
                "/proc/sys/kernel/msgmax",
                "/proc/sys/fs/mqueue/msg_max",
            ])
            .ok();
        assert_eq!(out, "0\n4321\n20\n", "{network}");
    }
    assert_eq!(
        std::fs::read_to_string("/proc/sys/kernel/msgmax").unwrap(),
        host_before,
        "the host's value changed"
    );
    let id = env
        .rsp()
        .args([
            "create",
            "--network",
            "none",
            "--sysctl",
            "kernel.shmmni=100",
            img,
            "true",
        ])
        .ok()
        .trim()
        .to_string();
    let shown = env
        .rsp()
        .args(["inspect", "--format", "{{json .HostConfig.Sysctls}}", &id])
        .ok();
    assert_eq!(shown.trim(), r#"{"kernel.shmmni":"100"}"#);
    env.rsp().args(["rm", &id]).ok();
    for (args, words) in [
        (
            vec!["--sysctl", "vm.swappiness=1"],
            "not a sysctl of the container's own namespaces",
        ),
        (
            vec!["--network", "host", "--sysctl", "net.ipv4.ip_forward=1"],
            "shares your network namespace",
        ),
        (vec!["--sysctl", "kernel.msgmax"], "give KEY=VALUE"),
    ] {
        let err = refused(&env, img, &args);
        assert!(err.contains(words), "{args:?}: {err}");
    }
}

#[test]
fn issue18_device_nodes_you_can_open_and_no_others() {
    let env = TestEnv::new();
    let img = image();
    env.rsp().args(["pull", "-q", img]).ok();
    let out = env
        .rsp()
        .args([
            "run",
            "--rm",
            "--network",
            "none",
            "--device",
            "/dev/null:/dev/xnull",
        ])
        .args(["--device", "/dev/zero:/dev/z:rw"])
        .args([
            img,
            "sh",
            "-c",
            "echo hi > /dev/xnull && echo null-ok; head -c 3 /dev/z | wc -c",
        ])
        .ok();
    assert_eq!(out.split_whitespace().collect::<Vec<_>>(), ["null-ok", "3"]);
    let id = env
        .rsp()
        .args([
            "create",
            "--device",
            "/dev/null:/dev/xnull:rwm",
            img,
            "true",
        ])
        .ok()
        .trim()
        .to_string();
    let shown = env
        .rsp()
        .args(["inspect", "--format", "{{json .HostConfig.Devices}}", &id])
        .ok();
    assert_eq!(
        shown.trim(),
        r#"[{"PathOnHost":"/dev/null","PathInContainer":"/dev/xnull","CgroupPermissions":"rwm"}]"#
    );
    env.rsp().args(["rm", &id]).ok();
    // /dev/kmsg is root's and not writable by the test user.
    for (dev, words) in [
        ("/dev/kmsg", "you cannot open it"),
        ("/tmp", "not a device node"),
        ("dev/null", "absolute paths"),
        ("/dev/null:/dev/n:r", "cannot be enforced"),
        ("/dev/does-not-exist", "No such file"),
    ] {
        let err = refused(&env, img, &["--network", "none", "--device", dev]);
        assert!(err.contains(words), "{dev}: {err}");
    }
}

#[test]
fn issue18_mask_and_unmask_paths() {
    let env = TestEnv::new();
    let img = image();
    env.rsp().args(["pull", "-q", img]).ok();
    let write_sysctl = "if echo 0 > /proc/sys/net/ipv4/ip_unprivileged_port_start 2>/dev/null; \
                        then echo writable; else echo read-only; fi";
    let run = |opts: &[&str], script: &str| {
        env.rsp()
            .args(["run", "--rm", "--network", "none"])
            .args(opts)
            .args([img, "sh", "-c", script])
            .ok()
    };
    // /proc/sys is read-only by default; unmask leaves it as the
    // container's own network namespace has it (the host's is untouched).
    // Writing a net sysctl takes CAP_NET_ADMIN, which is not a default.
    let host = std::fs::read_to_string("/proc/sys/net/ipv4/ip_unprivileged_port_start").unwrap();
    let admin = ["--cap-add", "NET_ADMIN"];
    assert_eq!(run(&admin, write_sysctl), "read-only\n");
    assert_eq!(
        run(
            &[
                "--cap-add",
                "NET_ADMIN",
                "--security-opt",
                "unmask=/proc/sys"
            ],
            write_sysctl
        ),
        "writable\n"
    );
    assert_eq!(
        run(
            &["--cap-add", "NET_ADMIN", "--security-opt", "unmask=ALL"],
            write_sysctl
        ),
        "writable\n"
    );
    assert_eq!(
        std::fs::read_to_string("/proc/sys/net/ipv4/ip_unprivileged_port_start").unwrap(),
        host
    );
    // mask= hides more: a file reads empty, a directory is empty.
    assert_eq!(
        run(
            &["--security-opt", "mask=/etc/passwd:/home"],
            "wc -c < /etc/passwd; ls /home | wc -l"
        )
        .split_whitespace()
        .collect::<Vec<_>>(),
        ["0", "0"]
    );
    assert!(
        refused(&env, img, &["--security-opt", "mask=etc/passwd"]).contains("give absolute paths")
    );
}
