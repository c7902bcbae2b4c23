//! Caller ID data messages: SDMF and MDMF.
//!
//! Layout (Bellcore GR-30-CORE §3.2, ETSI EN 300 659-3 §5; every byte is one
//! UART character on the FSK link):
//!
//! ```text
//! SDMF  0x04 | len | M M D D H H M M (ASCII) | number or 'O'/'P' | checksum
//! MDMF  0x80 | len | { param type | param len | param bytes }*    | checksum
//! ```
//! `len` counts the bytes between itself and the checksum; the checksum is the
//! two's complement of the sum, mod 256, of every byte before it, so all bytes
//! of a valid message sum to 0.
//!
//! MDMF parameters understood (others are skipped, as GR-30 asks):
//! 0x01 date/time (8 ASCII digits), 0x02 calling number, 0x04 reason for
//! absence of number, 0x07 calling name, 0x08 reason for absence of name.
//! Reasons are 'O' (out of area / unavailable) and 'P' (private).
//!
//! Numbers and names are kept as printable ASCII (0x20..=0x7E). ETSI allows
//! 8-bit characters in names; such messages are rejected with
//! [`MessageError::InvalidCharacter`] rather than mis-decoded.

use heapless::String;

/// Longest number kept (ETSI EN 300 659-3 allows 20 digits; GR-30 15).
pub const MAX_NUMBER: usize = 20;
/// Longest name kept (ETSI EN 300 659-3 allows 50 characters; GR-30 15).
pub const MAX_NAME: usize = 50;
/// Longest message on the wire: type, length, 255 bytes, checksum.
pub const MAX_MESSAGE: usize = 258;

/// Message type byte of a single data message format (SDMF) call setup message.
pub const TYPE_SDMF: u8 = 0x04;
/// Message type byte of a multiple data message format (MDMF) call setup message.
pub const TYPE_MDMF: u8 = 0x80;

/// MDMF parameter type bytes.
pub mod param {
    /// Date and time, `MMDDHHMM`.
    pub const DATE_TIME: u8 = 0x01;
    /// Calling line number.
    pub const CALLING_NUMBER: u8 = 0x02;
    /// Reason for absence of the number.
    pub const NUMBER_ABSENCE: u8 = 0x04;
    /// Calling name.
    pub const NAME: u8 = 0x07;
    /// Reason for absence of the name.
    pub const NAME_ABSENCE: u8 = 0x08;
}

/// A caller's number.
pub type Number = String<MAX_NUMBER>;
/// A caller's name.
pub type Name = String<MAX_NAME>;

/// Which message format to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Single data message format (type 0x04): date/time and number only.
    Sdmf,
    /// Multiple data message format (type 0x80): parameters.
    Mdmf,
}

/// Why a number or a name is missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Absence {
    /// 'O': out of area, unavailable (DTMF CLIP "B00").
    Unavailable,
    /// 'P': private, withheld by the caller (DTMF CLIP "B10").
    Private,
}

impl Absence {
    /// The wire character ('O' or 'P').
    pub fn code(self) -> u8 {
        match self {
            Absence::Unavailable => b'O',
            Absence::Private => b'P',
        }
    }

    /// The reason for a wire character.
    pub fn from_code(code: u8) -> Option<Absence> {
        match code {
            b'O' => Some(Absence::Unavailable),
            b'P' => Some(Absence::Private),
            _ => None,
        }
    }
}

/// Local date and time of the call, as the exchange sends it (no year).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DateTime {
    /// 1..=12.
    pub month: u8,
    /// 1..=31.
    pub day: u8,
    /// 0..=23.
    pub hour: u8,
    /// 0..=59.
    pub minute: u8,
}

impl DateTime {
    /// A checked date and time.
    pub fn new(month: u8, day: u8, hour: u8, minute: u8) -> Result<DateTime, MessageError> {
        let dt = DateTime {
            month,
            day,
            hour,
            minute,
        };
        if dt.is_valid() {
            Ok(dt)
        } else {
            Err(MessageError::BadDateTime)
        }
    }

    fn is_valid(&self) -> bool {
        (1..=12).contains(&self.month)
            && (1..=31).contains(&self.day)
            && self.hour <= 23
            && self.minute <= 59
    }

