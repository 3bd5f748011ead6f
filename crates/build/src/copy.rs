//! COPY and ADD: Docker's rules for sources and destinations, applied by
//! writing into a fresh *upper* directory above an image's layers (the
//! store's overlay format: the layer made from it is
//! `rsp_storage::pack::compare(old = layers, new = [upper] + layers)`,
//! upper read with the default owner 0:0).
//!
//! Rules (BuildKit's, which Podman follows):
//! - Sources are relative to the source tree's root; a leading `/` means
//!   the root; `..` never leaves it (`COPY ../x` is refused:
//!   [`CopyError::Outside`]); wildcards (`*`, `?`, `[...]`, Go's
//!   `filepath.Match`) match within one component; a pattern matching
//!   nothing is an error ([`CopyError::NoSource`]).
//! - A source's own path follows symlinks inside the tree (scoped: an
//!   absolute or `..` target resolves against the tree's root, never
//!   outside it); entries inside a copied directory are copied as they
//!   are, symlinks as symlinks.
//! - A directory source copies its contents, not itself. The destination
//!   is a directory if it ends in `/`, if there are several sources, or
//!   if it already is one in the image; relative destinations are taken
//!   from the WORKDIR. Missing parents are created (0755, root-owned,
//!   or `--chown`'s owner as Docker does for the directories it creates).
//! - The destination path is resolved in the image's view following its
//!   symlinks (scoped to the image's root), so `COPY x /var/run/` lands
//!   where `/var/run` points.
//! - Copied entries are owned by 0:0 unless `--chown` (ADD archives keep
//!   their entries' owners unless `--chown`); modes are kept unless
//!   `--chmod`; mtimes are kept. Owners are written as the store's
//!   `user.containers.override_stat` record.
//! - A directory the upper needs that exists below gets the attributes
//!   it has below, so the layer shows only what the copy changed.
//!
//! [`hash`] gives the cache key part of a COPY: it covers the paths,
//! contents, modes and owners as they will be copied.
//!
//! # Details
//!
//! - [`sources`] splits a pattern as BuildKit does: the components before
//!   the first one with a wildcard are a literal path (symlinks followed);
//!   the rest are matched level by level, descending only into real
//!   directories. `\` escapes in matched components; a literal component
//!   is taken as written. `**` is two `*`.
//! - A source path is returned with its parents resolved and its last
//!   component as the tree names it, which may be a symlink: that name is
//!   the one a file gets inside a destination directory (`COPY link /d/`
//!   makes `/d/link`), and [`copy`] and [`hash`] follow it (scoped) to
//!   what it points at.
//! - Several sources with a destination not ending in `/` is
//!   [`CopyError::DestNotDir`] (Docker counts the sources after
//!   expansion: a wildcard matching one file may name a file
//!   destination, as in Docker and Podman).
//! - The destination's last component is followed too when it is a
//!   symlink (BuildKit's scoped resolution of the whole path).
//! - A directory's contents merge with a directory already there; an
//!   existing subdirectory takes the copied one's attributes, the
//!   destination directory itself keeps its own. A file or symlink
//!   replaces a file or symlink; one onto a directory is
//!   [`CopyError::IsDir`], a directory onto anything else
//!   [`CopyError::NotDir`]. Devices, FIFOs and sockets are not copied.
//!
//! On disk the owner record follows the layer unpacker's policy exactly:
//! files are at least `u+rw` and directories `u+rwx` for the invoking
//! user, and the record (owner and true mode) is written unless owner
//! 0:0 and the disk mode already say everything. Symlinks cannot carry
//! the record, as in unpacked layers.
//!
//! # Security contract
//!
//! Nothing is ever written through a symlink: every directory of the
//! upper is opened or created one component at a time relative to its
//! parent's descriptor with `O_NOFOLLOW`, files are created with
//! `O_CREAT | O_EXCL | O_NOFOLLOW` after what was there is unlinked, and
//! destination symlinks are resolved by this module against the image's
//! root, so an image's `/app -> /etc` puts `COPY x /app/` at the
//! layer's `/etc/x`, never the host's. Sources are read only through
//! their [`Tree`], which never follows symlinks itself.

use crate::tree::{Kind, Meta, Tree};
use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag, openat, readlinkat};
use nix::sys::stat::{FileStat, Mode, SFlag, UtimensatFlags, fchmod, fstatat, mkdirat, utimensat};
use nix::sys::time::TimeSpec;
use nix::unistd::{UnlinkatFlags, symlinkat, unlinkat};
use rsp_storage::layer::{OVERRIDE_STAT_XATTR, OverrideStat};
use sha2::{Digest, Sha256};
use std::collections::VecDeque;
use std::ffi::{OsStr, OsString};
use std::fs::{File, FileTimes};
use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use xattr::FileExt;

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("{0:?}: forbidden path outside the build context")]
    Outside(String),
    #[error("no source files were specified")]
    NoSources,
    #[error("{0:?}: no such file or directory")]
    NoSource(String),
    #[error("invalid pattern {0:?}")]
    BadPattern(String),
    #[error("reading {}: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("writing {}: {source}", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{0:?}: when copying several sources the destination must be a directory and end with a /"
    )]
    DestNotDir(String),
    #[error("{0:?}: too many levels of symbolic links")]
    Loop(String),
    #[error("cannot copy to non-directory: {0}")]
    NotDir(String),
    #[error("cannot replace directory {0} with a file")]
    IsDir(String),
    #[error("{0}")]
    Other(String),
}

