//! [`PanelLeds`]: the front panel's LEDs as the runtime drives them, each with
//! what it was last asked to show and since when.
//!
//! Blinking is time as data. A Linux LED blinks by itself once its `timer`
//! trigger is set (`board::led::SysfsLed`); where the kernel lacks that trigger
//! (writing `delay_on` fails), the LED falls back to *software blinking*: its
//! level is the blink phase at `now`, measured from the instant the blink was
//! asked for, and [`PanelLeds::handle_timeout`] writes it at each edge
//! ([`PanelLeds::poll_timeout`]). No thread, no sleep. The console's view
//! ([`LedView::lit`]) uses the same phase for every LED.
//!
//! An LED that cannot be opened is logged once, shown as such by `show board`,
//! and otherwise left out: a missing LED must not stop the phones. An LED whose
//! write failed (a sysfs attribute gone for a moment, a busy I2C expander) keeps
//! its problem in the view and is written again every [`LED_RETRY`] until it
//! works, whether or not the gateway's status changes meanwhile (a deadline as
//! data, in [`PanelLeds::poll_timeout`]).

use std::time::{Duration, Instant};

use board::identity::LedNames;
use board::led::{Led, LedPlan, LedState, SimulatedLed, SysfsLed};
use board::VirtualClock;
use tracing::{info, warn};

/// A boxed LED of either implementation.
pub type BoxedLed = Box<dyn Led + Send>;

/// How often an LED whose last write failed is written again.
pub const LED_RETRY: Duration = Duration::from_secs(1);

/// One LED of the panel.
struct PanelLed {
    /// `fault`, `sip` or `port N`.
    role: String,
    /// Its LED class name (or the twin's name).
    name: String,
    /// `None` when it could not be opened.
    led: Option<BoxedLed>,
    /// What the policy asked for, and since when (the blink phase's origin).
    state: LedState,
    since: Instant,
    /// Blinking by writes from the loop (no kernel timer trigger).
    software: bool,
    /// The level last written while software blinking.
    level: Option<bool>,
    /// The last failure, until a write succeeds again.
    problem: Option<String>,
    /// `state` reached the device (false at start, so the first plan is written
    /// whatever the LED showed before, and after a failure, so the next try writes).
    applied: bool,
}

/// What the console shows of one LED.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedView {
    /// `fault`, `sip` or `port N`.
    pub role: String,
    /// The LED class device (or twin) name.
    pub name: String,
    /// What it shows.
    pub state: LedState,
    /// Whether it is lit at the instant of the view (the blink phase from
    /// when the blink started; for a kernel-timed blink, from when it was set).
    pub lit: bool,
    /// Blinking by software (the kernel has no `timer` trigger).
    pub software_blink: bool,
    /// Why it is not working, if it is not.
    pub problem: Option<String>,
}

/// Whether `state`, shown since `since`, is lit at `now`.
pub fn lit_at(state: LedState, since: Instant, now: Instant) -> bool {
    match state {
        LedState::Off => false,
        LedState::On => true,
        LedState::Blink { on_ms, off_ms } => {
            let period = u128::from(on_ms) + u128::from(off_ms);
            let elapsed = now.saturating_duration_since(since).as_millis();
            period == 0 || elapsed % period < u128::from(on_ms)
        }
    }
}

/// The next instant after `now` at which a blink of `state` since `since` changes level.
fn next_edge(state: LedState, since: Instant, now: Instant) -> Option<Instant> {
    let LedState::Blink { on_ms, off_ms } = state else {
        return None;
    };
    let period = u64::from(on_ms) + u64::from(off_ms);
    if period == 0 {
        return None;
    }
    let elapsed = u64::try_from(now.saturating_duration_since(since).as_millis()).ok()?;
    let into = elapsed % period;
    let to_edge = if into < u64::from(on_ms) {
        u64::from(on_ms) - into
    } else {
        period - into
    };
    Some(now + Duration::from_millis(to_edge))
}

impl PanelLed {
    fn new(role: String, name: String, led: Result<BoxedLed, String>, now: Instant) -> Self {
        let (led, problem) = match led {
            Ok(led) => (Some(led), None),
            Err(why) => {
                warn!(led = %name, %role, problem = %why, "front-panel LED missing; running without it");
                (None, Some(why))
            }
        };
        PanelLed {
            role,
            name,
            led,
            state: LedState::Off,
            since: now,
            software: false,
            level: None,
            problem,
            applied: false,
        }
    }

