//! A counting global allocator proves that a call's media path makes no heap
//! allocation per frame in steady state: RTP in, line frame in, packets out,
//! line frame out, for G.711 and for Opus, with acoustic echo control off (the
//! default) and on.
//!
//! With acoustic echo control on and the `webrtc-aec` feature built (the
//! default), the WebRTC processor runs 2 render + 2 capture calls of 10 ms per
//! 20 ms frame. `webrtc-audio-processing` 0.5.0 as published allocated once in
//! each (a fresh `Vec<*mut f32>` of channel pointers before calling C), 4 per
//! frame; the workspace builds it patched (`gateway/vendor/webrtc-audio-processing`,
//! PATCHES.md there) to gather the pointers in a stack array, so it makes none.
//! `crate_makes_no_allocation_per_call` checks every per-frame entry point of
//! the crate on its own, so an update that brings the allocation back fails
//! there as well as in the session tests. Without the feature, the half-duplex
//! suppressor runs and allocates nothing.
//!
//! What it cannot see: allocations inside C libraries (libopus allocates its
//! state once at construction and none per frame by design; WebRTC's
//! AudioProcessing is C++, and heaptrack saw none per frame), which do not go
//! through Rust's allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::{Duration, Instant};

mod media_support;
use dsp::FRAME_SAMPLES;
use gateway::config::MediaConfig;
use gateway::media::codec::{Encoder, OpusSettings};
use gateway::media::rtp::{PayloadType, RtpSender, RtpTimestamp, Ssrc, PT_PCMU};
use gateway::media::session::RtpQueue;
use media_support::{session, ClientCodec};

struct Counting;

