//! Parsing the mount flags of `run` and `create` into checked [`Mount`]s:
//! `-v`/`--volume`, `--mount`, `--tmpfs`, and the option lists they share.
//!
//! Contract: every function here only parses and checks what it is given
//! (a bind source must exist, and is recorded resolved); nothing is made
//! on disk, so a refused flag leaves nothing behind. Each error names the
//! flag, the bad field and what would be accepted, on one line. Volumes
//! are made and filled later, under the store lock ([`super::volumes`]).

use crate::container::{Mount, MountKind};

#[derive(Debug, thiserror::Error)]
pub enum MountError {
    #[error(
        "invalid volume {0:?}: use -v HOST-DIR:CONTAINER-DIR[:OPTIONS], -v NAME:CONTAINER-DIR[:OPTIONS] or -v CONTAINER-DIR"
    )]
    BadVolume(String),
    #[error("{flag} {spec:?}: the container path {destination:?} must be absolute")]
    RelativeDestination {
        flag: &'static str,
        spec: String,
        destination: String,
    },
    #[error("{flag} {spec:?}: unknown option {option:?}: use {allowed}")]
    UnknownOption {
        flag: &'static str,
        spec: String,
        option: String,
        allowed: &'static str,
    },
    #[error("{flag} {spec:?}: options {a:?} and {b:?} cannot be given together")]
    Conflict {
        flag: &'static str,
        spec: String,
        a: String,
        b: String,
    },
    #[error("{flag} {spec:?}: {key}={value:?} is not valid: {expected}")]
    BadValue {
        flag: &'static str,
        spec: String,
        key: String,
        value: String,
        expected: &'static str,
    },
    #[error("{flag} {spec:?}: {what} needs {needs}")]
    Missing {
        flag: &'static str,
        spec: String,
        what: String,
        needs: &'static str,
    },
    #[error("{flag} {spec:?}: option {option:?} does not apply to {kind} mounts")]
    NotForKind {
        flag: &'static str,
        spec: String,
        option: String,
        kind: &'static str,
    },
    #[error("{flag} {spec:?}: {option} is not supported by rsp: {why}")]
    Unsupported {
        flag: &'static str,
        spec: String,
        option: String,
        why: &'static str,
    },
    #[error("volume source {source_path}: {source}: create it first or fix the mount")]
    Source {
        source_path: String,
        source: std::io::Error,
    },
    #[error(
        "invalid volume name {0:?}: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]* and be at most 200 characters"
    )]
    BadName(String),
    #[error("{0}: duplicate mount destination")]
    Duplicate(String),
}

type Result<T> = std::result::Result<T, MountError>;

const VOLUME_OPTS: &str = "ro, rw, z, Z, U, O, nocopy, copy, bind, rbind, private, rprivate, shared, rshared, slave, rslave, unbindable, runbindable, exec, noexec, suid, nosuid, dev, nodev";
const TMPFS_OPTS: &str = "size=, mode=, nr_inodes=, uid=, gid=, ro, rw, exec, noexec, suid, nosuid, dev, nodev, atime, noatime, tmpcopyup, notmpcopyup";
const PROPAGATION: &[&str] = &[
    "private",
    "rprivate",
    "shared",
    "rshared",
    "slave",
    "rslave",
    "unbindable",
    "runbindable",
];
const FLAGS: &[&str] = &[
    "exec", "noexec", "suid", "nosuid", "dev", "nodev", "atime", "noatime",
];

/// Lexically cleaned absolute container path: no `.`, `..` beyond the
/// root, doubled or trailing slashes.
pub fn clean_path(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    format!("/{}", parts.join("/"))
}

fn destination(flag: &'static str, spec: &str, d: &str) -> Result<String> {
    if !d.starts_with('/') {
        return Err(MountError::RelativeDestination {
            flag,
            spec: spec.to_string(),
            destination: d.to_string(),
        });
    }
    Ok(clean_path(d))
}

