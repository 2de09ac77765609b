//! Lines and fingerprints: the first stage after reading.
//!
//! A document is a byte buffer. [`lines`] splits it at `\n` with memchr, and
//! each line is known by the byte range of its content (without the line end)
//! and of its whole extent (with it), so that kept lines are written back byte
//! for byte. [`Normalizer`] folds a line's case, digits, punctuation and
//! whitespace and hashes the result into a stable 64-bit [`fingerprint`]: two
//! lines that differ only in those respects count as the same line in the
//! corpus statistics.

use std::ops::Range;
use std::sync::OnceLock;

/// One line of a document, as byte offsets into the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineSpan {
    /// Offset of the first byte of the line.
    pub start: usize,
    /// Offset one past the last content byte (before `\r\n` or `\n`).
    pub content_end: usize,
    /// Offset one past the line end (equal to `content_end` on a last line
    /// without a terminator).
    pub end: usize,
}

impl LineSpan {
    /// The content bytes, without the line terminator.
    pub fn content<'a>(&self, doc: &'a [u8]) -> &'a [u8] {
        &doc[self.start..self.content_end]
    }

    /// The whole line, with its terminator.
    pub fn whole<'a>(&self, doc: &'a [u8]) -> &'a [u8] {
        &doc[self.start..self.end]
    }

    /// The byte range of the whole line.
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// Iterator over the lines of a buffer; see [`lines`].
#[derive(Clone, Debug)]
pub struct Lines<'a> {
    buf: &'a [u8],
    pos: usize,
}

/// Splits `buf` into lines at `\n`. A `\r` before the `\n` belongs to the
/// terminator, not the content. An empty buffer has no lines; a buffer ending
/// in `\n` has no empty last line.
///
/// ```
/// let doc = b"one\r\ntwo\nthree";
/// let contents: Vec<&[u8]> = boilerstrip::line::lines(doc).map(|l| l.content(doc)).collect();
/// assert_eq!(contents, [&b"one"[..], b"two", b"three"]);
/// ```
pub fn lines(buf: &[u8]) -> Lines<'_> {
    Lines { buf, pos: 0 }
}

impl Iterator for Lines<'_> {
    type Item = LineSpan;

    #[inline]
    fn next(&mut self) -> Option<LineSpan> {
        if self.pos >= self.buf.len() {
            return None;
        }
        let start = self.pos;
        match memchr::memchr(b'\n', &self.buf[start..]) {
            Some(i) => {
                let nl = start + i;
                let content_end = if nl > start && self.buf[nl - 1] == b'\r' {
                    nl - 1
                } else {
                    nl
                };
                self.pos = nl + 1;
                Some(LineSpan {
                    start,
                    content_end,
                    end: nl + 1,
                })
            }
            None => {
                self.pos = self.buf.len();
                Some(LineSpan {
                    start,
                    content_end: self.buf.len(),
                    end: self.buf.len(),
                })
            }
        }
    }
}

/// What each byte becomes in a normalised line: the lower-cased letter for
/// an ASCII letter (all at least `a`), [`DIGIT`] for a decimal digit, [`GAP`]
/// for ASCII whitespace and punctuation (a run of them becomes one space,
/// trimmed at the ends), [`NON_ASCII`] for the bytes of other characters.
static CLASS: [u8; 256] = {
    let mut t = [NON_ASCII; 256];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        t[i] = if b.is_ascii_alphabetic() {
            b.to_ascii_lowercase()
        } else if b.is_ascii_digit() {
            DIGIT
        } else {
            GAP
        };
        i += 1;
    }
    t
};
/// [`CLASS`]'s mark of whitespace and punctuation.
const GAP: u8 = 0;
/// [`CLASS`]'s mark of a digit: a run of digits becomes one `0`.
const DIGIT: u8 = 1;
/// [`CLASS`]'s mark of a byte of a multi-byte character (or not UTF-8).
const NON_ASCII: u8 = 2;

