//! Compression: gzip (multi-member, as WET files are) and zstd, detected by
//! their magic bytes, for reading; the same formats for writing, so that an
//! output keeps its input's compression. A zstd file may start with a
//! skippable frame instead of a data frame (`pzstd` writes one first, to
//! record the size of its frames), and is detected by that too.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::Path;

/// A compression format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Compression {
    /// Not compressed.
    None,
    /// gzip (RFC 1952), possibly several members.
    Gzip,
    /// Zstandard.
    Zstd,
}

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const ZSTD_MAGIC: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];

/// Whether `head` starts with the magic number of a zstd skippable frame:
/// 0x184D2A50 to 0x184D2A5F, little-endian (RFC 8878, 3.1.2). zstd's
/// streaming decoder skips such frames, so they need no handling past
/// detection.
fn is_zstd_skippable(head: &[u8]) -> bool {
    matches!(head, [b0, 0x2a, 0x4d, 0x18, ..] if b0 & 0xf0 == 0x50)
}

impl Compression {
    /// The format whose magic bytes `head` starts with.
    pub fn detect(head: &[u8]) -> Compression {
        if head.starts_with(GZIP_MAGIC) {
            Compression::Gzip
        } else if head.starts_with(ZSTD_MAGIC) || is_zstd_skippable(head) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }

    /// The file-name suffix of the format (`.gz`, `.zst`), if any.
    pub fn suffix(self) -> Option<&'static str> {
        match self {
            Compression::None => None,
            Compression::Gzip => Some(".gz"),
            Compression::Zstd => Some(".zst"),
        }
    }

    /// The format that a file-name suffix names.
    pub fn from_name(name: &str) -> Compression {
        if name.ends_with(".gz") {
            Compression::Gzip
        } else if name.ends_with(".zst") || name.ends_with(".zstd") {
            Compression::Zstd
        } else {
            Compression::None
        }
    }
}

/// Wraps `reader` in a decoder for the compression its first bytes show.
pub fn decoder<'a, R: BufRead + Send + 'a>(
    mut reader: R,
) -> io::Result<(Compression, Box<dyn Read + Send + 'a>)> {
    let head = reader.fill_buf()?;
    let c = Compression::detect(head);
    let r: Box<dyn Read + Send + 'a> = match c {
        Compression::None => Box::new(reader),
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(reader)),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(reader)?),
    };
    Ok((c, r))
}

/// Opens `path` for reading through the decoder its magic bytes call for.
pub fn open(path: &Path) -> io::Result<(Compression, Box<dyn Read + Send>)> {
    open_sized(path, u64::MAX)
}

/// [`open`] for a file of about `size` bytes: its read buffer is no bigger
/// than the file (and at most 64 KiB), so that a small file does not take
/// 64 KiB of fresh memory a pass. A file smaller than that
/// ([`SMALL_FILE`]) is read whole at once ([`read_whole`]).
pub fn open_sized(path: &Path, size: u64) -> io::Result<(Compression, Box<dyn Read + Send>)> {
    if size < SMALL_FILE {
        return decoder(io::Cursor::new(read_whole(path, size)?));
    }
    let f = File::open(path)?;
    let capacity = size
        .saturating_add(1)
        .clamp(ZSTD_MAGIC.len() as u64, 1 << 16) as usize;
    decoder(BufReader::with_capacity(capacity, f))
}

/// Files of fewer bytes than this are read whole by [`open_sized`]: those
/// that a read buffer of at most 64 KiB (the size `std`'s and most readers'
/// buffers have) holds with the byte that finds the end.
pub const SMALL_FILE: u64 = (1 << 16) - 1;

/// The bytes of the file at `path`, which held `size` bytes when it was
/// found. On Linux they are read into a buffer of `size + 1` bytes, and a
/// read that comes back short of it with `size` bytes read is taken as the
/// end of the file, as it is on Linux's file systems: reading on until a
/// read returns nothing, as `read_to_end` and a `BufReader` do, cost every
/// small file two `read` calls a pass where one does (44,000 of the 286,000
/// system calls of cleaning the 22,000-file benchmark tree). A file that
/// grew in the meantime fills the buffer and is read on to its end.
pub fn read_whole(path: &Path, size: u64) -> io::Result<Vec<u8>> {
    let f = File::open(path)?;
    let capacity = usize::try_from(size).unwrap_or(0).saturating_add(1);
    #[cfg(target_os = "linux")]
    {
        read_sized(&f, size, capacity)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let mut data = Vec::with_capacity(capacity);
        (&f).read_to_end(&mut data)?;
        Ok(data)
    }
}

/// [`read_whole`]'s reads, into uninitialised memory (`rustix`) as `File`
/// reads under a `BufReader`.
#[cfg(target_os = "linux")]
fn read_sized(f: &File, size: u64, capacity: usize) -> io::Result<Vec<u8>> {
    let mut data = Vec::with_capacity(capacity);
    loop {
        if data.len() == data.capacity() {
            data.reserve(data.capacity().max(64));
        }
        let asked = data.capacity() - data.len();
        let n = match rustix::io::read(f, rustix::buffer::spare_capacity(&mut data)) {
            Ok(n) => n,
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        };
        if n == 0 || (n < asked && data.len() as u64 == size) {
            return Ok(data);
        }
    }
}

