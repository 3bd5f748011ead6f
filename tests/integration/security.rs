//! Issue 14: attacks on rsp from inside a container. Each test performs
//! the attack with a static attacker program (`attack.c`) as the
//! container's command, against a copy of the rsp binary that the test
//! user owns (as `cargo install` leaves it), with a secret in rsp's own
//! environment; the binary's hash must not change and the secret must
//! never be readable.

use crate::util::image::{Layer, busybox_image};
use crate::util::registry::shared;
use crate::util::{Cmd, TestEnv, rsp_bin, sha256_digest};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const SECRET: &str = "AKIAsecret-issue14-d41d8cd98f00b204";

fn attack_binary() -> Vec<u8> {
    crate::util::static_c_program("attack", include_str!("attack.c"))
}

fn image() -> &'static str {
    static REF: OnceLock<String> = OnceLock::new();
    REF.get_or_init(|| {
        busybox_image()
            .layer(Layer::new().file("/bin/attack", 0o755, &attack_binary()))
            .push(shared(), "security-busybox", "latest")
            .reference
    })
}

/// A test environment with its own copy of rsp, owned by the test user
/// and writable by it, as an installed binary usually is.
struct Env {
    env: TestEnv,
    bin: PathBuf,
}

impl Env {
    fn new() -> Env {
        let env = TestEnv::new();
        let bin = env.dir.path().join("bin/rsp");
        std::fs::create_dir_all(bin.parent().unwrap()).unwrap();
        std::fs::copy(rsp_bin(), &bin).unwrap();
        let e = Env { env, bin };
        e.rsp(&["pull", "-q", image()]).ok();
        e
    }

    /// The copied rsp, with the secret in its environment.
    fn rsp(&self, args: &[&str]) -> Cmd {
        self.env
            .cmd(&self.bin)
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .arg("--root")
            .arg(self.env.root())
            .arg("--runroot")
            .arg(self.env.runroot())
            .args(args)
    }

    fn hash(&self) -> String {
        sha256_digest(&std::fs::read(&self.bin).unwrap())
    }

