//! Non-linear processor: suppresses the residual echo the linear filter
//! leaves and fills the gap with comfort noise (G.168 tests 2A, 9).
//!
//! The canceller decides per sample whether the residual is echo only
//! (`suppress`) or carries a near-end talker. The processor then ramps a gain
//! towards 0 (time constant 2 ms) or back to 1 (0.5 ms, so a talker's onset
//! is not clipped) and fills `1 − gain` with white noise at the background
//! level.
//!
//! The background is measured while no echo can be present, by minimum
//! statistics (Martin 2001, simplified): the residual power smoothed over
//! 32 ms, its minimum over each 0.5 s of far-end silence, and the smallest of
//! the last four such minima (2 s), so near-end speech in the far end's
//! pauses does not raise it. It never exceeds [`MAX_COMFORT_DBM0`]; digital
//! silence gives no comfort noise at all.

use super::flush;
use crate::level::dbm0_to_power;
use crate::noise::Rng;

/// Loudest comfort noise, dBm0: line noise above this is not "background".
pub const MAX_COMFORT_DBM0: f32 = -35.0;

const ATTACK: f32 = 1.0 / 16.0;
const RELEASE: f32 = 1.0 / 4.0;
/// Smoothing of the residual power fed to the background tracker (32 ms).
const SMOOTHING: f32 = 1.0 / 256.0;
/// Far-end silence ignored before tracking, so the smoothed power forgets
/// the last echo (−17 dB).
const SETTLE: u32 = 1024;
/// Samples per minimum-statistics sub-window (0.5 s).
const SUBWINDOW: u32 = 4000;
const SUBWINDOWS: usize = 4;
/// Minimum statistics read low on noise; compensate (+0.5 dB).
const BIAS: f32 = 1.12;

#[derive(Clone, Debug)]
pub(crate) struct Nlp {
    gain: f32,
    rng: Rng,
    power: f32,
    quiet_run: u32,
    current_min: f32,
    in_subwindow: u32,
    minima: [f32; SUBWINDOWS],
    next_minimum: usize,
    background: f32,
    /// √background, the comfort noise's RMS (kept with it: one square root
    /// per change instead of one per sample).
    background_rms: f32,
    max_background: f32,
}

impl Nlp {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            gain: 1.0,
            rng: Rng::new(seed),
            power: 0.0,
            quiet_run: 0,
            current_min: f32::INFINITY,
            in_subwindow: 0,
            minima: [f32::INFINITY; SUBWINDOWS],
            next_minimum: 0,
            background: 0.0,
            background_rms: 0.0,
            max_background: dbm0_to_power(MAX_COMFORT_DBM0),
        }
    }

    /// Background noise power estimate (mean square, 16-bit scale).
    pub(crate) fn background(&self) -> f32 {
        self.background
    }

    /// Feeds the background tracker with one residual sample; `far_quiet`
    /// says no echo can be present.
    #[inline]
    pub(crate) fn track(&mut self, residual: f32, far_quiet: bool) {
        self.power += (residual * residual - self.power) * SMOOTHING;
        if !far_quiet {
            self.quiet_run = 0;
            return;
        }
        if self.quiet_run < SETTLE {
            self.quiet_run += 1;
            return;
        }
        self.current_min = self.current_min.min(self.power);
        self.in_subwindow += 1;
        if self.in_subwindow == SUBWINDOW {
            self.minima[self.next_minimum] = self.current_min;
            self.next_minimum = (self.next_minimum + 1) % SUBWINDOWS;
            self.current_min = f32::INFINITY;
            self.in_subwindow = 0;
        }
        let min = self.minima.iter().copied().fold(self.current_min, f32::min);
        let background = (min * BIAS).min(self.max_background);
        if background != self.background {
            self.background = background;
            self.background_rms = background.sqrt();
        }
    }

    /// Sets the decaying states that have fallen below [`super::FLUSH`]
    /// to 0 (once per block).
    pub(crate) fn flush_decayed(&mut self) {
        flush(&mut self.gain);
        flush(&mut self.power);
    }

    /// Approximately Gaussian, zero mean, unit variance: the sum of twelve
    /// uniforms (as [`Rng::gaussian`]) but with 16-bit uniforms, four per
    /// 64-bit draw, so a sample costs three draws instead of twelve.
    #[inline]
    fn gaussian(&mut self) -> f32 {
        let mut sum = 0u64;
        for _ in 0..3 {
            let r = self.rng.next_u64();
            // Add the four 16-bit fields (each sum fits in 18 bits).
            let pairs = (r & 0x0000_FFFF_0000_FFFF) + ((r >> 16) & 0x0000_FFFF_0000_FFFF);
            sum += (pairs & 0xFFFF_FFFF) + (pairs >> 32);
        }
        // Each field is uniform on [0, 65536): mean 32767.5 each.
        (sum as f32 + 6.0) / 65_536.0 - 6.0
    }

    /// One output sample for `residual`.
    #[inline]
    pub(crate) fn step(&mut self, residual: f32, suppress: bool, comfort_noise: bool) -> f32 {
        if suppress {
            self.gain -= self.gain * ATTACK;
        } else {
            self.gain += (1.0 - self.gain) * RELEASE;
        }
        let mut y = self.gain * residual;
        if comfort_noise && self.gain < 0.999 && self.background > 0.0 {
            y += (1.0 - self.gain) * self.background_rms * self.gaussian();
        }
        y
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Flushed once per block, the gain of a long suppression and the power
    /// of a long silence reach 0 without passing through the subnormals
    /// (each multiply by a subnormal is a slow microcode path on x86).
    #[test]
    fn decayed_states_never_go_subnormal() {
        let mut nlp = Nlp::new(1);
        for block in 0..100 {
            nlp.flush_decayed();
            for _ in 0..160 {
                let residual = if block < 2 { 1000.0 } else { 0.0 };
                nlp.track(residual, false);
                nlp.step(residual, true, false);
                assert!(!nlp.gain.is_subnormal() && !nlp.power.is_subnormal());
            }
        }
        assert_eq!((nlp.gain, nlp.power), (0.0, 0.0));
    }
}
