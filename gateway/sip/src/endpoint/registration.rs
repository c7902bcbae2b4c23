//! Registering our own address-of-record with an upstream registrar, the
//! client side of RFC 3261 §10.2 (the registrar side is `register.rs`).
//!
//! ```text
//!             register()                       401/407 (fresh or stale)
//!   ──────▶ Registering ─── REGISTER ───▶ ◀──── answered with credentials, CSeq+1
//!              │  2xx                       423 ─▶ again with Min-Expires
//!              ▼
//!          Registered ── Refresh timer (90 % of the granted expiry) ──▶ Registering
//!              │
//!   other final, 408, wrong password ─▶ Retrying ── Refresh timer (back-off) ──▶ Registering
//!
//!   unregister() ─▶ Unregistering (Expires: 0) ── any final / 408 ─▶ gone (Event::Unregistered)
//! ```
//!
//! One Call-ID and From tag per registration, CSeq incremented for every
//! REGISTER (§10.2.4: refreshes keep the Call-ID). The retry back-off
//! follows RFC 5626 §4.5: `min(max, base * 2^(failures-1))`, then a random
//! 50..100 % of that from the seeded generator, so a whole rack of
//! gateways does not come back at the same second. Timers are data: one
//! [`TimerTable`] slot per registration.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use thiserror::Error;

use super::{ClientEntry, ClientTransaction, Endpoint, Event, Purpose};
use crate::auth::client::{ChallengeKind, ChallengeOutcome, ClientAuth, ClientCredentials};
use crate::message::{Method, NameAddr, Request, Response, Uri};
use crate::timer::{TimerSlot, TimerTable};
use crate::transaction::{ClientKey, ClientNonInvite};

/// The core's id for one of our registrations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegistrationHandle(pub(super) u64);

/// What to register where ([`Endpoint::register`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    /// Where REGISTER is sent.
    pub registrar: SocketAddr,
    /// The address-of-record (To and From); its host is the Request-URI.
    pub aor: Uri,
    /// The user part of our Contact (calls for the AOR arrive with it).
    pub contact_user: String,
    /// The expiry asked for; the registrar may grant less.
    pub expires: Duration,
    /// Answer 401/407 with these; `None`: a challenge is a failure.
    pub credentials: Option<ClientCredentials>,
}

/// API misuse of [`Endpoint::register`] / [`Endpoint::unregister`].
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RegistrationError {
    #[error("the address-of-record {0} is not a sip: URI with a user and a host")]
    InvalidAor(String),
    #[error("{0:?} is not a usable Contact user")]
    InvalidContactUser(String),
    #[error("the expiry must be at least one second")]
    ZeroExpires,
    #[error("no registration {0:?}")]
    UnknownRegistration(RegistrationHandle),
    #[error("registration {0:?} is already being removed")]
    Unregistering(RegistrationHandle),
}

/// Where one registration stands, for the console and the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistrationState {
    /// The first REGISTER (or one after a failure) is in flight.
    Registering,
    /// Bound until `expires_at`; a refresh is sent at `refresh_at`.
    Registered {
        expires_at: Instant,
        refresh_at: Instant,
    },
    /// The last attempt failed with `status` (408: no answer); the next one
    /// goes at `retry_at`.
    Retrying { status: u16, retry_at: Instant },
    /// REGISTER with Expires: 0 is in flight.
    Unregistering,
}

/// Snapshot of one registration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrationInfo {
    pub handle: RegistrationHandle,
    pub aor: Uri,
    pub registrar: SocketAddr,
    pub state: RegistrationState,
    /// Failed attempts since the last success.
    pub failures: u32,
}

/// The one timer of a registration: refresh when registered, retry after a
/// failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum RegistrationTimer {
    Refresh,
}

impl TimerSlot for RegistrationTimer {
    const ALL: &'static [Self] = &[RegistrationTimer::Refresh];
    fn index(self) -> usize {
        0
    }
}

