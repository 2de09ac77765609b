//! The cleaner: settings and rules built once into an immutable, cheaply
//! cloned [`Cleaner`] that runs pass 1 ([`Cleaner::observe`]) and pass 2
//! ([`Cleaner::classify`]) on one document at a time. Pass 2 scores each line
//! with the model, then applies the post-rules (`post`) to the page's
//! verdicts.

use std::cell::RefCell;
use std::path::Path;
use std::sync::Arc;

use crate::error::Error;
use crate::features::{
    gather, group_of, stage1, stage2_words, stage3_words, words_back, Group, LineInfo, Scratch,
    WordTable,
};
use crate::line::LineSpan;
use crate::model::{dot, sigmoid, LineModel};
use crate::rules::{RuleSet, RuleSetBuilder};
use crate::stats::LineStats;
use crate::verdict::{Cause, Verdict};

mod post;

use post::{
    headline, keep_enclosed, keep_some_prose, lists_in_prose, rescue_recall, sandwich,
    site_template, tables,
};
pub use post::{
    ENCLOSED_MIN_SCORE, ENCLOSED_MIN_WORDS, RESCUE_MAX_KEPT_SHARE, SANDWICH_MAX_WORDS,
    SITE_TEMPLATE_MIN_DOCS, SITE_TEMPLATE_MIN_WORDS, TABLE_MIN_ROWS,
};

/// Lines longer than this (in bytes, without the line end) are passed
/// through unchanged and not classified: [`Cleaner::observe`] does not count
/// them and [`Cleaner::classify`] judges the lines around them as if they were
/// blank, then keeps them with the cause [`Cause::TooLong`]. A text dump's
/// lines are paragraphs (the longest line of the 4,850 evaluation pages is
/// 33 KB, in WCXB dev); a line 30 times that is a page with no line
/// structure or an embedded blob, which a line filter has nothing to say
/// about, and normalising and matching it would cost time for nothing.
pub const MAX_LINE: usize = 1 << 20;

/// Whether the line at `span` is over [`MAX_LINE`].
fn too_long(span: &LineSpan) -> bool {
    span.content_end - span.start > MAX_LINE
}

/// `text` with the content of every line longer than [`MAX_LINE`] left out
/// (its line end kept, or `\n` for a last line without one, so that the
/// lines stay the same in number), and the indices of those lines; `None`
/// when no line is that long.
fn mask_long_lines(text: &[u8]) -> Option<(Vec<u8>, Vec<usize>)> {
    if text.len() <= MAX_LINE || !crate::line::lines(text).any(|s| too_long(&s)) {
        return None;
    }
    let mut masked = Vec::new();
    let mut which = Vec::new();
    for (i, s) in crate::line::lines(text).enumerate() {
        if too_long(&s) {
            which.push(i);
            let end = &text[s.content_end..s.end];
            masked.extend_from_slice(if end.is_empty() { b"\n" } else { end });
        } else {
            masked.extend_from_slice(s.whole(text));
        }
    }
    Some((masked, which))
}

/// [`Cleaner::observe`] without a cleaner, with this thread's buffers: pass
/// 1 reads nothing a cleaner holds, so the pipeline's pass 1 runs it while
/// the cleaner is built. Returns the number of lines.
pub(crate) fn observe_document(doc: &Document<'_>, stats: &mut LineStats) -> usize {
    with_scratch(|s| observe_with(&mut s.norm, &mut s.fps, doc, stats))
}

/// Pass 1 of `doc` into `stats` with the caller's normaliser and buffer: the
/// fingerprints of its normalised lines, a line over [`MAX_LINE`] counting
/// as blank (fingerprint 0, not counted). Nothing in a cleaner changes it,
/// so the pipeline's pass 1 runs it while the cleaner is built. Returns the
/// number of lines.
pub(crate) fn observe_with(
    norm: &mut crate::line::Normalizer,
    fps: &mut Vec<u64>,
    doc: &Document<'_>,
    stats: &mut LineStats,
) -> usize {
    fps.clear();
    fps.extend(crate::line::lines(doc.text).map(|l| {
        if too_long(&l) {
            0
        } else {
            norm.fingerprint(l.content(doc.text))
        }
    }));
    stats.add_document(doc.site, fps);
    let n = fps.len();
    if fps.capacity() > KEEP_LINES {
        *fps = Vec::new();
    }
    n
}

/// The most lines of a document whose buffers a thread keeps for the next
/// one. Classification holds about 1 KB a line (the three stages' feature
/// rows and the line facts: 205 MB after a 10 MB page of 200,000 short
/// lines), so a thread that once met a huge document would hold that much
/// for as long as it lives; past this bound the buffers are freed after the
/// document, at most 64 MiB kept. A page of the evaluation sets has at most
/// a few thousand lines, so normal work never reallocates.
const KEEP_LINES: usize = 1 << 16;

/// Runs `f` with this thread's scratch buffers, freed afterwards if they
/// grew past [`KEEP_LINES`] lines.
fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    SCRATCH.with(|s| {
        let s = &mut *s.borrow_mut();
        let r = f(s);
        if s.infos.capacity().max(s.fps.capacity()) > KEEP_LINES {
            *s = Scratch::default();
        }
        r
    })
}

/// One document to clean: its text and, where known, its site.
#[derive(Clone, Copy, Debug)]
pub struct Document<'a> {
    /// The text, one block a line; any bytes (invalid UTF-8 is carried through).
    pub text: &'a [u8],
    /// The site (host, domain or folder) for per-site statistics.
    pub site: Option<&'a str>,
}

