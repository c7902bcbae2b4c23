//! Switchboard tests on a virtual clock.
