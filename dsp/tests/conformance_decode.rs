//! DTMF receiver conformance, test 1 (decode); see `conformance/decode.rs`.

mod conformance;

use conformance::{decode, Channel};
use dsp::dtmf::Detector;

#[test]
fn every_burst_gives_exactly_one_correct_digit() {
    for ch in Channel::ALL {
        let s = decode::run::<Detector>(ch);
        println!("decode [{}]: {s:?}", ch.name());
        assert_eq!(s.slots, 160);
        assert!(s.perfect(), "{}: {s:?}", ch.name());
    }
}
