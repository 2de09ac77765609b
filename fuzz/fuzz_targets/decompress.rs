#![no_main]
// Any bytes decode or fail with an error, never a panic; output is read in bounded chunks.
// And the oracle: data written by the library's own encoder, in one or two members or frames
// (as a file cleaned in batches is), and gzip with zero padding after it, reads back whole.
use boilerstrip::compress::{decoder, Compression, Encoder};
use std::io::{Read, Write};
fn encoded(data: &[u8], c: Compression) -> Vec<u8> {
    let mut e = Encoder::new(Vec::new(), c).unwrap();
    e.write_all(data).unwrap();
    e.finish().unwrap()
}
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok((_, r)) = decoder(data) {
        let mut buf = [0u8; 1 << 16];
        let mut r = r.take(64 << 20);
        while let Ok(n @ 1..) = r.read(&mut buf) {
            let _ = n;
        }
    }
    let [how, cut, rest @ ..] = data else { return };
    let c = if how % 2 == 0 {
        Compression::Gzip
    } else {
        Compression::Zstd
    };
    let cut = usize::from(*cut).min(rest.len());
    let mut stream = encoded(&rest[..cut], c);
    if how & 2 != 0 {
        stream.extend(encoded(&rest[cut..], c));
    }
    if c == Compression::Gzip && how & 4 != 0 {
        stream.extend(std::iter::repeat(0).take(usize::from(how >> 3)));
    }
    let want = if how & 2 != 0 { rest } else { &rest[..cut] };
    let (found, mut r) = decoder(&stream[..]).expect("the encoder's output opens");
    assert_eq!(found, c);
    let mut back = Vec::new();
    r.read_to_end(&mut back)
        .expect("the encoder's output decodes");
    assert_eq!(back, want);
});
