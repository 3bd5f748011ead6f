//! Tar-split: what it takes to give a layer's tar stream back byte for byte
//! after it has been unpacked, without keeping a second copy of its data.
//!
//! While a layer is unpacked, a [`Recorder`] sees every byte the tar parser
//! consumes. Bytes that became the content of a regular file are replaced by
//! a reference to that file; everything else (headers, PAX records, padding,
//! the end-of-archive blocks) is kept verbatim. [`LayerTar`] replays the
//! record against the unpacked directory, so `sha256(stream) == diff ID` and
//! a push or save sends the layer exactly as it was pulled, keeping image
//! IDs stable (as containers/storage does with its tar-split files).
//!
//! Contract:
//! - A record is only written for a layer it can reproduce. A layer that
//!   replaced or removed one of its own files after writing it (a tar listing
//!   the same name twice) makes [`Recorder::finish`] report failure, and the
//!   layer is stored without a record.
//! - [`LayerTar`] hashes what it returns and fails with an error at the end
//!   instead of reporting a clean EOF if the result is not the diff ID, so a
//!   layer changed on disk is never exported as if it were intact. File
//!   references are resolved below the layer directory without following
//!   symlinks.
//!
//! File format (`layers/<hex>.tarsplit`): the magic line, then records:
//! `R <u32 len> <bytes>` (verbatim), `F <u64 size> <u32 len> <path>` (the
//! first `size` bytes of the file at that clean relative path) and `E`.

use rsp_base::text::shown;
use std::cell::RefCell;
use std::collections::HashSet;
use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use nix::fcntl::{AT_FDCWD, OFlag, openat};
use nix::sys::stat::Mode;
use sha2::{Digest, Sha256};

use super::walk;

const MAGIC: &[u8] = b"rsp-tarsplit 1\n";
/// Verbatim bytes are flushed in records of at most this size.
const RAW_CHUNK: usize = 1 << 20;

/// Records a tar stream as it is unpacked; shared between the reader that
/// sees the bytes and the unpacker that knows which bytes are file content.
pub(crate) struct Recorder {
    out: BufWriter<File>,
    /// Bytes of the stream seen so far.
    pos: u64,
    raw: Vec<u8>,
    /// File content being read now: its end offset, size and path.
    payload: Option<(u64, u64, Vec<u8>)>,
    /// Paths recorded by reference, to notice a later entry replacing one.
    files: HashSet<PathBuf>,
    /// Why the record cannot reproduce the stream, once known.
    broken: bool,
    error: Option<io::Error>,
}

pub(crate) type SharedRecorder = Rc<RefCell<Recorder>>;

impl Recorder {
    pub(crate) fn create(path: &Path) -> io::Result<SharedRecorder> {
        let mut out = BufWriter::with_capacity(256 * 1024, File::create(path)?);
        out.write_all(MAGIC)?;
        Ok(Rc::new(RefCell::new(Recorder {
            out,
            pos: 0,
            raw: Vec::with_capacity(64 * 1024),
            payload: None,
            files: HashSet::new(),
            broken: false,
            error: None,
        })))
    }

    fn write(&mut self, data: &[u8]) {
        if self.error.is_none()
            && let Err(e) = self.out.write_all(data)
        {
            self.error = Some(e);
        }
    }

    fn flush_raw(&mut self) {
        if self.raw.is_empty() {
            return;
        }
        let raw = std::mem::take(&mut self.raw);
        self.write(b"R");
        self.write(&(raw.len() as u32).to_le_bytes());
        self.write(&raw);
        self.raw = raw;
        self.raw.clear();
    }

    /// The parser consumed `data`, the next bytes of the stream.
    pub(crate) fn consumed(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            match &self.payload {
                Some((end, size, _)) => {
                    let (end, size) = (*end, *size);
                    let take = (end - self.pos).min(data.len() as u64) as usize;
                    self.pos += take as u64;
                    data = &data[take..];
                    if self.pos == end
                        && let Some((_, _, path)) = self.payload.take()
                    {
                        self.write(b"F");
                        self.write(&size.to_le_bytes());
                        self.write(&(path.len() as u32).to_le_bytes());
                        self.write(&path);
                    }
                }
                None => {
                    self.raw.extend_from_slice(data);
                    self.pos += data.len() as u64;
                    data = &[];
                    if self.raw.len() >= RAW_CHUNK {
                        self.flush_raw();
                    }
                }
            }
        }
    }

    /// The next `size` bytes, starting at `start`, are the content of the
    /// regular file `clean` (relative to the layer root).
    pub(crate) fn file_content(&mut self, start: u64, size: u64, clean: &Path) {
        if size == 0 || self.broken {
            return;
        }
        if start != self.pos || self.payload.is_some() {
            // The parser read ahead: the content stays verbatim.
            return;
        }
        self.flush_raw();
        self.payload = Some((start + size, size, clean.as_os_str().as_bytes().to_vec()));
        self.files.insert(clean.to_path_buf());
    }

    /// An existing entry at `clean` (a whole tree if `tree`) is about to be
    /// removed or replaced.
    pub(crate) fn replacing(&mut self, clean: &Path, tree: bool) {
        if self.broken || self.files.is_empty() {
            return;
        }
        let hit = if tree {
            self.files.iter().any(|f| f.starts_with(clean))
        } else {
            self.files.contains(clean)
        };
        self.broken |= hit;
    }

    /// Ends the record; `Ok(false)` if it cannot reproduce the stream.
    pub(crate) fn finish(&mut self) -> io::Result<bool> {
        self.flush_raw();
        self.write(b"E");
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.flush()?;
        self.out.get_ref().sync_data()?;
        Ok(!self.broken && self.payload.is_none())
    }
}

