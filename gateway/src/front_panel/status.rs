//! The gateway's state as the LEDs care ([`GatewayStatus`]), read from the call
//! controller's port views and its `[[sip.upstream]]` registrations.
//!
//! | source | becomes |
//! |---|---|
//! | port `idle` | [`PortActivity::Idle`] |
//! | port `ringing`, `ringing (ignored)` | [`PortActivity::Ringing`] |
//! | port in any other state (seized, dialling, alerting, connected, …) | [`PortActivity::InCall`] |
//! | a port whose line interface failed (a modem that stopped answering) | [`PortActivity::Fault`] |
//! | no upstream registration | [`Registration::Unconfigured`] |
//! | any registration retrying after a failure | [`Registration::Failed`] |
//! | else any still registering (or unregistering) | [`Registration::Registering`] |
//! | all registered | [`Registration::Registered`] |

use board::led::{GatewayStatus, PortActivity, Registration};
use sip::{RegistrationInfo, RegistrationState};

use crate::call::PortView;

/// A port's activity from its state's name ([`PortView::state`]).
pub fn port_activity(state: &str) -> PortActivity {
    match state {
        "idle" => PortActivity::Idle,
        s if s.starts_with("ringing") => PortActivity::Ringing,
        _ => PortActivity::InCall,
    }
}

/// Where the upstream registrations stand, taken together.
pub fn registration(upstream: &[RegistrationInfo]) -> Registration {
    if upstream.is_empty() {
        return Registration::Unconfigured;
    }
    let states = || upstream.iter().map(|r| r.state);
    if states().any(|s| matches!(s, RegistrationState::Retrying { .. })) {
        Registration::Failed
    } else if states().all(|s| matches!(s, RegistrationState::Registered { .. })) {
        Registration::Registered
    } else {
        Registration::Registering
    }
}

/// The status from the controller's views; `port_faults[n]` marks port `n`'s line
/// interface as failed, `system_fault` a fault of the box (the line card failing).
pub fn gateway_status(
    ports: &[PortView],
    upstream: &[RegistrationInfo],
    port_faults: &[bool],
    system_fault: bool,
) -> GatewayStatus {
    GatewayStatus {
        ports: ports
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if port_faults.get(i).copied().unwrap_or(false) {
                    PortActivity::Fault
                } else {
                    port_activity(p.state)
                }
            })
            .collect(),
        registration: registration(upstream),
        system_fault,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_states_map_to_activities() {
        assert_eq!(port_activity("idle"), PortActivity::Idle);
        assert_eq!(port_activity("ringing"), PortActivity::Ringing);
        assert_eq!(port_activity("ringing (ignored)"), PortActivity::Ringing);
        for busy in ["seized", "dialling", "alerting", "connected"] {
            assert_eq!(port_activity(busy), PortActivity::InCall, "{busy}");
        }
    }
}