    fn shared_dir(&self) -> PathBuf {
        let d = self.env.tmp().join("shared");
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}

fn volume(dir: &Path) -> String {
    format!("{}:/shared", dir.display())
}

/// Whether any process of ours executes or maps `bin`.
fn running(bin: &Path) -> bool {
    let name = bin.to_string_lossy().into_owned();
    std::fs::read_dir("/proc").unwrap().flatten().any(|e| {
        std::fs::read_link(e.path().join("exe")).is_ok_and(|x| x == bin)
            || std::fs::read_to_string(e.path().join("maps")).is_ok_and(|m| m.contains(&name))
    })
}

fn eventually(secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The chain that overwrote the host binary: container A (`--init`) opens
/// `/proc/1/exe` with O_PATH and passes it over a unix socket on a shared
/// bind mount to container B; A exits; B reopens it for writing.
#[test]
fn issue14_init_exe_cannot_be_reached_or_written_through_another_container() {
    let e = Env::new();
    let before = e.hash();
    let shared = e.shared_dir();
    let vol = volume(&shared);
    for round in 0..3 {
        let _ = std::fs::remove_file(shared.join("go"));
        // No ownership supervisor: it would keep executing the copy
        // (unseen: it is non-dumpable) a while after A is gone.
        let a = e
            .rsp(&[
                "run",
                "-d",
                "--init",
                "--owners",
                "user",
                "-v",
                &vol,
                image(),
            ])
            .args(["attack", "hold", "/shared/sock"])
            .ok()
            .trim()
            .to_string();
        // B runs under the build's own rsp, so that once A is gone no
        // process executes the copy.
        let b = e
            .env
            .rsp()
            .args(["run", "-d", "-v", &vol, image()])
            .args(["attack", "take", "/shared/sock", "/shared/go"])
            .ok()
            .trim()
            .to_string();
        e.rsp(&["wait", &a]).ok();
        // Nothing executes the copy any more once A's monitor is gone.
        eventually(20, "every process of the copied rsp to exit", || {
            !running(&e.bin)
        });
        std::fs::write(shared.join("go"), "").unwrap();
        e.rsp(&["wait", &b]).ok();
        let held = e.rsp(&["logs", &a]).ok();
        let taken = e.rsp(&["logs", &b]).ok();
        assert_eq!(
            e.hash(),
            before,
            "round {round}: the rsp binary was changed:\n{held}\n{taken}"
        );
        for line in [
            "exe-open: EACCES",
            "exe-readlink: EACCES",
            "environ: EACCES",
            "mem: EACCES",
            "root: EACCES",
            "cwd: EACCES",
        ] {
            assert!(
                held.contains(line),
                "round {round}: {line:?} missing in\n{held}\n{taken}"
            );
        }
        assert!(
            taken.contains("received: nothing"),
            "round {round}:\n{taken}"
        );
        assert!(!held.contains(SECRET) && !taken.contains(SECRET));
        e.rsp(&["rm", &a, &b]).ok();
    }
}

/// A poller in the container watches every process that appears while
/// `rsp exec` runs commands in it (and `--init`'s pid 1): none may show
/// rsp's executable or rsp's environment, or be ptraced.
#[test]
fn issue14_exec_and_init_processes_hide_the_binary_and_the_host_environment() {
    let e = Env::new();
    let before = e.hash();
    let shared = e.shared_dir();
    let vol = volume(&shared);
    let c = e
        .rsp(&["run", "-d", "--init", "-v", &vol, image()])
        .args(["attack", "poll", "/shared/stop", SECRET])
        .ok()
        .trim()
        .to_string();
    // Bounded: 50 rounds of exec, each a short command.
    for i in 0..50 {
        let out = e
            .rsp(&["exec", &c, "sh", "-c", "cat /proc/self/environ; echo"])
            .ok();
        assert!(
            !out.contains(SECRET),
            "round {i}: exec's environment: {out}"
        );
        assert!(!out.contains("AWS_SECRET"), "round {i}: {out}");
    }
    std::fs::write(shared.join("stop"), "").unwrap();
    e.rsp(&["wait", &c]).ok();
    let report = e.rsp(&["logs", &c]).ok();
    assert!(report.contains("leaks: 0"), "{report}");
    assert!(!report.contains("LEAK"), "{report}");
    // pid 1 at least was hidden all along.
    let hidden: u32 = report
        .lines()
        .find_map(|l| l.strip_prefix("hidden: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    assert!(hidden >= 1, "{report}");
    // And as many fresh --init containers (bounded: 20 rounds), each
    // looking at its pid 1 at once.
    for i in 0..20 {
        let out = e
            .rsp(&["run", "--rm", "--init", image()])
            .args([
                "sh",
                "-c",
                "cat /proc/1/environ; readlink /proc/1/exe; tr '\\0' ' ' </proc/1/cmdline; echo; env",
            ])
            .output();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !all.contains(SECRET) && !all.contains("AWS_SECRET"),
            "round {i}: {all}"
        );
        assert!(all.contains("Permission denied"), "round {i}: {all}");
        assert!(
            !all.contains(&e.bin.display().to_string()),
            "round {i}: {all}"
        );
    }
    assert_eq!(e.hash(), before);
}

/// The host pids of the processes whose parent is `ppid` and whose name is
/// `comm`.
fn children_named(ppid: i32, comm: &str) -> Vec<i32> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let parent = stat[close + 2..]
            .split(' ')
            .nth(1)
            .and_then(|p| p.parse().ok());
        if &stat[open + 1..close] == comm && parent == Some(ppid) {
            out.push(pid);
        }
    }
    out
}

fn ppid_of(pid: i32) -> i32 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    stat[stat.rfind(')').unwrap() + 2..]
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap()
}

/// The `rsp exec` joiner held just before it executes the command (its
/// ownership filter waits for the supervisor, which the test has
/// stopped): the container sees it, and can neither open its exe,
/// environ or memory nor ptrace it.
#[test]
fn issue14_exec_joiner_held_before_exec_is_out_of_reach() {
    let e = Env::new();
    let c = e
        .rsp(&["run", "-d", "--owners", "image", image(), "attack", "catch"])
        .ok()
        .trim()
        .to_string();
    let pid: i32 = e
        .rsp(&["inspect", "--format", "{{.State.Pid}}", &c])
        .ok()
        .trim()
        .parse()
        .unwrap();
    let monitor = ppid_of(pid);
    let sup = children_named(monitor, "rsp-owners");
    assert_eq!(
        sup.len(),
        1,
        "the ownership supervisor of monitor {monitor}"
    );
    /// Resumes the supervisor however the test ends.
    struct Stopped(nix::unistd::Pid);
    impl Drop for Stopped {
        fn drop(&mut self) {
            let _ = nix::sys::signal::kill(self.0, nix::sys::signal::Signal::SIGCONT);
        }
    }
    let sup = nix::unistd::Pid::from_raw(sup[0]);
    nix::sys::signal::kill(sup, nix::sys::signal::Signal::SIGSTOP).unwrap();
    let stopped = Stopped(sup);
    let exec = e
        .rsp(&["exec", &c, "true"])
        .into_command()
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let exec = crate::util::Spawned(exec);
    // The catcher exits once it has tried everything on the joiner.
    let waited = e
        .rsp(&["wait", &c])
        .timeout(Duration::from_secs(90))
        .output();
    drop(stopped);
    drop(exec);
    assert!(
        waited.status.success(),
        "{}",
        crate::util::show_output(&waited)
    );
    let out = e.rsp(&["logs", &c]).ok();
    for want in [
        "exe-open: EACCES",
        "environ: EACCES",
        "mem: EACCES",
        "attach: EPERM",
    ] {
        assert!(out.contains(want), "{want:?} missing in\n{out}");
    }
    assert!(!out.contains("caught: nothing"), "{out}");
}

