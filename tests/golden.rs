//! Golden cases: the corpora under `corpus/` with what a careful reader keeps
//! of each page, and the story of each dropped line in their `NOTES.md`.
//!
//! Two shapes of case:
//!
//! - `corpus/<case>/input/<site>/<page>.txt` with `expected/<site>/<page>.txt`
//!   (the sample corpus): all pages of a case form one corpus for the line
//!   statistics, each page attributed to its site folder. The kept non-blank
//!   lines must equal the expected file's non-blank lines, as text and in
//!   order; blank-line placement is not judged. `BOILERSTRIP_BLESS=1`
//!   rewrites the expected files from the current output instead (review
//!   the diff line by line before committing it).
//! - `corpus/seeds/keep.txt`: line numbers to keep of the seed pages, which
//!   live outside the repository in `../shared/seeds`; the case is skipped
//!   when that directory is absent. The five seeds form one corpus of one
//!   site, and the kept non-blank line numbers must equal the listed ones.
//!
//! A sample case may list the misses it owns up to in `known-misses.txt`
//! (see [`known_misses`]): the expectation stays what a careful reader keeps,
//! and the list says, line by line, where the cleaner falls short of it today.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use boilerstrip::cleaner::write_kept;
use boilerstrip::line;
use boilerstrip::{Cause, Cleaner, Document, LineStats, Verdict};

use crate::util::note;

/// The environment variable that turns the sample comparison into a rewrite.
const BLESS_VAR: &str = "BOILERSTRIP_BLESS";

/// How many characters of a line a mismatch report shows.
const SHOWN_CHARS: usize = 90;

fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn corpus_dir() -> PathBuf {
    crate_root().join("corpus")
}

fn seeds_dir() -> PathBuf {
    crate_root().join("..").join("shared").join("seeds")
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("readable directory entry").path())
        .collect();
    v.sort();
    v
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// The non-blank lines of `text` with their 1-based line numbers, as
/// [`line::lines`] splits them.
fn nonblank_lines(text: &[u8]) -> Vec<(usize, &[u8])> {
    line::lines(text)
        .enumerate()
        .map(|(i, span)| (i + 1, span.content(text)))
        .filter(|(_, l)| !is_blank(l))
        .collect()
}

fn show(line: &[u8]) -> String {
    let s = String::from_utf8_lossy(line);
    let mut out: String = s.chars().take(SHOWN_CHARS).collect();
    if s.chars().count() > SHOWN_CHARS {
        out.push('…');
    }
    format!("{out:?}")
}

/// One page of a sample-style case.
struct Page {
    site: String,
    /// `<site>/<page>.txt`, for messages and the expected file's path.
    rel: PathBuf,
    text: Vec<u8>,
}

/// The `corpus/<case>/` directories that hold an `input/` tree.
fn input_cases() -> Vec<PathBuf> {
    sorted_entries(&corpus_dir())
        .into_iter()
        .filter(|p| p.join("input").is_dir())
        .collect()
}

/// The pages of a case, sorted by site and name (so the statistics are built
/// in one fixed order, although their sum does not depend on it).
fn case_pages(case: &Path) -> Vec<Page> {
    let mut pages = Vec::new();
    for site_dir in sorted_entries(&case.join("input")) {
        if !site_dir.is_dir() {
            continue;
        }
        let site = site_dir.file_name().unwrap().to_string_lossy().into_owned();
        for file in sorted_entries(&site_dir) {
            if file.extension().is_some_and(|e| e == "txt") {
                pages.push(Page {
                    rel: Path::new(&site).join(file.file_name().unwrap()),
                    site: site.clone(),
                    text: read(&file),
                });
            }
        }
    }
    pages
}

/// Pass 1 over all pages, then pass 2 on each: one verdict vector per page.
fn classify_all<'a>(
    cleaner: &Cleaner,
    docs: impl Iterator<Item = Document<'a>> + Clone,
) -> Vec<Vec<Verdict>> {
    let mut stats = LineStats::default();
    for doc in docs.clone() {
        cleaner.observe(&doc, &mut stats);
    }
    docs.map(|doc| {
        let v = cleaner.classify(&doc, &stats);
        assert_eq!(
            v.len(),
            line::lines(doc.text).count(),
            "one verdict per line"
        );
        v
    })
    .collect()
}

/// A difference between the kept lines of a page and its expectation.
#[derive(Debug, PartialEq)]
enum Miss {
    /// The line at this input line number was kept but is not expected.
    WronglyKept(usize),
    /// An expected line was dropped; the input line number of the dropped
    /// copy, where one was found between its aligned neighbours.
    WronglyDropped(Option<usize>, Vec<u8>),
}

