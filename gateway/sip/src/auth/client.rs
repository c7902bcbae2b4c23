//! Digest authentication, the client side (RFC 3261 §22.2, §22.3, RFC 7616
//! §3.4): answering the 401 / 407 a registrar or proxy sends to our own
//! requests.
//!
//! ```text
//!  request ─▶ 401 WWW-Authenticate   ─▶ Authorization        ─▶ same request, CSeq+1
//!          ─▶ 407 Proxy-Authenticate ─▶ Proxy-Authorization  ─▶ same request, CSeq+1
//!  again 401/407 without stale=true ─▶ the password is wrong: give up
//! ```
//!
//! The last challenge is kept, so later requests (registration refreshes)
//! carry credentials at once with the next nonce-count (`nc`); a server that
//! has forgotten the nonce answers `stale=true` and we answer that too.
//! SHA-256 is preferred over MD5 when both are offered (RFC 7616 §3.7).
//! The cnonce comes from the caller (the endpoint's seeded generator), so
//! nothing here reads the clock or the OS random source.

use super::digest::{authorization, Algorithm, Challenge};
use crate::message::Response;

/// A user name and password to answer challenges with.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCredentials {
    pub username: String,
    pub password: String,
}

impl ClientCredentials {
    pub fn new(username: &str, password: &str) -> Self {
        Self {
            username: username.to_owned(),
            password: password.to_owned(),
        }
    }
}

impl std::fmt::Debug for ClientCredentials {
    // Never print the password into logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// Which header carries the challenge and which the answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChallengeKind {
    /// 401 `WWW-Authenticate` → `Authorization`.
    Server,
    /// 407 `Proxy-Authenticate` → `Proxy-Authorization`.
    Proxy,
}

impl ChallengeKind {
    /// The kind a response status asks for, if any.
    pub fn of_status(status: u16) -> Option<Self> {
        match status {
            401 => Some(ChallengeKind::Server),
            407 => Some(ChallengeKind::Proxy),
            _ => None,
        }
    }

    pub fn challenge_header(self) -> &'static str {
        match self {
            ChallengeKind::Server => "WWW-Authenticate",
            ChallengeKind::Proxy => "Proxy-Authenticate",
        }
    }

    pub fn answer_header(self) -> &'static str {
        match self {
            ChallengeKind::Server => "Authorization",
            ChallengeKind::Proxy => "Proxy-Authorization",
        }
    }
}

/// What to do with a 401 / 407.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChallengeOutcome {
    /// Send the request again with credentials ([`ClientAuth::header`]).
    Retry,
    /// No usable challenge (no Digest, only unknown algorithms or `-sess`).
    Unsupported,
    /// We had just answered this realm and were challenged again without
    /// `stale=true`: the credentials are wrong.
    Refused,
}

/// The challenge we answer and its nonce-count.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Answering {
    kind: ChallengeKind,
    challenge: Challenge,
    nc: u32,
}

/// The client side of Digest for one sequence of requests (a registration,
/// a call): the credentials, the challenge being answered and its `nc`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientAuth {
    credentials: ClientCredentials,
    answering: Option<Answering>,
    /// Set when the last request carried credentials for a fresh challenge;
    /// a second non-stale challenge then means a wrong password.
    just_answered: bool,
}

impl ClientAuth {
    pub fn new(credentials: ClientCredentials) -> Self {
        Self {
            credentials,
            answering: None,
            just_answered: false,
        }
    }

    pub fn username(&self) -> &str {
        &self.credentials.username
    }

    /// Take in a 401 or 407. The best Digest challenge (SHA-256 before MD5)
    /// replaces the one we had.
    pub fn on_challenge(&mut self, response: &Response) -> ChallengeOutcome {
        let Some(kind) = ChallengeKind::of_status(response.status) else {
            return ChallengeOutcome::Unsupported;
        };
        let Some(challenge) = best_challenge(response, kind) else {
            return ChallengeOutcome::Unsupported;
        };
        if self.just_answered && !challenge.stale {
            self.answering = None;
            self.just_answered = false;
            return ChallengeOutcome::Refused;
        }
        self.answering = Some(Answering {
            kind,
            challenge,
            nc: 0,
        });
        ChallengeOutcome::Retry
    }

    /// A request was answered with something other than 401/407: the
    /// credentials (if any) were accepted.
    pub fn on_accepted(&mut self) {
        self.just_answered = false;
    }

    /// Forget the challenge (a new server, or after a failure).
    pub fn reset(&mut self) {
        self.answering = None;
        self.just_answered = false;
    }

