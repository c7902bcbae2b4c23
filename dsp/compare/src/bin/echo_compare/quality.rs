//! How well each contender cancels: ERLE with the NLP off over the scenario
//! grid, and with the NLP on what is left of the echo and of a near talker.

use dsp::echo::hybrid::HybridModel;

use crate::contender::{run, Contender};
use crate::g168_support::{add, convergence_time, mean_erle, peak_frame_dbm0, secs, speech};
use crate::scenario::{active_level, FarEnd, Scenario, LINE_NOISE_DBM0, SECONDS};

/// Seconds at the end over which the steady-state ERLE is taken.
const LAST_SECONDS: f32 = 3.0;
/// The near talker of the NLP table: another voice, same level as the far end.
const NEAR_TALKER_SEED: u64 = 21;
const NEAR_TALKER_DBM0: f32 = -20.0;
/// Double talk starts here, s (the cancellers have converged by then).
const DOUBLE_TALK_FROM: f32 = 3.0;

/// ERLE figures of one contender on one scenario (NLP off).
#[derive(Clone, Copy, Debug)]
struct Erle {
    /// Echo power over output power, 1–3 s, dB.
    early_db: f32,
    /// Same over the last [`LAST_SECONDS`].
    late_db: f32,
    /// Time from which every 250 ms window with echo stays ≥ 20 / 30 dB.
    t20: Option<f32>,
    t30: Option<f32>,
}

fn erle(echo: &[i16], out: &[i16]) -> Erle {
    let len = echo.len();
    Erle {
        early_db: mean_erle(echo, out, secs(1.0), secs(3.0)),
        late_db: mean_erle(echo, out, len - secs(LAST_SECONDS), len),
        t20: convergence_time(echo, out, 20.0),
        t30: convergence_time(echo, out, 30.0),
    }
}

fn time(t: Option<f32>) -> String {
    t.map_or("never".into(), |t| format!("{t:.2}"))
}

fn join(cells: impl Iterator<Item = String>) -> String {
    cells.collect::<Vec<_>>().join(" / ")
}

/// Prints the ERLE table (NLP off) over [`Scenario::grid`].
pub fn print_erle_table() {
    let who = join(Contender::QUALITY.iter().map(|c| c.label()));
    println!(
        "ERLE with the NLP off, {SECONDS:.0} s per line, far end at -20 dBm0, bulk delay 5 ms; \
         each cell: {who}\n"
    );
    println!(
        "| far end | path | ERL dB | echo dBm0 | line noise dBm0 (ERLE ceiling 1–3 s / last \
         {LAST_SECONDS:.0} s, dB) | ERLE 1–3 s, dB | ERLE last {LAST_SECONDS:.0} s, dB | \
         ≥ 20 dB from, s | ≥ 30 dB from, s |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for scenario in Scenario::grid() {
        eprintln!("running {scenario:?} ...");
        let s = scenario.signals();
        let results: Vec<Erle> = Contender::QUALITY
            .iter()
            .map(|&c| erle(&s.echo, &run(c, false, &s.far, &s.near)))
            .collect();
        println!(
            "| {} | {:?} | {} | {:.1} | {} | {} | {} | {} | {} |",
            scenario.far.name(),
            scenario.model,
            scenario.erl_db,
            active_level(&s.echo),
            if scenario.line_noise {
                // A perfect canceller leaves the line noise: its ERLE.
                let ceiling = erle(&s.echo, &s.line_noise);
                format!(
                    "{LINE_NOISE_DBM0} ({:.1} / {:.1})",
                    ceiling.early_db, ceiling.late_db
                )
            } else {
                "none".into()
            },
            join(results.iter().map(|r| format!("{:.1}", r.early_db))),
            join(results.iter().map(|r| format!("{:.1}", r.late_db))),
            join(results.iter().map(|r| time(r.t20))),
            join(results.iter().map(|r| time(r.t30))),
        );
    }
}

/// Prints the NLP table: speech through D5 at ERL 6 dB with line noise,
/// every contender at its full settings (NLP and comfort noise on).
pub fn print_nlp_table() {
    let line = Scenario {
        far: FarEnd::Speech,
        model: HybridModel::D5,
        erl_db: 6.0,
        line_noise: true,
    };
    let s = line.signals();
    let len = s.far.len();
    let talker = speech(NEAR_TALKER_SEED, NEAR_TALKER_DBM0, len);
    let silent = vec![0i16; len];
    // Far end silent: the near end is the talker and the line noise.
    let near_alone = add(&talker, &s.line_noise);
    let mut late_talker = talker.clone();
    late_talker[..secs(DOUBLE_TALK_FROM)].fill(0);
    let double_talk = add(&s.near, &late_talker);

    let mut rows: Vec<(&str, Vec<String>)> = vec![
        (
            "echo only: loudest 20 ms output frame after 1 s, dBm0",
            vec![],
        ),
        (
            "echo only: output level after 1 s (windows with echo), dBm0",
            vec![],
        ),
        (
            "near talker alone (far end silent): talker level − output level, dB",
            vec![],
        ),
        (
            "double talk from 3 s: talker level − output level while the talker talks, dB",
            vec![],
        ),
    ];
    for &c in &Contender::QUALITY {
        eprintln!("running NLP table, {} ...", c.label());
        let echo_out = run(c, true, &s.far, &s.near);
        rows[0]
            .1
            .push(format!("{:.1}", peak_frame_dbm0(&echo_out, secs(1.0))));
        let after_1s: Vec<i16> = s.echo[secs(1.0)..]
            .chunks(800)
            .zip(echo_out[secs(1.0)..].chunks(800))
            .filter(|(e, _)| active_level(e) > -50.0)
            .flat_map(|(_, o)| o.iter().copied())
            .collect();
        rows[1]
            .1
            .push(format!("{:.1}", dsp::level::rms_dbm0(&after_1s)));
        let alone_out = run(c, true, &silent, &near_alone);
        rows[2]
            .1
            .push(format!("{:.1}", mean_erle(&talker, &alone_out, 0, len)));
        let dt_out = run(c, true, &s.far, &double_talk);
        rows[3].1.push(format!(
            "{:.1}",
            mean_erle(&late_talker, &dt_out, secs(DOUBLE_TALK_FROM), len)
        ));
    }
    let who = Contender::QUALITY.map(|c| c.label());
    println!(
        "NLP on (ours: default config; spandsp: ADAPTION|NLP|CNG|CLIP|TX_HPF|RX_HPF): \
         speech through D5, ERL 6 dB, line noise {LINE_NOISE_DBM0} dBm0, near talker \
         {NEAR_TALKER_DBM0} dBm0\n"
    );
    println!("| measure | {} |", who.join(" | "));
    println!("|---|{}", "---|".repeat(who.len()));
    for (name, cells) in rows {
        println!("| {name} | {} |", cells.join(" | "));
    }
}