fn resolve_source(src: &str) -> Result<String> {
    std::fs::canonicalize(src)
        .map(|p| p.display().to_string())
        .map_err(|source| MountError::Source {
            source_path: src.to_string(),
            source,
        })
}

/// Applies one `-v`-style option to `m`; `ro_seen`/`rw_seen` catch both.
fn volume_option(
    m: &mut Mount,
    flag: &'static str,
    spec: &str,
    o: &str,
    seen: &mut Vec<String>,
) -> Result<()> {
    let conflict = |a: &str, b: &str| MountError::Conflict {
        flag,
        spec: spec.to_string(),
        a: a.to_string(),
        b: b.to_string(),
    };
    let opposite = match o {
        "ro" => Some("rw"),
        "rw" => Some("ro"),
        "copy" => Some("nocopy"),
        "nocopy" => Some("copy"),
        "bind" => Some("rbind"),
        "rbind" => Some("bind"),
        _ => None,
    };
    if let Some(op) = opposite
        && seen.iter().any(|s| s == op)
    {
        return Err(conflict(op, o));
    }
    seen.push(o.to_string());
    match o {
        "ro" => m.readonly = true,
        "rw" => m.readonly = false,
        "z" | "Z" => {
            if let Some(r) = &m.options.relabel
                && r != o
            {
                return Err(conflict(r, o));
            }
            m.options.relabel = Some(o.to_string());
        }
        "U" => m.options.chown = true,
        "O" => m.options.overlay = true,
        "nocopy" => m.options.nocopy = true,
        "copy" => m.options.nocopy = false,
        "bind" => m.options.nonrecursive = true,
        "rbind" => m.options.nonrecursive = false,
        p if PROPAGATION.contains(&p) => {
            if let Some(old) = &m.options.propagation
                && old != p
            {
                return Err(conflict(old, p));
            }
            m.options.propagation = Some(p.to_string());
        }
        f if FLAGS.contains(&f) => {
            let opposite = f
                .strip_prefix("no")
                .map(str::to_string)
                .unwrap_or(format!("no{f}"));
            if m.options.flags.contains(&opposite) {
                return Err(conflict(&opposite, f));
            }
            if !m.options.flags.iter().any(|x| x == f) {
                m.options.flags.push(f.to_string());
            }
        }
        "idmap" => {
            return Err(MountError::Unsupported {
                flag,
                spec: spec.to_string(),
                option: o.to_string(),
                why: "the container's user namespace maps one id: use U to record the container user as owner",
            });
        }
        _ => {
            return Err(MountError::UnknownOption {
                flag,
                spec: spec.to_string(),
                option: o.to_string(),
                allowed: VOLUME_OPTS,
            });
        }
    }
    Ok(())
}

/// Checks what no kind allows together, after all options are read.
fn finish(m: &Mount, flag: &'static str, spec: &str) -> Result<()> {
    let not_for = |option: &str, kind: &'static str| MountError::NotForKind {
        flag,
        spec: spec.to_string(),
        option: option.to_string(),
        kind,
    };
    match m.kind {
        MountKind::Bind if m.options.nocopy => return Err(not_for("nocopy", "bind")),
        MountKind::Volume if m.options.nonrecursive => return Err(not_for("bind", "volume")),
        _ => {}
    }
    if m.options.overlay && m.readonly {
        return Err(MountError::Conflict {
            flag,
            spec: spec.to_string(),
            a: "O".into(),
            b: "ro".into(),
        });
    }
    if m.options.overlay && m.options.chown {
        return Err(MountError::Conflict {
            flag,
            spec: spec.to_string(),
            a: "O".into(),
            b: "U".into(),
        });
    }
    Ok(())
}

