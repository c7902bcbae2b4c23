//! DC and mains-hum blocking filter for the near-end (line) input.
//!
//! Cheap FXO cards add a DC offset and 50/60 Hz hum to what comes back from
//! the line (`TELEPHONY.md`). The canceller runs both its reference (far end)
//! and the near end through identical copies of this filter, so the echo path
//! it identifies is unchanged (the filters commute with the hybrid) while DC
//! and hum never reach the adaptive filter or the output.
//!
//! Fourth-order Butterworth high-pass at 150 Hz as two biquads (bilinear
//! transform, RBJ cookbook form): −0.02 dB at 300 Hz, −32 dB at 60 Hz,
//! −38 dB at 50 Hz, infinite rejection at DC.

use core::f32::consts::PI;

/// Corner frequency, Hz.
pub const CORNER_HZ: f32 = 150.0;

/// Section Q values of a 4th-order Butterworth: 1 / (2 cos(π/8)), 1 / (2 cos(3π/8)).
const SECTION_Q: [f32; 2] = [0.541_196_1, 1.306_563];

#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Biquad {
    b0: f32,
    b1: f32,
    b2: f32,
    a1: f32,
    a2: f32,
    // Direct form I state.
    x1: f32,
    x2: f32,
    y1: f32,
    y2: f32,
}

impl Biquad {
    fn high_pass(fc: f32, q: f32) -> Self {
        let w0 = 2.0 * PI * fc / crate::SAMPLE_RATE_HZ as f32;
        let (s, c) = w0.sin_cos();
        let alpha = s / (2.0 * q);
        let a0 = 1.0 + alpha;
        Self {
            b0: (1.0 + c) / 2.0 / a0,
            b1: -(1.0 + c) / a0,
            b2: (1.0 + c) / 2.0 / a0,
            a1: -2.0 * c / a0,
            a2: (1.0 - alpha) / a0,
            ..Self::default()
        }
    }

    #[inline]
    fn step(&mut self, x: f32) -> f32 {
        let y = self.b0 * x + self.b1 * self.x1 + self.b2 * self.x2
            - self.a1 * self.y1
            - self.a2 * self.y2;
        self.x2 = self.x1;
        self.x1 = x;
        self.y2 = self.y1;
        // Flush denormals: after a long silence the state decays towards 0.
        self.y1 = if y.abs() < 1e-20 { 0.0 } else { y };
        y
    }

    fn clear(&mut self) {
        self.x1 = 0.0;
        self.x2 = 0.0;
        self.y1 = 0.0;
        self.y2 = 0.0;
    }
}

/// 4th-order Butterworth high-pass at [`CORNER_HZ`]; sample by sample, no
/// allocation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HighPass {
    sections: [Biquad; 2],
}

impl Default for HighPass {
    fn default() -> Self {
        Self::new()
    }
}

impl HighPass {
    /// A filter with cleared state.
    pub fn new() -> Self {
        Self {
            sections: SECTION_Q.map(|q| Biquad::high_pass(CORNER_HZ, q)),
        }
    }

    /// Filters one sample.
    #[inline]
    pub fn step(&mut self, x: f32) -> f32 {
        let y = self.sections[0].step(x);
        self.sections[1].step(y)
    }

    /// Filters `samples` in place (rounded, saturated).
    pub fn process(&mut self, samples: &mut [i16]) {
        for s in samples {
            *s = crate::level::saturate(self.step(f32::from(*s)));
        }
    }

    /// Clears the state.
    pub fn reset(&mut self) {
        for s in &mut self.sections {
            s.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::level::rms_dbm0;

    fn gain_db(freq: f32) -> f32 {
        let mut hp = HighPass::new();
        let x: Vec<i16> = (0..16_000)
            .map(|n| (10_000.0 * (2.0 * PI * freq * n as f32 / 8000.0).sin()) as i16)
            .collect();
        let mut y = x.clone();
        hp.process(&mut y);
        rms_dbm0(&y[8000..]) - rms_dbm0(&x[8000..])
    }

    #[test]
    fn blocks_dc_and_hum_passes_voice_band() {
        let mut hp = HighPass::new();
        let mut dc = [3000i16; 8000];
        hp.process(&mut dc);
        assert!(dc[4000..].iter().all(|&s| s == 0), "DC removed");
        assert!(gain_db(50.0) < -35.0, "{}", gain_db(50.0));
        assert!(gain_db(60.0) < -30.0, "{}", gain_db(60.0));
        assert!(gain_db(300.0).abs() < 0.1, "{}", gain_db(300.0));
        assert!(gain_db(1000.0).abs() < 0.05, "{}", gain_db(1000.0));
    }
}
