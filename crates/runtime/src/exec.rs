//! `rsp exec`: running another process in a running container by joining
//! all its namespaces with `setns` (user first, which makes the rest
//! possible without privilege), so it sees the container's root, pids,
//! network, hostname and IPC.
//!
//! Contract: the new process is a direct child of the `rsp exec` process
//! (made with `CLONE_PARENT` from a short-lived helper inside the
//! namespaces), so its exit status comes back as `rsp exec`'s, with
//! Podman's 126/127 when it cannot be run. Without `-t` it uses our stdio
//! as is, with no copying in between. Until it executes the command, that
//! process is visible in the container but out of its reach: the helper is
//! rsp executed from its write-protected image with an empty environment
//! (see [`join_main`]), and it is non-dumpable.

use super::container::{Container, Status};
use super::{ChildFailure, RuntimeError, process};
use crate::ids::Creds;
use nix::fcntl::{FcntlArg, FdFlag, OFlag};
use nix::sched::CloneFlags;
use nix::sys::signal::{SigSet, SigmaskHow, Signal, sigprocmask};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;
use rsp_sys::spawn::{Reporter, Spawn, SpawnError};
use serde::{Deserialize, Serialize};
use std::ffi::CString;
use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
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
    /// Where compiled seccomp programs are kept ([`crate::seccomp_cache`]).
    pub seccomp_cache: std::path::PathBuf,
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
        let (a, b) = match (
            std::fs::metadata(&theirs),
            std::fs::metadata(format!("/proc/self/ns/{name}")),
        ) {
            (Ok(a), Ok(b)) => (a, b),
            // rsp's own non-dumpable first process: the command has not
            // been started (or reported) yet.
            (Err(e), _) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                return Err(exec_err(format!(
                    "opening {theirs}: the container is still starting: try again"
                )));
            }
            _ => {
                return Err(exec_err(format!(
                    "opening {theirs}: the container's process is gone"
                )));
            }
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
    shared_netns_first(&mut out)?;
    Ok(out)
}

/// A container in another's network namespace (`--network container:`)
/// or a pod member sharing its infra's uts and ipc namespaces is in
/// namespaces its own user namespace does not own: joining its user
/// namespace first would leave us no privilege over them. Then the
/// parent of its user namespace (which owns, or is above, theirs) is
/// joined first, those namespaces next, and its own user namespace after.
fn shared_netns_first(ns: &mut Vec<(OwnedFd, CloneFlags)>) -> Result<()> {
    let Some(u) = ns.iter().position(|(_, g)| *g == CloneFlags::CLONE_NEWUSER) else {
        return Ok(());
    };
    let ino = |fd: std::os::fd::BorrowedFd<'_>| nix::sys::stat::fstat(fd).map(|s| s.st_ino).ok();
    let ours = ino(ns[u].0.as_fd());
    let mut foreign = Vec::new();
    for (i, (fd, flag)) in ns.iter().enumerate() {
        if [
            CloneFlags::CLONE_NEWNET,
            CloneFlags::CLONE_NEWUTS,
            CloneFlags::CLONE_NEWIPC,
        ]
        .contains(flag)
        {
            let owner = rsp_sys::net::ns_owner(fd.as_fd()).map_err(|e| {
                exec_err(format!("finding who owns the container's namespaces: {e}"))
            })?;
            if ino(owner.as_fd()) != ours {
                foreign.push(i);
            }
        }
    }
    if foreign.is_empty() {
        return Ok(());
    }
    let parent = rsp_sys::net::ns_parent(ns[u].0.as_fd()).map_err(|e| {
        exec_err(format!(
            "finding the parent of the container's user namespace: {e}"
        ))
    })?;
    let mut moved = Vec::new();
    for i in foreign.into_iter().rev() {
        moved.insert(0, ns.remove(i));
    }
    for (k, m) in moved.into_iter().enumerate() {
        ns.insert(k, m);
    }
    ns.insert(0, (parent, CloneFlags::CLONE_NEWUSER));
    Ok(())
}

