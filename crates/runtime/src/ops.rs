//! Lifecycle operations on existing containers: start, stop, kill, wait,
//! pause, unpause, rename, remove.
//!
//! Contract: each operation works from the reconciled state, talks to the
//! container's monitor over its socket where the monitor must know (a user
//! stop cancels the restart policy; waiting ends on the monitor's exit
//! frame, sent only after the state file is final), and returns only once
//! the change is visible to the next command. What the user should hear
//! about an operation that still succeeds is handed, as a [`Warning`], to
//! the caller's `warn` when it happens; nothing here prints.

use super::container::{self, Container, Status};
use super::monitor::{self, Launch, SpawnOptions};
use super::{RuntimeError, proto};
use nix::sys::signal::Signal;
use nix::unistd::Pid;
use rsp_base::paths::Paths;
use rsp_storage::Store;
use std::io::Write;
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

type Result<T, E = RuntimeError> = std::result::Result<T, E>;

/// Something an operation that succeeded wants the user told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// The container's stop signal did not end it within `timeout`
    /// seconds: it is being killed with SIGKILL.
    StopSignalTimedOut {
        container: String,
        signal: Signal,
        timeout: u32,
    },
}

/// Parses a signal as Podman accepts it: `TERM`, `SIGTERM`, `15`, `sigterm`.
pub fn parse_signal(s: &str) -> Option<Signal> {
    let s = s.trim();
    if let Ok(n) = s.parse::<i32>() {
        return Signal::try_from(n).ok();
    }
    let up = s.to_ascii_uppercase();
    let name = if up.starts_with("SIG") {
        up
    } else {
        format!("SIG{up}")
    };
    name.parse().ok()
}

/// Starts a created or exited container under a new monitor.
pub fn start(store: &Store, paths: &Paths, c: &Container, attach: bool) -> Result<Launch> {
    let passthrough = c.config.log_driver == container::LogDriver::Passthrough;
    let opts = SpawnOptions {
        attach,
        passthrough,
        ..SpawnOptions::default()
    };
    launch(store, paths, c, opts)
}

/// Starts a build step's container: tied to the calling process (it dies
/// with it), stdin `/dev/null`, output to the caller's stdout and stderr
/// or to `output` (the container must use the passthrough log driver).
pub fn start_build(
    store: &Store,
    paths: &Paths,
    c: &Container,
    output: Option<&OwnedFd>,
) -> Result<Launch> {
    let opts = SpawnOptions {
        attach: false,
        passthrough: true,
        tied: true,
        output,
    };
    launch(store, paths, c, opts)
}

fn launch(store: &Store, paths: &Paths, c: &Container, opts: SpawnOptions<'_>) -> Result<Launch> {
    // A pod member needs its infra running: it joins its namespaces.
    if let Some(infra) = &c.config.pod_infra
        && let Ok(i) = container::load(store, infra)
        && !i.state.is_active()
    {
        // Members still running are in the namespaces of the infra's last
        // run: a new one would split the pod.
        let split = container::list(store)?.iter().any(|m| {
            m.config.pod_infra.as_deref() == Some(infra.as_str())
                && m.config.id != c.config.id
                && m.state.is_active()
        });
        if split {
            return Err(RuntimeError::Exec(format!(
                "the infra container of {}'s pod is not running while others of its containers are: stop the pod and start it again (`rsp pod stop`, `rsp pod start`)",
                c.config.name
            )));
        }
        start(store, paths, &i, false)?;
    }
    // The previous monitor may still be saying goodbye (flushing its last
    // clients) while the state already says exited: wait for it to go.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let launched =
            monitor::spawn(paths, &c.config.id, opts).map_err(|e| why_start_failed(store, c, e))?;
        if !matches!(launched, Launch::AlreadyRunning) || Instant::now() >= deadline {
            return Ok(launched);
        }
        match container::load(store, &c.config.id) {
            Ok(now) if !now.state.is_active() => std::thread::sleep(Duration::from_millis(5)),
            _ => return Ok(launched),
        }
    }
}

/// What a failed start means when the store changed under it: an `rmi -f`
/// or `rm -f` removed the container, or its layers, while it was starting.
/// Otherwise the failure itself (always so for the command's own 126/127).
fn why_start_failed(store: &Store, c: &Container, err: RuntimeError) -> RuntimeError {
    // A monitor that ended without a word was killed: by the `rm -f` (of
    // `rmi -f`) that removed its container, if the record is gone.
    let message = match &err {
        RuntimeError::Child { code: 125, message } => message.as_str(),
        RuntimeError::MonitorEnded => "",
        _ => return err,
    };
    let silent = matches!(err, RuntimeError::MonitorEnded);
    // A removal drops the record first, under the lock; taking the lock lets
    // one in progress finish before the record is looked at.
    let _lock = store.lock();
    // A `--rm` container's monitor removes it after any failed start; the
    // monitor, which looked before that, has said whether someone else did.
    let gone = !store
        .container_dir(&c.config.id)
        .join("container.json")
        .exists();
    if gone && (!c.config.remove || silent || message.contains(&c.config.id)) {
        return RuntimeError::RemovedWhileStarting(c.config.name.clone());
    }
    if !c.config.layers.iter().all(|d| store.has_layer(d)) {
        return RuntimeError::LayersGone(c.config.image_name.clone());
    }
    err
}

