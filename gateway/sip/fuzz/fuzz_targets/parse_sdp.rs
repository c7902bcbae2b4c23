#![no_main]

use libfuzzer_sys::fuzz_target;
use sip::sdp::SessionDescription;

fuzz_target!(|data: &[u8]| {
    if let Ok(sdp) = SessionDescription::parse(data) {
        let printed = sdp.to_bytes();
        let again = SessionDescription::parse(&printed).expect("printed SDP parses");
        assert_eq!(again, sdp);
    }
});
