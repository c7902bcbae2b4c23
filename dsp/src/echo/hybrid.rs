//! Echo path simulator: the hybrid impulse responses of ITU-T G.168 Annex D.
//!
//! For tests, the console's self-test and benchmarks. [`EchoPath`] takes the
//! far-end signal (what the gateway sends to the line) and returns the echo a
//! 2-wire hybrid sends back: a bulk delay, one of the eight Annex D
//! dispersive responses (models D.2–D.9), scaled to an echo return loss
//! (ERL), plus optional white noise.
//!
//! # Provenance of the coefficients
//!
//! The tap values are those printed in ITU-T G.168 Annex D (sections D.2 to
//! D.9, sampled at 8 kHz, 64 to 128 taps, integer scale with the largest tap
//! around ±2^15). They were transcribed from the copy of those tables in
//! spandsp's `g168models.h` (GPL-2.0-or-later, compatible with this crate's
//! GPL-3.0-or-later), not checked digit by digit against the ITU text.
//! The published models carry their own nominal ERL; here every model is
//! instead rescaled so that its mean power gain over the voice band
//! (|H(f)|² averaged over 300–3400 Hz) equals −ERL dB, which is the ERL seen
//! by a flat band-limited signal. Speech, white noise and tones see a few dB
//! more or less, depending on the model's frequency response; tests that
//! need the true figure measure it.

use crate::level::saturate;
use crate::noise::WhiteNoise;

/// Longest model (D.5), taps.
pub const MAX_MODEL_TAPS: usize = 128;
/// Longest bulk delay accepted, samples (64 ms, the canceller's longest tail,
/// minus the longest model).
pub const MAX_DELAY: usize = 512 - MAX_MODEL_TAPS;

const HISTORY: usize = MAX_DELAY + MAX_MODEL_TAPS;

/// One of the G.168 Annex D hybrid models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HybridModel {
    /// Section D.2 (64 taps).
    D2,
    /// Section D.3 (96 taps).
    D3,
    /// Section D.4 (96 taps).
    D4,
    /// Section D.5 (128 taps, the most dispersive).
    D5,
    /// Section D.6 (96 taps).
    D6,
    /// Section D.7 (120 taps).
    D7,
    /// Section D.8 (96 taps).
    D8,
    /// Section D.9 (99 taps).
    D9,
}

impl HybridModel {
    /// All eight models, in Annex D order.
    pub const ALL: [HybridModel; 8] = [
        HybridModel::D2,
        HybridModel::D3,
        HybridModel::D4,
        HybridModel::D5,
        HybridModel::D6,
        HybridModel::D7,
        HybridModel::D8,
        HybridModel::D9,
    ];

    /// The published taps (unscaled integers).
    pub fn taps(self) -> &'static [i32] {
        match self {
            HybridModel::D2 => &D2,
            HybridModel::D3 => &D3,
            HybridModel::D4 => &D4,
            HybridModel::D5 => &D5,
            HybridModel::D6 => &D6,
            HybridModel::D7 => &D7,
            HybridModel::D8 => &D8,
            HybridModel::D9 => &D9,
        }
    }
}

/// Why an echo path could not be built.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum EchoPathError {
    /// The bulk delay exceeds [`MAX_DELAY`] samples.
    DelayTooLong(usize),
    /// The ERL is not a finite number.
    InvalidErl(f32),
}

impl core::fmt::Display for EchoPathError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            EchoPathError::DelayTooLong(d) => {
                write!(f, "bulk delay {d} samples exceeds {MAX_DELAY}")
            }
            EchoPathError::InvalidErl(e) => write!(f, "ERL {e} dB is not finite"),
        }
    }
}

impl std::error::Error for EchoPathError {}

/// A simulated line: far end in, echo (plus optional noise) out.
#[derive(Debug)]
pub struct EchoPath {
    /// Scaled impulse response including the bulk delay; `len` taps used.
    response: [f32; HISTORY],
    len: usize,
    /// Far-end history, doubled so that `history[pos..pos + len]` is
    /// x(n), x(n−1), …
    history: [f32; 2 * HISTORY],
    pos: usize,
    noise: Option<WhiteNoise>,
}

