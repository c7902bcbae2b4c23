//! The README's demo as the tests run it: `config/demo.toml` itself, bound to
//! free ports (never the demo's own 5060 and 8080), with call records in the
//! configuration's folder.

#![allow(dead_code)]

use gateway_tests::workspace_root;

/// The demo file's text.
pub fn demo_text() -> String {
    std::fs::read_to_string(workspace_root().join("config/demo.toml")).expect("config/demo.toml")
}

/// `demo` with `edits` (replace this, with that) applied once each; panics if
/// one no longer applies, so a test never silently runs another board.
pub fn edited(demo: &str, edits: &[(&str, &str)]) -> String {
    let mut text = demo.to_string();
    for (from, to) in edits {
        assert!(text.contains(from), "demo.toml no longer has {from:?}");
        text = text.replacen(from, to, 1);
    }
    text
}

/// The demo on free ports: SIP, the API and RTP on port 0, records in the
/// configuration's folder (records stay inside it), the console on `console`
/// (`none`, or `stdio` for the terminal).
pub fn on_free_ports(console: &str) -> String {
    edited(
        &demo_text(),
        &[
            ("listen = \"127.0.0.1:5060\"", "listen = \"127.0.0.1:0\""),
            ("listen = \"127.0.0.1:8080\"", "listen = \"127.0.0.1:0\""),
            ("port_base = 20000", "port_base = 0"),
            (
                "path = \"target/demo/calls.jsonl\"",
                "path = \"calls.jsonl\"",
            ),
            ("device = \"stdio\"", &format!("device = \"{console}\"")),
        ],
    )
}
