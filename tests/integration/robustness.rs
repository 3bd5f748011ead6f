//! Issue 14's robustness findings: oversized registry answers, leftovers of
//! killed runs, empty environment names, huge names in errors, `rmi -f`
//! racing container starts, and the exit code of a container whose monitor
//! was killed.

use crate::pull::{assert_one_error_line, stderr};
use crate::util::image::busybox_image;
use crate::util::registry::shared;
use crate::util::{Cmd, TestEnv};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

/// What the registry stand-in sends for an oversized answer.
const HUGE: u64 = 200 << 20;
/// Connections one stand-in serves at most.
const MAX_CONNECTIONS: usize = 64;
/// A stand-in stops accepting after this long, whatever happens.
const STAND_IN_LIFETIME: Duration = Duration::from_secs(120);

/// One answer of the stand-in.
enum Reply {
    /// A complete answer.
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// [`HUGE`] bytes of JSON-looking text, with or without a `Content-Length`.
    Endless {
        content_type: &'static str,
        declared: bool,
    },
}

impl Reply {
    fn json(status: u16, body: &str) -> Reply {
        Reply::Full {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        }
    }
}

/// One request to the stand-in.
struct Request {
    /// Path and query.
    path: String,
    /// The `Authorization` header, if any.
    authorization: Option<String>,
    /// The stand-in's own `127.0.0.1:PORT`.
    addr: String,
}

type Route = dyn Fn(&Request) -> Reply + Send + Sync;

/// A registry stand-in on 127.0.0.1: `route` answers each GET, one request
/// per connection. It counts the bytes it sends, so a test can
/// tell that rsp stopped reading. Stops on drop.
struct StandIn {
    addr: String,
    sent: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    handle: Option<thread::JoinHandle<()>>,
}

