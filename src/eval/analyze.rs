//! Error analysis: runs a cleaner over uncleaned pages with gold texts,
//! labels each line content or boilerplate from the gold
//! ([`crate::label::label_lines`]), and reports which lines the cleaner kept
//! or dropped wrongly, grouped by normalised line, with the cause it gave.
//!
//! Words are counted beside lines throughout: the metric counts words, so a
//! dropped 80-word paragraph costs more than eighty dropped "Share" buttons.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::ops::AddAssign;

use rayon::prelude::*;
use serde::Serialize;

use super::{macro_average, truncate, visible, word_overlap, Overlap, Page, Score};
use crate::cleaner::{write_kept, Cleaner, Document};
use crate::label::{for_each_word, label_lines};
use crate::line::{lines, Normalizer};
use crate::stats::LineStats;
use crate::verdict::{Cause, Verdict};

/// How many characters of a line a sample shows. About one terminal line
/// after the counts, and enough to recognise a widget.
const SAMPLE_CHARS: usize = 100;

/// Lines (or words) by label and decision.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Confusion {
    /// Labelled content and kept: right.
    pub content_kept: u64,
    /// Labelled content and dropped: wrong, costs recall.
    pub content_dropped: u64,
    /// Labelled boilerplate and kept: wrong, costs precision.
    pub boilerplate_kept: u64,
    /// Labelled boilerplate and dropped: right.
    pub boilerplate_dropped: u64,
}

impl Confusion {
    fn count(&mut self, content: bool, kept: bool, n: u64) {
        match (content, kept) {
            (true, true) => self.content_kept += n,
            (true, false) => self.content_dropped += n,
            (false, true) => self.boilerplate_kept += n,
            (false, false) => self.boilerplate_dropped += n,
        }
    }

    /// Wrong decisions: content dropped plus boilerplate kept.
    pub fn wrong(&self) -> u64 {
        self.content_dropped + self.boilerplate_kept
    }
}

impl AddAssign for Confusion {
    fn add_assign(&mut self, o: Confusion) {
        self.content_kept += o.content_kept;
        self.content_dropped += o.content_dropped;
        self.boilerplate_kept += o.boilerplate_kept;
        self.boilerplate_dropped += o.boilerplate_dropped;
    }
}

/// The decisions made for one kind of cause ([`Cause::kind`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CauseCounts {
    /// The cause's kind.
    pub cause: String,
    /// Lines decided by this cause.
    pub lines: Confusion,
    /// The words of those lines.
    pub words: Confusion,
}

/// Lines wrongly decided that share one normal form
/// ([`crate::line::Normalizer`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LineGroup {
    /// Wrongly decided lines with this normal form.
    pub lines: u64,
    /// Their words.
    pub words: u64,
    /// Pages with at least one of them.
    pub pages: u64,
    /// The first such line (in page order), trimmed and cut to about 100 characters.
    pub sample: String,
    /// The page of the sample.
    pub sample_page: String,
    /// The most frequent cause given for these lines, as [`Cleaner::describe`] words it.
    pub cause: String,
    /// That cause's kind ([`Cause::kind`]).
    pub cause_kind: String,
}

/// Where a line stands against the gold: before the page's first line
/// labelled content, between its first and last (inside), or after the last.
/// A page without content lines counts all its lines as before.
const PLACES: [&str; 3] = ["before", "inside", "after"];

/// Line lengths in words: short (at most four), middling, long (twelve or
/// more). Long lines after the article, reader comments and other stories'
/// summaries, were the largest class of wrongly kept words on every set
/// but one in the analysis that set these bounds (DESIGN.md); lines of up
/// to four words are the menu and widget lines.
const LENGTHS: [&str; 3] = ["short", "middling", "long"];

/// The length class ([`LENGTHS`]) of a line of `words` words.
fn length_class(words: u64) -> usize {
    match words {
        0..=4 => 0,
        5..=11 => 1,
        _ => 2,
    }
}

