//! The real gateway binary on the hardware board with one FXO port on an AT
//! voice modem. The modem is simulated by this test on the master side of a
//! pseudo-terminal whose slave path is the port's serial device: it answers the
//! initialisation, reports RING with caller ID, lets the gateway go off hook
//! into voice, counts the voice data the gateway streams to it, and reports the
//! far end hanging up. sipp is the port's inbound
//! URI: the INVITE it gets carries the caller's number and name from the
//! modem's caller ID report, and the call ends with a BYE when the line drops.
//!
//! Linux implementation throughout (a real pty, the gateway's serial driver,
//! real UDP); real time, with bounded readiness waits only.

use std::net::UdpSocket;
use std::time::Duration;

use gateway_tests::gateway::Gateway;
use gateway_tests::pty::Pty;
use gateway_tests::require;
use gateway_tests::rtp_capture::RtpCapture;
use gateway_tests::sipp::Sipp;

const DLE: char = '\u{10}';
const ETX: char = '\u{3}';

fn config(inbound_uri: &str, modem: &str) -> String {
    format!(
        r#"
[log]
level = "debug"

[sip]
listen = "127.0.0.1:0"
allow_unauthenticated = true

[rtp]
address = "127.0.0.1"
port_base = 0

[api]
listen = "127.0.0.1:0"

[console]
device = "none"

[board]
kind = "hardware"

[[ports]]
port = 0
kind = "fxo"
ani = "4155550100"
inbound_uri = "{inbound_uri}"

[hardware]
[[hardware.ports]]
kind = "fxo"
audio = "modem"
[hardware.ports.signalling.modem]
device = "{modem}"
command_timeout_ms = 10000
"#
    )
}

/// Voice data bytes required from the gateway: half a second at 8 kHz, 8 bits.
const VOICE_BYTES: usize = 4000;

/// How many voice data bytes a DLE-shielded stream holds (V.253 §9.3:
/// `<DLE><DLE>` is one data byte 0x10, `<DLE>x` a code, not data).
fn voice_data(stream: &[u8]) -> usize {
    let dle = DLE as u8;
    let mut data = 0;
    let mut escaped = false;
    for &b in stream {
        if escaped {
            escaped = false;
            data += usize::from(b == dle);
        } else if b == dle {
            escaped = true;
        } else {
            data += 1;
        }
    }
    data
}

/// Wait for the gateway's `command` on the modem line, then answer `reply`.
fn answer(modem: &Pty, command: &str, reply: &str) {
    let heard = modem.read_until(&format!("{command}\r"), Duration::from_secs(10));
    assert!(
        heard.contains(&format!("{command}\r")),
        "expected {command:?} on the modem line, heard {heard:?}"
    );
    modem.write(reply);
}

#[test]
fn a_ring_with_modem_caller_id_calls_the_client_with_the_callers_number() {
    if !require(&["sipp"]) {
        return;
    }
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
    let modem = Pty::open();
    let gw = Gateway::start(&config(
        &format!("sip:agent@127.0.0.1:{uas_port}"),
        &modem.path.display().to_string(),
    ));

    for command in ["ATZ", "AT+FCLASS=8", "AT+VCID=1", "AT+VSM=1,8000"] {
        answer(&modem, command, "\r\nOK\r\n");
    }
    // The exchange rings; the modem reports caller ID after the first ring.
    modem.write(
        "\r\nRING\r\n\r\nDATE = 0321\r\nTIME = 1405\r\nNMBR = 5551234\r\nNAME = ALICE SMITH\r\n",
    );

    // sipp answers the INVITE: the gateway takes the line off hook, into voice.
    answer(&modem, "AT+VLS=1", "\r\nOK\r\n");
    answer(&modem, "AT+VTR", "\r\nCONNECT\r\n");
    // The gateway streams the line's audio to the modem: 8-bit samples at
    // 8 kHz (AT+VSM=1,8000), DLE-shielded, 160 per 20 ms tick. Half a second
    // of it must come within the (real-time) deadline.
    let voice = modem.read_bytes_until(|b| voice_data(b) >= VOICE_BYTES, Duration::from_secs(5));
    assert!(
        voice_data(&voice) >= VOICE_BYTES,
        "the gateway streams voice to the modem: {} data bytes of {} read",
        voice_data(&voice),
        voice.len()
    );
    // Then the far end hangs up: loop current interruption.
    modem.write(&format!("{DLE}l"));
    // The gateway ends the voice stream and hangs up.
    let heard = modem.read_until(&format!("{DLE}{ETX}"), Duration::from_secs(10));
    assert!(heard.contains(&format!("{DLE}{ETX}")), "{heard:?}");
    modem.write(&format!("{DLE}{ETX}\r\nOK\r\n"));
    answer(&modem, "ATH", "\r\nOK\r\n");

    let outcome = sipp.wait(Duration::from_secs(30));
    assert_eq!(
        outcome.code,
        Some(0),
        "sipp failed:\n{}\n{}\n{}",
        outcome.errors,
        outcome.messages,
        gw.log()
    );
    assert!(
        outcome.messages.contains("\"ALICE SMITH\" <sip:5551234@"),
        "caller ID in From: {}",
        outcome.messages
    );
    let log = gw.log();
    assert!(log.contains("modem caller ID"), "{log}");
    assert!(!log.contains("panicked"), "{log}");
    drop(rtp);
}
