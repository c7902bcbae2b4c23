//! [`LinuxWatchdog`]: the kernel watchdog character device.
//!
//! Reference: the kernel's `Documentation/watchdog/watchdog-api.rst` and
//! `include/uapi/linux/watchdog.h`. Opening the device starts the watchdog; each
//! `WDIOC_KEEPALIVE` (or any write) restarts the countdown; writing `V` right before
//! closing stops it if the driver supports `WDIOF_MAGICCLOSE` and was not built with
//! `nowayout`.
//!
//! This is the only module of the crate with `unsafe`: the `nix` ioctl macros generate
//! `unsafe fn`s, because the kernel writes through the pointer they pass. Each call
//! below says why it is sound.

#![allow(unsafe_code)]

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use nix::libc::c_int;

use super::{Watchdog, WatchdogError, WatchdogTimeout};

/// `struct watchdog_info` from `include/uapi/linux/watchdog.h`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
struct RawWatchdogInfo {
    options: u32,
    firmware_version: u32,
    identity: [u8; 32],
}

/// The kernel's ioctls, `_IOR('W', n, …)` / `_IOWR('W', n, …)` as in `watchdog.h`.
mod ioctl {
    use super::RawWatchdogInfo;
    use nix::libc::c_int;

    nix::ioctl_read!(wdioc_getsupport, b'W', 0, RawWatchdogInfo);
    nix::ioctl_read!(wdioc_getbootstatus, b'W', 2, c_int);
    // The kernel declares KEEPALIVE as `_IOR(…, int)` but ignores the argument.
    nix::ioctl_read!(wdioc_keepalive, b'W', 5, c_int);
    nix::ioctl_readwrite!(wdioc_settimeout, b'W', 6, c_int);
    nix::ioctl_read!(wdioc_gettimeout, b'W', 7, c_int);
}

/// `WDIOF_*` option and status bits (`watchdog.h`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WatchdogOptions(pub u32);

impl WatchdogOptions {
    /// The last reboot was caused by the watchdog.
    pub const CARD_RESET: u32 = 0x0020;
    /// `WDIOC_SETTIMEOUT` is supported.
    pub const SET_TIMEOUT: u32 = 0x0080;
    /// The driver honours the magic close character.
    pub const MAGIC_CLOSE: u32 = 0x0100;
    /// `WDIOC_KEEPALIVE` is supported.
    pub const KEEPALIVE_PING: u32 = 0x8000;

    /// Whether every bit of `flag` is set.
    pub fn contains(self, flag: u32) -> bool {
        self.0 & flag == flag
    }
}

/// What `WDIOC_GETSUPPORT` reports about the driver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchdogSupport {
    /// The driver's name, e.g. `Software Watchdog` (softdog) or `i6300ESB timer`.
    pub identity: String,
    /// Driver firmware version (0 for most).
    pub firmware_version: u32,
    /// Supported `WDIOF_*` options.
    pub options: WatchdogOptions,
}

/// A kernel watchdog device, opened (and therefore started).
#[derive(Debug)]
pub struct LinuxWatchdog {
    path: PathBuf,
    file: File,
}

impl LinuxWatchdog {
    /// Open (and so start) the watchdog at `path`, usually [`super::DEFAULT_DEVICE`].
    pub fn open(path: impl AsRef<Path>) -> Result<Self, WatchdogError> {
        let path = path.as_ref().to_path_buf();
        // Write-only, as the kernel's own example does; std sets O_CLOEXEC so a
        // spawned helper does not inherit (and keep alive) the watchdog.
        match OpenOptions::new().write(true).open(&path) {
            Ok(file) => Ok(Self { path, file }),
            Err(source) => Err(WatchdogError::Open { path, source }),
        }
    }

    /// The device path this watchdog was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The driver's identity and options (`WDIOC_GETSUPPORT`).
    pub fn support(&self) -> Result<WatchdogSupport, WatchdogError> {
        let mut raw = RawWatchdogInfo {
            options: 0,
            firmware_version: 0,
            identity: [0; 32],
        };
        // SAFETY: the fd is open for the lifetime of `self.file`, and `raw` is a
        // properly aligned, writable `struct watchdog_info` that outlives the call;
        // the kernel writes at most `size_of::<RawWatchdogInfo>()` bytes into it.
        unsafe { ioctl::wdioc_getsupport(self.file.as_raw_fd(), &mut raw) }
            .map_err(|errno| self.ioctl_error("WDIOC_GETSUPPORT", errno))?;
        let name_len = raw
            .identity
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(raw.identity.len());
        Ok(WatchdogSupport {
            identity: String::from_utf8_lossy(&raw.identity[..name_len]).into_owned(),
            firmware_version: raw.firmware_version,
            options: WatchdogOptions(raw.options),
        })
    }

    /// The current timeout (`WDIOC_GETTIMEOUT`).
    pub fn timeout(&self) -> Result<WatchdogTimeout, WatchdogError> {
        let mut secs: c_int = 0;
        // SAFETY: fd open for the lifetime of `self.file`; `secs` is a writable,
        // aligned `int` that outlives the call, the type the kernel writes.
        unsafe { ioctl::wdioc_gettimeout(self.file.as_raw_fd(), &mut secs) }
            .map_err(|errno| self.ioctl_error("WDIOC_GETTIMEOUT", errno))?;
        Ok(WatchdogTimeout::from_secs(u32::try_from(secs).unwrap_or(0)))
    }