impl StandIn {
    fn start(route: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> StandIn {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let sent = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let route: Arc<Route> = Arc::new(route);
        let handle = {
            let (addr, sent, stop) = (addr.clone(), sent.clone(), stop.clone());
            thread::spawn(move || {
                let deadline = Instant::now() + STAND_IN_LIFETIME;
                let mut workers = Vec::new();
                while workers.len() < MAX_CONNECTIONS
                    && !stop.load(Ordering::Relaxed)
                    && Instant::now() < deadline
                {
                    match listener.accept() {
                        Ok((conn, _)) => {
                            let (route, addr, sent, stop) =
                                (route.clone(), addr.clone(), sent.clone(), stop.clone());
                            workers.push(thread::spawn(move || {
                                let _ = serve(conn, &*route, &addr, &sent, &stop);
                            }));
                        }
                        Err(_) => thread::sleep(Duration::from_millis(5)),
                    }
                }
                for w in workers {
                    let _ = w.join();
                }
            })
        };
        StandIn {
            addr,
            sent,
            stop,
            handle: Some(handle),
        }
    }

    fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn serve(
    conn: TcpStream,
    route: &Route,
    addr: &str,
    sent: &AtomicU64,
    stop: &AtomicBool,
) -> std::io::Result<()> {
    conn.set_nonblocking(false)?;
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    conn.set_write_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(conn.try_clone()?).take(64 << 10);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    let mut authorization = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("authorization")
        {
            authorization = Some(v.trim().to_string());
        }
    }
    let req = Request {
        path: request.split(' ').nth(1).unwrap_or("/").to_string(),
        authorization,
        addr: addr.to_string(),
    };
    let mut out = conn;
    match route(&req) {
        Reply::Full {
            status,
            headers,
            body,
        } => {
            let mut head = format!(
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            out.write_all(head.as_bytes())?;
            out.write_all(&body)?;
        }
        Reply::Endless {
            content_type,
            declared,
        } => {
            let length = if declared {
                format!("Content-Length: {HUGE}\r\n")
            } else {
                String::new()
            };
            out.write_all(
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n{length}Connection: close\r\n\r\n"
                )
                .as_bytes(),
            )?;
            let chunk = format!("{{\"layers\":[{}", "{\"a\":1},".repeat(8191)).into_bytes();
            let mut left = HUGE;
            while left > 0 && !stop.load(Ordering::Relaxed) {
                let n = chunk.len().min(left as usize);
                out.write_all(&chunk[..n])?;
                sent.fetch_add(n as u64, Ordering::Relaxed);
                left -= n as u64;
            }
        }
    }
    out.flush()
}

/// How a measured rsp run ended.
struct Measured {
    status: ExitStatus,
    stderr: String,
    /// Peak resident set size, in KiB.
    max_rss_kib: u64,
}

/// `VmHWM` of `pid`, in KiB: the peak RSS of its current program (`None` once it has exited).
fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `cmd` to completion (killing it after `timeout`), watching its peak
/// RSS. Not `wait4`'s `ru_maxrss`: that also counts the test process's own
/// RSS, copied by the fork before rsp was executed.
fn run_measured(cmd: Command, timeout: Duration) -> Measured {
    let mut cmd = cmd;
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = cmd.spawn().expect("spawning rsp");
    let mut err_pipe = child.stderr.take().unwrap();
    let reader = thread::spawn(move || {
        let mut s = String::new();
        let _ = err_pipe.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + timeout;
    let mut max_rss_kib = 0;
    let status = loop {
        // Polled often: the high-water mark only grows, so the last read before the exit
        // misses at most the last millisecond.
        if let Some(kib) = vm_hwm_kib(child.id()) {
            max_rss_kib = max_rss_kib.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            // SAFETY: plain syscall on the group we created.
            unsafe { libc::killpg(child.id() as libc::pid_t, libc::SIGKILL) };
            let _ = child.wait();
            panic!("rsp did not finish within {timeout:?}");
        }
        thread::sleep(Duration::from_millis(1));
    };
    Measured {
        status,
        stderr: reader.join().unwrap(),
        max_rss_kib,
    }
}

/// Peak RSS allowed for a refused pull: the answers are 200 MB.
const RSS_BOUND_KIB: u64 = 100 << 10;

#[test]
fn issue14_oversized_manifest_is_refused() {
    let digest = |c: char| format!("sha256:{}", c.to_string().repeat(64));
    let (config_digest, layer_digest) = (digest('c'), digest('d'));
    let stand_in = StandIn::start(move |req| match req.path.as_str() {
        "/v2/" => Reply::json(200, "{}"),
        "/v2/streamed/manifests/latest" => Reply::Endless {
            content_type: "application/vnd.oci.image.manifest.v1+json",
            declared: false,
        },
        "/v2/declared/manifests/latest" => Reply::Endless {
            content_type: "application/vnd.oci.image.manifest.v1+json",
            declared: true,
        },
        "/v2/bigconfig/manifests/latest" => Reply::json(
            200,
            &format!(
                r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
                "config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config_digest}","size":{HUGE}}},
                "layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{layer_digest}","size":10}}]}}"#
            ),
        ),
        p if p.starts_with("/v2/streamed/tags/list") => Reply::Endless {
            content_type: "application/json",
            declared: false,
        },
        p if p.starts_with("/v2/token/") => Reply::Full {
            status: 401,
            headers: vec![(
                "WWW-Authenticate".into(),
                format!(
                    r#"Bearer realm="http://{}/auth",service="stand-in""#,
                    req.addr
                ),
            )],
            body: br#"{"errors":[{"code":"UNAUTHORIZED","message":"token needed"}]}"#.to_vec(),
        },
        p if p.starts_with("/auth") => Reply::Endless {
            content_type: "application/json",
            declared: false,
        },
        _ => Reply::json(404, r#"{"errors":[{"code":"NOT_FOUND","message":"no"}]}"#),
    });
    let env = TestEnv::new();
    let addr = stand_in.addr.clone();
    let manifest_limit = "exceeded maximum allowed size of 4194304 bytes";
    let cases = [
        ("streamed", "reading manifest latest", manifest_limit),
        ("declared", "reading manifest latest", manifest_limit),
        (
            "bigconfig",
            "reading config sha256:cccc",
            "exceeded maximum allowed size of 4194304 bytes",
        ),
        (
            "token",
            "reading the token from http://",
            "exceeded maximum allowed size of 1048576 bytes",
        ),
    ];
    for (repo, what, limit) in cases {
        let reference = format!("{addr}/{repo}:latest");
        let before = stand_in.sent();
        let mut cmd = env.rsp().args(["pull", &reference]).into_command();
        cmd.env("RUST_BACKTRACE", "0");
        let m = run_measured(cmd, Duration::from_secs(60));
        let sent = stand_in.sent() - before;
        eprintln!("{repo}: peak RSS {} KiB, {sent} bytes sent", m.max_rss_kib);
        assert_eq!(m.status.code(), Some(125), "{repo}: {}", m.stderr);
        let out = std::process::Output {
            status: m.status,
            stdout: Vec::new(),
            stderr: m.stderr.clone().into_bytes(),
        };
        let line = assert_one_error_line(&out, limit);
        assert!(
            line.contains(&format!("pulling {reference}: {what}")),
            "{repo}: {line}"
        );
        assert!(line.len() < 300, "{repo}: {line}");
        assert!(
            m.max_rss_kib < RSS_BOUND_KIB,
            "{repo}: rsp peaked at {} KiB",
            m.max_rss_kib
        );
        // rsp hung up long before the end; what is in flight is socket buffers.
        assert!(sent < 64 << 20, "{repo}: the stand-in sent {sent} bytes");
    }
    // Tag lists are capped too.
    let out = env
        .rsp()
        .args(["search", "--list-tags", &format!("{addr}/streamed")])
        .fails();
    assert_one_error_line(&out, "exceeded maximum allowed size of 16777216 bytes");
    assert!(stderr(&out).len() < 400, "{}", stderr(&out));
    // Nothing was stored.
    let images = env.rsp().args(["images", "-q"]).ok();
    assert!(images.trim().is_empty(), "{images}");
}

