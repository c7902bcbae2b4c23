//! Received datagrams in pooled buffers: each socket reader owns a few
//! buffers that go to the loop with what was read and come back when the
//! [`Datagram`] is dropped, so nothing is allocated per datagram.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tracing::warn;

/// What one reader received, in a buffer that goes home when dropped.
#[derive(Debug)]
pub(crate) struct Datagram {
    buf: Option<Box<[u8]>>,
    len: usize,
    home: mpsc::Sender<Box<[u8]>>,
}

impl Datagram {
    /// The datagram's bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        self.buf
            .as_deref()
            .and_then(|b| b.get(..self.len))
            .unwrap_or(&[])
    }
}

impl Drop for Datagram {
    fn drop(&mut self) {
        if let Some(buf) = self.buf.take() {
            // The reader is gone or its pool is full: let the buffer go.
            let _ = self.home.try_send(buf);
        }
    }
}

/// Read `socket` forever with `buffers` buffers of `size` bytes, handing each
/// datagram to `tx` wrapped by `wrap`. With every buffer at the loop, the
/// reader waits for one to come back (the socket's own queue holds the rest).
pub(crate) fn spawn_reader<I: Send + 'static>(
    socket: Arc<UdpSocket>,
    buffers: usize,
    size: usize,
    tx: mpsc::Sender<I>,
    wrap: impl Fn(SocketAddr, Datagram) -> I + Send + 'static,
) {
    let (home, mut free) = mpsc::channel::<Box<[u8]>>(buffers);
    for _ in 0..buffers {
        let _ = home.try_send(vec![0u8; size].into_boxed_slice());
    }
    tokio::spawn(async move {
        while let Some(mut buf) = free.recv().await {
            loop {
                match socket.recv_from(&mut buf).await {
                    Ok((len, source)) => {
                        let datagram = Datagram {
                            buf: Some(buf),
                            len,
                            home: home.clone(),
                        };
                        if tx.send(wrap(source, datagram)).await.is_err() {
                            return;
                        }
                        break;
                    }
                    // ICMP port unreachable surfaces here on Linux; keep reading.
                    Err(e) => warn!(error = %e, "receive failed"),
                }
            }
        }
    });
}
