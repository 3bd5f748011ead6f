//! The per-container monitor: rsp re-executed as a small single-threaded
//! process that starts the container and stays its parent. It holds the
//! container's stdio (pipes, or the pty for `-t`), writes the log file,
//! serves attach clients over a unix socket in the container's runtime
//! directory, records the exit code, carries out the restart policy and
//! `--rm`, and exits when the container is done for good.
//!
//! Contract: there is at most one monitor per container (an flock on
//! `monitor.lock` in the runtime directory). It runs in its own session
//! with no terminal, so it outlives the `rsp` that started it, a closed
//! terminal and the end of a login session. If the monitor is killed, the
//! container dies with it (its parent-death signal) and every command
//! reconciles the state to `exited`. The monitor never blocks on a client:
//! a slow client only slows the container's output (backpressure), and a
//! dead one is dropped.

use super::container::{self, ContainerConfig, RestartPolicy, StartWarning, State, Status};
use super::{ChildIo, RuntimeError, Spawned, proto};
use crate::logs::{LogWriter, Stream};
use nix::fcntl::{FcntlArg, FdFlag, OFlag, fcntl};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{SigSet, SigmaskHow, Signal, sigprocmask};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;
use rsp_base::paths::Paths;
use rsp_storage::Store;
use rsp_sys::spawn::{Spawn, SpawnError};
use std::ffi::{CString, OsString};
use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// argv[1] that makes rsp a monitor instead of a command-line tool.
pub const ARG: &str = "__monitor";

/// Output held for one client before the container's output is paused.
const CLIENT_HIGH_WATER: usize = 1 << 20;
/// Stdin held for the container before clients stop being read.
const STDIN_HIGH_WATER: usize = 256 << 10;

/// What the starter asks for.
#[derive(Clone, Copy, Debug, Default)]
pub struct SpawnOptions<'a> {
    /// A build step: the monitor (and with it the container) dies with
    /// the caller, its stdin is `/dev/null`, and with `output` the
    /// container's stdout and stderr go there (with `passthrough`).
    pub tied: bool,
    pub output: Option<&'a OwnedFd>,
    /// Hand back a client connected before the container runs, so none of
    /// its output is missed.
    pub attach: bool,
    /// Give the container the caller's own stdio (`--log-driver passthrough`).
    pub passthrough: bool,
}

pub enum Launch {
    Started {
        pid: i32,
        client: Option<UnixStream>,
        /// What did not go as asked, though the container runs.
        warnings: Vec<StartWarning>,
    },
    /// Another monitor already runs this container.
    AlreadyRunning,
}

/// The runtime directory of a container.
pub fn run_dir(paths: &Paths, id: &str) -> PathBuf {
    paths.runroot.join("containers").join(id)
}

/// The monitor's socket path. Socket paths are limited to 108 bytes, and
/// runtime directories can be deep: connect and bind through a short
/// `/proc/self/fd/N/` path of the opened directory.
fn with_socket_path<T>(
    dir: &Path,
    f: impl FnOnce(&Path) -> std::io::Result<T>,
) -> std::io::Result<T> {
    let d = nix::fcntl::open(
        dir,
        OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        nix::sys::stat::Mode::empty(),
    )?;
    f(Path::new(&format!(
        "/proc/self/fd/{}/attach",
        d.as_raw_fd()
    )))
}

/// Connects to a running container's monitor.
pub fn connect(paths: &Paths, id: &str) -> std::io::Result<UnixStream> {
    with_socket_path(&run_dir(paths, id), |p| UnixStream::connect(p))
}

/// Why a container cannot be connected: it has no place in the
/// networks' user namespace.
pub(crate) fn not_bridged(cfg: &ContainerConfig) -> String {
    format!(
        "container {} uses --network {}: only containers created on a user-defined network (--network NAME) can be connected to others",
        cfg.name,
        cfg.network.as_str()
    )
}

