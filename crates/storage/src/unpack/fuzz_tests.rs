//! Property tests of the layer unpacker (issue 18): generated tar streams,
//! hostile ones above all, against the module's security contract.
//!
//! Each case builds a tar by hand, header byte by header byte, from a small
//! vocabulary of names so that entries collide: `..` and absolute names,
//! symlinks pointing out followed by entries written through them, hard
//! links out of the layer or to nothing, whiteouts and opaque markers in
//! odd places, PAX and GNU long-name headers with odd paths, device nodes,
//! duplicates, directories replaced by files and back, sizes that are
//! huge, negative or garbage, bad checksums, truncated or gzip-wrapped
//! streams, and random byte mutations of all that. The properties:
//! - unpacking never panics, and returns `Ok` or an [`UnpackError`] that
//!   formats;
//! - nothing outside `dest` is created, modified or linked to: a sentinel
//!   directory next to `dest` and the directory holding both are
//!   unchanged, down to link counts and change times;
//! - nothing outside was followed and read: no file in `dest` holds the
//!   sentinel's content or is the sentinel's inode;
//! - the caller can always remove what was unpacked.

use super::*;
use rsp_base::testing::fuzz::{self, Rng};
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;

const SECRET: &[u8] = b"issue18-sentinel-secret-do-not-copy";

/// `base/dest` to unpack into and `base/outside` with a secret file and a
/// directory next to it, which no entry may touch.
struct Sandbox {
    base: tempfile::TempDir,
    /// The tar-split record, away from `base` so that it does not change it.
    split: tempfile::TempDir,
}

/// A directory for a case: in memory where there is a tmpfs, because
/// making and removing thousands of small trees on a disk costs seconds of
/// journal waits for nothing this test looks at.
fn scratch() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir()
        && let Ok(dir) = tempfile::tempdir_in(shm)
    {
        return dir;
    }
    tempfile::tempdir().unwrap()
}

type State = BTreeMap<PathBuf, (u32, u64, u64, i64, i64, Vec<u8>)>;

impl Sandbox {
    fn new() -> Self {
        let base = scratch();
        fs::create_dir(base.path().join("dest")).unwrap();
        fs::create_dir_all(base.path().join("outside/dir")).unwrap();
        fs::write(base.path().join("outside/secret"), SECRET).unwrap();
        Self {
            base,
            split: scratch(),
        }
    }

    fn dest(&self) -> PathBuf {
        self.base.path().join("dest")
    }

    fn split(&self) -> PathBuf {
        self.split.path().join("split")
    }

    /// The base directory itself and everything in it but `dest`: mode,
    /// link count, size, mtime, ctime, content.
    fn outside_state(&self) -> State {
        let mut state = State::new();
        let mut stack = vec![self.base.path().to_path_buf()];
        while let Some(path) = stack.pop() {
            let meta = fs::symlink_metadata(&path).unwrap();
            let content = if meta.is_file() {
                fs::read(&path).unwrap()
            } else {
                Vec::new()
            };
            state.insert(
                path.clone(),
                (
                    meta.mode(),
                    meta.nlink(),
                    meta.size(),
                    meta.mtime_nsec() + meta.mtime() * 1_000_000_000,
                    meta.ctime_nsec() + meta.ctime() * 1_000_000_000,
                    content,
                ),
            );
            if meta.is_dir() {
                for entry in fs::read_dir(&path).unwrap() {
                    let child = entry.unwrap().path();
                    if child != self.dest() {
                        stack.push(child);
                    }
                }
            }
        }
        state
    }

    /// Walks `dest` without following symlinks and checks nothing in it
    /// came from outside.
    fn check_dest(&self, secret_inode: (u64, u64)) {
        let mut stack = vec![self.dest()];
        while let Some(dir) = stack.pop() {
            for entry in fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                let meta = fs::symlink_metadata(&path).unwrap();
                assert_ne!(
                    (meta.dev(), meta.ino()),
                    secret_inode,
                    "{} is the sentinel outside dest",
                    path.display()
                );
                if meta.is_dir() {
                    stack.push(path);
                } else if meta.is_file() && meta.size() == SECRET.len() as u64 {
                    assert_ne!(
                        fs::read(&path).unwrap(),
                        SECRET,
                        "{} holds the sentinel's content",
                        path.display()
                    );
                }
            }
        }
    }
}

