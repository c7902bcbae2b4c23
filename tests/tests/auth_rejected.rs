//! Toll-fraud attempt: a caller without credentials is challenged (401), a
//! caller with a wrong password is refused (403), and no line is seized.

use std::time::Duration;

use gateway_tests::config::{board_authenticated, ACCOUNT_USER};
use gateway_tests::gateway::Gateway;
use gateway_tests::sipp::Sipp;
use gateway_tests::{http, require};

#[test]
fn wrong_password_gets_401_then_403_and_no_line() {
    if !require(&["sipp"]) {
        return;
    }
    // Default algorithms would make sipp 3.6 give up on SHA-256; see auth_call.rs.
    let gw = Gateway::start(&board_authenticated(
        "sip:agent@127.0.0.1:9",
        "none",
        "[\"MD5\"]",
    ));
    let auth_uri = format!("1800@{}", gw.sip);
    let sipp = Sipp::start(
        "uac_auth_rejected.xml",
        Some(gw.sip),
        &[
            "-s",
            "1800",
            "-m",
            "1",
            "-au",
            ACCOUNT_USER,
            "-ap",
            "not-the-password",
            "-auth_uri",
            &auth_uri,
            "-key",
            "rtp_port",
            "9",
            "-key",
            "session_id",
            "fraud-1",
        ],
    );
    let outcome = sipp.wait(Duration::from_secs(30));
    assert_eq!(
        outcome.code,
        Some(0),
        "sipp failed:\n{}\n{}",
        outcome.errors,
        outcome.messages
    );
    let m = &outcome.messages;
    let challenged = m.find("SIP/2.0 401 Unauthorized").expect("a 401");
    let refused = m.find("SIP/2.0 403 Forbidden").expect("a 403");
    assert!(challenged < refused, "{m}");
    // Nothing reached a line.
    let log = gw.log();
    assert!(!log.contains("seizing line"), "{log}");
    assert!(log.contains("authentication failed, answered 403"), "{log}");
    let (status, body) = http::get(gw.api, "/api/v1/calls").unwrap();
    assert_eq!(status, 200);
    assert!(body.contains("\"calls\":[]"), "{body}");
}
