//! The shape of a line: its words, capitals, digits, punctuation, bullets,
//! clock times and dates, found in one walk over its bytes that also writes
//! its normal form.

use super::words::PACKED;
use super::LineInfo;
use crate::line::{count_high, Chunk, NormalWriter, Normalizer};

/// The shape facts of one line's raw bytes and its normal form
/// ([`Normalizer::normalize`]), in one walk over the bytes of a line that is
/// UTF-8 (nearly all): normalising in a walk of its own cost pass 2 about 6 %
/// of its instructions. Other lines take the two walks. `line` is `raw` as
/// a `str` if the caller knows it is UTF-8.
///
/// The normal form is written into `padded` as the lexicon and the word
/// table read it, between a space and `1 + PACKED` spaces
/// (`" a b c         "`), and its length returned: written in place, where
/// copying it there cost a `memmove` a line.
#[inline]
pub(super) fn shape_and_normal(
    raw: &[u8],
    line: Option<&str>,
    norm: &mut Normalizer,
    padded: &mut Vec<u8>,
) -> (LineInfo, usize) {
    let (info, n) = match line.map_or_else(|| std::str::from_utf8(raw), Ok) {
        Ok(text) => {
            // Trimming the text first does not change its normal form:
            // whitespace is a gap, and gaps at either end leave nothing.
            let t = text.trim();
            // What the walk may write (see `shape_walk`), after the space.
            let need = 1 + 2 * t.len() + 1;
            if padded.len() < need {
                padded.resize(need, 0);
            }
            shape_walk::<true>(t, &mut padded[1..])
        }
        Err(_) => {
            let normal = norm.normalize(raw);
            padded.clear();
            padded.push(b' ');
            padded.extend_from_slice(normal);
            (shape(raw), normal.len())
        }
    };
    let end = 1 + n + 1 + PACKED;
    if padded.len() < end {
        padded.resize(end, b' ');
    }
    padded[0] = b' ';
    padded[1 + n..end].fill(b' ');
    (info, n)
}

/// The shape facts of one line's raw bytes.
fn shape(raw: &[u8]) -> LineInfo {
    match std::str::from_utf8(raw) {
        Ok(text) => shape_of(text),
        // Invalid sequences become U+FFFD: a visible character, neither
        // letter, digit nor separator.
        Err(_) => shape_of(&String::from_utf8_lossy(raw)),
    }
}

/// Bits of [`SHAPE`]: what the shape counts need to know of a byte.
const WS: u8 = 1;
const ALPHA: u8 = 2;
const UPPER: u8 = 4;
const DIGITS: u8 = 8;
const COMMA: u8 = 16;
const SEPARATOR: u8 = 32;
/// A byte of a multi-byte character: decode it and ask `char`.
const MULTI: u8 = 64;
/// What [`shape_bits`] answers for a combining mark, which no other
/// character gets from it: the walk counts the mark with the letter before
/// it, if any.
const MARK: u8 = MULTI;
/// A letter of a script written without spaces ([`crate::line::is_cjk`],
/// [`crate::line::is_thai`]), from [`shape_bits`] only.
const UNSPACED: u8 = 128;

/// The [`WS`].. bits of each ASCII byte, as `char`'s Unicode-aware methods
/// answer for it (checked by a test), and [`MULTI`] for the others.
static SHAPE: [u8; 256] = {
    let mut t = [MULTI; 256];
    let mut i = 0;
    while i < 128 {
        let c = i as u8;
        t[i] = if c.is_ascii_whitespace() || c == 0x0B {
            // `char::is_whitespace` counts the vertical tab, which
            // `u8::is_ascii_whitespace` does not.
            WS
        } else if c.is_ascii_uppercase() {
            ALPHA | UPPER
        } else if c.is_ascii_lowercase() {
            ALPHA
        } else if c.is_ascii_digit() {
            DIGITS
        } else if c == b',' || c == b';' {
            COMMA
        } else if c == b'|' || c == b'>' || c == b'/' {
            SEPARATOR
        } else {
            0
        };
        i += 1;
    }
    t
};