/// A writer that compresses with one [`Compression`]. Call
/// [`Encoder::finish`]: a compressed stream is complete only after its
/// trailer, and dropping an unfinished encoder leaves it truncated.
pub enum Encoder<W: Write> {
    /// Writes through.
    Plain(W),
    /// gzip, at level 6: zlib's and `gzip`'s default, so an output is about
    /// the size of an input that was compressed with their defaults. On the
    /// benchmark JSONL, level 3 wrote a file 4 % larger in 30 % less time
    /// and level 9 one 0.8 % smaller in 50 % more (BENCHMARKS.md, "gzip
    /// backend and level").
    Gzip(flate2::write::GzEncoder<W>),
    /// zstd, at level 3 (the zstd library's default).
    Zstd(zstd::stream::write::Encoder<'static, W>),
}

impl<W: Write> Encoder<W> {
    /// Wraps `writer` in an encoder for `c`.
    pub fn new(writer: W, c: Compression) -> io::Result<Encoder<W>> {
        Ok(match c {
            Compression::None => Encoder::Plain(writer),
            Compression::Gzip => Encoder::Gzip(flate2::write::GzEncoder::new(
                writer,
                flate2::Compression::new(6),
            )),
            Compression::Zstd => Encoder::Zstd(zstd::stream::write::Encoder::new(writer, 3)?),
        })
    }

    /// Writes the trailer, flushes, and returns the inner writer.
    pub fn finish(self) -> io::Result<W> {
        match self {
            Encoder::Plain(mut w) => {
                w.flush()?;
                Ok(w)
            }
            Encoder::Gzip(e) => {
                let mut w = e.finish()?;
                w.flush()?;
                Ok(w)
            }
            Encoder::Zstd(e) => {
                let mut w = e.finish()?;
                w.flush()?;
                Ok(w)
            }
        }
    }
}

impl<W: Write> Write for Encoder<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Encoder::Plain(w) => w.write(buf),
            Encoder::Gzip(w) => w.write(buf),
            Encoder::Zstd(w) => w.write(buf),
        }
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Encoder::Plain(w) => w.write_all(buf),
            Encoder::Gzip(w) => w.write_all(buf),
            Encoder::Zstd(w) => w.write_all(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Encoder::Plain(w) => w.flush(),
            Encoder::Gzip(w) => w.flush(),
            Encoder::Zstd(w) => w.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_read_whole_is_all_of_it_whatever_size_it_was_said_to_have() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        for len in [0, 1, 100, 5000] {
            let bytes: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            std::fs::write(&path, &bytes).unwrap();
            // The size the walk saw, and sizes of a file that since grew,
            // shrank, or is unknown.
            for size in [len, len / 2, len + 10, 0] {
                let data = read_whole(&path, size as u64).unwrap();
                assert_eq!(data, bytes, "{len} bytes read as {size}");
            }
        }
    }

    #[test]
    fn round_trips_every_format() {
        for c in [Compression::None, Compression::Gzip, Compression::Zstd] {
            let mut e = Encoder::new(Vec::new(), c).unwrap();
            e.write_all(b"hello\nworld\n").unwrap();
            let bytes = e.finish().unwrap();
            assert_eq!(Compression::detect(&bytes), c);
            let (found, mut r) = decoder(&bytes[..]).unwrap();
            assert_eq!(found, c);
            let mut out = Vec::new();
            r.read_to_end(&mut out).unwrap();
            assert_eq!(out, b"hello\nworld\n");
        }
    }

    /// A skippable frame (magic, length, that many bytes), as `pzstd` puts
    /// in front of its data frames.
    fn skippable_frame(magic_low: u8, data: &[u8]) -> Vec<u8> {
        let mut frame = vec![magic_low, 0x2a, 0x4d, 0x18];
        frame.extend_from_slice(&(data.len() as u32).to_le_bytes());
        frame.extend_from_slice(data);
        frame
    }

    #[test]
    fn zstd_that_starts_with_a_skippable_frame_is_detected_and_read() {
        let text = b"hello\nworld\n";
        let mut bytes = skippable_frame(0x50, &[0x2a, 0, 0, 0]);
        bytes.extend(skippable_frame(0x5f, b""));
        let mut e = Encoder::new(Vec::new(), Compression::Zstd).unwrap();
        e.write_all(text).unwrap();
        bytes.extend(e.finish().unwrap());
        assert_eq!(Compression::detect(&bytes), Compression::Zstd);
        let (found, mut r) = decoder(&bytes[..]).unwrap();
        assert_eq!(found, Compression::Zstd);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, text);
        // Only the 16 skippable magic numbers: the next one up is not zstd.
        assert_eq!(
            Compression::detect(&skippable_frame(0x60, b"")),
            Compression::None
        );
        assert_eq!(
            Compression::detect(&skippable_frame(0x4f, b"")),
            Compression::None
        );
    }

    #[test]
    fn a_file_opened_by_its_size_reads_whole_whatever_the_size_said() {
        let dir = tempfile::tempdir().unwrap();
        let text: Vec<u8> = (0..20_000u32).flat_map(|i| i.to_le_bytes()).collect();
        for c in [Compression::None, Compression::Gzip, Compression::Zstd] {
            let mut e = Encoder::new(Vec::new(), c).unwrap();
            e.write_all(&text).unwrap();
            let bytes = e.finish().unwrap();
            let path = dir.path().join("f");
            std::fs::write(&path, &bytes).unwrap();
            // The size from the walk, none, and one gone stale (the file grew).
            for size in [bytes.len() as u64, 0, 3, u64::MAX] {
                let (found, mut r) = open_sized(&path, size).unwrap();
                assert_eq!(found, c);
                let mut out = Vec::new();
                r.read_to_end(&mut out).unwrap();
                assert!(out == text, "{c:?}, size {size}");
            }
        }
    }
}
