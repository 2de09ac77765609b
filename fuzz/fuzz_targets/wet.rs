#![no_main]
// Every byte belongs to one item, in order; a document's text lies within its record. A
// document written back with some of its lines reads back as one record of that text and
// site, its Content-Length the new length (checked by a naive header scan) and no digest of
// the old body left.
use boilerstrip::format::{records, Format, FormatOptions, Item};
/// The header of a record, naively: (name, value) of each line with a colon, lower-cased and
/// trimmed, up to the first line that is empty but for a CR.
fn header(rec: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(rec);
    let lines = text.split('\n').take_while(|l| !l.is_empty() && *l != "\r");
    let pair = |l: &str| {
        let (n, v) = l.strip_suffix('\r').unwrap_or(l).split_once(':')?;
        let t = |s: &str| s.trim_matches([' ', '\t']).to_ascii_lowercase();
        Some((t(n), t(v)))
    };
    lines.filter_map(pair).collect()
}
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (opts, mut out) = (FormatOptions::default(), Vec::new());
    for item in records(Format::Wet, data, "f".as_ref(), None, &opts) {
        match item {
            Item::Verbatim(raw) | Item::Malformed { raw, .. } | Item::NoText { raw, .. } => {
                out.extend_from_slice(raw)
            }
            Item::Doc(d) => {
                assert!(d.text.len() <= d.raw.len());
                out.extend_from_slice(d.raw);
                // Every other line of the text, as a cleaner might keep them.
                let kept: Vec<u8> = boilerstrip::line::lines(&d.text)
                    .step_by(2)
                    .flat_map(|s| s.whole(&d.text).to_vec())
                    .collect();
                let mut again = Vec::new();
                d.write_cleaned(&kept, &mut again);
                let mut back = records(Format::Wet, &again, "g".as_ref(), None, &opts);
                match (back.next(), back.next()) {
                    (Some(Item::Doc(e)), None) => {
                        assert_eq!(e.text, kept);
                        assert_eq!(e.site, d.site);
                    }
                    other => panic!("rewritten record does not read back as one: {other:?}"),
                }
                let head = header(&again);
                let lengths: Vec<&str> = head
                    .iter()
                    .filter(|(n, _)| n == "content-length")
                    .map(|(_, v)| v.as_str())
                    .collect();
                assert_eq!(lengths, [kept.len().to_string()], "{head:?}");
                assert!(
                    head.iter()
                        .all(|(n, _)| n != "warc-block-digest" && n != "warc-payload-digest"),
                    "{head:?}"
                );
            }
        }
    }
    assert_eq!(out, data);
});
