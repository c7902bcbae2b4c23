//! A dialled number held in fixed memory, so collecting digits never allocates.

use std::fmt;

/// The longest number the exchange collects or a directory entry may have.
pub const MAX_DIGITS: usize = 32;

/// Up to [`MAX_DIGITS`] DTMF characters (`0-9 * # A-D`), stored inline (`Copy`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Digits {
    buf: [u8; MAX_DIGITS],
    len: u8,
}

/// The digit buffer is full.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DigitsFull;

impl Digits {
    /// No digits.
    pub const EMPTY: Digits = Digits {
        buf: [0; MAX_DIGITS],
        len: 0,
    };

    /// Append one DTMF character.
    pub fn push(&mut self, c: char) -> Result<(), DigitsFull> {
        let slot = self.buf.get_mut(usize::from(self.len)).ok_or(DigitsFull)?;
        // DTMF characters are ASCII; anything else is replaced so the buffer stays
        // valid UTF-8 (the caller only pushes `dsp::dtmf::Digit::as_char`).
        *slot = if c.is_ascii() { c as u8 } else { b'?' };
        self.len += 1;
        Ok(())
    }

    /// The digits as text.
    pub fn as_str(&self) -> &str {
        let bytes = self.buf.get(..usize::from(self.len)).unwrap_or(&[]);
        std::str::from_utf8(bytes).unwrap_or("")
    }

    /// Whether nothing was dialled.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of digits.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }
}

impl Default for Digits {
    fn default() -> Self {
        Digits::EMPTY
    }
}

impl fmt::Display for Digits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Digits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digits({:?})", self.as_str())
    }
}

/// Whether `c` is a character a DTMF keypad can send.
pub fn is_dtmf_char(c: char) -> bool {
    matches!(c, '0'..='9' | '*' | '#' | 'A'..='D')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_and_stops_when_full() {
        let mut d = Digits::EMPTY;
        for c in "1800".chars() {
            d.push(c).unwrap();
        }
        assert_eq!(d.as_str(), "1800");
        for _ in 4..MAX_DIGITS {
            d.push('9').unwrap();
        }
        assert_eq!(d.push('9'), Err(DigitsFull));
        assert_eq!(d.len(), MAX_DIGITS);
    }
}
