//! DTMF caller ID (CLIP) as sent in Scandinavia, the Netherlands, Belgium,
//! parts of Asia and by many PBXs. The coding below is the common practice
//! that Asterisk's `callerid_get_dtmf` and spandsp's `adsi.c` also decode
//! (not checked against a national specification):
//!
//! ```text
//! A 0 1 2 3 4 5 6 7 8 9 C      calling number (some exchanges start with D)
//! B 0 0 C                      number unavailable (out of area)
//! B 1 0 C                      number private (withheld)
//! ```
//! `#` is accepted as an end code in place of `C`. DTMF CLIP carries neither
//! date/time nor name; they are ignored when encoding.

use heapless::String;

use super::message::{Absence, CallerIdMessage, Number, MAX_NUMBER};

/// Most DTMF digits in one CLIP sequence (start, number, end).
pub const MAX_CLIP_DIGITS: usize = MAX_NUMBER + 2;

/// A DTMF CLIP digit sequence.
pub type ClipDigits = String<MAX_CLIP_DIGITS>;

/// Start code in front of a number.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ClipStart {
    /// 'A' (most common).
    #[default]
    A,
    /// 'D' (Denmark, some PBXs).
    D,
}

/// Why a DTMF CLIP sequence cannot be encoded or decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DtmfClipError {
    /// No digits.
    Empty,
    /// The first digit is not A, B or D.
    NoStartCode(char),
    /// The sequence does not end with C or #.
    NoEndCode,
    /// Digits after the end code.
    TrailingDigits,
    /// A character that is not a decimal digit inside the number.
    InvalidDigit(char),
    /// A B-code other than 00 or 10.
    BadAbsenceCode,
    /// The number is longer than [`MAX_NUMBER`] digits.
    TooLong,
    /// The message has neither a number nor a reason for its absence.
    NothingToSend,
}

impl core::fmt::Display for DtmfClipError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            DtmfClipError::Empty => write!(f, "empty DTMF CLIP sequence"),
            DtmfClipError::NoStartCode(c) => write!(f, "DTMF CLIP starts with {c:?}"),
            DtmfClipError::NoEndCode => write!(f, "DTMF CLIP without end code"),
            DtmfClipError::TrailingDigits => write!(f, "digits after the DTMF CLIP end code"),
            DtmfClipError::InvalidDigit(c) => write!(f, "{c:?} in a DTMF CLIP number"),
            DtmfClipError::BadAbsenceCode => write!(f, "unknown DTMF CLIP absence code"),
            DtmfClipError::TooLong => write!(f, "DTMF CLIP number too long"),
            DtmfClipError::NothingToSend => write!(f, "no number or absence reason to send"),
        }
    }
}

impl std::error::Error for DtmfClipError {}

/// The digit sequence for `msg`: the number if there is one, else its
/// reason for absence.
pub fn encode(msg: &CallerIdMessage, start: ClipStart) -> Result<ClipDigits, DtmfClipError> {
    let mut out = ClipDigits::new();
    let mut push = |c: char| out.push(c).map_err(|_| DtmfClipError::TooLong);
    match (&msg.number, msg.number_absence) {
        (Some(n), _) => {
            push(match start {
                ClipStart::A => 'A',
                ClipStart::D => 'D',
            })?;
            for c in n.chars() {
                if !c.is_ascii_digit() {
                    return Err(DtmfClipError::InvalidDigit(c));
                }
                push(c)?;
            }
        }
        (None, Some(a)) => {
            push('B')?;
            push(match a {
                Absence::Unavailable => '0',
                Absence::Private => '1',
            })?;
            push('0')?;
        }
        (None, None) => return Err(DtmfClipError::NothingToSend),
    }
    push('C')?;
    Ok(out)
}

