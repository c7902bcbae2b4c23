//! Configuration errors that name the file, line and key.

use std::fmt;
use std::path::PathBuf;

/// A fault in the configuration file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: cannot read configuration: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML, or a value has the wrong type or is unknown.
    #[error("{}", Located { path, line: *line, key, message })]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line, when known.
        line: Option<usize>,
        /// Dotted key path, e.g. `ports[2].kind`.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// The values parse but do not make sense together.
    #[error("{}", Located { path, line: *line, key, message })]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line of the key, when it can be found.
        line: Option<usize>,
        /// Dotted key path.
        key: String,
        /// What is wrong.
        message: String,
    },
}

impl ConfigError {
    /// The key at fault (empty when the fault is not one key's) and what is
    /// wrong, without the file and line: the console's one-line error.
    pub fn key_and_message(&self) -> (String, String) {
        match self {
            ConfigError::Read { source, .. } => (String::new(), source.to_string()),
            ConfigError::Syntax { key, message, .. }
            | ConfigError::Invalid { key, message, .. } => (key.clone(), message.clone()),
        }
    }
}

struct Located<'a> {
    path: &'a PathBuf,
    line: Option<usize>,
    key: &'a str,
    message: &'a str,
}

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if !self.key.is_empty() {
            write!(f, ": key `{}`", self.key)?;
        }
        write!(f, ": {}", self.message)
    }
}
