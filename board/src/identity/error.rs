//! Errors of the board description.

use std::path::PathBuf;

/// A board description file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// The file could not be read.
    #[error("cannot read board description {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The file was read but describes no valid board.
    #[error("board description {path}: {problem}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the key.
        #[source]
        problem: DescriptionError,
    },
}

/// What is wrong inside a board description; every variant but `Syntax` names the
/// key, as a dotted path (`devices.gpio.reset_button.offset`, `ports.kinds[2]`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DescriptionError {
    /// Not TOML.
    #[error("not valid TOML: {message}")]
    Syntax {
        /// The TOML parser's message, with line and column.
        message: String,
    },
    /// A required key is absent.
    #[error("missing key `{key}`")]
    MissingKey {
        /// The key.
        key: String,
    },
    /// A key this format does not define (often a typo).
    #[error("unknown key `{key}`")]
    UnknownKey {
        /// The key.
        key: String,
    },
    /// A key holds the wrong TOML type.
    #[error("`{key}` must be {expected}, found {found}")]
    WrongType {
        /// The key.
        key: String,
        /// The type wanted.
        expected: &'static str,
        /// The type found.
        found: &'static str,
    },
    /// A key holds a value of the right type that is not acceptable.
    #[error("`{key}` = {value}: {reason}")]
    InvalidValue {
        /// The key.
        key: String,
        /// The value, as written in TOML.
        value: String,
        /// Why it is refused.
        reason: String,
    },
}
