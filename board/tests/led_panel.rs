//! Scenario: gateway states mapped by `LedPolicy` and shown on the simulated board's
//! LED panel (twins). The sysfs writes of the real LEDs are tested in
//! `board::led` against a temporary folder laid out like `/sys/class/leds`; the last
//! test here opens a whole panel that way.

use std::time::{Duration, Instant};

use board::identity::{BoardDescription, LedNames};
use board::led::{GatewayStatus, LedPanel, LedPolicy, LedState, PortActivity, Registration};
use board::watchdog::WatchdogTimeout;
use board::{SimulatedBoard, VirtualClock};

#[test]
fn simulated_panel_follows_a_call_through_the_policy() {
    let clock = VirtualClock::starting_at(Instant::now());
    let mut board = SimulatedBoard::new(
        BoardDescription::simulated(),
        clock.clone(),
        WatchdogTimeout::from_secs(30),
    );
    let port1 = board.leds.ports[1].history();
    let sip = board.leds.registration.as_ref().unwrap().history();
    let fault = board.leds.fault.as_ref().unwrap().history();
    let policy = LedPolicy::default();
    let mut status = GatewayStatus {
        ports: vec![PortActivity::Idle; 4],
        registration: Registration::Registering,
        system_fault: false,
    };
    board.leds.show(&policy.plan(&status)).unwrap();
    assert_eq!(sip.current(), policy.slow_blink);

    for activity in [
        PortActivity::Ringing,
        PortActivity::InCall,
        PortActivity::Idle,
    ] {
        clock.advance(Duration::from_secs(1));
        status.registration = Registration::Registered;
        status.ports[1] = activity;
        board.leds.show(&policy.plan(&status)).unwrap();
    }
    let t0 = clock.origin();
    let s = Duration::from_secs;
    assert_eq!(
        port1.changes(),
        vec![
            (t0, LedState::Off),
            (t0 + s(1), policy.fast_blink),
            (t0 + s(2), LedState::On),
            (t0 + s(3), LedState::Off),
        ]
    );
    // Registered once, shown once: unchanged states are not re-applied.
    assert_eq!(sip.changes().len(), 2);
    assert_eq!(fault.current(), LedState::Off);
}

#[test]
fn led_sysfs_panel_opens_named_leds_in_temp_dir() {
    let root = std::env::temp_dir().join(format!("board-led-panel-{}", std::process::id()));
    let names = ["gw:red:fault", "gw:green:sip", "gw:green:port0"];
    for name in names {
        let folder = root.join(name);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("brightness"), "0").unwrap();
        std::fs::write(folder.join("max_brightness"), "1").unwrap();
        std::fs::write(folder.join("trigger"), "[none] timer").unwrap();
        std::fs::write(folder.join("delay_on"), "").unwrap();
        std::fs::write(folder.join("delay_off"), "").unwrap();
    }
    let mut panel = LedPanel::open(
        &root,
        &LedNames {
            fault: Some(names[0].into()),
            registration: Some(names[1].into()),
            ports: vec![names[2].into()],
        },
    )
    .unwrap();
    let status = GatewayStatus {
        ports: vec![PortActivity::InCall],
        registration: Registration::Failed,
        system_fault: true,
    };
    panel.show(&LedPolicy::default().plan(&status)).unwrap();
    let read =
        |name: &str, attr: &str| std::fs::read_to_string(root.join(name).join(attr)).unwrap();
    assert_eq!(read(names[0], "brightness"), "1");
    assert_eq!(read(names[1], "trigger"), "timer");
    assert_eq!(read(names[1], "delay_on"), "125");
    assert_eq!(read(names[2], "brightness"), "1");
    std::fs::remove_dir_all(root).unwrap();
}
