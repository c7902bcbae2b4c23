//! SIP, SIPS and tel URIs (RFC 3261 §19.1, RFC 3966), other schemes kept opaque.
//!
//! Percent escapes are decoded exactly once, where RFC 3261 §19.1.2 allows
//! them (user, password, URI parameters and headers); the host and the
//! scheme never contain escapes. Printing escapes again with the RFC's
//! character sets, so `parse(print(uri)) == uri`.

use std::fmt;

use thiserror::Error;

/// Why a URI did not parse.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum UriError {
    #[error("missing or invalid scheme")]
    InvalidScheme,
    #[error("empty host")]
    EmptyHost,
    #[error("invalid host {0:?}")]
    InvalidHost(String),
    #[error("invalid port")]
    InvalidPort,
    #[error("invalid character in user part")]
    InvalidUser,
    #[error("invalid percent escape")]
    InvalidEscape,
    #[error("invalid URI parameter")]
    InvalidParam,
    #[error("invalid URI header")]
    InvalidHeader,
    #[error("invalid character in URI")]
    InvalidCharacter,
}

/// URI scheme.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    Sip,
    Sips,
    Tel,
    /// Any other scheme, lower-cased; the rest of the URI is in [`Uri::opaque`].
    Other(String),
}

impl Scheme {
    pub fn as_str(&self) -> &str {
        match self {
            Scheme::Sip => "sip",
            Scheme::Sips => "sips",
            Scheme::Tel => "tel",
            Scheme::Other(s) => s,
        }
    }
}

/// A parsed URI. For `sip`/`sips` every field may be set; for `tel` the
/// number is in `user` and its parameters in `params`; any other scheme keeps
/// everything after the colon in `opaque`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Uri {
    pub scheme: Option<Scheme>,
    /// Unescaped user part (SIP) or subscriber number (tel).
    pub user: Option<String>,
    /// Unescaped password (deprecated but legal).
    pub password: Option<String>,
    /// Host name, IPv4 address or bracketed IPv6 reference.
    pub host: String,
    pub port: Option<u16>,
    /// Unescaped URI parameters in order.
    pub params: Vec<(String, Option<String>)>,
    /// Unescaped URI headers (`?name=value&...`) in order.
    pub headers: Vec<(String, String)>,
    /// Everything after `scheme:` for schemes this crate does not know.
    pub opaque: Option<String>,
}

// RFC 3261 §25.1 character classes.
fn is_unreserved(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&c)
}
fn is_user_char(c: u8) -> bool {
    is_unreserved(c) || b"&=+$,;?/".contains(&c)
}
fn is_password_char(c: u8) -> bool {
    is_unreserved(c) || b"&=+$,".contains(&c)
}
fn is_param_char(c: u8) -> bool {
    is_unreserved(c) || b"[]/:&+$".contains(&c)
}
fn is_header_char(c: u8) -> bool {
    is_unreserved(c) || b"[]/?:+$".contains(&c)
}
fn is_host_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'.' || c == b'_'
}

/// Decode `%HH` escapes once; characters outside `allowed` (and not part of
/// an escape) are an error.
fn unescape(s: &str, allowed: fn(u8) -> bool, err: UriError) -> Result<String, UriError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&c) = bytes.get(i) {
        if c == b'%' {
            let hex = s.get(i + 1..i + 3).ok_or(UriError::InvalidEscape)?;
            let v = u8::from_str_radix(hex, 16).map_err(|_| UriError::InvalidEscape)?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(UriError::InvalidEscape);
            }
            out.push(v);
            i += 3;
        } else if allowed(c) || c >= 0x80 {
            // UTF-8 in URIs is tolerated (RFC 3261 forbids it unescaped, but
            // real peers send it and it cannot be mistaken for a delimiter).
            out.push(c);
            i += 1;
        } else {
            return Err(err);
        }
    }
    String::from_utf8(out).map_err(|_| UriError::InvalidEscape)
}

fn write_escaped(f: &mut fmt::Formatter<'_>, s: &str, allowed: fn(u8) -> bool) -> fmt::Result {
    for b in s.bytes() {
        if allowed(b) {
            write!(f, "{}", char::from(b))?;
        } else {
            write!(f, "%{b:02X}")?;
        }
    }
    Ok(())
}

fn parse_param_list(s: &str) -> Result<Vec<(String, Option<String>)>, UriError> {
    s.split(';')
        .map(|p| {
            let (name, value) = match p.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (p, None),
            };
            let name = unescape(name, is_param_char, UriError::InvalidParam)?;
            if name.is_empty() {
                return Err(UriError::InvalidParam);
            }
            let value = value
                .map(|v| unescape(v, is_param_char, UriError::InvalidParam))
                .transpose()?;
            Ok((name, value))
        })
        .collect()
}

