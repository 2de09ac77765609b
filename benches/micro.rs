//! Micro-benchmarks of the stages of a run, each over the same synthetic
//! pages and each reported in bytes of page text a second.
//!
//! `cargo bench --bench micro` (or `cargo bench --bench micro -- lines` for
//! one). Every benchmark first checks its answer against a count known by
//! construction of the input, so a benchmark of code that has gone wrong fails
//! instead of timing it.
//!
//! The pages: a fixed block of chrome lines (written for this file; the same on
//! every page, as a site's chrome is) around paragraphs of pseudo-words from a
//! seeded generator (new on every page).

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use boilerstrip::format::{self, Format, FormatOptions, Item};
use boilerstrip::line::{self, Normalizer};
use boilerstrip::rules::{MatchMode, RuleSet};
use boilerstrip::{Cleaner, Document, LineStats};
use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};

/// The system allocator, counting the bytes live, so that the statistics
/// benchmark can report what the table costs per distinct line.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Pages in the benchmark corpus: about 1 MB of text, enough that a pass
/// over it takes milliseconds and short enough to keep each benchmark's run
/// to a few seconds.
const PAGES: usize = 300;
const SITES: [&str; 3] = ["a.example", "b.example", "c.example"];

/// Chrome lines: each page has all of them. Distinct normal forms.
const CHROME: &[&str] = &[
    "Skip to content",
    "Menu",
    "Search",
    "Local news",
    "Sport",
    "Share this article",
    "Copy link",
    "Sign up to our newsletter",
    "Five stories we think you will like, every Friday.",
    "Related stories",
    "We use cookies to improve your experience and to show you relevant advertising.",
    "Accept all",
    "About us",
    "Privacy policy",
    "\u{a9} 2026 Example Media. All rights reserved.",
];

/// Function words mixed into the paragraphs, so that they read as prose to
/// the classifier's stopword features.
const STOPWORDS: &[&str] = &[
    "the", "of", "and", "to", "in", "that", "is", "was", "for", "with", "on", "by",
];
const SYLLABLES: &[&str] = &[
    "ba", "ken", "lo", "mir", "tus", "ra", "vel", "do", "shan", "pri", "gor", "ne",
];

/// splitmix64: a seeded, platform-independent generator.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn paragraph(rng: &mut Rng) -> String {
    let words = 30 + rng.below(40);
    let mut p = String::new();
    for i in 0..words {
        if i > 0 {
            p.push(' ');
        }
        if rng.below(3) == 0 {
            p.push_str(STOPWORDS[rng.below(STOPWORDS.len())]);
        } else {
            for _ in 0..1 + rng.below(3) {
                p.push_str(SYLLABLES[rng.below(SYLLABLES.len())]);
            }
        }
    }
    p.push('.');
    p
}

/// One benchmark page.
struct Page {
    site: &'static str,
    text: String,
    /// Its lines, and how many of them are paragraphs (after the chrome).
    lines: usize,
    paragraphs: usize,
}

fn pages() -> Vec<Page> {
    let mut rng = Rng(20261122);
    (0..PAGES)
        .map(|i| {
            let paragraphs = 4 + rng.below(6);
            let mut text = String::new();
            for c in &CHROME[..8] {
                text.push_str(c);
                text.push('\n');
            }
            for _ in 0..paragraphs {
                text.push_str(&paragraph(&mut rng));
                text.push('\n');
            }
            for c in &CHROME[8..] {
                text.push_str(c);
                text.push('\n');
            }
            Page {
                site: SITES[i % SITES.len()],
                text,
                lines: CHROME.len() + paragraphs,
                paragraphs,
            }
        })
        .collect()
}

fn text_bytes(pages: &[Page]) -> u64 {
    pages.iter().map(|p| p.text.len() as u64).sum()
}

/// Line splitting, normalisation and hashing: what pass 1 does per line.
fn bench_lines(c: &mut Criterion) {
    let pages = pages();
    let run = |pages: &[Page]| {
        let mut n = Normalizer::new();
        let mut count = 0usize;
        let mut acc = 0u64;
        for p in pages {
            for span in line::lines(p.text.as_bytes()) {
                acc ^= n.fingerprint(span.content(p.text.as_bytes()));
                count += 1;
            }
        }
        (count, acc)
    };
    // Check: one span a line, and as many distinct fingerprints as distinct
    // normal forms (every paragraph is new, the chrome is the same).
    let (count, _) = run(&pages);
    assert_eq!(count, pages.iter().map(|p| p.lines).sum::<usize>());
    let mut n = Normalizer::new();
    let mut forms = HashSet::new();
    let mut fps = HashSet::new();
    for p in &pages {
        for span in line::lines(p.text.as_bytes()) {
            let content = span.content(p.text.as_bytes());
            forms.insert(n.normalize(content).to_vec());
            fps.insert(n.fingerprint(content));
        }
    }
    let paragraphs: usize = pages.iter().map(|p| p.paragraphs).sum();
    assert_eq!(forms.len(), CHROME.len() + paragraphs);
    assert_eq!(fps.len(), forms.len());

    let mut g = c.benchmark_group("lines");
    g.throughput(Throughput::Bytes(text_bytes(&pages)));
    g.bench_function("split+normalize+fingerprint", |b| {
        b.iter(|| run(black_box(&pages)))
    });
    g.finish();
}

