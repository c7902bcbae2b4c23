//! The AT voice modem driver against a simulated modem on a pseudo-terminal
//! (`serialport::TTYPort::pair`): the driver opens the pty's slave side by path,
//! as it opens `/dev/ttyACM0` on a box; a thread on the master side plays the
//! modem. Covers the init dialogue, RING with caller ID, going off hook into
//! full-duplex voice, DLE-shielded voice both ways with a DTMF report in the
//! stream, a loop-current drop, and going back on hook.
//!
//! Protocol time is virtual (the test moves `now`); the only waits are bounded
//! readiness waits on the pty (`ModemPort::poll` blocks up to 20 ms for bytes,
//! and a scenario step gives up after 5 s of real time), never sleeps.

use std::io::{Read, Write};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use drivers::modem::{ModemConfig, ModemEvent, ModemPort, ModemState, VoiceFormat, DLE, ETX};
use drivers::{LineCommand, LineEvent, FRAME_SAMPLES};
use serialport::{SerialPort, TTYPort};

#[derive(Default)]
struct Heard {
    commands: Vec<String>,
    voice: Vec<u8>,
}

/// The modem side: answers AT commands with OK (CONNECT for AT+VTR), takes
/// DLE-shielded voice in voice mode, ends it on <DLE><ETX>, and sends whatever the
/// test tells it to.
struct SimModem {
    say: Sender<Vec<u8>>,
    heard: Arc<Mutex<Heard>>,
    thread: Option<JoinHandle<()>>,
}

impl SimModem {
    fn start(mut master: TTYPort) -> SimModem {
        let (say, said): (Sender<Vec<u8>>, Receiver<Vec<u8>>) = mpsc::channel();
        let heard = Arc::new(Mutex::new(Heard::default()));
        let log = Arc::clone(&heard);
        // Bounded readiness wait on the pty, not a sleep.
        master.set_timeout(Duration::from_millis(5)).unwrap();
        let thread = thread::spawn(move || {
            let mut line = Vec::new();
            let mut voice = false;
            let mut escaped = false;
            let mut buf = [0u8; 1024];
            loop {
                match said.try_recv() {
                    Ok(bytes) => master.write_all(&bytes).unwrap(),
                    Err(mpsc::TryRecvError::Disconnected) => return,
                    Err(mpsc::TryRecvError::Empty) => {}
                }
                let n = match master.read(&mut buf) {
                    Ok(n) => n,
                    Err(_) => continue,
                };
                for &b in &buf[..n] {
                    if voice {
                        match (escaped, b) {
                            (false, DLE) => escaped = true,
                            (true, DLE) => {
                                escaped = false;
                                log.lock().unwrap().voice.push(DLE);
                            }
                            (true, ETX) => {
                                escaped = false;
                                voice = false;
                                master.write_all(&[DLE, ETX]).unwrap();
                                master.write_all(b"\r\nOK\r\n").unwrap();
                            }
                            (true, _) => escaped = false,
                            (false, b) => log.lock().unwrap().voice.push(b),
                        }
                    } else if b == b'\r' {
                        let cmd = String::from_utf8(std::mem::take(&mut line)).unwrap();
                        let reply: &[u8] = if cmd == "AT+VTR" {
                            voice = true;
                            b"\r\nCONNECT\r\n"
                        } else {
                            b"\r\nOK\r\n"
                        };
                        log.lock().unwrap().commands.push(cmd);
                        master.write_all(reply).unwrap();
                    } else {
                        line.push(b);
                    }
                }
            }
        });
        SimModem {
            say,
            heard,
            thread: Some(thread),
        }
    }

    fn send(&self, bytes: &[u8]) {
        self.say.send(bytes.to_vec()).unwrap();
    }
}

