//! JSON Lines: one JSON object a line, the document's text in one string
//! field (`--text-field`, `text` by default).
//!
//! A cleaned record must keep every other field exactly as it was: key order,
//! number spelling, escapes, whitespace. So the object is never parsed into a
//! value and serialised again. Instead a small scanner (`scan_members`)
//! finds the byte span of each top-level member's value, only the text value
//! is decoded, and the cleaned text, JSON-encoded, is spliced into the same
//! span. A record from which no line was dropped is written back byte for
//! byte.
//!
//! Every line is validated as `serde_json` would validate it, in the same
//! walk that finds the members (`scan_valid`); a line that walk is not sure
//! of goes to `serde_json`, whose verdict and message count. A line that is not valid
//! JSON, or not an object, or whose text is not valid Unicode (a lone
//! surrogate escape) is reported as `path:LINE: message` and **passed through
//! unchanged**: cleaning never loses a record. A record without a string text
//! field is passed through unchanged too (and counted). Blank lines are copied.
//! A UTF-8 byte order mark at the start of the input (which some Windows
//! tools write, and which JSON does not allow) is read past, as
//! `serde_json` does not; it stays in the output in front of the first
//! record.
//! If a key occurs twice, the last one counts, as in most JSON readers.

use std::borrow::Cow;
use std::ops::Range;
use std::path::Path;

use serde::de::IgnoredAny;

use super::{default_site, site_from_name, Doc, FormatOptions, Item, Position, Splice, BOM};
use crate::error::Error;

/// The items of a JSONL input; see [`super::records`].
pub struct JsonlRecords<'a> {
    buf: &'a [u8],
    pos: usize,
    line: u64,
    /// Whether the next record is the first of the input, which may start
    /// with a byte order mark.
    at_start: bool,
    path: &'a Path,
    opts: &'a FormatOptions,
}

impl<'a> JsonlRecords<'a> {
    /// The records of `buf`, which starts at `start` in the input: its
    /// first line is the input's line `start.records + 1`.
    pub(super) fn new(
        buf: &'a [u8],
        start: Position,
        path: &'a Path,
        opts: &'a FormatOptions,
    ) -> JsonlRecords<'a> {
        JsonlRecords {
            buf,
            pos: 0,
            line: start.records,
            at_start: start.offset == 0,
            path,
            opts,
        }
    }

    fn malformed(&self, raw: &'a [u8], message: String) -> Item<'a> {
        Item::Malformed {
            raw,
            error: Error::Record {
                path: self.path.to_path_buf(),
                line: self.line,
                message,
            },
        }
    }
}

impl<'a> Iterator for JsonlRecords<'a> {
    type Item = Item<'a>;

    fn next(&mut self) -> Option<Item<'a>> {
        let buf = self.buf;
        if self.pos >= buf.len() {
            return None;
        }
        let start = self.pos;
        let end = memchr::memchr(b'\n', &buf[start..]).map_or(buf.len(), |i| start + i + 1);
        self.pos = end;
        self.line += 1;
        let raw = &buf[start..end];
        let mut content = raw.strip_suffix(b"\n").unwrap_or(raw);
        content = content.strip_suffix(b"\r").unwrap_or(content);
        // Where `content`, to which the members' spans are relative, starts
        // in `raw`: after a byte order mark, if any.
        let mut at = 0;
        if std::mem::take(&mut self.at_start) {
            if let Some(rest) = content.strip_prefix(BOM) {
                content = rest;
                at = BOM.len();
            }
        }
        if content.iter().all(u8::is_ascii_whitespace) {
            return Some(Item::Verbatim(raw));
        }
        let mut w = Wanted::default();
        let scanned = scan_valid(content, |m| self.want(content, m, &mut w));
        if scanned.is_err() {
            // Not valid as far as the fast scanner can tell: serde_json
            // decides, and says what is wrong.
            if let Err(e) = serde_json::from_slice::<IgnoredAny>(content) {
                return Some(self.malformed(raw, serde_message(&e, at)));
            }
            w = Wanted::default();
            if let Err(message) = scan_members(content, |m| self.want(content, m, &mut w)) {
                return Some(self.malformed(raw, message));
            }
        }
        Some(match self.record(raw, at, content, w) {
            Ok(item) => item,
            Err(message) => self.malformed(raw, message),
        })
    }
}

/// The members of one record that the reader looks at.
#[derive(Default)]
struct Wanted {
    text: Option<Member>,
    group: Option<Member>,
    domain: Option<Member>,
    url: Option<Member>,
    id: Option<Member>,
}

impl<'a> JsonlRecords<'a> {
    /// Notes the member `m` of the record `content` in `w` if the reader
    /// looks at it.
    fn want(&self, content: &[u8], m: &Member, w: &mut Wanted) {
        let opts = self.opts;
        let is = |name: &str| key_is(content, &m.key, m.key_escaped, name);
        if is(&opts.text_field) {
            w.text = Some(m.clone());
        }
        match &opts.group_field {
            Some(g) if is(g) => w.group = Some(m.clone()),
            Some(_) => {}
            None if is("domain") => w.domain = Some(m.clone()),
            None => {}
        }
        if is("url") {
            w.url = Some(m.clone());
        }
        if is("id") {
            w.id = Some(m.clone());
        }
    }

