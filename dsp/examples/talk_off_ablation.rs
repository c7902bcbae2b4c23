//! What each whole-tone check of the DTMF receiver contributes: the talk-off
//! corpus (`scripts/talk-off-corpus.sh`), linear channel, one stream and file
//! by file at four alignments, with all checks, with each one switched off,
//! and with none. Prints a Markdown table (docs/PERFORMANCE.md).
//!
//! `cargo run --release -p dsp --example talk_off_ablation`

#[path = "../tests/conformance/mod.rs"]
mod conformance;

use conformance::talk_off::{self, ALIGNMENTS};
use conformance::FRAME;
use dsp::dtmf::{Detector, DetectorConfig, DtmfEvent, WholeToneChecks};

fn digits(cfg: DetectorConfig, samples: &[i16], lead: usize, rx: Option<&mut Detector>) -> usize {
    let mut own = Detector::new(cfg);
    let rx = rx.unwrap_or(&mut own);
    let mut n = 0;
    let silence = vec![0i16; lead];
    for frame in silence
        .iter()
        .chain(samples)
        .copied()
        .collect::<Vec<_>>()
        .chunks(FRAME)
    {
        rx.process(frame);
        while let Some(e) = rx.poll_event() {
            n += usize::from(matches!(e, DtmfEvent::Start { .. }));
        }
    }
    n
}

fn main() {
    let sources = match talk_off::sources() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("talk-off: {e}");
            return;
        }
    };
    let all = WholeToneChecks::default();
    let none = WholeToneChecks {
        onset: false,
        in_band: false,
        harmonics: false,
        frequency_pair: false,
    };
    let configs: [(&str, WholeToneChecks); 6] = [
        ("all checks", all),
        (
            "without onset",
            WholeToneChecks {
                onset: false,
                ..all
            },
        ),
        (
            "without in-band",
            WholeToneChecks {
                in_band: false,
                ..all
            },
        ),
        (
            "without harmonics",
            WholeToneChecks {
                harmonics: false,
                ..all
            },
        ),
        (
            "without frequency pair",
            WholeToneChecks {
                frequency_pair: false,
                ..all
            },
        ),
        ("no whole-tone check", none),
    ];
    let mut totals = [(0usize, 0usize); 6];
    let mut hours = 0.0;
    for source in sources {
        let Ok(corpus) = talk_off::load(&source) else {
            continue;
        };
        eprintln!("{} ...", corpus.name);
        hours += corpus.seconds() / 3600.0;
        for (t, (_, checks)) in totals.iter_mut().zip(configs) {
            let cfg = DetectorConfig {
                whole_tone: checks,
                ..DetectorConfig::default()
            };
            let mut stream = Detector::new(cfg);
            for clip in &corpus.clips {
                t.0 += digits(cfg, &clip.samples, 0, Some(&mut stream));
                for lead in ALIGNMENTS {
                    t.1 += digits(cfg, &clip.samples, lead, None);
                }
            }
        }
    }
    println!("Talk-off, linear, {hours:.2} h: false digits in one stream / file by file at {} alignments\n", ALIGNMENTS.len());
    println!("| receiver | stream | per file |");
    println!("|---|---|---|");
    for ((name, _), (s, f)) in configs.iter().zip(totals) {
        println!("| {name} | {s} | {f} |");
    }
}
