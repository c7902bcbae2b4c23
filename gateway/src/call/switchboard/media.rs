//! The 20 ms tick: every connected flow's media moves between its legs by
//! their frame clocks (see `call::leg`), digits and timers run in between,
//! then every line port's signalling machine runs its frame.
//!
//! ```text
//!  1. write   packet legs ◀─ their peer's frame (a line's rx now, a packet
//!             leg's from the last tick)               ── echo cancel, DTMF detect
//!  2. events  digits heard or keyed ─▶ flows; due flow timers fire
//!  3. flush   packet legs' RTP/RTCP out
//!  4. read    packet legs ─▶ heard buffers; line legs' tx ◀─ their peer's frame
//!  5. lines   every port's signalling machine runs its frame
//! ```
//!
//! Nothing allocates here: the heard buffers belong to the flows.

use std::time::Instant;

use drivers::{Frame, FRAME_SAMPLES};

use crate::call::leg::{LegId, Legs};

use super::Switchboard;
use crate::call::leg::{FrameClock, LineFrames};

impl Switchboard {
    /// One 20 ms frame of line time: `rx[n]` came from port `n`, `tx[n]` is filled
    /// with what to send it next.
    pub fn handle_frames(&mut self, now: Instant, rx: &[Frame], tx: &mut [Frame]) {
        for t in tx.iter_mut() {
            t.fill(0);
        }
        let mut frames = LineFrames { rx, tx };
        self.write_packet_legs(&mut frames);
        self.dispatch(now);
        self.fire_timers(now);
        self.legs.flush(now);
        self.read_packet_legs(&mut frames);
        let LineFrames { rx, tx } = frames;
        for (i, (rx, tx)) in rx.iter().zip(tx.iter_mut()).enumerate() {
            if let Some(line) = self.legs.tech.lines.get_mut(i) {
                line.port.process_frame(now, rx, tx);
            }
        }
        self.drain_ports(now);
        self.drain_sip(now);
    }

    /// Step 1: each packet leg is given its peer's frame.
    fn write_packet_legs(&mut self, frames: &mut LineFrames<'_>) {
        let legs = &mut self.legs;
        for flow in self.flows.values_mut() {
            let Some(bridged) = flow.as_flow().bridged() else {
                continue;
            };
            for side in 0..2 {
                let (me, peer) = (bridged.legs[side], bridged.legs[1 - side]);
                if legs.frame_clock(me) != FrameClock::Packet {
                    continue;
                }
                let frame = peer_frame(legs, frames, peer, &bridged.heard[1 - side]);
                legs.write_frame(me, frames, &frame);
            }
        }
    }

    /// Step 4: packet legs are read; line legs are given their peer's frame.
    fn read_packet_legs(&mut self, frames: &mut LineFrames<'_>) {
        let legs = &mut self.legs;
        for flow in self.flows.values_mut() {
            let Some(bridged) = flow.as_flow().bridged() else {
                continue;
            };
            for side in 0..2 {
                let me = bridged.legs[side];
                if legs.frame_clock(me) == FrameClock::Packet {
                    legs.read_frame(me, frames, &mut bridged.heard[side]);
                }
            }
            for side in 0..2 {
                let (me, peer) = (bridged.legs[side], bridged.legs[1 - side]);
                if legs.frame_clock(me) != FrameClock::Line {
                    continue;
                }
                let frame = peer_frame(legs, frames, peer, &bridged.heard[1 - side]);
                legs.write_frame(me, frames, &frame);
            }
        }
    }
}

/// What `peer` gives its bridged leg this tick: a line's frame now, a packet
/// leg's last frame read (`heard`).
fn peer_frame(legs: &mut Legs, frames: &LineFrames<'_>, peer: LegId, heard: &Frame) -> Frame {
    match legs.frame_clock(peer) {
        FrameClock::Line => {
            let mut frame = [0i16; FRAME_SAMPLES];
            legs.read_frame(peer, frames, &mut frame);
            frame
        }
        FrameClock::Packet => *heard,
    }
}
