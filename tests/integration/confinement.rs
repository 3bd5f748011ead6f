//! Issue 18: capabilities and seccomp. The default set (Podman's), none
//! effective for a non-root user, `--cap-add`/`--cap-drop`/`--privileged`,
//! the default seccomp filter and JSON profiles, and the kernel surface
//! they close, probed with raw system calls from inside the container
//! (`kprobe.c`), in the first process and under `rsp exec`.

use crate::util::TestEnv;
use crate::util::image::{Layer, busybox_image};
use crate::util::registry::shared;
use std::sync::OnceLock;

/// busybox, `/mnt`, and `/usr/local/bin/kprobe`.
fn image() -> &'static str {
    static REF: OnceLock<String> = OnceLock::new();
    REF.get_or_init(|| {
        let probe = crate::util::static_c_program("kprobe", include_str!("kprobe.c"));
        busybox_image()
            .layer(
                Layer::new()
                    .dir("/mnt", 0o755)
                    .dir("/usr/local/bin", 0o755)
                    .file("/usr/local/bin/kprobe", 0o755, &probe)
                    .file("/owned", 0o644, b"x\n"),
            )
            .push(shared(), "confinement", "latest")
            .reference
    })
}

const DEFAULT_CAPS: &str = "00000000800405fb";

/// The `Cap*`, `Seccomp` and `NoNewPrivs` lines of `/proc/self/status`,
/// as `CapEff=...` words.
const STATUS: &str = "grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|Seccomp|Seccomp_filters|NoNewPrivs):' /proc/self/status | tr -d ' \\t' | tr ':' '=' | tr '\\n' ' '";

fn field(status: &str, name: &str) -> String {
    status
        .split_whitespace()
        .find_map(|w| w.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} in {status:?}"))
        .to_string()
}

fn run(env: &TestEnv, opts: &[&str], args: &[&str]) -> String {
    env.rsp()
        .args(["run", "--rm", "--network", "none"])
        .args(opts)
        .arg(image())
        .args(args)
        .ok()
}

/// kprobe's answers, `NAME: RESULT` per line, as pairs.
fn probe(out: &str) -> Vec<(String, String)> {
    out.lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

const SURFACE: &[&str] = &[
    "mount-tmpfs",
    "umount-masked",
    "remount-sys",
    "add_key",
    "keyctl",
    "bpf",
    "perf",
    "io_uring",
    "raw-socket",
    "packet-socket",
    "unshare-mnt",
    "unshare-net",
    "chroot",
];

fn kprobe_args() -> Vec<&'static str> {
    let mut v = vec!["kprobe"];
    v.extend(SURFACE);
    v
}

/// Every attempt of [`SURFACE`] but chroot (CAP_SYS_CHROOT is in the
/// default set) fails.
fn assert_closed(out: &str, how: &str) {
    for (name, result) in probe(out) {
        if name == "chroot" {
            assert_eq!(result, "ok", "{how}: chroot: {out}");
        } else {
            assert_ne!(result, "ok", "{how}: {name} succeeded: {out}");
        }
    }
}

#[test]
fn issue18_default_capabilities_seccomp_and_closed_kernel_surface() {
    let env = TestEnv::new();
    env.rsp().args(["pull", "-q", image()]).ok();
    let root = run(&env, &[], &["sh", "-c", STATUS]);
    assert_eq!(field(&root, "CapEff"), DEFAULT_CAPS, "{root}");
    assert_eq!(field(&root, "CapPrm"), DEFAULT_CAPS, "{root}");
    assert_eq!(field(&root, "CapBnd"), DEFAULT_CAPS, "{root}");
    assert_eq!(field(&root, "CapInh"), "0000000000000000", "{root}");
    assert_eq!(field(&root, "CapAmb"), "0000000000000000", "{root}");
    assert_eq!(field(&root, "Seccomp"), "2", "{root}");
    assert_eq!(field(&root, "NoNewPrivs"), "0", "{root}");
    // A non-root user holds none, within the same bounding set.
    let user = run(&env, &["--user", "1000"], &["sh", "-c", STATUS]);
    assert_eq!(field(&user, "CapEff"), "0000000000000000", "{user}");
    assert_eq!(field(&user, "CapPrm"), "0000000000000000", "{user}");
    assert_eq!(field(&user, "CapBnd"), DEFAULT_CAPS, "{user}");
    // ... and still works as that user: its files are its own.
    assert_eq!(
        run(
            &env,
            &["--user", "1000"],
            &[
                "sh",
                "-c",
                "id -u; touch /tmp/f; mkdir /tmp/d; stat -c '%u %u' /tmp/f /tmp/d"
            ]
        ),
        "1000\n1000 1000\n1000 1000\n"
    );
    // The kernel surface Podman's defaults close.
    let out = run(&env, &[], &kprobe_args());
    assert_eq!(probe(&out).len(), SURFACE.len(), "{out}");
    assert_closed(&out, "default");
    let by_name: std::collections::HashMap<_, _> = probe(&out).into_iter().collect();
    // Refused by the filter, not merely by a missing capability.
    assert_eq!(by_name["add_key"], "EPERM", "{out}");
    assert_eq!(by_name["keyctl"], "EPERM", "{out}");
    assert_eq!(by_name["bpf"], "EPERM", "{out}");
    assert_eq!(by_name["io_uring"], "EPERM", "{out}");
    // What inspect shows.
    let id = env
        .rsp()
        .args(["create", "--network", "none", image(), "true"])
        .ok()
        .trim()
        .to_string();
    let shown = env
        .rsp()
        .args([
            "inspect",
            "--format",
            "{{json .EffectiveCaps}} {{json .BoundingCaps}} {{.HostConfig.Privileged}} {{json .HostConfig.CapAdd}}",
            &id,
        ])
        .ok();
    let default_names = r#"["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_FSETID","CAP_KILL","CAP_SETGID","CAP_SETUID","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_SETFCAP"]"#;
    assert_eq!(
        shown.trim(),
        format!("{default_names} {default_names} false []")
    );
    env.rsp().args(["rm", &id]).ok();
}

