//! The lexicon: boilerplate phrases by category, compiled once into an
//! aho-corasick automaton and a table of whole lines.
//!
//! Rules are data. The built-in files live in `src/rules/*.txt`, one category
//! a file (the file name), and users add their own with the same format:
//!
//! ```text
//! # a comment
//! =  comments            the whole normalised line equals the phrase
//! ^  posted by           the normalised line starts with the phrase
//!    share this post     the line contains the phrase, and is short (see below)
//! ~  your support        weak: condemns a line containing it only next to a
//!                        line the lexicon condemned in the same category
//! !  share this story    (user files) protect: a line containing it is kept
//! ```
//!
//! Weak phrases carry appeals and widgets that come in blocks: a donation
//! box opens with "Support independent journalism" (a strong phrase) and goes
//! on with prose ("we persist with your support"), which no phrase could
//! condemn alone without hitting articles that discuss such things.
//!
//! A line's mark (`=`, `^`, `~`, `!`, `#`, `@`) is its first character after
//! any indentation. A user file names its category with a `@category NAME`
//! line (default: `user`). Phrases are normalised as lines are ([`crate::line::Normalizer`]),
//! so case, digits and punctuation in a rule do not matter.
//!
//! The automaton runs over words, not bytes: each word of the lexicon's
//! phrases has a symbol of a few bytes, a line is read as the symbols of its
//! words (a run of words of no phrase as one byte, `OTHER`), and a phrase
//! is the string of its words' symbols. A line of prose takes a transition or
//! two a word where the same automaton over bytes took one a byte, and the
//! automaton is smaller. Matches are the same as over `" line "` with
//! `" phrase "`, since phrases and normal forms are words between single
//! spaces (checked by a test against aho-corasick over the bytes).
//!
//! A contained phrase only counts in a line of at most
//! `3 × phrase words + 6` words: "share this post" condemns "Share this post
//! on Facebook" but not a paragraph that discusses sharing posts. The factor
//! and slack were set by reading the contained matches the built-in lexicon
//! makes in the evaluation pages' gold text: almost all such matches are in
//! lines longer than this bound.

use std::collections::HashMap;

use std::sync::Arc;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind};

use crate::error::Error;
use crate::line::Normalizer;
use crate::stats::FpMap;

/// How a phrase matches a normalised line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MatchMode {
    /// The line equals the phrase.
    Whole,
    /// The line starts with the phrase (at a word boundary).
    Prefix,
    /// The line contains the phrase (at word boundaries) and is short.
    Contains,
    /// The line contains the phrase: keep it whatever else says.
    Protect,
    /// The line contains the phrase, and a neighbouring line was condemned
    /// by the same category.
    Weak,
}

/// One phrase of the lexicon.
#[derive(Clone, Debug)]
pub struct Phrase {
    /// The phrase's normal form.
    pub text: String,
    /// Index of its category in [`RuleSet::categories`].
    pub category: u16,
    /// How it matches.
    pub mode: MatchMode,
    /// Words in the phrase.
    pub words: u32,
}

/// The built-in rule files: (category, text).
pub const BUILT_IN: &[(&str, &str)] = &[
    ("share", include_str!("rules/share.txt")),
    ("related", include_str!("rules/related.txt")),
    ("paywall", include_str!("rules/paywall.txt")),
    ("newsletter", include_str!("rules/newsletter.txt")),
    ("cookie", include_str!("rules/cookie.txt")),
    ("app", include_str!("rules/app.txt")),
    ("navigation", include_str!("rules/navigation.txt")),
    ("comments", include_str!("rules/comments.txt")),
    ("wiki", include_str!("rules/wiki.txt")),
    ("ads", include_str!("rules/ads.txt")),
    ("media", include_str!("rules/media.txt")),
];

/// The categories of the built-in lexicon, in order.
pub fn built_in_categories() -> Vec<String> {
    BUILT_IN.iter().map(|(c, _)| c.to_string()).collect()
}

/// A contained phrase counts in lines of at most `CONTAINS_FACTOR × phrase
/// words + CONTAINS_SLACK` words (see the module docs).
pub const CONTAINS_FACTOR: u32 = 3;
/// See [`CONTAINS_FACTOR`].
pub const CONTAINS_SLACK: u32 = 6;

/// The outcome of matching one line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LineMatch {
    /// The boilerplate phrase that matched, if any (whole-line matches win,
    /// then prefixes, then the longest contained phrase).
    pub hit: Option<u32>,
    /// The protecting phrase that matched, if any.
    pub protect: Option<u32>,
    /// A weak phrase that matched, if any.
    pub weak: Option<u32>,
}

