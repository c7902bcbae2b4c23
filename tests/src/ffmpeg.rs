//! Independent media peers: `ffmpeg` sends and receives the call's RTP, `tshark`
//! captures and dissects it.
//!
//! sipp does the signalling with `uac_ffmpeg_media.xml`, offering one codec and
//! pointing the gateway's RTP at a port `R` (RTCP `R + 1`). The call then runs in
//! two phases on that one client address:
//! 1. ffmpeg receives the gateway's RTP on `R` through an SDP file and writes the
//!    line's audio to a WAV file;
//! 2. once that ffmpeg has ended, a second ffmpeg sends a WAV file to the
//!    gateway's RTP port from `R` (`localrtpport`), so symmetric RTP keeps
//!    answering to the address the SDP named.
//!
//! (Both at once would need two processes on one UDP port: the gateway latches
//! onto the source of the packets it receives, so a sender on another port would
//! take the gateway's audio away from the receiver.)
//!
//! `tshark` captures the SIP port and `R`/`R + 1` on loopback for the whole call.
//! Every process is ended by its pid when its handle drops.

use std::fs;
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use crate::audio;
use crate::config::board;
use crate::gateway::tempdir::Dir;
use crate::gateway::Gateway;
use crate::sipp::Sipp;
use crate::{require, wait_for};

mod tshark_checks;
pub use tshark_checks::{check_capture, check_rtcp_bye};

/// The number of the simulated party the tests call.
pub const TONE_LINE: &str = "1900";
/// The frequency the simulated party plays (at [`LINE_TONE_DBM0`]).
pub const LINE_TONE_HZ: f64 = 1000.0;
/// Its level, dBm0.
pub const LINE_TONE_DBM0: f64 = -10.0;
/// The frequency ffmpeg sends.
pub const SENT_TONE_HZ: f64 = 700.0;
/// The peak of ffmpeg's tone in the WAV (≈ −7.2 dBm0).
pub const SENT_TONE_PEAK: f64 = 10_000.0;
/// Seconds of tone ffmpeg sends.
pub const SENT_SECONDS: u32 = 4;
/// Seconds of the gateway's audio ffmpeg receives.
pub const RECEIVED_SECONDS: u32 = 3;

/// A subscriber for these tests: answers after one ring, plays a steady 1 kHz
/// tone, keys `12` (RFC 4733 events toward the client) at 10 s, hangs up at 12 s.
pub const TONE_LINE_SUBSCRIBER: &str = r#"
[[simulation.subscribers]]
number = "1900"
name = "Tone line"
behaviour = "answer"
answer_after_rings = 1
script = [
  { at_ms = 0, play = "tone:1000@-10" },
  { at_ms = 10000, dial = "12" },
  { at_ms = 12000, hangup = true },
]
"#;

/// 0 dBm0 as a sine's peak (the firmware's scale).
const DBM0_PEAK: f64 = 22_790.0;

/// A codec the client offers, and how ffmpeg encodes it.
#[derive(Debug, Clone, Copy)]
pub struct Codec {
    /// RTP payload type in the offer.
    pub pt: u8,
    /// The `a=rtpmap` encoding.
    pub rtpmap: &'static str,
    /// telephone-event clock rate to offer.
    pub te_rate: u32,
    /// ffmpeg's encoder arguments.
    pub encoder: &'static [&'static str],
    /// The gateway's `[media] codecs` setting, if not the default.
    pub media_codecs: Option<&'static str>,
}

/// PCMU at payload type 0.
pub const PCMU: Codec = Codec {
    pt: 0,
    rtpmap: "PCMU/8000",
    te_rate: 8000,
    encoder: &["-c:a", "pcm_mulaw", "-ar", "8000", "-ac", "1"],
    media_codecs: None,
};

