//! The on-disk layer format, in one place: what a layer directory, a
//! container's upper directory or a layer tar says beyond plain files.
//! Every reader and writer of the store takes its names, values and rules
//! from here: [`super::unpack`] (tar to directory), [`super::pack`]
//! (directories to tar), [`super::copy`] (`rsp cp`), [`super::vfs`] (the
//! flattened copy), [`super::fuse`] (the FUSE overlay) and the runtime's
//! ownership supervisor.
//!
//! # The owner record
//!
//! Files on disk all belong to the unprivileged user who unpacked them, so
//! the owner and permission bits an image gives (and the device a
//! placeholder file stands for) are kept in the [`OVERRIDE_STAT_XATTR`]
//! xattr, as containers/storage does. Its value is an [`OverrideStat`]:
//!
//! ```text
//! UID:GID:MODE[:TYPE[:anything]]
//! ```
//!
//! - `UID`, `GID`: decimal digits, a `uid_t` (0 to 4294967295).
//! - `MODE`: octal digits, at most 32 bits. Only the permission bits with
//!   setuid, setgid and sticky (`0o7777`) are kept: fuse-overlayfs writes
//!   the whole `st_mode`, file type included (`020666`).
//! - `TYPE`: `file`, `dir`, `symlink`, `pipe` or `socket` (containers/storage
//!   writes these; the inode's own type still wins), or `char-MAJOR-MINOR` /
//!   `block-MAJOR-MINOR` (a device placeholder), MAJOR and MINOR decimal
//!   digits, a `u32` each.
//!
//! ## Reading: one tolerance policy
//!
//! - ASCII whitespace and NUL bytes at either end of the value are ignored
//!   (C writers that count the terminator, records set from a shell).
//! - Anything after a fourth `:`, and `-`-separated parts after MINOR, are
//!   ignored without being looked at (UTF-8 or not): containers/storage's
//!   reader does the same, so a newer writer's additions keep the owner.
//! - Everything else is rejected, the whole record with it (the entry then
//!   reads as its inode says): fewer than three fields, an empty field, a
//!   sign, a `0o`/`0x` prefix, a space, a NUL or any other byte that is not
//!   a digit inside UID, GID, MODE, MAJOR or MINOR, a number that does not
//!   fit in 32 bits, an empty or unknown TYPE.
//!
//! ## Writing
//!
//! rsp writes `UID:GID:0MODE` (MODE in octal with a leading `0`), plus
//! `:char-MAJOR-MINOR` or `:block-MAJOR-MINOR` for a device placeholder; a
//! TYPE that was read is written back. Every record rsp has written has
//! this form, so existing stores read as before, and containers/storage
//! reads it too. Tar headers carry 64-bit ids; one that is not a valid
//! `uid_t` is recorded as [`OVERFLOW_ID`] (see [`tar_id`]). Older rsp
//! wrote such ids as they were, which only `rsp cp` read back: those
//! records now read as no record, as everywhere else.
//!
//! # Whiteouts and opaque directories
//!
//! A layer deletes what is below it with a *whiteout* and hides a whole
//! directory below it by making its own copy *opaque*. There are two forms:
//!
//! - The tar form (AUFS's, which the OCI image spec uses): an empty file
//!   `.wh.NAME` is a whiteout of `NAME`, and an empty `.wh..wh..opq` makes
//!   its directory opaque ([`WhiteoutName`]). Other `.wh..wh.` names are
//!   AUFS's own metadata and mean nothing here.
//! - The overlay form (kernel overlayfs mounted with `userxattr`, and rsp's
//!   FUSE overlay): a character device `NAME` with device number 0/0
//!   ([`is_whiteout_device`]), and the xattr [`OPAQUE_XATTR`] set to `y`
//!   ([`is_opaque_value`]) on an opaque directory.
//!
//! A store on a filesystem that refuses the overlay form (no device nodes,
//! no user xattrs: a home directory on overlayfs) keeps the tar form on
//! disk, the *fallback format*; the FUSE overlay, pack and vfs read both
//! forms in every layer. No name starting with `.wh.`
//! ([`is_whiteout_name`]) is ever part of a merged view, and no container
//! can create one.

use std::ffi::{CStr, OsStr, OsString};
use std::fmt;
use std::os::unix::ffi::OsStrExt;

