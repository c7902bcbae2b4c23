//! DLE shielding of voice data (V.253 §9.3): `<DLE><DLE>` is a data byte 0x10;
//! `<DLE>x` is an event or command `x`.

use super::DLE;

/// What a byte of a DLE-shielded stream turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shielded {
    /// A voice data byte.
    Data(u8),
    /// `<DLE>code`.
    Code(u8),
}

/// Decodes a DLE-shielded stream byte by byte; a `<DLE>` split across reads is kept.
#[derive(Clone, Debug, Default)]
pub(crate) struct Decoder {
    escaped: bool,
}

impl Decoder {
    pub(crate) fn push(&mut self, b: u8) -> Option<Shielded> {
        if self.escaped {
            self.escaped = false;
            return Some(if b == DLE {
                Shielded::Data(DLE)
            } else {
                Shielded::Code(b)
            });
        }
        if b == DLE {
            self.escaped = true;
            return None;
        }
        Some(Shielded::Data(b))
    }

    pub(crate) fn reset(&mut self) {
        self.escaped = false;
    }
}

/// Append `b` to `out`, shielded.
pub(crate) fn shield(b: u8, out: &mut impl Extend<u8>) {
    if b == DLE {
        out.extend([DLE, DLE]);
    } else {
        out.extend([b]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubled_dle_is_data_and_single_dle_is_a_code() {
        let mut d = Decoder::default();
        let got: Vec<Shielded> = [1, DLE, DLE, 2, DLE, b'5', DLE]
            .into_iter()
            .filter_map(|b| d.push(b))
            .collect();
        assert_eq!(
            got,
            [
                Shielded::Data(1),
                Shielded::Data(DLE),
                Shielded::Data(2),
                Shielded::Code(b'5')
            ]
        );
        assert_eq!(d.push(3), Some(Shielded::Code(3)), "split across reads");
        let mut out = Vec::new();
        shield(DLE, &mut out);
        shield(7, &mut out);
        assert_eq!(out, [DLE, DLE, 7]);
    }
}
