//! Test 1, decode: each of the 16 digits 10 times, 50 ms on / 50 ms off,
//! −4 dBm0 per tone. Pass: exactly one correct digit per burst.

use super::{ms, Channel, Receiver, Score, Tape, ALL_DIGITS};

/// Level per tone, dBm0.
pub const LEVEL_DBM0: f64 = -4.0;

/// The tape: 160 bursts.
pub fn tape() -> Tape {
    let mut t = Tape::new();
    for c in ALL_DIGITS.chars() {
        for _ in 0..10 {
            t.digit(c, LEVEL_DBM0, ms(50), ms(50));
        }
    }
    t
}

/// Plays the decode tape through `channel` into `R`.
pub fn run<R: Receiver>(channel: Channel) -> Score {
    tape().score::<R>(channel)
}