/// Xattr holding an entry's [`OverrideStat`].
pub const OVERRIDE_STAT_XATTR: &str = "user.containers.override_stat";
/// [`OVERRIDE_STAT_XATTR`] for calls that take a C string.
pub const OVERRIDE_STAT_XATTR_C: &CStr = c"user.containers.override_stat";

/// The `st_blksize` rsp's FUSE overlay gives a file or directory without
/// an [`OVERRIDE_STAT_XATTR`] record ([`FUSE_BLKSIZE_RECORDED`]: one with
/// a record), so the ownership supervisor can tell from the kernel's
/// cached attributes, without a round trip to the server, that there is
/// no record to read. The server drops the kernel's attributes whenever
/// a record is set or removed through the mount. Powers of two, as the
/// kernel wants.
pub const FUSE_BLKSIZE_PLAIN: u32 = 1 << 12;
/// See [`FUSE_BLKSIZE_PLAIN`].
pub const FUSE_BLKSIZE_RECORDED: u32 = 1 << 13;

/// The mode rsp's FUSE overlay keeps on disk for a file (`dir` false) or
/// directory asked to have `mode`: its permission bits, plus what the
/// server needs to read and write (and list) it itself. Set-id and sticky
/// bits, and the bits below that floor, live only in the
/// [`OVERRIDE_STAT_XATTR`] record: the mode the mount shows is the
/// record's, and a record the disk mode does not imply cannot go.
pub fn fuse_disk_mode(dir: bool, mode: u32) -> u32 {
    let floor = if dir { 0o700 } else { 0o600 };
    (mode & 0o777) | floor
}

/// The xattr namespace of overlayfs mounted with `userxattr`: overlay's
/// own bookkeeping, never an image's to set nor a container's to see.
pub const OVERLAY_XATTR_PREFIX: &[u8] = b"user.overlay.";
/// The xattr namespace of containers/storage (the owner record lives in
/// it): never an image's to set.
pub const CONTAINERS_XATTR_PREFIX: &[u8] = b"user.containers.";
/// Marks an opaque directory in the overlay form, with the value
/// [`OPAQUE_VALUE`].
pub const OPAQUE_XATTR: &str = "user.overlay.opaque";
/// The value of [`OPAQUE_XATTR`] that makes a directory opaque.
pub const OPAQUE_VALUE: &[u8] = b"y";

/// Starts every name of the tar form: whiteouts, the opaque marker and
/// AUFS's metadata.
pub const WHITEOUT_PREFIX: &[u8] = b".wh.";
/// The tar form's opaque-directory marker.
pub const OPAQUE_MARKER: &[u8] = b".wh..wh..opq";
/// AUFS's own metadata names (`.wh..wh.plnk`, `.wh..wh.aufs`), and the
/// opaque marker.
const AUFS_META_PREFIX: &[u8] = b".wh..wh.";

/// What an id that is not a valid `uid_t` is recorded as: the kernel's
/// default overflow id, which is how it shows an id it cannot map.
pub const OVERFLOW_ID: u32 = 65534;

// ---- the owner record ----

/// A device placeholder's type and numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Device {
    pub block: bool,
    pub major: u32,
    pub minor: u32,
}

/// The record's TYPE field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Symlink,
    Pipe,
    Socket,
    Device(Device),
}

/// A parsed `user.containers.override_stat` value (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OverrideStat {
    pub uid: u32,
    pub gid: u32,
    /// Permission bits with setuid, setgid and sticky; bits above `0o7777`
    /// are never read nor written.
    pub mode: u32,
    pub kind: Option<Kind>,
}

/// A record field, as errors name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Uid,
    Gid,
    Mode,
    Type,
    Major,
    Minor,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::Uid => "uid",
            Field::Gid => "gid",
            Field::Mode => "mode",
            Field::Type => "type",
            Field::Major => "device major",
            Field::Minor => "device minor",
        })
    }
}

/// Why a value is not an owner record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayerError {
    #[error("the owner record has no {0} field")]
    Missing(Field),
    #[error("the owner record's {field} field is invalid: {value:?}")]
    Invalid { field: Field, value: String },
}

/// At most this much of a bad field is quoted in an error.
const QUOTED_MAX: usize = 32;

fn invalid(field: Field, value: &[u8]) -> LayerError {
    let cut = &value[..value.len().min(QUOTED_MAX)];
    LayerError::Invalid {
        field,
        value: String::from_utf8_lossy(cut).into_owned(),
    }
}

