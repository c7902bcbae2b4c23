//! Issue 22 item 2 against the real binary: a password guesser spreading its
//! guesses over several source addresses, and a configuration with a weak
//! account password.

mod security_support;

use std::net::{SocketAddr, UdpSocket};
use std::process::Command;
use std::time::Duration;

use gateway_tests::config::{board_authenticated, ACCOUNT_PASSWORD, ACCOUNT_USER};
use gateway_tests::gateway::{binary, tempdir::Dir, Gateway};
use gateway_tests::wait_for;
use security_support::{recv_matching, register};
use sip::auth::digest::{authorization, Challenge};

/// One guess: REGISTER, take the 401's challenge, answer it with
/// `password`; the final status.
fn guess(s: &UdpSocket, gw: SocketAddr, password: &str, n: u32) -> u16 {
    let local = s.local_addr().unwrap();
    s.send_to(register(ACCOUNT_USER, local, gw, n, "").as_bytes(), gw)
        .unwrap();
    let (answer, _) = recv_matching(s, Duration::from_secs(5), |t| {
        t.starts_with("SIP/2.0 401") && t.contains(&format!("branch=z9hG4bK-reg-{n};"))
    })
    .expect("a challenge");
    let value = security_support::header(&answer, "WWW-Authenticate").expect("challenge");
    let challenge = Challenge::parse(value).expect("a Digest challenge");
    let uri = format!("sip:{gw}");
    let auth = authorization(
        &challenge,
        ACCOUNT_USER,
        password,
        "REGISTER",
        &uri,
        "cafe",
        1,
    );
    let n2 = n + 100_000;
    s.send_to(
        register(
            ACCOUNT_USER,
            local,
            gw,
            n2,
            &format!("Authorization: {auth}\r\n"),
        )
        .as_bytes(),
        gw,
    )
    .unwrap();
    let (final_answer, _) = recv_matching(s, Duration::from_secs(5), |t| {
        t.contains(&format!("branch=z9hG4bK-reg-{n2};")) && !t.starts_with("SIP/2.0 100")
    })
    .expect("a final answer");
    final_answer[8..11].parse().expect("a status")
}

#[test]
fn guesses_from_several_addresses_back_off_the_account() {
    let addrs = ["127.0.0.1", "127.0.0.2", "127.0.0.3"];
    let sockets: Vec<UdpSocket> = match addrs
        .iter()
        .map(|a| UdpSocket::bind((*a, 0)))
        .collect::<Result<_, _>>()
    {
        Ok(s) => s,
        Err(_) => {
            gateway_tests::peers::missing(
                "127.0.0.2 or 127.0.0.3 cannot be bound (Linux routes all of 127.0.0.0/8 to lo)",
            );
            return;
        }
    };
    for s in &sockets {
        s.set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
    }
    let gw = Gateway::start(&board_authenticated(
        "sip:agent@127.0.0.1:9",
        "none",
        "[\"SHA-256\", \"MD5\"]",
    ));
    // Six wrong guesses, two from each address: all 403.
    for n in 0..6u32 {
        let s = &sockets[n as usize % sockets.len()];
        assert_eq!(guess(s, gw.sip, "not-the-password-1", n), 403);
    }
    // The seventh is the right password, from yet another address: it is not
    // even checked (the account and the sources' /24 back off), so a guesser
    // cannot tell it was right.
    let fresh = UdpSocket::bind("127.0.0.4:0").unwrap_or_else(|_| sockets[0].try_clone().unwrap());
    fresh
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    assert_eq!(guess(&fresh, gw.sip, ACCOUNT_PASSWORD, 6), 403);
    let log = gw.log();
    assert!(
        log.contains("authentication failures: backing off"),
        "{log}"
    );
    assert!(log.contains("account \"alice\""), "{log}");
    assert!(log.contains("127.0.0.0/24"), "{log}");
    // A back-off, not a lock-out: the owner gets in once it has passed (1 s).
    let mut n = 7;
    wait_for(Duration::from_secs(10), || {
        n += 1;
        (guess(&fresh, gw.sip, ACCOUNT_PASSWORD, n) == 200).then_some(())
    })
    .expect("the right password works after the back-off");
}

#[test]
fn a_weak_account_password_is_refused_at_load() {
    let dir = Dir::new("weak-secret");
    let path = dir.path().join("weak.toml");
    let config = board_authenticated("sip:agent@127.0.0.1:9", "none", "[\"MD5\"]")
        .replace("@DIR@", &dir.path().display().to_string())
        .replace(ACCOUNT_PASSWORD, "1234");
    std::fs::write(&path, config).unwrap();
    let out = Command::new(binary())
        .arg("--config")
        .arg(&path)
        .arg("--check")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("sip.accounts[0].password"), "{stderr}");
    assert!(stderr.contains("too weak"), "{stderr}");
    assert!(
        !stderr.contains("1234"),
        "the secret is not echoed: {stderr}"
    );
}
