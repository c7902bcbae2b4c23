//! The routing table: centres and rules with their names interned, and an
//! index of the rules each merchant can reach, so a decision reads only the
//! rules that could match.

use std::collections::HashMap;

use super::centre::{Centre, CentreId, CentreSettings};
use super::rule::{Rule, RuleId, RuleSettings, MAX_CENTRES_PER_RULE};

/// Most centres, and most rules, a table holds (ids are `u16`).
pub const MAX_ENTRIES: usize = u16::MAX as usize;

/// Why a table could not be built. Indices are configuration order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TableError {
    /// Two centres share a name.
    #[error("centre name {name:?} is used twice")]
    DuplicateCentre {
        /// The second centre's index.
        centre: usize,
        /// The name.
        name: String,
    },
    /// Two rules share a name.
    #[error("rule name {name:?} is used twice")]
    DuplicateRule {
        /// The second rule's index.
        rule: usize,
        /// The name.
        name: String,
    },
    /// Capacity or weight of zero.
    #[error("{what} must be at least 1")]
    Zero {
        /// The centre's index.
        centre: usize,
        /// `capacity` or `weight`.
        what: &'static str,
    },
    /// A rule names a centre that does not exist.
    #[error("no centre named {name:?}")]
    UnknownCentre {
        /// The rule's index.
        rule: usize,
        /// The name.
        name: String,
    },
    /// A rule lists no centre, or one twice, or too many.
    #[error("a rule lists 1 to {MAX_CENTRES_PER_RULE} different centres")]
    CentreList {
        /// The rule's index.
        rule: usize,
    },
    /// More centres or rules than ids.
    #[error("more than {MAX_ENTRIES} centres or rules")]
    TooMany,
}

/// Centres, rules and the indexes the decision uses.
#[derive(Debug, Clone)]
pub struct Table {
    centres: Box<[Centre]>,
    rules: Box<[Rule]>,
    merchants: HashMap<Box<str>, u16>,
    links: HashMap<Box<str>, u16>,
    /// Per interned merchant: may its callers dial an explicit number.
    explicit_numbers: Box<[bool]>,
    /// Per interned merchant: the rules that name it or no merchant, in order.
    by_merchant: Box<[Box<[RuleId]>]>,
    /// The rules that name no merchant, in order (for an unknown merchant).
    any_merchant: Box<[RuleId]>,
    /// Retry-After for a caller whose centres are all full, seconds.
    busy_retry_after_s: u32,
}

/// Interns `name`, returning its id.
fn intern(map: &mut HashMap<Box<str>, u16>, name: &str) -> Result<u16, TableError> {
    if let Some(&id) = map.get(name) {
        return Ok(id);
    }
    let id = u16::try_from(map.len()).map_err(|_| TableError::TooMany)?;
    map.insert(name.into(), id);
    Ok(id)
}