/// Folds lines into their normalised form and fingerprints them, reusing one
/// buffer so that no line allocates.
///
/// The normal form: letters lower-cased (Unicode-aware), every run of digits
/// replaced by one `0`, every run of whitespace, punctuation and symbols
/// replaced by one space, no space at either end. Bytes that are not valid
/// UTF-8 are kept as they are. So `"Share this post!"`, `"SHARE  this post"`
/// and `" share this post "` share one fingerprint, and so do
/// `"Posted 3 May 2012"` and `"Posted 17 May 2013"`.
///
/// ```
/// use boilerstrip::line::Normalizer;
/// let mut n = Normalizer::new();
/// assert_eq!(n.normalize(b"  Share THIS post! "), b"share this post");
/// assert_eq!(n.normalize("Page 12 of 30".as_bytes()), b"page 0 of 0");
/// let a = n.fingerprint(b"Share this post");
/// assert_eq!(a, n.fingerprint(b"share this post."));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Normalizer {
    /// Grows to the longest output yet and never shrinks: the output is
    /// written by index, so that the loop over ASCII bytes has no capacity
    /// checks to make.
    buf: Vec<u8>,
}

/// The stable 64-bit fingerprint of an already normalised line (XXH3, seed 0).
/// The empty line has fingerprint 0 by definition.
#[inline]
pub fn fingerprint(normalized: &[u8]) -> u64 {
    if normalized.is_empty() {
        0
    } else {
        xxhash_rust::xxh3::xxh3_64(normalized)
    }
}

impl Normalizer {
    /// A normaliser with an empty buffer.
    pub fn new() -> Normalizer {
        Normalizer::default()
    }

    /// The normal form of `line`, valid until the next call.
    pub fn normalize(&mut self, line: &[u8]) -> &[u8] {
        // The output never exceeds twice the input plus one: an ASCII byte
        // gives at most one byte and one space before it; a non-ASCII
        // character of n >= 2 bytes lower-cases to at most 3 bytes per 2 of
        // input (U+0130 gives `i` and U+0307), plus one space.
        let out = self.buffer(line.len());
        let mut w = NormalWriter::default();
        let mut i = 0;
        while i < line.len() {
            // Eight bytes of letters and single spaces at once: most of
            // prose.
            if let Some(c) = line.get(i..i + 8) {
                let c = u64::from_le_bytes(c.try_into().unwrap_or_default());
                if let Some(chunk) = Chunk::of(c) {
                    if w.n > 0 || !chunk.first_space() {
                        w.chunk(out, &chunk);
                        i += 8;
                        continue;
                    }
                }
            }
            let b = line[i];
            match CLASS[b as usize] {
                GAP => {
                    w.gap();
                    i += 1;
                    continue;
                }
                DIGIT => {
                    w.digit(out);
                    i += 1;
                    continue;
                }
                NON_ASCII => {}
                _ => {
                    // A run of ASCII letters, the bulk of most text: one
                    // table lookup and one store a byte.
                    w.word(out);
                    while let Some(&l) = line.get(i).map(|&b| &CLASS[b as usize]) {
                        if l < b'a' {
                            break;
                        }
                        w.byte(out, l);
                        i += 1;
                    }
                    continue;
                }
            }
            let len = utf8_len(b);
            match line.get(i..i + len).and_then(decode) {
                Some(c) => {
                    w.char(out, c);
                    i += len;
                }
                None => {
                    // Not UTF-8: keep the byte so distinct binary lines stay distinct.
                    w.word(out);
                    w.byte(out, b);
                    i += 1;
                }
            }
        }
        &self.buf[..w.n]
    }

    /// The buffer for the normal form of a line of `len` bytes: at least
    /// `2 * len + 1` bytes, the most the walk writes (see `normalize`).
    fn buffer(&mut self, len: usize) -> &mut [u8] {
        let need = 2 * len + 1;
        if self.buf.len() < need {
            self.buf.resize(need, 0);
        }
        &mut self.buf[..]
    }

    /// The fingerprint of `line`'s normal form.
    #[inline]
    pub fn fingerprint(&mut self, line: &[u8]) -> u64 {
        fingerprint(self.normalize(line))
    }
}

/// `0x01` in every byte of a `u64`.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte of a `u64`.
pub(crate) const HIGH: u64 = 0x8080_8080_8080_8080;

/// The number of bytes of `m` (a mask of high bits, [`HIGH`]'s bits only)
/// that are set: a multiply instead of `count_ones`, which the baseline
/// x86-64 target has no instruction for.
#[inline(always)]
pub(crate) fn count_high(m: u64) -> u32 {
    ((m >> 7).wrapping_mul(ONES) >> 56) as u32
}

