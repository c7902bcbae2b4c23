//! The runtime: the only place that owns sockets, the line card, the console
//! transport and the real clock. It feeds the sans-IO [`Controller`]
//! (`call::Switchboard`) and sends what it asks to send.
//!
//! One task runs the loop below; each I/O job is a shell of its own file:
//!
//! | file | shell |
//! |---|---|
//! | `sip_sockets.rs` | the SIP UDP socket's sending, the TCP listener and a task per connection |
//! | `rtp_sockets.rs` | the pool's RTP/RTCP socket pairs (`media::TransportPool`): bind, read, send |
//! | `datagram.rs` | socket readers with pooled buffers: nothing allocated per datagram |
//! | `line_tick.rs` | the line card's 20 ms tick: signalling, frames, events, the core's frame |
//! | `console_shell.rs` | what the console's commands see of the core (`console::Backend`) |
//! | `records.rs` | the call-record journal's writer thread |
//!
//! The HTTP API runs on its own task (`crate::api`) and asks the loop; the
//! front panel and the watchdog are ticked here. A hardware card's
//! `exchange_frames` waits on its audio device, whose clock then paces the
//! loop. (Moving a hardware card to a thread of its own, so that a slow device
//! never delays SIP, is noted for the appliance work.)
//!
//! ```text
//!   SIP socket ─┐                       ┌─▶ SIP socket
//!   RTP sockets ┼─▶ channel ─▶ loop ─▶ Switchboard ─┼─▶ RTP sockets
//!   20 ms tick ─┤                       └─▶ line card commands
//!   API, console requests ──┘
//! ```

mod console_shell;
mod datagram;
mod line_tick;
mod records;
mod rtp_sockets;
mod sip_sockets;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context as _;
use drivers::LineCard;
use serde_json::json;
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tracing::{error, info, warn};

use crate::api::{self, ApiRequest, WallClock};
use crate::call::Controller;
use crate::config::Config;
use crate::console;
use crate::media::TransportId;
use crate::notify::webhook::{self, Webhook};
use crate::notify::Notification;
use crate::records::CallRecord;
use console_shell::ConsoleBackend;
use datagram::{spawn_reader, Datagram};
use rtp_sockets::RtpSockets;
use sip_sockets::{send_sip, spawn_sip_tcp, TcpWriters};

/// Largest SIP datagram read (the SIP core refuses what exceeds its own limit).
const SIP_DATAGRAM_MAX: usize = 65_536;
/// Buffers of the SIP socket's reader.
const SIP_BUFFERS: usize = 4;

/// Options from the command line.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Write the bound addresses here as JSON once listening.
    pub status_file: Option<PathBuf>,
    /// Console device override (`stdio`, `none` or a path).
    pub console: Option<String>,
    /// The console's view of the box: boot notes, store, log ring, exit request.
    pub appliance: console::Appliance,
    /// The box's firmware is RAUC's (`--rauc`): updates, slots, mark-good.
    pub rauc: bool,
}

enum Input {
    Sip(SocketAddr, Datagram),
    /// A SIP message framed from the TCP connection with this peer.
    SipStream(SocketAddr, Vec<u8>),
    /// A SIP TCP connection was accepted; what to write to it goes here.
    SipConnected(SocketAddr, mpsc::Sender<Vec<u8>>),
    /// The SIP TCP connection with this peer is gone.
    SipDisconnected(SocketAddr),
    Rtp(TransportId, SocketAddr, Datagram),
    Rtcp(TransportId, SocketAddr, Datagram),
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
    let rtp = RtpSockets::bind(&config, rtp_sockets::transports(&config)).await?;
    let rtp_addrs = rtp.local_addrs()?;
    let api_listener = tokio::net::TcpListener::bind(config.api.listen)
        .await
        .with_context(|| format!("cannot bind the HTTP API to {}", config.api.listen))?;
    let api_addr = api_listener.local_addr()?;

    let mut card = crate::card::Card::open(&config)?;
    let mut panel = crate::front_panel::FrontPanel::open(&config, Instant::now());
    let mut panel_tick = tokio::time::interval(crate::front_panel::TICK);
    let mut keeper = match &config.board.watchdog {
        Some(path) => {
            let dog = board::watchdog::LinuxWatchdog::open(path)?;
            let timeout =
                board::watchdog::WatchdogTimeout::from_secs(config.board.watchdog_timeout_s);
            info!(device = %path.display(), %timeout, "hardware watchdog armed");
            Some(crate::watchdog::Keeper::new(dog, timeout, Instant::now())?)
        }
        None => None,
    };
    let mut feed = tokio::time::interval(crate::watchdog::FEED_INTERVAL);

