//! The runtime: the only place that owns sockets, the line card, the console
//! transport and the real clock. It feeds the sans-IO [`Controller`] and sends what
//! it asks to send.
//!
//! One task runs the loop below; socket readers run as their own tasks and hand
//! datagrams over a channel. The line card is stepped every 20 ms by a timer on the
//! simulated board (a hardware card's audio clock takes that role on a box).
//!
//! ```text
//!   SIP socket ─┐                       ┌─▶ SIP socket
//!   RTP sockets ┼─▶ channel ─▶ loop ─▶ Controller ─┼─▶ RTP sockets
//!   20 ms tick ─┤                       └─▶ line card commands
//!   API, console requests ──┘
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use drivers::sim::{SimControl, SimExchange};
use drivers::{Frame, LineCard, PortId, FRAME_SAMPLES};
use serde_json::json;
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio::time::MissedTickBehavior;
use tracing::{error, info, warn};

use crate::api::{self, ApiAnswer, ApiQuery, ApiRequest};
use crate::call::{CallView, Controller, PortView};
use crate::config::Config;
use crate::console::{self, io::ConsoleRequest};

/// Largest datagram read (the SIP core refuses what exceeds its own limit).
const DATAGRAM_MAX: usize = 65_536;

/// Options from the command line.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Write the bound addresses here as JSON once listening.
    pub status_file: Option<PathBuf>,
    /// Console device override (`stdio`, `none` or a path).
    pub console: Option<String>,
}

enum Input {
    Sip(SocketAddr, Vec<u8>),
    Rtp(PortId, SocketAddr, Vec<u8>),
}

/// Run the gateway until `shutdown` on the console or SIGINT/SIGTERM.
pub async fn run(config: Config, options: Options) -> anyhow::Result<()> {
    let config = Arc::new(config);
    let sip_socket = Arc::new(
        UdpSocket::bind(config.sip.listen)
            .await
            .with_context(|| format!("cannot bind SIP to {}", config.sip.listen))?,
    );
    let sip_addr = sip_socket.local_addr()?;
    let mut rtp_sockets = Vec::with_capacity(config.ports.len());
    for port in &config.ports {
        let wanted = match config.rtp.port_base {
            0 => 0,
            base => base
                .checked_add(u16::from(port.port) * 2)
                .context("rtp.port_base too high for the number of ports")?,
        };
        let addr = SocketAddr::new(config.rtp.address, wanted);
        let socket = UdpSocket::bind(addr)
            .await
            .with_context(|| format!("cannot bind RTP for port {} to {addr}", port.port))?;
        rtp_sockets.push(Arc::new(socket));
    }
    let rtp_addrs: Vec<SocketAddr> = rtp_sockets
        .iter()
        .map(|s| s.local_addr())
        .collect::<Result<_, _>>()?;
    let api_listener = tokio::net::TcpListener::bind(config.api.listen)
        .await
        .with_context(|| format!("cannot bind the HTTP API to {}", config.api.listen))?;
    let api_addr = api_listener.local_addr()?;

    let sim_config = config
        .simulation
        .as_ref()
        .context("the simulated board needs a [simulation] table")?;
    let (mut card, sim) = SimExchange::new(sim_config, config.ports.len())
        .map_err(|e| anyhow::anyhow!("simulation: {e}"))?;

    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1);
    let mut core = Controller::new(config.clone(), sip_addr, &rtp_addrs, seed);

    let (input_tx, mut input_rx) = mpsc::channel::<Input>(4096);
    spawn_reader(sip_socket.clone(), input_tx.clone(), |src, data| {
        Input::Sip(src, data)
    });
    for (i, socket) in rtp_sockets.iter().enumerate() {
        let port = PortId(i as u8);
        spawn_reader(socket.clone(), input_tx.clone(), move |src, data| {
            Input::Rtp(port, src, data)
        });
    }
    let (api_tx, mut api_rx) = mpsc::channel::<ApiRequest>(64);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(api_listener, api::router(api_tx)).await {
            error!(error = %e, "HTTP API stopped");
        }
    });
    let (console_tx, mut console_rx) = mpsc::channel::<ConsoleRequest>(8);
    let device = options
        .console
        .clone()
        .unwrap_or_else(|| config.console.device.clone());
    match device.as_str() {
        "none" => {}
        "stdio" => console::io::spawn_stdio(console_tx).context("cannot start the console")?,
        path => console::io::spawn_serial(path, config.console.baud, console_tx)
            .with_context(|| format!("cannot open console device {path}"))?,
    }

    info!(sip = %sip_addr, api = %api_addr, rtp = ?rtp_addrs, ports = config.ports.len(), "gateway running on the simulated board");
    if let Some(path) = &options.status_file {
        let status = json!({
            "pid": std::process::id(),
            "sip": sip_addr.to_string(),
            "api": api_addr.to_string(),
            "rtp": rtp_addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
        });
        write_status(path, &status.to_string())?;
    }

    let ports = card.port_count();
    let mut rx: Vec<Frame> = vec![[0; FRAME_SAMPLES]; ports];
    let mut tx: Vec<Frame> = vec![[0; FRAME_SAMPLES]; ports];
    let mut ticker = tokio::time::interval(drivers::FRAME_DURATION);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let started = Instant::now();
    let wall_started = SystemTime::now();
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;

    loop {
        let timeout = core
            .poll_timeout()
            .map(tokio::time::Instant::from_std)
            .unwrap_or_else(|| tokio::time::Instant::now() + Duration::from_secs(3600));
        tokio::select! {
            Some(input) = input_rx.recv() => match input {
                Input::Sip(source, data) => core.handle_sip(Instant::now(), source, &data),
                Input::Rtp(port, source, data) => core.handle_rtp(port, source, &data),
            },
            _ = ticker.tick() => {
                let now = Instant::now();
                if let Err(e) = card.exchange_frames(&tx, &mut rx) {
                    error!(error = %e, "line card failed");
                }
                while let Some((port, event)) = card.poll_event() {
                    core.handle_line_event(now, port, event);
                }
                core.handle_frames(now, &rx, &mut tx);
            }
            _ = tokio::time::sleep_until(timeout) => core.handle_timeout(Instant::now()),
            Some(request) = api_rx.recv() => {
                let answer = answer_api(&core, request.query, started, wall_started);
                let _ = request.reply.send(answer);
            }
            Some(request) = console_rx.recv() => {
                let backend = ConsoleBackend { core: &core, sim: &sim };
                let reply = console::execute(&request.line, &backend);
                let _ = request.reply.send(reply.text);
                if reply.shutdown {
                    info!("shutdown requested on the console");
                    break;
                }
            }
            _ = tokio::signal::ctrl_c() => { info!("interrupted"); break; }
            _ = terminate.recv() => { info!("terminated"); break; }
        }
        flush(&mut core, &mut card, &sip_socket, &rtp_sockets);
    }
    Ok(())
}

