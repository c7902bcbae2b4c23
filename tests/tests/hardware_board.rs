//! The hardware board is selected by configuration: a `[hardware]` table is
//! checked like the rest of the file, and a card whose devices are missing stops
//! the gateway with a message naming the device, not a panic. (This machine has
//! no GPIO chip; `drivers/tests/` runs the hardware card itself on ALSA file
//! PCMs and simulated GPIO twins.)

use std::process::Command;
use std::time::Duration;

use gateway_tests::config::board;
use gateway_tests::gateway::{binary, tempdir::Dir};
use gateway_tests::wait_for;

const HARDWARE: &str = r#"
[hardware]
[[hardware.ports]]
kind = "fxo"
audio = { alsa = { device = "null", channel = 0, channels = 2 } }
[hardware.ports.signalling.gpio.fxo]
hook_relay = { chip = "/dev/gpiochip-missing", offset = 1 }
ring_detect = { chip = "/dev/gpiochip-missing", offset = 2 }
ring_detect_kind = "level"

[[hardware.ports]]
kind = "fxo"
audio = { alsa = { device = "null", channel = 1, channels = 2 } }
[hardware.ports.signalling.gpio.fxo]
hook_relay = { chip = "/dev/gpiochip-missing", offset = 3 }
ring_detect = { chip = "/dev/gpiochip-missing", offset = 4 }
ring_detect_kind = "level"
"#;

fn hardware_config() -> String {
    board("sip:agent@127.0.0.1:9", "none")
        .replace("@DIR@", "/tmp")
        .replace("kind = \"simulated\"", "kind = \"hardware\"")
        + HARDWARE
}

#[test]
fn a_hardware_board_is_checked_and_missing_devices_are_named() {
    let dir = Dir::new("hardware");
    let path = dir.path().join("hw.toml");
    std::fs::write(&path, hardware_config()).unwrap();
    let check = Command::new(binary())
        .arg("--config")
        .arg(&path)
        .arg("--check")
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );

    let mut child = Command::new(binary())
        .arg("--config")
        .arg(&path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status = wait_for(Duration::from_secs(20), || child.try_wait().ok().flatten());
    if status.is_none() {
        let _ = child.kill();
    }
    let status = status.expect("the gateway stops on its own");
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(!status.success());
    assert!(stderr.contains("/dev/gpiochip-missing"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    // board.kind = "hardware" without a [hardware] table is a configuration error.
    let without = hardware_config().replace(HARDWARE, "");
    std::fs::write(&path, without).unwrap();
    let out = Command::new(binary())
        .arg("--config")
        .arg(&path)
        .arg("--check")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("key `hardware`"));
}