    /// `MMDDHHMM` in ASCII.
    pub fn to_ascii(&self) -> [u8; 8] {
        let mut out = [0u8; 8];
        for (i, v) in [self.month, self.day, self.hour, self.minute]
            .into_iter()
            .enumerate()
        {
            out[2 * i] = b'0' + (v / 10) % 10;
            out[2 * i + 1] = b'0' + v % 10;
        }
        out
    }

    /// Parses `MMDDHHMM`.
    pub fn from_ascii(bytes: &[u8]) -> Result<DateTime, MessageError> {
        if bytes.len() != 8 || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(MessageError::BadDateTime);
        }
        let two = |i: usize| (bytes[i] - b'0') * 10 + (bytes[i + 1] - b'0');
        DateTime::new(two(0), two(2), two(4), two(6))
    }
}

/// A decoded caller ID message (either format).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallerIdMessage {
    /// Date and time of the call.
    pub date_time: Option<DateTime>,
    /// Calling number.
    pub number: Option<Number>,
    /// Calling name (MDMF only).
    pub name: Option<Name>,
    /// Why the number is missing.
    pub number_absence: Option<Absence>,
    /// Why the name is missing (MDMF only).
    pub name_absence: Option<Absence>,
}

/// Why bytes are not a valid caller ID message. Every variant is the peer's
/// fault (or the line's): the message should be discarded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageError {
    /// Fewer bytes than the header or the length byte announce.
    Truncated {
        /// Bytes the message needs.
        needed: usize,
        /// Bytes given.
        got: usize,
    },
    /// More bytes than the length byte announces.
    TrailingBytes {
        /// Bytes the message has.
        expected: usize,
        /// Bytes given.
        got: usize,
    },
    /// The checksum byte does not match.
    BadChecksum {
        /// Checksum computed over the message.
        computed: u8,
        /// Checksum received.
        received: u8,
    },
    /// Not an SDMF (0x04) or MDMF (0x80) call setup message.
    UnknownType(u8),
    /// A length that does not fit: an SDMF body shorter than its date, an
    /// MDMF parameter running past the end of the message, a date parameter
    /// that is not 8 bytes or an absence parameter that is not 1 byte.
    BadLength {
        /// Parameter type (the message type for SDMF).
        param: u8,
        /// Offset of the parameter's length byte.
        offset: usize,
    },
    /// Date/time not eight digits or out of range.
    BadDateTime,
    /// A reason for absence other than 'O' or 'P'.
    BadAbsence(u8),
    /// A byte outside printable ASCII in a number or name.
    InvalidCharacter {
        /// The byte.
        byte: u8,
        /// Its offset in the message.
        offset: usize,
    },
    /// A number longer than [`MAX_NUMBER`] or a name longer than [`MAX_NAME`].
    TooLong {
        /// Parameter type.
        param: u8,
        /// Its length.
        len: usize,
    },
}

impl core::fmt::Display for MessageError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            MessageError::Truncated { needed, got } => {
                write!(f, "caller ID message truncated: {got} of {needed} bytes")
            }
            MessageError::TrailingBytes { expected, got } => {
                write!(f, "caller ID message is {expected} bytes, got {got}")
            }
            MessageError::BadChecksum { computed, received } => write!(
                f,
                "caller ID checksum 0x{received:02x}, expected 0x{computed:02x}"
            ),
            MessageError::UnknownType(t) => write!(f, "unknown caller ID message type 0x{t:02x}"),
            MessageError::BadLength { param, offset } => write!(
                f,
                "bad length for caller ID parameter 0x{param:02x} at offset {offset}"
            ),
            MessageError::BadDateTime => write!(f, "bad caller ID date/time"),
            MessageError::BadAbsence(c) => write!(f, "bad reason for absence 0x{c:02x}"),
            MessageError::InvalidCharacter { byte, offset } => {
                write!(f, "invalid character 0x{byte:02x} at offset {offset}")
            }
            MessageError::TooLong { param, len } => {
                write!(
                    f,
                    "caller ID parameter 0x{param:02x} too long ({len} bytes)"
                )
            }
        }
    }
}

impl std::error::Error for MessageError {}

/// Why a message cannot be encoded. These are the caller's faults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodeError {
    /// `out` is too small; `needed` bytes are required.
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
    },
    /// SDMF always carries a date/time.
    MissingDateTime,
    /// SDMF needs a number or a reason for its absence.
    MissingNumber,
    /// SDMF cannot carry a name or a reason for its absence.
    NameInSdmf,
    /// A number or name character outside printable ASCII.
    InvalidCharacter(char),
    /// The date/time is out of range.
    BadDateTime,
}

