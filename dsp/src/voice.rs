//! Synthetic speech for tests: talk-off material for the DTMF and call-progress
//! detectors, and a stand-in for a talker in pipeline tests.
//!
//! A source–filter model (Fant 1960): a Rosenberg glottal pulse train (with
//! lip-radiation differentiation) whose pitch follows a phrase contour with
//! declination, accents and jitter, plus a little aspiration noise, through
//! three cascaded formant resonators. Each syllable (120–280 ms) glides to a
//! new vowel, may start with a short fricative burst, and has a raised-cosine
//! loudness envelope; phrases of 1–4 s are separated by 0.3–1.2 s pauses.
//! The carrier is normalised so that talk periods measure about −20 dBm0 RMS.
//! Everything is drawn from [`crate::noise::Rng`], so a seed gives the same
//! signal every time.

use core::f32::consts::{PI, TAU};

use crate::level::{dbm0_to_peak, saturate};
use crate::noise::Rng;

const FS: f32 = crate::SAMPLE_RATE_HZ as f32;

/// (F1, F2, F3) Hz for a few English vowels (Peterson & Barney 1952, adult male).
const VOWELS: [[f32; 3]; 8] = [
    [730.0, 1090.0, 2440.0],
    [270.0, 2290.0, 3010.0],
    [300.0, 870.0, 2240.0],
    [530.0, 1840.0, 2480.0],
    [570.0, 840.0, 2410.0],
    [660.0, 1720.0, 2410.0],
    [490.0, 1350.0, 1690.0],
    [520.0, 1190.0, 2390.0],
];
const BANDWIDTHS: [f32; 3] = [90.0, 110.0, 170.0];
/// Mean square of the syllable envelope over talk time (measured).
const ENVELOPE_POWER: f32 = 0.42;

#[derive(Clone, Copy, Debug, Default)]
struct Resonator {
    y1: f32,
    y2: f32,
}

impl Resonator {
    #[inline]
    fn step(&mut self, x: f32, freq: f32, bw: f32) -> f32 {
        let r = (-PI * bw / FS).exp();
        let a1 = 2.0 * r * (TAU * freq / FS).cos();
        let a2 = -r * r;
        // Unity gain at DC keeps the cascade's level sensible.
        let g = 1.0 - a1 - a2;
        let y = g * x + a1 * self.y1 + a2 * self.y2;
        self.y2 = self.y1;
        self.y1 = y;
        y
    }
}

/// A generated talker. About −20 dBm0 RMS while talking; silent in pauses.
#[derive(Debug)]
pub struct Voice {
    rng: Rng,
    base_f0: f32,
    formant_scale: f32,
    /// Pitch pulse phase in periods, [0, 1).
    phase: f32,
    last_pulse: f32,
    resonators: [Resonator; 3],
    formants: [f32; 3],
    target: [f32; 3],
    /// Samples left in the current syllable or pause.
    remaining: u32,
    length: u32,
    talking: bool,
    syllables_left: u32,
    fricative: u32,
    accent: f32,
    phrase_pos: u32,
    carrier_power: f32,
    gain: f32,
}

impl Voice {
    /// A talker drawn from `seed`.
    pub fn new(seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let female = rng.uniform() < 0.5;
        let base_f0 = if female {
            rng.range(180.0, 230.0)
        } else {
            rng.range(95.0, 135.0)
        };
        let formant_scale = if female { 1.15 } else { 1.0 };
        Self {
            rng,
            base_f0,
            formant_scale,
            phase: 0.0,
            last_pulse: 0.0,
            resonators: [Resonator::default(); 3],
            formants: VOWELS[0],
            target: VOWELS[0],
            remaining: 0,
            length: 1,
            talking: false,
            syllables_left: 0,
            fricative: 0,
            accent: 0.0,
            phrase_pos: 0,
            carrier_power: 1.0,
            gain: dbm0_to_peak(-20.0) / core::f32::consts::SQRT_2 / ENVELOPE_POWER.sqrt(),
        }
    }

    /// Overwrites `out` with the next samples of speech.
    pub fn fill(&mut self, out: &mut [i16]) {
        for s in out.iter_mut() {
            *s = saturate(self.next_sample());
        }
    }

    fn next_segment(&mut self) {
        if self.talking && self.syllables_left > 0 {
            self.syllables_left -= 1;
            self.start_syllable();
        } else if self.talking {
            self.talking = false;
            self.length = (self.rng.range(0.3, 1.2) * FS) as u32;
            self.remaining = self.length;
        } else {
            self.talking = true;
            self.phrase_pos = 0;
            self.syllables_left = 4 + (self.rng.next_u64() % 12) as u32;
            self.start_syllable();
        }
    }

