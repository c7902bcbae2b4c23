//! Whole-tone checks run once per candidate digit, when three windows agree.
//!
//! The window test looks at 102 samples through eight fixed bins; these look at
//! every sample of the candidate's full half-blocks (153 samples) at the
//! tones' *measured* frequencies, so they can ask what a DTMF digit is — two
//! steady sinusoids and nothing else of note — without the leakage and
//! off-frequency losses that force the window test to be lenient.

use core::f64::consts::TAU;

use super::detector::HALF;

/// Which whole-tone checks run (all by default); each can be switched off to
/// measure what it contributes (`docs/PERFORMANCE.md`, talk-off ablation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WholeToneChecks {
    /// Both tones must begin together.
    pub onset: bool,
    /// Nothing else of note in the DTMF band over the whole tone.
    pub in_band: bool,
    /// No second harmonic of either tone.
    pub harmonics: bool,
    /// Beyond the Q.24 box (±1.5 % + 2 Hz on both tones) only one tone may
    /// be off frequency.
    pub frequency_pair: bool,
}

impl Default for WholeToneChecks {
    fn default() -> Self {
        Self {
            onset: true,
            in_band: true,
            harmonics: true,
            frequency_pair: true,
        }
    }
}

/// Why a candidate was not a digit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Rejection {
    Onset,
    InBand,
    Harmonic,
    FrequencyPair,
}

/// Most one tone's coverage of a half before the candidate may differ from
/// the other's (0: both tones absent or present together; 1: one tone fully
/// present, the other absent).
pub(super) const MAX_ONSET_ASYMMETRY: f32 = 0.35;
/// Halves louder than the two tones are left out of the onset check. With
/// 1.5 or 2 the squelch suite (`dsp/tests/squelch.rs`) lost digits pressed
/// right after speech, at −25 dBm0; at 1 none, but the check then catches
/// fewer chords (talk-off: 89 false digits instead of 15 in 191 h played).
const ONSET_MAX_LOUDNESS: f32 = 1.0;
/// Least share of a half's energy that the continued tones must explain for
/// the half to count in the onset check. A note that carries on into the
/// digit is the same tone, phase-continuous, and is explained almost wholly;
/// other sound that merely leaks into one tone's projection (a 1 kHz prompt
/// cut off by a `*`, whose 941 Hz row tone it resembles over one half) is
/// not, and says nothing about how the digit began
/// (`dsp/tests/dtmf_after_prompt.rs`).
const MIN_ONSET_EXPLAINED: f32 = 0.8;
/// Most power the two fitted tones may leave in the DTMF band, relative to
/// the tones (dB).
const MAX_IN_BAND_RESIDUAL_DB: f32 = -12.0;
/// Most power at twice a tone's frequency, relative to that tone (dB).
const MAX_HARMONIC_DB: f32 = -15.0;
/// The Q.24 acceptance box, percent (+ 2 Hz), within which both tones may
/// be off frequency at once.
const PAIR_BOX_PCT: f64 = 1.5;
/// Beyond the box, the other tone must be this accurate, percent (+ 2 Hz).
const PAIR_AXIS_PCT: f64 = 0.3;

/// Half-blocks of a candidate: four before its three full halves (the
/// onset check looks at them; the last two also settle the band-pass).
pub(super) const HALVES: usize = 7;

/// The candidate: the samples of the last [`HALVES`] half-blocks, the last
/// three fully inside the tone, and the tones' nominal and measured
/// frequencies (radians per sample).
pub(super) struct Candidate<'a> {
    pub halves: [&'a [i16; HALF]; HALVES],
    pub nominal: [f64; 2],
    pub measured: [f64; 2],
}

