//! Route tokens: what the gateway writes back to the caller's device after a
//! routed call (the centre, the agent, the merchant) so the next call can go to
//! "the agent you spoke with last time". Signed with HMAC-SHA256 under the
//! configuration's key and expiring; anything else is refused with a typed
//! reason and never trusted.
//!
//! Wire form (ASCII, URL- and header-safe): `BASE64URL(payload) "." BASE64URL(mac)`
//! without padding, where `mac` is HMAC-SHA256(key, payload) and `payload` is
//!
//! ```text
//! version (1) | key id (4) | expires, Unix seconds (8, big-endian)
//! | merchant len (1) | merchant | centre len (1) | centre | agent len (1) | agent
//! ```
//!
//! The key id (the first 4 bytes of SHA-256 over a label and the key) tells a
//! token signed under another key (another box, or before a key change) from a
//! tampered one. Verification checks, in order: shape and encoding
//! (malformed), version, key id (foreign key), MAC in constant time
//! (tampered), the fields (malformed), then expiry.

use base64ct::{Base64UrlUnpadded, Encoding};
use hmac::{Hmac, Mac};
use jiff::Timestamp;
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// Format version written and accepted.
const VERSION: u8 = 1;
/// Longest token accepted, characters.
pub const MAX_TOKEN_LEN: usize = 1024;
/// Longest merchant, centre or agent name a token carries, bytes.
pub const MAX_FIELD: usize = 128;
/// Shortest key accepted, bytes (RFC 2104 §3: at least the hash's output).
pub const MIN_KEY_LEN: usize = 32;
const MAC_LEN: usize = 32;
const HEADER_LEN: usize = 1 + 4 + 8;

/// What a token carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteToken {
    /// The merchant the call was for.
    pub merchant: String,
    /// The centre it was routed to.
    pub centre: String,
    /// The agent who took it, when known.
    pub agent: Option<String>,
    /// When the token stops being honoured.
    pub expires: Timestamp,
}

/// Why a token is not trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Not a token of this format (shape, encoding, length, fields).
    #[error("malformed route token")]
    Malformed,
    /// A version this gateway does not read.
    #[error("route token version {0} is not supported")]
    Version(u8),
    /// Signed under another key.
    #[error("route token signed with another key")]
    ForeignKey,
    /// Its signature does not match its contents.
    #[error("route token signature does not match (tampered)")]
    Tampered,
    /// Past its expiry.
    #[error("route token expired")]
    Expired,
}

/// Why a token could not be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// A name longer than [`MAX_FIELD`] bytes.
    #[error("route token field longer than {MAX_FIELD} bytes")]
    FieldTooLong,
}

/// A key that signs and verifies route tokens.
#[derive(Clone)]
pub struct TokenKey {
    /// HMAC keyed once; cloned for each token.
    mac: HmacSha256,
    id: [u8; 4],
}

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// A key of fewer than [`MIN_KEY_LEN`] bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a route token key has at least {MIN_KEY_LEN} bytes, this one {0}")]
pub struct ShortKey(pub usize);

impl TokenKey {
    /// A key from its bytes (at least [`MIN_KEY_LEN`]).
    pub fn new(key: &[u8]) -> Result<TokenKey, ShortKey> {
        if key.len() < MIN_KEY_LEN {
            return Err(ShortKey(key.len()));
        }
        let digest = Sha256::new()
            .chain_update(b"gateway route token key id\0")
            .chain_update(key)
            .finalize();
        let mut id = [0u8; 4];
        id.copy_from_slice(&digest[..4]);
        // HMAC takes keys of any length: this cannot fail.
        let mac = HmacSha256::new_from_slice(key).map_err(|_| ShortKey(key.len()))?;
        Ok(TokenKey { mac, id })
    }

    fn mac(&self) -> HmacSha256 {
        self.mac.clone()
    }

    /// Write a token for `token`.
    pub fn sign(&self, token: &RouteToken) -> Result<String, SignError> {
        let mut payload = Vec::with_capacity(HEADER_LEN + 3 + 3 * MAX_FIELD);
        payload.push(VERSION);
        payload.extend_from_slice(&self.id);
        payload.extend_from_slice(&token.expires.as_second().to_be_bytes());
        for field in [
            token.merchant.as_str(),
            token.centre.as_str(),
            token.agent.as_deref().unwrap_or(""),
        ] {
            let len = u8::try_from(field.len())
                .ok()
                .filter(|&l| usize::from(l) <= MAX_FIELD)
                .ok_or(SignError::FieldTooLong)?;
            payload.push(len);
            payload.extend_from_slice(field.as_bytes());
        }
        let mac = self.mac().chain_update(&payload).finalize().into_bytes();
        Ok(format!(
            "{}.{}",
            Base64UrlUnpadded::encode_string(&payload),
            Base64UrlUnpadded::encode_string(&mac)
        ))
    }

    /// Check `text` at `now`; never panics, whatever the input.
    pub fn verify(&self, text: &str, now: Timestamp) -> Result<RouteToken, TokenError> {
        if text.len() > MAX_TOKEN_LEN {
            return Err(TokenError::Malformed);
        }
        let (payload, mac) = text.split_once('.').ok_or(TokenError::Malformed)?;
        let mut payload_buf = [0u8; MAX_TOKEN_LEN];
        let payload = Base64UrlUnpadded::decode(payload, &mut payload_buf)
            .map_err(|_| TokenError::Malformed)?;
        let mut mac_buf = [0u8; MAC_LEN];
        let mac =
            Base64UrlUnpadded::decode(mac, &mut mac_buf).map_err(|_| TokenError::Malformed)?;
        if mac.len() != MAC_LEN || payload.len() < HEADER_LEN {
            return Err(TokenError::Malformed);
        }
        if payload[0] != VERSION {
            return Err(TokenError::Version(payload[0]));
        }
        if payload[1..5] != self.id {
            return Err(TokenError::ForeignKey);
        }
        self.mac()
            .chain_update(payload)
            .verify_slice(mac)
            .map_err(|_| TokenError::Tampered)?;
        let token = parse_fields(payload).ok_or(TokenError::Malformed)?;
        if token.expires <= now {
            return Err(TokenError::Expired);
        }
        Ok(token)
    }
}

/// The fields after the header; `None` when they do not fill the payload exactly.
fn parse_fields(payload: &[u8]) -> Option<RouteToken> {
    let expires: [u8; 8] = payload.get(5..HEADER_LEN)?.try_into().ok()?;
    let expires = Timestamp::from_second(i64::from_be_bytes(expires)).ok()?;
    let mut rest = payload.get(HEADER_LEN..)?;
    let mut field = || -> Option<String> {
        let (&len, tail) = rest.split_first()?;
        let len = usize::from(len);
        if len > MAX_FIELD {
            return None;
        }
        let (bytes, tail) = (tail.get(..len)?, tail.get(len..)?);
        rest = tail;
        String::from_utf8(bytes.to_vec()).ok()
    };
    let merchant = field()?;
    let centre = field()?;
    let agent = field()?;
    if !rest.is_empty() {
        return None;
    }
    Some(RouteToken {
        merchant,
        centre,
        agent: (!agent.is_empty()).then_some(agent),
        expires,
    })
}
