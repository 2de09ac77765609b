//! The command line: inputs and outputs, passes, statistics, exit codes.

use std::io::Read;
use std::process::Stdio;

use boilerstrip::compress::Compression;

use crate::util::*;

#[test]
fn directory_is_mirrored_with_names_formats_and_compression() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let files = corpus(dir);
    let r = run(
        dir,
        &["clean", "dumps/", "-o", "clean/", "--stats-json", "s.json"],
    );
    assert_code(&r, 0);
    assert!(r.stdout.is_empty(), "nothing on stdout with -o");
    let out: Vec<String> = tree(&dir.join("clean"))
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    let mut want = files.clone();
    want.sort();
    assert_eq!(
        out, want,
        "one output per input, same relative path, no temp files left"
    );
    for rel in &files {
        let (input, cin) = read_decompressed(&dir.join("dumps").join(rel));
        let (output, cout) = read_decompressed(&dir.join("clean").join(rel));
        assert_eq!(cin, cout, "{rel}: output keeps the input's compression");
        if rel.ends_with(".txt") {
            assert_kept_lines(&output, &input);
        }
    }
    let stats = stats_without_time(&dir.join("s.json"));
    assert_eq!(stats["inputs"], files.len());
    // 12 pages, 15 JSONL records, 4 WET conversion records.
    assert_eq!(stats["documents"]["in"], 12 + 15 + 4);
}

#[test]
fn one_thread_and_two_threads_give_identical_results() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    corpus(dir);
    let mut runs = Vec::new();
    for t in ["1", "2", "3"] {
        let out = format!("out{t}");
        let json = format!("s{t}.json");
        let r = run(
            dir,
            &[
                "clean",
                "dumps",
                "-o",
                &out,
                "--threads",
                t,
                "--stats-json",
                &json,
            ],
        );
        assert_code(&r, 0);
        let stream = run(dir, &["clean", "dumps", "--threads", t]);
        assert_code(&stream, 0);
        let explain = run(dir, &["clean", "dumps", "--explain", "-j", t]);
        assert_code(&explain, 0);
        runs.push((
            tree(&dir.join(&out)),
            stats_without_time(&dir.join(&json)),
            stream.stdout,
            explain.stdout,
        ));
    }
    assert!(!runs[0].2.is_empty());
    for other in &runs[1..] {
        assert!(runs[0].0 == other.0, "output directories differ");
        assert_eq!(runs[0].1, other.1, "statistics differ");
        assert!(runs[0].2 == other.2, "stdout differs");
        assert!(runs[0].3 == other.3, "--explain differs");
    }
}

#[test]
fn a_file_cleaned_in_many_small_batches_gives_the_same_output() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    corpus(dir);
    // One JSONL file of many records, beside the corpus's smaller files.
    let big: String = (0..400).map(|i| jsonl_record(i % 15).line()).collect();
    write(
        &dir.join("dumps"),
        "feeds/big.jsonl.gz",
        &compressed(big.as_bytes(), Compression::Gzip),
    );
    let whole = run(
        dir,
        &[
            "clean",
            "dumps",
            "-o",
            "whole",
            "-j",
            "1",
            "--stats-json",
            "w.json",
        ],
    );
    assert_code(&whole, 0);
    let whole_stream = run(dir, &["clean", "dumps", "-j", "1"]);
    let whole_explain = run(dir, &["clean", "dumps", "-j", "1", "--explain"]);
    let decompressed = |root: &str| -> Vec<(String, Vec<u8>)> {
        tree(&dir.join(root))
            .into_iter()
            .map(|(name, _)| {
                let (data, _) = read_decompressed(&dir.join(root).join(&name));
                (name, data)
            })
            .collect()
    };
    for t in ["1", "3"] {
        let out = format!("batched{t}");
        let json = format!("b{t}.json");
        // 2,000-byte batches: the big file comes in dozens of them.
        let args = ["--batch-bytes", "2000", "-j", t];
        let r = run(
            dir,
            &[
                &["clean", "dumps", "-o", &out, "--stats-json", &json][..],
                &args,
            ]
            .concat(),
        );
        assert_code(&r, 0);
        assert!(
            decompressed("whole") == decompressed(&out),
            "-j {t}: output files differ"
        );
        assert_eq!(
            stats_without_time(&dir.join("w.json")),
            stats_without_time(&dir.join(&json)),
            "-j {t}: statistics differ"
        );
        let (data, c) = read_decompressed(&dir.join(&out).join("feeds/big.jsonl.gz"));
        assert_eq!(c, Compression::Gzip, "a gzip file of several members");
        assert!(!data.is_empty());
        let stream = run(dir, &[&["clean", "dumps"][..], &args].concat());
        assert!(
            stream.stdout == whole_stream.stdout,
            "-j {t}: stdout differs"
        );
        let explain = run(dir, &[&["clean", "dumps", "--explain"][..], &args].concat());
        assert!(
            explain.stdout == whole_explain.stdout,
            "-j {t}: --explain differs"
        );
    }
}

#[test]
fn output_inside_an_input_is_allowed_when_asked_and_never_read_back() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    corpus(dir);
    let elsewhere = run(dir, &["clean", "dumps", "-o", "elsewhere", "-j", "2"]);
    assert_code(&elsewhere, 0);
    let args = [
        "clean",
        "dumps",
        "-o",
        "dumps/clean",
        "--allow-output-in-input",
        "-j",
        "2",
    ];
    for round in 0..2 {
        // The second time, the first run's outputs are inside the input
        // tree: they must not be inputs (nor be written to dumps/clean/clean).
        let r = run(dir, &args);
        assert_code(&r, 0);
        assert!(
            tree(&dir.join("dumps/clean")) == tree(&dir.join("elsewhere")),
            "round {round}: the output is that of a run outside the inputs"
        );
    }
    // Without the flag, still refused.
    let r = run(dir, &["clean", "dumps", "-o", "dumps/clean"]);
    assert_code(&r, 2);
    assert!(r.stderr.contains("--allow-output-in-input"), "{}", r.stderr);
    // An output onto the inputs themselves stays refused.
    let r = run(
        dir,
        &["clean", "dumps", "-o", "dumps", "--allow-output-in-input"],
    );
    assert_code(&r, 2);
}

#[test]
fn stdout_holds_every_input_in_order_uncompressed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "d/1.txt", b"first\n");
    write(
        dir,
        "d/2.txt.gz",
        &compressed(b"second\n", Compression::Gzip),
    );
    write(
        dir,
        "d/3.txt.zst",
        &compressed(b"third\n", Compression::Zstd),
    );
    let r = run(dir, &["clean", "d/3.txt.zst", "d"]);
    assert_code(&r, 0);
    // Each file's one line is kept (a page of one short line scores as
    // content), in the order of the arguments, then of the walk,
    // decompressed.
    assert_eq!(r.stdout, b"third\nfirst\nsecond\nthird\n");
}