/// The credentials `-u USER` starts the command with: any user under id
/// emulation (`--owners image`), else only the one uid the container's
/// user namespace maps.
fn exec_user(c: &Container, user: Option<&str>) -> Result<Creds> {
    let cfg = &c.config;
    let Some(user) = user else {
        return Ok(Creds::new(cfg.uid, cfg.gid, &cfg.groups));
    };
    let read = |f: &str| process::read_in_container(c.state.ns_pid(), f);
    let u = process::resolve_user(
        user,
        read("/etc/passwd").as_deref(),
        read("/etc/group").as_deref(),
    )?;
    if !cfg.emulates_owners() && (u.uid != cfg.uid || u.gid != cfg.gid) {
        return Err(exec_err(format!(
            "user {user:?} is uid {}:{}, but this rootless container maps only {}:{} (its --user) and runs with --owners user: run exec without -u, or give the container that user",
            u.uid, u.gid, cfg.uid, cfg.gid
        )));
    }
    Ok(Creds::new(u.uid, u.gid, &u.groups))
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
    let start = exec_user(c, opts.user.as_deref())?;
    let confinement = super::Confinement::of(&c.config, start.euid(), Some(&opts.seccomp_cache))?;
    let namespaces = open_namespaces(c.state.ns_pid())?;
    let cfg = &c.config;
    let mut extra = opts.env.clone();
    if opts.tty && process::env_get(&extra, "TERM").is_none() {
        extra.push("TERM=xterm".into());
    }
    let env_list = process::merge_env(&[&cfg.env, &extra]);
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
        .then(|| super::ownership::connect(&opts.run_dir, &start))
        .flatten()
        .map(OwnedFd::from);
    // The joiner runs from rsp's write-protected image, with an empty
    // environment: the monitor's, when it runs this very binary (it is
    // ours to open), else one made now, while we are single-threaded.
    let adopted = c.state.monitor_alive()
        && nix::fcntl::open(
            format!("/proc/{}/exe", c.state.monitor_pid).as_str(),
            OFlag::O_PATH | OFlag::O_CLOEXEC,
            nix::sys::stat::Mode::empty(),
        )
        .is_ok_and(rsp_sys::exe::adopt);
    if !adopted {
        rsp_sys::exe::prepare().map_err(RuntimeError::SealedExe)?;
    }
    let (pid_r, pid_w) = nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(fork_err)?;
    let (plan_r, plan_w) = nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(fork_err)?;
    let (tty_ours, tty_theirs) = if opts.tty {
        let (a, b) = std::os::unix::net::UnixStream::pair().map_err(RuntimeError::Fork)?;
        (Some(a), Some(OwnedFd::from(b)))
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
    // The helper keeps these numbers across its exec; the joiner learns
    // them from its plan.
    let ns_fds: Vec<(i32, i32)> = namespaces
        .iter()
        .map(|(fd, flag)| (fd.as_raw_fd(), flag.bits()))
        .collect();
    let pid_fd = pid_w.as_raw_fd();
    let tty_fd = tty_theirs.as_ref().map(|t| t.as_raw_fd());
    let owners_fd = owners.as_ref().map(|o| o.as_raw_fd());
    let argv = [
        c"rsp".to_owned(),
        CString::new(JOIN_ARG).expect("no NUL"),
        CString::new(plan_r.as_raw_fd().to_string()).expect("no NUL"),
    ];

    // The helper reports its own failure to execute the joiner on its
    // error pipe, and the joiner (and the command) theirs.
    let started = Spawn::new().start_keeping((pid_r, plan_w, tty_ours), move |ctx| {
        let inherit = namespaces
            .iter()
            .map(|(fd, _)| fd.as_fd())
            .chain([pid_w.as_fd(), plan_r.as_fd()])
            .chain(tty_theirs.as_ref().map(|t| t.as_fd()))
            .chain(owners.as_ref().map(|o| o.as_fd()));
        for fd in inherit {
            let _ = nix::fcntl::fcntl(fd, FcntlArg::F_SETFD(FdFlag::empty()));
        }
        let _ = ctx.reporter().keep_across_exec();
        let e = rsp_sys::exe::exec_self(&argv, &[] as &[CString]);
        Err(ChildFailure {
            code: 125,
            message: format!("starting rsp's exec helper: {e}"),
        })
    });
    // Our copies of the helper's ends went with the closure: a helper that
    // died without reading its plan must fail the write below (EPIPE), not
    // block it for good. Its error pipe then says why.
    let (mut helper, (pid_r, plan_w, tty_ours)) = match started {
        Ok(s) => s,
        Err(SpawnError::Clone(e)) => {
            restore();
            return Err(RuntimeError::Fork(e));
        }
        Err(e) => {
            restore();
            return Err(RuntimeError::Spawn(e));
        }
    };
    // Into the container's own cgroup first (while still ours to write as
    // a host process), so pause and stats count the command too: the
    // helper waits for its plan until then.
    // Its v1 cgroups too (hybrid layouts), or the command would be
    // outside the limits kept there.
    for cg in c.state.cgroup_dirs() {
        let _ = std::fs::write(format!("{cg}/cgroup.procs"), helper.pid().to_string());
    }
    let plan = JoinPlan {
        namespaces: ns_fds,
        err_fd: helper.reporter_fd(),
        pid_fd,
        tty_fd,
        owners_fd,
        detach: opts.detach,
        interactive: opts.interactive,
        args: opts.args.clone(),
        env: env_list,
        workdir,
        ulimits: c.config.ulimits.clone(),
        no_new_privileges: c.config.no_new_privileges,
        bounding: confinement.bounding,
        non_root: confinement.non_root,
        ambient: confinement.ambient,
        seccomp: confinement
            .filter
            .iter()
            .map(|f| (f.code, f.jt, f.jf, f.k))
            .collect(),
        mask: rsp_sys::sigset_words(&old_mask),
    };
    let plan = serde_json::to_vec(&plan).expect("plain data serializes");
    let _ = std::fs::File::from(plan_w).write_all(&plan);
    // (Our copy of the child's end, dropped above, would have kept us
    // waiting for a terminal that a dying child never sends.)
    let _ = helper.wait();
    let mut pid_text = String::new();
    let _ = std::fs::File::from(pid_r).read_to_string(&mut pid_text);
    let child = pid_text.trim().parse::<i32>().ok().map(Pid::from_raw);

    let mut master = None;
    if let (Some(ours), Some(_)) = (&tty_ours, child)
        && let Ok(Some(m)) = rsp_sys::recv_fd(ours.as_fd())
    {
        if let Some(ws) = super::tty::host_winsize() {
            let _ = rsp_sys::set_winsize(m.as_fd(), ws);
        }
        let _ = nix::unistd::write(ours.as_fd(), b"1");
        master = Some(m);
    }
    drop(tty_ours);
    if let Err(f) = helper.outcome() {
        if let Some(ch) = child {
            let _ = waitpid(ch, None);
        }
        restore();
        return Err(super::child_failure(f, "the exec helper"));
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

/// argv[1] that makes rsp the `rsp exec` joiner.
pub const JOIN_ARG: &str = "__exec-join";

/// The most plan a joiner reads: the command's arguments and environment
/// are bounded by the kernel's own limit for exec (ARG_MAX, a quarter of
/// the stack limit) long before this.
const PLAN_MAX: u64 = 64 << 20;

/// What `rsp exec` tells its joiner, as JSON on a pipe: the joiner's own
/// command line can be read in the container (`/proc/PID/cmdline` needs
/// no permission), so it carries nothing but the pipe's number.
#[derive(Serialize, Deserialize)]
struct JoinPlan {
    /// Inherited namespace descriptors and their CLONE_NEW* flags, user
    /// first.
    namespaces: Vec<(i32, i32)>,
    /// The error pipe: an exit code byte, then why.
    err_fd: i32,
    /// Where the command's pid goes.
    pid_fd: i32,
    /// `-t`: the socket its terminal's master goes back on.
    tty_fd: Option<i32>,
    /// The ownership supervisor's control connection.
    owners_fd: Option<i32>,
    detach: bool,
    interactive: bool,
    args: Vec<String>,
    env: Vec<String>,
    workdir: String,
    /// The container's `--ulimit`s, set for the command too.
    #[serde(default)]
    ulimits: Vec<crate::ulimit::Ulimit>,
    /// The container's `--security-opt no-new-privileges`.
    #[serde(default)]
    no_new_privileges: bool,
    /// `rsp exec`'s own signal mask, restored for the command: the words
    /// of its `sigset_t`, real-time signals included.
    mask: Vec<u64>,
    /// The container's capabilities and seccomp program (see
    /// `Confinement`), for the command too.
    bounding: u64,
    non_root: bool,
    ambient: u64,
    seccomp: Vec<(u16, u8, u8, u32)>,
}

/// The joiner: rsp executed from its write-protected image, with an empty
/// environment, by a child of `rsp exec` in the host's namespaces (so its
/// memory belongs to the host's user namespace). Reads its plan, becomes
/// non-dumpable, joins the container's namespaces and makes the command's
/// process as a sibling (`CLONE_PARENT`), so that `rsp exec` is its parent.
/// That process is in the container's pid namespace until it executes the
/// command; it carries no host environment, and the container can neither
/// ptrace it nor open its `/proc/PID/exe`.
///
/// Entry point: `rsp __exec-join PLAN_FD`.
pub fn join_main(args: &[std::ffi::OsString]) -> i32 {
    if rsp_sys::confine::set_non_dumpable().is_err() {
        return 125;
    }
    let plan = args
        .first()
        .and_then(|a| a.to_str())
        .and_then(|s| s.parse().ok())
        .and_then(rsp_sys::inherited_fd)
        .and_then(|fd| {
            let mut data = Vec::new();
            std::fs::File::from(fd)
                .take(PLAN_MAX)
                .read_to_end(&mut data)
                .ok()?;
            serde_json::from_slice::<JoinPlan>(&data).ok()
        });
    // Without a plan there is no error pipe to report on: `rsp exec` sees
    // the helper end without starting the command (and says so).
    let Some(plan) = plan else { return 125 };
    let Some(err_w) = rsp_sys::inherited_fd(plan.err_fd) else {
        return 125;
    };
    let reporter = Reporter::inherited(err_w);
    let fail = |code: i32, message: String| -> ! { reporter.fail(ChildFailure { code, message }) };
    let _ = reporter.close_on_exec();
    // Close-on-exec again as soon as they are ours: the command must not
    // inherit them, even where close_range cannot say so later.
    let take = |fd: i32| {
        let owned = rsp_sys::inherited_fd(fd)
            .unwrap_or_else(|| fail(125, format!("the exec helper lost descriptor {fd}")));
        if let Err(e) = nix::fcntl::fcntl(&owned, FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC)) {
            fail(125, format!("the exec helper's descriptor {fd}: {e}"));
        }
        owned
    };
    let pid_w = take(plan.pid_fd);
    let tty = plan.tty_fd.map(take);
    let owners = plan.owners_fd.map(take);
    // Made before the command's fork.
    let confinement = super::Confinement {
        bounding: plan.bounding,
        non_root: plan.non_root,
        ambient: plan.ambient,
        filter: plan
            .seccomp
            .iter()
            .map(|&(code, jt, jf, k)| libc::sock_filter { code, jt, jf, k })
            .collect(),
    };
    let filter = if owners.is_some() {
        super::ownership::filter_program()
    } else {
        Vec::new()
    };
    let namespaces: Vec<(OwnedFd, CloneFlags)> = plan
        .namespaces
        .iter()
        .map(|&(fd, flag)| (take(fd), CloneFlags::from_bits_retain(flag)))
        .collect();
    for (fd, flag) in &namespaces {
        if let Err(e) = nix::sched::setns(fd, *flag) {
            fail(125, format!("joining the container's namespaces: {e}"));
        }
    }
    drop(namespaces);
    // Joining a pid namespace applies to children only: the command is a
    // child made as a sibling, so `rsp exec` is its parent. It reports its
    // failure where we do.
    let report = reporter
        .try_clone()
        .unwrap_or_else(|e| fail(125, format!("starting the command: {e}")));
    let started = Spawn::new()
        .sibling()
        .report_through(report)
        .start_keeping(pid_w, |_| {
            let fail = ChildFailure::new;
            let _ = nix::unistd::setsid();
            let io = match tty {
                Some(theirs) => super::child_stdio(super::ChildIo::Tty(theirs), true),
                None if plan.detach => detach_stdio(),
                None if !plan.interactive => super::dev_null_stdin(),
                None => Ok(()),
            };
            if let Err(e) = io {
                return Err(fail(125, format!("setting up the command's stdio: {e}")));
            }
            if let Err(e) = nix::unistd::chdir(plan.workdir.as_str()) {
                return Err(fail(
                    125,
                    format!(
                        "changing to working directory {}: {e}: fix -w",
                        plan.workdir
                    ),
                ));
            }
            if let Err(e) = crate::ulimit::apply(&plan.ulimits) {
                return Err(fail(125, e.to_string()));
            }
            if plan.no_new_privileges
                && let Err(e) = nix::sys::prctl::set_no_new_privs()
            {
                return Err(fail(125, format!("setting no-new-privileges: {e}")));
            }
            let path_env = process::env_get(&plan.env, "PATH")
                .unwrap_or(process::DEFAULT_PATH)
                .to_string();
            let env: Vec<CString> = plan
                .env
                .iter()
                .filter_map(|e| CString::new(e.as_bytes()).ok())
                .collect();
            let mask = rsp_sys::sigset_from_words(&plan.mask);
            let (code, msg) = super::exec_command(
                &plan.args,
                &path_env,
                &env,
                &mask,
                owners.as_ref().map(|s| (s, true, filter.as_slice())),
                &confinement,
            );
            Err(fail(code, msg))
        });
    match started {
        Err(e) => fail(
            125,
            format!("starting the command: {}", super::spawn_cause(&e)),
        ),
        Ok((command, pid_w)) => {
            let _ = std::fs::File::from(pid_w).write_all(command.pid().to_string().as_bytes());
            rsp_sys::exit_now(0)
        }
    }
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
