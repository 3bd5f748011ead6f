//! `rsp run` in the foreground, `ps`, `rm`: namespaces, root filesystem,
//! the image config applied as Docker does, exit codes, terminals.

use crate::util::image::{ImageBuilder, Layer, busybox_image, multilayer_image, uid33_image};
use crate::util::registry::shared;
use crate::util::{Cmd, Spawned, TestEnv};
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A busybox image pushed once per test binary.
fn busybox() -> &'static str {
    static REF: OnceLock<String> = OnceLock::new();
    REF.get_or_init(|| {
        busybox_image()
            .push(shared(), "run-busybox", "latest")
            .reference
    })
}

/// A fresh store with the busybox image pulled.
fn env_with_busybox() -> TestEnv {
    let env = TestEnv::new();
    env.rsp().args(["pull", "-q", busybox()]).ok();
    env
}

fn run(env: &TestEnv, args: &[&str]) -> Cmd {
    env.rsp().arg("run").arg("--rm").args(args)
}

fn sh(env: &TestEnv, script: &str) -> String {
    run(env, &[busybox(), "sh", "-c", script]).ok()
}

#[test]
fn issue2_exit_codes_pass_through() {
    let env = env_with_busybox();
    run(&env, &[busybox(), "true"]).code(0);
    run(&env, &[busybox(), "sh", "-c", "exit 3"]).code(3);
    let out = run(&env, &[busybox(), "no-such-command"]).code(127);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no-such-command") && err.lines().count() == 1,
        "{err}"
    );
    run(&env, &[busybox(), "/etc/passwd"]).code(126);
    // An rsp error (bad option value) is 125.
    env.rsp()
        .args(["run", "--network", "bogus", busybox(), "true"])
        .code(125);
}

#[test]
fn issue2_stdout_stderr_and_stdin_pass_through() {
    let env = env_with_busybox();
    let out = run(&env, &[busybox(), "sh", "-c", "echo out; echo err >&2"]).output();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "out\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "err\n");
    let echoed = run(&env, &["-i", busybox(), "cat"])
        .stdin("hello\nworld\n")
        .ok();
    assert_eq!(echoed, "hello\nworld\n");
    // Without -i the container's stdin is empty.
    let none = run(&env, &[busybox(), "cat"]).stdin("ignored\n").ok();
    assert_eq!(none, "");
}

#[test]
fn issue2_fresh_namespaces_and_pid1() {
    let env = env_with_busybox();
    let out = sh(
        &env,
        "echo $$; for n in user mnt pid uts ipc cgroup net; do readlink /proc/1/ns/$n; done; hostname",
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "1", "the command is pid 1");
    for (i, ns) in ["user", "mnt", "pid", "uts", "ipc", "cgroup", "net"]
        .iter()
        .enumerate()
    {
        let host = std::fs::read_link(format!("/proc/self/ns/{ns}")).unwrap();
        assert_ne!(
            lines[1 + i],
            host.to_str().unwrap(),
            "{ns} namespace is new"
        );
    }
    let hostname = lines[8];
    assert_eq!(
        hostname.len(),
        12,
        "default hostname is the short ID: {hostname}"
    );
    let out = run(&env, &["--hostname", "box1", busybox(), "hostname"]).ok();
    assert_eq!(out.trim(), "box1");
}

#[test]
fn issue2_user_mapping_without_subuid() {
    let env = env_with_busybox();
    if std::env::var_os("CI").is_some() {
        // CI removes the test user's /etc/subuid range on purpose.
        let me = nix::unistd::User::from_uid(nix::unistd::getuid())
            .unwrap()
            .unwrap();
        let subuid = std::fs::read_to_string("/etc/subuid").unwrap_or_default();
        assert!(
            !subuid
                .lines()
                .any(|l| l.starts_with(&format!("{}:", me.name))
                    || l.starts_with(&format!("{}:", me.uid))),
            "the CI user must have no /etc/subuid entry"
        );
    }
    let out = sh(
        &env,
        "cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g",
    );
    let uid = nix::unistd::getuid().as_raw();
    let gid = nix::unistd::getgid().as_raw();
    let words: Vec<&str> = out.split_whitespace().collect();
    assert_eq!(
        words,
        [
            "0",
            &uid.to_string(),
            "1",
            "0",
            &gid.to_string(),
            "1",
            "0",
            "0"
        ]
    );
    // -u maps the invoking user to that uid instead.
    let out = run(
        &env,
        &[
            "-u",
            "1234:55",
            busybox(),
            "sh",
            "-c",
            "id -u; id -g; cat /proc/self/uid_map",
        ],
    )
    .ok();
    let words: Vec<&str> = out.split_whitespace().collect();
    assert_eq!(words[..3], ["1234", "55", "1234"]);
    let out = run(
        &env,
        &["-u", "www-data", busybox(), "sh", "-c", "id -u; echo $HOME"],
    )
    .ok();
    assert_eq!(out, "33\n/var/www\n");
    run(&env, &["-u", "nosuchuser", busybox(), "true"]).code(125);
}