/// Lexicon matching over padded normal forms, as the features compute them.
fn bench_rules(c: &mut Criterion) {
    let rules = RuleSet::built_in();
    let pages = pages();
    let mut n = Normalizer::new();
    let pad = |s: &[u8]| {
        let mut v = Vec::with_capacity(s.len() + 2);
        v.push(b' ');
        v.extend_from_slice(s);
        v.push(b' ');
        v
    };
    let words = |s: &[u8]| s.split(|&b| b == b' ').filter(|w| !w.is_empty()).count() as u32;
    // The input timed: every line of the pages, padded.
    let mut lines: Vec<(Vec<u8>, u32)> = Vec::new();
    for p in &pages {
        for span in line::lines(p.text.as_bytes()) {
            let normal = n.normalize(span.content(p.text.as_bytes()));
            lines.push((pad(normal), words(normal)));
        }
    }
    // Check: every phrase of the lexicon, as a line of its own, matches in
    // its own mode; no paragraph (pseudo-words) gets a hit.
    for ph in rules.phrases() {
        let padded = pad(ph.text.as_bytes());
        let m = rules.match_line(&padded, ph.words);
        let found = match ph.mode {
            MatchMode::Protect => m.protect.is_some(),
            MatchMode::Weak => m.weak.is_some(),
            _ => m.hit.is_some(),
        };
        assert!(found, "phrase {:?} does not match itself", ph.text);
    }
    let prose_hits = lines
        .iter()
        .filter(|(l, w)| *w >= 30 && rules.match_line(l, *w).hit.is_some())
        .count();
    assert_eq!(prose_hits, 0);

    let run = |lines: &[(Vec<u8>, u32)]| {
        lines
            .iter()
            .filter(|(l, w)| rules.match_line(l, *w).hit.is_some())
            .count()
    };
    let mut g = c.benchmark_group("rules");
    g.throughput(Throughput::Bytes(text_bytes(&pages)));
    g.bench_function("match_line", |b| b.iter(|| run(black_box(&lines))));
    g.finish();
}