/// Why a recorded layer could not be replayed.
fn corrupt(split: &Path, what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("{}: {what}", split.display()),
    )
}

enum Segment {
    None,
    Raw(u64),
    File(File, u64),
}

/// A stored layer's tar stream, replayed from its record and directory.
pub struct LayerTar {
    split: BufReader<File>,
    split_path: PathBuf,
    root: OwnedFd,
    diff_id: String,
    current: Segment,
    hasher: Sha256,
    done: bool,
}

impl LayerTar {
    /// Opens the record `split` of the layer unpacked at `dir`.
    pub fn open(split: &Path, dir: &Path, diff_id: &str) -> io::Result<LayerTar> {
        let mut reader = BufReader::with_capacity(256 * 1024, File::open(split)?);
        let mut magic = [0; MAGIC.len()];
        reader
            .read_exact(&mut magic)
            .map_err(|_| corrupt(split, "not a tar-split record"))?;
        if magic != MAGIC {
            return Err(corrupt(split, "not a tar-split record"));
        }
        let root = openat(
            AT_FDCWD,
            dir,
            OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )?;
        Ok(LayerTar {
            split: reader,
            split_path: split.to_path_buf(),
            root,
            diff_id: diff_id.to_string(),
            current: Segment::None,
            hasher: Sha256::new(),
            done: false,
        })
    }

    fn read_u32(&mut self) -> io::Result<u32> {
        let mut b = [0; 4];
        self.split.read_exact(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn open_file(&self, path: &[u8]) -> io::Result<File> {
        let path = Path::new(OsStr::from_bytes(path));
        let bad = || corrupt(&self.split_path, "a file reference leaves the layer");
        if path.is_absolute()
            || path
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            return Err(bad());
        }
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return Err(bad());
        };
        let dir = walk::walk_dirs(self.root.as_fd(), parent, false).map_err(|e| {
            io::Error::other(format!(
                "layer {}: {} cannot be opened ({}): the layer was changed on disk",
                self.diff_id,
                shown(path),
                shown(&e.component)
            ))
        })?;
        let fd = openat(
            &dir,
            name,
            OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| {
            io::Error::other(format!(
                "layer {}: opening {}: {e}: the layer was changed on disk",
                self.diff_id,
                shown(path)
            ))
        })?;
        Ok(File::from(fd))
    }

    /// Moves to the next record; false at the end.
    fn next_segment(&mut self) -> io::Result<bool> {
        let mut tag = [0; 1];
        self.split
            .read_exact(&mut tag)
            .map_err(|_| corrupt(&self.split_path, "record ends early"))?;
        match tag[0] {
            b'R' => {
                let len = self.read_u32()?;
                self.current = Segment::Raw(len as u64);
            }
            b'F' => {
                let mut b = [0; 8];
                self.split.read_exact(&mut b)?;
                let size = u64::from_le_bytes(b);
                let len = self.read_u32()? as usize;
                if len > libc::PATH_MAX as usize {
                    return Err(corrupt(&self.split_path, "file reference too long"));
                }
                let mut path = vec![0; len];
                self.split.read_exact(&mut path)?;
                let file = self.open_file(&path)?;
                // A file that grew would replay its first `size` bytes and
                // pass: its length must be the recorded one too.
                if file.metadata()?.len() != size {
                    return Err(io::Error::other(format!(
                        "layer {}: a file's size is not the one it was unpacked with: the layer \
                         was changed on disk",
                        self.diff_id
                    )));
                }
                self.current = Segment::File(file, size);
            }
            b'E' => return Ok(false),
            _ => return Err(corrupt(&self.split_path, "unknown record")),
        }
        Ok(true)
    }

