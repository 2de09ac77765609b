//! Line features: what the classifier knows of each line, from the line
//! itself (shape), the corpus statistics (recurrence in the site and corpus),
//! the lexicon, the page (repeats, position) and the neighbouring lines.
//!
//! Features are named ([`STAGE1`]) so that the model file maps weights to
//! them by name and a reader of `src/model/line-model.txt` can see what each
//! weight means.
//!
//! This module gathers each line's facts ([`LineInfo`], [`gather`]) in one
//! walk a line; its parts derive the rest:
//! - `words`: the word table ([`WordTable`]), stopwords and lexicon symbols
//!   a lookup a word, and scripts without spaces counted by characters;
//! - `shape`: the walk that finds a line's shape and writes its normal form;
//! - `stage1`, `stage2`, `stage3`: the feature vectors of the three stages
//!   ([`STAGE1`], [`STAGE2`], [`STAGE3`]).

use crate::line::{lines, LineSpan, Normalizer};
use crate::rules::{MatchMode, RuleSet};
use crate::stats::{site_key, FpMap, LineStats};

mod shape;
mod stage1;
mod stage2;
mod stage3;
mod words;

use shape::shape_and_normal;
pub(crate) use stage1::words_back;
pub use stage1::{group_of, stage1, Group, STAGE1};
pub(crate) use stage2::stage2_words;
pub use stage2::{stage2, STAGE2};
pub(crate) use stage3::stage3_words;
pub use stage3::{stage3, STAGE3};
pub use words::WordTable;

/// The facts gathered about one line before features are derived.
#[derive(Clone, Debug, Default)]
pub struct LineInfo {
    /// Fingerprint of the normal form (0 for a line without letters or digits).
    pub fp: u64,
    /// Words of the normal form.
    pub words: u32,
    /// Characters other than whitespace.
    pub chars: u32,
    /// Letters among them.
    pub letters: u32,
    /// Decimal digits among them.
    pub digits: u32,
    /// Upper-case letters.
    pub uppers: u32,
    /// Words that start with an upper-case letter.
    pub capitalized: u32,
    /// Words that are stopwords.
    pub stopwords: u32,
    /// Commas and semicolons.
    pub commas: u32,
    /// Separator symbols typical of menus and breadcrumbs: `| » › · > / •`.
    pub separators: u32,
    /// Ends with sentence punctuation (`. ! ? : ;` or a closing quote after one).
    pub end_punct: bool,
    /// Ends with an ellipsis or a word cut short.
    pub truncated: bool,
    /// Starts with a list bullet.
    pub bullet: bool,
    /// First character is a lower-case letter.
    pub starts_lower: bool,
    /// Looks like it holds a URL or e-mail address.
    pub url: bool,
    /// Holds a clock time (`9:46`, `12:00 am`): comment and post stamps.
    pub has_time: bool,
    /// Holds a month name (English) beside a number: dates of bylines,
    /// comments and teasers.
    pub date_like: bool,
    /// Occurrences of the normal form in this document.
    pub page_count: u32,
    /// An earlier line of the document has the same normal form.
    pub page_seen_before: bool,
    /// Documents of the site with this line (0 without a site).
    pub site_df: u32,
    /// Documents of the site.
    pub site_docs: u32,
    /// Documents of the corpus with this line.
    pub corpus_df: u32,
    /// The lexicon phrase that matched.
    pub lex_hit: Option<u32>,
    /// Whether that phrase matched the whole line.
    pub lex_whole: bool,
    /// A protecting phrase matched.
    pub protect: Option<u32>,
    /// A weak phrase matched.
    pub weak: Option<u32>,
    /// Holds letters of a script written without spaces (Han, kana, Thai), whose
    /// words and stopwords are counted from its characters as well as from
    /// its spaces.
    pub unspaced: bool,
    /// The line (three words or more) is part of the document's first line,
    /// which scrapers fill with the page title: an article's headline is
    /// usually its title without the site's name.
    pub in_title: bool,
}

impl LineInfo {
    /// Whether the line has no visible characters.
    pub fn blank(&self) -> bool {
        self.chars == 0
    }

    /// A long line that reads as prose: the kind of line articles are made of.
    pub fn prose_words(&self) -> u32 {
        if self.words >= 12 && self.stopwords * 6 >= self.words {
            self.words
        } else {
            0
        }
    }
}

/// Reusable buffers for one thread's work on one document at a time.
#[derive(Debug, Default)]
pub struct Scratch {
    pub(crate) norm: Normalizer,
    pub(crate) padded: Vec<u8>,
    /// The lexicon symbols of a line's words.
    pub(crate) symbols: Vec<u8>,
    pub(crate) title: Vec<u8>,
    /// Offsets of the spaces of `title`, where a line found in it starts.
    pub(crate) title_words: Vec<usize>,
    pub(crate) infos: Vec<LineInfo>,
    /// Where each line of `infos` sits in the text, for callers that go
    /// over the lines again (run statistics, the kept text) without
    /// splitting the text again.
    pub(crate) spans: Vec<LineSpan>,
    pub(crate) counts: FpMap<u32>,
    pub(crate) fps: Vec<u64>,
    pub(crate) x1: Vec<f32>,
    pub(crate) p1: Vec<f32>,
    pub(crate) x2: Vec<f32>,
    pub(crate) p2: Vec<f32>,
    /// Each line's words as stage 2 reads them, for stage 3.
    pub(crate) words: Vec<f64>,
    pub(crate) x3: Vec<f32>,
    pub(crate) content: Vec<usize>,
    pub(crate) worded: Vec<usize>,
}

