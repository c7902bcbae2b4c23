//! The Digest scheme itself (RFC 7616 §3.4, RFC 3261 §22.4): hash
//! algorithms, the `auth-param` list of `Authorization` / `WWW-Authenticate`,
//! and the request-digest computation.
//!
//! ```text
//! HA1      = H(username ":" realm ":" password)
//! HA2      = H(method ":" digest-uri)
//! response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2)   qop=auth
//!          = H(HA1 ":" nonce ":" HA2)                            no qop (RFC 2069)
//! ```

use std::fmt::{self, Write as _};

use md5::Md5;
use sha2::{Digest as _, Sha256};
use thiserror::Error;

use crate::message::grammar::{is_token_char, write_quoted, Scanner};

/// A Digest hash algorithm (RFC 7616 §3.3, §6.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// `MD5`: what every SIP client speaks (RFC 3261 §22.4).
    Md5,
    /// `SHA-256` (RFC 7616, RFC 8760).
    Sha256,
}

impl Algorithm {
    /// The token in `algorithm=`.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Sha256 => "SHA-256",
        }
    }

    /// Parse an `algorithm=` token (case-insensitive). The `-sess` variants
    /// are not supported.
    pub fn from_name(name: &str) -> Option<Self> {
        if name.eq_ignore_ascii_case("MD5") {
            Some(Algorithm::Md5)
        } else if name.eq_ignore_ascii_case("SHA-256") {
            Some(Algorithm::Sha256)
        } else {
            None
        }
    }

    /// Length of a hash in hex digits.
    pub fn hex_len(self) -> usize {
        match self {
            Algorithm::Md5 => 32,
            Algorithm::Sha256 => 64,
        }
    }

    /// `H(data)` as lower-case hex.
    pub fn hash_hex(self, data: &[u8]) -> String {
        match self {
            Algorithm::Md5 => hex(&Md5::digest(data)),
            Algorithm::Sha256 => hex(&Sha256::digest(data)),
        }
    }

    /// `H(username ":" realm ":" password)`.
    pub fn ha1(self, username: &str, realm: &str, password: &str) -> String {
        self.hash_hex(format!("{username}:{realm}:{password}").as_bytes())
    }

    /// The request-digest for `qop=auth` (`Some((nc, cnonce))`) or without
    /// qop (`None`).
    pub fn response(
        self,
        ha1: &str,
        nonce: &str,
        qop: Option<(&str, &str)>,
        method: &str,
        digest_uri: &str,
    ) -> String {
        let ha2 = self.hash_hex(format!("{method}:{digest_uri}").as_bytes());
        let data = match qop {
            Some((nc, cnonce)) => format!("{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}"),
            None => format!("{ha1}:{nonce}:{ha2}"),
        };
        self.hash_hex(data.as_bytes())
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Compare two strings in time that depends only on their lengths.
pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| {
        acc | (x.to_ascii_lowercase() ^ y.to_ascii_lowercase())
    }) == 0
}

/// Why an `Authorization` value is not usable Digest credentials.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CredentialsError {
    #[error("the scheme is not Digest")]
    NotDigest,
    #[error("malformed auth-param list")]
    Malformed,
    #[error("missing {0}")]
    Missing(&'static str),
    #[error("nc {0:?} is not 8 hex digits")]
    InvalidNonceCount(String),
}

/// Digest credentials from an `Authorization` or `Proxy-Authorization`
/// header (RFC 7616 §3.4). Unknown parameters are ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub realm: String,
    pub nonce: String,
    pub uri: String,
    pub response: String,
    /// `None` when the parameter is absent (then MD5).
    pub algorithm: Option<String>,
    pub cnonce: Option<String>,
    pub opaque: Option<String>,
    pub qop: Option<String>,
    /// The nonce-count, parsed from its 8 hex digits.
    pub nc: Option<u32>,
    /// `nc` as sent (it enters the digest as text).
    pub nc_text: Option<String>,
}