// Raw tar headers (POSIX ustar, with GNU's fields where asked).

const BLOCK: usize = 512;

fn put(h: &mut [u8], at: usize, len: usize, value: &[u8]) {
    let n = value.len().min(len);
    h[at..at + n].copy_from_slice(&value[..n]);
}

/// A number field: octal as tar writes it, or GNU base-256 (negative
/// too), or garbage.
fn number(value: u64, rng: &mut Rng, h: &mut [u8], at: usize, len: usize) {
    // Mostly right: one bad field ends the archive, and the entries after
    // it are where the interesting collisions are.
    match rng.below(100) {
        0..=2 => {
            // Base-256, possibly with the sign bit: a negative number.
            let negative = rng.chance(50);
            let field = &mut h[at..at + len];
            field.fill(if negative { 0xff } else { 0 });
            field[len - 8..].copy_from_slice(&value.to_be_bytes());
            field[0] = if negative { 0xff } else { 0x80 };
        }
        3 => {
            let junk = rng.bytes(len);
            put(h, at, len, &junk);
        }
        4 => put(h, at, len, b" 12 34 "),
        _ => {
            let text = format!("{:0width$o}", value, width = len - 1);
            put(h, at, len, text.as_bytes());
        }
    }
}

/// Writes the header checksum, right or (rarely) not.
fn checksum(rng: &mut Rng, h: &mut [u8]) {
    h[148..156].fill(b' ');
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    let sum = if rng.chance(2) { sum + 1 } else { sum };
    put(h, 148, 8, format!("{sum:06o}\0 ").as_bytes());
}

/// Mutates the header blocks of a well-formed tar in place and redoes
/// their checksums, so that the tar reader gets past them to the
/// unpacker.
fn mutate_headers(rng: &mut Rng, tar: &mut [u8]) {
    let mut at = 0;
    let mut headers = Vec::new();
    while at + BLOCK <= tar.len() && tar[at..at + BLOCK].iter().any(|&b| b != 0) {
        headers.push(at);
        let size = std::str::from_utf8(&tar[at + 124..at + 135])
            .ok()
            .and_then(|s| u64::from_str_radix(s.trim_matches(['\0', ' ']), 8).ok())
            .unwrap_or(0);
        at += BLOCK + (size as usize).div_ceil(BLOCK) * BLOCK;
    }
    if headers.is_empty() {
        return;
    }
    for _ in 0..1 + rng.below(3) {
        let h = *rng.pick(&headers);
        let header = &mut tar[h..h + BLOCK];
        // Name, link name, type or a number field.
        let field = *rng.pick(&[
            (0, 100),
            (157, 100),
            (156, 1),
            (100, 8),
            (124, 12),
            (345, 155),
        ]);
        let mut bytes = header[field.0..field.0 + field.1].to_vec();
        rng.mutate(&mut bytes);
        bytes.resize(field.1, 0);
        header[field.0..field.0 + field.1].copy_from_slice(&bytes);
        checksum(rng, header);
    }
}

const COMPONENTS: &[&[u8]] = &[
    b"a",
    b"b",
    b"c",
    b"l",
    b"..",
    b".",
    b"",
    b".wh.a",
    b".wh.b",
    b".wh.l",
    b".wh..wh..opq",
    b".wh..wh.plnk",
    b".wh.",
    b".wh..",
    b".wh...",
    b"outside",
    b"secret",
    b"\xff\xfe",
    b"dir with space",
];

