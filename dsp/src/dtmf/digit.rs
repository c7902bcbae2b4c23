//! The 16 DTMF keys (ITU-T Q.23 §2, RFC 4733 §3.2 event codes).

use super::{COL_FREQS, ROW_FREQS};

/// Keys in keypad order: index = row * 4 + column.
const KEYPAD: [char; 16] = [
    '1', '2', '3', 'A', '4', '5', '6', 'B', '7', '8', '9', 'C', '*', '0', '#', 'D',
];

/// One of the 16 DTMF keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Digit(u8); // keypad index 0..16, row-major

impl Digit {
    /// '0'-'9', '*', '#', 'A'-'D' (also lowercase a-d).
    pub fn from_char(c: char) -> Option<Digit> {
        let c = c.to_ascii_uppercase();
        KEYPAD.iter().position(|&k| k == c).map(|i| Digit(i as u8))
    }

    /// The key's character ('A'-'D' upper case).
    pub fn as_char(self) -> char {
        KEYPAD[usize::from(self.0 & 15)]
    }

    /// RFC 4733 event code: 0-9, *=10, #=11, A-D=12-15.
    pub fn event_code(self) -> u8 {
        match self.as_char() {
            c @ '0'..='9' => c as u8 - b'0',
            '*' => 10,
            '#' => 11,
            c => c as u8 - b'A' + 12,
        }
    }

    /// The digit for an RFC 4733 event code 0..=15.
    pub fn from_event_code(code: u8) -> Option<Digit> {
        let c = match code {
            0..=9 => char::from(b'0' + code),
            10 => '*',
            11 => '#',
            12..=15 => char::from(b'A' + code - 12),
            _ => return None,
        };
        Digit::from_char(c)
    }

    /// (row Hz, column Hz).
    pub fn frequencies(self) -> (f32, f32) {
        (ROW_FREQS[self.row()], COL_FREQS[self.col()])
    }

    /// All 16 digits in keypad order.
    pub fn all() -> impl Iterator<Item = Digit> {
        (0..16).map(Digit)
    }

    pub(crate) fn from_row_col(row: usize, col: usize) -> Digit {
        Digit(((row & 3) * 4 + (col & 3)) as u8)
    }

    pub(crate) fn row(self) -> usize {
        usize::from(self.0 >> 2) & 3
    }

    pub(crate) fn col(self) -> usize {
        usize::from(self.0 & 3)
    }
}

impl core::fmt::Display for Digit {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}", self.as_char())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chars_codes_and_frequencies() {
        for c in "0123456789*#ABCD".chars() {
            let d = Digit::from_char(c).unwrap();
            assert_eq!(d.as_char(), c);
            assert_eq!(Digit::from_event_code(d.event_code()), Some(d));
            assert_eq!(d.to_string(), c.to_string());
        }
        assert_eq!(Digit::from_char('b'), Digit::from_char('B'));
        assert_eq!(Digit::from_char('E'), None);
        assert_eq!(Digit::from_char('e'), None);
        assert_eq!(Digit::from_event_code(16), None);
        assert_eq!(Digit::from_char('*').unwrap().event_code(), 10);
        assert_eq!(Digit::from_char('#').unwrap().event_code(), 11);
        assert_eq!(Digit::from_char('D').unwrap().event_code(), 15);
        assert_eq!(
            Digit::from_char('0').unwrap().frequencies(),
            (941.0, 1336.0)
        );
        assert_eq!(
            Digit::from_char('1').unwrap().frequencies(),
            (697.0, 1209.0)
        );
        assert_eq!(
            Digit::from_char('D').unwrap().frequencies(),
            (941.0, 1633.0)
        );
        assert_eq!(
            Digit::from_char('9').unwrap().frequencies(),
            (852.0, 1477.0)
        );
        assert_eq!(Digit::all().count(), 16);
    }
}
