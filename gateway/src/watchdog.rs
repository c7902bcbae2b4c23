//! Keeping the board's hardware watchdog fed while the media and signalling
//! loops are healthy (sans-IO: the runtime passes `now` and owns the device).
//!
//! The media loop beats once per line frame exchanged without error; the
//! signalling loop beats whenever the runtime's loop turns. Every
//! [`FEED_INTERVAL`] the runtime asks [`Keeper::tick`]: if either loop has been
//! silent for longer than it is allowed, the watchdog is not fed, and the
//! hardware resets the box when its timeout runs out. On orderly shutdown the
//! runtime closes the watchdog ("magic close") so it does not fire.

use std::time::{Duration, Instant};

use board::watchdog::{Component, Decision, Supervisor, Watchdog, WatchdogError, WatchdogTimeout};
use tracing::error;

/// The media loop: line frames exchanged.
pub const MEDIA: Component = Component("media");
/// The signalling loop: SIP, API and console handled.
pub const SIGNALLING: Component = Component("signalling");
/// How often the runtime calls [`Keeper::tick`].
pub const FEED_INTERVAL: Duration = Duration::from_secs(1);
/// Longest a loop may be silent before the watchdog is starved.
pub const MEDIA_ALLOWED: Duration = Duration::from_millis(500);
/// Longest the signalling loop may be silent.
pub const SIGNALLING_ALLOWED: Duration = Duration::from_secs(2);

/// What happened at a tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fed {
    /// Both loops are alive; the watchdog was fed.
    Yes,
    /// A loop stalled; the watchdog was not fed.
    Withheld(Component),
}

/// The watchdog and the supervisor deciding whether to feed it.
#[derive(Debug)]
pub struct Keeper<W: Watchdog> {
    supervisor: Supervisor,
    watchdog: W,
    reported: bool,
}

impl<W: Watchdog> Keeper<W> {
    /// Start keeping `watchdog` with `timeout` (seconds the hardware waits).
    pub fn new(
        mut watchdog: W,
        timeout: WatchdogTimeout,
        now: Instant,
    ) -> Result<Self, WatchdogError> {
        watchdog.set_timeout(timeout)?;
        let mut supervisor = Supervisor::new();
        // Registration only fails for duplicates or zero intervals: not these.
        let _ = supervisor.register(MEDIA, MEDIA_ALLOWED, now);
        let _ = supervisor.register(SIGNALLING, SIGNALLING_ALLOWED, now);
        Ok(Keeper {
            supervisor,
            watchdog,
            reported: false,
        })
    }

    /// The media loop exchanged a frame.
    pub fn media_beat(&mut self, now: Instant) {
        let _ = self.supervisor.heartbeat(MEDIA, now);
    }

    /// The signalling loop turned.
    pub fn signalling_beat(&mut self, now: Instant) {
        let _ = self.supervisor.heartbeat(SIGNALLING, now);
    }

    /// Feed the watchdog if both loops are alive.
    pub fn tick(&mut self, now: Instant) -> Result<Fed, WatchdogError> {
        match self.supervisor.poll(now) {
            Decision::Feed => {
                self.watchdog.keep_alive()?;
                Ok(Fed::Yes)
            }
            Decision::Withhold { stalled, last_beat } => {
                if !self.reported {
                    self.reported = true;
                    let silent = now.saturating_duration_since(last_beat);
                    error!(loop_name = %stalled, ?silent, "loop stalled: no longer feeding the watchdog");
                }
                Ok(Fed::Withheld(stalled))
            }
        }
    }

    /// Orderly shutdown: stop the watchdog so it does not reset the box.
    pub fn close(self) -> Result<(), WatchdogError> {
        self.watchdog.close()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use board::watchdog::SimulatedWatchdog;
    use board::VirtualClock;

    #[test]
    fn a_stalled_media_loop_stops_the_keep_alives() {
        let clock = VirtualClock::starting_at(Instant::now());
        let timeout = WatchdogTimeout::from_secs(10);
        let dog = SimulatedWatchdog::start(clock.clone(), timeout);
        let observer = dog.observer();
        let mut keeper = Keeper::new(dog, timeout, clock.now()).unwrap();
        // Five minutes of healthy loops: frames every 20 ms, feeding every second.
        for _ in 0..300 {
            for _ in 0..50 {
                clock.advance(Duration::from_millis(20));
                keeper.media_beat(clock.now());
                keeper.signalling_beat(clock.now());
            }
            assert_eq!(keeper.tick(clock.now()).unwrap(), Fed::Yes);
        }
        assert!(!observer.expired(clock.now()));
        let fed = observer.keep_alives().len();
        // The media loop stalls; signalling goes on.
        let mut withheld = None;
        for _ in 0..15 {
            clock.advance(FEED_INTERVAL);
            keeper.signalling_beat(clock.now());
            if let Fed::Withheld(c) = keeper.tick(clock.now()).unwrap() {
                withheld.get_or_insert(c);
            }
        }
        assert_eq!(withheld, Some(MEDIA));
        assert_eq!(
            observer.keep_alives().len(),
            fed,
            "no keep-alive after the stall"
        );
        assert!(observer.expired(clock.now()), "the watchdog resets the box");
    }

    #[test]
    fn orderly_shutdown_closes_the_watchdog() {
        let clock = VirtualClock::starting_at(Instant::now());
        let timeout = WatchdogTimeout::from_secs(10);
        let dog = SimulatedWatchdog::start(clock.clone(), timeout);
        let observer = dog.observer();
        let keeper = Keeper::new(dog, timeout, clock.now()).unwrap();
        keeper.close().unwrap();
        assert!(observer.closed());
    }
}
