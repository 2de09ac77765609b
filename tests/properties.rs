//! Properties that hold for any classifier, checked on generated corpora
//! against naive oracles: the cleaned text of a document is made of whole
//! lines of it, in order; one thread and three give the same bytes; line
//! statistics count what a naive count gives, and add like counts; with
//! frozen statistics a verdict depends on the document alone, and settled
//! cleaning is idempotent; a JSONL record keeps every byte outside its text;
//! on any bytes the library gives one verdict a line and, keeping every
//! line, the bytes back.
//!
//! Documents mix random sentences, lines repeated across the corpus, fixed
//! chrome lines, blank and whitespace-only lines, CRLF line ends, a last line
//! without an end, and bytes that are not UTF-8. Case counts are kept small
//! so that the suite stays quick on two cores.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use boilerstrip::cleaner::write_kept;
use boilerstrip::input::discover;
use boilerstrip::pipeline::{self, Model, Options, Output, Silent};
use boilerstrip::stats::{site_key, Merger, ModelFile, Partition, SketchShape};
use boilerstrip::{Cleaner, Document, LineStats, Verdict};
use proptest::prelude::*;

use crate::util::*;

/// Cases per property: enough to meet CRLF, blank, binary and repeated lines
/// in many combinations, few enough for a debug build on two cores.
const CASES: u32 = 64;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        ..ProptestConfig::default()
    }
}

fn cleaner() -> &'static Cleaner {
    static CLEANER: OnceLock<Cleaner> = OnceLock::new();
    CLEANER.get_or_init(Cleaner::new)
}

/// Chrome lines of the kinds the tool exists to remove (written for these
/// tests).
const CHROME: &[&str] = &[
    "Share this post",
    "Subscribe to our newsletter",
    "Menu | Home | Sections",
    "We use cookies to improve your experience. Accept all",
    "Read more",
    "Advertisement",
    "\u{a9} 2024 Example Media. All rights reserved.",
];

const WORDS: &[&str] = &[
    "the",
    "ferry",
    "council",
    "timetable",
    "of",
    "and",
    "residents",
    "Monday",
    "letters",
    "harbour",
    "a",
    "to",
    "was",
    "said",
    "late",
    "crossing",
    "weather",
    "caf\u{e9}",
    "na\u{ef}ve",
    "\u{fc}ber",
    "12",
    "2024",
];

const SENTENCE_ENDS: &[&str] = &["", ".", "!", ":", "?"];

/// Lines without words: blank, whitespace, a rule, a bare CR.
const WORDLESS: &[&str] = &["", "", " ", "\t \t", " - ", "***", "\r"];

const JSON_SPACE: &[&str] = &["", "", " ", "  ", "\t", " \t "];

const LINE_ENDS: &[&str] = &["\n", "\r\n"];

/// The sites documents are filed under (the folder of a text file).
const SITES: &[&str] = &["a.example", "b.example", "c.example"];

/// A byte of a text with no structure, weighted toward what splits or
/// troubles lines: line ends, a lone CR, NUL, bytes that are not UTF-8,
/// spaces and punctuation; and letters, so that some lines have words.
fn raw_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => prop::sample::select(&b"\n\r\0\xff\xc3\xa9 \t.!|-"[..]),
        4 => prop::sample::select(&b"abcdefghijklmnopqrstuvwxyzAEIOU"[..]),
        1 => any::<u8>(),
    ]
}

fn sentence() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec(prop::sample::select(WORDS), 1..18),
        prop::sample::select(SENTENCE_ENDS),
    )
        .prop_map(|(words, end)| format!("{}{end}", words.join(" ")).into_bytes())
}

/// The content of one line (no `\n`; a `\r` may occur anywhere; no NUL,
/// which makes a file binary and skipped: see `reliability.rs`).
fn line_content(pool: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => sentence(),
        3 => prop::sample::select(pool),
        2 => prop::sample::select(CHROME).prop_map(|s| s.as_bytes().to_vec()),
        1 => prop::sample::select(WORDLESS)
            .prop_map(|s| s.as_bytes().to_vec()),
        1 => "[ -~]{0,60}".prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..40)
            .prop_map(|v| v.into_iter().filter(|&b| b != b'\n' && b != 0).collect()),
        1 => (sentence(), prop::collection::vec(0x80u8..=0xff, 1..4)).prop_map(|(mut s, bad)| {
            let at = s.len() / 2;
            s.splice(at..at, bad);
            s
        }),
    ]
}

