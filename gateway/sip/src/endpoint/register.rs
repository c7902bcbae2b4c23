//! REGISTER (RFC 3261 §10.3) and the Digest gate in front of REGISTER and
//! INVITE (§22.1): 401 with one `WWW-Authenticate` per algorithm when
//! credentials are missing or stale, 403 when they are wrong.

use std::net::SocketAddr;
use std::time::Instant;

use super::Endpoint;
use crate::auth::Verdict;
use crate::message::{Method, Request};
use crate::registrar::RegisterError;
use crate::transaction::ServerKey;

/// The outcome of the Digest gate.
pub(super) enum Gate {
    /// Go on; `Some(user)` when credentials were checked.
    Pass(Option<String>),
    /// The request was answered (401 or 403).
    Answered,
}

impl Endpoint {
    /// Check the request's credentials when the configuration asks for them.
    pub(super) fn authenticate(
        &mut self,
        now: Instant,
        source: SocketAddr,
        key: &ServerKey,
        request: &Request,
    ) -> Gate {
        let required = match request.method {
            Method::Register => true,
            _ => !self.config.allow_unauthenticated_invite,
        };
        let Some(auth) = self.authenticator.as_mut().filter(|_| required) else {
            return Gate::Pass(None);
        };
        match auth.verify(now, source.ip(), request) {
            Verdict::Authenticated(user) => Gate::Pass(Some(user)),
            Verdict::Challenge(challenges) => {
                let values: Vec<String> = challenges.iter().map(ToString::to_string).collect();
                let extra: Vec<(&str, &str)> = values
                    .iter()
                    .map(|v| ("WWW-Authenticate", v.as_str()))
                    .collect();
                self.reply(now, key, 401, None, &extra);
                Gate::Answered
            }
            Verdict::Rejected(reason) => {
                tracing::info!(%source, method = %request.method, %reason, "authentication failed, answered 403");
                self.reply(now, key, 403, None, &[]);
                Gate::Answered
            }
        }
    }

    pub(super) fn on_register(
        &mut self,
        now: Instant,
        source: SocketAddr,
        key: &ServerKey,
        request: &Request,
    ) {
        let authenticated = match self.authenticate(now, source, key, request) {
            Gate::Pass(user) => user,
            Gate::Answered => return,
        };
        let Some(user) = request.headers.to().and_then(|t| t.uri.user) else {
            return self.reply(now, key, 400, None, &[]);
        };
        // An account registers only its own address-of-record (§10.3 step 5).
        if authenticated.as_ref().is_some_and(|a| *a != user) {
            tracing::info!(%source, %user, "REGISTER for another user's address, answered 403");
            return self.reply(now, key, 403, None, &[]);
        }
        match self.registrar.register(now, &user, request, source) {
            Ok(bindings) => {
                let contacts: Vec<String> = bindings
                    .iter()
                    .map(|b| {
                        let left = b.expires_at.saturating_duration_since(now).as_secs();
                        format!("<{}>;expires={left}", b.contact)
                    })
                    .collect();
                let extra: Vec<(&str, &str)> =
                    contacts.iter().map(|c| ("Contact", c.as_str())).collect();
                tracing::debug!(%source, %user, bindings = bindings.len(), "REGISTER accepted");
                self.reply(now, key, 200, None, &extra);
            }
            Err(RegisterError::IntervalTooBrief { min_expires }) => {
                let min = min_expires.as_secs().to_string();
                self.reply(now, key, 423, None, &[("Min-Expires", &min)]);
            }
            Err(RegisterError::OutOfOrder) => self.reply(now, key, 500, None, &[]),
            Err(RegisterError::TooManyBindings { per_user: true }) => {
                self.reply(now, key, 403, None, &[])
            }
            Err(RegisterError::TooManyBindings { per_user: false }) => {
                self.reply(now, key, 503, None, &[("Retry-After", "60")])
            }
            Err(e) => {
                tracing::debug!(%source, error = %e, "REGISTER refused");
                self.reply(now, key, 400, None, &[])
            }
        }
    }
}
