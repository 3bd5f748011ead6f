//! `start`, `stop`, `kill`, `restart`, `wait`, `rename`, `attach`,
//! `exec`, `pause`, `unpause`, `container prune`.

use super::args::{
    AllNamesArgs, AttachArgs, ExecArgs, Global, KillArgs, NamesArgs, PruneArgs, RenameArgs,
    StartArgs, StopArgs, UpdateArgs,
};
use super::{CmdResult, Failure, open_store, output};
use anyhow::{Context, anyhow};
use rsp_runtime::attach::{self, AttachEnd, AttachOptions, parse_detach_keys};
use rsp_runtime::container::{self, Container, LogDriver, Status};
use rsp_runtime::exec::ExecOptions;
use rsp_runtime::monitor::{self, Launch};
use rsp_runtime::{RuntimeError, ops};
use rsp_storage::Store;
use std::os::unix::net::UnixStream;

/// Resolves names (or every container `pick` accepts with `all`), running
/// `f` on each and printing what Podman prints. Missing containers are
/// reported and make the exit code 125 (Podman), unless `ignore`.
fn each(
    store: &Store,
    names: &[String],
    all: bool,
    ignore: bool,
    pick: impl Fn(&Container) -> bool,
    mut f: impl FnMut(&Container, &str) -> Result<(), RuntimeError>,
) -> CmdResult {
    let targets: Vec<(Container, String)> = if all {
        container::list(store)?
            .into_iter()
            .filter(|c| pick(c))
            .map(|c| {
                let id = c.config.id.clone();
                (c, id)
            })
            .collect()
    } else {
        if names.is_empty() {
            return Err(Failure::new(
                125,
                anyhow!("give at least one container name or ID, or --all"),
            ));
        }
        let mut v = Vec::new();
        for n in names {
            match container::find(store, n) {
                Ok(c) => v.push((c, n.clone())),
                Err(_) if ignore => {}
                Err(e) => return Err(Failure::new(125, e.into())),
            }
        }
        v
    };
    let mut failed = None;
    for (c, label) in &targets {
        match f(c, label) {
            Ok(()) => println!("{label}"),
            Err(e) => {
                if let Some(prev) = failed.replace(e) {
                    eprintln!("Error: {prev}");
                }
            }
        }
    }
    match failed {
        Some(e) => Err(e.into()),
        None => Ok(0),
    }
}

/// Relays an attached client until the container exits or we detach;
/// returns the exit code for `run` and `start -a`.
pub fn finish_attach(
    store: &Store,
    id: &str,
    client: UnixStream,
    opts: &AttachOptions,
) -> CmdResult {
    match attach::attach(client, opts).map_err(RuntimeError::Attach)? {
        AttachEnd::Exited(code) => Ok(code),
        AttachEnd::Detached => Ok(0),
        AttachEnd::Lost => match container::load(store, id) {
            Ok(c) if !c.state.is_active() => Ok(c.state.exit_code),
            Ok(c) => Err(anyhow!(
                "lost the connection to the monitor of container {}: it is still running; see `rsp logs {}`",
                c.config.name,
                c.config.name
            )
            .into()),
            // Removed (--rm) before we read its code.
            Err(_) => Ok(0),
        },
    }
}

pub fn start(g: &Global, a: &StartArgs) -> CmdResult {
    let (paths, store) = open_store(g)?;
    let attach = a.attach || a.interactive;
    if attach && (a.containers.len() != 1 || a.all) {
        return Err(anyhow!("--attach and --interactive take exactly one container").into());
    }
    if attach {
        let c = container::find(&store, &a.containers[0])?;
        let (pid, client) = match ops::start(&store, &paths, &c, true)? {
            Launch::Started {
                pid,
                client,
                warnings,
            } => {
                super::containers::print_start_warnings(&warnings);
                (pid, client)
            }
            Launch::AlreadyRunning => {
                let c = container::load(&store, &c.config.id)?;
                let s = monitor::connect(&paths, &c.config.id).map_err(RuntimeError::Attach)?;
                (c.state.pid, Some(s))
            }
        };
        let opts = AttachOptions {
            stdin: a.interactive && c.config.interactive,
            stdout: true,
            stderr: true,
            tty: c.config.tty,
            detach_keys: parse_detach_keys(&a.detach_keys).map_err(|e| anyhow!(e))?,
            sig_proxy: a.sig_proxy.then_some(pid),
        };
        let client = client.context("the monitor gave no attach connection")?;
        return finish_attach(&store, &c.config.id, client, &opts);
    }
    each(
        &store,
        &a.containers,
        a.all,
        false,
        |c| !c.state.is_active(),
        |c, _| {
            if c.state.is_active() {
                return Ok(());
            }
            if c.config.log_driver == LogDriver::Passthrough {
                return Err(RuntimeError::Exec(format!(
                    "container {} uses the passthrough log driver: start it with --attach",
                    c.config.name
                )));
            }
            ops::start(&store, &paths, c, false).map(super::containers::started)
        },
    )
}

