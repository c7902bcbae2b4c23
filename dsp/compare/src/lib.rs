//! Bench only, not firmware: the reference implementations our DSP blocks are
//! measured against in the same run (see `docs/PERFORMANCE.md`), and the
//! safe wrappers the `dtmf-compare` and `echo-compare` binaries use.
// FFI to the reference implementation needs `unsafe`; this crate is a bench
// tool, not part of the firmware, and the unsafe code is confined to the
// `spandsp` modules, each block with its SAFETY argument.
#![allow(unsafe_code)]

pub mod spandsp;