/// How entries are written.
#[derive(Clone, Debug, Default)]
pub struct CopyOptions {
    /// `--chown`, resolved to numbers.
    pub chown: Option<(u32, u32)>,
    /// `--chmod`, permission bits.
    pub chmod: Option<u32>,
    /// Keep the sources' owners (ADD of an archive): else 0:0.
    pub keep_owners: bool,
}

/// Symlinks followed in one resolution at most (Linux's `MAXSYMLINKS`).
const MAX_HOPS: usize = 40;

/// Sources matched by `patterns` (already expanded) in `tree`: the
/// relative paths (symlinks of the pattern's own path followed, scoped;
/// the last component as named, see the module docs), in the order
/// given, each pattern's matches sorted.
pub fn sources(tree: &dyn Tree, patterns: &[String]) -> Result<Vec<PathBuf>, CopyError> {
    if patterns.is_empty() {
        return Err(CopyError::NoSources);
    }
    let mut out = Vec::new();
    for pat in patterns {
        let comps = pattern_components(pat)?;
        let mut lookup = |p: &Path| tree_lstat(tree, p);
        let Some(first_wild) = comps.iter().position(|c| has_wildcards(c.as_bytes())) else {
            let Some((name, parents)) = comps.split_last() else {
                out.push(PathBuf::new());
                continue;
            };
            let (parent, _) = resolve(&mut lookup, parents, true, pat)?;
            let path = parent.join(name);
            resolve_source(tree, &path, pat)?;
            out.push(path);
            continue;
        };
        let globs = comps[first_wild..]
            .iter()
            .map(|c| Glob::parse(c.as_bytes()))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| CopyError::BadPattern(pat.clone()))?;
        let (base, meta) = resolve(&mut lookup, &comps[..first_wild], true, pat)?;
        let mut found = Vec::new();
        if meta.is_some_and(|m| m.kind == Kind::Dir) {
            found.push(base);
        }
        for (i, glob) in globs.iter().enumerate() {
            let last = i + 1 == globs.len();
            let mut next = Vec::new();
            for dir in &found {
                for name in tree.list(dir).map_err(read_err(dir))? {
                    if !glob.matches(name.as_bytes()) {
                        continue;
                    }
                    let p = dir.join(&name);
                    // Like BuildKit's walk: no descending through symlinks.
                    if last || tree_lstat(tree, &p)?.is_some_and(|m| m.kind == Kind::Dir) {
                        next.push(p);
                    }
                }
            }
            found = next;
        }
        if found.is_empty() {
            return Err(CopyError::NoSource(pat.clone()));
        }
        for p in &found {
            resolve_source(tree, p, &p.to_string_lossy())?;
        }
        out.extend(found);
    }
    Ok(out)
}

/// The cache-key hash of copying `sources` of `tree` with `opts`:
/// `sha256:HEX` over each entry's relative path, kind, mode and owner as
/// they will be copied, symlink target, and file contents. Mtimes are
/// left out, as in BuildKit's content hash.
pub fn hash(tree: &dyn Tree, sources: &[PathBuf], opts: &CopyOptions) -> Result<String, CopyError> {
    hash_sized(tree, sources, opts).map(|(h, _)| h)
}

/// [`hash`], and the bytes of file contents the copy will write (to
/// choose where to stage it).
pub fn hash_sized(
    tree: &dyn Tree,
    sources: &[PathBuf],
    opts: &CopyOptions,
) -> Result<(String, u64), CopyError> {
    let mut bytes = 0;
    let mut h = Sha256::new();
    field(&mut h, b"rsp-build copy 1");
    let o = format!("{:?} {:?} {}", opts.chown, opts.chmod, opts.keep_owners);
    field(&mut h, o.as_bytes());
    for src in sources {
        let (real, meta) = resolve_source(tree, src, &src.to_string_lossy())?;
        field(&mut h, b"source");
        field(&mut h, src.file_name().unwrap_or_default().as_bytes());
        if meta.kind == Kind::Dir {
            hash_dir(tree, &real, Path::new(""), opts, &mut h, &mut bytes)?;
        } else {
            hash_entry(tree, &real, Path::new(""), &meta, opts, &mut h, &mut bytes)?;
        }
    }
    Ok((format!("sha256:{}", hex::encode(h.finalize())), bytes))
}

