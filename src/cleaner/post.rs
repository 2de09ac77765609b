//! The post-rules: what pass 2 does to the model's verdicts of a page
//! before they are final. Each reads the page's line facts and verdicts,
//! and each is measured in DESIGN.md ("What each decision measured").

use crate::features::LineInfo;
use crate::verdict::{Cause, Verdict};

/// A line of some length that recurs in several documents of its site is
/// part of the site's template (a disclaimer, a bio, a teaser summary), even
/// when it reads like prose. See [`SITE_TEMPLATE_MIN_DOCS`].
pub(super) fn site_template(
    infos: &[LineInfo],
    content: &[usize],
    (min_docs, min_words): (u32, u32),
    out: &mut [Verdict],
) {
    if min_docs == 0 {
        return;
    }
    for &i in content {
        let l = &infos[i];
        if out[i].keep && l.protect.is_none() && l.words >= min_words && l.site_df >= min_docs {
            out[i].keep = false;
            out[i].cause = Cause::SiteRepeat {
                df: l.site_df,
                docs: l.site_docs,
            };
        }
    }
}

/// The site-template rule drops lines found in at least this many documents of
/// their site. Measured on the evaluation sets, lines of ten words or more
/// that recur in three or more documents of their site are content 0 to 5.3 %
/// of the time (Dragnet 86 of 2,356; WCXB dev 47 of 879; Utomo Big9 14 of
/// 518; none in CleanEval, L3S-GN1, CleanPortalEval), against 1 to 32 % for
/// lines in exactly two documents (the quote two articles share). The rule
/// gains Dragnet and Utomo Big9 0.001 word F1 each and changes no other set.
pub const SITE_TEMPLATE_MIN_DOCS: u32 = 3;

/// The shortest line (in words) the site-template rule applies to. Shorter lines
/// are menu items and headings, which the model already judges; applying the
/// rule to every line changes word F1 by at most 0.001 on any set.
pub const SITE_TEMPLATE_MIN_WORDS: u32 = 10;

/// The recall rescue steps in on a page whose kept lines hold less than
/// this share of the words the model expects to be content (the sum over the
/// page's lines of probability × words). Chosen on the training sets
/// (CleanEval, Dragnet, L3S-GN1, WCXB dev) among 0.2, 0.25, 0.3, 0.4, 0.5,
/// 0.7 and no limit: 0.3 is the largest that costs none of them anything
/// (0.4 and above cost L3S-GN1 0.002 to 0.005; without a limit the expected-F1
/// cut costs L3S-GN1 0.010 and Scrapinghub 0.007, because the model's
/// probabilities between 0.3 and 0.5 overstate how much of a page's
/// middling lines are content).
pub const RESCUE_MAX_KEPT_SHARE: f64 = 0.3;

/// Recall rescue: the metric is a word F1 per page, and with each line's
/// probability `p` of being content and its word count `w`, the expected F1
/// of keeping a set of lines is about
/// `2 Σ_kept p·w / (Σ_kept w + Σ_all p·w)`. The set that maximises it keeps
/// lines in order of `p`, so one sort and one scan find it; it keeps every
/// line the threshold keeps and adds the lines above a per-page threshold
/// (half the best expected F1, below 0.5).
///
/// Only on pages where the threshold kept little of the expected content
/// ([`RESCUE_MAX_KEPT_SHARE`]): a product or listing page whose article is
/// many short lines the model scores 0.3 to 0.5 one by one. On other pages
/// the cut adds chrome the model was rightly unsure of. Lines the lexicon,
/// a user rule or a protecting rule decided (`decided`) keep their verdict.
/// When the threshold kept no prose at all, the page's prose comes back
/// too, as `keep_some_prose` would have done had the rescue not kept
/// something first.
pub(super) fn rescue_recall(
    infos: &[LineInfo],
    content: &[usize],
    decided: impl Fn(&LineInfo) -> bool,
    out: &mut [Verdict],
) {
    let worded = || content.iter().copied().filter(|&i| infos[i].words > 0);
    let (mut kept_pw, mut kept_w, mut expected) = (0.0f64, 0.0f64, 0.0f64);
    for i in worded() {
        let (p, w) = (f64::from(out[i].score), f64::from(infos[i].words));
        expected += p * w;
        if out[i].keep {
            kept_pw += p * w;
            kept_w += w;
        }
    }
    if expected == 0.0 || kept_w >= RESCUE_MAX_KEPT_SHARE * expected {
        return;
    }
    let mut free: Vec<usize> = worded()
        .filter(|&i| !out[i].keep && !decided(&infos[i]))
        .collect();
    free.sort_by(|&a, &b| out[b].score.total_cmp(&out[a].score));
    let expected_f1 = |pw: f64, w: f64| 2.0 * pw / (w + expected);
    let mut best = (expected_f1(kept_pw, kept_w), 0);
    for (n, &i) in free.iter().enumerate() {
        let w = f64::from(infos[i].words);
        kept_pw += f64::from(out[i].score) * w;
        kept_w += w;
        let f = expected_f1(kept_pw, kept_w);
        if f > best.0 {
            best = (f, n + 1);
        }
    }
    let no_prose = !worded().any(|i| out[i].keep && infos[i].prose_words() > 0);
    for (n, &i) in free.iter().enumerate() {
        if n < best.1 || (no_prose && infos[i].prose_words() > 0) {
            out[i].keep = true;
            out[i].cause = Cause::Content;
        }
    }
}

