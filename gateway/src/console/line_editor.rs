//! The line being typed on a serial terminal: bytes in, screen bytes out, in the
//! VT100/ANSI subset every terminal program speaks (a serial line has no local
//! echo, so the editor echoes).
//!
//! | keys | what |
//! |---|---|
//! | printable | insert at the cursor |
//! | Backspace (`^H`, DEL) / `^D`, `ESC [3~` | delete before / at the cursor (`^D` on an empty line ends the session) |
//! | ← → (`ESC [D`, `ESC [C`), `^B` `^F` | move |
//! | `^A` / `^E`, Home / End | start / end of line |
//! | ↑ ↓ (`ESC [A`, `ESC [B`), `^P` `^N` | history |
//! | `^U` / `^K` / `^W` | delete to the start / to the end / the word before the cursor |
//! | `^C` | abandon the line |
//! | Tab, `?` | completion and help, answered by the session |
//!
//! The terminal's answer to a cursor position report (`ESC [ row ; col R`,
//! asked with `ESC [6n`) is not a key: it is handed to the session as
//! [`Edit::CursorAt`], which is how the session learns the terminal's width.
//!
//! The cursor is moved with backspaces and redraws end with `ESC [K` (erase to
//! end of line), so the editor never needs to know the terminal's width.

use std::collections::VecDeque;

/// Longest line kept; further characters are refused with a bell.
pub const MAX_LINE: usize = 256;
/// History entries kept.
pub const HISTORY: usize = 50;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Escape {
    #[default]
    None,
    /// After ESC.
    Esc,
    /// After `ESC [` or `ESC O`, with the numeric parameters so far (the
    /// second after a `;`).
    Csi(u16, Option<u16>),
}

/// A line being typed.
#[derive(Debug, Default)]
pub struct LineEditor {
    line: Vec<u8>,
    cursor: usize,
    history: VecDeque<String>,
    /// While browsing the history: the entry shown (0 = newest) and the line
    /// that was being typed.
    browsing: Option<(usize, Vec<u8>)>,
    escape: Escape,
    last_was_cr: bool,
    masked: bool,
}

/// What a byte asks of the session (everything else the editor did itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// Enter: the line (the newline has been echoed).
    Line(String),
    /// Tab: complete the word before the cursor.
    Complete,
    /// `?`: list what may come next.
    Help,
    /// Ctrl-C: the line was abandoned (`^C` and a newline echoed).
    Interrupt,
    /// Ctrl-D on an empty line.
    EndOfInput,
    /// The terminal reported where its cursor is (1-based row and column).
    CursorAt {
        /// Row.
        row: u16,
        /// Column.
        column: u16,
    },
}

impl LineEditor {
    /// Password entry: nothing is echoed, nothing goes to the history, `?` and
    /// Tab are ordinary characters.
    pub fn set_masked(&mut self, masked: bool) {
        self.masked = masked;
    }

    /// The whole line.
    pub fn line(&self) -> String {
        String::from_utf8_lossy(&self.line).into_owned()
    }

    /// The line up to the cursor.
    pub fn before_cursor(&self) -> String {
        String::from_utf8_lossy(self.line.get(..self.cursor).unwrap_or(&[])).into_owned()
    }

    /// Forget the line and the history (at logout).
    pub fn reset(&mut self) {
        *self = LineEditor::default();
    }

    /// Insert `text` at the cursor (completion), echoing it.
    pub fn insert_str(&mut self, text: &str, out: &mut Vec<u8>) {
        for b in text.bytes() {
            self.insert(b, out);
        }
    }

    /// Draw `prompt` and the line, the cursor where it was (after a listing).
    pub fn redraw(&self, prompt: &str, out: &mut Vec<u8>) {
        out.extend_from_slice(prompt.as_bytes());
        if !self.masked {
            out.extend_from_slice(&self.line);
            back(out, self.line.len() - self.cursor);
        }
    }