    fn finish(&mut self) -> io::Result<()> {
        self.done = true;
        let actual = format!("sha256:{}", hex::encode(self.hasher.finalize_reset()));
        if actual != self.diff_id {
            return Err(io::Error::other(format!(
                "layer {} no longer reproduces its digest (got {actual}): the layer was changed \
                 on disk; remove the image and pull or load it again",
                self.diff_id
            )));
        }
        Ok(())
    }
}

impl Read for LayerTar {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.done {
                return Ok(0);
            }
            let n = match &mut self.current {
                Segment::None => {
                    if !self.next_segment()? {
                        self.finish()?;
                        return Ok(0);
                    }
                    continue;
                }
                Segment::Raw(left) => {
                    let want = (*left).min(buf.len() as u64) as usize;
                    let n = self.split.read(&mut buf[..want])?;
                    if n == 0 {
                        return Err(corrupt(&self.split_path, "record ends early"));
                    }
                    *left -= n as u64;
                    if *left == 0 {
                        self.current = Segment::None;
                    }
                    n
                }
                Segment::File(file, left) => {
                    let want = (*left).min(buf.len() as u64) as usize;
                    let n = file.read(&mut buf[..want])?;
                    if n == 0 {
                        return Err(io::Error::other(format!(
                            "layer {}: a file is shorter than when it was unpacked: the layer \
                             was changed on disk",
                            self.diff_id
                        )));
                    }
                    *left -= n as u64;
                    if *left == 0 {
                        self.current = Segment::None;
                    }
                    n
                }
            };
            self.hasher.update(&buf[..n]);
            return Ok(n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testtar::{Spec, Tar};
    use super::super::unpack::unpack_layer_recorded;
    use super::*;
    use tar::EntryType;

    /// Unpacks `tar` with a record and returns (dir, split, stats).
    fn record(
        tar: &[u8],
    ) -> (
        tempfile::TempDir,
        PathBuf,
        super::super::unpack::UnpackStats,
    ) {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("layer");
        std::fs::create_dir(&dest).unwrap();
        let split = d.path().join("layer.tarsplit");
        let stats = unpack_layer_recorded(tar, &dest, &split).unwrap();
        (d, split, stats)
    }

    fn replay(d: &tempfile::TempDir, split: &Path, diff_id: &str) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        LayerTar::open(split, &d.path().join("layer"), diff_id)?.read_to_end(&mut out)?;
        Ok(out)
    }

    fn sample() -> Vec<u8> {
        let long = format!("dir/{}/file", "n".repeat(200));
        let big: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut t = Tar::new();
        t.dir("dir")
            .file("dir/a", b"hello")
            .file("dir/empty", b"")
            .pax(&[("path", long.as_bytes())])
            .file("placeholder", b"long name")
            .file("big", &big)
            .symlink("dir/link", "../big")
            .hardlink("dir/hard", "dir/a")
            .pax(&[("SCHILY.xattr.user.k", b"v")])
            .add(Spec {
                mode: 0o4755,
                uid: 33,
                data: b"owned",
                ..Spec::new(EntryType::Regular, "dir/owned")
            })
            .add(Spec::new(EntryType::Fifo, "fifo"))
            .file("dir/.wh.gone", b"");
        t.finish()
    }

    #[test]
    fn replays_the_stream_byte_for_byte() {
        let tar = sample();
        let (d, split, stats) = record(&tar);
        assert!(stats.recorded);
        assert_eq!(replay(&d, &split, &stats.diff_id).unwrap(), tar);
        // File contents are referenced, not copied.
        assert!(std::fs::metadata(&split).unwrap().len() < 64 * 1024);
    }

    #[test]
    fn compressed_layers_replay_uncompressed() {
        let tar = sample();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        let (d, split, stats) = record(&gz.finish().unwrap());
        assert_eq!(replay(&d, &split, &stats.diff_id).unwrap(), tar);
    }

    #[test]
    fn a_file_replaced_in_its_own_layer_is_not_recorded() {
        let mut t = Tar::new();
        t.file("a", b"first").file("a", b"second");
        let (_d, split, stats) = record(&t.finish());
        assert!(!stats.recorded);
        assert!(!split.exists());

        let mut t = Tar::new();
        t.dir("d").file("d/x", b"1").file("d", b"now a file");
        let (_d, _, stats) = record(&t.finish());
        assert!(!stats.recorded);
    }