/// Copies `sources` of `tree` to `dest` (already expanded; relative to
/// `workdir`) of the image whose files `image` shows, writing into
/// `upper`. `several` is whether the instruction named more than one
/// source (or a wildcard); what counts for the destination is how many
/// sources there are (see the module docs).
#[allow(clippy::too_many_arguments)]
pub fn copy(
    tree: &dyn Tree,
    sources: &[PathBuf],
    several: bool,
    dest: &str,
    workdir: &str,
    image: &dyn Tree,
    upper: &Path,
    opts: &CopyOptions,
) -> Result<(), CopyError> {
    // Docker decides by the sources found, not the patterns written.
    let _ = several;
    if sources.is_empty() {
        return Err(CopyError::NoSources);
    }
    let slash = has_slash(dest);
    if sources.len() > 1 && !slash {
        return Err(CopyError::DestNotDir(dest.to_string()));
    }
    let w = Writer::open(image, upper, opts)?;
    let abs = absolute(dest, workdir);
    for src in sources {
        let (real, meta) = resolve_source(tree, src, &src.to_string_lossy())?;
        // Resolved again for each source: an earlier one may have made
        // what this one lands in.
        let (dst, dst_meta) = w.resolve_dest(&abs)?;
        match meta.kind {
            Kind::Dir => {
                if dst_meta.as_ref().is_some_and(|m| m.kind != Kind::Dir) {
                    return Err(CopyError::NotDir(shown(&dst)));
                }
                let (dir, image_has) = w.ensure_dir(&dst, w.created())?;
                w.copy_contents(tree, &real, &dir, &dst, image_has)?;
                set_mtime(&dir, meta.mtime, &dst)?;
            }
            Kind::Other => {}
            Kind::File | Kind::Symlink => {
                let into = slash || dst_meta.is_some_and(|m| m.kind == Kind::Dir);
                let target = if into {
                    let name = src.file_name().or(real.file_name()).ok_or_else(|| {
                        CopyError::Other(format!("{}: a file source has no name", src.display()))
                    })?;
                    dst.join(name)
                } else {
                    dst.clone()
                };
                let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
                    return Err(CopyError::IsDir(shown(&target)));
                };
                let (dir, image_has) = w.ensure_dir(parent, w.created())?;
                w.put(tree, &real, &meta, &dir, name, &target, image_has)?;
            }
        }
    }
    Ok(())
}

/// Writes `data` as the file `dest` (for `COPY <<EOF /path`), with the
/// same destination rules as [`copy`]; a destination that is a directory
/// needs a name: see [`write_named_file`].
pub fn write_file(
    data: &[u8],
    dest: &str,
    workdir: &str,
    image: &dyn Tree,
    upper: &Path,
    opts: &CopyOptions,
) -> Result<(), CopyError> {
    put_data(None, data, dest, workdir, image, upper, opts)
}

/// [`write_file`] for a heredoc named `name` (`COPY <<EOF /etc/`): a
/// destination that is a directory gets the file `name` in it, as
/// BuildKit copies a heredoc from a scratch file of that name.
#[allow(clippy::too_many_arguments)]
pub fn write_named_file(
    name: &str,
    data: &[u8],
    dest: &str,
    workdir: &str,
    image: &dyn Tree,
    upper: &Path,
    opts: &CopyOptions,
) -> Result<(), CopyError> {
    let name = Path::new(name).file_name();
    put_data(name, data, dest, workdir, image, upper, opts)
}

/// Makes directory `path` (absolute, in the image) and its missing
/// parents in `upper`, as WORKDIR does: 0755, owned by `owner`. A
/// directory that is already there is left as it is.
pub fn make_dir(
    path: &str,
    image: &dyn Tree,
    upper: &Path,
    owner: (u32, u32),
) -> Result<(), CopyError> {
    let opts = CopyOptions {
        chown: Some(owner),
        ..CopyOptions::default()
    };
    let w = Writer::open(image, upper, &opts)?;
    let (dst, meta) = w.resolve_dest(&absolute(path, "/"))?;
    match meta {
        Some(m) if m.kind == Kind::Dir => Ok(()),
        Some(_) => Err(CopyError::NotDir(shown(&dst))),
        None => w.ensure_dir(&dst, w.created()).map(drop),
    }
}

// ---- paths ----

/// `/`-rooted, for messages about the image.
fn shown(p: &Path) -> String {
    format!("/{}", p.display())
}

/// Whether a destination names a directory by its form (`/`, `/.`, `.`).
fn has_slash(dest: &str) -> bool {
    dest.is_empty() || dest == "." || dest.ends_with('/') || dest.ends_with("/.")
}

/// `dest` made absolute against `workdir`.
fn absolute(dest: &str, workdir: &str) -> String {
    if dest.starts_with('/') {
        dest.to_string()
    } else {
        format!("/{}/{dest}", workdir.trim_matches('/'))
    }
}

/// The components of a source pattern: `/` and `.` dropped, `..` taken
/// lexically; one that would climb above the root is refused.
fn pattern_components(pat: &str) -> Result<Vec<OsString>, CopyError> {
    let mut out = Vec::new();
    for c in pat.as_bytes().split(|&b| b == b'/') {
        match c {
            b"" | b"." => {}
            b".." => {
                if out.pop().is_none() {
                    return Err(CopyError::Outside(pat.to_string()));
                }
            }
            _ => out.push(OsString::from_vec(c.to_vec())),
        }
    }
    Ok(out)
}

