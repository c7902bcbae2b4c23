//! Test 7, dial tone: the 16 digits ten times, 50 ms on / 50 ms off at
//! −15 dBm0 per tone, over continuous 350 + 440 Hz dial tone (both tones at the
//! same level), whose level is stepped up 1 dB at a time from −30 dBm0 per tone
//! (as in spandsp's dial-tone tolerance test). A level passes when all 160
//! bursts give exactly one correct digit. Pass: still passing with dial tone
//! 10 dB below the digit (Q.24 / `TELEPHONY.md`).

use super::{ms, Channel, Receiver, Tape, ALL_DIGITS};

/// Digit level per tone, dBm0.
pub const DIGIT_DBM0: i32 = -15;
/// Weakest dial tone tried, dBm0 per tone.
pub const FIRST_DIAL_DBM0: i32 = -30;
/// Strongest dial tone tried, dBm0 per tone.
pub const LAST_DIAL_DBM0: i32 = 0;

/// The result.
#[derive(Clone, Copy, Debug)]
pub struct DialTone {
    /// Strongest dial tone with every weaker one also passing, dBm0 per tone.
    pub strongest_passing_dbm0: Option<i32>,
    /// Wrong digits over the levels tried.
    pub wrong: usize,
}

impl DialTone {
    /// Digit level over the strongest passing dial tone, dB (lower is better).
    pub fn ratio_db(&self) -> Option<i32> {
        self.strongest_passing_dbm0.map(|d| DIGIT_DBM0 - d)
    }
}

/// The tape at dial tone level `dial_dbm0`.
pub fn tape(dial_dbm0: i32) -> Tape {
    let mut t = Tape::new();
    for _ in 0..10 {
        for c in ALL_DIGITS.chars() {
            t.digit(c, f64::from(DIGIT_DBM0), ms(50), ms(50));
        }
    }
    t.add_tone(350.0, f64::from(dial_dbm0));
    t.add_tone(440.0, f64::from(dial_dbm0));
    t
}

/// Steps the dial tone up through `channel` until a level fails.
pub fn run<R: Receiver>(channel: Channel) -> DialTone {
    let mut result = DialTone {
        strongest_passing_dbm0: None,
        wrong: 0,
    };
    for dial in FIRST_DIAL_DBM0..=LAST_DIAL_DBM0 {
        let score = tape(dial).score::<R>(channel);
        result.wrong += score.wrong;
        if !score.perfect() {
            break;
        }
        result.strongest_passing_dbm0 = Some(dial);
    }
    result
}

/// Digits reported from `seconds` of dial tone alone at `dial_dbm0` per tone.
pub fn alone<R: Receiver>(channel: Channel, dial_dbm0: i32, seconds: usize) -> usize {
    let mut t = Tape::new();
    t.quiet(8000 * seconds);
    t.add_tone(350.0, f64::from(dial_dbm0));
    t.add_tone(440.0, f64::from(dial_dbm0));
    t.play::<R>(channel).iter().map(|d| d.chars().count()).sum()
}
