//! Gateway configurations for tests: the demo board's shape, bound to free ports,
//! with scripts short enough for a test.

/// ANI of port 0 in [`board`].
pub const ANI0: &str = "4155550100";
/// The operator's API token in [`board`].
pub const ADMIN_TOKEN: &str = "operator-token-1";
/// The CRM token of merchant `shop-1` (the sipp scenarios' `X-Merchant-Id`).
pub const SHOP1_TOKEN: &str = "crm-token-shop-1";
/// The CRM token of another merchant, `shop-2`.
pub const SHOP2_TOKEN: &str = "crm-token-shop-2";

/// The merchants table: `shop-1` (webhook at `webhook_url` if given) and `shop-2`.
pub fn merchants(webhook_url: Option<&str>) -> String {
    let hook = webhook_url
        .map(|u| format!("webhook_url = \"{u}\"\n"))
        .unwrap_or_default();
    format!(
        "[[merchants]]\nid = \"shop-1\"\n{hook}api_tokens = [\"{SHOP1_TOKEN}\"]\n\n\
         [[merchants]]\nid = \"shop-2\"\napi_tokens = [\"{SHOP2_TOKEN}\"]\n"
    )
}

/// The account [`board_authenticated`] configures.
pub const ACCOUNT_USER: &str = "alice";
/// Its password.
pub const ACCOUNT_PASSWORD: &str = "wonderland-7";

/// [`board`] with Digest authentication: no unauthenticated calls, one account
/// ([`ACCOUNT_USER`] / [`ACCOUNT_PASSWORD`]) in realm `gateway`, offering
/// `algorithms` (TOML array text such as `["MD5"]`).
pub fn board_authenticated(inbound_uri: &str, console: &str, algorithms: &str) -> String {
    board(inbound_uri, console).replacen(
        "allow_unauthenticated = true\n",
        &format!(
            "allow_unauthenticated = false\nrealm = \"gateway\"\nauth_algorithms = {algorithms}\n\n\
             [[sip.accounts]]\nuser = \"{ACCOUNT_USER}\"\npassword = \"{ACCOUNT_PASSWORD}\"\n"
        ),
        1,
    )
}

/// A board of two FXO ports on the simulated exchange. `inbound_uri` is where
/// calls ringing port 0 go; `console` is `none` or a device path. The call centre
/// `1800` answers after one ring, plays a 1 kHz tone for 1.5 s, then speech,
/// keys `*76` at 2.5 s and `12` at 4.5 s, and hangs up at 7 s.
pub fn board(inbound_uri: &str, console: &str) -> String {
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
admin_tokens = ["{ADMIN_TOKEN}"]

[console]
device = "{console}"

[board]
kind = "simulated"
tones = "north-america"

[[ports]]
port = 0
kind = "fxo"
ani = "{ANI0}"
inbound_uri = "{inbound_uri}"

[[ports]]
port = 1
kind = "fxo"
ani = "4155550101"

[[routes]]
prefix = ""

[[commands.sequence]]
digits = "*76"
action = "push-page"
url = "https://shop.example/help"

[[commands.sequence]]
digits = "*22"
action = "volume-up"

[simulation]
tones = "north-america"
interdigit_timeout_ms = 2000
record_dir = "@DIR@"

[[simulation.lines]]
port = 0
number = "{ANI0}"

[[simulation.lines]]
port = 1
number = "4155550101"

[[simulation.subscribers]]
number = "1800"
name = "Call centre"
behaviour = "answer"
answer_after_rings = 1
script = [
  {{ at_ms = 0, play = "tone:1000@-10" }},
  {{ at_ms = 1500, play = "voice" }},
  {{ at_ms = 2500, dial = "*76" }},
  {{ at_ms = 4500, dial = "12" }},
  {{ at_ms = 7000, hangup = true }},
]

[[simulation.subscribers]]
number = "5550100"
name = "Busy line"
behaviour = "busy"

[[simulation.phones]]
name = "customer"
number = "2125550199"
give_up_after_rings = 6
script = [
  {{ at_ms = 0, play = "tone:1000@-10" }},
  {{ at_ms = 4000, hangup = true }},
]
"#
    )
}