impl<'a> Document<'a> {
    /// A document without a site.
    pub fn new(text: &'a [u8]) -> Document<'a> {
        Document { text, site: None }
    }

    /// The same document attributed to `site`. An empty `site` is no site:
    /// the document then counts in the corpus-wide statistics only, as one
    /// without a site does.
    pub fn with_site(self, site: &'a str) -> Document<'a> {
        Document {
            site: Some(site),
            ..self
        }
    }
}

/// Builds a [`Cleaner`].
#[derive(Clone, Debug)]
pub struct CleanerBuilder {
    rules: RuleSetBuilder,
    model: Option<(String, String)>,
    threshold: Option<f32>,
    lexicon_decides: bool,
    sandwich_max_words: u32,
    site_template: (u32, u32),
    settle: bool,
    rescue: bool,
    headline: bool,
}

impl Default for CleanerBuilder {
    fn default() -> CleanerBuilder {
        CleanerBuilder::new()
    }
}

impl CleanerBuilder {
    /// A builder with the built-in lexicon, the built-in line model and its
    /// threshold.
    pub fn new() -> CleanerBuilder {
        CleanerBuilder {
            rules: RuleSetBuilder::new(),
            model: None,
            threshold: None,
            lexicon_decides: true,
            sandwich_max_words: SANDWICH_MAX_WORDS,
            site_template: (SITE_TEMPLATE_MIN_DOCS, SITE_TEMPLATE_MIN_WORDS),
            settle: false,
            rescue: true,
            headline: true,
        }
    }

    /// Whether the headline above the article is kept: the last line before
    /// the first kept line that repeats part of the page's first line, where
    /// scrapers put the title, which then goes if it was kept (see `headline`
    /// in the source). By default, it is: mean word F1 +0.0017 on the
    /// evaluation sets, five of seven higher; off for golds without headlines
    /// (Scrapinghub's: -0.0067 with it).
    pub fn headline(&mut self, yes: bool) -> &mut CleanerBuilder {
        self.headline = yes;
        self
    }

    /// Whether a page whose kept lines hold less than [`RESCUE_MAX_KEPT_SHARE`]
    /// of the words the model expects to be content gets back the lines
    /// that maximise its expected word F1 (see `rescue_recall` in the
    /// source and DESIGN.md). By default, it does: mean word F1 +0.002 on
    /// the evaluation sets, WCXB dev +0.008, no set lower.
    pub fn rescue(&mut self, yes: bool) -> &mut CleanerBuilder {
        self.rescue = yes;
        self
    }

    /// Classify each document again, as the text its kept lines make, until
    /// no more lines go: the output is then a fixed point, and cleaning it
    /// again with the same statistics changes nothing (idempotent cleaning).
    /// Off by default: every round judges the survivors without the chrome
    /// around them and drops more of the article's short lines, which cost
    /// 0.012 of mean word F1 on the evaluation sets (DESIGN.md), and each
    /// round costs a classification.
    pub fn settle(&mut self, yes: bool) -> &mut CleanerBuilder {
        self.settle = yes;
        self
    }

    /// A line of at least `min_words` words found in at least `min_docs`
    /// documents of its site is dropped as part of the site's template;
    /// `min_docs` 0 turns the rule off. By default,
    /// [`SITE_TEMPLATE_MIN_DOCS`] and [`SITE_TEMPLATE_MIN_WORDS`].
    pub fn site_template(&mut self, min_docs: u32, min_words: u32) -> &mut CleanerBuilder {
        self.site_template = (min_docs, min_words);
        self
    }

    /// The longest line (in words) that goes when the lines on both sides of
    /// it go; 0 turns the rule off. By default, [`SANDWICH_MAX_WORDS`].
    pub fn sandwich_max_words(&mut self, words: u32) -> &mut CleanerBuilder {
        self.sandwich_max_words = words;
        self
    }

    /// The word-count guard of the lexicon's contained phrases: a phrase of
    /// `w` words counts in a line of at most `factor × w + slack` words. By
    /// default, [`crate::rules::CONTAINS_FACTOR`] and
    /// [`crate::rules::CONTAINS_SLACK`].
    pub fn contains_guard(&mut self, factor: u32, slack: u32) -> &mut CleanerBuilder {
        self.rules.contains_guard(factor, slack);
        self
    }

    /// Whether a match of the built-in lexicon drops a line whatever the
    /// line model says (otherwise a match is one feature among others). By
    /// default, it does: on the evaluation sets it moves word F1 by at most
    /// 0.001 (the model drops most matched lines anyway, DESIGN.md), and it
    /// makes the lexicon predictable where the model knows little, as on
    /// single pages without site statistics.
    pub fn lexicon_decides(&mut self, yes: bool) -> &mut CleanerBuilder {
        self.lexicon_decides = yes;
        self
    }

    /// Adds a user rule file (its name for messages, and its text; the format
    /// is described in [`crate::rules`]). A user phrase drops every line it
    /// matches; a protecting phrase (`!`) keeps every line it matches. By
    /// default only the built-in lexicon is used.
    pub fn rules(&mut self, name: &str, text: &str) -> &mut CleanerBuilder {
        self.rules.file(name, text);
        self
    }

    /// Uses a line model trained by `boilerstrip train` instead of the
    /// built-in one (`name` for messages, `text` the model file). By default,
    /// the built-in model.
    pub fn model(&mut self, name: &str, text: &str) -> &mut CleanerBuilder {
        self.model = Some((name.to_string(), text.to_string()));
        self
    }

    /// The probability of being content at or above which a line is kept,
    /// in `0..=1`. Lower keeps more (higher recall), higher drops more. By
    /// default, the model's own threshold.
    pub fn threshold(&mut self, t: f32) -> &mut CleanerBuilder {
        self.threshold = Some(t);
        self
    }

    /// Builds the cleaner, compiling the rules once.
    ///
    /// Fails with [`Error::Rules`] (naming the file and line) on a rule file
    /// or line model that does not parse, and with [`Error::Setting`] on a
    /// threshold outside `0..=1` (or NaN).
    ///
    /// ```
    /// use boilerstrip::{CleanerBuilder, Error};
    ///
    /// let e = CleanerBuilder::new().rules("mine.rules", "@categroy ads\n").build().unwrap_err();
    /// assert!(matches!(e, Error::Rules { line: 1, .. }));
    /// assert!(e.to_string().starts_with("mine.rules:1: unknown directive"));
    /// let e = CleanerBuilder::new().threshold(1.5).build().unwrap_err();
    /// assert!(matches!(e, Error::Setting { name: "threshold", .. }));
    /// ```
    pub fn build(&self) -> Result<Cleaner, Error> {
        let rules = self.rules.build()?;
        let built_in_categories = crate::rules::BUILT_IN.len();
        let categories = crate::rules::built_in_categories();
        let mut model = match &self.model {
            Some((name, text)) => LineModel::parse(name, text, &categories)?,
            None => LineModel::parse(
                "built-in/line-model.txt",
                crate::model::BUILT_IN,
                &categories,
            )?,
        };
        if let Some(t) = self.threshold {
            if !(0.0..=1.0).contains(&t) {
                return Err(Error::Setting {
                    name: "threshold",
                    message: format!("{t} is not between 0 and 1"),
                });
            }
            model.threshold = t;
        }
        let own_weight = model.w2[model.w1.len()];
        let mut explain_weights = vec![Vec::new(); EXPLAINED.len()];
        for (j, n) in model.names1.iter().enumerate() {
            let g = group_of(n);
            if let Some(slot) = EXPLAINED.iter().position(|&h| h == g) {
                explain_weights[slot].push((j, model.w2[j] + own_weight * model.w1[j]));
            }
        }
        Ok(Cleaner {
            inner: Arc::new(Inner {
                built_in_categories,
                words: WordTable::new(&rules),
                lexicon_names: rules
                    .categories()
                    .iter()
                    .map(|c| format!("lexicon:{c}"))
                    .collect(),
                comments: rules
                    .categories()
                    .iter()
                    .position(|c| c == "comments")
                    .map(|c| c as u16),
                rules,
                model,
                explain_weights,
                lexicon_decides: self.lexicon_decides,
                sandwich_max_words: self.sandwich_max_words,
                site_template: self.site_template,
                settle: self.settle,
                rescue: self.rescue,
                headline: self.headline,
            }),
        })
    }
}

/// The classifier's settings as plain values: what the classifier flags of
/// `boilerstrip clean` say (`--rules`, `--line-model`, `--threshold`,
/// `--sandwich-words`, `--template-docs`, `--soft-lexicon`, `--settle`,
/// `--no-headline`), with each rule file and line model as its name and
/// text. The command line and the Python `Cleaner` build their cleaner from
/// one, so the same flags give the same cleaner; kept by a caller, it
/// builds that cleaner again where the files are not.
///
/// ```
/// use boilerstrip::cleaner::Settings;
/// let mut s = Settings { threshold: Some(0.4), headline: false, ..Settings::default() };
/// s.rules.push(("mine.rules".into(), "@category promo\nget the app\n".into()));
/// let cleaner = s.build().unwrap();
/// assert_eq!(cleaner.model().threshold, 0.4);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// User rule files (`--rules`): (name for messages, text), in order.
    pub rules: Vec<(String, String)>,
    /// A line model (`--line-model`): (name, text); `None`, the built-in one.
    pub line_model: Option<(String, String)>,
    /// `--threshold` ([`CleanerBuilder::threshold`]); `None`, the model's.
    pub threshold: Option<f32>,
    /// `--sandwich-words` ([`CleanerBuilder::sandwich_max_words`]).
    pub sandwich_words: u32,
    /// `--template-docs` ([`CleanerBuilder::site_template`]'s `min_docs`).
    pub template_docs: u32,
    /// `--soft-lexicon`: the lexicon is a feature, not a decision
    /// ([`CleanerBuilder::lexicon_decides`]).
    pub soft_lexicon: bool,
    /// `--settle` ([`CleanerBuilder::settle`]).
    pub settle: bool,
    /// Not `--no-headline` ([`CleanerBuilder::headline`]).
    pub headline: bool,
}

impl Default for Settings {
    /// The settings of `boilerstrip clean` without classifier flags.
    fn default() -> Settings {
        Settings {
            rules: Vec::new(),
            line_model: None,
            threshold: None,
            sandwich_words: SANDWICH_MAX_WORDS,
            template_docs: SITE_TEMPLATE_MIN_DOCS,
            soft_lexicon: false,
            settle: false,
            headline: true,
        }
    }
}

impl Settings {
    /// Adds the user rule file at `path`, read now, named by its path. Fails
    /// if the file cannot be read ([`Error::Read`]) or is not UTF-8 (the
    /// error names the line and the byte); mistakes in its rules are
    /// reported by [`Settings::build`].
    pub fn read_rules(&mut self, path: &Path) -> Result<(), Error> {
        let text = read_settings_file(path, "rule file")?;
        self.rules.push((path.display().to_string(), text));
        Ok(())
    }

