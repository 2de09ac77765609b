//! Stage 1: the features of a line, from its shape, its words, the lexicon,
//! its repeats in the page, its recurrence in the site and the corpus, and
//! the kind of page it is on; and where each feature sits in the row, for
//! the later stages that read them back.

use super::{prefix_sums, LineInfo, BIG_SITE_DOCS};
use crate::rules::RuleSet;

/// Stage-1 feature names, in vector order. Lexicon categories follow as
/// `lex:<category>` for every category of the built-in lexicon.
pub const STAGE1: &[&str] = &[
    "bias",
    "words_log",
    "words_le2",
    "words_le5",
    "words_le10",
    "words_ge20",
    "words_ge40",
    "end_punct",
    "end_punct_long",
    "truncated",
    "stop_ratio",
    "stop_ratio_long",
    "alpha_ratio",
    "digit_ratio",
    "cap_ratio",
    "cap_ratio_short",
    "all_caps",
    "bullet",
    "separators",
    "separators_many",
    "commas",
    "starts_lower",
    "url",
    "no_words",
    "site_known",
    "site_small",
    "site_df_ratio",
    "site_df_ge2",
    "site_df_ge3",
    "site_df_log",
    "site_df_ge2_long",
    "site_df_ratio_big_site",
    "corpus_df_ge2",
    "corpus_df_log",
    "corpus_df_ge2_long",
    "corpus_df_ratio",
    "page_repeat",
    "page_repeat_later",
    "page_repeat_long",
    "lex_whole",
    "lex_contained",
    "rel_pos",
    "prose_before",
    "prose_after",
    "before_prose",
    "after_prose",
    "first_line",
    "in_title",
    "inside_body",
    "inside_body_unique",
    "inside_body_short",
    "unique_short",
    "prose_distance_log",
    "has_time",
    "date_like",
    "word_share",
    "word_share_major",
    "few_lines",
    "first_unique",
    "after_first_unique_log",
    "lead_zone",
    "prev_words_log",
    "next_words_log",
    "prev_site_df_ge2",
    "next_site_df_ge2",
    "prev_lex",
    "next_lex",
    "prev_end_punct",
    "next_end_punct",
    "win3_words_log",
    "win3_site_df_ge2",
    "win3_lex",
    "win3_end_punct",
    "win8_words_log",
    "win8_site_df_ge2",
    "win8_prose",
    "page_prose_share",
    "page_short_share",
    "short_x_prose_share",
    "short_x_short_share",
];

/// Feature groups, for explaining a verdict: which evidence weighed most.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// The constant.
    Bias,
    /// The line's own shape.
    Shape,
    /// Recurrence in the site.
    Site,
    /// Recurrence in the corpus.
    Corpus,
    /// Repeats inside the page.
    Page,
    /// The lexicon.
    Lexicon,
    /// The line's position.
    Position,
    /// The neighbours.
    Context,
}

/// The group of a stage-1 feature, by name.
pub fn group_of(name: &str) -> Group {
    if name == "bias" {
        Group::Bias
    } else if name.starts_with("site_") {
        Group::Site
    } else if name.starts_with("corpus_") {
        Group::Corpus
    } else if name.starts_with("page_") {
        Group::Page
    } else if name.starts_with("lex") {
        Group::Lexicon
    } else if matches!(
        name,
        "rel_pos"
            | "prose_before"
            | "prose_after"
            | "before_prose"
            | "after_prose"
            | "first_line"
            | "in_title"
            | "inside_body"
            | "inside_body_unique"
            | "inside_body_short"
            | "prose_distance_log"
            | "first_unique"
            | "after_first_unique_log"
            | "lead_zone"
    ) {
        Group::Position
    } else if name.starts_with("prev_") || name.starts_with("next_") || name.starts_with("win") {
        Group::Context
    } else {
        Group::Shape
    }
}

/// `ln(1 + x)` of the counts below this comes from [`LN1P`].
const LN1P_SIZE: usize = 4096;

/// `(x as f32).ln_1p()` for every `x` below [`LN1P_SIZE`], computed by that
/// same call: a table lookup gives the very same `f32` as the call, which
/// cost pass 2 about 2 % of its instructions (five calls a line).
static LN1P: std::sync::LazyLock<Box<[f32; LN1P_SIZE]>> = std::sync::LazyLock::new(|| {
    let mut t = Box::new([0.0; LN1P_SIZE]);
    for (x, v) in t.iter_mut().enumerate() {
        *v = (x as f32).ln_1p();
    }
    t
});

