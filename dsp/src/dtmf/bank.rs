//! The eight Goertzel filters of the DTMF receiver, run together: one
//! 8-lane vector holds the state of all eight, so each sample costs one
//! broadcast, one subtract and one multiply-add (AVX2 + FMA, chosen at run
//! time through `pulp` on x86-64), or the same on two 4-lane halves (`wide`:
//! SSE2 on the x86-64 baseline, NEON on aarch64).

use wide::{f32x4, f32x8};

#[cfg(target_arch = "x86_64")]
use pulp::{x86::V3, Simd, WithSimd};

use super::detector::HALF;
use super::{COL_FREQS, ROW_FREQS};

/// Frequency of filter `k` (rows 0..4, then columns), Hz.
pub(super) fn freq_of(k: usize) -> f32 {
    if k < 4 {
        ROW_FREQS[k]
    } else {
        COL_FREQS[k - 4]
    }
}

/// The eight Goertzel filters (the recurrence of [`crate::goertzel`]) laid
/// out as arrays, so the per-sample update of all eight compiles to a few
/// vector instructions, plus the phase reference of each bin.
///
/// Each bin is referenced to absolute sample time: the DFT of half `i`
/// (samples `i·HALF ..`) is `y · e^{−jω(i·HALF + HALF − 1)}` with
/// `y = s1 − e^{−jω}·s2`. The rotation is kept as a unit phasor advanced by
/// `e^{−jω·HALF}` each half (renormalised every step), instead of four
/// trigonometric calls per filter per half.
#[derive(Clone, Copy, Debug)]
pub(super) struct Bank {
    coeff: [f32; 8],
    s1: [f32; 8],
    s2: [f32; 8],
    /// cos ω, sin ω.
    cos_w: [f32; 8],
    sin_w: [f32; 8],
    /// cos, sin of ω·HALF: the phasor's step per half.
    cos_step: [f32; 8],
    sin_step: [f32; 8],
    /// cos, sin of ω·(i·HALF + HALF − 1) for the half being filled.
    cos_ref: [f32; 8],
    sin_ref: [f32; 8],
    /// AVX2 + FMA, when this CPU has them.
    #[cfg(target_arch = "x86_64")]
    v3: Option<V3>,
}

impl Bank {
    pub(super) fn new() -> Self {
        use core::f64::consts::TAU;
        let mut b = Bank {
            coeff: [0.0; 8],
            s1: [0.0; 8],
            s2: [0.0; 8],
            cos_w: [0.0; 8],
            sin_w: [0.0; 8],
            cos_step: [0.0; 8],
            sin_step: [0.0; 8],
            cos_ref: [0.0; 8],
            sin_ref: [0.0; 8],
            #[cfg(target_arch = "x86_64")]
            v3: V3::try_new(),
        };
        for k in 0..8 {
            let w = TAU * f64::from(freq_of(k)) / f64::from(crate::SAMPLE_RATE_HZ);
            b.coeff[k] = (2.0 * w.cos()) as f32;
            b.cos_w[k] = w.cos() as f32;
            b.sin_w[k] = w.sin() as f32;
            b.cos_step[k] = (w * HALF as f64).cos() as f32;
            b.sin_step[k] = (w * HALF as f64).sin() as f32;
            b.cos_ref[k] = (w * (HALF - 1) as f64).cos() as f32;
            b.sin_ref[k] = (w * (HALF - 1) as f64).sin() as f32;
        }
        b
    }

    /// Runs the eight filters over `samples` (at most one half-block);
    /// returns their energy (Σx²).
    #[inline]
    pub(super) fn run(&mut self, samples: &[i16]) -> f32 {
        let mut buf = [0f32; HALF];
        let x = &mut buf[..samples.len().min(HALF)];
        for (o, &v) in x.iter_mut().zip(samples) {
            *o = f32::from(v);
        }
        let (chunks, rest) = x.as_chunks::<4>();
        let mut acc = f32x4::ZERO;
        for c in chunks {
            let v = f32x4::from(*c);
            acc += v * v;
        }
        let energy = acc.reduce_add() + rest.iter().map(|v| v * v).sum::<f32>();
        #[cfg(target_arch = "x86_64")]
        if let Some(v3) = self.v3 {
            let (s1, s2) = Simd::vectorize(
                v3,
                Filters {
                    c: self.coeff,
                    s1: self.s1,
                    s2: self.s2,
                    x,
                },
            );
            self.s1 = s1;
            self.s2 = s2;
            return energy;
        }
        let c = f32x8::from(self.coeff);
        let (mut s1, mut s2) = (f32x8::from(self.s1), f32x8::from(self.s2));
        for &v in x.iter() {
            // (x − s2) does not wait for the previous step's s1, so the
            // loop-carried chain is one multiply and one add.
            let s0 = (f32x8::splat(v) - s2) + c * s1;
            s2 = s1;
            s1 = s0;
        }
        self.s1 = s1.to_array();
        self.s2 = s2.to_array();
        energy
    }