impl EchoPath {
    /// `model` scaled to `erl_db` (white-noise power gain −ERL dB) after a
    /// bulk delay of `delay` samples.
    pub fn new(model: HybridModel, erl_db: f32, delay: usize) -> Result<Self, EchoPathError> {
        if delay > MAX_DELAY {
            return Err(EchoPathError::DelayTooLong(delay));
        }
        if !erl_db.is_finite() {
            return Err(EchoPathError::InvalidErl(erl_db));
        }
        let taps = model.taps();
        let scale = (10f64.powf(-f64::from(erl_db) / 20.0) / in_band_gain(taps).sqrt()) as f32;
        let mut response = [0f32; HISTORY];
        for (r, &t) in response[delay..].iter_mut().zip(taps) {
            *r = t as f32 * scale;
        }
        Ok(Self {
            response,
            len: delay + taps.len(),
            history: [0.0; 2 * HISTORY],
            pos: 0,
            noise: None,
        })
    }

    /// Adds white noise at `level_dbm0` to every output sample (near-end
    /// background noise on the line); `None` removes it.
    pub fn set_noise(&mut self, noise: Option<(u64, f32)>) {
        self.noise = noise.map(|(seed, level)| WhiteNoise::new(seed, level));
    }

    /// The scaled impulse response, bulk delay included.
    pub fn response(&self) -> &[f32] {
        &self.response[..self.len]
    }

    /// Echo for each sample of `far_end`, written to `echo` (plus noise if
    /// set). Processes `min(far_end.len(), echo.len())` samples.
    pub fn process(&mut self, far_end: &[i16], echo: &mut [i16]) {
        let n = far_end.len().min(echo.len());
        for (x, out) in far_end[..n].iter().zip(&mut echo[..n]) {
            self.pos = if self.pos == 0 {
                HISTORY - 1
            } else {
                self.pos - 1
            };
            let x = f32::from(*x);
            self.history[self.pos] = x;
            self.history[self.pos + HISTORY] = x;
            let window = &self.history[self.pos..self.pos + self.len];
            let y: f32 = window
                .iter()
                .zip(&self.response[..self.len])
                .map(|(a, b)| a * b)
                .sum();
            *out = saturate(y);
        }
        if let Some(noise) = &mut self.noise {
            noise.mix(&mut echo[..n]);
        }
    }
}

/// Mean power gain |H(f)|² of `taps` over 300–3400 Hz (64 points).
fn in_band_gain(taps: &[i32]) -> f64 {
    const POINTS: usize = 64;
    let mut sum = 0.0;
    for i in 0..POINTS {
        let f = 300.0 + 3100.0 * (i as f64 + 0.5) / POINTS as f64;
        let w = core::f64::consts::TAU * f / f64::from(crate::SAMPLE_RATE_HZ);
        let (mut re, mut im) = (0.0, 0.0);
        for (n, &t) in taps.iter().enumerate() {
            let (s, c) = (w * n as f64).sin_cos();
            re += f64::from(t) * c;
            im -= f64::from(t) * s;
        }
        sum += re * re + im * im;
    }
    sum / POINTS as f64
}

