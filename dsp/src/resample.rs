//! Integer-ratio sample-rate conversion between the 8 kHz line and the wider
//! Opus rates (16, 24, 48 kHz), per frame, without allocation.
//!
//! # Why not rubato
//!
//! rubato 5's fixed-ratio resampler (`Fft`, `FixedSync::Both`, 160-sample
//! chunks) delays by half its FFT block, `output_delay() = fft_size_out / 2`:
//! 480 samples at 48 kHz, 10 ms per direction and 20 ms for a round trip,
//! which a G.114 delay budget should not spend on resampling; smaller
//! sub-chunks lower the delay but also its anti-aliasing cut-off. Its sinc
//! `Async` resampler is meant for drifting clocks and costs more. rubato 5.0
//! also needs Rust 1.87, above this workspace's `rust-version` (1.85).
//! A polyphase FIR does the fixed integer ratios with 3.9 ms of delay.
//!
//! # Filter
//!
//! One Kaiser-windowed sinc low-pass (β = 6.2) at the high rate, of
//! `63·L + 1` taps for a ratio `L` (379 taps at 48 kHz), designed at
//! construction: pass band to 3.5 kHz (ripple < 0.01 dB), −6 dB at 3.75 kHz,
//! stop band from 4.0 kHz at ≥ 60 dB. Its group delay is `63·L/2` samples
//! at the high rate (31.5 samples at 8 kHz, 3.94 ms) in either direction, so
//! an 8 k → L·8 k → 8 k round trip delays by exactly 63 samples at 8 kHz.
//!
//! Upsampling runs the `L` polyphase branches of 64 taps on the last 64 input
//! samples; downsampling computes one output per `L` inputs over the last
//! `64·L` inputs. Arithmetic is f32 (the error floor is far below the 16-bit
//! output's); history lives in a doubled ring so every dot product reads one
//! contiguous slice.
//!
//! # Cost
//!
//! The upsampler computes eight consecutive inputs' outputs at once, one
//! per vector lane (see `Resampler::upsample`), several branches and
//! vectors per pass so that each load serves several multiply-adds; the
//! samples are bit for bit those of the one-dot-product-per-output form it
//! replaced. 8 → 48 kHz per 20 ms frame (`cargo bench -p gateway --bench
//! media -- --stages`, 2-core AMD EPYC VM): 1.5 µs with AVX2+FMA (was 4.6;
//! 4.8 in a tight loop), 4.2 µs on the SSE2 baseline (was 7.3).

use crate::level::saturate;
use crate::rate::SampleRate;

/// Taps per polyphase branch (the prototype has `(TAPS_PER_PHASE − 1)·L + 1`).
const TAPS_PER_PHASE: usize = 64;
/// Largest ratio supported (8 kHz ↔ 48 kHz).
const MAX_RATIO: usize = 6;
const MAX_TAPS: usize = TAPS_PER_PHASE * MAX_RATIO;
const PASS_EDGE_HZ: f64 = 3500.0;
const STOP_EDGE_HZ: f64 = 4000.0;
const KAISER_BETA: f64 = 6.2;
/// Inputs the upsampler takes per block (a 20 ms frame is one block).
const UP_BLOCK: usize = 160;
/// Consecutive inputs whose outputs the baseline upsampler computes
/// together (the AVX2 one: its vector width, also 8).
const TIME_LANES: usize = 8;
/// Most inputs the upsampler kernels take at a time (a sub-block).
const MAX_SUB_BLOCK: usize = 32;
/// Zeros after an upsampler block: the last sub-block's loads reach up to
/// `MAX_SUB_BLOCK − 1` inputs past the block.
const LIN_PAD: usize = MAX_SUB_BLOCK;
/// Partial sums per output: the lanes of the dot product the upsampler's
/// arithmetic follows (see `Resampler::upsample`).
const TAP_LANES: usize = 8;
const _: () = assert!(TAPS_PER_PHASE / TAP_LANES * TAP_LANES == TAPS_PER_PHASE);