/// The bits of [`SHAPE`] for a character that is not ASCII.
fn shape_bits(c: char) -> u8 {
    if crate::line::is_cjk(c) || crate::line::is_thai(c) {
        // Before the general tests: `char`'s table searches for each
        // character of a page of Chinese cost more than the range test.
        // Thai's tone marks are among its letters here.
        ALPHA | UNSPACED
    } else if c.is_whitespace() {
        WS
    } else if crate::line::is_alphabetic(c) {
        ALPHA | if c.is_uppercase() { UPPER } else { 0 }
    } else if crate::line::is_numeric(c) {
        DIGITS
    } else if matches!(c, '»' | '›' | '·' | '•') {
        SEPARATOR
    } else if matches!(c, '，' | '、' | '；') {
        // The commas and semicolon of Chinese and Japanese.
        COMMA
    } else if crate::line::is_mark(c) {
        MARK
    } else {
        0
    }
}

/// The shape facts of one line's text, in one pass over its bytes (and a
/// second only for lines that hold a `:`, for times). Runs of ASCII letters, most of any text, take one table lookup a
/// byte; other characters are looked up or decoded one by one.
fn shape_of(text: &str) -> LineInfo {
    shape_walk::<false>(text.trim(), &mut []).0
}

/// [`shape_of`] of the trimmed text `t`; with `NORMAL`, also its normal form
/// written into `out` (at least `2 * t.len() + 1` bytes, as
/// [`Normalizer::normalize`] writes it), whose length it returns.
#[inline(always)]
fn shape_walk<const NORMAL: bool>(t: &str, out: &mut [u8]) -> (LineInfo, usize) {
    let mut info = LineInfo::default();
    let bytes = t.as_bytes();
    // The normal form, written as `Normalizer::normalize` writes it.
    let mut w = NormalWriter::default();
    let mut at_word_start = true;
    // Which bytes the line holds, so that the searches below run only where
    // they can succeed.
    let (mut colon, mut at, mut dot, mut space) = (false, false, false, false);
    // Whether the line holds `http://`, `https://` or `www.`.
    let mut url = false;
    let mut i = 0;
    while i < bytes.len() {
        // Eight bytes of letters and single spaces at once (most of prose):
        // the counts from masks, the normal form by one store.
        if let Some(c) = bytes.get(i..i + 8) {
            let c = u64::from_le_bytes(c.try_into().unwrap_or_default());
            if let Some(chunk) = Chunk::of(c) {
                if !NORMAL || w.n > 0 || !chunk.first_space() {
                    let spaces = count_high(chunk.spaces);
                    info.chars += 8 - spaces;
                    info.letters += 8 - spaces;
                    info.uppers += count_high(chunk.uppers);
                    // A word starts after a space, or at the first byte
                    // if a word started there.
                    let starts = (chunk.spaces << 8) | if at_word_start { 0x80 } else { 0 };
                    info.capitalized += count_high(chunk.uppers & starts);
                    at_word_start = chunk.last_space();
                    space |= spaces > 0;
                    if NORMAL {
                        w.chunk(out, &chunk);
                    }
                    i += 8;
                    continue;
                }
            }
        }
        let start = i;
        let byte = bytes[i];
        let mut bits = SHAPE[byte as usize];
        if bits & ALPHA != 0 {
            if NORMAL {
                w.word(out);
            }
            let mut uppers = 0;
            while let Some(&b) = bytes.get(i) {
                let bits = SHAPE[b as usize];
                if bits & ALPHA == 0 {
                    break;
                }
                uppers += (bits & UPPER != 0) as u32;
                if NORMAL {
                    w.byte(out, b.to_ascii_lowercase());
                }
                i += 1;
            }
            let run = (i - start) as u32;
            info.chars += run;
            info.letters += run;
            info.uppers += uppers;
            info.capitalized += (at_word_start && bits & UPPER != 0) as u32;
            at_word_start = false;
            continue;
        }
        if bits & MULTI != 0 {
            // `t` is a `str`, so a character starts here.
            let c = t[i..].chars().next().unwrap_or(char::REPLACEMENT_CHARACTER);
            bits = shape_bits(c);
            if bits == MARK {
                // A combining mark counts with the letter it follows, as
                // the normal form keeps it in that letter's word.
                bits = if at_word_start { 0 } else { ALPHA };
            }
            i += c.len_utf8();
            if NORMAL {
                w.char(out, c);
            }
        } else {
            i += 1;
            if NORMAL {
                if bits & DIGITS != 0 {
                    w.digit(out);
                } else {
                    w.gap();
                }
            }
        }
        if bits & WS != 0 {
            at_word_start = true;
            space |= byte == b' ';
            continue;
        }
        info.chars += 1;
        if bits & ALPHA != 0 {
            info.letters += 1;
            info.unspaced |= bits & UNSPACED != 0;
            if bits & UPPER != 0 {
                info.uppers += 1;
                info.capitalized += at_word_start as u32;
            }
        } else if bits & DIGITS != 0 {
            info.digits += 1;
        } else {
            info.commas += (bits & COMMA != 0) as u32;
            info.separators += (bits & SEPARATOR != 0) as u32;
            // A URL is looked for where its `:` or `.` is met, rather than
            // by substring searches over the line after the walk (which cost
            // about 1 % of a run: most lines hold a `.`).
            match byte {
                b':' => {
                    colon = true;
                    let before = &bytes[..start];
                    url |= bytes[i..].starts_with(b"//")
                        && (before.ends_with(b"http") || before.ends_with(b"https"));
                }
                b'.' => {
                    dot = true;
                    url |= bytes[..start].ends_with(b"www");
                }
                b'@' => at = true,
                _ => {}
            }
        }
        at_word_start = bits & (ALPHA | DIGITS) == 0;
    }
    // The last two characters that are not whitespace, read from the end.
    let mut tail = t.chars().rev().filter(|c| !c.is_whitespace());
    let last = tail.next().unwrap_or(' ');
    info.end_punct = ends_sentence(last, || tail.next().unwrap_or(' '));
    info.truncated = t.ends_with("...") || t.ends_with('…');
    info.bullet = starts_bullet(t);
    info.starts_lower = t.chars().next().is_some_and(char::is_lowercase);
    info.has_time = colon && has_clock_time(bytes);
    info.date_like = info.digits > 0
        && info.letters < 60
        && (has_month(t) || info.unspaced && has_cjk_date(bytes));
    info.url = url || (at && dot && !space);
    (info, w.n)
}