    fn show(&mut self, now: Instant, state: LedState) {
        if self.state == state && self.applied {
            return;
        }
        if self.state != state {
            self.state = state;
            self.since = now;
        }
        let Some(led) = self.led.as_mut() else {
            return;
        };
        self.software = false;
        self.level = None;
        match led.set(state) {
            Ok(()) => {
                self.applied = true;
                self.clear_problem();
            }
            Err(e) if matches!(state, LedState::Blink { .. }) => {
                info!(led = %self.name, error = %e, "no kernel blink for this LED; blinking it from the loop");
                self.software = true;
                self.write_level(now);
                self.applied = self.level.is_some();
            }
            Err(e) => {
                self.applied = false;
                self.report(e.to_string());
            }
        }
    }

    /// Software blinking: write the level the phase asks for, if it changed.
    fn write_level(&mut self, now: Instant) {
        let lit = lit_at(self.state, self.since, now);
        if self.level == Some(lit) {
            return;
        }
        let Some(led) = self.led.as_mut() else {
            return;
        };
        match led.set(if lit { LedState::On } else { LedState::Off }) {
            Ok(()) => {
                self.level = Some(lit);
                // Blinking from the loop is how this LED shows its state.
                self.applied = true;
                self.clear_problem();
            }
            Err(e) => self.report(e.to_string()),
        }
    }

    /// An opened LED whose state has not reached it (its last write failed).
    /// A software-blinking LED is not one: its level is written again at every
    /// [`PanelLeds::handle_timeout`] until it sticks.
    fn needs_retry(&self) -> bool {
        self.led.is_some() && !self.applied && !self.software
    }

    fn report(&mut self, problem: String) {
        if self.problem.as_ref() != Some(&problem) {
            warn!(led = %self.name, %problem, "front-panel LED failed");
        }
        self.problem = Some(problem);
    }

    fn clear_problem(&mut self) {
        if self.problem.take().is_some() {
            info!(led = %self.name, "front-panel LED works again");
        }
    }

    fn view(&self, now: Instant) -> LedView {
        LedView {
            role: self.role.clone(),
            name: self.name.clone(),
            state: self.state,
            lit: lit_at(self.state, self.since, now),
            software_blink: self.software,
            problem: self.problem.clone(),
        }
    }
}

/// The panel's LEDs: fault, SIP registration, one per port; any may be absent.
pub struct PanelLeds {
    fault: Option<PanelLed>,
    registration: Option<PanelLed>,
    ports: Vec<PanelLed>,
    /// The twins' clock, moved to each `now` before they record a change.
    clock: Option<VirtualClock>,
    /// When the LEDs whose last write failed are written again.
    retry_at: Option<Instant>,
}

impl std::fmt::Debug for PanelLeds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Names and commanded states only: whether a blinking LED is lit
        // depends on `now`, which a Debug impl has no business reading.
        let leds: Vec<_> = self.all().map(|l| (&l.name, l.state)).collect();
        f.debug_struct("PanelLeds")
            .field("leds", &leds)
            .field("retry_at", &self.retry_at)
            .finish_non_exhaustive()
    }
}

impl PanelLeds {
    /// LEDs from already opened devices (or the reasons they are missing), named
    /// by `names`; `clock` is the twins' clock when they are simulated.
    pub fn new(
        names: &LedNames,
        mut open: impl FnMut(&str) -> Result<BoxedLed, String>,
        clock: Option<VirtualClock>,
        now: Instant,
    ) -> Self {
        let mut one = |role: String, name: &str| {
            let led = open(name);
            PanelLed::new(role, name.to_owned(), led, now)
        };
        PanelLeds {
            fault: names.fault.as_deref().map(|n| one("fault".into(), n)),
            registration: names.registration.as_deref().map(|n| one("sip".into(), n)),
            ports: names
                .ports
                .iter()
                .enumerate()
                .map(|(i, n)| one(format!("port {i}"), n))
                .collect(),
            clock,
            retry_at: None,
        }
    }

    /// Linux LED class devices under `root` (`/sys/class/leds`, or a folder laid
    /// out like it).
    pub fn sysfs(root: &std::path::Path, names: &LedNames, now: Instant) -> Self {
        Self::new(
            names,
            |name| {
                SysfsLed::open(root, name)
                    .map(|l| Box::new(l) as BoxedLed)
                    .map_err(|e| e.to_string())
            },
            None,
            now,
        )
    }

    /// The simulated twins, on a virtual clock that follows the `now`s given.
    pub fn simulated(names: &LedNames, now: Instant) -> Self {
        let clock = VirtualClock::starting_at(now);
        let twin = clock.clone();
        Self::new(
            names,
            move |name| Ok(Box::new(SimulatedLed::new(name, twin.clone())) as BoxedLed),
            Some(clock),
            now,
        )
    }

