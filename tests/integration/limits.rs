//! Issue 18 (its `--ulimit` part): resource limits set with setrlimit,
//! no cgroup needed, seen by the container's processes and by `exec`'d
//! ones, shown in `inspect`; bad values and limits above the user's own
//! are refused with go-units' words or one saying the ceiling.

use crate::hardening::refused;
use crate::util::TestEnv;
use crate::util::image::busybox_image;
use crate::util::registry::shared;
use std::sync::OnceLock;

fn busybox() -> &'static str {
    static REF: OnceLock<String> = OnceLock::new();
    REF.get_or_init(|| {
        busybox_image()
            .push(shared(), "limits-busybox", "latest")
            .reference
    })
}

/// The calling user's hard limit on open files.
fn my_hard_nofile() -> u64 {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap();
    line.split_whitespace().nth(4).unwrap().parse().unwrap()
}

#[test]
fn issue18_ulimit_is_seen_inside_and_by_exec() {
    let env = TestEnv::new();
    let image = busybox();
    env.rsp().args(["pull", "-q", image]).ok();
    let out = env
        .rsp()
        .args([
            "run",
            "--rm",
            "--network",
            "none",
            "--ulimit",
            "nofile=64",
            "--ulimit",
            "nproc=1000:2000",
            image,
            "sh",
            "-c",
            "ulimit -n; ulimit -Hn; grep -E '^Max (open files|processes)' /proc/self/limits",
        ])
        .ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(&lines[..2], ["64", "64"], "{out}");
    let words = |l: &str| l.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    let procs = lines
        .iter()
        .find(|l| l.starts_with("Max processes"))
        .unwrap();
    assert_eq!(&words(procs)[2..4], ["1000", "2000"], "{out}");

    // A running container's limits hold for exec too, and inspect shows them.
    let id = env
        .rsp()
        .args([
            "run",
            "-d",
            "--network",
            "none",
            "--ulimit",
            "nofile=70:80",
            image,
            "sleep",
            "60",
        ])
        .ok()
        .trim()
        .to_string();
    let out = env
        .rsp()
        .args(["exec", &id, "sh", "-c", "ulimit -n; ulimit -Hn"])
        .ok();
    assert_eq!(out, "70\n80\n");
    let shown = env
        .rsp()
        .args(["inspect", "--format", "{{json .HostConfig.Ulimits}}", &id])
        .ok();
    assert_eq!(
        shown.trim(),
        r#"[{"Name":"RLIMIT_NOFILE","Soft":70,"Hard":80}]"#
    );
    env.rsp().args(["rm", "-f", &id]).ok();
}

#[test]
fn issue18_ulimit_bad_values_are_refused() {
    let env = TestEnv::new();
    let image = busybox();
    env.rsp().args(["pull", "-q", image]).ok();
    let err = |args: &[&str]| {
        let mut all = vec!["--network", "none"];
        all.extend_from_slice(args);
        refused(&env, image, &all)
    };
    assert!(err(&["--ulimit", "bogus=1"]).starts_with("Error: invalid ulimit type: bogus"));
    assert!(err(&["--ulimit", "nofile"]).starts_with("Error: invalid ulimit argument: nofile"));
    assert!(err(&["--ulimit", "nofile=100:10"]).starts_with(
        "Error: ulimit soft limit must be less than or equal to hard limit: 100 > 10"
    ));
    // Above the user's own hard limit: says the ceiling; nothing is left.
    let ceiling = my_hard_nofile();
    let above = format!("nofile={}", ceiling + 1);
    let e = err(&["--ulimit", &above]);
    assert!(e.contains(&format!("give at most {ceiling}")), "{e}");
    assert_eq!(env.rsp().args(["ps", "-a", "-q"]).ok(), "");
}

/// busybox plus `/hog` (touches MiB after MiB of memory until killed,
/// printing each) and `/forker` (forks sleeping children until fork
/// fails, then prints how many it made).
fn hog_image() -> &'static str {
    static REF: OnceLock<String> = OnceLock::new();
    REF.get_or_init(|| {
        let hog = crate::util::static_c_program(
            "hog",
            "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\
             int main(void) { for (int i = 1; i <= 1024; i++) { char *p = malloc(1 << 20); \
             if (!p) return 2; memset(p, 1, 1 << 20); if (i % 16 == 0) { printf(\"%d\\n\", i); fflush(stdout); } } \
             return 0; }\n",
        );
        let forker = crate::util::static_c_program(
            "forker",
            "#include <stdio.h>\n#include <signal.h>\n#include <unistd.h>\n\
             int main(void) { int n = 0; for (; n < 500; n++) { pid_t p = fork(); \
             if (p < 0) break; if (p == 0) { sleep(30); _exit(0); } } \
             printf(\"%d\\n\", n); fflush(stdout); kill(0, SIGKILL); return 0; }\n",
        );
        busybox_image()
            .layer(
                crate::util::image::Layer::new()
                    .file("/hog", 0o755, &hog)
                    .file("/forker", 0o755, &forker),
            )
            .push(shared(), "limits-hog", "latest")
            .reference
    })
}

