//! The configuration's shape. Every table rejects unknown keys, so a typo is an
//! error rather than a silently ignored setting.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use serde::Deserialize;

use super::MediaConfig;

/// The whole configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Logging.
    #[serde(default)]
    pub log: LogConfig,
    /// SIP signalling.
    #[serde(default)]
    pub sip: SipConfig,
    /// RTP media sockets.
    #[serde(default)]
    pub rtp: RtpConfig,
    /// Codec preferences and DTMF transport.
    #[serde(default)]
    pub media: MediaConfig,
    /// The HTTP API (ports, ANI lookup).
    #[serde(default)]
    pub api: ApiConfig,
    /// The management console.
    #[serde(default)]
    pub console: ConsoleConfig,
    /// Which line card drives the ports.
    #[serde(default)]
    pub board: BoardConfig,
    /// Analog line supervision timings.
    #[serde(default)]
    pub line: LineConfig,
    /// The line ports, one table each.
    pub ports: Vec<PortConfig>,
    /// Outbound routes (IP client -> line), first match wins.
    #[serde(default)]
    pub routes: Vec<RouteConfig>,
    /// DTMF command sequences recognised during calls (the default table).
    #[serde(default)]
    pub commands: CommandsConfig,
    /// Named command tables that ports and routes can choose instead.
    #[serde(default)]
    pub command_tables: Vec<CommandsConfig>,
    /// Call records.
    #[serde(default)]
    pub records: RecordsConfig,
    /// Merchants: their webhooks and their CRM clients' API tokens.
    #[serde(default)]
    pub merchants: Vec<MerchantConfig>,
    /// The call server: call centres, routing rules, route tokens.
    #[serde(default)]
    pub call_server: Option<super::CallServerConfig>,
    /// The simulated exchange (used when `board.kind = "simulated"`).
    pub simulation: Option<drivers::sim::SimConfig>,
    /// The hardware line card (used when `board.kind = "hardware"`).
    #[serde(default)]
    pub hardware: Option<drivers::hardware::HardwareCardConfig>,
}

/// A merchant whose web pages place calls (`X-Merchant-Id` on the INVITE).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MerchantConfig {
    /// The id clients send in `X-Merchant-Id`.
    pub id: String,
    /// Call events and commands are POSTed here (`http://` only).
    #[serde(default)]
    pub webhook_url: Option<String>,
    /// Bearer tokens of this merchant's CRM clients: they see this merchant's
    /// calls only.
    #[serde(default)]
    pub api_tokens: Vec<String>,
}

/// Where call records go.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordsConfig {
    /// The JSON-lines journal (created with its folder); no records when absent.
    #[serde(default)]
    pub path: Option<std::path::PathBuf>,
}

/// Logging settings; `RUST_LOG` overrides `level`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// A `tracing` filter such as `info` or `gateway=debug,info`.
    #[serde(default = "default_log_level")]
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            level: default_log_level(),
        }
    }
}

fn default_log_level() -> String {
    "info".into()
}

/// SIP settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SipConfig {
    /// UDP address to listen on (port 0 picks a free one).
    #[serde(default = "default_sip_listen")]
    pub listen: SocketAddr,
    /// Let IP clients call without credentials. Accepted only with a loopback
    /// `listen` address: on any other network the first caller is a toll fraudster.
    /// REGISTER is still authenticated when `accounts` are configured.
    #[serde(default)]
    pub allow_unauthenticated: bool,
    /// `User-Agent` / `Server` header value.
    #[serde(default = "default_user_agent")]
    pub user_agent: String,
    /// Digest realm (RFC 3261 §22) the gateway challenges with.
    #[serde(default = "default_realm")]
    pub realm: String,
    /// Digest algorithms offered, preferred first: `"SHA-256"`, `"MD5"`.
    #[serde(default = "default_auth_algorithms")]
    pub auth_algorithms: Vec<String>,
    /// How long a nonce may be used before clients are re-challenged (`stale=true`).
    #[serde(default = "default_nonce_lifetime")]
    pub nonce_lifetime_s: u32,
    /// Shortest registration accepted (shorter gets 423 with Min-Expires).
    #[serde(default = "default_min_expires")]
    pub registration_min_expires_s: u32,
    /// Longest registration granted (longer requests are shortened).
    #[serde(default = "default_max_expires")]
    pub registration_max_expires_s: u32,
    /// Live SIP transactions at most; above it new requests get 503 + Retry-After.
    #[serde(default = "default_max_transactions")]
    pub max_transactions: usize,
    /// Calls (SIP dialogs) at most; above it new INVITEs get 503 + Retry-After.
    #[serde(default = "default_max_dialogs")]
    pub max_dialogs: usize,
    /// Requests per second from one source IP address (0: no limit); over it
    /// the source gets one 503 + Retry-After a second and the rest is dropped.
    #[serde(default = "default_rate_limit_per_s")]
    pub rate_limit_per_s: u32,
    /// Requests one source may send at once before the rate limit applies.
    #[serde(default = "default_rate_limit_burst")]
    pub rate_limit_burst: u32,
    /// Also accept SIP over TCP on the `listen` address and port.
    #[serde(default = "default_true_sip")]
    pub tcp: bool,
    /// Close a TCP connection idle this long (unless a call or registration uses it).
    #[serde(default = "default_tcp_idle_timeout")]
    pub tcp_idle_timeout_s: u32,
    /// Open TCP connections at most.
    #[serde(default = "default_max_tcp_connections")]
    pub max_tcp_connections: usize,
    /// Open TCP connections from one IP address at most.
    #[serde(default = "default_max_tcp_connections_per_address")]
    pub max_tcp_connections_per_address: usize,
    /// Who may register and call: `[[sip.accounts]]` tables.
    #[serde(default)]
    pub accounts: Vec<SipAccountConfig>,
    /// Upstream registrars the gateway registers its own ports with:
    /// `[[sip.upstream]]` tables.
    #[serde(default)]
    pub upstream: Vec<SipUpstreamConfig>,
}

