//! The `[sip]` table turned into the SIP core's configuration, and its checks.

use std::net::SocketAddr;
use std::time::Duration;

use sip::auth::client::ClientCredentials;
use sip::auth::digest::Algorithm;
use sip::auth::{Account, AuthConfig, Secret};
use sip::rate_limit::RateLimitConfig;
use sip::registrar::RegistrarConfig;
use sip::{EndpointConfig, Registration, Uri};

use super::model::{PortConfig, SipConfig, SipUpstreamConfig};

impl SipConfig {
    /// The SIP endpoint's configuration for a socket bound at `local`.
    /// Call on a configuration that loaded (loading validates it).
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
        config.max_connections_per_address = self.max_tcp_connections_per_address;
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

    /// Our own registrations with the `[[sip.upstream]]` registrars: one per
    /// port (its ANI as the user; ports without an ANI are skipped) or one
    /// shared `user`. Call on a configuration that loaded (loading validates it).
    pub fn upstream_registrations(&self, ports: &[PortConfig]) -> Vec<Registration> {
        let mut out = Vec::new();
        for up in &self.upstream {
            let users: Vec<&str> = match &up.user {
                Some(u) => vec![u.as_str()],
                None => ports
                    .iter()
                    .map(|p| p.ani.as_str())
                    .filter(|a| valid_user(a))
                    .collect(),
            };
            for user in users {
                let domain = upstream_domain(up);
                let Ok(aor) = Uri::parse(&format!("sip:{user}@{domain}")) else {
                    continue;
                };
                out.push(Registration {
                    registrar: up.registrar,
                    aor,
                    contact_user: user.to_owned(),
                    expires: Duration::from_secs(u64::from(up.expires_s)),
                    credentials: Some(ClientCredentials::new(
                        up.auth_user.as_deref().unwrap_or(user),
                        &up.password,
                    )),
                });
            }
        }
        out
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
        for (i, up) in self.upstream.iter().enumerate() {
            validate_upstream(up).map_err(|(k, m)| (format!("sip.upstream[{i}].{k}"), m))?;
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
                (Some(p), None) => {
                    if let Some(why) = weak_password(&a.user, p) {
                        return Err((key("password"), why));
                    }
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
            }
        }
        Ok(())
    }
}

/// A SIP user part we are willing to put in a URI unescaped.
fn valid_user(user: &str) -> bool {
    !user.is_empty()
        && user
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.!~*'()+".contains(&b))
}

fn upstream_domain(up: &SipUpstreamConfig) -> String {
    match (&up.domain, up.registrar) {
        (Some(d), _) => d.clone(),
        (None, SocketAddr::V4(a)) => a.ip().to_string(),
        (None, SocketAddr::V6(a)) => format!("[{}]", a.ip()),
    }
}

/// One `[[sip.upstream]]` table; `Err((key, message))` with the key inside it.
fn validate_upstream(up: &SipUpstreamConfig) -> Result<(), (String, String)> {
    let err = |key: &str, message: String| Err((key.to_owned(), message));
    if up.registrar.ip().is_unspecified() || up.registrar.port() == 0 {
        return err(
            "registrar",
            format!(
                "{} is not an address to send REGISTER to (give the registrar's IP address and port)",
                up.registrar
            ),
        );
    }
    if let Some(d) = &up.domain {
        let usable = !d.is_empty()
            && d.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.[]:".contains(&b));
        if !usable {
            return err("domain", format!("{d:?} is not a usable host name"));
        }
    }
    for (key, value) in [("user", &up.user), ("auth_user", &up.auth_user)] {
        if let Some(u) = value {
            if !valid_user(u) {
                return err(key, format!("{u:?} is not a usable SIP user name"));
            }
        }
    }
    if up.password.is_empty() {
        return err("password", "the password is empty".into());
    }
    if !(30..=86_400).contains(&up.expires_s) {
        return err(
            "expires_s",
            format!("{} is outside 30..=86400 seconds", up.expires_s),
        );
    }
    if Uri::parse(&format!("sip:user@{}", upstream_domain(up))).is_err() {
        return err("domain", "does not make a valid SIP URI".into());
    }
    Ok(())
}

fn ha1_algorithm(hex: &str) -> Option<Algorithm> {
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    [Algorithm::Md5, Algorithm::Sha256]
        .into_iter()
        .find(|a| a.hex_len() == hex.len())
}

/// Shortest SIP account password accepted.
pub const MIN_PASSWORD_LEN: usize = 12;