/// A name from the vocabulary: usually short, often with `..`, sometimes
/// absolute, with a trailing slash, or very long.
fn name(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    match rng.below(10) {
        0 => out.push(b'/'),
        1 => out.extend_from_slice(b"./"),
        2 => out.extend_from_slice(b"../"),
        _ => {}
    }
    let parts = 1 + rng.below(4);
    for i in 0..parts {
        if i > 0 {
            out.push(b'/');
        }
        if rng.chance(3) {
            let long = 1 + rng.size(300);
            out.extend(std::iter::repeat_n(b'x', long));
        } else {
            let part: &&[u8] = rng.pick(COMPONENTS);
            out.extend_from_slice(part);
        }
    }
    if rng.chance(10) {
        out.push(b'/');
    }
    out
}

const LINK_TARGETS: &[&[u8]] = &[
    b"..",
    b"../..",
    b"../../..",
    b"/",
    b"/..",
    b"/etc",
    b"../outside",
    b"../outside/secret",
    b"../../outside/secret",
    b"/../outside/secret",
    b"outside/secret",
    b"l/secret",
    b"l",
    b"a",
    b"a/b",
    b"b/c",
    b".",
    b"missing",
    b"",
    b".wh.a",
];

fn link_target(rng: &mut Rng) -> Vec<u8> {
    if rng.chance(25) {
        name(rng)
    } else {
        rng.pick(LINK_TARGETS).to_vec()
    }
}

/// One PAX record, `"%d %s=%s\n"` with the length right, or wrong.
fn pax_record(rng: &mut Rng, key: &[u8], value: &[u8]) -> Vec<u8> {
    let body = key.len() + value.len() + 3;
    let mut len = body + body.to_string().len();
    if len.to_string().len() + body != len {
        len += 1;
    }
    if rng.chance(5) {
        len = rng.below(len * 2 + 2);
    }
    let mut out = format!("{len} ").into_bytes();
    out.extend_from_slice(key);
    out.push(b'=');
    out.extend_from_slice(value);
    out.push(b'\n');
    out
}

fn pax_data(rng: &mut Rng) -> Vec<u8> {
    let mut data = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let (key, value): (&[u8], Vec<u8>) = match rng.below(10) {
            0..=2 => (b"path", name(rng)),
            3 => (b"linkpath", link_target(rng)),
            // A wrong size leaves the reader inside data: rarely.
            4 if rng.chance(10) => (b"size", rng.interesting_u64().to_string().into_bytes()),
            4 => (b"path", name(rng)),
            5 => (
                b"mtime",
                rng.pick(&[&b"-1.5"[..], b"1e9", b"99999999999999999999", b"1.", b"."])
                    .to_vec(),
            ),
            6 => (b"uid", rng.interesting_u64().to_string().into_bytes()),
            7 => (b"SCHILY.xattr.user.k", rng.bytes(4)),
            8 => (b"SCHILY.xattr.user.overlay.opaque", b"y".to_vec()),
            _ => (b"GNU.sparse.size", b"123".to_vec()),
        };
        data.extend(pax_record(rng, key, &value));
    }
    data
}

