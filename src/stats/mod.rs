//! Corpus statistics: in how many documents each line occurs, corpus-wide and
//! within its site. Built by pass 1, read by pass 2, saved by `learn`, added
//! by `merge`.
//!
//! [`LineStats`] is a value: an empty table is the identity and `+` adds two
//! tables, so per-thread tables reduce to the same result for any thread count
//! and any grouping. A line counts once per document however often the
//! document repeats it (a repeat inside one page is a separate signal, see
//! `features`).
//!
//! - `table`: the compact hash table behind the exact counts;
//! - `sketch`: the count-min sketch behind `--max-memory` ([`SketchShape`]);
//! - [`file`]: the model file format, whole or split into [`Partition`]s;
//!   [`Merger`] adds files and joins partitions.

mod file;
mod sketch;
mod table;

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, Read, Write};
use std::ops::{Add, AddAssign};
use std::path::{Path, PathBuf};

use crate::error::Error;
pub use file::{ModelFile, MODEL_MAGIC, MODEL_VERSION};
use sketch::CountMin;
pub use sketch::SketchShape;
use table::FpTable;

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

/// The inverse of [`site_line_key`] in its line argument: the fingerprint
/// whose key under `site` is `key`. The model file stores a line's sites
/// with the line, and partitions by the line's fingerprint, so the table
/// recovers each per-site entry's line from its key instead of storing it.
#[inline]
fn site_line_fp(site: u64, key: u64) -> u64 {
    const fn inverse(c: u64) -> u64 {
        // Newton's iteration for the inverse of an odd number mod 2^64:
        // each step doubles the correct low bits (3 → 6 → ... → 96).
        let mut x = c;
        let mut i = 0;
        while i < 5 {
            x = x.wrapping_mul(2u64.wrapping_sub(c.wrapping_mul(x)));
            i += 1;
        }
        x
    }
    const INV1: u64 = inverse(0xbf58_476d_1ce4_e5b9);
    const INV2: u64 = inverse(0x94d0_49bb_1331_11eb);
    let mut z = key ^ (key >> 31) ^ (key >> 62);
    z = z.wrapping_mul(INV2);
    z = z ^ (z >> 27) ^ (z >> 54);
    z = z.wrapping_mul(INV1);
    z = z ^ (z >> 30) ^ (z >> 60);
    z ^ site.rotate_left(31) ^ 0x9e37_79b9_7f4a_7c15
}

/// The flag of a line seen in exactly one document: the rest of its value
/// is the index of that document's site (or [`NO_SITE`]), and it has no
/// per-site entries. Most distinct lines of a corpus are such lines (on the
/// evaluation sets, see DESIGN.md), so they cost one 12-byte slot.
const SINGLE: u32 = 1 << 31;
/// The site index of a line seen once, in a document without a site.
const NO_SITE: u32 = SINGLE - 1;
/// Document frequencies stop here (the top bit marks a line seen once): two billion
/// documents, which only lines like "Home" could reach in a whole crawl, and
/// every feature treats such counts alike (logarithms and ratios).
pub const MAX_DF: u32 = SINGLE - 1;

/// The sites of a table: their keys, their document counts, and an index
/// from key to position (a line seen once names its site by position).
#[derive(Clone, Debug, Default)]
struct Sites {
    keys: Vec<u64>,
    docs: Vec<u32>,
    index: FpMap<u32>,
}

impl Sites {
    fn intern(&mut self, key: u64) -> u32 {
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        let i = self.keys.len() as u32;
        assert!(i < NO_SITE, "more than 2^31 - 1 sites in one table");
        self.keys.push(key);
        self.docs.push(0);
        self.index.insert(key, i);
        i
    }

    fn docs(&self, key: u64) -> u32 {
        self.index.get(&key).map_or(0, |&i| self.docs[i as usize])
    }

    fn memory_bytes(&self) -> usize {
        self.keys.capacity() * 8
            + self.docs.capacity() * 4
            // hashbrown: a 16-byte (u64, u32) slot and a control byte.
            + self.index.capacity() * 17
    }
}

/// A per-site entry of a line seen in two documents or more.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct SiteLine {
    /// Documents of the site with the line.
    count: u32,
    /// The site's index in [`Sites`].
    site: u32,
}

