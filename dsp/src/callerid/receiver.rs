//! Caller ID receiver for FXO ports: FSK demodulation, UART framing and
//! message assembly, and/or DTMF CLIP.
//!
//! # FSK framing
//!
//! ```text
//!              ≥ MIN_MARK_BITS marks, then a 0 (start bit)
//!   Hunt ─────────────────────────────────────────────▶ Data (8 bits, LSB first)
//!    ▲  ▲                                                   │
//!    │  │ stop bit is 0 → Framing error                    ▼
//!    │  └──────────────────────────────────────────────── Stop ── 1 ──▶ Gap
//!    │                                                                 │ 0 (start)
//!    │  message complete (Ok or Err) / carrier lost / gap too long     ▼
//!    └───────────────────────────────────────────────────────────── Data …
//! ```
//! The channel seizure (0101…) frames as 0x55 characters; requiring a run of
//! marks first (the 180-bit mark signal, 80 bits off hook) makes the
//! receiver skip it, and also skip noise decoded while the carrier detector
//! is on without a signal. The first character must be a message type, the
//! second its length; when `3 + length` characters have arrived the message
//! is parsed with [`CallerIdMessage::parse`].
//!
//! # DTMF CLIP
//!
//! Digits from a [`crate::dtmf::Detector`] are collected from a start code
//! (A, B, D) to an end code (C, #) and decoded with [`dtmf_clip::decode`]; a
//! sequence with no digit for [`DTMF_TIMEOUT_MS`] is reported as
//! [`ReceiveError::DtmfTimeout`].

use heapless::{Deque, String, Vec};

use super::dtmf_clip::{self, DtmfClipError, MAX_CLIP_DIGITS};
use super::fsk::{DemodEvent, Demodulator};
use super::message::{
    message_len, CallerIdMessage, MessageError, MAX_MESSAGE, TYPE_MDMF, TYPE_SDMF,
};
use crate::dtmf::{self, DtmfEvent};

/// Marks that must precede the first character (the mark signal is 180 bits
/// on hook and 80 off hook, GR-30 / EN 300 659-1 allow ±25 on the latter).
pub const MIN_MARK_BITS: u32 = 30;
/// Most mark bits tolerated between two characters of one message
/// (GR-30 allows up to 10; some exchanges send more).
pub const MAX_GAP_BITS: u32 = 40;
/// Longest silence between two DTMF CLIP digits.
pub const DTMF_TIMEOUT_MS: u32 = 1000;
const RESULT_CAPACITY: usize = 4;

/// What the receiver listens for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReceiverConfig {
    /// Listen for FSK (either standard: the demodulator covers both).
    pub fsk: bool,
    /// Listen for DTMF CLIP.
    pub dtmf: bool,
    /// Weakest FSK carrier accepted, dBm0.
    pub min_level_dbm0: f32,
}

impl Default for ReceiverConfig {
    fn default() -> Self {
        Self {
            fsk: true,
            dtmf: true,
            min_level_dbm0: -48.0,
        }
    }
}

/// Why a caller ID transmission was not decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReceiveError {
    /// All characters arrived but the message is invalid.
    Message(MessageError),
    /// A stop bit was a space, after `received` characters.
    Framing {
        /// Characters received before the bad one.
        received: usize,
    },
    /// The carrier dropped, or the characters stopped, mid-message.
    Incomplete {
        /// Characters received.
        received: usize,
    },
    /// A DTMF CLIP sequence that does not decode.
    DtmfClip(DtmfClipError),
    /// A DTMF CLIP sequence stopped before its end code.
    DtmfTimeout,
}

impl core::fmt::Display for ReceiveError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ReceiveError::Message(e) => e.fmt(f),
            ReceiveError::Framing { received } => {
                write!(f, "FSK framing error after {received} characters")
            }
            ReceiveError::Incomplete { received } => {
                write!(f, "caller ID message stopped after {received} characters")
            }
            ReceiveError::DtmfClip(e) => e.fmt(f),
            ReceiveError::DtmfTimeout => write!(f, "DTMF CLIP sequence timed out"),
        }
    }
}

