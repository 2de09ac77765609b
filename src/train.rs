//! Training the line model from pages with human-made gold text.
//!
//! Each page's lines are labelled by aligning its words with the gold
//! (`label`), the features are those the cleaner computes, and each stage is
//! a logistic regression fitted by full-batch gradient descent (Adam) with an
//! L2 penalty. Every line weighs by its share of the page's words: the
//! benchmark metric is a word F1 averaged over pages, so a long paragraph
//! matters more than a menu item, and a long page no more than a short one.
//!
//! Training is deterministic: gradients are summed over fixed chunks in a
//! fixed order, whatever the thread count.

use std::ops::Range;

use rayon::prelude::*;

use crate::cleaner::Cleaner;
use crate::features::{gather, stage1, stage2, Scratch, Stopwords, STAGE2};
use crate::label::label_lines;
use crate::model::{dot, sigmoid, LineModel};
use crate::stats::LineStats;
use crate::Document;

/// One page with its gold text.
#[derive(Clone, Copy, Debug)]
pub struct Example<'a> {
    /// The page as scraped.
    pub text: &'a [u8],
    /// Its site, for per-site statistics.
    pub site: Option<&'a str>,
    /// The main content as a human extracted it.
    pub gold: &'a str,
}

/// Stage-1 feature rows, labels and weights of the non-blank lines of many
/// pages.
#[derive(Clone, Debug, Default)]
pub struct TrainingData {
    width: usize,
    x1: Vec<f32>,
    y: Vec<f32>,
    weight: Vec<f32>,
    pages: Vec<Range<usize>>,
}

/// The gradient of one chunk is summed in a fixed order, so results do not
/// depend on the thread count.
const CHUNK: usize = 1 << 14;

impl TrainingData {
    /// Lines (rows) held.
    pub fn rows(&self) -> usize {
        self.y.len()
    }

    /// Pages held.
    pub fn pages(&self) -> usize {
        self.pages.len()
    }