/// Why a resampler cannot be built or run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResampleError {
    /// Only 8 kHz ↔ 16, 24 or 48 kHz are supported.
    UnsupportedRates {
        /// Input rate.
        from: SampleRate,
        /// Output rate.
        to: SampleRate,
    },
    /// `out` cannot hold the output; nothing was consumed.
    OutputTooSmall {
        /// Samples the call would produce.
        needed: usize,
        /// Samples `out` holds.
        got: usize,
    },
}

impl core::fmt::Display for ResampleError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ResampleError::UnsupportedRates { from, to } => {
                write!(f, "cannot resample {from} to {to}")
            }
            ResampleError::OutputTooSmall { needed, got } => {
                write!(
                    f,
                    "resampler output needs {needed} samples, buffer has {got}"
                )
            }
        }
    }
}

impl std::error::Error for ResampleError {}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Direction {
    Up,
    Down,
}

/// A fixed-ratio resampler between 8 kHz and 16, 24 or 48 kHz.
#[derive(Clone, Debug)]
pub struct Resampler {
    from: SampleRate,
    to: SampleRate,
    direction: Direction,
    ratio: usize,
    /// Up: `ratio` branches of TAPS_PER_PHASE taps, each reversed to match
    /// the oldest-first history, and scaled by `ratio`. Down: the whole
    /// prototype reversed, zero-padded to `TAPS_PER_PHASE · ratio`.
    coeffs: [f32; MAX_TAPS],
    /// Doubled ring: the last `len` inputs, oldest first, are
    /// `history[pos..pos + len]` (up: rewound to `pos = 0` after each block).
    history: [f32; 2 * MAX_TAPS],
    history_len: usize,
    pos: usize,
    /// Down: inputs since the last output, modulo `ratio`.
    phase: usize,
    /// Up: the AVX2+FMA version of the branch filters, when this CPU has it.
    #[cfg(target_arch = "x86_64")]
    avx2: Option<pulp::x86::V3>,
}

