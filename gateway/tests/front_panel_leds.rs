//! The front panel's LEDs follow the running gateway: the call controller's
//! port views and upstream registrations become a `GatewayStatus`
//! (`gateway::front_panel::status`), `LedPolicy` maps it, and the LEDs show it.
//!
//! **Linux implementation** (`board::led::SysfsLed`), against a temporary folder
//! laid out like `/sys/class/leds` (`brightness`, `max_brightness`, `trigger`,
//! `delay_on`, `delay_off`): the same file writes as on the box. The gateway side
//! is the virtual-clock bench (`support::Bench`: the controller, the simulated
//! exchange and a SIP client); nothing sleeps.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use board::identity::LedNames;
use board::led::{GatewayStatus, PortActivity, Registration};
use drivers::PortId;
use gateway::front_panel::{FrontPanel, PanelLeds, TICK};
use sip::Event;
use support::{Bench, CLIENT, CLIENT_RTP};

const FAULT: &str = "gw:red:fault";
const SIP: &str = "gw:green:sip";
const PORT0: &str = "gw:green:port0";
const PORT1: &str = "gw:green:port1";

/// A folder shaped like `/sys/class/leds` with `names`; `timer` says whether
/// the kernel has the timer trigger (its `delay_on`/`delay_off` files).
fn led_class(test: &str, names: &[&str], timer: bool) -> PathBuf {
    let root = std::env::temp_dir().join(format!("gw-leds-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    for name in names {
        let folder = root.join(name);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("brightness"), "0").unwrap();
        std::fs::write(folder.join("max_brightness"), "255").unwrap();
        std::fs::write(folder.join("trigger"), "[none] timer heartbeat").unwrap();
        if timer {
            std::fs::write(folder.join("delay_on"), "").unwrap();
            std::fs::write(folder.join("delay_off"), "").unwrap();
        }
    }
    root
}

fn read(root: &Path, name: &str, attribute: &str) -> String {
    std::fs::read_to_string(root.join(name).join(attribute)).unwrap()
}

/// What an LED folder shows: `off`, `on` or `blink ON/OFF`.
fn shown(root: &Path, name: &str) -> String {
    match read(root, name, "trigger").as_str() {
        "timer" => format!(
            "blink {}/{}",
            read(root, name, "delay_on"),
            read(root, name, "delay_off")
        ),
        "none" if read(root, name, "brightness") == "255" => "on".into(),
        "none" => "off".into(),
        other => format!("trigger {other:?}"),
    }
}