/// The exact counts: a slot per distinct line (12 bytes), and a slot per
/// (site, line) pair for the lines seen more than once (16 bytes).
#[derive(Clone, Debug, Default)]
struct Exact {
    /// Line fingerprint → document frequency, or [`SINGLE`] | site index.
    corpus: FpTable<u32>,
    /// [`site_line_key`] → count and site.
    site_lines: FpTable<SiteLine>,
}

impl Exact {
    /// Adds `n` documents of site `site` (index and key) to the count of a
    /// site's line.
    #[inline]
    fn bump_site(&mut self, site: u32, key: u64, fp: u64, n: u32) {
        let (e, _) = self.site_lines.upsert(site_line_key(key, fp));
        e.count = e.count.saturating_add(n);
        e.site = site;
    }

    /// Counts one more document holding `fp`, of the site with this index
    /// (or [`NO_SITE`]).
    #[inline]
    fn count(&mut self, fp: u64, site: u32, site_keys: &[u64]) {
        let (v, absent) = self.corpus.upsert(fp);
        if absent {
            *v = SINGLE | site;
            return;
        }
        if *v & SINGLE != 0 {
            let first = *v & !SINGLE;
            *v = 2;
            if first != NO_SITE {
                self.bump_site(first, site_keys[first as usize], fp, 1);
            }
        } else {
            *v = (*v + 1).min(MAX_DF);
        }
        if site != NO_SITE {
            self.bump_site(site, site_keys[site as usize], fp, 1);
        }
    }

    fn corpus_df(&self, fp: u64) -> u32 {
        match self.corpus.get(fp) {
            None => 0,
            Some(v) if v & SINGLE != 0 => 1,
            Some(v) => v,
        }
    }

    fn site_df(&self, sites: &Sites, site: u64, fp: u64) -> u32 {
        match self.corpus.get(fp) {
            None => 0,
            Some(v) if v & SINGLE != 0 => {
                let i = v & !SINGLE;
                u32::from(i != NO_SITE && sites.keys[i as usize] == site)
            }
            Some(_) => self
                .site_lines
                .get(site_line_key(site, fp))
                .map_or(0, |e| e.count),
        }
    }

    /// Adds `other`, whose site indices map to this table's through `remap`.
    fn merge(&mut self, other: &Exact, remap: &[u32], site_keys: &[u64]) {
        // Not room for the sum of their sizes: the two tables usually share
        // most of their keys, and that would double the table. But room for
        // as many entries as `other` has: its keys come out in the order of
        // their home slots, and poured into a table with far fewer slots
        // they would fill its first slots long before it grows (probe runs
        // as long as the table, which made pass 1's sum of worker tables
        // cost more than the counting).
        self.corpus
            .reserve(other.corpus.len().saturating_sub(self.corpus.len()));
        self.site_lines
            .reserve(other.site_lines.len().saturating_sub(self.site_lines.len()));
        for (fp, v) in other.corpus.iter() {
            if v & SINGLE != 0 {
                let s = v & !SINGLE;
                let s = if s == NO_SITE {
                    NO_SITE
                } else {
                    remap[s as usize]
                };
                self.count(fp, s, site_keys);
                continue;
            }
            let (mine, absent) = self.corpus.upsert(fp);
            if absent {
                *mine = v;
            } else if *mine & SINGLE != 0 {
                let first = *mine & !SINGLE;
                *mine = v.saturating_add(1).min(MAX_DF);
                if first != NO_SITE {
                    self.bump_site(first, site_keys[first as usize], fp, 1);
                }
            } else {
                *mine = mine.saturating_add(v).min(MAX_DF);
            }
        }
        for (key, e) in other.site_lines.iter() {
            let (mine, _) = self.site_lines.upsert(key);
            mine.count = mine.count.saturating_add(e.count);
            mine.site = remap[e.site as usize];
        }
    }

    /// Every count as (key, count): each line's document frequency under its
    /// fingerprint and each (site, line) count under its [`site_line_key`],
    /// sorted by key (what a sketch absorbs).
    fn key_counts(&self, sites: &Sites) -> Vec<(u64, u32)> {
        let mut out = Vec::with_capacity(2 * self.corpus.len() + self.site_lines.len());
        for (fp, v) in self.corpus.iter() {
            if v & SINGLE != 0 {
                out.push((fp, 1));
                let s = v & !SINGLE;
                if s != NO_SITE {
                    out.push((site_line_key(sites.keys[s as usize], fp), 1));
                }
            } else {
                out.push((fp, v));
            }
        }
        out.extend(self.site_lines.iter().map(|(k, e)| (k, e.count)));
        out.sort_unstable();
        out
    }
}