    fn all(&self) -> impl Iterator<Item = &PanelLed> {
        self.fault
            .iter()
            .chain(self.registration.iter())
            .chain(self.ports.iter())
    }

    fn all_mut(&mut self) -> impl Iterator<Item = &mut PanelLed> {
        self.fault
            .iter_mut()
            .chain(self.registration.iter_mut())
            .chain(self.ports.iter_mut())
    }

    fn tick_clock(&self, now: Instant) {
        if let Some(clock) = &self.clock {
            clock.advance_to(now);
        }
    }

    /// After writes at `now`: a retry [`LED_RETRY`] later if any failed.
    fn schedule_retry(&mut self, now: Instant) {
        let failed = self.all().any(PanelLed::needs_retry);
        self.retry_at = failed.then_some(now + LED_RETRY);
    }

    /// Show `plan` from `now` (LEDs whose state did not change are left alone).
    pub fn show(&mut self, now: Instant, plan: &LedPlan) {
        self.tick_clock(now);
        if let Some(led) = &mut self.fault {
            led.show(now, plan.fault);
        }
        if let Some(led) = &mut self.registration {
            led.show(now, plan.registration);
        }
        for (led, state) in self.ports.iter_mut().zip(&plan.ports) {
            led.show(now, *state);
        }
        self.schedule_retry(now);
    }

    /// Show `state` on every LED from `now`.
    pub fn show_all(&mut self, now: Instant, state: LedState) {
        self.tick_clock(now);
        for led in self.all_mut() {
            led.show(now, state);
        }
        self.schedule_retry(now);
    }

    /// Write the software-blinking LEDs' levels for `now`, and, when the retry
    /// is due, the states that did not reach their LEDs.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.tick_clock(now);
        if self.retry_at.is_some_and(|at| now >= at) {
            for led in self.all_mut().filter(|l| l.needs_retry()) {
                let state = led.state;
                led.show(now, state);
            }
            self.schedule_retry(now);
        }
        for led in self.all_mut().filter(|l| l.software) {
            led.write_level(now);
        }
    }

    /// The next edge of a software-blinking LED, or the next retry of a failed
    /// write.
    pub fn poll_timeout(&self, now: Instant) -> Option<Instant> {
        self.all()
            .filter(|l| l.software)
            .filter_map(|l| next_edge(l.state, l.since, now))
            .chain(self.retry_at)
            .min()
    }

    /// Every LED as the console shows it, at `now`.
    pub fn view(&self, now: Instant) -> Vec<LedView> {
        self.all().map(|l| l.view(now)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLINK: LedState = LedState::Blink {
        on_ms: 100,
        off_ms: 300,
    };

    #[test]
    fn blink_phase_and_edges_come_from_now() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        assert!(lit_at(BLINK, t0, ms(0)));
        assert!(lit_at(BLINK, t0, ms(99)));
        assert!(!lit_at(BLINK, t0, ms(100)));
        assert!(!lit_at(BLINK, t0, ms(399)));
        assert!(lit_at(BLINK, t0, ms(400)));
        assert_eq!(next_edge(BLINK, t0, ms(0)), Some(ms(100)));
        assert_eq!(next_edge(BLINK, t0, ms(150)), Some(ms(400)));
        assert_eq!(next_edge(BLINK, t0, ms(400)), Some(ms(500)));
        assert_eq!(next_edge(LedState::On, t0, ms(5)), None);
        assert!(!lit_at(LedState::Off, t0, ms(5)));
    }

    #[test]
    fn simulated_twins_record_changes_on_the_virtual_clock() {
        let t0 = Instant::now();
        let names = LedNames {
            fault: Some("fault".into()),
            registration: None,
            ports: vec!["port0".into()],
        };
        let mut leds = PanelLeds::simulated(&names, t0);
        let plan = |port| LedPlan {
            ports: vec![port],
            registration: LedState::Off,
            fault: LedState::Off,
        };
        leds.show(t0, &plan(LedState::On));
        let later = t0 + Duration::from_secs(3);
        leds.show(later, &plan(BLINK));
        let view = leds.view(later + Duration::from_millis(150));
        assert_eq!(view.len(), 2);
        assert_eq!(view[1].role, "port 0");
        assert_eq!(view[1].state, BLINK);
        assert!(!view[1].lit, "150 ms into a 100/300 blink is dark");
        assert!(!view[1].software_blink, "the twin blinks by itself");
        assert_eq!(leds.poll_timeout(later), None);
    }
}