#[test]
fn leds_follow_registration_and_an_inbound_call_in_sysfs_files() {
    let root = led_class("call", &[FAULT, SIP, PORT0, PORT1], true);
    let extra = format!(
        "[[sip.upstream]]\nregistrar = \"{CLIENT}\"\npassword = \"secret-1\"\nexpires_s = 600\n\
         [board.leds]\nroot = \"{}\"\nfault = \"{FAULT}\"\nregistration = \"{SIP}\"\n\
         ports = [\"{PORT0}\", \"{PORT1}\"]\n",
        root.display()
    );
    let mut b = Bench::new(&extra);
    let config = gateway::config::parse(Path::new("bench.toml"), &support::config_text(&extra))
        .expect("valid config");
    let names = config.board.leds.names();
    assert_eq!(config.board.leds.root, root);
    let mut panel = FrontPanel::new(PanelLeds::sysfs(&root, &names, b.now), None, 2);
    let show = |root: &Path| {
        [FAULT, SIP, PORT0, PORT1]
            .iter()
            .map(|n| shown(root, n))
            .collect::<Vec<_>>()
    };

    // At start nothing is registered or ringing: every LED is written dark.
    std::fs::write(root.join(PORT1).join("brightness"), "255").unwrap();
    panel.refresh(b.now, &b.gateway);
    assert_eq!(show(&root), ["off", "off", "off", "off"]);

    // Registering with the upstream registrar: the SIP LED blinks slowly, then
    // stays lit once the registrar (the bench's client, an open registrar) said 200.
    b.gateway.register_upstream(b.now);
    panel.refresh(b.now, &b.gateway);
    assert_eq!(show(&root)[1], "blink 500/500");
    b.run(Duration::from_millis(100));
    panel.refresh(b.now, &b.gateway);
    assert_eq!(show(&root)[1], "on");

    // A phone calls port 0: its LED blinks fast while the client is called.
    b.sim.place_call("customer", "4155550100").unwrap();
    let call = b
        .run_until(Duration::from_secs(10), |e| match e {
            Event::IncomingCall { call, .. } => Some(*call),
            _ => None,
        })
        .expect("the client is called");
    panel.refresh(b.now, &b.gateway);
    assert_eq!(show(&root), ["off", "on", "blink 125/125", "off"]);

    // The client answers: port 0's LED is lit for the call.
    let answer = gateway::media::negotiation::sdp(
        CLIENT_RTP.parse().unwrap(),
        5,
        1,
        &[gateway::config::Codec::Pcmu],
        None,
    );
    b.client.accept(b.now, call, answer.as_bytes()).unwrap();
    b.run(Duration::from_millis(200));
    panel.refresh(b.now, &b.gateway);
    assert_eq!(show(&root), ["off", "on", "on", "off"]);

    // The caller hangs up (at 3 s): dark again.
    b.run_until(Duration::from_secs(10), |e| {
        matches!(e, Event::Ended { .. }).then_some(())
    })
    .expect("the call ends");
    b.run(Duration::from_millis(100));
    panel.refresh(b.now, &b.gateway);
    assert_eq!(show(&root), ["off", "on", "off", "off"]);

    // Faults: port 1's line interface failed, then the line card itself.
    panel.set_port_fault(PortId(1));
    panel.refresh(b.now, &b.gateway);
    assert_eq!(show(&root), ["blink 500/500", "on", "off", "blink 500/500"]);
    panel.set_card_fault(true);
    panel.refresh(b.now, &b.gateway);
    assert_eq!(shown(&root, FAULT), "on");

    // The console's `show board` lines.
    let text = gateway::console::show::leds(&panel.view(b.now));
    assert!(
        text.contains(&format!("fault     {FAULT:<24}on ")),
        "{text}"
    );
    assert!(
        text.contains(&format!("port 1    {PORT1:<24}blink 500/500 ms")),
        "{text}"
    );
    assert!(text.lines().all(|l| l.len() <= 80), "{text}");
    std::fs::remove_dir_all(root).unwrap();
}

/// Without the kernel's `timer` trigger (no `delay_on` file), a blinking LED is
/// blinked by writes whose level is the blink phase at `now` (virtual time here).
#[test]
fn without_the_timer_trigger_the_loop_blinks_the_led_by_phase() {
    let root = led_class("software", &[PORT0], false);
    let names = LedNames {
        fault: None,
        registration: None,
        ports: vec![PORT0.into()],
    };
    let t0 = std::time::Instant::now();
    let mut panel = FrontPanel::new(PanelLeds::sysfs(&root, &names, t0), None, 1);
    let ringing = GatewayStatus {
        ports: vec![PortActivity::Ringing],
        registration: Registration::Unconfigured,
        system_fault: false,
    };
    let mut levels = Vec::new();
    let mut now = t0;
    while now < t0 + Duration::from_millis(500) {
        panel.show(now, ringing.clone());
        levels.push((
            (now - t0).as_millis(),
            read(&root, PORT0, "brightness"),
            read(&root, PORT0, "trigger"),
        ));
        now += TICK;
    }
    // 125 ms lit, 125 ms dark, written as plain levels (trigger none).
    for (ms, brightness, trigger) in &levels {
        let lit = (ms % 250) < 125;
        assert_eq!(brightness, if lit { "255" } else { "0" }, "at {ms} ms");
        assert_eq!(trigger, "none", "at {ms} ms");
    }
    assert_eq!(
        panel.poll_timeout(t0 + Duration::from_millis(130)),
        Some(t0 + Duration::from_millis(250)),
        "the next edge"
    );
    let view = panel.view(t0 + Duration::from_millis(260));
    assert!(view[0].software_blink && view[0].lit, "{view:?}");
    assert!(gateway::console::show::leds(&view).contains("blink 125/125 ms (sw)"));

    // Back to idle: dark, and no more edges to wait for.
    panel.show(
        now,
        GatewayStatus {
            ports: vec![PortActivity::Idle],
            ..ringing
        },
    );
    assert_eq!(read(&root, PORT0, "brightness"), "0");
    assert_eq!(panel.poll_timeout(now), None);
    std::fs::remove_dir_all(root).unwrap();
}

