//! `--explain`: every line with the classifier's verdict, score and reason,
//! instead of the cleaned output. Part of the output stage.
//!
//! The format is for people, in fixed-width columns so that a page reads
//! down the right-hand side:
//!
//! ```text
//! == dumps/example.org/page.txt
//! DROP 0.05  site-repeat 37/40 docs       | Share this post
//! KEEP 0.97  content                      | The article starts here.
//! ```
//!
//! Each document starts with a `== ` header naming it: the path for a text
//! file, `path:LINE` and the record's `id` or `url` for JSONL, `path record
//! N` and the target URI for WET (control characters in the path and the
//! label as `\xNN`, as in lines). The verdict column is `KEEP` or `DROP`, then
//! the score (the classifier's probability that the line is content), then
//! [`Cleaner::describe`] of the cause padded to [`REASON_WIDTH`], then `| `
//! and the line as it is (invalid UTF-8 shown as U+FFFD, control characters
//! other than tab as `\xNN`). A line too long to be judged (`too-long`, over
//! a megabyte) is shown by its first kilobyte and its length.

use std::borrow::Cow;
use std::io::Write;

use crate::format::{Doc, Format};
use crate::report::thousands;
use crate::{Cause, Cleaner, Verdict};

/// The width the reason column is padded to: fits `site-repeat 9999/9999
/// docs` and most lexicon category names; longer reasons push the bar right
/// rather than being cut.
pub const REASON_WIDTH: usize = 40;

/// Writes the header line of `doc`, found in `path` of format `format`.
/// The path is shown as the lines are (control characters as `\xNN`), so
/// that a file name with a line feed in it stays on its header's line.
pub fn header(out: &mut Vec<u8>, path: &str, format: Format, doc: &Doc<'_>) {
    out.extend_from_slice(b"== ");
    push_visible(out, path.as_bytes());
    let _ = match format {
        Format::Text => Ok(()),
        Format::Jsonl => write!(out, ":{}", doc.number),
        Format::Wet => write!(out, " record {}", doc.number),
    };
    if let Some(label) = &doc.label {
        out.extend_from_slice(b"  ");
        push_visible(out, label.as_bytes());
    }
    out.push(b'\n');
}

/// Writes a note line (a record passed through, a document dropped).
pub fn note(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(b"   (");
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(b")\n");
}

/// Writes one line per line of `text` with its verdict.
pub fn lines(out: &mut Vec<u8>, cleaner: &Cleaner, text: &[u8], verdicts: &[Verdict]) {
    for (span, v) in crate::line::lines(text).zip(verdicts) {
        let mark = if v.keep { "KEEP" } else { "DROP" };
        let reason = cleaner.describe(&v.cause);
        let _ = write!(
            out,
            "{mark} {:.2}  {reason:<width$} | ",
            v.score,
            width = REASON_WIDTH
        );
        let line = span.content(text);
        if v.cause == Cause::TooLong && line.len() > TOO_LONG_SHOWN {
            push_visible(out, &line[..char_start(line, TOO_LONG_SHOWN)]);
            let _ = write!(out, " ... ({} bytes in all)", thousands(line.len() as u64));
        } else {
            push_visible(out, line);
        }
        out.push(b'\n');
    }
}

/// How much of a line too long to be judged (over
/// [`crate::cleaner::MAX_LINE`], a megabyte) `--explain` shows: a screenful
/// says what it is (a base64 image, a minified script, a table dumped as
/// one line), and the output it writes is the whole line.
pub const TOO_LONG_SHOWN: usize = 1024;

/// The start of the UTF-8 character at or before `at` in `bytes` (at most
/// three bytes back, so invalid text is cut at `at - 3` at worst).
fn char_start(bytes: &[u8], at: usize) -> usize {
    let mut i = at.min(bytes.len());
    while i > 0 && at - i < 3 && i < bytes.len() && bytes[i] & 0xc0 == 0x80 {
        i -= 1;
    }
    i
}

/// Appends `bytes` as readable text: valid UTF-8 as is, invalid bytes as
/// U+FFFD, control characters but tab as `\xNN` ([`visible`]), so one line
/// stays one line.
fn push_visible(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(visible(&String::from_utf8_lossy(bytes), true).as_bytes());
}

/// `s` with its control characters written as `\xNN` (a tab too, unless
/// `keep_tab`), as `--explain` shows a line: a line end or a lone CR in a
/// file name, a page's id or a line's text must not start a line of its own
/// in a report or a message. Borrowed when there is none.
pub fn visible(s: &str, keep_tab: bool) -> Cow<'_, str> {
    let hidden = |c: char| c.is_control() && !(keep_tab && c == '\t');
    if !s.chars().any(hidden) {
        return Cow::Borrowed(s);
    }
    let mut shown = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hidden(c) {
            shown.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            shown.push(c);
        }
    }
    Cow::Owned(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_fixed_width() {
        let text = b"Share this\r\nBody\x01\xff\n";
        let v = [
            Verdict {
                keep: false,
                score: 0.05,
                cause: Cause::Shape,
            },
            Verdict {
                keep: true,
                score: 1.0,
                cause: Cause::Content,
            },
        ];
        let mut out = Vec::new();
        lines(&mut out, &Cleaner::new(), text, &v);
        let out = String::from_utf8(out).unwrap();
        let want = format!(
            "DROP 0.05  {:<40} | Share this\nKEEP 1.00  {:<40} | Body\\x01\u{fffd}\n",
            "shape", "content"
        );
        assert_eq!(out, want);
    }

    #[test]
    fn a_line_too_long_to_judge_is_shown_by_its_start() {
        // "é" is two bytes: the cut falls inside one and backs off to its start.
        let long = format!("a{}", "é".repeat(crate::cleaner::MAX_LINE));
        let text = format!("{long}\nshort\n");
        let v = [
            Verdict {
                keep: true,
                score: 1.0,
                cause: Cause::TooLong,
            },
            Verdict {
                keep: true,
                score: 1.0,
                cause: Cause::Content,
            },
        ];
        let mut out = Vec::new();
        lines(&mut out, &Cleaner::new(), text.as_bytes(), &v);
        let out = String::from_utf8(out).unwrap();
        let first = out.lines().next().unwrap();
        let shown = format!("a{}", "é".repeat((TOO_LONG_SHOWN - 1) / 2));
        let want = format!(
            "KEEP 1.00  {:<40} | {shown} ... ({} bytes in all)",
            "too-long",
            thousands(long.len() as u64)
        );
        assert_eq!(first, want);
        assert!(out.lines().nth(1).unwrap().ends_with("| short"));
        assert_eq!(char_start(b"abc", 10), 3);
        assert_eq!(char_start(b"\x80\x80\x80\x80\x80", 4), 1);
    }
}
