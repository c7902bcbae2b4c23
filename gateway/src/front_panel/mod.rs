//! The box's front panel as the running gateway drives it: the LEDs show the
//! gateway's state through `board::led::LedPolicy`, and the reset button's
//! gestures (`board::gpio::ResetButton`) restart or factory-reset the box.
//!
//! ```text
//!   every TICK (runtime)   ┌─ refresh: Controller views ─▶ GatewayStatus ─(changed)─▶ LedPolicy ─▶ LEDs
//!   ───────────────────────┤           (+ port / card faults)          software blink edges ─▶ LEDs
//!                          └─ poll_button: GPIO level ─▶ ResetButton
//!                               short press (< 2 s)  ─▶ Appliance::request_exit(Reboot) ─▶ Flow::Stop
//!                               held 10 s            ─▶ Appliance::factory_reset (the console's
//!                                                       `factory-reset`), every LED blinks fast
//!                                                       for FACTORY_RESET_SHOWN ─▶ Flow::Stop
//! ```
//!
//! Sans-IO apart from the devices themselves: every call takes `now`, blinking and
//! the reset confirmation are deadlines held here. Which devices are used:
//!
//! | board | LEDs | reset button |
//! |---|---|---|
//! | simulated | twins (`board::led::SimulatedLed`) named by `[board.leds]` or `fault`, `registration`, `portN` | `[board.reset_button]`'s GPIO line if given, else none |
//! | hardware | `[board.leds]` under `root` (`board::led::SysfsLed`) | the same |
//!
//! A device that cannot be opened is logged and left out (`show board` says so):
//! a missing LED or button must not keep the phones down. An LED write that
//! fails is tried again every [`leds::LED_RETRY`] until it succeeds. A button
//! read that fails is logged once per failure episode and counts as "held since
//! unknown": no gesture is recognised across it, and once reads work again the
//! button must be released before a press counts (the state a stuck button at
//! boot starts in), so a glitch followed by failing reads cannot wipe the box.

pub mod leds;
pub mod status;

use std::time::{Duration, Instant};

use board::gpio::{CdevInput, InputLine, ResetButton, ResetButtonConfig, ResetRequest};
use board::identity::LedNames;
use board::led::{GatewayStatus, LedPolicy};
use tracing::{error, info, warn};

pub use leds::{LedView, PanelLeds};

use crate::call::Controller;
use crate::config::{BoardKind, Config};
use crate::console::io::Flow;
use crate::console::{Appliance, Exit};
use drivers::PortId;

/// How often the runtime calls [`FrontPanel::refresh`] and
/// [`FrontPanel::poll_button`]: fine enough for the button's 30 ms debounce and
/// for a 125 ms software blink.
pub const TICK: Duration = Duration::from_millis(25);

/// How long every LED blinks fast to confirm a factory reset before the restart.
pub const FACTORY_RESET_SHOWN: Duration = Duration::from_secs(2);

/// A boxed GPIO input of either implementation.
pub type BoxedInput = Box<dyn InputLine + Send>;

struct Button {
    input: BoxedInput,
    config: ResetButtonConfig,
    gestures: ResetButton,
    /// The last read failed (logged once until it reads again).
    failing: bool,
}

impl Button {
    /// A read failed. What the button did meanwhile is unknown, so the
    /// recogniser does not advance (it would confirm a half-seen press and, 10 s
    /// later, wipe the box) and restarts latched: once reads work again, only a
    /// release and then a fresh press count, as for a button held at boot.
    fn read_failed(&mut self, error: &board::gpio::GpioError) {
        if self.failing {
            return;
        }
        error!(%error, "cannot read the reset button; ignoring it until it reads again and is released");
        self.failing = true;
        if let Ok(latched) = ResetButton::new(self.config, true) {
            self.gestures = latched;
        }
    }
}

/// The LEDs, the reset button and what they last showed. See the module docs.
pub struct FrontPanel {
    leds: PanelLeds,
    policy: LedPolicy,
    shown: Option<GatewayStatus>,
    port_faults: Vec<bool>,
    card_fault: bool,
    button: Option<Button>,
    /// A factory reset is being shown; the restart is due then.
    restart_at: Option<Instant>,
}

