//! The real peers the end-to-end tests need, and what a missing one does.
//!
//! A test that needs a peer starts with [`require`] (a tool on `PATH`),
//! [`require_ipv6_loopback`] or [`require_second_loopback`]. When the peer is
//! there they return `true`. When it is missing the test **fails**, naming what
//! is missing and how to install it, so that "N passed" means N things were
//! tested. The one way to run without a peer is to ask for it:
//! `GATEWAY_TESTS_SKIP_MISSING=1` makes a missing peer skip the test (the
//! function prints the reason and returns `false`, the test returns early).
//! Under `CI=true` the opt-out is refused: CI and `scripts/test.sh` install
//! every peer, so a missing one there is a broken setup, never a skip.
//!
//! `tests/tests/peers.rs` checks every peer of the suite at once, so a bare
//! machine gets one list of all that is missing.

/// How `scripts/setup.sh --test` gets the tools (Debian package names).
const INSTALL: &str = "scripts/setup.sh --test installs them; scripts/test.sh runs that first";

/// Every tool the end-to-end suite runs, with the Debian package that has it.
pub const TOOLS: &[(&str, &str)] = &[
    ("sipp", "sip-tester"),
    ("ffmpeg", "ffmpeg"),
    ("tshark", "tshark"),
    ("baresip", "baresip"),
    ("linphonec", "linphone-cli"),
    ("picocom", "picocom"),
    ("tmux", "tmux"),
];

/// True if `tool` is on `PATH`. A query only: tests use [`require`].
pub fn have(tool: &str) -> bool {
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Whether a missing peer skips (only when asked, and never under `CI=true`).
fn skip_allowed() -> bool {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    let asked = std::env::var("GATEWAY_TESTS_SKIP_MISSING").is_ok_and(|v| v == "1");
    asked && !ci
}

/// A peer is missing: fail, or (when asked) skip with the reason.
///
/// # Panics
/// Unless `GATEWAY_TESTS_SKIP_MISSING=1` is set outside CI.
pub fn missing(what: &str) -> bool {
    if skip_allowed() {
        // stdout and stderr: cargo shows neither for a passing test unless
        // run with --nocapture, so say it in both for whoever looks.
        println!("SKIPPED: {what} (GATEWAY_TESTS_SKIP_MISSING=1)");
        eprintln!("SKIPPED: {what} (GATEWAY_TESTS_SKIP_MISSING=1)");
        return false;
    }
    panic!(
        "missing peer: {what}. Install the test peers ({INSTALL}), or run with \
         GATEWAY_TESTS_SKIP_MISSING=1 to skip the tests that need it (refused under CI=true)"
    );
}

/// The tools `tools` are all installed. Fails naming every missing one (see
/// the module documentation for the one way to skip instead).
pub fn require(tools: &[&str]) -> bool {
    let absent: Vec<String> = tools
        .iter()
        .filter(|t| !have(t))
        .map(|t| match TOOLS.iter().find(|(name, _)| name == t) {
            Some((_, package)) => format!("{t} (Debian package {package})"),
            None => (*t).to_string(),
        })
        .collect();
    absent.is_empty() || missing(&format!("not on PATH: {}", absent.join(", ")))
}

/// IPv6 loopback (`[::1]`) can be bound.
pub fn require_ipv6_loopback() -> bool {
    std::net::UdpSocket::bind("[::1]:0").is_ok()
        || missing("IPv6 loopback [::1] cannot be bound (enable IPv6 on lo)")
}

/// A second loopback address (`127.0.0.2`, present on Linux's `lo` by
/// default) can be bound, for a test that needs two sources.
pub fn require_second_loopback() -> bool {
    std::net::UdpSocket::bind("127.0.0.2:0").is_ok()
        || missing("127.0.0.2 cannot be bound (Linux routes all of 127.0.0.0/8 to lo)")
}