#[test]
fn stdin_to_stdout_as_jsonl_and_compressed() {
    let tmp = tempfile::tempdir().unwrap();
    let recs: Vec<Record> = (0..6).map(jsonl_record).collect();
    let input: String = recs.iter().map(Record::line).collect();
    for stdin in [
        input.as_bytes().to_vec(),
        compressed(input.as_bytes(), Compression::Gzip),
        compressed(input.as_bytes(), Compression::Zstd),
    ] {
        let r = run_in(tmp.path(), &["clean", "--format", "jsonl", "-"], &stdin);
        assert_code(&r, 0);
        let out = r.stdout_str();
        let out_lines: Vec<&str> = out.split_inclusive('\n').collect();
        assert_eq!(out_lines.len(), recs.len());
        for (o, rec) in out_lines.iter().zip(&recs) {
            assert_record(o, &rec.line(), rec);
        }
    }
    // Standard input cannot be mirrored into a directory.
    let r = run_in(tmp.path(), &["clean", "-", "-o", "out"], input.as_bytes());
    assert_code(&r, 2);
    assert!(r.stderr.contains("standard input"), "{}", r.stderr);
}

#[test]
fn explain_marks_every_line_and_agrees_with_the_output() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    corpus(dir);
    write(dir, "decide.rules", DECIDING_RULES.as_bytes());
    // CRLF line ends, blank and whitespace-only lines (first and last), a
    // bare CR and a bell inside a line, invalid UTF-8, and no final line end:
    // still one row per line, in order.
    let odd: &[u8] =
        b"\r\nShare this post\r\n\r\n \t \r\nThe ferry timetable changes on Monday.\r\n\
        A bell\x07 rang\rtwice \xff\xfe here.\n\nMenu | Home | Sections\r\n  \nlast line\r";
    write(dir, "odd/page.txt", odd);
    let page1 = page("a.example", 1).into_bytes();
    for (path, text) in [
        ("dumps/a.example/page-1.txt", &page1[..]),
        ("odd/page.txt", odd),
    ] {
        let r = run(
            dir,
            &["clean", path, "--explain", "--rules", "decide.rules"],
        );
        assert_code(&r, 0);
        let shown = r.stdout_str();
        let mut it = shown.split('\n');
        assert_eq!(it.next(), Some(format!("== {path}").as_str()));
        let body: Vec<&str> = it.collect();
        assert_eq!(body.last(), Some(&""), "every row ends with a line end");
        let body = &body[..body.len() - 1];
        let text_lines = lines(text);
        assert_eq!(body.len(), text_lines.len(), "{path}: one row per line");
        for (row, line) in body.iter().zip(&text_lines) {
            let line = visible(content(line));
            let row = explain_row(row, &line);
            if line.contains("ferry timetable") {
                assert!(row.keep, "a protected line is kept: {row:?}");
                assert_eq!(row.reason, "protected \"ferry timetable\"");
            }
            if line == "Menu | Home | Sections" {
                assert!(!row.keep, "a user rule drops its line: {row:?}");
            }
        }
    }

    // For every format, the KEEP rows are exactly the lines written out (the
    // rules make sure that there are some of each).
    for path in [
        "dumps/a.example",
        "odd",
        "dumps/feeds/shard-01.jsonl.gz",
        "dumps/cc/CC-MAIN-00.warc.wet.gz",
    ] {
        let explain = run(
            dir,
            &["clean", path, "--explain", "--rules", "decide.rules"],
        );
        assert_code(&explain, 0);
        let shown = explain.stdout_str();
        let mut kept_rows = Vec::new();
        let mut dropped_rows = 0;
        for row in shown.lines().filter(|l| !l.starts_with("== ")) {
            let (_, line) = row.split_once(" | ").unwrap();
            if explain_row(row, line).keep {
                kept_rows.push(line.to_string());
            } else {
                dropped_rows += 1;
            }
        }
        assert!(!kept_rows.is_empty() && dropped_rows > 0, "{path}: {shown}");
        let headers = shown.lines().filter(|l| l.starts_with("== ")).count();
        let clean = run(dir, &["clean", path, "--rules", "decide.rules"]);
        assert_code(&clean, 0);
        let out = clean.stdout;
        let shown_lines = |text: &[u8]| -> Vec<String> {
            lines(text)
                .into_iter()
                .map(|l| visible(content(l)))
                .collect()
        };
        let kept_text: Vec<String> = if path.contains(".jsonl") {
            assert_eq!(headers, 5, "one header per record");
            String::from_utf8(out)
                .unwrap()
                .lines()
                .flat_map(|l| {
                    let v: serde_json::Value = serde_json::from_str(l).unwrap();
                    shown_lines(v["text"].as_str().unwrap().as_bytes())
                })
                .collect()
        } else if path.contains(".wet") {
            assert_eq!(headers, 4, "one header per conversion record");
            assert!(shown.contains("  https://c.example/2\n"));
            wet_bodies(&out)
                .iter()
                .flat_map(|b| shown_lines(b.as_bytes()))
                .collect()
        } else {
            let files = if path == "odd" { 1 } else { 6 };
            assert_eq!(headers, files);
            shown_lines(&out)
        };
        assert_eq!(kept_rows, kept_text, "{path}");
    }
}

#[cfg(unix)]
#[test]
fn explain_headers_stay_one_line_whatever_the_file_names() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // A name that, printed as it is, would end its header and forge a row.
    let names = [
        "a\nDROP 0.00  x | forged.txt",
        "b\tc.txt",
        "c\rd.txt",
        "plain.txt",
    ];
    for (i, name) in names.iter().enumerate() {
        write(dir, &format!("d/s/{name}"), page("s.example", i).as_bytes());
    }
    let r = run(dir, &["clean", "d", "--explain"]);
    assert_code(&r, 0);
    let out = r.stdout_str();
    let headers: Vec<&str> = out.lines().filter(|l| l.starts_with("== ")).collect();
    assert_eq!(
        headers,
        [
            "== d/s/a\\x0aDROP 0.00  x | forged.txt",
            "== d/s/b\tc.txt",
            "== d/s/c\\x0dd.txt",
            "== d/s/plain.txt"
        ]
    );
    let forged = out.lines().filter(|l| l.contains("forged"));
    assert_eq!(forged.count(), 1, "{out}");
}

/// A message about an input found in a folder is one line of stderr, its
/// name's control characters shown as `--explain` shows them.
#[cfg(unix)]
#[test]
fn messages_stay_one_line_whatever_the_file_names() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "d/s/a\nboilerstrip: forged.txt", b"\0 binary");
    write(dir, "d/s/b\tc.txt", b"\0 binary");
    write(dir, "d/s/plain.txt", page("s.example", 1).as_bytes());
    let r = run(dir, &["clean", "d", "-o", "out", "-q"]);
    assert_code(&r, 1);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(
        lines,
        [
            "boilerstrip: d/s/a\\x0aboilerstrip: forged.txt: binary file (a NUL byte at byte 0): skipped",
            "boilerstrip: d/s/b\tc.txt: binary file (a NUL byte at byte 0): skipped",
        ]
    );
}

