//! Acoustic echo control of the IP client's audio: the client's loudspeaker
//! plays what we send it (the line's voice) and its microphone sends part of
//! it back; without control the line's talker hears himself.
//!
//! ```text
//!   line → IP (what we send the client) ──render──┐
//!                                                 ▼
//!   IP → line (client's audio, 8 kHz) ──capture──▶ [AcousticEchoControl] ──▶ line
//! ```
//!
//! Two implementations of one small trait:
//! - [`WebRtcAec`] (feature `webrtc-aec`, on by default): WebRTC AudioProcessing's
//!   echo canceller through `webrtc-audio-processing` 0.5 over Debian's
//!   libwebrtc-audio-processing (the legacy AEC, delay-agnostic and extended
//!   filter modes, because the echo's delay includes the network's round trip
//!   and the client's buffers). It runs at 48 kHz in 10 ms frames; the 8 kHz
//!   signals are resampled both ways.
//! - [`HalfDuplexSuppressor`]: when the line is talking and the client's audio
//!   is not clearly louder than the expected echo, attenuate the client's audio.
//!
//! Why 0.5 and not 2.x (AEC3): measurements in docs/PERFORMANCE.md ("Media
//! engine").
//!
//! Allocation per frame: none. The suppressor and our side of [`WebRtcAec`]
//! size their buffers at construction. `webrtc-audio-processing` 0.5.0 as
//! published made one 8-byte allocation per 10 ms call, 4 per 20 ms frame
//! (`AudioProcessing::process_*_frame` collected the channel pointers into a
//! new `Vec<*mut f32>` before calling C); the workspace builds it patched to
//! use a stack array instead (`[patch.crates-io]` in the workspace manifest,
//! `gateway/vendor/webrtc-audio-processing/PATCHES.md`). The C++ library
//! allocates nothing per frame (heaptrack). `gateway/tests/media_allocations.rs`
//! counts the Rust side, the crate's calls included.

use dsp::level::saturate;
use dsp::FRAME_SAMPLES;

/// Acoustic echo control, one instance per call.
pub trait AcousticEchoControl: std::fmt::Debug + Send {
    /// The frame sent to the client (the far-end reference).
    fn render(&mut self, to_client: &[i16; FRAME_SAMPLES]);
    /// The client's frame: echo of the rendered audio is removed in place.
    fn capture(&mut self, from_client: &mut [i16; FRAME_SAMPLES]);
    /// Which implementation.
    fn name(&self) -> &'static str;
}

/// Half-duplex echo suppressor: the seam's simple implementation, and the
/// fallback when the WebRTC module is not built.
#[derive(Debug, Clone)]
pub struct HalfDuplexSuppressor {
    /// Smoothed level of what we send (mean absolute amplitude).
    render_level: f32,
    /// Frames the render side stays "active" after it stops (echo tail).
    hold: u32,
    gain: f32,
}

/// Render is active above this mean absolute amplitude (≈ −40 dBm0).
const RENDER_ACTIVE: f32 = 150.0;
/// Hold after render stops: 300 ms of echo path (network + client).
const HOLD_FRAMES: u32 = 15;
/// Attenuation applied to the client's audio while suppressing (−24 dB).
const SUPPRESSED: f32 = 0.063;

impl Default for HalfDuplexSuppressor {
    fn default() -> Self {
        HalfDuplexSuppressor {
            render_level: 0.0,
            hold: 0,
            gain: 1.0,
        }
    }
}

fn mean_abs(f: &[i16]) -> f32 {
    f.iter().map(|&s| f32::from(s).abs()).sum::<f32>() / f.len().max(1) as f32
}

impl AcousticEchoControl for HalfDuplexSuppressor {
    fn render(&mut self, to_client: &[i16; FRAME_SAMPLES]) {
        let level = mean_abs(to_client);
        self.render_level = self.render_level.max(level) * 0.9 + level * 0.1;
        if level > RENDER_ACTIVE {
            self.hold = HOLD_FRAMES;
        } else {
            self.hold = self.hold.saturating_sub(1);
        }
    }

    fn capture(&mut self, from_client: &mut [i16; FRAME_SAMPLES]) {
        let level = mean_abs(from_client);
        // Double talk: the client clearly louder than any plausible echo
        // (acoustic echo comes back at least 6 dB down).
        let suppress = self.hold > 0 && level < self.render_level;
        let target = if suppress { SUPPRESSED } else { 1.0 };
        for s in from_client.iter_mut() {
            // ~2.5 ms attack/release at 8 kHz.
            self.gain += (target - self.gain) * 0.05;
            *s = saturate(f32::from(*s) * self.gain);
        }
    }

    fn name(&self) -> &'static str {
        "half-duplex"
    }
}

#[cfg(feature = "webrtc-aec")]
pub use webrtc::WebRtcAec;

#[cfg(feature = "webrtc-aec")]
mod webrtc {
    use super::*;
    use dsp::rate::SampleRate;
    use dsp::resample::Resampler;
    use webrtc_audio_processing as wap;

    /// Samples per 10 ms at 48 kHz (the wrapper's fixed frame).
    const WIDE: usize = 480;

