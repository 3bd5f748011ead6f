//! Running containers: creating the record, forking straight into new
//! user, mount, pid, uts, ipc, cgroup (and network) namespaces, mapping the
//! invoking user to the container user through `/proc`, building the root
//! filesystem, and executing the command as pid 1 of its namespace.
//!
//! Contract: the `rsp` that starts a foreground container stays in the host
//! namespaces as its parent: it forwards signals, relays the terminal for
//! `-t`, reaps the container and returns its exit status (128+N for a
//! signal). A container whose setup fails is never left half-started: the
//! child exits, and the error is returned with exit code 125 (126 when the
//! command cannot be run, 127 when it does not exist), as Podman does.
//!
//! The caller must be single-threaded when it calls [`start`]: the child
//! is made with a fork-like `clone`.

pub mod container;
pub mod process;
pub mod rootfs;
mod tty;
pub mod userns;

use crate::paths::Paths;
use crate::storage::{Store, StoreError};
use container::{ContainerConfig, State, Status};
use nix::fcntl::OFlag;
use nix::sys::signal::{SigSet, SigmaskHow, Signal, sigprocmask};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::Pid;
use std::ffi::CString;
use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Lookup(#[from] container::LookupError),
    #[error(transparent)]
    Process(#[from] process::ProcessError),
    #[error(
        "the container name {0:?} is already in use: remove that container with `rsp rm {0}` or choose another --name"
    )]
    NameInUse(String),
    #[error(
        "invalid container name {0:?}: use letters, digits, '_', '.' and '-', starting with a letter or digit"
    )]
    BadName(String),
    #[error("{0}")]
    UserNs(String),
    #[error("creating the container process: {0}")]
    Fork(std::io::Error),
    #[error("writing {path} for the container's user namespace: {source}")]
    IdMap {
        path: String,
        source: std::io::Error,
    },
    #[error("{message}")]
    Child { code: i32, message: String },
    #[error("waiting for the container: {0}")]
    Wait(nix::Error),
    #[error("writing runtime file {path}: {source}")]
    RuntimeFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("container {0} is running: stop it first or use `rsp rm -f`")]
    Running(String),
    #[error("relaying the terminal: {0}")]
    Tty(std::io::Error),
}

impl RuntimeError {
    /// Podman's exit codes: 126/127 when the command cannot be run or is
    /// not found, 125 for everything else that is rsp's fault.
    pub fn exit_code(&self) -> i32 {
        match self {
            RuntimeError::Child { code, .. } => *code,
            _ => 125,
        }
    }
}

type Result<T, E = RuntimeError> = std::result::Result<T, E>;

/// Stores a new container's record. Takes the store lock so that two
/// `rsp run --name x` at once cannot both get the name.
pub fn create(store: &Store, cfg: &ContainerConfig) -> Result<()> {
    let lock = store.lock()?;
    if !container::valid_name(&cfg.name) {
        return Err(RuntimeError::BadName(cfg.name.clone()));
    }
    if container::name_taken(store, &cfg.name, &lock)? {
        return Err(RuntimeError::NameInUse(cfg.name.clone()));
    }
    store.create_container_dir(&cfg.id)?;
    store.write_container_file(&cfg.id, "state.json", &State::default())?;
    // container.json last: a container is listed only once it is complete.
    store.write_container_file(&cfg.id, "container.json", cfg)?;
    Ok(())
}

fn runtime_dir(paths: &Paths, id: &str) -> PathBuf {
    paths.runroot.join("containers").join(id)
}

