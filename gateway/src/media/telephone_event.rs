//! RFC 4733 telephone events (DTMF over RTP).
//!
//! Sending (§2.5.1): the first packet of an event carries the marker bit; every
//! packet of one event keeps the event's start timestamp while the duration grows;
//! the end packet (E bit) is sent three times. Durations are 16-bit, so an event
//! longer than [`MAX_SEGMENT`] units is cut into segments (§2.5.1.3).
//!
//! Receiving (§2.5.2): an event is keyed by (SSRC, timestamp, event code) and counted
//! once; a lost start is tolerated (the first packet seen starts it), duplicated and
//! reordered end packets are ignored.
//!
//! Parses what the network sends: never panics, whatever the bytes (lints in
//! `media/mod.rs`, fuzz target in `gateway/fuzz`).

use dsp::dtmf::Digit;

use super::rtp::{RtpTimestamp, Ssrc};

/// Bytes in an event payload.
pub const PAYLOAD_LEN: usize = 4;
/// Longest duration one segment can carry (16-bit field).
pub const MAX_SEGMENT: u32 = 0xFFFF;
/// Volume sent with events: −10 dBm0 (the field holds the attenuation, 0..63).
pub const VOLUME: u8 = 10;

/// One event payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventPayload {
    /// Event code (0-15 are the DTMF keys).
    pub event: u8,
    /// End bit.
    pub end: bool,
    /// Power level as attenuation in dB below 0 dBm0.
    pub volume: u8,
    /// Duration so far, in media-clock units.
    pub duration: u16,
}

impl EventPayload {
    /// Encode into 4 bytes.
    pub fn encode(self) -> [u8; PAYLOAD_LEN] {
        let d = self.duration.to_be_bytes();
        [
            self.event,
            (u8::from(self.end) << 7) | (self.volume & 0x3f),
            d[0],
            d[1],
        ]
    }

    /// Decode; `None` if shorter than 4 bytes.
    pub fn decode(data: &[u8]) -> Option<EventPayload> {
        let [event, flags, d0, d1] = *data.get(..PAYLOAD_LEN)? else {
            return None;
        };
        Some(EventPayload {
            event,
            end: flags & 0x80 != 0,
            volume: flags & 0x3f,
            duration: u16::from_be_bytes([d0, d1]),
        })
    }
}

/// A packet the sender wants sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventPacket {
    /// The event's start timestamp.
    pub timestamp: RtpTimestamp,
    /// Marker bit (first packet of an event).
    pub marker: bool,
    /// The payload.
    pub payload: EventPayload,
}

#[derive(Debug, Clone, Copy)]
enum SendState {
    Idle,
    /// The end packet is being repeated, one per frame, so that one burst of
    /// loss cannot take all three (§2.5.1.4).
    Ending {
        end: EventPacket,
        left: u8,
    },
    /// A digit still sounding on the line (its end is not known yet).
    Live {
        digit: Digit,
        start: RtpTimestamp,
        elapsed: u32,
        first: bool,
    },
    /// A digit of known length being sent (released command digits, or a live one
    /// that ended while another was being sent).
    Replay {
        digit: Digit,
        start: RtpTimestamp,
        elapsed: u32,
        total: u32,
        first: bool,
    },
}

/// Digits waiting to be sent.
const QUEUE: usize = 32;

/// Turns digits into RFC 4733 packets, one call of [`EventSender::on_frame`] per
/// media frame.
#[derive(Debug, Clone)]
pub struct EventSender {
    state: SendState,
    /// Digits of known duration waiting their turn.
    queue: heapless::Deque<(Digit, u32), QUEUE>,
    /// A live digit that started while another was being sent.
    pending_live: Option<(Digit, u32)>,
}

impl Default for EventSender {
    fn default() -> Self {
        Self::new()
    }
}

impl EventSender {
    /// An idle sender.
    pub fn new() -> Self {
        EventSender {
            state: SendState::Idle,
            queue: heapless::Deque::new(),
            pending_live: None,
        }
    }

    /// True when nothing is being or waiting to be sent.
    pub fn is_idle(&self) -> bool {
        matches!(self.state, SendState::Idle)
            && self.queue.is_empty()
            && self.pending_live.is_none()
    }

    /// A digit started on the line and is to be forwarded as it sounds.
    pub fn start_live(&mut self, digit: Digit) {
        if matches!(self.state, SendState::Idle) && self.queue.is_empty() {
            self.state = SendState::Live {
                digit,
                start: RtpTimestamp(0),
                elapsed: 0,
                first: true,
            };
        } else {
            self.pending_live = Some((digit, 0));
        }
    }

