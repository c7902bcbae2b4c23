//! `name-addr` / `addr-spec` values of From, To, Contact, Route and
//! Record-Route (RFC 3261 §20.10, §25.1).
//!
//! Without `<...>` the URI ends at the first `;` and everything after it is a
//! header parameter (so `Contact: sip:a@b;unknownparam` carries a
//! contact-param, not a URI parameter); such an addr-spec may not contain
//! `?`, which is why an escaped header forces the bracketed form.

use std::fmt;

use super::grammar::{is_token_char, is_ws, parse_params, write_quoted, Params, Scanner};
use super::header::HeaderError;
use super::uri::Uri;

/// Display name, URI and header parameters (such as `tag`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameAddr {
    /// Unquoted display name.
    pub display_name: Option<String>,
    pub uri: Uri,
    pub params: Params,
}

impl NameAddr {
    pub fn new(uri: Uri) -> Self {
        Self {
            display_name: None,
            uri,
            params: Params::default(),
        }
    }

    /// The `tag` parameter (RFC 3261 §19.3).
    pub fn tag(&self) -> Option<&str> {
        self.params.value("tag")
    }

    pub fn set_tag(&mut self, tag: &str) {
        self.params.set("tag", Some(tag.to_owned()));
    }

    /// Parse one value (the caller has split lists at commas).
    pub fn parse(text: &str) -> Result<NameAddr, HeaderError> {
        let mut sc = Scanner::new(text);
        sc.skip_ws();
        if sc.is_empty() {
            return Err(HeaderError::Empty);
        }
        let display_name;
        let uri;
        if sc.peek() == Some(b'"') {
            let (_, name) = sc.quoted_string().ok_or(HeaderError::UnterminatedQuote)?;
            display_name = Some(name);
            sc.skip_ws();
            if sc.peek() != Some(b'<') {
                return Err(HeaderError::MissingAngleBracket);
            }
            uri = bracketed_uri(&mut sc)?;
        } else if let Some(lt) = sc.rest().find('<') {
            // Unquoted display name: tokens separated by LWS (RFC 3261
            // §25.1), no LWS needed before '<' (RFC 4475 §3.1.1.6).
            let name = sc.rest().get(..lt).unwrap_or("").trim_matches([' ', '\t']);
            if !name.bytes().all(|c| is_token_char(c) || is_ws(c)) {
                return Err(HeaderError::InvalidDisplayName);
            }
            display_name = (!name.is_empty()).then(|| name.to_owned());
            let _ = sc.take_while(|c| c != b'<');
            uri = bracketed_uri(&mut sc)?;
        } else {
            display_name = None;
            let text = sc.take_while(|c| c != b';' && !is_ws(c) && c != b',');
            if text.contains('?') {
                return Err(HeaderError::HeadersInAddrSpec);
            }
            uri = Uri::parse(text)?;
        }
        let params = parse_params(&mut sc).map_err(|()| HeaderError::InvalidParam)?;
        sc.skip_ws();
        if !sc.is_empty() {
            return Err(HeaderError::TrailingData);
        }
        Ok(NameAddr {
            display_name,
            uri,
            params,
        })
    }
}

/// `< URI >` with nothing (not even LWS) between the brackets and the URI.
fn bracketed_uri(sc: &mut Scanner<'_>) -> Result<Uri, HeaderError> {
    if !sc.eat(b'<') {
        return Err(HeaderError::MissingAngleBracket);
    }
    let text = sc.take_while(|c| c != b'>');
    if !sc.eat(b'>') {
        return Err(HeaderError::MissingAngleBracket);
    }
    Ok(Uri::parse(text)?)
}

impl fmt::Display for NameAddr {
    /// Canonical form: always `<uri>`, display name always quoted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(name) = &self.display_name {
            write_quoted(f, name)?;
            f.write_str(" ")?;
        }
        write!(f, "<{}>{}", self.uri, self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt(s: &str) -> NameAddr {
        let n = NameAddr::parse(s).unwrap();
        assert_eq!(
            NameAddr::parse(&n.to_string()).unwrap(),
            n,
            "round trip of {s}"
        );
        n
    }

    #[test]
    fn forms() {
        let n = rt("sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n");
        assert_eq!(n.tag(), Some("1918181833n"));
        let n = rt(r#""J Rosenberg \\\""       <sip:jdrosen@example.com> ;  tag = 98asjd8"#);
        assert_eq!(n.display_name.as_deref(), Some(r#"J Rosenberg \""#));
        let n = rt("caller<sip:caller@example.com>;tag=323");
        assert_eq!(n.display_name.as_deref(), Some("caller"));
        let n = rt("sip:+19725552222@gw1.example.net;unknownparam");
        assert!(n.uri.params.is_empty());
        assert!(n.params.contains("unknownparam"));
        let n = rt("<sip:+19725552222@gw1.example.net;unknownparam>");
        assert!(n.params.is_empty());
        let n = rt("<http://www.example.com>;tag=3234233");
        assert_eq!(n.tag(), Some("3234233"));
        rt("isbn:2983792873");
    }

    #[test]
    fn invalid_forms() {
        assert_eq!(
            NameAddr::parse("\"Mr. J. User <sip:j.user@example.com>"),
            Err(HeaderError::UnterminatedQuote)
        );
        assert_eq!(
            NameAddr::parse("Bell, Alexander <sip:a.g.bell@example.com>;tag=43"),
            Err(HeaderError::InvalidDisplayName)
        );
        assert!(NameAddr::parse("\"Watson, Thomas\" < sip:t.watson@example.org >").is_err());
        assert_eq!(
            NameAddr::parse("sip:user@example.com?Route=%3Csip:sip.example.com%3E"),
            Err(HeaderError::HeadersInAddrSpec)
        );
        assert_eq!(
            NameAddr::parse("\"Joe\" <sip:joe@example.org>;;;;"),
            Err(HeaderError::InvalidParam)
        );
        assert!(NameAddr::parse("").is_err());
        assert!(NameAddr::parse("<sip:a@b").is_err());
    }
}