impl Credentials {
    /// Parse one header value. Never panics.
    pub fn parse(value: &str) -> Result<Credentials, CredentialsError> {
        let (scheme, params) = split_scheme(value).ok_or(CredentialsError::Malformed)?;
        if !scheme.eq_ignore_ascii_case("Digest") {
            return Err(CredentialsError::NotDigest);
        }
        let params = parse_auth_params(params).ok_or(CredentialsError::Malformed)?;
        let get = |name: &str| {
            params
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        let need = |name: &'static str| get(name).ok_or(CredentialsError::Missing(name));
        let nc_text = get("nc");
        let nc = match &nc_text {
            Some(t) if t.len() == 8 && t.bytes().all(|b| b.is_ascii_hexdigit()) => {
                Some(u32::from_str_radix(t, 16).map_err(|_| CredentialsError::Malformed)?)
            }
            Some(t) => return Err(CredentialsError::InvalidNonceCount(t.clone())),
            None => None,
        };
        Ok(Credentials {
            username: need("username")?,
            realm: need("realm")?,
            nonce: need("nonce")?,
            uri: need("uri")?,
            response: need("response")?,
            algorithm: get("algorithm"),
            cnonce: get("cnonce"),
            opaque: get("opaque"),
            qop: get("qop"),
            nc,
            nc_text,
        })
    }
}

/// A `WWW-Authenticate` / `Proxy-Authenticate` challenge (RFC 7616 §3.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    pub realm: String,
    pub nonce: String,
    pub algorithm: Algorithm,
    pub opaque: Option<String>,
    /// The previous nonce was right but too old or reused (§3.3 `stale`).
    pub stale: bool,
}

impl fmt::Display for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Digest realm=")?;
        write_quoted(f, &self.realm)?;
        f.write_str(", nonce=")?;
        write_quoted(f, &self.nonce)?;
        if let Some(opaque) = &self.opaque {
            f.write_str(", opaque=")?;
            write_quoted(f, opaque)?;
        }
        if self.stale {
            f.write_str(", stale=true")?;
        }
        write!(f, ", algorithm={}, qop=\"auth\"", self.algorithm)
    }
}

