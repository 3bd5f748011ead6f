//! Builds small, real OCI / Docker schema2 images in memory and pushes them
//! to a [`Registry`] over plain HTTP.
//!
//! Root filesystems come from the host's static `/bin/busybox`, so images
//! can actually run. Everything is deterministic (fixed mtimes and
//! `created`, ordered JSON), so the same builder always yields the same
//! digests. Layers can contain hostile entries ([`Layer::raw_entry`]) for
//! extraction-safety tests.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use sha2::{Digest, Sha256};

use super::registry::{Client, Registry};

/// mtime of every tar entry: 2024-01-01T00:00:00Z.
const MTIME: u64 = 1_704_067_200;
/// `created` of every config and history entry.
const CREATED: &str = "2024-01-01T00:00:00Z";
const DEFAULT_PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Names linked to `/bin/busybox` by [`Layer::busybox`].
pub const BUSYBOX_APPLETS: &[&str] = &[
    "sh", "ls", "cat", "echo", "id", "env", "pwd", "stat", "sleep", "hostname", "mount", "ps",
    "true", "false", "test", "grep", "wc", "find", "touch", "rm", "mkdir", "kill", "tty", "stty",
    "head", "readlink", "ln", "chmod", "chown", "whoami", "uname", "dd", "cut", "tr", "seq", "nc",
    "httpd", "wget", "sed", "awk", "sort", "xargs", "md5sum",
];

/// `sha256:<hex>` of `data`.
pub fn sha256_digest(data: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(data)))
}

/// How layer blobs are compressed. Zstd and None need [`ImageBuilder::oci`]
/// (Docker schema2 has no media type for them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Compression {
    Gzip,
    Zstd,
    None,
}

/// Tar entry type for [`Layer::raw_entry`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Symlink,
    Hardlink,
    CharDevice { major: u32, minor: u32 },
    BlockDevice { major: u32, minor: u32 },
    Fifo,
}

#[derive(Clone, Debug)]
struct Entry {
    /// Exactly the bytes of the tar name (no leading `/` unless raw).
    name: Vec<u8>,
    kind: Kind,
    mode: u32,
    uid: u64,
    gid: u64,
    link: Option<Vec<u8>>,
    data: Arc<Vec<u8>>,
    /// Raw entries are written verbatim, without implicit parent dirs.
    raw: bool,
}

/// One layer's entries, in the order they will appear in the tar. Paths
/// may start with `/`; it is stripped. Missing parent directories are
/// added (0755, root) before the first entry that needs them, unless the
/// layer declares that directory itself, in which case the declared entry
/// is moved up to that point.
#[derive(Clone, Debug, Default)]
pub struct Layer {
    entries: Vec<Entry>,
}

fn rel(path: &str) -> String {
    path.trim_start_matches('/')
        .trim_end_matches('/')
        .to_string()
}

impl Layer {
    pub fn new() -> Layer {
        Layer::default()
    }

    fn push(
        mut self,
        path: &str,
        kind: Kind,
        mode: u32,
        owner: (u64, u64),
        link: Option<&str>,
        data: Arc<Vec<u8>>,
    ) -> Self {
        let name = rel(path);
        assert!(!name.is_empty(), "empty path in layer entry");
        self.entries.push(Entry {
            name: name.into_bytes(),
            kind,
            mode,
            uid: owner.0,
            gid: owner.1,
            link: link.map(|l| l.as_bytes().to_vec()),
            data,
            raw: false,
        });
        self
    }

