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
    /// `history[pos..pos + len]`.
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
        #[cfg(target_arch = "x86_64")]
        if let (Direction::Up, Some(v3)) = (self.direction, self.avx2) {
            return Ok(pulp::Simd::vectorize(
                v3,
                avx2::Upsample {
                    resampler: self,
                    input,
                    out,
                },
            ));
        }
        let mut written = 0;
        for &x in input {
            self.push(f32::from(x));
            match self.direction {
                Direction::Up => {
                    let hist = &self.history[self.pos..self.pos + TAPS_PER_PHASE];
                    for branch in
                        self.coeffs[..self.ratio * TAPS_PER_PHASE].chunks_exact(TAPS_PER_PHASE)
                    {
                        out[written] = saturate(crate::simd::dot(branch, hist));
                        written += 1;
                    }
                }
                Direction::Down => {
                    if self.phase == 0 {
                        let len = self.history_len;
                        let hist = &self.history[self.pos..self.pos + len];
                        out[written] = saturate(crate::simd::dot(&self.coeffs[..len], hist));
                        written += 1;
                    }
                    self.phase = (self.phase + 1) % self.ratio;
                }
            }
        }
        Ok(written)
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

/// Upsampling with AVX2 and FMA, chosen at run time on x86-64 through
/// `pulp` (safe API): the same branch filters in eight lanes with fused
/// multiply-adds, about twice as fast as the SSE2 baseline.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use pulp::{Simd, WithSimd};

    use super::{Resampler, TAPS_PER_PHASE};
    use crate::level::saturate;

    pub(super) struct Upsample<'a> {
        pub(super) resampler: &'a mut Resampler,
        pub(super) input: &'a [i16],
        pub(super) out: &'a mut [i16],
    }

    impl WithSimd for Upsample<'_> {
        type Output = usize;

        #[inline(always)]
        fn with_simd<S: Simd>(self, simd: S) -> usize {
            let r = self.resampler;
            let mut written = 0;
            for &x in self.input {
                r.push(f32::from(x));
                let hist = &r.history[r.pos..r.pos + TAPS_PER_PHASE];
                for branch in r.coeffs[..r.ratio * TAPS_PER_PHASE].chunks_exact(TAPS_PER_PHASE) {
                    self.out[written] = saturate(dot(simd, branch, hist));
                    written += 1;
                }
            }
            written
        }
    }

    #[inline(always)]
    fn dot<S: Simd>(simd: S, a: &[f32], b: &[f32]) -> f32 {
        let (va, ra) = S::as_simd_f32s(a);
        let (vb, rb) = S::as_simd_f32s(b);
        let mut acc = simd.splat_f32s(0.0);
        for (&x, &y) in va.iter().zip(vb) {
            acc = simd.mul_add_f32s(x, y, acc);
        }
        simd.reduce_sum_f32s(acc) + ra.iter().zip(rb).map(|(x, y)| x * y).sum::<f32>()
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
    fn avx2_upsampling_matches_the_baseline() {
        for to in [
            SampleRate::Hz16000,
            SampleRate::Hz24000,
            SampleRate::Hz48000,
        ] {
            let mut fast = Resampler::new(SampleRate::Hz8000, to).expect("supported");
            if fast.avx2.is_none() {
                eprintln!("no AVX2+FMA on this CPU: nothing to compare");
                return;
            }
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
