//! Call-progress tones: the national plans ([`Plan`]) and a cadenced generator.
//!
//! Figures: North America per the Precise Tone Plan (Bellcore/ANSI T1.401
//! levels), Europe per CEPT Recommendation T/CS 20-15 / ETSI ES 201 970 §6
//! (425 Hz). See `TELEPHONY.md`.

mod generator;
mod plan;

pub use generator::ToneGenerator;
pub use plan::{Cadence, ParsePlanError, Plan, ToneKind, ToneSpec, MAX_CADENCE_STEPS};
