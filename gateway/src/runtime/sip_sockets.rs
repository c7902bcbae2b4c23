//! The SIP shell: the UDP socket's reader, the TCP listener with a task per
//! connection (framing with `sip::transport::StreamFramer`), and sending what
//! the core queued: datagrams on the UDP socket, stream messages to their
//! connection's writer.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tracing::warn;

use super::Input;
use crate::call::Controller;

/// Writers of the open SIP TCP connections, by peer.
pub(crate) type TcpWriters = HashMap<SocketAddr, mpsc::Sender<Vec<u8>>>;

/// Send the SIP core's messages: datagrams on the UDP socket, stream
/// messages to their connection's writer; close the connections it names.
pub(crate) fn send_sip(core: &mut Controller, sip_socket: &UdpSocket, tcp: &mut TcpWriters) {
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
pub(crate) fn spawn_sip_tcp(listener: tokio::net::TcpListener, input: mpsc::Sender<Input>) {
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
