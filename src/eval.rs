//! Measuring quality: how close a cleaned text is to a human-made gold text,
//! and which lines the cleaner got wrong. This sits after the pipeline: it
//! reads what `clean` wrote (or any other tool's output) and the gold, and
//! reports figures.
//!
//! # The metric
//!
//! The benchmark metric is a bag-of-words F1 per page, macro-averaged over
//! pages: the words of a text are its lower-cased `\w+` runs
//! ([`crate::label::for_each_word`]), and with `shared` the size of the
//! multiset intersection of the output's and the gold's words (for each word,
//! the smaller of its two counts),
//!
//! * precision = shared / output words,
//! * recall = shared / gold words,
//! * F1 = their harmonic mean.
//!
//! A page whose output has no words while its gold has some has precision 0
//! (0/0 is undefined; an empty output has found none of the content, and
//! counting it as 0 keeps the average from rewarding a cleaner that drops
//! everything) and so F1 0. A page whose gold has no words has no recall at
//! all: it is left out of the averages and counted separately, with the
//! number of words written for it (ideally none). When precision and recall
//! are both 0, F1 is 0.
//!
//! The same figures are computed over bags of word 4-grams ("shingles", of
//! consecutive words; a text of one to three words is one shingle of all its
//! words), which also reward keeping the words in their order and punish
//! splicing boilerplate into the middle of a paragraph.
//!
//! The averages are macro averages (the mean of each page's precision, of
//! its recall and of its F1, as the published figures are). Micro totals
//! (shared, output and gold words summed over all scored pages, then divided)
//! are given as well: they weigh long pages more.
//!
//! A word character is one with Unicode's Alphabetic or Numeric property, or
//! `_`, so a Devanagari or Bengali vowel sign (Alphabetic, though a mark) is
//! part of its word. Python's `re` takes `\w`'s letters by general category
//! and splits such words at their vowel signs; on the evaluation sets' cleaned
//! output the two splits give the same macro word F1 to five decimals but on
//! Scrapinghub (0.91416 here, 0.91418 with Python's).
//!
//! Words and shingles are compared by 64-bit hash (XXH3). Two different words
//! collide with probability about n²/2⁶⁴ for n distinct words, which is
//! nothing next to the three decimals reported.
//!
//! # Use
//!
//! ```
//! use boilerstrip::eval::{self, Page};
//!
//! let pages = vec![Page::new("a", "Share this\nThe council met.", "The council met.")];
//! let report = eval::evaluate(&pages);
//! assert_eq!(report.scored, 1);
//! assert!((report.word.precision - 0.6).abs() < 1e-9);
//! assert_eq!(report.word.recall, 1.0);
//! let mut json = Vec::new();
//! report.write_json(&mut json, false)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`read_jsonl`] and [`read_dirs`] read the two input shapes ([`read`]
//! picks one);
//! [`analyze`] runs a [`Cleaner`](crate::Cleaner) over uncleaned pages and
//! reports its errors line by line.

use std::collections::HashMap;
use std::io::{self, Write};
use std::ops::{Add, AddAssign};

use rayon::prelude::*;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

mod analyze;
mod read;

use crate::cleaner::SITE_TEMPLATE_MIN_DOCS;
use crate::features::BIG_SITE_DOCS;

pub use analyze::{analyze, Analysis, CauseCounts, Confusion, LineGroup};
pub use read::{read, read_dirs, read_jsonl, read_jsonl_from, Fields, Page, Pages};

/// The number of words in a shingle. Four, as in the near-duplicate
/// detection literature (Broder's w-shingling) and the ROUGE-n family's
/// longest commonly reported n: long enough that a shared shingle means a
/// shared phrase, short enough that a short line still has a few.
pub const SHINGLE: usize = 4;

/// Counts behind one precision/recall figure: tokens (words or shingles) of
/// the output, of the gold, and shared by both (counting multiplicity). They
/// add up over pages, for micro totals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Overlap {
    /// Tokens of the output.
    pub output: u64,
    /// Tokens of the gold.
    pub gold: u64,
    /// Tokens of the multiset intersection.
    pub shared: u64,
}

