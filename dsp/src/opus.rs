//! Opus (RFC 6716) for the IP side, over Debian's libopus 1.3 through the
//! safe `audiopus` binding. Mono only; caller-owned buffers; typed errors.
//!
//! RTP carriage (RFC 7587) is not done here: the RTP clock is always 48 kHz
//! whatever rate the codec runs at, and one packet is one RTP payload.
//!
//! Frames must last 2.5, 5, 10, 20, 40 or 60 ms (RFC 6716 §2.1.4); this is
//! checked before libopus sees the call. Neither call allocates: libopus
//! keeps its state in the block allocated at construction.

use audiopus::coder::{Decoder, Encoder};
use audiopus::packet::Packet;
use audiopus::{Bitrate, Channels, MutSignals};

use crate::rate::SampleRate;

/// Largest Opus packet (RFC 6716 §3.4: 1275 bytes per frame).
pub const MAX_PACKET: usize = 1275;
/// Longest frame libopus decodes in one call (120 ms at 48 kHz).
pub const MAX_DECODE_SAMPLES: usize = 5760;

/// Encoder application mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Application {
    /// Speech intelligibility (the gateway's normal choice).
    Voip,
    /// Faithful reproduction of any audio.
    Audio,
    /// Lowest delay: CELT only, no speech modes.
    RestrictedLowDelay,
}

impl From<Application> for audiopus::Application {
    fn from(a: Application) -> Self {
        match a {
            Application::Voip => audiopus::Application::Voip,
            Application::Audio => audiopus::Application::Audio,
            Application::RestrictedLowDelay => audiopus::Application::LowDelay,
        }
    }
}

fn opus_rate(rate: SampleRate) -> audiopus::SampleRate {
    match rate {
        SampleRate::Hz8000 => audiopus::SampleRate::Hz8000,
        SampleRate::Hz12000 => audiopus::SampleRate::Hz12000,
        SampleRate::Hz16000 => audiopus::SampleRate::Hz16000,
        SampleRate::Hz24000 => audiopus::SampleRate::Hz24000,
        SampleRate::Hz48000 => audiopus::SampleRate::Hz48000,
    }
}

/// Why an Opus call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OpusError {
    /// Configuration out of range (the caller's fault): complexity above 10,
    /// bitrate outside 500..=512 000 b/s.
    InvalidConfig(&'static str),
    /// A PCM length that is not an Opus frame duration at this rate.
    BadFrameSize {
        /// Samples given.
        samples: usize,
        /// Codec rate.
        rate: SampleRate,
    },
    /// `out` is too small for the packet or the decoded frame.
    BufferTooSmall,
    /// The packet is empty or corrupt (the peer's fault).
    InvalidPacket,
    /// libopus failed in another way (allocation, internal error, bad
    /// argument); the libopus error code.
    Library(i32),
}

impl core::fmt::Display for OpusError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            OpusError::InvalidConfig(what) => write!(f, "invalid Opus configuration: {what}"),
            OpusError::BadFrameSize { samples, rate } => {
                write!(f, "{samples} samples is not an Opus frame at {rate}")
            }
            OpusError::BufferTooSmall => write!(f, "Opus output buffer too small"),
            OpusError::InvalidPacket => write!(f, "invalid Opus packet"),
            OpusError::Library(code) => write!(f, "libopus error {code}"),
        }
    }
}

impl std::error::Error for OpusError {}

impl From<audiopus::Error> for OpusError {
    fn from(e: audiopus::Error) -> Self {
        use audiopus::ErrorCode;
        match e {
            audiopus::Error::Opus(ErrorCode::BufferTooSmall) => OpusError::BufferTooSmall,
            audiopus::Error::Opus(ErrorCode::InvalidPacket) | audiopus::Error::EmptyPacket => {
                OpusError::InvalidPacket
            }
            audiopus::Error::Opus(code) => OpusError::Library(code as i32),
            audiopus::Error::InvalidComplexity(_) => OpusError::InvalidConfig("complexity"),
            audiopus::Error::InvalidBitrate(_) => OpusError::InvalidConfig("bitrate"),
            audiopus::Error::SignalsTooLarge | audiopus::Error::PacketTooLarge => {
                OpusError::BufferTooSmall
            }
            _ => OpusError::Library(-1),
        }
    }
}

/// True if `samples` is 2.5, 5, 10, 20, 40 or 60 ms at `rate`.
// `usize::is_multiple_of` needs Rust 1.87; the workspace's rust-version is 1.85.
#[allow(clippy::manual_is_multiple_of)]
pub fn is_frame_size(rate: SampleRate, samples: usize) -> bool {
    let per_2_5_ms = rate.hz() as usize / 400;
    samples > 0
        && samples % per_2_5_ms == 0
        && matches!(samples / per_2_5_ms, 1 | 2 | 4 | 8 | 16 | 24)
}

