//! A throwaway `docker-registry` (distribution 2.8, Debian's
//! `/usr/bin/docker-registry`) listening on 127.0.0.1, plus a tiny HTTP client
//! for talking to it.
//!
//! Use [`shared`] for most tests: one registry per test binary, started on
//! first use. Tests run in parallel against it, so **every test must push to
//! its own repository name** (e.g. the test's function name); tags and
//! deletions in one repository never affect another. Use [`Registry::start`]
//! when a test needs a registry of its own (to stop it, fill it, or require
//! authentication).

use std::fs;
use std::io::Read;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

const REGISTRY_BIN: &str = "/usr/bin/docker-registry";
/// Budget for one start attempt to answer on `/v2/`.
const READY_TIMEOUT: Duration = Duration::from_secs(10);
/// Attempts at picking a port; another process can grab the port between our
/// probe and the registry's bind.
const START_ATTEMPTS: usize = 5;

/// A running registry. Killed (and reaped) on drop.
pub struct Registry {
    /// `127.0.0.1:PORT`, usable as the registry part of an image reference.
    pub addr: String,
    /// Credentials, if started with [`Registry::start_with_htpasswd`].
    pub auth: Option<(String, String)>,
    child: Child,
    dir: tempfile::TempDir,
}

impl Registry {
    /// Starts a registry without authentication. Panics if it does not
    /// answer within about ten seconds.
    ///
    /// The process gets `SIGKILL` if the *thread* that called this exits
    /// (that is how `PR_SET_PDEATHSIG` works), so keep the value on the
    /// thread that created it.
    pub fn start() -> Registry {
        Self::start_inner(None)
    }

    /// Starts a registry that demands HTTP basic authentication with these
    /// credentials (htpasswd file with a bcrypt hash). Plain HTTP, so only
    /// ever reachable on 127.0.0.1.
    pub fn start_with_htpasswd(user: &str, pass: &str) -> Registry {
        Self::start_inner(Some((user.to_string(), pass.to_string())))
    }