/// A connection to the monitor that only listens for the exit frame. With
/// `stopping`, the monitor is first told the user is stopping the
/// container (no restart), and its acknowledgement awaited, so the state
/// read afterwards is the one to act on.
fn waiter(paths: &Paths, id: &str, stopping: bool) -> Option<UnixStream> {
    let mut s = monitor::connect(paths, id).ok()?;
    let mut frames = Vec::new();
    proto::encode(proto::HELLO, &[0], &mut frames);
    if stopping {
        proto::encode(proto::STOPPING, &[], &mut frames);
    }
    s.write_all(&frames).ok()?;
    if stopping {
        let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
        // An exit frame may come first; the state read afterwards has it.
        loop {
            match proto::read_frame(&mut s) {
                Ok(Some((proto::STOP_ACK, _))) => break,
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => return None,
            }
        }
        let _ = s.set_read_timeout(None);
    }
    Some(s)
}

/// Waits up to `limit` for the exit frame; Some(code) when it came, or
/// None on timeout. A monitor that goes away without one yields the code
/// from the state file.
fn wait_exit(
    store: &Store,
    id: &str,
    sock: &mut Option<UnixStream>,
    limit: Option<Duration>,
) -> Option<i32> {
    let deadline = limit.map(|l| Instant::now() + l);
    if let Some(s) = sock {
        loop {
            let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            if left.is_some_and(|l| l.is_zero()) {
                return None;
            }
            let _ = s.set_read_timeout(left);
            match proto::read_frame(s) {
                Ok(Some((proto::EXIT, p))) if p.len() == 4 => {
                    return Some(i32::from_le_bytes([p[0], p[1], p[2], p[3]]));
                }
                Ok(Some(_)) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return None;
                }
                Ok(None) | Err(_) => break,
            }
        }
    }
    // No monitor to ask: poll the state until the process is gone.
    *sock = None;
    loop {
        match container::load(store, id) {
            Ok(c) if c.state.is_active() => {}
            Ok(c) => return Some(c.state.exit_code),
            Err(_) => return Some(0),
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn signal_container(c: &Container, sig: Signal) -> Result<()> {
    match nix::sys::signal::kill(Pid::from_raw(c.state.pid), sig) {
        Ok(()) | Err(nix::Error::ESRCH) => Ok(()),
        Err(e) => Err(RuntimeError::Signal {
            name: c.config.name.clone(),
            source: e,
        }),
    }
}

/// Stops a container: its stop signal, then SIGKILL after `timeout`
/// seconds (telling `warn` when it comes to that). Returns once it has
/// exited and its state is recorded.
pub fn stop(
    store: &Store,
    paths: &Paths,
    c: &Container,
    timeout: Option<u32>,
    warn: &mut dyn FnMut(Warning),
) -> Result<()> {
    let mut sock = waiter(paths, &c.config.id, true);
    // Acknowledged: no restart will follow, so this state is the last run.
    let c = &container::load(store, &c.config.id).unwrap_or_else(|_| c.clone());
    if !c.state.is_active() {
        if sock.is_some() {
            // A monitor waiting to restart: the stop frame ended it.
            wait_exit(store, &c.config.id, &mut sock, Some(Duration::from_secs(5)));
        }
        return Ok(());
    }
    let timeout = timeout.unwrap_or(c.config.stop_timeout);
    let sig = parse_signal(&c.config.stop_signal).unwrap_or(Signal::SIGTERM);
    if timeout > 0 {
        signal_container(c, sig)?;
        if c.state.status == Status::Paused {
            let _ = thaw(c);
        }
        if wait_exit(
            store,
            &c.config.id,
            &mut sock,
            Some(Duration::from_secs(timeout.into())),
        )
        .is_some()
        {
            super::event(store, &c.config, "stop", None);
            return Ok(());
        }
        if sig != Signal::SIGKILL {
            warn(Warning::StopSignalTimedOut {
                container: c.config.name.clone(),
                signal: sig,
                timeout,
            });
        }
    }
    signal_container(c, Signal::SIGKILL)?;
    if wait_exit(
        store,
        &c.config.id,
        &mut sock,
        Some(Duration::from_secs(30)),
    )
    .is_none()
    {
        return Err(RuntimeError::StopTimeout(c.config.name.clone()));
    }
    super::event(store, &c.config, "stop", None);
    Ok(())
}

/// Sends `sig` to the container's first process.
pub fn kill(store: &Store, paths: &Paths, c: &Container, sig: Signal) -> Result<()> {
    if !c.state.is_active() {
        return Err(RuntimeError::NotRunning(c.config.name.clone()));
    }
    // As Podman: a container the user kills is not restarted.
    let _ = waiter(paths, &c.config.id, true);
    signal_container(c, sig)?;
    super::event(store, &c.config, "kill", None);
    Ok(())
}

/// Waits for the container to exit; returns its exit code.
pub fn wait(store: &Store, paths: &Paths, c: &Container) -> Result<i32> {
    if !c.state.is_active() {
        return Ok(c.state.exit_code);
    }
    let mut sock = waiter(paths, &c.config.id, false);
    Ok(wait_exit(store, &c.config.id, &mut sock, None).unwrap_or(c.state.exit_code))
}

fn thaw(c: &Container) -> Result<()> {
    if c.state.pause_method == "cgroup" {
        return super::cgroup::Cgroup::open(Path::new(&c.state.cgroup))
            .and_then(|cg| cg.freeze(false))
            .map_err(|e| RuntimeError::Pause(e.to_string()));
    }
    super::freeze::thaw(c.state.pid, c.state.ns_pid())
        .map_err(|e| RuntimeError::Pause(e.to_string()))
}

/// Freezes every process of the container.
pub fn pause(store: &Store, c: &Container) -> Result<()> {
    match c.state.status {
        Status::Running => {}
        Status::Paused => return Err(RuntimeError::AlreadyPaused(c.config.name.clone())),
        _ => return Err(RuntimeError::NotRunning(c.config.name.clone())),
    }
    // The cgroup freezer where the container has a cgroup: exact, and
    // invisible to the processes; otherwise SIGSTOP to each of them.
    let method = if c.state.cgroup.is_empty() {
        super::freeze::freeze(c.state.pid, c.state.ns_pid())
            .map_err(|e| RuntimeError::Pause(e.to_string()))?;
        "signal"
    } else {
        super::cgroup::Cgroup::open(Path::new(&c.state.cgroup))
            .and_then(|cg| cg.freeze(true))
            .map_err(|e| RuntimeError::Pause(e.to_string()))?;
        "cgroup"
    };
    container::update_state(store, &c.config.id, |s| {
        if s.status == Status::Running {
            s.status = Status::Paused;
            s.pause_method = method.into();
        }
    })?;
    super::event(store, &c.config, "pause", None);
    Ok(())
}

pub fn unpause(store: &Store, c: &Container) -> Result<()> {
    if c.state.status != Status::Paused {
        return Err(RuntimeError::NotPaused(c.config.name.clone()));
    }
    thaw(c)?;
    container::update_state(store, &c.config.id, |s| {
        if s.status == Status::Paused {
            s.status = Status::Running;
            s.pause_method.clear();
        }
    })?;
    super::event(store, &c.config, "unpause", None);
    Ok(())
}

/// Removes a container; a running one only with `force`: stopped with
/// `timeout` seconds of grace (none, SIGKILL at once, as Docker's `rm -f`),
/// as [`stop`] does, `warn` included.
pub fn remove(
    store: &Store,
    paths: &Paths,
    c: &Container,
    force: bool,
    timeout: Option<u32>,
    volumes: bool,
    warn: &mut dyn FnMut(Warning),
) -> Result<()> {
    if c.state.is_active() {
        if !force {
            return Err(RuntimeError::Running(c.config.name.clone()));
        }
        stop(store, paths, c, Some(timeout.unwrap_or(0)), warn)?;
    } else if c.state.monitor_alive() {
        // Its monitor waits to restart it: end that first.
        stop(store, paths, c, Some(0), warn)?;
    }
    // The monitor may still be finishing (writing its last state, or
    // removing a --rm container itself); let it go first.
    let deadline = Instant::now() + Duration::from_secs(5);
    while c.state.monitor_pid > 0
        && container::process_start_time(c.state.monitor_pid) == Some(c.state.monitor_start)
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(2));
    }
    super::remove_files(store, paths, &c.config.id, volumes)
}