/// Each half's share of the two tones: the half fitted with the two tones
/// of the whole-tone fit `f` (amplitude, phase and frequency) continued over
/// it, one gain per tone solved together so that neither tone's leakage
/// counts for the other. `(row, col)` per half; 1 where the tone goes on
/// unchanged, 0 where it is absent.
fn shares(x: &[f32], f: &Fit, w: [f64; 2]) -> [(f32, f32, f32); HALVES - 3] {
    let full = (HALVES - 3) * HALF;
    let mut out = [(0f32, 0f32, 0f32); HALVES - 3];
    for (h, o) in out.iter_mut().enumerate() {
        let n0 = (h * HALF) as f64 - full as f64;
        let mut p = [(0f64, 0f64); 2];
        let mut step = [(0f64, 0f64); 2];
        for k in 0..2 {
            p[k] = ((w[k] * n0).cos(), (w[k] * n0).sin());
            step[k] = (w[k].cos(), w[k].sin());
        }
        let (mut grr, mut grc, mut gcc, mut br, mut bc) = (0f64, 0f64, 0f64, 0f64, 0f64);
        let mut energy = 0f64;
        for &v in &x[h * HALF..(h + 1) * HALF] {
            let mr = f.coef[0] * p[0].0 + f.coef[1] * p[0].1;
            let mc = f.coef[2] * p[1].0 + f.coef[3] * p[1].1;
            let v = f64::from(v);
            energy += v * v;
            grr += mr * mr;
            grc += mr * mc;
            gcc += mc * mc;
            br += mr * v;
            bc += mc * v;
            for k in 0..2 {
                p[k] = (
                    p[k].0 * step[k].0 - p[k].1 * step[k].1,
                    p[k].0 * step[k].1 + p[k].1 * step[k].0,
                );
            }
        }
        let det = grr * gcc - grc * grc;
        if det <= 1e-9 * grr * gcc || grr <= 0.0 || gcc <= 0.0 {
            continue;
        }
        let gr = ((br * gcc - bc * grc) / det).clamp(-0.5, 1.5);
        let gc = ((bc * grr - br * grc) / det).clamp(-0.5, 1.5);
        // The share of the half's energy the continued tones explain (the
        // least-squares projection, g·b over Σv²).
        let explained = if energy > 0.0 {
            ((gr * br + gc * bc) / energy).clamp(0.0, 1.0)
        } else {
            0.0
        };
        *o = (gr as f32, gc as f32, explained as f32);
    }
    out
}

/// Onset asymmetry: the largest |row − col| share over the halves before
/// the candidate's full halves in which one tone carries on (share ≥ ½) and
/// which are not much louder than the two tones (at most twice their power:
/// under louder sound, speech before a digit, the shares say nothing). A
/// keypad starts both tones together: in every half they are both absent,
/// both partial to the same degree, or both there (0); a chord in which one
/// note was already sounding is not (up to 1).
fn onset_asymmetry(x: &[f32], s: &[(f32, f32, f32); HALVES - 3], tones_power: f32) -> f32 {
    x.chunks_exact(HALF)
        .zip(s)
        .filter(|(h, &(r, c, explained))| {
            let power = h.iter().map(|v| v * v).sum::<f32>() / HALF as f32;
            r.max(c) >= 0.5
                && power <= ONSET_MAX_LOUDNESS * tones_power
                && explained >= MIN_ONSET_EXPLAINED
        })
        .map(|(_, &(r, c, _))| (r - c).abs())
        .fold(0.0, f32::max)
}

/// The DTMF band-pass: 4th-order Butterworth high-pass at 600 Hz (dial tone
/// at 350 + 440 Hz down 11–19 dB) and 2nd-order low-pass at 1800 Hz.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct BandPass([Biquad; 3]);

impl BandPass {
    pub(super) fn new() -> Self {
        Self([
            Biquad::new(600.0, 0.541_196, true),
            Biquad::new(600.0, 1.306_563, true),
            Biquad::new(1800.0, core::f64::consts::FRAC_1_SQRT_2, false),
        ])
    }
}

fn db(a: f32, b: f32) -> f32 {
    10.0 * (a.max(1e-12) / b.max(1e-12)).log10()
}