impl core::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            EncodeError::BufferTooSmall { needed } => {
                write!(
                    f,
                    "caller ID output buffer too small ({needed} bytes needed)"
                )
            }
            EncodeError::MissingDateTime => write!(f, "SDMF needs a date/time"),
            EncodeError::MissingNumber => write!(f, "SDMF needs a number or a reason for absence"),
            EncodeError::NameInSdmf => write!(f, "SDMF cannot carry a name"),
            EncodeError::InvalidCharacter(c) => write!(f, "{c:?} cannot be sent in caller ID"),
            EncodeError::BadDateTime => write!(f, "date/time out of range"),
        }
    }
}

impl std::error::Error for EncodeError {}

/// Two's complement of the sum of `bytes`, mod 256.
pub fn checksum(bytes: &[u8]) -> u8 {
    bytes
        .iter()
        .fold(0u8, |acc, &b| acc.wrapping_add(b))
        .wrapping_neg()
}

/// Total length (header, body, checksum) of the message whose first two bytes
/// are `header`; `None` with fewer than two bytes.
pub fn message_len(header: &[u8]) -> Option<usize> {
    header.get(1).map(|&len| usize::from(len) + 3)
}

fn printable(b: u8) -> bool {
    (0x20..=0x7e).contains(&b)
}

fn text<const N: usize>(bytes: &[u8], param: u8, offset: usize) -> Result<String<N>, MessageError> {
    if bytes.len() > N {
        return Err(MessageError::TooLong {
            param,
            len: bytes.len(),
        });
    }
    let mut s = String::new();
    for (i, &b) in bytes.iter().enumerate() {
        if !printable(b) {
            return Err(MessageError::InvalidCharacter {
                byte: b,
                offset: offset + i,
            });
        }
        // Cannot fail: length checked above and every byte is one char.
        let _ = s.push(char::from(b));
    }
    Ok(s)
}

fn absence(bytes: &[u8], param: u8, offset: usize) -> Result<Absence, MessageError> {
    match bytes {
        [c] => Absence::from_code(*c).ok_or(MessageError::BadAbsence(*c)),
        _ => Err(MessageError::BadLength {
            param,
            offset: offset - 1,
        }),
    }
}

impl CallerIdMessage {
    /// Parses one complete message (type byte to checksum, nothing after).
    /// Never panics.
    pub fn parse(bytes: &[u8]) -> Result<CallerIdMessage, MessageError> {
        let kind = *bytes
            .first()
            .ok_or(MessageError::Truncated { needed: 3, got: 0 })?;
        if kind != TYPE_SDMF && kind != TYPE_MDMF {
            return Err(MessageError::UnknownType(kind));
        }
        let total = message_len(bytes).ok_or(MessageError::Truncated {
            needed: 3,
            got: bytes.len(),
        })?;
        if bytes.len() < total {
            return Err(MessageError::Truncated {
                needed: total,
                got: bytes.len(),
            });
        }
        if bytes.len() > total {
            return Err(MessageError::TrailingBytes {
                expected: total,
                got: bytes.len(),
            });
        }
        let computed = checksum(&bytes[..total - 1]);
        let received = bytes[total - 1];
        if computed != received {
            return Err(MessageError::BadChecksum { computed, received });
        }
        let body = &bytes[2..total - 1];
        if kind == TYPE_SDMF {
            Self::parse_sdmf(body)
        } else {
            Self::parse_mdmf(body)
        }
    }

    fn parse_sdmf(body: &[u8]) -> Result<CallerIdMessage, MessageError> {
        if body.len() < 8 {
            return Err(MessageError::BadLength {
                param: TYPE_SDMF,
                offset: 1,
            });
        }
        let mut msg = CallerIdMessage {
            date_time: Some(DateTime::from_ascii(&body[..8])?),
            ..CallerIdMessage::default()
        };
        let number = &body[8..];
        match number {
            [] => {}
            [c] if Absence::from_code(*c).is_some() => msg.number_absence = Absence::from_code(*c),
            _ => msg.number = Some(text(number, TYPE_SDMF, 10)?),
        }
        Ok(msg)
    }