/// Decodes a complete sequence (start code to end code, as a
/// [`crate::dtmf::Detector`] reported it). Never panics.
pub fn decode(digits: &str) -> Result<CallerIdMessage, DtmfClipError> {
    let mut chars = digits.chars();
    let first = chars.next().ok_or(DtmfClipError::Empty)?;
    let rest = chars.as_str();
    let end = rest.find(['C', '#']).ok_or(DtmfClipError::NoEndCode)?;
    if end + 1 != rest.len() {
        return Err(DtmfClipError::TrailingDigits);
    }
    let body = &rest[..end];
    let mut msg = CallerIdMessage::default();
    match first {
        'A' | 'D' => {
            if let Some(c) = body.chars().find(|c| !c.is_ascii_digit()) {
                return Err(DtmfClipError::InvalidDigit(c));
            }
            if body.len() > MAX_NUMBER {
                return Err(DtmfClipError::TooLong);
            }
            let number = Number::try_from(body).map_err(|_| DtmfClipError::TooLong)?;
            msg.number = Some(number);
        }
        'B' => {
            msg.number_absence = Some(match body {
                "00" => Absence::Unavailable,
                "10" => Absence::Private,
                _ => return Err(DtmfClipError::BadAbsenceCode),
            });
        }
        c => return Err(DtmfClipError::NoStartCode(c)),
    }
    Ok(msg)
}

/// True for the digits that begin a CLIP sequence.
pub(crate) fn is_start(c: char) -> bool {
    matches!(c, 'A' | 'B' | 'D')
}

/// True for the digits that end a CLIP sequence.
pub(crate) fn is_end(c: char) -> bool {
    matches!(c, 'C' | '#')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_decode() {
        let msg = CallerIdMessage {
            number: Some(Number::try_from("0123456789").unwrap()),
            ..Default::default()
        };
        let d = encode(&msg, ClipStart::A).unwrap();
        assert_eq!(d.as_str(), "A0123456789C");
        assert_eq!(decode(&d).unwrap(), msg);
        assert_eq!(encode(&msg, ClipStart::D).unwrap().as_str(), "D0123456789C");
        assert_eq!(decode("D0123456789#").unwrap(), msg);
        for (a, code) in [(Absence::Unavailable, "B00C"), (Absence::Private, "B10C")] {
            let msg = CallerIdMessage {
                number_absence: Some(a),
                ..Default::default()
            };
            assert_eq!(encode(&msg, ClipStart::A).unwrap().as_str(), code);
            assert_eq!(decode(code).unwrap(), msg);
        }
    }

    #[test]
    fn errors() {
        assert_eq!(decode(""), Err(DtmfClipError::Empty));
        assert_eq!(decode("A123"), Err(DtmfClipError::NoEndCode));
        assert_eq!(decode("A12C3"), Err(DtmfClipError::TrailingDigits));
        assert_eq!(decode("A1*2C"), Err(DtmfClipError::InvalidDigit('*')));
        assert_eq!(decode("B20C"), Err(DtmfClipError::BadAbsenceCode));
        assert_eq!(decode("1234C"), Err(DtmfClipError::NoStartCode('1')));
        assert_eq!(
            decode("A123456789012345678901C"),
            Err(DtmfClipError::TooLong)
        );
        assert_eq!(
            encode(&CallerIdMessage::default(), ClipStart::A),
            Err(DtmfClipError::NothingToSend)
        );
        let bad = CallerIdMessage {
            number: Some(Number::try_from("+4412").unwrap()),
            ..Default::default()
        };
        assert_eq!(
            encode(&bad, ClipStart::A),
            Err(DtmfClipError::InvalidDigit('+'))
        );
        // Every prefix of a valid sequence is an error, never a panic.
        let s = "A0123456789C";
        for cut in 0..s.len() {
            assert!(decode(&s[..cut]).is_err(), "{cut}");
        }
        // Multi-byte characters do not break the slicing.
        assert!(decode("Aé1C").is_err());
        assert!(decode("éC").is_err());
    }
}
