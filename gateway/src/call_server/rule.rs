//! Routing rules: what a call must look like (merchant, link, customer or
//! session attributes, the dialled number, what the caller's device stores) and
//! the centres it then goes to, with the strategy that picks one of them.

use super::centre::CentreId;
use super::device::DeviceData;

/// Most centres one rule lists (the decision's skip list has this many slots).
pub const MAX_CENTRES_PER_RULE: usize = 16;

/// A rule's index in its [`super::Table`] (configuration order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleId(pub u16);

/// How a rule picks among its open centres that have room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strategy {
    /// The first in the rule's order.
    #[default]
    FirstOpen,
    /// The lowest live calls ÷ capacity; a tie goes to the earlier one.
    LeastBusy,
    /// Smooth weighted round-robin on the centres' weights (nginx's: each
    /// pick adds every candidate's weight to its running score, takes the
    /// highest and takes the candidates' total weight off it), so shares are
    /// exact over a cycle and picks interleave.
    Weighted,
}

/// One test on the device's data; a rule with any needs the data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeviceCondition {
    /// The device's language (primary subtag or whole tag, any case).
    Language(String),
    /// The device remembers an agent from a previous call.
    LastAgentKnown,
    /// The cart's total is at least this many of the currency's smallest unit.
    CartTotalAtLeast(u64),
    /// The caller saw at least this many pages.
    InteractionsAtLeast(u32),
    /// One of the pages seen contains this text in its URL.
    VisitedPage(String),
}

impl DeviceCondition {
    fn holds(&self, data: &DeviceData) -> bool {
        match self {
            DeviceCondition::Language(l) => data.language_is(l),
            DeviceCondition::LastAgentKnown => data.last_agent.is_some(),
            DeviceCondition::CartTotalAtLeast(c) => data.cart_total_cents() >= *c,
            DeviceCondition::InteractionsAtLeast(n) => {
                data.interactions.len() >= usize::try_from(*n).unwrap_or(usize::MAX)
            }
            DeviceCondition::VisitedPage(p) => data
                .interactions
                .iter()
                .any(|i| i.page.contains(p.as_str())),
        }
    }
}

/// The settings of one rule (the engine's own type).
#[derive(Debug, Clone, Default)]
pub struct RuleSettings {
    /// Unique name, shown in records and on the console.
    pub name: String,
    /// Only calls for this merchant id.
    pub merchant: Option<String>,
    /// Only calls from this link id.
    pub link: Option<String>,
    /// Customer/session attributes that must all be present with these values
    /// (names compared ignoring case, values exactly).
    pub attributes: Vec<(String, String)>,
    /// The dialled number must start with this (numbers only count for
    /// merchants that allow explicit numbers).
    pub dialled_prefix: Option<String>,
    /// Tests on the device's data, all of which must hold.
    pub device: Vec<DeviceCondition>,
    /// Centre names, in order (at most [`MAX_CENTRES_PER_RULE`]).
    pub centres: Vec<String>,
    /// How one is picked.
    pub strategy: Strategy,
    /// Send the caller to the centre their route token names when it is one of
    /// these and can take the call.
    pub prefer_last_centre: bool,
}

/// A rule as the decision sees it: names interned to ids.
#[derive(Debug, Clone)]
pub struct Rule {
    pub(super) settings: RuleSettings,
    pub(super) merchant: Option<u16>,
    pub(super) link: Option<u16>,
    pub(super) centres: heapless::Vec<CentreId, MAX_CENTRES_PER_RULE>,
    /// Where this rule's weighted round-robin scores start in the live store.
    pub(super) rotation_offset: u32,
}

/// How a rule compares with a request, before its centres are looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fit {
    /// Everything it tests holds.
    Matches,
    /// Everything but the device's data holds, and the data was not asked for yet.
    NeedsDevice,
    /// Something it tests does not hold.
    Fails,
}

impl Rule {
    /// Its settings.
    pub fn settings(&self) -> &RuleSettings {
        &self.settings
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.settings.name
    }

    /// The centres it lists, in order.
    pub fn centres(&self) -> &[CentreId] {
        &self.centres
    }

    /// Whether it tests the device's data.
    pub fn needs_device(&self) -> bool {
        !self.settings.device.is_empty()
    }

    pub(super) fn fit(
        &self,
        merchant: Option<u16>,
        link: Option<u16>,
        request: &super::Request<'_>,
        dialled: Option<&str>,
    ) -> Fit {
        if self.merchant.is_some() && self.merchant != merchant {
            return Fit::Fails;
        }
        if self.link.is_some() && self.link != link {
            return Fit::Fails;
        }
        if let Some(prefix) = &self.settings.dialled_prefix {
            if !dialled.is_some_and(|d| d.starts_with(prefix.as_str())) {
                return Fit::Fails;
            }
        }
        for (key, value) in &self.settings.attributes {
            let found = request
                .attributes
                .iter()
                .any(|(k, v)| k.eq_ignore_ascii_case(key) && v == value);
            if !found {
                return Fit::Fails;
            }
        }
        if self.settings.device.is_empty() {
            return Fit::Matches;
        }
        match request.device {
            super::DeviceInput::NotAsked => Fit::NeedsDevice,
            super::DeviceInput::Absent => Fit::Fails,
            super::DeviceInput::Data(data) => {
                if self.settings.device.iter().all(|c| c.holds(data)) {
                    Fit::Matches
                } else {
                    Fit::Fails
                }
            }
        }
    }
}