/// Starts the monitor for container `id` and waits until the container's
/// command has been executed (or failed to be).
///
/// The caller must be single-threaded, or the start is refused (see
/// [`Spawn::start`]).
pub fn spawn(paths: &Paths, id: &str, opts: SpawnOptions<'_>) -> Result<Launch, RuntimeError> {
    paths
        .ensure_runroot()
        .map_err(|e| RuntimeError::UserNs(e.to_string()))?;
    let fork_err = |e: nix::Error| RuntimeError::Fork(e.into());
    let (status_r, status_w) = nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(fork_err)?;
    let pair = if opts.attach {
        Some(UnixStream::pair().map_err(RuntimeError::Fork)?)
    } else {
        None
    };
    let mut argv: Vec<CString> = vec![
        CString::new("rsp").expect("no NUL"),
        CString::new(ARG).expect("no NUL"),
    ];
    let client_fd = pair
        .as_ref()
        .map(|(_, theirs)| theirs.as_raw_fd())
        .unwrap_or(-1);
    for a in [
        paths.root.as_os_str().to_owned(),
        paths.runroot.as_os_str().to_owned(),
        OsString::from(id),
        OsString::from(status_w.as_raw_fd().to_string()),
        OsString::from(client_fd.to_string()),
        OsString::from(if opts.passthrough { "p" } else { "-" }),
        // The user's terminal size, for a container with a terminal to
        // start with.
        OsString::from(
            super::tty::host_winsize()
                .filter(|_| opts.attach)
                .map(|w| format!("{}x{}", w.rows, w.cols))
                .unwrap_or_else(|| "-".into()),
        ),
    ] {
        argv.push(CString::new(a.as_bytes()).map_err(|e| RuntimeError::Fork(e.into()))?);
    }
    // The monitor's environment is copied into every process it forks,
    // the container's own first process and `--init`'s pid 1 included:
    // nothing of the user's may be in it, only what the monitor reads.
    let env = monitor_env();
    // rsp's executable, write-protected: the container's first process
    // and pid 1 are forked from the monitor and run from the same image.
    rsp_sys::exe::prepare().map_err(RuntimeError::SealedExe)?;
    let (client, theirs) = match pair {
        Some((ours, theirs)) => (Some(ours), Some(theirs)),
        None => (None, None),
    };
    // Nobody reads its error pipe: a monitor that could not be executed
    // closes its status pipe without a word, and exits with 127.
    let spawn = if opts.tied {
        Spawn::new().die_with_parent()
    } else {
        Spawn::new()
    };
    let started = spawn.start(|_| {
        // Nothing our caller left open (a test harness's pipe, a make
        // jobserver) may live on in the monitor for the container's life.
        let _ = rsp_sys::cloexec_from(3);
        let _ = fcntl(&status_w, FcntlArg::F_SETFD(FdFlag::empty()));
        if let Some(theirs) = &theirs {
            let _ = fcntl(theirs, FcntlArg::F_SETFD(FdFlag::empty()));
        }
        if !opts.passthrough
            && let Ok(null) =
                nix::fcntl::open("/dev/null", OFlag::O_RDWR, nix::sys::stat::Mode::empty())
        {
            let _ = nix::unistd::dup2_stdin(&null);
            let _ = nix::unistd::dup2_stdout(&null);
            let _ = nix::unistd::dup2_stderr(&null);
        }
        if opts.tied
            && let Ok(null) =
                nix::fcntl::open("/dev/null", OFlag::O_RDONLY, nix::sys::stat::Mode::empty())
        {
            let _ = nix::unistd::dup2_stdin(&null);
        }
        if let Some(out) = opts.output {
            let _ = nix::unistd::dup2_stdout(out);
            let _ = nix::unistd::dup2_stderr(out);
        }
        let _ = nix::unistd::setsid();
        let e = rsp_sys::exe::exec_self(&argv, &env);
        Err(super::ChildFailure::new(
            127,
            format!("executing the monitor: {e}"),
        ))
    });
    match started {
        Ok(_) => {}
        Err(SpawnError::Clone(e)) => return Err(RuntimeError::Fork(e)),
        Err(e) => return Err(RuntimeError::Spawn(e)),
    }
    drop((status_w, theirs));
    let mut msg = Vec::new();
    let _ = std::fs::File::from(status_r).read_to_end(&mut msg);
    match msg.first() {
        Some(b'R') => {
            let text = String::from_utf8_lossy(&msg[1..]);
            let (pid, warnings) = text.split_once('\n').unwrap_or((&text, ""));
            Ok(Launch::Started {
                pid: pid.trim().parse().unwrap_or(0),
                client,
                warnings: serde_json::from_str(warnings).unwrap_or_default(),
            })
        }
        Some(b'A') => Ok(Launch::AlreadyRunning),
        Some(b'E') if msg.len() >= 2 => Err(RuntimeError::Child {
            code: msg[1] as i32,
            message: String::from_utf8_lossy(&msg[2..]).into_owned(),
        }),
        _ => Err(RuntimeError::MonitorEnded),
    }
}

/// The variables a monitor reads from its environment; everything else
/// of the caller's stays out of it.
const MONITOR_ENV: &[&str] = &["RSP_RESOLV_CONF"];

fn monitor_env() -> Vec<CString> {
    MONITOR_ENV
        .iter()
        .filter_map(|k| {
            let v = std::env::var_os(k)?;
            let mut kv = k.as_bytes().to_vec();
            kv.push(b'=');
            kv.extend_from_slice(v.as_bytes());
            CString::new(kv).ok()
        })
        .collect()
}

/// Monitor entry point: `rsp __monitor ROOT RUNROOT ID STATUS_FD CLIENT_FD FLAGS WINSIZE`.
pub fn main(args: &[OsString]) -> i32 {
    let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
    let fd = |i: usize| {
        arg(i)
            .to_str()
            .and_then(|s| s.parse::<i32>().ok())
            .and_then(rsp_sys::inherited_fd)
    };
    let status = fd(3);
    let client = fd(4);
    let passthrough = arg(5) == "p";
    let winsize = arg(6).to_str().and_then(|s| {
        let (r, c) = s.split_once('x')?;
        Some(rsp_sys::WinSize {
            rows: r.parse().ok()?,
            cols: c.parse().ok()?,
        })
    });
    let root = PathBuf::from(arg(0));
    let runroot = PathBuf::from(arg(1));
    let id = arg(2).to_string_lossy().into_owned();
    let report = |status: Option<OwnedFd>, msg: &[u8]| {
        if let Some(s) = status {
            let _ = std::fs::File::from(s).write_all(msg);
        }
    };
    // An error of rsp's own, before the container ran: exit code 125.
    let fail = |status: Option<OwnedFd>, e: &dyn std::fmt::Display| {
        // 'E', then the exit code as one byte: 125 is '}'.
        report(status, format!("E}}{e}").as_bytes());
        125
    };
    let _ = std::env::set_current_dir("/");
    let setup = Paths::resolve(Some(&root), Some(&runroot))
        .map_err(|e| e.to_string())
        .and_then(|p| {
            Store::open(&p.root)
                .map(|s| (p, s))
                .map_err(|e| e.to_string())
        })
        .and_then(|(p, s)| {
            container::load(&s, &id)
                .map(|c| (p, s, c.config))
                .map_err(|e| e.to_string())
        });
    let (paths, store, cfg) = match setup {
        Ok(x) => x,
        Err(e) => {
            return fail(status, &e);
        }
    };
    let dir = run_dir(&paths, &id);
    let _ = std::fs::create_dir_all(&dir);
    let lock = match std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("monitor.lock"))
        .map_err(|e| nix::Error::from_raw(e.raw_os_error().unwrap_or(libc::EIO)))
        .and_then(|f| {
            nix::fcntl::Flock::lock(f, nix::fcntl::FlockArg::LockExclusiveNonblock)
                .map_err(|(_, e)| e)
        }) {
        Ok(l) => l,
        Err(nix::Error::EWOULDBLOCK) => {
            report(status, b"A");
            return 0;
        }
        Err(e) => return fail(status, &format!("locking {}: {e}", dir.display())),
    };
    // Which store this runtime directory belongs to: runroots are shared
    // between stores (`--root`), and only its own store may sweep it.
    let _ = std::fs::write(
        dir.join(container::STORE_MARKER),
        paths.root.as_os_str().as_bytes(),
    );
    let m = Monitor::new(paths, store, cfg, client, passthrough).map(|mut m| {
        m.winsize = winsize;
        m
    });
    let mut m = match m {
        Ok(m) => m,
        Err(e) => {
            return fail(status, &e);
        }
    };
    match m.start_container() {
        Ok(pid) => {
            // The pid, then the warnings as JSON on a line of their own.
            let warnings = serde_json::to_string(&m.warnings).unwrap_or_default();
            report(status, format!("R{pid}\n{warnings}").as_bytes());
            // Start-up ran most of rsp; the loop from here on runs little
            // of it: do not keep the rest resident for the container's life.
            let _ = rsp_sys::release_code_pages();
        }
        Err(e) => {
            let code = e.exit_code();
            // Removed from under us (`rmi -f`, `rm -f`): that, not what failed for it,
            // is the error; checked before a --rm cleanup removes the record itself.
            let e = match m.store.container_dir(&id).join("container.json").exists() {
                false if code == 125 => super::RuntimeError::RemovedWhileStarting(id.clone()),
                _ => e,
            };
            let mut msg = vec![b'E', code as u8];
            msg.extend_from_slice(e.to_string().as_bytes());
            m.finish_failed_start(code);
            report(status, &msg);
            drop(lock);
            return 0;
        }
    }
    let code = m.run();
    drop(lock);
    code
}

