//! Formats: how an input's bytes become documents, and how a cleaned document
//! is written back in the same format.
//!
//! This stage sits between the inputs ([`crate::input`]) and the cleaner. A
//! (decompressed) input, whole or a batch of it ([`crate::batch`]), is held
//! in memory; [`records`] ([`records_in`] for a batch) walks it and yields
//! [`Item`]s in file order; [`complete_prefix`] says where a batch of whole
//! records ends. Every byte of the input belongs to exactly
//! one item, so writing each item back (a [`Doc`] either unchanged or through
//! [`Doc::write_cleaned`]) reproduces the file's layout:
//!
//! - [`Format::Text`]: the whole file is one document ([`text`]).
//! - [`Format::Jsonl`]: one JSON object a line, the text in one field
//!   ([`jsonl`]); every other byte of the line is kept as it was.
//! - [`Format::Wet`]: Common Crawl WET files, one document per `conversion`
//!   record ([`wet`]); other records are copied.
//!
//! Records that cannot be read (a malformed JSONL line, a WET record whose
//! `Content-Length` is wrong) are [`Item::Malformed`]: the caller reports the
//! error and copies the bytes through unchanged.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::str::FromStr;

use crate::error::Error;

pub mod jsonl;
pub mod text;
pub mod wet;

/// The format of an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Plain text: one document a file.
    Text,
    /// JSON Lines: one document a line, its text in a field.
    Jsonl,
    /// WARC WET (Common Crawl's extracted text): one document a `conversion` record.
    Wet,
}

impl Format {
    /// The format a file name suggests, looking under a compression suffix
    /// (`.gz`, `.zst`, `.zstd`): `.jsonl`, `.ndjson` and `.json` are JSONL,
    /// `.wet` (as in `.warc.wet`) is WET, anything else is text.
    ///
    /// ```
    /// use boilerstrip::format::Format;
    /// assert_eq!(Format::from_file_name("shard-00.jsonl.gz"), Format::Jsonl);
    /// assert_eq!(Format::from_file_name("CC-MAIN-1.warc.wet.gz"), Format::Wet);
    /// assert_eq!(Format::from_file_name("page.txt"), Format::Text);
    /// ```
    pub fn from_file_name(name: &str) -> Format {
        let lower = name.to_ascii_lowercase();
        let base = [".gz", ".zst", ".zstd"]
            .iter()
            .find_map(|s| lower.strip_suffix(s))
            .unwrap_or(&lower);
        if base.ends_with(".jsonl") || base.ends_with(".ndjson") || base.ends_with(".json") {
            Format::Jsonl
        } else if base.ends_with(".wet") {
            Format::Wet
        } else {
            Format::Text
        }
    }

    /// The format's name as `--format` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Jsonl => "jsonl",
            Format::Wet => "wet",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Format, Error> {
        match s {
            "text" | "txt" => Ok(Format::Text),
            "jsonl" | "ndjson" | "json" => Ok(Format::Jsonl),
            "wet" | "warc" => Ok(Format::Wet),
            _ => Err(Error::Setting {
                name: "format",
                message: format!("unknown format {s:?} (expected text, jsonl or wet)"),
            }),
        }
    }
}

/// The UTF-8 byte order mark, which the JSONL and WET readers read past at
/// the start of an input (and keep in the output).
pub(crate) const BOM: &[u8] = b"\xef\xbb\xbf";

/// Settings of the readers.
#[derive(Clone, Debug)]
pub struct FormatOptions {
    /// The JSONL field that holds the text. By default, `text`.
    pub text_field: String,
    /// The JSONL field that names a document's site. By default (`None`),
    /// `domain` if the record has it, else the host of `url`. A value that
    /// looks like a URL (has `://`) stands for its host.
    pub group_field: Option<String>,
}

impl Default for FormatOptions {
    fn default() -> FormatOptions {
        FormatOptions {
            text_field: "text".to_string(),
            group_field: None,
        }
    }
}

