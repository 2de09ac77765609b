//! Bad input never crashes a run and never loses data: odd encodings and line
//! ends, binary files, huge lines, decompression bombs, truncated streams, a
//! full disk, bad model files, and a run killed halfway then resumed. The
//! README's "Reliability" section is the contract these tests check.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use boilerstrip::compress::Compression;
use boilerstrip::line::Normalizer;
use boilerstrip::{Cleaner, Document, LineStats};

use crate::util::*;

/// A rule file that protects every line containing "ferry timetable", so
/// that the tests know which lines any classifier keeps.
fn protect(dir: &Path) -> String {
    write(dir, "rules.txt", DECIDING_RULES.as_bytes());
    "rules.txt".to_string()
}

/// Cleans `name` (already under `dir`) to standard output with the deciding
/// rules.
fn clean_stdout(dir: &Path, name: &str) -> Run {
    let rules = protect(dir);
    run(dir, &["clean", "-j", "1", "--rules", &rules, name])
}

/// Every line of `want` is in `out`, byte for byte, with its line end.
#[track_caller]
fn assert_contains_lines(out: &[u8], want: &[&[u8]]) {
    let got = lines(out);
    for w in want {
        assert!(
            got.contains(w),
            "line {:?} is not in the output:\n{}",
            String::from_utf8_lossy(w),
            String::from_utf8_lossy(out)
        );
    }
}

#[test]
fn invalid_utf8_and_mixed_encodings_come_out_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let latin1: &[u8] = b"Caf\xe9 cr\xe8me: the ferry timetable for the \xeele d'Yeu.\n";
    let utf8 = "Café crème: the ferry timetable for the île d'Yeu.\n".as_bytes();
    let broken: &[u8] = b"\xff\xfe the ferry timetable \xc3 cut \xe2\x82 off\n";
    let cp1252: &[u8] = b"\x93Quoted\x94 \x96 ferry timetable \x85\n";
    let mut input = page("a.example", 1).into_bytes();
    for l in [latin1, utf8, broken, cp1252] {
        input.extend_from_slice(l);
    }
    input.extend_from_slice(b"Menu | Home | Sections\n");
    write(dir, "a.example/p.txt", &input);
    let r = clean_stdout(dir, "a.example/p.txt");
    assert_code(&r, 0);
    assert_kept_lines(&r.stdout, &input);
    assert_contains_lines(&r.stdout, &[latin1, utf8, broken, cp1252]);
    assert!(
        !r.stdout.ends_with(b"Menu | Home | Sections\n"),
        "the deciding rule still drops the menu line"
    );
}

#[test]
fn binary_files_are_skipped_and_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "d/good.txt", page("d", 1).as_bytes());
    let mut blob = b"PK looks like text at first\n".to_vec();
    blob.extend_from_slice(&[0, 1, 2, 3, 0xff, 0]);
    write(dir, "d/blob.txt", &blob);
    write(dir, "d/blob.txt.gz", &compressed(&blob, Compression::Gzip));
    // A NUL after the first 8 KiB does not make a file binary: it is text
    // with a stray byte, cleaned like any other.
    let mut late = "plain words on a line\n".repeat(500).into_bytes();
    assert!(late.len() > boilerstrip::pipeline::BINARY_PROBE);
    late.extend_from_slice(b"a stray \0 byte\n");
    write(dir, "d/late-nul.txt", &late);
    let r = run(dir, &["clean", "d", "-o", "out"]);
    assert_code(&r, 1);
    for name in ["d/blob.txt:", "d/blob.txt.gz:"] {
        assert!(
            r.stderr
                .contains(&format!("{name} binary file (a NUL byte at byte 28)")),
            "{}",
            r.stderr
        );
    }
    assert!(r.stderr.contains("2 bad inputs"), "{}", r.stderr);
    let names: Vec<String> = tree(&dir.join("out")).into_iter().map(|(p, _)| p).collect();
    assert_eq!(names, ["good.txt", "late-nul.txt"]);
}

#[test]
fn a_byte_order_mark_is_kept_and_does_not_change_the_first_line() {
    let mut n = Normalizer::new();
    let with = n.normalize("\u{feff}Share this post".as_bytes()).to_vec();
    assert_eq!(with, n.normalize(b"Share this post"), "the BOM is a gap");

    // The classifier sees the same page with and without the mark.
    let cleaner = Cleaner::new();
    let pages: Vec<String> = (0..4).map(|i| page("a.example", i)).collect();
    let mut stats = LineStats::new();
    for p in &pages {
        cleaner.observe(
            &Document::new(p.as_bytes()).with_site("a.example"),
            &mut stats,
        );
    }
    let plain = pages[0].as_bytes();
    let marked = [b"\xef\xbb\xbf", plain].concat();
    let keep = |text: &[u8]| -> Vec<bool> {
        let doc = Document::new(text).with_site("a.example");
        cleaner
            .classify(&doc, &stats)
            .iter()
            .map(|v| v.keep)
            .collect()
    };
    assert_eq!(keep(&marked), keep(plain));

    // A kept first line keeps its mark, byte for byte.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let input = b"\xef\xbb\xbfThe ferry timetable changes on Monday, the council said.\n\
                  Menu | Home | Sections\n";
    write(dir, "p.txt", input);
    let r = clean_stdout(dir, "p.txt");
    assert_code(&r, 0);
    assert_eq!(r.stdout, &input[..input.len() - 23]);
}

#[test]
fn a_byte_order_mark_before_the_first_jsonl_or_wet_record_is_read_past_and_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let jsonl: String = (0..4).map(|i| jsonl_record(i).line()).collect();
    let wet: String = (0..4)
        .map(|i| {
            let uri = format!("https://w.example/{i}");
            wet_record("conversion", &uri, &page("w.example", i))
        })
        .collect();
    for (name, input) in [("x.jsonl", jsonl), ("x.warc.wet", wet)] {
        write(dir, name, input.as_bytes());
        let plain = clean_stdout(dir, name);
        assert_code(&plain, 0);
        assert!(
            plain.stdout.len() < input.len(),
            "{name}: lines are dropped"
        );
        // The same input with a mark: cleaned alike, the mark kept in front.
        write(dir, name, &[b"\xef\xbb\xbf", input.as_bytes()].concat());
        let marked = clean_stdout(dir, name);
        assert_code(&marked, 0);
        assert_eq!(
            marked.stdout,
            [b"\xef\xbb\xbf", &plain.stdout[..]].concat(),
            "{name}: {}",
            marked.stderr
        );
    }
}