    /// Why the box last booted (`WDIOC_GETBOOTSTATUS`): check
    /// [`WatchdogOptions::CARD_RESET`] to see whether the watchdog reset it.
    pub fn boot_status(&self) -> Result<WatchdogOptions, WatchdogError> {
        let mut status: c_int = 0;
        // SAFETY: fd open for the lifetime of `self.file`; `status` is a writable,
        // aligned `int` that outlives the call, the type the kernel writes.
        unsafe { ioctl::wdioc_getbootstatus(self.file.as_raw_fd(), &mut status) }
            .map_err(|errno| self.ioctl_error("WDIOC_GETBOOTSTATUS", errno))?;
        // The kernel hands back the WDIOF_* bit pattern in an int.
        Ok(WatchdogOptions(u32::from_ne_bytes(status.to_ne_bytes())))
    }

    fn ioctl_error(&self, request: &'static str, errno: nix::errno::Errno) -> WatchdogError {
        WatchdogError::Ioctl {
            path: self.path.clone(),
            request,
            errno,
        }
    }
}

impl Watchdog for LinuxWatchdog {
    fn set_timeout(&mut self, timeout: WatchdogTimeout) -> Result<WatchdogTimeout, WatchdogError> {
        let mut secs = match c_int::try_from(timeout.as_secs()) {
            Ok(secs) if secs > 0 => secs,
            _ => return Err(WatchdogError::TimeoutOutOfRange { requested: timeout }),
        };
        // SAFETY: fd open for the lifetime of `self.file`; `secs` is a readable and
        // writable, aligned `int` that outlives the call; the kernel reads the
        // requested timeout from it and writes back the one it set.
        unsafe { ioctl::wdioc_settimeout(self.file.as_raw_fd(), &mut secs) }
            .map_err(|errno| self.ioctl_error("WDIOC_SETTIMEOUT", errno))?;
        // Ask again rather than trust the written-back value: some drivers round
        // without updating the argument.
        self.timeout()
    }

    fn keep_alive(&mut self) -> Result<(), WatchdogError> {
        let mut unused: c_int = 0;
        // SAFETY: fd open for the lifetime of `self.file`; the kernel ignores the
        // argument, which is nevertheless a valid writable `int` outliving the call.
        unsafe { ioctl::wdioc_keepalive(self.file.as_raw_fd(), &mut unused) }
            .map_err(|errno| self.ioctl_error("WDIOC_KEEPALIVE", errno))?;
        Ok(())
    }

    fn close(mut self) -> Result<(), WatchdogError> {
        match self.file.write_all(b"V") {
            // Dropping `self` closes the fd right after the `V`.
            Ok(()) => Ok(()),
            Err(source) => Err(WatchdogError::MagicClose {
                path: self.path.clone(),
                source,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("board-watchdog-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, b"").unwrap();
        path
    }

    /// Real code path: this machine has no watchdog device.
    #[test]
    fn watchdog_linux_error_without_device() {
        let path = Path::new("/nonexistent/watchdog0");
        let err = LinuxWatchdog::open(path).unwrap_err();
        assert!(
            matches!(&err, WatchdogError::Open { path: p, source } if p == path
                && source.kind() == std::io::ErrorKind::NotFound),
            "{err:?}"
        );
        assert!(err.to_string().contains("/nonexistent/watchdog0"), "{err}");
    }

    /// Real code path: the ioctls reach the kernel, which answers ENOTTY for a file
    /// that is not a watchdog, and the error names the device and the request.
    #[test]
    fn watchdog_linux_ioctls_on_regular_file_fail_with_enotty() {
        let path = temp_file("not-a-watchdog");
        let mut dog = LinuxWatchdog::open(&path).unwrap();
        let err = dog.keep_alive().unwrap_err();
        assert!(
            matches!(&err, WatchdogError::Ioctl { request: "WDIOC_KEEPALIVE", errno, .. }
                if *errno == nix::errno::Errno::ENOTTY),
            "{err:?}"
        );
        assert!(err.to_string().contains("not-a-watchdog"), "{err}");
        let err = dog.set_timeout(WatchdogTimeout::from_secs(30)).unwrap_err();
        assert!(matches!(
            err,
            WatchdogError::Ioctl {
                request: "WDIOC_SETTIMEOUT",
                ..
            }
        ));
        assert!(matches!(
            dog.support(),
            Err(WatchdogError::Ioctl {
                request: "WDIOC_GETSUPPORT",
                ..
            })
        ));
        assert!(matches!(
            dog.set_timeout(WatchdogTimeout::from_secs(0)),
            Err(WatchdogError::TimeoutOutOfRange { .. })
        ));
    }

    /// Real code path: the magic close writes exactly one `V`.
    #[test]
    fn watchdog_linux_magic_close_writes_v() {
        let path = temp_file("magic-close");
        LinuxWatchdog::open(&path).unwrap().close().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"V");
    }

    /// Needs a real watchdog (run inside the QEMU image: `modprobe softdog`, or
    /// `-device i6300esb` + `modprobe i6300esb`), then
    /// `BOARD_WATCHDOG_DEVICE=/dev/watchdog cargo test -p board -- --ignored`.
    /// Ends with a magic close, so a passing run does not reset the VM.
    #[test]
    #[ignore = "needs a real /dev/watchdog (softdog or i6300esb under QEMU)"]
    fn watchdog_linux_real_device_round_trip() {
        let path = std::env::var("BOARD_WATCHDOG_DEVICE")
            .unwrap_or_else(|_| super::super::DEFAULT_DEVICE.to_owned());
        let mut dog = LinuxWatchdog::open(&path).unwrap();
        let support = dog.support().unwrap();
        assert!(!support.identity.is_empty());
        assert!(support.options.contains(WatchdogOptions::SET_TIMEOUT));
        let set = dog.set_timeout(WatchdogTimeout::from_secs(30)).unwrap();
        assert_eq!(set, dog.timeout().unwrap());
        dog.keep_alive().unwrap();
        dog.boot_status().unwrap();
        dog.close().unwrap();
    }
}