    /// The bins of the completed half (HALF samples), then resets the filters
    /// and advances the phase reference to the next half.
    // One index over eight parallel arrays: the form that vectorises.
    #[allow(clippy::needless_range_loop)]
    pub(super) fn finish(&mut self, x: &mut [(f32, f32); 8]) {
        // Lane by lane in f32, so that the loop vectorises. The phasor only
        // ever meets its neighbours' (one half-block apart), so its rounding
        // (~1e-7 rad per step, renormalised every step) never matters.
        for k in 0..8 {
            let (s1, s2) = (self.s1[k], self.s2[k]);
            // y = s1 − e^{−jω}·s2
            let yr = s1 - self.cos_w[k] * s2;
            let yi = self.sin_w[k] * s2;
            let (c, s) = (self.cos_ref[k], self.sin_ref[k]);
            // X = y · e^{−jφ}
            x[k] = (yr * c + yi * s, yi * c - yr * s);
            let (cs, ss) = (self.cos_step[k], self.sin_step[k]);
            let (nc, ns) = (c * cs - s * ss, s * cs + c * ss);
            // One Newton step towards |phasor| = 1 keeps rounding from growing.
            let g = 1.5 - 0.5 * (nc * nc + ns * ns);
            self.cos_ref[k] = nc * g;
            self.sin_ref[k] = ns * g;
        }
        self.s1 = [0.0; 8];
        self.s2 = [0.0; 8];
    }
}

/// The per-sample pass on AVX2 + FMA: all eight filters in one `f32x8`.
#[cfg(target_arch = "x86_64")]
struct Filters<'a> {
    c: [f32; 8],
    s1: [f32; 8],
    s2: [f32; 8],
    x: &'a [f32],
}

#[cfg(target_arch = "x86_64")]
impl WithSimd for Filters<'_> {
    type Output = ([f32; 8], [f32; 8]);

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) -> Self::Output {
        let (mut s1, mut s2) = (self.s1, self.s2);
        {
            let (c, _) = S::as_simd_f32s(&self.c);
            let (v1, _) = S::as_mut_simd_f32s(&mut s1);
            let (v2, _) = S::as_mut_simd_f32s(&mut s2);
            for ((c, a), b) in c.iter().zip(v1.iter_mut()).zip(v2.iter_mut()) {
                let (mut p1, mut p2) = (*a, *b);
                for &v in self.x {
                    let s0 = simd.mul_add_f32s(*c, p1, simd.sub_f32s(simd.splat_f32s(v), p2));
                    p2 = p1;
                    p1 = s0;
                }
                *a = p1;
                *b = p2;
            }
        }
        (s1, s2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vector_paths_agree_with_the_scalar_recurrence() {
        let x: Vec<i16> = (0..HALF)
            .map(|n| ((n * 7919) % 4001) as i16 - 2000)
            .collect();
        let mut bank = Bank::new();
        let energy = bank.run(&x[..20]) + bank.run(&x[20..]);
        let mut expect = 0f32;
        for k in 0..8 {
            let mut g = crate::goertzel::Goertzel::new(freq_of(k));
            g.push_block(&x);
            let (s1, s2) = (bank.s1[k], bank.s2[k]);
            // Same recurrence: the state must match to rounding.
            let mut r = (0f32, 0f32);
            for &v in &x {
                let s0 = f32::from(v) + g_coeff(k) * r.0 - r.1;
                r = (s0, r.0);
            }
            assert!(
                (s1 - r.0).abs() <= 1e-3 * r.0.abs().max(1.0),
                "{k}: {s1} vs {}",
                r.0
            );
            assert!(
                (s2 - r.1).abs() <= 1e-3 * r.1.abs().max(1.0),
                "{k}: {s2} vs {}",
                r.1
            );
            expect = x.iter().map(|&v| f32::from(v) * f32::from(v)).sum();
            let _ = g;
        }
        assert!((energy - expect).abs() <= 1e-4 * expect);
    }

    fn g_coeff(k: usize) -> f32 {
        let w = core::f64::consts::TAU * f64::from(freq_of(k)) / 8000.0;
        (2.0 * w.cos()) as f32
    }
}
