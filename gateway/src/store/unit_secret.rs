//! The console login of a box running its factory defaults.
//!
//! The factory configuration has no `[[console.users]]`; booted as it is, its
//! console would ask for no login, and a configuration made invalid on
//! purpose (or by a broken flash page) would open it. So when the store boots
//! the factory defaults because its saved files are broken (not on the first
//! boot of an empty store, the first-boot setup, nor after a factory reset
//! erased them), the console gets one user, `admin`, whose password
//! is this unit's own secret: `unit-secret` in the store folder, 20
//! characters drawn once from the OS-keyed generator, kept `0600` (at
//! manufacture it is read off and printed on the unit's label). If the secret
//! cannot be read or made, the console is locked (a hash nobody can match).
//!
//! ```text
//!  boot source = factory ─▶ DIR/unit-secret exists? ──no──▶ create it (0600, O_EXCL)
//!                              │ yes                          │
//!                              ▼                              ▼
//!                          console.users = [admin: Argon2id(secret)]
//!                          (neither readable nor makeable: locked)
//! ```

use std::io::{Read as _, Write as _};
use std::path::Path;

use crate::config::{Config, ConsoleUserConfig};

/// The file, in the store folder.
pub const FILE_NAME: &str = "unit-secret";
/// The factory login's user name.
pub const USER: &str = "admin";
/// Characters of a secret: no look-alikes (0/O, 1/l/I).
const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
const LENGTH: usize = 20;

/// Give the factory `config` its console login; a note for the console and
/// the log says what was done.
pub fn require_login(dir: &Path, config: &mut Config) -> String {
    let path = dir.join(FILE_NAME);
    let hash = read_or_create(&path).and_then(|secret| {
        let salt = random_bytes()?;
        crate::console::password::hash(&secret, salt)
            .map_err(|e| std::io::Error::other(format!("hashing: {e}")))
    });
    let (hash, note) = match hash {
        Ok(hash) => (
            hash,
            format!(
                "factory defaults: console login `{USER}` with the unit secret in {}",
                path.display()
            ),
        ),
        Err(e) => (
            LOCKED.to_owned(),
            format!(
                "factory defaults: console locked, the unit secret {} failed: {e}",
                path.display()
            ),
        ),
    };
    config.console.users = vec![ConsoleUserConfig {
        name: USER.to_owned(),
        password_hash: hash,
    }];
    note
}

/// An Argon2id hash of 32 random bytes nobody kept: no password matches it.
const LOCKED: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$bG9ja2VkbG9ja2VkbG9ja2Vk$3ZAYtJkyYcL1qYPlVQdzmcmbJZf0xWx4UdXrD3JXqXA";

fn read_or_create(path: &Path) -> std::io::Result<String> {
    match std::fs::File::open(path) {
        Ok(mut f) => {
            let mut text = String::new();
            f.read_to_string(&mut text)?;
            let secret = text.trim().to_owned();
            if secret.len() < LENGTH {
                return Err(std::io::Error::other("too short"));
            }
            Ok(secret)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let seed = sip::Seed::from_os().map_err(std::io::Error::other)?;
            let mut ids = sip::IdGenerator::new(seed);
            let n = ALPHABET.len() as u64;
            let secret: String = (0..LENGTH)
                .map(|_| char::from(ALPHABET[(ids.next_u64() % n) as usize]))
                .collect();
            let mut f = super::private_file::create(path)?;
            f.write_all(format!("{secret}\n").as_bytes())?;
            f.sync_all()?;
            Ok(secret)
        }
        Err(e) => Err(e),
    }
}

fn random_bytes() -> std::io::Result<[u8; 16]> {
    let seed = sip::Seed::from_os().map_err(std::io::Error::other)?;
    let mut ids = sip::IdGenerator::new(seed);
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&ids.next_u64().to_le_bytes());
    out[8..].copy_from_slice(&ids.next_u64().to_le_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    #[test]
    fn the_factory_console_asks_for_the_unit_secret() {
        let dir = std::env::temp_dir().join(format!("unit-secret-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let factory = include_str!("../../../config/demo.toml");
        let mut config = crate::config::parse(Path::new("factory"), factory).unwrap();
        assert!(
            config.console.users.is_empty(),
            "the factory text has no users"
        );
        // And none of its unauthenticated SIP faces the network.
        assert!(!config.sip.allow_unauthenticated || config.sip.listen.ip().is_loopback());
        assert!(config.api.listen.ip().is_loopback());
        let note = require_login(&dir, &mut config);
        assert!(note.contains("console login `admin`"), "{note}");
        let path = dir.join(FILE_NAME);
        let secret = std::fs::read_to_string(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let hash = &config.console.users[0].password_hash;
        assert!(crate::console::password::verify(secret.trim(), Some(hash)));
        assert!(!crate::console::password::verify("", Some(hash)));
        assert!(!crate::console::password::verify("", Some(LOCKED)));
        // The next factory boot uses the same secret.
        let mut again = crate::config::parse(Path::new("factory"), factory).unwrap();
        require_login(&dir, &mut again);
        assert!(crate::console::password::verify(
            secret.trim(),
            Some(&again.console.users[0].password_hash)
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