    fn start_inner(auth: Option<(String, String)>) -> Registry {
        let dir = tempfile::Builder::new()
            .prefix("rsp-registry-")
            .tempdir()
            .expect("creating registry temp dir");
        if let Some((user, pass)) = &auth {
            let line = format!("{user}:{}\n", bcrypt_hash(pass));
            fs::write(dir.path().join("htpasswd"), line).expect("writing htpasswd");
        }
        let mut last_err = String::new();
        for _ in 0..START_ATTEMPTS {
            let port = free_port();
            let addr = format!("127.0.0.1:{port}");
            let config = dir.path().join("config.yml");
            fs::write(&config, config_yaml(dir.path(), &addr, auth.is_some()))
                .expect("writing registry config");
            let log = dir.path().join("registry.log");
            let mut child = spawn_registry(&config, &log);
            match wait_ready(&mut child, &addr, &instance_id(dir.path())) {
                Ok(()) => {
                    return Registry {
                        addr,
                        auth,
                        child,
                        dir,
                    };
                }
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let log = fs::read_to_string(&log).unwrap_or_default();
                    last_err = format!("{e}\n--- registry log ---\n{log}");
                }
            }
        }
        panic!("docker-registry did not start after {START_ATTEMPTS} attempts: {last_err}");
    }

    /// `http://127.0.0.1:PORT` followed by `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// `127.0.0.1:PORT/<repo>:<tag>`, the reference to hand to rsp.
    pub fn reference(&self, repo: &str, tag: &str) -> String {
        format!("{}/{repo}:{tag}", self.addr)
    }

    /// A `registries.conf` fragment that lets rsp use this plain-HTTP
    /// registry; combine it with other settings and pass it to
    /// `TestEnv::write_registries_conf`.
    pub fn registries_conf_insecure(&self) -> String {
        format!(
            "[[registry]]\nlocation = \"{}\"\ninsecure = true\n",
            self.addr
        )
    }

    /// The registry's storage directory, for tests that corrupt blobs.
    pub fn storage_dir(&self) -> PathBuf {
        self.dir.path().join("storage")
    }

    /// An HTTP client for this registry, with its credentials if any.
    pub fn client(&self) -> Client {
        Client {
            agent: agent(Duration::from_secs(300)),
            base: self.url(""),
            auth_header: self
                .auth
                .as_ref()
                .map(|(u, p)| format!("Basic {}", base64(format!("{u}:{p}").as_bytes()))),
        }
    }

    /// Fetches a manifest (or index) as stored; returns its Content-Type
    /// and bytes. Panics unless the registry answers 200.
    pub fn fetch_manifest(&self, repo: &str, reference: &str) -> (String, Vec<u8>) {
        let r = self.client().get(
            &format!("/v2/{repo}/manifests/{reference}"),
            MANIFEST_ACCEPT,
        );
        assert_eq!(r.status, 200, "GET manifest {repo}:{reference}: {r:?}");
        (r.content_type.unwrap_or_default(), r.body)
    }

    /// Fetches a blob by digest. Panics unless the registry answers 200.
    pub fn fetch_blob(&self, repo: &str, digest: &str) -> Vec<u8> {
        let r = self
            .client()
            .get(&format!("/v2/{repo}/blobs/{digest}"), "*/*");
        assert_eq!(r.status, 200, "GET blob {repo}@{digest}: {r:?}");
        r.body
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The registry shared by every test in this binary, started on first use.
/// Push to a repository name no other test uses.
pub fn shared() -> &'static Registry {
    static SHARED: OnceLock<&'static Registry> = OnceLock::new();
    SHARED.get_or_init(|| {
        // PR_SET_PDEATHSIG fires when the spawning *thread* exits, and test
        // threads come and go; so the process is spawned from a thread that
        // parks forever. Statics are never dropped, so the death signal is
        // also what kills it when the test binary exits.
        let (tx, rx) = std::sync::mpsc::channel();
        thread::Builder::new()
            .name("shared-registry".into())
            .spawn(move || {
                let reg: &'static Registry = Box::leak(Box::new(Registry::start()));
                let _ = SHARED_CLEANUP.set((reg.child.id() as libc::pid_t, reg.dir.path().into()));
                // SAFETY: registers a plain extern "C" fn with no arguments.
                unsafe { libc::atexit(cleanup_shared) };
                let _ = tx.send(reg);
                loop {
                    thread::park();
                }
            })
            .expect("spawning registry keeper thread");
        rx.recv()
            .expect("shared registry failed to start (see panic above)")
    })
}

static SHARED_CLEANUP: OnceLock<(libc::pid_t, PathBuf)> = OnceLock::new();

/// Runs at normal exit of the test binary (libtest returns from main or
/// calls `exit`), so the shared registry's storage does not pile up in
/// `/tmp`. An abnormal exit still kills the process via the death signal.
extern "C" fn cleanup_shared() {
    let Some((pid, dir)) = SHARED_CLEANUP.get() else {
        return;
    };
    // SAFETY: kill/waitpid on our own child's pid, which is not reaped
    // elsewhere because the Registry holding its Child is never dropped.
    unsafe {
        libc::kill(*pid, libc::SIGKILL);
        for _ in 0..200 {
            if libc::waitpid(*pid, std::ptr::null_mut(), libc::WNOHANG) != 0 {
                break;
            }
            thread::sleep(Duration::from_millis(5));
        }
    }
    let _ = fs::remove_dir_all(dir);
}

/// Accept header covering every manifest type the harness pushes.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.docker.distribution.manifest.v2+json";

/// Minimal HTTP client bound to one registry.
pub struct Client {
    agent: ureq::Agent,
    base: String,
    auth_header: Option<String>,
}

