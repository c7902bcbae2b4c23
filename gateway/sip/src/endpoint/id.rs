//! Unguessable identifiers: tags, branches, Call-IDs and Digest nonces
//! (RFC 3261 §19.3, §8.1.1.7, §26.3.3; RFC 7616 §5.5).
//!
//! An attacker who can predict the next branch can forge a response to our
//! request; one who can predict a nonce or a To-tag can steer a dialog. So
//! every identifier comes from ChaCha20, a cryptographic generator whose
//! output does not give away its state. [`Seed::from_os`] (what the runtime
//! uses) keys it with 256 bits from the operating system; a `u64` seed keeps
//! a test run identical from one run to the next.

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore as _, SeedableRng as _, TryRngCore as _};

use crate::message::MAGIC_COOKIE;

/// The key of an [`IdGenerator`] and which of its streams to use.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Seed {
    key: [u8; 32],
    stream: u64,
}

impl std::fmt::Debug for Seed {
    // A key is not for logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Seed(..)")
    }
}

/// The operating system gave no random bytes (`getrandom` failed).
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random generator failed: {0}")]
pub struct SeedError(String);

impl Seed {
    /// 256 bits from the operating system (`getrandom`): what the box runs with.
    pub fn from_os() -> Result<Seed, SeedError> {
        let mut key = [0u8; 32];
        rand_core::OsRng
            .try_fill_bytes(&mut key)
            .map_err(|e| SeedError(e.to_string()))?;
        Ok(Seed { key, stream: 0 })
    }

    /// The same key, another of its 2^64 independent streams: one per
    /// generator (identifiers, nonces, SSRCs), so none reveals another's.
    pub fn derive(self, stream: u64) -> Seed {
        Seed { stream, ..self }
    }
}

/// A fixed seed, so a test produces the same identifiers every run.
impl From<u64> for Seed {
    fn from(seed: u64) -> Self {
        Seed {
            key: ChaCha20Rng::seed_from_u64(seed).get_seed(),
            stream: 0,
        }
    }
}

/// A cryptographic generator of identifiers.
#[derive(Clone)]
pub struct IdGenerator {
    rng: ChaCha20Rng,
}

impl std::fmt::Debug for IdGenerator {
    // Never print the key or the position of the stream.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdGenerator(..)")
    }
}

impl IdGenerator {
    pub fn new(seed: impl Into<Seed>) -> Self {
        let seed = seed.into();
        let mut rng = ChaCha20Rng::from_seed(seed.key);
        rng.set_stream(seed.stream);
        Self { rng }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// 128 random bits as 32 hex digits.
    pub(crate) fn token128(&mut self) -> String {
        format!("{:016x}{:016x}", self.next_u64(), self.next_u64())
    }

    pub(crate) fn tag(&mut self) -> String {
        format!("{:016x}", self.next_u64())
    }

    pub(crate) fn branch(&mut self) -> String {
        format!("{MAGIC_COOKIE}{}", self.token128())
    }

    pub(crate) fn call_id(&mut self, host: &str) -> String {
        format!("{}@{host}", self.token128())
    }

    /// A first local CSeq below 2^31 (§8.1.1.5).
    pub(crate) fn cseq(&mut self) -> u32 {
        (self.next_u64() as u32 & 0x7fff) + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_seeds_repeat_and_os_seeds_differ() {
        let a: Vec<u64> = (0..4)
            .map({
                let mut g = IdGenerator::new(7);
                move |_| g.next_u64()
            })
            .collect();
        let mut g = IdGenerator::new(7);
        assert_eq!(a, (0..4).map(|_| g.next_u64()).collect::<Vec<_>>());
        let mut x = IdGenerator::new(Seed::from_os().unwrap());
        let mut y = IdGenerator::new(Seed::from_os().unwrap());
        assert_ne!(x.token128(), y.token128());
        let seed = Seed::from(7);
        let mut z = IdGenerator::new(seed.derive(1));
        assert_ne!(z.next_u64(), IdGenerator::new(seed).next_u64());
    }
}
