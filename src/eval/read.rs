//! Reading pages to measure: a JSONL file with the output and the gold in two
//! fields of each record, or two directories of text files paired by
//! relative path.

use std::borrow::Cow;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::{Map, Value};

use crate::error::Error;
use crate::format::{default_site, site_from_name, BOM};

/// One page to measure: a text (a cleaner's output, or an uncleaned page for
/// [`analyze`](super::analyze)), its gold and, where known, its site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// The page's name in reports: its id, its line number, or its relative path.
    pub name: String,
    /// The text to measure.
    pub text: String,
    /// The human-made main content.
    pub gold: String,
    /// The page's site, for per-site statistics; `None` where unknown.
    pub site: Option<String>,
}

impl Page {
    /// A page without a site.
    pub fn new(name: impl Into<String>, text: impl Into<String>, gold: impl Into<String>) -> Page {
        Page {
            name: name.into(),
            text: text.into(),
            gold: gold.into(),
            site: None,
        }
    }

    /// The same page attributed to `site` (an empty site means none).
    pub fn with_site(mut self, site: impl Into<String>) -> Page {
        let site = site.into();
        self.site = (!site.is_empty()).then_some(site);
        self
    }
}

/// Pages read, and the files of a directory pair present on one side only.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pages {
    /// The paired pages, in input order (JSONL) or by relative path (directories).
    pub pages: Vec<Page>,
    /// Relative paths of output files without a gold file.
    pub only_in_output: Vec<String>,
    /// Relative paths of gold files without an output file.
    pub only_in_gold: Vec<String>,
}

/// The field names of a JSONL record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fields {
    /// The text to measure. By default, `text`.
    pub text: String,
    /// The gold. By default, `gold`.
    pub gold: String,
    /// The page's name (a string or number); when a record lacks it the page
    /// is named by its 1-based line number. By default, `id`.
    pub id: String,
    /// The field with the page's site, read as `clean --group-field` reads
    /// it: a URL stands for its host, anything else for itself, trimmed and
    /// lower-cased; a record without it, or with an empty or null value, has
    /// none. By default (`None`), as `clean` finds a site by default: the
    /// field `domain`, else the host of `url`. So the sites of `eval`,
    /// `eval --analyze` and `train` are those `clean` sees.
    pub site: Option<String>,
}

impl Default for Fields {
    fn default() -> Fields {
        Fields {
            text: "text".into(),
            gold: "gold".into(),
            id: "id".into(),
            site: None,
        }
    }
}

/// Reads pages the way `boilerstrip eval PATH [--gold-dir DIR]` takes them:
/// with `gold_dir`, `path` is a directory of outputs paired with it
/// ([`read_dirs`]); without, `path` is a JSONL file ([`read_jsonl`]). A
/// directory `path` without `gold_dir` is a setting error.
pub fn read(path: &Path, gold_dir: Option<&Path>, fields: &Fields) -> Result<Pages, Error> {
    match gold_dir {
        Some(gold) => read_dirs(path, gold),
        None if path.is_dir() => Err(Error::Setting {
            name: "gold-dir",
            message: format!(
                "{} is a directory: give the directory of gold texts to pair it with",
                path.display()
            ),
        }),
        None => read_jsonl(path, fields),
    }
}

/// Reads a JSONL file (plain, gzip or zstd, found by its magic bytes; `-`
/// for standard input), one record a line; blank lines are skipped. A
/// record that is not a JSON object, or lacks the text or gold field as a
/// string, is an error naming the file and line.
///
/// ```
/// use boilerstrip::eval::{read_jsonl, Fields};
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("pages.jsonl");
/// std::fs::write(&path, "{\"id\": \"a\", \"text\": \"x y\", \"gold\": \"x\", \"domain\": \"a.org\"}\n")?;
/// let pages = read_jsonl(&path, &Fields::default())?;
/// assert_eq!(pages.pages[0].name, "a");
/// assert_eq!(pages.pages[0].site.as_deref(), Some("a.org"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_jsonl(path: &Path, fields: &Fields) -> Result<Pages, Error> {
    let (name, opened) = if path.as_os_str() == "-" {
        (Path::new("<stdin>"), crate::compress::open_stdin())
    } else {
        (path, crate::compress::open(path))
    };
    let (_, r) = opened.map_err(|e| file_error(name, e))?;
    Ok(Pages {
        pages: read_jsonl_from(r, name, fields)?,
        ..Pages::default()
    })
}

