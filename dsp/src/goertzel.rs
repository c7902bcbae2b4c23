//! Goertzel single-bin DFT.
//!
//! `s[n] = x[n] + 2·cos(ω)·s[n−1] − s[n−2]`; after N samples
//! `X(ω) = e^{−jω(N−1)}·(s[N−1] − e^{−jω}·s[N−2])` (G. Goertzel, 1958).
//! [`Goertzel::dft_at`] returns the bin referenced to absolute sample time, so
//! the phases of consecutive blocks can be compared to estimate frequency.

use core::f64::consts::TAU;

/// One Goertzel filter for one frequency.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Goertzel {
    omega: f64,
    coeff: f32,
    s1: f32,
    s2: f32,
    n: u32,
}

impl Goertzel {
    /// A filter for `freq_hz` at [`crate::SAMPLE_RATE_HZ`].
    pub fn new(freq_hz: f32) -> Self {
        let omega = TAU * f64::from(freq_hz) / f64::from(crate::SAMPLE_RATE_HZ);
        Self {
            omega,
            coeff: (2.0 * omega.cos()) as f32,
            s1: 0.0,
            s2: 0.0,
            n: 0,
        }
    }

    /// Feeds one sample.
    #[inline]
    pub fn push(&mut self, x: f32) {
        let s0 = x + self.coeff * self.s1 - self.s2;
        self.s2 = self.s1;
        self.s1 = s0;
        self.n += 1;
    }

    /// Feeds a block of samples.
    pub fn push_block(&mut self, samples: &[i16]) {
        for &s in samples {
            self.push(f32::from(s));
        }
    }

    /// |X|² over the samples fed since the last reset.
    pub fn magnitude_squared(&self) -> f32 {
        self.s1 * self.s1 + self.s2 * self.s2 - self.coeff * self.s1 * self.s2
    }

    /// Mean power of the bin's sinusoid: a sine of peak A fed for N samples
    /// (N·f/fs not too small) reads A²/2, comparable with a mean square.
    pub fn power(&self) -> f32 {
        if self.n == 0 {
            return 0.0;
        }
        let n = self.n as f32;
        2.0 * self.magnitude_squared() / (n * n)
    }

    /// Samples fed since the last reset.
    pub fn len(&self) -> u32 {
        self.n
    }

    /// True before any sample was fed.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Complex `Σ x[n]·e^{−jω(start+n)}` where `start` is the absolute index of
    /// the first sample fed since the last reset.
    pub fn dft_at(&self, start: u64) -> (f32, f32) {
        if self.n == 0 {
            return (0.0, 0.0);
        }
        let (s1, s2) = (f64::from(self.s1), f64::from(self.s2));
        // y = s1 − e^{−jω}·s2
        let yr = s1 - self.omega.cos() * s2;
        let yi = self.omega.sin() * s2;
        let phi = (self.omega * (start as f64 + f64::from(self.n) - 1.0)).rem_euclid(TAU);
        let (c, s) = (phi.cos(), phi.sin());
        // X = y · e^{−jφ}
        ((yr * c + yi * s) as f32, (yi * c - yr * s) as f32)
    }

    /// Clears the state for a new block.
    pub fn reset(&mut self) {
        self.s1 = 0.0;
        self.s2 = 0.0;
        self.n = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn direct_dft(x: &[f32], f: f64, start: u64) -> (f64, f64) {
        let w = TAU * f / 8000.0;
        x.iter().enumerate().fold((0.0, 0.0), |(r, i), (n, &v)| {
            let p = w * (start + n as u64) as f64;
            (r + f64::from(v) * p.cos(), i - f64::from(v) * p.sin())
        })
    }

    #[test]
    fn matches_direct_dft_with_absolute_phase() {
        let x: Vec<f32> = (0..102)
            .map(|n| 1000.0 * (0.7 * n as f32 + 0.3).sin() + 50.0 * (n % 7) as f32)
            .collect();
        for &f in &[697.0f32, 941.0, 1633.0] {
            let mut g = Goertzel::new(f);
            for &v in &x {
                g.push(v);
            }
            let (r, i) = g.dft_at(12_345);
            let (dr, di) = direct_dft(&x, f64::from(f), 12_345);
            assert!((f64::from(r) - dr).abs() < 1.0, "{f}: {r} vs {dr}");
            assert!((f64::from(i) - di).abs() < 1.0, "{f}: {i} vs {di}");
        }
    }

    #[test]
    fn power_of_sine() {
        let mut g = Goertzel::new(1000.0);
        for n in 0..160 {
            g.push(5000.0 * (TAU * 1000.0 * n as f64 / 8000.0).sin() as f32);
        }
        let p = g.power();
        assert!((p / (5000.0 * 5000.0 / 2.0) - 1.0).abs() < 0.01, "{p}");
    }
}
