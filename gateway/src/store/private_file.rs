//! Files that may hold secrets (SIP passwords, API tokens, password hashes):
//! created `0600`, never through a symbolic link, never into a file someone
//! else prepared; their folder kept `0700`.
//!
//! ```text
//!  create(path):  unlink path (a stale temporary, or a planted link: the link
//!                 itself goes, never its target)
//!                 open(O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)
//!                 └─ someone recreated it in between: EEXIST, the save fails
//! ```

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Owner read and write only.
pub const FILE_MODE: u32 = 0o600;
/// Owner only.
pub const DIR_MODE: u32 = 0o700;

/// Create `path` afresh for writing: `0600`, `O_EXCL`, `O_NOFOLLOW`. Whatever
/// was at `path` before (a stale temporary, a symbolic link) is removed
/// first, not written through.
pub fn create(path: &Path) -> io::Result<File> {
    match fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_CLOEXEC)
        .open(path)
}

/// Make `dir` (and missing parents) exist, and take group and other access
/// away from it.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let meta = fs::symlink_metadata(dir)?;
    if meta.permissions().mode() & 0o077 != 0 {
        fs::set_permissions(dir, fs::Permissions::from_mode(DIR_MODE))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_0600_and_a_planted_link_is_replaced_not_followed() {
        let dir = std::env::temp_dir().join(format!("private-file-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        let victim = dir.join("victim");
        fs::write(&victim, "untouched").unwrap();
        let tmp = dir.join("save.toml.tmp");
        std::os::unix::fs::symlink(&victim, &tmp).unwrap();
        use std::io::Write as _;
        create(&tmp).unwrap().write_all(b"secret").unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "untouched");
        let meta = fs::symlink_metadata(&tmp).unwrap();
        assert!(meta.file_type().is_file());
        assert_eq!(meta.permissions().mode() & 0o777, FILE_MODE);
        private_dir(&dir).unwrap();
        assert_eq!(
            fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            DIR_MODE
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