/// A document made of lines from `pool` and elsewhere, with `\n` or `\r\n`
/// ends, the last one perhaps cut off.
fn document(pool: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec(
            (
                line_content(pool),
                prop_oneof![3 => Just(&b"\n"[..]), 1 => Just(&b"\r\n"[..])],
            ),
            0..24,
        ),
        any::<bool>(),
    )
        .prop_map(|(lines, cut_last_end)| {
            let mut doc = Vec::new();
            let mut last_end = 0;
            for (content, end) in lines {
                doc.extend_from_slice(&content);
                doc.extend_from_slice(end);
                last_end = end.len();
            }
            if cut_last_end {
                doc.truncate(doc.len() - last_end);
            }
            doc
        })
}

/// A generated document and the index of its site in [`SITES`].
#[derive(Clone, Debug)]
struct Doc {
    text: Vec<u8>,
    site: usize,
}

impl Doc {
    fn document(&self) -> Document<'_> {
        Document::new(&self.text).with_site(SITES[self.site])
    }
}

/// One to six documents whose lines come partly from a shared pool, so that
/// some lines repeat across documents and sites as boilerplate does.
fn corpus() -> impl Strategy<Value = Vec<Doc>> {
    prop::collection::vec(sentence(), 1..6).prop_flat_map(|pool| {
        prop::collection::vec(
            (document(pool.clone()), 0..SITES.len()).prop_map(|(text, site)| Doc { text, site }),
            1..6,
        )
    })
}

/// Writes each document to `root/SITE/doc-NN.txt`; returns their paths
/// relative to `root`, in the order of `docs`.
fn write_corpus(root: &Path, docs: &[Doc]) -> Vec<PathBuf> {
    docs.iter()
        .enumerate()
        .map(|(i, d)| {
            let rel = PathBuf::from(SITES[d.site]).join(format!("doc-{i:02}.txt"));
            write(root, rel.to_str().unwrap(), &d.text);
            rel
        })
        .collect()
}

/// The corpus statistics of `docs`, counted by the library (pass 1).
fn observe(docs: &[Doc]) -> LineStats {
    let mut stats = LineStats::new();
    for d in docs {
        cleaner().observe(&d.document(), &mut stats);
    }
    stats
}

/// Runs the pipeline over `paths` and returns what it wrote to the stream.
fn clean_stream(paths: &[PathBuf], opts: &Options) -> Vec<u8> {
    let found = discover(paths, None);
    assert!(found.problems.is_empty() && found.missing.is_empty());
    let mut out = Vec::new();
    pipeline::clean(&found.inputs, cleaner(), opts, &mut out, &Silent).unwrap();
    out
}

fn options(threads: usize) -> Options {
    Options {
        threads,
        ..Options::default()
    }
}

/// Batches of about 300 bytes: a few records each.
fn small_batches(threads: usize) -> Options {
    Options {
        threads,
        limits: boilerstrip::batch::Limits {
            batch: 300,
            ..Default::default()
        },
        ..Options::default()
    }
}

/// A verdict in a form that compares exactly (the score by its bits).
fn exact(v: &[Verdict]) -> Vec<(bool, u32, String)> {
    v.iter()
        .map(|v| (v.keep, v.score.to_bits(), format!("{:?}", v.cause)))
        .collect()
}

fn model_bytes(stats: &LineStats) -> Vec<u8> {
    let mut bytes = Vec::new();
    stats.write_to(&mut bytes).unwrap();
    bytes
}

/// The bytes of the model file that `merge` writes for these model files.
fn merge_bytes(files: &[&[u8]]) -> Vec<u8> {
    let mut m = Merger::new();
    for f in files {
        m.add(ModelFile::read_from(*f).unwrap()).unwrap();
    }
    let sum = m.finish().unwrap();
    let mut bytes = Vec::new();
    sum.stats
        .write_partition(sum.partition, &mut bytes)
        .unwrap();
    bytes
}

