//! Stage 2: each line read with the stage-1 probabilities of the page
//! around it: its neighbours, where a comment thread or the article's
//! sign-off begins, the body of likely content, the word mass nearby and
//! repeated records.

use super::stage1::{b, category_column, stage1_column, words_of, WORDS_LE5};
use super::{mean_around, prefix_sums};

/// Stage-2 feature names beyond the stage-1 features (which stage 2 sees
/// too): the line's own stage-1 log-odds and its neighbours' stage-1
/// probabilities.
pub const STAGE2: &[&str] = &[
    "own_logit",
    "prev_p",
    "next_p",
    "prev2_p",
    "next2_p",
    "win3_p",
    "win8_p",
    "win20_p",
    "min3_p",
    "max3_p",
    "after_last_content",
    "before_first_content",
    "after_comments_head",
    "comments_x_article",
    "stamps_x_article",
    "comments_x_article_words",
    "related_x_article_words",
    "share_x_article_words",
    "newsletter_x_article_words",
    "win8_pw",
    "short_x_win8_pw",
    "record_run",
    "short_x_record_run",
    "before_body_x_p_gap",
    "before_body_p_gap_x_body_words",
    "after_body_p_gap_x_body_words",
];

/// Where a thread of posts begins and how much of the page's prose comes
/// before it. Readers' comments under an article and the replies of a forum
/// thread look alike line by line (a stamp line with a name and a date, then
/// prose); what differs is the article: under a long article the thread is
/// chrome, while on a forum page the first post is short and the replies are
/// the content. The features are "after the thread's start" times the share
/// of the page's prose words before it. Measured (DESIGN.md): word F1 up
/// 0.002 to 0.009 on five of the seven sets, unchanged on two.
///
/// The share alone lets a thread of two hundred comments under a long
/// article read as a forum (the article is a small share of the page's
/// prose), so a third feature is "after the comments heading" times
/// `ln(1 + words)` of the lines stage 1 keeps above it: the article's own
/// length, whatever the thread's. Measured (DESIGN.md): mean word F1
/// 0.8984 to 0.8996, Dragnet +0.005, L3S-GN1 +0.003, CleanPortalEval -0.002.
#[derive(Debug)]
struct Thread {
    /// The first comments-lexicon line after content, and the prose share
    /// before it.
    head: Option<(usize, f32)>,
    /// The second stamp line after content, and the prose share before the
    /// first.
    stamps: Option<(usize, f32)>,
    /// `ln(1 + words)` of the lines stage 1 keeps before the comments
    /// heading: how long the article above the thread is, whatever the
    /// length of the thread.
    head_words: f32,
}

impl Thread {
    fn of(page: &Stage1Page<'_>, head: Option<usize>) -> Thread {
        let Stage1Page {
            x1,
            width1,
            p,
            first,
            ..
        } = *page;
        let n = p.len();
        let (time, date, long, short, before) = (
            const { stage1_column("has_time") },
            const { stage1_column("date_like") },
            const { stage1_column("words_ge20") },
            WORDS_LE5,
            const { stage1_column("prose_before") },
        );
        let get = |k: usize, c: usize| x1[k * width1 + c];
        let stamp = |k: usize| (get(k, time) > 0.0 || get(k, date) > 0.0) && get(k, long) == 0.0;
        // A post's stamp opens a post: the next line is no stamp and it or
        // the one after has more than five words. Rows of a timetable are
        // stamps one after another.
        let opens_post = |k: usize| {
            stamp(k)
                && k + 1 < n
                && !stamp(k + 1)
                && (k + 1..(k + 3).min(n)).any(|j| get(j, short) == 0.0)
        };
        let mut stamps = (first.map_or(n, |f| f + 1)..n).filter(|&k| opens_post(k));
        let s1 = stamps.next();
        let s2 = stamps.next();
        Thread {
            head: head.map(|h| (h, get(h, before))),
            stamps: s1.zip(s2).map(|(a, b)| (b, get(a, before))),
            head_words: head.map_or(0.0, |h| page.kept_words_before(h)),
        }
    }

    fn features(&self, k: usize) -> [f32; 3] {
        let after =
            |x: Option<(usize, f32)>| x.map_or(0.0, |(at, share)| if k > at { share } else { 0.0 });
        let after_words = |x: Option<(usize, f32)>, words: f32| {
            x.map_or(0.0, |(at, _)| if k > at { words } else { 0.0 })
        };
        [
            after(self.head),
            after(self.stamps),
            after_words(self.head, self.head_words),
        ]
    }
}

/// What stage 2's page-level features start from: the page's stage-1 rows
/// (`width1` values a line), probabilities and threshold, each line's
/// words, and the first line stage 1 keeps.
#[derive(Clone, Copy)]
struct Stage1Page<'a> {
    x1: &'a [f32],
    width1: usize,
    p: &'a [f32],
    threshold: f32,
    words: &'a [f64],
    first: Option<usize>,
}

