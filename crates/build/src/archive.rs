//! ADD's local archives: a source that is a tar (plain, gzip, bzip2, xz
//! or zstd) is extracted rather than copied.
//!
//! Contract: [`detect`] looks only at the file's first bytes (Docker
//! decides by contents, not name). [`extract`] unpacks through the
//! store's layer unpacker into an empty directory (so `..` entries,
//! absolute names and links out of it are refused or confined exactly as
//! in a pulled layer), owners and modes recorded as the archive has them.
//!
//! As Docker does, a compressed file is an archive only when what it
//! decompresses to starts with a valid tar header (its checksum right):
//! a `.gz` of a text file is copied as it is. bzip2 and zstd only give
//! data once a whole block is in, so [`detect`] needs enough of the head
//! to decide; when the head runs out first it trusts the compression
//! magic. [`detect_reader`] reads as far as it needs instead.

use std::io::{self, Read};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("extracting {name}: {message}")]
    Extract { name: String, message: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Bzip2,
    Xz,
    Zstd,
}

/// The size of a tar header block.
const BLOCK: usize = 512;
/// How much compressed input [`detect_reader`] reads at most to reach the
/// first decompressed block: a bzip2 block is at most 900 kB.
const DETECT_LIMIT: u64 = 4 << 20;

/// The compression of a stream starting with `head`, by its magic bytes
/// alone ([`Compression::None`] when none matches).
pub fn compression(head: &[u8]) -> Compression {
    if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(b"BZh") {
        Compression::Bzip2
    } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
        Compression::Xz
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        Compression::None
    }
}

/// `reader` decompressed as `c` says. Concatenated streams (`pigz`,
/// `pbzip2`, multi-stream xz) are read to their end.
pub fn decompress<'a>(reader: impl Read + 'a, c: Compression) -> io::Result<Box<dyn Read + 'a>> {
    Ok(match c {
        Compression::None => Box::new(reader),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(reader)),
        Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(reader)),
        Compression::Xz => Box::new(xz2::read::XzDecoder::new_multi_decoder(reader)),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(reader)?),
    })
}

/// The archive type of a file starting with `head` (at least 512 bytes
/// when the file has them), or `None` if it is not a tar archive.
pub fn detect(head: &[u8]) -> Option<Compression> {
    let c = compression(head);
    if c == Compression::None {
        return is_tar_header(head).then_some(c);
    }
    let Ok(decoder) = decompress(head, c) else {
        return None;
    };
    match first_block(decoder) {
        Ok(block) if block.len() == BLOCK => is_tar_header(&block).then_some(c),
        // The whole compressed stream was there and held less than a
        // header: not an archive.
        Ok(_) => None,
        // The head ended inside the stream (or a block): trust the magic
        // if what came out so far could begin a tar.
        Err(partial) if partial.kind() == io::ErrorKind::UnexpectedEof => Some(c),
        Err(_) => None,
    }
}

