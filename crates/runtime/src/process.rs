//! The container's process as Docker defines it from the image config and
//! the command line: argv from Entrypoint and Cmd, the environment, the
//! working directory, and the user (resolved through the image's
//! `/etc/passwd` and `/etc/group`, with the supplementary groups those
//! list it in, and `--group-add`'s).

use nix::fcntl::{OFlag, OpenHow, ResolveFlag, openat2};
use std::io::Read;
use std::os::fd::AsFd;
use std::path::Path;

pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    #[error(
        "unable to find user {0}: no matching entries in the image's /etc/passwd: use a numeric -u UID"
    )]
    NoUser(String),
    #[error(
        "unable to find group {0}: no matching entries in the image's /etc/group: use a numeric GID"
    )]
    NoGroup(String),
    #[error("invalid user {0:?}: use -u USER[:GROUP] with names or numbers")]
    BadUser(String),
    #[error(
        "unable to find group {0} for --group-add: no matching entries in the image's /etc/group: use a numeric GID"
    )]
    NoAddedGroup(String),
    #[error(
        "--group-add keep-groups is not supported: rsp maps only your own uid and gid into the container, so your other host groups cannot be kept; give each group by name or GID"
    )]
    KeepGroups,
    #[error(
        "no command given and the image has no Entrypoint or Cmd: give a command after the image name"
    )]
    NoCommand,
}

/// The final argv, following Docker: `--entrypoint` replaces the image's
/// Entrypoint and then drops the image's Cmd; a command given on the
/// command line replaces Cmd.
pub fn argv(
    image_entrypoint: &[String],
    image_cmd: &[String],
    entrypoint: Option<&str>,
    cmd: &[String],
) -> Result<Vec<String>, ProcessError> {
    let (ep, default_cmd): (Vec<String>, &[String]) = match entrypoint {
        Some("") => (vec![], &[]),
        Some(e) => (vec![e.to_string()], &[]),
        None => (image_entrypoint.to_vec(), image_cmd),
    };
    let mut out = ep;
    if cmd.is_empty() {
        out.extend(default_cmd.iter().cloned());
    } else {
        out.extend(cmd.iter().cloned());
    }
    if out.is_empty() {
        return Err(ProcessError::NoCommand);
    }
    Ok(out)
}

/// Merges environment lists; later entries override earlier ones with the
/// same name, keeping the first position.
pub fn merge_env(lists: &[&[String]]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for list in lists {
        for kv in *list {
            let key = kv.split('=').next().unwrap_or("");
            if let Some(slot) = out.iter_mut().find(|e| e.split('=').next() == Some(key)) {
                *slot = kv.clone();
            } else {
                out.push(kv.clone());
            }
        }
    }
    out
}

pub fn env_get<'a>(env: &'a [String], key: &str) -> Option<&'a str> {
    env.iter()
        .find_map(|e| e.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
}

/// Opens `path` below `dir` without ever leaving it, even through
/// symlinks; non-blocking, so a FIFO planted there cannot hang us.
fn open_in_root(dir: &std::path::Path, path: &str) -> Option<std::fs::File> {
    let root = nix::fcntl::open(
        dir,
        OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        nix::sys::stat::Mode::empty(),
    )
    .ok()?;
    let how = OpenHow::new()
        .flags(OFlag::O_RDONLY | OFlag::O_CLOEXEC | OFlag::O_NOFOLLOW | OFlag::O_NONBLOCK)
        .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS);
    openat2(root.as_fd(), path.trim_start_matches('/'), how)
        .ok()
        .map(std::fs::File::from)
}

/// Reads at most 1 MiB of a regular file.
fn read_small(f: std::fs::File) -> Option<String> {
    if !f.metadata().ok()?.is_file() {
        return None;
    }
    let mut s = String::new();
    f.take(1 << 20).read_to_string(&mut s).ok()?;
    Some(s)
}

/// Reads a file from the merged view of the layers (highest first), never
/// leaving a layer's directory even through symlinks.
pub fn read_from_layers(layer_dirs: &[std::path::PathBuf], path: &str) -> Option<String> {
    for dir in layer_dirs.iter().rev() {
        if let Some(f) = open_in_root(dir, path) {
            // A whiteout (0:0 char device) hides lower copies.
            return read_small(f);
        }
    }
    None
}