/// The words a line's `words_log` stands for, as `words_of` undoes it
/// (`f64::from(ln1(x)).exp_m1()`), for every count below [`LN1P_SIZE`],
/// computed by that same call: the cleaner knows each line's count, and a
/// lookup gives the very same `f64` as the call, which took stage 2 an
/// `exp_m1` a line (0.6 % of a run).
static WORDS_BACK: std::sync::LazyLock<Box<[f64; LN1P_SIZE]>> = std::sync::LazyLock::new(|| {
    let mut t = Box::new([0.0; LN1P_SIZE]);
    for (x, v) in t.iter_mut().enumerate() {
        *v = f64::from(ln1(x as u32)).exp_m1();
    }
    t
});

/// What `words_of` gives for a line of `x` words.
pub(crate) fn words_back(x: u32) -> f64 {
    match WORDS_BACK.get(x as usize) {
        Some(&v) => v,
        None => f64::from(ln1(x)).exp_m1(),
    }
}

#[inline]
fn ln1(x: u32) -> f32 {
    match LN1P.get(x as usize) {
        Some(&v) => v,
        None => (x as f32).ln_1p(),
    }
}

/// `1.0` or `0.0` (positive), from the bits: an integer-to-float conversion
/// a flag cost stage 1 about a tenth of its instructions.
#[inline]
pub(super) fn b(x: bool) -> f32 {
    f32::from_bits(u32::from(x) * 1.0f32.to_bits())
}