impl Drop for SimModem {
    fn drop(&mut self) {
        let (closed, _) = mpsc::channel();
        self.say = closed;
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

/// Poll the port until `done`, giving up after 5 s of real time.
fn until(
    port: &mut ModemPort,
    now: Instant,
    what: &str,
    mut done: impl FnMut(&mut ModemPort) -> bool,
) {
    let limit = Instant::now() + Duration::from_secs(5);
    while !done(port) {
        assert!(
            Instant::now() < limit,
            "timed out waiting for {what}: {port:?} buffered {}",
            port.session().voice_buffered()
        );
        port.poll(now, Duration::from_millis(20)).unwrap();
    }
}

fn next_modem_event(port: &mut ModemPort, now: Instant) -> ModemEvent {
    let mut got = None;
    until(port, now, "a modem event", |p| {
        got = p.poll_modem_event();
        got.is_some()
    });
    got.unwrap()
}

fn next_line_event(port: &mut ModemPort, now: Instant) -> LineEvent {
    let mut got = None;
    until(port, now, "a line event", |p| {
        got = p.poll_event();
        got.is_some()
    });
    got.unwrap()
}

fn shield(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .flat_map(|&b| if b == DLE { vec![DLE, DLE] } else { vec![b] })
        .collect()
}

#[test]
fn init_ring_caller_id_voice_both_ways_and_hang_up() {
    let (master, slave) = TTYPort::pair().unwrap();
    let path = slave.name().unwrap();
    let modem = SimModem::start(master);
    let t0 = Instant::now();
    let mut now = t0;

    let config = ModemConfig::new(path.clone());
    assert_eq!(config.voice, VoiceFormat::Linear8 { vsm: 1 });
    let mut port = ModemPort::open(&config, now).unwrap();
    assert_eq!(next_modem_event(&mut port, now), ModemEvent::Ready);
    assert_eq!(
        modem.heard.lock().unwrap().commands,
        ["ATZ", "AT+FCLASS=8", "AT+VCID=1", "AT+VSM=1,8000"]
    );

    // An incoming call: RING, caller ID between the rings.
    modem.send(b"\r\nRING\r\n\r\nDATE = 0321\r\nTIME = 1405\r\nNMBR = 5551234\r\nNAME = ALICE SMITH\r\n\r\n");
    assert_eq!(next_line_event(&mut port, now), LineEvent::RingOn);
    now += Duration::from_millis(300);
    let ModemEvent::CallerId(cid) = next_modem_event(&mut port, now) else {
        panic!("expected caller ID")
    };
    assert_eq!(
        (
            cid.date.as_deref(),
            cid.time.as_deref(),
            cid.number.as_deref(),
            cid.name.as_deref()
        ),
        (
            Some("0321"),
            Some("1405"),
            Some("5551234"),
            Some("ALICE SMITH")
        )
    );
    now += Duration::from_millis(1700);
    assert_eq!(next_line_event(&mut port, now), LineEvent::RingOff);
    modem.send(b"\r\nRING\r\n");
    assert_eq!(next_line_event(&mut port, now), LineEvent::RingOn);

    // Answer: off hook and full-duplex voice.
    port.command(now, LineCommand::OffHook).unwrap();
    until(&mut port, now, "voice mode", |p| {
        p.session().state() == &ModemState::Voice
    });
    assert_eq!(
        modem.heard.lock().unwrap().commands[4..],
        ["AT+VLS=1", "AT+VTR"]
    );

    // Voice from the line: every byte value (0x10 shielded), a DTMF 5 in the stream.
    let line_audio: Vec<u8> = (0..2 * FRAME_SAMPLES).map(|i| (i % 256) as u8).collect();
    let mut stream = shield(&line_audio[..100]);
    stream.extend([DLE, b'5']);
    stream.extend(shield(&line_audio[100..]));
    modem.send(&stream);
    until(&mut port, now, "two frames of voice", |p| {
        p.session().voice_buffered() == 2 * FRAME_SAMPLES
    });
    let format = config.voice;
    let mut rx = [0i16; FRAME_SAMPLES];
    for k in 0..2 {
        port.exchange_frame(now, &[0; FRAME_SAMPLES], &mut rx)
            .unwrap();
        let want: Vec<i16> = line_audio[k * FRAME_SAMPLES..(k + 1) * FRAME_SAMPLES]
            .iter()
            .map(|&b| format.decode(b))
            .collect();
        assert!(rx[..] == want[..], "rx frame {k}");
        now += Duration::from_millis(20);
    }
    assert_eq!(port.poll_modem_event(), Some(ModemEvent::Dtmf('5')));

    // Voice to the line: samples whose bytes include 0x10, shielded on the wire.
    let tx_bytes: Vec<u8> = (0..FRAME_SAMPLES).map(|i| (i * 3 % 256) as u8).collect();
    let tx: Vec<i16> = tx_bytes.iter().map(|&b| format.decode(b)).collect();
    port.exchange_frame(now, tx[..].try_into().unwrap(), &mut rx)
        .unwrap();
    until(&mut port, now, "the modem to hear three frames", |_| {
        modem.heard.lock().unwrap().voice.len() >= 3 * FRAME_SAMPLES
    });
    {
        let heard = modem.heard.lock().unwrap();
        assert!(
            heard.voice[..2 * FRAME_SAMPLES].iter().all(|&b| b == 0x80),
            "silence first"
        );
        assert!(
            heard.voice[2 * FRAME_SAMPLES..] == tx_bytes[..],
            "then our frame, unshielded"
        );
    }

    // The far end hangs up: the modem reports loop current interruption.
    modem.send(&[DLE, b'l']);
    assert_eq!(next_line_event(&mut port, now), LineEvent::LoopCurrentDrop);

    // Back on hook: end the voice stream, then ATH.
    port.command(now, LineCommand::OnHook).unwrap();
    until(&mut port, now, "idle", |p| {
        p.session().state() == &ModemState::Idle
    });
    assert_eq!(modem.heard.lock().unwrap().commands.last().unwrap(), "ATH");
    port.exchange_frame(now, &[0; FRAME_SAMPLES], &mut rx)
        .unwrap();
    assert!(rx.iter().all(|&s| s == 0), "on hook: silence");
    drop(slave);
}

#[test]
fn a_missing_serial_device_is_a_device_error() {
    let err = ModemPort::open(&ModemConfig::new("/dev/ttyNOSUCH9"), Instant::now()).unwrap_err();
    assert!(err.to_string().contains("/dev/ttyNOSUCH9"), "{err}");
}
