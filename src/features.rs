//! Line features: what the classifier knows of each line, from the line
//! itself (shape), the corpus statistics (recurrence in the site and corpus),
//! the lexicon, the page (repeats, position) and the neighbouring lines.
//!
//! Features are named ([`STAGE1`]) so that the model file maps weights to
//! them by name and a reader of `src/model/line-model.txt` can see what each
//! weight means.

use crate::line::{count_high, lines, Chunk, LineSpan, NormalWriter, Normalizer, HIGH, ONES};
use crate::rules::{push_symbol, MatchMode, RuleSet, Symbol};
use crate::stats::{site_key, FpMap, LineStats};

/// The facts gathered about one line before features are derived.
#[derive(Clone, Debug, Default)]
pub struct LineInfo {
    /// Fingerprint of the normal form (0 for a line without letters or digits).
    pub fp: u64,
    /// Words of the normal form.
    pub words: u32,
    /// Characters other than whitespace.
    pub chars: u32,
    /// Letters among them.
    pub letters: u32,
    /// Decimal digits among them.
    pub digits: u32,
    /// Upper-case letters.
    pub uppers: u32,
    /// Words that start with an upper-case letter.
    pub capitalized: u32,
    /// Words that are stopwords.
    pub stopwords: u32,
    /// Commas and semicolons.
    pub commas: u32,
    /// Separator symbols typical of menus and breadcrumbs: `| » › · > / •`.
    pub separators: u32,
    /// Ends with sentence punctuation (`. ! ? : ;` or a closing quote after one).
    pub end_punct: bool,
    /// Ends with an ellipsis or a word cut short.
    pub truncated: bool,
    /// Starts with a list bullet.
    pub bullet: bool,
    /// First character is a lower-case letter.
    pub starts_lower: bool,
    /// Looks like it holds a URL or e-mail address.
    pub url: bool,
    /// Holds a clock time (`9:46`, `12:00 am`): comment and post stamps.
    pub has_time: bool,
    /// Holds a month name (English) beside a number: dates of bylines,
    /// comments and teasers.
    pub date_like: bool,
    /// Occurrences of the normal form in this document.
    pub page_count: u32,
    /// An earlier line of the document has the same normal form.
    pub page_seen_before: bool,
    /// Documents of the site with this line (0 without a site).
    pub site_df: u32,
    /// Documents of the site.
    pub site_docs: u32,
    /// Documents of the corpus with this line.
    pub corpus_df: u32,
    /// The lexicon phrase that matched.
    pub lex_hit: Option<u32>,
    /// Whether that phrase matched the whole line.
    pub lex_whole: bool,
    /// A protecting phrase matched.
    pub protect: Option<u32>,
    /// A weak phrase matched.
    pub weak: Option<u32>,
    /// Holds letters of a script written without spaces (Han, kana, Thai), whose
    /// words and stopwords are counted from its characters as well as from
    /// its spaces.
    pub unspaced: bool,
    /// The line (three words or more) is part of the document's first line,
    /// which scrapers fill with the page title: an article's headline is
    /// usually its title without the site's name.
    pub in_title: bool,
}

impl LineInfo {
    /// Whether the line has no visible characters.
    pub fn blank(&self) -> bool {
        self.chars == 0
    }

    /// A long line that reads as prose: the kind of line articles are made of.
    pub fn prose_words(&self) -> u32 {
        if self.words >= 12 && self.stopwords * 6 >= self.words {
            self.words
        } else {
            0
        }
    }
}

/// Reusable buffers for one thread's work on one document at a time.
#[derive(Debug, Default)]
pub struct Scratch {
    pub(crate) norm: Normalizer,
    pub(crate) padded: Vec<u8>,
    /// The lexicon symbols of a line's words.
    pub(crate) symbols: Vec<u8>,
    pub(crate) title: Vec<u8>,
    /// Offsets of the spaces of `title`, where a line found in it starts.
    pub(crate) title_words: Vec<usize>,
    pub(crate) infos: Vec<LineInfo>,
    /// Where each line of `infos` sits in the text, for callers that go
    /// over the lines again (run statistics, the kept text) without
    /// splitting the text again.
    pub(crate) spans: Vec<LineSpan>,
    pub(crate) counts: FpMap<u32>,
    pub(crate) fps: Vec<u64>,
    pub(crate) x1: Vec<f32>,
    pub(crate) p1: Vec<f32>,
    pub(crate) x2: Vec<f32>,
    pub(crate) p2: Vec<f32>,
    /// Each line's words as stage 2 reads them, for stage 3.
    pub(crate) words: Vec<f64>,
    pub(crate) x3: Vec<f32>,
    pub(crate) content: Vec<usize>,
    pub(crate) worded: Vec<usize>,
}

/// The word table, built once: for each stopword and each word of the
/// lexicon's phrases, whether it is a stopword and its lexicon symbol
/// (`rules::Symbol`), so that one lookup a word of a line gives
/// both its stopword count and the symbols the lexicon matches.
///
/// Words of up to eight bytes (all the stopwords and most lexicon words)
/// are kept as the word's bytes packed into a `u64` in a small
/// open-addressing table: one multiply and, for most words, one probe,
/// where hashing every word of every line with XXH3 into a `HashMap` cost
/// pass 2 about 4 % of its instructions. A normalised word never holds a NUL
/// byte (NUL is punctuation to [`Normalizer`]), so zero padding cannot make
/// two words one key, and the key 0 marks an empty slot.
///
/// A value packs: bit 0, stopword; bits 1-2, the symbol's length; bytes
/// 1-3, the symbol. 0 is a word in neither list.
#[derive(Clone, Debug)]
pub struct WordTable {
    /// Packed words, `len` a power of two at least four times the count.
    short: Vec<u64>,
    /// The value of each slot of `short`.
    values: Vec<u32>,
    /// `64 - log2(short.len())`: the shift that takes a hash to a slot.
    shift: u32,
    /// Values of longer words, by fingerprint.
    long: FpMap<u32>,
    /// A bit for each longer word's first eight bytes ([`WordTable::first`]):
    /// most long words of a text are in neither list, and this tells most of
    /// them so without hashing the word (which cost 3.6 % of a run).
    long_first: [u64; LONG_FIRST_WORDS],
    /// The stopwords that are one character of a script written without
    /// spaces, which in such text count wherever they stand: a bit for each
    /// character from [`CJK_STOPS_FROM`].
    cjk_stops: Vec<u64>,
    /// The stopwords of Thai, found inside its runs of letters
    /// ([`WordTable::thai_stops`]): Thai's spaces end phrases, not words.
    thai_stops: aho_corasick::AhoCorasick,
}

/// `u64`s of [`WordTable::long_first`]: 4,096 bits, for a few hundred long
/// words (210 in the built-in lexicon) about one false alarm in twenty.
const LONG_FIRST_WORDS: usize = 64;

/// The longest word [`WordTable`] packs into a `u64`.
const PACKED: usize = 8;

/// Fibonacci hashing's multiplier (2^64 / golden ratio): spreads the packed
/// bytes of a word into the high bits, which pick the slot.
const SPREAD: u64 = 0x9E37_79B9_7F4A_7C15;

/// [`WordTable`]'s value bit of a stopword.
const STOP: u32 = 1;

#[inline]
fn pack(word: &[u8]) -> u64 {
    let mut k = [0u8; PACKED];
    k[..word.len()].copy_from_slice(word);
    u64::from_le_bytes(k)
}

/// The symbol bytes of a [`WordTable`] value.
#[inline]
fn symbol_of(value: u32) -> ([u8; 4], usize) {
    (value.to_le_bytes(), (value >> 1 & 3) as usize)
}

/// The built-in stopword list (`src/model/stopwords.txt`).
fn built_in_stopwords() -> impl Iterator<Item = &'static str> + Clone {
    include_str!("model/stopwords.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .flat_map(str::split_whitespace)
}

impl WordTable {
    /// The built-in stopwords and the words of `rules`' phrases.
    pub fn new(rules: &RuleSet) -> WordTable {
        WordTable::from_words(built_in_stopwords().map(str::as_bytes), rules.symbols())
    }