/// The wrong decisions of one place and length, and what getting them right
/// would add to the macro F1.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PlaceCounts {
    /// Before, inside or after the gold's content lines.
    pub place: String,
    /// Short, middling or long.
    pub length: String,
    /// Words of boilerplate lines kept here.
    pub kept_words: u64,
    /// The macro word F1 gained if those lines were dropped.
    pub kept_gain: f64,
    /// Words of content lines dropped here.
    pub dropped_words: u64,
    /// The macro word F1 gained if those lines were kept.
    pub dropped_gain: f64,
}

/// What [`analyze`] found.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Analysis {
    /// Pages analysed.
    pub pages: usize,
    /// Pages whose gold has words (the pages averaged below).
    pub scored: usize,
    /// Macro word figures of the cleaned pages.
    pub cleaned: Score,
    /// Macro word figures of keeping exactly the lines labelled content: the
    /// score that a cleaner without errors by these labels would reach.
    pub oracle: Score,
    /// Lines with words, by label and decision.
    pub lines: Confusion,
    /// Words, by the label and decision of their line.
    pub words: Confusion,
    /// Lines without words: no label, no say in the metric.
    pub lines_without_words: u64,
    /// Decisions by cause kind, sorted by kind.
    pub causes: Vec<CauseCounts>,
    /// Wrong decisions by place (before, inside, after) and within each by
    /// length (short, middling, long): which class of errors costs the most
    /// F1.
    pub places: Vec<PlaceCounts>,
    /// Distinct normal forms among the boilerplate lines kept.
    pub wrongly_kept_groups: usize,
    /// The boilerplate lines most often kept, most frequent first.
    pub wrongly_kept: Vec<LineGroup>,
    /// Distinct normal forms among the content lines dropped.
    pub wrongly_dropped_groups: usize,
    /// The content lines most often dropped, most frequent first.
    pub wrongly_dropped: Vec<LineGroup>,
}

