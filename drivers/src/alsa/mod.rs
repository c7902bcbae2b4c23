//! ALSA audio for line ports: 8 kHz, 16-bit, one 20 ms frame per port per
//! [`AlsaAudio::exchange`].
//!
//! ```text
//!   port p ──▶ route (pcm i, channel c) ──▶ interleave ──▶ snd_pcm_writei(pcm i)
//!   port p ◀── route (pcm i, channel c) ◀── de-interleave ◀── snd_pcm_readi(pcm i)
//! ```
//!
//! A card is wired either as one PCM per port (`channels = 1`, one route each) or as
//! one multi-channel TDM PCM whose channels map to ports (`channels = n`, a route per
//! used channel); mixtures work too. Device names are plain ALSA names (`hw:1,0`,
//! `plughw:CARD=Tdm`, or a PCM defined in an `asoundrc`, with arguments).
//!
//! # Timing
//!
//! The capture read blocks until a frame has arrived: the audio device is the card's
//! clock (see [`crate::line`]). Periods are 10 or 20 ms ([`Period`]); the buffer holds
//! `buffer_periods` of them. Playback starts with `playback_prefill_frames` of
//! silence so a late write does not underrun at once.
//!
//! # Faults and xruns
//!
//! An underrun, overrun, suspend or I/O error never ends a call. The stream is
//! recovered (`snd_pcm_recover`, falling back to `snd_pcm_prepare`), the fault is
//! logged and counted ([`StreamStats`]), and frame timing is kept: a capture frame
//! that could not be read is delivered as silence (it is not read again, which would
//! shift everything after it by a frame), and a playback frame that could not be
//! written is dropped after the stream is re-primed with silence. Only a stream that
//! faults on `fault_limit_frames` consecutive frames is reported as dead
//! ([`AudioError::Dead`]).
//!
//! Layout: [`config`] (serde, checked), `stream` (open a PCM with our parameters, the
//! narrow I/O trait), `duplex` (one device: interleave, recovery), [`AlsaAudio`]
//! (the set of devices and the port routes), [`error`].

pub mod config;
mod duplex;
pub mod error;
mod stream;

pub use config::{AlsaConfig, AlsaTiming, PcmConfig, Period, PortRoute};
pub use duplex::StreamStats;
pub use error::{AudioConfigError, AudioError, StreamDirection};

use std::fmt;

use duplex::Duplex;

use crate::line::{Frame, PortId};

/// The ALSA devices of a card and the routes of its ports to their channels.
pub struct AlsaAudio {
    devices: Vec<Duplex>,
    routes: Vec<PortRoute>,
}

impl fmt::Debug for AlsaAudio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AlsaAudio")
            .field("devices", &self.devices)
            .field("routes", &self.routes)
            .finish()
    }
}

impl AlsaAudio {
    /// Open every PCM of `config`, both directions, with the configured timing.
    pub fn open(config: &AlsaConfig) -> Result<AlsaAudio, AudioError> {
        config.validate()?;
        let devices = config
            .pcms
            .iter()
            .map(|pcm| Duplex::open(pcm, &config.timing))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(AlsaAudio {
            devices,
            routes: config.routes.clone(),
        })
    }

    /// The routes, as configured.
    pub fn routes(&self) -> &[PortRoute] {
        &self.routes
    }

    /// Move one 20 ms frame for every routed port: `tx[p]` is played on port `p`'s
    /// channel, `rx[p]` is filled from it. Ports without a route are not touched.
    /// Every device is written before any is read, so playback never waits on a
    /// capture.
    pub fn exchange(&mut self, tx: &[Frame], rx: &mut [Frame]) -> Result<(), AudioError> {
        for device in &mut self.devices {
            device.clear_playback();
        }
        for route in &self.routes {
            if let (Some(device), Some(frame)) =
                (self.devices.get_mut(route.pcm), tx.get(route.port.index()))
            {
                device.put_channel(usize::from(route.channel), frame);
            }
        }
        for device in &mut self.devices {
            device.write_frame()?;
        }
        for device in &mut self.devices {
            device.read_frame()?;
        }
        for route in &self.routes {
            if let (Some(device), Some(frame)) =
                (self.devices.get(route.pcm), rx.get_mut(route.port.index()))
            {
                device.take_channel(usize::from(route.channel), frame);
            }
        }
        Ok(())
    }

    /// Fault counters of device `pcm` (index in [`AlsaConfig::pcms`]):
    /// `(playback, capture)`.
    pub fn stats(&self, pcm: usize) -> Option<(StreamStats, StreamStats)> {
        self.devices.get(pcm).map(Duplex::stats)
    }

    /// The route of `port`, if it has ALSA audio.
    pub fn route_of(&self, port: PortId) -> Option<&PortRoute> {
        self.routes.iter().find(|r| r.port == port)
    }
}