    /// The item of a valid JSON object `content`, at `at` in the record
    /// `raw`, whose wanted members are `w`.
    fn record(
        &self,
        raw: &'a [u8],
        at: usize,
        content: &'a [u8],
        w: Wanted,
    ) -> Result<Item<'a>, String> {
        let opts = self.opts;
        let text = match &w.text {
            Some(
                m @ Member {
                    kind: Kind::String { .. },
                    ..
                },
            ) => m,
            _ => {
                return Ok(Item::NoText {
                    raw,
                    line: self.line,
                })
            }
        };
        let decoded = decode(content, text).map_err(|e| {
            // Columns in the record's line, counted as serde_json's are:
            // from 1, in bytes.
            let value = at + text.value.start;
            let e = match e {
                Decode::Utf8 { at: bad } => format!("invalid UTF-8 at column {}", value + bad + 1),
                Decode::Json(e) => serde_message(&e, value),
                Decode::NotAString => "not a string".to_string(),
            };
            format!("field {:?}: {e}", opts.text_field)
        })?;
        let text_bytes = match decoded {
            Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
            Cow::Owned(s) => Cow::Owned(s.into_bytes()),
        };
        // A site or label that does not decode is not worth failing the
        // record over: the document is cleaned without it.
        let site = if opts.group_field.is_some() {
            w.group
                .as_ref()
                .and_then(|m| value_str(content, m))
                .and_then(site_from_name)
        } else {
            default_site(
                w.domain.as_ref().and_then(|m| value_str(content, m)),
                || w.url.as_ref().and_then(|m| value_str(content, m)),
            )
        };
        let label = (w.id.as_ref())
            .and_then(|m| value_str(content, m))
            .or_else(|| w.url.as_ref().and_then(|m| value_str(content, m)));
        Ok(Item::Doc(Doc {
            text: text_bytes,
            site,
            label,
            number: self.line,
            raw,
            splice: Splice::Json {
                value: at + text.value.start..at + text.value.end,
            },
        }))
    }
}

/// serde_json's message with its position given as a column only: a JSONL
/// record is one line, whose number the caller adds. serde_json read the
/// bytes from `offset` in the line on.
pub(crate) fn serde_message(e: &serde_json::Error, offset: usize) -> String {
    let full = e.to_string();
    let msg = match full.rfind(" at line ") {
        Some(i) => &full[..i],
        None => &full,
    };
    if e.column() > 0 {
        format!("invalid JSON at column {}: {msg}", offset + e.column())
    } else {
        format!("invalid JSON: {msg}")
    }
}

/// Whether the key at `span` (quotes included) is `name`.
fn key_is(line: &[u8], span: &Range<usize>, escaped: bool, name: &str) -> bool {
    if !escaped {
        return &line[span.start + 1..span.end - 1] == name.as_bytes();
    }
    serde_json::from_slice::<String>(&line[span.clone()]).is_ok_and(|k| k == name)
}

/// Why a string member did not decode.
enum Decode {
    /// Bytes that are not UTF-8, the first at this offset in the value
    /// (its opening quote at 0).
    Utf8 { at: usize },
    /// serde_json's error, from reading the member's value alone.
    Json(serde_json::Error),
    /// Not a string.
    NotAString,
}

/// The decoded value of a string member, borrowed when it has no escapes.
fn decode<'a>(line: &'a [u8], m: &Member) -> Result<Cow<'a, str>, Decode> {
    let span = &line[m.value.clone()];
    match m.kind {
        Kind::String { escaped: false } => std::str::from_utf8(&span[1..span.len() - 1])
            .map(Cow::Borrowed)
            .map_err(|e| Decode::Utf8 {
                at: 1 + e.valid_up_to(),
            }),
        Kind::String { escaped: true } => match unescape(&span[1..span.len() - 1]) {
            Some(s) => Ok(Cow::Owned(s)),
            // A lone surrogate or bytes that are not UTF-8: serde_json says
            // what is wrong, in its words.
            None => serde_json::from_slice::<String>(span)
                .map(Cow::Owned)
                .map_err(Decode::Json),
        },
        _ => Err(Decode::NotAString),
    }
}

/// The text of a JSON string's inside (`inner`, without the quotes) that
/// `serde_json` has validated as part of a document, as
/// `serde_json::from_slice::<String>` decodes it; `None` where that would
/// fail (a lone surrogate escape, bytes that are not UTF-8) or for anything
/// unexpected, which the caller hands to `serde_json` for its message. One
/// allocation, and runs without escapes copied whole: `serde_json` was 5 % of
/// a run's instructions here.
fn unescape(inner: &[u8]) -> Option<String> {
    let mut out = Vec::with_capacity(inner.len());
    let mut i = 0;
    while let Some(n) = memchr::memchr(b'\\', &inner[i..]) {
        out.extend_from_slice(&inner[i..i + n]);
        i += n + 1;
        let c = *inner.get(i)?;
        i += 1;
        let byte = match c {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0C,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let hi = hex4(inner.get(i..i + 4)?)?;
                i += 4;
                let c = match hi {
                    0xD800..=0xDBFF => {
                        let lo = match inner.get(i..i + 6)? {
                            [b'\\', b'u', h @ ..] => hex4(h)?,
                            _ => return None,
                        };
                        if !(0xDC00..=0xDFFF).contains(&lo) {
                            return None;
                        }
                        i += 6;
                        0x1_0000 + ((u32::from(hi) - 0xD800) << 10) + (u32::from(lo) - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return None,
                    _ => u32::from(hi),
                };
                let c = char::from_u32(c)?;
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                continue;
            }
            _ => return None,
        };
        out.push(byte);
    }
    out.extend_from_slice(&inner[i..]);
    String::from_utf8(out).ok()
}

/// The value of four hex digits.
fn hex4(h: &[u8]) -> Option<u16> {
    let s = std::str::from_utf8(h).ok()?;
    if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u16::from_str_radix(s, 16).ok()
}

/// A member's value as text: a string decoded, a number, `true` or `false`
/// as written; `null`, objects and arrays have none.
fn value_str<'a>(line: &'a [u8], m: &Member) -> Option<Cow<'a, str>> {
    match m.kind {
        Kind::String { .. } => decode(line, m).ok(),
        // `null` is no value: a record whose `domain` is null has no site
        // of that name (its `url` says), as eval and train read it.
        Kind::Scalar if &line[m.value.clone()] == b"null" => None,
        Kind::Scalar => std::str::from_utf8(&line[m.value.clone()])
            .ok()
            .map(Cow::Borrowed),
        Kind::Nested => None,
    }
}

