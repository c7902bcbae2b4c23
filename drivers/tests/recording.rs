//! `record_dir`: each answered call writes what the far party heard from the
//! gateway to an 8 kHz mono WAV.

mod common;

use common::{tone_power, Bench};
use drivers::LineCommand;

#[test]
fn recording_holds_what_the_gateway_sent() {
    let dir = std::env::temp_dir().join(format!("sim-recording-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let text = common::EXCHANGE.replace(
        "interdigit_timeout_ms = 3000",
        &format!(
            "interdigit_timeout_ms = 3000\nrecord_dir = {:?}",
            dir.display().to_string()
        ),
    );
    let mut bench = Bench::new(&text, 2);
    bench.call("1904");
    bench.run(5);
    let status = bench.status(0);
    assert_eq!(status.state, "connected");
    let path = status.recording.expect("recording").to_path_buf();
    assert_eq!(path.parent(), Some(dir.as_path()));

    // The gateway plays 1 kHz at -10 dBm0 for one second, then hangs up.
    bench.tx_tone = Some((1000.0, dsp::level::dbm0_to_peak(-10.0)));
    bench.run(50);
    bench.tx_tone = None;
    bench.command(0, LineCommand::OnHook);
    bench.step();
    assert!(bench.status(0).recording.is_none());

    let mut reader = hound::WavReader::open(&path).expect("wav readable");
    let spec = reader.spec();
    assert_eq!(
        (spec.sample_rate, spec.channels, spec.bits_per_sample),
        (8000, 1, 16)
    );
    let samples: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
    assert!(samples.len() >= 55 * 160, "{} samples", samples.len());
    let tail = &samples[samples.len() - 40 * 160..];
    let level = dsp::level::rms_dbm0(tail);
    assert!((level + 10.0).abs() < 0.5, "recorded at {level} dBm0");
    assert!(tone_power(tail, 1000.0) > 1000.0 * tone_power(tail, 440.0));
    std::fs::remove_dir_all(&dir).unwrap();
}
