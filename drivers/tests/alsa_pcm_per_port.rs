//! ALSA audio, one mono PCM per port, through real alsa-lib (`file` over `null`
//! PCMs from `tests/asound/.asoundrc`): what the gateway sends a port comes out in
//! that port's file after the playback prefill, and a port's infile comes in as its
//! rx frames, frame for frame. alsa-lib's `null` PCM never blocks, so these tests
//! run at full speed with no waits.

mod alsa_support;

use alsa_support::*;
use drivers::alsa::{AlsaAudio, AlsaConfig, AlsaTiming, PcmConfig, Period, PortRoute};
use drivers::{Frame, PortId, FRAME_SAMPLES};

const FRAMES: usize = 25; // half a second

fn two_ports(dir: &std::path::Path, timing: AlsaTiming) -> AlsaConfig {
    let pcm = |p: usize| PcmConfig {
        device: format!(
            "line:OUT={},IN={}",
            dir.join(format!("out{p}.raw")).display(),
            dir.join(format!("in{p}.raw")).display()
        ),
        channels: 1,
    };
    AlsaConfig {
        timing,
        pcms: vec![pcm(0), pcm(1)],
        routes: vec![
            PortRoute {
                port: PortId(0),
                pcm: 0,
                channel: 0,
            },
            PortRoute {
                port: PortId(1),
                pcm: 1,
                channel: 0,
            },
        ],
    }
}

fn run(timing: AlsaTiming, test: &str) {
    use_test_asoundrc();
    let dir = temp_dir(test);
    let heard = [
        signal(1, FRAMES * FRAME_SAMPLES),
        signal(2, FRAMES * FRAME_SAMPLES),
    ];
    write_raw(&dir.join("in0.raw"), &heard[0]);
    write_raw(&dir.join("in1.raw"), &heard[1]);
    let said = [
        signal(3, FRAMES * FRAME_SAMPLES),
        signal(4, FRAMES * FRAME_SAMPLES),
    ];

    let mut audio = AlsaAudio::open(&two_ports(&dir, timing)).unwrap();
    let mut rx: [Frame; 2] = [[0; FRAME_SAMPLES]; 2];
    for k in 0..FRAMES {
        let tx = [frame_of(&said[0], k), frame_of(&said[1], k)];
        audio.exchange(&tx, &mut rx).unwrap();
        assert_eq!(rx[0], frame_of(&heard[0], k), "port 0 rx frame {k}");
        assert_eq!(rx[1], frame_of(&heard[1], k), "port 1 rx frame {k}");
    }
    let (play, cap) = audio.stats(0).unwrap();
    assert_eq!((play.faults, cap.faults), (0, 0));
    assert_eq!((play.frames, cap.frames), (FRAMES as u64, FRAMES as u64));
    drop(audio); // the file plugin flushes on close

    let prefill = timing.playback_prefill_frames as usize * FRAME_SAMPLES;
    for (p, said) in said.iter().enumerate() {
        let out = read_raw(&dir.join(format!("out{p}.raw")));
        assert_eq!(out.len(), prefill + FRAMES * FRAME_SAMPLES, "port {p}");
        assert!(out[..prefill].iter().all(|&s| s == 0), "prefill is silence");
        assert!(out[prefill..] == said[..], "port {p} playback");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn audio_in_and_out_of_each_port_with_20_ms_periods() {
    run(AlsaTiming::default(), "alsa-20ms");
}

#[test]
fn audio_in_and_out_of_each_port_with_10_ms_periods_and_two_frames_prefill() {
    run(
        AlsaTiming {
            period_ms: Period::Ms10,
            buffer_periods: 8,
            playback_prefill_frames: 2,
            ..AlsaTiming::default()
        },
        "alsa-10ms",
    );
}

#[test]
fn an_unknown_device_name_is_an_open_error_naming_it() {
    use_test_asoundrc();
    let config = AlsaConfig {
        timing: AlsaTiming::default(),
        pcms: vec![PcmConfig {
            device: "no_such_pcm_here".into(),
            channels: 1,
        }],
        routes: vec![],
    };
    let err = AlsaAudio::open(&config).unwrap_err();
    assert!(err.to_string().contains("no_such_pcm_here"), "{err}");
}
