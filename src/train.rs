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
use crate::features::{stage2, stage3, Scratch, STAGE2, STAGE3};
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
        let width = cleaner.model().w1.len();
        let per_page: Vec<(Vec<f32>, Vec<f32>, Vec<f32>)> = corpus
            .par_iter()
            .map_init(Scratch::default, |s, e| {
                let doc = Document {
                    text: e.text,
                    site: e.site,
                };
                cleaner.stage1_rows(&doc, &stats, s);
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

    /// Lines that weigh in training (lines with words), as (labelled
    /// content, labelled boilerplate).
    pub fn labelled(&self) -> (usize, usize) {
        let mut counts = (0, 0);
        for (&y, &w) in self.y.iter().zip(&self.weight) {
            if w > 0.0 {
                if y > 0.5 {
                    counts.0 += 1;
                } else {
                    counts.1 += 1;
                }
            }
        }
        counts
    }

    /// Why a model cannot be trained on these rows, if it cannot: a logistic
    /// regression needs lines of both labels. Without lines labelled content
    /// (no pages, or gold texts that share no words with them) every weight
    /// would stay 0 or the bias run off towards dropping everything; without
    /// boilerplate, towards keeping everything.
    pub fn problem(&self) -> Option<String> {
        match self.labelled() {
            (0, 0) => Some("no line with words to learn from".to_string()),
            (0, b) => Some(format!(
                "no line labelled content ({b} boilerplate): do the gold texts share words with the pages?"
            )),
            (c, 0) => Some(format!("no line labelled boilerplate ({c} content)")),
            _ => None,
        }
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
    /// (a lexicon category seen on a handful of lines) from running away and
    /// the Newton system well conditioned.
    pub l2: f64,
    /// Newton steps at most per stage. The weighted logistic loss is convex
    /// and on the evaluation sets the steps shrink below [`TOLERANCE`] within
    /// 8 to 12 iterations.
    pub max_steps: usize,
}

/// Training stops when no weight moves by more than this in a step.
pub const TOLERANCE: f64 = 1e-5;

impl Default for TrainOptions {
    fn default() -> TrainOptions {
        TrainOptions {
            l2: 1e-4,
            max_steps: 30,
        }
    }
}

/// Weighted logistic loss, gradient and Hessian over the rows with a
/// non-zero weight, summed per fixed chunk and then in chunk order.
fn loss_grad_hessian(
    x: &[f32],
    width: usize,
    y: &[f32],
    w: &[f32],
    rows: &[u32],
    theta: &[f64],
    with_hessian: bool,
) -> (f64, Vec<f64>, Vec<f64>) {
    let theta32: Vec<f32> = theta.iter().map(|&t| t as f32).collect();
    let parts: Vec<(f64, Vec<f64>, Vec<f64>)> = rows
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut loss = 0.0f64;
            let mut g = vec![0.0f64; width];
            let mut h = if with_hessian {
                vec![0.0f64; width * width]
            } else {
                Vec::new()
            };
            for &i in chunk {
                let i = i as usize;
                let row = &x[i * width..(i + 1) * width];
                let z = dot(&theta32, row) as f64;
                let p = 1.0 / (1.0 + (-z).exp());
                let wi = w[i] as f64;
                let yi = y[i] as f64;
                // log(1 + e^z) - y z, computed stably.
                let softplus = if z > 0.0 {
                    z + (-z).exp().ln_1p()
                } else {
                    z.exp().ln_1p()
                };
                loss += wi * (softplus - yi * z);
                let e = wi * (p - yi);
                for (gj, &xj) in g.iter_mut().zip(row) {
                    *gj += e * xj as f64;
                }
                if with_hessian {
                    let d = wi * p * (1.0 - p);
                    for (a, &xa) in row.iter().enumerate() {
                        if xa == 0.0 {
                            continue;
                        }
                        let da = d * xa as f64;
                        let ha = &mut h[a * width..(a + 1) * width];
                        for (hb, &xb) in ha[a..].iter_mut().zip(&row[a..]) {
                            *hb += da * xb as f64;
                        }
                    }
                }
            }
            (loss, g, h)
        })
        .collect();
    let mut loss = 0.0;
    let mut g = vec![0.0; width];
    let mut h = vec![0.0; if with_hessian { width * width } else { 0 }];
    for (l, gp, hp) in parts {
        loss += l;
        g.iter_mut().zip(gp).for_each(|(a, b)| *a += b);
        h.iter_mut().zip(hp).for_each(|(a, b)| *a += b);
    }
    (loss, g, h)
}