#[test]
fn issue18_exec_gets_the_same_confinement() {
    let env = TestEnv::new();
    env.rsp().args(["pull", "-q", image()]).ok();
    let id = env
        .rsp()
        .args(["run", "-d", "--network", "none", image(), "sleep", "300"])
        .ok()
        .trim()
        .to_string();
    let exec = |args: &[&str]| env.rsp().arg("exec").args(args).ok();
    let root = exec(&[&id, "sh", "-c", STATUS]);
    assert_eq!(field(&root, "CapEff"), DEFAULT_CAPS, "{root}");
    assert_eq!(field(&root, "CapBnd"), DEFAULT_CAPS, "{root}");
    assert_eq!(field(&root, "Seccomp"), "2", "{root}");
    let user = exec(&["-u", "1000", &id, "sh", "-c", STATUS]);
    assert_eq!(field(&user, "CapEff"), "0000000000000000", "{user}");
    let mut args = vec![id.as_str()];
    args.extend(kprobe_args());
    assert_closed(&exec(&args), "exec");
    let nnp = env
        .rsp()
        .args([
            "run",
            "--rm",
            "--network",
            "none",
            "--security-opt",
            "no-new-privileges",
        ])
        .args([image(), "sh", "-c", STATUS])
        .ok();
    assert_eq!(field(&nnp, "NoNewPrivs"), "1", "{nnp}");
    env.rsp().args(["rm", "-f", "-t", "0", &id]).ok();
}

