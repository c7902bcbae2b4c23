//! Media engine benchmark: cost of one call's full pipeline per 20 ms frame, as
//! channels per core, next to bare libopus on the same frames, and the
//! G.711 ↔ G.711 relay.
//!
//! `cargo bench -p gateway --bench media` (release profile; std::time here is
//! fine: this is a measuring tool, not the media core). `-- --stages` prints
//! where the time goes instead; `-- --only opus|opus-nolec|g711|g711-nolec`
//! runs one pipeline alone, for a profiler.

use std::hint::black_box;
use std::time::{Duration, Instant};

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
use gateway::media::TransportId;

const FRAMES: usize = 3000; // 60 s of audio
const ROUNDS: usize = 5;

/// The targets docs/PERFORMANCE.md ("Media engine") holds the figures to:
/// the full pipeline costs at most this much on top of bare libopus, %.
const TARGET_ON_TOP_PERCENT: f64 = 25.0;
/// ... and one core relays at least this many G.711 ↔ G.711 channels.
const TARGET_RELAY_CHANNELS: f64 = 1000.0;

fn met(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "NOT met"
    }
}

/// The bare codec's encoder: 48 kHz, complexity 5, 24 kb/s, FEC, no DTX (the
/// pipeline's settings).
fn bare_encoder() -> OpusEncoder {
    OpusEncoder::new(
        SampleRate::Hz48000,
        Application::Voip,
        5,
        24_000,
        true,
        false,
    )
    .unwrap()
}

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
    let mut s = MediaSession::new(
        TransportId(0),
        n,
        ids,
        &MediaConfig::default(),
        Instant::now(),
    )
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
        let mut enc = bare_encoder();
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
    // The line carries synthetic speech and the client another talker. There
    // is no echo path here (the line's signal is not the client's audio come
    // back): the canceller runs and adapts on uncorrelated signals, which is
    // its everyday cost; G.168 behaviour is dsp/tests/g168_*.rs's business.
    let line = voice(1);
    let client = voice(2);
    let opus_packets = packets(true, &client);
    let g711_packets = packets(false, &client);
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--stages") {
        stages(&line, &opus_packets, &g711_packets);
        return;
    }
    // `-- --only opus|opus-nolec|g711|g711-nolec`: one pipeline alone (for a
    // profiler), 10 × ROUNDS runs.
    if let Some(which) = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
    {
        let (opus, lec) = match which.as_str() {
            "opus" => (true, true),
            "opus-nolec" => (true, false),
            "g711" => (false, true),
            "g711-nolec" => (false, false),
            other => {
                eprintln!("--only takes opus, opus-nolec, g711 or g711-nolec, not {other}");
                return;
            }
        };
        let p = if opus { &opus_packets } else { &g711_packets };
        for _ in 0..10 {
            let d = pipeline(opus, lec, &line, p);
            println!("{which}: {:.2} us/frame", d.as_secs_f64() * 1e6);
        }
        return;
    }

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
    let on_top = 100.0 * (full.as_secs_f64() / bare.as_secs_f64() - 1.0);
    println!(
        "pipeline on top of the codec: {:+.1} us = {on_top:+.0} % (target <= +{TARGET_ON_TOP_PERCENT:.0} %: {})",
        (full.as_secs_f64() - bare.as_secs_f64()) * 1e6,
        met(on_top <= TARGET_ON_TOP_PERCENT)
    );
    println!(
        "G.711 <-> G.711 relay, full pipeline (echo canceller 32 ms, DTMF): {:.1} us/frame = {:.0} channels per core (target >= {TARGET_RELAY_CHANNELS:.0}: {})",
        relay.as_secs_f64() * 1e6,
        per_core(relay),
        met(per_core(relay) >= TARGET_RELAY_CHANNELS)
    );
    println!(
        "same with the echo canceller off: Opus {:.1} us/frame ({:+.0} % on the codec), G.711 relay {:.1} us/frame = {:.0} channels per core",
        full_no_lec.as_secs_f64() * 1e6,
        100.0 * (full_no_lec.as_secs_f64() / bare.as_secs_f64() - 1.0),
        relay_no_lec.as_secs_f64() * 1e6,
        per_core(relay_no_lec)
    );
}