/// The symbol of a run of words that belong to no phrase of the automaton.
/// Symbols of lexicon words start with a byte of the high bit set, and go on
/// with bytes `1..=127`, so a match starts at a word and never in the middle
/// of one, and a line's symbols end with [`OTHER`] only after such a word.
pub(crate) const OTHER: u8 = 0;

/// The symbol of one lexicon word: its first `len` bytes of `bytes`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Symbol {
    pub(crate) bytes: [u8; 3],
    pub(crate) len: u8,
}

impl Symbol {
    /// The symbol of word number `n` (from 0) of a lexicon of `count`
    /// words, all symbols of one width: the fewest bytes that number them
    /// (two up to 16,256 words, three up to about two million).
    pub(crate) fn of(n: usize, count: usize) -> Option<Symbol> {
        // Capacity of a width: 128 first bytes, 127 bytes each after.
        let mut width = 1;
        let mut capacity = 128;
        while capacity < count {
            width += 1;
            capacity *= 127;
            if width > 3 {
                return None;
            }
        }
        let mut s = Symbol {
            bytes: [0; 3],
            len: width as u8,
        };
        let mut rest = n;
        for k in (1..width).rev() {
            s.bytes[k] = 1 + (rest % 127) as u8;
            rest /= 127;
        }
        s.bytes[0] = 0x80 | rest as u8;
        Some(s)
    }

    /// Its bytes.
    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }
}

/// Appends the symbol `symbol` of a line's next word to `symbols` (an
/// empty `symbol`, for a word of no phrase, as [`OTHER`] once a run).
/// Always inlined: with a plain `#[inline]`, LLVM stopped inlining it into
/// the word table's loop when other modules moved between codegen units,
/// which cost 2.7 % more instructions on the benchmark sample.
#[inline(always)]
pub(crate) fn push_symbol(symbols: &mut Vec<u8>, symbol: &[u8]) {
    // Byte by byte: a symbol has at most three, where a copy of a slice of
    // unknown length is a call to `memcpy`.
    match *symbol {
        [] if symbols.last() != Some(&OTHER) => symbols.push(OTHER),
        [] => {}
        [a] => symbols.push(a),
        [a, b] => symbols.extend([a, b]),
        _ => symbols.extend_from_slice(symbol),
    }
}

/// A compiled lexicon: immutable, shared by all threads.
#[derive(Clone, Debug)]
pub struct RuleSet {
    categories: Vec<String>,
    phrases: Vec<Phrase>,
    whole: FpMap<u32>,
    /// Over `" phrase "` for prefix, contained and protecting phrases,
    /// searched in `" line "` so that matches fall on word boundaries.
    automaton: Option<Lexicon>,
    /// Automaton pattern index -> phrase index.
    pattern_phrase: Vec<u32>,
    /// The symbol of each word of the automaton's phrases.
    symbols: HashMap<Vec<u8>, Symbol>,
    /// The word-count guard of contained phrases: (factor, slack).
    guard: (u32, u32),
}

/// Collects rule files and compiles them into a [`RuleSet`].
#[derive(Clone, Debug, Default)]
pub struct RuleSetBuilder {
    files: Vec<(String, String, String)>,
    built_in: bool,
    guard: (u32, u32),
}

impl RuleSetBuilder {
    /// A builder with the built-in lexicon.
    pub fn new() -> RuleSetBuilder {
        RuleSetBuilder {
            files: Vec::new(),
            built_in: true,
            guard: (CONTAINS_FACTOR, CONTAINS_SLACK),
        }
    }

    /// The word-count guard of contained phrases: a phrase of `w` words
    /// counts in a line of at most `factor × w + slack` words. By default,
    /// [`CONTAINS_FACTOR`] and [`CONTAINS_SLACK`].
    pub fn contains_guard(&mut self, factor: u32, slack: u32) -> &mut RuleSetBuilder {
        self.guard = (factor, slack);
        self
    }

    /// Whether to include the built-in lexicon. By default, it is included.
    pub fn built_in(&mut self, yes: bool) -> &mut RuleSetBuilder {
        self.built_in = yes;
        self
    }

    /// Adds a rule file: `name` for messages, `text` its content. Its
    /// category is given by an `@category NAME` line, `user` by default.
    pub fn file(&mut self, name: &str, text: &str) -> &mut RuleSetBuilder {
        self.files
            .push((name.to_string(), "user".to_string(), text.to_string()));
        self
    }

