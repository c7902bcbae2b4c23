//! The fused tap pass ([`super::kernels::fused`]) again, for x86-64 CPUs
//! with AVX2 and FMA (x86-64-v3: Intel since 2013, AMD since 2015), chosen
//! at run time.
//!
//! The firmware is built for the x86-64 baseline (SSE2), where the pass
//! runs four lanes with separate multiply and add. On a v3 CPU the same
//! arithmetic in eight lanes with fused multiply-adds is about twice as
//! fast. `pulp` does the CPU detection and compiles the generic kernel
//! below with those features enabled, so this crate stays free of
//! `unsafe`. (On aarch64 NEON with FMA is the baseline, which `wide`
//! already uses: nothing to detect there.)

use pulp::x86::V3;
use pulp::{Simd, WithSimd};

use super::kernels::{Inputs, Outputs, Update};

/// The AVX2+FMA kernels, if this CPU has them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Avx2(V3);

impl Avx2 {
    /// Detects the CPU's features (cached by the standard library).
    pub(crate) fn detect() -> Option<Avx2> {
        V3::try_new().map(Avx2)
    }

    /// As [`super::kernels::fused`]; all slices `bg.len()` long, a
    /// multiple of 8.
    #[inline]
    pub(crate) fn fused(self, bg: &mut [f32], i: Inputs<'_>, u: Update) -> Outputs {
        Simd::vectorize(self.0, Pass { bg, i, u })
    }
}

struct Pass<'a> {
    bg: &'a mut [f32],
    i: Inputs<'a>,
    u: Update,
}

impl WithSimd for Pass<'_> {
    type Output = Outputs;

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) -> Outputs {
        let n = self.bg.len();
        let i = self.i;
        let (fg, c, x, prev) = (&i.fg[..n], &i.cand[..n], &i.x[..n], &i.prev[..n]);
        let (bg, u) = (self.bg, self.u);
        let f = Filters { fg, c, x };
        match (i.white, u.is_none(), u.keep == 1.0) {
            (Some(w), true, _) => dots::<S, true>(simd, bg, f, &w[..n]),
            (None, true, _) => dots::<S, false>(simd, bg, f, x),
            (Some(w), false, true) => update::<S, true, false>(simd, bg, f, &w[..n], prev, u),
            (Some(w), false, false) => update::<S, true, true>(simd, bg, f, &w[..n], prev, u),
            (None, false, true) => update::<S, false, false>(simd, bg, f, x, prev, u),
            (None, false, false) => update::<S, false, true>(simd, bg, f, x, prev, u),
        }
    }
}

/// The read-only operands every pass has: foreground and candidate taps
/// and the plain window, all the background's length.
#[derive(Clone, Copy)]
struct Filters<'a> {
    fg: &'a [f32],
    c: &'a [f32],
    x: &'a [f32],
}

#[inline(always)]
fn dots<S: Simd, const WHITE: bool>(simd: S, bg: &[f32], f: Filters<'_>, w: &[f32]) -> Outputs {
    let (bg, _) = S::as_simd_f32s(bg);
    let (fg, _) = S::as_simd_f32s(f.fg);
    let (c, _) = S::as_simd_f32s(f.c);
    let (x, _) = S::as_simd_f32s(f.x);
    let (w, _) = S::as_simd_f32s(w);
    let zero = simd.splat_f32s(0.0);
    let (mut afg, mut abg, mut aw, mut ac) = (zero, zero, zero, zero);
    for ((((&b, &vf), &vc), &vx), &vw) in bg.iter().zip(fg).zip(c).zip(x).zip(w) {
        afg = simd.mul_add_f32s(vf, vx, afg);
        abg = simd.mul_add_f32s(b, vx, abg);
        ac = simd.mul_add_f32s(vc, vx, ac);
        if WHITE {
            aw = simd.mul_add_f32s(b, vw, aw);
        }
    }
    Outputs {
        fg: simd.reduce_sum_f32s(afg),
        bg: simd.reduce_sum_f32s(abg),
        white: if WHITE { simd.reduce_sum_f32s(aw) } else { 0.0 },
        cand: simd.reduce_sum_f32s(ac),
    }
}

#[inline(always)]
fn update<S: Simd, const WHITE: bool, const LEAK: bool>(
    simd: S,
    bg: &mut [f32],
    f: Filters<'_>,
    w: &[f32],
    prev: &[f32],
    u: Update,
) -> Outputs {
    let (bg, _) = S::as_mut_simd_f32s(bg);
    let (fg, _) = S::as_simd_f32s(f.fg);
    let (c, _) = S::as_simd_f32s(f.c);
    let (x, _) = S::as_simd_f32s(f.x);
    let (w, _) = S::as_simd_f32s(w);
    let (prev, _) = S::as_simd_f32s(prev);
    let (k, keep) = (simd.splat_f32s(u.k), simd.splat_f32s(u.keep));
    let zero = simd.splat_f32s(0.0);
    let (mut afg, mut abg, mut aw, mut ac) = (zero, zero, zero, zero);
    for (((((b, &vf), &vc), &vx), &vw), &p) in bg.iter_mut().zip(fg).zip(c).zip(x).zip(w).zip(prev)
    {
        let h = if LEAK {
            simd.mul_add_f32s(k, p, simd.mul_f32s(*b, keep))
        } else {
            simd.mul_add_f32s(k, p, *b)
        };
        *b = h;
        afg = simd.mul_add_f32s(vf, vx, afg);
        abg = simd.mul_add_f32s(h, vx, abg);
        ac = simd.mul_add_f32s(vc, vx, ac);
        if WHITE {
            aw = simd.mul_add_f32s(h, vw, aw);
        }
    }
    Outputs {
        fg: simd.reduce_sum_f32s(afg),
        bg: simd.reduce_sum_f32s(abg),
        white: if WHITE { simd.reduce_sum_f32s(aw) } else { 0.0 },
        cand: simd.reduce_sum_f32s(ac),
    }
}

#[cfg(test)]
mod tests {
    use super::super::kernels::cases::{all, assert_taps_close};
    use super::super::kernels::fused;
    use super::*;

    /// Same outputs and taps as the baseline kernel, up to rounding (FMA).
    #[test]
    #[cfg_attr(
        cpu_lacks_avx2,
        ignore = "this CPU has no AVX2+FMA: no fast path to compare"
    )]
    fn matches_the_baseline_kernel() {
        let avx2 =
            Avx2::detect().expect("an AVX2 path on a CPU that dsp/build.rs saw with AVX2+FMA");
        for c in all() {
            let (mut a, mut b) = (c.bg.clone(), c.bg.clone());
            let got = avx2.fused(&mut a, c.inputs(), c.u);
            let want = fused(&mut b, c.inputs(), c.u);
            assert_taps_close(&a, &b);
            assert!((got.fg - want.fg).abs() < 1e-4);
            assert!((got.bg - want.bg).abs() < 1e-4);
            assert!((got.white - want.white).abs() < 1e-4);
            assert!((got.cand - want.cand).abs() < 1e-4);
        }
    }
}