/// `cargo bench -p gateway --bench media -- --stages`: where the time goes.
/// First each `MediaSession` call timed on its own (best of ROUNDS per call,
/// so the sum is a little under the headline), for the Opus pipeline and the
/// G.711 relay without echo canceller; then the parts alone, on the signals
/// the Opus pipeline gives them (captured from one run); then why libopus
/// works harder on the pipeline's audio than on the raw line's.
fn stages(line: &[[i16; FRAME_SAMPLES]], packets: &[Vec<u8>], g711_packets: &[Vec<u8>]) {
    let mut played = per_call(true, true, line, packets);
    per_call(false, false, line, g711_packets);

    let time = |f: &mut dyn FnMut()| {
        let mut b = Duration::MAX;
        for _ in 0..ROUNDS {
            let t = Instant::now();
            f();
            b = b.min(t.elapsed());
        }
        b.as_secs_f64() * 1e6 / line.len() as f64
    };
    let canceller = || {
        // The session's: default 32 ms tail, seed from SSRC 1.
        dsp::echo::Canceller::new(dsp::echo::CancellerConfig {
            seed: 1,
            ..Default::default()
        })
        .unwrap()
    };
    // The reference of frame k is what was played at frame k − 1.
    played.insert(0, [0; FRAME_SAMPLES]);
    let mut cancelled = vec![[0i16; FRAME_SAMPLES]; line.len()];
    let mut outgoing = vec![[0i16; FRAME_SAMPLES]; line.len()];
    println!("parts alone, us/frame:");
    let t = time(&mut || {
        let mut c = canceller();
        for ((far, near), o) in played.iter().zip(line).zip(cancelled.iter_mut()) {
            c.process(far, near, o);
        }
    });
    println!("  echo canceller                          {t:7.2}");
    let t = time(&mut || {
        let mut l = dsp::pipeline::LineToIp::default();
        for (i, o) in cancelled.iter().zip(outgoing.iter_mut()) {
            l.process(i, o);
            while let Some(e) = l.poll_event() {
                black_box(e);
            }
        }
    });
    println!("  LineToIp (DTMF detector, squelch, gain) {t:7.2}");
    let t = time(&mut || {
        let mut d = dsp::dtmf::Detector::new(Default::default());
        for i in &cancelled {
            d.process(i);
            while let Some(e) = d.poll_event() {
                black_box(e);
            }
        }
    });
    println!("    of which the DTMF detector            {t:7.2}");
    let upsample = |frames: &[[i16; FRAME_SAMPLES]], wide: &mut [[i16; 960]]| {
        let mut up = Resampler::new(SampleRate::Hz8000, SampleRate::Hz48000).unwrap();
        for (i, o) in frames.iter().zip(wide.iter_mut()) {
            up.process(i, o).unwrap();
        }
    };
    let mut wide_out = vec![[0i16; 960]; line.len()];
    let t = time(&mut || upsample(&outgoing, &mut wide_out));
    println!("  resampler 8 -> 48 kHz                   {t:7.2}");
    let mut wide_raw = vec![[0i16; 960]; line.len()];
    upsample(line, &mut wide_raw);
    let encode = |frames: &[[i16; 960]]| {
        let mut enc = bare_encoder();
        let mut packet = [0u8; 1500];
        for w in frames {
            black_box(enc.encode(w, &mut packet).unwrap());
        }
    };
    let t = time(&mut || encode(&wide_out));
    println!("  libopus encode, the pipeline's audio    {t:7.2}");
    let t = time(&mut || encode(&wide_raw));
    println!("  libopus encode, the raw line (bare)     {t:7.2}");
    let payloads: Vec<&[u8]> = packets
        .iter()
        .map(|p| gateway::media::rtp::parse(p).unwrap().payload)
        .collect();
    let t = time(&mut || {
        let mut dec = OpusDecoder::new(SampleRate::Hz8000).unwrap();
        let mut out = [0i16; 960];
        for p in &payloads {
            black_box(dec.decode(Some(p), false, &mut out).unwrap());
        }
    });
    println!("  libopus decode, the client's packets    {t:7.2}");
    let t = time(&mut || {
        use gateway::media::codec::Decoder;
        use gateway::media::playout::{Playout, PlayoutConfig};
        let mut p = Playout::new(PlayoutConfig::from_ms(0, 200, 20), Decoder::opus().unwrap());
        let mut out = [0i16; FRAME_SAMPLES];
        for (k, pl) in payloads.iter().enumerate() {
            let _ = p.push(960 * k as i64, 960 * k as u32, pl);
            p.pop(&mut out);
            black_box(&out);
        }
    });
    println!("  Playout push + pop (decode included)    {t:7.2}");

    // libopus takes a short cut on digitally silent frames. Where the line
    // is silent, what does the pipeline send instead?
    let silent = |f: &[i16; FRAME_SAMPLES]| f.iter().all(|&s| s == 0);
    let rms =
        |f: &[i16]| (f.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / f.len() as f64).sqrt();
    let zero_where_line_silent: Vec<[i16; 960]> = wide_out
        .iter()
        .zip(line)
        .map(|(w, l)| if silent(l) { [0; 960] } else { *w })
        .collect();
    let t = time(&mut || encode(&zero_where_line_silent));
    println!("  libopus encode, the pipeline's audio zeroed where the line is silent {t:7.2}");
    let mut quiet_reference = canceller();
    let mut o = [0i16; FRAME_SAMPLES];
    let (mut n, mut sent, mut without, mut far) = (0, 0.0, 0.0, 0.0);
    for ((near, f), reference) in line.iter().zip(&outgoing).zip(&played) {
        quiet_reference.process(&[0; FRAME_SAMPLES], near, &mut o);
        if silent(near) {
            n += 1;
            sent += rms(f);
            far += rms(reference);
            without += rms(&o);
        }
    }
    let n = n.max(1) as f64;
    println!(
        "  digitally silent frames: line {}, after the canceller {}, sent {}; where the line is \
         silent the pipeline sends mean RMS {:.0} (the far end there: {:.0}; with a silent \
         reference the canceller gives {:.1})",
        line.iter().filter(|f| silent(f)).count(),
        cancelled.iter().filter(|f| silent(f)).count(),
        outgoing.iter().filter(|f| silent(f)).count(),
        sent / n,
        far / n,
        without / n
    );
}

