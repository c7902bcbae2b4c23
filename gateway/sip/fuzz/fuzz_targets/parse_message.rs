//! `cargo +nightly fuzz run parse_message -- -dict=... fuzz/corpus` (seed the
//! corpus with `../tests/torture/*.dat`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sip::Message;

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = Message::parse(data, 65535) {
        // Whatever parses must print to something that parses to the same.
        let printed = message.to_bytes();
        let again = Message::parse(&printed, usize::MAX).expect("printed message parses");
        assert_eq!(again, message);
    } else {
        let _ = sip::message::salvage_request(data);
    }
});
