//! A counting global allocator proves that a call's media path makes no heap
//! allocation per frame in steady state: RTP in, line frame in, packets out,
//! line frame out, for G.711 and for Opus.
//!
//! What it cannot see: allocations inside C libraries (libopus allocates its
//! state once at construction and none per frame by design; WebRTC's
//! AudioProcessing is C++), which do not go through Rust's allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

mod media_support;
use dsp::FRAME_SAMPLES;
use gateway::config::MediaConfig;
use gateway::media::codec::{Encoder, OpusSettings};
use gateway::media::rtp::{PayloadType, RtpSender, RtpTimestamp, Ssrc, PT_PCMU};
use gateway::media::session::RtpQueue;
use media_support::{session, ClientCodec};

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations during `frames` frames after `warmup` frames.
fn allocations_per_call(codec: ClientCodec, warmup: usize, frames: usize) -> u64 {
    let t0 = Instant::now();
    let config = MediaConfig {
        jitter_min_ms: 20,
        ..MediaConfig::default()
    };
    let mut gw = session(codec, &config, t0);
    let mut encoder = match codec {
        ClientCodec::Pcmu => Encoder::G711(dsp::g711::Law::Ulaw),
        ClientCodec::Opus => Encoder::opus(OpusSettings {
            encode_rate: dsp::rate::SampleRate::Hz48000,
            bitrate: 32_000,
            complexity: 5,
            fec: true,
            dtx: false,
        })
        .unwrap(),
    };
    let (pt, units) = match codec {
        ClientCodec::Pcmu => (PT_PCMU, 160),
        ClientCodec::Opus => (PayloadType(111), 960),
    };
    let mut client = RtpSender::new(Ssrc(9), 0, RtpTimestamp(0));
    let mut voice = dsp::voice::Voice::new(1);
    let mut queue = RtpQueue::new();
    let source = "127.0.0.1:40000".parse().unwrap();
    let mut pcm = [0i16; FRAME_SAMPLES];
    let mut line_in = [0i16; FRAME_SAMPLES];
    let mut line_out = [0i16; FRAME_SAMPLES];
    let mut payload = [0u8; 1500];
    let mut packet = [0u8; 1600];
    let mut before = 0;
    for k in 0..warmup + frames {
        if k == warmup {
            before = ALLOCATIONS.load(Ordering::Relaxed);
        }
        let now = t0 + Duration::from_millis(20 * k as u64);
        voice.fill(&mut pcm);
        let n = encoder.encode(&pcm, &mut payload).unwrap();
        let len = client.audio(pt, &payload[..n], units, &mut packet).unwrap();
        // Every 7th packet lost, every 11th reordered: the loss and
        // reorder paths run too.
        if k % 7 != 3 {
            gw.receive(now, source, &packet[..len]).unwrap();
        }
        voice.fill(&mut line_in);
        gw.process_line(&line_in);
        while gw.poll_dtmf().is_some() {}
        gw.transmit(now, &mut queue);
        while queue.pop_front().is_some() {}
        gw.play_to_line(&mut line_out);
    }
    ALLOCATIONS.load(Ordering::Relaxed) - before
}

#[test]
fn no_allocation_per_frame_g711() {
    assert_eq!(allocations_per_call(ClientCodec::Pcmu, 300, 1000), 0);
}

#[test]
fn no_allocation_per_frame_opus() {
    assert_eq!(allocations_per_call(ClientCodec::Opus, 300, 1000), 0);
}
