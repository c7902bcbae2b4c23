//! Real softphones (Debian's `baresip` and `linphonec`) run headless against the
//! gateway: each gets its own temporary config folder, free ports, no sound
//! card, and is ended by its pid when the handle drops.

use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::gateway::tempdir::Dir;
use crate::pty::Pty;
use crate::wait_for;

/// A loopback port free for both UDP and TCP (softphones listen on both).
pub fn free_port() -> u16 {
    loop {
        let udp = UdpSocket::bind("127.0.0.1:0").expect("bind udp");
        let port = udp.local_addr().expect("addr").port();
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// An even loopback UDP port whose successor is free too (RTP and RTCP).
pub fn free_rtp_pair() -> u16 {
    loop {
        let udp = UdpSocket::bind("127.0.0.1:0").expect("bind udp");
        let port = udp.local_addr().expect("addr").port();
        if port.is_multiple_of(2)
            && port < u16::MAX
            && UdpSocket::bind(("127.0.0.1", port + 1)).is_ok()
        {
            return port;
        }
    }
}

/// Write a 16-bit mono 8 kHz WAV file holding a sine of `freq` Hz with `peak`
/// amplitude for `seconds`.
pub fn write_tone_wav(path: &Path, freq: f64, peak: f64, seconds: u32) {
    let n = 8000 * seconds;
    let mut data = Vec::with_capacity(n as usize * 2);
    for i in 0..n {
        let v = (peak * (2.0 * std::f64::consts::PI * freq * f64::from(i) / 8000.0).sin()) as i16;
        data.extend_from_slice(&v.to_le_bytes());
    }
    let mut out = Vec::with_capacity(44 + data.len());
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&8000u32.to_le_bytes());
    out.extend_from_slice(&16000u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(&data);
    fs::write(path, out).expect("write wav");
}

/// The first channel of a 16-bit PCM WAV file (any chunk layout), or `None`.
pub fn read_wav(path: &Path) -> Option<Vec<i16>> {
    let bytes = fs::read(path).ok()?;
    if bytes.len() < 12 || &bytes[..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return None;
    }
    let mut channels = 1usize;
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().ok()?) as usize;
        let body = &bytes[at + 8..(at + 8 + len).min(bytes.len())];
        if id == b"fmt " && body.len() >= 16 {
            channels = usize::from(u16::from_le_bytes([body[2], body[3]])).max(1);
            if u16::from_le_bytes([body[14], body[15]]) != 16 {
                return None;
            }
        } else if id == b"data" {
            return Some(
                body.chunks_exact(2 * channels)
                    .map(|f| i16::from_le_bytes([f[0], f[1]]))
                    .collect(),
            );
        }
        at += 8 + len + (len & 1);
    }
    None
}

/// The stretch of `pcm` from its first sample louder than `threshold`, at most
/// `len` samples long (empty when it is all quieter).
pub fn from_first_sound(pcm: &[i16], threshold: u16, len: usize) -> &[i16] {
    match pcm.iter().position(|s| s.unsigned_abs() > threshold) {
        Some(start) => &pcm[start..(start + len).min(pcm.len())],
        None => &[],
    }
}

/// Type `command` on the gateway's console and return its output up to the
/// next prompt.
pub fn console(pty: &Pty, command: &str) -> String {
    pty.write(&format!("{command}\r"));
    pty.read_until("gateway> ", Duration::from_secs(5))
}

/// Wait (bounded) until `show sip registrations` lists `user` with a contact at
/// `contact_port`; returns the console's output.
pub fn wait_registered(
    pty: &Pty,
    user: &str,
    contact_port: u16,
    limit: Duration,
) -> Option<String> {
    let needle = format!("127.0.0.1:{contact_port}");
    wait_for(limit, || {
        let shown = console(pty, "show sip registrations");
        shown
            .lines()
            .any(|l| l.starts_with(user) && l.contains(&needle) && !l.contains("not registered"))
            .then_some(shown)
    })
}

/// The gateway's calls (`GET /api/v1/calls`) as JSON values.
pub fn api_calls(api: SocketAddr) -> Vec<Value> {
    crate::http::get(api, "/api/v1/calls")
        .ok()
        .and_then(|(status, body)| (status == 200).then_some(body))
        .and_then(|body| serde_json::from_str::<Value>(&body).ok())
        .and_then(|v| v["calls"].as_array().cloned())
        .unwrap_or_default()
}

/// Wait (bounded) for a call on `port` in `direction` whose state is `state`.
pub fn wait_call_state(
    api: SocketAddr,
    port: u64,
    direction: &str,
    state: &str,
    limit: Duration,
) -> Option<Value> {
    wait_for(limit, || {
        api_calls(api).into_iter().find(|c| {
            c["port"].as_u64() == Some(port)
                && c["direction"].as_str() == Some(direction)
                && c["state"].as_str() == Some(state)
        })
    })
}