/// Digits only (no sign, prefix or space), fitting in a `u32`.
fn number(field: Field, digits: &[u8], radix: u32) -> Result<u32, LayerError> {
    if digits.is_empty() {
        return Err(LayerError::Missing(field));
    }
    let mut n: u32 = 0;
    for &b in digits {
        let d = char::from(b)
            .to_digit(radix)
            .ok_or_else(|| invalid(field, digits))?;
        n = n
            .checked_mul(radix)
            .and_then(|n| n.checked_add(d))
            .ok_or_else(|| invalid(field, digits))?;
    }
    Ok(n)
}

fn is_padding(b: &u8) -> bool {
    b.is_ascii_whitespace() || *b == 0
}

fn kind(spec: &[u8]) -> Result<Kind, LayerError> {
    Ok(match spec {
        b"" => return Err(LayerError::Missing(Field::Type)),
        b"file" => Kind::File,
        b"dir" => Kind::Dir,
        b"symlink" => Kind::Symlink,
        b"pipe" => Kind::Pipe,
        b"socket" => Kind::Socket,
        _ => {
            let (block, numbers) = if let Some(n) = spec.strip_prefix(b"char-") {
                (false, n)
            } else if let Some(n) = spec.strip_prefix(b"block-") {
                (true, n)
            } else {
                return Err(invalid(Field::Type, spec));
            };
            let mut parts = numbers.split(|&b| b == b'-');
            let major = number(Field::Major, parts.next().unwrap_or_default(), 10)?;
            let minor = number(Field::Minor, parts.next().unwrap_or_default(), 10)?;
            Kind::Device(Device {
                block,
                major,
                minor,
            })
        }
    })
}

impl OverrideStat {
    /// A record of an owner and permission bits (bits above `0o7777` are
    /// dropped).
    pub fn new(uid: u32, gid: u32, mode: u32) -> OverrideStat {
        OverrideStat {
            uid,
            gid,
            mode: mode & 0o7777,
            kind: None,
        }
    }

    /// The same record for a placeholder of `device`.
    pub fn with_device(self, device: Device) -> OverrideStat {
        OverrideStat {
            kind: Some(Kind::Device(device)),
            ..self
        }
    }

    /// Reads a record with the module's tolerance policy.
    pub fn parse(value: &[u8]) -> Result<OverrideStat, LayerError> {
        let start = value.iter().position(|b| !is_padding(b)).unwrap_or(0);
        let end = value
            .iter()
            .rposition(|b| !is_padding(b))
            .map_or(0, |e| e + 1);
        let value = &value[start..end.max(start)];
        // The fifth part, if any, is whatever follows the fourth `:`.
        let mut fields = value.splitn(5, |&b| b == b':');
        let mut next = |field| fields.next().ok_or(LayerError::Missing(field));
        let uid = number(Field::Uid, next(Field::Uid)?, 10)?;
        let gid = number(Field::Gid, next(Field::Gid)?, 10)?;
        let mode = number(Field::Mode, next(Field::Mode)?, 8)? & 0o7777;
        let kind = fields.next().map(kind).transpose()?;
        Ok(OverrideStat {
            uid,
            gid,
            mode,
            kind,
        })
    }

    /// The device this record's file stands for, if it is a placeholder.
    pub fn device(&self) -> Option<Device> {
        match self.kind {
            Some(Kind::Device(d)) => Some(d),
            _ => None,
        }
    }

    /// Whether an inode owned by `uid`:`gid` with permission bits `mode`
    /// already says everything this record does (a device never is), so
    /// no record is needed.
    pub fn is_implied_by(&self, uid: u32, gid: u32, mode: u32) -> bool {
        self.uid == uid && self.gid == gid && self.mode == mode & 0o7777 && self.device().is_none()
    }
}

/// The value as rsp writes it (see the module docs).
impl fmt::Display for OverrideStat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:0{:o}", self.uid, self.gid, self.mode & 0o7777)?;
        match self.kind {
            None => Ok(()),
            Some(Kind::File) => f.write_str(":file"),
            Some(Kind::Dir) => f.write_str(":dir"),
            Some(Kind::Symlink) => f.write_str(":symlink"),
            Some(Kind::Pipe) => f.write_str(":pipe"),
            Some(Kind::Socket) => f.write_str(":socket"),
            Some(Kind::Device(d)) => {
                let class = if d.block { "block" } else { "char" };
                write!(f, ":{class}-{}-{}", d.major, d.minor)
            }
        }
    }
}