/// Appends `text` as a JSON string (serde_json's escaping: `"`, `\` and
/// control characters escaped, other characters as UTF-8). Text that is not
/// UTF-8 cannot be a JSON string: its invalid bytes become U+FFFD. (Kept
/// lines of a decoded JSON string are always UTF-8, since lines split at an
/// ASCII byte.)
pub(crate) fn write_json_string(text: &[u8], out: &mut Vec<u8>) {
    // `from_utf8` first: it checks valid text faster than the lossy
    // conversion, which walks it in chunks.
    let s = match std::str::from_utf8(text) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(text),
    };
    out.reserve(s.len() + 2);
    out.push(b'"');
    escape_into(s.as_bytes(), out);
    out.push(b'"');
}

/// Appends a line of UTF-8 text (`whole`, its content ending at
/// `content_end`, then its `\n` or `\r\n` if any) escaped as part of the
/// inside of a JSON string, as [`escape_into`] would. Most lines have
/// nothing to escape but their end: found so by `memchr2` and a check for
/// control bytes without a branch a byte ([`valid_string`]'s), they are
/// copied whole, where the word-at-a-time search of [`escape_into`] cost
/// about three instructions a byte.
pub(crate) fn escape_line(whole: &[u8], content_end: usize, out: &mut Vec<u8>) {
    let (content, end) = whole.split_at(content_end);
    if memchr::memchr2(b'"', b'\\', content).is_none() && !has_control(content) {
        out.extend_from_slice(content);
    } else {
        escape_into(content, out);
    }
    match end {
        b"\n" => out.extend_from_slice(br"\n"),
        b"\r\n" => out.extend_from_slice(br"\r\n"),
        _ => escape_into(end, out),
    }
}

/// Appends the UTF-8 text `b` escaped as the inside of a JSON string (see
/// [`write_json_string`]).
pub(crate) fn escape_into(b: &[u8], out: &mut Vec<u8>) {
    let mut start = 0;
    // From one byte that needs an escape to the next, eight bytes at a time
    // (a byte loop was 2 % of a JSONL run's instructions).
    while let Some(n) = find_special(&b[start..]) {
        let i = start + n;
        let c = b[i];
        out.extend_from_slice(&b[start..i]);
        start = i + 1;
        if ESCAPE[c as usize] == b'u' {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(c >> 4) as usize],
                HEX[(c & 15) as usize],
            ]);
        } else {
            out.extend_from_slice(&[b'\\', ESCAPE[c as usize]]);
        }
    }
    out.extend_from_slice(&b[start..]);
}

/// How [`write_json_string`] escapes each byte, as `serde_json` does: 0 for
/// none, the letter of a short escape, or `u` for `\u00XX`.
static ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = b'u';
        i += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0A] = b'n';
    t[0x0C] = b'f';
    t[0x0D] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

/// The kind of a member's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A string; `escaped` if it contains a backslash escape.
    String {
        /// Whether the string has escapes (and so must be decoded).
        escaped: bool,
    },
    /// An object or array.
    Nested,
    /// A number, `true`, `false` or `null`.
    Scalar,
}

/// One top-level member of an object: byte spans into the line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Member {
    /// The key, quotes included.
    pub key: Range<usize>,
    /// Whether the key has escapes.
    pub key_escaped: bool,
    /// The value (a string's quotes included).
    pub value: Range<usize>,
    /// What the value is.
    pub kind: Kind,
}

/// Calls `f` with each top-level member of the JSON object `line`, in order.
///
/// The scanner trusts what it skips: it is run on lines that `serde_json` has
/// already validated, so it only has to find boundaries (strings end at an
/// unescaped quote; nested values end where their brackets balance, not
/// counting brackets inside strings). It still never panics on bad input,
/// and says what it did not expect.
pub(crate) fn scan_members(line: &[u8], f: impl FnMut(&Member)) -> Result<(), String> {
    whole_object(&Trusting, line, f)
}

/// Like [`scan_members`], but validating: `Ok` only for a line that
/// `serde_json::from_slice::<IgnoredAny>` accepts too, which is a JSON
/// object (whitespace around it allowed). `Err(())` means "not sure": the
/// caller then asks `serde_json`, for its verdict and its message. So this
/// may refuse what serde_json accepts (nesting deeper than
/// [`MAX_NESTING`], a record that is not an object), never the reverse.
///
/// One walk over the line instead of two (serde_json's validation, then
/// the scanner): serde_json's walk was 5 % of a JSONL run's instructions
/// (callgrind, 12 MB of the evaluation pages).
pub(crate) fn scan_valid(line: &[u8], f: impl FnMut(&Member)) -> Result<(), ()> {
    whole_object(&Validating { depth: MAX_NESTING }, line, f)
}