    /// Compiles the rules. Errors name the file and line.
    pub fn build(&self) -> Result<RuleSet, Error> {
        let mut set = RuleSet {
            categories: Vec::new(),
            phrases: Vec::new(),
            whole: FpMap::default(),
            automaton: None,
            pattern_phrase: Vec::new(),
            symbols: HashMap::new(),
            guard: self.guard,
        };
        let mut norm = Normalizer::new();
        let mut seen: HashMap<(String, MatchMode), u32> = HashMap::new();
        // The built-in files' categories come first.
        let built_in_categories = if self.built_in { BUILT_IN.len() } else { 0 };
        let built_in = BUILT_IN
            .iter()
            .filter(|_| self.built_in)
            .map(|(cat, text)| {
                (
                    format!("built-in/{cat}.txt"),
                    cat.to_string(),
                    text.to_string(),
                    false,
                )
            });
        let user = self
            .files
            .iter()
            .map(|(name, cat, text)| (name.clone(), cat.clone(), text.clone(), true));
        for (name, default_cat, text, is_user) in built_in.chain(user) {
            let mut category = set.category_index(&default_cat);
            // A byte order mark (as Windows editors save UTF-8) is not part
            // of the first line: read as a gap, it hid a `#`, `@` or mode
            // mark behind it, and a comment became a phrase.
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            for (i, raw) in text.lines().enumerate() {
                let err = |message: String| Error::Rules {
                    source_name: name.clone(),
                    line: i + 1,
                    message,
                };
                // Marks are read after any indentation, as `#` always was:
                // an indented `! phrase` read as a contained phrase turned a
                // rule meant to keep lines into one that drops them.
                let line = raw.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                if let Some(directive) = line.strip_prefix('@') {
                    // `@category NAME` is the only directive; anything else
                    // (a misspelling) would otherwise be taken for a phrase.
                    let cat = match directive.split_once(char::is_whitespace) {
                        Some(("category", cat)) => cat.trim(),
                        None if directive == "category" => "",
                        _ => {
                            // The word right after `@`: "@ category" names
                            // none, where the first word was `@category`.
                            let name = directive.split(char::is_whitespace).next().unwrap_or("");
                            return Err(err(format!(
                                "unknown directive @{name}: the only one is `@category NAME`"
                            )));
                        }
                    };
                    // Control characters would be written as they are in
                    // --explain's and --stats' reasons (a terminal's escape
                    // sequences), and break --explain's columns.
                    if cat.is_empty() || cat.contains(|c: char| c.is_whitespace() || c.is_control())
                    {
                        return Err(err(format!("bad category name {cat:?}")));
                    }
                    // A user phrase in a built-in category would be taken
                    // for a built-in one: a feature of the model, not a
                    // rule that drops its lines whatever the model says.
                    if is_user && BUILT_IN.iter().any(|(c, _)| *c == cat) {
                        return Err(err(format!(
                            "category {cat} is built in; a rule file's phrases need a \
                             category of their own"
                        )));
                    }
                    category = set.category_index(cat);
                    continue;
                }
                let (mode, phrase) = match line.chars().next() {
                    Some('=') => (MatchMode::Whole, &line[1..]),
                    Some('^') => (MatchMode::Prefix, &line[1..]),
                    Some('!') => (MatchMode::Protect, &line[1..]),
                    Some('~') => (MatchMode::Weak, &line[1..]),
                    _ => (MatchMode::Contains, line),
                };
                let normal = norm.normalize(phrase.as_bytes());
                if normal.is_empty() {
                    return Err(err(format!(
                        "phrase {:?} has no letters or digits",
                        phrase.trim()
                    )));
                }
                let text = String::from_utf8_lossy(normal).into_owned();
                if let Some(&id) = seen.get(&(text.clone(), mode)) {
                    // The same phrase in two user files: the first category
                    // keeps it. A built-in phrase a user file repeats
                    // becomes the user's, a rule that drops its lines
                    // whatever the model says (as a built-in one does not
                    // with --soft-lexicon or on a list item).
                    let p = &mut set.phrases[id as usize];
                    if is_user && (p.category as usize) < built_in_categories {
                        p.category = category;
                    }
                    continue;
                }
                let id = set.phrases.len() as u32;
                seen.insert((text.clone(), mode), id);
                let words = text.split(' ').count() as u32;
                set.phrases.push(Phrase {
                    text,
                    category,
                    mode,
                    words,
                });
            }
        }
        let mut words: Vec<&str> = Vec::new();
        for (id, p) in set.phrases.iter().enumerate() {
            match p.mode {
                MatchMode::Whole => {
                    set.whole
                        .entry(crate::line::fingerprint(p.text.as_bytes()))
                        .or_insert(id as u32);
                }
                _ => {
                    words.extend(p.text.split(' '));
                    set.pattern_phrase.push(id as u32);
                }
            }
        }
        // Numbered in sorted order, so that symbols do not depend on the
        // order of the files.
        words.sort_unstable();
        words.dedup();
        for (n, w) in words.iter().enumerate() {
            let symbol = Symbol::of(n, words.len()).ok_or_else(|| Error::Rules {
                source_name: "rules".into(),
                line: 0,
                message: format!("{} distinct words in phrases: too many", words.len()),
            })?;
            set.symbols.insert(w.as_bytes().to_vec(), symbol);
        }
        let patterns: Vec<Vec<u8>> = set
            .pattern_phrase
            .iter()
            .map(|&id| {
                let mut pattern = Vec::new();
                for w in set.phrases[id as usize].text.split(' ') {
                    pattern.extend_from_slice(set.symbols[w.as_bytes()].as_slice());
                }
                pattern
            })
            .collect();
        if !patterns.is_empty() {
            set.automaton = Some(Lexicon::build(&patterns).map_err(|message| Error::Rules {
                source_name: "rules".into(),
                line: 0,
                message,
            })?);
        }
        Ok(set)
    }
}

