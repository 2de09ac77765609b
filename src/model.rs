//! The line model: stacked logistic regressions over the features of
//! `features`, with their weights as data (`src/model/line-model.txt`).
//!
//! Stage 1 scores each line from its own features and a few of its
//! neighbours'. Stage 2 rescores it from its stage-1 log-odds and the stage-1
//! probabilities around it, so that a short doubtful line between two chrome
//! lines goes with them and a short line inside the article stays. Stage 3,
//! when the file has it, does the same once more over the stage-2
//! probabilities ([`STAGE3`]). The weights are trained by `boilerstrip
//! train` (see `train`); the file records on which data.

use crate::error::Error;
use crate::features::{STAGE1, STAGE2, STAGE3};

/// The built-in model's text.
pub const BUILT_IN: &str = include_str!("model/line-model.txt");

/// Weights of the stages and the decision threshold.
#[derive(Clone, Debug, PartialEq)]
pub struct LineModel {
    /// Stage-1 feature names (the `STAGE1` names then `lex:<category>`).
    pub names1: Vec<String>,
    /// Stage-1 weights, one per name.
    pub w1: Vec<f32>,
    /// Stage-2 weights: one per stage-1 name, then one per `STAGE2` name.
    pub w2: Vec<f32>,
    /// Stage-3 weights: one per stage-2 name, then one per [`STAGE3`] name;
    /// empty when the model has no stage 3 (a file without `stage3` lines),
    /// and then stage 2 decides.
    pub w3: Vec<f32>,
    /// A line is kept when its last stage's probability is at least this.
    pub threshold: f32,
    /// Free-text provenance lines (written as `#` comments).
    pub notes: Vec<String>,
}

/// The logistic function.
#[inline]
pub fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// Lanes of [`dot`]'s partial sums.
const LANES: usize = 8;

/// The dot product of a weight vector and a feature row (over the shorter
/// of the two).
///
/// Summed in eight lanes (element `i` into lane `i % 8`), the lanes then
/// added pairwise in a fixed order, and the elements past the last full
/// eight last: one float addition waits for the one before it, so a single
/// running sum over a row of a hundred features took a hundred additions'
/// latency, and the lanes let the processor do eight at once (and the
/// compiler use vector instructions). The order is fixed, so every machine
/// and thread gets the same bits; training uses this same function, so a
/// model is trained with the sums it is used with.
#[inline]
pub fn dot(w: &[f32], x: &[f32]) -> f32 {
    let n = w.len().min(x.len());
    let (w, x) = (&w[..n], &x[..n]);
    let mut lanes = [0.0f32; LANES];
    let mut wc = w.chunks_exact(LANES);
    let mut xc = x.chunks_exact(LANES);
    for (a, b) in (&mut wc).zip(&mut xc) {
        for k in 0..LANES {
            lanes[k] += a[k] * b[k];
        }
    }
    let tail: f32 = wc
        .remainder()
        .iter()
        .zip(xc.remainder())
        .map(|(a, b)| a * b)
        .sum();
    let [a, b, c, d, e, f, g, h] = lanes;
    ((a + e) + (b + f)) + ((c + g) + (d + h)) + tail
}

impl LineModel {
    /// The stage-1 feature names for a lexicon with `categories`.
    pub fn stage1_names(categories: &[String]) -> Vec<String> {
        STAGE1
            .iter()
            .map(|s| s.to_string())
            .chain(categories.iter().map(|c| format!("lex:{c}")))
            .collect()
    }

    /// A model with all weights zero (every line scores 0.5), for training.
    pub fn zeros(categories: &[String]) -> LineModel {
        let names1 = LineModel::stage1_names(categories);
        LineModel {
            w1: vec![0.0; names1.len()],
            w2: vec![0.0; names1.len() + STAGE2.len()],
            w3: vec![0.0; names1.len() + STAGE2.len() + STAGE3.len()],
            names1,
            threshold: 0.5,
            notes: Vec::new(),
        }
    }

    /// The all-zero model for the built-in lexicon's categories: what
    /// training starts from, and what `boilerstrip train` extracts features
    /// with, so that a change of features never needs the old weights.
    pub fn untrained() -> LineModel {
        LineModel::zeros(&crate::rules::built_in_categories())
    }