fn partition_bytes(stats: &LineStats, part: Partition) -> Vec<u8> {
    let mut bytes = Vec::new();
    stats.write_partition(part, &mut bytes).unwrap();
    bytes
}

/// A stream of (site, line) document counts for the sketch: line keys drawn
/// from a skewed distribution (a few lines in many documents, most in one),
/// as the line statistics of a corpus are.
fn key_stream() -> impl Strategy<Value = Vec<(u8, Vec<u16>)>> {
    let line = prop_oneof![3 => 0u16..20, 2 => 0u16..400, 1 => 0u16..5000];
    prop::collection::vec((0u8..6, prop::collection::vec(line, 1..40)), 1..150)
}

/// Adds the documents of `stream` to `stats`.
fn count_stream(stats: &mut LineStats, stream: &[(u8, Vec<u16>)]) {
    for (site, lines) in stream {
        let mut fps: Vec<u64> = lines.iter().map(|&l| fingerprint_of(l)).collect();
        stats.add_document(Some(SITES[*site as usize % SITES.len()]), &mut fps);
    }
}

fn fingerprint_of(line: u16) -> u64 {
    boilerstrip::line::fingerprint(format!("line {line}").as_bytes())
}

/// Checks a sketch against the exact table of the same documents: no count
/// under the exact one, and the share of counts over the documented bound
/// (ε·N, exceeded with probability at most δ per count) no more than δ.
fn check_sketch(sketch: &LineStats, exact: &LineStats) -> Result<(), TestCaseError> {
    let shape = sketch.sketch_shape().unwrap();
    let bound = sketch.overcount_bound();
    let (mut counts, mut over) = (0u32, 0u32);
    for l in 0..5000u16 {
        let fp = fingerprint_of(l);
        for site in SITES.iter().map(|s| Some(site_key(s))).chain([None]) {
            let (got, want) = match site {
                Some(s) => (sketch.site_df(s, fp), exact.site_df(s, fp)),
                None => (sketch.corpus_df(fp), exact.corpus_df(fp)),
            };
            prop_assert!(got >= want, "line {l}: sketch {got} < exact {want}");
            counts += 1;
            over += u32::from(f64::from(got - want) > bound);
        }
    }
    prop_assert!(
        f64::from(over) <= shape.delta() * f64::from(counts),
        "{over} of {counts} counts over the bound {bound:.2} (δ = {:.4})",
        shape.delta()
    );
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    /// `merge` of model files is associative and commutative on the bytes
    /// it writes, for whole files and for partitions; and learning in
    /// partitions, merging each partition apart, then joining them gives
    /// the bytes of the unsplit model of the whole corpus.
    #[test]
    fn merge_is_associative_commutative_and_partitions_add_up(
        a in corpus(), b in corpus(), c in corpus(), n in 1u32..5
    ) {
        let (ta, tb, tc) = (observe(&a), observe(&b), observe(&c));
        let (fa, fb, fc) = (model_bytes(&ta), model_bytes(&tb), model_bytes(&tc));
        let left = merge_bytes(&[&merge_bytes(&[&fa, &fb]), &fc]);
        let right = merge_bytes(&[&fa, &merge_bytes(&[&fb, &fc])]);
        prop_assert!(left == right, "not associative");
        prop_assert!(merge_bytes(&[&fc, &fa, &fb]) == left, "not commutative");
        prop_assert!(merge_bytes(&[&fb, &fa]) == merge_bytes(&[&fa, &fb]), "not commutative");
        let all: Vec<Doc> = a.iter().chain(&b).chain(&c).cloned().collect();
        let unsplit = model_bytes(&observe(&all));
        prop_assert!(left == unsplit, "the merge is not the model of the union");

        // Each shard split in n ranges; each range merged on its own (in
        // another order for each), then the ranges joined.
        let mut ranges = Vec::new();
        for p in Partition::all(n) {
            let parts = [&ta, &tb, &tc].map(|t| partition_bytes(t, p));
            let one = merge_bytes(&[&parts[2], &parts[0], &parts[1]]);
            let other = merge_bytes(&[&merge_bytes(&[&parts[1], &parts[2]]), &parts[0]]);
            prop_assert!(one == other, "partition {} of {n}: merge depends on the order", p.index);
            prop_assert!(one == partition_bytes(&observe(&all), p), "partition {} of {n}", p.index);
            ranges.push(one);
        }
        ranges.reverse();
        let refs: Vec<&[u8]> = ranges.iter().map(|r| &r[..]).collect();
        prop_assert!(merge_bytes(&refs) == unsplit, "joined partitions differ from the unsplit model");
    }

    /// A count-min sketch never under-counts and over-counts within its
    /// documented bound (ε·N with probability 1 − δ per count), alone and
    /// after two sketches are added; sketch files merge associatively and
    /// commutatively too.
    #[test]
    fn sketch_counts_stay_within_the_bound(
        s1 in key_stream(), s2 in key_stream(), s3 in key_stream(), kib in 1u64..8
    ) {
        let shape = SketchShape::for_bytes(kib << 10).unwrap();
        let sketch_of = |s: &[(u8, Vec<u16>)]| {
            let mut t = LineStats::with_sketch(shape);
            count_stream(&mut t, s);
            t
        };
        let exact_of = |s: &[(u8, Vec<u16>)]| {
            let mut t = LineStats::new();
            count_stream(&mut t, s);
            t
        };
        let (k1, k2, k3) = (sketch_of(&s1), sketch_of(&s2), sketch_of(&s3));
        check_sketch(&k1, &exact_of(&s1))?;
        let both: Vec<_> = s1.iter().chain(&s2).cloned().collect();
        check_sketch(&(k1.clone() + k2.clone()), &exact_of(&both))?;
        let (f1, f2, f3) = (model_bytes(&k1), model_bytes(&k2), model_bytes(&k3));
        let left = merge_bytes(&[&merge_bytes(&[&f1, &f2]), &f3]);
        prop_assert!(left == merge_bytes(&[&f1, &merge_bytes(&[&f2, &f3])]), "not associative");
        prop_assert!(left == merge_bytes(&[&f3, &f2, &f1]), "not commutative");
    }

    /// The library on any bytes (line ends of every kind, NUL, bytes that
    /// are not UTF-8, no line end at the end), with statistics from no
    /// document, from the text itself or from another text: one verdict a
    /// line of a naive split at `\n`, each with a score in `0..=1`; the kept
    /// lines are whole lines of the text in order; verdicts that keep every
    /// line give the text back byte for byte.
    #[test]
    fn any_bytes_give_a_verdict_a_line_and_keeping_all_gives_them_back(
        text in prop::collection::vec(raw_byte(), 0..400),
        other in prop::collection::vec(raw_byte(), 0..200),
        site in prop::option::of("[a-z.]{0,12}"),
    ) {
        let c = cleaner();
        let doc = Document { text: &text, site: site.as_deref() };
        let mut own = LineStats::new();
        c.observe(&doc, &mut own);
        let mut foreign = LineStats::new();
        c.observe(&Document { text: &other, site: site.as_deref() }, &mut foreign);
        let naive = lines(&text);
        for stats in [&LineStats::new(), &own, &foreign] {
            let v = c.classify(&doc, stats);
            prop_assert_eq!(v.len(), naive.len());
            prop_assert!(v.iter().all(|v| (0.0..=1.0).contains(&v.score)), "{:?}", v);
            let mut kept = Vec::new();
            write_kept(&text, &v, &mut kept);
            prop_assert!(is_subsequence(&lines(&kept), &naive));
            let all: Vec<Verdict> = v.iter().map(|v| Verdict { keep: true, ..*v }).collect();
            let mut back = Vec::new();
            write_kept(&text, &all, &mut back);
            prop_assert_eq!(&back, &text);
        }
    }

    /// Each document's cleaned file is a subsequence of its lines, byte for
    /// byte (checked by a naive walk over both), and is exactly what the
    /// library's verdicts keep.
    #[test]
    fn cleaned_text_is_an_in_order_subsequence_of_the_input_lines(docs in corpus()) {
        let tmp = tempfile::tempdir().unwrap();
        let input = tmp.path().join("in");
        let output = tmp.path().join("out");
        let rels = write_corpus(&input, &docs);
        let opts = Options {
            output: Output::Dir(output.clone()),
            ..options(1)
        };
        prop_assert!(clean_stream(&[input], &opts).is_empty());
        let stats = observe(&docs);
        for (d, rel) in docs.iter().zip(&rels) {
            let got = std::fs::read(output.join(rel)).unwrap();
            prop_assert!(
                is_subsequence(&lines(&got), &lines(&d.text)),
                "{}: not a subsequence of the input lines:\n{:?}\nof\n{:?}",
                rel.display(),
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&d.text)
            );
            let mut want = Vec::new();
            write_kept(&d.text, &cleaner().classify(&d.document(), &stats), &mut want);
            prop_assert!(got == want, "{}: the output is not what the verdicts keep", rel.display());
        }
    }

    /// Text, JSONL and WET inputs cleaned (and explained, and counted) with
    /// one thread and with three give the same bytes.
    #[test]
    fn one_and_three_threads_give_identical_output(docs in corpus()) {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("in");
        write_corpus(&root, &docs);
        let mut jsonl = String::new();
        let mut wet = String::new();
        for (i, d) in docs.iter().enumerate() {
            let text = String::from_utf8_lossy(&d.text);
            let url = format!("https://{}/{i}", SITES[d.site]);
            jsonl.push_str(&serde_json::json!({"id": i, "url": url, "text": text}).to_string());
            jsonl.push('\n');
            wet.push_str(&wet_record("conversion", &url, &text));
        }
        write(&root, "feed/shard.jsonl", jsonl.as_bytes());
        write(&root, "feed/crawl.warc.wet", wet.as_bytes());
        let paths = [root];
        for explain in [false, true] {
            let run = |threads| {
                clean_stream(&paths, &Options { explain, ..options(threads) })
            };
            let one = run(1);
            let three = run(3);
            prop_assert!(!one.is_empty());
            prop_assert!(one == three, "--explain {explain}: output differs");
            // Batches of a few records each, cleaned in parallel: the JSONL
            // and WET files in many pieces give the same output.
            let batched = clean_stream(&paths, &Options { explain, ..small_batches(3) });
            prop_assert!(one == batched, "--explain {explain}: small batches differ");
        }
        let found = discover(&paths, None);
        let learn = |threads| {
            let (stats, run) = pipeline::statistics(&found.inputs, &options(threads), &Silent).unwrap();
            (model_bytes(&stats), run.documents_in, run.text_in.lines)
        };
        prop_assert_eq!(learn(1), learn(3));
        let (stats, _) = pipeline::statistics(&found.inputs, &small_batches(3), &Silent).unwrap();
        prop_assert!(model_bytes(&stats) == learn(1).0, "small batches learn the same table");
    }

    /// The table counts what a naive count over the documents gives: for
    /// each line's normal form, the documents of the corpus and of each
    /// site that hold it (once per document, empty normal forms not at
    /// all), and each site's documents; a line of no document counts 0.
    #[test]
    fn line_stats_count_what_a_naive_count_gives(docs in corpus()) {
        use std::collections::{BTreeMap, BTreeSet};
        let stats = observe(&docs);
        let mut norm = boilerstrip::line::Normalizer::new();
        // normal form -> the documents holding it, with their sites.
        let mut holders: BTreeMap<Vec<u8>, BTreeSet<(usize, usize)>> = BTreeMap::new();
        for (i, d) in docs.iter().enumerate() {
            for line in lines(&d.text) {
                let normal = norm.normalize(content(line)).to_vec();
                if !normal.is_empty() {
                    holders.entry(normal).or_default().insert((i, d.site));
                }
            }
        }
        prop_assert_eq!(stats.documents(), docs.len() as u64);
        prop_assert_eq!(stats.distinct_lines(), holders.len());
        for (site, name) in SITES.iter().enumerate() {
            let of_site = docs.iter().filter(|d| d.site == site).count();
            prop_assert_eq!(stats.site_docs(site_key(name)) as usize, of_site, "{}", name);
        }
        for (normal, held) in &holders {
            let fp = boilerstrip::line::fingerprint(normal);
            let shown = String::from_utf8_lossy(normal);
            prop_assert_eq!(stats.corpus_df(fp) as usize, held.len(), "{:?}", shown);
            for (site, name) in SITES.iter().enumerate() {
                let in_site = held.iter().filter(|&&(_, s)| s == site).count();
                prop_assert_eq!(
                    stats.site_df(site_key(name), fp) as usize, in_site, "{:?} in {}", shown, name
                );
            }
        }
        let absent = boilerstrip::line::fingerprint(b"a line no document holds");
        prop_assert_eq!(stats.corpus_df(absent), 0);
    }

    /// `+` on line statistics is associative and commutative, the empty
    /// table is its identity, and the sum of two corpora's tables is the
    /// table of both: compared as values and as model-file bytes.
    #[test]
    fn line_stats_add_like_counts(a in corpus(), b in corpus(), c in corpus()) {
        let (ta, tb, tc) = (observe(&a), observe(&b), observe(&c));
        let empty = LineStats::new();
        let same = |x: &LineStats, y: &LineStats| x == y && model_bytes(x) == model_bytes(y);
        let left = (ta.clone() + tb.clone()) + tc.clone();
        let right = ta.clone() + (tb.clone() + tc.clone());
        prop_assert!(same(&left, &right), "not associative");
        prop_assert!(same(&(ta.clone() + tb.clone()), &(tb.clone() + ta.clone())), "not commutative");
        prop_assert!(same(&(ta.clone() + empty.clone()), &ta), "empty is not a right identity");
        prop_assert!(same(&(empty.clone() + ta.clone()), &ta), "empty is not a left identity");
        let mut acc = ta.clone();
        acc += tb.clone();
        prop_assert!(same(&acc, &(ta.clone() + tb.clone())), "+= differs from +");
        let all: Vec<Doc> = a.iter().chain(&b).chain(&c).cloned().collect();
        prop_assert!(same(&observe(&all), &left), "the sum is not the table of the union");
        prop_assert_eq!(left.documents(), (a.len() + b.len() + c.len()) as u64);
        let read = LineStats::read_from(&model_bytes(&left)[..]).unwrap();
        prop_assert!(same(&read, &left), "the model file does not round-trip");
    }

    /// With frozen statistics, a document's verdicts depend on the document
    /// alone: the same after classifying other documents, after the table
    /// went through a model file, on another thread, with a reused vector;
    /// and the pipeline cleans a file alone as it cleans it in the corpus.
    #[test]
    fn frozen_statistics_make_verdicts_a_function_of_the_document(docs in corpus()) {
        let stats = observe(&docs);
        let reread = LineStats::read_from(&model_bytes(&stats)[..]).unwrap();
        let first: Vec<Vec<Verdict>> = docs
            .iter()
            .map(|d| cleaner().classify(&d.document(), &stats))
            .collect();
        let mut reused = Vec::new();
        for (d, v) in docs.iter().zip(&first).rev() {
            prop_assert_eq!(v.len(), lines(&d.text).len(), "one verdict per line");
            prop_assert_eq!(exact(v), exact(&cleaner().classify(&d.document(), &reread)));
            cleaner().classify_into(&d.document(), &stats, &mut reused);
            prop_assert_eq!(exact(v), exact(&reused));
        }
        let other = cleaner().clone();
        let on_thread: Vec<Vec<Verdict>> = std::thread::scope(|s| {
            s.spawn(|| docs.iter().rev().map(|d| other.classify(&d.document(), &stats)).collect())
                .join()
                .unwrap()
        });
        for (v, w) in first.iter().zip(on_thread.iter().rev()) {
            prop_assert_eq!(exact(v), exact(w));
        }

        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("in");
        let rels = write_corpus(&root, &docs);
        let frozen = Options {
            model: Model::Given(stats.clone()),
            ..options(2)
        };
        let together = clean_stream(std::slice::from_ref(&root), &frozen);
        // Discovery sorts by site folder, then file name.
        let mut order: Vec<usize> = (0..docs.len()).collect();
        order.sort_by_key(|&i| &rels[i]);
        let mut alone = Vec::new();
        let mut oracle = Vec::new();
        for &i in &order {
            alone.extend(clean_stream(&[root.join(&rels[i])], &frozen));
            write_kept(&docs[i].text, &first[i], &mut oracle);
        }
        prop_assert!(together == alone, "a file cleaned alone differs from the same file in the corpus");
        prop_assert!(together == oracle, "the pipeline differs from the library's verdicts");
    }

    /// With frozen statistics and `settle`, cleaning is idempotent: the
    /// cleaned text of a document, cleaned again with the same statistics,
    /// comes back byte for byte (every line kept). Without `settle` this
    /// does not hold (DESIGN.md says why); the oracle is the plain
    /// definition, clean(clean(x)) = clean(x).
    #[test]
    fn settled_cleaning_with_frozen_statistics_is_idempotent(docs in corpus()) {
        let settled = {
            static SETTLED: OnceLock<Cleaner> = OnceLock::new();
            SETTLED.get_or_init(|| {
                let mut b = boilerstrip::CleanerBuilder::new();
                b.settle(true);
                b.build().unwrap()
            })
        };
        let stats = observe(&docs);
        for d in &docs {
            let mut once = Vec::new();
            write_kept(&d.text, &settled.classify(&d.document(), &stats), &mut once);
            let again = Document::new(&once).with_site(SITES[d.site]);
            let mut twice = Vec::new();
            write_kept(&once, &settled.classify(&again, &stats), &mut twice);
            prop_assert!(
                once == twice,
                "cleaning the cleaned text dropped more:\n{:?}\n{:?}",
                String::from_utf8_lossy(&once),
                String::from_utf8_lossy(&twice)
            );
        }
    }

    /// Every byte of a JSONL record outside its text value comes back as it
    /// was (field order, number spellings, escapes, whitespace, line end),
    /// the text keeps whole lines in order, and a record that lost no line
    /// is written back byte for byte.
    #[test]
    fn jsonl_records_keep_every_byte_outside_the_text(recs in prop::collection::vec(record(), 1..8)) {
        let tmp = tempfile::tempdir().unwrap();
        let input: String = recs.iter().map(JsonRecord::line).collect();
        write(tmp.path(), "in.jsonl", input.as_bytes());
        let r = run(tmp.path(), &["clean", "in.jsonl", "-q"]);
        prop_assert_eq!(r.code, 0, "{}", r.stderr);
        let out = String::from_utf8(r.stdout).unwrap();
        let out_lines: Vec<&str> = out.split_inclusive('\n').collect();
        prop_assert_eq!(out_lines.len(), recs.len() + recs.iter().filter(|r| r.blank_after).count());
        let mut out_lines = out_lines.into_iter();
        for rec in &recs {
            let orig = rec.line();
            let (line, blank) = (out_lines.next().unwrap(), rec.blank_after.then(|| out_lines.next().unwrap()));
            if let Some(blank) = blank {
                prop_assert_eq!(blank, BLANK, "a blank line is copied");
            }
            let line_only = &orig[..orig.len() - if rec.blank_after { BLANK.len() } else { 0 }];
            prop_assert!(
                line.starts_with(&rec.prefix) && line.ends_with(&rec.suffix),
                "bytes around the text changed:\n{:?}\nwas\n{:?}", line, line_only
            );
            let middle = &line[rec.prefix.len()..line.len() - rec.suffix.len()];
            let text: String = serde_json::from_str(middle).unwrap();
            prop_assert!(is_subsequence(&lines(text.as_bytes()), &lines(rec.text.as_bytes())));
            if text == rec.text {
                prop_assert_eq!(line, line_only, "an unchanged record is written as it was");
            }
        }
    }
}