/// Precision, recall and F1, each in `0..=1`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Score {
    /// Shared tokens over output tokens.
    pub precision: f64,
    /// Shared tokens over gold tokens.
    pub recall: f64,
    /// The harmonic mean of precision and recall.
    pub f1: f64,
}

impl Overlap {
    /// The figures, or `None` when the gold has no tokens (recall undefined).
    /// An output without tokens against a non-empty gold scores precision 0.
    ///
    /// ```
    /// use boilerstrip::eval::Overlap;
    /// let s = Overlap { output: 4, gold: 4, shared: 2 }.score().unwrap();
    /// assert_eq!((s.precision, s.recall, s.f1), (0.5, 0.5, 0.5));
    /// assert!(Overlap { output: 3, gold: 0, shared: 0 }.score().is_none());
    /// ```
    pub fn score(&self) -> Option<Score> {
        if self.gold == 0 {
            return None;
        }
        let precision = if self.output == 0 {
            0.0
        } else {
            self.shared as f64 / self.output as f64
        };
        let recall = self.shared as f64 / self.gold as f64;
        Some(Score {
            precision,
            recall,
            f1: f1(precision, recall),
        })
    }
}

fn f1(precision: f64, recall: f64) -> f64 {
    if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    }
}

impl AddAssign for Overlap {
    fn add_assign(&mut self, o: Overlap) {
        self.output += o.output;
        self.gold += o.gold;
        self.shared += o.shared;
    }
}

impl Add for Overlap {
    type Output = Overlap;
    fn add(mut self, o: Overlap) -> Overlap {
        self += o;
        self
    }
}

/// Serialised as the counts and, when defined, the figures:
/// `{"output": 4, "gold": 4, "shared": 2, "precision": 0.5, "recall": 0.5, "f1": 0.5}`.
impl Serialize for Overlap {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let score = self.score();
        let mut st = s.serialize_struct("Overlap", if score.is_some() { 6 } else { 3 })?;
        st.serialize_field("output", &self.output)?;
        st.serialize_field("gold", &self.gold)?;
        st.serialize_field("shared", &self.shared)?;
        if let Some(sc) = score {
            st.serialize_field("precision", &sc.precision)?;
            st.serialize_field("recall", &sc.recall)?;
            st.serialize_field("f1", &sc.f1)?;
        }
        st.end()
    }
}

/// The word ids (hashes of the lower-cased words) of `text`, in order.
pub fn word_ids(text: &str) -> Vec<u64> {
    let mut ids = Vec::new();
    crate::label::for_each_word(text, |w| ids.push(xxhash_rust::xxh3::xxh3_64(w.as_bytes())));
    ids
}

/// The shingle ids of a word sequence: one per window of [`SHINGLE`]
/// consecutive words, or one of all the words when there are fewer, or none
/// when there are no words.
pub fn shingle_ids(words: &[u64]) -> Vec<u64> {
    if words.is_empty() {
        return Vec::new();
    }
    let n = SHINGLE.min(words.len());
    let mut buf = [0u8; 8 * SHINGLE];
    words
        .windows(n)
        .map(|w| {
            for (i, id) in w.iter().enumerate() {
                buf[8 * i..8 * i + 8].copy_from_slice(&id.to_le_bytes());
            }
            xxhash_rust::xxh3::xxh3_64(&buf[..8 * n])
        })
        .collect()
}

/// The size of the multiset intersection of two bags of ids. Sorts both.
fn shared_count(a: &mut [u64], b: &mut [u64]) -> u64 {
    a.sort_unstable();
    b.sort_unstable();
    let (mut i, mut j, mut n) = (0, 0, 0u64);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

fn overlap(mut out: Vec<u64>, mut gold: Vec<u64>) -> Overlap {
    Overlap {
        output: out.len() as u64,
        gold: gold.len() as u64,
        shared: shared_count(&mut out, &mut gold),
    }
}

/// The word overlap of `output` with `gold`.
///
/// ```
/// use boilerstrip::eval::{word_overlap, Overlap};
/// // shared: one "b" and one "c"
/// assert_eq!(word_overlap("a b b c", "b c c d"), Overlap { output: 4, gold: 4, shared: 2 });
/// ```
pub fn word_overlap(output: &str, gold: &str) -> Overlap {
    overlap(word_ids(output), word_ids(gold))
}

/// The shingle overlap of `output` with `gold`.
pub fn shingle_overlap(output: &str, gold: &str) -> Overlap {
    overlap(shingle_ids(&word_ids(output)), shingle_ids(&word_ids(gold)))
}

/// The figures of one page.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PageScore {
    /// The page's name (its id, line number or relative path).
    pub name: String,
    /// Word counts and figures.
    pub word: Overlap,
    /// Shingle counts and figures.
    pub shingle: Overlap,
}

