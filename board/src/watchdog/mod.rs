//! Hardware watchdog: the [`Watchdog`] trait, its Linux and simulated implementations,
//! and the sans-IO [`Supervisor`] that decides whether the watchdog may be fed.
//!
//! ```text
//!   media loop ──heartbeat(now)──┐
//!   sip loop   ──heartbeat(now)──┤
//!                                ▼
//!                 Supervisor::poll(now) ──Feed──▶ Watchdog::keep_alive()
//!                                        └─Withhold { stalled } ─▶ (nothing: the
//!                                           hardware resets the box at the timeout)
//! ```
//!
//! Implementations:
//! - [`LinuxWatchdog`]: the kernel watchdog API (`Documentation/watchdog/watchdog-api.rst`)
//!   on `/dev/watchdog` or any `/dev/watchdogN`: `WDIOC_SETTIMEOUT`, `WDIOC_GETTIMEOUT`,
//!   `WDIOC_KEEPALIVE`, `WDIOC_GETSUPPORT`, `WDIOC_GETBOOTSTATUS`, and the "magic close"
//!   (write `V`, then close). Works with `softdog` and `i6300esb`.
//! - [`SimulatedWatchdog`]: a twin on a [`crate::VirtualClock`] that records keep-alives
//!   and says when the real hardware would have reset the box.

mod linux;
mod simulated;
mod supervisor;

pub use linux::{LinuxWatchdog, WatchdogOptions, WatchdogSupport};
pub use simulated::{SimulatedWatchdog, WatchdogObserver};
pub use supervisor::{Component, Decision, Supervisor, SupervisorError};

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// The default watchdog device node.
pub const DEFAULT_DEVICE: &str = "/dev/watchdog";

/// A watchdog timeout, in whole seconds as the kernel API counts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WatchdogTimeout(u32);

impl WatchdogTimeout {
    /// A timeout of `secs` seconds.
    pub const fn from_secs(secs: u32) -> Self {
        Self(secs)
    }

    /// The timeout in seconds.
    pub const fn as_secs(self) -> u32 {
        self.0
    }

    /// The timeout as a [`Duration`].
    pub const fn as_duration(self) -> Duration {
        Duration::from_secs(self.0 as u64)
    }
}

impl fmt::Display for WatchdogTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} s", self.0)
    }
}

/// A hardware watchdog: once started it resets the machine unless fed within its
/// timeout.
///
/// Opening a Linux watchdog device starts it. Dropping an implementation without
/// [`Watchdog::close`] leaves it running (the kernel logs "unexpected close"), so a
/// crashed firmware still gets reset: that is deliberate.
pub trait Watchdog {
    /// Ask for a timeout; returns the timeout the hardware actually uses (drivers round
    /// to what they support).
    fn set_timeout(&mut self, timeout: WatchdogTimeout) -> Result<WatchdogTimeout, WatchdogError>;

    /// Restart the countdown.
    fn keep_alive(&mut self) -> Result<(), WatchdogError>;

    /// Stop the watchdog on purpose (orderly shutdown): the "magic close", writing `V`
    /// before closing. Drivers built with `nowayout` keep running regardless.
    fn close(self) -> Result<(), WatchdogError>
    where
        Self: Sized;
}

/// What went wrong with a watchdog.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WatchdogError {
    /// The device node could not be opened (missing, no permission, already open:
    /// the kernel allows one opener at a time).
    #[error("cannot open watchdog device {path}: {source}")]
    Open {
        /// The device path.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// An ioctl on the device failed (`ENOTTY`: not a watchdog; `EOPNOTSUPP`: the
    /// driver lacks the feature; `EINVAL`: value out of range).
    #[error("watchdog {path}: {request} failed: {errno}")]
    Ioctl {
        /// The device path.
        path: PathBuf,
        /// The ioctl's name, e.g. `WDIOC_SETTIMEOUT`.
        request: &'static str,
        /// The kernel's error number.
        errno: nix::errno::Errno,
    },
    /// Writing the magic close character failed.
    #[error("watchdog {path}: magic close failed: {source}")]
    MagicClose {
        /// The device path.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// A timeout of zero seconds, or one the kernel API cannot carry, was requested.
    #[error("watchdog timeout {requested} is out of range")]
    TimeoutOutOfRange {
        /// The requested timeout.
        requested: WatchdogTimeout,
    },
    /// The simulated watchdog's timeout had already elapsed: real hardware would have
    /// reset the box at `reset_after` of virtual time.
    #[error("simulated watchdog expired: the box would have reset {reset_after:?} after the clock's origin")]
    Expired {
        /// Virtual time since the clock's origin at which the reset would have happened.
        reset_after: Duration,
    },
}