/// Reads a file of a running container (its `/etc/passwd`, say) through
/// `/proc/PID/root`, resolved inside the container's root: the container
/// controls that file, so it may not point us anywhere else.
pub fn read_in_container(pid: i32, path: &str) -> Option<String> {
    read_small(open_in_root(
        std::path::Path::new(&format!("/proc/{pid}/root")),
        path,
    )?)
}

/// A resolved user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub uid: u32,
    pub gid: u32,
    pub home: String,
    /// The name of its passwd entry, if it has one.
    pub name: Option<String>,
    /// Its supplementary groups: every group of the image's `/etc/group`
    /// whose member list names it, when no group was given (as Docker
    /// and runc do); sorted, without repeats, never the primary `gid`.
    pub groups: Vec<u32>,
}

/// `/etc/group` entries as (name, gid, members); malformed lines skipped.
fn group_entries(group: &str) -> impl Iterator<Item = (&str, u32, &str)> {
    group.lines().filter_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() >= 4)
            .then(|| f[2].parse().ok().map(|gid| (f[0], gid, f[3])))
            .flatten()
    })
}

/// The gids of every group in `group` whose member list names `user`,
/// sorted, without repeats, `primary` left out.
pub fn member_groups(user: &str, primary: u32, group: Option<&str>) -> Vec<u32> {
    let mut out: Vec<u32> = group_entries(group.unwrap_or(""))
        .filter(|(_, gid, members)| *gid != primary && members.split(',').any(|m| m == user))
        .map(|(_, gid, _)| gid)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Resolves one `--group-add` value: a GID, or a group name in the
/// image's `/etc/group`. Podman's `keep-groups` is refused: it keeps the
/// caller's host groups, which a one-id user namespace cannot map.
pub fn resolve_group(spec: &str, group: Option<&str>) -> Result<u32, ProcessError> {
    if spec == "keep-groups" {
        return Err(ProcessError::KeepGroups);
    }
    if let Ok(gid) = spec.parse::<u32>() {
        return Ok(gid);
    }
    group_entries(group.unwrap_or(""))
        .find(|(name, _, _)| *name == spec)
        .map(|(_, gid, _)| gid)
        .ok_or_else(|| ProcessError::NoAddedGroup(spec.to_string()))
}

fn passwd_find<'a>(passwd: &'a str, by: impl Fn(&[&'a str]) -> bool) -> Option<Vec<&'a str>> {
    passwd
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.len() >= 7 && by(f))
}

/// Whether `passwd` has an entry named `name` or with uid `uid`.
pub fn passwd_has_entry(passwd: &str, name: &str, uid: u32) -> bool {
    passwd_find(passwd, |f| f[0] == name || f[2].parse::<u32>() == Ok(uid)).is_some()
}

/// Whether `group` has an entry named `name` or with gid `gid`.
pub fn group_has_entry(group: &str, name: &str, gid: u32) -> bool {
    group.lines().any(|l| {
        let f: Vec<&str> = l.split(':').collect();
        f.len() >= 3 && (f[0] == name || f[2].parse::<u32>() == Ok(gid))
    })
}

/// Resolves `spec` (`""`, `name`, `uid`, `name:group`, `uid:gid`) the way
/// Docker does: a numeric uid without a passwd entry gets gid 0 and home `/`.
pub fn resolve_user(
    spec: &str,
    passwd: Option<&str>,
    group: Option<&str>,
) -> Result<User, ProcessError> {
    let passwd = passwd.unwrap_or("");
    let (u, g) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    if u.is_empty() && g.is_some() {
        return Err(ProcessError::BadUser(spec.to_string()));
    }
    let u = if u.is_empty() { "0" } else { u };
    let entry = if let Ok(uid) = u.parse::<u32>() {
        passwd_find(passwd, |f| f[2].parse::<u32>() == Ok(uid))
    } else {
        Some(
            passwd_find(passwd, |f| f[0] == u)
                .ok_or_else(|| ProcessError::NoUser(u.to_string()))?,
        )
    };
    let uid = match u.parse::<u32>() {
        Ok(n) => n,
        Err(_) => entry
            .as_ref()
            .and_then(|e| e[2].parse().ok())
            .ok_or_else(|| ProcessError::NoUser(u.to_string()))?,
    };
    let mut gid = entry.as_ref().and_then(|e| e[3].parse().ok()).unwrap_or(0);
    let home = entry
        .as_ref()
        .map(|e| e[5].to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "/".to_string());
    let name = entry.as_ref().map(|e| e[0].to_string());
    if let Some(g) = g {
        gid = match g.parse::<u32>() {
            Ok(n) => n,
            Err(_) => group
                .unwrap_or("")
                .lines()
                .map(|l| l.split(':').collect::<Vec<_>>())
                .find(|f| f.len() >= 3 && f[0] == g)
                .and_then(|f| f[2].parse().ok())
                .ok_or_else(|| ProcessError::NoGroup(g.to_string()))?,
        };
    }
    // Supplementary groups come only with the implicit group, as runc
    // computes them: `-u name:group` asks for exactly that group.
    let groups = match (&name, g) {
        (Some(n), None) => member_groups(n, gid, group),
        _ => Vec::new(),
    };
    Ok(User {
        uid,
        gid,
        home,
        name,
        groups,
    })
}

/// Finds `cmd` on `path` inside the (already pivoted) root, like execvp.
/// Returns the path to exec, or the errno to report.
pub fn find_executable(cmd: &str, path: &str) -> Result<String, nix::Error> {
    use std::os::unix::fs::PermissionsExt;
    if cmd.contains('/') {
        return Ok(cmd.to_string());
    }
    let mut saw_eacces = false;
    for dir in path.split(':') {
        let dir = if dir.is_empty() { "." } else { dir };
        let cand = Path::new(dir).join(cmd);
        if let Ok(meta) = std::fs::metadata(&cand)
            && meta.is_file()
        {
            if meta.permissions().mode() & 0o111 != 0 {
                return Ok(cand.display().to_string());
            }
            saw_eacces = true;
        }
    }
    Err(if saw_eacces {
        nix::Error::EACCES
    } else {
        nix::Error::ENOENT
    })
}

/// This process's environment as `KEY=VALUE` C strings, for `execve`.
pub fn environ_cstrings() -> Vec<std::ffi::CString> {
    use std::os::unix::ffi::OsStrExt;
    std::env::vars_os()
        .filter_map(|(k, v)| {
            let mut kv = k.as_bytes().to_vec();
            kv.push(b'=');
            kv.extend_from_slice(v.as_bytes());
            std::ffi::CString::new(kv).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn docker_argv_rules() {
        let ep = s(&["/ep"]);
        let cmd = s(&["a", "b"]);
        assert_eq!(argv(&ep, &cmd, None, &[]).unwrap(), s(&["/ep", "a", "b"]));
        assert_eq!(argv(&ep, &cmd, None, &s(&["x"])).unwrap(), s(&["/ep", "x"]));
        assert_eq!(argv(&ep, &cmd, Some("/o"), &[]).unwrap(), s(&["/o"]));
        assert_eq!(argv(&ep, &cmd, Some(""), &s(&["y"])).unwrap(), s(&["y"]));
        assert!(argv(&[], &[], None, &[]).is_err());
    }

    #[test]
    fn env_merge_overrides() {
        let a = s(&["PATH=/bin", "A=1"]);
        let b = s(&["A=2", "B=3"]);
        assert_eq!(merge_env(&[&a, &b]), s(&["PATH=/bin", "A=2", "B=3"]));
        assert_eq!(env_get(&a, "PATH"), Some("/bin"));
    }

    #[test]
    fn users() {
        let pw = "root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www:/var/www:/bin/sh\n";
        let gr = "root:x:0:\nstaff:x:50:\n";
        let r = |s| resolve_user(s, Some(pw), Some(gr));
        assert_eq!(
            r("").unwrap(),
            User {
                uid: 0,
                gid: 0,
                home: "/root".into(),
                name: Some("root".into()),
                groups: vec![],
            }
        );
        assert_eq!(
            r("www-data").unwrap(),
            User {
                uid: 33,
                gid: 33,
                home: "/var/www".into(),
                name: Some("www-data".into()),
                groups: vec![],
            }
        );
        assert_eq!(
            r("1000").unwrap(),
            User {
                uid: 1000,
                gid: 0,
                home: "/".into(),
                name: None,
                groups: vec![],
            }
        );
        assert_eq!(r("33:staff").unwrap().gid, 50);
        assert_eq!(r("1000:7").unwrap().gid, 7);
        assert!(r("nosuch").is_err());
        assert!(r("0:nosuch").is_err());
    }

    #[test]
    fn supplementary_groups_from_member_lists() {
        let pw = "root:x:0:0:root:/root:/bin/sh\n\
                  www-data:x:33:33:www:/var/www:/bin/sh\n\
                  app:x:1000:1000::/home/app:/bin/sh\n";
        // Members are matched by whole name, never by prefix; the primary
        // group is left out even where it lists the user; a repeated gid
        // counts once; malformed lines are skipped.
        let gr = "root:x:0:\n\
                  www-data:x:33:www-data\n\
                  adm:x:4:syslog,www-data\n\
                  web:x:80:app,www-data\n\
                  video:x:44:www-dat,www-data2\n\
                  web2:x:80:www-data\n\
                  broken:x:zz:www-data\n\
                  short:x:9\n\
                  staff:x:50:\n";
        let r = |s| resolve_user(s, Some(pw), Some(gr));
        assert_eq!(r("www-data").unwrap().groups, vec![4, 80]);
        // By uid, the entry's name is what the member lists name.
        assert_eq!(r("33").unwrap().groups, vec![4, 80]);
        assert_eq!(r("app").unwrap().groups, vec![80]);
        assert_eq!(r("root").unwrap().groups, Vec::<u32>::new());
        // No passwd entry: no name for a member list to name.
        assert_eq!(r("4242").unwrap().groups, Vec::<u32>::new());
        // An explicit group is the only group, as runc resolves it.
        assert_eq!(r("www-data:staff").unwrap().groups, Vec::<u32>::new());
        assert_eq!(r("www-data:50").unwrap().groups, Vec::<u32>::new());
        // A primary gid other than the entry's own is still left out.
        assert_eq!(member_groups("www-data", 80, Some(gr)), vec![4, 33]);
        assert_eq!(member_groups("www-data", 33, None), Vec::<u32>::new());
    }

    #[test]
    fn entries_by_name_or_id() {
        let pw = "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\nbad:x\n";
        assert!(passwd_has_entry(pw, "user", 4242));
        assert!(passwd_has_entry(pw, "me", 1000));
        assert!(!passwd_has_entry(pw, "me", 4242));
        assert!(!passwd_has_entry(pw, "bad", 4242));
        let gr = "root:x:0:\nusers:x:100:\n";
        assert!(group_has_entry(gr, "users", 7));
        assert!(group_has_entry(gr, "me", 100));
        assert!(!group_has_entry(gr, "me", 7));
        assert!(!group_has_entry("", "root", 0));
    }

    #[test]
    fn added_groups() {
        let gr = "root:x:0:\nstaff:x:50:\nwheel:x:10:root\n";
        assert_eq!(resolve_group("staff", Some(gr)).unwrap(), 50);
        assert_eq!(resolve_group("10", Some(gr)).unwrap(), 10);
        // A GID needs no entry; a name does.
        assert_eq!(resolve_group("4242", None).unwrap(), 4242);
        assert!(matches!(
            resolve_group("nosuch", Some(gr)),
            Err(ProcessError::NoAddedGroup(g)) if g == "nosuch"
        ));
        assert!(matches!(
            resolve_group("keep-groups", Some(gr)),
            Err(ProcessError::KeepGroups)
        ));
        assert!(matches!(
            resolve_group("", Some(gr)),
            Err(ProcessError::NoAddedGroup(_))
        ));
    }
}
