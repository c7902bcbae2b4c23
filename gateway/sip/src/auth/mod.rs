//! Digest authentication of requests, the server side (RFC 3261 §22,
//! RFC 7616): who may REGISTER and who may make the gateway seize a line.
//!
//! ```text
//!  request ─▶ Authorization for our realm? ──no──▶ Challenge (401, one WWW-Authenticate per algorithm)
//!                 │ yes
//!                 ├─ malformed / unknown algorithm / qop≠auth / wrong uri ─▶ Rejected (403)
//!                 ├─ nonce unknown, expired or nc replayed ─▶ Challenge { stale: true } (401)
//!                 ├─ account or source prefix backing off ──▶ Rejected (403), password not checked
//!                 ├─ unknown user, wrong response ──────────▶ Rejected (403), failure counted,
//!                 │                                           nonce forgotten
//!                 └─ all good ──────────────────────────────▶ Authenticated(user)
//! ```
//!
//! The nonce is checked before the password: an answer to a nonce we did
//! not issue (or one used up) learns nothing about the password, and every
//! wrong guess burns its nonce, so each guess costs a fresh 401 round trip.
//! Failures are counted per account and per source prefix ([`lockout`]) with
//! a growing back-off. Nonces come from a cryptographic generator and time
//! from `now` (see [`nonce`]); nothing here reads the clock.

pub mod client;
pub mod digest;
pub mod lockout;
pub mod nonce;

use std::net::IpAddr;
use std::time::{Duration, Instant};

use digest::{constant_time_eq, Algorithm, Challenge, Credentials};
use lockout::{Lockout, LockoutConfig};
use nonce::{NonceCheck, NonceTable};

use crate::message::{Request, Uri};

/// What an account proves its identity with.
#[derive(Clone, PartialEq, Eq)]
pub enum Secret {
    /// The password; HA1 is computed for every algorithm.
    Password(String),
    /// A precomputed `H(user:realm:password)` (hex) for one algorithm, so
    /// the configuration need not hold the password. The account can then
    /// only answer that algorithm's challenge.
    Ha1 { algorithm: Algorithm, hex: String },
}

impl std::fmt::Debug for Secret {
    // Never print secrets into logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Secret::Password(_) => f.write_str("Password(..)"),
            Secret::Ha1 { algorithm, .. } => write!(f, "Ha1({algorithm}, ..)"),
        }
    }
}

/// One user allowed to register and call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub username: String,
    pub secret: Secret,
}

impl Account {
    fn ha1(&self, algorithm: Algorithm, realm: &str) -> Option<String> {
        match &self.secret {
            Secret::Password(p) => Some(algorithm.ha1(&self.username, realm, p)),
            Secret::Ha1 { algorithm: a, hex } if *a == algorithm => Some(hex.to_ascii_lowercase()),
            Secret::Ha1 { .. } => None,
        }
    }
}

/// Configuration of the authenticator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthConfig {
    /// The protection space (`realm=`).
    pub realm: String,
    pub accounts: Vec<Account>,
    /// Offered in this order, one challenge each (RFC 7616 §3.7: the
    /// preferred first). Empty means MD5 only.
    pub algorithms: Vec<Algorithm>,
    /// How long a nonce may be used.
    pub nonce_lifetime: Duration,
    /// How many nonces are remembered at most.
    pub max_nonces: usize,
    /// The brake on password guessing.
    pub lockout: LockoutConfig,
}

impl AuthConfig {
    /// Realm `realm`, these accounts, SHA-256 then MD5, 5-minute nonces, 4096 of them.
    pub fn new(realm: &str, accounts: Vec<Account>) -> Self {
        Self {
            realm: realm.to_owned(),
            accounts,
            algorithms: vec![Algorithm::Sha256, Algorithm::Md5],
            nonce_lifetime: Duration::from_secs(300),
            max_nonces: 4096,
            lockout: LockoutConfig::default(),
        }
    }
}

/// The outcome of checking one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The credentials are good: the request is from this account.
    Authenticated(String),
    /// Answer 401 with these `WWW-Authenticate` values.
    Challenge(Vec<Challenge>),
    /// Answer 403: credentials were given and are wrong. The reason is for
    /// the log, not for the wire (it would help a password guesser).
    Rejected(String),
}

/// Checks Digest credentials against the configured accounts.
#[derive(Debug)]
pub struct Authenticator {
    config: AuthConfig,
    nonces: NonceTable,
    lockout: Lockout,
}

impl Authenticator {
    pub fn new(config: AuthConfig, seed: impl Into<crate::Seed>) -> Self {
        let nonces = NonceTable::new(config.nonce_lifetime, config.max_nonces, seed);
        let lockout = Lockout::new(config.lockout);
        Self {
            config,
            nonces,
            lockout,
        }
    }