    /// Adds a user rule file read elsewhere (from standard input, say):
    /// `name` for messages, `bytes` its content. Fails as
    /// [`Settings::read_rules`] does on bytes that are not UTF-8.
    pub fn add_rules(&mut self, name: &str, bytes: Vec<u8>) -> Result<(), Error> {
        let text = settings_text(name, bytes, "rule file")?;
        self.rules.push((name.to_string(), text));
        Ok(())
    }

    /// Uses the line model at `path`, read now, named by its path. Fails as
    /// [`Settings::read_rules`] does; mistakes in the model are reported by
    /// [`Settings::build`].
    pub fn read_line_model(&mut self, path: &Path) -> Result<(), Error> {
        let text = read_settings_file(path, "line model")?;
        self.line_model = Some((path.display().to_string(), text));
        Ok(())
    }

    /// Uses a line model read elsewhere (from standard input, say): `name`
    /// for messages, `bytes` its content. Fails as
    /// [`Settings::add_rules`] does.
    pub fn add_line_model(&mut self, name: &str, bytes: Vec<u8>) -> Result<(), Error> {
        let text = settings_text(name, bytes, "line model")?;
        self.line_model = Some((name.to_string(), text));
        Ok(())
    }

    /// The builder of the cleaner these settings describe.
    pub fn builder(&self) -> CleanerBuilder {
        let mut b = CleanerBuilder::new();
        for (name, text) in &self.rules {
            b.rules(name, text);
        }
        if let Some((name, text)) = &self.line_model {
            b.model(name, text);
        }
        if let Some(t) = self.threshold {
            b.threshold(t);
        }
        b.sandwich_max_words(self.sandwich_words);
        b.site_template(self.template_docs, SITE_TEMPLATE_MIN_WORDS);
        b.lexicon_decides(!self.soft_lexicon);
        b.settle(self.settle);
        b.headline(self.headline);
        b
    }

