//! Integration-test harness for rsp: an isolated environment per test
//! ([`TestEnv`]), a command builder for the rsp binary ([`Cmd`]), a
//! throwaway registry ([`registry`]), an image builder ([`image`]), and a
//! Debian image, a loopback APT repository and `gosu` ([`debian`]).
//!
//! Include it from a test crate with
//! `#[path = "../util/mod.rs"] mod util;` (or plain `mod util;` next to it).
//! Nothing here reads the source tree at run time, and nothing needs root.

// Each test binary uses a different subset of the harness.
#![allow(dead_code)]

pub mod build;
pub mod debian;
pub mod image;
pub mod registry;

// Re-exports for convenience; a given test binary uses only some.
#[allow(unused_imports)]
pub use image::{
    BUSYBOX_APPLETS, Blob, Built, Compression, ImageBuilder, Kind, Layer, Pushed, PushedIndex,
    big_image, busybox_image, multilayer_image, push_index, semantics_image, sha256_digest,
    uid33_image,
};
#[allow(unused_imports)]
pub use registry::{Client, HttpResponse, MANIFEST_ACCEPT, Registry, free_port, shared};

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// Default limit for one rsp invocation; a hung rsp fails its test instead
/// of the whole run.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
/// After rsp exits, how long its output pipes may stay open.
const PIPE_GRACE: Duration = Duration::from_secs(5);

/// The rsp binary under test.
pub fn rsp_bin() -> &'static str {
    option_env!("CARGO_BIN_EXE_rsp").unwrap_or("rsp")
}

/// A missing prerequisite fails in CI, skips elsewhere: the one helper
/// every layer's tests use.
pub use rsp_base::testing::require_or_skip;

/// A static program built from C `source` with the host's `cc` (gcc and
/// libc6-dev, as CI installs them), for a test image: busybox lacks it.
/// `name` names it in errors.
pub fn static_c_program(name: &str, source: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join(format!("{name}.c"));
    let out = dir.path().join(name);
    fs::write(&src, source).unwrap();
    let st = Command::new("cc")
        .args(["-static", "-O1", "-o"])
        .arg(&out)
        .arg(&src)
        .status()
        .unwrap_or_else(|e| panic!("running cc for {name} (gcc and libc6-dev are needed): {e}"));
    assert!(st.success(), "cc -static {name}.c failed");
    fs::read(&out).unwrap()
}

/// A private set of rsp directories in a temp dir, removed on drop:
///
/// ```text
/// <dir>/home                     HOME
/// <dir>/home/.config             XDG_CONFIG_HOME
/// <dir>/home/.local/share        XDG_DATA_HOME
/// <dir>/home/.local/share/rsp    root (rsp's default under XDG_DATA_HOME)
/// <dir>/run                      XDG_RUNTIME_DIR (0700)
/// <dir>/run/rsp                  runroot (rsp's default under XDG_RUNTIME_DIR)
/// <dir>/tmp                      TMPDIR
/// ```
///
/// Root and runroot match rsp's defaults for that environment, so
/// [`TestEnv::rsp_bare`] (no `--root`/`--runroot`) sees the same state.
pub struct TestEnv {
    pub dir: tempfile::TempDir,
}

impl Default for TestEnv {
    fn default() -> Self {
        Self::new()
    }
}

impl TestEnv {
    pub fn new() -> TestEnv {
        // Short prefix: socket paths under the runroot must stay below
        // 108 bytes.
        let dir = tempfile::Builder::new()
            .prefix("rsp-t")
            .tempdir()
            .expect("creating test temp dir");
        let env = TestEnv { dir };
        for d in [env.config_home(), env.data_home(), env.tmp()] {
            fs::create_dir_all(d).expect("creating test dirs");
        }
        fs::DirBuilder::new()
            .mode(0o700)
            .create(env.runtime_dir())
            .expect("creating runtime dir");
        // The network rule: no container DNS query may leave loopback, so
        // every test's forwarder points at a closed loopback port unless
        // the test writes its own resolver here.
        fs::write(env.resolv_conf(), "nameserver 127.0.0.1:9\n").expect("writing resolv.conf");
        env
    }

