//! Image archives: `save` writes stored images as a docker-archive (what
//! `docker save` / `podman save` write), an oci-archive or an OCI layout
//! directory; `load` reads all three, whole or gzip/zstd-compressed,
//! including archives made by Docker, Podman and skopeo.
//!
//! Contract of [`save`]: layers are the stored layers' exact tar streams
//! ([`Store::layer_tar`]), uncompressed, so their digests are the diff IDs
//! and the image IDs survive a round trip; a layer whose replay fails its
//! digest check fails the save. The caller writes to a temporary file and
//! renames it, so no half archive is left under the name asked for.
//!
//! Contract of [`load`]: the archive is untrusted. Every path it names is
//! looked up in its own table of contents (never joined to a host path),
//! every digest is checked for form before it names anything, blob digests
//! are checked against their content, and each layer's unpacked diff ID
//! against the image config. Layers are unpacked in parallel, each put in
//! place only when complete and verified; image records are written last,
//! under the store lock, so a failed or killed load adds no image.

use rsp_base::text::shown;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use rsp_image::config::ImageConfig;
use rsp_image::local::{self, LocalImageError, OCI_MANIFEST};
use rsp_image::reference::Reference;
use rsp_storage::unpack::{UnpackError, UnpackStats};
use rsp_storage::{ImageRecord, Store, StoreError, digest_hex, sha256_digest};

/// Largest JSON document (manifest, index, config) read from an archive.
const MAX_JSON: u64 = 32 << 20;
/// Largest number of entries indexed in an archive.
const MAX_ENTRIES: usize = 1 << 20;
/// Symlinks followed in a row inside an archive.
const MAX_LINKS: usize = 8;
/// Layers unpacked at once.
const UNPACKERS: usize = 3;
const IO_BUF: usize = 1 << 20;
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const OCI_LAYOUT: &str = r#"{"imageLayoutVersion":"1.0.0"}"#;
const REF_NAME: &str = "org.opencontainers.image.ref.name";
const CONTAINERD_NAME: &str = "io.containerd.image.name";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveFormat {
    DockerArchive,
    OciArchive,
    OciDir,
}

impl ArchiveFormat {
    pub fn parse(s: &str) -> Option<ArchiveFormat> {
        match s {
            "docker-archive" => Some(Self::DockerArchive),
            "oci-archive" => Some(Self::OciArchive),
            "oci-dir" => Some(Self::OciDir),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Local(#[from] LocalImageError),
    #[error("writing the archive: {0}")]
    Write(io::Error),
    #[error("reading {archive}: {source}")]
    Read { archive: String, source: io::Error },
    #[error(
        "{archive} is not an image archive ({}): give a docker-archive, an oci-archive or an \
         OCI layout directory, plain or gzip/zstd-compressed",
        shown(.reason)
    )]
    NotAnArchive { archive: String, reason: String },
    #[error(
        "{archive}: {:?} is listed but not in the archive: the archive is incomplete",
        shown(.entry)
    )]
    Missing { archive: String, entry: String },
    #[error("{archive}: refusing the path {:?}: it leaves the archive", shown(.entry))]
    HostilePath { archive: String, entry: String },
    #[error("{archive}: {} is not valid: {}", shown(.entry), shown(.reason))]
    BadDocument {
        archive: String,
        entry: String,
        reason: String,
    },
    #[error(
        "{archive}: {} does not match its digest {expected} (it is {actual}): the archive is \
         corrupt",
        shown(.entry)
    )]
    DigestMismatch {
        archive: String,
        entry: String,
        expected: String,
        actual: String,
    },
    #[error(
        "{archive}: layer {} unpacks to {actual}, but the image config says {expected}: the \
         archive is corrupt",
        shown(.entry)
    )]
    DiffIdMismatch {
        archive: String,
        entry: String,
        expected: String,
        actual: String,
    },
    #[error("{archive}: unpacking layer {}: {source}", shown(.entry))]
    Unpack {
        archive: String,
        entry: String,
        source: UnpackError,
    },
    #[error("{archive} holds no image")]
    Empty { archive: String },
    #[error("{:?} in {archive} is not a valid image name: {}", shown(.name), shown(.reason))]
    BadName {
        archive: String,
        name: String,
        reason: String,
    },
    #[error("layer {0} has no recorded size: remove the image and pull or load it again")]
    NoSize(String),
}

type Result<T, E = ArchiveError> = std::result::Result<T, E>;

