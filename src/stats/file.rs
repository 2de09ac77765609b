//! The model file: a [`LineStats`] table, whole or one fingerprint range of
//! it, in a versioned, checksummed, canonical format (equal tables give
//! equal bytes, so `merge` is associative and commutative on the bytes).
//!
//! All integers are little-endian. Version 3:
//!
//! ```text
//! header (20 bytes)
//!    0   8  magic "BSTRIPM\0"
//!    8   4  u32 format version, 3
//!   12   8  u64 body length B
//! body (B bytes)
//!    0   1  u8 kind: 0 exact table, 1 count-min sketch
//!    1   3  zero
//!    4   4  u32 partition index i
//!    8   4  u32 partition count n (1: the whole table)
//!   12   8  u64 documents counted (the whole corpus's, in every partition)
//!   20   8  u64 S, then S sites, keys strictly increasing:
//!              8  u64 site key (`site_key`)   4  u32 documents of the site
//!   kind 0, exact:
//!            8  u64 L, then L lines, fingerprints strictly increasing:
//!              8  u64 line fingerprint        4  u32 documents with the line (df ≥ 1)
//!              4  u32 k, then k sites, keys strictly increasing:
//!                 8  u64 site key             4  u32 documents of the site with the line (≥ 1)
//!            (the k counts sum to at most df; a line of df 1 has k ≤ 1)
//!   kind 1, sketch (n = 1 only):
//!            4  u32 depth d (1..=8)         4  u32 log2 of the width w (≤ 31)
//!            8  u64 N, the sum of all counts added
//!            4·d·w  u32 counters, row after row
//! trailer (8 bytes)
//!    0   8  u64 xxh3-64 of the body
//! ```
//!
//! Partition i of n holds the sites and the lines whose key `k` has
//! `⌊k·n / 2^64⌋ = i` (n equal ranges of the 64-bit keys, in order: the
//! partitions' bodies, concatenated, are sorted). A line's per-site counts
//! travel with the line, so adding the same partition of several files
//! never needs another partition. Per-site counts name sites by key; the
//! site's own document count is in the partition of the site's key.
//!
//! Version 1 (one table of (key, count) pairs per kind, the per-site table
//! keyed by a hash of site and line, checksum in the header) cannot be
//! split by line and is refused with a message to learn the model again.
//! So is version 2, the same layout as version 3 with the fingerprints of
//! an older normal form, which cut words at combining marks (Thai's tone
//! marks, the Indic viramas): its counts for lines that hold one would
//! silently not be found.

use std::io::{self, BufWriter, Read, Write};

use xxhash_rust::xxh3::Xxh3;

use super::{
    CountMin, Exact, LineStats, Lines, Partition, SiteLine, SketchShape, MAX_DF, NO_SITE, SINGLE,
};
use crate::error::Error;

/// The first eight bytes of a model file.
pub const MODEL_MAGIC: &[u8; 8] = b"BSTRIPM\0";
/// The model format version this build reads and writes.
pub const MODEL_VERSION: u32 = 3;

const KIND_EXACT: u8 = 0;
const KIND_SKETCH: u8 = 1;

/// A model file's content: a table and the fingerprint range it covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelFile {
    /// The counts (for a partition: of its range only; the document count
    /// is the whole corpus's).
    pub stats: LineStats,
    /// Which range of fingerprints the file holds.
    pub partition: Partition,
}

struct HashWriter<W: Write> {
    inner: W,
    hasher: Xxh3,
}

impl<W: Write> HashWriter<W> {
    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.hasher.update(bytes);
        self.inner.write_all(bytes)
    }
    fn u32(&mut self, v: u32) -> io::Result<()> {
        self.put(&v.to_le_bytes())
    }
    fn u64(&mut self, v: u64) -> io::Result<()> {
        self.put(&v.to_le_bytes())
    }
}