impl RuleSet {
    /// The built-in lexicon.
    pub fn built_in() -> RuleSet {
        RuleSetBuilder::new()
            .build()
            .expect("built-in rules compile (checked by tests)")
    }

    fn category_index(&mut self, name: &str) -> u16 {
        match self.categories.iter().position(|c| c == name) {
            Some(i) => i as u16,
            None => {
                self.categories.push(name.to_string());
                (self.categories.len() - 1) as u16
            }
        }
    }

    /// Category names, indexed by [`Phrase::category`].
    pub fn categories(&self) -> &[String] {
        &self.categories
    }

    /// All phrases.
    pub fn phrases(&self) -> &[Phrase] {
        &self.phrases
    }

    /// Matches one line, given as its normal form with one space before and
    /// after (`" share this post "`), so that phrases match on word
    /// boundaries; `words` is the line's word count.
    pub fn match_line(&self, padded: &[u8], words: u32) -> LineMatch {
        let normal = padded.get(1..padded.len().saturating_sub(1)).unwrap_or(&[]);
        if normal.is_empty() {
            return LineMatch::default();
        }
        let mut symbols = Vec::new();
        for w in normal.split(|&b| b == b' ') {
            push_symbol(&mut symbols, self.symbol(w).as_slice());
        }
        self.match_symbols(&symbols, words, crate::line::fingerprint(normal))
    }

    /// The symbol of the normalised word `word` (empty for a word of no
    /// phrase the automaton matches).
    pub(crate) fn symbol(&self, word: &[u8]) -> Symbol {
        self.symbols.get(word).copied().unwrap_or_default()
    }

    /// The words of the automaton's phrases and their symbols.
    pub(crate) fn symbols(&self) -> impl Iterator<Item = (&[u8], Symbol)> {
        self.symbols.iter().map(|(w, s)| (&w[..], *s))
    }

    /// [`RuleSet::match_line`] for a line whose normal form is not empty,
    /// has fingerprint `fp`, and whose words have the symbols `symbols` (as
    /// [`push_symbol`] writes them), all of which the caller has already
    /// computed.
    pub(crate) fn match_symbols(&self, symbols: &[u8], words: u32, fp: u64) -> LineMatch {
        let mut pick = Pick::new(self, words, fp);
        if let Some(ac) = &self.automaton {
            ac.overlapping(symbols, |pattern, start| {
                pick.add(self.pattern_phrase[pattern], start == 0)
            });
        }
        pick.finish()
    }
}

/// Chooses a line's [`LineMatch`] from the phrases found in it, in the
/// order the automaton reports them: the first protecting and weak phrase,
/// and the best boilerplate phrase (whole line, then prefix, then the
/// longest contained phrase that the word-count guard lets count).
struct Pick<'r> {
    rules: &'r RuleSet,
    words: u32,
    m: LineMatch,
    /// (rank, words, id) of the best phrase so far.
    best: Option<(u8, u32, u32)>,
}

