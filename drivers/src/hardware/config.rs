//! [`HardwareCardConfig`]: which driver serves each port (serde), e.g. in TOML:
//!
//! ```toml
//! [audio]                       # drivers::alsa::AlsaTiming, all optional
//! period_ms = 10
//!
//! [[ports]]
//! kind = "fxs"
//! audio = { alsa = { device = "plughw:CARD=Tdm", channel = 0, channels = 4 } }
//! [ports.signalling.gpio.fxs]
//! hook_detect = { chip = "/dev/gpiochip0", offset = 5 }
//! ring_relay = { chip = "/dev/gpiochip0", offset = 6 }
//!
//! [[ports]]
//! kind = "fxo"
//! audio = "modem"
//! signalling = { modem = { device = "/dev/ttyACM0", baud = 115200 } }
//! ```

use serde::{Deserialize, Serialize};

use crate::alsa::{AlsaConfig, AlsaTiming, AudioConfigError, PcmConfig, PortRoute};
use crate::line::{PortId, PortKind};
use crate::modem::ModemConfig;
use crate::slic::{GpioSignallingConfig, SlicConfigError};

/// FXO or FXS, as written in configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KindConfig {
    /// FXO.
    Fxo,
    /// FXS.
    Fxs,
}

/// Where a port's audio comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum PortAudioConfig {
    /// A channel of an ALSA PCM.
    Alsa {
        /// ALSA PCM name.
        device: String,
        /// Channel (TDM slot) of that PCM.
        #[serde(default)]
        channel: u16,
        /// The PCM's channel count, if more than the channels the ports use.
        #[serde(default)]
        channels: Option<u16>,
    },
    /// The modem's voice data (only with modem signalling).
    Modem,
}

/// How a port signals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum PortSignallingConfig {
    /// GPIO lines of a SLIC/DAA.
    Gpio(GpioSignallingConfig),
    /// An AT voice modem.
    Modem(ModemConfig),
}

/// One port.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HardwarePortConfig {
    /// FXO or FXS.
    pub kind: KindConfig,
    /// Its audio.
    pub audio: PortAudioConfig,
    /// Its signalling.
    pub signalling: PortSignallingConfig,
}

impl HardwarePortConfig {
    /// The port's kind.
    pub fn kind(&self) -> PortKind {
        match self.kind {
            KindConfig::Fxo => PortKind::Fxo,
            KindConfig::Fxs => PortKind::Fxs,
        }
    }
}

/// A hardware line card.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HardwareCardConfig {
    /// ALSA timing shared by every PCM.
    #[serde(default)]
    pub audio: AlsaTiming,
    /// The ports, `PortId(0)` first.
    pub ports: Vec<HardwarePortConfig>,
}

/// A fault in a [`HardwareCardConfig`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HardwareConfigError {
    /// More ports than a [`PortId`] addresses.
    #[error("{0} ports is more than 255")]
    TooManyPorts(usize),
    /// `kind` disagrees with the signalling.
    #[error("port {port}: kind {kind} does not match its {signalling} signalling")]
    KindMismatch {
        /// The port.
        port: PortId,
        /// Its kind.
        kind: PortKind,
        /// The signalling configured.
        signalling: &'static str,
    },
    /// `audio = "modem"` without modem signalling.
    #[error("port {port}: modem audio needs modem signalling")]
    ModemAudioWithoutModem {
        /// The port.
        port: PortId,
    },
    /// Two ports name one PCM with different channel counts.
    #[error("port {port}: {device:?} has {channels} channels here but {other} elsewhere")]
    ChannelCount {
        /// The port.
        port: PortId,
        /// The PCM.
        device: String,
        /// Its count here.
        channels: u16,
        /// Its count on an earlier port.
        other: u16,
    },
    /// The ALSA side is inconsistent.
    #[error(transparent)]
    Audio(#[from] AudioConfigError),
    /// A port's GPIO signalling is inconsistent.
    #[error("port {port}: {source}")]
    Signalling {
        /// The port.
        port: PortId,
        /// Why.
        #[source]
        source: SlicConfigError,
    },
}

impl HardwareCardConfig {
    /// Every fault, found without opening a device.
    pub fn validate(&self) -> Result<(), HardwareConfigError> {
        if self.ports.len() > usize::from(u8::MAX) {
            return Err(HardwareConfigError::TooManyPorts(self.ports.len()));
        }
        for (i, p) in self.ports.iter().enumerate() {
            let port = PortId(i as u8);
            let (matches, signalling) = match &p.signalling {
                PortSignallingConfig::Gpio(GpioSignallingConfig::Fxo(_)) => {
                    (p.kind == KindConfig::Fxo, "FXO GPIO")
                }
                PortSignallingConfig::Gpio(GpioSignallingConfig::Fxs(_)) => {
                    (p.kind == KindConfig::Fxs, "FXS GPIO")
                }
                PortSignallingConfig::Modem(_) => (p.kind == KindConfig::Fxo, "modem (FXO)"),
            };
            if !matches {
                return Err(HardwareConfigError::KindMismatch {
                    port,
                    kind: p.kind(),
                    signalling,
                });
            }
            if let PortSignallingConfig::Gpio(g) = &p.signalling {
                g.validate()
                    .map_err(|source| HardwareConfigError::Signalling { port, source })?;
            }
            if p.audio == PortAudioConfig::Modem
                && !matches!(p.signalling, PortSignallingConfig::Modem(_))
            {
                return Err(HardwareConfigError::ModemAudioWithoutModem { port });
            }
        }
        self.checked_alsa_config()?.validate()?;
        Ok(())
    }

    /// The ALSA side: one PCM per distinct device name, in order of first use;
    /// its channel count is the one given, or one more than the highest channel
    /// used. Call [`HardwareCardConfig::validate`] first.
    pub fn alsa_config(&self) -> AlsaConfig {
        self.checked_alsa_config().unwrap_or_default()
    }

    fn checked_alsa_config(&self) -> Result<AlsaConfig, HardwareConfigError> {
        let mut config = AlsaConfig {
            timing: self.audio,
            pcms: Vec::new(),
            routes: Vec::new(),
        };
        let mut explicit: Vec<Option<u16>> = Vec::new();
        for (i, p) in self.ports.iter().enumerate() {
            let PortAudioConfig::Alsa {
                device,
                channel,
                channels,
            } = &p.audio
            else {
                continue;
            };
            let port = PortId(i as u8);
            let pcm = match config.pcms.iter().position(|c| &c.device == device) {
                Some(at) => at,
                None => {
                    config.pcms.push(PcmConfig {
                        device: device.clone(),
                        channels: 0,
                    });
                    explicit.push(None);
                    config.pcms.len() - 1
                }
            };
            if let Some(n) = channels {
                match explicit[pcm] {
                    Some(other) if other != *n => {
                        return Err(HardwareConfigError::ChannelCount {
                            port,
                            device: device.clone(),
                            channels: *n,
                            other,
                        })
                    }
                    _ => explicit[pcm] = Some(*n),
                }
            }
            let used = &mut config.pcms[pcm].channels;
            *used = (*used).max(channel.saturating_add(1));
            config.routes.push(PortRoute {
                port,
                pcm,
                channel: *channel,
            });
        }
        for (pcm, n) in config.pcms.iter_mut().zip(explicit) {
            if let Some(n) = n {
                pcm.channels = n;
            }
        }
        Ok(config)
    }
}
