//! The runtime: the only place that owns sockets, the line card, the console
//! transport and the real clock. It feeds the sans-IO [`Controller`] and sends what
//! it asks to send.
//!
//! One task runs the loop below; socket readers run as their own tasks and hand
//! datagrams over a channel. The line card (`crate::card`: simulated exchange or
//! hardware) is stepped every 20 ms by a timer; a hardware card's
//! `exchange_frames` also waits on its audio device, whose clock then paces the
//! loop. (Moving a hardware card to a thread of its own, so that a slow device
//! never delays SIP, is noted for the appliance work.)
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
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context as _;
use drivers::sim::SimControl;
use drivers::{Frame, LineCard, PortId, FRAME_SAMPLES};
use serde_json::json;
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio::time::MissedTickBehavior;
use tracing::{error, info, warn};

use crate::api::{self, ApiRequest, WallClock};
use crate::call::{CallView, Controller, PortView};
use crate::config::Config;
use crate::console;
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
    /// The console's view of the box: boot notes, store, log ring, exit request.
    pub appliance: console::Appliance,
    /// The box's firmware is RAUC's (`--rauc`): updates, slots, mark-good.
    pub rauc: bool,
}

enum Input {
    Sip(SocketAddr, Vec<u8>),
    /// A SIP message framed from the TCP connection with this peer.
    SipStream(SocketAddr, Vec<u8>),
    /// A SIP TCP connection was accepted; what to write to it goes here.
    SipConnected(SocketAddr, mpsc::Sender<Vec<u8>>),
    /// The SIP TCP connection with this peer is gone.
    SipDisconnected(SocketAddr),
    Rtp(PortId, SocketAddr, Vec<u8>),
    Rtcp(PortId, SocketAddr, Vec<u8>),
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
    let mut rtcp_sockets = Vec::with_capacity(config.ports.len());
    for port in &config.ports {
        let wanted = match config.rtp.port_base {
            0 => 0,
            base => base
                .checked_add(u16::from(port.port) * 2)
                .context("rtp.port_base too high for the number of ports")?,
        };
        let addr = SocketAddr::new(config.rtp.address, wanted);
        let (socket, rtcp) = bind_rtp_pair(addr)
            .await
            .with_context(|| format!("cannot bind RTP for port {} to {addr}", port.port))?;
        rtp_sockets.push(Arc::new(socket));
        rtcp_sockets.push(Arc::new(rtcp));
    }
    let rtp_addrs: Vec<SocketAddr> = rtp_sockets
        .iter()
        .map(|s| s.local_addr())
        .collect::<Result<_, _>>()?;
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
    spawn_reader(sip_socket.clone(), input_tx.clone(), |src, data| {
        Input::Sip(src, data)
    });
    for (i, socket) in rtp_sockets.iter().enumerate() {
        let port = PortId(i as u8);
        spawn_reader(socket.clone(), input_tx.clone(), move |src, data| {
            Input::Rtp(port, src, data)
        });
    }
    for (i, socket) in rtcp_sockets.iter().enumerate() {
        let port = PortId(i as u8);
        spawn_reader(socket.clone(), input_tx.clone(), move |src, data| {
            Input::Rtcp(port, src, data)
        });
    }
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
        Some(path) => Some(spawn_record_writer(path)?),
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

    let ports = card.line_card().port_count();
    let mut rx: Vec<Frame> = vec![[0; FRAME_SAMPLES]; ports];
    let mut tx: Vec<Frame> = vec![[0; FRAME_SAMPLES]; ports];
    let mut ticker = tokio::time::interval(drivers::FRAME_DURATION);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;