/// How the line counts are kept.
#[derive(Clone, Debug)]
enum Lines {
    Exact(Exact),
    Sketch(CountMin),
}

/// Document frequencies of normalised lines, corpus-wide and per site.
///
/// Exact by default ([`LineStats::new`]): about 12 bytes a slot for each
/// distinct line and 16 for each (site, line) pair of the lines seen in more
/// than one document. [`LineStats::with_sketch`] keeps the line counts in a
/// count-min sketch of fixed size instead (an over-count bounded as
/// [`SketchShape`] says); the per-site document counts stay exact.
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
#[derive(Clone, Debug)]
pub struct LineStats {
    docs: u64,
    sites: Sites,
    lines: Lines,
}

impl Default for LineStats {
    fn default() -> LineStats {
        LineStats {
            docs: 0,
            sites: Sites::default(),
            lines: Lines::Exact(Exact::default()),
        }
    }
}

impl LineStats {
    /// An empty exact table (the identity of `+`).
    pub fn new() -> LineStats {
        LineStats::default()
    }

    /// An empty table that counts lines in a count-min sketch of this shape
    /// (see [`SketchShape::for_bytes`] for a memory budget).
    pub fn with_sketch(shape: SketchShape) -> LineStats {
        LineStats {
            lines: Lines::Sketch(CountMin::new(shape)),
            ..LineStats::default()
        }
    }

    /// [`LineStats::with_sketch`], or an error where the sketch's memory
    /// cannot be had, instead of the abort of a failed allocation.
    pub fn try_with_sketch(shape: SketchShape) -> Result<LineStats, Error> {
        match CountMin::try_new(shape) {
            Some(c) => Ok(LineStats {
                lines: Lines::Sketch(c),
                ..LineStats::default()
            }),
            None => Err(Error::Setting {
                name: "max-memory",
                message: format!(
                    "cannot allocate the {} MiB of a {} × {} sketch",
                    shape.bytes() >> 20,
                    shape.depth,
                    shape.width()
                ),
            }),
        }
    }

    /// The sketch's shape, or `None` for an exact table.
    pub fn sketch_shape(&self) -> Option<SketchShape> {
        match &self.lines {
            Lines::Exact(_) => None,
            Lines::Sketch(s) => Some(s.shape()),
        }
    }

    /// For a sketch: the bound on any count's over-estimate, ε·N (holds for
    /// each count with probability 1 − δ, see [`SketchShape`]). 0 for an
    /// exact table.
    pub fn overcount_bound(&self) -> f64 {
        match &self.lines {
            Lines::Exact(_) => 0.0,
            Lines::Sketch(s) => s.shape().epsilon() * s.total() as f64,
        }
    }

    /// Counts one document given the fingerprints of its lines. `fps` is
    /// sorted and deduplicated in place (a line counts once per document);
    /// fingerprint 0 (the empty line) is ignored.
    pub fn add_document(&mut self, site: Option<&str>, fps: &mut Vec<u64>) {
        fps.sort_unstable();
        fps.dedup();
        self.docs += 1;
        let site = site.filter(|s| !s.is_empty()).map(site_key);
        let index = match site {
            Some(s) => {
                let i = self.sites.intern(s);
                let d = &mut self.sites.docs[i as usize];
                *d = d.saturating_add(1);
                i
            }
            None => NO_SITE,
        };
        match &mut self.lines {
            Lines::Exact(e) => {
                for &fp in fps.iter().filter(|&&fp| fp != 0) {
                    e.count(fp, index, &self.sites.keys);
                }
            }
            Lines::Sketch(c) => {
                for &fp in fps.iter().filter(|&&fp| fp != 0) {
                    c.add(fp, 1);
                    if let Some(s) = site {
                        c.add(site_line_key(s, fp), 1);
                    }
                }
            }
        }
    }

    /// Number of documents counted.
    pub fn documents(&self) -> u64 {
        self.docs
    }