#[test]
fn crlf_and_lone_cr_line_ends_are_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let input = b"Menu | Home | Sections\r\n\
                  The ferry timetable changes on Monday.\r\n\
                  A lone\rcarriage return about the ferry timetable stays inside its line.\n\
                  Last ferry timetable line without an end\r";
    write(dir, "p.txt", input);
    let r = clean_stdout(dir, "p.txt");
    assert_code(&r, 0);
    assert_eq!(
        r.stdout,
        &input[24..],
        "the menu line goes whole, the rest stays with its \\r\\n, \\r and no end"
    );
}

#[test]
fn empty_files_and_whitespace_only_documents_pass_through() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let jsonl = "{\"id\":1,\"text\":\"\"}\n{\"id\":2,\"text\":\" \\n\\t\\r\\n\"}\n\n";
    let files: [(&str, &[u8]); 5] = [
        ("d/empty.txt", b""),
        ("d/blank.txt", b"  \n\t\n\r\n"),
        ("d/empty.jsonl", b""),
        ("d/blank.jsonl", jsonl.as_bytes()),
        ("d/empty.txt.gz", &compressed(b"", Compression::Gzip)),
    ];
    for (name, data) in files {
        write(dir, name, data);
    }
    let r = run(dir, &["clean", "d", "-o", "out"]);
    assert_code(&r, 0);
    let out = tree(&dir.join("out"));
    assert_eq!(out.len(), files.len(), "every input gets an output");
    for (name, data) in [("empty.txt", &b""[..]), ("empty.jsonl", b"")] {
        assert_eq!(std::fs::read(dir.join("out").join(name)).unwrap(), data);
    }
    let blank = std::fs::read(dir.join("out/blank.txt")).unwrap();
    assert_kept_lines(&blank, b"  \n\t\n\r\n");
    let (gz, c) = read_decompressed(&dir.join("out/empty.txt.gz"));
    assert_eq!((gz.as_slice(), c), (&b""[..], Compression::Gzip));
    let records = std::fs::read_to_string(dir.join("out/blank.jsonl")).unwrap();
    let ids: Vec<i64> = records
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(ids, [1, 2], "every record is still there and valid JSON");
}

/// The peak resident memory of `boilerstrip ARGS` in kilobytes, through
/// GNU time (`None` where it is not installed), with the run.
fn run_measured(dir: &Path, args: &[&str]) -> (Run, Option<u64>) {
    run_measured_with(Path::new(env!("CARGO_BIN_EXE_boilerstrip")), dir, args)
}

fn run_measured_with(bin: &Path, dir: &Path, args: &[&str]) -> (Run, Option<u64>) {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        note("/usr/bin/time not found: peak memory is not checked");
        return (run(dir, args), None);
    }
    let report = dir.join("time.txt");
    let out = Command::new(time)
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&report)
        .arg(bin)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let kb = std::fs::read_to_string(&report)
        .ok()
        .and_then(|s| s.lines().last()?.trim().parse().ok());
    let r = Run {
        code: out.status.code().unwrap(),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    (r, kb)
}

#[test]
fn a_line_longer_than_the_limit_passes_through_unclassified() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // Over the line limit, under the record limit: the document is cleaned.
    const SIZE: usize = 10 << 20;
    let mut input = b"Menu | Home | Sections\n".to_vec();
    input.extend(std::iter::repeat_n(b'w', SIZE));
    input.extend_from_slice(b"\nThe ferry timetable changes on Monday.\nMenu | Home | Sections");
    write(dir, "big/p.txt", &input);
    let rules = protect(dir);
    let started = Instant::now();
    let (r, peak) = run_measured(
        dir,
        &["clean", "-j", "1", "--rules", &rules, "big", "-o", "out"],
    );
    assert_code(&r, 0);
    assert!(
        r.stderr
            .contains("1 line longer than 1 MiB passed through unclassified"),
        "{}",
        r.stderr
    );
    let out = std::fs::read(dir.join("out/p.txt")).unwrap();
    assert_eq!(
        out,
        &input[23..input.len() - 22],
        "the long line is kept whole; the lines around it are still classified"
    );
    if let Some(kb) = peak {
        eprintln!("peak memory {kb} KB for a 10 MB line");
        // The input and its output are each in memory once (40 MB); a copy
        // per pass or a line normalised would show as more.
        assert!(
            kb < 4 * (SIZE as u64 >> 10),
            "peak memory {kb} KB for a 10 MB line"
        );
    }
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn explain_names_a_line_too_long_to_judge() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let long = "w".repeat(boilerstrip::pipeline::MAX_LINE + 1);
    let input = format!("Share this post\n{long}\nThe ferry timetable changes on Monday.\n");
    write(dir, "big/p.txt", input.as_bytes());
    let r = run(dir, &["clean", "-j", "1", "--explain", "big"]);
    assert_code(&r, 0);
    let stdout = String::from_utf8_lossy(&r.stdout);
    let rows: Vec<&str> = stdout.lines().filter(|l| !l.starts_with("== ")).collect();
    assert_eq!(rows.len(), 3, "one row per line");
    assert!(
        rows[1].starts_with("KEEP") && rows[1].contains("too-long"),
        "{}",
        &rows[1][..80]
    );
    // Shown by its first kilobyte and its length, not whole.
    assert!(
        rows[1].len() < 2048 && rows[1].ends_with("w ... (1,048,577 bytes in all)"),
        "{}",
        &rows[1][rows[1].len().saturating_sub(80)..]
    );
}

#[test]
fn a_long_line_inside_a_jsonl_text_is_kept_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let long = "w".repeat(boilerstrip::pipeline::MAX_LINE + 1);
    let text = format!("Menu | Home | Sections\n{long}\nThe ferry timetable changes.\n");
    let rec = format!(
        "{{\"id\":1,\"text\":{}}}\n",
        serde_json::to_string(&text).unwrap()
    );
    write(dir, "x.jsonl", rec.as_bytes());
    let r = clean_stdout(dir, "x.jsonl");
    assert_code(&r, 0);
    assert!(
        r.stderr.contains("1 line longer than 1 MiB"),
        "{}",
        r.stderr
    );
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(
        v["text"].as_str().unwrap(),
        format!("{long}\nThe ferry timetable changes.\n")
    );
}

