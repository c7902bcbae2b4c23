//! Cadenced call-progress tone generator.

use super::plan::{Cadence, ToneSpec};
use crate::level::{dbm0_to_peak, saturate};
use crate::oscillator::Oscillator;

/// Plays a [`ToneSpec`], following its cadence across calls. The oscillators
/// run continuously, so the signal is phase-continuous across frames.
#[derive(Clone, Debug)]
pub struct ToneGenerator {
    cadence: Cadence,
    osc: [Oscillator; 2],
    /// Index of the current (on, off) step.
    step: usize,
    /// Samples elapsed in the current step.
    pos: u64,
}

impl ToneGenerator {
    /// A generator at the start of the first "on" period.
    pub fn new(spec: ToneSpec) -> Self {
        let amp = dbm0_to_peak(spec.level_dbm0);
        let osc = |f: f32| {
            if f > 0.0 {
                Oscillator::new(f, amp)
            } else {
                Oscillator::silent()
            }
        };
        Self {
            cadence: spec.cadence,
            osc: [osc(spec.freqs[0]), osc(spec.freqs[1])],
            step: 0,
            pos: 0,
        }
    }

    /// Overwrites `out` with the tone.
    pub fn fill(&mut self, out: &mut [i16]) {
        for s in out.iter_mut() {
            *s = saturate(self.next_sample());
        }
    }

    /// Adds the tone into `out`, saturating.
    pub fn mix(&mut self, out: &mut [i16]) {
        for s in out.iter_mut() {
            *s = saturate(f32::from(*s) + self.next_sample());
        }
    }

    fn next_sample(&mut self) -> f32 {
        let v = self.osc[0].next_sample() + self.osc[1].next_sample();
        let steps = self.cadence.steps();
        if self.cadence.is_continuous() {
            return v;
        }
        let Some(&(on_ms, off_ms)) = steps.get(self.step) else {
            self.step = 0;
            return v;
        };
        let (on, off) = (crate::ms_to_samples(on_ms), crate::ms_to_samples(off_ms));
        let sounding = self.pos < on;
        self.pos += 1;
        if self.pos >= on + off {
            self.pos = 0;
            self.step = (self.step + 1) % steps.len();
        }
        if sounding {
            v
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tone::{Plan, ToneKind};

    #[test]
    fn busy_cadence_and_level() {
        let mut g = ToneGenerator::new(Plan::NorthAmerica.tone(ToneKind::Busy));
        let mut buf = vec![0i16; 16_000];
        for chunk in buf.chunks_mut(77) {
            g.fill(chunk);
        }
        for (i, sec) in buf.chunks(4000).enumerate() {
            let l = crate::level::rms_dbm0(sec);
            if i % 2 == 0 {
                // Two tones at -24 dBm0 each.
                assert!((l + 21.0).abs() < 0.2, "{i}: {l}");
            } else {
                assert_eq!(l, crate::level::SILENCE_DBM0, "{i}");
            }
        }
    }

    #[test]
    fn continuous_dial() {
        let mut g = ToneGenerator::new(Plan::Cept.tone(ToneKind::Dial));
        let mut buf = [0i16; 8000];
        g.fill(&mut buf);
        let l = crate::level::rms_dbm0(&buf);
        assert!((l + 10.0).abs() < 0.1, "{l}");
    }
}