/// `-v`: `HOST-DIR:CTR[:OPTS]` (a bind; the host path must exist),
/// `NAME:CTR[:OPTS]` (a named volume) or `CTR` (an anonymous volume).
pub fn parse_volume(spec: &str) -> Result<Mount> {
    const FLAG: &str = "-v";
    let parts: Vec<&str> = spec.split(':').collect();
    let (src, dst, opts) = match parts.as_slice() {
        [d] if d.starts_with('/') => ("", *d, ""),
        [s, d] if !s.is_empty() => (*s, *d, ""),
        [s, d, o] if !s.is_empty() => (*s, *d, *o),
        _ => return Err(MountError::BadVolume(spec.to_string())),
    };
    let destination = destination(FLAG, spec, dst)?;
    let kind = if src.is_empty() || !(src.starts_with('/') || src.starts_with('.')) {
        MountKind::Volume
    } else {
        MountKind::Bind
    };
    if kind == MountKind::Volume && !src.is_empty() && !rsp_storage::volume::valid_name(src) {
        return Err(MountError::BadName(src.to_string()));
    }
    let mut m = Mount {
        kind,
        source: src.to_string(),
        destination,
        ..Mount::default()
    };
    m.options.anonymous = src.is_empty();
    let mut seen = Vec::new();
    for o in opts.split(',').filter(|o| !o.is_empty()) {
        volume_option(&mut m, FLAG, spec, o, &mut seen)?;
    }
    finish(&m, FLAG, spec)?;
    if kind == MountKind::Bind {
        m.source = resolve_source(src)?;
    }
    Ok(m)
}

/// Parses tmpfs options (`--tmpfs` after the colon, `--mount`'s
/// `tmpfs-*` keys) into `m`.
fn tmpfs_option(m: &mut Mount, flag: &'static str, spec: &str, o: &str) -> Result<()> {
    let bad = |key: &str, value: &str, expected: &'static str| MountError::BadValue {
        flag,
        spec: spec.to_string(),
        key: key.to_string(),
        value: value.to_string(),
        expected,
    };
    let (k, v) = o.split_once('=').unwrap_or((o, ""));
    match k {
        "size" => {
            if !valid_size(v) {
                return Err(bad(k, v, "a size such as 64m, 1g, 65536 or 50%"));
            }
        }
        "mode" => {
            if v.is_empty() || v.len() > 4 || !v.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
                return Err(bad(k, v, "octal permission bits such as 1777"));
            }
        }
        "nr_inodes" => {
            if !valid_size(v) || v.ends_with('%') {
                return Err(bad(k, v, "a count such as 10000 or 10k"));
            }
        }
        "uid" | "gid" => {
            if v.parse::<u32>().is_err() {
                return Err(bad(k, v, "a number"));
            }
        }
        "ro" => {
            m.readonly = true;
            return Ok(());
        }
        "rw" => {
            m.readonly = false;
            return Ok(());
        }
        "tmpcopyup" | "notmpcopyup" => {
            // Podman's default is to copy the image's files at the path into
            // the new tmpfs; `notmpcopyup` leaves it empty.
            m.options.nocopy = k == "notmpcopyup";
            return Ok(());
        }
        f if FLAGS.contains(&f) && v.is_empty() => {
            let opposite = f
                .strip_prefix("no")
                .map(str::to_string)
                .unwrap_or(format!("no{f}"));
            m.options.flags.retain(|x| *x != opposite);
            if !m.options.flags.iter().any(|x| x == f) {
                m.options.flags.push(f.to_string());
            }
            return Ok(());
        }
        p if PROPAGATION.contains(&p) && v.is_empty() => {
            m.options.propagation = Some(p.to_string());
            return Ok(());
        }
        _ => {
            return Err(MountError::UnknownOption {
                flag,
                spec: spec.to_string(),
                option: o.to_string(),
                allowed: TMPFS_OPTS,
            });
        }
    }
    m.options.data.retain(|d| !d.starts_with(&format!("{k}=")));
    m.options.data.push(format!("{k}={v}"));
    Ok(())
}

