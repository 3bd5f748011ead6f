//! Container records: what was asked for (`container.json`, written once at
//! creation) and what happened (`state.json`, rewritten on each change).
//!
//! Contract: a record whose state says `running` but whose process is gone
//! (its rsp was killed, the machine rebooted) is reported as exited by
//! [`reconcile`], never as running forever. A container whose monitor was
//! killed died of its parent-death signal, SIGKILL: it exited 137, as Podman
//! reports a container killed by SIGKILL, and [`load`] records that once,
//! with the `died` event the monitor could not write.

use crate::paths::Paths;
use crate::storage::{Store, StoreError, StoreLock};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A bind mount from the host.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Mount {
    pub source: String,
    pub destination: String,
    pub readonly: bool,
}

/// Everything needed to start the container again; fixed at creation.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ContainerConfig {
    pub id: String,
    pub name: String,
    pub image_id: String,
    /// What the user typed for the image, as `ps` shows it.
    pub image_name: String,
    pub created: String,
    /// The final argv: entrypoint + cmd.
    pub args: Vec<String>,
    pub env: Vec<String>,
    pub workdir: String,
    /// The user as given (`-u` or the image's `User`), and as resolved.
    pub user: String,
    pub uid: u32,
    pub gid: u32,
    pub hostname: String,
    pub network: String,
    pub tty: bool,
    pub interactive: bool,
    pub remove: bool,
    #[serde(default)]
    pub mounts: Vec<Mount>,
    /// Diff IDs of the image's layers, lowest first.
    pub layers: Vec<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub entrypoint: Vec<String>,
    #[serde(default)]
    pub cmd: Vec<String>,
    /// `no`, `on-failure`, `always` or `unless-stopped`.
    #[serde(default)]
    pub restart_policy: String,
    /// Most restarts for `on-failure` (0: no limit).
    #[serde(default)]
    pub restart_max: u32,
    /// Run rsp's own init as pid 1.
    #[serde(default)]
    pub init: bool,
    /// Signal name `stop` sends first (`SIGTERM` unless the image or
    /// `--stop-signal` says otherwise).
    #[serde(default)]
    pub stop_signal: String,
    #[serde(default = "default_stop_timeout")]
    pub stop_timeout: u32,
    /// `k8s-file`, `none` or `passthrough`.
    #[serde(default)]
    pub log_driver: String,
    #[serde(default)]
    pub log_max_size: Option<u64>,
    /// `--cgroups=disabled`: never put the container in a cgroup of its own.
    #[serde(default)]
    pub no_cgroup: bool,
    /// `overlay` (also when empty) or `vfs`.
    #[serde(default)]
    pub storage_driver: String,
    /// `--network slirp:OPTS` options.
    #[serde(default)]
    pub net_options: crate::net::NetOptions,
    /// Published ports, with host ports chosen at create time.
    #[serde(default)]
    pub ports: Vec<crate::net::PortMapping>,
    /// `--owners`: `image` (the image's recorded owners and modes are
    /// emulated, see `runtime::ownership`) or `user` (also when empty:
    /// everything shows as the container's user).
    #[serde(default)]
    pub owners: String,
}

fn default_stop_timeout() -> u32 {
    10
}

impl ContainerConfig {
    /// Whether the image's recorded owners are emulated (`--owners image`).
    pub fn emulates_owners(&self) -> bool {
        self.owners == "image"
    }

    pub fn logs_enabled(&self) -> bool {
        self.log_driver.is_empty() || self.log_driver == "k8s-file"
    }
}