    pub fn config(&self) -> &AuthConfig {
        &self.config
    }

    fn algorithms(&self) -> Vec<Algorithm> {
        if self.config.algorithms.is_empty() {
            vec![Algorithm::Md5]
        } else {
            self.config.algorithms.clone()
        }
    }

    /// Fresh challenges, one per algorithm, sharing one nonce.
    pub fn challenge(&mut self, now: Instant, stale: bool) -> Vec<Challenge> {
        let nonce = self.nonces.issue(now);
        self.algorithms()
            .into_iter()
            .map(|algorithm| Challenge {
                realm: self.config.realm.clone(),
                nonce: nonce.clone(),
                algorithm,
                opaque: None,
                stale,
            })
            .collect()
    }

    /// Check `request`'s `Authorization` (or `Proxy-Authorization`) for our
    /// realm, from `source`.
    pub fn verify(&mut self, now: Instant, source: IpAddr, request: &Request) -> Verdict {
        let ours = request
            .headers
            .get_all("Authorization")
            .chain(request.headers.get_all("Proxy-Authorization"))
            .map(Credentials::parse)
            .find(|c| match c {
                Ok(c) => c.realm == self.config.realm,
                Err(_) => true,
            });
        let credentials = match ours {
            None => return Verdict::Challenge(self.challenge(now, false)),
            Some(Err(e)) => return Verdict::Rejected(format!("malformed credentials: {e}")),
            Some(Ok(c)) => c,
        };
        let algorithm = match credentials.algorithm.as_deref() {
            None => Algorithm::Md5,
            Some(name) => match Algorithm::from_name(name) {
                Some(a) => a,
                None => return Verdict::Rejected(format!("unsupported algorithm {name}")),
            },
        };
        if !self.algorithms().contains(&algorithm) {
            return Verdict::Rejected(format!("algorithm {algorithm} is not offered"));
        }
        // RFC 3261 §22.4 clients must send qop=auth when offered; without
        // it there is no nonce-count and so no replay protection worth the name.
        let qop = match (
            credentials.qop.as_deref(),
            &credentials.cnonce,
            &credentials.nc_text,
        ) {
            (Some(q), Some(cnonce), Some(nc)) if q.eq_ignore_ascii_case("auth") => {
                (nc.as_str(), cnonce.as_str())
            }
            _ => return Verdict::Rejected("qop=auth with cnonce and nc is required".into()),
        };
        if !uri_matches(&credentials.uri, &request.uri) {
            return Verdict::Rejected(format!(
                "digest uri {} is not the Request-URI {}",
                credentials.uri, request.uri
            ));
        }
        match self.nonces.check(now, &credentials.nonce, credentials.nc) {
            NonceCheck::Accepted => {}
            NonceCheck::Unknown | NonceCheck::Expired | NonceCheck::Replayed => {
                return Verdict::Challenge(self.challenge(now, true));
            }
        }
        let user = credentials.username.as_str();
        if let Some((key, until)) = self.lockout.blocked(now, user, source) {
            let left = until.saturating_duration_since(now).as_secs() + 1;
            return Verdict::Rejected(format!("{key} backing off for {left} s, not checked"));
        }
        let expected = self
            .config
            .accounts
            .iter()
            .find(|a| a.username == user)
            .map(|a| a.ha1(algorithm, &self.config.realm))
            .map(|ha1| {
                ha1.map(|ha1| {
                    algorithm.response(
                        &ha1,
                        &credentials.nonce,
                        Some(qop),
                        request.method.as_str(),
                        &credentials.uri,
                    )
                })
            });
        let reason = match expected {
            Some(Some(expected)) if constant_time_eq(&expected, &credentials.response) => {
                self.lockout.success(user);
                return Verdict::Authenticated(user.to_owned());
            }
            Some(Some(_)) => format!("wrong response from user {user:?}"),
            Some(None) => format!("user {user:?} has no secret for {algorithm}"),
            None => format!("unknown user {user:?}"),
        };
        self.nonces.forget(&credentials.nonce);
        let mut reason = reason;
        for (key, failures, delay) in self.lockout.failure(now, user, source) {
            tracing::warn!(%key, failures, back_off_s = delay.as_secs(), %source, "authentication failures: backing off");
            reason.push_str(&format!("; {key} backs off {} s", delay.as_secs()));
        }
        Verdict::Rejected(reason)
    }
}

/// The digest `uri` must name the Request-URI (RFC 7616 §3.4.6); compared
/// parsed, so escaping and parameter order do not matter, or as printed.
fn uri_matches(digest_uri: &str, request_uri: &Uri) -> bool {
    match Uri::parse(digest_uri) {
        Ok(u) => u == *request_uri || digest_uri == request_uri.to_string(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests;