/// Eight bytes of a line (little-endian) that are all ASCII letters or
/// spaces, with no two spaces side by side: the bulk of prose, whose normal
/// form is the bytes lower-cased and whose shape counts come from masks.
/// The masks hold the high bit of each byte they mark.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Chunk {
    /// The bytes, lower-cased (a space stays a space).
    pub lower: u64,
    /// The spaces.
    pub spaces: u64,
    /// The upper-case letters.
    pub uppers: u64,
}

impl Chunk {
    /// The chunk of the eight bytes `c`, if they qualify.
    #[inline(always)]
    pub fn of(c: u64) -> Option<Chunk> {
        if c & HIGH != 0 {
            return None;
        }
        // Every byte is below 0x80 and every addend below 0x80: no carry
        // crosses a byte, so each byte's high bit answers for that byte.
        let lower = c | (0x20 * ONES);
        let ge_a = lower.wrapping_add((0x80 - b'a' as u64) * ONES);
        let gt_z = lower.wrapping_add((0x80 - b'{' as u64) * ONES);
        let letters = ge_a & !gt_z & HIGH;
        let not_space = (c ^ (0x20 * ONES)).wrapping_add(0x7F * ONES);
        let spaces = !not_space & HIGH;
        if letters | spaces != HIGH || spaces & (spaces >> 8) != 0 {
            return None;
        }
        Some(Chunk {
            lower,
            spaces,
            // A letter is upper-case when its 0x20 bit is clear.
            uppers: (!c << 2) & letters,
        })
    }

    /// Whether the first byte is a space.
    #[inline(always)]
    pub fn first_space(&self) -> bool {
        self.spaces & 0x80 != 0
    }

    /// Whether the last byte is a space.
    #[inline(always)]
    pub fn last_space(&self) -> bool {
        self.spaces >> 63 != 0
    }
}

/// The state of a normal form being written into a buffer, shared by
/// [`Normalizer::normalize`] and the line-shape walk that writes the normal
/// form as it counts (`features`): bytes written, a space owed before the
/// next word byte (never before the first), the last thing written a digit
/// run's `0`.
#[derive(Default)]
pub(crate) struct NormalWriter {
    /// Bytes written.
    pub n: usize,
    gap: bool,
    last_digit: bool,
}

impl NormalWriter {
    /// A word starts: the owed space, if any.
    #[inline(always)]
    pub fn word(&mut self, out: &mut [u8]) {
        if self.gap {
            out[self.n] = b' ';
            self.n += 1;
            self.gap = false;
        }
        self.last_digit = false;
    }

    /// One byte of a word already started by [`NormalWriter::word`].
    #[inline(always)]
    pub fn byte(&mut self, out: &mut [u8], b: u8) {
        out[self.n] = b;
        self.n += 1;
    }

    /// A digit: a run of them is one `0`.
    #[inline(always)]
    pub fn digit(&mut self, out: &mut [u8]) {
        if !self.last_digit {
            self.word(out);
            self.byte(out, b'0');
            self.last_digit = true;
        }
    }

    /// Punctuation or whitespace: the next word is owed a space.
    #[inline(always)]
    pub fn gap(&mut self) {
        self.gap = self.n > 0;
        self.last_digit = false;
    }

    /// A [`Chunk`], which must not open the normal form with its space
    /// (`n > 0` or no space first): what writing its bytes one by one
    /// writes. A first space is the one owed before the word that follows
    /// it; a last space is owed, not written, as a gap at the line's end
    /// leaves nothing. `out` holds the nine bytes stored from `n`: the
    /// first `i` bytes of a line give at most `2 i` bytes of normal form,
    /// and a chunk starts at `i <= len - 8` of a buffer of `2 len + 1`.
    #[inline(always)]
    pub fn chunk(&mut self, out: &mut [u8], c: &Chunk) {
        if self.gap && !c.first_space() {
            out[self.n] = b' ';
            self.n += 1;
        }
        out[self.n..self.n + 8].copy_from_slice(&c.lower.to_le_bytes());
        let last_space = c.last_space();
        self.n += 8 - last_space as usize;
        self.gap = last_space;
        self.last_digit = false;
    }