struct Client {
    sock: UnixStream,
    inbuf: Vec<u8>,
    outbuf: Vec<u8>,
    flags: Option<u8>,
    /// Output that came before the client said what it wants.
    held: Vec<(u8, Vec<u8>)>,
    dead: bool,
}

impl Client {
    fn new(sock: UnixStream) -> Client {
        let _ = sock.set_nonblocking(true);
        Client {
            sock,
            inbuf: Vec::new(),
            outbuf: Vec::new(),
            flags: None,
            held: Vec::new(),
            dead: false,
        }
    }

    fn wants(&self, bit: u8) -> bool {
        self.flags.is_some_and(|f| f & bit != 0)
    }

    fn flush(&mut self) {
        while !self.outbuf.is_empty() && !self.dead {
            match self.sock.write(&self.outbuf) {
                Ok(0) => self.dead = true,
                Ok(n) => {
                    self.outbuf.drain(..n);
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => self.dead = true,
            }
        }
    }
}

struct Monitor {
    paths: Paths,
    store: Store,
    cfg: ContainerConfig,
    passthrough: bool,
    listener: UnixListener,
    sigfd: SignalFd,
    old_mask: SigSet,
    log: Option<LogWriter>,
    clients: Vec<Client>,
    /// The running container, while there is one.
    pid: Option<Pid>,
    /// Output sources: stdout pipe or pty master, stderr pipe.
    out: Option<OwnedFd>,
    err: Option<OwnedFd>,
    /// Where stdin goes: the stdin pipe, or a second handle on the master.
    stdin: Option<OwnedFd>,
    stdin_pending: Vec<u8>,
    stdin_eof: bool,
    master: Option<OwnedFd>,
    exit: Option<i32>,
    drain_until: Option<Instant>,
    restart_at: Option<Instant>,
    stopping: bool,
    restarts: u32,
    /// Doublings of the restart delay so far.
    backoff: u32,
    started: Instant,
    cgroup: Option<super::cgroup::Cgroup>,
    /// Its cgroups in v1 hierarchies, for the limits of controllers
    /// bound to v1 (hybrid layouts).
    cgroups_v1: Vec<super::cgroup::CgroupV1>,
    winsize: Option<rsp_sys::WinSize>,
    /// Published ports, bound before the first start and kept across
    /// restarts so no other process can take them meanwhile.
    ports: Option<rsp_net::forward::Listeners>,
    /// The network stack of the running container (`--network slirp`).
    net: Option<super::network::NetThread>,
    /// The FUSE server of the container's root filesystem (fuse-overlay).
    fuse: Option<rsp_storage::fuse::Server>,
    /// Its place on its user-defined network (see `bridge`).
    bridge: Vec<super::bridge::Joined>,
    /// The container's network namespace, on user-defined networks.
    ctr_netns: Option<OwnedFd>,
    /// The networks whose names its stack answers (shared with the stack).
    dns_networks: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    /// The ownership supervisor of the current run (`--owners image`).
    owners: Option<std::process::Child>,
    /// What did not go as asked when the current run started.
    warnings: Vec<StartWarning>,
}

fn nonblocking(fd: &OwnedFd) {
    if let Ok(fl) = fcntl(fd, FcntlArg::F_GETFL) {
        let _ = fcntl(
            fd,
            FcntlArg::F_SETFL(OFlag::from_bits_truncate(fl) | OFlag::O_NONBLOCK),
        );
    }
}

fn cloexec_pipe() -> Result<(OwnedFd, OwnedFd), RuntimeError> {
    nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(|e| RuntimeError::Fork(e.into()))
}

impl Monitor {
    fn new(
        paths: Paths,
        store: Store,
        cfg: ContainerConfig,
        client: Option<OwnedFd>,
        passthrough: bool,
    ) -> Result<Monitor, String> {
        let mut old_mask = SigSet::empty();
        sigprocmask(
            SigmaskHow::SIG_BLOCK,
            Some(&super::relayed_signals(true)),
            Some(&mut old_mask),
        )
        .map_err(|e| format!("blocking signals: {e}"))?;
        let sigfd = SignalFd::with_flags(&super::relayed_signals(true), SfdFlags::SFD_CLOEXEC)
            .map_err(|e| format!("creating a signalfd: {e}"))?;
        let dir = run_dir(&paths, &cfg.id);
        let listener = with_socket_path(&dir, |p| {
            let _ = std::fs::remove_file(p);
            UnixListener::bind(p)
        })
        .map_err(|e| format!("listening on {}/attach: {e}", dir.display()))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| format!("listening on {}/attach: {e}", dir.display()))?;
        let log = if cfg.logs_enabled() && !passthrough {
            let path = cfg.log_path(&store);
            Some(
                LogWriter::open(&path, cfg.log_max_size)
                    .map_err(|e| e.to_string())?
                    .rotating(cfg.log_max_file),
            )
        } else {
            None
        };
        let clients = client
            .map(|fd| vec![Client::new(UnixStream::from(fd))])
            .unwrap_or_default();
        Ok(Monitor {
            paths,
            store,
            cfg,
            passthrough,
            listener,
            sigfd,
            old_mask,
            log,
            clients,
            pid: None,
            out: None,
            err: None,
            stdin: None,
            stdin_pending: Vec::new(),
            stdin_eof: false,
            master: None,
            exit: None,
            drain_until: None,
            restart_at: None,
            stopping: false,
            restarts: 0,
            backoff: 0,
            started: Instant::now(),
            cgroup: None,
            cgroups_v1: Vec::new(),
            winsize: None,
            ports: None,
            net: None,
            fuse: None,
            bridge: Vec::new(),
            ctr_netns: None,
            dns_networks: Default::default(),
            owners: None,
            warnings: Vec::new(),
        })
    }