    // Writers of the open SIP TCP connections, by peer.
    let mut sip_tcp: std::collections::HashMap<SocketAddr, mpsc::Sender<Vec<u8>>> =
        std::collections::HashMap::new();
    loop {
        let timeout = core
            .poll_timeout()
            .map(tokio::time::Instant::from_std)
            .unwrap_or_else(|| tokio::time::Instant::now() + Duration::from_secs(3600));
        tokio::select! {
            Some(input) = input_rx.recv() => match input {
                Input::Sip(source, data) => core.handle_sip(Instant::now(), source, &data),
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
                Input::Rtp(port, source, data) => core.handle_rtp(Instant::now(), port, source, &data),
                Input::Rtcp(port, source, data) => core.handle_rtcp(Instant::now(), port, source, &data),
            },
            _ = ticker.tick() => {
                if let Err(e) = card.poll() {
                    error!(error = %e, "line signalling failed");
                }
                let line_card = card.line_card();
                let exchanged = line_card.exchange_frames(&tx, &mut rx);
                // Read after the exchange: a hardware card blocks in it until
                // the audio period is due.
                let now = Instant::now();
                match exchanged {
                    Ok(()) => {
                        if panel.card_fault() {
                            info!("line card works again");
                        }
                        panel.set_card_fault(false);
                        if let Some(k) = keeper.as_mut() {
                            k.media_beat(now);
                        }
                    }
                    Err(e) => {
                        // Once per failure episode, not every 20 ms.
                        if !panel.card_fault() {
                            error!(error = %e, "line card failed");
                        }
                        panel.set_card_fault(true);
                    }
                }
                // Modem reports first: a caller ID read with a RING is in place
                // when the ring is counted (`crate::card`).
                card.deliver_modem_events(now, &mut core, |port| panel.set_port_fault(port));
                let line_card = card.line_card();
                while let Some((port, event)) = line_card.poll_event() {
                    core.handle_line_event(now, port, event);
                }
                core.handle_frames(now, &rx, &mut tx);
            }
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
        flush(
            &mut core,
            card.line_card(),
            &sip_socket,
            &rtp_sockets,
            &rtcp_sockets,
        );
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
    flush(
        &mut core,
        card.line_card(),
        &sip_socket,
        &rtp_sockets,
        &rtcp_sockets,
    );
    if let Some(k) = keeper {
        if let Err(e) = k.close() {
            warn!(error = %e, "watchdog not closed cleanly");
        }
    }
    Ok(())
}

/// Send everything the core queued.
fn flush(
    core: &mut Controller,
    card: &mut dyn LineCard,
    sip_socket: &UdpSocket,
    rtp_sockets: &[Arc<UdpSocket>],
    rtcp_sockets: &[Arc<UdpSocket>],
) {
    while let Some(t) = core.poll_sip() {
        if let Err(e) = sip_socket.try_send_to(&t.payload, t.destination) {
            warn!(destination = %t.destination, error = %e, "SIP send failed");
        }
    }
    while let Some(packet) = core.poll_rtp() {
        let sockets = if packet.rtcp {
            rtcp_sockets
        } else {
            rtp_sockets
        };
        if let Some(socket) = sockets.get(packet.port.index()) {
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

/// Bind RTP at `addr` and RTCP at the next port (RFC 3550 §11). With port 0,
/// retry until a free even/odd pair is found.
async fn bind_rtp_pair(addr: SocketAddr) -> anyhow::Result<(UdpSocket, UdpSocket)> {
    for _ in 0..64 {
        let rtp = UdpSocket::bind(addr).await?;
        let bound = rtp.local_addr()?;
        let Some(next) = bound.port().checked_add(1) else {
            continue;
        };
        match UdpSocket::bind(SocketAddr::new(bound.ip(), next)).await {
            Ok(rtcp) => return Ok((rtp, rtcp)),
            Err(e) if addr.port() != 0 => {
                return Err(e).context(format!("cannot bind RTCP to port {next}"));
            }
            Err(_) => continue,
        }
    }
    anyhow::bail!("no free RTP/RTCP port pair")
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

/// This process's resident memory in kB, as Linux counts it (`VmRSS`).
fn resident_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?;
    line.split_whitespace().next()?.parse().ok()
}

struct ConsoleBackend<'a> {
    core: &'a mut Controller,
    sim: Option<&'a SimControl>,
    panel: &'a crate::front_panel::FrontPanel,
    firmware: &'a crate::firmware::Firmware,
    reporter: &'a console::io::Reporter,
}

impl console::Backend for ConsoleBackend<'_> {
    fn upgrade(&mut self, source: &str) -> Result<String, String> {
        self.firmware
            .install(source, self.reporter.boxed())
            .map(|()| {
                format!("upgrade: installing {source} into the inactive slot; progress follows\n")
            })
            .map_err(|e| e.to_string())
    }

    fn firmware_slots(&self) -> Vec<String> {
        if !self.firmware.enabled() {
            return Vec::new();
        }
        match self.firmware.cached_status() {
            Some(Ok(s)) => crate::firmware::rauc::describe(&s, env!("CARGO_PKG_VERSION")),
            Some(Err(e)) => vec![format!("slots: {e}")],
            None => vec!["slots: reading RAUC's status; ask again in a moment".into()],
        }
    }

    fn ports(&self) -> Vec<PortView> {
        self.core.ports_view()
    }

    fn calls(&self) -> Vec<CallView> {
        self.core.calls_view(Instant::now())
    }

    fn registrations(&self) -> Vec<console::Registration> {
        let now = Instant::now();
        let mut out = Vec::new();
        for (user, bindings) in self.core.registrations(now) {
            if bindings.is_empty() {
                out.push(console::Registration {
                    user,
                    contact: None,
                    source: None,
                    expires_s: 0,
                });
                continue;
            }
            for b in bindings {
                out.push(console::Registration {
                    user: user.clone(),
                    contact: Some(b.contact.to_string()),
                    source: Some(b.source.to_string()),
                    expires_s: b.expires_at.saturating_duration_since(now).as_secs(),
                });
            }
        }
        out
    }

    fn hang_up(&mut self, port: u8) -> Result<String, String> {
        self.core
            .hang_up_port(Instant::now(), PortId(port))
            .ok_or_else(|| format!("port {port} has no call"))
    }

    fn test_line(&mut self, port: u8) -> Result<String, String> {
        // The result comes later: `Controller::poll_test_report` in the loop.
        let wait = self
            .core
            .test_line(Instant::now(), PortId(port))
            .map_err(|e| e.to_string())?;
        Ok(format!(
            "port {port}: off hook, listening for dial tone (up to {} ms)...\n",
            wait.as_millis()
        ))
    }

    fn ring(&mut self, port: u8) -> Result<String, String> {
        let bound = self
            .core
            .ring(Instant::now(), PortId(port))
            .map_err(|e| e.to_string())?;
        Ok(format!(
            "port {port}: ringing the phone (up to {} ms)...\n",
            bound.as_millis()
        ))
    }

    fn apply_live(&mut self, config: Arc<Config>) {
        self.core.reconfigure(config);
    }

    fn stats(&self) -> console::Stats {
        let ports = self.core.ports_view();
        let calls = self.core.calls_view(Instant::now());
        let packets_now = calls
            .iter()
            .filter_map(|c| c.media.as_ref())
            .fold((0, 0), |(s, r), m| {
                (s + m.packets_sent, r + m.packets_received)
            });
        console::Stats {
            ports: ports.len(),
            ports_idle: ports.iter().filter(|p| p.state == "idle").count(),
            calls_now: calls.len(),
            packets_now,
            since_start: self.core.totals(),
            resident_kb: resident_kb(),
        }
    }

    fn leds(&self) -> Vec<crate::front_panel::LedView> {
        self.panel.view(Instant::now())
    }

    fn sim_status(&self) -> Option<Vec<String>> {
        let status = self.sim?.status();
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

    fn sim_call(&mut self, phone: &str, number: &str) -> Result<(), String> {
        self.sim
            .ok_or_else(|| "not running on the simulated board".to_string())?
            .place_call(phone, number)
            .map_err(|e| e.to_string())
    }
}

/// The wall-clock time now, with the instant it was read at.
fn wall_clock() -> WallClock {
    WallClock {
        at: Instant::now(),
        wall: SystemTime::now(),
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

fn write_status(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Send the SIP core's messages: datagrams on the UDP socket, stream
/// messages to their connection's writer; close the connections it names.
fn send_sip(
    core: &mut Controller,
    sip_socket: &UdpSocket,
    tcp: &mut std::collections::HashMap<SocketAddr, mpsc::Sender<Vec<u8>>>,
) {
    while let Some(t) = core.poll_sip() {
        match t.transport {
            sip::Transport::Udp => {
                if let Err(e) = sip_socket.try_send_to(&t.payload, t.destination) {
                    warn!(destination = %t.destination, error = %e, "SIP send failed");
                }
            }
            sip::Transport::Tcp => match tcp.get(&t.destination) {
                Some(writer) => {
                    if writer.try_send(t.payload).is_err() {
                        // A peer that does not read: give up on it.
                        warn!(destination = %t.destination, "SIP TCP connection stalled, closing it");
                        tcp.remove(&t.destination);
                    }
                }
                None => {
                    warn!(destination = %t.destination, "SIP TCP connection gone, message dropped")
                }
            },
        }
    }
    while let Some(peer) = core.sip_transport().poll_close() {
        // Dropping the writer ends the connection's task, which closes it.
        tcp.remove(&peer);
    }
}

/// Accept SIP TCP connections; each gets a task that frames what it reads
/// (`sip::transport::StreamFramer`) and writes what the core sends.
fn spawn_sip_tcp(listener: tokio::net::TcpListener, input: mpsc::Sender<Input>) {
    tokio::spawn(async move {
        loop {
            match listener.accept().await {
                Ok((stream, peer)) => {
                    let (writer, outgoing) = mpsc::channel::<Vec<u8>>(256);
                    if input.send(Input::SipConnected(peer, writer)).await.is_err() {
                        return;
                    }
                    tokio::spawn(sip_connection(stream, peer, input.clone(), outgoing));
                }
                Err(e) => {
                    warn!(error = %e, "SIP TCP accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    });
}

async fn sip_connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    input: mpsc::Sender<Input>,
    mut outgoing: mpsc::Receiver<Vec<u8>>,
) {
    use sip::transport::{stream::PONG, Frame, StreamFramer};
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let (mut reader, mut writer) = stream.into_split();
    let mut framer = StreamFramer::new(sip::message::DEFAULT_MAX_MESSAGE_SIZE);
    let mut buf = vec![0u8; 16 * 1024];
    'connection: loop {
        tokio::select! {
            read = reader.read(&mut buf) => {
                let n = match read {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) => {
                        warn!(%peer, error = %e, "SIP TCP read failed");
                        break;
                    }
                };
                framer.push(buf.get(..n).unwrap_or(&[]));
                loop {
                    match framer.next_frame() {
                        Ok(Some(Frame::Message(message))) => {
                            if input.send(Input::SipStream(peer, message)).await.is_err() {
                                return;
                            }
                        }
                        Ok(Some(Frame::Ping)) => {
                            if writer.write_all(PONG).await.is_err() {
                                break 'connection;
                            }
                        }
                        Ok(None) => break,
                        Err(e) => {
                            warn!(%peer, error = %e, "SIP TCP framing broken, closing");
                            break 'connection;
                        }
                    }
                }
            }
            message = outgoing.recv() => match message {
                Some(bytes) => {
                    if let Err(e) = writer.write_all(&bytes).await {
                        warn!(%peer, error = %e, "SIP TCP write failed");
                        break;
                    }
                }
                // The core closed the connection (idle) or the loop ended.
                None => break,
            },
        }
    }
    let _ = writer.shutdown().await;
    let _ = input.send(Input::SipDisconnected(peer)).await;
}
