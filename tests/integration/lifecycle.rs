//! Issue 3: detached containers and their monitor, logs, attach, exec,
//! stop/kill/wait/restart, pause, top/stats/port, cp, events, and state
//! that survives a killed monitor.

use crate::util::image::busybox_image;
use crate::util::registry::shared;
use crate::util::{Cmd, Spawned, TestEnv, free_port};
use std::io::{Read, Write};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn busybox() -> &'static str {
    static REF: OnceLock<String> = OnceLock::new();
    REF.get_or_init(|| {
        busybox_image()
            .push(shared(), "life-busybox", "latest")
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

/// `run -d` with these arguments before the image and `cmd` after it.
fn detach(env: &TestEnv, opts: &[&str], cmd: &[&str]) -> String {
    let mut a = vec!["run", "-d"];
    a.extend_from_slice(opts);
    a.push(busybox());
    a.extend_from_slice(cmd);
    rsp(env, &a).ok().trim().to_string()
}

fn inspect(env: &TestEnv, name: &str, fmt: &str) -> String {
    rsp(env, &["inspect", "--format", fmt, name])
        .ok()
        .trim()
        .to_string()
}

/// Polls `f` until it is true, for at most `secs` seconds.
fn eventually(secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            let st = &s[s.rfind(')').unwrap() + 2..];
            !st.starts_with('Z')
        })
        .unwrap_or(false)
}

#[test]
fn issue3_detached_server_outlives_the_starting_rsp() {
    let env = env();
    let port = free_port().to_string();
    let id = detach(
        &env,
        &["--name", "web", "--network", "host"],
        &[
            "sh",
            "-c",
            &format!(
                "echo hello > /tmp/index.html; echo serving; exec httpd -f -p 127.0.0.1:{port} -h /tmp"
            ),
        ],
    );
    assert_eq!(id.len(), 64, "run -d prints the full ID: {id}");
    let url = format!("http://127.0.0.1:{port}/index.html");
    let mut body = String::new();
    eventually(10, "the server to answer", || {
        match ureq::get(&url).call() {
            Ok(mut r) => {
                body = r.body_mut().read_to_string().unwrap();
                true
            }
            Err(_) => false,
        }
    });
    assert_eq!(body, "hello\n");
    let ps = rsp(&env, &["ps", "--format", "{{.ID}} {{.Names}} {{.Status}}"]).ok();
    assert!(ps.starts_with(&format!("{} web Up ", &id[..12])), "{ps}");
    eventually(10, "the log line", || {
        rsp(&env, &["logs", "web"]).ok().contains("serving")
    });
    // The monitor is a separate process, in its own session.
    let mon: i32 = inspect(&env, "web", "{{.State.ConmonPid}}")
        .parse()
        .unwrap();
    assert!(alive(mon));
    let sid = std::fs::read_to_string(format!("/proc/{mon}/stat")).unwrap();
    let fields: Vec<&str> = sid[sid.rfind(')').unwrap() + 2..].split(' ').collect();
    assert_eq!(
        fields[3],
        mon.to_string(),
        "the monitor leads its own session"
    );
    rsp(&env, &["stop", "-t", "0", "web"]).ok();
    assert_eq!(
        inspect(&env, "web", "{{.State.Status}} {{.State.ExitCode}}"),
        "exited 137"
    );
    eventually(5, "the monitor to end with its container", || !alive(mon));
    assert!(ureq::get(&url).call().is_err());
    rsp(&env, &["rm", "web"]).ok();
}

#[test]
fn issue3_logs_follow_tail_timestamps_and_drivers() {
    let env = env();
    detach(
        &env,
        &["--name", "talker"],
        &[
            "sh",
            "-c",
            "for i in 1 2 3 4 5; do echo line $i; sleep 0.2; done; echo oops >&2; exit 4",
        ],
    );
    // -f follows live and ends when the container does.
    let out = rsp(&env, &["logs", "-f", "talker"]).output();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "line 1\nline 2\nline 3\nline 4\nline 5\n"
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "oops\n");
    assert_eq!(rsp(&env, &["wait", "talker"]).ok(), "4\n");
    let tail = rsp(&env, &["logs", "--tail", "2", "talker"]).output();
    assert_eq!(String::from_utf8_lossy(&tail.stdout), "line 5\n");
    assert_eq!(String::from_utf8_lossy(&tail.stderr), "oops\n");
    let ts = rsp(&env, &["logs", "-t", "-n", "1", "talker"]).output();
    let line = String::from_utf8_lossy(&ts.stderr).to_string();
    let (stamp, rest) = line.split_once(' ').unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(stamp).is_ok(),
        "{line}"
    );
    assert_eq!(rest, "oops\n");
    assert_eq!(
        rsp(&env, &["logs", "--since", "1h", "talker"])
            .ok()
            .lines()
            .count(),
        5
    );
    assert_eq!(rsp(&env, &["logs", "--until", "1h", "talker"]).ok(), "");
    // The log file is Podman's k8s-file format.
    let path = inspect(&env, "talker", "{{.LogPath}}");
    let raw = std::fs::read_to_string(&path).unwrap();
    let first = raw.lines().next().unwrap();
    let parts: Vec<&str> = first.splitn(4, ' ').collect();
    assert_eq!(&parts[1..], &["stdout", "F", "line 1"], "{first}");

    // --log-opt max-size caps the file; --log-driver none keeps nothing.
    rsp(
        &env,
        &[
            "run",
            "--name",
            "big",
            "--log-opt",
            "max-size=4k",
            busybox(),
            "sh",
            "-c",
            "seq 1 3000",
        ],
    )
    .ok();
    let big = inspect(&env, "big", "{{.LogPath}}");
    assert!(std::fs::metadata(&big).unwrap().len() <= 4096);
    rsp(
        &env,
        &[
            "run",
            "--name",
            "quiet",
            "--log-driver",
            "none",
            busybox(),
            "echo",
            "x",
        ],
    )
    .ok();
    let err = rsp(&env, &["logs", "quiet"]).code(125);
    assert!(String::from_utf8_lossy(&err.stderr).contains("log driver"));
    // passthrough: the container writes straight to our stdout.
    let out = rsp(
        &env,
        &[
            "run",
            "--rm",
            "--log-driver",
            "passthrough",
            busybox(),
            "echo",
            "direct",
        ],
    )
    .ok();
    assert_eq!(out, "direct\n");
    rsp(
        &env,
        &[
            "run",
            "-d",
            "--log-driver",
            "passthrough",
            busybox(),
            "true",
        ],
    )
    .code(125);
}

