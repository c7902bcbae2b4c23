//! Line echo cancellation for the 2-wire hybrid (ITU-T G.168).
//!
//! ```text
//!  far_end (to line) ──┬──────────────────────────────► hybrid ──┐
//!                      │                                         │ echo
//!                  [high-pass]                                   │ + near talker
//!                      │                                         ▼
//!              ┌── history (tail) ──┐                  near_end (from line)
//!              │                    │                            │
//!       background FIR          foreground FIR            [high-pass]
//!        (NLMS adapts)      (copied when bg wins)                │
//!              │                    │ ŷ                          │ d
//!              ▼                    └──────────► (−) ◄───────────┘
//!         e_bg = d − ŷ_bg                         │ e = d − ŷ
//!                                        Geigel + residual double talk
//!                                                 │
//!                                 NLP (suppress + comfort noise) ──► out
//! ```
//!
//! * **High-pass** ([`HighPass`]): 4th-order Butterworth at 150 Hz on the
//!   near end against the DC offset and 50/60 Hz hum of cheap FXO cards, and
//!   the same filter on the reference so the identified path stays the
//!   hybrid's.
//! * **Two-path NLMS** (Ochiai 1977, as in OSLEC): the background filter
//!   adapts with normalised step μ (optional leakage) whenever the far end is
//!   active and the Geigel detector sees no double talk; its update is
//!   pre-whitened (the `whitening` module) while its residual is more than
//!   10 dB above the line noise, plain NLMS below (its whitening filter is
//!   derived only from stretches of far-end signal loud enough to adapt on,
//!   so a pause leaves the last talkspurt's). It is copied to the
//!   foreground, which makes the output, only when it has done clearly
//!   better over 4 ms and, once the canceller has first converged (ERLE
//!   estimate 20 dB), only if it leaves the residual 18 dB under the near
//!   end, which a filter trained on a near talker cannot, and if a frozen
//!   snapshot of it (the *candidate*, retaken every 32 updates) also beats
//!   the foreground: the background's own error is an adapting filter's,
//!   which tracks a predictable residual that its taps, frozen, do not
//!   cancel. It is restored from the foreground when it has done much worse
//!   over 16 ms. Double talk the detector misses can therefore disturb the
//!   background but not the output.
//! * **Double talk**: Geigel (near > far maximum over the tail times the
//!   larger of −6 dB and the foreground's ℓ1 norm, capped at 0 dB; held
//!   30 ms) freezes adaptation. Once converged (ERLE estimate 15 dB), a
//!   residual louder than half the echo-estimate envelope also counts as a
//!   near-end talker for the NLP and for [`Canceller::double_talk`].
//! * **NLP** ([`nlp`](self) module): while echo may be present and no near
//!   talker is heard, the residual is faded out and replaced by comfort
//!   noise at the background level measured in far-end silence.
//!
//! All state is in fixed arrays sized for [`MAX_TAPS`] (64 ms); a frame
//! costs about 5 × taps multiply-adds per sample in one fused pass (SIMD:
//! `wide`, and AVX2+FMA chosen at run time on x86-64) and never allocates.
//! Results against G.168: `docs/ECHO.md`.
//! [`hybrid::EchoPath`] simulates the G.168 Annex D hybrids for tests.
//!
//! G.168 clauses exercised by `dsp/tests/g168_*.rs`: 6.4.2.3–6.4.2.4
//! (tests 2A/2B/2C convergence), 6.4.2.4 (3A/3B double talk), 6.4.2.6
//! (test 5, infinite return loss), 6.4.2.7 (test 6, narrow-band signals),
//! test 7 (stability), test 8 (in-band signalling), test 9 (comfort noise).

mod canceller;
mod double_talk;
mod high_pass;
mod history;
pub mod hybrid;
mod kernels;
#[cfg(target_arch = "x86_64")]
mod kernels_avx2;
mod nlp;
mod whitening;

pub use canceller::{Canceller, CancellerConfig, MAX_TAIL_MS, MIN_TAIL_MS};
pub use high_pass::{HighPass, CORNER_HZ};
pub use nlp::MAX_COMFORT_DBM0;

/// Longest filter, taps (64 ms at 8 kHz).
pub const MAX_TAPS: usize = 512;

/// A state that decays geometrically once its input stops (a smoothed power
/// in digital silence, the NLP's gain while it suppresses) reaches the
/// subnormal range and sticks at the smallest subnormal, and on x86 every
/// multiply by a subnormal takes a slow microcode path (the NLP's gain alone
/// took a tenth of the canceller's time). Below this (−200 dB, far under any
/// level the canceller compares) such states are set to 0 once per 160-sample
/// block; none decays faster than 1/16 per sample, so none gets from here to
/// the subnormals (1e−38) within a block.
pub(crate) const FLUSH: f32 = 1e-20;

/// Sets `x` to 0 if it is below [`FLUSH`] in magnitude.
#[inline]
pub(crate) fn flush(x: &mut f32) {
    if x.abs() < FLUSH {
        *x = 0.0;
    }
}

/// A configuration the canceller refuses.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum ConfigError {
    /// `tail_ms` outside [`MIN_TAIL_MS`]..=[`MAX_TAIL_MS`].
    TailOutOfRange(u32),
    /// `step` outside (0, 1].
    StepOutOfRange(f32),
    /// `leakage` outside [0, 0.001].
    LeakageOutOfRange(f32),
    /// `geigel_erl_db` outside 0..=20.
    GeigelOutOfRange(f32),
    /// `double_talk_hold_ms` above 500.
    HoldOutOfRange(u32),
}

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ConfigError::TailOutOfRange(ms) => write!(
                f,
                "echo tail {ms} ms outside {MIN_TAIL_MS}..={MAX_TAIL_MS} ms"
            ),
            ConfigError::StepOutOfRange(s) => write!(f, "NLMS step {s} outside (0, 1]"),
            ConfigError::LeakageOutOfRange(l) => write!(f, "leakage {l} outside [0, 0.001]"),
            ConfigError::GeigelOutOfRange(d) => {
                write!(f, "Geigel threshold {d} dB outside 0..=20 dB")
            }
            ConfigError::HoldOutOfRange(ms) => {
                write!(f, "double-talk hold {ms} ms above 500 ms")
            }
        }
    }
}

impl std::error::Error for ConfigError {}