/// Runs `sh -c SCRIPT` in `dir` and returns its standard output.
fn sh(dir: &Path, script: &str) -> String {
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The binary to decompress hundreds of megabytes with: the release build
/// when it is newer than every source file (`cargo build --release` after
/// the last change), else the test build, whose unoptimised gzip takes
/// about 15 s a pass on 200 MB; and the expanded size in MiB that keeps the
/// test to a few seconds with it. Either way the input is many times the
/// memory bound the test checks.
fn big_input_binary() -> (std::path::PathBuf, usize) {
    let debug = Path::new(env!("CARGO_BIN_EXE_boilerstrip"));
    let release = debug
        .parent()
        .and_then(Path::parent)
        .map(|t| t.join("release/boilerstrip"));
    let newest_source = walk_mtime(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match release {
        Some(r) if modified(&r).is_some_and(|t| Some(t) >= newest_source) => (r, 200),
        _ => (debug.to_path_buf(), 64),
    }
}

fn walk_mtime(dir: &Path) -> Option<std::time::SystemTime> {
    let mut newest = None;
    for e in std::fs::read_dir(dir).ok()?.flatten() {
        let t = if e.path().is_dir() {
            walk_mtime(&e.path())
        } else {
            e.metadata().and_then(|m| m.modified()).ok()
        };
        newest = newest.max(t);
    }
    newest
}

/// Peak memory a run may use on an input of any size: the batches in
/// flight (about `3 × threads` of 4 MiB), one record up to the 16 MiB
/// limit and its output, the statistics table of a small corpus, and the
/// program itself. Measured: about 45 MB on the 200 MB inputs below.
const BOUNDED_KB: u64 = 100 << 10;

#[test]
fn a_200_mb_one_line_file_streams_through_in_bounded_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // The test build streams 200 MB of text in about a second.
    let (bin, mb) = (Path::new(env!("CARGO_BIN_EXE_boilerstrip")), 200);
    std::fs::create_dir(dir.join("in")).unwrap();
    // One line of `mb` MiB with no line end, beside a page that is cleaned.
    sh(
        dir,
        &format!("head -c {mb}M /dev/zero | tr '\\0' w > in/one-line.txt"),
    );
    write(dir, "in/page.txt", page("in", 1).as_bytes());
    let started = Instant::now();
    let (r, peak) = run_measured_with(bin, dir, &["clean", "-j", "2", "in", "-o", "out"]);
    eprintln!(
        "{mb} MiB one-line file: {:?} with {}",
        started.elapsed(),
        bin.display()
    );
    assert_code(&r, 1);
    assert!(
        r.stderr
            .contains("in/one-line.txt: longer than 16 MiB decompressed: passed through unchanged"),
        "{}",
        r.stderr
    );
    assert_eq!(
        sh(dir, "cmp in/one-line.txt out/one-line.txt && echo same").trim(),
        "same",
        "passed through byte for byte"
    );
    assert!(
        dir.join("out/page.txt").exists(),
        "the other input is cleaned"
    );
    if let Some(kb) = peak {
        eprintln!("peak memory {kb} KB for a {mb} MiB line");
        // Holding the line whole, as a line or a document, would take
        // twice the bound.
        assert!(kb < BOUNDED_KB, "peak memory {kb} KB for a {mb} MiB line");
    }
}

#[test]
fn a_gzip_member_that_expands_a_thousandfold_stays_in_bounded_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (bin, mb) = big_input_binary();
    std::fs::create_dir(dir.join("in")).unwrap();
    // A JSONL shard in one gzip member: a record, one whose text is `mb` MiB
    // of one byte (which is what compresses about 1000:1), and a record.
    // The system's gzip makes it: the library's, in a test build, is slow.
    let first = "{\"id\":1,\"text\":\"Menu | Home | Sections\\nThe ferry timetable changes.\"}\n";
    write(
        dir,
        "head.part",
        format!("{first}{{\"id\":2,\"text\":\"").as_bytes(),
    );
    write(
        dir,
        "tail.part",
        b"\"}\n{\"id\":3,\"text\":\"The ferry timetable changes.\"}\n",
    );
    sh(
        dir,
        &format!(
            "{{ cat head.part; head -c {mb}M /dev/zero | tr '\\0' z; cat tail.part; }} \
             | gzip -c > in/bomb.jsonl.gz"
        ),
    );
    let gz = std::fs::metadata(dir.join("in/bomb.jsonl.gz"))
        .unwrap()
        .len() as usize;
    assert!(gz * 900 < mb << 20, "{gz} bytes compressed");
    let rules = protect(dir);
    let (r, peak) = run_measured_with(
        &bin,
        dir,
        &["clean", "-j", "2", "--rules", &rules, "in", "-o", "out"],
    );
    assert_code(&r, 1);
    let want = format!(
        "in/bomb.jsonl.gz:2: line at byte offset {} is longer than 16 MiB: \
         passed through unchanged, not cleaned",
        first.len()
    );
    assert!(r.stderr.contains(&want), "{}", r.stderr);
    // Every record is still there: the long one byte for byte, the others
    // cleaned.
    let size = |f: &str| {
        sh(dir, &format!("gzip -dc {f} | wc -c"))
            .trim()
            .parse::<usize>()
            .unwrap()
    };
    let dropped = "Menu | Home | Sections\\n".len();
    assert_eq!(
        size("out/bomb.jsonl.gz"),
        size("in/bomb.jsonl.gz") - dropped
    );
    assert_eq!(
        sh(dir, "gzip -dc out/bomb.jsonl.gz | head -c 200 | head -n 1"),
        "{\"id\":1,\"text\":\"The ferry timetable changes.\"}\n"
    );
    assert_eq!(
        sh(dir, "gzip -dc out/bomb.jsonl.gz | tail -n 1"),
        "{\"id\":3,\"text\":\"The ferry timetable changes.\"}\n"
    );
    if let Some(kb) = peak {
        eprintln!("peak memory {kb} KB for a {mb} MiB expansion");
        assert!(
            kb < BOUNDED_KB,
            "peak memory {kb} KB for a {mb} MiB expansion"
        );
    }
}

#[test]
fn jsonl_oddities_are_reported_or_kept_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let good = jsonl_record(1).line();
    let lines = [
        good.as_str(),
        "{\"id\":2,\"text\":\"cut off here\n",
        "{\"id\":3,\"body\":\"no text field\"}\n",
        "{\"id\":4,\"text\":42}\n",
        "{\"id\":5,\"text\":null}\n",
        "{\"id\":6,\"text\":\"ferry timetable \\u0000\\u0007\\t\\u001f\\ud83d\\ude00 ok\\nMenu | Home | Sections\\n\"}\n",
        "{\"id\":7,\"text\":\"lone \\ud800 surrogate\"}\n",
        "not json at all\n",
    ];
    let input: String = lines.concat();
    write(dir, "x.jsonl", input.as_bytes());
    let r = clean_stdout(dir, "x.jsonl");
    assert_code(&r, 1);
    for n in [2, 7, 8] {
        assert!(
            r.stderr.contains(&format!("x.jsonl:{n}: ")),
            "line {n}: {}",
            r.stderr
        );
    }
    assert!(
        r.stderr
            .contains("3 records without a string field \"text\" (first at line 3)"),
        "{}",
        r.stderr
    );
    let out = r.stdout_str();
    let out_lines: Vec<&str> = out.split_inclusive('\n').collect();
    assert_eq!(out_lines.len(), lines.len(), "{out}");
    for i in [1, 2, 3, 4, 6, 7] {
        assert_eq!(
            out_lines[i],
            lines[i],
            "record {} passes through unchanged",
            i + 1
        );
    }
    let v: serde_json::Value = serde_json::from_str(out_lines[5]).unwrap();
    assert_eq!(
        v["text"].as_str().unwrap(),
        "ferry timetable \u{0}\u{7}\t\u{1f}\u{1f600} ok\n",
        "control characters and the surrogate pair survive; the menu line goes"
    );
    assert_eq!(v["id"], 6);
}

