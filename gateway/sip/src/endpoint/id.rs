//! Seeded identifiers: tags, branches and Call-IDs (RFC 3261 §19.3, §8.1.1.7).
//!
//! A SplitMix64 stream keeps every run with the same seed identical; the
//! runtime seeds it from the OS so identifiers stay unguessable in service.

use crate::message::MAGIC_COOKIE;

#[derive(Clone, Debug)]
pub(crate) struct IdGenerator {
    state: u64,
}

impl IdGenerator {
    pub(crate) fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(crate) fn tag(&mut self) -> String {
        format!("{:016x}", self.next_u64())
    }

    pub(crate) fn branch(&mut self) -> String {
        format!("{MAGIC_COOKIE}{:016x}", self.next_u64())
    }

    pub(crate) fn call_id(&mut self, host: &str) -> String {
        format!(
            "{:016x}{:08x}@{host}",
            self.next_u64(),
            self.next_u64() as u32
        )
    }

    /// A first local CSeq below 2^31 (§8.1.1.5).
    pub(crate) fn cseq(&mut self) -> u32 {
        (self.next_u64() as u32 & 0x7fff) + 1
    }
}
