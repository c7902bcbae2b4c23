//! A hardware card from configuration: two ports on a 2-slot TDM PCM (real
//! alsa-lib, `tests/asound/.asoundrc`), an FXS port on SLIC GPIO lines and an FXO
//! port on DAA GPIO lines (the simulated twins: this machine has no GPIO chip, and
//! `HardwareCard::open` is shown failing on exactly that). Driven through the
//! `LineCard` trait on a virtual clock, 20 ms per frame; nothing sleeps.

mod alsa_support;

use std::time::Duration;

use alsa_support::*;
use board::gpio::{ScriptedInput, SimulatedOutput};
use board::VirtualClock;
use drivers::alsa::AlsaAudio;
use drivers::hardware::{HardwareCard, HardwareCardConfig, PortSignalling, PortSignallingConfig};
use drivers::slic::{GpioSignalling, GpioSignallingConfig};
use drivers::{Frame, LineCard, LineCommand, LineEvent, PortId, PortKind, FRAME_SAMPLES};

fn config(dir: &std::path::Path) -> HardwareCardConfig {
    let device = format!(
        "tdm2:OUT0={},OUT1={},IN={}",
        dir.join("slot0.raw").display(),
        dir.join("slot1.raw").display(),
        dir.join("in.raw").display()
    );
    toml::from_str(&format!(
        r#"
        [audio]
        period_ms = 10
        playback_prefill_frames = 0

        [[ports]]
        kind = "fxs"
        audio = {{ alsa = {{ device = "{device}", channel = 1 }} }}
        [ports.signalling.gpio.fxs]
        hook_detect = {{ chip = "/dev/gpiochip-missing", offset = 5 }}
        ring_relay = {{ chip = "/dev/gpiochip-missing", offset = 6 }}
        ring_cadence_ms = [1000, 2000]

        [[ports]]
        kind = "fxo"
        audio = {{ alsa = {{ device = "{device}", channel = 0 }} }}
        [ports.signalling.gpio.fxo]
        hook_relay = {{ chip = "/dev/gpiochip-missing", offset = 1 }}
        ring_detect = {{ chip = "/dev/gpiochip-missing", offset = 2 }}
        ring_detect_kind = "level"
        "#
    ))
    .unwrap()
}

