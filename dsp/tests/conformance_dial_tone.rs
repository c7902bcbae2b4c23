//! DTMF receiver conformance, test 7 (dial tone); see
//! `conformance/dial_tone.rs`.

mod conformance;

use conformance::{dial_tone, Channel};
use dsp::dtmf::Detector;

#[test]
fn digits_detected_over_dial_tone_10_db_below() {
    for ch in Channel::ALL {
        let r = dial_tone::run::<Detector>(ch);
        println!(
            "dial tone [{}]: all digits up to dial tone {:?} dBm0 per tone (digit/dial tone {:?} dB), {} wrong",
            ch.name(),
            r.strongest_passing_dbm0,
            r.ratio_db(),
            r.wrong
        );
        let ratio = r.ratio_db().expect("failed with the weakest dial tone");
        assert!(ratio <= 10, "{}: {r:?}", ch.name());
        assert_eq!(r.wrong, 0, "{}", ch.name());
    }
}

#[test]
fn dial_tone_alone_gives_nothing() {
    for ch in Channel::ALL {
        assert_eq!(dial_tone::alone::<Detector>(ch, -3, 10), 0, "{}", ch.name());
    }
}