#[test]
fn issue18_cap_add_cap_drop_and_privileged() {
    let env = TestEnv::new();
    env.rsp().args(["pull", "-q", image()]).ok();
    // SYS_ADMIN makes the mount (and its calls) work.
    let admin = probe(&run(
        &env,
        &["--cap-add", "sys_admin"],
        &["kprobe", "mount-tmpfs", "unshare-mnt", "keyctl"],
    ));
    assert_eq!(admin[0].1, "ok", "{admin:?}");
    assert_eq!(admin[1].1, "ok", "{admin:?}");
    // Keyrings stay closed: they are not namespaced.
    assert_eq!(admin[2].1, "EPERM", "{admin:?}");
    // --privileged: every capability, no filter, nothing masked.
    let st = run(&env, &["--privileged"], &["sh", "-c", STATUS]);
    let last_cap: u32 = std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let all = format!("{:016x}", (1u64 << (last_cap.min(40) + 1)) - 1);
    assert_eq!(field(&st, "CapEff"), all, "{st}");
    assert_eq!(
        field(&st, "Seccomp_filters"),
        "1",
        "{st}: the ownership filter alone"
    );
    let priv_probe = probe(&run(
        &env,
        &["--privileged"],
        &["kprobe", "mount-tmpfs", "umount-masked", "unshare-net"],
    ));
    assert_eq!(priv_probe[0].1, "ok", "{priv_probe:?}");
    // Nothing is masked, so there is nothing to unmount there.
    assert_ne!(priv_probe[1].1, "EPERM", "{priv_probe:?}");
    assert_eq!(priv_probe[2].1, "ok", "{priv_probe:?}");
    // --cap-drop: the emulated chown and setuid follow it.
    env.rsp()
        .args(["run", "--rm", "--network", "none", "--cap-drop", "CHOWN"])
        .args([image(), "chown", "1000", "/owned"])
        .code(1);
    let none = run(&env, &["--cap-drop", "all"], &["sh", "-c", STATUS]);
    assert_eq!(field(&none, "CapEff"), "0000000000000000", "{none}");
    assert_eq!(field(&none, "CapBnd"), "0000000000000000", "{none}");
    // A non-root user gets the added capabilities only, kept across exec.
    let raw = run(
        &env,
        &["--user", "1000", "--cap-add", "NET_RAW"],
        &["sh", "-c", STATUS],
    );
    assert_eq!(field(&raw, "CapEff"), "0000000000002000", "{raw}");
    assert_eq!(field(&raw, "CapAmb"), "0000000000002000", "{raw}");
    let shown = env
        .rsp()
        .args([
            "create",
            "--cap-add",
            "net_raw,NET_ADMIN",
            "--cap-drop",
            "KILL",
            image(),
        ])
        .ok()
        .trim()
        .to_string();
    let caps = env
        .rsp()
        .args([
            "inspect",
            "--format",
            "{{json .HostConfig.CapAdd}} {{json .HostConfig.CapDrop}}",
            &shown,
        ])
        .ok();
    assert_eq!(
        caps.trim(),
        r#"["CAP_NET_RAW","CAP_NET_ADMIN"] ["CAP_KILL"]"#
    );
    env.rsp().args(["rm", &shown]).ok();
    let err = crate::hardening::refused(&env, image(), &["--cap-add", "NET_ADMINN"]);
    assert!(
        err.contains("--cap-add \"NET_ADMINN\": unknown capability"),
        "{err}"
    );
}

#[test]
fn issue18_seccomp_profiles() {
    let env = TestEnv::new();
    env.rsp().args(["pull", "-q", image()]).ok();
    let dir = tempfile::tempdir().unwrap();
    // A custom profile: everything allowed but mkdir and mkdirat.
    let profile = dir.path().join("no-mkdir.json");
    std::fs::write(
        &profile,
        r#"{"defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}"#,
    )
    .unwrap();
    let opt = format!("seccomp={}", profile.display());
    let out = run(
        &env,
        &["--security-opt", &opt],
        &["kprobe", "mkdir", "add_key", "io_uring"],
    );
    let p = probe(&out);
    assert_eq!(p[0].1, "EACCES", "{out}");
    // The rest is what the profile says: allowed, so the kernel answers.
    assert_ne!(p[1].1, "EPERM", "{out}");
    assert_ne!(p[2].1, "EPERM", "{out}");
    // Read when the container is made: the file may go afterwards.
    let id = env
        .rsp()
        .args(["create", "--network", "none", "--security-opt", &opt])
        .args([image(), "kprobe", "mkdir"])
        .ok()
        .trim()
        .to_string();
    std::fs::remove_file(&profile).unwrap();
    assert_eq!(env.rsp().args(["start", "-a", &id]).ok(), "mkdir: EACCES\n");
    let shown = env
        .rsp()
        .args([
            "inspect",
            "--format",
            "{{json .HostConfig.SecurityOpt}}",
            &id,
        ])
        .ok();
    assert_eq!(shown.trim(), format!("[\"{opt}\"]"));
    env.rsp().args(["rm", &id]).ok();
    // unconfined: no filter but the ownership one; none with --owners user.
    let st = run(
        &env,
        &["--security-opt", "seccomp=unconfined"],
        &["sh", "-c", STATUS],
    );
    assert_eq!(field(&st, "Seccomp_filters"), "1", "{st}");
    let st = run(
        &env,
        &["--security-opt", "seccomp=unconfined", "--owners", "user"],
        &["sh", "-c", STATUS],
    );
    assert_eq!(field(&st, "Seccomp"), "0", "{st}");
    let st = run(&env, &["--owners", "user"], &["sh", "-c", STATUS]);
    assert_eq!(field(&st, "Seccomp"), "2", "{st}");
    // Bad profiles are refused before anything runs, naming the file.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}").unwrap();
    let missing = dir.path().join("missing.json");
    for (path, words) in [(&bad, "SCMP_ACT_NOTIFY"), (&missing, "No such file")] {
        let err = crate::hardening::refused(
            &env,
            image(),
            &["--security-opt", &format!("seccomp={}", path.display())],
        );
        assert!(
            err.contains(&format!("seccomp profile {}", path.display())) && err.contains(words),
            "{err}"
        );
    }
}