/// The two passes of a cleaner. [`Cleaner`] is the one; tests also run a
/// classifier whose decisions they can predict.
pub(crate) trait Classifier: Sync {
    fn observe(&self, doc: &Document<'_>, stats: &mut LineStats);
    fn classify(&self, doc: &Document<'_>, stats: &LineStats) -> Vec<Verdict>;
    fn describe(&self, cause: &Cause) -> String;
    /// The name errors are counted under: by default the cause's kind.
    fn cause_name(&self, cause: &Cause) -> String {
        cause.kind().to_string()
    }
}

impl Classifier for Cleaner {
    fn observe(&self, doc: &Document<'_>, stats: &mut LineStats) {
        Cleaner::observe(self, doc, stats)
    }
    fn classify(&self, doc: &Document<'_>, stats: &LineStats) -> Vec<Verdict> {
        Cleaner::classify(self, doc, stats)
    }
    fn describe(&self, cause: &Cause) -> String {
        Cleaner::describe(self, cause)
    }
    fn cause_name(&self, cause: &Cause) -> String {
        Cleaner::cause_name(self, cause).to_string()
    }
}

/// Runs `cleaner` over `pages` (uncleaned text, gold and site each) as
/// `clean` would over one corpus: pass 1 over all pages, then pass 2 on each;
/// labels every line from the gold and counts right and wrong decisions,
/// keeping the `top` most frequent wrongly kept and wrongly dropped lines.
/// Runs in parallel; the result does not depend on the number of threads.
pub fn analyze(cleaner: &Cleaner, pages: &[Page], top: usize) -> Analysis {
    analyze_with(cleaner, pages, top)
}

/// One wrongly decided line of a page.
struct ErrorLine {
    line: u32,
    kept: bool,
    fp: u64,
    cause: Cause,
    words: u64,
}

#[derive(Default)]
struct PageResult {
    lines: Confusion,
    words: Confusion,
    without_words: u64,
    causes: BTreeMap<String, (Confusion, Confusion)>,
    errors: Vec<ErrorLine>,
    cleaned: Overlap,
    oracle: Overlap,
    /// Per place and length: wrongly kept words, the page's F1 gain if they
    /// were dropped, wrongly dropped words, the gain if they were kept.
    places: [[(u64, f64, u64, f64); 3]; 3],
}

fn doc(p: &Page) -> Document<'_> {
    Document {
        text: p.text.as_bytes(),
        site: p.site.as_deref(),
    }
}

pub(crate) fn analyze_with<C: Classifier>(c: &C, pages: &[Page], top: usize) -> Analysis {
    let stats = pages
        .par_iter()
        .fold(LineStats::new, |mut s, p| {
            c.observe(&doc(p), &mut s);
            s
        })
        .reduce(LineStats::new, |a, b| a + b);
    let results: Vec<PageResult> = pages
        .par_iter()
        .map(|p| analyze_page(c, p, &stats))
        .collect();

    let mut a = Analysis {
        pages: pages.len(),
        ..Analysis::default()
    };
    let mut causes: BTreeMap<String, (Confusion, Confusion)> = BTreeMap::new();
    let mut groups: [HashMap<u64, Group>; 2] = [HashMap::new(), HashMap::new()];
    for (i, r) in results.iter().enumerate() {
        a.lines += r.lines;
        a.words += r.words;
        a.lines_without_words += r.without_words;
        for (k, (l, w)) in &r.causes {
            let e = causes.entry(k.clone()).or_default();
            e.0 += *l;
            e.1 += *w;
        }
        for e in &r.errors {
            let g = groups[e.kept as usize].entry(e.fp).or_insert(Group {
                lines: 0,
                words: 0,
                pages: 0,
                last_page: usize::MAX,
                first: (i, e.line),
                causes: HashMap::new(),
            });
            g.lines += 1;
            g.words += e.words;
            if g.last_page != i {
                g.pages += 1;
                g.last_page = i;
            }
            *g.causes.entry(e.cause).or_insert(0) += 1;
        }
    }
    a.scored = results.iter().filter(|r| r.cleaned.gold > 0).count();
    let scored = a.scored.max(1) as f64;
    for (place, name) in PLACES.iter().enumerate() {
        for (length, length_name) in LENGTHS.iter().enumerate() {
            let mut c = PlaceCounts {
                place: name.to_string(),
                length: length_name.to_string(),
                ..PlaceCounts::default()
            };
            for r in &results {
                let (kw, kg, dw, dg) = r.places[place][length];
                c.kept_words += kw;
                c.kept_gain += kg / scored;
                c.dropped_words += dw;
                c.dropped_gain += dg / scored;
            }
            a.places.push(c);
        }
    }
    a.cleaned = macro_average(results.iter().filter_map(|r| r.cleaned.score()));
    a.oracle = macro_average(results.iter().filter_map(|r| r.oracle.score()));
    a.causes = causes
        .into_iter()
        .map(|(k, (lines, words))| CauseCounts {
            cause: k.to_string(),
            lines,
            words,
        })
        .collect();
    let [dropped, kept] = groups;
    a.wrongly_kept_groups = kept.len();
    a.wrongly_dropped_groups = dropped.len();
    a.wrongly_kept = top_groups(c, pages, kept, top);
    a.wrongly_dropped = top_groups(c, pages, dropped, top);
    a
}

struct Group {
    lines: u64,
    words: u64,
    pages: u64,
    last_page: usize,
    /// (page, line) of the first occurrence, for the sample and for ties.
    first: (usize, u32),
    causes: HashMap<Cause, u64>,
}

fn top_groups<C: Classifier>(
    c: &C,
    pages: &[Page],
    groups: HashMap<u64, Group>,
    top: usize,
) -> Vec<LineGroup> {
    let mut groups: Vec<Group> = groups.into_values().collect();
    // Most lines first, then most words; the first occurrence breaks ties so
    // that the order is total and the same on every run.
    groups.sort_by(|a, b| {
        b.lines
            .cmp(&a.lines)
            .then(b.words.cmp(&a.words))
            .then(a.first.cmp(&b.first))
    });
    groups
        .into_iter()
        .take(top)
        .map(|g| {
            let (cause, _) = g
                .causes
                .iter()
                .max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(x.0)))
                .expect("a group has at least one line");
            let page = &pages[g.first.0];
            let text = page.text.as_bytes();
            let span = lines(text)
                .nth(g.first.1 as usize)
                .expect("the line was found in this page");
            let sample = String::from_utf8_lossy(span.content(text)).replace('\t', " ");
            LineGroup {
                lines: g.lines,
                words: g.words,
                pages: g.pages,
                sample: truncate(sample.trim(), SAMPLE_CHARS),
                sample_page: page.name.clone(),
                cause: c.describe(cause),
                cause_kind: c.cause_name(cause),
            }
        })
        .collect()
}