#[derive(Debug)]
pub(super) struct ClientRegistration {
    spec: Registration,
    call_id: String,
    from_tag: String,
    cseq: u32,
    /// The expiry we ask for (raised by a 423's Min-Expires).
    expires: Duration,
    auth: Option<ClientAuth>,
    /// The transaction of the REGISTER whose answer counts.
    in_flight: Option<ClientKey>,
    state: RegistrationState,
    pub(super) timers: TimerTable<RegistrationTimer, 1>,
    failures: u32,
}

/// Refresh at 90 % of the granted expiry (and at least a second before it
/// when the expiry is long enough to allow that).
fn refresh_after(granted: Duration) -> Duration {
    let ninety = granted.mul_f64(0.9);
    ninety.min(
        granted
            .saturating_sub(Duration::from_secs(1))
            .max(ninety / 2),
    )
}

fn valid_user(user: &str) -> bool {
    !user.is_empty()
        && user
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.!~*'()+".contains(&b))
}

impl Endpoint {
    /// Register `registration.aor` with `registration.registrar` and keep it
    /// registered (refreshes before expiry, retries with back-off after
    /// failures) until [`Endpoint::unregister`]. Reports
    /// [`Event::Registered`] after every success and
    /// [`Event::RegistrationFailed`] after every failure.
    pub fn register(
        &mut self,
        now: Instant,
        registration: Registration,
    ) -> Result<RegistrationHandle, RegistrationError> {
        let aor = &registration.aor;
        if !aor.is_sip() || aor.host.is_empty() || aor.user.as_deref().is_none_or(str::is_empty) {
            return Err(RegistrationError::InvalidAor(aor.to_string()));
        }
        if !valid_user(&registration.contact_user) {
            return Err(RegistrationError::InvalidContactUser(
                registration.contact_user.clone(),
            ));
        }
        if registration.expires < Duration::from_secs(1) {
            return Err(RegistrationError::ZeroExpires);
        }
        let handle = RegistrationHandle(self.new_handle());
        let reg = ClientRegistration {
            call_id: self.ids.call_id(&self.config.local_addr.ip().to_string()),
            from_tag: self.ids.tag(),
            cseq: self.ids.cseq(),
            expires: registration.expires,
            auth: registration.credentials.clone().map(ClientAuth::new),
            spec: registration,
            in_flight: None,
            state: RegistrationState::Registering,
            timers: TimerTable::default(),
            failures: 0,
        };
        self.registrations.insert(handle, reg);
        self.send_register(now, handle);
        Ok(handle)
    }

    /// Remove the binding (REGISTER with Expires: 0) and forget the
    /// registration; ends with [`Event::Unregistered`].
    pub fn unregister(
        &mut self,
        now: Instant,
        handle: RegistrationHandle,
    ) -> Result<(), RegistrationError> {
        let reg = self
            .registrations
            .get_mut(&handle)
            .ok_or(RegistrationError::UnknownRegistration(handle))?;
        if reg.state == RegistrationState::Unregistering {
            return Err(RegistrationError::Unregistering(handle));
        }
        reg.state = RegistrationState::Unregistering;
        reg.timers.stop_all();
        self.send_register(now, handle);
        Ok(())
    }

    /// One registration's state.
    pub fn registration(&self, handle: RegistrationHandle) -> Option<RegistrationInfo> {
        let r = self.registrations.get(&handle)?;
        Some(RegistrationInfo {
            handle,
            aor: r.spec.aor.clone(),
            registrar: r.spec.registrar,
            state: r.state,
            failures: r.failures,
        })
    }

    /// Every registration of ours, oldest first.
    pub fn registrations(&self) -> Vec<RegistrationInfo> {
        self.registrations
            .keys()
            .filter_map(|h| self.registration(*h))
            .collect()
    }