/// A tmpfs size: digits with an optional k, m or g (either case), or a
/// percentage of memory.
fn valid_size(v: &str) -> bool {
    let digits = v
        .strip_suffix(['k', 'K', 'm', 'M', 'g', 'G', '%'])
        .unwrap_or(v);
    !digits.is_empty() && digits.len() <= 20 && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `--tmpfs CONTAINER-DIR[:OPTIONS]`.
pub fn parse_tmpfs(spec: &str) -> Result<Mount> {
    const FLAG: &str = "--tmpfs";
    let (dst, opts) = spec.split_once(':').unwrap_or((spec, ""));
    let mut m = Mount::tmpfs(destination(FLAG, spec, dst)?);
    m.options.flags = vec!["nosuid".into(), "nodev".into()];
    for o in opts.split(',').filter(|o| !o.is_empty()) {
        tmpfs_option(&mut m, FLAG, spec, o)?;
    }
    Ok(m)
}

/// `--mount type=bind|volume|tmpfs|image|devpts,KEY[=VALUE],...`.
pub fn parse_mount(spec: &str) -> Result<Mount> {
    const FLAG: &str = "--mount";
    let bad = |key: &str, value: &str, expected: &'static str| MountError::BadValue {
        flag: FLAG,
        spec: spec.to_string(),
        key: key.to_string(),
        value: value.to_string(),
        expected,
    };
    let not_for = |option: &str, kind: MountKind| MountError::NotForKind {
        flag: FLAG,
        spec: spec.to_string(),
        option: option.to_string(),
        kind: kind.as_str(),
    };
    let fields: Vec<(&str, Option<&str>)> = spec
        .split(',')
        .filter(|f| !f.is_empty())
        .map(|f| match f.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (f, None),
        })
        .collect();
    // `type` first: the other keys depend on it. Docker and Podman default
    // to a volume.
    let kind = match fields
        .iter()
        .find(|(k, _)| *k == "type")
        .map(|(_, v)| v.unwrap_or(""))
    {
        None | Some("volume") => MountKind::Volume,
        Some("bind") => MountKind::Bind,
        Some("tmpfs") => MountKind::Tmpfs,
        Some("image") => MountKind::Image,
        Some("devpts") => MountKind::Devpts,
        Some(t) => return Err(bad("type", t, "bind, volume, tmpfs, image or devpts")),
    };
    let mut m = Mount {
        kind,
        ..Mount::default()
    };
    if kind == MountKind::Tmpfs {
        m.options.flags = vec!["nosuid".into(), "nodev".into()];
    }
    let mut dst = None;
    let mut seen = Vec::new();
    let boolean = |k: &str, v: Option<&str>| -> Result<bool> {
        match v {
            None | Some("true") | Some("1") => Ok(true),
            Some("false") | Some("0") => Ok(false),
            Some(v) => Err(bad(k, v, "true or false")),
        }
    };
    for &(k, v) in &fields {
        let val = v.unwrap_or("");
        match k {
            "type" => {}
            "src" | "source" => {
                if matches!(kind, MountKind::Tmpfs | MountKind::Devpts) {
                    return Err(not_for(k, kind));
                }
                m.source = val.to_string();
            }
            "dst" | "destination" | "target" => dst = Some(val),
            "ro" | "readonly" => m.readonly = boolean(k, v)?,
            "rw" => m.readonly = !boolean(k, v)?,
            "bind-propagation" => {
                if kind != MountKind::Bind {
                    return Err(not_for(k, kind));
                }
                if !PROPAGATION.contains(&val) {
                    return Err(bad(
                        k,
                        val,
                        "private, rprivate, shared, rshared, slave, rslave, unbindable or runbindable",
                    ));
                }
                m.options.propagation = Some(val.to_string());
            }
            "bind-nonrecursive" => {
                if kind != MountKind::Bind {
                    return Err(not_for(k, kind));
                }
                m.options.nonrecursive = boolean(k, v)?;
            }
            "relabel" => {
                if !matches!(kind, MountKind::Bind | MountKind::Volume) {
                    return Err(not_for(k, kind));
                }
                m.options.relabel = Some(
                    match val {
                        "shared" => "z",
                        "private" => "Z",
                        _ => return Err(bad(k, val, "shared or private")),
                    }
                    .to_string(),
                );
            }
            "volume-nocopy" => {
                if kind != MountKind::Volume {
                    return Err(not_for(k, kind));
                }
                m.options.nocopy = boolean(k, v)?;
            }
            "U" | "chown" => {
                if !matches!(kind, MountKind::Bind | MountKind::Volume) {
                    return Err(not_for(k, kind));
                }
                m.options.chown = boolean(k, v)?;
            }
            "tmpfs-size" | "tmpfs-mode" => {
                if kind != MountKind::Tmpfs {
                    return Err(not_for(k, kind));
                }
                let key = &k["tmpfs-".len()..];
                tmpfs_option(&mut m, FLAG, spec, &format!("{key}={val}"))?;
            }
            "tmpcopyup" | "notmpcopyup" => {
                if kind != MountKind::Tmpfs {
                    return Err(not_for(k, kind));
                }
                m.options.nocopy = k == "notmpcopyup";
            }
            "uid" | "gid" | "mode" | "max" if kind == MountKind::Devpts => {
                let ok = match k {
                    "mode" => {
                        !val.is_empty()
                            && val.len() <= 4
                            && val.bytes().all(|b| (b'0'..=b'7').contains(&b))
                    }
                    _ => val.parse::<u32>().is_ok(),
                };
                if !ok {
                    return Err(bad(
                        k,
                        val,
                        if k == "mode" {
                            "octal permission bits such as 620"
                        } else {
                            "a number"
                        },
                    ));
                }
                m.options.data.push(format!("{k}={val}"));
            }
            o if v.is_none() && kind == MountKind::Tmpfs => tmpfs_option(&mut m, FLAG, spec, o)?,
            o if v.is_none()
                && matches!(kind, MountKind::Bind | MountKind::Volume)
                && (FLAGS.contains(&o)
                    || PROPAGATION.contains(&o)
                    || matches!(o, "z" | "Z" | "nocopy" | "U")) =>
            {
                volume_option(&mut m, FLAG, spec, o, &mut seen)?
            }
            "consistency" | "volume-driver" | "volume-label" | "volume-opt" | "idmap"
            | "subpath" | "volume-subpath" | "bind-create-src" => {
                return Err(MountError::Unsupported {
                    flag: FLAG,
                    spec: spec.to_string(),
                    option: k.to_string(),
                    why: match k {
                        "volume-driver" | "volume-opt" | "volume-label" => {
                            "create the volume first with rsp volume create"
                        }
                        "idmap" => "the container's user namespace maps one id",
                        _ => "leave it out",
                    },
                });
            }
            _ => {
                return Err(MountError::UnknownOption {
                    flag: FLAG,
                    spec: spec.to_string(),
                    option: k.to_string(),
                    allowed: match kind {
                        MountKind::Bind => {
                            "type, src, dst, ro, readonly, bind-propagation, bind-nonrecursive, relabel, U, z, Z, exec, noexec, suid, nosuid, dev, nodev"
                        }
                        MountKind::Volume => {
                            "type, src, dst, ro, readonly, volume-nocopy, relabel, U, exec, noexec, suid, nosuid, dev, nodev"
                        }
                        MountKind::Tmpfs => {
                            "type, dst, ro, tmpfs-size, tmpfs-mode, size, mode, exec, noexec, suid, nosuid, dev, nodev, tmpcopyup, notmpcopyup"
                        }
                        MountKind::Image => "type, src, dst, rw, readonly",
                        MountKind::Devpts => "type, dst, uid, gid, mode, max",
                    },
                });
            }
        }
    }
    let Some(dst) = dst else {
        return Err(MountError::Missing {
            flag: FLAG,
            spec: spec.to_string(),
            what: format!("a {} mount", kind.as_str()),
            needs: "a destination: dst=/path",
        });
    };
    m.destination = destination(FLAG, spec, dst)?;
    match kind {
        MountKind::Bind => {
            if m.source.is_empty() {
                return Err(MountError::Missing {
                    flag: FLAG,
                    spec: spec.to_string(),
                    what: "a bind mount".into(),
                    needs: "a source: src=/host/path",
                });
            }
            m.source = resolve_source(&m.source)?;
        }
        MountKind::Volume => {
            if m.source.is_empty() {
                m.options.anonymous = true;
            } else if !rsp_storage::volume::valid_name(&m.source) {
                return Err(MountError::BadName(m.source.clone()));
            }
        }
        MountKind::Image => {
            if m.source.is_empty() {
                return Err(MountError::Missing {
                    flag: FLAG,
                    spec: spec.to_string(),
                    what: "an image mount".into(),
                    needs: "a source: src=IMAGE",
                });
            }
            // Read-only unless rw=true, as Podman.
            if !fields
                .iter()
                .any(|(k, _)| matches!(*k, "rw" | "ro" | "readonly"))
            {
                m.readonly = true;
            }
        }
        MountKind::Tmpfs | MountKind::Devpts => {}
    }
    finish(&m, FLAG, spec)?;
    Ok(m)
}