/// Reads JSONL records from `reader` (already decompressed), naming `path`
/// in errors.
pub fn read_jsonl_from<R: Read>(
    reader: R,
    path: &Path,
    fields: &Fields,
) -> Result<Vec<Page>, Error> {
    let mut r = BufReader::with_capacity(1 << 16, reader);
    let mut buf = Vec::new();
    let mut pages = Vec::new();
    let mut line = 0u64;
    // Bytes read before the line being read: where a broken stream broke.
    let mut offset = 0u64;
    loop {
        buf.clear();
        let n = r.read_until(b'\n', &mut buf).map_err(|e| {
            let at = offset + buf.len() as u64;
            let message = format!("at byte {at} of the decompressed stream: {e}");
            file_error(path, std::io::Error::new(e.kind(), message))
        })?;
        if n == 0 {
            break;
        }
        offset += n as u64;
        line += 1;
        // A byte order mark before the first record, as `clean` reads it.
        let start = if line == 1 && buf.starts_with(BOM) {
            BOM.len()
        } else {
            0
        };
        let record_bytes = buf.strip_suffix(b"\n").unwrap_or(&buf);
        let record_bytes = record_bytes.strip_suffix(b"\r").unwrap_or(record_bytes);
        let record_bytes = &record_bytes[start..];
        if record_bytes.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        pages.push(
            record(record_bytes, start, fields, line).map_err(|message| Error::Record {
                path: path.to_path_buf(),
                line,
                message,
            })?,
        );
    }
    Ok(pages)
}

/// One record, on line `line` from byte `at` of it (after a byte order
/// mark): the page, named by its line when it has no id.
fn record(bytes: &[u8], at: usize, fields: &Fields, line: u64) -> Result<Page, String> {
    let obj: Map<String, Value> = match serde_json::from_slice(bytes) {
        Ok(Value::Object(o)) => o,
        Ok(_) => return Err("the record is not a JSON object".into()),
        // As `clean` says it: serde_json's "at line 1 column N" would name
        // a line other than the file's.
        Err(e) => return Err(crate::format::jsonl::serde_message(&e, at)),
    };
    // Fields are looked up, not taken out: one field may be given for two
    // roles (`--text-field gold` scores the gold against itself).
    let string = |name: &str| match obj.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(format!(
            "field `{name}` is {}, not a string",
            kind_of(other)
        )),
        None => Err(format!("no field `{name}`")),
    };
    let text = string(&fields.text)?;
    let gold = string(&fields.gold)?;
    let name = match obj.get(&fields.id) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        None | Some(Value::Null) => line.to_string(),
        Some(other) => {
            return Err(format!(
                "field `{}` is {}, not a string or number",
                fields.id,
                kind_of(other)
            ))
        }
    };
    // A site field's text: none when it is missing or null, an error when
    // it is not a string.
    let site_text = |name: &str| match obj.get(name) {
        Some(Value::String(s)) => Ok(Some(Cow::Borrowed(s.as_str()))),
        None | Some(Value::Null) => Ok(None),
        Some(other) => Err(format!(
            "field `{name}` is {}, not a string",
            kind_of(other)
        )),
    };
    let site = match &fields.site {
        Some(field) => site_text(field)?.and_then(site_from_name),
        None => default_site(site_text("domain")?, || site_text("url").ok().flatten()),
    }
    .map(Cow::into_owned);
    Ok(Page {
        name,
        text,
        gold,
        site,
    })
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn file_error(path: &Path, source: std::io::Error) -> Error {
    Error::File {
        path: path.to_path_buf(),
        source,
    }
}