/// Writes `part` of `stats` to `w`.
pub(super) fn write<W: Write>(stats: &LineStats, part: Partition, w: W) -> io::Result<()> {
    let mut sites: Vec<(u64, u32)> = stats
        .sites
        .keys
        .iter()
        .zip(&stats.sites.docs)
        .filter(|&(&k, &d)| d > 0 && part.contains(k))
        .map(|(&k, &d)| (k, d))
        .collect();
    sites.sort_unstable();
    let mut len = 28 + 12 * sites.len() as u64;
    // The exact table's lines, and the per-site counts of the lines seen
    // more than once as (line, site, count), both sorted.
    let mut lines: Vec<(u64, u32)> = Vec::new();
    let mut per_site: Vec<(u64, u64, u32)> = Vec::new();
    match &stats.lines {
        Lines::Exact(e) => {
            lines = e
                .corpus
                .iter()
                .filter(|&(fp, _)| part.contains(fp))
                .collect();
            lines.sort_unstable();
            per_site = e
                .site_lines
                .iter()
                .map(|(key, s)| {
                    let site = stats.sites.keys[s.site as usize];
                    (super::site_line_fp(site, key), site, s.count)
                })
                .filter(|&(fp, _, _)| part.contains(fp))
                .collect();
            per_site.sort_unstable();
            let singles_with_site = lines
                .iter()
                .filter(|&&(_, v)| v & SINGLE != 0 && v != SINGLE | NO_SITE)
                .count();
            len += 8 + 16 * lines.len() as u64 + 12 * (per_site.len() + singles_with_site) as u64;
        }
        Lines::Sketch(s) => {
            if part != Partition::WHOLE {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "a count-min sketch cannot be split into partitions (its counters mix all lines)",
                ));
            }
            len += 16 + 4 * s.cells().len() as u64;
        }
    }

    let mut w = HashWriter {
        inner: BufWriter::with_capacity(1 << 16, w),
        hasher: Xxh3::new(),
    };
    w.inner.write_all(MODEL_MAGIC)?;
    w.inner.write_all(&MODEL_VERSION.to_le_bytes())?;
    w.inner.write_all(&len.to_le_bytes())?;
    let kind = match stats.lines {
        Lines::Exact(_) => KIND_EXACT,
        Lines::Sketch(_) => KIND_SKETCH,
    };
    w.put(&[kind, 0, 0, 0])?;
    w.u32(part.index)?;
    w.u32(part.count)?;
    w.u64(stats.docs)?;
    w.u64(sites.len() as u64)?;
    for &(k, d) in &sites {
        w.u64(k)?;
        w.u32(d)?;
    }
    match &stats.lines {
        Lines::Exact(_) => {
            w.u64(lines.len() as u64)?;
            let mut j = 0;
            for &(fp, v) in &lines {
                w.u64(fp)?;
                if v & SINGLE != 0 {
                    let s = v & !SINGLE;
                    w.u32(1)?;
                    if s == NO_SITE {
                        w.u32(0)?;
                    } else {
                        w.u32(1)?;
                        w.u64(stats.sites.keys[s as usize])?;
                        w.u32(1)?;
                    }
                    continue;
                }
                w.u32(v)?;
                let start = j;
                while j < per_site.len() && per_site[j].0 == fp {
                    j += 1;
                }
                w.u32((j - start) as u32)?;
                for &(_, site, count) in &per_site[start..j] {
                    w.u64(site)?;
                    w.u32(count)?;
                }
            }
            debug_assert_eq!(j, per_site.len(), "a per-site count without its line");
        }
        Lines::Sketch(s) => {
            w.u32(s.shape().depth)?;
            w.u32(s.shape().width_bits)?;
            w.u64(s.total())?;
            let mut buf = Vec::with_capacity(1 << 16);
            for chunk in s.cells().chunks(1 << 14) {
                buf.clear();
                for c in chunk {
                    buf.extend_from_slice(&c.to_le_bytes());
                }
                w.put(&buf)?;
            }
        }
    }
    let sum = w.hasher.digest();
    w.inner.write_all(&sum.to_le_bytes())?;
    w.inner.flush()
}

/// Reads the body through the checksum, counting what it has read.
struct Body<R: Read> {
    inner: R,
    hasher: Xxh3,
    len: u64,
    at: u64,
    /// The input ended inside a value.
    ended: bool,
}

