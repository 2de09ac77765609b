//! Helpers for the integration tests: running the binary, building small
//! corpora, and checks that hold for any classifier (kept lines are a
//! subsequence of the input; everything but the text is unchanged).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use boilerstrip::compress::{self, Compression, Encoder};

/// Tells whoever runs the tests something a passing test would otherwise
/// keep to itself, such as a check it skipped: written to the process's
/// standard error directly, which the test harness does not capture (it
/// captures `print!` and `eprint!`, and shows them only for failures).
pub fn note(message: &str) {
    let _ = writeln!(std::io::stderr(), "note: {message}");
}

/// The result of one run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Run {
    pub fn stdout_str(&self) -> String {
        String::from_utf8(self.stdout.clone()).expect("stdout is UTF-8")
    }
}

/// `boilerstrip ARGS` started in `dir` without standard input, its output
/// and errors going where `stdout` and `stderr` say: for tests that read,
/// close or kill while it runs.
pub fn spawn(dir: &Path, args: &[&str], stdout: Stdio, stderr: Stdio) -> Child {
    Command::new(env!("CARGO_BIN_EXE_boilerstrip"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("the binary runs")
}

/// Closes `child`'s standard output (its reader going away, as `| head`
/// does), and checks that it then ends with 0 and says nothing: a closed
/// output is a normal end. `what` names the run in a failure.
pub fn assert_ends_quietly(mut child: Child, what: &str) {
    drop(child.stdout.take());
    let mut err = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        stderr.read_to_string(&mut err).unwrap();
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{what}: {err}");
    assert!(err.is_empty(), "{what} quietly: {err}");
}

/// Makes a named pipe at `path`.
#[cfg(unix)]
pub fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}

/// Runs `boilerstrip ARGS` in `dir` with `stdin` as its standard input.
pub fn run_in(dir: &Path, args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_boilerstrip"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        // The program may exit before reading everything.
        let _ = input.write_all(&data);
    });
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    Run {
        code: status.code().expect("not killed by a signal"),
        stdout,
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Runs `boilerstrip ARGS` in `dir` with empty standard input.
pub fn run(dir: &Path, args: &[&str]) -> Run {
    run_in(dir, args, b"")
}

/// Asserts the run exited with `code`, showing stderr if not.
#[track_caller]
pub fn assert_code(r: &Run, code: i32) {
    assert_eq!(r.code, code, "exit status; stderr:\n{}", r.stderr);
}

/// Writes `data` to `dir/rel`, creating folders.
pub fn write(dir: &Path, rel: &str, data: &[u8]) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, data).unwrap();
    p
}

