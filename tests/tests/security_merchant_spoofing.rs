//! Issue 22 item 3 against the real binary: account `mallory` places a call
//! saying `X-Merchant-Id: shop-1` (sipp's authenticated call-centre
//! scenario). It is refused, shop-1 sees nothing of it, and the record says
//! which account tried.

use std::time::Duration;

use gateway_tests::config::{
    board_authenticated, merchants, ACCOUNT_PASSWORD, ADMIN_TOKEN, SHOP1_TOKEN,
};
use gateway_tests::gateway::Gateway;
use gateway_tests::sipp::Sipp;
use gateway_tests::{http, require, wait_for};

const MALLORY_PASSWORD: &str = "steal-Carts-9";

#[test]
fn an_account_cannot_place_calls_as_another_merchant() {
    if !require(&["sipp"]) {
        return;
    }
    // alice is shop-1's agent; mallory is shop-2's.
    let config = board_authenticated("sip:agent@127.0.0.1:9", "none", "[\"MD5\"]").replacen(
        &format!("password = \"{ACCOUNT_PASSWORD}\"\n"),
        &format!(
            "password = \"{ACCOUNT_PASSWORD}\"\nmerchant = \"shop-1\"\n\n\
             [[sip.accounts]]\nuser = \"mallory\"\npassword = \"{MALLORY_PASSWORD}\"\n\
             merchant = \"shop-2\"\n"
        ),
        1,
    ) + &merchants(None)
        + "\n[records]\npath = \"@DIR@/calls.jsonl\"\n";
    let gw = Gateway::start(&config);
    let auth_uri = format!("1800@{}", gw.sip);
    let sipp = Sipp::start(
        "uac_auth_call_centre.xml",
        Some(gw.sip),
        &[
            "-s",
            "1800",
            "-m",
            "1",
            "-au",
            "mallory",
            "-ap",
            MALLORY_PASSWORD,
            "-auth_uri",
            &auth_uri,
            "-key",
            "rtp_port",
            "9",
            "-key",
            "session_id",
            "sess-shop1-victim",
        ],
    );
    let outcome = sipp.wait(Duration::from_secs(30));
    let m = &outcome.messages;
    assert!(
        m.contains("SIP/2.0 403 Forbidden (not this account's merchant)"),
        "{m}"
    );
    assert!(
        !m.contains("SIP/2.0 200"),
        "the spoofed call was answered: {m}"
    );
    assert!(!gw.log().contains("seizing line"), "a line was seized");
    assert!(gw.log().contains("merchant spoofing refused"));

    // The record names mallory, not shop-1, and keeps no session.
    let record = wait_for(Duration::from_secs(10), || {
        let (status, body) = http::get_as(gw.api, "/api/v1/records", Some(ADMIN_TOKEN)).ok()?;
        (status == 200 && body.contains("mallory")).then_some(body)
    })
    .expect("the refused call is recorded");
    let record: serde_json::Value = serde_json::from_str(record.lines().next().unwrap()).unwrap();
    assert_eq!(record["account"], "mallory");
    assert_eq!(record["merchant_id"], "shop-2");
    assert_eq!(record["session_id"], serde_json::Value::Null);
    assert_eq!(record["end_reason"], "rejected 403");
    // shop-1's CRM sees nothing of it.
    let (status, body) = http::get_as(gw.api, "/api/v1/records", Some(SHOP1_TOKEN)).unwrap();
    assert_eq!(status, 200);
    assert!(body.trim().is_empty(), "{body}");
}
