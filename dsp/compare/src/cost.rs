//! Instructions per 20 ms frame, counted by valgrind's callgrind: the
//! measure that does not move with the load of a shared machine, and the one
//! that says what a small ARM box will pay.
//!
//! `dtmf-compare` runs itself twice under
//! `valgrind --tool=callgrind --toggle-collect='*cost::measured*'`, once per
//! receiver, with the hidden arguments `--cost-child ours|spandsp`; the child
//! builds the [`signal`] and feeds it through [`measured`] (the only function
//! whose instructions are collected, with everything it calls), 160 samples
//! at a time, collecting digits after every frame as a call does. The parent
//! reads the instruction total from callgrind's output file and divides it by
//! the number of frames. By hand:
//!
//! ```text
//! cargo build --release -p dsp-compare --bin dtmf-compare
//! valgrind --tool=callgrind --callgrind-out-file=/tmp/ours.out \
//!     --toggle-collect='*cost::measured*' \
//!     target/release/dtmf-compare --cost-child ours
//! grep ^summary: /tmp/ours.out     # instructions; frames are printed by the child
//! ```

use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;

use crate::conformance::{decode, signal_to_noise, talk_off, Channel, Receiver, FRAME};

/// Seconds taken from the start of each talk-off source, when the corpus is there.
const SECONDS_PER_SOURCE: usize = 20;

/// The audio both receivers are measured on: the decode tape, the S/N tape
/// at 9 dB, and the first [`SECONDS_PER_SOURCE`] s of every talk-off source
/// (speech, music, noise) when the corpus has been built.
pub fn signal() -> Vec<i16> {
    let mut s = decode::tape().render(Channel::Linear);
    let mut snr = signal_to_noise::tape();
    snr.add_noise(
        signal_to_noise::SEED,
        (signal_to_noise::LEVEL_DBM0 - 9.0) as f32,
    );
    s.extend(snr.render(Channel::Linear));
    if let Ok(sources) = talk_off::sources() {
        for source in sources {
            let Ok(corpus) = talk_off::load_up_to(&source, SECONDS_PER_SOURCE * 8000) else {
                continue;
            };
            let mut left = SECONDS_PER_SOURCE * 8000;
            for clip in &corpus.clips {
                let n = clip.samples.len().min(left);
                s.extend_from_slice(&clip.samples[..n]);
                left -= n;
                if left == 0 {
                    break;
                }
            }
        }
    }
    s
}

/// Feeds `signal` frame by frame to a fresh `R`; the only code callgrind counts.
#[inline(never)]
pub fn measured<R: Receiver>(signal: &[i16]) -> usize {
    let mut rx = R::new();
    let mut digits = String::with_capacity(64);
    for frame in signal.chunks(FRAME) {
        rx.process(black_box(frame));
        rx.take_digits(&mut digits);
        digits.clear();
    }
    black_box(&digits);
    signal.len().div_ceil(FRAME)
}

/// The child's side: feed the signal, print the frame count.
pub fn child<R: Receiver>() {
    let s = signal();
    let frames = measured::<R>(&s);
    println!("frames {frames}");
}

/// Instructions per frame of `who` (`ours` or `spandsp`) under callgrind, or
/// why not.
pub fn instructions_per_frame(who: &str) -> Result<f64, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out: PathBuf = std::env::temp_dir().join(format!(
        "dtmf-compare-callgrind-{who}-{}.out",
        std::process::id()
    ));
    let run = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg("--toggle-collect=*cost::measured*")
        .arg(&exe)
        .args(["--cost-child", who])
        .output()
        .map_err(|e| format!("valgrind: {e} (apt-get install valgrind)"))?;
    if !run.status.success() {
        return Err(format!(
            "valgrind failed: {}",
            String::from_utf8_lossy(&run.stderr)
        ));
    }
    let stdout = String::from_utf8_lossy(&run.stdout);
    let frames: f64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("frames "))
        .and_then(|n| n.trim().parse().ok())
        .ok_or("the child printed no frame count")?;
    let text = std::fs::read_to_string(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let _ = std::fs::remove_file(&out);
    let total: f64 = text
        .lines()
        .find_map(|l| {
            l.strip_prefix("summary:")
                .or_else(|| l.strip_prefix("totals:"))
        })
        .and_then(|v| v.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .ok_or("no summary line in callgrind's output")?;
    Ok(total / frames)
}