/// Whether a line whose last visible character is `last` ends a sentence:
/// sentence punctuation, or a closing quote or bracket after one
/// (`before` gives the character before `last`, asked only then).
fn ends_sentence(last: char, before: impl FnOnce() -> char) -> bool {
    let quote = matches!(last, '"' | '”' | '\'' | '’' | '»' | ')');
    matches!(last, '.' | '!' | '?' | ':' | ';' | '。' | '！' | '？')
        || (quote && matches!(before(), '.' | '!' | '?'))
}

/// Whether a line (trimmed) opens with a list bullet: `- `, `* `, `•`, `·`
/// or `–`, told by the first bytes in one match (the five `starts_with`
/// took about thirty instructions a line). `starts_bullet_plain` is the
/// tests' oracle. Not inlined: inlined, it changed how the shape walk's
/// registers were allocated, for 12 M more instructions.
#[inline(never)]
fn starts_bullet(t: &str) -> bool {
    matches!(
        t.as_bytes(),
        [b'-' | b'*', b' ', ..]
            // U+2022 `•` and U+2013 `–`.
            | [0xE2, 0x80, 0xA2 | 0x93, ..]
            // U+00B7 `·`.
            | [0xC2, 0xB7, ..]
    )
}

/// Whether `t` holds `d:dd` (a clock time), looked for at each `:` (memchr)
/// instead of in every window of four bytes, which cost pass 2 about 1 % of
/// its instructions on lines with a colon.
fn has_clock_time(t: &[u8]) -> bool {
    memchr::memchr_iter(b':', t).any(|at| {
        at >= 1
            && t[at - 1].is_ascii_digit()
            && t.get(at + 1).is_some_and(u8::is_ascii_digit)
            && t.get(at + 2).is_some_and(u8::is_ascii_digit)
    })
}

