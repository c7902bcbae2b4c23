//! `dtmf-compare`: the DTMF receiver conformance suite (`dsp/tests/conformance`)
//! run through our `dsp::dtmf::Detector` and through spandsp 0.0.6 (Debian's
//! `libspandsp-dev`) in one run, on the same generated signals and the same
//! talk-off corpora, plus the time each takes per 20 ms frame on one long
//! signal. Prints a Markdown table (see `docs/PERFORMANCE.md`).
//!
//! Run it optimised: `cargo run --release -p dsp-compare --bin dtmf-compare`.

#[path = "../../tests/conformance/mod.rs"]
mod conformance;

use std::hint::black_box;
use std::time::Instant;

use conformance::{
    bandwidth, decode, dial_tone, dynamic_range, guard_time, signal_to_noise, talk_off, twist,
    Channel, Receiver, FRAME,
};
use dsp::dtmf::Detector;
use dsp_compare::spandsp::dtmf::DtmfRx;

/// spandsp's receiver as a conformance [`Receiver`]; `DIAL_TONE_FILTER`
/// switches on its optional dial-tone notch, every other setting is
/// spandsp's default.
#[derive(Debug)]
struct Spandsp<const DIAL_TONE_FILTER: bool>(DtmfRx);

impl<const DIAL_TONE_FILTER: bool> Receiver for Spandsp<DIAL_TONE_FILTER> {
    const NAME: &'static str = if DIAL_TONE_FILTER {
        "spandsp (dial-tone filter)"
    } else {
        "spandsp"
    };

    fn new() -> Self {
        Self(DtmfRx::new(DIAL_TONE_FILTER))
    }

    fn process(&mut self, samples: &[i16]) {
        self.0.process(samples);
    }

    fn take_digits(&mut self, out: &mut String) {
        self.0.take_digits(out);
    }
}

type Reference = Spandsp<false>;

/// One table row: test, criterion, our cell, spandsp's cell.
struct Row {
    test: String,
    criterion: &'static str,
    ours: String,
    theirs: String,
}

/// `f` for each channel, joined with " / ".
fn per_channel(f: impl Fn(Channel) -> String) -> String {
    Channel::ALL.map(f).join(" / ")
}

fn both<T>(
    rows: &mut Vec<Row>,
    test: &str,
    criterion: &'static str,
    ours: impl Fn(Channel) -> T,
    theirs: impl Fn(Channel) -> T,
    cell: impl Fn(&T) -> String,
) {
    eprintln!("running {test} ...");
    rows.push(Row {
        test: test.to_string(),
        criterion,
        ours: per_channel(|ch| cell(&ours(ch))),
        theirs: per_channel(|ch| cell(&theirs(ch))),
    });
}

fn opt<T: std::fmt::Display>(x: Option<T>) -> String {
    x.map_or("none".to_string(), |v| v.to_string())
}

/// Best of `rounds` timings of feeding `signal` to a fresh `R` frame by
/// frame; nanoseconds per 20 ms frame.
fn ns_per_frame<R: Receiver>(signal: &[i16], rounds: usize) -> f64 {
    let mut best = f64::MAX;
    let mut digits = String::new();
    for _ in 0..rounds {
        let mut rx = R::new();
        let t = Instant::now();
        for frame in signal.chunks(FRAME) {
            rx.process(black_box(frame));
            rx.take_digits(&mut digits);
        }
        let ns = t.elapsed().as_nanos() as f64;
        best = best.min(ns / signal.len().div_ceil(FRAME) as f64);
        black_box(&digits);
        digits.clear();
    }
    best
}