impl Stage1Page<'_> {
    /// `ln(1 + words)` of the lines before line `end` that stage 1 keeps.
    fn kept_words_before(&self, end: usize) -> f32 {
        let kept: f64 = (0..end)
            .filter(|&j| self.p[j] >= self.threshold)
            .map(|j| self.words[j])
            .sum();
        (kept as f32).ln_1p()
    }

    /// The first line after the first kept line whose row has column
    /// `column` (a lexicon category) set.
    fn first_after(&self, column: usize) -> Option<usize> {
        let (x1, width1) = (self.x1, self.width1);
        self.first.and_then(|f| {
            (f + 1..self.p.len()).find(|&j| column < width1 && x1[j * width1 + column] > 0.0)
        })
    }
}

/// The lexicon categories whose first line after the article has begun
/// marks where the page goes on past the article: a teaser heading ("More
/// stories", "Recommended"), share buttons, a newsletter box. In [`STAGE2`]
/// order.
const SIGN_OFF_CATEGORIES: [&str; 3] = ["related", "share", "newsletter"];

/// Where the article's sign-off widgets begin, and how long the article above
/// them is. Under a long article, what follows its share buttons, its
/// newsletter box or a teaser heading is other pages' teasers, an author's
/// bio, a thread: lines that read like prose one by one. A flag alone
/// ("after a related heading", DESIGN.md) cost two held-out sets, as such a
/// widget inside a short article, above the body, or on a listing page is
/// followed by content; so each feature is "after the category's first line
/// past the first likely content line" times `ln(1 + words)` of the lines
/// stage 1 keeps above that line. Measured (DESIGN.md): the related feature
/// alone took mean word F1 from 0.8996 to 0.9013, every set up; share and
/// newsletter as two more features to 0.9026, six sets up, Utomo -0.002.
#[derive(Debug)]
struct SignOffs {
    /// Per category: its first line after content and the article's
    /// `ln(1 + words)` above it.
    heads: [Option<(usize, f32)>; SIGN_OFF_CATEGORIES.len()],
}

impl SignOffs {
    fn of(page: &Stage1Page<'_>) -> SignOffs {
        SignOffs {
            heads: SIGN_OFF_CATEGORIES.map(|name| {
                let head = page.first_after(category_column(name));
                head.map(|h| (h, page.kept_words_before(h)))
            }),
        }
    }

    fn features(&self, k: usize) -> [f32; SIGN_OFF_CATEGORIES.len()] {
        self.heads
            .map(|head| head.map_or(0.0, |(h, words)| if k > h { words } else { 0.0 }))
    }
}

/// The article's body and what stands above it. Above an article, a page
/// often prints lines that read like prose one by one: other stories'
/// headlines and summaries, a promo, a ticker, the article's own dek and
/// caption. On Scrapinghub they were a quarter of the wrongly kept words
/// (long lines above the gold's first line), four to seven percent on the
/// other sets, and the model kept them less surely than the body below:
/// of the words of kept long lines above the run of kept lines with the
/// most words, those whose probability falls short of that run's mean by
/// 0.1 or more were wrong on Scrapinghub 984 to 32, Dragnet 19,583 to 4,735,
/// L3S-GN1 1,463 to 686 (CleanEval and WCXB dev keep more such lines than
/// they drop, hence learned weights and no rule).
///
/// The body is the run of lines stage 1 keeps, gaps of at most
/// [`BODY_GAP`] lines it drops, with the most words; it begins in earnest at
/// its first line at least as sure as the run's mean probability (weighted
/// by words) that the page prints once: teasers often run on into the
/// first paragraph without a gap, less sure than it, and a headline's
/// repeat above the body is as sure as the body but printed twice. For the
/// lines above that line, the features are how far the line's stage-1
/// probability falls short of the body's mean, and that times `ln(1 + the
/// body's words)`: a teaser at 0.7 above a long body at 0.95 scores high, an
/// earlier paragraph of the same article or a line above a short body low.
/// Measured (DESIGN.md): mean word F1 0.9046 to 0.9052, Scrapinghub
/// +0.0024, Utomo +0.0015, CleanPortalEval -0.0007, the four training sets
/// up.
///
/// Below the body the same holds a step further on: under a long article,
/// kept lines less sure than its body are other stories' summaries, an
/// author's bio, a promo (kept long lines after the run, 0.2 or more below
/// its mean: wrong on L3S-GN1 14,706 words to 354, Utomo 1,747 to 52,
/// Scrapinghub 1,302 to 1,025; CleanEval and WCXB dev the other way). The
/// body ends in earnest at its last line as sure as its mean that the page
/// prints once (such lines often run on from the last paragraph without a
/// gap), and lines after it carry their shortfall times `ln(1 + the body's
/// words)` only: with the shortfall alone as well, the model learnt to lift
/// lines after a short body (mean word F1 0.9061, but L3S-GN1 -0.0014).
/// Measured (DESIGN.md): mean word F1 0.9052 to 0.9058, all seven sets up.
#[derive(Debug)]
struct Body(Option<BodySpan>);

