//! ALSA audio on one multi-channel (TDM) PCM, through real alsa-lib: ports map to
//! slots crosswise (port 0 on slot 1, port 1 on slot 0), playback goes through the
//! `plug` and `multi` plugins that split the slots into one file each, capture
//! de-interleaves a 2-channel infile. A third port on its own mono PCM shows both
//! wirings on one card. alsa-lib's `null` PCM never blocks: no waits.

mod alsa_support;

use alsa_support::*;
use drivers::alsa::{AlsaAudio, AlsaConfig, AlsaTiming, PcmConfig, PortRoute};
use drivers::{Frame, PortId, FRAME_SAMPLES};

const FRAMES: usize = 10;

#[test]
fn ports_map_to_their_tdm_slots_both_ways() {
    use_test_asoundrc();
    let dir = temp_dir("alsa-tdm");
    let n = FRAMES * FRAME_SAMPLES;
    let slot_in = [signal(10, n), signal(11, n)];
    let interleaved: Vec<i16> = (0..n)
        .flat_map(|i| [slot_in[0][i], slot_in[1][i]])
        .collect();
    write_raw(&dir.join("in.raw"), &interleaved);
    let mono_in = signal(12, n);
    write_raw(&dir.join("mono_in.raw"), &mono_in);

    let config = AlsaConfig {
        timing: AlsaTiming {
            playback_prefill_frames: 0,
            ..AlsaTiming::default()
        },
        pcms: vec![
            PcmConfig {
                device: format!(
                    "tdm2:OUT0={},OUT1={},IN={}",
                    dir.join("slot0.raw").display(),
                    dir.join("slot1.raw").display(),
                    dir.join("in.raw").display()
                ),
                channels: 2,
            },
            PcmConfig {
                device: format!(
                    "line:OUT={},IN={}",
                    dir.join("mono_out.raw").display(),
                    dir.join("mono_in.raw").display()
                ),
                channels: 1,
            },
        ],
        routes: vec![
            PortRoute {
                port: PortId(0),
                pcm: 0,
                channel: 1,
            },
            PortRoute {
                port: PortId(1),
                pcm: 0,
                channel: 0,
            },
            PortRoute {
                port: PortId(2),
                pcm: 1,
                channel: 0,
            },
        ],
    };
    let said = [signal(20, n), signal(21, n), signal(22, n)];
    let mut audio = AlsaAudio::open(&config).unwrap();
    let mut rx: [Frame; 3] = [[0; FRAME_SAMPLES]; 3];
    for k in 0..FRAMES {
        let tx = [
            frame_of(&said[0], k),
            frame_of(&said[1], k),
            frame_of(&said[2], k),
        ];
        audio.exchange(&tx, &mut rx).unwrap();
        assert_eq!(
            rx[0],
            frame_of(&slot_in[1], k),
            "port 0 hears slot 1, frame {k}"
        );
        assert_eq!(
            rx[1],
            frame_of(&slot_in[0], k),
            "port 1 hears slot 0, frame {k}"
        );
        assert_eq!(
            rx[2],
            frame_of(&mono_in, k),
            "port 2 hears its own PCM, frame {k}"
        );
    }
    drop(audio);
    assert!(
        read_raw(&dir.join("slot1.raw")) == said[0],
        "port 0 plays on slot 1"
    );
    assert!(
        read_raw(&dir.join("slot0.raw")) == said[1],
        "port 1 plays on slot 0"
    );
    assert!(
        read_raw(&dir.join("mono_out.raw")) == said[2],
        "port 2 plays on its PCM"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_unrouted_slot_plays_silence() {
    use_test_asoundrc();
    let dir = temp_dir("alsa-tdm-unrouted");
    write_raw(&dir.join("in.raw"), &[]);
    let config = AlsaConfig {
        timing: AlsaTiming {
            playback_prefill_frames: 0,
            ..AlsaTiming::default()
        },
        pcms: vec![PcmConfig {
            device: format!(
                "tdm2:OUT0={},OUT1={},IN={}",
                dir.join("slot0.raw").display(),
                dir.join("slot1.raw").display(),
                dir.join("in.raw").display()
            ),
            channels: 2,
        }],
        routes: vec![PortRoute {
            port: PortId(0),
            pcm: 0,
            channel: 0,
        }],
    };
    let mut audio = AlsaAudio::open(&config).unwrap();
    let said = signal(30, FRAMES * FRAME_SAMPLES);
    let mut rx: [Frame; 1] = [[0; FRAME_SAMPLES]];
    for k in 0..FRAMES {
        audio.exchange(&[frame_of(&said, k)], &mut rx).unwrap();
        // An exhausted infile leaves the null PCM's silence.
        assert!(rx[0].iter().all(|&s| s == 0));
    }
    drop(audio);
    assert!(read_raw(&dir.join("slot0.raw")) == said);
    let slot1 = read_raw(&dir.join("slot1.raw"));
    assert_eq!(slot1.len(), said.len());
    assert!(slot1.iter().all(|&s| s == 0));
    std::fs::remove_dir_all(dir).unwrap();
}
