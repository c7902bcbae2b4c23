//! The simulated exchange (in progress).