// ---------------------------------------------------------------- saving

/// One image to save, with the names to record for it.
pub struct SaveItem {
    pub record: ImageRecord,
    pub names: Vec<String>,
}

/// Where the entries of an OCI layout or docker-archive go.
trait Sink {
    fn add(&mut self, path: &str, size: u64, data: &mut dyn Read) -> io::Result<()>;
    fn add_bytes(&mut self, path: &str, data: &[u8]) -> io::Result<()> {
        self.add(path, data.len() as u64, &mut &data[..])
    }
}

/// A tar stream; entries belong to `owner`.
struct TarSink<W: Write> {
    tar: tar::Builder<W>,
    owner: (u32, u32),
    dirs: HashSet<String>,
}

impl<W: Write> TarSink<W> {
    fn header(
        &self,
        path: &str,
        kind: tar::EntryType,
        mode: u32,
        size: u64,
    ) -> io::Result<tar::Header> {
        let mut h = tar::Header::new_ustar();
        h.set_path(path)?;
        h.set_size(size);
        h.set_mode(mode);
        h.set_uid(self.owner.0.into());
        h.set_gid(self.owner.1.into());
        h.set_mtime(0);
        h.set_entry_type(kind);
        h.set_cksum();
        Ok(h)
    }
}

impl<W: Write> Sink for TarSink<W> {
    fn add(&mut self, path: &str, size: u64, data: &mut dyn Read) -> io::Result<()> {
        // Parent directories first, as tools that extract the archive
        // (skopeo's oci-archive reader) expect.
        let mut parent = String::new();
        for part in path
            .split('/')
            .collect::<Vec<_>>()
            .split_last()
            .map(|(_, p)| p)
            .unwrap_or(&[])
        {
            parent.push_str(part);
            parent.push('/');
            if self.dirs.insert(parent.clone()) {
                let h = self.header(&parent, tar::EntryType::Directory, 0o755, 0)?;
                self.tar.append(&h, io::empty())?;
            }
        }
        let h = self.header(path, tar::EntryType::Regular, 0o644, size)?;
        self.tar.append(&h, Exact::new(data, size))
    }
}

struct DirSink(PathBuf);

impl Sink for DirSink {
    fn add(&mut self, path: &str, size: u64, data: &mut dyn Read) -> io::Result<()> {
        let dest = self.0.join(path);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut out = BufWriter::with_capacity(IO_BUF, File::create(&dest)?);
        io::copy(&mut Exact::new(data, size), &mut out)?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()
    }
}

/// Passes on exactly `size` bytes, then reads the source to its end, so a
/// [`rsp_storage::tarsplit::LayerTar`] checks its digest, and fails if
/// the source is shorter or longer.
struct Exact<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Exact<R> {
    fn new(inner: R, size: u64) -> Self {
        Exact { inner, left: size }
    }
}

