//! Quality measurement from files: JSONL (plain and compressed) and directory
//! pairs, and the error analysis's totals.

use std::io::Write;
use std::path::Path;

use boilerstrip::compress::{Compression, Encoder};
use boilerstrip::eval::{self, Fields, Page};
use boilerstrip::label::label_lines;
use boilerstrip::Cleaner;

fn write(path: &Path, bytes: &[u8], c: Compression) {
    let mut e = Encoder::new(std::fs::File::create(path).unwrap(), c).unwrap();
    e.write_all(bytes).unwrap();
    e.finish().unwrap();
}

const RECORDS: &str = concat!(
    r#"{"id": "p1", "domain": "a.org", "text": "a b b c", "gold": "b c c d"}"#,
    "\n",
    r#"{"id": "p2", "domain": "a.org", "text": "x", "gold": "x y"}"#,
    "\n",
);

#[test]
fn jsonl_in_every_compression_scores_the_same() {
    let dir = tempfile::tempdir().unwrap();
    for c in [Compression::None, Compression::Gzip, Compression::Zstd] {
        let path = dir
            .path()
            .join(format!("p.jsonl{}", c.suffix().unwrap_or("")));
        write(&path, RECORDS.as_bytes(), c);
        let pages = eval::read_jsonl(&path, &Fields::default()).unwrap();
        assert_eq!(pages.pages.len(), 2);
        let r = eval::evaluate_pages(&pages);
        assert_eq!(r.scored, 2);
        // p1: P = R = F1 = 1/2; p2: P 1, R 1/2, F1 2/3.
        assert!((r.word.precision - 0.75).abs() < 1e-12);
        assert!((r.word.recall - 0.5).abs() < 1e-12);
        assert!((r.word.f1 - (0.5 + 2.0 / 3.0) / 2.0).abs() < 1e-12);
    }
}

#[test]
fn bad_record_in_gzip_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.jsonl.gz");
    let text = format!("{RECORDS}\n{{\"id\": \"p4\", \"text\": \"t\"}}\n");
    write(&path, text.as_bytes(), Compression::Gzip);
    let err = eval::read_jsonl(&path, &Fields::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("bad.jsonl.gz:4:"), "{err}");
    assert!(err.contains("no field `gold`"), "{err}");

    let missing = dir.path().join("missing.jsonl");
    let err = eval::read_jsonl(&missing, &Fields::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing.jsonl"), "{err}");
}

#[test]
fn directories_pair_by_relative_path() {
    let dir = tempfile::tempdir().unwrap();
    let (out, gold) = (dir.path().join("out"), dir.path().join("gold"));
    for d in [&out, &gold] {
        std::fs::create_dir_all(d.join("sub")).unwrap();
    }
    write(&out.join("a.txt"), b"a b b c\n", Compression::None);
    write(&gold.join("a.txt"), b"b c c d\n", Compression::None);
    // A compressed pair is read through its decoder.
    write(&out.join("sub/b.txt"), b"x\n", Compression::Gzip);
    write(&gold.join("sub/b.txt"), b"x y\n", Compression::Zstd);
    write(&out.join("extra.txt"), b"e\n", Compression::None);
    write(&gold.join("sub/lost.txt"), b"l\n", Compression::None);

    let pages = eval::read_dirs(&out, &gold).unwrap();
    let names: Vec<_> = pages.pages.iter().map(|p| p.name.as_str()).collect();
    // A gold file without output is a page whose output is empty: a cleaner
    // that wrote nothing for it kept none of its gold.
    assert_eq!(names, ["a.txt", "sub/b.txt", "sub/lost.txt"]);
    assert_eq!(pages.pages[1].text, "x\n");
    assert_eq!(pages.pages[2].text, "");
    assert_eq!(pages.only_in_output, ["extra.txt"]);
    assert_eq!(pages.only_in_gold, ["sub/lost.txt"]);
    let r = eval::evaluate_pages(&pages);
    assert_eq!(r.pages, 3);
    assert_eq!(r.scored, 3);
    // a.txt: P 2/4, R 2/4; sub/b.txt: P 1, R 1/2; sub/lost.txt: R 0, F1 0.
    let f1 = (0.5 + 2.0 / 3.0 + 0.0) / 3.0;
    assert!((r.word.f1 - f1).abs() < 1e-9, "{}", r.word.f1);
    assert_eq!(r.only_in_gold, ["sub/lost.txt"]);
    let mut text = Vec::new();
    r.write_text(&mut text, false).unwrap();
    assert!(String::from_utf8(text)
        .unwrap()
        .contains("gold only:   sub/lost.txt"));

    let err = eval::read_dirs(&out.join("a.txt"), &gold)
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a directory"), "{err}");

    // `read` pairs directories when given a gold directory, and refuses a
    // directory without one.
    let via_read = eval::read(&out, Some(&gold), &Fields::default()).unwrap();
    assert_eq!(via_read, pages);
    let err = eval::read(&out, None, &Fields::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("gold-dir"), "{err}");
}

