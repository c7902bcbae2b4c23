//! The gateway registers its ports with an upstream registrar: a second
//! gateway process whose registrar has one Digest account per port ANI.
//! The upstream gateway challenges (401), the registering gateway answers,
//! is told its 30 s is too brief (423 Min-Expires: 60) and registers again
//! with 60 s; the registrar then holds a binding for each port's ANI.

use std::time::Duration;

use gateway_tests::config::{board, board_authenticated, ANI0};
use gateway_tests::gateway::Gateway;
use gateway_tests::wait_for;

const PORT1_ANI: &str = "4155550101";
const PORT_PASSWORD: &str = "pstn-port-secret";

#[test]
fn ports_register_with_an_upstream_gateway() {
    // The registrar: Digest accounts named after the other gateway's ANIs.
    let accounts = format!(
        "[[sip.accounts]]\nuser = \"{ANI0}\"\npassword = \"{PORT_PASSWORD}\"\n\n\
         [[sip.accounts]]\nuser = \"{PORT1_ANI}\"\npassword = \"{PORT_PASSWORD}\"\n\n"
    );
    let upstream_config =
        board_authenticated("sip:agent@127.0.0.1:9", "none", "[\"SHA-256\", \"MD5\"]").replacen(
            "[[sip.accounts]]\n",
            &format!("{accounts}[[sip.accounts]]\n"),
            1,
        );
    let upstream = Gateway::start(&upstream_config);

    // The registering gateway: one registration per port, user = the port's ANI.
    let config = board("sip:agent@127.0.0.1:9", "none").replacen(
        "allow_unauthenticated = true\n",
        &format!(
            "allow_unauthenticated = true\n\n[[sip.upstream]]\nregistrar = \"{}\"\n\
             password = \"{PORT_PASSWORD}\"\nexpires_s = 30\n",
            upstream.sip
        ),
        1,
    );
    let gw = Gateway::start(&config);

    let registered = |log: &str| {
        log.lines()
            .filter(|l| l.contains(" registered ") && l.contains("expires=60"))
            .count()
    };
    let log = wait_for(Duration::from_secs(20), || {
        let log = gw.log();
        (registered(&log) >= 2).then_some(log)
    })
    .unwrap_or_else(|| {
        panic!(
            "the ports did not register:\n--- registering gateway ---\n{}\n--- registrar ---\n{}",
            gw.log(),
            upstream.log()
        )
    });
    for ani in [ANI0, PORT1_ANI] {
        assert!(
            log.lines()
                .any(|l| l.contains(" registered ") && l.contains(&format!("sip:{ani}@"))),
            "{log}"
        );
    }
    assert!(!log.contains("registration failed"), "{log}");

    let upstream_log = upstream.log();
    let accepted: Vec<&str> = upstream_log
        .lines()
        .filter(|l| l.contains("REGISTER accepted"))
        .collect();
    for ani in [ANI0, PORT1_ANI] {
        assert!(
            accepted.iter().any(|l| l.contains(ani)),
            "no binding for {ani}:\n{upstream_log}"
        );
    }
    // Nothing was refused as wrong credentials.
    assert!(
        !upstream_log.contains("authentication failed"),
        "{upstream_log}"
    );
}