    /// A decoded character other than an ASCII letter or digit.
    #[inline(always)]
    pub fn char(&mut self, out: &mut [u8], c: char) {
        if is_alphabetic(c) {
            self.word(out);
            self.n += write_lower(&mut out[self.n..], c);
        } else if is_numeric(c) {
            self.digit(out);
        } else {
            self.mark_or_gap(out, c);
        }
    }

    /// A character that is neither a letter nor a digit. A combining mark
    /// belongs to the letter before it: Thai's tone marks and the viramas
    /// of the Indic scripts fall inside words, which a gap would cut in
    /// two. A mark after anything else (a variation selector after an
    /// emoji, a keycap after a digit) is not a word of its own. Out of line
    /// (it runs 1,400 times on the 12 MB benchmark sample): inlined into
    /// the normaliser's loop, the loop compiled 14 M instructions longer on
    /// that sample; out of line, 9 M (0.9 % of the run).
    #[inline(never)]
    fn mark_or_gap(&mut self, out: &mut [u8], c: char) {
        if self.in_letters() && is_mark(c) {
            self.n += c.encode_utf8(&mut out[self.n..]).len();
        } else {
            self.gap();
        }
    }

    /// Whether the last thing written is a letter (or a mark on one).
    #[inline(always)]
    fn in_letters(&self) -> bool {
        self.n > 0 && !self.gap && !self.last_digit
    }
}

/// Writes `c` lower-cased at the start of `out` and returns the bytes
/// written (at most three for two of input: see `Normalizer::normalize`).
/// A letter that is its own lower case (every letter of a script without
/// case) is copied without core's table search (about 40 instructions a
/// character). Out of line for the same reason as [`other_alphabetic`].
#[inline(never)]
fn write_lower(out: &mut [u8], c: char) -> usize {
    // The block of the kana and the ideographs, which has no case (a test
    // checks every character of it): one range test, where asking
    // `is_cjk`'s eight ranges cost 129 M instructions more on 7.2 MB of
    // Chinese and Japanese pages.
    if matches!(c, '\u{3040}'..='\u{9FFF}') || has(c, Property::OwnLower) {
        return c.encode_utf8(out).len();
    }
    let mut n = 0;
    for lc in c.to_lowercase() {
        n += lc.encode_utf8(&mut out[n..]).len();
    }
    n
}

/// The character that the bytes `s` (two to four) encode, if they are one
/// character of well-formed UTF-8, as `std::str::from_utf8` judges it (no
/// overlong form, no surrogate, nothing above U+10FFFF; checked against it
/// for every sequence of two and three bytes): by hand, where calling
/// `from_utf8` for each character took about 60 instructions a character of
/// a page of Chinese.
#[inline]
fn decode(s: &[u8]) -> Option<char> {
    // The well-formed sequences of RFC 3629, table by table.
    let low = |b: u8| u32::from(b & 0x3F);
    let c = match *s {
        [a @ 0xC2..=0xDF, b @ 0x80..=0xBF] => u32::from(a & 0x1F) << 6 | low(b),
        [a @ 0xE0, b @ 0xA0..=0xBF, c @ 0x80..=0xBF]
        | [a @ (0xE1..=0xEC | 0xEE..=0xEF), b @ 0x80..=0xBF, c @ 0x80..=0xBF]
        | [a @ 0xED, b @ 0x80..=0x9F, c @ 0x80..=0xBF] => {
            u32::from(a & 0x0F) << 12 | low(b) << 6 | low(c)
        }
        [a @ 0xF0, b @ 0x90..=0xBF, c @ 0x80..=0xBF, d @ 0x80..=0xBF]
        | [a @ 0xF1..=0xF3, b @ 0x80..=0xBF, c @ 0x80..=0xBF, d @ 0x80..=0xBF]
        | [a @ 0xF4, b @ 0x80..=0x8F, c @ 0x80..=0xBF, d @ 0x80..=0xBF] => {
            u32::from(a & 0x07) << 18 | low(b) << 12 | low(c) << 6 | low(d)
        }
        _ => return None,
    };
    char::from_u32(c)
}

#[inline]
fn utf8_len(first: u8) -> usize {
    match first {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    }
}

