//! Tests of the overlay core on temporary directories (no mount), and of
//! real FUSE mounts, each made in a user and mount namespace of its own.

use super::overlay::{Overlay, ROOT};
use crate::layer::OVERRIDE_STAT_XATTR;
use fuser::{FileAttr, FileType};
use nix::errno::Errno;
use nix::sys::stat::{Mode, SFlag, mknod};
use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

struct Fx {
    _tmp: tempfile::TempDir,
    layers: Vec<PathBuf>,
    upper: PathBuf,
    work: PathBuf,
}

impl Fx {
    fn new(n: usize) -> Fx {
        let tmp = tempfile::tempdir().unwrap();
        let layers: Vec<PathBuf> = (0..n).map(|i| tmp.path().join(format!("l{i}"))).collect();
        for l in &layers {
            fs::create_dir(l).unwrap();
        }
        let upper = tmp.path().join("upper");
        let work = tmp.path().join("work");
        fs::create_dir(&upper).unwrap();
        fs::create_dir(&work).unwrap();
        Fx {
            _tmp: tmp,
            layers,
            upper,
            work,
        }
    }

    fn ov(&self) -> Overlay {
        let fs = super::OverlayFs::open(&self.layers, &self.upper, &self.work).unwrap();
        fs.ov
    }

    fn layer(&self, i: usize) -> &Path {
        &self.layers[i]
    }
}

fn write(p: impl AsRef<Path>, data: &str) {
    let p = p.as_ref();
    if let Some(d) = p.parent() {
        fs::create_dir_all(d).unwrap();
    }
    fs::write(p, data).unwrap();
}

fn whiteout(p: impl AsRef<Path>) {
    mknod(p.as_ref(), SFlag::S_IFCHR, Mode::empty(), 0).unwrap();
}

fn is_whiteout(p: impl AsRef<Path>) -> bool {
    use std::os::unix::fs::FileTypeExt;
    fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_char_device() && m.rdev() == 0)
}

fn opaque(p: impl AsRef<Path>) {
    xattr::set(p, "user.overlay.opaque", b"y").unwrap();
}

fn xget(p: impl AsRef<Path>, name: &str) -> Option<String> {
    xattr::get(p, name)
        .unwrap()
        .map(|v| String::from_utf8(v).unwrap())
}

/// Looks `path` up one component at a time from the root.
fn walk(ov: &Overlay, path: &str) -> Result<FileAttr, Errno> {
    let mut attr = ov.getattr(ROOT)?;
    for c in path.split('/').filter(|c| !c.is_empty()) {
        attr = ov.lookup(attr.ino.0, OsStr::new(c))?;
    }
    Ok(attr)
}

fn ino(ov: &Overlay, path: &str) -> u64 {
    walk(ov, path).unwrap().ino.0
}