    /// A table of the stopwords `stopwords` and the words `lexicon` with
    /// their symbols.
    fn from_words<'a, 'b>(
        stopwords: impl Iterator<Item = &'a [u8]>,
        lexicon: impl Iterator<Item = (&'b [u8], Symbol)>,
    ) -> WordTable {
        let mut entries: Vec<(&[u8], u32)> = Vec::new();
        let mut cjk_stops = Vec::new();
        let mut thai_stops = Vec::new();
        for w in stopwords {
            // A stopword of one Han or kana character (all from
            // `CJK_STOPS_FROM` up) is a bit; a Thai one, a pattern; any
            // other, an entry.
            let mut chars = std::str::from_utf8(w).map_or("".chars(), str::chars);
            match (chars.next(), chars.next()) {
                (Some(c), None) if crate::line::is_cjk(c) => {
                    let k = c as usize - CJK_STOPS_FROM as usize;
                    if cjk_stops.len() <= k / 64 {
                        cjk_stops.resize(k / 64 + 1, 0);
                    }
                    cjk_stops[k / 64] |= 1 << (k % 64);
                }
                (Some(c), _) if crate::line::is_thai(c) => thai_stops.push(w),
                _ => entries.push((w, STOP)),
            }
        }
        let thai_stops = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(thai_stops)
            .expect("a few short patterns build");
        for (w, symbol) in lexicon {
            let mut value = u32::from(symbol.len) << 1;
            for (k, &b) in symbol.as_slice().iter().enumerate() {
                value |= u32::from(b) << (8 * (k + 1));
            }
            entries.push((w, value));
        }
        let short_count = entries.iter().filter(|(w, _)| w.len() <= PACKED).count();
        let size = (4 * short_count).next_power_of_two().max(16);
        let mut table = WordTable {
            short: vec![0; size],
            values: vec![0; size],
            shift: 64 - size.trailing_zeros(),
            long: FpMap::default(),
            long_first: [0; LONG_FIRST_WORDS],
            cjk_stops,
            thai_stops,
        };
        for (w, value) in entries {
            if w.len() <= PACKED {
                let key = pack(w);
                let mut slot = table.slot(key);
                while table.short[slot] != 0 && table.short[slot] != key {
                    slot = (slot + 1) & (size - 1);
                }
                table.short[slot] = key;
                table.values[slot] |= value;
            } else {
                *table.long.entry(crate::line::fingerprint(w)).or_insert(0) |= value;
                let (word, bit) = WordTable::first(pack(&w[..PACKED]));
                table.long_first[word] |= bit;
            }
        }
        table
    }

    /// The word and bit of [`WordTable::long_first`] for a long word whose
    /// first eight bytes, [`pack`]ed, are `key`.
    #[inline]
    fn first(key: u64) -> (usize, u64) {
        let h = (key.wrapping_mul(SPREAD) >> 52) as usize;
        (h / 64, 1 << (h % 64))
    }

    #[inline]
    fn slot(&self, key: u64) -> usize {
        (key.wrapping_mul(SPREAD) >> self.shift) as usize
    }

    /// The value of `word` (a word of a normal form: not empty, no NUL).
    #[inline]
    fn value(&self, word: &[u8]) -> u32 {
        if word.len() > PACKED {
            return self.long_value(word);
        }
        self.packed_value(pack(word))
    }

    /// Whether `word` is a stopword.
    #[cfg(test)]
    fn contains(&self, word: &[u8]) -> bool {
        self.value(word) & STOP != 0
    }

    /// [`WordTable::value`] for a word longer than [`PACKED`].
    fn long_value(&self, word: &[u8]) -> u32 {
        let (at, bit) = WordTable::first(pack(&word[..PACKED]));
        if self.long_first[at] & bit == 0 {
            return 0;
        }
        self.long
            .get(&crate::line::fingerprint(word))
            .copied()
            .unwrap_or(0)
    }

    /// The words and the stopwords of the normal form `line[..end]`, which
    /// must be followed by a space and at least eight more bytes, and the
    /// lexicon symbols of its words into `symbols`
    /// ([`crate::rules::push_symbol`]): each word is read as one `u64`,
    /// whose first space ends it and whose bytes, masked to the word, are
    /// its [`pack`]ed key. What splitting at spaces and looking up each word
    /// gives (checked by a test), without a copy, a variable shift or an end
    /// test a word. Out of line: inlined into `gather`, its loop and the
    /// shape walk's shared the registers, and cost 1 M instructions more on
    /// the 12 MB sample.
    #[inline(never)]
    fn count(&self, line: &[u8], end: usize, symbols: &mut Vec<u8>) -> (u32, u32) {
        symbols.clear();
        if line.len() < end + 1 + PACKED || line[end] != b' ' {
            return self.count_plain(&line[..end], symbols);
        }
        let (mut words, mut stops) = (0, 0);
        let mut p = 0;
        while p < end {
            let Some(bytes) = line[p..].first_chunk::<PACKED>() else {
                break;
            };
            let x = u64::from_le_bytes(*bytes);
            let spaces = space_mask(x);
            let (len, value) = if spaces != 0 {
                let first = spaces & spaces.wrapping_neg();
                let len = first.trailing_zeros() as usize / 8;
                // `first >> 7` is the space's lowest bit: the bytes below.
                (len, self.packed_value(x & ((first >> 7) - 1)))
            } else if line.get(p + PACKED) == Some(&b' ') {
                (PACKED, self.packed_value(x))
            } else {
                let len = PACKED + space_at_or_after(line, p + PACKED).unwrap_or(end - p - PACKED);
                (len, self.long_value(&line[p..p + len]))
            };
            words += 1;
            stops += value & STOP;
            let (bytes, n) = symbol_of(value);
            push_symbol(symbols, &bytes[1..1 + n]);
            p += len + 1;
        }
        (words, stops)
    }

    /// [`WordTable::count`] by splitting at spaces: its oracle, and its
    /// way for a buffer without eight bytes to spare.
    fn count_plain(&self, normal: &[u8], symbols: &mut Vec<u8>) -> (u32, u32) {
        symbols.clear();
        let (mut words, mut stops) = (0, 0);
        if !normal.is_empty() {
            for w in normal.split(|&b| b == b' ') {
                let value = self.value(w);
                words += 1;
                stops += value & STOP;
                let (bytes, n) = symbol_of(value);
                push_symbol(symbols, &bytes[1..1 + n]);
            }
        }
        (words, stops)
    }

    /// The words and stopwords that the runs of letters of scripts written
    /// without spaces in the normal form `normal` add to
    /// [`WordTable::count`]'s, which counts each word between spaces once.
    /// In Chinese and Japanese a run between punctuation is a phrase or a
    /// whole sentence, in Thai one between spaces: a run counts as one word
    /// for every so many characters of its script ([`Unspaced::per_word`];
    /// rounded, at least one), and its stopwords are the characters of
    /// [`WordTable::cjk_stops`] or the words of [`WordTable::thai_stops`]
    /// found in it. So a paragraph reads as a paragraph, with the share of
    /// function words that prose has, and a menu item as one or two words.
    fn unspaced(&self, normal: &[u8]) -> (u32, u32) {
        let text = String::from_utf8_lossy(normal);
        let (mut extra, mut stops) = (0u32, 0u32);
        // The script of the run being read and its characters.
        let (mut script, mut run, mut thai) = (None, 0u32, false);
        for c in text.chars().map(Some).chain([None]) {
            // A run ends at any other character, and at the end.
            let of = c.and_then(Unspaced::of);
            if of != script {
                if let Some(done) = script {
                    let (chars, words) = done.per_word();
                    extra += ((run * words + chars / 2) / chars).max(1) - 1;
                }
                (script, run) = (of, 0);
            }
            if let (Some(script), Some(c)) = (of, c) {
                run += 1;
                match script {
                    Unspaced::Cjk => stops += u32::from(self.cjk_stop(c)),
                    Unspaced::Thai => thai = true,
                }
            }
        }
        if thai {
            // Thai's stopwords are all Thai letters, so each is found
            // inside one run: searching the line finds what searching each
            // run would.
            stops += self.count_thai_stops(&text);
        }
        (extra, stops)
    }

    /// The stopwords in the Thai of `text`: the words of
    /// [`WordTable::thai_stops`] found in it (leftmost longest), except
    /// where the text around the match shows it to be part of another
    /// syllable: a vowel written before its consonant just before it, or a
    /// vowel or mark that follows a consonant just after it.
    fn count_thai_stops(&self, text: &str) -> u32 {
        let found = self.thai_stops.find_iter(text).filter(|m| {
            let before = text[..m.start()].chars().next_back();
            let after = text[m.end()..].chars().next();
            !before.is_some_and(|c| matches!(c, '\u{E40}'..='\u{E44}'))
                && !after.is_some_and(
                    |c| matches!(c, '\u{E30}'..='\u{E3A}' | '\u{E45}' | '\u{E47}'..='\u{E4E}'),
                )
        });
        found.count() as u32
    }

    /// Whether the character `c` (of a script without spaces) is a
    /// stopword: a bit of [`WordTable::cjk_stops`] for the blocks where
    /// they are all found, which a binary search of the list took about 40
    /// instructions a character to answer.
    #[inline]
    fn cjk_stop(&self, c: char) -> bool {
        let k = (c as usize).wrapping_sub(CJK_STOPS_FROM as usize);
        self.cjk_stops
            .get(k / 64)
            .is_some_and(|bits| bits >> (k % 64) & 1 != 0)
    }

    /// The value of the [`pack`]ed word `key`.
    #[inline]
    fn packed_value(&self, key: u64) -> u32 {
        let mask = self.short.len() - 1;
        let mut slot = self.slot(key);
        loop {
            match self.short[slot] {
                0 => return 0,
                k if k == key => return self.values[slot],
                _ => slot = (slot + 1) & mask,
            }
        }
    }
}

/// The first character [`WordTable::cjk_stops`] has a bit for: the start
/// of the kana. The function characters of Chinese and Japanese are kana
/// and the ideographs after them.
const CJK_STOPS_FROM: char = '\u{3040}';

/// The scripts written without spaces between words that
/// [`WordTable::unspaced`] counts by their characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unspaced {
    /// The Han ideographs and the kana ([`crate::line::is_cjk`]).
    Cjk,
    /// Thai's letters and marks ([`crate::line::is_thai`]).
    Thai,
}

impl Unspaced {
    fn of(c: char) -> Option<Unspaced> {
        if crate::line::is_cjk(c) {
            Some(Unspaced::Cjk)
        } else if crate::line::is_thai(c) {
            Some(Unspaced::Thai)
        } else {
            None
        }
    }

    /// Characters a word, as a fraction (characters, words).
    fn per_word(self) -> (u32, u32) {
        match self {
            Unspaced::Cjk => CJK_CHARS_PER_WORD,
            Unspaced::Thai => THAI_CHARS_PER_WORD,
        }
    }
}

/// Characters a word in Thai text, for [`WordTable::unspaced`], as a
/// fraction (characters, words): 4.1. The Thai National Corpus's word
/// frequencies (33 million words of running text, as PyThaiNLP ships them
/// in `tnc_freq.txt`) give 4.12 code points a word, its marks included;
/// the Thai Textbook Corpus's, 3.91.
const THAI_CHARS_PER_WORD: (u32, u32) = (41, 10);

/// Characters a word in Chinese and Japanese text, for [`WordTable::unspaced`],
/// as a fraction (characters, words): 1.6. Words of running Chinese text
/// average 1.6 to 1.7 characters (a third of them one character, nearly
/// all the rest two; the estimates of DeFrancis and of Zheng), so that a
/// 1,000-character article is 600 to 700 words.
const CJK_CHARS_PER_WORD: (u32, u32) = (8, 5);

/// The high bit of each byte of `x` (eight bytes, little-endian) that is a
/// space, exact up to its lowest marked byte, the first space (a borrow only
/// marks bytes above a byte that is one): what the callers read.
#[inline(always)]
fn space_mask(x: u64) -> u64 {
    let z = x ^ (u64::from(b' ') * ONES);
    z.wrapping_sub(ONES) & !z & HIGH
}

/// The offset from `at` of the first space of `bytes[at..]`, read eight
/// bytes at a time: for the rest of a word longer than eight bytes, where
/// `memchr`'s set-up for a vector search cost more than the search (2.6 % of
/// a run in calls for such words).
#[inline]
fn space_at_or_after(bytes: &[u8], at: usize) -> Option<usize> {
    let mut q = at;
    while let Some(chunk) = bytes.get(q..).and_then(|b| b.first_chunk::<PACKED>()) {
        let spaces = space_mask(u64::from_le_bytes(*chunk));
        if spaces != 0 {
            return Some(q - at + spaces.trailing_zeros() as usize / 8);
        }
        q += PACKED;
    }
    memchr::memchr(b' ', bytes.get(q..)?).map(|k| q - at + k)
}

/// The documents from which a site is big: its lines' site share is also a
/// feature of its own (`site_df_ratio_big_site`), so that the model can
/// weigh a share out of many documents apart from one out of a few (at two,
/// half is one other page). The cut is the feature's, and its weight is
/// trained with it.
pub const BIG_SITE_DOCS: u32 = 10;

/// Fills `scratch.infos` with one [`LineInfo`] per line of `text`.
pub fn gather(
    text: &[u8],
    site: Option<&str>,
    stats: &LineStats,
    rules: &RuleSet,
    table: &WordTable,
    scratch: &mut Scratch,
) {
    let Scratch {
        norm,
        padded,
        symbols,
        title,
        title_words,
        infos,
        spans,
        counts,
        ..
    } = scratch;
    infos.clear();
    spans.clear();
    counts.clear();
    title.clear();
    title_words.clear();
    let site = site.filter(|s| !s.is_empty()).map(site_key);
    let site_docs = site.map_or(0, |s| stats.site_docs(s));
    // The page checked as UTF-8 once (nearly every page is), its lines then
    // taken as `str` by their offsets, where checking each line cost a call
    // a line (1.7 % of a run).
    let page = std::str::from_utf8(text).ok();
    for span in lines(text) {
        let raw = span.content(text);
        let line = page.and_then(|p| p.get(span.start..span.content_end));
        // The normal form between spaces, as the lexicon matches it, and
        // eight bytes more, so that its words can be read a u64 at a time.
        let (mut info, n) = shape_and_normal(raw, line, norm, padded);
        let normal = &padded[1..1 + n];
        info.fp = crate::line::fingerprint(normal);
        let (mut words, mut stop) = table.count(&padded[1..], n, symbols);
        if info.unspaced {
            let (more, stops) = table.unspaced(normal);
            words += more;
            stop = (stop + stops).min(words);
        }
        let padded = &padded[..n + 2];
        info.words = words;
        info.stopwords = stop;
        if info.fp != 0 {
            let c = counts.entry(info.fp).or_insert(0);
            info.page_seen_before = *c > 0;
            *c += 1;
            let m = rules.match_symbols(symbols, words, info.fp);
            info.lex_hit = m.hit;
            info.lex_whole = m
                .hit
                .is_some_and(|id| rules.phrases()[id as usize].mode == MatchMode::Whole);
            info.protect = m.protect;
            info.weak = m.weak;
            if title.is_empty() {
                title.push(b' ');
                title.extend_from_slice(normal);
                title.push(b' ');
                title_words.extend(memchr::memchr_iter(b' ', title));
            } else if words >= 3 {
                info.in_title = contains_padded(title, title_words, padded);
            }
        }
        infos.push(info);
        spans.push(span);
    }
    // The statistics are looked up in a loop of their own: the table is
    // large, most lookups miss the cache, and a short loop lets the
    // processor wait for several lines' entries at once where the walk
    // over each line's bytes between them did not.
    for info in infos.iter_mut() {
        if info.fp != 0 {
            info.page_count = counts[&info.fp];
            info.corpus_df = stats.corpus_df(info.fp);
            if let Some(s) = site {
                info.site_df = stats.site_df(s, info.fp);
                info.site_docs = site_docs;
            }
        }
    }
}

