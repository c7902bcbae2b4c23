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
//! | any registration not registered since a failure (waiting to retry, or its retry in flight) | [`Registration::Failed`] |
//! | else any still registering (or unregistering) | [`Registration::Registering`] |
//! | all registered | [`Registration::Registered`] |

use board::led::{GatewayStatus, PortActivity, Registration};
use sip::{RegistrationInfo, RegistrationState};

/// A port's activity from its state's name (`PortView::state`).
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
    // `failures` counts the attempts that failed since the last success: while
    // it is non-zero the registration is "retrying after a failure" both while
    // it waits (`Retrying`) and while the retry is in flight (`Registering`),
    // so the LED does not flip between fast and slow blink at every retry.
    let failed = |r: &RegistrationInfo| {
        r.failures > 0 && !matches!(r.state, RegistrationState::Registered { .. })
    };
    if upstream.iter().any(failed) {
        Registration::Failed
    } else if states().all(|s| matches!(s, RegistrationState::Registered { .. })) {
        Registration::Registered
    } else {
        Registration::Registering
    }
}

/// The status from the ports' state names (in port order, borrowed from the
/// controller: `Controller::port_states`) and the registrations;
/// `port_faults[n]` marks port `n`'s line interface as failed, `system_fault` a
/// fault of the box (the line card failing).
pub fn gateway_status<'a>(
    port_states: impl Iterator<Item = &'a str>,
    upstream: &[RegistrationInfo],
    port_faults: &[bool],
    system_fault: bool,
) -> GatewayStatus {
    GatewayStatus {
        ports: port_states
            .enumerate()
            .map(|(i, state)| {
                if port_faults.get(i).copied().unwrap_or(false) {
                    PortActivity::Fault
                } else {
                    port_activity(state)
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

    /// A registrar that never answers: every REGISTER times out (Timer F) and
    /// is retried with back-off. From the first failure on, the LED says
    /// `Failed` (fast blink) both while the registration waits to retry and
    /// while each retry is in flight, not `Registering` (slow blink) at every
    /// retry. Virtual time: the endpoint's own deadlines.
    #[test]
    fn a_registration_retrying_after_a_failure_stays_failed_while_its_retry_is_in_flight() {
        use std::time::{Duration, Instant};

        use sip::{Endpoint, EndpointConfig, Uri};

        let t0 = Instant::now();
        let mut endpoint = Endpoint::new(EndpointConfig::new("127.0.0.1:5060".parse().unwrap()), 7);
        endpoint
            .register(
                t0,
                sip::Registration {
                    registrar: "127.0.0.1:5070".parse().unwrap(),
                    aor: Uri::parse("sip:gateway@example.net").unwrap(),
                    contact_user: "gateway".into(),
                    expires: Duration::from_secs(600),
                    credentials: None,
                },
            )
            .unwrap();
        assert_eq!(
            registration(&endpoint.registrations()),
            Registration::Registering,
            "the first REGISTER is in flight"
        );

        let mut retries_in_flight = 0;
        let mut now = t0;
        while now < t0 + Duration::from_secs(600) {
            now = endpoint.poll_timeout().expect("a pending timer");
            endpoint.handle_timeout(now);
            while endpoint.poll_transmit().is_some() {}
            let upstream = endpoint.registrations();
            let info = &upstream[0];
            if info.failures == 0 {
                continue;
            }
            if info.state == RegistrationState::Registering {
                retries_in_flight += 1;
            }
            assert_eq!(
                registration(&upstream),
                Registration::Failed,
                "{:?} after {} failures, at {:?}",
                info.state,
                info.failures,
                now - t0
            );
        }
        assert!(retries_in_flight >= 2, "{retries_in_flight} retries seen");
    }
}
