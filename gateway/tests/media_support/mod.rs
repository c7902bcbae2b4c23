//! A client and a network on a virtual clock for the media impairment tests
//! (`media_*.rs`, one scenario per file).
//!
//! The client captures the synthetic voice at 8 kHz on its own clock (which can
//! run fast or slow), packs 20 ms per RTP packet, and sends each packet when its
//! frame is complete. The network delays each packet by `base + jitter`, and can
//! lose, duplicate or hold back packets. The gateway's [`MediaSession`] runs on
//! the line's clock: one frame every 20 ms. Everything is seeded.
//!
//! Measured: the lag of the line's audio behind the client's capture, per
//! second, by cross-correlation (so it is the real delay of the audio, not a
//! counter), and the audio gaps (frames the playout had to conceal or insert).

#![allow(dead_code)]

use std::time::{Duration, Instant};

use dsp::FRAME_SAMPLES;
use gateway::config::{Codec, MediaConfig};
use gateway::media::codec::{Encoder, OpusSettings};
use gateway::media::negotiation::OpusParams;
use gateway::media::opus_packet::has_lbrr;
use gateway::media::rtp::{PayloadType, RtpSender, RtpTimestamp, Ssrc, PT_PCMU};
use gateway::media::session::{MediaSession, MediaStats, RtpQueue, StreamIds};
use gateway::media::Negotiated;
use gateway::media::TransportId;

/// What the network does to the client's packets.
#[derive(Debug, Clone, Copy)]
pub struct Network {
    /// One-way delay every packet has, ms.
    pub base_ms: f64,
    /// Extra delay uniform in 0..jitter_ms.
    pub jitter_ms: f64,
    /// Probability a packet is lost.
    pub loss: f64,
    /// Packets sent after this many seconds are not lost any more.
    pub loss_until_s: f64,
    /// Probability a packet is sent twice (the copy 0..40 ms later).
    pub duplicate: f64,
    /// Probability a packet is held back by `reorder_ms` (arrives after later ones).
    pub reorder: f64,
    /// How long a reordered packet is held back, ms.
    pub reorder_ms: f64,
    /// The client's clock rate relative to the line's (1.001 = 0.1 % fast).
    pub client_clock: f64,
}

impl Default for Network {
    fn default() -> Self {
        Network {
            base_ms: 10.0,
            jitter_ms: 0.0,
            loss: 0.0,
            loss_until_s: f64::INFINITY,
            duplicate: 0.0,
            reorder: 0.0,
            reorder_ms: 0.0,
            client_clock: 1.0,
        }
    }
}

/// The outcome of a run.
#[derive(Debug)]
pub struct Run {
    /// Lag of the line's audio behind the client's capture, ms, per second of
    /// the call (after the first second).
    pub lag_ms: Vec<f64>,
    /// Best correlation in each of those seconds.
    pub correlation: Vec<f64>,
    /// The gateway's counters at the end.
    pub stats: MediaStats,
    /// Packets the network lost.
    pub lost: u64,
    /// Which: the client's frame numbers (from 0).
    pub lost_frames: Vec<usize>,
    /// Per client frame: its packet carries Opus in-band FEC for the frame
    /// before (an LBRR frame).
    pub carries_fec: Vec<bool>,
    /// The playout's target spare at the end, ms.
    pub target_ms: f64,
    /// Line audio.
    pub line: Vec<i16>,
}

impl Run {
    /// The gateway's own added delay per second: lag minus packetisation (20 ms)
    /// minus the network's base delay.
    pub fn added_ms(&self, net: &Network) -> Vec<f64> {
        self.lag_ms.iter().map(|l| l - 20.0 - net.base_ms).collect()
    }

    /// [`Run::added_ms`] and correlations after the first [`SETTLE_S`] seconds
    /// (the buffer settles from its initial spare).
    pub fn steady(&self, net: &Network) -> Vec<(f64, f64)> {
        self.added_ms(net)
            .into_iter()
            .zip(self.correlation.iter().copied())
            .skip(SETTLE_S)
            .collect()
    }