    /// The live digit ended after `duration` media-clock units.
    pub fn end_live(&mut self, duration: u32) {
        if let SendState::Live {
            digit,
            start,
            elapsed,
            first,
        } = self.state
        {
            self.state = SendState::Replay {
                digit,
                start,
                elapsed,
                total: duration.max(elapsed),
                first,
            };
        } else if let Some((digit, _)) = self.pending_live.take() {
            // Cannot fail often: a full queue drops the digit, which is logged by the caller.
            let _ = self.queue.push_back((digit, duration));
        }
    }

    /// Queue a digit of known duration (a released command prefix). Returns false if
    /// the queue is full.
    pub fn queue(&mut self, digit: Digit, duration: u32) -> bool {
        self.queue.push_back((digit, duration)).is_ok()
    }

    /// Produce this frame's packets. `now` is the timestamp of the audio frame
    /// being sent, `frame` its length in media-clock units.
    pub fn on_frame(
        &mut self,
        now: RtpTimestamp,
        frame: u32,
        out: &mut heapless::Vec<EventPacket, 4>,
    ) {
        out.clear();
        if matches!(self.state, SendState::Idle) {
            if let Some((digit, total)) = self.queue.pop_front() {
                self.state = SendState::Replay {
                    digit,
                    start: now,
                    elapsed: 0,
                    total,
                    first: true,
                };
            } else if let Some((digit, _)) = self.pending_live.take() {
                self.state = SendState::Live {
                    digit,
                    start: now,
                    elapsed: 0,
                    first: true,
                };
            }
        }
        match &mut self.state {
            SendState::Idle => {}
            SendState::Ending { end, left } => {
                let _ = out.push(*end);
                *left -= 1;
                if *left == 0 {
                    self.state = SendState::Idle;
                }
            }
            SendState::Live {
                digit,
                start,
                elapsed,
                first,
            } => {
                if *first {
                    *start = now;
                }
                *elapsed = elapsed.saturating_add(frame);
                if *elapsed > MAX_SEGMENT {
                    // §2.5.1.3: close this segment and start a new one.
                    *start = start.wrapping_add(MAX_SEGMENT);
                    *elapsed -= MAX_SEGMENT;
                    *first = true;
                }
                let _ = out.push(packet(*digit, *start, *first, false, *elapsed));
                *first = false;
            }
            SendState::Replay {
                digit,
                start,
                elapsed,
                total,
                first,
            } => {
                if *first && *elapsed == 0 {
                    *start = now;
                }
                *elapsed = elapsed.saturating_add(frame).min(*total);
                if *elapsed >= *total {
                    let end = packet(*digit, *start, *first, true, *elapsed);
                    let _ = out.push(end);
                    self.state = SendState::Ending {
                        end: EventPacket {
                            marker: false,
                            ..end
                        },
                        left: 2,
                    };
                } else {
                    let _ = out.push(packet(*digit, *start, *first, false, *elapsed));
                    *first = false;
                }
            }
        }
    }
}

fn packet(digit: Digit, start: RtpTimestamp, marker: bool, end: bool, elapsed: u32) -> EventPacket {
    EventPacket {
        timestamp: start,
        marker,
        payload: EventPayload {
            event: digit.event_code(),
            end,
            volume: VOLUME,
            duration: u16::try_from(elapsed.min(MAX_SEGMENT)).unwrap_or(u16::MAX),
        },
    }
}

/// What a received event packet means for the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// Start playing this digit.
    Start(Digit),
    /// Stop the digit that is playing.
    End,
    /// Nothing new (an update, a duplicate, or a stale packet).
    Nothing,
}

/// De-duplicating receiver of RFC 4733 events.
#[derive(Debug, Clone, Default)]
pub struct EventReceiver {
    current: Option<(Ssrc, RtpTimestamp, u8)>,
    ended: Option<(Ssrc, RtpTimestamp, u8)>,
}

