//! The registrar (RFC 3261 §10.3): where each user's IP phones can be
//! reached, so a call ringing a line can be sent to them.
//!
//! ```text
//!  REGISTER (authenticated as the To user)
//!    Contact: *, Expires: 0 ─▶ remove every binding of the user
//!    Contact: <uri>;expires=N  ─▶ N = 0: remove; N < min: 423 + Min-Expires;
//!                                 else add/refresh, expiry = now + min(N, max)
//!    no Contact ─────────────▶ a query: 200 with the current bindings
//!  lookup(now, user) ─▶ the live binding with the highest q, most recent first
//! ```
//!
//! Bindings expire on `now`: [`Registrar::purge`] drops them and
//! [`Registrar::next_expiry`] is the next wake-up. Each binding keeps the
//! address the REGISTER came from, so a phone behind NAT is reached where
//! its requests come from (RFC 3581's symmetric idea, as RFC 5626 does).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use thiserror::Error;

use crate::message::{NameAddr, Request, Uri};

/// Limits of the registrar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrarConfig {
    /// Used when neither the Contact nor the request says (§10.2.1.1).
    pub default_expires: Duration,
    /// Shorter requested expiries get 423 Interval Too Brief.
    pub min_expires: Duration,
    /// Longer requested expiries are shortened to this.
    pub max_expires: Duration,
    /// Contacts one user may register.
    pub max_bindings_per_user: usize,
    /// Users with bindings at once (an open registrar's bound).
    pub max_users: usize,
}

impl Default for RegistrarConfig {
    fn default() -> Self {
        Self {
            default_expires: Duration::from_secs(3600),
            min_expires: Duration::from_secs(60),
            max_expires: Duration::from_secs(7200),
            max_bindings_per_user: 10,
            max_users: 1024,
        }
    }
}

/// Where one user can be reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    /// The Contact URI: the Request-URI of calls to this user.
    pub contact: Uri,
    /// Where the REGISTER came from: calls are sent here.
    pub source: SocketAddr,
    pub expires_at: Instant,
    /// `q` times 1000 (0..=1000).
    pub q: u16,
    pub call_id: String,
    pub cseq: u32,
    /// When it was last refreshed.
    pub updated: Instant,
}

/// Why a REGISTER was refused (the status to answer with).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RegisterError {
    /// 400: `*` with other contacts or a non-zero expiry, or no usable To.
    #[error("invalid REGISTER: {0}")]
    Invalid(&'static str),
    /// 423 with `Min-Expires`.
    #[error("interval too brief; at least {min_expires:?}")]
    IntervalTooBrief { min_expires: Duration },
    /// 500: same Call-ID with a CSeq not higher than the stored one (§10.3 step 7).
    #[error("out-of-order REGISTER")]
    OutOfOrder,
    /// 403 per user, 503 overall.
    #[error("too many bindings")]
    TooManyBindings { per_user: bool },
}

/// The registrar's bindings, per user (the address-of-record's user part).
#[derive(Debug, Default)]
pub struct Registrar {
    config: RegistrarConfig,
    bindings: BTreeMap<String, Vec<Binding>>,
}

impl Registrar {
    pub fn new(config: RegistrarConfig) -> Self {
        Self {
            config,
            bindings: BTreeMap::new(),
        }
    }

    pub fn config(&self) -> &RegistrarConfig {
        &self.config
    }

