//! `a=` attributes (RFC 4566 §5.13, §6): generic name/value pairs with typed
//! views for `rtpmap` and the direction flags.

use std::fmt;

/// `a=name` or `a=name:value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    pub name: String,
    pub value: Option<String>,
}

impl Attribute {
    pub(crate) fn parse(value: &str) -> Attribute {
        match value.split_once(':') {
            Some((name, v)) => Attribute {
                name: name.to_owned(),
                value: Some(v.to_owned()),
            },
            None => Attribute {
                name: value.to_owned(),
                value: None,
            },
        }
    }
}

impl fmt::Display for Attribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(v) => write!(f, "{}:{v}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// `a=rtpmap:<pt> <encoding>/<clock rate>[/<channels>]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rtpmap {
    pub payload_type: u8,
    pub encoding: String,
    pub clock_rate: u32,
    pub channels: Option<u16>,
}

impl Rtpmap {
    pub fn parse(value: &str) -> Option<Rtpmap> {
        let (pt, rest) = value.trim().split_once(' ')?;
        let payload_type = pt.parse::<u8>().ok().filter(|pt| *pt < 128)?;
        let mut parts = rest.trim().split('/');
        let encoding = parts.next().filter(|e| !e.is_empty())?.to_owned();
        let clock_rate = parts.next()?.parse().ok()?;
        let channels = parts
            .next()
            .map(|c| c.parse().ok())
            .map_or(Some(None), |c| c.map(Some))?;
        Some(Rtpmap {
            payload_type,
            encoding,
            clock_rate,
            channels,
        })
    }
}

impl fmt::Display for Rtpmap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}/{}",
            self.payload_type, self.encoding, self.clock_rate
        )?;
        if let Some(c) = self.channels {
            write!(f, "/{c}")?;
        }
        Ok(())
    }
}

/// Media direction (RFC 4566 §6, RFC 3264 §5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    /// The direction the answerer uses for an offer with this direction.
    pub fn reversed(self) -> Direction {
        match self {
            Direction::SendOnly => Direction::RecvOnly,
            Direction::RecvOnly => Direction::SendOnly,
            d => d,
        }
    }
}

impl From<Direction> for Attribute {
    fn from(d: Direction) -> Attribute {
        Attribute {
            name: d.as_str().into(),
            value: None,
        }
    }
}

/// The last direction flag among `attributes`.
pub(crate) fn direction(attributes: &[Attribute]) -> Option<Direction> {
    attributes.iter().rev().find_map(|a| match a.name.as_str() {
        "sendrecv" => Some(Direction::SendRecv),
        "sendonly" => Some(Direction::SendOnly),
        "recvonly" => Some(Direction::RecvOnly),
        "inactive" => Some(Direction::Inactive),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtpmap() {
        let r = Rtpmap::parse("96 opus/48000/2").unwrap();
        assert_eq!(r.channels, Some(2));
        assert_eq!(r.to_string(), "96 opus/48000/2");
        assert!(Rtpmap::parse("31 LPC").is_none());
        assert!(Rtpmap::parse("300 x/8000").is_none());
        assert!(Rtpmap::parse("0 PCMU/8000/x").is_none());
        assert_eq!(Direction::SendOnly.reversed(), Direction::RecvOnly);
    }
}