#[test]
fn truncated_gzip_and_zstd_are_reported_and_get_no_output() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let text = (0..2000)
        .map(|i| format!("line {i} of a long page\n"))
        .collect::<String>();
    for (name, c) in [
        ("d/a.txt.gz", Compression::Gzip),
        ("d/b.txt.zst", Compression::Zstd),
    ] {
        let full = compressed(text.as_bytes(), c);
        write(dir, name, &full[..full.len() / 2]);
    }
    write(dir, "d/c.txt", page("d", 1).as_bytes());
    for threads in ["1", "2"] {
        let out = format!("out{threads}");
        let r = run(dir, &["clean", "-j", threads, "d", "-o", &out]);
        assert_code(&r, 1);
        for name in ["d/a.txt.gz: ", "d/b.txt.zst: "] {
            let line = r.stderr.lines().find(|l| l.contains(name));
            assert!(
                line.is_some_and(
                    |l| l.contains("at byte ") && l.contains("of the decompressed stream")
                ),
                "{name} reported with its offset: {}",
                r.stderr
            );
        }
        let names: Vec<String> = tree(&dir.join(&out)).into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            names,
            ["c.txt"],
            "nothing under the final names, no temporary files"
        );
    }
}

#[test]
fn zero_bytes_after_a_gzip_stream_are_ignored_and_other_trailing_bytes_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let text = page("d", 1);
    let gz = compressed(text.as_bytes(), Compression::Gzip);
    // 512 zeros: the padding of a tar block.
    let padded = [&gz[..], &[0; 512]].concat();
    write(dir, "d/padded.txt.gz", &padded);
    write(dir, "d/garbage.txt.gz", &[&padded[..], b"junk"].concat());
    write(dir, "d/plain.txt", text.as_bytes());
    let r = run(dir, &["clean", "-j", "1", "d", "-o", "out"]);
    assert_code(&r, 1);
    let want = format!(
        "d/garbage.txt.gz: at byte {} of the decompressed stream: invalid gzip header",
        text.len()
    );
    assert!(r.stderr.contains(&want), "{}", r.stderr);
    assert!(r.stderr.contains("1 bad input"), "{}", r.stderr);
    let names: Vec<String> = tree(&dir.join("out")).into_iter().map(|(p, _)| p).collect();
    assert_eq!(names, ["padded.txt.gz", "plain.txt"]);
    let (out, c) = read_decompressed(&dir.join("out/padded.txt.gz"));
    assert_eq!(c, Compression::Gzip);
    assert_eq!(out, std::fs::read(dir.join("out/plain.txt")).unwrap());
}

#[test]
fn an_unreadable_file_is_reported_and_skipped() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "d/a.txt", page("d", 1).as_bytes());
    // A link to nothing cannot be read by anyone, root included.
    std::os::unix::fs::symlink("nowhere.txt", dir.join("d/gone.txt")).unwrap();
    let locked = write(dir, "d/b.txt", page("d", 2).as_bytes());
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    // As root, permissions do not stop reads, and b.txt is read like any file.
    let root = std::fs::read(&locked).is_ok();
    let r = run(dir, &["clean", "d", "-o", "out"]);
    assert_code(&r, 1);
    assert!(r.stderr.contains("d/gone.txt: "), "{}", r.stderr);
    let names: Vec<String> = tree(&dir.join("out")).into_iter().map(|(p, _)| p).collect();
    if root {
        note("mode 000 does not stop this user from reading: the unreadable input is not tested");
        assert_eq!(names, ["a.txt", "b.txt"]);
    } else {
        assert!(
            r.stderr.contains("d/b.txt: Permission denied"),
            "{}",
            r.stderr
        );
        assert_eq!(names, ["a.txt"]);
    }
}

/// A tmpfs of `kb` kilobytes mounted at a new folder, unmounted on drop.
struct TinyDisk(std::path::PathBuf);

impl TinyDisk {
    fn mount(at: &Path, kb: u32) -> Option<TinyDisk> {
        std::fs::create_dir_all(at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kb}k"), "tmpfs"])
            .arg(at)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| TinyDisk(at.to_path_buf()))
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_output_disk_leaves_no_partial_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let Some(_disk) = TinyDisk::mount(&dir.join("out"), 64) else {
        note("the full-disk test skipped: cannot mount a small tmpfs here (not root?)");
        return;
    };
    write(dir, "d/a.txt", page("d", 1).as_bytes());
    let big = (0..20_000)
        .map(|i| format!("paragraph {i} on the ferry timetable, far too big for the disk\n"))
        .collect::<String>();
    write(dir, "d/b.txt", big.as_bytes());
    write(dir, "d/c.txt", page("d", 3).as_bytes());
    let rules = protect(dir);
    let r = run(
        dir,
        &["clean", "-j", "1", "--rules", &rules, "d", "-o", "out"],
    );
    assert_code(&r, 1);
    assert!(
        r.stderr.contains("b.txt: No space left on device"),
        "{}",
        r.stderr
    );
    let names: Vec<String> = tree(&dir.join("out")).into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        names,
        ["a.txt", "c.txt"],
        "no partial b.txt, no temporary file"
    );
}

/// `dir/m.model`, learned from one page under `dir/d`; returns its bytes.
fn learned_model(dir: &Path) -> Vec<u8> {
    write(dir, "d/a.txt", page("d", 1).as_bytes());
    assert_code(&run(dir, &["learn", "d", "-o", "m.model", "-q"]), 0);
    std::fs::read(dir.join("m.model")).unwrap()
}

