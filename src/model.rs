//! The line model: two stacked logistic regressions over the features of
//! `features`, with their weights as data (`src/model/line-model.txt`).
//!
//! Stage 1 scores each line from its own features and a few of its
//! neighbours'. Stage 2 rescores it from its stage-1 log-odds and the stage-1
//! probabilities around it, so that a short doubtful line between two chrome
//! lines goes with them and a short line inside the article stays. The
//! weights are trained by `boilerstrip train` (see `train`); the file records
//! on which data.

use crate::error::Error;
use crate::features::{STAGE1, STAGE2};

/// The built-in model's text.
pub const BUILT_IN: &str = include_str!("model/line-model.txt");

/// Weights of both stages and the decision threshold.
#[derive(Clone, Debug, PartialEq)]
pub struct LineModel {
    /// Stage-1 feature names (the `STAGE1` names then `lex:<category>`).
    pub names1: Vec<String>,
    /// Stage-1 weights, one per name.
    pub w1: Vec<f32>,
    /// Stage-2 weights: one per stage-1 name, then one per `STAGE2` name.
    pub w2: Vec<f32>,
    /// A line is kept when its stage-2 probability is at least this.
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
    /// `stage1 NAME WEIGHT`, `stage2 NAME WEIGHT`.
    pub fn parse(name: &str, text: &str, categories: &[String]) -> Result<LineModel, Error> {
        let mut m = LineModel::zeros(categories);
        m.w1.iter_mut().for_each(|w| *w = f32::NAN);
        m.w2.iter_mut().for_each(|w| *w = f32::NAN);
        let names1 = m.names1.clone();
        let names2: Vec<String> = m.stage2_names().iter().map(|s| s.to_string()).collect();
        let err = |line: usize, message: String| Error::Rules {
            source_name: name.to_string(),
            line,
            message,
        };
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
                ["threshold", v] => m.threshold = value(v)?,
                [stage @ ("stage1" | "stage2"), feature, v] => {
                    let (names, weights) = if *stage == "stage1" {
                        (&names1, &mut m.w1)
                    } else {
                        (&names2, &mut m.w2)
                    };
                    let Some(j) = names.iter().position(|n| n == feature) else {
                        return Err(err(i + 1, format!("unknown {stage} feature {feature:?}")));
                    };
                    weights[j] = value(v)?;
                }
                _ => return Err(err(i + 1, format!("cannot read {line:?}"))),
            }
        }
        if let Some(j) = m.w1.iter().position(|w| w.is_nan()) {
            return Err(err(
                0,
                format!("no weight for stage1 feature {:?}", m.names1[j]),
            ));
        }
        if let Some(j) = m.w2.iter().position(|w| w.is_nan()) {
            return Err(err(
                0,
                format!("no weight for stage2 feature {:?}", m.stage2_names()[j]),
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
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
