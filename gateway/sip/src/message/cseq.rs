//! The CSeq header (RFC 3261 §20.16): a 32-bit sequence number and a method.

use std::fmt;

use super::grammar::Scanner;
use super::header::HeaderError;
use super::method::Method;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CSeq {
    pub seq: u32,
    pub method: Method,
}

impl CSeq {
    pub fn parse(text: &str) -> Result<CSeq, HeaderError> {
        let mut sc = Scanner::new(text);
        sc.skip_ws();
        let digits = sc.take_while(|c| c.is_ascii_digit());
        // Leading zeros are legal; anything over 2^32-1 is not (RFC 4475 §3.1.2.4).
        let seq = digits
            .parse::<u32>()
            .map_err(|_| HeaderError::InvalidNumber)?;
        sc.skip_ws();
        let method = sc.token().ok_or(HeaderError::InvalidMethod)?;
        sc.skip_ws();
        if !sc.is_empty() {
            return Err(HeaderError::TrailingData);
        }
        Ok(CSeq {
            seq,
            method: Method::from_token(method),
        })
    }
}

impl fmt::Display for CSeq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.seq, self.method)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_cseq() {
        assert_eq!(
            CSeq::parse("0009 INVITE").unwrap(),
            CSeq {
                seq: 9,
                method: Method::Invite
            }
        );
        assert!(CSeq::parse("36893488147419103232 REGISTER").is_err());
        assert!(CSeq::parse("-1 INVITE").is_err());
        assert!(CSeq::parse("1").is_err());
        assert!(CSeq::parse("1 INVITE x").is_err());
    }
}