impl<'r> Pick<'r> {
    fn new(rules: &'r RuleSet, words: u32, fp: u64) -> Pick<'r> {
        Pick {
            rules,
            words,
            m: LineMatch {
                hit: rules.whole.get(&fp).copied(),
                ..LineMatch::default()
            },
            best: None,
        }
    }

    /// Phrase `id` found, at the line's start or not.
    #[inline]
    fn add(&mut self, id: u32, at_start: bool) {
        let p = &self.rules.phrases[id as usize];
        let (factor, slack) = self.rules.guard;
        let rank = match p.mode {
            MatchMode::Protect => {
                self.m.protect.get_or_insert(id);
                return;
            }
            MatchMode::Weak => {
                self.m.weak.get_or_insert(id);
                return;
            }
            MatchMode::Prefix if at_start => 2,
            MatchMode::Prefix => return,
            MatchMode::Contains if self.words <= factor * p.words + slack => 1,
            _ => return,
        };
        if self.best.map_or(true, |(r, w, _)| (rank, p.words) > (r, w)) {
            self.best = Some((rank, p.words, id));
        }
    }

    fn finish(self) -> LineMatch {
        let mut m = self.m;
        if m.hit.is_none() {
            m.hit = self.best.map(|(_, _, id)| id);
        }
        m
    }
}

/// The lexicon's automaton: aho-corasick's DFA, walked by
/// [`Lexicon::overlapping`] instead of its overlapping iterator. The
/// iterator's generic state machine (a resumable state, a span and checks a
/// byte) cost about twenty instructions a byte of every line; this loop is
/// a table lookup and one comparison a byte, and reports the same matches in
/// the same order (checked by a test against the iterator).
///
/// A DFA takes a row of transitions a state, one for each class of bytes
/// the patterns tell apart: about 690 bytes a byte of the patterns for the
/// built-in lexicon (4.7 MB for its 6,800 bytes of symbols, built in 9 ms).
/// A rule file of 200,000 phrases made a DFA of 1 GB in 2.4 s, and one
/// phrase of 150,000 words one that took more than ten minutes to build.
/// Past [`MAX_DFA_PATTERN_BYTES`] of patterns, the lexicon is a contiguous
/// NFA instead, which takes about the size of its patterns and follows
/// failure transitions as it walks, and finds the same matches in the same
/// order.
#[derive(Clone, Debug)]
struct Lexicon {
    /// Shared: the table takes megabytes, and a rule set is cloned into
    /// every cleaner.
    table: Arc<Table>,
    start: StateID,
}

/// The automaton under a [`Lexicon`].
#[derive(Debug)]
enum Table {
    Dfa(DFA),
    Nfa(aho_corasick::nfa::contiguous::NFA),
}

/// Patterns of more bytes than this make a [`Lexicon`] an NFA: at the
/// built-in lexicon's 690 bytes of DFA a pattern byte, a DFA of about
/// 70 MB, fifteen times the built-in lexicon's.
const MAX_DFA_PATTERN_BYTES: usize = 100_000;

impl Lexicon {
    /// The automaton of `patterns` (a DFA, or an NFA past
    /// [`MAX_DFA_PATTERN_BYTES`]), without a prefilter: a line's symbols
    /// are short, and most of them could start a match.
    fn build(patterns: &[Vec<u8>]) -> Result<Lexicon, String> {
        Lexicon::build_limited(patterns, MAX_DFA_PATTERN_BYTES)
    }

    /// [`Lexicon::build`], with a DFA up to `max_dfa_bytes` of patterns.
    fn build_limited(patterns: &[Vec<u8>], max_dfa_bytes: usize) -> Result<Lexicon, String> {
        let bytes: usize = patterns.iter().map(Vec::len).sum();
        let table = if bytes <= max_dfa_bytes {
            Table::Dfa(
                DFA::builder()
                    .match_kind(MatchKind::Standard)
                    .prefilter(false)
                    .build(patterns)
                    .map_err(|e| e.to_string())?,
            )
        } else {
            Table::Nfa(
                aho_corasick::nfa::contiguous::NFA::builder()
                    .match_kind(MatchKind::Standard)
                    .prefilter(false)
                    .build(patterns)
                    .map_err(|e| e.to_string())?,
            )
        };
        let start = match &table {
            Table::Dfa(a) => a.start_state(Anchored::No),
            Table::Nfa(a) => a.start_state(Anchored::No),
        }
        .map_err(|e| e.to_string())?;
        Ok(Lexicon {
            table: Arc::new(table),
            start,
        })
    }

