//! Formats end to end: JSONL byte-exactness and bad records, WET records,
//! compression kept on output.

use boilerstrip::compress::Compression;
use boilerstrip::format::{records, Format, FormatOptions, Item};

use crate::util::*;

#[test]
fn jsonl_keeps_every_other_byte_of_a_record() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut recs: Vec<Record> = (0..4).map(jsonl_record).collect();
    // Escapes, a surrogate pair, non-ASCII, quotes and backslashes in the
    // text; members before and after it spelled in unusual ways.
    recs.push(Record {
        prefix: "{ \"z\" : [ {\"text\":\"decoy\"} ] ,\"id\":\"\\u0041\\n\",  \"text\"\t:".into(),
        text: "Caf\u{e9} \u{1F600} said \"hi\" \\ bye\nSecond line \u{2014} dash\n\tTabbed\n"
            .into(),
        suffix: " , \"n\": -0.0e+0 }".into(),
    });
    let mut input: String = recs.iter().map(Record::line).collect();
    // The same text written with escapes for every non-ASCII character.
    let escaped = "{\"text\":\"Caf\\u00e9 \\ud83d\\ude00 \\/ x\\r\\ny\\n\",\"k\":1}\r\n";
    input.push_str(escaped);
    write(dir, "in.jsonl", input.as_bytes());
    let r = run(dir, &["clean", "in.jsonl"]);
    assert_code(&r, 0);
    let out = r.stdout_str();
    let out_lines: Vec<&str> = out.split_inclusive('\n').collect();
    assert_eq!(out_lines.len(), recs.len() + 1);
    for ((o, rec), orig) in out_lines.iter().zip(&recs).zip(input.split_inclusive('\n')) {
        assert_record(o, orig, rec);
    }
    let last = out_lines[recs.len()];
    if last != escaped {
        // Rewritten only if lines were dropped: then the text is re-encoded
        // but the rest of the line is as it was.
        assert!(
            last.starts_with("{\"text\":\"") && last.ends_with("\",\"k\":1}\r\n"),
            "{last}"
        );
    }
    // The decoded text is what the classifier sees.
    let explain = run(dir, &["clean", "in.jsonl", "--explain"]);
    assert_code(&explain, 0);
    let shown = explain.stdout_str();
    assert!(
        shown.contains("| Caf\u{e9} \u{1F600} said \"hi\" \\ bye\n"),
        "{shown}"
    );
    assert!(shown.contains("| Caf\u{e9} \u{1F600} / x\n"), "{shown}");
    assert!(
        shown.contains("== in.jsonl:5  A\\x0a\n"),
        "labels are shown on one line: {shown}"
    );
    assert!(shown.contains("== in.jsonl:1  doc-0\n"), "{shown}");
    assert!(!shown.contains("decoy"), "a nested field is not the text");
}

