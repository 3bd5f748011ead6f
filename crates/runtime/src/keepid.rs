//! `--userns=keep-id` inside the container: the caller's `/etc/passwd`
//! and `/etc/group` entries and home directory, as Podman gives them.
//!
//! Contract: [`apply`] runs in the container's first process, in its user
//! and mount namespaces, on the container's root as its storage mounted it
//! and before anything else is mounted in it (volumes, `/proc`, the
//! generated `/etc` files): every write lands in the container's own
//! layer, and nothing on the host changes. Paths are resolved inside that
//! root (`RESOLVE_IN_ROOT`, never through magic links or into another
//! mount), so an image's symlinks cannot lead the writes out of it. An
//! entry is appended only where the file has none for the name or the id
//! (an image's own entry wins, and a restarted container gets nothing
//! twice); the file is appended to in place, keeping its inode and so its
//! recorded owner and mode. Missing directories are made `0755`.

use super::container::KeepIdUser;
use super::process;
use nix::fcntl::{OFlag, OpenHow, ResolveFlag, openat2};
use nix::sys::stat::Mode;
use std::io::{Read, Write};
use std::os::fd::{AsFd, OwnedFd};

/// Larger user databases are not read (nor added to).
const MAX_DB: u64 = 16 << 20;

#[derive(Debug, thiserror::Error)]
pub enum KeepIdError {
    #[error("--userns=keep-id: adding your entry to the container's {path}: {source}")]
    Entry {
        path: &'static str,
        source: std::io::Error,
    },
    #[error("--userns=keep-id: the container's {0} is not a regular file: fix the image")]
    NotAFile(&'static str),
    #[error("--userns=keep-id: making your home directory {path} in the container: {source}")]
    Home { path: String, source: nix::Error },
}

fn resolve() -> ResolveFlag {
    ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS | ResolveFlag::RESOLVE_NO_XDEV
}

/// Opens `rel` (relative, resolved in `root`) with `flags`.
fn open(root: &OwnedFd, rel: &str, flags: OFlag, mode: Mode) -> nix::Result<OwnedFd> {
    let how = OpenHow::new()
        .flags(flags | OFlag::O_CLOEXEC)
        .mode(mode)
        .resolve(resolve());
    openat2(root.as_fd(), if rel.is_empty() { "." } else { rel }, how)
}

/// Opens the directory `path` in `root`, making each missing component.
fn make_dirs(root: &OwnedFd, path: &str) -> nix::Result<OwnedFd> {
    let dir = |rel: &str| open(root, rel, OFlag::O_PATH | OFlag::O_DIRECTORY, Mode::empty());
    let mut done = String::new();
    let mut parent = dir("")?;
    for comp in path.split('/').filter(|c| !c.is_empty() && *c != ".") {
        if !done.is_empty() {
            done.push('/');
        }
        done.push_str(comp);
        parent = match dir(&done) {
            Ok(fd) => fd,
            Err(nix::Error::ENOENT) => {
                // Made in the directory just resolved: mkdir follows no
                // symlink, so a dangling one fails here (EEXIST).
                nix::sys::stat::mkdirat(parent.as_fd(), comp, Mode::from_bits_truncate(0o755))?;
                dir(&done)?
            }
            Err(e) => return Err(e),
        };
    }
    Ok(parent)
}

/// Appends `line` to `/etc/<name>` unless `has(contents)`; makes the file
/// (and `/etc`) where the image has none.
fn add_entry(
    root: &OwnedFd,
    name: &'static str,
    line: &str,
    has: impl Fn(&str) -> bool,
) -> Result<(), KeepIdError> {
    let path = match name {
        "passwd" => "/etc/passwd",
        _ => "/etc/group",
    };
    let err = |source: std::io::Error| KeepIdError::Entry { path, source };
    let rel = &path[1..];
    // Non-blocking: a FIFO planted there cannot hang the start.
    let flags = OFlag::O_RDWR | OFlag::O_APPEND | OFlag::O_NONBLOCK | OFlag::O_NOCTTY;
    let fd = match open(root, rel, flags, Mode::empty()) {
        Ok(fd) => fd,
        Err(nix::Error::ENOENT) => {
            make_dirs(root, "etc").map_err(|e| err(e.into()))?;
            open(
                root,
                rel,
                flags | OFlag::O_CREAT | OFlag::O_EXCL,
                Mode::from_bits_truncate(0o644),
            )
            .map_err(|e| err(e.into()))?
        }
        Err(nix::Error::ENXIO) => return Err(KeepIdError::NotAFile(path)),
        Err(e) => return Err(err(e.into())),
    };
    let mut file = std::fs::File::from(fd);
    if !file.metadata().map_err(err)?.is_file() {
        return Err(KeepIdError::NotAFile(path));
    }
    let mut bytes = Vec::new();
    (&mut file)
        .take(MAX_DB)
        .read_to_end(&mut bytes)
        .map_err(err)?;
    let text = String::from_utf8_lossy(&bytes);
    if has(&text) {
        return Ok(());
    }
    let mut out = String::new();
    if !text.is_empty() && !text.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(line);
    file.write_all(out.as_bytes()).map_err(err)
}

/// Gives the container `user`'s entries (where it has none for them) and
/// home directory (where missing). `root` is the container's root as its
/// storage mounted it, nothing mounted in it yet.
pub fn apply(root: &OwnedFd, user: &KeepIdUser) -> Result<(), KeepIdError> {
    add_entry(root, "passwd", &user.passwd_line(), |text| {
        process::passwd_has_entry(text, &user.name, user.uid)
    })?;
    if let Some(line) = user.group_line() {
        add_entry(root, "group", &line, |text| {
            process::group_has_entry(text, &user.group, user.gid)
        })?;
    }
    make_dirs(root, &user.home)
        .map(drop)
        .map_err(|source| KeepIdError::Home {
            path: user.home.clone(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root_of(dir: &std::path::Path) -> OwnedFd {
        nix::fcntl::open(
            dir,
            OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .unwrap()
    }

    fn me() -> KeepIdUser {
        KeepIdUser {
            name: "me".into(),
            uid: 4242,
            gid: 4343,
            gecos: "Me Myself".into(),
            home: "/home/me".into(),
            group: "mine".into(),
        }
    }

    #[test]
    fn adds_entries_and_home_once() {
        let dir = tempfile::tempdir().unwrap();
        let etc = dir.path().join("etc");
        std::fs::create_dir(&etc).unwrap();
        // No final newline: the entry still starts a line of its own.
        std::fs::write(etc.join("passwd"), "root:x:0:0:root:/root:/bin/sh").unwrap();
        std::fs::write(etc.join("group"), "root:x:0:\n").unwrap();
        let root = root_of(dir.path());
        apply(&root, &me()).unwrap();
        // A restart adds nothing twice.
        apply(&root, &me()).unwrap();
        assert_eq!(
            std::fs::read_to_string(etc.join("passwd")).unwrap(),
            "root:x:0:0:root:/root:/bin/sh\nme:*:4242:4343:Me Myself:/home/me:/bin/sh\n"
        );
        assert_eq!(
            std::fs::read_to_string(etc.join("group")).unwrap(),
            "root:x:0:\nmine:x:4343:me\n"
        );
        assert!(dir.path().join("home/me").is_dir());
    }

    #[test]
    fn the_images_entries_win() {
        let dir = tempfile::tempdir().unwrap();
        let etc = dir.path().join("etc");
        std::fs::create_dir(&etc).unwrap();
        let passwd = "other:x:4242:1:o:/o:/bin/sh\n";
        let group = "mine:x:1:\n";
        std::fs::write(etc.join("passwd"), passwd).unwrap();
        std::fs::write(etc.join("group"), group).unwrap();
        std::fs::create_dir_all(dir.path().join("home/me")).unwrap();
        apply(&root_of(dir.path()), &me()).unwrap();
        assert_eq!(std::fs::read_to_string(etc.join("passwd")).unwrap(), passwd);
        assert_eq!(std::fs::read_to_string(etc.join("group")).unwrap(), group);
    }

    #[test]
    fn makes_missing_files_and_stays_in_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let rootdir = dir.path().join("root");
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(&rootdir).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        // /home leads "out" of the root: it resolves inside it instead.
        std::os::unix::fs::symlink(&outside, rootdir.join("home")).unwrap();
        let inside = rootdir.join(outside.strip_prefix("/").unwrap());
        std::fs::create_dir_all(&inside).unwrap();
        let user = KeepIdUser {
            group: String::new(),
            ..me()
        };
        apply(&root_of(&rootdir), &user).unwrap();
        assert_eq!(
            std::fs::read_to_string(rootdir.join("etc/passwd")).unwrap(),
            user.passwd_line()
        );
        // No group name on the host: no group entry, no file made for it.
        assert!(!rootdir.join("etc/group").exists());
        assert!(std::fs::read_dir(&outside).unwrap().next().is_none());
        assert!(inside.join("me").is_dir());
    }

    #[test]
    fn refuses_what_is_not_a_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("etc/passwd")).unwrap();
        assert!(matches!(
            apply(&root_of(dir.path()), &me()),
            Err(KeepIdError::Entry { .. } | KeepIdError::NotAFile(_))
        ));
    }
}
