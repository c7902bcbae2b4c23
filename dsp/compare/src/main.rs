//! `dtmf-compare`: the DTMF receiver conformance suite (`dsp/tests/conformance`)
//! run through our `dsp::dtmf::Detector` and through spandsp 0.0.6 (Debian's
//! `libspandsp-dev`) in one run, on the same generated signals and the same
//! talk-off corpus (`scripts/talk-off-corpus.sh`), plus the cost of each per
//! 20 ms frame: instructions counted by callgrind (see [`cost`]) and time on
//! one long signal. Prints Markdown tables (see `docs/PERFORMANCE.md`).
//!
//! Run it optimised: `cargo run --release -p dsp-compare --bin dtmf-compare`.
//! `--no-callgrind` skips the instruction counts (valgrind not installed).

#[path = "../../tests/conformance/mod.rs"]
mod conformance;
mod cost;

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
        self.0.process_observed(samples);
    }

    fn take_digits(&mut self, out: &mut String) {
        self.0.take_digits(out);
    }

    fn near_misses(&self) -> u64 {
        self.0.near_misses()
    }
}

type Reference = Spandsp<false>;

/// spandsp fed straight through `dtmf_rx` (no per-block observation), for
/// the cost measurements.
#[derive(Debug)]
struct SpandspPlain(DtmfRx);

impl Receiver for SpandspPlain {
    const NAME: &'static str = "spandsp";

    fn new() -> Self {
        Self(DtmfRx::new(false))
    }

    fn process(&mut self, samples: &[i16]) {
        self.0.process(samples);
    }

    fn take_digits(&mut self, out: &mut String) {
        self.0.take_digits(out);
    }

    fn near_misses(&self) -> u64 {
        0
    }
}

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
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--cost-child") {
        match args.get(i + 1).map(String::as_str) {
            Some("ours") => cost::child::<Detector>(),
            Some("spandsp") => cost::child::<SpandspPlain>(),
            other => eprintln!("--cost-child: want ours or spandsp, got {other:?}"),
        }
        return;
    }
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

    let talk = talk_off_rows();

    let long = cost::signal();
    eprintln!(
        "timing over {:.0} s of audio ...",
        long.len() as f64 / 8000.0
    );
    let rounds = 5;
    let t_ours = ns_per_frame::<Detector>(&long, rounds);
    let t_ref = ns_per_frame::<SpandspPlain>(&long, rounds);
    let instructions = if std::env::args().any(|a| a == "--no-callgrind") {
        None
    } else {
        eprintln!("counting instructions under callgrind ...");
        Some((
            cost::instructions_per_frame("ours"),
            cost::instructions_per_frame("spandsp"),
        ))
    };

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
    match &instructions {
        Some((Ok(ours), Ok(theirs))) => println!(
            "| instructions per 20 ms frame (callgrind, {:.0} s of audio) | ≤ 3 500 (≥ 3× fewer than spandsp) | {ours:.0} | {theirs:.0} |",
            long.len() as f64 / 8000.0
        ),
        Some((o, t)) => eprintln!("callgrind: ours {o:?}, spandsp {t:?}"),
        None => {}
    }
    println!(
        "| time per 20 ms frame, µs (best of {rounds}, {:.0} s of audio) | – | {:.2} | {:.2} |",
        long.len() as f64 / 8000.0,
        t_ours / 1000.0,
        t_ref / 1000.0
    );
    println!();
    if let Some((Ok(ours), Ok(theirs))) = &instructions {
        println!("instruction ratio (spandsp / ours): {:.2}×", theirs / ours);
    }
    println!("speed ratio (spandsp time / ours): {:.2}×", t_ref / t_ours);
    println!("spandsp with its dial-tone filter on, test 7: {filtered} dB");
    println!();
    println!("{talk}");
}

/// Counts for one receiver over a set of runs.
#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    stream: usize,
    per_file: usize,
    near_stream: u64,
    near_per_file: u64,
}

impl Tally {
    fn add(&mut self, r: &talk_off::Runs) {
        self.stream += r.stream.hits.len();
        self.per_file += r.per_file.hits.len();
        self.near_stream += r.stream.near_misses;
        self.near_per_file += r.per_file.near_misses;
    }