    /// The host's `/bin/busybox` with applet symlinks in `/bin`, a small
    /// `/etc/passwd` and `/etc/group` (root, www-data 33, user 1000,
    /// nobody 65534), and `/tmp` (1777), `/root`, `/var/www`, `/home/user`.
    pub fn busybox(self) -> Self {
        let mut l = self
            .dir("/bin", 0o755)
            .dir("/etc", 0o755)
            .dir("/tmp", 0o1777)
            .dir("/root", 0o700)
            .dir("/var", 0o755)
            .dir("/var/www", 0o755)
            .dir("/home", 0o755)
            .dir_owned("/home/user", 0o755, 1000, 1000)
            .push(
                "/bin/busybox",
                Kind::File,
                0o755,
                (0, 0),
                None,
                busybox_bytes(),
            );
        for applet in BUSYBOX_APPLETS {
            l = l.symlink(&format!("/bin/{applet}"), "busybox");
        }
        l.file(
            "/etc/passwd",
            0o644,
            b"root:x:0:0:root:/root:/bin/sh\n\
              www-data:x:33:33:www-data:/var/www:/bin/sh\n\
              user:x:1000:1000::/home/user:/bin/sh\n\
              nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
        )
        .file(
            "/etc/group",
            0o644,
            b"root:x:0:\nwww-data:x:33:\nuser:x:1000:\nnogroup:x:65534:\n",
        )
    }

    pub fn file(self, path: &str, mode: u32, contents: &[u8]) -> Self {
        self.file_owned(path, mode, 0, 0, contents)
    }

    pub fn file_owned(self, path: &str, mode: u32, uid: u64, gid: u64, contents: &[u8]) -> Self {
        self.push(
            path,
            Kind::File,
            mode,
            (uid, gid),
            None,
            Arc::new(contents.to_vec()),
        )
    }

    /// Like [`Layer::file`] without copying: for large generated data.
    pub fn file_shared(self, path: &str, mode: u32, contents: Arc<Vec<u8>>) -> Self {
        self.push(path, Kind::File, mode, (0, 0), None, contents)
    }

    pub fn dir(self, path: &str, mode: u32) -> Self {
        self.dir_owned(path, mode, 0, 0)
    }

    pub fn dir_owned(self, path: &str, mode: u32, uid: u64, gid: u64) -> Self {
        self.push(path, Kind::Dir, mode, (uid, gid), None, Arc::default())
    }

    /// `target` is stored verbatim (relative or absolute).
    pub fn symlink(self, path: &str, target: &str) -> Self {
        self.push(
            path,
            Kind::Symlink,
            0o777,
            (0, 0),
            Some(target),
            Arc::default(),
        )
    }

    /// `target` is another path in the image (leading `/` optional).
    pub fn hardlink(self, path: &str, target: &str) -> Self {
        let target = rel(target);
        self.push(
            path,
            Kind::Hardlink,
            0o644,
            (0, 0),
            Some(&target),
            Arc::default(),
        )
    }

    /// Deletes `path` from lower layers: writes `.wh.<name>` in its parent.
    pub fn whiteout(self, path: &str) -> Self {
        let p = rel(path);
        let wh = match p.rsplit_once('/') {
            Some((parent, name)) => format!("{parent}/.wh.{name}"),
            None => format!(".wh.{p}"),
        };
        self.file(&wh, 0o644, b"")
    }

    /// Hides everything lower layers put in `dir`: writes
    /// `<dir>/.wh..wh..opq` (and `dir` itself, as a parent).
    pub fn opaque(self, dir: &str) -> Self {
        self.file(&format!("{}/.wh..wh..opq", rel(dir)), 0o644, b"")
    }

    /// An entry written exactly as given: `name` and `linkname` are not
    /// normalised or checked, so `../../x`, `/abs`, `a/../../b` and links
    /// out of the root all reach the tar (names over 100 bytes use GNU
    /// long-name records). Mode is 0644 for files, 0755 dirs, 0777 links,
    /// 0666 devices and fifos; owner root.
    pub fn raw_entry(
        mut self,
        name: &[u8],
        kind: Kind,
        linkname: Option<&[u8]>,
        contents: &[u8],
    ) -> Self {
        let mode = match kind {
            Kind::File | Kind::Hardlink => 0o644,
            Kind::Dir => 0o755,
            Kind::Symlink => 0o777,
            Kind::CharDevice { .. } | Kind::BlockDevice { .. } | Kind::Fifo => 0o666,
        };
        self.entries.push(Entry {
            name: name.to_vec(),
            kind,
            mode,
            uid: 0,
            gid: 0,
            link: linkname.map(<[u8]>::to_vec),
            data: Arc::new(contents.to_vec()),
            raw: true,
        });
        self
    }