/// A file of the container's cgroup (`.State.CgroupPath`), trimmed.
fn cgroup_file(env: &TestEnv, id: &str, file: &str) -> String {
    let dir = env
        .rsp()
        .args(["inspect", "--format", "{{.State.CgroupPath}}", id])
        .ok();
    let dir = dir.trim();
    assert!(
        !dir.is_empty(),
        "{id} has no cgroup: the tests need a delegated cgroup v2 (see .ci/run)"
    );
    std::fs::read_to_string(std::path::Path::new(dir).join(file))
        .unwrap_or_else(|e| panic!("{dir}/{file}: {e}"))
        .trim()
        .to_string()
}

/// The container's cgroup directory in the v1 hierarchy holding
/// `controller`, from its process's /proc/PID/cgroup and our mounts.
fn v1_cgroup_dir(env: &TestEnv, id: &str, controller: &str) -> Option<std::path::PathBuf> {
    let pid = env
        .rsp()
        .args(["inspect", "--format", "{{.State.Pid}}", id])
        .ok();
    let cgroups = std::fs::read_to_string(format!("/proc/{}/cgroup", pid.trim())).ok()?;
    let rel = cgroups.lines().find_map(|l| {
        let mut f = l.splitn(3, ':');
        let (n, subs, path) = (f.next()?, f.next()?, f.next()?);
        (n != "0" && subs.split(',').any(|s| s == controller)).then_some(path)
    })?;
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    let point = mounts.lines().find_map(|l| {
        let (m, fs) = l.split_once(" - ")?;
        let mut fs = fs.split_whitespace();
        let ok = fs.next()? == "cgroup" && fs.nth(1)?.split(',').any(|o| o == controller);
        ok.then(|| m.split_whitespace().nth(4).map(str::to_string))?
    })?;
    Some(std::path::Path::new(&point).join(rel.trim_start_matches('/')))
}

/// A limit as the kernel holds it: `v2` (file, value) where the
/// controller is in the container's cgroup v2, else `v1` (file, value) in
/// the v1 hierarchy that holds it (hybrid layouts, see .ci/run).
fn assert_limit(env: &TestEnv, id: &str, v2: (&str, &str), v1: (&str, &str)) {
    let dir = env
        .rsp()
        .args(["inspect", "--format", "{{.State.CgroupPath}}", id])
        .ok();
    if std::path::Path::new(dir.trim()).join(v2.0).exists() {
        assert_eq!(cgroup_file(env, id, v2.0), v2.1, "{id}: {}", v2.0);
        return;
    }
    let controller = v1.0.split('.').next().unwrap();
    let dir = v1_cgroup_dir(env, id, controller).unwrap_or_else(|| {
        panic!(
            "{id}: neither {} in its cgroup v2 nor a v1 {controller} cgroup (see .ci/run)",
            v2.0
        )
    });
    let got = std::fs::read_to_string(dir.join(v1.0))
        .unwrap_or_else(|e| panic!("{}/{}: {e}", dir.display(), v1.0));
    assert_eq!(got.trim(), v1.1, "{id}: {}/{}", dir.display(), v1.0);
}

