//! WET: the WARC files of extracted text that Common Crawl publishes
//! (`*.warc.wet.gz`, gzip with one member per record).
//!
//! A WARC record is a version line (`WARC/1.0`), header lines up to a blank
//! line, a body of exactly `Content-Length` bytes, and a separator of two line
//! ends (`\r\n\r\n`). Each `WARC-Type: conversion` record is one document: its
//! body is the text and its site the host of `WARC-Target-URI`. When lines of
//! the body are dropped, the record is written with the new body, its
//! `Content-Length` rewritten and its `WARC-Block-Digest` and
//! `WARC-Payload-Digest` headers left out (they are hashes of the old body,
//! which in a conversion record is also its payload, and both are optional
//! in WARC 1.0 and 1.1; a wrong digest would be worse than none). Every
//! other byte of the record, and every other record (`warcinfo`, ...), is
//! copied unchanged.
//!
//! A record that does not parse (no version line, a header that never ends, a
//! `Content-Length` that is missing or given twice, runs past the end of the
//! file, or is not followed by a record boundary) is reported with its record number and byte
//! offset in the decompressed stream, and passed through as it is: reading
//! resumes at the next line that starts with `WARC/` after a blank line.
//! A UTF-8 byte order mark before the first version line is copied as it is
//! and the record after it read.
//!
//! The reader also works on a batch of a stream ([`super::records_in`]): not
//! at the end of the input, it stops before a record whose reading would
//! look past the end of the batch (a header, a body or a boundary not yet
//! complete, a search for the next record that finds none), so that a record
//! is read the same whether the input comes whole or in batches.

use std::borrow::Cow;
use std::ops::Range;
use std::path::Path;

use super::{site_from_url, Doc, Item, Splice, BOM};
use crate::error::Error;

/// The items of a WET input; see [`super::records`].
pub struct WetRecords<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Where to stop: no record starts at or after it.
    end: usize,
    /// Whether `buf` ends where the input ends.
    at_end: bool,
    number: u64,
    /// The byte offset of `buf` in the input, for messages.
    offset: u64,
    path: &'a Path,
}

impl<'a> WetRecords<'a> {
    pub(super) fn new(
        buf: &'a [u8],
        end: usize,
        at_end: bool,
        start: super::Position,
        path: &'a Path,
    ) -> WetRecords<'a> {
        WetRecords {
            buf,
            pos: 0,
            end,
            at_end,
            number: start.records,
            offset: start.offset,
            path,
        }
    }

    /// Where reading stopped, and how many records were read.
    pub(super) fn position(&self) -> (usize, u64) {
        (self.pos, self.number)
    }

    /// Reports the record starting at `start` as malformed and passes
    /// `start..end` through.
    fn malformed(&mut self, start: usize, end: usize, what: String) -> Item<'a> {
        self.pos = end;
        Item::Malformed {
            raw: &self.buf[start..end],
            error: Error::Record {
                path: self.path.to_path_buf(),
                line: self.number,
                message: format!(
                    "WARC record at byte offset {}: {what}",
                    self.offset + start as u64
                ),
            },
        }
    }
}

/// The headers of one record that the reader uses: value spans relative to
/// the record's start.
#[derive(Default)]
struct Headers {
    kind: Option<Range<usize>>,
    uri: Option<Range<usize>>,
    record_id: Option<Range<usize>>,
    length: Option<Range<usize>>,
    /// Whether `Content-Length` came more than once: readers that take the
    /// first and readers that take the last would read different records,
    /// and only one of the values would be rewritten.
    length_repeated: bool,
}

impl<'a> Iterator for WetRecords<'a> {
    type Item = Item<'a>;

    fn next(&mut self) -> Option<Item<'a>> {
        let number = self.number;
        let item = self.read();
        if item.is_none() {
            // Stopped before a record: it is counted when it is read.
            self.number = number;
        }
        item
    }
}

