//! Test 4, dynamic range: all 16 digits, 50 ms on / 50 ms off, both tones at
//! the same level, swept from +3 to −50 dBm0 per tone in 1 dB steps. A level
//! passes when every digit is decoded exactly once. Pass: the longest run of
//! passing levels spans ≥ 35 dB.

use super::{ms, Channel, Receiver, Score, Tape, ALL_DIGITS};

/// Strongest level, dBm0 per tone.
pub const TOP_DBM0: i32 = 3;
/// Weakest level, dBm0 per tone.
pub const BOTTOM_DBM0: i32 = -50;

/// The result.
#[derive(Clone, Copy, Debug)]
pub struct DynamicRange {
    /// Strongest level of the longest passing run, dBm0.
    pub high_dbm0: i32,
    /// Weakest level of the longest passing run, dBm0.
    pub low_dbm0: i32,
    /// Digits other than the one sent, over all levels.
    pub wrong: usize,
}

impl DynamicRange {
    /// Span of the longest passing run, dB (0 if nothing passed).
    pub fn range_db(&self) -> i32 {
        if self.high_dbm0 < self.low_dbm0 {
            0
        } else {
            self.high_dbm0 - self.low_dbm0
        }
    }
}

/// Sweeps the level through `channel`.
pub fn run<R: Receiver>(channel: Channel) -> DynamicRange {
    let levels: Vec<i32> = (BOTTOM_DBM0..=TOP_DBM0).rev().collect();
    let mut tape = Tape::new();
    for &l in &levels {
        for c in ALL_DIGITS.chars() {
            tape.digit(c, f64::from(l), ms(50), ms(50));
        }
    }
    let got = tape.play::<R>(channel);
    let score = Score::of(tape.slots(), &got);
    let pass: Vec<bool> = (0..levels.len())
        .map(|i| {
            Score::of(
                &tape.slots()[i * 16..(i + 1) * 16],
                &got[i * 16..(i + 1) * 16],
            )
            .perfect()
        })
        .collect();
    // Longest run of passing levels.
    let mut best: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < pass.len() {
        if !pass[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < pass.len() && pass[i] {
            i += 1;
        }
        if best.is_none_or(|(s, e)| i - start > e - s + 1) {
            best = Some((start, i - 1));
        }
    }
    let (high_dbm0, low_dbm0) = match best {
        Some((s, e)) => (levels[s], levels[e]),
        None => (BOTTOM_DBM0, TOP_DBM0),
    };
    DynamicRange {
        high_dbm0,
        low_dbm0,
        wrong: score.wrong,
    }
}
