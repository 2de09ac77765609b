//! Stage 3: the stage-2 row with the stage-2 probabilities read around the
//! line, and the run of dropped lines it is in.

use super::stage1::{b, stage1_column, words_of, WORDS_LE5};
use super::{mean_around, prefix_sums};

/// Stage-3 feature names beyond the stage-2 row (which stage 3 sees too):
/// the stage-2 probabilities read the way stage 2 reads stage 1's, the
/// line's stage-2 log-odds, its neighbours' stage-2 probabilities, window
/// means, before the first / after the last likely content line by
/// stage 2, and the run of dropped lines the line is in (`Runs`). A line's
/// neighbours are decided better than at stage 1, so a doubtful line is
/// judged by surer neighbours.
pub const STAGE3: &[&str] = &[
    "own_logit_s2",
    "prev_p_s2",
    "next_p_s2",
    "prev2_p_s2",
    "next2_p_s2",
    "win3_p_s2",
    "win8_p_s2",
    "win20_p_s2",
    "after_last_content_s2",
    "before_first_content_s2",
    "run_inside",
    "run_lines_log",
    "run_words_log",
    "run_mean_p_s2",
    "run_rim_p_s2",
    "run_lex_share",
    "run_repeat_share",
    "run_time_share",
    "run_short_share",
    "run_side_log",
    "run_end_punct_share",
    "run_max_p_s2",
];

/// How many [`STAGE3`] values describe the run a line is in (`Runs`).
const RUN_FEATURES: usize = 12;

/// The runs of lines stage 2 dropped with lines it kept on both sides: the
/// content most often lost inside an article is a run (a list of names, a
/// code listing, a spec table), and so is chrome inside it (a related box,
/// a comment's byline and text, a gallery's captions). What the run is
/// made of tells them apart better than each line alone: a run with a
/// lexicon or site-repeated line, or with dated lines (comment bylines),
/// is chrome; a run of short lines the model was nearly sure of, between
/// kept lines it was sure of, is a list. The values: the run's lines and
/// words (log), its mean stage-2 probability, the mean of the two kept
/// lines that bound it, its shares of lines with a lexicon phrase, seen on
/// another page of the site, with a time or date, of at most five words
/// (the stage-1 `words_le5` cut) and ending a sentence, ln(1 + the kept
/// words on its thinner side), and its highest stage-2 probability (a run
/// whose best line was nearly kept is not the same as a run of equally
/// doubtful lines with the same mean). No threshold of their own: runs are cut at
/// the model's threshold, and the weights come from training.
struct Runs {
    /// Each run's first line, its end, and its [`RUN_FEATURES`] values, in
    /// order; lines in no run have zeros. (Runs rather than a row a line:
    /// most lines are in none, and a zeroed row a line was an allocation
    /// and a fill a page.)
    runs: Vec<(usize, usize, [f32; RUN_FEATURES])>,
}

impl Runs {
    fn of(p: &[f32], x2: &[f32], width2: usize, words: &[f64], threshold: f32) -> Runs {
        let n = p.len();
        let mut runs = Vec::new();
        let col = |k: usize, c: usize| x2[k * width2 + c];
        let kept_words = |k: usize| if p[k] >= threshold { words[k] } else { 0.0 };
        // The words of the kept lines: all of them, and those above the
        // line at hand. Summed in line order, as the prefix sums they
        // replace were (adding the +0.0 of a dropped line changes no sum).
        let total: f64 = (0..n).fold(0.0, |t, k| t + kept_words(k));
        let mut above = 0.0f64;
        let mut i = 0;
        while i < n {
            if p[i] >= threshold {
                above += words[i];
                i += 1;
                continue;
            }
            let j = (i..n).find(|&j| p[j] >= threshold).unwrap_or(n);
            if i > 0 && j < n {
                let len = (j - i) as f32;
                let share =
                    |f: &dyn Fn(usize) -> bool| (i..j).filter(|&k| f(k)).count() as f32 / len;
                let run_words: f64 = words[i..j].iter().sum();
                let row = [
                    1.0,
                    len.ln_1p(),
                    (run_words as f32).ln_1p(),
                    p[i..j].iter().sum::<f32>() / len,
                    (p[i - 1] + p[j]) / 2.0,
                    share(&|k| col(k, LEX_WHOLE) > 0.0 || col(k, LEX_CONTAINED) > 0.0),
                    share(&|k| col(k, SITE_DF_GE2) > 0.0),
                    share(&|k| col(k, HAS_TIME) > 0.0 || col(k, DATE_LIKE) > 0.0),
                    share(&|k| col(k, WORDS_LE5) > 0.0),
                    // The kept words above the run and below it (the run's
                    // lines are dropped, so those above its end are those
                    // above its start).
                    (above.min(total - above) as f32).ln_1p(),
                    share(&|k| col(k, END_PUNCT) > 0.0),
                    p[i..j].iter().copied().fold(0.0, f32::max),
                ];
                runs.push((i, j, row));
            }
            i = j;
        }
        Runs { runs }
    }
}