/// Whether `padded` (a padded normal form, `" a b c "`) occurs in `title`
/// (another one), given the offsets of `title`'s spaces: the same answer as
/// `memchr::memmem::find(title, padded).is_some()`, since an occurrence of a
/// needle that starts with a space starts at a space of the haystack. A
/// title has a few words, so comparing at each space is cheaper than building
/// a substring searcher for every line, which cost pass 2 about 6 % of its
/// instructions.
fn contains_padded(title: &[u8], spaces: &[usize], padded: &[u8]) -> bool {
    if padded.len() > title.len() {
        return false;
    }
    let last = title.len() - padded.len();
    spaces
        .iter()
        .take_while(|&&at| at <= last)
        .any(|&at| title[at..].starts_with(padded))
}

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
fn shape_and_normal(
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
        // A combining mark: part of the letter before it, if any (the walk
        // decides).
        MULTI
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
            if bits == MULTI {
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

/// `[0, v0, v0 + v1, ...]` of each of `N` signals at once, summed in f64 so
/// that differences of sums are exact to f32 precision on pages of any
/// length: `n` rows of values give `n + 1` rows of sums, in one allocation
/// (one vector a signal, grown a push at a time, cost 2.7 % of a run).
fn prefix_sums<const N: usize>(n: usize, rows: impl Iterator<Item = [f32; N]>) -> Vec<[f64; N]> {
    let mut sums = Vec::with_capacity(n + 1);
    let mut total = [0.0f64; N];
    sums.push(total);
    for row in rows {
        for (t, v) in total.iter_mut().zip(row) {
            *t += v as f64;
        }
        sums.push(total);
    }
    sums
}

/// The mean of the other values within `r` places of value `k` (0 if it
/// has none), from the prefix `sums` of the values ([`prefix_sums`]) and
/// value `k` itself, `own`.
fn mean_around(sums: &[[f64; 1]], own: f32, k: usize, r: usize) -> f32 {
    let n = sums.len() - 1;
    let lo = k.saturating_sub(r);
    let hi = (k + r + 1).min(n);
    let others = hi - lo - 1;
    if others == 0 {
        return 0.0;
    }
    ((sums[hi][0] - sums[lo][0] - f64::from(own)) / others as f64) as f32
}

/// Stage-1 feature names, in vector order. Lexicon categories follow as
/// `lex:<category>` for every category of the built-in lexicon.
pub const STAGE1: &[&str] = &[
    "bias",
    "words_log",
    "words_le2",
    "words_le5",
    "words_le10",
    "words_ge20",
    "words_ge40",
    "end_punct",
    "end_punct_long",
    "truncated",
    "stop_ratio",
    "stop_ratio_long",
    "alpha_ratio",
    "digit_ratio",
    "cap_ratio",
    "cap_ratio_short",
    "all_caps",
    "bullet",
    "separators",
    "separators_many",
    "commas",
    "starts_lower",
    "url",
    "no_words",
    "site_known",
    "site_small",
    "site_df_ratio",
    "site_df_ge2",
    "site_df_ge3",
    "site_df_log",
    "site_df_ge2_long",
    "site_df_ratio_big_site",
    "corpus_df_ge2",
    "corpus_df_log",
    "corpus_df_ge2_long",
    "corpus_df_ratio",
    "page_repeat",
    "page_repeat_later",
    "page_repeat_long",
    "lex_whole",
    "lex_contained",
    "rel_pos",
    "prose_before",
    "prose_after",
    "before_prose",
    "after_prose",
    "first_line",
    "in_title",
    "inside_body",
    "inside_body_unique",
    "inside_body_short",
    "unique_short",
    "prose_distance_log",
    "has_time",
    "date_like",
    "word_share",
    "word_share_major",
    "few_lines",
    "first_unique",
    "after_first_unique_log",
    "lead_zone",
    "prev_words_log",
    "next_words_log",
    "prev_site_df_ge2",
    "next_site_df_ge2",
    "prev_lex",
    "next_lex",
    "prev_end_punct",
    "next_end_punct",
    "win3_words_log",
    "win3_site_df_ge2",
    "win3_lex",
    "win3_end_punct",
    "win8_words_log",
    "win8_site_df_ge2",
    "win8_prose",
    "page_prose_share",
    "page_short_share",
    "short_x_prose_share",
    "short_x_short_share",
];

/// Feature groups, for explaining a verdict: which evidence weighed most.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// The constant.
    Bias,
    /// The line's own shape.
    Shape,
    /// Recurrence in the site.
    Site,
    /// Recurrence in the corpus.
    Corpus,
    /// Repeats inside the page.
    Page,
    /// The lexicon.
    Lexicon,
    /// The line's position.
    Position,
    /// The neighbours.
    Context,
}

/// The group of a stage-1 feature, by name.
pub fn group_of(name: &str) -> Group {
    if name == "bias" {
        Group::Bias
    } else if name.starts_with("site_") {
        Group::Site
    } else if name.starts_with("corpus_") {
        Group::Corpus
    } else if name.starts_with("page_") {
        Group::Page
    } else if name.starts_with("lex") {
        Group::Lexicon
    } else if matches!(
        name,
        "rel_pos"
            | "prose_before"
            | "prose_after"
            | "before_prose"
            | "after_prose"
            | "first_line"
            | "in_title"
            | "inside_body"
            | "inside_body_unique"
            | "inside_body_short"
            | "prose_distance_log"
            | "first_unique"
            | "after_first_unique_log"
            | "lead_zone"
    ) {
        Group::Position
    } else if name.starts_with("prev_") || name.starts_with("next_") || name.starts_with("win") {
        Group::Context
    } else {
        Group::Shape
    }
}

/// `ln(1 + x)` of the counts below this comes from [`LN1P`].
const LN1P_SIZE: usize = 4096;

/// `(x as f32).ln_1p()` for every `x` below [`LN1P_SIZE`], computed by that
/// same call: a table lookup gives the very same `f32` as the call, which
/// cost pass 2 about 2 % of its instructions (five calls a line).
static LN1P: std::sync::LazyLock<Box<[f32; LN1P_SIZE]>> = std::sync::LazyLock::new(|| {
    let mut t = Box::new([0.0; LN1P_SIZE]);
    for (x, v) in t.iter_mut().enumerate() {
        *v = (x as f32).ln_1p();
    }
    t
});

/// The words a line's `words_log` stands for, as `words_of` undoes it
/// (`f64::from(ln1(x)).exp_m1()`), for every count below [`LN1P_SIZE`],
/// computed by that same call: the cleaner knows each line's count, and a
/// lookup gives the very same `f64` as the call, which took stage 2 an
/// `exp_m1` a line (0.6 % of a run).
static WORDS_BACK: std::sync::LazyLock<Box<[f64; LN1P_SIZE]>> = std::sync::LazyLock::new(|| {
    let mut t = Box::new([0.0; LN1P_SIZE]);
    for (x, v) in t.iter_mut().enumerate() {
        *v = f64::from(ln1(x as u32)).exp_m1();
    }
    t
});

/// What `words_of` gives for a line of `x` words.
pub(crate) fn words_back(x: u32) -> f64 {
    match WORDS_BACK.get(x as usize) {
        Some(&v) => v,
        None => f64::from(ln1(x)).exp_m1(),
    }
}

#[inline]
fn ln1(x: u32) -> f32 {
    match LN1P.get(x as usize) {
        Some(&v) => v,
        None => (x as f32).ln_1p(),
    }
}

/// `1.0` or `0.0` (positive), from the bits: an integer-to-float conversion
/// a flag cost stage 1 about a tenth of its instructions.
#[inline]
fn b(x: bool) -> f32 {
    f32::from_bits(u32::from(x) * 1.0f32.to_bits())
}

/// The stage-1 feature vector of every non-blank line, row after row, into
/// `out` (`content.len() × width` values, `width` = `STAGE1.len()` plus one per
/// lexicon category). `content` receives the indices of the non-blank lines.
pub fn stage1(
    infos: &[LineInfo],
    corpus_docs: u64,
    categories: usize,
    rules: &RuleSet,
    content: &mut Vec<usize>,
    out: &mut Vec<f32>,
) {
    content.clear();
    content.extend((0..infos.len()).filter(|&i| !infos[i].blank()));
    out.clear();
    let n = content.len();
    let total_prose: u32 = content.iter().map(|&i| infos[i].prose_words()).sum();
    let page_words: u32 = content.iter().map(|&i| infos[i].words).sum();
    let mut prose_seen = 0u32;
    let width = STAGE1.len() + categories;
    // The first line of the page that no other page of its site has: where
    // a site's header chrome ends, usually the headline.
    let first_unique = content.iter().position(|&i| {
        let l = &infos[i];
        l.site_docs >= 3 && l.site_df <= 1 && l.words > 0
    });
    let first_prose = content.iter().position(|&i| infos[i].prose_words() > 0);
    // Lines to the nearest prose line, in both directions (n + 1 if none).
    let mut prose_distance = vec![n + 1; n];
    let mut last = None;
    for k in 0..n {
        if infos[content[k]].prose_words() > 0 {
            last = Some(k);
        }
        if let Some(j) = last {
            prose_distance[k] = k - j;
        }
    }
    last = None;
    for k in (0..n).rev() {
        if infos[content[k]].prose_words() > 0 {
            last = Some(k);
        }
        if let Some(j) = last {
            prose_distance[k] = prose_distance[k].min(j - k);
        }
    }
    let page = PageKind::of(infos, content);
    let lex_any = |i: &LineInfo| b(i.lex_hit.is_some());
    let site_rep = |i: &LineInfo| b(i.site_docs >= 2 && i.site_df >= 2);
    let wl = |i: &LineInfo| ln1(i.words);
    // Window means of five signals, from prefix sums: one pass over the
    // page instead of one per line and window.
    let sums = prefix_sums(
        n,
        content.iter().map(|&i| {
            let l = &infos[i];
            [
                wl(l),
                site_rep(l),
                lex_any(l),
                b(l.end_punct),
                b(l.prose_words() > 0),
            ]
        }),
    );
    let (sum_wl, sum_site, sum_lex, sum_punct, sum_prose) = (0, 1, 2, 3, 4);
    let window = |signal: usize, k: usize, r: usize| -> f32 {
        let lo = k.saturating_sub(r);
        let hi = (k + r + 1).min(n);
        let others = hi - lo - 1;
        if others == 0 {
            return 0.0;
        }
        let own = sums[k + 1][signal] - sums[k][signal];
        ((sums[hi][signal] - sums[lo][signal] - own) / others as f64) as f32
    };
    for (k, &li) in content.iter().enumerate() {
        let l = &infos[li];
        let start = out.len();
        out.resize(start + width, 0.0);
        let row = &mut out[start..];
        let w = l.words;
        let long = w >= 10;
        let wf = w.max(1) as f32;
        let chars = l.chars.max(1) as f32;
        let site_known = l.site_docs >= 2;
        let neighbour = |d: isize| -> Option<&LineInfo> {
            let j = k as isize + d;
            (j >= 0 && (j as usize) < n).then(|| &infos[content[j as usize]])
        };
        let own_prose = l.prose_words();
        let before = if total_prose > 0 {
            prose_seen as f32 / total_prose as f32
        } else {
            0.0
        };
        let after = if total_prose > 0 {
            (total_prose - prose_seen - own_prose) as f32 / total_prose as f32
        } else {
            0.0
        };
        prose_seen += own_prose;
        let inside = before > 0.0 && after > 0.0;
        // Seen in no other document of its site (or, without a site, of the corpus).
        let unique = if site_known {
            l.site_df <= 1
        } else {
            l.corpus_df <= 1
        };
        let values: [f32; 76] = [
            1.0,
            wl(l),
            b(w <= 2),
            b(w <= 5),
            b(w <= 10),
            b(w >= 20),
            b(w >= 40),
            b(l.end_punct),
            b(l.end_punct && long),
            b(l.truncated),
            l.stopwords as f32 / wf,
            if long { l.stopwords as f32 / wf } else { 0.0 },
            l.letters as f32 / chars,
            l.digits as f32 / chars,
            l.capitalized as f32 / wf,
            if w <= 8 {
                l.capitalized as f32 / wf
            } else {
                0.0
            },
            b(l.letters >= 4 && l.uppers * 10 >= l.letters * 8),
            b(l.bullet),
            b(l.separators > 0),
            b(l.separators >= 2),
            b(l.commas > 0),
            b(l.starts_lower),
            b(l.url),
            b(w == 0),
            b(site_known),
            b(site_known && l.site_docs < 5),
            if site_known {
                l.site_df as f32 / l.site_docs as f32
            } else {
                0.0
            },
            site_rep(l),
            b(site_known && l.site_df >= 3),
            ln1(l.site_df.saturating_sub(1)),
            if long { site_rep(l) } else { 0.0 },
            if l.site_docs >= BIG_SITE_DOCS {
                l.site_df as f32 / l.site_docs as f32
            } else {
                0.0
            },
            b(l.corpus_df >= 2),
            ln1(l.corpus_df.saturating_sub(1)),
            b(l.corpus_df >= 2 && long),
            if corpus_docs > 0 {
                l.corpus_df as f32 / corpus_docs as f32
            } else {
                0.0
            },
            b(l.page_count >= 2),
            b(l.page_seen_before),
            b(l.page_count >= 2 && long),
            b(l.lex_whole),
            b(l.lex_hit.is_some() && !l.lex_whole),
            if n > 1 {
                k as f32 / (n - 1) as f32
            } else {
                0.0
            },
            before,
            after,
            b(total_prose > 0 && prose_seen == own_prose && own_prose == 0 && before == 0.0),
            b(total_prose > 0 && after == 0.0 && own_prose == 0),
            b(k == 0),
            b(l.in_title),
            b(inside),
            b(inside && unique),
            b(inside && w <= 5),
            b(w <= 5 && unique && site_known),
            ln1(prose_distance[k] as u32),
            b(l.has_time),
            b(l.date_like),
            w as f32 / page_words.max(1) as f32,
            b(w * 2 >= page_words && w >= 20),
            b(n <= 5),
            b(first_unique == Some(k)),
            first_unique.map_or(0.0, |f| if k >= f { ln1((k - f) as u32) } else { 0.0 }),
            b(first_prose.is_some_and(|f| k < f && f - k <= 3)),
            neighbour(-1).map_or(0.0, wl),
            neighbour(1).map_or(0.0, wl),
            neighbour(-1).map_or(0.0, site_rep),
            neighbour(1).map_or(0.0, site_rep),
            neighbour(-1).map_or(0.0, lex_any),
            neighbour(1).map_or(0.0, lex_any),
            neighbour(-1).map_or(0.0, |i| b(i.end_punct)),
            neighbour(1).map_or(0.0, |i| b(i.end_punct)),
            window(sum_wl, k, 3),
            window(sum_site, k, 3),
            window(sum_lex, k, 3),
            window(sum_punct, k, 3),
            window(sum_wl, k, 8),
            window(sum_site, k, 8),
            window(sum_prose, k, 8),
        ];
        row[..values.len()].copy_from_slice(&values);
        row[values.len()..STAGE1.len()].copy_from_slice(&page.features(l));
        if let Some(id) = l.lex_hit {
            let cat = rules.phrases()[id as usize].category as usize;
            if cat < categories {
                row[STAGE1.len() + cat] = 1.0;
            }
        }
    }
}

/// What kind of page the lines are on, from counts over all its lines: an
/// article (most words in prose lines), a listing or product page (many
/// short lines, little prose). The same line
/// ("$24.99", "Pros") is content on a product page and chrome beside an
/// article, which no feature of the line alone can tell apart. Measured
/// (DESIGN.md): word F1 up 0.001 to 0.003 on five of the seven sets, down
/// 0.001 on two.
#[derive(Clone, Copy, Debug, Default)]
struct PageKind {
    /// Share of the page's words in prose lines ([`LineInfo::prose_words`]).
    prose_share: f32,
    /// Share of the lines with words that have one to five.
    short_share: f32,
}

/// The number of [`PageKind`] features, the last of [`STAGE1`].
const PAGE_KIND: usize = 4;

impl PageKind {
    fn of(infos: &[LineInfo], content: &[usize]) -> PageKind {
        let (mut words, mut prose, mut worded, mut short) = (0u64, 0u64, 0u32, 0u32);
        for &i in content {
            let l = &infos[i];
            words += l.words as u64;
            prose += l.prose_words() as u64;
            worded += (l.words > 0) as u32;
            short += (l.words > 0 && l.words <= 5) as u32;
        }
        let share = |a: u64, b: u64| {
            if b == 0 {
                0.0
            } else {
                (a as f64 / b as f64) as f32
            }
        };
        PageKind {
            prose_share: share(prose, words),
            short_share: share(short as u64, worded as u64),
        }
    }

    /// The page-kind features of line `l` of the page.
    fn features(&self, l: &LineInfo) -> [f32; PAGE_KIND] {
        let short = b(l.words > 0 && l.words <= 5);
        [
            self.prose_share,
            self.short_share,
            short * self.prose_share,
            short * self.short_share,
        ]
    }
}

/// Stage-2 feature names beyond the stage-1 features (which stage 2 sees
/// too): the line's own stage-1 log-odds and its neighbours' stage-1
/// probabilities.
pub const STAGE2: &[&str] = &[
    "own_logit",
    "prev_p",
    "next_p",
    "prev2_p",
    "next2_p",
    "win3_p",
    "win8_p",
    "win20_p",
    "min3_p",
    "max3_p",
    "after_last_content",
    "before_first_content",
    "after_comments_head",
    "comments_x_article",
    "stamps_x_article",
    "comments_x_article_words",
    "related_x_article_words",
    "share_x_article_words",
    "newsletter_x_article_words",
    "win8_pw",
    "short_x_win8_pw",
    "record_run",
    "short_x_record_run",
    "before_body_x_p_gap",
    "before_body_p_gap_x_body_words",
    "after_body_p_gap_x_body_words",
];

/// Where a thread of posts begins and how much of the page's prose comes
/// before it. Readers' comments under an article and the replies of a forum
/// thread look alike line by line (a stamp line with a name and a date, then
/// prose); what differs is the article: under a long article the thread is
/// chrome, while on a forum page the first post is short and the replies are
/// the content. The features are "after the thread's start" times the share
/// of the page's prose words before it. Measured (DESIGN.md): word F1 up
/// 0.002 to 0.009 on five of the seven sets, unchanged on two.
///
/// The share alone lets a thread of two hundred comments under a long
/// article read as a forum (the article is a small share of the page's
/// prose), so a third feature is "after the comments heading" times
/// `ln(1 + words)` of the lines stage 1 keeps above it: the article's own
/// length, whatever the thread's. Measured (DESIGN.md): mean word F1
/// 0.8984 to 0.8996, Dragnet +0.005, L3S-GN1 +0.003, CleanPortalEval -0.002.
#[derive(Debug)]
struct Thread {
    /// The first comments-lexicon line after content, and the prose share
    /// before it.
    head: Option<(usize, f32)>,
    /// The second stamp line after content, and the prose share before the
    /// first.
    stamps: Option<(usize, f32)>,
    /// `ln(1 + words)` of the lines stage 1 keeps before the comments
    /// heading: how long the article above the thread is, whatever the
    /// length of the thread.
    head_words: f32,
}

impl Thread {
    fn of(page: &Stage1Page<'_>, head: Option<usize>) -> Thread {
        let Stage1Page {
            x1,
            width1,
            p,
            first,
            ..
        } = *page;
        let n = p.len();
        let (time, date, long, short, before) = (
            const { stage1_column("has_time") },
            const { stage1_column("date_like") },
            const { stage1_column("words_ge20") },
            WORDS_LE5,
            const { stage1_column("prose_before") },
        );
        let get = |k: usize, c: usize| x1[k * width1 + c];
        let stamp = |k: usize| (get(k, time) > 0.0 || get(k, date) > 0.0) && get(k, long) == 0.0;
        // A post's stamp opens a post: the next line is no stamp and it or
        // the one after has more than five words. Rows of a timetable are
        // stamps one after another.
        let opens_post = |k: usize| {
            stamp(k)
                && k + 1 < n
                && !stamp(k + 1)
                && (k + 1..(k + 3).min(n)).any(|j| get(j, short) == 0.0)
        };
        let mut stamps = (first.map_or(n, |f| f + 1)..n).filter(|&k| opens_post(k));
        let s1 = stamps.next();
        let s2 = stamps.next();
        Thread {
            head: head.map(|h| (h, get(h, before))),
            stamps: s1.zip(s2).map(|(a, b)| (b, get(a, before))),
            head_words: head.map_or(0.0, |h| page.kept_words_before(h)),
        }
    }

    fn features(&self, k: usize) -> [f32; 3] {
        let after =
            |x: Option<(usize, f32)>| x.map_or(0.0, |(at, share)| if k > at { share } else { 0.0 });
        let after_words = |x: Option<(usize, f32)>, words: f32| {
            x.map_or(0.0, |(at, _)| if k > at { words } else { 0.0 })
        };
        [
            after(self.head),
            after(self.stamps),
            after_words(self.head, self.head_words),
        ]
    }
}

/// What stage 2's page-level features start from: the page's stage-1 rows
/// (`width1` values a line), probabilities and threshold, each line's
/// words, and the first line stage 1 keeps.
#[derive(Clone, Copy)]
struct Stage1Page<'a> {
    x1: &'a [f32],
    width1: usize,
    p: &'a [f32],
    threshold: f32,
    words: &'a [f64],
    first: Option<usize>,
}