    /// The cleaner these settings describe: errors name the rule file or
    /// line model and line, or the bad value.
    pub fn build(&self) -> Result<Cleaner, Error> {
        self.builder().build()
    }

    /// Whether the cleaner takes no files and the model's own threshold, so
    /// that building it cannot fail: the command line then builds it while
    /// pass 1 runs.
    pub fn cannot_fail(&self) -> bool {
        self.rules.is_empty() && self.line_model.is_none() && self.threshold.is_none()
    }
}

/// The text of the settings file at `path` (a rule file or a line model,
/// `what` as messages name it), which must be UTF-8: where it is not, the
/// error names the line and the byte.
fn read_settings_file(path: &Path, what: &'static str) -> Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        what,
        path: path.to_path_buf(),
        source,
    })?;
    settings_text(&path.display().to_string(), bytes, what)
}

/// The text of the settings file `name` (a `what`), or an error naming its
/// line and byte if it is not UTF-8.
fn settings_text(name: &str, bytes: Vec<u8>, what: &'static str) -> Result<String, Error> {
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        let line_start = bytes[..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        Error::Rules {
            source_name: name.to_string(),
            line: 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count(),
            message: format!(
                "the {what} is not UTF-8 (byte {} of the line)",
                at - line_start + 1
            ),
        }
    })
}

#[derive(Debug)]
struct Inner {
    rules: RuleSet,
    /// Categories below this index are the built-in lexicon's, which are
    /// features of the model; the others are user categories, hard rules.
    built_in_categories: usize,
    /// Stopwords and lexicon symbols of `rules`' words.
    words: WordTable,
    model: LineModel,
    /// For each group of [`EXPLAINED`], its stage-1 features in order:
    /// (index, whole weight in stage 2: its own stage-2 weight plus its
    /// share through the line's stage-1 log-odds). The bias is in none.
    explain_weights: Vec<Vec<(usize, f32)>>,
    /// `lexicon:<category>` for each category, built once.
    lexicon_names: Vec<String>,
    /// The `comments` category, whose first line opens a page's thread.
    comments: Option<u16>,
    lexicon_decides: bool,
    sandwich_max_words: u32,
    site_template: (u32, u32),
    settle: bool,
    rescue: bool,
    headline: bool,
}

/// The feature groups a drop is explained by, in the order ties are broken
/// (the first of equal weights wins).
const EXPLAINED: [Group; 7] = [
    Group::Shape,
    Group::Site,
    Group::Corpus,
    Group::Page,
    Group::Lexicon,
    Group::Position,
    Group::Context,
];

/// The slot of [`Group::Context`] in [`EXPLAINED`].
const CONTEXT_SLOT: usize = 6;
const _: () = assert!(matches!(EXPLAINED[CONTEXT_SLOT], Group::Context));

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// The built cleaner: immutable, `Send + Sync`, and cheap to clone (an `Arc`).
#[derive(Clone, Debug)]
pub struct Cleaner {
    inner: Arc<Inner>,
}

impl Cleaner {
    /// A cleaner with the built-in lexicon and default settings.
    pub fn new() -> Cleaner {
        CleanerBuilder::new()
            .build()
            .expect("the built-in rules and model load (checked by tests)")
    }

    /// The compiled lexicon.
    pub fn rules(&self) -> &RuleSet {
        &self.inner.rules
    }

    /// The line model.
    pub fn model(&self) -> &LineModel {
        &self.inner.model
    }

    /// Pass 1: counts the lines of `doc` into `stats` (each distinct normal
    /// form once, corpus-wide and for the document's site; lines without
    /// letters or digits and lines over [`MAX_LINE`] are not counted).
    pub fn observe(&self, doc: &Document<'_>, stats: &mut LineStats) {
        observe_document(doc, stats);
    }

    /// Pass 2: one verdict per line of `doc` (lines as [`crate::line::lines`]
    /// splits them), using the corpus statistics `stats`. A line over
    /// [`MAX_LINE`] is kept unjudged ([`Cause::TooLong`]).
    pub fn classify(&self, doc: &Document<'_>, stats: &LineStats) -> Vec<Verdict> {
        let mut out = Vec::new();
        self.classify_into(doc, stats, &mut out);
        out
    }

    /// Like [`Cleaner::classify`], into a vector the caller reuses.
    pub fn classify_into(&self, doc: &Document<'_>, stats: &LineStats, out: &mut Vec<Verdict>) {
        self.classify_keeping(doc, stats, out, None, None);
    }

