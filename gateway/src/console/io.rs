//! The console's I/O: the transports (a serial device — the box's UART, or a
//! pty standing in for one — or stdio for development) and the [`Console`]
//! driver the runtime's loop calls.
//!
//! ```text
//!  reader thread ─ bytes ─┐                            ┌─▶ writer thread ─▶ terminal
//!  ticker thread ─ 1 s ───┼─▶ channel ─▶ runtime loop ─▶ Console ─▶ Session (sans-IO)
//!  worker thread ─ done ──┤                            └─▶ worker thread: password
//!  log ring ─ new line ───┘                                checks, saves
//! ```
//!
//! Log lines reach the terminal only through the session (`terminal monitor`,
//! `show log`): with the console on stdio, `main` keeps the log off a terminal
//! stderr, so nothing writes over the prompt.
//!
//! The loop never blocks on the console: the terminal is written by its own
//! thread (a 115200-baud line takes a third of a second for a screenful), and
//! the slow work (an Argon2 check, a save with its `fsync`s) runs on a worker.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use board::identity::BoardDescription;
use tokio::sync::mpsc;
use tracing::{info, warn};

use super::log_ring::LogRing;
use super::session::{Action, Session, Setup};
use super::{password, Backend};
use crate::config::Config;
use crate::store::Store;

/// How the gateway should end, as asked on the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Stop.
    Shutdown,
    /// Start again (see `main`: the binary re-executes itself).
    Reboot,
}

/// What `main` hands the runtime for the console: how the configuration
/// booted, where it is saved, the log ring, and the slot for the exit request.
#[derive(Debug, Clone, Default)]
pub struct Appliance {
    /// The running configuration's text.
    pub running_text: Option<String>,
    /// Where `save` writes.
    pub store: Option<Store>,
    /// How the configuration booted (fallbacks), for the console's banner.
    pub notes: Vec<String>,
    /// Recent log lines.
    pub log: LogRing,
    /// Set when the console asks to stop or restart.
    pub exit: Arc<Mutex<Option<Exit>>>,
}

impl Appliance {
    /// Erase the saved configuration (and its previous copy) and ask for a
    /// restart: the next boot runs the factory defaults. The console's
    /// `factory-reset` and the reset button's long press both come here.
    pub fn factory_reset(&self) {
        if let Some(store) = &self.store {
            match store.factory_reset() {
                Ok(()) => warn!("factory reset: saved configuration erased"),
                Err(e) => warn!(error = %e, "factory reset failed"),
            }
        }
        self.request_exit(Exit::Reboot);
    }

    /// Ask the gateway to stop or restart once its loop ends.
    pub fn request_exit(&self, how: Exit) {
        if let Ok(mut slot) = self.exit.lock() {
            *slot = Some(how);
        }
    }
}

/// An input for the console driver.
#[derive(Debug)]
pub enum Input {
    /// Bytes typed.
    Bytes(Vec<u8>),
    /// A second passed.
    Tick,
    /// A password check finished.
    Verified(bool),
    /// A save finished: the text and where it went, or why it failed.
    Saved(String, Result<String, String>),
    /// Lines were added to the log ring.
    Log,
    /// A line from work running elsewhere (a firmware update's progress).
    Report(String),
}

/// Sends lines to the console from other threads: shown above the prompt.
#[derive(Debug, Clone)]
pub struct Reporter(mpsc::Sender<Input>);

impl Reporter {
    /// A callback for a thread that is not the runtime's (it blocks while the
    /// console's queue is full).
    pub fn boxed(&self) -> Box<dyn Fn(&str) + Send> {
        let tx = self.0.clone();
        Box::new(move |text| {
            let _ = tx.blocking_send(Input::Report(text.to_string()));
        })
    }
}

enum Job {
    Verify {
        password: String,
        hash: Option<String>,
    },
    Save(String),
}

enum Out {
    Bytes(Vec<u8>),
    Flush(std::sync::mpsc::Sender<()>),
}

/// Whether the loop goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Keep running.
    Continue,
    /// Stop the gateway (the exit request says how).
    Stop,
}

/// The console driver: one session on one transport.
#[derive(Debug)]
pub struct Console {
    session: Option<Session>,
    inputs: mpsc::Receiver<Input>,
    // Kept so `recv` pends forever when there is no transport.
    _input_tx: mpsc::Sender<Input>,
    output: Option<std::sync::mpsc::Sender<Out>>,
    jobs: Option<std::sync::mpsc::Sender<Job>>,
    appliance: Appliance,
    restore: Option<StdinMode>,
    /// The serial line, to release its exclusive open when the console ends
    /// (the threads that own the other handles end only with the process, and
    /// a restart re-executes while they still hold it).
    serial: Option<serialport::TTYPort>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Job")
    }
}

impl std::fmt::Debug for Out {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Out")
    }
}