impl PageScore {
    /// Scores `output` against `gold`, tokenising each once.
    pub fn new(name: impl Into<String>, output: &str, gold: &str) -> PageScore {
        let out = word_ids(output);
        let g = word_ids(gold);
        let shingle = overlap(shingle_ids(&out), shingle_ids(&g));
        PageScore {
            name: name.into(),
            word: overlap(out, g),
            shingle,
        }
    }

    /// Whether the page counts in the averages (its gold has words).
    pub fn is_scored(&self) -> bool {
        self.word.gold > 0
    }
}

/// Pages whose gold has no words: left out of the averages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EmptyGold {
    /// How many.
    pub pages: usize,
    /// Words written for them in all (a perfect cleaner writes none).
    pub output_words: u64,
}

/// Totals over all scored pages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Micro {
    /// Word counts and figures.
    pub word: Overlap,
    /// Shingle counts and figures.
    pub shingle: Overlap,
}

/// The figures of a set of pages. Its JSON form starts
/// `{"pages": N, "scored": N, "word": {"precision": p, "recall": r, "f1": f}, "shingle": {...}, ...}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Report {
    /// Pages read (paired with a gold).
    pub pages: usize,
    /// Pages whose gold has words: the pages averaged.
    pub scored: usize,
    /// Macro-averaged word figures over the scored pages (all 0 when none is).
    pub word: Score,
    /// Macro-averaged shingle figures over the scored pages.
    pub shingle: Score,
    /// Totals over the scored pages.
    pub micro: Micro,
    /// Pages left out because their gold has no words.
    pub empty_gold: EmptyGold,
    /// Output files without a gold file (directory input only).
    pub only_in_output: Vec<String>,
    /// Gold files without an output file (directory input only), scored as
    /// pages with an empty output.
    pub only_in_gold: Vec<String>,
    /// Macro-averaged word figures by how many pages of its site the input
    /// holds ([`SITE_SIZES`]): pages alone on their site are cleaned without
    /// cross-document site statistics. Empty when no page has a site.
    pub by_site_size: Vec<SiteSizeScore>,
    /// Every page's figures, in input order.
    pub per_page: Vec<PageScore>,
}

/// The classes of [`Report::by_site_size`], by the pages of a page's site in
/// the input: `(first, last)`, both included. They follow the cleaner's own
/// site thresholds: a site of one page has no site statistics, two make a
/// line's site recurrence known, [`SITE_TEMPLATE_MIN_DOCS`] a site template,
/// [`BIG_SITE_DOCS`] a big site.
pub const SITE_SIZES: [(u32, u32); 4] = [
    (1, 1),
    (2, 2),
    (SITE_TEMPLATE_MIN_DOCS, BIG_SITE_DOCS - 1),
    (BIG_SITE_DOCS, u32::MAX),
];

/// The figures of the pages whose site has a given number of pages in the
/// input (a class of [`SITE_SIZES`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SiteSizeScore {
    /// The class: `1`, `2`, `3-9` or `10+` pages of the site.
    pub site_pages: String,
    /// Scored pages in the class.
    pub pages: usize,
    /// Macro-averaged word figures over them.
    pub word: Score,
}

