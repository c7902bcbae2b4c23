//! Call-progress detection of generated plan tones, and no events from voice.

use dsp::progress::{Detector, ProgressEvent};
use dsp::tone::{Plan, ToneGenerator, ToneKind};

fn events_for(plan: Plan, kind: ToneKind, seconds: usize) -> Vec<ProgressEvent> {
    let mut g = ToneGenerator::new(plan.tone(kind));
    let mut d = Detector::new(plan);
    let mut out = Vec::new();
    let mut frame = [0i16; 160];
    for _ in 0..seconds * 50 {
        g.fill(&mut frame);
        d.process(&frame);
        while let Some(e) = d.poll_event() {
            out.push(e);
        }
    }
    out
}

#[test]
fn plan_tones_are_classified() {
    use ProgressEvent::*;
    let cases = [
        (Plan::NorthAmerica, ToneKind::Dial, DialTone),
        (Plan::NorthAmerica, ToneKind::Ringback, Ringback),
        (Plan::NorthAmerica, ToneKind::Busy, Busy),
        (Plan::NorthAmerica, ToneKind::Reorder, Reorder),
        (Plan::NorthAmerica, ToneKind::Congestion, Reorder),
        (Plan::Cept, ToneKind::Dial, DialTone),
        (Plan::Cept, ToneKind::Ringback, Ringback),
        (Plan::Cept, ToneKind::Busy, Busy),
        (Plan::Cept, ToneKind::Congestion, Reorder),
    ];
    for (plan, kind, want) in cases {
        let got = events_for(plan, kind, 12);
        assert_eq!(got, vec![want], "{plan:?} {kind:?}");
    }
}

#[test]
fn dial_tone_timing() {
    // NA dial tone reported after ~300 ms, not before.
    let mut g = ToneGenerator::new(Plan::NorthAmerica.tone(ToneKind::Dial));
    let mut d = Detector::new(Plan::NorthAmerica);
    let mut frame = [0i16; 160];
    let mut at = None;
    for i in 0..50 {
        g.fill(&mut frame);
        d.process(&frame);
        if d.poll_event() == Some(ProgressEvent::DialTone) {
            at = Some((i + 1) * 20);
            break;
        }
    }
    let at = at.unwrap();
    assert!((300..=400).contains(&at), "{at} ms");
}

#[test]
fn tone_then_silence() {
    let plan = Plan::NorthAmerica;
    let mut g = ToneGenerator::new(plan.tone(ToneKind::Busy));
    let mut d = Detector::new(plan);
    let mut frame = [0i16; 160];
    let mut got = Vec::new();
    for i in 0..50 * 12 {
        if i < 50 * 4 {
            g.fill(&mut frame);
        } else {
            frame = [0; 160];
        }
        d.process(&frame);
        while let Some(e) = d.poll_event() {
            got.push(e);
        }
    }
    assert_eq!(got, vec![ProgressEvent::Busy, ProgressEvent::Silence]);
}

#[test]
fn voice_gives_no_tone_event() {
    for plan in [Plan::NorthAmerica, Plan::Cept] {
        for seed in 0..3u64 {
            let mut v = dsp::voice::Voice::new(seed);
            let mut d = Detector::new(plan);
            let mut sig = vec![0i16; 8000 * 60];
            v.fill(&mut sig);
            d.process(&sig);
            assert_eq!(d.poll_event(), None, "{plan:?} seed {seed}");
        }
    }
}
