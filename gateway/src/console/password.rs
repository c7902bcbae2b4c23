//! Console passwords: Argon2id (RFC 9106) PHC strings in the stored
//! configuration, never the password itself.
//!
//! Hashing and checking are deliberately slow (tens of milliseconds in a release
//! build): they never run on the runtime's loop, but on the console's worker
//! thread (see [`super::io`]).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// A hash of a password nobody has, checked when the user name is unknown so
/// that a wrong name takes as long as a wrong password.
const DECOY: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$ZGVjb3lkZWNveWRlY295$0l1TqDZeowQgv5qFEa8pHqR4pl5QuK0F3eCJlDHdqvc";

pub use crate::config::password_hash::check_hash;

/// Hash `password` with Argon2id at the recommended cost (19 MiB, 2 passes)
/// and a salt from `salt` (16 random bytes).
pub fn hash(password: &str, salt: [u8; 16]) -> Result<String, String> {
    hash_with(
        password,
        salt,
        Params::DEFAULT_M_COST,
        Params::DEFAULT_T_COST,
    )
}

/// [`hash`] at a chosen cost (memory in KiB, passes): tests use a small one.
pub fn hash_with(password: &str, salt: [u8; 16], m_kib: u32, t: u32) -> Result<String, String> {
    let params = Params::new(m_kib, t, 1, None).map_err(|e| e.to_string())?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` matches `hash`; with no hash (unknown user) a decoy is
/// checked and the answer is no.
pub fn verify(password: &str, hash: Option<&str>) -> bool {
    let stored = hash.unwrap_or(DECOY);
    let ok = PasswordHash::new(stored)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false);
    ok && hash.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash_with("s3cret", [7; 16], 64, 1).unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{h}");
        check_hash(&h).unwrap();
        assert!(verify("s3cret", Some(&h)));
        assert!(!verify("s3cret!", Some(&h)));
        assert!(!verify("s3cret", None));
        assert!(check_hash("plain").is_err());
        assert!(check_hash(DECOY).is_ok());
    }
}