#[test]
fn a_truncated_or_foreign_model_file_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let model = learned_model(dir);
    let mut newer = model.clone();
    newer[8] = newer[8].wrapping_add(1);
    let cases: [(&str, &[u8], &str); 4] = [
        ("cut.model", &model[..model.len() - 5], "truncated"),
        ("head.model", &model[..10], "shorter than the model header"),
        ("newer.model", &newer, "model format version"),
        ("text.model", &[b'x'; 64], "not a boilerstrip model"),
    ];
    for (name, data, says) in cases {
        write(dir, name, data);
        let r = run(dir, &["clean", "--model", name, "d"]);
        assert_code(&r, 2);
        assert!(
            r.stderr.contains(name) && r.stderr.contains(says),
            "{name}: {}",
            r.stderr
        );
        assert!(r.stdout.is_empty(), "no work is done");
    }
}

/// Nothing is overwritten by a run that could read nothing: `learn` whose
/// every input is bad leaves the model that was there, `train` and `merge`
/// refuse an output that is one of their inputs (or a model given twice),
/// before any work.
#[test]
fn runs_that_read_nothing_or_would_overwrite_an_input_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let model = learned_model(dir);
    let gz = compressed(page("d", 2).as_bytes(), Compression::Gzip);
    write(dir, "bad/cut.txt.gz", &gz[..gz.len() / 2]);
    write(dir, "bad/bin.txt", b"\0\x01binary");
    let r = run(dir, &["learn", "bad", "-o", "m.model"]);
    assert_code(&r, 2);
    assert!(r.stderr.contains("m.model not written"), "{}", r.stderr);
    assert_eq!(std::fs::read(dir.join("m.model")).unwrap(), model);

    let pages = "{\"text\":\"a\\nb\",\"gold\":\"a\"}\n";
    write(dir, "pages.jsonl", pages.as_bytes());
    let r = run(dir, &["train", "pages.jsonl", "-o", "./pages.jsonl"]);
    assert_code(&r, 2);
    assert!(r.stderr.contains("is one of the inputs"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.join("pages.jsonl")).unwrap(),
        pages
    );
    let r = run(dir, &["train", "pages.jsonl", "-o", "no/such/dir/m.txt"]);
    assert_code(&r, 2);
    assert!(r.stderr.contains("does not exist"), "{}", r.stderr);
    assert!(!r.stderr.contains("trained"), "refused before training");

    let r = run(dir, &["merge", "m.model", "./m.model", "-o", "sum.model"]);
    assert_code(&r, 2);
    assert!(r.stderr.contains("given twice"), "{}", r.stderr);
    assert!(!dir.join("sum.model").exists());
}

/// `train` on pages that give no line of one label (no pages at all, or gold
/// texts sharing no words with them) has nothing to fit: it is refused, and
/// nothing is written, rather than a model of zero weights or one that drops
/// every line.
#[test]
fn train_refuses_data_without_both_labels() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "m.txt", b"a model that was there\n");
    let cases = [
        ("empty.jsonl", "", "no line with words"),
        (
            "unrelated.jsonl",
            "{\"text\":\"Home\\nThe council met.\",\"gold\":\"Bridge works start.\"}\n",
            "no line labelled content (2 boilerplate)",
        ),
        (
            "all-gold.jsonl",
            "{\"text\":\"The council met.\",\"gold\":\"The council met.\"}\n",
            "no line labelled boilerplate (1 content)",
        ),
    ];
    for (name, pages, says) in cases {
        write(dir, name, pages.as_bytes());
        let r = run(dir, &["train", name, "-o", "m.txt"]);
        assert_code(&r, 2);
        assert!(
            r.stderr.contains(name) && r.stderr.contains(says),
            "{name}: {}",
            r.stderr
        );
        assert!(r.stderr.contains("m.txt not written"), "{}", r.stderr);
        assert_eq!(
            std::fs::read(dir.join("m.txt")).unwrap(),
            b"a model that was there\n"
        );
    }
    // One page with a line of each label trains.
    write(
        dir,
        "ok.jsonl",
        b"{\"text\":\"Home\\nThe council met.\",\"gold\":\"The council met.\"}\n",
    );
    assert_code(&run(dir, &["train", "ok.jsonl", "-o", "m.txt"]), 0);
}

/// A closed standard error (its reader gone, as in `2>&1 | head -1`) does
/// not stop the run: every good input still gets its output.
#[test]
fn a_closed_stderr_does_not_stop_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for i in 0..40 {
        write(dir, &format!("d/bin{i:02}.txt"), b"\0 binary, reported");
        write(dir, &format!("d/p{i:02}.txt"), page("d", i).as_bytes());
    }
    let args = ["clean", "d", "-o", "out", "--stats"];
    let mut child = spawn(dir, &args, Stdio::null(), Stdio::piped());
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "bad inputs, and no panic");
    let out = tree(&dir.join("out"));
    assert_eq!(out.len(), 40, "every good input has its output");
}

/// A file of thousands of bad records does not bury the other inputs'
/// messages: each input's first 20 are shown, then how many more there
/// were; all are counted.
#[test]
fn bad_records_are_shown_twenty_an_input_and_all_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let bad = |n: usize| (0..n).map(|i| format!("{{bad {i}\n")).collect::<String>();
    write(
        dir,
        "a.jsonl",
        format!("{}{{\"text\":\"ok\"}}\n", bad(1000)).as_bytes(),
    );
    write(dir, "b.jsonl", bad(5).as_bytes());
    for args in [
        &["clean", "a.jsonl", "b.jsonl", "-o", "out"][..],
        &["learn", "a.jsonl", "b.jsonl", "-o", "m.model"],
    ] {
        let r = run(dir, args);
        assert_code(&r, 1);
        let shown = |name: &str| {
            r.stderr
                .lines()
                .filter(|l| l.contains(&format!("{name}:")))
                .count()
        };
        assert_eq!(shown("a.jsonl"), 21, "{}", r.stderr);
        assert!(
            r.stderr.contains("a.jsonl: 980 more bad records not shown"),
            "{}",
            r.stderr
        );
        assert_eq!(shown("b.jsonl"), 5, "{}", r.stderr);
        assert!(r.stderr.contains("1,005 bad records"), "{}", r.stderr);
    }
}

/// Settings beyond what the machine can do are refused with a message, not
/// a crash: thousands of threads, a sketch larger than the memory.
#[test]
fn settings_beyond_the_machine_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "a.txt", page("d", 1).as_bytes());
    let r = run(dir, &["clean", "a.txt", "-j", "100000"]);
    assert_code(&r, 2);
    assert!(
        r.stderr.contains("--threads 100000: at most"),
        "{}",
        r.stderr
    );
    // 100,000 GiB asks for the largest sketch, 64 GiB: refused where the
    // system will not give it, used where it will; never an abort.
    let r = run(dir, &["clean", "a.txt", "--max-memory", "100000G", "-q"]);
    match r.code {
        0 => note("this machine gives 64 GiB: the refused sketch is not tested"),
        _ => {
            assert_code(&r, 2);
            assert!(
                r.stderr.contains("max-memory: cannot allocate"),
                "{}",
                r.stderr
            );
            assert!(r.stdout.is_empty());
        }
    }
}