/// A headless `baresip -f DIR`: audio from a WAV file (`aufile`), the
/// `aubridge` device as a player that goes nowhere, `sndfile` recording both
/// directions into DIR, and the `ctrl_tcp` interface (JSON in netstrings) for
/// commands and events.
#[derive(Debug)]
pub struct Baresip {
    child: Child,
    /// The config folder (also where `sndfile` writes its WAVs).
    pub dir: Dir,
    /// Its SIP port on 127.0.0.1.
    pub sip_port: u16,
    ctrl: TcpStream,
    buf: Vec<u8>,
    /// Every event received on the control connection so far.
    pub events: Vec<Value>,
}

impl Baresip {
    /// Start baresip with one account `user`/`password` whose registrar is the
    /// gateway at `gateway`; `auto_answer` sets `answermode=auto`. The audio
    /// source is a 440 Hz tone at about -27 dBm0.
    pub fn start(gateway: SocketAddr, user: &str, password: &str, auto_answer: bool) -> Baresip {
        Baresip::start_with(gateway, user, password, auto_answer, 1000.0)
    }

    /// [`Baresip::start`] with the source tone's `peak` amplitude (1000 is
    /// about -27 dBm0, 14000 about -4 dBm0).
    pub fn start_with(
        gateway: SocketAddr,
        user: &str,
        password: &str,
        auto_answer: bool,
        peak: f64,
    ) -> Baresip {
        let dir = Dir::new("baresip-test");
        let sip_port = free_port();
        let ctrl_port = loop {
            let p = free_port();
            if p != sip_port {
                break p;
            }
        };
        let rtp = free_rtp_pair();
        let tone = dir.path().join("tone.wav");
        write_tone_wav(&tone, 440.0, peak, 60);
        let config = format!(
            "poll_method\tepoll\n\
             sip_listen\t127.0.0.1:{sip_port}\n\
             audio_player\taubridge,nowhere\n\
             audio_alert\taubridge,nowhere\n\
             audio_source\taufile,{tone}\n\
             ausrc_srate\t8000\n\
             auplay_srate\t8000\n\
             ausrc_channels\t1\n\
             auplay_channels\t1\n\
             rtp_ports\t{rtp}-{rtp_end}\n\
             module_path\t/usr/lib/baresip/modules\n\
             module\tg711.so\n\
             module\taufile.so\n\
             module\taubridge.so\n\
             module\tsndfile.so\n\
             module_app\taccount.so\n\
             module_app\tmenu.so\n\
             module\tctrl_tcp.so\n\
             ctrl_tcp_listen\t127.0.0.1:{ctrl_port}\n\
             snd_path\t{dir}\n",
            tone = tone.display(),
            rtp_end = rtp + 1,
            dir = dir.path().display(),
        );
        fs::write(dir.path().join("config"), config).expect("write config");
        let answermode = if auto_answer { "auto" } else { "manual" };
        fs::write(
            dir.path().join("accounts"),
            format!(
                "<sip:{user}@{gateway}>;auth_pass={password};regint=600;\
                 answermode={answermode};audio_codecs=PCMU\n"
            ),
        )
        .expect("write accounts");
        let log = fs::File::create(dir.path().join("baresip.log")).expect("log");
        let mut child = Command::new("baresip")
            .arg("-f")
            .arg(dir.path())
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start baresip");
        let ctrl = wait_for(Duration::from_secs(10), || {
            TcpStream::connect(("127.0.0.1", ctrl_port)).ok()
        });
        let Some(ctrl) = ctrl else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "baresip's ctrl_tcp did not listen:\n{}",
                fs::read_to_string(dir.path().join("baresip.log")).unwrap_or_default()
            );
        };
        ctrl.set_read_timeout(Some(Duration::from_millis(50)))
            .expect("timeout");
        Baresip {
            child,
            dir,
            sip_port,
            ctrl,
            buf: Vec::new(),
            events: Vec::new(),
        }
    }

    /// Send a command (`dial`, `hangup`, `accept`…) with `params`.
    pub fn command(&mut self, command: &str, params: &str) {
        let body =
            serde_json::json!({"command": command, "params": params, "token": command}).to_string();
        let framed = format!("{}:{body},", body.len());
        self.ctrl
            .write_all(framed.as_bytes())
            .expect("write to ctrl_tcp");
    }

    fn pump(&mut self) {
        let mut chunk = [0u8; 4096];
        match self.ctrl.read(&mut chunk) {
            Ok(n) if n > 0 => self.buf.extend_from_slice(&chunk[..n]),
            _ => return,
        }
        // Netstrings: LEN ":" JSON ","
        loop {
            let Some(colon) = self.buf.iter().position(|&b| b == b':') else {
                return;
            };
            let Some(len) = std::str::from_utf8(&self.buf[..colon])
                .ok()
                .and_then(|s| s.parse::<usize>().ok())
            else {
                self.buf.clear();
                return;
            };
            if self.buf.len() < colon + 1 + len + 1 {
                return;
            }
            let body = self.buf[colon + 1..colon + 1 + len].to_vec();
            self.buf.drain(..colon + 1 + len + 1);
            if let Ok(v) = serde_json::from_slice::<Value>(&body) {
                if v["event"].as_bool() == Some(true) {
                    self.events.push(v);
                }
            }
        }
    }

    /// Wait (bounded) for an event of `kind` (`CALL_ESTABLISHED`…), searching
    /// the events already received too.
    pub fn wait_event(&mut self, kind: &str, limit: Duration) -> Option<Value> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(e) = self
                .events
                .iter()
                .find(|e| e["type"].as_str() == Some(kind))
            {
                return Some(e.clone());
            }
            if Instant::now() >= deadline {
                return None;
            }
            self.pump();
        }
    }

    /// The `param` of every event of `kind` received so far.
    pub fn event_params(&self, kind: &str) -> Vec<String> {
        self.events
            .iter()
            .filter(|e| e["type"].as_str() == Some(kind))
            .map(|e| e["param"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// What `sndfile` recorded: `dec` (what baresip heard) or `enc` (what it sent).
    pub fn recording(&self, which: &str) -> Option<Vec<i16>> {
        let suffix = format!("-{which}.wav");
        let path = fs::read_dir(self.dir.path())
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.to_string_lossy().ends_with(&suffix))?;
        read_wav(&path)
    }

    /// Its log so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("baresip.log")).unwrap_or_default()
    }

    /// True while the process runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Baresip {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("---- baresip log ----\n{}", self.log());
            eprintln!("---- baresip events ----\n{:#?}", self.events);
        }
    }
}