/// `c.is_alphabetic()`, with the blocks of most web text that is not
/// ASCII answered by their ranges: Latin-1 and the Latin Extended letters,
/// Cyrillic, and General Punctuation (curly quotes, dashes, spaces; none
/// alphabetic). Core's table search took about 300 instructions a
/// character that is not ASCII (callgrind, 12 MB of the evaluation pages).
/// Checked against `char::is_alphabetic` for every `char`.
#[inline]
pub(crate) fn is_alphabetic(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' => true,
        '\0'..='\u{BF}' => matches!(c, 'ª' | 'µ' | 'º'),
        '\u{C0}'..='\u{2C1}' => c != '×' && c != '÷',
        '\u{400}'..='\u{481}' | '\u{48A}'..='\u{52F}' => true,
        '\u{2000}'..='\u{206F}' => false,
        _ => other_alphabetic(c),
    }
}

/// [`is_alphabetic`] for the characters its inlined ranges leave: the kana
/// and Han ideographs of Chinese and Japanese ([`is_cjk`], all letters) and
/// their punctuation by their ranges (core's table search took about 100
/// instructions a character of a page of Chinese), the rest of the Basic
/// Multilingual Plane by [`has`]'s table (core's search took 700 a
/// character of a page of Thai). Out of
/// line, so that the walks that inline [`is_alphabetic`] stay as short as
/// they were (the ranges inlined cost 13 M instructions on the 12 MB
/// benchmark sample, which has none).
#[inline(never)]
fn other_alphabetic(c: char) -> bool {
    match c {
        // Spaces, marks, brackets, full-width ASCII symbols.
        '\u{3000}'..='\u{3004}' | '\u{3008}'..='\u{3020}' | '\u{FF01}'..='\u{FF0F}' => false,
        _ => is_cjk(c) || has(c, Property::Alphabetic),
    }
}

/// What the walks ask of a character that their inlined ranges leave, and
/// core or Unicode's tables answer slowly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Property {
    /// `char::is_alphabetic`.
    Alphabetic,
    /// `char::is_numeric`.
    Numeric,
    /// Unicode's general category M ([`is_mark`]).
    Mark,
    /// `char::to_lowercase` gives the character itself.
    OwnLower,
}

impl Property {
    const ALL: [Property; 4] = [
        Property::Alphabetic,
        Property::Numeric,
        Property::Mark,
        Property::OwnLower,
    ];

    /// The answer of core (or of Unicode's table) for `c`.
    fn of(self, c: char) -> bool {
        use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};
        match self {
            Property::Alphabetic => c.is_alphabetic(),
            Property::Numeric => c.is_numeric(),
            Property::Mark => c.general_category_group() == GeneralCategoryGroup::Mark,
            Property::OwnLower => {
                let mut lower = c.to_lowercase();
                lower.next() == Some(c) && lower.next().is_none()
            }
        }
    }
}

/// Whether `c` has the property `p`, by a table of the Basic Multilingual
/// Plane, a bit a character and property, each block of 256 characters
/// (128 bytes) worked out from [`Property::of`] the first time a character
/// of it is asked about. Core searches a list of ranges for
/// `is_alphabetic`, which for most scripts took 40 to 330 ns a character
/// (from Arabic to Georgian; ASCII and CJK are fast; Thai about 700
/// instructions), and tables for the others (`is_numeric` about 200
/// instructions), in each of the two walks over every line. Characters past
/// the plane are left to [`Property::of`].
fn has(c: char, p: Property) -> bool {
    static BLOCKS: [OnceLock<[u64; 16]>; 256] = [const { OnceLock::new() }; 256];
    let u = u32::from(c);
    let Some(block) = BLOCKS.get((u >> 8) as usize) else {
        return p.of(c);
    };
    let bits = block.get_or_init(|| {
        let mut bits = [0u64; 16];
        for k in 0..256 {
            let Some(c) = char::from_u32(u & !0xFF | k) else {
                continue;
            };
            for p in Property::ALL {
                if p.of(c) {
                    bits[p as usize * 4 + (k / 64) as usize] |= 1 << (k % 64);
                }
            }
        }
        bits
    });
    bits[p as usize * 4 + (u >> 6 & 3) as usize] >> (u & 63) & 1 != 0
}

