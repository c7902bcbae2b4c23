//! `gateway`: the firmware's main binary.
//!
//! ```text
//! gateway [--config FILE] [--console stdio|none|DEVICE] [--status-file FILE] [--check]
//! ```
//! With no `--config`, it runs `config/demo.toml` from the current directory if it
//! exists, else the same demo configuration built into the binary.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use gateway::config::{self, Config};
use gateway::runtime::{self, Options};

const DEMO: &str = include_str!("../../config/demo.toml");

const USAGE: &str = "usage: gateway [--config FILE] [--console stdio|none|DEVICE] [--status-file FILE] [--check] [--version]";

struct Args {
    config: Option<PathBuf>,
    check: bool,
    options: Options,
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut args = Args {
        config: None,
        check: false,
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
            "--check" => args.check = true,
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
    Ok(Some(args))
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
    let config = match load(args.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("gateway: {e}");
            return ExitCode::from(2);
        }
    };
    if args.check {
        println!("configuration is valid");
        return ExitCode::SUCCESS;
    }
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(&config.log.level))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
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
    match rt.block_on(runtime::run(config, args.options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gateway: {e:#}");
            ExitCode::FAILURE
        }
    }
}