/// Mono Opus encoder.
#[derive(Debug)]
pub struct OpusEncoder {
    inner: Encoder,
    rate: SampleRate,
}

impl OpusEncoder {
    /// An encoder at `rate` (input PCM rate), `complexity` 0..=10,
    /// `bitrate` in bits per second, in-band FEC (RFC 6716 §2.1.7; the
    /// encoder is told to expect 10 % loss so it actually spends bits on it)
    /// and DTX.
    pub fn new(
        rate: SampleRate,
        application: Application,
        complexity: u8,
        bitrate: u32,
        fec: bool,
        dtx: bool,
    ) -> Result<OpusEncoder, OpusError> {
        if complexity > 10 {
            return Err(OpusError::InvalidConfig("complexity above 10"));
        }
        if !(500..=512_000).contains(&bitrate) {
            return Err(OpusError::InvalidConfig("bitrate outside 500..=512000"));
        }
        let mut inner = Encoder::new(opus_rate(rate), Channels::Mono, application.into())?;
        inner.set_complexity(complexity)?;
        inner.set_bitrate(Bitrate::BitsPerSecond(bitrate as i32))?;
        inner.set_inband_fec(fec)?;
        inner.set_packet_loss_perc(if fec { 10 } else { 0 })?;
        inner.set_dtx(dtx)?;
        Ok(OpusEncoder { inner, rate })
    }

    /// The PCM rate.
    pub fn rate(&self) -> SampleRate {
        self.rate
    }

    /// Samples the codec delays by (decoder output lags input by this many
    /// samples at the encoder's rate).
    pub fn lookahead(&self) -> Result<u32, OpusError> {
        Ok(self.inner.lookahead()?)
    }

    /// Tells the encoder how much loss to expect (drives FEC redundancy).
    pub fn set_packet_loss_percent(&mut self, percent: u8) -> Result<(), OpusError> {
        Ok(self.inner.set_packet_loss_perc(percent.min(100))?)
    }

    /// Encodes one frame of `pcm` into `out` ([`MAX_PACKET`] always fits);
    /// returns the packet length. With DTX on, packets of 1–2 bytes mean
    /// "silence"; whether to send them is the RTP layer's choice.
    pub fn encode(&mut self, pcm: &[i16], out: &mut [u8]) -> Result<usize, OpusError> {
        if !is_frame_size(self.rate, pcm.len()) {
            return Err(OpusError::BadFrameSize {
                samples: pcm.len(),
                rate: self.rate,
            });
        }
        if out.is_empty() {
            return Err(OpusError::BufferTooSmall);
        }
        let out = if out.len() > MAX_PACKET {
            &mut out[..MAX_PACKET]
        } else {
            out
        };
        Ok(self.inner.encode(pcm, out)?)
    }
}

/// Mono Opus decoder with packet-loss concealment and FEC recovery.
#[derive(Debug)]
pub struct OpusDecoder {
    inner: Decoder,
    rate: SampleRate,
}

impl OpusDecoder {
    /// A decoder producing PCM at `rate` (any Opus stream decodes at any rate).
    pub fn new(rate: SampleRate) -> Result<OpusDecoder, OpusError> {
        Ok(OpusDecoder {
            inner: Decoder::new(opus_rate(rate), Channels::Mono)?,
            rate,
        })
    }

    /// The PCM rate.
    pub fn rate(&self) -> SampleRate {
        self.rate
    }