fn names(ov: &Overlay, path: &str) -> Vec<String> {
    let mut v: Vec<String> = ov
        .listing_at(ino(ov, path), 0)
        .unwrap()
        .0
        .iter()
        .map(|e| e.name.to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn read_all(ov: &Overlay, path: &str) -> String {
    let d = ov.read(ino(ov, path), 0, 1 << 20).unwrap();
    String::from_utf8(d).unwrap()
}

#[test]
fn lookup_merges_hides_and_stops() {
    let fx = Fx::new(2);
    let (l0, l1) = (fx.layer(0), fx.layer(1));
    write(l0.join("a"), "low");
    write(l1.join("a"), "top");
    write(l0.join("d/x"), "x");
    write(l0.join("d/y"), "y");
    fs::create_dir_all(l1.join("d")).unwrap();
    whiteout(l1.join("d/y"));
    write(l1.join("d/z"), "z");
    write(l0.join("e/old"), "");
    write(l1.join("e/new"), "");
    opaque(l1.join("e"));
    write(l0.join("w"), "");
    whiteout(l1.join("w"));
    write(l0.join("k/m"), "");
    write(l1.join("k"), "file now");
    let ov = fx.ov();
    assert_eq!(read_all(&ov, "a"), "top");
    assert_eq!(names(&ov, "/"), [".", "..", "a", "d", "e", "k"]);
    assert_eq!(names(&ov, "d"), [".", "..", "x", "z"]);
    assert_eq!(names(&ov, "e"), [".", "..", "new"]);
    assert_eq!(walk(&ov, "d/y").unwrap_err(), Errno::ENOENT);
    assert_eq!(walk(&ov, "e/old").unwrap_err(), Errno::ENOENT);
    assert_eq!(walk(&ov, "w").unwrap_err(), Errno::ENOENT);
    assert_eq!(walk(&ov, "k").unwrap().kind, FileType::RegularFile);
    assert_eq!(walk(&ov, "k/m").unwrap_err(), Errno::ENOTDIR);
    assert_eq!(read_all(&ov, "d/x"), "x");
    // An upper whiteout and an opaque upper directory work the same.
    whiteout(fx.upper.join("a"));
    let ov = fx.ov();
    assert_eq!(walk(&ov, "a").unwrap_err(), Errno::ENOENT);
}

#[test]
fn names_are_single_components() {
    let fx = Fx::new(1);
    fs::create_dir(fx.layer(0).join("d")).unwrap();
    std::os::unix::fs::symlink("/etc", fx.layer(0).join("s")).unwrap();
    let ov = fx.ov();
    let d = ino(&ov, "d");
    for bad in ["..", ".", "a/b", ""] {
        assert_eq!(ov.lookup(d, OsStr::new(bad)).unwrap_err(), Errno::EINVAL);
        assert_eq!(
            ov.mkdir(d, OsStr::new(bad), 0o755, (0, 0)).unwrap_err(),
            Errno::EINVAL
        );
    }
    // A symlink in a layer is never followed by the server.
    assert_eq!(walk(&ov, "s").unwrap().kind, FileType::Symlink);
    assert_eq!(walk(&ov, "s/passwd").unwrap_err(), Errno::ENOTDIR);
    assert_eq!(ov.readlink(ino(&ov, "s")).unwrap(), "/etc");
}

#[test]
fn getattr_applies_override_stat() {
    let fx = Fx::new(1);
    let l = fx.layer(0);
    write(l.join("www"), "");
    xattr::set(l.join("www"), OVERRIDE_STAT_XATTR, b"33:33:0755").unwrap();
    write(l.join("tty"), "");
    xattr::set(l.join("tty"), OVERRIDE_STAT_XATTR, b"0:5:0620:char-4-1").unwrap();
    write(l.join("plain"), "");
    fs::set_permissions(l.join("plain"), fs::Permissions::from_mode(0o640)).unwrap();
    fs::create_dir(l.join("tmp")).unwrap();
    xattr::set(l.join("tmp"), OVERRIDE_STAT_XATTR, b"0:0:01777").unwrap();
    let ov = fx.ov();
    let a = walk(&ov, "www").unwrap();
    assert_eq!((a.uid, a.gid, a.perm), (33, 33, 0o755));
    let a = walk(&ov, "tty").unwrap();
    assert_eq!(a.kind, FileType::CharDevice);
    assert_eq!((a.gid, a.perm, a.rdev), (5, 0o620, (4 << 8) | 1));
    let a = walk(&ov, "plain").unwrap();
    assert_eq!((a.uid, a.gid, a.perm), (0, 0, 0o640));
    let a = walk(&ov, "tmp").unwrap();
    assert_eq!((a.kind, a.perm), (FileType::Directory, 0o1777));
    assert_eq!(ov.getattr(a.ino.0).unwrap().perm, 0o1777);
}

/// The one reading policy of `storage::layer`: containers/storage's
/// `TYPE` field, end padding and extra fields are read; a bad record is
/// ignored (the inode's own attributes show) and cannot be set.
#[test]
fn override_stat_records_of_every_writer() {
    let fx = Fx::new(1);
    let l = fx.layer(0);
    fs::create_dir(l.join("cs")).unwrap();
    xattr::set(l.join("cs"), OVERRIDE_STAT_XATTR, b"33:33:0750:dir").unwrap();
    write(l.join("padded"), "");
    xattr::set(l.join("padded"), OVERRIDE_STAT_XATTR, b"7:8:0604\0\n").unwrap();
    write(l.join("newer"), "");
    xattr::set(
        l.join("newer"),
        OVERRIDE_STAT_XATTR,
        b"0:6:0660:block-8-1:x",
    )
    .unwrap();
    write(l.join("bad"), "");
    fs::set_permissions(l.join("bad"), fs::Permissions::from_mode(0o640)).unwrap();
    xattr::set(l.join("bad"), OVERRIDE_STAT_XATTR, b"-1:0:0777").unwrap();
    let ov = fx.ov();
    let a = walk(&ov, "cs").unwrap();
    assert_eq!(
        (a.kind, a.uid, a.gid, a.perm),
        (FileType::Directory, 33, 33, 0o750)
    );
    let a = walk(&ov, "padded").unwrap();
    assert_eq!((a.uid, a.gid, a.perm), (7, 8, 0o604));
    let a = walk(&ov, "newer").unwrap();
    assert_eq!(
        (a.kind, a.gid, a.rdev),
        (FileType::BlockDevice, 6, (8 << 8) | 1)
    );
    let a = walk(&ov, "bad").unwrap();
    assert_eq!((a.uid, a.gid, a.perm), (0, 0, 0o640));
    let record = OsStr::new(OVERRIDE_STAT_XATTR);
    for bad in [
        &b"1:2"[..],
        b"+1:0:0644",
        b"0:0:0644:tape",
        b"4294967296:0:0644",
    ] {
        assert_eq!(ov.setxattr(a.ino.0, record, bad, 0), Err(Errno::EINVAL));
    }
    ov.setxattr(a.ino.0, record, b"5:5:0600:file", 0).unwrap();
    let a = walk(&ov, "bad").unwrap();
    assert_eq!((a.uid, a.gid, a.perm), (5, 5, 0o600));
}

#[test]
fn inode_numbers_are_stable() {
    let fx = Fx::new(1);
    let l = fx.layer(0);
    write(l.join("d/f"), "data");
    fs::hard_link(l.join("d/f"), l.join("g")).unwrap();
    let ov = fx.ov();
    let f = ino(&ov, "d/f");
    assert_eq!(ino(&ov, "d/f"), f);
    // A layer's hard links are separate files (each is copied up by its
    // own name), as with the kernel overlay without `index`.
    let g = ino(&ov, "g");
    assert_ne!(g, f);
    assert_eq!(walk(&ov, "g").unwrap().nlink, 2);
    let d = ino(&ov, "d");
    let listed = ov.listing_at(d, 0).unwrap().0;
    assert_eq!(listed.iter().find(|e| e.name == "f").unwrap().ino, f);
    let listed = ov.listing_at(ROOT, 0).unwrap().0;
    assert_eq!(listed.iter().find(|e| e.name == "g").unwrap().ino, g);
    assert_eq!(listed.iter().find(|e| e.name == "d").unwrap().ino, d);
    // Copy-up keeps the number, for the file and its directory.
    assert_eq!(ino(&ov, "d/f"), f);
    ov.copy_up(f, true).unwrap();
    assert!(fx.upper.join("d/f").exists());
    ov.forget(f, 4);
    assert_eq!(ino(&ov, "d/f"), f);
    assert_eq!(ino(&ov, "d"), d);
}

#[test]
fn copy_up_on_write_keeps_metadata_and_layers() {
    let fx = Fx::new(1);
    let l = fx.layer(0);
    write(l.join("etc/conf"), "old contents");
    xattr::set(l.join("etc"), OVERRIDE_STAT_XATTR, b"0:0:0751").unwrap();
    xattr::set(l.join("etc/conf"), OVERRIDE_STAT_XATTR, b"0:33:0640").unwrap();
    xattr::set(l.join("etc/conf"), "user.app", b"kept").unwrap();
    write(l.join("etc/big"), &"x".repeat(300_000));
    let ov = fx.ov();
    let conf = ino(&ov, "etc/conf");
    assert_eq!(ov.write(conf, 0, b"NEW").unwrap(), 3);
    assert_eq!(read_all(&ov, "etc/conf"), "NEW contents");
    assert_eq!(
        fs::read_to_string(l.join("etc/conf")).unwrap(),
        "old contents"
    );
    let up = fx.upper.join("etc/conf");
    assert_eq!(xget(&up, OVERRIDE_STAT_XATTR).as_deref(), Some("0:33:0640"));
    assert_eq!(xget(&up, "user.app").as_deref(), Some("kept"));
    assert_eq!(
        xget(fx.upper.join("etc"), OVERRIDE_STAT_XATTR).as_deref(),
        Some("0:0:0751")
    );
    assert_eq!(walk(&ov, "etc").unwrap().perm, 0o751);
    // O_TRUNC (the kernel's truncation to 0) copies no data.
    ov.setattr(ino(&ov, "etc/big"), None, None, None, Some(0), None, None)
        .unwrap();
    assert_eq!(fs::metadata(fx.upper.join("etc/big")).unwrap().len(), 0);
    assert_eq!(walk(&ov, "etc/big").unwrap().size, 0);
    // Nothing is left behind in work.
    assert_eq!(fs::read_dir(&fx.work).unwrap().count(), 0);
    // A truncate through setattr copies up too.
    write(l.join("t"), "12345");
    let t = ino(&ov, "t");
    let a = ov
        .setattr(t, None, None, None, Some(2), None, None)
        .unwrap();
    assert_eq!(a.size, 2);
    assert_eq!(fs::read_to_string(fx.upper.join("t")).unwrap(), "12");
    assert_eq!(fs::read_to_string(l.join("t")).unwrap(), "12345");
}

#[test]
fn copy_up_of_symlinks_and_fifos() {
    let fx = Fx::new(1);
    let l = fx.layer(0);
    std::os::unix::fs::symlink("target", l.join("s")).unwrap();
    nix::unistd::mkfifo(&l.join("p"), Mode::from_bits_truncate(0o644)).unwrap();
    let ov = fx.ov();
    let s = ino(&ov, "s");
    let p = ino(&ov, "p");
    ov.setattr(s, None, None, None, None, None, Some(None))
        .unwrap();
    ov.setattr(p, Some(0o600), None, None, None, None, None)
        .unwrap();
    assert_eq!(
        fs::read_link(fx.upper.join("s")).unwrap(),
        Path::new("target")
    );
    let ft = fs::symlink_metadata(fx.upper.join("p"))
        .unwrap()
        .file_type();
    assert!(std::os::unix::fs::FileTypeExt::is_fifo(&ft));
}

#[test]
fn unlink_and_rmdir_leave_whiteouts() {
    let fx = Fx::new(1);
    let l = fx.layer(0);
    write(l.join("f"), "");
    write(l.join("d/a"), "");
    write(l.join("d/sub/b"), "");
    let ov = fx.ov();
    let root = ROOT;
    ov.unlink(root, OsStr::new("f")).unwrap();
    assert!(is_whiteout(fx.upper.join("f")));
    assert_eq!(walk(&ov, "f").unwrap_err(), Errno::ENOENT);
    assert!(l.join("f").exists());
    let d = ino(&ov, "d");
    assert_eq!(
        ov.rmdir(root, OsStr::new("d")).unwrap_err(),
        Errno::ENOTEMPTY
    );
    assert_eq!(ov.unlink(root, OsStr::new("d")).unwrap_err(), Errno::EISDIR);
    ov.unlink(d, OsStr::new("a")).unwrap();
    let sub = ino(&ov, "d/sub");
    ov.unlink(sub, OsStr::new("b")).unwrap();
    ov.rmdir(d, OsStr::new("sub")).unwrap();
    assert_eq!(names(&ov, "d"), [".", ".."]);
    ov.rmdir(root, OsStr::new("d")).unwrap();
    assert!(is_whiteout(fx.upper.join("d")));
    assert_eq!(names(&ov, "/"), [".", ".."]);
    // A new directory there is opaque: the old contents stay hidden.
    ov.mkdir(root, OsStr::new("d"), 0o755, (0, 0)).unwrap();
    assert_eq!(names(&ov, "d"), [".", ".."]);
    assert_eq!(
        xget(fx.upper.join("d"), "user.overlay.opaque").as_deref(),
        Some("y")
    );
    assert_eq!(walk(&ov, "d/a").unwrap_err(), Errno::ENOENT);
    // A new file replaces a whiteout.
    let a = ov.create(root, OsStr::new("f"), 0o644, (0, 0)).unwrap();
    ov.write(a.ino.0, 0, b"hi").unwrap();
    assert_eq!(a.kind, FileType::RegularFile);
    assert_eq!(fs::read_to_string(fx.upper.join("f")).unwrap(), "hi");
    // An upper-only file goes without a trace; so does an upper-only dir.
    ov.create(root, OsStr::new("new"), 0o644, (0, 0)).unwrap();
    ov.unlink(root, OsStr::new("new")).unwrap();
    assert!(!fx.upper.join("new").exists());
    ov.mkdir(root, OsStr::new("nd"), 0o755, (0, 0)).unwrap();
    ov.rmdir(root, OsStr::new("nd")).unwrap();
    assert!(!fx.upper.join("nd").exists());
    assert_eq!(fs::read_dir(&fx.work).unwrap().count(), 0);
}

#[test]
fn rmdir_of_merged_dir_with_upper_part() {
    let fx = Fx::new(1);
    write(fx.layer(0).join("d/a"), "");
    let ov = fx.ov();
    let d = ino(&ov, "d");
    ov.unlink(d, OsStr::new("a")).unwrap();
    assert!(is_whiteout(fx.upper.join("d/a")));
    ov.rmdir(ROOT, OsStr::new("d")).unwrap();
    assert!(is_whiteout(fx.upper.join("d")));
    assert_eq!(fs::read_dir(&fx.work).unwrap().count(), 0);
}

#[test]
fn rename_rules() {
    let fx = Fx::new(1);
    let l = fx.layer(0);
    write(l.join("f"), "data");
    write(l.join("ld/x"), "");
    write(l.join("other"), "o");
    let ov = fx.ov();
    let f = ino(&ov, "f");
    ov.rename(ROOT, OsStr::new("f"), ROOT, OsStr::new("g"), 0)
        .unwrap();
    assert!(is_whiteout(fx.upper.join("f")));
    assert_eq!(read_all(&ov, "g"), "data");
    assert_eq!(ino(&ov, "g"), f);
    assert_eq!(walk(&ov, "f").unwrap_err(), Errno::ENOENT);
    // A directory from a layer: EXDEV, so `mv` copies.
    ino(&ov, "ld");
    assert_eq!(
        ov.rename(ROOT, OsStr::new("ld"), ROOT, OsStr::new("ld2"), 0)
            .unwrap_err(),
        Errno::EXDEV
    );
    let noreplace = libc::RENAME_NOREPLACE;
    assert_eq!(
        ov.rename(ROOT, OsStr::new("g"), ROOT, OsStr::new("other"), noreplace)
            .unwrap_err(),
        Errno::EEXIST
    );
    assert_eq!(
        ov.rename(
            ROOT,
            OsStr::new("g"),
            ROOT,
            OsStr::new("x"),
            libc::RENAME_EXCHANGE
        )
        .unwrap_err(),
        Errno::EINVAL
    );
    // Over an existing lower file.
    ov.rename(ROOT, OsStr::new("g"), ROOT, OsStr::new("other"), 0)
        .unwrap();
    assert_eq!(read_all(&ov, "other"), "data");
    assert_eq!(names(&ov, "/"), [".", "..", "ld", "other"]);
    // Upper-only directories move, into the place of a whiteout too.
    ov.mkdir(ROOT, OsStr::new("nd"), 0o755, (0, 0)).unwrap();
    let nd = ino(&ov, "nd");
    ov.create(nd, OsStr::new("in"), 0o644, (0, 0)).unwrap();
    ov.rename(ROOT, OsStr::new("nd"), ROOT, OsStr::new("f"), 0)
        .unwrap();
    assert_eq!(names(&ov, "f"), [".", "..", "in"]);
    assert!(!fx.upper.join("nd").exists());
    // Over an empty lower dir: the moved dir turns opaque.
    let ld = ino(&ov, "ld");
    ov.unlink(ld, OsStr::new("x")).unwrap();
    ov.rename(ROOT, OsStr::new("f"), ROOT, OsStr::new("ld"), 0)
        .unwrap();
    assert_eq!(names(&ov, "ld"), [".", "..", "in"]);
    assert_eq!(
        xget(fx.upper.join("ld"), "user.overlay.opaque").as_deref(),
        Some("y")
    );
    // `f` was a layer's file: its old name keeps hiding it.
    assert!(is_whiteout(fx.upper.join("f")));
    assert_eq!(names(&ov, "/"), [".", "..", "ld", "other"]);
    assert_eq!(fs::read_dir(&fx.work).unwrap().count(), 0);
}

#[test]
fn chmod_chown_and_new_modes() {
    let fx = Fx::new(1);
    write(fx.layer(0).join("bin/su"), "");
    let ov = fx.ov();
    let su = ino(&ov, "bin/su");
    let a = ov
        .setattr(su, Some(0o4755), None, None, None, None, None)
        .unwrap();
    assert_eq!(a.perm, 0o4755);
    let up = fx.upper.join("bin/su");
    assert_eq!(xget(&up, OVERRIDE_STAT_XATTR).as_deref(), Some("0:0:04755"));
    let a = ov
        .setattr(su, None, Some(33), Some(44), None, None, None)
        .unwrap();
    assert_eq!((a.uid, a.gid, a.perm), (33, 44, 0o4755));
    assert_eq!(
        xget(&up, OVERRIDE_STAT_XATTR).as_deref(),
        Some("33:44:04755")
    );
    // Back to root's and a mode the disk holds: no xattr.
    let a = ov
        .setattr(su, Some(0o755), Some(0), Some(0), None, None, None)
        .unwrap();
    assert_eq!((a.uid, a.gid, a.perm), (0, 0, 0o755));
    assert_eq!(xget(&up, OVERRIDE_STAT_XATTR), None);
    assert_eq!(fs::metadata(&up).unwrap().mode() & 0o7777, 0o755);
    // Mode 0 on create: the disk keeps owner rw.
    let a = ov.create(ROOT, OsStr::new("locked"), 0, (0, 0)).unwrap();
    assert_eq!(a.perm, 0);
    let p = fx.upper.join("locked");
    assert_eq!(fs::metadata(&p).unwrap().mode() & 0o7777, 0o600);
    assert_eq!(xget(&p, OVERRIDE_STAT_XATTR).as_deref(), Some("0:0:00"));
    let a = ov.mkdir(ROOT, OsStr::new("dd"), 0o1777, (5, 6)).unwrap();
    assert_eq!((a.perm, a.uid, a.gid), (0o1777, 5, 6));
    assert_eq!(
        fs::metadata(fx.upper.join("dd")).unwrap().mode() & 0o7777,
        0o777
    );
    // Device nodes become placeholders.
    let a = ov
        .mknod(
            ROOT,
            OsStr::new("null"),
            libc::S_IFCHR | 0o666,
            (1 << 8) | 3,
            (0, 0),
        )
        .unwrap();
    assert_eq!(
        (a.kind, a.rdev, a.perm),
        (FileType::CharDevice, (1 << 8) | 3, 0o666)
    );
    assert_eq!(
        xget(fx.upper.join("null"), OVERRIDE_STAT_XATTR).as_deref(),
        Some("0:0:0666:char-1-3")
    );
    let a = ov
        .mknod(ROOT, OsStr::new("fifo"), libc::S_IFIFO | 0o644, 0, (0, 0))
        .unwrap();
    assert_eq!(a.kind, FileType::NamedPipe);
    // Times.
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
    let a = ov
        .setattr(su, None, None, None, None, Some(Some(t)), Some(Some(t)))
        .unwrap();
    assert_eq!(a.mtime, t);
    assert_eq!(ov.access(su, 1), Ok(()));
    assert_eq!(ov.access(ino(&ov, "locked"), 1), Err(Errno::EACCES));
}

#[test]
fn xattrs_pass_through_and_hide_the_overlay_markers() {
    let fx = Fx::new(1);
    let l = fx.layer(0);
    write(l.join("f"), "");
    xattr::set(l.join("f"), OVERRIDE_STAT_XATTR, b"1:1:0644").unwrap();
    xattr::set(l.join("f"), "user.mine", b"v").unwrap();
    fs::create_dir(l.join("d")).unwrap();
    opaque(l.join("d"));
    let ov = fx.ov();
    let f = ino(&ov, "f");
    assert_eq!(ov.listxattr(f).unwrap(), b"user.mine\0");
    assert_eq!(ov.getxattr(f, OsStr::new("user.mine")).unwrap(), b"v");
    // The record is readable and writable (ownership emulation keeps it
    // there), checked, and never listed.
    let record = OsStr::new(OVERRIDE_STAT_XATTR);
    assert_eq!(ov.getxattr(f, record).unwrap(), b"1:1:0644");
    assert_eq!(
        ov.setxattr(f, record, b"not a record", 0).unwrap_err(),
        Errno::EINVAL
    );
    ov.setxattr(f, record, b"33:33:0640", 0).unwrap();
    let a = ov.getattr(f).unwrap();
    assert_eq!((a.uid, a.gid, a.perm), (33, 33, 0o640));
    assert_eq!(
        xget(fx.upper.join("f"), OVERRIDE_STAT_XATTR).as_deref(),
        Some("33:33:0640")
    );
    let d = ino(&ov, "d");
    assert_eq!(ov.listxattr(d).unwrap(), b"");
    let op = OsStr::new("user.overlay.opaque");
    assert_eq!(ov.getxattr(d, op).unwrap_err(), Errno::ENODATA);
    assert_eq!(ov.removexattr(d, op).unwrap_err(), Errno::EPERM);
    ov.setxattr(f, OsStr::new("user.new"), b"n", 0).unwrap();
    assert_eq!(xget(fx.upper.join("f"), "user.new").as_deref(), Some("n"));
    assert_eq!(xget(l.join("f"), "user.new"), None);
    assert_eq!(
        ov.setxattr(f, OsStr::new("user.new"), b"n", 1).unwrap_err(),
        Errno::EEXIST
    );
    ov.removexattr(f, OsStr::new("user.mine")).unwrap();
    assert_eq!(ov.listxattr(f).unwrap(), b"user.new\0");
    assert_eq!(walk(&ov, "f").unwrap().uid, 33);
}

#[test]
fn hard_links_copy_up_the_source() {
    let fx = Fx::new(1);
    write(fx.layer(0).join("a"), "shared");
    let ov = fx.ov();
    let a = ino(&ov, "a");
    let b = ov.link(a, ROOT, OsStr::new("b")).unwrap();
    assert_eq!(b.ino.0, a);
    assert_eq!(b.nlink, 2);
    let ma = fs::metadata(fx.upper.join("a")).unwrap();
    let mb = fs::metadata(fx.upper.join("b")).unwrap();
    assert_eq!(ma.ino(), mb.ino());
    assert_eq!(
        ov.link(a, ROOT, OsStr::new("b")).unwrap_err(),
        Errno::EEXIST
    );
}

/// A real mount, done as the container would: `/dev/fuse` opened and
/// mounted with `mount(2)`, then handed to `serve`. Needs a user+mount
/// namespace: the test re-executes itself in one (see
/// [`in_user_namespace`]).
#[test]
fn real_mount() {
    if !in_user_namespace("real_mount") {
        return;
    }
    use nix::mount::{MntFlags, umount2};
    use std::io::{Read, Seek, SeekFrom, Write};
    let fx = Fx::new(2);
    let (l0, l1) = (fx.layer(0).to_path_buf(), fx.layer(1).to_path_buf());
    write(l0.join("a"), "low");
    write(l0.join("d/x"), "x");
    write(l0.join("d/gone"), "");
    write(l1.join("d/y"), "y");
    whiteout(l1.join("d/gone"));
    write(l1.join("www"), "");
    xattr::set(l1.join("www"), OVERRIDE_STAT_XATTR, b"33:33:0755").unwrap();
    let mnt = fx.upper.parent().unwrap().join("mnt");
    fs::create_dir(&mnt).unwrap();
    let server = mount_at(&fx, &mnt);
    let check = || {
        let m = |p: &str| mnt.join(p);
        assert_eq!(fs::read_to_string(m("a")).unwrap(), "low");
        let mut listed: Vec<_> = fs::read_dir(m("d"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        listed.sort();
        assert_eq!(listed, ["x", "y"]);
        let y = fs::metadata(m("www")).unwrap();
        // Shown as the container's user, the one id its namespace maps;
        // the recorded owner stays in the xattr.
        assert_eq!(y.uid(), 0);
        assert_eq!(y.mode() & 0o7777, 0o755);
        let ino = fs::metadata(m("a")).unwrap().ino();
        // Appending copies up; the inode number stays.
        let mut f = fs::OpenOptions::new().append(true).open(m("a")).unwrap();
        f.write_all(b"+more").unwrap();
        drop(f);
        assert_eq!(fs::read_to_string(m("a")).unwrap(), "low+more");
        assert_eq!(fs::metadata(m("a")).unwrap().ino(), ino);
        assert_eq!(fs::read_to_string(l0.join("a")).unwrap(), "low");
        // Large writes and reads.
        let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        fs::write(m("big"), &big).unwrap();
        assert_eq!(fs::read(m("big")).unwrap(), big);
        let mut f = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(m("big"))
            .unwrap();
        f.seek(SeekFrom::Start(1_000_000)).unwrap();
        f.write_all(b"HELLO").unwrap();
        f.seek(SeekFrom::Start(999_998)).unwrap();
        let mut buf = [0u8; 9];
        f.read_exact(&mut buf).unwrap();
        assert_eq!(&buf[2..7], b"HELLO");
        drop(f);
        // Namespace changes.
        fs::create_dir(m("newdir")).unwrap();
        fs::write(m("newdir/f"), "f").unwrap();
        fs::rename(m("newdir"), m("moved")).unwrap();
        assert_eq!(fs::read_to_string(m("moved/f")).unwrap(), "f");
        fs::remove_file(m("d/x")).unwrap();
        assert!(is_whiteout(fx.upper.join("d/x")));
        assert!(!m("d/x").exists());
        let err = fs::rename(m("d"), m("d2")).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EXDEV));
        std::os::unix::fs::symlink("a", m("link")).unwrap();
        assert_eq!(fs::read_to_string(m("link")).unwrap(), "low+more");
        fs::set_permissions(m("a"), fs::Permissions::from_mode(0o4711)).unwrap();
        assert_eq!(fs::metadata(m("a")).unwrap().mode() & 0o7777, 0o4711);
        fs::hard_link(m("a"), m("a2")).unwrap();
        assert_eq!(fs::metadata(m("a2")).unwrap().ino(), ino);
        assert_eq!(fs::metadata(m("a")).unwrap().nlink(), 2);
        fs::remove_file(m("d/y")).unwrap();
        fs::remove_dir(m("d")).unwrap();
        fs::create_dir(m("d")).unwrap();
        assert_eq!(fs::read_dir(m("d")).unwrap().count(), 0);
        assert!(xattr::list(m("d")).unwrap().next().is_none());
        xattr::set(m("a"), "user.t", b"1").unwrap();
        assert_eq!(xattr::get(m("a"), "user.t").unwrap().unwrap(), b"1");
        let st = nix::sys::statvfs::statvfs(&mnt).unwrap();
        assert!(st.blocks() > 0);
    };
    let r = std::panic::catch_unwind(check);
    umount2(&mnt, MntFlags::MNT_DETACH).unwrap();
    server.join().unwrap();
    if let Err(e) = r {
        std::panic::resume_unwind(e);
    }
}

/// Appends `data` through `path`, opened for writing as `>>` would.
fn append(ov: &Overlay, path: &str, data: &str) {
    let a = walk(ov, path).unwrap();
    let size = ov.getattr(a.ino.0).unwrap().size;
    ov.write(a.ino.0, size, data.as_bytes()).unwrap();
}

#[test]
fn link_to_a_lower_hard_link_survives_a_remount() {
    // Whichever name of the layer's hard link the kernel looked up last,
    // `ln orig third` links `third` to orig's copy.
    for seen_last in ["orig", "link"] {
        let fx = Fx::new(1);
        write(fx.layer(0).join("h/orig"), "h\n");
        fs::hard_link(fx.layer(0).join("h/orig"), fx.layer(0).join("h/link")).unwrap();
        let ov = fx.ov();
        let orig = ino(&ov, "h/orig");
        ino(&ov, "h/link");
        ino(&ov, &format!("h/{seen_last}"));
        let h = ino(&ov, "h");
        ov.link(orig, h, OsStr::new("third")).unwrap();
        append(&ov, "h/third", "more\n");
        assert_eq!(read_all(&ov, "h/orig"), "h\nmore\n", "{seen_last}");
        assert_eq!(read_all(&ov, "h/third"), "h\nmore\n", "{seen_last}");
        drop(ov);
        let ov = fx.ov();
        assert_eq!(read_all(&ov, "h/orig"), "h\nmore\n", "{seen_last}");
        assert_eq!(read_all(&ov, "h/third"), "h\nmore\n", "{seen_last}");
        assert_eq!(read_all(&ov, "h/link"), "h\n", "{seen_last}");
    }
}

#[test]
fn writes_through_a_lower_hard_link_match_after_a_remount() {
    let fx = Fx::new(1);
    write(fx.layer(0).join("h/orig"), "h\n");
    fs::hard_link(fx.layer(0).join("h/orig"), fx.layer(0).join("h/link")).unwrap();
    let ov = fx.ov();
    append(&ov, "h/orig", "orig\n");
    append(&ov, "h/link", "link\n");
    let seen = (read_all(&ov, "h/orig"), read_all(&ov, "h/link"));
    // The copy-up of one name breaks the link, as the kernel overlay's.
    assert_eq!(seen, ("h\norig\n".into(), "h\nlink\n".into()));
    drop(ov);
    let ov = fx.ov();
    assert_eq!((read_all(&ov, "h/orig"), read_all(&ov, "h/link")), seen);
    assert_eq!(read_all(&ov, "h/orig"), "h\norig\n");
    assert_eq!(
        fs::read_to_string(fx.layer(0).join("h/orig")).unwrap(),
        "h\n"
    );
}

#[test]
fn an_upper_hard_link_outlives_the_name_last_looked_up() {
    let fx = Fx::new(1);
    write(fx.layer(0).join("a"), "data");
    let ov = fx.ov();
    let a = ino(&ov, "a");
    ov.link(a, ROOT, OsStr::new("b")).unwrap();
    // The kernel still holds `a`, but last heard of the node as `b`.
    ov.unlink(ROOT, OsStr::new("b")).unwrap();
    assert_eq!(ov.read(a, 0, 100).unwrap(), b"data");
    assert_eq!(ov.getattr(a).unwrap().nlink, 1);
    ov.unlink(ROOT, OsStr::new("a")).unwrap();
    // The kernel still holds it (the file may be open: without OPEN the
    // server cannot tell), and may still read it; gone once forgotten.
    assert_eq!(ov.getattr(a).unwrap().nlink, 0);
    ov.forget(a, u64::MAX);
    assert_eq!(ov.getattr(a).unwrap_err(), Errno::ESTALE);
}

/// Lists what is on disk in `dir`, sorted.
fn disk_names(dir: impl AsRef<Path>) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

#[test]
fn fallback_whiteouts_and_opaque_markers_are_read_in_every_layer() {
    let fx = Fx::new(3);
    let (l0, l1, l2) = (fx.layer(0), fx.layer(1), fx.layer(2));
    write(l0.join("a"), "a");
    write(l0.join("keep"), "k");
    write(l0.join("d/x"), "x");
    write(l0.join("d/y"), "y");
    write(l0.join("o/old"), "");
    write(l0.join("w"), "w");
    // Layer 1: `.wh.` files white out below; the opaque marker hides l0/o.
    write(l1.join(".wh.a"), "");
    write(l1.join("d/.wh.y"), "");
    write(l1.join("o/.wh..wh..opq"), "");
    write(l1.join("o/new"), "");
    // Layer 2 brings `a` back over the whiteout; its `.wh.` name for
    // something no layer has is just hidden.
    write(l2.join("a"), "again");
    write(l2.join(".wh.nothing"), "");
    // In upper, the same forms work too.
    write(fx.upper.join(".wh.w"), "");
    let ov = fx.ov();
    assert_eq!(names(&ov, "/"), [".", "..", "a", "d", "keep", "o"]);
    assert_eq!(read_all(&ov, "a"), "again");
    assert_eq!(names(&ov, "d"), [".", "..", "x"]);
    assert_eq!(walk(&ov, "d/y").unwrap_err(), Errno::ENOENT);
    assert_eq!(names(&ov, "o"), [".", "..", "new"]);
    assert_eq!(walk(&ov, "o/old").unwrap_err(), Errno::ENOENT);
    assert_eq!(walk(&ov, "w").unwrap_err(), Errno::ENOENT);
    // No `.wh.` name is ever shown or made.
    for n in [".wh.y", ".wh..wh..opq"] {
        assert_eq!(walk(&ov, &format!("d/{n}")).unwrap_err(), Errno::ENOENT);
        assert_eq!(walk(&ov, &format!("o/{n}")).unwrap_err(), Errno::ENOENT);
    }
    assert_eq!(walk(&ov, ".wh.a").unwrap_err(), Errno::ENOENT);
    let d = ino(&ov, "d");
    assert_eq!(
        ov.create(d, OsStr::new(".wh.x"), 0o644, (0, 0))
            .unwrap_err(),
        Errno::EINVAL
    );
    assert_eq!(
        ov.mkdir(d, OsStr::new(".wh..wh..opq"), 0o755, (0, 0))
            .unwrap_err(),
        Errno::EINVAL
    );
    assert_eq!(
        ov.rename(d, OsStr::new("x"), d, OsStr::new(".wh.x"), 0)
            .unwrap_err(),
        Errno::EINVAL
    );
    assert_eq!(
        ov.unlink(d, OsStr::new(".wh.y")).unwrap_err(),
        Errno::ENOENT
    );
    // A whited-out name is free: removing `d/x` leaves `d` empty.
    ov.unlink(d, OsStr::new("x")).unwrap();
    assert_eq!(names(&ov, "d"), [".", ".."]);
    ov.rmdir(ROOT, OsStr::new("d")).unwrap();
    // The opaque directory is empty but for the marker: removable too.
    let o = ino(&ov, "o");
    ov.unlink(o, OsStr::new("new")).unwrap();
    ov.rmdir(ROOT, OsStr::new("o")).unwrap();
    assert_eq!(names(&ov, "/"), [".", "..", "a", "keep"]);
    // Re-creating a name whited out by a `.wh.` file in upper removes it.
    ov.create(ROOT, OsStr::new("w"), 0o644, (0, 0)).unwrap();
    assert_eq!(read_all(&ov, "w"), "");
    assert!(!fx.upper.join(".wh.w").exists());
    assert_eq!(fs::read_dir(&fx.work).unwrap().count(), 0);
}

#[test]
fn fallback_format_is_written_where_the_normal_one_is_refused() {
    let fx = Fx::new(1);
    let l = fx.layer(0);
    write(l.join("f"), "f");
    write(l.join("g"), "g");
    write(l.join("d/a"), "a");
    write(l.join("m"), "m");
    write(l.join("ld/x"), "");
    let ov = fx.ov();
    ov.use_fallback_format();
    // A layer's file: `.wh.f` in upper.
    ov.unlink(ROOT, OsStr::new("f")).unwrap();
    assert_eq!(disk_names(&fx.upper), [".wh.f"]);
    assert_eq!(walk(&ov, "f").unwrap_err(), Errno::ENOENT);
    assert_eq!(names(&ov, "/"), [".", "..", "d", "g", "ld", "m"]);
    // A copied-up file over a layer's: `.wh.g` first, then the copy goes.
    let g = ino(&ov, "g");
    ov.setattr(g, Some(0o600), None, None, None, None, None)
        .unwrap();
    assert!(fx.upper.join("g").exists());
    ov.unlink(ROOT, OsStr::new("g")).unwrap();
    assert_eq!(disk_names(&fx.upper), [".wh.f", ".wh.g"]);
    assert_eq!(walk(&ov, "g").unwrap_err(), Errno::ENOENT);
    // A directory removed, then made again: opaque by marker.
    let d = ino(&ov, "d");
    ov.unlink(d, OsStr::new("a")).unwrap();
    assert_eq!(disk_names(fx.upper.join("d")), [".wh.a"]);
    ov.rmdir(ROOT, OsStr::new("d")).unwrap();
    assert!(!fx.upper.join("d").exists());
    assert!(fx.upper.join(".wh.d").is_file());
    ov.mkdir(ROOT, OsStr::new("d"), 0o755, (0, 0)).unwrap();
    assert!(!fx.upper.join(".wh.d").exists());
    assert_eq!(disk_names(fx.upper.join("d")), [".wh..wh..opq"]);
    assert_eq!(xget(fx.upper.join("d"), "user.overlay.opaque"), None);
    assert_eq!(names(&ov, "d"), [".", ".."]);
    assert_eq!(walk(&ov, "d/a").unwrap_err(), Errno::ENOENT);
    // A file made again where `.wh.f` was: the marker goes.
    let a = ov.create(ROOT, OsStr::new("f"), 0o644, (0, 0)).unwrap();
    ov.write(a.ino.0, 0, b"new").unwrap();
    assert!(!fx.upper.join(".wh.f").exists());
    assert_eq!(read_all(&ov, "f"), "new");
    // Renaming a layer's file leaves `.wh.m`; over a whited-out name the
    // marker there goes.
    ov.rename(ROOT, OsStr::new("m"), ROOT, OsStr::new("g"), 0)
        .unwrap();
    assert!(fx.upper.join(".wh.m").is_file());
    assert!(!fx.upper.join(".wh.g").exists());
    assert_eq!(read_all(&ov, "g"), "m");
    // A directory moved over an emptied layer directory turns opaque.
    let ld = ino(&ov, "ld");
    ov.unlink(ld, OsStr::new("x")).unwrap();
    ov.mkdir(ROOT, OsStr::new("nd"), 0o755, (0, 0)).unwrap();
    ov.rename(ROOT, OsStr::new("nd"), ROOT, OsStr::new("ld"), 0)
        .unwrap();
    assert!(fx.upper.join("ld/.wh..wh..opq").is_file());
    assert_eq!(names(&ov, "ld"), [".", ".."]);
    assert_eq!(fs::read_dir(&fx.work).unwrap().count(), 0);
    // All of it reads the same over a new mount.
    let seen = names(&ov, "/");
    drop(ov);
    let ov = fx.ov();
    assert_eq!(names(&ov, "/"), seen);
    assert_eq!(names(&ov, "/"), [".", "..", "d", "f", "g", "ld"]);
    assert_eq!(names(&ov, "d"), [".", ".."]);
    assert_eq!(names(&ov, "ld"), [".", ".."]);
    assert_eq!(read_all(&ov, "f"), "new");
    assert_eq!(read_all(&ov, "g"), "m");
}

/// Whether this is the copy of test `name` that runs inside a user and
/// mount namespace of its own. The first call re-executes the test binary
/// for just that test under `unshare -Urm` (as the unprivileged test user
/// too: no root, no fusermount) and fails if that copy fails.
fn in_user_namespace(name: &str) -> bool {
    const INSIDE: &str = "RSP_FUSE_TEST_IN_NAMESPACE";
    if std::env::var_os(INSIDE).is_some() {
        return true;
    }
    let out = std::process::Command::new("unshare")
        .args(["-Urm", "--"])
        .arg(std::env::current_exe().unwrap())
        .args(["--exact", &format!("fuse::tests::{name}")])
        .args(["--test-threads=1", "--nocapture"])
        .env(INSIDE, "1")
        .output()
        .expect("running unshare (util-linux) for the FUSE mount tests");
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).contains("1 passed"),
        "{name} in its namespace:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    false
}

/// Mounts the fixture at `mnt` as the container does and serves it.
fn mount_at(fx: &Fx, mnt: &Path) -> super::Server {
    use nix::mount::{MsFlags, mount};
    let dev = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/fuse")
        .unwrap();
    let opts = crate::driver::fuse_mount_data(&dev, 0, 0);
    mount(
        Some("rsp-test"),
        mnt,
        Some("fuse"),
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
        Some(opts.as_str()),
    )
    .unwrap();
    super::serve(
        dev.into(),
        fx.layers.clone(),
        fx.upper.clone(),
        fx.work.clone(),
        (0, 0),
    )
    .unwrap()
}

/// Hard links made in the container, and writes through a layer's hard
/// links, read the same after the container restarts (a new mount over
/// the same upper).
#[test]
fn real_mount_hard_links_survive_a_remount() {
    if !in_user_namespace("real_mount_hard_links_survive_a_remount") {
        return;
    }
    use nix::mount::{MntFlags, umount2};
    use std::io::Write;
    let fx = Fx::new(1);
    write(fx.layer(0).join("h/orig"), "h\n");
    fs::hard_link(fx.layer(0).join("h/orig"), fx.layer(0).join("h/link")).unwrap();
    write(fx.layer(0).join("k/orig"), "k\n");
    fs::hard_link(fx.layer(0).join("k/orig"), fx.layer(0).join("k/link")).unwrap();
    let mnt = fx.upper.parent().unwrap().join("mnt");
    fs::create_dir(&mnt).unwrap();
    let m = |p: &str| mnt.join(p);
    let append = |p: &Path, data: &str| {
        let mut f = fs::OpenOptions::new().append(true).open(p).unwrap();
        f.write_all(data.as_bytes()).unwrap();
    };
    let read = |p: &str| fs::read_to_string(m(p)).unwrap();
    let run = |first: bool| {
        if first {
            // Both names of each layer link are known to the kernel.
            assert_eq!(
                (read("h/orig"), read("h/link")),
                ("h\n".into(), "h\n".into())
            );
            assert_eq!(
                (read("k/link"), read("k/orig")),
                ("k\n".into(), "k\n".into())
            );
            fs::hard_link(m("h/orig"), m("h/third")).unwrap();
            append(&m("h/third"), "more\n");
            append(&m("k/orig"), "orig\n");
            append(&m("k/link"), "link\n");
        }
        let seen = [
            read("h/orig"),
            read("h/third"),
            read("h/link"),
            read("k/orig"),
            read("k/link"),
        ];
        assert_eq!(
            seen,
            ["h\nmore\n", "h\nmore\n", "h\n", "k\norig\n", "k\nlink\n"]
        );
        let (o, t) = (
            fs::metadata(m("h/orig")).unwrap(),
            fs::metadata(m("h/third")).unwrap(),
        );
        assert_eq!((o.ino(), o.nlink()), (t.ino(), 2));
    };
    for first in [true, false] {
        let server = mount_at(&fx, &mnt);
        let r = std::panic::catch_unwind(|| run(first));
        umount2(&mnt, MntFlags::MNT_DETACH).unwrap();
        server.join().unwrap();
        if let Err(e) = r {
            std::panic::resume_unwind(e);
        }
    }
}

/// The fallback format through a real mount, read and written.
#[test]
fn real_mount_fallback_format() {
    if !in_user_namespace("real_mount_fallback_format") {
        return;
    }
    use nix::mount::{MntFlags, umount2};
    let fx = Fx::new(2);
    let (l0, l1) = (fx.layer(0).to_path_buf(), fx.layer(1).to_path_buf());
    write(l0.join("d/x"), "x");
    write(l0.join("d/y"), "y");
    write(l0.join("o/old"), "");
    write(l1.join("d/.wh.y"), "");
    write(l1.join("o/.wh..wh..opq"), "");
    write(l1.join("o/new"), "");
    let mnt = fx.upper.parent().unwrap().join("mnt");
    fs::create_dir(&mnt).unwrap();
    let m = |p: &str| mnt.join(p);
    let list = |p: &str| {
        let mut v: Vec<String> = fs::read_dir(m(p))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        v.sort();
        v
    };
    let server = mount_at(&fx, &mnt);
    let r = std::panic::catch_unwind(|| {
        assert_eq!(list("d"), ["x"]);
        assert_eq!(list("o"), ["new"]);
        assert!(!m("d/y").exists() && !m("d/.wh.y").exists());
        assert!(!m("o/.wh..wh..opq").exists());
        let err = fs::write(m("d/.wh.x"), "").unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EINVAL));
        fs::write(m("d/y"), "new y").unwrap();
        assert_eq!(list("d"), ["x", "y"]);
        assert_eq!(fs::read_to_string(m("d/y")).unwrap(), "new y");
    });
    umount2(&mnt, MntFlags::MNT_DETACH).unwrap();
    server.join().unwrap();
    if let Err(e) = r {
        std::panic::resume_unwind(e);
    }
}

