//! Shared by the `alsa_*` tests: the asoundrc shipped in `tests/asound/`, a
//! temporary folder per test, and raw S16 files.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Once;

use drivers::{Frame, FRAME_SAMPLES};

/// Point alsa-lib at `tests/asound/.asoundrc` (through `HOME`) before its first
/// use in this process. Every test of a binary sets the same value, so the order
/// in which parallel tests get here does not matter.
pub fn use_test_asoundrc() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/asound");
        std::env::set_var("HOME", dir);
    });
}

/// A fresh, empty folder for one test's files.
pub fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("drivers-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A recognisable signal: different per `seed`, never silent.
pub fn signal(seed: i16, samples: usize) -> Vec<i16> {
    (0..samples)
        .map(|i| {
            let i = i as i32;
            (((i * 37 + i32::from(seed) * 1013) % 20000) - 10000 + 1) as i16 | 1
        })
        .collect()
}

pub fn write_raw(path: &Path, samples: &[i16]) {
    let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_ne_bytes()).collect();
    std::fs::write(path, bytes).unwrap();
}

pub fn read_raw(path: &Path) -> Vec<i16> {
    std::fs::read(path)
        .unwrap()
        .chunks_exact(2)
        .map(|b| i16::from_ne_bytes([b[0], b[1]]))
        .collect()
}

/// Frame `k` of a signal.
pub fn frame_of(samples: &[i16], k: usize) -> Frame {
    let mut f = [0; FRAME_SAMPLES];
    f.copy_from_slice(&samples[k * FRAME_SAMPLES..(k + 1) * FRAME_SAMPLES]);
    f
}
