//! One ALSA device opened both ways: the interleave buffers of a 20 ms frame, and
//! the fault recovery that keeps a call going through xruns.
//!
//! ```text
//!   write_frame:  writei ──ok──▶ done
//!                   └─fault─▶ recover ─▶ prefill silence ─▶ drop this frame
//!   read_frame:   readi ──ok──▶ done
//!                   └─fault─▶ recover ─▶ deliver silence for this frame
//!   each fault: consecutive += 1; consecutive == fault_limit ─▶ AudioError::Dead
//!   each good frame: consecutive = 0
//! ```
//!
//! Buffers are allocated once at open: no allocation per frame.

use std::fmt;

use super::config::{AlsaTiming, PcmConfig};
use super::error::{AudioError, StreamDirection};
use super::stream::{self, AlsaStream, PcmIo};
use crate::line::{Frame, FRAME_SAMPLES};

/// Fault counters of one stream.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamStats {
    /// Frames moved without a fault.
    pub frames: u64,
    /// Faults seen (xruns, suspends, I/O errors).
    pub faults: u64,
    /// Faults after which the stream was brought back.
    pub recoveries: u64,
    /// Frames replaced by silence (capture) or dropped (playback) because of a fault.
    pub lost_frames: u64,
    /// Faulted frames in a row, now.
    pub consecutive: u32,
}

struct Stream {
    io: Box<dyn PcmIo>,
    buf: Vec<i16>,
    stats: StreamStats,
}

/// A PCM used for playback and capture.
pub(crate) struct Duplex {
    device: String,
    channels: usize,
    timing: AlsaTiming,
    playback: Stream,
    capture: Stream,
    /// Playback has had its prefill since open or the last recovery.
    primed: bool,
}

impl fmt::Debug for Duplex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Duplex")
            .field("device", &self.device)
            .field("channels", &self.channels)
            .field("playback", &self.playback.stats)
            .field("capture", &self.capture.stats)
            .finish()
    }
}

impl Duplex {
    /// Open `pcm` both ways.
    pub(crate) fn open(pcm: &PcmConfig, timing: &AlsaTiming) -> Result<Duplex, AudioError> {
        let playback = stream::open(&pcm.device, StreamDirection::Playback, pcm.channels, timing)?;
        let capture = stream::open(&pcm.device, StreamDirection::Capture, pcm.channels, timing)?;
        Ok(Duplex::with_streams(
            pcm,
            timing,
            Box::new(AlsaStream(playback)),
            Box::new(AlsaStream(capture)),
        ))
    }

    pub(crate) fn with_streams(
        pcm: &PcmConfig,
        timing: &AlsaTiming,
        playback: Box<dyn PcmIo>,
        capture: Box<dyn PcmIo>,
    ) -> Duplex {
        let channels = usize::from(pcm.channels);
        let stream = |io| Stream {
            io,
            buf: vec![0; channels * FRAME_SAMPLES],
            stats: StreamStats::default(),
        };
        Duplex {
            device: pcm.device.clone(),
            channels,
            timing: *timing,
            playback: stream(playback),
            capture: stream(capture),
            primed: false,
        }
    }

    pub(crate) fn stats(&self) -> (StreamStats, StreamStats) {
        (self.playback.stats, self.capture.stats)
    }

    /// Silence on every channel of the next playback frame.
    pub(crate) fn clear_playback(&mut self) {
        self.playback.buf.fill(0);
    }

    /// Put `frame` on `channel` of the next playback frame.
    pub(crate) fn put_channel(&mut self, channel: usize, frame: &Frame) {
        let step = self.channels;
        for (slot, sample) in self
            .playback
            .buf
            .iter_mut()
            .skip(channel)
            .step_by(step)
            .zip(frame)
        {
            *slot = *sample;
        }
    }

    /// Copy `channel` of the last captured frame into `frame`.
    pub(crate) fn take_channel(&self, channel: usize, frame: &mut Frame) {
        let step = self.channels;
        for (sample, slot) in frame
            .iter_mut()
            .zip(self.capture.buf.iter().skip(channel).step_by(step))
        {
            *sample = *slot;
        }
    }

    /// Play the frame built with [`Duplex::put_channel`].
    pub(crate) fn write_frame(&mut self) -> Result<(), AudioError> {
        if !self.primed {
            self.primed = true;
            for _ in 0..self.timing.playback_prefill_frames {
                if let Err(fault) = write_all(&mut *self.playback.io, &vec_silence(self.channels)) {
                    return self.fault(StreamDirection::Playback, fault);
                }
            }
        }
        match write_all(&mut *self.playback.io, &self.playback.buf) {
            Ok(()) => {
                self.playback.stats.frames += 1;
                self.playback.stats.consecutive = 0;
                Ok(())
            }
            Err(fault) => self.fault(StreamDirection::Playback, fault),
        }
    }

    /// Capture one frame into the buffer [`Duplex::take_channel`] reads; blocks until
    /// the device has it.
    pub(crate) fn read_frame(&mut self) -> Result<(), AudioError> {
        let channels = self.channels;
        let mut done = 0;
        while done < FRAME_SAMPLES {
            match self
                .capture
                .io
                .readi(&mut self.capture.buf[done * channels..])
            {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(fault) => {
                    // The gap is silence; the samples after it stay where they
                    // belong in time because this frame is not read again.
                    self.capture.buf[done * channels..].fill(0);
                    return self.fault(StreamDirection::Capture, fault);
                }
            }
        }
        self.capture.buf[done * channels..].fill(0);
        self.capture.stats.frames += 1;
        self.capture.stats.consecutive = 0;
        Ok(())
    }