/// [`detect`] reading `reader` as far as needed (at most a few MiB of
/// compressed data) to see the first decompressed block.
pub fn detect_reader(reader: impl Read) -> io::Result<Option<Compression>> {
    let mut reader = reader.take(DETECT_LIMIT);
    let mut head = [0u8; 8];
    let mut len = 0;
    while len < head.len() {
        match reader.read(&mut head[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let c = compression(&head[..len]);
    let Ok(decoder) = decompress((&head[..len]).chain(reader), c) else {
        return Ok(None);
    };
    Ok(match first_block(decoder) {
        Ok(block) if block.len() == BLOCK => is_tar_header(&block).then_some(c),
        _ => None,
    })
}

/// Up to the first 512 bytes out of `reader`: fewer only when it ends
/// cleanly there. A stream cut short is an `UnexpectedEof` error.
fn first_block(mut reader: impl Read) -> io::Result<Vec<u8>> {
    let mut block = vec![0u8; BLOCK];
    let mut len = 0;
    while len < BLOCK {
        match reader.read(&mut block[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    block.truncate(len);
    Ok(block)
}

/// Whether `block` is a tar header: its checksum (the byte sum with the
/// checksum field as spaces, unsigned as POSIX has it or signed as old
/// tars wrote it) matches the octal number stored. An all-zero block
/// (an empty archive) is not: Docker copies such a file as it is.
fn is_tar_header(block: &[u8]) -> bool {
    if block.len() < BLOCK {
        return false;
    }
    let block = &block[..BLOCK];
    let field = &block[148..156];
    let digits: Vec<u8> = field
        .iter()
        .copied()
        .skip_while(|b| *b == b' ')
        .take_while(|b| (b'0'..=b'7').contains(b))
        .collect();
    if digits.is_empty() {
        return false;
    }
    let Ok(stored) = u64::from_str_radix(std::str::from_utf8(&digits).unwrap_or(""), 8) else {
        return false;
    };
    let (mut unsigned, mut signed) = (0u64, 0i64);
    for (i, &b) in block.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { b };
        unsigned += u64::from(b);
        signed += i64::from(b as i8);
    }
    stored == unsigned || i64::try_from(stored).is_ok_and(|s| s == signed)
}

/// Extracts the archive `reader` (compressed as `c`) into the empty
/// directory `dest`, in the store's layer format.
pub fn extract(
    reader: impl Read,
    c: Compression,
    name: &str,
    dest: &Path,
) -> Result<(), ArchiveError> {
    let err = |message: String| ArchiveError::Extract {
        name: name.to_string(),
        message,
    };
    // The unpacker knows gzip and zstd by their magic: hand it those as
    // they are; bzip2 and xz it gets decompressed.
    let stream: Box<dyn Read> = match c {
        Compression::None | Compression::Gzip | Compression::Zstd => Box::new(reader),
        Compression::Bzip2 | Compression::Xz => {
            decompress(reader, c).map_err(|e| err(e.to_string()))?
        }
    };
    rsp_storage::unpack::unpack_layer(stream, dest).map_err(|e| err(e.to_string()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn sample_tar() -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        let mut dir = tar::Header::new_ustar();
        dir.set_entry_type(tar::EntryType::Directory);
        dir.set_mode(0o755);
        dir.set_size(0);
        dir.set_uid(0);
        dir.set_gid(0);
        dir.set_mtime(0);
        builder.append_data(&mut dir, "dir/", &[][..]).unwrap();
        // Incompressible-ish data so the archive is more than a block.
        let data: Vec<u8> = (0..100_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let mut file = tar::Header::new_ustar();
        file.set_mode(0o640);
        file.set_size(data.len() as u64);
        file.set_uid(1000);
        file.set_gid(0);
        file.set_mtime(0);
        builder
            .append_data(&mut file, "dir/data.bin", &data[..])
            .unwrap();
        let mut small = tar::Header::new_gnu();
        small.set_mode(0o644);
        small.set_size(5);
        small.set_uid(0);
        small.set_gid(0);
        small.set_mtime(0);
        builder
            .append_data(&mut small, "hello.txt", &b"hello"[..])
            .unwrap();
        builder.into_inner().unwrap()
    }

    fn compress(data: &[u8], c: Compression) -> Vec<u8> {
        match c {
            Compression::None => data.to_vec(),
            Compression::Gzip => {
                let mut e =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                e.write_all(data).unwrap();
                e.finish().unwrap()
            }
            Compression::Bzip2 => {
                let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
                e.write_all(data).unwrap();
                e.finish().unwrap()
            }
            Compression::Xz => {
                let mut e = xz2::write::XzEncoder::new(Vec::new(), 6);
                e.write_all(data).unwrap();
                e.finish().unwrap()
            }
            Compression::Zstd => zstd::encode_all(data, 3).unwrap(),
        }
    }

    const ALL: [Compression; 5] = [
        Compression::None,
        Compression::Gzip,
        Compression::Bzip2,
        Compression::Xz,
        Compression::Zstd,
    ];

    #[test]
    fn issue17_archive_detect_all_compressions() {
        let tar = sample_tar();
        for c in ALL {
            let file = compress(&tar, c);
            assert_eq!(detect(&file), Some(c), "{c:?} whole");
            assert_eq!(detect(&file[..file.len().min(512)]), Some(c), "{c:?} head");
            assert_eq!(detect_reader(&file[..]).unwrap(), Some(c), "{c:?} reader");
            assert_eq!(compression(&file), c);
        }
    }

    #[test]
    fn issue17_archive_detect_non_archives() {
        let text = b"just some text, not an archive at all\n".repeat(40);
        for c in ALL {
            let file = compress(&text, c);
            assert_eq!(detect(&file), None, "{c:?}");
            assert_eq!(detect_reader(&file[..]).unwrap(), None, "{c:?}");
        }
        // An empty archive (zero blocks), and tiny files.
        assert_eq!(detect(&[0u8; 1024]), None);
        assert_eq!(detect(b""), None);
        assert_eq!(detect(&compress(b"", Compression::Gzip)), None);
        assert_eq!(
            detect(b"\x1f\x8bgarbage that is no gzip stream at all"),
            None
        );
        // A header with a wrong checksum.
        let mut tar = sample_tar();
        tar[0] ^= 1;
        assert_eq!(detect(&tar), None);
    }

    #[test]
    fn issue17_archive_extract_all_compressions() {
        let tar = sample_tar();
        for c in ALL {
            let dest = tempfile::tempdir().unwrap();
            let file = compress(&tar, c);
            extract(&file[..], c, "sample.tar", dest.path()).unwrap();
            assert_eq!(
                std::fs::read(dest.path().join("hello.txt")).unwrap(),
                b"hello"
            );
            assert_eq!(
                std::fs::metadata(dest.path().join("dir/data.bin"))
                    .unwrap()
                    .len(),
                100_000
            );
        }
    }

    fn raw_tar(entries: &[(&[u8], tar::EntryType, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (name, kind, link) in entries {
            let mut header = tar::Header::new_gnu();
            header.as_gnu_mut().unwrap().name[..name.len()].copy_from_slice(name);
            header.as_gnu_mut().unwrap().linkname[..link.len()].copy_from_slice(link);
            header.set_entry_type(*kind);
            header.set_mode(0o644);
            let data: &[u8] = if *kind == tar::EntryType::Regular {
                b"evil"
            } else {
                b""
            };
            header.set_size(data.len() as u64);
            header.set_uid(0);
            header.set_gid(0);
            header.set_mtime(0);
            header.set_cksum();
            builder.append(&header, data).unwrap();
        }
        builder.into_inner().unwrap()
    }

    #[test]
    fn issue17_archive_hostile_entries_confined_or_refused() {
        use tar::EntryType::{Regular, Symlink};
        let outer = tempfile::tempdir().unwrap();
        let dest = outer.path().join("dest");
        std::fs::create_dir(&dest).unwrap();
        // `..` and absolute names land inside `dest`.
        let tar = raw_tar(&[(b"../../escaped", Regular, b""), (b"/abs", Regular, b"")]);
        let gz = compress(&tar, Compression::Gzip);
        assert_eq!(detect(&gz), Some(Compression::Gzip));
        extract(&gz[..], Compression::Gzip, "evil.tgz", &dest).unwrap();
        assert!(!outer.path().join("escaped").exists());
        assert!(dest.join("escaped").exists());
        assert!(dest.join("abs").exists());

        // A symlink out, then a file through it: refused, nothing written
        // outside.
        let dest = outer.path().join("dest2");
        std::fs::create_dir(&dest).unwrap();
        let target = outer.path().as_os_str().as_encoded_bytes().to_vec();
        let tar = raw_tar(&[(b"l", Symlink, &target), (b"l/planted", Regular, b"")]);
        let xz = compress(&tar, Compression::Xz);
        let err = extract(&xz[..], Compression::Xz, "evil.txz", &dest).unwrap_err();
        assert!(
            err.to_string().starts_with("extracting evil.txz: "),
            "{err}"
        );
        assert!(!outer.path().join("planted").exists());
    }
}
