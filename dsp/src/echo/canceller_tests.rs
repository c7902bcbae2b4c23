//! Tests of the line echo canceller.

use super::*;
use crate::echo::hybrid::{EchoPath, HybridModel};
use crate::echo::ConfigError;
use crate::voice::Voice;

#[test]
fn every_tail_runs_and_cancels() {
    for tail_ms in [64, 40, 24, 16] {
        let mut ec = Canceller::new(CancellerConfig {
            tail_ms,
            nlp: false,
            ..CancellerConfig::default()
        })
        .unwrap();
        let mut far = vec![0i16; 40_000];
        Voice::new(9).fill(&mut far);
        let mut echo = vec![0i16; far.len()];
        EchoPath::new(HybridModel::D3, 10.0, 8)
            .unwrap()
            .process(&far, &mut echo);
        let mut out = vec![0i16; far.len()];
        for ((x, d), o) in far
            .chunks(160)
            .zip(echo.chunks(160))
            .zip(out.chunks_mut(160))
        {
            ec.process(x, d, o);
        }
        let erle = crate::level::rms_dbm0(&echo[16_000..]) - crate::level::rms_dbm0(&out[16_000..]);
        assert!(erle > 20.0, "{tail_ms} ms: {erle}");
        assert_eq!(ec.taps(), tail_ms as usize * 8);
    }
}

#[test]
fn rejects_bad_config() {
    let bad = |c: CancellerConfig| Canceller::new(c).unwrap_err();
    let d = CancellerConfig::default();
    assert_eq!(
        bad(CancellerConfig { tail_ms: 8, ..d }),
        ConfigError::TailOutOfRange(8)
    );
    assert_eq!(
        bad(CancellerConfig { tail_ms: 65, ..d }),
        ConfigError::TailOutOfRange(65)
    );
    assert_eq!(
        bad(CancellerConfig { step: 0.0, ..d }),
        ConfigError::StepOutOfRange(0.0)
    );
    assert!(matches!(
        bad(CancellerConfig { leakage: 0.5, ..d }),
        ConfigError::LeakageOutOfRange(_)
    ));
}

#[test]
fn disabled_passes_through_and_reset_keeps_switches() {
    let mut ec = Canceller::new(CancellerConfig::default()).unwrap();
    ec.set_enabled(false);
    ec.set_nlp(false);
    let near: Vec<i16> = (0..160).map(|n| (n * 37 % 2000) as i16 - 1000).collect();
    let mut out = [0i16; 160];
    ec.process(&[1000; 160], &near, &mut out);
    assert_eq!(&out[..], &near[..]);
    ec.reset();
    assert!(!ec.enabled() && !ec.nlp());
}