/// A blank line between JSONL records (copied as it is).
const BLANK: &str = " \t\n";

/// A JSONL record as the bytes before the text value, the text, its JSON
/// spelling, and the bytes after it (line end included).
#[derive(Clone, Debug)]
struct JsonRecord {
    prefix: String,
    text: String,
    encoded: String,
    suffix: String,
    blank_after: bool,
}

impl JsonRecord {
    fn line(&self) -> String {
        let blank = if self.blank_after { BLANK } else { "" };
        format!("{}{}{}{blank}", self.prefix, self.encoded, self.suffix)
    }
}

/// Whitespace that JSON allows between tokens.
fn ws() -> impl Strategy<Value = &'static str> {
    prop::sample::select(JSON_SPACE)
}

/// `s` as a JSON string, each character spelled per `how`: as itself where
/// allowed, or as a `\u` escape (a surrogate pair beyond the BMP), or as a
/// short escape where one exists.
fn encode(s: &str, how: &[u8]) -> String {
    let mut out = String::from("\"");
    for (i, c) in s.chars().enumerate() {
        let h = how.get(i % how.len().max(1)).copied().unwrap_or(0) % 3;
        let short = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '\u{8}' => Some("\\b"),
            '\u{c}' => Some("\\f"),
            '/' if h == 2 => Some("\\/"),
            _ => None,
        };
        match short {
            Some(e) if h != 1 => out.push_str(e),
            _ if h == 1 || c < ' ' || c == '"' || c == '\\' => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    let hex = format!("\\u{:04x}", u);
                    // Upper or lower case hex digits, both valid.
                    out.push_str(&if h == 1 && i % 2 == 0 {
                        hex.to_uppercase().replace("\\U", "\\u")
                    } else {
                        hex
                    });
                }
            }
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