/// The stage-1 feature vector of every non-blank line, row after row, into
/// `out` (`content.len() × width` values, `width` = `STAGE1.len()` plus one per
/// lexicon category). `content` receives the indices of the non-blank lines.
pub fn stage1(
    infos: &[LineInfo],
    corpus_docs: u64,
    categories: usize,
    rules: &RuleSet,
    content: &mut Vec<usize>,
    out: &mut Vec<f32>,
) {
    content.clear();
    content.extend((0..infos.len()).filter(|&i| !infos[i].blank()));
    out.clear();
    let n = content.len();
    let total_prose: u32 = content.iter().map(|&i| infos[i].prose_words()).sum();
    let page_words: u32 = content.iter().map(|&i| infos[i].words).sum();
    let mut prose_seen = 0u32;
    let width = STAGE1.len() + categories;
    // The first line of the page that no other page of its site has: where
    // a site's header chrome ends, usually the headline.
    let first_unique = content.iter().position(|&i| {
        let l = &infos[i];
        l.site_docs >= 3 && l.site_df <= 1 && l.words > 0
    });
    let first_prose = content.iter().position(|&i| infos[i].prose_words() > 0);
    // Lines to the nearest prose line, in both directions (n + 1 if none).
    let mut prose_distance = vec![n + 1; n];
    let mut last = None;
    for k in 0..n {
        if infos[content[k]].prose_words() > 0 {
            last = Some(k);
        }
        if let Some(j) = last {
            prose_distance[k] = k - j;
        }
    }
    last = None;
    for k in (0..n).rev() {
        if infos[content[k]].prose_words() > 0 {
            last = Some(k);
        }
        if let Some(j) = last {
            prose_distance[k] = prose_distance[k].min(j - k);
        }
    }
    let page = PageKind::of(infos, content);
    let lex_any = |i: &LineInfo| b(i.lex_hit.is_some());
    let site_rep = |i: &LineInfo| b(i.site_docs >= 2 && i.site_df >= 2);
    let wl = |i: &LineInfo| ln1(i.words);
    // Window means of five signals, from prefix sums: one pass over the
    // page instead of one per line and window.
    let sums = prefix_sums(
        n,
        content.iter().map(|&i| {
            let l = &infos[i];
            [
                wl(l),
                site_rep(l),
                lex_any(l),
                b(l.end_punct),
                b(l.prose_words() > 0),
            ]
        }),
    );
    let (sum_wl, sum_site, sum_lex, sum_punct, sum_prose) = (0, 1, 2, 3, 4);
    let window = |signal: usize, k: usize, r: usize| -> f32 {
        let lo = k.saturating_sub(r);
        let hi = (k + r + 1).min(n);
        let others = hi - lo - 1;
        if others == 0 {
            return 0.0;
        }
        let own = sums[k + 1][signal] - sums[k][signal];
        ((sums[hi][signal] - sums[lo][signal] - own) / others as f64) as f32
    };
    for (k, &li) in content.iter().enumerate() {
        let l = &infos[li];
        let start = out.len();
        out.resize(start + width, 0.0);
        let row = &mut out[start..];
        let w = l.words;
        let long = w >= 10;
        let wf = w.max(1) as f32;
        let chars = l.chars.max(1) as f32;
        let site_known = l.site_docs >= 2;
        let neighbour = |d: isize| -> Option<&LineInfo> {
            let j = k as isize + d;
            (j >= 0 && (j as usize) < n).then(|| &infos[content[j as usize]])
        };
        let own_prose = l.prose_words();
        let before = if total_prose > 0 {
            prose_seen as f32 / total_prose as f32
        } else {
            0.0
        };
        let after = if total_prose > 0 {
            (total_prose - prose_seen - own_prose) as f32 / total_prose as f32
        } else {
            0.0
        };
        prose_seen += own_prose;
        let inside = before > 0.0 && after > 0.0;
        // Seen in no other document of its site (or, without a site, of the corpus).
        let unique = if site_known {
            l.site_df <= 1
        } else {
            l.corpus_df <= 1
        };
        let values: [f32; 76] = [
            1.0,
            wl(l),
            b(w <= 2),
            b(w <= 5),
            b(w <= 10),
            b(w >= 20),
            b(w >= 40),
            b(l.end_punct),
            b(l.end_punct && long),
            b(l.truncated),
            l.stopwords as f32 / wf,
            if long { l.stopwords as f32 / wf } else { 0.0 },
            l.letters as f32 / chars,
            l.digits as f32 / chars,
            l.capitalized as f32 / wf,
            if w <= 8 {
                l.capitalized as f32 / wf
            } else {
                0.0
            },
            b(l.letters >= 4 && l.uppers * 10 >= l.letters * 8),
            b(l.bullet),
            b(l.separators > 0),
            b(l.separators >= 2),
            b(l.commas > 0),
            b(l.starts_lower),
            b(l.url),
            b(w == 0),
            b(site_known),
            b(site_known && l.site_docs < 5),
            if site_known {
                l.site_df as f32 / l.site_docs as f32
            } else {
                0.0
            },
            site_rep(l),
            b(site_known && l.site_df >= 3),
            ln1(l.site_df.saturating_sub(1)),
            if long { site_rep(l) } else { 0.0 },
            if l.site_docs >= BIG_SITE_DOCS {
                l.site_df as f32 / l.site_docs as f32
            } else {
                0.0
            },
            b(l.corpus_df >= 2),
            ln1(l.corpus_df.saturating_sub(1)),
            b(l.corpus_df >= 2 && long),
            if corpus_docs > 0 {
                l.corpus_df as f32 / corpus_docs as f32
            } else {
                0.0
            },
            b(l.page_count >= 2),
            b(l.page_seen_before),
            b(l.page_count >= 2 && long),
            b(l.lex_whole),
            b(l.lex_hit.is_some() && !l.lex_whole),
            if n > 1 {
                k as f32 / (n - 1) as f32
            } else {
                0.0
            },
            before,
            after,
            b(total_prose > 0 && prose_seen == own_prose && own_prose == 0 && before == 0.0),
            b(total_prose > 0 && after == 0.0 && own_prose == 0),
            b(k == 0),
            b(l.in_title),
            b(inside),
            b(inside && unique),
            b(inside && w <= 5),
            b(w <= 5 && unique && site_known),
            ln1(prose_distance[k] as u32),
            b(l.has_time),
            b(l.date_like),
            w as f32 / page_words.max(1) as f32,
            b(w * 2 >= page_words && w >= 20),
            b(n <= 5),
            b(first_unique == Some(k)),
            first_unique.map_or(0.0, |f| if k >= f { ln1((k - f) as u32) } else { 0.0 }),
            b(first_prose.is_some_and(|f| k < f && f - k <= 3)),
            neighbour(-1).map_or(0.0, wl),
            neighbour(1).map_or(0.0, wl),
            neighbour(-1).map_or(0.0, site_rep),
            neighbour(1).map_or(0.0, site_rep),
            neighbour(-1).map_or(0.0, lex_any),
            neighbour(1).map_or(0.0, lex_any),
            neighbour(-1).map_or(0.0, |i| b(i.end_punct)),
            neighbour(1).map_or(0.0, |i| b(i.end_punct)),
            window(sum_wl, k, 3),
            window(sum_site, k, 3),
            window(sum_lex, k, 3),
            window(sum_punct, k, 3),
            window(sum_wl, k, 8),
            window(sum_site, k, 8),
            window(sum_prose, k, 8),
        ];
        row[..values.len()].copy_from_slice(&values);
        row[values.len()..STAGE1.len()].copy_from_slice(&page.features(l));
        if let Some(id) = l.lex_hit {
            let cat = rules.phrases()[id as usize].category as usize;
            if cat < categories {
                row[STAGE1.len() + cat] = 1.0;
            }
        }
    }
}

/// The stage-1 column of a built-in lexicon category. A `const fn`, so that
/// stage 2 looks its columns up when the program is compiled, not once a
/// page, and a misspelt name fails the build.
pub(super) const fn category_column(name: &str) -> usize {
    let mut i = 0;
    while i < crate::rules::BUILT_IN.len() {
        if same_str(crate::rules::BUILT_IN[i].0, name) {
            return STAGE1.len() + i;
        }
        i += 1;
    }
    panic!("no such built-in lexicon category")
}

