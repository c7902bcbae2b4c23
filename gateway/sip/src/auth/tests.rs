use std::time::{Duration, Instant};

use super::digest::{authorization, Algorithm, Challenge};
use super::*;
use crate::message::{Method, Request, Uri};

const SOURCE: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 9));

fn invite(uri: &str) -> Request {
    Request::new(Method::Invite, Uri::parse(uri).unwrap())
}

fn authenticator() -> Authenticator {
    let accounts = vec![
        Account {
            username: "alice".into(),
            secret: Secret::Password("wonderland".into()),
        },
        Account {
            username: "bob".into(),
            secret: Secret::Ha1 {
                algorithm: Algorithm::Md5,
                hex: Algorithm::Md5.ha1("bob", "gateway", "builder"),
            },
        },
    ];
    Authenticator::new(AuthConfig::new("gateway", accounts), 7)
}

fn challenges(v: Verdict) -> Vec<Challenge> {
    match v {
        Verdict::Challenge(c) => c,
        other => panic!("expected a challenge, got {other:?}"),
    }
}

fn answer(req: &mut Request, c: &Challenge, user: &str, password: &str, nc: u32) {
    let uri = req.uri.to_string();
    let value = authorization(c, user, password, req.method.as_str(), &uri, "c0ffee", nc);
    req.headers.set("Authorization", value);
}

#[test]
fn no_credentials_get_one_challenge_per_algorithm() {
    let mut auth = authenticator();
    let now = Instant::now();
    let c = challenges(auth.verify(now, SOURCE, &invite("sip:1800@10.0.0.1")));
    assert_eq!(c.len(), 2);
    assert_eq!(c[0].algorithm, Algorithm::Sha256);
    assert_eq!(c[1].algorithm, Algorithm::Md5);
    assert_eq!(c[0].nonce, c[1].nonce);
    assert!(!c[0].stale);
}

#[test]
fn both_algorithms_authenticate() {
    let mut auth = authenticator();
    let now = Instant::now();
    for which in 0..2 {
        let mut req = invite("sip:1800@10.0.0.1:5060");
        let c = challenges(auth.verify(now, SOURCE, &req));
        answer(&mut req, &c[which], "alice", "wonderland", 1);
        assert_eq!(
            auth.verify(now, SOURCE, &req),
            Verdict::Authenticated("alice".into())
        );
    }
}

#[test]
fn ha1_accounts_answer_their_algorithm_only() {
    let mut auth = authenticator();
    let now = Instant::now();
    let mut req = invite("sip:1800@10.0.0.1");
    let c = challenges(auth.verify(now, SOURCE, &req));
    answer(&mut req, &c[1], "bob", "builder", 1);
    assert_eq!(
        auth.verify(now, SOURCE, &req),
        Verdict::Authenticated("bob".into())
    );
    let mut req = invite("sip:1800@10.0.0.1");
    let c = challenges(auth.verify(now, SOURCE, &req));
    answer(&mut req, &c[0], "bob", "builder", 1);
    assert!(matches!(
        auth.verify(now, SOURCE, &req),
        Verdict::Rejected(_)
    ));
}

/// A fresh challenge, answered by `user` with `password`, checked.
fn attempt(auth: &mut Authenticator, now: Instant, user: &str, password: &str) -> Verdict {
    let mut req = invite("sip:1800@10.0.0.1");
    let c = challenges(auth.verify(now, SOURCE, &req));
    answer(&mut req, &c[1], user, password, 1);
    auth.verify(now, SOURCE, &req)
}

#[test]
fn wrong_password_unknown_user_and_wrong_uri_are_rejected() {
    let mut auth = authenticator();
    let now = Instant::now();
    assert!(matches!(
        attempt(&mut auth, now, "alice", "guess"),
        Verdict::Rejected(_)
    ));
    assert!(matches!(
        attempt(&mut auth, now, "mallory", "wonderland"),
        Verdict::Rejected(_)
    ));
    // Credentials computed for another Request-URI (a captured answer reused).
    let c = challenges(auth.verify(now, SOURCE, &invite("sip:1800@10.0.0.1")));
    let mut req = invite("sip:1800@10.0.0.1");
    answer(&mut req, &c[1], "alice", "wonderland", 1);
    req.uri = Uri::parse("sip:0900666@10.0.0.1").unwrap();
    assert!(matches!(
        auth.verify(now, SOURCE, &req),
        Verdict::Rejected(_)
    ));
    // Garbage credentials.
    let mut req = invite("sip:1800@10.0.0.1");
    req.headers.set("Authorization", "Digest username=\"alice");
    assert!(matches!(
        auth.verify(now, SOURCE, &req),
        Verdict::Rejected(_)
    ));
}

