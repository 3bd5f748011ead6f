//! Fixtures for issue 16 (id emulation): a real Debian image made from
//! the host's installed packages, an APT repository served on the host's
//! loopback, and a `gosu`-style static program.
//!
//! Contract:
//! - [`debian_rootfs`] mirrors the host's files of [`DEBIAN_PACKAGES`] and
//!   everything they depend on (installed `Pre-Depends` and `Depends`,
//!   as `dpkg-query` reports them): modes, owners (as numbers) and
//!   symlinks as the host has them, merged-usr or not. Documentation,
//!   man pages, translations and gconv modules are left out. What
//!   maintainer scripts would have made (`/etc/passwd`, `/etc/shadow`,
//!   the PAM `common-*` files, dpkg's database, alternatives) is written
//!   here. It is built once per test process, as the unprivileged test
//!   user: every host file it copies must be world-readable, and one that
//!   is not fails the build naming it. Needs a Debian 12 host with those
//!   packages (`.ci/run` installs them); see [`debian_available`].
//! - [`AptRepo`] serves a one-package repository (`rsp-hello`) over HTTP
//!   on 127.0.0.1 from a thread of the test process until dropped; a
//!   container reaches it at 10.0.2.2 with [`HOST_LOOPBACK_NETWORK`].
//! - [`gosu_layer`] puts a static `gosu UID:GID CMD...` (`gosu.c`) at
//!   [`GOSU`].
//!
//! Nothing here needs root or the network beyond loopback.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::image::{ImageBuilder, Layer};
use super::registry::shared;

/// The packages the Debian image is the closure of.
pub const DEBIAN_PACKAGES: &[&str] = &[
    "base-files",
    "base-passwd",
    "bash",
    "dash",
    "coreutils",
    "util-linux",
    "login",
    "passwd",
    "apt",
    "dpkg",
    "perl-base",
    "python3-minimal",
    "busybox-static",
    "grep",
    "sed",
    "mawk",
    "findutils",
    "diffutils",
    "tar",
    "gzip",
    "debianutils",
    "libc-bin",
    "libpam-runtime",
    "libpam-modules",
    "ncurses-base",
    "procps",
];

/// What `.ci/run` installs for these fixtures.
pub const DEBIAN_HOW: &str = "a Debian 12 host with: apt-get install python3-minimal \
     util-linux login passwd busybox-static procps gcc libc6-dev";

/// Paths (and everything under them) left out of the image.
const SKIPPED: &[&str] = &[
    "/usr/share/doc",
    "/usr/share/doc-base",
    "/usr/share/man",
    "/usr/share/locale",
    "/usr/share/info",
    "/usr/share/lintian",
    "/usr/share/menu",
];

const DEFAULT_PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Days since 1970 of 2024-01-01: the "last changed" field of the
/// generated `/etc/shadow`.
const SHADOW_LASTCHG: u32 = 19_723;

/// True when this host can build the Debian image: `dpkg-query` runs and
/// every one of [`DEBIAN_PACKAGES`] is installed. Use with
/// `require_or_skip("…", DEBIAN_HOW, debian_available())`.
pub fn debian_available() -> bool {
    static OK: OnceLock<bool> = OnceLock::new();
    *OK.get_or_init(|| match installed_packages() {
        Ok(db) => DEBIAN_PACKAGES.iter().all(|p| db.get(p).is_some()),
        Err(_) => false,
    })
}

// ---------------------------------------------------------------------------
// The host's package database.

/// One installed package, as `dpkg-query -W` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pkg {
    /// `${binary:Package}`: the name, with `:arch` for `Multi-Arch: same`
    /// packages; what `dpkg-query -L` and `/var/lib/dpkg/info` use.
    pub binary: String,
    pub name: String,
    pub arch: String,
    pub provides: String,
    pub pre_depends: String,
    pub depends: String,
}

/// The installed packages, by name and by what they provide.
#[derive(Debug, Default)]
pub struct PackageDb {
    by_name: BTreeMap<String, Pkg>,
    providers: BTreeMap<String, Vec<String>>,
}

const QUERY_FORMAT: &str = "${binary:Package}\\t${Package}\\t${Architecture}\\t${db:Status-Abbrev}\\t${Provides}\\t${Pre-Depends}\\t${Depends}\\n";

impl PackageDb {
    /// Parses `dpkg-query -W -f QUERY_FORMAT` output; keeps installed
    /// packages only (status `i` in the second column). Where a name is
    /// installed for several architectures, the `native` one wins.
    pub fn parse(out: &str, native: &str) -> PackageDb {
        let mut db = PackageDb::default();
        for line in out.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() < 7 || f[3].as_bytes().get(1) != Some(&b'i') {
                continue;
            }
            let pkg = Pkg {
                binary: f[0].into(),
                name: f[1].into(),
                arch: f[2].into(),
                provides: f[4].into(),
                pre_depends: f[5].into(),
                depends: f[6].into(),
            };
            if let Some(old) = db.by_name.get(&pkg.name)
                && old.arch == native
            {
                continue;
            }
            db.by_name.insert(pkg.name.clone(), pkg);
        }
        for p in db.by_name.values() {
            for group in dependency_groups(&p.provides) {
                for v in group {
                    db.providers.entry(v).or_default().push(p.name.clone());
                }
            }
        }
        db
    }

    pub fn get(&self, name: &str) -> Option<&Pkg> {
        self.by_name.get(name)
    }

    /// The installed package that satisfies one alternative group: the
    /// first alternative installed by that name, else the first one an
    /// installed package provides.
    fn satisfy(&self, group: &[String]) -> Option<&Pkg> {
        group.iter().find_map(|n| self.by_name.get(n)).or_else(|| {
            group
                .iter()
                .find_map(|n| self.providers.get(n)?.first())
                .and_then(|p| self.by_name.get(p))
        })
    }

    /// `roots` and every package they need, sorted by name. A root that is
    /// not installed is an error naming it; a dependency nothing installed
    /// satisfies is skipped (dpkg would have refused it, so the host's
    /// database is the one to fix).
    pub fn closure(&self, roots: &[&str]) -> Result<Vec<&Pkg>, String> {
        let mut seen: BTreeMap<&str, &Pkg> = BTreeMap::new();
        let mut todo: Vec<&Pkg> = Vec::new();
        let missing: Vec<&str> = roots
            .iter()
            .copied()
            .filter(|r| !self.by_name.contains_key(*r))
            .collect();
        if !missing.is_empty() {
            return Err(format!("not installed on this host: {}", missing.join(" ")));
        }
        todo.extend(roots.iter().filter_map(|r| self.by_name.get(*r)));
        while let Some(p) = todo.pop() {
            if seen.insert(&p.name, p).is_some() {
                continue;
            }
            let deps = format!("{},{}", p.pre_depends, p.depends);
            for group in dependency_groups(&deps) {
                if let Some(d) = self.satisfy(&group) {
                    todo.push(d);
                }
            }
        }
        Ok(seen.into_values().collect())
    }
}