/// `--init`'s pid 1 cannot be ptraced (syscall injection set the
/// hostname before), holds no capability and runs under a seccomp filter;
/// its environment and command line show nothing of the host.
#[test]
fn issue14_init_is_confined_and_cannot_be_ptraced() {
    let e = Env::new();
    let out = e
        .rsp(&["run", "--rm", "--init", image()])
        .args([
            "sh",
            "-c",
            "attack ptrace 1; grep -E '^(CapEff|CapPrm|CapBnd|Seccomp|NoNewPrivs):' /proc/1/status; \
             echo cmdline: $(tr '\\0' ' ' </proc/1/cmdline); cat /proc/1/environ; env",
        ])
        .ok();
    for want in [
        "attach: EPERM",
        "seize: EPERM",
        "CapEff:\t0000000000000000",
        "CapPrm:\t0000000000000000",
        "CapBnd:\t0000000000000000",
        "Seccomp:\t2",
        "NoNewPrivs:\t1",
        "cmdline: rsp-init",
    ] {
        assert!(out.contains(want), "{want:?} missing in\n{out}");
    }
    assert!(!out.contains(SECRET), "{out}");
    assert!(!out.contains("AWS_SECRET"), "{out}");
    let root = e.env.root().display().to_string();
    assert!(!out.contains(&root), "pid 1 shows a host path: {out}");
}

/// rsp's own processes on the host side carry nothing of the caller's
/// environment either: the monitor of a detached container (whose copy of
/// it every container process starts from) has only what it reads.
#[test]
fn issue14_monitor_environment_is_minimal_and_its_image_unwritable() {
    let e = Env::new();
    let before = e.hash();
    let c = e
        .rsp(&["run", "-d", image(), "sleep", "60"])
        .ok()
        .trim()
        .to_string();
    let pid = e.rsp(&["inspect", "--format", "{{.State.Pid}}", &c]).ok();
    let pid: i32 = pid.trim().parse().unwrap();
    let ppid = ppid_of(pid);
    let env = std::fs::read(format!("/proc/{ppid}/environ")).unwrap();
    let env = String::from_utf8_lossy(&env);
    let names: Vec<&str> = env
        .split('\0')
        .filter(|kv| !kv.is_empty())
        .map(|kv| kv.split('=').next().unwrap())
        .collect();
    assert_eq!(names, ["RSP_RESOLV_CONF"], "monitor environment: {env:?}");
    // The monitor runs from the write-protected image, not the binary:
    // a handle on its executable held until the monitor is gone still
    // cannot be written through.
    let exe = std::fs::read_link(format!("/proc/{ppid}/exe")).unwrap();
    assert_ne!(exe, e.bin, "the monitor runs from the writable binary");
    let handle = nix::fcntl::open(
        format!("/proc/{ppid}/exe").as_str(),
        nix::fcntl::OFlag::O_PATH,
        nix::sys::stat::Mode::empty(),
    )
    .unwrap();
    e.rsp(&["rm", "-f", "-t", "0", &c]).ok();
    eventually(10, "the monitor to exit", || {
        !Path::new(&format!("/proc/{ppid}")).exists()
    });
    use std::os::fd::AsRawFd;
    let reopen = format!("/proc/self/fd/{}", handle.as_raw_fd());
    match std::fs::OpenOptions::new().append(true).open(&reopen) {
        Err(err) => assert_eq!(err.raw_os_error(), Some(libc::EROFS), "{err}"),
        // A sealed memfd opens, but takes no write.
        Ok(mut f) => {
            use std::io::Write;
            let err = f.write_all(b"PWNED").expect_err("wrote to rsp's image");
            assert_eq!(err.raw_os_error(), Some(libc::EPERM), "{err}");
        }
    }
    // With capabilities of its own (a user namespace), the holder of the
    // handle cannot make the mount writable either.
    let attack = e.env.dir.path().join("attack");
    std::fs::write(&attack, attack_binary()).unwrap();
    std::fs::set_permissions(&attack, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let raw = handle.as_raw_fd();
    nix::fcntl::fcntl(
        &handle,
        nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::empty()),
    )
    .unwrap();
    let out = e.env.cmd(&attack).args(["unlock", &raw.to_string()]).ok();
    // The flag is locked (EPERM), or the mount's tree went with the last
    // rsp that held it (EINVAL): either way it stays read-only.
    for want in ["unshare: ok", "clone: EINVAL", "reopen-write: EROFS"] {
        assert!(out.contains(want), "{want:?} missing in\n{out}");
    }
    assert!(
        out.contains("setattr: EPERM") || out.contains("setattr: EINVAL"),
        "{out}"
    );
    assert_eq!(e.hash(), before);
}
