//! Seeded pseudo-random numbers and white noise (xorshift64*).
//!
//! Deterministic from the seed, so tests and generated signals repeat exactly.

/// xorshift64* generator (Marsaglia 2003, Vigna 2016).
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator seeded with `seed` (any value, zero included).
    pub fn new(seed: u64) -> Self {
        // splitmix64 step so that nearby seeds give unrelated streams and 0 works.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Self { state: z | 1 }
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.uniform()
    }

    /// Approximately Gaussian, zero mean, unit variance (sum of 12 uniforms − 6).
    pub fn gaussian(&mut self) -> f32 {
        (0..12).map(|_| self.uniform()).sum::<f32>() - 6.0
    }
}

/// White Gaussian noise at a fixed RMS level.
#[derive(Clone, Debug)]
pub struct WhiteNoise {
    rng: Rng,
    rms: f32,
}

impl WhiteNoise {
    /// Noise whose RMS level is `level_dbm0` (same RMS as a sine at that level).
    pub fn new(seed: u64, level_dbm0: f32) -> Self {
        Self {
            rng: Rng::new(seed),
            rms: crate::level::dbm0_to_peak(level_dbm0) / core::f32::consts::SQRT_2,
        }
    }

    /// Overwrites `out` with noise.
    pub fn fill(&mut self, out: &mut [i16]) {
        for s in out.iter_mut() {
            *s = crate::level::saturate(self.rng.gaussian() * self.rms);
        }
    }

    /// Adds noise into `out`, saturating.
    pub fn mix(&mut self, out: &mut [i16]) {
        for s in out.iter_mut() {
            *s = crate::level::saturate(f32::from(*s) + self.rng.gaussian() * self.rms);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_level() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        assert!((0..100).all(|_| a.next_u64() == b.next_u64()));
        let mut n = WhiteNoise::new(1, -20.0);
        let mut buf = [0i16; 8000];
        n.fill(&mut buf);
        let l = crate::level::rms_dbm0(&buf);
        assert!((l + 20.0).abs() < 0.3, "{l}");
    }
}