impl Stage1Page<'_> {
    /// `ln(1 + words)` of the lines before line `end` that stage 1 keeps.
    fn kept_words_before(&self, end: usize) -> f32 {
        let kept: f64 = (0..end)
            .filter(|&j| self.p[j] >= self.threshold)
            .map(|j| self.words[j])
            .sum();
        (kept as f32).ln_1p()
    }

    /// The first line after the first kept line whose row has column
    /// `column` (a lexicon category) set.
    fn first_after(&self, column: usize) -> Option<usize> {
        let (x1, width1) = (self.x1, self.width1);
        self.first.and_then(|f| {
            (f + 1..self.p.len()).find(|&j| column < width1 && x1[j * width1 + column] > 0.0)
        })
    }
}

/// The lexicon categories whose first line after the article has begun
/// marks where the page goes on past the article: a teaser heading ("More
/// stories", "Recommended"), share buttons, a newsletter box. In [`STAGE2`]
/// order.
const SIGN_OFF_CATEGORIES: [&str; 3] = ["related", "share", "newsletter"];

/// Where the article's sign-off widgets begin, and how long the article above
/// them is. Under a long article, what follows its share buttons, its
/// newsletter box or a teaser heading is other pages' teasers, an author's
/// bio, a thread: lines that read like prose one by one. A flag alone
/// ("after a related heading", DESIGN.md) cost two held-out sets, as such a
/// widget inside a short article, above the body, or on a listing page is
/// followed by content; so each feature is "after the category's first line
/// past the first likely content line" times `ln(1 + words)` of the lines
/// stage 1 keeps above that line. Measured (DESIGN.md): the related feature
/// alone took mean word F1 from 0.8996 to 0.9013, every set up; share and
/// newsletter as two more features to 0.9026, six sets up, Utomo -0.002.
#[derive(Debug)]
struct SignOffs {
    /// Per category: its first line after content and the article's
    /// `ln(1 + words)` above it.
    heads: [Option<(usize, f32)>; SIGN_OFF_CATEGORIES.len()],
}

impl SignOffs {
    fn of(page: &Stage1Page<'_>) -> SignOffs {
        SignOffs {
            heads: SIGN_OFF_CATEGORIES.map(|name| {
                let head = page.first_after(category_column(name));
                head.map(|h| (h, page.kept_words_before(h)))
            }),
        }
    }

    fn features(&self, k: usize) -> [f32; SIGN_OFF_CATEGORIES.len()] {
        self.heads
            .map(|head| head.map_or(0.0, |(h, words)| if k > h { words } else { 0.0 }))
    }
}

/// The article's body and what stands above it. Above an article, a page
/// often prints lines that read like prose one by one: other stories'
/// headlines and summaries, a promo, a ticker, the article's own dek and
/// caption. On Scrapinghub they were a quarter of the wrongly kept words
/// (long lines above the gold's first line), four to seven percent on the
/// other sets, and the model kept them less surely than the body below:
/// of the words of kept long lines above the run of kept lines with the
/// most words, those whose probability falls short of that run's mean by
/// 0.1 or more were wrong on Scrapinghub 984 to 32, Dragnet 19,583 to 4,735,
/// L3S-GN1 1,463 to 686 (CleanEval and WCXB dev keep more such lines than
/// they drop, hence learned weights and no rule).
///
/// The body is the run of lines stage 1 keeps, gaps of at most
/// [`BODY_GAP`] lines it drops, with the most words; it begins in earnest at
/// its first line at least as sure as the run's mean probability (weighted
/// by words) that the page prints once: teasers often run on into the
/// first paragraph without a gap, less sure than it, and a headline's
/// repeat above the body is as sure as the body but printed twice. For the
/// lines above that line, the features are how far the line's stage-1
/// probability falls short of the body's mean, and that times `ln(1 + the
/// body's words)`: a teaser at 0.7 above a long body at 0.95 scores high, an
/// earlier paragraph of the same article or a line above a short body low.
/// Measured (DESIGN.md): mean word F1 0.9046 to 0.9052, Scrapinghub
/// +0.0024, Utomo +0.0015, CleanPortalEval -0.0007, the four training sets
/// up.
///
/// Below the body the same holds a step further on: under a long article,
/// kept lines less sure than its body are other stories' summaries, an
/// author's bio, a promo (kept long lines after the run, 0.2 or more below
/// its mean: wrong on L3S-GN1 14,706 words to 354, Utomo 1,747 to 52,
/// Scrapinghub 1,302 to 1,025; CleanEval and WCXB dev the other way). The
/// body ends in earnest at its last line as sure as its mean that the page
/// prints once (such lines often run on from the last paragraph without a
/// gap), and lines after it carry their shortfall times `ln(1 + the body's
/// words)` only: with the shortfall alone as well, the model learnt to lift
/// lines after a short body (mean word F1 0.9061, but L3S-GN1 -0.0014).
/// Measured (DESIGN.md): mean word F1 0.9052 to 0.9058, all seven sets up.
#[derive(Debug)]
struct Body(Option<BodySpan>);

/// Where a page's body begins and ends in earnest, and what the lines
/// around it are measured against.
#[derive(Debug)]
struct BodySpan {
    start: usize,
    end: usize,
    /// `ln(1 + the body's words)`.
    words_log: f32,
    /// The body's mean probability, weighted by words.
    mean: f32,
}