/// A dependency field (`a (>= 1) | b:any, c [amd64] <!nocheck>`) as groups
/// of alternative package names, qualifiers and versions dropped.
pub fn dependency_groups(field: &str) -> Vec<Vec<String>> {
    field
        .split(',')
        .map(|group| {
            group
                .split('|')
                .filter_map(|alt| {
                    let name = alt.trim().split([' ', '(', '[', '<', ':']).next()?;
                    (!name.is_empty()).then(|| name.to_string())
                })
                .collect::<Vec<_>>()
        })
        .filter(|g| !g.is_empty())
        .collect()
}

fn run(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("running {cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?}: {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("{cmd:?}: output not UTF-8: {e}"))
}

fn installed_packages() -> Result<PackageDb, String> {
    let native = run(Command::new("dpkg").arg("--print-architecture"))?;
    let out = run(Command::new("dpkg-query").args(["-W", "-f", QUERY_FORMAT]))?;
    Ok(PackageDb::parse(&out, native.trim()))
}

/// The paths `dpkg-query -L` lists for `binaries`, diverted-to paths
/// included (where a diverted file really is).
fn package_paths(binaries: &[&str]) -> Result<BTreeSet<String>, String> {
    let out = run(Command::new("dpkg-query").arg("-L").args(binaries))?;
    let mut paths = BTreeSet::new();
    for line in out.lines() {
        if line.starts_with('/') {
            paths.insert(line.to_string());
        } else if let Some((_, to)) = line.split_once(" to: ")
            && line.starts_with("diverted by ")
        {
            paths.insert(to.to_string());
        }
    }
    paths.remove("/.");
    Ok(paths)
}

fn skipped(path: &str) -> bool {
    let under = |p: &str| path == p || path.strip_prefix(p).is_some_and(|r| r.starts_with('/'));
    SKIPPED.iter().any(|p| under(p))
        // iconv's charset modules (8 MB): glibc's built-in UTF-8 and ASCII
        // are all the tests need.
        || path.starts_with("/usr/lib/") && path.contains("/gconv/")
        || path.starts_with("/usr/lib/") && path.ends_with("/gconv")
}

// ---------------------------------------------------------------------------
// The root filesystem.

/// One entry of the image, at its path on the host with the parent
/// directories resolved.
#[derive(Clone, Debug)]
enum Node {
    Dir {
        mode: u32,
        uid: u64,
        gid: u64,
    },
    File {
        mode: u32,
        uid: u64,
        gid: u64,
        data: Arc<Vec<u8>>,
    },
    Symlink {
        target: String,
    },
}

/// The Debian root filesystem, built once per test process.
#[derive(Debug)]
pub struct DebianRootfs {
    pub layer: Layer,
    /// `${binary:Package}` of every package included, sorted.
    pub packages: Vec<String>,
    /// Entries in the layer, and the bytes of its regular files.
    pub entries: usize,
    pub bytes: u64,
    /// Paths the package lists name that the host does not have (removed
    /// by a `path-exclude` or by hand); left out.
    pub absent: Vec<String>,
    /// How long building it took.
    pub elapsed: Duration,
}

struct Tree {
    nodes: BTreeMap<String, Node>,
    unreadable: Vec<String>,
    absent: Vec<String>,
}

impl Tree {
    fn put(&mut self, path: &str, node: Node) {
        self.nodes.insert(path.to_string(), node);
    }

    fn file(&mut self, path: &str, mode: u32, gid: u64, data: impl Into<Vec<u8>>) {
        self.put(
            path,
            Node::File {
                mode,
                uid: 0,
                gid,
                data: Arc::new(data.into()),
            },
        );
    }

    fn dir(&mut self, path: &str, mode: u32, uid: u64, gid: u64) {
        self.put(path, Node::Dir { mode, uid, gid });
    }

    /// `path` as the host resolves its parent, so that on a merged-usr
    /// host `/bin/bash` is `/usr/bin/bash` (and `/bin` a symlink, which
    /// [`Tree::add_host`] records when it meets it). None if the parent
    /// does not exist.
    fn resolved(path: &str) -> Option<String> {
        let p = Path::new(path);
        let (Some(parent), Some(name)) = (p.parent(), p.file_name()) else {
            return Some(path.to_string());
        };
        let parent = fs::canonicalize(parent).ok()?;
        Some(parent.join(name).to_str()?.to_string())
    }

    /// Adds the host's `path` (and any symlinked directory on the way to
    /// it) as the host has it.
    fn add_host(&mut self, path: &str) {
        // Symlinked ancestors, e.g. /lib -> usr/lib on a merged-usr host.
        let mut prefix = String::new();
        for comp in path.trim_start_matches('/').split('/') {
            prefix.push('/');
            prefix.push_str(comp);
            if prefix.len() == path.len() {
                break;
            }
            if let Some(r) = Self::resolved(&prefix)
                && !self.nodes.contains_key(&r)
                && fs::symlink_metadata(&r).is_ok_and(|m| m.file_type().is_symlink())
            {
                self.add_one(&r);
            }
        }
        match Self::resolved(path) {
            Some(r) if !skipped(&r) => self.add_one(&r),
            Some(_) => {}
            None => self.absent.push(path.to_string()),
        }
    }

    fn add_one(&mut self, r: &str) {
        if self.nodes.contains_key(r) {
            return;
        }
        let md = match fs::symlink_metadata(r) {
            Ok(md) => md,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                self.absent.push(r.to_string());
                return;
            }
            Err(e) => panic!("lstat {r}: {e}"),
        };
        let (mode, uid, gid) = (md.mode() & 0o7777, u64::from(md.uid()), u64::from(md.gid()));
        let ft = md.file_type();
        let node = if ft.is_symlink() {
            let target = fs::read_link(r).unwrap_or_else(|e| panic!("readlink {r}: {e}"));
            Node::Symlink {
                target: target.to_string_lossy().into_owned(),
            }
        } else if ft.is_dir() {
            Node::Dir { mode, uid, gid }
        } else if ft.is_file() {
            // Hard links (gunzip and uncompress) become copies: simpler
            // for every storage driver, and only a few kB.
            match fs::read(r) {
                Ok(data) => Node::File {
                    mode,
                    uid,
                    gid,
                    data: Arc::new(data),
                },
                Err(e) if e.kind() == ErrorKind::PermissionDenied => {
                    self.unreadable.push(r.to_string());
                    return;
                }
                Err(e) => panic!("reading {r}: {e}"),
            }
        } else {
            // Packages ship no device nodes or fifos.
            return;
        };
        self.nodes.insert(r.to_string(), node);
    }

    fn contains_file(&self, path: &str) -> bool {
        fs::canonicalize(path)
            .ok()
            .and_then(|c| c.to_str().map(|c| self.nodes.contains_key(c)))
            .unwrap_or(false)
    }

    fn layer(&self) -> (Layer, u64) {
        let mut layer = Layer::new();
        let mut bytes = 0;
        for (path, node) in &self.nodes {
            if path == "/" {
                continue;
            }
            layer = match node {
                Node::Dir { mode, uid, gid } => layer.dir_owned(path, *mode, *uid, *gid),
                Node::File {
                    mode,
                    uid,
                    gid,
                    data,
                } => {
                    bytes += data.len() as u64;
                    layer.file_owned(path, *mode, *uid, *gid, data)
                }
                Node::Symlink { target } => layer.symlink(path, target),
            };
        }
        (layer, bytes)
    }
}