impl<R: Read> Read for Exact<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(io::Error::other("a layer is longer than its recorded size")),
            };
        }
        let want = buf.len().min(self.left.min(usize::MAX as u64) as usize);
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::other(
                "a layer is shorter than its recorded size",
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// Writes `items` as `format` into `out` (an archive stream).
pub fn save(
    store: &Store,
    items: &[SaveItem],
    format: ArchiveFormat,
    out: impl Write,
) -> Result<()> {
    // Docker writes root's entries; an oci-archive is extracted by its
    // readers (skopeo), which then chown to the owner recorded: the user's
    // own ids work rootless, as Podman's archives have them.
    let owner = match format {
        ArchiveFormat::DockerArchive => (0, 0),
        _ => (
            nix::unistd::geteuid().as_raw(),
            nix::unistd::getegid().as_raw(),
        ),
    };
    let mut sink = TarSink {
        tar: tar::Builder::new(BufWriter::with_capacity(IO_BUF, out)),
        owner,
        dirs: HashSet::new(),
    };
    match format {
        ArchiveFormat::DockerArchive => write_docker(store, items, &mut sink)?,
        ArchiveFormat::OciArchive | ArchiveFormat::OciDir => write_oci(store, items, &mut sink)?,
    }
    let inner = sink.tar.into_inner().map_err(ArchiveError::Write)?;
    inner
        .into_inner()
        .map_err(|e| ArchiveError::Write(e.into_error()))?
        .flush()
        .map_err(ArchiveError::Write)
}

/// Writes `items` as an OCI layout into the existing empty directory `dir`.
pub fn save_dir(store: &Store, items: &[SaveItem], dir: &Path) -> Result<()> {
    write_oci(store, items, &mut DirSink(dir.to_path_buf()))
}

fn config_bytes(store: &Store, rec: &ImageRecord) -> Result<Vec<u8>> {
    Ok(store.get_blob(&format!("sha256:{}", rec.id))?)
}

/// Writes each distinct layer of `items` once, as `path(hex)`.
fn write_layers(
    store: &Store,
    items: &[SaveItem],
    sink: &mut dyn Sink,
    path: impl Fn(&str) -> String,
) -> Result<()> {
    let mut written = HashSet::new();
    for item in items {
        for diff_id in &item.record.layers {
            let hex = digest_hex(diff_id)?;
            if !written.insert(hex.to_string()) {
                continue;
            }
            let size = store.layer_size(diff_id);
            if size == 0 {
                return Err(ArchiveError::NoSize(diff_id.clone()));
            }
            let mut tar = store.layer_tar(diff_id)?;
            sink.add(&path(hex), size, &mut tar)
                .map_err(ArchiveError::Write)?;
        }
    }
    Ok(())
}

fn write_docker(store: &Store, items: &[SaveItem], sink: &mut dyn Sink) -> Result<()> {
    write_layers(store, items, sink, |hex| format!("{hex}.tar"))?;
    let mut manifest = Vec::new();
    let mut repositories: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut configs = HashSet::new();
    for item in items {
        let rec = &item.record;
        if configs.insert(rec.id.clone()) {
            sink.add_bytes(&format!("{}.json", rec.id), &config_bytes(store, rec)?)
                .map_err(ArchiveError::Write)?;
        }
        let layers: Vec<String> = rec
            .layers
            .iter()
            .map(|d| Ok(format!("{}.tar", digest_hex(d)?)))
            .collect::<Result<_>>()?;
        if let Some(top) = rec.layers.last() {
            let top = digest_hex(top)?.to_string();
            for n in &item.names {
                let (repo, tag) = rsp_image::split_name(n);
                repositories
                    .entry(repo.to_string())
                    .or_default()
                    .insert(tag.to_string(), top.clone());
            }
        }
        manifest.push(json!({
            "Config": format!("{}.json", rec.id),
            "RepoTags": item.names,
            "Layers": layers,
        }));
    }
    let manifest = serde_json::to_vec(&manifest).expect("JSON serializes");
    sink.add_bytes("manifest.json", &manifest)
        .map_err(ArchiveError::Write)?;
    let repositories = serde_json::to_vec(&repositories).expect("JSON serializes");
    sink.add_bytes("repositories", &repositories)
        .map_err(ArchiveError::Write)
}

fn write_oci(store: &Store, items: &[SaveItem], sink: &mut dyn Sink) -> Result<()> {
    sink.add_bytes("oci-layout", OCI_LAYOUT.as_bytes())
        .map_err(ArchiveError::Write)?;
    write_layers(store, items, sink, |hex| format!("blobs/sha256/{hex}"))?;
    let mut written = HashSet::new();
    let mut manifests = Vec::new();
    for item in items {
        let config = config_bytes(store, &item.record)?;
        let manifest = local::manifest_for(store, &config)?;
        let manifest_digest = sha256_digest(&manifest);
        for (digest, data) in [
            (format!("sha256:{}", item.record.id), &config),
            (manifest_digest.clone(), &manifest),
        ] {
            let hex = digest_hex(&digest)?.to_string();
            if written.insert(hex.clone()) {
                sink.add_bytes(&format!("blobs/sha256/{hex}"), data)
                    .map_err(ArchiveError::Write)?;
            }
        }
        let names: Vec<Option<&String>> = if item.names.is_empty() {
            vec![None]
        } else {
            item.names.iter().map(Some).collect()
        };
        for name in names {
            let mut desc = json!({
                "mediaType": OCI_MANIFEST,
                "digest": manifest_digest,
                "size": manifest.len(),
            });
            if let Some(n) = name {
                desc["annotations"] = json!({ REF_NAME: n, CONTAINERD_NAME: n });
            }
            manifests.push(desc);
        }
    }
    let index = json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": manifests,
    });
    sink.add_bytes(
        "index.json",
        &serde_json::to_vec(&index).expect("JSON serializes"),
    )
    .map_err(ArchiveError::Write)
}