    /// Decodes into `out`; returns the samples written.
    ///
    /// - `Some(packet)`, `fec == false`: normal decoding; `out` must hold the
    ///   packet's duration (up to [`MAX_DECODE_SAMPLES`]).
    /// - `None`: the packet was lost; fills `out` (a valid frame duration,
    ///   normally the lost packet's) by concealment (PLC).
    /// - `Some(next)`, `fec == true`: the packet *before* `next` was lost;
    ///   recovers it from `next`'s in-band FEC data (or conceals if `next`
    ///   has none). `out` must be exactly the lost frame's duration. Decode
    ///   `next` itself normally afterwards.
    pub fn decode(
        &mut self,
        packet: Option<&[u8]>,
        fec: bool,
        out: &mut [i16],
    ) -> Result<usize, OpusError> {
        if (packet.is_none() || fec) && !is_frame_size(self.rate, out.len()) {
            return Err(OpusError::BadFrameSize {
                samples: out.len(),
                rate: self.rate,
            });
        }
        if out.is_empty() {
            return Err(OpusError::BufferTooSmall);
        }
        let out = if out.len() > MAX_DECODE_SAMPLES {
            &mut out[..MAX_DECODE_SAMPLES]
        } else {
            out
        };
        let packet = match packet {
            Some(p) => Some(Packet::try_from(p)?),
            None => None,
        };
        let signals = MutSignals::try_from(out)?;
        Ok(self.inner.decode(packet, signals, fec)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resample::Resampler;
    use core::f64::consts::TAU;

    const RATES: [SampleRate; 3] = [SampleRate::Hz8000, SampleRate::Hz16000, SampleRate::Hz48000];

    fn tone(rate: SampleRate, n: usize) -> std::vec::Vec<i16> {
        (0..n)
            .map(|i| (8000.0 * (TAU * 1000.0 * i as f64 / f64::from(rate.hz())).sin()) as i16)
            .collect()
    }

    /// Two seconds of the synthetic voice at `rate` (resampled from 8 kHz).
    fn voice(rate: SampleRate) -> std::vec::Vec<i16> {
        let mut v = crate::voice::Voice::new(4);
        let mut narrow = vec![0i16; 16_000];
        v.fill(&mut narrow);
        if rate == SampleRate::Hz8000 {
            return narrow;
        }
        let mut r = Resampler::new(SampleRate::Hz8000, rate).unwrap();
        let mut out = vec![0i16; narrow.len() * (rate.hz() / 8000) as usize];
        r.process(&narrow, &mut out).unwrap();
        out
    }

    fn codec_round_trip(rate: SampleRate, pcm: &[i16], bitrate: u32) -> std::vec::Vec<i16> {
        let mut enc = OpusEncoder::new(rate, Application::Voip, 5, bitrate, false, false).unwrap();
        let mut dec = OpusDecoder::new(rate).unwrap();
        let frame = rate.samples_in_ms(20);
        let mut packet = [0u8; MAX_PACKET];
        let mut out = vec![0i16; frame];
        let mut y = std::vec::Vec::new();
        for chunk in pcm.chunks_exact(frame) {
            let n = enc.encode(chunk, &mut packet).unwrap();
            assert!(n > 0 && n <= MAX_PACKET);
            let m = dec.decode(Some(&packet[..n]), false, &mut out).unwrap();
            assert_eq!(m, frame);
            y.extend_from_slice(&out);
        }
        y
    }

    /// Best normalised correlation of `y` against `x` over lags 0..max_lag,
    /// skipping the first `skip` samples.
    fn best_correlation(x: &[i16], y: &[i16], max_lag: usize, skip: usize) -> (f64, usize) {
        let mut best = (f64::NEG_INFINITY, 0);
        for lag in 0..max_lag {
            let (mut xy, mut xx, mut yy) = (0.0, 0.0, 0.0);
            for i in skip..x.len() - max_lag {
                let a = f64::from(x[i]);
                let b = f64::from(y[i + lag]);
                xy += a * b;
                xx += a * a;
                yy += b * b;
            }
            let c = xy / (xx * yy).sqrt().max(1.0);
            if c > best.0 {
                best = (c, lag);
            }
        }
        best
    }

    #[test]
    fn tone_and_voice_survive_at_8_16_48_khz() {
        for rate in RATES {
            let lookahead = OpusEncoder::new(rate, Application::Voip, 5, 32_000, false, false)
                .unwrap()
                .lookahead()
                .unwrap() as usize;
            let max_lag = rate.samples_in_ms(20);
            let x = tone(rate, rate.samples_in_ms(1000));
            let y = codec_round_trip(rate, &x, 32_000);
            let (c, lag) = best_correlation(&x, &y, max_lag, rate.samples_in_ms(100));
            assert!(c > 0.95, "{rate} tone: correlation {c:.3} at lag {lag}");

            let x = voice(rate);
            let y = codec_round_trip(rate, &x, 32_000);
            let (c, lag) = best_correlation(&x, &y, max_lag, rate.samples_in_ms(100));
            assert!(c > 0.8, "{rate} voice: correlation {c:.3} at lag {lag}");
            // The codec's delay is its lookahead, within 0.25 ms (the tone's lag is ambiguous
            // by a period; the voice's is not).
            assert!(
                lag.abs_diff(lookahead) <= rate.samples_in_ms(1) / 4,
                "{rate}: lag {lag}, lookahead {lookahead}"
            );
        }
    }

    #[test]
    fn plc_fills_a_lost_packet() {
        let rate = SampleRate::Hz16000;
        let mut enc = OpusEncoder::new(rate, Application::Voip, 5, 24_000, false, false).unwrap();
        let mut dec = OpusDecoder::new(rate).unwrap();
        let x = tone(rate, rate.samples_in_ms(200));
        let mut packet = [0u8; MAX_PACKET];
        let mut out = [0i16; 320];
        for chunk in x.chunks_exact(320).take(5) {
            let n = enc.encode(chunk, &mut packet).unwrap();
            dec.decode(Some(&packet[..n]), false, &mut out).unwrap();
        }
        out = [0; 320];
        assert_eq!(dec.decode(None, false, &mut out).unwrap(), 320);
        let rms = (out.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / 320.0).sqrt();
        assert!(rms > 1000.0, "concealment is {rms:.0} RMS");
    }

    #[test]
    fn fec_recovers_a_lost_packet() {
        let rate = SampleRate::Hz16000;
        let frame = 320;
        let x = voice(rate);
        // Each run: encode with FEC, lose packet `lost`, recover it with FEC
        // or conceal it with PLC; compare the recovered frame to the input.
        let run = |use_fec: bool| -> f64 {
            let mut enc =
                OpusEncoder::new(rate, Application::Voip, 5, 24_000, true, false).unwrap();
            let mut dec = OpusDecoder::new(rate).unwrap();
            let delay = enc.lookahead().unwrap() as usize;
            let packets: std::vec::Vec<std::vec::Vec<u8>> = x
                .chunks_exact(frame)
                .map(|c| {
                    let mut p = [0u8; MAX_PACKET];
                    let n = enc.encode(c, &mut p).unwrap();
                    p[..n].to_vec()
                })
                .collect();
            let mut y = std::vec::Vec::new();
            let mut out = [0i16; 320];
            let (mut err, mut sig) = (0.0, 0.0);
            for (i, p) in packets.iter().enumerate() {
                let lost = i % 10 == 5 && i > 10;
                if lost {
                    let next = &packets[(i + 1).min(packets.len() - 1)];
                    let got = if use_fec {
                        dec.decode(Some(next), true, &mut out).unwrap()
                    } else {
                        dec.decode(None, false, &mut out).unwrap()
                    };
                    assert_eq!(got, frame);
                } else {
                    dec.decode(Some(p), false, &mut out).unwrap();
                }
                let start = y.len();
                y.extend_from_slice(&out);
                if lost {
                    for k in start..start + frame {
                        if k >= delay {
                            let a = f64::from(x[k - delay]);
                            sig += a * a;
                            err += (f64::from(y[k]) - a).powi(2);
                        }
                    }
                }
            }
            10.0 * (sig / err.max(1.0)).log10()
        };
        let with_fec = run(true);
        let plc = run(false);
        assert!(
            with_fec > plc + 3.0 && with_fec > 3.0,
            "FEC {with_fec:.1} dB vs PLC {plc:.1} dB"
        );
    }

    #[test]
    fn typed_errors() {
        assert_eq!(
            OpusEncoder::new(
                SampleRate::Hz8000,
                Application::Voip,
                11,
                16_000,
                false,
                false
            )
            .unwrap_err(),
            OpusError::InvalidConfig("complexity above 10")
        );
        let mut enc = OpusEncoder::new(
            SampleRate::Hz8000,
            Application::Voip,
            0,
            16_000,
            false,
            true,
        )
        .unwrap();
        assert_eq!(
            enc.encode(&[0; 100], &mut [0; 100]),
            Err(OpusError::BadFrameSize {
                samples: 100,
                rate: SampleRate::Hz8000
            })
        );
        assert_eq!(
            enc.encode(&[0; 160], &mut []),
            Err(OpusError::BufferTooSmall)
        );
        let mut dec = OpusDecoder::new(SampleRate::Hz8000).unwrap();
        let mut out = [0i16; 160];
        assert_eq!(
            dec.decode(Some(&[]), false, &mut out),
            Err(OpusError::InvalidPacket)
        );
        assert_eq!(
            dec.decode(None, false, &mut out[..100]),
            Err(OpusError::BadFrameSize {
                samples: 100,
                rate: SampleRate::Hz8000
            })
        );
        // Random packets: errors or audio, never a crash.
        let mut rng = crate::noise::Rng::new(5);
        let mut big = [0i16; MAX_DECODE_SAMPLES];
        for _ in 0..2000 {
            let mut p = [0u8; 64];
            let len = 1 + (rng.next_u64() % 64) as usize;
            for b in p[..len].iter_mut() {
                *b = rng.next_u64() as u8;
            }
            let _ = dec.decode(Some(&p[..len]), false, &mut big);
        }
        assert!(is_frame_size(SampleRate::Hz48000, 120));
        assert!(is_frame_size(SampleRate::Hz8000, 480));
        assert!(!is_frame_size(SampleRate::Hz8000, 0));
        assert!(!is_frame_size(SampleRate::Hz8000, 240));
    }
}
