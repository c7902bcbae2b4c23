//! Firmware updates on the box, through RAUC (docs/IMAGE.md, "Updates").
//!
//! ```text
//!  Idle ──upgrade URL|PATH / POST /api/v1/firmware──▶ Installing
//!    ▲        (download → rauc info: signature      │  rauc install: the
//!    │         checked, nothing written yet)        │  inactive slot, then
//!    │                                              │  primary with 3 attempts
//!  Failed ◀── refused / failed (old slot untouched) ┤
//!                                                   ▼
//!                                     Installed ── SIGTERM to init: reboot
//!                                                  into the new slot (trial)
//! ```
//! After the reboot the gateway marks its slot good (`rauc status mark-good`)
//! once it is healthy; until then every boot spends one of U-Boot's attempts
//! and, with none left, U-Boot boots the old slot.
//!
//! Only with `gateway --rauc` (the box's init passes it): on a development
//! machine the commands say so and nothing runs.

pub mod api;
pub mod rauc;

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use tracing::{info, warn};

pub use rauc::{SlotView, Status};

/// Where the updater is, as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Progress {
    Idle,
    /// Working on `source`; `step` is the last thing it said.
    Installing {
        source: String,
        step: String,
    },
    /// Installed; the box reboots into it.
    Installed {
        source: String,
        version: String,
    },
    /// Refused or failed; nothing changed on the running slot.
    Failed {
        source: String,
        message: String,
    },
}

/// Errors of the firmware commands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FirmwareError {
    #[error("firmware updates run on the box (gateway --rauc); this gateway does not manage its firmware")]
    NotOnTheBox,
    #[error("an update is already running ({0})")]
    Busy(String),
    #[error("{0}")]
    Rauc(String),
    #[error("{0}: {1}")]
    Io(String, String),
}

/// The updater's handle (cheap to clone; the console and the API share it).
#[derive(Debug, Clone)]
pub struct Firmware {
    enabled: bool,
    progress: Arc<Mutex<Progress>>,
    /// RAUC's last status, read on a thread (`rauc status` takes a second or
    /// more on a slow box: never on the runtime's loop).
    last_status: Arc<Mutex<Option<Result<Status, FirmwareError>>>>,
}

/// How an install tells who started it what happens.
pub type Report = Box<dyn Fn(&str) + Send>;

