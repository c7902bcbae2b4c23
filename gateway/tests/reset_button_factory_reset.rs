//! The reset button on the front panel: a long press erases the saved
//! configuration through `Appliance::factory_reset` (the path of the console's
//! `factory-reset`), every LED confirms it, and the gateway is asked to restart;
//! a short press only restarts.
//!
//! **Simulated twins**: the button is `board::gpio::ScriptedInput` and the LEDs
//! `board::led::SimulatedLed`, on a `board::VirtualClock` polled every
//! `front_panel::TICK`, as the runtime does on real time. The store is real
//! files in a temporary folder. Nothing sleeps.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use board::gpio::ScriptedInput;
use board::identity::LedNames;
use board::led::{GatewayStatus, LedHistory, LedPolicy, LedState, PortActivity, SimulatedLed};
use board::VirtualClock;
use gateway::console::io::Flow;
use gateway::console::{Appliance, Exit};
use gateway::front_panel::{BoxedInput, FrontPanel, PanelLeds, FACTORY_RESET_SHOWN, TICK};
use gateway::store::Store;

const DEMO: &str = include_str!("../../config/demo.toml");

struct Rig {
    clock: VirtualClock,
    button: ScriptedInput,
    leds: BTreeMap<String, LedHistory>,
    panel: FrontPanel,
    appliance: Appliance,
    store: Store,
    dir: PathBuf,
}