    #[test]
    fn a_layer_changed_on_disk_fails_at_the_end() {
        let tar = sample();
        let (d, split, stats) = record(&tar);
        std::fs::write(d.path().join("layer/dir/a"), b"HELLO").unwrap();
        let err = replay(&d, &split, &stats.diff_id).unwrap_err();
        assert!(err.to_string().contains("changed on disk"), "{err}");

        std::fs::write(d.path().join("layer/dir/a"), b"hi").unwrap();
        let err = replay(&d, &split, &stats.diff_id).unwrap_err();
        assert!(err.to_string().contains("changed on disk"), "{err}");

        // Grown: its first bytes are the same, its length is not.
        let (d2, split2, stats2) = record(&tar);
        let mut grown = std::fs::read(d2.path().join("layer/dir/a")).unwrap();
        grown.extend_from_slice(b" and more");
        std::fs::write(d2.path().join("layer/dir/a"), grown).unwrap();
        let err = replay(&d2, &split2, &stats2.diff_id).unwrap_err();
        assert!(err.to_string().contains("size is not the one"), "{err}");

        std::fs::remove_file(d.path().join("layer/dir/a")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", d.path().join("layer/dir/a")).unwrap();
        assert!(replay(&d, &split, &stats.diff_id).is_err());
    }

    #[test]
    fn hostile_records_are_refused() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("layer")).unwrap();
        std::fs::write(d.path().join("secret"), b"host file").unwrap();
        for path in [&b"../secret"[..], b"/etc/passwd", b"a/../../secret"] {
            let mut rec = MAGIC.to_vec();
            rec.push(b'F');
            rec.extend_from_slice(&9u64.to_le_bytes());
            rec.extend_from_slice(&(path.len() as u32).to_le_bytes());
            rec.extend_from_slice(path);
            rec.push(b'E');
            let split = d.path().join("layer.tarsplit");
            std::fs::write(&split, rec).unwrap();
            let err = replay(&d, &split, &format!("sha256:{}", "0".repeat(64))).unwrap_err();
            assert!(err.to_string().contains("leaves the layer"), "{err}");
        }
        let split = d.path().join("layer.tarsplit");
        std::fs::write(&split, b"garbage").unwrap();
        assert!(replay(&d, &split, "sha256:x").is_err());
        let mut rec = MAGIC.to_vec();
        rec.extend_from_slice(b"R\xff\xff\xff\x00abc");
        std::fs::write(&split, rec).unwrap();
        assert!(replay(&d, &split, "sha256:x").is_err());
    }
}

#[cfg(test)]
mod gnu_tar_tests {
    use super::*;
    use rsp_base::testing::require_or_skip;

    /// Tars made by GNU tar in its own formats, long names, hard links and
    /// sparse files included, replay exactly.
    #[test]
    fn gnu_tar_archives_replay_exactly() {
        let status = std::process::Command::new("tar").arg("--version").output();
        if !require_or_skip("tar", "apt-get install tar", status.is_ok()) {
            return;
        }
        assert!(status.unwrap().status.success());
        let d = tempfile::tempdir().unwrap();
        let src = d.path().join("src");
        let deep = src.join("a".repeat(120)).join("b".repeat(120));
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(deep.join("c".repeat(100)), b"deep").unwrap();
        std::fs::write(src.join("f"), vec![7u8; 100_000]).unwrap();
        std::fs::hard_link(src.join("f"), src.join("f2")).unwrap();
        std::os::unix::fs::symlink("x".repeat(200), src.join("l")).unwrap();
        let sparse = File::create(src.join("sparse")).unwrap();
        sparse.set_len(10 << 20).unwrap();
        (&sparse).write_all(b"data at the start").unwrap();
        for format in ["gnu", "posix", "ustar", "v7"] {
            let out = d.path().join(format!("{format}.tar"));
            let ok = std::process::Command::new("tar")
                .args(["-S", "--format", format, "-cf"])
                .arg(&out)
                .arg("-C")
                .arg(&src)
                .arg(".")
                .status()
                .unwrap();
            if !ok.success() {
                // ustar and v7 cannot hold the long names.
                continue;
            }
            let tar = std::fs::read(&out).unwrap();
            let dest = d.path().join(format!("{format}-layer"));
            std::fs::create_dir(&dest).unwrap();
            let split = dest.with_extension("tarsplit");
            let stats = super::super::unpack::unpack_layer_recorded(&tar[..], &dest, &split)
                .unwrap_or_else(|e| panic!("{format}: {e}"));
            assert!(stats.recorded, "{format}");
            let mut back = Vec::new();
            LayerTar::open(&split, &dest, &stats.diff_id)
                .unwrap()
                .read_to_end(&mut back)
                .unwrap_or_else(|e| panic!("{format}: {e}"));
            assert!(back == tar, "{format}: replay differs");
        }
    }
}