/// `data` compressed with `c`.
pub fn compressed(data: &[u8], c: Compression) -> Vec<u8> {
    let mut e = Encoder::new(Vec::new(), c).unwrap();
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// The decompressed contents of `path`, and the compression found.
pub fn read_decompressed(path: &Path) -> (Vec<u8>, Compression) {
    let (c, mut r) = compress::open(path).unwrap();
    let mut out = Vec::new();
    r.read_to_end(&mut out).unwrap();
    (out, c)
}

/// The lines of `text`, each with its line end: a naive split after every
/// `\n`, written apart from the library's splitter so that tests check it.
pub fn lines(text: &[u8]) -> Vec<&[u8]> {
    text.split_inclusive(|&b| b == b'\n').collect()
}

/// A line without its line end (`\n` or `\r\n`; a `\r` not followed by
/// `\n` is content).
pub fn content(line: &[u8]) -> &[u8] {
    match line.strip_suffix(b"\n") {
        Some(l) => l.strip_suffix(b"\r").unwrap_or(l),
        None => line,
    }
}

/// A line's content as `--explain` shows it: invalid UTF-8 as U+FFFD, control
/// characters other than tab as `\xNN`.
pub fn visible(content: &[u8]) -> String {
    String::from_utf8_lossy(content)
        .chars()
        .map(|c| {
            if c.is_control() && c != '\t' {
                format!("\\x{:02x}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// One row of `--explain` output.
#[derive(Debug)]
pub struct Row<'a> {
    pub keep: bool,
    pub reason: &'a str,
}

/// Reads the `--explain` row `row` of the line shown as `shown` (see
/// [`visible`]), asserting the documented layout: `KEEP` or `DROP`, the
/// score with two decimals, two spaces, the reason padded with spaces to
/// `REASON_WIDTH` characters (a longer one is not cut and pushes the bar
/// right), ` | ` and the line.
#[track_caller]
pub fn explain_row<'a>(row: &'a str, shown: &str) -> Row<'a> {
    let head = row
        .strip_suffix(shown)
        .and_then(|h| h.strip_suffix(" | "))
        .unwrap_or_else(|| panic!("row does not end with ` | ` and its line {shown:?}: {row:?}"));
    let (fixed, padded) = match head.get(..11) {
        Some(f) => (f, &head[11..]),
        None => panic!("row too short: {row:?}"),
    };
    let keep = match &fixed[..5] {
        "KEEP " => true,
        "DROP " => false,
        _ => panic!("no KEEP or DROP mark: {row:?}"),
    };
    let score: f32 = fixed[5..9]
        .parse()
        .unwrap_or_else(|_| panic!("no score: {row:?}"));
    assert!((0.0..=1.0).contains(&score), "score out of range: {row:?}");
    assert_eq!(&fixed[9..], "  ", "{row:?}");
    let reason = padded.trim_end_matches(' ');
    assert!(
        !reason.is_empty() && !reason.starts_with(' '),
        "no reason: {row:?}"
    );
    assert_eq!(
        padded.chars().count(),
        reason
            .chars()
            .count()
            .max(boilerstrip::explain::REASON_WIDTH),
        "the reason column is padded to its width: {row:?}"
    );
    Row { keep, reason }
}

/// A user rule file that decides some lines of [`page`] whatever the
/// classifier makes of them, so that tests see both verdicts: a protecting
/// phrase keeps every line about the ferry timetable, and a whole-line
/// phrase drops the menu line. (A protected line is kept and a user rule's
/// line dropped by contract, see `CleanerBuilder::rules`.)
pub const DECIDING_RULES: &str = "@category testing\n! ferry timetable\n= menu home sections\n";

/// Whether `sub` is a subsequence of `all`.
pub fn is_subsequence<T: PartialEq>(sub: &[T], all: &[T]) -> bool {
    let mut it = all.iter();
    sub.iter().all(|s| it.any(|a| a == s))
}

/// Asserts that the kept text `out` is made of whole lines of `input`, in
/// order: what any classifier may produce.
#[track_caller]
pub fn assert_kept_lines(out: &[u8], input: &[u8]) {
    assert!(
        is_subsequence(&lines(out), &lines(input)),
        "output lines are not a subsequence of the input:\n--- out\n{}\n--- in\n{}",
        String::from_utf8_lossy(out),
        String::from_utf8_lossy(input)
    );
}

/// A JSONL record written as `prefix` + JSON string of `text` + `suffix`, so
/// tests know the bytes around the text field.
pub struct Record {
    pub prefix: String,
    pub text: String,
    pub suffix: String,
}

impl Record {
    /// The record as one line, with `\n`.
    pub fn line(&self) -> String {
        format!(
            "{}{}{}\n",
            self.prefix,
            serde_json::to_string(&self.text).unwrap(),
            self.suffix
        )
    }
}

/// Asserts that the output line `out` is the record `rec` (given as the
/// original line `orig`) with only its text changed: the bytes around the
/// text are identical, the new text is a subsequence of the old lines, and a
/// record whose text kept every line is identical byte for byte.
#[track_caller]
pub fn assert_record(out: &str, orig: &str, rec: &Record) {
    assert!(
        out.starts_with(&rec.prefix) && out.ends_with(&format!("{}\n", rec.suffix)),
        "bytes around the text changed:\n{out}\nwas\n{orig}"
    );
    let middle = &out[rec.prefix.len()..out.len() - rec.suffix.len() - 1];
    let text: String = serde_json::from_str(middle).expect("the text is a JSON string");
    assert_kept_lines(text.as_bytes(), rec.text.as_bytes());
    if text == rec.text {
        assert_eq!(out, orig, "an unchanged record must be written as it was");
    }
}

/// A WARC record of type `kind` with a WET-style header.
pub fn wet_record(kind: &str, uri: &str, body: &str) -> String {
    format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\n\
         WARC-Date: 2024-01-01T00:00:00Z\r\nWARC-Record-ID: <urn:uuid:{}>\r\n\
         WARC-Block-Digest: sha1:AAAA\r\nContent-Type: text/plain\r\n\
         Content-Length: {}\r\n\r\n{body}\r\n\r\n",
        uri.len(),
        body.len()
    )
}

/// The text of made-up page `i` of `site`: two chrome lines around a short
/// article (written for these tests).
pub fn page(site: &str, i: usize) -> String {
    format!(
        "Share this post\nMenu | Home | Sections\n\
         Story {i} from {site}: the ferry timetable changes on Monday, the council said.\n\
         Residents asked for a later last crossing, and {i} letters were read aloud.\n\
         \n\
         Subscribe to our newsletter\n"
    )
}

/// JSONL record `i`, with other fields in odd but valid spellings.
pub fn jsonl_record(i: usize) -> Record {
    Record {
        prefix: format!(
            "{{\"id\":\"doc-{i}\", \"url\" : \"https://news{}.example/s/{i}?a=1\",\
             \"n\":{i}.50,\"meta\":{{\"tags\":[\"x\",\"y\\\"]\"],\"text\":null}},\"text\": ",
            i % 2
        ),
        text: page(&format!("news{}.example", i % 2), i),
        suffix: ",\"lang\":\"en\",\"w\":1E-3 ,\"t\":\"caf\\u00e9\"}".to_string(),
    }
}

/// A corpus of every format and compression under `dir/dumps`; returns the
/// relative paths of its files.
pub fn corpus(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut add = |rel: String, data: Vec<u8>| {
        write(&dir.join("dumps"), &rel, &data);
        files.push(rel);
    };
    for site in ["a.example", "b.example"] {
        for i in 0..6 {
            add(format!("{site}/page-{i}.txt"), page(site, i).into_bytes());
        }
    }
    let shard = |range: std::ops::Range<usize>| -> Vec<u8> {
        range
            .map(|i| jsonl_record(i).line())
            .collect::<String>()
            .into_bytes()
    };
    add("feeds/shard-00.jsonl".into(), shard(0..5));
    add(
        "feeds/shard-01.jsonl.gz".into(),
        compressed(&shard(5..10), Compression::Gzip),
    );
    add(
        "feeds/shard-02.ndjson.zst".into(),
        compressed(&shard(10..15), Compression::Zstd),
    );
    let mut wet = compressed(
        wet_record("warcinfo", "", "software: test\r\n").as_bytes(),
        Compression::Gzip,
    );
    for i in 0..4 {
        let rec = wet_record(
            "conversion",
            &format!("https://c.example/{i}"),
            &page("c.example", i),
        );
        wet.extend(compressed(rec.as_bytes(), Compression::Gzip));
    }
    add("cc/CC-MAIN-00.warc.wet.gz".into(), wet);
    files
}

/// Every file under `dir`, relative path -> bytes, sorted.
pub fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// The `--stats-json` file at `path`, without its timings (which differ run
/// to run).
pub fn stats_without_time(path: &Path) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    for pass in ["pass1", "pass2"] {
        let p = v[pass].as_object_mut().unwrap();
        p.remove("seconds");
        p.remove("mb_per_second");
    }
    v
}

/// The bodies of the conversion records of the WET data `buf`, read with the
/// library's reader (which the WET tests check on its own).
pub fn wet_bodies(buf: &[u8]) -> Vec<String> {
    use boilerstrip::format::{records, Format, FormatOptions, Item};
    let opts = FormatOptions::default();
    records(Format::Wet, buf, Path::new("out"), None, &opts)
        .filter_map(|it| match it {
            Item::Doc(d) => Some(String::from_utf8(d.text.into_owned()).unwrap()),
            Item::Verbatim(_) => None,
            other => panic!("output does not parse: {other:?}"),
        })
        .collect()
}