/// The Debian root filesystem (built on first use; panics naming what is
/// missing when the host cannot build it).
pub fn debian_rootfs() -> &'static DebianRootfs {
    static ROOTFS: OnceLock<DebianRootfs> = OnceLock::new();
    ROOTFS.get_or_init(|| {
        build_rootfs()
            .unwrap_or_else(|e| panic!("building the Debian image: {e}; needs {DEBIAN_HOW}"))
    })
}

fn build_rootfs() -> Result<DebianRootfs, String> {
    let start = Instant::now();
    let db = installed_packages()?;
    let pkgs = db.closure(DEBIAN_PACKAGES)?;
    let binaries: Vec<&str> = pkgs.iter().map(|p| p.binary.as_str()).collect();
    let mut tree = Tree {
        nodes: BTreeMap::new(),
        unreadable: Vec::new(),
        absent: Vec::new(),
    };
    for path in package_paths(&binaries)? {
        tree.add_host(&path);
    }
    generate_etc(&mut tree)?;
    generate_dpkg_db(&mut tree, &pkgs)?;
    generate_alternatives(&mut tree);
    if !tree.unreadable.is_empty() {
        return Err(format!(
            "these host files are not readable by the test user, so the image cannot copy \
             them: {} (make them world-readable, or generate them in tests/util/debian.rs)",
            tree.unreadable.join(" ")
        ));
    }
    let (layer, bytes) = tree.layer();
    Ok(DebianRootfs {
        layer,
        packages: binaries.iter().map(|b| b.to_string()).collect(),
        entries: tree.nodes.len(),
        bytes,
        absent: tree.absent,
        elapsed: start.elapsed(),
    })
}

fn host_text(path: &str) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("reading {path}: {e}"))
}

/// One `/etc/passwd` or `/etc/group` line's fields.
fn fields(line: &str) -> Vec<&str> {
    line.split(':').collect()
}

/// System entries (id below 1000, or 65534) of a passwd- or group-format
/// file: Debian's standard ones (`master`, base-passwd's) first, then the
/// host's others. Group members that are not system users are dropped.
pub fn system_entries(master: &str, host: &str, users: Option<&HashSet<String>>) -> String {
    let mut names = HashSet::new();
    let mut out = String::new();
    for line in master.lines().chain(host.lines()) {
        let f = fields(line);
        let Some(id) = f.get(2).and_then(|id| id.parse::<u32>().ok()) else {
            continue;
        };
        if !(id < 1000 || id == 65534) || !names.insert(f[0].to_string()) {
            continue;
        }
        match users {
            // group: name:x:gid:members
            Some(users) => {
                let members: Vec<&str> = f
                    .get(3)
                    .unwrap_or(&"")
                    .split(',')
                    .filter(|m| users.contains(*m))
                    .collect();
                out.push_str(&format!("{}:x:{id}:{}\n", f[0], members.join(",")));
            }
            None => {
                let mut f = f.clone();
                f[1] = "x";
                out.push_str(&f.join(":"));
                out.push('\n');
            }
        }
    }
    out
}