/// Solves `h · d = g` for a symmetric positive definite `h` (upper triangle
/// filled) by Cholesky decomposition.
fn solve(h: &mut [f64], g: &[f64], n: usize) -> Vec<f64> {
    for a in 0..n {
        for b in 0..a {
            h[a * n + b] = h[b * n + a];
        }
    }
    let mut l = vec![0.0f64; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut sum = h[i * n + j];
            for k in 0..j {
                sum -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                l[i * n + i] = sum.max(1e-12).sqrt();
            } else {
                l[i * n + j] = sum / l[j * n + j];
            }
        }
    }
    let mut z = vec![0.0f64; n];
    for i in 0..n {
        let mut sum = g[i];
        for k in 0..i {
            sum -= l[i * n + k] * z[k];
        }
        z[i] = sum / l[i * n + i];
    }
    let mut d = vec![0.0f64; n];
    for i in (0..n).rev() {
        let mut sum = z[i];
        for k in i + 1..n {
            sum -= l[k * n + i] * d[k];
        }
        d[i] = sum / l[i * n + i];
    }
    d
}

/// Fits a logistic regression by Newton's method with step halving: rows of
/// `width` values in `x`, labels `y` in {0, 1}, row weights `w`. Returns the
/// weights; the first feature is the bias, which is not penalised.
pub fn fit(x: &[f32], width: usize, y: &[f32], w: &[f32], opts: &TrainOptions) -> Vec<f32> {
    let rows: Vec<u32> = (0..y.len() as u32)
        .filter(|&i| w[i as usize] > 0.0)
        .collect();
    let total: f64 = rows
        .iter()
        .map(|&i| w[i as usize] as f64)
        .sum::<f64>()
        .max(1e-12);
    let objective = |theta: &[f64], loss: f64| -> f64 {
        loss / total + 0.5 * opts.l2 * theta[1..].iter().map(|t| t * t).sum::<f64>()
    };
    let mut theta = vec![0.0f64; width];
    for _ in 0..opts.max_steps {
        let (loss, mut g, mut h) = loss_grad_hessian(x, width, y, w, &rows, &theta, true);
        let current = objective(&theta, loss);
        for j in 0..width {
            g[j] /= total;
            if j > 0 {
                g[j] += opts.l2 * theta[j];
            }
        }
        for a in 0..width {
            for b in a..width {
                h[a * width + b] /= total;
            }
            if a > 0 {
                h[a * width + a] += opts.l2;
            }
            // A feature that is zero on every row has a zero row in the Hessian.
            h[a * width + a] += 1e-9;
        }
        let d = solve(&mut h, &g, width);
        let mut step = 1.0;
        loop {
            let next: Vec<f64> = theta.iter().zip(&d).map(|(t, d)| t - step * d).collect();
            let (loss, _, _) = loss_grad_hessian(x, width, y, w, &rows, &next, false);
            if objective(&next, loss) <= current + 1e-12 || step < 1e-3 {
                theta = next;
                break;
            }
            step *= 0.5;
        }
        if d.iter().map(|v| (v * step).abs()).fold(0.0, f64::max) < TOLERANCE {
            break;
        }
    }
    theta.iter().map(|&t| t as f32).collect()
}

/// Trains the three stages on `data` and returns the model, its threshold 0.5
/// and `notes` as provenance.
pub fn train(data: &TrainingData, opts: &TrainOptions, notes: Vec<String>) -> LineModel {
    let mut model = LineModel::untrained();
    model.w1 = fit(&data.x1, data.width, &data.y, &data.weight, opts);
    let width2 = data.width + STAGE2.len();
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
        let x1 = &data.x1[r.start * data.width..r.end * data.width];
        stage2(x1, data.width, &p, model.threshold, &mut buf);
        x2.extend_from_slice(&buf);
    }
    model.w2 = fit(&x2, width2, &data.y, &data.weight, opts);
    // Stage 3 over the stage-2 rows and probabilities of the same pages:
    // each row is the stage-2 row, then the [`STAGE3`] features.
    let width3 = width2 + STAGE3.len();
    let mut x3 = Vec::with_capacity(data.rows() * width3);
    for r in &data.pages {
        let p: Vec<f32> = (r.clone())
            .map(|i| sigmoid(dot(&model.w2, &x2[i * width2..(i + 1) * width2])))
            .collect();
        let rows2 = &x2[r.start * width2..r.end * width2];
        stage3(&p, rows2, width2, model.threshold, &mut buf);
        for (i, row) in r.clone().zip(buf.chunks_exact(STAGE3.len())) {
            x3.extend_from_slice(&x2[i * width2..(i + 1) * width2]);
            x3.extend_from_slice(row);
        }
    }
    model.w3 = fit(&x3, width3, &data.y, &data.weight, opts);
    model.notes = notes;
    model
}
