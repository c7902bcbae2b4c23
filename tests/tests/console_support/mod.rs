//! Shared by the console and power-loss tests: the gateway started on a
//! configuration store (`--store DIR`), a null-modem cable made of two ptys, and
//! a real terminal program (`picocom`) in a `tmux` pane.

#![allow(dead_code)]

use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use gateway_tests::gateway::{binary, tempdir::Dir};
use gateway_tests::wait_for;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::pty::openpty;
use nix::sys::termios::{self, SetArg};

/// `password` hashed by the gateway's own `--hash-password`.
pub fn hash_password(password: &str) -> String {
    use std::io::Write as _;
    let mut child = Command::new(binary())
        .arg("--hash-password")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("gateway --hash-password");
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "{password}").expect("write password");
    drop(stdin);
    let out = child.wait_with_output().expect("hash");
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_string()
}

/// A gateway on `--store DIR`; killed (by pid) when dropped.
#[derive(Debug)]
pub struct StoredGateway {
    child: Child,
    /// The store folder (also the working folder).
    pub dir: PathBuf,
    status: PathBuf,
}

impl StoredGateway {
    /// Start on the store in `dir` (its `config.toml` written by the caller, or
    /// absent), with extra environment.
    pub fn start(dir: &Path, env: &[(&str, &str)]) -> StoredGateway {
        let status = dir.join("status.json");
        let _ = std::fs::remove_file(&status);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("gateway.log"))
            .expect("log file");
        let mut cmd = Command::new(binary());
        cmd.arg("--store")
            .arg(dir)
            .arg("--status-file")
            .arg(&status)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start gateway");
        let mut gw = StoredGateway {
            child,
            dir: dir.to_path_buf(),
            status,
        };
        gw.wait_started();
        gw
    }

    /// Wait until the status file is written (again, after a restart).
    pub fn wait_started(&mut self) {
        let status = self.status.clone();
        let started = wait_for(Duration::from_secs(20), || {
            if let Ok(Some(code)) = self.child.try_wait() {
                panic!("gateway exited early with {code}:\n{}", self.log());
            }
            std::fs::read_to_string(&status)
                .ok()
                .filter(|t| t.contains("\"pid\""))
        });
        assert!(started.is_some(), "gateway did not start:\n{}", self.log());
    }

    /// Forget the status file, so [`StoredGateway::wait_started`] sees the next one.
    pub fn forget_status(&self) {
        let _ = std::fs::remove_file(&self.status);
    }

    /// Everything logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("gateway.log")).unwrap_or_default()
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL, as a power cut does to the process.
    pub fn kill_9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Whether it still runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for StoredGateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("---- gateway log ----\n{}", self.log());
        }
    }
}

/// What `gateway --store DIR --check` says it would boot: `saved`, `previous`
/// or `factory`, and its notes.
pub fn boot_check(dir: &Path) -> (String, String) {
    let out = Command::new(binary())
        .arg("--store")
        .arg(dir)
        .arg("--check")
        .output()
        .expect("gateway --check");
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let source = stdout
        .lines()
        .find_map(|l| l.strip_prefix("boot: "))
        .unwrap_or("?")
        .to_string();
    (source, String::from_utf8_lossy(&out.stderr).to_string())
}

fn raw_pair() -> (OwnedFd, OwnedFd, PathBuf) {
    let pair = openpty(None, None).expect("openpty");
    let path = nix::unistd::ttyname(&pair.slave).expect("ttyname");
    let mut t = termios::tcgetattr(&pair.slave).expect("tcgetattr");
    termios::cfmakeraw(&mut t);
    termios::tcsetattr(&pair.slave, SetArg::TCSANOW, &t).expect("tcsetattr");
    (pair.master, pair.slave, path)
}

/// Two ptys whose masters are wired together by a thread: the gateway opens
/// one end as its UART, a terminal program the other — a null-modem cable.
#[derive(Debug)]
pub struct NullModem {
    /// The gateway's end.
    pub gateway_end: PathBuf,
    /// The terminal's end.
    pub terminal_end: PathBuf,
    stop: Arc<AtomicBool>,
    // Kept open so each line stays up while a side reopens it.
    _slaves: (OwnedFd, OwnedFd),
}