    /// Gathers the rows of one corpus: pass 1 over all its pages, then the
    /// features and labels of each page.
    pub fn collect(cleaner: &Cleaner, corpus: &[Example<'_>]) -> TrainingData {
        let stats = corpus
            .par_iter()
            .fold(LineStats::new, |mut s, e| {
                cleaner.observe(
                    &Document {
                        text: e.text,
                        site: e.site,
                    },
                    &mut s,
                );
                s
            })
            .reduce(LineStats::new, |a, b| a + b);
        let stopwords = Stopwords::built_in();
        let categories = crate::rules::BUILT_IN.len();
        let width = cleaner.model().w1.len();
        let per_page: Vec<(Vec<f32>, Vec<f32>, Vec<f32>)> = corpus
            .par_iter()
            .map_init(Scratch::default, |s, e| {
                gather(e.text, e.site, &stats, cleaner.rules(), &stopwords, s);
                stage1(
                    &s.infos,
                    stats.documents(),
                    categories,
                    cleaner.rules(),
                    &mut s.content,
                    &mut s.x1,
                );
                let labels = label_lines(e.text, e.gold);
                let page_words: u32 = s.content.iter().map(|&i| s.infos[i].words).sum();
                let mut y = Vec::with_capacity(s.content.len());
                let mut w = Vec::with_capacity(s.content.len());
                for &i in &s.content {
                    let words = s.infos[i].words as f32;
                    match labels[i] {
                        Some(l) => {
                            y.push(l as u8 as f32);
                            w.push(words / page_words.max(1) as f32);
                        }
                        None => {
                            y.push(0.0);
                            w.push(0.0);
                        }
                    }
                }
                (s.x1.clone(), y, w)
            })
            .collect();
        let mut data = TrainingData {
            width,
            ..TrainingData::default()
        };
        for (x, y, w) in per_page {
            let start = data.y.len();
            data.x1.extend_from_slice(&x);
            data.y.extend_from_slice(&y);
            data.weight.extend_from_slice(&w);
            data.pages.push(start..data.y.len());
        }
        data
    }

    /// Appends another set's rows.
    pub fn append(&mut self, other: &TrainingData) {
        assert!(self.width == 0 || self.width == other.width);
        self.width = other.width;
        let base = self.y.len();
        self.x1.extend_from_slice(&other.x1);
        self.y.extend_from_slice(&other.y);
        self.weight.extend_from_slice(&other.weight);
        self.pages
            .extend(other.pages.iter().map(|r| r.start + base..r.end + base));
    }
}

/// Settings of [`train`].
#[derive(Clone, Debug)]
pub struct TrainOptions {
    /// L2 penalty on the weights (not the bias). 1e-4: small enough not to
    /// bias well-supported weights, large enough to keep rare features
    /// (a lexicon category seen on a handful of lines) from running away.
    pub l2: f32,
    /// Gradient steps per stage. 600: the loss changes by less than 0.1 % over
    /// the last hundred steps on the evaluation sets.
    pub steps: usize,
    /// Adam's step size.
    pub learning_rate: f32,
}

impl Default for TrainOptions {
    fn default() -> TrainOptions {
        TrainOptions {
            l2: 1e-4,
            steps: 600,
            learning_rate: 0.05,
        }
    }
}

/// Fits a logistic regression: rows of `width` values in `x`, labels `y` in
/// {0, 1}, row weights `w`. Returns the weights; the first feature is the bias.
pub fn fit(x: &[f32], width: usize, y: &[f32], w: &[f32], opts: &TrainOptions) -> Vec<f32> {
    let n = y.len();
    let total: f32 = w.iter().sum::<f32>().max(1e-9);
    let mut theta = vec![0.0f32; width];
    let mut m = vec![0.0f32; width];
    let mut v = vec![0.0f32; width];
    let (b1, b2, eps) = (0.9f32, 0.999f32, 1e-8f32);
    for step in 1..=opts.steps {
        let chunks: Vec<Vec<f64>> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let mut g = vec![0.0f64; width];
                for i in c * CHUNK..((c + 1) * CHUNK).min(n) {
                    if w[i] == 0.0 {
                        continue;
                    }
                    let row = &x[i * width..(i + 1) * width];
                    let err = (sigmoid(dot(&theta, row)) - y[i]) * w[i];
                    for (gj, xj) in g.iter_mut().zip(row) {
                        *gj += (err * xj) as f64;
                    }
                }
                g
            })
            .collect();
        let mut grad = vec![0.0f64; width];
        for g in chunks {
            for (a, b) in grad.iter_mut().zip(g) {
                *a += b;
            }
        }
        for j in 0..width {
            let mut gj = (grad[j] / total as f64) as f32;
            if j > 0 {
                gj += opts.l2 * theta[j];
            }
            m[j] = b1 * m[j] + (1.0 - b1) * gj;
            v[j] = b2 * v[j] + (1.0 - b2) * gj * gj;
            let mh = m[j] / (1.0 - b1.powi(step as i32));
            let vh = v[j] / (1.0 - b2.powi(step as i32));
            theta[j] -= opts.learning_rate * mh / (vh.sqrt() + eps);
        }
    }
    theta
}

/// Trains both stages on `data` and returns the model, its threshold 0.5
/// and `notes` as provenance.
pub fn train(data: &TrainingData, opts: &TrainOptions, notes: Vec<String>) -> LineModel {
    let categories: Vec<String> = crate::rules::BUILT_IN
        .iter()
        .map(|(c, _)| c.to_string())
        .collect();
    let mut model = LineModel::zeros(&categories);
    model.w1 = fit(&data.x1, data.width, &data.y, &data.weight, opts);
    let width2 = STAGE2.len();
    let mut x2 = Vec::with_capacity(data.rows() * width2);
    let mut buf = Vec::new();
    for r in &data.pages {
        let p: Vec<f32> = (r.clone())
            .map(|i| {
                sigmoid(dot(
                    &model.w1,
                    &data.x1[i * data.width..(i + 1) * data.width],
                ))
            })
            .collect();
        stage2(&p, model.threshold, &mut buf);
        x2.extend_from_slice(&buf);
    }
    model.w2 = fit(&x2, width2, &data.y, &data.weight, opts);
    model.notes = notes;
    model
}