#[test]
fn learned_model_gives_the_same_result_as_pass_one() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    corpus(dir);
    let r = run(
        dir,
        &[
            "learn",
            "dumps/",
            "-o",
            "site.model",
            "--stats-json",
            "learn.json",
        ],
    );
    assert_code(&r, 0);
    let model = std::fs::read(dir.join("site.model")).unwrap();
    assert!(model.starts_with(b"BSTRIPM\0"));
    let learn = stats_without_time(&dir.join("learn.json"));
    assert_eq!(learn["documents"]["in"], 31);
    assert_eq!(learn["pass2"]["bytes_read"], 0);
    // No temporary file is left beside the model.
    let names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");

    let plain = run(dir, &["clean", "dumps/"]);
    let with_model = run(dir, &["clean", "--model", "site.model", "dumps/"]);
    assert_code(&plain, 0);
    assert_code(&with_model, 0);
    assert!(
        plain.stdout == with_model.stdout,
        "the model is pass 1 of the same inputs"
    );

    let single = run(
        dir,
        &[
            "clean",
            "--model",
            "site.model",
            "dumps/b.example/page-2.txt",
        ],
    );
    assert_code(&single, 0);
    assert_kept_lines(&single.stdout, page("b.example", 2).as_bytes());
    let merged = run(
        dir,
        &[
            "clean",
            "--model",
            "site.model",
            "--model-merge",
            "dumps/b.example/page-2.txt",
        ],
    );
    assert_code(&merged, 0);

    write(dir, "bad.model", b"BSTRIPM\0 not really");
    let bad = run(dir, &["clean", "--model", "bad.model", "dumps/"]);
    assert_code(&bad, 2);
    assert!(bad.stderr.contains("bad.model"), "{}", bad.stderr);
    assert!(bad.stdout.is_empty());
    let merge_alone = run(dir, &["clean", "--model-merge", "dumps/"]);
    assert_code(&merge_alone, 2);
}

/// `--model-merge` counts a line in the model's documents plus the inputs':
/// a line in one page of the model and in both input pages is in three
/// documents, which the model alone (one) and the inputs alone (two) do not
/// say.
#[test]
fn a_merged_model_adds_the_inputs_counts_to_its_own() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let words: Vec<&str> = "harbour ferry council timetable crossing residents letters meeting \
         operator review months service spokesperson consultation record response weather coast \
         morning evening island bridge tide pier captain route"
        .split_whitespace()
        .collect();
    let recurring =
        "The harbour desk brings you ferry alerts, tide tables and webcams for the whole coast.";
    for i in 0..7 {
        let w = |k: usize| words[(i * 7 + k * 3) % words.len()];
        let mut text = format!(
            "The {} and the {} were discussed again when the {} met on a wet {} in town.\n\
             Several {} said that the {} should change before the {} of the {} ends this year.\n\
             According to the {}, the {} will be published once the {} has been agreed by all.\n",
            w(0),
            w(1),
            w(2),
            w(3),
            w(4),
            w(5),
            w(6),
            w(7),
            w(8),
            w(9),
            w(10)
        );
        if [0, 5, 6].contains(&i) {
            text.push_str(recurring);
            text.push('\n');
        }
        let folder = if i < 5 { "model" } else { "new" };
        write(
            dir,
            &format!("{folder}/c.example/page-{i}.txt"),
            text.as_bytes(),
        );
    }
    assert_code(&run(dir, &["learn", "model/", "-o", "m.model", "-q"]), 0);
    let explain = |args: &[&str]| {
        let r = run(dir, &[&["clean", "--explain", "-q", "new/"], args].concat());
        assert_code(&r, 0);
        let out = String::from_utf8(r.stdout).unwrap();
        let rows: Vec<String> = out
            .lines()
            .filter(|l| l.ends_with(recurring))
            .map(str::to_string)
            .collect();
        assert_eq!(rows.len(), 2, "{out}");
        rows
    };
    let merged = explain(&["--model", "m.model", "--model-merge"]);
    for row in &merged {
        assert!(row.contains("corpus-repeat 3 docs"), "{row}");
    }
    for alone in [explain(&["--model", "m.model"]), explain(&[])] {
        for row in &alone {
            assert!(!row.contains("corpus-repeat"), "{row}");
        }
    }
}

#[test]
fn stats_json_counts_add_up() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    corpus(dir);
    write(
        dir,
        "dumps/feeds/shard-03.jsonl",
        b"{\"text\":\"x\\n\"}\n{\"body\":1}\nnot json\n",
    );
    let r = run(
        dir,
        &[
            "clean",
            "dumps",
            "-o",
            "out",
            "--stats-json",
            "s.json",
            "--stats",
        ],
    );
    assert_code(&r, 1);
    let s = stats_without_time(&dir.join("s.json"));
    let n = |v: &serde_json::Value| v.as_u64().unwrap();
    assert_eq!(n(&s["inputs"]), 17);
    assert_eq!(n(&s["bad_inputs"]), 0);
    assert_eq!(n(&s["bad_records"]), 1);
    assert_eq!(n(&s["records_without_text"]), 1);
    assert_eq!(n(&s["documents"]["in"]), 32);
    for unit in ["lines", "bytes"] {
        let by_reason: u64 = s["dropped_by_reason"]
            .as_object()
            .unwrap()
            .values()
            .map(|c| n(&c[unit]))
            .sum();
        assert_eq!(n(&s[unit]["dropped"]), by_reason, "{unit}");
        assert_eq!(n(&s[unit]["in"]), n(&s[unit]["out"]) + by_reason, "{unit}");
    }
    let page_lines = page("a.example", 0).lines().count() as u64;
    assert_eq!(n(&s["lines"]["in"]), 31 * page_lines + 1);
    assert!(s["top_dropped"].as_array().unwrap().len() <= 10);
    assert!(n(&s["pass2"]["bytes_read"]) > 0);
    // --stats prints the same numbers as text.
    assert!(r.stderr.contains("documents   32 in"), "{}", r.stderr);

    // `-` is standard output where the cleaned text does not go there.
    let r = run(
        dir,
        &["clean", "dumps", "-o", "out2", "--stats-json", "-", "-q"],
    );
    assert_code(&r, 1);
    let out: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(out["documents"], s["documents"]);
    let r = run(dir, &["clean", "dumps", "--stats-json", "-"]);
    assert_code(&r, 2);
    assert!(r.stderr.contains("--stats-json -"), "{}", r.stderr);
    assert!(r.stdout.is_empty() && !dir.join("-").exists());
}