/// A file unlinked (or renamed over) while open stays usable through its
/// handles until the last one closes: its times (which the kernel writes
/// back at every close of a file written through the writeback cache,
/// with the handle), its size, mode, owner and xattrs (`fchmod` and
/// `fchown` come without one), and a new open through `/proc/PID/fd`.
/// apt's temporary files are unlinked as soon as they are made; every
/// close of one failed with EIO before.
#[test]
fn issue16_fuse_an_unlinked_open_file_is_reached_through_its_handles() {
    use std::time::{Duration, UNIX_EPOCH};
    let fx = Fx::new(1);
    let ov = fx.ov();
    let name = OsStr::new("clearsigned.message.XXXXXX");
    let a = ov.create(ROOT, name, 0o600, (0, 0)).unwrap();
    let ino = a.ino.0;
    ov.write(ino, 0, b"hello").unwrap();
    ov.unlink(ROOT, name).unwrap();
    assert!(disk_names(&fx.upper).is_empty());
    // The kernel truncates and sets times of the open file by its node:
    // reached through the descriptor kept for it.
    let a = ov
        .setattr(ino, None, None, None, Some(3), None, None)
        .unwrap();
    assert_eq!(a.size, 3);
    let t = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let a = ov
        .setattr(ino, None, None, None, None, None, Some(Some(t)))
        .unwrap();
    assert_eq!((a.mtime, a.size), (t, 3));
    let a = ov
        .setattr(ino, Some(0o640), Some(33), Some(33), None, None, None)
        .unwrap();
    assert_eq!((a.perm, a.uid, a.gid), (0o640, 33, 33));
    let a = ov.getattr(ino).unwrap();
    assert_eq!((a.perm, a.uid, a.size, a.mtime), (0o640, 33, 3, t));
    ov.setxattr(ino, OsStr::new("user.t"), b"1", 0).unwrap();
    assert_eq!(ov.getxattr(ino, OsStr::new("user.t")).unwrap(), b"1");
    // Reads and writes still reach it until the kernel forgets the node.
    assert_eq!(ov.read(ino, 0, 10).unwrap(), b"hel");
    assert_eq!(ov.write(ino, 3, b"p!").unwrap(), 2);
    assert_eq!(ov.read(ino, 0, 10).unwrap(), b"help!");
    ov.forget(ino, u64::MAX);
    assert_eq!(ov.getattr(ino).unwrap_err(), Errno::ESTALE);
    let err = ov
        .setattr(ino, None, None, None, None, None, Some(Some(t)))
        .unwrap_err();
    assert_eq!(err, Errno::ESTALE);

    // Renamed over while the kernel holds it: the same.
    write(fx.upper.join("old"), "old");
    let old = walk(&ov, "old").unwrap().ino.0;
    ov.create(ROOT, OsStr::new("new"), 0o644, (0, 0)).unwrap();
    ov.rename(ROOT, OsStr::new("new"), ROOT, OsStr::new("old"), 0)
        .unwrap();
    let a = ov
        .setattr(old, Some(0o600), None, None, None, None, Some(Some(t)))
        .unwrap();
    assert_eq!((a.perm, a.mtime, a.size), (0o600, t, 3));
    assert_eq!(ov.read(old, 0, 10).unwrap(), b"old");
    assert_eq!(read_all(&ov, "old"), "");
}