impl std::fmt::Debug for FrontPanel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrontPanel")
            .field("leds", &self.leds)
            .field("shown", &self.shown)
            .field("button", &self.button.is_some())
            .field("restart_at", &self.restart_at)
            .finish_non_exhaustive()
    }
}

/// The twins' names on the simulated board when `[board.leds]` names none.
fn simulated_names(ports: usize) -> LedNames {
    LedNames {
        fault: Some("fault".into()),
        registration: Some("registration".into()),
        ports: (0..ports).map(|i| format!("port{i}")).collect(),
    }
}

impl FrontPanel {
    /// The panel `config` describes (see the module docs), starting at `now`.
    pub fn open(config: &Config, now: Instant) -> FrontPanel {
        let names = config.board.leds.names();
        let leds = match config.board.kind {
            BoardKind::Simulated => {
                let named = names.fault.is_some()
                    || names.registration.is_some()
                    || !names.ports.is_empty();
                let names = if named {
                    names
                } else {
                    simulated_names(config.ports.len())
                };
                PanelLeds::simulated(&names, now)
            }
            BoardKind::Hardware => PanelLeds::sysfs(&config.board.leds.root, &names, now),
        };
        let input = config.board.reset_button.as_ref().and_then(|b| {
            let line = b.line();
            match CdevInput::open(&line) {
                Ok(input) => {
                    info!(%line, "reset button");
                    Some(Box::new(input) as BoxedInput)
                }
                Err(e) => {
                    error!(error = %e, "reset button unusable; running without it");
                    None
                }
            }
        });
        FrontPanel::new(leds, input, config.ports.len())
    }

    /// A panel of `leds` and the reset button on `input` (if any) for `ports`
    /// line ports. A button already pressed now (or unreadable) is ignored until
    /// released (a stuck button must not wipe the box at every boot).
    pub fn new(leds: PanelLeds, input: Option<BoxedInput>, ports: usize) -> FrontPanel {
        let button = input.and_then(|mut input| {
            let config = ResetButtonConfig::default();
            let first = input.read();
            // Unreadable at start counts as held: a release must be seen first.
            let pressed = !matches!(first, Ok(false));
            match ResetButton::new(config, pressed) {
                Ok(gestures) => {
                    let mut button = Button {
                        input,
                        config,
                        gestures,
                        failing: false,
                    };
                    if let Err(e) = first {
                        button.read_failed(&e);
                    }
                    Some(button)
                }
                Err(e) => {
                    error!(error = %e, "reset button thresholds");
                    None
                }
            }
        });
        FrontPanel {
            leds,
            policy: LedPolicy::default(),
            shown: None,
            port_faults: vec![false; ports],
            card_fault: false,
            button,
            restart_at: None,
        }
    }

    /// Port `port`'s line interface failed (it stays failed until a restart
    /// recreates it).
    pub fn set_port_fault(&mut self, port: PortId) {
        if let Some(f) = self.port_faults.get_mut(port.index()) {
            *f = true;
        }
    }

    /// Whether the line card's last frame exchange failed.
    pub fn set_card_fault(&mut self, failed: bool) {
        self.card_fault = failed;
    }

    /// Whether the line card's last frame exchange failed.
    pub fn card_fault(&self) -> bool {
        self.card_fault
    }

    /// Show the controller's state at `now`.
    pub fn refresh(&mut self, now: Instant, core: &Controller) {
        let status = status::gateway_status(
            core.port_states(),
            &core.upstream_registrations(),
            &self.port_faults,
            self.card_fault,
        );
        self.show(now, status);
    }

    /// Show `status` at `now`: the policy's plan is applied when the status
    /// changed; software-blinking LEDs get their level for `now`. While a factory
    /// reset is being shown, the status waits.
    pub fn show(&mut self, now: Instant, status: GatewayStatus) {
        if self.restart_at.is_none() && self.shown.as_ref() != Some(&status) {
            self.leds.show(now, &self.policy.plan(&status));
            self.shown = Some(status);
        }
        self.leds.handle_timeout(now);
    }