    /// WebRTC AudioProcessing's AEC (legacy, Debian's library 0.3).
    pub struct WebRtcAec {
        processor: wap::Processor,
        up_render: Resampler,
        up_capture: Resampler,
        down: Resampler,
        wide: Box<[i16; 2 * WIDE]>,
        frame: Box<[f32; WIDE]>,
    }

    impl std::fmt::Debug for WebRtcAec {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("WebRtcAec").finish_non_exhaustive()
        }
    }

    impl WebRtcAec {
        /// A mono canceller with the suppression level "moderate".
        pub fn new() -> Result<WebRtcAec, String> {
            let mut processor = wap::Processor::new(&wap::InitializationConfig {
                num_capture_channels: 1,
                num_render_channels: 1,
                ..wap::InitializationConfig::default()
            })
            .map_err(|e| e.to_string())?;
            processor.set_config(wap::Config {
                echo_cancellation: Some(wap::EchoCancellation {
                    suppression_level: wap::EchoCancellationSuppressionLevel::Moderate,
                    enable_extended_filter: true,
                    enable_delay_agnostic: true,
                    stream_delay_ms: None,
                }),
                ..wap::Config::default()
            });
            let r = || Resampler::new(SampleRate::Hz8000, SampleRate::Hz48000);
            Ok(WebRtcAec {
                processor,
                up_render: r().map_err(|e| format!("{e:?}"))?,
                up_capture: r().map_err(|e| format!("{e:?}"))?,
                down: Resampler::new(SampleRate::Hz48000, SampleRate::Hz8000)
                    .map_err(|e| format!("{e:?}"))?,
                wide: Box::new([0; 2 * WIDE]),
                frame: Box::new([0.0; WIDE]),
            })
        }
    }

    impl AcousticEchoControl for WebRtcAec {
        fn render(&mut self, to_client: &[i16; FRAME_SAMPLES]) {
            if self
                .up_render
                .process(to_client, &mut self.wide[..])
                .is_err()
            {
                return;
            }
            for half in self.wide.chunks_exact(WIDE) {
                for (f, &s) in self.frame.iter_mut().zip(half) {
                    *f = f32::from(s) / 32768.0;
                }
                let _ = self.processor.process_render_frame(&mut self.frame[..]);
            }
        }

        fn capture(&mut self, from_client: &mut [i16; FRAME_SAMPLES]) {
            if self
                .up_capture
                .process(from_client, &mut self.wide[..])
                .is_err()
            {
                return;
            }
            for half in self.wide.chunks_exact_mut(WIDE) {
                for (f, &s) in self.frame.iter_mut().zip(half.iter()) {
                    *f = f32::from(s) / 32768.0;
                }
                let _ = self.processor.process_capture_frame(&mut self.frame[..]);
                for (s, &f) in half.iter_mut().zip(self.frame.iter()) {
                    *s = saturate(f * 32768.0);
                }
            }
            let _ = self.down.process(&self.wide[..], from_client);
        }

        fn name(&self) -> &'static str {
            "webrtc-aec"
        }
    }
}

/// The acoustic echo control a call gets: WebRTC's when built, else the
/// half-duplex suppressor.
pub fn new_control() -> Box<dyn AcousticEchoControl> {
    #[cfg(feature = "webrtc-aec")]
    if let Ok(aec) = WebRtcAec::new() {
        return Box::new(aec);
    }
    Box::new(HalfDuplexSuppressor::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn echo_reduction_db(aec: &mut dyn AcousticEchoControl) -> f64 {
        // The line talks; the client's microphone returns it 12 dB down,
        // 60 ms later; the client itself is silent.
        let mut voice = dsp::voice::Voice::new(11);
        let mut delay = std::collections::VecDeque::from(vec![0i16; 480]);
        let (mut before, mut after) = (0.0f64, 0.0f64);
        for i in 0..400 {
            let mut to_client = [0i16; FRAME_SAMPLES];
            voice.fill(&mut to_client);
            aec.render(&to_client);
            let mut from_client = [0i16; FRAME_SAMPLES];
            for (o, &s) in from_client.iter_mut().zip(to_client.iter()) {
                delay.push_back(s / 4);
                *o = delay.pop_front().unwrap_or(0);
            }
            let e: f64 = from_client.iter().map(|&s| f64::from(s).powi(2)).sum();
            aec.capture(&mut from_client);
            if i >= 200 {
                before += e;
                after += from_client
                    .iter()
                    .map(|&s| f64::from(s).powi(2))
                    .sum::<f64>();
            }
        }
        10.0 * (before / after.max(1.0)).log10()
    }

    #[test]
    fn the_suppressor_attenuates_echo() {
        let mut s = HalfDuplexSuppressor::default();
        let r = echo_reduction_db(&mut s);
        eprintln!("half-duplex suppressor echo reduction: {r:.1} dB");
        assert!(r > 15.0, "{r:.1} dB");
    }

    #[cfg(feature = "webrtc-aec")]
    #[test]
    fn webrtc_aec_removes_echo() {
        let mut a = WebRtcAec::new().unwrap();
        let r = echo_reduction_db(&mut a);
        eprintln!("webrtc-audio-processing 0.5 echo reduction: {r:.1} dB");
        assert!(r > 10.0, "{r:.1} dB");
    }
}
