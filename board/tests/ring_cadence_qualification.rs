//! Scenario: the ring-detect qualifier against real ring cadences, glitches and line
//! noise, sampled every millisecond on virtual time. Sans-IO core only; the GPIO
//! line is not involved.

use std::time::{Duration, Instant};

use board::gpio::{RingCadenceConfig, RingCadenceQualifier, RingEvent};

const SAMPLE: Duration = Duration::from_millis(1);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The optocoupler output of a ringing burst at `hz`: active for half of each cycle.
fn ac(hz: u64, t: Duration) -> bool {
    let period_us = 1_000_000 / hz;
    let phase = u64::try_from(t.as_micros()).unwrap() % period_us;
    phase < period_us / 2
}

/// Feed `signal` for `total`, one sample per millisecond, and return every event
/// with its virtual time since the start.
fn run(total: Duration, signal: impl Fn(Duration) -> bool) -> Vec<(Duration, RingEvent)> {
    let t0 = Instant::now();
    let mut qualifier = RingCadenceQualifier::new(RingCadenceConfig::default()).unwrap();
    let mut events = Vec::new();
    let mut t = Duration::ZERO;
    while t <= total {
        if let Some(event) = qualifier.sample(t0 + t, signal(t)) {
            events.push((t, event));
        }
        t += SAMPLE;
    }
    // Whatever the qualifier is still waiting for comes due.
    if let Some(at) = qualifier.poll_timeout() {
        if let Some(event) = qualifier.handle_timeout(at) {
            events.push((at - t0, event));
        }
    }
    events
}

fn started(events: &[(Duration, RingEvent)]) -> Vec<Duration> {
    events
        .iter()
        .filter(|(_, e)| matches!(e, RingEvent::Started { .. }))
        .map(|(t, _)| *t)
        .collect()
}

fn stopped(events: &[(Duration, RingEvent)]) -> usize {
    events
        .iter()
        .filter(|(_, e)| matches!(e, RingEvent::Stopped { .. }))
        .count()
}

/// A burst from `from` to `to` at `hz`, silence elsewhere.
fn burst(hz: u64, from: Duration, to: Duration) -> impl Fn(Duration) -> bool {
    move |t| t >= from && t < to && ac(hz, t - from)
}

#[test]
fn ring_20hz_burst_qualifies_after_150ms_and_stops_after_it_ends() {
    let events = run(ms(1500), burst(20, ms(100), ms(500)));
    assert_eq!(events.len(), 2, "{events:?}");
    // First rising edge at 100 ms; 150 ms of valid cadence → qualified at 250 ms.
    assert_eq!(started(&events), [ms(250)]);
    // Last rising edge at 450 ms; released 120 ms later.
    assert_eq!(events[1].0, ms(570));
    assert_eq!(stopped(&events), 1);
}

#[test]
fn ring_25hz_two_second_burst_qualifies_once() {
    let events = run(ms(3000), burst(25, ms(0), ms(2000)));
    assert_eq!(started(&events), [ms(160)]);
    assert_eq!(stopped(&events), 1);
}

#[test]
fn ring_uk_double_ring_is_two_bursts() {
    // 400 ms on, 200 ms off, 400 ms on.
    let first = burst(20, ms(0), ms(400));
    let second = burst(20, ms(600), ms(1000));
    let events = run(ms(2000), |t| first(t) || second(t));
    assert_eq!(started(&events), [ms(150), ms(750)]);
    assert_eq!(stopped(&events), 2);
}

#[test]
fn ring_burst_shorter_than_qualification_is_rejected() {
    assert!(run(ms(1000), burst(20, ms(0), ms(120))).is_empty());
}

#[test]
fn ring_single_glitch_inside_a_burst_does_not_split_it() {
    let ring = burst(20, ms(0), ms(1000));
    // A 1 ms spike in the inactive half of a cycle, 500 ms into the burst.
    let events = run(ms(2000), |t| ring(t) || t == ms(530));
    assert_eq!(started(&events), [ms(150)]);
    assert_eq!(stopped(&events), 1, "{events:?}");
}

#[test]
fn ring_rejects_mains_hum_slow_toggling_and_glitches() {
    assert!(run(ms(3000), |t| ac(50, t)).is_empty(), "50 Hz hum");
    assert!(
        run(ms(3000), |t| ac(100, t)).is_empty(),
        "100 Hz rectified hum"
    );
    assert!(run(ms(3000), |t| ac(10, t)).is_empty(), "10 Hz");
    assert!(run(ms(3000), |t| ac(15, t)).is_empty(), "15 Hz");
    assert!(run(ms(3000), |t| ac(35, t)).is_empty(), "35 Hz");
    // Isolated 1 ms spikes at irregular intervals (the qualifier looks at periods,
    // so spikes repeating steadily at a ring rate would qualify; these must not).
    let spikes = [3, 130, 171, 402, 455, 460, 800, 843, 910];
    assert!(
        run(ms(1000), |t| spikes.contains(&t.as_millis())).is_empty(),
        "spikes"
    );
}

#[test]
fn ring_rejects_unsteady_cadence() {
    // Alternating 36 ms and 55 ms cycles: each period in range, but not a sine.
    let edges: Vec<u64> = (0..40u64)
        .scan(0, |t, i| {
            let start = *t;
            *t += if i % 2 == 0 { 36 } else { 55 };
            Some(start)
        })
        .collect();
    let events = run(ms(2000), |t| {
        let t = u64::try_from(t.as_millis()).unwrap();
        edges.iter().any(|&e| t >= e && t < e + 10)
    });
    assert!(events.is_empty(), "{events:?}");
}

#[test]
fn ring_rejects_seeded_random_line_noise() {
    // xorshift64 with a fixed seed: the same noise on every run.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut level = false;
    let mut next_flip = 0u64;
    let mut levels = Vec::new();
    for t in 0..20_000u64 {
        if t == next_flip {
            level = !level;
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            next_flip = t + 1 + state % 60;
        }
        levels.push(level);
    }
    let events = run(ms(19_999), |t| {
        levels[usize::try_from(t.as_millis()).unwrap()]
    });
    assert!(events.is_empty(), "{events:?}");
}

#[test]
fn ring_inconsistent_config_is_a_typed_error() {
    let config = RingCadenceConfig {
        qualify_after: ms(250),
        ..RingCadenceConfig::default()
    };
    assert!(RingCadenceQualifier::new(config).is_err());
    let config = RingCadenceConfig {
        min_period: ms(60),
        ..RingCadenceConfig::default()
    };
    assert!(RingCadenceQualifier::new(config).is_err());
    let config = RingCadenceConfig {
        release_after: ms(50),
        ..RingCadenceConfig::default()
    };
    assert!(RingCadenceQualifier::new(config).is_err());
}
