//! Batches: how an input's decompressed bytes reach the formats, in pieces
//! of bounded size. This stage sits between the inputs ([`crate::input`],
//! [`crate::compress`]) and the formats ([`crate::format`]).
//!
//! A [`BatchReader`] reads an input as a stream and hands out [`Piece`]s in
//! file order: batches of whole records of about [`Limits::batch`] bytes
//! (JSONL lines, WET records; a text file is one record, whole), which the
//! pipeline classifies in parallel and writes in order, and the bytes of a
//! record longer than [`Limits::max_record`], which are passed through
//! unchanged in pieces without ever being held whole. Memory for one input
//! is so bounded by the batch size and the record limit, whatever the
//! input's size or its compression ratio.
//!
//! Where a batch ends comes from [`crate::format::complete_prefix`], so a
//! record is read the same in a batch as in the whole input, and batch
//! boundaries depend only on the bytes and the limits: never on the number
//! of threads.
//!
//! The first [`crate::pipeline::BINARY_PROBE`] bytes are checked for a NUL
//! byte; a binary input is an error, like one that cannot be read or
//! decompressed (with the byte offset in the decompressed stream).

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::format::{self, Format, Position};

/// Batches of about this many bytes are read and classified as a unit. Big
/// enough that the per-batch costs (a statistics table merged, an output
/// buffer written, a gzip member started) vanish next to the work on 4 MiB
/// of text (about 0.1 s of classification on one core), small enough that
/// a 2-core run of a 200 MB file has about 50 batches to share, and that
/// the batches in flight (about `3 × threads`) hold little memory.
pub const BATCH_BYTES: usize = 4 << 20;

/// A record (a JSONL line, a WET record, a text file), decompressed, longer
/// than this is not cleaned: it is reported and passed through unchanged,
/// streamed in pieces. Common Crawl truncates what it fetches at 1 MiB, so
/// the text of a page is smaller; the longest JSONL record of the 4,850
/// evaluation pages is 0.74 MB (its text 0.25 MB, the rest the page's HTML
/// and gold). 16 MiB is 20 times that, room for any real page, and still
/// bounds memory: at most a few records this long are held at once.
pub const MAX_RECORD: usize = 16 << 20;

/// The sizes that bound a reader's memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The size of a batch in bytes. By default, [`BATCH_BYTES`].
    pub batch: usize,
    /// The longest record that is cleaned, in bytes. By default,
    /// [`MAX_RECORD`].
    pub max_record: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            batch: BATCH_BYTES,
            max_record: MAX_RECORD,
        }
    }
}

/// A batch of whole records of one input.
#[derive(Debug)]
pub struct Batch {
    /// The bytes: whole records in `data[..end]`; after `end`, the start of
    /// the next batch, which the WET reader may look at (see
    /// [`format::records_in`]).
    pub data: Vec<u8>,
    /// Where the batch's records end.
    pub end: usize,
    /// Whether the batch ends the input.
    pub at_end: bool,
    /// Where the batch starts in the input.
    pub start: Position,
}

impl Batch {
    /// The batch's records.
    pub fn records<'a>(
        &'a self,
        format: Format,
        path: &'a Path,
        site: Option<&'a str>,
        opts: &'a format::FormatOptions,
    ) -> format::Records<'a> {
        format::records_in(
            format,
            &self.data,
            self.end,
            self.at_end,
            self.start,
            path,
            site,
            opts,
        )
    }
}

/// One piece of an input, in file order.
#[derive(Debug)]
pub enum Piece {
    /// Whole records.
    Batch(Batch),
    /// Bytes of a record longer than [`Limits::max_record`], to be passed
    /// through as they are. The first piece of such a record carries the
    /// error to report (with the record's line or record number and byte
    /// offset).
    Oversized {
        /// The bytes.
        bytes: Vec<u8>,
        /// What to report, on the record's first piece.
        problem: Option<Error>,
    },
}

/// How far the record being passed through still reaches.
#[derive(Clone, Copy, Debug)]
enum Skip {
    /// Through the next line end (JSONL).
    ThroughNewline,
    /// This many more bytes (WET with a readable `Content-Length`).
    Bytes(u64),
    /// Up to the next WARC record (WET without one).
    ToRecordStart,
    /// To the end of the input (text).
    ToEnd,
}

