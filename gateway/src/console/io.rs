//! Console transports: stdio (development) or a serial device (the box's UART, or a
//! pty standing in for one). Each runs on its own thread, hands complete lines to
//! the runtime and prints the replies.

use std::io::{BufRead, Read, Write};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tracing::{info, warn};

use super::line_editor::{Edit, LineEditor};

/// One command line and where its reply goes.
#[derive(Debug)]
pub struct ConsoleRequest {
    /// The line typed.
    pub line: String,
    /// The reply text.
    pub reply: oneshot::Sender<String>,
}

/// The prompt.
pub const PROMPT: &str = "gateway> ";

/// Serve the console on stdin/stdout.
pub fn spawn_stdio(requests: mpsc::Sender<ConsoleRequest>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("console-stdio".into())
        .spawn(move || {
            let stdin = std::io::stdin();
            let mut out = std::io::stdout();
            let _ = write!(out, "{PROMPT}");
            let _ = out.flush();
            for line in stdin.lock().lines() {
                let Ok(line) = line else { break };
                let Some(reply) = ask(&requests, line) else {
                    break;
                };
                let _ = write!(out, "{reply}{PROMPT}");
                let _ = out.flush();
            }
        })
        .map(|_| ())
}

/// Serve the console on a serial device at `baud`.
pub fn spawn_serial(
    path: &str,
    baud: u32,
    requests: mpsc::Sender<ConsoleRequest>,
) -> Result<(), serialport::Error> {
    let mut port = serialport::new(path, baud)
        .timeout(Duration::from_millis(200))
        .open()?;
    info!(device = path, baud, "console on serial device");
    let path = path.to_string();
    std::thread::Builder::new()
        .name("console-serial".into())
        .spawn(move || {
            let mut editor = LineEditor::default();
            let _ = port.write_all(format!("\r\n{PROMPT}").as_bytes());
            let mut byte = [0u8; 64];
            loop {
                let n = match port.read(&mut byte) {
                    Ok(0) => continue,
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::TimedOut => continue,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        warn!(device = %path, error = %e, "console device failed");
                        std::thread::sleep(Duration::from_millis(500));
                        continue;
                    }
                };
                for b in byte.iter().take(n) {
                    let out: Vec<u8> = match editor.feed(*b) {
                        Edit::Echo(bytes) => bytes.to_vec(),
                        Edit::EchoChar(c) => vec![c],
                        Edit::None => continue,
                        Edit::Line(line) => {
                            let Some(reply) = ask(&requests, line) else {
                                return;
                            };
                            format!("\r\n{}{PROMPT}", reply.replace('\n', "\r\n")).into_bytes()
                        }
                    };
                    let _ = port.write_all(&out);
                }
            }
        })
        .map(|_| ())
        .map_err(|e| serialport::Error::new(serialport::ErrorKind::Io(e.kind()), e.to_string()))
}

fn ask(requests: &mpsc::Sender<ConsoleRequest>, line: String) -> Option<String> {
    let (tx, rx) = oneshot::channel();
    requests
        .blocking_send(ConsoleRequest { line, reply: tx })
        .ok()?;
    rx.blocking_recv().ok()
}
