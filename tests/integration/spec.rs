//! Issue 15: the container spec the engine shares, typed records and
//! inspect, and the `run`/`create` flags that were accepted and ignored:
//! `--pull=newer`, `--expose`, `--log-opt`, `--network` names, `--cgroups`,
//! and the ownership filter's fallback.

use crate::util::image::{ImageBuilder, Layer, busybox_image, uid33_image};
use crate::util::registry::{free_port, shared};
use crate::util::{Cmd, TestEnv};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn busybox() -> &'static str {
    static REF: OnceLock<String> = OnceLock::new();
    REF.get_or_init(|| {
        busybox_image()
            .push(shared(), "spec-busybox", "latest")
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

fn inspect(env: &TestEnv, name: &str, fmt: &str) -> String {
    rsp(env, &["inspect", "--format", fmt, name])
        .ok()
        .trim()
        .to_string()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Polls `f` until it is true, for at most `secs` seconds.
fn eventually(secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn hello_image(text: &str) -> ImageBuilder {
    ImageBuilder::new()
        .layer(
            Layer::new()
                .busybox()
                .file("/hello", 0o644, format!("{text}\n").as_bytes()),
        )
        .cmd(&["cat", "/hello"])
}

#[test]
fn issue15_pull_newer_pulls_only_a_changed_image() {
    let env = TestEnv::new();
    let img = hello_image("one")
        .push(shared(), "spec-newer", "v1")
        .reference;
    let run = |env: &TestEnv, image: &str| {
        let out = rsp(env, &["run", "--rm", "--pull=newer", image]).output();
        assert!(out.status.success(), "{}", crate::util::show_output(&out));
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr(&out),
        )
    };
    // Nothing local: pulled.
    let (out, err) = run(&env, &img);
    assert_eq!(out, "one\n");
    assert!(err.contains("Trying to pull"), "{err}");
    // The registry has the same image: the local one, no pull.
    let (out, err) = run(&env, &img);
    assert_eq!(out, "one\n");
    assert!(!err.contains("Trying to pull"), "{err}");
    // Another image under the tag: pulled.
    hello_image("two").push(shared(), "spec-newer", "v1");
    let (out, err) = run(&env, &img);
    assert_eq!(out, "two\n");
    assert!(err.contains("Trying to pull"), "{err}");
    // A registry that cannot be reached: the local image, and a warning.
    let gone = format!("127.0.0.1:{}/spec-gone:v1", free_port());
    rsp(&env, &["tag", &img, &gone]).ok();
    let (out, err) = run(&env, &gone);
    assert_eq!(out, "two\n");
    assert!(
        err.starts_with("WARN[0000] ") && err.contains("using the local image"),
        "{err}"
    );
    // --pull=never never asks.
    let out = rsp(&env, &["run", "--rm", "--pull=never", &gone]).ok();
    assert_eq!(out, "two\n");
}

#[test]
fn issue15_flags_are_checked_before_anything_is_fetched() {
    let env = TestEnv::new();
    // No such image anywhere: a flag error comes first.
    let missing = format!("127.0.0.1:{}/spec-none:v1", free_port());
    for (flag, words) in [
        ("--network=bridge:x", ["bridge:x", "slirp"]),
        ("--cgroups=split", ["split", "enabled"]),
        ("--log-opt=max-file=3", ["max-file", "max-size"]),
        (
            "--log-opt=mode=non-blocking",
            ["mode=non-blocking", "max-size"],
        ),
        ("--restart=sometimes", ["sometimes", "on-failure"]),
    ] {
        let out = rsp(&env, &["run", "--rm", flag, &missing, "true"]).code(125);
        let err = stderr(&out);
        assert_eq!(err.trim().lines().count(), 1, "{flag}: {err}");
        assert!(err.starts_with("Error: "), "{flag}: {err}");
        for w in words {
            assert!(err.contains(w), "{flag}: {err}");
        }
        assert!(!err.contains("Trying to pull"), "{flag}: {err}");
    }
}

#[test]
fn issue15_network_names_of_the_default_network() {
    let env = env();
    for (i, name) in ["default", "private", "pasta", "slirp4netns", "slirp"]
        .iter()
        .enumerate()
    {
        let c = format!("n{i}");
        rsp(
            &env,
            &["create", "--name", &c, "--network", name, busybox()],
        )
        .ok();
        assert_eq!(inspect(&env, &c, "{{.HostConfig.NetworkMode}}"), "slirp");
    }
    // They work as the default does: an interface besides loopback.
    let out = rsp(
        &env,
        &[
            "run",
            "--rm",
            "--network",
            "pasta",
            busybox(),
            "ls",
            "/sys/class/net",
        ],
    )
    .ok();
    assert!(out.lines().any(|l| l != "lo"), "{out}");
    for bad in ["pasta:-T,80", "bridge:mynet"] {
        let out = rsp(&env, &["create", "--network", bad, busybox()]).code(125);
        assert!(stderr(&out).contains("slirp"), "{bad}: {}", stderr(&out));
    }
    let help = rsp(&env, &["run", "--help"]).ok();
    assert!(
        help.contains("pasta") && help.contains("the name of a network"),
        "{help}"
    );
}

#[test]
fn issue15_cgroups_no_conmon_is_the_default_and_split_is_refused() {
    let env = env();
    rsp(
        &env,
        &["create", "--name", "nc", "--cgroups=no-conmon", busybox()],
    )
    .ok();
    assert_eq!(inspect(&env, "nc", "{{.HostConfig.Cgroups}}"), "enabled");
    let out = rsp(&env, &["create", "--cgroups=split", busybox()]).code(125);
    assert!(
        stderr(&out).contains("--cgroups=enabled"),
        "{}",
        stderr(&out)
    );
    assert!(rsp(&env, &["ps", "-aq"]).ok().lines().count() == 1);
}

#[test]
fn issue15_expose_shows_in_inspect_and_survives_commit() {
    let env = env();
    rsp(
        &env,
        &[
            "run",
            "--name",
            "e",
            "--expose",
            "8080",
            "--expose",
            "53/udp",
            "--expose",
            "9000-9001",
            busybox(),
            "true",
        ],
    )
    .ok();
    let exposed = inspect(&env, "e", "{{json .Config.ExposedPorts}}");
    for p in ["8080/tcp", "53/udp", "9000/tcp", "9001/tcp"] {
        assert!(exposed.contains(&format!("\"{p}\":{{}}")), "{exposed}");
    }
    // Not published: in NetworkSettings.Ports with no binding, as Podman.
    let ports = inspect(&env, "e", "{{json .NetworkSettings.Ports}}");
    assert!(ports.contains("\"8080/tcp\":null"), "{ports}");
    rsp(&env, &["commit", "-q", "e", "spec-exposed:1"]).ok();
    let img = rsp(
        &env,
        &[
            "image",
            "inspect",
            "--format",
            "{{json .Config.ExposedPorts}}",
            "spec-exposed:1",
        ],
    )
    .ok();
    for p in ["8080/tcp", "53/udp", "9001/tcp"] {
        assert!(img.contains(p), "{img}");
    }
    // A container of the committed image exposes them in turn.
    rsp(&env, &["create", "--name", "e2", "spec-exposed:1"]).ok();
    assert!(inspect(&env, "e2", "{{json .Config.ExposedPorts}}").contains("53/udp"));
    rsp(&env, &["create", "--expose", "http", busybox()]).code(125);
}

#[test]
fn issue15_log_opts_path_rotation_and_tag() {
    let env = env();
    let logs = env.dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let path = logs.join("web.log");
    let path_opt = format!("path={}", path.display());
    rsp(
        &env,
        &[
            "run",
            "--name",
            "p",
            "--log-opt",
            &path_opt,
            "--log-opt",
            "tag=web",
            busybox(),
            "echo",
            "hi",
        ],
    )
    .ok();
    assert_eq!(
        inspect(&env, "p", "{{.LogPath}}"),
        path.display().to_string()
    );
    assert_eq!(
        inspect(
            &env,
            "p",
            "{{.HostConfig.LogConfig.Path}} {{.HostConfig.LogConfig.Tag}}"
        ),
        format!("{} web", path.display())
    );
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains(" stdout F hi\n")
    );
    assert_eq!(rsp(&env, &["logs", "p"]).ok(), "hi\n");

    // max-file with max-size rotates, keeping that many files.
    let rot = logs.join("rot.log");
    let rot_opt = format!("path={}", rot.display());
    rsp(
        &env,
        &[
            "run",
            "--name",
            "r",
            "--log-opt",
            &rot_opt,
            "--log-opt",
            "max-size=2k",
            "--log-opt",
            "max-file=3",
            busybox(),
            "sh",
            "-c",
            // Five bursts, each more than a file holds: four rotations.
            "for i in 1 2 3 4 5; do seq ${i}001 ${i}100; sleep 0.2; done",
        ],
    )
    .ok();
    let rotated = |n: u32| logs.join(format!("rot.log.{n}"));
    assert!(rotated(1).exists() && rotated(2).exists(), "rotated files");
    assert!(!rotated(3).exists(), "at most three files");
    for f in [rot.clone(), rotated(1), rotated(2)] {
        let len = std::fs::metadata(&f).unwrap().len();
        assert!(len > 0 && len <= 2048, "{}: {len}", f.display());
    }
    let tail = rsp(&env, &["logs", "r"]).ok();
    assert!(tail.ends_with("\n5099\n5100\n"), "{tail}");

    // What the driver cannot do is refused.
    let bad: [&[&str]; 3] = [
        &["--log-driver", "none", "--log-opt", &path_opt],
        &["--log-opt", "path=/no/such/dir/x.log"],
        &["--log-opt", "max-file=many"],
    ];
    for opts in bad {
        let mut a = vec!["create"];
        a.extend_from_slice(opts);
        a.push(busybox());
        let out = rsp(&env, &a).code(125);
        assert_eq!(stderr(&out).trim().lines().count(), 1, "{opts:?}");
    }
}

#[test]
fn issue15_inspect_is_typed_and_its_fields_are_real() {
    let env = env();
    rsp(
        &env,
        &["create", "--name", "c", "--label", "a=b", busybox(), "true"],
    )
    .ok();
    let cmd = inspect(&env, "c", "{{json .Config.CreateCommand}}");
    let cmd: Vec<String> = serde_json::from_str(&cmd).unwrap();
    // rsp's own arguments, as the command line had them.
    let tail = ["create", "--name", "c", "--label", "a=b", busybox(), "true"];
    assert!(cmd.len() > tail.len(), "{cmd:?}");
    assert_eq!(&cmd[cmd.len() - tail.len()..], tail, "{cmd:?}");
    assert!(cmd[0].ends_with("rsp"), "{cmd:?}");
    rsp(&env, &["start", "c"]).ok();
    rsp(&env, &["wait", "c"]).ok();
    assert_eq!(
        inspect(
            &env,
            "c",
            "{{.State.Restarting}} {{.State.OOMKilled}} {{.State.Dead}} {{.Rootfs}}|"
        ),
        "false false false |"
    );
    // Podman's field order.
    let json = rsp(&env, &["inspect", "c"]).ok();
    let keys: Vec<&str> = [
        "\"Id\"",
        "\"State\"",
        "\"Image\"",
        "\"Name\"",
        "\"Mounts\"",
        "\"Config\"",
        "\"HostConfig\"",
    ]
    .into_iter()
    .collect();
    let at: Vec<usize> = keys.iter().map(|k| json.find(k).unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{json}");

    // A record written before rsp kept the command line, with the old
    // string fields empty: read as before.
    let id = inspect(&env, "c", "{{.Id}}");
    let file = env
        .root()
        .join("containers")
        .join(&id)
        .join("container.json");
    let mut rec: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let obj = rec.as_object_mut().unwrap();
    for k in [
        "create_command",
        "expose",
        "log_path",
        "log_tag",
        "log_max_file",
    ] {
        obj.remove(k);
    }
    for k in ["restart_policy", "log_driver", "owners", "storage_driver"] {
        obj.insert(k.into(), serde_json::json!(""));
    }
    std::fs::write(&file, serde_json::to_vec(&rec).unwrap()).unwrap();
    assert_eq!(
        inspect(
            &env,
            "c",
            "{{json .Config.CreateCommand}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.LogConfig.Type}} {{.HostConfig.Owners}}"
        ),
        "[] no k8s-file user"
    );
    rsp(&env, &["start", "c"]).ok();
    rsp(&env, &["logs", "c"]).ok();
}

#[test]
fn issue15_restarting_while_the_monitor_waits_to_restart() {
    let env = env();
    rsp(
        &env,
        &[
            "run",
            "-d",
            "--name",
            "flap",
            "--restart",
            "on-failure",
            busybox(),
            "false",
        ],
    )
    .ok();
    // The delay doubles from 100 ms: a waiting monitor is soon seen.
    eventually(30, "a restart wait", || {
        inspect(&env, "flap", "{{.State.Restarting}} {{.State.Status}}") == "true exited"
    });
    rsp(&env, &["stop", "-t", "0", "flap"]).ok();
    eventually(10, "the monitor to end", || {
        inspect(&env, "flap", "{{.State.Restarting}}") == "false"
    });
}

#[test]
fn issue15_oom_killed_is_read_from_the_container_cgroup() {
    let env = env();
    rsp(
        &env,
        &[
            "run", "-d", "--name", "m", busybox(), "sh", "-c",
            "while [ ! -e /go ]; do sleep 0.05; done; x=$(head -c 64000000 /dev/zero | tr '\\0' a); echo ${#x}",
        ],
    )
    .ok();
    let cg = inspect(&env, "m", "{{.HostConfig.CgroupPath}}");
    // Where the container has a cgroup with the memory controller, a low
    // limit makes the kernel's OOM killer take it; elsewhere rsp cannot
    // tell, and says false.
    let limited = !cg.is_empty()
        && std::fs::write(std::path::Path::new(&cg).join("memory.max"), "16M").is_ok()
        && std::fs::write(std::path::Path::new(&cg).join("memory.swap.max"), "0").is_ok();
    rsp(&env, &["exec", "m", "touch", "/go"]).ok();
    let code = rsp(&env, &["wait", "m"]).ok();
    let oom = inspect(&env, "m", "{{.State.OOMKilled}}");
    if limited {
        assert_eq!(code.trim(), "137", "killed by the OOM killer");
        assert_eq!(oom, "true");
    } else {
        assert_eq!(code.trim(), "0");
        assert_eq!(oom, "false");
    }
}

/// Runs what follows under a seccomp filter that refuses `seccomp(2)`
/// (as a sandbox may): the ownership filter cannot be installed.
#[cfg(target_arch = "x86_64")]
const NO_SECCOMP: &str = r#"
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#define AUDIT_ARCH_X86_64 0xC000003E
int main(int argc, char **argv) {
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_seccomp, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = { sizeof f / sizeof f[0], f };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
        perror("seccomp");
        return 99;
    }
    execv(argv[1], argv + 1);
    perror("execv");
    return 98;
}
"#;

#[cfg(target_arch = "x86_64")]
#[test]
fn issue15_refused_ownership_filter_is_a_warning_on_stderr_and_in_inspect() {
    let env = TestEnv::new();
    let image = uid33_image().push(shared(), "spec-uid33", "v1").reference;
    env.rsp().args(["pull", "-q", &image]).ok();
    let dir = tempfile::tempdir().unwrap();
    let helper = dir.path().join("noseccomp");
    std::fs::write(
        &helper,
        crate::util::static_c_program("noseccomp", NO_SECCOMP),
    )
    .unwrap();
    std::fs::set_permissions(&helper, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let sandboxed = |args: &[&str]| {
        env.cmd(&helper)
            .arg(crate::util::rsp_bin())
            .arg("--root")
            .arg(env.root())
            .arg("--runroot")
            .arg(env.runroot())
            .args(args)
    };
    let out = sandboxed(&[
        "run",
        "--rm",
        "--owners",
        "image",
        &image,
        "stat",
        "-c",
        "%u",
        "/var/www/index.html",
    ])
    .output();
    assert!(out.status.success(), "{}", crate::util::show_output(&out));
    // The plain view: the file shows as the container user's.
    assert_eq!(String::from_utf8_lossy(&out.stdout), "0\n");
    let err = stderr(&out);
    assert!(
        err.starts_with("WARN[0000] the ownership filter could not be installed"),
        "{err}"
    );
    sandboxed(&[
        "run", "-d", "--name", "w", "--owners", "image", &image, "sleep", "60",
    ])
    .ok();
    let warnings = inspect(&env, "w", "{{json .State.Warnings}}");
    assert!(warnings.contains("ownership filter"), "{warnings}");
    assert_eq!(inspect(&env, "w", "{{.HostConfig.Owners}}"), "image");
    // Without the sandbox, the same image's owners are emulated.
    let out = rsp(
        &env,
        &[
            "run",
            "--rm",
            "--owners",
            "image",
            &image,
            "stat",
            "-c",
            "%u",
            "/var/www/index.html",
        ],
    )
    .output();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "33\n");
    assert!(!stderr(&out).contains("WARN"), "{}", stderr(&out));
}