    // Tags, branches, Call-IDs, Digest nonces, SSRCs: a cryptographic
    // generator keyed from the OS, so none can be predicted (docs/SECURITY.md).
    let seed = sip::Seed::from_os()?;
    let mut core = Controller::new(config.clone(), sip_addr, &rtp_addrs, seed);
    core.register_upstream(Instant::now());

    let (input_tx, mut input_rx) = mpsc::channel::<Input>(4096);
    spawn_reader(
        sip_socket.clone(),
        SIP_BUFFERS,
        SIP_DATAGRAM_MAX,
        input_tx.clone(),
        Input::Sip,
    );
    rtp.spawn_readers(&input_tx, |transport, rtcp, source, data| match rtcp {
        false => Input::Rtp(transport, source, data),
        true => Input::Rtcp(transport, source, data),
    });
    if config.sip.tcp {
        let listener = tokio::net::TcpListener::bind(sip_addr)
            .await
            .with_context(|| format!("cannot bind SIP over TCP to {sip_addr}"))?;
        spawn_sip_tcp(listener, input_tx.clone());
    }
    let (api_tx, mut api_rx) = mpsc::channel::<ApiRequest>(64);
    let (events, _) = tokio::sync::broadcast::channel::<Notification>(256);
    let api_state = api::ApiState {
        core: api_tx,
        records: config.records.path.clone(),
        access: std::sync::Arc::new(api::Access::from_config(&config)),
        events: events.clone(),
        tokens: std::sync::Arc::new(api::session_token::TokenIssuer::new(
            api::session_token::TokenIssuer::random_key()?,
            u64::from(config.api.event_token_lifetime_s),
        )),
        streams: std::sync::Arc::new(api::server::Slots::new(
            config.api.max_event_streams,
            config.api.max_event_streams_per_address,
        )),
    };
    let webhooks: std::collections::HashMap<String, Webhook> = config
        .merchants
        .iter()
        .filter_map(|m| {
            let url = webhook::parse_url(m.webhook_url.as_deref()?)?;
            Some((m.id.clone(), Webhook::spawn(m.id.clone(), url)))
        })
        .collect();
    let firmware = crate::firmware::Firmware::new(options.rauc);
    let firmware_api = crate::firmware::api::FirmwareApi {
        access: api_state.access.clone(),
        firmware: firmware.clone(),
    };
    let routes = api::router(api_state).merge(crate::firmware::api::router(firmware_api));
    let limits = api::server::ServerLimits::from_config(&config.api);
    tokio::spawn(async move {
        api::server::serve(api_listener, routes, limits).await;
    });
    let device = options
        .console
        .clone()
        .unwrap_or_else(|| config.console.device.clone());
    let mut console = console::Console::start(
        Instant::now(),
        &device,
        config.console.baud,
        config.clone(),
        options.appliance.clone(),
    )?;
    let reporter = console.reporter();

    // Everything that can fail at start-up is open before readiness is announced.
    let records = match &config.records.path {
        Some(path) => Some(records::spawn_record_writer(path)?),
        None => None,
    };

    info!(sip = %sip_addr, api = %api_addr, rtp = ?rtp_addrs, ports = config.ports.len(), card = card.name(), "gateway running");
    if let Some(path) = &options.status_file {
        let status = json!({
            "pid": std::process::id(),
            "sip": sip_addr.to_string(),
            "api": api_addr.to_string(),
            "rtp": rtp_addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
        });
        write_status(path, &status.to_string())?;
    }
    // Healthy: SIP bound, the line card up, the console up. A new slot on its
    // trial boot is kept from here on.
    firmware.mark_good();

    let mut line = line_tick::LineTick::new(card.line_card().port_count());
    let mut ticker = line_tick::ticker();
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;

