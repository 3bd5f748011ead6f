//! Fixtures for issue 17 (`rsp build`): a build context written to disk,
//! a busybox base image in the shared registry, `rsp build` run with its
//! output and the image ID taken apart, and a tiny HTTP server on
//! 127.0.0.1 for ADD's URLs.
//!
//! Contract:
//! - [`base`] is busybox ([`super::image::busybox_image`]) plus a layer of
//!   more applet links (`cp`, `mv`, `date`, `tar`, `sha256sum`...), pushed
//!   once per process to the shared registry as `issue17-busybox:v1`.
//! - [`Context`] is a directory under the test's [`TestEnv`], removed with
//!   it; paths given to it are relative to the context and may not leave it.
//! - [`build`] runs `rsp build ARGS CONTEXT` (with `--network none` unless
//!   the arguments choose a network), asserts success, and returns the
//!   output and the ID, which Podman prints as stdout's last line.
//! - [`HttpServer`] serves fixed replies (bodies or redirects) on
//!   127.0.0.1 from a thread until dropped, and records each request line.
//!
//! Nothing here needs root or any address beyond loopback.

use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::image::{Layer, busybox_image};
use super::registry::shared;
use super::{Cmd, TestEnv, show_output};

/// Applets linked in [`base`]'s second layer (the first has
/// [`super::image::BUSYBOX_APPLETS`]).
const MORE_APPLETS: &[&str] = &[
    "cp",
    "mv",
    "date",
    "tar",
    "gzip",
    "gunzip",
    "sha256sum",
    "du",
    "tail",
    "tee",
    "printf",
    "basename",
    "dirname",
];

/// busybox with more applets, in the shared registry (pushed once):
/// `127.0.0.1:PORT/issue17-busybox:v1`. Its `/etc/passwd` has root,
/// www-data (33), user (1000) and nobody; `/etc/group` the same groups.
pub fn base() -> &'static str {
    static REF: OnceLock<String> = OnceLock::new();
    REF.get_or_init(|| {
        let mut more = Layer::new();
        for a in MORE_APPLETS {
            more = more.symlink(&format!("/bin/{a}"), "busybox");
        }
        busybox_image()
            .layer(more)
            .push(shared(), "issue17-busybox", "v1")
            .reference
    })
}

/// Go's name for this machine's architecture, as `TARGETARCH` gives it.
pub fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        other => other,
    }
}

/// An architecture that is not this machine's, for `--platform` refusals.
pub fn other_arch() -> &'static str {
    if go_arch() == "arm64" {
        "amd64"
    } else {
        "arm64"
    }
}

/// A build context: a directory under the test's temp dir.
pub struct Context {
    path: PathBuf,
}

fn checked(rel: &str) -> &Path {
    let p = Path::new(rel);
    assert!(
        p.components().all(|c| matches!(c, Component::Normal(_))),
        "context path {rel:?} must be relative and plain"
    );
    p
}

impl Context {
    /// An empty context directory, unique within `env`.
    pub fn new(env: &TestEnv) -> Context {
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = env
            .dir
            .path()
            .join(format!("ctx{}", N.fetch_add(1, Ordering::Relaxed)));
        fs::create_dir_all(&path).expect("creating a context dir");
        Context { path }
    }

    /// A context with these files and this `Dockerfile`.
    pub fn with(env: &TestEnv, files: &[(&str, &str)], dockerfile: &str) -> Context {
        let c = Context::new(env);
        for (p, data) in files {
            c.file(p, data);
        }
        c.dockerfile(dockerfile);
        c
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The context's path as a string, for command lines.
    pub fn arg(&self) -> &str {
        self.path.to_str().expect("context path is UTF-8")
    }

    /// `<context>/<rel>`.
    pub fn join(&self, rel: &str) -> PathBuf {
        self.path.join(checked(rel))
    }

    /// Writes a file (0644), creating its parents.
    pub fn file(&self, rel: &str, contents: impl AsRef<[u8]>) -> &Self {
        let p = self.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, contents).unwrap_or_else(|e| panic!("writing {}: {e}", p.display()));
        fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
        self
    }

    /// Sets a mode on a file or directory of the context.
    pub fn mode(&self, rel: &str, mode: u32) -> &Self {
        fs::set_permissions(self.join(rel), fs::Permissions::from_mode(mode)).unwrap();
        self
    }

    /// Writes `Dockerfile`.
    pub fn dockerfile(&self, text: &str) -> &Self {
        self.file("Dockerfile", text)
    }

