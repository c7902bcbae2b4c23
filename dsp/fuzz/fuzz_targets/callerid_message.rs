//! Any bytes into the SDMF/MDMF parser: must return, never panic. A message
//! that parses must re-encode to something that parses to the same message.
#![no_main]

use dsp::callerid::message::MAX_MESSAGE;
use dsp::callerid::{CallerIdMessage, Format};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(msg) = CallerIdMessage::parse(data) else {
        return;
    };
    let format = if data[0] == 0x04 {
        Format::Sdmf
    } else {
        Format::Mdmf
    };
    let mut out = [0u8; MAX_MESSAGE];
    if let Ok(n) = msg.encode(format, &mut out) {
        assert_eq!(CallerIdMessage::parse(&out[..n]).as_ref(), Ok(&msg));
    }
});
