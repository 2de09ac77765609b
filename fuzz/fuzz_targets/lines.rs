#![no_main]
// Lines tile the buffer in order; the normal form never panics and has no edge spaces.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut next = 0;
    let mut n = boilerstrip::line::Normalizer::new();
    for span in boilerstrip::line::lines(data) {
        assert!(
            span.start == next && span.start <= span.content_end && span.content_end <= span.end
        );
        next = span.end;
        let norm = n.normalize(span.content(data));
        assert!(!norm.starts_with(b" ") && !norm.ends_with(b" "));
    }
    assert_eq!(next, data.len());
});
