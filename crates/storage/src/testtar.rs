//! Test helper: raw tar archives with exactly the headers a test wants,
//! hostile ones included, for the unpacker's and `rsp cp`'s tests.

use tar::{EntryType, Header};

/// The mtime every entry gets unless a test says otherwise.
pub const MTIME: u64 = 1_000_000;

pub struct Tar(pub tar::Builder<Vec<u8>>);

pub struct Spec<'a> {
    pub kind: EntryType,
    pub name: &'a str,
    pub link: &'a str,
    pub data: &'a [u8],
    pub mode: u32,
    pub uid: u64,
    pub device: (u32, u32),
}

impl<'a> Spec<'a> {
    pub fn new(kind: EntryType, name: &'a str) -> Self {
        let mode = if kind == EntryType::Directory {
            0o755
        } else {
            0o644
        };
        Self {
            kind,
            name,
            link: "",
            data: b"",
            mode,
            uid: 0,
            device: (0, 0),
        }
    }
}

impl Tar {
    pub fn new() -> Self {
        Self(tar::Builder::new(Vec::new()))
    }

    pub fn add(&mut self, spec: Spec<'_>) -> &mut Self {
        let mut header = Header::new_ustar();
        header.as_old_mut().name[..spec.name.len()].copy_from_slice(spec.name.as_bytes());
        header.as_old_mut().linkname[..spec.link.len()].copy_from_slice(spec.link.as_bytes());
        header.set_entry_type(spec.kind);
        header.set_size(spec.data.len() as u64);
        header.set_mode(spec.mode);
        header.set_uid(spec.uid);
        header.set_gid(spec.uid);
        header.set_mtime(MTIME);
        header.set_device_major(spec.device.0).unwrap();
        header.set_device_minor(spec.device.1).unwrap();
        header.set_cksum();
        self.0.append(&header, spec.data).unwrap();
        self
    }

    pub fn file(&mut self, name: &str, data: &[u8]) -> &mut Self {
        self.add(Spec {
            data,
            ..Spec::new(EntryType::Regular, name)
        })
    }

    pub fn dir(&mut self, name: &str) -> &mut Self {
        self.add(Spec::new(EntryType::Directory, name))
    }

    pub fn symlink(&mut self, name: &str, target: &str) -> &mut Self {
        self.add(Spec {
            link: target,
            ..Spec::new(EntryType::Symlink, name)
        })
    }

    pub fn hardlink(&mut self, name: &str, target: &str) -> &mut Self {
        self.add(Spec {
            link: target,
            ..Spec::new(EntryType::Link, name)
        })
    }

    /// A PAX extended header applying to the next entry.
    pub fn pax(&mut self, records: &[(&str, &[u8])]) -> &mut Self {
        let mut data = Vec::new();
        for (key, value) in records {
            let body = key.len() + value.len() + 3;
            let mut len = body + body.to_string().len();
            if len.to_string().len() + body != len {
                len += 1;
            }
            data.extend_from_slice(format!("{len} {key}=").as_bytes());
            data.extend_from_slice(value);
            data.push(b'\n');
        }
        self.add(Spec {
            data: &data,
            ..Spec::new(EntryType::XHeader, "PaxHeader")
        })
    }

    pub fn finish(&mut self) -> Vec<u8> {
        let builder = std::mem::replace(&mut self.0, tar::Builder::new(Vec::new()));
        builder.into_inner().unwrap()
    }
}
