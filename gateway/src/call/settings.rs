//! The per-call settings the DTMF command plane changes.

use serde::Serialize;

use crate::media::MediaSession;

/// The per-call settings the command plane changes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CallSettings {
    /// Volume steps of the client's audio toward the line (each step is 20%).
    pub volume_step: i8,
    /// Echo suppression (half duplex) asked of the far end.
    pub echo_suppression: bool,
    /// Echo cancellation asked of the far end.
    pub echo_cancellation: bool,
}

impl Default for CallSettings {
    fn default() -> Self {
        CallSettings {
            volume_step: 0,
            echo_suppression: false,
            echo_cancellation: true,
        }
    }
}

/// Volume steps are bounded to ±5 (about ±8 dB).
pub(crate) const MAX_VOLUME_STEP: i8 = 5;

impl CallSettings {
    /// The volume as a percentage of normal (100 × 1.2^step).
    pub fn volume_percent(&self) -> u32 {
        (100.0 * 1.2f64.powi(i32::from(self.volume_step))).round() as u32
    }

    /// The gain in dB that the volume step means (20·log10(1.2) per step).
    pub fn volume_db(&self) -> f32 {
        f32::from(self.volume_step) * 1.583_625
    }

    /// Puts every setting into a leg's media: at media start (so a step
    /// keyed before it is not lost) and after each command.
    pub(crate) fn apply(&self, media: &mut MediaSession) {
        media.set_gain_to_line_db(self.volume_db());
        media.set_line_echo_canceller(self.echo_cancellation);
        media.set_acoustic_echo_control(self.echo_suppression);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_steps_are_twenty_percent() {
        let mut s = CallSettings::default();
        assert_eq!(s.volume_percent(), 100);
        s.volume_step = 1;
        assert_eq!(s.volume_percent(), 120);
        assert!((s.volume_db() - 1.58).abs() < 0.01);
        s.volume_step = -1;
        assert_eq!(s.volume_percent(), 83);
    }
}
