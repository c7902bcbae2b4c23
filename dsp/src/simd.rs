//! Small SIMD helpers shared by the signal-processing loops, written with
//! `wide` (SSE2 on the x86-64 baseline, NEON on aarch64) so the crate stays
//! free of `unsafe`.

use wide::f32x4;

/// Lanes per chunk of [`dot`] and of the echo canceller's tap passes.
pub(crate) const LANES: usize = 8;

/// Σ a·b in eight lanes (two `f32x4`; lengths equal, a remainder is summed
/// serially).
#[inline]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (ca, ra) = a[..n].as_chunks::<LANES>();
    let (cb, rb) = b[..n].as_chunks::<LANES>();
    let rem: f32 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    let (mut lo, mut hi) = (f32x4::ZERO, f32x4::ZERO);
    for (ca, cb) in ca.iter().zip(cb) {
        let (a0, a1) = halves(ca);
        let (b0, b1) = halves(cb);
        lo += a0 * b0;
        hi += a1 * b1;
    }
    (lo + hi).reduce_add() + rem
}

#[inline(always)]
fn halves(c: &[f32; LANES]) -> (f32x4, f32x4) {
    let (lo, hi) = c.split_at(4);
    let (lo, _) = lo.as_chunks::<4>();
    let (hi, _) = hi.as_chunks::<4>();
    (f32x4::from(lo[0]), f32x4::from(hi[0]))
}