#[test]
fn malformed_jsonl_lines_are_reported_and_passed_through() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let good = jsonl_record(1);
    let input = format!(
        "{}{{\"text\": \"unterminated}}\n\n[\"an\",\"array\"]\n{{\"text\":\"\\ud800 lone\"}}\n{{\"id\":9}}\n{}",
        good.line(),
        jsonl_record(2).line()
    );
    write(dir, "d/x.jsonl", input.as_bytes());
    let r = run(dir, &["clean", "d", "-o", "out", "--stats-json", "s.json"]);
    assert_code(&r, 1);
    assert!(
        r.stderr.contains("d/x.jsonl:2: invalid JSON at column"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("d/x.jsonl:4: the record is not a JSON object"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("d/x.jsonl:5: field \"text\""),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("first at line 6"),
        "records without text: {}",
        r.stderr
    );
    let out = std::fs::read_to_string(dir.join("out/x.jsonl")).unwrap();
    let out_lines: Vec<&str> = out.split_inclusive('\n').collect();
    let in_lines: Vec<&str> = input.split_inclusive('\n').collect();
    assert_eq!(out_lines.len(), in_lines.len());
    assert_eq!(
        out_lines[1..6],
        in_lines[1..6],
        "bad lines pass through unchanged"
    );
    assert_record(out_lines[0], in_lines[0], &good);
    assert_record(out_lines[6], in_lines[6], &jsonl_record(2));
    let s = stats_without_time(&dir.join("s.json"));
    assert_eq!(s["bad_records"], 3);
    assert_eq!(s["records_without_text"], 1);
    assert_eq!(s["documents"]["in"], 2);
}

#[test]
fn jsonl_text_and_group_fields_can_be_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let input = "{\"body\":\"Hello there.\\n\",\"source\":\"Feed-A\",\"text\":7}\n";
    write(dir, "x.ndjson", input.as_bytes());
    let r = run(
        dir,
        &[
            "clean",
            "x.ndjson",
            "--text-field",
            "body",
            "--group-field",
            "source",
            "--explain",
        ],
    );
    assert_code(&r, 0);
    assert!(
        r.stdout_str().contains("| Hello there."),
        "{}",
        r.stdout_str()
    );
    let r = run(
        dir,
        &[
            "learn",
            "x.ndjson",
            "--text-field",
            "body",
            "--group-field",
            "source",
            "-o",
            "m",
        ],
    );
    assert_code(&r, 0);
    assert!(
        r.stderr.contains("from 1 site"),
        "the group field names the site: {}",
        r.stderr
    );
    // With the default field, the record has no string text: passed through.
    let r = run(dir, &["clean", "x.ndjson"]);
    assert_code(&r, 0);
    assert_eq!(r.stdout_str(), input);
    assert!(
        r.stderr.contains("without a string field \"text\""),
        "{}",
        r.stderr
    );
}

#[test]
fn format_flag_overrides_the_file_name() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let rec = jsonl_record(3);
    write(dir, "records.txt", rec.line().as_bytes());
    let as_jsonl = run(
        dir,
        &["clean", "records.txt", "--format", "jsonl", "--explain"],
    );
    assert_code(&as_jsonl, 0);
    assert!(as_jsonl
        .stdout_str()
        .starts_with("== records.txt:1  doc-3\n"));
    let as_text = run(dir, &["clean", "records.txt", "--explain"]);
    assert_code(&as_text, 0);
    assert!(as_text.stdout_str().starts_with("== records.txt\n"));
    let bad = run(dir, &["clean", "records.txt", "--format", "xml"]);
    assert_code(&bad, 2);
}

#[test]
fn wet_records_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "decide.rules", DECIDING_RULES.as_bytes());
    let info = wet_record("warcinfo", "", "isPartOf: test\r\nsoftware: none\r\n");
    let mut bodies_in: Vec<String> = (0..5).map(|i| page("w.example", i)).collect();
    // Whatever the classifier does, the rules keep one body whole (every
    // line protected), empty another (its one line dropped by a user rule),
    // and change the pages (their menu line goes, their story line stays).
    bodies_in.push(
        "The ferry timetable changes on Monday.\nThe ferry timetable was printed twice.\n".into(),
    );
    bodies_in.push("Menu | Home | Sections\n".into());
    let records: Vec<String> = bodies_in
        .iter()
        .enumerate()
        .map(|(i, p)| wet_record("conversion", &format!("https://w.example/{i}"), p))
        .collect();
    // gzip with one member per record, as Common Crawl writes WET files.
    let mut gz = compressed(info.as_bytes(), Compression::Gzip);
    for r in &records {
        gz.extend(compressed(r.as_bytes(), Compression::Gzip));
    }
    write(dir, "in/CC-MAIN-1.warc.wet.gz", &gz);
    let r = run(
        dir,
        &[
            "clean",
            "in",
            "-o",
            "out",
            "--stats-json",
            "s.json",
            "--rules",
            "decide.rules",
        ],
    );
    assert_code(&r, 0);
    let (out, c) = read_decompressed(&dir.join("out/CC-MAIN-1.warc.wet.gz"));
    assert_eq!(c, Compression::Gzip);
    let out = String::from_utf8(out).unwrap();
    assert!(out.starts_with(&info), "warcinfo is copied unchanged");
    let bodies = wet_bodies(out.as_bytes());
    assert_eq!(bodies.len(), bodies_in.len());
    for (body, p) in bodies.iter().zip(&bodies_in) {
        assert_kept_lines(body.as_bytes(), p.as_bytes());
    }
    let n = bodies.len();
    assert_eq!(bodies[n - 2], bodies_in[n - 2], "every line is protected");
    assert_eq!(bodies[n - 1], "", "the one line is dropped");
    for (body, p) in bodies.iter().zip(&bodies_in).take(5) {
        assert_ne!(body, p, "the menu line is dropped");
    }
    // Each record is either unchanged, or has only its body and length
    // changed and its digest left out.
    let mut rest = &out[info.len()..];
    for (rec, body) in records.iter().zip(&bodies) {
        let (head, _) = rec.split_once("\r\n\r\n").unwrap();
        let want = if body.len() == rec.len() - head.len() - 8 {
            rec.clone()
        } else {
            let head: String = head
                .split("\r\n")
                .filter(|l| !l.starts_with("WARC-Block-Digest:"))
                .map(|l| {
                    if l.starts_with("Content-Length:") {
                        format!("Content-Length: {}\r\n", body.len())
                    } else {
                        format!("{l}\r\n")
                    }
                })
                .collect();
            format!("{head}\r\n{body}\r\n\r\n")
        };
        assert!(
            rest.starts_with(&want),
            "record differs:\n{rest}\nwant\n{want}"
        );
        rest = &rest[want.len()..];
    }
    assert!(rest.is_empty());
    let s = stats_without_time(&dir.join("s.json"));
    assert_eq!(s["documents"]["in"], 7);
}