    /// With [`CleanerBuilder::settle`]: classifies the kept lines again, as
    /// one text, until a round drops none; a line dropped in a later round
    /// takes that round's verdict. Ends: every round but the last drops a
    /// line.
    fn settle(&self, doc: &Document<'_>, stats: &LineStats, out: &mut [Verdict]) {
        if !self.inner.settle {
            return;
        }
        let mut text = Vec::new();
        let mut kept = Vec::new();
        let mut round = Vec::new();
        loop {
            text.clear();
            write_kept(doc.text, out, &mut text);
            kept.clear();
            kept.extend((0..out.len()).filter(|&i| out[i].keep));
            if kept.is_empty() {
                return;
            }
            let survivors = Document {
                text: &text,
                site: doc.site,
            };
            with_scratch(|s| self.classify_with(&survivors, stats, s, &mut round));
            let mut dropped = false;
            for (&i, v) in kept.iter().zip(&round) {
                if !v.keep {
                    out[i] = *v;
                    dropped = true;
                }
            }
            if !dropped {
                return;
            }
        }
    }

    /// Like [`Cleaner::classify_into`], and also the fingerprint of each
    /// line's normal form into `fingerprints` (0 for a line without letters
    /// or digits), as pass 1 counted it: for callers that group lines, such
    /// as run statistics, without normalising them again.
    pub fn classify_with_fingerprints(
        &self,
        doc: &Document<'_>,
        stats: &LineStats,
        out: &mut Vec<Verdict>,
        fingerprints: &mut Vec<u64>,
    ) {
        self.classify_keeping(doc, stats, out, Some(fingerprints), None);
    }

    /// Like [`Cleaner::classify_with_fingerprints`], and also where each
    /// line sits in the text into `spans` (as [`crate::line::lines`] splits
    /// it), taken from the split classification made.
    pub(crate) fn classify_with_lines(
        &self,
        doc: &Document<'_>,
        stats: &LineStats,
        out: &mut Vec<Verdict>,
        fingerprints: &mut Vec<u64>,
        spans: &mut Vec<LineSpan>,
    ) {
        self.classify_keeping(doc, stats, out, Some(fingerprints), Some(spans));
    }

    /// [`Cleaner::classify_into`], keeping, if asked, the fingerprints and
    /// the line spans that classification computed. A text with lines over
    /// [`MAX_LINE`] is classified as a copy with those lines blank, whose
    /// verdicts then say [`Cause::TooLong`].
    fn classify_keeping(
        &self,
        doc: &Document<'_>,
        stats: &LineStats,
        out: &mut Vec<Verdict>,
        fingerprints: Option<&mut Vec<u64>>,
        spans: Option<&mut Vec<LineSpan>>,
    ) {
        let masked = mask_long_lines(doc.text);
        let judged = match &masked {
            Some((text, _)) => Document {
                text,
                site: doc.site,
            },
            None => *doc,
        };
        with_scratch(|s| {
            self.classify_with(&judged, stats, s, out);
            if let Some(fingerprints) = fingerprints {
                fingerprints.clear();
                fingerprints.extend(s.infos.iter().map(|i| i.fp));
            }
            if let Some(spans) = spans {
                spans.clear();
                if masked.is_some() {
                    // The lines of the text, not of its masked copy.
                    spans.extend(crate::line::lines(doc.text));
                } else {
                    spans.extend_from_slice(&s.spans);
                }
            }
        });
        self.settle(&judged, stats, out);
        for &i in masked.iter().flat_map(|(_, which)| which) {
            out[i].keep = true;
            out[i].cause = Cause::TooLong;
        }
    }

    fn classify_with(
        &self,
        doc: &Document<'_>,
        stats: &LineStats,
        s: &mut Scratch,
        out: &mut Vec<Verdict>,
    ) {
        let inner = &*self.inner;
        let m = &inner.model;
        self.stage1_rows(doc, stats, s);
        self.stage2_rows(s);
        self.stage3_rows(s);
        out.clear();
        out.resize(
            s.infos.len(),
            Verdict {
                keep: false,
                score: 0.0,
                cause: Cause::Blank,
            },
        );
        let w1 = m.w1.len();
        let w2 = m.w2.len();
        for (k, &li) in s.content.iter().enumerate() {
            let info = &s.infos[li];
            let x2 = &s.x2[k * w2..(k + 1) * w2];
            let score = if m.w3.is_empty() {
                sigmoid(dot(&m.w2, x2))
            } else {
                // Stage 3's row is the stage-2 row and then the line's
                // `STAGE3` values.
                let (own, more) = m.w3.split_at(w2);
                let x3 = &s.x3[k * more.len()..(k + 1) * more.len()];
                sigmoid(dot(own, x2) + dot(more, x3))
            };
            let keep = score >= m.threshold;
            let cause = if let Some(p) = info.protect {
                Cause::Protected { phrase: p }
            } else if let Some(c) = self.decisive_category(info) {
                Cause::Lexicon {
                    category: c,
                    phrase: info.lex_hit.unwrap_or(0),
                }
            } else {
                self.cause_of(info, &s.x1[k * w1..(k + 1) * w1], x2, keep)
            };
            let keep = match cause {
                Cause::Protected { .. } => true,
                Cause::Lexicon { .. } if self.decisive_category(info).is_some() => false,
                _ => keep,
            };
            out[li] = Verdict { keep, score, cause };
        }
        if inner.rescue {
            let decided = |i: &LineInfo| i.protect.is_some() || self.decisive_category(i).is_some();
            rescue_recall(&s.infos, &s.content, decided, out);
        }
        tables(doc.text, m.threshold, out);
        site_template(&s.infos, &s.content, inner.site_template, out);
        // The rules below look at lines with words only.
        s.worded.clear();
        s.worded
            .extend(s.content.iter().copied().filter(|&i| s.infos[i].words > 0));
        self.spread_weak(&s.infos, &s.worded, out);
        sandwich(&s.infos, &s.worded, inner.sandwich_max_words, out);
        lists_in_prose(&s.infos, &s.worded, out);
        keep_some_prose(&s.infos, &s.content, out);
        let opens_thread = |i: &LineInfo| {
            i.lex_hit.is_some_and(|id| {
                Some(inner.rules.phrases()[id as usize].category) == inner.comments
            })
        };
        keep_enclosed(&s.infos, &s.worded, opens_thread, out);
        if inner.headline {
            headline(&s.infos, &s.worded, out);
        }
        // A line without words (blank, or symbols only: a rule, a bullet, a
        // closing brace) is kept between two kept lines, to keep paragraphs
        // apart and code whole, and dropped elsewhere.
        let filler = |i: usize| s.infos[i].words == 0;
        let mut prev_kept = false;
        let mut i = 0;
        while i < out.len() {
            if !filler(i) {
                prev_kept = out[i].keep;
                i += 1;
                continue;
            }
            let j = (i..out.len()).find(|&j| !filler(j));
            let next_kept = j.is_some_and(|j| out[j].keep);
            let end = j.unwrap_or(out.len());
            for v in &mut out[i..end] {
                v.keep = prev_kept && next_kept;
            }
            i = end;
        }
    }