/// How [`object`] reads the values of an object's members: trusting a line
/// that `serde_json` has validated, or validating it.
trait Values {
    /// What a walk that fails returns.
    type Error;
    /// The end of the string at `line[start]` (a quote), and whether it has
    /// escapes.
    fn string(&self, line: &[u8], start: usize) -> Result<(usize, bool), Self::Error>;
    /// The end of the array or object at `line[start]`.
    fn nested(&self, line: &[u8], start: usize) -> Result<usize, Self::Error>;
    /// The end of the number or literal at `line[start]`.
    fn scalar(&self, line: &[u8], start: usize) -> Result<usize, Self::Error>;
    /// The error of what the walk did not expect, `message` saying what.
    fn error(&self, message: impl FnOnce() -> String) -> Self::Error;
}

/// [`Values`] of [`scan_members`]: boundaries only, and messages.
struct Trusting;

impl Values for Trusting {
    type Error = String;

    fn string(&self, line: &[u8], start: usize) -> Result<(usize, bool), String> {
        skip_string(line, start)
    }

    fn nested(&self, line: &[u8], start: usize) -> Result<usize, String> {
        skip_nested(line, start)
    }

    fn scalar(&self, line: &[u8], start: usize) -> Result<usize, String> {
        Ok(line[start..]
            .iter()
            .position(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n'))
            .map_or(line.len(), |n| start + n))
    }

    fn error(&self, message: impl FnOnce() -> String) -> String {
        message()
    }
}

/// [`Values`] of [`scan_valid`] and of the objects [`valid_value`] meets:
/// the JSON grammar, following at most `depth` more levels of nesting.
struct Validating {
    depth: u32,
}

impl Values for Validating {
    type Error = ();

    #[inline]
    fn string(&self, line: &[u8], start: usize) -> Result<(usize, bool), ()> {
        valid_string(line, start)
    }

    #[inline]
    fn nested(&self, line: &[u8], start: usize) -> Result<usize, ()> {
        valid_value(line, start, self.depth)
    }

    #[inline]
    fn scalar(&self, line: &[u8], start: usize) -> Result<usize, ()> {
        valid_value(line, start, 0)
    }

    #[inline]
    fn error(&self, _: impl FnOnce() -> String) {}
}

/// [`object`] over the whole of `line`, with nothing but whitespace around
/// it.
#[inline]
fn whole_object<V: Values>(v: &V, line: &[u8], f: impl FnMut(&Member)) -> Result<(), V::Error> {
    let start = skip_ws(line, 0);
    if line.get(start) != Some(&b'{') {
        return Err(v.error(|| "the record is not a JSON object".to_string()));
    }
    let end = object(v, line, start, f)?;
    if skip_ws(line, end) == line.len() {
        Ok(())
    } else {
        Err(v.error(|| format!("unexpected bytes after the object at column {}", end + 1)))
    }
}

/// Calls `f` with each member of the object at `line[start]` (a `{`), in
/// order, reading the values as `v` does; returns the offset after its
/// closing brace.
#[inline]
fn object<V: Values>(
    v: &V,
    line: &[u8],
    start: usize,
    mut f: impl FnMut(&Member),
) -> Result<usize, V::Error> {
    let mut i = skip_ws(line, start + 1);
    if line.get(i) == Some(&b'}') {
        return Ok(i + 1);
    }
    loop {
        if line.get(i) != Some(&b'"') {
            return Err(v.error(|| format!("expected a key at column {}", i + 1)));
        }
        let (key_end, key_escaped) = v.string(line, i)?;
        let key = i..key_end;
        i = skip_ws(line, key_end);
        if line.get(i) != Some(&b':') {
            return Err(v.error(|| format!("expected ':' at column {}", i + 1)));
        }
        i = skip_ws(line, i + 1);
        let (value_end, kind) = match line.get(i) {
            Some(b'"') => {
                let (end, escaped) = v.string(line, i)?;
                (end, Kind::String { escaped })
            }
            Some(b'{' | b'[') => (v.nested(line, i)?, Kind::Nested),
            Some(_) => (v.scalar(line, i)?, Kind::Scalar),
            None => return Err(v.error(|| "the record ends before a value".to_string())),
        };
        f(&Member {
            key,
            key_escaped,
            value: i..value_end,
            kind,
        });
        i = skip_ws(line, value_end);
        match line.get(i) {
            Some(b',') => i = skip_ws(line, i + 1),
            Some(b'}') => return Ok(i + 1),
            _ => return Err(v.error(|| format!("expected ',' or '}}' at column {}", i + 1))),
        }
    }
}

/// How deep [`scan_valid`] follows nested arrays and objects in a member's
/// value before it leaves the line to `serde_json` (whose limit is 128
/// levels); real records nest a few levels.
const MAX_NESTING: u32 = 100;

/// `line[start]` is `"`: validates the string as serde_json does (no
/// control character, escapes of the JSON grammar; bytes above 0x7F are not
/// checked, as serde_json does not check them in a value it ignores) and
/// returns the offset after the closing quote and whether it has escapes.
fn valid_string(line: &[u8], start: usize) -> Result<(usize, bool), ()> {
    let mut j = start + 1;
    let mut escaped = false;
    loop {
        // memchr finds the quote or backslash many bytes at a time. (The
        // word-at-a-time search of `find_special`, which finds control
        // bytes too, cost more here: 63 M instructions against 56 M on
        // 12 MB of records.)
        let rest = line.get(j..).ok_or(())?;
        j += memchr::memchr2(b'"', b'\\', rest).ok_or(())?;
        if line[j] == b'"' {
            break;
        }
        escaped = true;
        match line.get(j + 1) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => j += 2,
            Some(b'u') => {
                let hex = line.get(j + 2..j + 6).ok_or(())?;
                if !hex.iter().all(u8::is_ascii_hexdigit) {
                    return Err(());
                }
                j += 6;
            }
            _ => return Err(()),
        }
    }
    // The control bytes are looked for in the whole string at once rather
    // than between escapes: an escape holds none (its letters and hex
    // digits are checked above), so the answer is the same, and one long
    // check costs less than one a run (38.4 M instructions against 29.4 M
    // for the scanner on 12 MB of records, where a text has an escaped
    // newline every hundred bytes or so).
    if has_control(&line[start + 1..j]) {
        return Err(());
    }
    Ok((j + 1, escaped))
}