/// apt's temporary file, through a real mount: made, unlinked at once,
/// written, read back, changed, and closed, every close checked (a
/// failing `close` is what apt reported).
#[test]
fn issue16_fuse_closing_an_unlinked_file_succeeds() {
    if !in_user_namespace("issue16_fuse_closing_an_unlinked_file_succeeds") {
        return;
    }
    use nix::mount::{MntFlags, umount2};
    use std::io::{Read, Seek, SeekFrom, Write};
    use std::os::unix::fs::OpenOptionsExt;
    let fx = Fx::new(1);
    write(fx.layer(0).join("tmp/keep"), "");
    let mnt = fx.upper.parent().unwrap().join("mnt");
    fs::create_dir(&mnt).unwrap();
    let server = mount_at(&fx, &mnt);
    let r = std::panic::catch_unwind(|| {
        // No O_TMPFILE on FUSE: apt falls back to mkstemp and unlink.
        let err = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_TMPFILE)
            .open(mnt.join("tmp"))
            .unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EOPNOTSUPP));
        let close = |f: fs::File| nix::unistd::close(f);
        let make = |name: &str| {
            let p = mnt.join("tmp").join(name);
            let f = fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&p)
                .unwrap();
            fs::remove_file(&p).unwrap();
            f
        };
        close(make("empty")).unwrap();
        let mut f = make("message");
        f.write_all(b"Origin: rsp-tests\n").unwrap();
        f.seek(SeekFrom::Start(0)).unwrap();
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        assert_eq!(s, "Origin: rsp-tests\n");
        f.set_len(6).unwrap();
        f.set_permissions(fs::Permissions::from_mode(0o644))
            .unwrap();
        let m = f.metadata().unwrap();
        assert_eq!((m.len(), m.mode() & 0o7777, m.nlink()), (6, 0o644, 0));
        let again = format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(&f));
        assert_eq!(fs::read_to_string(again).unwrap(), "Origin");
        f.sync_all().unwrap();
        close(f).unwrap();
        assert_eq!(disk_names(fx.upper.join("tmp")), Vec::<String>::new());
    });
    umount2(&mnt, MntFlags::MNT_DETACH).unwrap();
    server.join().unwrap();
    if let Err(e) = r {
        std::panic::resume_unwind(e);
    }
}