// --------------------------------------------------------------- loading

/// An image that [`load`] added.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub id: String,
    pub names: Vec<String>,
}

/// Where the archive's entries live: a tar file (indexed) or a directory.
enum Source {
    Tar {
        file: File,
        entries: HashMap<String, TarEntry>,
    },
    Dir(PathBuf),
}

#[derive(Debug, Clone)]
enum TarEntry {
    File { offset: u64, size: u64 },
    Link(String),
    Symlink(String),
    Other,
}

/// Cleans an archive path: `./a//b/` -> `a/b`; `None` if it leaves the
/// archive (absolute or `..`).
fn clean(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    if path.starts_with('/') {
        return None;
    }
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => return None,
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Reads `size` bytes at `offset` of a shared file.
struct RangeReader<'a> {
    file: &'a File,
    offset: u64,
    left: u64,
}

impl Read for RangeReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = buf.len().min(self.left.min(usize::MAX as u64) as usize);
        if want == 0 {
            return Ok(0);
        }
        let n = self.file.read_at(&mut buf[..want], self.offset)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the archive ends inside an entry",
            ));
        }
        self.offset += n as u64;
        self.left -= n as u64;
        Ok(n)
    }
}

impl Source {
    fn index(file: File, archive: &str) -> Result<Source> {
        let not_archive = |reason: String| ArchiveError::NotAnArchive {
            archive: archive.to_string(),
            reason,
        };
        let mut entries = HashMap::new();
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        {
            let mut tar = tar::Archive::new(&file);
            let iter = tar
                .entries_with_seek()
                .map_err(|e| not_archive(e.to_string()))?;
            for entry in iter {
                let entry = entry.map_err(|e| not_archive(e.to_string()))?;
                if entries.len() >= MAX_ENTRIES {
                    return Err(not_archive(format!("more than {MAX_ENTRIES} entries")));
                }
                let Some(name) = clean(&String::from_utf8_lossy(&entry.path_bytes())) else {
                    continue;
                };
                let link = || {
                    entry
                        .link_name_bytes()
                        .map(|l| String::from_utf8_lossy(&l).into_owned())
                        .unwrap_or_default()
                };
                let e = match entry.header().entry_type() {
                    tar::EntryType::Regular | tar::EntryType::Continuous => {
                        let (offset, size) = (entry.raw_file_position(), entry.size());
                        if offset.saturating_add(size) > len {
                            return Err(not_archive(format!("{name} is cut short")));
                        }
                        TarEntry::File { offset, size }
                    }
                    tar::EntryType::Link => TarEntry::Link(link()),
                    tar::EntryType::Symlink => TarEntry::Symlink(link()),
                    _ => TarEntry::Other,
                };
                entries.insert(name, e);
            }
        }
        if entries.is_empty() {
            return Err(not_archive("no entries".into()));
        }
        Ok(Source::Tar { file, entries })
    }

    fn exists(&self, path: &str) -> bool {
        match self {
            Source::Tar { entries, .. } => entries.contains_key(path),
            Source::Dir(d) => d.join(path).exists(),
        }
    }

