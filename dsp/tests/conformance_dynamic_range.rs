//! DTMF receiver conformance, test 4 (dynamic range); see
//! `conformance/dynamic_range.rs`.

mod conformance;

use conformance::{dynamic_range, Channel};
use dsp::dtmf::Detector;

#[test]
fn at_least_35_db_of_dynamic_range() {
    for ch in Channel::ALL {
        let r = dynamic_range::run::<Detector>(ch);
        println!(
            "dynamic range [{}]: {} dB ({} .. {} dBm0 per tone), {} wrong",
            ch.name(),
            r.range_db(),
            r.low_dbm0,
            r.high_dbm0,
            r.wrong
        );
        assert!(r.range_db() >= 35, "{}: {r:?}", ch.name());
        assert_eq!(r.wrong, 0, "{}: {r:?}", ch.name());
    }
}
