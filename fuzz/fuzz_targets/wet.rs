#![no_main]
// Every byte belongs to one item, in order; a document's text lies within its record.
use boilerstrip::format::{records, Format, FormatOptions, Item};
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (opts, mut out) = (FormatOptions::default(), Vec::new());
    for item in records(Format::Wet, data, "f".as_ref(), None, &opts) {
        match item {
            Item::Verbatim(raw) | Item::Malformed { raw, .. } | Item::NoText { raw, .. } => {
                out.extend_from_slice(raw)
            }
            Item::Doc(d) => {
                assert!(d.text.len() <= d.raw.len());
                out.extend_from_slice(d.raw)
            }
        }
    }
    assert_eq!(out, data);
});
