//! FXO (DAA) signalling over GPIO, against `board::gpio`'s simulated twins on a
//! virtual clock (this machine has no GPIO chip; `GpioSignalling::open` takes the
//! same path with `CdevInput`/`CdevOutput` on a box). Sampled every 5 ms, as a pulse
//! ring detector needs; nothing sleeps.

use std::time::{Duration, Instant};

use board::gpio::{ScriptedInput, SimulatedOutput};
use board::VirtualClock;
use drivers::slic::{FxoGpioConfig, GpioLineConfig, GpioSignalling, RingDetect};
use drivers::{LineCommand, LineEvent};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn line(offset: u32) -> GpioLineConfig {
    GpioLineConfig {
        chip: "/dev/gpiochip0".into(),
        offset,
        active_low: false,
    }
}

fn config(kind: RingDetect) -> FxoGpioConfig {
    toml::from_str::<FxoGpioConfig>(
        r#"
        hook_relay = { chip = "/dev/gpiochip0", offset = 1 }
        ring_detect = { chip = "/dev/gpiochip0", offset = 2, active_low = true }
        polarity = { chip = "/dev/gpiochip0", offset = 3 }
        loop_current = { chip = "/dev/gpiochip0", offset = 4 }
        "#,
    )
    .map(|mut c| {
        c.ring_detect_kind = kind;
        assert_eq!(
            c.ring_detect,
            GpioLineConfig {
                active_low: true,
                ..line(2)
            }
        );
        c
    })
    .unwrap()
}

struct Rig {
    clock: VirtualClock,
    t0: Instant,
    ring: ScriptedInput,
    polarity: ScriptedInput,
    current: ScriptedInput,
    relay: board::gpio::OutputHistory,
    port: GpioSignalling,
}

fn rig(kind: RingDetect) -> Rig {
    let clock = VirtualClock::starting_at(Instant::now());
    let ring = ScriptedInput::new(clock.clone(), false);
    let polarity = ScriptedInput::new(clock.clone(), false);
    let current = ScriptedInput::new(clock.clone(), false);
    let relay = SimulatedOutput::new(clock.clone());
    let history = relay.history();
    let port = GpioSignalling::fxo(
        &config(kind),
        Box::new(ring.clone()),
        Some(Box::new(polarity.clone())),
        Some(Box::new(current.clone())),
        Box::new(relay),
    )
    .unwrap();
    Rig {
        t0: clock.now(),
        clock,
        ring,
        polarity,
        current,
        relay: history,
        port,
    }
}

impl Rig {
    /// Sample every 5 ms up to `until` (ms from t0); events with their time in ms.
    fn run_until(&mut self, until: u64) -> Vec<(u64, LineEvent)> {
        let mut seen = Vec::new();
        while self.clock.now() < self.t0 + ms(until) {
            self.clock.advance(ms(5));
            let now = self.clock.now();
            self.port.poll(now).unwrap();
            while let Some(e) = self.port.poll_event() {
                seen.push(((now - self.t0).as_millis() as u64, e));
            }
        }
        seen
    }

    /// A ring burst of 20 Hz pulses (25 ms high per 50 ms cycle).
    fn ring_burst(&self, from: u64, len: u64) {
        let mut t = from;
        while t < from + len {
            self.ring.set_at(self.t0 + ms(t), true);
            self.ring.set_at(self.t0 + ms(t + 25), false);
            t += 50;
        }
    }
}

#[test]
fn ring_pulses_qualify_as_ring_on_and_off_per_burst() {
    let mut r = rig(RingDetect::Pulses);
    // UK double ring: 400 on, 200 off, 400 on, then 2 s off.
    r.ring_burst(100, 400);
    r.ring_burst(700, 400);
    let events = r.run_until(2000);
    let kinds: Vec<LineEvent> = events.iter().map(|e| e.1).collect();
    assert_eq!(
        kinds,
        [
            LineEvent::RingOn,
            LineEvent::RingOff,
            LineEvent::RingOn,
            LineEvent::RingOff
        ],
        "{events:?}"
    );
    // Qualified within a burst, released after it.
    assert!(events[0].0 >= 250 && events[0].0 < 500, "{events:?}");
    assert!(events[1].0 >= 500 && events[1].0 < 700, "{events:?}");
}

#[test]
fn glitches_on_the_ring_detector_do_not_ring() {
    let mut r = rig(RingDetect::Pulses);
    // Irregular noise: pulses at uneven intervals.
    for (i, t) in [100u64, 117, 190, 201, 290, 333, 420, 430, 555]
        .iter()
        .enumerate()
    {
        r.ring.set_at(r.t0 + ms(*t), true);
        r.ring.set_at(r.t0 + ms(*t + 3 + i as u64), false);
    }
    assert_eq!(r.run_until(1500), []);
}

#[test]
fn a_level_ring_detector_is_debounced() {
    let mut r = rig(RingDetect::Level);
    // A 20 ms spike, then a 1 s burst with contact bounce at its start.
    r.ring.set_at(r.t0 + ms(100), true);
    r.ring.set_at(r.t0 + ms(120), false);
    for t in [300u64, 305, 310] {
        r.ring.set_at(r.t0 + ms(t), t % 10 == 0);
    }
    r.ring.set_at(r.t0 + ms(1310), false);
    let events = r.run_until(2000);
    assert_eq!(
        events,
        [(360, LineEvent::RingOn), (1360, LineEvent::RingOff)]
    );
}

#[test]
fn seizure_polarity_reversal_and_far_end_disconnect() {
    let mut r = rig(RingDetect::Pulses);
    r.clock.advance(ms(100));
    r.port.command(r.clock.now(), LineCommand::OffHook).unwrap();
    assert!(r.relay.current(), "hook relay closes the loop");
    // Current flows 30 ms after seizure.
    r.current.set_at(r.t0 + ms(130), true);
    // Answer: the exchange reverses polarity (bouncing), current dips 10 ms.
    for (t, level) in [(1000, true), (1004, false), (1008, true)] {
        r.polarity.set_at(r.t0 + ms(t), level);
    }
    r.current.set_at(r.t0 + ms(1000), false);
    r.current.set_at(r.t0 + ms(1010), true);
    // Far end hangs up: current goes away for good.
    r.current.set_at(r.t0 + ms(3000), false);
    let events = r.run_until(4000);
    assert_eq!(
        events,
        [
            (1040, LineEvent::PolarityReversal),
            (3150, LineEvent::LoopCurrentDrop)
        ]
    );
    r.port.command(r.clock.now(), LineCommand::OnHook).unwrap();
    assert!(!r.relay.current());
    assert!(r
        .port
        .command(r.clock.now(), LineCommand::StartRinging)
        .is_err());
}

#[test]
fn our_own_hang_up_is_not_a_disconnect() {
    let mut r = rig(RingDetect::Pulses);
    r.port.command(r.t0, LineCommand::OffHook).unwrap();
    r.current.set_at(r.t0 + ms(50), true);
    r.run_until(500);
    r.port.command(r.clock.now(), LineCommand::OnHook).unwrap();
    r.current.set_at(r.t0 + ms(505), false);
    assert_eq!(r.run_until(1500), []);
    let driven: Vec<bool> = r.relay.driven().iter().map(|d| d.1).collect();
    assert_eq!(driven, [true, false], "relay driven once per change");
}
