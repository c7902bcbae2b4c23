//! Geigel double-talk detector (Duttweiler 1978).
//!
//! Declares double talk when a near-end sample exceeds `threshold` times the
//! largest far-end magnitude seen over the echo tail: with an echo return
//! loss of at least 6 dB (G.168's assumption for the hybrid) the echo alone
//! cannot do that, so something else, a near-end talker, is on the line.
//! The verdict is held for `hold` samples after the last trigger, to bridge
//! the low-amplitude parts of the talker's pitch periods.
//!
//! The far-end maximum is kept per block of [`BLOCK`] samples in a fixed ring,
//! so a sample costs a compare and, once per block, a pass over
//! `tail / BLOCK` block maxima.

use super::MAX_TAPS;

/// Samples per block of the far-end maximum.
pub(crate) const BLOCK: usize = 16;
const MAX_BLOCKS: usize = MAX_TAPS / BLOCK;

#[derive(Clone, Debug)]
pub(crate) struct Geigel {
    threshold: f32,
    /// Largest echo amplitude per unit far-end amplitude the output filter
    /// explains (its taps' ℓ1 norm): the threshold never goes below it.
    path_gain: f32,
    hold: u32,
    /// Samples left in the current double-talk verdict.
    remaining: u32,
    blocks: [f32; MAX_BLOCKS],
    n_blocks: usize,
    next_block: usize,
    current: f32,
    in_current: usize,
    /// Maximum over the completed blocks of the window.
    blocks_max: f32,
}

impl Geigel {
    /// `tail` samples of window (a multiple of [`BLOCK`], at most
    /// [`MAX_TAPS`]); `threshold`: near/far amplitude ratio; `hold` samples.
    pub(crate) fn new(tail: usize, threshold: f32, hold: u32) -> Self {
        Self {
            threshold,
            path_gain: 0.0,
            hold,
            remaining: 0,
            blocks: [0.0; MAX_BLOCKS],
            n_blocks: (tail / BLOCK).clamp(1, MAX_BLOCKS),
            next_block: 0,
            current: 0.0,
            in_current: 0,
            blocks_max: 0.0,
        }
    }

    /// The output filter changed: `l1` is Σ|h|, the most its echo can be
    /// per unit of far-end amplitude.
    /// Capped at 1 (0 dB): a near end louder than the far end's peak is
    /// double talk whatever a (possibly misadapted) filter claims.
    pub(crate) fn set_path_gain(&mut self, l1: f32) {
        self.path_gain = l1.min(1.0);
    }

    /// Takes one far-end and one near-end sample; returns the verdict.
    #[inline]
    pub(crate) fn step(&mut self, far: f32, near: f32) -> bool {
        self.current = self.current.max(far.abs());
        self.in_current += 1;
        if self.in_current == BLOCK {
            self.blocks[self.next_block] = self.current;
            self.next_block = (self.next_block + 1) % self.n_blocks;
            self.blocks_max = self.blocks[..self.n_blocks]
                .iter()
                .copied()
                .fold(0.0, f32::max);
            self.current = 0.0;
            self.in_current = 0;
        }
        let far_max = self.blocks_max.max(self.current);
        if near.abs() > self.threshold.max(self.path_gain) * far_max {
            self.remaining = self.hold;
        } else {
            self.remaining = self.remaining.saturating_sub(1);
        }
        self.remaining > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_below_half_is_not_double_talk() {
        let mut g = Geigel::new(256, 0.5, 240);
        for n in 0..4000 {
            let far = 10_000.0 * (n as f32 * 0.3).sin();
            // The echo lags the far end by one sample, as on a real line.
            let echo = if n == 0 {
                0.0
            } else {
                0.4 * 10_000.0 * ((n as f32 - 1.0) * 0.3).sin()
            };
            assert!(!g.step(far, echo));
        }
        assert!(g.step(10_000.0, 6_000.0));
        for _ in 0..239 {
            assert!(g.step(10_000.0, 0.0));
        }
        assert!(!g.step(10_000.0, 0.0));
    }
}
