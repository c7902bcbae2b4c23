//! Where the debugging `printf`s of Debian's spandsp go.
//!
//! Debian's libspandsp 0.0.6 (`libspandsp2` 0.0.6+dfsg-2) was built from a
//! source whose `echo_can_update` still prints, on **every sample**,
//! `"echo is %d\n"` and `"Narrowband score %4d %5d at %d\n"` to the C
//! library's `stdout` (plus a line per tap-set rotation and revert). Left
//! alone that is about 50 bytes of text per sample on the process's standard
//! output, and formatting it costs more than the canceller's arithmetic.
//!
//! [`Diverted`] points the C `stdout` stream (glibc lets a program assign it)
//! at `/dev/null`, in one of two ways ([`Prints`]):
//!
//! * [`Prints::Formatted`]: opened for writing; `printf` formats and writes
//!   into `/dev/null`, so a timing includes what any program linking this
//!   build pays;
//! * [`Prints::Skipped`]: opened read-only; glibc's `printf` then fails at its
//!   first check (`EBADF`, before formatting anything), so a timing is
//!   spandsp's own work plus two calls per sample that return at once.
//!
//! Rust's `println!` writes to file descriptor 1 directly and is not affected.
//! glibc only; single-threaded use (nothing else may print through C's
//! `stdout` meanwhile).

use core::ffi::c_char;
use core::ptr::NonNull;
use std::io;

/// C's `FILE`, opaque.
#[repr(C)]
struct CFile {
    _opaque: [u8; 0],
}

extern "C" {
    /// glibc's `stdout`: an ordinary variable a program may assign.
    static mut stdout: *mut CFile;
    fn fopen(path: *const c_char, mode: *const c_char) -> *mut CFile;
    fn fclose(stream: *mut CFile) -> core::ffi::c_int;
}

/// What a `printf` to C's `stdout` does while [`Diverted`] is alive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prints {
    /// Formatted and written to `/dev/null` (the cost of the packaged build).
    Formatted,
    /// Refused before formatting (the cost of spandsp without its prints).
    Skipped,
}

/// While alive, C's `stdout` points at `/dev/null`; dropping it restores the
/// original stream.
#[derive(Debug)]
pub struct Diverted {
    original: *mut CFile,
    formatted: NonNull<CFile>,
    skipped: NonNull<CFile>,
}

impl Diverted {
    /// Diverts C's `stdout`, starting in `prints` mode.
    pub fn new(prints: Prints) -> io::Result<Self> {
        let open = |mode: &core::ffi::CStr| {
            // SAFETY: both arguments are NUL-terminated strings.
            let f = unsafe { fopen(c"/dev/null".as_ptr(), mode.as_ptr()) };
            NonNull::new(f).ok_or_else(io::Error::last_os_error)
        };
        let formatted = open(c"w")?;
        let skipped = match open(c"r") {
            Ok(f) => f,
            Err(e) => {
                // SAFETY: opened above, closed once.
                unsafe { fclose(formatted.as_ptr()) };
                return Err(e);
            }
        };
        // SAFETY: reads the pointer value; this process is single-threaded
        // while diverted (see the module doc).
        let original = unsafe { stdout };
        let mut diverted = Self {
            original,
            formatted,
            skipped,
        };
        diverted.set(prints);
        Ok(diverted)
    }

    /// Switches between formatting and skipping the prints.
    pub fn set(&mut self, prints: Prints) {
        let stream = match prints {
            Prints::Formatted => self.formatted,
            Prints::Skipped => self.skipped,
        };
        // SAFETY: glibc documents `stdout` as an assignable variable; the
        // stream is open until `drop`, which restores the original first.
        unsafe { stdout = stream.as_ptr() };
    }
}

impl Drop for Diverted {
    fn drop(&mut self) {
        // SAFETY: restores the stream read in `new`, then closes the two
        // streams opened there, each once; nothing refers to them afterwards.
        unsafe {
            stdout = self.original;
            fclose(self.formatted.as_ptr());
            fclose(self.skipped.as_ptr());
        }
    }
}
