//! Line labels from a human-made gold text: which lines of a page are
//! content. Used to train the line model and to analyse errors.
//!
//! The gold text of an extraction benchmark is the main content re-typed or
//! re-flowed, not a subset of the page's lines, so lines are labelled by
//! aligning words: the page's words and the gold's words (lower-cased `\w+`
//! runs, the benchmark tokenisation) are diffed in order, and a line is
//! content when at least half of its words are matched. The diff is
//! `similar`'s patience diff: on the evaluation sets it labels the same lines
//! as a Myers diff to within 0.1 % and runs three to five times faster. Aligning in order,
//! rather than looking words up in a bag, keeps a menu's "Home" from counting
//! as content because the article says "home" somewhere.

use similar::{capture_diff_slices, Algorithm, DiffOp};

/// Calls `f` with each word of `text` lower-cased: a word is a maximal run of
/// Unicode alphanumerics and `_` (the `\w+` of the benchmark metric).
///
/// ```
/// let mut words = Vec::new();
/// boilerstrip::label::for_each_word("Hello, World_2! Ça va?", |w| words.push(w.to_string()));
/// assert_eq!(words, ["hello", "world_2", "ça", "va"]);
/// ```
pub fn for_each_word(text: &str, mut f: impl FnMut(&str)) {
    let mut buf = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() || c == '_' {
            if c.is_ascii() {
                buf.push(c.to_ascii_lowercase());
            } else {
                buf.extend(c.to_lowercase());
            }
        } else if !buf.is_empty() {
            f(&buf);
            buf.clear();
        }
    }
    if !buf.is_empty() {
        f(&buf);
    }
}

fn word_id(w: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(w.as_bytes())
}

/// The share of a line's words that must align with the gold for the line to
/// be labelled content. One half: a line is content when most of it is.
pub const MATCHED_SHARE: f32 = 0.5;

/// The largest alignment, in page words times gold words, that is made; a
/// page past it is not labelled (every line `None`). The diff's cost grows
/// with the words and with how far the two texts differ, and no clock bounds
/// it, so that the labels, and the model trained on them, are the same on
/// every machine and under any load (a time limit cut the two slowest
/// evaluation pages short at a point that depended on both). The largest
/// product in the evaluation sets is 1.2 × 10⁹ (a Dragnet page of 17,166
/// words whose gold holds 67,816, mostly not on the page: 15 s); 2 × 10⁹
/// aligns every evaluation page and bounds a pathological one to about half
/// a minute.
pub const MAX_ALIGNMENT: u64 = 2_000_000_000;

/// One label per line of `text` (as [`crate::line::lines`] splits it):
/// `Some(true)` content, `Some(false)` boilerplate, `None` a line without
/// words (blank or symbols only), which has no say in a word metric, and
/// every line of a page too large to align ([`MAX_ALIGNMENT`]).
pub fn label_lines(text: &[u8], gold: &str) -> Vec<Option<bool>> {
    let mut page: Vec<u64> = Vec::new();
    let mut line_of: Vec<u32> = Vec::new();
    let spans: Vec<_> = crate::line::lines(text).collect();
    for (i, span) in spans.iter().enumerate() {
        let content = String::from_utf8_lossy(span.content(text));
        for_each_word(&content, |w| {
            page.push(word_id(w));
            line_of.push(i as u32);
        });
    }
    let mut gold_ids = Vec::new();
    for_each_word(gold, |w| gold_ids.push(word_id(w)));

    if (page.len() as u64).saturating_mul(gold_ids.len() as u64) > MAX_ALIGNMENT {
        return vec![None; spans.len()];
    }
    let mut matched = vec![0u32; spans.len()];
    let mut total = vec![0u32; spans.len()];
    for &l in &line_of {
        total[l as usize] += 1;
    }
    let ops = capture_diff_slices(Algorithm::Patience, &page, &gold_ids);
    for op in ops {
        if let DiffOp::Equal { old_index, len, .. } = op {
            for &l in &line_of[old_index..old_index + len] {
                matched[l as usize] += 1;
            }
        }
    }
    (0..spans.len())
        .map(|i| (total[i] > 0).then(|| matched[i] as f32 >= MATCHED_SHARE * total[i] as f32))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_follow_the_gold_in_order() {
        let page =
            b"Home\nNews\n\nThe council met at home on Monday.\nShare this\nIt voted to build.\n";
        let gold = "The council met at home on Monday. It voted to build.";
        let labels = label_lines(page, gold);
        assert_eq!(
            labels,
            [
                Some(false),
                Some(false),
                None,
                Some(true),
                Some(false),
                Some(true)
            ]
        );
    }

    #[test]
    fn a_page_too_large_to_align_is_not_labelled() {
        // 50,000 page words and 40,001 gold words: just past the bound, and
        // answered before any alignment is tried.
        let page = "alpha beta\n".repeat(25_000);
        let gold = "alpha ".repeat(40_001);
        const { assert!(50_000u64 * 40_001 > MAX_ALIGNMENT) };
        let labels = label_lines(page.as_bytes(), &gold);
        assert_eq!(labels.len(), 25_000);
        assert!(labels.iter().all(Option::is_none));
        // At the bound it is aligned (distinct words, which align fast).
        let page: String = (0..20_000).map(|i| format!("a{i} b{i}\n")).collect();
        let gold = format!("{page}{}", "more ".repeat(10_000));
        assert_eq!(40_000u64 * 50_000, MAX_ALIGNMENT);
        assert!(label_lines(page.as_bytes(), &gold)
            .iter()
            .all(|l| *l == Some(true)));
    }
}