/// The word figures of `scores` (in the order of `pages`) by the number of
/// pages of each page's site in `pages`: one row per class of
/// [`SITE_SIZES`] that holds a scored page, none when no page has a site.
/// Pages without a site are left out.
pub fn by_site_size(pages: &[Page], scores: &[PageScore]) -> Vec<SiteSizeScore> {
    let mut sizes: HashMap<&str, u32> = HashMap::new();
    for site in pages.iter().filter_map(|p| p.site.as_deref()) {
        *sizes.entry(site).or_default() += 1;
    }
    let mut classes = vec![Vec::new(); SITE_SIZES.len()];
    for (p, s) in pages.iter().zip(scores) {
        let (Some(site), Some(score)) = (p.site.as_deref(), s.word.score()) else {
            continue;
        };
        let n = sizes[site];
        if let Some(c) = SITE_SIZES.iter().position(|&(a, b)| (a..=b).contains(&n)) {
            classes[c].push(score);
        }
    }
    SITE_SIZES
        .iter()
        .zip(classes)
        .filter(|(_, class)| !class.is_empty())
        .map(|(&(first, last), class)| SiteSizeScore {
            site_pages: match last {
                _ if last == first => first.to_string(),
                u32::MAX => format!("{first}+"),
                _ => format!("{first}-{last}"),
            },
            pages: class.len(),
            word: macro_average(class.into_iter()),
        })
        .collect()
}

/// Scores every page (in parallel; the report does not depend on the number
/// of threads), with the figures by site size when pages have sites.
pub fn evaluate(pages: &[Page]) -> Report {
    let scores: Vec<PageScore> = pages
        .par_iter()
        .map(|p| PageScore::new(p.name.clone(), &p.text, &p.gold))
        .collect();
    let mut r = Report::from_pages(scores);
    r.by_site_size = by_site_size(pages, &r.per_page);
    r
}

/// Scores the pages of `pages` and carries over its unpaired files.
pub fn evaluate_pages(pages: &Pages) -> Report {
    let mut r = evaluate(&pages.pages);
    r.only_in_output = pages.only_in_output.clone();
    r.only_in_gold = pages.only_in_gold.clone();
    r
}

/// The macro average of `scores`, all 0 for none. Summed in input order, so
/// the result is the same for any number of threads.
fn macro_average(scores: impl Iterator<Item = Score>) -> Score {
    let mut n = 0usize;
    let mut sum = Score::default();
    for s in scores {
        n += 1;
        sum.precision += s.precision;
        sum.recall += s.recall;
        sum.f1 += s.f1;
    }
    if n == 0 {
        return sum;
    }
    let n = n as f64;
    Score {
        precision: sum.precision / n,
        recall: sum.recall / n,
        f1: sum.f1 / n,
    }
}

impl Report {
    /// A report over page figures, in their order.
    pub fn from_pages(per_page: Vec<PageScore>) -> Report {
        let mut micro = Micro::default();
        let mut empty_gold = EmptyGold::default();
        let mut scored = 0;
        for p in &per_page {
            if p.is_scored() {
                scored += 1;
                micro.word += p.word;
                micro.shingle += p.shingle;
            } else {
                empty_gold.pages += 1;
                empty_gold.output_words += p.word.output;
            }
        }
        Report {
            pages: per_page.len(),
            scored,
            word: macro_average(per_page.iter().filter_map(|p| p.word.score())),
            shingle: macro_average(per_page.iter().filter_map(|p| p.shingle.score())),
            micro,
            empty_gold,
            only_in_output: Vec::new(),
            only_in_gold: Vec::new(),
            by_site_size: Vec::new(),
            per_page,
        }
    }

    /// Writes the report as one pretty-printed JSON object and a newline;
    /// `per_page` includes the `per_page` array.
    pub fn write_json<W: Write>(&self, mut w: W, per_page: bool) -> io::Result<()> {
        let mut v = serde_json::to_value(self).map_err(io::Error::other)?;
        if !per_page {
            if let Some(o) = v.as_object_mut() {
                o.remove("per_page");
            }
        }
        // `io::Error::from` gives back the writer's own error (a closed pipe
        // stays a closed pipe); serde_json's others become `InvalidData`.
        serde_json::to_writer_pretty(&mut w, &v).map_err(io::Error::from)?;
        w.write_all(b"\n")
    }

