//! Configuration of GPIO signalling (serde), checked by
//! [`GpioSignallingConfig::validate`].

use std::path::PathBuf;
use std::time::Duration;

use board::gpio::{GpioLine, RingCadenceConfig, RingCadenceError};
use serde::{Deserialize, Serialize};

/// A GPIO line: chip character device, offset, polarity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GpioLineConfig {
    /// E.g. `/dev/gpiochip0`.
    pub chip: PathBuf,
    /// Line offset on the chip.
    pub offset: u32,
    /// Active when electrically low.
    #[serde(default)]
    pub active_low: bool,
}

impl From<&GpioLineConfig> for GpioLine {
    fn from(c: &GpioLineConfig) -> GpioLine {
        GpioLine {
            chip: c.chip.clone(),
            offset: c.offset,
            active_low: c.active_low,
        }
    }
}

/// What the DAA's ring-detect output looks like.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RingDetect {
    /// A pulse per ring cycle (optocoupler): qualified by
    /// [`board::gpio::RingCadenceQualifier`] with its default thresholds (half-wave
    /// detector, 20–25 Hz). Sample every 5 ms or faster.
    #[default]
    Pulses,
    /// Active for as long as ringing voltage is present (a filtered detector):
    /// debounced with `ring_debounce_ms`.
    Level,
}

/// An FXO port on a DAA.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FxoGpioConfig {
    /// Output: active closes the loop (off hook).
    pub hook_relay: GpioLineConfig,
    /// Input: ring detector.
    pub ring_detect: GpioLineConfig,
    /// Its kind.
    #[serde(default)]
    pub ring_detect_kind: RingDetect,
    /// Input: active when loop polarity is reversed, if the card reports it.
    #[serde(default)]
    pub polarity: Option<GpioLineConfig>,
    /// Input: active while loop current flows, if the card reports it.
    #[serde(default)]
    pub loop_current: Option<GpioLineConfig>,
    /// Debounce of a `level` ring detector, ms.
    #[serde(default = "default_ring_debounce_ms")]
    pub ring_debounce_ms: u32,
    /// Debounce of the polarity input, ms.
    #[serde(default = "default_polarity_debounce_ms")]
    pub polarity_debounce_ms: u32,
    /// Shortest loss of loop current reported as a disconnect, ms (exchanges send
    /// 250 ms or more; polarity reversals drop it for a few ms).
    #[serde(default = "default_loop_drop_ms")]
    pub loop_drop_ms: u32,
}

/// Ring cadence of an FXS port's ring relay: on, off, on, off… in ms, repeated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RingCadenceMs(pub Vec<u32>);

impl Default for RingCadenceMs {
    /// 2 s on, 4 s off (North America, and most of Europe's ETSI cadences).
    fn default() -> Self {
        RingCadenceMs(vec![2000, 4000])
    }
}

/// An FXS port on a SLIC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FxsGpioConfig {
    /// Input: active while the phone is off hook (loop detect).
    pub hook_detect: GpioLineConfig,
    /// Output: active applies ringing voltage.
    pub ring_relay: GpioLineConfig,
    /// Ring cadence.
    #[serde(default)]
    pub ring_cadence_ms: RingCadenceMs,
    /// Hook debounce, ms.
    #[serde(default = "default_hook_debounce_ms")]
    pub hook_debounce_ms: u32,
}

/// GPIO signalling of one port.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum GpioSignallingConfig {
    /// An FXO port.
    Fxo(FxoGpioConfig),
    /// An FXS port.
    Fxs(FxsGpioConfig),
}

fn default_ring_debounce_ms() -> u32 {
    50
}
fn default_polarity_debounce_ms() -> u32 {
    30
}
fn default_loop_drop_ms() -> u32 {
    150
}
fn default_hook_debounce_ms() -> u32 {
    30
}

/// A fault in GPIO signalling configuration.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SlicConfigError {
    /// A time is out of range.
    #[error("`{field}` = {value} ms is out of range ({min}..={max} ms)")]
    OutOfRange {
        /// The field.
        field: &'static str,
        /// The value.
        value: u32,
        /// Smallest accepted.
        min: u32,
        /// Largest accepted.
        max: u32,
    },
    /// The ring cadence is empty, odd-length, has a zero entry or never rings.
    #[error("ring cadence {0:?} must be on/off pairs of 50..=10000 ms")]
    RingCadence(Vec<u32>),
    /// The ring qualifier's thresholds are inconsistent.
    #[error(transparent)]
    RingQualifier(#[from] RingCadenceError),
}

fn check(field: &'static str, value: u32, min: u32, max: u32) -> Result<Duration, SlicConfigError> {
    if (min..=max).contains(&value) {
        Ok(Duration::from_millis(u64::from(value)))
    } else {
        Err(SlicConfigError::OutOfRange {
            field,
            value,
            min,
            max,
        })
    }
}

/// [`FxoGpioConfig`]'s times, checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FxoTiming {
    pub ring: RingDetect,
    pub ring_debounce: Duration,
    pub ring_qualifier: RingCadenceConfig,
    pub polarity_debounce: Duration,
    pub loop_drop: Duration,
}

impl FxoGpioConfig {
    pub(crate) fn timing(&self) -> Result<FxoTiming, SlicConfigError> {
        Ok(FxoTiming {
            ring: self.ring_detect_kind,
            ring_debounce: check("ring_debounce_ms", self.ring_debounce_ms, 5, 500)?,
            ring_qualifier: RingCadenceConfig::default(),
            polarity_debounce: check("polarity_debounce_ms", self.polarity_debounce_ms, 5, 500)?,
            loop_drop: check("loop_drop_ms", self.loop_drop_ms, 20, 2000)?,
        })
    }
}

impl FxsGpioConfig {
    pub(crate) fn cadence(&self) -> Result<Vec<Duration>, SlicConfigError> {
        let c = &self.ring_cadence_ms.0;
        if c.is_empty() || c.len() & 1 != 0 || c.iter().any(|&ms| !(50..=10_000).contains(&ms)) {
            return Err(SlicConfigError::RingCadence(c.clone()));
        }
        Ok(c.iter()
            .map(|&ms| Duration::from_millis(u64::from(ms)))
            .collect())
    }

    pub(crate) fn hook_debounce(&self) -> Result<Duration, SlicConfigError> {
        check("hook_debounce_ms", self.hook_debounce_ms, 5, 500)
    }
}

impl GpioSignallingConfig {
    /// Find every fault before any line is requested.
    pub fn validate(&self) -> Result<(), SlicConfigError> {
        match self {
            GpioSignallingConfig::Fxo(c) => {
                let t = c.timing()?;
                board::gpio::RingCadenceQualifier::new(t.ring_qualifier)?;
            }
            GpioSignallingConfig::Fxs(c) => {
                c.cadence()?;
                c.hook_debounce()?;
            }
        }
        Ok(())
    }
}
