//! SIP over TCP (`sipp -t t1`): a call to a busy number is answered 486 over
//! the connection the INVITE came on, and a call to the simulated call centre
//! runs to the far end's BYE (sent by the gateway over the same connection).

use std::time::Duration;

use gateway_tests::config::board;
use gateway_tests::gateway::Gateway;
use gateway_tests::require;
use gateway_tests::sipp::Sipp;

#[test]
fn calls_over_tcp() {
    if !require(&["sipp"]) {
        return;
    }
    let gw = Gateway::start(&board("sip:agent@127.0.0.1:9", "none"));
    let busy = Sipp::start(
        "uac_busy.xml",
        Some(gw.sip),
        &["-t", "t1", "-s", "5550100", "-m", "1"],
    );
    let outcome = busy.wait(Duration::from_secs(60));
    assert_eq!(
        outcome.code,
        Some(0),
        "sipp failed:\n{}\n{}",
        outcome.errors,
        outcome.messages
    );
    let m = &outcome.messages;
    assert!(m.contains("SIP/2.0 486 Busy Here"), "{m}");
    assert!(m.contains("Via: SIP/2.0/TCP"), "{m}");

    let centre = Sipp::start(
        "uac_call_centre.xml",
        Some(gw.sip),
        &[
            "-t",
            "t1",
            "-s",
            "1800",
            "-m",
            "1",
            "-key",
            "rtp_port",
            "9",
            "-key",
            "session_id",
            "sess-tcp-1",
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
    // The gateway's own requests (INFO, BYE) came over the connection, with
    // a TCP Via and a Contact that asks for TCP.
    assert!(m.contains("INFO sip:"), "{m}");
    assert!(m.contains("BYE sip:"), "{m}");
    assert!(m.contains(";transport=tcp>"), "{m}");
    let log = gw.log();
    assert!(!log.contains("SIP TCP framing broken"), "{log}");
}
