//! Any bytes as 16-bit little-endian 8 kHz samples into the caller ID
//! receiver (FSK and DTMF CLIP), in frames of varying size: must never panic.
#![no_main]

use dsp::callerid::Receiver;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut rx = Receiver::default();
    let mut samples = [0i16; 512];
    // The first byte picks the frame size so that frame boundaries move too.
    let (frame, data) = match data.split_first() {
        Some((&f, rest)) => (usize::from(f) % 320 + 1, rest),
        None => return,
    };
    for chunk in data.chunks(2 * frame) {
        let n = chunk.len() / 2;
        for (s, b) in samples.iter_mut().zip(chunk.chunks_exact(2)) {
            *s = i16::from_le_bytes([b[0], b[1]]);
        }
        rx.process(&samples[..n]);
        while rx.poll_message().is_some() {}
    }
});
