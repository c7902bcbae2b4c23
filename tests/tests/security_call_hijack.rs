//! Issue 22 item 1, performed against the real binary: predicting the
//! gateway's identifiers from one it gave out, and answering its INVITE to
//! an agent from another address with the exact branch, tags and Call-ID.

mod security_support;

use std::time::Duration;

use gateway_tests::config::{board, board_authenticated, ANI0};
use gateway_tests::gateway::Gateway;
use gateway_tests::pty::Pty;
use gateway_tests::rtp_capture::RtpCapture;
use gateway_tests::{http, wait_for};
use security_support::{header, param, recv_matching, register, response_to, sdp_answer, socket};

/// The SplitMix64 output function, inverted: the generator state behind one
/// output.
fn splitmix_state(output: u64) -> u64 {
    fn unshift(mut z: u64, s: u32) -> u64 {
        let mut x = z;
        for _ in 0..64 / s {
            x = z ^ (x >> s);
        }
        z = x;
        z
    }
    fn inverse(a: u64) -> u64 {
        // Newton's iteration for the inverse modulo 2^64 of an odd number.
        let mut x = a;
        for _ in 0..6 {
            x = x.wrapping_mul(2u64.wrapping_sub(a.wrapping_mul(x)));
        }
        x
    }
    let mut z = unshift(output, 31);
    z = z.wrapping_mul(inverse(0x94D0_49BB_1331_11EB));
    z = unshift(z, 27);
    z = z.wrapping_mul(inverse(0xBF58_476D_1CE4_E5B9));
    unshift(z, 30)
}

fn splitmix_next(state: u64) -> u64 {
    let mut z = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[test]
fn the_attack_model_recovers_a_splitmix_state() {
    // The predictor below is sound: it would have broken the old generator.
    let state = 0x1234_5678_9abc_def0u64;
    let first = splitmix_next(state);
    let second = splitmix_next(state.wrapping_add(0x9E37_79B9_7F4A_7C15));
    let recovered = splitmix_state(first);
    assert_eq!(splitmix_next(recovered), second);
}

#[test]
fn nonces_and_tags_cannot_be_predicted_from_one_another() {
    let gw = Gateway::start(&board_authenticated(
        "sip:agent@127.0.0.1:9",
        "none",
        "[\"SHA-256\"]",
    ));
    let s = socket();
    let local = s.local_addr().unwrap();
    let mut nonces = Vec::new();
    for n in 1..=3 {
        s.send_to(register("alice", local, gw.sip, n, "").as_bytes(), gw.sip)
            .unwrap();
        let (answer, _) = recv_matching(&s, Duration::from_secs(5), |t| t.contains("401"))
            .expect("a 401 challenge");
        let nonce = param(&answer, "nonce").expect("nonce").to_owned();
        let to = header(&answer, "To").unwrap();
        let tag = param(to, "tag").expect("To tag").to_owned();
        nonces.push((nonce, tag));
    }
    for (nonce, tag) in &nonces {
        assert!(nonce.len() >= 32, "128-bit nonces: {nonce}");
        let first = u64::from_str_radix(&nonce[..16], 16).unwrap();
        let second = u64::from_str_radix(&nonce[16..32], 16).unwrap();
        // The published attack: invert one output, run the stream forward.
        let state = splitmix_state(first);
        let mut guesses = Vec::new();
        let mut st = state;
        for _ in 0..8 {
            guesses.push(splitmix_next(st));
            st = st.wrapping_add(0x9E37_79B9_7F4A_7C15);
        }
        assert!(
            !guesses.contains(&second),
            "nonce half predicted from the first"
        );
        let tag = u64::from_str_radix(tag, 16).unwrap_or(0);
        assert!(!guesses.contains(&tag), "To tag predicted from a nonce");
    }
    let distinct: std::collections::HashSet<_> = nonces.iter().map(|n| &n.0).collect();
    assert_eq!(distinct.len(), 3);
}

#[test]
fn a_forged_200_from_another_address_does_not_take_the_customers_call() {
    let agent = socket();
    let attacker = socket();
    let attacker_rtp = RtpCapture::start();
    let agent_rtp = RtpCapture::start();
    let pty = Pty::open();
    let gw = Gateway::start(&board(
        &format!("sip:agent@{}", agent.local_addr().unwrap()),
        &pty.path.display().to_string(),
    ));
    pty.read_until("gateway> ", Duration::from_secs(5));
    pty.write(&format!("sim call customer {ANI0}\r"));
    let (invite, _) = recv_matching(&agent, Duration::from_secs(10), |t| {
        t.starts_with("INVITE ")
    })
    .expect("the gateway calls the agent");

    // The attacker knows everything the INVITE carries (better than the
    // five candidate branches of the original report) and answers first.
    let forged = response_to(
        &invite,
        "200 OK",
        "evil",
        &format!("sip:evil@{}", attacker.local_addr().unwrap()),
        Some(&sdp_answer(attacker_rtp.addr)),
    );
    attacker.send_to(forged.as_bytes(), gw.sip).unwrap();
    // Nothing goes to the attacker: no ACK, no media; the call still rings.
    assert!(
        recv_matching(&attacker, Duration::from_secs(1), |_| true).is_none(),
        "the gateway talked to the attacker"
    );
    wait_for(Duration::from_secs(5), || {
        gw.log().contains("response refused").then_some(())
    })
    .expect("the forged 200 is refused and logged");
    assert!(
        attacker_rtp.packets().is_empty(),
        "media went to the attacker"
    );
    let (_, state) = http::get(gw.api, &format!("/api/v1/ani/{ANI0}")).unwrap();
    assert!(!state.contains("\"connected\""), "{state}");

    // The real agent's answer connects the call, and the audio comes to it.
    let genuine = response_to(
        &invite,
        "200 OK",
        "agent",
        &format!("sip:agent@{}", agent.local_addr().unwrap()),
        Some(&sdp_answer(agent_rtp.addr)),
    );
    agent.send_to(genuine.as_bytes(), gw.sip).unwrap();
    recv_matching(&agent, Duration::from_secs(5), |t| t.starts_with("ACK "))
        .expect("the agent gets the ACK");
    wait_for(Duration::from_secs(10), || {
        (!agent_rtp.packets().is_empty()).then_some(())
    })
    .expect("the customer's audio reaches the agent");
    assert!(attacker_rtp.packets().is_empty());
}