/// `network connect NET CTR` (`connect`) or `network disconnect`: a
/// running container's monitor changes its interfaces; the record, kept
/// for its next starts, changes either way.
pub fn network_change(
    store: &Store,
    paths: &Paths,
    c: &Container,
    network: &str,
    aliases: &[String],
    ip: Option<std::net::Ipv4Addr>,
    connect: bool,
) -> Result<()> {
    let cfg = &c.config;
    let net = crate::networks::find(store, network)?;
    let req = proto::NetRequest {
        network: net.name.clone(),
        aliases: aliases.to_vec(),
        ip,
    };
    if connect && cfg.network != crate::container::NetworkMode::Bridge {
        return Err(RuntimeError::Exec(monitor::not_bridged(cfg)));
    }
    let on = cfg.networks.contains(&net.name);
    if connect == on {
        return Err(RuntimeError::Exec(if connect {
            format!(
                "container {} is already connected to network {}",
                cfg.name, net.name
            )
        } else {
            format!(
                "container {} is not connected to network {}",
                cfg.name, net.name
            )
        }));
    }
    // A running container's monitor makes the change (and answers).
    if c.state.is_active()
        && let Ok(mut s) = monitor::connect(paths, &cfg.id)
    {
        let mut frames = Vec::new();
        proto::encode(proto::HELLO, &[0], &mut frames);
        let body = serde_json::to_vec(&req).expect("a request serializes");
        proto::encode(
            if connect {
                proto::CONNECT
            } else {
                proto::DISCONNECT
            },
            &body,
            &mut frames,
        );
        s.write_all(&frames).map_err(RuntimeError::Attach)?;
        let _ = s.set_read_timeout(Some(Duration::from_secs(30)));
        loop {
            match proto::read_frame(&mut s) {
                Ok(Some((proto::NET_REPLY, why))) if why.is_empty() => break,
                Ok(Some((proto::NET_REPLY, why))) => {
                    return Err(RuntimeError::Exec(
                        String::from_utf8_lossy(&why).into_owned(),
                    ));
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => {
                    return Err(RuntimeError::Exec(format!(
                        "container {}'s monitor did not answer: try again",
                        cfg.name
                    )));
                }
            }
        }
    }
    let lock = store.lock()?;
    let mut cfg = container::load(store, &cfg.id)?.config;
    if connect {
        if !cfg.networks.contains(&net.name) {
            cfg.networks.push(net.name.clone());
        }
    } else {
        cfg.networks.retain(|n| n != &net.name);
    }
    store.write_container_file(&cfg.id, "container.json", &cfg)?;
    drop(lock);
    Ok(())
}

/// Renames a container; the new name must be valid and free.
pub fn rename(store: &Store, c: &Container, new: &str) -> Result<()> {
    if !container::valid_name(new) {
        return Err(RuntimeError::BadName(new.to_string()));
    }
    let lock = store.lock()?;
    if container::name_taken(store, new, &lock)? {
        return Err(RuntimeError::NameInUse(new.to_string()));
    }
    let mut cfg = c.config.clone();
    cfg.name = new.to_string();
    store.write_container_file(&cfg.id, "container.json", &cfg)?;
    drop(lock);
    super::event(store, &cfg, "rename", None);
    Ok(())
}

/// `rsp update`: new resource limits for `c`, kept in its config (for
/// its next starts) and, while it runs, written into its cgroup at once.
/// Limits this machine cannot enforce are refused before anything
/// changes.
pub fn update(store: &Store, c: &Container, flags: &crate::limits::LimitFlags) -> Result<()> {
    let lock = store.lock()?;
    let cur = container::load(store, &c.config.id)?;
    let mut cfg = cur.config.clone();
    cfg.limits = flags
        .parse(&cfg.limits)
        .map_err(|e| RuntimeError::Spec(Box::new(crate::spec::SpecError::from(e))))?;
    crate::spec::check_limits(&cfg.limits, cfg.no_cgroup).map_err(Box::new)?;
    if cur.state.is_active() {
        if !cur.state.cgroup.is_empty() {
            let cg = crate::cgroup::Cgroup::open(std::path::Path::new(&cur.state.cgroup))?;
            let controllers = crate::cgroup::placement()
                .map(|p| p.controllers)
                .unwrap_or_default();
            cg.apply(&cfg.limits, &controllers)?;
        }
        for path in &cur.state.cgroup_v1 {
            if let Some(m) = crate::cgroup::CgroupV1::open(std::path::Path::new(path)) {
                m.apply(&cfg.limits)?;
            }
        }
    }
    store.write_container_file(&cfg.id, "container.json", &cfg)?;
    drop(lock);
    super::event(store, &cfg, "update", None);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_parse_like_podman() {
        assert_eq!(parse_signal("TERM"), Some(Signal::SIGTERM));
        assert_eq!(parse_signal("sigkill"), Some(Signal::SIGKILL));
        assert_eq!(parse_signal("9"), Some(Signal::SIGKILL));
        assert_eq!(parse_signal("SIGUSR1"), Some(Signal::SIGUSR1));
        assert_eq!(parse_signal("NOPE"), None);
        assert_eq!(parse_signal("99"), None);
    }
}