impl Firmware {
    /// `enabled`: this gateway runs on the box under RAUC (`--rauc`).
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            progress: Arc::new(Mutex::new(Progress::Idle)),
            last_status: Arc::new(Mutex::new(None)),
        }
    }

    /// The slots as last read (`None` before the first reading), and a new
    /// reading started on a thread for next time. For the console, which must
    /// not wait on RAUC.
    pub fn cached_status(&self) -> Option<Result<Status, FirmwareError>> {
        let last = self.last_status.lock().ok().and_then(|s| s.clone());
        self.refresh();
        last
    }

    /// Reads RAUC's status on a thread into the cache.
    pub fn refresh(&self) {
        if !self.enabled {
            return;
        }
        let this = self.clone();
        let _ = std::thread::Builder::new()
            .name("rauc-status".into())
            .spawn(move || this.store_status());
    }

    fn store_status(&self) {
        let status = self.status();
        if let Ok(mut slot) = self.last_status.lock() {
            *slot = Some(status);
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    pub fn progress(&self) -> Progress {
        self.progress
            .lock()
            .map(|p| p.clone())
            .unwrap_or(Progress::Idle)
    }

    /// The slots, from `rauc status`.
    pub fn status(&self) -> Result<Status, FirmwareError> {
        if !self.enabled {
            return Err(FirmwareError::NotOnTheBox);
        }
        let out = run(Command::new("rauc").args(["status", "--detailed", "--output-format=json"]))?;
        rauc::parse_status(&out).map_err(|e| FirmwareError::Rauc(e.to_string()))
    }

    /// Marks the running slot good, on a thread of its own (RAUC answers over
    /// D-Bus). The runtime calls this once the gateway is healthy: SIP bound,
    /// the line card up, the console up.
    pub fn mark_good(&self) {
        if !self.enabled {
            return;
        }
        let spawned = std::thread::Builder::new()
            .name("mark-good".into())
            .spawn(
                || match run(Command::new("rauc").args(["status", "mark-good"])) {
                    Ok(out) => info!(rauc = out.trim(), "healthy: this slot is marked good"),
                    Err(e) => warn!(error = %e, "could not mark this slot good"),
                },
            );
        if let Err(e) = spawned {
            warn!(error = %e, "could not mark this slot good");
        }
    }

    /// Starts installing `source` (an `http://` URL or a path on the box) on
    /// a thread; `report` hears every step. `Err` when it cannot start.
    pub fn install(&self, source: &str, report: Report) -> Result<(), FirmwareError> {
        if !self.enabled {
            return Err(FirmwareError::NotOnTheBox);
        }
        self.begin(source)?;
        let this = self.clone();
        let source = source.to_string();
        std::thread::Builder::new()
            .name("firmware".into())
            .spawn(move || this.run_install(&source, &report))
            .map(|_| ())
            .map_err(|e| FirmwareError::Io("firmware thread".into(), e.to_string()))
    }

    /// Checks a bundle already on the box (an upload) before anything is
    /// written, then installs it on a thread: a refused bundle is an `Err` here.
    pub fn install_upload(&self, bundle: &Path, report: Report) -> Result<String, FirmwareError> {
        let source = bundle.display().to_string();
        self.begin(&source)?;
        let checked = verify(bundle);
        let version = match checked {
            Ok(v) => v,
            Err(e) => {
                let _ = std::fs::remove_file(bundle);
                self.set(Progress::Failed {
                    source,
                    message: e.to_string(),
                });
                return Err(e);
            }
        };
        let this = self.clone();
        let path = bundle.to_path_buf();
        std::thread::Builder::new()
            .name("firmware".into())
            .spawn(move || this.write_and_reboot(&source, &path, &report, true))
            .map_err(|e| FirmwareError::Io("firmware thread".into(), e.to_string()))?;
        Ok(version)
    }

    fn begin(&self, source: &str) -> Result<(), FirmwareError> {
        let mut p = self
            .progress
            .lock()
            .map_err(|_| FirmwareError::Busy("state lost".into()))?;
        if let Progress::Installing { source, .. } | Progress::Installed { source, .. } = &*p {
            return Err(FirmwareError::Busy(source.clone()));
        }
        *p = Progress::Installing {
            source: source.to_string(),
            step: "starting".into(),
        };
        Ok(())
    }

    fn set(&self, p: Progress) {
        if let Ok(mut slot) = self.progress.lock() {
            *slot = p;
        }
    }

    fn step(&self, source: &str, report: &Report, text: &str) {
        info!(source, "firmware: {text}");
        report(text);
        self.set(Progress::Installing {
            source: source.to_string(),
            step: text.to_string(),
        });
    }

    fn fail(&self, source: &str, report: &Report, message: String) {
        warn!(source, "firmware: {message}");
        report(&format!(
            "upgrade refused or failed: {message}; the running slot is untouched"
        ));
        self.set(Progress::Failed {
            source: source.to_string(),
            message,
        });
    }

    fn run_install(&self, source: &str, report: &Report) {
        let (path, downloaded) = if source.starts_with("http://") || source.starts_with("https://")
        {
            let path = std::env::temp_dir().join("gateway-update.raucb");
            self.step(source, report, &format!("downloading {source}"));
            let fetched = run(Command::new("wget")
                .arg("-q")
                .arg("-O")
                .arg(&path)
                .arg(source));
            if let Err(e) = fetched {
                let _ = std::fs::remove_file(&path);
                self.fail(source, report, format!("download failed: {e}"));
                return;
            }
            (path, true)
        } else {
            (PathBuf::from(source), false)
        };
        self.step(
            source,
            report,
            "checking the bundle's signature and compatibility",
        );
        match verify(&path) {
            Ok(v) => self.step(source, report, &format!("verified: version {v}")),
            Err(e) => {
                if downloaded {
                    let _ = std::fs::remove_file(&path);
                }
                self.fail(source, report, e.to_string());
                return;
            }
        }
        self.write_and_reboot(source, &path, report, downloaded);
    }

    fn write_and_reboot(&self, source: &str, bundle: &Path, report: &Report, remove: bool) {
        self.step(source, report, "installing into the inactive slot");
        let result = install_streaming(bundle, |line| self.step(source, report, line));
        if remove {
            let _ = std::fs::remove_file(bundle);
        }
        match result {
            Ok(()) => {
                let version = match verify_version_after_install(self) {
                    Some(v) => v,
                    None => "?".into(),
                };
                report("installed; rebooting into the new slot for a trial boot");
                info!(source, "firmware installed; rebooting");
                self.set(Progress::Installed {
                    source: source.to_string(),
                    version,
                });
                reboot();
            }
            Err(e) => self.fail(source, report, e.to_string()),
        }
    }
}

fn verify_version_after_install(fw: &Firmware) -> Option<String> {
    let status = fw.status().ok()?;
    let primary = status.boot_primary.clone()?;
    status
        .slots
        .into_iter()
        .find(|s| s.name == primary)
        .and_then(|s| s.version)
}

/// `rauc info`: the signature against the keyring, the bundle's compatible
/// string against the box's. Writes nothing. The bundle's version if good.
fn verify(bundle: &Path) -> Result<String, FirmwareError> {
    let out = run(Command::new("rauc")
        .arg("info")
        .arg("--output-format=json")
        .arg(bundle))?;
    let v: serde_json::Value = serde_json::from_str(&out).map_err(|e| {
        FirmwareError::Rauc(format!("rauc info said something else than JSON: {e}"))
    })?;
    Ok(v.get("version")
        .and_then(|v| v.as_str())
        .unwrap_or("?")
        .to_string())
}

/// `rauc install`, its progress lines passed to `step` as they come.
fn install_streaming(bundle: &Path, mut step: impl FnMut(&str)) -> Result<(), FirmwareError> {
    let mut child = Command::new("rauc")
        .arg("install")
        .arg(bundle)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| FirmwareError::Io("rauc install".into(), e.to_string()))?;
    let mut said = String::new();
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let line = line.trim();
            if !line.is_empty() {
                step(line);
                said.push_str(line);
                said.push('\n');
            }
        }
    }
    if let Some(mut err) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut err, &mut said);
    }
    let status = child
        .wait()
        .map_err(|e| FirmwareError::Io("rauc install".into(), e.to_string()))?;
    if status.success() {
        Ok(())
    } else {
        Err(FirmwareError::Rauc(rauc::failure(&said)))
    }
}