    /// The uncompressed tar (what the diff_id is computed over).
    pub fn tar(&self) -> Vec<u8> {
        let declared_dirs: HashMap<&[u8], &Entry> = self
            .entries
            .iter()
            .filter(|e| !e.raw && e.kind == Kind::Dir)
            .map(|e| (e.name.as_slice(), e))
            .collect();
        let mut emitted_dirs: HashSet<Vec<u8>> = HashSet::new();
        let mut out = tar::Builder::new(Vec::new());
        for e in &self.entries {
            if e.raw {
                write_entry(&mut out, e, &e.name);
                continue;
            }
            // Parents first, so extractors never have to invent them.
            let mut end = 0;
            while let Some(pos) = e.name[end..].iter().position(|&b| b == b'/') {
                end += pos;
                let parent = &e.name[..end];
                if emitted_dirs.insert(parent.to_vec()) {
                    let implicit = Entry {
                        name: parent.to_vec(),
                        kind: Kind::Dir,
                        mode: 0o755,
                        uid: 0,
                        gid: 0,
                        link: None,
                        data: Arc::default(),
                        raw: false,
                    };
                    let d = declared_dirs.get(parent).copied().unwrap_or(&implicit);
                    write_entry(&mut out, d, &dir_name(parent));
                }
                end += 1;
            }
            if e.kind == Kind::Dir {
                if emitted_dirs.insert(e.name.clone()) {
                    write_entry(&mut out, e, &dir_name(&e.name));
                }
            } else {
                write_entry(&mut out, e, &e.name);
            }
        }
        out.into_inner().expect("finishing tar")
    }
}

fn dir_name(name: &[u8]) -> Vec<u8> {
    let mut n = name.to_vec();
    n.push(b'/');
    n
}

fn write_entry(out: &mut tar::Builder<Vec<u8>>, e: &Entry, name: &[u8]) {
    let mut h = tar::Header::new_gnu();
    let (ty, size) = match e.kind {
        Kind::File => (tar::EntryType::Regular, e.data.len() as u64),
        Kind::Dir => (tar::EntryType::Directory, 0),
        Kind::Symlink => (tar::EntryType::Symlink, 0),
        Kind::Hardlink => (tar::EntryType::Link, 0),
        Kind::CharDevice { .. } => (tar::EntryType::Char, 0),
        Kind::BlockDevice { .. } => (tar::EntryType::Block, 0),
        Kind::Fifo => (tar::EntryType::Fifo, 0),
    };
    if let Kind::CharDevice { major, minor } | Kind::BlockDevice { major, minor } = e.kind {
        h.set_device_major(major).expect("device major");
        h.set_device_minor(minor).expect("device minor");
    }
    h.set_entry_type(ty);
    h.set_size(size);
    h.set_mode(e.mode);
    h.set_uid(e.uid);
    h.set_gid(e.gid);
    h.set_mtime(MTIME);
    // Names are set byte-for-byte: tar's set_path would refuse `..` and
    // rewrite absolute paths, which hostile-layer tests need intact.
    long_record(out, name, tar::EntryType::GNULongName);
    let n = name.len().min(100);
    h.as_old_mut().name[..n].copy_from_slice(&name[..n]);
    if let Some(link) = &e.link {
        long_record(out, link, tar::EntryType::GNULongLink);
        let n = link.len().min(100);
        h.as_old_mut().linkname[..n].copy_from_slice(&link[..n]);
    }
    h.set_cksum();
    let data: &[u8] = if size > 0 { &e.data } else { &[] };
    out.append(&h, data).expect("appending tar entry");
}