/// The components of a path this module made (relative, plain).
fn path_components(p: &Path) -> Vec<OsString> {
    p.components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n.to_os_string()),
            Component::ParentDir => Some(OsString::from("..")),
            _ => None,
        })
        .collect()
}

type Lookup<'a> = dyn FnMut(&Path) -> Result<Option<Meta>, CopyError> + 'a;

/// Resolves `comps` from the root with `lookup`, following symlinks
/// (the last one only if `follow_final`) scoped to the root: an absolute
/// target starts again at the root, `..` stops there. Missing components
/// are kept as named. Returns the path and what is there.
fn resolve(
    lookup: &mut Lookup<'_>,
    comps: &[OsString],
    follow_final: bool,
    what: &str,
) -> Result<(PathBuf, Option<Meta>), CopyError> {
    let mut todo: VecDeque<OsString> = comps.iter().cloned().collect();
    let mut cur = PathBuf::new();
    let mut hops = 0;
    while let Some(c) = todo.pop_front() {
        match c.as_bytes() {
            b"" | b"." => continue,
            b".." => {
                cur.pop();
                continue;
            }
            _ => {}
        }
        let next = cur.join(&c);
        let last = todo.is_empty();
        match lookup(&next)? {
            Some(m) if m.kind == Kind::Symlink && (follow_final || !last) => {
                hops += 1;
                if hops > MAX_HOPS {
                    return Err(CopyError::Loop(what.to_string()));
                }
                let target = m.target.unwrap_or_default();
                let target = target.as_os_str().as_bytes();
                if target.starts_with(b"/") {
                    cur = PathBuf::new();
                }
                for part in target.split(|&b| b == b'/').rev() {
                    todo.push_front(OsString::from_vec(part.to_vec()));
                }
            }
            _ => cur = next,
        }
    }
    let meta = lookup(&cur)?;
    Ok((cur, meta))
}

fn read_err(path: &Path) -> impl Fn(io::Error) -> CopyError + '_ {
    move |source| CopyError::Read {
        path: path.to_path_buf(),
        source,
    }
}

fn tree_lstat(tree: &dyn Tree, p: &Path) -> Result<Option<Meta>, CopyError> {
    tree.lstat(p).map_err(read_err(p))
}

/// What a source path stands for: followed to the end (scoped).
fn resolve_source(tree: &dyn Tree, src: &Path, what: &str) -> Result<(PathBuf, Meta), CopyError> {
    let mut lookup = |p: &Path| tree_lstat(tree, p);
    match resolve(&mut lookup, &path_components(src), true, what)? {
        (p, Some(m)) => Ok((p, m)),
        (_, None) => Err(CopyError::NoSource(what.to_string())),
    }
}

/// Mode and owner of `m` as copied with `opts`.
fn as_copied(opts: &CopyOptions, m: &Meta) -> (u32, u32, u32) {
    let mode = match (m.kind, opts.chmod) {
        (Kind::Symlink, _) => 0o777,
        (_, Some(c)) => c & 0o7777,
        (_, None) => m.mode & 0o7777,
    };
    let (uid, gid) = opts.chown.unwrap_or(if opts.keep_owners {
        (m.uid, m.gid)
    } else {
        (0, 0)
    });
    (mode, uid, gid)
}

// ---- Go's filepath.Match, one component at a time ----

