//! spandsp's line echo canceller (`/usr/include/spandsp/echo.h`).
//!
//! What spandsp's `src/echo.c` does (the version whose debug strings
//! Debian's 0.0.6 binary carries; its header says it "does not currently
//! comply with any relevant standards (e.g. G.164/5/7/8)"), as far as it
//! matters when reading the figures of `echo-compare`:
//!
//! * a 16-bit FIR whose taps adapt as 32-bit values (LMS, step normalised
//!   by the far-end magnitude rounded to a power of two); three tap sets
//!   rotated after every 1600 samples of adaptation;
//! * adaptation only while the far-end power (4 ms) exceeds the received
//!   power (1 ms); otherwise it counts as double talk: back to the set two
//!   rotations old, no adaptation for 75 ms. On that path the source copies
//!   into `fir_taps16[(tap_set - 1) % 3]`, index −1 when `tap_set` is 0,
//!   which by the struct layout (`spandsp/private/echo.h`) is the FIR's
//!   history pointer: the delay line is overwritten with tap values;
//! * `ECHO_CAN_USE_NLP` replaces the output whenever the *received* power
//!   (8 ms) is below a fixed 30 000 000 (about −9 dBm0), by comfort noise
//!   with `ECHO_CAN_USE_CNG` (at the residual level when the NLP engaged),
//!   else zero; `ECHO_CAN_USE_CLIP` is not read anywhere;
//! * `ECHO_CAN_USE_TX_HPF` only acts in `echo_can_hpf_tx`, which the caller
//!   would apply to its signal before the line; `echo_can_update` does not
//!   filter the reference, and this wrapper does not expose it (the
//!   comparison feeds both cancellers the same line);
//! * Debian's build of `echo_can_update` calls `printf` twice per sample
//!   (debugging left in the source): see [`super::debug_prints`].

use core::ffi::c_int;
use core::ptr::NonNull;

/// `echo_can_state_t`, opaque.
#[repr(C)]
struct EchoCanState {
    _opaque: [u8; 0],
}

#[link(name = "spandsp")]
extern "C" {
    fn echo_can_init(len: c_int, adaption_mode: c_int) -> *mut EchoCanState;
    fn echo_can_update(ec: *mut EchoCanState, tx: i16, rx: i16) -> i16;
    fn echo_can_free(ec: *mut EchoCanState) -> c_int;
}

/// The adaption-mode mask of `echo_can_init` (`ECHO_CAN_USE_*` in `echo.h`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mode(c_int);

impl Mode {
    /// `ECHO_CAN_USE_ADAPTION`.
    pub const ADAPTION: Mode = Mode(0x01);
    /// `ECHO_CAN_USE_NLP`.
    pub const NLP: Mode = Mode(0x02);
    /// `ECHO_CAN_USE_CNG`.
    pub const CNG: Mode = Mode(0x04);
    /// `ECHO_CAN_USE_CLIP`.
    pub const CLIP: Mode = Mode(0x08);
    /// `ECHO_CAN_USE_TX_HPF`.
    pub const TX_HPF: Mode = Mode(0x20);
    /// `ECHO_CAN_USE_RX_HPF`.
    pub const RX_HPF: Mode = Mode(0x40);

    /// Adaption, NLP, comfort noise, clipping and both high-pass filters:
    /// the mode a gateway would run.
    pub const FULL: Mode = Mode(
        Self::ADAPTION.0
            | Self::NLP.0
            | Self::CNG.0
            | Self::CLIP.0
            | Self::TX_HPF.0
            | Self::RX_HPF.0,
    );
    /// [`Mode::FULL`] without NLP, comfort noise and clipping: the linear
    /// canceller alone, whose residual gives the ERLE.
    pub const LINEAR: Mode = Mode(Self::ADAPTION.0 | Self::TX_HPF.0 | Self::RX_HPF.0);
}

/// One spandsp line echo canceller.
#[derive(Debug)]
pub struct EchoCan {
    state: NonNull<EchoCanState>,
    taps: usize,
}

impl EchoCan {
    /// A canceller of `taps` taps (8 per ms) in `mode`. Panics if `taps` is 0
    /// or does not fit a C `int`, or if spandsp cannot allocate the state.
    pub fn new(taps: usize, mode: Mode) -> Self {
        let len = c_int::try_from(taps).expect("taps fit a C int");
        assert!(len > 0, "spandsp needs at least one tap");
        // SAFETY: echo_can_init allocates and zeroes its own state and
        // returns NULL on failure, checked below.
        let raw = unsafe { echo_can_init(len, mode.0) };
        let state = NonNull::new(raw).expect("echo_can_init failed");
        Self { state, taps }
    }

    /// Filter length, taps.
    pub fn taps(&self) -> usize {
        self.taps
    }

    /// Cancels echo from one frame, the same contract as
    /// `dsp::echo::Canceller::process`: `far_end` is what went to the line
    /// (spandsp's `tx`), `near_end` what came back (`rx`), the cleaned near
    /// end goes to `out`. spandsp works per sample, so this calls
    /// `echo_can_update` once per sample of the common prefix.
    pub fn process(&mut self, far_end: &[i16], near_end: &[i16], out: &mut [i16]) {
        for ((&tx, &rx), out) in far_end.iter().zip(near_end).zip(out) {
            // SAFETY: `state` is a live canceller from echo_can_init, used
            // from one thread at a time (`&mut self`).
            *out = unsafe { echo_can_update(self.state.as_ptr(), tx, rx) };
        }
    }
}

impl Drop for EchoCan {
    fn drop(&mut self) {
        // SAFETY: allocated by echo_can_init and freed exactly once.
        unsafe { echo_can_free(self.state.as_ptr()) };
    }
}