/// Opus (RFC 7587) at dynamic payload type 96 (one 20 ms frame per packet).
pub const OPUS: Codec = Codec {
    pt: 96,
    rtpmap: "opus/48000/2",
    te_rate: 48000,
    encoder: &[
        "-c:a",
        "libopus",
        "-ar",
        "48000",
        "-ac",
        "1",
        "-b:a",
        "32k",
        "-frame_duration",
        "20",
        "-application",
        "voip",
    ],
    media_codecs: Some(r#"["opus", "PCMU", "PCMA"]"#),
};

/// A child process killed (by pid) when dropped; output goes to files.
#[derive(Debug)]
pub struct Proc {
    child: Child,
    name: String,
    stderr: PathBuf,
}

impl Proc {
    /// Start `program` with `args`, logging into `dir/NAME.out|err`.
    pub fn spawn(dir: &Path, name: &str, program: &str, args: &[String]) -> Proc {
        let stdout = fs::File::create(dir.join(format!("{name}.out"))).expect("stdout file");
        let stderr_path = dir.join(format!("{name}.err"));
        let stderr = fs::File::create(&stderr_path).expect("stderr file");
        let child = Command::new(program)
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|e| panic!("start {program}: {e}"));
        Proc {
            child,
            name: name.into(),
            stderr: stderr_path,
        }
    }

    /// Its pid.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What it wrote on stderr so far.
    pub fn stderr(&self) -> String {
        fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Wait at most `limit` for it to end.
    pub fn wait(&mut self, limit: Duration) -> Option<ExitStatus> {
        wait_for(limit, || self.child.try_wait().ok().flatten())
    }

    /// Wait at most `limit` for a successful end; panics with its stderr otherwise.
    pub fn expect_success(&mut self, limit: Duration) {
        match self.wait(limit) {
            Some(s) if s.success() => {}
            other => panic!(
                "{} (pid {}) did not succeed ({other:?}):\n{}",
                self.name,
                self.pid(),
                self.stderr()
            ),
        }
    }

    /// Ask it to stop (SIGINT to its pid), as Ctrl-C would.
    pub fn interrupt(&self) {
        let _ = Command::new("kill")
            .args(["-INT", &self.pid().to_string()])
            .status();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free even UDP port `R` on loopback with `R + 1` free too (RTP and RTCP).
pub fn free_port_pair() -> u16 {
    for _ in 0..200 {
        let a = UdpSocket::bind("127.0.0.1:0").expect("bind");
        let port = a.local_addr().expect("addr").port();
        if port.is_multiple_of(2)
            && port < u16::MAX
            && UdpSocket::bind(("127.0.0.1", port + 1)).is_ok()
        {
            return port;
        }
    }
    panic!("no free UDP port pair on loopback");
}

/// True once a UDP socket is bound to `port` (per `/proc/net/udp`).
pub fn udp_port_bound(port: u16) -> bool {
    let needle = format!(":{port:04X}");
    fs::read_to_string("/proc/net/udp")
        .map(|t| {
            t.lines().skip(1).any(|l| {
                l.split_whitespace()
                    .nth(1)
                    .is_some_and(|a| a.ends_with(&needle))
            })
        })
        .unwrap_or(false)
}

/// A sine of `freq` Hz with peak `peak`, `seconds` long at `rate`.
pub fn sine(freq: f64, peak: f64, rate: u32, seconds: u32) -> Vec<i16> {
    (0..rate * seconds)
        .map(|i| {
            let t = f64::from(i) / f64::from(rate);
            (peak * (std::f64::consts::TAU * freq * t).sin()) as i16
        })
        .collect()
}

/// Write 16-bit mono PCM as a WAV file.
pub fn write_wav(path: &Path, rate: u32, samples: &[i16]) {
    let data_len = (samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + samples.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    fs::write(path, out).expect("write WAV");
}

/// A 16-bit PCM WAV file: (sample rate, channels, interleaved samples).
pub fn read_wav(path: &Path) -> (u32, u16, Vec<i16>) {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    assert!(
        bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WAVE",
        "{} is not a WAV file",
        path.display()
    );
    let (mut rate, mut channels, mut bits) = (0u32, 0u16, 0u16);
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().expect("4 bytes")) as usize;
        let body = &bytes[at + 8..(at + 8 + len).min(bytes.len())];
        if id == b"fmt " && body.len() >= 16 {
            channels = u16::from_le_bytes([body[2], body[3]]);
            rate = u32::from_le_bytes(body[4..8].try_into().expect("4 bytes"));
            bits = u16::from_le_bytes([body[14], body[15]]);
        } else if id == b"data" {
            assert_eq!(bits, 16, "{}: only 16-bit PCM", path.display());
            let samples = body
                .chunks_exact(2)
                .map(|c| i16::from_le_bytes([c[0], c[1]]))
                .collect();
            return (rate, channels, samples);
        }
        at += 8 + len + (len & 1);
    }
    panic!("{}: no data chunk", path.display());
}

/// The SDP file ffmpeg receives the gateway's RTP with.
pub fn receiver_sdp(port: u16, codec: Codec) -> String {
    format!(
        "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=gateway\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
         m=audio {port} RTP/AVP {pt}\r\na=rtpmap:{pt} {map}\r\n",
        pt = codec.pt,
        map = codec.rtpmap
    )
}

/// The gateway's RTP address from the 200 OK's SDP in sipp's message log.
pub fn answer_rtp(messages: &str) -> Option<SocketAddr> {
    let answer = messages
        .split("SIP/2.0 200 OK")
        .skip(1)
        .find(|m| m.contains("CSeq: 1 INVITE") && m.contains("m=audio "))?;
    let ip = answer
        .lines()
        .find_map(|l| l.trim().strip_prefix("c=IN IP4 "))?
        .trim();
    let port = answer
        .lines()
        .find_map(|l| l.trim().strip_prefix("m=audio "))?
        .split_whitespace()
        .next()?;
    format!("{ip}:{port}").parse().ok()
}

/// Mean RMS level (dBm0) of 8 kHz `samples`.
pub fn level_dbm0(samples: &[i16]) -> f64 {
    audio::rms_dbm0(samples)
}

/// How much of a window's power is the sine at `freq` (1.0: a pure tone).
pub fn purity(samples: &[i16], freq: f64) -> f64 {
    let mean_square = samples
        .iter()
        .map(|&x| f64::from(x) * f64::from(x))
        .sum::<f64>()
        / samples.len().max(1) as f64;
    // A sine of peak A: Goertzel power (A/2)^2, mean square A^2/2.
    2.0 * audio::goertzel(samples, freq) / mean_square.max(1e-9)
}

/// The 200 ms windows of 8 kHz `samples` that are a tone of `freq` (at least
/// 80 % of their power) above `min_dbm0`: their levels (dBm0).
pub fn tone_windows(samples: &[i16], freq: f64, min_dbm0: f64) -> Vec<f64> {
    samples
        .chunks_exact(1600)
        .filter(|w| audio::rms_dbm0(w) > min_dbm0 && purity(w, freq) > 0.8)
        .map(audio::rms_dbm0)
        .collect()
}

/// The start (sample index) of the last `freq` window in `samples`.
pub fn last_tone_window(samples: &[i16], freq: f64) -> Option<usize> {
    samples
        .chunks_exact(1600)
        .rposition(|w| audio::rms_dbm0(w) > -40.0 && purity(w, freq) > 0.8)
        .map(|i| i * 1600)
}

/// The median of `v` (NaN if empty).
pub fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// A running tshark capture.
#[derive(Debug)]
pub struct Capture {
    proc: Proc,
    /// The capture file.
    pub file: PathBuf,
}

impl Capture {
    /// Capture loopback UDP matching the BPF `filter` into `dir/capture.pcapng`;
    /// returns once tshark says it is capturing.
    pub fn start(dir: &Path, filter: &str) -> Capture {
        let file = dir.join("capture.pcapng");
        let args: Vec<String> = [
            "-i",
            "lo",
            "-f",
            filter,
            "-w",
            file.to_str().expect("utf-8 path"),
            // A bound, in case nothing stops it.
            "-a",
            "duration:120",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let proc = Proc::spawn(dir, "tshark-capture", "tshark", &args);
        let mut proc = proc;
        let ready = wait_for(Duration::from_secs(20), || {
            if let Ok(Some(s)) = proc.child.try_wait() {
                panic!("tshark ended early ({s}):\n{}", proc.stderr());
            }
            proc.stderr().contains("Capturing on").then_some(())
        });
        assert!(
            ready.is_some(),
            "tshark is not capturing:\n{}",
            proc.stderr()
        );
        Capture { proc, file }
    }

    /// Wait (at most `limit`) until the file written so far holds a packet
    /// matching the display `filter`, then [`Capture::stop`]. dumpcap takes
    /// packets from the kernel in blocks and SIGINT drops the block in flight,
    /// so a capture stopped as soon as the last peer exits can miss the last
    /// packets; this waits for them to be on disk instead. Stops anyway when
    /// the limit passes (the checks on the file then say what is missing).
    pub fn stop_once(self, filter: &str, limit: Duration) -> PathBuf {
        let seen = wait_for(limit, || {
            // The file may end in a half-written packet: tshark then exits
            // with an error after printing what it read, which is enough.
            let out = Command::new("tshark")
                .arg("-r")
                .arg(&self.file)
                .args(["-Y", filter])
                .stdin(Stdio::null())
                .stderr(Stdio::null())
                .output()
                .ok()?;
            (!out.stdout.is_empty()).then_some(())
        });
        if seen.is_none() {
            eprintln!("capture: no packet matching `{filter}` within {limit:?}");
        }
        self.stop()
    }

    /// Stop capturing (SIGINT, so the file is complete) and return its path.
    pub fn stop(mut self) -> PathBuf {
        self.proc.interrupt();
        if self.proc.wait(Duration::from_secs(20)).is_none() {
            panic!("tshark did not stop:\n{}", self.proc.stderr());
        }
        self.file.clone()
    }
}

/// Run `tshark -r FILE ARGS…` and return its stdout lines (panics on failure).
pub fn tshark_read(file: &Path, args: &[String]) -> Vec<String> {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(file)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run tshark");
    assert!(
        out.status.success(),
        "tshark {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(String::from)
        .collect()
}

/// What one call with ffmpeg as the client's media produced.
#[derive(Debug)]
pub struct RoundTrip {
    /// The client's RTP port (RTCP on the next).
    pub client_port: u16,
    /// The gateway's RTP address from its answer.
    pub gateway_rtp: SocketAddr,
    /// The gateway's SIP address.
    pub gateway_sip: SocketAddr,
    /// What ffmpeg received from the gateway: 8 kHz mono.
    pub received: Vec<i16>,
    /// What the simulated far party heard from the gateway: 8 kHz mono.
    pub heard: Vec<i16>,
    /// The tshark capture.
    pub capture: PathBuf,
    /// sipp's message log.
    pub messages: String,
    /// ffmpeg's sender's stderr.
    pub sender_log: String,
    // Kept so the files live until the checks are done.
    _work: Dir,
    _gateway: Gateway,
}

/// The peers these tests need are installed: sipp calls, ffmpeg sends and
/// receives, tshark captures (the capture and RTCP BYE checks are part of
/// every round trip). See [`crate::peers`] for what a missing one does.
pub fn peers_available() -> bool {
    require(&["sipp", "ffmpeg", "tshark"])
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Call [`TONE_LINE`] from sipp with `codec`, receive the line's audio with
/// ffmpeg, then send ffmpeg's tone, and collect everything.
pub fn round_trip(codec: Codec) -> RoundTrip {
    let mut config = format!(
        "{}{TONE_LINE_SUBSCRIBER}",
        board("sip:agent@127.0.0.1:9", "none")
    );
    if let Some(codecs) = codec.media_codecs {
        config.push_str(&format!("\n[media]\ncodecs = {codecs}\n"));
    }
    let gw = Gateway::start(&config);
    let work = Dir::new("ffmpeg-media");
    let client_port = free_port_pair();

    let filter = format!(
        "udp and (port {} or port {client_port} or port {})",
        gw.sip.port(),
        client_port + 1
    );
    let capture = Capture::start(work.path(), &filter);

    // Phase 1: ffmpeg listens where the offer points the gateway's RTP.
    let sdp = work.path().join("receive.sdp");
    fs::write(&sdp, receiver_sdp(client_port, codec)).expect("write SDP");
    let received_wav = work.path().join("received.wav");
    let mut receiver = Proc::spawn(
        work.path(),
        "ffmpeg-receive",
        "ffmpeg",
        &strings(&[
            "-nostdin",
            "-hide_banner",
            "-protocol_whitelist",
            "file,udp,rtp",
            "-i",
            sdp.to_str().expect("utf-8"),
            "-t",
            &RECEIVED_SECONDS.to_string(),
            "-ac",
            "1",
            "-ar",
            "8000",
            "-c:a",
            "pcm_s16le",
            "-y",
            received_wav.to_str().expect("utf-8"),
        ]),
    );
    let bound = wait_for(Duration::from_secs(20), || {
        udp_port_bound(client_port).then_some(())
    });
    assert!(
        bound.is_some(),
        "ffmpeg did not bind {client_port}:\n{}",
        receiver.stderr()
    );

    let port = client_port.to_string();
    let pt = codec.pt.to_string();
    let te_rate = codec.te_rate.to_string();
    let sipp = Sipp::start(
        "uac_ffmpeg_media.xml",
        Some(gw.sip),
        &[
            "-s",
            TONE_LINE,
            "-m",
            "1",
            "-key",
            "rtp_port",
            &port,
            "-key",
            "pt",
            &pt,
            "-key",
            "rtpmap",
            codec.rtpmap,
            "-key",
            "te_rate",
            &te_rate,
        ],
    );
    let messages_log = sipp.dir.path().join("messages.log");
    let gateway_rtp = wait_for(Duration::from_secs(30), || {
        answer_rtp(&fs::read_to_string(&messages_log).ok()?)
    })
    .unwrap_or_else(|| {
        panic!(
            "no 200 OK with SDP from the gateway:\n{}",
            fs::read_to_string(&messages_log).unwrap_or_default()
        )
    });
    receiver.expect_success(Duration::from_secs(30));
    let (rate, channels, received) = read_wav(&received_wav);
    assert_eq!((rate, channels), (8000, 1), "ffmpeg's output format");

    // Phase 2: ffmpeg sends a WAV file from the same client address.
    let tone_wav = work.path().join("tone-700.wav");
    write_wav(
        &tone_wav,
        8000,
        &sine(SENT_TONE_HZ, SENT_TONE_PEAK, 8000, SENT_SECONDS),
    );
    let url = format!(
        "rtp://{gateway_rtp}?localrtpport={client_port}&localrtcpport={}&pkt_size={}",
        client_port + 1,
        12 + 160
    );
    // `pkt_size`: 20 ms of G.711 per packet, as the offer's `ptime:20` asks
    // (ffmpeg otherwise fills 1460-byte packets, 128 ms of PCMU).
    let mut args = strings(&[
        "-nostdin",
        "-hide_banner",
        "-re",
        "-i",
        tone_wav.to_str().expect("utf-8"),
    ]);
    args.extend(strings(codec.encoder));
    args.extend(strings(&["-payload_type", &pt, "-f", "rtp", &url]));
    let mut sender = Proc::spawn(work.path(), "ffmpeg-send", "ffmpeg", &args);
    sender.expect_success(Duration::from_secs(30));
    let sender_log = sender.stderr();

    // The far party hangs up; sipp answers the BYE.
    let outcome = sipp.wait(Duration::from_secs(60));
    assert_eq!(
        outcome.code,
        Some(0),
        "sipp failed:\n{}\n{}",
        outcome.errors,
        outcome.messages
    );
    // The hang-up's packets (SIP BYE and its 200, the gateway's RTCP BYE sent
    // with the SIP BYE) are the last: wait until they are in the file.
    let bye_answered = format!(
        "udp.port=={} && sip.CSeq.method == \"BYE\" && sip.Status-Code == 200",
        gw.sip.port()
    );
    let capture = capture.stop_once(&bye_answered, Duration::from_secs(10));

    // The simulated party's recording of what it heard (closed at hang-up).
    let suffix = format!("-port0-{TONE_LINE}.wav");
    let recording = wait_for(Duration::from_secs(10), || {
        fs::read_dir(gw.path())
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("call-") && n.ends_with(&suffix))
            })
    })
    .expect("the far party's recording");
    let (rate, channels, heard) = read_wav(&recording);
    assert_eq!((rate, channels), (8000, 1), "recording format");

    RoundTrip {
        client_port,
        gateway_rtp,
        gateway_sip: gw.sip,
        received,
        heard,
        capture,
        messages: outcome.messages,
        sender_log,
        _work: work,
        _gateway: gw,
    }
}

/// The audio checks common to both codecs; `tolerance_db` is how far a level
/// may be from what was played. Returns the level (dBm0) the far party heard
/// after ffmpeg's stream ended (from 0.4 s after the tone to the hang-up).
pub fn check_audio(rt: &RoundTrip, tolerance_db: f64) -> f64 {
    // (a) ffmpeg heard the line: its 1 kHz tone at −10 dBm0, nearly throughout.
    let rx = &rt.received;
    assert!(
        rx.len() >= 8000 * (RECEIVED_SECONDS as usize) * 9 / 10,
        "ffmpeg received {} samples",
        rx.len()
    );
    let total = rx.len() / 1600;
    let line = tone_windows(rx, LINE_TONE_HZ, -30.0);
    eprintln!(
        "ffmpeg received: {} of {total} windows hold 1 kHz, median {:.1} dBm0; 700 Hz windows: {}",
        line.len(),
        median(&line),
        tone_windows(rx, SENT_TONE_HZ, -40.0).len()
    );
    assert!(
        line.len() + 1 >= total,
        "the line's 1 kHz tone is in only {} of {total} windows",
        line.len()
    );
    assert!(
        (median(&line) - LINE_TONE_DBM0).abs() <= tolerance_db,
        "line tone level {:.1} dBm0, played at {LINE_TONE_DBM0}",
        median(&line)
    );

    // (b) The far party heard ffmpeg's 700 Hz tone at its level, for about as
    // long as it was sent, and never before ffmpeg started.
    let heard = &rt.heard;
    let sent = tone_windows(heard, SENT_TONE_HZ, -30.0);
    let expected_dbm0 = 20.0 * (SENT_TONE_PEAK / DBM0_PEAK).log10();
    eprintln!(
        "far party heard: {} windows of 700 Hz (sent {}), median {:.1} dBm0 (sent {expected_dbm0:.1}); recording {:.1} s",
        sent.len(),
        SENT_SECONDS * 5,
        median(&sent),
        heard.len() as f64 / 8000.0
    );
    // Partial windows at either end of the tone may count too.
    let sent_windows = (SENT_SECONDS * 5) as usize;
    assert!(
        sent.len() + 2 >= sent_windows && sent.len() <= sent_windows + 2,
        "700 Hz heard in {} windows, sent {sent_windows}",
        sent.len()
    );
    assert!(
        (median(&sent) - expected_dbm0).abs() <= tolerance_db,
        "sent tone heard at {:.1} dBm0, sent at {expected_dbm0:.1}",
        median(&sent)
    );
    // Phase 1 lasted RECEIVED_SECONDS: nothing of 700 Hz in its first 2 s.
    let before = &heard[..heard.len().min(16_000)];
    assert!(
        tone_windows(before, SENT_TONE_HZ, -50.0).is_empty(),
        "700 Hz before ffmpeg sent anything"
    );
    let end = last_tone_window(heard, SENT_TONE_HZ).expect("the tone") + 1600;
    let tail = &heard[(end + 3200).min(heard.len())..];
    assert!(
        tail.len() >= 8000,
        "at least 1 s of call after ffmpeg's stream"
    );
    let tail_dbm0 = level_dbm0(tail);
    eprintln!(
        "after ffmpeg's stream ended the far party heard {:.1} s at {tail_dbm0:.1} dBm0",
        tail.len() as f64 / 8000.0
    );
    tail_dbm0
}
