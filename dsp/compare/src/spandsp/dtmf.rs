//! spandsp's DTMF receiver (`/usr/include/spandsp/dtmf.h`).

use core::ffi::{c_char, c_int, c_void};
use core::ptr::NonNull;

/// `dtmf_rx_state_t`, opaque.
#[repr(C)]
struct DtmfRxState {
    _opaque: [u8; 0],
}

/// `goertzel_state_t` of the floating-point build Debian ships
/// (`/usr/include/spandsp/tone_detect.h`).
#[repr(C)]
struct GoertzelState {
    v2: f32,
    v3: f32,
    fac: f32,
    samples: c_int,
    current_sample: c_int,
}

/// The start of `struct dtmf_rx_state_s` (`spandsp/private/dtmf.h`, floating
/// point build), up to the fields the near-miss count reads. The offsets are
/// checked below against those a C compiler gives with the private header
/// (228, 229, 232 on x86-64).
#[repr(C)]
struct DtmfRxPrefix {
    callbacks: [*mut c_void; 4],
    filter_dialtone: c_int,
    z350: [f32; 2],
    z440: [f32; 2],
    normal_twist: f32,
    reverse_twist: f32,
    threshold: f32,
    energy: f32,
    row_out: [GoertzelState; 4],
    col_out: [GoertzelState; 4],
    /// The per-block verdict: the digit this block's tests found, or 0.
    last_hit: u8,
    /// The confirmed digit, or 0.
    in_digit: u8,
    /// Samples of the current block fed so far.
    current_sample: c_int,
}

#[cfg(target_arch = "x86_64")]
const _: () = {
    assert!(core::mem::offset_of!(DtmfRxPrefix, last_hit) == 228);
    assert!(core::mem::offset_of!(DtmfRxPrefix, in_digit) == 229);
    assert!(core::mem::offset_of!(DtmfRxPrefix, current_sample) == 232);
};

/// spandsp's analysis block (`DTMF_SAMPLES_PER_BLOCK`).
const BLOCK: usize = 102;

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
    /// The run of hit blocks in progress and whether it was confirmed.
    run: Option<bool>,
    near_misses: u64,
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
        Self {
            state,
            run: None,
            near_misses: 0,
        }
    }

    fn prefix(&self) -> &DtmfRxPrefix {
        // SAFETY: `state` points to a live `dtmf_rx_state_t` whose layout
        // starts with `DtmfRxPrefix` (offsets checked at compile time); no C
        // code runs while the reference lives.
        unsafe { &*self.state.as_ptr().cast::<DtmfRxPrefix>() }
    }

    /// Feeds samples.
    pub fn process(&mut self, samples: &[i16]) {
        for chunk in samples.chunks(c_int::MAX as usize) {
            // SAFETY: `state` is live and `chunk` is valid for `len` reads.
            unsafe { dtmf_rx(self.state.as_ptr(), chunk.as_ptr(), chunk.len() as c_int) };
        }
    }

    /// Feeds samples one block boundary at a time, so that every block's
    /// verdict is seen for [`DtmfRx::near_misses`]. Same digits as
    /// [`DtmfRx::process`].
    pub fn process_observed(&mut self, mut samples: &[i16]) {
        while !samples.is_empty() {
            let fill = usize::try_from(self.prefix().current_sample).unwrap_or(0);
            let n = (BLOCK - fill.min(BLOCK - 1)).min(samples.len());
            let (now, rest) = samples.split_at(n);
            // SAFETY: `state` is live and `now` is valid for `n` reads.
            unsafe { dtmf_rx(self.state.as_ptr(), now.as_ptr(), n as c_int) };
            samples = rest;
            let p = self.prefix();
            if p.current_sample == 0 {
                let (hit, confirmed) = (p.last_hit != 0, p.in_digit != 0);
                self.track_run(hit, confirmed);
            }
        }
    }

    fn track_run(&mut self, hit: bool, confirmed: bool) {
        match (hit, self.run) {
            (true, None) => self.run = Some(confirmed),
            (true, Some(c)) => self.run = Some(c || confirmed),
            (false, Some(c)) => {
                self.near_misses += u64::from(!c);
                self.run = None;
            }
            (false, None) => {}
        }
    }

    /// Runs of consecutive blocks whose verdict was a digit, none of which
    /// was confirmed. spandsp clears the verdict of a block that disagrees
    /// with the one before (`dtmf_rx`: "we have two successive indications
    /// that something has changed"), so such a block extends no run; it
    /// ends the run before it, as a miss would.
    pub fn near_misses(&self) -> u64 {
        self.near_misses
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