/// Reads two directories of text files and pairs them by relative path:
/// `output/x/y.txt` is measured against `gold/x/y.txt`. Files are read
/// through the decompressor their magic bytes call for, and as UTF-8 with
/// invalid bytes replaced; a file with a NUL byte in its first 8 KiB
/// (decompressed) is binary, as `clean` finds it, and an error naming it.
/// Files present on one side only are listed in the result, not errors; a
/// gold file without an output file is also a page, scored with an empty
/// output (a cleaner that wrote nothing for a page, as `clean --drop-empty`
/// does for a page it drops whole, kept none of its gold). Pages are named
/// by relative path (with `/`), sorted.
pub fn read_dirs(output: &Path, gold: &Path) -> Result<Pages, Error> {
    let outs = list_files(output)?;
    let golds = list_files(gold)?;
    let mut pairs = Vec::new();
    let mut only_in_output = Vec::new();
    let mut only_in_gold = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < outs.len() || j < golds.len() {
        match (outs.get(i), golds.get(j)) {
            (Some(o), Some(g)) if o.key == g.key => {
                pairs.push((o, true));
                i += 1;
                j += 1;
            }
            (Some(o), Some(g)) if o.key < g.key => {
                only_in_output.push(o.name.clone());
                i += 1;
            }
            (Some(o), None) => {
                only_in_output.push(o.name.clone());
                i += 1;
            }
            (_, Some(g)) => {
                only_in_gold.push(g.name.clone());
                pairs.push((g, false));
                j += 1;
            }
            (None, None) => unreachable!("loop condition"),
        }
    }
    let read: Vec<Result<Page, Error>> = pairs
        .par_iter()
        .map(|&(f, has_output)| {
            let text = if has_output {
                read_text(&output.join(&f.rel))?
            } else {
                String::new()
            };
            Ok(Page::new(
                f.name.clone(),
                text,
                read_text(&gold.join(&f.rel))?,
            ))
        })
        .collect();
    Ok(Pages {
        pages: read.into_iter().collect::<Result<_, _>>()?,
        only_in_output,
        only_in_gold,
    })
}

/// A file found under a directory of [`read_dirs`].
struct Listed {
    /// Its path relative to the directory, as the file system has it: a
    /// name that is not UTF-8 is read by its own bytes.
    rel: PathBuf,
    /// The relative path's bytes with `/` between components: what files
    /// are sorted and paired by.
    key: Vec<u8>,
    /// The relative path as text (with `/`), for reports.
    name: String,
}

