//! Compression: gzip (multi-member, as WET files are; zero bytes after the
//! last member, as a tar-like padding leaves them, ignored) and zstd,
//! detected by their magic bytes, for reading; the same formats for writing, so that an
//! output keeps its input's compression. A zstd file may start with a
//! skippable frame instead of a data frame (`pzstd` writes one first, to
//! record the size of its frames), and is detected by that too.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

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
        Compression::Gzip => Box::new(GzMembers::new(reader)),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(reader)?),
    };
    Ok((c, r))
}

/// A gzip stream of one or more members, read as
/// `flate2::bufread::MultiGzDecoder` reads it, except that zero bytes after
/// a complete member that run to the end of the input end it cleanly: GNU
/// gzip ("decompression OK, trailing zero bytes ignored") and Python's gzip
/// accept such padding (a tape or tar block filled up), and
/// `MultiGzDecoder` takes it for a bad header and loses the whole file.
/// Anything else after a member that is not a gzip header is still an
/// error, as it is for gzip (which calls it "trailing garbage").
struct GzMembers<R> {
    /// The member being read. One decoder for all members, reset between
    /// them as `MultiGzDecoder` does, so that a WET file (a member per
    /// record, tens of thousands) does not build a new inflate state each.
    member: flate2::bufread::GzDecoder<Held<R>>,
    /// At the end (after the last member or an error): reads return 0.
    done: bool,
}

impl<R: BufRead> GzMembers<R> {
    fn new(reader: R) -> GzMembers<R> {
        GzMembers {
            member: flate2::bufread::GzDecoder::new(Held(Some(reader))),
            done: false,
        }
    }

    /// After a complete member: starts the next one, or ends the stream at
    /// the end of the input or of the zero bytes that run to it. The zeros
    /// are looked at a buffer at a time, never held whole.
    fn next_member(&mut self) -> io::Result<()> {
        let reader = self.member.get_mut();
        match reader.fill_buf()?.first() {
            None => self.done = true,
            Some(0) => loop {
                let buf = reader.fill_buf()?;
                if buf.is_empty() {
                    self.done = true;
                    break;
                }
                match buf.iter().position(|&b| b != 0) {
                    None => {
                        let n = buf.len();
                        reader.consume(n);
                    }
                    Some(i) => {
                        reader.consume(i);
                        // flate2's error for what does not start a member.
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidInput,
                            "invalid gzip header",
                        ));
                    }
                }
            },
            // A header, or an error for its first bytes, on the next read.
            Some(_) => {
                let held = reader.0.take();
                self.member.reset(Held(held));
            }
        }
        Ok(())
    }
}

impl<R: BufRead> Read for GzMembers<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while !self.done && !buf.is_empty() {
            // 0 from a non-empty buffer: the member's trailer is read and
            // its CRC and length checked.
            let step = match self.member.read(buf) {
                Ok(0) => self.next_member().map(|()| 0),
                other => other,
            };
            match step {
                Ok(0) => {}
                Ok(n) => return Ok(n),
                // Retried as a read would be; the decoder's state is kept.
                Err(e) if e.kind() == io::ErrorKind::Interrupted => return Err(e),
                Err(e) => {
                    // After an error the decoder would read 0 as if its
                    // member were complete: the stream ends here.
                    self.done = true;
                    return Err(e);
                }
            }
        }
        Ok(0)
    }
}

/// The reader under a [`GzMembers`]' decoder, in an `Option` so that it can
/// be moved into [`flate2::bufread::GzDecoder::reset`], which takes the
/// reader of the next member by value. Empty only inside that call.
struct Held<R>(Option<R>);

impl<R: Read> Read for Held<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.0 {
            Some(r) => r.read(buf),
            None => Ok(0),
        }
    }
}

impl<R: BufRead> BufRead for Held<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match &mut self.0 {
            Some(r) => r.fill_buf(),
            None => Ok(&[]),
        }
    }
    fn consume(&mut self, n: usize) {
        if let Some(r) = &mut self.0 {
            r.consume(n);
        }
    }
}

/// Opens `path` for reading through the decoder its magic bytes call for.
pub fn open(path: &Path) -> io::Result<(Compression, Box<dyn Read + Send>)> {
    open_sized(path, u64::MAX)
}

/// Standard input, decompressed as its first bytes call for.
pub fn open_stdin() -> io::Result<(Compression, Box<dyn Read + Send>)> {
    decoder(stdin_buffered())
}

