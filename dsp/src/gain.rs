//! Fixed-point gain in dB.
//!
//! The factor is computed once per [`Gain::set_db`] as a Q15 integer
//! (`round(32768 · 10^(dB/20))`, at most 519 180 at +24 dB); each sample is then
//! `sat((s · factor + 2^14) >> 15)` in 64-bit integer arithmetic, so no float
//! runs per sample. The factor's quantisation error is below 0.002 dB at
//! −24 dB and smaller above; 0 dB is the exact identity.

/// Lowest gain accepted; lower requests are clamped.
pub const MIN_DB: f32 = -24.0;
/// Highest gain accepted; higher requests are clamped.
pub const MAX_DB: f32 = 24.0;

const Q: u32 = 15;
const ONE: i64 = 1 << Q;

/// A gain applied to frames in place, with saturation at the i16 limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gain {
    /// Gain in 1/1000 dB after clamping (kept for [`Gain::db`]).
    millidb: i32,
    /// Q15 factor.
    factor: i64,
}

impl Gain {
    /// Unity gain (0 dB).
    pub const UNITY: Gain = Gain {
        millidb: 0,
        factor: ONE,
    };

    /// A gain of `db`, clamped to [`MIN_DB`]..=[`MAX_DB`]; NaN means 0 dB.
    pub fn from_db(db: f32) -> Gain {
        let mut g = Gain::UNITY;
        g.set_db(db);
        g
    }

    /// Changes the gain to `db`, clamped to [`MIN_DB`]..=[`MAX_DB`]; NaN means 0 dB.
    pub fn set_db(&mut self, db: f32) {
        let db = if db.is_nan() {
            0.0
        } else {
            db.clamp(MIN_DB, MAX_DB)
        };
        self.millidb = (db * 1000.0).round() as i32;
        self.factor = if self.millidb == 0 {
            ONE
        } else {
            (f64::from(ONE as u32) * 10f64.powf(f64::from(db) / 20.0)).round() as i64
        };
    }

    /// The gain in dB after clamping (to 0.001 dB).
    pub fn db(&self) -> f32 {
        self.millidb as f32 / 1000.0
    }

    /// The Q15 factor in use (32 768 = unity).
    pub fn factor_q15(&self) -> i64 {
        self.factor
    }

    /// True at 0 dB, where [`Gain::apply`] leaves samples untouched.
    pub fn is_unity(&self) -> bool {
        self.factor == ONE
    }

    /// Multiplies `frame` in place, rounding to nearest and saturating.
    pub fn apply(&self, frame: &mut [i16]) {
        if self.is_unity() {
            return;
        }
        let f = self.factor;
        for s in frame.iter_mut() {
            let v = (i64::from(*s) * f + (ONE >> 1)) >> Q;
            *s = v.clamp(i64::from(i16::MIN), i64::from(i16::MAX)) as i16;
        }
    }
}

impl Default for Gain {
    fn default() -> Self {
        Gain::UNITY
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise::Rng;

    fn random_frame(seed: u64) -> [i16; 160] {
        let mut rng = Rng::new(seed);
        let mut f = [0i16; 160];
        for s in f.iter_mut() {
            *s = rng.next_u64() as i16;
        }
        f
    }

    #[test]
    fn zero_db_is_bit_exact_identity() {
        let orig = random_frame(1);
        let mut f = orig;
        Gain::from_db(0.0).apply(&mut f);
        assert_eq!(f, orig);
        // Also when the fast path is bypassed: the arithmetic itself is exact.
        let g = Gain {
            millidb: 1,
            factor: ONE,
        };
        g.apply(&mut f);
        assert_eq!(f, orig);
        assert_eq!(Gain::from_db(f32::NAN), Gain::UNITY);
    }

    #[test]
    fn plus_six_db_doubles() {
        let g = Gain::from_db(6.0);
        let mut f = [0i16, 1, -1, 100, -100, 1000, 5000, -5000, 16_000];
        let orig = f;
        g.apply(&mut f);
        for (&a, &b) in orig.iter().zip(&f) {
            // 10^(6/20) = 1.9953: within rounding of 2x.
            let want = f64::from(a) * 10f64.powf(0.3);
            assert!((f64::from(b) - want).abs() <= 0.5 + 1e-9, "{a} -> {b}");
            assert!((f64::from(b) - 2.0 * f64::from(a)).abs() <= 0.005 * f64::from(a).abs() + 1.0);
        }
        // Exactly 20·log10(2) dB is an exact doubling.
        let g = Gain::from_db(6.0206);
        let mut f = [1000i16, -1000, 12_345];
        g.apply(&mut f);
        assert_eq!(f, [2000, -2000, 24_690]);
    }

    #[test]
    fn saturates_and_clamps() {
        let g = Gain::from_db(12.0);
        let mut f = [i16::MAX, i16::MIN, 20_000, -20_000, 100];
        g.apply(&mut f);
        assert_eq!(&f[..4], &[i16::MAX, i16::MIN, i16::MAX, i16::MIN]);
        assert_eq!(f[4], 398);
        assert_eq!(Gain::from_db(100.0).db(), MAX_DB);
        assert_eq!(Gain::from_db(-100.0).db(), MIN_DB);
        let mut f = [i16::MIN, i16::MAX];
        Gain::from_db(MAX_DB).apply(&mut f);
        assert_eq!(f, [i16::MIN, i16::MAX]);
    }

    #[test]
    fn attenuation_matches_float() {
        for db in [-24.0f32, -18.5, -6.0, -0.5, 0.5, 3.0, 23.9] {
            let g = Gain::from_db(db);
            let lin = 10f64.powf(f64::from(db) / 20.0);
            let mut f = random_frame(db.to_bits().into());
            let orig = f;
            g.apply(&mut f);
            for (&a, &b) in orig.iter().zip(&f) {
                let want = (f64::from(a) * lin).clamp(-32768.0, 32767.0);
                // Rounding (0.5) plus the factor's quantisation (0.5 / 32768 per unit).
                let tol = 0.5 + f64::from(a).abs() / 65_536.0 + 1e-9;
                assert!((f64::from(b) - want).abs() <= tol, "{db}: {a} -> {b}");
            }
        }
    }
}