/// A tar of a few generated entries, then its end, cut or spoiled at
/// times.
fn hostile_tar(rng: &mut Rng) -> Vec<u8> {
    let mut tar = Vec::new();
    let mut meta = false;
    let entries = 1 + rng.below(12);
    for i in 0.. {
        // A PAX or long-name header describes the entry after it: the
        // archive does not end on one (but for mutations).
        if i >= entries && !meta {
            break;
        }
        let mut h = [0u8; BLOCK];
        // Mostly files, directories and links; every other type too.
        let mut kind: u8 = *rng.pick(b"0000\x005552221113467LKxxgSVZ".as_slice());
        if meta && matches!(kind, b'L' | b'K' | b'x') {
            kind = b'0';
        }
        meta = matches!(kind, b'L' | b'K' | b'x');
        let mut data = match kind {
            b'0' | b'\0' | b'7' | b'S' => {
                if rng.chance(10) {
                    b"not the secret".to_vec()
                } else {
                    let n = rng.size(1200);
                    rng.bytes(n)
                }
            }
            b'L' | b'K' => {
                let mut long = if kind == b'L' {
                    name(rng)
                } else {
                    link_target(rng)
                };
                if rng.chance(70) {
                    long.push(0);
                }
                long
            }
            b'x' | b'g' => pax_data(rng),
            _ => Vec::new(),
        };
        let entry_name = name(rng);
        if entry_name.len() > 100 && rng.chance(50) {
            // The ustar prefix field holds the rest.
            let split = entry_name.len() - 100;
            put(&mut h, 345, 155, &entry_name[..split]);
            put(&mut h, 0, 100, &entry_name[split..]);
        } else {
            put(&mut h, 0, 100, &entry_name);
        }
        number(
            *rng.pick(&[0o644, 0o755, 0o7777, 0, 0o4755]),
            rng,
            &mut h,
            100,
            8,
        );
        number(rng.interesting_u64() & 0o7777777, rng, &mut h, 108, 8);
        number(rng.interesting_u64() & 0o7777777, rng, &mut h, 116, 8);
        let size = match rng.below(40) {
            // Claims more than there is: the stream is cut inside it.
            0 => data.len() as u64 + 1 + rng.below(5000) as u64,
            1 => rng.interesting_u64(),
            2 | 3 if !data.is_empty() => rng.below(data.len()) as u64,
            _ => data.len() as u64,
        };
        number(size, rng, &mut h, 124, 12);
        number(rng.interesting_u64(), rng, &mut h, 136, 12);
        h[156] = kind;
        if matches!(kind, b'1' | b'2') {
            put(&mut h, 157, 100, &link_target(rng));
        }
        if kind != b'S' && rng.chance(50) {
            put(&mut h, 257, 8, b"ustar\x0000");
        } else {
            put(&mut h, 257, 8, b"ustar  \0");
        }
        number(rng.interesting_u64() & 0o7777777, rng, &mut h, 329, 8);
        number(rng.interesting_u64() & 0o7777777, rng, &mut h, 337, 8);
        if kind == b'S' {
            // One GNU sparse chunk inside a file of bounded real size: a
            // hole, then the data (a bounded real size keeps each case
            // fast; `issue18_sparse_holes_stay_holes` has a large one).
            let hole = rng.below(4096) as u64;
            number(hole, rng, &mut h, 386, 12);
            number(data.len() as u64, rng, &mut h, 398, 12);
            number(hole + data.len() as u64, rng, &mut h, 483, 12);
        }
        checksum(rng, &mut h);
        tar.extend_from_slice(&h);
        let padded = data.len().div_ceil(BLOCK) * BLOCK;
        data.resize(padded, 0);
        tar.extend_from_slice(&data);
    }
    match rng.below(20) {
        0 => {}
        1 => {
            let cut = rng.below(tar.len() + 1);
            tar.truncate(cut);
        }
        2 => {
            tar.extend_from_slice(&[0; 2 * BLOCK]);
            let junk = rng.size(2000);
            tar.extend(rng.bytes(junk));
        }
        _ => tar.extend_from_slice(&[0; 2 * BLOCK]),
    }
    if rng.chance(5) {
        rng.mutate(&mut tar);
    }
    tar
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// Unpacks `tar` into a fresh sandbox and checks every property.
fn check(rng: &mut Rng, tar: &[u8]) {
    let sandbox = Sandbox::new();
    let secret = fs::metadata(sandbox.base.path().join("outside/secret")).unwrap();
    let secret_inode = (secret.dev(), secret.ino());
    let before = sandbox.outside_state();
    let stream = if rng.chance(10) {
        let mut z = gzip(tar);
        if rng.chance(30) {
            let cut = rng.below(z.len());
            z.truncate(cut);
        }
        z
    } else {
        tar.to_vec()
    };
    let result = if rng.chance(30) {
        unpack_layer_recorded(&stream[..], &sandbox.dest(), &sandbox.split())
    } else {
        unpack_layer(&stream[..], &sandbox.dest())
    };
    if let Err(e) = &result {
        // Every error says something.
        assert!(!e.to_string().is_empty());
    }
    assert_eq!(
        before,
        sandbox.outside_state(),
        "outside of dest changed ({result:?})"
    );
    sandbox.check_dest(secret_inode);
    fs::remove_dir_all(sandbox.dest()).expect("the unpacked layer can be removed");
}

#[test]
fn issue18_unpack_never_escapes() {
    fuzz::run("unpack", 1500, |rng| {
        let tar = hostile_tar(rng);
        check(rng, &tar);
    });
}

/// Well-formed layers from the `tar` crate, hostile entries in a random
/// order, then their headers mutated (checksums redone): reaches the
/// unpacker's own checks more often than hand-made headers do.
#[test]
fn issue18_unpack_mutated_layers_never_escape() {
    use super::super::testtar::Tar;
    fuzz::run("unpack-mutated", 1000, |rng| {
        let mut tar = Tar::new();
        for _ in 0..1 + rng.below(10) {
            match rng.below(11) {
                0 => tar.dir("a/"),
                1 => tar.file("a/f", b"data"),
                2 => tar.symlink("l", "../outside"),
                3 => tar.symlink("a/l", "../.."),
                4 => tar.file("l/secret", b"through the link"),
                5 => tar.hardlink("h", "../outside/secret"),
                6 => tar.hardlink("h", "a/f"),
                7 => tar.file("a/.wh..wh..opq", b""),
                8 => tar.file(".wh.a", b""),
                9 => tar.file("a", b"file over dir"),
                _ => tar.pax(&[("path", b"../../pax"), ("linkpath", b"/")]),
            };
        }
        let mut bytes = tar.finish();
        if rng.chance(80) {
            mutate_headers(rng, &mut bytes);
        } else {
            rng.mutate(&mut bytes);
        }
        check(rng, &bytes);
    });
}

/// Regression (found by this file's generator being given GNU sparse
/// entries): a sparse entry's holes were written out as zeros, so a
/// 1.5 KiB layer whose header claimed a 1 GiB file with no data wrote
/// 1 GiB to disk. Holes now stay holes.
#[test]
fn issue18_sparse_holes_stay_holes() {
    const MIB: u64 = 1 << 20;
    let mut h = [0u8; BLOCK];
    let octal = |v: u64, len: usize| format!("{v:0width$o}\0", width = len - 1).into_bytes();
    put(&mut h, 0, 100, b"sparse");
    put(&mut h, 100, 8, &octal(0o644, 8));
    put(&mut h, 108, 8, &octal(0, 8));
    put(&mut h, 116, 8, &octal(0, 8));
    put(&mut h, 124, 12, &octal(1024, 12));
    put(&mut h, 136, 12, &octal(0, 12));
    h[156] = b'S';
    put(&mut h, 257, 8, b"ustar  \0");
    // Data at 0 and at 8 MiB, a hole between and after, 16 MiB in all.
    for (i, (offset, len)) in [(0, 512), (8 * MIB, 512), (16 * MIB, 0)]
        .into_iter()
        .enumerate()
    {
        put(&mut h, 386 + 24 * i, 12, &octal(offset, 12));
        put(&mut h, 398 + 24 * i, 12, &octal(len, 12));
    }
    put(&mut h, 483, 12, &octal(16 * MIB, 12));
    h[148..156].fill(b' ');
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    put(&mut h, 148, 8, format!("{sum:06o}\0 ").as_bytes());
    let mut tar = h.to_vec();
    tar.extend_from_slice(&[b'a'; 512]);
    tar.extend_from_slice(&[b'b'; 512]);
    tar.extend_from_slice(&[0; 2 * BLOCK]);

    let sandbox = Sandbox::new();
    unpack_layer(&tar[..], &sandbox.dest()).unwrap();
    let path = sandbox.dest().join("sparse");
    let meta = fs::metadata(&path).unwrap();
    assert_eq!(meta.size(), 16 * MIB);
    assert!(
        meta.blocks() * 512 < MIB,
        "{} bytes allocated for two 512-byte chunks",
        meta.blocks() * 512
    );
    let content = fs::read(&path).unwrap();
    assert!(content[..512].iter().all(|&b| b == b'a'));
    assert!(content[512..8 * MIB as usize].iter().all(|&b| b == 0));
    assert!(
        content[8 * MIB as usize..][..512]
            .iter()
            .all(|&b| b == b'b')
    );
    assert!(content[8 * MIB as usize + 512..].iter().all(|&b| b == 0));
}

// Issue 19: the unpacker no longer looks for an existing entry before
// creating each one (it creates, and only on EEXIST removes what is there
// and creates again), creates entries with their final modes where the
// umask allows, keeps its parents' directories open, and sets directory
// times without opening them. Against the unpacker as it was
// ([`How::reference`]), every stream must give the same tree.

/// One unpacked entry as the tests compare it: type and mode bits, size,
/// device number, content or link target, user xattrs, the mtime where the
/// tar set it, and the first path (in sorted order) of its inode, so that
/// hard links compare as a structure.
#[derive(Debug, PartialEq)]
struct Node {
    mode: u32,
    size: u64,
    rdev: u64,
    content: Vec<u8>,
    xattrs: BTreeMap<String, Vec<u8>>,
    mtime: Option<(i64, i64)>,
    inode_of: PathBuf,
}

/// Everything below `root`. Times within a minute of `since` belong to
/// directories the unpacker made for a path's parents, not to the tar,
/// and are left out.
fn tree(root: &Path, since: i64) -> BTreeMap<PathBuf, Node> {
    let mut paths = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if fs::symlink_metadata(&path).unwrap().is_dir() {
                stack.push(path.clone());
            }
            paths.push(path);
        }
    }
    paths.sort();
    let mut inodes = BTreeMap::new();
    let mut out = BTreeMap::new();
    for path in paths {
        let meta = fs::symlink_metadata(&path).unwrap();
        let rel = path.strip_prefix(root).unwrap().to_path_buf();
        let content = if meta.is_file() {
            fs::read(&path).unwrap()
        } else if meta.is_symlink() {
            fs::read_link(&path).unwrap().into_os_string().into_vec()
        } else {
            Vec::new()
        };
        let xattrs = if meta.is_file() || meta.is_dir() {
            xattr::list(&path)
                .unwrap()
                .filter(|n| n.as_bytes().starts_with(b"user."))
                .map(|n| {
                    let value = xattr::get(&path, &n).unwrap().unwrap_or_default();
                    (n.to_string_lossy().into_owned(), value)
                })
                .collect()
        } else {
            BTreeMap::new()
        };
        let mtime = (meta.mtime() < since - 60 || meta.mtime() > since + 60)
            .then_some((meta.mtime(), meta.mtime_nsec()));
        let inode_of = inodes
            .entry((meta.dev(), meta.ino()))
            .or_insert_with(|| rel.clone())
            .clone();
        let node = Node {
            mode: meta.mode(),
            size: if meta.is_dir() { 0 } else { meta.size() },
            rdev: meta.rdev(),
            content,
            xattrs,
            mtime,
            inode_of,
        };
        out.insert(rel, node);
    }
    out
}