/// Through a real mount, the kernel sends no OPEN (refused once): reads
/// and writes name no handle. Writing a lower file copies it up, O_TRUNC
/// truncates the copy in upper, and a file unlinked or renamed over while
/// open stays readable and writable (a lower one through a copy of its
/// own), with the layer untouched throughout.
#[test]
fn issue19_fuse_files_open_without_open_requests() {
    if !in_user_namespace("issue19_fuse_files_open_without_open_requests") {
        return;
    }
    use nix::mount::{MntFlags, umount2};
    use std::io::{Read, Seek, SeekFrom, Write};
    let fx = Fx::new(1);
    for f in ["a", "b", "c", "d"] {
        write(fx.layer(0).join(f), &format!("lower {f}\n"));
    }
    let mnt = fx.upper.parent().unwrap().join("mnt");
    fs::create_dir(&mnt).unwrap();
    let server = mount_at(&fx, &mnt);
    let r = std::panic::catch_unwind(|| {
        let rw = |p: &str| {
            fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(mnt.join(p))
                .unwrap()
        };
        // Read, many times over: no handle, the same data.
        for _ in 0..3 {
            assert_eq!(fs::read_to_string(mnt.join("a")).unwrap(), "lower a\n");
        }
        // Opened for writing, not written: still the lower file.
        drop(rw("a"));
        assert!(!fx.upper.join("a").exists());
        // Written: copied up with its data, then changed.
        let mut f = rw("a");
        f.seek(SeekFrom::Start(6)).unwrap();
        f.write_all(b"A").unwrap();
        // Written back now: the server's answer shows.
        f.sync_all().unwrap();
        drop(f);
        assert_eq!(fs::read_to_string(mnt.join("a")).unwrap(), "lower A\n");
        // O_TRUNC: the copy in upper starts empty.
        fs::write(mnt.join("b"), "new b").unwrap();
        assert_eq!(fs::read_to_string(mnt.join("b")).unwrap(), "new b");
        // Unlinked while open: still readable, and writable.
        let mut f = rw("c");
        fs::remove_file(mnt.join("c")).unwrap();
        let m = f.metadata().unwrap();
        assert_eq!((m.len(), m.nlink()), (8, 0));
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        assert_eq!(s, "lower c\n");
        f.write_all(b"more\n").unwrap();
        f.sync_all().unwrap();
        f.seek(SeekFrom::Start(0)).unwrap();
        s.clear();
        f.read_to_string(&mut s).unwrap();
        assert_eq!(s, "lower c\nmore\n");
        drop(f);
        assert!(!mnt.join("c").exists());
        // Renamed over while open: the old file is still what it reads.
        let mut f = fs::File::open(mnt.join("d")).unwrap();
        fs::write(mnt.join("d.new"), "replacement").unwrap();
        fs::rename(mnt.join("d.new"), mnt.join("d")).unwrap();
        s.clear();
        f.read_to_string(&mut s).unwrap();
        assert_eq!(s, "lower d\n");
        assert_eq!(fs::read_to_string(mnt.join("d")).unwrap(), "replacement");
        drop(f);
        // The kernel sends no RELEASE, for created files either: what the
        // server keeps open stays bounded (this process is the server).
        let open_fds = || fs::read_dir("/proc/self/fd").unwrap().count();
        let before = open_fds();
        fs::create_dir(mnt.join("many")).unwrap();
        for i in 0..1500 {
            fs::write(mnt.join(format!("many/{i}")), "x").unwrap();
        }
        for i in 0..1500 {
            assert_eq!(
                fs::read_to_string(mnt.join(format!("many/{i}"))).unwrap(),
                "x"
            );
        }
        let grown = open_fds().saturating_sub(before);
        assert!(grown <= 600, "{grown} more descriptors open");
    });
    umount2(&mnt, MntFlags::MNT_DETACH).unwrap();
    server.join().unwrap();
    if let Err(e) = r {
        std::panic::resume_unwind(e);
    }
    for f in ["a", "b", "c", "d"] {
        assert_eq!(
            fs::read_to_string(fx.layer(0).join(f)).unwrap(),
            format!("lower {f}\n")
        );
    }
    assert_eq!(fs::read_to_string(fx.upper.join("a")).unwrap(), "lower A\n");
    assert_eq!(fs::read_to_string(fx.upper.join("b")).unwrap(), "new b");
}