    /// Opens entry `path` (as the archive names it); returns a reader and
    /// its size.
    fn open(&self, archive: &str, path: &str) -> Result<(Box<dyn Read + Send + '_>, u64)> {
        let hostile = || ArchiveError::HostilePath {
            archive: archive.to_string(),
            entry: path.to_string(),
        };
        let missing = |p: &str| ArchiveError::Missing {
            archive: archive.to_string(),
            entry: p.to_string(),
        };
        let mut name = clean(path).ok_or_else(hostile)?;
        match self {
            Source::Dir(dir) => {
                // Names come from the archive's own manifests: resolved
                // beneath the directory with no symlink anywhere on the
                // way (a symlinked parent would lead out of it too).
                use nix::fcntl::{OFlag, OpenHow, ResolveFlag};
                let read = |source: std::io::Error| ArchiveError::Read {
                    archive: archive.to_string(),
                    source,
                };
                let root = nix::fcntl::open(
                    dir.as_path(),
                    OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
                    nix::sys::stat::Mode::empty(),
                )
                .map_err(|e| read(e.into()))?;
                let how = OpenHow::new()
                    .flags(OFlag::O_RDONLY | OFlag::O_CLOEXEC | OFlag::O_NOFOLLOW)
                    .resolve(
                        ResolveFlag::RESOLVE_BENEATH
                            | ResolveFlag::RESOLVE_NO_SYMLINKS
                            | ResolveFlag::RESOLVE_NO_MAGICLINKS,
                    );
                let fd = match nix::fcntl::openat2(&root, name.as_str(), how) {
                    Ok(fd) => fd,
                    Err(nix::Error::ENOENT) => return Err(missing(&name)),
                    Err(nix::Error::ELOOP | nix::Error::EXDEV) => return Err(hostile()),
                    Err(e) => return Err(read(e.into())),
                };
                let f = File::from(fd);
                let meta = f.metadata().map_err(read)?;
                if !meta.is_file() {
                    return Err(hostile());
                }
                Ok((Box::new(f), meta.len()))
            }
            Source::Tar { file, entries } => {
                for _ in 0..MAX_LINKS {
                    match entries.get(&name) {
                        Some(TarEntry::File { offset, size }) => {
                            let r = RangeReader {
                                file,
                                offset: *offset,
                                left: *size,
                            };
                            return Ok((Box::new(r), *size));
                        }
                        Some(TarEntry::Link(target)) => {
                            name = clean(target).ok_or_else(hostile)?;
                        }
                        Some(TarEntry::Symlink(target)) => {
                            let base = name.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
                            let joined = if target.starts_with('/') {
                                return Err(hostile());
                            } else {
                                format!("{base}/{target}")
                            };
                            name = resolve_dots(&joined).ok_or_else(hostile)?;
                        }
                        Some(TarEntry::Other) | None => return Err(missing(&name)),
                    }
                }
                Err(hostile())
            }
        }
    }

    /// Reads a small JSON document.
    fn json(&self, archive: &str, path: &str) -> Result<(Vec<u8>, Value)> {
        let (mut r, size) = self.open(archive, path)?;
        let bad = |reason: String| ArchiveError::BadDocument {
            archive: archive.to_string(),
            entry: path.to_string(),
            reason,
        };
        if size > MAX_JSON {
            return Err(bad(format!("{size} bytes is too large")));
        }
        let mut data = Vec::with_capacity(size as usize);
        r.read_to_end(&mut data)
            .map_err(|source| ArchiveError::Read {
                archive: archive.to_string(),
                source,
            })?;
        let value = serde_json::from_slice(&data).map_err(|e| bad(e.to_string()))?;
        Ok((data, value))
    }
}

/// Resolves `..` in a relative path lexically, refusing to climb above the
/// archive root.
fn resolve_dots(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// One layer to bring in: where it is and what it must be.
struct LayerJob {
    entry: String,
    diff_id: String,
    /// The blob digest (OCI), checked as the layer streams.
    blob_digest: Option<String>,
}

/// One image of the archive: its config and the names to give it.
struct ImageJob {
    config: Vec<u8>,
    names: Vec<String>,
    layers: Vec<LayerJob>,
}

/// Loads every image of the archive at `path` (a file or an OCI layout
/// directory) or, with `None`, of standard input.
pub fn load(store: &Store, path: Option<&Path>) -> Result<Vec<Loaded>> {
    let archive = path
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "standard input".to_string());
    let read_err = |source| ArchiveError::Read {
        archive: archive.clone(),
        source,
    };
    store.clean_temp();
    let mut spooled = None;
    let source = match path {
        Some(p) if p.is_dir() => Source::Dir(p.to_path_buf()),
        _ => {
            let input: Box<dyn Read> = match path {
                Some(p) => Box::new(File::open(p).map_err(read_err)?),
                None => Box::new(io::stdin().lock()),
            };
            let (file, tmp) = seekable_tar(store, path, input).map_err(read_err)?;
            spooled = tmp;
            Source::index(file, &archive)?
        }
    };
    let result = load_from(store, &source, &archive);
    if let Some(tmp) = spooled {
        let _ = rsp_storage::remove_tree(&tmp);
    }
    result
}