/// Checks a whole list: no two mounts on one destination.
pub fn check_unique(mounts: &[Mount]) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for m in mounts {
        if !seen.insert(m.destination.as_str()) {
            return Err(MountError::Duplicate(m.destination.clone()));
        }
    }
    Ok(())
}

/// The options `inspect` lists for a mount, as Podman shows them.
pub fn inspect_options(m: &Mount) -> Vec<String> {
    let mut out = Vec::new();
    match m.kind() {
        MountKind::Tmpfs => {
            out.push(if m.readonly { "ro" } else { "rw" }.to_string());
            out.extend(m.options.flags.iter().cloned());
            out.extend(m.options.data.iter().cloned());
            if !m.options.nocopy {
                out.push("tmpcopyup".into());
            }
        }
        MountKind::Devpts => out.extend(m.options.data.iter().cloned()),
        MountKind::Image => {}
        MountKind::Bind | MountKind::Volume => {
            if m.kind == MountKind::Volume {
                out.extend(["nosuid".to_string(), "nodev".to_string()]);
            }
            out.extend(
                m.options
                    .flags
                    .iter()
                    .filter(|f| !out.contains(f))
                    .cloned()
                    .collect::<Vec<_>>(),
            );
            out.push(
                if m.options.nonrecursive {
                    "bind"
                } else {
                    "rbind"
                }
                .into(),
            );
            for (on, name) in [
                (m.options.chown, "U"),
                (m.options.overlay, "O"),
                (m.options.nocopy, "nocopy"),
            ] {
                if on {
                    out.push(name.into());
                }
            }
            if let Some(r) = &m.options.relabel {
                out.push(r.clone());
            }
        }
    }
    out
}