/// Runs the enabled checks on `c`.
pub(super) fn check(
    c: &Candidate<'_>,
    band: &BandPass,
    on: &WholeToneChecks,
) -> Result<(), Rejection> {
    if on.frequency_pair {
        let hz = |w: f64| w * f64::from(crate::SAMPLE_RATE_HZ) / TAU;
        let within = |k: usize, pct: f64| {
            (hz(c.measured[k]) - hz(c.nominal[k])).abs() <= hz(c.nominal[k]) * pct / 100.0 + 2.0
        };
        let in_box = within(0, PAIR_BOX_PCT) && within(1, PAIR_BOX_PCT);
        if !in_box && !within(0, PAIR_AXIS_PCT) && !within(1, PAIR_AXIS_PCT) {
            return Err(Rejection::FrequencyPair);
        }
    }
    let mut x = [0f32; HALVES * HALF];
    for (chunk, h) in x.chunks_exact_mut(HALF).zip(c.halves) {
        for (o, &v) in chunk.iter_mut().zip(h) {
            *o = f32::from(v);
        }
    }
    let tone = (HALVES - 3) * HALF;
    if on.onset || on.harmonics {
        let f = fit(&x[tone..], c.measured[0], c.measured[1], on.harmonics);
        let asymmetry = onset_asymmetry(&x, &shares(&x, &f, c.measured), f.row_power + f.col_power);
        if on.onset && asymmetry > MAX_ONSET_ASYMMETRY {
            return Err(Rejection::Onset);
        }
        if on.harmonics
            && (db(f.row_harmonic_power, f.row_power) > MAX_HARMONIC_DB
                || db(f.col_harmonic_power, f.col_power) > MAX_HARMONIC_DB)
        {
            return Err(Rejection::Harmonic);
        }
    }
    if on.in_band {
        let x = &mut x[tone - 2 * HALF..];
        for bq in &band.0 {
            bq.run(x);
        }
        let f = fit(&x[2 * HALF..], c.measured[0], c.measured[1], false);
        if db(f.residual_power, f.row_power + f.col_power) > MAX_IN_BAND_RESIDUAL_DB {
            return Err(Rejection::InBand);
        }
    }
    Ok(())
}

/// What the whole-tone analysis measured.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Fit {
    /// Mean power of the fitted row and column sinusoids (A²/2 each).
    pub row_power: f32,
    /// See `row_power`.
    pub col_power: f32,
    /// Mean power of what the two sinusoids leave unexplained.
    pub residual_power: f32,
    /// Mean power at twice the row and column frequencies (A²/2), from a
    /// DFT of the residual at those frequencies.
    pub row_harmonic_power: f32,
    /// See `row_harmonic_power`.
    pub col_harmonic_power: f32,
    /// The fitted model: `x[n] ≈ a0·cos(w_row·n) + a1·sin(w_row·n) +
    /// a2·cos(w_col·n) + a3·sin(w_col·n)`.
    pub coef: [f64; 4],
}

/// Σ_{n<N} e^{jθn}, in closed form.
fn geometric(theta: f64, n: usize) -> (f64, f64) {
    let t = theta.rem_euclid(TAU);
    if t.min(TAU - t) < 1e-9 {
        return (n as f64, 0.0);
    }
    let tn = theta * n as f64;
    let num = (1.0 - tn.cos(), -tn.sin());
    let den = (1.0 - theta.cos(), -theta.sin());
    let d = den.0 * den.0 + den.1 * den.1;
    (
        (num.0 * den.0 + num.1 * den.1) / d,
        (num.1 * den.0 - num.0 * den.1) / d,
    )
}