/// What came back from a request. Non-2xx statuses are not errors here.
pub struct HttpResponse {
    pub status: u16,
    pub location: Option<String>,
    pub content_type: Option<String>,
    pub docker_content_digest: Option<String>,
    pub body: Vec<u8>,
}

impl std::fmt::Debug for HttpResponse {
    /// Bodies can be whole blobs: show the start, as text, for assertion
    /// messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let body = String::from_utf8_lossy(&self.body[..self.body.len().min(2000)]);
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("location", &self.location)
            .field("content_type", &self.content_type)
            .field("docker_content_digest", &self.docker_content_digest)
            .field("body_len", &self.body.len())
            .field("body", &body)
            .finish()
    }
}

impl Client {
    /// Absolute URL for a path such as `/v2/…`; a full URL passes through
    /// (upload `Location` headers may be either).
    pub fn url(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http://") {
            // Test traffic must never leave this registry (127.0.0.1).
            assert!(
                path_or_url.starts_with(&format!("{}/", self.base)),
                "refusing to follow {path_or_url}: not {}",
                self.base
            );
            path_or_url.to_string()
        } else {
            format!("{}{path_or_url}", self.base)
        }
    }

    pub fn get(&self, path: &str, accept: &str) -> HttpResponse {
        let req = self.agent.get(self.url(path)).header("Accept", accept);
        finish(self.with_auth(req).call(), "GET", path)
    }

    pub fn head(&self, path: &str) -> HttpResponse {
        let req = self.agent.head(self.url(path));
        finish(self.with_auth(req).call(), "HEAD", path)
    }

    pub fn delete(&self, path: &str) -> HttpResponse {
        let req = self.agent.delete(self.url(path));
        finish(self.with_auth(req).call(), "DELETE", path)
    }

    pub fn post_empty(&self, path: &str) -> HttpResponse {
        let req = self.agent.post(self.url(path));
        finish(self.with_auth(req).send_empty(), "POST", path)
    }

    pub fn put(&self, path: &str, content_type: &str, body: &[u8]) -> HttpResponse {
        let req = self
            .agent
            .put(self.url(path))
            .header("Content-Type", content_type);
        finish(self.with_auth(req).send(body), "PUT", path)
    }

    fn with_auth<B>(&self, req: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        match &self.auth_header {
            Some(h) => req.header("Authorization", h),
            None => req,
        }
    }
}

fn finish(
    res: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    method: &str,
    path: &str,
) -> HttpResponse {
    let mut resp = res.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let location = header("Location");
    let content_type = header("Content-Type");
    let docker_content_digest = header("Docker-Content-Digest");
    let status = resp.status().as_u16();
    let mut body = Vec::new();
    if method != "HEAD" {
        resp.body_mut()
            .as_reader()
            .read_to_end(&mut body)
            .unwrap_or_else(|e| panic!("{method} {path}: reading body: {e}"));
    }
    HttpResponse {
        status,
        location,
        content_type,
        docker_content_digest,
        body,
    }
}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        // Status codes are part of what tests check, not transport errors.
        .http_status_as_error(false)
        // A proxy from the environment must never see test traffic.
        .proxy(None)
        .max_redirects(0)
        .timeout_connect(Some(Duration::from_secs(2)))
        .timeout_global(Some(timeout))
        .build()
        .into()
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("binding 127.0.0.1:0");
    l.local_addr().expect("local_addr").port()
}

fn config_yaml(dir: &Path, addr: &str, htpasswd: bool) -> String {
    let mut y = format!(
        "version: 0.1\n\
         log:\n  level: error\n  accesslog:\n    disabled: true\n\
         storage:\n  filesystem:\n    rootdirectory: {storage}\n  delete:\n    enabled: true\n\
         http:\n  addr: {addr}\n  secret: rsp-test-secret\n  \
         headers:\n    {ID_HEADER}: [\"{id}\"]\n",
        storage = dir.join("storage").display(),
        id = instance_id(dir),
    );
    if htpasswd {
        y.push_str(&format!(
            "auth:\n  htpasswd:\n    realm: rsp-test\n    path: {}\n",
            dir.join("htpasswd").display()
        ));
    }
    y
}