/// First, do no harm: a page with prose of which the model kept none gets
/// its prose lines back (all but those the lexicon condemned). A page is
/// rarely all boilerplate, and a page whose article is one paragraph between
/// two widgets looks to the model like a teaser. Measured on the evaluation
/// sets: Dragnet F1 +0.009, WCXB dev +0.007, L3S-GN1 +0.002, the others
/// within 0.001. Stepping in below a fifth of the prose kept instead of none
/// gains CleanEval 0.003 but loses Dragnet 0.008.
pub(super) fn keep_some_prose(infos: &[LineInfo], content: &[usize], out: &mut [Verdict]) {
    let prose = || {
        content
            .iter()
            .copied()
            .filter(|&i| infos[i].prose_words() > 0)
    };
    if prose().next().is_none() || prose().any(|i| out[i].keep) {
        return;
    }
    for i in prose() {
        if !matches!(out[i].cause, Cause::Lexicon { .. }) {
            out[i].keep = true;
            out[i].cause = Cause::Content;
        }
    }
}

/// A run of list items (lines that start with a bullet) between two kept
/// sentences is a list inside the article ("What comes out of the oven
/// before six:", five items, and the paragraph that goes on): its items are
/// kept whole, whatever the model made of each. A list is content that looks
/// like a menu line by line, and an item the model doubts drags its
/// neighbours down with it; the sentences around it are what tell it from a
/// menu, which is not introduced and closed by prose. Lines the lexicon
/// decided are left as they are (a bullet does not override a user's rule).
/// `words` holds the indices of the lines with words, in order.
pub(super) fn lists_in_prose(infos: &[LineInfo], words: &[usize], out: &mut [Verdict]) {
    // A sentence of at least this many words frames the list: "Ingredients:"
    // alone is a label, not prose (the shortest introductions in the sample
    // corpus's lists have five words).
    const FRAME_WORDS: u32 = 4;
    let sentence = |out: &[Verdict], i: usize| {
        out[i].keep && infos[i].end_punct && infos[i].words >= FRAME_WORDS
    };
    let mut k = 0;
    while k < words.len() {
        if !infos[words[k]].bullet {
            k += 1;
            continue;
        }
        let start = k;
        while k < words.len() && infos[words[k]].bullet {
            k += 1;
        }
        let framed = start
            .checked_sub(1)
            .is_some_and(|j| sentence(out, words[j]))
            && words.get(k).is_some_and(|&j| sentence(out, j));
        if !framed {
            continue;
        }
        for &i in &words[start..k] {
            let decided = matches!(
                out[i].cause,
                Cause::Lexicon { .. } | Cause::Protected { .. } | Cause::TooLong
            );
            if !out[i].keep && !decided {
                out[i].keep = true;
                out[i].cause = Cause::Content;
            }
        }
    }
}

/// The least number of kept words on each side of a doubtful dropped line
/// for `keep_enclosed` to keep it: a few paragraphs of article above it
/// and below it. Of the words of lines the model dropped at a score of 0.25
/// to 0.5, those with 256 kept words or more on both sides are content 0.53
/// to 0.61 of the time in WCXB dev and 0.78 to 0.89 in CleanEval (0.29 and
/// 0.55 with none on one side), above the break-even of about half the
/// page's F1. Measured with 192, 256, 384, 512 and 768 (DESIGN.md): with
/// the two-stage run features, 512 was the least for which no evaluation
/// set lost. With the stage-3 run features and a score floor of 0.4, 256
/// gains most (mean word F1 0.90913 to 0.90931; Utomo -0.0002, the other
/// sets level or up); 192 and 320 were measured too.
pub const ENCLOSED_MIN_WORDS: u32 = 256;