/// A corpus of `n` text pages over a few sites under `dir/dumps`.
fn many_pages(dir: &Path, n: usize) {
    for i in 0..n {
        let site = format!("s{}.example", i % 7);
        let mut text = page(&site, i);
        for k in 0..40 {
            text.push_str(&format!(
                "Paragraph {k} of page {i}: the council met again on the ferry question.\n"
            ));
        }
        write(
            &dir.join("dumps"),
            &format!("{site}/p{i:04}.txt"),
            text.as_bytes(),
        );
    }
}

#[test]
fn resume_leaves_finished_outputs_alone_and_redoes_stale_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    many_pages(dir, 6);
    assert_code(&run(dir, &["clean", "dumps", "-o", "out", "-q"]), 0);
    let first = tree(&dir.join("out"));
    // An output newer than its input is left alone ...
    let kept = dir.join("out/s0.example/p0000.txt");
    std::fs::write(&kept, "left alone\n").unwrap();
    // ... one older than its input is written again ...
    let stale = dir.join("out/s1.example/p0001.txt");
    std::fs::write(&stale, "stale\n").unwrap();
    let past = std::time::SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(past)
        .unwrap();
    // ... and a missing one is written.
    std::fs::remove_file(dir.join("out/s2.example/p0002.txt")).unwrap();
    // A temporary file of a killed run is removed.
    write(dir, "out/s3.example/.p0003.txt.4242-7.tmp", b"half a fi");
    let r = run(dir, &["clean", "dumps", "-o", "out", "--resume"]);
    assert_code(&r, 0);
    assert!(
        r.stderr.contains("removed 1 temporary files"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("4 of 6 inputs already had a complete output"),
        "{}",
        r.stderr
    );
    let second = tree(&dir.join("out"));
    let want: Vec<(String, Vec<u8>)> = first
        .into_iter()
        .map(|(p, b)| {
            let b = if p == "s0.example/p0000.txt" {
                b"left alone\n".to_vec()
            } else {
                b
            };
            (p, b)
        })
        .collect();
    assert_eq!(second, want);
    let r = run(dir, &["clean", "dumps", "--resume"]);
    assert_code(&r, 2);
    assert!(
        r.stderr.contains("--output"),
        "--resume needs -o: {}",
        r.stderr
    );
}

#[test]
fn resume_takes_only_a_regular_file_as_a_finished_output() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    many_pages(dir, 3);
    assert_code(&run(dir, &["clean", "dumps", "-o", "out", "-q"]), 0);
    // A directory where an output goes is not an output: reported as
    // without --resume, not counted as done.
    let target = dir.join("out/s1.example/p0001.txt");
    std::fs::remove_file(&target).unwrap();
    std::fs::create_dir(&target).unwrap();
    let r = run(dir, &["clean", "dumps", "-o", "out", "--resume"]);
    assert_code(&r, 1);
    assert!(
        r.stderr
            .contains("out/s1.example/p0001.txt: Is a directory"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("2 of 3 inputs already had a complete output"),
        "{}",
        r.stderr
    );
    // A symbolic link there, even to a newer file, is replaced by the output.
    std::fs::remove_dir(&target).unwrap();
    write(dir, "elsewhere.txt", b"not an output\n");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.join("elsewhere.txt"), &target).unwrap();
        let r = run(dir, &["clean", "dumps", "-o", "out", "--resume"]);
        assert_code(&r, 0);
        assert!(!target.is_symlink() && target.is_file());
        assert_ne!(std::fs::read(&target).unwrap(), b"not an output\n");
        assert_eq!(
            std::fs::read(dir.join("elsewhere.txt")).unwrap(),
            b"not an output\n"
        );
    }
}

/// Copies the sample corpus's pages to `dir/dumps`.
fn sample_pages(dir: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/sample/input");
    for (rel, bytes) in tree(&from) {
        write(&dir.join("dumps"), &rel, &bytes);
    }
}

/// Sets the modification time of `path` an hour back.
fn backdate(path: &Path) {
    let past = std::time::SystemTime::now() - Duration::from_secs(3600);
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(past).unwrap();
}

#[test]
fn resume_writes_every_output_again_when_an_input_changed_since() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    sample_pages(dir);
    assert_code(&run(dir, &["clean", "dumps", "-o", "out", "-q"]), 0);
    // File times may be as coarse as the kernel's tick.
    std::thread::sleep(Duration::from_millis(50));
    // Copies of a page add its article's lines to the site's statistics:
    // the page's own output is no longer what this corpus gives.
    let page = std::fs::read(dir.join("dumps/harbourgazette/lifeboat-rescue.txt")).unwrap();
    for k in 0..3 {
        write(dir, &format!("dumps/harbourgazette/copy-{k}.txt"), &page);
    }
    assert_code(&run(dir, &["clean", "dumps", "-o", "fresh", "-q"]), 0);
    let fresh = tree(&dir.join("fresh"));
    let old = std::fs::read(dir.join("out/harbourgazette/lifeboat-rescue.txt")).unwrap();
    let new = &fresh
        .iter()
        .find(|(p, _)| p == "harbourgazette/lifeboat-rescue.txt")
        .unwrap()
        .1;
    assert_ne!(&old, new, "the copies change the page's output");
    let r = run(dir, &["clean", "dumps", "-o", "out", "--resume"]);
    assert_code(&r, 0);
    assert!(
        r.stderr
            .contains("changed after outputs of the earlier run were written")
            && r.stderr.contains("every output is written again"),
        "{}",
        r.stderr
    );
    assert_eq!(tree(&dir.join("out")), fresh);
    // Nothing changed since: every output is left alone.
    let r = run(dir, &["clean", "dumps", "-o", "out", "--resume"]);
    assert_code(&r, 0);
    assert!(
        r.stderr.contains("31 of 31 inputs already had"),
        "{}",
        r.stderr
    );
}