    /// Send the next REGISTER of `handle` (Expires: 0 when unregistering),
    /// with credentials when we hold a challenge.
    fn send_register(&mut self, now: Instant, handle: RegistrationHandle) {
        let Some(registrar) = self.registrations.get(&handle).map(|r| r.spec.registrar) else {
            return;
        };
        let via = self.new_via(registrar);
        let cnonce = self.ids.tag();
        let user_agent = self.config.user_agent.clone();
        let contact_user = self
            .registrations
            .get(&handle)
            .map(|r| r.spec.contact_user.clone())
            .unwrap_or_default();
        let mut contact = self.contact(Some(&contact_user), registrar);
        let Some(reg) = self.registrations.get_mut(&handle) else {
            return;
        };
        let expires = if reg.state == RegistrationState::Unregistering {
            0
        } else {
            reg.expires.as_secs().max(1)
        };
        contact.params.set("expires", Some(expires.to_string()));
        reg.cseq = reg.cseq.wrapping_add(1);
        let aor = &reg.spec.aor;
        let request_uri = Uri::sip(None, &aor.host, aor.port);
        let mut request = Request::new(Method::Register, request_uri.clone());
        let h = &mut request.headers;
        h.push("Via", via.to_string());
        h.push("Max-Forwards", "70");
        let mut from = NameAddr::new(aor.clone());
        from.set_tag(&reg.from_tag);
        h.push("From", from.to_string());
        h.push("To", NameAddr::new(aor.clone()).to_string());
        h.push("Call-ID", reg.call_id.clone());
        h.push("CSeq", format!("{} REGISTER", reg.cseq));
        h.push("Contact", contact.to_string());
        h.push("Expires", expires.to_string());
        h.push("Allow", super::build::ALLOW);
        h.push("User-Agent", user_agent);
        if let Some(auth) = reg.auth.as_mut() {
            if let Some((name, value)) = auth.header("REGISTER", &request_uri.to_string(), &cnonce)
            {
                h.push(name, value);
            }
        }
        request.set_body(None, Vec::new());
        let key = ClientKey {
            branch: via.branch().unwrap_or_default().to_owned(),
            method: Method::Register,
        };
        reg.in_flight = Some(key.clone());
        let tx = ClientNonInvite::new(
            now,
            &request,
            registrar,
            self.timers_to(registrar),
            &mut self.transmits,
        );
        self.client.insert(
            key,
            ClientEntry {
                tx: ClientTransaction::NonInvite(tx),
                purpose: Purpose::Register(handle),
            },
        );
    }

    /// A final response to one of our REGISTERs.
    pub(super) fn on_registration_response(
        &mut self,
        now: Instant,
        handle: RegistrationHandle,
        key: &ClientKey,
        response: &Response,
    ) {
        let local = self.config.local_addr;
        let Some(reg) = self.registrations.get_mut(&handle) else {
            return;
        };
        if reg.in_flight.as_ref() != Some(key) || response.is_provisional() {
            return;
        }
        reg.in_flight = None;
        let status = response.status;
        if ChallengeKind::of_status(status).is_some() {
            let outcome = match reg.auth.as_mut() {
                Some(auth) => auth.on_challenge(response),
                None => ChallengeOutcome::Unsupported,
            };
            if outcome == ChallengeOutcome::Retry {
                return self.send_register(now, handle);
            }
            tracing::warn!(aor = %reg.spec.aor, status, ?outcome, "registrar refused our credentials");
            return self.registration_failed(now, handle, status);
        }
        if let Some(auth) = reg.auth.as_mut() {
            auth.on_accepted();
        }
        if reg.state == RegistrationState::Unregistering {
            self.registrations.remove(&handle);
            self.events.push_back(Event::Unregistered {
                registration: handle,
            });
            return;
        }
        if status == 423 {
            let min = response
                .headers
                .get("Min-Expires")
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            if let Some(min) = min.filter(|m| *m > reg.expires) {
                reg.expires = min;
                return self.send_register(now, handle);
            }
        }
        if !response.is_success() {
            return self.registration_failed(now, handle, status);
        }
        // §10.2.4: our Contact's expires param, else Expires, else what we asked.
        let ours = response.headers.contacts().into_iter().find(|c| {
            c.uri.user.as_deref() == Some(reg.spec.contact_user.as_str())
                && c.uri.port.unwrap_or(5060) == local.port()
                && c.uri.host.trim_matches(['[', ']']) == local.ip().to_string()
        });
        let granted = ours
            .as_ref()
            .and_then(|c| c.params.value("expires"))
            .or(response.headers.get("Expires"))
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map_or(reg.expires, Duration::from_secs);
        if granted.is_zero() {
            return self.registration_failed(now, handle, status);
        }
        let refresh_at = now + refresh_after(granted);
        reg.state = RegistrationState::Registered {
            expires_at: now + granted,
            refresh_at,
        };
        reg.failures = 0;
        reg.timers.set(RegistrationTimer::Refresh, refresh_at);
        tracing::info!(aor = %reg.spec.aor, registrar = %reg.spec.registrar, expires = granted.as_secs(), "registered");
        self.events.push_back(Event::Registered {
            registration: handle,
            expires: granted,
        });
    }

