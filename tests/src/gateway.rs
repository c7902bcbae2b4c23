//! Start and stop the real `gateway` binary.

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Once;
use std::time::Duration;

use serde_json::Value;

use crate::{wait_for, workspace_root};

static BUILD: Once = Once::new();

/// The gateway binary: `$GATEWAY_BIN`, or the workspace's debug build with
/// the `test-hooks` feature (built once per test process; cargo keeps it
/// up to date).
pub fn binary() -> PathBuf {
    if let Ok(p) = std::env::var("GATEWAY_BIN") {
        return PathBuf::from(p);
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| workspace_root().join("target"));
    let bin = target.join("debug").join("gateway");
    BUILD.call_once(|| {
        let status = Command::new(env!("CARGO"))
            .args(["build", "-q", "-p", "gateway", "--bin", "gateway"])
            .args(["--features", "test-hooks"])
            .current_dir(workspace_root())
            .status()
            .expect("cargo build runs");
        assert!(status.success(), "building the gateway failed");
    });
    bin
}

/// A running gateway; killed (by pid) when dropped.
#[derive(Debug)]
pub struct Gateway {
    child: Child,
    /// Its working folder (config, status file, log, recordings).
    pub dir: tempdir::Dir,
    /// Bound SIP address.
    pub sip: SocketAddr,
    /// Bound HTTP API address.
    pub api: SocketAddr,
}

/// A temporary folder removed on drop.
pub mod tempdir {
    use std::path::{Path, PathBuf};

    /// The folder.
    #[derive(Debug)]
    pub struct Dir(PathBuf);

    impl Dir {
        /// A new empty folder under the system temp dir.
        pub fn new(prefix: &str) -> Dir {
            let mut n = 0u32;
            loop {
                let p = std::env::temp_dir().join(format!("{prefix}-{}-{n}", std::process::id()));
                if std::fs::create_dir(&p).is_ok() {
                    return Dir(p);
                }
                n += 1;
            }
        }

        /// Its path.
        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            if std::env::var_os("KEEP_TEST_DIRS").is_none() {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }
}

impl Gateway {
    /// Start the gateway with `config` (TOML text). The config should bind SIP,
    /// the API and RTP to port 0; the bound addresses are read back.
    pub fn start(config: &str) -> Gateway {
        let dir = tempdir::Dir::new("gateway-test");
        let config = config.replace("@DIR@", &dir.path().display().to_string());
        let config_path = dir.path().join("gateway.toml");
        fs::write(&config_path, config).expect("write config");
        let status = dir.path().join("status.json");
        let log = fs::File::create(dir.path().join("gateway.log")).expect("log file");
        let child = Command::new(binary())
            .arg("--config")
            .arg(&config_path)
            .arg("--status-file")
            .arg(&status)
            .env(
                "RUST_LOG",
                std::env::var("GATEWAY_LOG").unwrap_or_else(|_| "debug".into()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start gateway");
        let mut gw = Gateway {
            child,
            dir,
            sip: "0.0.0.0:0".parse().expect("addr"),
            api: "0.0.0.0:0".parse().expect("addr"),
        };
        let status: Value = wait_for(Duration::from_secs(20), || {
            if let Ok(Some(code)) = gw.child.try_wait() {
                panic!("gateway exited early with {code}:\n{}", gw.log());
            }
            let text = fs::read_to_string(&status).ok()?;
            serde_json::from_str(&text).ok()
        })
        .unwrap_or_else(|| panic!("gateway did not start:\n{}", gw.log()));
        gw.sip = status["sip"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .expect("sip addr");
        gw.api = status["api"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .expect("api addr");
        gw
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the gateway logged so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("gateway.log")).unwrap_or_default()
    }

    /// A file in its working folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// True while the process runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The folder, for configs that name files in it.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("---- gateway log ----\n{}", self.log());
        }
    }
}
