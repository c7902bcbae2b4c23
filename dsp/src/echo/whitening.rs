//! Adaptive pre-whitening of the NLMS update (a "decorrelation filter").
//!
//! NLMS converges quickly only on white input. Speech has formants and a
//! spectral tilt (short-term correlation) and, when voiced, a line spectrum
//! at the pitch harmonics (long-term correlation): an eigenvalue spread of
//! 30–40 dB whose weak modes take seconds. Because the echo path is linear,
//! filtering both the reference x and the near end d by the same whitening
//! filter W(z) leaves the path to identify unchanged:
//! W·e = W·d − h ∗ (W·x). So the background filter is updated with the
//! whitened error and a history of the whitened reference, while the echo
//! estimate itself still uses the plain reference.
//!
//! * The whitened error is computed afresh as W·d − h·(W·x) with the current
//!   taps (one more dot product per sample). Whitening past errors instead,
//!   made with older taps, puts a delay in the adaptation loop that is
//!   unstable for μ above ~0.1 on resonant signals.
//! * The identity needs the regressor to be the window of x whitened by the
//!   *current* W(z), so when W(z) changes the canceller re-whitens its whole
//!   history (about 2 × taps × ORDER multiply-adds every 20 ms); between
//!   changes one new whitened sample is pushed per sample.
//!
//! W(z) = A(z) · (1 − β z^−T): A(z) the order-[`ORDER`] linear predictor
//! of the recent reference (autocorrelation method, Hann window, white-noise
//! correction of −25 dB plus the line noise referred to the far end, so
//! bands where the echo is below the noise are not boosted, 60 Hz lag window, Levinson–Durbin in f64), then a
//! one-tap pitch predictor on A's residual (lag T in 20..=147 samples, i.e.
//! 54–400 Hz, gain 0 ≤ β ≤ 0.9, used only when the normalised correlation
//! exceeds 0.3). Both are re-derived every [`UPDATE`] samples, from
//! windows at least as loud as the far end must be for the filter to adapt
//! (quieter ones, pauses, keep the last W; see [`Whitener::new`]).

use wide::f32x4;

use super::kernels;

/// Added to r(0): limits the whitening depth to ~25 dB.
const WHITE_NOISE_CORRECTION: f64 = 1.003;
/// Short-term predictor order.
pub(crate) const ORDER: usize = 10;
/// Pitch lag range, samples.
pub(crate) const MIN_LAG: usize = 20;
pub(crate) const MAX_LAG: usize = 147;
/// Samples of reference history W(z) reads beyond the current one.
pub(crate) const SPAN: usize = MAX_LAG + ORDER;
/// Samples between predictor updates.
pub(crate) const UPDATE: u32 = 160;
/// Samples analysed for A(z).
pub(crate) const WINDOW: usize = 256;
/// Residual samples correlated for the pitch search.
const PITCH_WINDOW: usize = 160;
/// Reference history the analysis needs (newest first).
pub(crate) const ANALYSIS: usize = PITCH_WINDOW + MAX_LAG + ORDER + 1;

/// Near-end ring: W(z) reads SPAN older samples, `fir` its padding more.
const RING: usize = SPAN + 1 + (FIR - ORDER);

/// Coefficients stored, zero-padded so that both A(z) and its part after
/// a[0] are whole 4-lane chunks.
const PADDED: usize = 16;
/// Lanes `fir` reads.
const FIR: usize = 12;
const _: () = assert!(FIR > ORDER && FIR.is_multiple_of(4) && PADDED > FIR);

/// Σ a[k]·x[k] over `FIR` samples in four lanes (vectorises; the iterator
/// sum is one serial chain of adds). Both slices hold at least `FIR`.
#[inline(always)]
fn fir(a: &[f32], x: &[f32]) -> f32 {
    let (a, _) = a[..FIR].as_chunks::<4>();
    let (x, _) = x[..FIR].as_chunks::<4>();
    let mut acc = f32x4::ZERO;
    for (ca, cx) in a.iter().zip(x) {
        acc += f32x4::from(*ca) * f32x4::from(*cx);
    }
    acc.reduce_add()
}

/// A(z) at the newest sample, which the caller has just stored: x[0] is
/// read on its own, because a vector load spanning a just-stored scalar
/// cannot be forwarded from the store and stalls (that stall was most of
/// the whitener's per-sample cost). `x` holds at least `FIR + 1` samples.
#[inline(always)]
fn fir_newest(a: &[f32; PADDED], x: &[f32]) -> f32 {
    a[0] * x[0] + fir(&a[1..], &x[1..])
}