    /// A symlink at `rel` whose target is `target`, verbatim.
    pub fn symlink(&self, rel: &str, target: impl AsRef<Path>) -> &Self {
        let p = self.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, &p).unwrap();
        self
    }

    /// The context as an uncompressed tar (what `rsp build -` reads).
    pub fn tar(&self) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        b.follow_symlinks(false);
        b.append_dir_all(".", &self.path)
            .expect("taring the context");
        b.into_inner().unwrap()
    }
}

/// What a successful `rsp build` printed, and the image ID.
pub struct Build {
    pub stdout: String,
    pub stderr: String,
    /// The full 64-hex ID: stdout's last line.
    pub id: String,
}

impl Build {
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    /// How many stdout lines start with `prefix`.
    pub fn count(&self, prefix: &str) -> usize {
        self.stdout
            .lines()
            .filter(|l| l.starts_with(prefix))
            .count()
    }
}

/// `rsp build ARGS CONTEXT` as a command, `--network none` unless ARGS
/// choose a network; a five-minute limit.
pub fn build_cmd(env: &TestEnv, ctx: &str, args: &[&str]) -> Cmd {
    let mut cmd = env.rsp().arg("build");
    if !args.iter().any(|a| a.starts_with("--network")) {
        cmd = cmd.arg("--network=none");
    }
    cmd.args(args).arg(ctx).timeout(Duration::from_secs(300))
}

/// Runs `rsp build`, asserts success and a full ID as stdout's last line.
#[track_caller]
pub fn build(env: &TestEnv, ctx: &Context, args: &[&str]) -> Build {
    build_at(env, ctx.arg(), args)
}

/// [`build`] with the context given as a string (`-` for stdin is
/// [`build_cmd`]'s job).
#[track_caller]
pub fn build_at(env: &TestEnv, ctx: &str, args: &[&str]) -> Build {
    let out = build_cmd(env, ctx, args).output();
    parse_build(&out, args)
}

