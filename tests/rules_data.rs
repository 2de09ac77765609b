//! The built-in rule files in `src/rules/` follow the lexicon format: a
//! header saying what the category covers, one phrase a line with an
//! optional `= ` (whole line) or `^ ` (line start) prefix, no phrase that
//! normalises to nothing, and no phrase listed twice.
//!
//! These tests read the files from the source tree, so they check the data
//! itself, independently of the loader that compiles it in.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use boilerstrip::line::Normalizer;

/// The categories the lexicon is documented to have, one file each.
const CATEGORIES: [&str; 11] = [
    "ads",
    "app",
    "comments",
    "cookie",
    "media",
    "navigation",
    "newsletter",
    "paywall",
    "related",
    "share",
    "wiki",
];

/// A contained phrase of one word must be at least this many characters
/// long (four for CJK text, where a character is about a word). A short
/// bare word contained in a line ("share", "cookies", "support") hits prose
/// too often; those belong on a whole line (`= `).
const MIN_BARE_WORD_CHARS: usize = 12;
const MIN_BARE_CJK_CHARS: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Whole,
    Prefix,
    Contained,
    /// `~`: condemns a line only next to one the category already condemned.
    Weak,
}

struct Rule {
    line_no: usize,
    kind: Kind,
    raw: String,
}

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join("rules")
}

fn rule_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(rules_dir())
        .expect("src/rules exists")
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p)
                .unwrap_or_else(|e| panic!("{} is not readable UTF-8: {e}", p.display()));
            (name, text)
        })
        .collect();
    files.sort();
    files
}

/// Parses a rule file, collecting format errors instead of stopping at the
/// first, so one run lists them all.
fn parse(name: &str, text: &str, errors: &mut Vec<String>) -> Vec<Rule> {
    let mut rules = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if line != line.trim() {
            errors.push(format!(
                "{name}.txt:{line_no}: leading or trailing whitespace: {line:?}"
            ));
            continue;
        }
        let mut chars = line.chars();
        let first = chars.next().unwrap();
        let second = chars.next();
        let (kind, phrase) = match (first, second) {
            ('=', Some(' ')) => (Kind::Whole, &line[2..]),
            ('^', Some(' ')) => (Kind::Prefix, &line[2..]),
            ('~', Some(' ')) => (Kind::Weak, &line[2..]),
            ('=' | '^' | '~', _) => {
                errors.push(format!(
                    "{name}.txt:{line_no}: prefix {first:?} must be followed by one space: {line:?}"
                ));
                continue;
            }
            (c, Some(' ')) if c.is_ascii_punctuation() => {
                errors.push(format!(
                    "{name}.txt:{line_no}: unknown prefix {c:?}: {line:?}"
                ));
                continue;
            }
            _ => (Kind::Contained, line),
        };
        if phrase != phrase.trim() {
            errors.push(format!(
                "{name}.txt:{line_no}: extra space after the prefix: {line:?}"
            ));
            continue;
        }
        rules.push(Rule {
            line_no,
            kind,
            raw: phrase.to_string(),
        });
    }
    rules
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF   // hiragana, katakana
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xAC00..=0xD7AF // hangul
    )
}

fn is_cyrillic(c: char) -> bool {
    matches!(c as u32, 0x0400..=0x04FF)
}

#[test]
fn rule_files_are_the_documented_categories() {
    let names: Vec<String> = rule_files().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, CATEGORIES, "one rule file per category in src/rules");
}

#[test]
fn rule_files_open_with_a_header_naming_their_category() {
    for (name, text) in rule_files() {
        let first = text.lines().next().unwrap_or("");
        assert!(
            first.starts_with(&format!("# {name}:")),
            "{name}.txt must open with \"# {name}: what it covers\", found {first:?}"
        );
    }
}

#[test]
fn rule_lines_have_known_prefixes_and_nonempty_phrases() {
    let mut n = Normalizer::new();
    let mut errors = Vec::new();
    let mut total = 0;
    for (name, text) in rule_files() {
        let rules = parse(&name, &text, &mut errors);
        assert!(!rules.is_empty(), "{name}.txt has no phrases");
        total += rules.len();
        for r in &rules {
            let norm = String::from_utf8_lossy(n.normalize(r.raw.as_bytes())).into_owned();
            if norm.is_empty() {
                errors.push(format!(
                    "{name}.txt:{}: {:?} normalises to nothing",
                    r.line_no, r.raw
                ));
                continue;
            }
            if r.kind == Kind::Contained && !norm.contains(' ') {
                let chars = norm.chars().count();
                let min = if norm.chars().any(is_cjk) {
                    MIN_BARE_CJK_CHARS
                } else {
                    MIN_BARE_WORD_CHARS
                };
                if chars < min {
                    errors.push(format!(
                        "{name}.txt:{}: the bare word {:?} would be matched inside lines; \
                         make it whole-line (\"= \") or a longer phrase",
                        r.line_no, r.raw
                    ));
                }
            }
            for word in norm.split(' ') {
                let latin = word.chars().any(|c| c.is_ascii_alphabetic());
                if latin && word.chars().any(is_cyrillic) {
                    errors.push(format!(
                        "{name}.txt:{}: {word:?} mixes Latin and Cyrillic letters (a typo?)",
                        r.line_no
                    ));
                }
            }
        }
    }
    assert!(
        errors.is_empty(),
        "rule format errors:\n{}",
        errors.join("\n")
    );
    // The lexicon is meant to be broad: a few hundred phrases at the least.
    assert!(total >= 300, "only {total} phrases in the built-in lexicon");
}

#[test]
fn no_phrase_is_listed_twice() {
    // Within a category a repeat is a mistake (two kinds of match for one
    // phrase are redundant or contradictory); across categories it would
    // make the category a dropped line is counted under a matter of order.
    // Weak phrases are a separate list: a phrase may be condemning as a
    // whole line ("= donate") and weak inside a longer one ("~ donate").
    let mut n = Normalizer::new();
    let mut seen: HashMap<(String, bool), (String, usize, String)> = HashMap::new();
    let mut errors = Vec::new();
    for (name, text) in rule_files() {
        for r in parse(&name, &text, &mut errors) {
            let norm = String::from_utf8_lossy(n.normalize(r.raw.as_bytes())).into_owned();
            let key = (norm.clone(), r.kind == Kind::Weak);
            if let Some((cat, line_no, raw)) = seen.get(&key) {
                errors.push(format!(
                    "{name}.txt:{}: {:?} repeats {cat}.txt:{line_no}: {raw:?} (both normalise to {norm:?})",
                    r.line_no, r.raw
                ));
            } else {
                seen.insert(key, (name.clone(), r.line_no, r.raw.clone()));
            }
        }
    }
    assert!(
        errors.is_empty(),
        "repeated phrases:\n{}",
        errors.join("\n")
    );
}

#[test]
fn parser_rejects_malformed_rule_lines() {
    // The checks above are only as good as the parser they use.
    let mut errors = Vec::new();
    let text = "# t: test\n=no space\n^  two spaces\n% percent\n ok\nfine phrase\n= whole\n^ start\n~ weak\n";
    let rules = parse("t", text, &mut errors);
    assert_eq!(errors.len(), 4, "{errors:#?}");
    let kinds: Vec<Kind> = rules.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        [Kind::Contained, Kind::Whole, Kind::Prefix, Kind::Weak]
    );
    assert_eq!(rules[0].raw, "fine phrase");
}
