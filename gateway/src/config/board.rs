//! The front-panel devices of `[board]`: the LEDs (`[board.leds]`, Linux LED
//! class names) and the reset button (`[board.reset_button]`, a GPIO line).
//!
//! ```toml
//! [board.leds]
//! root = "/sys/class/leds"               # default; tests use a folder laid out like it
//! fault = "gw:red:fault"
//! registration = "gw:green:sip"
//! ports = ["gw:green:port0", "gw:green:port1"]   # one per [[ports]], or none
//!
//! [board.reset_button]
//! chip = "/dev/gpiochip0"
//! offset = 4
//! active_low = true                      # default false
//! ```
//!
//! On the simulated board the LEDs are the simulated twins (named after these
//! names, or `fault`, `registration`, `port0`… when none are given); on the
//! hardware board only the LEDs named here exist.

use std::collections::HashSet;
use std::path::PathBuf;

use serde::Deserialize;

use super::model::Config;

/// `[board.leds]`: LED class device names, folders under `root`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedsConfig {
    /// The LED class folder.
    #[serde(default = "default_led_root")]
    pub root: PathBuf,
    /// The fault LED.
    #[serde(default)]
    pub fault: Option<String>,
    /// The SIP registration LED.
    #[serde(default)]
    pub registration: Option<String>,
    /// One LED per port, in port order, or none.
    #[serde(default)]
    pub ports: Vec<String>,
}

impl Default for LedsConfig {
    fn default() -> Self {
        LedsConfig {
            root: default_led_root(),
            fault: None,
            registration: None,
            ports: Vec::new(),
        }
    }
}

fn default_led_root() -> PathBuf {
    PathBuf::from(board::led::DEFAULT_SYSFS_ROOT)
}

impl LedsConfig {
    /// The names as the board crate takes them.
    pub fn names(&self) -> board::identity::LedNames {
        board::identity::LedNames {
            fault: self.fault.clone(),
            registration: self.registration.clone(),
            ports: self.ports.clone(),
        }
    }
}

/// `[board.reset_button]`: the button's GPIO line (character device).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetButtonLine {
    /// The GPIO chip, e.g. `/dev/gpiochip0`.
    pub chip: PathBuf,
    /// The line's offset on the chip.
    pub offset: u32,
    /// Pressed when electrically low (a button to ground with a pull-up).
    #[serde(default)]
    pub active_low: bool,
}

impl ResetButtonLine {
    /// The line as the board crate takes it.
    pub fn line(&self) -> board::gpio::GpioLine {
        board::gpio::GpioLine {
            chip: self.chip.clone(),
            offset: self.offset,
            active_low: self.active_low,
        }
    }
}

/// Check `[board.leds]` and `[board.reset_button]`; `Err((key, message))`.
pub(super) fn validate(config: &Config) -> Result<(), (String, String)> {
    let leds = &config.board.leds;
    let mut seen = HashSet::new();
    let named = [
        ("board.leds.fault".to_string(), leds.fault.as_deref()),
        (
            "board.leds.registration".to_string(),
            leds.registration.as_deref(),
        ),
    ]
    .into_iter()
    .chain(
        leds.ports
            .iter()
            .map(|n| ("board.leds.ports".to_string(), Some(n.as_str()))),
    );
    for (key, name) in named {
        let Some(name) = name else { continue };
        if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\0']) {
            return Err((
                key,
                format!(
                    "{name:?} is not an LED class device name (a folder under board.leds.root)"
                ),
            ));
        }
        if !seen.insert(name) {
            return Err((key, format!("LED {name:?} is named twice")));
        }
    }
    if !leds.ports.is_empty() && leds.ports.len() != config.ports.len() {
        return Err((
            "board.leds.ports".into(),
            format!(
                "names {} LEDs but [[ports]] lists {} ports (one LED per port, or none)",
                leds.ports.len(),
                config.ports.len()
            ),
        ));
    }
    if let Some(button) = &config.board.reset_button {
        if button.chip.as_os_str().is_empty() {
            return Err((
                "board.reset_button.chip".into(),
                "the GPIO chip's device is empty (e.g. \"/dev/gpiochip0\")".into(),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::{parse, ConfigError};

    const DEMO: &str = include_str!("../../../config/demo.toml");

    /// The demo (four ports) with `extra` appended: its `[board]` table is written,
    /// so `[board.leds]` and `[board.reset_button]` may follow anywhere.
    fn with(extra: &str) -> Result<crate::config::Config, ConfigError> {
        parse(Path::new("board.toml"), &format!("{DEMO}\n{extra}"))
    }

    fn error(extra: &str) -> String {
        with(extra).expect_err("invalid").to_string()
    }

    /// The line before `extra`'s first in `with`'s text.
    fn demo_lines() -> usize {
        DEMO.lines().count() + 1
    }

    #[test]
    fn leds_and_reset_button_parse_with_defaults() {
        let config = with("").unwrap();
        assert_eq!(config.board.leds, super::LedsConfig::default());
        assert_eq!(
            config.board.leds.root,
            Path::new(board::led::DEFAULT_SYSFS_ROOT)
        );
        assert_eq!(config.board.reset_button, None);

        let config = with(
            "[board.leds]\nroot = \"/tmp/leds\"\nfault = \"gw:red:fault\"\n\
             ports = [\"p0\", \"p1\", \"p2\", \"p3\"]\n\
             [board.reset_button]\nchip = \"/dev/gpiochip1\"\noffset = 4\nactive_low = true\n",
        )
        .unwrap();
        let leds = &config.board.leds;
        assert_eq!(leds.root, Path::new("/tmp/leds"));
        assert_eq!(leds.names().fault.as_deref(), Some("gw:red:fault"));
        assert_eq!(leds.names().registration, None);
        assert_eq!(leds.ports.len(), 4);
        let line = config.board.reset_button.unwrap().line();
        assert_eq!(line.chip, Path::new("/dev/gpiochip1"));
        assert_eq!((line.offset, line.active_low), (4, true));
    }

    #[test]
    fn unknown_keys_are_rejected_with_file_line_and_key() {
        let n = demo_lines();
        let e = error("[board.leds]\nfault = \"f\"\ncolour = \"red\"\n");
        assert!(
            e.starts_with(&format!(
                "board.toml:{}: key `board.leds.colour`: unknown field `colour`",
                n + 3
            )),
            "{e}"
        );
        let e = error("[board.reset_button]\nchip = \"/dev/gpiochip0\"\nline = 4\n");
        assert!(
            e.contains("key `board.reset_button.line`: unknown field `line`"),
            "{e}"
        );
    }

    #[test]
    fn bad_led_names_and_counts_name_the_key() {
        let n = demo_lines();
        let e = error("[board.leds]\nfault = \"../../etc\"\n");
        assert_eq!(
            e,
            format!(
                "board.toml:{}: key `board.leds.fault`: \"../../etc\" is not an LED class device name (a folder under board.leds.root)",
                n + 2
            )
        );
        let e = error("[board.leds]\nfault = \"x\"\nregistration = \"x\"\n");
        assert!(
            e.contains("key `board.leds.registration`: LED \"x\" is named twice"),
            "{e}"
        );
        let e = error("[board.leds]\nports = [\"a\", \"b\"]\n");
        assert!(
            e.starts_with(&format!(
                "board.toml:{}: key `board.leds.ports`: names 2 LEDs but [[ports]] lists 4",
                n + 2
            )),
            "{e}"
        );
        let e = error("[board.reset_button]\nchip = \"\"\noffset = 1\n");
        assert!(e.contains("key `board.reset_button.chip`"), "{e}");
    }
}