    /// Parses a model file for a lexicon with `categories` (the built-in
    /// lexicon's categories: user rule categories are hard rules, not
    /// features). Every feature must have exactly one weight.
    ///
    /// The format, one item a line: `# comment`, `threshold VALUE`,
    /// `stage1 NAME WEIGHT`, `stage2 NAME WEIGHT`, `stage3 NAME WEIGHT`.
    /// The `stage3` lines are optional, all or none: a file written before
    /// stage 3 existed has none and reads as a two-stage model.
    pub fn parse(name: &str, text: &str, categories: &[String]) -> Result<LineModel, Error> {
        let mut m = LineModel::zeros(categories);
        m.w1.iter_mut().for_each(|w| *w = f32::NAN);
        m.w2.iter_mut().for_each(|w| *w = f32::NAN);
        m.w3.iter_mut().for_each(|w| *w = f32::NAN);
        let names1 = m.names1.clone();
        let names2: Vec<String> = m.stage2_names().iter().map(|s| s.to_string()).collect();
        let names3: Vec<String> = m.stage3_names();
        let err = |line: usize, message: String| Error::Rules {
            source_name: name.to_string(),
            line,
            message,
        };
        let mut threshold_seen = false;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if let Some(note) = line.strip_prefix('#') {
                m.notes.push(note.trim().to_string());
                continue;
            }
            if line.is_empty() {
                continue;
            }
            let parts: Vec<&str> = line.split_whitespace().collect();
            let value = |s: &str| -> Result<f32, Error> {
                s.parse::<f32>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| err(i + 1, format!("{s:?} is not a number")))
            };
            match parts.as_slice() {
                ["threshold", v] => {
                    if threshold_seen {
                        return Err(err(i + 1, "a second threshold".to_string()));
                    }
                    threshold_seen = true;
                    m.threshold = value(v)?;
                    if !(0.0..=1.0).contains(&m.threshold) {
                        return Err(err(i + 1, format!("threshold {v} is not between 0 and 1")));
                    }
                }
                [stage @ ("stage1" | "stage2" | "stage3"), feature, v] => {
                    let (names, weights) = match *stage {
                        "stage1" => (&names1, &mut m.w1),
                        "stage2" => (&names2, &mut m.w2),
                        _ => (&names3, &mut m.w3),
                    };
                    let Some(j) = names.iter().position(|n| n == feature) else {
                        return Err(err(i + 1, format!("unknown {stage} feature {feature:?}")));
                    };
                    if !weights[j].is_nan() {
                        return Err(err(i + 1, format!("a second weight for {stage} {feature}")));
                    }
                    weights[j] = value(v)?;
                }
                _ => return Err(err(i + 1, format!("cannot read {line:?}"))),
            }
        }
        // A missing weight is found at the end of the file.
        let end = text.lines().count();
        if let Some(j) = m.w1.iter().position(|w| w.is_nan()) {
            return Err(err(
                end,
                format!(
                    "the file ends without a weight for stage1 feature {:?}",
                    m.names1[j]
                ),
            ));
        }
        if let Some(j) = m.w2.iter().position(|w| w.is_nan()) {
            return Err(err(
                end,
                format!(
                    "the file ends without a weight for stage2 feature {:?}",
                    m.stage2_names()[j]
                ),
            ));
        }
        if m.w3.iter().all(|w| w.is_nan()) {
            m.w3.clear();
        } else if let Some(j) = m.w3.iter().position(|w| w.is_nan()) {
            return Err(err(
                end,
                format!(
                    "the file ends without a weight for stage3 feature {:?}",
                    names3[j]
                ),
            ));
        }
        m.notes.retain(|n| !n.is_empty());
        Ok(m)
    }

    /// Stage-2 feature names: the stage-1 names, then [`STAGE2`].
    pub fn stage2_names(&self) -> Vec<&str> {
        self.names1
            .iter()
            .map(|s| s.as_str())
            .chain(STAGE2.iter().copied())
            .collect()
    }

    /// Stage-3 feature names: the stage-2 names, then [`STAGE3`].
    pub fn stage3_names(&self) -> Vec<String> {
        self.stage2_names()
            .into_iter()
            .chain(STAGE3.iter().copied())
            .map(|s| s.to_string())
            .collect()
    }

    /// The model as text, in the format [`LineModel::parse`] reads.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        for n in &self.notes {
            s.push_str(&format!("# {n}\n"));
        }
        s.push_str(&format!("threshold {}\n", self.threshold));
        for (n, w) in self.names1.iter().zip(&self.w1) {
            s.push_str(&format!("stage1 {n} {w:.6}\n"));
        }
        for (n, w) in self.stage2_names().iter().zip(&self.w2) {
            s.push_str(&format!("stage2 {n} {w:.6}\n"));
        }
        for (n, w) in self.stage3_names().iter().zip(&self.w3) {
            s.push_str(&format!("stage3 {n} {w:.6}\n"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CleanerBuilder, Document, LineStats};

    /// [`dot`] as its documentation says it sums, written out plainly.
    fn lanes_oracle(w: &[f32], x: &[f32]) -> f32 {
        let n = w.len().min(x.len());
        let full = n / LANES * LANES;
        let mut lanes = [0.0f32; LANES];
        for i in 0..full {
            lanes[i % LANES] += w[i] * x[i];
        }
        let mut tail = 0.0f32;
        for i in full..n {
            tail += w[i] * x[i];
        }
        ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5]))
            + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]))
            + tail
    }

    proptest::proptest! {
        #[test]
        fn dot_sums_in_lanes_and_is_near_the_exact_sum(
            w in proptest::collection::vec(-4.0f32..4.0, 0..120),
            x in proptest::collection::vec(-4.0f32..4.0, 0..120),
        ) {
            let d = dot(&w, &x);
            proptest::prop_assert_eq!(d.to_bits(), lanes_oracle(&w, &x).to_bits());
            let exact: f64 = w.iter().zip(&x).map(|(&a, &b)| a as f64 * b as f64).sum();
            let scale: f64 = w.iter().zip(&x).map(|(&a, &b)| (a as f64 * b as f64).abs()).sum();
            proptest::prop_assert!((d as f64 - exact).abs() <= 1e-5 * (scale + 1.0));
        }
    }

    fn built_in() -> LineModel {
        LineModel::parse("built-in", BUILT_IN, &crate::rules::built_in_categories()).unwrap()
    }

    /// A page with a menu, an article of several paragraphs and a footer.
    const PAGE: &[u8] = b"Home\nNews\nSport\nWeather\nLocal council approves the new harbour wall\n\
By a staff reporter\nThe council voted on Tuesday to build a new wall along the harbour, after two winters of flooding in the lower town.\n\
Work is expected to begin in the spring and to last about eighteen months, the council said in a statement.\n\
Residents who spoke at the meeting asked for the footpath to stay open while the work goes on.\n\
Share\nTweet\nMore stories\nContact us\nPrivacy policy\n";

    fn scores(model: &str) -> Vec<f32> {
        let cleaner = CleanerBuilder::new().model("test", model).build().unwrap();
        let doc = Document::new(PAGE);
        let mut stats = LineStats::new();
        cleaner.observe(&doc, &mut stats);
        cleaner
            .classify(&doc, &stats)
            .iter()
            .map(|v| v.score)
            .collect()
    }

    #[test]
    fn the_built_in_model_has_three_stages_and_its_text_round_trips() {
        let m = built_in();
        assert_eq!(m.w3.len(), m.w2.len() + STAGE3.len());
        let again = LineModel::parse("again", &m.to_text(), &crate::rules::built_in_categories());
        assert_eq!(again.unwrap(), m);
    }

    #[test]
    fn a_file_without_stage3_lines_is_a_two_stage_model() {
        let text: String = BUILT_IN
            .lines()
            .filter(|l| !l.starts_with("stage3 "))
            .map(|l| format!("{l}\n"))
            .collect();
        let two = LineModel::parse("two", &text, &crate::rules::built_in_categories()).unwrap();
        let three = built_in();
        assert!(two.w3.is_empty());
        assert_eq!((&two.w1, &two.w2), (&three.w1, &three.w2));
        assert!(!two.to_text().contains("stage3 "));
        // Stage 3 that passes stage 2's log-odds through (its weights on the
        // stage-2 row are stage 2's, the others zero) scores every line as
        // the two-stage model does, to the bit.
        let mut pass = two.clone();
        pass.w3 = two.w2.clone();
        pass.w3.resize(two.w2.len() + STAGE3.len(), 0.0);
        assert_eq!(scores(&text), scores(&pass.to_text()));
        // And the trained stage 3 does move the scores.
        assert_ne!(scores(&text), scores(BUILT_IN));
    }

    #[test]
    fn stage3_lines_are_all_or_none() {
        let last = BUILT_IN
            .lines()
            .rfind(|l| l.starts_with("stage3 "))
            .unwrap();
        let text = BUILT_IN.replacen(&format!("{last}\n"), "", 1);
        let err = LineModel::parse("partial", &text, &crate::rules::built_in_categories())
            .unwrap_err()
            .to_string();
        let end = text.lines().count();
        assert!(err.starts_with(&format!("partial:{end}: ")), "{err}");
        assert!(
            err.contains("ends without a weight for stage3 feature"),
            "{err}"
        );
        let unknown = format!("{BUILT_IN}stage3 no_such_feature 1.0\n");
        assert!(
            LineModel::parse("unknown", &unknown, &crate::rules::built_in_categories()).is_err()
        );
    }

    #[test]
    fn a_second_value_or_a_threshold_out_of_range_is_an_error_at_its_line() {
        let lines = BUILT_IN.lines().count();
        let bias = BUILT_IN
            .lines()
            .find(|l| l.starts_with("stage1 bias"))
            .unwrap();
        for (extra, says) in [
            (bias.to_string(), "a second weight for stage1 bias"),
            ("threshold 0.4".to_string(), "a second threshold"),
        ] {
            let text = format!("{BUILT_IN}{extra}\n");
            let e = LineModel::parse("m", &text, &crate::rules::built_in_categories())
                .unwrap_err()
                .to_string();
            assert!(e.starts_with(&format!("m:{}: ", lines + 1)), "{e}");
            assert!(e.contains(says), "{e}");
        }
        for bad in ["threshold 7", "threshold -0.1"] {
            let text = BUILT_IN.replacen("threshold 0.5", bad, 1);
            assert_ne!(text, BUILT_IN);
            let e = LineModel::parse("m", &text, &crate::rules::built_in_categories())
                .unwrap_err()
                .to_string();
            assert!(e.contains("is not between 0 and 1"), "{e}");
        }
    }
}
