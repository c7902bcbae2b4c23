//! Any bytes into `gateway::media::opus_packet`: see `checks::opus_packet` for what must hold.
//! `cargo +nightly fuzz run opus_packet` from `gateway/fuzz` (or `gateway/fuzz/run.sh`);
//! the normal test suite runs the same check on a bounded seeded set
//! (`gateway/tests/media_parsers_fuzz.rs`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| checks::opus_packet(data));