/// A well-formed layer whose entries collide: the same names as files,
/// directories, symlinks, hard links, fifos, devices and whiteouts, with
/// odd modes (none, setuid, setgid, sticky, group- and world-writable),
/// owners and PAX xattrs, in a random order.
fn colliding_tar(rng: &mut Rng) -> Vec<u8> {
    use super::super::testtar::{Spec, Tar};
    use tar::EntryType;
    const NAMES: &[&str] = &["a", "a/b", "a/b/c", "d", "d/e", "a/d", "f", "x/y/z"];
    const MODES: &[u32] = &[
        0o644, 0o755, 0o000, 0o4755, 0o2755, 0o6755, 0o1777, 0o777, 0o666, 0o700, 0o555, 0o2775,
    ];
    let mut tar = Tar::new();
    let mut files = Vec::new();
    for _ in 0..1 + rng.below(14) {
        let name = *rng.pick(NAMES);
        let mode = *rng.pick(MODES);
        let uid = *rng.pick(&[0, 0, 33, 1000]);
        if rng.chance(10) {
            tar.pax(&[("SCHILY.xattr.user.note", b"kept")]);
        }
        let mut kind = *rng.pick(&[
            EntryType::Regular,
            EntryType::Regular,
            EntryType::Directory,
            EntryType::Directory,
            EntryType::Symlink,
            EntryType::Link,
            EntryType::Fifo,
            EntryType::Char,
        ]);
        // Mostly to a file that is there (but may have been replaced
        // since), or the whole layer fails.
        if kind == EntryType::Link && files.is_empty() {
            kind = EntryType::Regular;
        }
        if kind == EntryType::Regular {
            files.push(name);
        }
        let data: &[u8] = if kind == EntryType::Regular {
            [b"".as_slice(), b"data", b"other data"][rng.below(3)]
        } else {
            b""
        };
        let link = match kind {
            EntryType::Symlink => *rng.pick(&["a", "../..", "/etc", "b"]),
            EntryType::Link if rng.chance(90) => *rng.pick(&files),
            EntryType::Link => *rng.pick(NAMES),
            _ => "",
        };
        let whiteout;
        let name = if rng.chance(8) {
            let (dir, base) = name.rsplit_once('/').unwrap_or(("", name));
            let base = if rng.chance(30) { ".wh..opq" } else { base };
            whiteout = if dir.is_empty() {
                format!(".wh.{base}")
            } else {
                format!("{dir}/.wh.{base}")
            };
            whiteout.as_str()
        } else {
            name
        };
        tar.add(Spec {
            mode,
            uid,
            data,
            link,
            device: (1, 3),
            ..Spec::new(kind, name)
        });
    }
    tar.finish()
}