/// Zeroth-order modified Bessel function of the first kind (power series).
fn bessel_i0(x: f64) -> f64 {
    let mut sum = 1.0;
    let mut term = 1.0;
    let q = x * x / 4.0;
    for k in 1..50 {
        term *= q / (k * k) as f64;
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}

/// The prototype low-pass at `8000·ratio` Hz, unity DC gain, `63·ratio + 1` taps.
fn prototype(ratio: usize, out: &mut [f64; MAX_TAPS]) -> usize {
    let n = (TAPS_PER_PHASE - 1) * ratio + 1;
    let fs = f64::from(crate::SAMPLE_RATE_HZ) * ratio as f64;
    let fc = (PASS_EDGE_HZ + STOP_EDGE_HZ) / 2.0 / fs;
    let mid = (n - 1) as f64 / 2.0;
    let norm = bessel_i0(KAISER_BETA);
    let mut sum = 0.0;
    for (k, h) in out.iter_mut().take(n).enumerate() {
        let t = k as f64 - mid;
        let sinc = if t == 0.0 {
            2.0 * fc
        } else {
            (core::f64::consts::TAU * fc * t).sin() / (core::f64::consts::PI * t)
        };
        let r = t / mid;
        let w = bessel_i0(KAISER_BETA * (1.0 - r * r).max(0.0).sqrt()) / norm;
        *h = sinc * w;
        sum += *h;
    }
    for h in out.iter_mut().take(n) {
        *h /= sum;
    }
    n
}

impl Resampler {
    /// A resampler from `from` to `to`; one of them must be 8 kHz and the
    /// other 16, 24 or 48 kHz.
    pub fn new(from: SampleRate, to: SampleRate) -> Result<Resampler, ResampleError> {
        let wide = |r: SampleRate| match r {
            SampleRate::Hz16000 => Some(2),
            SampleRate::Hz24000 => Some(3),
            SampleRate::Hz48000 => Some(6),
            _ => None,
        };
        let (direction, ratio) = match (from, to) {
            (SampleRate::Hz8000, w) if wide(w).is_some() => (Direction::Up, wide(w)),
            (w, SampleRate::Hz8000) if wide(w).is_some() => (Direction::Down, wide(w)),
            _ => (Direction::Up, None),
        };
        let ratio = ratio.ok_or(ResampleError::UnsupportedRates { from, to })?;
        let mut proto = [0.0f64; MAX_TAPS];
        let n = prototype(ratio, &mut proto);
        let mut coeffs = [0.0f32; MAX_TAPS];
        let history_len = match direction {
            Direction::Up => {
                // Branch p, reversed: coeffs[p·T + (T−1−j)] = L·h[j·L + p].
                for p in 0..ratio {
                    for j in 0..TAPS_PER_PHASE {
                        let k = j * ratio + p;
                        let h = if k < n { proto[k] } else { 0.0 };
                        coeffs[p * TAPS_PER_PHASE + TAPS_PER_PHASE - 1 - j] =
                            (h * ratio as f64) as f32;
                    }
                }
                TAPS_PER_PHASE
            }
            Direction::Down => {
                let len = TAPS_PER_PHASE * ratio;
                for k in 0..n {
                    coeffs[len - 1 - k] = proto[k] as f32;
                }
                len
            }
        };
        Ok(Resampler {
            from,
            to,
            direction,
            ratio,
            coeffs,
            history: [0.0; 2 * MAX_TAPS],
            history_len,
            pos: 0,
            phase: 0,
            #[cfg(target_arch = "x86_64")]
            avx2: pulp::x86::V3::try_new(),
        })
    }

    /// Input rate.
    pub fn from_rate(&self) -> SampleRate {
        self.from
    }

    /// Output rate.
    pub fn to_rate(&self) -> SampleRate {
        self.to
    }

    /// Group delay in output samples (189 at 48 kHz out, 31.5 at 8 kHz out).
    pub fn delay_output_samples(&self) -> f32 {
        let high = ((TAPS_PER_PHASE - 1) * self.ratio) as f32 / 2.0;
        match self.direction {
            Direction::Up => high,
            Direction::Down => high / self.ratio as f32,
        }
    }

    /// Samples [`Resampler::process`] will write for `input_len` inputs.
    pub fn output_len(&self, input_len: usize) -> usize {
        match self.direction {
            Direction::Up => input_len * self.ratio,
            // Outputs fall on inputs whose index is 0 mod ratio.
            Direction::Down => {
                let l = self.ratio;
                (self.phase + input_len).div_ceil(l) - self.phase.div_ceil(l)
            }
        }
    }

    /// Converts `input`, writing [`Resampler::output_len`] samples to `out`;
    /// returns that count. Any input length works (state carries over), a
    /// 20 ms frame gives a 20 ms frame.
    pub fn process(&mut self, input: &[i16], out: &mut [i16]) -> Result<usize, ResampleError> {
        let needed = self.output_len(input.len());
        if out.len() < needed {
            return Err(ResampleError::OutputTooSmall {
                needed,
                got: out.len(),
            });
        }
        if self.direction == Direction::Up {
            for (k, chunk) in input.chunks(UP_BLOCK).enumerate() {
                let at = k * UP_BLOCK * self.ratio;
                self.upsample(chunk, &mut out[at..at + chunk.len() * self.ratio]);
            }
            return Ok(needed);
        }
        let mut written = 0;
        for &x in input {
            self.push(f32::from(x));
            if self.phase == 0 {
                let len = self.history_len;
                let hist = &self.history[self.pos..self.pos + len];
                out[written] = saturate(crate::simd::dot(&self.coeffs[..len], hist));
                written += 1;
            }
            self.phase = (self.phase + 1) % self.ratio;
        }
        Ok(written)
    }

    /// Upsamples at most [`UP_BLOCK`] inputs into `out` (`ratio` outputs
    /// each).
    ///
    /// Output `p` of input `t` is branch `p` dotted with the 64 inputs up to
    /// `t`. Rather than one dot product at a time, which ends in a
    /// horizontal sum per output, the branches run over eight consecutive
    /// inputs at once, one lane per input: each vector step is one tap for
    /// eight outputs. Every output still gets exactly the arithmetic of
    /// [`crate::simd::dot`] (baseline) or of the AVX2 dot product it
    /// replaces: eight partial sums over taps `l, l + 8, …`, then the same
    /// summation tree, so the samples are bit for bit those of the
    /// one-output-at-a-time form (`tests::matches_one_output_at_a_time`).
    fn upsample(&mut self, input: &[i16], out: &mut [i16]) {
        const KEEP: usize = TAPS_PER_PHASE - 1;
        let n = input.len();
        // The 63 inputs before this block, oldest first, then the block,
        // then zeros so the last vector's loads stay in bounds.
        let mut lin = [0f32; KEEP + UP_BLOCK + LIN_PAD];
        lin[..KEEP].copy_from_slice(&self.history[self.pos + 1..self.pos + TAPS_PER_PHASE]);
        for (l, &x) in lin[KEEP..KEEP + n].iter_mut().zip(input) {
            *l = f32::from(x);
        }
        let coeffs = &self.coeffs[..self.ratio * TAPS_PER_PHASE];
        #[cfg(target_arch = "x86_64")]
        let done = match self.avx2 {
            Some(v3) => {
                let up = avx2::Upsample {
                    v3,
                    coeffs,
                    lin: &lin,
                    n,
                    out,
                };
                pulp::Simd::vectorize(v3, up);
                true
            }
            None => false,
        };
        #[cfg(not(target_arch = "x86_64"))]
        let done = false;
        if !done {
            upsample_baseline(coeffs, &lin, n, out);
        }
        // Keep the last 64 inputs as the history (doubled ring from 0).
        if n > 0 {
            let last = &lin[n - 1..n + KEEP];
            self.history[..TAPS_PER_PHASE].copy_from_slice(last);
            self.history[TAPS_PER_PHASE..2 * TAPS_PER_PHASE].copy_from_slice(last);
            self.pos = 0;
        }
    }

    /// Clears the history (silence before the next input).
    pub fn reset(&mut self) {
        self.history = [0.0; 2 * MAX_TAPS];
        self.pos = 0;
        self.phase = 0;
    }

    #[inline]
    fn push(&mut self, x: f32) {
        let len = self.history_len;
        self.history[self.pos] = x;
        self.history[self.pos + len] = x;
        self.pos = (self.pos + 1) % len;
    }
}

/// The baseline upsampler (`Resampler::upsample`): `wide`'s eight lanes
/// (two SSE2 vectors on x86-64, NEON on aarch64), separate multiply and
/// add per tap, as [`crate::simd::dot`] does. `lin` holds the 63 inputs
/// before the block, the block's `n` inputs and room for the last
/// sub-block's loads.
fn upsample_baseline(coeffs: &[f32], lin: &[f32], n: usize, out: &mut [i16]) {
    match coeffs.len() / TAPS_PER_PHASE {
        2 => baseline::<2, 2, 3>(coeffs, lin, n, out),
        3 => baseline::<3, 1, 3>(coeffs, lin, n, out),
        _ => baseline::<6, 2, 3>(coeffs, lin, n, out),
    }
}

/// `R` branches, `B` at a time, over sub-blocks of `T` vectors of
/// consecutive inputs (as the AVX2 version, with fewer registers).
#[inline(always)]
fn baseline<const R: usize, const B: usize, const T: usize>(
    coeffs: &[f32],
    lin: &[f32],
    n: usize,
    out: &mut [i16],
) {
    use wide::f32x8;
    const { assert!(TIME_LANES * T <= MAX_SUB_BLOCK) };
    let coeffs = &coeffs[..R * TAPS_PER_PHASE];
    let load = |at: usize| {
        let mut v = [0f32; TIME_LANES];
        v.copy_from_slice(&lin[at..at + TIME_LANES]);
        f32x8::from(v)
    };
    // part[l][t][p]: tap lane l's partial sum of branch p, vector t (all
    // overwritten in each sub-block).
    let mut part = [[[f32x8::ZERO; R]; T]; TAP_LANES];
    for s0 in (0..n).step_by(TIME_LANES * T) {
        for (l, part) in part.iter_mut().enumerate() {
            for g in 0..R / B {
                let mut acc = [[f32x8::ZERO; B]; T];
                for m in 0..TAPS_PER_PHASE / TAP_LANES {
                    let i = m * TAP_LANES + l;
                    let c: [f32x8; B] = core::array::from_fn(|b| {
                        f32x8::splat(coeffs[(g * B + b) * TAPS_PER_PHASE + i])
                    });
                    for (t, acc) in acc.iter_mut().enumerate() {
                        let x = load(s0 + t * TIME_LANES + i);
                        for (a, &c) in acc.iter_mut().zip(&c) {
                            *a += c * x;
                        }
                    }
                }
                for (part, acc) in part.iter_mut().zip(&acc) {
                    part[g * B..(g + 1) * B].copy_from_slice(acc);
                }
            }
        }
        for (t, t0) in (s0..n).step_by(TIME_LANES).take(T).enumerate() {
            let mut y = [[0f32; TIME_LANES]; R];
            for (p, y) in y.iter_mut().enumerate() {
                // simd::dot: lanes l and l + 4 added, then summed in order.
                let h = |l: usize| part[l][t][p] + part[l + 4][t][p];
                *y = (((h(0) + h(1)) + h(2)) + h(3)).to_array();
            }
            for q in 0..TIME_LANES.min(n - t0) {
                let o = &mut out[(t0 + q) * R..(t0 + q + 1) * R];
                for (o, y) in o.iter_mut().zip(&y) {
                    *o = saturate(y[q]);
                }
            }
        }
    }
}

/// Upsampling with AVX2 and FMA, chosen at run time on x86-64 through
/// `pulp` (safe API): fused multiply-adds, with the summation tree of
/// `pulp`'s eight-lane `reduce_sum_f32s` that the dot-product form used.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use pulp::x86::V3;
    use pulp::{f32x8, Simd, WithSimd};

    use super::{TAPS_PER_PHASE, TAP_LANES};

    /// Inputs per vector.
    const LANES: usize = 8;

    pub(super) struct Upsample<'a> {
        pub(super) v3: V3,
        pub(super) coeffs: &'a [f32],
        pub(super) lin: &'a [f32],
        pub(super) n: usize,
        pub(super) out: &'a mut [i16],
    }

    impl WithSimd for Upsample<'_> {
        type Output = ();

        /// Runs inside `v3`'s `vectorize` (the `S` given is `v3`).
        #[inline(always)]
        fn with_simd<S: Simd>(self, _: S) {
            // Branches per group and vectors per sub-block: the group's
            // B·T accumulators, B splatted taps and one input vector fit
            // the 16 registers, and each input vector loaded serves B
            // multiply-adds, each tap T.
            match self.coeffs.len() / TAPS_PER_PHASE {
                2 => run::<2, 2, 4>(self),
                3 => run::<3, 3, 3>(self),
                _ => run::<6, 2, 4>(self),
            }
        }
    }

    /// `R` branches, `B` at a time, over sub-blocks of `T` vectors of
    /// consecutive inputs. `u.lin` has room for the last sub-block's
    /// loads past the `n` inputs.
    #[inline(always)]
    fn run<const R: usize, const B: usize, const T: usize>(u: Upsample<'_>) {
        const { assert!(LANES * T <= super::MAX_SUB_BLOCK) };
        let (simd, lin, n) = (u.v3, u.lin, u.n);
        let coeffs = &u.coeffs[..R * TAPS_PER_PHASE];
        let load = |at: usize| V3::as_simd_f32s(&lin[at..at + LANES]).0[0];
        let zero = simd.splat_f32s(0.0);
        // part[l][p][t]: tap lane l's partial sum of branch p, vector t
        // (all overwritten in each sub-block).
        let mut part = [[[zero; T]; R]; TAP_LANES];
        for s0 in (0..n).step_by(LANES * T) {
            for (l, part) in part.iter_mut().enumerate() {
                for g in 0..R / B {
                    let mut acc = [[zero; T]; B];
                    for m in 0..TAPS_PER_PHASE / TAP_LANES {
                        let i = m * TAP_LANES + l;
                        let c: [f32x8; B] = core::array::from_fn(|b| {
                            simd.splat_f32s(coeffs[(g * B + b) * TAPS_PER_PHASE + i])
                        });
                        // Each input vector serves the B branches.
                        for (t, at) in (0..T).map(|t| s0 + t * LANES + i).enumerate() {
                            let x = load(at);
                            for (acc, &c) in acc.iter_mut().zip(&c) {
                                acc[t] = simd.mul_add_f32s(c, x, acc[t]);
                            }
                        }
                    }
                    part[g * B..(g + 1) * B].copy_from_slice(&acc);
                }
            }
            for (t, t0) in (s0..n).step_by(LANES).take(T).enumerate() {
                let mut y = [[0i32; LANES]; R];
                for (p, y) in y.iter_mut().enumerate() {
                    // reduce_sum_f32s: 128-bit halves added, then
                    // (0 + 2) + (1 + 3).
                    let h = |l: usize| simd.add_f32s(part[l][p][t], part[l + 4][p][t]);
                    let sum = simd.add_f32s(simd.add_f32s(h(0), h(2)), simd.add_f32s(h(1), h(3)));
                    *y = saturate(simd, sum);
                }
                for q in 0..LANES.min(n - t0) {
                    let o = &mut u.out[(t0 + q) * R..(t0 + q + 1) * R];
                    for (o, y) in o.iter_mut().zip(&y) {
                        *o = y[q] as i16;
                    }
                }
            }
        }
    }

    /// [`crate::level::saturate`] in eight lanes: `x + copysign(0.5, x)`,
    /// clamped to the i16 range, truncated. (The clamp differs from `as`
    /// only for NaN, which finite samples and taps cannot give.)
    #[inline(always)]
    fn saturate(simd: V3, x: f32x8) -> [i32; LANES] {
        let sign = simd.and_u32s(simd.transmute_u32s_f32s(x), simd.splat_u32s(1 << 31));
        let half = simd.or_u32s(sign, simd.splat_u32s(0.5f32.to_bits()));
        let r = simd.add_f32s(x, simd.transmute_f32s_u32s(half));
        let r = simd.min_f32s(
            simd.max_f32s(r, simd.splat_f32s(-32768.0)),
            simd.splat_f32s(32767.0),
        );
        let r = simd.avx._mm256_cvttps_epi32(pulp::cast(r));
        pulp::cast(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::f64::consts::TAU;

    /// The AVX2 upsampler (where this CPU has it) gives the baseline's
    /// samples, up to one step of rounding (FMA rounds once, not twice).
    #[cfg(target_arch = "x86_64")]
    #[test]
    #[cfg_attr(
        cpu_lacks_avx2,
        ignore = "this CPU has no AVX2+FMA: no fast path to compare"
    )]
    fn avx2_upsampling_matches_the_baseline() {
        for to in [
            SampleRate::Hz16000,
            SampleRate::Hz24000,
            SampleRate::Hz48000,
        ] {
            let mut fast = Resampler::new(SampleRate::Hz8000, to).expect("supported");
            assert!(
                fast.avx2.is_some(),
                "no AVX2 path on a CPU that dsp/build.rs saw with AVX2+FMA"
            );
            let mut plain = fast.clone();
            plain.avx2 = None;
            let input = tone(1000.0, 8000.0, 12000.0, 800);
            let n = fast.output_len(input.len());
            let (mut a, mut b) = (vec![0i16; n], vec![0i16; n]);
            assert_eq!(fast.process(&input, &mut a), Ok(n));
            assert_eq!(plain.process(&input, &mut b), Ok(n));
            assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() <= 1));
            assert!(a.iter().any(|&x| x.abs() > 10_000), "it is the signal");
        }
    }

    /// The dot-product forms the block upsampler replaced, one output at a
    /// time: `simd::dot` (baseline), or eight lanes of fused multiply-adds
    /// summed as `pulp`'s `reduce_sum_f32s` (AVX2).
    fn one_at_a_time(r: &Resampler, fused: bool, input: &[i16]) -> std::vec::Vec<i16> {
        let branches = &r.coeffs[..r.ratio * TAPS_PER_PHASE];
        let mut hist = std::vec![0f32; TAPS_PER_PHASE - 1];
        let mut out = std::vec::Vec::new();
        for &x in input {
            hist.push(f32::from(x));
            let h = &hist[hist.len() - TAPS_PER_PHASE..];
            for branch in branches.chunks_exact(TAPS_PER_PHASE) {
                let y = if fused {
                    let mut s = [0f32; 8];
                    for (i, (&c, &v)) in branch.iter().zip(h).enumerate() {
                        s[i % 8] = c.mul_add(v, s[i % 8]);
                    }
                    ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]))
                } else {
                    crate::simd::dot(branch, h)
                };
                out.push(saturate(y));
            }
        }
        out
    }

    /// The block upsampler gives exactly the samples of the one-output-at-
    /// a-time form it replaced, whatever the chunking, on both paths.
    #[test]
    fn matches_one_output_at_a_time() {
        let mut noise = crate::noise::Rng::new(5);
        let mut input = tone(1020.0, 8000.0, 30_000.0, 1700);
        for x in input.iter_mut().skip(900) {
            *x = x.saturating_add((noise.gaussian() * 3000.0) as i16);
        }
        for to in [
            SampleRate::Hz16000,
            SampleRate::Hz24000,
            SampleRate::Hz48000,
        ] {
            let fast = Resampler::new(SampleRate::Hz8000, to).expect("supported");
            #[cfg(target_arch = "x86_64")]
            let mut paths = std::vec![(fast.clone(), false)];
            #[cfg(not(target_arch = "x86_64"))]
            let paths = std::vec![(fast.clone(), false)];
            #[cfg(target_arch = "x86_64")]
            {
                paths[0].0.avx2 = None;
                if fast.avx2.is_some() {
                    paths.push((fast.clone(), true));
                }
            }
            for (r, fused) in paths {
                let want = one_at_a_time(&r, fused, &input);
                for chunk in [1, 7, 160, 161, 333] {
                    let mut r = r.clone();
                    let mut got = std::vec::Vec::new();
                    for c in input.chunks(chunk) {
                        let mut buf = std::vec![0i16; r.output_len(c.len())];
                        assert_eq!(r.process(c, &mut buf), Ok(buf.len()));
                        got.extend_from_slice(&buf);
                    }
                    assert_eq!(got, want, "{to}, fused {fused}, chunks of {chunk}");
                }
            }
        }
    }

    fn tone(freq: f64, rate: f64, amp: f64, n: usize) -> std::vec::Vec<i16> {
        (0..n)
            .map(|i| (amp * (TAU * freq * i as f64 / rate).sin()).round() as i16)
            .collect()
    }

    fn run(r: &mut Resampler, input: &[i16], frame: usize) -> std::vec::Vec<i16> {
        let mut out = std::vec::Vec::new();
        let mut buf = [0i16; 960];
        for chunk in input.chunks(frame) {
            let n = r.process(chunk, &mut buf).unwrap();
            out.extend_from_slice(&buf[..n]);
        }
        out
    }

    /// Power of `x` at `freq` (sine amplitude² / 2) by least squares.
    fn sine_fit(x: &[i16], freq: f64, rate: f64) -> (f64, f64) {
        let (mut c, mut s) = (0.0, 0.0);
        for (i, &v) in x.iter().enumerate() {
            let p = TAU * freq * i as f64 / rate;
            c += f64::from(v) * p.cos();
            s += f64::from(v) * p.sin();
        }
        let n = x.len() as f64;
        (2.0 * c / n, 2.0 * s / n)
    }

    #[test]
    fn round_trip_1khz_snr_and_delay() {
        for wide in [
            SampleRate::Hz16000,
            SampleRate::Hz24000,
            SampleRate::Hz48000,
        ] {
            let mut up = Resampler::new(SampleRate::Hz8000, wide).unwrap();
            let mut down = Resampler::new(wide, SampleRate::Hz8000).unwrap();
            let delay =
                up.delay_output_samples() / (wide.hz() / 8000) as f32 + down.delay_output_samples();
            assert_eq!(delay, 63.0);
            let x = tone(1000.0, 8000.0, 16_000.0, 8000);
            let hi = run(&mut up, &x, 160);
            assert_eq!(hi.len(), 8000 * (wide.hz() / 8000) as usize);
            let y = run(&mut down, &hi, wide.samples_in_ms(20));
            assert_eq!(y.len(), 8000);
            let d = delay as usize;
            let (mut sig, mut err) = (0.0, 0.0);
            for i in 400..8000 {
                let a = f64::from(x[i - d]);
                sig += a * a;
                err += (f64::from(y[i]) - a).powi(2);
            }
            let snr = 10.0 * (sig / err).log10();
            assert!(snr > 40.0, "{wide}: SNR {snr:.1} dB");
        }
    }

    #[test]
    fn stop_band_images_of_3900_hz() {
        let mut up = Resampler::new(SampleRate::Hz8000, SampleRate::Hz48000).unwrap();
        let x = tone(3900.0, 8000.0, 16_000.0, 4000);
        let y = run(&mut up, &x, 160);
        let y = &y[2400..]; // past the filter's start-up
        let input_power = 16_000.0f64.powi(2) / 2.0;
        // Images of 3.9 kHz at 8 kHz sampling: k·8000 ± 3900 Hz.
        let mut worst = f64::NEG_INFINITY;
        for k in 1..=3 {
            for f in [k as f64 * 8000.0 - 3900.0, k as f64 * 8000.0 + 3900.0] {
                if f <= 4200.0 || f >= 24_000.0 {
                    continue;
                }
                let (c, s) = sine_fit(y, f, 48_000.0);
                let db = 10.0 * ((c * c + s * s) / 2.0 / input_power).log10();
                worst = worst.max(db);
            }
        }
        assert!(worst < -50.0, "worst image {worst:.1} dB");
        // And the whole band above 4.2 kHz: the residual after removing the
        // 3.9 kHz tone and its 4.1 kHz image.
        let mut residual: std::vec::Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
        for f in [3900.0, 4100.0] {
            let (c, s) = sine_fit(y, f, 48_000.0);
            for (i, r) in residual.iter_mut().enumerate() {
                let p = TAU * f * i as f64 / 48_000.0;
                *r -= c * p.cos() + s * p.sin();
            }
        }
        let p = residual.iter().map(|r| r * r).sum::<f64>() / residual.len() as f64;
        let db = 10.0 * (p / input_power).log10();
        assert!(db < -50.0, "residual {db:.1} dB");
    }

    #[test]
    fn pass_band_is_flat() {
        let mut up = Resampler::new(SampleRate::Hz8000, SampleRate::Hz16000).unwrap();
        for f in [300.0, 1000.0, 2000.0, 3000.0, 3400.0] {
            up.reset();
            let x = tone(f, 8000.0, 10_000.0, 1600);
            let y = run(&mut up, &x, 160);
            let (c, s) = sine_fit(&y[400..], f, 16_000.0);
            let gain_db = 20.0 * ((c * c + s * s).sqrt() / 10_000.0).log10();
            assert!(gain_db.abs() < 0.05, "{f} Hz: {gain_db:.3} dB");
        }
    }

    #[test]
    fn errors_and_odd_lengths() {
        assert_eq!(
            Resampler::new(SampleRate::Hz16000, SampleRate::Hz48000).unwrap_err(),
            ResampleError::UnsupportedRates {
                from: SampleRate::Hz16000,
                to: SampleRate::Hz48000
            }
        );
        assert!(Resampler::new(SampleRate::Hz8000, SampleRate::Hz12000).is_err());
        let mut down = Resampler::new(SampleRate::Hz48000, SampleRate::Hz8000).unwrap();
        let mut out = [0i16; 10];
        assert_eq!(
            down.process(&[0; 100], &mut out[..5]),
            Err(ResampleError::OutputTooSmall { needed: 17, got: 5 })
        );
        // Odd chunk lengths give the same samples as whole frames.
        let x = tone(700.0, 48_000.0, 9000.0, 960 * 3);
        let whole = run(&mut down, &x, 960);
        down.reset();
        let odd = run(&mut down, &x, 7);
        assert_eq!(whole, odd);
        assert_eq!(whole.len(), 480);
    }
}
