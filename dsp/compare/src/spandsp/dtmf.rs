//! spandsp's DTMF receiver (`/usr/include/spandsp/dtmf.h`).

use core::ffi::{c_char, c_int, c_void};
use core::ptr::NonNull;

/// `dtmf_rx_state_t`, opaque.
#[repr(C)]
struct DtmfRxState {
    _opaque: [u8; 0],
}

/// `digits_rx_callback_t`.
type DigitsRxCallback = Option<unsafe extern "C" fn(*mut c_void, *const c_char, c_int)>;

/// spandsp keeps at most this many undelivered digits (`MAX_DTMF_DIGITS`).
const MAX_DTMF_DIGITS: usize = 128;

#[link(name = "spandsp")]
extern "C" {
    fn dtmf_rx_init(
        s: *mut DtmfRxState,
        callback: DigitsRxCallback,
        user_data: *mut c_void,
    ) -> *mut DtmfRxState;
    fn dtmf_rx_parms(
        s: *mut DtmfRxState,
        filter_dialtone: c_int,
        twist: c_int,
        reverse_twist: c_int,
        threshold: c_int,
    );
    fn dtmf_rx(s: *mut DtmfRxState, amp: *const i16, samples: c_int) -> c_int;
    fn dtmf_rx_get(s: *mut DtmfRxState, digits: *mut c_char, max: c_int) -> usize;
    fn dtmf_rx_free(s: *mut DtmfRxState) -> c_int;
}

/// One spandsp DTMF receiver at its default settings, except for the
/// optional dial-tone notch.
#[derive(Debug)]
pub struct DtmfRx {
    state: NonNull<DtmfRxState>,
}

impl DtmfRx {
    /// A receiver; `dial_tone_filter` switches on spandsp's dial-tone notch
    /// (`dtmf_rx_parms`). Panics if spandsp cannot allocate one.
    pub fn new(dial_tone_filter: bool) -> Self {
        // SAFETY: a null state asks spandsp to allocate one; no callback, so
        // digits are collected with dtmf_rx_get.
        let raw = unsafe { dtmf_rx_init(core::ptr::null_mut(), None, core::ptr::null_mut()) };
        let state = NonNull::new(raw).expect("dtmf_rx_init failed");
        if dial_tone_filter {
            // SAFETY: `state` is a live receiver. Negative twists and a
            // threshold of -99 leave those settings at their defaults.
            unsafe { dtmf_rx_parms(state.as_ptr(), 1, -1, -1, -99) };
        }
        Self { state }
    }

    /// Feeds samples.
    pub fn process(&mut self, samples: &[i16]) {
        for chunk in samples.chunks(c_int::MAX as usize) {
            // SAFETY: `state` is live and `chunk` is valid for `len` reads.
            unsafe { dtmf_rx(self.state.as_ptr(), chunk.as_ptr(), chunk.len() as c_int) };
        }
    }

    /// Appends the digits received since the last call to `out`.
    pub fn take_digits(&mut self, out: &mut String) {
        let mut buf = [0 as c_char; MAX_DTMF_DIGITS + 1];
        // SAFETY: `buf` holds `max` digits plus the terminating NUL spandsp writes.
        let n = unsafe {
            dtmf_rx_get(
                self.state.as_ptr(),
                buf.as_mut_ptr(),
                MAX_DTMF_DIGITS as c_int,
            )
        };
        out.extend(
            buf[..n.min(MAX_DTMF_DIGITS)]
                .iter()
                .map(|&c| c as u8 as char),
        );
    }
}

impl Drop for DtmfRx {
    fn drop(&mut self) {
        // SAFETY: allocated by dtmf_rx_init(NULL, ..) and freed exactly once.
        unsafe { dtmf_rx_free(self.state.as_ptr()) };
    }
}
