//! Caller ID transmitter for FXS ports: FSK (Bell 202 / V.23) or DTMF CLIP.
//!
//! ```text
//!           send(msg)                          last bit / digit sent
//!   Idle ─────────────▶ Sending ─────────────────────────────────────▶ Idle
//! ```
//! When to send (after the first ring in North America, before it after a
//! polarity reversal in much of Europe) is the line state machine's job;
//! this only produces the samples.

use heapless::Vec;

use super::dtmf_clip::{self, ClipStart, DtmfClipError};
use super::fsk::{FskStandard, Modulator};
use super::message::{CallerIdMessage, EncodeError, Format, MAX_MESSAGE};
use crate::dtmf;
use crate::level::saturate;

/// Mark bits sent after the last character, so the receiver's decision on the
/// last stop bit is not cut short by the end of the carrier.
pub const TRAILING_MARK_BITS: u32 = 10;

/// FSK transmission parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FskConfig {
    /// Tone plan.
    pub standard: FskStandard,
    /// Send level, dBm0.
    pub level_dbm0: f32,
    /// Alternating 0101… bits before the marks (GR-30 / EN 300 659-1: 300;
    /// 0 for off-hook caller ID on call waiting).
    pub seizure_bits: u16,
    /// Mark bits before the message (180 on hook; 80 off hook).
    pub mark_bits: u16,
    /// Message format.
    pub format: Format,
}

impl FskConfig {
    /// North American on-hook caller ID: Bell 202, 300 + 180 bits, MDMF, −13 dBm0.
    pub fn bellcore() -> Self {
        Self {
            standard: FskStandard::Bell202,
            level_dbm0: -13.0,
            seizure_bits: 300,
            mark_bits: 180,
            format: Format::Mdmf,
        }
    }

    /// ETSI EN 300 659-1 on-hook caller ID: V.23, 300 + 180 bits, MDMF, −13 dBm0.
    pub fn etsi() -> Self {
        Self {
            standard: FskStandard::V23,
            ..Self::bellcore()
        }
    }
}

/// DTMF CLIP transmission parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DtmfClipConfig {
    /// Start code in front of a number.
    pub start: ClipStart,
    /// Digit levels and timing.
    pub tone: dtmf::GeneratorConfig,
}

impl Default for DtmfClipConfig {
    fn default() -> Self {
        Self {
            start: ClipStart::A,
            tone: dtmf::GeneratorConfig {
                level_dbm0: -10.0,
                twist_db: 0.0,
                on_ms: 70,
                off_ms: 70,
            },
        }
    }
}

/// How caller ID is signalled on the line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Signalling {
    /// FSK data message.
    Fsk(FskConfig),
    /// DTMF digits.
    Dtmf(DtmfClipConfig),
}

/// Why a message cannot be sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GeneratorError {
    /// A message is still being sent.
    Busy,
    /// The message cannot be coded for FSK.
    Encode(EncodeError),
    /// The message cannot be coded as DTMF CLIP.
    DtmfClip(DtmfClipError),
}

impl core::fmt::Display for GeneratorError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            GeneratorError::Busy => write!(f, "caller ID generator busy"),
            GeneratorError::Encode(e) => e.fmt(f),
            GeneratorError::DtmfClip(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for GeneratorError {}

/// Caller ID transmitter. [`Generator::send`] a message, then
/// [`Generator::fill`] frames until [`Generator::is_idle`].
#[derive(Debug)]
pub struct Generator {
    signalling: Signalling,
    modulator: Modulator,
    dtmf: dtmf::Generator,
    bytes: Vec<u8, MAX_MESSAGE>,
    next_bit: u32,
    total_bits: u32,
}

impl Generator {
    /// A generator for `signalling`.
    pub fn new(signalling: Signalling) -> Self {
        let (modulator, tone) = match signalling {
            Signalling::Fsk(c) => (
                Modulator::new(c.standard, c.level_dbm0),
                dtmf::GeneratorConfig::default(),
            ),
            Signalling::Dtmf(c) => (Modulator::new(FskStandard::Bell202, -13.0), c.tone),
        };
        Self {
            signalling,
            modulator,
            dtmf: dtmf::Generator::new(tone),
            bytes: Vec::new(),
            next_bit: 0,
            total_bits: 0,
        }
    }

    /// Starts sending `msg`. Nothing is queued on error.
    pub fn send(&mut self, msg: &CallerIdMessage) -> Result<(), GeneratorError> {
        if !self.is_idle() {
            return Err(GeneratorError::Busy);
        }
        match self.signalling {
            Signalling::Fsk(c) => {
                let mut buf = [0u8; MAX_MESSAGE];
                let n = msg
                    .encode(c.format, &mut buf)
                    .map_err(GeneratorError::Encode)?;
                self.bytes.clear();
                // Cannot fail: `n <= MAX_MESSAGE`.
                let _ = self.bytes.extend_from_slice(&buf[..n]);
                self.next_bit = 0;
                self.total_bits = u32::from(c.seizure_bits)
                    + u32::from(c.mark_bits)
                    + 10 * n as u32
                    + TRAILING_MARK_BITS;
                self.modulator.restart();
            }
            Signalling::Dtmf(c) => {
                let digits = dtmf_clip::encode(msg, c.start).map_err(GeneratorError::DtmfClip)?;
                // Cannot fail: at most MAX_CLIP_DIGITS (22) valid digits on an
                // idle generator whose queue holds 64.
                let _ = self.dtmf.queue_str(&digits);
            }
        }
        Ok(())
    }

    /// Nothing left to send.
    pub fn is_idle(&self) -> bool {
        self.next_bit >= self.total_bits && self.dtmf.is_idle()
    }

    /// Abandons the message being sent (e.g. the called party answered).
    pub fn cancel(&mut self) {
        self.next_bit = self.total_bits;
        self.dtmf = dtmf::Generator::new(match self.signalling {
            Signalling::Dtmf(c) => c.tone,
            Signalling::Fsk(_) => dtmf::GeneratorConfig::default(),
        });
    }

    /// Overwrites `out` with the signal (silence when idle). Returns true if
    /// any signal sample was written.
    pub fn fill(&mut self, out: &mut [i16]) -> bool {
        if let Signalling::Dtmf(_) = self.signalling {
            return self.dtmf.fill(out);
        }
        let mut any = false;
        for s in out.iter_mut() {
            *s = if self.modulator.at_bit_boundary() {
                if self.next_bit >= self.total_bits {
                    0
                } else {
                    let bit = self.bit_at(self.next_bit);
                    self.next_bit += 1;
                    any = true;
                    saturate(self.modulator.next_sample(|| bit))
                }
            } else {
                any = true;
                saturate(self.modulator.next_sample(|| true))
            };
        }
        any
    }

    /// Bit `k` of the transmission: seizure, marks, framed bytes, marks.
    fn bit_at(&self, k: u32) -> bool {
        let Signalling::Fsk(c) = self.signalling else {
            return true;
        };
        let seizure = u32::from(c.seizure_bits);
        let marks = seizure + u32::from(c.mark_bits);
        if k < seizure {
            return k % 2 == 1; // 0101…
        }
        if k < marks {
            return true;
        }
        let j = k - marks;
        let (byte, pos) = ((j / 10) as usize, j % 10);
        match (self.bytes.get(byte), pos) {
            (Some(_), 0) => false,                         // start bit
            (Some(b), 1..=8) => (b >> (pos - 1)) & 1 == 1, // LSB first
            _ => true,                                     // stop bit, trailing marks
        }
    }
}
