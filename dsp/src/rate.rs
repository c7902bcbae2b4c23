//! Sample rates the media paths use: 8 kHz on the line, the Opus rates on IP.

/// A sample rate libopus accepts (RFC 6716 §2: 8, 12, 16, 24 or 48 kHz).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SampleRate {
    /// Narrowband, the line's rate ([`crate::SAMPLE_RATE_HZ`]).
    Hz8000,
    /// Medium band.
    Hz12000,
    /// Wideband.
    Hz16000,
    /// Super-wideband.
    Hz24000,
    /// Fullband; the RTP clock of Opus (RFC 7587 §4.1).
    Hz48000,
}

impl SampleRate {
    /// Samples per second.
    pub const fn hz(self) -> u32 {
        match self {
            SampleRate::Hz8000 => 8000,
            SampleRate::Hz12000 => 12_000,
            SampleRate::Hz16000 => 16_000,
            SampleRate::Hz24000 => 24_000,
            SampleRate::Hz48000 => 48_000,
        }
    }

    /// The rate for `hz`, if it is one of the five.
    pub const fn from_hz(hz: u32) -> Option<SampleRate> {
        match hz {
            8000 => Some(SampleRate::Hz8000),
            12_000 => Some(SampleRate::Hz12000),
            16_000 => Some(SampleRate::Hz16000),
            24_000 => Some(SampleRate::Hz24000),
            48_000 => Some(SampleRate::Hz48000),
            _ => None,
        }
    }

    /// Samples in `ms` milliseconds (20 ms at 48 kHz: 960).
    pub const fn samples_in_ms(self, ms: u32) -> usize {
        (self.hz() / 1000 * ms) as usize
    }
}

impl core::fmt::Display for SampleRate {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} Hz", self.hz())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for r in [
            SampleRate::Hz8000,
            SampleRate::Hz12000,
            SampleRate::Hz16000,
            SampleRate::Hz24000,
            SampleRate::Hz48000,
        ] {
            assert_eq!(SampleRate::from_hz(r.hz()), Some(r));
        }
        assert_eq!(SampleRate::from_hz(44_100), None);
        assert_eq!(SampleRate::Hz48000.samples_in_ms(20), 960);
        assert_eq!(SampleRate::Hz8000.samples_in_ms(20), crate::FRAME_SAMPLES);
    }
}