/// What the kernel caches of a fuse-overlay mount (file data across
/// opens, entries, attributes and listings, all for an hour) stays
/// coherent with the container's own changes, the only ones there are:
/// each is made through the mount, and the kernel updates or drops what
/// it cached of it. Every read below fills a cache first, then a change
/// is made another way (another descriptor, a copy-up, a rename, an
/// unlink, a chmod), then a new open, lookup or listing must show it.
#[test]
fn issue19_fuse_caches_stay_coherent_with_the_containers_changes() {
    if !in_user_namespace("issue19_fuse_caches_stay_coherent_with_the_containers_changes") {
        return;
    }
    use nix::mount::{MntFlags, umount2};
    use std::io::{Read, Seek, SeekFrom, Write};
    let fx = Fx::new(2);
    let (l0, l1) = (fx.layer(0).to_path_buf(), fx.layer(1).to_path_buf());
    write(l0.join("lower"), "lower data");
    write(l0.join("d/a"), "a");
    write(l1.join("d/b"), "b");
    write(l1.join("mode"), "m");
    write(l0.join("big"), &"0123456789".repeat(100_000));
    let mnt = fx.upper.parent().unwrap().join("mnt");
    fs::create_dir(&mnt).unwrap();
    let server = mount_at(&fx, &mnt);
    let r = std::panic::catch_unwind(|| {
        let m = |p: &str| mnt.join(p);
        let read = |p: &str| fs::read_to_string(m(p)).unwrap();
        let listed = |p: &str| {
            let mut v: Vec<String> = fs::read_dir(m(p))
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            v.sort();
            v
        };

        // A lower file, cached, then copied up by a write through another
        // open: a new open reads the new data, and so does a descriptor
        // opened before the write.
        assert_eq!(read("lower"), "lower data");
        let mut reader = fs::File::open(m("lower")).unwrap();
        let mut w = fs::OpenOptions::new().write(true).open(m("lower")).unwrap();
        w.write_all(b"UPPER").unwrap();
        drop(w);
        assert_eq!(read("lower"), "UPPER data");
        let mut s = String::new();
        reader.read_to_string(&mut s).unwrap();
        assert_eq!(s, "UPPER data");
        drop(reader);
        assert_eq!(fs::read_to_string(l0.join("lower")).unwrap(), "lower data");
        assert_eq!(
            fs::read_to_string(fx.upper.join("lower")).unwrap(),
            "UPPER data"
        );

        // Appending (a copy-up of a big lower file the cache holds part
        // of), then truncating, then rewriting with O_TRUNC.
        let mut f = fs::File::open(m("big")).unwrap();
        let mut head = [0u8; 10];
        f.read_exact(&mut head).unwrap();
        drop(f);
        let mut f = fs::OpenOptions::new().append(true).open(m("big")).unwrap();
        f.write_all(b"END").unwrap();
        drop(f);
        let big = fs::read(m("big")).unwrap();
        assert_eq!(big.len(), 1_000_003);
        assert_eq!(&big[999_990..], b"0123456789END");
        fs::OpenOptions::new()
            .write(true)
            .open(m("big"))
            .unwrap()
            .set_len(5)
            .unwrap();
        assert_eq!(read("big"), "01234");
        fs::write(m("big"), "short").unwrap();
        assert_eq!(read("big"), "short");
        assert_eq!(fs::metadata(m("big")).unwrap().len(), 5);

        // An upper file written in place through one descriptor while
        // another is open and has read it.
        fs::write(m("up"), "first version").unwrap();
        let mut r1 = fs::File::open(m("up")).unwrap();
        let mut s = String::new();
        r1.read_to_string(&mut s).unwrap();
        assert_eq!(s, "first version");
        let mut w = fs::OpenOptions::new().write(true).open(m("up")).unwrap();
        w.seek(SeekFrom::Start(0)).unwrap();
        w.write_all(b"FIRST").unwrap();
        drop(w);
        r1.seek(SeekFrom::Start(0)).unwrap();
        s.clear();
        r1.read_to_string(&mut s).unwrap();
        assert_eq!(s, "FIRST version");
        assert_eq!(read("up"), "FIRST version");

        // Hard links in upper share one inode, and so one cache.
        fs::hard_link(m("up"), m("up2")).unwrap();
        fs::write(m("up2"), "via the link").unwrap();
        assert_eq!(read("up"), "via the link");

        // Unlink, then the cached entry is gone; a new file by that name
        // has its own data and attributes.
        let old_ino = fs::metadata(m("up")).unwrap().ino();
        fs::remove_file(m("up")).unwrap();
        assert_eq!(
            fs::metadata(m("up")).unwrap_err().raw_os_error(),
            Some(libc::ENOENT)
        );
        fs::write(m("up"), "reborn").unwrap();
        assert_eq!(read("up"), "reborn");
        assert_ne!(fs::metadata(m("up")).unwrap().ino(), old_ino);
        assert_eq!(read("up2"), "via the link");

        // A lower file unlinked (a whiteout), then made again.
        assert_eq!(read("d/a"), "a");
        fs::remove_file(m("d/a")).unwrap();
        assert!(!m("d/a").exists());
        assert_eq!(listed("d"), ["b"]);
        fs::write(m("d/a"), "new a").unwrap();
        assert_eq!(read("d/a"), "new a");
        assert_eq!(listed("d"), ["a", "b"]);

        // Rename over a cached file: the new name reads the moved data,
        // the old one is gone; the listing (cached too) shows it.
        assert_eq!(read("d/b"), "b");
        fs::rename(m("d/a"), m("d/b")).unwrap();
        assert_eq!(read("d/b"), "new a");
        assert!(!m("d/a").exists());
        assert_eq!(listed("d"), ["b"]);
        fs::rename(m("d/b"), m("moved")).unwrap();
        assert_eq!(listed("d"), Vec::<String>::new());
        assert_eq!(read("moved"), "new a");

        // A name looked up and missing (a cached negative entry) appears.
        assert!(!m("later").exists());
        fs::create_dir(m("later")).unwrap();
        assert!(m("later").is_dir());
        fs::remove_dir(m("later")).unwrap();
        assert!(!m("later").exists());
        fs::write(m("later"), "file now").unwrap();
        assert_eq!(read("later"), "file now");

        // chmod of a lower file (a copy-up that records the mode), then
        // stat through the cached entry and through a new lookup.
        assert_eq!(fs::metadata(m("mode")).unwrap().mode() & 0o7777, 0o644);
        fs::set_permissions(m("mode"), fs::Permissions::from_mode(0o4750)).unwrap();
        assert_eq!(fs::metadata(m("mode")).unwrap().mode() & 0o7777, 0o4750);
        let f = fs::File::open(m("mode")).unwrap();
        assert_eq!(f.metadata().unwrap().mode() & 0o7777, 0o4750);
        drop(f);
        // The recorded owner, written as the ownership supervisor writes
        // it, shows in the mode at once.
        xattr::set(m("mode"), OVERRIDE_STAT_XATTR, b"33:33:0600").unwrap();
        assert_eq!(fs::metadata(m("mode")).unwrap().mode() & 0o7777, 0o600);
        assert_eq!(
            xattr::get(m("mode"), OVERRIDE_STAT_XATTR).unwrap().unwrap(),
            b"33:33:0600"
        );

        // Times set and read back through the cache.
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_600_000_000);
        fs::File::options()
            .write(true)
            .open(m("moved"))
            .unwrap()
            .set_modified(t)
            .unwrap();
        assert_eq!(fs::metadata(m("moved")).unwrap().modified().unwrap(), t);

        // No file capability anywhere: answered without the disk, and
        // none can be set.
        assert_eq!(xattr::get(m("moved"), "security.capability").unwrap(), None);
        assert!(xattr::set(m("moved"), "security.capability", b"\x01").is_err());
    });
    umount2(&mnt, MntFlags::MNT_DETACH).unwrap();
    server.join().unwrap();
    if let Err(e) = r {
        std::panic::resume_unwind(e);
    }
}

