//! Telephony signal processing for the media gateway.
//!
//! Everything here is sans-IO and works on 16-bit linear PCM at 8 kHz
//! ([`SAMPLE_RATE_HZ`]), normally in 20 ms frames of [`FRAME_SAMPLES`] samples,
//! although most functions take slices of any length.
//!
//! | module | what |
//! |---|---|
//! | [`level`] | dBm0 <-> linear conversions |
//! | [`g711`] | ITU-T G.711 µ-law and A-law, bit-exact |
//! | [`goertzel`] | single-bin DFT used by the tone detectors |
//! | [`dtmf`] | DTMF digits, generator and receiver (ITU-T Q.23/Q.24) |
//! | [`tone`] | call-progress tone plans and generator |
//! | [`progress`] | cadence-aware call-progress tone detector (FXO supervision) |
//! | [`voice`] | deterministic synthetic speech, for tests and talk-off checks |
//! | [`noise`] | seeded white noise / PRNG |
//! | [`pipeline`] | per-call media paths: line -> IP (DTMF squelch) and IP -> line |
//! | [`plc`] | G.711 packet-loss concealment (G.711 Appendix I class) |
//! | [`callerid`] | caller ID: Bell 202 / V.23 FSK, SDMF / MDMF, DTMF CLIP; generator and receiver |
//! | [`gain`] | fixed-point gain in dB with saturation |
//! | [`rate`] | sample-rate type shared by the resampler and Opus |
//! | [`resample`] | 8 kHz <-> 16/24/48 kHz polyphase FIR resampler |
//! | [`opus`] | safe wrapper over libopus (audiopus), caller-owned buffers |
//!
//! # Level convention
//!
//! Levels use spandsp's scale on 16-bit samples: a sine of peak 22 790 is
//! 0 dBm0 (RMS 16 115); −10 dBm0 is a peak of about 7 190; full scale is
//! about +3.14 dBm0. (The 14-bit G.711 scale is four times smaller; it is
//! never used in this crate's API.)
//!
//! # Memory
//!
//! Per-frame calls (`process`, `fill`, `mix`) never allocate: every state lives
//! in fixed arrays or `heapless` containers sized at compile time.
#![forbid(unsafe_code)]

/// Sample rate of every signal in this crate.
pub const SAMPLE_RATE_HZ: u32 = 8000;
/// Samples in one 20 ms frame.
pub const FRAME_SAMPLES: usize = 160;

pub mod callerid;
pub mod dtmf;
pub mod echo;
pub mod g711;
pub mod gain;
pub mod goertzel;
pub mod level;
pub mod noise;
pub mod opus;
mod oscillator;
pub mod pipeline;
pub mod plc;
pub mod progress;
pub mod rate;
pub mod resample;
mod simd;
pub mod tone;
pub mod voice;

/// Milliseconds to samples at [`SAMPLE_RATE_HZ`].
pub(crate) const fn ms_to_samples(ms: u32) -> u64 {
    ms as u64 * (SAMPLE_RATE_HZ as u64 / 1000)
}