impl<R: Read> Body<R> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let mut b = [0u8; N];
        if self.at + N as u64 > self.len {
            return Err(Error::Model(format!(
                "model body ends inside a table (byte {} of {})",
                self.at, self.len
            )));
        }
        // `read_exact`, not `fill`: a buffered reader copies a few bytes
        // without a loop, and most of a model is read here (a third more
        // instructions to load one through `fill`, by callgrind).
        self.inner.read_exact(&mut b).map_err(|_| {
            // Fewer than N bytes were left: the end is in this value.
            self.ended = true;
            Error::Model(format!(
                "model is truncated: the body ends before byte {} of {}",
                self.at + N as u64,
                self.len
            ))
        })?;
        self.hasher.update(&b);
        self.at += N as u64;
        Ok(b)
    }
    /// Fills `buf` from the body, counting every byte read, so that a file
    /// cut short is reported at the byte where it ends.
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        let mut got = 0;
        while got < buf.len() {
            match self.inner.read(&mut buf[got..]) {
                Ok(0) => {
                    return Err(Error::Model(format!(
                        "model is truncated: the body ends at byte {} of {}",
                        self.at, self.len
                    )))
                }
                Ok(n) => {
                    got += n;
                    self.at += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
    fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.take::<1>()?[0])
    }
    fn u32(&mut self) -> Result<u32, Error> {
        Ok(u32::from_le_bytes(self.take()?))
    }
    fn u64(&mut self) -> Result<u64, Error> {
        Ok(u64::from_le_bytes(self.take()?))
    }
    fn left(&self) -> u64 {
        self.len - self.at
    }
    /// Reads what is left of the body, into the checksum.
    fn drain(&mut self) -> Result<(), Error> {
        let mut buf = vec![0u8; 1 << 16];
        while self.at < self.len {
            let n = (self.len - self.at).min(buf.len() as u64) as usize;
            self.fill(&mut buf[..n])?;
            self.hasher.update(&buf[..n]);
        }
        Ok(())
    }
}

fn bad(what: &str) -> Error {
    Error::Model(format!("model body is malformed: {what}"))
}