    /// Number of distinct sites seen.
    pub fn sites(&self) -> usize {
        self.sites.docs.iter().filter(|&&d| d > 0).count()
    }

    /// Number of distinct lines (corpus-wide); 0 for a sketch, which does
    /// not know.
    pub fn distinct_lines(&self) -> usize {
        match &self.lines {
            Lines::Exact(e) => e.corpus.len(),
            Lines::Sketch(_) => 0,
        }
    }

    /// Number of (site, line) entries of lines seen in more than one
    /// document (exact tables; 0 for a sketch).
    pub fn site_line_entries(&self) -> usize {
        match &self.lines {
            Lines::Exact(e) => e.site_lines.len(),
            Lines::Sketch(_) => 0,
        }
    }

    /// Bytes the table holds in memory: the line slots (or the sketch's
    /// counters) and the site table.
    pub fn memory_bytes(&self) -> usize {
        let lines = match &self.lines {
            Lines::Exact(e) => e.corpus.memory_bytes() + e.site_lines.memory_bytes(),
            Lines::Sketch(s) => s.cells().len() * 4,
        };
        lines + self.sites.memory_bytes()
    }

    /// In how many documents of the corpus the line occurs (a sketch may
    /// over-count, never under-count).
    #[inline]
    pub fn corpus_df(&self, fp: u64) -> u32 {
        match &self.lines {
            Lines::Exact(e) => e.corpus_df(fp),
            Lines::Sketch(s) => s.estimate(fp),
        }
    }

    /// In how many documents of site `site` (a [`site_key`]) the line occurs.
    #[inline]
    pub fn site_df(&self, site: u64, fp: u64) -> u32 {
        match &self.lines {
            Lines::Exact(e) => e.site_df(&self.sites, site, fp),
            Lines::Sketch(s) => s.estimate(site_line_key(site, fp)),
        }
    }

    /// How many documents site `site` has.
    #[inline]
    pub fn site_docs(&self, site: u64) -> u32 {
        self.sites.docs(site)
    }

    /// Writes the whole table in the versioned model format (see
    /// [`file`]). Equal tables give equal bytes.
    pub fn write_to<W: Write>(&self, w: W) -> io::Result<()> {
        file::write(self, Partition::WHOLE, w)
    }

    /// Writes the part of the table in fingerprint range `part` (see
    /// [`Partition`]). A sketch cannot be split (its counters mix all
    /// keys): only [`Partition::WHOLE`] is accepted for one.
    pub fn write_partition<W: Write>(&self, part: Partition, w: W) -> io::Result<()> {
        file::write(self, part, w)
    }

    /// Reads a whole table written by [`LineStats::write_to`], checking the
    /// magic, version, length, order and checksum. Fails as
    /// [`ModelFile::read_from`] does, and with [`Error::Model`] on a
    /// partition file: read partitions with [`ModelFile::read_from`] and
    /// join them with a [`Merger`].
    pub fn read_from<R: Read>(r: R) -> Result<LineStats, Error> {
        let f = ModelFile::read_from(r)?;
        if f.partition != Partition::WHOLE {
            return Err(Error::Model(format!(
                "this file is partition {} of {}; give all {} partitions",
                f.partition.index, f.partition.count, f.partition.count
            )));
        }
        Ok(f.stats)
    }

    /// The canonical bytes of the whole table (what [`PartialEq`] compares).
    fn canonical(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.write_to(&mut v).expect("writing to memory");
        v
    }

    /// Adds the sites of `other` and returns where its site indices went.
    fn merge_sites(&mut self, other: &Sites) -> Vec<u32> {
        other
            .keys
            .iter()
            .zip(&other.docs)
            .map(|(&k, &d)| {
                let i = self.sites.intern(k);
                let mine = &mut self.sites.docs[i as usize];
                *mine = mine.saturating_add(d);
                i
            })
            .collect()
    }
}

/// Equal as counts: the same documents, sites and line counts (compared
/// through the model file's canonical bytes, so the order in which entries
/// were inserted does not matter).
impl PartialEq for LineStats {
    fn eq(&self, other: &LineStats) -> bool {
        self.canonical() == other.canonical()
    }
}

impl Eq for LineStats {}