/// Why `password` is too weak for an account the network can guess at, or
/// `None`. The rule (docs/SECURITY.md): at least [`MIN_PASSWORD_LEN`]
/// characters, from at least two of lower case, upper case, digits and
/// others, and not containing the user name.
pub fn weak_password(user: &str, password: &str) -> Option<String> {
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ];
    let kinds = classes.iter().filter(|k| **k).count();
    let why = if password.chars().count() < MIN_PASSWORD_LEN {
        format!("has fewer than {MIN_PASSWORD_LEN} characters")
    } else if kinds < 2 {
        "uses only one kind of character (mix letters, digits or symbols)".to_owned()
    } else if !user.is_empty() && password.to_lowercase().contains(&user.to_lowercase()) {
        "contains the user name".to_owned()
    } else {
        return None;
    };
    Some(format!(
        "the password is too weak to face password guessing: it {why}; use at \
         least {MIN_PASSWORD_LEN} characters of two kinds or more, or an ha1 \
         (docs/SECURITY.md)"
    ))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::{parse, ConfigError};

    const BASE: &str = "[sip]\n[[sip.accounts]]\nuser = \"alice\"\npassword = \"wonder-land-7\"\n\
        [[ports]]\nport = 0\nkind = \"fxo\"\nani = \"4155550100\"\n[[ports]]\nport = 1\nkind = \"fxo\"\nani = \"4155550101\"\n";

    fn with(upstream: &str) -> Result<crate::config::Config, ConfigError> {
        parse(Path::new("gw.toml"), &format!("{BASE}{upstream}"))
    }

    fn invalid_key(upstream: &str) -> String {
        match with(upstream) {
            Err(ConfigError::Invalid { key, .. }) => key,
            other => panic!("expected an invalid key, got {other:?}"),
        }
    }

    #[test]
    fn upstream_per_port_and_shared() {
        // Deserialized without the board checks: only the [sip] table matters here.
        let c: crate::config::Config = toml::from_str(&format!(
            "{BASE}[[sip.upstream]]\nregistrar = \"203.0.113.5:5060\"\npassword = \"s3cret\"\n\
             [[sip.upstream]]\nregistrar = \"203.0.113.6:5080\"\ndomain = \"sip.example.net\"\n\
             user = \"trunk1\"\nauth_user = \"acct-9\"\npassword = \"x\"\nexpires_s = 600\n",
        ))
        .unwrap();
        c.sip.validate().unwrap();
        let regs = c.sip.upstream_registrations(&c.ports);
        assert_eq!(regs.len(), 3);
        assert_eq!(regs[0].aor.to_string(), "sip:4155550100@203.0.113.5");
        assert_eq!(regs[1].contact_user, "4155550101");
        assert_eq!(regs[0].expires.as_secs(), 3600);
        assert_eq!(regs[2].aor.to_string(), "sip:trunk1@sip.example.net");
        assert_eq!(regs[2].registrar.to_string(), "203.0.113.6:5080");
        assert_eq!(regs[2].credentials.as_ref().unwrap().username, "acct-9");
        assert_eq!(regs[2].expires.as_secs(), 600);
        assert!(!format!("{:?}", c.sip.upstream).contains("s3cret"));
    }

    #[test]
    fn upstream_errors_name_the_key() {
        let reg = "[[sip.upstream]]\nregistrar = \"203.0.113.5:5060\"\n";
        assert_eq!(
            invalid_key(&format!("{reg}password = \"\"\n")),
            "sip.upstream[0].password"
        );
        assert_eq!(
            invalid_key("[[sip.upstream]]\nregistrar = \"0.0.0.0:5060\"\npassword = \"x\"\n"),
            "sip.upstream[0].registrar"
        );
        assert_eq!(
            invalid_key(&format!("{reg}password = \"x\"\nuser = \"a b\"\n")),
            "sip.upstream[0].user"
        );
        assert_eq!(
            invalid_key(&format!("{reg}password = \"x\"\nexpires_s = 5\n")),
            "sip.upstream[0].expires_s"
        );
        assert_eq!(
            invalid_key(&format!("{reg}password = \"x\"\ndomain = \"a@b\"\n")),
            "sip.upstream[0].domain"
        );
        assert!(matches!(
            with(&format!("{reg}password = \"x\"\nrealm = \"r\"\n")),
            Err(ConfigError::Syntax { .. })
        ));
        assert!(matches!(with(reg), Err(ConfigError::Syntax { .. })));
    }

    #[test]
    fn weak_account_passwords_are_refused_with_the_rule() {
        for (password, why) in [
            ("pw", "fewer than 12"),
            ("abcdefghijklmnop", "one kind"),
            ("alice-wonder-7", "user name"),
        ] {
            let config = BASE.replace("wonder-land-7", password);
            let Err(ConfigError::Invalid { key, message, .. }) =
                parse(Path::new("gw.toml"), &config)
            else {
                panic!("{password:?} accepted");
            };
            assert_eq!(key, "sip.accounts[0].password");
            assert!(message.contains(why), "{message}");
            assert!(message.contains("docs/SECURITY.md"), "{message}");
        }
        if let Err(ConfigError::Invalid { key, .. }) = parse(Path::new("gw.toml"), BASE) {
            assert_ne!(key, "sip.accounts[0].password", "a strong password refused");
        }
    }
}