/// Whether `s` has a byte below 0x20: the least byte of `s`, taken in
/// sixteen lanes (the last sixteen bytes first, so that no tail is left
/// over) and without an early exit, so that the compiler keeps the lanes
/// in vector registers, one `pminub` for sixteen bytes. The earlier test of
/// `b < 0x20` in chunks of 32 bytes with an early exit a chunk took about
/// three times the instructions.
fn has_control(s: &[u8]) -> bool {
    let Some(last) = s.last_chunk::<16>() else {
        return s.iter().fold(u8::MAX, |low, &b| low.min(b)) < 0x20;
    };
    let mut low = *last;
    for chunk in s.chunks_exact(16) {
        for (l, &b) in low.iter_mut().zip(chunk) {
            *l = (*l).min(b);
        }
    }
    low.iter().fold(u8::MAX, |m, &b| m.min(b)) < 0x20
}

/// The offset of the first byte of `s` that [`write_json_string`] escapes:
/// a quote, a backslash or a control byte (below 0x20). Eight bytes at a
/// time.
fn find_special(s: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(word) = s.get(i..i + 8) {
        let m = special_mask(u64::from_le_bytes(word.try_into().expect("8 bytes")));
        if m != 0 {
            // The lowest flagged byte is the first match: a false flag
            // only ever sits above a true one (borrows run upwards).
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    s[i..]
        .iter()
        .position(|&b| ESCAPE[b as usize] != 0)
        .map(|n| i + n)
}

/// A mask with the high bit set in the bytes of `w` below 0x20, quotes and
/// backslashes (the bytes [`ESCAPE`] escapes), and perhaps in bytes above
/// the first of them (never below). The classic bit tricks ("Bit
/// Twiddling Hacks": `haszero`, `hasless`).
fn special_mask(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGH;
    let quote = w ^ (ONES * u64::from(b'"'));
    let backslash = w ^ (ONES * u64::from(b'\\'));
    below(w, 0x20) | below(quote, 1) | below(backslash, 1)
}

/// Validates the value at `line[i]` (after whitespace), following at most
/// `depth` levels of arrays and objects; returns the offset after it.
fn valid_value(line: &[u8], i: usize, depth: u32) -> Result<usize, ()> {
    match *line.get(i).ok_or(())? {
        b'"' => valid_string(line, i).map(|(end, _)| end),
        b'{' => {
            let depth = depth.checked_sub(1).ok_or(())?;
            object(&Validating { depth }, line, i, |_| {})
        }
        b'[' => {
            let depth = depth.checked_sub(1).ok_or(())?;
            let mut i = skip_ws(line, i + 1);
            if line.get(i) == Some(&b']') {
                return Ok(i + 1);
            }
            loop {
                i = skip_ws(line, valid_value(line, i, depth)?);
                match line.get(i) {
                    Some(b',') => i = skip_ws(line, i + 1),
                    Some(b']') => return Ok(i + 1),
                    _ => return Err(()),
                }
            }
        }
        b't' => valid_literal(line, i, b"true"),
        b'f' => valid_literal(line, i, b"false"),
        b'n' => valid_literal(line, i, b"null"),
        b'-' | b'0'..=b'9' => valid_number(line, i),
        _ => Err(()),
    }
}

fn valid_literal(line: &[u8], i: usize, word: &[u8]) -> Result<usize, ()> {
    if line[i..].starts_with(word) {
        Ok(i + word.len())
    } else {
        Err(())
    }
}

/// A number as serde_json reads one: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn valid_number(line: &[u8], mut i: usize) -> Result<usize, ()> {
    let digits = |mut i: usize| {
        let from = i;
        while line.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        (i > from).then_some(i).ok_or(())
    };
    if line.get(i) == Some(&b'-') {
        i += 1;
    }
    i = match line.get(i) {
        Some(b'0') => i + 1,
        Some(b'1'..=b'9') => digits(i)?,
        _ => return Err(()),
    };
    if line.get(i) == Some(&b'.') {
        i = digits(i + 1)?;
    }
    if matches!(line.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(line.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        i = digits(i)?;
    }
    Ok(i)
}

fn skip_ws(line: &[u8], mut i: usize) -> usize {
    while i < line.len() && matches!(line[i], b' ' | b'\t' | b'\r' | b'\n') {
        i += 1;
    }
    i
}

/// `line[start]` is `"`: returns the offset after the closing quote, and
/// whether the string has escapes.
fn skip_string(line: &[u8], start: usize) -> Result<(usize, bool), String> {
    let mut j = start + 1;
    let mut escaped = false;
    loop {
        match memchr::memchr2(b'"', b'\\', &line[j.min(line.len())..]) {
            Some(n) if line[j + n] == b'"' => return Ok((j + n + 1, escaped)),
            Some(n) => {
                escaped = true;
                j += n + 2;
            }
            None => return Err(format!("unterminated string at column {}", start + 1)),
        }
    }
}

/// `line[start]` is `{` or `[`: returns the offset after the matching close.
fn skip_nested(line: &[u8], start: usize) -> Result<usize, String> {
    let mut depth = 0usize;
    let mut j = start;
    while j < line.len() {
        match line[j] {
            b'"' => {
                j = skip_string(line, j)?.0;
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Ok(j + 1);
                }
            }
            _ => {}
        }
        j += 1;
    }
    Err(format!("unbalanced brackets from column {}", start + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{records, Format};

    fn members(line: &str) -> Vec<(String, String, Kind)> {
        let b = line.as_bytes();
        let mut out = Vec::new();
        scan_members(b, |m| {
            out.push((
                line[m.key.clone()].to_string(),
                line[m.value.clone()].to_string(),
                m.kind,
            ))
        })
        .unwrap();
        out
    }

    proptest::proptest! {
        /// The decoder against serde_json: the same text where serde_json
        /// decodes, and a refusal (so serde_json's message) where it fails.
        #[test]
        fn unescape_decodes_as_serde_json_does(
            parts in proptest::collection::vec(proptest::prop_oneof![
                "[a-zé😀 ]{0,6}",
                proptest::strategy::Strategy::prop_map(proptest::sample::select(vec![
                    r#"\""#, r"\\", r"\/", r"\b", r"\f", r"\n", r"\r", r"\t", r"\u00e9",
                    r"\u0000", r"\u001F", r"\uFFFF", r"\ud83d\ude00", r"\uD83D\uDE00",
                    r"\ud83d", r"\ude00", r"\ud83d\u0041", r"\ud83d\n", r"\uDBFF\uDFFF",
                    r"\u12", r"\x", "\u{7f}",
                ]), str::to_string),
            ], 0..12),
            bad_byte in proptest::option::of(0x80u8..=0xFF),
        ) {
            let mut inner = parts.concat().into_bytes();
            if let Some(b) = bad_byte {
                inner.insert(inner.len() / 2, b);
            }
            let mut quoted = vec![b'"'];
            quoted.extend_from_slice(&inner);
            quoted.push(b'"');
            // Only what serde_json validates as part of a record reaches
            // the decoder.
            proptest::prop_assume!(serde_json::from_slice::<IgnoredAny>(&quoted).is_ok());
            let want = serde_json::from_slice::<String>(&quoted).ok();
            proptest::prop_assert_eq!(unescape(&inner), want);
        }

        /// The validating scanner never accepts what serde_json refuses, and
        /// where it accepts, it finds the members the trusting one finds.
        /// The lines are a valid record with one or two tokens replaced,
        /// inserted or removed: about one in six stays valid.
        #[test]
        fn the_validating_scanner_accepts_only_what_serde_json_accepts(
            edits in proptest::collection::vec((0usize..200, 0usize..3, proptest::sample::select(vec![
                "{", "}", "[", "]", ",", ":", " ", "\"", "\\", "\\u12", "\\u00e9", "\u{1}", "é", "0", "1", "-",
                ".", "e", "+", "t", "true", "n", "x",
            ])), 1..3),
        ) {
            let mut line = r#"{"id": 7, "text":"a\"b\nc é", "x": [1.5e-3, -0, {"q": [true, false, null]}, "s"], "t" : {} }"#.as_bytes().to_vec();
            for (at, how, token) in edits {
                let at = at % (line.len() + 1);
                match how {
                    0 => { line.splice(at..(at + 1).min(line.len()), token.bytes()); }
                    1 => { line.splice(at..at, token.bytes()); }
                    _ => { line.splice(at..(at + token.len()).min(line.len()), []); }
                }
            }
            let mut ours = Vec::new();
            let ok = scan_valid(&line, |m| ours.push(m.clone())).is_ok();
            if ok {
                let shown = String::from_utf8_lossy(&line);
                proptest::prop_assert!(serde_json::from_slice::<IgnoredAny>(&line).is_ok(), "{}", shown);
                let mut theirs = Vec::new();
                scan_members(&line, |m| theirs.push(m.clone())).unwrap();
                proptest::prop_assert_eq!(ours, theirs);
            }
        }

        /// And it accepts real objects, so that serde_json is the exception.
        #[test]
        fn the_validating_scanner_accepts_serialised_objects(
            text in "[\u{0}-\u{7f}é😀]{0,30}",
            n in proptest::prelude::any::<f64>(),
            i in proptest::prelude::any::<i64>(),
            nested in proptest::collection::vec(proptest::option::of("[a-z\"\\\\]{0,4}"), 0..5),
        ) {
            let value = serde_json::json!({
                "text": text, "n": n, "i": i, "nested": [nested.clone(), {"k": nested}], "b": true, "z": null
            });
            for line in [serde_json::to_string(&value).unwrap(), serde_json::to_string_pretty(&value).unwrap()] {
                proptest::prop_assert!(scan_valid(line.as_bytes(), |_| {}).is_ok(), "{}", line);
            }
        }

        /// The word-at-a-time search against a byte loop.
        #[test]
        fn find_special_finds_the_first_byte_to_escape(
            bytes in proptest::collection::vec(proptest::prop_oneof![
                0x20u8..=0xFF, proptest::sample::select(vec![0u8, 0x1F, b'"', b'\\', b'\n', 0x21, 0x5B, 0x5D, 0xA2, 0xDC]),
            ], 0..40),
        ) {
            let naive = bytes.iter().position(|&b| b < 0x20 || b == b'"' || b == b'\\');
            proptest::prop_assert_eq!(find_special(&bytes), naive);
        }

        /// The encoder against serde_json's.
        #[test]
        fn json_strings_are_written_as_serde_json_writes_them(
            text in "[\u{0}-\u{7f}é😀\u{2028}]{0,40}",
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
        ) {
            for t in [text.as_bytes(), &bytes[..]] {
                let mut ours = Vec::new();
                write_json_string(t, &mut ours);
                let theirs = serde_json::to_vec(&*String::from_utf8_lossy(t)).unwrap();
                proptest::prop_assert_eq!(ours, theirs);
            }
        }

        /// Escaping a text's lines one by one, as the kept lines of a
        /// record are written, gives the bytes of escaping the text whole.
        #[test]
        fn lines_escape_as_their_text_does(text in "[\u{0}-\u{7f}é😀\r\n\"\\\\]{0,60}") {
            let b = text.as_bytes();
            let mut whole = Vec::new();
            escape_into(b, &mut whole);
            let mut by_line = Vec::new();
            for l in crate::line::lines(b) {
                escape_line(l.whole(b), l.content_end - l.start, &mut by_line);
            }
            proptest::prop_assert_eq!(by_line, whole);
        }
    }

    #[test]
    fn every_byte_is_escaped_as_serde_json_escapes_it() {
        for b in 0u8..0x80 {
            let mut ours = Vec::new();
            write_json_string(&[b], &mut ours);
            assert_eq!(
                ours,
                serde_json::to_vec(&(b as char).to_string()).unwrap(),
                "{b}"
            );
        }
    }

    #[test]
    fn scanner_finds_top_level_spans() {
        let line = r#" { "a" : 1.5e3 ,"t\"x":"q\"}{[","n":{"text":"no","x":[1,{"y":"]"}]},"z":[],"b":true,"s":"" } "#;
        let got = members(line);
        assert_eq!(
            got,
            vec![
                ("\"a\"".into(), "1.5e3".into(), Kind::Scalar),
                (
                    r#""t\"x""#.into(),
                    r#""q\"}{[""#.into(),
                    Kind::String { escaped: true }
                ),
                (
                    "\"n\"".into(),
                    r#"{"text":"no","x":[1,{"y":"]"}]}"#.into(),
                    Kind::Nested
                ),
                ("\"z\"".into(), "[]".into(), Kind::Nested),
                ("\"b\"".into(), "true".into(), Kind::Scalar),
                (
                    "\"s\"".into(),
                    "\"\"".into(),
                    Kind::String { escaped: false }
                ),
            ]
        );
        assert_eq!(members("{}"), vec![]);
    }

    #[test]
    fn validating_scanner_leaves_the_doubtful_to_serde_json() {
        let deep = format!("{{\"x\":{}{}}}", "[".repeat(120), "]".repeat(120));
        assert!(serde_json::from_slice::<IgnoredAny>(deep.as_bytes()).is_ok());
        assert!(scan_valid(deep.as_bytes(), |_| {}).is_err());
        for bad in [
            "{\"a\":\"x\ty\"}",
            "{\"a\":01}",
            "{\"a\":1.}",
            "{\"a\":-}",
            "{\"a\":tru}",
            "{\"a\":\"\\x\"}",
            "{\"a\":\"\\u12\"}",
            "{\"a\":[1,]}",
            "{\"a\":1} x",
            "[1]",
        ] {
            assert!(serde_json::from_slice::<IgnoredAny>(bad.as_bytes()).is_err() || bad == "[1]");
            assert!(scan_valid(bad.as_bytes(), |_| {}).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn scanner_rejects_without_panicking() {
        for bad in [
            "",
            "[1]",
            "{",
            "{\"a\"",
            "{\"a\":",
            "{\"a\":1",
            "{\"a\":\"x",
            "{\"a\":[1}",
            "{\"a\":1}x",
            "{\"a\\",
            "{1:2}",
            "{\"a\":1,}",
        ] {
            assert!(scan_members(bad.as_bytes(), |_| {}).is_err(), "{bad:?}");
        }
    }

    fn one(line: &str, opts: &FormatOptions) -> String {
        let items: Vec<Item> = records(
            Format::Jsonl,
            line.as_bytes(),
            "t.jsonl".as_ref(),
            None,
            opts,
        )
        .collect();
        assert_eq!(items.len(), 1);
        match &items[0] {
            Item::Doc(d) => format!(
                "text={:?} site={:?} label={:?}",
                String::from_utf8_lossy(&d.text),
                d.site,
                d.label
            ),
            Item::NoText { line, .. } => format!("notext {line}"),
            Item::Malformed { error, .. } => format!("bad {error}"),
            Item::Verbatim(_) => "verbatim".into(),
        }
    }

    #[test]
    fn reads_text_site_and_label() {
        let o = FormatOptions::default();
        assert_eq!(
            one(
                r#"{"id":7,"url":"http://A.org/x","text":"x\ud83d\ude00\n"}"#,
                &o
            ),
            r#"text="x😀\n" site=Some("a.org") label=Some("7")"#
        );
        assert_eq!(
            one(
                r#"{"domain":"b.org","url":"http://a.org/","text":"x","text":"y"}"#,
                &o
            ),
            r#"text="y" site=Some("b.org") label=Some("http://a.org/")"#
        );
        // `null` is no value: the site and the label come from the url.
        assert_eq!(
            one(
                r#"{"id":null,"domain":null,"url":"http://a.org/","text":"x"}"#,
                &o
            ),
            r#"text="x" site=Some("a.org") label=Some("http://a.org/")"#
        );
        assert_eq!(
            one(r#"{"id":true,"domain":3,"text":"x"}"#, &o),
            r#"text="x" site=Some("3") label=Some("true")"#
        );
        assert_eq!(one(r#"{"text":5}"#, &o), "notext 1");
        assert_eq!(one(r#"{"body":"x"}"#, &o), "notext 1");
        assert_eq!(one("   \r\n", &o), "verbatim");
        let g = FormatOptions {
            text_field: "body".into(),
            group_field: Some("source".into()),
        };
        assert_eq!(
            one(r#"{"source":"Feed","body":"x","domain":"c.org"}"#, &g),
            r#"text="x" site=Some("feed") label=None"#
        );
    }

    #[test]
    fn reports_malformed_records() {
        let o = FormatOptions::default();
        assert!(one("{\"text\": \"x\",}", &o).starts_with("bad t.jsonl:1: invalid JSON at column"));
        assert_eq!(
            one("[1,2]", &o),
            "bad t.jsonl:1: the record is not a JSON object"
        );
        assert!(one(r#"{"text":"\ud800"}"#, &o).starts_with("bad t.jsonl:1: field \"text\""));
    }

    #[test]
    fn errors_in_the_text_give_their_column_in_the_line() {
        let o = FormatOptions::default();
        let error =
            |line: &[u8]| match records(Format::Jsonl, line, "t.jsonl".as_ref(), None, &o).next() {
                Some(Item::Malformed { error, .. }) => error.to_string(),
                _ => panic!("{:?} is not malformed", String::from_utf8_lossy(line)),
            };
        // The byte 0xE9 is the 13th of the line; after a byte order mark,
        // the 16th.
        let latin1 = b"{\"text\":\"caf\xe9 au lait\"}\n";
        assert!(
            error(latin1).ends_with("invalid UTF-8 at column 13"),
            "{}",
            error(latin1)
        );
        let after_bom = [&b"\xef\xbb\xbf"[..], latin1].concat();
        assert!(
            error(&after_bom).ends_with("at column 16"),
            "{}",
            error(&after_bom)
        );
        // A lone surrogate: serde_json stops at the `b` after it, the 24th.
        let surrogate = br#"{"id":1,"text":"a\ud800b"}"#;
        assert!(
            error(surrogate).contains("invalid JSON at column 24"),
            "{}",
            error(surrogate)
        );
    }

    #[test]
    fn a_byte_order_mark_before_the_first_record_is_read_past_and_kept() {
        let o = FormatOptions::default();
        let input = "\u{feff}{\"text\":\"keep\\ndrop\\n\",\"n\":1}\n\u{feff}{\"text\":\"x\"}\n";
        let items: Vec<Item> =
            records(Format::Jsonl, input.as_bytes(), "t".as_ref(), None, &o).collect();
        assert_eq!(items.len(), 2);
        let Item::Doc(d) = &items[0] else {
            panic!("{:?}", items[0])
        };
        assert_eq!(&*d.text, b"keep\ndrop\n");
        assert!(d.raw.starts_with(BOM));
        let mut out = Vec::new();
        d.write_cleaned(b"keep\n", &mut out);
        assert_eq!(out, "\u{feff}{\"text\":\"keep\\n\",\"n\":1}\n".as_bytes());
        // Only at the start of the input: not on a later line, nor at the
        // start of a batch further in.
        assert!(
            matches!(&items[1], Item::Malformed { .. }),
            "{:?}",
            items[1]
        );
        let later = Position {
            records: 1,
            offset: 10,
        };
        let line = "\u{feff}{\"text\":\"x\"}\n".as_bytes();
        let mut r = super::super::records_in(
            Format::Jsonl,
            line,
            line.len(),
            true,
            later,
            "t".as_ref(),
            None,
            &o,
        );
        assert!(matches!(r.next(), Some(Item::Malformed { .. })));
        // A mark alone on the first line is a blank line.
        assert_eq!(one("\u{feff}\r\n", &o), "verbatim");
    }

    #[test]
    fn splices_cleaned_text_into_the_same_span() {
        let o = FormatOptions::default();
        let line =
            "{\"a\": [1, 2.50],\t\"text\" : \"keep\\u00e9\\nd\\u0072op\\n\" , \"z\":null}\r\n";
        let items: Vec<Item> =
            records(Format::Jsonl, line.as_bytes(), "t".as_ref(), None, &o).collect();
        let Item::Doc(d) = &items[0] else { panic!() };
        assert_eq!(&*d.text, "keepé\ndrop\n".as_bytes());
        let mut out = Vec::new();
        d.write_cleaned("keepé\n".as_bytes(), &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"a\": [1, 2.50],\t\"text\" : \"keepé\\n\" , \"z\":null}\r\n"
        );
    }
}