#[test]
fn issue19_unpack_matches_the_reference() {
    fuzz::run("unpack-reference", 600, |rng| {
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let tar = match rng.below(3) {
            0 => hostile_tar(rng),
            _ => colliding_tar(rng),
        };
        let recorded = rng.chance(50);
        let unpack = |sandbox: &Sandbox, reference| {
            let how = How {
                reference,
                ..How::default()
            };
            let recorder = recorded.then(|| Recorder::create(&sandbox.split()).unwrap());
            let stats = unpack_layer_as(&tar[..], &sandbox.dest(), how, recorder.clone());
            stats.map(|mut stats| {
                if let Some(r) = recorder {
                    stats.recorded = r.borrow_mut().finish().unwrap();
                }
                stats
            })
        };
        let (fast, reference) = (Sandbox::new(), Sandbox::new());
        let got = unpack(&fast, false);
        let want = unpack(&reference, true);
        match (got, want) {
            (Ok(got), Ok(want)) => {
                assert_eq!(got, want);
                assert_eq!(tree(&fast.dest(), since), tree(&reference.dest(), since));
                if got.recorded {
                    let split = fast.split();
                    let mut replay =
                        super::super::tarsplit::LayerTar::open(&split, &fast.dest(), &got.diff_id)
                            .expect("the record opens");
                    let mut bytes = Vec::new();
                    replay.read_to_end(&mut bytes).expect("the record replays");
                    assert_eq!(bytes.len() as u64, got.size);
                }
            }
            (Err(got), Err(want)) => {
                // What is left is the caller's to remove: only the
                // reason has to match.
                assert_eq!(got.to_string(), want.to_string());
            }
            (got, want) => panic!("unpacked: {got:?}\nthe reference: {want:?}"),
        }
    });
}