/// Aligns the kept non-blank lines (with their input line numbers) against
/// the expected non-blank lines by a longest common subsequence, and names
/// every line outside it. `input` locates a wrongly dropped line: the first
/// dropped input line with the same text between the aligned neighbours.
fn misses(
    input: &[(usize, &[u8])],
    verdicts: &[Verdict],
    kept: &[(usize, &[u8])],
    expected: &[&[u8]],
) -> Vec<Miss> {
    let (n, m) = (kept.len(), expected.len());
    // lcs[i][j]: length of the LCS of kept[i..] and expected[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if kept[i].1 == expected[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    // Input line number of the last aligned kept line: a wrongly dropped
    // line is looked for after it, and before the next kept line. Where
    // either way keeps the alignment as long, a wrongly kept line is taken
    // first, so that the next kept line bounding the search is one the
    // alignment may keep (a kept widget label just above a dropped line
    // would otherwise hide the dropped line's number).
    let mut after = 0;
    while i < n || j < m {
        if i < n && j < m && kept[i].1 == expected[j] {
            after = kept[i].0;
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] > lcs[i + 1][j]) {
            let before = kept.get(i).map_or(usize::MAX, |k| k.0);
            let found = input
                .iter()
                .find(|(no, l)| {
                    *no > after && *no < before && *l == expected[j] && !verdicts[no - 1].keep
                })
                .map(|(no, _)| *no);
            if let Some(no) = found {
                after = no;
            }
            out.push(Miss::WronglyDropped(found, expected[j].to_vec()));
            j += 1;
        } else {
            out.push(Miss::WronglyKept(kept[i].0));
            i += 1;
        }
    }
    out
}

fn cause_of(cleaner: &Cleaner, verdicts: &[Verdict], line_no: usize) -> String {
    cleaner.describe(&verdicts[line_no - 1].cause)
}

/// Compares one page; returns a readable report of its differences, if any.
fn compare_page(
    cleaner: &Cleaner,
    name: &str,
    text: &[u8],
    verdicts: &[Verdict],
    expected_text: &[u8],
) -> Option<(String, Vec<String>)> {
    let input = nonblank_lines(text);
    let kept: Vec<(usize, &[u8])> = input
        .iter()
        .copied()
        .filter(|(no, _)| verdicts[no - 1].keep)
        .collect();
    let expected: Vec<&[u8]> = nonblank_lines(expected_text)
        .into_iter()
        .map(|(_, l)| l)
        .collect();
    let found = misses(&input, verdicts, &kept, &expected);
    if found.is_empty() {
        return None;
    }
    let (mut wk, mut wd) = (0, 0);
    let mut body = String::new();
    let mut keys = Vec::new();
    for miss in &found {
        match miss {
            Miss::WronglyKept(no) => {
                keys.push(format!("{name}:{no} +"));
                wk += 1;
                let l = input.iter().find(|(n, _)| n == no).unwrap().1;
                let cause = cause_of(cleaner, verdicts, *no);
                writeln!(body, "  + kept    {no:>4} [{cause}] {}", show(l)).unwrap();
            }
            Miss::WronglyDropped(Some(no), l) => {
                keys.push(format!("{name}:{no} -"));
                wd += 1;
                let cause = cause_of(cleaner, verdicts, *no);
                writeln!(body, "  - dropped {no:>4} [{cause}] {}", show(l)).unwrap();
            }
            Miss::WronglyDropped(None, l) => {
                keys.push(format!("{name}:? -"));
                wd += 1;
                writeln!(body, "  - missing    ? (not in the input here) {}", show(l)).unwrap();
            }
        }
    }
    Some((
        format!(
            "{name}: {wk} line(s) wrongly kept (+), {wd} wrongly dropped (-); \
             line numbers are input lines, [cause] the verdict's\n{body}"
        ),
        keys,
    ))
}

/// The misses a case owns up to: `<case>/known-misses.txt`, one
/// `site/page.txt:LINE +|-` a line (`+` wrongly kept, `-` wrongly dropped),
/// each with a `#` comment saying why the cleaner gets it wrong. The golden
/// test fails on a miss not listed (a regression) and on a listed miss that
/// no longer happens (an improvement: take it off the list).
fn known_misses(case: &Path) -> BTreeSet<String> {
    let path = case.join("known-misses.txt");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return BTreeSet::new();
    };
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn blessing() -> bool {
    std::env::var(BLESS_VAR).is_ok_and(|v| v == "1")
}