/// A seekable plain tar of the input: the file itself when it is a plain
/// tar on disk, else a decompressed copy in the store's temp area (whose
/// directory is returned for removal).
fn seekable_tar(
    store: &Store,
    path: Option<&Path>,
    mut input: Box<dyn Read>,
) -> io::Result<(File, Option<PathBuf>)> {
    let mut magic = [0u8; 4];
    let mut got = 0;
    while got < magic.len() {
        match input.read(&mut magic[got..])? {
            0 => break,
            n => got += n,
        }
    }
    let magic = &magic[..got];
    let compressed = magic.starts_with(&[0x1f, 0x8b]) || magic == [0x28, 0xb5, 0x2f, 0xfd];
    if let Some(p) = path
        && !compressed
    {
        let mut f = File::open(p)?;
        if f.seek(SeekFrom::Start(0)).is_ok() && f.metadata()?.is_file() {
            return Ok((f, None));
        }
    }
    let dir = store.temp_dir("load").map_err(io::Error::other)?;
    let spool = dir.join("archive.tar");
    let mut out = File::options()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&spool)?;
    let chained = magic.chain(input);
    let mut reader: Box<dyn Read> = if magic.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::read::MultiGzDecoder::new(
            io::BufReader::with_capacity(IO_BUF, chained),
        ))
    } else if compressed {
        Box::new(zstd::stream::read::Decoder::new(chained)?)
    } else {
        Box::new(chained)
    };
    {
        let mut w = BufWriter::with_capacity(IO_BUF, &mut out);
        io::copy(&mut reader, &mut w)?;
        w.flush()?;
    }
    out.seek(SeekFrom::Start(0))?;
    Ok((out, Some(dir)))
}

fn load_from(store: &Store, source: &Source, archive: &str) -> Result<Vec<Loaded>> {
    let images = if source.exists("manifest.json") {
        docker_images(source, archive)?
    } else if source.exists("index.json") {
        oci_images(source, archive)?
    } else {
        return Err(ArchiveError::NotAnArchive {
            archive: archive.to_string(),
            reason: "it has neither manifest.json nor index.json".into(),
        });
    };
    if images.is_empty() {
        return Err(ArchiveError::Empty {
            archive: archive.to_string(),
        });
    }
    // Each distinct missing layer once, unpacked in parallel.
    let mut seen = HashSet::new();
    let jobs: Vec<&LayerJob> = images
        .iter()
        .flat_map(|i| &i.layers)
        .filter(|l| seen.insert(l.diff_id.clone()) && !store.has_layer(&l.diff_id))
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let first_err: std::sync::Mutex<Option<ArchiveError>> = std::sync::Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..UNPACKERS.min(jobs.len()) {
            s.spawn(|| {
                loop {
                    if first_err.lock().map(|e| e.is_some()).unwrap_or(true) {
                        return;
                    }
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { return };
                    if let Err(e) = load_layer(store, source, archive, job) {
                        if let Ok(mut slot) = first_err.lock() {
                            slot.get_or_insert(e);
                        }
                        return;
                    }
                }
            });
        }
    });
    if let Some(e) = first_err.into_inner().ok().flatten() {
        return Err(e);
    }
    let mut loaded = Vec::new();
    for img in images {
        let rec = local::store_image(store, &img.config, img.names.clone())?;
        loaded.push(Loaded {
            id: rec.id,
            names: img.names,
        });
    }
    Ok(loaded)
}

/// Hashes what passes through, to check a blob's digest.
struct Hashing<R> {
    inner: R,
    hasher: std::rc::Rc<std::cell::RefCell<Sha256>>,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.borrow_mut().update(&buf[..n]);
        Ok(n)
    }
}

/// The digest of an archive entry's content, if it can be read.
fn blob_digest(source: &Source, archive: &str, entry: &str) -> Option<String> {
    let (mut r, _) = source.open(archive, entry).ok()?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; IO_BUF];
    loop {
        match r.read(&mut buf) {
            Ok(0) => return Some(format!("sha256:{}", hex::encode(h.finalize()))),
            Ok(n) => h.update(&buf[..n]),
            Err(_) => return None,
        }
    }
}

