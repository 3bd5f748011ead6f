//! Capabilities of a container's processes: Podman's default set,
//! `--cap-add`, `--cap-drop` and `--privileged`, resolved into the sets a
//! process starts its command with.
//!
//! Contract: [`resolve`] is pure. It gives the bounding set (what any
//! process of the container can ever hold: root's effective and permitted
//! sets after `execve`) and the ambient set (what a process that starts as
//! a non-root user holds: the added capabilities only, as Podman gives
//! them). The sets are applied right before the command is executed
//! (`rsp_sys::confine::limit_capabilities`, from `exec_command`): the
//! bounding set is cut, and a non-root user's process is locked out of
//! root's automatic capabilities (`SECBIT_NOROOT`), since every process
//! of the container is uid 0 to the kernel (one id is mapped; other users
//! are emulated by the ownership supervisor, which reads the same sets).
//! Everything stays inside the container's user namespace: no set here
//! grants anything over the host.

/// Capability names by number, as `capabilities(7)` lists them (40 is
/// CAP_CHECKPOINT_RESTORE, Linux 5.9).
pub const NAMES: [&str; 41] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
];

/// Every capability rsp knows.
pub const ALL: u64 = (1 << NAMES.len()) - 1;

/// Podman's default set (containers.conf `default_capabilities`):
/// CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, NET_BIND_SERVICE, SETFCAP,
/// SETGID, SETPCAP, SETUID, SYS_CHROOT. `CapEff: 00000000800405fb` for
/// root.
pub const DEFAULT: u64 = 0x8004_05fb;

#[derive(Debug, thiserror::Error)]
pub enum CapsError {
    #[error(
        "{flag} {name:?}: unknown capability: give a name such as NET_ADMIN or CAP_NET_ADMIN, or ALL (see capabilities(7))"
    )]
    Unknown { flag: &'static str, name: String },
}

/// The capability number of `name` (`NET_ADMIN`, `CAP_NET_ADMIN`, any
/// case); None for ALL and unknown names.
pub fn number(name: &str) -> Option<u32> {
    let upper = name.trim().to_ascii_uppercase();
    let full = if upper.starts_with("CAP_") {
        upper
    } else {
        format!("CAP_{upper}")
    };
    NAMES.iter().position(|n| *n == full).map(|i| i as u32)
}

/// The names of the capabilities in `set`, in number order.
pub fn names(set: u64) -> Vec<String> {
    NAMES
        .iter()
        .enumerate()
        .filter(|(i, _)| set & (1 << i) != 0)
        .map(|(_, n)| n.to_string())
        .collect()
}

/// `--cap-add`/`--cap-drop` values normalized as Podman records them
/// (`CAP_NET_ADMIN`, or `ALL`), in the order given; an unknown name is an
/// error naming the flag.
pub fn normalize(flag: &'static str, given: &[String]) -> Result<Vec<String>, CapsError> {
    let mut out = Vec::new();
    for g in given {
        for name in g.split(',').filter(|s| !s.trim().is_empty()) {
            let n = if name.trim().eq_ignore_ascii_case("all") {
                "ALL".to_string()
            } else {
                match number(name) {
                    Some(i) => NAMES[i as usize].to_string(),
                    None => {
                        return Err(CapsError::Unknown {
                            flag,
                            name: name.to_string(),
                        });
                    }
                }
            };
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    Ok(out)
}

/// What a container's processes may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CapSets {
    /// The bounding set: root's effective and permitted sets.
    pub bounding: u64,
    /// The capabilities a process started as a non-root user holds
    /// (effective, permitted, inheritable and ambient): the added ones.
    pub non_root: u64,
}

impl CapSets {
    /// The effective set of a process started as `uid`.
    pub fn effective(&self, uid: u32) -> u64 {
        if uid == 0 {
            self.bounding
        } else {
            self.non_root
        }
    }
}

fn mask(names: &[String]) -> u64 {
    names
        .iter()
        .filter_map(|n| number(n))
        .fold(0, |m, i| m | 1 << i)
}

/// The sets for normalized `add` and `drop` lists ([`normalize`]), as
/// Podman computes them: `--privileged` gives every capability;
/// `--cap-drop ALL` starts from none; `--cap-add ALL` from all; then the
/// added ones are added and the dropped ones dropped (a capability both
/// added and dropped by name stays dropped).
pub fn resolve(add: &[String], drop: &[String], privileged: bool) -> CapSets {
    let all_added = add.iter().any(|n| n == "ALL");
    if privileged {
        return CapSets {
            bounding: ALL,
            non_root: ALL,
        };
    }
    let base = if drop.iter().any(|n| n == "ALL") {
        0
    } else if all_added {
        ALL
    } else {
        DEFAULT
    };
    let added = if all_added { ALL } else { mask(add) };
    let dropped = mask(drop);
    let bounding = (base | added) & !dropped;
    CapSets {
        bounding,
        non_root: added & bounding,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn default_set_is_podmans() {
        let d = resolve(&[], &[], false);
        assert_eq!(format!("{:016x}", d.bounding), "00000000800405fb");
        assert_eq!(
            names(DEFAULT),
            v(&[
                "CAP_CHOWN",
                "CAP_DAC_OVERRIDE",
                "CAP_FOWNER",
                "CAP_FSETID",
                "CAP_KILL",
                "CAP_SETGID",
                "CAP_SETUID",
                "CAP_SETPCAP",
                "CAP_NET_BIND_SERVICE",
                "CAP_SYS_CHROOT",
                "CAP_SETFCAP"
            ])
        );
        assert_eq!(d.effective(0), DEFAULT);
        assert_eq!(d.effective(1000), 0);
    }

    #[test]
    fn add_and_drop() {
        let add = normalize("--cap-add", &v(&["sys_admin", "CAP_NET_RAW"])).unwrap();
        assert_eq!(add, v(&["CAP_SYS_ADMIN", "CAP_NET_RAW"]));
        let drop = normalize("--cap-drop", &v(&["chown,kill"])).unwrap();
        let s = resolve(&add, &drop, false);
        assert_eq!(
            s.bounding,
            (DEFAULT | 1 << 21 | 1 << 13) & !(1 << 0 | 1 << 5)
        );
        assert_eq!(s.effective(1000), 1 << 21 | 1 << 13);
        let none = resolve(&[], &v(&["ALL"]), false);
        assert_eq!(none.bounding, 0);
        let one = resolve(&v(&["CAP_NET_ADMIN"]), &v(&["ALL"]), false);
        assert_eq!(one.bounding, 1 << 12);
        let all = resolve(&v(&["ALL"]), &v(&["CAP_SYS_ADMIN"]), false);
        assert_eq!(all.bounding, ALL & !(1 << 21));
        assert_eq!(resolve(&[], &v(&["ALL"]), true).bounding, ALL);
        // Added and dropped: dropped.
        let both = resolve(&v(&["CAP_NET_RAW"]), &v(&["CAP_NET_RAW"]), false);
        assert_eq!(both.bounding, DEFAULT);
    }

    #[test]
    fn unknown_names_are_refused_with_the_flag() {
        let e = normalize("--cap-add", &v(&["NET_ADMINN"])).unwrap_err();
        assert!(e.to_string().starts_with("--cap-add \"NET_ADMINN\""), "{e}");
        assert_eq!(number("cap_bpf"), Some(39));
        assert_eq!(number("ALL"), None);
    }
}
