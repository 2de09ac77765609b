#![no_main]
// Pass 1 and pass 2 on arbitrary bytes: one verdict a line, scores in 0..=1.
use boilerstrip::{Cleaner, Document, LineStats};
static CLEANER: std::sync::OnceLock<Cleaner> = std::sync::OnceLock::new();
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (cleaner, mut stats) = (CLEANER.get_or_init(Cleaner::new), LineStats::new());
    let doc = Document::new(data).with_site("fuzz.example");
    cleaner.observe(&doc, &mut stats);
    let verdicts = cleaner.classify(&doc, &stats);
    assert_eq!(verdicts.len(), boilerstrip::line::lines(data).count());
    assert!(verdicts.iter().all(|v| (0.0..=1.0).contains(&v.score)));
});
