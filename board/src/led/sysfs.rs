//! [`SysfsLed`]: an LED of the Linux LED class, `/sys/class/leds/<name>/`.
//!
//! Reference: the kernel's `Documentation/leds/leds-class.rst` and
//! `ledtrig-timer.rst`. Attributes used:
//!
//! | state | writes |
//! |---|---|
//! | `Off` | `trigger` ← `none`, `brightness` ← `0` |
//! | `On` | `trigger` ← `none`, `brightness` ← `max_brightness` |
//! | `Blink` | `trigger` ← `timer`, then `delay_on`, `delay_off` (these two files appear only once the timer trigger is active) |
//!
//! The root folder is configurable, so tests point it at a temporary folder laid out
//! like sysfs and exercise exactly this code.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{validate, Led, LedError, LedState};

/// Where the kernel publishes LED class devices.
pub const DEFAULT_SYSFS_ROOT: &str = "/sys/class/leds";

/// One LED class device.
#[derive(Debug)]
pub struct SysfsLed {
    folder: PathBuf,
    max_brightness: u32,
    shown: Option<LedState>,
}

impl SysfsLed {
    /// Open the LED `name` under `root` (normally [`DEFAULT_SYSFS_ROOT`]). Reads
    /// `max_brightness`; does not change what the LED shows.
    pub fn open(root: impl AsRef<Path>, name: &str) -> Result<Self, LedError> {
        let folder = root.as_ref().join(name);
        if let Err(source) = std::fs::metadata(folder.join("brightness")) {
            return Err(LedError::NotFound {
                path: folder,
                source,
            });
        }
        let path = folder.join("max_brightness");
        let content = std::fs::read_to_string(&path).map_err(|source| LedError::Read {
            path: path.clone(),
            source,
        })?;
        let max_brightness = match content.trim().parse::<u32>() {
            Ok(max) if max > 0 => max,
            _ => {
                return Err(LedError::Malformed {
                    path,
                    content,
                    expected: "a brightness above zero",
                })
            }
        };
        Ok(Self {
            folder,
            max_brightness,
            shown: None,
        })
    }

    /// The LED's folder.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    fn write(&self, attribute: &str, value: &str) -> Result<(), LedError> {
        let path = self.folder.join(attribute);
        // No `create`: a missing attribute (e.g. `delay_on` without the timer trigger)
        // is an error, as it is on sysfs. `truncate` is what `echo >` does.
        OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&path)
            .and_then(|mut file| file.write_all(value.as_bytes()))
            .map_err(|source| LedError::Write {
                path,
                value: value.to_owned(),
                source,
            })
    }
}

impl Led for SysfsLed {
    fn set(&mut self, state: LedState) -> Result<(), LedError> {
        let state = validate(state)?;
        if self.shown == Some(state) {
            return Ok(());
        }
        // Forget what is shown until every write succeeded, so a retry rewrites all.
        self.shown = None;
        match state {
            LedState::Off => {
                self.write("trigger", "none")?;
                self.write("brightness", "0")?;
            }
            LedState::On => {
                self.write("trigger", "none")?;
                self.write("brightness", &self.max_brightness.to_string())?;
            }
            LedState::Blink { on_ms, off_ms } => {
                self.write("trigger", "timer")?;
                self.write("delay_on", &on_ms.to_string())?;
                self.write("delay_off", &off_ms.to_string())?;
            }
        }
        self.shown = Some(state);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A temporary folder shaped like `/sys/class/leds/<name>/`.
    fn fake_led_class(test: &str, name: &str, with_timer_files: bool) -> PathBuf {
        let root = std::env::temp_dir().join(format!("board-leds-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let folder = root.join(name);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("brightness"), "0\n").unwrap();
        std::fs::write(folder.join("max_brightness"), "255\n").unwrap();
        std::fs::write(folder.join("trigger"), "[none] timer heartbeat\n").unwrap();
        if with_timer_files {
            std::fs::write(folder.join("delay_on"), "500\n").unwrap();
            std::fs::write(folder.join("delay_off"), "500\n").unwrap();
        }
        root
    }

    fn read(root: &Path, name: &str, attribute: &str) -> String {
        std::fs::read_to_string(root.join(name).join(attribute)).unwrap()
    }

    #[test]
    fn led_sysfs_writes_real_files_in_temp_dir() {
        let name = "gw:green:port0";
        let root = fake_led_class("writes", name, true);
        let mut led = SysfsLed::open(&root, name).unwrap();

        led.set(LedState::On).unwrap();
        assert_eq!(read(&root, name, "trigger"), "none");
        assert_eq!(read(&root, name, "brightness"), "255");

        led.set(LedState::Blink {
            on_ms: 125,
            off_ms: 375,
        })
        .unwrap();
        assert_eq!(read(&root, name, "trigger"), "timer");
        assert_eq!(read(&root, name, "delay_on"), "125");
        assert_eq!(read(&root, name, "delay_off"), "375");

        led.set(LedState::Off).unwrap();
        assert_eq!(read(&root, name, "trigger"), "none");
        assert_eq!(read(&root, name, "brightness"), "0");
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn led_sysfs_same_state_is_not_rewritten() {
        let name = "gw:green:sip";
        let root = fake_led_class("same", name, true);
        let mut led = SysfsLed::open(&root, name).unwrap();
        let blink = LedState::Blink {
            on_ms: 100,
            off_ms: 100,
        };
        led.set(blink).unwrap();
        // Someone else changes the file; setting the same state again leaves it.
        std::fs::write(root.join(name).join("delay_on"), "999").unwrap();
        led.set(blink).unwrap();
        assert_eq!(read(&root, name, "delay_on"), "999");
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn led_sysfs_missing_led_names_the_folder() {
        let root = fake_led_class("missing", "gw:red:fault", false);
        let err = SysfsLed::open(&root, "gw:amber:nope").unwrap_err();
        assert!(matches!(&err, LedError::NotFound { path, .. } if path.ends_with("gw:amber:nope")));
        assert!(err.to_string().contains("gw:amber:nope"), "{err}");
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn led_sysfs_blink_without_timer_trigger_names_the_attribute() {
        let name = "gw:red:fault";
        let root = fake_led_class("notimer", name, false);
        let mut led = SysfsLed::open(&root, name).unwrap();
        let err = led
            .set(LedState::Blink {
                on_ms: 500,
                off_ms: 500,
            })
            .unwrap_err();
        assert!(
            matches!(&err, LedError::Write { path, .. } if path.ends_with("delay_on")),
            "{err:?}"
        );
        // Nothing was recorded as shown, so the next attempt writes again.
        std::fs::write(root.join(name).join("delay_on"), "").unwrap();
        std::fs::write(root.join(name).join("delay_off"), "").unwrap();
        led.set(LedState::Blink {
            on_ms: 500,
            off_ms: 500,
        })
        .unwrap();
        assert_eq!(read(&root, name, "delay_off"), "500");
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn led_sysfs_rejects_zero_blink_and_bad_max_brightness() {
        let name = "gw:green:port1";
        let root = fake_led_class("invalid", name, true);
        let mut led = SysfsLed::open(&root, name).unwrap();
        assert!(matches!(
            led.set(LedState::Blink {
                on_ms: 0,
                off_ms: 10
            }),
            Err(LedError::InvalidBlink {
                on_ms: 0,
                off_ms: 10
            })
        ));
        std::fs::write(root.join(name).join("max_brightness"), "bright").unwrap();
        assert!(matches!(
            SysfsLed::open(&root, name),
            Err(LedError::Malformed { .. })
        ));
        std::fs::remove_dir_all(root).unwrap();
    }
}
