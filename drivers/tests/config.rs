//! The `[simulation]` table: the documented example deserialises; every fault is
//! a typed `SimConfigError` naming the entry and the field.

mod common;

use drivers::sim::{Behaviour, SimConfig, SimConfigError, SimExchange, TonePlan};

const EXAMPLE: &str = r#"
[simulation]
tones = "north-america"
interdigit_timeout_ms = 3000

[[simulation.lines]]
port = 0
number = "4155550100"

[[simulation.subscribers]]
number = "1800"
name = "Call centre"
behaviour = "answer"
answer_after_rings = 2
script = [
  { at_ms = 0, play = "voice" },
  { at_ms = 3000, dial = "*76" },
  { at_ms = 6000, dial = "12" },
  { at_ms = 12000, hangup = true },
]

[[simulation.phones]]
name = "customer"
number = "2125550199"
give_up_after_rings = 10
script = [ { at_ms = 0, play = "tone:1000" }, { at_ms = 5000, hangup = true } ]
"#;

#[test]
fn documented_example_deserialises_and_validates() {
    let config = common::parse(EXAMPLE);
    assert_eq!(config.tones, TonePlan::NorthAmerica);
    assert_eq!(config.lines[0].number, "4155550100");
    assert_eq!(config.subscribers[0].behaviour, Behaviour::Answer);
    assert_eq!(config.subscribers[0].script.len(), 4);
    assert_eq!(config.phones[0].give_up_after_rings, 10);
    config.validate(1).unwrap();
    assert!(SimExchange::new(&config, 1).is_ok());
}

