//! Hand-written FFI to spandsp 0.0.6 as packaged by Debian (`libspandsp-dev`,
//! headers under `/usr/include/spandsp/`), one module per spandsp block, each
//! wrapped in a safe type that owns the C state and frees it on drop.
//!
//! | module | spandsp header | wraps |
//! |---|---|---|
//! | [`dtmf`] | `dtmf.h` | `dtmf_rx_*`: the DTMF receiver |
//! | [`echo`] | `echo.h` | `echo_can_*`: the line echo canceller |
//! | [`debug_prints`] | – | where the debug `printf`s of Debian's `echo_can_update` go |
//!
//! Linking is done by `build.rs` (pkg-config, else `-lspandsp`).

pub mod debug_prints;
pub mod dtmf;
pub mod echo;