/// A pseudo-terminal for driving `run -it` and `attach` like a user.
struct Pty {
    master: std::fs::File,
    slave: std::fs::File,
}

impl Pty {
    fn new() -> Pty {
        let ws = nix::pty::Winsize {
            ws_row: 24,
            ws_col: 80,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        let p = nix::pty::openpty(Some(&ws), None).unwrap();
        let master = std::fs::File::from(p.master);
        nix::fcntl::fcntl(
            &master,
            nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK),
        )
        .unwrap();
        Pty {
            master,
            slave: std::fs::File::from(p.slave),
        }
    }

    fn spawn(&self, cmd: Cmd) -> std::process::Child {
        let mut c = cmd.into_command();
        c.stdin(self.slave.try_clone().unwrap())
            .stdout(self.slave.try_clone().unwrap())
            .stderr(self.slave.try_clone().unwrap());
        c.spawn().unwrap()
    }

    /// Reads until `want` shows up (bounded).
    fn expect(&mut self, want: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut seen = String::new();
        let mut buf = [0u8; 4096];
        loop {
            match self.master.read(&mut buf) {
                Ok(n) if n > 0 => seen.push_str(&String::from_utf8_lossy(&buf[..n])),
                _ => std::thread::sleep(Duration::from_millis(10)),
            }
            if seen.contains(want) {
                return seen;
            }
            assert!(Instant::now() < deadline, "never saw {want:?} in {seen:?}");
        }
    }

    fn send(&mut self, data: &[u8]) {
        self.master.write_all(data).unwrap();
    }
}