/// One piece of an input, in file order.
#[derive(Debug)]
pub enum Item<'a> {
    /// Bytes that are not a document (a WET `warcinfo` record, a blank JSONL
    /// line): copied to the output as they are.
    Verbatim(&'a [u8]),
    /// A record that could not be read: reported, and copied through
    /// unchanged.
    Malformed {
        /// The record's bytes.
        raw: &'a [u8],
        /// What is wrong, with the path and line or record number.
        error: Error,
    },
    /// A JSONL record without a string text field: copied through unchanged.
    NoText {
        /// The record's bytes.
        raw: &'a [u8],
        /// Its 1-based line number.
        line: u64,
    },
    /// A document.
    Doc(Doc<'a>),
}

/// A document found in an input, with what is needed to write it back.
#[derive(Debug)]
pub struct Doc<'a> {
    /// The text to clean (decoded from JSON where it was escaped).
    pub text: Cow<'a, [u8]>,
    /// The site, for per-site statistics.
    pub site: Option<Cow<'a, str>>,
    /// A name for the document in `--explain` headers: the JSONL `id` or
    /// `url`, the WET target URI.
    pub label: Option<Cow<'a, str>>,
    /// The 1-based line (JSONL) or record (WET) number; 1 for a text file.
    pub number: u64,
    /// The record's bytes as they are in the input.
    pub raw: &'a [u8],
    splice: Splice,
}

/// Where the text sits in `raw`, and what else changes with it.
#[derive(Clone, Debug)]
enum Splice {
    /// `raw` is the text.
    Whole,
    /// The text is the JSON string at this span of `raw` (quotes included),
    /// decoded: UTF-8, since a JSON string is.
    Json { value: Range<usize> },
    /// A WARC record: the span of the `Content-Length` value and of the
    /// body.
    Wet {
        length: Range<usize>,
        body: Range<usize>,
    },
}

impl Doc<'_> {
    /// The document as the cleaner sees it.
    pub fn document(&self) -> crate::Document<'_> {
        crate::Document {
            text: &self.text,
            site: self.site.as_deref(),
        }
    }

    /// Whether the record is its text and nothing else (a text file), so
    /// that the kept lines are the whole cleaned record.
    pub fn is_bare_text(&self) -> bool {
        matches!(self.splice, Splice::Whole)
    }

    /// Appends the record to `out` with its text replaced by `cleaned` (the
    /// kept lines of [`Doc::text`]). Every other byte of the record is
    /// written as it was, except what the new text makes wrong: a WET
    /// record's `Content-Length` is rewritten and its `WARC-Block-Digest`
    /// (a hash of the old body) is left out.
    pub fn write_cleaned(&self, cleaned: &[u8], out: &mut Vec<u8>) {
        match &self.splice {
            Splice::Whole => out.extend_from_slice(cleaned),
            Splice::Json { value } => {
                out.extend_from_slice(&self.raw[..value.start]);
                jsonl::write_json_string(cleaned, out);
                out.extend_from_slice(&self.raw[value.end..]);
            }
            Splice::Wet { length, body } => wet::write_record(self.raw, length, body, cleaned, out),
        }
    }

    /// [`Doc::write_cleaned`] with the lines of [`Doc::text`] at `spans`
    /// whose verdict keeps them. A JSONL text (UTF-8) is escaped line by
    /// line straight into `out`, which gives the same bytes as escaping the
    /// kept lines put together, without putting them together and checking
    /// them as UTF-8 again (2 % of a run's instructions); other formats
    /// gather them in `kept` first.
    pub(crate) fn write_kept(
        &self,
        spans: &[crate::line::LineSpan],
        verdicts: &[crate::Verdict],
        kept: &mut Vec<u8>,
        out: &mut Vec<u8>,
    ) {
        match &self.splice {
            Splice::Json { value } => {
                let lines = spans.iter().zip(verdicts).filter(|(_, v)| v.keep);
                out.extend_from_slice(&self.raw[..value.start]);
                out.push(b'"');
                for (span, _) in lines {
                    jsonl::escape_line(span.whole(&self.text), span.content_end - span.start, out);
                }
                out.push(b'"');
                out.extend_from_slice(&self.raw[value.end..]);
            }
            _ => {
                kept.clear();
                crate::cleaner::write_kept_at(&self.text, spans.iter().copied(), verdicts, kept);
                self.write_cleaned(kept, out);
            }
        }
    }
}

/// Iterator over the [`Item`]s of one input; see [`records`].
pub struct Records<'a> {
    inner: Inner<'a>,
}

