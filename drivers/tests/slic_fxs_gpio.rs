//! FXS (SLIC) signalling over GPIO, against `board::gpio`'s simulated twins on a
//! virtual clock: hook debouncing, the ring relay following its cadence, ring trip.
//! Nothing sleeps.

use std::time::{Duration, Instant};

use board::gpio::{ScriptedInput, SimulatedOutput};
use board::VirtualClock;
use drivers::slic::{FxsGpioConfig, GpioSignalling};
use drivers::{LineCommand, LineEvent, PortKind};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn port(
    cadence: &str,
) -> (
    VirtualClock,
    ScriptedInput,
    board::gpio::OutputHistory,
    GpioSignalling,
) {
    let config: FxsGpioConfig = toml::from_str(&format!(
        r#"
        hook_detect = {{ chip = "/dev/gpiochip0", offset = 5 }}
        ring_relay = {{ chip = "/dev/gpiochip0", offset = 6 }}
        {cadence}
        "#
    ))
    .unwrap();
    let clock = VirtualClock::starting_at(Instant::now());
    let hook = ScriptedInput::new(clock.clone(), false);
    let relay = SimulatedOutput::new(clock.clone());
    let history = relay.history();
    let port = GpioSignalling::fxs(&config, Box::new(hook.clone()), Box::new(relay)).unwrap();
    (clock, hook, history, port)
}

/// Poll every 20 ms (one line frame) up to `until` ms.
fn run(clock: &VirtualClock, port: &mut GpioSignalling, until: u64) -> Vec<(u64, LineEvent)> {
    let t0 = clock.origin();
    let mut seen = Vec::new();
    while clock.now() < t0 + ms(until) {
        clock.advance(ms(20));
        let now = clock.now();
        port.poll(now).unwrap();
        while let Some(e) = port.poll_event() {
            seen.push(((now - t0).as_millis() as u64, e));
        }
    }
    seen
}

fn relay_edges(history: &board::gpio::OutputHistory, t0: Instant) -> Vec<(u64, bool)> {
    history
        .driven()
        .iter()
        .map(|(at, level)| ((*at - t0).as_millis() as u64, *level))
        .collect()
}

#[test]
fn ring_relay_follows_the_cadence_until_stopped() {
    let (clock, _hook, relay, mut port) = port("ring_cadence_ms = [400, 200, 400, 2000]");
    assert_eq!(port.kind(), PortKind::Fxs);
    let t0 = clock.origin();
    port.command(t0, LineCommand::StartRinging).unwrap();
    run(&clock, &mut port, 6000);
    port.command(clock.now(), LineCommand::StopRinging).unwrap();
    run(&clock, &mut port, 8000);
    assert_eq!(
        relay_edges(&relay, t0),
        [
            (0, true),
            (400, false),
            (600, true),
            (1000, false),
            (3000, true),
            (3400, false),
            (3600, true),
            (4000, false),
            (6000, true),
            (6000, false),
        ]
    );
}

#[test]
fn answering_trips_the_ring_and_hook_changes_are_debounced() {
    let (clock, hook, relay, mut port) = port("");
    let t0 = clock.origin();
    port.command(t0, LineCommand::StartRinging).unwrap();
    // Lifted during the first burst, with 10 ms of bounce.
    for (t, level) in [(1000, true), (1005, false), (1010, true)] {
        hook.set_at(t0 + ms(t), level);
    }
    // Put down at 5 s.
    hook.set_at(t0 + ms(5000), false);
    let events = run(&clock, &mut port, 6000);
    assert_eq!(
        events,
        [(1040, LineEvent::OffHook), (5040, LineEvent::OnHook)]
    );
    assert_eq!(
        relay_edges(&relay, t0),
        [(0, true), (1040, false)],
        "ring trip"
    );
    assert!(port.command(clock.now(), LineCommand::OffHook).is_err());
}

#[test]
fn a_bad_cadence_is_refused() {
    let config: FxsGpioConfig = toml::from_str(
        r#"
        hook_detect = { chip = "/dev/gpiochip0", offset = 5 }
        ring_relay = { chip = "/dev/gpiochip0", offset = 6 }
        ring_cadence_ms = [400]
        "#,
    )
    .unwrap();
    let err = drivers::slic::GpioSignallingConfig::Fxs(config)
        .validate()
        .unwrap_err();
    assert!(err.to_string().contains("[400]"), "{err}");
}
