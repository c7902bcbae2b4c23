//! A call centre: where calls go (a number on FXO ports, a SIP URI, an upstream
//! trunk or an ACD queue), when it answers, how many calls it takes at once and
//! its share of weighted routing.

use std::fmt;
use std::net::SocketAddr;

use super::hours::Schedule;

/// A centre's index in its [`super::Table`] (configuration order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CentreId(pub u16);

/// Where a centre's calls are placed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Destination {
    /// A number dialled on an FXO port, tried in the order given (empty: any
    /// FXO port).
    Line {
        /// Digits, optional leading `+`.
        number: String,
        /// Port indices, in order of preference.
        ports: Vec<u8>,
    },
    /// A SIP URI the gateway calls as a B2BUA (`sip:sales@192.0.2.10:5060`).
    Sip {
        /// The Request-URI.
        uri: String,
    },
    /// A number called through one of the `[[sip.upstream]]` registrars.
    Upstream {
        /// The registrar's address, naming the trunk.
        registrar: SocketAddr,
        /// The number, as the trunk wants it.
        number: String,
    },
    /// An ACD queue by name (the ACD issue's).
    Acd {
        /// The queue.
        queue: String,
    },
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Destination::Line { number, ports } if ports.is_empty() => {
                write!(f, "line {number}")
            }
            Destination::Line { number, ports } => write!(f, "line {number} on ports {ports:?}"),
            Destination::Sip { uri } => write!(f, "{uri}"),
            Destination::Upstream { registrar, number } => {
                write!(f, "{number} via upstream {registrar}")
            }
            Destination::Acd { queue } => write!(f, "acd:{queue}"),
        }
    }
}

/// The settings of one centre (the engine's own type: the TOML schema in
/// `config::call_server` converts to it).
#[derive(Debug, Clone)]
pub struct CentreSettings {
    /// Unique name, used in rules, records and route tokens.
    pub name: String,
    /// Merchant ids it serves; empty: every merchant.
    pub merchants: Vec<String>,
    /// Link ids it serves; empty: every link.
    pub links: Vec<String>,
    /// Where its calls go.
    pub destination: Destination,
    /// When it answers.
    pub schedule: Schedule,
    /// Simultaneous calls it takes, at least 1.
    pub capacity: u32,
    /// Share in weighted routing, at least 1.
    pub weight: u32,
}

/// A centre as the decision sees it: merchants and links interned.
#[derive(Debug, Clone)]
pub struct Centre {
    pub(super) settings: CentreSettings,
    /// Interned merchant ids it serves (empty: all).
    pub(super) merchants: Box<[u16]>,
    /// Interned link ids it serves (empty: all).
    pub(super) links: Box<[u16]>,
}

impl Centre {
    /// Its settings.
    pub fn settings(&self) -> &CentreSettings {
        &self.settings
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.settings.name
    }

    pub(super) fn serves(&self, merchant: Option<u16>, link: Option<u16>) -> bool {
        let merchant_ok =
            self.merchants.is_empty() || merchant.is_some_and(|m| self.merchants.contains(&m));
        let link_ok = self.links.is_empty() || link.is_some_and(|l| self.links.contains(&l));
        merchant_ok && link_ok
    }
}