    /// The largest steady added delay, ms.
    pub fn max_added(&self, net: &Network) -> f64 {
        self.steady(net)
            .iter()
            .map(|a| a.0)
            .fold(f64::MIN, f64::max)
    }

    /// Frames of audio concealed or inserted (gaps in the client's audio).
    pub fn gaps(&self) -> u64 {
        let p = self.stats.playout;
        p.lost + p.underruns + p.inserted
    }

    /// Losses whose neighbours both arrived: those in-band FEC (carried by the
    /// next packet) can recover.
    pub fn isolated_losses(&self) -> usize {
        self.isolated().count()
    }

    /// Losses whose next packet arrived and carries FEC (isolated ones, and
    /// the last of a run): the most FEC can recover.
    pub fn fec_candidates(&self) -> usize {
        self.fec_candidate_frames().count()
    }

    /// [`Run::fec_candidates`] that the playout had a chance at: not the
    /// client's first packet (the playout starts from the first that arrives)
    /// and not at the end, where the next packet came too late for the run.
    pub fn recoverable_losses(&self) -> usize {
        let ticks = self.line.len() / FRAME_SAMPLES;
        self.fec_candidate_frames()
            .filter(|&k| k >= 1 && k + 4 < ticks)
            .count()
    }

    fn fec_candidate_frames(&self) -> impl Iterator<Item = usize> + '_ {
        let lost = |k: usize| self.lost_frames.binary_search(&k).is_ok();
        self.lost_frames
            .iter()
            .copied()
            .filter(move |&k| !lost(k + 1) && self.carries_fec.get(k + 1).copied().unwrap_or(false))
    }

    fn isolated(&self) -> impl Iterator<Item = usize> + '_ {
        let lost = |k: usize| self.lost_frames.binary_search(&k).is_ok();
        self.lost_frames
            .iter()
            .copied()
            .filter(move |&k| (k == 0 || !lost(k - 1)) && !lost(k + 1))
    }
}

/// Seconds measured but not asserted while the buffer settles.
pub const SETTLE_S: usize = 2;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Which codec the client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientCodec {
    /// G.711 µ-law.
    Pcmu,
    /// Opus, 48 kHz RTP clock.
    Opus,
}

/// A session for `codec` with the default `[media]` settings.
pub fn session(codec: ClientCodec, config: &MediaConfig, now: Instant) -> MediaSession {
    let remote = "127.0.0.1:40000".parse().unwrap();
    let negotiated = match codec {
        ClientCodec::Pcmu => Negotiated::g711(Codec::Pcmu, Some(PayloadType(101)), remote),
        ClientCodec::Opus => Negotiated {
            codec: Codec::Opus,
            payload_type: PayloadType(111),
            telephone_event: Some(PayloadType(101)),
            remote,
            opus: Some(OpusParams {
                maxplaybackrate: Some(48_000),
                useinbandfec: true,
                usedtx: false,
                stereo: false,
            }),
            telephone_event_rate: 8000,
        },
    };
    let ids = StreamIds {
        ssrc: Ssrc(0x6a7e),
        seq: 1000,
        timestamp: RtpTimestamp(5000),
    };
    MediaSession::new(TransportId(0), negotiated, ids, config, now).expect("session")
}