/// Unpacks one layer and puts it in place if both its blob digest (OCI)
/// and its diff ID are what the archive promised.
fn load_layer(store: &Store, source: &Source, archive: &str, job: &LayerJob) -> Result<()> {
    let (reader, _) = source.open(archive, &job.entry)?;
    let hasher = std::rc::Rc::new(std::cell::RefCell::new(Sha256::new()));
    let hashing = Hashing {
        inner: reader,
        hasher: hasher.clone(),
    };
    let mismatch = |actual: String, expected: &str| ArchiveError::DigestMismatch {
        archive: archive.to_string(),
        entry: job.entry.clone(),
        expected: expected.to_string(),
        actual,
    };
    store.add_layer(hashing, |unpacked| {
        let stats: UnpackStats = match unpacked {
            Ok(stats) => stats,
            Err(err) => {
                // A corrupt blob usually breaks the tar first: say so
                // rather than report the symptom.
                if let Some(expected) = &job.blob_digest
                    && let Some(actual) = blob_digest(source, archive, &job.entry)
                    && actual != *expected
                {
                    return Err(mismatch(actual, expected));
                }
                return Err(ArchiveError::Unpack {
                    archive: archive.to_string(),
                    entry: job.entry.clone(),
                    source: err,
                });
            }
        };
        if let Some(expected) = &job.blob_digest {
            let actual = format!("sha256:{}", hex::encode(hasher.borrow().clone().finalize()));
            if actual != *expected {
                return Err(mismatch(actual, expected));
            }
        }
        if stats.diff_id != job.diff_id {
            return Err(ArchiveError::DiffIdMismatch {
                archive: archive.to_string(),
                entry: job.entry.clone(),
                expected: job.diff_id.clone(),
                actual: stats.diff_id,
            });
        }
        Ok(stats)
    })?;
    Ok(())
}

/// The images of a docker-archive (`manifest.json`).
fn docker_images(source: &Source, archive: &str) -> Result<Vec<ImageJob>> {
    let (_, manifest) = source.json(archive, "manifest.json")?;
    let bad = |reason: &str| ArchiveError::BadDocument {
        archive: archive.to_string(),
        entry: "manifest.json".into(),
        reason: reason.to_string(),
    };
    let items = manifest
        .as_array()
        .ok_or_else(|| bad("not a list of images"))?;
    let mut images = Vec::new();
    for item in items {
        let config_path = item["Config"]
            .as_str()
            .ok_or_else(|| bad("an image has no Config"))?;
        let (config, _) = source.json(archive, config_path)?;
        let parsed = parse_config(archive, config_path, &config)?;
        let layer_paths: Vec<&str> = item["Layers"]
            .as_array()
            .ok_or_else(|| bad("an image has no Layers"))?
            .iter()
            .map(|l| {
                l.as_str()
                    .ok_or_else(|| bad("a layer path is not a string"))
            })
            .collect::<Result<_>>()?;
        let diff_ids = &parsed.rootfs.diff_ids;
        if layer_paths.len() != diff_ids.len() {
            return Err(bad(&format!(
                "an image lists {} layers but its config {} diff IDs",
                layer_paths.len(),
                diff_ids.len()
            )));
        }
        let mut layers = Vec::new();
        for (path, diff_id) in layer_paths.iter().zip(diff_ids) {
            clean(path).ok_or_else(|| ArchiveError::HostilePath {
                archive: archive.to_string(),
                entry: path.to_string(),
            })?;
            layers.push(LayerJob {
                entry: path.to_string(),
                diff_id: diff_id.clone(),
                blob_digest: None,
            });
        }
        let mut names = Vec::new();
        for tag in item["RepoTags"].as_array().into_iter().flatten() {
            let tag = tag
                .as_str()
                .ok_or_else(|| bad("a RepoTags entry is not a string"))?;
            names.push(normalize(archive, tag)?);
        }
        images.push(ImageJob {
            config,
            names,
            layers,
        });
    }
    Ok(images)
}

fn parse_config(archive: &str, entry: &str, config: &[u8]) -> Result<ImageConfig> {
    let parsed = ImageConfig::parse(config).map_err(|e| ArchiveError::BadDocument {
        archive: archive.to_string(),
        entry: entry.to_string(),
        reason: e.to_string(),
    })?;
    for d in &parsed.rootfs.diff_ids {
        digest_hex(d)?;
    }
    Ok(parsed)
}

/// A name as the store keeps it: `foo:latest` -> `docker.io/library/foo:latest`.
fn normalize(archive: &str, name: &str) -> Result<String> {
    let r = Reference::parse(name).map_err(|e| ArchiveError::BadName {
        archive: archive.to_string(),
        name: name.to_string(),
        reason: e.to_string(),
    })?;
    if r.digest.is_some() && r.tag.is_none() {
        return Err(ArchiveError::BadName {
            archive: archive.to_string(),
            name: name.to_string(),
            reason: "a name with a digest cannot be a tag".into(),
        });
    }
    Ok(format!("{}:{}", r.name(), r.tag_or_latest()))
}