/// Writes a GNU `././@LongLink` record (type `L` for names, `K` for link
/// targets) when `value` does not fit in its 100-byte header field; the
/// header that follows keeps the first 100 bytes.
fn long_record(out: &mut tar::Builder<Vec<u8>>, value: &[u8], ty: tar::EntryType) {
    if value.len() <= 100 {
        return;
    }
    let mut h = tar::Header::new_gnu();
    let long_name = b"././@LongLink";
    h.as_old_mut().name[..long_name.len()].copy_from_slice(long_name);
    h.set_entry_type(ty);
    h.set_size(value.len() as u64 + 1);
    h.set_mode(0o644);
    h.set_mtime(0);
    h.set_cksum();
    let mut data = value.to_vec();
    data.push(0);
    out.append(&h, data.as_slice())
        .expect("appending long-name record");
}

fn busybox_bytes() -> Arc<Vec<u8>> {
    static BYTES: OnceLock<Arc<Vec<u8>>> = OnceLock::new();
    BYTES
        .get_or_init(|| {
            Arc::new(
                std::fs::read("/bin/busybox")
                    .expect("reading /bin/busybox (apt-get install busybox-static)"),
            )
        })
        .clone()
}

/// A finished blob: media type, digest and bytes.
#[derive(Clone, Debug)]
pub struct Blob {
    pub media_type: String,
    pub digest: String,
    pub data: Arc<Vec<u8>>,
}

/// An image as bytes, ready to push or to write into an archive.
#[derive(Clone, Debug)]
pub struct Built {
    pub manifest: Vec<u8>,
    pub manifest_media_type: String,
    pub manifest_digest: String,
    pub config: Blob,
    pub layers: Vec<Blob>,
    /// `sha256:` of each uncompressed layer tar, as in `rootfs.diff_ids`.
    pub diff_ids: Vec<String>,
    pub architecture: String,
    pub variant: Option<String>,
    pub os: String,
}

/// What [`ImageBuilder::push`] put in the registry.
#[derive(Clone, Debug)]
pub struct Pushed {
    /// `127.0.0.1:PORT/repo:tag`.
    pub reference: String,
    pub manifest_digest: String,
    /// The image ID rsp should report.
    pub config_digest: String,
    pub layer_digests: Vec<String>,
    pub diff_ids: Vec<String>,
}

/// Builder for a single-platform image. Defaults: no layers, gzip, Docker
/// schema2 media types, linux/amd64, empty config.
#[derive(Clone, Debug)]
pub struct ImageBuilder {
    layers: Vec<Layer>,
    compression: Compression,
    oci: bool,
    env: Vec<String>,
    cmd: Option<Vec<String>>,
    entrypoint: Option<Vec<String>>,
    workdir: Option<String>,
    user: Option<String>,
    labels: BTreeMap<String, String>,
    exposed_ports: BTreeSet<String>,
    volumes: BTreeSet<String>,
    stop_signal: Option<String>,
    architecture: String,
    variant: Option<String>,
    os: String,
    /// The config's `history`, when not one entry per layer.
    history: Option<Vec<serde_json::Value>>,
}

