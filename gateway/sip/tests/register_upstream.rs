//! Our own registration with an upstream registrar: the client endpoint
//! (`uac` side of the pair) registers an address-of-record with a second
//! endpoint acting as registrar with Digest accounts (`uas` side), on a
//! virtual clock: 401 then 200, refreshes before expiry (and `stale=true`
//! when the registrar's nonce aged out), wrong password and an unreachable
//! registrar with back-off, 423 Min-Expires, unregister.

mod common;

use std::time::Duration;

use common::{Pair, Side};
use sip::auth::client::ClientCredentials;
use sip::auth::{Account, AuthConfig, Secret};
use sip::{
    Endpoint, EndpointConfig, Event, Registration, RegistrationError, RegistrationHandle,
    RegistrationState, Uri,
};

/// A pair whose `uas` is a registrar with the account alice/wonderland.
fn pair() -> Pair {
    let mut p = Pair::new();
    let mut config = EndpointConfig::new(p.uas_addr);
    config.auth = Some(AuthConfig::new(
        "upstream",
        vec![Account {
            username: "alice".into(),
            secret: Secret::Password("wonderland".into()),
        }],
    ));
    p.uas = Endpoint::new(config, 2);
    p
}

fn registration(p: &Pair, password: &str, expires_s: u64) -> Registration {
    Registration {
        registrar: p.uas_addr,
        aor: Uri::parse("sip:alice@192.0.2.20").unwrap(),
        contact_user: "line1".into(),
        expires: Duration::from_secs(expires_s),
        credentials: Some(ClientCredentials::new("alice", password)),
    }
}

fn registered(p: &Pair) -> Vec<Duration> {
    p.uac_events
        .iter()
        .filter_map(|e| match e {
            Event::Registered { expires, .. } => Some(*expires),
            _ => None,
        })
        .collect()
}

fn failures(p: &Pair) -> Vec<u16> {
    p.uac_events
        .iter()
        .filter_map(|e| match e {
            Event::RegistrationFailed { status, .. } => Some(*status),
            _ => None,
        })
        .collect()
}

fn bound(p: &Pair) -> bool {
    p.uas
        .registered_contact(p.now, "alice")
        .is_some_and(|b| b.contact.user.as_deref() == Some("line1") && b.source == p.uac_addr)
}

fn state(p: &Pair, h: RegistrationHandle) -> RegistrationState {
    p.uac.registration(h).unwrap().state
}