    /// Feed one byte; echo and redraw bytes go to `out`.
    pub fn feed(&mut self, byte: u8, out: &mut Vec<u8>) -> Option<Edit> {
        let was_cr = std::mem::replace(&mut self.last_was_cr, byte == b'\r');
        match self.escape {
            Escape::Esc => {
                self.escape = if byte == b'[' || byte == b'O' {
                    Escape::Csi(0, None)
                } else {
                    Escape::None
                };
                return None;
            }
            Escape::Csi(n, second) => {
                let digit = |v: u16| v.saturating_mul(10).saturating_add(u16::from(byte - b'0'));
                match (byte, second) {
                    (b'0'..=b'9', None) => {
                        self.escape = Escape::Csi(digit(n), None);
                        return None;
                    }
                    (b'0'..=b'9', Some(m)) => {
                        self.escape = Escape::Csi(n, Some(digit(m)));
                        return None;
                    }
                    (b';', None) => {
                        self.escape = Escape::Csi(n, Some(0));
                        return None;
                    }
                    (b'R', Some(column)) => {
                        self.escape = Escape::None;
                        return Some(Edit::CursorAt { row: n, column });
                    }
                    _ => {}
                }
                self.escape = Escape::None;
                match (byte, n) {
                    (b'A', _) => self.history_step(true, out),
                    (b'B', _) => self.history_step(false, out),
                    (b'C', _) => self.right(out),
                    (b'D', _) => self.left(out),
                    (b'H', _) | (b'~', 1 | 7) => self.home(out),
                    (b'F', _) | (b'~', 4 | 8) => self.end(out),
                    (b'~', 3) => self.delete_at_cursor(out),
                    _ => {}
                }
                return None;
            }
            Escape::None => {}
        }
        match byte {
            b'\n' if was_cr => None,
            b'\r' | b'\n' => {
                out.extend_from_slice(b"\r\n");
                let line = self.line();
                if !self.masked && !line.trim().is_empty() && self.history.front() != Some(&line) {
                    self.history.push_front(line.clone());
                    self.history.truncate(HISTORY);
                }
                self.line.clear();
                self.cursor = 0;
                self.browsing = None;
                Some(Edit::Line(line))
            }
            0x1b => {
                self.escape = Escape::Esc;
                None
            }
            0x03 => {
                out.extend_from_slice(b"^C\r\n");
                self.line.clear();
                self.cursor = 0;
                self.browsing = None;
                Some(Edit::Interrupt)
            }
            0x04 if self.line.is_empty() => Some(Edit::EndOfInput),
            0x04 => {
                self.delete_at_cursor(out);
                None
            }
            0x08 | 0x7f => {
                if self.cursor > 0 {
                    self.left(out);
                    self.delete_at_cursor(out);
                }
                None
            }
            0x01 => {
                self.home(out);
                None
            }
            0x05 => {
                self.end(out);
                None
            }
            0x02 => {
                self.left(out);
                None
            }
            0x06 => {
                self.right(out);
                None
            }
            0x10 => {
                self.history_step(true, out);
                None
            }
            0x0e => {
                self.history_step(false, out);
                None
            }
            0x15 => {
                let n = self.cursor;
                self.cut(0, n, out);
                None
            }
            0x0b => {
                let (from, to) = (self.cursor, self.line.len());
                self.cut(from, to, out);
                None
            }
            0x17 => {
                let mut from = self.cursor;
                while from > 0 && self.line.get(from - 1) == Some(&b' ') {
                    from -= 1;
                }
                while from > 0 && self.line.get(from - 1) != Some(&b' ') {
                    from -= 1;
                }
                let to = self.cursor;
                self.cut(from, to, out);
                None
            }
            b'\t' if !self.masked => Some(Edit::Complete),
            b'?' if !self.masked && !self.in_quotes() => Some(Edit::Help),
            0x20..=0x7e => {
                self.insert(byte, out);
                None
            }
            _ => None,
        }
    }

    /// `?` inside a double-quoted string is a character, not a request for help.
    fn in_quotes(&self) -> bool {
        self.line
            .get(..self.cursor)
            .unwrap_or(&[])
            .iter()
            .filter(|&&b| b == b'"')
            .count()
            % 2
            == 1
    }