enum Inner<'a> {
    Text(text::TextRecords<'a>),
    Jsonl(jsonl::JsonlRecords<'a>),
    Wet(wet::WetRecords<'a>),
}

impl<'a> Iterator for Records<'a> {
    type Item = Item<'a>;
    fn next(&mut self) -> Option<Item<'a>> {
        match &mut self.inner {
            Inner::Text(r) => r.next(),
            Inner::Jsonl(r) => r.next(),
            Inner::Wet(r) => r.next(),
        }
    }
}

/// Where a batch starts in its input: how many records (JSONL lines, WET
/// records) come before it, and its byte offset in the decompressed input.
/// Record numbers and offsets in messages count from here.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Position {
    /// Records before the batch.
    pub records: u64,
    /// The batch's byte offset in the (decompressed) input.
    pub offset: u64,
}

/// The length of the longest prefix of `buf` made of whole records, and how
/// many records it holds, for an input of format `format` of which `buf` is
/// a part starting at a record boundary. `at_end` says that `buf` runs to the
/// end of the input: then the prefix is all of `buf`.
///
/// The prefix is such that [`records_in`] reads it the same as it would the
/// whole input: a JSONL prefix ends after a line end; a WET prefix ends
/// before the first record whose reading looks past the end of `buf`. A text
/// input is one record, whole only at the end.
///
/// ```
/// use boilerstrip::format::{complete_prefix, Format};
/// assert_eq!(complete_prefix(Format::Jsonl, b"{}\n{}\n{\"te", false), (6, 2));
/// assert_eq!(complete_prefix(Format::Jsonl, b"{}\n{}\n{\"te", true), (10, 3));
/// assert_eq!(complete_prefix(Format::Text, b"a page", false), (0, 0));
/// ```
pub fn complete_prefix(format: Format, buf: &[u8], at_end: bool) -> (usize, u64) {
    match format {
        Format::Text if at_end => (buf.len(), 1),
        Format::Text => (0, 0),
        Format::Jsonl => {
            let end = if at_end {
                buf.len()
            } else {
                memchr::memrchr(b'\n', buf).map_or(0, |i| i + 1)
            };
            let mut lines = memchr::memchr_iter(b'\n', &buf[..end]).count() as u64;
            if end > 0 && buf[end - 1] != b'\n' {
                lines += 1;
            }
            (end, lines)
        }
        Format::Wet => {
            let mut r =
                wet::WetRecords::new(buf, buf.len(), at_end, Position::default(), Path::new(""));
            for _ in r.by_ref() {}
            r.position()
        }
    }
}

/// The items of `buf`, an input of format `format` read from `path` (used in
/// messages). `site` is the site of a text input (its folder's name).
///
/// ```
/// use boilerstrip::format::{records, Format, FormatOptions, Item};
/// let buf = b"{\"id\":1,\"text\":\"a\\nb\",\"url\":\"https://Example.org/x\"}\n";
/// let opts = FormatOptions::default();
/// let items: Vec<Item> = records(Format::Jsonl, buf, "x.jsonl".as_ref(), None, &opts).collect();
/// let Item::Doc(doc) = &items[0] else { panic!() };
/// assert_eq!(&*doc.text, b"a\nb");
/// assert_eq!(doc.site.as_deref(), Some("example.org"));
/// let mut out = Vec::new();
/// doc.write_cleaned(b"b", &mut out);
/// assert_eq!(out, b"{\"id\":1,\"text\":\"b\",\"url\":\"https://Example.org/x\"}\n");
/// ```
pub fn records<'a>(
    format: Format,
    buf: &'a [u8],
    path: &'a Path,
    site: Option<&'a str>,
    opts: &'a FormatOptions,
) -> Records<'a> {
    records_in(
        format,
        buf,
        buf.len(),
        true,
        Position::default(),
        path,
        site,
        opts,
    )
}

/// The items of a batch of an input: `buf[..end]` holds whole records (see
/// [`complete_prefix`], which gave `end` for this `buf` and `at_end`), and
/// the batch starts at `start` in the input. `buf[end..]` is the start of
/// the next batch, which a WET reader may look at to find where a record
/// ends, exactly as [`complete_prefix`] did.
#[allow(clippy::too_many_arguments)]
pub fn records_in<'a>(
    format: Format,
    buf: &'a [u8],
    end: usize,
    at_end: bool,
    start: Position,
    path: &'a Path,
    site: Option<&'a str>,
    opts: &'a FormatOptions,
) -> Records<'a> {
    let inner = match format {
        Format::Text => Inner::Text(text::TextRecords::new(&buf[..end], site)),
        Format::Jsonl => Inner::Jsonl(jsonl::JsonlRecords::new(&buf[..end], start, path, opts)),
        Format::Wet => Inner::Wet(wet::WetRecords::new(buf, end, at_end, start, path)),
    };
    Records { inner }
}

