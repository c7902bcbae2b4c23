//! [`LedPolicy`]: which LED shows what, from the gateway's state. Sans-IO: a pure
//! function from a [`GatewayStatus`] to a [`LedPlan`]; the runtime applies the plan
//! with [`super::Led::set`] (which skips LEDs whose state did not change).
//!
//! | LED | state → shows |
//! |---|---|
//! | port *n* | idle → off; ringing → fast blink; in call → on; fault → slow blink |
//! | SIP registration | not configured → off; registering → slow blink; registered → on; failed → fast blink |
//! | fault | healthy → off; some port faulted → slow blink; system fault → on |

use super::LedState;

/// What a line port is doing, as the LEDs care.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum PortActivity {
    /// On hook, nothing happening.
    #[default]
    Idle,
    /// Ringing (incoming on FXO, or ringing the phone on FXS).
    Ringing,
    /// Off hook with a call (or dialling).
    InCall,
    /// The port failed (no line voltage, hardware fault).
    Fault,
}

/// The SIP registration's state, as the LEDs care.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Registration {
    /// No registrar configured.
    #[default]
    Unconfigured,
    /// REGISTER sent, no final answer yet (or refreshing after a failure).
    Registering,
    /// Registered.
    Registered,
    /// Rejected or unreachable.
    Failed,
}

/// The gateway's state, as the LEDs care.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct GatewayStatus {
    /// One entry per line port, in port order.
    pub ports: Vec<PortActivity>,
    /// The SIP registration.
    pub registration: Registration,
    /// A fault of the box itself (a stalled loop, a failed device, bad configuration).
    pub system_fault: bool,
}

/// What every LED should show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedPlan {
    /// One entry per port, in port order.
    pub ports: Vec<LedState>,
    /// The SIP registration LED.
    pub registration: LedState,
    /// The fault LED.
    pub fault: LedState,
}

/// The mapping, with its two blink rates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LedPolicy {
    /// Attention: ringing, registration failed.
    pub fast_blink: LedState,
    /// Waiting or degraded: registering, port fault.
    pub slow_blink: LedState,
}

impl Default for LedPolicy {
    fn default() -> Self {
        Self {
            fast_blink: LedState::Blink {
                on_ms: 125,
                off_ms: 125,
            },
            slow_blink: LedState::Blink {
                on_ms: 500,
                off_ms: 500,
            },
        }
    }
}

impl LedPolicy {
    /// A port LED.
    pub fn port(&self, activity: PortActivity) -> LedState {
        match activity {
            PortActivity::Idle => LedState::Off,
            PortActivity::Ringing => self.fast_blink,
            PortActivity::InCall => LedState::On,
            PortActivity::Fault => self.slow_blink,
        }
    }

    /// The SIP registration LED.
    pub fn registration(&self, registration: Registration) -> LedState {
        match registration {
            Registration::Unconfigured => LedState::Off,
            Registration::Registering => self.slow_blink,
            Registration::Registered => LedState::On,
            Registration::Failed => self.fast_blink,
        }
    }

    /// The fault LED.
    pub fn fault(&self, status: &GatewayStatus) -> LedState {
        if status.system_fault {
            LedState::On
        } else if status.ports.contains(&PortActivity::Fault) {
            self.slow_blink
        } else {
            LedState::Off
        }
    }

    /// Every LED at once.
    pub fn plan(&self, status: &GatewayStatus) -> LedPlan {
        LedPlan {
            ports: status.ports.iter().map(|&a| self.port(a)).collect(),
            registration: self.registration(status.registration),
            fault: self.fault(status),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: LedState = LedState::Blink {
        on_ms: 125,
        off_ms: 125,
    };
    const SLOW: LedState = LedState::Blink {
        on_ms: 500,
        off_ms: 500,
    };

    #[test]
    fn port_leds_follow_port_activity() {
        let policy = LedPolicy::default();
        assert_eq!(policy.port(PortActivity::Idle), LedState::Off);
        assert_eq!(policy.port(PortActivity::Ringing), FAST);
        assert_eq!(policy.port(PortActivity::InCall), LedState::On);
        assert_eq!(policy.port(PortActivity::Fault), SLOW);
    }

    #[test]
    fn registration_led_follows_registration() {
        let policy = LedPolicy::default();
        assert_eq!(
            policy.registration(Registration::Unconfigured),
            LedState::Off
        );
        assert_eq!(policy.registration(Registration::Registering), SLOW);
        assert_eq!(policy.registration(Registration::Registered), LedState::On);
        assert_eq!(policy.registration(Registration::Failed), FAST);
    }

    #[test]
    fn fault_led_prefers_system_fault_over_port_fault() {
        let policy = LedPolicy::default();
        let mut status = GatewayStatus {
            ports: vec![PortActivity::Idle, PortActivity::InCall],
            registration: Registration::Registered,
            system_fault: false,
        };
        assert_eq!(policy.fault(&status), LedState::Off);
        status.ports[0] = PortActivity::Fault;
        assert_eq!(policy.fault(&status), SLOW);
        status.system_fault = true;
        assert_eq!(policy.fault(&status), LedState::On);
    }

    #[test]
    fn plan_covers_every_led() {
        let status = GatewayStatus {
            ports: vec![
                PortActivity::Idle,
                PortActivity::Ringing,
                PortActivity::InCall,
                PortActivity::Fault,
            ],
            registration: Registration::Registering,
            system_fault: false,
        };
        assert_eq!(
            LedPolicy::default().plan(&status),
            LedPlan {
                ports: vec![LedState::Off, FAST, LedState::On, SLOW],
                registration: SLOW,
                fault: SLOW,
            }
        );
    }
}