/// Standard input with a read buffer of 64 KiB, before decompression:
/// [`open_stdin`]'s reader.
pub fn stdin_buffered() -> io::BufReader<io::Stdin> {
    io::BufReader::with_capacity(1 << 16, io::stdin())
}

/// [`open`] for a file of about `size` bytes: its read buffer is no bigger
/// than the file (and at most 64 KiB), so that a small file does not take
/// 64 KiB of fresh memory a pass. A file smaller than that
/// ([`SMALL_FILE`]) is read whole at once ([`read_whole`]).
pub fn open_sized(path: &Path, size: u64) -> io::Result<(Compression, Box<dyn Read + Send>)> {
    if size < SMALL_FILE {
        return decoder(io::Cursor::new(read_whole(path, size)?));
    }
    decoder(buffered(path, size)?)
}

/// The file at `path`, of about `size` bytes, opened with a read buffer no
/// bigger than it (and at most 64 KiB): [`open_sized`]'s reader of files
/// not read whole, before decompression.
pub fn buffered(path: &Path, size: u64) -> io::Result<BufReader<File>> {
    let f = File::open(path)?;
    let capacity = size
        .saturating_add(1)
        .clamp(ZSTD_MAGIC.len() as u64, 1 << 16) as usize;
    Ok(BufReader::with_capacity(capacity, f))
}

/// A reader that adds the bytes taken from the reader it wraps to a
/// counter shared with another thread: how far into a (compressed) input
/// its decoder has read, for progress. One atomic addition a read or a
/// buffer consumed, of tens of kilobytes or more.
pub struct Counted<R> {
    inner: R,
    taken: Arc<AtomicU64>,
}

impl<R> Counted<R> {
    /// `inner`, counted into `taken`.
    pub fn new(inner: R, taken: Arc<AtomicU64>) -> Counted<R> {
        Counted { inner, taken }
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.taken.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, n: usize) {
        self.inner.consume(n);
        self.taken.fetch_add(n as u64, Ordering::Relaxed);
    }
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

    /// What `decoder` reads from `bytes` through a read buffer of
    /// `capacity` bytes: the text, or the error's kind.
    fn decode_with(bytes: &[u8], capacity: usize) -> Result<Vec<u8>, io::ErrorKind> {
        let (found, mut r) = decoder(BufReader::with_capacity(capacity, bytes)).unwrap();
        assert_eq!(found, Compression::Gzip);
        let mut out = Vec::new();
        r.read_to_end(&mut out).map_err(|e| e.kind())?;
        Ok(out)
    }

    #[test]
    fn zero_bytes_after_the_last_gzip_member_end_the_stream() {
        let gz = |text: &[u8]| {
            let mut e = Encoder::new(Vec::new(), Compression::Gzip).unwrap();
            e.write_all(text).unwrap();
            e.finish().unwrap()
        };
        let two = [gz(b"one\n"), gz(b"two\n")].concat();
        // Buffers smaller and larger than the padding: the zeros are looked
        // at in pieces.
        for capacity in [7, 64, 1 << 16] {
            for zeros in [1, 512, 10_000] {
                let padded = [&two[..], &vec![0; zeros]].concat();
                assert_eq!(
                    decode_with(&padded, capacity).as_deref(),
                    Ok(&b"one\ntwo\n"[..]),
                    "{zeros} zeros, buffer {capacity}"
                );
            }
            // Zeros that do not run to the end, and bytes that are not a
            // member, are not padding.
            for tail in [&b"\0\0\0x"[..], b"x", b"\0\0\x1f\x8b", b"\0\0\0\0\x1f"] {
                let bad = [&two[..], tail].concat();
                assert!(
                    decode_with(&bad, capacity).is_err(),
                    "{tail:?}, buffer {capacity}"
                );
            }
            let member_after_zeros = [&two[..], &[0; 512], &gz(b"three\n")].concat();
            assert!(decode_with(&member_after_zeros, capacity).is_err());
            // Zeros inside a member are its data, and a member cut short
            // (here in its CRC) and padded is still broken.
            let zeros_inside = gz(&[0; 100_000]);
            assert_eq!(decode_with(&zeros_inside, capacity), Ok(vec![0; 100_000]));
            let cut = [&two[..two.len() - 6], &[0; 512]].concat();
            assert!(decode_with(&cut, capacity).is_err());
        }
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