/// The id to record for an id from a tar header: 64 bits there, and
/// `u32::MAX` is `-1`, "no id", to the kernel. Anything that is not a
/// valid `uid_t` becomes [`OVERFLOW_ID`], which every reader understands
/// and which, unlike leaving the file to the unpacking user (the
/// container's root), grants nothing.
pub fn tar_id(id: u64) -> u32 {
    match u32::try_from(id) {
        Ok(id) if id != u32::MAX => id,
        _ => OVERFLOW_ID,
    }
}

// ---- whiteouts and opaque directories ----

/// What a name of the tar form means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhiteoutName<'a> {
    /// `.wh.NAME`: a whiteout of `NAME`, one plain path component.
    Whiteout(&'a OsStr),
    /// `.wh..wh..opq`: its directory is opaque.
    Opaque,
    /// Any other `.wh.` name: AUFS metadata (`.wh..wh.plnk`), or one that
    /// names no entry (`.wh.`, `.wh..`, `.wh...`). Never shown, ignored.
    Other,
}

/// Whether `name` is a name of the tar form (starts with `.wh.`): never
/// part of a merged view, never a container's to create.
pub fn is_whiteout_name(name: &[u8]) -> bool {
    name.starts_with(WHITEOUT_PREFIX)
}

/// What `name` means in the tar form; `None` for an ordinary name.
pub fn whiteout_name_kind(name: &OsStr) -> Option<WhiteoutName<'_>> {
    let bytes = name.as_bytes();
    let target = bytes.strip_prefix(WHITEOUT_PREFIX)?;
    Some(if bytes == OPAQUE_MARKER {
        WhiteoutName::Opaque
    } else if bytes.starts_with(AUFS_META_PREFIX)
        || target.is_empty()
        || target == b"."
        || target == b".."
        || target.contains(&b'/')
        || target.contains(&0)
    {
        WhiteoutName::Other
    } else {
        WhiteoutName::Whiteout(OsStr::from_bytes(target))
    })
}

/// The name a whiteout `.wh.NAME` deletes, if it is one.
pub fn whiteout_target(name: &OsStr) -> Option<&OsStr> {
    match whiteout_name_kind(name) {
        Some(WhiteoutName::Whiteout(target)) => Some(target),
        _ => None,
    }
}

/// The tar form's whiteout of `target`: `.wh.TARGET`.
pub fn whiteout_name(target: &OsStr) -> OsString {
    let mut name = OsString::from(OsStr::from_bytes(WHITEOUT_PREFIX));
    name.push(target);
    name
}

/// Whether `name` is the tar form's opaque marker.
pub fn is_opaque_marker(name: &[u8]) -> bool {
    name == OPAQUE_MARKER
}

/// Whether an inode of `st_mode` and `st_rdev` is the overlay form's
/// whiteout: a character device 0/0.
pub fn is_whiteout_device(st_mode: u32, rdev: u64) -> bool {
    st_mode & libc::S_IFMT == libc::S_IFCHR && rdev == 0
}

/// Whether [`OPAQUE_XATTR`] with this value makes a directory opaque
/// (kernel overlayfs gives other values other meanings).
pub fn is_opaque_value(value: &[u8]) -> bool {
    value == OPAQUE_VALUE
}

/// Whether the xattr `name` is overlay's own ([`OVERLAY_XATTR_PREFIX`]).
pub fn is_overlay_xattr(name: &[u8]) -> bool {
    name.starts_with(OVERLAY_XATTR_PREFIX)
}

