//! Tokens for the browser's event stream: short-lived, signed, one per web
//! session and merchant.
//!
//! ```text
//!  merchant's server ── GET /api/v1/sessions/S/token (Bearer merchant token) ──▶
//!      { token: "EXPIRES.MERCHANT_HEX.MAC", expires_unix }      MAC = HMAC-SHA256(key, "v1|M|S|EXPIRES")
//!  browser ── GET /api/v1/events?session_id=S&token=T ──▶ stream of S's calls of merchant M
//! ```
//!
//! The key is 512 bits drawn at start from the OS-keyed generator, so tokens
//! die with the process; nothing is stored per token. A token names its
//! merchant (`*` for the operator), so a caller who puts another merchant's
//! session id on its INVITE does not reach that merchant's page: its call
//! carries its own account's merchant ([`crate::call::merchant`]).

use hmac::{Hmac, Mac};
use sha2::Sha256;
use thiserror::Error;

use super::Scope;

type HmacSha256 = Hmac<Sha256>;

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TokenError {
    #[error("the token is malformed")]
    Malformed,
    #[error("the token is not for this session")]
    BadSignature,
    #[error("the token expired")]
    Expired,
}

/// Issues and checks event-stream tokens.
#[derive(Clone)]
pub struct TokenIssuer {
    key: [u8; 64],
    lifetime_s: u64,
}

impl std::fmt::Debug for TokenIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenIssuer")
            .field("lifetime_s", &self.lifetime_s)
            .finish_non_exhaustive()
    }
}

impl TokenIssuer {
    pub fn new(key: [u8; 64], lifetime_s: u64) -> Self {
        Self {
            key,
            lifetime_s: lifetime_s.max(1),
        }
    }

    /// A key from the OS-keyed generator.
    pub fn random_key() -> Result<[u8; 64], sip::SeedError> {
        let mut ids = sip::IdGenerator::new(sip::Seed::from_os()?);
        let mut key = [0u8; 64];
        for chunk in key.chunks_mut(8) {
            chunk.copy_from_slice(&ids.next_u64().to_le_bytes());
        }
        Ok(key)
    }

    fn mac(&self, merchant: &str, session: &str, expires: u64) -> HmacSha256 {
        // A 64-byte key is exactly SHA-256's block: no hashing of the key.
        let mut mac = <HmacSha256 as hmac::digest::KeyInit>::new(&self.key.into());
        mac.update(format!("v1|{merchant}|{session}|{expires}").as_bytes());
        mac
    }

    /// A token for `session` seen with `scope`, valid from `now_unix`; with
    /// its expiry.
    pub fn issue(&self, scope: &Scope, session: &str, now_unix: u64) -> (String, u64) {
        let merchant = match scope {
            Scope::All => "*",
            Scope::Merchant(m) => m.as_str(),
        };
        let expires = now_unix + self.lifetime_s;
        let mac = self.mac(merchant, session, expires).finalize().into_bytes();
        let token = format!("{expires}.{}.{}", hex(merchant.as_bytes()), hex(&mac));
        (token, expires)
    }

    /// The scope `token` grants on `session` at `now_unix`.
    pub fn check(&self, token: &str, session: &str, now_unix: u64) -> Result<Scope, TokenError> {
        let mut parts = token.split('.');
        let (Some(expires), Some(merchant), Some(mac), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let expires: u64 = expires.parse().map_err(|_| TokenError::Malformed)?;
        let merchant = unhex(merchant)
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or(TokenError::Malformed)?;
        let mac = unhex(mac).ok_or(TokenError::Malformed)?;
        // Constant-time comparison inside verify_slice.
        self.mac(&merchant, session, expires)
            .verify_slice(&mac)
            .map_err(|_| TokenError::BadSignature)?;
        if now_unix >= expires {
            return Err(TokenError::Expired);
        }
        Ok(if merchant == "*" {
            Scope::All
        } else {
            Scope::Merchant(merchant)
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || text.len() > 512 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_bind_session_merchant_and_time() {
        let issuer = TokenIssuer::new([7; 64], 60);
        let shop = Scope::Merchant("shop-1".into());
        let (token, expires) = issuer.issue(&shop, "sess-42", 1000);
        assert_eq!(expires, 1060);
        assert_eq!(issuer.check(&token, "sess-42", 1059), Ok(shop.clone()));
        assert_eq!(
            issuer.check(&token, "sess-43", 1000),
            Err(TokenError::BadSignature)
        );
        assert_eq!(
            issuer.check(&token, "sess-42", 1060),
            Err(TokenError::Expired)
        );
        // Another key (another boot) does not accept it.
        let other = TokenIssuer::new([8; 64], 60);
        assert_eq!(
            other.check(&token, "sess-42", 1000),
            Err(TokenError::BadSignature)
        );
        // Changing the merchant or the expiry breaks the signature.
        let forged = token.replacen(&hex(b"shop-1"), &hex(b"*"), 1);
        assert_eq!(
            issuer.check(&forged, "sess-42", 1000),
            Err(TokenError::BadSignature)
        );
        let forged = token.replacen("1060", "9999", 1);
        assert_eq!(
            issuer.check(&forged, "sess-42", 1000),
            Err(TokenError::BadSignature)
        );
        for junk in ["", "a.b", "1.2.3.4", "x.00.00", "1.zz.00"] {
            assert_eq!(
                issuer.check(junk, "sess-42", 0),
                Err(TokenError::Malformed),
                "{junk}"
            );
        }
        let (all, _) = issuer.issue(&Scope::All, "s", 0);
        assert_eq!(issuer.check(&all, "s", 0), Ok(Scope::All));
    }
}
