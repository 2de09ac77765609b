#![no_main]
// An input read in batches (of a size the first bytes choose) gives the items it gives whole.
use boilerstrip::batch::{BatchReader, Limits, Piece};
use boilerstrip::format::{records, Format, FormatOptions, Item};
fn show(it: Item) -> String {
    match it {
        Item::Doc(d) => format!("doc {} {:?}", d.number, d.raw),
        Item::Verbatim(v) => format!("verbatim {v:?}"),
        Item::Malformed { raw, error } => format!("bad {error} {raw:?}"),
        Item::NoText { raw, line } => format!("notext {line} {raw:?}"),
    }
}
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let [f, size, input @ ..] = data else { return };
    let format = if f % 2 == 0 { Format::Wet } else { Format::Jsonl };
    let opts = FormatOptions::default();
    let whole: Vec<String> = records(format, input, "f".as_ref(), None, &opts).map(show).collect();
    let limits = Limits { batch: *size as usize + 1, max_record: 1 << 20 };
    let mut r = BatchReader::new(Box::new(input), format, "f".as_ref(), limits);
    let mut batched = Vec::new();
    while let Ok(Some(p)) = r.next_piece() {
        let Piece::Batch(b) = p else { panic!("no record is that long") };
        batched.extend(b.records(format, "f".as_ref(), None, &opts).map(show));
    }
    if !input.iter().take(8 << 10).any(|&b| b == 0) {
        assert_eq!(batched, whole);
    }
});