/// The most lines stage 1 drops that [`Body`] lets its run go on across: a
/// subheading, a caption and its credit between two paragraphs. Measured
/// with one, two and four (DESIGN.md, before the page-repeat test): the
/// same mean word F1 to four decimals, two cost CleanPortalEval least.
const BODY_GAP: usize = 2;

impl Body {
    fn of(page: &Stage1Page<'_>) -> Body {
        let Stage1Page {
            x1,
            width1,
            p,
            threshold,
            ..
        } = *page;
        // Each line's words as the word-mass pass undid `words_log`: doing
        // it again here cost the sample run 0.2 % more instructions.
        let words = |k: usize| page.words[k];
        // (start, words, probability × words, last line) of the best run
        // so far and of the current one.
        let mut best = (0usize, 0.0f64, 0.0f64, 0usize);
        let mut run: Option<(usize, f64, f64, usize)> = None;
        let mut gap = 0usize;
        for (k, &pk) in p.iter().enumerate() {
            if pk >= threshold {
                let w = words(k);
                let r = run.get_or_insert((k, 0.0, 0.0, k));
                r.1 += w;
                r.2 += w * f64::from(pk);
                r.3 = k;
                gap = 0;
            } else if let Some(r) = run {
                gap += 1;
                if gap > BODY_GAP {
                    if r.1 > best.1 {
                        best = r;
                    }
                    run = None;
                }
            }
        }
        if let Some(r) = run {
            if r.1 > best.1 {
                best = r;
            }
        }

        if best.1 <= 0.0 {
            return Body(None);
        }
        let mean = (best.2 / best.1) as f32;
        let once = |k: usize| x1[k * width1 + PAGE_REPEAT] == 0.0;
        // Where the body begins in earnest: its first line as sure as its
        // mean that the page prints once; and where it ends in earnest, its
        // last such line (a teaser or a bio often runs on from the last
        // paragraph without a gap, less sure than it).
        let start = (best.0..p.len())
            .find(|&k| p[k] >= mean && once(k))
            .unwrap_or(best.0);
        let end = (best.0..=best.3)
            .rev()
            .find(|&k| p[k] >= mean && once(k))
            .unwrap_or(best.3);
        Body(Some(BodySpan {
            start,
            end,
            words_log: (best.1 as f32).ln_1p(),
            mean,
        }))
    }

    /// For a line after where the body ends in earnest, its shortfall
    /// from the body's mean times `ln(1 + the body's words)`.
    fn after_features(&self, p: &[f32], k: usize) -> [f32; 1] {
        match &self.0 {
            Some(b) if k > b.end => [(b.mean - p[k]).max(0.0) * b.words_log],
            _ => [0.0],
        }
    }

    fn features(&self, p: &[f32], k: usize) -> [f32; 2] {
        match &self.0 {
            Some(b) if k < b.start => {
                let gap = (b.mean - p[k]).max(0.0);
                [gap, gap * b.words_log]
            }
            _ => [0.0, 0.0],
        }
    }
}

/// The share of the words within eight lines of a line (itself left out)
/// that stage 1 expects to be content: the mean of the neighbours'
/// probabilities weighted by their words. The plain window means count a
/// menu item as much as a paragraph; weighted, a short line between
/// paragraphs of prose reads as part of the article and a short line among
/// menu items as chrome whatever a stray long line nearby says. Prefix sums
/// make each window two subtractions.
#[derive(Debug)]
struct WordMass {
    /// Prefix sums of probability × words and of words, one more than lines.
    pw: Vec<f64>,
    w: Vec<f64>,
    /// Each line's words, for [`Body`], [`Thread`] and [`SignOffs`].
    words: Vec<f64>,
}

/// The reach of [`WordMass`] on each side: the window of `win8_p`.
const MASS_REACH: usize = 8;

impl WordMass {
    #[cfg(test)]
    fn of(x1: &[f32], width1: usize, p: &[f32]) -> WordMass {
        let words = (0..p.len()).map(|k| words_of(x1, width1, k)).collect();
        WordMass::with_words(p, words)
    }

    /// The mass of the lines with probabilities `p` and words `line_words`
    /// (`words_of` of each row).
    fn with_words(p: &[f32], line_words: Vec<f64>) -> WordMass {
        let n = p.len();
        let (mut pw, mut w) = (Vec::with_capacity(n + 1), Vec::with_capacity(n + 1));
        let (mut spw, mut sw) = (0.0f64, 0.0f64);
        pw.push(0.0);
        w.push(0.0);
        for (&pk, &words) in p.iter().zip(&line_words) {
            spw += f64::from(pk) * words;
            sw += words;
            pw.push(spw);
            w.push(sw);
        }
        WordMass {
            pw,
            w,
            words: line_words,
        }
    }

    fn features(&self, x1: &[f32], width1: usize, k: usize) -> [f32; 2] {
        let n = self.w.len() - 1;
        let lo = k.saturating_sub(MASS_REACH);
        let hi = (k + MASS_REACH + 1).min(n);
        let own_pw = self.pw[k + 1] - self.pw[k];
        let own_w = self.w[k + 1] - self.w[k];
        let w = self.w[hi] - self.w[lo] - own_w;
        let share = if w > 0.5 {
            ((self.pw[hi] - self.pw[lo] - own_pw) / w) as f32
        } else {
            0.0
        };
        let short = x1[k * width1 + WORDS_LE5];
        [share, short * share]
    }
}

/// Lines that repeat a record's pattern: ranked lists, product grids and
/// spec sheets print each item as the same few lines (rank, name, price,
/// rating), so a line's shape comes back every `d` lines for some period
/// `d` of two to six, and the record mixes shapes (a menu is one shape
/// over and over), and an item has a number (a price, a score, a rank),
/// which a menu's records rarely have. The feature is the share of the
/// lines one and two periods away on each side that have the line's
/// shape, for the best period whose record (the `d` lines around the line)
/// mixes shapes and holds a line mostly of digits.
#[derive(Debug)]
struct Records {
    /// A coarse shape of each line: length class, digits, end punctuation,
    /// capitals, repeated in the page.
    sig: Vec<u8>,
    /// Where the run of lines with the same shape as line `k` ends (one
    /// past its last line), and where it starts: whether a record is all
    /// one shape is then two comparisons.
    same_end: Vec<usize>,
    same_start: Vec<usize>,
    /// Prefix counts of the lines mostly of digits, one more than lines.
    digits: Vec<u32>,
}

/// The longest record period [`Records`] looks for, in lines: a product
/// card of name, price, old price, rating, reviews and a button.
const RECORD_MAX_PERIOD: usize = 6;

/// The bit of [`Records`]' shape for "mostly digits".
const DIGITS_BIT: u8 = 1 << 3;

impl Records {
    fn of(x1: &[f32], width1: usize, n: usize) -> Records {
        let bits = [
            (const { stage1_column("words_le2") }, 0.0),
            (WORDS_LE5, 0.0),
            (const { stage1_column("words_le10") }, 0.0),
            // A line mostly of digits: a price, a score, a rank
            // (bit `DIGITS_BIT`).
            (const { stage1_column("digit_ratio") }, 0.3),
            (const { stage1_column("end_punct") }, 0.0),
            (const { stage1_column("all_caps") }, 0.0),
            (PAGE_REPEAT, 0.0),
        ];
        let sig = (0..n)
            .map(|k| {
                let row = &x1[k * width1..(k + 1) * width1];
                bits.iter().enumerate().fold(0u8, |acc, (bit, &(c, min))| {
                    acc | (u8::from(row[c] > min) << bit)
                })
            })
            .collect::<Vec<u8>>();
        let mut same_start = vec![0; n];
        for k in 1..n {
            same_start[k] = if sig[k] == sig[k - 1] {
                same_start[k - 1]
            } else {
                k
            };
        }
        let mut same_end = vec![n; n];
        for k in (0..n.saturating_sub(1)).rev() {
            same_end[k] = if sig[k] == sig[k + 1] {
                same_end[k + 1]
            } else {
                k + 1
            };
        }
        let mut digits = Vec::with_capacity(n + 1);
        digits.push(0u32);
        let mut count = 0u32;
        for &x in &sig {
            count += u32::from(x & DIGITS_BIT != 0);
            digits.push(count);
        }
        Records {
            sig,
            same_end,
            same_start,
            digits,
        }
    }

    fn features(&self, x1: &[f32], width1: usize, k: usize) -> [f32; 2] {
        let n = self.sig.len();
        // Every record window lies inside the widest one: without a line
        // mostly of digits there, there is no record (most lines of prose).
        let widest = (k + RECORD_MAX_PERIOD).min(n);
        if self.digits[widest] == self.digits[k.saturating_sub(RECORD_MAX_PERIOD - 1)] {
            return [0.0, 0.0];
        }
        let mut best = 0usize;
        for d in 2..=RECORD_MAX_PERIOD {
            // The record around the line must mix shapes.
            let lo = k.saturating_sub(d - 1);
            let hi = (k + d).min(n);
            let one_shape = self.same_start[k] <= lo && self.same_end[k] >= hi;
            if one_shape || self.digits[hi] == self.digits[lo] {
                continue;
            }
            let same = [
                k.checked_sub(2 * d),
                k.checked_sub(d),
                Some(k + d),
                Some(k + 2 * d),
            ]
            .into_iter()
            .flatten()
            .filter(|&j| j < n && self.sig[j] == self.sig[k])
            .count();
            best = best.max(same);
        }
        let run = best as f32 / 4.0;
        let short = x1[k * width1 + WORDS_LE5];
        [run, short * run]
    }
}

/// The stage-1 column of the built-in `comments` lexicon category, which
/// stage 2 uses to find where a page's reader comments begin.
fn comments_column() -> usize {
    const { category_column("comments") }
}

/// The stage-1 column of a built-in lexicon category. A `const fn`, so that
/// stage 2 looks its columns up when the program is compiled, not once a
/// page, and a misspelt name fails the build.
const fn category_column(name: &str) -> usize {
    let mut i = 0;
    while i < crate::rules::BUILT_IN.len() {
        if same_str(crate::rules::BUILT_IN[i].0, name) {
            return STAGE1.len() + i;
        }
        i += 1;
    }
    panic!("no such built-in lexicon category")
}

/// The column of the stage-1 feature `name` (see [`category_column`]).
const fn stage1_column(name: &str) -> usize {
    let mut i = 0;
    while i < STAGE1.len() {
        if same_str(STAGE1[i], name) {
            return i;
        }
        i += 1;
    }
    panic!("no such stage-1 feature")
}