fn spawn_registry(config: &Path, log: &Path) -> Child {
    let log = fs::File::create(log).expect("creating registry log");
    let parent = std::process::id() as libc::pid_t;
    let mut cmd = Command::new(REGISTRY_BIN);
    cmd.arg("serve")
        .arg(config)
        // REGISTRY_* variables would override the config file.
        .env_clear()
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .stdin(Stdio::null())
        // A file, not an inherited pipe: a stray child holding the test's
        // stdout open would make `cargo test | tee` hang.
        .stdout(log.try_clone().expect("dup log fd"))
        .stderr(log);
    // SAFETY: between fork and exec only async-signal-safe calls are made
    // (prctl, getppid, _exit); no allocation or locking.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The parent may have died before prctl took effect.
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
    cmd.spawn()
        .unwrap_or_else(|e| panic!("spawning {REGISTRY_BIN}: {e}"))
}

/// Response header naming the registry instance: two tests can be handed
/// the same free port, and the one whose registry lost the bind must not
/// mistake the other's for its own.
const ID_HEADER: &str = "X-Rsp-Test-Registry";

fn instance_id(dir: &Path) -> String {
    dir.file_name()
        .expect("temp dir has a name")
        .to_string_lossy()
        .into_owned()
}

fn wait_ready(child: &mut Child, addr: &str, id: &str) -> Result<(), String> {
    let agent = agent(Duration::from_millis(500));
    let url = format!("http://{addr}/v2/");
    let deadline = Instant::now() + READY_TIMEOUT;
    for _ in 0..400 {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return Err(format!("docker-registry exited early: {status}"));
        }
        // Any HTTP answer (200, or 401 with auth) means it is serving.
        if let Ok(resp) = agent.get(&url).call() {
            let theirs = resp.headers().get(ID_HEADER).and_then(|v| v.to_str().ok());
            if theirs == Some(id) {
                return Ok(());
            }
            return Err(format!("{addr} is served by another process ({theirs:?})"));
        }
        if Instant::now() >= deadline {
            break;
        }
        thread::sleep(Duration::from_millis(25));
    }
    Err(format!("no answer on {url} within {READY_TIMEOUT:?}"))
}

/// bcrypt via the system's libxcrypt (`libcrypt.so.1`, always present on
/// Debian), loaded at run time so building needs no `-dev` package.
fn bcrypt_hash(pass: &str) -> String {
    type CryptFn =
        unsafe extern "C" fn(*const libc::c_char, *const libc::c_char) -> *mut libc::c_char;
    // crypt() returns a static buffer.
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let key = std::ffi::CString::new(pass).expect("password contains NUL");
    // Cost 5 keeps each request's verification fast; the salt is fixed
    // because the hash needs no secrecy here.
    let setting = c"$2b$05$abcdefghijklmnopqrstuu";
    // SAFETY: dlopen/dlsym with valid C strings; the symbol has crypt(3)'s
    // signature; the result is copied out before the lock is released.
    unsafe {
        let lib = libc::dlopen(c"libcrypt.so.1".as_ptr(), libc::RTLD_NOW);
        assert!(!lib.is_null(), "cannot dlopen libcrypt.so.1");
        let sym = libc::dlsym(lib, c"crypt".as_ptr());
        assert!(!sym.is_null(), "libcrypt.so.1 has no crypt()");
        let crypt: CryptFn = std::mem::transmute::<*mut libc::c_void, CryptFn>(sym);
        let out = crypt(key.as_ptr(), setting.as_ptr());
        assert!(!out.is_null(), "crypt() failed");
        let hash = std::ffi::CStr::from_ptr(out).to_string_lossy().into_owned();
        assert!(hash.starts_with("$2b$"), "crypt() gave {hash:?}");
        hash
    }
}

fn base64(data: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