#[test]
fn issue18_memory_limit_ends_a_hog_with_oomkilled() {
    let env = TestEnv::new();
    let image = hog_image();
    env.rsp().args(["pull", "-q", image]).ok();
    let out = env
        .rsp()
        .args([
            "run",
            "--name",
            "hog",
            "--network",
            "none",
            "--memory",
            "32m",
            "--memory-swap",
            "32m",
            image,
            "/hog",
        ])
        .code(137);
    // It ran, and was stopped well before its 1024 MiB.
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(!printed.contains("1024"), "{printed}");
    let shown = env
        .rsp()
        .args(["inspect", "--format", "{{.State.OOMKilled}} {{.State.ExitCode}} {{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}", "hog"])
        .ok();
    assert_eq!(shown.trim(), "true 137 33554432 33554432");
    let ps = env
        .rsp()
        .args([
            "ps",
            "-a",
            "--filter",
            "name=hog",
            "--format",
            "{{.Status}}",
        ])
        .ok();
    assert!(ps.starts_with("Exited (137)"), "{ps}");
    let events = env
        .rsp()
        .args([
            "events",
            "--stream=false",
            "--filter",
            "container=hog",
            "--format",
            "{{.Status}}",
        ])
        .ok();
    assert!(events.lines().any(|l| l == "oom"), "{events}");
    // Without the limit it runs to the end.
    env.rsp()
        .args(["run", "--rm", "--network", "none", image, "/hog"])
        .ok();
}

#[test]
fn issue18_pids_limit_stops_a_fork_loop_and_defaults_to_2048() {
    let env = TestEnv::new();
    let image = hog_image();
    env.rsp().args(["pull", "-q", image]).ok();
    let made: u32 = env
        .rsp()
        .args([
            "run",
            "--rm",
            "--network",
            "none",
            "--pids-limit",
            "50",
            image,
            "/forker",
        ])
        .ok()
        .trim()
        .parse()
        .unwrap();
    assert!(
        made > 0 && made < 50,
        "made {made} processes under --pids-limit 50"
    );
    let id = env
        .rsp()
        .args(["run", "-d", "--network", "none", image, "sleep", "300"])
        .ok()
        .trim()
        .to_string();
    assert_limit(&env, &id, ("pids.max", "2048"), ("pids.max", "2048"));
    assert_eq!(
        env.rsp()
            .args(["inspect", "--format", "{{.HostConfig.PidsLimit}}", &id])
            .ok()
            .trim(),
        "2048"
    );
    // rsp update changes it on the running container, and for good.
    env.rsp().args(["update", "--pids-limit", "100", &id]).ok();
    assert_limit(&env, &id, ("pids.max", "100"), ("pids.max", "100"));
    env.rsp().args(["update", "--pids-limit=-1", &id]).ok();
    assert_limit(&env, &id, ("pids.max", "max"), ("pids.max", "max"));
    env.rsp().args(["rm", "-f", "-t", "0", &id]).ok();
}

