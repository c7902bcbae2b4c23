//! Digest authentication of requests, the server side (RFC 3261 §22,
//! RFC 7616): who may REGISTER and who may make the gateway seize a line.
//!
//! ```text
//!  request ─▶ Authorization for our realm? ──no──▶ Challenge (401, one WWW-Authenticate per algorithm)
//!                 │ yes
//!                 ├─ malformed / unknown algorithm / qop≠auth ─▶ Rejected (403)
//!                 ├─ unknown user, wrong response, wrong uri ──▶ Rejected (403)
//!                 ├─ nonce unknown, expired or nc replayed ─────▶ Challenge { stale: true } (401)
//!                 └─ all good ─────────────────────────────────▶ Authenticated(user)
//! ```
//!
//! The response is checked before the nonce, so `stale=true` is only ever
//! sent to someone who knew the password (RFC 7616 §3.3). Nonces come from
//! a seeded generator and time from `now` (see [`nonce`]); nothing here
//! reads the clock or the OS random source.

pub mod client;
pub mod digest;
pub mod nonce;

use std::time::{Duration, Instant};

use digest::{constant_time_eq, Algorithm, Challenge, Credentials};
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
}

impl Authenticator {
    pub fn new(config: AuthConfig, seed: impl Into<crate::Seed>) -> Self {
        let nonces = NonceTable::new(config.nonce_lifetime, config.max_nonces, seed);
        Self { config, nonces }
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

    /// Check `request`'s `Authorization` (or `Proxy-Authorization`) for our realm.
    pub fn verify(&mut self, now: Instant, request: &Request) -> Verdict {
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
        let Some(account) = self
            .config
            .accounts
            .iter()
            .find(|a| a.username == credentials.username)
        else {
            return Verdict::Rejected(format!("unknown user {:?}", credentials.username));
        };
        let Some(ha1) = account.ha1(algorithm, &self.config.realm) else {
            return Verdict::Rejected(format!(
                "user {:?} has no secret for {algorithm}",
                credentials.username
            ));
        };
        let expected = algorithm.response(
            &ha1,
            &credentials.nonce,
            Some(qop),
            request.method.as_str(),
            &credentials.uri,
        );
        if !constant_time_eq(&expected, &credentials.response) {
            return Verdict::Rejected(format!(
                "wrong response from user {:?}",
                credentials.username
            ));
        }
        match self.nonces.check(now, &credentials.nonce, credentials.nc) {
            NonceCheck::Accepted => Verdict::Authenticated(account.username.clone()),
            NonceCheck::Unknown | NonceCheck::Expired | NonceCheck::Replayed => {
                Verdict::Challenge(self.challenge(now, true))
            }
        }
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
