//! The canceller's reference histories: the far end as it went to the line,
//! and the same whitened for the update (see the `whitening` module).

use super::canceller::MIN_TAIL_MS;
use super::kernels;
use super::whitening::{self, Whitener};
use super::MAX_TAPS;

/// Samples kept beyond the tail: the whitening filter's memory, and enough
/// for its analysis with the shortest tail.
const EXTRA: usize = if whitening::ANALYSIS > MIN_TAPS + whitening::SPAN {
    whitening::ANALYSIS - MIN_TAPS
} else {
    whitening::SPAN
};
const MIN_TAPS: usize = MIN_TAIL_MS as usize * 8;
// The whitener reads SPAN older samples plus its zero padding.
const _: () = assert!(EXTRA >= whitening::SPAN + 2);

/// Far-end history, a ring of `taps + EXTRA` samples doubled so that
/// `buf[pos..pos + taps]` reads x(n), x(n−1), …, x(n−taps+1) without
/// wrapping (and `buf[pos..pos + taps + EXTRA]` the older samples too).
#[derive(Clone, Debug)]
pub(super) struct History {
    buf: [f32; 2 * (MAX_TAPS + EXTRA)],
    pos: usize,
    taps: usize,
    len: usize,
    /// Σx² over the newest `taps` samples, in f64 so the running update
    /// does not drift.
    pub(super) energy: f64,
}

impl History {
    pub(super) fn new(taps: usize) -> Self {
        Self {
            buf: [0.0; 2 * (MAX_TAPS + EXTRA)],
            pos: 0,
            taps,
            len: taps + EXTRA,
            energy: 0.0,
        }
    }

    #[inline]
    pub(super) fn push(&mut self, x: f32) {
        self.pos = if self.pos == 0 {
            self.len - 1
        } else {
            self.pos - 1
        };
        self.buf[self.pos] = x;
        self.buf[self.pos + self.len] = x;
        // x(n − taps) has just left the window.
        let old = f64::from(self.buf[self.pos + self.taps]);
        self.energy = (self.energy + f64::from(x) * f64::from(x) - old * old).max(0.0);
    }

    /// x(n), x(n−1), …, x(n−taps+1).
    #[inline]
    pub(super) fn window(&self) -> &[f32] {
        &self.buf[self.pos..self.pos + self.taps]
    }

    /// The window as it was one sample ago, x(n−1), …, x(n−taps): valid
    /// until the next push or refilter, as the ring keeps EXTRA ≥ 1 older
    /// samples and both copies are written together.
    #[inline]
    pub(super) fn previous_window(&self) -> &[f32] {
        &self.buf[self.pos + 1..self.pos + 1 + self.taps]
    }

    /// Like [`History::window`] with EXTRA older samples after it.
    #[inline]
    pub(super) fn extended(&self) -> &[f32] {
        &self.buf[self.pos..self.pos + self.len]
    }

    /// Replaces the window by `a(z)` applied to `source`'s (whitening after
    /// the predictor changed), and recomputes the energy.
    pub(super) fn refilter(&mut self, source: &History, whitener: &Whitener) {
        let x = source.extended();
        self.pos = 0;
        let taps = self.taps;
        whitener.apply_block(x, &mut self.buf[..taps]);
        let (first, second) = self.buf.split_at_mut(self.len);
        second[..taps].copy_from_slice(&first[..taps]);
        // Summed in f32 lanes (relative error ~1e-6 over 512 terms); the
        // running sum from here on is f64.
        let energy = f64::from(kernels::energy(&first[..taps]));
        // Older slots are never read by the window again.
        for j in self.taps..self.len {
            self.buf[j] = 0.0;
            self.buf[j + self.len] = 0.0;
        }
        self.energy = energy;
    }
}