#[test]
fn output_inside_an_input_is_refused_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "d/a.txt", b"text\n");
    for args in [
        &["clean", "d", "-o", "d/clean"][..],
        &["clean", "d", "-o", "d"],
        &["clean", "d", "-o", "./d/../d/x/y"],
        &["clean", "d/a.txt", "-o", "d"],
    ] {
        let r = run(dir, args);
        assert_code(&r, 2);
        assert!(r.stderr.contains("error"), "{args:?}: {}", r.stderr);
        assert_eq!(tree(&dir.join("d")).len(), 1, "{args:?} wrote something");
    }
    write(dir, "file", b"not a folder\n");
    for out in ["file", "file/sub"] {
        let r = run(dir, &["clean", "d", "-o", out]);
        assert_code(&r, 2);
        assert!(r.stderr.contains("file is not a directory"), "{}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "one error, not one per input");
    }
    let r = run(dir, &["clean", "d", "-o", "d/clean"]);
    assert!(
        r.stderr.contains("inside the input directory"),
        "{}",
        r.stderr
    );
    // Two inputs that would land on the same output.
    write(dir, "e/a.txt", b"other\n");
    let r = run(dir, &["clean", "d/a.txt", "e/a.txt", "-o", "out"]);
    assert_code(&r, 2);
    assert!(!dir.join("out").exists());
    // A model may not overwrite an input either.
    let r = run(dir, &["learn", "d", "-o", "d/a.txt"]);
    assert_code(&r, 2);
    assert_eq!(std::fs::read(dir.join("d/a.txt")).unwrap(), b"text\n");
}

#[cfg(unix)]
#[test]
fn output_in_a_folder_an_input_directory_links_to_is_refused_and_never_read_back() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    corpus(dir);
    // dumps/shared is a link to a folder outside dumps, which the walk
    // follows: an output under it is inside the inputs.
    write(dir, "ext/site/p.txt", page("ext.example", 1).as_bytes());
    std::os::unix::fs::symlink(dir.join("ext"), dir.join("dumps/shared")).unwrap();
    for out in ["ext/out", "ext/site/out", "ext"] {
        let r = run(dir, &["clean", "dumps", "-o", out]);
        assert_code(&r, 2);
        assert!(
            r.stderr.contains("dumps/shared") && r.stderr.contains("--allow-output-in-input"),
            "{out}: {}",
            r.stderr
        );
        assert_eq!(tree(&dir.join("ext")).len(), 1, "{out}: wrote something");
    }
    // Allowed, the outputs are never read back as inputs.
    let elsewhere = run(dir, &["clean", "dumps", "-o", "elsewhere"]);
    assert_code(&elsewhere, 0);
    for round in 0..2 {
        let r = run(
            dir,
            &["clean", "dumps", "-o", "ext/out", "--allow-output-in-input"],
        );
        assert_code(&r, 0);
        assert!(
            tree(&dir.join("ext/out")) == tree(&dir.join("elsewhere")),
            "round {round}: the outputs were read back"
        );
    }
}

#[test]
fn missing_input_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "here.txt", b"x\n");
    let r = run(tmp.path(), &["clean", "here.txt", "not-here.txt", "gone/"]);
    assert_code(&r, 2);
    assert!(r.stderr.contains("not-here.txt"), "{}", r.stderr);
    assert!(
        r.stderr.contains("gone/"),
        "every missing input is named: {}",
        r.stderr
    );
    assert!(r.stdout.is_empty(), "no work before the check");
    let r = run(
        tmp.path(),
        &["clean", "--rules", "no-such-rules.txt", "here.txt"],
    );
    assert_code(&r, 2);
    assert!(r.stderr.contains("no-such-rules.txt"), "{}", r.stderr);
}

#[test]
fn rules_and_line_model_from_standard_input_when_the_inputs_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(
        dir,
        "page.txt",
        b"Buy now cheap\nThe ferry timetable changes on Monday, the council said.\n",
    );
    let r = run_in(
        dir,
        &["clean", "--rules", "-", "--explain", "page.txt"],
        b"= buy now cheap\n",
    );
    assert_code(&r, 0);
    assert!(
        r.stdout_str().contains("lexicon:user \"buy now cheap\""),
        "{}",
        r.stdout_str()
    );
    // Errors name it.
    let r = run_in(dir, &["clean", "--rules", "-", "page.txt"], b"ok\n= !!\n");
    assert_code(&r, 2);
    assert!(r.stderr.contains("<stdin>:2: "), "{}", r.stderr);
    // A line model too: it cleans as the same model read from a file
    // (here the built-in one with another threshold), and its errors are
    // named as the rules' are.
    let model =
        include_str!("../src/model/line-model.txt").replace("threshold 0.5", "threshold 0.3");
    write(dir, "m.txt", model.as_bytes());
    let from_file = run(
        dir,
        &["clean", "--line-model", "m.txt", "--explain", "page.txt"],
    );
    let r = run_in(
        dir,
        &["clean", "--line-model", "-", "--explain", "page.txt"],
        model.as_bytes(),
    );
    assert_code(&r, 0);
    assert_eq!(r.stdout_str(), from_file.stdout_str());
    assert!(r.stdout_str().contains("KEEP"), "{}", r.stdout_str());
    let r = run_in(
        dir,
        &["clean", "--line-model", "-", "page.txt"],
        b"threshold 2\n",
    );
    assert_code(&r, 2);
    assert!(r.stderr.contains("<stdin>:1"), "{}", r.stderr);
    // Standard input cannot carry both, nor two settings files.
    for args in [
        &["clean", "--rules", "-", "-"][..],
        &["clean", "--rules", "-"],
        &["clean", "--rules", "-", "--rules", "-", "page.txt"],
        &["clean", "--rules", "-", "--line-model", "-", "page.txt"],
        &["clean", "--line-model", "-"],
        &["eval", "--analyze", "--rules", "-", "-"],
        &["eval", "--analyze", "--line-model", "-", "-"],
    ] {
        let r = run_in(dir, args, b"buy now cheap\n");
        assert_code(&r, 2);
        assert!(
            r.stderr.contains("standard input"),
            "{args:?}: {}",
            r.stderr
        );
        assert!(r.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn bad_entries_in_a_directory_are_reported_and_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "d/a/good.txt", b"good text\n");
    std::os::unix::fs::symlink("..", dir.join("d/a/loop")).unwrap();
    let fifo = dir.join("d/pipe");
    mkfifo(&fifo);
    write(dir, "d/broken.txt.gz", b"\x1f\x8b\x08\x00 not really gzip");
    let r = run(dir, &["clean", "d", "-o", "out"]);
    assert_code(&r, 1);
    assert!(r.stderr.contains("loop"), "{}", r.stderr);
    assert!(
        r.stderr.contains("d/pipe: not a regular file"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("d/broken.txt.gz"), "{}", r.stderr);
    let out = tree(&dir.join("out"));
    let names: Vec<&str> = out.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        names,
        ["a/good.txt"],
        "the good file is done, the broken one has no output"
    );
    assert!(r.stderr.contains("3 bad inputs"), "{}", r.stderr);
}