/// Adds two tables. Exact + exact and sketch + sketch are associative and
/// commutative (a sketch sum has the smaller shape of the two, see
/// [`SketchShape`]). Exact + sketch puts the exact counts into the sketch by
/// conservative update, key by key in key order: the result never
/// under-counts and keeps the ε·N bound, but depends on the grouping of
/// several such sums (pass 1 adds each input's exact table into the run's
/// sketch in input order, so its result does not depend on the threads).
impl AddAssign for LineStats {
    fn add_assign(&mut self, other: LineStats) {
        let remap = self.merge_sites(&other.sites);
        self.docs += other.docs;
        let lines = std::mem::replace(&mut self.lines, Lines::Exact(Exact::default()));
        self.lines = match (lines, other.lines) {
            (Lines::Exact(mut a), Lines::Exact(b)) => {
                a.merge(&b, &remap, &self.sites.keys);
                Lines::Exact(a)
            }
            (Lines::Sketch(mut a), Lines::Sketch(b)) => {
                a.merge(&b);
                Lines::Sketch(a)
            }
            (Lines::Sketch(mut s), Lines::Exact(e)) => {
                for (k, c) in e.key_counts(&other.sites) {
                    s.add(k, c);
                }
                Lines::Sketch(s)
            }
            (Lines::Exact(e), Lines::Sketch(mut s)) => {
                for (k, c) in e.key_counts(&self.sites) {
                    s.add(k, c);
                }
                Lines::Sketch(s)
            }
        };
    }
}

impl Add for LineStats {
    type Output = LineStats;
    fn add(mut self, other: LineStats) -> LineStats {
        self += other;
        self
    }
}

/// A range of fingerprints: partition `index` of `count` equal ranges of
/// the 64-bit keys. A model split into partitions can be merged range by
/// range on different machines; the `count` partitions together are the
/// whole model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Partition {
    /// Which range, from 0.
    pub index: u32,
    /// How many ranges.
    pub count: u32,
}

/// The most partitions a model can be split into: more files than any
/// cluster would merge at once, and few enough that every range holds
/// 2^48 keys.
pub const MAX_PARTITIONS: u32 = 1 << 16;

impl Partition {
    /// The whole key range (a model that is not split).
    pub const WHOLE: Partition = Partition { index: 0, count: 1 };

    /// Partition `index` of `count`, if `index < count ≤ MAX_PARTITIONS`.
    pub fn new(index: u32, count: u32) -> Option<Partition> {
        (index < count && count <= MAX_PARTITIONS).then_some(Partition { index, count })
    }

    /// All `count` partitions, in order.
    pub fn all(count: u32) -> impl Iterator<Item = Partition> {
        (0..count).map(move |index| Partition { index, count })
    }

    /// Whether `key` is in this range.
    ///
    /// ```
    /// use boilerstrip::stats::Partition;
    /// let parts: Vec<_> = Partition::all(3).collect();
    /// for key in [0, 1, u64::MAX / 3, u64::MAX / 3 + 1, u64::MAX] {
    ///     assert_eq!(parts.iter().filter(|p| p.contains(key)).count(), 1);
    /// }
    /// ```
    #[inline]
    pub fn contains(&self, key: u64) -> bool {
        ((u128::from(key) * u128::from(self.count)) >> 64) as u32 == self.index
    }

    /// The file name of this partition of the model `base`: the index and
    /// count before the extension (`all.model` → `all.2-of-8.model`, indices
    /// zero-padded to the width of the count so the names sort).
    pub fn path(&self, base: &Path) -> PathBuf {
        if *self == Partition::WHOLE {
            return base.to_path_buf();
        }
        let width = self.count.to_string().len();
        let tag = format!("{:0width$}-of-{}", self.index, self.count);
        let name = match (base.file_stem(), base.extension()) {
            (Some(stem), Some(ext)) => {
                format!("{}.{tag}.{}", stem.to_string_lossy(), ext.to_string_lossy())
            }
            _ => format!(
                "{}.{tag}",
                base.file_name().unwrap_or_default().to_string_lossy()
            ),
        };
        base.with_file_name(name)
    }

