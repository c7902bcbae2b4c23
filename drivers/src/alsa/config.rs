//! [`AlsaConfig`]: which PCMs to open, with what timing, and which port is on which
//! channel. Deserializable with serde; [`AlsaConfig::validate`] finds every fault
//! before a device is opened.

use serde::{Deserialize, Serialize};

use super::error::AudioConfigError;
use crate::line::{PortId, FRAME_SAMPLES};

/// ALSA period: how often the device wakes the driver.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub enum Period {
    /// 10 ms (80 samples): two periods per line frame; lower latency.
    Ms10,
    /// 20 ms (160 samples): one period per line frame.
    Ms20,
}

impl Period {
    /// Samples per period at 8 kHz.
    pub fn samples(self) -> usize {
        match self {
            Period::Ms10 => FRAME_SAMPLES / 2,
            Period::Ms20 => FRAME_SAMPLES,
        }
    }
}

impl TryFrom<u32> for Period {
    type Error = String;
    fn try_from(ms: u32) -> Result<Period, String> {
        match ms {
            10 => Ok(Period::Ms10),
            20 => Ok(Period::Ms20),
            other => Err(format!("period_ms must be 10 or 20, not {other}")),
        }
    }
}

impl From<Period> for u32 {
    fn from(p: Period) -> u32 {
        match p {
            Period::Ms10 => 10,
            Period::Ms20 => 20,
        }
    }
}

/// Buffering and fault tolerance, shared by every PCM of a card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlsaTiming {
    /// Period length, 10 or 20 ms.
    pub period_ms: Period,
    /// Periods in the ring buffer (2..=16).
    pub buffer_periods: u32,
    /// 20 ms frames of silence written ahead of the first playback frame, and again
    /// after each playback recovery (0..=4): the playback latency headroom.
    pub playback_prefill_frames: u32,
    /// A stream that faults on this many consecutive frames is reported dead
    /// (1..=500; 50 = one second).
    pub fault_limit_frames: u32,
}

impl Default for AlsaTiming {
    fn default() -> Self {
        AlsaTiming {
            period_ms: Period::Ms20,
            buffer_periods: 4,
            playback_prefill_frames: 1,
            fault_limit_frames: 50,
        }
    }
}

/// One PCM device, opened for playback and capture.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PcmConfig {
    /// ALSA PCM name, e.g. `hw:1,0`, `plughw:CARD=Tdm,DEV=0` or an `asoundrc` PCM.
    pub device: String,
    /// Interleaved channels (1 for a PCM per port; the slot count for TDM).
    pub channels: u16,
}

/// Where a port's audio is: channel `channel` of `pcms[pcm]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortRoute {
    /// The line port.
    #[serde(with = "port_id")]
    pub port: PortId,
    /// Index into [`AlsaConfig::pcms`].
    pub pcm: usize,
    /// Channel (TDM slot) on that PCM, from 0.
    pub channel: u16,
}

/// The audio side of a card.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlsaConfig {
    /// Timing shared by every PCM.
    #[serde(default)]
    pub timing: AlsaTiming,
    /// The devices.
    pub pcms: Vec<PcmConfig>,
    /// The ports' channels.
    pub routes: Vec<PortRoute>,
}

/// Largest channel count accepted (a 32-slot E1/T1 TDM bus).
pub const MAX_CHANNELS: u16 = 32;

impl AlsaConfig {
    /// Every fault that would stop [`super::AlsaAudio::open`], found without opening.
    pub fn validate(&self) -> Result<(), AudioConfigError> {
        let t = &self.timing;
        let ranges = [
            ("buffer_periods", t.buffer_periods, 2, 16),
            ("playback_prefill_frames", t.playback_prefill_frames, 0, 4),
            ("fault_limit_frames", t.fault_limit_frames, 1, 500),
        ];
        for (field, value, min, max) in ranges {
            if !(min..=max).contains(&value) {
                return Err(AudioConfigError::OutOfRange {
                    field,
                    value: u64::from(value),
                    min: u64::from(min),
                    max: u64::from(max),
                });
            }
        }
        for pcm in &self.pcms {
            if pcm.device.trim().is_empty() {
                return Err(AudioConfigError::EmptyDevice);
            }
            if !(1..=MAX_CHANNELS).contains(&pcm.channels) {
                return Err(AudioConfigError::Channels {
                    device: pcm.device.clone(),
                    channels: pcm.channels,
                });
            }
        }
        for (i, route) in self.routes.iter().enumerate() {
            let pcm = self
                .pcms
                .get(route.pcm)
                .ok_or(AudioConfigError::NoSuchPcm {
                    port: route.port,
                    pcm: route.pcm,
                    pcms: self.pcms.len(),
                })?;
            if route.channel >= pcm.channels {
                return Err(AudioConfigError::NoSuchChannel {
                    port: route.port,
                    device: pcm.device.clone(),
                    channel: route.channel,
                    channels: pcm.channels,
                });
            }
            if let Some(first) = self.routes[..i]
                .iter()
                .find(|r| r.pcm == route.pcm && r.channel == route.channel)
            {
                return Err(AudioConfigError::SharedChannel {
                    port: route.port,
                    first: first.port,
                    device: pcm.device.clone(),
                    channel: route.channel,
                });
            }
            if let Some(first) = self.routes[..i].iter().find(|r| r.port == route.port) {
                return Err(AudioConfigError::PortRoutedTwice { port: first.port });
            }
        }
        Ok(())
    }
}

/// `PortId` as a plain number in configuration files.
pub(crate) mod port_id {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::line::PortId;

    pub fn serialize<S: Serializer>(port: &PortId, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(port.0)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<PortId, D::Error> {
        u8::deserialize(d).map(PortId)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> AlsaConfig {
        AlsaConfig {
            timing: AlsaTiming::default(),
            pcms: vec![PcmConfig {
                device: "tdm".into(),
                channels: 2,
            }],
            routes: vec![
                PortRoute {
                    port: PortId(0),
                    pcm: 0,
                    channel: 1,
                },
                PortRoute {
                    port: PortId(1),
                    pcm: 0,
                    channel: 0,
                },
            ],
        }
    }

    #[test]
    fn a_good_config_validates() {
        config().validate().unwrap();
    }

    #[test]
    fn each_fault_is_named() {
        let mut c = config();
        c.routes[1].channel = 1;
        assert!(matches!(
            c.validate(),
            Err(AudioConfigError::SharedChannel { channel: 1, .. })
        ));
        let mut c = config();
        c.routes[0].channel = 2;
        assert!(matches!(
            c.validate(),
            Err(AudioConfigError::NoSuchChannel { channel: 2, .. })
        ));
        let mut c = config();
        c.routes[0].pcm = 3;
        assert!(matches!(
            c.validate(),
            Err(AudioConfigError::NoSuchPcm { pcm: 3, .. })
        ));
        let mut c = config();
        c.timing.buffer_periods = 1;
        assert!(matches!(
            c.validate(),
            Err(AudioConfigError::OutOfRange {
                field: "buffer_periods",
                ..
            })
        ));
    }

    #[test]
    fn period_accepts_only_10_and_20_ms() {
        assert_eq!(Period::try_from(10), Ok(Period::Ms10));
        assert!(Period::try_from(5).unwrap_err().contains("10 or 20"));
        assert_eq!(Period::Ms10.samples(), 80);
    }
}