impl<'a> WetRecords<'a> {
    fn read(&mut self) -> Option<Item<'a>> {
        let buf = self.buf;
        let start = self.pos;
        if start >= self.end {
            return None;
        }
        // Not at the end of the input, a decision that would look past the
        // end of `buf` waits for the next batch.
        let more = !self.at_end;
        let rest = &buf[start..];
        if more && rest.len() < 5 {
            return None;
        }
        // A UTF-8 byte order mark in front of the version line, as an
        // editor may write at the start of a file: copied as it is, and the
        // record after it read. Taken wherever a record may start, not only
        // at offset 0, so that the rule needs nothing but the bytes and a
        // batch is read as the whole input is ([`super::complete_prefix`]
        // reads every batch as if from offset 0). Past the start, records
        // are read where a `WARC/` was found, so the mark hardly occurs.
        if rest.starts_with(BOM) && rest[BOM.len()..].starts_with(b"WARC/") {
            self.pos = start + BOM.len();
            return Some(Item::Verbatim(&rest[..BOM.len()]));
        }
        if !rest.starts_with(b"WARC/") {
            let end = next_record_start(buf, start);
            if more && end == buf.len() {
                return None;
            }
            let junk = &buf[start..end];
            if junk.iter().all(u8::is_ascii_whitespace) {
                self.pos = end;
                return Some(Item::Verbatim(junk));
            }
            self.number += 1;
            return Some(self.malformed(
                start,
                end,
                "expected a WARC/ version line; skipped to the next record".into(),
            ));
        }
        self.number += 1;

        // The header: lines up to the first empty one.
        let Some((h, header_end)) = read_headers(rest) else {
            if more {
                return None;
            }
            return Some(self.malformed(
                start,
                buf.len(),
                "the header never ends (truncated record)".into(),
            ));
        };

        let length = h.length.clone().and_then(|r| {
            std::str::from_utf8(&rest[r])
                .ok()
                .and_then(|s| s.parse::<usize>().ok())
        });
        let length = match length {
            Some(n) if !h.length_repeated => n,
            _ => {
                let end = next_record_start(buf, start + header_end);
                if more && end == buf.len() {
                    return None;
                }
                let what = if h.length_repeated {
                    "Content-Length given twice"
                } else {
                    "no valid Content-Length header"
                };
                return Some(self.malformed(start, end, what.into()));
            }
        };
        let body = header_end..header_end.saturating_add(length);
        if body.end > rest.len() {
            if more {
                return None;
            }
            return Some(self.malformed(
                start,
                buf.len(),
                format!(
                    "truncated: Content-Length is {length} but {} bytes follow the header",
                    rest.len() - header_end
                ),
            ));
        }

        // The separator, then the next record or the end of the input.
        let after = &rest[body.end..];
        // Nine bytes decide the boundary: `\r\n\r\n` and `WARC/`.
        if more && (after.len() < 9 || after.iter().all(u8::is_ascii_whitespace)) {
            return None;
        }
        let record_len = if after.iter().all(u8::is_ascii_whitespace) {
            rest.len()
        } else {
            let sep = if after.starts_with(b"\r\n\r\n") {
                4
            } else if after.starts_with(b"\n\n") {
                2
            } else {
                usize::MAX
            };
            if sep != usize::MAX && after[sep..].starts_with(b"WARC/") {
                body.end + sep
            } else {
                let end = next_record_start(buf, start + header_end);
                if more && end == buf.len() {
                    return None;
                }
                return Some(self.malformed(
                    start,
                    end,
                    format!(
                        "Content-Length {length} does not match the record \
                         (no record boundary after the body)"
                    ),
                ));
            }
        };
        self.pos = start + record_len;
        let raw = &rest[..record_len];

        let value = |r: &Option<Range<usize>>| {
            r.as_ref()
                .and_then(|r| std::str::from_utf8(&raw[r.clone()]).ok())
        };
        if !value(&h.kind).is_some_and(|k| k.eq_ignore_ascii_case("conversion")) {
            return Some(Item::Verbatim(raw));
        }
        let uri = value(&h.uri);
        Some(Item::Doc(Doc {
            text: Cow::Borrowed(&raw[body.clone()]),
            site: uri.map(Cow::Borrowed).and_then(site_from_url),
            label: uri.or_else(|| value(&h.record_id)).map(Cow::Borrowed),
            number: self.number,
            raw,
            splice: Splice::Wet {
                length: h.length.expect("checked above"),
                body,
            },
        }))
    }
}

