//! Line signalling above the driver trait: what the gateway does with a port's
//! electrical events and its call-progress audio.
//!
//! | file | holds |
//! |---|---|
//! | [`fxo`] | [`FxoPort`]: calls toward an exchange, and the `test line` check |
//! | [`fxs`] | [`FxsPort`]: a telephone on the port; so far only the `ring` test |
//! | [`port`] | [`LinePort`]: one or the other, by the port's configured kind |
//! | [`port_test`] | what the console's port tests report, and why they refuse |

pub mod fxo;
pub mod fxs;
pub mod port;
pub mod port_test;

pub use fxo::{FxoError, FxoEvent, FxoPort, FxoTimings};
pub use fxs::{FxsError, FxsPort, FxsTimings};
pub use port::LinePort;
pub use port_test::{LineTestResult, PortTestError, RingTestResult, TestOutcome, TestReport};