/// Where a page's body begins and ends in earnest, and what the lines
/// around it are measured against.
#[derive(Debug)]
struct BodySpan {
    start: usize,
    end: usize,
    /// `ln(1 + the body's words)`.
    words_log: f32,
    /// The body's mean probability, weighted by words.
    mean: f32,
}

/// The most lines stage 1 drops that [`Body`] lets its run go on across: a
/// subheading, a caption and its credit between two paragraphs. Measured
/// with one, two and four (DESIGN.md, before the page-repeat test): the
/// same mean word F1 to four decimals, two cost CleanPortalEval least.
const BODY_GAP: usize = 2;

impl Body {
    fn of(page: &Stage1Page<'_>) -> Body {
        let Stage1Page {
            x1,
            width1,
            p,
            threshold,
            ..
        } = *page;
        // Each line's words as the word-mass pass undid `words_log`: doing
        // it again here cost the sample run 0.2 % more instructions.
        let words = |k: usize| page.words[k];
        // (start, words, probability × words, last line) of the best run
        // so far and of the current one.
        let mut best = (0usize, 0.0f64, 0.0f64, 0usize);
        let mut run: Option<(usize, f64, f64, usize)> = None;
        let mut gap = 0usize;
        for (k, &pk) in p.iter().enumerate() {
            if pk >= threshold {
                let w = words(k);
                let r = run.get_or_insert((k, 0.0, 0.0, k));
                r.1 += w;
                r.2 += w * f64::from(pk);
                r.3 = k;
                gap = 0;
            } else if let Some(r) = run {
                gap += 1;
                if gap > BODY_GAP {
                    if r.1 > best.1 {
                        best = r;
                    }
                    run = None;
                }
            }
        }
        if let Some(r) = run {
            if r.1 > best.1 {
                best = r;
            }
        }

        if best.1 <= 0.0 {
            return Body(None);
        }
        let mean = (best.2 / best.1) as f32;
        let once = |k: usize| x1[k * width1 + PAGE_REPEAT] == 0.0;
        // Where the body begins in earnest: its first line as sure as its
        // mean that the page prints once; and where it ends in earnest, its
        // last such line (a teaser or a bio often runs on from the last
        // paragraph without a gap, less sure than it).
        let start = (best.0..p.len())
            .find(|&k| p[k] >= mean && once(k))
            .unwrap_or(best.0);
        let end = (best.0..=best.3)
            .rev()
            .find(|&k| p[k] >= mean && once(k))
            .unwrap_or(best.3);
        Body(Some(BodySpan {
            start,
            end,
            words_log: (best.1 as f32).ln_1p(),
            mean,
        }))
    }

    /// For a line after where the body ends in earnest, its shortfall
    /// from the body's mean times `ln(1 + the body's words)`.
    fn after_features(&self, p: &[f32], k: usize) -> [f32; 1] {
        match &self.0 {
            Some(b) if k > b.end => [(b.mean - p[k]).max(0.0) * b.words_log],
            _ => [0.0],
        }
    }

    fn features(&self, p: &[f32], k: usize) -> [f32; 2] {
        match &self.0 {
            Some(b) if k < b.start => {
                let gap = (b.mean - p[k]).max(0.0);
                [gap, gap * b.words_log]
            }
            _ => [0.0, 0.0],
        }
    }
}

/// The share of the words within eight lines of a line (itself left out)
/// that stage 1 expects to be content: the mean of the neighbours'
/// probabilities weighted by their words. The plain window means count a
/// menu item as much as a paragraph; weighted, a short line between
/// paragraphs of prose reads as part of the article and a short line among
/// menu items as chrome whatever a stray long line nearby says. Prefix sums
/// make each window two subtractions.
#[derive(Debug)]
struct WordMass {
    /// Prefix sums of probability × words and of words, one more than lines.
    pw: Vec<f64>,
    w: Vec<f64>,
    /// Each line's words, for [`Body`], [`Thread`] and [`SignOffs`].
    words: Vec<f64>,
}

/// The reach of [`WordMass`] on each side: the window of `win8_p`.
const MASS_REACH: usize = 8;

impl WordMass {
    #[cfg(test)]
    fn of(x1: &[f32], width1: usize, p: &[f32]) -> WordMass {
        let words = (0..p.len()).map(|k| words_of(x1, width1, k)).collect();
        WordMass::with_words(p, words)
    }

