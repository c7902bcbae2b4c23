//! The codec of one call between the 8 kHz line and the IP client: G.711 (PCMU,
//! PCMA) or Opus (RFC 7587), each with its packet-loss concealment.
//!
//! ```text
//!  encode: line 8 kHz ─▶ [resample 8k→R] ─▶ Opus at R   (R = the client's
//!          maxplaybackrate, capped by media.opus_max_encode_rate_hz)
//!          line 8 kHz ─▶ G.711
//!  decode: Opus ─▶ libopus decodes straight to 8 kHz (the line's rate), PLC/FEC
//!          G.711 ─▶ table ─▶ dsp::plc::Concealer (G.711 Appendix I class)
//! ```
//!
//! Opus's RTP clock is 48 kHz whatever rate the codec runs at, so a 20 ms frame
//! is 960 timestamp units; G.711's is 160. Every call writes into caller-owned
//! buffers; construction allocates (libopus state), frames do not.

use dsp::g711::Law;
use dsp::opus::{Application, OpusDecoder, OpusEncoder, OpusError};
use dsp::plc::Concealer;
use dsp::rate::SampleRate;
use dsp::resample::Resampler;
use dsp::FRAME_SAMPLES;

/// The most 8 kHz samples one packet decodes to (120 ms).
pub const MAX_DECODED: usize = 960;
/// The most samples one 20 ms frame has at the encoder's rate (48 kHz).
const MAX_ENCODE_FRAME: usize = 960;

/// Opus encoder settings for a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpusSettings {
    /// Rate the encoder runs at (8, 16, 24 or 48 kHz).
    pub encode_rate: SampleRate,
    /// Bits per second.
    pub bitrate: u32,
    /// 0..=10.
    pub complexity: u8,
    /// In-band FEC (the client said `useinbandfec=1`).
    pub fec: bool,
    /// DTX (the client said `usedtx=1`).
    pub dtx: bool,
}

/// Why a codec could not be set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// libopus refused.
    #[error("Opus: {0}")]
    Opus(OpusError),
    /// The resampler does not do this rate.
    #[error("no resampler from 8 kHz to {0} Hz")]
    Rate(u32),
}

/// Line → IP.
#[derive(Debug)]
pub enum Encoder {
    /// G.711.
    G711(Law),
    /// Opus with the resampler to its rate (`None` at 8 kHz).
    Opus {
        /// The encoder.
        encoder: Box<OpusEncoder>,
        /// 8 kHz → its rate.
        resampler: Option<Box<Resampler>>,
        /// Resampled frame.
        wide: Box<[i16; MAX_ENCODE_FRAME]>,
    },
}

impl Encoder {
    /// An Opus encoder for `settings`.
    pub fn opus(settings: OpusSettings) -> Result<Encoder, CodecError> {
        let encoder = OpusEncoder::new(
            settings.encode_rate,
            Application::Voip,
            settings.complexity,
            settings.bitrate,
            settings.fec,
            settings.dtx,
        )
        .map_err(CodecError::Opus)?;
        let resampler = if settings.encode_rate == SampleRate::Hz8000 {
            None
        } else {
            Some(Box::new(
                Resampler::new(SampleRate::Hz8000, settings.encode_rate)
                    .map_err(|_| CodecError::Rate(settings.encode_rate.hz()))?,
            ))
        };
        Ok(Encoder::Opus {
            encoder: Box::new(encoder),
            resampler,
            wide: Box::new([0; MAX_ENCODE_FRAME]),
        })
    }

    /// RTP timestamp units per 20 ms frame.
    pub fn frame_units(&self) -> u32 {
        match self {
            Encoder::G711(_) => FRAME_SAMPLES as u32,
            Encoder::Opus { .. } => 960,
        }
    }

