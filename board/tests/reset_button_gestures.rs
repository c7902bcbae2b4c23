//! Scenario: reset button gestures read through the simulated GPIO input (a scripted
//! twin) and recognised by `ResetButton`, polled every 10 ms on virtual time. The
//! Linux GPIO code path is tested separately (error paths only: no gpiochip here).

use std::time::{Duration, Instant};

use board::gpio::{InputLine, ResetButton, ResetButtonConfig, ResetRequest, ScriptedInput};
use board::VirtualClock;

const POLL: Duration = Duration::from_millis(10);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A button that is `pressed_at_boot`, then follows `presses` (from, to) windows of
/// virtual time, polled for `total`. Returns each request with its virtual time.
fn gestures(
    pressed_at_boot: bool,
    presses: &[(Duration, Duration)],
    total: Duration,
) -> Vec<(Duration, ResetRequest)> {
    let clock = VirtualClock::starting_at(Instant::now());
    let t0 = clock.origin();
    let mut input = ScriptedInput::new(clock.clone(), pressed_at_boot);
    for &(from, to) in presses {
        input.set_at(t0 + from, true);
        input.set_at(t0 + to, false);
    }
    let mut button = ResetButton::new(ResetButtonConfig::default(), input.read().unwrap()).unwrap();
    let mut requests = Vec::new();
    while clock.elapsed() < total {
        clock.advance(POLL);
        let now = clock.now();
        if let Some(request) = button.sample(now, input.read().unwrap()) {
            requests.push((clock.elapsed(), request));
        }
    }
    requests
}

#[test]
fn short_press_requests_reboot_on_release() {
    let requests = gestures(false, &[(ms(1000), ms(1500))], ms(5000));
    // Released at 1.5 s; confirmed after the 30 ms debounce, at the next poll.
    assert_eq!(requests, [(ms(1530), ResetRequest::Reboot)]);
}

#[test]
fn press_just_under_two_seconds_still_reboots() {
    let requests = gestures(false, &[(ms(1000), ms(2990))], ms(5000));
    assert_eq!(requests, [(ms(3020), ResetRequest::Reboot)]);
}

#[test]
fn hold_between_two_and_ten_seconds_does_nothing() {
    assert!(gestures(false, &[(ms(1000), ms(3000))], ms(5000)).is_empty());
    assert!(gestures(false, &[(ms(1000), ms(10_990))], ms(15_000)).is_empty());
}

#[test]
fn ten_second_hold_requests_factory_reset_while_held_and_once() {
    let requests = gestures(false, &[(ms(1000), ms(20_000))], ms(25_000));
    assert_eq!(requests, [(ms(11_000), ResetRequest::FactoryReset)]);
}

#[test]
fn contact_bounce_is_not_a_press() {
    // Five 10 ms blips, each shorter than the debounce.
    let blips: Vec<_> = (0..5)
        .map(|i| (ms(1000 + i * 40), ms(1010 + i * 40)))
        .collect();
    assert!(gestures(false, &blips, ms(3000)).is_empty());
}

#[test]
fn button_stuck_at_boot_is_ignored_until_released() {
    // Held from power-on for 30 s: no factory reset.
    assert!(gestures(true, &[(ms(0), ms(30_000))], ms(35_000)).is_empty());
    // After its release, it works normally.
    let requests = gestures(true, &[(ms(0), ms(3000)), (ms(4000), ms(4200))], ms(6000));
    assert_eq!(requests, [(ms(4230), ResetRequest::Reboot)]);
}