impl Uri {
    /// A `sip:` URI for `user@host[:port]`.
    pub fn sip(user: Option<&str>, host: &str, port: Option<u16>) -> Self {
        // An IPv6 address is a bracketed reference in a URI (§19.1.1).
        let host = if host.contains(':') && !host.starts_with('[') {
            format!("[{host}]")
        } else {
            host.to_owned()
        };
        Uri {
            scheme: Some(Scheme::Sip),
            user: user.map(str::to_owned),
            host,
            port,
            ..Uri::default()
        }
    }

    /// Parse exactly one URI (no surrounding whitespace or brackets).
    pub fn parse(text: &str) -> Result<Uri, UriError> {
        let (scheme, rest) = text.split_once(':').ok_or(UriError::InvalidScheme)?;
        let mut chars = scheme.bytes();
        if !chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            || !chars.all(|c| c.is_ascii_alphanumeric() || b"+-.".contains(&c))
        {
            return Err(UriError::InvalidScheme);
        }
        let lower = scheme.to_ascii_lowercase();
        match lower.as_str() {
            "sip" => Self::parse_sip(Scheme::Sip, rest),
            "sips" => Self::parse_sip(Scheme::Sips, rest),
            "tel" => Self::parse_tel(rest),
            _ => {
                if rest.is_empty()
                    || rest
                        .bytes()
                        .any(|c| c <= b' ' || c == 0x7f || b"<>\"".contains(&c))
                {
                    return Err(UriError::InvalidCharacter);
                }
                Ok(Uri {
                    scheme: Some(Scheme::Other(lower)),
                    opaque: Some(rest.to_owned()),
                    ..Uri::default()
                })
            }
        }
    }

    fn parse_tel(rest: &str) -> Result<Uri, UriError> {
        let (number, params) = match rest.split_once(';') {
            Some((n, p)) => (n, Some(p)),
            None => (rest, None),
        };
        if number.is_empty()
            || !number
                .bytes()
                .all(|c| c.is_ascii_hexdigit() || b"+-.()*#pw".contains(&c.to_ascii_lowercase()))
        {
            return Err(UriError::InvalidUser);
        }
        Ok(Uri {
            scheme: Some(Scheme::Tel),
            user: Some(number.to_owned()),
            params: params
                .map(parse_param_list)
                .transpose()?
                .unwrap_or_default(),
            ..Uri::default()
        })
    }

    fn parse_sip(scheme: Scheme, rest: &str) -> Result<Uri, UriError> {
        // No delimiter may occur unescaped in userinfo, and '@' occurs nowhere
        // else, so the first '@' ends the userinfo (RFC 3261 §25.1).
        let (userinfo, hostpart) = match rest.split_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, rest),
        };
        let (user, password) = match userinfo {
            Some(info) => {
                let (u, p) = match info.split_once(':') {
                    Some((u, p)) => (u, Some(p)),
                    None => (info, None),
                };
                let user = unescape(u, is_user_char, UriError::InvalidUser)?;
                if user.is_empty() && u.is_empty() {
                    return Err(UriError::InvalidUser);
                }
                let password = p
                    .map(|p| unescape(p, is_password_char, UriError::InvalidUser))
                    .transpose()?;
                (Some(user), password)
            }
            None => (None, None),
        };
        let (hostpart, headers) = match hostpart.split_once('?') {
            Some((h, q)) => (h, Some(q)),
            None => (hostpart, None),
        };
        let (hostport, params) = match hostpart.split_once(';') {
            Some((h, p)) => (h, Some(p)),
            None => (hostpart, None),
        };
        let (host, port) = split_host_port(hostport)?;
        let params = params
            .map(parse_param_list)
            .transpose()?
            .unwrap_or_default();
        let headers = headers
            .map(|q| {
                q.split('&')
                    .map(|h| {
                        let (n, v) = h.split_once('=').ok_or(UriError::InvalidHeader)?;
                        let n = unescape(n, is_header_char, UriError::InvalidHeader)?;
                        if n.is_empty() {
                            return Err(UriError::InvalidHeader);
                        }
                        Ok((n, unescape(v, is_header_char, UriError::InvalidHeader)?))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        Ok(Uri {
            scheme: Some(scheme),
            user,
            password,
            host,
            port,
            params,
            headers,
            opaque: None,
        })
    }

    /// True for `sip:` and `sips:`.
    pub fn is_sip(&self) -> bool {
        matches!(self.scheme, Some(Scheme::Sip | Scheme::Sips))
    }

    /// The value of URI parameter `name` (case-insensitive): `Some(None)` for a flag.
    pub fn param(&self, name: &str) -> Option<Option<&str>> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_deref())
    }
}

