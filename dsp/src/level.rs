//! Signal levels in dBm0.
//!
//! Scale (spandsp's, see `TELEPHONY.md`): a sine of peak 22 790 on 16-bit
//! samples is 0 dBm0. ITU-T G.711 defines 0 dBm0 on its own 14/13-bit scale;
//! on 16-bit linear samples that corresponds to this figure.

/// Peak of a 0 dBm0 sine on 16-bit samples.
pub const DBM0_PEAK: f32 = 22_790.0;

/// Value returned by [`rms_dbm0`] for digital silence.
pub const SILENCE_DBM0: f32 = -120.0;

/// Peak amplitude of a sine at `dbm0` (0 dBm0 = 22790 peak, spandsp scale).
pub fn dbm0_to_peak(dbm0: f32) -> f32 {
    DBM0_PEAK * 10f32.powf(dbm0 / 20.0)
}

/// Mean power (mean square) of a sine at `dbm0`.
pub(crate) fn dbm0_to_power(dbm0: f32) -> f32 {
    let peak = dbm0_to_peak(dbm0);
    peak * peak / 2.0
}

/// Level in dBm0 of a mean power (mean square) value.
pub(crate) fn power_to_dbm0(power: f32) -> f32 {
    let reference = DBM0_PEAK * DBM0_PEAK / 2.0;
    if power <= 0.0 {
        return SILENCE_DBM0;
    }
    (10.0 * (power / reference).log10()).max(SILENCE_DBM0)
}

/// RMS level of samples in dBm0 (a sine of peak 22790 reads 0.0);
/// [`SILENCE_DBM0`] (−120) for silence or an empty slice.
pub fn rms_dbm0(samples: &[i16]) -> f32 {
    if samples.is_empty() {
        return SILENCE_DBM0;
    }
    let sum: f64 = samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    power_to_dbm0((sum / samples.len() as f64) as f32)
}

/// Rounds and saturates to i16.
pub fn saturate(x: f32) -> i16 {
    // Half away from zero like `f32::round`, without its libm call (x86-64's
    // baseline has no rounding instruction); `as` truncates, saturates and
    // maps NaN to 0.
    (x + 0.5f32.copysign(x)) as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saturate_is_the_identity_on_i16() {
        assert!((i16::MIN..=i16::MAX).all(|x| saturate(f32::from(x)) == x));
        assert!((i16::MIN..=i16::MAX).all(|x| saturate(f32::from(x) * 1.0) == x));
    }

    #[test]
    fn reference_points() {
        assert!((dbm0_to_peak(0.0) - 22_790.0).abs() < 0.01);
        assert!((dbm0_to_peak(-10.0) - 7_207.0).abs() < 20.0);
        assert_eq!(rms_dbm0(&[0; 160]), SILENCE_DBM0);
        assert_eq!(rms_dbm0(&[]), SILENCE_DBM0);
        let sine: Vec<i16> = (0..8000)
            .map(|n| (22_790.0 * (n as f32 * 0.1).sin()).round() as i16)
            .collect();
        assert!(rms_dbm0(&sine).abs() < 0.05, "{}", rms_dbm0(&sine));
        let full = [i16::MAX; 100];
        assert!((rms_dbm0(&full) - 6.15).abs() < 0.05, "{}", rms_dbm0(&full));
    }
}