/// The files under `root`, sorted by relative path.
fn list_files(root: &Path) -> Result<Vec<Listed>, Error> {
    let meta = std::fs::metadata(root).map_err(|e| file_error(root, e))?;
    if !meta.is_dir() {
        return Err(file_error(
            root,
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a directory"),
        ));
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(root).follow_links(true) {
        let entry = entry.map_err(|e| {
            let path = e
                .path()
                .map_or_else(|| root.to_path_buf(), Path::to_path_buf);
            // walkdir's own message repeats the path ("IO error for
            // operation on PATH: ..."); the OS error is what to say, and a
            // symbolic link that leads nowhere is named as one.
            let dangling = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_symlink())
                && std::fs::metadata(&path).is_err();
            let source = match (e.io_error(), dangling) {
                (Some(io), true) => std::io::Error::new(
                    io.kind(),
                    format!("a symbolic link to nothing that can be read: {io}"),
                ),
                (Some(io), false) => std::io::Error::new(io.kind(), io.to_string()),
                (None, _) => e.into(),
            };
            file_error(&path, source)
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel: PathBuf = entry
            .path()
            .strip_prefix(root)
            .expect("walkdir yields paths under its root")
            .to_path_buf();
        let name = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let key = rel
            .components()
            .map(|c| c.as_os_str().as_encoded_bytes())
            .collect::<Vec<_>>()
            .join(&b'/');
        files.push(Listed { rel, key, name });
    }
    files.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(files)
}

fn read_text(path: &Path) -> Result<String, Error> {
    let (_, mut r) = crate::compress::open(path).map_err(|e| file_error(path, e))?;
    let mut bytes = Vec::new();
    r.read_to_end(&mut bytes).map_err(|e| {
        // What was read before the error stays in `bytes`: where the stream
        // broke, as `clean` and the JSONL reader say it.
        let message = format!("at byte {} of the decompressed stream: {e}", bytes.len());
        file_error(path, std::io::Error::new(e.kind(), message))
    })?;
    // A file that `clean` skips as binary (UTF-16 text, an image left in the
    // folder) would be scored as the words its bytes happen to spell.
    if let Some(at) = crate::pipeline::binary_offset(&bytes) {
        return Err(file_error(
            path,
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("binary file (a NUL byte at byte {at}), not text to score"),
            ),
        ));
    }
    Ok(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &str) -> Result<Vec<Page>, Error> {
        read_jsonl_from(s.as_bytes(), Path::new("t.jsonl"), &Fields::default())
    }

    #[test]
    fn records_name_site_and_blank_lines() {
        let pages = read(concat!(
            "{\"id\": 7, \"text\": \"a\", \"gold\": \"b\", \"domain\": \"\"}\n",
            "\n",
            "{\"text\": \"c\", \"gold\": \"d\", \"domain\": \"x.org\", \"url\": \"u\"}\n",
        ))
        .unwrap();
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[0].name, "7");
        assert_eq!(pages[0].site, None);
        // No id: named by its line number (3: the blank line counts).
        assert_eq!(pages[1].name, "3");
        assert_eq!(pages[1].site.as_deref(), Some("x.org"));
        // A byte order mark before the first record is read past; one on a
        // later line is an error.
        let bom = "\u{feff}{\"text\": \"a\", \"gold\": \"b\"}\n";
        assert_eq!(read(bom).unwrap()[0].text, "a");
        let later = format!("{{\"text\": \"a\", \"gold\": \"b\"}}\n{bom}");
        assert!(read(&later)
            .unwrap_err()
            .to_string()
            .starts_with("t.jsonl:2: "));
    }

    #[test]
    fn a_broken_stream_is_reported_with_its_offset() {
        use crate::compress::{decoder, Compression, Encoder};
        let mut e = Encoder::new(Vec::new(), Compression::Gzip).unwrap();
        let record = "{\"text\": \"a\", \"gold\": \"b\"}\n";
        std::io::Write::write_all(&mut e, record.repeat(2000).as_bytes()).unwrap();
        let gz = e.finish().unwrap();
        let (_, r) = decoder(&gz[..gz.len() - 10]).unwrap();
        let err = read_jsonl_from(r, Path::new("t.jsonl.gz"), &Fields::default())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("t.jsonl.gz: at byte "), "{err}");
        assert!(err.contains(" of the decompressed stream: "), "{err}");
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let cases = [
            ("{\"text\": \"a\"}", "no field `gold`"),
            ("{\"text\": 3, \"gold\": \"a\"}", "field `text` is a number"),
            ("[1]", "not a JSON object"),
            ("{\"text\": ", "invalid JSON"),
            (
                "{\"text\": \"a\", \"gold\": \"b\", \"id\": [1]}",
                "field `id` is an array",
            ),
        ];
        for (line, want) in cases {
            let input = format!("{{\"text\": \"ok\", \"gold\": \"ok\"}}\n{line}\n");
            let err = read(&input).unwrap_err().to_string();
            assert!(err.starts_with("t.jsonl:2: "), "{err}");
            assert!(err.contains(want), "{err} lacks {want}");
        }
    }

    #[test]
    fn errors_give_the_column_in_the_file_line() {
        // serde_json counts lines within the record; the file's line is the
        // one in front, so its message must not name another.
        let cases = [
            (
                "{\"text\": \"a\", \"gold\": \"y\"",
                "invalid JSON at column 25: ",
            ),
            ("not json", "invalid JSON at column 2: expected ident"),
        ];
        for (bad, want) in cases {
            let input = format!("{{\"text\": \"ok\", \"gold\": \"ok\"}}\n{bad}\n");
            let err = read(&input).unwrap_err().to_string();
            assert!(err.starts_with("t.jsonl:2: "), "{err}");
            assert!(err.contains(want), "{err} lacks {want}");
            assert!(!err.contains(" line "), "{err}");
        }
        // Invalid UTF-8 in a string is found where the bytes are.
        let mut bytes = b"{\"text\": \"caf".to_vec();
        bytes.extend_from_slice(b"\xe9\", \"gold\": \"y\"}\r\n");
        let err = read_jsonl_from(&bytes[..], Path::new("t.jsonl"), &Fields::default())
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "t.jsonl:1: invalid JSON at column 14: invalid unicode code point"
        );
        // After a byte order mark, columns count its bytes, as `clean` does.
        let err = read("\u{feff}{\"text\": }\n").unwrap_err().to_string();
        assert!(
            err.starts_with("t.jsonl:1: invalid JSON at column 13: "),
            "{err}"
        );
    }

    #[test]
    fn one_field_can_be_text_and_gold() {
        // Scoring the gold against itself is a check that the metric gives 1.
        let fields = Fields {
            text: "gold".into(),
            ..Fields::default()
        };
        let pages = read_jsonl_from(
            &b"{\"text\": \"a\", \"gold\": \"b\", \"id\": \"gold\"}"[..],
            Path::new("t"),
            &fields,
        )
        .unwrap();
        assert_eq!((pages[0].text.as_str(), pages[0].gold.as_str()), ("b", "b"));
        assert_eq!(pages[0].name, "gold");
        let fields = Fields {
            gold: "text".into(),
            site: Some("text".into()),
            id: "text".into(),
            ..Fields::default()
        };
        let pages =
            read_jsonl_from(&b"{\"text\": \"a.org\"}"[..], Path::new("t"), &fields).unwrap();
        assert_eq!(pages[0].gold, "a.org");
        assert_eq!(pages[0].name, "a.org");
        assert_eq!(pages[0].site.as_deref(), Some("a.org"));
    }

    #[test]
    fn sites_are_those_clean_sees() {
        let pages = read(concat!(
            "{\"text\": \"a\", \"gold\": \"b\", \"domain\": \" A.org \"}\n",
            "{\"text\": \"a\", \"gold\": \"b\", \"domain\": \"https://A.org/x\"}\n",
            "{\"text\": \"a\", \"gold\": \"b\", \"url\": \"http://Www.B.org:80/p?q\"}\n",
            "{\"text\": \"a\", \"gold\": \"b\", \"domain\": \"\", \"url\": \"http://b.org/\"}\n",
            "{\"text\": \"a\", \"gold\": \"b\", \"domain\": \"c.org\", \"url\": \"http://b.org/\"}\n",
            "{\"text\": \"a\", \"gold\": \"b\", \"domain\": null}\n",
        ))
        .unwrap();
        let sites: Vec<_> = pages.iter().map(|p| p.site.as_deref()).collect();
        assert_eq!(
            sites,
            [
                Some("a.org"),
                Some("a.org"),
                Some("www.b.org"),
                Some("b.org"),
                Some("c.org"),
                None
            ]
        );
        // A field named for the site is the only place looked at.
        let fields = Fields {
            site: Some("source".into()),
            ..Fields::default()
        };
        let pages = read_jsonl_from(
            &b"{\"text\": \"a\", \"gold\": \"b\", \"source\": \"X.org\", \"domain\": \"y.org\"}\n{\"text\": \"a\", \"gold\": \"b\", \"url\": \"http://b.org/\"}"[..],
            Path::new("t"),
            &fields,
        )
        .unwrap();
        assert_eq!(pages[0].site.as_deref(), Some("x.org"));
        assert_eq!(pages[1].site, None);
    }

    #[test]
    fn other_field_names() {
        let fields = Fields {
            text: "cleaned".into(),
            gold: "reference".into(),
            ..Fields::default()
        };
        let pages = read_jsonl_from(
            &b"{\"cleaned\": \"a\", \"reference\": \"b\", \"text\": 1}"[..],
            Path::new("t"),
            &fields,
        )
        .unwrap();
        assert_eq!((pages[0].text.as_str(), pages[0].gold.as_str()), ("a", "b"));
    }
}