impl std::error::Error for ReceiveError {}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Framer {
    Hunt { marks: u32 },
    Data { byte: u8, bits: u8 },
    Stop { byte: u8 },
    Gap { marks: u32 },
}

/// Caller ID receiver: feed 8 kHz samples with [`Receiver::process`], then
/// drain [`Receiver::poll_message`].
#[derive(Debug)]
pub struct Receiver {
    config: ReceiverConfig,
    demod: Demodulator,
    framer: Framer,
    bytes: Vec<u8, MAX_MESSAGE>,
    detector: dtmf::Detector,
    digits: String<MAX_CLIP_DIGITS>,
    last_digit_at: u64,
    /// Samples fed so far.
    seen: u64,
    /// FSK results are dropped until this sample (after DTMF digits).
    fsk_quiet_until: u64,
    results: Deque<Result<CallerIdMessage, ReceiveError>, RESULT_CAPACITY>,
    dropped: u64,
}

impl Receiver {
    /// A receiver with `config`.
    pub fn new(config: ReceiverConfig) -> Self {
        Self {
            config,
            demod: Demodulator::new(config.min_level_dbm0),
            framer: Framer::Hunt { marks: 0 },
            bytes: Vec::new(),
            detector: dtmf::Detector::new(dtmf::DetectorConfig::default()),
            digits: String::new(),
            last_digit_at: 0,
            seen: 0,
            fsk_quiet_until: 0,
            results: Deque::new(),
            dropped: 0,
        }
    }

    /// Feeds samples (any length).
    pub fn process(&mut self, samples: &[i16]) {
        self.seen += samples.len() as u64;
        if self.config.fsk {
            // 160 samples carry at most 27 bits (hard syncs included) and two
            // carrier events.
            for chunk in samples.chunks(crate::FRAME_SAMPLES) {
                let mut events: Vec<DemodEvent, 48> = Vec::new();
                self.demod.process(chunk, |e| {
                    let _ = events.push(e);
                });
                for e in events {
                    self.on_demod(e);
                }
            }
        }
        if self.config.dtmf {
            self.detector.process(samples);
            while let Some(e) = self.detector.poll_event() {
                if let DtmfEvent::Start { digit, at, .. } = e {
                    self.on_digit(digit.as_char(), at);
                }
            }
            self.seen = self.detector.samples_seen();
            let timeout = crate::ms_to_samples(DTMF_TIMEOUT_MS);
            if !self.digits.is_empty()
                && self
                    .detector
                    .samples_seen()
                    .saturating_sub(self.last_digit_at)
                    > timeout
                && self.detector.current_digit().is_none()
            {
                self.digits.clear();
                self.emit(Err(ReceiveError::DtmfTimeout));
            }
        }
    }

    /// The next decoded message or error, oldest first.
    pub fn poll_message(&mut self) -> Option<Result<CallerIdMessage, ReceiveError>> {
        self.results.pop_front()
    }

    /// Results lost because the caller did not poll.
    pub fn dropped_results(&self) -> u64 {
        self.dropped
    }

    /// True while an FSK carrier is present.
    pub fn carrier(&self) -> bool {
        self.demod.carrier()
    }

    /// Forgets any partial message (e.g. on off-hook).
    pub fn reset(&mut self) {
        *self = Self::new(self.config);
    }

    /// FSK results: errors only once a valid type byte arrived (before that
    /// it is noise), and nothing while DTMF CLIP is being received (DTMF
    /// digits lie in the FSK band and demodulate as marks and noise).
    fn emit_fsk(&mut self, r: Result<CallerIdMessage, ReceiveError>) {
        if r.is_err() && self.bytes.is_empty() {
            return;
        }
        if self.config.dtmf && (!self.digits.is_empty() || self.seen < self.fsk_quiet_until) {
            return;
        }
        self.emit(r);
    }