/// A front panel and a store holding a saved configuration and its previous copy.
fn appliance_box(test: &str) -> Rig {
    let dir = std::env::temp_dir().join(format!("gw-reset-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::new(dir.join("config.toml"), DEMO);
    store.save(DEMO).unwrap();
    store.save(DEMO).unwrap();
    assert!(store.path().exists() && store.previous_path().exists());

    let clock = VirtualClock::starting_at(std::time::Instant::now());
    let button = ScriptedInput::new(clock.clone(), false);
    let names = LedNames {
        fault: Some("fault".into()),
        registration: Some("registration".into()),
        ports: vec!["port0".into(), "port1".into()],
    };
    let mut leds = BTreeMap::new();
    let twin_clock = clock.clone();
    let panel_leds = PanelLeds::new(
        &names,
        |name| {
            let led = SimulatedLed::new(name, twin_clock.clone());
            leds.insert(name.to_string(), led.history());
            Ok(Box::new(led) as gateway::front_panel::leds::BoxedLed)
        },
        Some(clock.clone()),
        clock.now(),
    );
    let panel = FrontPanel::new(panel_leds, Some(Box::new(button.clone()) as BoxedInput), 2);
    let appliance = Appliance {
        store: Some(store.clone()),
        ..Appliance::default()
    };
    Rig {
        clock,
        button,
        leds,
        panel,
        appliance,
        store,
        dir,
    }
}

fn idle() -> GatewayStatus {
    GatewayStatus {
        ports: vec![PortActivity::Idle, PortActivity::InCall],
        ..GatewayStatus::default()
    }
}

impl Rig {
    /// Run the panel every TICK until it asks to stop, at most `limit`; the
    /// virtual time of the stop.
    fn run(&mut self, limit: Duration) -> Option<Duration> {
        let end = self.clock.elapsed() + limit;
        while self.clock.elapsed() < end {
            self.clock.advance(TICK);
            let now = self.clock.now();
            self.panel.show(now, idle());
            if self.panel.poll_button(now, &self.appliance) == Flow::Stop {
                return Some(self.clock.elapsed());
            }
        }
        None
    }

    fn press(&self, from: Duration, to: Duration) {
        let t0 = self.clock.origin();
        self.button.set_at(t0 + from, true);
        self.button.set_at(t0 + to, false);
    }

    fn exit(&self) -> Option<Exit> {
        *self.appliance.exit.lock().unwrap()
    }

    fn current(&self, led: &str) -> LedState {
        self.leds[led].current()
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn s(n: u64) -> Duration {
    Duration::from_secs(n)
}

#[test]
fn a_long_press_factory_resets_shows_it_on_every_led_then_restarts() {
    let mut b = appliance_box("long");
    let fast = LedPolicy::default().fast_blink;
    b.press(s(1), s(30));

    // Held for 9.9 s: nothing yet; the LEDs show the gateway's state.
    assert_eq!(b.run(Duration::from_millis(10_900)), None);
    assert!(b.store.path().exists(), "not erased before 10 s");
    assert_eq!(b.exit(), None);
    assert_eq!(b.current("port1"), LedState::On);
    assert_eq!(b.current("fault"), LedState::Off);

    // At 10 s of holding: erased at once (the console's path), every LED blinks
    // fast, and the restart comes FACTORY_RESET_SHOWN later, button still held.
    let stop = b.run(s(10)).expect("the panel asks to stop");
    assert!(!b.store.path().exists(), "saved configuration erased");
    assert!(!b.store.previous_path().exists(), "previous copy erased");
    assert_eq!(b.exit(), Some(Exit::Reboot));
    for led in ["fault", "registration", "port0", "port1"] {
        assert_eq!(b.current(led), fast, "{led}");
    }
    let reset_at = s(11) + Duration::from_millis(25);
    let history = b.leds["fault"].changes();
    let (when, state) = history.last().copied().unwrap();
    assert_eq!(state, fast);
    let confirmed = when - b.clock.origin();
    assert!(
        confirmed >= s(11) && confirmed <= reset_at,
        "confirmed at {confirmed:?}"
    );
    assert_eq!(stop, confirmed + FACTORY_RESET_SHOWN);
    // While it was shown, the gateway's state did not overwrite it.
    assert_eq!(history.len(), 2, "{history:?}");
}

#[test]
fn a_short_press_restarts_without_erasing() {
    let mut b = appliance_box("short");
    b.press(s(1), Duration::from_millis(1400));
    let stop = b.run(s(5)).expect("the panel asks to stop");
    assert!(stop >= Duration::from_millis(1430) && stop <= Duration::from_millis(1475));
    assert_eq!(b.exit(), Some(Exit::Reboot));
    assert!(b.store.path().exists() && b.store.previous_path().exists());
}

#[test]
fn a_hold_between_two_and_ten_seconds_does_nothing() {
    let mut b = appliance_box("middle");
    b.press(s(1), s(6));
    assert_eq!(b.run(s(20)), None);
    assert_eq!(b.exit(), None);
    assert!(b.store.path().exists());
}

#[test]
fn a_button_held_at_boot_cannot_wipe_the_box() {
    let mut b = appliance_box("stuck");
    // Pressed when the panel starts (a stuck button) and held for 30 s.
    b.button.set_at(b.clock.origin(), true);
    b.panel = FrontPanel::new(
        PanelLeds::simulated(&LedNames::default(), b.clock.now()),
        Some(Box::new(b.button.clone()) as BoxedInput),
        2,
    );
    b.button.set_at(b.clock.origin() + s(30), false);
    assert_eq!(b.run(s(40)), None);
    assert_eq!(b.exit(), None);
    assert!(b.store.path().exists());
}

/// A single "pressed" sample (a glitch), then the button's reads fail (an I2C
/// expander returning EIO) for 29 s: the half-seen press must not be confirmed
/// and held into a factory reset. Once reads work again the button counts as
/// held until it is seen released, and a fresh short press then restarts.
#[test]
fn a_glitch_then_failing_reads_cannot_wipe_the_box() {
    let mut b = appliance_box("failing");
    let t0 = b.clock.origin();
    // Ticks fall on multiples of 25 ms: the 1 s tick reads "pressed", the next
    // ones fail until 30 s, when the line reads released again.
    b.button.set_at(t0 + s(1), true);
    b.button.set_at(t0 + s(1) + Duration::from_millis(1), false);
    b.button.fail_at(t0 + s(1) + Duration::from_millis(1), true);
    b.button.fail_at(t0 + s(30), false);

    assert_eq!(b.run(s(31)), None, "no gesture across failing reads");
    assert_eq!(b.exit(), None);
    assert!(b.store.path().exists(), "not erased");
    assert!(b.store.previous_path().exists(), "previous copy kept");

    // The button works again: a short press restarts, without erasing.
    b.press(s(32), s(32) + Duration::from_millis(400));
    let stop = b.run(s(5)).expect("the press is recognised");
    assert!(stop > s(32) && stop < s(33), "{stop:?}");
    assert_eq!(b.exit(), Some(Exit::Reboot));
    assert!(b.store.path().exists());
}

/// The button is really held when its reads start failing, and still held
/// when they work again: nothing happens until it is released (what it did
/// meanwhile is unknown), however long it was held.
#[test]
fn a_press_held_across_failing_reads_must_be_released_first() {
    let mut b = appliance_box("held-across");
    let t0 = b.clock.origin();
    b.press(s(1), s(40));
    b.button.fail_at(t0 + s(3), true);
    b.button.fail_at(t0 + s(20), false);
    assert_eq!(b.run(s(45)), None);
    assert_eq!(b.exit(), None);
    assert!(b.store.path().exists(), "not erased");
}