    /// Starts (or restarts) the container; returns its host pid.
    fn start_container(&mut self) -> Result<i32, RuntimeError> {
        let mut tty_sock = None;
        let io = if self.passthrough {
            ChildIo::Inherit
        } else if self.cfg.tty {
            let (ours, theirs) = UnixStream::pair().map_err(RuntimeError::Fork)?;
            tty_sock = Some(OwnedFd::from(ours));
            ChildIo::Tty(OwnedFd::from(theirs))
        } else {
            let (out_r, out_w) = cloexec_pipe()?;
            let (err_r, err_w) = cloexec_pipe()?;
            let stdin = if self.cfg.interactive {
                let (in_r, in_w) = cloexec_pipe()?;
                nonblocking(&in_w);
                self.stdin = Some(in_w);
                Some(in_r)
            } else {
                None
            };
            nonblocking(&out_r);
            nonblocking(&err_r);
            self.out = Some(out_r);
            self.err = Some(err_r);
            ChildIo::Pipes {
                stdin,
                stdout: out_w,
                stderr: err_w,
            }
        };
        // A restart: the last run's stack and file server must be gone
        // before the fork (the child must not inherit threads). The server
        // ends by itself once the last run's mount namespace is gone.
        self.net = None;
        if let Some(f) = self.fuse.take() {
            let _ = f.join();
        }
        if self.ports.is_none() && self.cfg.network.uses_stack() && !self.cfg.ports.is_empty() {
            self.ports = Some(rsp_net::forward::Listeners::bind(&self.cfg.ports)?);
        }
        let (store, id) = (&self.store, self.cfg.id.clone());
        let restarts = self.restarts;
        // Its own cgroup (v2) where the user has one delegated: the freezer
        // and exact usage figures; elsewhere signals and /proc do.
        // Limits go in before the container's first process joins it;
        // limits that were asked for and cannot be written fail the start
        // (the default pids limit is applied where it can be).
        // `update` may have changed them since this monitor read them.
        if let Ok(c) = container::load(&self.store, &id) {
            self.cfg.limits = c.config.limits;
        }
        let asked = !self.cfg.limits.controllers().is_empty();
        self.cgroup = None;
        self.cgroups_v1.clear();
        if !self.cfg.no_cgroup {
            let name = format!("rsp-{}", &id[..12]);
            let placement = super::cgroup::placement();
            if let Ok(p) = &placement
                && let Ok(cg) = super::cgroup::Cgroup::create(&p.parent, &name)
            {
                let applied = cg.apply(&self.cfg.limits, &p.controllers);
                self.cgroup = Some(cg);
                if asked {
                    applied?;
                }
                // Controllers bound to v1 hierarchies: a cgroup in each.
                // Limits asked for that cannot be written there fail the
                // start; the default pids limit goes where it can.
                for (dir, controllers) in &p.v1 {
                    let made = super::cgroup::CgroupV1::create(dir, &name);
                    match made.and_then(|m| m.apply(&self.cfg.limits).map(|()| m)) {
                        Ok(m) => self.cgroups_v1.push(m),
                        Err(e)
                            if self
                                .cfg
                                .limits
                                .controllers()
                                .iter()
                                .any(|(c, _)| controllers.contains(c)) =>
                        {
                            // finish_failed_start or container_done
                            // removes the cgroups made so far.
                            return Err(e.into());
                        }
                        Err(_) => {}
                    }
                }
            }
            if asked && self.cgroup.is_none() {
                // What `create` checked has changed since (another cgroup).
                super::spec::check_limits(&self.cfg.limits, false).map_err(Box::new)?;
            }
        }
        let cgroup = self.cgroup.clone();
        let cgroups_v1 = self.cgroups_v1.clone();
        let mut record = |pid: i32, pid_start: u64| {
            let cg_path = cgroup
                .as_ref()
                .filter(|cg| cg.add(pid).is_ok())
                .map(|cg| cg.path().display().to_string())
                .unwrap_or_default();
            let v1_paths: Vec<String> = cgroups_v1
                .iter()
                .filter(|m| m.add(pid).is_ok())
                .map(|m| m.path().display().to_string())
                .collect();
            let _ = container::update_state(store, &id, |s| {
                *s = State {
                    status: Status::Running,
                    pid,
                    pid_start,
                    cmd_pid: 0,
                    started_at: Some(container::now_rfc3339()),
                    finished_at: None,
                    exit_code: 0,
                    monitor_pid: std::process::id() as i32,
                    monitor_start: container::process_start_time(std::process::id() as i32)
                        .unwrap_or(0),
                    restart_count: restarts,
                    pause_method: String::new(),
                    cgroup: cg_path.clone(),
                    cgroup_v1: v1_paths.clone(),
                    ..State::default()
                };
            });
        };
        let Spawned {
            pid,
            ns_pid,
            master,
            tap,
            netns,
            fuse,
            bridge,
            ctr_netns,
            owners,
            owners_refused,
        } = super::spawn_container(
            &self.store,
            &self.paths,
            &self.cfg,
            io,
            tty_sock.map(|s| (s, self.winsize)),
            &self.old_mask,
            &mut record,
        )?;
        self.fuse = fuse;
        // The last run's place goes only now: held across the join, it
        // kept the network's namespaces (which we are in) alive for it.
        self.bridge = bridge;
        self.ctr_netns = ctr_netns;
        self.set_dns_networks();
        self.warnings = owners_refused
            .map(|reason| StartWarning::OwnersNotEmulated { reason })
            .into_iter()
            .collect();
        if ns_pid != pid || !self.warnings.is_empty() {
            let warnings = self.warnings.clone();
            let _ = container::update_state(&self.store, &self.cfg.id, |s| {
                s.cmd_pid = if ns_pid != pid { ns_pid } else { s.cmd_pid };
                s.warnings = warnings;
            });
        }
        // Started before the command's exec, which it answers.
        self.owners = owners;
        if let Some(tap) = tap {
            // On a user-defined network, its members' names are answered
            // first (unless it has no DNS), and nothing else goes out of
            // an internal one.
            let names = (!self.bridge.is_empty()).then(|| {
                let (paths, nets) = (self.paths.clone(), self.dns_networks.clone());
                let resolve: rsp_net::stack::Names = Box::new(move |n: &str| {
                    let nets = nets.lock().map(|v| v.clone()).unwrap_or_default();
                    super::bridge::resolve_any(&paths, &nets, n)
                });
                (resolve, self.bridge.iter().all(|j| j.network.internal))
            });
            match super::network::NetThread::start(
                tap,
                netns,
                &self.cfg,
                self.ports.as_ref(),
                names,
            ) {
                Ok(n) => self.net = Some(n),
                Err(e) => {
                    let _ = nix::sys::signal::kill(Pid::from_raw(pid), Signal::SIGKILL);
                    let _ = waitpid(Pid::from_raw(pid), None);
                    return Err(e);
                }
            }
        }
        if let Some(m) = master {
            nonblocking(&m);
            self.stdin = if self.cfg.interactive {
                m.try_clone().ok()
            } else {
                None
            };
            self.out = Some(m.try_clone().map_err(RuntimeError::Fork)?);
            self.master = Some(m);
        }
        self.pid = Some(Pid::from_raw(pid));
        self.exit = None;
        self.stdin_eof = false;
        self.stdin_pending.clear();
        self.started = Instant::now();
        super::event(
            &self.store,
            &self.cfg,
            if self.restarts > 0 {
                "restart"
            } else {
                "start"
            },
            None,
        );
        Ok(pid)
    }

