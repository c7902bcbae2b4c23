//! ALSA audio through a device that fails, on real alsa-lib: the `file` plugin
//! writing to `/dev/full` makes `snd_pcm_writei` / `snd_pcm_readi` fail with EIO
//! every few frames until the stream is prepared again (see
//! `tests/asound/.asoundrc`). The call survives: no error reaches the caller, the
//! faulted capture frame is silence and every other frame keeps its place in time.
//! A true over/underrun needs a clocked device (`snd-aloop` in the QEMU image; the
//! `null` PCM here never runs late); the EPIPE path is covered by the unit test
//! `alsa::duplex::tests::injected_overrun_*` around a real `null` PCM.

mod alsa_support;

use alsa_support::*;
use drivers::alsa::{AlsaAudio, AlsaConfig, AlsaTiming, AudioError, PcmConfig, PortRoute};
use drivers::{Frame, PortId, FRAME_SAMPLES};

const FRAMES: usize = 40;

fn one_port(device: String, timing: AlsaTiming) -> AlsaConfig {
    AlsaConfig {
        timing,
        pcms: vec![PcmConfig {
            device,
            channels: 1,
        }],
        routes: vec![PortRoute {
            port: PortId(0),
            pcm: 0,
            channel: 0,
        }],
    }
}

#[test]
fn failing_capture_gives_silence_for_the_lost_frame_and_keeps_timing() {
    use_test_asoundrc();
    let dir = temp_dir("alsa-fault-capture");
    let heard = signal(40, FRAMES * FRAME_SAMPLES);
    write_raw(&dir.join("in.raw"), &heard);
    let said = signal(41, FRAMES * FRAME_SAMPLES);
    let device = format!(
        "line_failing_capture:OUT={},IN={}",
        dir.join("out.raw").display(),
        dir.join("in.raw").display()
    );
    let mut audio = AlsaAudio::open(&one_port(device, AlsaTiming::default())).unwrap();
    let mut rx: [Frame; 1] = [[0; FRAME_SAMPLES]];
    let mut silent = Vec::new();
    for k in 0..FRAMES {
        audio.exchange(&[frame_of(&said, k)], &mut rx).unwrap();
        if rx[0].iter().all(|&s| s == 0) {
            silent.push(k);
        } else {
            assert_eq!(rx[0], frame_of(&heard, k), "frame {k} keeps its place");
        }
    }
    let (play, cap) = audio.stats(0).unwrap();
    assert!(!silent.is_empty(), "the device failed at least once");
    assert_eq!(
        cap.faults,
        silent.len() as u64,
        "silent frames are the faults"
    );
    assert_eq!(cap.recoveries, cap.faults);
    assert_eq!(cap.lost_frames, cap.faults);
    assert_eq!(play.faults, 0);
    drop(audio);
    let out = read_raw(&dir.join("out.raw"));
    assert!(out[FRAME_SAMPLES..] == said[..], "playback is untouched");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn failing_playback_is_recovered_and_capture_goes_on() {
    use_test_asoundrc();
    let dir = temp_dir("alsa-fault-playback");
    let heard = signal(42, FRAMES * FRAME_SAMPLES);
    write_raw(&dir.join("in.raw"), &heard);
    let device = format!("line_failing_playback:IN={}", dir.join("in.raw").display());
    let mut audio = AlsaAudio::open(&one_port(device, AlsaTiming::default())).unwrap();
    let mut rx: [Frame; 1] = [[0; FRAME_SAMPLES]];
    for k in 0..FRAMES {
        audio.exchange(&[[100; FRAME_SAMPLES]], &mut rx).unwrap();
        assert_eq!(rx[0], frame_of(&heard, k), "capture frame {k}");
    }
    let (play, cap) = audio.stats(0).unwrap();
    assert!(play.faults >= 2, "{play:?}");
    assert_eq!(play.recoveries, play.faults);
    assert!(
        play.consecutive <= 1,
        "recovery works: never two faults in a row"
    );
    assert_eq!(cap.faults, 0);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_device_failing_past_the_limit_is_reported_dead() {
    use_test_asoundrc();
    let dir = temp_dir("alsa-fault-dead");
    write_raw(&dir.join("in.raw"), &[]);
    let device = format!("line_failing_playback:IN={}", dir.join("in.raw").display());
    let timing = AlsaTiming {
        fault_limit_frames: 1,
        ..AlsaTiming::default()
    };
    let mut audio = AlsaAudio::open(&one_port(device, timing)).unwrap();
    let mut rx: [Frame; 1] = [[0; FRAME_SAMPLES]];
    let err = (0..FRAMES)
        .find_map(|_| audio.exchange(&[[0; FRAME_SAMPLES]], &mut rx).err())
        .expect("the device fails");
    assert!(matches!(err, AudioError::Dead { frames: 1, .. }), "{err}");
    assert!(err.to_string().contains("line_failing_playback"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}
