//! Caller ID on inbound calls: the exchange sends an MDMF message after the first
//! ring burst (Bell 202 on the North American plan, V.23 on CEPT), and the `dsp`
//! receiver on the line's audio decodes the calling phone's number and name.

mod common;

use common::{Bench, EXCHANGE};
use dsp::callerid::{CallerIdMessage, Receiver, ReceiverConfig};
use dsp::FRAME_SAMPLES;

fn decode(audio: &[i16]) -> Vec<CallerIdMessage> {
    let mut r = Receiver::new(ReceiverConfig::default());
    let mut out = Vec::new();
    for frame in audio.chunks(FRAME_SAMPLES) {
        r.process(frame);
        while let Some(m) = r.poll_message() {
            out.push(m.expect("a valid message"));
        }
    }
    out
}

/// Place the call and return port 0's audio over `frames` frames.
fn ring(text: &str, frames: u64) -> Vec<i16> {
    let mut bench = Bench::new(text, 2);
    bench.run(7);
    bench.control.place_call("customer", "4155550100").unwrap();
    bench.run(frames)
}

fn check(audio: &[i16], first_burst_frames: usize) {
    let burst = first_burst_frames * FRAME_SAMPLES;
    assert!(
        audio[..burst].iter().all(|&s| s == 0),
        "silent while ringing"
    );
    let messages = decode(audio);
    assert_eq!(messages.len(), 1, "{messages:?}");
    let m = &messages[0];
    assert_eq!(m.number.as_deref(), Some("2125550199"));
    assert_eq!(m.name.as_deref(), Some("customer"));
    assert!(m.date_time.is_some());
    let last = audio.iter().rposition(|&s| s != 0).unwrap();
    assert!(last > burst, "sent after the burst");
}

#[test]
fn north_american_lines_get_bell_202_after_the_first_ring() {
    // 2 s burst (100 frames), then 4 s of silence before the second.
    let audio = ring(EXCHANGE, 299);
    check(&audio, 100);
}

#[test]
fn cept_lines_get_v23_after_the_first_ring() {
    // 1 s burst (50 frames), then 4 s of silence.
    let audio = ring(&EXCHANGE.replace("north-america", "cept"), 249);
    check(&audio, 50);
}