    /// Gathers the facts of `doc`'s lines into `s.infos` and their stage-1
    /// features into `s.x1` (the non-blank lines' indices in `s.content`):
    /// what classification and training both start from.
    pub(crate) fn stage1_rows(&self, doc: &Document<'_>, stats: &LineStats, s: &mut Scratch) {
        let inner = &*self.inner;
        gather(doc.text, doc.site, stats, &inner.rules, &inner.words, s);
        stage1(
            &s.infos,
            stats.documents(),
            inner.built_in_categories,
            &inner.rules,
            &mut s.content,
            &mut s.x1,
        );
    }

    /// Stage-1 probabilities and stage-2 features of the rows in `s`.
    fn stage2_rows(&self, s: &mut Scratch) {
        let m = &self.inner.model;
        let w1 = m.w1.len();
        s.p1.clear();
        s.p1.extend(s.x1.chunks_exact(w1).map(|x| sigmoid(dot(&m.w1, x))));
        s.words.clear();
        s.words
            .extend(s.content.iter().map(|&i| words_back(s.infos[i].words)));
        stage2_words(&s.x1, w1, &s.p1, m.threshold, &mut s.x2, &mut s.words);
    }

    /// Stage-2 probabilities and stage-3 features of the rows in `s`, when
    /// the model has a stage 3.
    fn stage3_rows(&self, s: &mut Scratch) {
        let m = &self.inner.model;
        if m.w3.is_empty() {
            return;
        }
        s.p2.clear();
        s.p2.extend(
            s.x2.chunks_exact(m.w2.len())
                .map(|x| sigmoid(dot(&m.w2, x))),
        );
        stage3_words(&s.p2, &s.x2, m.w2.len(), &s.words, m.threshold, &mut s.x3);
    }

    /// The category of the lexicon match that decides the line on its own:
    /// a user rule always; a built-in one when `lexicon_decides`, unless the
    /// line is a list item ("- Cookies" in a baker's list is not a cookie
    /// notice), which the model judges with its neighbours.
    fn decisive_category(&self, info: &LineInfo) -> Option<u16> {
        let id = info.lex_hit?;
        let c = self.inner.rules.phrases()[id as usize].category;
        let user = c as usize >= self.inner.built_in_categories;
        (user || (self.inner.lexicon_decides && !info.bullet)).then_some(c)
    }

    /// Drops the lines with a weak phrase that touch a line the lexicon
    /// dropped in the same category, growing each block both ways until it
    /// stops (each pass can only add lines, so this ends).
    /// `words` holds the indices of the lines with words, in order.
    fn spread_weak(&self, infos: &[LineInfo], words: &[usize], out: &mut [Verdict]) {
        let phrases = self.inner.rules.phrases();
        let category_of = |v: &Verdict| match v.cause {
            Cause::Lexicon { category, .. } if !v.keep => Some(category),
            _ => None,
        };
        let mut changed = true;
        while changed {
            changed = false;
            for (k, &i) in words.iter().enumerate() {
                let Some(weak) = infos[i].weak else { continue };
                if category_of(&out[i]).is_some() || infos[i].protect.is_some() {
                    continue;
                }
                // A single word is weak evidence even beside the block: it
                // condemns a title or a label, but not a sentence of prose
                // ("Talk radio is a radio format ... music." under a wiki's
                // "From Wikipedia" line); a phrase of two words or more is
                // specific enough to condemn an appeal's sentences too.
                let sentence = infos[i].prose_words() > 0 && infos[i].end_punct;
                if phrases[weak as usize].words == 1 && sentence {
                    continue;
                }
                let cat = phrases[weak as usize].category;
                let touches = [k.checked_sub(1), Some(k + 1)]
                    .into_iter()
                    .flatten()
                    .filter_map(|j| words.get(j))
                    .any(|&j| category_of(&out[j]) == Some(cat));
                if touches {
                    out[i] = Verdict {
                        keep: false,
                        score: out[i].score,
                        cause: Cause::Lexicon {
                            category: cat,
                            phrase: weak,
                        },
                    };
                    changed = true;
                }
            }
        }
    }