impl EventReceiver {
    /// Handle one event packet.
    pub fn receive(&mut self, ssrc: Ssrc, timestamp: RtpTimestamp, data: &[u8]) -> Received {
        let Some(p) = EventPayload::decode(data) else {
            return Received::Nothing;
        };
        let key = (ssrc, timestamp, p.event);
        if self.ended == Some(key) {
            return Received::Nothing;
        }
        let Some(digit) = Digit::from_event_code(p.event) else {
            return Received::Nothing;
        };
        if p.end {
            self.ended = Some(key);
            return if self.current.take() == Some(key) {
                Received::End
            } else {
                // The whole event was lost but its end: too late to play it.
                Received::Nothing
            };
        }
        if self.current == Some(key) {
            return Received::Nothing;
        }
        self.current = Some(key);
        Received::Start(digit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(c: char) -> Digit {
        Digit::from_char(c).unwrap()
    }

    #[test]
    fn payload_round_trip() {
        let p = EventPayload {
            event: 11,
            end: true,
            volume: 10,
            duration: 1234,
        };
        assert_eq!(p.encode(), [11, 0x8a, 0x04, 0xd2]);
        assert_eq!(EventPayload::decode(&p.encode()), Some(p));
        assert_eq!(EventPayload::decode(&[1, 2, 3]), None);
    }

    #[test]
    fn a_live_digit_keeps_its_timestamp_and_ends_three_times() {
        let mut s = EventSender::new();
        let mut out = heapless::Vec::new();
        s.start_live(d('5'));
        let mut ts = RtpTimestamp(1000);
        let mut all = Vec::new();
        for _ in 0..4 {
            s.on_frame(ts, 160, &mut out);
            all.extend(out.iter().copied());
            ts = ts.wrapping_add(160);
        }
        s.end_live(700);
        for _ in 0..3 {
            s.on_frame(ts, 160, &mut out);
            assert_eq!(
                out.iter().filter(|p| p.payload.end).count(),
                1,
                "one end per frame"
            );
            all.extend(out.iter().copied());
            ts = ts.wrapping_add(160);
        }
        assert!(all[0].marker);
        assert!(all[1..].iter().all(|p| !p.marker));
        assert!(all.iter().all(|p| p.timestamp == RtpTimestamp(1000)));
        let ends: Vec<_> = all.iter().filter(|p| p.payload.end).collect();
        assert_eq!(ends.len(), 3);
        assert!(ends.iter().all(|p| p.payload.duration == 700));
        let durations: Vec<u16> = all.iter().map(|p| p.payload.duration).collect();
        assert!(durations.windows(2).all(|w| w[0] <= w[1]));
        assert!(s.is_idle());
    }

    #[test]
    fn queued_digits_go_one_after_another_with_distinct_timestamps() {
        let mut s = EventSender::new();
        let mut out = heapless::Vec::new();
        assert!(s.queue(d('*'), 400));
        assert!(s.queue(d('7'), 400));
        let mut ts = RtpTimestamp(0);
        let mut starts = Vec::new();
        for _ in 0..10 {
            s.on_frame(ts, 160, &mut out);
            for p in &out {
                if p.marker {
                    starts.push((p.payload.event, p.timestamp));
                }
            }
            ts = ts.wrapping_add(160);
        }
        assert_eq!(starts.len(), 2);
        assert_eq!(starts[0].0, 10);
        assert_eq!(starts[1].0, 7);
        assert_ne!(starts[0].1, starts[1].1);
    }

    #[test]
    fn long_events_are_segmented() {
        let mut s = EventSender::new();
        let mut out = heapless::Vec::new();
        s.start_live(d('1'));
        let mut ts = RtpTimestamp(0);
        let mut markers = 0;
        for _ in 0..(70_000 / 160 + 2) {
            s.on_frame(ts, 160, &mut out);
            markers += out.iter().filter(|p| p.marker).count();
            ts = ts.wrapping_add(160);
        }
        assert_eq!(markers, 2, "a new segment starts after 65535 units");
    }

    #[test]
    fn receiver_counts_each_event_once() {
        let mut r = EventReceiver::default();
        let ssrc = Ssrc(7);
        let ts = RtpTimestamp(500);
        let mk = |end, dur| {
            EventPayload {
                event: 3,
                end,
                volume: 10,
                duration: dur,
            }
            .encode()
        };
        assert_eq!(
            r.receive(ssrc, ts, &mk(false, 160)),
            Received::Start(d('3'))
        );
        assert_eq!(r.receive(ssrc, ts, &mk(false, 320)), Received::Nothing);
        assert_eq!(r.receive(ssrc, ts, &mk(true, 400)), Received::End);
        assert_eq!(r.receive(ssrc, ts, &mk(true, 400)), Received::Nothing);
        assert_eq!(r.receive(ssrc, ts, &mk(true, 400)), Received::Nothing);
        // A late update after the end does not restart it.
        assert_eq!(r.receive(ssrc, ts, &mk(false, 320)), Received::Nothing);
        // A lost start: the first update starts the digit.
        let ts2 = RtpTimestamp(2000);
        assert_eq!(
            r.receive(ssrc, ts2, &mk(false, 480)),
            Received::Start(d('3'))
        );
        assert_eq!(r.receive(ssrc, ts2, &mk(true, 800)), Received::End);
        assert_eq!(r.receive(ssrc, ts, &[1]), Received::Nothing);
    }
}
