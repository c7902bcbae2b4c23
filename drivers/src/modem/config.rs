//! [`ModemConfig`]: the serial line and the voice dialogue (serde).

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Voice sample format on the serial line, all at 8000 samples/s, and the
/// `AT+VSM` compression number that selects it (modem-specific; V.253 leaves the
/// numbering to the manufacturer: Rockwell/Conexant use 1 or 128 for 8-bit linear,
/// 130 for μ-law, 131 for A-law).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "format", rename_all = "lowercase", deny_unknown_fields)]
pub enum VoiceFormat {
    /// Unsigned 8-bit linear (0x80 = silence).
    Linear8 {
        /// `AT+VSM` number.
        #[serde(default = "linear8_vsm")]
        vsm: u16,
    },
    /// G.711 μ-law.
    Ulaw {
        /// `AT+VSM` number.
        #[serde(default = "ulaw_vsm")]
        vsm: u16,
    },
    /// G.711 A-law.
    Alaw {
        /// `AT+VSM` number.
        #[serde(default = "alaw_vsm")]
        vsm: u16,
    },
}

fn linear8_vsm() -> u16 {
    1
}
fn ulaw_vsm() -> u16 {
    130
}
fn alaw_vsm() -> u16 {
    131
}

impl Default for VoiceFormat {
    fn default() -> Self {
        VoiceFormat::Linear8 { vsm: 1 }
    }
}

impl VoiceFormat {
    /// The `AT+VSM` command that selects it.
    pub fn vsm_command(self) -> String {
        let n = match self {
            VoiceFormat::Linear8 { vsm }
            | VoiceFormat::Ulaw { vsm }
            | VoiceFormat::Alaw { vsm } => vsm,
        };
        format!("AT+VSM={n},8000")
    }

    /// One sample to its byte.
    pub fn encode(self, s: i16) -> u8 {
        match self {
            VoiceFormat::Linear8 { .. } => ((s >> 8) as u8) ^ 0x80,
            VoiceFormat::Ulaw { .. } => dsp::g711::ulaw_encode(s),
            VoiceFormat::Alaw { .. } => dsp::g711::alaw_encode(s),
        }
    }

    /// One byte to its sample.
    pub fn decode(self, b: u8) -> i16 {
        match self {
            VoiceFormat::Linear8 { .. } => i16::from((b ^ 0x80) as i8) << 8,
            VoiceFormat::Ulaw { .. } => dsp::g711::ulaw_decode(b),
            VoiceFormat::Alaw { .. } => dsp::g711::alaw_decode(b),
        }
    }
}

/// One modem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModemConfig {
    /// Serial device, e.g. `/dev/ttyACM0`.
    pub device: String,
    /// Baud rate (voice at 8000 bytes/s needs 115200 or more).
    #[serde(default = "default_baud")]
    pub baud: u32,
    /// Voice format.
    #[serde(default)]
    pub voice: VoiceFormat,
    /// Extra AT commands sent after the standard initialisation (e.g. `AT+VGT=128`).
    #[serde(default)]
    pub extra_init: Vec<String>,
    /// How long a RING lasts as a ring burst (a modem reports only its start), ms.
    #[serde(default = "default_ring_burst_ms")]
    pub ring_burst_ms: u32,
    /// How long to wait for a reply to a command, ms.
    #[serde(default = "default_command_timeout_ms")]
    pub command_timeout_ms: u32,
}

fn default_baud() -> u32 {
    115_200
}
fn default_ring_burst_ms() -> u32 {
    2000
}
fn default_command_timeout_ms() -> u32 {
    3000
}

impl ModemConfig {
    /// A modem on `device` with every default.
    pub fn new(device: impl Into<String>) -> ModemConfig {
        ModemConfig {
            device: device.into(),
            baud: default_baud(),
            voice: VoiceFormat::default(),
            extra_init: Vec::new(),
            ring_burst_ms: default_ring_burst_ms(),
            command_timeout_ms: default_command_timeout_ms(),
        }
    }

    pub(crate) fn ring_burst(&self) -> Duration {
        Duration::from_millis(u64::from(self.ring_burst_ms))
    }

    pub(crate) fn command_timeout(&self) -> Duration {
        Duration::from_millis(u64::from(self.command_timeout_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear8_round_trips_the_top_byte() {
        let f = VoiceFormat::default();
        for s in [i16::MIN, -256, 0, 256, 0x1000, i16::MAX & !0xff] {
            assert_eq!(f.decode(f.encode(s)), s);
        }
        assert_eq!(f.encode(0), 0x80);
        assert_eq!(f.vsm_command(), "AT+VSM=1,8000");
    }
}
