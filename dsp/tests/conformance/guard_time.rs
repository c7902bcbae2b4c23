//! Test 5, guard time: pulses of 10..=49 ms of every digit at −4 dBm0 per
//! tone, each followed by 50 ms of silence; each pulse starts at a different
//! offset from the 20 ms frame grid (and so from any block grid). Pass:
//! nothing detected from pulses under 20 ms, everything from 40 ms up
//! (ETSI ES 201 235-3, Q.24).

use super::tape::tones;
use super::{ms, Channel, Receiver, Score, Tape, ALL_DIGITS};

/// Level per tone, dBm0.
pub const LEVEL_DBM0: f64 = -4.0;
/// Shortest pulse, ms.
pub const SHORTEST_MS: usize = 10;
/// Longest pulse, ms.
pub const LONGEST_MS: usize = 49;

/// Detections per pulse length.
#[derive(Clone, Debug)]
pub struct GuardTime {
    /// `(length ms, digits detected out of 16)`.
    pub detected: Vec<(usize, usize)>,
    /// Digits other than the one sent, and repeats, over all pulses.
    pub wrong_or_repeated: usize,
}

impl GuardTime {
    /// Shortest pulse that gave any detection, ms.
    pub fn shortest_detected_ms(&self) -> Option<usize> {
        self.detected.iter().find(|(_, n)| *n > 0).map(|(l, _)| *l)
    }

    /// Length from which every pulse of every length is detected, ms.
    pub fn all_detected_from_ms(&self) -> Option<usize> {
        let last_miss = self
            .detected
            .iter()
            .filter(|(_, n)| *n < 16)
            .map(|(l, _)| *l)
            .max();
        match last_miss {
            None => Some(SHORTEST_MS),
            Some(l) if l < LONGEST_MS => Some(l + 1),
            Some(_) => None,
        }
    }

    /// Detections from pulses of `length` ms.
    pub fn at(&self, length: usize) -> usize {
        self.detected
            .iter()
            .find(|(l, _)| *l == length)
            .map_or(0, |(_, n)| *n)
    }
}

/// Runs the pulses through `channel`.
pub fn run<R: Receiver>(channel: Channel) -> GuardTime {
    let mut tape = Tape::new();
    let mut k = 0;
    for length in SHORTEST_MS..=LONGEST_MS {
        for digit in ALL_DIGITS.chars() {
            let (r, c) = tones(digit, LEVEL_DBM0);
            // Offsets 0..160 samples in steps of 37 (mod 160).
            let lead = (k * 37) % 160;
            k += 1;
            tape.burst(digit, r, c, lead, ms(length), ms(50));
        }
    }
    let got = tape.play::<R>(channel);
    let mut detected = Vec::new();
    let mut bad = 0;
    for (i, length) in (SHORTEST_MS..=LONGEST_MS).enumerate() {
        let slots = &tape.slots()[i * 16..(i + 1) * 16];
        let s = Score::of(slots, &got[i * 16..(i + 1) * 16]);
        bad += s.wrong + s.repeated;
        detected.push((length, s.slots - s.missed));
    }
    GuardTime {
        detected,
        wrong_or_repeated: bad,
    }
}