fn wait_child(child: &mut std::process::Child) -> i32 {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            return st.code().unwrap_or(-1);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("rsp did not exit");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn issue3_detach_and_reattach_through_a_pty() {
    let env = env();
    let mut pty = Pty::new();
    let mut run = pty.spawn(rsp(
        &env,
        &["run", "-it", "--name", "shell", busybox(), "sh"],
    ));
    pty.send(b"echo one$((1+1))\n");
    pty.expect("one2");
    // ctrl-p ctrl-q: back to our shell, the container goes on.
    pty.send(b"\x10\x11");
    assert_eq!(wait_child(&mut run), 0);
    assert_eq!(inspect(&env, "shell", "{{.State.Status}}"), "running");

    let mut pty = Pty::new();
    let mut att = pty.spawn(rsp(&env, &["attach", "shell"]));
    std::thread::sleep(Duration::from_millis(200));
    pty.send(b"echo two$((1+2))\n");
    pty.expect("two3");
    // Custom keys detach too.
    let _ = att.kill();
    let _ = att.wait();
    let mut att = pty.spawn(rsp(&env, &["attach", "--detach-keys", "ctrl-a", "shell"]));
    std::thread::sleep(Duration::from_millis(200));
    pty.send(b"\x01");
    assert_eq!(wait_child(&mut att), 0);
    let mut att = pty.spawn(rsp(&env, &["attach", "shell"]));
    std::thread::sleep(Duration::from_millis(200));
    pty.send(b"exit 5\n");
    assert_eq!(wait_child(&mut att), 5, "attach returns the exit code");
    assert_eq!(inspect(&env, "shell", "{{.State.ExitCode}}"), "5");
    // The log holds the whole session.
    assert!(rsp(&env, &["logs", "shell"]).ok().contains("one2"));
}

#[test]
fn issue3_exit_codes_through_wait_start_and_exec() {
    let env = env();
    let id = rsp(
        &env,
        &[
            "create",
            "--name",
            "c",
            busybox(),
            "sh",
            "-c",
            "echo made; exit 6",
        ],
    )
    .ok();
    assert_eq!(id.trim().len(), 64);
    assert_eq!(inspect(&env, "c", "{{.State.Status}}"), "created");
    let ps = rsp(&env, &["ps", "-a", "--format", "{{.Status}}"]).ok();
    assert_eq!(ps, "Created\n");
    let out = rsp(&env, &["start", "-a", "c"]).code(6);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "made\n");
    assert_eq!(rsp(&env, &["wait", "c"]).ok(), "6\n");
    // start (detached) prints the name as given, and runs it again.
    assert_eq!(rsp(&env, &["start", "c"]).ok(), "c\n");
    assert_eq!(rsp(&env, &["wait", "c"]).ok(), "6\n");
    let status = rsp(&env, &["ps", "-a", "--format", "{{.Status}}"]).ok();
    assert!(status.starts_with("Exited (6) "), "{status}");

    detach(
        &env,
        &["--name", "x", "-e", "FOO=bar", "-w", "/tmp"],
        &["sleep", "60"],
    );
    rsp(&env, &["exec", "x", "sh", "-c", "exit 9"]).code(9);
    rsp(&env, &["exec", "x", "nope"]).code(127);
    rsp(&env, &["exec", "x", "/etc/passwd"]).code(126);
    let out = rsp(
        &env,
        &[
            "exec",
            "-e",
            "A=1",
            "x",
            "sh",
            "-c",
            "echo $FOO $A $$; pwd; hostname",
        ],
    )
    .ok();
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("bar 1 "), "{out}");
    assert_ne!(lines[0], "bar 1 1", "exec is not pid 1");
    assert_eq!(lines[1], "/tmp");
    assert_eq!(lines[2], &inspect(&env, "x", "{{.Id}}")[..12]);
    assert_eq!(
        rsp(&env, &["exec", "-w", "/etc", "x", "pwd"]).ok(),
        "/etc\n"
    );
    // Same namespaces as the container's first process.
    let ns = rsp(&env, &["exec", "x", "sh", "-c", "for f in /proc/1/ns/pid /proc/self/ns/pid /proc/1/ns/mnt /proc/self/ns/mnt; do readlink $f; done"]).ok();
    let v: Vec<&str> = ns.lines().collect();
    assert_eq!(v[0], v[1]);
    assert_eq!(v[2], v[3]);
    let echoed = rsp(&env, &["exec", "-i", "x", "cat"])
        .stdin("via stdin\n")
        .ok();
    assert_eq!(echoed, "via stdin\n");
    // exec -d leaves the process running.
    rsp(
        &env,
        &["exec", "-d", "x", "sh", "-c", "sleep 1; touch /tmp/done"],
    )
    .ok();
    eventually(10, "the detached exec", || {
        rsp(&env, &["exec", "x", "test", "-e", "/tmp/done"])
            .output()
            .status
            .success()
    });
    let mut pty = Pty::new();
    let mut ex = pty.spawn(rsp(&env, &["exec", "-it", "x", "sh", "-c", "tty; exit 3"]));
    pty.expect("/dev/pts/");
    assert_eq!(wait_child(&mut ex), 3);
    // Issue 16: any user of the image, under the default id emulation.
    assert_eq!(
        rsp(&env, &["exec", "-u", "1000", "x", "id", "-u"]).ok(),
        "1000\n"
    );
    rsp(&env, &["stop", "-t", "0", "x"]).ok();
    let err = rsp(&env, &["exec", "x", "true"]).code(125);
    assert!(String::from_utf8_lossy(&err.stderr).contains("not running"));
}

#[test]
fn issue3_killed_monitor_shows_exited_and_can_be_removed_or_restarted() {
    let env = env();
    detach(&env, &["--name", "m"], &["sleep", "60"]);
    let mon: i32 = inspect(&env, "m", "{{.State.ConmonPid}}").parse().unwrap();
    let pid: i32 = inspect(&env, "m", "{{.State.Pid}}").parse().unwrap();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(mon),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    eventually(10, "the container to die with its monitor", || !alive(pid));
    let ps = rsp(&env, &["ps", "-a", "--format", "{{.Names}} {{.State}}"]).ok();
    assert_eq!(ps, "m exited\n");
    assert_eq!(rsp(&env, &["ps", "-q"]).ok(), "");
    // It can run again, and be removed.
    rsp(&env, &["start", "m"]).ok();
    assert_eq!(inspect(&env, "m", "{{.State.Status}}"), "running");
    rsp(&env, &["rm", "-f", "m"]).ok();
    assert_eq!(rsp(&env, &["ps", "-aq"]).ok(), "");
}

#[test]
fn issue3_restart_policies() {
    let env = env();
    detach(
        &env,
        &["--name", "flaky", "--restart", "on-failure:2"],
        &["sh", "-c", "echo attempt; exit 3"],
    );
    eventually(15, "two restarts", || {
        inspect(&env, "flaky", "{{.RestartCount}} {{.State.Status}}") == "2 exited"
            && inspect(&env, "flaky", "{{.State.ConmonPid}}") == "0"
    });
    assert_eq!(
        rsp(&env, &["logs", "flaky"]).ok(),
        "attempt\nattempt\nattempt\n"
    );
    assert_eq!(
        inspect(&env, "flaky", "{{.HostConfig.RestartPolicy.Name}}"),
        "on-failure"
    );
    rsp(&env, &["rm", "flaky"]).ok();
    // always: restarts even after success, until stopped by the user.
    detach(
        &env,
        &["--name", "loop", "--restart", "always"],
        &["sh", "-c", "sleep 0.2"],
    );
    eventually(15, "a restart", || {
        inspect(&env, "loop", "{{.RestartCount}}")
            .parse::<u32>()
            .unwrap()
            >= 1
    });
    rsp(&env, &["stop", "-t", "0", "loop"]).ok();
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(inspect(&env, "loop", "{{.State.Status}}"), "exited");
    rsp(&env, &["rm", "loop"]).ok();
    rsp(&env, &["run", "--restart", "sometimes", busybox(), "true"]).code(125);
}

