//! Board description files, good and bad, loaded from real files through
//! `BoardDescription::load`. Every bad file's error must name the offending key.

use std::path::{Path, PathBuf};

use board::gpio::GpioLine;
use board::identity::{BoardDescription, DescriptionError, IdentityError, PortIndex, PortKind};

const GOOD: &str = r#"
model = "GW-400"
serial = "GW4A-000123"
mac = "00:1b:21:3a:4f:5c"
hardware_revision = "B2"

[ports]
count = 4
kinds = ["fxs", "fxs", "fxo", "fxo"]

[devices]
watchdog = "/dev/watchdog0"

[devices.leds]
fault = "gw:red:fault"
registration = "gw:green:sip"
ports = ["gw:green:port0", "gw:green:port1", "gw:green:port2", "gw:green:port3"]

[devices.gpio.reset_button]
chip = "/dev/gpiochip0"
offset = 4
active_low = true

[[devices.gpio.hook_relay]]
port = 2
chip = "/dev/gpiochip0"
offset = 10

[[devices.gpio.ring_detect]]
port = 2
chip = "/dev/gpiochip1"
offset = 11
active_low = true
"#;

const MINIMAL: &str = r#"
model = "GW-100"
serial = "1"
mac = "02:00:00:00:00:02"
hardware_revision = "A"
[ports]
count = 1
kinds = ["fxo"]
"#;