/// `a == b`, in a `const fn`.
const fn same_str(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Stage-1 columns that stage 2 reads back.
const WORDS_LOG: usize = stage1_column("words_log");
const WORDS_LE5: usize = stage1_column("words_le5");
const PAGE_REPEAT: usize = stage1_column("page_repeat");

/// The words of line `k` of the stage-1 rows `x1`: `words_log` is
/// ln(1 + words), undone.
fn words_of(x1: &[f32], width1: usize, k: usize) -> f64 {
    f64::from(x1[k * width1 + WORDS_LOG]).exp_m1()
}

/// The stage-2 feature vectors, into `out`: each line's stage-1 row (from
/// `x1`, `width1` values a row) followed by the [`STAGE2`] features computed
/// from the stage-1 probabilities `p` (one per non-blank line).
pub fn stage2(x1: &[f32], width1: usize, p: &[f32], threshold: f32, out: &mut Vec<f32>) {
    let mut words = (0..p.len()).map(|k| words_of(x1, width1, k)).collect();
    stage2_words(x1, width1, p, threshold, out, &mut words);
}

/// [`stage2`] with each line's words given (`words_of` of its row, which
/// the cleaner has from the lines' counts: `words_back`); they are left in
/// `words` for [`stage3_words`].
pub(crate) fn stage2_words(
    x1: &[f32],
    width1: usize,
    p: &[f32],
    threshold: f32,
    out: &mut Vec<f32>,
    words: &mut Vec<f64>,
) {
    out.clear();
    let n = p.len();
    let first = p.iter().position(|&x| x >= threshold);
    let last = p.iter().rposition(|&x| x >= threshold);
    // The first comment-area line (lexicon) after the article has begun:
    // what follows it is readers' comments, which read like prose.
    let mass = WordMass::with_words(p, std::mem::take(words));
    let page = Stage1Page {
        x1,
        width1,
        p,
        threshold,
        words: &mass.words,
        first,
    };
    let comments_head = page.first_after(comments_column());
    let thread = Thread::of(&page, comments_head);
    let sign_offs = SignOffs::of(&page);
    let records = Records::of(x1, width1, n);
    let body = Body::of(&page);
    // Window means from prefix sums: summing each window afresh took 65
    // dependent additions a line for the three windows.
    let sums = prefix_sums(n, p.iter().map(|&x| [x]));
    let at = |j: isize| -> f32 {
        if j >= 0 && (j as usize) < n {
            p[j as usize]
        } else {
            0.0
        }
    };
    for k in 0..n {
        let ki = k as isize;
        let win = |r: usize| mean_around(&sums, p[k], k, r);
        let lo = k.saturating_sub(3);
        let hi = (k + 4).min(n);
        let mut mn = 1.0f32;
        let mut mx = 0.0f32;
        for (j, &x) in p.iter().enumerate().take(hi).skip(lo) {
            if j != k {
                mn = mn.min(x);
                mx = mx.max(x);
            }
        }
        if hi - lo <= 1 {
            mn = 0.0;
        }
        let q = p[k].clamp(1e-4, 1.0 - 1e-4);
        out.extend_from_slice(&x1[k * width1..(k + 1) * width1]);
        out.extend_from_slice(&[
            (q / (1.0 - q)).ln(),
            at(ki - 1),
            at(ki + 1),
            at(ki - 2),
            at(ki + 2),
            win(3),
            win(8),
            win(20),
            mn,
            mx,
            b(last.is_some_and(|l| k > l)),
            b(first.is_some_and(|f| k < f)),
            b(comments_head.is_some_and(|h| k > h)),
        ]);
        out.extend_from_slice(&thread.features(k));
        out.extend_from_slice(&sign_offs.features(k));
        out.extend_from_slice(&mass.features(x1, width1, k));
        out.extend_from_slice(&records.features(x1, width1, k));
        out.extend_from_slice(&body.features(p, k));
        out.extend_from_slice(&body.after_features(p, k));
    }
    *words = mass.words;
}

/// Stage-3 feature names beyond the stage-2 row (which stage 3 sees too):
/// the stage-2 probabilities read the way stage 2 reads stage 1's, the
/// line's stage-2 log-odds, its neighbours' stage-2 probabilities, window
/// means, before the first / after the last likely content line by
/// stage 2, and the run of dropped lines the line is in (`Runs`). A line's
/// neighbours are decided better than at stage 1, so a doubtful line is
/// judged by surer neighbours.
pub const STAGE3: &[&str] = &[
    "own_logit_s2",
    "prev_p_s2",
    "next_p_s2",
    "prev2_p_s2",
    "next2_p_s2",
    "win3_p_s2",
    "win8_p_s2",
    "win20_p_s2",
    "after_last_content_s2",
    "before_first_content_s2",
    "run_inside",
    "run_lines_log",
    "run_words_log",
    "run_mean_p_s2",
    "run_rim_p_s2",
    "run_lex_share",
    "run_repeat_share",
    "run_time_share",
    "run_short_share",
    "run_side_log",
    "run_end_punct_share",
    "run_max_p_s2",
];

/// How many [`STAGE3`] values describe the run a line is in (`Runs`).
const RUN_FEATURES: usize = 12;

/// The runs of lines stage 2 dropped with lines it kept on both sides: the
/// content most often lost inside an article is a run (a list of names, a
/// code listing, a spec table), and so is chrome inside it (a related box,
/// a comment's byline and text, a gallery's captions). What the run is
/// made of tells them apart better than each line alone: a run with a
/// lexicon or site-repeated line, or with dated lines (comment bylines),
/// is chrome; a run of short lines the model was nearly sure of, between
/// kept lines it was sure of, is a list. The values: the run's lines and
/// words (log), its mean stage-2 probability, the mean of the two kept
/// lines that bound it, its shares of lines with a lexicon phrase, seen on
/// another page of the site, with a time or date, of at most five words
/// (the stage-1 `words_le5` cut) and ending a sentence, ln(1 + the kept
/// words on its thinner side), and its highest stage-2 probability (a run
/// whose best line was nearly kept is not the same as a run of equally
/// doubtful lines with the same mean). No threshold of their own: runs are cut at
/// the model's threshold, and the weights come from training.
struct Runs {
    /// Each run's first line, its end, and its [`RUN_FEATURES`] values, in
    /// order; lines in no run have zeros. (Runs rather than a row a line:
    /// most lines are in none, and a zeroed row a line was an allocation
    /// and a fill a page.)
    runs: Vec<(usize, usize, [f32; RUN_FEATURES])>,
}

impl Runs {
    fn of(p: &[f32], x2: &[f32], width2: usize, words: &[f64], threshold: f32) -> Runs {
        let n = p.len();
        let mut runs = Vec::new();
        let col = |k: usize, c: usize| x2[k * width2 + c];
        let kept_words = |k: usize| if p[k] >= threshold { words[k] } else { 0.0 };
        // The words of the kept lines: all of them, and those above the
        // line at hand. Summed in line order, as the prefix sums they
        // replace were (adding the +0.0 of a dropped line changes no sum).
        let total: f64 = (0..n).fold(0.0, |t, k| t + kept_words(k));
        let mut above = 0.0f64;
        let mut i = 0;
        while i < n {
            if p[i] >= threshold {
                above += words[i];
                i += 1;
                continue;
            }
            let j = (i..n).find(|&j| p[j] >= threshold).unwrap_or(n);
            if i > 0 && j < n {
                let len = (j - i) as f32;
                let share =
                    |f: &dyn Fn(usize) -> bool| (i..j).filter(|&k| f(k)).count() as f32 / len;
                let run_words: f64 = words[i..j].iter().sum();
                let row = [
                    1.0,
                    len.ln_1p(),
                    (run_words as f32).ln_1p(),
                    p[i..j].iter().sum::<f32>() / len,
                    (p[i - 1] + p[j]) / 2.0,
                    share(&|k| col(k, LEX_WHOLE) > 0.0 || col(k, LEX_CONTAINED) > 0.0),
                    share(&|k| col(k, SITE_DF_GE2) > 0.0),
                    share(&|k| col(k, HAS_TIME) > 0.0 || col(k, DATE_LIKE) > 0.0),
                    share(&|k| col(k, WORDS_LE5) > 0.0),
                    // The kept words above the run and below it (the run's
                    // lines are dropped, so those above its end are those
                    // above its start).
                    (above.min(total - above) as f32).ln_1p(),
                    share(&|k| col(k, END_PUNCT) > 0.0),
                    p[i..j].iter().copied().fold(0.0, f32::max),
                ];
                runs.push((i, j, row));
            }
            i = j;
        }
        Runs { runs }
    }
}

const LEX_WHOLE: usize = stage1_column("lex_whole");
const LEX_CONTAINED: usize = stage1_column("lex_contained");
const SITE_DF_GE2: usize = stage1_column("site_df_ge2");
const HAS_TIME: usize = stage1_column("has_time");
const DATE_LIKE: usize = stage1_column("date_like");
const END_PUNCT: usize = stage1_column("end_punct");

/// The [`STAGE3`] features, into `out`, one row of `STAGE3.len()` values a
/// line, from the stage-2 probabilities `p` (one per non-blank line) and
/// the stage-2 rows `x2` (`width2` values a row, each starting with the
/// line's stage-1 row, which the run features read). The
/// stage-2 row that stage 3 also sees is not copied: the model takes the
/// two parts' dot products apart.
pub fn stage3(p: &[f32], x2: &[f32], width2: usize, threshold: f32, out: &mut Vec<f32>) {
    let words: Vec<f64> = (0..p.len()).map(|k| words_of(x2, width2, k)).collect();
    stage3_words(p, x2, width2, &words, threshold, out);
}

/// [`stage3`] with each line's words given (`words_of` of its row), as
/// [`stage2_words`] leaves them: undoing `words_log` again took an `exp_m1`
/// a line.
pub(crate) fn stage3_words(
    p: &[f32],
    x2: &[f32],
    width2: usize,
    words: &[f64],
    threshold: f32,
    out: &mut Vec<f32>,
) {
    out.clear();
    let n = p.len();
    let runs = Runs::of(p, x2, width2, words, threshold);
    let mut run = runs.runs.iter().peekable();
    let first = p.iter().position(|&x| x >= threshold);
    let last = p.iter().rposition(|&x| x >= threshold);
    let sums = prefix_sums(n, p.iter().map(|&x| [x]));
    let at = |j: usize| -> f32 { p.get(j).copied().unwrap_or(0.0) };
    for (k, &pk) in p.iter().enumerate() {
        let win = |r: usize| mean_around(&sums, pk, k, r);
        let q = pk.clamp(1e-4, 1.0 - 1e-4);
        out.extend_from_slice(&[
            (q / (1.0 - q)).ln(),
            if k >= 1 { at(k - 1) } else { 0.0 },
            at(k + 1),
            if k >= 2 { at(k - 2) } else { 0.0 },
            at(k + 2),
            win(3),
            win(8),
            win(20),
            b(last.is_some_and(|l| k > l)),
            b(first.is_some_and(|f| k < f)),
        ]);
        while run.next_if(|r| r.1 <= k).is_some() {}
        match run.peek() {
            Some((i, _, row)) if *i <= k => out.extend_from_slice(row),
            _ => out.extend_from_slice(&[0.0; RUN_FEATURES]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::OTHER;

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

    #[test]
    fn stage3_reads_the_stage2_probabilities_around_a_line() {
        let p = [0.1f32, 0.9, 0.8, 0.2, 0.7, 0.1];
        let mut out = Vec::new();
        let w2 = STAGE1.len();
        stage3(&p, &vec![0.0; p.len() * w2], w2, 0.5, &mut out);
        let w = STAGE3.len();
        assert_eq!(out.len(), p.len() * w);
        let get =
            |k: usize, name: &str| out[k * w + STAGE3.iter().position(|&n| n == name).unwrap()];
        assert!((get(2, "own_logit_s2") - (0.8f32 / 0.2).ln()).abs() < 1e-5);
        assert_eq!(get(2, "prev_p_s2"), 0.9);
        assert_eq!(get(2, "next_p_s2"), 0.2);
        assert_eq!(get(2, "prev2_p_s2"), 0.1);
        assert_eq!(get(2, "next2_p_s2"), 0.7);
        assert_eq!(get(0, "prev_p_s2"), 0.0);
        assert_eq!(get(5, "next2_p_s2"), 0.0);
        // The other lines within three of line 2: all but line 2 itself.
        assert!((get(2, "win3_p_s2") - (0.1 + 0.9 + 0.2 + 0.7 + 0.1) / 5.0).abs() < 1e-6);
        assert_eq!(get(0, "before_first_content_s2"), 1.0);
        assert_eq!(get(1, "before_first_content_s2"), 0.0);
        assert_eq!(get(5, "after_last_content_s2"), 1.0);
        assert_eq!(get(4, "after_last_content_s2"), 0.0);
        // A page of one line has no neighbours.
        stage3(&[0.6], &vec![0.0; w2], w2, 0.5, &mut out);
        assert_eq!(out.len(), w);
        assert_eq!(
            out[STAGE3.iter().position(|&n| n == "win20_p_s2").unwrap()],
            0.0
        );
    }

    #[test]
    fn stage3_describes_the_dropped_run_a_line_is_in() {
        // Lines 0 and 4 kept by stage 2; 1..4 a run between them; 5 a
        // dropped tail with nothing kept below, which is no run.
        let p = [0.9f32, 0.2, 0.4, 0.3, 0.8, 0.1];
        let w2 = STAGE1.len();
        let mut x2 = vec![0.0f32; p.len() * w2];
        let words = [100.0f32, 3.0, 12.0, 4.0, 40.0, 2.0];
        for (k, w) in words.iter().enumerate() {
            x2[k * w2 + WORDS_LOG] = w.ln_1p();
        }
        x2[w2 + LEX_CONTAINED] = 1.0;
        x2[2 * w2 + END_PUNCT] = 1.0;
        x2[3 * w2 + HAS_TIME] = 1.0;
        x2[w2 + WORDS_LE5] = 1.0;
        x2[3 * w2 + WORDS_LE5] = 1.0;
        let mut out = Vec::new();
        stage3(&p, &x2, w2, 0.5, &mut out);
        let w = STAGE3.len();
        let get =
            |k: usize, name: &str| out[k * w + STAGE3.iter().position(|&n| n == name).unwrap()];
        for k in 1..4 {
            assert_eq!(get(k, "run_inside"), 1.0);
            assert!((get(k, "run_lines_log") - 3.0f32.ln_1p()).abs() < 1e-5);
            assert!((get(k, "run_words_log") - 19.0f32.ln_1p()).abs() < 1e-3);
            assert!((get(k, "run_mean_p_s2") - 0.3).abs() < 1e-6);
            assert!((get(k, "run_rim_p_s2") - 0.85).abs() < 1e-6);
            assert!((get(k, "run_lex_share") - 1.0 / 3.0).abs() < 1e-6);
            assert!((get(k, "run_time_share") - 1.0 / 3.0).abs() < 1e-6);
            assert!((get(k, "run_short_share") - 2.0 / 3.0).abs() < 1e-6);
            assert!((get(k, "run_end_punct_share") - 1.0 / 3.0).abs() < 1e-6);
            assert_eq!(get(k, "run_repeat_share"), 0.0);
            assert!((get(k, "run_max_p_s2") - 0.4).abs() < 1e-6);
            // The thinner side: 40 kept words below against 100 above.
            assert!((get(k, "run_side_log") - 40.0f32.ln_1p()).abs() < 1e-3);
        }
        // Kept lines and the dropped tail are in no run.
        for k in [0, 4, 5] {
            let first = STAGE3.iter().position(|&n| n == "run_inside").unwrap();
            assert!(out[k * w + first..(k + 1) * w].iter().all(|&v| v == 0.0));
        }
    }

    /// The `N` stage-2 values from column `first` on, of each row of
    /// `stage2`'s output.
    fn stage2_columns<const N: usize>(
        x1: &[f32],
        width: usize,
        p: &[f32],
        first: &str,
    ) -> Vec<[f32; N]> {
        let mut out = Vec::new();
        stage2(x1, width, p, 0.5, &mut out);
        let w2 = width + STAGE2.len();
        let col = width + STAGE2.iter().position(|&n| n == first).unwrap();
        (0..p.len())
            .map(|k| std::array::from_fn(|j| out[k * w2 + col + j]))
            .collect()
    }

    /// The `after_comments_head` value of each row of `stage2`'s output.
    fn after_comments(x1: &[f32], width: usize, p: &[f32]) -> Vec<f32> {
        stage2_columns::<1>(x1, width, p, "after_comments_head")
            .into_iter()
            .map(|[v]| v)
            .collect()
    }

    #[test]
    fn comment_area_begins_at_a_comments_line_after_content() {
        let width = comments_column() + 1;
        let mut x1 = vec![0.0f32; 5 * width];
        // Line 0 is a comments-lexicon line before any content: not a head.
        // Line 3 is one after the content line 1: the area begins there.
        x1[comments_column()] = 1.0;
        x1[3 * width + comments_column()] = 1.0;
        let p = [0.1, 0.9, 0.8, 0.1, 0.7];
        assert_eq!(after_comments(&x1, width, &p), [0.0, 0.0, 0.0, 0.0, 1.0]);
        // Without content before it, a comments line opens no area.
        let p = [0.1, 0.1, 0.1, 0.1, 0.7];
        assert_eq!(after_comments(&x1, width, &p), [0.0; 5]);
    }

    #[test]
    fn page_kind_tells_prose_pages_from_pages_of_short_lines() {
        let line = |words: u32, stopwords: u32| LineInfo {
            words,
            stopwords,
            chars: words * 5,
            ..LineInfo::default()
        };
        // Two prose lines (12 words, a third stopwords), one short line, a blank.
        let infos = [line(12, 4), line(3, 0), LineInfo::default(), line(12, 4)];
        let content = [0, 1, 3];
        let page = PageKind::of(&infos, &content);
        assert_eq!(page.prose_share, 24.0 / 27.0);
        assert_eq!(page.short_share, 1.0 / 3.0);
        // Only a short line gets the products.
        assert_eq!(page.features(&infos[0])[2..], [0.0, 0.0]);
        assert_eq!(
            page.features(&infos[1]),
            [24.0 / 27.0, 1.0 / 3.0, 24.0 / 27.0, 1.0 / 3.0]
        );
        // A page without words has no kind.
        let empty = PageKind::of(&infos, &[2]);
        assert_eq!((empty.prose_share, empty.short_share), (0.0, 0.0));
    }

    /// The `comments_x_article` and `stamps_x_article` values of each row.
    fn thread_features(x1: &[f32], width: usize, p: &[f32]) -> Vec<[f32; 2]> {
        stage2_columns(x1, width, p, "comments_x_article")
    }

    #[test]
    fn a_thread_after_an_article_carries_the_article_share() {
        let width = STAGE1.len();
        let col = stage1_column;
        let mut x1 = vec![0.0f32; 8 * width];
        let mut set = |k: usize, name: &str, v: f32| x1[k * width + col(name)] = v;
        // Line 0 is the article; lines 2, 5 are post stamps, each followed by
        // a post of more than five words; lines 3, 6 are short ("Reply").
        for k in [2, 5] {
            set(k, "date_like", 1.0);
            set(k, "words_le5", 1.0);
            set(k + 1, "words_le5", 1.0);
        }
        set(2, "prose_before", 0.75);
        set(5, "prose_before", 0.85);
        let p = [0.9, 0.2, 0.3, 0.2, 0.8, 0.3, 0.2, 0.8];
        let rows = thread_features(&x1, width, &p);
        let stamps: Vec<f32> = rows.iter().map(|r| r[1]).collect();
        // After the second stamp, the share of prose before the first.
        assert_eq!(stamps, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.75, 0.75]);
        assert!(rows.iter().all(|r| r[0] == 0.0), "no comments heading");

        // Stamps one after another (a timetable) open no thread.
        let mut x1 = vec![0.0f32; 6 * width];
        for k in 1..5 {
            x1[k * width + col("has_time")] = 1.0;
        }
        let p = [0.9, 0.6, 0.6, 0.6, 0.6, 0.9];
        assert!(thread_features(&x1, width, &p)
            .iter()
            .all(|r| r == &[0.0, 0.0]));
    }

    #[test]
    fn a_thread_after_a_long_article_carries_its_words() {
        let width = comments_column() + 1;
        let col = stage1_column;
        // Lines 0 and 1 are likely content of 40 and 20 words, line 2 a
        // 5-word line stage 1 drops, line 3 the comments heading.
        let words = [40.0f32, 20.0, 5.0, 1.0, 30.0];
        let mut x1 = vec![0.0f32; words.len() * width];
        for (k, w) in words.iter().enumerate() {
            x1[k * width + col("words_log")] = w.ln_1p();
        }
        x1[3 * width + comments_column()] = 1.0;
        let p = [0.9, 0.8, 0.2, 0.1, 0.7];
        let words_after: Vec<f32> = stage2_columns::<1>(&x1, width, &p, "comments_x_article_words")
            .iter()
            .map(|r| r[0])
            .collect();
        // Only the line after the heading has it: ln(1 + 60) of the kept
        // words above the heading, the dropped line left out.
        assert_eq!(words_after[..4], [0.0; 4]);
        assert!(
            (words_after[4] - 60.0f32.ln_1p()).abs() < 1e-4,
            "{words_after:?}"
        );
    }

    #[test]
    fn teasers_after_a_related_heading_carry_the_article_words() {
        let width = SIGN_OFF_CATEGORIES
            .iter()
            .map(|c| category_column(c))
            .max()
            .unwrap()
            + 1;
        let col = stage1_column;
        let words = [12.0f32, 50.0, 2.0, 25.0, 25.0];
        let mut x1 = vec![0.0f32; words.len() * width];
        for (k, w) in words.iter().enumerate() {
            x1[k * width + col("words_log")] = w.ln_1p();
        }
        // Line 0, a related heading before any content, opens nothing;
        // line 2 does.
        x1[category_column("related")] = 1.0;
        x1[2 * width + category_column("related")] = 1.0;
        let p = [0.3, 0.9, 0.1, 0.6, 0.6];
        let rows = stage2_columns::<3>(&x1, width, &p, "related_x_article_words");
        let v: Vec<f32> = rows.iter().map(|r| r[0]).collect();
        assert_eq!(v[..3], [0.0; 3]);
        assert!(
            (v[3] - 50.0f32.ln_1p()).abs() < 1e-4 && v[3] == v[4],
            "{v:?}"
        );
        // No share or newsletter line on the page: their features stay 0.
        assert!(rows.iter().all(|r| r[1..] == [0.0, 0.0]));
        // A share line right after the headline (line 0, now content)
        // comes before the article's body: it carries only the headline's
        // words.
        x1[category_column("related")] = 0.0;
        x1[width + category_column("share")] = 1.0;
        let p = [0.6, 0.1, 0.1, 0.6, 0.6];
        let rows = stage2_columns::<3>(&x1, width, &p, "related_x_article_words");
        let share: Vec<f32> = rows.iter().map(|r| r[1]).collect();
        assert_eq!(share[..2], [0.0; 2]);
        assert!((share[2] - 12.0f32.ln_1p()).abs() < 1e-4, "{share:?}");
    }

    #[test]
    fn lines_above_the_body_carry_their_shortfall_times_its_words() {
        let width = category_column("comments") + 1;
        let col = stage1_column;
        // Two teasers (kept, lines 0 and 1), three dropped lines that end
        // their run, a teaser running on into the body without a gap (line
        // 5), the body (lines 6 to 8) and a dropped footer.
        let words = [20.0f32, 20.0, 2.0, 2.0, 2.0, 15.0, 60.0, 40.0, 50.0, 3.0];
        let p = [0.7, 0.6, 0.1, 0.2, 0.1, 0.65, 0.95, 0.9, 0.95, 0.1];
        let mut x1 = vec![0.0f32; words.len() * width];
        for (k, w) in words.iter().enumerate() {
            x1[k * width + col("words_log")] = w.ln_1p();
        }
        let body_words = 15.0f32 + 60.0 + 40.0 + 50.0;
        let mean = (15.0 * 0.65 + 60.0 * 0.95 + 40.0 * 0.9 + 50.0 * 0.95) / body_words;
        let check = |x1: &[f32], above: usize| {
            let rows = stage2_columns::<2>(x1, width, &p, "before_body_x_p_gap");
            for (k, r) in rows.iter().enumerate().take(above) {
                let gap = (mean - p[k]).max(0.0);
                assert!((r[0] - gap).abs() < 1e-4, "line {k}: {rows:?}");
                assert!(
                    (r[1] - gap * body_words.ln_1p()).abs() < 1e-3,
                    "line {k}: {rows:?}"
                );
            }
            assert!(rows[0][1] > 0.0 && rows[1][1] > rows[0][1] && rows[5][1] > 0.0);
            // The body from where it begins in earnest, and what follows.
            assert!(rows[above..].iter().all(|r| *r == [0.0, 0.0]), "{rows:?}");
        };
        check(&x1, 6);
        // A first sure line that the page prints twice (a headline's
        // repeat) does not begin the body: the next line as sure as the
        // mean does (line 7, at 0.9, is not).
        x1[6 * width + col("page_repeat")] = 1.0;
        check(&x1, 8);
        // A page whose longest run comes first: nothing lies above it.
        let words = [60.0f32, 50.0, 2.0, 2.0, 2.0, 15.0, 2.0, 2.0, 2.0, 2.0];
        let p = [0.95, 0.9, 0.1, 0.2, 0.1, 0.6, 0.1, 0.1, 0.1, 0.1];
        for (k, w) in words.iter().enumerate() {
            x1[k * width + col("words_log")] = w.ln_1p();
        }
        let rows = stage2_columns::<2>(&x1, width, &p, "before_body_x_p_gap");
        assert!(rows.iter().all(|r| *r == [0.0, 0.0]), "{rows:?}");
    }

    #[test]
    fn lines_after_the_body_carry_their_shortfall_times_its_words() {
        let width = category_column("comments") + 1;
        let col = stage1_column;
        // A menu item, the body (lines 1 to 3), a teaser running on from
        // it without a gap (line 4, less sure than the body), a dropped
        // label, a second teaser that the body's run takes in across the
        // one-line gap (line 6), and a dropped footer.
        let words = [2.0f32, 60.0, 40.0, 50.0, 20.0, 2.0, 20.0, 3.0];
        let p = [0.1, 0.95, 0.9, 0.95, 0.6, 0.1, 0.7, 0.1];
        let mut x1 = vec![0.0f32; words.len() * width];
        for (k, w) in words.iter().enumerate() {
            x1[k * width + col("words_log")] = w.ln_1p();
        }
        let body_words = 60.0f32 + 40.0 + 50.0 + 20.0 + 20.0;
        let mean = (60.0 * 0.95 + 40.0 * 0.9 + 50.0 * 0.95 + 20.0 * 0.6 + 20.0 * 0.7) / body_words;
        let check = |x1: &[f32], end: usize| {
            let rows = stage2_columns::<1>(x1, width, &p, "after_body_p_gap_x_body_words");
            for (k, r) in rows.iter().enumerate() {
                let want = if k > end {
                    (mean - p[k]).max(0.0) * body_words.ln_1p()
                } else {
                    0.0
                };
                assert!((r[0] - want).abs() < 1e-3, "line {k}: {rows:?}");
            }
            assert!(rows[4][0] > 0.0 && rows[5][0] > rows[4][0] && rows[6][0] > 0.0);
        };
        // The body ends in earnest at its last line as sure as its mean.
        check(&x1, 3);
        // A last sure line that the page prints twice (a headline repeated
        // under the article) does not end the body: the one before does.
        x1[3 * width + col("page_repeat")] = 1.0;
        check(&x1, 2);
        // A page whose longest run comes last: nothing lies after it.
        let p = [0.1, 0.1, 0.1, 0.1, 0.95, 0.9, 0.95, 0.95];
        let words = [2.0f32, 2.0, 2.0, 2.0, 60.0, 40.0, 50.0, 30.0];
        for (k, w) in words.iter().enumerate() {
            x1[k * width + col("words_log")] = w.ln_1p();
            x1[k * width + col("page_repeat")] = 0.0;
        }
        let rows = stage2_columns::<1>(&x1, width, &p, "after_body_p_gap_x_body_words");
        assert!(rows.iter().all(|r| *r == [0.0]), "{rows:?}");
    }

    #[test]
    fn word_mass_weighs_neighbours_by_their_words() {
        let width = STAGE1.len();
        let col = stage1_column;
        // Lines: a 3-word menu item (p 0.1), a short line (p 0.4, words 1),
        // a 15-word paragraph (p 0.9), a 1-word item (p 0.1).
        let words = [3.0f32, 1.0, 15.0, 1.0];
        let p = [0.1, 0.4, 0.9, 0.1];
        let mut x1 = vec![0.0f32; 4 * width];
        for (k, w) in words.iter().enumerate() {
            x1[k * width + col("words_log")] = w.ln_1p();
            x1[k * width + col("words_le5")] = if *w <= 5.0 { 1.0 } else { 0.0 };
        }
        let mass = WordMass::of(&x1, width, &p);
        // The short line's neighbours: 3 words at 0.1, 15 at 0.9, 1 at 0.1.
        let want = (3.0 * 0.1 + 15.0 * 0.9 + 0.1) / 19.0;
        let [share, short] = mass.features(&x1, width, 1);
        assert!((share - want).abs() < 1e-5, "{share} vs {want}");
        assert_eq!(short, share);
        // The paragraph is no short line: no product.
        let [share, short] = mass.features(&x1, width, 2);
        assert!((share - (0.3 + 0.4 + 0.1) / 5.0).abs() < 1e-5, "{share}");
        assert_eq!(short, 0.0);
        // A page of one line has no neighbours.
        let one = WordMass::of(&x1[..width], width, &p[..1]);
        assert_eq!(one.features(&x1, width, 0), [0.0, 0.0]);
    }

    #[test]
    fn records_find_repeated_items_with_a_number_but_not_menus() {
        let width = STAGE1.len();
        let col = stage1_column;
        // Ranked items of three lines: "1." / a name / "9.1", five times.
        let n = 15;
        let mut x1 = vec![0.0f32; n * width];
        for k in 0..n {
            x1[k * width + col("words_le2")] = 1.0;
            x1[k * width + col("words_le5")] = 1.0;
            x1[k * width + col("words_le10")] = 1.0;
            if k % 3 != 1 {
                x1[k * width + col("digit_ratio")] = 0.8;
            }
        }
        let records = Records::of(&x1, width, n);
        // A name in the middle: its shape comes back every three lines,
        // on both sides; the first name has only the two after it.
        assert_eq!(records.features(&x1, width, 7), [1.0, 1.0]);
        assert_eq!(records.features(&x1, width, 1)[0], 0.5);
        // A menu of one shape, no numbers: no records.
        let menu = vec![0.0f32; n * width];
        let records = Records::of(&menu, width, n);
        assert!((0..n).all(|k| records.features(&menu, width, k) == [0.0, 0.0]));
        // Mixed shapes without a number (a menu of one- and four-word
        // items): no records either.
        let mut mixed = menu.clone();
        for k in (0..n).step_by(2) {
            mixed[k * width + col("words_le2")] = 1.0;
        }
        let records = Records::of(&mixed, width, n);
        assert!((0..n).all(|k| records.features(&mixed, width, k) == [0.0, 0.0]));
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
        info.end_punct = ends_sentence(last, || prev_last);
        info.truncated = t.ends_with("...") || t.ends_with('…');
        info.bullet = starts_bullet(t);
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

    /// A table of the stopwords `stop` and the lexicon words `lexicon`,
    /// numbered in order.
    fn table(stop: &[&str], lexicon: &[&str]) -> WordTable {
        WordTable::from_words(
            stop.iter().map(|w| w.as_bytes()),
            lexicon.iter().enumerate().map(|(n, w)| {
                (
                    w.as_bytes(),
                    Symbol::of(n, lexicon.len()).expect("a few words"),
                )
            }),
        )
    }

    /// The words and stopwords `gather` finds in each line of `text`, alone
    /// in an empty corpus with the built-in lexicon.
    fn counted(text: &str) -> Vec<(u32, u32)> {
        let rules = RuleSet::built_in();
        let table = WordTable::new(&rules);
        let mut s = Scratch::default();
        gather(
            text.as_bytes(),
            None,
            &LineStats::new(),
            &rules,
            &table,
            &mut s,
        );
        s.infos.iter().map(|i| (i.words, i.stopwords)).collect()
    }

    #[test]
    fn scripts_without_spaces_are_counted_by_characters() {
        // Chinese and Japanese: a run of n characters is round(n / 1.6)
        // words, at least one; the word between spaces that holds it is
        // already counted once. Function characters are stopwords wherever
        // they stand. Runs end at anything else: a Latin word, a digit, a
        // space. Hangul is written with spaces and counted by them.
        // Thai: round(n / 4.1) words, marks included. Its function words
        // are found inside the run (ได้, กัน, ที่), but not where the letters
        // around belong to another syllable: มี in มีนาคม is followed by no
        // vowel and counts, ใน after a leading vowel (เใน) does not, ที่
        // before a following vowel (ที่า) does not. A run ends where the
        // script changes, and each finds its own.
        let t = WordTable::new(&RuleSet::built_in());
        for (text, counts) in [
            ("首页", (0, 0)),
            ("相关阅读", (2, 0)),
            ("城市更新让老街区焕发新活力", (7, 0)),
            ("我们的", (1, 3)),
            ("港の朝市", (2, 1)),
            ("qq空间", (0, 0)),
            ("0年0月", (0, 0)),
            ("share this", (0, 0)),
            ("한국어 문장", (0, 0)),
            ("หน้าแรก", (1, 0)),
            ("ข่าว", (0, 0)),
            ("ชาวบ้านได้มารวมตัวกันที่ท่าน้ำ", (6, 3)),
            ("มีนาคม", (0, 1)),
            ("เใน", (0, 0)),
            ("ที่า", (0, 0)),
            ("ที่的", (0, 2)),
        ] {
            assert_eq!(t.unspaced(text.as_bytes()), counts, "{text}");
        }

        let lines = counted(concat!(
            "新闻\n",
            "近年来，许多城市开始把目光投向老旧街区。与大规模拆除重建不同，",
            "新一轮的城市更新更强调保留原有的街巷肌理和生活气息。\n",
            "港から続く長い坂道をのぼりきったところに、小さなパン屋さんがあります。\n",
            "Share this post\n",
            // A Thai stopword standing alone is counted once, by the run and
            // not by the table of words between spaces.
            "และ\n",
            "เช้าวันเสาร์ที่ผ่านมา ชาวบ้านกว่าสองร้อยคนจากชุมชนริมคลองได้มารวมตัวกันที่ท่าน้ำ ",
            "เพื่อเก็บขยะที่ลอยอยู่ในคลองและบนตลิ่ง\n",
        ));
        assert_eq!(lines[0], (1, 0));
        // Prose: twelve words or more, a sixth of them stopwords or more.
        for &(words, stops) in [&lines[1], &lines[2], &lines[5]] {
            assert!(words >= 12 && stops * 6 >= words, "{words} {stops}");
        }
        // Text with spaces is counted as before.
        assert_eq!(lines[3], (3, 1));
        assert_eq!(lines[4], (1, 1));
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

    #[test]
    fn stopwords_match_the_list_and_nothing_else() {
        let s = WordTable::new(&RuleSet::built_in());
        for w in ["the", "and", "für", "également", "ein"] {
            let listed = built_in_stopwords().any(|x| x == w);
            assert_eq!(s.contains(w.as_bytes()), listed, "{w}");
        }
        // Lexicon words that are no stopwords.
        for w in ["subscribe", "newsletter", "cookies", "share"] {
            assert!(!s.contains(w.as_bytes()), "{w}");
            assert_ne!(s.value(w.as_bytes()), 0, "{w}");
        }
        assert!(!s.contains(b"thee"));
        assert!(!s.contains(b"th"));
        let long = table(&["a", "considerably"], &[]);
        assert!(long.contains(b"considerably") && long.contains(b"a"));
        assert!(!long.contains(b"considerabl"));
    }

    #[test]
    fn words_get_their_rule_sets_symbols() {
        let rules = RuleSet::built_in();
        let t = WordTable::new(&rules);
        let mut n = 0;
        for (w, symbol) in rules.symbols() {
            let (bytes, len) = symbol_of(t.value(w));
            assert_eq!(&bytes[1..1 + len], symbol.as_slice(), "{w:?}");
            n += 1;
        }
        assert!(n > 100, "{n} lexicon words");
        assert_eq!(symbol_of(t.value(b"zzzq")).1, 0);
    }

    #[test]
    fn word_counts_by_u64_equal_the_split() {
        let s = table(
            &["the", "a", "considerably", "eightchr"],
            &["the", "eightchr", "cookies", "subscribers"],
        );
        let lines = [
            "the a considerably eightchr eightchrs",
            "a",
            "considerably",
            "eightchr the",
            "x eightchr",
            "considerablyx the considerably",
            "subscribers cookies x y the",
        ];
        let (mut fast, mut plain) = (Vec::new(), Vec::new());
        for line in lines {
            // Whatever follows the space after the normal form is not read
            // as part of it.
            for after in [b' ', b'a', 0] {
                let mut buf = line.as_bytes().to_vec();
                buf.push(b' ');
                buf.extend([after; PACKED]);
                assert_eq!(
                    s.count(&buf, line.len(), &mut fast),
                    s.count_plain(line.as_bytes(), &mut plain),
                    "{line}"
                );
                assert_eq!(fast, plain, "{line}");
            }
            // Without the space and the eight bytes: the plain way.
            assert_eq!(
                s.count(line.as_bytes(), line.len(), &mut fast),
                s.count_plain(line.as_bytes(), &mut plain)
            );
            assert_eq!(fast, plain, "{line}");
        }
        assert_eq!(
            s.count_plain(b"the a considerably eightchr eightchrs", &mut plain),
            (5, 4)
        );
        // "the", a run of words of no phrase, "eightchr", "the".
        let sym = |n| Symbol::of(n, 4).unwrap().bytes[0];
        s.count_plain(b"the a x eightchr the", &mut plain);
        assert_eq!(plain, [sym(0), OTHER, sym(1), sym(0)]);
    }

    proptest::proptest! {
        #[test]
        fn space_search_by_u64_equals_memchr(
            bytes in proptest::collection::vec(proptest::sample::select(vec![b' ', b'a', 0, 0xff, b'!']), 0..40),
            at in 0usize..44,
        ) {
            let expected = bytes.get(at..).and_then(|b| memchr::memchr(b' ', b));
            proptest::prop_assert_eq!(space_at_or_after(&bytes, at), expected);
        }
    }

    #[test]
    fn title_search_equals_substring_search() {
        let title = b" the mayor opens the new bridge ";
        let spaces: Vec<usize> = memchr::memchr_iter(b' ', title).collect();
        for needle in [
            &b" the new bridge "[..],
            b" mayor opens the ",
            b" the mayor opens the new bridge ",
            b" opens the old ",
            b" bridge today ",
            b" the mayor opens the new bridge today ",
        ] {
            assert_eq!(
                contains_padded(title, &spaces, needle),
                memchr::memmem::find(title, needle).is_some()
            );
        }
    }

    #[test]
    fn flags_are_the_converted_bools() {
        for x in [false, true] {
            assert_eq!(b(x).to_bits(), (x as u8 as f32).to_bits());
        }
    }

    /// The clock-time search as first written: every window of four bytes.
    fn naive_clock_time(t: &[u8]) -> bool {
        t.windows(4).any(|w| {
            w[0].is_ascii_digit() && w[1] == b':' && w[2].is_ascii_digit() && w[3].is_ascii_digit()
        })
    }

    #[test]
    fn ln1_table_equals_the_call() {
        for x in (0..LN1P_SIZE as u32 + 10).chain([100_000, u32::MAX]) {
            assert_eq!(ln1(x).to_bits(), (x as f32).ln_1p().to_bits());
        }
    }

    #[test]
    fn words_back_is_words_of_the_row() {
        for x in (0..LN1P_SIZE as u32 + 10).chain([100_000, u32::MAX]) {
            let row = [ln1(x)];
            let undone = f64::from(row[0]).exp_m1();
            assert_eq!(words_back(x).to_bits(), undone.to_bits(), "{x}");
        }
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
