//! Whole-endpoint target: each input is split at 0xFF 0x00 into datagrams
//! fed 100 ms apart, so transactions, dialogs and timers all get exercised.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use sip::{Endpoint, EndpointConfig};

fuzz_target!(|data: &[u8]| {
    let local = "192.0.2.1:5060".parse().unwrap();
    let peer = "198.51.100.1:5060".parse().unwrap();
    let mut ep = Endpoint::new(EndpointConfig::new(local), 0);
    let mut now = Instant::now();
    for datagram in data.split(|&b| b == 0xff) {
        ep.handle_datagram(now, peer, datagram);
        now += Duration::from_millis(100);
        ep.handle_timeout(now);
        while ep.poll_transmit().is_some() {}
        while ep.poll_event().is_some() {}
    }
});