fn analyze_page<C: Classifier>(c: &C, p: &Page, stats: &LineStats) -> PageResult {
    let d = doc(p);
    let text = d.text;
    let verdicts = c.classify(&d, stats);
    let labels = label_lines(text, &p.gold);
    let spans: Vec<_> = lines(text).collect();
    // Real asserts: zip would silently drop the lines past the shorter list.
    assert_eq!(verdicts.len(), spans.len(), "one verdict per line");
    assert_eq!(labels.len(), spans.len(), "one label per line");

    let mut r = PageResult::default();
    let content_lines = || labels.iter().enumerate().filter(|(_, l)| **l == Some(true));
    let first = content_lines().next().map_or(usize::MAX, |(i, _)| i);
    let last = content_lines().next_back().map_or(usize::MAX, |(i, _)| i);
    let place = |i: usize| {
        if first == usize::MAX || i < first {
            0
        } else if i <= last {
            1
        } else {
            2
        }
    };
    // The wrong lines of each place and length, to score each class fixed.
    let mut classes: [[Vec<usize>; 3]; 3] = Default::default();
    let mut n = Normalizer::new();
    let mut oracle = String::new();
    for (i, ((span, v), label)) in spans.iter().zip(&verdicts).zip(&labels).enumerate() {
        let Some(content) = *label else {
            r.without_words += 1;
            continue;
        };
        let line = String::from_utf8_lossy(span.content(text));
        let mut words = 0u64;
        for_each_word(&line, |_| words += 1);
        r.lines.count(content, v.keep, 1);
        r.words.count(content, v.keep, words);
        let e = r.causes.entry(c.cause_name(&v.cause)).or_default();
        e.0.count(content, v.keep, 1);
        e.1.count(content, v.keep, words);
        if content != v.keep {
            let (p, l) = (place(i), length_class(words));
            classes[p][l].push(i);
            let cell = &mut r.places[p][l];
            if v.keep {
                cell.0 += words;
            } else {
                cell.2 += words;
            }
            r.errors.push(ErrorLine {
                line: i as u32,
                kept: v.keep,
                fp: n.fingerprint(span.content(text)),
                cause: v.cause,
                words,
            });
        }
        if content {
            oracle.push_str(&line);
            oracle.push('\n');
        }
    }
    let mut kept = Vec::with_capacity(text.len());
    write_kept(text, &verdicts, &mut kept);
    r.cleaned = word_overlap(&String::from_utf8_lossy(&kept), &p.gold);
    r.oracle = word_overlap(&oracle, &p.gold);
    if let Some(now) = r.cleaned.score() {
        // Each class's lines decided right, the others as they were: the
        // page's F1 then, less its F1 now. The kept and the dropped lines
        // of a class are scored apart.
        let mut fixed = verdicts.clone();
        for (at, row) in classes.iter().enumerate() {
            for (length, wrong) in row.iter().enumerate() {
                for keep in [true, false] {
                    let flip: Vec<usize> = wrong
                        .iter()
                        .copied()
                        .filter(|&i| verdicts[i].keep == keep)
                        .collect();
                    if flip.is_empty() {
                        continue;
                    }
                    for &i in &flip {
                        fixed[i].keep = !keep;
                    }
                    kept.clear();
                    write_kept(text, &fixed, &mut kept);
                    let then = word_overlap(&String::from_utf8_lossy(&kept), &p.gold);
                    let gain = then.score().map_or(0.0, |s| s.f1 - now.f1);
                    for &i in &flip {
                        fixed[i].keep = keep;
                    }
                    let cell = &mut r.places[at][length];
                    if keep {
                        cell.1 += gain;
                    } else {
                        cell.3 += gain;
                    }
                }
            }
        }
    }
    r
}

impl Analysis {
    /// Writes the analysis as one pretty-printed JSON object and a newline.
    pub fn write_json<W: Write>(&self, mut w: W) -> io::Result<()> {
        // The writer's own error, as it was (see `Report::write_json`).
        serde_json::to_writer_pretty(&mut w, self).map_err(io::Error::from)?;
        w.write_all(b"\n")
    }

