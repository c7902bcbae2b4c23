//! The canceller's inner loops, written over eight-lane chunks so that they
//! vectorise without `unsafe` or target features (SSE2 baseline does two
//! 4-wide operations per chunk; AVX one).
//!
//! The per-sample filter work is one fused pass over the taps
//! ([`fused`]): it applies the background filter's pending NLMS update from
//! the previous sample and computes the foreground, background, candidate
//! (a frozen copy of the background) and, when pre-whitening, the
//! whitened-background outputs for the current sample, so each tap is
//! loaded once per sample instead of five times.

use wide::f32x8;

/// Lanes per chunk. Tails are multiples of 8 taps (8 per ms).
pub(crate) use crate::simd::LANES;

pub(crate) use crate::simd::dot;

/// Σ a² in eight lanes.
#[inline]
pub(crate) fn energy(a: &[f32]) -> f32 {
    dot(a, a)
}

/// A pending NLMS update of the background filter: `h ← keep·h + k·r`
/// with `r` the regressor window it was computed for.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Update {
    pub(crate) k: f32,
    pub(crate) keep: f32,
}

impl Update {
    pub(crate) const NONE: Update = Update { k: 0.0, keep: 1.0 };

    #[inline]
    pub(crate) fn is_none(&self) -> bool {
        self.k == 0.0 && self.keep == 1.0
    }
}

/// Applies `u` to `h` with regressor `r` (same length as `h`).
#[inline]
pub(crate) fn apply_update(h: &mut [f32], r: &[f32], u: Update) {
    let n = h.len();
    let r = &r[..n];
    if u.keep == 1.0 {
        for (ch, cr) in h.chunks_mut(LANES).zip(r.chunks(LANES)) {
            for (h, &r) in ch.iter_mut().zip(cr) {
                *h += u.k * r;
            }
        }
    } else {
        for (ch, cr) in h.chunks_mut(LANES).zip(r.chunks(LANES)) {
            for (h, &r) in ch.iter_mut().zip(cr) {
                *h = *h * u.keep + u.k * r;
            }
        }
    }
}

/// Outputs of one fused pass: foreground, background and candidate filter
/// on the plain window, background filter on the whitened window.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Outputs {
    pub(crate) fg: f32,
    pub(crate) bg: f32,
    pub(crate) white: f32,
    pub(crate) cand: f32,
}

/// The filters one pass reads besides the background it updates, and the
/// windows: foreground and candidate taps, the plain window `x`, the
/// whitened window (if the pass is to use it) and the pending update's
/// regressor `prev`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Inputs<'a> {
    pub(crate) fg: &'a [f32],
    pub(crate) cand: &'a [f32],
    pub(crate) x: &'a [f32],
    pub(crate) white: Option<&'a [f32]>,
    pub(crate) prev: &'a [f32],
}

/// One pass over the taps: first `bg ← keep·bg + k·prev` (the previous
/// sample's update, `prev` its regressor window), then with the updated
/// taps `fg·x`, `bg·x`, `cand·x` and, if `white` is given, `bg·white`.
///
/// All slices are `bg.len()` long (a multiple of [`LANES`]) except `prev`
/// which may be longer. Falls back to the plain loops for other lengths.
#[inline]
pub(crate) fn fused(bg: &mut [f32], i: Inputs<'_>, u: Update) -> Outputs {
    let n = bg.len();
    if !n.is_multiple_of(LANES) {
        if !u.is_none() {
            apply_update(bg, i.prev, u);
        }
        return Outputs {
            fg: dot(i.fg, i.x),
            bg: dot(bg, i.x),
            white: i.white.map_or(0.0, |w| dot(bg, w)),
            cand: dot(i.cand, i.x),
        };
    }
    let (fg, c, x, prev) = (&i.fg[..n], &i.cand[..n], &i.x[..n], &i.prev[..n]);
    match (i.white, u.is_none(), u.keep == 1.0) {
        (Some(w), true, _) => fused_dots::<true>(bg, fg, c, x, &w[..n]),
        (None, true, _) => fused_dots::<false>(bg, fg, c, x, x),
        (Some(w), false, true) => fused_update::<true, false>(bg, fg, c, x, &w[..n], prev, u),
        (Some(w), false, false) => fused_update::<true, true>(bg, fg, c, x, &w[..n], prev, u),
        (None, false, true) => fused_update::<false, false>(bg, fg, c, x, x, prev, u),
        (None, false, false) => fused_update::<false, true>(bg, fg, c, x, x, prev, u),
    }
}

/// The fused pass holds one `f32x8` per accumulator (an AVX register, or
/// two SSE/NEON registers, which also gives two independent add chains).
const FUSED_LANES: usize = LANES;

#[inline(always)]
fn load(c: &[f32; FUSED_LANES]) -> f32x8 {
    f32x8::from(*c)
}