#[test]
fn a_single_file_keeps_its_name_and_compression() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let recs: Vec<Record> = (0..3).map(jsonl_record).collect();
    let input: String = recs.iter().map(Record::line).collect();
    write(
        dir,
        "shard-00.jsonl.gz",
        &compressed(input.as_bytes(), Compression::Gzip),
    );
    let r = run(dir, &["clean", "shard-00.jsonl.gz", "-o", "clean/", "-q"]);
    assert_code(&r, 0);
    assert!(r.stderr.is_empty(), "--quiet: {}", r.stderr);
    let (out, c) = read_decompressed(&dir.join("clean/shard-00.jsonl.gz"));
    assert_eq!(c, Compression::Gzip);
    let out = String::from_utf8(out).unwrap();
    assert_eq!(
        out.lines().count(),
        recs.len(),
        "one record out per record in"
    );
    for ((o, rec), line) in out
        .split_inclusive('\n')
        .zip(&recs)
        .zip(input.split_inclusive('\n'))
    {
        assert_record(o, line, rec);
    }
}

#[test]
fn drop_empty_removes_documents_without_text() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "d/empty.txt", b"  \n\t\n");
    write(dir, "d/full.txt", b"Some text.\n");
    write(
        dir,
        "d/x.jsonl",
        b"{\"id\":1,\"text\":\" \\n\"}\n{\"id\":2,\"text\":\"Words.\\n\"}\n",
    );
    let wet = format!(
        "{}{}",
        wet_record("conversion", "https://e.example/", "\n"),
        wet_record("conversion", "https://f.example/", "Words.\n")
    );
    write(dir, "d/y.wet", wet.as_bytes());
    let r = run(
        dir,
        &[
            "clean",
            "d",
            "-o",
            "out",
            "--drop-empty",
            "--stats-json",
            "s.json",
        ],
    );
    assert_code(&r, 0);
    assert!(
        !dir.join("out/empty.txt").exists(),
        "an empty text document gets no file"
    );
    let s = stats_without_time(&dir.join("s.json"));
    assert_eq!(s["documents"]["in"], 6);
    let out_docs = s["documents"]["out"].as_u64().unwrap();
    let jsonl = std::fs::read_to_string(dir.join("out/x.jsonl")).unwrap();
    assert!(!jsonl.contains("\"id\":1"), "{jsonl}");
    let wet_out = std::fs::read_to_string(dir.join("out/y.wet")).unwrap();
    assert!(!wet_out.contains("e.example"), "{wet_out}");
    // Whatever else the classifier drops, the three blank documents go.
    assert!(out_docs <= 3);
    assert_eq!(
        out_docs as usize,
        jsonl.lines().count()
            + wet_out.matches("WARC/1.0").count()
            + dir.join("out/full.txt").exists() as usize
    );
    // Without the flag they stay.
    let r = run(dir, &["clean", "d/x.jsonl"]);
    assert_code(&r, 0);
    assert!(r.stdout_str().contains("\"id\":1"));
}

#[test]
fn broken_pipe_ends_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let big: String = (0..40_000)
        .map(|i| format!("Line {i} of a long page.\n"))
        .collect();
    for i in 0..8 {
        write(dir, &format!("d/{i}.txt"), big.as_bytes());
    }
    // The output must be far larger than a pipe's buffer whatever the
    // classifier thinks of these lines: a rule protects every one of them
    // (so the cleaned text is the input), and `--explain` writes a row for
    // each line.
    write(dir, "keep.rules", b"! of a long page\n");
    let plain = ["clean", "d", "--rules", "keep.rules"];
    let explain = ["clean", "d", "--explain"];
    for (args, starts) in [
        (&plain[..], &big.as_bytes()[..100]),
        (&explain[..], &b"== d/0.txt\n"[..]),
    ] {
        for threads in ["1", "2"] {
            let args = [args, &["--threads", threads]].concat();
            let mut child = spawn(dir, &args, Stdio::piped(), Stdio::piped());
            let mut head = [0u8; 100];
            child
                .stdout
                .as_mut()
                .unwrap()
                .read_exact(&mut head)
                .unwrap();
            assert!(
                head.starts_with(starts),
                "{args:?}: {}",
                String::from_utf8_lossy(&head)
            );
            assert_ends_quietly(child, &format!("{args:?} -j {threads}"));
        }
    }
}

/// `--stats-json -` whose reader went away (`| head`) ends the run quietly
/// with 0, as a closed output of cleaned text does. The input is a named
/// pipe written only once the reader is gone, so that the statistics are
/// always written after it.
#[cfg(unix)]
#[test]
fn stats_json_on_a_closed_standard_output_ends_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let fifo = dir.join("page.txt");
    mkfifo(&fifo);
    for args in [
        &["clean", "page.txt", "-o", "out", "--stats-json", "-"][..],
        &["learn", "page.txt", "-o", "m.model", "--stats-json", "-"][..],
    ] {
        let mut child = spawn(dir, args, Stdio::piped(), Stdio::piped());
        drop(child.stdout.take());
        std::fs::write(&fifo, page("example.org", 1)).unwrap();
        assert_ends_quietly(child, &format!("{args:?}"));
    }
}

/// `eval -` reads its pages from standard input, plain or compressed, as
/// `clean -` does, and names it `<stdin>` in errors.
#[test]
fn eval_reads_standard_input() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let pages = b"{\"id\":\"a\",\"text\":\"a b c d\",\"gold\":\"a b\"}\n";
    write(dir, "p.jsonl", pages);
    let from_file = run(dir, &["eval", "p.jsonl", "--json"]);
    assert_code(&from_file, 0);
    for input in [pages.to_vec(), compressed(pages, Compression::Gzip)] {
        let r = run_in(dir, &["eval", "-", "--json"], &input);
        assert_code(&r, 0);
        assert_eq!(r.stdout, from_file.stdout);
    }
    let r = run_in(dir, &["eval", "-"], b"{\"text\":1,\"gold\":\"a\"}\n");
    assert_code(&r, 2);
    assert!(r.stderr.contains("<stdin>:1: "), "{}", r.stderr);
}

/// `eval` whose report's reader goes away (`| head`) ends quietly with 0,
/// as `clean` does, in text and in JSON.
#[test]
fn eval_ends_quietly_on_a_broken_pipe() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let pages: String = (0..5000)
        .map(|i| format!("{{\"id\":\"page-{i}\",\"text\":\"a b c d e\",\"gold\":\"a b c\"}}\n"))
        .collect();
    write(dir, "p.jsonl", pages.as_bytes());
    // Each report is far larger than a pipe's buffer.
    for json in [false, true] {
        let mut args = vec!["eval", "p.jsonl", "--pages"];
        if json {
            args.push("--json");
        }
        let mut child = spawn(dir, &args, Stdio::piped(), Stdio::piped());
        let mut head = [0u8; 4];
        child
            .stdout
            .as_mut()
            .unwrap()
            .read_exact(&mut head)
            .unwrap();
        assert_ends_quietly(child, &format!("{args:?}"));
    }
}