/// The length of the record at the start of `buf` up to the end of its body
/// (without the separator), when its header is complete and has a valid
/// `Content-Length`: how far a record too long to hold reaches.
pub(crate) fn record_extent(buf: &[u8]) -> Option<u64> {
    if !buf.starts_with(b"WARC/") {
        return None;
    }
    let (h, header_end) = read_headers(buf)?;
    if h.length_repeated {
        return None;
    }
    let length: u64 = std::str::from_utf8(&buf[h.length?]).ok()?.parse().ok()?;
    Some(header_end as u64 + length)
}

/// The header lines at the start of `buf` (a record's, after its version
/// line is checked) up to the first empty line, and where that empty line
/// ends; `None` when `buf` ends before it.
fn read_headers(buf: &[u8]) -> Option<(Headers, usize)> {
    let mut h = Headers::default();
    for line in crate::line::lines(buf) {
        if line.end == line.content_end {
            // The buffer ends inside the header.
            return None;
        }
        if line.content_end == line.start {
            return Some((h, line.end));
        }
        read_header(buf, line.start..line.content_end, &mut h);
    }
    None
}

/// Where the next record starts in `buf` (a `WARC/` at the start of a line
/// after a blank line), if it does: for passing a record too long to hold
/// through up to the next one.
pub(crate) fn find_record_start(buf: &[u8]) -> Option<usize> {
    let at = next_record_start(buf, 0);
    (at < buf.len()).then_some(at)
}

/// Notes the header line `line` (without its line end) of `rec` in `h` if
/// it is one the reader uses.
fn read_header(rec: &[u8], line: Range<usize>, h: &mut Headers) {
    let Some((name, value)) = split_header(rec, line) else {
        return;
    };
    let name = &rec[name];
    let slot = if name.eq_ignore_ascii_case(b"WARC-Type") {
        &mut h.kind
    } else if name.eq_ignore_ascii_case(b"WARC-Target-URI") {
        &mut h.uri
    } else if name.eq_ignore_ascii_case(b"WARC-Record-ID") {
        &mut h.record_id
    } else if name.eq_ignore_ascii_case(b"Content-Length") {
        h.length_repeated |= h.length.is_some();
        &mut h.length
    } else {
        return;
    };
    *slot = Some(value);
}

/// The spans in `rec` of the name and the value of the header line `line`
/// (without its line end), both trimmed; `None` without a colon.
fn split_header(rec: &[u8], line: Range<usize>) -> Option<(Range<usize>, Range<usize>)> {
    let text = &rec[line.clone()];
    let colon = memchr::memchr(b':', text)?;
    let at = |r: Range<usize>| line.start + r.start..line.start + r.end;
    Some((
        at(trim(text, 0..colon)),
        at(trim(text, colon + 1..text.len())),
    ))
}

/// Whether the header line `line` of `rec` is a digest of the record's
/// block or payload, which a new body makes wrong.
fn is_digest(rec: &[u8], line: Range<usize>) -> bool {
    split_header(rec, line).is_some_and(|(name, _)| {
        let name = &rec[name];
        name.eq_ignore_ascii_case(b"WARC-Block-Digest")
            || name.eq_ignore_ascii_case(b"WARC-Payload-Digest")
    })
}

fn trim(text: &[u8], mut r: Range<usize>) -> Range<usize> {
    while r.start < r.end && matches!(text[r.start], b' ' | b'\t') {
        r.start += 1;
    }
    while r.end > r.start && matches!(text[r.end - 1], b' ' | b'\t') {
        r.end -= 1;
    }
    r
}

/// Where the next record after `from` starts: a `WARC/` at the start of a
/// line that follows a blank line; the end of `buf` if there is none.
fn next_record_start(buf: &[u8], from: usize) -> usize {
    let hay = &buf[from..];
    let crlf = memchr::memmem::find(hay, b"\n\r\nWARC/").map(|i| i + 3);
    let lf = memchr::memmem::find(hay, b"\n\nWARC/").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => from + a.min(b),
        (Some(a), None) | (None, Some(a)) => from + a,
        (None, None) => buf.len(),
    }
}