    /// Writes the analysis as text: totals, decisions by cause, wrong
    /// decisions by place and length, and the two lists of lines.
    pub fn write_text<W: Write>(&self, mut w: W) -> io::Result<()> {
        writeln!(w, "pages {}, scored {}", self.pages, self.scored)?;
        let (c, o) = (self.cleaned, self.oracle);
        writeln!(
            w,
            "word F1 {:.3} (P {:.3}, R {:.3}); keeping exactly the lines labelled content: F1 {:.3}",
            c.f1, c.precision, c.recall, o.f1
        )?;
        for (what, x) in [("lines", self.lines), ("words", self.words)] {
            writeln!(
                w,
                "{what}: content {} (kept {}, dropped {}), boilerplate {} (kept {}, dropped {})",
                x.content_kept + x.content_dropped,
                x.content_kept,
                x.content_dropped,
                x.boilerplate_kept + x.boilerplate_dropped,
                x.boilerplate_kept,
                x.boilerplate_dropped,
            )?;
        }
        writeln!(w, "lines without words: {}", self.lines_without_words)?;
        writeln!(w)?;
        let cw = self
            .causes
            .iter()
            .map(|c| c.cause.len())
            .max()
            .unwrap_or(0)
            .max(14);
        writeln!(
            w,
            "{:<cw$} {:>11} {:>11} {:>11} {:>11}   {:>12} {:>12}",
            "by cause",
            "kept-ok",
            "kept-bad",
            "dropped-ok",
            "dropped-bad",
            "wds-kept-bad",
            "wds-lost"
        )?;
        for cc in &self.causes {
            writeln!(
                w,
                "{:<cw$} {:>11} {:>11} {:>11} {:>11}   {:>12} {:>12}",
                cc.cause,
                cc.lines.content_kept,
                cc.lines.boilerplate_kept,
                cc.lines.boilerplate_dropped,
                cc.lines.content_dropped,
                cc.words.boilerplate_kept,
                cc.words.content_dropped,
            )?;
        }
        writeln!(w)?;
        writeln!(
            w,
            "{:<24} {:>12} {:>10}   {:>12} {:>10}",
            "by place and length", "wds-kept-bad", "F1 if out", "wds-lost", "F1 if in"
        )?;
        for pc in &self.places {
            writeln!(
                w,
                "{:<24} {:>12} {:>+10.4} {:>14} {:>+10.4}",
                format!("{} {}", pc.place, pc.length),
                pc.kept_words,
                pc.kept_gain,
                pc.dropped_words,
                pc.dropped_gain,
            )?;
        }
        for (title, total, list) in [
            (
                "wrongly kept (boilerplate kept)",
                self.wrongly_kept_groups,
                &self.wrongly_kept,
            ),
            (
                "wrongly dropped (content dropped)",
                self.wrongly_dropped_groups,
                &self.wrongly_dropped,
            ),
        ] {
            writeln!(w)?;
            if total == 0 {
                writeln!(w, "{title}: none")?;
                continue;
            }
            if list.is_empty() {
                // Asked for no lines (a `top` of 0): the count is still
                // there, as in the JSON.
                writeln!(w, "{title}: {total} distinct lines, none listed")?;
                continue;
            }
            writeln!(
                w,
                "{title}: {total} distinct lines, the {} most frequent",
                list.len()
            )?;
            writeln!(
                w,
                "{:>7} {:>7} {:>6}  {:<24}  line",
                "lines", "words", "pages", "cause"
            )?;
            for g in list {
                writeln!(
                    w,
                    "{:>7} {:>7} {:>6}  {:<24}  {}",
                    g.lines,
                    g.words,
                    g.pages,
                    truncate(&g.cause, 24),
                    visible(&g.sample)
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drops every line with the word "menu" (cause: shape) and every line
    /// seen in more than one page (cause: corpus repeat); keeps the rest.
    struct Toy;

    impl Classifier for Toy {
        fn observe(&self, doc: &Document<'_>, stats: &mut LineStats) {
            Cleaner::new().observe(doc, stats)
        }
        fn classify(&self, doc: &Document<'_>, stats: &LineStats) -> Vec<Verdict> {
            let mut n = Normalizer::new();
            lines(doc.text)
                .map(|l| {
                    let t = std::str::from_utf8(l.content(doc.text)).unwrap();
                    let df = stats.corpus_df(n.fingerprint(t.as_bytes()));
                    let (keep, cause) = if t.to_lowercase().contains("menu") {
                        (false, Cause::Shape)
                    } else if df > 1 {
                        (false, Cause::CorpusRepeat { df })
                    } else {
                        (true, Cause::Content)
                    };
                    Verdict {
                        keep,
                        score: keep as u8 as f32,
                        cause,
                    }
                })
                .collect()
        }
        fn describe(&self, cause: &Cause) -> String {
            match cause {
                Cause::CorpusRepeat { df } => format!("in {df} pages"),
                c => c.kind().to_string(),
            }
        }
    }

    fn pages() -> Vec<Page> {
        vec![
            Page::new(
                "one",
                "Main menu\nShare this\nThe council met on Monday.\nIt voted to build a bridge.\nSign up now\n",
                "The council met on Monday. It voted to build a bridge.",
            ),
            Page::new(
                "two",
                "Main MENU!\nShare this\nThe menu of the new cafe is short.\nPrices are low.\n***\n",
                "The menu of the new cafe is short. Prices are low.",
            ),
        ]
    }

    #[test]
    fn toy_errors_are_grouped_and_counted() {
        let a = analyze_with(&Toy, &pages(), 10);
        assert_eq!((a.pages, a.scored), (2, 2));
        // Labels: one: B B C C B; two: B B C C (none).
        assert_eq!(
            a.lines,
            Confusion {
                content_kept: 3,
                content_dropped: 1,
                boilerplate_kept: 1,
                boilerplate_dropped: 4
            }
        );
        assert_eq!(a.lines_without_words, 1);
        // "Sign up now" is the only boilerplate kept.
        assert_eq!(a.wrongly_kept.len(), 1);
        assert_eq!(a.wrongly_kept[0].sample, "Sign up now");
        assert_eq!(a.wrongly_kept[0].words, 3);
        assert_eq!(a.wrongly_kept[0].cause, "content");
        // The cafe's menu line is content dropped for its word "menu".
        assert_eq!(a.wrongly_dropped.len(), 1);
        let g = &a.wrongly_dropped[0];
        assert_eq!(g.sample, "The menu of the new cafe is short.");
        assert_eq!((g.lines, g.words, g.pages), (1, 8, 1));
        assert_eq!(
            (g.cause_kind.as_str(), g.sample_page.as_str()),
            ("shape", "two")
        );
        assert_eq!(a.words.content_dropped, 8);
        // By cause: the shape rule dropped both "Main menu" lines rightly.
        let shape = a.causes.iter().find(|c| c.cause == "shape").unwrap();
        assert_eq!(shape.lines.boilerplate_dropped, 2);
        assert_eq!(shape.lines.content_dropped, 1);
        let repeat = a
            .causes
            .iter()
            .find(|c| c.cause == "corpus-repeat")
            .unwrap();
        assert_eq!(repeat.lines.boilerplate_dropped, 2);
        // By place and length: "Sign up now" is after the article and
        // short, the cafe's line inside it and middling; either decided
        // right makes its page perfect (F1 22/25 and 6/14 now), which adds
        // half the difference to the mean of two pages.
        assert_eq!(a.places.len(), 9);
        let cell = |place: &str, length: &str| {
            a.places
                .iter()
                .find(|c| c.place == place && c.length == length)
                .unwrap()
        };
        let after = cell("after", "short");
        assert_eq!((after.kept_words, after.dropped_words), (3, 0));
        assert!((after.kept_gain - (1.0 - 22.0 / 25.0) / 2.0).abs() < 1e-9);
        let inside = cell("inside", "middling");
        assert_eq!((inside.kept_words, inside.dropped_words), (0, 8));
        assert!((inside.dropped_gain - (1.0 - 6.0 / 14.0) / 2.0).abs() < 1e-9);
        let all: u64 = a
            .places
            .iter()
            .map(|c| c.kept_words + c.dropped_words)
            .sum();
        assert_eq!(all, 11);
        // The oracle keeps exactly the gold's words here.
        assert_eq!(a.oracle.f1, 1.0);
        assert!(a.cleaned.recall < 1.0 && a.cleaned.precision < 1.0);
    }

    #[test]
    fn groups_merge_normal_forms_across_pages() {
        // A classifier that keeps everything: every boilerplate line is an error.
        struct KeepAll;
        impl Classifier for KeepAll {
            fn observe(&self, _: &Document<'_>, _: &mut LineStats) {}
            fn classify(&self, doc: &Document<'_>, _: &LineStats) -> Vec<Verdict> {
                lines(doc.text)
                    .map(|_| Verdict {
                        keep: true,
                        score: 1.0,
                        cause: Cause::Content,
                    })
                    .collect()
            }
            fn describe(&self, c: &Cause) -> String {
                c.kind().into()
            }
        }
        let a = analyze_with(&KeepAll, &pages(), 10);
        // "Main menu" and "Main MENU!" share a normal form, and so do the two
        // "Share this": two groups of two lines over two pages, then "Sign up".
        assert_eq!(a.wrongly_kept_groups, 3);
        let counts: Vec<_> = a.wrongly_kept.iter().map(|g| (g.lines, g.pages)).collect();
        assert_eq!(counts, [(2, 2), (2, 2), (1, 1)]);
        assert_eq!(a.wrongly_kept[0].sample, "Main menu");
        assert_eq!(a.wrongly_kept[1].sample, "Share this");
        assert!(a.wrongly_dropped.is_empty());
        // `top` cuts the list, not the count.
        let a1 = analyze_with(&KeepAll, &pages(), 1);
        assert_eq!(a1.wrongly_kept.len(), 1);
        assert_eq!(a1.wrongly_kept_groups, 3);
    }

    #[test]
    fn text_and_json_render() {
        let a = analyze_with(&Toy, &pages(), 10);
        let mut t = Vec::new();
        a.write_text(&mut t).unwrap();
        let t = String::from_utf8(t).unwrap();
        assert!(
            t.contains("wrongly dropped (content dropped): 1 distinct lines"),
            "{t}"
        );
        assert!(t.contains("The menu of the new cafe is short."), "{t}");
        let mut j = Vec::new();
        a.write_json(&mut j).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&j).unwrap();
        assert_eq!(v["wrongly_kept"][0]["sample"], "Sign up now");
        assert_eq!(v["lines"]["content_dropped"], 1);
    }

    #[test]
    fn text_shows_a_sample_on_one_line() {
        // A lone CR is part of its line; shown raw it would send the
        // terminal back over the row.
        let pages = [Page::new(
            "p",
            "Sign up\rto our letter\nThe council met on Monday.\n",
            "The council met on Monday.",
        )];
        let a = analyze_with(&Toy, &pages, 10);
        assert_eq!(a.wrongly_kept[0].sample, "Sign up\rto our letter");
        let mut t = Vec::new();
        a.write_text(&mut t).unwrap();
        let t = String::from_utf8(t).unwrap();
        assert!(!t.contains('\r'), "{t:?}");
        assert!(t.contains("Sign up\\x0dto our letter"), "{t}");
    }

    #[test]
    fn text_counts_errors_when_none_are_listed() {
        // With no line asked for, the text says how many there are, as the
        // JSON does, instead of "none".
        let a = analyze_with(&Toy, &pages(), 0);
        assert!(a.wrongly_kept.is_empty());
        assert_eq!((a.wrongly_kept_groups, a.wrongly_dropped_groups), (1, 1));
        let mut t = Vec::new();
        a.write_text(&mut t).unwrap();
        let t = String::from_utf8(t).unwrap();
        assert!(!t.contains(": none"), "{t}");
        assert!(
            t.contains("wrongly kept (boilerplate kept): 1 distinct lines, none listed"),
            "{t}"
        );
        // Without errors of a kind, it says none.
        let perfect = [Page::new("p", "The council met.\n", "The council met.")];
        let a = analyze_with(&Toy, &perfect, 0);
        let mut t = Vec::new();
        a.write_text(&mut t).unwrap();
        let t = String::from_utf8(t).unwrap();
        assert!(t.contains("wrongly kept (boilerplate kept): none"), "{t}");
        assert!(t.contains("wrongly dropped (content dropped): none"), "{t}");
    }
}