    /// The host resolver file rsp reads in this environment
    /// (`RSP_RESOLV_CONF`).
    pub fn resolv_conf(&self) -> PathBuf {
        self.dir.path().join("resolv.conf")
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }
    pub fn config_home(&self) -> PathBuf {
        self.home().join(".config")
    }
    pub fn data_home(&self) -> PathBuf {
        self.home().join(".local/share")
    }
    pub fn runtime_dir(&self) -> PathBuf {
        self.dir.path().join("run")
    }
    pub fn tmp(&self) -> PathBuf {
        self.dir.path().join("tmp")
    }
    pub fn root(&self) -> PathBuf {
        self.data_home().join("rsp")
    }
    pub fn runroot(&self) -> PathBuf {
        self.runtime_dir().join("rsp")
    }

    /// rsp with `--root <root> --runroot <runroot>` already given.
    pub fn rsp(&self) -> Cmd {
        self.rsp_bare()
            .arg("--root")
            .arg(self.root())
            .arg("--runroot")
            .arg(self.runroot())
    }

    /// rsp in this environment, without `--root`/`--runroot`.
    pub fn rsp_bare(&self) -> Cmd {
        self.cmd(rsp_bin())
    }

    /// Any program with this environment (e.g. a helper that inspects
    /// what rsp left behind), with [`Cmd`]'s checks and timeout.
    pub fn cmd(&self, program: impl AsRef<OsStr>) -> Cmd {
        let mut cmd = Command::new(program.as_ref());
        cmd.env_clear()
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .env("HOME", self.home())
            .env("XDG_CONFIG_HOME", self.config_home())
            .env("XDG_DATA_HOME", self.data_home())
            .env("XDG_RUNTIME_DIR", self.runtime_dir())
            .env("TMPDIR", self.tmp())
            .env("RSP_RESOLV_CONF", self.resolv_conf())
            .env("RUST_BACKTRACE", "1")
            .current_dir(self.dir.path());
        Cmd {
            program: program.as_ref().to_string_lossy().into_owned(),
            cmd,
            args: Vec::new(),
            stdin: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Writes `$XDG_CONFIG_HOME/containers/registries.conf`.
    pub fn write_registries_conf(&self, contents: &str) {
        self.write_config("containers/registries.conf", contents);
    }

    /// Writes a file under `$XDG_CONFIG_HOME`, creating its parents.
    pub fn write_config(&self, rel_path: &str, contents: &str) {
        let path = self.config_home().join(rel_path);
        fs::create_dir_all(path.parent().expect("config path has a parent"))
            .expect("creating config dir");
        fs::write(&path, contents).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        // Detached containers outlive the rsp that started them: stop every
        // one this test left, so no monitor or container survives it.
        let left = fs::read_dir(self.runroot().join("containers"))
            .map(|d| d.count() > 0)
            .unwrap_or(false);
        if left {
            let _ = self.rsp().args(["rm", "-af"]).output();
        }
        // rsp may leave read-only dirs (image layers, `chmod 0500` inside a
        // container); without u+rwx on every directory TempDir cannot
        // delete their contents. TempDir's own drop does the removal.
        make_removable(self.dir.path());
    }
}

fn make_removable(path: &Path) {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return;
    };
    if !meta.is_dir() {
        return;
    }
    let mode = meta.permissions().mode();
    if mode & 0o700 != 0o700 {
        let _ = fs::set_permissions(path, fs::Permissions::from_mode(mode | 0o700));
    }
    if let Ok(entries) = fs::read_dir(path) {
        for entry in entries.flatten() {
            make_removable(&entry.path());
        }
    }
}

/// One rsp invocation. Stdin is empty unless [`Cmd::stdin`] is given;
/// stdout and stderr are captured.
pub struct Cmd {
    program: String,
    cmd: Command,
    args: Vec<OsString>,
    stdin: Option<Vec<u8>>,
    timeout: Duration,
}

impl Cmd {
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.cmd.arg(arg.as_ref());
        self.args.push(arg.as_ref().to_owned());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        for a in args {
            self = self.arg(a);
        }
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.cmd.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Self {
        self.cmd.env_remove(key);
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.cmd.current_dir(dir);
        self
    }

    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    /// Kill rsp (and its process group) and fail if it runs longer.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The underlying command, for tests that need to drive the process
    /// themselves (signals, interactive stdin). Environment and leading
    /// arguments are already set; stdio and timeout are up to the caller.
    pub fn into_command(self) -> Command {
        self.cmd
    }

