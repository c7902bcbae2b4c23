//! DTMF sent by SIP INFO: `application/dtmf-relay` (`Signal=5` and
//! `Duration=160` lines, the de-facto format of Cisco and most softphones) and
//! `application/dtmf` (the digit alone). Never panics on any body.

use dsp::dtmf::Digit;

/// The digit an INFO carries, if its content type is a DTMF one and its body
/// names a valid key (digits, `*`, `#`, `A`–`D`, or the RFC 4733 code 10/11).
pub fn digit(content_type: &str, body: &[u8]) -> Option<Digit> {
    let ct = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let text = std::str::from_utf8(body).ok()?.trim();
    let signal = match ct.as_str() {
        "application/dtmf-relay" => text.lines().find_map(|line| {
            let (key, value) = line.split_once('=')?;
            key.trim()
                .eq_ignore_ascii_case("signal")
                .then(|| value.trim())
        })?,
        "application/dtmf" => text,
        _ => return None,
    };
    match signal {
        "10" => Digit::from_char('*'),
        "11" => Digit::from_char('#'),
        s if s.chars().count() == 1 => s.chars().next().and_then(Digit::from_char),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_common_formats() {
        let d = |ct: &str, b: &str| digit(ct, b.as_bytes()).map(|d| d.as_char());
        assert_eq!(
            d("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n"),
            Some('5')
        );
        assert_eq!(
            d("Application/DTMF-Relay; x=y", "signal= * \nDuration=100"),
            Some('*')
        );
        assert_eq!(
            d("application/dtmf-relay", "Signal=11\r\nDuration=100"),
            Some('#')
        );
        assert_eq!(d("application/dtmf", "9"), Some('9'));
        assert_eq!(d("application/dtmf", "d"), Some('D'));
    }

    #[test]
    fn anything_else_is_none() {
        for (ct, body) in [
            ("application/json", "Signal=5"),
            ("application/dtmf-relay", "Duration=160"),
            ("application/dtmf-relay", "Signal=55"),
            ("application/dtmf-relay", "Signal=X"),
            ("application/dtmf", ""),
            ("application/dtmf", "12"),
        ] {
            assert_eq!(digit(ct, body.as_bytes()), None, "{ct} {body}");
        }
        assert_eq!(digit("application/dtmf", &[0xff, 0xfe]), None);
    }
}
