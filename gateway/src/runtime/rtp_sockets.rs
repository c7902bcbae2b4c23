//! The RTP shell: binds the pool's RTP/RTCP socket pairs (transport `n` at
//! `[rtp] port_base + 2n`, RTCP on the next port, RFC 3550 §11), reads them
//! into pooled buffers and sends what the core queued.
//!
//! The pool has one transport per line port (a line port's call takes at
//! most one), and as many again when a `[[routes]] uri` bridges IP clients to
//! each other (such a call takes two).

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tracing::warn;

use super::datagram::{spawn_reader, Datagram};
use crate::config::Config;
use crate::media::{RtpOut, TransportId};

/// Buffers per RTP or RTCP socket reader.
const BUFFERS: usize = 16;
/// Largest RTP or RTCP datagram read (a full Ethernet frame's payload).
const RTP_DATAGRAM_MAX: usize = 2048;

/// How many transports `config` needs: see the module documentation.
pub(crate) fn transports(config: &Config) -> usize {
    let ports = config.ports.len();
    if config.routes.iter().any(|r| r.uri.is_some()) {
        2 * ports
    } else {
        ports
    }
}

/// The pool's sockets, by transport.
#[derive(Debug)]
pub(crate) struct RtpSockets {
    rtp: Vec<Arc<UdpSocket>>,
    rtcp: Vec<Arc<UdpSocket>>,
}

impl RtpSockets {
    /// Bind `count` transports as `config.rtp` says.
    pub(crate) async fn bind(config: &Config, count: usize) -> anyhow::Result<Self> {
        let mut rtp = Vec::with_capacity(count);
        let mut rtcp = Vec::with_capacity(count);
        for n in 0..count {
            let wanted = match config.rtp.port_base {
                0 => 0,
                base => u16::try_from(n * 2)
                    .ok()
                    .and_then(|offset| base.checked_add(offset))
                    .context("rtp.port_base too high for the number of ports")?,
            };
            let addr = SocketAddr::new(config.rtp.address, wanted);
            let (socket, control) = bind_pair(addr)
                .await
                .with_context(|| format!("cannot bind RTP transport {n} to {addr}"))?;
            rtp.push(Arc::new(socket));
            rtcp.push(Arc::new(control));
        }
        Ok(RtpSockets { rtp, rtcp })
    }

    /// The RTP addresses, transport `n` at index `n`.
    pub(crate) fn local_addrs(&self) -> std::io::Result<Vec<SocketAddr>> {
        self.rtp.iter().map(|s| s.local_addr()).collect()
    }

    /// Read every socket; `wrap` makes the loop's input of a datagram.
    pub(crate) fn spawn_readers<I: Send + 'static>(
        &self,
        tx: &mpsc::Sender<I>,
        wrap: fn(TransportId, bool, SocketAddr, Datagram) -> I,
    ) {
        for (rtcp, sockets) in [(false, &self.rtp), (true, &self.rtcp)] {
            for (i, socket) in sockets.iter().enumerate() {
                let transport = TransportId(i as u16);
                spawn_reader(
                    socket.clone(),
                    BUFFERS,
                    RTP_DATAGRAM_MAX,
                    tx.clone(),
                    move |source, data| wrap(transport, rtcp, source, data),
                );
            }
        }
    }

    /// Send one packet the core queued.
    pub(crate) fn send(&self, packet: &RtpOut) {
        let sockets = if packet.rtcp { &self.rtcp } else { &self.rtp };
        if let Some(socket) = sockets.get(packet.transport.index()) {
            if let Err(e) = socket.try_send_to(packet.bytes(), packet.destination) {
                warn!(destination = %packet.destination, error = %e, "RTP send failed");
            }
        }
    }
}

/// Bind RTP at `addr` and RTCP at the next port (RFC 3550 §11). With port 0,
/// retry until a free even/odd pair is found.
async fn bind_pair(addr: SocketAddr) -> anyhow::Result<(UdpSocket, UdpSocket)> {
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