#[test]
fn issue3_init_stop_signal_and_kill() {
    let env = env();
    detach(&env, &["--name", "i", "--init"], &["sleep", "60"]);
    let mut out = String::new();
    eventually(10, "the command under the init", || {
        out = rsp(&env, &["exec", "i", "ps", "-o", "pid,comm"]).ok();
        out.contains("sleep")
    });
    assert!(out.contains("1 rsp-init"), "{out}");
    // SIGTERM reaches sleep through the init: it ends at once, 143.
    let t = Instant::now();
    rsp(&env, &["stop", "-t", "20", "i"]).ok();
    assert!(t.elapsed() < Duration::from_secs(10));
    assert_eq!(inspect(&env, "i", "{{.State.ExitCode}}"), "143");
    // Without an init, pid 1 ignores SIGTERM: stop falls back to SIGKILL.
    detach(
        &env,
        &["--name", "s", "--stop-timeout", "1"],
        &["sleep", "60"],
    );
    let out = rsp(&env, &["stop", "s"]).output();
    assert!(String::from_utf8_lossy(&out.stderr).contains("SIGKILL"));
    assert_eq!(inspect(&env, "s", "{{.State.ExitCode}}"), "137");
    // --stop-signal and kill -s.
    detach(
        &env,
        &["--name", "u", "--stop-signal", "USR1"],
        &[
            "sh",
            "-c",
            "trap 'exit 10' USR1; trap 'exit 12' USR2; echo ready; while true; do sleep 0.1; done",
        ],
    );
    assert_eq!(inspect(&env, "u", "{{.Config.StopSignal}}"), "SIGUSR1");
    // A signal before the traps are set would meet a pid 1 with no handler.
    let readies = |n: usize| {
        eventually(10, "the traps", || {
            rsp(&env, &["logs", "u"]).ok().matches("ready").count() == n
        })
    };
    readies(1);
    rsp(&env, &["kill", "-s", "USR2", "u"]).ok();
    assert_eq!(rsp(&env, &["wait", "u"]).ok(), "12\n");
    rsp(&env, &["start", "u"]).ok();
    readies(2);
    rsp(&env, &["stop", "u"]).ok();
    assert_eq!(inspect(&env, "u", "{{.State.ExitCode}}"), "10");
    rsp(&env, &["kill", "u"]).code(125);
    rsp(&env, &["kill", "-s", "BOGUS", "u"]).code(125);
}

#[test]
fn issue3_pause_top_stats_port_rename_restart() {
    let env = env();
    detach(
        &env,
        &["--name", "p"],
        &[
            "sh",
            "-c",
            "i=0; while true; do i=$((i+1)); echo $i > /tmp/n; sleep 0.05; done",
        ],
    );
    let pid: i32 = inspect(&env, "p", "{{.State.Pid}}").parse().unwrap();
    let counter = || std::fs::read_to_string(format!("/proc/{pid}/root/tmp/n")).unwrap_or_default();
    eventually(10, "the counter", || !counter().is_empty());
    assert_eq!(rsp(&env, &["pause", "p"]).ok(), "p\n");
    assert_eq!(
        inspect(&env, "p", "{{.State.Status}} {{.State.Paused}}"),
        "paused true"
    );
    // The cgroup v2 freezer where the user has a delegated cgroup (CI sets
    // one up), SIGSTOP to every process otherwise.
    let method = if inspect(&env, "p", "{{.HostConfig.CgroupPath}}").is_empty() {
        "signal"
    } else {
        "cgroup"
    };
    assert_eq!(inspect(&env, "p", "{{.State.PauseMethod}}"), method);
    // As Podman, plain ps lists running containers only.
    assert_eq!(
        rsp(&env, &["ps", "-a", "--format", "{{.Status}}"]).ok(),
        "Paused\n"
    );
    assert_eq!(rsp(&env, &["ps", "-q"]).ok(), "");
    let n1 = counter();
    std::thread::sleep(Duration::from_millis(300));
    let n2 = counter();
    assert_eq!(n1, n2, "nothing runs while paused");
    rsp(&env, &["exec", "p", "true"]).code(125);
    rsp(&env, &["pause", "p"]).code(125);
    rsp(&env, &["unpause", "p"]).ok();
    eventually(5, "the loop to go on", || counter() != n2);

    let top = rsp(&env, &["top", "p"]).ok();
    let header: Vec<&str> = top.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        [
            "USER", "PID", "PPID", "%CPU", "ELAPSED", "TTY", "TIME", "COMMAND"
        ]
    );
    assert!(
        top.lines()
            .any(|l| l.starts_with("root") && l.contains(" 1 ")),
        "{top}"
    );
    let top = rsp(&env, &["top", "p", "pid,args"]).ok();
    assert!(
        top.lines().nth(1).unwrap().trim_start().starts_with("1 "),
        "{top}"
    );
    let ps = rsp(&env, &["top", "p", "-ef"]).ok();
    assert!(
        ps.contains("PID") && ps.contains("sleep") || ps.contains("sh"),
        "{ps}"
    );

    let stats = rsp(&env, &["stats", "--no-stream", "p"]).ok();
    assert!(stats.starts_with("ID "), "{stats}");
    assert!(stats.contains("MEM USAGE / LIMIT"), "{stats}");
    let js: serde_json::Value =
        serde_json::from_str(&rsp(&env, &["stats", "--no-stream", "--format", "json", "p"]).ok())
            .unwrap();
    assert_eq!(js[0]["name"], "p");
    assert!(
        js[0]["pids"].as_str().unwrap().parse::<u32>().unwrap() >= 1,
        "{js}"
    );
    assert_eq!(rsp(&env, &["port", "p"]).ok(), "");
    rsp(&env, &["port", "p", "80"]).code(125);

    rsp(&env, &["rename", "p", "q"]).ok();
    assert_eq!(inspect(&env, "q", "{{.Name}}"), "q");
    rsp(&env, &["inspect", "p"]).code(125);
    detach(&env, &["--name", "other"], &["sleep", "60"]);
    rsp(&env, &["rename", "q", "other"]).code(125);
    let before = inspect(&env, "q", "{{.State.Pid}}");
    assert_eq!(rsp(&env, &["restart", "-t", "0", "q"]).ok(), "q\n");
    assert_eq!(inspect(&env, "q", "{{.State.Status}}"), "running");
    assert_ne!(inspect(&env, "q", "{{.State.Pid}}"), before);
}

