//! The `[call_server]` section: docs/FLOWS.md's example loads on top of the
//! demo configuration and routes as the doc says; faults name the line and the
//! dotted key.

use std::path::Path;

use gateway::call_server::{decide, EmbeddedStore, LiveStore, Outcome, Request};
use gateway::config::{parse, CallServerSettings, ConfigError};

const DEMO: &str = include_str!("../../config/demo.toml");
const FLOWS: &str = include_str!("../../docs/FLOWS.md");

/// The first ```toml block of docs/FLOWS.md.
fn example() -> &'static str {
    let start = FLOWS.find("```toml\n").expect("a toml block") + "```toml\n".len();
    let len = FLOWS[start..].find("```").expect("its end");
    &FLOWS[start..start + len]
}

fn load(section: &str) -> Result<CallServerSettings, ConfigError> {
    let text = format!("{DEMO}\n{section}");
    let config = parse(Path::new("demo.toml"), &text)?;
    Ok(config
        .call_server
        .as_ref()
        .expect("the section")
        .build(&config)
        .expect("built at load already"))
}

/// The error's line (1-based, within `section`) and key.
fn fault(section: &str) -> (Option<usize>, String, String) {
    let offset = DEMO.lines().count() + 1;
    match load(section) {
        Ok(_) => panic!("accepted:\n{section}"),
        Err(e @ (ConfigError::Syntax { .. } | ConfigError::Invalid { .. })) => {
            let (key, message) = e.key_and_message();
            let line = match e {
                ConfigError::Syntax { line, .. } | ConfigError::Invalid { line, .. } => line,
                _ => None,
            };
            (line.map(|l| l - offset), key, message)
        }
        Err(e) => panic!("{e}"),
    }
}

fn at(text: &str) -> jiff::Timestamp {
    text.parse().unwrap()
}

#[test]
fn the_documented_example_loads_and_routes_as_documented() {
    let settings = load(example()).expect("docs/FLOWS.md's example loads");
    let t = &settings.table;
    assert_eq!(t.centres().len(), 3);
    assert_eq!(t.rules().len(), 4);
    assert!(settings.token_key.is_some());
    assert_eq!(settings.device_wait_ms, 5000);
    let mut live = EmbeddedStore::for_table(t);
    let acme = Request {
        merchant: Some("acme"),
        device: gateway::call_server::DeviceInput::Absent,
        ..Request::default()
    };
    // Monday 7 December 2026, 19:00 UTC: 20:00 in Paris (closed until 09:00),
    // 14:00 in New York (open).
    let evening = at("2026-12-07T19:00:00Z");
    let outcome = decide(t, &mut live, &acme, evening);
    assert_eq!(
        outcome.view(t).to_string(),
        "rule acme → centre new-york (skipped: paris closed, opens in 46800 s)"
    );
    // 05:00 UTC: midnight in New York; Paris serves acme only: closed for globex.
    let globex = Request {
        merchant: Some("globex"),
        ..Request::default()
    };
    let outcome = decide(t, &mut live, &globex, at("2026-12-07T05:00:00Z"));
    assert_eq!(
        outcome.view(t).to_string(),
        "rule everyone: every centre closed (480, Retry-After 28800) (skipped: new-york \
         closed, opens in 28800 s; paris does not serve this merchant or link)"
    );
    // Paris full at 10:00 UTC Monday (11:00 in Paris), New York closed (05:00).
    let paris = t.centre_named("paris").unwrap();
    live.set_live_calls(paris, 2);
    let outcome = decide(t, &mut live, &acme, at("2026-12-07T10:00:00Z"));
    assert!(
        matches!(
            outcome,
            Outcome::AllFull {
                retry_after_s: 60,
                ..
            }
        ),
        "{outcome:?}"
    );
    assert_eq!(
        outcome.view(t).to_string(),
        "rule acme: every centre full (486, Retry-After 60) (skipped: paris full 2/2; \
         new-york closed, opens in 10800 s)"
    );
    assert_eq!(live.live_calls(paris), 2);
}

const CENTRE: &str = "[[call_server.centres]]
id = \"a\"
destination = { sip = \"sip:a@127.0.0.1\" }
capacity = 1
";

#[test]
fn faults_name_the_line_and_the_key() {
    // Each: the section, the line of the fault within it (1-based), the key,
    // and a word of the message.
    let cases: [(String, Option<usize>, &str, &str); 11] = [
        (
            format!("{CENTRE}hours = {{ mon = [\"09:00-12:00\", \"13:30-12:00\"] }}\n"),
            Some(5),
            "call_server.centres[0].hours.mon[1]",
            "end after it starts",
        ),
        (
            format!("{CENTRE}time_zone = \"Europe/Pariss\"\n"),
            Some(5),
            "call_server.centres[0].time_zone",
            "unknown time zone",
        ),
        (
            format!("{CENTRE}holidays = [\"2026-12-25\", \"2026-02-30\"]\n"),
            Some(5),
            "call_server.centres[0].holidays[1]",
            "not a date",
        ),
        (
            format!("{CENTRE}[[call_server.rules]]\nname = \"r\"\ncentres = [\"a\", \"lyon\"]\n"),
            Some(7),
            "call_server.rules[0].centres",
            "no centre named \"lyon\"",
        ),
        (
            format!("{CENTRE}{CENTRE}"),
            Some(6),
            "call_server.centres[1].id",
            "used twice",
        ),
        (
            CENTRE.replace("capacity = 1", "capacity = 0"),
            Some(4),
            "call_server.centres[0].capacity",
            "at least 1",
        ),
        (
            CENTRE.replace(
                "{ sip = \"sip:a@127.0.0.1\" }",
                "{ sip = \"sip:a@127.0.0.1\", acd = \"q\" }",
            ),
            Some(3),
            "call_server.centres[0].destination",
            "exactly one",
        ),
        (
            CENTRE.replace(
                "{ sip = \"sip:a@127.0.0.1\" }",
                "{ line = \"+331\", ports = [0, 9] }",
            ),
            Some(3),
            "call_server.centres[0].destination.ports[1]",
            "port 9 is not a configured FXO port",
        ),
        (
            CENTRE.replace(
                "{ sip = \"sip:a@127.0.0.1\" }",
                "{ upstream = \"192.0.2.1:5060\", number = \"100\" }",
            ),
            Some(3),
            "call_server.centres[0].destination.upstream",
            "no [[sip.upstream]]",
        ),
        (
            "[call_server]\ntoken_key = \"abcd\"\n".to_string(),
            Some(2),
            "call_server.token_key",
            "at least 32 bytes",
        ),
        (
            format!("{CENTRE}opening = \"always\"\n"),
            Some(5),
            "call_server.centres[0].opening",
            "unknown field `opening`",
        ),
    ];
    for (section, line, key, words) in cases {
        let (got_line, got_key, message) = fault(&section);
        assert_eq!(got_key, key, "{section}");
        assert!(message.contains(words), "{key}: {message}");
        assert_eq!(got_line, line, "{key}: {message}");
    }
}