/// A named LED that does not exist is reported, and the others still work.
#[test]
fn a_missing_led_is_reported_and_the_rest_work() {
    let root = led_class("missing", &[PORT0], true);
    let names = LedNames {
        fault: Some("gw:red:nope".into()),
        registration: None,
        ports: vec![PORT0.into()],
    };
    let t0 = std::time::Instant::now();
    let mut panel = FrontPanel::new(PanelLeds::sysfs(&root, &names, t0), None, 1);
    panel.show(
        t0,
        GatewayStatus {
            ports: vec![PortActivity::InCall],
            registration: Registration::Unconfigured,
            system_fault: true,
        },
    );
    assert_eq!(shown(&root, PORT0), "on");
    let view = panel.view(t0);
    let problem = view[0].problem.as_deref().unwrap_or_default();
    assert!(problem.contains("gw:red:nope"), "{view:?}");
    let text = gateway::console::show::leds(&view);
    assert!(text.contains("FAILED: no LED at"), "{text}");
    std::fs::remove_dir_all(root).unwrap();
}

/// An LED write that fails (its `brightness` attribute gone for a moment) is
/// tried again every `LED_RETRY` although the gateway's status does not change,
/// and not at every tick in between.
#[test]
fn a_failed_led_write_is_retried_while_the_status_stays_the_same() {
    use gateway::front_panel::leds::LED_RETRY;

    let root = led_class("retry", &[PORT0], true);
    let names = LedNames {
        fault: None,
        registration: None,
        ports: vec![PORT0.into()],
    };
    let t0 = std::time::Instant::now();
    let mut panel = FrontPanel::new(PanelLeds::sysfs(&root, &names, t0), None, 1);
    let in_call = GatewayStatus {
        ports: vec![PortActivity::InCall],
        registration: Registration::Unconfigured,
        system_fault: false,
    };
    let brightness = root.join(PORT0).join("brightness");
    std::fs::remove_file(&brightness).unwrap();
    panel.show(t0, in_call.clone());
    let view = panel.view(t0);
    assert!(view[0].problem.is_some(), "{view:?}");
    assert_eq!(panel.poll_timeout(t0), Some(t0 + LED_RETRY));

    // The attribute is back; the same status is shown every tick.
    std::fs::write(&brightness, "0").unwrap();
    let mut now = t0;
    while now + TICK < t0 + LED_RETRY {
        now += TICK;
        panel.show(now, in_call.clone());
        assert_eq!(
            read(&root, PORT0, "brightness"),
            "0",
            "no retry yet at {:?}",
            now - t0
        );
    }
    panel.show(t0 + LED_RETRY, in_call);
    assert_eq!(shown(&root, PORT0), "on");
    assert_eq!(panel.view(t0 + LED_RETRY)[0].problem, None);
    assert_eq!(
        panel.poll_timeout(t0 + LED_RETRY),
        None,
        "nothing left to retry"
    );
    std::fs::remove_dir_all(root).unwrap();
}

/// From the first failure of an upstream registration until it is registered
/// again, the SIP LED blinks fast ("retrying after a failure"), also while each
/// retry is in flight: it does not flip back to the slow "registering" blink.
#[test]
fn the_sip_led_blinks_fast_while_retrying_after_a_failure() {
    // A registrar that never answers (nothing listens there on the bench).
    let root = led_class("retrying", &[SIP], true);
    let extra = format!(
        "[[sip.upstream]]\nregistrar = \"127.0.0.1:5999\"\npassword = \"secret-1\"\nexpires_s = 600\n\
         [board.leds]\nroot = \"{}\"\nregistration = \"{SIP}\"\n",
        root.display()
    );
    let mut b = Bench::new(&extra);
    let config = gateway::config::parse(Path::new("bench.toml"), &support::config_text(&extra))
        .expect("valid config");
    let mut panel = FrontPanel::new(
        PanelLeds::sysfs(&root, &config.board.leds.names(), b.now),
        None,
        2,
    );
    b.gateway.register_upstream(b.now);
    panel.refresh(b.now, &b.gateway);
    assert_eq!(shown(&root, SIP), "blink 500/500", "registering");

    let start = b.now;
    let mut seen = Vec::new();
    while b.now < start + Duration::from_secs(200) {
        b.run(Duration::from_millis(500));
        panel.refresh(b.now, &b.gateway);
        let led = shown(&root, SIP);
        if seen.last() != Some(&led) {
            seen.push(led);
        }
    }
    let upstream = b.gateway.upstream_registrations();
    assert!(upstream[0].failures >= 2, "{upstream:?}");
    assert_eq!(seen, ["blink 500/500", "blink 125/125"], "{seen:?}");
    std::fs::remove_dir_all(root).unwrap();
}