impl Table {
    /// Build a table. `explicit_number_merchants` are the merchants whose
    /// callers' dialled numbers count; `busy_retry_after_s` is the Retry-After
    /// of a 486 when every centre is full.
    pub fn new(
        centres: Vec<CentreSettings>,
        rules: Vec<RuleSettings>,
        explicit_number_merchants: &[String],
        busy_retry_after_s: u32,
    ) -> Result<Table, TableError> {
        if centres.len() > MAX_ENTRIES || rules.len() > MAX_ENTRIES {
            return Err(TableError::TooMany);
        }
        let mut merchants = HashMap::new();
        let mut links = HashMap::new();
        let mut names: HashMap<&str, CentreId> = HashMap::new();
        for (i, c) in centres.iter().enumerate() {
            let id = CentreId(u16::try_from(i).map_err(|_| TableError::TooMany)?);
            if names.insert(c.name.as_str(), id).is_some() {
                return Err(TableError::DuplicateCentre {
                    centre: i,
                    name: c.name.clone(),
                });
            }
            for (what, value) in [("capacity", c.capacity), ("weight", c.weight)] {
                if value == 0 {
                    return Err(TableError::Zero { centre: i, what });
                }
            }
        }
        let mut interned_centres = Vec::with_capacity(centres.len());
        for c in &centres {
            let m = c
                .merchants
                .iter()
                .map(|m| intern(&mut merchants, m))
                .collect::<Result<Box<[u16]>, _>>()?;
            let l = c
                .links
                .iter()
                .map(|l| intern(&mut links, l))
                .collect::<Result<Box<[u16]>, _>>()?;
            interned_centres.push((m, l));
        }
        let mut built_rules = Vec::with_capacity(rules.len());
        let mut rule_names = HashMap::new();
        let mut offset = 0u32;
        for (i, r) in rules.into_iter().enumerate() {
            if rule_names.insert(r.name.clone(), i).is_some() {
                return Err(TableError::DuplicateRule {
                    rule: i,
                    name: r.name,
                });
            }
            let mut list = heapless::Vec::new();
            for name in &r.centres {
                let id = *names.get(name.as_str()).ok_or(TableError::UnknownCentre {
                    rule: i,
                    name: name.clone(),
                })?;
                if list.contains(&id) || list.push(id).is_err() {
                    return Err(TableError::CentreList { rule: i });
                }
            }
            if list.is_empty() {
                return Err(TableError::CentreList { rule: i });
            }
            let merchant = r
                .merchant
                .as_deref()
                .map(|m| intern(&mut merchants, m))
                .transpose()?;
            let link = r
                .link
                .as_deref()
                .map(|l| intern(&mut links, l))
                .transpose()?;
            let len = u32::try_from(list.len()).unwrap_or(0);
            built_rules.push(Rule {
                settings: r,
                merchant,
                link,
                centres: list,
                rotation_offset: offset,
            });
            offset += len;
        }
        for m in explicit_number_merchants {
            intern(&mut merchants, m)?;
        }
        let mut explicit_numbers = vec![false; merchants.len()];
        for m in explicit_number_merchants {
            if let Some(&id) = merchants.get(m.as_str()) {
                explicit_numbers[usize::from(id)] = true;
            }
        }
        let rule_id = |i: usize| RuleId(u16::try_from(i).unwrap_or(u16::MAX));
        let by_merchant = (0..merchants.len())
            .map(|m| {
                built_rules
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.merchant.is_none_or(|rm| usize::from(rm) == m))
                    .map(|(i, _)| rule_id(i))
                    .collect()
            })
            .collect();
        let any_merchant = built_rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.merchant.is_none())
            .map(|(i, _)| rule_id(i))
            .collect();
        let centres = centres
            .into_iter()
            .zip(interned_centres)
            .map(|(settings, (merchants, links))| Centre {
                settings,
                merchants,
                links,
            })
            .collect();
        Ok(Table {
            centres,
            rules: built_rules.into_boxed_slice(),
            merchants,
            links,
            explicit_numbers: explicit_numbers.into_boxed_slice(),
            by_merchant,
            any_merchant,
            busy_retry_after_s,
        })
    }

    /// The centres, in configuration order.
    pub fn centres(&self) -> &[Centre] {
        &self.centres
    }

    /// The rules, in configuration order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// A centre by id.
    pub fn centre(&self, id: CentreId) -> Option<&Centre> {
        self.centres.get(usize::from(id.0))
    }

    /// A rule by id.
    pub fn rule(&self, id: RuleId) -> Option<&Rule> {
        self.rules.get(usize::from(id.0))
    }

    /// A centre's id by name (a route token names its centre).
    pub fn centre_named(&self, name: &str) -> Option<CentreId> {
        self.centres
            .iter()
            .position(|c| c.name() == name)
            .and_then(|i| u16::try_from(i).ok())
            .map(CentreId)
    }

    /// Retry-After of a 486 when every centre is full, seconds.
    pub fn busy_retry_after_s(&self) -> u32 {
        self.busy_retry_after_s
    }

    pub(super) fn merchant_id(&self, merchant: &str) -> Option<u16> {
        self.merchants.get(merchant).copied()
    }

    pub(super) fn link_id(&self, link: &str) -> Option<u16> {
        self.links.get(link).copied()
    }

    pub(super) fn allows_explicit_number(&self, merchant: Option<u16>) -> bool {
        merchant.is_some_and(|m| {
            self.explicit_numbers
                .get(usize::from(m))
                .copied()
                .unwrap_or(false)
        })
    }

    /// The rules that could match a request for `merchant`, in order.
    pub(super) fn candidates(&self, merchant: Option<u16>) -> &[RuleId] {
        merchant
            .and_then(|m| self.by_merchant.get(usize::from(m)))
            .map_or(&self.any_merchant, |r| r)
    }
}