impl Default for SipConfig {
    fn default() -> Self {
        SipConfig {
            listen: default_sip_listen(),
            allow_unauthenticated: false,
            user_agent: default_user_agent(),
            realm: default_realm(),
            auth_algorithms: default_auth_algorithms(),
            nonce_lifetime_s: default_nonce_lifetime(),
            registration_min_expires_s: default_min_expires(),
            registration_max_expires_s: default_max_expires(),
            max_transactions: default_max_transactions(),
            max_dialogs: default_max_dialogs(),
            rate_limit_per_s: default_rate_limit_per_s(),
            rate_limit_burst: default_rate_limit_burst(),
            tcp: true,
            tcp_idle_timeout_s: default_tcp_idle_timeout(),
            max_tcp_connections: default_max_tcp_connections(),
            max_tcp_connections_per_address: default_max_tcp_connections_per_address(),
            accounts: Vec::new(),
            upstream: Vec::new(),
        }
    }
}

/// An upstream registrar (`[[sip.upstream]]`) the gateway registers with, as a
/// phone would: one address-of-record per port (the port's ANI) or one shared.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SipUpstreamConfig {
    /// Where REGISTER goes (an IP address and port: there is no DNS on the box).
    pub registrar: SocketAddr,
    /// Host part of the address-of-record and the REGISTER Request-URI
    /// (`sip:USER@DOMAIN`); default: the registrar's IP address.
    #[serde(default)]
    pub domain: Option<String>,
    /// One shared address-of-record user; default: one registration per port,
    /// each with the port's ANI as its user.
    #[serde(default)]
    pub user: Option<String>,
    /// Digest user name; default: the address-of-record user.
    #[serde(default)]
    pub auth_user: Option<String>,
    /// Digest password answering the registrar's 401/407.
    pub password: String,
    /// Registration lifetime asked for; refreshed at 90 % of what is granted.
    #[serde(default = "default_upstream_expires")]
    pub expires_s: u32,
}

impl std::fmt::Debug for SipUpstreamConfig {
    // The password never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SipUpstreamConfig")
            .field("registrar", &self.registrar)
            .field("domain", &self.domain)
            .field("user", &self.user)
            .field("auth_user", &self.auth_user)
            .field("expires_s", &self.expires_s)
            .finish_non_exhaustive()
    }
}

fn default_upstream_expires() -> u32 {
    3600
}

/// One SIP account (`[[sip.accounts]]`): a user name and either its password or
/// its precomputed HA1.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SipAccountConfig {
    /// The user name (also the address-of-record user it may register).
    pub user: String,
    /// The password.
    #[serde(default)]
    pub password: Option<String>,
    /// `H(user:realm:password)` in hex instead of the password: 32 digits for MD5,
    /// 64 for SHA-256. The account then answers only that algorithm.
    #[serde(default)]
    pub ha1: Option<String>,
    /// The merchant (`[[merchants]] id`) whose calls this account places: its
    /// calls carry that merchant whatever `X-Merchant-Id` says, and a call
    /// claiming another merchant is refused.
    #[serde(default)]
    pub merchant: Option<String>,
}