const LEX_WHOLE: usize = stage1_column("lex_whole");
const LEX_CONTAINED: usize = stage1_column("lex_contained");
const SITE_DF_GE2: usize = stage1_column("site_df_ge2");
const HAS_TIME: usize = stage1_column("has_time");
const DATE_LIKE: usize = stage1_column("date_like");
const END_PUNCT: usize = stage1_column("end_punct");

/// The [`STAGE3`] features, into `out`, one row of `STAGE3.len()` values a
/// line, from the stage-2 probabilities `p` (one per non-blank line) and
/// the stage-2 rows `x2` (`width2` values a row, each starting with the
/// line's stage-1 row, which the run features read). The
/// stage-2 row that stage 3 also sees is not copied: the model takes the
/// two parts' dot products apart.
pub fn stage3(p: &[f32], x2: &[f32], width2: usize, threshold: f32, out: &mut Vec<f32>) {
    let words: Vec<f64> = (0..p.len()).map(|k| words_of(x2, width2, k)).collect();
    stage3_words(p, x2, width2, &words, threshold, out);
}

/// [`stage3`] with each line's words given (`words_of` of its row), as
/// [`stage2_words`](super::stage2_words) leaves them: undoing `words_log` again took an `exp_m1`
/// a line.
pub(crate) fn stage3_words(
    p: &[f32],
    x2: &[f32],
    width2: usize,
    words: &[f64],
    threshold: f32,
    out: &mut Vec<f32>,
) {
    out.clear();
    let n = p.len();
    let runs = Runs::of(p, x2, width2, words, threshold);
    let mut run = runs.runs.iter().peekable();
    let first = p.iter().position(|&x| x >= threshold);
    let last = p.iter().rposition(|&x| x >= threshold);
    let sums = prefix_sums(n, p.iter().map(|&x| [x]));
    let at = |j: usize| -> f32 { p.get(j).copied().unwrap_or(0.0) };
    for (k, &pk) in p.iter().enumerate() {
        let win = |r: usize| mean_around(&sums, pk, k, r);
        let q = pk.clamp(1e-4, 1.0 - 1e-4);
        out.extend_from_slice(&[
            (q / (1.0 - q)).ln(),
            if k >= 1 { at(k - 1) } else { 0.0 },
            at(k + 1),
            if k >= 2 { at(k - 2) } else { 0.0 },
            at(k + 2),
            win(3),
            win(8),
            win(20),
            b(last.is_some_and(|l| k > l)),
            b(first.is_some_and(|f| k < f)),
        ]);
        while run.next_if(|r| r.1 <= k).is_some() {}
        match run.peek() {
            Some((i, _, row)) if *i <= k => out.extend_from_slice(row),
            _ => out.extend_from_slice(&[0.0; RUN_FEATURES]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::stage1::WORDS_LOG;
    use crate::features::STAGE1;

    #[test]
    fn stage3_reads_the_stage2_probabilities_around_a_line() {
        let p = [0.1f32, 0.9, 0.8, 0.2, 0.7, 0.1];
        let mut out = Vec::new();
        let w2 = STAGE1.len();
        stage3(&p, &vec![0.0; p.len() * w2], w2, 0.5, &mut out);
        let w = STAGE3.len();
        assert_eq!(out.len(), p.len() * w);
        let get =
            |k: usize, name: &str| out[k * w + STAGE3.iter().position(|&n| n == name).unwrap()];
        assert!((get(2, "own_logit_s2") - (0.8f32 / 0.2).ln()).abs() < 1e-5);
        assert_eq!(get(2, "prev_p_s2"), 0.9);
        assert_eq!(get(2, "next_p_s2"), 0.2);
        assert_eq!(get(2, "prev2_p_s2"), 0.1);
        assert_eq!(get(2, "next2_p_s2"), 0.7);
        assert_eq!(get(0, "prev_p_s2"), 0.0);
        assert_eq!(get(5, "next2_p_s2"), 0.0);
        // The other lines within three of line 2: all but line 2 itself.
        assert!((get(2, "win3_p_s2") - (0.1 + 0.9 + 0.2 + 0.7 + 0.1) / 5.0).abs() < 1e-6);
        assert_eq!(get(0, "before_first_content_s2"), 1.0);
        assert_eq!(get(1, "before_first_content_s2"), 0.0);
        assert_eq!(get(5, "after_last_content_s2"), 1.0);
        assert_eq!(get(4, "after_last_content_s2"), 0.0);
        // A page of one line has no neighbours.
        stage3(&[0.6], &vec![0.0; w2], w2, 0.5, &mut out);
        assert_eq!(out.len(), w);
        assert_eq!(
            out[STAGE3.iter().position(|&n| n == "win20_p_s2").unwrap()],
            0.0
        );
    }

    #[test]
    fn stage3_describes_the_dropped_run_a_line_is_in() {
        // Lines 0 and 4 kept by stage 2; 1..4 a run between them; 5 a
        // dropped tail with nothing kept below, which is no run.
        let p = [0.9f32, 0.2, 0.4, 0.3, 0.8, 0.1];
        let w2 = STAGE1.len();
        let mut x2 = vec![0.0f32; p.len() * w2];
        let words = [100.0f32, 3.0, 12.0, 4.0, 40.0, 2.0];
        for (k, w) in words.iter().enumerate() {
            x2[k * w2 + WORDS_LOG] = w.ln_1p();
        }
        x2[w2 + LEX_CONTAINED] = 1.0;
        x2[2 * w2 + END_PUNCT] = 1.0;
        x2[3 * w2 + HAS_TIME] = 1.0;
        x2[w2 + WORDS_LE5] = 1.0;
        x2[3 * w2 + WORDS_LE5] = 1.0;
        let mut out = Vec::new();
        stage3(&p, &x2, w2, 0.5, &mut out);
        let w = STAGE3.len();
        let get =
            |k: usize, name: &str| out[k * w + STAGE3.iter().position(|&n| n == name).unwrap()];
        for k in 1..4 {
            assert_eq!(get(k, "run_inside"), 1.0);
            assert!((get(k, "run_lines_log") - 3.0f32.ln_1p()).abs() < 1e-5);
            assert!((get(k, "run_words_log") - 19.0f32.ln_1p()).abs() < 1e-3);
            assert!((get(k, "run_mean_p_s2") - 0.3).abs() < 1e-6);
            assert!((get(k, "run_rim_p_s2") - 0.85).abs() < 1e-6);
            assert!((get(k, "run_lex_share") - 1.0 / 3.0).abs() < 1e-6);
            assert!((get(k, "run_time_share") - 1.0 / 3.0).abs() < 1e-6);
            assert!((get(k, "run_short_share") - 2.0 / 3.0).abs() < 1e-6);
            assert!((get(k, "run_end_punct_share") - 1.0 / 3.0).abs() < 1e-6);
            assert_eq!(get(k, "run_repeat_share"), 0.0);
            assert!((get(k, "run_max_p_s2") - 0.4).abs() < 1e-6);
            // The thinner side: 40 kept words below against 100 above.
            assert!((get(k, "run_side_log") - 40.0f32.ln_1p()).abs() < 1e-3);
        }
        // Kept lines and the dropped tail are in no run.
        for k in [0, 4, 5] {
            let first = STAGE3.iter().position(|&n| n == "run_inside").unwrap();
            assert!(out[k * w + first..(k + 1) * w].iter().all(|&v| v == 0.0));
        }
    }
}
