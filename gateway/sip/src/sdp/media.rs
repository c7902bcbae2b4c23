//! `m=` media descriptions and `c=` connection data (RFC 4566 §5.7, §5.14).

use std::fmt;
use std::net::IpAddr;

use super::attribute::{self, Attribute, Direction, Rtpmap};
use super::{write_lines, Line};

/// Address type of a `c=` or `o=` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddrType {
    Ip4,
    Ip6,
    Other(String),
}

/// `c=<nettype> <addrtype> <address>`; the address may carry `/ttl[/n]`
/// (multicast) or be a host name, so it is kept as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    pub net_type: String,
    pub addr_type: AddrType,
    pub address: String,
}

impl Connection {
    pub fn from_ip(ip: IpAddr) -> Self {
        Self {
            net_type: "IN".into(),
            addr_type: if ip.is_ipv4() {
                AddrType::Ip4
            } else {
                AddrType::Ip6
            },
            address: ip.to_string(),
        }
    }

    pub(crate) fn parse(value: &str) -> Option<Connection> {
        let mut parts = value.split(' ');
        let net_type = parts.next().filter(|s| !s.is_empty())?.to_owned();
        let addr_type = match parts.next()? {
            "IP4" => AddrType::Ip4,
            "IP6" => AddrType::Ip6,
            "" => return None,
            other => AddrType::Other(other.to_owned()),
        };
        let address = parts.next().filter(|s| !s.is_empty())?.to_owned();
        if parts.next().is_some() {
            return None;
        }
        Some(Connection {
            net_type,
            addr_type,
            address,
        })
    }

    /// The unicast or multicast address as an IP, ignoring any `/ttl`.
    pub fn ip(&self) -> Option<IpAddr> {
        let addr = self.address.split('/').next().unwrap_or("");
        let ip: IpAddr = addr.parse().ok()?;
        match (&self.addr_type, ip) {
            (AddrType::Ip4, IpAddr::V4(_)) | (AddrType::Ip6, IpAddr::V6(_)) => Some(ip),
            _ => None,
        }
    }
}

impl fmt::Display for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let addr_type = match &self.addr_type {
            AddrType::Ip4 => "IP4",
            AddrType::Ip6 => "IP6",
            AddrType::Other(s) => s,
        };
        write!(f, "{} {addr_type} {}", self.net_type, self.address)
    }
}

/// One `m=` section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Media {
    /// `audio`, `video`, `image`, ...
    pub kind: String,
    /// Port 0 means the stream is rejected or disabled (RFC 3264 §6).
    pub port: u16,
    /// The `/<number of ports>` suffix.
    pub port_count: Option<u16>,
    /// `RTP/AVP`, `RTP/SAVP`, `udptl`, ...
    pub protocol: String,
    /// Payload types (RTP) or format names, as text.
    pub formats: Vec<String>,
    pub connection: Option<Connection>,
    pub attributes: Vec<Attribute>,
    /// Other media-level lines (`i=`, `b=`, `k=`).
    pub other: Vec<Line>,
}

impl Media {
    pub fn new(kind: &str, port: u16, protocol: &str) -> Self {
        Self {
            kind: kind.into(),
            port,
            port_count: None,
            protocol: protocol.into(),
            formats: Vec::new(),
            connection: None,
            attributes: Vec::new(),
            other: Vec::new(),
        }
    }

    pub(crate) fn parse(value: &str) -> Option<Media> {
        let mut parts = value.split(' ');
        let kind = parts.next().filter(|s| !s.is_empty())?.to_owned();
        let port_text = parts.next()?;
        let (port, port_count) = match port_text.split_once('/') {
            Some((p, n)) => (p.parse().ok()?, Some(n.parse().ok()?)),
            None => (port_text.parse().ok()?, None),
        };
        let protocol = parts.next().filter(|s| !s.is_empty())?.to_owned();
        let formats: Vec<String> = parts.filter(|s| !s.is_empty()).map(str::to_owned).collect();
        Some(Media {
            port_count,
            ..Media {
                formats,
                ..Media::new(&kind, port, &protocol)
            }
        })
    }

    /// Port 0: a rejected (answer) or disabled (offer) stream.
    pub fn is_rejected(&self) -> bool {
        self.port == 0
    }

    /// Every `a=rtpmap` that parses.
    pub fn rtpmaps(&self) -> impl Iterator<Item = Rtpmap> + '_ {
        self.attributes
            .iter()
            .filter(|a| a.name == "rtpmap")
            .filter_map(|a| a.value.as_deref().and_then(Rtpmap::parse))
    }

    pub fn rtpmap(&self, payload_type: u8) -> Option<Rtpmap> {
        self.rtpmaps().find(|r| r.payload_type == payload_type)
    }

    /// Append a payload type with its `a=rtpmap`.
    pub fn add_rtpmap(&mut self, rtpmap: Rtpmap) {
        self.formats.push(rtpmap.payload_type.to_string());
        self.attributes.push(Attribute {
            name: "rtpmap".into(),
            value: Some(rtpmap.to_string()),
        });
    }

    /// The `a=fmtp` parameters for `payload_type`.
    pub fn fmtp(&self, payload_type: u8) -> Option<&str> {
        self.attributes
            .iter()
            .filter(|a| a.name == "fmtp")
            .filter_map(|a| a.value.as_deref())
            .find_map(|v| {
                let (pt, params) = v.split_once(' ')?;
                (pt.parse::<u8>().ok()? == payload_type).then_some(params.trim())
            })
    }

    /// `a=ptime` in milliseconds.
    pub fn ptime(&self) -> Option<u32> {
        self.attribute("ptime").and_then(|v| v.trim().parse().ok())
    }

    /// The direction attribute at media level, if any.
    pub fn direction(&self) -> Option<Direction> {
        attribute::direction(&self.attributes)
    }

    /// Value of the first attribute called `name` (empty for a flag).
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.value.as_deref().unwrap_or(""))
    }
}

impl fmt::Display for Media {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "m={} {}", self.kind, self.port)?;
        if let Some(n) = self.port_count {
            write!(f, "/{n}")?;
        }
        write!(f, " {}", self.protocol)?;
        for fmt in &self.formats {
            write!(f, " {fmt}")?;
        }
        f.write_str("\r\n")?;
        write_lines(f, &self.other, "i")?;
        if let Some(c) = &self.connection {
            write!(f, "c={c}\r\n")?;
        }
        let rest: String = ('a'..='z').filter(|c| !"ica".contains(*c)).collect();
        write_lines(f, &self.other, &rest)?;
        for a in &self.attributes {
            write!(f, "a={a}\r\n")?;
        }
        Ok(())
    }
}