/// Whether a pattern component has a wildcard (`\` escapes one byte).
fn has_wildcards(p: &[u8]) -> bool {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            b'\\' => i += 1,
            b'*' | b'?' | b'[' => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

enum Tok {
    Star,
    /// One character.
    Any,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
    Byte(u8),
}

/// A parsed pattern component.
struct Glob(Vec<Tok>);

/// The character at the start of `s` and its length; a byte that starts
/// no valid UTF-8 is U+FFFD of length 1 (Go's decoding).
fn decode(s: &[u8]) -> (char, usize) {
    for n in 1..=s.len().min(4) {
        if let Ok(t) = std::str::from_utf8(&s[..n])
            && let Some(c) = t.chars().next()
        {
            return (c, n);
        }
    }
    (char::REPLACEMENT_CHARACTER, 1)
}

impl Glob {
    /// `None` for a malformed pattern (Go's `ErrBadPattern`).
    fn parse(p: &[u8]) -> Option<Glob> {
        // One class bound: `\` escapes; `-` or `]` must be escaped; a
        // class never ends the pattern there.
        fn bound(p: &[u8], mut i: usize) -> Option<(char, usize)> {
            if i >= p.len() || p[i] == b'-' || p[i] == b']' {
                return None;
            }
            if p[i] == b'\\' {
                i += 1;
                if i >= p.len() {
                    return None;
                }
            }
            let (c, n) = decode(&p[i..]);
            if c == char::REPLACEMENT_CHARACTER && n == 1 {
                return None;
            }
            i += n;
            (i < p.len()).then_some((c, i))
        }
        let mut toks = Vec::new();
        let mut i = 0;
        while i < p.len() {
            match p[i] {
                b'*' => {
                    if !matches!(toks.last(), Some(Tok::Star)) {
                        toks.push(Tok::Star);
                    }
                    i += 1;
                }
                b'?' => {
                    toks.push(Tok::Any);
                    i += 1;
                }
                b'\\' => {
                    let b = *p.get(i + 1)?;
                    toks.push(Tok::Byte(b));
                    i += 2;
                }
                b'[' => {
                    i += 1;
                    let negated = p.get(i) == Some(&b'^');
                    if negated {
                        i += 1;
                    }
                    let mut ranges = Vec::new();
                    loop {
                        if p.get(i) == Some(&b']') && !ranges.is_empty() {
                            i += 1;
                            break;
                        }
                        let (lo, next) = bound(p, i)?;
                        i = next;
                        let mut hi = lo;
                        if p[i] == b'-' {
                            (hi, i) = bound(p, i + 1)?;
                        }
                        ranges.push((lo, hi));
                    }
                    toks.push(Tok::Class { negated, ranges });
                }
                b => {
                    toks.push(Tok::Byte(b));
                    i += 1;
                }
            }
        }
        Some(Glob(toks))
    }

    /// How many bytes at the start of `s` one non-star token matches.
    fn one(tok: &Tok, s: &[u8]) -> Option<usize> {
        if s.is_empty() {
            return None;
        }
        match tok {
            Tok::Star => None,
            Tok::Byte(b) => (s[0] == *b).then_some(1),
            Tok::Any => (s[0] != b'/').then(|| decode(s).1),
            Tok::Class { negated, ranges } => {
                let (c, n) = decode(s);
                let inside = ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi);
                (inside != *negated).then_some(n)
            }
        }
    }

    fn matches(&self, name: &[u8]) -> bool {
        let toks = &self.0;
        let (mut t, mut n) = (0, 0);
        // Where to retry after the last star: (token after it, name index).
        let mut star: Option<(usize, usize)> = None;
        loop {
            if let Some(tok) = toks.get(t) {
                if matches!(tok, Tok::Star) {
                    star = Some((t + 1, n));
                    t += 1;
                    continue;
                }
                if let Some(len) = Self::one(tok, &name[n..]) {
                    t += 1;
                    n += len;
                    continue;
                }
            } else if n == name.len() {
                return true;
            }
            match star {
                // A star never matches `/`.
                Some((st, sn)) if sn < name.len() && name[sn] != b'/' => {
                    star = Some((st, sn + 1));
                    t = st;
                    n = sn + 1;
                }
                _ => return false,
            }
        }
    }
}

// ---- hashing ----

/// Adds one length-prefixed field.
fn field(h: &mut Sha256, data: &[u8]) {
    h.update((data.len() as u64).to_le_bytes());
    h.update(data);
}

#[allow(clippy::too_many_arguments)]
fn hash_dir(
    tree: &dyn Tree,
    dir: &Path,
    rel: &Path,
    opts: &CopyOptions,
    h: &mut Sha256,
    bytes: &mut u64,
) -> Result<(), CopyError> {
    for name in tree.list(dir).map_err(read_err(dir))? {
        let path = dir.join(&name);
        let Some(m) = tree_lstat(tree, &path)? else {
            continue;
        };
        let child = rel.join(&name);
        hash_entry(tree, &path, &child, &m, opts, h, bytes)?;
        if m.kind == Kind::Dir {
            hash_dir(tree, &path, &child, opts, h, bytes)?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn hash_entry(
    tree: &dyn Tree,
    path: &Path,
    rel: &Path,
    m: &Meta,
    opts: &CopyOptions,
    h: &mut Sha256,
    bytes: &mut u64,
) -> Result<(), CopyError> {
    let kind = match m.kind {
        Kind::File => b"f",
        Kind::Dir => b"d",
        Kind::Symlink => b"l",
        // Not copied.
        Kind::Other => return Ok(()),
    };
    field(h, rel.as_os_str().as_bytes());
    field(h, kind);
    let (mode, uid, gid) = as_copied(opts, m);
    field(h, format!("{mode:o} {uid} {gid}").as_bytes());
    match m.kind {
        Kind::Symlink => field(
            h,
            m.target
                .as_deref()
                .unwrap_or(Path::new(""))
                .as_os_str()
                .as_bytes(),
        ),
        Kind::File => {
            *bytes += m.size;
            let mut contents = Sha256::new();
            let mut f = tree.open(path).map_err(read_err(path))?;
            let mut buf = vec![0; 64 * 1024];
            loop {
                match f.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => contents.update(&buf[..n]),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(read_err(path)(e)),
                }
            }
            field(h, &contents.finalize());
        }
        _ => {}
    }
    Ok(())
}

// ---- writing the upper ----

/// What the upper holds at a path.
enum UpperAt {
    Entry(Meta),
    /// Nothing: the image's entry shows.
    Missing,
    /// A parent is a non-directory of the upper's: nothing there.
    Blocked,
}

fn kind_of(st: &FileStat) -> Kind {
    match SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT {
        SFlag::S_IFREG => Kind::File,
        SFlag::S_IFDIR => Kind::Dir,
        SFlag::S_IFLNK => Kind::Symlink,
        _ => Kind::Other,
    }
}

fn to_time((secs, nanos): (i64, u32)) -> SystemTime {
    let nanos = Duration::from_nanos(u64::from(nanos.min(999_999_999)));
    if secs >= 0 {
        UNIX_EPOCH + Duration::from_secs(secs as u64) + nanos
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs()) + nanos
    }
}

fn set_mtime(f: &File, mtime: (i64, u32), path: &Path) -> Result<(), CopyError> {
    f.set_times(FileTimes::new().set_modified(to_time(mtime)))
        .map_err(|source| CopyError::Write {
            path: PathBuf::from(shown(path)),
            source,
        })
}

struct Writer<'a> {
    image: &'a dyn Tree,
    upper: File,
    opts: &'a CopyOptions,
}