    fn insert(&mut self, byte: u8, out: &mut Vec<u8>) {
        if self.line.len() >= MAX_LINE {
            out.push(0x07);
            return;
        }
        self.line.insert(self.cursor, byte);
        self.cursor += 1;
        if self.masked {
            return;
        }
        out.extend_from_slice(self.line.get(self.cursor - 1..).unwrap_or(&[]));
        back(out, self.line.len() - self.cursor);
    }

    fn delete_at_cursor(&mut self, out: &mut Vec<u8>) {
        if self.cursor >= self.line.len() {
            return;
        }
        self.line.remove(self.cursor);
        if self.masked {
            return;
        }
        out.extend_from_slice(self.line.get(self.cursor..).unwrap_or(&[]));
        out.extend_from_slice(b" ");
        back(out, self.line.len() - self.cursor + 1);
    }

    /// Remove `from..to` (the cursor is at `to` or `from`) and redraw the tail.
    fn cut(&mut self, from: usize, to: usize, out: &mut Vec<u8>) {
        if from >= to {
            return;
        }
        if !self.masked {
            back(out, self.cursor - from);
        }
        self.line.drain(from..to);
        self.cursor = from;
        if self.masked {
            return;
        }
        out.extend_from_slice(self.line.get(from..).unwrap_or(&[]));
        out.extend_from_slice(b"\x1b[K");
        back(out, self.line.len() - from);
    }

    fn left(&mut self, out: &mut Vec<u8>) {
        if self.cursor > 0 {
            self.cursor -= 1;
            if !self.masked {
                out.push(0x08);
            }
        }
    }

    fn right(&mut self, out: &mut Vec<u8>) {
        if let Some(&b) = self.line.get(self.cursor) {
            self.cursor += 1;
            if !self.masked {
                out.push(b);
            }
        }
    }

    fn home(&mut self, out: &mut Vec<u8>) {
        if !self.masked {
            back(out, self.cursor);
        }
        self.cursor = 0;
    }

    fn end(&mut self, out: &mut Vec<u8>) {
        if !self.masked {
            out.extend_from_slice(self.line.get(self.cursor..).unwrap_or(&[]));
        }
        self.cursor = self.line.len();
    }

    fn history_step(&mut self, older: bool, out: &mut Vec<u8>) {
        if self.masked {
            return;
        }
        let next = match (&self.browsing, older) {
            (None, true) if !self.history.is_empty() => Some(0),
            (None, _) => return,
            (Some((i, _)), true) if i + 1 < self.history.len() => Some(i + 1),
            (Some(_), true) => return,
            (Some((0, _)), false) => None,
            (Some((i, _)), false) => Some(i - 1),
        };
        let text = match next {
            Some(i) => {
                let typed = match self.browsing.take() {
                    Some((_, typed)) => typed,
                    None => self.line.clone(),
                };
                self.browsing = Some((i, typed));
                self.history
                    .get(i)
                    .map(|s| s.as_bytes().to_vec())
                    .unwrap_or_default()
            }
            None => self
                .browsing
                .take()
                .map(|(_, typed)| typed)
                .unwrap_or_default(),
        };
        back(out, self.cursor);
        out.extend_from_slice(&text);
        out.extend_from_slice(b"\x1b[K");
        self.line = text;
        self.cursor = self.line.len();
    }
}