    fn cell(&self) -> String {
        format!(
            "{} / {} ({} / {})",
            self.stream, self.per_file, self.near_stream, self.near_per_file
        )
    }
}

fn print_hits<R: Receiver>(ch: Channel, runs: &talk_off::Runs) {
    for (how, r) in [("stream", &runs.stream), ("per file", &runs.per_file)] {
        for h in &r.hits {
            eprintln!(
                "  {} [{}] {how}: {} at {:.2} s: {}",
                R::NAME,
                ch.name(),
                h.path.display(),
                h.at_s,
                h.digit
            );
        }
    }
}

/// Test 8 on every source of the corpus, both receivers, every channel: a
/// Markdown table, one row per source plus totals per kind.
fn talk_off_rows() -> String {
    use std::fmt::Write as _;
    let sources = match talk_off::sources() {
        Ok(s) => s,
        Err(missing) => return format!("talk-off: not run, {missing}"),
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Talk-off: false digits in one stream / file by file at {} alignments \
         (near-misses in the same runs), per channel linear; µ-law; A-law\n",
        talk_off::ALIGNMENTS.len()
    );
    let _ = writeln!(
        out,
        "| source | hours | files | {} | {} |",
        Detector::NAME,
        Reference::NAME
    );
    let _ = writeln!(out, "|---|---|---|---|---|");
    let mut kinds: Vec<(String, f64, [Tally; 3], [Tally; 3])> = Vec::new();
    for source in sources {
        let corpus = match talk_off::load(&source) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("talk-off: {e}");
                continue;
            }
        };
        eprintln!("running talk-off {} ...", corpus.name);
        let mut ours = [Tally::default(); 3];
        let mut theirs = [Tally::default(); 3];
        for (i, ch) in Channel::ALL.into_iter().enumerate() {
            let o = talk_off::run::<Detector>(&corpus, ch);
            let t = talk_off::run::<Reference>(&corpus, ch);
            print_hits::<Detector>(ch, &o);
            print_hits::<Reference>(ch, &t);
            ours[i].add(&o);
            theirs[i].add(&t);
        }
        let cells = |t: &[Tally; 3]| t.iter().map(Tally::cell).collect::<Vec<_>>().join("; ");
        let _ = writeln!(
            out,
            "| {} | {:.2} | {} | {} | {} |",
            corpus.name,
            corpus.seconds() / 3600.0,
            corpus.clips.len(),
            cells(&ours),
            cells(&theirs)
        );
        let kind = corpus.kind().to_string();
        if !kinds.iter().any(|k| k.0 == kind) {
            kinds.push((kind.clone(), 0.0, Default::default(), Default::default()));
        }
        if let Some(k) = kinds.iter_mut().find(|k| k.0 == kind) {
            k.1 += corpus.seconds();
            for i in 0..3 {
                for (sum, part) in [(&mut k.2[i], &ours[i]), (&mut k.3[i], &theirs[i])] {
                    sum.stream += part.stream;
                    sum.per_file += part.per_file;
                    sum.near_stream += part.near_stream;
                    sum.near_per_file += part.near_per_file;
                }
            }
        }
    }
    let mut total = (0.0, [Tally::default(); 3], [Tally::default(); 3]);
    for (kind, secs, o, t) in &kinds {
        let cells = |t: &[Tally; 3]| t.iter().map(Tally::cell).collect::<Vec<_>>().join("; ");
        let _ = writeln!(
            out,
            "| **all {kind}** | {:.2} | | {} | {} |",
            secs / 3600.0,
            cells(o),
            cells(t)
        );
        total.0 += secs;
        for i in 0..3 {
            for (sum, part) in [(&mut total.1[i], &o[i]), (&mut total.2[i], &t[i])] {
                sum.stream += part.stream;
                sum.per_file += part.per_file;
                sum.near_stream += part.near_stream;
                sum.near_per_file += part.near_per_file;
            }
        }
    }
    let cells = |t: &[Tally; 3]| t.iter().map(Tally::cell).collect::<Vec<_>>().join("; ");
    let _ = writeln!(
        out,
        "| **whole corpus** | {:.2} | | {} | {} |",
        total.0 / 3600.0,
        cells(&total.1),
        cells(&total.2)
    );
    out
}