#[test]
fn help_teaches_flags_defaults_and_exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let r = run(tmp.path(), &["clean", "--help"]);
    assert_code(&r, 0);
    let help = r.stdout_str();
    for needle in [
        "--threads",
        "--text-field",
        "[default: text]",
        "--explain",
        "--model-merge",
        "Exit status:",
        "boilerstrip learn dumps/ -o site.model",
    ] {
        assert!(help.contains(needle), "--help lacks {needle:?}");
    }
    let r = run(tmp.path(), &["--help"]);
    assert!(r.stdout_str().contains("learn"));
    let r = run(tmp.path(), &["clean", "--no-such-flag"]);
    assert_code(&r, 2);
    let r = run(tmp.path(), &["clean", "x", "--explain", "-o", "y"]);
    assert_code(&r, 2);
}

#[test]
fn merged_shard_models_clean_like_one_model_in_any_order_and_split() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    corpus(dir);
    let ok = |args: &[&str]| {
        let r = run(dir, args);
        assert_code(&r, 0);
        r
    };
    ok(&["learn", "dumps/", "-o", "whole.model", "-q"]);
    // Three shards, learned apart.
    ok(&["learn", "dumps/a.example", "-o", "part-a.model", "-q"]);
    ok(&[
        "learn",
        "dumps/b.example",
        "dumps/cc",
        "-o",
        "part-b.model",
        "-q",
    ]);
    ok(&["learn", "dumps/feeds", "-o", "part-c.model", "-q"]);
    let r = ok(&[
        "merge",
        "part-c.model",
        "part-a.model",
        "part-b.model",
        "-o",
        "all.model",
    ]);
    assert!(r.stderr.contains("merged 3 files"), "{}", r.stderr);
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
    assert!(
        read("all.model") == read("whole.model"),
        "merge of the shards"
    );
    ok(&[
        "merge",
        "part-a.model",
        "part-b.model",
        "-o",
        "ab.model",
        "-q",
    ]);
    ok(&["merge", "part-c.model", "ab.model", "-o", "abc.model", "-q"]);
    assert!(read("abc.model") == read("whole.model"), "another grouping");

    // Split in 3 ranges: each shard learned in partitions, each range
    // merged apart, then cleaned with the name the ranges were written under.
    for s in ["a", "b", "c"] {
        let whole = format!("part-{s}.model");
        let split = format!("split-{s}.model");
        let r = ok(&["merge", &whole, "-o", &split, "--partitions", "3"]);
        assert!(r.stderr.contains("3 files"), "{}", r.stderr);
    }
    ok(&[
        "learn",
        "dumps/feeds",
        "-o",
        "learned-c.model",
        "--partitions",
        "3",
        "-q",
    ]);
    for i in 0..3 {
        let p = |s: &str| format!("{s}.{i}-of-3.model");
        assert!(
            read(&p("learned-c")) == read(&p("split-c")),
            "learn and merge split alike"
        );
        ok(&[
            "merge",
            &p("split-b"),
            &p("split-c"),
            &p("split-a"),
            "-o",
            "range.model",
            "-q",
        ]);
        assert!(dir.join(p("range")).exists());
    }
    assert!(!dir.join("range.model").exists());
    let plain = ok(&["clean", "dumps/", "-q"]);
    let split = ok(&["clean", "--model", "range.model", "dumps/", "-q"]);
    assert!(plain.stdout == split.stdout, "partitions clean like pass 1");
    let joined = ok(&["merge", "range.model", "-o", "joined.model", "-q"]);
    assert!(joined.stderr.is_empty());
    assert!(read("joined.model") == read("whole.model"), "joined ranges");
    // Repeated --model adds models.
    let added = ok(&[
        "clean",
        "--model",
        "part-a.model",
        "--model",
        "ab.model",
        "--model",
        "part-c.model",
        "--model",
        "part-b.model",
        "dumps/",
        "-q",
    ]);
    let doubled = ok(&["merge", "ab.model", "abc.model", "-o", "twice.model", "-q"]);
    assert!(doubled.stdout.is_empty());
    let twice = ok(&["clean", "--model", "twice.model", "dumps/", "-q"]);
    assert!(added.stdout == twice.stdout);
}

