//! The `LineCard` contract as an FXO card: port kinds, refused commands, frame
//! counts, idempotent hook commands.

mod common;

use common::Bench;
use drivers::sim::{SimConfig, SimExchange};
use drivers::{LineCard, LineCommand, LineError, PortId, PortKind, FRAME_SAMPLES};

#[test]
fn every_port_is_fxo() {
    let bench = Bench::standard();
    assert_eq!(bench.exchange.port_count(), 2);
    assert_eq!(bench.exchange.port_kind(PortId(1)), Some(PortKind::Fxo));
    assert_eq!(bench.exchange.port_kind(PortId(2)), None);
}

#[test]
fn ringing_an_fxo_port_is_the_wrong_kind() {
    let mut bench = Bench::standard();
    for command in [LineCommand::StartRinging, LineCommand::StopRinging] {
        let err = bench.exchange.command(PortId(0), command).unwrap_err();
        assert!(matches!(
            err,
            LineError::WrongKind { port: PortId(0), kind: PortKind::Fxo, command: c } if c == command
        ));
    }
    let err = bench
        .exchange
        .command(PortId(9), LineCommand::OffHook)
        .unwrap_err();
    assert!(matches!(err, LineError::NoSuchPort(PortId(9))));
}

#[test]
fn hook_commands_are_idempotent() {
    let mut bench = Bench::standard();
    bench.command(0, LineCommand::OnHook);
    bench.command(0, LineCommand::OnHook);
    bench.run(3);
    assert_eq!(bench.status(0).state, "idle");
    bench.command(0, LineCommand::OffHook);
    bench.run(3);
    bench.command(0, LineCommand::OffHook);
    bench.run(3);
    assert_eq!(bench.transitions, vec![(0, "idle"), (3, "dialling")]);
}

#[test]
fn frame_slices_must_match_the_port_count() {
    let (mut exchange, _control) = SimExchange::new(&SimConfig::default(), 3).unwrap();
    let tx = vec![[0i16; FRAME_SAMPLES]; 2];
    let mut rx = vec![[0i16; FRAME_SAMPLES]; 3];
    let err = exchange.exchange_frames(&tx, &mut rx).unwrap_err();
    assert!(matches!(
        err,
        LineError::FrameCount {
            expected: 3,
            got: 2
        }
    ));
    assert_eq!(exchange.frames_elapsed(), 0);
}

#[test]
fn lines_without_a_number_can_still_dial_out() {
    let mut bench = Bench::new(common::EXCHANGE, 3);
    assert_eq!(bench.control.status()[2].number, None);
    bench.command(2, LineCommand::OffHook);
    bench.run(2);
    assert_eq!(bench.control.status()[2].state, "dialling");
}
