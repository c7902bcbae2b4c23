//! Turns the bytes a serial terminal sends into command lines, echoing what is
//! typed (a serial line has no local echo) and handling backspace. Full history and
//! completion come with the appliance console work.

/// Longest line kept; further characters are refused with a bell.
pub const MAX_LINE: usize = 256;

/// A line being typed.
#[derive(Debug, Default)]
pub struct LineEditor {
    line: String,
    last_was_cr: bool,
}

/// What one input byte produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// Bytes to echo back.
    Echo(&'static [u8]),
    /// Echo this character.
    EchoChar(u8),
    /// A complete line (the newline has been echoed).
    Line(String),
    /// Nothing to do.
    None,
}

impl LineEditor {
    /// Feed one byte.
    pub fn feed(&mut self, byte: u8) -> Edit {
        let was_cr = std::mem::replace(&mut self.last_was_cr, byte == b'\r');
        match byte {
            b'\n' if was_cr => Edit::None,
            b'\r' | b'\n' => Edit::Line(std::mem::take(&mut self.line)),
            0x08 | 0x7f => {
                if self.line.pop().is_some() {
                    Edit::Echo(b"\x08 \x08")
                } else {
                    Edit::None
                }
            }
            0x15 => {
                // Ctrl-U: kill the line.
                self.line.clear();
                Edit::Echo(b"\r\n")
            }
            0x20..=0x7e if self.line.len() < MAX_LINE => {
                self.line.push(char::from(byte));
                Edit::EchoChar(byte)
            }
            0x20..=0x7e => Edit::Echo(b"\x07"),
            _ => Edit::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed_all(e: &mut LineEditor, bytes: &[u8]) -> Vec<String> {
        bytes
            .iter()
            .filter_map(|b| match e.feed(*b) {
                Edit::Line(l) => Some(l),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn lines_end_on_cr_lf_or_crlf_once() {
        let mut e = LineEditor::default();
        assert_eq!(
            feed_all(&mut e, b"show ports\r\nversion\rhelp\n"),
            ["show ports", "version", "help"]
        );
    }

    #[test]
    fn backspace_and_garbage() {
        let mut e = LineEditor::default();
        assert_eq!(e.feed(0x7f), Edit::None);
        assert_eq!(
            feed_all(&mut e, b"shx\x7fow\x00\x1b\xff ports\r"),
            ["show ports"]
        );
        let long = vec![b'a'; MAX_LINE + 10];
        let lines = feed_all(&mut e, &[long.as_slice(), b"\r"].concat());
        assert_eq!(lines[0].len(), MAX_LINE);
    }
}