/// Each `MediaSession` call of a pipeline timed on its own, best of ROUNDS
/// per call (so the sum is a little under the whole); returns the frames
/// played to the line.
fn per_call(
    opus: bool,
    lec: bool,
    line: &[[i16; FRAME_SAMPLES]],
    packets: &[Vec<u8>],
) -> Vec<[i16; FRAME_SAMPLES]> {
    let source = "127.0.0.1:40000".parse().unwrap();
    let names = [
        "receive",
        "process_line",
        "poll_dtmf",
        "transmit",
        "play_to_line",
    ];
    let mut best = [Duration::MAX; 5];
    let mut played = Vec::with_capacity(line.len());
    for round in 0..ROUNDS {
        let mut s = session(opus, lec);
        let mut queue = RtpQueue::new();
        let mut out = [0i16; FRAME_SAMPLES];
        let mut sum = [Duration::ZERO; 5];
        let t0 = Instant::now();
        for (k, (rx, p)) in line.iter().zip(packets).enumerate() {
            let now = t0 + Duration::from_millis(20 * k as u64);
            let a = Instant::now();
            let _ = s.receive(now, source, p);
            let b = Instant::now();
            s.process_line(rx);
            let c = Instant::now();
            while let Some(e) = s.poll_dtmf() {
                black_box(e);
            }
            let d = Instant::now();
            s.transmit(now, &mut queue);
            while let Some(p) = queue.pop_front() {
                black_box(p.len);
            }
            let e = Instant::now();
            s.play_to_line(&mut out);
            black_box(&out);
            let f = Instant::now();
            for (acc, dt) in sum.iter_mut().zip([b - a, c - b, d - c, e - d, f - e]) {
                *acc += dt;
            }
            if round == 0 {
                played.push(out);
            }
        }
        for (b, s) in best.iter_mut().zip(sum) {
            *b = (*b).min(s);
        }
    }
    println!(
        "{}, echo canceller {}, per call (best of {ROUNDS}), us/frame:",
        if opus { "Opus pipeline" } else { "G.711 relay" },
        if lec { "on" } else { "off" }
    );
    let us = |d: Duration| d.as_secs_f64() * 1e6 / line.len() as f64;
    for (n, b) in names.iter().zip(best) {
        println!("  {n:<14} {:7.2}", us(b));
    }
    println!("  {:<14} {:7.2}", "sum", us(best.iter().sum::<Duration>()));
    played
}