/// Split `host[:port]`, where host may be a bracketed IPv6 reference.
pub(crate) fn split_host_port(s: &str) -> Result<(String, Option<u16>), UriError> {
    let (host, port) = if s.starts_with('[') {
        let end = s
            .find(']')
            .ok_or_else(|| UriError::InvalidHost(s.to_owned()))?;
        let host = s.get(..=end).unwrap_or("");
        let inner = host.get(1..end).unwrap_or("");
        if inner.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(UriError::InvalidHost(host.to_owned()));
        }
        let after = s.get(end + 1..).unwrap_or("");
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').ok_or(UriError::InvalidPort)?),
        };
        (host, port)
    } else {
        match s.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        }
    };
    if host.is_empty() {
        return Err(UriError::EmptyHost);
    }
    if !host.starts_with('[') && !host.bytes().all(is_host_char) {
        return Err(UriError::InvalidHost(host.to_owned()));
    }
    let port = port
        .map(|p| {
            if p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit()) {
                return Err(UriError::InvalidPort);
            }
            p.parse::<u16>().map_err(|_| UriError::InvalidPort)
        })
        .transpose()?;
    Ok((host.to_owned(), port))
}

impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = self.scheme.as_ref().unwrap_or(&Scheme::Sip);
        write!(f, "{}:", scheme.as_str())?;
        if let Some(opaque) = &self.opaque {
            return f.write_str(opaque);
        }
        if *scheme == Scheme::Tel {
            f.write_str(self.user.as_deref().unwrap_or(""))?;
        } else {
            if let Some(user) = &self.user {
                write_escaped(f, user, is_user_char)?;
                if let Some(password) = &self.password {
                    f.write_str(":")?;
                    write_escaped(f, password, is_password_char)?;
                }
                f.write_str("@")?;
            }
            f.write_str(&self.host)?;
            if let Some(port) = self.port {
                write!(f, ":{port}")?;
            }
        }
        for (name, value) in &self.params {
            f.write_str(";")?;
            write_escaped(f, name, is_param_char)?;
            if let Some(v) = value {
                f.write_str("=")?;
                write_escaped(f, v, is_param_char)?;
            }
        }
        for (i, (name, value)) in self.headers.iter().enumerate() {
            f.write_str(if i == 0 { "?" } else { "&" })?;
            write_escaped(f, name, is_header_char)?;
            f.write_str("=")?;
            write_escaped(f, value, is_header_char)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt(s: &str) -> Uri {
        let u = Uri::parse(s).unwrap();
        assert_eq!(Uri::parse(&u.to_string()).unwrap(), u, "round trip of {s}");
        u
    }

    #[test]
    fn escapes_decode_once() {
        let u = rt("sip:sips%3Auser%40example.com@example.net");
        assert_eq!(u.user.as_deref(), Some("sips:user@example.com"));
        assert_eq!(u.host, "example.net");
        let u = rt("sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31");
        assert_eq!(u.user.as_deref(), Some("caller"));
        assert_eq!(u.param("lr"), Some(None));
        assert_eq!(u.param("name"), Some(Some("value%41")));
    }

    #[test]
    fn user_with_semicolon_and_nul() {
        let u = rt("sip:user;par=u%40example.net@example.com");
        assert_eq!(u.user.as_deref(), Some("user;par=u@example.net"));
        let u = rt("sip:null-%00-null@example.com");
        assert_eq!(u.user.as_deref(), Some("null-\0-null"));
    }

    #[test]
    fn unusual_user_and_password() {
        let u = rt("sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com");
        assert_eq!(
            u.user.as_deref(),
            Some("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
        );
        assert_eq!(
            u.password.as_deref(),
            Some("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)")
        );
    }

    #[test]
    fn ports_ipv6_headers_and_other_schemes() {
        let u = rt("sips:[2001:db8::1]:5061;transport=tls?Route=%3Csip:x%3E");
        assert_eq!(u.host, "[2001:db8::1]");
        assert_eq!(u.port, Some(5061));
        assert_eq!(u.headers, vec![("Route".into(), "<sip:x>".into())]);
        let u = rt("tel:+1-201-555-0123;phone-context=example.com");
        assert_eq!(u.user.as_deref(), Some("+1-201-555-0123"));
        let u = rt("soap.beep://192.0.2.103:3002");
        assert_eq!(u.scheme, Some(Scheme::Other("soap.beep".into())));
        assert!(Uri::parse("<sip:x>").is_err());
        assert!(Uri::parse("sip:host:99999").is_err());
        assert!(Uri::parse("sip:us er@host").is_err());
        assert!(Uri::parse("sip:%ZZ@host").is_err());
        assert!(Uri::parse("sip:").is_err());
        assert!(Uri::parse("sip:host;").is_err());
    }
}
