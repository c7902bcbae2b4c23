//! A digit keyed the moment a prompt stops must be heard: callers key over and
//! straight after IVR prompts, and the simulated call centre keys its commands
//! right after its 1 kHz greeting (found by `gateway/tests/call_flow_outbound.rs`).

use dsp::dtmf::{Detector, DetectorConfig, DtmfEvent, Generator, GeneratorConfig};
use dsp::tone::{Cadence, ToneGenerator, ToneSpec};

fn digits_after_tone(
    freq: f32,
    level_dbm0: f32,
    lead_samples: usize,
    keys: &str,
) -> (String, [u64; 4]) {
    let mut tone = ToneGenerator::new(ToneSpec {
        freqs: [freq, 0.0],
        level_dbm0,
        cadence: Cadence::CONTINUOUS,
    });
    let mut pcm = vec![0i16; lead_samples];
    tone.fill(&mut pcm);
    let mut g = Generator::new(GeneratorConfig::default());
    g.queue_str(keys).expect("keys");
    let mut frame = [0i16; 160];
    while !g.is_idle() {
        frame.fill(0);
        g.fill(&mut frame);
        pcm.extend_from_slice(&frame);
    }
    pcm.extend(std::iter::repeat_n(0, 1600));
    let mut d = Detector::new(DetectorConfig::default());
    let mut heard = String::new();
    for chunk in pcm.chunks(160) {
        d.process(chunk);
        while let Some(e) = d.poll_event() {
            if let DtmfEvent::Start { digit, .. } = e {
                heard.push(digit.as_char());
            }
        }
    }
    (heard, d.rejections())
}

#[test]
fn star_seven_six_straight_after_a_1khz_greeting() {
    for lead in [16_000, 16_013, 16_080, 16_151] {
        let (heard, rejections) = digits_after_tone(1000.0, -10.0, lead, "*76");
        assert_eq!(
            heard, "*76",
            "lead {lead} samples, rejections {rejections:?}"
        );
    }
}