    /// `network connect`: a new interface on `req.network` for the running
    /// container (its monitor is in the networks' user namespace, which
    /// the container's is inside); only the record for a stopped one.
    fn connect_network(&mut self, req: proto::NetRequest) -> Result<(), String> {
        if self.cfg.networks.contains(&req.network) {
            return Err(format!(
                "container {} is already connected to network {}",
                self.cfg.name, req.network
            ));
        }
        if self.pid.is_some() {
            let Some(ns) = &self.ctr_netns else {
                return Err(not_bridged(&self.cfg));
            };
            let net = super::networks::get(&self.store, &req.network).map_err(|e| e.to_string())?;
            let u = super::bridge::enter_shared_userns(&self.paths).map_err(|e| {
                format!("{e}: the container's monitor cannot join the networks' user namespace now; stop and start the container, then connect it")
            })?;
            let ifname = (0..)
                .map(|i| format!("eth{i}"))
                .find(|n| !self.bridge.iter().any(|j| &j.ifname == n))
                .unwrap_or_default();
            let mut aliases = self.cfg.network_aliases.clone();
            aliases.extend(req.aliases);
            let j = super::bridge::join(
                &self.paths,
                &u,
                &net,
                &ifname,
                &self.cfg.id,
                &self.cfg.name,
                &aliases,
                req.ip,
            )
            .map_err(|e| e.to_string())?;
            drop(u);
            j.attach_running(ns.as_fd()).map_err(|e| e.to_string())?;
            self.bridge.push(j);
            self.set_dns_networks();
        }
        self.cfg.networks.push(req.network);
        Ok(())
    }

