//! Interop with a real softphone: Debian's `linphonec` (liblinphone 5.1)
//! registers to the gateway with Digest credentials (the gateway offers its
//! default SHA-256 and MD5), calls the simulated call centre through port 0,
//! and is reached by a simulated phone calling port 0 (whose `inbound_uri` is
//! `sip:alice@registrar`). Headless: `soundcard use files`, a WAV file as the
//! microphone (a quiet 440 Hz tone) and a WAV file for what it hears.

use std::time::Duration;

use gateway_tests::audio;
use gateway_tests::config::{board_authenticated, ACCOUNT_PASSWORD, ACCOUNT_USER};
use gateway_tests::gateway::Gateway;
use gateway_tests::pty::Pty;
use gateway_tests::softphone::{
    api_calls, console, from_first_sound, read_wav, wait_call_state, wait_registered,
    write_tone_wav, Linphonec,
};
use gateway_tests::{require, wait_for};

fn start() -> Option<(Pty, Gateway, Linphonec)> {
    if !require(&["linphonec"]) {
        return None;
    }
    let pty = Pty::open();
    let gw = Gateway::start(&board_authenticated(
        &format!("sip:{ACCOUNT_USER}@registrar"),
        &pty.path.display().to_string(),
        "[\"SHA-256\", \"MD5\"]",
    ));
    pty.read_until("gateway> ", Duration::from_secs(5));
    let mut phone = Linphonec::start(gw.sip, ACCOUNT_USER, ACCOUNT_PASSWORD, "gateway");
    let shown = wait_registered(&pty, ACCOUNT_USER, phone.sip_port, Duration::from_secs(20))
        .unwrap_or_else(|| {
            panic!(
                "linphonec did not register:\n{}",
                console(&pty, "show sip registrations")
            )
        });
    assert!(
        shown.contains(&format!("sip:{ACCOUNT_USER}@127.0.0.1:{}", phone.sip_port)),
        "{shown}"
    );
    // It answered the SHA-256 challenge (offered first).
    assert!(
        phone
            .log()
            .contains("algorithm=SHA-256, username=\"alice\""),
        "linphonec did not use SHA-256"
    );
    let tone = phone.file("tone.wav");
    write_tone_wav(&tone, 440.0, 1000.0, 60);
    phone.command(&format!("play {}", tone.display()));
    phone.command(&format!("record {}", phone.file("heard.wav").display()));
    Some((pty, gw, phone))
}

/// What linphonec recorded, from the first sound on.
fn heard(phone: &Linphonec) -> Vec<i16> {
    let pcm = wait_for(Duration::from_secs(5), || {
        read_wav(&phone.file("heard.wav"))
    })
    .expect("linphonec's recording");
    from_first_sound(&pcm, 1000, 4000).to_vec()
}

#[test]
fn linphonec_registers_and_calls_the_call_centre() {
    let Some((_pty, gw, mut phone)) = start() else {
        return;
    };
    let target = format!("sip:1800@{}", gw.sip);
    phone.command(&format!("call {target}"));

    let call = wait_call_state(gw.api, 0, "to-line", "connected", Duration::from_secs(30))
        .unwrap_or_else(|| panic!("no connected call: {:?}", api_calls(gw.api)));
    assert_eq!(call["dialled"], "1800");
    assert_eq!(call["media"]["codec"], "PCMU");
    assert!(
        phone.wait_output(
            &format!("Call 1 with {target} connected."),
            Duration::from_secs(10)
        ),
        "{}",
        phone.output()
    );

    // The call centre hangs up after 7 s; the gateway's BYE ends the call.
    assert!(
        phone.wait_output("ended", Duration::from_secs(30)),
        "{}",
        phone.output()
    );
    wait_for(Duration::from_secs(10), || {
        api_calls(gw.api).is_empty().then_some(())
    })
    .expect("the gateway has no call left");

    // "12" arrived as RFC 4733 events; "*76" is a command (INFO), not DTMF.
    let out = phone.output();
    assert!(
        out.contains(&format!("Receiving tone 1 from {target}"))
            && out.contains(&format!("Receiving tone 2 from {target}")),
        "{out}"
    );
    for d in ["*", "7", "6"] {
        assert!(
            !out.contains(&format!("Receiving tone {d} ")),
            "the command's digit {d} leaked: {out}"
        );
    }
    let log = gw.log();
    assert!(
        log.contains("commands=[\"*76\"]"),
        "the command was recorded"
    );
    assert!(
        !log.contains("command INFO failed"),
        "linphonec accepts the command INFO"
    );

    // Audio both ways.
    let tone = heard(&phone);
    assert!(tone.len() >= 4000, "linphonec heard (almost) nothing");
    assert_eq!(audio::strongest(&tone, &[440.0, 1000.0]), 1000.0);
    assert!(audio::rms_dbm0(&tone) > -16.0);
    let far = std::fs::read_dir(gw.path())
        .expect("gateway dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.to_string_lossy().ends_with("-port0-1800.wav"))
        .expect("the call centre's recording");
    let far = read_wav(&far).expect("a WAV");
    let sent = from_first_sound(&far, 300, 8000);
    assert!(sent.len() >= 8000, "the call centre heard (almost) nothing");
    assert_eq!(audio::strongest(sent, &[440.0, 1000.0]), 440.0);
}

#[test]
fn a_phone_call_reaches_linphonec_which_answers() {
    let Some((pty, gw, mut phone)) = start() else {
        return;
    };
    phone.command("autoanswer enable");
    assert!(
        phone.wait_output("Auto answer enabled", Duration::from_secs(5)),
        "{}",
        phone.output()
    );
    let reply = console(&pty, "sim call customer 4155550100");
    assert!(
        reply.contains("customer is calling 4155550100"),
        "{reply:?}"
    );

    let call = wait_call_state(gw.api, 0, "from-line", "connected", Duration::from_secs(30))
        .unwrap_or_else(|| panic!("no connected call: {:?}", api_calls(gw.api)));
    assert_eq!(call["media"]["codec"], "PCMU");
    assert!(
        phone.wait_output("connected.", Duration::from_secs(10)),
        "{}",
        phone.output()
    );
    let out = phone.output();
    assert!(out.contains("2125550199"), "caller ID: {out}");

    // The caller hangs up after 4 s: the gateway's BYE ends the call.
    assert!(
        phone.wait_output("ended", Duration::from_secs(30)),
        "{}",
        phone.output()
    );
    wait_for(Duration::from_secs(10), || {
        api_calls(gw.api).is_empty().then_some(())
    })
    .expect("the gateway has no call left");

    let tone = heard(&phone);
    assert!(tone.len() >= 4000, "linphonec heard (almost) nothing");
    assert_eq!(audio::strongest(&tone, &[440.0, 1000.0]), 1000.0);
    assert!(audio::rms_dbm0(&tone) > -16.0);
}