#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Created,
    Running,
    Paused,
    Exited,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Exited => "exited",
        }
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct State {
    pub status: Status,
    /// Host pid of the container's first process while running.
    #[serde(default)]
    pub pid: i32,
    /// Start time of `pid` (field 22 of /proc/PID/stat), so a reused pid is
    /// not mistaken for the container.
    #[serde(default)]
    pub pid_start: u64,
    /// Under `--init`: the host pid of the command (pid 2 inside). pid 1
    /// is then rsp's own init, non-dumpable, so that only root may open
    /// its /proc entries: the container's namespaces and root are entered
    /// through the command instead. 0 without `--init`.
    #[serde(default)]
    pub cmd_pid: i32,
    #[serde(default)]
    pub started_at: Option<String>,
    #[serde(default)]
    pub finished_at: Option<String>,
    #[serde(default)]
    pub exit_code: i32,
    /// The monitor holding the container (rsp re-executed), while it runs.
    #[serde(default)]
    pub monitor_pid: i32,
    #[serde(default)]
    pub monitor_start: u64,
    #[serde(default)]
    pub restart_count: u32,
    /// How `pause` froze the container: `cgroup` (v2 freezer) or `signal`
    /// (SIGSTOP to every process of its pid namespace).
    #[serde(default)]
    pub pause_method: String,
    /// The container's own cgroup v2 directory, when the user has a
    /// delegated cgroup to make it in.
    #[serde(default)]
    pub cgroup: String,
}

impl State {
    /// The process whose namespaces and root `exec`, `cp` and `top` enter.
    pub fn ns_pid(&self) -> i32 {
        if self.cmd_pid > 0 {
            self.cmd_pid
        } else {
            self.pid
        }
    }

    pub fn is_active(&self) -> bool {
        matches!(self.status, Status::Running | Status::Paused)
    }

    /// Whether this state's monitor is still alive.
    pub fn monitor_alive(&self) -> bool {
        self.monitor_pid > 0 && process_start_time(self.monitor_pid) == Some(self.monitor_start)
    }
}

/// One container, as listed.
#[derive(Clone, Debug)]
pub struct Container {
    pub config: ContainerConfig,
    pub state: State,
}

pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

/// Start time of a process, or None when it does not exist or has exited.
pub fn process_start_time(pid: i32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may contain spaces and parentheses: fields start
    // after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    // A zombie has finished: nothing but its parent's wait remains of it.
    if rest.starts_with('Z') || rest.starts_with('X') {
        return None;
    }
    rest.split(' ').nth(19)?.parse().ok()
}

/// Exit code of a container killed by SIGKILL (128 + 9), which is how one
/// dies with its monitor.
pub const KILLED_EXIT_CODE: i32 = 137;

/// Corrects a `running` (or `paused`) state whose monitor no longer exists
/// (killing the monitor kills the container: its parent-death signal), or,
/// for a record without a monitor, whose process is gone.
pub fn reconcile(state: &mut State) -> bool {
    // A live monitor owns the state: it records the real exit code itself,
    // moments after its container's process is gone.
    let gone = if state.monitor_pid > 0 {
        !state.monitor_alive()
    } else {
        state.pid <= 0 || process_start_time(state.pid) != Some(state.pid_start)
    };
    if state.is_active() && gone {
        state.exit_code = if state.monitor_pid > 0 {
            KILLED_EXIT_CODE
        } else {
            // Podman reports an unknown exit code this way.
            -1
        };
        state.status = Status::Exited;
        state.pid = 0;
        state.cmd_pid = 0;
        state.monitor_pid = 0;
        if state.finished_at.is_none() {
            state.finished_at = Some(now_rfc3339());
        }
        return true;
    }
    false
}

/// A container's state; one a crash left unreadable (state is written
/// without fsync) counts as exited with an unknown code.
fn read_state(store: &Store, id: &str) -> Result<State, StoreError> {
    match store.read_container_file(id, "state.json") {
        Err(StoreError::Corrupt { .. }) => Ok(State {
            status: Status::Exited,
            exit_code: -1,
            ..State::default()
        }),
        r => r,
    }
}

pub fn load(store: &Store, id: &str) -> Result<Container, StoreError> {
    let config: ContainerConfig = store.read_container_file(id, "container.json")?;
    let mut state = read_state(store, id)?;
    if reconcile(&mut state) {
        record_death(store, &config, &mut state);
    }
    Ok(Container { config, state })
}

