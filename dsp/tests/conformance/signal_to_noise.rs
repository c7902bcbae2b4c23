//! Test 6, signal to noise: bursts of every digit in turn, 50 ms on / 50 ms
//! off, −4 dBm0 per tone, with continuous white Gaussian noise. As in
//! spandsp's test 7, S/N is the level of one tone over the noise's RMS level
//! (both dBm0; the two tones together are 3 dB stronger), stepped up 1 dB at a
//! time from 0 dB (spandsp starts at 9 dB; lower shows our margin). A level passes when all 1000 bursts give exactly one
//! correct digit; the result is the lowest passing level. Pass: ≤ 26 dB and
//! no wrong digit at any level tried.

use super::{ms, Channel, Receiver, Score, Tape, ALL_DIGITS};

/// Level per tone, dBm0.
pub const LEVEL_DBM0: f64 = -4.0;
/// Bursts per S/N level.
pub const BURSTS: usize = 1000;
/// First (lowest) S/N tried, dB.
pub const FIRST_DB: i32 = 0;
/// Last S/N tried, dB.
pub const LAST_DB: i32 = 40;
/// Noise seed (spandsp's).
pub const SEED: u64 = 1_234_567;

/// The result.
#[derive(Clone, Debug)]
pub struct SignalToNoise {
    /// Lowest S/N at which every burst was decoded exactly, dB.
    pub lowest_passing_db: Option<i32>,
    /// `(S/N dB, score)` for each level tried.
    pub levels: Vec<(i32, Score)>,
}

impl SignalToNoise {
    /// Wrong digits over every level tried.
    pub fn wrong(&self) -> usize {
        self.levels.iter().map(|(_, s)| s.wrong).sum()
    }
}

/// The 1000-burst tape, before noise.
pub fn tape() -> Tape {
    let mut t = Tape::new();
    for c in ALL_DIGITS.chars().cycle().take(BURSTS) {
        t.digit(c, LEVEL_DBM0, ms(50), ms(50));
    }
    t
}

/// Steps S/N up from [`FIRST_DB`] through `channel` until a level passes.
pub fn run<R: Receiver>(channel: Channel) -> SignalToNoise {
    let clean = tape();
    let mut result = SignalToNoise {
        lowest_passing_db: None,
        levels: Vec::new(),
    };
    for snr in FIRST_DB..=LAST_DB {
        let mut t = clean.clone();
        t.add_noise(SEED, (LEVEL_DBM0 - f64::from(snr)) as f32);
        let score = t.score::<R>(channel);
        result.levels.push((snr, score));
        if score.perfect() {
            result.lowest_passing_db = Some(snr);
            break;
        }
    }
    result
}