    /// The evidence that weighed most toward the decision, by feature group.
    ///
    /// Stage 2 is linear in the stage-1 features, in the line's stage-1
    /// log-odds (itself a sum over the stage-1 groups, which is shared out to
    /// them) and in the neighbours' probabilities (the context group).
    /// Stage 3, when there is one, only re-weighs stage 2's verdicts by the
    /// verdicts around them: the cause stays stage 2's account.
    fn cause_of(&self, info: &LineInfo, x1: &[f32], x2: &[f32], keep: bool) -> Cause {
        if keep {
            return Cause::Content;
        }
        let m = &self.inner.model;
        let sign = -1.0;
        let w1 = x1.len();
        // One sum per group of [`EXPLAINED`], each over its own features in
        // order: chains the processor runs side by side, where one pass
        // over the features adding into each one's group waited on every
        // addition before the next (the same sums, bit for bit).
        let mut sums = [0.0f32; EXPLAINED.len()];
        for (sum, group) in sums.iter_mut().zip(&self.inner.explain_weights) {
            for &(j, weight) in group {
                *sum += weight * x1[j] * sign;
            }
        }
        let neighbours: f32 = (w1 + 1..m.w2.len()).map(|j| m.w2[j] * x2[j]).sum();
        sums[CONTEXT_SLOT] += neighbours * sign;
        let (g, _) = EXPLAINED
            .iter()
            .copied()
            .zip(sums)
            .fold(
                (Group::Shape, f32::MIN),
                |a, b| if b.1 > a.1 { b } else { a },
            );
        match g {
            Group::Lexicon if info.lex_hit.is_some() => {
                let id = info.lex_hit.unwrap_or(0);
                Cause::Lexicon {
                    category: self.inner.rules.phrases()[id as usize].category,
                    phrase: id,
                }
            }
            Group::Site => Cause::SiteRepeat {
                df: info.site_df,
                docs: info.site_docs,
            },
            Group::Corpus => Cause::CorpusRepeat { df: info.corpus_df },
            Group::Page => Cause::PageRepeat {
                count: info.page_count,
            },
            Group::Position => Cause::Position,
            Group::Context => Cause::Context,
            _ => Cause::Shape,
        }
    }

    /// The name of rule category `category` (of [`Cause::Lexicon`]): a
    /// built-in file's (`share`, `cookie`, ...) or a user file's
    /// `@category` (by default `user`).
    ///
    /// # Panics
    ///
    /// If `category` is not a category of this cleaner's rules (a cause
    /// from a cleaner built with other rule files).
    ///
    /// ```
    /// use boilerstrip::{Cause, Cleaner, Document, LineStats};
    ///
    /// let cleaner = Cleaner::new();
    /// let v = cleaner.classify(&Document::new(b"Share this post\n"), &LineStats::new());
    /// let Cause::Lexicon { category, phrase } = v[0].cause else { panic!("{:?}", v[0]) };
    /// assert_eq!(cleaner.category_name(category), "share");
    /// assert_eq!(cleaner.phrase(phrase), "share this post");
    /// ```
    pub fn category_name(&self, category: u16) -> &str {
        &self.inner.rules.categories()[category as usize]
    }

    /// The normal form of lexicon phrase `phrase` (of [`Cause::Lexicon`] or
    /// [`Cause::Protected`]), as rule files and `--explain` show it.
    ///
    /// # Panics
    ///
    /// If `phrase` is not a phrase of this cleaner's rules.
    pub fn phrase(&self, phrase: u32) -> &str {
        &self.inner.rules.phrases()[phrase as usize].text
    }

    /// The name under which run statistics count a cause: `lexicon:` and
    /// the category for lexicon matches, the cause's kind otherwise.
    ///
    /// # Panics
    ///
    /// As [`Cleaner::category_name`], for a lexicon cause of another cleaner.
    pub fn cause_name(&self, cause: &Cause) -> &str {
        match cause {
            Cause::Lexicon { category, .. } => &self.inner.lexicon_names[*category as usize],
            c => c.kind(),
        }
    }

    /// A readable account of a cause, for `--explain`: the rule category and
    /// phrase, the frequency that condemned the line, or the kind of signal.
    ///
    /// # Panics
    ///
    /// As [`Cleaner::category_name`] and [`Cleaner::phrase`], for a lexicon
    /// or protected cause of another cleaner.
    pub fn describe(&self, cause: &Cause) -> String {
        match *cause {
            Cause::Lexicon { phrase: id, .. } => {
                format!("{} \"{}\"", self.cause_name(cause), self.phrase(id))
            }
            Cause::Protected { phrase: id } => format!("protected \"{}\"", self.phrase(id)),
            Cause::SiteRepeat { df, docs } => format!("site-repeat {df}/{docs} docs"),
            Cause::CorpusRepeat { df } => format!("corpus-repeat {df} docs"),
            Cause::PageRepeat { count } => format!("page-repeat x{count}"),
            c => c.kind().to_string(),
        }
    }
}

impl Default for Cleaner {
    fn default() -> Cleaner {
        Cleaner::new()
    }
}

/// Appends the kept lines of `text` to `out`, byte for byte with their line
/// ends. `verdicts` has one entry per line of `text`.
pub fn write_kept(text: &[u8], verdicts: &[Verdict], out: &mut Vec<u8>) {
    write_kept_at(text, crate::line::lines(text), verdicts, out);
}