/// Run `seconds` of a call with the client's audio crossing `net`.
pub fn run(codec: ClientCodec, net: Network, seconds: u32, seed: u64) -> Run {
    let config = MediaConfig::default();
    let t0 = Instant::now();
    let mut gw = session(codec, &config, t0);
    let mut rng = Rng(seed | 1);

    // The client's capture and packets.
    let frames = (seconds as f64 * 50.0 * net.client_clock) as usize + 50;
    let mut voice = dsp::voice::Voice::new(seed);
    let mut input = vec![0i16; frames * FRAME_SAMPLES];
    voice.fill(&mut input);
    let (mut encoder, pt, units) = match codec {
        ClientCodec::Pcmu => (Encoder::G711(dsp::g711::Law::Ulaw), PT_PCMU, 160),
        ClientCodec::Opus => (
            Encoder::opus(OpusSettings {
                encode_rate: dsp::rate::SampleRate::Hz48000,
                bitrate: 32_000,
                complexity: 5,
                fec: true,
                dtx: false,
            })
            .unwrap(),
            PayloadType(111),
            960,
        ),
    };
    let mut client = RtpSender::new(Ssrc(0xc11e), 7, RtpTimestamp(u32::MAX - 20_000));
    let mut arrivals: Vec<(f64, Vec<u8>)> = Vec::new();
    let mut lost = 0;
    let mut lost_frames = Vec::new();
    let mut carries_fec = Vec::with_capacity(frames);
    for k in 0..frames {
        let pcm: &[i16; FRAME_SAMPLES] = input[k * FRAME_SAMPLES..(k + 1) * FRAME_SAMPLES]
            .try_into()
            .unwrap();
        let mut payload = [0u8; 1500];
        let n = encoder.encode(pcm, &mut payload).unwrap();
        carries_fec.push(codec == ClientCodec::Opus && has_lbrr(&payload[..n]));
        let mut packet = vec![0u8; 1600];
        let len = client.audio(pt, &payload[..n], units, &mut packet).unwrap();
        packet.truncate(len);
        // Sent when the frame is complete, on the client's clock.
        let sent = (k + 1) as f64 * 20.0 / net.client_clock;
        if rng.next() < net.loss && sent < net.loss_until_s * 1000.0 {
            lost += 1;
            lost_frames.push(k);
            continue;
        }
        let mut at = sent + net.base_ms + rng.next() * net.jitter_ms;
        if rng.next() < net.reorder {
            at += net.reorder_ms;
        }
        if rng.next() < net.duplicate {
            arrivals.push((at + rng.next() * 40.0, packet.clone()));
        }
        arrivals.push((at, packet));
    }
    arrivals.sort_by(|a, b| a.0.total_cmp(&b.0));

    // The line: one frame every 20 ms.
    let ticks = seconds as usize * 50;
    let mut line = vec![0i16; ticks * FRAME_SAMPLES];
    let mut queue = RtpQueue::new();
    let source = "127.0.0.1:40000".parse().unwrap();
    let mut next = 0;
    for j in 0..ticks {
        let tick_ms = j as f64 * 20.0;
        while next < arrivals.len() && arrivals[next].0 <= tick_ms {
            let at = t0 + Duration::from_secs_f64(arrivals[next].0 / 1000.0);
            let _ = gw.receive(at, source, &arrivals[next].1);
            next += 1;
        }
        let now = t0 + Duration::from_secs_f64(tick_ms / 1000.0);
        gw.process_line(&[0; FRAME_SAMPLES]);
        while gw.poll_dtmf().is_some() {}
        gw.transmit(now, &mut queue);
        queue.clear();
        let out: &mut [i16; FRAME_SAMPLES] = (&mut line
            [j * FRAME_SAMPLES..(j + 1) * FRAME_SAMPLES])
            .try_into()
            .unwrap();
        gw.play_to_line(out);
    }

    // Lag per second: line sample m (played at m/8000 s on the line's clock)
    // against client sample n (captured at n/(8000·clock) s).
    let (lag_ms, correlation) = lag_per_second(&input, &line, seconds as usize, net.client_clock);
    let stats = gw.stats();
    Run {
        lag_ms,
        correlation,
        stats,
        lost,
        lost_frames,
        carries_fec,
        target_ms: gw_target_ms(&gw),
        line,
    }
}