/// Send everything the core queued.
fn flush(
    core: &mut Controller,
    card: &mut SimExchange,
    sip_socket: &UdpSocket,
    rtp_sockets: &[Arc<UdpSocket>],
) {
    while let Some(t) = core.poll_sip() {
        if let Err(e) = sip_socket.try_send_to(&t.payload, t.destination) {
            warn!(destination = %t.destination, error = %e, "SIP send failed");
        }
    }
    while let Some(packet) = core.poll_rtp() {
        if let Some(socket) = rtp_sockets.get(packet.port.index()) {
            if let Err(e) = socket.try_send_to(packet.bytes(), packet.destination) {
                warn!(destination = %packet.destination, error = %e, "RTP send failed");
            }
        }
    }
    while let Some((port, command)) = core.poll_line_command() {
        if let Err(e) = card.command(port, command) {
            warn!(%port, ?command, error = %e, "line command failed");
        }
    }
}

fn spawn_reader(
    socket: Arc<UdpSocket>,
    tx: mpsc::Sender<Input>,
    wrap: impl Fn(SocketAddr, Vec<u8>) -> Input + Send + 'static,
) {
    tokio::spawn(async move {
        let mut buf = vec![0u8; DATAGRAM_MAX];
        loop {
            match socket.recv_from(&mut buf).await {
                Ok((n, source)) => {
                    let data = buf.get(..n).unwrap_or(&[]).to_vec();
                    if tx.send(wrap(source, data)).await.is_err() {
                        return;
                    }
                }
                // ICMP port unreachable surfaces here on Linux; keep reading.
                Err(e) => warn!(error = %e, "receive failed"),
            }
        }
    });
}

fn answer_api(core: &Controller, query: ApiQuery, started: Instant, wall: SystemTime) -> ApiAnswer {
    let now = Instant::now();
    let stamp = |c: &CallView| {
        let age = Duration::from_millis(c.age_ms);
        let started_unix = wall
            .checked_add(now.saturating_duration_since(started))
            .and_then(|t| t.checked_sub(age))
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_secs_f64());
        let mut v = serde_json::to_value(c).unwrap_or_default();
        if let Some(obj) = v.as_object_mut() {
            obj.insert("started_unix".into(), json!(started_unix));
        }
        v
    };
    match query {
        ApiQuery::Ports => ApiAnswer::ok(json!({ "ports": core.ports_view() })),
        ApiQuery::Calls => {
            let calls: Vec<_> = core.calls_view(now).iter().map(stamp).collect();
            ApiAnswer::ok(json!({ "calls": calls }))
        }
        ApiQuery::Ani(ani) => match core.lookup_ani(now, &ani) {
            None => ApiAnswer::error(404, "unknown-ani", format!("no port has ANI {ani}")),
            Some((_, None)) => ApiAnswer::error(
                404,
                "no-call",
                format!("no call on the port with ANI {ani}"),
            ),
            Some((port, Some(call))) => {
                ApiAnswer::ok(json!({ "port": port, "call": stamp(&call) }))
            }
        },
    }
}

struct ConsoleBackend<'a> {
    core: &'a Controller,
    sim: &'a SimControl,
}

impl console::Backend for ConsoleBackend<'_> {
    fn ports(&self) -> Vec<PortView> {
        self.core.ports_view()
    }

    fn calls(&self) -> Vec<CallView> {
        self.core.calls_view(Instant::now())
    }

    fn sim_status(&self) -> Option<Vec<String>> {
        let status = self.sim.status();
        let lines = status.iter().map(|s| {
            format!(
                "line {} {:<12} {:<12} {}{}",
                s.port,
                s.number.as_deref().unwrap_or("-"),
                s.state,
                s.party.as_deref().unwrap_or(""),
                s.call_duration
                    .map(|d| format!(" {}s", d.as_secs()))
                    .unwrap_or_default()
            )
        });
        Some(lines.collect())
    }

    fn sim_call(&self, phone: &str, number: &str) -> Result<(), String> {
        self.sim
            .place_call(phone, number)
            .map_err(|e| e.to_string())
    }
}

fn write_status(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