pub fn stop(g: &Global, a: &StopArgs) -> CmdResult {
    let (paths, store) = open_store(g)?;
    each(
        &store,
        &a.containers,
        a.all,
        a.ignore,
        |c| c.state.is_active(),
        |c, _| ops::stop(&store, &paths, c, a.time, &mut output::warn),
    )
}

pub fn restart(g: &Global, a: &StopArgs) -> CmdResult {
    let (paths, store) = open_store(g)?;
    each(
        &store,
        &a.containers,
        a.all,
        a.ignore,
        |_| true,
        |c, _| {
            ops::stop(&store, &paths, c, a.time, &mut output::warn)?;
            // Wait for the old monitor to let go of the container.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
            while container::load(&store, &c.config.id).is_ok_and(|c| c.state.monitor_alive())
                && std::time::Instant::now() < deadline
            {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            let c = container::load(&store, &c.config.id)?;
            ops::start(&store, &paths, &c, false).map(super::containers::started)
        },
    )
}

pub fn kill(g: &Global, a: &KillArgs) -> CmdResult {
    let (paths, store) = open_store(g)?;
    let sig = ops::parse_signal(&a.signal).ok_or_else(|| {
        anyhow!(
            "invalid signal {:?}: use a name such as TERM, SIGKILL or a number",
            a.signal
        )
    })?;
    each(
        &store,
        &a.containers,
        a.all,
        false,
        |c| c.state.is_active(),
        |c, _| ops::kill(&store, &paths, c, sig),
    )
}

pub fn wait(g: &Global, a: &NamesArgs) -> CmdResult {
    let (paths, store) = open_store(g)?;
    for n in &a.containers {
        let c = container::find(&store, n)?;
        println!("{}", ops::wait(&store, &paths, &c)?);
    }
    Ok(0)
}

pub fn rename(g: &Global, a: &RenameArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    let c = container::find(&store, &a.container)?;
    ops::rename(&store, &c, &a.name)?;
    Ok(0)
}

/// `update`: prints the container's full ID, as Podman does.
pub fn update(g: &Global, a: &UpdateArgs) -> CmdResult {
    let flags = a.limits.flags();
    if !flags.any() {
        return Err(anyhow::anyhow!(
            "rsp update needs a limit to change: give --memory, --memory-swap, --memory-reservation, --cpus, --cpu-shares, --cpu-weight, --cpuset-cpus, --pids-limit or --blkio-weight"
        )
        .into());
    }
    let (_, store) = open_store(g)?;
    let c = container::find(&store, &a.container)?;
    ops::update(&store, &c, &flags)?;
    println!("{}", c.config.id);
    Ok(0)
}

pub fn pause(g: &Global, a: &AllNamesArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    each(
        &store,
        &a.containers,
        a.all,
        false,
        |c| c.state.status == Status::Running,
        |c, _| ops::pause(&store, c),
    )
}

pub fn unpause(g: &Global, a: &AllNamesArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    each(
        &store,
        &a.containers,
        a.all,
        false,
        |c| c.state.status == Status::Paused,
        |c, _| ops::unpause(&store, c),
    )
}

pub fn attach(g: &Global, a: &AttachArgs) -> CmdResult {
    let (paths, store) = open_store(g)?;
    let c = container::find(&store, &a.container)?;
    if !c.state.is_active() {
        return Err(anyhow!(
            "you can only attach to running containers: start {} with `rsp start -a {}`",
            c.config.name,
            c.config.name
        )
        .into());
    }
    let sock = monitor::connect(&paths, &c.config.id).map_err(RuntimeError::Attach)?;
    let opts = AttachOptions {
        stdin: !a.no_stdin && c.config.interactive,
        stdout: true,
        stderr: true,
        tty: c.config.tty,
        detach_keys: parse_detach_keys(&a.detach_keys).map_err(|e| anyhow!(e))?,
        sig_proxy: (a.sig_proxy && !c.config.tty).then_some(c.state.pid),
    };
    rsp_runtime::event(&store, &c.config, "attach", None);
    finish_attach(&store, &c.config.id, sock, &opts)
}

pub fn exec(g: &Global, a: &ExecArgs) -> CmdResult {
    // The command runs as rsp exec's own child and ends with it, so there
    // is no session to detach from; "" (no keys) is what rsp does anyway.
    if a.detach_keys.as_deref().is_some_and(|k| !k.is_empty()) {
        return Err(Failure::new(
            125,
            anyhow!(
                "rsp exec cannot detach from a running command, so --detach-keys takes only \"\": use exec -d to run the command in the background"
            ),
        ));
    }
    let (paths, store) = open_store(g)?;
    let c = container::find(&store, &a.container)?;
    if c.config.infra {
        return Err(anyhow!(
            "container {} is a pod's infra container: it runs nothing to exec into; exec into a member of the pod",
            c.config.name
        )
        .into());
    }
    let env = super::containers::user_env(&a.env_file, &a.env)?;
    if let Some(w) = &a.workdir
        && !w.starts_with('/')
    {
        return Err(anyhow!("working directory {w:?} must be an absolute path").into());
    }
    let opts = ExecOptions {
        args: a.command.clone(),
        env,
        workdir: a.workdir.clone(),
        user: a.user.clone(),
        tty: a.tty,
        interactive: a.interactive,
        detach: a.detach,
        run_dir: rsp_runtime::monitor::run_dir(&paths, &c.config.id),
        seccomp_cache: rsp_runtime::seccomp_cache(&paths),
    };
    rsp_runtime::event(&store, &c.config, "exec", None);
    let code = rsp_runtime::exec::exec(&c, &opts)?;
    if a.detach {
        println!("{}", &container::random_id());
    } else {
        rsp_runtime::event(&store, &c.config, "exec_died", Some(code));
    }
    Ok(code)
}

pub fn prune(g: &Global, a: &PruneArgs) -> CmdResult {
    let (paths, store) = open_store(g)?;
    let mut label_filters = Vec::new();
    let mut until = None;
    for f in &a.filter {
        match f.split_once('=') {
            Some(("label", v)) => label_filters.push(v.to_string()),
            Some(("until", v)) => {
                until = Some(
                    rsp_base::timespec::parse_time(v, chrono::Utc::now())
                        .map_err(|e| anyhow!("{e}"))?,
                )
            }
            _ => {
                return Err(anyhow!(
                    "invalid filter {f:?}: container prune takes label= and until="
                )
                .into());
            }
        }
    }
    if !a.force {
        use std::io::{BufRead, Write};
        eprint!(
            "WARNING! This will remove all non running containers.\nAre you sure you want to continue? [y/N] "
        );
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        if !matches!(line.trim(), "y" | "Y" | "yes" | "Yes") {
            return Ok(0);
        }
    }
    for c in container::list(&store)? {
        // A pod's infra goes with its pod.
        if c.state.is_active()
            || c.state.monitor_alive()
            || rsp_runtime::pods::is_pod_infra(&store, &c)
        {
            continue;
        }
        let labels_ok = label_filters
            .iter()
            .all(|l| super::map_has(&c.config.labels, l));
        let created = chrono::DateTime::parse_from_rfc3339(&c.config.created).ok();
        let until_ok = match (until, created) {
            (Some(u), Some(t)) => t < u,
            _ => true,
        };
        if labels_ok && until_ok {
            ops::remove(&store, &paths, &c, false, None, false, &mut output::warn)?;
            println!("{}", c.config.id);
        }
    }
    super::containers::remove_orphans(&store, &paths)?;
    Ok(0)
}
