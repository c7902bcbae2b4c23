//! The `[call_server]` section: call centres (`[[call_server.centres]]`),
//! routing rules (`[[call_server.rules]]`) and the route tokens' key, as TOML.
//! [`CallServerConfig::build`] turns it into the routing core's own types
//! (`call_server::Table` and friends) and is what validation runs, so a file
//! that loads is one the routing flow can use. Documented in
//! docs/CONFIGURATION.md and docs/FLOWS.md.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use serde::Deserialize;

use crate::call_server::{
    CentreSettings, DayHours, Destination, DeviceCondition, Holiday, Interval, RuleSettings,
    Schedule, Strategy, Table, TableError, TokenKey, MAX_FIELD,
};

use super::model::{Config, PortKindConfig};

/// The `[call_server]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallServerConfig {
    /// HMAC-SHA256 key of route tokens, hex (at least 64 digits: 32 bytes).
    /// Without it no token is written or trusted.
    #[serde(default)]
    pub token_key: Option<String>,
    /// How long a route token is honoured, seconds.
    #[serde(default = "default_token_lifetime_s")]
    pub token_lifetime_s: u32,
    /// How long an INVITE waits for the device's data, milliseconds.
    #[serde(default = "default_device_wait_ms")]
    pub device_wait_ms: u32,
    /// Retry-After of a 486 when every centre is full, seconds.
    #[serde(default = "default_busy_retry_after_s")]
    pub busy_retry_after_s: u32,
    /// Merchants whose callers may dial an explicit number (rules'
    /// `dialled_prefix` sees it); other merchants' dialled numbers are ignored.
    #[serde(default)]
    pub explicit_number_merchants: Vec<String>,
    /// The call centres.
    #[serde(default)]
    pub centres: Vec<CentreConfig>,
    /// The rules, first match wins.
    #[serde(default)]
    pub rules: Vec<RuleConfig>,
}

fn default_token_lifetime_s() -> u32 {
    30 * 24 * 3600
}
fn default_device_wait_ms() -> u32 {
    5000
}
fn default_busy_retry_after_s() -> u32 {
    60
}
fn default_weight() -> u32 {
    1
}

/// One `[[call_server.centres]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CentreConfig {
    /// Unique name.
    pub id: String,
    /// Merchant ids it serves (empty: all).
    #[serde(default)]
    pub merchants: Vec<String>,
    /// Link ids it serves (empty: all).
    #[serde(default)]
    pub links: Vec<String>,
    /// Where its calls go: exactly one of `line`, `sip`, `upstream`, `acd`.
    pub destination: DestinationConfig,
    /// IANA time zone of its hours.
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    /// Opening hours per weekday; absent: always open.
    #[serde(default)]
    pub hours: Option<HoursConfig>,
    /// Closed dates `YYYY-MM-DD` and ranges `YYYY-MM-DD..YYYY-MM-DD`.
    #[serde(default)]
    pub holidays: Vec<String>,
    /// Simultaneous calls.
    pub capacity: u32,
    /// Share in weighted rules.
    #[serde(default = "default_weight")]
    pub weight: u32,
}

fn default_time_zone() -> String {
    "UTC".into()
}

/// A centre's `destination` inline table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DestinationConfig {
    /// A number dialled on an FXO port.
    #[serde(default)]
    pub line: Option<String>,
    /// With `line`: the FXO ports to use, in order (default: any).
    #[serde(default)]
    pub ports: Vec<u8>,
    /// A SIP URI.
    #[serde(default)]
    pub sip: Option<String>,
    /// A `[[sip.upstream]]` registrar's address; with `number`.
    #[serde(default)]
    pub upstream: Option<SocketAddr>,
    /// With `upstream`: the number called.
    #[serde(default)]
    pub number: Option<String>,
    /// An ACD queue's name.
    #[serde(default)]
    pub acd: Option<String>,
}

/// A centre's `hours` table: intervals `HH:MM-HH:MM` per weekday; a day not
/// written is closed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoursConfig {
    #[serde(default)]
    mon: Vec<String>,
    #[serde(default)]
    tue: Vec<String>,
    #[serde(default)]
    wed: Vec<String>,
    #[serde(default)]
    thu: Vec<String>,
    #[serde(default)]
    fri: Vec<String>,
    #[serde(default)]
    sat: Vec<String>,
    #[serde(default)]
    sun: Vec<String>,
}

/// One `[[call_server.rules]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    /// Unique name.
    pub name: String,
    /// Only this merchant's calls.
    #[serde(default)]
    pub merchant: Option<String>,
    /// Only calls from this link.
    #[serde(default)]
    pub link: Option<String>,
    /// Attributes that must all be present with these values.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// The dialled number starts with this.
    #[serde(default)]
    pub dialled_prefix: Option<String>,
    /// Tests on the device's data.
    #[serde(default)]
    pub device: DeviceConditionsConfig,
    /// Centre ids, in order.
    pub centres: Vec<String>,
    /// `first_open`, `least_busy` or `weighted`.
    #[serde(default)]
    pub strategy: StrategyConfig,
    /// Prefer the centre a valid route token names.
    #[serde(default)]
    pub prefer_last_centre: bool,
}