impl Default for ImageBuilder {
    fn default() -> Self {
        ImageBuilder {
            layers: Vec::new(),
            compression: Compression::Gzip,
            oci: false,
            env: Vec::new(),
            cmd: None,
            entrypoint: None,
            workdir: None,
            user: None,
            labels: BTreeMap::new(),
            exposed_ports: BTreeSet::new(),
            volumes: BTreeSet::new(),
            stop_signal: None,
            architecture: "amd64".into(),
            variant: None,
            os: "linux".into(),
            history: None,
        }
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

impl ImageBuilder {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn layer(mut self, layer: Layer) -> Self {
        self.layers.push(layer);
        self
    }
    pub fn compression(mut self, c: Compression) -> Self {
        self.compression = c;
        self
    }
    /// OCI media types (`true`) or Docker schema2 (`false`, the default).
    pub fn oci(mut self, oci: bool) -> Self {
        self.oci = oci;
        self
    }
    /// `KEY=value`.
    pub fn env(mut self, kv: &str) -> Self {
        self.env.push(kv.into());
        self
    }
    pub fn cmd(mut self, cmd: &[&str]) -> Self {
        self.cmd = Some(strings(cmd));
        self
    }
    pub fn entrypoint(mut self, ep: &[&str]) -> Self {
        self.entrypoint = Some(strings(ep));
        self
    }
    pub fn workdir(mut self, dir: &str) -> Self {
        self.workdir = Some(dir.into());
        self
    }
    pub fn user(mut self, user: &str) -> Self {
        self.user = Some(user.into());
        self
    }
    pub fn label(mut self, k: &str, v: &str) -> Self {
        self.labels.insert(k.into(), v.into());
        self
    }
    /// `"80/tcp"`, `"53/udp"`.
    pub fn expose(mut self, port: &str) -> Self {
        self.exposed_ports.insert(port.into());
        self
    }
    pub fn volume(mut self, path: &str) -> Self {
        self.volumes.insert(path.into());
        self
    }
    pub fn stop_signal(mut self, sig: &str) -> Self {
        self.stop_signal = Some(sig.into());
        self
    }
    /// `"amd64"`, or with a variant: `"arm64/v8"`, `"arm/v7"`.
    pub fn architecture(mut self, arch: &str) -> Self {
        let (a, v) = match arch.split_once('/') {
            Some((a, v)) => (a, Some(v.to_string())),
            None => (arch, None),
        };
        self.architecture = a.into();
        self.variant = v;
        self
    }
    pub fn os(mut self, os: &str) -> Self {
        self.os = os.into();
        self
    }
    /// The config's `history` as given (steps with `"empty_layer": true`
    /// made no layer), instead of one generated entry per layer.
    pub fn history(mut self, history: Vec<serde_json::Value>) -> Self {
        self.history = Some(history);
        self
    }

    fn layer_media_type(&self) -> &'static str {
        match (self.oci, self.compression) {
            (false, Compression::Gzip) => "application/vnd.docker.image.rootfs.diff.tar.gzip",
            (true, Compression::Gzip) => "application/vnd.oci.image.layer.v1.tar+gzip",
            (true, Compression::Zstd) => "application/vnd.oci.image.layer.v1.tar+zstd",
            (true, Compression::None) => "application/vnd.oci.image.layer.v1.tar",
            (false, c) => {
                panic!("{c:?} layers need .oci(true): Docker schema2 has no media type for them")
            }
        }
    }

    fn config_json(&self, diff_ids: &[String]) -> Vec<u8> {
        use serde_json::{Map, Value, json};
        let mut c = Map::new();
        c.insert("Env".into(), json!(self.env));
        if let Some(cmd) = &self.cmd {
            c.insert("Cmd".into(), json!(cmd));
        }
        if let Some(ep) = &self.entrypoint {
            c.insert("Entrypoint".into(), json!(ep));
        }
        if let Some(w) = &self.workdir {
            c.insert("WorkingDir".into(), json!(w));
        }
        if let Some(u) = &self.user {
            c.insert("User".into(), json!(u));
        }
        if !self.labels.is_empty() {
            c.insert("Labels".into(), json!(self.labels));
        }
        let empty_set = |s: &BTreeSet<String>| {
            Value::Object(s.iter().map(|k| (k.clone(), json!({}))).collect())
        };
        if !self.exposed_ports.is_empty() {
            c.insert("ExposedPorts".into(), empty_set(&self.exposed_ports));
        }
        if !self.volumes.is_empty() {
            c.insert("Volumes".into(), empty_set(&self.volumes));
        }
        if let Some(s) = &self.stop_signal {
            c.insert("StopSignal".into(), json!(s));
        }
        let history: Vec<Value> = self.history.clone().unwrap_or_else(|| {
            (0..diff_ids.len())
                .map(|i| json!({"created": CREATED, "created_by": format!("rsp test harness: layer {i}")}))
                .collect()
        });
        let mut cfg = json!({
            "created": CREATED,
            "architecture": self.architecture,
            "os": self.os,
            "config": c,
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "history": history,
        });
        if let Some(v) = &self.variant {
            cfg["variant"] = json!(v);
        }
        serde_json::to_vec(&cfg).expect("serialising config")
    }

    /// Produces every blob and the manifest, without pushing.
    pub fn build(&self) -> Built {
        let layer_media_type = self.layer_media_type();
        let mut diff_ids = Vec::new();
        let mut layers = Vec::new();
        for l in &self.layers {
            let tar = l.tar();
            let diff_id = sha256_digest(&tar);
            let data = compress(&diff_id, tar, self.compression);
            let digest = match self.compression {
                Compression::None => diff_id.clone(),
                _ => sha256_digest(&data),
            };
            layers.push(Blob {
                media_type: layer_media_type.into(),
                digest,
                data,
            });
            diff_ids.push(diff_id);
        }
        let config = self.config_json(&diff_ids);
        let (manifest_type, config_type) = if self.oci {
            (
                "application/vnd.oci.image.manifest.v1+json",
                "application/vnd.oci.image.config.v1+json",
            )
        } else {
            (
                "application/vnd.docker.distribution.manifest.v2+json",
                "application/vnd.docker.container.image.v1+json",
            )
        };
        let config = Blob {
            media_type: config_type.into(),
            digest: sha256_digest(&config),
            data: Arc::new(config),
        };
        let descriptor = |b: &Blob| serde_json::json!({"mediaType": b.media_type, "size": b.data.len(), "digest": b.digest});
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": manifest_type,
            "config": descriptor(&config),
            "layers": layers.iter().map(descriptor).collect::<Vec<_>>(),
        });
        let manifest = serde_json::to_vec(&manifest).expect("serialising manifest");
        Built {
            manifest_digest: sha256_digest(&manifest),
            manifest,
            manifest_media_type: manifest_type.into(),
            config,
            layers,
            diff_ids,
            architecture: self.architecture.clone(),
            variant: self.variant.clone(),
            os: self.os.clone(),
        }
    }

    /// Pushes as `<registry>/<repo>:<tag>`.
    pub fn push(&self, registry: &Registry, repo: &str, tag: &str) -> Pushed {
        let built = self.build();
        push_built(&registry.client(), repo, tag, &built);
        Pushed {
            reference: registry.reference(repo, tag),
            manifest_digest: built.manifest_digest,
            config_digest: built.config.digest,
            layer_digests: built.layers.iter().map(|b| b.digest.clone()).collect(),
            diff_ids: built.diff_ids,
        }
    }
}