/// A headless `linphonec -c RCFILE` with `HOME` in its own folder, driven by
/// commands on its stdin; its stdout and log go to files in the folder.
#[derive(Debug)]
pub struct Linphonec {
    child: Child,
    stdin: ChildStdin,
    /// Its folder (rc file, HOME, log).
    pub dir: Dir,
    /// Its SIP port on 127.0.0.1.
    pub sip_port: u16,
}

impl Linphonec {
    /// Start linphonec with a proxy (registrar) at `gateway` for `user`/`password`
    /// in realm `realm`, audio from/to WAV files instead of a sound card.
    pub fn start(gateway: SocketAddr, user: &str, password: &str, realm: &str) -> Linphonec {
        let dir = Dir::new("linphonec-test");
        let sip_port = free_port();
        let rtp = free_rtp_pair();
        let rc = format!(
            "[sip]\nsip_port={sip_port}\nsip_tcp_port=0\nsip_tls_port=0\ndefault_proxy=0\n\
             register_only_when_network_is_up=0\n\
             [rtp]\naudio_rtp_port={rtp}\nvideo_rtp_port={video}\n\
             [video]\nenabled=0\ncapture=0\ndisplay=0\n\
             [sound]\nechocancellation=0\n[net]\nfirewall_policy=0\n\
             [proxy_0]\nreg_proxy=<sip:{gateway};transport=udp>\n\
             reg_identity=sip:{user}@{ip}\nreg_expires=600\nreg_sendregister=1\npublish=0\n\
             [auth_info_0]\nusername={user}\npasswd={password}\nrealm={realm}\n",
            video = rtp + 2,
            ip = gateway.ip(),
        );
        // liblinphone 5.1 opens its database in HOME/.local/share/linphone; when
        // that folder is missing the core never starts (never "GlobalOn"): no
        // SIP socket is opened ("No listening point matching for [udp://…]")
        // and every incoming INVITE is answered 503.
        fs::create_dir_all(dir.path().join(".local/share/linphone")).expect("data dir");
        let rc_path = dir.path().join("linphonerc");
        fs::write(&rc_path, rc).expect("write rc");
        let out = fs::File::create(dir.path().join("linphonec.out")).expect("out");
        let mut child = Command::new("linphonec")
            .arg("-c")
            .arg(&rc_path)
            .arg("-d")
            .arg("6")
            .arg("-l")
            .arg(dir.path().join("linphonec.log"))
            .env("HOME", dir.path())
            .current_dir(dir.path())
            .stdin(Stdio::piped())
            .stdout(out.try_clone().expect("out"))
            .stderr(out)
            .spawn()
            .expect("start linphonec");
        let stdin = child.stdin.take().expect("stdin");
        let mut phone = Linphonec {
            child,
            stdin,
            dir,
            sip_port,
        };
        // WAV files instead of a sound card (`play`/`record` name them).
        phone.command("soundcard use files");
        phone
    }

    /// Type `command` on its stdin.
    pub fn command(&mut self, command: &str) {
        let _ = writeln!(self.stdin, "{command}");
        let _ = self.stdin.flush();
    }

    /// Its stdout (the console's answers) so far.
    pub fn output(&self) -> String {
        fs::read_to_string(self.dir.path().join("linphonec.out")).unwrap_or_default()
    }

    /// Its debug log so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("linphonec.log")).unwrap_or_default()
    }

    /// Wait (bounded) until its stdout contains `needle`.
    pub fn wait_output(&self, needle: &str, limit: Duration) -> bool {
        wait_for(limit, || self.output().contains(needle).then_some(())).is_some()
    }

    /// A file in its folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

impl Drop for Linphonec {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("---- linphonec output ----\n{}", self.output());
            let log = self.log();
            let tail: Vec<&str> = log.lines().rev().take(200).collect();
            eprintln!(
                "---- linphonec log (last 200 lines) ----\n{}",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
    }
}