impl NullModem {
    /// Wire it.
    pub fn new() -> NullModem {
        let (ma, sa, pa) = raw_pair();
        let (mb, sb, pb) = raw_pair();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while !flag.load(Ordering::Relaxed) {
                let mut fds = [
                    PollFd::new(ma.as_fd(), PollFlags::POLLIN),
                    PollFd::new(mb.as_fd(), PollFlags::POLLIN),
                ];
                if poll(&mut fds, PollTimeout::from(50u16)).unwrap_or(0) <= 0 {
                    continue;
                }
                let ready: Vec<bool> = fds
                    .iter()
                    .map(|f| f.revents().is_some_and(|r| r.contains(PollFlags::POLLIN)))
                    .collect();
                for (i, from, to) in [(0, &ma, &mb), (1, &mb, &ma)] {
                    if ready[i] {
                        if let Ok(n) = nix::unistd::read(from, &mut buf) {
                            let _ = nix::unistd::write(to, &buf[..n]);
                        }
                    }
                }
            }
        });
        NullModem {
            gateway_end: pa,
            terminal_end: pb,
            stop,
            _slaves: (sa, sb),
        }
    }
}

impl Drop for NullModem {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// A program in a detached `tmux` session on a private server socket —
/// `picocom` on a device (80×40), or the gateway itself with its console on
/// the pane (the README's demo); the server is killed when dropped.
#[derive(Debug)]
pub struct Terminal {
    socket: String,
}

impl Terminal {
    /// Start picocom on `device`. Its escape key is moved to C-x so that C-a
    /// (start of line) reaches the gateway.
    pub fn picocom(device: &Path) -> Terminal {
        Terminal::run(
            &format!("picocom -q --nolock -e x -b 115200 {}", device.display()),
            80,
            40,
        )
    }

    /// Run `command` (a shell command line) in a pane of `width` × `height`.
    pub fn run(command: &str, width: u16, height: u16) -> Terminal {
        let socket = format!("console-test-{}-{}", std::process::id(), rand_suffix());
        let status = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "new-session",
                "-d",
                "-s",
                "t",
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
            ])
            .arg(command)
            .status()
            .expect("tmux");
        assert!(status.success());
        Terminal { socket }
    }

    /// Type literal text.
    pub fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "t", "-l", text]);
    }

    /// Press keys by tmux name (`Enter`, `Tab`, `Up`, `C-u`, …).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Type a line and press Enter.
    pub fn line(&self, text: &str) {
        self.type_text(text);
        self.keys(&["Enter"]);
    }

    /// The screen, as the terminal shows it.
    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args([
                "-L",
                &self.socket,
                "capture-pane",
                "-p",
                "-t",
                "t",
                "-S",
                "-200",
            ])
            .output()
            .expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    /// Clear the screen and its history (so the next wait sees new text only).
    pub fn clear(&self) {
        self.tmux(&["clear-history", "-t", "t"]);
        self.keys(&["-R"]);
        self.tmux(&["clear-history", "-t", "t"]);
    }

    /// Wait until the screen shows `needle`; the screen.
    pub fn wait_for(&self, needle: &str) -> String {
        wait_for(Duration::from_secs(20), || {
            let s = self.screen();
            s.contains(needle).then_some(s)
        })
        .unwrap_or_else(|| panic!("screen never showed {needle:?}:\n{}", self.screen()))
    }

    /// Press Enter until the screen shows `needle` (the terminal program may
    /// still be starting, or the gateway restarting).
    pub fn wait_pressing_enter(&self, needle: &str) -> String {
        wait_for(Duration::from_secs(20), || {
            self.keys(&["Enter"]);
            wait_for(Duration::from_millis(500), || {
                let s = self.screen();
                s.contains(needle).then_some(s)
            })
        })
        .unwrap_or_else(|| panic!("screen never showed {needle:?}:\n{}", self.screen()))
    }

    /// The last non-empty line on the screen.
    pub fn last_line(&self) -> String {
        self.screen()
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .to_string()
    }

    fn tmux(&self, args: &[&str]) {
        let status = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .status()
            .expect("tmux");
        assert!(status.success(), "tmux {args:?}");
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(0)
}

/// A temporary store folder.
pub fn store_dir(prefix: &str) -> Dir {
    Dir::new(prefix)
}
