//! G.168 test 8: in-band signalling from the near end. DTMF keyed by the
//! near-end party while the far end talks (double talk) must come through
//! the converged canceller, NLP on, intact enough for dsp::dtmf::Detector
//! to read every digit.

mod g168_support;

use dsp::dtmf::{Detector, DetectorConfig, DtmfEvent, Generator, GeneratorConfig};
use dsp::echo::hybrid::HybridModel;
use g168_support::*;

#[test]
fn test_8_near_end_dtmf_passes() {
    let digits = "159#0*D7";
    let mut rows = Vec::new();
    for (i, model) in [HybridModel::D2, HybridModel::D5, HybridModel::D8]
        .into_iter()
        .enumerate()
    {
        let len = secs(5.0);
        let far = speech(80 + i as u64, -12.0, len);
        let echo = echo_of(&far, model, 8.0, 30);
        // Digits from 2 s on, −10 dBm0 per tone, 80 ms on / 80 ms off.
        let mut near = vec![0i16; len];
        let mut gen = Generator::new(GeneratorConfig {
            level_dbm0: -10.0,
            twist_db: 0.0,
            on_ms: 80,
            off_ms: 80,
        });
        gen.queue_str(digits).unwrap();
        gen.fill(&mut near[secs(2.0)..]);
        let near_in = add(&echo, &near);
        let mut ec = canceller(32, true);
        let r = run(&mut ec, &far, &near_in);
        let mut det = Detector::new(DetectorConfig::default());
        let mut got = String::new();
        for f in r.out.chunks(FRAME) {
            det.process(f);
            while let Some(ev) = det.poll_event() {
                if let DtmfEvent::Start { digit, .. } = ev {
                    got.push(digit.as_char());
                }
            }
        }
        rows.push(vec![format!("{model:?}"), digits.into(), got.clone()]);
        assert_eq!(got, digits, "{model:?}");
    }
    table(
        "G.168 test 8, near-end DTMF -10 dBm0 during far speech -12 dBm0, ERL 8 dB, NLP on",
        &["model", "sent", "detected after canceller"],
        &rows,
    );
}