#[test]
fn a_binary_file_in_a_directory_pair_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let (out, gold) = (dir.path().join("out"), dir.path().join("gold"));
    for d in [&out, &gold] {
        std::fs::create_dir_all(d).unwrap();
        write(&d.join("a.txt"), b"the council met\n", Compression::None);
    }
    // UTF-16 text: every other byte NUL, as `clean` skips it; gzipped, the
    // NUL is found in what it decompresses to.
    let utf16: Vec<u8> = "the council met\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    write(&gold.join("b.txt"), &utf16, Compression::Gzip);
    write(&out.join("b.txt"), b"the council met\n", Compression::None);
    let err = eval::read_dirs(&out, &gold).unwrap_err().to_string();
    assert!(err.contains("b.txt"), "{err}");
    assert!(err.contains("binary file (a NUL byte at byte 1)"), "{err}");
}

#[test]
fn directory_errors_say_the_file_once_and_where_it_broke() {
    let dir = tempfile::tempdir().unwrap();
    let (out, gold) = (dir.path().join("out"), dir.path().join("gold"));
    for d in [&out, &gold] {
        std::fs::create_dir_all(d).unwrap();
        write(&d.join("a.txt"), b"the council met\n", Compression::None);
    }
    // A gzip file cut short: the byte of the decompressed stream it broke at.
    let text: String = (0..20_000).map(|i| format!("line {i}\n")).collect();
    let gz = crate::util::compressed(text.as_bytes(), Compression::Gzip);
    std::fs::write(gold.join("cut.txt.gz"), &gz[..gz.len() / 2]).unwrap();
    std::fs::write(out.join("cut.txt.gz"), &gz).unwrap();
    let err = eval::read_dirs(&out, &gold).unwrap_err().to_string();
    assert!(err.contains("cut.txt.gz: at byte "), "{err}");
    assert!(err.contains(" of the decompressed stream: "), "{err}");
    std::fs::remove_file(gold.join("cut.txt.gz")).unwrap();
    std::fs::remove_file(out.join("cut.txt.gz")).unwrap();

    // A symbolic link to nothing: named once, as a link.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("nowhere.txt", out.join("b.txt")).unwrap();
        let err = eval::read_dirs(&out, &gold).unwrap_err().to_string();
        assert_eq!(err.matches("b.txt").count(), 1, "{err}");
        assert!(err.contains("a symbolic link to nothing"), "{err}");
    }
}

