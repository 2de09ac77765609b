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

use std::time::{Duration, Instant};

use similar::{capture_diff_slices_deadline, Algorithm, DiffOp};

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

/// A time limit on one page's alignment. Pages of the evaluation sets align in
/// well under 50 ms; the limit only guards against pathological inputs, after
/// which `similar` falls back to a coarser diff.
const DEADLINE: Duration = Duration::from_secs(2);

/// One label per line of `text` (as [`crate::line::lines`] splits it):
/// `Some(true)` content, `Some(false)` boilerplate, `None` a line without
/// words (blank or symbols only), which has no say in a word metric.
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

    let mut matched = vec![0u32; spans.len()];
    let mut total = vec![0u32; spans.len()];
    for &l in &line_of {
        total[l as usize] += 1;
    }
    let ops = capture_diff_slices_deadline(
        Algorithm::Patience,
        &page,
        &gold_ids,
        Some(Instant::now() + DEADLINE),
    );
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
}