/// The statistics table: pass 1's inserts, and the merge of two tables.
fn bench_stats(c: &mut Criterion) {
    let pages = pages();
    let mut n = Normalizer::new();
    let fps: Vec<Vec<u64>> = pages
        .iter()
        .map(|p| {
            line::lines(p.text.as_bytes())
                .map(|s| n.fingerprint(s.content(p.text.as_bytes())))
                .collect()
        })
        .collect();
    let build = |range: std::ops::Range<usize>| {
        let mut stats = LineStats::new();
        let mut buf = Vec::new();
        for i in range {
            buf.clear();
            buf.extend_from_slice(&fps[i]);
            stats.add_document(Some(pages[i].site), &mut buf);
        }
        stats
    };
    // Check: every page counted, one entry per distinct line, the chrome in
    // every page, and the merge of two halves equal to one table of all.
    let all = build(0..PAGES);
    let paragraphs: usize = pages.iter().map(|p| p.paragraphs).sum();
    assert_eq!(all.documents(), PAGES as u64);
    assert_eq!(all.distinct_lines(), CHROME.len() + paragraphs);
    assert_eq!(
        all.corpus_df(n.fingerprint(CHROME[0].as_bytes())),
        PAGES as u32
    );
    let (a, b) = (build(0..PAGES / 2), build(PAGES / 2..PAGES));
    assert_eq!(a.clone() + b.clone(), all);

    memory_per_line();

    let mut g = c.benchmark_group("stats");
    g.throughput(Throughput::Bytes(text_bytes(&pages)));
    g.bench_function("add_document", |bch| {
        bch.iter(|| build(black_box(0..PAGES)))
    });
    g.bench_function("merge", |bch| {
        bch.iter_batched(
            || (a.clone(), b.clone()),
            |(a, b)| a + b,
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

/// Prints the heap bytes of a `LineStats` per distinct line, for a table of a
/// million distinct lines in pages of 50 lines of one site each (as the
/// paragraphs of a corpus are: most lines occur once, in one site). The
/// issue's target is 48 bytes; the figure is printed, not asserted.
fn memory_per_line() {
    const LINES: usize = 1_000_000;
    let mut rng = Rng(7);
    let mut fps: Vec<u64> = Vec::with_capacity(50);
    let before = LIVE.load(Ordering::Relaxed);
    let mut stats = LineStats::new();
    for page in 0..LINES / 50 {
        fps.clear();
        fps.extend((0..50).map(|_| rng.next() | 1));
        stats.add_document(Some(SITES[page % SITES.len()]), &mut fps);
    }
    let bytes = LIVE.load(Ordering::Relaxed) - before - fps.capacity() * 8;
    assert_eq!(stats.distinct_lines(), LINES);
    eprintln!(
        "stats table: {} distinct lines, {} bytes of heap, {:.1} bytes a distinct line (corpus and site entries)",
        LINES,
        bytes,
        bytes as f64 / LINES as f64
    );
}

/// JSONL: finding the records and decoding the text field; splicing the
/// cleaned text back.
fn bench_jsonl(c: &mut Criterion) {
    let pages = pages();
    let mut jsonl = Vec::new();
    for (i, p) in pages.iter().enumerate() {
        let rec = serde_json::json!({
            "id": format!("p{i}"),
            "url": format!("https://{}/story/{i}", p.site),
            "domain": p.site,
            "text": p.text,
        });
        serde_json::to_writer(&mut jsonl, &rec).unwrap();
        jsonl.push(b'\n');
    }
    let opts = FormatOptions::default();
    let path = std::path::Path::new("bench.jsonl");
    let parse = |buf: &[u8]| {
        let mut docs = 0usize;
        let mut bytes = 0usize;
        for item in format::records(Format::Jsonl, buf, path, None, &opts) {
            if let Item::Doc(d) = item {
                docs += 1;
                bytes += d.text.len();
            }
        }
        (docs, bytes)
    };
    // Check: every record is a document with its whole text.
    assert_eq!(parse(&jsonl), (PAGES, text_bytes(&pages) as usize));

    // Writing: each record with its text cut to the paragraphs (the chrome
    // dropped), as a cleaner that got every line right would.
    let docs: Vec<_> = format::records(Format::Jsonl, &jsonl, path, None, &opts)
        .filter_map(|item| match item {
            Item::Doc(d) => Some(d),
            _ => None,
        })
        .collect();
    let cleaned: Vec<Vec<u8>> = pages
        .iter()
        .map(|p| {
            p.text
                .lines()
                .skip(8)
                .take(p.paragraphs)
                .flat_map(|l| l.bytes().chain([b'\n']))
                .collect()
        })
        .collect();
    let write = |out: &mut Vec<u8>| {
        out.clear();
        for (d, t) in docs.iter().zip(&cleaned) {
            d.write_cleaned(t, out);
        }
    };
    let mut out = Vec::new();
    write(&mut out);
    // Check: the output is JSONL with the cleaned texts and the other fields.
    let back: Vec<serde_json::Value> = out
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(back.len(), PAGES);
    for (i, (v, t)) in back.iter().zip(&cleaned).enumerate() {
        assert_eq!(v["text"].as_str().unwrap().as_bytes(), &t[..]);
        assert_eq!(v["domain"], pages[i].site);
    }

    let mut g = c.benchmark_group("jsonl");
    g.throughput(Throughput::Bytes(jsonl.len() as u64));
    g.bench_function("parse", |b| b.iter(|| parse(black_box(&jsonl))));
    g.bench_function("write_cleaned", |b| b.iter(|| write(black_box(&mut out))));
    g.finish();
}

/// Pass 2: the classifier, page by page, with the statistics of pass 1.
fn bench_classify(c: &mut Criterion) {
    let pages = pages();
    let cleaner = Cleaner::new();
    let mut stats = LineStats::new();
    for p in &pages {
        cleaner.observe(
            &Document::new(p.text.as_bytes()).with_site(p.site),
            &mut stats,
        );
    }
    let run = |pages: &[Page]| {
        let mut kept = 0usize;
        let mut lines = 0usize;
        for p in pages {
            let v = cleaner.classify(&Document::new(p.text.as_bytes()).with_site(p.site), &stats);
            lines += v.len();
            kept += v.iter().filter(|v| v.keep).count();
        }
        (lines, kept)
    };
    // Check: one verdict a line, every paragraph kept (each is prose no
    // other page has) and every chrome line dropped (each is on every page
    // of its site, and most are lexicon phrases too).
    let (lines, kept) = run(&pages);
    assert_eq!(lines, pages.iter().map(|p| p.lines).sum::<usize>());
    assert_eq!(kept, pages.iter().map(|p| p.paragraphs).sum::<usize>());
    for p in &pages {
        let v = cleaner.classify(&Document::new(p.text.as_bytes()).with_site(p.site), &stats);
        assert!(
            v[8..8 + p.paragraphs].iter().all(|v| v.keep),
            "a paragraph was dropped"
        );
    }

    let mut g = c.benchmark_group("classify");
    g.throughput(Throughput::Bytes(text_bytes(&pages)));
    g.bench_function("classify", |b| b.iter(|| run(black_box(&pages))));
    g.finish();
}

criterion_group! {
    name = benches;
    // Short runs: these are for comparing one change with the next on a
    // shared 2-core machine, not for publication.
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = bench_lines, bench_rules, bench_stats, bench_jsonl, bench_classify
}
criterion_main!(benches);