#[test]
fn issue2_image_config_applies_like_docker() {
    let env = TestEnv::new();
    let img = busybox_image()
        .env("FOO=from-image")
        .env("KEEP=1")
        .entrypoint(&["/bin/echo", "ep"])
        .cmd(&["default-arg"])
        .workdir("/work/dir")
        .push(shared(), "run-config", "v1")
        .reference;
    run(&env, &[&img]).ok(); // pulls on first use
    assert_eq!(run(&env, &[&img]).ok(), "ep default-arg\n");
    assert_eq!(run(&env, &[&img, "x", "y"]).ok(), "ep x y\n");
    assert_eq!(
        run(&env, &["--entrypoint", "/bin/pwd", &img]).ok(),
        "/work/dir\n"
    );
    assert_eq!(
        run(&env, &["--entrypoint", "/bin/pwd", "-w", "/tmp", &img]).ok(),
        "/tmp\n"
    );
    let envfile = env.tmp().join("envfile");
    std::fs::write(&envfile, "# comment\nFROM_FILE=yes\n\nKEEP=2\n").unwrap();
    let out = env
        .rsp()
        .args([
            "run",
            "--rm",
            "-e",
            "FOO=cli",
            "-e",
            "HOSTVAR",
            "--env-file",
        ])
        .arg(&envfile)
        .args([
            "--entrypoint",
            "",
            &img,
            "sh",
            "-c",
            "echo $FOO $KEEP $FROM_FILE $HOSTVAR; echo $PATH",
        ])
        .env("HOSTVAR", "copied")
        .ok();
    assert_eq!(
        out,
        format!(
            "cli 2 yes copied\n{}\n",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        )
    );
}

#[test]
fn issue2_volumes_rw_and_ro() {
    let env = env_with_busybox();
    let host = env.tmp().join("vol");
    std::fs::create_dir(&host).unwrap();
    std::fs::write(host.join("in"), "from host").unwrap();
    let spec = format!("{}:/data", host.display());
    let out = run(
        &env,
        &[
            "-v",
            &spec,
            busybox(),
            "sh",
            "-c",
            "cat /data/in; echo made > /data/out",
        ],
    )
    .ok();
    assert_eq!(out, "from host");
    let made = std::fs::metadata(host.join("out")).unwrap();
    assert_eq!(
        made.uid(),
        nix::unistd::getuid().as_raw(),
        "files the container makes belong to the user"
    );
    let ro = format!("{}:/data:ro", host.display());
    let out = run(
        &env,
        &[
            "-v",
            &ro,
            busybox(),
            "sh",
            "-c",
            "cat /data/in && ! touch /data/x 2>/dev/null && echo readonly",
        ],
    )
    .ok();
    assert_eq!(out, "from hostreadonly\n");
    assert!(!host.join("x").exists());
    // A missing source is a clear error, and no container is left.
    let out = run(&env, &["-v", "/no/such/dir:/x", busybox(), "true"]).code(125);
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/dir"));
    assert_eq!(env.rsp().args(["ps", "-a", "-q"]).ok(), "");
}

#[test]
fn issue2_root_filesystem_layout() {
    let env = env_with_busybox();
    let out = sh(
        &env,
        "ls /dev | tr '\\n' ' '; echo; cat /etc/hostname; grep -c \"$(hostname)\" /etc/hosts; test -f /etc/resolv.conf && echo resolv; \
         cat /proc/kcore /proc/keys /proc/timer_list 2>/dev/null | wc -c; grep ' /sys ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1; grep ' /proc/sys ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1; \
         echo x > /dev/null && echo devnull; ls /dev/pts | grep -c ptmx",
    );
    let lines: Vec<&str> = out.lines().collect();
    for d in [
        "null", "zero", "full", "random", "urandom", "tty", "pts", "shm", "mqueue", "ptmx", "fd",
    ] {
        assert!(
            lines[0].split_whitespace().any(|x| x == d),
            "/dev/{d} missing: {}",
            lines[0]
        );
    }
    assert_eq!(lines[2], "1", "/etc/hosts names the container");
    assert_eq!(lines[3], "resolv");
    assert_eq!(
        lines[4].trim(),
        "0",
        "/proc/kcore, keys, timer_list are masked"
    );
    assert_eq!(lines[5], "ro", "/sys is read-only");
    assert_eq!(lines[6], "ro", "/proc/sys is read-only");
    assert_eq!(lines[7], "devnull");
    assert_eq!(lines[8], "1");
}

