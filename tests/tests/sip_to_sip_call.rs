//! An IP client calls a number whose `[[routes]] uri` is another IP client:
//! the gateway bridges the two SIP legs without a line port. sipp as UAC
//! calls, holds and resumes (answered by the gateway's SIP core) and hangs
//! up; sipp as UAS is rung, answers, gets RTP on its own transport and is
//! sent BYE when the caller hangs up.

use std::net::UdpSocket;
use std::time::Duration;

use gateway_tests::config::board;
use gateway_tests::gateway::Gateway;
use gateway_tests::have;
use gateway_tests::rtp_capture::RtpCapture;
use gateway_tests::sipp::Sipp;

#[test]
fn an_ip_client_is_bridged_to_another() {
    if !have("sipp") {
        eprintln!("sipp is not installed (run scripts/test.sh); skipping");
        return;
    }
    let uas_port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let callee_rtp = RtpCapture::start();
    let callee_rtp_port = callee_rtp.addr.port().to_string();
    let uas = Sipp::start(
        "uas_answer_bridged.xml",
        None,
        &[
            "-p",
            &uas_port.to_string(),
            "-m",
            "1",
            "-key",
            "rtp_port",
            &callee_rtp_port,
        ],
    );
    let default_route = "[[routes]]\nprefix = \"\"\n";
    let config = board("sip:agent@127.0.0.1:9", "none").replacen(
        default_route,
        &format!("[[routes]]\nprefix = \"5\"\nuri = \"sip:agent@127.0.0.1:{uas_port}\"\n\n{default_route}"),
        1,
    );
    assert!(
        config.contains("uri = "),
        "the board has a default route to put a uri route before"
    );
    let gw = Gateway::start(&config);
    let uac = Sipp::start(
        "uac_hold_resume.xml",
        Some(gw.sip),
        &[
            "-s",
            "500",
            "-m",
            "1",
            "-key",
            "rtp_port",
            "9",
            "-key",
            "session_id",
            "sess-sip-sip-1",
        ],
    );
    let caller = uac.wait(Duration::from_secs(60));
    assert_eq!(
        caller.code,
        Some(0),
        "caller sipp failed:\n{}\n{}",
        caller.errors,
        caller.messages
    );
    let callee = uas.wait(Duration::from_secs(20));
    assert_eq!(
        callee.code,
        Some(0),
        "callee sipp failed:\n{}\n{}",
        callee.errors,
        callee.messages
    );
    let packets = callee_rtp.finish();
    assert!(!packets.is_empty(), "the callee got RTP from its leg");
    let log = gw.log();
    assert!(log.contains("calling the route's URI"), "{log}");
    assert!(
        !log.contains("seizing line"),
        "no line port was used:\n{log}"
    );
}
