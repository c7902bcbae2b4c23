//! One ALSA PCM stream: opening it with the line's parameters (8 kHz, S16 native
//! endian, interleaved read/write access, the configured period and buffer), and the
//! narrow I/O trait the duplex driver uses, so faults can be injected in tests
//! around a real alsa-lib PCM.

use alsa::pcm::{Access, Format, HwParams, PCM};
use alsa::{Direction, ValueOr};

use super::config::AlsaTiming;
use super::error::{AudioError, StreamDirection};
use crate::line::SAMPLE_RATE_HZ;

/// What the duplex driver needs from a stream. Sample counts are in frames of
/// `channels` interleaved samples.
pub(crate) trait PcmIo: Send {
    /// Write interleaved samples; returns the frames written.
    fn writei(&mut self, buf: &[i16]) -> Result<usize, alsa::Error>;
    /// Read interleaved samples; returns the frames read.
    fn readi(&mut self, buf: &mut [i16]) -> Result<usize, alsa::Error>;
    /// Bring the stream back after `fault`: `snd_pcm_recover` (xrun, suspend), and
    /// `snd_pcm_prepare` when that does not apply (e.g. `EIO`).
    fn recover(&mut self, fault: alsa::Error) -> Result<(), alsa::Error>;
}

/// A real alsa-lib PCM.
pub(crate) struct AlsaStream(pub(crate) PCM);

impl PcmIo for AlsaStream {
    fn writei(&mut self, buf: &[i16]) -> Result<usize, alsa::Error> {
        self.0.io_i16()?.writei(buf)
    }

    fn readi(&mut self, buf: &mut [i16]) -> Result<usize, alsa::Error> {
        self.0.io_i16()?.readi(buf)
    }

    fn recover(&mut self, fault: alsa::Error) -> Result<(), alsa::Error> {
        match self.0.try_recover(fault, true) {
            Ok(()) => Ok(()),
            // snd_pcm_recover only knows EPIPE, ESTRPIPE and EINTR.
            Err(_) => self.0.prepare(),
        }
    }
}

fn direction(dir: StreamDirection) -> Direction {
    match dir {
        StreamDirection::Playback => Direction::Playback,
        StreamDirection::Capture => Direction::Capture,
    }
}

/// Open `device` in `dir` as a blocking PCM with `channels` at 8 kHz S16.
pub(crate) fn open(
    device: &str,
    dir: StreamDirection,
    channels: u16,
    timing: &AlsaTiming,
) -> Result<PCM, AudioError> {
    let pcm = PCM::new(device, direction(dir), false).map_err(|source| AudioError::Open {
        device: device.to_owned(),
        direction: dir,
        source,
    })?;
    let refused = |what: String| {
        let device = device.to_owned();
        move |source| AudioError::Params {
            device,
            direction: dir,
            what,
            source,
        }
    };
    let period = timing.period_ms.samples();
    let buffer = period * timing.buffer_periods as usize;
    {
        let hw = HwParams::any(&pcm).map_err(refused("any parameters".into()))?;
        hw.set_access(Access::RWInterleaved)
            .map_err(refused("interleaved read/write access".into()))?;
        hw.set_format(Format::s16())
            .map_err(refused("S16 native-endian samples".into()))?;
        hw.set_channels(u32::from(channels))
            .map_err(refused(format!("{channels} channels")))?;
        hw.set_rate(SAMPLE_RATE_HZ, ValueOr::Nearest)
            .map_err(refused(format!("rate {SAMPLE_RATE_HZ} Hz")))?;
        hw.set_period_size(period as alsa::pcm::Frames, ValueOr::Nearest)
            .map_err(refused(format!("period {period} samples")))?;
        hw.set_buffer_size(buffer as alsa::pcm::Frames)
            .map_err(refused(format!("buffer {buffer} samples")))?;
        pcm.hw_params(&hw)
            .map_err(refused("the parameter set".into()))?;
    }
    let rate = pcm
        .hw_params_current()
        .and_then(|hw| hw.get_rate())
        .map_err(refused("reading back the rate".into()))?;
    if rate != SAMPLE_RATE_HZ {
        // ValueOr::Nearest may land elsewhere on hardware without 8 kHz: say so
        // rather than play at the wrong speed (use a `plughw:` name to resample).
        return Err(AudioError::Params {
            device: device.to_owned(),
            direction: dir,
            what: format!("rate {SAMPLE_RATE_HZ} Hz (got {rate} Hz; use plughw:)"),
            source: alsa::Error::new("snd_pcm_hw_params_set_rate", libc_einval()),
        });
    }
    pcm.prepare()
        .map_err(refused("prepare after setup".into()))?;
    Ok(pcm)
}

/// `EINVAL`, without a libc dependency for one constant.
fn libc_einval() -> i32 {
    22
}
