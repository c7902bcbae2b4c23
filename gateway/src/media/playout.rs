//! Adaptive playout of the client's audio onto the line, one 8 kHz frame per
//! 20 ms line tick: the [`JitterBuffer`] holds packets, this decides each tick
//! what to play.
//!
//! ```text
//!  each tick:  level = decoded-but-unplayed + held span          (8 kHz samples)
//!              ├─ packet for the play head here ───────────▶ decode, play
//!              ├─ missing, later packets here ─────────────▶ lost: conceal
//!              │     (Opus: FEC from the next packet), advance the head
//!              ├─ nothing here (starving) ─────────────────▶ conceal, head stays:
//!              │     the buffer grows by a frame ("stretch"); when packets
//!              │     resume, the gap already concealed is skipped
//!              └─ every second: margin = how far ahead of the play head packets
//!                 arrived (mean and minimum over the second)
//!                    mean > target + 2 ms, min ≥ 1 frame ─▶ drop a frame (cross-
//!                                                fade two into one, in a quiet
//!                                                frame if one comes within 1 s)
//!                    mean < target − 1 frame ─▶ insert a concealed frame
//! ```
//!
//! The target is `3 × J` (J the RFC 3550 interarrival jitter), or how late
//! recent late packets were if more, clamped to the configured minimum and
//! maximum. A packet waits its margin plus up to one tick, so the gateway adds
//! at most one packet time + target + 2 ms once settled. Drops and inserts also absorb clock drift
//! between the client and the line: a client 0.1 % fast delivers one frame too
//! many every 20 s, which is dropped; 0.1 % slow, one too few, inserted.
//!
//! Opus in-band FEC: the copy of a lost frame travels in the *next* packet,
//! which must be here when the lost frame is due. At a target of 0 it is not
//! (it arrives a tick later), and the loss is only extrapolated. So while the
//! client's packets carry FEC (LBRR frames, seen in the last [`FEC_HOLD`] s)
//! and a loss was seen in the last [`FEC_HOLD`] s, the target is at least
//! [`FEC_SPARE`], two packet times: the band above then keeps the mean margin
//! at least one packet time, which costs one packet time (20 ms) of delay and
//! lets the lost frame be decoded from the FEC. Without loss, or without FEC
//! in the stream (G.711, or a client that sends none), nothing changes; after
//! [`FEC_HOLD`] s without loss the target falls back and the extra frame is
//! dropped at the next adaptation. The configured maximum still caps it.

use dsp::FRAME_SAMPLES;

use super::codec::{Decoder, MAX_DECODED};
use super::jitter::{JitterBuffer, Refused};

const FRAME: usize = FRAME_SAMPLES;
/// Decoded samples waiting: one packet of up to 120 ms plus a frame.
const PENDING: usize = MAX_DECODED + 2 * FRAME;
/// Ticks per adaptation window (1 s).
const WINDOW: u32 = 50;
/// A frame below this mean absolute amplitude counts as quiet (≈ −45 dBm0).
const QUIET: i32 = 100;
/// The least target while Opus FEC can recover losses: two packet times, so
/// the mean margin stays at least one packet time (see the module docs).
pub const FEC_SPARE: usize = 2 * FRAME;
/// Adaptation windows (seconds) the FEC floor holds after the last loss, and
/// after the last packet that carried FEC.
pub const FEC_HOLD: u32 = 10;

/// Playout settings, in 8 kHz samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlayoutConfig {
    /// Smallest spare kept beyond the frame being played.
    pub min_spare: usize,
    /// Largest spare kept (more is dropped at once).
    pub max_spare: usize,
    /// Spare buffered before playout starts.
    pub initial_spare: usize,
}

