//! Media engine benchmark: cost of one call's full pipeline per 20 ms frame, as
//! channels per core, next to bare libopus on the same frames, and the
//! G.711 ↔ G.711 relay.
//!
//! `cargo bench -p gateway --bench media` (release profile; std::time here is
//! fine: this is a measuring tool, not the media core).

use std::hint::black_box;
use std::time::{Duration, Instant};

use drivers::PortId;
use dsp::opus::{Application, OpusDecoder, OpusEncoder};
use dsp::rate::SampleRate;
use dsp::resample::Resampler;
use dsp::FRAME_SAMPLES;
use gateway::config::{Codec, MediaConfig};
use gateway::media::codec::{Encoder, OpusSettings};
use gateway::media::negotiation::OpusParams;
use gateway::media::rtp::{PayloadType, RtpSender, RtpTimestamp, Ssrc, PT_PCMU};
use gateway::media::session::{MediaSession, RtpQueue, StreamIds};
use gateway::media::Negotiated;

const FRAMES: usize = 3000; // 60 s of audio
const ROUNDS: usize = 5;

fn voice(seed: u64) -> Vec<[i16; FRAME_SAMPLES]> {
    let mut v = dsp::voice::Voice::new(seed);
    (0..FRAMES)
        .map(|_| {
            let mut f = [0i16; FRAME_SAMPLES];
            v.fill(&mut f);
            f
        })
        .collect()
}

fn session(opus: bool, lec: bool) -> MediaSession {
    let remote = "127.0.0.1:40000".parse().unwrap();
    let n = if opus {
        Negotiated {
            codec: Codec::Opus,
            payload_type: PayloadType(111),
            telephone_event: Some(PayloadType(101)),
            remote,
            opus: Some(OpusParams {
                maxplaybackrate: Some(48_000),
                useinbandfec: true,
                usedtx: false,
                stereo: false,
            }),
            telephone_event_rate: 8000,
        }
    } else {
        Negotiated::g711(Codec::Pcmu, Some(PayloadType(101)), remote)
    };
    let ids = StreamIds {
        ssrc: Ssrc(1),
        seq: 0,
        timestamp: RtpTimestamp(0),
    };
    let mut s = MediaSession::new(PortId(0), n, ids, &MediaConfig::default(), Instant::now())
        .expect("session");
    s.set_line_echo_canceller(lec);
    s
}

/// The client's packets for `frames`, encoded beforehand (not timed).
fn packets(opus: bool, frames: &[[i16; FRAME_SAMPLES]]) -> Vec<Vec<u8>> {
    let mut enc = if opus {
        Encoder::opus(OpusSettings {
            encode_rate: SampleRate::Hz48000,
            bitrate: 24_000,
            complexity: 5,
            fec: true,
            dtx: false,
        })
        .unwrap()
    } else {
        Encoder::G711(dsp::g711::Law::Ulaw)
    };
    let (pt, units) = if opus {
        (PayloadType(111), 960)
    } else {
        (PT_PCMU, 160)
    };
    let mut rtp = RtpSender::new(Ssrc(2), 0, RtpTimestamp(0));
    frames
        .iter()
        .map(|f| {
            let mut payload = [0u8; 1500];
            let n = enc.encode(f, &mut payload).unwrap();
            let mut p = vec![0u8; 1600];
            let len = rtp.audio(pt, &payload[..n], units, &mut p).unwrap();
            p.truncate(len);
            p
        })
        .collect()
}

/// Per-frame time of the full pipeline (best of ROUNDS).
fn pipeline(opus: bool, lec: bool, line: &[[i16; FRAME_SAMPLES]], packets: &[Vec<u8>]) -> Duration {
    let source = "127.0.0.1:40000".parse().unwrap();
    let mut best = Duration::MAX;
    for _ in 0..ROUNDS {
        let mut s = session(opus, lec);
        let mut queue = RtpQueue::new();
        let mut out = [0i16; FRAME_SAMPLES];
        let t0 = Instant::now();
        let start = Instant::now();
        for (k, (rx, p)) in line.iter().zip(packets).enumerate() {
            let now = t0 + Duration::from_millis(20 * k as u64);
            let _ = s.receive(now, source, p);
            s.process_line(rx);
            while let Some(e) = s.poll_dtmf() {
                black_box(e);
            }
            s.transmit(now, &mut queue);
            while let Some(p) = queue.pop_front() {
                black_box(p.len);
            }
            s.play_to_line(&mut out);
            black_box(&out);
        }
        best = best.min(start.elapsed() / line.len() as u32);
    }
    best
}

