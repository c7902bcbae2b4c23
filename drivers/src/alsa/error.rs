//! Typed faults of the ALSA audio driver: configuration faults (found before any
//! device is opened), device faults at open, and a stream that stays dead.

use std::fmt;

use crate::line::PortId;

/// Playback or capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamDirection {
    /// Gateway → line.
    Playback,
    /// Line → gateway.
    Capture,
}

impl fmt::Display for StreamDirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StreamDirection::Playback => "playback",
            StreamDirection::Capture => "capture",
        })
    }
}

/// A fault in an [`super::AlsaConfig`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AudioConfigError {
    /// A timing value is outside its range.
    #[error("audio timing `{field}` = {value} is out of range ({min}..={max})")]
    OutOfRange {
        /// The field.
        field: &'static str,
        /// The value.
        value: u64,
        /// Smallest accepted.
        min: u64,
        /// Largest accepted.
        max: u64,
    },
    /// A PCM has an empty name.
    #[error("an audio device name is empty")]
    EmptyDevice,
    /// A PCM's channel count is 0 or too large.
    #[error("audio device {device:?}: {channels} channels is not in 1..=32")]
    Channels {
        /// The device.
        device: String,
        /// The count.
        channels: u16,
    },
    /// A route names a PCM that is not configured.
    #[error("port {port}: audio device index {pcm} does not exist ({pcms} configured)")]
    NoSuchPcm {
        /// The port.
        port: PortId,
        /// The index.
        pcm: usize,
        /// Devices configured.
        pcms: usize,
    },
    /// A route names a channel beyond the PCM's channel count.
    #[error("port {port}: channel {channel} of {device:?} does not exist (it has {channels})")]
    NoSuchChannel {
        /// The port.
        port: PortId,
        /// The device.
        device: String,
        /// The channel.
        channel: u16,
        /// Its channel count.
        channels: u16,
    },
    /// Two ports are routed to one channel.
    #[error("port {port}: channel {channel} of {device:?} already carries port {first}")]
    SharedChannel {
        /// The second port.
        port: PortId,
        /// The port routed there first.
        first: PortId,
        /// The device.
        device: String,
        /// The channel.
        channel: u16,
    },
    /// One port has two routes.
    #[error("port {port} has two audio routes")]
    PortRoutedTwice {
        /// The port.
        port: PortId,
    },
}

/// A fault of the ALSA audio driver.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AudioError {
    /// The configuration is inconsistent.
    #[error(transparent)]
    Config(#[from] AudioConfigError),
    /// A PCM could not be opened (unknown name, busy device, no card).
    #[error("cannot open {direction} PCM {device:?}: {source}")]
    Open {
        /// The device.
        device: String,
        /// The direction.
        direction: StreamDirection,
        /// alsa-lib's reason.
        #[source]
        source: alsa::Error,
    },
    /// The device refused 8 kHz S16 with the configured channels or period.
    #[error("{direction} PCM {device:?} refused {what}: {source}")]
    Params {
        /// The device.
        device: String,
        /// The direction.
        direction: StreamDirection,
        /// The parameter refused, e.g. `rate 8000 Hz`.
        what: String,
        /// alsa-lib's reason.
        #[source]
        source: alsa::Error,
    },
    /// A stream faulted on every frame for `frames` frames and recovery does not help.
    #[error("{direction} PCM {device:?} dead after {frames} faulted frames: {last}")]
    Dead {
        /// The device.
        device: String,
        /// The direction.
        direction: StreamDirection,
        /// Consecutive faulted frames.
        frames: u32,
        /// The last fault.
        last: alsa::Error,
    },
}
