//! `gateway`: the firmware's main binary.
//!
//! ```text
//! gateway [--config FILE | --store DIR] [--console stdio|none|DEVICE]
//!         [--status-file FILE] [--check] [--rauc]
//! gateway --hash-password            (reads a password on stdin)
//! ```
//!
//! Where the configuration comes from:
//!
//! - `--store DIR` (the appliance): `DIR/config.toml`, saved by the console's
//!   `save`; if it is missing, unreadable or invalid, the previous good copy
//!   `DIR/config.toml.prev`, then the factory defaults (the demo configuration
//!   built into the binary). The gateway always boots, and says which it booted
//!   on the console and in the log.
//! - `--config FILE` (development, CI): FILE, strictly: an error exits with
//!   code 2. The console's `save` writes FILE (keeping `FILE.prev`).
//! - neither: `config/demo.toml` from the current directory if it exists, else
//!   the built-in demo; `save` has nowhere to write.
//!
//! `reboot` and `factory-reset` on the console restart the firmware by
//! re-executing this binary with the same arguments (same pid); if that fails
//! the process exits with code 3, which a supervisor treats as "start me again".

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use gateway::config::{self, Config};
use gateway::console::{Exit, LogRing};
use gateway::runtime::{self, Options};
use gateway::store::{Source, Store};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

const DEMO: &str = include_str!("../../config/demo.toml");

const USAGE: &str = "usage: gateway [--config FILE | --store DIR] [--console stdio|none|DEVICE] [--status-file FILE] [--check] [--rauc] [--hash-password] [--version]";

/// Exit code asking a supervisor to start the gateway again (re-exec failed).
const EXIT_RESTART: u8 = 3;

struct Args {
    config: Option<PathBuf>,
    store: Option<PathBuf>,
    check: bool,
    hash_password: bool,
    options: Options,
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut args = Args {
        config: None,
        store: None,
        check: false,
        hash_password: false,
        options: Options::default(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--config" | "-c" => args.config = Some(PathBuf::from(value("--config")?)),
            "--console" => args.options.console = Some(value("--console")?),
            "--status-file" => {
                args.options.status_file = Some(PathBuf::from(value("--status-file")?))
            }
            "--store" => args.store = Some(PathBuf::from(value("--store")?)),
            "--check" => args.check = true,
            "--rauc" => args.options.rauc = true,
            "--hash-password" => args.hash_password = true,
            "--version" | "-V" => {
                println!("gateway {}", env!("CARGO_PKG_VERSION"));
                return Ok(None);
            }
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(None);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if args.config.is_some() && args.store.is_some() {
        return Err("--config and --store exclude each other".into());
    }
    Ok(Some(args))
}

/// The configuration to run, its text, the store that saves it, and notes on
/// how it booted.
struct Loaded {
    config: Config,
    text: Option<String>,
    store: Option<Store>,
    notes: Vec<String>,
    source: Option<Source>,
}

fn load_all(args: &Args) -> Result<Loaded, config::ConfigError> {
    if let Some(dir) = &args.store {
        let store = Store::new(dir.join("config.toml"), DEMO);
        let mut boot = store.boot();
        // The store holds secrets: owner only (docs/SECURITY.md).
        if let Err(e) = gateway::store::private_file::private_dir(dir) {
            boot.notes
                .push(format!("store folder {}: {e}", dir.display()));
        }
        // Factory defaults because what was saved is broken (not a first
        // boot on an empty store): the console still asks for a login.
        let broken = store.path().exists() || store.previous_path().exists();
        if boot.source == Source::Factory && broken {
            let note = gateway::store::unit_secret::require_login(dir, &mut boot.config);
            boot.notes.push(note);
        }
        return Ok(Loaded {
            config: boot.config,
            text: Some(boot.text),
            store: Some(store),
            notes: boot.notes,
            source: Some(boot.source),
        });
    }
    let config = load(args.config.as_deref())?;
    let (text, store) = match &args.config {
        Some(p) => (
            std::fs::read_to_string(p).ok(),
            Some(Store::new(p.clone(), DEMO)),
        ),
        None => {
            let local = Path::new("config/demo.toml");
            let text = if local.exists() {
                std::fs::read_to_string(local).ok()
            } else {
                Some(DEMO.to_string())
            };
            (text, None)
        }
    };
    Ok(Loaded {
        config,
        text,
        store,
        notes: Vec::new(),
        source: None,
    })
}

fn hash_password() -> ExitCode {
    use std::io::Read as _;
    let mut line = String::new();
    if std::io::stdin().read_line(&mut line).is_err() || line.trim_end().is_empty() {
        eprintln!("gateway: type the password on stdin");
        return ExitCode::from(2);
    }
    let mut salt = [0u8; 16];
    let random = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut salt));
    if let Err(e) = random {
        eprintln!("gateway: no random salt: {e}");
        return ExitCode::FAILURE;
    }
    let password = line.trim_end_matches(['\r', '\n']);
    match gateway::console::password::hash(password, salt) {
        Ok(h) => {
            println!("{h}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gateway: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Start this binary again with the same arguments, in place.
fn restart() -> ExitCode {
    use std::os::unix::process::CommandExt as _;
    let Ok(exe) = std::env::current_exe() else {
        return ExitCode::from(EXIT_RESTART);
    };
    let e = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .exec();
    eprintln!("gateway: cannot restart: {e}");
    ExitCode::from(EXIT_RESTART)
}

fn load(path: Option<&Path>) -> Result<Config, config::ConfigError> {
    match path {
        Some(p) => config::load(p),
        None => {
            let local = Path::new("config/demo.toml");
            if local.exists() {
                config::load(local)
            } else {
                config::parse(Path::new("<built-in demo.toml>"), DEMO)
            }
        }
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(a)) => a,
        Ok(None) => return ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gateway: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut args = args;
    if args.hash_password {
        return hash_password();
    }
    let loaded = match load_all(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("gateway: {e}");
            return ExitCode::from(2);
        }
    };
    if args.check {
        for note in &loaded.notes {
            eprintln!("gateway: {note}");
        }
        if let Some(source) = loaded.source {
            println!("boot: {}", source.name());
        }
        println!("configuration is valid");
        return ExitCode::SUCCESS;
    }
    let config = loaded.config;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(&config.log.level))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let ring = LogRing::default();
    // The log goes to the ring (`show log`, `terminal monitor`) and to stderr,
    // unless stderr is the terminal the console runs on: there it would write
    // over the prompt (run with `2>FILE` to keep it).
    let stderr_is_terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let console_on_stdio = args
        .options
        .console
        .as_deref()
        .unwrap_or(&config.console.device)
        == "stdio";
    let stderr_log = (!(console_on_stdio && stderr_is_terminal)).then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_ansi(stderr_is_terminal)
    });
    tracing_subscriber::registry()
        .with(filter)
        .with(stderr_log)
        .with(ring.clone())
        .init();
    for note in &loaded.notes {
        tracing::warn!("configuration: {note}");
    }
    if let Some(source) = loaded.source {
        tracing::info!(source = source.name(), "configuration booted");
    }
    let appliance = &mut args.options.appliance;
    appliance.running_text = loaded.text;
    appliance.store = loaded.store;
    appliance.notes = loaded.notes;
    appliance.log = ring;
    let exit = appliance.exit.clone();
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("gateway: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(runtime::run(config, args.options));
    drop(rt);
    let asked = exit.lock().ok().and_then(|e| *e);
    match result {
        Ok(()) if asked == Some(Exit::Reboot) => restart(),
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gateway: {e:#}");
            ExitCode::FAILURE
        }
    }
}