    /// Encode one line frame into `out`; the payload's length. `Ok(0)` means
    /// "nothing to send" (an Opus DTX frame).
    pub fn encode(
        &mut self,
        pcm: &[i16; FRAME_SAMPLES],
        out: &mut [u8],
    ) -> Result<usize, OpusError> {
        match self {
            Encoder::G711(law) => {
                let out = out
                    .get_mut(..FRAME_SAMPLES)
                    .ok_or(OpusError::BufferTooSmall)?;
                law.encode(pcm, out);
                Ok(FRAME_SAMPLES)
            }
            Encoder::Opus {
                encoder,
                resampler,
                wide,
            } => {
                let n = match resampler {
                    None => {
                        wide[..FRAME_SAMPLES].copy_from_slice(pcm);
                        FRAME_SAMPLES
                    }
                    Some(r) => r
                        .process(pcm, &mut wide[..])
                        .map_err(|_| OpusError::BufferTooSmall)?,
                };
                let len = encoder.encode(&wide[..n], out)?;
                // DTX: a 1- or 2-byte packet means "silence, not worth sending".
                Ok(if len <= 2 { 0 } else { len })
            }
        }
    }
}

/// IP → line. Everything comes out at 8 kHz.
#[derive(Debug)]
pub enum Decoder {
    /// G.711 with its concealer.
    G711 {
        /// The law.
        law: Law,
        /// Appendix I class PLC.
        plc: Box<Concealer>,
    },
    /// Opus decoding at 8 kHz (its own PLC and FEC).
    Opus {
        /// The decoder.
        decoder: Box<OpusDecoder>,
        /// Frames concealed in a row since the last good packet.
        concealed: u32,
    },
}

/// Opus's concealment extrapolates for this many frames (100 ms); after that a
/// silent client is silence on the line, not an endless synthetic noise.
pub const OPUS_CONCEAL_FRAMES: u32 = 5;

impl Decoder {
    /// A G.711 decoder.
    pub fn g711(law: Law) -> Decoder {
        Decoder::G711 {
            law,
            plc: Box::new(Concealer::new()),
        }
    }

    /// An Opus decoder producing 8 kHz.
    pub fn opus() -> Result<Decoder, CodecError> {
        Ok(Decoder::Opus {
            decoder: Box::new(OpusDecoder::new(SampleRate::Hz8000).map_err(CodecError::Opus)?),
            concealed: 0,
        })
    }

    /// RTP timestamp units per 8 kHz sample.
    pub fn units_per_sample(&self) -> u32 {
        match self {
            Decoder::G711 { .. } => 1,
            Decoder::Opus { .. } => 6,
        }
    }

    /// Decode a packet into `out`; samples written (0 for an unusable packet).
    pub fn decode(&mut self, payload: &[u8], out: &mut [i16; MAX_DECODED]) -> usize {
        match self {
            Decoder::G711 { law, plc } => {
                let n = payload.len().min(MAX_DECODED);
                let n = law.decode(&payload[..n], &mut out[..n]);
                plc.good(&mut out[..n]);
                n
            }
            Decoder::Opus { decoder, concealed } => {
                *concealed = 0;
                decoder
                    .decode(Some(payload), false, &mut out[..])
                    .unwrap_or(0)
            }
        }
    }

    /// True if `payload` carries in-band FEC for the packet before it (an
    /// Opus packet with an LBRR frame; never G.711).
    pub fn carries_fec(&self, payload: &[u8]) -> bool {
        match self {
            Decoder::G711 { .. } => false,
            Decoder::Opus { .. } => super::opus_packet::has_lbrr(payload),
        }
    }

    /// Conceal one lost 20 ms frame. `next` is the packet after the lost one if
    /// it is already here: when it carries Opus in-band FEC the lost frame is
    /// recovered from it. True only when it was (otherwise PLC extrapolates).
    pub fn conceal(&mut self, next: Option<&[u8]>, out: &mut [i16; FRAME_SAMPLES]) -> bool {
        match self {
            Decoder::G711 { plc, .. } => {
                plc.conceal(out);
                false
            }
            Decoder::Opus { decoder, concealed } => {
                if let Some(next) = next.filter(|p| super::opus_packet::has_lbrr(p)) {
                    if decoder.decode(Some(next), true, out).is_ok() {
                        return true;
                    }
                }
                *concealed = concealed.saturating_add(1);
                if *concealed > OPUS_CONCEAL_FRAMES || decoder.decode(None, false, out).is_err() {
                    out.fill(0);
                }
                false
            }
        }
    }
}

