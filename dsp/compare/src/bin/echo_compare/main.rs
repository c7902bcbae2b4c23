//! `echo-compare`: our line echo canceller (`dsp::echo::Canceller`, 32 and
//! 64 ms tails) and spandsp 0.0.6's `echo_can` (Debian's `libspandsp-dev`,
//! 256 taps) on the same signals in one run: far-end speech or white noise,
//! echo from the G.168 Annex D hybrids D2, D5 and D8 at ERL 6 and 15 dB,
//! optionally −55 dBm0 line noise, 10 s each. Prints three Markdown tables
//! (see `docs/PERFORMANCE.md`, "Line echo canceller vs spandsp"):
//!
//! 1. ERLE with the NLP off (ours `nlp: false`; spandsp without
//!    `ECHO_CAN_USE_NLP|CNG|CLIP`): 1–3 s, last 3 s, time from which it stays
//!    ≥ 20 and ≥ 30 dB;
//! 2. with the NLP on: residual echo, and what reaches the far end of a near
//!    talker alone and in double talk;
//! 3. µs per 20 ms frame, median and best-of-3 mean.
//!
//! spandsp's debug prints (see `dsp_compare::spandsp::debug_prints`) are
//! sent to `/dev/null` for the whole run, and skipped except in the one
//! timing row that shows what they cost.
//!
//! Run it optimised: `cargo run --release -p dsp-compare --bin echo-compare`.

#[path = "../../../../tests/g168_support/mod.rs"]
mod g168_support;

mod contender;
mod cost;
mod quality;
mod scenario;

use dsp_compare::spandsp::debug_prints::{Diverted, Prints};

fn main() -> std::io::Result<()> {
    let mut diverted = Diverted::new(Prints::Skipped)?;
    quality::print_erle_table();
    println!();
    quality::print_nlp_table();
    println!();
    cost::print_cost_table(&mut diverted);
    Ok(())
}
