//! Run `sipp` with a scenario from `tests/scenarios/`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::gateway::tempdir::Dir;
use crate::{wait_for, workspace_root};

/// A scenario file's path.
pub fn scenario(name: &str) -> PathBuf {
    workspace_root().join("tests").join("scenarios").join(name)
}

/// A running sipp; killed by pid on drop.
#[derive(Debug)]
pub struct Sipp {
    child: Child,
    /// Its working folder (message trace, error log).
    pub dir: Dir,
}

/// How it ended.
#[derive(Debug)]
pub struct Outcome {
    /// sipp's exit code (0: all calls succeeded).
    pub code: Option<i32>,
    /// The SIP messages it sent and received.
    pub messages: String,
    /// Its error log.
    pub errors: String,
}

impl Sipp {
    /// Start sipp: `args` are passed after the common ones (`-sf`, `-i`, `-p 0`,
    /// traces into a temporary folder). `remote` is the gateway's SIP address, or
    /// `None` for a UAS.
    pub fn start(scenario_file: &str, remote: Option<SocketAddr>, args: &[&str]) -> Sipp {
        Sipp::start_from("127.0.0.1", scenario_file, remote, args)
    }

    /// [`Sipp::start`] with sipp bound to `local_ip` (`127.0.0.2` for a
    /// second source, `::1` for IPv6).
    pub fn start_from(
        local_ip: &str,
        scenario_file: &str,
        remote: Option<SocketAddr>,
        args: &[&str],
    ) -> Sipp {
        let dir = Dir::new("sipp");
        let mut cmd = Command::new("sipp");
        if let Some(r) = remote {
            cmd.arg(r.to_string());
        }
        let child = cmd
            .arg("-sf")
            .arg(scenario(scenario_file))
            .args(["-i", local_ip, "-nostdin"])
            .args(["-trace_msg", "-message_file"])
            .arg(dir.path().join("messages.log"))
            .args(["-trace_err", "-error_file"])
            .arg(dir.path().join("errors.log"))
            .args(args)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start sipp");
        Sipp { child, dir }
    }

    /// Wait until sipp's message trace contains `text` (at most `limit`):
    /// a point in the scenario observed, not a guess at how long it takes.
    pub fn wait_for_message(&self, text: &str, limit: Duration) -> bool {
        let log = self.dir.path().join("messages.log");
        wait_for(limit, || {
            std::fs::read_to_string(&log)
                .ok()
                .filter(|m| m.contains(text))
                .map(|_| ())
        })
        .is_some()
    }

    /// Wait for sipp to end (at most `limit`), killing it after that.
    pub fn wait(mut self, limit: Duration) -> Outcome {
        let code = wait_for(limit, || self.child.try_wait().ok().flatten());
        if code.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        Outcome {
            code: code.and_then(|c| c.code()),
            messages: std::fs::read_to_string(self.dir.path().join("messages.log"))
                .unwrap_or_default(),
            errors: std::fs::read_to_string(self.dir.path().join("errors.log")).unwrap_or_default(),
        }
    }
}

impl Drop for Sipp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
