//! Receive the gateway's RTP on a free loopback port, in a background thread.

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// One received packet.
#[derive(Debug, Clone)]
pub struct Packet {
    /// When it arrived.
    pub at: Instant,
    /// Who sent it.
    pub from: SocketAddr,
    /// Its bytes.
    pub data: Vec<u8>,
}

impl Packet {
    /// RTP payload type.
    pub fn payload_type(&self) -> u8 {
        self.data.get(1).map_or(255, |b| b & 0x7f)
    }
    /// Marker bit.
    pub fn marker(&self) -> bool {
        self.data.get(1).is_some_and(|b| b & 0x80 != 0)
    }
    /// Sequence number.
    pub fn seq(&self) -> u16 {
        u16::from_be_bytes([self.data[2], self.data[3]])
    }
    /// Timestamp.
    pub fn timestamp(&self) -> u32 {
        u32::from_be_bytes([self.data[4], self.data[5], self.data[6], self.data[7]])
    }
    /// The payload (no CSRC or extension handling: the gateway sends neither).
    pub fn payload(&self) -> &[u8] {
        self.data.get(12..).unwrap_or(&[])
    }
}

/// A capturing socket.
#[derive(Debug)]
pub struct RtpCapture {
    /// The socket's address, to put in SDP.
    pub addr: SocketAddr,
    socket: UdpSocket,
    packets: Arc<Mutex<Vec<Packet>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl RtpCapture {
    /// Bind a free loopback port and start capturing.
    pub fn start() -> RtpCapture {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind RTP capture");
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .expect("timeout");
        let addr = socket.local_addr().expect("addr");
        let packets = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let socket = socket.try_clone().expect("clone");
            let packets = packets.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 2048];
                while !stop.load(Ordering::Relaxed) {
                    if let Ok((n, from)) = socket.recv_from(&mut buf) {
                        packets.lock().expect("lock").push(Packet {
                            at: Instant::now(),
                            from,
                            data: buf[..n].to_vec(),
                        });
                    }
                }
            })
        };
        RtpCapture {
            addr,
            socket,
            packets,
            stop,
            thread: Some(thread),
        }
    }

    /// The socket, to send RTP from (symmetric RTP).
    pub fn socket(&self) -> &UdpSocket {
        &self.socket
    }

    /// Packets so far.
    pub fn packets(&self) -> Vec<Packet> {
        self.packets.lock().expect("lock").clone()
    }

    /// Stop capturing and return everything.
    pub fn finish(mut self) -> Vec<Packet> {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.packets()
    }
}

impl Drop for RtpCapture {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// RFC 4733 events in the capture: (start timestamp, event code, end seen).
pub fn telephone_events(packets: &[Packet], pt: u8) -> Vec<(u32, u8, bool)> {
    let mut events: Vec<(u32, u8, bool)> = Vec::new();
    for p in packets.iter().filter(|p| p.payload_type() == pt) {
        let payload = p.payload();
        if payload.len() < 4 {
            continue;
        }
        let (event, end) = (payload[0], payload[1] & 0x80 != 0);
        match events
            .iter_mut()
            .find(|e| e.0 == p.timestamp() && e.1 == event)
        {
            Some(e) => e.2 |= end,
            None => events.push((p.timestamp(), event, end)),
        }
    }
    events
}

/// The digit for an RFC 4733 event code.
pub fn event_char(code: u8) -> char {
    match code {
        0..=9 => char::from(b'0' + code),
        10 => '*',
        11 => '#',
        12..=15 => char::from(b'A' + code - 12),
        _ => '?',
    }
}