    /// The partition files of the model `base` that exist beside it
    /// (names as [`Partition::path`] makes them, any count), sorted.
    pub fn find(base: &Path) -> Vec<PathBuf> {
        let dir = match base.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name();
                let name = name.to_str()?;
                let tag = Partition::parse_tag(base, name)?;
                let candidate = tag.path(base);
                (candidate.file_name()? == name).then(|| dir.join(name))
            })
            .collect();
        found.sort();
        found
    }

    /// The partition a file name of `base`'s names stands for.
    fn parse_tag(base: &Path, name: &str) -> Option<Partition> {
        let (stem, ext) = match (base.file_stem(), base.extension()) {
            (Some(s), Some(e)) => (s.to_str()?, Some(e.to_str()?)),
            _ => (base.file_name()?.to_str()?, None),
        };
        let rest = name.strip_prefix(stem)?.strip_prefix('.')?;
        let rest = match ext {
            Some(e) => rest.strip_suffix(e)?.strip_suffix('.')?,
            None => rest,
        };
        let (i, n) = rest.split_once("-of-")?;
        Partition::new(i.parse().ok()?, n.parse().ok()?)
    }
}

/// Adds model files, and joins the partitions of one split model.
///
/// Files of the same partition (or whole files) are added with `+`;
/// different partitions of one count are joined when all of them are
/// there. Exact tables and sketches do not mix (the sum would depend on the
/// order). Because every file is added as a value, the result is the same
/// for any order and grouping of the files.
///
/// ```
/// use boilerstrip::stats::{LineStats, Merger, ModelFile, Partition};
/// let mut a = LineStats::new();
/// a.add_document(Some("a.org"), &mut vec![1, 2]);
/// let mut b = LineStats::new();
/// b.add_document(Some("b.org"), &mut vec![2, 3]);
/// let mut m = Merger::new();
/// for (stats, part) in [(&a, 0), (&a, 1), (&b, 0), (&b, 1)] {
///     let mut bytes = Vec::new();
///     stats.write_partition(Partition::new(part, 2).unwrap(), &mut bytes)?;
///     m.add(ModelFile::read_from(&bytes[..])?)?;
/// }
/// let all = m.finish()?;
/// assert_eq!(all.partition, Partition::WHOLE);
/// assert_eq!(all.stats, a + b);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct Merger {
    parts: BTreeMap<Partition, LineStats>,
}

impl Merger {
    /// Nothing added yet.
    pub fn new() -> Merger {
        Merger::default()
    }

    /// Adds one file. Fails when it is a sketch and the others are exact
    /// tables (or the reverse), or when its partition count differs from
    /// the others'.
    pub fn add(&mut self, file: ModelFile) -> Result<(), Error> {
        if let Some((p, s)) = self.parts.iter().next() {
            if p.count != file.partition.count {
                return Err(Error::Model(format!(
                    "a partition of {} among partitions of {}: split every part alike",
                    file.partition.count, p.count
                )));
            }
            if s.sketch_shape().is_some() != file.stats.sketch_shape().is_some() {
                return Err(Error::Model(
                    "an exact table and a count-min sketch cannot be merged (the sum would \
                     depend on the order): learn every part with or every part without \
                     --max-memory"
                        .into(),
                ));
            }
        }
        match self.parts.get_mut(&file.partition) {
            Some(s) => *s += file.stats,
            None => {
                self.parts.insert(file.partition, file.stats);
            }
        }
        Ok(())
    }

