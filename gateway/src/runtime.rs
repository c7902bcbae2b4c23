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

use crate::api::{self, ApiRequest, WallClock};
use crate::call::{CallView, Controller, PortView};
use crate::config::Config;
use crate::console::{self, io::ConsoleRequest};
use crate::notify::webhook::{self, Webhook};
use crate::notify::Notification;
use crate::records::{CallRecord, Journal};

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

    // Tags, branches and Digest nonces come from this seed: take it from the
    // OS so they cannot be predicted, the clock only if that fails.
    let seed = os_random_seed().unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
    });
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
    let (events, _) = tokio::sync::broadcast::channel::<Notification>(256);
    let api_state = api::ApiState {
        core: api_tx,
        records: config.records.path.clone(),
        access: std::sync::Arc::new(api::Access::from_config(&config)),
        events: events.clone(),
    };
    let webhooks: std::collections::HashMap<String, Webhook> = config
        .merchants
        .iter()
        .filter_map(|m| {
            let url = webhook::parse_url(m.webhook_url.as_deref()?)?;
            Some((m.id.clone(), Webhook::spawn(m.id.clone(), url)))
        })
        .collect();
    tokio::spawn(async move {
        if let Err(e) = axum::serve(api_listener, api::router(api_state)).await {
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

    let records = match &config.records.path {
        Some(path) => Some(spawn_record_writer(path)?),
        None => None,
    };

    let ports = card.port_count();
    let mut rx: Vec<Frame> = vec![[0; FRAME_SAMPLES]; ports];
    let mut tx: Vec<Frame> = vec![[0; FRAME_SAMPLES]; ports];
    let mut ticker = tokio::time::interval(drivers::FRAME_DURATION);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let clock = WallClock {
        at: Instant::now(),
        wall: SystemTime::now(),
    };
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
                let answer = api::answer(&core, request.query, Instant::now(), clock);
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
        while let Some(n) = core.poll_notification() {
            if let Some(hook) = n.merchant_id.as_ref().and_then(|m| webhooks.get(m)) {
                hook.send(n.clone());
            }
            // No subscriber is not an error.
            let _ = events.send(n);
        }
        while let Some(finished) = core.poll_finished() {
            let Some(writer) = &records else { continue };
            let record = CallRecord::from_finished(&finished, |t| clock.unix(t));
            if let Err(e) = writer.try_send(record) {
                error!(error = %e, "call record not written: the writer is behind or gone");
            }
        }
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

/// Open the call-record journal (failing start-up if it cannot be) and append to
/// it from a thread of its own, so `fsync` never stalls the media loop.
fn spawn_record_writer(
    path: &std::path::Path,
) -> anyhow::Result<std::sync::mpsc::SyncSender<CallRecord>> {
    let mut journal = Journal::open(path)?;
    let (tx, rx) = std::sync::mpsc::sync_channel::<CallRecord>(4096);
    std::thread::Builder::new()
        .name("call-records".into())
        .spawn(move || {
            for record in rx {
                if let Err(e) = journal.append(&record) {
                    error!(error = %e, call_id = %record.call_id, "call record not written");
                }
            }
        })
        .context("cannot start the call-record writer")?;
    info!(path = %path.display(), "call records journal open");
    Ok(tx)
}

fn os_random_seed() -> Option<u64> {
    use std::io::Read as _;
    let mut bytes = [0u8; 8];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .ok()?;
    Some(u64::from_le_bytes(bytes))
}

fn write_status(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
