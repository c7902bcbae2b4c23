//! The format of a console user's password hash (`[[console.users]]
//! password_hash`): a PHC string of an Argon2 hash. Hashing and verifying
//! are the console's (`console::password`).

use argon2::password_hash::PasswordHash;

/// Whether `hash` is an Argon2 PHC string this build can check.
pub fn check_hash(hash: &str) -> Result<(), String> {
    let parsed = PasswordHash::new(hash).map_err(|e| {
        format!("not a PHC password hash ({e}); make one with gateway --hash-password")
    })?;
    match parsed.algorithm.as_str() {
        "argon2id" | "argon2i" | "argon2d" => Ok(()),
        other => Err(format!("algorithm {other} is not argon2id")),
    }
}