    /// Writes the report as a text table: the overall figures always, one row
    /// a page when `per_page`.
    pub fn write_text<W: Write>(&self, mut w: W, per_page: bool) -> io::Result<()> {
        if per_page && !self.per_page.is_empty() {
            let width = self
                .per_page
                .iter()
                .map(|p| visible(&p.name).chars().count())
                .max()
                .unwrap_or(4)
                .clamp(4, 40);
            writeln!(
                w,
                "{:<width$}  {:>8}  {:>8}  {:>6}  {:>6}  {:>6}  {:>10}",
                "page", "out-wds", "gold-wds", "P", "R", "F1", "shingle-F1"
            )?;
            for p in &self.per_page {
                let name = truncate(&visible(&p.name), width);
                match (p.word.score(), p.shingle.score()) {
                    (Some(s), Some(sh)) => writeln!(
                        w,
                        "{:<width$}  {:>8}  {:>8}  {:>6.3}  {:>6.3}  {:>6.3}  {:>10.3}",
                        name, p.word.output, p.word.gold, s.precision, s.recall, s.f1, sh.f1
                    )?,
                    _ => writeln!(
                        w,
                        "{:<width$}  {:>8}  {:>8}  {:>6}  {:>6}  {:>6}  {:>10}",
                        name, p.word.output, p.word.gold, "-", "-", "-", "-"
                    )?,
                }
            }
            writeln!(w)?;
        }
        writeln!(
            w,
            "pages {}, scored {}, empty gold {} ({} words written for them)",
            self.pages, self.scored, self.empty_gold.pages, self.empty_gold.output_words
        )?;
        if !self.only_in_output.is_empty() || !self.only_in_gold.is_empty() {
            writeln!(
                w,
                "unpaired: {} output files without gold (not scored), {} gold files without output (scored as empty output)",
                self.only_in_output.len(),
                self.only_in_gold.len()
            )?;
            for n in &self.only_in_output {
                writeln!(w, "  output only: {n}")?;
            }
            for n in &self.only_in_gold {
                writeln!(w, "  gold only:   {n}")?;
            }
        }
        writeln!(
            w,
            "{:<14}  {:>9}  {:>6}  {:>6}",
            "", "precision", "recall", "F1"
        )?;
        let micro_word = self.micro.word.score().unwrap_or_default();
        let micro_shingle = self.micro.shingle.score().unwrap_or_default();
        for (name, s) in [
            ("word (macro)", self.word),
            ("shingle (macro)", self.shingle),
            ("word (micro)", micro_word),
            ("shingle (micro)", micro_shingle),
        ] {
            writeln!(
                w,
                "{:<15} {:>9.3}  {:>6.3}  {:>6.3}",
                name, s.precision, s.recall, s.f1
            )?;
        }
        if !self.by_site_size.is_empty() {
            writeln!(w, "word (macro) by pages of the page's site in the input")?;
            writeln!(
                w,
                "{:<14}  {:>9}  {:>6}  {:>6}",
                "site pages", "precision", "recall", "F1"
            )?;
            for c in &self.by_site_size {
                let label = format!(
                    "{} ({})",
                    c.site_pages,
                    crate::report::plural(c.pages as u64, "page")
                );
                writeln!(
                    w,
                    "{:<15} {:>9.3}  {:>6.3}  {:>6.3}",
                    label, c.word.precision, c.word.recall, c.word.f1
                )?;
            }
        }
        Ok(())
    }
}

/// `s` with its control characters (a line end, a lone CR, a tab) written as
/// `\xNN`, as `--explain` shows them: one row of a text table stays one
/// line, and its columns stay where they are.
pub(crate) fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    crate::explain::visible(s, false)
}