fn run(cmd: &mut Command) -> Result<String, FirmwareError> {
    let what = format!("{:?}", cmd.get_program());
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| FirmwareError::Io(what.clone(), e.to_string()))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        Err(FirmwareError::Rauc(rauc::failure(&text)))
    }
}

/// Asks the box's init to reboot (it stops the gateway, syncs, unmounts).
fn reboot() {
    use nix::sys::signal::{kill, Signal};
    use nix::unistd::Pid;
    if let Err(e) = kill(Pid::from_raw(1), Signal::SIGTERM) {
        warn!(error = %e, "could not ask init to reboot");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_the_box_nothing_runs() {
        let fw = Firmware::new(false);
        assert_eq!(
            fw.install("http://192.0.2.1/u.raucb", Box::new(|_| {})),
            Err(FirmwareError::NotOnTheBox)
        );
        assert_eq!(fw.status(), Err(FirmwareError::NotOnTheBox));
        assert_eq!(fw.progress(), Progress::Idle);
    }

    #[test]
    fn one_update_at_a_time_and_a_failed_one_can_be_retried() {
        let fw = Firmware::new(true);
        fw.begin("first").unwrap();
        assert_eq!(fw.begin("second"), Err(FirmwareError::Busy("first".into())));
        let quiet: Report = Box::new(|_: &str| {});
        fw.fail("first", &quiet, "refused".into());
        assert_eq!(
            fw.progress(),
            Progress::Failed {
                source: "first".into(),
                message: "refused".into()
            }
        );
        assert!(fw.begin("second").is_ok());
    }

    #[test]
    fn progress_serialises_with_its_state() {
        let p = Progress::Installing {
            source: "s".into(),
            step: "verified: version 2".into(),
        };
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"state":"installing","source":"s","step":"verified: version 2"}"#
        );
    }
}
