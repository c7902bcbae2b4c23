//! The Via header (RFC 3261 §20.42, §18.2.1) with RFC 3581 `rport`.

use std::fmt;

use super::grammar::{is_token_char, parse_params, Params, Scanner};
use super::header::HeaderError;
use super::uri::split_host_port;

/// The RFC 3261 branch magic cookie (§8.1.1.7).
pub const MAGIC_COOKIE: &str = "z9hG4bK";

/// One `via-parm`: `SIP/2.0/transport sent-by *(;param)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Via {
    /// Transport token as received, e.g. `UDP`.
    pub transport: String,
    /// sent-by host (IPv6 in brackets).
    pub host: String,
    /// sent-by port.
    pub port: Option<u16>,
    pub params: Params,
}

impl Via {
    pub fn new(transport: &str, host: &str, port: Option<u16>, branch: &str) -> Self {
        let mut params = Params::default();
        params.set("branch", Some(branch.to_owned()));
        Self {
            transport: transport.to_owned(),
            host: host.to_owned(),
            port,
            params,
        }
    }

    pub fn branch(&self) -> Option<&str> {
        self.params.value("branch")
    }

    /// True when the branch starts with the magic cookie and has something
    /// after it, i.e. RFC 3261 transaction matching applies (§17.2.3).
    pub fn has_rfc3261_branch(&self) -> bool {
        self.branch()
            .is_some_and(|b| b.len() > MAGIC_COOKIE.len() && b.starts_with(MAGIC_COOKIE))
    }

    /// `host[:port]` as it appears in the header.
    pub fn sent_by(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.host),
            None => self.host.clone(),
        }
    }

    pub fn received(&self) -> Option<&str> {
        self.params.value("received")
    }

    /// `Some(None)` when `rport` is present without a value (RFC 3581 §3).
    pub fn rport(&self) -> Option<Option<u16>> {
        self.params
            .get("rport")
            .map(|v| v.and_then(|p| p.parse().ok()))
    }

    pub fn parse(text: &str) -> Result<Via, HeaderError> {
        let mut sc = Scanner::new(text);
        let part = |sc: &mut Scanner<'_>, slash: bool| -> Result<String, HeaderError> {
            sc.skip_ws();
            if slash && !sc.eat(b'/') {
                return Err(HeaderError::InvalidSentProtocol);
            }
            sc.skip_ws();
            sc.token()
                .map(str::to_owned)
                .ok_or(HeaderError::InvalidSentProtocol)
        };
        let name = part(&mut sc, false)?;
        let version = part(&mut sc, true)?;
        let transport = part(&mut sc, true)?;
        if !name.eq_ignore_ascii_case("SIP") || version != "2.0" {
            return Err(HeaderError::InvalidSentProtocol);
        }
        sc.skip_ws();
        let host = if sc.peek() == Some(b'[') {
            sc.take_while(|c| c != b']').to_owned() + if sc.eat(b']') { "]" } else { "" }
        } else {
            sc.take_while(|c| is_token_char(c) && c != b'!' && c != b'%')
                .to_owned()
        };
        sc.skip_ws();
        let port = if sc.eat(b':') {
            sc.skip_ws();
            Some(sc.take_while(|c| c.is_ascii_digit()))
        } else {
            None
        };
        let hostport = match port {
            Some(p) => format!("{host}:{p}"),
            None => host,
        };
        let (host, port) = split_host_port(&hostport).map_err(|_| HeaderError::InvalidSentBy)?;
        let params = parse_params(&mut sc).map_err(|()| HeaderError::InvalidParam)?;
        sc.skip_ws();
        if !sc.is_empty() {
            return Err(HeaderError::TrailingData);
        }
        Ok(Via {
            transport,
            host,
            port,
            params,
        })
    }
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SIP/2.0/{} {}{}",
            self.transport,
            self.sent_by(),
            self.params
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_and_spaced() {
        let v =
            Via::parse("SIP  / 2.0  / TCP     spindle.example.com   ;  branch  =   z9hG4bK9ikj8")
                .unwrap();
        assert_eq!(v.transport, "TCP");
        assert_eq!(v.host, "spindle.example.com");
        assert_eq!(v.branch(), Some("z9hG4bK9ikj8"));
        assert!(v.has_rfc3261_branch());
        assert_eq!(Via::parse(&v.to_string()).unwrap(), v);
    }

    #[test]
    fn rport_and_ipv6() {
        let v = Via::parse("SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bK-1;rport").unwrap();
        assert_eq!(v.host, "[2001:db8::1]");
        assert_eq!(v.port, Some(5070));
        assert_eq!(v.rport(), Some(None));
        let v = Via::parse("SIP/2.0/UDP h;rport=5061;received=192.0.2.1").unwrap();
        assert_eq!(v.rport(), Some(Some(5061)));
        assert_eq!(v.received(), Some("192.0.2.1"));
    }

    #[test]
    fn invalid() {
        assert!(Via::parse("SIP/2.0/UDP 192.0.2.15;;").is_err());
        assert!(Via::parse("SIP/7.0/UDP host").is_err());
        assert!(Via::parse("SIP/2.0/UDP").is_err());
        assert!(Via::parse("SIP/2.0/UDP host:x").is_err());
        assert!(!Via::parse("SIP/2.0/UDP h;branch=z9hG4bK")
            .unwrap()
            .has_rfc3261_branch());
    }
}