impl std::fmt::Debug for SipAccountConfig {
    // The password never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SipAccountConfig")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

fn default_realm() -> String {
    "gateway".into()
}

fn default_auth_algorithms() -> Vec<String> {
    vec!["SHA-256".into(), "MD5".into()]
}

fn default_nonce_lifetime() -> u32 {
    300
}

fn default_min_expires() -> u32 {
    60
}

fn default_max_expires() -> u32 {
    7200
}

fn default_max_transactions() -> usize {
    1024
}

fn default_max_dialogs() -> usize {
    256
}

fn default_rate_limit_per_s() -> u32 {
    100
}

fn default_rate_limit_burst() -> u32 {
    200
}

fn default_true_sip() -> bool {
    true
}

fn default_tcp_idle_timeout() -> u32 {
    120
}

fn default_max_tcp_connections_per_address() -> usize {
    16
}

fn default_max_tcp_connections() -> usize {
    256
}

fn default_sip_listen() -> SocketAddr {
    SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 5060)
}

fn default_user_agent() -> String {
    format!("gateway/{}", env!("CARGO_PKG_VERSION"))
}

/// RTP settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RtpConfig {
    /// Address RTP sockets bind to and SDP announces.
    #[serde(default = "default_rtp_address")]
    pub address: IpAddr,
    /// Port `n` uses UDP port `port_base + 2n`; 0 binds free ports.
    #[serde(default = "default_rtp_base")]
    pub port_base: u16,
}

impl Default for RtpConfig {
    fn default() -> Self {
        RtpConfig {
            address: default_rtp_address(),
            port_base: default_rtp_base(),
        }
    }
}

fn default_rtp_address() -> IpAddr {
    IpAddr::V4(Ipv4Addr::LOCALHOST)
}

fn default_rtp_base() -> u16 {
    20000
}

/// HTTP API settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiConfig {
    /// TCP address to listen on (port 0 picks a free one).
    #[serde(default = "default_api_listen")]
    pub listen: SocketAddr,
    /// Bearer tokens of the operator: full access to every call.
    #[serde(default)]
    pub admin_tokens: Vec<String>,
    /// Answer without a token. Accepted only with a loopback `listen` address.
    #[serde(default)]
    pub allow_anonymous: bool,
    /// Open HTTP connections at most; more are closed at once.
    #[serde(default = "default_api_max_connections")]
    pub max_connections: usize,
    /// Open HTTP connections per client address at most.
    #[serde(default = "default_api_max_connections_per_address")]
    pub max_connections_per_address: usize,
    /// A request head must arrive within this many seconds of the previous
    /// response (or of the connection): slow heads and idle keep-alives end.
    #[serde(default = "default_api_header_timeout_s")]
    pub header_timeout_s: u32,
    /// Request bodies longer than this are refused (413).
    #[serde(default = "default_api_max_body_bytes")]
    pub max_body_bytes: usize,
    /// How long an event-stream token is valid.
    #[serde(default = "default_api_event_token_lifetime_s")]
    pub event_token_lifetime_s: u32,
    /// Open event streams at most.
    #[serde(default = "default_api_max_event_streams")]
    pub max_event_streams: usize,
    /// Open event streams per client address at most.
    #[serde(default = "default_api_max_event_streams_per_address")]
    pub max_event_streams_per_address: usize,
}

fn default_api_event_token_lifetime_s() -> u32 {
    3600
}

fn default_api_max_event_streams() -> usize {
    48
}

fn default_api_max_event_streams_per_address() -> usize {
    4
}

fn default_api_max_connections() -> usize {
    64
}

fn default_api_max_connections_per_address() -> usize {
    16
}

fn default_api_header_timeout_s() -> u32 {
    10
}

fn default_api_max_body_bytes() -> usize {
    16 * 1024
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            listen: default_api_listen(),
            admin_tokens: Vec::new(),
            allow_anonymous: false,
            max_connections: default_api_max_connections(),
            max_connections_per_address: default_api_max_connections_per_address(),
            header_timeout_s: default_api_header_timeout_s(),
            max_body_bytes: default_api_max_body_bytes(),
            event_token_lifetime_s: default_api_event_token_lifetime_s(),
            max_event_streams: default_api_max_event_streams(),
            max_event_streams_per_address: default_api_max_event_streams_per_address(),
        }
    }
}

fn default_api_listen() -> SocketAddr {
    SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080)
}