/// The [`Build`] of an output that must be a success.
#[track_caller]
pub fn parse_build(out: &Output, args: &[&str]) -> Build {
    assert!(
        out.status.success(),
        "rsp build {args:?} failed\n{}",
        show_output(out)
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let id = stdout.lines().last().unwrap_or_default().to_string();
    assert!(
        is_full_id(&id),
        "the last line of stdout should be the image ID\n{}",
        show_output(out)
    );
    Build {
        stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        id,
    }
}

/// `rsp build` that must fail with `code`; returns stderr.
#[track_caller]
pub fn build_fails(env: &TestEnv, ctx: &Context, args: &[&str], code: i32) -> String {
    let out = build_cmd(env, ctx.arg(), args).code(code);
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn is_full_id(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// `rsp image inspect IMAGE`, the first record.
pub fn inspect(env: &TestEnv, image: &str) -> serde_json::Value {
    let out = env.rsp().args(["image", "inspect", image]).ok();
    let v: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("inspect {image}: {e}\n{out}"));
    v[0].clone()
}

/// The image's config blob as stored (`<root>/blobs/sha256/<id>`): what a
/// push sends, with every field the image has (Healthcheck, OnBuild...).
pub fn raw_config(env: &TestEnv, id: &str) -> serde_json::Value {
    let path = env.root().join("blobs/sha256").join(id);
    let data = fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_slice(&data).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// `rsp run --rm --network none IMAGE ARGS...`; stdout.
#[track_caller]
pub fn run(env: &TestEnv, image: &str, args: &[&str]) -> String {
    env.rsp()
        .args(["run", "--rm", "--network", "none", image])
        .args(args)
        .ok()
}

/// `rsp save IMAGE` (docker-archive: uncompressed layer tars, the config
/// with its history), the archive's bytes.
pub fn saved(env: &TestEnv, image: &str) -> Vec<u8> {
    let path = env
        .tmp()
        .join(format!("saved-{}.tar", image.replace(['/', ':'], "_")));
    env.rsp()
        .args(["save", "-o"])
        .arg(&path)
        .arg(image)
        .timeout(Duration::from_secs(120))
        .ok();
    let data = fs::read(&path).unwrap();
    let _ = fs::remove_file(&path);
    data
}

/// Every entry name of every layer tar in a docker-archive.
pub fn layer_entry_names(archive: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let mut outer = tar::Archive::new(archive);
    for e in outer.entries().unwrap() {
        let mut e = e.unwrap();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        if data.len() < 512 || &data[257..262] != b"ustar" {
            continue;
        }
        let mut inner = tar::Archive::new(data.as_slice());
        for l in inner.entries().unwrap() {
            let l = l.unwrap();
            names.push(String::from_utf8_lossy(&l.path_bytes()).into_owned());
        }
    }
    names
}

/// True if `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Asserts that `expected` lines occur in `lines` in this order (other
/// lines may come between them).
#[track_caller]
pub fn assert_in_order(output: &str, expected: &[&str]) {
    let mut lines = output.lines();
    for want in expected {
        assert!(
            lines.any(|l| l == *want),
            "missing (or out of order) line {want:?} in:\n{output}"
        );
    }
}

// ---------------------------------------------------------------------------
// A tiny HTTP server for ADD.

/// What [`HttpServer`] answers for a path.
#[derive(Clone, Debug)]
pub enum Reply {
    /// 200 with this body (`Last-Modified` fixed at 2024-01-01).
    Body(Vec<u8>),
    /// 302 to this `Location`.
    Redirect(String),
}

/// Serves fixed replies over HTTP/1.1 (one request per connection) on
/// 127.0.0.1 from a thread until dropped; unknown paths get 404.
pub struct HttpServer {
    port: u16,
    stop: Arc<AtomicBool>,
    requests: Arc<Mutex<Vec<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl HttpServer {
    pub fn start(routes: Vec<(&str, Reply)>) -> HttpServer {
        let routes: Arc<Vec<(String, Reply)>> = Arc::new(
            routes
                .into_iter()
                .map(|(p, r)| (p.to_string(), r))
                .collect(),
        );
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding 127.0.0.1:0");
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (s, r) = (stop.clone(), requests.clone());
        let thread = thread::Builder::new()
            .name("issue17-http".into())
            .spawn(move || {
                while !s.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((conn, _)) => serve_one(conn, &routes, &r),
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {
                            thread::sleep(Duration::from_millis(5))
                        }
                        Err(_) => thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
            .expect("spawning the HTTP server thread");
        HttpServer {
            port,
            stop,
            requests,
            thread: Some(thread),
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT<path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Request lines served so far (`GET /x HTTP/1.1`).
    pub fn requests(&self) -> Vec<String> {
        self.requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve_one(mut conn: TcpStream, routes: &[(String, Reply)], log: &Mutex<Vec<String>>) {
    let _ = conn.set_nonblocking(false);
    let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = conn.set_write_timeout(Some(Duration::from_secs(5)));
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !contains(&head, b"\r\n\r\n") && head.len() < 65536 && Instant::now() < deadline {
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let line = head.lines().next().unwrap_or_default().to_string();
    let mut parts = line.split(' ');
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    log.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(line.clone());
    let reply = routes.iter().find(|(p, _)| p == path).map(|(_, r)| r);
    let (status, headers, body): (&str, String, &[u8]) = match reply {
        Some(Reply::Body(b)) => (
            "200 OK",
            format!(
                "Content-Type: application/octet-stream\r\nContent-Length: {}\r\n\
                 Last-Modified: Mon, 01 Jan 2024 00:00:00 GMT\r\n",
                b.len()
            ),
            b,
        ),
        Some(Reply::Redirect(to)) => (
            "302 Found",
            format!("Location: {to}\r\nContent-Length: 0\r\n"),
            b"",
        ),
        None => ("404 Not Found", "Content-Length: 0\r\n".into(), b""),
    };
    let mut out = format!("HTTP/1.1 {status}\r\n{headers}Connection: close\r\n\r\n").into_bytes();
    if method != "HEAD" {
        out.extend_from_slice(body);
    }
    let _ = conn.write_all(&out);
    let _ = conn.flush();
}

// ---------------------------------------------------------------------------
// Archives for ADD.

/// A tar with these regular files (0644, root, mtime 2024-01-01).
pub fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(1_704_067_200);
        h.set_uid(0);
        h.set_gid(0);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, name, *data).unwrap();
    }
    b.into_inner().unwrap()
}

/// `data` compressed by python3's `gzip`, `bz2` or `lzma` module (`kind`
/// is `gz`, `bz2` or `xz`): the test binary has no bzip2 or xz encoder of
/// its own, and python3 is installed wherever the tests run (`.ci/run`).
pub fn python_compress(kind: &str, data: &[u8]) -> Vec<u8> {
    let module = match kind {
        "gz" => "gzip",
        "bz2" => "bz2",
        "xz" => "lzma",
        other => panic!("no compressor for {other}"),
    };
    let mut child = std::process::Command::new("python3")
        .args([
            "-c",
            &format!(
                "import sys, {module}; sys.stdout.buffer.write({module}.compress(sys.stdin.buffer.read()))"
            ),
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("running python3");
    let mut stdin = child.stdin.take().unwrap();
    let input = data.to_vec();
    let writer = thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success(), "python3 {module} failed");
    out.stdout
}
