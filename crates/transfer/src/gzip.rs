//! A gzip writer that spends no CPU on data that will not compress.
//!
//! Layers often hold data that deflate cannot shrink: compressed archives,
//! images, encrypted or random files. Deflating them at level 6 costs as
//! much CPU as text and saves nothing, and makes gzip the slowest part of a
//! push. [`AdaptiveGzip`] looks at each 256 KiB chunk first: if its bytes
//! are spread almost evenly (over 7.95 bits of entropy per byte, where any
//! deflate gain is under about 1%), the chunk is stored; every other chunk
//! is deflated at the level asked for. A stored chunk follows a sync flush
//! (which byte-aligns the deflate stream), is written as deflate stored
//! blocks, and the compressor then starts a fresh window, so no match ever
//! reaches back over bytes it did not see. The output is one ordinary gzip
//! member that any gzip reader accepts (Go's klauspost/pgzip, which Podman
//! uses, stores such blocks too).

use std::io::{self, Write};

use flate2::{Compress, Compression, Crc, FlushCompress};

const CHUNK: usize = 256 * 1024;
/// Bits per byte above which a chunk is stored, not deflated.
const STORE_ABOVE: f64 = 7.95;

/// Shannon entropy of `data`'s bytes, in bits per byte.
fn entropy(data: &[u8]) -> f64 {
    let mut counts = [0u32; 256];
    for &b in data {
        counts[b as usize] += 1;
    }
    let n = data.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

pub struct AdaptiveGzip<W: Write> {
    inner: W,
    deflate: Compress,
    /// The compressor holds input not yet flushed out.
    dirty: bool,
    crc: Crc,
    pending: Vec<u8>,
    out: Vec<u8>,
}

impl<W: Write> AdaptiveGzip<W> {
    pub fn new(mut inner: W, level: u32) -> io::Result<Self> {
        // Header: magic, deflate, no flags, no mtime, no extra flags, Unix.
        inner.write_all(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3])?;
        Ok(AdaptiveGzip {
            inner,
            deflate: Compress::new(Compression::new(level), false),
            dirty: false,
            crc: Crc::new(),
            pending: Vec::with_capacity(CHUNK),
            out: Vec::with_capacity(CHUNK + CHUNK / 8),
        })
    }

    /// Feeds `input` to the compressor with `flush`, writing what it gives.
    fn run(&mut self, mut input: &[u8], flush: FlushCompress) -> io::Result<()> {
        loop {
            self.out.clear();
            let before = self.deflate.total_in();
            let status = self
                .deflate
                .compress_vec(input, &mut self.out, flush)
                .map_err(io::Error::other)?;
            let used = (self.deflate.total_in() - before) as usize;
            input = &input[used..];
            self.inner.write_all(&self.out)?;
            let done = match flush {
                FlushCompress::Finish => status == flate2::Status::StreamEnd,
                // Input all taken and the output buffer not filled: nothing
                // is left inside for this flush.
                _ => input.is_empty() && self.out.len() < self.out.capacity(),
            };
            if done {
                return Ok(());
            }
        }
    }

    fn chunk(&mut self, data: &[u8]) -> io::Result<()> {
        self.crc.update(data);
        if entropy(data) <= STORE_ABOVE {
            self.dirty = true;
            return self.run(data, FlushCompress::None);
        }
        if self.dirty {
            // Byte-aligns the stream and empties the compressor, so that
            // stored blocks can follow.
            self.run(&[], FlushCompress::Sync)?;
            self.dirty = false;
        }
        for piece in data.chunks(u16::MAX as usize) {
            let len = piece.len() as u16;
            // BFINAL 0, BTYPE 00 (stored), then LEN and its complement.
            self.inner.write_all(&[0])?;
            self.inner.write_all(&len.to_le_bytes())?;
            self.inner.write_all(&(!len).to_le_bytes())?;
            self.inner.write_all(piece)?;
        }
        // The compressor's window must not reach back across data it never
        // saw: it starts over (a raw deflate stream has no header to redo).
        self.deflate.reset();
        Ok(())
    }

    /// Ends the gzip member and returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        let rest = std::mem::take(&mut self.pending);
        if !rest.is_empty() {
            self.chunk(&rest)?;
        }
        self.run(&[], FlushCompress::Finish)?;
        let (sum, amount) = (self.crc.sum(), self.crc.amount());
        self.inner.write_all(&sum.to_le_bytes())?;
        self.inner.write_all(&amount.to_le_bytes())?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for AdaptiveGzip<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.pending.is_empty() && data.len() >= CHUNK {
            self.chunk(&data[..CHUNK])?;
            return Ok(CHUNK);
        }
        let take = (CHUNK - self.pending.len()).min(data.len());
        self.pending.extend_from_slice(&data[..take]);
        if self.pending.len() == CHUNK {
            let full = std::mem::take(&mut self.pending);
            self.chunk(&full)?;
            self.pending = full;
            self.pending.clear();
        }
        Ok(take)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gunzip(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(data)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    fn random(n: usize, seed: u64) -> Vec<u8> {
        let mut x = seed | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    #[test]
    fn mixed_data_round_trips_and_compressible_parts_shrink() {
        let text: Vec<u8> = b"the quick brown fox jumps over the lazy dog\n"
            .iter()
            .cycle()
            .take(3 * CHUNK + 123)
            .copied()
            .collect();
        let noise = random(2 * CHUNK + 7, 42);
        let mut input = Vec::new();
        for part in [&text[..], &noise[..], &text[..1000], &noise[..], &[][..]] {
            input.extend_from_slice(part);
        }
        // Odd write sizes cross the chunk boundaries every way.
        let mut gz = AdaptiveGzip::new(Vec::new(), 6).unwrap();
        for piece in input.chunks(100_003) {
            gz.write_all(piece).unwrap();
        }
        let out = gz.finish().unwrap();
        assert_eq!(gunzip(&out), input);
        // And GNU gzip agrees, where it is installed.
        if let Ok(mut child) = std::process::Command::new("gzip")
            .arg("-dc")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
        {
            let mut stdin = child.stdin.take().unwrap();
            let data = out.clone();
            let feeder = std::thread::spawn(move || stdin.write_all(&data));
            let result = child.wait_with_output().unwrap();
            feeder.join().unwrap().unwrap();
            assert!(result.status.success());
            assert!(result.stdout == input, "gzip -dc differs");
        }
        let incompressible = 2 * noise.len();
        assert!(
            out.len() < incompressible + text.len() / 20,
            "{}",
            out.len()
        );
        assert!(out.len() > incompressible);
    }

    #[test]
    fn empty_and_tiny_inputs_are_valid_gzip() {
        for input in [&b""[..], b"x", &random(10, 1)] {
            let gz = AdaptiveGzip::new(Vec::new(), 6).unwrap();
            let mut gz = gz;
            gz.write_all(input).unwrap();
            assert_eq!(gunzip(&gz.finish().unwrap()), input);
        }
    }

    #[test]
    fn entropy_tells_noise_from_text() {
        assert!(entropy(&random(CHUNK, 7)) > STORE_ABOVE);
        assert!(entropy(&[b'a'; 1000]) < 0.01);
        assert!(entropy(b"hello world, hello world") < 4.0);
    }
}