#[test]
fn defaults_and_unknown_keys() {
    let config = common::parse("[simulation]\n");
    assert_eq!(config, SimConfig::default());
    let typo = "[simulation]\ninterdigit_timout_ms = 5\n";
    assert!(toml::from_str::<toml::Table>(typo).is_ok());
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Wrapper {
        simulation: SimConfig,
    }
    let err = toml::from_str::<Wrapper>(typo).unwrap_err().to_string();
    assert!(err.contains("interdigit_timout_ms"), "{err}");
    let err = toml::from_str::<Wrapper>("[simulation]\ntones = \"martian\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("martian"), "{err}");
}

fn error_of(text: &str, ports: usize) -> SimConfigError {
    common::parse(text).validate(ports).unwrap_err()
}

fn subscriber(extra: &str) -> String {
    format!("[simulation]\n[[simulation.subscribers]]\nnumber = \"1800\"\nname = \"Call centre\"\n{extra}\n")
}

#[test]
fn duplicate_numbers_name_both_entries() {
    let text = format!(
        "{}[[simulation.phones]]\nname = \"customer\"\nnumber = \"1800\"\n",
        subscriber("")
    );
    let err = error_of(&text, 1);
    assert!(matches!(err, SimConfigError::DuplicateNumber { ref number, .. } if number == "1800"));
    let msg = err.to_string();
    assert!(
        msg.contains("phone \"customer\"")
            && msg.contains("Call centre")
            && msg.contains("`number`"),
        "{msg}"
    );
}

#[test]
fn unknown_play_source_names_the_step() {
    let err = error_of(
        &subscriber("script = [ { at_ms = 0, play = \"music\" } ]"),
        1,
    );
    let SimConfigError::UnknownPlaySource { at, value } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(value, "music");
    assert!(at.owner.contains("Call centre"));
    assert_eq!(at.field, "script[0].play");
}

#[test]
fn bad_tone_specs_are_refused() {
    for bad in [
        "tone:",
        "tone:99999",
        "tone:1000@x",
        "tone:1000@+20",
        "tone:1+2+3+4+5",
    ] {
        let err = error_of(
            &subscriber(&format!("script = [ {{ at_ms = 0, play = \"{bad}\" }} ]")),
            1,
        );
        assert!(
            matches!(err, SimConfigError::BadTone { ref at, .. } if at.field == "script[0].play"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn wav_sources_must_exist_and_be_8k_mono_16_bit() {
    let dir = std::env::temp_dir().join(format!("sim-wav-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let stereo = dir.join("stereo.wav");
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&stereo, spec).unwrap();
    for _ in 0..320 {
        w.write_sample(0i16).unwrap();
    }
    w.finalize().unwrap();
    let good = dir.join("good.wav");
    let mut w = hound::WavWriter::create(
        &good,
        hound::WavSpec {
            channels: 1,
            ..spec
        },
    )
    .unwrap();
    for i in 0..800i16 {
        w.write_sample(i).unwrap();
    }
    w.finalize().unwrap();

    let play = |path: &std::path::Path| {
        subscriber(&format!(
            "script = [ {{ at_ms = 0, play = \"wav:{}\" }} ]",
            path.display()
        ))
    };
    assert!(matches!(
        error_of(&play(&stereo), 1),
        SimConfigError::WavFormat { .. }
    ));
    assert!(matches!(
        error_of(&play(&dir.join("missing.wav")), 1),
        SimConfigError::WavUnreadable { .. }
    ));
    common::parse(&play(&good)).validate(1).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_line_on_a_port_the_card_lacks() {
    let err = error_of(
        "[simulation]\n[[simulation.lines]]\nport = 4\nnumber = \"100\"\n",
        4,
    );
    let SimConfigError::NoSuchPort {
        at,
        port,
        port_count,
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!((*port, *port_count), (4, 4));
    assert_eq!((at.owner.as_str(), at.field.as_str()), ("lines[0]", "port"));
    let twice = "[simulation]\n[[simulation.lines]]\nport = 0\nnumber = \"100\"\n[[simulation.lines]]\nport = 0\nnumber = \"101\"\n";
    assert!(matches!(
        error_of(twice, 1),
        SimConfigError::DuplicatePort { port: 0, .. }
    ));
}

#[test]
fn overlapping_and_misshapen_steps() {
    let cases = [
        // Two plays at once.
        "script = [ { at_ms = 0, play = \"voice\" }, { at_ms = 0, play = \"silence\" } ]",
        // Out of time order.
        "script = [ { at_ms = 500, play = \"voice\" }, { at_ms = 100, play = \"silence\" } ]",
        // A second dial while the first (3 digits, 360 ms) is still keying.
        "script = [ { at_ms = 0, dial = \"123\" }, { at_ms = 200, dial = \"4\" } ]",
        // Anything after the hang-up.
        "script = [ { at_ms = 0, hangup = true }, { at_ms = 100, play = \"voice\" } ]",
    ];
    for case in cases {
        let err = error_of(&subscriber(case), 1);
        assert!(
            matches!(err, SimConfigError::OverlappingSteps { ref at, .. } if at.field.ends_with(".at_ms") && at.owner.contains("Call centre")),
            "{case}: {err:?}"
        );
    }
    for case in [
        "script = [ { at_ms = 0 } ]",
        "script = [ { at_ms = 0, play = \"voice\", dial = \"1\" } ]",
        "script = [ { at_ms = 0, hangup = false } ]",
    ] {
        assert!(
            matches!(
                error_of(&subscriber(case), 1),
                SimConfigError::StepShape { .. }
            ),
            "{case}"
        );
    }
    let err = error_of(&subscriber("script = [ { at_ms = 0, dial = \"12x\" } ]"), 1);
    assert!(matches!(err, SimConfigError::BadDial { ref at, .. } if at.field == "script[0].dial"));
}

#[test]
fn scripts_only_for_answering_subscribers() {
    let err = error_of(
        &subscriber("behaviour = \"busy\"\nscript = [ { at_ms = 0, play = \"voice\" } ]"),
        1,
    );
    assert!(matches!(
        err,
        SimConfigError::ScriptNeverRuns {
            behaviour: "busy",
            ..
        }
    ));
    let err = error_of(
        &subscriber(
            "behaviour = \"answer-hangup\"\nscript = [ { at_ms = 500, play = \"voice\" } ]",
        ),
        1,
    );
    assert!(
        matches!(err, SimConfigError::OverlappingSteps { .. }),
        "{err:?}"
    );
}

#[test]
fn bad_numbers_names_and_ranges() {
    let err = error_of(
        "[simulation]\n[[simulation.subscribers]]\nnumber = \"18-00\"\n",
        1,
    );
    assert!(matches!(err, SimConfigError::BadNumber { ref at, .. } if at.field == "number"));
    let phones = "[simulation]\n[[simulation.phones]]\nname = \"a\"\nnumber = \"1\"\n[[simulation.phones]]\nname = \"a\"\nnumber = \"2\"\n";
    assert!(
        matches!(error_of(phones, 1), SimConfigError::DuplicateName { ref name, .. } if name == "a")
    );
    let err = error_of("[simulation]\ninterdigit_timeout_ms = 0\n", 1);
    assert!(
        matches!(err, SimConfigError::OutOfRange { ref at, .. } if at.field == "interdigit_timeout_ms")
    );
    let err = error_of(
        "[simulation]\n[[simulation.phones]]\nname = \"a\"\nnumber = \"1\"\ngive_up_after_rings = 0\n",
        1,
    );
    assert!(
        matches!(err, SimConfigError::OutOfRange { ref at, .. } if at.field == "give_up_after_rings")
    );
    assert!(matches!(
        SimConfig::default().validate(300),
        Err(SimConfigError::TooManyPorts {
            port_count: 300,
            ..
        })
    ));
}