/// Whether `c` is a combining mark (Unicode's general category M: `Mn`,
/// `Mc`, `Me`): the tone marks of Thai and Lao, the viramas and nuktas of
/// the Indic scripts, the combining accents of text in decomposed form
/// (the vowel signs of those scripts are marks too, but letters to
/// [`is_alphabetic`], which is asked first). Latin, Greek, Cyrillic and
/// General Punctuation, most of what reaches this test, are answered by
/// their ranges.
#[inline]
pub(crate) fn is_mark(c: char) -> bool {
    match c {
        '\0'..='\u{2FF}' | '\u{370}'..='\u{482}' | '\u{48A}'..='\u{590}' => false,
        '\u{2000}'..='\u{20CF}' => false,
        '\u{300}'..='\u{36F}' => true,
        _ => has(c, Property::Mark),
    }
}

/// Whether `c` is a letter or mark of Thai, which is written without
/// spaces between words (its spaces end phrases and sentences). Its tone
/// marks are not letters to `char::is_alphabetic`, but they are inside
/// words. Thai's digits, currency sign and punctuation are not among them.
#[inline]
pub(crate) fn is_thai(c: char) -> bool {
    matches!(c, '\u{E01}'..='\u{E3A}' | '\u{E40}'..='\u{E4E}')
}

/// Whether `c` is a Thai vowel written before the consonant it follows in
/// speech (เ แ โ ใ ไ): a syllable does not end just after one.
#[inline]
pub(crate) fn is_thai_leading_vowel(c: char) -> bool {
    matches!(c, '\u{E40}'..='\u{E44}')
}

/// Whether `c` is a Thai vowel or mark that follows a consonant of its
/// syllable (the vowels from ะ to ฺ, ๅ, the tone marks and the other
/// signs from ็ to ๎): a syllable does not begin just before one.
#[inline]
pub(crate) fn is_thai_follower(c: char) -> bool {
    matches!(c, '\u{E30}'..='\u{E3A}' | '\u{E45}' | '\u{E47}'..='\u{E4E}')
}

/// Whether the letter `c` is of a script written without spaces between
/// words: the Han ideographs of Chinese and Japanese (and of Korean
/// Hanja) and the Japanese kana, full and half width. Hangul is written
/// with spaces and is not among them. A line of such letters has its words
/// counted from its characters (`features`), since its spaces are few.
#[inline]
pub(crate) fn is_cjk(c: char) -> bool {
    match c {
        '\u{3041}'..='\u{3096}'
        | '\u{309D}'..='\u{309F}'
        | '\u{30A1}'..='\u{30FA}'
        | '\u{30FC}'..='\u{30FF}'
        | '\u{31F0}'..='\u{31FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{FF66}'..='\u{FF9D}' => true,
        // Blocks with unassigned code points among the letters.
        '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3134F}' => c.is_alphabetic(),
        _ => false,
    }
}

/// `c.is_numeric()`, with the same blocks as [`is_alphabetic`] answered by
/// their ranges (below U+0530 only ASCII digits and `²³¹¼½¾` are numeric;
/// General Punctuation has none), the rest by [`has`]'s table: core's table
/// search took about 200 instructions a call, made for every character that
/// is not ASCII and not a letter. Checked against `char::is_numeric` for
/// every `char`.
#[inline]
pub(crate) fn is_numeric(c: char) -> bool {
    match c {
        '0'..='9' => true,
        '\0'..='\u{52F}' => matches!(c, '²' | '³' | '¹' | '¼' | '½' | '¾'),
        '\u{2000}'..='\u{206F}' => false,
        _ => other_numeric(c),
    }
}