/// Where the management console runs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsoleConfig {
    /// `stdio`, `none`, or a serial device path such as `/dev/ttyS0`.
    #[serde(default = "default_console_device")]
    pub device: String,
    /// Serial line speed.
    #[serde(default = "default_baud")]
    pub baud: u32,
    /// Log out after this many seconds without a key pressed; 0 never does.
    #[serde(default = "default_idle_timeout")]
    pub idle_timeout_s: u32,
    /// Consecutive failed logins before the console locks for a growing time.
    #[serde(default = "default_max_login_failures")]
    pub max_login_failures: u32,
    /// Who may log in (`[[console.users]]`). None: no login is asked (development).
    #[serde(default)]
    pub users: Vec<ConsoleUserConfig>,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        ConsoleConfig {
            device: default_console_device(),
            baud: default_baud(),
            idle_timeout_s: default_idle_timeout(),
            max_login_failures: default_max_login_failures(),
            users: Vec::new(),
        }
    }
}

/// One console login (`[[console.users]]`).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsoleUserConfig {
    /// The login name.
    pub name: String,
    /// The password as an Argon2id PHC string (`gateway --hash-password`).
    pub password_hash: String,
}

impl std::fmt::Debug for ConsoleUserConfig {
    // Even a hash stays out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsoleUserConfig")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

fn default_idle_timeout() -> u32 {
    900
}

fn default_max_login_failures() -> u32 {
    3
}

fn default_console_device() -> String {
    "stdio".into()
}

fn default_baud() -> u32 {
    115_200
}

/// Which line card drives the ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum BoardKind {
    /// The in-process virtual exchange (`[simulation]`).
    #[default]
    Simulated,
    /// Real line-card hardware (`[hardware]`: ALSA audio, GPIO or modem signalling).
    Hardware,
}

/// Board selection and national settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardConfig {
    /// The line card.
    #[serde(default)]
    pub kind: BoardKind,
    /// Tone plan of the exchange the FXO ports face: `north-america` or `cept`.
    #[serde(default = "default_tones")]
    pub tones: String,
    /// The hardware watchdog device (e.g. `/dev/watchdog`); none when absent.
    #[serde(default)]
    pub watchdog: Option<std::path::PathBuf>,
    /// Seconds the watchdog waits for a keep-alive before resetting the box.
    #[serde(default = "default_watchdog_timeout")]
    pub watchdog_timeout_s: u32,
    /// Front-panel LEDs (`[board.leds]`).
    #[serde(default)]
    pub leds: super::board::LedsConfig,
    /// The reset button's GPIO line (`[board.reset_button]`); none when absent.
    #[serde(default)]
    pub reset_button: Option<super::board::ResetButtonLine>,
}

fn default_watchdog_timeout() -> u32 {
    15
}

impl Default for BoardConfig {
    fn default() -> Self {
        BoardConfig {
            watchdog: None,
            watchdog_timeout_s: default_watchdog_timeout(),
            leds: super::board::LedsConfig::default(),
            reset_button: None,
            kind: BoardKind::default(),
            tones: default_tones(),
        }
    }
}

fn default_tones() -> String {
    "north-america".into()
}

/// Analog line supervision timings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineConfig {
    /// How long to wait for dial tone after seizing before dialling anyway.
    #[serde(default = "default_dial_tone_wait")]
    pub dial_tone_wait_ms: u32,
    /// Give up an outbound call that rings this long without answer.
    #[serde(default = "default_no_answer")]
    pub no_answer_timeout_ms: u32,
    /// DTMF dialling: tone and pause length.
    #[serde(default = "default_dtmf_ms")]
    pub dial_digit_ms: u32,
}

impl Default for LineConfig {
    fn default() -> Self {
        LineConfig {
            dial_tone_wait_ms: default_dial_tone_wait(),
            no_answer_timeout_ms: default_no_answer(),
            dial_digit_ms: default_dtmf_ms(),
        }
    }
}

fn default_dial_tone_wait() -> u32 {
    3000
}

fn default_no_answer() -> u32 {
    60_000
}

fn default_dtmf_ms() -> u32 {
    80
}

/// Kind of a line port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PortKindConfig {
    /// Toward the telephone network.
    Fxo,
    /// Toward a telephone.
    Fxs,
}

/// One line port.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortConfig {
    /// The port's index on the card, from 0.
    pub port: u8,
    /// FXO or FXS.
    pub kind: PortKindConfig,
    /// The calling number (ANI) the network shows for calls from this port; the
    /// CRM looks calls up by it.
    pub ani: String,
    /// Calls arriving on this port (ringing) go to this SIP URI.
    #[serde(default)]
    pub inbound_uri: Option<String>,
    /// The command table (a `[[command_tables]]` name) for calls on this port.
    #[serde(default)]
    pub command_table: Option<String>,
}

