//! Corpus statistics: in how many documents each line occurs, corpus-wide and
//! within its site. Built by pass 1, read by pass 2, saved by `learn`.
//!
//! [`LineStats`] is a value: an empty table is the identity and `+` adds two
//! tables, so per-thread tables reduce to the same result for any thread count
//! and any grouping. A line counts once per document however often the
//! document repeats it (a repeat inside one page is a separate signal, see
//! `features`).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, Read, Write};
use std::ops::{Add, AddAssign};

use crate::error::Error;

/// A hasher for keys that are already uniformly distributed 64-bit hashes:
/// it passes them through.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed in this crate; this path folds anything else.
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x100_0000_01b3);
        }
    }
    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A `HashMap` keyed by pre-hashed `u64`s.
pub type FpMap<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;

/// The key of a site: the fingerprint of its name, ASCII case folded (host
/// names are case-insensitive, so a folder `Example.org/` of text files and
/// JSONL records with `"domain": "example.org"` share one site). Documents
/// without a site have none and only get corpus-wide statistics.
///
/// ```
/// use boilerstrip::stats::site_key;
/// assert_eq!(site_key("Example.ORG"), site_key("example.org"));
/// ```
pub fn site_key(site: &str) -> u64 {
    // Never 0, so 0 can mean "no site" in compact tables.
    let key = if site.bytes().any(|b| b.is_ascii_uppercase()) {
        xxhash_rust::xxh3::xxh3_64(site.to_ascii_lowercase().as_bytes())
    } else {
        xxhash_rust::xxh3::xxh3_64(site.as_bytes())
    };
    key | 1
}

/// Combines a site key and a line fingerprint into one key of the per-site
/// table (splitmix64's finaliser over the pair, so the result stays uniform).
#[inline]
pub fn site_line_key(site: u64, fp: u64) -> u64 {
    let mut z = fp ^ site.rotate_left(31) ^ 0x9e37_79b9_7f4a_7c15;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Document frequencies of normalised lines, corpus-wide and per site.
///
/// ```
/// use boilerstrip::stats::LineStats;
/// let mut a = LineStats::default();
/// a.add_document(Some("example.org"), &mut vec![1, 2, 2]);
/// let mut b = LineStats::default();
/// b.add_document(Some("example.org"), &mut vec![2, 3]);
/// let both = a + b;
/// assert_eq!(both.documents(), 2);
/// assert_eq!(both.corpus_df(2), 2);
/// let site = boilerstrip::stats::site_key("example.org");
/// assert_eq!(both.site_df(site, 2), 2);
/// assert_eq!(both.site_docs(site), 2);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineStats {
    docs: u64,
    site_docs: FpMap<u32>,
    corpus: FpMap<u32>,
    site_lines: FpMap<u32>,
}

impl LineStats {
    /// An empty table (the identity of `+`).
    pub fn new() -> LineStats {
        LineStats::default()
    }

    /// Counts one document given the fingerprints of its lines. `fps` is
    /// sorted and deduplicated in place (a line counts once per document);
    /// fingerprint 0 (the empty line) is ignored.
    pub fn add_document(&mut self, site: Option<&str>, fps: &mut Vec<u64>) {
        fps.sort_unstable();
        fps.dedup();
        self.docs += 1;
        let site = site.filter(|s| !s.is_empty()).map(site_key);
        if let Some(s) = site {
            *self.site_docs.entry(s).or_insert(0) += 1;
        }
        for &fp in fps.iter().filter(|&&fp| fp != 0) {
            bump(&mut self.corpus, fp, 1);
            if let Some(s) = site {
                bump(&mut self.site_lines, site_line_key(s, fp), 1);
            }
        }
    }

    /// Number of documents counted.
    pub fn documents(&self) -> u64 {
        self.docs
    }

    /// Number of distinct sites seen.
    pub fn sites(&self) -> usize {
        self.site_docs.len()
    }

    /// Number of distinct lines (corpus-wide).
    pub fn distinct_lines(&self) -> usize {
        self.corpus.len()
    }

    /// In how many documents of the corpus the line occurs.
    #[inline]
    pub fn corpus_df(&self, fp: u64) -> u32 {
        self.corpus.get(&fp).copied().unwrap_or(0)
    }

    /// In how many documents of site `site` (a [`site_key`]) the line occurs.
    #[inline]
    pub fn site_df(&self, site: u64, fp: u64) -> u32 {
        self.site_lines
            .get(&site_line_key(site, fp))
            .copied()
            .unwrap_or(0)
    }

    /// How many documents site `site` has.
    #[inline]
    pub fn site_docs(&self, site: u64) -> u32 {
        self.site_docs.get(&site).copied().unwrap_or(0)
    }