#[test]
fn the_nonce_is_checked_before_the_password_and_a_wrong_guess_burns_it() {
    let mut auth = authenticator();
    let now = Instant::now();
    let made_up = Challenge {
        realm: "gateway".into(),
        nonce: "00112233445566778899aabbccddeeff".into(),
        algorithm: Algorithm::Sha256,
        opaque: None,
        stale: false,
    };
    // Right and wrong passwords on a nonce we never issued: the same answer.
    for password in ["wonderland", "guess"] {
        let mut req = invite("sip:1800@10.0.0.1");
        answer(&mut req, &made_up, "alice", password, 1);
        assert!(challenges(auth.verify(now, SOURCE, &req))[0].stale);
    }
    // A wrong guess on a real nonce: 403, and the nonce is gone, so the
    // next guess on it (nc 2) gets a stale challenge, not a verdict.
    let c = challenges(auth.verify(now, SOURCE, &invite("sip:1800@10.0.0.1")));
    let mut req = invite("sip:1800@10.0.0.1");
    answer(&mut req, &c[1], "alice", "guess", 1);
    assert!(matches!(
        auth.verify(now, SOURCE, &req),
        Verdict::Rejected(_)
    ));
    let mut req = invite("sip:1800@10.0.0.1");
    answer(&mut req, &c[1], "alice", "wonderland", 2);
    assert!(challenges(auth.verify(now, SOURCE, &req))[0].stale);
}

#[test]
fn repeated_failures_back_off_even_the_right_password() {
    let mut auth = authenticator();
    let now = Instant::now();
    for _ in 0..6 {
        assert!(matches!(
            attempt(&mut auth, now, "alice", "guess"),
            Verdict::Rejected(_)
        ));
    }
    // Backing off: the right password is not even checked.
    let Verdict::Rejected(reason) = attempt(&mut auth, now, "alice", "wonderland") else {
        panic!("accepted while backing off")
    };
    assert!(reason.contains("backing off"), "{reason}");
    // After the back-off (1 s on the virtual clock) it works, and clears it.
    let later = now + Duration::from_secs(1);
    assert_eq!(
        attempt(&mut auth, later, "alice", "wonderland"),
        Verdict::Authenticated("alice".into())
    );
}

#[test]
fn other_realms_credentials_are_ignored() {
    let mut auth = authenticator();
    let now = Instant::now();
    let mut req = invite("sip:1800@10.0.0.1");
    let foreign = Challenge {
        realm: "elsewhere".into(),
        nonce: "abc".into(),
        algorithm: Algorithm::Md5,
        opaque: None,
        stale: false,
    };
    answer(&mut req, &foreign, "alice", "wonderland", 1);
    let c = challenges(auth.verify(now, SOURCE, &req));
    assert!(!c[0].stale);
}

#[test]
fn replayed_nonce_count_is_challenged_stale() {
    let mut auth = authenticator();
    let now = Instant::now();
    let mut req = invite("sip:1800@10.0.0.1");
    let c = challenges(auth.verify(now, SOURCE, &req));
    answer(&mut req, &c[1], "alice", "wonderland", 1);
    assert_eq!(
        auth.verify(now, SOURCE, &req),
        Verdict::Authenticated("alice".into())
    );
    // The same request again (a replay): stale, never accepted.
    let c2 = challenges(auth.verify(now, SOURCE, &req));
    assert!(c2[0].stale);
    // The next nonce-count is fine.
    answer(&mut req, &c[1], "alice", "wonderland", 2);
    assert_eq!(
        auth.verify(now, SOURCE, &req),
        Verdict::Authenticated("alice".into())
    );
}

#[test]
fn expired_and_unknown_nonces_are_challenged_stale() {
    let mut auth = authenticator();
    let start = Instant::now();
    let mut req = invite("sip:1800@10.0.0.1");
    let c = challenges(auth.verify(start, SOURCE, &req));
    answer(&mut req, &c[1], "alice", "wonderland", 1);
    let late = start + Duration::from_secs(301);
    let fresh = challenges(auth.verify(late, SOURCE, &req));
    assert!(fresh[0].stale);
    assert_ne!(fresh[0].nonce, c[0].nonce);
    let forged = Challenge {
        nonce: "00000000000000000000000000000000".into(),
        ..c[1].clone()
    };
    answer(&mut req, &forged, "alice", "wonderland", 1);
    assert!(challenges(auth.verify(late, SOURCE, &req))[0].stale);
}

#[test]
fn credentials_without_qop_are_rejected() {
    let mut auth = authenticator();
    let now = Instant::now();
    let c = challenges(auth.verify(now, SOURCE, &invite("sip:1800@10.0.0.1")));
    let ha1 = Algorithm::Md5.ha1("alice", "gateway", "wonderland");
    let response = Algorithm::Md5.response(&ha1, &c[1].nonce, None, "INVITE", "sip:1800@10.0.0.1");
    let mut req = invite("sip:1800@10.0.0.1");
    req.headers.set(
        "Authorization",
        format!(
            "Digest username=\"alice\", realm=\"gateway\", nonce=\"{}\", uri=\"sip:1800@10.0.0.1\", response=\"{response}\"",
            c[1].nonce
        ),
    );
    assert!(matches!(
        auth.verify(now, SOURCE, &req),
        Verdict::Rejected(_)
    ));
}