/// The least score of a line `keep_enclosed` keeps: the model's doubtful
/// lines (the band the recall rescue also draws from), not those it is
/// sure are chrome. Measured with 0.2, 0.25 and 0.3 at 512 words (the
/// same word F1 to 0.0002), and with 0.3, 0.35, 0.4 and 0.45 at 256 words
/// (DESIGN.md): 0.4 keeps the gain of 0.3 and 0.35 with fewer held-out
/// lines of chrome (Utomo -0.0002 against -0.0004).
pub const ENCLOSED_MIN_SCORE: f32 = 0.4;

/// A doubtful line deep inside the article is kept: a dropped line the model
/// scored at least [`ENCLOSED_MIN_SCORE`], with at least
/// [`ENCLOSED_MIN_WORDS`] kept words above it and as many below it. A list,
/// a code block, a table or a run of subheadings between two stretches of
/// the article is many lines that look like chrome one by one, too many for
/// stage 2's and stage 3's windows to reach across; chrome stands above or
/// below the whole article, with little of it on one side. Lines past the
/// first comments-lexicon line after the first kept line (`opens_thread`)
/// are left alone: a thread between an article and the replies kept below
/// it is Dragnet's chrome. Only the model's own verdicts move (shape,
/// context, repeats, position): the lexicon, a user rule and the site
/// template decide for themselves. `words` holds the indices of the lines
/// with words, in order.
pub(super) fn keep_enclosed(
    infos: &[LineInfo],
    words: &[usize],
    opens_thread: impl Fn(&LineInfo) -> bool,
    out: &mut [Verdict],
) {
    let min = u64::from(ENCLOSED_MIN_WORDS);
    let total: u64 = words
        .iter()
        .filter(|&&i| out[i].keep)
        .map(|&i| u64::from(infos[i].words))
        .sum();
    if total < 2 * min {
        return;
    }
    let Some(first) = words.iter().position(|&i| out[i].keep) else {
        return;
    };
    let end = words[first + 1..]
        .iter()
        .position(|&i| opens_thread(&infos[i]))
        .map_or(words.len(), |j| first + 1 + j);
    let mut above = 0u64;
    for &i in &words[..end] {
        let w = u64::from(infos[i].words);
        if out[i].keep {
            above += w;
            continue;
        }
        if moved_by_keep_rules(&out[i].cause)
            && out[i].score >= ENCLOSED_MIN_SCORE
            && above >= min
            && total - above >= min
        {
            out[i].keep = true;
            out[i].cause = Cause::Content;
        }
    }
}

/// Whether a drop is the model's own verdict (shape, context, position, a
/// repeat in the page or the corpus), which the rules that keep lines
/// (`keep_enclosed`, `headline`) may undo; a lexicon match, a user rule, the
/// site template and a line that recurs in its site decide for themselves.
fn moved_by_keep_rules(cause: &Cause) -> bool {
    matches!(
        cause,
        Cause::Shape
            | Cause::Context
            | Cause::Position
            | Cause::PageRepeat { .. }
            | Cause::CorpusRepeat { .. }
    )
}