fn back(out: &mut Vec<u8>, n: usize) {
    out.extend(std::iter::repeat_n(0x08, n));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed_all(e: &mut LineEditor, bytes: &[u8]) -> (Vec<Edit>, Vec<u8>) {
        let mut out = Vec::new();
        let edits = bytes.iter().filter_map(|b| e.feed(*b, &mut out)).collect();
        (edits, out)
    }

    fn lines(e: &mut LineEditor, bytes: &[u8]) -> Vec<String> {
        feed_all(e, bytes)
            .0
            .into_iter()
            .filter_map(|x| match x {
                Edit::Line(l) => Some(l),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn lines_end_on_cr_lf_or_crlf_once() {
        let mut e = LineEditor::default();
        assert_eq!(
            lines(&mut e, b"show ports\r\nversion\rhelp\n"),
            ["show ports", "version", "help"]
        );
    }

    #[test]
    fn backspace_and_garbage() {
        let mut e = LineEditor::default();
        assert_eq!(feed_all(&mut e, b"\x7f"), (vec![], vec![]));
        assert_eq!(lines(&mut e, b"shx\x7fow\x00\xff ports\r"), ["show ports"]);
        let long = vec![b'a'; MAX_LINE + 10];
        let got = lines(&mut e, &[long.as_slice(), b"\r"].concat());
        assert_eq!(got[0].len(), MAX_LINE);
    }

    #[test]
    fn cursor_keys_and_control_keys() {
        let mut e = LineEditor::default();
        // Type "sow", go left twice, insert "h": "show".
        assert_eq!(lines(&mut e, b"sow\x1b[D\x1b[Dh\r"), ["show"]);
        // ^A then insert, ^E then append.
        assert_eq!(lines(&mut e, b"how\x01s\x05 ports\r"), ["show ports"]);
        // ^W deletes the last word, ^U the whole line before the cursor.
        assert_eq!(lines(&mut e, b"show calls\x17ports\r"), ["show ports"]);
        assert_eq!(lines(&mut e, b"garbage\x15version\r"), ["version"]);
        // Delete key at the cursor; ^K to the end.
        assert_eq!(lines(&mut e, b"vxersion\x01\x1b[C\x1b[3~\r"), ["version"]);
        assert_eq!(lines(&mut e, b"help me\x1b[D\x1b[D\x1b[D\x0b\r"), ["help"]);
        // ^C abandons the line.
        let (edits, out) = feed_all(&mut e, b"reboot\x03");
        assert_eq!(edits, [Edit::Interrupt]);
        assert!(out.ends_with(b"^C\r\n"));
        assert_eq!(e.line(), "");
        assert_eq!(feed_all(&mut e, b"\x04").0, [Edit::EndOfInput]);
    }

    #[test]
    fn a_cursor_report_is_not_typed() {
        let mut e = LineEditor::default();
        let (edits, _) = feed_all(&mut e, b"sh\x1b[24;132Rx");
        assert_eq!(
            edits,
            [Edit::CursorAt {
                row: 24,
                column: 132
            }]
        );
        assert_eq!(e.line(), "shx");
    }

    #[test]
    fn history_up_and_down() {
        let mut e = LineEditor::default();
        lines(&mut e, b"one\rtwo\r");
        // Up twice = "one"; down once = "two"; down again = what was typed.
        assert_eq!(lines(&mut e, b"\x1b[A\x1b[A\r"), ["one"]);
        assert_eq!(lines(&mut e, b"\x1b[A\x1b[A\x1b[B\r"), ["one"]);
        assert_eq!(lines(&mut e, b"x\x1b[A\x1b[B\r"), ["x"]);
        // ^P works like up; application-mode arrows (ESC O A) too.
        assert_eq!(lines(&mut e, b"\x10\r"), ["x"]);
        assert_eq!(lines(&mut e, b"\x1bOA\r"), ["x"]);
    }

    #[test]
    fn masked_lines_echo_nothing_and_stay_out_of_history() {
        let mut e = LineEditor::default();
        e.set_masked(true);
        let (edits, out) = feed_all(&mut e, b"p?ss\tw\x7frd\r");
        assert_eq!(edits, [Edit::Line("p?ssrd".into())]);
        assert_eq!(out, b"\r\n");
        e.set_masked(false);
        assert_eq!(feed_all(&mut e, b"\x1b[A").1, b"");
    }

    #[test]
    fn tab_and_question_mark() {
        let mut e = LineEditor::default();
        assert_eq!(feed_all(&mut e, b"sh\t").0, [Edit::Complete]);
        assert_eq!(feed_all(&mut e, b" ?").0, [Edit::Help]);
        assert_eq!(e.line(), "sh ");
        // Inside quotes `?` is a character.
        assert_eq!(feed_all(&mut e, b"\"a?b\"").0, []);
        assert_eq!(e.line(), "sh \"a?b\"");
    }
}