/// The three-letter starts of the English months, lower-cased.
const MONTHS: [&[u8; 3]; 12] = [
    b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec",
];

/// Whether `t` holds a date as Chinese and Japanese write one: a number
/// followed by 年 (year), 月 (month) or 日 (day), as in `2019年11月20日`.
fn has_cjk_date(t: &[u8]) -> bool {
    const MARKS: [&[u8]; 3] = ["年".as_bytes(), "月".as_bytes(), "日".as_bytes()];
    t.windows(4)
        .any(|w| w[0].is_ascii_digit() && MARKS.contains(&&w[1..]))
}

/// Whether `t` names a month (English, full or abbreviated, as a word): a
/// word (a run of alphabetic characters) that starts with a month's first
/// three letters and is three letters long or of four to nine ASCII
/// letters. Such a word is all ASCII letters, so the walk is over bytes:
/// each run of ASCII letters of three to nine is a candidate, a word on
/// its own unless a character next to it is alphabetic (only a character
/// that is not ASCII can be). Splitting the line at every `char` that is
/// not alphabetic, as the plain version (`has_month_plain`, the tests'
/// oracle) does, took about 700 instructions a call.
fn has_month(t: &str) -> bool {
    let b = t.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
        }
        if (3..=9).contains(&(i - start))
            && MONTHS.contains(&&[
                b[start].to_ascii_lowercase(),
                b[start + 1].to_ascii_lowercase(),
                b[start + 2].to_ascii_lowercase(),
            ])
            && !t[..start]
                .chars()
                .next_back()
                .is_some_and(char::is_alphabetic)
            && !t[i..].chars().next().is_some_and(char::is_alphabetic)
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::WordTable;
    use crate::rules::RuleSet;

    /// [`starts_bullet`] as first written.
    fn starts_bullet_plain(t: &str) -> bool {
        t.starts_with("- ")
            || t.starts_with("* ")
            || t.starts_with('•')
            || t.starts_with('·')
            || t.starts_with('–')
    }

    #[test]
    fn bullets_by_bytes_are_the_plain_bullets() {
        // Every char, alone and before each of a few seconds: the first
        // bytes of every line the match can meet.
        let seconds = ["", " ", "x", "•", "\u{80}", "\u{2000}"];
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            for second in seconds {
                let t = format!("{c}{second}");
                assert_eq!(starts_bullet(&t), starts_bullet_plain(&t), "{t:?}");
            }
        }
        assert!(!starts_bullet(""));
    }

    /// [`has_month`] as first written: the line split at every `char`
    /// that is not alphabetic.
    fn has_month_plain(t: &str) -> bool {
        t.split(|c: char| !c.is_alphabetic()).any(|w| {
            let b = w.as_bytes();
            b.len() >= 3
                && w.is_char_boundary(3)
                && MONTHS.contains(&&[
                    b[0].to_ascii_lowercase(),
                    b[1].to_ascii_lowercase(),
                    b[2].to_ascii_lowercase(),
                ])
                && (w.len() == 3 || w.len() <= 9 && w.chars().all(|c| c.is_ascii_alphabetic()))
        })
    }

    proptest::proptest! {
        /// The byte walk for month names against the plain split, on
        /// month-like words next to letters, digits, punctuation and
        /// letters that are not ASCII.
        #[test]
        fn month_names_are_found_as_the_plain_split_finds_them(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "Jan", "jan", "JANUARY", "Sept", "september", "Mayo", "decembers", "Mar",
                "ma", "x", "é", "ü", "ß", "中", "1", "2024", " ", ",", ".", "-", "—", "\u{300}",
            ]), 0..8),
        ) {
            let t = parts.concat();
            proptest::prop_assert_eq!(has_month(&t), has_month_plain(&t), "{:?}", t);
        }
    }

    /// The line shape as the first, char-by-char version computed it: the
    /// oracle of the one-pass version.
    fn naive_shape(raw: &[u8]) -> LineInfo {
        use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};
        let mut info = LineInfo::default();
        let text = String::from_utf8_lossy(raw);
        let t = text.trim();
        let mut at_word_start = true;
        let mut last = ' ';
        let mut prev_last = ' ';
        for c in t.chars() {
            if c.is_whitespace() {
                at_word_start = true;
                continue;
            }
            info.chars += 1;
            let thai = crate::line::is_thai(c);
            let mark = c.general_category_group() == GeneralCategoryGroup::Mark;
            if c.is_alphabetic() || thai || mark && !at_word_start {
                info.letters += 1;
                info.unspaced |= crate::line::is_cjk(c) || thai;
                if c.is_uppercase() {
                    info.uppers += 1;
                    if at_word_start {
                        info.capitalized += 1;
                    }
                }
            } else if c.is_numeric() {
                info.digits += 1;
            } else {
                match c {
                    ',' | ';' | '，' | '、' | '；' => info.commas += 1,
                    '|' | '»' | '›' | '·' | '>' | '/' | '•' => info.separators += 1,
                    _ => {}
                }
            }
            at_word_start = !(c.is_alphanumeric() || thai || mark && !at_word_start);
            prev_last = last;
            last = c;
        }
        // Sentence punctuation last, or a closing quote or bracket after a
        // full stop, question or exclamation mark.
        info.end_punct =
            ".!?:;。！？".contains(last) || "\"”'’»)".contains(last) && ".!?".contains(prev_last);
        info.truncated = t.ends_with("...") || t.ends_with('…');
        info.bullet = starts_bullet_plain(t);
        info.starts_lower = t.chars().next().is_some_and(|c| c.is_lowercase());
        info.has_time = naive_clock_time(t.as_bytes());
        info.date_like = info.digits > 0
            && info.letters < 60
            && t.split(|c: char| !c.is_alphabetic()).any(|w| {
                const MONTHS: [&str; 12] = [
                    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                    "dec",
                ];
                w.len() >= 3
                    && w.is_char_boundary(3)
                    && MONTHS.contains(&w[..3].to_ascii_lowercase().as_str())
                    && (w.len() == 3 || w.len() <= 9 && w.chars().all(|c| c.is_ascii_alphabetic()))
            })
            || info.digits > 0
                && info.letters < 60
                && info.unspaced
                && ["年", "月", "日"].iter().any(|m| {
                    t.match_indices(m)
                        .any(|(at, _)| t[..at].ends_with(|c: char| c.is_ascii_digit()))
                });
        info.url = t.contains("http://")
            || t.contains("https://")
            || t.contains("www.")
            || (t.contains('@') && t.contains('.') && !t.contains(' '));
        info
    }

    fn facts(i: &LineInfo) -> String {
        format!("{i:?}")
    }

    #[test]
    fn ascii_shape_bits_agree_with_char() {
        for b in 0u8..128 {
            let c = b as char;
            let bits = SHAPE[b as usize];
            assert_eq!(bits & WS != 0, c.is_whitespace(), "{b:#x}");
            assert_eq!(bits & ALPHA != 0, c.is_alphabetic(), "{b:#x}");
            assert_eq!(bits & UPPER != 0, c.is_uppercase(), "{b:#x}");
            assert_eq!(bits & DIGITS != 0, c.is_numeric(), "{b:#x}");
        }
    }

    #[test]
    fn shape_facts_of_typical_lines() {
        for line in [
            "Posted by Jane Doe | 12 May 2021, 9:46 am",
            "  - visit www.example.org or mail me@example.org  ",
            "He said: \u{201c}It\u{2019}s done.\u{201d}",
            "Read more\u{2026}",
            "\u{2022} \u{00c9}COLE \u{00e9}l\u{00e8}ve \u{00bb} next",
            "bad \u{ff}\u{fe} bytes",
            "see https://example.org: or http:/ not a link",
            "http://a.b www. and wwww.x and ww.y: https:",
            "www.example.org",
            ":// .www https//x",
        ] {
            assert_eq!(
                facts(&shape(line.as_bytes())),
                facts(&naive_shape(line.as_bytes()))
            );
        }
        assert_eq!(
            facts(&shape(b"caf\xc3 \xff9:30")),
            facts(&naive_shape(b"caf\xc3 \xff9:30"))
        );
    }

    #[test]
    fn chinese_and_japanese_dates_are_dates() {
        for (line, date) in [
            ("2025年3月12日 10:24", true),
            ("2019年11月", true),
            ("发布于 3月", true),
            ("二〇二五年", false),
            ("一年又一年", false),
            ("第3章", false),
        ] {
            assert_eq!(shape_of(line).date_like, date, "{line}");
        }
    }

    /// The clock-time search as first written: every window of four bytes.
    fn naive_clock_time(t: &[u8]) -> bool {
        t.windows(4).any(|w| {
            w[0].is_ascii_digit() && w[1] == b':' && w[2].is_ascii_digit() && w[3].is_ascii_digit()
        })
    }

    proptest::proptest! {
        #[test]
        fn one_pass_shape_equals_the_naive_one(
            raw in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..48),
            text in "[ a-zA-Z0-9.,;:@/|>»•·–…’”\"'!?()\\-\\*\\t\u{a0}\u{2003}É٣½年月日的中の，、；。กทีไ่้฿๑क्\u{301}\u{fe0f}\u{20e3}❤]{0,40}",
        ) {
            proptest::prop_assert_eq!(facts(&shape(&raw)), facts(&naive_shape(&raw)));
            proptest::prop_assert_eq!(
                facts(&shape(text.as_bytes())),
                facts(&naive_shape(text.as_bytes()))
            );
        }

        /// The fused walk gives the shape and the normal form that the two
        /// walks give.
        #[test]
        fn fused_walk_equals_shape_and_normalize(
            raw in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..48),
            text in "[ a-zA-Z0-9.,;:@/|>»•·–…’”\"'!?()\\-\\*\\t\u{a0}\u{2003}\u{0}ÉİßΣ٣½Ⅻ年月日的中の，、；。กทีไ่้฿๑क्\u{301}\u{fe0f}\u{20e3}❤]{0,40}",
            any_text in proptest::prelude::any::<String>(),
            prose in "([ (\\-]?[a-zA-Z]{1,11}[ ,.:é”0-9]{0,2}){0,16}",
            times in "[0-9: a]{0,12}",
        ) {
            proptest::prop_assert_eq!(has_clock_time(times.as_bytes()), naive_clock_time(times.as_bytes()));
            let mut fused = Normalizer::new();
            let mut plain = Normalizer::new();
            let table = WordTable::new(&RuleSet::built_in());
            let (mut fast, mut split) = (Vec::new(), Vec::new());
            // Dirty from a longer line first: what the walk leaves past the
            // normal form must not show.
            let (mut padded, mut padded_known) = (vec![b'x'; 200], vec![b'y'; 200]);
            for line in [&raw[..], text.as_bytes(), any_text.as_bytes(), prose.as_bytes()] {
                let (info, n) = shape_and_normal(line, None, &mut fused, &mut padded);
                let normal = &padded[1..1 + n];
                if let Ok(text) = std::str::from_utf8(line) {
                    let (known, k) =
                        shape_and_normal(line, Some(text), &mut plain, &mut padded_known);
                    proptest::prop_assert_eq!(facts(&known), facts(&info));
                    proptest::prop_assert_eq!(&padded_known[1..1 + k], normal);
                }
                proptest::prop_assert_eq!(facts(&info), facts(&shape(line)));
                proptest::prop_assert_eq!(facts(&info), facts(&naive_shape(line)));
                proptest::prop_assert_eq!(normal, plain.normalize(line));
                // The padding the word table reads: a space before, spaces after.
                proptest::prop_assert_eq!(padded[0], b' ');
                proptest::prop_assert!(padded[1 + n..2 + n + PACKED].iter().all(|&b| b == b' '));
                proptest::prop_assert_eq!(
                    table.count(&padded[1..], n, &mut fast),
                    table.count_plain(normal, &mut split)
                );
                proptest::prop_assert_eq!(&fast, &split);
            }
        }
    }
}
