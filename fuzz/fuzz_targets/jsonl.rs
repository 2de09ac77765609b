#![no_main]
// Every byte belongs to one item; a document written back with its own text reads back the same.
use boilerstrip::format::{records, Format, FormatOptions, Item};
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (opts, mut out) = (FormatOptions::default(), Vec::new());
    for item in records(Format::Jsonl, data, "f".as_ref(), None, &opts) {
        match item {
            Item::Verbatim(raw) | Item::Malformed { raw, .. } | Item::NoText { raw, .. } => {
                out.extend_from_slice(raw)
            }
            Item::Doc(d) => {
                out.extend_from_slice(d.raw);
                let mut again = Vec::new();
                d.write_cleaned(&d.text, &mut again);
                match records(Format::Jsonl, &again, "g".as_ref(), None, &opts).next() {
                    Some(Item::Doc(e)) => assert_eq!(e.text, d.text),
                    other => panic!("rewritten record does not read back: {other:?}"),
                }
            }
        }
    }
    assert_eq!(out, data);
});