    /// Apply a REGISTER for `user` received from `source`; returns the
    /// user's bindings afterwards (for the 200's Contact list).
    pub fn register(
        &mut self,
        now: Instant,
        user: &str,
        request: &Request,
        source: SocketAddr,
    ) -> Result<Vec<Binding>, RegisterError> {
        self.purge(now);
        let call_id = request
            .headers
            .call_id()
            .ok_or(RegisterError::Invalid("no Call-ID"))?
            .to_owned();
        let cseq = request
            .headers
            .cseq()
            .ok_or(RegisterError::Invalid("no CSeq"))?
            .seq;
        let header_expires = match request.headers.get("Expires") {
            Some(v) => Some(
                v.trim()
                    .parse::<u64>()
                    .map_err(|_| RegisterError::Invalid("Expires is not a number"))?,
            ),
            None => None,
        };
        if request.headers.contact_is_wildcard() {
            // §10.3 step 6: `*` only alone and with Expires: 0.
            if header_expires != Some(0) || !request.headers.contacts().is_empty() {
                return Err(RegisterError::Invalid(
                    "'*' needs Expires: 0 and no other Contact",
                ));
            }
            if let Some(list) = self.bindings.get(user) {
                if list.iter().any(|b| b.call_id == call_id && cseq <= b.cseq) {
                    return Err(RegisterError::OutOfOrder);
                }
            }
            self.bindings.remove(user);
            return Ok(Vec::new());
        }
        let contacts = request.headers.contacts();
        let mut changes = Vec::with_capacity(contacts.len());
        for contact in &contacts {
            let seconds = contact_expires(contact)
                .or(header_expires)
                .unwrap_or(self.config.default_expires.as_secs());
            let expires = Duration::from_secs(seconds);
            if seconds != 0 && expires < self.config.min_expires {
                return Err(RegisterError::IntervalTooBrief {
                    min_expires: self.config.min_expires,
                });
            }
            changes.push((contact, expires.min(self.config.max_expires)));
        }
        if !self.bindings.contains_key(user)
            && !changes.is_empty()
            && self.bindings.len() >= self.config.max_users
        {
            return Err(RegisterError::TooManyBindings { per_user: false });
        }
        // Check ordering for every contact before changing anything (§10.3 step 7).
        let existing = self.bindings.get(user).cloned().unwrap_or_default();
        for (contact, _) in &changes {
            if let Some(b) = existing
                .iter()
                .find(|b| same_contact(&b.contact, &contact.uri))
            {
                if b.call_id == call_id && cseq <= b.cseq {
                    return Err(RegisterError::OutOfOrder);
                }
            }
        }
        let mut list = existing;
        for (contact, expires) in changes {
            let found = list
                .iter()
                .position(|b| same_contact(&b.contact, &contact.uri));
            if expires.is_zero() {
                if let Some(i) = found {
                    list.remove(i);
                }
                continue;
            }
            let binding = Binding {
                contact: contact.uri.clone(),
                source,
                expires_at: now + expires,
                q: contact_q(contact),
                call_id: call_id.clone(),
                cseq,
                updated: now,
            };
            match found.and_then(|i| list.get_mut(i)) {
                Some(b) => *b = binding,
                None => {
                    if list.len() >= self.config.max_bindings_per_user {
                        return Err(RegisterError::TooManyBindings { per_user: true });
                    }
                    list.push(binding);
                }
            }
        }
        if list.is_empty() {
            self.bindings.remove(user);
        } else {
            self.bindings.insert(user.to_owned(), list.clone());
        }
        Ok(list)
    }

    /// The binding a call to `user` should go to: highest q, then the most
    /// recently refreshed (a gateway rings one phone; forking is not done).
    pub fn lookup(&self, now: Instant, user: &str) -> Option<&Binding> {
        self.bindings
            .get(user)?
            .iter()
            .filter(|b| b.expires_at > now)
            .max_by_key(|b| (b.q, b.updated))
    }

    /// Every live binding of `user`.
    pub fn bindings(&self, now: Instant, user: &str) -> Vec<Binding> {
        self.bindings
            .get(user)
            .map(|l| l.iter().filter(|b| b.expires_at > now).cloned().collect())
            .unwrap_or_default()
    }

    /// Whether a live binding was registered from `source` (its stream
    /// connection must stay open: calls reach the phone only on it).
    pub fn has_source(&self, now: Instant, source: std::net::SocketAddr) -> bool {
        self.bindings
            .values()
            .flatten()
            .any(|b| b.source == source && b.expires_at > now)
    }

    /// Number of users with at least one binding.
    pub fn user_count(&self) -> usize {
        self.bindings.len()
    }

    /// Drop bindings that expired by `now`.
    pub fn purge(&mut self, now: Instant) {
        self.bindings.retain(|_, list| {
            list.retain(|b| b.expires_at > now);
            !list.is_empty()
        });
    }

    /// When the next binding expires.
    pub fn next_expiry(&self) -> Option<Instant> {
        self.bindings.values().flatten().map(|b| b.expires_at).min()
    }
}

fn contact_expires(contact: &NameAddr) -> Option<u64> {
    contact.params.value("expires")?.trim().parse().ok()
}

fn contact_q(contact: &NameAddr) -> u16 {
    contact
        .params
        .value("q")
        .and_then(|q| q.parse::<f32>().ok())
        .map_or(1000, |q| (q.clamp(0.0, 1.0) * 1000.0).round() as u16)
}

