//! `--sysctl KEY=VALUE`: kernel parameters of the container's own
//! namespaces, written into its `/proc/sys` before its command starts.
//!
//! Contract: [`check`] accepts only what the container's namespaces own,
//! as Podman does: the IPC namespace's (`kernel.msgmax`, `kernel.msgmnb`,
//! `kernel.msgmni`, `kernel.sem`, `kernel.shmall`, `kernel.shmmax`,
//! `kernel.shmmni`, `kernel.shm_rmid_forced`, `fs.mqueue.*`) and, when the
//! container has a network namespace of its own, `net.*`. Anything else
//! would change the host for everyone and is refused with the reason. The
//! values are written by [`crate::rootfs`] in the container's mount of
//! `/proc`, before `/proc/sys` is made read-only.

use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum SysctlError {
    #[error("--sysctl {0:?}: give KEY=VALUE, as in net.ipv4.ip_unprivileged_port_start=0")]
    Format(String),
    #[error(
        "--sysctl {0}: not a sysctl of the container's own namespaces: a container may set \
         kernel.msgmax, kernel.msgmnb, kernel.msgmni, kernel.sem, kernel.shmall, kernel.shmmax, \
         kernel.shmmni, kernel.shm_rmid_forced, fs.mqueue.* and, with a network of its own, net.*"
    )]
    NotNamespaced(String),
    #[error(
        "--sysctl {0}: the container shares your network namespace (--network host), whose \
         settings are yours: drop it or use the container's own network"
    )]
    HostNetwork(String),
}

const IPC: &[&str] = &[
    "kernel.msgmax",
    "kernel.msgmnb",
    "kernel.msgmni",
    "kernel.sem",
    "kernel.shmall",
    "kernel.shmmax",
    "kernel.shmmni",
    "kernel.shm_rmid_forced",
];

/// Checks `specs` (`KEY=VALUE`; `/` separators are taken as `.`); the
/// last value of a key wins.
pub fn check(specs: &[String], own_netns: bool) -> Result<BTreeMap<String, String>, SysctlError> {
    let mut out = BTreeMap::new();
    for s in specs {
        let (k, v) = s
            .split_once('=')
            .filter(|(k, _)| !k.is_empty())
            .ok_or_else(|| SysctlError::Format(s.clone()))?;
        let key = k.trim().replace('/', ".");
        if key.split('.').any(|part| part.is_empty() || part == "..") {
            return Err(SysctlError::Format(s.clone()));
        }
        let ipc = IPC.contains(&key.as_str()) || key.starts_with("fs.mqueue.");
        if key.starts_with("net.") {
            if !own_netns {
                return Err(SysctlError::HostNetwork(key));
            }
        } else if !ipc {
            return Err(SysctlError::NotNamespaced(key));
        }
        out.insert(key, v.to_string());
    }
    Ok(out)
}

/// The path of `key` under `/proc/sys`.
pub fn proc_path(key: &str) -> String {
    format!("sys/{}", key.replace('.', "/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue18_sysctl_only_namespaced_keys() {
        let ok = check(
            &[
                "net.ipv4.ip_unprivileged_port_start=0".into(),
                "kernel.msgmax=1024".into(),
                "fs/mqueue/msg_max=20".into(),
            ],
            true,
        )
        .unwrap();
        assert_eq!(ok["fs.mqueue.msg_max"], "20");
        assert_eq!(proc_path("net.ipv4.ip_forward"), "sys/net/ipv4/ip_forward");
        assert!(matches!(
            check(&["vm.swappiness=1".into()], true),
            Err(SysctlError::NotNamespaced(_))
        ));
        assert!(matches!(
            check(&["kernel.hostname=x".into()], true),
            Err(SysctlError::NotNamespaced(_))
        ));
        assert!(matches!(
            check(&["net.ipv4.ip_forward=1".into()], false),
            Err(SysctlError::HostNetwork(_))
        ));
        assert!(matches!(
            check(&["noequals".into()], true),
            Err(SysctlError::Format(_))
        ));
        assert!(matches!(
            check(&["net..x=1".into()], true),
            Err(SysctlError::Format(_))
        ));
    }
}