#[test]
fn issue2_network_none_and_host() {
    let env = env_with_busybox();
    let out = run(
        &env,
        &[
            "--network",
            "none",
            busybox(),
            "sh",
            "-c",
            "cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '; cat /sys/class/net/lo/operstate",
        ],
    )
    .ok();
    assert_eq!(out.lines().next(), Some("lo"), "only loopback: {out}");
    assert_eq!(out.lines().count(), 2, "{out}");
    let host_ifaces = std::fs::read_dir("/sys/class/net").unwrap().count();
    let out = run(
        &env,
        &[
            "--network",
            "host",
            busybox(),
            "sh",
            "-c",
            "ls /sys/class/net | wc -l",
        ],
    )
    .ok();
    assert_eq!(out.trim(), host_ifaces.to_string());
}

#[test]
fn issue2_multilayer_whiteouts_and_ownership() {
    let env = TestEnv::new();
    let img = multilayer_image()
        .push(shared(), "run-multilayer", "v1")
        .reference;
    let out = run(&env, &[&img, "sh", "-c", "test -e /a && echo a-present; ls /d | tr '\\n' ' '; cat /keep/k1 >/dev/null && echo keep"]).ok();
    assert!(!out.contains("a-present"), "whiteout hides /a: {out}");
    assert!(
        out.contains("z") && !out.contains("x ") && !out.contains("y "),
        "opaque dir shows only its own files: {out}"
    );
    assert!(out.contains("keep"));
    let img = uid33_image().push(shared(), "run-uid33", "v1").reference;
    let out = run(&env, &["-u", "33", &img, "cat", "/var/www/index.html"]).output();
    assert!(out.status.success(), "{}", crate::util::show_output(&out));
}

#[test]
fn issue2_ps_rm_and_exit_status_kept() {
    let env = env_with_busybox();
    env.rsp()
        .args(["run", "--name", "kept", busybox(), "sh", "-c", "exit 4"])
        .code(4);
    let ps = env.rsp().args(["ps", "-a"]).ok();
    let header = ps.lines().next().unwrap();
    for col in [
        "CONTAINER ID",
        "IMAGE",
        "COMMAND",
        "CREATED",
        "STATUS",
        "PORTS",
        "NAMES",
    ] {
        assert!(header.contains(col), "{header}");
    }
    assert!(ps.contains("Exited (4)") && ps.contains("kept"), "{ps}");
    assert_eq!(env.rsp().args(["ps", "-q"]).ok(), "", "not running");
    let state = env
        .rsp()
        .args([
            "ps",
            "-a",
            "--format",
            "{{.Names}} {{.State}} {{.ExitCode}}",
        ])
        .ok();
    assert_eq!(state, "kept exited 4\n");
    let json: serde_json::Value =
        serde_json::from_str(&env.rsp().args(["ps", "-a", "--format", "json"]).ok()).unwrap();
    assert_eq!(json[0]["Names"][0], "kept");
    assert_eq!(json[0]["ExitCode"], 4);
    let inspect = env
        .rsp()
        .args([
            "inspect",
            "--format",
            "{{.State.ExitCode}} {{.Config.Cmd}}",
            "kept",
        ])
        .ok();
    assert_eq!(inspect, "4 [sh -c exit 4]\n");
    // The name is taken until the container is removed.
    let out = env
        .rsp()
        .args(["run", "--name", "kept", busybox(), "true"])
        .code(125);
    assert!(String::from_utf8_lossy(&out.stderr).contains("already in use"));
    assert_eq!(env.rsp().args(["rm", "kept"]).ok(), "kept\n");
    assert_eq!(env.rsp().args(["ps", "-a", "-q"]).ok(), "");
    env.rsp().args(["rm", "kept"]).code(1);
    // --rm leaves nothing, even when the command fails.
    run(&env, &[busybox(), "no-such-command"]).code(127);
    assert_eq!(env.rsp().args(["ps", "-a", "-q"]).ok(), "");
    assert_eq!(
        std::fs::read_dir(env.root().join("containers"))
            .unwrap()
            .count(),
        0
    );
}