#[test]
fn golden_sample_corpus() {
    let cleaner = Cleaner::new();
    let bless = blessing();
    let mut reports = Vec::new();
    let mut fixed = Vec::new();
    let mut pages_seen = 0;
    for case in input_cases() {
        let case_name = case.file_name().unwrap().to_string_lossy().into_owned();
        let mut known = known_misses(&case);
        let pages = case_pages(&case);
        let docs = pages
            .iter()
            .map(|p| Document::new(&p.text).with_site(&p.site));
        let all = classify_all(&cleaner, docs);
        for (page, verdicts) in pages.iter().zip(&all) {
            pages_seen += 1;
            let mut out = Vec::new();
            write_kept(&page.text, verdicts, &mut out);
            let expected_path = case.join("expected").join(&page.rel);
            if bless {
                std::fs::create_dir_all(expected_path.parent().unwrap()).unwrap();
                std::fs::write(&expected_path, &out).unwrap();
                continue;
            }
            let name = format!(
                "{}/{}",
                case.file_name().unwrap().to_string_lossy(),
                page.rel.display()
            );
            // write_kept and the verdicts must tell the same story.
            let from_verdicts: Vec<&[u8]> = nonblank_lines(&page.text)
                .into_iter()
                .filter(|(no, _)| verdicts[no - 1].keep)
                .map(|(_, l)| l)
                .collect();
            let written: Vec<&[u8]> = nonblank_lines(&out).into_iter().map(|(_, l)| l).collect();
            assert_eq!(
                written, from_verdicts,
                "{name}: write_kept disagrees with the verdicts"
            );
            if let Some((report, keys)) =
                compare_page(&cleaner, &name, &page.text, verdicts, &read(&expected_path))
            {
                let prefix = format!("{case_name}/");
                let mut new = false;
                for k in keys {
                    let listed = k.strip_prefix(&prefix).unwrap_or(&k).to_string();
                    new |= !known.remove(&listed);
                }
                if new {
                    reports.push(report);
                }
            }
        }
        fixed.extend(known.into_iter().map(|k| format!("{case_name}/{k}")));
    }
    assert!(pages_seen > 0, "no sample pages found under corpus/*/input");
    if bless {
        println!("{BLESS_VAR}=1: rewrote the expected files of {pages_seen} pages; review the diff line by line");
        return;
    }
    assert!(
        reports.is_empty(),
        "{} of {pages_seen} golden pages differ from their expectation beyond the misses \
         listed in corpus/*/known-misses.txt (see corpus/*/NOTES.md for why each line goes \
         or stays):\n\n{}",
        reports.len(),
        reports.join("\n")
    );
    assert!(
        fixed.is_empty(),
        "these listed misses no longer happen: take them off known-misses.txt:\n{}",
        fixed.join("\n")
    );
}

/// One entry of `corpus/seeds/keep.txt`.
#[derive(Debug)]
struct KeepEntry {
    file: String,
    /// 1-based line numbers, ascending.
    lines: BTreeSet<usize>,
    /// The single numbers (not ranges) as written, which must name non-blank lines.
    singles: Vec<usize>,
}

/// Parses `keep.txt`: `name: 1, 8-54` a line, `#` comments, blank lines.
fn parse_keep(text: &str) -> Result<Vec<KeepEntry>, String> {
    let mut entries: Vec<KeepEntry> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let at = format!("keep.txt:{}", i + 1);
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (file, list) = line
            .split_once(':')
            .ok_or_else(|| format!("{at}: expected \"name: numbers\""))?;
        let file = file.trim().to_string();
        if !file.ends_with(".txt") {
            return Err(format!("{at}: {file:?} is not a .txt file name"));
        }
        if entries.iter().any(|e| e.file == file) {
            return Err(format!("{at}: {file} listed twice"));
        }
        let mut lines = BTreeSet::new();
        let mut singles = Vec::new();
        let mut last = 0;
        for item in list.split(',') {
            let item = item.trim();
            let num = |s: &str| -> Result<usize, String> {
                s.trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|&n| n >= 1)
                    .ok_or_else(|| format!("{at}: {s:?} is not a line number"))
            };
            let (a, b) = match item.split_once('-') {
                Some((a, b)) => (num(a)?, num(b)?),
                None => {
                    let n = num(item)?;
                    singles.push(n);
                    (n, n)
                }
            };
            if a > b {
                return Err(format!("{at}: range {item} runs backwards"));
            }
            if a <= last {
                return Err(format!("{at}: {item} is not after the previous item"));
            }
            last = b;
            lines.extend(a..=b);
        }
        entries.push(KeepEntry {
            file,
            lines,
            singles,
        });
    }
    Ok(entries)
}

