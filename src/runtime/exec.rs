//! `rsp exec`: running another process in a running container by joining
//! all its namespaces with `setns` (user first, which makes the rest
//! possible without privilege), so it sees the container's root, pids,
//! network, hostname and IPC.
//!
//! Contract: the new process is a direct child of the `rsp exec` process
//! (made with `CLONE_PARENT` from a short-lived helper inside the
//! namespaces), so its exit status comes back as `rsp exec`'s, with
//! Podman's 126/127 when it cannot be run. Without `-t` it uses our stdio
//! as is, with no copying in between.

use super::container::{Container, Status};
use super::{RuntimeError, process};
use nix::fcntl::OFlag;
use nix::sched::CloneFlags;
use nix::sys::signal::{SigSet, SigmaskHow, Signal, sigprocmask};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;
use std::ffi::CString;
use std::io::{Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::MetadataExt;

pub struct ExecOptions {
    pub args: Vec<String>,
    /// KEY=VALUE pairs added to the container's environment.
    pub env: Vec<String>,
    pub workdir: Option<String>,
    pub user: Option<String>,
    pub tty: bool,
    pub interactive: bool,
    pub detach: bool,
    /// The container's runtime directory, where its ownership supervisor
    /// listens (`--owners image`).
    pub run_dir: std::path::PathBuf,
}

type Result<T, E = RuntimeError> = std::result::Result<T, E>;

/// Namespaces joined, user first: joining it gives the capabilities the
/// others require.
const NAMESPACES: &[(&str, CloneFlags)] = &[
    ("user", CloneFlags::CLONE_NEWUSER),
    ("mnt", CloneFlags::CLONE_NEWNS),
    ("pid", CloneFlags::CLONE_NEWPID),
    ("uts", CloneFlags::CLONE_NEWUTS),
    ("ipc", CloneFlags::CLONE_NEWIPC),
    ("net", CloneFlags::CLONE_NEWNET),
    ("cgroup", CloneFlags::CLONE_NEWCGROUP),
];

fn exec_err(msg: String) -> RuntimeError {
    RuntimeError::Exec(msg)
}

/// Opens the container's namespaces, skipping those it shares with us
/// (`--network host`): joining one's own namespace is refused for users.
fn open_namespaces(pid: i32) -> Result<Vec<(OwnedFd, CloneFlags)>> {
    let mut out = Vec::new();
    for (name, flag) in NAMESPACES {
        let theirs = format!("/proc/{pid}/ns/{name}");
        let (Ok(a), Ok(b)) = (
            std::fs::metadata(&theirs),
            std::fs::metadata(format!("/proc/self/ns/{name}")),
        ) else {
            return Err(exec_err(format!(
                "opening {theirs}: the container's process is gone"
            )));
        };
        if a.ino() == b.ino() && a.dev() == b.dev() {
            continue;
        }
        let fd = nix::fcntl::open(
            theirs.as_str(),
            OFlag::O_RDONLY | OFlag::O_CLOEXEC,
            nix::sys::stat::Mode::empty(),
        )
        .map_err(|e| exec_err(format!("opening {theirs}: {e}")))?;
        out.push((fd, *flag));
    }
    Ok(out)
}

/// Checks `-u` against the one uid the container's user namespace maps.
fn check_user(c: &Container, user: &str) -> Result<()> {
    let read = |f: &str| process::read_in_container(c.state.pid, f);
    let u = process::resolve_user(
        user,
        read("/etc/passwd").as_deref(),
        read("/etc/group").as_deref(),
    )?;
    if u.uid != c.config.uid || u.gid != c.config.gid {
        return Err(exec_err(format!(
            "user {user:?} is uid {}:{}, but this rootless container maps only {}:{} (its --user): run exec without -u, or give the container that user",
            u.uid, u.gid, c.config.uid, c.config.gid
        )));
    }
    Ok(())
}

/// Runs `opts.args` in the container; returns its exit code (0 at once
/// with `detach`).
pub fn exec(c: &Container, opts: &ExecOptions) -> Result<i32> {
    match c.state.status {
        Status::Running => {}
        Status::Paused => {
            return Err(exec_err(format!(
                "container {} is paused: resume it with `rsp unpause {}` first",
                c.config.name, c.config.name
            )));
        }
        _ => return Err(RuntimeError::NotRunning(c.config.name.clone())),
    }
    if opts.args.is_empty() {
        return Err(exec_err(
            "rsp exec needs a command to run in the container".into(),
        ));
    }
    if let Some(u) = &opts.user {
        check_user(c, u)?;
    }
    let namespaces = open_namespaces(c.state.pid)?;
    let cfg = &c.config;
    let mut extra = opts.env.clone();
    if opts.tty && process::env_get(&extra, "TERM").is_none() {
        extra.push("TERM=xterm".into());
    }
    let env_list = process::merge_env(&[&cfg.env, &extra]);
    let path_env = process::env_get(&env_list, "PATH")
        .unwrap_or(process::DEFAULT_PATH)
        .to_string();
    let env: Vec<CString> = env_list
        .iter()
        .filter_map(|e| CString::new(e.as_bytes()).ok())
        .collect();
    let workdir = opts
        .workdir
        .clone()
        .unwrap_or_else(|| cfg.workdir.clone())
        .to_string();
    let fork_err = |e: nix::Error| RuntimeError::Fork(e.into());
    // Connected from here, in our own mount namespace: the command hands
    // its filter's listener over on it.
    // None when the container has no supervisor (the kernel refused its
    // filter): then it runs with the plain view, and so does this.
    let owners = cfg
        .emulates_owners()
        .then(|| super::ownership::connect(&opts.run_dir))
        .flatten()
        .map(OwnedFd::from);
    let (err_r, err_w) = nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(fork_err)?;
    let (pid_r, pid_w) = nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(fork_err)?;
    let (tty_ours, tty_theirs) = if opts.tty {
        let (a, b) = std::os::unix::net::UnixStream::pair().map_err(RuntimeError::Fork)?;
        (Some(a), Some(b))
    } else {
        (None, None)
    };
    let mut old_mask = SigSet::empty();
    sigprocmask(
        SigmaskHow::SIG_BLOCK,
        Some(&super::relayed_signals(true)),
        Some(&mut old_mask),
    )
    .map_err(fork_err)?;
    let restore = || {
        let _ = sigprocmask(SigmaskHow::SIG_SETMASK, Some(&old_mask), None);
    };

    let helper = match crate::sys::clone_fork(0) {
        Err(e) => {
            restore();
            return Err(RuntimeError::Fork(e));
        }
        Ok(crate::sys::Forked::Parent(p)) => Pid::from_raw(p),
        Ok(crate::sys::Forked::Child) => {
            drop((err_r, pid_r));
            let fail = |code: i32, msg: String| -> ! { super::child_fail(&err_w, code, &msg) };
            // Into the container's own cgroup first (while still ours to
            // write as a host process), so pause and stats count us too.
            if !c.state.cgroup.is_empty() {
                let _ = std::fs::write(
                    format!("{}/cgroup.procs", c.state.cgroup),
                    std::process::id().to_string(),
                );
            }
            for (fd, flag) in &namespaces {
                if let Err(e) = nix::sched::setns(fd, *flag) {
                    fail(125, format!("joining the container's namespaces: {e}"));
                }
            }
            drop(namespaces);
            // Joining a pid namespace applies to children only: the command
            // is a child made as a sibling, so `rsp exec` is its parent.
            match crate::sys::clone_fork(libc::CLONE_PARENT) {
                Err(e) => fail(125, format!("starting the command: {e}")),
                Ok(crate::sys::Forked::Parent(p)) => {
                    let _ = std::fs::File::from(pid_w).write_all(p.to_string().as_bytes());
                    crate::sys::exit_now(0)
                }
                Ok(crate::sys::Forked::Child) => {}
            }
            drop(pid_w);
            let _ = nix::unistd::setsid();
            drop(tty_ours);
            let io = match tty_theirs {
                Some(theirs) => super::child_stdio(super::ChildIo::Tty(theirs.into()), true),
                None if opts.detach => detach_stdio(),
                None if !opts.interactive => super::dev_null_stdin(),
                None => Ok(()),
            };
            if let Err(e) = io {
                fail(125, format!("setting up the command's stdio: {e}"));
            }
            if let Err(e) = nix::unistd::chdir(workdir.as_str()) {
                fail(
                    125,
                    format!("changing to working directory {workdir}: {e}: fix -w"),
                );
            }
            let (code, msg) = super::exec_command(
                &opts.args,
                &path_env,
                &env,
                &old_mask,
                owners.as_ref().map(|s| (s, true)),
            );
            fail(code, msg)
        }
    };
    // Our copy of the child's end would keep us waiting for a terminal
    // that a dying child never sends.
    drop((err_w, pid_w, namespaces, tty_theirs, owners));
    let _ = waitpid(helper, None);
    let mut pid_text = String::new();
    let _ = std::fs::File::from(pid_r).read_to_string(&mut pid_text);
    let child = pid_text.trim().parse::<i32>().ok().map(Pid::from_raw);

    let mut master = None;
    if let (Some(ours), Some(_)) = (&tty_ours, child)
        && let Ok(Some(m)) = crate::sys::recv_fd(ours.as_fd())
    {
        if let Some(ws) = super::tty::host_winsize() {
            let _ = crate::sys::set_winsize(m.as_fd(), ws);
        }
        let _ = nix::unistd::write(ours.as_fd(), b"1");
        master = Some(m);
    }
    drop(tty_ours);
    let mut msg = Vec::new();
    let _ = std::fs::File::from(err_r).read_to_end(&mut msg);
    if !msg.is_empty() {
        if let Some(ch) = child {
            let _ = waitpid(ch, None);
        }
        restore();
        return Err(RuntimeError::Child {
            code: msg[0] as i32,
            message: String::from_utf8_lossy(&msg[1..]).into_owned(),
        });
    }
    let Some(child) = child else {
        restore();
        return Err(exec_err(
            "the exec helper ended without starting the command".into(),
        ));
    };
    if opts.detach {
        restore();
        return Ok(0);
    }
    let mut sfd = SignalFd::with_flags(&super::relayed_signals(true), SfdFlags::SFD_CLOEXEC)
        .map_err(fork_err)?;
    let status = match master {
        Some(m) => {
            let _raw = (opts.interactive && super::stdin_is_tty()).then(super::tty::RawMode::enter);
            super::tty::relay(m, opts.interactive, &mut sfd, child).map_err(RuntimeError::Tty)
        }
        None => wait_forwarding(&mut sfd, child),
    };
    restore();
    Ok(super::exit_code(status?))
}

fn detach_stdio() -> std::io::Result<()> {
    let null = nix::fcntl::open("/dev/null", OFlag::O_RDWR, nix::sys::stat::Mode::empty())?;
    nix::unistd::dup2_stdin(&null)?;
    nix::unistd::dup2_stdout(&null)?;
    nix::unistd::dup2_stderr(&null)?;
    Ok(())
}

/// Waits for `child`, passing every other signal we receive on to it.
fn wait_forwarding(sigfd: &mut SignalFd, child: Pid) -> Result<WaitStatus> {
    loop {
        // A child that exited before we blocked on the signalfd still shows
        // up here: SIGCHLD stays pending while blocked.
        match sigfd.read_signal() {
            Ok(Some(info)) => match Signal::try_from(info.ssi_signo as i32) {
                Ok(Signal::SIGCHLD) => match waitpid(child, Some(WaitPidFlag::WNOHANG)) {
                    Ok(st @ (WaitStatus::Exited(..) | WaitStatus::Signaled(..))) => {
                        return Ok(st);
                    }
                    Ok(_) => {}
                    Err(e) => return Err(RuntimeError::Wait(e)),
                },
                Ok(Signal::SIGWINCH) => {}
                Ok(sig) => {
                    let _ = nix::sys::signal::kill(child, sig);
                }
                Err(_) => {}
            },
            Ok(None) | Err(nix::Error::EINTR) => {}
            Err(e) => return Err(RuntimeError::Wait(e)),
        }
    }
}
