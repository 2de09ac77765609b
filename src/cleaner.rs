//! The cleaner: settings and rules built once into an immutable, cheaply
//! cloned [`Cleaner`] that runs pass 1 ([`Cleaner::observe`]) and pass 2
//! ([`Cleaner::classify`]) on one document at a time.

use std::cell::RefCell;
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

    /// The same document attributed to `site`.
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

    /// Pass 1: counts the lines of `doc` into `stats`.
    pub fn observe(&self, doc: &Document<'_>, stats: &mut LineStats) {
        SCRATCH.with(|s| {
            let s = &mut *s.borrow_mut();
            s.fps.clear();
            for l in crate::line::lines(doc.text) {
                let fp = s.norm.fingerprint(l.content(doc.text));
                s.fps.push(fp);
            }
            stats.add_document(doc.site, &mut s.fps);
        })
    }

    /// Pass 2: one verdict per line of `doc` (lines as [`crate::line::lines`]
    /// splits them), using the corpus statistics `stats`.
    pub fn classify(&self, doc: &Document<'_>, stats: &LineStats) -> Vec<Verdict> {
        let mut out = Vec::new();
        self.classify_into(doc, stats, &mut out);
        out
    }

    /// Like [`Cleaner::classify`], into a vector the caller reuses.
    pub fn classify_into(&self, doc: &Document<'_>, stats: &LineStats, out: &mut Vec<Verdict>) {
        SCRATCH.with(|s| self.classify_with(doc, stats, &mut s.borrow_mut(), out));
        self.settle(doc, stats, out);
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
            SCRATCH
                .with(|s| self.classify_with(&survivors, stats, &mut s.borrow_mut(), &mut round));
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
        self.classify_keeping(doc, stats, out, fingerprints, None);
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
        self.classify_keeping(doc, stats, out, fingerprints, Some(spans));
    }

    /// [`Cleaner::classify_into`], keeping the fingerprints and, if asked,
    /// the line spans that classification computed.
    fn classify_keeping(
        &self,
        doc: &Document<'_>,
        stats: &LineStats,
        out: &mut Vec<Verdict>,
        fingerprints: &mut Vec<u64>,
        spans: Option<&mut Vec<LineSpan>>,
    ) {
        SCRATCH.with(|s| {
            let s = &mut *s.borrow_mut();
            self.classify_with(doc, stats, s, out);
            fingerprints.clear();
            fingerprints.extend(s.infos.iter().map(|i| i.fp));
            if let Some(spans) = spans {
                spans.clear();
                spans.extend_from_slice(&s.spans);
            }
        });
        self.settle(doc, stats, out);
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

    /// The name under which run statistics count a cause: `lexicon:` and
    /// the category for lexicon matches, the cause's kind otherwise.
    pub fn cause_name(&self, cause: &Cause) -> &str {
        match cause {
            Cause::Lexicon { category, .. } => &self.inner.lexicon_names[*category as usize],
            c => c.kind(),
        }
    }

    /// A readable account of a cause, for `--explain`: the rule category and
    /// phrase, the frequency that condemned the line, or the kind of signal.
    pub fn describe(&self, cause: &Cause) -> String {
        let phrase = |id: u32| &self.inner.rules.phrases()[id as usize].text;
        match *cause {
            Cause::Lexicon { phrase: id, .. } => {
                format!("{} \"{}\"", self.cause_name(cause), phrase(id))
            }
            Cause::Protected { phrase: id } => format!("protected \"{}\"", phrase(id)),
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

/// A line of some length that recurs in several documents of its site is
/// part of the site's template (a disclaimer, a bio, a teaser summary), even
/// when it reads like prose. See [`SITE_TEMPLATE_MIN_DOCS`].
fn site_template(
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
fn rescue_recall(
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
fn keep_some_prose(infos: &[LineInfo], content: &[usize], out: &mut [Verdict]) {
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
fn lists_in_prose(infos: &[LineInfo], words: &[usize], out: &mut [Verdict]) {
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
fn keep_enclosed(
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
fn headline(infos: &[LineInfo], words: &[usize], out: &mut [Verdict]) {
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
fn sandwich(infos: &[LineInfo], words: &[usize], max_words: u32, out: &mut [Verdict]) {
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

/// Fewest consecutive rows that make a table for the tables rule (`tables`): two, a header
/// and one row, the smallest table there is.
pub const TABLE_MIN_ROWS: usize = 2;

/// The rows of a tab-separated table (consecutive lines with the same
/// number of tabs, at least one) are one unit: the model's verdicts on them
/// are replaced by one verdict from their mean score, so a table is kept or
/// dropped whole instead of losing its shortest rows. Lines the lexicon or a
/// protect phrase decided keep their verdict.
fn tables(text: &[u8], threshold: f32, out: &mut [Verdict]) {
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
