//! What the caller's device remembers and POSTs to the gateway (issue 16 item
//! 5): its interactions with the merchant's site, the agent it spoke with last,
//! its cart, its language and the route token it was given last time.
//!
//! The body is bounded before it is parsed ([`MAX_BODY`]) and every list and
//! string after ([`MAX_INTERACTIONS`], [`MAX_TEXT`]), so what a rule matches on
//! has a known size whatever a page sends. Faults name the field.

use serde::Deserialize;

/// Largest body accepted, bytes.
pub const MAX_BODY: usize = 16 * 1024;
/// Most interactions kept.
pub const MAX_INTERACTIONS: usize = 32;
/// Longest string field, bytes.
pub const MAX_TEXT: usize = 512;

/// The device's data, as POSTed (JSON, unknown fields refused).
///
/// ```json
/// { "language": "fr", "last_agent": "4711", "customer_id": "c-981",
///   "interactions": [ { "page": "https://shop.example/tv", "seconds": 40 } ],
///   "cart": { "items": 2, "total_cents": 129900, "currency": "EUR" },
///   "route_token": "…" }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceData {
    /// BCP 47 language tag of the page or device (`fr`, `en-US`).
    #[serde(default)]
    pub language: Option<String>,
    /// The agent the caller spoke with last time, as the device remembers it.
    #[serde(default)]
    pub last_agent: Option<String>,
    /// The merchant's customer id, when the page knows it.
    #[serde(default)]
    pub customer_id: Option<String>,
    /// Pages seen on the merchant's site, most recent last.
    #[serde(default)]
    pub interactions: Vec<Interaction>,
    /// The shopping cart.
    #[serde(default)]
    pub cart: Option<Cart>,
    /// The route token the gateway wrote back on a previous call.
    #[serde(default)]
    pub route_token: Option<String>,
}

/// One page the caller saw.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interaction {
    /// The page's URL.
    pub page: String,
    /// Time spent on it, seconds.
    #[serde(default)]
    pub seconds: u32,
}

/// The caller's cart.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cart {
    /// Items in it.
    #[serde(default)]
    pub items: u32,
    /// Its total in the currency's smallest unit.
    #[serde(default)]
    pub total_cents: u64,
    /// ISO 4217 code.
    #[serde(default)]
    pub currency: Option<String>,
}

/// Why a device's POST was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceDataError {
    /// The body is longer than [`MAX_BODY`].
    #[error("body of {0} bytes is over the {MAX_BODY}-byte limit")]
    TooLarge(usize),
    /// Not JSON, or a field of the wrong type or unknown.
    #[error("{field}: {message}")]
    Json {
        /// Dotted path of the field (`cart.total_cents`, `interactions[2].page`),
        /// empty for the document itself.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A string field longer than [`MAX_TEXT`].
    #[error("{field}: longer than {MAX_TEXT} bytes")]
    TooLong {
        /// Dotted path of the field.
        field: String,
    },
    /// More interactions than [`MAX_INTERACTIONS`].
    #[error("interactions: more than {MAX_INTERACTIONS}")]
    TooManyInteractions,
}

impl DeviceData {
    /// Parse and bound a POSTed body.
    pub fn parse(body: &[u8]) -> Result<DeviceData, DeviceDataError> {
        if body.len() > MAX_BODY {
            return Err(DeviceDataError::TooLarge(body.len()));
        }
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        let data: DeviceData =
            serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
                let field = e.path().to_string();
                DeviceDataError::Json {
                    field: if field == "." { String::new() } else { field },
                    message: e.into_inner().to_string(),
                }
            })?;
        deserializer.end().map_err(|e| DeviceDataError::Json {
            field: String::new(),
            message: e.to_string(),
        })?;
        data.check_bounds()?;
        Ok(data)
    }

    fn check_bounds(&self) -> Result<(), DeviceDataError> {
        if self.interactions.len() > MAX_INTERACTIONS {
            return Err(DeviceDataError::TooManyInteractions);
        }
        let long = |field: &str, value: Option<&String>| match value {
            Some(v) if v.len() > MAX_TEXT => Err(DeviceDataError::TooLong {
                field: field.to_string(),
            }),
            _ => Ok(()),
        };
        long("language", self.language.as_ref())?;
        long("last_agent", self.last_agent.as_ref())?;
        long("customer_id", self.customer_id.as_ref())?;
        long("route_token", self.route_token.as_ref())?;
        if let Some(cart) = &self.cart {
            long("cart.currency", cart.currency.as_ref())?;
        }
        for (i, interaction) in self.interactions.iter().enumerate() {
            if interaction.page.len() > MAX_TEXT {
                return Err(DeviceDataError::TooLong {
                    field: format!("interactions[{i}].page"),
                });
            }
        }
        Ok(())
    }

    /// The language's primary subtag, lower case compared: `fr` for `fr-CA`.
    pub fn language_is(&self, wanted: &str) -> bool {
        self.language.as_deref().is_some_and(|tag| {
            let primary = tag.split(['-', '_']).next().unwrap_or(tag);
            primary.eq_ignore_ascii_case(wanted) || tag.eq_ignore_ascii_case(wanted)
        })
    }

    /// The cart's total, 0 without a cart.
    pub fn cart_total_cents(&self) -> u64 {
        self.cart.as_ref().map_or(0, |c| c.total_cents)
    }
}