#[test]
fn resume_writes_again_an_input_replaced_by_one_with_old_times() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    many_pages(dir, 6);
    // A file copied with its times kept (cp -p, rsync -a): an old
    // modification time, but a new status-change time.
    let a = write(
        dir,
        "dumps/s0.example/p0000.txt",
        page("s0.example", 0).as_bytes(),
    );
    backdate(&a);
    // A symbolic link, and the two files it points to, in turn.
    let (one, two) = (dir.join("one.txt"), dir.join("two.txt"));
    std::fs::write(&one, page("s1.example", 90)).unwrap();
    std::fs::write(&two, page("s1.example", 91)).unwrap();
    backdate(&one);
    backdate(&two);
    let link = dir.join("dumps/s1.example/link.txt");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&one, &link).unwrap();
    let model = ["--model", "all.model"];
    assert_code(&run(dir, &["learn", "dumps", "-o", "all.model", "-q"]), 0);
    let clean = |out: &str, resume: bool| {
        let mut args = vec!["clean", "dumps", "-o", out, "-q"];
        args.extend(model);
        if resume {
            args.push("--resume");
        }
        run(dir, &args)
    };
    assert_code(&clean("out", false), 0);
    std::thread::sleep(Duration::from_millis(50));
    std::fs::write(&a, page("s0.example", 70)).unwrap();
    backdate(&a);
    #[cfg(unix)]
    {
        std::fs::remove_file(&link).unwrap();
        std::os::unix::fs::symlink(&two, &link).unwrap();
    }
    assert_code(&clean("fresh", false), 0);
    // With a model the statistics are the model's: only the changed
    // inputs are cleaned again.
    let mut args = vec!["clean", "dumps", "-o", "out", "--resume"];
    args.extend(model);
    let r = run(dir, &args);
    assert_code(&r, 0);
    let others = if cfg!(unix) { "5 of 7" } else { "5 of 6" };
    assert!(
        r.stderr.contains(&format!("{others} inputs already had")),
        "{}",
        r.stderr
    );
    assert_eq!(tree(&dir.join("out")), tree(&dir.join("fresh")));
}

#[test]
fn resume_still_reports_the_bad_records_of_inputs_it_leaves_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    many_pages(dir, 3);
    let shard = format!(
        "{}{{bad json\n{}",
        jsonl_record(1).line(),
        jsonl_record(2).line()
    );
    write(dir, "dumps/feed.jsonl", shard.as_bytes());
    let first = run(dir, &["clean", "dumps", "-o", "out"]);
    assert_code(&first, 1);
    let r = run(dir, &["clean", "dumps", "-o", "out", "--resume"]);
    assert_code(&r, 1);
    assert!(
        r.stderr
            .contains("4 of 4 inputs already had a complete output"),
        "{}",
        r.stderr
    );
    let message = |r: &Run| {
        r.stderr
            .lines()
            .filter(|l| l.contains("dumps/feed.jsonl:2:"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(message(&r), message(&first));
    assert_eq!(message(&r).len(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("1 bad record"), "{}", r.stderr);
}

#[test]
fn a_run_killed_halfway_is_finished_by_resume_with_identical_output() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    many_pages(dir, 400);
    assert_code(
        &run(dir, &["clean", "-j", "2", "dumps", "-o", "whole", "-q"]),
        0,
    );
    let whole = tree(&dir.join("whole"));
    assert_eq!(whole.len(), 400);

    let args = ["clean", "-j", "2", "dumps", "-o", "cut", "-q"];
    let mut child = spawn(dir, &args, Stdio::null(), Stdio::null());
    // Kill it once some outputs are there but not all.
    let deadline = Instant::now() + Duration::from_secs(60);
    let cut = dir.join("cut");
    let mut killed_halfway = false;
    while Instant::now() < deadline {
        let n = walkdir::WalkDir::new(&cut)
            .into_iter()
            .filter(|e| e.is_ok())
            .count();
        if n > 60 {
            killed_halfway = child.try_wait().unwrap().is_none();
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let partial = tree(&cut);
    for (p, bytes) in &partial {
        let name = p.rsplit('/').next().unwrap();
        if name.starts_with('.') && name.ends_with(".tmp") {
            continue;
        }
        let want = whole
            .iter()
            .find(|(w, _)| w == p)
            .unwrap_or_else(|| panic!("{p}"));
        assert_eq!(
            &want.1, bytes,
            "{p}: every output under its final name is complete"
        );
    }
    if killed_halfway {
        assert!(
            partial.len() < whole.len(),
            "the run was stopped before the end"
        );
    } else {
        note("the run finished before it could be killed: the interrupted half is not tested");
    }
    let r = run(dir, &["clean", "-j", "2", "dumps", "-o", "cut", "--resume"]);
    assert_code(&r, 0);
    assert_eq!(
        tree(&cut),
        whole,
        "the resumed run equals an uninterrupted one"
    );
}

#[cfg(unix)]
#[test]
fn a_temporary_file_of_an_output_whose_name_is_not_utf8_is_removed() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // A Latin-1 file name, as old archives have them.
    let name = OsStr::from_bytes(b"caf\xe9.txt");
    std::fs::create_dir_all(dir.join("dumps/s.example")).unwrap();
    std::fs::write(
        dir.join("dumps/s.example").join(name),
        "Share this post\nA line of prose about the tide and the harbour wall.\n",
    )
    .unwrap();
    // What a run killed while writing it leaves behind.
    std::fs::create_dir_all(dir.join("out/s.example")).unwrap();
    let left = dir
        .join("out/s.example")
        .join(OsStr::from_bytes(b".caf\xe9.txt.4242-7.tmp"));
    std::fs::write(&left, "half a fi").unwrap();
    let r = run(dir, &["clean", "dumps", "-o", "out"]);
    assert_code(&r, 0);
    assert!(
        r.stderr.contains("removed 1 temporary files"),
        "{}",
        r.stderr
    );
    assert!(!left.exists());
    assert!(dir.join("out/s.example").join(name).is_file());
}

/// Reads the named pipe `path` whole on a thread of its own (opening it
/// blocks until a writer comes); `None` if nothing wrote to it in time.
#[cfg(unix)]
fn read_pipe(path: &Path) -> impl FnOnce() -> Option<Vec<u8>> {
    let path = path.to_path_buf();
    let (tx, rx) = std::sync::mpsc::channel();
    // Left blocked in `open` when nothing opens the pipe: the thread ends
    // with the test process.
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let read = std::fs::File::open(&path).and_then(|mut f| {
            use std::io::Read;
            f.read_to_end(&mut bytes)
        });
        let _ = tx.send(read.ok().map(|_| bytes));
    });
    move || rx.recv_timeout(Duration::from_secs(30)).ok().flatten()
}

#[cfg(unix)]
#[test]
fn a_model_or_statistics_file_that_is_a_pipe_a_device_or_a_link_is_written_into() {
    use std::os::unix::fs::FileTypeExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(
        dir,
        "dumps/a.example/p.txt",
        page("a.example", 1).as_bytes(),
    );
    // A named pipe (`>(...)`, `/dev/stdout` on a pipe) stays one, and its
    // reader gets the model.
    let fifo = dir.join("model.pipe");
    mkfifo(&fifo);
    let reader = read_pipe(&fifo);
    let r = run(dir, &["learn", "dumps", "-o", "model.pipe"]);
    assert_code(&r, 0);
    let got = reader();
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo(),
        "the pipe was replaced by a file"
    );
    assert_code(&run(dir, &["learn", "dumps", "-o", "model"]), 0);
    assert_eq!(got, Some(std::fs::read(dir.join("model")).unwrap()));
    // A symbolic link to a file: the file is written, the link stays.
    write(dir, "real.json", b"old\n");
    std::os::unix::fs::symlink("real.json", dir.join("link.json")).unwrap();
    let r = run(
        dir,
        &["clean", "dumps", "-o", "out", "--stats-json", "link.json"],
    );
    assert_code(&r, 0);
    assert!(dir.join("link.json").is_symlink());
    let json = std::fs::read_to_string(dir.join("real.json")).unwrap();
    assert!(json.contains("\"documents\""), "{json}");
    // A device (as root: a node like /dev/null's, made here).
    let null = dir.join("null");
    let made = Command::new("mknod")
        .arg(&null)
        .args(["c", "1", "3"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        note("mknod not permitted (not root): a device as the model not tested");
        return;
    }
    let r = run(dir, &["learn", "dumps", "-o", "null"]);
    assert_code(&r, 0);
    let kind = std::fs::symlink_metadata(&null).unwrap().file_type();
    assert!(kind.is_char_device(), "the device was replaced by a file");
}

#[test]
fn an_output_whose_name_has_255_bytes_is_written_again_over_an_earlier_one() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let name = format!("{}.txt", "p".repeat(251));
    write(
        dir,
        &format!("dumps/s/{name}"),
        page("s.example", 1).as_bytes(),
    );
    for round in 0..2 {
        let r = run(dir, &["clean", "dumps", "-o", "out"]);
        assert_code(&r, 0);
        assert!(r.stderr.lines().count() == 1, "round {round}: {}", r.stderr);
        let out = tree(&dir.join("out"));
        assert_eq!(out.len(), 1, "round {round}");
        assert!(out[0].0.ends_with(&name));
    }
}

