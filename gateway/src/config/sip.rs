//! The `[sip]` table turned into the SIP core's configuration, and its checks.

use std::net::SocketAddr;
use std::time::Duration;

use sip::auth::digest::Algorithm;
use sip::auth::{Account, AuthConfig, Secret};
use sip::rate_limit::RateLimitConfig;
use sip::registrar::RegistrarConfig;
use sip::EndpointConfig;

use super::model::SipConfig;

impl SipConfig {
    /// The SIP endpoint's configuration for a socket bound at `local`.
    /// Call after [`SipConfig::validate`] passed.
    pub fn endpoint_config(&self, local: SocketAddr) -> EndpointConfig {
        let mut config = EndpointConfig::new(local);
        config.user_agent = self.user_agent.clone();
        config.max_transactions = self.max_transactions;
        config.max_dialogs = self.max_dialogs;
        config.rate_limit = (self.rate_limit_per_s > 0).then(|| RateLimitConfig {
            per_second: self.rate_limit_per_s,
            burst: self.rate_limit_burst.max(1),
            ..RateLimitConfig::default()
        });
        config.tcp_idle_timeout = Duration::from_secs(u64::from(self.tcp_idle_timeout_s));
        config.max_connections = self.max_tcp_connections;
        config.allow_unauthenticated_invite = self.allow_unauthenticated;
        // With no accounts and allow_unauthenticated (the loopback demo) the
        // registrar is open too; otherwise everything is authenticated.
        if !(self.accounts.is_empty() && self.allow_unauthenticated) {
            let accounts = self.accounts.iter().filter_map(|a| {
                let secret = match (&a.password, &a.ha1) {
                    (Some(p), _) => Secret::Password(p.clone()),
                    (None, Some(h)) => Secret::Ha1 {
                        algorithm: ha1_algorithm(h)?,
                        hex: h.to_ascii_lowercase(),
                    },
                    (None, None) => return None,
                };
                Some(Account {
                    username: a.user.clone(),
                    secret,
                })
            });
            let mut auth = AuthConfig::new(&self.realm, accounts.collect());
            auth.algorithms = self
                .auth_algorithms
                .iter()
                .filter_map(|a| Algorithm::from_name(a))
                .collect();
            auth.nonce_lifetime = Duration::from_secs(u64::from(self.nonce_lifetime_s));
            config.auth = Some(auth);
        }
        config.registrar = RegistrarConfig {
            min_expires: Duration::from_secs(u64::from(self.registration_min_expires_s)),
            max_expires: Duration::from_secs(u64::from(self.registration_max_expires_s)),
            ..RegistrarConfig::default()
        };
        config
    }

    /// Check the table; `Err((key, message))` names the offending key.
    pub(super) fn validate(&self) -> Result<(), (String, String)> {
        let err = |key: &str, message: String| Err((key.to_owned(), message));
        if self.allow_unauthenticated && !self.listen.ip().is_loopback() {
            return err(
                "sip.allow_unauthenticated",
                format!(
                    "unauthenticated calls are allowed only on a loopback address, not {}",
                    self.listen
                ),
            );
        }
        if !self.allow_unauthenticated && self.accounts.is_empty() {
            return err(
                "sip.allow_unauthenticated",
                "every call needs credentials but there are no [[sip.accounts]]: \
                 add accounts (or, on loopback only, allow_unauthenticated = true)"
                    .into(),
            );
        }
        if self.realm.is_empty()
            || self.realm.contains(['"', '\\'])
            || self.realm.chars().any(char::is_control)
        {
            return err(
                "sip.realm",
                format!("{:?} is not a usable realm", self.realm),
            );
        }
        if self.auth_algorithms.is_empty() {
            return err("sip.auth_algorithms", "offer at least one algorithm".into());
        }
        let mut offered = Vec::new();
        for name in &self.auth_algorithms {
            match Algorithm::from_name(name) {
                Some(a) => offered.push(a),
                None => {
                    return err(
                        "sip.auth_algorithms",
                        format!("unknown algorithm {name:?} (expected \"SHA-256\" or \"MD5\")"),
                    )
                }
            }
        }
        if self.nonce_lifetime_s == 0 {
            return err("sip.nonce_lifetime_s", "must be at least 1".into());
        }
        if self.registration_min_expires_s == 0
            || self.registration_min_expires_s > self.registration_max_expires_s
        {
            return err(
                "sip.registration_min_expires_s",
                "must be at least 1 and not above registration_max_expires_s".into(),
            );
        }
        if self.max_transactions == 0 {
            return err("sip.max_transactions", "must be at least 1".into());
        }
        if self.max_dialogs == 0 {
            return err("sip.max_dialogs", "must be at least 1".into());
        }
        if self.rate_limit_per_s > 0 && self.rate_limit_burst == 0 {
            return err(
                "sip.rate_limit_burst",
                "must be at least 1 when rate_limit_per_s is set".into(),
            );
        }
        // Transactions over a connection last up to 64*T1 (32 s).
        if self.tcp_idle_timeout_s < 32 {
            return err("sip.tcp_idle_timeout_s", "must be at least 32".into());
        }
        if self.tcp && self.max_tcp_connections == 0 {
            return err(
                "sip.max_tcp_connections",
                "must be at least 1 with tcp = true".into(),
            );
        }
        let mut seen = std::collections::HashSet::new();
        for (i, a) in self.accounts.iter().enumerate() {
            let key = |k: &str| format!("sip.accounts[{i}].{k}");
            if a.user.is_empty()
                || !a
                    .user
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.!~*'()+".contains(&b))
            {
                return Err((
                    key("user"),
                    format!("{:?} is not a usable SIP user name", a.user),
                ));
            }
            if !seen.insert(a.user.as_str()) {
                return Err((key("user"), format!("account {:?} is listed twice", a.user)));
            }
            match (&a.password, &a.ha1) {
                (Some(_), Some(_)) => {
                    return Err((key("ha1"), "give either password or ha1, not both".into()))
                }
                (None, None) => {
                    return Err((
                        key("password"),
                        "an account needs a password or an ha1".into(),
                    ))
                }
                (Some(p), None) if p.is_empty() => {
                    return Err((key("password"), "the password is empty".into()))
                }
                (None, Some(h)) => match ha1_algorithm(h) {
                    None => {
                        return Err((
                            key("ha1"),
                            "ha1 must be 32 (MD5) or 64 (SHA-256) hex digits".into(),
                        ))
                    }
                    Some(alg) if !offered.contains(&alg) => {
                        return Err((
                            key("ha1"),
                            format!("this is an {alg} HA1 but {alg} is not in sip.auth_algorithms"),
                        ))
                    }
                    Some(_) => {}
                },
                _ => {}
            }
        }
        Ok(())
    }
}

fn ha1_algorithm(hex: &str) -> Option<Algorithm> {
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    [Algorithm::Md5, Algorithm::Sha256]
        .into_iter()
        .find(|a| a.hex_len() == hex.len())
}