    /// Runs to completion (or the timeout, which panics) and returns
    /// whatever happened.
    pub fn output(mut self) -> Output {
        let desc = self.describe();
        self.cmd
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Own process group, so a timeout can kill rsp's helpers too.
            .process_group(0);
        let start = Instant::now();
        let mut child =
            spawn_retrying(&mut self.cmd).unwrap_or_else(|e| panic!("spawning {desc}: {e}"));
        if let Some(bytes) = self.stdin.take() {
            let mut w = child.stdin.take().expect("piped stdin");
            // A thread, because rsp may not read stdin before filling its
            // output pipes; EPIPE from an rsp that ignores stdin is fine.
            thread::spawn(move || {
                let _ = w.write_all(&bytes);
            });
        }
        let stdout = drain(child.stdout.take().expect("piped stdout"));
        let stderr = drain(child.stderr.take().expect("piped stderr"));
        let deadline = start + self.timeout;
        let status = loop {
            match child.try_wait().expect("waiting for rsp") {
                Some(status) => break status,
                None if Instant::now() >= deadline => {
                    // SAFETY: plain syscall on the group we created.
                    unsafe { libc::killpg(child.id() as libc::pid_t, libc::SIGKILL) };
                    let _ = child.kill();
                    let _ = child.wait();
                    let grace = Instant::now() + PIPE_GRACE;
                    let out = Output {
                        status: ExitStatus::from_raw(libc::SIGKILL),
                        stdout: recv_until(stdout, grace).unwrap_or_default(),
                        stderr: recv_until(stderr, grace).unwrap_or_default(),
                    };
                    panic!(
                        "timed out after {:?}: {desc}\n{}",
                        self.timeout,
                        show_output(&out)
                    );
                }
                None => thread::sleep(Duration::from_millis(5)),
            }
        };
        let grace = Instant::now() + PIPE_GRACE;
        let held = |name| {
            // A daemonised helper that kept our pipe would hang every
            // caller that reads rsp's output: a bug worth a failure.
            panic!("{desc} exited ({status}) but a descendant still holds its {name} open")
        };
        Output {
            status,
            stdout: recv_until(stdout, grace).unwrap_or_else(|| held("stdout")),
            stderr: recv_until(stderr, grace).unwrap_or_else(|| held("stderr")),
        }
    }

    /// Asserts exit status 0; returns stdout.
    #[track_caller]
    pub fn ok(self) -> String {
        let desc = self.describe();
        let out = self.output();
        assert!(
            out.status.success(),
            "expected success: {desc}\n{}",
            show_output(&out)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Asserts a non-zero exit (not death by signal).
    #[track_caller]
    pub fn fails(self) -> Output {
        let desc = self.describe();
        let out = self.output();
        assert!(
            matches!(out.status.code(), Some(c) if c != 0),
            "expected failure: {desc}\n{}",
            show_output(&out)
        );
        out
    }

    /// Asserts this exit code.
    #[track_caller]
    pub fn code(self, code: i32) -> Output {
        let desc = self.describe();
        let out = self.output();
        assert_eq!(
            out.status.code(),
            Some(code),
            "expected exit code {code}: {desc}\n{}",
            show_output(&out)
        );
        out
    }

    fn describe(&self) -> String {
        let args: Vec<_> = self.args.iter().map(|a| a.to_string_lossy()).collect();
        let name = Path::new(&self.program).file_name().unwrap_or_default();
        format!("{} {}", name.to_string_lossy(), args.join(" "))
    }
}

/// Reads a pipe to EOF on its own thread.
fn drain(mut r: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        let _ = tx.send(buf);
    });
    rx
}

fn recv_until(rx: mpsc::Receiver<Vec<u8>>, deadline: Instant) -> Option<Vec<u8>> {
    rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
        .ok()
}

/// Status, stdout and stderr, for assertion messages.
pub fn show_output(out: &Output) -> String {
    format!(
        "status: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A spawned rsp that is killed and reaped when the test ends, even by a
/// panic, so a failing test never leaves a process running.
pub struct Spawned(pub std::process::Child);

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Spawns `cmd`, again while the program is "busy": a binary a test has
/// just written (a copy of rsp) can be held open for writing for a moment
/// by a child another test thread forked before its exec closed the
/// descriptor (ETXTBSY). Bounded: 100 tries, 10 ms apart.
pub fn spawn_retrying(cmd: &mut Command) -> std::io::Result<std::process::Child> {
    let mut tries = 0;
    loop {
        match cmd.spawn() {
            Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) && tries < 100 => {
                tries += 1;
                thread::sleep(Duration::from_millis(10));
            }
            r => return r,
        }
    }
}
