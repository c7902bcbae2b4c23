//! Test 3, twist: one tone at −3 dBm0, the other stepped down in 0.5 dB steps
//! to −23 dBm0, every digit, 50 ms on / 50 ms off. Normal twist, as
//! `TELEPHONY.md` defines it: the column (high-group) tone is the louder;
//! reverse: the row tone is. Pass: ≥ 8 dB normal and ≥ 4 dB reverse accepted,
//! for every digit.
//!
//! Beware: spandsp (and Asterisk, and Bellcore's "+4/−8 dB") use the opposite
//! convention — they accept 8 dB with the *row* tone louder and 4 dB with the
//! column louder (spandsp `dtmf.c`: `col < row·reverse_twist &&
//! col·normal_twist > row`). The fields below are named by which tone is
//! louder, so the two can be compared.

use super::tape::tones;
use super::{ms, Channel, Receiver, Tape, ALL_DIGITS};

/// Level of the stronger tone, dBm0.
pub const STRONG_DBM0: f64 = -3.0;
/// Step, dB.
pub const STEP_DB: f64 = 0.5;
/// Steps (to 20 dB).
pub const STEPS: usize = 40;

/// Twist accepted with every smaller twist, worst digit, dB.
#[derive(Clone, Copy, Debug)]
pub struct Twist {
    /// Column louder than row (normal, in `TELEPHONY.md`'s terms).
    pub normal_db: f64,
    /// Row louder than column (reverse, in `TELEPHONY.md`'s terms).
    pub reverse_db: f64,
    /// Largest twist accepted by any digit, normal, dB.
    pub normal_max_db: f64,
    /// Largest twist accepted by any digit, reverse, dB.
    pub reverse_max_db: f64,
}

fn sweep<R: Receiver>(normal: bool, channel: Channel) -> (f64, f64) {
    let mut tape = Tape::new();
    for digit in ALL_DIGITS.chars() {
        for step in 0..=STEPS {
            let (mut r, mut c) = tones(digit, STRONG_DBM0);
            let weak = if normal { &mut r } else { &mut c };
            weak.dbm0 -= step as f64 * STEP_DB;
            tape.burst(digit, r, c, 0, ms(50), ms(50));
        }
    }
    let got = tape.play::<R>(channel);
    let mut worst = f64::MAX;
    let mut best = 0f64;
    for (d, digit) in ALL_DIGITS.chars().enumerate() {
        let per = &got[d * (STEPS + 1)..(d + 1) * (STEPS + 1)];
        let ok = |s: usize| per[s] == digit.to_string();
        let contiguous = (0..=STEPS).take_while(|&s| ok(s)).last();
        let db = contiguous.map_or(-STEP_DB, |s| s as f64 * STEP_DB);
        worst = worst.min(db);
        let any = (0..=STEPS).rev().find(|&s| ok(s));
        best = best.max(any.map_or(0.0, |s| s as f64 * STEP_DB));
    }
    (worst, best)
}

/// Measures the accepted twist through `channel`.
pub fn run<R: Receiver>(channel: Channel) -> Twist {
    let (normal_db, normal_max_db) = sweep::<R>(true, channel);
    let (reverse_db, reverse_max_db) = sweep::<R>(false, channel);
    Twist {
        normal_db,
        reverse_db,
        normal_max_db,
        reverse_max_db,
    }
}