#[test]
fn wet_records_with_wrong_lengths_are_reported_with_offsets() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let a = wet_record("conversion", "https://a.example/", "Alpha text.\n");
    let b = wet_record("conversion", "https://b.example/", "Bravo text.\n")
        .replace("Content-Length: 12", "Content-Length: 40");
    let c = wet_record("conversion", "https://c.example/", "Charlie text.\n");
    let truncated = &c[..c.len() - 10];
    let input = format!("{a}{b}{c}{truncated}");
    write(dir, "x.wet", input.as_bytes());
    let r = run(dir, &["clean", "x.wet"]);
    assert_code(&r, 1);
    assert!(
        r.stderr.contains(&format!(
            "x.wet:2: WARC record at byte offset {}: Content-Length 40 does not match",
            a.len()
        )),
        "{}",
        r.stderr
    );
    let end = a.len() + b.len() + c.len();
    assert!(
        r.stderr.contains(&format!(
            "x.wet:4: WARC record at byte offset {end}: truncated"
        )),
        "{}",
        r.stderr
    );
    let out = r.stdout_str();
    assert!(out.contains(&b), "the bad record passes through unchanged");
    assert!(
        out.ends_with(truncated),
        "what there is of the truncated record passes through"
    );
    let opts = FormatOptions::default();
    let kinds: Vec<&str> = records(Format::Wet, out.as_bytes(), "o".as_ref(), None, &opts)
        .map(|it| match it {
            Item::Doc(_) => "doc",
            Item::Malformed { .. } => "bad",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds,
        ["doc", "bad", "doc", "bad"],
        "the good records are still documents"
    );
}

