//! Whether this system lets an unprivileged user create user namespaces,
//! and if not, which knob forbids it and how to fix it.
//!
//! Contract: [`diagnose`] returns one line naming the cause and the fix, so
//! `rsp run` and `rsp info` never show a raw `EPERM`.

use rsp_sys::spawn::{Namespace, Spawn};

fn read_sysctl(path: &str) -> Option<i64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// Names the setting that forbids user namespaces, with the fix.
pub fn diagnose() -> String {
    if read_sysctl("/proc/sys/user/max_user_namespaces") == Some(0) {
        return "user namespaces are disabled (user.max_user_namespaces=0): run `sudo sysctl -w user.max_user_namespaces=15000` (and set it in /etc/sysctl.d/ to keep it)".into();
    }
    if read_sysctl("/proc/sys/kernel/unprivileged_userns_clone") == Some(0) {
        return "unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone=0): run `sudo sysctl -w kernel.unprivileged_userns_clone=1`".into();
    }
    if read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == Some(1) {
        return "AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1): install contrib/apparmor/rsp as /etc/apparmor.d/rsp (edit the binary path) and run `sudo apparmor_parser -r /etc/apparmor.d/rsp`".into();
    }
    if let Ok(status) = std::fs::read_to_string("/proc/self/status")
        && status
            .lines()
            .any(|l| l.starts_with("Seccomp:") && l.trim_end().ends_with('2'))
    {
        return "a seccomp filter on this process forbids creating user namespaces (running inside a sandbox or container?): run rsp outside it, or allow unshare/clone with CLONE_NEWUSER".into();
    }
    "this system does not let unprivileged users create user namespaces: check user.max_user_namespaces and your security modules".into()
}

/// Tries to create a user and mount namespace and use its capabilities
/// (AppArmor's restriction lets the namespace be made but strips them).
pub fn probe() -> Result<(), String> {
    let started = Spawn::new()
        .new_namespaces(Namespace::User | Namespace::Mount)
        .start(|_| {
            nix::mount::mount(
                None::<&str>,
                "/",
                None::<&str>,
                nix::mount::MsFlags::MS_REC | nix::mount::MsFlags::MS_PRIVATE,
                None::<&str>,
            )
            .map_err(|e| e.to_string())
        });
    match started.map(|child| child.wait()) {
        Ok(Ok(nix::sys::wait::WaitStatus::Exited(_, 0))) => Ok(()),
        _ => Err(diagnose()),
    }
}