/// The host of a URL: between `scheme://` (or the start) and the first `/`,
/// `?` or `#`, without user info or port. `None` if that is empty.
///
/// ```
/// use boilerstrip::format::url_host;
/// assert_eq!(url_host("https://user@www.example.org:8080/a?b"), Some("www.example.org"));
/// assert_eq!(url_host("http://[::1]:80/"), Some("[::1]"));
/// assert_eq!(url_host("example.org/page"), Some("example.org"));
/// assert_eq!(url_host("/relative"), None);
/// ```
pub fn url_host(url: &str) -> Option<&str> {
    let url = url.trim();
    let rest = match url.find("://") {
        Some(i) => &url[i + 3..],
        None => url,
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host_port = match authority.rfind('@') {
        Some(i) => &authority[i + 1..],
        None => authority,
    };
    let host = if host_port.starts_with('[') {
        // An IPv6 literal: the port, if any, follows the bracket.
        match host_port.find(']') {
            Some(i) => &host_port[..=i],
            None => host_port,
        }
    } else {
        match host_port.rfind(':') {
            Some(i) => &host_port[..i],
            None => host_port,
        }
    };
    (!host.is_empty()).then_some(host)
}

/// The site of a URL: its host, lower-cased (borrowed when it already is).
pub(crate) fn site_from_url(url: Cow<'_, str>) -> Option<Cow<'_, str>> {
    match url {
        Cow::Borrowed(s) => url_host(s).map(|h| lower(Cow::Borrowed(h))),
        Cow::Owned(s) => url_host(&s).map(|h| lower(Cow::Owned(h.to_string()))),
    }
}

/// A record's site when no field is named for it (`clean`'s default, and
/// `eval`'s and `train`'s): what its `domain` names, else the host of its
/// `url`.
pub(crate) fn default_site<'a>(
    domain: Option<Cow<'a, str>>,
    url: impl FnOnce() -> Option<Cow<'a, str>>,
) -> Option<Cow<'a, str>> {
    domain
        .and_then(site_from_name)
        .or_else(|| url().and_then(site_from_url))
}

/// The site that a field names: a URL stands for its host, anything else
/// for itself, trimmed and lower-cased.
pub(crate) fn site_from_name(value: Cow<'_, str>) -> Option<Cow<'_, str>> {
    if value.contains("://") {
        return site_from_url(value);
    }
    let v = match value {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
        Cow::Owned(s) if s.trim().len() == s.len() => Cow::Owned(s),
        Cow::Owned(s) => Cow::Owned(s.trim().to_string()),
    };
    (!v.is_empty()).then(|| lower(v))
}

fn lower(s: Cow<'_, str>) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_from_names_looks_under_compression() {
        assert_eq!(Format::from_file_name("a.NDJSON.zst"), Format::Jsonl);
        assert_eq!(Format::from_file_name("a.json"), Format::Jsonl);
        assert_eq!(Format::from_file_name("a.wet"), Format::Wet);
        assert_eq!(Format::from_file_name("a.txt.gz"), Format::Text);
        assert_eq!(Format::from_file_name("jsonl"), Format::Text);
        assert_eq!("wet".parse::<Format>().unwrap(), Format::Wet);
        assert!("xml".parse::<Format>().is_err());
    }

    #[test]
    fn sites_are_lowercase_hosts() {
        assert_eq!(
            site_from_url(Cow::Borrowed("HTTPS://News.Example.org/a")).as_deref(),
            Some("news.example.org")
        );
        assert_eq!(
            site_from_name(Cow::Borrowed("example.org")),
            Some(Cow::Borrowed("example.org"))
        );
        assert_eq!(
            site_from_name(Cow::Borrowed("http://Example.org/x")).as_deref(),
            Some("example.org")
        );
        assert_eq!(site_from_name(Cow::Borrowed("  ")), None);
        assert_eq!(url_host("https:///path"), None);
    }
}