/// RFC 3261 §19.1.4 URI comparison, reduced to what matters for bindings:
/// user, host (case-insensitive) and port.
fn same_contact(a: &Uri, b: &Uri) -> bool {
    a.scheme == b.scheme
        && a.user == b.user
        && a.host.eq_ignore_ascii_case(&b.host)
        && a.port == b.port
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Method;

    fn register(contacts: &[&str], expires: Option<&str>, call_id: &str, cseq: u32) -> Request {
        let mut r = Request::new(Method::Register, Uri::parse("sip:10.0.0.1").unwrap());
        r.headers.push("Call-ID", call_id);
        r.headers.push("CSeq", format!("{cseq} REGISTER"));
        for c in contacts {
            r.headers.push("Contact", *c);
        }
        if let Some(e) = expires {
            r.headers.push("Expires", e);
        }
        r
    }

    fn src() -> SocketAddr {
        "192.0.2.7:5062".parse().unwrap()
    }

    #[test]
    fn register_refresh_expire() {
        let start = Instant::now();
        let mut reg = Registrar::new(RegistrarConfig::default());
        let r = register(&["<sip:alice@192.168.1.5:5060>"], Some("120"), "c1", 1);
        let list = reg.register(start, "alice", &r, src()).unwrap();
        assert_eq!(list.len(), 1);
        let b = reg.lookup(start, "alice").unwrap();
        assert_eq!(b.contact.host, "192.168.1.5");
        assert_eq!(b.source, src());
        assert_eq!(reg.next_expiry(), Some(start + Duration::from_secs(120)));
        // Refresh at 100 s keeps it past 120 s.
        let t = start + Duration::from_secs(100);
        let r = register(&["<sip:alice@192.168.1.5:5060>;expires=300"], None, "c1", 2);
        reg.register(t, "alice", &r, src()).unwrap();
        assert!(reg
            .lookup(start + Duration::from_secs(200), "alice")
            .is_some());
        // Gone at 400 s.
        let late = start + Duration::from_secs(400);
        assert!(reg.lookup(late, "alice").is_none());
        reg.purge(late);
        assert_eq!(reg.user_count(), 0);
    }

    #[test]
    fn multiple_contacts_and_q() {
        let now = Instant::now();
        let mut reg = Registrar::new(RegistrarConfig::default());
        let r = register(
            &[
                "<sip:alice@10.1.1.1>;q=0.5",
                "<sip:alice@10.1.1.2>;q=0.9, <sip:alice@10.1.1.3>",
            ],
            None,
            "c1",
            1,
        );
        assert_eq!(reg.register(now, "alice", &r, src()).unwrap().len(), 3);
        assert_eq!(reg.lookup(now, "alice").unwrap().contact.host, "10.1.1.3");
        // Remove one with expires=0.
        let r = register(&["<sip:alice@10.1.1.3>;expires=0"], None, "c1", 2);
        assert_eq!(reg.register(now, "alice", &r, src()).unwrap().len(), 2);
        assert_eq!(reg.lookup(now, "alice").unwrap().contact.host, "10.1.1.2");
    }

    #[test]
    fn wildcard_unregisters_everything() {
        let now = Instant::now();
        let mut reg = Registrar::new(RegistrarConfig::default());
        let r = register(
            &["<sip:alice@10.1.1.1>", "<sip:alice@10.1.1.2>"],
            None,
            "c1",
            1,
        );
        reg.register(now, "alice", &r, src()).unwrap();
        let bad = register(&["*"], Some("60"), "c1", 2);
        assert!(matches!(
            reg.register(now, "alice", &bad, src()),
            Err(RegisterError::Invalid(_))
        ));
        let star = register(&["*"], Some("0"), "c1", 3);
        assert_eq!(reg.register(now, "alice", &star, src()).unwrap(), vec![]);
        assert!(reg.lookup(now, "alice").is_none());
    }

    #[test]
    fn too_brief_out_of_order_and_bounds() {
        let now = Instant::now();
        let config = RegistrarConfig {
            max_bindings_per_user: 2,
            max_users: 1,
            ..RegistrarConfig::default()
        };
        let mut reg = Registrar::new(config);
        let r = register(&["<sip:a@10.1.1.1>"], Some("10"), "c1", 1);
        assert!(matches!(
            reg.register(now, "a", &r, src()),
            Err(RegisterError::IntervalTooBrief { .. })
        ));
        let r = register(&["<sip:a@10.1.1.1>"], Some("99999"), "c1", 5);
        let list = reg.register(now, "a", &r, src()).unwrap();
        assert_eq!(list[0].expires_at, now + Duration::from_secs(7200));
        let r = register(&["<sip:a@10.1.1.1>"], None, "c1", 5);
        assert_eq!(
            reg.register(now, "a", &r, src()),
            Err(RegisterError::OutOfOrder)
        );
        let r = register(&["<sip:a@10.1.1.2>", "<sip:a@10.1.1.3>"], None, "c2", 1);
        assert_eq!(
            reg.register(now, "a", &r, src()),
            Err(RegisterError::TooManyBindings { per_user: true })
        );
        let r = register(&["<sip:b@10.1.1.9>"], None, "c3", 1);
        assert_eq!(
            reg.register(now, "b", &r, src()),
            Err(RegisterError::TooManyBindings { per_user: false })
        );
        // A query (no Contact) lists the bindings without changing them.
        let r = register(&[], None, "c4", 1);
        assert_eq!(reg.register(now, "a", &r, src()).unwrap().len(), 1);
    }
}