/// Writes a death [`reconcile`] found, and its `died` event, exactly once:
/// under the store lock, if the state still says so. Never waits for the
/// lock (the caller may hold it): when it is busy, the next `load` does it.
fn record_death(store: &Store, config: &ContainerConfig, state: &mut State) {
    let Ok(Some(lock)) = store.try_lock() else {
        return;
    };
    let id = &config.id;
    let mut fresh = match read_state(store, id) {
        Ok(fresh) => fresh,
        Err(_) => return,
    };
    if !store.container_dir(id).join("container.json").exists() {
        return;
    }
    // Not when another command recorded it (or restarted the container) first.
    if reconcile(&mut fresh) {
        if store.write_container_state(id, &fresh).is_err() {
            return;
        }
        drop(lock);
        super::event(store, config, "died", Some(fresh.exit_code));
    }
    *state = fresh;
}

/// Reads, changes and rewrites a container's state under the store lock,
/// so the monitor and commands such as `pause` never undo each other's
/// writes. Does nothing (and fails) once the container has been removed.
pub fn update_state(
    store: &Store,
    id: &str,
    f: impl FnOnce(&mut State),
) -> Result<State, StoreError> {
    let _lock = store.lock()?;
    let path = store.container_dir(id).join("container.json");
    if !path.exists() {
        return Err(StoreError::Read {
            path,
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        });
    }
    let mut st = read_state(store, id)?;
    f(&mut st);
    store.write_container_state(id, &st)?;
    Ok(st)
}

/// Removes what killed `create`s and `rm`s left, which is never listed as a
/// container: store directories without a `container.json`, and runtime
/// directories of containers that no longer exist. Works under the store
/// lock, which `create` holds from making the directory to writing
/// `container.json`, so a container being created is never touched; a
/// directory whose monitor lock is held is left alone too. Returns the IDs
/// whose store directory was removed.
pub fn remove_orphans(store: &Store, paths: &Paths) -> Result<Vec<String>, StoreError> {
    let lock = store.lock()?;
    let run_root = paths.runroot.join("containers");
    let mut removed = Vec::new();
    for id in store.orphan_container_ids(&lock)? {
        let run_dir = run_root.join(&id);
        let Some(_monitor) = monitor_lock_free(&run_dir) else {
            continue;
        };
        store.remove_container_dir(&id)?;
        let _ = crate::storage::remove_tree(&run_dir);
        removed.push(id);
    }
    // Runtime directories of containers this store no longer has. The
    // runroot may be shared with other stores: only directories marked as
    // this store's (by their monitor, under its lock) are swept.
    if let Ok(entries) = std::fs::read_dir(&run_root) {
        for e in entries.flatten() {
            let id = e.file_name().to_string_lossy().into_owned();
            let is_id = id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit());
            if !is_id || store.container_dir(&id).exists() {
                continue;
            }
            let ours = std::fs::read(e.path().join(STORE_MARKER))
                .is_ok_and(|r| r == paths.root.as_os_str().as_encoded_bytes());
            if ours && let Some(_monitor) = monitor_lock_free(&e.path()) {
                let _ = crate::storage::remove_tree(&e.path());
            }
        }
    }
    Ok(removed)
}

/// The file in a container's runtime directory that names its store's
/// root (the runroot can be shared between stores).
pub const STORE_MARKER: &str = "store";

/// The monitor lock of runtime directory `dir`, taken if no monitor holds
/// it (`Some(None)` when there is no lock file); `None` if one does.
fn monitor_lock_free(dir: &std::path::Path) -> Option<Option<nix::fcntl::Flock<std::fs::File>>> {
    let Ok(f) = std::fs::File::open(dir.join("monitor.lock")) else {
        return Some(None);
    };
    match nix::fcntl::Flock::lock(f, nix::fcntl::FlockArg::LockExclusiveNonblock) {
        Ok(lock) => Some(Some(lock)),
        Err(_) => None,
    }
}

/// Every container, newest first.
pub fn list(store: &Store) -> Result<Vec<Container>, StoreError> {
    let mut out = Vec::new();
    for id in store.container_ids()? {
        // A container removed while we list it is simply not listed.
        if let Ok(c) = load(store, &id)
            && !c.config.id.is_empty()
        {
            out.push(c);
        }
    }
    out.sort_by(|a, b| b.config.created.cmp(&a.config.created));
    Ok(out)
}