/// Whether the xattr `name` is content a layer carries from and to a tar:
/// a `user.` xattr outside overlay's and containers/storage's namespaces.
/// Those must not be forged by an image (it could redirect lookups or
/// claim owners), and other namespaces cannot be set unprivileged.
pub fn is_content_xattr(name: &[u8]) -> bool {
    name.starts_with(b"user.")
        && !name.starts_with(OVERLAY_XATTR_PREFIX)
        && !name.starts_with(CONTAINERS_XATTR_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(uid: u32, gid: u32, mode: u32, kind: Option<Kind>) -> OverrideStat {
        OverrideStat {
            uid,
            gid,
            mode,
            kind,
        }
    }

    fn dev(block: bool, major: u32, minor: u32) -> Option<Kind> {
        Some(Kind::Device(Device {
            block,
            major,
            minor,
        }))
    }

    fn parse(v: &[u8]) -> Option<OverrideStat> {
        OverrideStat::parse(v).ok()
    }

    #[test]
    fn names_agree() {
        assert_eq!(
            OVERRIDE_STAT_XATTR_C.to_bytes(),
            OVERRIDE_STAT_XATTR.as_bytes()
        );
        assert!(
            OVERRIDE_STAT_XATTR
                .as_bytes()
                .starts_with(CONTAINERS_XATTR_PREFIX)
        );
        assert!(is_overlay_xattr(OPAQUE_XATTR.as_bytes()));
        assert!(OPAQUE_MARKER.starts_with(AUFS_META_PREFIX));
        assert!(AUFS_META_PREFIX.starts_with(WHITEOUT_PREFIX));
    }

    #[test]
    fn reads_every_record_rsp_wrote() {
        // Exactly the forms unpack, copy, the FUSE overlay and the
        // ownership supervisor have written.
        let cases: &[(&[u8], OverrideStat)] = &[
            (b"33:33:0755", rec(33, 33, 0o755, None)),
            (b"0:0:04755", rec(0, 0, 0o4755, None)),
            (b"0:0:01777", rec(0, 0, 0o1777, None)),
            (b"0:0:00", rec(0, 0, 0, None)),
            (b"1000:33:0640", rec(1000, 33, 0o640, None)),
            (b"0:5:0620:char-4-1", rec(0, 5, 0o620, dev(false, 4, 1))),
            (b"0:0:0666:char-1-3", rec(0, 0, 0o666, dev(false, 1, 3))),
            (b"0:6:0660:block-8-0", rec(0, 6, 0o660, dev(true, 8, 0))),
            (b"65534:65534:04711", rec(65534, 65534, 0o4711, None)),
        ];
        for (value, want) in cases {
            let got = OverrideStat::parse(value).unwrap();
            assert_eq!(got, *want, "{}", String::from_utf8_lossy(value));
            // And writes them back byte for byte.
            assert_eq!(got.to_string().as_bytes(), *value);
        }
    }

    #[test]
    fn reads_what_containers_storage_and_fuse_overlayfs_write() {
        // containers/storage: `%d:%d:%04o:TYPE`.
        assert_eq!(
            parse(b"0:0:0755:dir"),
            Some(rec(0, 0, 0o755, Some(Kind::Dir)))
        );
        assert_eq!(
            parse(b"1:2:0644:file"),
            Some(rec(1, 2, 0o644, Some(Kind::File)))
        );
        assert_eq!(
            parse(b"0:0:0777:symlink").unwrap().kind,
            Some(Kind::Symlink)
        );
        assert_eq!(parse(b"0:0:0600:pipe").unwrap().kind, Some(Kind::Pipe));
        assert_eq!(parse(b"0:0:0600:socket").unwrap().kind, Some(Kind::Socket));
        assert_eq!(parse(b"0:0:4755:file").unwrap().mode, 0o4755);
        assert_eq!(parse(b"0:0:0000:file").unwrap().mode, 0);
        assert_eq!(
            parse(b"0:0:0660:block-259-65536"),
            Some(rec(0, 0, 0o660, dev(true, 259, 65536)))
        );
        // fuse-overlayfs: `%d:%d:%o` of the whole st_mode.
        assert_eq!(parse(b"0:5:20620"), Some(rec(0, 5, 0o620, None)));
        assert_eq!(parse(b"0:0:100644"), Some(rec(0, 0, 0o644, None)));
        assert_eq!(parse(b"0:0:020666:char-1-3").unwrap().mode, 0o666);
        // The largest values.
        assert_eq!(
            parse(b"4294967295:4294967295:37777777777:char-4294967295-4294967295"),
            Some(rec(
                u32::MAX,
                u32::MAX,
                0o7777,
                dev(false, u32::MAX, u32::MAX)
            ))
        );
    }

    #[test]
    fn round_trips() {
        let kinds = [
            None,
            Some(Kind::File),
            Some(Kind::Dir),
            Some(Kind::Symlink),
            Some(Kind::Pipe),
            Some(Kind::Socket),
            dev(false, 0, 0),
            dev(false, 136, 3),
            dev(true, 8, 1),
            dev(true, u32::MAX, u32::MAX),
        ];
        for kind in kinds {
            for (uid, gid) in [(0, 0), (1, 2), (65534, 100), (u32::MAX, 0)] {
                for mode in [0, 0o1, 0o644, 0o755, 0o1777, 0o2755, 0o4711, 0o7777] {
                    let r = rec(uid, gid, mode, kind);
                    let v = r.to_string();
                    assert_eq!(OverrideStat::parse(v.as_bytes()), Ok(r), "{v}");
                    // The form every reader so far understands.
                    assert!(v.starts_with(&format!("{uid}:{gid}:0")), "{v}");
                }
            }
        }
        // Formatting never writes bits a reader would drop.
        let r = rec(0, 0, 0o120755, None);
        assert_eq!(r.to_string(), "0:0:0755");
        assert_eq!(OverrideStat::new(1, 1, 0o100644).mode, 0o644);
    }

    #[test]
    fn padding_at_the_ends_is_ignored() {
        let want = Some(rec(1, 2, 0o4755, None));
        for v in [
            &b"1:2:04755\0"[..],
            b"1:2:04755\0\0\0",
            b"1:2:04755\n",
            b"1:2:04755 \r\n\0",
            b" \t1:2:04755",
            b"\x001:2:04755\x00",
        ] {
            assert_eq!(parse(v), want, "{:?}", String::from_utf8_lossy(v));
        }
        assert_eq!(
            parse(b"0:0:0666:char-1-3\0"),
            Some(rec(0, 0, 0o666, dev(false, 1, 3)))
        );
        assert_eq!(parse(b"0:0:0755:dir\n").unwrap().kind, Some(Kind::Dir));
    }

    #[test]
    fn extra_parts_are_ignored() {
        let d = Some(rec(0, 0, 0o666, dev(false, 1, 3)));
        assert_eq!(parse(b"0:0:0666:char-1-3:more"), d);
        assert_eq!(parse(b"0:0:0666:char-1-3:a:b:c::"), d);
        assert_eq!(parse(b"0:0:0666:char-1-3-9"), d);
        assert_eq!(parse(b"0:0:0666:char-1-3-"), d);
        assert_eq!(parse(b"0:0:0666:char-1-3:\xff\xfe\0junk"), d);
        assert_eq!(
            parse(b"1:2:0644:file:"),
            Some(rec(1, 2, 0o644, Some(Kind::File)))
        );
        // An overlong tail is not even looked at.
        let mut long = b"5:6:0700:dir:".to_vec();
        long.extend(std::iter::repeat_n(b'x', 1 << 16));
        assert_eq!(parse(&long), Some(rec(5, 6, 0o700, Some(Kind::Dir))));
        // Leading zeros are digits like any other.
        let mut zeros = vec![b'0'; 4096];
        zeros.extend_from_slice(b"33:0:0644");
        assert_eq!(parse(&zeros), Some(rec(33, 0, 0o644, None)));
    }

    #[test]
    fn hostile_records_are_rejected() {
        let bad: &[&[u8]] = &[
            // Missing or empty fields.
            b"",
            b"\0",
            b"   ",
            b"1",
            b"1:2",
            b"1:2:",
            b":2:0644",
            b"1::0644",
            b"::",
            b":::",
            b"1:2:0644:",
            // Not digits.
            b"x:1:0644",
            b"1:y:0644",
            b"1:2:z",
            b"1:2:9",
            b"1:2:0o644",
            b"0x1:2:0644",
            b"1:2:0644e",
            b"1.0:2:0644",
            b"1,2:0644",
            // Signs.
            b"-1:0:0644",
            b"+1:0:0644",
            b"1:-2:0644",
            b"1:2:-0644",
            b"1:2:+0644",
            b"0:0:0666:char--1-3",
            b"0:0:0666:char-1--3",
            b"0:0:0666:char-+1-3",
            // Overflowing 32 bits.
            b"4294967296:0:0644",
            b"0:4294967296:0644",
            b"99999999999999999999999999:0:0644",
            b"0:0:40000000000",
            b"0:0:0666:char-4294967296-0",
            b"0:0:0666:block-0-4294967296",
            // Spaces and NULs inside.
            b"1 :2:0644",
            b"1: 2:0644",
            b"1:2: 0644",
            b"1\0:2:0644",
            b"1:2\0:0644",
            b"1:2:06\x0044",
            b"1:2:0644\0:char-1-3",
            b"1:2:0644\0junk",
            // Not UTF-8 where it is read.
            b"\xff:0:0644",
            b"0:0:06\xc3\xa44",
            b"\xef\xbc\x91:0:0644",
            // Unknown, empty or broken types.
            b"1:2:0644:tape-1-2",
            b"1:2:0644:char-1",
            b"1:2:0644:char-",
            b"1:2:0644:char",
            b"1:2:0644:block",
            b"1:2:0644:char1-3",
            b"1:2:0644:CHAR-1-3",
            b"1:2:0644:Dir",
            b"1:2:0644:directory",
            b"1:2:0644:files",
            b"1:2:0644: dir",
            b"1:2:0644:char-1-x",
            b"1:2:0644:\xff",
            // Separators that are not `:`.
            b"1;2;0644",
            b"1 2 0644",
        ];
        for v in bad {
            assert_eq!(parse(v), None, "{:?}", String::from_utf8_lossy(v));
        }
        // An overlong number is refused without being quoted whole.
        let mut huge = vec![b'9'; 1 << 16];
        huge.extend_from_slice(b":0:0644");
        let err = OverrideStat::parse(&huge).unwrap_err();
        assert!(err.to_string().len() < 100, "{err}");
    }

    #[test]
    fn errors_name_the_field() {
        let e = |v: &[u8]| OverrideStat::parse(v).unwrap_err();
        assert_eq!(e(b"1:2"), LayerError::Missing(Field::Mode));
        assert_eq!(e(b""), LayerError::Missing(Field::Uid));
        assert_eq!(e(b"1:2:0644:"), LayerError::Missing(Field::Type));
        assert_eq!(e(b"1:2:0644:char-1"), LayerError::Missing(Field::Minor));
        assert!(matches!(
            e(b"1:x:0644"),
            LayerError::Invalid {
                field: Field::Gid,
                ..
            }
        ));
        assert!(matches!(
            e(b"1:2:8"),
            LayerError::Invalid {
                field: Field::Mode,
                ..
            }
        ));
        assert!(matches!(
            e(b"1:2:0644:tape"),
            LayerError::Invalid {
                field: Field::Type,
                ..
            }
        ));
        assert!(matches!(
            e(b"1:2:0644:block-x-1"),
            LayerError::Invalid {
                field: Field::Major,
                ..
            }
        ));
        assert_eq!(
            e(b"1:2:0644:tape").to_string(),
            "the owner record's type field is invalid: \"tape\""
        );
    }

    #[test]
    fn device_and_implied() {
        let plain = OverrideStat::new(0, 0, 0o755);
        assert_eq!(plain.device(), None);
        assert!(plain.is_implied_by(0, 0, 0o755));
        assert!(plain.is_implied_by(0, 0, 0o40755));
        assert!(!plain.is_implied_by(0, 0, 0o700));
        assert!(!plain.is_implied_by(1, 0, 0o755));
        assert!(!plain.is_implied_by(0, 1, 0o755));
        let d = Device {
            block: false,
            major: 1,
            minor: 3,
        };
        let placeholder = plain.with_device(d);
        assert_eq!(placeholder.device(), Some(d));
        assert!(!placeholder.is_implied_by(0, 0, 0o755));
        assert_eq!(placeholder.to_string(), "0:0:0755:char-1-3");
        // A type other than a device says nothing the inode does not.
        let dir = parse(b"0:0:0755:dir").unwrap();
        assert_eq!(dir.device(), None);
        assert!(dir.is_implied_by(0, 0, 0o755));
    }

    #[test]
    fn tar_ids() {
        assert_eq!(tar_id(0), 0);
        assert_eq!(tar_id(1000), 1000);
        assert_eq!(tar_id(u64::from(u32::MAX - 1)), u32::MAX - 1);
        assert_eq!(tar_id(u64::from(u32::MAX)), OVERFLOW_ID);
        assert_eq!(tar_id(5_000_000_000), OVERFLOW_ID);
        assert_eq!(tar_id(u64::MAX), OVERFLOW_ID);
    }

    #[test]
    fn whiteout_names() {
        fn k(n: &str) -> Option<WhiteoutName<'_>> {
            whiteout_name_kind(OsStr::new(n))
        }
        assert_eq!(k("file"), None);
        assert_eq!(k(".wh"), None);
        assert_eq!(k("wh.x"), None);
        assert_eq!(k("a.wh.b"), None);
        assert_eq!(k(".wh.b"), Some(WhiteoutName::Whiteout(OsStr::new("b"))));
        assert_eq!(
            k(".wh.-dash"),
            Some(WhiteoutName::Whiteout(OsStr::new("-dash")))
        );
        assert_eq!(
            k(".wh..hidden"),
            Some(WhiteoutName::Whiteout(OsStr::new(".hidden")))
        );
        assert_eq!(
            k(".wh...."),
            Some(WhiteoutName::Whiteout(OsStr::new("...")))
        );
        assert_eq!(k(".wh..wh..opq"), Some(WhiteoutName::Opaque));
        for other in [
            ".wh.",
            ".wh..",
            ".wh...",
            ".wh..wh.plnk",
            ".wh..wh.aufs",
            ".wh..wh.",
        ] {
            assert_eq!(k(other), Some(WhiteoutName::Other), "{other}");
        }
        // Not a plain component: never a whiteout of anything.
        assert_eq!(k(".wh.a/b"), Some(WhiteoutName::Other));
        assert_eq!(k(".wh.a\0"), Some(WhiteoutName::Other));
        // Any bytes are a name.
        let raw = OsStr::from_bytes(b".wh.\xff\xfe");
        assert_eq!(whiteout_target(raw), Some(OsStr::from_bytes(b"\xff\xfe")));

        assert_eq!(whiteout_target(OsStr::new(".wh.x")), Some(OsStr::new("x")));
        assert_eq!(whiteout_target(OsStr::new(".wh..wh..opq")), None);
        assert_eq!(whiteout_target(OsStr::new("x")), None);
        // A whiteout of a `.wh.` name would be AUFS metadata.
        assert_eq!(
            whiteout_name_kind(&whiteout_name(OsStr::new(".wh.x"))),
            Some(WhiteoutName::Other)
        );
        for n in ["x", ".x", "..x", "a b", "wh.x"] {
            let wh = whiteout_name(OsStr::new(n));
            assert!(is_whiteout_name(wh.as_bytes()));
            assert_eq!(whiteout_target(&wh), Some(OsStr::new(n)), "{n}");
        }
        assert_eq!(whiteout_name(OsStr::new("gone")), ".wh.gone");
        assert!(is_opaque_marker(b".wh..wh..opq"));
        assert!(!is_opaque_marker(b".wh..wh..opq2"));
        assert!(!is_opaque_marker(b"opq"));
        assert!(is_whiteout_name(b".wh."));
        assert!(is_whiteout_name(OPAQUE_MARKER));
        assert!(!is_whiteout_name(b".wh"));
        assert!(!is_whiteout_name(b"x.wh.y"));
    }

    #[test]
    fn overlay_form() {
        assert!(is_whiteout_device(libc::S_IFCHR, 0));
        assert!(is_whiteout_device(libc::S_IFCHR | 0o644, 0));
        assert!(!is_whiteout_device(libc::S_IFCHR, libc::makedev(1, 3)));
        assert!(!is_whiteout_device(libc::S_IFCHR, libc::makedev(0, 1)));
        assert!(!is_whiteout_device(libc::S_IFBLK, 0));
        assert!(!is_whiteout_device(libc::S_IFREG, 0));
        assert!(!is_whiteout_device(libc::S_IFDIR, 0));
        assert!(is_opaque_value(b"y"));
        for v in [&b""[..], b"n", b"x", b"Y", b"y\0", b"yes"] {
            assert!(!is_opaque_value(v), "{v:?}");
        }
    }

    #[test]
    fn xattr_namespaces() {
        assert!(is_overlay_xattr(b"user.overlay.opaque"));
        assert!(is_overlay_xattr(b"user.overlay.redirect"));
        assert!(!is_overlay_xattr(b"user.overlayx"));
        assert!(!is_overlay_xattr(b"trusted.overlay.opaque"));
        assert!(is_content_xattr(b"user.k"));
        assert!(is_content_xattr(b"user.mime_type"));
        for not in [
            &b"user.overlay.opaque"[..],
            b"user.overlay.origin",
            b"user.containers.override_stat",
            b"user.containers.anything",
            b"security.capability",
            b"trusted.overlay.opaque",
            b"system.posix_acl_access",
            b"user",
            b"",
        ] {
            assert!(!is_content_xattr(not), "{:?}", String::from_utf8_lossy(not));
        }
    }
}