#[test]
fn a_configured_card_rings_detects_hook_and_carries_audio() {
    use_test_asoundrc();
    let dir = temp_dir("hardware-card");
    let n = 100 * FRAME_SAMPLES;
    let slot_in = [signal(50, n), signal(51, n)];
    let interleaved: Vec<i16> = (0..n)
        .flat_map(|i| [slot_in[0][i], slot_in[1][i]])
        .collect();
    write_raw(&dir.join("in.raw"), &interleaved);

    let config = config(&dir);
    config.validate().unwrap();
    let alsa = config.alsa_config();
    assert_eq!(alsa.pcms.len(), 1, "both ports share the TDM PCM");
    assert_eq!(alsa.pcms[0].channels, 2);

    // The real open path stops at the GPIO chip this machine lacks, and says which.
    let err = HardwareCard::open(&config).unwrap_err();
    assert!(err.to_string().contains("/dev/gpiochip-missing"), "{err}");

    // The same card over the GPIO twins.
    let clock = VirtualClock::starting_at(std::time::Instant::now());
    let t0 = clock.now();
    let hook = ScriptedInput::new(clock.clone(), false);
    let ring_relay = SimulatedOutput::new(clock.clone());
    let ringing = ring_relay.history();
    let ring_detect = ScriptedInput::new(clock.clone(), false);
    let hook_relay = SimulatedOutput::new(clock.clone());
    let seized = hook_relay.history();
    let gpio = |i: usize| match &config.ports[i].signalling {
        PortSignallingConfig::Gpio(g) => g.clone(),
        other => panic!("{other:?}"),
    };
    let GpioSignallingConfig::Fxs(fxs) = gpio(0) else {
        panic!()
    };
    let GpioSignallingConfig::Fxo(fxo) = gpio(1) else {
        panic!()
    };
    let signalling = vec![
        PortSignalling::Gpio(Box::new(
            GpioSignalling::fxs(&fxs, Box::new(hook.clone()), Box::new(ring_relay)).unwrap(),
        )),
        PortSignalling::Gpio(Box::new(
            GpioSignalling::fxo(
                &fxo,
                Box::new(ring_detect.clone()),
                None,
                None,
                Box::new(hook_relay),
            )
            .unwrap(),
        )),
    ];
    let tick = clock.clone();
    let mut card = HardwareCard::from_parts(
        config.ports.iter().map(|p| p.kind()).collect(),
        Some(AlsaAudio::open(&alsa).unwrap()),
        signalling,
        Box::new(move || tick.now()),
    );
    assert_eq!(card.port_count(), 2);
    assert_eq!(card.port_kind(PortId(0)), Some(PortKind::Fxs));
    assert!(matches!(
        card.command(PortId(1), LineCommand::StartRinging),
        Err(drivers::LineError::WrongKind { .. })
    ));

    // Ring the phone (1 s on, 2 s off): it is answered at 1.5 s, in the first
    // off period. The exchange rings the FXO port from 0.5 s to 1.3 s.
    card.command(PortId(0), LineCommand::StartRinging).unwrap();
    hook.set_at(t0 + Duration::from_millis(1500), true);
    ring_detect.set_at(t0 + Duration::from_millis(500), true);
    ring_detect.set_at(t0 + Duration::from_millis(1300), false);
    card.command(PortId(1), LineCommand::OffHook).unwrap();
    assert!(seized.current());

    let said = [signal(60, n), signal(61, n)];
    let mut rx: [Frame; 2] = [[0; FRAME_SAMPLES]; 2];
    let mut events = Vec::new();
    for k in 0..100 {
        clock.advance(Duration::from_millis(20));
        card.exchange_frames(&[frame_of(&said[0], k), frame_of(&said[1], k)], &mut rx)
            .unwrap();
        assert_eq!(rx[0], frame_of(&slot_in[1], k), "FXS port hears slot 1");
        assert_eq!(rx[1], frame_of(&slot_in[0], k), "FXO port hears slot 0");
        while let Some(e) = card.poll_event() {
            events.push(((clock.now() - t0).as_millis() as u64, e));
        }
    }
    assert_eq!(
        events,
        [
            (560, (PortId(1), LineEvent::RingOn)),
            (1360, (PortId(1), LineEvent::RingOff)),
            (1540, (PortId(0), LineEvent::OffHook)),
        ]
    );
    let edges: Vec<(u64, bool)> = ringing
        .driven()
        .iter()
        .map(|(at, on)| ((*at - t0).as_millis() as u64, *on))
        .collect();
    assert_eq!(edges, [(0, true), (1000, false)]);
    drop(card);
    assert!(read_raw(&dir.join("slot1.raw")) == said[0]);
    assert!(read_raw(&dir.join("slot0.raw")) == said[1]);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn configuration_faults_name_the_port() {
    let bad: HardwareCardConfig = toml::from_str(
        r#"
        [[ports]]
        kind = "fxo"
        audio = "modem"
        [ports.signalling.gpio.fxo]
        hook_relay = { chip = "/dev/gpiochip0", offset = 1 }
        ring_detect = { chip = "/dev/gpiochip0", offset = 2 }
        "#,
    )
    .unwrap();
    assert_eq!(
        bad.validate().unwrap_err().to_string(),
        "port 0: modem audio needs modem signalling"
    );
    let modem: HardwareCardConfig = toml::from_str(
        r#"
        [[ports]]
        kind = "fxs"
        audio = "modem"
        signalling = { modem = { device = "/dev/ttyACM0", voice = { format = "ulaw" } } }
        "#,
    )
    .unwrap();
    assert!(modem
        .validate()
        .unwrap_err()
        .to_string()
        .contains("kind FXS"));
}