    /// Writes the table in the versioned model format (see [`MODEL_MAGIC`]).
    /// Entries are written sorted by key, so equal tables give equal bytes.
    pub fn write_to<W: Write>(&self, mut w: W) -> io::Result<()> {
        let mut body = Vec::with_capacity(
            16 + 12 * (self.site_docs.len() + self.corpus.len() + self.site_lines.len()),
        );
        body.extend_from_slice(&self.docs.to_le_bytes());
        for table in [&self.site_docs, &self.corpus, &self.site_lines] {
            let mut entries: Vec<(u64, u32)> = table.iter().map(|(&k, &v)| (k, v)).collect();
            entries.sort_unstable();
            body.extend_from_slice(&(entries.len() as u64).to_le_bytes());
            for (k, v) in entries {
                body.extend_from_slice(&k.to_le_bytes());
                body.extend_from_slice(&v.to_le_bytes());
            }
        }
        w.write_all(MODEL_MAGIC)?;
        w.write_all(&MODEL_VERSION.to_le_bytes())?;
        w.write_all(&(body.len() as u64).to_le_bytes())?;
        w.write_all(&xxhash_rust::xxh3::xxh3_64(&body).to_le_bytes())?;
        w.write_all(&body)?;
        w.flush()
    }

    /// Reads a table written by [`LineStats::write_to`], checking the magic,
    /// version, length and checksum.
    pub fn read_from<R: Read>(mut r: R) -> Result<LineStats, Error> {
        let mut head = [0u8; 8 + 4 + 8 + 8];
        r.read_exact(&mut head)
            .map_err(|_| Error::Model("file is shorter than the model header".into()))?;
        if &head[..8] != MODEL_MAGIC {
            return Err(Error::Model("not a boilerstrip model (bad magic)".into()));
        }
        let version = u32::from_le_bytes(head[8..12].try_into().unwrap());
        if version != MODEL_VERSION {
            return Err(Error::Model(format!(
                "model format version {version}, this boilerstrip reads version {MODEL_VERSION}"
            )));
        }
        let len = u64::from_le_bytes(head[12..20].try_into().unwrap());
        let sum = u64::from_le_bytes(head[20..28].try_into().unwrap());
        let mut body = Vec::new();
        r.take(len).read_to_end(&mut body)?;
        if body.len() as u64 != len {
            return Err(Error::Model(format!(
                "model is truncated: {} of {len} body bytes",
                body.len()
            )));
        }
        if xxhash_rust::xxh3::xxh3_64(&body) != sum {
            return Err(Error::Model(
                "model checksum mismatch (corrupted file)".into(),
            ));
        }
        let mut cur = Cursor { buf: &body, pos: 0 };
        let docs = cur.u64()?;
        let mut tables: [FpMap<u32>; 3] = Default::default();
        for table in tables.iter_mut() {
            let n = cur.u64()?;
            if n > (body.len() / 12) as u64 {
                return Err(Error::Model("model table length is out of range".into()));
            }
            table.reserve(n as usize);
            for _ in 0..n {
                let k = cur.u64()?;
                let v = cur.u32()?;
                table.insert(k, v);
            }
        }
        let [site_docs, corpus, site_lines] = tables;
        Ok(LineStats {
            docs,
            site_docs,
            corpus,
            site_lines,
        })
    }
}

/// The first eight bytes of a model file.
pub const MODEL_MAGIC: &[u8; 8] = b"BSTRIPM\0";
/// The model format version this build reads and writes.
pub const MODEL_VERSION: u32 = 1;

struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let end = self.pos + N;
        let bytes = self
            .buf
            .get(self.pos..end)
            .ok_or_else(|| Error::Model("model body ends inside a table".into()))?;
        self.pos = end;
        Ok(bytes.try_into().unwrap())
    }
    fn u64(&mut self) -> Result<u64, Error> {
        Ok(u64::from_le_bytes(self.take()?))
    }
    fn u32(&mut self) -> Result<u32, Error> {
        Ok(u32::from_le_bytes(self.take()?))
    }
}

#[inline]
fn bump(map: &mut FpMap<u32>, key: u64, by: u32) {
    let v = map.entry(key).or_insert(0);
    *v = v.saturating_add(by);
}

fn add_table(into: &mut FpMap<u32>, from: FpMap<u32>) {
    if into.len() < from.len() {
        let small = std::mem::replace(into, from);
        for (k, v) in small {
            bump(into, k, v);
        }
    } else {
        for (k, v) in from {
            bump(into, k, v);
        }
    }
}

impl AddAssign for LineStats {
    fn add_assign(&mut self, other: LineStats) {
        self.docs += other.docs;
        add_table(&mut self.site_docs, other.site_docs);
        add_table(&mut self.corpus, other.corpus);
        add_table(&mut self.site_lines, other.site_lines);
    }
}

impl Add for LineStats {
    type Output = LineStats;
    fn add(mut self, other: LineStats) -> LineStats {
        self += other;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_round_trips_and_rejects_damage() {
        let mut s = LineStats::new();
        s.add_document(Some("a"), &mut vec![5, 6, 7]);
        s.add_document(None, &mut vec![5]);
        let mut bytes = Vec::new();
        s.write_to(&mut bytes).unwrap();
        assert_eq!(LineStats::read_from(&bytes[..]).unwrap(), s);
        assert!(LineStats::read_from(&bytes[..bytes.len() - 3]).is_err());
        let mut bad = bytes.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert!(LineStats::read_from(&bad[..]).is_err());
        let mut other_version = bytes.clone();
        other_version[8] = 99;
        assert!(LineStats::read_from(&other_version[..]).is_err());
    }
}