#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    #[error("no container with name or ID {0:?} found: see `rsp ps -a`")]
    NotFound(String),
    #[error("{input:?} matches {count} containers: give more of the ID")]
    Ambiguous { input: String, count: usize },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Finds a container by exact name, full ID or unique ID prefix.
pub fn find(store: &Store, input: &str) -> Result<Container, LookupError> {
    let all = list(store)?;
    if let Some(c) = all
        .iter()
        .find(|c| c.config.name == input || c.config.id == input)
    {
        return Ok(c.clone());
    }
    let matches: Vec<&Container> = all
        .iter()
        .filter(|c| !input.is_empty() && c.config.id.starts_with(input))
        .collect();
    match matches.len() {
        0 => Err(LookupError::NotFound(input.to_string())),
        1 => Ok(matches[0].clone()),
        count => Err(LookupError::Ambiguous {
            input: input.to_string(),
            count,
        }),
    }
}

/// Whether a name is taken; caller holds the lock so the answer stays true.
pub fn name_taken(store: &Store, name: &str, _lock: &StoreLock) -> Result<bool, StoreError> {
    Ok(list(store)?.iter().any(|c| c.config.name == name))
}

const ADJECTIVES: &[&str] = &[
    "admiring",
    "brave",
    "clever",
    "dreamy",
    "eager",
    "festive",
    "gifted",
    "happy",
    "jolly",
    "keen",
    "lucid",
    "modest",
    "nifty",
    "optimistic",
    "peaceful",
    "quirky",
    "relaxed",
    "serene",
    "tender",
    "upbeat",
    "vibrant",
    "wizardly",
    "youthful",
    "zealous",
];
const NOUNS: &[&str] = &[
    "archimedes",
    "babbage",
    "curie",
    "darwin",
    "euler",
    "fermat",
    "galileo",
    "hopper",
    "hypatia",
    "joliot",
    "kepler",
    "lovelace",
    "mayer",
    "newton",
    "noether",
    "pascal",
    "ritchie",
    "shannon",
    "thompson",
    "turing",
    "villani",
    "wozniak",
    "yalow",
    "zhukovsky",
];

/// A Docker-style random name such as `festive_lovelace`.
pub fn random_name(seed: &[u8]) -> String {
    let a = seed.first().copied().unwrap_or(0) as usize % ADJECTIVES.len();
    let n = seed.get(1).copied().unwrap_or(0) as usize % NOUNS.len();
    format!("{}_{}", ADJECTIVES[a], NOUNS[n])
}

/// A fresh 64-hex-digit container ID.
pub fn random_id() -> String {
    let mut buf = [0u8; 32];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        use std::io::Read;
        let _ = f.read_exact(&mut buf);
    }
    hex::encode(buf)
}

/// Checks a user-given container name the way Podman does.
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(valid_name("web-1.a_b"));
        assert!(!valid_name("-x"));
        assert!(!valid_name(""));
        assert!(!valid_name("a/b"));
        assert_eq!(random_name(&[0, 0]), "admiring_archimedes");
    }

    #[test]
    fn dead_running_is_exited() {
        let mut s = State {
            status: Status::Running,
            pid: i32::MAX,
            ..State::default()
        };
        assert!(reconcile(&mut s));
        assert_eq!(s.status, Status::Exited);
        assert_eq!(s.exit_code, -1);
        // A dead monitor took its container with it: SIGKILL.
        let mut s = State {
            status: Status::Running,
            pid: i32::MAX,
            monitor_pid: i32::MAX,
            ..State::default()
        };
        assert!(reconcile(&mut s));
        assert_eq!((s.status, s.exit_code), (Status::Exited, KILLED_EXIT_CODE));
        let me = std::process::id() as i32;
        let mut s = State {
            status: Status::Running,
            pid: me,
            pid_start: process_start_time(me).unwrap(),
            ..State::default()
        };
        assert!(!reconcile(&mut s));
    }
}