/// Waits (bounded) until `ps` shows a running container; returns its ID.
fn wait_running(env: &TestEnv) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let id = env.rsp().args(["ps", "-q"]).ok();
        if !id.trim().is_empty() {
            return id.trim().to_string();
        }
        assert!(
            Instant::now() < deadline,
            "container never showed as running"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn issue2_signals_forwarded_and_running_rm() {
    let env = env_with_busybox();
    let mut child = env
        .rsp()
        .args([
            "run",
            "--name",
            "sig",
            busybox(),
            "sh",
            "-c",
            "trap 'exit 7' TERM; echo ready; while true; do sleep 0.1; done",
        ])
        .into_command()
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map(Spawned)
        .unwrap();
    let mut buf = [0u8; 6];
    child
        .0
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut buf)
        .unwrap();
    assert_eq!(&buf, b"ready\n");
    let ps = env.rsp().args(["ps"]).ok();
    assert!(ps.contains("Up ") && ps.contains("sig"), "{ps}");
    env.rsp().args(["rm", "sig"]).code(2);
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.0.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let status = child.0.wait().unwrap();
    assert_eq!(status.code(), Some(7), "SIGTERM reached the container");
    env.rsp().args(["rm", "sig"]).ok();

    // A container killed by a signal exits 128+N, as in Podman.
    let mut child = env
        .rsp()
        .args(["run", "--name", "killed", busybox(), "sleep", "60"])
        .into_command()
        .spawn()
        .map(Spawned)
        .unwrap();
    wait_running(&env);
    let pid: i32 = env
        .rsp()
        .args(["inspect", "--format", "{{.State.Pid}}", "killed"])
        .ok()
        .trim()
        .parse()
        .unwrap();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    assert_eq!(child.0.wait().unwrap().code(), Some(137));
    env.rsp().args(["rm", "killed"]).ok();

    // rm -f of a running container kills it.
    let mut child = env
        .rsp()
        .args(["run", "--name", "victim", busybox(), "sleep", "60"])
        .into_command()
        .spawn()
        .map(Spawned)
        .unwrap();
    wait_running(&env);
    env.rsp().args(["rm", "-f", "victim"]).ok();
    let _ = child.0.wait();
    assert_eq!(env.rsp().args(["ps", "-a", "-q"]).ok(), "");
}

#[test]
fn issue3_killed_client_leaves_container_to_its_monitor() {
    let env = env_with_busybox();
    let mut child = env
        .rsp()
        .args(["run", "--name", "orphan", busybox(), "sleep", "60"])
        .into_command()
        .spawn()
        .map(Spawned)
        .unwrap();
    wait_running(&env);
    child.0.kill().unwrap(); // SIGKILL: as Podman, the container lives on
    let _ = child.0.wait();
    let ps = env
        .rsp()
        .args(["ps", "--format", "{{.Names}} {{.State}}"])
        .ok();
    assert_eq!(ps, "orphan running\n");
    env.rsp().args(["rm", "-f", "orphan"]).ok();
}

#[test]
fn issue2_tty_is_a_real_pty_with_window_size() {
    let env = env_with_busybox();
    let ws = nix::pty::Winsize {
        ws_row: 33,
        ws_col: 77,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    let pty = nix::pty::openpty(Some(&ws), None).unwrap();
    let slave = std::fs::File::from(pty.slave);
    let mut cmd = run(
        &env,
        &[
            "-t",
            busybox(),
            "sh",
            "-c",
            "tty; stty size; test -t 0 && echo tty0",
        ],
    )
    .into_command();
    cmd.stdin(slave.try_clone().unwrap())
        .stdout(slave.try_clone().unwrap())
        .stderr(slave);
    let mut child = cmd.spawn().map(Spawned).unwrap();
    drop(cmd);
    let status = child.0.wait().unwrap();
    let mut master = std::fs::File::from(pty.master);
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    // Read what is buffered; EIO once the slave side is closed everywhere.
    while let Ok(n) = master.read(&mut buf) {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    let out = String::from_utf8_lossy(&out).replace('\r', "");
    assert!(status.success(), "{out}");
    assert!(out.contains("/dev/pts/0"), "{out}");
    assert!(out.contains("33 77"), "window size passed on: {out}");
    assert!(out.contains("tty0"), "{out}");
}

#[test]
fn issue2_run_pulls_missing_image() {
    let env = TestEnv::new();
    let img = ImageBuilder::new()
        .layer(Layer::new().busybox().file("/hello", 0o644, b"hi\n"))
        .cmd(&["cat", "/hello"])
        .push(shared(), "run-autopull", "v1")
        .reference;
    let out = env.rsp().args(["run", "--rm", &img]).output();
    assert!(out.status.success(), "{}", crate::util::show_output(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hi\n");
    assert!(String::from_utf8_lossy(&out.stderr).contains("Trying to pull"));
    // --pull=never with an unknown image is a clear error.
    let out = env
        .rsp()
        .args(["run", "--pull", "never", "--rm", "localhost/none:x", "true"])
        .code(125);
    assert!(String::from_utf8_lossy(&out.stderr).contains("localhost/none:x"));
}