impl ModelFile {
    /// Reads a model file (whole or a partition), checking the magic, the
    /// version, the length, the order of every table and the checksum.
    /// Fails with [`Error::Model`] saying what is wrong (a foreign file,
    /// another version, a truncated or corrupt one, bytes after the
    /// checksum), or [`Error::Io`] when `r` fails.
    pub fn read_from<R: Read>(mut r: R) -> Result<ModelFile, Error> {
        let mut head = [0u8; 20];
        let mut got = 0;
        while got < head.len() {
            match r.read(&mut head[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        let magic = got.min(8);
        if head[..magic] != MODEL_MAGIC[..magic] || got == 0 {
            return Err(Error::Model("not a boilerstrip model (bad magic)".into()));
        }
        if got < head.len() {
            return Err(Error::Model(
                "model is truncated: the file is shorter than the model header".into(),
            ));
        }
        let version = u32::from_le_bytes(head[8..12].try_into().unwrap());
        if version < MODEL_VERSION {
            return Err(Error::Model(format!(
                "model format version {version}, written by an older boilerstrip; this one \
                 reads version {MODEL_VERSION}: run `boilerstrip learn` again"
            )));
        }
        if version != MODEL_VERSION {
            return Err(Error::Model(format!(
                "model format version {version}, this boilerstrip reads version {MODEL_VERSION}"
            )));
        }
        let len = u64::from_le_bytes(head[12..20].try_into().unwrap());
        let mut body = Body {
            inner: &mut r,
            hasher: Xxh3::new(),
            len,
            at: 0,
            ended: false,
        };
        let parsed = parse(&mut body);
        // A body cut short inside a value says so; a damaged body is
        // reported as such rather than by the first table it happens to
        // break.
        if parsed.is_err() {
            if body.ended {
                return parsed;
            }
            body.drain()?;
        }
        let sum = body.hasher.digest();
        let mut trailer = [0u8; 8];
        r.read_exact(&mut trailer)
            .map_err(|_| Error::Model("model is truncated: the checksum is missing".into()))?;
        if u64::from_le_bytes(trailer) != sum {
            return Err(Error::Model(
                "model checksum mismatch (corrupted file)".into(),
            ));
        }
        let mut rest = [0u8; 1];
        if r.read(&mut rest)? != 0 {
            return Err(Error::Model("bytes after the model's checksum".into()));
        }
        parsed
    }
}

fn parse<R: Read>(b: &mut Body<R>) -> Result<ModelFile, Error> {
    let kind = b.u8()?;
    if b.take::<3>()? != [0; 3] || kind > KIND_SKETCH {
        return Err(bad("unknown table kind"));
    }
    let index = b.u32()?;
    let count = b.u32()?;
    let partition = Partition::new(index, count).ok_or_else(|| bad("partition out of range"))?;
    let mut stats = LineStats::new();
    stats.docs = b.u64()?;
    let n_sites = b.u64()?;
    if n_sites > b.left() / 12 {
        return Err(bad("site count out of range"));
    }
    let mut last = None;
    for _ in 0..n_sites {
        let key = b.u64()?;
        let docs = b.u32()?;
        if last.is_some_and(|l| l >= key) || !partition.contains(key) || docs == 0 {
            return Err(bad("sites out of order or out of the partition"));
        }
        last = Some(key);
        let i = stats.sites.intern(key);
        stats.sites.docs[i as usize] = docs;
    }
    if kind == KIND_SKETCH {
        if partition != Partition::WHOLE {
            return Err(bad("a sketch split into partitions"));
        }
        let depth = b.u32()?;
        let width_bits = b.u32()?;
        let total = b.u64()?;
        if !(1..=8).contains(&depth) || width_bits > 31 {
            return Err(bad("sketch shape out of range"));
        }
        let shape = SketchShape { depth, width_bits };
        let cells = u64::from(depth) << width_bits;
        if cells != b.left() / 4 {
            return Err(bad("sketch size does not match its shape"));
        }
        let mut v = Vec::with_capacity(cells as usize);
        for _ in 0..cells {
            v.push(b.u32()?);
        }
        stats.lines = Lines::Sketch(CountMin::from_parts(shape, v, total));
    } else {
        let n_lines = b.u64()?;
        if n_lines > b.left() / 16 {
            return Err(bad("line count out of range"));
        }
        let mut e = Exact::default();
        e.corpus.reserve(n_lines as usize);
        let mut last = None;
        for _ in 0..n_lines {
            let fp = b.u64()?;
            let df = b.u32()?;
            let k = b.u32()?;
            if last.is_some_and(|l| l >= fp) || !partition.contains(fp) {
                return Err(bad("lines out of order or out of the partition"));
            }
            last = Some(fp);
            if df == 0 || df > MAX_DF || k > df || u64::from(k) > b.left() / 12 {
                return Err(bad("a line count out of range"));
            }
            let mut sum = 0u64;
            let mut last_site = None;
            let mut single_site = NO_SITE;
            for _ in 0..k {
                let site = b.u64()?;
                let c = b.u32()?;
                if last_site.is_some_and(|l| l >= site) || c == 0 {
                    return Err(bad("a line's sites out of order"));
                }
                last_site = Some(site);
                sum += u64::from(c);
                let i = stats.sites.intern(site);
                if df == 1 {
                    single_site = i;
                } else {
                    let (slot, _) = e.site_lines.upsert(super::site_line_key(site, fp));
                    *slot = SiteLine { count: c, site: i };
                }
            }
            if sum > u64::from(df) {
                return Err(bad("a line's site counts exceed its count"));
            }
            let (slot, _) = e.corpus.upsert(fp);
            *slot = if df == 1 { SINGLE | single_site } else { df };
        }
        stats.lines = Lines::Exact(e);
    }
    if b.left() != 0 {
        return Err(bad("bytes after the last table"));
    }
    Ok(ModelFile { stats, partition })
}