    fn parse_mdmf(body: &[u8]) -> Result<CallerIdMessage, MessageError> {
        let mut msg = CallerIdMessage::default();
        let mut pos = 0;
        while pos < body.len() {
            let param = body[pos];
            let len_offset = pos + 2 + 1; // in the whole message
            let Some(&len) = body.get(pos + 1) else {
                return Err(MessageError::BadLength {
                    param,
                    offset: len_offset,
                });
            };
            let start = pos + 2;
            let end = start + usize::from(len);
            let Some(value) = body.get(start..end) else {
                return Err(MessageError::BadLength {
                    param,
                    offset: len_offset,
                });
            };
            let offset = start + 2;
            match param {
                param::DATE_TIME => {
                    if value.len() != 8 {
                        return Err(MessageError::BadLength {
                            param,
                            offset: len_offset,
                        });
                    }
                    msg.date_time = Some(DateTime::from_ascii(value)?);
                }
                param::CALLING_NUMBER if !value.is_empty() => {
                    msg.number = Some(text(value, param, offset)?);
                }
                param::NAME if !value.is_empty() => msg.name = Some(text(value, param, offset)?),
                param::NUMBER_ABSENCE => msg.number_absence = Some(absence(value, param, offset)?),
                param::NAME_ABSENCE => msg.name_absence = Some(absence(value, param, offset)?),
                // Empty number/name, and parameters we do not use (0x03
                // dialable directory number, 0x06 call type, 0x0b message
                // waiting, ...): skipped.
                _ => {}
            }
            pos = end;
        }
        Ok(msg)
    }

    /// Encodes the message in `format` into `out` (at most [`MAX_MESSAGE`]
    /// bytes); returns the length written.
    pub fn encode(&self, format: Format, out: &mut [u8]) -> Result<usize, EncodeError> {
        let mut w = Writer { out, len: 0 };
        match format {
            Format::Sdmf => self.encode_sdmf(&mut w)?,
            Format::Mdmf => self.encode_mdmf(&mut w)?,
        }
        let body_len = w.len - 2;
        debug_assert!(body_len <= 255, "fields are bounded well below 255 bytes");
        w.out[1] = body_len as u8;
        let sum = checksum(&w.out[..w.len]);
        w.push(&[sum])?;
        Ok(w.len)
    }

    fn date_ascii(&self) -> Result<Option<[u8; 8]>, EncodeError> {
        match self.date_time {
            Some(dt) if !dt.is_valid() => Err(EncodeError::BadDateTime),
            Some(dt) => Ok(Some(dt.to_ascii())),
            None => Ok(None),
        }
    }

    fn encode_sdmf(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        if self.name.is_some() || self.name_absence.is_some() {
            return Err(EncodeError::NameInSdmf);
        }
        let date = self.date_ascii()?.ok_or(EncodeError::MissingDateTime)?;
        w.push(&[TYPE_SDMF, 0])?;
        w.push(&date)?;
        match (&self.number, self.number_absence) {
            (Some(n), _) => w.push_text(n)?,
            (None, Some(a)) => w.push(&[a.code()])?,
            (None, None) => return Err(EncodeError::MissingNumber),
        }
        Ok(())
    }

    fn encode_mdmf(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.push(&[TYPE_MDMF, 0])?;
        if let Some(date) = self.date_ascii()? {
            w.push(&[param::DATE_TIME, 8])?;
            w.push(&date)?;
        }
        if let Some(n) = &self.number {
            w.push(&[param::CALLING_NUMBER, n.len() as u8])?;
            w.push_text(n)?;
        }
        if let Some(a) = self.number_absence {
            w.push(&[param::NUMBER_ABSENCE, 1, a.code()])?;
        }
        if let Some(n) = &self.name {
            w.push(&[param::NAME, n.len() as u8])?;
            w.push_text(n)?;
        }
        if let Some(a) = self.name_absence {
            w.push(&[param::NAME_ABSENCE, 1, a.code()])?;
        }
        Ok(())
    }
}

struct Writer<'a> {
    out: &'a mut [u8],
    len: usize,
}