/// One outbound route: which IP calls go out on which ports, and what is dialled.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    /// The Request-URI user part must start with this (empty matches all).
    #[serde(default)]
    pub prefix: String,
    /// Digits removed from the front of the user part before dialling.
    #[serde(default)]
    pub strip: usize,
    /// Digits put in front of what remains.
    #[serde(default)]
    pub prepend: String,
    /// Dial this fixed number instead of the Request-URI's.
    #[serde(default)]
    pub destination: Option<String>,
    /// Ports this route may use (default: every FXO port).
    #[serde(default)]
    pub ports: Option<Vec<u8>>,
    /// Bridge calls on this route to this SIP URI (an IP literal host, or
    /// `sip:USER@registrar` for a user registered with the gateway) instead
    /// of a line port.
    #[serde(default)]
    pub uri: Option<String>,
    /// The command table (a `[[command_tables]]` name) for calls on this route;
    /// it wins over the port's.
    #[serde(default)]
    pub command_table: Option<String>,
}

/// DTMF command recognition.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandsConfig {
    /// The table's name (required in `[[command_tables]]`, unused in `[commands]`).
    #[serde(default)]
    pub name: Option<String>,
    /// The key that starts a command sequence.
    #[serde(default = "default_start_key")]
    pub start_key: char,
    /// A sequence not completed within this pause is abandoned (its digits are
    /// passed on as ordinary DTMF).
    #[serde(default = "default_interdigit")]
    pub interdigit_timeout_ms: u32,
    /// The sequences and what they do.
    #[serde(default, rename = "sequence")]
    pub sequences: Vec<CommandSequenceConfig>,
    /// The channel code that links an agent's desk to the caller: a key followed
    /// by a fixed number of digits.
    #[serde(default)]
    pub channel: Option<ChannelCodeConfig>,
}

/// The channel code: `key` then `digits` decimal digits, e.g. `#42`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelCodeConfig {
    /// The key that starts it.
    #[serde(default = "default_channel_key")]
    pub key: char,
    /// How many digits follow.
    #[serde(default = "default_channel_digits")]
    pub digits: usize,
    /// The URL is this prefix followed by the digits.
    pub url_prefix: String,
}

fn default_channel_key() -> char {
    '#'
}

fn default_channel_digits() -> usize {
    2
}

impl Default for CommandsConfig {
    fn default() -> Self {
        CommandsConfig {
            name: None,
            start_key: default_start_key(),
            interdigit_timeout_ms: default_interdigit(),
            sequences: Vec::new(),
            channel: None,
        }
    }
}

fn default_start_key() -> char {
    '*'
}

fn default_interdigit() -> u32 {
    3000
}

/// One command sequence.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandSequenceConfig {
    /// The DTMF digits, including the start key, e.g. `*76`.
    pub digits: String,
    /// What it does.
    pub action: CommandAction,
    /// For `push-page`: the page to push.
    #[serde(default)]
    pub url: Option<String>,
}

/// What a command sequence does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommandAction {
    /// Push a web page to the caller's browser.
    PushPage,
    /// Raise the far end's volume.
    VolumeUp,
    /// Lower the far end's volume.
    VolumeDown,
    /// Turn echo suppression at the far end on.
    EchoSuppressionOn,
    /// Turn echo suppression at the far end off.
    EchoSuppressionOff,
    /// Turn echo cancellation at the far end on.
    EchoCancellationOn,
    /// Turn echo cancellation at the far end off.
    EchoCancellationOff,
    /// Link the agent's desk to the caller (the channel code; not configured as a
    /// sequence but by `[commands.channel]`).
    LinkDesk,
}

impl CommandAction {
    /// The name used in messages to the IP client.
    pub fn name(self) -> &'static str {
        match self {
            CommandAction::PushPage => "push-page",
            CommandAction::VolumeUp => "volume-up",
            CommandAction::VolumeDown => "volume-down",
            CommandAction::EchoSuppressionOn => "echo-suppression-on",
            CommandAction::EchoSuppressionOff => "echo-suppression-off",
            CommandAction::EchoCancellationOn => "echo-cancellation-on",
            CommandAction::EchoCancellationOff => "echo-cancellation-off",
            CommandAction::LinkDesk => "link-desk",
        }
    }
}