#[test]
fn bad_model_files_are_named_and_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    corpus(dir);
    assert_code(&run(dir, &["learn", "dumps/", "-o", "good.model", "-q"]), 0);
    let good = std::fs::read(dir.join("good.model")).unwrap();
    write(dir, "cut.model", &good[..good.len() - 20]);
    let mut flipped = good.clone();
    flipped[40] ^= 0x10;
    write(dir, "flipped.model", &flipped);
    let mut v1 = good.clone();
    v1[8] = 1;
    write(dir, "old.model", &v1);
    write(dir, "foreign.model", b"{\"not\": \"a model\"}\n");
    for (name, reason) in [
        ("cut.model", "truncated"),
        ("flipped.model", "checksum"),
        ("old.model", "version 1"),
        ("foreign.model", "not a boilerstrip model"),
        ("missing.model", "cannot read"),
    ] {
        let r = run(dir, &["merge", "good.model", name, "-o", "out.model"]);
        assert_code(&r, 2);
        assert!(
            r.stderr.contains(name) && r.stderr.contains(reason),
            "{name}: {}",
            r.stderr
        );
        assert!(!dir.join("out.model").exists(), "{name}");
        let r = run(dir, &["clean", "--model", name, "dumps/"]);
        assert_code(&r, 2);
        assert!(
            r.stderr.contains(name) && r.stderr.contains(reason),
            "{name}: {}",
            r.stderr
        );
        assert!(r.stdout.is_empty());
    }
    // Partitions that do not make up a model.
    let r = run(
        dir,
        &[
            "learn",
            "dumps/",
            "-o",
            "p.model",
            "--partitions",
            "3",
            "-q",
        ],
    );
    assert_code(&r, 0);
    std::fs::remove_file(dir.join("p.1-of-3.model")).unwrap();
    let r = run(dir, &["clean", "--model", "p.model", "dumps/"]);
    assert_code(&r, 2);
    assert!(
        r.stderr.contains("partition 1 of 3 is missing"),
        "{}",
        r.stderr
    );
    let r = run(dir, &["clean", "--model", "p.0-of-3.model", "dumps/"]);
    assert_code(&r, 2);
    assert!(r.stderr.contains("partition 0 of 3 only"), "{}", r.stderr);
    let r = run(
        dir,
        &["merge", "p.0-of-3.model", "good.model", "-o", "x.model"],
    );
    assert_code(&r, 2);
    assert!(r.stderr.contains("good.model"), "{}", r.stderr);
    // Partitions are files named after -o, which a device or a pipe cannot
    // name (`-o /dev/null --partitions 4` would create files in /dev); a
    // whole model is written into one. The pipe here stands for the device.
    #[cfg(unix)]
    {
        mkfifo(&dir.join("pipe"));
        let r = run(
            dir,
            &["learn", "dumps/", "-o", "pipe", "--partitions", "2", "-q"],
        );
        assert_code(&r, 2);
        assert!(
            r.stderr.contains("not a regular file") && r.stderr.contains("pipe.0-of-2"),
            "{}",
            r.stderr
        );
        let r = run(
            dir,
            &[
                "merge",
                "good.model",
                "-o",
                "pipe",
                "--partitions",
                "2",
                "-q",
            ],
        );
        assert_code(&r, 2);
        assert!(r.stderr.contains("not a regular file"), "{}", r.stderr);
        let r = run(dir, &["merge", "p.0-of-3.model", "-o", "pipe", "-q"]);
        assert_code(&r, 2);
        assert!(r.stderr.contains("pipe.0-of-3"), "{}", r.stderr);
        let beside: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with("pipe."))
            .collect();
        assert!(beside.is_empty(), "{beside:?}");
    }
    // A sketch cannot be split, nor merged with an exact table.
    let r = run(
        dir,
        &[
            "learn",
            "dumps/",
            "-o",
            "s.model",
            "--max-memory",
            "64K",
            "--partitions",
            "2",
        ],
    );
    assert_code(&r, 2);
    assert_code(
        &run(
            dir,
            &[
                "learn",
                "dumps/",
                "-o",
                "s.model",
                "--max-memory",
                "64K",
                "-q",
            ],
        ),
        0,
    );
    let r = run(dir, &["merge", "good.model", "s.model", "-o", "x.model"]);
    assert_code(&r, 2);
    assert!(
        r.stderr.contains("s.model") && r.stderr.contains("sketch"),
        "{}",
        r.stderr
    );
    let r = run(
        dir,
        &["learn", "dumps/", "-o", "t.model", "--max-memory", "12Q"],
    );
    assert_code(&r, 2);
}

#[test]
fn max_memory_sketch_cleans_close_to_exact_and_merges() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    corpus(dir);
    let exact = run(dir, &["clean", "dumps/", "-q"]);
    assert_code(&exact, 0);
    // A sketch far wider than this corpus's lines counts them exactly here
    // (an over-count needs a collision in every row).
    let sketched = run(dir, &["clean", "dumps/", "--max-memory", "1M", "-q"]);
    assert_code(&sketched, 0);
    assert!(exact.stdout == sketched.stdout);
    let r = run(
        dir,
        &["learn", "dumps/", "-o", "s.model", "--max-memory", "1M"],
    );
    assert_code(&r, 0);
    assert!(r.stderr.contains("count-min sketch"), "{}", r.stderr);
    assert!(std::fs::metadata(dir.join("s.model")).unwrap().len() <= (1 << 20) + 4096);
    assert_code(
        &run(
            dir,
            &[
                "learn",
                "dumps/a.example",
                "-o",
                "sa.model",
                "--max-memory",
                "1M",
                "-q",
            ],
        ),
        0,
    );
    assert_code(
        &run(
            dir,
            &[
                "learn",
                "dumps/b.example",
                "dumps/cc",
                "dumps/feeds",
                "-o",
                "sb.model",
                "--max-memory",
                "1M",
                "-q",
            ],
        ),
        0,
    );
    assert_code(
        &run(
            dir,
            &["merge", "sb.model", "sa.model", "-o", "sab.model", "-q"],
        ),
        0,
    );
    let with = run(dir, &["clean", "--model", "sab.model", "dumps/", "-q"]);
    assert_code(&with, 0);
    assert!(exact.stdout == with.stdout);
    // --max-memory with a given model has nothing to bound.
    assert_code(
        &run(
            dir,
            &[
                "clean",
                "--model",
                "s.model",
                "--max-memory",
                "1M",
                "dumps/",
            ],
        ),
        2,
    );
}

#[test]
fn a_sketch_is_the_same_for_any_thread_count() {
    // Conservative update depends on the order of the counts: pass 1 adds
    // each batch's exact counts to the sketch in input order, so a sketch
    // small enough to collide still comes out byte-identical.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/sample/input");
    let sample = sample.to_str().unwrap();
    let mut models = Vec::new();
    // Which batch a worker takes varies from run to run: three runs with
    // three threads give an order-dependent sketch every chance to differ.
    for (threads, name) in [
        ("1", "j1.model"),
        ("3", "j3a.model"),
        ("3", "j3b.model"),
        ("3", "j3c.model"),
    ] {
        let r = run(
            dir,
            &[
                "learn",
                sample,
                "-o",
                name,
                "--max-memory",
                "16K",
                "--batch-bytes",
                "300",
                "-j",
                threads,
                "-q",
            ],
        );
        assert_code(&r, 0);
        models.push(std::fs::read(dir.join(name)).unwrap());
    }
    for m in &models[1..] {
        assert!(*m == models[0], "sketches differ between 1 and 3 threads");
    }
}

#[test]
fn settled_output_cleaned_again_with_the_same_model_is_unchanged() {
    // Text, JSONL (plain, gzip, zstd) and WET, and the sample corpus (where
    // plain cleaning is not idempotent: a table's rows lose their context):
    // with --settle and frozen statistics, cleaning the cleaned tree again
    // changes no byte.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    corpus(dir);
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/sample/input");
    for entry in walkdir::WalkDir::new(&sample) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(&sample).unwrap();
            write(
                &dir.join("dumps/sample"),
                rel.to_str().unwrap(),
                &std::fs::read(entry.path()).unwrap(),
            );
        }
    }
    assert_code(&run(dir, &["learn", "dumps/", "-o", "m.model", "-q"]), 0);
    let once = run(
        dir,
        &[
            "clean", "dumps/", "--model", "m.model", "--settle", "-o", "once", "-q",
        ],
    );
    assert_code(&once, 0);
    let twice = run(
        dir,
        &[
            "clean", "once/", "--model", "m.model", "--settle", "-o", "twice", "-q",
        ],
    );
    assert_code(&twice, 0);
    let a = tree(&dir.join("once"));
    let b = tree(&dir.join("twice"));
    assert!(!a.is_empty());
    assert_eq!(a.len(), b.len());
    for ((pa, _), (pb, _)) in a.iter().zip(&b) {
        assert_eq!(pa, pb);
        let (x, _) = read_decompressed(&dir.join("once").join(pa));
        let (y, _) = read_decompressed(&dir.join("twice").join(pb));
        assert!(x == y, "{pa} changed when cleaned again");
    }
}

