//! Running the host tools the build drives (`cargo`, `apt-get`, `dpkg-deb`,
//! `sfdisk`, `mke2fs`, `mtools`, `mkimage`, `rauc`, …), with errors that say
//! which command failed and what it printed.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Everything that can stop a build.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A host tool is not installed.
    #[error("`{tool}` is not installed (scripts/setup.sh --cross installs the image tools)")]
    Missing { tool: String },
    /// A host tool ran and failed.
    #[error("`{command}` failed ({status}):\n{output}")]
    Failed {
        command: String,
        status: String,
        output: String,
    },
    /// Reading or writing a file of the build.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The inputs are not what the build expects.
    #[error("{0}")]
    Input(String),
    /// The command line.
    #[error("{0}")]
    Usage(String),
}

/// `Error::Io` for `path`.
pub fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A command line of a host tool, run with [`Tool::run`] or [`Tool::output`].
#[derive(Debug)]
pub struct Tool {
    command: Command,
    text: String,
}

impl Tool {
    pub fn new(program: &str) -> Self {
        let mut command = Command::new(program);
        // Locale-independent messages and sorting; the tools' own clocks fixed
        // where they read one (mke2fs, debugfs, mtools, mkimage).
        command.env("LC_ALL", "C");
        Self {
            command,
            text: program.to_string(),
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        let arg = arg.as_ref();
        self.text.push(' ');
        self.text.push_str(&arg.to_string_lossy());
        self.command.arg(arg);
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(mut self, args: I) -> Self {
        for a in args {
            self = self.arg(a);
        }
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.command.env(key, value);
        self
    }

    pub fn current_dir(mut self, dir: &Path) -> Self {
        self.command.current_dir(dir);
        self
    }

    /// Runs it with the terminal as its output (long steps show their own progress).
    pub fn run_visible(mut self) -> Result<(), Error> {
        let status = self.command.status().map_err(|e| self.spawn_error(e))?;
        if status.success() {
            Ok(())
        } else {
            Err(Error::Failed {
                command: self.text,
                status: status.to_string(),
                output: "(printed above)".into(),
            })
        }
    }

    /// Runs it quietly; its output is shown only if it fails.
    pub fn run(self) -> Result<(), Error> {
        self.output().map(|_| ())
    }

    /// Runs it and returns what it printed on stdout.
    pub fn output(self) -> Result<String, Error> {
        self.output_bytes()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    /// Runs it and returns the bytes it printed on stdout.
    pub fn output_bytes(mut self) -> Result<Vec<u8>, Error> {
        self.command.stdin(Stdio::null());
        let out = self.command.output().map_err(|e| self.spawn_error(e))?;
        if out.status.success() {
            Ok(out.stdout)
        } else {
            let mut output = String::from_utf8_lossy(&out.stdout).into_owned();
            output.push_str(&String::from_utf8_lossy(&out.stderr));
            Err(Error::Failed {
                command: self.text,
                status: out.status.to_string(),
                output,
            })
        }
    }

    fn spawn_error(&self, e: std::io::Error) -> Error {
        let program = self.command.get_program().to_string_lossy().into_owned();
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::Missing { tool: program }
        } else {
            Error::Failed {
                command: self.text.clone(),
                status: "could not start".into(),
                output: e.to_string(),
            }
        }
    }
}