/// Least-squares fit of two sinusoids at `w_row`, `w_col` (radians per
/// sample) to `x`; with `harmonics`, also the residual's DFT at twice each
/// frequency. One pass over the samples: the basis' Gram matrix and the
/// model's DFT are geometric sums in closed form, and the residual's power
/// is Σx² − a·b at the optimum.
// Matrix code: row and column indices read better than iterator chains.
#[allow(clippy::needless_range_loop)]
pub(super) fn fit(x: &[f32], w_row: f64, w_col: f64, harmonics: bool) -> Fit {
    let n = x.len();
    if n == 0 {
        return Fit::default();
    }
    let w = [w_row, w_col];
    let gam = [2.0 * w_row, 2.0 * w_col];
    let rot = |t: f64| (t.cos(), t.sin());
    let mul = |a: (f64, f64), b: (f64, f64)| (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0);
    let step = [rot(w[0]), rot(w[1]), rot(-gam[0]), rot(-gam[1])];
    let mut p = [(1f64, 0f64); 4];
    let mut b = [0f64; 4];
    let mut dft = [(0f64, 0f64); 2];
    let mut total = 0f64;
    for &v in x {
        let v = f64::from(v);
        total += v * v;
        b[0] += v * p[0].0;
        b[1] += v * p[0].1;
        b[2] += v * p[1].0;
        b[3] += v * p[1].1;
        p[0] = mul(p[0], step[0]);
        p[1] = mul(p[1], step[1]);
        if harmonics {
            dft[0] = (dft[0].0 + v * p[2].0, dft[0].1 + v * p[2].1);
            dft[1] = (dft[1].0 + v * p[3].0, dft[1].1 + v * p[3].1);
            p[2] = mul(p[2], step[2]);
            p[3] = mul(p[3], step[3]);
        }
    }
    // Gram matrix of cos(w0 n), sin(w0 n), cos(w1 n), sin(w1 n).
    let s = |t: f64| geometric(t, n);
    let mut g = [[0f64; 4]; 4];
    for (i, &wi) in w.iter().enumerate() {
        for (j, &wj) in w.iter().enumerate().skip(i) {
            let (d, m) = (s(wi - wj), s(wi + wj));
            let (r, c) = (2 * i, 2 * j);
            g[r][c] = 0.5 * (d.0 + m.0); // Σ cos·cos
            g[r + 1][c + 1] = 0.5 * (d.0 - m.0); // Σ sin·sin
            g[r][c + 1] = 0.5 * (m.1 - d.1); // Σ cos(wi)·sin(wj)
            g[r + 1][c] = 0.5 * (m.1 + d.1); // Σ sin(wi)·cos(wj)
        }
    }
    for r in 0..4 {
        for c in 0..r {
            g[r][c] = g[c][r];
        }
    }
    let nf = n as f64;
    let Some(a) = solve4(g, b) else {
        return Fit {
            residual_power: (total / nf) as f32,
            ..Fit::default()
        };
    };
    let resid = (total - (0..4).map(|k| a[k] * b[k]).sum::<f64>()).max(0.0);
    // The residual's DFT at 2w: the samples' minus the model's.
    let mut harm = [0f32; 2];
    if harmonics {
        for (h, (&gm, d)) in harm.iter_mut().zip(gam.iter().zip(dft)) {
            let mut r = d;
            for (k, &wk) in w.iter().enumerate() {
                let (pl, mi) = (s(wk - gm), s(-wk - gm));
                let cos_part = (0.5 * (pl.0 + mi.0), 0.5 * (pl.1 + mi.1));
                // (1/2j)(pl − mi) = −j/2 (pl − mi)
                let sin_part = (0.5 * (pl.1 - mi.1), -0.5 * (pl.0 - mi.0));
                r.0 -= a[2 * k] * cos_part.0 + a[2 * k + 1] * sin_part.0;
                r.1 -= a[2 * k] * cos_part.1 + a[2 * k + 1] * sin_part.1;
            }
            *h = (2.0 * (r.0 * r.0 + r.1 * r.1) / (nf * nf)) as f32;
        }
    }
    Fit {
        row_power: ((a[0] * a[0] + a[1] * a[1]) / 2.0) as f32,
        col_power: ((a[2] * a[2] + a[3] * a[3]) / 2.0) as f32,
        residual_power: (resid / nf) as f32,
        row_harmonic_power: harm[0],
        col_harmonic_power: harm[1],
        coef: a,
    }
}

/// One second-order section, direct form I coefficients (a0 = 1).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Biquad {
    b: [f32; 3],
    a: [f32; 2],
}