impl Console {
    /// Start the console on `device` (`stdio`, `none` or a serial device path).
    pub fn start(
        now: Instant,
        device: &str,
        baud: u32,
        config: Arc<Config>,
        appliance: Appliance,
    ) -> anyhow::Result<Console> {
        let (input_tx, inputs) = mpsc::channel::<Input>(64);
        let mut console = Console {
            session: None,
            inputs,
            _input_tx: input_tx.clone(),
            output: None,
            jobs: None,
            appliance,
            restore: None,
            serial: None,
        };
        if device == "none" {
            return Ok(console);
        }
        let (reader, writer): (Box<dyn Read + Send>, Box<dyn Write + Send>) = match device {
            "stdio" => {
                console.restore = StdinMode::raw();
                (Box::new(std::io::stdin()), Box::new(std::io::stdout()))
            }
            path => {
                let port = serialport::new(path, baud)
                    .timeout(Duration::from_millis(200))
                    .open_native()
                    .with_context(|| format!("cannot open console device {path}"))?;
                let clone = || {
                    port.try_clone_native()
                        .with_context(|| format!("cannot open console device {path}"))
                };
                let writer = clone()?;
                console.serial = Some(clone()?);
                info!(device = path, baud, "console on serial device");
                (Box::new(port), Box::new(writer))
            }
        };
        spawn_reader(reader, input_tx.clone())?;
        console.output = Some(spawn_writer(writer)?);
        console.jobs = Some(spawn_worker(
            console.appliance.store.clone(),
            input_tx.clone(),
        )?);
        spawn_ticker(input_tx)?;
        let store = console.appliance.store.as_ref();
        let setup = Setup {
            running_text: console.appliance.running_text.clone(),
            config,
            saved_text: store.and_then(Store::saved_text),
            save_target: store.map(|s| s.path().display().to_string()),
            notes: console.appliance.notes.clone(),
            board: BoardDescription::simulated(),
            log: console.appliance.log.clone(),
            // A serial line has a terminal at its far end; stdio only when it
            // is a terminal (a pipe would never answer).
            ask_width: device != "stdio" || console.restore.is_some(),
        };
        console.session = Some(Session::new(now, setup));
        console.flush_output();
        Ok(console)
    }

    /// Show `text` at once, above the prompt (a port test's result that the
    /// runtime took from the core).
    pub fn report(&mut self, text: &str) {
        if let Some(session) = self.session.as_mut() {
            session.handle_report(text);
        }
        self.flush_output();
    }

    /// Where other threads send lines to show.
    pub fn reporter(&self) -> Reporter {
        Reporter(self._input_tx.clone())
    }

    /// The next input (pends forever without a transport).
    pub async fn recv(&mut self) -> Option<Input> {
        // Log lines wake the loop only for a session that shows them.
        let log = self.appliance.log.clone();
        let monitoring = self.session.as_ref().is_some_and(Session::monitoring);
        tokio::select! {
            input = self.inputs.recv() => input,
            () = log.changed(), if monitoring => Some(Input::Log),
        }
    }

    /// Handle one input; `Stop` ends the runtime's loop.
    pub fn handle(&mut self, now: Instant, input: Input, backend: &mut dyn Backend) -> Flow {
        let Some(session) = self.session.as_mut() else {
            return Flow::Continue;
        };
        match input {
            Input::Bytes(bytes) => session.handle_input(now, &bytes, backend),
            Input::Tick => {
                if session.poll_timeout().is_some_and(|t| now >= t) {
                    session.handle_timeout(now);
                }
            }
            Input::Verified(ok) => {
                session.handle_verified(now, ok);
                session.handle_input(now, &[], backend);
                session.handle_log();
            }
            Input::Saved(text, result) => {
                session.handle_saved(&text, result);
                session.handle_input(now, &[], backend);
                session.handle_log();
            }
            Input::Log => session.handle_log(),
            Input::Report(text) => session.handle_report(&text),
        }
        let mut flow = Flow::Continue;
        while let Some(action) = self.session.as_mut().and_then(Session::poll_action) {
            match action {
                Action::VerifyPassword { password, hash, .. } => {
                    self.job(Job::Verify { password, hash });
                }
                Action::Save { text } => self.job(Job::Save(text)),
                Action::Reboot => {
                    flow = self.exit(Exit::Reboot);
                }
                Action::FactoryReset => {
                    self.appliance.factory_reset();
                    flow = Flow::Stop;
                }
                Action::Shutdown => flow = self.exit(Exit::Shutdown),
            }
        }
        self.flush_output();
        if flow == Flow::Stop {
            self.drain_terminal();
        }
        flow
    }

    fn exit(&mut self, how: Exit) -> Flow {
        self.appliance.request_exit(how);
        Flow::Stop
    }

    fn job(&mut self, job: Job) {
        let sent = self.jobs.as_ref().is_some_and(|j| j.send(job).is_ok());
        if !sent {
            warn!("console worker is gone");
        }
    }