/// The lag L in MIN_LAG..=MAX_LAG maximising c(L)²/e(L) with c(L) > 0, where
/// c(L) = Σ res[n]·res[n+L] and e(L) = Σ res[n+L]² over PITCH_WINDOW samples;
/// returns (c, L, e), or (0, MIN_LAG, 1) when no lag correlates positively.
/// (A 2:1 decimated coarse search costs a quarter of this but picked other
/// lags often enough to cost up to 15 dB of ERLE after double talk in G.168
/// test 3A, so every lag is searched.)
fn pitch_search(res: &[f32; PITCH_WINDOW + MAX_LAG]) -> (f32, usize, f32) {
    // Energy of the lagged window, slid one sample per lag (f64 so the
    // running sum does not drift).
    let mut e_run = f64::from(kernels::energy(&res[MIN_LAG..MIN_LAG + PITCH_WINDOW]));
    let (mut best, mut best_lag, mut best_energy) = (0f32, MIN_LAG, 1f32);
    for lag in MIN_LAG..=MAX_LAG {
        if lag > MIN_LAG {
            let (out, inn) = (res[lag - 1], res[lag + PITCH_WINDOW - 1]);
            e_run = (e_run + f64::from(inn) * f64::from(inn) - f64::from(out) * f64::from(out))
                .max(0.0);
        }
        let c = kernels::dot(&res[..PITCH_WINDOW], &res[lag..lag + PITCH_WINDOW]);
        let e = e_run as f32;
        if c > 0.0 && e > 0.0 && c * c * best_energy > best * best * e {
            (best, best_lag, best_energy) = (c, lag, e);
        }
    }
    (best, best_lag, best_energy)
}

/// x[at..at + 4] as a vector.
#[inline(always)]
fn window4(x: &[f32], at: usize) -> f32x4 {
    let (c, _) = x[at..at + 4].as_chunks::<4>();
    f32x4::from(c[0])
}

#[derive(Clone, Debug)]
pub(crate) struct Whitener {
    /// A(z) = 1 + Σ a[k] z^−k, a[0] = 1 (zero-padded to [`PADDED`]).
    a: [f32; PADDED],
    lag: usize,
    beta: f32,
    noise_gain: f32,
    /// Near-end history, doubled ring, newest at `near_pos`.
    near: [f32; 2 * RING],
    near_pos: usize,
    countdown: u32,
    hann: [f32; WINDOW],
    hann_energy: f64,
    /// r(0) below which a window is not analysed (W is kept).
    min_r0: f64,
    /// Gaussian lag window for 60 Hz bandwidth expansion,
    /// exp(−½ (2π · 60 · k / 8000)²), k = 0..=ORDER.
    lag_window: [f64; ORDER + 1],
}

impl Whitener {
    /// `min_power`: the mean power (16-bit scale) a window of the reference
    /// must have to be analysed. W only serves updates, which are made only
    /// while the far end is active: a window quieter than that (a pause, the
    /// high-pass ringing out after the talker stops) would give a W fitted
    /// to nothing the filter adapts on, and the next talkspurt would start
    /// with it. Below it the last W is kept.
    pub(crate) fn new(min_power: f32) -> Self {
        let mut hann = [0f32; WINDOW];
        for (n, w) in hann.iter_mut().enumerate() {
            *w = 0.5 - 0.5 * (core::f32::consts::TAU * (n as f32 + 0.5) / WINDOW as f32).cos();
        }
        let mut a = [0.0; PADDED];
        a[0] = 1.0;
        let hann_energy: f64 = hann.iter().map(|&w| f64::from(w) * f64::from(w)).sum();
        Self {
            a,
            lag: MIN_LAG,
            beta: 0.0,
            noise_gain: 1.0,
            near: [0.0; 2 * RING],
            near_pos: 0,
            countdown: UPDATE,
            lag_window: core::array::from_fn(|lag| {
                let t = 2.0 * core::f64::consts::PI * 60.0 * lag as f64 / 8000.0;
                (-0.5 * t * t).exp()
            }),
            hann_energy,
            // (At least the old floor against digital silence.)
            min_r0: (f64::from(min_power) * hann_energy).max(1e-3),
            hann,
        }
    }

    /// Power gain of W(z) for white noise.
    pub(crate) fn white_noise_gain(&self) -> f32 {
        self.noise_gain
    }

    #[inline]
    fn apply(&self, x: &[f32]) -> f32 {
        let short = fir_newest(&self.a, x);
        if self.beta == 0.0 {
            return short;
        }
        let long = fir(&self.a, &x[self.lag..]);
        short - self.beta * long
    }