fn load_keep() -> Vec<KeepEntry> {
    let path = corpus_dir().join("seeds").join("keep.txt");
    let text = String::from_utf8(read(&path)).expect("keep.txt is UTF-8");
    parse_keep(&text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn golden_seeds() {
    let dir = seeds_dir();
    if !dir.is_dir() {
        note(&format!(
            "golden_seeds skipped: {} not found",
            dir.display()
        ));
        return;
    }
    if blessing() {
        println!("{BLESS_VAR}=1 does not rewrite corpus/seeds/keep.txt: it is kept by hand");
    }
    let entries = load_keep();
    let texts: Vec<Vec<u8>> = entries.iter().map(|e| read(&dir.join(&e.file))).collect();
    let cleaner = Cleaner::new();
    let all = classify_all(
        &cleaner,
        texts.iter().map(|t| Document::new(t).with_site("seeds")),
    );
    let mut reports = Vec::new();
    for ((entry, text), verdicts) in entries.iter().zip(&texts).zip(&all) {
        let input = nonblank_lines(text);
        let mut body = String::new();
        let (mut wk, mut wd) = (0, 0);
        for (no, l) in &input {
            let expected = entry.lines.contains(no);
            let kept = verdicts[no - 1].keep;
            if expected != kept {
                let cause = cause_of(&cleaner, verdicts, *no);
                let (mark, what) = if kept {
                    ('+', "kept   ")
                } else {
                    ('-', "dropped")
                };
                if kept {
                    wk += 1;
                } else {
                    wd += 1;
                }
                writeln!(body, "  {mark} {what} {no:>4} [{cause}] {}", show(l)).unwrap();
            }
        }
        if !body.is_empty() {
            reports.push(format!(
                "{}: {wk} line(s) wrongly kept (+), {wd} wrongly dropped (-)\n{body}",
                entry.file
            ));
        }
    }
    assert!(
        reports.is_empty(),
        "{} of {} seed pages differ from corpus/seeds/keep.txt \
         (see corpus/seeds/NOTES.md):\n\n{}",
        reports.len(),
        entries.len(),
        reports.join("\n")
    );
}

/// `needle`'s lines occur in `haystack`'s lines in order, each byte for byte.
fn is_line_subsequence(needle: &[u8], haystack: &[u8]) -> Result<(), String> {
    let mut hay = line::lines(haystack).map(|s| s.content(haystack));
    for (i, span) in line::lines(needle).enumerate() {
        let want = span.content(needle);
        if !hay.any(|h| h == want) {
            return Err(format!(
                "line {} {} is not a later line of the input",
                i + 1,
                show(want)
            ));
        }
    }
    Ok(())
}

#[test]
fn sample_corpus_is_well_formed() {
    let cases = input_cases();
    assert!(!cases.is_empty(), "no corpus/*/input cases");
    let mut errors = Vec::new();
    for case in &cases {
        let case_name = case.file_name().unwrap().to_string_lossy().into_owned();
        if !case.join("NOTES.md").is_file() {
            errors.push(format!(
                "{case_name}: no NOTES.md telling where the text came from"
            ));
        }
        let pages = case_pages(case);
        let mut sites: Vec<&str> = pages.iter().map(|p| p.site.as_str()).collect();
        for page in &pages {
            let expected_path = case.join("expected").join(&page.rel);
            let name = format!("{case_name}/{}", page.rel.display());
            if !expected_path.is_file() {
                errors.push(format!("{name}: no expected file"));
                continue;
            }
            let expected = read(&expected_path);
            if let Err(e) = is_line_subsequence(&expected, &page.text) {
                errors.push(format!("{name}: expected {e}"));
            }
            if nonblank_lines(&expected).is_empty() {
                errors.push(format!("{name}: the expectation keeps nothing"));
            }
        }
        // Every expected file belongs to an input page.
        let expected_root = case.join("expected");
        for site_dir in sorted_entries(&expected_root) {
            for file in sorted_entries(&site_dir) {
                let rel = file.strip_prefix(&expected_root).unwrap();
                if !case.join("input").join(rel).is_file() {
                    errors.push(format!(
                        "{case_name}/{}: expected file without input",
                        rel.display()
                    ));
                }
            }
        }
        // Per-site statistics need more than one page of a site: a case
        // has a site of two pages or more. A page alone on its site is
        // allowed, for the fall-back to the page's own signals.
        sites.dedup();
        let pages_of = |site: &str| pages.iter().filter(|p| p.site == site).count();
        if !sites.iter().any(|s| pages_of(s) >= 2) {
            errors.push(format!(
                "{case_name}: no site with two pages or more, so no site statistics"
            ));
        }
    }
    assert!(errors.is_empty(), "corpus errors:\n{}", errors.join("\n"));
}

#[test]
fn seeds_keep_list_is_well_formed() {
    assert!(corpus_dir().join("seeds").join("NOTES.md").is_file());
    let entries = load_keep();
    assert_eq!(entries.len(), 5, "keep.txt names the five seed pages");
    let dir = seeds_dir();
    if !dir.is_dir() {
        note(&format!(
            "seed line ranges not checked: {} not found",
            dir.display()
        ));
        return;
    }
    let on_disk: Vec<String> = sorted_entries(&dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let named: Vec<String> = entries.iter().map(|e| e.file.clone()).collect();
    assert_eq!(named, on_disk, "keep.txt names the seed files, in order");
    for e in &entries {
        let text = read(&dir.join(&e.file));
        let lines: Vec<&[u8]> = line::lines(&text).map(|s| s.content(&text)).collect();
        let max = *e.lines.last().expect("at least one line kept");
        assert!(
            max <= lines.len(),
            "{}: line {max} is past the end ({} lines)",
            e.file,
            lines.len()
        );
        for &n in &e.singles {
            assert!(
                !is_blank(lines[n - 1]),
                "{}: line {n} is listed on its own but is blank",
                e.file
            );
        }
    }
}

#[test]
fn keep_list_parser_rejects_mistakes() {
    let ok = parse_keep("# c\n\na.txt: 1, 3-5 ,9\n").unwrap();
    assert_eq!(
        ok[0].lines.iter().copied().collect::<Vec<_>>(),
        [1, 3, 4, 5, 9]
    );
    assert_eq!(ok[0].singles, [1, 9]);
    for bad in [
        "a.txt 1-3",
        "a.txt: 0",
        "a.txt: 5-3",
        "a.txt: 3, 2",
        "a.txt: 1-4, 4",
        "a.txt: x",
        "a: 1",
        "a.txt: 1\na.txt: 2",
    ] {
        assert!(parse_keep(bad).is_err(), "accepted {bad:?}");
    }
}

fn verdict(keep: bool) -> Verdict {
    Verdict {
        keep,
        score: if keep { 1.0 } else { 0.0 },
        cause: if keep { Cause::Content } else { Cause::Shape },
    }
}

#[test]
fn golden_diff_names_wrongly_kept_and_dropped_lines() {
    // The golden report is only useful if it points at the right lines.
    // Input: a menu line, a headline twice, two paragraphs, a footer.
    let text = b"Menu\nHeadline\n\nHeadline\nOne.\nTwo.\nFooter\n";
    let expected = b"Headline\nOne.\nTwo.\n";
    let input = nonblank_lines(text);
    // A classifier that keeps the menu, drops the first headline but keeps
    // the second, and drops "Two.".
    let keep = [true, false, false, true, true, false, false];
    let verdicts: Vec<Verdict> = keep.iter().map(|&k| verdict(k)).collect();
    let kept: Vec<(usize, &[u8])> = input
        .iter()
        .copied()
        .filter(|(no, _)| verdicts[no - 1].keep)
        .collect();
    let exp: Vec<&[u8]> = nonblank_lines(expected)
        .into_iter()
        .map(|(_, l)| l)
        .collect();
    assert_eq!(
        misses(&input, &verdicts, &kept, &exp),
        [
            Miss::WronglyKept(1),
            Miss::WronglyDropped(Some(6), b"Two.".to_vec())
        ]
    );
    // The same page cleaned as expected has no misses, whichever copy of
    // the headline is kept.
    let good = [false, true, false, false, true, true, false];
    let verdicts: Vec<Verdict> = good.iter().map(|&k| verdict(k)).collect();
    let kept: Vec<(usize, &[u8])> = input
        .iter()
        .copied()
        .filter(|(no, _)| verdicts[no - 1].keep)
        .collect();
    assert!(misses(&input, &verdicts, &kept, &exp).is_empty());
    let cleaner = Cleaner::new();
    assert!(compare_page(&cleaner, "t", text, &verdicts, expected).is_none());
    // Everything kept: the report names the extra lines, and the keys name
    // them by line number for known-misses.txt.
    let all: Vec<Verdict> = keep.iter().map(|_| verdict(true)).collect();
    let (report, keys) = compare_page(&cleaner, "t", text, &all, expected).unwrap();
    assert!(report.contains("3 line(s) wrongly kept"), "{report}");
    assert!(report.contains("\"Menu\""), "{report}");
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert!(
        keys.iter()
            .all(|k| k.starts_with("t:") && k.ends_with(" +")),
        "{keys:?}"
    );
}