/// The headline is kept: of the lines above the first kept line (the title
/// line aside), the last one that repeats part of the page's first line
/// ([`LineInfo::in_title`]: three words or more). Scrapers put the page's
/// title there, and an article's headline is its title without the site's
/// name. The model drops most lines before the article, bylines, dates and
/// teasers with them, because the benchmarks disagree about the lead (their
/// golds keep 4 % to 57 % of such lines, DESIGN.md); this one line is the
/// headline in most of them. Measured on the evaluation sets (DESIGN.md):
/// word F1 up on CleanPortalEval, Dragnet, L3S-GN1 and Utomo, level on
/// CleanEval, down on Scrapinghub (whose gold has no headlines) and WCXB
/// dev. Only the model's own verdicts move ([`moved_by_keep_rules`]): a
/// masthead such as the site's name, which titles repeat too, recurs in
/// the site and stays dropped.
///
/// Then the title line itself goes if it was kept while a line that repeats
/// part of it (the headline, kept by the model or just now) is kept too:
/// the same words again, with the site's name ([`Cause::Title`]). Dropping
/// a kept title whatever follows cost four sets (its words are the only
/// copy of the headline on many pages); dropping it for the headline moved
/// none down (DESIGN.md). A title a user rule protects stays. `words`
/// holds the indices of the lines with words, in order.
pub(super) fn headline(infos: &[LineInfo], words: &[usize], out: &mut [Verdict]) {
    // The title: the first line with a normal form, which has words.
    let Some((&title, rest)) = words.split_first() else {
        return;
    };
    let Some(first_kept) = rest.iter().position(|&i| out[i].keep) else {
        return;
    };
    // A kept title with nothing to take off (the headline alone, printed
    // again below) is the headline's first print, and stays.
    let title_kept = out[title].keep;
    let repeats_title =
        |i: usize| infos[i].in_title && !(title_kept && infos[i].fp == infos[title].fp);
    let headline = rest[..first_kept]
        .iter()
        .rev()
        .find(|&&i| repeats_title(i) && moved_by_keep_rules(&out[i].cause));
    if let Some(&i) = headline {
        out[i].keep = true;
        out[i].cause = Cause::Content;
    }
    if title_kept
        && out[title].cause == Cause::Content
        && rest.iter().any(|&i| out[i].keep && repeats_title(i))
    {
        out[title].keep = false;
        out[title].cause = Cause::Title;
    }
}

/// A short line goes when the lines on both sides of it go: a lone "Share",
/// a host name or a date between two chrome lines is chrome. `max_words`
/// bounds "short" ([`SANDWICH_MAX_WORDS`] by default); `words` holds the
/// indices of the lines with words, in order.
pub(super) fn sandwich(infos: &[LineInfo], words: &[usize], max_words: u32, out: &mut [Verdict]) {
    let dropped: Vec<bool> = words.iter().map(|&i| !out[i].keep).collect();
    for k in 1..words.len().saturating_sub(1) {
        let i = words[k];
        if out[i].keep
            && infos[i].words <= max_words
            && infos[i].protect.is_none()
            && dropped[k - 1]
            && dropped[k + 1]
        {
            out[i].keep = false;
            out[i].cause = Cause::Context;
        }
    }
}

/// The longest line the sandwich rule drops: three words, a menu item's length.
/// On the evaluation sets the rule moves word F1 by at most 0.001 either way
/// (the line model already drops most such lines); five words instead of
/// three costs CleanEval 0.001. It is kept for the pages the model knows
/// least: a lone host name inside an app promo, a stray "Share" in a widget.
pub const SANDWICH_MAX_WORDS: u32 = 3;

/// Fewest consecutive rows that make a table for the tables rule (`tables`): two, a header
/// and one row, the smallest table there is.
pub const TABLE_MIN_ROWS: usize = 2;