fn names(file: &str) -> Vec<&str> {
    file.lines().filter_map(|l| l.split(':').next()).collect()
}

/// The id (third field) of `name` in a passwd- or group-format file.
fn id_of(file: &str, name: &str) -> Option<u64> {
    file.lines().find_map(|l| {
        let f = fields(l);
        (f[0] == name).then(|| f.get(2)?.parse().ok()).flatten()
    })
}

/// What Debian's maintainer scripts would have written in `/etc`, `/root`
/// and elsewhere, and the directories the tests need.
fn generate_etc(t: &mut Tree) -> Result<(), String> {
    let passwd = system_entries(
        &host_text("/usr/share/base-passwd/passwd.master")?,
        &host_text("/etc/passwd")?,
        None,
    );
    let users: HashSet<String> = names(&passwd).into_iter().map(String::from).collect();
    let group = system_entries(
        &host_text("/usr/share/base-passwd/group.master")?,
        &host_text("/etc/group")?,
        Some(&users),
    );
    let shadow_gid = id_of(&group, "shadow").ok_or("no group `shadow` in /etc/group")?;
    let shadow: String = names(&passwd)
        .iter()
        .map(|n| format!("{n}:*:{SHADOW_LASTCHG}:0:99999:7:::\n"))
        .collect();
    let gshadow: String = group
        .lines()
        .map(|l| {
            let f = fields(l);
            format!("{}:*::{}\n", f[0], f.get(3).unwrap_or(&""))
        })
        .collect();
    let passwd_text = passwd.clone();
    t.file("/etc/passwd", 0o644, 0, passwd);
    t.file("/etc/group", 0o644, 0, group);
    t.file("/etc/shadow", 0o640, shadow_gid, shadow);
    t.file("/etc/gshadow", 0o640, shadow_gid, gshadow);

    let nsswitch = host_text("/usr/share/libc-bin/nsswitch.conf")?;
    t.file("/etc/nsswitch.conf", 0o644, 0, nsswitch);
    t.file(
        "/etc/shells",
        0o644,
        0,
        "# /etc/shells: valid login shells\n/bin/sh\n/usr/bin/sh\n/bin/bash\n/usr/bin/bash\n\
         /bin/rbash\n/usr/bin/rbash\n/bin/dash\n/usr/bin/dash\n",
    );
    for (to, from) in [
        ("/etc/profile", "/usr/share/base-files/profile"),
        ("/root/.profile", "/usr/share/base-files/dot.profile"),
        ("/root/.bashrc", "/usr/share/base-files/dot.bashrc"),
    ] {
        let text = host_text(from)?;
        t.file(to, 0o644, 0, text);
    }
    // What pam-auth-update writes when pam_unix is the only profile.
    for (kind, primary) in [
        ("auth", "[success=1 default=ignore]\tpam_unix.so nullok"),
        (
            "account",
            "[success=1 new_authtok_reqd=done default=ignore]\tpam_unix.so",
        ),
        (
            "password",
            "[success=1 default=ignore]\tpam_unix.so obscure yescrypt",
        ),
        ("session", "[default=1]\t\t\tpam_permit.so"),
        ("session-noninteractive", "[default=1]\t\t\tpam_permit.so"),
    ] {
        let ty = kind.split('-').next().unwrap_or(kind);
        let mut s = format!(
            "# /etc/pam.d/common-{kind}: as pam-auth-update writes it with pam_unix alone\n\
             {ty}\t{primary}\n{ty}\trequisite\t\t\tpam_deny.so\n{ty}\trequired\t\t\tpam_permit.so\n"
        );
        if ty == "session" {
            s.push_str("session\trequired\tpam_unix.so\n");
        }
        t.file(&format!("/etc/pam.d/common-{kind}"), 0o644, 0, s);
    }
    t.file("/etc/apt/sources.list", 0o644, 0, "");
    t.put(
        "/etc/mtab",
        Node::Symlink {
            target: "../proc/self/mounts".into(),
        },
    );
    t.dir("/tmp", 0o1777, 0, 0);
    t.dir("/var/tmp", 0o1777, 0, 0);
    t.dir("/run/lock", 0o1777, 0, 0);
    t.dir("/root", 0o700, 0, 0);
    t.dir("/home", 0o755, 0, 0);
    // apt makes these itself, but Debian's images have them.
    let apt_uid = id_of(&passwd_text, "_apt").unwrap_or(42);
    for d in [
        "/var/lib/apt/lists/partial",
        "/var/cache/apt/archives/partial",
    ] {
        let resolved = Tree::resolved(d).unwrap_or_else(|| d.to_string());
        if !t.nodes.contains_key(&resolved) {
            t.dir(&resolved, 0o700, apt_uid, 0);
        }
    }
    Ok(())
}

/// Whether a `pkg[:arch][/noawait]` names an included package.
fn names_included(word: &str, included: &HashSet<&str>) -> bool {
    let w = word.split('/').next().unwrap_or(word);
    included.contains(w) || included.contains(w.split(':').next().unwrap_or(w))
}

/// The `Package:` stanzas of a dpkg `status` file whose `(name, arch)`
/// are in `keep`.
pub fn filter_status(status: &str, keep: &HashSet<(String, String)>) -> String {
    let mut out = String::new();
    for stanza in status.split("\n\n") {
        let field = |name: &str| {
            stanza
                .lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
                .unwrap_or("")
                .to_string()
        };
        let stanza = stanza.trim_matches('\n');
        if stanza.is_empty() {
            continue;
        }
        if keep.contains(&(field("Package"), field("Architecture"))) {
            out.push_str(stanza);
            out.push_str("\n\n");
        }
    }
    out
}