/// Compressed layers, memoised by diff_id: the same busybox layer is pushed
/// by many tests, and compression is slow in unoptimised test builds.
fn compress(diff_id: &str, tar: Vec<u8>, c: Compression) -> Arc<Vec<u8>> {
    const CACHE_MAX_LAYER: usize = 32 << 20;
    type Cache = Mutex<HashMap<(String, Compression), Arc<Vec<u8>>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    let key = (diff_id.to_string(), c);
    if let Some(hit) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return hit.clone();
    }
    let cacheable = tar.len() <= CACHE_MAX_LAYER;
    let data = Arc::new(match c {
        Compression::None => tar,
        Compression::Gzip if tar.len() > STORED_GZIP_MIN => gzip_stored(&tar),
        Compression::Gzip => {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            enc.write_all(&tar).expect("gzip");
            enc.finish().expect("gzip")
        }
        Compression::Zstd => zstd::encode_all(tar.as_slice(), 3).expect("zstd"),
    });
    if cacheable {
        cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, data.clone());
    }
    data
}

/// Layers above this size are gzipped with stored (uncompressed) deflate
/// blocks: unoptimised test builds deflate at only ~7 MB/s, and the big
/// layers are random data that deflate would store verbatim anyway.
const STORED_GZIP_MIN: usize = 16 << 20;