/// Per-frame time of bare libopus on the same frames: resampled to 48 kHz
/// beforehand (not timed), encode at 48 kHz, decode the packet at 8 kHz.
fn bare_opus(line: &[[i16; FRAME_SAMPLES]]) -> Duration {
    let mut up = Resampler::new(SampleRate::Hz8000, SampleRate::Hz48000).unwrap();
    let wide: Vec<[i16; 960]> = line
        .iter()
        .map(|f| {
            let mut w = [0i16; 960];
            up.process(f, &mut w).unwrap();
            w
        })
        .collect();
    let mut best = Duration::MAX;
    for _ in 0..ROUNDS {
        let mut enc = OpusEncoder::new(
            SampleRate::Hz48000,
            Application::Voip,
            5,
            24_000,
            true,
            false,
        )
        .unwrap();
        let mut dec = OpusDecoder::new(SampleRate::Hz8000).unwrap();
        let mut packet = [0u8; 1500];
        let mut out = [0i16; 960];
        let start = Instant::now();
        for w in &wide {
            let n = enc.encode(w, &mut packet).unwrap();
            let m = dec.decode(Some(&packet[..n]), false, &mut out).unwrap();
            black_box((n, m, &out));
        }
        best = best.min(start.elapsed() / wide.len() as u32);
    }
    best
}

fn main() {
    // The line carries speech with its own echo; the client speech.
    let line = voice(1);
    let client = voice(2);
    let opus_packets = packets(true, &client);
    let g711_packets = packets(false, &client);

    let full = pipeline(true, true, &line, &opus_packets);
    let full_no_lec = pipeline(true, false, &line, &opus_packets);
    let bare = bare_opus(&line);
    let relay = pipeline(false, true, &line, &g711_packets);
    let relay_no_lec = pipeline(false, false, &line, &g711_packets);
    let per_core = |d: Duration| 0.02 / d.as_secs_f64();
    println!("frames per run: {FRAMES} (60 s), best of {ROUNDS} runs");
    println!(
        "G.711 line <-> Opus client, full pipeline (echo canceller 32 ms, DTMF, jitter buffer, RTCP): {:.1} us/frame = {:.0} channels per core",
        full.as_secs_f64() * 1e6,
        per_core(full)
    );
    println!(
        "bare libopus encode (48 kHz, complexity 5, 24 kb/s, FEC) + decode (8 kHz), same frames: {:.1} us/frame = {:.0} channels per core",
        bare.as_secs_f64() * 1e6,
        per_core(bare)
    );
    println!(
        "pipeline on top of the codec: {:+.1} us = {:+.0} %",
        (full.as_secs_f64() - bare.as_secs_f64()) * 1e6,
        100.0 * (full.as_secs_f64() / bare.as_secs_f64() - 1.0)
    );
    println!(
        "G.711 <-> G.711 relay, full pipeline (echo canceller 32 ms, DTMF): {:.1} us/frame = {:.0} channels per core",
        relay.as_secs_f64() * 1e6,
        per_core(relay)
    );
    println!(
        "same with the echo canceller off: Opus {:.1} us/frame ({:+.0} % on the codec), G.711 relay {:.1} us/frame = {:.0} channels per core",
        full_no_lec.as_secs_f64() * 1e6,
        100.0 * (full_no_lec.as_secs_f64() / bare.as_secs_f64() - 1.0),
        relay_no_lec.as_secs_f64() * 1e6,
        per_core(relay_no_lec)
    );
}