fn string_value() -> impl Strategy<Value = String> {
    (
        "[a-z \u{e9}\u{2014}\u{1f600}\"\\\\/\n\t\u{1}]{0,12}",
        prop::collection::vec(any::<u8>(), 1..6),
    )
        .prop_map(|(s, how)| encode(&s, &how))
}

/// Any JSON value, spelled oddly but validly.
fn json_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_string()),
        Just("true".to_string()),
        Just("false".to_string()),
        "-?(0|[1-9][0-9]{0,5})(\\.[0-9]{1,4})?([eE][+-]?[0-9]{1,2})?",
        string_value(),
        Just("{\"text\":\"decoy\"}".to_string()),
    ];
    leaf.prop_recursive(3, 12, 4, |inner| {
        prop_oneof![
            (prop::collection::vec((inner.clone(), ws()), 0..4), ws()).prop_map(|(items, w)| {
                let items: Vec<String> = items
                    .into_iter()
                    .map(|(v, w)| format!("{w}{v}{w}"))
                    .collect();
                format!("[{w}{}]", items.join(","))
            }),
            (prop::collection::vec((key(), inner, ws()), 0..4), ws()).prop_map(|(members, w)| {
                let members: Vec<String> = members
                    .into_iter()
                    .map(|(k, v, w)| format!("{w}{k}{w}:{w}{v}"))
                    .collect();
                format!("{{{}{w}}}", members.join(","))
            }),
        ]
    })
}