/// A busybox image pushed once per test binary.
fn busybox() -> &'static str {
    static REF: OnceLock<String> = OnceLock::new();
    REF.get_or_init(|| {
        busybox_image()
            .push(shared(), "robustness-busybox", "latest")
            .reference
    })
}

/// A fresh store with the busybox image pulled.
fn env_with_busybox() -> TestEnv {
    let env = TestEnv::new();
    env.rsp().args(["pull", "-q", busybox()]).ok();
    env
}

fn rsp(env: &TestEnv, args: &[&str]) -> Cmd {
    env.rsp().args(args)
}

#[test]
fn issue14_empty_environment_names_are_refused() {
    let env = env_with_busybox();
    let id = rsp(&env, &["run", "-d", busybox(), "sleep", "60"]).ok();
    let id = id.trim();
    let file = env.tmp().join("env");
    std::fs::write(&file, "# comment\nGOOD=1\n=x\n").unwrap();
    let file = file.to_str().unwrap();
    for (args, text) in [
        (
            vec!["-e", "=val"],
            r#"invalid environment variable: "=val""#,
        ),
        (vec!["-e", ""], r#"invalid environment variable: """#),
        (vec!["-e", "="], r#"invalid environment variable: "=""#),
        (
            vec!["-e", "A B=1"],
            r#"name "A B" has white spaces, poorly formatted name"#,
        ),
        (
            vec!["--env-file", file],
            r#"line 3: invalid environment variable: "=x""#,
        ),
    ] {
        for cmd in ["run", "create"] {
            let mut full = vec![cmd, "--rm"];
            full.extend(&args);
            full.extend([busybox(), "true"]);
            if cmd == "create" {
                full.remove(1);
            }
            let out = rsp(&env, &full).code(125);
            assert_one_error_line(&out, text);
        }
        let mut full = vec!["exec"];
        full.extend(&args);
        full.extend([id, "true"]);
        let out = rsp(&env, &full).code(125);
        assert_one_error_line(&out, text);
    }
    // Nothing was created by the refused commands.
    let all = rsp(&env, &["ps", "-aq"]).ok();
    assert_eq!(all.lines().count(), 1, "{all}");
    // Leading white space goes, as in Podman; values are kept as given.
    let out = rsp(
        &env,
        &[
            "exec",
            "-e",
            "  LEAD=a b",
            "-e",
            "EMPTY=",
            id,
            "sh",
            "-c",
            "echo \"$LEAD|$EMPTY|\"",
        ],
    )
    .ok();
    assert_eq!(out, "a b||\n");
    rsp(&env, &["rm", "-f", id]).ok();
}

/// Asserts one short `Error:` line naming a shortened 300 000-byte name.
#[track_caller]
fn assert_short_error(out: &std::process::Output, needle: &str) {
    let line = assert_one_error_line(out, needle);
    eprintln!("{} bytes: {line}", line.len());
    assert!(line.len() < 1024, "{} bytes: {line:.2000}", line.len());
    assert!(line.contains("(300000 bytes)"), "{line}");
    assert!(stderr(out).len() < 2048, "{:.3000}", stderr(out));
}

#[test]
fn issue14_huge_names_in_errors_are_shortened() {
    use crate::util::image::{ImageBuilder, Kind, Layer};
    let long = "n".repeat(300_000);
    let env = TestEnv::new();
    // A layer entry's own name, and a hard link's target.
    for (repo, layer) in [
        (
            "robustness-longname",
            Layer::new().raw_entry(long.as_bytes(), Kind::File, None, b"x"),
        ),
        (
            "robustness-longlink",
            Layer::new().file("f", 0o644, b"x").raw_entry(
                b"link",
                Kind::Hardlink,
                Some(long.as_bytes()),
                b"",
            ),
        ),
    ] {
        let pushed = ImageBuilder::new().layer(layer).push(shared(), repo, "v1");
        let out = rsp(&env, &["pull", &pushed.reference]).code(125);
        assert_short_error(&out, "nnnnnnnnnn…nnnnnnnnnn");
    }

    // An archive listing a layer by a huge name.
    let mut b = tar::Builder::new(Vec::new());
    let manifest = format!(r#"[{{"Config":"c.json","RepoTags":["x:1"],"Layers":["{long}"]}}]"#);
    let config =
        br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:0000000000000000000000000000000000000000000000000000000000000000"]}}"#;
    for (name, data) in [
        ("c.json", &config[..]),
        ("manifest.json", manifest.as_bytes()),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, data).unwrap();
    }
    let archive = env.tmp().join("long.tar");
    std::fs::write(&archive, b.into_inner().unwrap()).unwrap();
    let out = rsp(&env, &["load", "-i", archive.to_str().unwrap()]).code(125);
    assert_short_error(&out, "is listed but not in the archive");

    // A tar stream copied into a container.
    rsp(&env, &["pull", "-q", busybox()]).ok();
    let id = rsp(&env, &["create", busybox(), "true"]).ok();
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(1);
    h.set_mode(0o644);
    h.set_cksum();
    b.append_data(&mut h, &long, &b"x"[..]).unwrap();
    let out = rsp(&env, &["cp", "-", &format!("{}:/tmp", id.trim())])
        .stdin(b.into_inner().unwrap())
        .code(125);
    assert_short_error(&out, "nnnnnnnnnn…nnnnnnnnnn");
}

/// Polls `f` every 50 ms for up to `secs` seconds.
#[track_caller]
fn eventually(secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(50));
    }
}

fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|s| !matches!(s.rsplit(") ").next().map(|r| &r[..1]), Some("Z" | "X")))
}

#[test]
fn issue14_killed_monitor_means_exit_code_137() {
    let env = env_with_busybox();
    let id = rsp(
        &env,
        &["run", "-d", "--name", "m", busybox(), "sleep", "60"],
    )
    .ok();
    let id = id.trim();
    let inspect = |fmt: &str| {
        rsp(&env, &["inspect", "--format", fmt, "m"])
            .ok()
            .trim()
            .to_string()
    };
    let mon: i32 = inspect("{{.State.ConmonPid}}").parse().unwrap();
    let pid: i32 = inspect("{{.State.Pid}}").parse().unwrap();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(mon),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    eventually(10, "the container to die with its monitor", || !alive(pid));
    let ps = rsp(&env, &["ps", "-a", "--format", "{{.Names}} {{.Status}}"]).ok();
    assert!(ps.starts_with("m Exited (137) "), "{ps}");
    assert_eq!(
        inspect("{{.State.ExitCode}} {{.State.Status}}"),
        "137 exited"
    );
    // `wait` gives the same code.
    assert_eq!(rsp(&env, &["wait", "m"]).ok(), "137\n");
    // One `died` event, with the code, however many commands looked.
    let events = rsp(
        &env,
        &[
            "events",
            "--stream=false",
            "--filter",
            "event=died",
            "--format",
            "{{.ID}} {{.ContainerExitCode}}",
        ],
    )
    .ok();
    assert_eq!(events, format!("{id} 137\n"));
    rsp(&env, &["rm", "m"]).ok();
}

