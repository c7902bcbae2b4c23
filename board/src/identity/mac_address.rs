//! [`MacAddress`]: the board's Ethernet address, as printed on its label.

use std::fmt;
use std::str::FromStr;

/// A unicast IEEE 802 MAC address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MacAddress([u8; 6]);

/// Why a string is not a board MAC address.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MacAddressError {
    /// Not six two-digit hex octets separated by colons.
    #[error("expected six two-digit hex octets separated by colons, like 02:00:5e:10:00:01")]
    Format,
    /// The group bit is set: a multicast or broadcast address cannot name a board.
    #[error("a multicast address cannot identify a board")]
    Multicast,
    /// All zeros: an unprogrammed address.
    #[error("the all-zero address is unprogrammed")]
    Zero,
}

impl MacAddress {
    /// An address from its octets; must be unicast and not all zero.
    pub fn new(octets: [u8; 6]) -> Result<Self, MacAddressError> {
        if octets == [0; 6] {
            Err(MacAddressError::Zero)
        } else if octets[0] & 0x01 != 0 {
            Err(MacAddressError::Multicast)
        } else {
            Ok(Self(octets))
        }
    }

    /// The six octets.
    pub fn octets(self) -> [u8; 6] {
        self.0
    }

    /// Whether the address is locally administered (not from a vendor's OUI), as
    /// simulated and development boards use.
    pub fn is_locally_administered(self) -> bool {
        self.0[0] & 0x02 != 0
    }
}

impl FromStr for MacAddress {
    type Err = MacAddressError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut octets = [0u8; 6];
        let mut parts = text.split(':');
        for octet in &mut octets {
            let part = parts.next().ok_or(MacAddressError::Format)?;
            if part.len() != 2 || !part.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(MacAddressError::Format);
            }
            *octet = u8::from_str_radix(part, 16).map_err(|_| MacAddressError::Format)?;
        }
        if parts.next().is_some() {
            return Err(MacAddressError::Format);
        }
        Self::new(octets)
    }
}

impl fmt::Display for MacAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_canonical_form() {
        let mac: MacAddress = "00:1B:21:3a:4f:5c".parse().unwrap();
        assert_eq!(mac.to_string(), "00:1b:21:3a:4f:5c");
        assert!(!mac.is_locally_administered());
    }

    #[test]
    fn rejects_malformed_multicast_and_zero() {
        for bad in [
            "",
            "00:1b:21:3a:4f",
            "00:1b:21:3a:4f:5c:00",
            "00-1b-21-3a-4f-5c",
            "0:1b:21:3a:4f:5c",
            "00:1b:21:3a:4f:5g",
            "+0:1b:21:3a:4f:5c",
            "é0:1b:21:3a:4f:5c",
        ] {
            assert_eq!(
                bad.parse::<MacAddress>(),
                Err(MacAddressError::Format),
                "{bad}"
            );
        }
        assert_eq!(
            "01:00:5e:00:00:01".parse::<MacAddress>(),
            Err(MacAddressError::Multicast)
        );
        assert_eq!(
            "ff:ff:ff:ff:ff:ff".parse::<MacAddress>(),
            Err(MacAddressError::Multicast)
        );
        assert_eq!(
            "00:00:00:00:00:00".parse::<MacAddress>(),
            Err(MacAddressError::Zero)
        );
    }
}