    fn start_syllable(&mut self) {
        self.length = (self.rng.range(0.12, 0.28) * FS) as u32;
        self.remaining = self.length;
        let v = VOWELS[(self.rng.next_u64() % VOWELS.len() as u64) as usize];
        let jitter = self.rng.range(0.93, 1.07);
        for (t, f) in self.target.iter_mut().zip(v) {
            *t = f * self.formant_scale * jitter;
        }
        self.fricative = if self.rng.uniform() < 0.4 {
            (self.rng.range(0.02, 0.06) * FS) as u32
        } else {
            0
        };
        self.accent = self.rng.range(-0.08, 0.2);
    }

    fn next_sample(&mut self) -> f32 {
        if self.remaining == 0 {
            self.next_segment();
        }
        self.remaining = self.remaining.saturating_sub(1);
        if !self.talking {
            return 0.0;
        }
        self.phrase_pos += 1;
        // Position in the syllable, 0..1.
        let pos = 1.0 - self.remaining as f32 / self.length.max(1) as f32;
        // Pitch: declination over the phrase, an accent per syllable, jitter.
        let declination = 1.0 - 0.15 * (self.phrase_pos as f32 / (3.0 * FS)).min(1.0);
        let accent = 1.0 + self.accent * (PI * pos).sin();
        let f0 = self.base_f0 * declination * accent * (1.0 + 0.01 * self.rng.gaussian());
        // Rosenberg pulse, differentiated (lip radiation).
        self.phase += f0 / FS;
        if self.phase >= 1.0 {
            self.phase -= 1.0;
        }
        let pulse = if self.phase < 0.4 {
            0.5 * (1.0 - (PI * self.phase / 0.4).cos())
        } else if self.phase < 0.56 {
            (PI * (self.phase - 0.4) / 0.32).cos()
        } else {
            0.0
        };
        let voiced = (pulse - self.last_pulse) * 8.0;
        self.last_pulse = pulse;
        let in_fricative = self.length - self.remaining < self.fricative;
        let noise = self.rng.gaussian() * if in_fricative { 0.6 } else { 0.03 };
        let excitation = if in_fricative { noise } else { voiced + noise };
        // Glide formants towards the syllable's vowel (~25 ms time constant).
        for (f, t) in self.formants.iter_mut().zip(self.target) {
            *f += (t - *f) * 0.005;
        }
        let mut y = excitation;
        for ((res, f), bw) in self
            .resonators
            .iter_mut()
            .zip(self.formants)
            .zip(BANDWIDTHS)
        {
            y = res.step(y, f, bw);
        }
        if in_fricative {
            // Fricatives: keep the noise mostly high-frequency and weaker.
            y = 0.3 * y + 0.5 * noise;
        }
        // Normalise the carrier (~30 ms time constant), then shape the syllable.
        self.carrier_power += (y * y - self.carrier_power) * 0.004;
        let carrier = y / self.carrier_power.max(1e-6).sqrt();
        let envelope = (PI * pos).sin().powf(0.7);
        carrier * envelope * self.gain
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::level::rms_dbm0;

    #[test]
    fn deterministic_speech_like_level() {
        let mut a = Voice::new(3);
        let mut b = Voice::new(3);
        let mut x = vec![0i16; 8000 * 20];
        let mut y = vec![0i16; 8000 * 20];
        a.fill(&mut x);
        b.fill(&mut y);
        assert_eq!(x, y);
        let talk: Vec<i16> = x
            .chunks(160)
            .filter(|f| f.iter().any(|&s| s != 0))
            .flatten()
            .copied()
            .collect();
        let silent_frames = x.chunks(160).filter(|f| f.iter().all(|&s| s == 0)).count();
        assert!(silent_frames > 50, "pauses present: {silent_frames}");
        assert!(talk.len() > 8000 * 8, "mostly talking: {}", talk.len());
        let l = rms_dbm0(&talk);
        assert!((l + 20.0).abs() < 2.5, "talk level {l}");
        // Loudness varies frame to frame (syllables), unlike a tone.
        let levels: Vec<f32> = talk.chunks(160).map(rms_dbm0).collect();
        let spread = levels.iter().cloned().fold(f32::MIN, f32::max)
            - levels.iter().cloned().fold(f32::MAX, f32::min);
        assert!(spread > 15.0, "{spread}");
    }
}
