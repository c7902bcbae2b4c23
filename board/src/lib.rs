//! Board support: the devices of a gateway appliance other than its line cards.
//!
//! Every device sits behind a small trait with a Linux implementation and a
//! simulated twin; the logic that gives the devices meaning is sans-IO (takes `now`,
//! never reads the clock or touches a device), so it runs the same above either.
//!
//! | module | trait | Linux implementation | simulated twin | sans-IO logic |
//! |---|---|---|---|---|
//! | [`watchdog`] | [`watchdog::Watchdog`] | [`watchdog::LinuxWatchdog`]: `/dev/watchdog` ioctls, magic close | [`watchdog::SimulatedWatchdog`]: says when it would have reset | [`watchdog::Supervisor`]: feed only while every loop beats |
//! | [`led`] | [`led::Led`] | [`led::SysfsLed`]: `/sys/class/leds/<name>/` (`brightness`, `trigger`, `delay_on`/`delay_off`) | [`led::SimulatedLed`]: records states | [`led::LedPolicy`]: gateway state → LED states |
//! | [`gpio`] | [`gpio::InputLine`], [`gpio::OutputLine`] | [`gpio::CdevInput`], [`gpio::CdevOutput`]: GPIO character device via `gpiocdev` | [`gpio::ScriptedInput`], [`gpio::SimulatedOutput`] | [`gpio::Debouncer`], [`gpio::ResetButton`], [`gpio::RingCadenceQualifier`] |
//! | [`identity`] | – | [`identity::BoardDescription::load`]: TOML file | [`identity::BoardDescription::simulated`] | validation, errors naming the key |
//!
//! [`SimulatedBoard`] bundles the twins for a description on one [`VirtualClock`].
//!
//! # What the tests exercise on a development machine
//!
//! These machines have no watchdog device, no GPIO chip and no LED class devices, so:
//!
//! - **Real Linux code path, here:** the LED sysfs writes, against a temporary folder
//!   laid out like `/sys/class/leds` (`led_sysfs_*` tests, `led_sysfs_panel_*`);
//!   the watchdog's open error without a device (`watchdog_linux_error_without_device`),
//!   its ioctls reaching the kernel and failing with `ENOTTY` on a regular file, and
//!   its magic close writing `V` (`watchdog_linux_*`); the GPIO request error without
//!   a chip (`gpio_cdev_*`); loading description files (`tests/identity_files.rs`).
//! - **Real device needed, not run here:** `watchdog_linux_real_device_round_trip` is
//!   `#[ignore]`d; run it in the QEMU image with `softdog` or `-device i6300esb`:
//!   `BOARD_WATCHDOG_DEVICE=/dev/watchdog cargo test -p board -- --ignored`. Reading
//!   and driving GPIO lines (`CdevInput::read`, `CdevOutput::set`) has no test: the
//!   QEMU kernels have no `gpio-sim` either; it needs real hardware.
//! - **Twins and sans-IO only:** the watchdog supervision scenario
//!   (`tests/watchdog_supervision.rs`), reset-button gestures
//!   (`tests/reset_button_gestures.rs`), ring cadence (`tests/ring_cadence_qualification.rs`)
//!   and the LED policy on the simulated panel (`tests/led_panel.rs`), all on virtual
//!   time: no test sleeps.
//!
//! # Unsafe
//!
//! Only `watchdog/linux.rs` allows `unsafe`, for the `nix` ioctl wrappers; each call
//! carries a SAFETY comment.

pub mod gpio;
pub mod identity;
pub mod led;
mod simulated_board;
mod virtual_clock;
pub mod watchdog;

pub use simulated_board::SimulatedBoard;
pub use virtual_clock::VirtualClock;
