//! Scenario: the supervisor feeds the (simulated) watchdog only while the media and
//! SIP loops keep beating. Runs on a virtual clock; ten minutes take milliseconds.
//! Uses the simulated twin only; the Linux watchdog's code path is tested in
//! `board::watchdog` (error paths here, a real device under QEMU).

use std::time::{Duration, Instant};

use board::watchdog::{
    Component, Decision, SimulatedWatchdog, Supervisor, Watchdog, WatchdogObserver, WatchdogTimeout,
};
use board::VirtualClock;

const MEDIA: Component = Component("media");
const SIP: Component = Component("sip");
const STEP: Duration = Duration::from_millis(100);
const FEED_EVERY: Duration = Duration::from_secs(5);
const TIMEOUT: WatchdogTimeout = WatchdogTimeout::from_secs(15);

/// The runtime glue of the firmware, reduced to its watchdog duty: the media loop
/// beats every step until `media_stalls_at`, the SIP loop every second, and every
/// `FEED_EVERY` the supervisor is polled and the watchdog fed on `Feed`.
struct Gateway {
    clock: VirtualClock,
    supervisor: Supervisor,
    watchdog: SimulatedWatchdog,
    last_feed_poll: Instant,
    decisions: Vec<(Instant, Decision)>,
}

impl Gateway {
    fn boot() -> (Self, WatchdogObserver) {
        let clock = VirtualClock::starting_at(Instant::now());
        let now = clock.now();
        let mut supervisor = Supervisor::new();
        supervisor
            .register(MEDIA, Duration::from_millis(500), now)
            .unwrap();
        supervisor
            .register(SIP, Duration::from_secs(5), now)
            .unwrap();
        let watchdog = SimulatedWatchdog::start(clock.clone(), TIMEOUT);
        let observer = watchdog.observer();
        let booted = Self {
            clock,
            supervisor,
            watchdog,
            last_feed_poll: now,
            decisions: Vec::new(),
        };
        (booted, observer)
    }

    /// Run until `until` of virtual time, stopping early if the box would have reset.
    fn run(&mut self, until: Duration, media_stalls_at: Option<Duration>) {
        while self.clock.elapsed() < until {
            self.clock.advance(STEP);
            let now = self.clock.now();
            let t = self.clock.elapsed();
            if media_stalls_at.is_none_or(|stall| t < stall) {
                self.supervisor.heartbeat(MEDIA, now).unwrap();
            }
            if t.as_millis() % 1000 == 0 {
                self.supervisor.heartbeat(SIP, now).unwrap();
            }
            let stall_check_due = self.supervisor.poll_timeout().is_some_and(|at| now >= at);
            if now - self.last_feed_poll >= FEED_EVERY || stall_check_due {
                self.last_feed_poll = now;
                let decision = self.supervisor.poll(now);
                self.decisions.push((now, decision));
                if decision == Decision::Feed && self.watchdog.keep_alive().is_err() {
                    return;
                }
            }
            if self.watchdog.observer().expired(now) {
                return;
            }
        }
    }
}

#[test]
fn healthy_loops_keep_the_twin_fed_for_ten_minutes() {
    let (mut gateway, watchdog) = Gateway::boot();
    gateway.run(Duration::from_secs(600), None);

    assert_eq!(gateway.clock.elapsed(), Duration::from_secs(600));
    assert!(!watchdog.expired(gateway.clock.now()));
    assert!(gateway.decisions.iter().all(|(_, d)| *d == Decision::Feed));
    // One feed every 5 s for 600 s.
    assert_eq!(watchdog.keep_alives().len(), 120);
}

#[test]
fn stalled_media_loop_stops_keep_alives_and_the_twin_expires() {
    let (mut gateway, watchdog) = Gateway::boot();
    let stall = Duration::from_secs(60);
    gateway.run(Duration::from_secs(600), Some(stall));

    let origin = gateway.clock.origin();
    let last_beat = origin + stall - STEP;
    // The stall is noticed one allowed interval after the last media heartbeat…
    let (noticed_at, decision) = gateway
        .decisions
        .iter()
        .copied()
        .find(|(_, d)| *d != Decision::Feed)
        .expect("the supervisor withheld");
    assert_eq!(
        decision,
        Decision::Withhold {
            stalled: MEDIA,
            last_beat
        }
    );
    assert_eq!(noticed_at, last_beat + Duration::from_millis(500));
    // …no keep-alive follows…
    let keep_alives = watchdog.keep_alives();
    let last_feed = *keep_alives.last().unwrap();
    assert!(last_feed < noticed_at);
    // …and the watchdog expires one timeout after the last feed, not earlier.
    assert_eq!(watchdog.reset_at(), Some(last_feed + TIMEOUT.as_duration()));
    assert!(!watchdog.expired(last_feed + TIMEOUT.as_duration() - STEP));
    assert!(watchdog.expired(gateway.clock.now()));
    assert_eq!(gateway.clock.now(), last_feed + TIMEOUT.as_duration());
}