/// dpkg's database as it would be with only `pkgs` installed.
fn generate_dpkg_db(t: &mut Tree, pkgs: &[&Pkg]) -> Result<(), String> {
    let db = "/var/lib/dpkg";
    let keep: HashSet<(String, String)> = pkgs
        .iter()
        .map(|p| (p.name.clone(), p.arch.clone()))
        .collect();
    let included: HashSet<&str> = pkgs
        .iter()
        .flat_map(|p| [p.name.as_str(), p.binary.as_str()])
        .collect();
    let status = filter_status(&host_text(&format!("{db}/status"))?, &keep);
    t.file(&format!("{db}/status"), 0o644, 0, status);
    t.file(&format!("{db}/available"), 0o644, 0, "");
    t.file(&format!("{db}/lock"), 0o640, 0, "");
    for d in ["alternatives", "info", "parts", "updates", "triggers"] {
        t.dir(&format!("{db}/{d}"), 0o755, 0, 0);
    }
    // diversions: (from, to, package) line triples.
    let div = host_text(&format!("{db}/diversions"))?;
    let lines: Vec<&str> = div.lines().collect();
    let diversions: String = lines
        .chunks(3)
        .filter(|c| c.len() == 3 && included.contains(c[2]))
        .map(|c| format!("{}\n{}\n{}\n", c[0], c[1], c[2]))
        .collect();
    t.file(&format!("{db}/diversions"), 0o644, 0, diversions);
    // statoverride: "user group mode path" for files the image has.
    let so = fs::read_to_string(format!("{db}/statoverride")).unwrap_or_default();
    let so: String = so
        .lines()
        .filter(|l| l.split(' ').nth(3).is_some_and(|p| t.contains_file(p)))
        .map(|l| format!("{l}\n"))
        .collect();
    t.file(&format!("{db}/statoverride"), 0o644, 0, so);
    // info/<binary>.<ext> of the included packages.
    let info = format!("{db}/info");
    let entries = fs::read_dir(&info).map_err(|e| format!("reading {info}: {e}"))?;
    for e in entries {
        let e = e.map_err(|e| format!("reading {info}: {e}"))?;
        let name = e.file_name().to_string_lossy().into_owned();
        // `format` says the names are arch-qualified (`libc6:amd64.list`).
        let pkg = name.rsplit_once('.').map(|(pkg, _ext)| pkg);
        if name == "format" || pkg.is_some_and(|p| included.contains(p)) {
            t.add_one(&format!("{info}/{name}"));
        }
    }
    // Trigger interests of the included packages only.
    let trig = format!("{db}/triggers");
    for e in fs::read_dir(&trig).map_err(|e| format!("reading {trig}: {e}"))? {
        let e = e.map_err(|e| format!("reading {trig}: {e}"))?;
        let name = e.file_name().to_string_lossy().into_owned();
        let path = format!("{trig}/{name}");
        match name.as_str() {
            "Lock" => t.file(&path, 0o600, 0, ""),
            "Unincorp" => t.file(&path, 0o644, 0, ""),
            _ => {
                // File: "path pkg[/noawait]"; others: "pkg[/noawait]".
                let text = fs::read_to_string(&path).unwrap_or_default();
                let kept: String = text
                    .lines()
                    .filter(|l| {
                        l.split_whitespace()
                            .last()
                            .is_some_and(|w| names_included(w, &included))
                    })
                    .map(|l| format!("{l}\n"))
                    .collect();
                if !kept.is_empty() || name == "File" {
                    t.file(&path, 0o644, 0, kept);
                }
            }
        }
    }
    Ok(())
}

/// The alternatives whose current choice the image has: the
/// `/etc/alternatives` link, the link to it (e.g. `/usr/bin/awk`), and
/// dpkg's record.
fn generate_alternatives(t: &mut Tree) {
    let Ok(entries) = fs::read_dir("/var/lib/dpkg/alternatives") else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let record = format!("/var/lib/dpkg/alternatives/{name}");
        let Ok(text) = fs::read_to_string(&record) else {
            continue;
        };
        let mut lines = text.lines();
        let (Some(_mode), Some(master)) = (lines.next(), lines.next()) else {
            continue;
        };
        let mut links = vec![(name.clone(), master.to_string())];
        // Slaves: name and link pairs up to a blank line.
        while let (Some(n), Some(l)) = (lines.next(), lines.next()) {
            if n.is_empty() {
                break;
            }
            links.push((n.to_string(), l.to_string()));
        }
        let mut any = false;
        for (n, link) in links {
            let alt = format!("/etc/alternatives/{n}");
            if skipped(&link) || !t.contains_file(&alt) {
                continue;
            }
            t.add_host(&alt);
            t.add_host(&link);
            any = true;
        }
        if any {
            t.add_one(&record);
        }
    }
}

// ---------------------------------------------------------------------------
// Images.

/// The Debian image: one layer, `Cmd ["bash"]`, Debian's `PATH`.
pub fn debian_image() -> ImageBuilder {
    ImageBuilder::new()
        .layer(debian_rootfs().layer.clone())
        .env(DEFAULT_PATH)
        .cmd(&["bash"])
}

/// Repository the Debian images are pushed to in the shared registry.
const DEBIAN_REPO: &str = "issue16-debian";

/// [`debian_image`] pushed to the shared registry, once per process.
pub fn debian() -> &'static str {
    static REF: OnceLock<String> = OnceLock::new();
    REF.get_or_init(|| debian_image().push(shared(), DEBIAN_REPO, "12").reference)
}

