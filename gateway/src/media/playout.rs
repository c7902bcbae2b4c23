//! A fixed playout buffer for decoded audio from the IP side.
//!
//! This is the foundation's buffer: packets are placed by RTP timestamp into 20 ms
//! slots relative to a play head, playout starts once `target` frames are buffered,
//! and a missing frame plays as silence. When the buffer runs dry it re-anchors on
//! the next packet. The adaptive jitter buffer (target following measured jitter,
//! clock drift, packet-loss concealment) replaces it in the media engine work.

use dsp::FRAME_SAMPLES;

use super::rtp::RtpTimestamp;

/// Slots in the ring (frames): the most audio held, 320 ms.
pub const SLOTS: usize = 16;

const FRAME: u32 = FRAME_SAMPLES as u32;

type Frame = [i16; FRAME_SAMPLES];

/// Decoded frames waiting to be played.
#[derive(Debug, Clone)]
pub struct Playout {
    slots: [Frame; SLOTS],
    filled: [bool; SLOTS],
    /// Timestamp and ring index of the next frame to play; `None` until anchored.
    head: Option<(RtpTimestamp, usize)>,
    playing: bool,
    target: usize,
    buffered: usize,
    /// Frames played as silence because nothing had arrived.
    pub underruns: u64,
    /// Packets dropped because they came after their play time.
    pub late: u64,
}

impl Playout {
    /// A buffer that starts playing once `target` frames are in (1..SLOTS-1).
    pub fn new(target: usize) -> Self {
        Playout {
            slots: [[0; FRAME_SAMPLES]; SLOTS],
            filled: [false; SLOTS],
            head: None,
            playing: false,
            target: target.clamp(1, SLOTS - 1),
            buffered: 0,
            underruns: 0,
            late: 0,
        }
    }

    /// Frames waiting.
    pub fn buffered(&self) -> usize {
        self.buffered
    }

    /// Put a decoded 20 ms frame that starts at `timestamp`.
    pub fn push(&mut self, timestamp: RtpTimestamp, pcm: &Frame) {
        let (head, head_slot) = *self.head.get_or_insert((timestamp, 0));
        let offset = timestamp.0.wrapping_sub(head.0) as i32;
        if offset < 0 {
            self.late += 1;
            return;
        }
        let frames = offset as u32 / FRAME;
        if frames as usize >= SLOTS {
            // A jump far ahead (new talk spurt after a long gap, or a new stream).
            self.clear();
            self.head = Some((timestamp, 0));
            return self.push(timestamp, pcm);
        }
        let slot = (head_slot + frames as usize) % SLOTS;
        if !self.filled[slot] {
            self.buffered += 1;
        }
        self.slots[slot] = *pcm;
        self.filled[slot] = true;
    }

    /// Take the next frame to play into `out`. Returns false (and writes silence)
    /// while buffering or when the frame is missing.
    pub fn pop(&mut self, out: &mut Frame) -> bool {
        let Some((head, slot)) = self.head else {
            out.fill(0);
            return false;
        };
        if !self.playing {
            if self.buffered < self.target {
                out.fill(0);
                return false;
            }
            self.playing = true;
        }
        self.head = Some((head.wrapping_add(FRAME), (slot + 1) % SLOTS));
        if self.filled[slot] {
            *out = self.slots[slot];
            self.filled[slot] = false;
            self.buffered -= 1;
            true
        } else {
            out.fill(0);
            self.underruns += 1;
            if self.buffered == 0 {
                self.clear();
            }
            false
        }
    }

    fn clear(&mut self) {
        self.filled = [false; SLOTS];
        self.buffered = 0;
        self.head = None;
        self.playing = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(v: i16) -> Frame {
        [v; FRAME_SAMPLES]
    }

    #[test]
    fn buffers_to_target_then_plays_in_timestamp_order() {
        let mut p = Playout::new(2);
        let mut out = frame(0);
        let t0 = RtpTimestamp(u32::MAX - 100);
        p.push(t0, &frame(1));
        assert!(!p.pop(&mut out));
        // Reordered arrival.
        p.push(t0.wrapping_add(2 * FRAME), &frame(3));
        p.push(t0.wrapping_add(FRAME), &frame(2));
        for v in 1..=3 {
            assert!(p.pop(&mut out));
            assert_eq!(out[0], v);
        }
        assert!(!p.pop(&mut out));
        assert_eq!(p.underruns, 1);
    }

    #[test]
    fn a_lost_frame_plays_as_silence_and_late_ones_are_dropped() {
        let mut p = Playout::new(1);
        let mut out = frame(0);
        let t0 = RtpTimestamp(0);
        p.push(t0, &frame(1));
        p.push(t0.wrapping_add(2 * FRAME), &frame(3));
        assert!(p.pop(&mut out));
        assert!(!p.pop(&mut out), "frame 2 was lost");
        assert_eq!(out[0], 0);
        p.push(t0.wrapping_add(FRAME), &frame(2));
        assert_eq!(p.late, 1);
        assert!(p.pop(&mut out));
        assert_eq!(out[0], 3);
    }

    #[test]
    fn a_timestamp_jump_reanchors() {
        let mut p = Playout::new(1);
        let mut out = frame(0);
        p.push(RtpTimestamp(0), &frame(1));
        p.push(RtpTimestamp(1_000_000), &frame(9));
        assert!(p.pop(&mut out));
        assert_eq!(out[0], 9);
    }
}