#[test]
fn issue3_cp_both_ways_with_modes_and_tar_streams() {
    let env = env();
    detach(&env, &["--name", "box"], &["sleep", "60"]);
    let src = env.tmp().join("src");
    std::fs::create_dir_all(src.join("sub")).unwrap();
    std::fs::write(src.join("run.sh"), "#!/bin/sh\necho ran\n").unwrap();
    std::fs::set_permissions(
        src.join("run.sh"),
        std::os::unix::fs::PermissionsExt::from_mode(0o750),
    )
    .unwrap();
    std::fs::write(src.join("sub/data"), "data\n").unwrap();
    std::os::unix::fs::symlink("run.sh", src.join("link")).unwrap();
    let s = src.to_str().unwrap();
    rsp(&env, &["cp", s, "box:/tmp/"]).ok();
    let out = rsp(&env, &["exec", "box", "sh", "-c", "stat -c '%a %U %n' /tmp/src/run.sh; readlink /tmp/src/link; /tmp/src/run.sh; cat /tmp/src/sub/data"]).ok();
    assert_eq!(out, "750 root /tmp/src/run.sh\nrun.sh\nran\ndata\n");
    // A file to a new name; a directory's contents with /.
    rsp(&env, &["cp", &format!("{s}/sub/data"), "box:/tmp/renamed"]).ok();
    assert_eq!(
        rsp(&env, &["exec", "box", "cat", "/tmp/renamed"]).ok(),
        "data\n"
    );
    let back = env.tmp().join("back");
    rsp(&env, &["cp", "box:/tmp/src/.", back.to_str().unwrap()]).ok();
    assert_eq!(
        std::fs::read_to_string(back.join("sub/data")).unwrap(),
        "data\n"
    );
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(back.join("run.sh"))
            .unwrap()
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o750);
    assert_eq!(
        std::fs::read_link(back.join("link")).unwrap().to_str(),
        Some("run.sh")
    );
    // Image ownership shows in a tar stream out (www-data's /var/www is 33).
    let tar = rsp(&env, &["cp", "box:/etc/passwd", "-"]).output();
    assert!(tar.status.success());
    let mut a = tar::Archive::new(&tar.stdout[..]);
    let names: Vec<String> = a
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().display().to_string())
        .collect();
    assert_eq!(names, ["passwd"]);
    // A tar stream in.
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(3);
    h.set_mode(0o600);
    h.set_uid(33);
    h.set_gid(33);
    h.set_cksum();
    b.append_data(&mut h, "fromtar", &b"tar"[..]).unwrap();
    let data = b.into_inner().unwrap();
    rsp(&env, &["cp", "-", "box:/tmp"]).stdin(data).ok();
    assert_eq!(
        rsp(&env, &["exec", "box", "stat", "-c", "%a", "/tmp/fromtar"]).ok(),
        "600\n"
    );
    // Errors: missing source, a directory onto a file, no container side.
    rsp(&env, &["cp", "box:/nope", back.to_str().unwrap()]).code(125);
    rsp(&env, &["cp", s, "box:/etc/passwd"]).code(125);
    rsp(&env, &["cp", s, back.to_str().unwrap()]).code(125);
    // A stopped container's files too.
    rsp(&env, &["stop", "-t", "0", "box"]).ok();
    rsp(&env, &["cp", &format!("{s}/sub/data"), "box:/stopped"]).ok();
    let out = env.tmp().join("stopped");
    rsp(&env, &["cp", "box:/stopped", out.to_str().unwrap()]).ok();
    assert_eq!(std::fs::read_to_string(out).unwrap(), "data\n");
}