// ITU-T G.168 Annex D line models (see the module doc for provenance).
#[rustfmt::skip]
const D2: [i32; 64] = [
    -436, -829, -2797, -4208, -17968, -11215, 46150, 34480,
    -10427, 9049, -1309, -6320, 390, -8191, -1751, -6051,
    -3796, -4055, -3948, -2557, -3372, -1808, -2259, -1300,
    -1098, -618, -340, -61, 323, 419, 745, 716,
    946, 880, 1014, 976, 1033, 1091, 1053, 1042,
    794, 831, 899, 716, 390, 313, 304, 304,
    73, -119, -109, -176, -359, -407, -512, -580,
    -704, -618, -685, -791, -772, -820, -839, -724,
];
#[rustfmt::skip]
const D3: [i32; 96] = [
    -381, 658, 1730, -51, -3511, -1418, 7660, 8861,
    -8106, -21370, -5307, 23064, 24020, 1020, -12374, -16296,
    -19524, -7480, 13509, 17115, 13952, 13952, 97, -9326,
    -9046, -15208, -9853, -3858, -1979, 6029, 5616, 7214,
    6820, 3935, 3919, 921, 1316, -693, -759, -1517,
    -2176, -2028, -2654, -1814, -2077, -1468, -1221, -842,
    -463, -298, -68, 64, 493, 723, 789, 954,
    756, 839, 872, 1020, 789, 822, 558, 658,
    476, 377, 377, 262, 97, -68, -183, -232,
    -331, -347, -430, -314, -430, -463, -463, -414,
    -381, -479, -479, -512, -479, -397, -430, -397,
    -298, -265, -249, -216, -249, -265, -166, -232,
];
#[rustfmt::skip]
const D4: [i32; 96] = [
    -448, -436, 2230, 2448, -4178, -7050, 5846, 18581,
    2322, -26261, -16249, 21637, 25649, -2267, -10311, -4693,
    -12690, -7428, 14164, 13467, 4438, 8627, 456, -11879,
    -6352, -5104, -7496, 3271, 6566, 4277, 11131, 7562,
    1475, 3728, -3525, -7301, -3101, -9269, -6146, -2553,
    -6272, 811, 124, 788, 5147, 2172, 5387, 4598,
    3535, 4004, 2311, 2150, 1017, 330, -139, -573,
    -1100, -1157, -1180, -1455, -1123, -1386, -1123, -1066,
    -1020, -1100, -1008, -1077, -1088, -917, -917, -963,
    -814, -871, -734, -642, -562, -356, -379, -345,
    -230, -233, -333, -356, -390, -310, -265, -368,
    -310, -310, -390, -482, -459, -482, -551, -573,
];
#[rustfmt::skip]
const D5: [i32; 128] = [
    160, 312, -241, -415, 897, 908, -1326, -1499,
    2405, 3347, -3624, -7733, 4041, 14484, -1477, -21739,
    -4470, 25356, 11458, -19696, -11800, 5766, 789, 6633,
    14624, -6975, -17156, -187, 149, 1515, 14907, 4345,
    -7128, -2757, -10185, -7083, 6850, 3944, 6969, 8694,
    -4068, -3852, -5793, -9371, 453, 1060, 3965, 9463,
    2393, 2784, -892, -7366, -3376, -5847, -2399, 3011,
    1537, 6623, 4205, 1602, 1592, -4752, -3646, -5207,
    -5577, -501, -1174, 4041, 5647, 4628, 7252, 2123,
    2654, -881, -4113, -3244, -7289, -3830, -4600, -2508,
    431, -144, 4184, 2372, 4617, 3576, 2382, 2839,
    -404, 539, -1803, -1401, -1705, -2269, -783, -1608,
    -220, -306, 257, 615, 225, 561, 8, 344,
    127, -57, 182, 41, 203, -111, 95, -79,
    30, 84, -13, -68, -241, -68, -24, 19,
    -57, -24, 30, -68, 84, -155, -68, 19,
];
#[rustfmt::skip]
const D6: [i32; 96] = [
    293, 268, 475, 460, 517, 704, 581, 879,
    573, 896, 604, 787, 561, 538, 440, 97,
    265, -385, 20, -938, -523, -1438, -1134, -1887,
    -1727, -1698, -4266, -22548, -43424, 2743, 25897, 7380,
    21499, 11983, 10400, 11667, 3889, 7241, 925, 2018,
    -821, -2068, -2236, -4283, -3406, -5022, -4039, -4842,
    -4104, -4089, -3582, -2978, -2734, -1805, -1608, -645,
    -495, 279, 471, 947, 1186, 1438, 1669, 1640,
    1901, 1687, 1803, 1543, 1566, 1342, 1163, 963,
    733, 665, 323, 221, -14, -107, -279, -379,
    -468, -513, -473, -588, -612, -652, -616, -566,
    -515, -485, -404, -344, -290, -202, -180, -123,
];
#[rustfmt::skip]
const D7: [i32; 120] = [
    29, 109, -83, 198, -294, -135, -415, -202,
    -444, -337, -313, -450, -105, -503, 145, -490,
    267, -231, 340, 77, 343, 783, 158, 1341,
    195, 1798, 344, 1845, 629, 1604, 1182, 940,
    5163, 19522, 8421, -50953, -9043, 18046, -13553, 13336,
    -3471, -107, 1788, -7409, 2469, -7994, 490, -3860,
    -837, 490, -636, 3682, 1141, 5019, 2635, 5025,
    3946, 4414, 4026, 3005, 3380, 1616, 2007, 158,
    388, -1198, -1117, -2134, -2547, -2589, -3310, -2778,
    -3427, -2779, -3116, -2502, -2399, -1956, -1539, -1239,
    -570, -377, 251, 331, 964, 1177, 1449, 1564,
    1724, 1871, 1767, 1802, 1630, 1632, 1379, 1271,
    1063, 856, 711, 482, 289, 54, -137, -321,
    -490, -638, -764, -836, -800, -859, -838, -837,
    -834, -740, -673, -581, -493, -436, -327, -201,
];
#[rustfmt::skip]
const D8: [i32; 96] = [
    258, -111, 337, -319, 347, -434, 192, -450,
    -108, -343, -596, -177, -1187, -52, -1781, -147,
    -1959, -326, -1601, -1389, -13620, -720, 33818, -10683,
    -6742, 12489, -9862, 8950, -1574, 758, 3526, -3118,
    2421, -8966, -4901, 11385, 18072, -14410, -7473, 19836,
    -16854, -3115, 9483, -17799, 7399, -4342, -7415, 7929,
    -10726, 6239, -2526, -1317, 5345, -4565, 6868, -2195,
    3425, 1969, -109, 3963, -1275, 3087, -892, 1239,
    2, -427, 596, -1184, 551, -1244, 141, -743,
    -415, -372, -769, -183, -785, -270, -659, -377,
    -523, -325, -245, -255, -60, 35, 218, 149,
    340, 233, 365, 303, 251, 230, 209, 179,
];
#[rustfmt::skip]
const D9: [i32; 99] = [
    80, 31, 4, 42, 42, -61, -81, -64,
    121, -102, -26, 1002, -9250, -22562, 39321, 35681,
    -35289, 25312, -1457, -229, 15659, -6786, 16791, 3860,
    2239, -28730, -11885, 33871, -176, -16421, 18173, -9669,
    -10163, 9941, -19365, 3592, -5907, -10257, 5336, -12933,
    4348, -4802, -1791, 3035, -4433, 5553, -2596, 3992,
    1255, 1450, 4079, 324, 4340, 1059, 3083, 1917,
    1756, 2478, 1027, 1871, 845, 1284, 813, 806,
    869, 471, 646, 438, 449, 432, 473, 394,
    452, 538, 717, 723, 850, 756, 753, 899,
    555, 669, 619, 500, 650, 615, 516, 492,
    427, 291, 356, 147, 107, -50, -88, -59,
    -238, -165, -183,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::level::rms_dbm0;

    #[test]
    fn voice_band_erl_and_delay() {
        for model in HybridModel::ALL {
            let mut path = EchoPath::new(model, 10.0, 40).unwrap();
            // High-passed white noise: near enough to "flat in band" for a
            // ±3 dB check (the models differ above 3400 Hz).
            let mut far = vec![0i16; 16_000];
            WhiteNoise::new(5, -10.0).fill(&mut far);
            let mut hp = crate::echo::HighPass::new();
            hp.process(&mut far);
            let mut echo = vec![0i16; far.len()];
            path.process(&far, &mut echo);
            let erl = rms_dbm0(&far) - rms_dbm0(&echo);
            assert!((erl - 10.0).abs() < 3.0, "{model:?} {erl}");
            assert!(path.response()[..40].iter().all(|&h| h == 0.0));
        }
        assert!(EchoPath::new(HybridModel::D2, 6.0, MAX_DELAY + 1).is_err());
    }
}
