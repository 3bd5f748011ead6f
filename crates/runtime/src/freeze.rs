//! Pausing a container with signals where no cgroup can freeze it: every
//! member process is stopped with SIGSTOP and resumed with SIGCONT.
//!
//! Contract: [`freeze`] returns only once every member is stopped, or
//! resumes them all and fails. Processes that exit while we work are no
//! error.

use super::procs::{self, ProcsError, Stat, proc_path};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum FreezeError {
    #[error(transparent)]
    Procs(#[from] ProcsError),
    #[error("sending {signal} to process {pid}: {source}")]
    Signal {
        pid: i32,
        signal: Signal,
        source: nix::Error,
    },
    #[error("processes {pids:?} did not stop within {}s", FREEZE_WAIT.as_secs())]
    NotStopped { pids: Vec<i32> },
}

type Result<T, E = FreezeError> = std::result::Result<T, E>;

/// How long [`freeze`] waits for every member to show as stopped.
const FREEZE_WAIT: Duration = Duration::from_secs(2);
const FREEZE_POLL: Duration = Duration::from_millis(10);

fn state_of(pid: i32) -> Option<char> {
    Stat::parse(&std::fs::read_to_string(proc_path(pid, "stat")).ok()?).map(|s| s.state)
}

/// Stopped, traced, or past caring (zombies cannot be stopped).
fn is_still(state: char) -> bool {
    matches!(state, 'T' | 't' | 'Z' | 'X' | 'x')
}

fn signal(pid: i32, sig: Signal) -> Result<()> {
    match kill(Pid::from_raw(pid), sig) {
        Ok(()) | Err(nix::Error::ESRCH) => Ok(()),
        Err(source) => Err(FreezeError::Signal {
            pid,
            signal: sig,
            source,
        }),
    }
}

/// Pauses the container by stopping each of its processes with SIGSTOP.
pub fn freeze(pid1: i32, ns_pid: i32) -> Result<()> {
    freeze_with(&|| Ok(procs::members(pid1, ns_pid)?))
}

/// Resumes every process of the container with SIGCONT.
pub fn thaw(pid1: i32, ns_pid: i32) -> Result<()> {
    thaw_pids(&procs::members(pid1, ns_pid)?)
}

fn thaw_pids(pids: &[i32]) -> Result<()> {
    let mut first_err = None;
    for &pid in pids {
        // Resume as many as we can even if one refuses.
        if let Err(e) = signal(pid, Signal::SIGCONT) {
            first_err.get_or_insert(e);
        }
    }
    first_err.map_or(Ok(()), Err)
}

/// Stops everything `scan` lists until two scans in a row list the same
/// processes, all stopped: a process may fork between our listing and its
/// SIGSTOP, and only a listing made after every known process was seen
/// stopped is sure to include such a child. On failure, everything is
/// resumed so the container is not left half paused.
fn freeze_with(scan: &dyn Fn() -> Result<Vec<i32>>) -> Result<()> {
    let result = stop_all(scan);
    if result.is_err()
        && let Ok(pids) = scan()
    {
        let _ = thaw_pids(&pids);
    }
    result
}

fn stop_all(scan: &dyn Fn() -> Result<Vec<i32>>) -> Result<()> {
    let rounds = FREEZE_WAIT.as_millis() / FREEZE_POLL.as_millis();
    let mut settled: Option<Vec<i32>> = None;
    let mut running = Vec::new();
    for _ in 0..rounds {
        let pids = scan()?;
        running.clear();
        for &pid in &pids {
            if state_of(pid).is_some_and(|s| !is_still(s)) {
                signal(pid, Signal::SIGSTOP)?;
                running.push(pid);
            }
        }
        if running.is_empty() {
            if settled.as_ref() == Some(&pids) {
                return Ok(());
            }
            settled = Some(pids);
            continue;
        }
        settled = None;
        std::thread::sleep(FREEZE_POLL);
    }
    Err(FreezeError::NotStopped { pids: running })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::procs::tests::{Kids, spawn, tree, wait_for};

    #[test]
    fn freeze_and_thaw_a_process_tree() {
        // A shell with two children, one of which keeps forking, to check
        // the rescan catches processes born while others are being stopped.
        let kids = Kids(vec![spawn(&[
            "sh",
            "-c",
            "sleep 37 & (while :; do sleep 0.01; done) & wait",
        ])]);
        let root = kids.0[0].id() as i32;
        wait_for(|| tree(root).len() >= 3);
        freeze_with(&|| Ok(tree(root))).unwrap();
        let frozen = tree(root);
        assert!(frozen.len() >= 3);
        for &p in &frozen {
            assert!(state_of(p).is_none_or(is_still), "{p} not stopped");
        }
        // Nothing new appears while frozen.
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(tree(root), frozen);
        thaw_pids(&frozen).unwrap();
        wait_for(|| {
            frozen
                .iter()
                .all(|&p| state_of(p).is_none_or(|s| !matches!(s, 'T' | 't')))
        });
    }
}
