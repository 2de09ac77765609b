#![no_main]
// Any bytes decode or fail with an error, never a panic; output is read in bounded chunks.
use std::io::Read;
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok((_, r)) = boilerstrip::compress::decoder(data) {
        let mut buf = [0u8; 1 << 16];
        let mut r = r.take(64 << 20);
        while let Ok(n @ 1..) = r.read(&mut buf) {
            let _ = n;
        }
    }
});
