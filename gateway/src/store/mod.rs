//! The saved configuration on flash: power-loss safe saves, a previous good copy,
//! and a boot that always finds a configuration.
//!
//! Files, for a store at `config.toml`:
//!
//! | file | what |
//! |---|---|
//! | `config.toml` | the saved configuration |
//! | `config.toml.prev` | the one it replaced (the previous good copy) |
//! | `*.tmp` | a save in progress; ignored at boot, removed by the next save |
//!
//! Every file is created `0600`, with `O_EXCL | O_NOFOLLOW` after removing
//! whatever had its name ([`private_file`]): the configuration holds SIP
//! passwords and API tokens, and a planted link must not redirect a save.
//!
//! A save (POSIX: `rename` replaces atomically; `fsync` makes data and names
//! durable):
//!
//! ```text
//!  1. if config.toml is valid: copy it to config.toml.prev.tmp, fsync, rename to
//!     config.toml.prev                     (the previous good copy)
//!  2. write the new text to config.toml.tmp, fsync
//!  3. rename config.toml.tmp -> config.toml (the switch: old or new, never a mix)
//!  4. fsync the folder                      (the renames survive a power cut)
//! ```
//!
//! A crash before step 3 leaves the old `config.toml`; after it, the new one.
//! At boot ([`Store::boot`]): `config.toml` if it reads and validates, else
//! `config.toml.prev`, else the factory defaults; each fallback is reported in
//! [`Boot::notes`] for the console and the log.
//!
//! Test hook (only in a build with the `test-hooks` cargo feature, which the
//! end-to-end tests enable; a product build never reads the variable): with
//! `GATEWAY_TEST_SAVE_PAUSE_MS=N` in the environment, a save pauses N ms
//! between its steps and in the middle of writing the data, so a test can see
//! each step's files and kill the process there (`tests/tests/config_power_loss.rs`).

pub mod private_file;
pub mod unit_secret;

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::{self, Config};

/// Where the configuration booted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The saved configuration.
    Saved,
    /// The previous good copy (the saved one was missing, unreadable or invalid).
    Previous,
    /// The built-in factory defaults.
    Factory,
}

impl Source {
    /// Its name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Source::Saved => "saved",
            Source::Previous => "previous",
            Source::Factory => "factory",
        }
    }
}

/// The configuration a boot found.
#[derive(Debug)]
pub struct Boot {
    /// The configuration.
    pub config: Config,
    /// Its text.
    pub text: String,
    /// Where it came from.
    pub source: Source,
    /// What went wrong on the way, one line each (empty on a clean boot).
    pub notes: Vec<String>,
}

/// A save or erase failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A file operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// The saved configuration and its previous good copy.
#[derive(Debug, Clone)]
pub struct Store {
    primary: PathBuf,
    previous: PathBuf,
    factory: &'static str,
    pause: Option<Duration>,
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl Store {
    /// A store whose saved file is `primary`; `factory` is the text booted when
    /// nothing valid is saved.
    pub fn new(primary: impl Into<PathBuf>, factory: &'static str) -> Store {
        let primary = primary.into();
        #[cfg(feature = "test-hooks")]
        let pause = std::env::var("GATEWAY_TEST_SAVE_PAUSE_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .map(Duration::from_millis);
        #[cfg(not(feature = "test-hooks"))]
        let pause = None;
        Store {
            previous: with_suffix(&primary, ".prev"),
            primary,
            factory,
            pause,
        }
    }

    /// The saved file.
    pub fn path(&self) -> &Path {
        &self.primary
    }

    /// The previous good copy.
    pub fn previous_path(&self) -> &Path {
        &self.previous
    }

    /// The saved configuration's text, if it can be read.
    pub fn saved_text(&self) -> Option<String> {
        fs::read_to_string(&self.primary).ok()
    }

    /// Find the configuration to run: saved, else previous, else factory.
    pub fn boot(&self) -> Boot {
        let mut notes = Vec::new();
        for (path, source) in [
            (&self.primary, Source::Saved),
            (&self.previous, Source::Previous),
        ] {
            match fs::read_to_string(path) {
                Ok(text) => match config::parse(path, &text) {
                    Ok(config) => {
                        if source == Source::Previous {
                            notes.push(format!(
                                "booted the previous good configuration {}",
                                path.display()
                            ));
                        }
                        return Boot {
                            config,
                            text,
                            source,
                            notes,
                        };
                    }
                    Err(e) => {
                        notes.push(format!("{} configuration is invalid: {e}", source.name()))
                    }
                },
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    if source == Source::Saved {
                        notes.push(format!("no saved configuration at {}", path.display()));
                    }
                }
                Err(e) => notes.push(format!(
                    "{} configuration {} cannot be read: {e}",
                    source.name(),
                    path.display()
                )),
            }
        }
        notes.push("booted the factory default configuration".into());
        // Parsed as if saved in the store, so a relative records path stays
        // inside it.
        let config = config::parse(&self.primary, self.factory)
            .unwrap_or_else(|e| panic!("the built-in factory configuration is invalid: {e}"));
        Boot {
            config,
            text: self.factory.to_string(),
            source: Source::Factory,
            notes,
        }
    }

    fn pause(&self) {
        if let Some(d) = self.pause {
            std::thread::sleep(d);
        }
    }

    /// Save `text` as the configuration, atomically and durably (see the module
    /// documentation for the steps).
    pub fn save(&self, text: &str) -> Result<(), StoreError> {
        // 1. The previous good copy.
        if let Ok(current) = fs::read_to_string(&self.primary) {
            if config::parse(&self.primary, &current).is_ok() {
                let tmp = with_suffix(&self.previous, ".tmp");
                self.write_synced(&tmp, current.as_bytes())?;
                self.pause();
                fs::rename(&tmp, &self.previous).map_err(io(&self.previous))?;
                self.pause();
            }
        }
        // 2. The new text, durable under a temporary name.
        let tmp = with_suffix(&self.primary, ".tmp");
        self.write_synced(&tmp, text.as_bytes())?;
        self.pause();
        // 3. The switch.
        fs::rename(&tmp, &self.primary).map_err(io(&self.primary))?;
        self.pause();
        // 4. The names.
        self.sync_folder()
    }

    /// Erase the saved configuration and its previous copy: the next boot runs
    /// the factory defaults.
    pub fn factory_reset(&self) -> Result<(), StoreError> {
        for path in [&self.primary, &self.previous] {
            match fs::remove_file(path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(path)(e)),
            }
        }
        self.sync_folder()
    }

