//! A simulated phone calls a port's number; the SIP client configured as that
//! port's inbound URI (sipp as UAS) rings, answers and gets the caller's audio.
//! The call is placed from the gateway's console on a pty, and the console shows
//! it with `show calls` while it is up.

use std::net::UdpSocket;
use std::time::Duration;

use gateway_tests::audio;
use gateway_tests::config::{board, ANI0};
use gateway_tests::gateway::Gateway;
use gateway_tests::pty::Pty;
use gateway_tests::rtp_capture::RtpCapture;
use gateway_tests::sipp::Sipp;
use gateway_tests::{http, require, wait_for};

#[test]
fn a_phone_calls_in_and_the_ip_client_gets_audio() {
    if !require(&["sipp"]) {
        return;
    }
    // A free port for sipp's SIP socket.
    let uas_port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let rtp = RtpCapture::start();
    let rtp_port = rtp.addr.port().to_string();
    let sipp = Sipp::start(
        "uas_answer.xml",
        None,
        &[
            "-p",
            &uas_port.to_string(),
            "-m",
            "1",
            "-key",
            "rtp_port",
            &rtp_port,
        ],
    );
    let pty = Pty::open();
    let gw = Gateway::start(&board(
        &format!("sip:agent@127.0.0.1:{uas_port}"),
        &pty.path.display().to_string(),
    ));
    pty.read_until("gateway> ", Duration::from_secs(5));

    pty.write("sim call customer 4155550100\r");
    let reply = pty.read_until("gateway> ", Duration::from_secs(5));
    assert!(
        reply.contains("customer is calling 4155550100"),
        "{reply:?}"
    );

    // The call is connected once the client answered; the console shows it.
    wait_for(Duration::from_secs(20), || {
        let (status, body) = http::get(gw.api, &format!("/api/v1/ani/{ANI0}")).ok()?;
        (status == 200 && body.contains("\"connected\"")).then_some(())
    })
    .expect("the call connects");
    pty.write("show calls\r");
    let shown = pty.read_until("gateway> ", Duration::from_secs(5));
    assert!(shown.contains("from-line"), "{shown:?}");
    assert!(shown.contains("connected"), "{shown:?}");
    assert!(shown.contains("sip:agent@127.0.0.1"), "{shown:?}");
    // Abbreviated, and an unknown command gets a one-line error.
    pty.write("sh po\r");
    let ports = pty.read_until("gateway> ", Duration::from_secs(5));
    assert!(
        ports.contains(ANI0) && ports.contains("connected"),
        "{ports:?}"
    );
    pty.write("frobnicate\r");
    let err = pty.read_until("gateway> ", Duration::from_secs(5));
    assert!(err.contains("% unknown command"), "{err:?}");

    // The caller hangs up after 4 s: the gateway sends BYE and sipp ends cleanly.
    let outcome = sipp.wait(Duration::from_secs(40));
    assert_eq!(
        outcome.code,
        Some(0),
        "sipp failed:\n{}\n{}",
        outcome.errors,
        outcome.messages
    );
    assert!(
        outcome.messages.contains("INVITE sip:agent@127.0.0.1"),
        "{}",
        outcome.messages
    );
    // The caller ID the exchange sent after the first ring names the caller.
    assert!(
        outcome.messages.contains("\"customer\" <sip:2125550199@"),
        "caller ID in From: {}",
        outcome.messages
    );

    // The client heard the caller: the phone's 1 kHz tone.
    let pcm = audio::decode(&rtp.finish(), 0);
    let start = pcm
        .iter()
        .position(|s| s.unsigned_abs() > 1000)
        .expect("audio is not silent");
    let heard = &pcm[start..(start + 8000).min(pcm.len())];
    assert_eq!(
        audio::strongest(heard, &[440.0, 697.0, 1000.0, 1209.0, 1400.0]),
        1000.0
    );
    assert!(
        audio::rms_dbm0(heard) > -16.0,
        "the -10 dBm0 tone arrives at about its level"
    );
    drop(gw);
}
