//! The call server's routing core (issue 16): which call centre a click on a
//! merchant's page reaches, by merchant, link, attributes, dialled number,
//! what the caller's device stores, opening hours and load.
//!
//! Everything here is sans-IO and reads no clock: [`decide`] is a pure
//! function of the [`Table`] (centres and rules, built from the
//! configuration's `[call_server]` section by `config::call_server`), the
//! [`LiveStore`] (live calls per centre and the weighted round-robin's scores),
//! the [`Request`] and `now`, and makes no allocation. Route tokens
//! ([`TokenKey`]) and the device's data ([`DeviceData`]) are checked here too;
//! the routing flow in `call/flow/` drives them. docs/FLOWS.md describes the
//! configuration, the decision and its outcomes.
//!
//! | file | holds |
//! |---|---|
//! | `hours.rs` | opening hours, holidays, time zone: open now? next opening? |
//! | `centre.rs` | a centre: destination, capacity, weight, merchants and links served |
//! | `rule.rs` | a rule: what it matches, its centres and strategy |
//! | `table.rs` | centres and rules interned, the per-merchant rule index |
//! | `decision.rs` | [`decide`], its [`Outcome`] and the outcome's view |
//! | `request.rs` | the request's identity from the INVITE's `X-` headers |
//! | `live.rs` | [`LiveStore`] and the embedded default |
//! | `token.rs` | signed, expiring route tokens |
//! | `device.rs` | the device's POSTed data, bounded and typed |

mod centre;
mod decision;
mod device;
mod hours;
mod live;
mod request;
mod rule;
mod table;
mod token;

pub use centre::{Centre, CentreId, CentreSettings, Destination};
pub use decision::{decide, DecisionView, DeviceInput, Outcome, Request, SkipReason, Skipped};
pub use device::{
    Cart, DeviceData, DeviceDataError, Interaction, MAX_BODY, MAX_INTERACTIONS, MAX_TEXT,
};
pub use hours::{DayHours, Holiday, HoursError, Interval, Schedule, MAX_INTERVALS_PER_DAY};
pub use live::{EmbeddedStore, LiveStore};
pub use request::{attributes_of, Attributes, MAX_ATTRIBUTES};
pub use rule::{DeviceCondition, Rule, RuleId, RuleSettings, Strategy, MAX_CENTRES_PER_RULE};
pub use table::{Table, TableError, MAX_ENTRIES};
pub use token::{
    RouteToken, ShortKey, SignError, TokenError, TokenKey, MAX_FIELD, MAX_TOKEN_LEN, MIN_KEY_LEN,
};