/// `s` cut to at most `max` characters, with `…` as the last when cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn word_bags_count_multiplicity() {
        // shared = min(b: 2, 1) + min(c: 1, 2) = 2
        let o = word_overlap("a b b c", "b c c d");
        assert_eq!(
            o,
            Overlap {
                output: 4,
                gold: 4,
                shared: 2
            }
        );
        let s = o.score().unwrap();
        assert!(close(s.precision, 0.5) && close(s.recall, 0.5) && close(s.f1, 0.5));

        // P = 3/3, R = 3/6, F1 = 2 * 1 * 0.5 / 1.5 = 2/3
        let s = word_overlap("x x y", "x x x y y z").score().unwrap();
        assert!(close(s.precision, 1.0));
        assert!(close(s.recall, 0.5));
        assert!(close(s.f1, 2.0 / 3.0));
    }

    #[test]
    fn words_are_case_folded_unicode_runs() {
        // "Ça", "va" and "été" against "ça", "VA", "ETE": é != e, so shared 2.
        let o = word_overlap("Ça va? Été.", "ça -- VA ... ete");
        assert_eq!(
            o,
            Overlap {
                output: 3,
                gold: 3,
                shared: 2
            }
        );
        // Punctuation alone has no words; digits and `_` are word characters.
        assert_eq!(word_overlap("— … !!", "x").output, 0);
        assert_eq!(word_overlap("route_66 2024", "ROUTE_66").shared, 1);
        // CJK ideographs are alphanumeric, and a run of them is one word.
        assert_eq!(word_overlap("東京 大阪", "東京").shared, 1);
    }

    #[test]
    fn empty_output_and_empty_gold() {
        let o = word_overlap("", "some gold");
        let s = o.score().unwrap();
        assert_eq!((s.precision, s.recall, s.f1), (0.0, 0.0, 0.0));
        assert!(word_overlap("anything", " ... ").score().is_none());
        assert!(word_overlap("", "").score().is_none());
        // Nothing shared: P and R both 0, F1 0 rather than NaN.
        let s = word_overlap("a", "b").score().unwrap();
        assert_eq!(s.f1, 0.0);
    }

    #[test]
    fn shingles_are_four_word_windows() {
        assert_eq!(shingle_ids(&word_ids("a b c d e f")).len(), 3);
        assert_eq!(shingle_ids(&word_ids("a b")).len(), 1);
        assert!(shingle_ids(&word_ids(" , ")).is_empty());
        // gold windows: abcd bcde; output windows: abcd bcdx cdxe: shared 1
        let o = shingle_overlap("a b c d x e", "a b c d e");
        assert_eq!(
            o,
            Overlap {
                output: 3,
                gold: 2,
                shared: 1
            }
        );
        // Word order matters to shingles, not to words.
        assert_eq!(word_overlap("d c b a", "a b c d").shared, 4);
        assert_eq!(shingle_overlap("d c b a", "a b c d").shared, 0);
        // A short text is one shingle of what it has.
        assert_eq!(shingle_overlap("Hello  world", "hello, world!").shared, 1);
        assert_eq!(shingle_overlap("hello", "hello world").shared, 0);
    }

    #[test]
    fn report_macro_averages_scored_pages_only() {
        let pages = vec![
            // P 2/4, R 2/4, F1 1/2
            Page::new("p1", "a b b c", "b c c d"),
            // P 1, R 1/2, F1 2/3
            Page::new("p2", "x", "x y"),
            // gold without words: left out, its 3 output words counted
            Page::new("p3", "u v w", "--"),
            // empty output: P 0, R 0, F1 0
            Page::new("p4", "", "gold words"),
        ];
        let r = evaluate(&pages);
        assert_eq!(r.pages, 4);
        assert_eq!(r.scored, 3);
        assert_eq!(
            r.empty_gold,
            EmptyGold {
                pages: 1,
                output_words: 3
            }
        );
        assert!(close(r.word.precision, (0.5 + 1.0 + 0.0) / 3.0));
        assert!(close(r.word.recall, (0.5 + 0.5 + 0.0) / 3.0));
        assert!(close(r.word.f1, (0.5 + 2.0 / 3.0 + 0.0) / 3.0));
        assert_eq!(
            r.micro.word,
            Overlap {
                output: 5,
                gold: 8,
                shared: 3
            }
        );
        let v: serde_json::Value = serde_json::to_value(&r).unwrap();
        assert_eq!(v["pages"], 4);
        assert_eq!(v["scored"], 3);
        assert!(v["word"]["f1"].as_f64().is_some());
        assert!(v["shingle"]["precision"].as_f64().is_some());
        // The empty-gold page has counts but no figures.
        assert!(v["per_page"][2]["word"].get("f1").is_none());
        assert_eq!(v["per_page"][2]["word"]["output"], 3);
    }

    #[test]
    fn report_without_scored_pages_is_zero_not_nan() {
        let r = evaluate(&[Page::new("e", "x", "")]);
        assert_eq!(r.scored, 0);
        assert_eq!(r.word, Score::default());
        let mut text = Vec::new();
        r.write_text(&mut text, true).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(!text.contains("NaN"), "{text}");
    }

    #[test]
    fn json_leaves_pages_out_unless_asked() {
        let r = evaluate(&[Page::new("a", "x y", "x")]);
        let mut short = Vec::new();
        r.write_json(&mut short, false).unwrap();
        let short: serde_json::Value = serde_json::from_slice(&short).unwrap();
        assert!(short.get("per_page").is_none());
        assert_eq!(short["word"]["precision"], 0.5);
        let mut long = Vec::new();
        r.write_json(&mut long, true).unwrap();
        let long: serde_json::Value = serde_json::from_slice(&long).unwrap();
        assert_eq!(long["per_page"][0]["name"], "a");
    }

    #[test]
    fn text_table_shows_rows_and_totals() {
        let r = evaluate(&[
            Page::new("first", "a b b c", "b c c d"),
            Page::new("empty", "x", ""),
        ]);
        let mut out = Vec::new();
        r.write_text(&mut out, true).unwrap();
        let out = String::from_utf8(out).unwrap();
        let row = out.lines().find(|l| l.starts_with("first")).unwrap();
        assert!(row.contains("0.500"), "{row}");
        let row = out.lines().find(|l| l.starts_with("empty")).unwrap();
        assert!(row.contains(" -"), "{row}");
        assert!(out.contains("pages 2, scored 1, empty gold 1"), "{out}");
        let mut out = Vec::new();
        r.write_text(&mut out, false).unwrap();
        assert!(!String::from_utf8(out).unwrap().contains("first"));
    }

    #[test]
    fn figures_by_site_size_class_pages_by_their_sites_pages() {
        let pages = [
            // a.org has one page, b.org two, c.org three; the last page has no site.
            Page::new("a", "x y", "x").with_site("a.org"),
            Page::new("b1", "x", "x").with_site("b.org"),
            Page::new("b2", "x", "x y").with_site("b.org"),
            Page::new("c1", "x", "x").with_site("c.org"),
            Page::new("c2", "x", "x").with_site("c.org"),
            Page::new("c3", "x", "").with_site("c.org"),
            Page::new("none", "x", "x"),
        ];
        let r = evaluate(&pages);
        let rows: Vec<(&str, usize)> = r
            .by_site_size
            .iter()
            .map(|c| (c.site_pages.as_str(), c.pages))
            .collect();
        // c3's gold is empty: it counts in its site's size, not in the average.
        assert_eq!(rows, [("1", 1), ("2", 2), ("3-9", 2)]);
        assert!(close(r.by_site_size[0].word.precision, 0.5));
        assert!(close(r.by_site_size[1].word.recall, 0.75));
        assert!(close(r.by_site_size[2].word.f1, 1.0));
        let mut out = Vec::new();
        r.write_text(&mut out, false).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("3-9 (2 pages)"), "{out}");
        let v: serde_json::Value = serde_json::to_value(&r).unwrap();
        assert_eq!(v["by_site_size"][1]["site_pages"], "2");
        // Without sites there are no classes, and no table.
        let r = evaluate(&[Page::new("a", "x", "x")]);
        assert!(r.by_site_size.is_empty());
        let mut out = Vec::new();
        r.write_text(&mut out, false).unwrap();
        assert!(!String::from_utf8(out).unwrap().contains("site pages"));
    }

    #[test]
    fn page_rows_are_one_line_each() {
        // A page named with a line end, a tab or a CR (an id is any JSON
        // string) keeps its row on one line, its columns in place.
        let r = evaluate(&[
            Page::new("a\nb\tc\rd", "x y", "x"),
            Page::new("e", "x y", "x"),
        ]);
        let mut out = Vec::new();
        r.write_text(&mut out, true).unwrap();
        let out = String::from_utf8(out).unwrap();
        let rows: Vec<&str> = out.lines().take(3).collect();
        assert!(rows[1].starts_with("a\\x0ab\\x09c\\x0dd  "), "{out}");
        assert!(!out.contains('\r') && !out.contains('\t'), "{out}");
        assert_eq!(rows[1].len(), rows[2].len(), "{out}");
        assert!(rows[2].starts_with("e "), "{out}");
    }

    #[test]
    fn truncation_counts_characters() {
        assert_eq!(truncate("héllo", 5), "héllo");
        assert_eq!(truncate("héllo wörld", 5), "héll…");
    }
}