#[test]
fn compressed_inputs_keep_their_compression() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let one = page("g.example", 1);
    let two = page("g.example", 2);
    // Two gzip members in one file read as one stream.
    let mut multi = compressed(one.as_bytes(), Compression::Gzip);
    multi.extend(compressed(two.as_bytes(), Compression::Gzip));
    write(dir, "in/multi.txt.gz", &multi);
    write(
        dir,
        "in/z.txt.zst",
        &compressed(one.as_bytes(), Compression::Zstd),
    );
    // The magic bytes decide, not the name.
    write(dir, "in/named.gz", one.as_bytes());
    write(
        dir,
        "in/plain-named.txt",
        &compressed(two.as_bytes(), Compression::Zstd),
    );
    let r = run(dir, &["clean", "in", "-o", "out", "--explain"]);
    assert_code(&r, 2);
    let r = run(dir, &["clean", "in", "-o", "out"]);
    assert_code(&r, 0);
    for (name, want_c, text) in [
        ("multi.txt.gz", Compression::Gzip, format!("{one}{two}")),
        ("z.txt.zst", Compression::Zstd, one.clone()),
        ("named.gz", Compression::None, one.clone()),
        ("plain-named.txt", Compression::Zstd, two.clone()),
    ] {
        let (out, c) = read_decompressed(&dir.join("out").join(name));
        assert_eq!(c, want_c, "{name}");
        assert_kept_lines(&out, text.as_bytes());
    }
    // The two members are one document: its kept lines follow both pages.
    let explain = run(dir, &["clean", "in/multi.txt.gz", "--explain"]);
    let rows = explain.stdout_str().lines().count();
    assert_eq!(rows, 1 + one.lines().count() + two.lines().count());
}

/// Records the progress a run reports.
#[derive(Default)]
struct Progress {
    /// (pass, input, bytes read so far or `None` for done).
    events: std::cell::RefCell<Vec<(u8, usize, Option<u64>)>>,
    inputs: std::cell::RefCell<Vec<std::path::PathBuf>>,
}

impl boilerstrip::pipeline::Events for Progress {
    fn input_progress(&self, pass: u8, input: &boilerstrip::input::Input, bytes: u64) {
        let i = self.index(input);
        self.events.borrow_mut().push((pass, i, Some(bytes)));
    }
    fn input_done(&self, pass: u8, input: &boilerstrip::input::Input) {
        let i = self.index(input);
        self.events.borrow_mut().push((pass, i, None));
    }
}

impl Progress {
    fn index(&self, input: &boilerstrip::input::Input) -> usize {
        let p = input.display_path().to_path_buf();
        let mut inputs = self.inputs.borrow_mut();
        inputs.iter().position(|q| *q == p).unwrap_or_else(|| {
            inputs.push(p);
            inputs.len() - 1
        })
    }
}

#[test]
fn progress_is_reported_within_an_input_read_in_pieces() {
    use boilerstrip::pipeline::{self, Options};
    // A JSONL file of about 1.2 MB, plain and gzipped, read in batches of
    // 64 KiB: each pass says how far into each file it is, in the bytes
    // its size counts (compressed for the gzipped one), after each piece.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let text: String = (0..4000).map(|i| jsonl_record(i).line()).collect();
    let plain = write(dir, "a.jsonl", text.as_bytes());
    let gz = write(
        dir,
        "b.jsonl.gz",
        &compressed(text.as_bytes(), Compression::Gzip),
    );
    let found = boilerstrip::input::discover(&[plain, gz], None);
    let opts = Options {
        threads: 2,
        limits: boilerstrip::batch::Limits {
            batch: 64 << 10,
            ..Default::default()
        },
        ..Options::default()
    };
    let seen = Progress::default();
    let mut out = Vec::new();
    pipeline::clean(
        &found.inputs,
        &boilerstrip::Cleaner::new(),
        &opts,
        &mut out,
        &seen,
    )
    .unwrap();
    let events = seen.events.into_inner();
    for pass in [1, 2] {
        for (i, input) in found.inputs.iter().enumerate() {
            let steps: Vec<Option<u64>> = events
                .iter()
                .filter(|e| e.0 == pass && e.1 == i)
                .map(|e| e.2)
                .collect();
            let (done, read) = steps.split_last().unwrap();
            assert_eq!(*done, None, "pass {pass}, input {i}: {steps:?}");
            let read: Vec<u64> = read.iter().map(|b| b.unwrap()).collect();
            assert!(read.len() > 3, "pass {pass}, input {i}: {steps:?}");
            assert!(read.windows(2).all(|w| w[0] <= w[1]), "{read:?}");
            assert!(read[0] < input.size / 2, "{read:?} of {}", input.size);
            assert_eq!(*read.last().unwrap(), input.size, "{read:?}");
        }
    }
}