/// A file whose name is not UTF-8 is paired and read by its own bytes, and
/// named in reports with U+FFFD; two such names that differ only in their
/// invalid bytes stay two files.
#[cfg(unix)]
#[test]
fn directories_pair_names_that_are_not_utf8() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let (out, gold) = (dir.path().join("out"), dir.path().join("gold"));
    let latin1 = OsStr::from_bytes(b"caf\xe9.txt");
    let other = OsStr::from_bytes(b"caf\xe8.txt");
    for d in [&out, &gold] {
        std::fs::create_dir_all(d).unwrap();
        write(&d.join(latin1), b"the council met\n", Compression::None);
    }
    write(&gold.join(other), b"a bridge\n", Compression::None);
    let pages = eval::read_dirs(&out, &gold).unwrap();
    // The gold file without output is a page too, with an empty output.
    assert_eq!(pages.pages.len(), 2);
    assert_eq!(pages.pages[0].gold, "a bridge\n");
    assert_eq!(pages.pages[0].text, "");
    assert_eq!(pages.pages[1].name, "caf\u{fffd}.txt");
    assert_eq!(pages.pages[1].text, "the council met\n");
    assert_eq!(pages.pages[1].gold, "the council met\n");
    assert_eq!(pages.only_in_gold, ["caf\u{fffd}.txt"]);
    assert!(pages.only_in_output.is_empty());
}

#[test]
fn report_json_has_the_documented_top_level() {
    let pages = vec![Page::new("a", "one two three four five", "two three four")];
    let r = eval::evaluate(&pages);
    let mut out = Vec::new();
    r.write_json(&mut out, false).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["pages"], 1);
    assert_eq!(v["scored"], 1);
    for key in ["word", "shingle"] {
        for fig in ["precision", "recall", "f1"] {
            let x = v[key][fig].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&x), "{key}.{fig} = {x}");
        }
    }
    // Shingles: output has 2 windows, gold 1 (all three words), none shared.
    assert_eq!(v["shingle"]["f1"], 0.0);
    assert_eq!(v["word"]["recall"], 1.0);
}

/// Pages with structure that labels can be predicted from: a menu, a shared
/// footer, and article lines that are the gold.
fn site_pages() -> Vec<Page> {
    (0..6)
        .map(|i| {
            let article = format!(
                "Report number {i} on the harbour works.\nThe crane {i} lifted a beam today."
            );
            let text = format!(
                "Home | News | Sport\n{article}\n\nShare on social media\nCopyright example press\n"
            );
            Page::new(format!("p{i}"), text, article).with_site("example.org")
        })
        .collect()
}

#[test]
fn analysis_totals_match_the_labels() {
    let pages = site_pages();
    let a = eval::analyze(&Cleaner::new(), &pages, 1000);
    assert_eq!(a.pages, pages.len());
    let (mut content, mut boiler, mut none) = (0u64, 0u64, 0u64);
    for p in &pages {
        for l in label_lines(p.text.as_bytes(), &p.gold) {
            match l {
                Some(true) => content += 1,
                Some(false) => boiler += 1,
                None => none += 1,
            }
        }
    }
    assert_eq!(a.lines.content_kept + a.lines.content_dropped, content);
    assert_eq!(
        a.lines.boilerplate_kept + a.lines.boilerplate_dropped,
        boiler
    );
    assert_eq!(a.lines_without_words, none);
    // Every wrong line is in exactly one group, and groups sum back.
    let kept: u64 = a.wrongly_kept.iter().map(|g| g.lines).sum();
    let dropped: u64 = a.wrongly_dropped.iter().map(|g| g.lines).sum();
    assert_eq!(kept, a.lines.boilerplate_kept);
    assert_eq!(dropped, a.lines.content_dropped);
    let kept_words: u64 = a.wrongly_kept.iter().map(|g| g.words).sum();
    assert_eq!(kept_words, a.words.boilerplate_kept);
    // Causes partition the lines.
    let mut by_cause = eval::Confusion::default();
    for c in &a.causes {
        by_cause += c.lines;
    }
    assert_eq!(by_cause, a.lines);
    // Labels agree with the gold here, so keeping exactly the content lines
    // reproduces the gold.
    assert_eq!(a.oracle.f1, 1.0);
    // A repeated line is grouped once with the count of its pages.
    for g in &a.wrongly_kept {
        assert!(g.pages <= pages.len() as u64 && g.lines >= g.pages);
    }
}

#[test]
fn results_do_not_depend_on_thread_count() {
    let pages = site_pages();
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                (
                    eval::evaluate(&pages),
                    eval::analyze(&Cleaner::new(), &pages, 5),
                )
            })
    };
    assert_eq!(run(1), run(4));
}