/// A rule's `device` inline table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceConditionsConfig {
    /// The device's language.
    #[serde(default)]
    pub language: Option<String>,
    /// The device remembers an agent.
    #[serde(default)]
    pub last_agent_known: bool,
    /// The cart's total at least, smallest currency unit.
    #[serde(default)]
    pub cart_total_at_least_cents: Option<u64>,
    /// At least this many pages seen.
    #[serde(default)]
    pub interactions_at_least: Option<u32>,
    /// A page seen whose URL contains this.
    #[serde(default)]
    pub visited_page: Option<String>,
}

/// A rule's `strategy`.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StrategyConfig {
    /// The first open centre with room.
    #[default]
    FirstOpen,
    /// The lowest live ÷ capacity.
    LeastBusy,
    /// Smooth weighted round-robin.
    Weighted,
}

/// What the routing flow runs on: the core's types, built from the section.
#[derive(Debug, Clone)]
pub struct CallServerSettings {
    /// Centres and rules.
    pub table: Table,
    /// The route tokens' key, when configured.
    pub token_key: Option<TokenKey>,
    /// How long a route token is honoured, seconds.
    pub token_lifetime_s: u32,
    /// How long an INVITE waits for the device's data, milliseconds.
    pub device_wait_ms: u32,
}

/// A fault: the dotted key and what is wrong.
type Invalid = (String, String);

impl CallServerConfig {
    /// Validate against the rest of `config` (ports, upstream registrars) and
    /// build the routing core's settings.
    pub fn build(&self, config: &Config) -> Result<CallServerSettings, Invalid> {
        let at = |key: String, message: String| (format!("call_server.{key}"), message);
        let token_key = self
            .token_key
            .as_deref()
            .map(|hex| {
                let bytes = decode_hex(hex)
                    .ok_or_else(|| at("token_key".into(), "not a string of hex digits".into()))?;
                TokenKey::new(&bytes).map_err(|e| at("token_key".into(), e.to_string()))
            })
            .transpose()?;
        let mut centres = Vec::with_capacity(self.centres.len());
        for (i, c) in self.centres.iter().enumerate() {
            centres.push(
                c.settings(config)
                    .map_err(|(k, m)| at(format!("centres[{i}].{k}"), m))?,
            );
        }
        let rules = self
            .rules
            .iter()
            .map(RuleConfig::settings)
            .collect::<Vec<_>>();
        let table = Table::new(
            centres,
            rules,
            &self.explicit_number_merchants,
            self.busy_retry_after_s,
        )
        .map_err(|e| {
            let key = match &e {
                TableError::DuplicateCentre { centre, .. } => format!("centres[{centre}].id"),
                TableError::Zero { centre, what } => format!("centres[{centre}].{what}"),
                TableError::DuplicateRule { rule, .. } => format!("rules[{rule}].name"),
                TableError::UnknownCentre { rule, .. } | TableError::CentreList { rule } => {
                    format!("rules[{rule}].centres")
                }
                _ => String::new(),
            };
            let key = if key.is_empty() {
                "call_server".to_string()
            } else {
                format!("call_server.{key}")
            };
            (key, e.to_string())
        })?;
        Ok(CallServerSettings {
            table,
            token_key,
            token_lifetime_s: self.token_lifetime_s,
            device_wait_ms: self.device_wait_ms,
        })
    }
}