    /// `network disconnect`: the container's interface on `network` goes.
    fn disconnect_network(&mut self, network: &str) -> Result<(), String> {
        if !self.cfg.networks.iter().any(|n| n == network) {
            return Err(format!(
                "container {} is not connected to network {network}",
                self.cfg.name
            ));
        }
        if let Some(at) = self.bridge.iter().position(|j| j.network.name == network) {
            let j = self.bridge.remove(at);
            let r = j.detach().map_err(|e| e.to_string());
            drop(j);
            self.set_dns_networks();
            r?;
        }
        self.cfg.networks.retain(|n| n != network);
        Ok(())
    }

    /// The networks whose member names its stack answers: those it is on
    /// that have DNS.
    fn set_dns_networks(&self) {
        let nets = self
            .bridge
            .iter()
            .filter(|j| j.network.dns_enabled)
            .map(|j| j.network.name.clone())
            .collect();
        if let Ok(mut v) = self.dns_networks.lock() {
            *v = nets;
        }
    }

    /// The command could not be started: record it, and remove the
    /// container if it was `--rm`.
    fn finish_failed_start(&mut self, code: i32) {
        if let Some(cg) = self.cgroup.take() {
            let _ = cg.remove();
        }
        for m in self.cgroups_v1.drain(..) {
            let _ = m.remove();
        }
        self.record_exit(code);
        if self.cfg.remove {
            let _ = super::remove_files(&self.store, &self.paths, &self.cfg.id, true);
        }
    }

    fn record_exit(&self, code: i32) {
        // Read before the cgroup goes: it is new for every run, so any
        // count is this run's.
        let oom_killed = self.cgroup.as_ref().is_some_and(|cg| cg.oom_kills() > 0)
            || self.cgroups_v1.iter().any(|m| m.oom_kills() > 0);
        if oom_killed {
            super::event(&self.store, &self.cfg, "oom", None);
        }
        let _ = container::update_state(&self.store, &self.cfg.id, |s| {
            s.oom_killed = oom_killed;
            s.restarting = false;
            s.status = Status::Exited;
            s.pid = 0;
            s.pid_start = 0;
            s.cmd_pid = 0;
            s.exit_code = code;
            s.finished_at = Some(container::now_rfc3339());
            s.pause_method.clear();
            s.restart_count = self.restarts;
        });
        super::event(&self.store, &self.cfg, "died", Some(code));
    }

    fn broadcast(&mut self, kind: u8, data: &[u8]) {
        let want = match kind {
            proto::STDOUT => proto::WANT_STDOUT,
            proto::STDERR => proto::WANT_STDERR,
            _ => 0,
        };
        for c in &mut self.clients {
            if c.flags.is_none() {
                if kind != proto::EXIT {
                    c.held.push((kind, data.to_vec()));
                    continue;
                }
                // Ending before the client spoke: it gets everything.
                for (k, d) in std::mem::take(&mut c.held) {
                    proto::encode(k, &d, &mut c.outbuf);
                }
            }
            if kind == proto::EXIT || c.wants(want) {
                proto::encode(kind, data, &mut c.outbuf);
                c.flush();
            }
        }
    }

    /// Reads what the container wrote on `which` (0 stdout, 1 stderr).
    fn pump_output(&mut self, which: usize, buf: &mut [u8]) {
        let fd = if which == 0 { &self.out } else { &self.err };
        let Some(fd) = fd else { return };
        match nix::unistd::read(fd, buf) {
            Ok(0) | Err(nix::Error::EIO) => {
                if which == 0 {
                    self.out = None;
                } else {
                    self.err = None;
                }
            }
            Ok(n) => {
                let (stream, kind) = if which == 0 {
                    (Stream::Stdout, proto::STDOUT)
                } else {
                    (Stream::Stderr, proto::STDERR)
                };
                if let Some(log) = &mut self.log {
                    let _ = log.write(stream, &buf[..n]);
                }
                let data = buf[..n].to_vec();
                self.broadcast(kind, &data);
            }
            Err(nix::Error::EAGAIN) | Err(nix::Error::EINTR) => {}
            Err(_) => {
                if which == 0 {
                    self.out = None;
                } else {
                    self.err = None;
                }
            }
        }
    }

    fn handle_client_frames(&mut self, i: usize) {
        loop {
            let frame = match proto::take_frame(&mut self.clients[i].inbuf) {
                Ok(Some(f)) => f,
                Ok(None) => return,
                Err(_) => {
                    self.clients[i].dead = true;
                    return;
                }
            };
            let c = &mut self.clients[i];
            match frame {
                (proto::HELLO, p) => {
                    c.flags = Some(p.first().copied().unwrap_or(0));
                    for (kind, data) in std::mem::take(&mut c.held) {
                        let want = if kind == proto::STDOUT {
                            proto::WANT_STDOUT
                        } else {
                            proto::WANT_STDERR
                        };
                        if c.wants(want) {
                            proto::encode(kind, &data, &mut c.outbuf);
                        }
                    }
                    c.flush();
                }
                (proto::STDIN, p) if c.wants(proto::WANT_STDIN) => {
                    self.stdin_pending.extend_from_slice(&p)
                }
                (proto::STDIN_EOF, _) if c.wants(proto::WANT_STDIN) => {
                    if self.master.is_some() {
                        // A terminal has no half-close: end-of-file is ^D.
                        self.stdin_pending.push(4);
                    } else {
                        self.stdin_eof = true;
                    }
                }
                (proto::RESIZE, p) if p.len() == 4 => {
                    if let Some(m) = &self.master {
                        let ws = rsp_sys::WinSize {
                            rows: u16::from_le_bytes([p[0], p[1]]),
                            cols: u16::from_le_bytes([p[2], p[3]]),
                        };
                        let _ = rsp_sys::set_winsize(m.as_fd(), ws);
                    }
                }
                (kind @ (proto::CONNECT | proto::DISCONNECT), p) => {
                    let reply = match serde_json::from_slice::<proto::NetRequest>(&p) {
                        Ok(req) if kind == proto::CONNECT => self.connect_network(req),
                        Ok(req) => self.disconnect_network(&req.network),
                        Err(e) => Err(format!("bad request: {e}")),
                    };
                    let c = &mut self.clients[i];
                    let text = reply.err().unwrap_or_default();
                    proto::encode(proto::NET_REPLY, text.as_bytes(), &mut c.outbuf);
                    c.flush();
                }
                (proto::STOPPING, _) => {
                    proto::encode(proto::STOP_ACK, &[], &mut c.outbuf);
                    c.flush();
                    self.stopping = true;
                    if self.restart_at.is_some() {
                        // Waiting to restart: there is nothing left to stop.
                        self.restart_at = None;
                    }
                }
                _ => {}
            }
        }
    }