/// A valid gzip stream of stored deflate blocks.
fn gzip_stored(data: &[u8]) -> Vec<u8> {
    const BLOCK: usize = 65_535;
    let mut out = Vec::with_capacity(data.len() + data.len() / BLOCK * 5 + 32);
    // Magic, deflate, no flags, mtime 0, no extra flags, OS "unknown".
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    let mut blocks = data.chunks(BLOCK).peekable();
    if data.is_empty() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(block) = blocks.next() {
        // BFINAL in bit 0, BTYPE 00 (stored); the rest pads to a byte.
        out.push(u8::from(blocks.peek().is_none()));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    let mut crc = flate2::Crc::new();
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

fn push_blob(client: &Client, repo: &str, blob: &Blob) {
    let path = format!("/v2/{repo}/blobs/{}", blob.digest);
    if client.head(&path).status == 200 {
        return;
    }
    let r = client.post_empty(&format!("/v2/{repo}/blobs/uploads/"));
    assert_eq!(r.status, 202, "starting upload to {repo}: {r:?}");
    let loc = r
        .location
        .unwrap_or_else(|| panic!("upload to {repo}: no Location"));
    let sep = if loc.contains('?') { '&' } else { '?' };
    let put = format!("{loc}{sep}digest={}", blob.digest);
    let r = client.put(&put, "application/octet-stream", &blob.data);
    assert_eq!(r.status, 201, "uploading {} to {repo}: {r:?}", blob.digest);
}

fn push_manifest(client: &Client, repo: &str, reference: &str, media_type: &str, body: &[u8]) {
    let r = client.put(
        &format!("/v2/{repo}/manifests/{reference}"),
        media_type,
        body,
    );
    assert_eq!(
        r.status,
        201,
        "PUT manifest {repo}:{reference}: {}",
        String::from_utf8_lossy(&r.body)
    );
    let expected = sha256_digest(body);
    assert_eq!(
        r.docker_content_digest.as_deref(),
        Some(expected.as_str()),
        "registry digested the manifest differently"
    );
}

fn push_built(client: &Client, repo: &str, reference: &str, built: &Built) {
    for layer in &built.layers {
        push_blob(client, repo, layer);
    }
    push_blob(client, repo, &built.config);
    push_manifest(
        client,
        repo,
        reference,
        &built.manifest_media_type,
        &built.manifest,
    );
}

/// What [`push_index`] put in the registry.
#[derive(Clone, Debug)]
pub struct PushedIndex {
    /// `127.0.0.1:PORT/repo:tag`.
    pub reference: String,
    pub index_digest: String,
    /// One per platform, in the order given, keyed like the input
    /// (`"arm64/v8"`).
    pub images: Vec<(String, Pushed)>,
}

/// Pushes an index (OCI if the first image is OCI, else a Docker manifest
/// list) with one image per platform: each image's architecture is set
/// from its key (`"amd64"`, `"arm64/v8"`). Child manifests are pushed by
/// digest first, since the registry checks they exist.
pub fn push_index(
    registry: &Registry,
    repo: &str,
    tag: &str,
    images: &[(&str, ImageBuilder)],
) -> PushedIndex {
    assert!(!images.is_empty(), "push_index needs at least one image");
    let client = registry.client();
    let mut descriptors = Vec::new();
    let mut pushed = Vec::new();
    for (arch, image) in images {
        let built = image.clone().architecture(arch).build();
        push_built(&client, repo, &built.manifest_digest, &built);
        let mut platform = serde_json::json!({"architecture": built.architecture, "os": built.os});
        if let Some(v) = &built.variant {
            platform["variant"] = serde_json::json!(v);
        }
        descriptors.push(serde_json::json!({
            "mediaType": built.manifest_media_type,
            "size": built.manifest.len(),
            "digest": built.manifest_digest,
            "platform": platform,
        }));
        pushed.push((
            arch.to_string(),
            Pushed {
                reference: format!("{}/{repo}@{}", registry.addr, built.manifest_digest),
                manifest_digest: built.manifest_digest,
                config_digest: built.config.digest,
                layer_digests: built.layers.iter().map(|b| b.digest.clone()).collect(),
                diff_ids: built.diff_ids,
            },
        ));
    }
    let index_type = if images[0].1.oci {
        "application/vnd.oci.image.index.v1+json"
    } else {
        "application/vnd.docker.distribution.manifest.list.v2+json"
    };
    let index =
        serde_json::json!({"schemaVersion": 2, "mediaType": index_type, "manifests": descriptors});
    let index = serde_json::to_vec(&index).expect("serialising index");
    push_manifest(&client, repo, tag, index_type, &index);
    PushedIndex {
        reference: registry.reference(repo, tag),
        index_digest: sha256_digest(&index),
        images: pushed,
    }
}

/// One busybox layer; `Cmd ["sh"]`, default `PATH`.
pub fn busybox_image() -> ImageBuilder {
    ImageBuilder::new()
        .layer(Layer::new().busybox())
        .env(DEFAULT_PATH)
        .cmd(&["sh"])
}

/// Three layers exercising whiteouts. After extraction the rootfs has
/// busybox, `/keep/k1`, `/d/z` (only: `d/x`, `d/y` are hidden by an opaque
/// marker), `/new`, and no `/a`.
pub fn multilayer_image() -> ImageBuilder {
    busybox_image()
        .layer(
            Layer::new()
                .file("/a", 0o644, b"a\n")
                .file("/d/x", 0o644, b"x\n")
                .file("/d/y", 0o644, b"y\n")
                .file("/keep/k1", 0o644, b"k1\n"),
        )
        .layer(
            Layer::new()
                .whiteout("/a")
                .opaque("/d")
                .file("/d/z", 0o644, b"z\n")
                .file("/new", 0o644, b"new\n"),
        )
}

/// busybox plus two layers for overlay semantics: hard links, a symlink,
/// a file to rename, a directory to delete and re-create, modes (setuid,
/// 0600), and a second layer that adds to and hides from the first.
pub fn semantics_image() -> ImageBuilder {
    busybox_image()
        .layer(
            Layer::new()
                .file("/h/orig", 0o644, b"h\n")
                .hardlink("/h/link", "/h/orig")
                .file("/s/target", 0o644, b"target\n")
                .symlink("/s/sym", "target")
                .file("/mv/src", 0o644, b"mv\n")
                .file("/lower/dir/f1", 0o644, b"1\n")
                .file("/lower/dir/f2", 0o644, b"2\n")
                .file("/modes/suid", 0o4755, b"")
                .file("/modes/secret", 0o600, b"s\n")
                .file("/hidden/old", 0o644, b"old\n")
                .file("/m/data", 0o644, b"0123456789\n"),
        )
        .layer(
            Layer::new()
                .file("/lower/dir/f3", 0o644, b"3\n")
                .whiteout("/hidden/old")
                .file("/hidden/new", 0o644, b"new\n"),
        )
}

/// busybox plus a layer with `/var/www` (0755) and `/var/www/index.html`
/// (0640, "hello from uid 33\n"), both owned 33:33.
pub fn uid33_image() -> ImageBuilder {
    busybox_image().layer(
        Layer::new()
            .dir("/var", 0o755)
            .dir_owned("/var/www", 0o755, 33, 33)
            .file_owned("/var/www/index.html", 0o640, 33, 33, b"hello from uid 33\n"),
    )
}

/// busybox plus `layers` layers of deterministic pseudo-random data (one
/// file each, `/data/blob-N`) adding up to about `total_compressed_mb` MiB
/// compressed (random data does not compress, so blob size ≈ file size).
///
/// Building hashes every byte twice; in an unoptimised build sha2 runs at
/// ~50 MB/s, so run benchmarks with `--release` (or give the dependencies
/// `opt-level` in a dev profile override).
pub fn big_image(total_compressed_mb: usize, layers: usize) -> ImageBuilder {
    assert!(layers > 0, "big_image needs at least one layer");
    let per_layer = (total_compressed_mb << 20) / layers;
    let mut image = busybox_image();
    for i in 0..layers {
        let data = xorshift_bytes(0x9E37_79B9_7F4A_7C15 ^ (i as u64 + 1), per_layer);
        image = image.layer(Layer::new().file_shared(
            &format!("/data/blob-{i}"),
            0o644,
            Arc::new(data),
        ));
    }
    image
}

fn xorshift_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = vec![0u8; len.div_ceil(8) * 8];
    for chunk in out.chunks_exact_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        chunk.copy_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}