/// A member name other than `text`, sometimes spelled with escapes.
fn key() -> impl Strategy<Value = String> {
    (
        "[a-z_]{1,8}|id|url|domain|lang",
        prop::collection::vec(any::<u8>(), 1..4),
    )
        .prop_filter("not the text field", |(k, _)| k != "text")
        .prop_map(|(k, how)| encode(&k, &how))
}

/// The text of a record: lines of a generated document, as UTF-8.
fn record_text() -> impl Strategy<Value = String> {
    prop::collection::vec(sentence(), 1..4)
        .prop_flat_map(document)
        .prop_map(|d| String::from_utf8_lossy(&d).into_owned())
}

fn record() -> impl Strategy<Value = JsonRecord> {
    (
        prop::collection::vec((key(), json_value(), ws()), 0..4),
        prop::collection::vec((key(), json_value(), ws()), 0..4),
        record_text(),
        prop::collection::vec(any::<u8>(), 1..6),
        ws(),
        prop::sample::select(LINE_ENDS),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(before, after, text, how, w, end, blank_after)| {
            let member = |(k, v, w): (String, String, &str)| format!("{w}{k}{w}:{w}{v}{w}");
            let mut prefix = format!("{w}{{");
            for m in before {
                prefix.push_str(&member(m));
                prefix.push(',');
            }
            prefix.push_str(&format!("{w}\"text\"{w}:{w}"));
            let mut suffix = w.to_string();
            for m in after {
                suffix.push(',');
                suffix.push_str(&member(m));
            }
            suffix.push_str(&format!("}}{w}{end}"));
            JsonRecord {
                prefix,
                encoded: encode(&text, &how),
                text,
                suffix,
                blank_after,
            }
        })
}