    fn fault(&mut self, direction: StreamDirection, fault: alsa::Error) -> Result<(), AudioError> {
        let stream = match direction {
            StreamDirection::Playback => &mut self.playback,
            StreamDirection::Capture => &mut self.capture,
        };
        stream.stats.faults += 1;
        stream.stats.lost_frames += 1;
        stream.stats.consecutive += 1;
        let recovered = stream.io.recover(fault);
        if recovered.is_ok() {
            stream.stats.recoveries += 1;
        }
        if stream.stats.consecutive == 1 {
            tracing::warn!(device = %self.device, %direction, %fault, recovered = recovered.is_ok(),
                "audio fault; frame filled with silence, call kept");
        } else {
            tracing::debug!(device = %self.device, %direction, %fault, consecutive = stream.stats.consecutive,
                "audio fault again");
        }
        if direction == StreamDirection::Playback {
            // Re-prime on the next frame so the restarted stream has headroom.
            self.primed = false;
        }
        if stream.stats.consecutive >= self.timing.fault_limit_frames {
            return Err(AudioError::Dead {
                device: self.device.clone(),
                direction,
                frames: stream.stats.consecutive,
                last: fault,
            });
        }
        Ok(())
    }
}

/// A frame of silence for `channels` channels. Only used for prefill (at open and
/// after a recovery), never per frame.
fn vec_silence(channels: usize) -> Vec<i16> {
    vec![0; channels * FRAME_SAMPLES]
}

fn write_all(io: &mut dyn PcmIo, buf: &[i16]) -> Result<(), alsa::Error> {
    let channels = buf.len() / FRAME_SAMPLES;
    let mut done = 0;
    while done < FRAME_SAMPLES {
        match io.writei(&buf[done * channels..])? {
            0 => break,
            n => done += n,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    //! Xruns injected at the stream boundary around real alsa-lib `null` PCMs (built
    //! into alsa.conf, no asoundrc needed): the recovery calls reach the real
    //! `snd_pcm_recover`, and the stream carries on.

    use super::*;

    const EPIPE: i32 = 32;

    /// Fails with `EPIPE` (an xrun) on the listed calls, otherwise passes through.
    struct Xruns {
        inner: AlsaStream,
        calls: u32,
        fail_on: Vec<u32>,
    }

    impl Xruns {
        fn check(&mut self, func: &'static str) -> Result<(), alsa::Error> {
            self.calls += 1;
            if self.fail_on.contains(&self.calls) {
                return Err(alsa::Error::new(func, EPIPE));
            }
            Ok(())
        }
    }

    impl PcmIo for Xruns {
        fn writei(&mut self, buf: &[i16]) -> Result<usize, alsa::Error> {
            self.check("snd_pcm_writei")?;
            self.inner.writei(buf)
        }
        fn readi(&mut self, buf: &mut [i16]) -> Result<usize, alsa::Error> {
            self.check("snd_pcm_readi")?;
            // Mark real reads so the test tells them from the silence of a gap.
            let n = self.inner.readi(buf)?;
            buf.fill(7);
            Ok(n)
        }
        fn recover(&mut self, fault: alsa::Error) -> Result<(), alsa::Error> {
            self.inner.recover(fault)
        }
    }

    fn null(dir: StreamDirection, fail_on: Vec<u32>) -> Box<dyn PcmIo> {
        let pcm = stream::open("null", dir, 1, &AlsaTiming::default()).unwrap();
        Box::new(Xruns {
            inner: AlsaStream(pcm),
            calls: 0,
            fail_on,
        })
    }

    fn duplex(play_fail: Vec<u32>, cap_fail: Vec<u32>, timing: AlsaTiming) -> Duplex {
        let pcm = PcmConfig {
            device: "null".into(),
            channels: 1,
        };
        Duplex::with_streams(
            &pcm,
            &timing,
            null(StreamDirection::Playback, play_fail),
            null(StreamDirection::Capture, cap_fail),
        )
    }

    #[test]
    fn injected_overrun_is_one_silent_frame_and_the_next_frame_is_read() {
        let mut d = duplex(vec![], vec![3], AlsaTiming::default());
        let mut seen = Vec::new();
        for _ in 0..6 {
            d.write_frame().unwrap();
            d.read_frame().unwrap();
            let mut f = [0; FRAME_SAMPLES];
            d.take_channel(0, &mut f);
            seen.push(f[0]);
        }
        assert_eq!(seen, [7, 7, 0, 7, 7, 7]);
        let (_, cap) = d.stats();
        assert_eq!((cap.faults, cap.recoveries, cap.lost_frames), (1, 1, 1));
        assert_eq!(cap.frames, 5);
    }

    #[test]
    fn injected_underrun_reprimes_playback_and_drops_one_frame() {
        // Call 1 is the prefill, call 2 the first frame; fail call 3 (frame 2).
        let mut d = duplex(vec![3], vec![], AlsaTiming::default());
        for _ in 0..5 {
            d.write_frame().unwrap();
        }
        let (play, _) = d.stats();
        assert_eq!((play.faults, play.recoveries, play.frames), (1, 1, 4));
    }

    #[test]
    fn xruns_on_every_frame_reach_the_limit() {
        let timing = AlsaTiming {
            fault_limit_frames: 3,
            ..AlsaTiming::default()
        };
        let mut d = duplex(vec![], (1..100).collect(), timing);
        assert!(d.read_frame().is_ok());
        assert!(d.read_frame().is_ok());
        let err = d.read_frame().unwrap_err();
        assert!(
            matches!(
                err,
                AudioError::Dead {
                    frames: 3,
                    direction: StreamDirection::Capture,
                    ..
                }
            ),
            "{err}"
        );
    }
}