/// [`write_kept`] of the lines of `text` at `spans`, for a caller that has
/// split the text already.
pub(crate) fn write_kept_at(
    text: &[u8],
    spans: impl IntoIterator<Item = LineSpan>,
    verdicts: &[Verdict],
    out: &mut Vec<u8>,
) {
    for (span, v) in spans.into_iter().zip(verdicts) {
        if v.keep {
            out.extend_from_slice(span.whole(text));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_word_weak_phrase_spares_a_sentence_beside_the_block() {
        // "talk" is weak wiki vocabulary: it takes a "Talk:" title beside wiki
        // chrome, not the article's first sentence under "From Wikipedia".
        let text = b"From Wikipedia, the free encyclopedia\nTalk radio is a radio format made of discussion about topical issues, with callers on the air.\nMost shows are hosted by one person, and often feature interviews with several guests.\n";
        let cleaner = Cleaner::new();
        let doc = Document::new(text);
        let mut stats = LineStats::new();
        cleaner.observe(&doc, &mut stats);
        let v = cleaner.classify(&doc, &stats);
        assert!(!v[0].keep);
        assert!(v[1].keep, "{:?}", v[1]);
    }

    #[test]
    fn a_thread_frees_the_buffers_of_a_huge_document() {
        let held = || {
            SCRATCH.with(|s| {
                let s = s.borrow();
                s.infos
                    .capacity()
                    .max(s.x1.capacity() / 8)
                    .max(s.fps.capacity())
            })
        };
        let cleaner = Cleaner::new();
        let stats = LineStats::new();
        let page = b"Menu\nThe harbour wall was repaired over the winter.\nShare this\n";
        cleaner.classify(&Document::new(page), &stats);
        let small = held();
        assert!(small > 0 && small <= KEEP_LINES);
        let huge = "A line of some words.\n".repeat(KEEP_LINES + 1);
        let mut counted = LineStats::new();
        cleaner.observe(&Document::new(huge.as_bytes()), &mut counted);
        assert!(held() <= KEEP_LINES);
        let v = cleaner.classify(&Document::new(huge.as_bytes()), &stats);
        assert_eq!(v.len(), KEEP_LINES + 1);
        assert!(held() <= KEEP_LINES, "{} lines held", held());
        // Pass 1 of the pipeline shares the fingerprint buffer's bound.
        let (mut norm, mut fps) = (crate::line::Normalizer::new(), Vec::new());
        observe_with(
            &mut norm,
            &mut fps,
            &Document::new(huge.as_bytes()),
            &mut counted,
        );
        assert!(fps.capacity() <= KEEP_LINES);
        // Buffers of a normal page are kept for the next one.
        cleaner.classify(&Document::new(page), &stats);
        let again = held();
        cleaner.classify(&Document::new(page), &stats);
        assert_eq!(held(), again);
    }

    #[test]
    fn long_lines_are_masked_and_the_line_count_kept() {
        let long = vec![b'a'; MAX_LINE + 1];
        assert_eq!(mask_long_lines(b"short\nlines\n"), None);
        for end in [&b""[..], b"\n", b"\r\n"] {
            let text = [&b"x\n"[..], &long, end].concat();
            let (masked, which) = mask_long_lines(&text).unwrap();
            assert_eq!(which, [1]);
            assert_eq!(
                crate::line::lines(&masked).count(),
                crate::line::lines(&text).count()
            );
            assert!(masked.len() < 8);
        }
        let exact = vec![b'a'; MAX_LINE];
        assert_eq!(mask_long_lines(&[&exact[..], b"\n"].concat()), None);
    }

    #[test]
    fn a_line_over_max_line_is_kept_unjudged_and_not_counted() {
        // What the command line does with such a line, through the library's
        // own calls: kept as it is (cause too-long), not counted in pass 1,
        // and the lines around it judged as if it were blank.
        let long = "Share this post ".repeat(MAX_LINE / 16 + 1);
        let text = format!(
            "Menu\n{long}\nThe harbour wall was repaired over the winter by a crew of six.\n"
        );
        let blanked = "Menu\n\nThe harbour wall was repaired over the winter by a crew of six.\n";
        let cleaner = Cleaner::new();
        let (mut stats, mut blank_stats) = (LineStats::new(), LineStats::new());
        cleaner.observe(&Document::new(text.as_bytes()), &mut stats);
        cleaner.observe(&Document::new(blanked.as_bytes()), &mut blank_stats);
        assert_eq!(stats, blank_stats);
        let v = cleaner.classify(&Document::new(text.as_bytes()), &stats);
        let w = cleaner.classify(&Document::new(blanked.as_bytes()), &stats);
        assert_eq!(v.len(), 3);
        assert!(v[1].keep && v[1].cause == Cause::TooLong, "{:?}", v[1]);
        assert_eq!((v[0], v[2]), (w[0], w[2]));
        let mut out = Vec::new();
        write_kept(text.as_bytes(), &v, &mut out);
        assert!(out.windows(long.len()).any(|w| w == long.as_bytes()));
        // The last line of a text, without a line end, too.
        let v = cleaner.classify(&Document::new(long.as_bytes()), &stats);
        assert!(v[0].keep && v[0].cause == Cause::TooLong);
    }

    #[test]
    fn settings_files_are_refused_with_their_path_line_and_byte() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.rules");
        let e = Settings::default().read_rules(&missing).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Read {
                    what: "rule file",
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(
            e.to_string().starts_with(&format!(
                "cannot read the rule file {}: ",
                missing.display()
            )),
            "{e}"
        );
        let bad = dir.path().join("bad.model");
        std::fs::write(&bad, b"# fine\nthreshold 0.5\nstage1 a\xff 1\n").unwrap();
        let e = Settings::default().read_line_model(&bad).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "{}:3: the line model is not UTF-8 (byte 9 of the line)",
                bad.display()
            )
        );
        // A file that reads is named in the errors of its rules.
        let rules = dir.path().join("x.rules");
        std::fs::write(&rules, "share this\n@categroy ads\n").unwrap();
        let mut s = Settings::default();
        s.read_rules(&rules).unwrap();
        assert_eq!(s.rules[0].0, rules.display().to_string());
        let e = s.build().unwrap_err();
        assert!(
            e.to_string()
                .starts_with(&format!("{}:2: unknown directive", rules.display())),
            "{e}"
        );
    }
}