    fn emit(&mut self, r: Result<CallerIdMessage, ReceiveError>) {
        if self.results.push_back(r).is_err() {
            self.dropped += 1;
        }
    }

    fn on_demod(&mut self, e: DemodEvent) {
        match e {
            DemodEvent::CarrierUp => self.framer = Framer::Hunt { marks: 0 },
            DemodEvent::CarrierDown => {
                if !matches!(self.framer, Framer::Hunt { .. }) {
                    let received = self.bytes.len();
                    self.emit_fsk(Err(ReceiveError::Incomplete { received }));
                }
                self.framer = Framer::Hunt { marks: 0 };
            }
            DemodEvent::Bit(bit) => self.on_bit(bit),
        }
    }

    fn on_bit(&mut self, bit: bool) {
        self.framer = match (self.framer, bit) {
            (Framer::Hunt { marks }, true) => Framer::Hunt {
                marks: marks.saturating_add(1),
            },
            (Framer::Hunt { marks }, false) if marks >= MIN_MARK_BITS => {
                self.bytes.clear();
                Framer::Data { byte: 0, bits: 0 }
            }
            (Framer::Hunt { .. }, false) => Framer::Hunt { marks: 0 },
            (Framer::Data { byte, bits }, b) => {
                let byte = byte | (u8::from(b) << bits);
                if bits == 7 {
                    Framer::Stop { byte }
                } else {
                    Framer::Data {
                        byte,
                        bits: bits + 1,
                    }
                }
            }
            (Framer::Stop { .. }, false) => {
                let received = self.bytes.len();
                self.emit_fsk(Err(ReceiveError::Framing { received }));
                Framer::Hunt { marks: 0 }
            }
            (Framer::Stop { byte }, true) => self.on_byte(byte),
            (Framer::Gap { marks }, true) if marks + 1 > MAX_GAP_BITS => {
                let received = self.bytes.len();
                self.emit_fsk(Err(ReceiveError::Incomplete { received }));
                Framer::Hunt { marks: marks + 1 }
            }
            (Framer::Gap { marks }, true) => Framer::Gap { marks: marks + 1 },
            (Framer::Gap { .. }, false) => Framer::Data { byte: 0, bits: 0 },
        };
    }

    fn on_byte(&mut self, byte: u8) -> Framer {
        if self.bytes.is_empty() && byte != TYPE_SDMF && byte != TYPE_MDMF {
            // Not a call setup message (message waiting 0x06/0x82, or noise
            // that framed as a character): ignored silently.
            return Framer::Hunt { marks: 0 };
        }
        // Cannot overflow: the message is complete at `message_len` <= MAX_MESSAGE.
        let _ = self.bytes.push(byte);
        match message_len(&self.bytes) {
            Some(total) if self.bytes.len() >= total => {
                let r = CallerIdMessage::parse(&self.bytes).map_err(ReceiveError::Message);
                self.emit_fsk(r);
                self.bytes.clear();
                Framer::Hunt { marks: 0 }
            }
            _ => Framer::Gap { marks: 0 },
        }
    }

    fn on_digit(&mut self, c: char, at: u64) {
        if self.digits.is_empty() && !dtmf_clip::is_start(c) {
            return;
        }
        self.last_digit_at = at;
        self.fsk_quiet_until = at + crate::ms_to_samples(DTMF_TIMEOUT_MS);
        if self.digits.push(c).is_err() {
            self.digits.clear();
            self.emit(Err(ReceiveError::DtmfClip(DtmfClipError::TooLong)));
            return;
        }
        if dtmf_clip::is_end(c) {
            let r = dtmf_clip::decode(&self.digits).map_err(ReceiveError::DtmfClip);
            self.digits.clear();
            self.emit(r);
        }
    }
}

impl Default for Receiver {
    fn default() -> Self {
        Self::new(ReceiverConfig::default())
    }
}