/// The documents from which a site is big: its lines' site share is also a
/// feature of its own (`site_df_ratio_big_site`), so that the model can
/// weigh a share out of many documents apart from one out of a few (at two,
/// half is one other page). The cut is the feature's, and its weight is
/// trained with it.
pub const BIG_SITE_DOCS: u32 = 10;

/// Fills `scratch.infos` with one [`LineInfo`] per line of `text`.
pub fn gather(
    text: &[u8],
    site: Option<&str>,
    stats: &LineStats,
    rules: &RuleSet,
    table: &WordTable,
    scratch: &mut Scratch,
) {
    let Scratch {
        norm,
        padded,
        symbols,
        title,
        title_words,
        infos,
        spans,
        counts,
        ..
    } = scratch;
    infos.clear();
    spans.clear();
    counts.clear();
    title.clear();
    title_words.clear();
    let site = site.filter(|s| !s.is_empty()).map(site_key);
    let site_docs = site.map_or(0, |s| stats.site_docs(s));
    // The page checked as UTF-8 once (nearly every page is), its lines then
    // taken as `str` by their offsets, where checking each line cost a call
    // a line (1.7 % of a run).
    let page = std::str::from_utf8(text).ok();
    for span in lines(text) {
        let raw = span.content(text);
        let line = page.and_then(|p| p.get(span.start..span.content_end));
        // The normal form between spaces, as the lexicon matches it, and
        // eight bytes more, so that its words can be read a u64 at a time.
        let (mut info, n) = shape_and_normal(raw, line, norm, padded);
        let normal = &padded[1..1 + n];
        info.fp = crate::line::fingerprint(normal);
        let (mut words, mut stop) = table.count(&padded[1..], n, symbols);
        if info.unspaced {
            let (more, stops) = table.unspaced(normal);
            words += more;
            stop = (stop + stops).min(words);
        }
        let padded = &padded[..n + 2];
        info.words = words;
        info.stopwords = stop;
        if info.fp != 0 {
            let c = counts.entry(info.fp).or_insert(0);
            info.page_seen_before = *c > 0;
            *c += 1;
            let m = rules.match_symbols(symbols, words, info.fp);
            info.lex_hit = m.hit;
            info.lex_whole = m
                .hit
                .is_some_and(|id| rules.phrases()[id as usize].mode == MatchMode::Whole);
            info.protect = m.protect;
            info.weak = m.weak;
            if title.is_empty() {
                title.push(b' ');
                title.extend_from_slice(normal);
                title.push(b' ');
                title_words.extend(memchr::memchr_iter(b' ', title));
            } else if words >= 3 {
                info.in_title = contains_padded(title, title_words, padded);
            }
        }
        infos.push(info);
        spans.push(span);
    }
    // The statistics are looked up in a loop of their own: the table is
    // large, most lookups miss the cache, and a short loop lets the
    // processor wait for several lines' entries at once where the walk
    // over each line's bytes between them did not.
    for info in infos.iter_mut() {
        if info.fp != 0 {
            info.page_count = counts[&info.fp];
            info.corpus_df = stats.corpus_df(info.fp);
            if let Some(s) = site {
                info.site_df = stats.site_df(s, info.fp);
                info.site_docs = site_docs;
            }
        }
    }
}

/// Whether `padded` (a padded normal form, `" a b c "`) occurs in `title`
/// (another one), given the offsets of `title`'s spaces: the same answer as
/// `memchr::memmem::find(title, padded).is_some()`, since an occurrence of a
/// needle that starts with a space starts at a space of the haystack. A
/// title has a few words, so comparing at each space is cheaper than building
/// a substring searcher for every line, which cost pass 2 about 6 % of its
/// instructions.
fn contains_padded(title: &[u8], spaces: &[usize], padded: &[u8]) -> bool {
    if padded.len() > title.len() {
        return false;
    }
    let last = title.len() - padded.len();
    spaces
        .iter()
        .take_while(|&&at| at <= last)
        .any(|&at| title[at..].starts_with(padded))
}

/// `[0, v0, v0 + v1, ...]` of each of `N` signals at once, summed in f64 so
/// that differences of sums are exact to f32 precision on pages of any
/// length: `n` rows of values give `n + 1` rows of sums, in one allocation
/// (one vector a signal, grown a push at a time, cost 2.7 % of a run).
fn prefix_sums<const N: usize>(n: usize, rows: impl Iterator<Item = [f32; N]>) -> Vec<[f64; N]> {
    let mut sums = Vec::with_capacity(n + 1);
    let mut total = [0.0f64; N];
    sums.push(total);
    for row in rows {
        for (t, v) in total.iter_mut().zip(row) {
            *t += v as f64;
        }
        sums.push(total);
    }
    sums
}

/// The mean of the other values within `r` places of value `k` (0 if it
/// has none), from the prefix `sums` of the values ([`prefix_sums`]) and
/// value `k` itself, `own`.
fn mean_around(sums: &[[f64; 1]], own: f32, k: usize, r: usize) -> f32 {
    let n = sums.len() - 1;
    let lo = k.saturating_sub(r);
    let hi = (k + r + 1).min(n);
    let others = hi - lo - 1;
    if others == 0 {
        return 0.0;
    }
    ((sums[hi][0] - sums[lo][0] - f64::from(own)) / others as f64) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_search_equals_substring_search() {
        let title = b" the mayor opens the new bridge ";
        let spaces: Vec<usize> = memchr::memchr_iter(b' ', title).collect();
        for needle in [
            &b" the new bridge "[..],
            b" mayor opens the ",
            b" the mayor opens the new bridge ",
            b" opens the old ",
            b" bridge today ",
            b" the mayor opens the new bridge today ",
        ] {
            assert_eq!(
                contains_padded(title, &spaces, needle),
                memchr::memmem::find(title, needle).is_some()
            );
        }
    }
}