/// The rows of a tab-separated table (consecutive lines with the same
/// number of tabs, at least one) are one unit: the model's verdicts on them
/// are replaced by one verdict from their mean score, so a table is kept or
/// dropped whole instead of losing its shortest rows. Lines the lexicon or a
/// protect phrase decided keep their verdict.
pub(super) fn tables(text: &[u8], threshold: f32, out: &mut [Verdict]) {
    if memchr::memchr(b'\t', text).is_none() {
        return;
    }
    let tabs: Vec<usize> = crate::line::lines(text)
        .map(|l| memchr::memchr_iter(b'\t', l.content(text)).count())
        .collect();
    let by_model = |v: &Verdict| {
        !matches!(
            v.cause,
            Cause::Lexicon { .. } | Cause::Protected { .. } | Cause::Blank | Cause::TooLong
        )
    };
    let mut i = 0;
    while i < out.len() {
        if tabs[i] == 0 {
            i += 1;
            continue;
        }
        let j = (i..out.len())
            .find(|&j| tabs[j] != tabs[i])
            .unwrap_or(out.len());
        let rows = &mut out[i..j];
        let (count, sum) = rows
            .iter()
            .filter(|v| by_model(v))
            .fold((0usize, 0.0f32), |(c, s), v| (c + 1, s + v.score));
        if count >= TABLE_MIN_ROWS {
            let keep = sum / count as f32 >= threshold;
            for v in rows.iter_mut().filter(|v| by_model(v)) {
                if v.keep != keep {
                    v.keep = keep;
                    v.cause = if keep { Cause::Content } else { Cause::Context };
                }
            }
        }
        i = j;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(keep: bool, score: f32, cause: Cause) -> Verdict {
        Verdict { keep, score, cause }
    }

    #[test]
    fn table_rows_take_one_verdict_from_their_mean_score() {
        let text =
            b"Intro line\nDay\tSunrise\tSunset\nMon\t06:14\t18:09\nThu\t06:07\t18:14\nOutro\n";
        let mut out = vec![
            verdict(true, 0.9, Cause::Content),
            verdict(false, 0.49, Cause::Shape),
            verdict(true, 0.60, Cause::Content),
            verdict(false, 0.48, Cause::Position),
            verdict(false, 0.2, Cause::Shape),
        ];
        tables(text, 0.5, &mut out);
        let keep: Vec<bool> = out.iter().map(|v| v.keep).collect();
        // Mean of the three rows is 0.523: the table is kept whole; the
        // lines around it are not rows and keep their verdicts.
        assert_eq!(keep, [true, true, true, true, false]);
        assert_eq!(out[1].cause, Cause::Content);
        // A lower mean drops the whole table, and says so.
        out[2].score = 0.50;
        out.iter_mut()
            .skip(1)
            .take(3)
            .for_each(|v| v.keep = v.score >= 0.5);
        tables(text, 0.5, &mut out);
        assert_eq!(
            out.iter().map(|v| v.keep).collect::<Vec<_>>(),
            [true, false, false, false, false]
        );
        assert_eq!(out[2].cause, Cause::Context);
    }

    fn line(words: u32, stopwords: u32) -> LineInfo {
        LineInfo {
            words,
            stopwords,
            ..LineInfo::default()
        }
    }

    #[test]
    fn the_last_title_line_above_the_article_is_kept() {
        let titled = |words| LineInfo {
            in_title: true,
            ..line(words, 0)
        };
        // A title, a masthead the site repeats, a headline, a byline, the
        // article, a subheading that repeats the title.
        let mut infos = [
            line(9, 0),
            titled(3),
            titled(6),
            line(3, 0),
            line(40, 20),
            titled(6),
        ];
        for (k, info) in infos.iter_mut().enumerate() {
            info.fp = k as u64 + 1;
        }
        let site = Cause::SiteRepeat { df: 9, docs: 9 };
        let verdicts = || {
            vec![
                verdict(false, 0.2, Cause::Shape),
                verdict(false, 0.1, site),
                verdict(false, 0.3, Cause::Position),
                verdict(false, 0.2, Cause::Shape),
                verdict(true, 0.9, Cause::Content),
                verdict(false, 0.4, Cause::Context),
            ]
        };
        let words: Vec<usize> = (0..infos.len()).collect();
        let lexicon = Cause::Lexicon {
            category: 0,
            phrase: 0,
        };
        let title_kept = verdict(true, 0.7, Cause::Content);
        // The verdicts after `edit` and the rule, and which lines they keep.
        let run = |infos: &[LineInfo], edit: &dyn Fn(&mut Vec<Verdict>)| {
            let mut out = verdicts();
            edit(&mut out);
            headline(infos, &words, &mut out);
            let kept: Vec<bool> = out.iter().map(|v| v.keep).collect();
            (out, kept)
        };

        let (out, kept) = run(&infos, &|_| {});
        assert_eq!(kept, [false, false, true, false, true, false]);
        assert_eq!(out[2].cause, Cause::Content);

        // A headline the lexicon decided stays dropped, and the masthead,
        // which the site repeats, is not taken instead.
        let (_, kept) = run(&infos, &|out| out[2].cause = lexicon);
        assert_eq!(kept, [false, false, false, false, true, false]);

        // Nothing kept: no article, no headline.
        let (_, kept) = run(&infos, &|out| out[4].keep = false);
        assert_eq!(kept, [false; 6]);

        // A kept title goes once the headline is kept below it, whether the
        // model kept the headline or the rule did; not without one, and not
        // when a user rule protects it.
        for model_kept_headline in [false, true] {
            let (out, kept) = run(&infos, &|out| {
                out[0] = title_kept;
                out[2].keep = model_kept_headline;
            });
            assert_eq!(kept, [false, false, true, false, true, false]);
            assert_eq!(out[0].cause, Cause::Title);
        }
        let (_, kept) = run(&infos, &|out| {
            out[0] = title_kept;
            out[2].cause = lexicon;
        });
        assert_eq!(kept, [true, false, false, false, true, false]);
        let (_, kept) = run(&infos, &|out| {
            out[0] = verdict(true, 0.7, Cause::Protected { phrase: 0 });
        });
        assert_eq!(kept, [true, false, true, false, true, false]);

        // A kept title that is the headline alone, printed again below: the
        // first print stays, the repeat is not taken.
        infos[2].fp = infos[0].fp;
        let (_, kept) = run(&infos, &|out| out[0] = title_kept);
        assert_eq!(kept, [true, false, false, false, true, false]);
    }

    #[test]
    fn a_doubtful_line_deep_inside_the_article_is_kept() {
        let min = ENCLOSED_MIN_WORDS;
        let lexicon = Cause::Lexicon {
            category: 0,
            phrase: 0,
        };
        // Article, a code listing of doubtful lines (one the lexicon
        // decided, one the model is sure is chrome), more article, a
        // thread head, a doubtful line after it, the article's last
        // paragraph.
        let page = |last: u32| -> Vec<LineInfo> {
            [min, 3, 2, 4, 1, 30, min, 1, 12, last]
                .into_iter()
                .map(|w| line(w, 0))
                .collect()
        };
        let verdicts = || {
            vec![
                verdict(true, 0.9, Cause::Content),
                verdict(false, 0.4, Cause::Shape),
                verdict(false, 0.4, lexicon),
                verdict(false, 0.05, Cause::Shape),
                verdict(false, ENCLOSED_MIN_SCORE, Cause::PageRepeat { count: 2 }),
                verdict(true, 0.8, Cause::Content),
                verdict(true, 0.9, Cause::Content),
                verdict(false, 0.01, lexicon),
                verdict(false, 0.45, Cause::Context),
                verdict(true, 0.7, Cause::Content),
            ]
        };
        let words: Vec<usize> = (0..10).collect();
        let kept = |out: &[Verdict]| out.iter().map(|v| v.keep).collect::<Vec<_>>();

        let infos = page(min);
        let mut out = verdicts();
        keep_enclosed(&infos, &words, |i| std::ptr::eq(i, &infos[7]), &mut out);
        assert_eq!(
            kept(&out),
            [true, true, false, false, true, true, true, false, false, true]
        );
        assert_eq!(out[1].cause, Cause::Content);
        assert_eq!(out[3].cause, Cause::Shape);

        // Without the thread head, the line below it is kept too.
        let mut out = verdicts();
        keep_enclosed(&infos, &words, |_| false, &mut out);
        assert!(out[8].keep);

        // A word short of `min` below it, it is at the article's edge and
        // stays dropped; the listing, with more than `min` on each side, is
        // kept all the same.
        let infos = page(min - 1);
        let mut out = verdicts();
        keep_enclosed(&infos, &words, |_| false, &mut out);
        assert_eq!(
            kept(&out),
            [true, true, false, false, true, true, true, false, false, true]
        );

        // A page with less than `min` kept words on either side is left
        // alone.
        let infos: Vec<LineInfo> = [min, 3, min - 1].into_iter().map(|w| line(w, 0)).collect();
        let mut out = vec![
            verdict(true, 0.9, Cause::Content),
            verdict(false, 0.45, Cause::Shape),
            verdict(true, 0.9, Cause::Content),
        ];
        keep_enclosed(&infos, &[0, 1, 2], |_| false, &mut out);
        assert!(!out[1].keep);
    }

    #[test]
    fn a_list_between_two_kept_sentences_is_kept_whole() {
        let sentence = |words| LineInfo {
            end_punct: true,
            ..line(words, 2)
        };
        let item = |words| LineInfo {
            bullet: true,
            ..line(words, 0)
        };
        let lexicon = Cause::Lexicon {
            category: 0,
            phrase: 0,
        };
        // An introduction, four items (one the lexicon decided), the
        // paragraph that goes on; then items after the last sentence, and
        // items framed by a dropped sentence.
        let infos = vec![
            sentence(7),
            item(2),
            item(1),
            item(1),
            item(2),
            sentence(30),
            item(2),
            item(2),
            sentence(12),
            item(1),
            sentence(20),
        ];
        let mut out: Vec<Verdict> = [
            (true, Cause::Content),
            (true, Cause::Content),
            (false, Cause::Shape),
            (false, lexicon),
            (false, Cause::Context),
            (true, Cause::Content),
            (false, Cause::Shape),
            (false, Cause::Shape),
            (false, Cause::Position),
            (false, Cause::Shape),
            (true, Cause::Content),
        ]
        .into_iter()
        .map(|(keep, cause)| verdict(keep, 0.4, cause))
        .collect();
        let words: Vec<usize> = (0..infos.len()).collect();
        lists_in_prose(&infos, &words, &mut out);
        let kept: Vec<bool> = out.iter().map(|v| v.keep).collect();
        assert_eq!(
            kept,
            [true, true, true, false, true, true, false, false, false, false, true]
        );
        assert_eq!(out[2].cause, Cause::Content);
    }

    #[test]
    fn rescue_takes_the_expected_f1_cut_when_little_was_kept() {
        // One short kept line, then six lines of ten words the model gives
        // 0.45, a chrome line at 0.05, and a 0.45 line the lexicon decided.
        let mut infos = vec![line(3, 0)];
        infos.extend((0..6).map(|_| line(10, 1)));
        infos.push(line(10, 0));
        infos.push(line(10, 1));
        let content: Vec<usize> = (0..infos.len()).collect();
        let mut out = vec![verdict(true, 0.9, Cause::Content)];
        out.extend((0..6).map(|_| verdict(false, 0.45, Cause::Shape)));
        out.push(verdict(false, 0.05, Cause::Shape));
        let lex = Cause::Lexicon {
            category: 0,
            phrase: 0,
        };
        out.push(verdict(false, 0.45, lex));
        // Kept 3 words of an expected 0.9*3 + 7*4.5 + 0.5 = 34.7.
        let decided = |i: &LineInfo| std::ptr::eq(i, &infos[8]);
        rescue_recall(&infos, &content, decided, &mut out);
        let keep: Vec<bool> = out.iter().map(|v| v.keep).collect();
        assert_eq!(
            keep,
            [true, true, true, true, true, true, true, false, false]
        );
        assert_eq!(out[1].cause, Cause::Content);
        assert_eq!(out[8].cause, lex);
    }

    #[test]
    fn rescue_leaves_a_page_that_kept_its_share_alone() {
        // 20 kept words of an expected 0.9*20 + 2*0.45*10 = 27: a share of
        // 0.74, above RESCUE_MAX_KEPT_SHARE.
        let infos = vec![line(20, 5), line(10, 1), line(10, 1)];
        let mut out = vec![
            verdict(true, 0.9, Cause::Content),
            verdict(false, 0.45, Cause::Shape),
            verdict(false, 0.45, Cause::Shape),
        ];
        let before = out.clone();
        rescue_recall(&infos, &[0, 1, 2], |_| false, &mut out);
        assert_eq!(out, before);
    }

    #[test]
    fn rescue_gives_prose_back_when_none_was_kept() {
        // The cut keeps the short line at 0.45, which would stop "do no
        // harm" from giving the page its prose back: the rescue does it.
        let infos = vec![line(2, 0), line(8, 0), line(14, 5)];
        let mut out = vec![
            verdict(true, 0.6, Cause::Content),
            verdict(false, 0.45, Cause::Shape),
            verdict(false, 0.2, Cause::Position),
        ];
        // Kept 2 words of an expected 1.2 + 3.6 + 2.8 = 7.6; the cut stops
        // before the prose line (expected F1 0.545 against 0.481 with it).
        rescue_recall(&infos, &[0, 1, 2], |_| false, &mut out);
        assert!(out.iter().all(|v| v.keep), "{out:?}");
    }

    #[test]
    fn lexicon_verdicts_and_single_tabbed_lines_are_left_alone() {
        let text = b"a\tb\nc\td\ne\tf\tg\n";
        let lex = Cause::Lexicon {
            category: 0,
            phrase: 0,
        };
        let mut out = vec![
            verdict(false, 0.9, lex),
            verdict(true, 0.9, Cause::Content),
            verdict(false, 0.1, Cause::Shape),
        ];
        let before = out.clone();
        tables(text, 0.5, &mut out);
        // Rows 0-1 share a tab count but only one is the model's; row 2 has
        // another count: no table has two model rows.
        assert_eq!(out, before);
    }
}