#[inline(always)]
fn fused_dots<const WHITE: bool>(
    bg: &[f32],
    fg: &[f32],
    c: &[f32],
    x: &[f32],
    w: &[f32],
) -> Outputs {
    let (mut afg, mut abg, mut aw, mut ac) = (f32x8::ZERO, f32x8::ZERO, f32x8::ZERO, f32x8::ZERO);
    let (bg, _) = bg.as_chunks::<FUSED_LANES>();
    let (fg, _) = fg.as_chunks::<FUSED_LANES>();
    let (c, _) = c.as_chunks::<FUSED_LANES>();
    let (x, _) = x.as_chunks::<FUSED_LANES>();
    let (w, _) = w.as_chunks::<FUSED_LANES>();
    for ((((cb, cf), cc), cx), cw) in bg.iter().zip(fg).zip(c).zip(x).zip(w) {
        let (b, vx) = (load(cb), load(cx));
        afg = load(cf).mul_add(vx, afg);
        abg = b.mul_add(vx, abg);
        ac = load(cc).mul_add(vx, ac);
        if WHITE {
            aw = b.mul_add(load(cw), aw);
        }
    }
    Outputs {
        fg: afg.reduce_add(),
        bg: abg.reduce_add(),
        white: if WHITE { aw.reduce_add() } else { 0.0 },
        cand: ac.reduce_add(),
    }
}

#[inline(always)]
fn fused_update<const WHITE: bool, const LEAK: bool>(
    bg: &mut [f32],
    fg: &[f32],
    c: &[f32],
    x: &[f32],
    w: &[f32],
    prev: &[f32],
    u: Update,
) -> Outputs {
    let (mut afg, mut abg, mut aw, mut ac) = (f32x8::ZERO, f32x8::ZERO, f32x8::ZERO, f32x8::ZERO);
    let (k, keep) = (f32x8::splat(u.k), f32x8::splat(u.keep));
    let (bg, _) = bg.as_chunks_mut::<FUSED_LANES>();
    let (fg, _) = fg.as_chunks::<FUSED_LANES>();
    let (c, _) = c.as_chunks::<FUSED_LANES>();
    let (x, _) = x.as_chunks::<FUSED_LANES>();
    let (w, _) = w.as_chunks::<FUSED_LANES>();
    let (prev, _) = prev.as_chunks::<FUSED_LANES>();
    for (((((cb, cf), cc), cx), cw), cp) in bg.iter_mut().zip(fg).zip(c).zip(x).zip(w).zip(prev) {
        let h = if LEAK {
            k.mul_add(load(cp), load(cb) * keep)
        } else {
            k.mul_add(load(cp), load(cb))
        };
        *cb = h.to_array();
        let vx = load(cx);
        afg = load(cf).mul_add(vx, afg);
        abg = h.mul_add(vx, abg);
        ac = load(cc).mul_add(vx, ac);
        if WHITE {
            aw = h.mul_add(load(cw), aw);
        }
    }
    Outputs {
        fg: afg.reduce_add(),
        bg: abg.reduce_add(),
        white: if WHITE { aw.reduce_add() } else { 0.0 },
        cand: ac.reduce_add(),
    }
}

/// Test inputs shared by this module's test and the AVX2 kernel's: every
/// kind of pending update, with and without the whitened window.
#[cfg(test)]
pub(crate) mod cases {
    use super::Update;

    /// One case: background taps, foreground taps, candidate taps, window,
    /// whitened window (if any), previous regressor, pending update.
    pub(crate) struct Case {
        pub(crate) bg: Vec<f32>,
        pub(crate) fg: Vec<f32>,
        pub(crate) cand: Vec<f32>,
        pub(crate) x: Vec<f32>,
        pub(crate) w: Option<Vec<f32>>,
        pub(crate) p: Vec<f32>,
        pub(crate) u: Update,
    }

    pub(crate) fn all() -> Vec<Case> {
        let n = 256;
        let sig =
            |s: f32, len: usize| -> Vec<f32> { (0..len).map(|i| ((i as f32) * s).sin()).collect() };
        let mut out = Vec::new();
        for u in [
            Update::NONE,
            Update { k: 0.01, keep: 1.0 },
            Update {
                k: -0.02,
                keep: 0.999,
            },
        ] {
            for white in [true, false] {
                out.push(Case {
                    bg: sig(0.21, n),
                    fg: sig(0.05, n),
                    cand: sig(0.29, n),
                    x: sig(0.37, n),
                    w: white.then(|| sig(0.11, n)),
                    p: sig(0.73, n + 1),
                    u,
                });
            }
        }
        out
    }

    /// Taps equal up to rounding: a pass may use FMA (NEON, AVX2, or x86
    /// built with FMA) where another multiplies and adds.
    impl Case {
        /// The pass's inputs besides the background.
        pub(crate) fn inputs(&self) -> super::Inputs<'_> {
            super::Inputs {
                fg: &self.fg,
                cand: &self.cand,
                x: &self.x,
                white: self.w.as_deref(),
                prev: &self.p,
            }
        }
    }

    pub(crate) fn assert_taps_close(a: &[f32], b: &[f32]) {
        for (a, b) in a.iter().zip(b) {
            assert!((a - b).abs() <= 1e-6 * (1.0 + b.abs()), "{a} vs {b}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::cases::{all, assert_taps_close};
    use super::*;

    #[test]
    fn fused_matches_separate_passes() {
        for c in all() {
            let (mut bg, w) = (c.bg.clone(), c.w.as_deref());
            let mut reference = c.bg.clone();
            apply_update(&mut reference, &c.p, c.u);
            let got = fused(&mut bg, c.inputs(), c.u);
            assert_taps_close(&bg, &reference);
            assert!((got.fg - dot(&c.fg, &c.x)).abs() < 1e-4);
            assert!((got.bg - dot(&reference, &c.x)).abs() < 1e-4);
            assert!((got.cand - dot(&c.cand, &c.x)).abs() < 1e-4);
            if let Some(w) = w {
                assert!((got.white - dot(&reference, w)).abs() < 1e-4);
            }
        }
    }
}