    fn flush_output(&mut self) {
        let Some(session) = self.session.as_mut() else {
            return;
        };
        while let Some(bytes) = session.poll_output() {
            if let Some(out) = &self.output {
                let _ = out.send(Out::Bytes(bytes));
            }
        }
    }

    /// Wait (a bounded time) until the writer has sent everything: the last
    /// words before a restart must reach the terminal.
    fn drain_terminal(&self) {
        if let Some(out) = &self.output {
            let (tx, rx) = std::sync::mpsc::channel();
            if out.send(Out::Flush(tx)).is_ok() {
                let _ = rx.recv_timeout(Duration::from_secs(2));
            }
        }
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        if let Some(mode) = self.restore.take() {
            mode.restore();
        }
        if let Some(port) = self.serial.as_mut() {
            let _ = port.set_exclusive(false);
        }
    }
}

fn thread_error(e: std::io::Error) -> anyhow::Error {
    anyhow::anyhow!("cannot start a console thread: {e}")
}

fn spawn_reader(mut reader: Box<dyn Read + Send>, tx: mpsc::Sender<Input>) -> anyhow::Result<()> {
    std::thread::Builder::new()
        .name("console-read".into())
        .spawn(move || {
            let mut buf = [0u8; 256];
            loop {
                let n = match reader.read(&mut buf) {
                    Ok(0) => {
                        // stdin closed (a pipe); a serial port never reads 0.
                        std::thread::sleep(Duration::from_millis(200));
                        continue;
                    }
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::TimedOut => continue,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        warn!(error = %e, "console device failed");
                        std::thread::sleep(Duration::from_millis(500));
                        continue;
                    }
                };
                let bytes = buf.get(..n).unwrap_or(&[]).to_vec();
                if tx.blocking_send(Input::Bytes(bytes)).is_err() {
                    return;
                }
            }
        })
        .map(|_| ())
        .map_err(thread_error)
}

fn spawn_writer(mut writer: Box<dyn Write + Send>) -> anyhow::Result<std::sync::mpsc::Sender<Out>> {
    let (tx, rx) = std::sync::mpsc::channel::<Out>();
    std::thread::Builder::new()
        .name("console-write".into())
        .spawn(move || {
            for out in rx {
                match out {
                    Out::Bytes(bytes) => {
                        let _ = writer.write_all(&bytes);
                        let _ = writer.flush();
                    }
                    Out::Flush(done) => {
                        let _ = writer.flush();
                        let _ = done.send(());
                    }
                }
            }
        })
        .map_err(thread_error)?;
    Ok(tx)
}

fn spawn_worker(
    store: Option<Store>,
    tx: mpsc::Sender<Input>,
) -> anyhow::Result<std::sync::mpsc::Sender<Job>> {
    let (jobs, rx) = std::sync::mpsc::channel::<Job>();
    std::thread::Builder::new()
        .name("console-work".into())
        .spawn(move || {
            for job in rx {
                let input = match job {
                    Job::Verify { password, hash } => {
                        Input::Verified(password::verify(&password, hash.as_deref()))
                    }
                    Job::Save(text) => {
                        let result = match &store {
                            Some(s) => s
                                .save(&text)
                                .map(|()| s.path().display().to_string())
                                .map_err(|e| e.to_string()),
                            None => Err("no store".into()),
                        };
                        Input::Saved(text, result)
                    }
                };
                if tx.blocking_send(input).is_err() {
                    return;
                }
            }
        })
        .map_err(thread_error)?;
    Ok(jobs)
}

fn spawn_ticker(tx: mpsc::Sender<Input>) -> anyhow::Result<()> {
    std::thread::Builder::new()
        .name("console-tick".into())
        .spawn(move || loop {
            std::thread::sleep(Duration::from_secs(1));
            if tx.blocking_send(Input::Tick).is_err() {
                return;
            }
        })
        .map(|_| ())
        .map_err(thread_error)
}

/// A terminal on stdin switched to character mode (no line buffering, no local
/// echo: the session edits and echoes), restored when the console ends.
#[derive(Debug)]
struct StdinMode(nix::sys::termios::Termios);

impl StdinMode {
    /// `None` when stdin is not a terminal (a pipe: bytes arrive as they are).
    fn raw() -> Option<StdinMode> {
        use nix::sys::termios::{tcgetattr, tcsetattr, LocalFlags, SetArg};
        let stdin = std::io::stdin();
        let saved = tcgetattr(&stdin).ok()?;
        let mut raw = saved.clone();
        raw.local_flags
            .remove(LocalFlags::ICANON | LocalFlags::ECHO);
        tcsetattr(&stdin, SetArg::TCSANOW, &raw).ok()?;
        Some(StdinMode(saved))
    }

    fn restore(self) {
        let _ = nix::sys::termios::tcsetattr(
            std::io::stdin(),
            nix::sys::termios::SetArg::TCSANOW,
            &self.0,
        );
    }
}