/// Removes a container that is not running (or kills it first with
/// `force`), with its files.
pub fn remove(store: &Store, paths: &Paths, id: &str, force: bool) -> Result<()> {
    let c = container::load(store, id)?;
    if c.state.status == Status::Running {
        if !force {
            return Err(RuntimeError::Running(c.config.name));
        }
        let _ = nix::sys::signal::kill(Pid::from_raw(c.state.pid), Signal::SIGKILL);
        // The kernel tears the namespace down asynchronously; wait (bounded)
        // so its files are free to delete.
        for _ in 0..200 {
            if container::process_start_time(c.state.pid) != Some(c.state.pid_start) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
    let _lock = store.lock()?;
    // Drop container.json first so a half-removed container is not listed.
    let _ = std::fs::remove_file(store.container_dir(id).join("container.json"));
    store.remove_container_dir(id)?;
    let _ = crate::storage::remove_tree(&runtime_dir(paths, id));
    Ok(())
}

fn write_file(path: &Path, data: &str) -> Result<()> {
    std::fs::write(path, data).map_err(|source| RuntimeError::RuntimeFile {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes `/etc/hosts`, `/etc/hostname` and `/etc/resolv.conf` for the
/// container into its runtime directory.
fn etc_files(paths: &Paths, cfg: &ContainerConfig) -> Result<Vec<(PathBuf, &'static str)>> {
    let dir = runtime_dir(paths, &cfg.id);
    std::fs::create_dir_all(&dir).map_err(|source| RuntimeError::RuntimeFile {
        path: dir.clone(),
        source,
    })?;
    let host_net = cfg.network == "host";
    let mut hosts = String::new();
    if host_net {
        hosts.push_str(&std::fs::read_to_string("/etc/hosts").unwrap_or_default());
        if !hosts.is_empty() && !hosts.ends_with('\n') {
            hosts.push('\n');
        }
    } else {
        hosts.push_str(
            "127.0.0.1\tlocalhost localhost.localdomain\n::1\tlocalhost localhost.localdomain\n",
        );
    }
    hosts.push_str(&format!("127.0.1.1\t{} {}\n", cfg.hostname, cfg.name));
    let resolv = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
    let mut out = Vec::new();
    for (name, data) in [
        ("hosts", hosts),
        ("hostname", format!("{}\n", cfg.hostname)),
        ("resolv.conf", resolv),
    ] {
        let p = dir.join(name);
        write_file(&p, &data)?;
        out.push((p, name));
    }
    Ok(out)
}

/// Signals rsp relays to the container instead of acting on itself.
fn forwarded_signals() -> SigSet {
    let mut set = SigSet::empty();
    for s in [
        Signal::SIGHUP,
        Signal::SIGINT,
        Signal::SIGQUIT,
        Signal::SIGUSR1,
        Signal::SIGUSR2,
        Signal::SIGTERM,
        Signal::SIGALRM,
        Signal::SIGWINCH,
        Signal::SIGCHLD,
    ] {
        set.add(s);
    }
    set
}

/// Everything the child needs, prepared before the fork so the child does
/// no allocation-heavy work it could fail at halfway.
struct ChildPlan<'a> {
    cfg: &'a ContainerConfig,
    rootfs: rootfs::RootfsPlan<'a>,
    own_netns: bool,
    path_env: String,
    env: Vec<CString>,
}

/// Runs in the forked child; never returns.
fn child_main(
    plan: &ChildPlan<'_>,
    ready: OwnedFd,
    errw: OwnedFd,
    sock: Option<OwnedFd>,
    old_mask: &SigSet,
) -> ! {
    let fail = |code: i32, msg: String| -> ! {
        let mut w = std::fs::File::from(errw.try_clone().expect("dup of our own pipe"));
        let mut data = vec![code as u8];
        data.extend_from_slice(msg.as_bytes());
        let _ = w.write_all(&data);
        crate::sys::exit_now(code)
    };
    let _ = nix::sys::prctl::set_pdeathsig(Signal::SIGKILL);
    // Wait until the parent has written our uid/gid maps; EOF means it died.
    let mut b = [0u8; 1];
    if !matches!(std::fs::File::from(ready).read(&mut b), Ok(1)) {
        crate::sys::exit_now(125);
    }
    let _ = nix::unistd::setsid();
    if let Err(e) = nix::unistd::sethostname(&plan.cfg.hostname) {
        fail(125, format!("setting the container's hostname: {e}"));
    }
    if plan.own_netns
        && let Err(e) = crate::sys::loopback_up()
    {
        fail(125, format!("bringing up loopback in the container: {e}"));
    }
    if let Err(e) = rootfs::setup(&plan.rootfs) {
        fail(125, e.to_string());
    }

    if let Some(sock) = &sock {
        if let Err(e) = child_tty(sock) {
            fail(125, format!("setting up the container's terminal: {e}"));
        }
    } else if !plan.cfg.interactive {
        match nix::fcntl::open("/dev/null", OFlag::O_RDONLY, nix::sys::stat::Mode::empty()) {
            Ok(fd) => {
                let _ = nix::unistd::dup2_stdin(&fd);
            }
            Err(e) => fail(125, format!("opening /dev/null for stdin: {e}")),
        }
    }

    let wd = if plan.cfg.workdir.is_empty() {
        "/"
    } else {
        &plan.cfg.workdir
    };
    if nix::unistd::chdir(wd).is_err() {
        let _ = std::fs::create_dir_all(wd);
        if let Err(e) = nix::unistd::chdir(wd) {
            fail(
                125,
                format!(
                    "changing to working directory {wd}: {e}: fix -w or the image's WorkingDir"
                ),
            );
        }
    }

    let cmd = &plan.cfg.args[0];
    let exe = match process::find_executable(cmd, &plan.path_env) {
        Ok(p) => p,
        Err(nix::Error::EACCES) => fail(
            126,
            format!("{cmd}: permission denied: the file is not executable"),
        ),
        Err(_) => fail(
            127,
            format!(
                "{cmd}: executable file not found in $PATH in the container: check the command and the image"
            ),
        ),
    };
    let Ok(exe_c) = CString::new(exe.clone()) else {
        fail(127, format!("{cmd}: invalid command name"));
    };
    let argv: Vec<CString> = plan
        .cfg
        .args
        .iter()
        .map(|a| CString::new(a.as_bytes()).unwrap_or_default())
        .collect();
    let _ = crate::sys::cloexec_from(3);
    // Rust ignores SIGPIPE for itself; the container must get the default.
    crate::sys::default_sigpipe();
    let _ = sigprocmask(SigmaskHow::SIG_SETMASK, Some(old_mask), None);
    let err = nix::unistd::execve(&exe_c, &argv, &plan.env).unwrap_err();
    match err {
        nix::Error::ENOENT => fail(
            127,
            format!(
                "{exe}: no such file or directory in the container (for a script, check its #! interpreter)"
            ),
        ),
        nix::Error::EACCES | nix::Error::EPERM => fail(126, format!("{exe}: permission denied")),
        e => fail(126, format!("{exe}: cannot execute: {e}")),
    }
}

/// Opens a terminal in the container's own devpts, sends its master side to
/// the parent, waits for it to set the size, and makes it our terminal.
fn child_tty(sock: &OwnedFd) -> std::io::Result<()> {
    use nix::pty::{grantpt, posix_openpt, ptsname_r, unlockpt};
    let master = posix_openpt(OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_CLOEXEC)?;
    grantpt(&master)?;
    unlockpt(&master)?;
    let name = ptsname_r(&master)?;
    let slave = nix::fcntl::open(
        name.as_str(),
        OFlag::O_RDWR | OFlag::O_NOCTTY,
        nix::sys::stat::Mode::empty(),
    )?;
    crate::sys::send_fd(sock.as_fd(), master.as_fd())?;
    let mut b = [0u8; 1];
    std::fs::File::from(sock.try_clone()?).read_exact(&mut b)?;
    drop(master);
    crate::sys::set_controlling_tty(slave.as_fd())?;
    nix::unistd::dup2_stdin(&slave)?;
    nix::unistd::dup2_stdout(&slave)?;
    nix::unistd::dup2_stderr(&slave)?;
    Ok(())
}

fn write_id_maps(pid: i32, cfg: &ContainerConfig) -> Result<()> {
    let uid = nix::unistd::getuid().as_raw();
    let gid = nix::unistd::getgid().as_raw();
    for (file, data) in [
        ("setgroups", "deny".to_string()),
        ("uid_map", format!("{} {uid} 1\n", cfg.uid)),
        ("gid_map", format!("{} {gid} 1\n", cfg.gid)),
    ] {
        let path = format!("/proc/{pid}/{file}");
        std::fs::write(&path, data).map_err(|source| {
            if source.kind() == std::io::ErrorKind::PermissionDenied {
                RuntimeError::UserNs(userns::diagnose())
            } else {
                RuntimeError::IdMap { path, source }
            }
        })?;
    }
    Ok(())
}

fn exit_code(st: WaitStatus) -> i32 {
    match st {
        WaitStatus::Exited(_, c) => c,
        WaitStatus::Signaled(_, s, _) => 128 + s as i32,
        _ => 125,
    }
}

/// Starts the container in the foreground and waits for it; returns its
/// exit code. With `--rm` the container is removed afterwards.
pub fn start(store: &Store, paths: &Paths, id: &str) -> Result<i32> {
    let c = container::load(store, id)?;
    let cfg = c.config;
    if c.state.status == Status::Running {
        return Err(RuntimeError::Running(cfg.name.clone()));
    }
    paths
        .ensure_runroot()
        .map_err(|e| RuntimeError::UserNs(e.to_string()))?;
    let own_netns = cfg.network != "host";
    let layers_dir = store.layers_dir();
    let empty_dir = store.container_dir(id).join("empty");
    if cfg.layers.is_empty() {
        let _ = std::fs::create_dir_all(&empty_dir);
    }
    let mut layer_names = cfg
        .layers
        .iter()
        .map(|d| crate::storage::digest_hex(d).map(str::to_string))
        .collect::<Result<Vec<_>, _>>()?;
    // An image may list one layer twice; overlayfs refuses a repeated lower
    // dir (ELOOP). Only the highest copy matters: it re-applies everything
    // the lower one had, over whatever came between.
    let mut seen = std::collections::HashSet::new();
    layer_names.reverse();
    layer_names.retain(|l| seen.insert(l.clone()));
    layer_names.reverse();
    let cdir = store.container_dir(id);
    let plan = ChildPlan {
        cfg: &cfg,
        rootfs: rootfs::RootfsPlan {
            layers_dir: &layers_dir,
            layers: layer_names,
            upper: cdir.join("upper"),
            work: cdir.join("work"),
            merged: cdir.join("merged"),
            etc_files: etc_files(paths, &cfg)?,
            volumes: cfg.mounts.clone(),
            own_netns,
            empty_dir,
        },
        own_netns,
        path_env: process::env_get(&cfg.env, "PATH")
            .unwrap_or(process::DEFAULT_PATH)
            .to_string(),
        env: cfg
            .env
            .iter()
            .filter_map(|e| CString::new(e.as_bytes()).ok())
            .collect(),
    };

    let (ready_r, ready_w) =
        nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(|e| RuntimeError::Fork(e.into()))?;
    let (err_r, err_w) =
        nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(|e| RuntimeError::Fork(e.into()))?;
    let socks = if cfg.tty {
        use nix::sys::socket::{AddressFamily, SockFlag, SockType, socketpair};
        Some(
            socketpair(
                AddressFamily::Unix,
                SockType::Stream,
                None,
                SockFlag::SOCK_CLOEXEC,
            )
            .map_err(|e| RuntimeError::Fork(e.into()))?,
        )
    } else {
        None
    };

    let mut old_mask = SigSet::empty();
    sigprocmask(
        SigmaskHow::SIG_BLOCK,
        Some(&forwarded_signals()),
        Some(&mut old_mask),
    )
    .map_err(|e| RuntimeError::Fork(e.into()))?;
    let mut flags = libc::CLONE_NEWUSER
        | libc::CLONE_NEWNS
        | libc::CLONE_NEWPID
        | libc::CLONE_NEWUTS
        | libc::CLONE_NEWIPC
        | libc::CLONE_NEWCGROUP;
    if own_netns {
        flags |= libc::CLONE_NEWNET;
    }
    let (sock_parent, sock_child) = match socks {
        Some((a, b)) => (Some(a), Some(b)),
        None => (None, None),
    };
    let pid = match crate::sys::clone_fork(flags) {
        Err(e) => {
            let _ = sigprocmask(SigmaskHow::SIG_SETMASK, Some(&old_mask), None);
            return Err(match e.raw_os_error() {
                Some(libc::EPERM) | Some(libc::ENOSPC) | Some(libc::EUSERS)
                | Some(libc::EINVAL) => RuntimeError::UserNs(userns::diagnose()),
                _ => RuntimeError::Fork(e),
            });
        }
        Ok(crate::sys::Forked::Child) => {
            drop((ready_w, err_r, sock_parent));
            child_main(&plan, ready_r, err_w, sock_child, &old_mask)
        }
        Ok(crate::sys::Forked::Parent(pid)) => pid,
    };
    drop((ready_r, err_w, sock_child));
    let child = Pid::from_raw(pid);
    let abort = |e: RuntimeError| {
        let _ = nix::sys::signal::kill(child, Signal::SIGKILL);
        let _ = waitpid(child, None);
        let _ = sigprocmask(SigmaskHow::SIG_SETMASK, Some(&old_mask), None);
        e
    };
    if let Err(e) = write_id_maps(pid, &cfg) {
        return Err(abort(e));
    }
    // Recorded before the child may run, so whatever the container does
    // first (print, serve) already sees it listed as running.
    let state = State {
        status: Status::Running,
        pid,
        pid_start: container::process_start_time(pid).unwrap_or(0),
        started_at: Some(container::now_rfc3339()),
        finished_at: None,
        exit_code: 0,
    };
    let _ = store.write_container_file(id, "state.json", &state);
    let _ = std::fs::File::from(ready_w).write_all(b"1");

    let mut master = None;
    if let Some(sock) = &sock_parent {
        // A child that failed before making its terminal sends nothing; the
        // error pipe below says why.
        if let Ok(Some(m)) = crate::sys::recv_fd(sock.as_fd()) {
            if let Some(ws) = tty::host_winsize() {
                let _ = crate::sys::set_winsize(m.as_fd(), ws);
            }
            let _ = nix::unistd::write(sock.as_fd(), b"1");
            master = Some(m);
        }
    }

    let mut msg = Vec::new();
    let _ = std::fs::File::from(err_r).read_to_end(&mut msg);
    if !msg.is_empty() {
        let _ = waitpid(child, None);
        let _ = sigprocmask(SigmaskHow::SIG_SETMASK, Some(&old_mask), None);
        let code = msg[0] as i32;
        let message = String::from_utf8_lossy(&msg[1..]).into_owned();
        mark_exited(store, id, code);
        return Err(RuntimeError::Child { code, message });
    }

    let mut sigfd = SignalFd::with_flags(&forwarded_signals(), SfdFlags::SFD_CLOEXEC)
        .map_err(|e| abort(RuntimeError::Wait(e)))?;
    let status = match master {
        Some(m) => {
            let _raw =
                std::io::IsTerminal::is_terminal(&std::io::stdin()).then(tty::RawMode::enter);
            tty::relay(m, cfg.interactive, &mut sigfd, child).map_err(RuntimeError::Tty)?
        }
        None => wait_forwarding(&mut sigfd, child)?,
    };
    let _ = sigprocmask(SigmaskHow::SIG_SETMASK, Some(&old_mask), None);
    let code = exit_code(status);
    if cfg.remove {
        remove(store, paths, id, true)?;
    } else {
        let state = State {
            status: Status::Exited,
            pid: 0,
            pid_start: 0,
            finished_at: Some(container::now_rfc3339()),
            exit_code: code,
            ..state
        };
        let _ = store.write_container_file(id, "state.json", &state);
    }
    Ok(code)
}

fn mark_exited(store: &Store, id: &str, code: i32) {
    let state = State {
        status: Status::Exited,
        finished_at: Some(container::now_rfc3339()),
        exit_code: code,
        ..State::default()
    };
    let _ = store.write_container_file(id, "state.json", &state);
}

/// Waits for `child`, passing every other signal we receive on to it.
fn wait_forwarding(sigfd: &mut SignalFd, child: Pid) -> Result<WaitStatus> {
    loop {
        // A child that exited before we blocked on the signalfd still shows
        // up here: SIGCHLD stays pending while blocked.
        match sigfd.read_signal() {
            Ok(Some(info)) => match Signal::try_from(info.ssi_signo as i32) {
                Ok(Signal::SIGCHLD) => {
                    match waitpid(child, Some(nix::sys::wait::WaitPidFlag::WNOHANG)) {
                        Ok(WaitStatus::StillAlive) => {}
                        Ok(st @ (WaitStatus::Exited(..) | WaitStatus::Signaled(..))) => {
                            return Ok(st);
                        }
                        Ok(_) => {}
                        Err(e) => return Err(RuntimeError::Wait(e)),
                    }
                }
                Ok(Signal::SIGWINCH) => {}
                Ok(sig) => {
                    let _ = nix::sys::signal::kill(child, sig);
                }
                Err(_) => {}
            },
            Ok(None) => {}
            Err(nix::Error::EINTR) => {}
            Err(e) => return Err(RuntimeError::Wait(e)),
        }
    }
}

/// The host's raw fd for stdin, for callers that check for a terminal.
pub fn stdin_is_tty() -> bool {
    crate::sys::isatty(std::io::stdin().as_fd()) && std::io::stdin().as_raw_fd() == 0
}