    /// The mass of the lines with probabilities `p` and words `line_words`
    /// (`words_of` of each row).
    fn with_words(p: &[f32], line_words: Vec<f64>) -> WordMass {
        let n = p.len();
        let (mut pw, mut w) = (Vec::with_capacity(n + 1), Vec::with_capacity(n + 1));
        let (mut spw, mut sw) = (0.0f64, 0.0f64);
        pw.push(0.0);
        w.push(0.0);
        for (&pk, &words) in p.iter().zip(&line_words) {
            spw += f64::from(pk) * words;
            sw += words;
            pw.push(spw);
            w.push(sw);
        }
        WordMass {
            pw,
            w,
            words: line_words,
        }
    }

    fn features(&self, x1: &[f32], width1: usize, k: usize) -> [f32; 2] {
        let n = self.w.len() - 1;
        let lo = k.saturating_sub(MASS_REACH);
        let hi = (k + MASS_REACH + 1).min(n);
        let own_pw = self.pw[k + 1] - self.pw[k];
        let own_w = self.w[k + 1] - self.w[k];
        let w = self.w[hi] - self.w[lo] - own_w;
        let share = if w > 0.5 {
            ((self.pw[hi] - self.pw[lo] - own_pw) / w) as f32
        } else {
            0.0
        };
        let short = x1[k * width1 + WORDS_LE5];
        [share, short * share]
    }
}

/// Lines that repeat a record's pattern: ranked lists, product grids and
/// spec sheets print each item as the same few lines (rank, name, price,
/// rating), so a line's shape comes back every `d` lines for some period
/// `d` of two to six, and the record mixes shapes (a menu is one shape
/// over and over), and an item has a number (a price, a score, a rank),
/// which a menu's records rarely have. The feature is the share of the
/// lines one and two periods away on each side that have the line's
/// shape, for the best period whose record (the `d` lines around the line)
/// mixes shapes and holds a line mostly of digits.
#[derive(Debug)]
struct Records {
    /// A coarse shape of each line: length class, digits, end punctuation,
    /// capitals, repeated in the page.
    sig: Vec<u8>,
    /// Where the run of lines with the same shape as line `k` ends (one
    /// past its last line), and where it starts: whether a record is all
    /// one shape is then two comparisons.
    same_end: Vec<usize>,
    same_start: Vec<usize>,
    /// Prefix counts of the lines mostly of digits, one more than lines.
    digits: Vec<u32>,
}

/// The longest record period [`Records`] looks for, in lines: a product
/// card of name, price, old price, rating, reviews and a button.
const RECORD_MAX_PERIOD: usize = 6;

/// The bit of [`Records`]' shape for "mostly digits".
const DIGITS_BIT: u8 = 1 << 3;

impl Records {
    fn of(x1: &[f32], width1: usize, n: usize) -> Records {
        let bits = [
            (const { stage1_column("words_le2") }, 0.0),
            (WORDS_LE5, 0.0),
            (const { stage1_column("words_le10") }, 0.0),
            // A line mostly of digits: a price, a score, a rank
            // (bit `DIGITS_BIT`).
            (const { stage1_column("digit_ratio") }, 0.3),
            (const { stage1_column("end_punct") }, 0.0),
            (const { stage1_column("all_caps") }, 0.0),
            (PAGE_REPEAT, 0.0),
        ];
        let sig = (0..n)
            .map(|k| {
                let row = &x1[k * width1..(k + 1) * width1];
                bits.iter().enumerate().fold(0u8, |acc, (bit, &(c, min))| {
                    acc | (u8::from(row[c] > min) << bit)
                })
            })
            .collect::<Vec<u8>>();
        let mut same_start = vec![0; n];
        for k in 1..n {
            same_start[k] = if sig[k] == sig[k - 1] {
                same_start[k - 1]
            } else {
                k
            };
        }
        let mut same_end = vec![n; n];
        for k in (0..n.saturating_sub(1)).rev() {
            same_end[k] = if sig[k] == sig[k + 1] {
                same_end[k + 1]
            } else {
                k + 1
            };
        }
        let mut digits = Vec::with_capacity(n + 1);
        digits.push(0u32);
        let mut count = 0u32;
        for &x in &sig {
            count += u32::from(x & DIGITS_BIT != 0);
            digits.push(count);
        }
        Records {
            sig,
            same_end,
            same_start,
            digits,
        }
    }

    fn features(&self, x1: &[f32], width1: usize, k: usize) -> [f32; 2] {
        let n = self.sig.len();
        // Every record window lies inside the widest one: without a line
        // mostly of digits there, there is no record (most lines of prose).
        let widest = (k + RECORD_MAX_PERIOD).min(n);
        if self.digits[widest] == self.digits[k.saturating_sub(RECORD_MAX_PERIOD - 1)] {
            return [0.0, 0.0];
        }
        let mut best = 0usize;
        for d in 2..=RECORD_MAX_PERIOD {
            // The record around the line must mix shapes.
            let lo = k.saturating_sub(d - 1);
            let hi = (k + d).min(n);
            let one_shape = self.same_start[k] <= lo && self.same_end[k] >= hi;
            if one_shape || self.digits[hi] == self.digits[lo] {
                continue;
            }
            let same = [
                k.checked_sub(2 * d),
                k.checked_sub(d),
                Some(k + d),
                Some(k + 2 * d),
            ]
            .into_iter()
            .flatten()
            .filter(|&j| j < n && self.sig[j] == self.sig[k])
            .count();
            best = best.max(same);
        }
        let run = best as f32 / 4.0;
        let short = x1[k * width1 + WORDS_LE5];
        [run, short * run]
    }
}