/// The Opus rate for a `maxplaybackrate` hint capped at `cap` Hz: the highest
/// rate the resampler does (8, 16, 24, 48 kHz) not above either.
pub fn opus_encode_rate(maxplaybackrate: Option<u32>, cap: u32) -> SampleRate {
    let limit = maxplaybackrate.unwrap_or(48_000).min(cap);
    [
        SampleRate::Hz48000,
        SampleRate::Hz24000,
        SampleRate::Hz16000,
        SampleRate::Hz8000,
    ]
    .into_iter()
    .find(|r| r.hz() <= limit)
    .unwrap_or(SampleRate::Hz8000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_rate_follows_maxplaybackrate_and_the_cap() {
        assert_eq!(opus_encode_rate(None, 48_000), SampleRate::Hz48000);
        assert_eq!(opus_encode_rate(Some(16_000), 48_000), SampleRate::Hz16000);
        assert_eq!(opus_encode_rate(Some(12_000), 48_000), SampleRate::Hz8000);
        assert_eq!(opus_encode_rate(None, 24_000), SampleRate::Hz24000);
    }

    #[test]
    fn opus_concealment_falls_silent_after_its_limit() {
        use dsp::opus::{Application, OpusEncoder};
        let mut enc = OpusEncoder::new(
            SampleRate::Hz8000,
            Application::Voip,
            5,
            24_000,
            false,
            false,
        )
        .unwrap();
        let mut dec = Decoder::opus().unwrap();
        let tone: Vec<i16> = (0..FRAME_SAMPLES)
            .map(|i| (8000.0 * (i as f32 * 0.785).sin()) as i16)
            .collect();
        let mut packet = [0u8; 400];
        let mut out = [0i16; MAX_DECODED];
        for _ in 0..10 {
            let n = enc.encode(&tone, &mut packet).unwrap();
            dec.decode(&packet[..n], &mut out);
        }
        let mut frame = [0i16; FRAME_SAMPLES];
        let mut levels = Vec::new();
        for _ in 0..10 {
            dec.conceal(None, &mut frame);
            levels.push(dsp::level::rms_dbm0(&frame));
        }
        assert!(
            levels[0] > -40.0,
            "concealment first extrapolates: {levels:?}"
        );
        let limit = OPUS_CONCEAL_FRAMES as usize;
        assert!(
            levels[limit..]
                .iter()
                .all(|l| *l <= dsp::level::SILENCE_DBM0),
            "{levels:?}"
        );
    }

    #[test]
    fn opus_round_trip_and_fec() {
        use dsp::opus::OpusEncoder;
        let settings = OpusSettings {
            encode_rate: SampleRate::Hz48000,
            bitrate: 24_000,
            complexity: 5,
            fec: true,
            dtx: false,
        };
        let mut enc = Encoder::opus(settings).unwrap();
        let mut dec = Decoder::opus().unwrap();
        let mut v = dsp::voice::Voice::new(3);
        let mut pcm = [0i16; FRAME_SAMPLES];
        let mut pkt = [0u8; 1500];
        let mut out = [0i16; MAX_DECODED];
        for _ in 0..20 {
            v.fill(&mut pcm);
            let n = enc.encode(&pcm, &mut pkt).unwrap();
            assert!(n > 2);
            assert_eq!(dec.decode(&pkt[..n], &mut out), FRAME_SAMPLES);
        }
        v.fill(&mut pcm);
        let n = enc.encode(&pcm, &mut pkt).unwrap();
        let mut lost = [0i16; FRAME_SAMPLES];
        assert!(dec.carries_fec(&pkt[..n]));
        assert!(dec.conceal(Some(&pkt[..n]), &mut lost));
        // A next packet without LBRR is no recovery: PLC, reported as such.
        let mut plain = OpusEncoder::new(
            SampleRate::Hz48000,
            dsp::opus::Application::Voip,
            5,
            24_000,
            false,
            false,
        )
        .unwrap();
        let mut wide = [0i16; 960];
        for (i, w) in wide.iter_mut().enumerate() {
            *w = pcm[i / 6];
        }
        let n = plain.encode(&wide, &mut pkt).unwrap();
        assert!(!dec.carries_fec(&pkt[..n]));
        assert!(!dec.conceal(Some(&pkt[..n]), &mut lost));
        assert_eq!(enc.frame_units(), 960);
        assert_eq!(dec.units_per_sample(), 6);
    }
}