impl Biquad {
    /// High-pass or low-pass section at `hz` with quality `q` (1/√2 for a
    /// 2nd-order Butterworth; 0.5412 and 1.3066 for the two sections of a
    /// 4th-order one), bilinear transform at 8 kHz.
    pub(super) fn new(hz: f64, q: f64, high_pass: bool) -> Self {
        let w0 = TAU * hz / f64::from(crate::SAMPLE_RATE_HZ);
        let (c, alpha) = (w0.cos(), w0.sin() / (2.0 * q));
        let a0 = 1.0 + alpha;
        let (b0, b1) = if high_pass {
            ((1.0 + c) / 2.0, -(1.0 + c))
        } else {
            ((1.0 - c) / 2.0, 1.0 - c)
        };
        Self {
            b: [(b0 / a0) as f32, (b1 / a0) as f32, (b0 / a0) as f32],
            a: [(-2.0 * c / a0) as f32, ((1.0 - alpha) / a0) as f32],
        }
    }

    /// Filters `x` in place from rest.
    pub(super) fn run(&self, x: &mut [f32]) {
        let (mut x1, mut x2, mut y1, mut y2) = (0f32, 0f32, 0f32, 0f32);
        for v in x {
            let y =
                self.b[0] * *v + self.b[1] * x1 + self.b[2] * x2 - self.a[0] * y1 - self.a[1] * y2;
            x2 = x1;
            x1 = *v;
            y2 = y1;
            y1 = y;
            *v = y;
        }
    }
}

/// Solves `g·a = b` (4×4, symmetric positive definite) by Gaussian
/// elimination with partial pivoting; `None` if singular.
#[allow(clippy::needless_range_loop)]
fn solve4(mut g: [[f64; 4]; 4], mut b: [f64; 4]) -> Option<[f64; 4]> {
    for col in 0..4 {
        let p = (col..4).max_by(|&i, &j| g[i][col].abs().total_cmp(&g[j][col].abs()))?;
        if g[p][col].abs() < 1e-9 {
            return None;
        }
        g.swap(col, p);
        b.swap(col, p);
        for r in col + 1..4 {
            let f = g[r][col] / g[col][col];
            for c in col..4 {
                g[r][c] -= f * g[col][c];
            }
            b[r] -= f * b[col];
        }
    }
    let mut a = [0f64; 4];
    for r in (0..4).rev() {
        let s: f64 = (r + 1..4).map(|c| g[r][c] * a[c]).sum();
        a[r] = (b[r] - s) / g[r][r];
    }
    Some(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_tones_fit_exactly_and_leave_no_harmonic() {
        let (wr, wc) = (TAU * 700.0 / 8000.0, TAU * 1340.0 / 8000.0);
        let x: Vec<f32> = (0..153)
            .map(|n| {
                let n = n as f64;
                (3000.0 * (wr * n + 0.3).sin() + 2000.0 * (wc * n + 1.1).cos()) as f32
            })
            .collect();
        let f = fit(&x, wr, wc, true);
        assert!((f.row_power / 4.5e6 - 1.0).abs() < 1e-3, "{f:?}");
        assert!((f.col_power / 2.0e6 - 1.0).abs() < 1e-3, "{f:?}");
        assert!(f.residual_power < 1e-3 * f.row_power, "{f:?}");
        assert!(
            f.row_harmonic_power < 1.0 && f.col_harmonic_power < 1.0,
            "{f:?}"
        );
    }

    #[test]
    fn a_second_harmonic_is_measured() {
        let (wr, wc) = (TAU * 697.0 / 8000.0, TAU * 1209.0 / 8000.0);
        let x: Vec<f32> = (0..153)
            .map(|n| {
                let n = n as f64;
                (3000.0 * (wr * n).sin() + 3000.0 * (wc * n).sin() + 1000.0 * (2.0 * wr * n).sin())
                    as f32
            })
            .collect();
        let f = fit(&x, wr, wc, true);
        assert!((f.row_harmonic_power / 5.0e5 - 1.0).abs() < 0.1, "{f:?}");
    }
}
