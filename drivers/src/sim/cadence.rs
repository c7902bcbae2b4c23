//! The exchange's tone plan choice and the ring cadence that goes with it.
//!
//! Tones themselves come from `dsp::tone::Plan`; the ringing *voltage* cadence is
//! the exchange's own business (it is signalled as [`crate::LineEvent::RingOn`] /
//! [`crate::LineEvent::RingOff`], not audio), so it lives here. Figures from
//! TELEPHONY.md: North America rings 2 s on / 4 s off, CEPT 1 s on / 4 s off.
//! The same cadence times the audible ringback a caller hears, so "answer after
//! N rings" is N ring cycles after routing.

use serde::Deserialize;

use crate::line::FRAME_DURATION;

/// Which national tone plan and ring cadence the exchange uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TonePlan {
    /// Bell system tones (350+440 dial, 440+480 ringback, 480+620 busy/reorder).
    #[default]
    NorthAmerica,
    /// CEPT tones (425 Hz).
    Cept,
}

impl TonePlan {
    /// The matching `dsp` tone plan.
    pub fn dsp_plan(self) -> dsp::tone::Plan {
        match self {
            TonePlan::NorthAmerica => dsp::tone::Plan::NorthAmerica,
            TonePlan::Cept => dsp::tone::Plan::Cept,
        }
    }

    /// The ring cadence of this plan.
    pub fn ring_cadence(self) -> RingCadence {
        match self {
            TonePlan::NorthAmerica => RingCadence::from_ms(2000, 4000),
            TonePlan::Cept => RingCadence::from_ms(1000, 4000),
        }
    }
}

/// A ring cadence counted in 20 ms frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RingCadence {
    /// Frames of ringing voltage per cycle.
    pub on_frames: u64,
    /// Frames of silence per cycle.
    pub off_frames: u64,
}

/// What the cadence does at a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RingEdge {
    /// A ring burst begins (its 1-based number).
    On(u64),
    /// The current ring burst ends.
    Off,
}

impl RingCadence {
    /// A cadence from on/off times in milliseconds (rounded down to frames).
    pub fn from_ms(on_ms: u64, off_ms: u64) -> RingCadence {
        let frame_ms = FRAME_DURATION.as_millis() as u64;
        RingCadence {
            on_frames: on_ms / frame_ms,
            off_frames: off_ms / frame_ms,
        }
    }

    /// Frames in one on+off cycle.
    pub fn cycle_frames(self) -> u64 {
        self.on_frames + self.off_frames
    }

    /// The edge, if any, `elapsed` frames after the cadence started.
    pub fn edge_at(self, elapsed: u64) -> Option<RingEdge> {
        let cycle = self.cycle_frames().max(1);
        match elapsed % cycle {
            0 => Some(RingEdge::On(elapsed / cycle + 1)),
            pos if pos == self.on_frames => Some(RingEdge::Off),
            _ => None,
        }
    }

    /// Whether ringing voltage is on `elapsed` frames after the start.
    pub fn is_on(self, elapsed: u64) -> bool {
        elapsed % self.cycle_frames().max(1) < self.on_frames
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn north_american_edges() {
        let c = TonePlan::NorthAmerica.ring_cadence();
        assert_eq!(c.cycle_frames(), 300);
        assert_eq!(c.edge_at(0), Some(RingEdge::On(1)));
        assert_eq!(c.edge_at(99), None);
        assert_eq!(c.edge_at(100), Some(RingEdge::Off));
        assert_eq!(c.edge_at(300), Some(RingEdge::On(2)));
        assert!(c.is_on(99) && !c.is_on(100));
    }

    #[test]
    fn cept_edges() {
        let c = TonePlan::Cept.ring_cadence();
        assert_eq!(c.edge_at(50), Some(RingEdge::Off));
        assert_eq!(c.edge_at(250), Some(RingEdge::On(2)));
    }
}
