#![no_main]
// Pass 1 and pass 2 on arbitrary bytes: one verdict a line, scores in 0..=1. Statistics are a
// value that adds: the document counted into two tables that are then added gives the verdicts
// of both counted into one table.
use boilerstrip::{Cleaner, Document, LineStats};
static CLEANER: std::sync::OnceLock<Cleaner> = std::sync::OnceLock::new();
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (cleaner, mut stats) = (CLEANER.get_or_init(Cleaner::new), LineStats::new());
    let cut = data.len() / 2;
    let (a, b) = (Document::new(&data[..cut]), Document::new(&data[cut..]));
    let doc = Document::new(data).with_site("fuzz.example");
    cleaner.observe(&doc, &mut stats);
    let verdicts = cleaner.classify(&doc, &stats);
    assert_eq!(verdicts.len(), boilerstrip::line::lines(data).count());
    assert!(verdicts.iter().all(|v| (0.0..=1.0).contains(&v.score)));
    // Two more documents (the halves, without a site), counted one way and the other.
    let (mut one, mut left, mut right) = (stats.clone(), stats, LineStats::new());
    cleaner.observe(&a, &mut one);
    cleaner.observe(&b, &mut one);
    cleaner.observe(&a, &mut left);
    cleaner.observe(&b, &mut right);
    let added = left + right;
    assert_eq!(
        format!("{:?}", cleaner.classify(&doc, &one)),
        format!("{:?}", cleaner.classify(&doc, &added))
    );
});