impl<'a> Writer<'a> {
    fn open(
        image: &'a dyn Tree,
        upper: &Path,
        opts: &'a CopyOptions,
    ) -> Result<Writer<'a>, CopyError> {
        let fd = nix::fcntl::open(
            upper,
            OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| CopyError::Write {
            path: upper.to_path_buf(),
            source: e.into(),
        })?;
        Ok(Writer {
            image,
            upper: File::from(fd),
            opts,
        })
    }

    fn err(path: &Path) -> impl Fn(Errno) -> CopyError + '_ {
        move |e| CopyError::Write {
            path: PathBuf::from(shown(path)),
            source: e.into(),
        }
    }

    /// Attributes of the directories this copy creates.
    fn created(&self) -> (u32, u32, u32) {
        let (uid, gid) = self.opts.chown.unwrap_or((0, 0));
        (0o755, uid, gid)
    }

    fn upper_root(&self, path: &Path) -> Result<File, CopyError> {
        self.upper.try_clone().map_err(|source| CopyError::Write {
            path: PathBuf::from(shown(path)),
            source,
        })
    }

    fn upper_lstat(&self, rel: &Path) -> Result<UpperAt, CopyError> {
        let comps = path_components(rel);
        let Some((name, parents)) = comps.split_last() else {
            return Ok(UpperAt::Entry(Meta {
                kind: Kind::Dir,
                mode: 0o755,
                uid: 0,
                gid: 0,
                size: 0,
                mtime: (0, 0),
                target: None,
            }));
        };
        let mut dir = self.upper_root(rel)?;
        for p in parents {
            match open_dir(&dir, p) {
                Ok(d) => dir = d,
                Err(Errno::ENOENT) => return Ok(UpperAt::Missing),
                Err(Errno::ENOTDIR | Errno::ELOOP) => return Ok(UpperAt::Blocked),
                Err(e) => return Err(Self::err(rel)(e)),
            }
        }
        let st = match fstatat(dir.as_fd(), name.as_os_str(), AtFlags::AT_SYMLINK_NOFOLLOW) {
            Ok(st) => st,
            Err(Errno::ENOENT) => return Ok(UpperAt::Missing),
            Err(e) => return Err(Self::err(rel)(e)),
        };
        let kind = kind_of(&st);
        let target = if kind == Kind::Symlink {
            let t = readlinkat(dir.as_fd(), name.as_os_str()).map_err(Self::err(rel))?;
            Some(PathBuf::from(t))
        } else {
            None
        };
        Ok(UpperAt::Entry(Meta {
            kind,
            mode: st.st_mode & 0o7777,
            uid: st.st_uid,
            gid: st.st_gid,
            size: st.st_size as u64,
            mtime: (st.st_mtime, st.st_mtime_nsec as u32),
            target,
        }))
    }

    /// The entry at `rel` in the upper over the image.
    fn merged_lstat(&self, rel: &Path) -> Result<Option<Meta>, CopyError> {
        match self.upper_lstat(rel)? {
            UpperAt::Entry(m) => Ok(Some(m)),
            UpperAt::Blocked => Ok(None),
            UpperAt::Missing => tree_lstat(self.image, rel),
        }
    }

    /// The absolute destination `abs` resolved in the upper over the
    /// image, its last component followed too.
    fn resolve_dest(&self, abs: &str) -> Result<(PathBuf, Option<Meta>), CopyError> {
        let comps: Vec<OsString> = abs
            .as_bytes()
            .split(|&b| b == b'/')
            .map(|c| OsString::from_vec(c.to_vec()))
            .collect();
        let mut lookup = |p: &Path| self.merged_lstat(p);
        resolve(&mut lookup, &comps, true, abs)
    }

    /// Writes the owner record the unpacker would write, and the disk mode.
    fn attrs(
        &self,
        f: &File,
        dir: bool,
        (mode, uid, gid): (u32, u32, u32),
        fresh: bool,
        path: &Path,
    ) -> Result<(), CopyError> {
        let mode = mode & 0o7777;
        // The invoking user must always be able to rewrite and delete
        // the layer.
        let disk = mode | if dir { 0o700 } else { 0o600 };
        let record = OverrideStat::new(uid, gid, mode);
        let werr = |source| CopyError::Write {
            path: PathBuf::from(shown(path)),
            source,
        };
        if !record.is_implied_by(0, 0, disk) {
            f.set_xattr(OVERRIDE_STAT_XATTR, record.to_string().as_bytes())
                .map_err(werr)?;
        } else if !fresh {
            match f.remove_xattr(OVERRIDE_STAT_XATTR) {
                Err(e) if e.raw_os_error() != Some(libc::ENODATA) => return Err(werr(e)),
                _ => {}
            }
        }
        fchmod(f.as_fd(), Mode::from_bits_truncate(disk)).map_err(Self::err(path))
    }

    /// Opens directory `rel` of the upper, creating what is missing: a
    /// directory the image has gets its attributes (and `user.*` xattrs)
    /// from below, a new one `created`. Returns it and whether the image
    /// has it as a directory.
    fn ensure_dir(&self, rel: &Path, created: (u32, u32, u32)) -> Result<(File, bool), CopyError> {
        let mut dir = self.upper_root(rel)?;
        let mut image_has = true;
        let mut path = PathBuf::new();
        for name in path_components(rel) {
            path.push(&name);
            let below = if image_has {
                tree_lstat(self.image, &path)?
            } else {
                None
            };
            let below_dir = below.as_ref().is_some_and(|m| m.kind == Kind::Dir);
            dir = match open_dir(&dir, &name) {
                Ok(d) => d,
                Err(Errno::ENOENT) => {
                    let attrs = match &below {
                        Some(m) if m.kind == Kind::Dir => (m.mode, m.uid, m.gid),
                        Some(_) => return Err(CopyError::NotDir(shown(&path))),
                        None => created,
                    };
                    let d = self.new_dir(&dir, &name, &path)?;
                    if below_dir {
                        let xattrs = self.image.xattrs(&path).map_err(read_err(&path))?;
                        for (k, v) in xattrs {
                            d.set_xattr(&k, &v).map_err(|source| CopyError::Write {
                                path: PathBuf::from(shown(&path)),
                                source,
                            })?;
                        }
                    }
                    self.attrs(&d, true, attrs, true, &path)?;
                    d
                }
                Err(Errno::ENOTDIR | Errno::ELOOP) => return Err(CopyError::NotDir(shown(&path))),
                Err(e) => return Err(Self::err(&path)(e)),
            };
            image_has = below_dir;
        }
        Ok((dir, image_has))
    }

    fn new_dir(&self, parent: &File, name: &OsStr, path: &Path) -> Result<File, CopyError> {
        mkdirat(parent.as_fd(), name, Mode::S_IRWXU).map_err(Self::err(path))?;
        open_dir(parent, name).map_err(Self::err(path))
    }

    /// Copies the entries of directory `src` of `tree` into `dir` (the
    /// upper's `dst`).
    fn copy_contents(
        &self,
        tree: &dyn Tree,
        src: &Path,
        dir: &File,
        dst: &Path,
        image_has: bool,
    ) -> Result<(), CopyError> {
        for name in tree.list(src).map_err(read_err(src))? {
            let path = src.join(&name);
            let Some(meta) = tree_lstat(tree, &path)? else {
                continue;
            };
            self.put(tree, &path, &meta, dir, &name, &dst.join(&name), image_has)?;
        }
        Ok(())
    }

    /// Writes entry `src` (`meta`) of `tree` as `name` in `dir`, the
    /// upper's directory of `dst`'s parent; `image_has` says whether the
    /// image has that parent as a directory.
    #[allow(clippy::too_many_arguments)]
    fn put(
        &self,
        tree: &dyn Tree,
        src: &Path,
        meta: &Meta,
        dir: &File,
        name: &OsStr,
        dst: &Path,
        image_has: bool,
    ) -> Result<(), CopyError> {
        let upper = match fstatat(dir.as_fd(), name, AtFlags::AT_SYMLINK_NOFOLLOW) {
            Ok(st) => Some(kind_of(&st)),
            Err(Errno::ENOENT) => None,
            Err(e) => return Err(Self::err(dst)(e)),
        };
        let below = || -> Result<Option<Meta>, CopyError> {
            if image_has {
                tree_lstat(self.image, dst)
            } else {
                Ok(None)
            }
        };
        let attrs = as_copied(self.opts, meta);
        match meta.kind {
            Kind::Other => Ok(()),
            Kind::Dir => {
                let below_dir = match upper {
                    Some(Kind::Dir) => below()?.is_some_and(|m| m.kind == Kind::Dir),
                    Some(_) => return Err(CopyError::NotDir(shown(dst))),
                    None => match below()? {
                        Some(m) if m.kind != Kind::Dir => {
                            return Err(CopyError::NotDir(shown(dst)));
                        }
                        m => m.is_some(),
                    },
                };
                let d = match upper {
                    Some(_) => open_dir(dir, name).map_err(Self::err(dst))?,
                    None => self.new_dir(dir, name, dst)?,
                };
                self.attrs(&d, true, attrs, upper.is_none(), dst)?;
                self.copy_contents(tree, src, &d, dst, below_dir)?;
                set_mtime(&d, meta.mtime, dst)
            }
            Kind::File | Kind::Symlink => {
                self.clear_for_file(dir, name, upper, image_has, dst)?;
                if meta.kind == Kind::Symlink {
                    let target = meta.target.as_deref().unwrap_or(Path::new(""));
                    symlinkat(target, dir.as_fd(), name).map_err(Self::err(dst))?;
                    let mtime = TimeSpec::new(meta.mtime.0, i64::from(meta.mtime.1));
                    return utimensat(
                        dir.as_fd(),
                        name,
                        &TimeSpec::UTIME_OMIT,
                        &mtime,
                        UtimensatFlags::NoFollowSymlink,
                    )
                    .map_err(Self::err(dst));
                }
                let mut input = tree.open(src).map_err(read_err(src))?;
                let f = self.new_file(dir, name, dst, &mut input, Some(src))?;
                self.attrs(&f, false, attrs, true, dst)?;
                set_mtime(&f, meta.mtime, dst)
            }
        }
    }

    /// Makes room for a file or symlink `name` in `dir`: a directory
    /// there (in the upper or below) is an error, a non-directory of the
    /// upper's is removed (one below is shadowed).
    fn clear_for_file(
        &self,
        dir: &File,
        name: &OsStr,
        upper: Option<Kind>,
        image_has: bool,
        dst: &Path,
    ) -> Result<(), CopyError> {
        match upper {
            Some(Kind::Dir) => Err(CopyError::IsDir(shown(dst))),
            Some(_) => {
                unlinkat(dir.as_fd(), name, UnlinkatFlags::NoRemoveDir).map_err(Self::err(dst))
            }
            None if image_has
                && tree_lstat(self.image, dst)?.is_some_and(|m| m.kind == Kind::Dir) =>
            {
                Err(CopyError::IsDir(shown(dst)))
            }
            None => Ok(()),
        }
    }

    /// Creates file `name` in `dir` (never through a symlink) with the
    /// contents of `input`.
    fn new_file(
        &self,
        dir: &File,
        name: &OsStr,
        dst: &Path,
        input: &mut dyn Read,
        src: Option<&Path>,
    ) -> Result<File, CopyError> {
        let fd = openat(
            dir.as_fd(),
            name,
            OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
            Mode::S_IRUSR | Mode::S_IWUSR,
        )
        .map_err(Self::err(dst))?;
        let mut f = File::from(fd);
        let mut buf = vec![0; 256 * 1024];
        loop {
            let n = match input.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(read_err(src.unwrap_or(dst))(e)),
            };
            f.write_all(&buf[..n]).map_err(|source| CopyError::Write {
                path: PathBuf::from(shown(dst)),
                source,
            })?;
        }
        Ok(f)
    }
}