/// What `inspect` shows as a mount's propagation.
pub fn propagation(m: &Mount) -> &str {
    match m.kind() {
        MountKind::Bind | MountKind::Volume => {
            m.options.propagation.as_deref().unwrap_or("rprivate")
        }
        _ => "",
    }
}

/// Checks `-o` options of `volume create`: `type=tmpfs` with `o=` tmpfs
/// options, `type=none`/`bind` with `device=` a host directory and
/// `o=bind`/`rbind`, or no type with `o=uid=N,gid=N`.
pub fn check_volume_options(opts: &std::collections::BTreeMap<String, String>) -> Result<()> {
    const FLAG: &str = "volume create -o";
    let spec = opts
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    let bad = |key: &str, value: &str, expected: &'static str| MountError::BadValue {
        flag: FLAG,
        spec: spec.clone(),
        key: key.to_string(),
        value: value.to_string(),
        expected,
    };
    for k in opts.keys() {
        if !matches!(k.as_str(), "type" | "o" | "device") {
            return Err(MountError::UnknownOption {
                flag: FLAG,
                spec: spec.clone(),
                option: k.clone(),
                allowed: "type, o, device",
            });
        }
    }
    let o = opts.get("o").map(String::as_str).unwrap_or("");
    match opts.get("type").map(String::as_str) {
        Some("tmpfs") => {
            if let Some(d) = opts.get("device")
                && d != "tmpfs"
            {
                return Err(bad("device", d, "tmpfs, or leave it out"));
            }
            let mut m = Mount::tmpfs("/");
            for x in o.split(',').filter(|x| !x.is_empty()) {
                tmpfs_option(&mut m, FLAG, &spec, x)?;
            }
        }
        Some("none") | Some("bind") => {
            let Some(d) = opts.get("device") else {
                return Err(MountError::Missing {
                    flag: FLAG,
                    spec,
                    what: "a bind volume".into(),
                    needs: "device=/host/dir",
                });
            };
            if !d.starts_with('/') {
                return Err(bad("device", d, "an absolute host path"));
            }
            resolve_source(d)?;
            for x in o.split(',').filter(|x| !x.is_empty()) {
                if !matches!(x, "bind" | "rbind" | "ro" | "rw") {
                    return Err(bad("o", x, "bind, rbind, ro or rw"));
                }
            }
        }
        None => {
            if opts.contains_key("device") {
                return Err(MountError::Missing {
                    flag: FLAG,
                    spec,
                    what: "device=".into(),
                    needs: "type=none (a bind) or type=tmpfs",
                });
            }
            for x in o.split(',').filter(|x| !x.is_empty()) {
                let (k, v) = x.split_once('=').unwrap_or((x, ""));
                match k {
                    "uid" | "gid" if v.parse::<u32>().is_ok() => {}
                    "uid" | "gid" => return Err(bad(k, v, "a number")),
                    _ => {
                        return Err(bad(
                            "o",
                            x,
                            "uid=N or gid=N (or give type=tmpfs or type=none)",
                        ));
                    }
                }
            }
        }
        Some(t) => {
            return Err(MountError::Unsupported {
                flag: FLAG,
                spec,
                option: format!("type={t}"),
                why: "mounting a device needs privileges rootless rsp does not have: use type=tmpfs, type=none with device=DIR, or no type",
            });
        }
    }
    Ok(())
}