    /// Our REGISTER got no final response (Timer F).
    pub(super) fn on_registration_timeout(&mut self, now: Instant, handle: RegistrationHandle) {
        let Some(reg) = self.registrations.get_mut(&handle) else {
            return;
        };
        if reg.state == RegistrationState::Unregistering {
            self.registrations.remove(&handle);
            self.events.push_back(Event::Unregistered {
                registration: handle,
            });
            return;
        }
        reg.in_flight = None;
        self.registration_failed(now, handle, 408);
    }

    /// Report the failure and schedule the next attempt (RFC 5626 §4.5).
    fn registration_failed(&mut self, now: Instant, handle: RegistrationHandle, status: u16) {
        let base = self.config.registration_retry_base;
        let max = self.config.registration_retry_max;
        let jitter = self.ids.next_u64();
        let Some(reg) = self.registrations.get_mut(&handle) else {
            return;
        };
        if reg.state == RegistrationState::Unregistering {
            self.registrations.remove(&handle);
            self.events.push_back(Event::Unregistered {
                registration: handle,
            });
            return;
        }
        reg.failures = reg.failures.saturating_add(1);
        if let Some(auth) = reg.auth.as_mut() {
            auth.reset();
        }
        let exponent = reg.failures.saturating_sub(1).min(20);
        let wait = base.saturating_mul(1 << exponent).min(max);
        // 50..100 % of the wait.
        let fraction = 0.5 + (jitter % 1000) as f64 / 2000.0;
        let retry_at = now + wait.mul_f64(fraction).max(Duration::from_secs(1));
        reg.state = RegistrationState::Retrying { status, retry_at };
        reg.timers.set(RegistrationTimer::Refresh, retry_at);
        tracing::warn!(aor = %reg.spec.aor, registrar = %reg.spec.registrar, status, failures = reg.failures, retry_in_s = (retry_at - now).as_secs(), "registration failed");
        self.events.push_back(Event::RegistrationFailed {
            registration: handle,
            status,
        });
    }

    /// Refresh and retry timers due at `now`.
    pub(super) fn registration_timeouts(&mut self, now: Instant) {
        let due: Vec<RegistrationHandle> = self
            .registrations
            .iter()
            .filter(|(_, r)| r.timers.next().is_some_and(|t| t <= now))
            .map(|(h, _)| *h)
            .collect();
        for handle in due {
            let Some(reg) = self.registrations.get_mut(&handle) else {
                continue;
            };
            if reg.timers.pop_expired(now).is_some() && reg.in_flight.is_none() {
                if matches!(reg.state, RegistrationState::Retrying { .. }) {
                    reg.state = RegistrationState::Registering;
                }
                self.send_register(now, handle);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_at_ninety_percent() {
        assert_eq!(
            refresh_after(Duration::from_secs(3600)),
            Duration::from_secs(3240)
        );
        assert_eq!(
            refresh_after(Duration::from_secs(60)),
            Duration::from_secs(54)
        );
        assert_eq!(
            refresh_after(Duration::from_secs(1)),
            Duration::from_millis(450)
        );
    }
}
