//! CANCEL of a ringing call, and calls that only complete through
//! retransmissions because sipp loses packets on purpose.

use std::time::Duration;

use gateway_tests::config::{board, ANI0};
use gateway_tests::gateway::Gateway;
use gateway_tests::sipp::Sipp;
use gateway_tests::{http, require, wait_for};

const NOBODY: &str = r#"
[[simulation.subscribers]]
number = "5550101"
name = "Nobody home"
behaviour = "no-answer"
"#;

#[test]
fn cancelling_a_ringing_call_releases_the_line() {
    if !require(&["sipp"]) {
        return;
    }
    let gw = Gateway::start(&format!(
        "{}{NOBODY}",
        board("sip:agent@127.0.0.1:9", "none")
    ));
    let outcome = Sipp::start(
        "uac_cancel.xml",
        Some(gw.sip),
        &["-s", "5550101", "-m", "1"],
    )
    .wait(Duration::from_secs(40));
    assert_eq!(
        outcome.code,
        Some(0),
        "{}\n{}",
        outcome.errors,
        outcome.messages
    );
    assert!(outcome.messages.contains("SIP/2.0 487"));
    // The FXO port went back on hook.
    let idle = wait_for(Duration::from_secs(5), || {
        let (_, body) = http::get(gw.api, "/api/v1/ports").ok()?;
        let v: serde_json::Value = serde_json::from_str(&body).ok()?;
        let port = v["ports"]
            .as_array()?
            .iter()
            .find(|p| p["ani"] == ANI0)?
            .clone();
        (port["state"] == "idle").then_some(())
    });
    assert!(idle.is_some(), "port 0 is idle again:\n{}", gw.log());
    assert!(gw.log().contains("caller cancelled"));
}

#[test]
fn calls_complete_through_retransmissions_under_loss() {
    if !require(&["sipp"]) {
        return;
    }
    let gw = Gateway::start(&board("sip:agent@127.0.0.1:9", "none"));
    // 30 calls to a number without a route (404 at once), with sipp losing 20 %
    // of the packets it sends and receives: INVITE, 404 and ACK must all be
    // retransmitted as RFC 3261 §17 says for every call to end properly.
    let outcome = Sipp::start(
        "uac_not_found.xml",
        Some(gw.sip),
        &[
            "-s",
            "alice",
            "-m",
            "30",
            "-r",
            "10",
            "-lost",
            "20",
            "-max_retrans",
            "10",
        ],
    )
    .wait(Duration::from_secs(120));
    assert_eq!(outcome.code, Some(0), "{}", outcome.errors);
    // Without loss each call is one INVITE and one 404; losses (random, either
    // way) are made up by sipp resending INVITEs or the gateway resending 404s.
    let invites = outcome.messages.matches("INVITE sip:alice").count();
    let not_found = outcome.messages.matches("SIP/2.0 404").count();
    assert!(
        invites + not_found > 60,
        "losses forced retransmissions ({invites} INVITEs, {not_found} 404s)"
    );
}