/// With no directory handles, a read of a directory continues the
/// listing its offset names: kept while the directory changes (nothing
/// skipped or repeated), new for a read from the start (`rewinddir`),
/// and taken again from the same index once too many newer reads
/// pushed it out.
#[test]
fn issue19_fuse_reads_of_a_directory_continue_their_own_listing() {
    use std::sync::Arc;
    let fx = Fx::new(1);
    for i in 0..10 {
        write(fx.layer(0).join(format!("d/f{i}")), "x");
    }
    let ov = fx.ov();
    let d = ino(&ov, "d");
    let (first, start, base) = ov.listing_at(d, 0).unwrap();
    assert_eq!((first.len(), start), (12, 0));
    assert_ne!(base, 0);
    ov.unlink(d, OsStr::new("f3")).unwrap();
    ov.create(d, OsStr::new("new"), 0o644, (0, 0)).unwrap();
    let (cont, i, b) = ov.listing_at(d, base | 5).unwrap();
    assert!(Arc::ptr_eq(&cont, &first));
    assert_eq!((i, b), (5, base));
    let (fresh, i, b) = ov.listing_at(d, 0).unwrap();
    assert_eq!(i, 0);
    assert_ne!(b, base);
    let names: Vec<_> = fresh.iter().map(|e| e.name.to_str().unwrap()).collect();
    assert!(names.contains(&"new") && !names.contains(&"f3"));
    for _ in 0..4 {
        ov.listing_at(d, 0).unwrap();
    }
    let (again, i, _) = ov.listing_at(d, base | 5).unwrap();
    assert!(!Arc::ptr_eq(&again, &first));
    assert_eq!(i, 5);
    assert_eq!(names.len(), 12);
}

