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
