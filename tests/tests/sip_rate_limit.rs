//! A flood from one source (sipp on 127.0.0.2, 300 OPTIONS/s) is rate-limited
//! (503 Rate Limited + Retry-After, then silence) while a client on 127.0.0.1
//! calls a busy line and gets its 486 as usual.

use std::time::Duration;

use gateway_tests::config::board;
use gateway_tests::gateway::Gateway;
use gateway_tests::sipp::Sipp;
use gateway_tests::{require, require_second_loopback};

#[test]
fn a_flooding_source_does_not_hurt_another() {
    if !require(&["sipp"]) || !require_second_loopback() {
        return;
    }
    let config = board("sip:agent@127.0.0.1:9", "none").replacen(
        "allow_unauthenticated = true\n",
        "allow_unauthenticated = true\nrate_limit_per_s = 20\nrate_limit_burst = 40\n",
        1,
    );
    let gw = Gateway::start(&config);
    let flood = Sipp::start_from(
        "127.0.0.2",
        "uac_options.xml",
        Some(gw.sip),
        &[
            "-s", "probe", "-r", "300", "-m", "900", "-l", "900", "-timeout", "20",
        ],
    );
    // The client starts once the flood is being limited: the flood's first
    // 503 is in sipp's trace.
    assert!(
        flood.wait_for_message("SIP/2.0 503 Rate Limited", Duration::from_secs(20)),
        "the flood got no 503 within 20 s"
    );
    let client = Sipp::start("uac_busy.xml", Some(gw.sip), &["-s", "5550100", "-m", "1"]);
    let outcome = client.wait(Duration::from_secs(60));
    assert_eq!(
        outcome.code,
        Some(0),
        "the client failed:\n{}\n{}",
        outcome.errors,
        outcome.messages
    );
    assert!(outcome.messages.contains("SIP/2.0 486 Busy Here"));
    let flood = flood.wait(Duration::from_secs(30));
    assert_ne!(flood.code, Some(0), "the flood went through unhindered");
    let m = &flood.messages;
    assert!(
        m.contains("SIP/2.0 503 Rate Limited"),
        "{}",
        &m[..m.len().min(4000)]
    );
    assert!(m.contains("Retry-After: 2"), "{}", &m[..m.len().min(4000)]);
    assert!(gw.log().contains("request rate limit exceeded"));
}