/// Appends the record `raw` with its body (at `body`) replaced by `cleaned`,
/// the `Content-Length` value (at `length`) rewritten and every digest line
/// ([`is_digest`]) left out. The header is walked again here, for records
/// that changed only, rather than each digest line noted for every record.
pub(super) fn write_record(
    raw: &[u8],
    length: &Range<usize>,
    body: &Range<usize>,
    cleaned: &[u8],
    out: &mut Vec<u8>,
) {
    let header = &raw[..body.start];
    let mut at = 0;
    for line in crate::line::lines(header) {
        if length.start >= line.start && length.end <= line.content_end {
            out.extend_from_slice(&raw[at..length.start]);
            out.extend_from_slice(cleaned.len().to_string().as_bytes());
            at = length.end;
        } else if is_digest(header, line.start..line.content_end) {
            out.extend_from_slice(&raw[at..line.start]);
            at = line.end;
        }
    }
    out.extend_from_slice(&raw[at..body.start]);
    out.extend_from_slice(cleaned);
    out.extend_from_slice(&raw[body.end..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{records, Format, FormatOptions};

    fn record(kind: &str, uri: &str, body: &str) -> String {
        format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\n\
             WARC-Block-Digest: sha1:XYZ\r\nContent-Type: text/plain\r\n\
             Content-Length: {}\r\n\r\n{body}\r\n\r\n",
            body.len()
        )
    }

    /// The first record of `buf` written back with the text `kept`.
    fn cleaned(buf: &str, kept: &[u8]) -> Vec<u8> {
        let o = FormatOptions::default();
        let Some(Item::Doc(d)) =
            records(Format::Wet, buf.as_bytes(), "x".as_ref(), None, &o).next()
        else {
            panic!("a conversion record")
        };
        let mut out = Vec::new();
        d.write_cleaned(kept, &mut out);
        out
    }

    fn items(buf: &str) -> Vec<String> {
        let o = FormatOptions::default();
        records(Format::Wet, buf.as_bytes(), "x.wet".as_ref(), None, &o)
            .map(|it| match it {
                Item::Doc(d) => format!(
                    "doc {} {:?} {:?}",
                    d.number,
                    String::from_utf8_lossy(&d.text),
                    d.site
                ),
                Item::Verbatim(v) => format!("verbatim {}", v.len()),
                Item::Malformed { raw, error } => format!("bad {} {error}", raw.len()),
                Item::NoText { .. } => unreachable!(),
            })
            .collect()
    }

    #[test]
    fn reads_conversion_records_as_documents() {
        let info = record("warcinfo", "", "software: x\r\n");
        let a = record("conversion", "https://A.example/p", "Title\nBody é\n");
        let b = record("conversion", "http://b.example/", "");
        let all = format!("{info}{a}{b}");
        assert_eq!(
            items(&all),
            vec![
                format!("verbatim {}", info.len()),
                "doc 2 \"Title\\nBody é\\n\" Some(\"a.example\")".to_string(),
                "doc 3 \"\" Some(\"b.example\")".to_string(),
            ]
        );
        // Items cover the input exactly.
        let o = FormatOptions::default();
        let mut back = Vec::new();
        for it in records(Format::Wet, all.as_bytes(), "x".as_ref(), None, &o) {
            match it {
                Item::Doc(d) => back.extend_from_slice(d.raw),
                Item::Verbatim(v) => back.extend_from_slice(v),
                _ => unreachable!(),
            }
        }
        assert_eq!(back, all.as_bytes());
    }

    #[test]
    fn a_byte_order_mark_before_the_first_record_is_kept_and_read_past() {
        let a = record("conversion", "https://a.example/p", "Body\n");
        let b = record("conversion", "https://b.example/p", "More\n");
        let all = format!("\u{feff}{a}{b}");
        assert_eq!(
            items(&all),
            [
                "verbatim 3",
                "doc 1 \"Body\\n\" Some(\"a.example\")",
                "doc 2 \"More\\n\" Some(\"b.example\")",
            ]
        );
        // In batches, the mark is decided on once the version line is in,
        // and the record after it as without the mark.
        for (cut, want) in [
            (2, (0, 0)),
            (7, (0, 0)),
            (8, (3, 0)),
            (3 + a.len() + 4, (3, 0)),
            (3 + a.len() + 9, (3 + a.len(), 1)),
        ] {
            let batch = &all.as_bytes()[..cut];
            assert_eq!(
                crate::format::complete_prefix(Format::Wet, batch, false),
                want,
                "{cut}"
            );
        }
        // A mark that is not before a version line is junk, as before.
        assert!(items(&format!("\u{feff}x\n\n{a}"))[0].starts_with("bad 6 "));
    }

    #[test]
    fn rewrites_length_and_drops_digest() {
        let a = record("conversion", "https://a.example/", "Keep\nDrop\n");
        let out = cleaned(&a, b"Keep\n");
        let want = "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: https://a.example/\r\n\
             Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nKeep\n\r\n\r\n";
        assert_eq!(String::from_utf8(out).unwrap(), want);
    }

    #[test]
    fn a_new_body_drops_every_digest_of_the_old_one() {
        // LF line ends, a payload digest, the block digest twice and in
        // another case: no digest of the old body is left.
        let a = "WARC/1.0\nWARC-Type: conversion\nWARC-Block-Digest: sha1:A\n\
                 warc-payload-digest:sha1:B\nContent-Length: 10\n\
                 WARC-BLOCK-DIGEST : sha1:C\nWARC-Refers-To: <urn:x>\n\nKeep\nDrop\n\n\n";
        let out = cleaned(a, b"Keep\n");
        let want = "WARC/1.0\nWARC-Type: conversion\nContent-Length: 5\n\
                    WARC-Refers-To: <urn:x>\n\nKeep\n\n\n";
        assert_eq!(String::from_utf8(out).unwrap(), want);
    }

    #[test]
    fn reports_wrong_lengths_and_resyncs() {
        let a = record("conversion", "https://a.example/", "Body\n");
        let too_long = a.replace("Content-Length: 5", "Content-Length: 9");
        let too_short = a.replace("Content-Length: 5", "Content-Length: 2");
        let c = record("conversion", "https://c.example/", "C\n");
        for bad in [&too_long, &too_short] {
            let got = items(&format!("{bad}{c}"));
            assert_eq!(got.len(), 2, "{got:?}");
            assert!(
                got[0].starts_with(&format!(
                    "bad {} x.wet:1: WARC record at byte offset 0: Content-Length",
                    bad.len()
                )),
                "{got:?}"
            );
            assert_eq!(got[1], "doc 2 \"C\\n\" Some(\"c.example\")");
        }
        // Truncated at the end of the file: what there is passes through.
        let cut = &c[..c.len() - 6];
        let got = items(&format!("{a}{cut}"));
        assert_eq!(got[0], "doc 1 \"Body\\n\" Some(\"a.example\")");
        assert!(
            got[1].starts_with(&format!(
                "bad {} x.wet:2: WARC record at byte offset {}: truncated",
                cut.len(),
                a.len()
            )),
            "{got:?}"
        );
        // Two Content-Length headers, even equal ones: reported, passed
        // through up to the next record.
        let twice = a.replace(
            "Content-Length: 5",
            "Content-Length: 5\r\nContent-Length: 5",
        );
        let got = items(&format!("{twice}{c}"));
        assert_eq!(
            got[0],
            format!(
                "bad {} x.wet:1: WARC record at byte offset 0: Content-Length given twice",
                twice.len()
            )
        );
        assert_eq!(got[1], "doc 2 \"C\\n\" Some(\"c.example\")");
        assert_eq!(record_extent(twice.as_bytes()), None);
        assert_eq!(record_extent(a.as_bytes()), Some(a.len() as u64 - 4));
        // Junk before the first record, and a header that never ends.
        let got = items(&format!("junk\n\n{c}WARC/1.0\r\nWARC-Type: x"));
        assert!(got[0].starts_with("bad 6 x.wet:1: WARC record at byte offset 0: expected"));
        assert_eq!(got[1], "doc 2 \"C\\n\" Some(\"c.example\")");
        assert!(got[2].contains("header never ends"), "{got:?}");
    }

    #[test]
    fn accepts_lf_only_separators_and_trailing_newlines() {
        let a = "WARC/1.0\nWARC-Type: conversion\nContent-Length: 2\n\nA\n\n\nWARC/1.0\nWARC-Type: conversion\nContent-Length: 2\n\nB\n\n\n\n";
        assert_eq!(
            items(a),
            vec![
                "doc 1 \"A\\n\" None".to_string(),
                "doc 2 \"B\\n\" None".to_string()
            ]
        );
    }
}