fn main() {
    let mut rows = Vec::new();

    both(
        &mut rows,
        "1 decode: bursts with exactly one correct digit",
        "160/160",
        decode::run::<Detector>,
        decode::run::<Reference>,
        |s| format!("{}/{}", s.exact, s.slots),
    );
    both(
        &mut rows,
        "2 bandwidth: accepted ±% (narrowest tone), widest % accepted, wrong digits",
        "≥ ±1.5 % (+2 Hz), nothing > 3.5 %",
        bandwidth::run::<Detector>,
        bandwidth::run::<Reference>,
        |b| {
            format!(
                "±{:.1}, {:.1}, {}",
                b.narrowest_pct(),
                b.widest_pct(),
                b.wrong
            )
        },
    );
    both(
        &mut rows,
        "3 twist, dB accepted (worst digit): column louder / row louder",
        "≥ 8 / ≥ 4 (TELEPHONY.md; spandsp's convention is ≥ 4 / ≥ 8)",
        twist::run::<Detector>,
        twist::run::<Reference>,
        |t| format!("{:.1}/{:.1}", t.normal_db, t.reverse_db),
    );
    both(
        &mut rows,
        "4 dynamic range: dB (all 16 digits per 1 dB level)",
        "≥ 35",
        dynamic_range::run::<Detector>,
        dynamic_range::run::<Reference>,
        |r| format!("{} ({}..{:+})", r.range_db(), r.low_dbm0, r.high_dbm0),
    );
    both(
        &mut rows,
        "5 guard time: shortest pulse detected / all 16 detected from, ms",
        "≥ 20 / ≤ 40",
        guard_time::run::<Detector>,
        guard_time::run::<Reference>,
        |g| {
            format!(
                "{}/{}",
                opt(g.shortest_detected_ms()),
                opt(g.all_detected_from_ms())
            )
        },
    );
    both(
        &mut rows,
        "6 S/N: lowest passing dB (1000 bursts), wrong digits",
        "≤ 26, 0 wrong",
        signal_to_noise::run::<Detector>,
        signal_to_noise::run::<Reference>,
        |r| format!("{}, {}", opt(r.lowest_passing_db), r.wrong()),
    );
    both(
        &mut rows,
        "7 dial tone: lowest digit-to-dial-tone ratio passing, dB",
        "≤ 10",
        dial_tone::run::<Detector>,
        dial_tone::run::<Reference>,
        |r| opt(r.ratio_db()),
    );
    let filtered = per_channel(|ch| opt(dial_tone::run::<Spandsp<true>>(ch).ratio_db()));

    // Talk-off, and one long signal for timing: every corpus plus the decode
    // and 9 dB S/N tapes.
    let mut long: Vec<i16> = decode::tape().render(Channel::Linear);
    let mut snr = signal_to_noise::tape();
    snr.add_noise(
        signal_to_noise::SEED,
        (signal_to_noise::LEVEL_DBM0 - 9.0) as f32,
    );
    long.extend(snr.render(Channel::Linear));
    let corpora = talk_off::available();
    if corpora.is_empty() {
        eprintln!(
            "talk-off: no corpus under {} or {}; run scripts/setup.sh --test",
            talk_off::SOUNDS_DIR,
            talk_off::MUSIC_DIR
        );
    }
    let mut talk_rows = Vec::new();
    for (name, dir) in corpora {
        let Some(corpus) = talk_off::load(&name, &dir) else {
            continue;
        };
        eprintln!("running talk-off {name} ...");
        let cell = |r: &talk_off::TalkOff| format!("{}", r.hits.len());
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        for ch in [Channel::Linear, Channel::Ulaw] {
            let o = talk_off::run::<Detector>(&corpus, ch);
            let t = talk_off::run::<Reference>(&corpus, ch);
            for h in &o.hits {
                eprintln!(
                    "  {} [{}] {} at {:.2} s: {}",
                    Detector::NAME,
                    ch.name(),
                    h.path.display(),
                    h.at_s,
                    h.digit
                );
            }
            for h in &t.hits {
                eprintln!(
                    "  {} [{}] {} at {:.2} s: {}",
                    Reference::NAME,
                    ch.name(),
                    h.path.display(),
                    h.at_s,
                    h.digit
                );
            }
            ours.push(cell(&o));
            theirs.push(cell(&t));
        }
        talk_rows.push(Row {
            test: format!(
                "8 talk-off {name} ({:.2} h, {} files): false digits raw / µ-law",
                corpus.seconds() / 3600.0,
                corpus.clips.len()
            ),
            criterion: "0 (≤ 1 per hour)",
            ours: ours.join(" / "),
            theirs: theirs.join(" / "),
        });
        for clip in corpus.clips {
            long.extend(clip.samples);
        }
    }
    rows.extend(talk_rows);

    eprintln!(
        "timing over {:.0} s of audio ...",
        long.len() as f64 / 8000.0
    );
    let rounds = 5;
    let t_ours = ns_per_frame::<Detector>(&long, rounds);
    let t_ref = ns_per_frame::<Reference>(&long, rounds);

    println!(
        "| test | pass criterion | {} (linear / µ-law / A-law) | {} (linear / µ-law / A-law) |",
        Detector::NAME,
        Reference::NAME
    );
    println!("|---|---|---|---|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {} |",
            r.test, r.criterion, r.ours, r.theirs
        );
    }
    println!(
        "| time per 20 ms frame, µs (best of {rounds}, {:.0} s of audio) | ours ≥ 1.5× faster | {:.2} | {:.2} |",
        long.len() as f64 / 8000.0,
        t_ours / 1000.0,
        t_ref / 1000.0
    );
    println!();
    println!("speed ratio (spandsp time / ours): {:.2}×", t_ref / t_ours);
    println!("spandsp with its dial-tone filter on, test 7: {filtered} dB");
}