    /// `out[j]` = the whitened sample at `x[j..]` (as [`Whitener::reference`])
    /// for every j, four at a time: each coefficient is broadcast once per
    /// four outputs. `x` holds at least `out.len() + SPAN + 1` samples.
    pub(crate) fn apply_block(&self, x: &[f32], out: &mut [f32]) {
        let (chunks, rest) = out.as_chunks_mut::<4>();
        let done = chunks.len() * 4;
        for (i, o) in chunks.iter_mut().enumerate() {
            let j = i * 4;
            let (mut short, mut long) = (f32x4::ZERO, f32x4::ZERO);
            for (k, &a) in self.a[..=ORDER].iter().enumerate() {
                let a = f32x4::splat(a);
                short += a * window4(x, j + k);
                if self.beta != 0.0 {
                    long += a * window4(x, j + self.lag + k);
                }
            }
            *o = (short - f32x4::splat(self.beta) * long).to_array();
        }
        for (j, o) in rest.iter_mut().enumerate() {
            *o = self.apply(&x[done + j..]);
        }
    }

    /// Whitens the newest reference sample; `window` is x(n), x(n−1), …
    /// (at least SPAN + 1 long).
    #[inline]
    pub(crate) fn reference(&self, window: &[f32]) -> f32 {
        self.apply(window)
    }

    /// Whitens the newest near-end sample.
    #[inline]
    pub(crate) fn near(&mut self, d: f32) -> f32 {
        self.near_pos = if self.near_pos == 0 {
            RING - 1
        } else {
            self.near_pos - 1
        };
        self.near[self.near_pos] = d;
        self.near[self.near_pos + RING] = d;
        let pos = self.near_pos;
        self.apply(&self.near[pos..pos + RING])
    }

    /// Counts a sample; every UPDATE samples re-derives W(z) from `history`
    /// (newest first, at least ANALYSIS long) and returns true: the caller
    /// must then re-whiten its whole regressor history. `noise_floor` (asked
    /// for only then): the
    /// near end's noise power referred to the far end (noise / echo-path
    /// gain), added to the reference's power so that W does not boost bands
    /// where the echo is below the line noise.
    #[inline]
    pub(crate) fn tick(&mut self, history: &[f32], noise_floor: impl FnOnce() -> f32) -> bool {
        self.countdown -= 1;
        if self.countdown == 0 {
            self.countdown = UPDATE;
            self.analyse(history, noise_floor())
        } else {
            false
        }
    }

    /// False if the signal was too weak or ill-conditioned (W is kept).
    fn analyse(&mut self, x: &[f32], noise_floor: f32) -> bool {
        if x.len() < ANALYSIS {
            return false;
        }
        // Short-term predictor. The products are summed in f32 lanes (256
        // terms: relative error ~1e-6, far below the −25 dB white-noise
        // correction); Levinson–Durbin runs in f64.
        let mut xw = [0f32; WINDOW];
        for ((&s, &w), o) in x.iter().zip(&self.hann).zip(xw.iter_mut()) {
            *o = s * w;
        }
        let mut r = [0f64; ORDER + 1];
        for (lag, rl) in r.iter_mut().enumerate() {
            *rl = f64::from(kernels::dot(&xw[lag..], &xw[..WINDOW - lag]));
        }
        if r[0] <= self.min_r0 {
            return false;
        }
        r[0] *= WHITE_NOISE_CORRECTION;
        r[0] += f64::from(noise_floor) * self.hann_energy;
        for (rl, w) in r.iter_mut().zip(&self.lag_window).skip(1) {
            *rl *= w;
        }
        let mut a = [0f64; ORDER + 1];
        a[0] = 1.0;
        let mut err = r[0];
        for i in 1..=ORDER {
            let mut acc = r[i];
            for j in 1..i {
                acc += a[j] * r[i - j];
            }
            let k = -acc / err;
            if !k.is_finite() || k.abs() >= 1.0 {
                return false;
            }
            let prev = a;
            for j in 1..i {
                a[j] = prev[j] + k * prev[i - j];
            }
            a[i] = k;
            err *= 1.0 - k * k;
        }
        for (d, s) in self.a.iter_mut().zip(a) {
            *d = s as f32;
        }
        // Pitch predictor on the short-term residual.
        let mut res = [0f32; PITCH_WINDOW + MAX_LAG];
        for (n, o) in res.iter_mut().enumerate() {
            *o = fir(&self.a, &x[n..]);
        }
        let energy0 = kernels::energy(&res[..PITCH_WINDOW]);
        let (best, best_lag, best_energy) = pitch_search(&res);
        let normalised = best / (energy0 * best_energy).sqrt().max(1e-9);
        if normalised > 0.3 {
            self.lag = best_lag;
            self.beta = (best / best_energy).clamp(0.0, 0.9);
        } else {
            self.beta = 0.0;
        }
        self.noise_gain = self.a.iter().map(|a| a * a).sum::<f32>() * (1.0 + self.beta * self.beta);
        true
    }
}