impl PlayoutConfig {
    /// From milliseconds.
    pub fn from_ms(min_ms: u32, max_ms: u32, initial_ms: u32) -> Self {
        let s = |ms: u32| ms as usize * 8;
        let max = s(max_ms.max(min_ms));
        PlayoutConfig {
            min_spare: s(min_ms),
            max_spare: max,
            initial_spare: s(initial_ms).clamp(s(min_ms), max),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Adjust {
    None,
    Drop { waited: u32 },
    Insert { waited: u32 },
}

/// Counters of the playout.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlayoutStats {
    /// Frames played from packets.
    pub played: u64,
    /// Frames concealed for lost packets.
    pub lost: u64,
    /// Lost frames recovered from Opus in-band FEC (the next packet carried
    /// an LBRR frame and it was decoded in place of the lost one).
    pub recovered: u64,
    /// Frames played while the target was held at [`FEC_SPARE`] or more for
    /// FEC (loss seen in a stream that carries FEC).
    pub fec_frames: u64,
    /// Frames concealed because the buffer ran dry.
    pub underruns: u64,
    /// Frames dropped to shrink the buffer (cross-faded).
    pub dropped: u64,
    /// Frames inserted to grow the buffer.
    pub inserted: u64,
    /// Packets too late to play.
    pub late: u64,
    /// Duplicate packets.
    pub duplicates: u64,
}

/// The client's audio, buffered and decoded for the line.
#[derive(Debug)]
pub struct Playout {
    config: PlayoutConfig,
    jb: JitterBuffer,
    decoder: Decoder,
    /// RTP units per 8 kHz sample.
    ups: i64,
    /// Extended timestamp of the next packet to decode; `None` before the first.
    head: Option<i64>,
    playing: bool,
    pending: [i16; PENDING],
    pending_len: usize,
    /// Units of timestamp already concealed while starving.
    stretched: i64,
    window_ticks: u32,
    /// Margins (8 kHz samples between a packet's arrival and the play head
    /// reaching it) seen in this window: sum, count, minimum.
    margin_sum: i64,
    margin_count: i64,
    margin_min: i64,
    /// How late recent late packets were, samples (decays 2 % a second).
    late_peak: f32,
    adjust: Adjust,
    last_quiet: bool,
    /// Windows left of the FEC floor since the last loss, and since the last
    /// packet that carried FEC.
    loss_hold: u32,
    fec_seen_hold: u32,
    scratch: [i16; MAX_DECODED],
    stats: PlayoutStats,
}

impl Playout {
    /// A playout for packets decoded by `decoder`.
    pub fn new(config: PlayoutConfig, decoder: Decoder) -> Self {
        let ups = i64::from(decoder.units_per_sample());
        Playout {
            config,
            jb: JitterBuffer::new(),
            decoder,
            ups,
            head: None,
            playing: false,
            pending: [0; PENDING],
            pending_len: 0,
            stretched: 0,
            window_ticks: 0,
            margin_sum: 0,
            margin_count: 0,
            margin_min: i64::MAX,
            late_peak: 0.0,
            adjust: Adjust::None,
            last_quiet: true,
            loss_hold: 0,
            fec_seen_hold: 0,
            scratch: [0; MAX_DECODED],
            stats: PlayoutStats::default(),
        }
    }

    /// Counters.
    pub fn stats(&self) -> PlayoutStats {
        PlayoutStats {
            late: self.jb.late,
            duplicates: self.jb.duplicates,
            ..self.stats
        }
    }

    /// The interarrival jitter in 8 kHz samples (RFC 3550).
    pub fn jitter_samples(&self) -> u32 {
        self.jb.jitter() / self.ups as u32
    }

    /// The interarrival jitter in RTP clock units, for RTCP.
    pub fn jitter_units(&self) -> u32 {
        self.jb.jitter()
    }

    /// The spare the buffer aims to keep, 8 kHz samples: three times the
    /// RFC 3550 jitter, or how late recent late packets were if more (jitter
    /// is a mean; a few packets held back much longer do not move it).
    pub fn target_spare(&self) -> usize {
        let from_jitter = 3 * self.jitter_samples() as usize;
        let fec = if self.fec_floor() { FEC_SPARE } else { 0 };
        from_jitter
            .max(self.late_peak as usize)
            .max(fec)
            .clamp(self.config.min_spare, self.config.max_spare)
    }

    /// True while the target is held up for FEC: the stream carries FEC and
    /// loss is being seen.
    pub fn fec_floor(&self) -> bool {
        self.loss_hold > 0 && self.fec_seen_hold > 0
    }

    /// Audio held now (decoded and not, up to the newest packet), 8 kHz samples.
    pub fn level(&self) -> usize {
        let held = match (self.head, self.jb.last()) {
            (Some(h), Some(l)) if l >= h => ((l - h) / self.ups) as usize + FRAME,
            _ => 0,
        };
        self.pending_len + held
    }

    /// Forget the stream (a new SSRC): its packets, play head and margins, and
    /// the FEC floor it earned (the new stream earns its own: a floor held over
    /// would delay a stream that neither loses packets nor maybe carries FEC).
    pub fn reset(&mut self) {
        self.jb.reset();
        self.head = None;
        self.playing = false;
        self.pending_len = 0;
        self.stretched = 0;
        self.adjust = Adjust::None;
        self.window_ticks = 0;
        self.margin_sum = 0;
        self.margin_count = 0;
        self.margin_min = i64::MAX;
        self.loss_hold = 0;
        self.fec_seen_hold = 0;
    }

    /// A packet arrived at `arrival` (RTP clock units of the receiver's clock).
    pub fn push(&mut self, arrival: i64, ts: u32, payload: &[u8]) -> Result<(), Refused> {
        let result = self.jb.push(arrival, ts, payload, self.head);
        if self.decoder.carries_fec(payload) {
            self.fec_seen_hold = FEC_HOLD;
        }
        match (result, self.head) {
            (Ok(ext), None) => self.head = Some(ext),
            (Ok(ext), Some(head)) if self.playing => {
                let margin = (ext - head) / self.ups;
                self.margin_sum += margin;
                self.margin_count += 1;
                self.margin_min = self.margin_min.min(margin);
            }
            (Err(Refused::Late), Some(head)) => {
                let late = (head - self.jb.extend(ts)) / self.ups;
                self.late_peak = self.late_peak.max((late + FRAME as i64 / 2) as f32);
            }
            _ => {}
        }
        result.map(|_| ())
    }

    /// The next 20 ms for the line.
    pub fn pop(&mut self, out: &mut [i16; FRAME_SAMPLES]) {
        let Some(mut head) = self.head else {
            out.fill(0);
            return;
        };
        let level = self.level();
        if !self.playing {
            if level < FRAME + self.config.initial_spare {
                out.fill(0);
                return;
            }
            self.playing = true;
        }
        self.adapt(level);
        if self.fec_floor() {
            self.stats.fec_frames += 1;
        }

        // Insert a concealed frame (grow the buffer) between packets.
        if let Adjust::Insert { waited } = self.adjust {
            if self.pending_len == 0 && (self.last_quiet || waited >= WINDOW) {
                self.decoder.conceal(None, out);
                self.stats.inserted += 1;
                self.adjust = Adjust::None;
                self.last_quiet = quiet(out);
                return;
            }
        }
        let want = match self.adjust {
            Adjust::Drop { .. } => 2 * FRAME,
            _ => FRAME,
        };
        while self.pending_len < want {
            match self.jb.find(head) {
                Some(slot) => {
                    let n = self
                        .decoder
                        .decode(self.jb.payload(slot), &mut self.scratch);
                    self.jb.release(slot);
                    let n = n.max(1).min(PENDING - self.pending_len);
                    self.pending[self.pending_len..self.pending_len + n]
                        .copy_from_slice(&self.scratch[..n]);
                    self.pending_len += n;
                    head += n as i64 * self.ups;
                    self.stretched = 0;
                    self.stats.played += 1;
                }
                None => {
                    if want > FRAME && self.pending_len >= FRAME {
                        // Not enough here to drop a frame now; try next tick.
                        break;
                    }
                    let frame_units = FRAME as i64 * self.ups;
                    match self.jb.first_from(head) {
                        Some(next) if self.stretched > 0 => {
                            // Packets resumed after starving: the gap was
                            // already concealed while we waited.
                            let skip = (next - head).min(self.stretched);
                            head += skip;
                            self.stretched -= skip;
                            if skip == 0 {
                                self.stretched = 0;
                            } else {
                                // Timestamps that never came: a loss.
                                self.loss_hold = FEC_HOLD;
                            }
                        }
                        Some(next) if next - head > self.config.max_spare as i64 * self.ups * 4 => {
                            // A jump far ahead (timestamp discontinuity): re-anchor.
                            head = next;
                        }
                        Some(next) => {
                            let fec = if next == head + frame_units {
                                self.jb.find(next).map(|s| self.jb.payload(s))
                            } else {
                                None
                            };
                            let mut f = [0i16; FRAME];
                            if self.decoder.conceal(fec, &mut f) {
                                self.stats.recovered += 1;
                            }
                            self.append(&f);
                            head += frame_units;
                            self.stats.lost += 1;
                            self.loss_hold = FEC_HOLD;
                        }
                        None => {
                            let mut f = [0i16; FRAME];
                            self.decoder.conceal(None, &mut f);
                            self.append(&f);
                            self.stretched += frame_units;
                            self.stats.underruns += 1;
                        }
                    }
                }
            }
        }
        self.head = Some(head);
        self.jb.discard_before(head);

        if let Adjust::Drop { waited } = self.adjust {
            if self.pending_len >= 2 * FRAME {
                let q = quiet(&self.pending[..2 * FRAME]);
                if q || waited >= WINDOW {
                    for (i, o) in out.iter_mut().enumerate() {
                        let w = (i as f32 + 0.5) / FRAME as f32;
                        let a = f32::from(self.pending[i]);
                        let b = f32::from(self.pending[FRAME + i]);
                        *o = dsp::level::saturate(a * (1.0 - w) + b * w);
                    }
                    self.consume(2 * FRAME);
                    self.stats.dropped += 1;
                    self.adjust = Adjust::None;
                    self.last_quiet = quiet(out);
                    return;
                }
            }
        }
        out.copy_from_slice(&self.pending[..FRAME]);
        self.consume(FRAME);
        self.last_quiet = quiet(out);
    }

    fn append(&mut self, f: &[i16]) {
        let n = f.len().min(PENDING - self.pending_len);
        self.pending[self.pending_len..self.pending_len + n].copy_from_slice(&f[..n]);
        self.pending_len += n;
    }

    fn consume(&mut self, n: usize) {
        let n = n.min(self.pending_len);
        self.pending.copy_within(n..self.pending_len, 0);
        self.pending_len -= n;
    }

    /// Track the level over the window and decide drops and inserts.
    fn adapt(&mut self, level: usize) {
        self.adjust = match self.adjust {
            Adjust::Drop { waited } => Adjust::Drop { waited: waited + 1 },
            Adjust::Insert { waited } => Adjust::Insert { waited: waited + 1 },
            Adjust::None => Adjust::None,
        };
        let spare_now = level.saturating_sub(FRAME);
        if spare_now > self.config.max_spare + FRAME && self.adjust == Adjust::None {
            // Far too much: drop now, quiet or not.
            self.adjust = Adjust::Drop { waited: WINDOW };
        }
        self.window_ticks += 1;
        if self.window_ticks < WINDOW {
            return;
        }
        self.late_peak *= 0.98;
        self.loss_hold = self.loss_hold.saturating_sub(1);
        self.fec_seen_hold = self.fec_seen_hold.saturating_sub(1);
        let target = self.target_spare() as i64;
        let (sum, count, min) = (self.margin_sum, self.margin_count, self.margin_min);
        self.window_ticks = 0;
        self.margin_sum = 0;
        self.margin_count = 0;
        self.margin_min = i64::MAX;
        if self.adjust != Adjust::None || count == 0 {
            return;
        }
        // The mean margin is the buffer's delay for a typical packet; the
        // minimum says how close the latest packet came to missing its turn.
        let mean = sum / count;
        let frame = FRAME as i64;
        // Band: a packet waits its margin plus up to one tick, so a mean
        // margin within [target − 1 frame, target + 2 ms] keeps the wait
        // within one packet time + target + 2 ms.
        if mean > target + 16 && min >= frame {
            self.adjust = Adjust::Drop { waited: 0 };
        } else if mean + frame < target {
            self.adjust = Adjust::Insert { waited: 0 };
        }
    }
}

fn quiet(frame: &[i16]) -> bool {
    let sum: i64 = frame.iter().map(|&s| i64::from(s).abs()).sum();
    sum / frame.len().max(1) as i64 <= i64::from(QUIET)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dsp::g711::Law;

    fn playout(initial_ms: u32) -> Playout {
        Playout::new(
            PlayoutConfig::from_ms(0, 200, initial_ms),
            Decoder::g711(Law::Ulaw),
        )
    }

    fn packet(v: u8) -> [u8; FRAME] {
        [v; FRAME]
    }

    #[test]
    fn waits_for_the_initial_spare_then_plays_in_order() {
        let mut p = playout(20);
        let mut out = [0i16; FRAME];
        p.push(0, 1000, &packet(0x10)).unwrap();
        p.pop(&mut out);
        assert!(out.iter().all(|&s| s == 0), "still buffering");
        p.push(0, 1160, &packet(0x20)).unwrap();
        p.pop(&mut out);
        assert_eq!(out[0], dsp::g711::ulaw_decode(0x10));
        p.pop(&mut out);
        assert_eq!(out[80], dsp::g711::ulaw_decode(0x20));
        assert_eq!(p.stats().played, 2);
    }

    #[test]
    fn a_lost_packet_is_concealed_and_a_late_one_refused() {
        let mut p = playout(0);
        let mut out = [0i16; FRAME];
        p.push(0, 0, &packet(0x30)).unwrap();
        p.push(0, 320, &packet(0x30)).unwrap();
        p.pop(&mut out);
        p.pop(&mut out);
        assert_eq!(p.stats().lost, 1);
        assert_eq!(p.push(0, 160, &packet(0x30)), Err(Refused::Late));
        p.pop(&mut out);
        assert_eq!(p.stats().played, 2);
    }

    /// An Opus stream with FEC loses a packet: the FEC floor holds the target
    /// up. A new SSRC (reset) starts without it: its own packets carry FEC but
    /// lose nothing, so its target is not held up by the old stream's loss.
    #[test]
    fn a_new_stream_does_not_inherit_the_fec_floor() {
        use super::super::codec::{Encoder, OpusSettings};
        let mut enc = Encoder::opus(OpusSettings {
            encode_rate: dsp::rate::SampleRate::Hz48000,
            bitrate: 24_000,
            complexity: 5,
            fec: true,
            dtx: false,
        })
        .unwrap();
        let mut p = Playout::new(PlayoutConfig::from_ms(0, 200, 0), Decoder::opus().unwrap());
        let mut voice = dsp::voice::Voice::new(3);
        let mut pcm = [0i16; FRAME];
        let mut pkt = [0u8; 1500];
        let mut out = [0i16; FRAME];
        // 48 kHz RTP units per 20 ms; arrival on the same clock, no jitter.
        let unit = 960u32;
        let mut stream = |p: &mut Playout, base: u32, packets: u32, lost: Option<u32>| {
            for i in 0..packets {
                voice.fill(&mut pcm);
                let n = enc.encode(&pcm, &mut pkt).unwrap();
                if Some(i) != lost {
                    let ts = base.wrapping_add(i * unit);
                    p.push(i64::from(i * unit), ts, &pkt[..n]).unwrap();
                }
                p.pop(&mut out);
            }
        };
        stream(&mut p, 1000, 40, Some(30));
        assert_eq!(p.stats().lost + p.stats().underruns, 1, "{:?}", p.stats());
        assert!(p.fec_floor(), "loss in a stream that carries FEC");
        assert_eq!(p.target_spare(), FEC_SPARE);

        p.reset();
        let held = p.stats().fec_frames;
        stream(&mut p, 7_000_000, 20, None);
        assert!(!p.fec_floor(), "the new stream lost nothing");
        assert_eq!(p.target_spare(), 0);
        assert_eq!(p.stats().fec_frames, held, "no frame of it held up for FEC");
    }
}