    fn write_synced(&self, path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
        // 0600, O_EXCL | O_NOFOLLOW, a stale or planted temporary removed.
        let mut f = private_file::create(path).map_err(io(path))?;
        let half = bytes.len() / 2;
        f.write_all(bytes.get(..half).unwrap_or(&[]))
            .map_err(io(path))?;
        if self.pause.is_some() {
            // Make the torn file visible to a test that kills us now.
            f.flush().map_err(io(path))?;
            self.pause();
        }
        f.write_all(bytes.get(half..).unwrap_or(&[]))
            .map_err(io(path))?;
        f.sync_all().map_err(io(path))
    }

    fn sync_folder(&self) -> Result<(), StoreError> {
        let folder = match self.primary.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        File::open(&folder)
            .and_then(|f| f.sync_all())
            .map_err(io(&folder))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FACTORY: &str = include_str!("../../../config/demo.toml");

    struct TempDir(PathBuf);
    impl TempDir {
        fn new(name: &str) -> TempDir {
            let p = std::env::temp_dir().join(format!("store-{name}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&p);
            fs::create_dir_all(&p).unwrap();
            TempDir(p)
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn with_ani(ani: &str) -> String {
        FACTORY.replace("ani = \"4155550101\"", &format!("ani = \"{ani}\""))
    }

    #[test]
    fn save_keeps_the_previous_good_copy() {
        let dir = TempDir::new("prev");
        let store = Store::new(dir.0.join("config.toml"), FACTORY);
        let first = store.boot();
        assert_eq!(first.source, Source::Factory);
        assert!(first
            .notes
            .iter()
            .any(|n| n.contains("no saved configuration")));
        store.save(&with_ani("1111")).unwrap();
        store.save(&with_ani("2222")).unwrap();
        let boot = store.boot();
        assert_eq!((boot.source, boot.notes.len()), (Source::Saved, 0));
        assert_eq!(boot.config.ports[1].ani, "2222");
        assert_eq!(
            fs::read_to_string(store.previous_path()).unwrap(),
            with_ani("1111")
        );
        assert!(!dir.0.join("config.toml.tmp").exists());
    }

    #[test]
    fn a_corrupt_save_boots_the_previous_then_the_factory() {
        let dir = TempDir::new("corrupt");
        let store = Store::new(dir.0.join("config.toml"), FACTORY);
        store.save(&with_ani("1111")).unwrap();
        store.save(&with_ani("2222")).unwrap();
        fs::write(store.path(), "[[ports]]\nport = \"torn").unwrap();
        let boot = store.boot();
        assert_eq!(boot.source, Source::Previous);
        assert_eq!(boot.config.ports[1].ani, "1111");
        assert!(
            boot.notes[0].starts_with("saved configuration is invalid"),
            "{:?}",
            boot.notes
        );
        // A corrupt file is never copied over the previous good one.
        store.save(&with_ani("3333")).unwrap();
        assert_eq!(
            fs::read_to_string(store.previous_path()).unwrap(),
            with_ani("1111")
        );
        fs::write(store.path(), [0xff, 0xfe, 0x00]).unwrap();
        fs::write(store.previous_path(), "ports = 7").unwrap();
        let boot = store.boot();
        assert_eq!(boot.source, Source::Factory);
        assert_eq!(boot.notes.len(), 3, "{:?}", boot.notes);
        store.factory_reset().unwrap();
        assert!(!store.path().exists() && !store.previous_path().exists());
    }
}