    /// Calls `found(pattern, start)` for every occurrence of every pattern
    /// in `haystack`, overlapping ones included, in the order of
    /// aho-corasick's `find_overlapping_iter`: by end, then as the state
    /// lists them (longest first).
    #[inline]
    fn overlapping(&self, haystack: &[u8], found: impl FnMut(usize, usize)) {
        match &*self.table {
            Table::Dfa(a) => walk(a, self.start, haystack, found),
            Table::Nfa(a) => walk(a, self.start, haystack, found),
        }
    }
}

/// [`Lexicon::overlapping`] over the automaton `a`.
#[inline]
fn walk<A: Automaton>(a: &A, start: StateID, haystack: &[u8], mut found: impl FnMut(usize, usize)) {
    let mut sid = start;
    let mut at = 0;
    while let Some((end, special)) = next_special(a, haystack, at, sid) {
        (at, sid) = (end, special);
        if a.is_match(sid) {
            for k in 0..a.match_len(sid) {
                let pattern = a.match_pattern(sid, k);
                found(pattern.as_usize(), end - a.pattern_len(pattern));
            }
        }
    }
}

/// Walks `dfa` from state `sid` over `haystack[at..]` to the next special
/// state, and returns the offset just past the byte that entered it, and
/// the state. Without a prefilter, the special states of an unanchored
/// standard DFA are its match states (and a dead state, which such a search
/// never enters); an NFA's may be its start states too, from which the walk
/// goes on. A function of its own so that the loop keeps the table
/// and the state in registers, which the caller's match handling did not
/// let it do (it spilled them, at twice the instructions a byte).
#[inline(never)]
fn next_special<A: Automaton>(
    dfa: &A,
    haystack: &[u8],
    at: usize,
    mut sid: StateID,
) -> Option<(usize, StateID)> {
    let rest = haystack.get(at..)?;
    // Four bytes a round: one end-of-input test for four transitions.
    let mut quads = rest.chunks_exact(4);
    let mut i = 0;
    for q in &mut quads {
        for (k, &b) in q.iter().enumerate() {
            sid = dfa.next_state(Anchored::No, sid, b);
            if dfa.is_special(sid) {
                return Some((at + i + k + 1, sid));
            }
        }
        i += 4;
    }
    for (k, &b) in quads.remainder().iter().enumerate() {
        sid = dfa.next_state(Anchored::No, sid, b);
        if dfa.is_special(sid) {
            return Some((at + i + k + 1, sid));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(text: &str) -> RuleSet {
        RuleSetBuilder::new()
            .built_in(false)
            .file("t.txt", text)
            .build()
            .unwrap()
    }

    fn hit(rules: &RuleSet, line: &str) -> Option<String> {
        let mut n = Normalizer::new();
        let normal = n.normalize(line.as_bytes()).to_vec();
        let words = normal.split(|&b| b == b' ').count() as u32;
        let padded = [&b" "[..], &normal, b" "].concat();
        let m = rules.match_line(&padded, words);
        m.hit.map(|id| rules.phrases()[id as usize].text.clone())
    }

    #[test]
    fn modes_match_as_documented() {
        let r = set("= comments\n^ posted by\nshare this post\n");
        assert_eq!(hit(&r, "Comments").as_deref(), Some("comments"));
        assert_eq!(hit(&r, "Comments are closed"), None);
        assert_eq!(
            hit(&r, "Posted by Jane, 3 May").as_deref(),
            Some("posted by")
        );
        assert_eq!(hit(&r, "He said it was posted by Jane"), None);
        assert_eq!(
            hit(&r, "Share this post!").as_deref(),
            Some("share this post")
        );
        assert_eq!(hit(&r, "reshare this postal"), None);
        let long = "Many readers share this post widely because it explains the council vote and what the new budget means for families who rely on the bus";
        assert_eq!(hit(&r, long), None);
    }

    /// (mode, category) of each phrase of `r`.
    fn modes(r: &RuleSet) -> Vec<(MatchMode, &str)> {
        r.phrases()
            .iter()
            .map(|p| (p.mode, r.categories()[p.category as usize].as_str()))
            .collect()
    }

    #[test]
    fn a_byte_order_mark_does_not_hide_the_first_lines_mark() {
        use MatchMode::*;
        for (first, want) in [
            ("# comment", vec![(Contains, "user")]),
            ("@category promo", vec![(Contains, "promo")]),
            ("= buy now", vec![(Whole, "user"), (Contains, "user")]),
        ] {
            let r = set(&format!("\u{feff}{first}\nbuy now cheap\n"));
            assert_eq!(modes(&r), want, "{first}");
        }
    }

    #[test]
    fn marks_are_read_after_indentation() {
        use MatchMode::*;
        let r = set("  ! share this story\n\t= buy now\n @category promo\n   ^ sponsored by\n  ~ win\n    enter now\n");
        assert_eq!(
            modes(&r),
            [
                (Protect, "user"),
                (Whole, "user"),
                (Prefix, "promo"),
                (Weak, "promo"),
                (Contains, "promo"),
            ]
        );
    }

    #[test]
    fn a_user_phrase_is_never_a_built_in_one() {
        let r = |text: &str| RuleSetBuilder::new().file("mine.txt", text).build();
        let e = r("ok phrase\n@category share\nbuy now\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("mine.txt:2: category share is built in"),
            "{e}"
        );
        // A phrase of the built-in lexicon repeated takes the user's category.
        let built_in = RuleSet::built_in();
        let (p, builtin_category) = built_in
            .phrases()
            .iter()
            .find(|p| p.mode == MatchMode::Contains)
            .map(|p| (p.text.clone(), p.category))
            .unwrap();
        let set = r(&format!("@category promo\n{p}\n")).unwrap();
        let found: Vec<&str> = set
            .phrases()
            .iter()
            .filter(|q| q.text == p && q.mode == MatchMode::Contains)
            .map(|q| set.categories()[q.category as usize].as_str())
            .collect();
        assert_eq!(
            found,
            ["promo"],
            "{p}, built-in category {builtin_category}"
        );
        // Between user files, the first one's.
        let two = RuleSetBuilder::new()
            .built_in(false)
            .file("a.txt", "@category a\nbuy now\n")
            .file("b.txt", "@category b\nbuy now\n")
            .build()
            .unwrap();
        assert_eq!(modes(&two), [(MatchMode::Contains, "a")]);
    }

    #[test]
    fn errors_name_file_and_line() {
        for (text, says) in [
            ("ok phrase\n= !!!\n", "has no letters or digits"),
            (
                "ok phrase\n@categroy promo\n",
                "unknown directive @categroy",
            ),
            ("ok phrase\n@categoryx\n", "unknown directive @categoryx"),
            ("ok phrase\n@ category promo\n", "unknown directive @:"),
            ("ok phrase\n@category\n", "bad category name"),
            ("ok phrase\n@category two words\n", "bad category name"),
            ("ok phrase\n@category \u{1b}[31mred\n", "bad category name"),
            ("ok phrase\n@category a\u{7f}\n", "bad category name"),
        ] {
            let e = RuleSetBuilder::new()
                .built_in(false)
                .file("mine.txt", text)
                .build()
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("mine.txt:2: "), "{text:?}: {e}");
            assert!(e.contains(says), "{text:?}: {e}");
        }
        let ok = RuleSetBuilder::new()
            .built_in(false)
            .file(
                "mine.txt",
                "@category promo\nbuy now\n@category\tother\nsell\n",
            )
            .build();
        assert!(ok.is_ok());
    }

    /// The built-in lexicon with protecting, weak and repeated phrases
    /// added.
    fn extended() -> RuleSet {
        RuleSetBuilder::new()
            .file(
                "extra.txt",
                "! share this story\n~ share this\nshare this\n^ share\n~ your support\n",
            )
            .build()
            .unwrap()
    }

    /// `rules` with its lexicon made an NFA.
    fn as_nfa(mut rules: RuleSet) -> RuleSet {
        let patterns: Vec<Vec<u8>> = rules
            .pattern_phrase
            .iter()
            .map(|&id| symbols_of(&rules, &rules.phrases[id as usize].text))
            .collect();
        rules.automaton = Some(Lexicon::build_limited(&patterns, 0).unwrap());
        assert!(matches!(
            *rules.automaton.as_ref().unwrap().table,
            Table::Nfa(_)
        ));
        rules
    }

    #[test]
    fn a_large_rule_file_makes_a_lexicon_of_about_its_size() {
        // 20,000 phrases of made-up words (letters: digits normalise alike).
        let mut state = 1u64;
        let mut word = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let n = state >> 33;
            (0..3 + n % 6)
                .map(|k| (b'a' + ((n >> (3 * k)) % 26) as u8) as char)
                .collect::<String>()
        };
        let mut text = String::new();
        for i in 0..20_000 {
            let phrase: Vec<String> = (0..1 + i % 4).map(|_| word()).collect();
            text.push_str(&phrase.join(" "));
            text.push('\n');
        }
        // One phrase of 50,000 words (a DFA of 150,000 took more than ten
        // minutes to build).
        let long: Vec<String> = (0..50_000).map(|_| word()).collect();
        text.push_str(&long.join(" "));
        text.push('\n');
        let r = set(&text);
        let Table::Nfa(nfa) = &*r.automaton.as_ref().unwrap().table else {
            panic!("a DFA")
        };
        let bytes = nfa.memory_usage();
        assert!(bytes < 64 << 20, "{bytes} bytes");
        // The built-in lexicon stays a DFA.
        let built_in = RuleSet::built_in();
        assert!(matches!(*built_in.automaton.unwrap().table, Table::Dfa(_)));
    }

    /// The symbols of the normal form `line`, as gathering writes them.
    fn symbols_of(rules: &RuleSet, line: &str) -> Vec<u8> {
        let mut symbols = Vec::new();
        for w in line.split(' ').filter(|w| !w.is_empty()) {
            push_symbol(&mut symbols, rules.symbol(w.as_bytes()).as_slice());
        }
        symbols
    }

    /// aho-corasick's overlapping iterator over `patterns`: the oracle of
    /// [`Lexicon::overlapping`].
    fn iterator_over(patterns: &[Vec<u8>]) -> aho_corasick::AhoCorasick {
        aho_corasick::AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .prefilter(false)
            .build(patterns)
            .unwrap()
    }

    /// (pattern, start) of every match in the symbols `haystack`: by the DFA
    /// walk, and by aho-corasick's overlapping iterator over the same
    /// patterns.
    #[allow(clippy::type_complexity)]
    fn walk_and_oracle(
        rules: &RuleSet,
        haystack: &[u8],
    ) -> (Vec<(usize, usize)>, Vec<(usize, usize)>) {
        let patterns: Vec<Vec<u8>> = rules
            .pattern_phrase
            .iter()
            .map(|&id| symbols_of(rules, &rules.phrases[id as usize].text))
            .collect();
        let mut mine = Vec::new();
        rules
            .automaton
            .as_ref()
            .unwrap()
            .overlapping(haystack, |p, start| mine.push((p, start)));
        let theirs = iterator_over(&patterns)
            .find_overlapping_iter(haystack)
            .map(|m| (m.pattern().as_usize(), m.start()))
            .collect();
        (mine, theirs)
    }

    /// [`RuleSet::match_line`] as the lexicon first matched lines: an
    /// automaton over the bytes of `" phrase "`, searched in `" line "`.
    fn match_bytes(rules: &RuleSet, normal: &str) -> LineMatch {
        let patterns: Vec<Vec<u8>> = rules
            .pattern_phrase
            .iter()
            .map(|&id| format!(" {} ", rules.phrases[id as usize].text).into_bytes())
            .collect();
        let words = normal.split(' ').count() as u32;
        let mut pick = Pick::new(rules, words, crate::line::fingerprint(normal.as_bytes()));
        for m in iterator_over(&patterns).find_overlapping_iter(&format!(" {normal} ")) {
            pick.add(rules.pattern_phrase[m.pattern().as_usize()], m.start() == 0);
        }
        pick.finish()
    }

    proptest::proptest! {
        /// The DFA walk reports what aho-corasick's overlapping iterator
        /// reports, in the same order; and matching words by their symbols
        /// finds what matching the bytes of the line finds: on lines made
        /// of the lexicon's own words (so that phrases match, overlap and
        /// nest) and others.
        #[test]
        fn symbols_match_as_bytes_do(
            picks in proptest::collection::vec(proptest::prelude::any::<proptest::sample::Index>(), 1..24),
        ) {
            use std::sync::OnceLock;
            static SETUP: OnceLock<(RuleSet, RuleSet, Vec<String>)> = OnceLock::new();
            let (rules, nfa, words) = SETUP.get_or_init(|| {
                let rules = extended();
                let nfa = as_nfa(extended());
                let mut words: Vec<String> = rules
                    .phrases()
                    .iter()
                    .flat_map(|p| p.text.split(' ').map(str::to_string))
                    .chain(["0", "é", "zzz", "sharex"].map(String::from))
                    .collect();
                words.sort();
                words.dedup();
                (rules, nfa, words)
            });
            let line: Vec<&str> = picks.iter().map(|i| words[i.index(words.len())].as_str()).collect();
            let line = line.join(" ");
            let (mine, theirs) = walk_and_oracle(rules, &symbols_of(rules, &line));
            proptest::prop_assert_eq!(mine, theirs);
            let (mine, theirs) = walk_and_oracle(nfa, &symbols_of(nfa, &line));
            proptest::prop_assert_eq!(mine, theirs);
            let padded = format!(" {line} ");
            let words = line.split(' ').count() as u32;
            proptest::prop_assert_eq!(rules.match_line(padded.as_bytes(), words), match_bytes(rules, &line));
            proptest::prop_assert_eq!(nfa.match_line(padded.as_bytes(), words), match_bytes(rules, &line));
        }
    }

    #[test]
    fn dfa_walk_finds_nested_and_repeated_phrases() {
        let rules = extended();
        let line = "share this story share this share this post";
        let (mine, theirs) = walk_and_oracle(&rules, &symbols_of(&rules, line));
        assert!(mine.len() >= 6, "{mine:?}");
        assert_eq!(mine, theirs);
        let m = rules.match_line(format!(" {line} ").as_bytes(), 9);
        assert!(m.protect.is_some() && m.weak.is_some() && m.hit.is_some());
        assert_eq!(m, match_bytes(&rules, line));
    }

    #[test]
    fn symbols_number_words_in_few_bytes() {
        for (count, width) in [
            (1, 1),
            (128, 1),
            (129, 2),
            (128 * 127, 2),
            (128 * 127 + 1, 3),
        ] {
            assert_eq!(Symbol::of(0, count).unwrap().len, width, "{count}");
            let last = Symbol::of(count - 1, count).unwrap();
            assert_eq!(last.len, width);
            assert!(last.bytes[0] >= 0x80);
            assert!(last.as_slice()[1..].iter().all(|&b| (1..=127).contains(&b)));
        }
        assert!(Symbol::of(0, 128 * 127 * 127 + 1).is_none());
        // Distinct words, distinct symbols.
        let all: std::collections::HashSet<_> = (0..20_000)
            .map(|n| Symbol::of(n, 20_000).unwrap())
            .collect();
        assert_eq!(all.len(), 20_000);
    }

    #[test]
    fn built_in_rules_compile() {
        let r = RuleSet::built_in();
        assert!(r.categories().len() >= 10);
    }
}