    /// The sum: one partition's if only one was given, else the whole
    /// model, which needs every partition of the count.
    pub fn finish(self) -> Result<ModelFile, Error> {
        let count = match self.parts.keys().next() {
            None => return Err(Error::Model("no model files to merge".into())),
            Some(p) => p.count,
        };
        if self.parts.len() == 1 {
            let (partition, stats) = self.parts.into_iter().next().unwrap();
            return Ok(ModelFile { stats, partition });
        }
        if self.parts.len() != count as usize {
            let missing: Vec<String> = Partition::all(count)
                .filter(|p| !self.parts.contains_key(p))
                .map(|p| p.index.to_string())
                .collect();
            // "partitions 2 of 3 are missing" read as two of the three.
            let which = match missing.as_slice() {
                [one] => format!("partition {one} of {count} is missing"),
                [first @ .., last] => {
                    format!(
                        "partitions {} and {last} of {count} are missing",
                        first.join(", ")
                    )
                }
                [] => unreachable!("fewer partitions than their count"),
            };
            return Err(Error::Model(format!(
                "{which}: give one file of each partition, or files of one partition only"
            )));
        }
        let docs = self.parts.values().next().unwrap().docs;
        let mut whole = LineStats::new();
        for (p, s) in self.parts {
            if s.docs != docs {
                return Err(Error::Model(format!(
                    "partition {} counts {} documents and partition 0 counts {docs}: they are \
                     not parts of one model",
                    p.index, s.docs
                )));
            }
            whole += s;
        }
        whole.docs = docs;
        Ok(ModelFile {
            stats: whole,
            partition: Partition::WHOLE,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(s: &LineStats, part: Partition) -> Vec<u8> {
        let mut v = Vec::new();
        s.write_partition(part, &mut v).unwrap();
        v
    }

    fn sample() -> LineStats {
        let mut s = LineStats::new();
        s.add_document(Some("a"), &mut vec![5, 6, 7]);
        s.add_document(None, &mut vec![5, 8]);
        s.add_document(Some("b"), &mut vec![5, 6, 9]);
        s.add_document(Some("A"), &mut vec![6, 10, u64::MAX]);
        s
    }

    #[test]
    fn counts_lines_seen_once_and_more_alike() {
        let s = sample();
        let (a, b) = (site_key("a"), site_key("b"));
        assert_eq!(s.corpus_df(5), 3);
        assert_eq!(s.site_df(a, 5), 1);
        assert_eq!(s.site_df(b, 5), 1);
        assert_eq!(s.corpus_df(6), 3);
        assert_eq!(s.site_df(a, 6), 2);
        assert_eq!(
            (s.corpus_df(7), s.site_df(a, 7), s.site_df(b, 7)),
            (1, 1, 0)
        );
        assert_eq!((s.corpus_df(8), s.site_df(a, 8)), (1, 0));
        assert_eq!(s.corpus_df(11), 0);
        assert_eq!((s.site_docs(a), s.site_docs(b)), (2, 1));
        assert_eq!((s.documents(), s.sites(), s.distinct_lines()), (4, 2, 7));
    }

    #[test]
    fn a_site_line_key_gives_back_its_line() {
        for (site, fp) in [(1u64, 2u64), (site_key("x"), u64::MAX), (u64::MAX, 0)] {
            assert_eq!(site_line_fp(site, site_line_key(site, fp)), fp);
        }
    }

    #[test]
    fn model_round_trips_and_rejects_damage() {
        let s = sample();
        let bytes = bytes(&s, Partition::WHOLE);
        let back = LineStats::read_from(&bytes[..]).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.site_df(site_key("a"), 6), 2);
        for cut in [3, 9, bytes.len() / 2] {
            let e = LineStats::read_from(&bytes[..bytes.len() - cut]).unwrap_err();
            assert!(e.to_string().contains("truncated"), "{e}");
        }
        // A body cut short is reported where it ends (the header is 20
        // bytes, the checksum 8): at that byte, or before the end of the
        // value of at most 8 bytes it ends in; not at the end of the 64 KiB
        // chunk that was being read.
        let body = bytes.len() as u64 - 28;
        for kept in [0u64, 1, 7, 30, body / 2, body - 1] {
            let e = LineStats::read_from(&bytes[..20 + kept as usize])
                .unwrap_err()
                .to_string();
            let exact = format!("model is truncated: the body ends at byte {kept} of {body}");
            let near = (kept + 1..=kept + 8).any(|b| {
                e.ends_with(&format!(
                    "model is truncated: the body ends before byte {b} of {body}"
                ))
            });
            assert!(e.ends_with(&exact) || near, "{e} (cut at {kept})");
        }
        for at in [30, bytes.len() - 12, bytes.len() - 1] {
            let mut bad = bytes.clone();
            bad[at] ^= 1;
            let e = LineStats::read_from(&bad[..]).unwrap_err();
            assert!(e.to_string().contains("checksum"), "{e}");
        }
        let mut v1 = bytes.clone();
        v1[8] = 1;
        let e = LineStats::read_from(&v1[..]).unwrap_err();
        assert!(e.to_string().contains("version 1"), "{e}");
        let mut v2 = bytes.clone();
        v2[8] = 2;
        let e = LineStats::read_from(&v2[..]).unwrap_err();
        assert!(
            e.to_string().contains("version 2") && e.to_string().contains("learn"),
            "{e}"
        );
        let mut v9 = bytes.clone();
        v9[8] = 9;
        assert!(LineStats::read_from(&v9[..]).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(LineStats::read_from(&longer[..]).is_err());
        let e = LineStats::read_from(&b"PK\x03\x04 a zip file, not a model"[..]).unwrap_err();
        assert!(e.to_string().contains("magic"), "{e}");
    }

    #[test]
    fn partitions_join_to_the_whole_and_refuse_to_stand_alone() {
        let s = sample();
        let mut m = Merger::new();
        for p in Partition::all(3).collect::<Vec<_>>().into_iter().rev() {
            let b = bytes(&s, p);
            if p.index == 1 {
                let e = LineStats::read_from(&b[..]).unwrap_err();
                assert!(e.to_string().contains("partition 1 of 3"), "{e}");
            }
            m.add(ModelFile::read_from(&b[..]).unwrap()).unwrap();
        }
        let whole = m.finish().unwrap();
        assert_eq!(whole.partition, Partition::WHOLE);
        assert_eq!(
            bytes(&whole.stats, Partition::WHOLE),
            bytes(&s, Partition::WHOLE)
        );

        let mut m = Merger::new();
        m.add(ModelFile::read_from(&bytes(&s, Partition::new(0, 3).unwrap())[..]).unwrap())
            .unwrap();
        m.add(ModelFile::read_from(&bytes(&s, Partition::new(2, 3).unwrap())[..]).unwrap())
            .unwrap();
        let e = m.finish().unwrap_err();
        assert!(e.to_string().contains("partition 1 of 3 is missing"), "{e}");
        // Two of four missing: both named, as two.
        let mut m = Merger::new();
        for i in [0, 2] {
            let p = Partition::new(i, 4).unwrap();
            m.add(ModelFile::read_from(&bytes(&s, p)[..]).unwrap())
                .unwrap();
        }
        let e = m.finish().unwrap_err();
        assert!(
            e.to_string()
                .contains("partitions 1 and 3 of 4 are missing"),
            "{e}"
        );
        let mut m = Merger::new();
        m.add(ModelFile::read_from(&bytes(&s, Partition::new(0, 3).unwrap())[..]).unwrap())
            .unwrap();
        let e = m.add(ModelFile::read_from(&bytes(&s, Partition::WHOLE)[..]).unwrap());
        assert!(e.is_err());
    }

    #[test]
    fn partition_names_round_trip() {
        let p = Partition::new(3, 12).unwrap();
        assert_eq!(
            p.path(Path::new("d/all.model")),
            Path::new("d/all.03-of-12.model")
        );
        assert_eq!(p.path(Path::new("all")), Path::new("all.03-of-12"));
        assert_eq!(
            Partition::parse_tag(Path::new("d/all.model"), "all.03-of-12.model"),
            Some(p)
        );
        assert_eq!(
            Partition::parse_tag(Path::new("all.model"), "all.3-of-2.model"),
            None
        );
    }

    #[test]
    fn a_sketch_round_trips_and_never_undercounts() {
        let mut s = LineStats::with_sketch(SketchShape::for_bytes(4096).unwrap());
        let mut exact = LineStats::new();
        for d in 0..200u64 {
            let mut fps: Vec<u64> = (0..20).map(|i| (d * 7 + i) % 300 + 1).collect();
            let site = ["a", "b", "c"][(d % 3) as usize];
            s.add_document(Some(site), &mut fps.clone());
            exact.add_document(Some(site), &mut fps);
        }
        let back = LineStats::read_from(&bytes(&s, Partition::WHOLE)[..]).unwrap();
        assert_eq!(back, s);
        for fp in 1..=300 {
            assert!(s.corpus_df(fp) >= exact.corpus_df(fp));
            assert!(s.site_df(site_key("b"), fp) >= exact.site_df(site_key("b"), fp));
        }
        assert_eq!(s.site_docs(site_key("a")), exact.site_docs(site_key("a")));
        let mut out = Vec::new();
        assert!(s
            .write_partition(Partition::new(0, 2).unwrap(), &mut out)
            .is_err());
    }
}