impl Writer<'_> {
    fn push(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        let end = self.len + bytes.len();
        let dst = self
            .out
            .get_mut(self.len..end)
            .ok_or(EncodeError::BufferTooSmall { needed: end })?;
        dst.copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }

    fn push_text(&mut self, s: &str) -> Result<(), EncodeError> {
        if let Some(c) = s.chars().find(|&c| !c.is_ascii() || !printable(c as u8)) {
            return Err(EncodeError::InvalidCharacter(c));
        }
        self.push(s.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise::Rng;

    fn full() -> CallerIdMessage {
        CallerIdMessage {
            date_time: Some(DateTime::new(3, 14, 15, 9).unwrap()),
            number: Some(Number::try_from("5551234567").unwrap()),
            name: Some(Name::try_from("DOE JOHN").unwrap()),
            ..Default::default()
        }
    }

    #[test]
    fn sdmf_built_by_hand() {
        // 1 Jan 08:02, number 7035551212, checksum worked out from the
        // definition rather than by the code under test.
        let mut bytes = [0u8; 32];
        bytes[0] = 0x04;
        bytes[1] = 18;
        bytes[2..20].copy_from_slice(b"010108027035551212");
        let sum = bytes[..20].iter().fold(0u32, |a, &b| a + u32::from(b));
        bytes[20] = (256 - sum % 256) as u8;
        let msg = CallerIdMessage::parse(&bytes[..21]).unwrap();
        assert_eq!(msg.date_time, Some(DateTime::new(1, 1, 8, 2).unwrap()));
        assert_eq!(msg.number.as_deref(), Some("7035551212"));
        let mut out = [0u8; MAX_MESSAGE];
        let n = msg.encode(Format::Sdmf, &mut out).unwrap();
        assert_eq!(&out[..n], &bytes[..21]);
    }

    #[test]
    fn round_trips() {
        let mut out = [0u8; MAX_MESSAGE];
        let msg = full();
        let n = msg.encode(Format::Mdmf, &mut out).unwrap();
        assert_eq!(out[0], TYPE_MDMF);
        assert_eq!(out[..n].iter().fold(0u8, |a, &b| a.wrapping_add(b)), 0);
        assert_eq!(CallerIdMessage::parse(&out[..n]).unwrap(), msg);

        let private = CallerIdMessage {
            date_time: Some(DateTime::new(12, 31, 23, 59).unwrap()),
            number_absence: Some(Absence::Private),
            name_absence: Some(Absence::Unavailable),
            ..Default::default()
        };
        let n = private.encode(Format::Mdmf, &mut out).unwrap();
        assert_eq!(CallerIdMessage::parse(&out[..n]).unwrap(), private);

        let sdmf = CallerIdMessage {
            name: None,
            ..full()
        };
        let n = sdmf.encode(Format::Sdmf, &mut out).unwrap();
        assert_eq!(n, 2 + 8 + 10 + 1);
        assert_eq!(CallerIdMessage::parse(&out[..n]).unwrap(), sdmf);

        let sdmf_out = CallerIdMessage {
            date_time: Some(DateTime::new(6, 1, 0, 0).unwrap()),
            number_absence: Some(Absence::Unavailable),
            ..Default::default()
        };
        let n = sdmf_out.encode(Format::Sdmf, &mut out).unwrap();
        assert_eq!(&out[2..n - 1], b"06010000O");
        assert_eq!(CallerIdMessage::parse(&out[..n]).unwrap(), sdmf_out);
    }

    #[test]
    fn encode_errors() {
        let mut out = [0u8; MAX_MESSAGE];
        assert_eq!(
            full().encode(Format::Sdmf, &mut out),
            Err(EncodeError::NameInSdmf)
        );
        let no_date = CallerIdMessage {
            date_time: None,
            name: None,
            ..full()
        };
        assert_eq!(
            no_date.encode(Format::Sdmf, &mut out),
            Err(EncodeError::MissingDateTime)
        );
        assert!(no_date.encode(Format::Mdmf, &mut out).is_ok());
        let mut small = [0u8; 10];
        assert!(matches!(
            full().encode(Format::Mdmf, &mut small),
            Err(EncodeError::BufferTooSmall { .. })
        ));
        let bad = CallerIdMessage {
            name: Some(Name::try_from("A\u{7}").unwrap()),
            ..full()
        };
        assert_eq!(
            bad.encode(Format::Mdmf, &mut out),
            Err(EncodeError::InvalidCharacter('\u{7}'))
        );
        let bad_date = CallerIdMessage {
            date_time: Some(DateTime {
                month: 13,
                day: 1,
                hour: 0,
                minute: 0,
            }),
            ..full()
        };
        assert_eq!(
            bad_date.encode(Format::Mdmf, &mut out),
            Err(EncodeError::BadDateTime)
        );
    }

    #[test]
    fn checksum_failures_rejected() {
        let mut out = [0u8; MAX_MESSAGE];
        let n = full().encode(Format::Mdmf, &mut out).unwrap();
        for i in 0..n {
            for bit in 0..8 {
                let mut b = out;
                b[i] ^= 1 << bit;
                // A flipped bit is caught by the checksum, or earlier by the
                // type/length checks; never accepted.
                assert!(
                    CallerIdMessage::parse(&b[..n]).is_err(),
                    "byte {i} bit {bit}"
                );
            }
        }
        let mut b = out;
        b[n - 1] = b[n - 1].wrapping_add(1);
        assert!(matches!(
            CallerIdMessage::parse(&b[..n]),
            Err(MessageError::BadChecksum { .. })
        ));
    }

    #[test]
    fn every_truncation_is_an_error() {
        let mut out = [0u8; MAX_MESSAGE];
        for (msg, fmt) in [
            (full(), Format::Mdmf),
            (
                CallerIdMessage {
                    name: None,
                    ..full()
                },
                Format::Sdmf,
            ),
        ] {
            let n = msg.encode(fmt, &mut out).unwrap();
            for cut in 0..n {
                assert!(
                    matches!(
                        CallerIdMessage::parse(&out[..cut]),
                        Err(MessageError::Truncated { .. })
                    ),
                    "{fmt:?} cut at {cut}"
                );
            }
            assert!(matches!(
                CallerIdMessage::parse(&out[..n + 1]),
                Err(MessageError::TrailingBytes { .. })
            ));
        }
    }

    fn with_checksum(body: &[u8]) -> heapless::Vec<u8, MAX_MESSAGE> {
        let mut v = heapless::Vec::new();
        v.extend_from_slice(body).unwrap();
        v.push(checksum(body)).unwrap();
        v
    }

    #[test]
    fn typed_errors() {
        assert_eq!(
            CallerIdMessage::parse(&with_checksum(&[0x06, 0])),
            Err(MessageError::UnknownType(0x06))
        );
        assert!(matches!(
            CallerIdMessage::parse(&with_checksum(&[0x04, 3, b'0', b'1', b'0'])),
            Err(MessageError::BadLength { param: 0x04, .. })
        ));
        // Parameter length runs past the message.
        assert!(matches!(
            CallerIdMessage::parse(&with_checksum(&[0x80, 3, 0x02, 5, b'1'])),
            Err(MessageError::BadLength { param: 0x02, .. })
        ));
        // Lone parameter type byte.
        assert!(matches!(
            CallerIdMessage::parse(&with_checksum(&[0x80, 1, 0x02])),
            Err(MessageError::BadLength { .. })
        ));
        assert_eq!(
            CallerIdMessage::parse(&with_checksum(&[0x80, 3, 0x04, 1, b'X'])),
            Err(MessageError::BadAbsence(b'X'))
        );
        assert_eq!(
            CallerIdMessage::parse(&with_checksum(&[
                0x80, 10, 0x01, 8, b'1', b'3', b'0', b'1', b'0', b'0', b'0', b'0'
            ])),
            Err(MessageError::BadDateTime)
        );
        assert_eq!(
            CallerIdMessage::parse(&with_checksum(&[0x80, 3, 0x07, 1, 0x01])),
            Err(MessageError::InvalidCharacter { byte: 1, offset: 4 })
        );
        let mut long = [b'9'; 2 + 2 + 21];
        long[..4].copy_from_slice(&[0x80, 23, 0x02, 21]);
        assert_eq!(
            CallerIdMessage::parse(&with_checksum(&long)),
            Err(MessageError::TooLong { param: 2, len: 21 })
        );
        // Unknown parameters are skipped.
        let msg = CallerIdMessage::parse(&with_checksum(&[0x80, 6, 0x06, 1, b'L', 0x02, 1, b'5']))
            .unwrap();
        assert_eq!(msg.number.as_deref(), Some("5"));
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = Rng::new(42);
        let mut buf = [0u8; 300];
        let mut ok = 0;
        for i in 0..200_000 {
            let len = (rng.next_u64() % 300) as usize;
            for b in buf[..len].iter_mut() {
                *b = rng.next_u64() as u8;
            }
            // Bias half the cases towards plausible headers to get deeper.
            if i % 2 == 0 && len >= 3 {
                buf[0] = if i % 4 == 0 { TYPE_MDMF } else { TYPE_SDMF };
                buf[1] = (len - 3) as u8;
                buf[len - 1] = checksum(&buf[..len - 1]);
            }
            if CallerIdMessage::parse(&buf[..len]).is_ok() {
                ok += 1;
            }
        }
        assert!(ok < 200_000);
    }
}