    /// The next instant the panel needs a call without a status change (a
    /// software blink edge, a debounce, the factory reset threshold, the restart).
    pub fn poll_timeout(&self, now: Instant) -> Option<Instant> {
        [
            self.leds.poll_timeout(now),
            self.button.as_ref().and_then(|b| b.gestures.poll_timeout()),
            self.restart_at,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Sample the reset button at `now` and act on a gesture through
    /// `appliance`, the same paths as the console's `reboot` and
    /// `factory-reset`. `Flow::Stop` when the gateway should now stop (it
    /// restarts: the exit request says so).
    pub fn poll_button(&mut self, now: Instant, appliance: &Appliance) -> Flow {
        if let Some(at) = self.restart_at {
            return if now >= at {
                Flow::Stop
            } else {
                Flow::Continue
            };
        }
        let Some(button) = self.button.as_mut() else {
            return Flow::Continue;
        };
        let request = match button.input.read() {
            Ok(pressed) => {
                if std::mem::take(&mut button.failing) {
                    info!(pressed, "the reset button reads again");
                }
                button.gestures.sample(now, pressed)
            }
            Err(e) => {
                button.read_failed(&e);
                None
            }
        };
        match request {
            None => Flow::Continue,
            Some(ResetRequest::Reboot) => {
                warn!("reset button pressed: restarting");
                appliance.request_exit(Exit::Reboot);
                Flow::Stop
            }
            Some(ResetRequest::FactoryReset) => {
                warn!("reset button held: factory reset");
                appliance.factory_reset();
                self.leds.show_all(now, self.policy.fast_blink);
                self.restart_at = Some(now + FACTORY_RESET_SHOWN);
                Flow::Continue
            }
        }
    }

    /// Every LED as the console shows it, at `now`.
    pub fn view(&self, now: Instant) -> Vec<LedView> {
        self.leds.view(now)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::{LedsConfig, ResetButtonLine};

    const DEMO: &str = include_str!("../../../config/demo.toml");

    fn roles_and_names(panel: &FrontPanel, now: Instant) -> Vec<(String, String)> {
        panel
            .view(now)
            .into_iter()
            .map(|v| (v.role, v.name))
            .collect()
    }

    /// The simulated twins on the simulated board; the Linux LED class on
    /// hardware, where a missing LED or button is reported, not fatal.
    #[test]
    fn open_picks_the_devices_by_board_kind() {
        let now = Instant::now();
        let mut config = crate::config::parse(Path::new("demo.toml"), DEMO).unwrap();
        let panel = FrontPanel::open(&config, now);
        let expected: Vec<(String, String)> = [
            ("fault", "fault"),
            ("sip", "registration"),
            ("port 0", "port0"),
            ("port 1", "port1"),
            ("port 2", "port2"),
            ("port 3", "port3"),
        ]
        .iter()
        .map(|(r, n)| (r.to_string(), n.to_string()))
        .collect();
        assert_eq!(roles_and_names(&panel, now), expected);
        assert!(panel.view(now).iter().all(|v| v.problem.is_none()));

        config.board.kind = BoardKind::Hardware;
        config.board.leds = LedsConfig {
            root: "/nonexistent-led-class".into(),
            fault: Some("gw:red:fault".into()),
            ..LedsConfig::default()
        };
        config.board.reset_button = Some(ResetButtonLine {
            chip: "/dev/gpiochip-none".into(),
            offset: 3,
            active_low: true,
        });
        let mut panel = FrontPanel::open(&config, now);
        let view = panel.view(now);
        assert_eq!(view.len(), 1, "only the LEDs named on hardware");
        let problem = view[0].problem.as_deref().unwrap_or_default();
        assert!(
            problem.contains("/nonexistent-led-class/gw:red:fault"),
            "{problem}"
        );
        assert!(panel.button.is_none(), "no chip: no button");
        assert_eq!(
            panel.poll_button(now, &Appliance::default()),
            Flow::Continue
        );
        assert_eq!(panel.poll_timeout(now), None);
    }
}