/// [`is_numeric`] for the characters its ranges leave, by [`has`]'s table.
/// Out of line for the same reason as [`other_alphabetic`].
#[inline(never)]
fn other_numeric(c: char) -> bool {
    has(c, Property::Numeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_keep_terminators() {
        let doc = b"a\r\n\nb\n";
        let spans: Vec<_> = lines(doc).collect();
        assert_eq!(spans.len(), 3);
        assert_eq!(spans[0].content(doc), b"a");
        assert_eq!(spans[0].whole(doc), b"a\r\n");
        assert_eq!(spans[1].content(doc), b"");
        assert_eq!(spans[2].whole(doc), b"b\n");
    }

    #[test]
    fn normal_form_folds_case_digits_punctuation() {
        let mut n = Normalizer::new();
        assert_eq!(
            n.normalize("© 2025 Foo, Inc. — All Rights Reserved.".as_bytes()),
            "0 foo inc all rights reserved".as_bytes()
        );
        assert_eq!(
            n.normalize("ÉCOLE Élève".as_bytes()),
            "école élève".as_bytes()
        );
        assert_eq!(n.normalize(b"   "), b"");
        assert_eq!(n.normalize(b"a\xffb"), b"a\xffb");
    }

    #[test]
    fn is_mark_is_the_general_category() {
        use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            let mark = c.general_category_group() == GeneralCategoryGroup::Mark;
            assert_eq!(is_mark(c), mark, "{:04X}", c as u32);
        }
    }

    #[test]
    fn normal_form_keeps_marks_inside_words() {
        let mut n = Normalizer::new();
        // Thai tone marks, a Devanagari virama, a decomposed accent.
        assert_eq!(n.normalize("ที่นี่ ได้".as_bytes()), "ที่นี่ ได้".as_bytes());
        assert_eq!(n.normalize("प्रधानमंत्री".as_bytes()), "प्रधानमंत्री".as_bytes());
        assert_eq!(
            n.normalize("Re\u{301}sume\u{301}".as_bytes()),
            "re\u{301}sume\u{301}".as_bytes()
        );
        // A mark after no letter is not a word: an emoji's variation
        // selector, a keycap, a mark opening the line.
        assert_eq!(
            n.normalize("Love \u{2764}\u{FE0F} it".as_bytes()),
            b"love it"
        );
        assert_eq!(n.normalize("1\u{FE0F}\u{20E3} step".as_bytes()), b"0 step");
        assert_eq!(n.normalize("\u{301}a".as_bytes()), b"a");
    }

    /// [`decode`] as `std::str::from_utf8` answers.
    fn decode_by_std(s: &[u8]) -> Option<char> {
        std::str::from_utf8(s)
            .ok()
            .and_then(|t| t.chars().next())
            .filter(|c| c.len_utf8() == s.len())
    }

    #[test]
    fn decoding_by_hand_is_from_utf8() {
        for a in 0x80..=0xFFu8 {
            for b in 0..=0xFFu8 {
                assert_eq!(decode(&[a, b]), decode_by_std(&[a, b]), "{a:x} {b:x}");
                for c in 0..=0xFFu8 {
                    let s = [a, b, c];
                    assert_eq!(decode(&s), decode_by_std(&s), "{s:x?}");
                }
            }
        }
        // Four bytes: every lead byte with the edges of each continuation.
        let edges = [0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF];
        for a in 0xF0..=0xFFu8 {
            for b in edges {
                for c in edges {
                    for d in edges {
                        let s = [a, b, c, d];
                        assert_eq!(decode(&s), decode_by_std(&s), "{s:x?}");
                    }
                }
            }
        }
    }

    #[test]
    fn cjk_letters_are_letters() {
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            if is_cjk(c) {
                assert!(
                    c.is_alphabetic() && !c.is_uppercase(),
                    "{:#x}",
                    u32::from(c)
                );
                assert_eq!(c.to_lowercase().collect::<String>(), c.to_string());
            }
        }
        // `write_lower` copies this block as it is.
        for c in '\u{3040}'..='\u{9FFF}' {
            assert_eq!(c.to_lowercase().collect::<String>(), c.to_string());
        }
        assert!(is_cjk('中') && is_cjk('の') && is_cjk('カ'));
        assert!(!is_cjk('한') && !is_cjk('。') && !is_cjk('a'));
    }

    #[test]
    fn alphabetic_and_numeric_by_ranges_are_chars() {
        let mut out = [0u8; 8];
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            assert_eq!(is_alphabetic(c), c.is_alphabetic(), "{:#x}", u32::from(c));
            assert_eq!(is_numeric(c), c.is_numeric(), "{:#x}", u32::from(c));
            let n = write_lower(&mut out, c);
            assert_eq!(&out[..n], c.to_lowercase().to_string().as_bytes(), "{c:?}");
        }
    }

    /// The normal form as the first, byte-by-byte version of `normalize`
    /// built it: the oracle of the fast path.
    fn naive_normalize(line: &[u8]) -> Vec<u8> {
        use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};
        let mut out = Vec::new();
        let mut gap = false;
        let mut last_digit = false;
        let mut i = 0;
        let push = |out: &mut Vec<u8>, gap: &mut bool, b: u8| {
            if *gap && !out.is_empty() {
                out.push(b' ');
            }
            *gap = false;
            out.push(b);
        };
        while i < line.len() {
            let len = if line[i] < 0x80 { 1 } else { utf8_len(line[i]) };
            let c = line
                .get(i..i + len)
                .and_then(|s| std::str::from_utf8(s).ok())
                .and_then(|s| s.chars().next());
            match c {
                Some(c) if c.is_alphabetic() => {
                    if gap && !out.is_empty() {
                        out.push(b' ');
                    }
                    gap = false;
                    last_digit = false;
                    out.extend(c.to_lowercase().collect::<String>().bytes());
                }
                Some(c) if c.is_numeric() => {
                    if !last_digit {
                        push(&mut out, &mut gap, b'0');
                        last_digit = true;
                    }
                }
                Some(c)
                    if !gap
                        && !last_digit
                        && !out.is_empty()
                        && c.general_category_group() == GeneralCategoryGroup::Mark =>
                {
                    let mut b = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
                }
                Some(_) => {
                    gap = true;
                    last_digit = false;
                }
                None => {
                    push(&mut out, &mut gap, line[i]);
                    last_digit = false;
                    i += 1;
                    continue;
                }
            }
            i += len;
        }
        out
    }

    #[test]
    fn no_character_lowercases_past_the_output_bound() {
        // `normalize` sizes its buffer at two bytes of output per byte of
        // input plus one: a space and the lower-cased character per character.
        for c in (0..=char::MAX as u32).filter_map(char::from_u32) {
            let lower: usize = c.to_lowercase().map(char::len_utf8).sum();
            assert!(lower < 2 * c.len_utf8(), "{c:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn fast_normal_form_equals_the_naive_one(
            line in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
            text in "[ a-zA-Z0-9.,é—İß’\\t½٣]{0,40}",
            prose in "([ (]?[a-zA-Z]{1,11}[ ,.é0-9]{0,2}){0,16}",
        ) {
            let mut n = Normalizer::new();
            proptest::prop_assert_eq!(n.normalize(&line), &naive_normalize(&line)[..]);
            proptest::prop_assert_eq!(n.normalize(text.as_bytes()), &naive_normalize(text.as_bytes())[..]);
            proptest::prop_assert_eq!(n.normalize(prose.as_bytes()), &naive_normalize(prose.as_bytes())[..]);
        }
    }

    #[test]
    fn chunks_are_letters_and_single_spaces() {
        let chunk = |s: &[u8; 8]| Chunk::of(u64::from_le_bytes(*s));
        let c = chunk(b" Ab cDef").expect("letters and single spaces");
        assert_eq!(&c.lower.to_le_bytes(), b" ab cdef");
        assert!(c.first_space() && !c.last_space());
        assert_eq!(count_high(c.spaces), 2);
        assert_eq!(count_high(c.uppers), 2);
        for no in [
            b"ab  cdef",
            b"abc,defg",
            b"abc\tdefg",
            b"abcd3efg",
            b"ab@[`{de",
            b"abcdef\xc3\xa9",
        ] {
            assert!(chunk(no).is_none(), "{:?}", String::from_utf8_lossy(no));
        }
        // Every byte value, in every position, against the byte-wise test.
        for b in 0..=255u8 {
            for at in 0..8 {
                let mut s = *b"abcdefgh";
                s[at] = b;
                let ok = b.is_ascii_alphabetic()
                    || (b == b' '
                        && (at == 0 || s[at - 1] != b' ')
                        && (at == 7 || s[at + 1] != b' '));
                let c = chunk(&s);
                assert_eq!(c.is_some(), ok, "{b:#x} at {at}");
                if let Some(c) = c {
                    assert_eq!(c.lower.to_le_bytes(), s.map(|b| b.to_ascii_lowercase()));
                    assert_eq!(count_high(c.uppers), b.is_ascii_uppercase() as u32);
                }
            }
        }
    }
}
