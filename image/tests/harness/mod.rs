//! The boot tests' harness: the box under `qemu-system-aarch64 -M virt` (TCG)
//! with Debian's `u-boot-qemu` as its firmware, its serial console on a pty
//! (the test's own pty client), user networking with host-forwarded loopback
//! ports, and small HTTP helpers. Every wait is bounded.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// A free loopback port (TCP and UDP both free at the time of asking).
pub fn free_port() -> u16 {
    for _ in 0..50 {
        let t = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = t.local_addr().unwrap().port();
        if UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port");
}

/// Builds the firmware with `args` into `out` (sharing keys and packages).
pub fn build(out: &Path, extra: &[&str]) {
    let base = workspace().join("target/image-test");
    let status = Command::new(env!("CARGO_BIN_EXE_image"))
        .args(["build", "--target", "aarch64", "--out"])
        .arg(out)
        .arg("--cache")
        .arg(base.join("debs"))
        .args(extra)
        .status()
        .expect("run image");
    assert!(
        status.success(),
        "image build into {} failed",
        out.display()
    );
}

/// The box running under QEMU.
pub struct Box {
    child: Child,
    serial: std::fs::File,
    /// Everything the serial port said, from the start.
    log: Arc<Mutex<Vec<u8>>>,
    /// How far `expect` has read.
    mark: usize,
    pub sip: u16,
    pub api: u16,
    pub started: Instant,
    pub log_path: PathBuf,
}

impl Box {
    /// Starts QEMU on `disk`; `forward` are the host's loopback ports: SIP (udp), API (tcp).
    pub fn start(disk: &Path, log_path: &Path) -> Box {
        let sip = free_port();
        let api = free_port();
        let mut child = Command::new("qemu-system-aarch64")
            .args(["-M", "virt", "-cpu", "cortex-a53", "-m", "512", "-smp", "1"])
            .args(["-display", "none", "-monitor", "none", "-serial", "pty"])
            .args(["-bios", "/usr/lib/u-boot/qemu_arm64/u-boot.bin"])
            .arg("-drive")
            .arg(format!("if=virtio,format=raw,file={}", disk.display()))
            .arg("-netdev")
            .arg(format!(
                "user,id=n0,hostfwd=udp:127.0.0.1:{sip}-:5060,hostfwd=tcp:127.0.0.1:{api}-:8080"
            ))
            .args(["-device", "virtio-net-pci,netdev=n0,romfile="])
            // The board's hardware watchdog: a hang resets the box.
            .args(["-device", "i6300esb", "-action", "watchdog=reset"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("qemu-system-aarch64 (scripts/setup.sh --cross installs it)");
        let started = Instant::now();
        // "char device redirected to /dev/pts/N (label serial0)"
        let mut out = child.stdout.take().unwrap();
        let mut said = Vec::new();
        let mut byte = [0u8; 1];
        let pty = loop {
            assert!(
                said.len() < 4096,
                "qemu said no pty: {}",
                String::from_utf8_lossy(&said)
            );
            if out.read(&mut byte).unwrap_or(0) == 0 {
                panic!("qemu ended: {}", String::from_utf8_lossy(&said));
            }
            said.push(byte[0]);
            let text = String::from_utf8_lossy(&said);
            if let Some(i) = text.find("/dev/pts/") {
                if let Some(end) = text[i..].find(' ') {
                    break text[i..i + end].to_string();
                }
            }
        };
        // QEMU made the pty raw; open it and copy everything it says to the log.
        let serial = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&pty)
            .unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (mut reader, sink, path) = (
            serial.try_clone().unwrap(),
            log.clone(),
            log_path.to_path_buf(),
        );
        let mut file = std::fs::File::create(&path).unwrap();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let _ = file.write_all(&buf[..n]);
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = out.read_to_end(&mut sink);
        });
        Box {
            child,
            serial,
            log,
            mark: 0,
            sip,
            api,
            started,
            log_path: log_path.to_path_buf(),
        }
    }

    /// Waits until the serial port says `what` (after what was already
    /// matched); returns everything up to and including it.
    pub fn expect(&mut self, what: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        loop {
            {
                let log = self.log.lock().unwrap();
                let text = String::from_utf8_lossy(&log[self.mark..]).into_owned();
                if let Some(i) = text.find(what) {
                    let upto = i + what.len();
                    self.mark += text[..upto].len();
                    return text[..upto].to_string();
                }
            }
            if Instant::now() > deadline {
                panic!(
                    "the box did not say {what:?} within {within:?}; serial log: {}",
                    self.log_path.display()
                );
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "qemu ended ({status}) waiting for {what:?}; serial log: {}",
                    self.log_path.display()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Types `line` and Enter on the console.
    pub fn send(&mut self, line: &str) {
        self.serial.write_all(line.as_bytes()).unwrap();
        self.serial.write_all(b"\r").unwrap();
    }

    /// Logs in on the console (factory login) and waits for the prompt.
    pub fn login(&mut self) {
        self.expect("login: ", Duration::from_secs(120));
        self.send("admin");
        self.expect("assword", Duration::from_secs(10));
        self.send("gateway");
        self.expect("gateway> ", Duration::from_secs(30));
    }

    /// Runs a console command; its output up to the next prompt.
    pub fn command(&mut self, line: &str) -> String {
        self.send(line);
        self.expect("gateway> ", Duration::from_secs(30))
    }

    /// Everything the serial port said so far.
    pub fn serial_log(&self) -> String {
        String::from_utf8_lossy(&self.log.lock().unwrap()).into_owned()
    }
}

impl Drop for Box {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP/1.1 request to 127.0.0.1:port; the status and body.
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    token: &str,
    content_type: &str,
    body: &[u8],
) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect to the box's API");
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: box\r\nAuthorization: Bearer {token}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    // A refusal may come (and the box close) before the whole body is sent.
    let _ = s.write_all(body);
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (status, body)
}

/// `POST /api/v1/firmware` with `bundle` as the body.
pub fn post_bundle(port: u16, token: &str, bundle: &[u8]) -> (u16, String) {
    http(
        port,
        "POST",
        "/api/v1/firmware",
        token,
        "application/octet-stream",
        bundle,
    )
}

/// Serves the files of `dir` over HTTP on 127.0.0.1 (the box reaches it as
/// 10.0.2.2:PORT); ends with the test process. Returns the port.
pub fn serve(dir: &Path) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let dir = dir.to_path_buf();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(64) {
            let Ok(mut s) = stream else { continue };
            let mut req = [0u8; 2048];
            let n = s.read(&mut req).unwrap_or(0);
            let line = String::from_utf8_lossy(&req[..n])
                .lines()
                .next()
                .unwrap_or("")
                .to_string();
            let name = line
                .split_whitespace()
                .nth(1)
                .unwrap_or("/")
                .trim_start_matches('/')
                .to_string();
            match std::fs::read(dir.join(&name)) {
                Ok(data) if !name.contains("..") => {
                    let _ = s.write_all(
                        format!("HTTP/1.0 200 OK\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\n\r\n", data.len()).as_bytes(),
                    );
                    let _ = s.write_all(&data);
                }
                _ => {
                    let _ = s.write_all(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");
                }
            }
        }
    });
    port
}

/// sha256 of `len` bytes of `file` from `offset` (a partition of the disk).
pub fn digest_region(file: &Path, offset: u64, len: u64) -> String {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "dd if='{}' bs=1M skip={} count={} status=none | sha256sum",
            file.display(),
            offset / (1024 * 1024),
            len / (1024 * 1024)
        ))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_string()
}