/// The lag (ms) of `output` behind `input` and its correlation, for each
/// second from the second one on: the median of five 200 ms windows where the
/// voice is clearly found (correlation > 0.6); seconds with none are left out.
pub fn lag_per_second(
    input: &[i16],
    output: &[i16],
    seconds: usize,
    clock: f64,
) -> (Vec<f64>, Vec<f64>) {
    let mut lag_ms = Vec::new();
    let mut correlation = Vec::new();
    for s in 1..seconds {
        let mut found: Vec<(f64, f64)> = Vec::new();
        for w in 0..5 {
            let from = s * 8000 + w * 1600;
            let (lag, c) = best_lag(input, output, from, from + 1600, clock);
            if c > 0.6 {
                found.push((lag, c));
            }
        }
        if found.is_empty() {
            continue;
        }
        found.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (lag, c) = found[found.len() / 2];
        lag_ms.push(lag);
        correlation.push(c);
    }
    (lag_ms, correlation)
}

/// The lag (ms) of `line[from..to]` behind `input`, and its correlation.
fn best_lag(input: &[i16], line: &[i16], from: usize, to: usize, clock: f64) -> (f64, f64) {
    let corr = |lag: usize, step: usize| {
        let (mut xy, mut xx, mut yy) = (0.0, 0.0, 0.0);
        for m in (from..to).step_by(step) {
            // Line time of m minus lag, mapped to the client's samples.
            let t = (m as f64 - lag as f64) / 8000.0;
            let n = (t * 8000.0 * clock).round();
            if n < 0.0 || n as usize >= input.len() {
                continue;
            }
            let a = f64::from(input[n as usize]);
            let b = f64::from(line[m]);
            xy += a * b;
            xx += a * a;
            yy += b * b;
        }
        xy / (xx * yy).sqrt().max(1.0)
    };
    // Coarse: 0..400 ms in 0.25 ms steps on every 4th sample; then fine.
    let (mut best, mut best_lag) = (f64::NEG_INFINITY, 0usize);
    for lag in (0..3200usize).step_by(2) {
        let c = corr(lag, 4);
        if c > best {
            best = c;
            best_lag = lag;
        }
    }
    let coarse = best_lag;
    best = f64::NEG_INFINITY;
    for lag in coarse.saturating_sub(4)..coarse + 5 {
        let c = corr(lag, 1);
        if c > best {
            best = c;
            best_lag = lag;
        }
    }
    (best_lag as f64 / 8.0, best)
}

fn gw_target_ms(gw: &MediaSession) -> f64 {
    gw.playout_target_samples() as f64 / 8.0
}

/// Print the figures a scenario asserts on (shown with `--nocapture`).
pub fn report(name: &str, net: &Network, r: &Run) {
    let added = r.added_ms(net);
    let max = added.iter().copied().fold(f64::MIN, f64::max);
    let mean = added.iter().sum::<f64>() / added.len().max(1) as f64;
    let minc = r.correlation.iter().copied().fold(f64::MAX, f64::min);
    eprintln!(
        "{name}: added delay mean {mean:.1} ms max {max:.1} ms, target {:.1} ms, jitter {:.1} ms, \
         gaps {} (lost {}, underruns {}, inserted {}, dropped {}, recovered {}), late {}, dup {}, \
         network lost {} ({} isolated, {} recoverable by FEC of {} with FEC next), FEC floor {} frames, min correlation {minc:.3}",
        r.target_ms,
        r.stats.jitter_us as f64 / 1000.0,
        r.gaps(),
        r.stats.playout.lost,
        r.stats.playout.underruns,
        r.stats.playout.inserted,
        r.stats.playout.dropped,
        r.stats.playout.recovered,
        r.stats.playout.late,
        r.stats.playout.duplicates,
        r.lost,
        r.isolated_losses(),
        r.recoverable_losses(),
        r.fec_candidates(),
        r.stats.playout.fec_frames,
    );
    let per: Vec<String> = added
        .iter()
        .zip(&r.correlation)
        .map(|(a, c)| format!("{a:.1}/{c:.2}"))
        .collect();
    eprintln!("  per second (added ms / correlation): {}", per.join(" "));
}
