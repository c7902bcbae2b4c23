//! The `[media]` table: codecs, DTMF transport, jitter buffer, Opus, echo
//! control and the DTMF squelch (documented in docs/CONFIGURATION.md).

use serde::Deserialize;

/// An audio codec the gateway can speak toward IP clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
pub enum Codec {
    /// G.711 µ-law, static payload type 0.
    #[serde(rename = "PCMU")]
    Pcmu,
    /// G.711 A-law, static payload type 8.
    #[serde(rename = "PCMA")]
    Pcma,
    /// Opus (RFC 7587), dynamic payload type 111 in our offers.
    #[serde(rename = "opus", alias = "OPUS")]
    Opus,
}

/// Codec preferences, DTMF transport, jitter buffer, Opus and echo control
/// (the `[media]` table; documented in docs/CONFIGURATION.md).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaConfig {
    /// Codecs in order of preference.
    #[serde(default = "default_codecs")]
    pub codecs: Vec<Codec>,
    /// Payload type offered for RFC 4733 telephone-event.
    #[serde(default = "default_te_pt")]
    pub telephone_event_payload_type: u8,
    /// Frames (20 ms each) of spare audio buffered before playout starts.
    #[serde(default = "default_jitter_frames")]
    pub jitter_frames: u8,
    /// Least spare audio the adaptive jitter buffer keeps, ms.
    #[serde(default)]
    pub jitter_min_ms: u16,
    /// Most spare audio the adaptive jitter buffer keeps, ms (at most 400).
    #[serde(default = "default_jitter_max_ms")]
    pub jitter_max_ms: u16,
    /// Opus bit rate toward clients, bits per second.
    #[serde(default = "default_opus_bitrate")]
    pub opus_bitrate: u32,
    /// Opus encoder complexity, 0..=10.
    #[serde(default = "default_opus_complexity")]
    pub opus_complexity: u8,
    /// Highest rate the Opus encoder runs at (the client's maxplaybackrate may
    /// lower it): 8000, 16000, 24000 or 48000.
    #[serde(default = "default_opus_rate")]
    pub opus_max_encode_rate_hz: u32,
    /// Line echo canceller tail, ms (16..=64).
    #[serde(default = "default_echo_tail_ms")]
    pub echo_tail_ms: u16,
    /// Delay the DTMF squelch may add to the line's audio, ms (0..=19). 19 ms
    /// lets no part of a tone reach the client; the default 1 ms stays within
    /// the delay budget and lets through at most an onset shorter than 20 ms.
    #[serde(default = "default_dtmf_squelch_lookahead_ms")]
    pub dtmf_squelch_lookahead_ms: u8,
}

impl Default for MediaConfig {
    fn default() -> Self {
        MediaConfig {
            codecs: default_codecs(),
            telephone_event_payload_type: default_te_pt(),
            jitter_frames: default_jitter_frames(),
            jitter_min_ms: 0,
            jitter_max_ms: default_jitter_max_ms(),
            opus_bitrate: default_opus_bitrate(),
            opus_complexity: default_opus_complexity(),
            opus_max_encode_rate_hz: default_opus_rate(),
            echo_tail_ms: default_echo_tail_ms(),
            dtmf_squelch_lookahead_ms: default_dtmf_squelch_lookahead_ms(),
        }
    }
}

fn default_codecs() -> Vec<Codec> {
    vec![Codec::Pcmu, Codec::Pcma]
}

fn default_te_pt() -> u8 {
    101
}

fn default_jitter_max_ms() -> u16 {
    200
}

fn default_opus_bitrate() -> u32 {
    24_000
}

fn default_opus_complexity() -> u8 {
    5
}

fn default_opus_rate() -> u32 {
    48_000
}

fn default_echo_tail_ms() -> u16 {
    32
}

fn default_dtmf_squelch_lookahead_ms() -> u8 {
    (dsp::pipeline::DEFAULT_LOOKAHEAD / 8) as u8
}

impl MediaConfig {
    /// The DTMF squelch look-ahead in 8 kHz samples, clamped to the most that
    /// is of use (19 ms).
    pub fn dtmf_squelch_lookahead(&self) -> usize {
        (usize::from(self.dtmf_squelch_lookahead_ms) * 8).min(dsp::pipeline::FULL_LOOKAHEAD)
    }
}

fn default_jitter_frames() -> u8 {
    1
}
