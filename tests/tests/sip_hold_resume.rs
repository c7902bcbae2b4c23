//! re-INVITE hold and resume (RFC 3264 §8.4) with sipp: `sendonly` is
//! answered `recvonly`, `inactive` is answered `inactive`, `sendrecv` resumes;
//! the call then ends with the client's BYE.

use std::time::Duration;

use gateway_tests::config::board;
use gateway_tests::gateway::Gateway;
use gateway_tests::require;
use gateway_tests::sipp::Sipp;

#[test]
fn client_holds_and_resumes() {
    if !require(&["sipp"]) {
        return;
    }
    let gw = Gateway::start(&board("sip:agent@127.0.0.1:9", "none"));
    let sipp = Sipp::start(
        "uac_hold_resume.xml",
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
            "sess-hold-1",
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
    assert_eq!(m.matches("a=recvonly").count(), 1, "{m}");
    assert!(m.contains("CSeq: 4 INVITE"), "{m}");
    let log = gw.log();
    assert!(log.contains("session modified by re-INVITE"), "{log}");
    assert!(
        log.contains("remote=\"sendonly\"") || log.contains("remote=sendonly"),
        "{log}"
    );
}