impl Challenge {
    /// Parse a challenge (the client side, and tests). Never panics.
    pub fn parse(value: &str) -> Option<Challenge> {
        let (scheme, params) = split_scheme(value)?;
        if !scheme.eq_ignore_ascii_case("Digest") {
            return None;
        }
        let params = parse_auth_params(params)?;
        let get = |name: &str| {
            params
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        Some(Challenge {
            realm: get("realm")?,
            nonce: get("nonce")?,
            algorithm: match get("algorithm") {
                Some(a) => Algorithm::from_name(&a)?,
                None => Algorithm::Md5,
            },
            opaque: get("opaque"),
            stale: get("stale").is_some_and(|s| s.eq_ignore_ascii_case("true")),
        })
    }
}

/// The `Authorization` value answering `challenge` with qop=auth: what a
/// client (and the tests) send. `nc` is the nonce-count for this nonce.
pub fn authorization(
    challenge: &Challenge,
    username: &str,
    password: &str,
    method: &str,
    digest_uri: &str,
    cnonce: &str,
    nc: u32,
) -> String {
    let algorithm = challenge.algorithm;
    let ha1 = algorithm.ha1(username, &challenge.realm, password);
    let nc = format!("{nc:08x}");
    let response = algorithm.response(
        &ha1,
        &challenge.nonce,
        Some((&nc, cnonce)),
        method,
        digest_uri,
    );
    let mut out = String::from("Digest username=");
    let _ = write_quoted(&mut out, username);
    out.push_str(", realm=");
    let _ = write_quoted(&mut out, &challenge.realm);
    out.push_str(", nonce=");
    let _ = write_quoted(&mut out, &challenge.nonce);
    out.push_str(", uri=");
    let _ = write_quoted(&mut out, digest_uri);
    let _ = write!(
        out,
        ", response=\"{response}\", algorithm={algorithm}, cnonce=\"{cnonce}\", qop=auth, nc={nc}"
    );
    if let Some(opaque) = &challenge.opaque {
        out.push_str(", opaque=");
        let _ = write_quoted(&mut out, opaque);
    }
    out
}

fn split_scheme(value: &str) -> Option<(&str, &str)> {
    let value = value.trim_matches([' ', '\t']);
    let end = value.find([' ', '\t'])?;
    let scheme = value.get(..end)?;
    let rest = value.get(end..)?;
    (!scheme.is_empty() && scheme.bytes().all(is_token_char)).then_some((scheme, rest))
}

/// `name = (token / quoted-string)` separated by commas; quoted values are
/// unescaped. `None` on any syntax fault.
fn parse_auth_params(text: &str) -> Option<Vec<(String, String)>> {
    let mut sc = Scanner::new(text);
    let mut out = Vec::new();
    loop {
        sc.skip_ws();
        while sc.eat(b',') {
            sc.skip_ws();
        }
        if sc.is_empty() {
            break;
        }
        let name = sc.token()?;
        sc.skip_ws();
        if !sc.eat(b'=') {
            return None;
        }
        sc.skip_ws();
        let value = if sc.peek() == Some(b'"') {
            sc.quoted_string()?.1
        } else {
            sc.token()?.to_owned()
        };
        out.push((name.to_owned(), value));
        sc.skip_ws();
        if !sc.is_empty() && !sc.eat(b',') {
            return None;
        }
        if out.len() > 32 {
            return None;
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 2617 §3.5's example, the classic MD5 test vector.
    #[test]
    fn rfc2617_example() {
        let ha1 = Algorithm::Md5.ha1("Mufasa", "testrealm@host.com", "Circle Of Life");
        let response = Algorithm::Md5.response(
            &ha1,
            "dcd98b7102dd2f0e8b11d0f600bfb0c093",
            Some(("00000001", "0a4f113b")),
            "GET",
            "/dir/index.html",
        );
        assert_eq!(response, "6629fae49393a05397450978507c4ef1");
    }

    /// RFC 7616 §3.9.1's example (SHA-256 and MD5 over the same request).
    #[test]
    fn rfc7616_examples() {
        let realm = "http-auth@example.org";
        let nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
        let cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
        let qop = Some(("00000001", cnonce));
        let sha = Algorithm::Sha256.ha1("Mufasa", realm, "Circle of Life");
        assert_eq!(
            Algorithm::Sha256.response(&sha, nonce, qop, "GET", "/dir/index.html"),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
        );
        let md5 = Algorithm::Md5.ha1("Mufasa", realm, "Circle of Life");
        assert_eq!(
            Algorithm::Md5.response(&md5, nonce, qop, "GET", "/dir/index.html"),
            "8ca523f5e9506fed4657c9700eebdbec"
        );
    }

    #[test]
    fn parses_credentials() {
        let c = Credentials::parse(
            "Digest username=\"alice\",realm=\"gw\", nonce=\"abc\", uri=\"sip:1800@10.0.0.1\", \
             response=\"0123\", algorithm=MD5, cnonce=\"x,y\", qop=auth, nc=0000000a",
        )
        .unwrap();
        assert_eq!(c.username, "alice");
        assert_eq!(c.cnonce.as_deref(), Some("x,y"));
        assert_eq!(c.nc, Some(10));
        assert_eq!(c.qop.as_deref(), Some("auth"));
        assert_eq!(
            Credentials::parse("Basic dXNlcjpwYXNz"),
            Err(CredentialsError::NotDigest)
        );
        assert_eq!(
            Credentials::parse("Digest username=\"a\""),
            Err(CredentialsError::Missing("realm"))
        );
        assert!(Credentials::parse("Digest username=\"a").is_err());
        assert!(Credentials::parse(
            "Digest realm=\"r\", nonce=\"n\", uri=\"u\", response=\"r\", username=\"u\", nc=12"
        )
        .is_err());
        for junk in [
            "",
            "Digest",
            "Digest ,,,",
            "Digest a=",
            "Digest =b",
            "\u{e9}\u{e9} x=y",
        ] {
            let _ = Credentials::parse(junk);
        }
    }

    #[test]
    fn challenge_round_trip() {
        let c = Challenge {
            realm: "gate\"way".into(),
            nonce: "n1".into(),
            algorithm: Algorithm::Sha256,
            opaque: None,
            stale: true,
        };
        let text = c.to_string();
        assert_eq!(
            text,
            "Digest realm=\"gate\\\"way\", nonce=\"n1\", stale=true, algorithm=SHA-256, qop=\"auth\""
        );
        assert_eq!(Challenge::parse(&text), Some(c));
    }
}