/// The Debian image with [`gosu_layer`] on top, pushed once per process.
pub fn debian_with_gosu() -> &'static str {
    static REF: OnceLock<String> = OnceLock::new();
    REF.get_or_init(|| {
        debian_image()
            .layer(gosu_layer())
            .push(shared(), DEBIAN_REPO, "12-gosu")
            .reference
    })
}

/// Where [`gosu_layer`] puts gosu.
pub const GOSU: &str = "/usr/local/bin/gosu";

/// `gosu UID:GID CMD [ARGS...]` (`tests/integration/gosu.c`), static.
pub fn gosu_binary() -> Arc<Vec<u8>> {
    static BIN: OnceLock<Arc<Vec<u8>>> = OnceLock::new();
    BIN.get_or_init(|| {
        Arc::new(super::static_c_program(
            "gosu",
            include_str!("../integration/gosu.c"),
        ))
    })
    .clone()
}

/// A layer with gosu at [`GOSU`] (0755, root's): put it on any image.
pub fn gosu_layer() -> Layer {
    Layer::new().file(GOSU, 0o755, &gosu_binary())
}

// ---------------------------------------------------------------------------
// The loopback APT repository.

/// The `--network` value that lets a container reach the host's loopback
/// at 10.0.2.2.
pub const HOST_LOOPBACK_NETWORK: &str = "slirp4netns:allow_host_loopback=true";

/// The package [`AptRepo`] serves, the file it installs, and what that
/// file holds.
pub const HELLO_PACKAGE: &str = "rsp-hello";
pub const HELLO_PATH: &str = "/usr/share/rsp-hello/hello.txt";
pub const HELLO_CONTENT: &str = "hello from rsp-hello\n";
const HELLO_DEB: &str = "rsp-hello_1.0_all.deb";
/// The end of the path apt requests the package's `.deb` by.
pub const HELLO_DEB_URL_PATH: &str = "/rsp-hello_1.0_all.deb";

/// A flat APT repository (`deb [trusted=yes] http://…/ ./`) with one
/// package, [`HELLO_PACKAGE`], served over HTTP/1.1 on 127.0.0.1 by a
/// thread of the test process until dropped. Only its own files are
/// served: `Release`, `Packages`, `Packages.gz` and the `.deb`.
pub struct AptRepo {
    port: u16,
    stop: Arc<AtomicBool>,
    requests: Arc<Mutex<Vec<String>>>,
    thread: Option<JoinHandle<()>>,
}

/// Connections served at once; more are closed at once.
const MAX_CONNECTIONS: usize = 16;
/// A connection idle this long is closed.
const IDLE: Duration = Duration::from_secs(30);

impl AptRepo {
    pub fn start() -> AptRepo {
        let files = Arc::new(repo_files());
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding 127.0.0.1:0");
        let port = listener.local_addr().expect("local_addr").port();
        listener.set_nonblocking(true).expect("set_nonblocking");
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (s, r) = (stop.clone(), requests.clone());
        let thread = thread::Builder::new()
            .name("apt-repo".into())
            .spawn(move || accept_loop(listener, files, s, r))
            .expect("spawning the APT repository thread");
        AptRepo {
            port,
            stop,
            requests,
            thread: Some(thread),
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The `sources.list` line a container run with
    /// [`HOST_LOOPBACK_NETWORK`] uses to reach this repository.
    pub fn sources_list_line(&self) -> String {
        format!("deb [trusted=yes] http://10.0.2.2:{}/ ./", self.port)
    }

    /// Every request line served so far (`GET /Release`), in order.
    pub fn requests(&self) -> Vec<String> {
        self.requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Drop for AptRepo {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The repository's files by name: the `.deb` made with `dpkg-deb`, and
/// the indexes written here (what `dpkg-scanpackages` and `apt-ftparchive`
/// would write, SHA256 only).
fn repo_files() -> HashMap<String, Arc<Vec<u8>>> {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("pkg");
    let file = root.join(HELLO_PATH.trim_start_matches('/'));
    fs::create_dir_all(file.parent().unwrap()).unwrap();
    fs::create_dir_all(root.join("DEBIAN")).unwrap();
    fs::write(&file, HELLO_CONTENT).unwrap();
    let control = format!(
        "Package: {HELLO_PACKAGE}\nVersion: 1.0\nArchitecture: all\n\
         Maintainer: rsp tests <rsp-tests@localhost>\nSection: misc\nPriority: optional\n\
         Description: a file for rsp's tests\n \
         Built by rsp's integration tests and served on the host's loopback.\n"
    );
    fs::write(root.join("DEBIAN/control"), &control).unwrap();
    // dpkg-deb wants the package's directories 0755 whatever the umask.
    for d in walk_dirs(&root) {
        fs::set_permissions(&d, fs::Permissions::from_mode(0o755)).unwrap();
    }
    fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
    let deb_path = dir.path().join(HELLO_DEB);
    let out = Command::new("dpkg-deb")
        .args(["--root-owner-group", "-Zgzip", "--build"])
        .arg(&root)
        .arg(&deb_path)
        .output()
        .unwrap_or_else(|e| panic!("running dpkg-deb (dpkg): {e}"));
    assert!(
        out.status.success(),
        "dpkg-deb --build: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let deb = fs::read(&deb_path).unwrap();
    let packages = packages_stanza(&control, HELLO_DEB, &deb);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(packages.as_bytes()).unwrap();
    let packages_gz = gz.finish().unwrap();
    let release = release_file(&[
        ("Packages", packages.as_bytes()),
        ("Packages.gz", &packages_gz),
    ]);
    [
        ("Release", release.into_bytes()),
        ("Packages", packages.into_bytes()),
        ("Packages.gz", packages_gz),
        (HELLO_DEB, deb),
    ]
    .into_iter()
    .map(|(n, d)| (n.to_string(), Arc::new(d)))
    .collect()
}

fn walk_dirs(root: &Path) -> Vec<PathBuf> {
    let mut out = vec![root.to_path_buf()];
    let mut i = 0;
    while i < out.len() {
        for e in fs::read_dir(&out[i]).unwrap().flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                out.push(e.path());
            }
        }
        i += 1;
    }
    out
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// A `Packages` stanza: the control fields and where the `.deb` is.
pub fn packages_stanza(control: &str, filename: &str, deb: &[u8]) -> String {
    let (head, description) = control
        .split_once("Description:")
        .expect("control has a Description");
    format!(
        "{head}Filename: ./{filename}\nSize: {}\nSHA256: {}\nDescription:{description}\n",
        deb.len(),
        sha256_hex(deb)
    )
}

/// A flat repository's `Release`, listing `files` with SHA256 hashes.
pub fn release_file(files: &[(&str, &[u8])]) -> String {
    let mut r = String::from(
        "Origin: rsp-tests\nLabel: rsp-tests\nSuite: rsp\nCodename: rsp\n\
         Date: Mon, 01 Jan 2024 00:00:00 UTC\nArchitectures: all amd64 arm64\n\
         Description: rsp's test repository\nSHA256:\n",
    );
    for (name, data) in files {
        r.push_str(&format!(" {} {} {name}\n", sha256_hex(data), data.len()));
    }
    r
}

fn accept_loop(
    listener: TcpListener,
    files: Arc<HashMap<String, Arc<Vec<u8>>>>,
    stop: Arc<AtomicBool>,
    requests: Arc<Mutex<Vec<String>>>,
) {
    let live = Arc::new(AtomicUsize::new(0));
    let mut handlers: Vec<JoinHandle<()>> = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((conn, _)) => {
                if live.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
                    continue; // dropped: closed
                }
                live.fetch_add(1, Ordering::SeqCst);
                let (f, s, r, l) = (files.clone(), stop.clone(), requests.clone(), live.clone());
                handlers.push(thread::spawn(move || {
                    let _ = serve_connection(conn, &f, &s, &r);
                    l.fetch_sub(1, Ordering::SeqCst);
                }));
                handlers.retain(|h| !h.is_finished());
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(5));
            }
            Err(_) => thread::sleep(Duration::from_millis(5)),
        }
    }
    for h in handlers {
        let _ = h.join();
    }
}

/// One parsed request: method, path, and whether the client asked to
/// close the connection after it.
#[derive(Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub close: bool,
}

