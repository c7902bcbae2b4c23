//! SIP and RTP over IPv6 (`sipp [::1]:port -i ::1`): the gateway listens on
//! `[::1]`, a call to a busy number is answered 486 and one to the call centre
//! is connected (SDP `c=IN IP6`) and ended by the far end.

use std::time::Duration;

use gateway_tests::config::board;
use gateway_tests::gateway::Gateway;
use gateway_tests::sipp::Sipp;
use gateway_tests::{require, require_ipv6_loopback};

#[test]
fn calls_over_ipv6() {
    if !require(&["sipp"]) || !require_ipv6_loopback() {
        return;
    }
    let config = board("sip:agent@127.0.0.1:9", "none")
        .replacen(
            "listen = \"127.0.0.1:0\"\nallow",
            "listen = \"[::1]:0\"\nallow",
            1,
        )
        .replacen("address = \"127.0.0.1\"", "address = \"::1\"", 1);
    assert!(config.contains("[::1]:0"));
    let gw = Gateway::start(&config);
    assert!(gw.sip.is_ipv6(), "{}", gw.sip);

    let busy = Sipp::start_from(
        "::1",
        "uac_busy.xml",
        Some(gw.sip),
        &["-s", "5550100", "-m", "1"],
    );
    let outcome = busy.wait(Duration::from_secs(60));
    assert_eq!(
        outcome.code,
        Some(0),
        "sipp failed:\n{}\n{}",
        outcome.errors,
        outcome.messages
    );
    assert!(outcome.messages.contains("SIP/2.0 486 Busy Here"));

    let centre = Sipp::start_from(
        "::1",
        "uac_call_centre.xml",
        Some(gw.sip),
        &[
            "-s",
            "1800",
            "-m",
            "1",
            "-key",
            "rtp_port",
            "9",
            "-key",
            "session_id",
            "sess-v6-1",
        ],
    );
    let outcome = centre.wait(Duration::from_secs(60));
    assert_eq!(
        outcome.code,
        Some(0),
        "sipp failed:\n{}\n{}",
        outcome.errors,
        outcome.messages
    );
    let m = &outcome.messages;
    assert!(m.contains("c=IN IP6 ::1"), "the answer is IPv6: {m}");
    assert!(m.contains("Contact: <sip:1800@[::1]:"), "{m}");
    assert!(m.contains("BYE sip:"), "{m}");
}