fn open_dir(parent: &File, name: &OsStr) -> Result<File, Errno> {
    openat(
        parent.as_fd(),
        name,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map(File::from)
}

/// [`write_file`] and [`write_named_file`].
fn put_data(
    name: Option<&OsStr>,
    data: &[u8],
    dest: &str,
    workdir: &str,
    image: &dyn Tree,
    upper: &Path,
    opts: &CopyOptions,
) -> Result<(), CopyError> {
    let w = Writer::open(image, upper, opts)?;
    let (dst, dst_meta) = w.resolve_dest(&absolute(dest, workdir))?;
    let into = has_slash(dest) || dst_meta.is_some_and(|m| m.kind == Kind::Dir);
    let target = match (into, name) {
        (false, _) => dst,
        (true, Some(name)) => dst.join(name),
        (true, None) => return Err(CopyError::IsDir(shown(&dst))),
    };
    let (Some(parent), Some(file)) = (target.parent(), target.file_name()) else {
        return Err(CopyError::IsDir(shown(&target)));
    };
    let (dir, image_has) = w.ensure_dir(parent, w.created())?;
    let upper_kind = match fstatat(dir.as_fd(), file, AtFlags::AT_SYMLINK_NOFOLLOW) {
        Ok(st) => Some(kind_of(&st)),
        Err(Errno::ENOENT) => None,
        Err(e) => return Err(Writer::err(&target)(e)),
    };
    w.clear_for_file(&dir, file, upper_kind, image_has, &target)?;
    let f = w.new_file(&dir, file, &target, &mut &data[..], None)?;
    let (uid, gid) = opts.chown.unwrap_or((0, 0));
    let mode = opts.chmod.unwrap_or(0o644);
    w.attrs(&f, false, (mode, uid, gid), true, &target)
}