impl CentreConfig {
    fn settings(&self, config: &Config) -> Result<CentreSettings, Invalid> {
        if self.id.is_empty() || self.id.len() > MAX_FIELD {
            return Err((
                "id".to_string(),
                format!("1 to {MAX_FIELD} bytes (route tokens carry it)"),
            ));
        }
        let destination = self.destination.build(config)?;
        let week = match &self.hours {
            None => std::array::from_fn(|_| DayHours::all_day()),
            Some(h) => {
                let days = [
                    ("mon", &h.mon),
                    ("tue", &h.tue),
                    ("wed", &h.wed),
                    ("thu", &h.thu),
                    ("fri", &h.fri),
                    ("sat", &h.sat),
                    ("sun", &h.sun),
                ];
                let mut week: [DayHours; 7] = Default::default();
                for (slot, (name, intervals)) in week.iter_mut().zip(days) {
                    let parsed = intervals
                        .iter()
                        .enumerate()
                        .map(|(i, text)| {
                            Interval::parse(text)
                                .map_err(|e| (format!("hours.{name}[{i}]"), e.to_string()))
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    *slot = DayHours::new(&parsed)
                        .map_err(|e| (format!("hours.{name}"), e.to_string()))?;
                }
                week
            }
        };
        let holidays = self
            .holidays
            .iter()
            .enumerate()
            .map(|(i, text)| {
                Holiday::parse(text).map_err(|e| (format!("holidays[{i}]"), e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let schedule = Schedule::new(&self.time_zone, week, holidays)
            .map_err(|e| ("time_zone".to_string(), e.to_string()))?;
        Ok(CentreSettings {
            name: self.id.clone(),
            merchants: self.merchants.clone(),
            links: self.links.clone(),
            destination,
            schedule,
            capacity: self.capacity,
            weight: self.weight,
        })
    }
}

impl DestinationConfig {
    fn build(&self, config: &Config) -> Result<Destination, Invalid> {
        let bad = |key: &str, message: String| (format!("destination.{key}"), message);
        let kinds = [
            self.line.is_some(),
            self.sip.is_some(),
            self.upstream.is_some(),
            self.acd.is_some(),
        ];
        if kinds.iter().filter(|&&k| k).count() != 1 {
            return Err((
                "destination".to_string(),
                "exactly one of line, sip, upstream or acd".to_string(),
            ));
        }
        if !self.ports.is_empty() && self.line.is_none() {
            return Err(bad("ports", "ports go with line".into()));
        }
        if self.number.is_some() && self.upstream.is_none() {
            return Err(bad("number", "number goes with upstream".into()));
        }
        if let Some(number) = &self.line {
            check_number(number).map_err(|m| bad("line", m))?;
            for (i, port) in self.ports.iter().enumerate() {
                let fxo = config
                    .ports
                    .iter()
                    .any(|p| p.port == *port && matches!(p.kind, PortKindConfig::Fxo));
                if !fxo {
                    return Err(bad(
                        &format!("ports[{i}]"),
                        format!("port {port} is not a configured FXO port"),
                    ));
                }
            }
            return Ok(Destination::Line {
                number: number.clone(),
                ports: self.ports.clone(),
            });
        }
        if let Some(uri) = &self.sip {
            let host = uri
                .strip_prefix("sip:")
                .map(|rest| rest.rsplit('@').next().unwrap_or(rest))
                .filter(|host| !host.is_empty() && !host.contains(char::is_whitespace));
            if host.is_none() {
                return Err(bad(
                    "sip",
                    format!("{uri:?} is not a SIP URI (sip:user@host[:port])"),
                ));
            }
            return Ok(Destination::Sip { uri: uri.clone() });
        }
        if let Some(registrar) = self.upstream {
            if !config.sip.upstream.iter().any(|u| u.registrar == registrar) {
                return Err(bad(
                    "upstream",
                    format!("no [[sip.upstream]] with registrar {registrar}"),
                ));
            }
            let number = self
                .number
                .clone()
                .ok_or_else(|| bad("number", "upstream needs the number to call".into()))?;
            check_number(&number).map_err(|m| bad("number", m))?;
            return Ok(Destination::Upstream { registrar, number });
        }
        let queue = self.acd.clone().unwrap_or_default();
        if queue.is_empty() {
            return Err(bad("acd", "an ACD queue needs a name".into()));
        }
        Ok(Destination::Acd { queue })
    }
}

/// Digits with an optional leading `+`.
fn check_number(number: &str) -> Result<(), String> {
    let digits = number.strip_prefix('+').unwrap_or(number);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{number:?} is not a number (digits, optional leading +)"
        ));
    }
    Ok(())
}

impl RuleConfig {
    fn settings(&self) -> RuleSettings {
        let d = &self.device;
        let mut device = Vec::new();
        if let Some(l) = &d.language {
            device.push(DeviceCondition::Language(l.clone()));
        }
        if d.last_agent_known {
            device.push(DeviceCondition::LastAgentKnown);
        }
        if let Some(c) = d.cart_total_at_least_cents {
            device.push(DeviceCondition::CartTotalAtLeast(c));
        }
        if let Some(n) = d.interactions_at_least {
            device.push(DeviceCondition::InteractionsAtLeast(n));
        }
        if let Some(p) = &d.visited_page {
            device.push(DeviceCondition::VisitedPage(p.clone()));
        }
        RuleSettings {
            name: self.name.clone(),
            merchant: self.merchant.clone(),
            link: self.link.clone(),
            attributes: self
                .attributes
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            dialled_prefix: self.dialled_prefix.clone(),
            device,
            centres: self.centres.clone(),
            strategy: match self.strategy {
                StrategyConfig::FirstOpen => Strategy::FirstOpen,
                StrategyConfig::LeastBusy => Strategy::LeastBusy,
                StrategyConfig::Weighted => Strategy::Weighted,
            },
            prefer_last_centre: self.prefer_last_centre,
        }
    }
}

/// Hex digits to bytes; `None` for an odd length or a non-hex digit.
fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let pairs = text.trim().as_bytes().chunks_exact(2);
    if !pairs.remainder().is_empty() {
        return None;
    }
    let digit = |c: u8| char::from(c).to_digit(16);
    pairs
        .map(|pair| u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).ok())
        .collect()
}