/// Parses the head of one request (up to and without the blank line).
pub fn parse_request(head: &str) -> Option<Request> {
    let mut lines = head.split("\r\n");
    let mut words = lines.next()?.split(' ');
    let (method, target, version) = (words.next()?, words.next()?, words.next()?);
    let mut close = version == "HTTP/1.0";
    for l in lines {
        if let Some((k, v)) = l.split_once(':')
            && k.trim().eq_ignore_ascii_case("connection")
        {
            close = v.trim().eq_ignore_ascii_case("close");
        }
    }
    Some(Request {
        method: method.to_string(),
        path: target.split(['?', '#']).next().unwrap_or("").to_string(),
        close,
    })
}

/// The served file's name for a request path: `.` segments and empty
/// ones dropped (`/./Release` is `Release`); `..` never matches.
pub fn file_name(path: &str) -> String {
    path.split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect::<Vec<_>>()
        .join("/")
}

fn serve_connection(
    mut conn: TcpStream,
    files: &HashMap<String, Arc<Vec<u8>>>,
    stop: &AtomicBool,
    requests: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    conn.set_nonblocking(false)?;
    conn.set_read_timeout(Some(Duration::from_millis(100)))?;
    conn.set_write_timeout(Some(IDLE))?;
    let mut buf: Vec<u8> = Vec::new();
    let mut last = Instant::now();
    loop {
        // Every complete request in the buffer (apt pipelines them).
        while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            buf.drain(..end + 4);
            let Some(req) = parse_request(&head) else {
                conn.write_all(
                    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                )?;
                return Ok(());
            };
            requests
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(format!("{} {}", req.method, req.path));
            let body = files.get(&file_name(&req.path));
            let head_only = req.method == "HEAD";
            match (req.method.as_str(), body) {
                ("GET" | "HEAD", Some(body)) => {
                    write!(
                        conn,
                        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
                        body.len()
                    )?;
                    if !head_only {
                        conn.write_all(body)?;
                    }
                }
                ("GET" | "HEAD", None) => {
                    conn.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")?
                }
                _ => conn.write_all(
                    b"HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\nContent-Length: 0\r\n\r\n",
                )?,
            }
            if req.close {
                return Ok(());
            }
            last = Instant::now();
        }
        if buf.len() > 64 * 1024 {
            return Ok(()); // no request head is this long
        }
        let mut chunk = [0u8; 4096];
        match conn.read(&mut chunk) {
            Ok(0) => return Ok(()),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if stop.load(Ordering::SeqCst) || last.elapsed() > IDLE {
                    return Ok(());
                }
            }
            Err(e) => return Err(e),
        }
    }
}