/// Reads blob `digest` of an OCI layout, checking it.
fn oci_blob(source: &Source, archive: &str, digest: &str) -> Result<(Vec<u8>, Value)> {
    let path = format!("blobs/sha256/{}", digest_hex(digest)?);
    let (bytes, value) = source.json(archive, &path)?;
    let actual = sha256_digest(&bytes);
    if actual != digest {
        return Err(ArchiveError::DigestMismatch {
            archive: archive.to_string(),
            entry: path,
            expected: digest.to_string(),
            actual,
        });
    }
    Ok((bytes, value))
}

/// The images of an OCI layout (`index.json`).
fn oci_images(source: &Source, archive: &str) -> Result<Vec<ImageJob>> {
    let (_, index) = source.json(archive, "index.json")?;
    let bad = |entry: &str, reason: &str| ArchiveError::BadDocument {
        archive: archive.to_string(),
        entry: entry.to_string(),
        reason: reason.to_string(),
    };
    let descs = index["manifests"]
        .as_array()
        .ok_or_else(|| bad("index.json", "it lists no manifests"))?;
    // Several names of one image are several descriptors of one manifest.
    let mut by_digest: Vec<(String, Vec<String>)> = Vec::new();
    for d in descs {
        let digest = d["digest"]
            .as_str()
            .ok_or_else(|| bad("index.json", "a manifest has no digest"))?;
        let mut digest = digest.to_string();
        let mut media = d["mediaType"].as_str().unwrap_or_default().to_string();
        // A nested index (multi-platform): the host's platform, else the
        // first image.
        if media == OCI_INDEX || media.ends_with("manifest.list.v2+json") {
            let (_, nested) = oci_blob(source, archive, &digest)?;
            let list = nested["manifests"]
                .as_array()
                .ok_or_else(|| bad(&digest, "an index without manifests"))?;
            let host = rsp_image::Platform::host();
            let pick = list
                .iter()
                .find(|m| {
                    m["platform"]["architecture"].as_str() == Some(host.architecture.as_str())
                        && m["platform"]["os"].as_str() == Some(host.os.as_str())
                })
                .or(list.first())
                .ok_or_else(|| bad(&digest, "an empty index"))?;
            digest = pick["digest"]
                .as_str()
                .ok_or_else(|| bad(&digest, "a manifest has no digest"))?
                .to_string();
            media = pick["mediaType"].as_str().unwrap_or_default().to_string();
        }
        let annotations = &d["annotations"];
        let name = annotations[CONTAINERD_NAME]
            .as_str()
            .or(annotations[REF_NAME].as_str());
        // A bare tag (`latest`, as skopeo writes `oci-archive:F:latest`)
        // names no repository: the image stays unnamed.
        let name = match name {
            Some(n) if n.contains('/') || n.contains(':') => Some(normalize(archive, n)?),
            _ => None,
        };
        match by_digest.iter_mut().find(|(dg, _)| *dg == digest) {
            Some((_, names)) => names.extend(name),
            None => by_digest.push((digest, name.into_iter().collect())),
        }
    }
    let mut images = Vec::new();
    for (digest, names) in by_digest {
        let (_, manifest) = oci_blob(source, archive, &digest)?;
        let config_digest = manifest["config"]["digest"]
            .as_str()
            .ok_or_else(|| bad(&digest, "the manifest has no config"))?;
        let (config, _) = oci_blob(source, archive, config_digest)?;
        let parsed = parse_config(archive, config_digest, &config)?;
        let blobs = manifest["layers"]
            .as_array()
            .ok_or_else(|| bad(&digest, "the manifest has no layers"))?;
        if blobs.len() != parsed.rootfs.diff_ids.len() {
            return Err(bad(
                &digest,
                &format!(
                    "the manifest lists {} layers but the config {} diff IDs",
                    blobs.len(),
                    parsed.rootfs.diff_ids.len()
                ),
            ));
        }
        let mut layers = Vec::new();
        for (blob, diff_id) in blobs.iter().zip(&parsed.rootfs.diff_ids) {
            let blob_digest = blob["digest"]
                .as_str()
                .ok_or_else(|| bad(&digest, "a layer has no digest"))?;
            layers.push(LayerJob {
                entry: format!("blobs/sha256/{}", digest_hex(blob_digest)?),
                diff_id: diff_id.clone(),
                blob_digest: Some(blob_digest.to_string()),
            });
        }
        images.push(ImageJob {
            config,
            names,
            layers,
        });
    }
    Ok(images)
}