#[test]
fn issue3_cp_hostile_tar_and_symlinks_stay_inside() {
    let env = env();
    detach(
        &env,
        &["--name", "h"],
        &["sh", "-c", "ln -s / /tmp/escape; sleep 60"],
    );
    eventually(10, "the symlink", || {
        rsp(&env, &["exec", "h", "test", "-L", "/tmp/escape"])
            .output()
            .status
            .success()
    });
    // A symlink in the container to / resolves inside the container.
    let out = env.tmp().join("hostname");
    rsp(
        &env,
        &["cp", "h:/tmp/escape/etc/hostname", out.to_str().unwrap()],
    )
    .ok();
    assert_eq!(
        std::fs::read_to_string(&out).unwrap().trim(),
        &inspect(&env, "h", "{{.Id}}")[..12]
    );
    // A tar with .. is refused and writes nothing outside.
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(1);
    h.set_mode(0o644);
    h.as_gnu_mut().unwrap().name[..9].copy_from_slice(b"../../pwn");
    h.set_cksum();
    b.append(&h, &b"x"[..]).unwrap();
    rsp(&env, &["cp", "-", "h:/tmp"])
        .stdin(b.into_inner().unwrap())
        .code(125);
    rsp(&env, &["exec", "h", "test", "!", "-e", "/pwn"]).ok();
    // Copying out a container's symlink pointing at a host path makes a
    // link, never writes through it.
    rsp(
        &env,
        &[
            "exec",
            "h",
            "sh",
            "-c",
            "mkdir /tmp/d && ln -s /etc/passwd /tmp/d/p",
        ],
    )
    .ok();
    let dst = env.tmp().join("d");
    rsp(&env, &["cp", "h:/tmp/d", dst.to_str().unwrap()]).ok();
    assert!(
        std::fs::symlink_metadata(dst.join("p"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn issue3_events_log() {
    let env = env();
    rsp(
        &env,
        &[
            "run",
            "--name",
            "ev",
            "--label",
            "team=a",
            busybox(),
            "true",
        ],
    )
    .ok();
    rsp(&env, &["rm", "ev"]).ok();
    let out = rsp(
        &env,
        &["events", "--stream=false", "--filter", "container=ev"],
    )
    .ok();
    let actions: Vec<&str> = out
        .lines()
        .map(|l| l.split_whitespace().nth(5).unwrap_or(""))
        .collect();
    assert_eq!(actions, ["create", "start", "died", "remove"], "{out}");
    assert!(out.lines().next().unwrap().contains("name=ev"), "{out}");
    let js = rsp(
        &env,
        &[
            "events",
            "--stream=false",
            "--format",
            "json",
            "--filter",
            "event=died",
        ],
    )
    .ok();
    let v: serde_json::Value = serde_json::from_str(js.lines().next().unwrap()).unwrap();
    assert_eq!(v["Status"], "died");
    assert_eq!(v["Name"], "ev");
    assert_eq!(v["ContainerExitCode"], 0);
    let t = rsp(
        &env,
        &[
            "events",
            "--stream=false",
            "--filter",
            "label=team=a",
            "--format",
            "{{.Status}} {{.Name}}",
        ],
    )
    .ok();
    assert!(t.starts_with("create ev\n"), "{t}");
    assert_eq!(
        rsp(&env, &["events", "--stream=false", "--until", "1h"]).ok(),
        ""
    );
    rsp(&env, &["events", "--filter", "bogus=1", "--stream=false"]).code(125);
    let img = rsp(
        &env,
        &[
            "events",
            "--stream=false",
            "--filter",
            "type=image",
            "--format",
            "{{.Type}} {{.Status}} {{.Name}}",
        ],
    )
    .ok();
    assert_eq!(img, format!("image pull {}\n", busybox()));
    // Streaming with --until ends by itself.
    let t0 = Instant::now();
    rsp(&env, &["events", "--since", "1h", "--until", "1s"]).ok();
    assert!(t0.elapsed() < Duration::from_secs(5));
}

#[test]
fn issue3_ps_filters_last_size() {
    let env = env();
    rsp(&env, &["run", "--name", "done0", busybox(), "true"]).ok();
    rsp(
        &env,
        &[
            "run",
            "--name",
            "done1",
            "-l",
            "k=v",
            busybox(),
            "sh",
            "-c",
            "echo x > /big; exit 1",
        ],
    )
    .code(1);
    detach(&env, &["--name", "up"], &["sleep", "60"]);
    let f = |args: &[&str]| {
        let mut a = vec!["ps", "-a", "--format", "{{.Names}}"];
        a.extend_from_slice(args);
        rsp(&env, &a).ok()
    };
    assert_eq!(f(&["--filter", "status=running"]), "up\n");
    assert_eq!(f(&["--filter", "status=exited"]), "done1\ndone0\n");
    assert_eq!(f(&["--filter", "exited=1"]), "done1\n");
    assert_eq!(f(&["--filter", "label=k=v"]), "done1\n");
    assert_eq!(
        f(&["--filter", "name=done", "--filter", "name=up"]),
        "up\ndone1\ndone0\n"
    );
    assert_eq!(
        f(&[
            "--filter",
            "name=^do",
            "--filter",
            "status=exited",
            "--last",
            "1"
        ]),
        "done1\n"
    );
    assert_eq!(
        rsp(&env, &["ps", "-n", "2", "--format", "{{.Names}}"]).ok(),
        "up\ndone1\n"
    );
    rsp(&env, &["ps", "--filter", "colour=red"]).code(125);
    let sized = rsp(&env, &["ps", "-a", "--size", "--filter", "name=done1"]).ok();
    assert!(sized.lines().next().unwrap().ends_with("SIZE"), "{sized}");
    assert!(sized.contains("(virtual "), "{sized}");
    // prune removes what is not running.
    let pruned = rsp(&env, &["container", "prune", "-f"]).ok();
    assert_eq!(pruned.lines().count(), 2, "{pruned}");
    assert_eq!(
        rsp(&env, &["ps", "-a", "--format", "{{.Names}}"]).ok(),
        "up\n"
    );
}

#[test]
fn issue3_concurrent_stop_logs_exec_start_and_rm() {
    let env = env();
    detach(
        &env,
        &["--name", "busy"],
        &["sh", "-c", "while true; do echo tick; sleep 0.05; done"],
    );
    let mut logs = rsp(&env, &["logs", "-f", "busy"])
        .into_command()
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut exec = rsp(&env, &["exec", "busy", "sleep", "30"])
        .into_command()
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    rsp(&env, &["stop", "-t", "0", "busy"]).ok();
    assert!(
        wait_child(&mut logs) == 0,
        "logs -f ends with the container"
    );
    let code = wait_child(&mut exec);
    assert_ne!(code, 0, "exec dies with its container");
    // Two starts at once: one container, one monitor.
    let a = rsp(&env, &["start", "busy"])
        .into_command()
        .spawn()
        .unwrap();
    let b = rsp(&env, &["start", "busy"])
        .into_command()
        .spawn()
        .unwrap();
    for mut c in [a, b] {
        assert_eq!(wait_child(&mut c), 0);
    }
    let pid: i32 = inspect(&env, "busy", "{{.State.Pid}}").parse().unwrap();
    let monitors = || {
        std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter(|e| {
                std::fs::read(e.path().join("cmdline"))
                    .map(|c| {
                        let c = String::from_utf8_lossy(&c);
                        c.contains("__monitor") && c.contains(env.root().to_str().unwrap())
                    })
                    .unwrap_or(false)
            })
            .count()
    };
    // The losing monitor may still be on its way out.
    eventually(5, "one monitor", || monitors() == 1);
    rsp(&env, &["rm", "-f", "busy"]).ok();
    assert!(!alive(pid));
    assert_eq!(rsp(&env, &["ps", "-aq"]).ok(), "");
    assert!(
        std::fs::read_dir(env.runroot().join("containers"))
            .unwrap()
            .count()
            == 0,
        "no runtime files left"
    );
}

#[test]
fn issue3_pause_without_a_cgroup_stops_every_process() {
    let env = env();
    detach(
        &env,
        &["--name", "sig", "--cgroups=disabled"],
        &["sh", "-c", "sleep 60 & sleep 60 & wait"],
    );
    assert_eq!(inspect(&env, "sig", "{{.HostConfig.CgroupPath}}"), "");
    let pid: i32 = inspect(&env, "sig", "{{.State.Pid}}").parse().unwrap();
    eventually(10, "the children", || {
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
            .map(|c| c.split_whitespace().count() == 2)
            .unwrap_or(false)
    });
    rsp(&env, &["pause", "sig"]).ok();
    assert_eq!(inspect(&env, "sig", "{{.State.PauseMethod}}"), "signal");
    let state = |p: &str| {
        let s = std::fs::read_to_string(format!("/proc/{p}/stat")).unwrap();
        s[s.rfind(')').unwrap() + 2..].chars().next().unwrap()
    };
    let children = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap();
    assert_eq!(state(&pid.to_string()), 'T');
    for c in children.split_whitespace() {
        assert_eq!(state(c), 'T', "every process is stopped");
    }
    rsp(&env, &["unpause", "sig"]).ok();
    assert_ne!(state(&pid.to_string()), 'T');
    rsp(&env, &["rm", "-f", "sig"]).ok();
}

#[test]
fn issue3_review_kill_cancels_restart_and_passthrough_stdin() {
    let env = env();
    detach(
        &env,
        &["--name", "k", "--restart", "always"],
        &["sleep", "60"],
    );
    rsp(&env, &["kill", "k"]).ok();
    assert_eq!(rsp(&env, &["wait", "k"]).ok(), "137\n");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        inspect(&env, "k", "{{.State.Status}} {{.RestartCount}}"),
        "exited 0"
    );
    // passthrough: stdin goes to the container alone, whole.
    let out = rsp(
        &env,
        &[
            "run",
            "--rm",
            "-i",
            "--log-driver",
            "passthrough",
            busybox(),
            "wc",
            "-c",
        ],
    )
    .stdin(vec![b'x'; 100_000])
    .ok();
    assert_eq!(out.trim(), "100000");
}

#[test]
fn issue3_review_monitor_keeps_no_fd_of_its_caller() {
    let env = env();
    // bash's fd 3 is the stdout pipe we read: if the monitor kept it, this
    // would not end until the container does.
    let t = Instant::now();
    let script = format!(
        "exec 3>&1; {} --root {} --runroot {} run -d {} sleep 60 >/dev/null",
        crate::util::rsp_bin(),
        env.root().display(),
        env.runroot().display(),
        busybox()
    );
    env.cmd("bash").args(["-c", &script]).ok();
    assert!(t.elapsed() < Duration::from_secs(10));
    assert_eq!(rsp(&env, &["ps", "-q"]).ok().lines().count(), 1);
}

#[test]
fn issue3_review_hostile_passwd_does_not_hang_top_or_exec() {
    let env = env();
    detach(
        &env,
        &["--name", "evil"],
        &[
            "sh",
            "-c",
            "rm /etc/passwd; mkfifo /etc/passwd 2>/dev/null || ln -s /dev/zero /etc/passwd; ln -sf /dev/zero /etc/group; sleep 60",
        ],
    );
    eventually(10, "the planted files", || {
        rsp(&env, &["exec", "evil", "test", "-L", "/etc/group"])
            .output()
            .status
            .success()
    });
    let top = rsp(&env, &["top", "evil"])
        .timeout(Duration::from_secs(20))
        .ok();
    assert!(top.lines().count() >= 2, "{top}");
    rsp(&env, &["exec", "-u", "root", "evil", "true"])
        .timeout(Duration::from_secs(20))
        .code(125);
}

#[test]
fn issue3_more_flags_names_stdin_streaming_events() {
    let env = env();
    // events streams live: containers run while it streams show up.
    let since = chrono::Utc::now().to_rfc3339();
    let mut stream = Spawned(
        rsp(
            &env,
            &[
                "events",
                "--since",
                &since,
                "--filter",
                "type=container",
                "--format",
                "{{.Status}} {{.Name}}",
            ],
        )
        .into_command()
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap(),
    );
    let lines = lines_of(stream.0.stdout.take().unwrap());
    rsp(
        &env,
        &[
            "run",
            "--name",
            "one",
            "-v",
            "/tmp:/host-tmp:ro",
            busybox(),
            "echo",
            "from one",
        ],
    )
    .ok();
    rsp(
        &env,
        &["run", "--name", "two", busybox(), "echo", "from two"],
    )
    .ok();
    let mut seen: Vec<String> = Vec::new();
    while seen.last().map(String::as_str) != Some("died two") {
        match lines.recv_timeout(Duration::from_secs(10)) {
            Ok(l) => seen.push(l),
            Err(_) => panic!("streamed only {seen:?}"),
        }
    }
    assert_eq!(&seen[..2], ["create one", "start one"], "{seen:?}");
    drop(stream);

    // logs of several containers, prefixed by name.
    let logs = rsp(&env, &["logs", "--names", "one", "two"]).ok();
    assert_eq!(logs, "one from one\ntwo from two\n");
    // start -i feeds stdin to a created -i container.
    rsp(&env, &["create", "-i", "--name", "cat", busybox(), "cat"]).ok();
    let echoed = rsp(&env, &["start", "-i", "cat"]).stdin("piped in\n").ok();
    assert_eq!(echoed, "piped in\n");
    // attach --no-stdin only watches.
    detach(
        &env,
        &["-i", "--name", "watch"],
        &[
            "sh",
            "-c",
            "until [ -e /tmp/stop ]; do echo seen; sleep 0.1; done; exit 2",
        ],
    );
    let mut att = Spawned(
        rsp(&env, &["attach", "--no-stdin", "watch"])
            .into_command()
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let lines = lines_of(att.0.stdout.take().unwrap());
    assert_eq!(lines.recv_timeout(Duration::from_secs(10)).unwrap(), "seen");
    rsp(&env, &["exec", "watch", "touch", "/tmp/stop"]).ok();
    assert_eq!(wait_child(&mut att.0), 2);
    let ids = rsp(&env, &["ps", "-a", "--no-trunc", "-q"]).ok();
    assert!(ids.lines().all(|l| l.len() == 64), "{ids}");
    assert_eq!(
        inspect(&env, "one", "{{range .Mounts}}{{.Destination}}{{end}}"),
        "/host-tmp"
    );
    // A missing name removes nothing and exits 1, as Podman; -f skips it.
    rsp(&env, &["rm", "one", "gone"]).code(1);
    rsp(&env, &["container", "exists", "one"]).ok();
    rsp(&env, &["rm", "-f", "gone"]).ok();
    rsp(&env, &["rm", "-v", "one", "two", "cat", "watch"]).ok();
    rsp(&env, &["rm", "--ignore", "gone"]).ok();
    rsp(&env, &["stop", "gone"]).code(125);
}

/// The lines of `r`, read on a thread so a test can wait with a timeout.
fn lines_of(r: impl Read + Send + 'static) -> std::sync::mpsc::Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(r).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Every restart starts the container's process from a monitor whose
/// last run had threads (the network stack, the FUSE file server): the
/// spawn waits until they are gone, and `--init` starts its command from
/// inside the container the same way.
#[test]
fn issue15_restarts_after_the_last_runs_threads_are_gone() {
    let env = env();
    let port = free_port().to_string();
    detach(
        &env,
        &[
            "--name",
            "again",
            "--init",
            "--storage-driver",
            "fuse-overlay",
            "-p",
            &format!("127.0.0.1:{port}:80"),
            "--restart",
            "on-failure:2",
        ],
        &["sh", "-c", "echo attempt $$; exit 3"],
    );
    eventually(30, "two restarts", || {
        inspect(&env, "again", "{{.RestartCount}} {{.State.Status}}") == "2 exited"
            && inspect(&env, "again", "{{.State.ConmonPid}}") == "0"
    });
    // Under --init the command is pid 2 every time.
    assert_eq!(
        rsp(&env, &["logs", "again"]).ok(),
        "attempt 2\nattempt 2\nattempt 2\n"
    );
    assert_eq!(inspect(&env, "again", "{{.State.ExitCode}}"), "3");
    rsp(&env, &["rm", "again"]).ok();
}