    fn read_client(&mut self, i: usize) {
        let mut buf = [0u8; 16 << 10];
        loop {
            match self.clients[i].sock.read(&mut buf) {
                Ok(0) => {
                    self.clients[i].dead = true;
                    break;
                }
                Ok(n) => self.clients[i].inbuf.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => {
                    self.clients[i].dead = true;
                    break;
                }
            }
            if self.clients[i].inbuf.len() > 2 * proto::MAX_FRAME {
                break;
            }
        }
        self.handle_client_frames(i);
    }

    fn write_stdin(&mut self) {
        let Some(fd) = &self.stdin else {
            self.stdin_pending.clear();
            return;
        };
        while !self.stdin_pending.is_empty() {
            match nix::unistd::write(fd, &self.stdin_pending) {
                Ok(n) => {
                    self.stdin_pending.drain(..n);
                }
                Err(nix::Error::EAGAIN) => return,
                Err(nix::Error::EINTR) => {}
                Err(_) => {
                    self.stdin = None;
                    self.stdin_pending.clear();
                    return;
                }
            }
        }
        if self.stdin_eof && self.master.is_none() {
            self.stdin = None;
        }
    }

    fn reap(&mut self) {
        // The supervisor ends once the container is gone.
        if let Some(c) = &mut self.owners
            && !matches!(c.try_wait(), Ok(None))
        {
            self.owners = None;
        }
        let Some(pid) = self.pid else {
            // Nothing of ours to wait for; clear stray children.
            while let Ok(WaitStatus::Exited(..) | WaitStatus::Signaled(..)) =
                waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG))
            {}
            return;
        };
        if let Ok(st @ (WaitStatus::Exited(..) | WaitStatus::Signaled(..))) =
            waitpid(pid, Some(WaitPidFlag::WNOHANG))
        {
            self.exit = Some(super::exit_code(st));
            self.pid = None;
            if let Some(n) = self.net.as_mut() {
                n.stop();
            }
            // Its name and address are free at once; the network itself
            // stays held (see `bridge::Joined::leave`).
            // Its ends go from the bridges too: a namespace another
            // container still holds (`--network container:`) would keep
            // them, with the address the table just freed.
            for b in &self.bridge {
                b.leave();
                let _ = b.detach();
            }
            self.ctr_netns = None;
            // Whatever the container left in its pipes is still wanted, but
            // a process that escaped its namespace's end must not hold us.
            self.drain_until = Some(Instant::now() + Duration::from_millis(500));
        }
    }

    /// Whether the restart policy wants another run after `code`.
    fn should_restart(&self, code: i32) -> bool {
        if self.stopping {
            return false;
        }
        match self.cfg.restart_policy {
            RestartPolicy::Always | RestartPolicy::UnlessStopped => true,
            RestartPolicy::OnFailure => {
                code != 0 && (self.cfg.restart_max == 0 || self.restarts < self.cfg.restart_max)
            }
            RestartPolicy::No => false,
        }
    }

    /// The container's output is drained: record the exit and decide what
    /// comes next. Returns false when the monitor is done.
    /// Takes in every waiting connection and frame, so that a `stop`
    /// already sent is known before deciding on a restart.
    fn read_all_clients(&mut self) {
        while let Ok((s, _)) = self.listener.accept() {
            self.clients.push(Client::new(s));
        }
        for i in 0..self.clients.len() {
            self.read_client(i);
        }
    }

    fn container_done(&mut self) -> bool {
        self.read_all_clients();
        let code = self.exit.take().unwrap_or(-1);
        self.drain_until = None;
        self.out = None;
        self.err = None;
        self.stdin = None;
        self.master = None;
        self.record_exit(code);
        if let Some(cg) = self.cgroup.take()
            && cg.remove().is_ok()
        {
            let _ = container::update_state(&self.store, &self.cfg.id, |s| s.cgroup.clear());
        }
        let v1: Vec<_> = self.cgroups_v1.drain(..).collect();
        if !v1.is_empty() && v1.iter().all(|m| m.remove().is_ok()) {
            let _ = container::update_state(&self.store, &self.cfg.id, |s| s.cgroup_v1.clear());
        }
        if self.should_restart(code) {
            // Docker's backoff: 100 ms, doubling, reset after a run of 10 s.
            if self.started.elapsed() > Duration::from_secs(10) {
                self.backoff = 0;
            }
            let delay = Duration::from_millis(100 << self.backoff.min(9));
            self.backoff += 1;
            self.restart_at = Some(Instant::now() + delay);
            let _ = container::update_state(&self.store, &self.cfg.id, |s| s.restarting = true);
            self.broadcast(proto::EXIT, &code.to_le_bytes());
            self.flush_all(Duration::from_secs(2));
            self.clients.clear();
            return true;
        }
        if self.cfg.remove {
            let _ = super::remove_files(&self.store, &self.paths, &self.cfg.id, true);
        } else {
            let _ = container::update_state(&self.store, &self.cfg.id, |s| s.monitor_pid = 0);
        }
        self.broadcast(proto::EXIT, &code.to_le_bytes());
        self.flush_all(Duration::from_secs(5));
        false
    }

    /// Sends what clients are owed, giving up on any after `limit`.
    fn flush_all(&mut self, limit: Duration) {
        let deadline = Instant::now() + limit;
        for c in &mut self.clients {
            if c.dead || c.outbuf.is_empty() {
                continue;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            let _ = c.sock.set_nonblocking(false);
            let _ = c.sock.set_write_timeout(Some(left));
            let _ = c.sock.write_all(&c.outbuf);
            c.outbuf.clear();
        }
    }

    /// The event loop; returns the monitor's exit status.
    fn run(&mut self) -> i32 {
        let mut buf = vec![0u8; 64 << 10];
        loop {
            if self.pid.is_none() && self.exit.is_some() {
                let drained = self.out.is_none() && self.err.is_none();
                let late = self.drain_until.is_some_and(|t| Instant::now() >= t);
                if (drained || late) && !self.container_done() {
                    return 0;
                }
            }
            if let Some(t) = self.restart_at
                && Instant::now() >= t
            {
                self.read_all_clients();
            }
            if let Some(t) = self.restart_at
                && Instant::now() >= t
            {
                self.restart_at = None;
                self.restarts += 1;
                if let Err(e) = self.start_container() {
                    if let Some(log) = &mut self.log {
                        let _ = log.write(Stream::Stderr, format!("{e}\n").as_bytes());
                    }
                    self.exit = Some(e.exit_code());
                    continue;
                }
            }
            if self.pid.is_none() && self.exit.is_none() && self.restart_at.is_none() {
                // Stopped while waiting to restart.
                let _ = container::update_state(&self.store, &self.cfg.id, |s| {
                    s.restarting = false;
                    s.monitor_pid = 0;
                });
                self.broadcast(proto::EXIT, &0i32.to_le_bytes());
                self.flush_all(Duration::from_secs(2));
                return 0;
            }
            self.clients.retain(|c| !c.dead);
            let out_paused = self
                .clients
                .iter()
                .any(|c| c.outbuf.len() > CLIENT_HIGH_WATER);
            let stdin_full = self.stdin_pending.len() > STDIN_HIGH_WATER;
            let mut kinds = Vec::new();
            let mut fds = vec![
                PollFd::new(self.sigfd.as_fd(), PollFlags::POLLIN),
                PollFd::new(self.listener.as_fd(), PollFlags::POLLIN),
            ];
            kinds.push(Slot::Sig);
            kinds.push(Slot::Listen);
            // After the exit, the rest is read whatever clients hold: the
            // drain deadline must not cut it off.
            if !out_paused || self.exit.is_some() {
                if let Some(fd) = &self.out {
                    fds.push(PollFd::new(fd.as_fd(), PollFlags::POLLIN));
                    kinds.push(Slot::Out(0));
                }
                if let Some(fd) = &self.err {
                    fds.push(PollFd::new(fd.as_fd(), PollFlags::POLLIN));
                    kinds.push(Slot::Out(1));
                }
            }
            if let Some(fd) = &self.stdin
                && !self.stdin_pending.is_empty()
            {
                fds.push(PollFd::new(fd.as_fd(), PollFlags::POLLOUT));
                kinds.push(Slot::Stdin);
            }
            for (i, c) in self.clients.iter().enumerate() {
                let mut ev = PollFlags::empty();
                // Backpressure on stdin holds back only the clients that
                // send it; stop and wait requests still get through.
                if !stdin_full || !c.wants(proto::WANT_STDIN) {
                    ev |= PollFlags::POLLIN;
                }
                if !c.outbuf.is_empty() {
                    ev |= PollFlags::POLLOUT;
                }
                fds.push(PollFd::new(c.sock.as_fd(), ev));
                kinds.push(Slot::Client(i));
            }
            let wake = [self.drain_until, self.restart_at]
                .into_iter()
                .flatten()
                .min()
                .map(|t| t.saturating_duration_since(Instant::now()));
            let timeout = match wake {
                Some(d) => PollTimeout::try_from(d.as_millis().min(60_000) as i32 + 1)
                    .unwrap_or(PollTimeout::NONE),
                None => PollTimeout::NONE,
            };
            match poll(&mut fds, timeout) {
                Ok(_) => {}
                Err(nix::Error::EINTR) => continue,
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
            let ready: Vec<(Slot, PollFlags)> = fds
                .iter()
                .zip(kinds)
                .filter_map(|(f, k)| f.revents().filter(|r| !r.is_empty()).map(|r| (k, r)))
                .collect();
            drop(fds);
            for (slot, rev) in ready {
                match slot {
                    Slot::Sig => {
                        // Signals other than SIGCHLD (hangup or interrupt of
                        // the session that started us) are not for us.
                        if let Ok(Some(info)) = self.sigfd.read_signal()
                            && info.ssi_signo == Signal::SIGCHLD as u32
                        {
                            self.reap();
                        }
                    }
                    Slot::Listen => {
                        while let Ok((s, _)) = self.listener.accept() {
                            self.clients.push(Client::new(s));
                        }
                    }
                    Slot::Out(which) => self.pump_output(which, &mut buf),
                    Slot::Stdin => self.write_stdin(),
                    Slot::Client(i) => {
                        if rev.intersects(PollFlags::POLLIN | PollFlags::POLLHUP) {
                            self.read_client(i);
                        }
                        if rev.contains(PollFlags::POLLOUT) {
                            self.clients[i].flush();
                        }
                        if rev.contains(PollFlags::POLLERR) {
                            self.clients[i].dead = true;
                        }
                    }
                }
            }
            if !self.stdin_pending.is_empty() || self.stdin_eof {
                self.write_stdin();
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Slot {
    Sig,
    Listen,
    Out(usize),
    Stdin,
    Client(usize),
}
