//! The 2-wire hybrid's echo: during a call the line returns what the gateway
//! sends it, delayed and attenuated by the configured return loss.

mod common;

use common::{Bench, EXCHANGE};
use drivers::LineCommand;

#[test]
fn a_connected_line_echoes_the_gateway_12_db_down_after_4_ms() {
    let text = format!("{EXCHANGE}\n[simulation.hybrid_echo]\nreturn_loss_db = 12\ndelay_ms = 4\n");
    let mut bench = Bench::new(&text, 2);
    // Idle and on hook: no echo.
    bench.tx_tone = Some((1000.0, dsp::level::dbm0_to_peak(-10.0)));
    let idle = bench.run(10);
    assert!(dsp::level::rms_dbm0(&idle) < -100.0);
    // The listener (1904) answers at once and plays silence: what comes back is echo.
    bench.tx_tone = None;
    bench.command(0, LineCommand::OffHook);
    bench.run(20);
    bench.dial("1904");
    bench.run(200);
    assert_eq!(bench.status(0).state, "connected");
    bench.tx_tone = Some((1000.0, dsp::level::dbm0_to_peak(-10.0)));
    let heard = bench.run(50);
    let level = dsp::level::rms_dbm0(&heard[800..]);
    assert!(
        (level + 22.0).abs() < 0.5,
        "echo at -10 - 12 dBm0, got {level}"
    );
    // It starts 4 ms (32 samples) after the gateway's tone.
    let first = heard.iter().position(|s| s.unsigned_abs() > 100).unwrap();
    assert!((30..=34).contains(&first), "delay {first} samples");
}
