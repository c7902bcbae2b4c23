//! Every peer the end-to-end suite needs is here, checked at once: on a bare
//! machine this one test names all that is missing (each test that needs a
//! peer also fails on its own, naming its peer; see `gateway_tests::peers`).

use gateway_tests::peers::{have, missing, TOOLS};

#[test]
fn every_peer_of_the_suite_is_installed() {
    let mut absent: Vec<String> = TOOLS
        .iter()
        .filter(|(tool, _)| !have(tool))
        .map(|(tool, package)| format!("{tool} (Debian package {package})"))
        .collect();
    if std::net::UdpSocket::bind("[::1]:0").is_err() {
        absent.push("IPv6 loopback [::1]".into());
    }
    if std::net::UdpSocket::bind("127.0.0.2:0").is_err() {
        absent.push("loopback address 127.0.0.2".into());
    }
    if !absent.is_empty() {
        missing(&absent.join(", "));
    }
}