#[test]
fn issue18_cpu_limits_and_update() {
    let env = TestEnv::new();
    let image = hog_image();
    env.rsp().args(["pull", "-q", image]).ok();
    let id = env
        .rsp()
        .args([
            "run",
            "-d",
            "--network",
            "none",
            "--cpus",
            "0.5",
            "--cpu-shares",
            "512",
            "--cpuset-cpus",
            "0",
            "--memory",
            "64m",
            "--memory-reservation",
            "16m",
            image,
            "sleep",
            "300",
        ])
        .ok()
        .trim()
        .to_string();
    assert_limit(
        &env,
        &id,
        ("cpu.max", "50000 100000"),
        ("cpu.cfs_quota_us", "50000"),
    );
    assert_limit(&env, &id, ("cpu.weight", "20"), ("cpu.shares", "512"));
    assert_limit(&env, &id, ("cpuset.cpus", "0"), ("cpuset.cpus", "0"));
    assert_limit(
        &env,
        &id,
        ("memory.max", "67108864"),
        ("memory.limit_in_bytes", "67108864"),
    );
    // An exec'd process is in every cgroup of the container (v1 too):
    // seen through the container's cgroup namespace, whose root is the
    // container's cgroup in each hierarchy, every one of its paths is /
    // (outside one, it would be /.. or below).
    let own = env
        .rsp()
        .args(["exec", &id, "cat", "/proc/self/cgroup"])
        .ok();
    assert!(
        own.lines().all(|l| l.ends_with(":/")) && own.lines().count() > 1,
        "{own}"
    );
    let shown = env
        .rsp()
        .args([
            "inspect",
            "--format",
            "{{.HostConfig.NanoCpus}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuShares}} {{.HostConfig.CpusetCpus}} {{.HostConfig.MemoryReservation}}",
            &id,
        ])
        .ok();
    assert_eq!(shown.trim(), "500000000 50000 100000 512 0 16777216");
    env.rsp()
        .args(["update", "--cpus", "1", "--memory", "128m", &id])
        .ok();
    assert_limit(
        &env,
        &id,
        ("cpu.max", "100000 100000"),
        ("cpu.cfs_quota_us", "100000"),
    );
    assert_limit(
        &env,
        &id,
        ("memory.max", "134217728"),
        ("memory.limit_in_bytes", "134217728"),
    );
    env.rsp().args(["update", "--cpu-weight", "250", &id]).ok();
    assert_limit(&env, &id, ("cpu.weight", "250"), ("cpu.shares", "6529"));
    assert_eq!(
        env.rsp()
            .args([
                "inspect",
                "--format",
                "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}",
                &id
            ])
            .ok()
            .trim(),
        "134217728 1000000000"
    );
    // Bad values are refused naming the flag, and change nothing.
    let out = env.rsp().args(["update", "--cpus", "lots", &id]).code(125);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("invalid --cpus \"lots\""),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_limit(
        &env,
        &id,
        ("cpu.max", "100000 100000"),
        ("cpu.cfs_quota_us", "100000"),
    );
    env.rsp().args(["rm", "-f", "-t", "0", &id]).ok();
    // rsp info says what is available.
    let info = env
        .rsp()
        .args(["info", "--format", "{{json .host.cgroupControllers}}"])
        .ok();
    for c in ["cpu", "memory", "pids"] {
        assert!(info.contains(&format!("\"{c}\"")), "{info}");
    }
    // --blkio-weight needs an I/O scheduler that weighs (cgroup v2's io
    // controller, or BFQ or CFQ under v1 blkio): rsp info says which it is
    // here, and rsp either enforces it or refuses it saying why.
    let io = env
        .rsp()
        .args(["info", "--format", "{{json .host.limits.io.state}}"])
        .ok();
    let args = [
        "run",
        "-d",
        "--network",
        "none",
        "--blkio-weight",
        "300",
        image,
        "sleep",
        "300",
    ];
    if io.contains("\"available") {
        let id = env.rsp().args(args).ok().trim().to_string();
        assert_limit(
            &env,
            &id,
            ("io.weight", "default 300"),
            ("blkio.weight", "300"),
        );
        env.rsp().args(["rm", "-f", "-t", "0", &id]).ok();
    } else {
        let out = env.rsp().args(args).code(125);
        let err = String::from_utf8_lossy(&out.stderr);
        let why = io
            .trim()
            .trim_matches('"')
            .trim_start_matches("unavailable: ");
        assert!(
            err.starts_with("Error: --blkio-weight: rsp cannot enforce it here: ")
                && err.contains(why),
            "{io}: {err}"
        );
        assert!(env.rsp().args(["ps", "-aq"]).ok().trim().is_empty());
    }
}

#[test]
fn issue18_limits_that_cannot_be_enforced_are_refused() {
    let env = TestEnv::new();
    let image = busybox();
    for (args, words) in [
        (
            &["--memory", "32m", "--cgroups", "disabled"][..],
            "--memory: rsp cannot enforce limits with --cgroups=disabled",
        ),
        (
            &["--memory", "1k"][..],
            "invalid --memory \"1k\": the minimum is 6m",
        ),
        (&["--memory-swap", "1g"][..], "--memory-swap needs --memory"),
        (
            &["--memory", "64m", "--memory-swap", "32m"][..],
            "is less than --memory",
        ),
        (&["--cpu-shares", "1"][..], "invalid --cpu-shares"),
        (&["--cpuset-cpus", "x"][..], "invalid --cpuset-cpus"),
        (&["--blkio-weight", "5"][..], "invalid --blkio-weight"),
    ] {
        let err = refused(&env, image, args);
        assert!(err.contains(words), "{args:?}: {err}");
    }
    // No delegated cgroup to be seen: in a cgroup namespace of our own
    // (util-linux's unshare), rsp cannot reach its cgroup.
    let out = env
        .cmd("unshare")
        .args(["--user", "--map-current-user", "--cgroup"])
        .arg(crate::util::rsp_bin())
        .arg("--root")
        .arg(env.root())
        .arg("--runroot")
        .arg(env.runroot())
        .args([
            "run",
            "--rm",
            "--network",
            "none",
            "--pids-limit",
            "10",
            image,
            "true",
        ])
        .code(125);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("Error: --pids-limit: rsp cannot enforce it here: your cgroup is outside")
            && err.contains("systemd-run --user --scope -p Delegate=yes")
            && err.lines().count() == 1,
        "{err}"
    );
    let out = env.rsp().args(["update", "nosuch"]).code(125);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("needs a limit to change"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