#[test]
fn a_stream_that_cannot_be_read_is_named_once_in_its_message() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir(dir.join("folder")).unwrap();
    // Standard input that is a folder (`< folder`): reading it fails.
    let out = Command::new(env!("CARGO_BIN_EXE_boilerstrip"))
        .args(["clean", "-"])
        .current_dir(dir)
        .stdin(std::fs::File::open(dir.join("folder")).unwrap())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let first = stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("boilerstrip: <stdin>: ") && first.matches("<stdin>").count() == 1,
        "{stderr}"
    );
}

#[test]
fn with_a_model_standard_input_is_cleaned_as_it_comes_not_held_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    corpus(dir);
    assert_code(&run(dir, &["learn", "dumps", "-o", "m.model"]), 0);
    // More than a batch (4 MiB) of records, and standard input left open:
    // a run that holds its input until the end writes nothing.
    let mut records = String::new();
    let mut i = 0;
    while records.len() < 6 << 20 {
        records.push_str(&jsonl_record(i).line());
        i += 1;
    }
    for threads in ["1", "2"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_boilerstrip"))
            .args(["clean", "--model", "m.model", "--format", "jsonl", "-j"])
            .args([threads, "-"])
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::Read;
            let mut first = [0u8; 1];
            let _ = tx.send(stdout.read_exact(&mut first).is_ok());
            let _ = std::io::copy(&mut stdout, &mut std::io::sink());
        });
        {
            use std::io::Write;
            stdin.write_all(records.as_bytes()).unwrap();
            stdin.flush().unwrap();
        }
        let streamed = rx.recv_timeout(Duration::from_secs(60));
        drop(stdin);
        let status = child.wait().unwrap();
        assert_eq!(
            streamed,
            Ok(true),
            "-j {threads}: no output before the end of the input"
        );
        assert!(status.success(), "-j {threads}");
    }
}

/// A stream that never ends, given by name (`/dev/zero`, `/dev/urandom`),
/// is read only as far as the binary check needs: here a named pipe that
/// gives 16 MiB of NUL bytes and is then held open without more. Read to its
/// end, as a stream for two passes once was, the run would wait for ever
/// (and a device would fill memory).
#[cfg(unix)]
#[test]
fn a_binary_stream_given_by_name_is_read_only_as_far_as_its_first_bytes() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let fifo = dir.join("zeros");
    mkfifo(&fifo);
    let (done, held) = std::sync::mpsc::channel::<()>();
    let path = fifo.clone();
    std::thread::spawn(move || {
        let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(&path) else {
            return;
        };
        let block = vec![0u8; 1 << 16];
        for _ in 0..256 {
            if f.write_all(&block).is_err() {
                return;
            }
        }
        // Open and silent until the test ends.
        let _ = held.recv_timeout(Duration::from_secs(120));
    });
    let mut child = spawn(dir, &["clean", "zeros"], Stdio::null(), Stdio::piped());
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(done);
    let status = status.expect("clean still reading a binary stream after 30 s");
    assert_eq!(status.code(), Some(2));
    let mut stderr = String::new();
    use std::io::Read;
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(stderr.contains("zeros: binary file"), "{stderr}");
}

/// A full disk under the output stream (of clean, of eval), a model or a
/// line model is one message that says what could not be written and
/// names the file once.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_says_what_could_not_be_written() {
    let full = Path::new("/dev/full");
    if !full.exists() {
        note("no /dev/full: writes to a full disk not tested");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "d/p.txt", page("d", 1).as_bytes());
    let pages = "{\"text\":\"Home\\nA line of the article itself.\",\"gold\":\"A line of the article itself.\"}\n";
    write(dir, "pages.jsonl", pages.as_bytes());
    for args in [["clean", "d"], ["eval", "pages.jsonl"]] {
        let out = std::fs::OpenOptions::new().write(true).open(full).unwrap();
        let child = spawn(dir, &args, Stdio::from(out), Stdio::piped());
        let r = child.wait_with_output().unwrap();
        assert_eq!(r.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&r.stderr);
        let said = "error: cannot write the output stream: No space left on device";
        assert!(stderr.contains(said), "{args:?}: {stderr}");
    }
    for (args, what) in [
        (["learn", "d"], "model"),
        (["train", "pages.jsonl"], "line model"),
    ] {
        let r = run(dir, &[args[0], args[1], "-o", "/dev/full"]);
        assert_code(&r, 2);
        let said = format!("error: cannot write the {what}: /dev/full: No space left on device");
        assert!(r.stderr.contains(&said), "{args:?}: {}", r.stderr);
    }
}