/// The column of the stage-1 feature `name` (see [`category_column`]).
pub(super) const fn stage1_column(name: &str) -> usize {
    let mut i = 0;
    while i < STAGE1.len() {
        if same_str(STAGE1[i], name) {
            return i;
        }
        i += 1;
    }
    panic!("no such stage-1 feature")
}

/// `a == b`, in a `const fn`.
const fn same_str(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Stage-1 columns that the later stages read back.
pub(super) const WORDS_LOG: usize = stage1_column("words_log");
pub(super) const WORDS_LE5: usize = stage1_column("words_le5");

/// The words of line `k` of the stage-1 rows `x1`: `words_log` is
/// ln(1 + words), undone.
#[inline]
pub(super) fn words_of(x1: &[f32], width1: usize, k: usize) -> f64 {
    f64::from(x1[k * width1 + WORDS_LOG]).exp_m1()
}

/// What kind of page the lines are on, from counts over all its lines: an
/// article (most words in prose lines), a listing or product page (many
/// short lines, little prose). The same line
/// ("$24.99", "Pros") is content on a product page and chrome beside an
/// article, which no feature of the line alone can tell apart. Measured
/// (DESIGN.md): word F1 up 0.001 to 0.003 on five of the seven sets, down
/// 0.001 on two.
#[derive(Clone, Copy, Debug, Default)]
struct PageKind {
    /// Share of the page's words in prose lines ([`LineInfo::prose_words`]).
    prose_share: f32,
    /// Share of the lines with words that have one to five.
    short_share: f32,
}

/// The number of [`PageKind`] features, the last of [`STAGE1`].
const PAGE_KIND: usize = 4;

impl PageKind {
    fn of(infos: &[LineInfo], content: &[usize]) -> PageKind {
        let (mut words, mut prose, mut worded, mut short) = (0u64, 0u64, 0u32, 0u32);
        for &i in content {
            let l = &infos[i];
            words += l.words as u64;
            prose += l.prose_words() as u64;
            worded += (l.words > 0) as u32;
            short += (l.words > 0 && l.words <= 5) as u32;
        }
        let share = |a: u64, b: u64| {
            if b == 0 {
                0.0
            } else {
                (a as f64 / b as f64) as f32
            }
        };
        PageKind {
            prose_share: share(prose, words),
            short_share: share(short as u64, worded as u64),
        }
    }

    /// The page-kind features of line `l` of the page.
    fn features(&self, l: &LineInfo) -> [f32; PAGE_KIND] {
        let short = b(l.words > 0 && l.words <= 5);
        [
            self.prose_share,
            self.short_share,
            short * self.prose_share,
            short * self.short_share,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_the_converted_bools() {
        for x in [false, true] {
            assert_eq!(b(x).to_bits(), (x as u8 as f32).to_bits());
        }
    }

    #[test]
    fn ln1_table_equals_the_call() {
        for x in (0..LN1P_SIZE as u32 + 10).chain([100_000, u32::MAX]) {
            assert_eq!(ln1(x).to_bits(), (x as f32).ln_1p().to_bits());
        }
    }

    #[test]
    fn words_back_is_words_of_the_row() {
        for x in (0..LN1P_SIZE as u32 + 10).chain([100_000, u32::MAX]) {
            let row = [ln1(x)];
            let undone = f64::from(row[0]).exp_m1();
            assert_eq!(words_back(x).to_bits(), undone.to_bits(), "{x}");
        }
    }

    #[test]
    fn page_kind_tells_prose_pages_from_pages_of_short_lines() {
        let line = |words: u32, stopwords: u32| LineInfo {
            words,
            stopwords,
            chars: words * 5,
            ..LineInfo::default()
        };
        // Two prose lines (12 words, a third stopwords), one short line, a blank.
        let infos = [line(12, 4), line(3, 0), LineInfo::default(), line(12, 4)];
        let content = [0, 1, 3];
        let page = PageKind::of(&infos, &content);
        assert_eq!(page.prose_share, 24.0 / 27.0);
        assert_eq!(page.short_share, 1.0 / 3.0);
        // Only a short line gets the products.
        assert_eq!(page.features(&infos[0])[2..], [0.0, 0.0]);
        assert_eq!(
            page.features(&infos[1]),
            [24.0 / 27.0, 1.0 / 3.0, 24.0 / 27.0, 1.0 / 3.0]
        );
        // A page without words has no kind.
        let empty = PageKind::of(&infos, &[2]);
        assert_eq!((empty.prose_share, empty.short_share), (0.0, 0.0));
    }
}