/// Through a mount: a directory too big for one reply is listed whole,
/// each name once, while another reader changes it between batches; a
/// new listing (or `rewinddir`) shows the change.
#[test]
fn issue19_fuse_big_directories_list_each_name_once() {
    if !in_user_namespace("issue19_fuse_big_directories_list_each_name_once") {
        return;
    }
    use nix::mount::{MntFlags, umount2};
    let fx = Fx::new(2);
    let long = "n".repeat(100);
    for i in 0..400 {
        let l = if i % 2 == 0 { 0 } else { 1 };
        write(fx.layer(l).join(format!("big/{long}{i:04}")), "");
    }
    let mnt = fx.upper.parent().unwrap().join("mnt");
    fs::create_dir(&mnt).unwrap();
    let server = mount_at(&fx, &mnt);
    let r = std::panic::catch_unwind(|| {
        let big = mnt.join("big");
        let mut dir = nix::dir::Dir::open(
            &big,
            nix::fcntl::OFlag::O_RDONLY | nix::fcntl::OFlag::O_DIRECTORY,
            nix::sys::stat::Mode::empty(),
        )
        .unwrap();
        let mut seen = std::collections::HashMap::<String, usize>::new();
        let mut changed = false;
        for e in dir.iter() {
            let name = e.unwrap().file_name().to_str().unwrap().to_owned();
            *seen.entry(name).or_default() += 1;
            if seen.len() == 50 && !changed {
                changed = true;
                fs::write(big.join("added"), "").unwrap();
                fs::remove_file(big.join(format!("{long}0399"))).unwrap();
                fs::remove_file(big.join(format!("{long}0398"))).unwrap();
            }
        }
        for i in 0..398 {
            assert_eq!(seen.get(&format!("{long}{i:04}")), Some(&1), "{i}");
        }
        assert!(seen.values().all(|n| *n == 1));
        let names: Vec<String> = fs::read_dir(&big)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names.len(), 399);
        assert!(names.iter().any(|n| n == "added"));
        assert!(!names.iter().any(|n| n.ends_with("0399")));
        assert_eq!(fs::read_dir(&mnt).unwrap().count(), 1);
    });
    umount2(&mnt, MntFlags::MNT_DETACH).unwrap();
    server.join().unwrap();
    if let Err(e) = r {
        std::panic::resume_unwind(e);
    }
}