    /// The header (name, value) to put on the next request, when we hold a
    /// challenge: the next nonce-count for its nonce and a fresh `cnonce`.
    pub fn header(
        &mut self,
        method: &str,
        digest_uri: &str,
        cnonce: &str,
    ) -> Option<(&'static str, String)> {
        let a = self.answering.as_mut()?;
        a.nc = a.nc.wrapping_add(1).max(1);
        self.just_answered = a.nc == 1;
        let value = authorization(
            &a.challenge,
            &self.credentials.username,
            &self.credentials.password,
            method,
            digest_uri,
            cnonce,
            a.nc,
        );
        Some((a.kind.answer_header(), value))
    }
}

/// The challenge to answer among those of `kind` in `response`: SHA-256
/// first, then MD5; unparseable and unknown ones are skipped.
pub fn best_challenge(response: &Response, kind: ChallengeKind) -> Option<Challenge> {
    let mut all: Vec<Challenge> = response
        .headers
        .get_all(kind.challenge_header())
        .filter_map(Challenge::parse)
        .collect();
    all.sort_by_key(|c| match c.algorithm {
        Algorithm::Sha256 => 0,
        Algorithm::Md5 => 1,
    });
    all.into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::digest::Credentials;
    use crate::message::Message;

    fn challenge_response(status: u16, values: &[&str]) -> Response {
        let name = if status == 407 {
            "Proxy-Authenticate"
        } else {
            "WWW-Authenticate"
        };
        let mut text = format!(
            "SIP/2.0 {status} Unauthorized\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKx\r\n\
             From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n"
        );
        for v in values {
            text.push_str(&format!("{name}: {v}\r\n"));
        }
        text.push_str("Content-Length: 0\r\n\r\n");
        match Message::parse(text.as_bytes(), 65535).unwrap() {
            Message::Response(r) => r,
            Message::Request(_) => unreachable!(),
        }
    }

    #[test]
    fn prefers_sha256_and_counts_nonces() {
        let r = challenge_response(
            401,
            &[
                "Digest realm=\"up\", nonce=\"n1\", algorithm=MD5, qop=\"auth\"",
                "Digest realm=\"up\", nonce=\"n2\", algorithm=SHA-256, qop=\"auth\"",
            ],
        );
        let mut auth = ClientAuth::new(ClientCredentials::new("alice", "pw"));
        assert_eq!(auth.header("REGISTER", "sip:up", "c0"), None);
        assert_eq!(auth.on_challenge(&r), ChallengeOutcome::Retry);
        let (name, value) = auth.header("REGISTER", "sip:up", "c1").unwrap();
        assert_eq!(name, "Authorization");
        let c = Credentials::parse(&value).unwrap();
        assert_eq!(c.algorithm.as_deref(), Some("SHA-256"));
        assert_eq!(c.nonce, "n2");
        assert_eq!(c.nc, Some(1));
        let ha1 = Algorithm::Sha256.ha1("alice", "up", "pw");
        let expected =
            Algorithm::Sha256.response(&ha1, "n2", Some(("00000001", "c1")), "REGISTER", "sip:up");
        assert_eq!(c.response, expected);
        auth.on_accepted();
        let (_, value) = auth.header("REGISTER", "sip:up", "c2").unwrap();
        assert_eq!(Credentials::parse(&value).unwrap().nc, Some(2));
    }

    #[test]
    fn second_fresh_challenge_means_wrong_password_but_stale_is_answered() {
        let fresh = challenge_response(407, &["Digest realm=\"p\", nonce=\"n1\""]);
        let stale = challenge_response(407, &["Digest realm=\"p\", nonce=\"n2\", stale=true"]);
        let mut auth = ClientAuth::new(ClientCredentials::new("bob", "x"));
        assert_eq!(auth.on_challenge(&fresh), ChallengeOutcome::Retry);
        let (name, _) = auth.header("INVITE", "sip:1@p", "c").unwrap();
        assert_eq!(name, "Proxy-Authorization");
        assert_eq!(auth.on_challenge(&stale), ChallengeOutcome::Retry);
        auth.header("INVITE", "sip:1@p", "c").unwrap();
        assert_eq!(auth.on_challenge(&fresh), ChallengeOutcome::Refused);
        assert_eq!(auth.header("INVITE", "sip:1@p", "c"), None);
    }

    #[test]
    fn unknown_schemes_are_unsupported() {
        let r = challenge_response(
            401,
            &[
                "Basic realm=\"x\"",
                "Digest realm=\"x\", nonce=\"n\", algorithm=MD5-sess",
            ],
        );
        let mut auth = ClientAuth::new(ClientCredentials::new("a", "b"));
        assert_eq!(auth.on_challenge(&r), ChallengeOutcome::Unsupported);
        assert!(format!("{auth:?}").find("\"b\"").is_none());
    }
}