/// Reads one input in [`Piece`]s.
pub struct BatchReader<'r> {
    reader: Box<dyn Read + Send + 'r>,
    format: Format,
    path: PathBuf,
    limits: Limits,
    /// Bytes read and not yet handed out; they start at a record boundary
    /// (or inside a record being passed through).
    buf: Vec<u8>,
    /// Where `buf` starts.
    pos: Position,
    eof: bool,
    probed: bool,
    skip: Option<Skip>,
    done: bool,
    /// The input's size if known (0 if not), for the first buffer's size.
    size_hint: u64,
}

impl<'r> BatchReader<'r> {
    /// A reader of the decompressed stream `reader` of an input of format
    /// `format` at `path` (for messages).
    pub fn new(
        reader: Box<dyn Read + Send + 'r>,
        format: Format,
        path: &Path,
        limits: Limits,
    ) -> BatchReader<'r> {
        BatchReader {
            reader,
            format,
            path: path.to_path_buf(),
            limits: Limits {
                batch: limits.batch.max(1),
                max_record: limits.max_record.max(1),
            },
            buf: Vec::new(),
            pos: Position::default(),
            eof: false,
            probed: false,
            skip: None,
            done: false,
            size_hint: 0,
        }
    }

    /// A reader of an input whose bytes, all of them and not compressed,
    /// are `data`, which becomes its buffer rather than being copied into
    /// one. An input longer than a batch or the longest record is read as
    /// [`BatchReader::new`] reads it.
    pub fn whole(data: Vec<u8>, format: Format, path: &Path, limits: Limits) -> BatchReader<'r> {
        let mut r = BatchReader::new(Box::new(io::empty()), format, path, limits);
        if data.len() < r.limits.batch.min(r.limits.max_record) {
            r.buf = data;
            r.eof = true;
        } else {
            r.size_hint = data.len() as u64;
            r.reader = Box::new(io::Cursor::new(data));
        }
        r
    }

    /// Says how many bytes the first buffer should hold (the input's size,
    /// if it is not compressed), so that a small input gets a small buffer.
    /// By default, unknown: 64 KiB.
    pub fn size_hint(mut self, bytes: u64) -> BatchReader<'r> {
        self.size_hint = bytes;
        self
    }

    /// Whether every piece has been handed out.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The next piece, `None` after the last. An error (the stream cannot be
    /// read or decompressed, or it is binary) ends the input.
    pub fn next_piece(&mut self) -> Result<Option<Piece>, Error> {
        if self.done {
            return Ok(None);
        }
        let result = self.piece();
        if result.is_err() {
            self.done = true;
            self.buf = Vec::new();
        }
        result.map(Some)
    }

    fn piece(&mut self) -> Result<Piece, Error> {
        if self.skip.is_some() {
            return self.oversized(None);
        }
        // A text input is one record: it is read whole, up to the limit.
        let mut target = match self.format {
            Format::Text => self.limits.max_record.saturating_add(1),
            _ => self.limits.batch,
        };
        loop {
            self.fill(target)?;
            if !self.probed {
                self.probed = true;
                if let Some(at) = crate::pipeline::binary_offset(&self.buf) {
                    return Err(Error::File {
                        path: self.path.clone(),
                        source: io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("binary file (a NUL byte at byte {at}): skipped"),
                        ),
                    });
                }
            }
            let (end, records) = format::complete_prefix(self.format, &self.buf, self.eof);
            if self.eof {
                // The rest is the last batch (perhaps empty: an empty text
                // file is still a document).
                self.done = true;
                return Ok(Piece::Batch(self.take(end, records, true)));
            }
            if end > 0 {
                return Ok(Piece::Batch(self.take(end, records, false)));
            }
            if self.buf.len() > self.limits.max_record {
                return self.start_oversized();
            }
            // No whole record yet: read more, up to just past the limit.
            target = self
                .buf
                .len()
                .saturating_mul(2)
                .max(self.limits.batch)
                .min(self.limits.max_record.saturating_add(1));
        }
    }

    /// Hands out `buf[..end]` (holding `records` records) as a batch; what
    /// follows starts the next one.
    fn take(&mut self, end: usize, records: u64, at_end: bool) -> Batch {
        let rest = self.buf[end..].to_vec();
        let mut data = std::mem::replace(&mut self.buf, rest);
        if self.format != Format::Wet {
            // Only the WET reader looks past the end of a batch.
            data.truncate(end);
        }
        let start = self.pos;
        self.pos.records += records;
        self.pos.offset += end as u64;
        Batch {
            data,
            end,
            at_end,
            start,
        }
    }

    /// The record at the start of `buf` is longer than the limit: reports
    /// it and starts passing it through.
    fn start_oversized(&mut self) -> Result<Piece, Error> {
        let limit = self.limits.max_record;
        let size = if limit >= 1 << 20 {
            format!("{} MiB", limit >> 20)
        } else {
            format!("{limit} bytes")
        };
        let (skip, problem) = match self.format {
            Format::Text => (
                Skip::ToEnd,
                Error::File {
                    path: self.path.clone(),
                    source: io::Error::other(format!(
                        "longer than {size} decompressed: passed through unchanged, not cleaned"
                    )),
                },
            ),
            Format::Jsonl | Format::Wet => {
                let skip = match self.format {
                    Format::Jsonl => Skip::ThroughNewline,
                    _ => match format::wet::record_extent(&self.buf) {
                        Some(n) => Skip::Bytes(n),
                        None => Skip::ToRecordStart,
                    },
                };
                let what = if self.format == Format::Jsonl {
                    "line"
                } else {
                    "WARC record"
                };
                (
                    skip,
                    Error::Record {
                        path: self.path.clone(),
                        line: self.pos.records + 1,
                        message: format!(
                            "{what} at byte offset {} is longer than {size}: \
                             passed through unchanged, not cleaned",
                            self.pos.offset
                        ),
                    },
                )
            }
        };
        self.pos.records += 1;
        self.skip = Some(skip);
        self.oversized(Some(problem))
    }

    /// The next piece of a record being passed through.
    fn oversized(&mut self, problem: Option<Error>) -> Result<Piece, Error> {
        // At least a tail's worth beyond the 8 bytes kept back below, so
        // every piece makes progress.
        let piece = self.limits.batch.max(64);
        if self.buf.len() < piece {
            self.fill(piece)?;
        }
        let skip = self.skip.expect("passing a record through");
        let (n, finished) = match skip {
            Skip::ThroughNewline => match memchr::memchr(b'\n', &self.buf) {
                Some(i) => (i + 1, true),
                None => (self.buf.len(), false),
            },
            Skip::Bytes(left) => {
                let n = (self.buf.len() as u64).min(left);
                self.skip = Some(Skip::Bytes(left - n));
                (n as usize, n == left)
            }
            Skip::ToRecordStart => match format::wet::find_record_start(&self.buf) {
                Some(i) => (i, true),
                // Keep a tail in which the next record's start may begin.
                None if !self.eof => (self.buf.len().saturating_sub(8), false),
                None => (self.buf.len(), false),
            },
            Skip::ToEnd => (self.buf.len(), false),
        };
        let finished = finished || (self.eof && n == self.buf.len());
        let rest = self.buf[n..].to_vec();
        let bytes = std::mem::replace(&mut self.buf, rest);
        let mut bytes = bytes;
        bytes.truncate(n);
        self.pos.offset += n as u64;
        if finished {
            self.skip = None;
            if self.eof && self.buf.is_empty() {
                self.done = true;
            }
        }
        Ok(Piece::Oversized { bytes, problem })
    }

    /// Reads until `buf` holds `target` bytes or the input ends.
    fn fill(&mut self, target: usize) -> Result<(), Error> {
        while !self.eof && self.buf.len() < target {
            let want = target - self.buf.len();
            // A text file's target is the record limit, but most files are
            // small: room for the file or a batch, growing if more comes.
            let hint = match self.size_hint {
                0 => 64 << 10,
                n => n,
            };
            let hint = hint.min(self.limits.batch as u64) as usize;
            self.buf.reserve_exact(want.min(hint));
            let before = self.buf.len();
            match (&mut self.reader)
                .take(want as u64)
                .read_to_end(&mut self.buf)
            {
                Ok(n) if n < want => self.eof = true,
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let at = self.pos.offset + self.buf.len().max(before) as u64;
                    return Err(Error::File {
                        path: self.path.clone(),
                        source: io::Error::new(
                            e.kind(),
                            format!("at byte {at} of the decompressed stream: {e}"),
                        ),
                    });
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(format: Format, input: &[u8], limits: Limits) -> Vec<Piece> {
        let mut r = BatchReader::new(Box::new(input), format, Path::new("x"), limits);
        let mut out = Vec::new();
        while let Some(p) = r.next_piece().unwrap() {
            out.push(p);
        }
        assert!(r.is_done());
        out
    }

    fn bytes_of(ps: &[Piece]) -> Vec<u8> {
        let mut all = Vec::new();
        for p in ps {
            match p {
                Piece::Batch(b) => all.extend_from_slice(&b.data[..b.end]),
                Piece::Oversized { bytes, .. } => all.extend_from_slice(bytes),
            }
        }
        all
    }

    #[test]
    fn an_input_given_whole_reads_as_one_read_from_a_stream() {
        let jsonl: Vec<u8> = (0..50)
            .flat_map(|i| format!("{{\"text\":\"line {i}\"}}\n").into_bytes())
            .collect();
        let mut oversized = b"{\"text\":\"a\"}\n".to_vec();
        oversized.extend(std::iter::repeat_n(b'x', 3000));
        let cases: [(Format, &[u8]); 5] = [
            (Format::Text, b""),
            (Format::Text, b"one\ntwo"),
            (Format::Text, &oversized),
            (Format::Jsonl, &jsonl),
            (Format::Jsonl, &oversized),
        ];
        for limits in [
            Limits::default(),
            Limits {
                batch: 100,
                max_record: 1000,
            },
        ] {
            for (format, input) in cases {
                let mut r = BatchReader::whole(input.to_vec(), format, Path::new("x"), limits);
                let mut whole = Vec::new();
                while let Some(p) = r.next_piece().unwrap() {
                    whole.push(p);
                }
                let read = pieces(format, input, limits);
                assert_eq!(
                    format!("{whole:?}"),
                    format!("{read:?}"),
                    "{format:?} {limits:?}"
                );
            }
        }
    }

    #[test]
    fn batches_cover_the_input_in_whole_lines() {
        let input: Vec<u8> = (0..1000)
            .flat_map(|i| format!("{{\"text\":\"line {i}\"}}\n").into_bytes())
            .collect();
        let limits = Limits {
            batch: 100,
            max_record: 1000,
        };
        let ps = pieces(Format::Jsonl, &input, limits);
        assert!(ps.len() > 100);
        assert_eq!(bytes_of(&ps), input);
        let mut line = 0;
        for p in &ps {
            let Piece::Batch(b) = p else { panic!() };
            assert_eq!(b.start.records, line);
            assert!(b.end == 0 || b.data[b.end - 1] == b'\n');
            line += memchr::memchr_iter(b'\n', &b.data[..b.end]).count() as u64;
        }
    }

    #[test]
    fn a_record_over_the_limit_passes_through_in_pieces() {
        let mut input = b"{\"text\":\"a\"}\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', 5000));
        input.extend_from_slice(b"\n{\"text\":\"b\"}\n");
        let limits = Limits {
            batch: 64,
            max_record: 1000,
        };
        let ps = pieces(Format::Jsonl, &input, limits);
        assert_eq!(bytes_of(&ps), input);
        let mut problems = Vec::new();
        for p in &ps {
            match p {
                Piece::Oversized { bytes, problem } => {
                    assert!(bytes.len() <= 1001);
                    problems.extend(problem.iter().map(|e| e.to_string()));
                }
                Piece::Batch(b) => assert!(b.data.len() <= 1001),
            }
        }
        assert_eq!(
            problems,
            ["x:2: line at byte offset 13 is longer than 1000 bytes: \
              passed through unchanged, not cleaned"]
        );
        let last = ps.iter().rev().find_map(|p| match p {
            Piece::Batch(b) if b.end > 0 => Some(b.start),
            _ => None,
        });
        assert_eq!(last.map(|s| s.records), Some(2));
    }

    #[test]
    fn a_text_file_over_the_limit_is_reported_and_streamed() {
        let input = vec![b'z'; 10_000];
        let limits = Limits {
            batch: 100,
            max_record: 1000,
        };
        let ps = pieces(Format::Text, &input, limits);
        assert_eq!(bytes_of(&ps), input);
        assert!(ps.iter().all(|p| matches!(p, Piece::Oversized { .. })));
        let small = pieces(Format::Text, b"short page\n", limits);
        assert_eq!(small.len(), 1);
        let empty = pieces(Format::Text, b"", limits);
        assert!(matches!(&empty[..], [Piece::Batch(b)] if b.at_end && b.end == 0));
    }

    #[test]
    fn wet_records_over_the_limit_end_at_their_length_or_the_next_record() {
        let rec = |body: &str| {
            format!(
                "WARC/1.0\r\nWARC-Type: conversion\r\nContent-Length: {}\r\n\r\n{body}\r\n\r\n",
                body.len()
            )
        };
        let big = "w".repeat(3000);
        let input = format!("{}{}{}", rec("a\n"), rec(&big), rec("b\n"));
        let limits = Limits {
            batch: 50,
            max_record: 1000,
        };
        for input in [input.clone(), input.replace("Content-Length: 3000", "X: 1")] {
            let ps = pieces(Format::Wet, input.as_bytes(), limits);
            assert_eq!(bytes_of(&ps), input.as_bytes());
            let docs: Vec<String> = ps
                .iter()
                .filter_map(|p| match p {
                    Piece::Batch(b) => Some(b),
                    _ => None,
                })
                .flat_map(|b| {
                    let o = format::FormatOptions::default();
                    b.records(Format::Wet, Path::new("x"), None, &o)
                        .filter_map(|it| match it {
                            format::Item::Doc(d) => Some(format!("{} {}", d.number, d.text.len())),
                            _ => None,
                        })
                        .collect::<Vec<_>>()
                })
                .collect();
            assert_eq!(docs, ["1 2", "3 2"]);
        }
    }

    /// Every item of `input` read whole, and read in batches of `batch`
    /// bytes, as comparable strings.
    fn items(format: Format, input: &[u8], batch: Option<usize>) -> Vec<String> {
        let o = format::FormatOptions::default();
        let show = |it: format::Item| match it {
            format::Item::Doc(d) => {
                format!("doc {} {:?}", d.number, String::from_utf8_lossy(d.raw))
            }
            format::Item::Verbatim(v) => format!("verbatim {:?}", String::from_utf8_lossy(v)),
            format::Item::Malformed { raw, error } => {
                format!("bad {error} {:?}", String::from_utf8_lossy(raw))
            }
            format::Item::NoText { line, .. } => format!("notext {line}"),
        };
        let path = Path::new("x");
        let Some(batch) = batch else {
            return format::records(format, input, path, None, &o)
                .map(show)
                .collect();
        };
        let limits = Limits {
            batch,
            max_record: 1 << 20,
        };
        let mut out = Vec::new();
        for p in pieces(format, input, limits) {
            let Piece::Batch(b) = p else {
                panic!("no record is that long")
            };
            out.extend(b.records(format, path, None, &o).map(show));
        }
        out
    }

    #[test]
    fn records_read_in_batches_of_any_size_are_read_as_whole() {
        let rec = |len: usize, body: &str, sep: &str| {
            format!("WARC/1.0\r\nWARC-Type: conversion\r\nContent-Length: {len}\r\n\r\n{body}{sep}")
        };
        let wet = [
            rec(2, "a\n", "\r\n\r\n"),
            // A body that looks, inside, like the start of the next record.
            rec(20, "x\n\nWARC/1.0 is text\n", "\r\n\r\n"),
            rec(9, "too short\n", "\r\n\r\n"),
            "junk line\n\n".to_string(),
            rec(2, "b\n", "\n\n"),
            rec(1, "long\n", "\r\n\r\n"),
            "WARC/1.0\r\nWARC-Type: conversion\r\n\r\nno length\r\n\r\n".to_string(),
            rec(2, "c\n", "\r\n\r\n  \n"),
            rec(40, "truncated\n", ""),
        ]
        .concat();
        let jsonl = "{\"text\":\"a\"}\n\n[1]\n{\"x\":1}\r\n{\"text\":\"b\"}";
        for (format, input) in [
            (Format::Wet, wet.as_bytes()),
            (Format::Jsonl, jsonl.as_bytes()),
        ] {
            let whole = items(format, input, None);
            assert!(whole.len() > 4, "{whole:?}");
            for batch in 1..input.len() + 2 {
                assert_eq!(
                    items(format, input, Some(batch)),
                    whole,
                    "{format} in batches of {batch}"
                );
            }
        }
    }

    #[test]
    fn binary_and_broken_streams_are_errors() {
        let mut r = BatchReader::new(
            Box::new(&b"ab\0cd"[..]),
            Format::Text,
            Path::new("x"),
            Limits::default(),
        );
        let e = r.next_piece().unwrap_err().to_string();
        assert!(e.contains("NUL byte at byte 2"), "{e}");
        assert!(r.next_piece().unwrap().is_none());

        /// Ten bytes of a record, then the error a corrupt gzip stream
        /// gives.
        struct Broken(bool);
        impl Read for Broken {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if std::mem::replace(&mut self.0, true) {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "corrupt deflate stream",
                    ));
                }
                buf[..10].copy_from_slice(b"{\"text\":\"a");
                Ok(10)
            }
        }
        let mut r = BatchReader::new(
            Box::new(Broken(false)),
            Format::Jsonl,
            Path::new("shard.jsonl.gz"),
            Limits::default(),
        );
        let e = r.next_piece().unwrap_err().to_string();
        assert!(e.starts_with("shard.jsonl.gz: "), "{e}");
        assert!(
            e.contains("at byte 10 of the decompressed stream: corrupt deflate stream"),
            "{e}"
        );
        assert!(
            r.next_piece().unwrap().is_none(),
            "the error ends the input"
        );
    }
}
