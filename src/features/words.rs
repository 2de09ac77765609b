//! The word table: each word of a line looked up once for whether it is a
//! stopword and which lexicon symbol it carries, and the words of scripts
//! written without spaces counted by their characters.

use crate::line::{HIGH, ONES};
use crate::rules::{push_symbol, RuleSet, Symbol};
use crate::stats::FpMap;

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
/// byte (NUL is punctuation to [`Normalizer`](crate::line::Normalizer)), so zero padding cannot make
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
pub(super) const PACKED: usize = 8;

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
    include_str!("../model/stopwords.txt")
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
    pub(super) fn count(&self, line: &[u8], end: usize, symbols: &mut Vec<u8>) -> (u32, u32) {
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
    pub(super) fn count_plain(&self, normal: &[u8], symbols: &mut Vec<u8>) -> (u32, u32) {
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
    pub(super) fn unspaced(&self, normal: &[u8]) -> (u32, u32) {
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
            !before.is_some_and(crate::line::is_thai_leading_vowel)
                && !after.is_some_and(crate::line::is_thai_follower)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::{gather, Scratch};
    use crate::rules::OTHER;
    use crate::stats::LineStats;

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
}
