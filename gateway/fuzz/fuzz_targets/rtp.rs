//! Any bytes into `gateway::media::rtp`: see `checks::rtp` for what must hold.
//! `cargo +nightly fuzz run rtp` from `gateway/fuzz` (or `gateway/fuzz/run.sh`);
//! the normal test suite runs the same check on a bounded seeded set
//! (`gateway/tests/media_parsers_fuzz.rs`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| checks::rtp(data));
