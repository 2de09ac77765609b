#![no_main]
// A rule file of arbitrary text: it builds, or it is refused with its name and a line number of
// the file. A cleaner built from it gives one verdict a line, keeps every line a `!` phrase
// protects and drops every line a user phrase matched. The bytes before the first NUL are the
// rule file, the rest the page.
use boilerstrip::{Cause, CleanerBuilder, Document, Error, LineStats};
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let cut = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let Ok(rules) = std::str::from_utf8(&data[..cut]) else {
        return;
    };
    let page = &data[(cut + 1).min(data.len())..];
    let cleaner = match CleanerBuilder::new().rules("fuzz.rules", rules).build() {
        Ok(c) => c,
        Err(Error::Rules { source_name, line, .. }) => {
            assert_eq!(source_name, "fuzz.rules");
            assert!(line >= 1 && line <= rules.lines().count().max(1), "line {line}");
            return;
        }
        Err(e) => panic!("a rule file refused without its line: {e}"),
    };
    let doc = Document::new(page);
    let mut stats = LineStats::new();
    cleaner.observe(&doc, &mut stats);
    let verdicts = cleaner.classify(&doc, &stats);
    assert_eq!(verdicts.len(), boilerstrip::line::lines(page).count());
    let built_in = boilerstrip::rules::BUILT_IN.len();
    for v in &verdicts {
        match v.cause {
            Cause::Protected { .. } => assert!(v.keep, "{v:?}"),
            Cause::Lexicon { category, .. } if usize::from(category) >= built_in => {
                assert!(!v.keep, "{v:?}")
            }
            _ => {}
        }
    }
});
