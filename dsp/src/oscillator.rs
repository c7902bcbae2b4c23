//! Phase-accumulator sine oscillator shared by the tone generators.

use core::f64::consts::TAU;

/// A sine oscillator whose phase survives across calls.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Oscillator {
    phase: f64,
    step: f64,
    amplitude: f32,
}

impl Oscillator {
    pub(crate) fn new(freq_hz: f32, amplitude: f32) -> Self {
        Self {
            phase: 0.0,
            step: TAU * f64::from(freq_hz) / f64::from(crate::SAMPLE_RATE_HZ),
            amplitude,
        }
    }

    /// A silent oscillator (frequency 0 or amplitude 0).
    pub(crate) fn silent() -> Self {
        Self::new(0.0, 0.0)
    }

    #[inline]
    pub(crate) fn next_sample(&mut self) -> f32 {
        let v = self.amplitude * (self.phase.sin() as f32);
        self.phase += self.step;
        if self.phase >= TAU {
            self.phase -= TAU;
        }
        v
    }
}