// ---------------------------------------------------------------------------
// Self-checks of the parts that need no host packages.

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue16_util_dependency_groups() {
        let g = dependency_groups(
            "libc6 (>= 2.34), gpgv | gpgv2 | gpgv1, python3:any (>= 3.11), foo [amd64] <!nocheck>, ",
        );
        let want: Vec<Vec<&str>> = vec![
            vec!["libc6"],
            vec!["gpgv", "gpgv2", "gpgv1"],
            vec!["python3"],
            vec!["foo"],
        ];
        assert_eq!(g, want);
        assert!(dependency_groups("").is_empty());
    }

    #[test]
    fn issue16_util_closure_follows_installed_alternatives_and_providers() {
        let line = |b: &str, n: &str, a: &str, st: &str, prov: &str, pre: &str, dep: &str| {
            format!("{b}\t{n}\t{a}\t{st}\t{prov}\t{pre}\t{dep}\n")
        };
        let out = [
            line(
                "root",
                "root",
                "amd64",
                "ii ",
                "",
                "libc6",
                "alt-a | alt-b, virt, gone",
            ),
            line("libc6:amd64", "libc6", "amd64", "ii ", "", "", ""),
            line("libc6:i386", "libc6", "i386", "ii ", "", "", ""),
            line("alt-b", "alt-b", "all", "ii ", "", "", ""),
            line("alt-a", "alt-a", "all", "rc ", "", "", ""),
            line(
                "prov",
                "prov",
                "amd64",
                "ii ",
                "virt (= 1)",
                "",
                "libc6:any",
            ),
            line("unrelated", "unrelated", "amd64", "ii ", "", "", ""),
        ]
        .concat();
        let db = PackageDb::parse(&out, "amd64");
        let c: Vec<&str> = db
            .closure(&["root"])
            .unwrap()
            .iter()
            .map(|p| p.binary.as_str())
            .collect();
        assert_eq!(c, ["alt-b", "libc6:amd64", "prov", "root"]);
        assert!(db.closure(&["alt-a"]).unwrap_err().contains("alt-a"));
    }

    #[test]
    fn issue16_util_system_entries_keep_system_ids_only() {
        let master =
            "root:*:0:0:root:/root:/bin/bash\n_apt:*:42:65534::/nonexistent:/usr/sbin/nologin\n";
        let host = "root:x:0:0:root:/root:/bin/bash\nmessagebus:x:100:102::/nonexistent:/usr/sbin/nologin\n\
                    alice:x:1000:1000::/home/alice:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
        let p = system_entries(master, host, None);
        assert_eq!(
            p,
            "root:x:0:0:root:/root:/bin/bash\n_apt:x:42:65534::/nonexistent:/usr/sbin/nologin\n\
             messagebus:x:100:102::/nonexistent:/usr/sbin/nologin\n\
             nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
        );
        let users: HashSet<String> = names(&p).into_iter().map(String::from).collect();
        let g = system_entries(
            "root:*:0:\nshadow:*:42:\n",
            "sudo:x:27:alice,root\nalice:x:1000:\nnogroup:x:65534:\n",
            Some(&users),
        );
        assert_eq!(
            g,
            "root:x:0:\nshadow:x:42:\nsudo:x:27:root\nnogroup:x:65534:\n"
        );
        assert_eq!(id_of(&g, "shadow"), Some(42));
    }

    #[test]
    fn issue16_util_filter_status_keeps_included_stanzas() {
        let status = "Package: a\nStatus: install ok installed\nArchitecture: amd64\n\n\
                      Package: b\nArchitecture: all\nDescription: x\n y\n\n\
                      Package: a\nArchitecture: i386\n\n";
        let keep: HashSet<(String, String)> = [("a".into(), "amd64".into())].into();
        assert_eq!(
            filter_status(status, &keep),
            "Package: a\nStatus: install ok installed\nArchitecture: amd64\n\n"
        );
    }

    #[test]
    fn issue16_util_http_request_parsing() {
        let r =
            parse_request("GET /./Release?x=1 HTTP/1.1\r\nHost: h\r\nConnection: close").unwrap();
        assert_eq!(
            r,
            Request {
                method: "GET".into(),
                path: "/./Release".into(),
                close: true
            }
        );
        assert!(parse_request("HEAD / HTTP/1.0").unwrap().close);
        assert!(
            !parse_request("GET / HTTP/1.1\r\nConnection: keep-alive")
                .unwrap()
                .close
        );
        assert!(parse_request("garbage").is_none());
        assert_eq!(file_name("/./Release"), "Release");
        assert_eq!(file_name("//Packages.gz"), "Packages.gz");
        assert_eq!(file_name("/../Release"), "../Release");
    }

    #[test]
    fn issue16_util_release_lists_hashes() {
        let r = release_file(&[("Packages", b"abc")]);
        assert!(r.ends_with(
            "SHA256:\n ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad 3 Packages\n"
        ));
        let s = packages_stanza(
            "Package: p\nVersion: 1\nDescription: d\n more\n",
            "p.deb",
            b"abc",
        );
        assert_eq!(
            s,
            "Package: p\nVersion: 1\nFilename: ./p.deb\nSize: 3\nSHA256: \
             ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\nDescription: d\n more\n\n"
        );
    }

    #[test]
    fn issue16_util_apt_repo_serves_its_files_over_keepalive() {
        if !crate::util::require_or_skip("dpkg-deb", DEBIAN_HOW, debian_available()) {
            return;
        }
        let repo = AptRepo::start();
        let mut s = TcpStream::connect(("127.0.0.1", repo.port())).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        // Two pipelined requests, the second closing.
        s.write_all(
            b"GET /./Release HTTP/1.1\r\nHost: x\r\n\r\nGET /missing HTTP/1.1\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        assert!(out.starts_with("HTTP/1.1 200 OK\r\n"), "{out}");
        assert!(out.contains("SHA256:\n"), "{out}");
        assert!(out.contains(" Packages.gz\n"), "{out}");
        assert!(
            out.ends_with("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
            "{out}"
        );
        assert_eq!(repo.requests(), ["GET /./Release", "GET /missing"]);
        let port = repo.port();
        drop(repo);
        // Stopped: nothing listens any more.
        assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    }
}
