//! RFC 3261 §25.1 basic rules: tokens, quoted strings, LWS, generic params and
//! comma-separated lists. Everything works on `&str` by byte position and uses
//! `get(..)` so that no input can make it slice out of bounds.

use std::fmt;

/// `token` characters (RFC 3261 §25.1).
pub(crate) fn is_token_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&c)
}

/// A non-empty string made only of token characters.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_char)
}

pub(crate) fn is_ws(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// Cursor over one header value.
#[derive(Debug)]
pub(crate) struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self { text, pos: 0 }
    }

    pub(crate) fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest().is_empty()
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    pub(crate) fn skip_ws(&mut self) {
        while self.peek().is_some_and(is_ws) {
            self.pos += 1;
        }
    }

    /// Consume `c` if it is next.
    pub(crate) fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Consume ASCII bytes while `f` holds. Stops at any non-ASCII byte unless
    /// `f` accepts it, in which case the whole UTF-8 sequence is taken.
    pub(crate) fn take_while(&mut self, f: impl Fn(u8) -> bool) -> &'a str {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        while let Some(&c) = bytes.get(self.pos) {
            if !f(c) {
                break;
            }
            self.pos += 1;
        }
        // Never stop inside a UTF-8 sequence.
        while !self.text.is_char_boundary(self.pos) {
            self.pos += 1;
        }
        self.text.get(start..self.pos).unwrap_or("")
    }

    pub(crate) fn token(&mut self) -> Option<&'a str> {
        let t = self.take_while(is_token_char);
        (!t.is_empty()).then_some(t)
    }

    /// A quoted string starting at the cursor; returns `(raw, unescaped)` where
    /// raw includes the quotes. `None` when the quote is never closed.
    pub(crate) fn quoted_string(&mut self) -> Option<(&'a str, String)> {
        let start = self.pos;
        if !self.eat(b'"') {
            return None;
        }
        let mut out = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += i + 1;
                    let raw = self.text.get(start..self.pos).unwrap_or("");
                    return Some((raw, out));
                }
                '\\' => {
                    let (_, escaped) = chars.next()?;
                    out.push(escaped);
                }
                other => out.push(other),
            }
        }
        None
    }
}

/// Write `s` as a quoted string, escaping `"`, `\` and control characters.
pub(crate) fn write_quoted(f: &mut impl fmt::Write, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in s.chars() {
        if c == '"' || c == '\\' || (c.is_ascii_control() && c != '\t') {
            f.write_char('\\')?;
        }
        f.write_char(c)?;
    }
    f.write_char('"')
}

/// Generic parameters (`;name[=value]`), kept in order. Values are stored as
/// received (a quoted value keeps its quotes) so printing is exact.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params(pub Vec<(String, Option<String>)>);

impl Params {
    /// The value of the first parameter called `name` (case-insensitive):
    /// `Some(None)` for a flag such as `lr` or `rport`.
    pub fn get(&self, name: &str) -> Option<Option<&str>> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_deref())
    }

    /// The value of `name` with quotes removed; `None` for absent or flag.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.get(name).flatten().map(|v| {
            v.strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v)
        })
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Replace the value of `name`, or append it.
    pub fn set(&mut self, name: &str, value: Option<String>) {
        match self
            .0
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some(slot) => slot.1 = value,
            None => self.0.push((name.to_owned(), value)),
        }
    }

    pub fn remove(&mut self, name: &str) {
        self.0.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, value) in &self.0 {
            match value {
                Some(v) => write!(f, ";{name}={v}")?,
                None => write!(f, ";{name}")?,
            }
        }
        Ok(())
    }
}

/// Characters allowed in an unquoted generic-param value: token plus the
/// `host` characters `[`, `]` and `:` (IPv6 `received`/`maddr`).
fn is_param_value_char(c: u8) -> bool {
    is_token_char(c) || c == b'[' || c == b']' || c == b':'
}

/// Parse `*( SEMI generic-param )` with LWS allowed around `;` and `=`.
/// Stops (without error) at anything that is not `;`.
pub(crate) fn parse_params(sc: &mut Scanner<'_>) -> Result<Params, ()> {
    let mut params = Params::default();
    loop {
        sc.skip_ws();
        if !sc.eat(b';') {
            return Ok(params);
        }
        sc.skip_ws();
        let name = sc.token().ok_or(())?;
        sc.skip_ws();
        let value = if sc.eat(b'=') {
            sc.skip_ws();
            if sc.peek() == Some(b'"') {
                let (raw, _) = sc.quoted_string().ok_or(())?;
                Some(raw.to_owned())
            } else {
                let v = sc.take_while(is_param_value_char);
                if v.is_empty() {
                    return Err(());
                }
                Some(v.to_owned())
            }
        } else {
            None
        };
        params.0.push((name.to_owned(), value));
    }
}

/// Split a header value at top-level commas (outside quotes and `<...>`).
/// Each element is trimmed; empty elements are kept so callers can reject them.
pub(crate) fn split_commas(value: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let bytes = value.as_bytes();
    let (mut start, mut i) = (0, 0);
    let (mut in_quote, mut in_angle) = (false, false);
    while let Some(&c) = bytes.get(i) {
        match c {
            b'\\' if in_quote => i += 1,
            b'"' => in_quote = !in_quote,
            b'<' if !in_quote => in_angle = true,
            b'>' if !in_quote => in_angle = false,
            b',' if !in_quote && !in_angle => {
                parts.push(value.get(start..i).unwrap_or("").trim_matches(is_ws_char));
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(value.get(start..).unwrap_or("").trim_matches(is_ws_char));
    parts
}

pub(crate) fn is_ws_char(c: char) -> bool {
    c == ' ' || c == '\t'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_with_lws() {
        let mut sc = Scanner::new(" ;   tag    = 1918181833n ; lr;x=\"a b\"");
        let p = parse_params(&mut sc).unwrap();
        assert_eq!(p.get("TAG"), Some(Some("1918181833n")));
        assert_eq!(p.get("lr"), Some(None));
        assert_eq!(p.value("x"), Some("a b"));
        assert!(sc.is_empty());
        assert_eq!(p.to_string(), ";tag=1918181833n;lr;x=\"a b\"");
    }

    #[test]
    fn empty_params_are_errors() {
        assert!(parse_params(&mut Scanner::new(";;")).is_err());
        assert!(parse_params(&mut Scanner::new(";a=")).is_err());
    }

    #[test]
    fn quoted_string_escapes() {
        let mut sc = Scanner::new(r#""J Rosenberg \\\"" <x>"#);
        let (raw, s) = sc.quoted_string().unwrap();
        assert_eq!(raw, r#""J Rosenberg \\\"""#);
        assert_eq!(s, r#"J Rosenberg \""#);
        assert!(Scanner::new("\"open").quoted_string().is_none());
        let mut out = String::new();
        write_quoted(&mut out, &s).unwrap();
        assert_eq!(out, raw);
    }

    #[test]
    fn commas_respect_quotes_and_angles() {
        assert_eq!(
            split_commas(r#""a,b" <sip:x;a=1,2>, sip:y , "#),
            vec![r#""a,b" <sip:x;a=1,2>"#, "sip:y", ""]
        );
    }
}
