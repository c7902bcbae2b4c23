//! DTMF receiver conformance, test 2 (recognition bandwidth); see
//! `conformance/bandwidth.rs`.

mod conformance;

use conformance::{bandwidth, Channel};
use dsp::dtmf::Detector;

#[test]
fn accepts_1_5_percent_rejects_beyond_3_5_percent() {
    for ch in Channel::ALL {
        let b = bandwidth::run::<Detector>(ch);
        for t in &b.tones {
            println!(
                "bandwidth [{}] {:6.1} Hz: {:+.1} % .. {:+.1} % (widest accepted {:.1} %)",
                ch.name(),
                t.hz,
                t.low_pct,
                t.high_pct,
                t.widest_pct
            );
        }
        assert_eq!(b.wrong, 0, "{}: wrong digits", ch.name());
        assert!(
            b.too_narrow().is_empty(),
            "{}: narrower than ±1.5 % + 2 Hz: {:?}",
            ch.name(),
            b.too_narrow()
        );
        assert!(
            b.widest_pct() <= 3.5,
            "{}: accepted a {} % shift",
            ch.name(),
            b.widest_pct()
        );
    }
}