thread_local! {
    /// Allocations made by this thread (tests run on threads side by side;
    /// each counts only its own). `const` and `Cell`: touching it never
    /// allocates.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count_one() {
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

// SAFETY: forwards to the system allocator unchanged; only counts.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations during `frames` frames after `warmup` frames, with acoustic
/// echo control on or off.
fn allocations_per_call(codec: ClientCodec, aec: bool, warmup: usize, frames: usize) -> u64 {
    let t0 = Instant::now();
    let config = MediaConfig {
        jitter_min_ms: 20,
        ..MediaConfig::default()
    };
    let mut gw = session(codec, &config, t0);
    gw.set_acoustic_echo_control(aec);
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
    // A packet held back to arrive after its successor.
    let mut held = [0u8; 1600];
    let mut held_len = 0;
    let mut before = 0;
    for k in 0..warmup + frames {
        if k == warmup {
            before = allocations();
        }
        let now = t0 + Duration::from_millis(20 * k as u64);
        voice.fill(&mut pcm);
        let n = encoder.encode(&pcm, &mut payload).unwrap();
        let len = client.audio(pt, &payload[..n], units, &mut packet).unwrap();
        // Every 7th packet lost, every 11th held back and delivered after
        // the next one that arrives (reordered): the loss and reorder paths
        // run too.
        if k % 7 == 3 {
            // Lost.
        } else if k % 11 == 5 {
            held[..len].copy_from_slice(&packet[..len]);
            held_len = len;
        } else {
            gw.receive(now, source, &packet[..len]).unwrap();
            if held_len > 0 {
                gw.receive(now, source, &held[..held_len]).unwrap();
                held_len = 0;
            }
        }
        voice.fill(&mut line_in);
        gw.process_line(&line_in);
        while gw.poll_dtmf().is_some() {}
        gw.transmit(now, &mut queue);
        while queue.pop_front().is_some() {}
        gw.play_to_line(&mut line_out);
    }
    let allocated = allocations() - before;
    // Every packet not lost reached the session, the reordered ones included.
    let sent = (0..warmup + frames).filter(|k| k % 7 != 3).count() as u64;
    let stats = gw.stats();
    assert_eq!(stats.packets_received, sent - held_len.min(1) as u64);
    allocated
}

#[test]
fn no_allocation_per_frame_g711() {
    assert_eq!(allocations_per_call(ClientCodec::Pcmu, false, 300, 1000), 0);
}

#[test]
fn no_allocation_per_frame_opus() {
    assert_eq!(allocations_per_call(ClientCodec::Opus, false, 300, 1000), 0);
}

#[test]
fn no_allocation_per_frame_with_acoustic_echo_control_g711() {
    assert_eq!(allocations_per_call(ClientCodec::Pcmu, true, 300, 1000), 0);
}

#[test]
fn no_allocation_per_frame_with_acoustic_echo_control_opus() {
    assert_eq!(allocations_per_call(ClientCodec::Opus, true, 300, 1000), 0);
}

#[cfg(feature = "webrtc-aec")]
fn echo_canceller() -> webrtc_audio_processing::Processor {
    use webrtc_audio_processing as wap;
    let mut processor = wap::Processor::new(&wap::InitializationConfig {
        num_capture_channels: 1,
        num_render_channels: 1,
        ..wap::InitializationConfig::default()
    })
    .unwrap();
    processor.set_config(wap::Config {
        echo_cancellation: Some(wap::EchoCancellation {
            suppression_level: wap::EchoCancellationSuppressionLevel::Moderate,
            enable_extended_filter: true,
            enable_delay_agnostic: true,
            stream_delay_ms: None,
        }),
        ..wap::Config::default()
    });
    processor
}

/// The patched crate on its own: no allocation in any call a frame may make,
/// whichever processing entry point (they all end in
/// `AudioProcessing::process_*_frame`, where 0.5.0 allocated).
#[cfg(feature = "webrtc-aec")]
#[test]
fn crate_makes_no_allocation_per_call() {
    use webrtc_audio_processing as wap;
    let mut processor = echo_canceller();
    let mut frame = [0.0f32; wap::NUM_SAMPLES_PER_FRAME as usize];
    let mut channels = vec![vec![0.0f32; wap::NUM_SAMPLES_PER_FRAME as usize]];
    let count = |f: &mut dyn FnMut()| {
        let before = allocations();
        f();
        allocations() - before
    };
    for _ in 0..10 {
        processor.process_render_frame(&mut frame).unwrap();
        processor.process_capture_frame(&mut frame).unwrap();
    }
    assert_eq!(
        count(&mut || processor.process_render_frame(&mut frame).unwrap()),
        0
    );
    assert_eq!(
        count(&mut || processor.process_capture_frame(&mut frame).unwrap()),
        0
    );
    assert_eq!(
        count(&mut || {
            processor
                .process_render_frame_noninterleaved(&mut channels)
                .unwrap()
        }),
        0
    );
    assert_eq!(
        count(&mut || {
            processor
                .process_capture_frame_noninterleaved(&mut channels)
                .unwrap()
        }),
        0
    );
    assert_eq!(
        count(&mut || {
            let _ = processor.get_stats();
        }),
        0
    );
    assert_eq!(count(&mut || processor.set_output_will_be_muted(false)), 0);
}

/// The patch's fixed pointer array holds `MAX_CHANNELS` channels; a frame with
/// more is refused with the crate's error (WebRTC's
/// `kBadNumberChannelsError`), neither a panic nor a write past the array.
#[cfg(feature = "webrtc-aec")]
#[test]
fn crate_refuses_more_channels_than_its_pointer_array() {
    use webrtc_audio_processing as wap;
    let mut processor = echo_canceller();
    let mut channels =
        vec![vec![0.0f32; wap::NUM_SAMPLES_PER_FRAME as usize]; wap::MAX_CHANNELS + 1];
    let error = processor
        .process_capture_frame_noninterleaved(&mut channels)
        .unwrap_err();
    assert!(error.to_string().ends_with("-9"), "{error}");
    assert!(processor
        .process_render_frame_noninterleaved(&mut channels)
        .is_err());
}