#[test]
fn challenge_then_registered() {
    let mut p = pair();
    let now = p.now;
    let h = p
        .uac
        .register(now, registration(&p, "wonderland", 120))
        .unwrap();
    assert_eq!(state(&p, h), RegistrationState::Registering);
    p.deliver();
    assert_eq!(
        p.wire
            .iter()
            .map(|(s, l)| (*s, l.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (Side::Uac, "REGISTER sip:192.0.2.20 SIP/2.0"),
            (Side::Uas, "SIP/2.0 401 Unauthorized"),
            (Side::Uac, "REGISTER sip:192.0.2.20 SIP/2.0"),
            (Side::Uas, "SIP/2.0 200 OK"),
        ]
    );
    assert_eq!(registered(&p), vec![Duration::from_secs(120)]);
    assert!(bound(&p));
    match state(&p, h) {
        RegistrationState::Registered {
            expires_at,
            refresh_at,
        } => {
            assert_eq!(expires_at - p.start, Duration::from_secs(120));
            assert_eq!(refresh_at - p.start, Duration::from_secs(108));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(p.uac.registrations().len(), 1);
}

#[test]
fn refreshes_keep_the_binding_alive() {
    let mut p = pair();
    let now = p.now;
    p.uac
        .register(now, registration(&p, "wonderland", 120))
        .unwrap();
    p.deliver();
    // Ten minutes in steps: the binding never lapses. The registrar's
    // nonces live 5 minutes, so some refresh meets `stale=true` and is
    // answered again.
    for _ in 0..60 {
        p.run_for(Duration::from_secs(10));
        assert!(bound(&p), "binding lapsed at {:?}", p.elapsed());
    }
    let count = registered(&p).len();
    // 600 s / 108 s: the first registration and five refreshes.
    assert_eq!(count, 6, "{:?}", p.uac_events);
    assert!(failures(&p).is_empty());
    // Refreshes carry credentials at once: 401s only for the first REGISTER
    // and for the one whose nonce went stale.
    let challenges = p.count_on_wire(Side::Uas, "SIP/2.0 401");
    assert!((2..=3).contains(&challenges), "{challenges} challenges");
    assert_eq!(p.count_on_wire(Side::Uas, "SIP/2.0 403"), 0);
}

#[test]
fn wrong_password_backs_off() {
    let mut p = pair();
    p.uac
        .register(p.now, registration(&p, "rabbit", 120))
        .unwrap();
    p.deliver();
    // Answered 401, then the registrar says 403 to the wrong digest.
    assert_eq!(failures(&p), vec![403]);
    assert!(!bound(&p));
    // Retries at 15..30 s, then 30..60 s, 60..120 s (50-100 % of 30 s doubling).
    let mut attempts = Vec::new();
    let mut seen = 1;
    while attempts.len() < 3 {
        assert!(p.step(p.now + Duration::from_secs(600)));
        let n = failures(&p).len();
        if n > seen {
            seen = n;
            attempts.push(p.elapsed());
        }
    }
    let gaps: Vec<u64> = std::iter::once(Duration::ZERO)
        .chain(attempts.iter().copied())
        .collect::<Vec<_>>()
        .windows(2)
        .map(|w| (w[1] - w[0]).as_secs())
        .collect();
    assert!((15..=30).contains(&gaps[0]), "{gaps:?}");
    assert!((30..=60).contains(&gaps[1]), "{gaps:?}");
    assert!((60..=120).contains(&gaps[2]), "{gaps:?}");
    assert_eq!(failures(&p), vec![403; 4]);
}

#[test]
fn unreachable_registrar_times_out_then_recovers() {
    let mut p = pair();
    // The registrar is down for the first two minutes.
    let start = p.start;
    let now_cell = std::rc::Rc::new(std::cell::Cell::new(start));
    let clock = now_cell.clone();
    p.drop = Box::new(move |_, _| clock.get() < start + Duration::from_secs(120));
    let h = p
        .uac
        .register(p.now, registration(&p, "wonderland", 3600))
        .unwrap();
    p.deliver();
    while p.step(start + Duration::from_secs(600)) {
        now_cell.set(p.now);
        if !registered(&p).is_empty() {
            break;
        }
    }
    let f = failures(&p);
    assert!(!f.is_empty() && f.iter().all(|s| *s == 408), "{f:?}");
    assert_eq!(registered(&p), vec![Duration::from_secs(3600)]);
    assert!(bound(&p));
    assert_eq!(p.uac.registration(h).unwrap().failures, 0);
}

#[test]
fn interval_too_brief_is_raised_to_min_expires() {
    let mut p = pair();
    p.uac
        .register(p.now, registration(&p, "wonderland", 30))
        .unwrap();
    p.deliver();
    assert_eq!(p.count_on_wire(Side::Uas, "SIP/2.0 423"), 1);
    assert_eq!(registered(&p), vec![Duration::from_secs(60)]);
    assert!(failures(&p).is_empty());
}

#[test]
fn unregister_removes_the_binding() {
    let mut p = pair();
    let h = p
        .uac
        .register(p.now, registration(&p, "wonderland", 120))
        .unwrap();
    p.deliver();
    assert!(bound(&p));
    p.run_for(Duration::from_secs(5));
    p.uac.unregister(p.now, h).unwrap();
    assert_eq!(state(&p, h), RegistrationState::Unregistering);
    assert_eq!(
        p.uac.unregister(p.now, h),
        Err(RegistrationError::Unregistering(h))
    );
    p.deliver();
    assert!(!bound(&p));
    assert!(p
        .uac_events
        .contains(&Event::Unregistered { registration: h }));
    assert!(p.uac.registration(h).is_none());
    // No refresh is left behind.
    p.run_for(Duration::from_secs(600));
    assert_eq!(registered(&p).len(), 1);
    assert_eq!(
        p.uac.unregister(p.now, h),
        Err(RegistrationError::UnknownRegistration(h))
    );
}

#[test]
fn challenge_without_credentials_fails() {
    let mut p = pair();
    let mut r = registration(&p, "", 120);
    r.credentials = None;
    p.uac.register(p.now, r).unwrap();
    p.deliver();
    assert_eq!(failures(&p), vec![401]);
    assert_eq!(p.count_on_wire(Side::Uac, "REGISTER"), 1);
}

#[test]
fn bad_arguments_are_refused() {
    let mut p = pair();
    let mut r = registration(&p, "x", 120);
    r.aor = Uri::parse("sip:192.0.2.20").unwrap();
    assert!(matches!(
        p.uac.register(p.now, r),
        Err(RegistrationError::InvalidAor(_))
    ));
    let mut r = registration(&p, "x", 120);
    r.contact_user = "a@b".into();
    assert!(matches!(
        p.uac.register(p.now, r),
        Err(RegistrationError::InvalidContactUser(_))
    ));
    let r = registration(&p, "x", 0);
    assert_eq!(
        p.uac.register(p.now, r),
        Err(RegistrationError::ZeroExpires)
    );
}
