//! A port's `inbound_uri` is `sip:alice@registrar`: when a simulated phone
//! calls that port, the gateway sends the INVITE to the contact alice
//! registered (with credentials), and the registered phone answers.

use std::net::UdpSocket;
use std::time::Duration;

use gateway_tests::config::{board_authenticated, ACCOUNT_PASSWORD, ACCOUNT_USER};
use gateway_tests::gateway::Gateway;
use gateway_tests::pty::Pty;
use gateway_tests::require;
use gateway_tests::rtp_capture::RtpCapture;
use gateway_tests::sipp::Sipp;

#[test]
fn a_call_reaches_the_registered_phone() {
    if !require(&["sipp"]) {
        return;
    }
    let phone_port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let pty = Pty::open();
    let gw = Gateway::start(&board_authenticated(
        &format!("sip:{ACCOUNT_USER}@registrar"),
        &pty.path.display().to_string(),
        "[\"MD5\"]",
    ));
    pty.read_until("gateway> ", Duration::from_secs(5));

    // Register from the phone's port, then answer calls on that same port.
    let register = Sipp::start(
        "uac_register_only.xml",
        Some(gw.sip),
        &[
            "-s",
            ACCOUNT_USER,
            "-m",
            "1",
            "-p",
            &phone_port,
            "-au",
            ACCOUNT_USER,
            "-ap",
            ACCOUNT_PASSWORD,
        ],
    );
    let registered = register.wait(Duration::from_secs(20));
    assert_eq!(
        registered.code,
        Some(0),
        "{}\n{}",
        registered.errors,
        registered.messages
    );

    let rtp = RtpCapture::start();
    let rtp_port = rtp.addr.port().to_string();
    let phone = Sipp::start(
        "uas_answer.xml",
        None,
        &["-p", &phone_port, "-m", "1", "-key", "rtp_port", &rtp_port],
    );
    pty.write("sim call customer 4155550100\r");
    let reply = pty.read_until("gateway> ", Duration::from_secs(5));
    assert!(
        reply.contains("customer is calling 4155550100"),
        "{reply:?}"
    );

    let outcome = phone.wait(Duration::from_secs(60));
    assert_eq!(
        outcome.code,
        Some(0),
        "the registered phone did not get the call:\n{}\n{}\n{}",
        outcome.errors,
        outcome.messages,
        gw.log()
    );
    assert!(outcome
        .messages
        .contains(&format!("INVITE sip:{ACCOUNT_USER}@127.0.0.1:")));
    assert!(!rtp.finish().is_empty(), "the phone got the caller's audio");
}
