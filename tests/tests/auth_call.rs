//! An IP client with an account calls the simulated call centre through a
//! gateway that demands Digest credentials: the first INVITE is challenged
//! (401), the second, with credentials, gets through to the line.
//!
//! sipp 3.6 answers only MD5 challenges and only the first one offered, and
//! its digest `uri` is `sip:` + `-auth_uri` (default: the remote address, not
//! the Request-URI, which the gateway refuses), hence `auth_algorithms =
//! ["MD5"]` and `-auth_uri`.

use std::time::Duration;

use gateway_tests::config::{board_authenticated, merchants, ACCOUNT_PASSWORD, ACCOUNT_USER};
use gateway_tests::gateway::Gateway;
use gateway_tests::require;
use gateway_tests::sipp::Sipp;

#[test]
fn authenticated_client_reaches_the_call_centre() {
    if !require(&["sipp"]) {
        return;
    }
    // The scenario says X-Merchant-Id: shop-1, so the account is shop-1's.
    let config = board_authenticated("sip:agent@127.0.0.1:9", "none", "[\"MD5\"]").replacen(
        &format!("password = \"{ACCOUNT_PASSWORD}\"\n"),
        &format!("password = \"{ACCOUNT_PASSWORD}\"\nmerchant = \"shop-1\"\n"),
        1,
    ) + &merchants(None);
    let gw = Gateway::start(&config);
    let auth_uri = format!("1800@{}", gw.sip);
    let sipp = Sipp::start(
        "uac_auth_call_centre.xml",
        Some(gw.sip),
        &[
            "-s",
            "1800",
            "-m",
            "1",
            "-au",
            ACCOUNT_USER,
            "-ap",
            ACCOUNT_PASSWORD,
            "-auth_uri",
            &auth_uri,
            "-key",
            "rtp_port",
            "9",
            "-key",
            "session_id",
            "sess-auth-1",
        ],
    );
    let outcome = sipp.wait(Duration::from_secs(60));
    assert_eq!(
        outcome.code,
        Some(0),
        "sipp failed:\n{}\n{}",
        outcome.errors,
        outcome.messages
    );
    let m = &outcome.messages;
    assert!(m.contains("SIP/2.0 401 Unauthorized"), "{m}");
    assert!(
        m.contains("WWW-Authenticate: Digest realm=\"gateway\""),
        "{m}"
    );
    assert!(m.contains("algorithm=MD5, qop=\"auth\""), "{m}");
    assert!(
        m.contains("Authorization: Digest username=\"alice\""),
        "{m}"
    );
    assert!(m.contains("INFO sip:"), "the call reached the agent: {m}");
    assert!(gw.log().contains("seizing line"));
}
