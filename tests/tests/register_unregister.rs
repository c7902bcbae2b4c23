//! A phone registers with Digest credentials, sees its binding with the
//! granted expiry, and unregisters with `Contact: *` / `Expires: 0`.

use std::time::Duration;

use gateway_tests::config::{board_authenticated, ACCOUNT_PASSWORD, ACCOUNT_USER};
use gateway_tests::gateway::Gateway;
use gateway_tests::require;
use gateway_tests::sipp::Sipp;

#[test]
fn register_then_unregister() {
    if !require(&["sipp"]) {
        return;
    }
    let gw = Gateway::start(&board_authenticated(
        "sip:agent@127.0.0.1:9",
        "none",
        "[\"MD5\"]",
    ));
    let sipp = Sipp::start(
        "uac_register.xml",
        Some(gw.sip),
        &[
            "-s",
            ACCOUNT_USER,
            "-m",
            "1",
            "-au",
            ACCOUNT_USER,
            "-ap",
            ACCOUNT_PASSWORD,
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
    assert!(m.contains("SIP/2.0 401 Unauthorized"), "{m}");
    // The unregister's 200 lists no binding any more: the last message has no Contact.
    let last_ok = m.rsplit("SIP/2.0 200 OK").next().unwrap();
    assert!(!last_ok.contains("Contact:"), "{last_ok}");
    assert!(gw.log().contains("REGISTER accepted"));
}