/// Entries of `<root>/containers` without a `container.json`: what a killed
/// create leaves.
fn orphan_dirs(env: &TestEnv) -> Vec<String> {
    let dir = env.root().join("containers");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| !e.path().join("container.json").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

/// Starts `rsp run -d` and SIGKILLs it after `delay`; returns whether it had
/// already finished.
fn run_killed_after(env: &TestEnv, delay: Duration) -> bool {
    let mut cmd = env
        .rsp()
        .args(["run", "-d", busybox(), "sleep", "30"])
        .into_command();
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().unwrap();
    thread::sleep(delay);
    let done = child.try_wait().unwrap().is_some();
    let _ = child.kill();
    let _ = child.wait();
    done
}

/// Kills `rsp run -d` at `rounds` points spread over the time a whole one
/// takes, so some die inside the creation of their container's record.
fn kill_runs_early(env: &TestEnv, rounds: u32) {
    let t = Instant::now();
    rsp(env, &["run", "-d", busybox(), "true"]).ok();
    let full = t.elapsed();
    for i in 0..rounds {
        // From a third of a whole run to all of it.
        let delay = full / 3 + full * 2 / 3 * i / rounds;
        run_killed_after(env, delay);
    }
}

/// Runs `rsp create` `n` times while `f` runs; every create must succeed.
fn creating_while(env: &TestEnv, n: usize, f: impl FnOnce()) {
    thread::scope(|s| {
        let creator = s.spawn(|| {
            for _ in 0..n {
                rsp(env, &["create", busybox(), "true"]).ok();
            }
        });
        f();
        creator.join().unwrap();
    });
}

/// A directory like the one a create killed while writing `container.json`
/// leaves.
fn plant_orphan(env: &TestEnv) -> String {
    let id = format!("{:064x}", std::process::id() as u128 * 7919 + 12345);
    let dir = env.root().join("containers").join(&id);
    for sub in ["upper", "work", "merged"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    std::fs::write(dir.join("state.json"), "{}").unwrap();
    std::fs::write(dir.join(".container.json.tmp-1-1"), "{").unwrap();
    id
}

#[test]
fn issue14_leftovers_of_killed_runs_are_removed() {
    let env = env_with_busybox();
    let runtime_leftovers = || {
        let Ok(entries) = std::fs::read_dir(env.runroot().join("containers")) else {
            return Vec::new();
        };
        entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|id| !env.root().join("containers").join(id).exists())
            .collect::<Vec<_>>()
    };
    for sweep in [
        &["rm", "-af"][..],
        &["system", "prune", "-f"][..],
        &["container", "prune", "-f"][..],
    ] {
        kill_runs_early(&env, 40);
        eprintln!(
            "{sweep:?}: {} leftovers of killed runs",
            orphan_dirs(&env).len()
        );
        let planted = plant_orphan(&env);
        // Never listed.
        let listed = rsp(&env, &["ps", "-aq", "--no-trunc"]).ok();
        assert!(!listed.contains(&planted), "{listed}");
        // Containers created meanwhile are never taken for leftovers.
        creating_while(&env, 5, || {
            rsp(&env, &["rm", "-af"]).ok();
            rsp(&env, sweep).ok();
        });
        rsp(&env, sweep).ok();
        assert_eq!(orphan_dirs(&env), Vec::<String>::new(), "after {sweep:?}");
        assert_eq!(runtime_leftovers(), Vec::<String>::new(), "after {sweep:?}");
        // What is still listed is whole.
        for id in rsp(&env, &["ps", "-aq", "--no-trunc"]).ok().lines() {
            let dir = env.root().join("containers").join(id);
            assert!(
                dir.join("upper").is_dir() && dir.join("state.json").is_file(),
                "{id}"
            );
        }
        rsp(&env, &["rm", "-af"]).ok();
    }
}

#[test]
fn issue14_rmi_force_while_containers_start() {
    let env = TestEnv::new();
    let mut outcomes: std::collections::BTreeMap<String, usize> = Default::default();
    for round in 0..12u64 {
        rsp(&env, &["pull", "-q", busybox()]).ok();
        let (rmi, runs) = thread::scope(|s| {
            // One of them --rm, which its monitor removes after a failed start.
            let runs: Vec<_> = (0..3)
                .map(|i| {
                    let env = &env;
                    s.spawn(move || {
                        let mut args = vec!["run", "-d", "--pull=never"];
                        if i == 0 {
                            args.push("--rm");
                        }
                        args.extend([busybox(), "sleep", "30"]);
                        rsp(env, &args).output()
                    })
                })
                .collect();
            thread::sleep(Duration::from_millis(4 * (round % 8)));
            let rmi = rsp(&env, &["rmi", "-f", busybox()]).output();
            let runs: Vec<_> = runs.into_iter().map(|h| h.join().unwrap()).collect();
            (rmi, runs)
        });
        assert!(rmi.status.success(), "{}", stderr(&rmi));
        for r in &runs {
            let outcome = if r.status.success() {
                // The start won: the container runs, or `rmi -f` removed it afterwards.
                let id = String::from_utf8_lossy(&r.stdout).trim().to_string();
                let st = rsp(&env, &["inspect", "--format", "{{.State.Status}}", &id]).output();
                if st.status.success() {
                    let st = String::from_utf8_lossy(&st.stdout).trim().to_string();
                    assert_eq!(st, "running", "{id}");
                    "started".to_string()
                } else {
                    "started, then removed by rmi -f".to_string()
                }
            } else {
                assert_eq!(r.status.code(), Some(125), "{}", stderr(r));
                let err = stderr(r);
                let lines: Vec<&str> = err.lines().collect();
                assert_eq!(lines.len(), 1, "{err}");
                let clear = [
                    "was removed while the container was being created",
                    "was removed while it was starting",
                    "were removed while the container was starting",
                    "image not known",
                    "no such image",
                ];
                assert!(!err.contains("ENOENT"), "{err}");
                let Some(clear) = clear.iter().find(|c| err.contains(*c)) else {
                    panic!("unclear: {err}");
                };
                clear.to_string()
            };
            *outcomes.entry(outcome).or_default() += 1;
        }
        rsp(&env, &["rm", "-af"]).ok();
    }
    for (k, n) in &outcomes {
        eprintln!("{n:3} {k:.200}");
    }
    // Nothing is left of the image once its containers are gone.
    let layers = std::fs::read_dir(env.root().join("layers"))
        .unwrap()
        .count();
    assert_eq!(layers, 0);
}

/// `Basic` credentials as a header value.
fn basic(user: &str, password: &str) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {b64}")
}

