//! DTMF receiver conformance, test 3 (twist); see `conformance/twist.rs`.

mod conformance;

use conformance::{twist, Channel};
use dsp::dtmf::Detector;

#[test]
fn accepts_8_db_normal_and_4_db_reverse_twist() {
    for ch in Channel::ALL {
        let t = twist::run::<Detector>(ch);
        println!(
            "twist [{}]: normal {} dB (any digit up to {}), reverse {} dB (up to {})",
            ch.name(),
            t.normal_db,
            t.normal_max_db,
            t.reverse_db,
            t.reverse_max_db
        );
        assert!(t.normal_db >= 8.0, "{}: {t:?}", ch.name());
        assert!(t.reverse_db >= 4.0, "{}: {t:?}", ch.name());
    }
}