    // Writers of the open SIP TCP connections, by peer.
    let mut sip_tcp = TcpWriters::new();
    loop {
        let timeout = core
            .poll_timeout()
            .map(tokio::time::Instant::from_std)
            .unwrap_or_else(|| tokio::time::Instant::now() + Duration::from_secs(3600));
        tokio::select! {
            Some(input) = input_rx.recv() => match input {
                Input::Sip(source, data) => core.handle_sip(Instant::now(), source, data.bytes()),
                Input::SipStream(peer, data) => core.handle_sip_stream(Instant::now(), peer, &data),
                Input::SipConnected(peer, writer) => {
                    if core.sip_transport().connection_opened(Instant::now(), peer) {
                        sip_tcp.insert(peer, writer);
                    }
                }
                Input::SipDisconnected(peer) => {
                    sip_tcp.remove(&peer);
                    core.sip_transport().connection_closed(peer);
                }
                Input::Rtp(transport, source, data) => core.handle_rtp(Instant::now(), transport, source, data.bytes()),
                Input::Rtcp(transport, source, data) => core.handle_rtcp(Instant::now(), transport, source, data.bytes()),
            },
            _ = ticker.tick() => line.tick(&mut card, &mut core, &mut panel, keeper.as_mut()),
            _ = tokio::time::sleep_until(timeout) => core.handle_timeout(Instant::now()),
            Some(request) = api_rx.recv() => {
                let answer = api::answer(&core, request.query, Instant::now(), wall_clock());
                let _ = request.reply.send(answer);
            }
            Some(input) = console.recv() => {
                let mut backend = ConsoleBackend {
                    core: &mut core,
                    sim: card.sim(),
                    panel: &panel,
                    firmware: &firmware,
                    reporter: &reporter,
                };
                if console.handle(Instant::now(), input, &mut backend) == console::io::Flow::Stop {
                    info!("stop requested on the console");
                    break;
                }
            }
            _ = panel_tick.tick() => {
                let now = Instant::now();
                panel.refresh(now, &core);
                if panel.poll_button(now, &options.appliance) == console::io::Flow::Stop {
                    info!("restart asked by the reset button");
                    break;
                }
            }
            _ = feed.tick(), if keeper.is_some() => {
                if let Some(Err(e)) = keeper.as_mut().map(|k| k.tick(Instant::now())) {
                    error!(error = %e, "watchdog keep-alive failed");
                }
            }
            _ = tokio::signal::ctrl_c() => { info!("interrupted"); break; }
            _ = terminate.recv() => { info!("terminated"); break; }
        }
        if let Some(k) = keeper.as_mut() {
            k.signalling_beat(Instant::now());
        }
        send_sip(&mut core, &sip_socket, &mut sip_tcp);
        flush(&mut core, card.line_card(), &sip_socket, &rtp);
        // Port tests (`test line`, `ring`) finish on their own: the core logged
        // the result; the console shows it above the prompt.
        while let Some(report) = core.poll_test_report() {
            console.report(&report.to_string());
        }
        while let Some(n) = core.poll_notification() {
            if let Some(hook) = n.merchant_id.as_ref().and_then(|m| webhooks.get(m)) {
                hook.send(n.clone());
            }
            // No subscriber is not an error.
            let _ = events.send(n);
        }
        // Read the wall clock per batch: a box may set its clock (NTP) after boot.
        let stamp = wall_clock();
        while let Some(finished) = core.poll_finished() {
            let Some(writer) = &records else { continue };
            let record = CallRecord::from_finished(&finished, |t| stamp.unix(t));
            if let Err(e) = writer.try_send(record) {
                error!(error = %e, "call record not written: the writer is behind or gone");
            }
        }
    }
    // Calls still up end their media with an RTCP BYE (RFC 3550 §6.6), sent
    // here while the sockets are still open.
    core.close_media(Instant::now());
    flush(&mut core, card.line_card(), &sip_socket, &rtp);
    if let Some(k) = keeper {
        if let Err(e) = k.close() {
            warn!(error = %e, "watchdog not closed cleanly");
        }
    }
    Ok(())
}

/// Send everything the core queued.
fn flush(core: &mut Controller, card: &mut dyn LineCard, sip_socket: &UdpSocket, rtp: &RtpSockets) {
    while let Some(t) = core.poll_sip() {
        if let Err(e) = sip_socket.try_send_to(&t.payload, t.destination) {
            warn!(destination = %t.destination, error = %e, "SIP send failed");
        }
    }
    while let Some(packet) = core.poll_rtp() {
        rtp.send(&packet);
    }
    while let Some((port, command)) = core.poll_line_command() {
        if let Err(e) = card.command(port, command) {
            warn!(%port, ?command, error = %e, "line command failed");
        }
    }
}

/// The wall-clock time now, with the instant it was read at.
fn wall_clock() -> WallClock {
    WallClock {
        at: Instant::now(),
        wall: SystemTime::now(),
    }
}

fn write_status(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