/// The headline above the article, which repeats part of the page's first
/// line (the title), is kept by default and dropped with `--no-headline`;
/// here a user rule drops the title line, so the article's first kept line
/// is its first paragraph and the headline is the line the model dropped
/// above it.
#[test]
fn the_headline_is_kept_unless_no_headline() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let heads = [
        "Mayor opens the new bridge",
        "Ferry makes its last crossing",
        "Harbour wall repairs begin in spring",
    ];
    let paragraphs = [
        "The mayor opened the new bridge over the harbour on Monday morning, after three \
         years of building work and a long argument about its cost to the town.",
        "Hundreds of people walked across it in the afternoon, and the ferry that it \
         replaces will make its last crossing at the end of the month, its crew said.",
        "Engineers will close the north end of the wall in March, when the tides are \
         lowest, and expect the work to take most of the summer if the weather holds.",
    ];
    for (i, head) in heads.iter().enumerate() {
        let text = [
            &format!("The Harbour Gazette: {head}"),
            "Skip to content",
            "Home",
            "News",
            "Sport",
            "Subscribe",
            head,
            "By Jane Smith",
            "12 March 2025",
            paragraphs[i],
            paragraphs[(i + 1) % 3],
            "Share this story",
            "© 2025 The Harbour Gazette. All rights reserved.",
        ]
        .join("\n");
        write(
            dir,
            &format!("news/gazette.example/{i}.txt"),
            text.as_bytes(),
        );
    }
    write(dir, "title.rules", b"^ the harbour gazette\n");
    let headline_rows = |extra: &[&str]| -> Vec<bool> {
        let args = [
            &["clean", "news", "--explain", "--rules", "title.rules"][..],
            extra,
        ]
        .concat();
        let r = run(dir, &args);
        assert_code(&r, 0);
        let shown = r.stdout_str();
        let rows: Vec<bool> = shown
            .lines()
            .filter_map(|row| {
                let line = heads.iter().find(|h| row.ends_with(&format!(" | {h}")))?;
                Some(explain_row(row, line).keep)
            })
            .collect();
        assert_eq!(rows.len(), heads.len(), "{shown}");
        rows
    };
    assert_eq!(headline_rows(&[]), [true; 3]);
    assert_eq!(headline_rows(&["--no-headline"]), [false; 3]);
}

/// The rule file the README shows loads as it is shown, and does what its
/// comments say.
#[test]
fn the_readme_rule_file_example_works_as_shown() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("@category promo")
        .expect("the README shows a rule file");
    let block_start = readme[..start].rfind("```text\n").unwrap() + "```text\n".len();
    let block_end = block_start + readme[block_start..].find("```").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "promo.txt", &readme.as_bytes()[block_start..block_end]);
    write(
        dir,
        "page.txt",
        b"Win a free cruise!\n\
          Enter our sweepstakes today\n\
          The ferry timetable changes on Monday, the council said after a long meeting.\n\
          Residents asked for a later last crossing, and many letters were read aloud.\n\
          Share this story\n",
    );
    let r = run(
        dir,
        &["clean", "--rules", "promo.txt", "--explain", "page.txt"],
    );
    assert_code(&r, 0);
    let out = r.stdout_str();
    let verdict = |line: &str| {
        out.lines()
            .find(|l| l.ends_with(&format!("| {line}")))
            .unwrap_or_else(|| panic!("{line}:\n{out}"))
            .to_string()
    };
    for line in ["Win a free cruise!", "Enter our sweepstakes today"] {
        let v = verdict(line);
        assert!(v.starts_with("DROP") && v.contains("lexicon:promo"), "{v}");
    }
    let v = verdict("Share this story");
    assert!(v.starts_with("KEEP") && v.contains("protected"), "{v}");
}

#[test]
fn a_file_given_twice_is_counted_once_and_written_each_time() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/sample/input");
    let (all, site) = (sample.to_str().unwrap(), sample.join("chengwan-daily"));
    let site = site.to_str().unwrap();
    let once = run(dir, &["clean", all, "-o", "once"]);
    assert_code(&once, 0);
    let twice = run(dir, &["clean", all, site, "-o", "twice"]);
    assert_code(&twice, 0);
    assert!(
        twice
            .stderr
            .contains("3 inputs are files given more than once"),
        "{}",
        twice.stderr
    );
    // Counted twice, the site's pages lose article lines (the three pages
    // repeat each other's chrome and their own prose): the outputs must be
    // those of the run that was given each file once.
    let once = tree(&dir.join("once"));
    let twice: std::collections::BTreeMap<_, _> = tree(&dir.join("twice")).into_iter().collect();
    assert_eq!(twice.len(), once.len() + 3);
    for (path, bytes) in &once {
        assert_eq!(twice.get(path), Some(bytes), "{path}");
        if let Some(name) = path.strip_prefix("chengwan-daily/") {
            assert_eq!(twice.get(name), Some(bytes), "{name}, given again");
        }
    }
    // `learn` counts it once too.
    assert_code(&run(dir, &["learn", all, "-o", "once.model"]), 0);
    assert_code(&run(dir, &["learn", all, site, "-o", "twice.model"]), 0);
    assert_eq!(
        std::fs::read(dir.join("once.model")).unwrap(),
        std::fs::read(dir.join("twice.model")).unwrap()
    );
}

/// `eval` without `--analyze` scores the text as it is: a cleaner's flag,
/// `--top` or (with `--analyze`) `--pages` would be ignored, so each is a
/// usage error, and a user comparing thresholds never gets one score for all.
#[test]
fn eval_refuses_flags_it_would_ignore() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(
        dir,
        "p.jsonl",
        b"{\"text\":\"Home\\nThe council met.\",\"gold\":\"The council met.\"}\n",
    );
    let plain = run(dir, &["eval", "p.jsonl"]);
    assert_code(&plain, 0);
    for flags in [
        &["--threshold", "0.9"][..],
        &["--rules", "no-such-file.txt"],
        &["--line-model", "m.txt"],
        &["--sandwich-words", "0"],
        &["--template-docs", "9"],
        &["--soft-lexicon"],
        &["--settle"],
        &["--no-headline"],
        &["--top", "5"],
    ] {
        let mut args = vec!["eval", "p.jsonl"];
        args.extend_from_slice(flags);
        let r = run(dir, &args);
        assert_code(&r, 2);
        assert!(r.stderr.contains("--analyze"), "{flags:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{flags:?}");
        // With --analyze each is taken.
        if flags[0] != "--rules" && flags[0] != "--line-model" {
            args.push("--analyze");
            assert_code(&run(dir, &args), 0);
        }
    }
    let r = run(dir, &["eval", "p.jsonl", "--analyze", "--pages"]);
    assert_code(&r, 2);
    assert!(r.stderr.contains("--pages"), "{}", r.stderr);
}