fn write_temp(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("board-identity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn load(name: &str, text: &str) -> Result<BoardDescription, IdentityError> {
    BoardDescription::load(write_temp(name, text))
}

/// The problem inside an invalid file, after checking the error names the file.
fn problem(name: &str, text: &str) -> DescriptionError {
    match load(name, text) {
        Err(IdentityError::Invalid { path, problem }) => {
            assert!(path.ends_with(name));
            problem
        }
        other => panic!("{name}: expected an invalid description, got {other:?}"),
    }
}

fn key_of(problem: &DescriptionError) -> &str {
    match problem {
        DescriptionError::MissingKey { key }
        | DescriptionError::UnknownKey { key }
        | DescriptionError::WrongType { key, .. }
        | DescriptionError::InvalidValue { key, .. } => key,
        other => panic!("no key in {other:?}"),
    }
}

#[test]
fn full_description_loads_every_field() {
    let board = load("good.toml", GOOD).unwrap();
    assert_eq!(board.model, "GW-400");
    assert_eq!(board.serial, "GW4A-000123");
    assert_eq!(board.mac.to_string(), "00:1b:21:3a:4f:5c");
    assert_eq!(board.hardware_revision, "B2");
    assert_eq!(
        board.ports,
        [PortKind::Fxs, PortKind::Fxs, PortKind::Fxo, PortKind::Fxo]
    );
    assert_eq!(board.port_count(), 4);
    let devices = &board.devices;
    assert_eq!(
        devices.watchdog.as_deref(),
        Some(Path::new("/dev/watchdog0"))
    );
    assert_eq!(devices.led_root, None);
    assert_eq!(devices.leds.fault.as_deref(), Some("gw:red:fault"));
    assert_eq!(devices.leds.ports[3], "gw:green:port3");
    assert_eq!(
        devices.gpio.reset_button,
        Some(GpioLine {
            chip: "/dev/gpiochip0".into(),
            offset: 4,
            active_low: true
        })
    );
    assert_eq!(devices.gpio.hook_relays[&PortIndex(2)].offset, 10);
    assert!(!devices.gpio.hook_relays[&PortIndex(2)].active_low);
    assert_eq!(
        devices.gpio.ring_detects[&PortIndex(2)].chip,
        Path::new("/dev/gpiochip1")
    );
}

#[test]
fn minimal_description_has_no_devices() {
    let board = load("minimal.toml", MINIMAL).unwrap();
    assert_eq!(board.ports, [PortKind::Fxo]);
    assert_eq!(board.devices, Default::default());
}

#[test]
fn simulated_board_is_valid() {
    let board = BoardDescription::simulated();
    assert!(board.mac.is_locally_administered());
    assert_eq!(board.port_count(), 4);
}

#[test]
fn missing_file_names_the_path() {
    let err = BoardDescription::load("/nonexistent/board.toml").unwrap_err();
    assert!(matches!(err, IdentityError::Read { .. }));
    assert!(err.to_string().contains("/nonexistent/board.toml"), "{err}");
}

#[test]
fn not_toml_is_a_syntax_error() {
    assert!(matches!(
        problem("syntax.toml", "model = \n"),
        DescriptionError::Syntax { .. }
    ));
}

#[test]
fn bad_files_name_the_offending_key() {
    let cases: &[(&str, &str, &str, &str)] = &[
        // (case, find, replace with, key named)
        ("no-serial", "serial = \"GW4A-000123\"\n", "", "serial"),
        ("serial-space", "GW4A-000123", "GW4A 000123", "serial"),
        ("mac-short", "00:1b:21:3a:4f:5c", "00:1b:21:3a:4f", "mac"),
        (
            "mac-multicast",
            "00:1b:21:3a:4f:5c",
            "01:1b:21:3a:4f:5c",
            "mac",
        ),
        ("mac-number", "\"00:1b:21:3a:4f:5c\"", "42", "mac"),
        (
            "typo",
            "hardware_revision",
            "hardware_revison",
            "hardware_revison",
        ),
        ("empty-model", "\"GW-400\"", "\"  \"", "model"),
        ("count-zero", "count = 4", "count = 0", "ports.count"),
        ("kinds-short", "count = 4", "count = 5", "ports.kinds"),
        (
            "kind-bad",
            "\"fxs\", \"fxo\", \"fxo\"]",
            "\"fxs\", \"fxo\", \"e&m\"]",
            "ports.kinds[3]",
        ),
        (
            "kind-type",
            "\"fxs\", \"fxo\", \"fxo\"]",
            "\"fxs\", \"fxo\", 3]",
            "ports.kinds[3]",
        ),
        (
            "watchdog-relative",
            "\"/dev/watchdog0\"",
            "\"watchdog0\"",
            "devices.watchdog",
        ),
        (
            "led-slash",
            "\"gw:red:fault\"",
            "\"../fault\"",
            "devices.leds.fault",
        ),
        (
            "led-ports-count",
            "\"gw:green:port3\"",
            "",
            "devices.leds.ports",
        ),
        (
            "offset-negative",
            "offset = 4",
            "offset = -4",
            "devices.gpio.reset_button.offset",
        ),
        (
            "offset-missing",
            "offset = 4\n",
            "",
            "devices.gpio.reset_button.offset",
        ),
        (
            "active-low-string",
            "active_low = true\n\n[[devices.gpio.hook_relay]]",
            "active_low = \"yes\"\n\n[[devices.gpio.hook_relay]]",
            "devices.gpio.reset_button.active_low",
        ),
        (
            "relay-port-range",
            "port = 2\nchip = \"/dev/gpiochip0\"",
            "port = 9\nchip = \"/dev/gpiochip0\"",
            "devices.gpio.hook_relay[0].port",
        ),
        (
            "relay-on-fxs",
            "port = 2\nchip = \"/dev/gpiochip0\"",
            "port = 0\nchip = \"/dev/gpiochip0\"",
            "devices.gpio.hook_relay[0].port",
        ),
        (
            "ring-chip-relative",
            "\"/dev/gpiochip1\"",
            "\"gpiochip1\"",
            "devices.gpio.ring_detect[0].chip",
        ),
        (
            "gpio-unknown",
            "[devices.gpio.reset_button]",
            "[devices.gpio.reset_buton]",
            "devices.gpio.reset_buton",
        ),
    ];
    for (case, find, replace, key) in cases {
        assert!(GOOD.contains(find), "{case}: fixture text not found");
        let text = GOOD.replacen(find, replace, 1);
        let problem = problem(&format!("{case}.toml"), &text);
        assert_eq!(key_of(&problem), *key, "{case}: {problem}");
        assert!(problem.to_string().contains(key), "{case}: {problem}");
    }
}

#[test]
fn duplicate_port_line_is_refused() {
    let text = format!(
        "{GOOD}\n[[devices.gpio.ring_detect]]\nport = 2\nchip = \"/dev/gpiochip1\"\noffset = 12\n"
    );
    let problem = problem("duplicate.toml", &text);
    assert_eq!(
        key_of(&problem),
        "devices.gpio.ring_detect[1].port",
        "{problem}"
    );
}