/// `uid=`/`gid=` of a plain volume's `o=` option.
pub fn volume_owner(opts: &std::collections::BTreeMap<String, String>) -> Option<(u32, u32)> {
    if opts.contains_key("type") {
        return None;
    }
    let o = opts.get("o")?;
    let mut uid = None;
    let mut gid = None;
    for x in o.split(',') {
        match x.split_once('=') {
            Some(("uid", v)) => uid = v.parse().ok(),
            Some(("gid", v)) => gid = v.parse().ok(),
            _ => {}
        }
    }
    (uid.is_some() || gid.is_some()).then(|| (uid.unwrap_or(0), gid.unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue19_volume_flag() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().display().to_string();
        let m = parse_volume(&format!("{src}:/data:ro,z")).unwrap();
        assert_eq!((m.kind, m.readonly), (MountKind::Bind, true));
        assert_eq!(m.options.relabel.as_deref(), Some("z"));
        let m = parse_volume("vol:/data//x/:U,nocopy").unwrap();
        assert_eq!(m.kind, MountKind::Volume);
        assert_eq!(m.destination, "/data/x");
        assert!(m.options.chown && m.options.nocopy && !m.options.anonymous);
        let m = parse_volume("/anon").unwrap();
        assert!(m.options.anonymous && m.source.is_empty());
        for bad in [
            "vol:data",
            "vol:/d:exec,noexec",
            "vol:/d:ro,rw",
            "vol:/d:bogus",
            "../x:/d",
            "a:b:c:d",
            ":/d",
            "",
            "bad name:/d",
            "vol:/d:idmap",
            "vol:/d:O,ro",
        ] {
            assert!(parse_volume(bad).is_err(), "{bad}");
        }
        let e = parse_volume("/no/such/dir:/d").unwrap_err().to_string();
        assert!(e.starts_with("volume source /no/such/dir:"), "{e}");
        let e = parse_volume("vol:/d:bogus").unwrap_err().to_string();
        assert!(e.contains("unknown option \"bogus\""), "{e}");
    }

    #[test]
    fn issue19_mount_flag() {
        let m = parse_mount("type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=1770").unwrap();
        assert_eq!(m.kind, MountKind::Tmpfs);
        assert_eq!(m.options.data, vec!["size=64m", "mode=1770"]);
        let m = parse_mount("type=volume,src=v,target=/v,volume-nocopy,ro=true").unwrap();
        assert!(m.options.nocopy && m.readonly);
        let m = parse_mount("type=image,src=busybox,dst=/img").unwrap();
        assert!(m.readonly);
        let m = parse_mount("type=image,src=busybox,dst=/img,rw=true").unwrap();
        assert!(!m.readonly);
        let m = parse_mount("type=devpts,dst=/dev/pts2,mode=620").unwrap();
        assert_eq!(m.options.data, vec!["mode=620"]);
        let m = parse_mount("dst=/anon").unwrap();
        assert!(m.options.anonymous);
        for (bad, word) in [
            ("type=bind,dst=/x", "src"),
            ("type=tmpfs,src=/x,dst=/y", "src"),
            ("type=nfs,dst=/x", "type"),
            ("type=tmpfs,dst=/x,tmpfs-size=big", "tmpfs-size"),
            ("type=tmpfs,dst=/x,tmpfs-mode=999", "mode"),
            ("type=volume,src=v", "destination"),
            ("type=volume,src=v,dst=rel", "rel"),
            (
                "type=volume,src=v,dst=/x,bind-propagation=shared",
                "bind-propagation",
            ),
            (
                "type=bind,src=/,dst=/x,bind-propagation=bogus",
                "bind-propagation",
            ),
            ("type=volume,src=v,dst=/x,foo=bar", "foo"),
            ("type=volume,src=v,dst=/x,ro=maybe", "ro"),
            (
                "type=volume,src=v,dst=/x,volume-driver=nfs",
                "volume-driver",
            ),
            ("type=volume,src=../etc,dst=/x", "../etc"),
        ] {
            let e = parse_mount(bad).unwrap_err().to_string();
            assert!(e.contains(word), "{bad}: {e}");
            assert!(!e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn issue19_tmpfs_flag() {
        let m = parse_tmpfs("/run/x:size=1g,noexec,mode=700").unwrap();
        assert_eq!(m.options.data, vec!["size=1g", "mode=700"]);
        assert!(m.options.flags.contains(&"noexec".to_string()));
        assert!(parse_tmpfs("rel").is_err());
        assert!(parse_tmpfs("/x:size=").is_err());
        assert!(parse_tmpfs("/x:bogus").is_err());
        assert_eq!(clean_path("/a/./b/../c//"), "/a/c");
        assert_eq!(clean_path("/../.."), "/");
    }

    #[test]
    fn issue19_volume_create_options() {
        let o = |s: &[(&str, &str)]| {
            s.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<std::collections::BTreeMap<_, _>>()
        };
        assert!(check_volume_options(&o(&[("type", "tmpfs"), ("o", "size=64m")])).is_ok());
        assert!(check_volume_options(&o(&[("type", "tmpfs"), ("o", "size=huge")])).is_err());
        assert!(
            check_volume_options(&o(&[("type", "none"), ("device", "/"), ("o", "bind")])).is_ok()
        );
        assert!(check_volume_options(&o(&[("type", "none")])).is_err());
        assert!(check_volume_options(&o(&[("type", "ext4"), ("device", "/dev/sda")])).is_err());
        assert!(check_volume_options(&o(&[("o", "uid=1000,gid=1000")])).is_ok());
        assert_eq!(
            volume_owner(&o(&[("o", "uid=1000,gid=100")])),
            Some((1000, 100))
        );
        assert!(check_volume_options(&o(&[("bogus", "x")])).is_err());
    }
}