#[test]
fn issue14_pull_through_a_token_service_renews_expired_tokens() {
    use std::sync::Mutex;
    let built = busybox_image().build();
    let manifest_path = "/v2/tok/manifests/latest".to_string();
    let blobs: Vec<(String, Arc<Vec<u8>>)> = std::iter::once(&built.config)
        .chain(&built.layers)
        .map(|b| (format!("/v2/tok/blobs/{}", b.digest), b.data.clone()))
        .collect();
    let (manifest, manifest_type) = (built.manifest.clone(), built.manifest_media_type.clone());
    // Tokens issued so far, and how often the newest was used: each token is
    // good for two requests, so a pull needs a new one half-way.
    let tokens = Arc::new(Mutex::new((0u32, 0u32)));
    let log = Arc::new(Mutex::new(Vec::<String>::new()));
    let (t, l) = (tokens.clone(), log.clone());
    let stand_in = StandIn::start(move |req| {
        let mut tokens = t.lock().unwrap();
        l.lock().unwrap().push(req.path.clone());
        if req.path.starts_with("/token?") {
            if req.authorization.as_deref() != Some(basic("u", "p").as_str())
                || !req.path.contains("scope=repository%3Atok%3Apull")
            {
                return Reply::json(401, "{}");
            }
            *tokens = (tokens.0 + 1, 0);
            return Reply::json(200, &format!(r#"{{"token":"tok-{}"}}"#, tokens.0));
        }
        let valid = format!("Bearer tok-{}", tokens.0);
        if tokens.0 == 0 || req.authorization.as_deref() != Some(valid.as_str()) || tokens.1 >= 2 {
            return Reply::Full {
                status: 401,
                headers: vec![(
                    "WWW-Authenticate".into(),
                    format!(
                        r#"Bearer realm="http://{}/token",service="s",scope="repository:tok:pull""#,
                        req.addr
                    ),
                )],
                body: br#"{"errors":[{"code":"UNAUTHORIZED","message":"token"}]}"#.to_vec(),
            };
        }
        tokens.1 += 1;
        if req.path == manifest_path {
            return Reply::Full {
                status: 200,
                headers: vec![("Content-Type".into(), manifest_type.clone())],
                body: manifest.clone(),
            };
        }
        match blobs.iter().find(|(p, _)| *p == req.path) {
            Some((_, data)) => Reply::Full {
                status: 200,
                headers: vec![],
                body: data.to_vec(),
            },
            None => Reply::json(
                404,
                r#"{"errors":[{"code":"BLOB_UNKNOWN","message":"no"}]}"#,
            ),
        }
    });
    let env = TestEnv::new();
    let reference = format!("{}/tok:latest", stand_in.addr);
    // Wrong credentials: the token service refuses, in one line.
    let out = rsp(&env, &["pull", "--creds", "u:wrong", &reference]).code(125);
    assert_one_error_line(&out, "access denied");
    assert!(!stderr(&out).contains("wrong"), "{}", stderr(&out));
    let id = rsp(&env, &["pull", "-q", "--creds", "u:p", &reference]).ok();
    assert_eq!(id.trim(), built.config.digest.trim_start_matches("sha256:"));
    let issued = tokens.lock().unwrap().0;
    assert!(issued >= 2, "one token per two requests: {issued} issued");
    drop(stand_in);
    let log = log.lock().unwrap();
    assert!(log.len() < 40, "{log:?}");
}

/// Two stores share one runroot (`--root` alone changes): sweeping one
/// never touches the other's runtime directories, running or stopped.
#[test]
fn issue14_sweeps_leave_another_stores_runtime_dirs_alone() {
    let env = env_with_busybox();
    let other_root = env.dir.path().join("other-root");
    let other = |args: &[&str]| {
        env.rsp_bare()
            .arg("--root")
            .arg(&other_root)
            .arg("--runroot")
            .arg(env.runroot())
            .args(args)
    };
    other(&["pull", "-q", busybox()]).ok();
    let running = other(&["run", "-d", busybox(), "sleep", "60"]).ok();
    let stopped = other(&["run", "-d", busybox(), "true"]).ok();
    other(&["wait", stopped.trim()]).ok();
    let run_dir = |id: &str| env.runroot().join("containers").join(id.trim());
    assert!(run_dir(&running).is_dir() && run_dir(&stopped).is_dir());
    for sweep in [
        &["rm", "-af"][..],
        &["system", "prune", "-f"][..],
        &["container", "prune", "-f"][..],
    ] {
        rsp(&env, sweep).ok();
        assert!(run_dir(&running).is_dir(), "after {sweep:?}");
        assert!(run_dir(&stopped).is_dir(), "after {sweep:?}");
    }
    other(&["rm", "-af"]).ok();
}