/// The stage-1 column of the built-in `comments` lexicon category, which
/// stage 2 uses to find where a page's reader comments begin.
fn comments_column() -> usize {
    const { category_column("comments") }
}

/// The stage-1 column that only stage 2 reads back.
const PAGE_REPEAT: usize = stage1_column("page_repeat");

/// The stage-2 feature vectors, into `out`: each line's stage-1 row (from
/// `x1`, `width1` values a row) followed by the [`STAGE2`] features computed
/// from the stage-1 probabilities `p` (one per non-blank line).
pub fn stage2(x1: &[f32], width1: usize, p: &[f32], threshold: f32, out: &mut Vec<f32>) {
    let mut words = (0..p.len()).map(|k| words_of(x1, width1, k)).collect();
    stage2_words(x1, width1, p, threshold, out, &mut words);
}

/// [`stage2`] with each line's words given (`words_of` of its row, which
/// the cleaner has from the lines' counts: `words_back`); they are left in
/// `words` for [`stage3_words`](super::stage3_words).
pub(crate) fn stage2_words(
    x1: &[f32],
    width1: usize,
    p: &[f32],
    threshold: f32,
    out: &mut Vec<f32>,
    words: &mut Vec<f64>,
) {
    out.clear();
    let n = p.len();
    let first = p.iter().position(|&x| x >= threshold);
    let last = p.iter().rposition(|&x| x >= threshold);
    // The first comment-area line (lexicon) after the article has begun:
    // what follows it is readers' comments, which read like prose.
    let mass = WordMass::with_words(p, std::mem::take(words));
    let page = Stage1Page {
        x1,
        width1,
        p,
        threshold,
        words: &mass.words,
        first,
    };
    let comments_head = page.first_after(comments_column());
    let thread = Thread::of(&page, comments_head);
    let sign_offs = SignOffs::of(&page);
    let records = Records::of(x1, width1, n);
    let body = Body::of(&page);
    // Window means from prefix sums: summing each window afresh took 65
    // dependent additions a line for the three windows.
    let sums = prefix_sums(n, p.iter().map(|&x| [x]));
    let at = |j: isize| -> f32 {
        if j >= 0 && (j as usize) < n {
            p[j as usize]
        } else {
            0.0
        }
    };
    for k in 0..n {
        let ki = k as isize;
        let win = |r: usize| mean_around(&sums, p[k], k, r);
        let lo = k.saturating_sub(3);
        let hi = (k + 4).min(n);
        let mut mn = 1.0f32;
        let mut mx = 0.0f32;
        for (j, &x) in p.iter().enumerate().take(hi).skip(lo) {
            if j != k {
                mn = mn.min(x);
                mx = mx.max(x);
            }
        }
        if hi - lo <= 1 {
            mn = 0.0;
        }
        let q = p[k].clamp(1e-4, 1.0 - 1e-4);
        out.extend_from_slice(&x1[k * width1..(k + 1) * width1]);
        out.extend_from_slice(&[
            (q / (1.0 - q)).ln(),
            at(ki - 1),
            at(ki + 1),
            at(ki - 2),
            at(ki + 2),
            win(3),
            win(8),
            win(20),
            mn,
            mx,
            b(last.is_some_and(|l| k > l)),
            b(first.is_some_and(|f| k < f)),
            b(comments_head.is_some_and(|h| k > h)),
        ]);
        out.extend_from_slice(&thread.features(k));
        out.extend_from_slice(&sign_offs.features(k));
        out.extend_from_slice(&mass.features(x1, width1, k));
        out.extend_from_slice(&records.features(x1, width1, k));
        out.extend_from_slice(&body.features(p, k));
        out.extend_from_slice(&body.after_features(p, k));
    }
    *words = mass.words;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::STAGE1;

    /// The `N` stage-2 values from column `first` on, of each row of
    /// `stage2`'s output.
    fn stage2_columns<const N: usize>(
        x1: &[f32],
        width: usize,
        p: &[f32],
        first: &str,
    ) -> Vec<[f32; N]> {
        let mut out = Vec::new();
        stage2(x1, width, p, 0.5, &mut out);
        let w2 = width + STAGE2.len();
        let col = width + STAGE2.iter().position(|&n| n == first).unwrap();
        (0..p.len())
            .map(|k| std::array::from_fn(|j| out[k * w2 + col + j]))
            .collect()
    }

    /// The `after_comments_head` value of each row of `stage2`'s output.
    fn after_comments(x1: &[f32], width: usize, p: &[f32]) -> Vec<f32> {
        stage2_columns::<1>(x1, width, p, "after_comments_head")
            .into_iter()
            .map(|[v]| v)
            .collect()
    }

    #[test]
    fn comment_area_begins_at_a_comments_line_after_content() {
        let width = comments_column() + 1;
        let mut x1 = vec![0.0f32; 5 * width];
        // Line 0 is a comments-lexicon line before any content: not a head.
        // Line 3 is one after the content line 1: the area begins there.
        x1[comments_column()] = 1.0;
        x1[3 * width + comments_column()] = 1.0;
        let p = [0.1, 0.9, 0.8, 0.1, 0.7];
        assert_eq!(after_comments(&x1, width, &p), [0.0, 0.0, 0.0, 0.0, 1.0]);
        // Without content before it, a comments line opens no area.
        let p = [0.1, 0.1, 0.1, 0.1, 0.7];
        assert_eq!(after_comments(&x1, width, &p), [0.0; 5]);
    }

    /// The `comments_x_article` and `stamps_x_article` values of each row.
    fn thread_features(x1: &[f32], width: usize, p: &[f32]) -> Vec<[f32; 2]> {
        stage2_columns(x1, width, p, "comments_x_article")
    }

    #[test]
    fn a_thread_after_an_article_carries_the_article_share() {
        let width = STAGE1.len();
        let col = stage1_column;
        let mut x1 = vec![0.0f32; 8 * width];
        let mut set = |k: usize, name: &str, v: f32| x1[k * width + col(name)] = v;
        // Line 0 is the article; lines 2, 5 are post stamps, each followed by
        // a post of more than five words; lines 3, 6 are short ("Reply").
        for k in [2, 5] {
            set(k, "date_like", 1.0);
            set(k, "words_le5", 1.0);
            set(k + 1, "words_le5", 1.0);
        }
        set(2, "prose_before", 0.75);
        set(5, "prose_before", 0.85);
        let p = [0.9, 0.2, 0.3, 0.2, 0.8, 0.3, 0.2, 0.8];
        let rows = thread_features(&x1, width, &p);
        let stamps: Vec<f32> = rows.iter().map(|r| r[1]).collect();
        // After the second stamp, the share of prose before the first.
        assert_eq!(stamps, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.75, 0.75]);
        assert!(rows.iter().all(|r| r[0] == 0.0), "no comments heading");

        // Stamps one after another (a timetable) open no thread.
        let mut x1 = vec![0.0f32; 6 * width];
        for k in 1..5 {
            x1[k * width + col("has_time")] = 1.0;
        }
        let p = [0.9, 0.6, 0.6, 0.6, 0.6, 0.9];
        assert!(thread_features(&x1, width, &p)
            .iter()
            .all(|r| r == &[0.0, 0.0]));
    }

    #[test]
    fn a_thread_after_a_long_article_carries_its_words() {
        let width = comments_column() + 1;
        let col = stage1_column;
        // Lines 0 and 1 are likely content of 40 and 20 words, line 2 a
        // 5-word line stage 1 drops, line 3 the comments heading.
        let words = [40.0f32, 20.0, 5.0, 1.0, 30.0];
        let mut x1 = vec![0.0f32; words.len() * width];
        for (k, w) in words.iter().enumerate() {
            x1[k * width + col("words_log")] = w.ln_1p();
        }
        x1[3 * width + comments_column()] = 1.0;
        let p = [0.9, 0.8, 0.2, 0.1, 0.7];
        let words_after: Vec<f32> = stage2_columns::<1>(&x1, width, &p, "comments_x_article_words")
            .iter()
            .map(|r| r[0])
            .collect();
        // Only the line after the heading has it: ln(1 + 60) of the kept
        // words above the heading, the dropped line left out.
        assert_eq!(words_after[..4], [0.0; 4]);
        assert!(
            (words_after[4] - 60.0f32.ln_1p()).abs() < 1e-4,
            "{words_after:?}"
        );
    }

    #[test]
    fn teasers_after_a_related_heading_carry_the_article_words() {
        let width = SIGN_OFF_CATEGORIES
            .iter()
            .map(|c| category_column(c))
            .max()
            .unwrap()
            + 1;
        let col = stage1_column;
        let words = [12.0f32, 50.0, 2.0, 25.0, 25.0];
        let mut x1 = vec![0.0f32; words.len() * width];
        for (k, w) in words.iter().enumerate() {
            x1[k * width + col("words_log")] = w.ln_1p();
        }
        // Line 0, a related heading before any content, opens nothing;
        // line 2 does.
        x1[category_column("related")] = 1.0;
        x1[2 * width + category_column("related")] = 1.0;
        let p = [0.3, 0.9, 0.1, 0.6, 0.6];
        let rows = stage2_columns::<3>(&x1, width, &p, "related_x_article_words");
        let v: Vec<f32> = rows.iter().map(|r| r[0]).collect();
        assert_eq!(v[..3], [0.0; 3]);
        assert!(
            (v[3] - 50.0f32.ln_1p()).abs() < 1e-4 && v[3] == v[4],
            "{v:?}"
        );
        // No share or newsletter line on the page: their features stay 0.
        assert!(rows.iter().all(|r| r[1..] == [0.0, 0.0]));
        // A share line right after the headline (line 0, now content)
        // comes before the article's body: it carries only the headline's
        // words.
        x1[category_column("related")] = 0.0;
        x1[width + category_column("share")] = 1.0;
        let p = [0.6, 0.1, 0.1, 0.6, 0.6];
        let rows = stage2_columns::<3>(&x1, width, &p, "related_x_article_words");
        let share: Vec<f32> = rows.iter().map(|r| r[1]).collect();
        assert_eq!(share[..2], [0.0; 2]);
        assert!((share[2] - 12.0f32.ln_1p()).abs() < 1e-4, "{share:?}");
    }

    #[test]
    fn lines_above_the_body_carry_their_shortfall_times_its_words() {
        let width = category_column("comments") + 1;
        let col = stage1_column;
        // Two teasers (kept, lines 0 and 1), three dropped lines that end
        // their run, a teaser running on into the body without a gap (line
        // 5), the body (lines 6 to 8) and a dropped footer.
        let words = [20.0f32, 20.0, 2.0, 2.0, 2.0, 15.0, 60.0, 40.0, 50.0, 3.0];
        let p = [0.7, 0.6, 0.1, 0.2, 0.1, 0.65, 0.95, 0.9, 0.95, 0.1];
        let mut x1 = vec![0.0f32; words.len() * width];
        for (k, w) in words.iter().enumerate() {
            x1[k * width + col("words_log")] = w.ln_1p();
        }
        let body_words = 15.0f32 + 60.0 + 40.0 + 50.0;
        let mean = (15.0 * 0.65 + 60.0 * 0.95 + 40.0 * 0.9 + 50.0 * 0.95) / body_words;
        let check = |x1: &[f32], above: usize| {
            let rows = stage2_columns::<2>(x1, width, &p, "before_body_x_p_gap");
            for (k, r) in rows.iter().enumerate().take(above) {
                let gap = (mean - p[k]).max(0.0);
                assert!((r[0] - gap).abs() < 1e-4, "line {k}: {rows:?}");
                assert!(
                    (r[1] - gap * body_words.ln_1p()).abs() < 1e-3,
                    "line {k}: {rows:?}"
                );
            }
            assert!(rows[0][1] > 0.0 && rows[1][1] > rows[0][1] && rows[5][1] > 0.0);
            // The body from where it begins in earnest, and what follows.
            assert!(rows[above..].iter().all(|r| *r == [0.0, 0.0]), "{rows:?}");
        };
        check(&x1, 6);
        // A first sure line that the page prints twice (a headline's
        // repeat) does not begin the body: the next line as sure as the
        // mean does (line 7, at 0.9, is not).
        x1[6 * width + col("page_repeat")] = 1.0;
        check(&x1, 8);
        // A page whose longest run comes first: nothing lies above it.
        let words = [60.0f32, 50.0, 2.0, 2.0, 2.0, 15.0, 2.0, 2.0, 2.0, 2.0];
        let p = [0.95, 0.9, 0.1, 0.2, 0.1, 0.6, 0.1, 0.1, 0.1, 0.1];
        for (k, w) in words.iter().enumerate() {
            x1[k * width + col("words_log")] = w.ln_1p();
        }
        let rows = stage2_columns::<2>(&x1, width, &p, "before_body_x_p_gap");
        assert!(rows.iter().all(|r| *r == [0.0, 0.0]), "{rows:?}");
    }

    #[test]
    fn lines_after_the_body_carry_their_shortfall_times_its_words() {
        let width = category_column("comments") + 1;
        let col = stage1_column;
        // A menu item, the body (lines 1 to 3), a teaser running on from
        // it without a gap (line 4, less sure than the body), a dropped
        // label, a second teaser that the body's run takes in across the
        // one-line gap (line 6), and a dropped footer.
        let words = [2.0f32, 60.0, 40.0, 50.0, 20.0, 2.0, 20.0, 3.0];
        let p = [0.1, 0.95, 0.9, 0.95, 0.6, 0.1, 0.7, 0.1];
        let mut x1 = vec![0.0f32; words.len() * width];
        for (k, w) in words.iter().enumerate() {
            x1[k * width + col("words_log")] = w.ln_1p();
        }
        let body_words = 60.0f32 + 40.0 + 50.0 + 20.0 + 20.0;
        let mean = (60.0 * 0.95 + 40.0 * 0.9 + 50.0 * 0.95 + 20.0 * 0.6 + 20.0 * 0.7) / body_words;
        let check = |x1: &[f32], end: usize| {
            let rows = stage2_columns::<1>(x1, width, &p, "after_body_p_gap_x_body_words");
            for (k, r) in rows.iter().enumerate() {
                let want = if k > end {
                    (mean - p[k]).max(0.0) * body_words.ln_1p()
                } else {
                    0.0
                };
                assert!((r[0] - want).abs() < 1e-3, "line {k}: {rows:?}");
            }
            assert!(rows[4][0] > 0.0 && rows[5][0] > rows[4][0] && rows[6][0] > 0.0);
        };
        // The body ends in earnest at its last line as sure as its mean.
        check(&x1, 3);
        // A last sure line that the page prints twice (a headline repeated
        // under the article) does not end the body: the one before does.
        x1[3 * width + col("page_repeat")] = 1.0;
        check(&x1, 2);
        // A page whose longest run comes last: nothing lies after it.
        let p = [0.1, 0.1, 0.1, 0.1, 0.95, 0.9, 0.95, 0.95];
        let words = [2.0f32, 2.0, 2.0, 2.0, 60.0, 40.0, 50.0, 30.0];
        for (k, w) in words.iter().enumerate() {
            x1[k * width + col("words_log")] = w.ln_1p();
            x1[k * width + col("page_repeat")] = 0.0;
        }
        let rows = stage2_columns::<1>(&x1, width, &p, "after_body_p_gap_x_body_words");
        assert!(rows.iter().all(|r| *r == [0.0]), "{rows:?}");
    }

    #[test]
    fn word_mass_weighs_neighbours_by_their_words() {
        let width = STAGE1.len();
        let col = stage1_column;
        // Lines: a 3-word menu item (p 0.1), a short line (p 0.4, words 1),
        // a 15-word paragraph (p 0.9), a 1-word item (p 0.1).
        let words = [3.0f32, 1.0, 15.0, 1.0];
        let p = [0.1, 0.4, 0.9, 0.1];
        let mut x1 = vec![0.0f32; 4 * width];
        for (k, w) in words.iter().enumerate() {
            x1[k * width + col("words_log")] = w.ln_1p();
            x1[k * width + col("words_le5")] = if *w <= 5.0 { 1.0 } else { 0.0 };
        }
        let mass = WordMass::of(&x1, width, &p);
        // The short line's neighbours: 3 words at 0.1, 15 at 0.9, 1 at 0.1.
        let want = (3.0 * 0.1 + 15.0 * 0.9 + 0.1) / 19.0;
        let [share, short] = mass.features(&x1, width, 1);
        assert!((share - want).abs() < 1e-5, "{share} vs {want}");
        assert_eq!(short, share);
        // The paragraph is no short line: no product.
        let [share, short] = mass.features(&x1, width, 2);
        assert!((share - (0.3 + 0.4 + 0.1) / 5.0).abs() < 1e-5, "{share}");
        assert_eq!(short, 0.0);
        // A page of one line has no neighbours.
        let one = WordMass::of(&x1[..width], width, &p[..1]);
        assert_eq!(one.features(&x1, width, 0), [0.0, 0.0]);
    }

    #[test]
    fn records_find_repeated_items_with_a_number_but_not_menus() {
        let width = STAGE1.len();
        let col = stage1_column;
        // Ranked items of three lines: "1." / a name / "9.1", five times.
        let n = 15;
        let mut x1 = vec![0.0f32; n * width];
        for k in 0..n {
            x1[k * width + col("words_le2")] = 1.0;
            x1[k * width + col("words_le5")] = 1.0;
            x1[k * width + col("words_le10")] = 1.0;
            if k % 3 != 1 {
                x1[k * width + col("digit_ratio")] = 0.8;
            }
        }
        let records = Records::of(&x1, width, n);
        // A name in the middle: its shape comes back every three lines,
        // on both sides; the first name has only the two after it.
        assert_eq!(records.features(&x1, width, 7), [1.0, 1.0]);
        assert_eq!(records.features(&x1, width, 1)[0], 0.5);
        // A menu of one shape, no numbers: no records.
        let menu = vec![0.0f32; n * width];
        let records = Records::of(&menu, width, n);
        assert!((0..n).all(|k| records.features(&menu, width, k) == [0.0, 0.0]));
        // Mixed shapes without a number (a menu of one- and four-word
        // items): no records either.
        let mut mixed = menu.clone();
        for k in (0..n).step_by(2) {
            mixed[k * width + col("words_le2")] = 1.0;
        }
        let records = Records::of(&mixed, width, n);
        assert!((0..n).all(|k| records.features(&mixed, width, k) == [0.0, 0.0]));
    }
}
