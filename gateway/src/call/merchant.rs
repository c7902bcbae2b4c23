//! Which merchant a call from an IP client belongs to: the one its SIP
//! account is bound to in the configuration (`[[sip.accounts]] merchant`),
//! never just what the caller's `X-Merchant-Id` says.
//!
//! ```text
//!  account bound to M,  no header or X-Merchant-Id: M ─▶ merchant M
//!  account bound to M,  X-Merchant-Id: N (N ≠ M)      ─▶ refused 403 (merchant M kept for the record)
//!  account bound to none, X-Merchant-Id: N            ─▶ refused 403 (no merchant)
//!  account bound to none, no header                   ─▶ no merchant
//!  no account (allow_unauthenticated, loopback only)  ─▶ the header, as sent
//! ```
//!
//! A refused call's context no longer names the claimed merchant (nor its
//! session), so neither its record nor its events reach that merchant.

use thiserror::Error;

use super::CallContext;
use crate::config::Config;

/// The reason phrase of the 403 a spoofing call gets.
pub const REFUSAL: &str = "Forbidden (not this account's merchant)";

/// A caller claimed a merchant its account is not bound to.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("account {account:?} claimed merchant {claimed:?} but is bound to {bound:?}")]
pub struct MerchantMismatch {
    pub account: String,
    pub claimed: String,
    pub bound: Option<String>,
}

/// Set `context`'s merchant (and account) from the authenticated `account`.
pub fn bind(
    context: &mut CallContext,
    account: Option<&str>,
    config: &Config,
) -> Result<(), MerchantMismatch> {
    let Some(account) = account else {
        // Unauthenticated calls exist only on loopback (config check).
        return Ok(());
    };
    context.account = Some(account.to_owned());
    let bound = config
        .sip
        .accounts
        .iter()
        .find(|a| a.user == account)
        .and_then(|a| a.merchant.clone());
    let claimed = context.merchant_id.take();
    context.merchant_id = bound.clone();
    match claimed {
        Some(claimed) if Some(&claimed) != bound.as_ref() => {
            context.session_id = None;
            Err(MerchantMismatch {
                account: account.to_owned(),
                claimed,
                bound,
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        let text = "[sip]\nrealm = \"gateway\"\n\
            [[sip.accounts]]\nuser = \"shop1-agent\"\npassword = \"Strong-pass-1\"\nmerchant = \"shop-1\"\n\
            [[sip.accounts]]\nuser = \"mallory\"\npassword = \"Strong-pass-2\"\n\
            [[merchants]]\nid = \"shop-1\"\n[[merchants]]\nid = \"shop-2\"\n\
            [[ports]]\nport = 0\nkind = \"fxo\"\nani = \"4155550100\"\n\
            [simulation]\n[[simulation.lines]]\nport = 0\nnumber = \"4155550100\"\n";
        crate::config::parse(std::path::Path::new("t.toml"), text).expect("valid")
    }

    fn claiming(merchant: Option<&str>) -> CallContext {
        CallContext {
            merchant_id: merchant.map(str::to_owned),
            session_id: Some("s-1".into()),
            ..CallContext::default()
        }
    }

    #[test]
    fn the_account_decides_the_merchant() {
        let config = config();
        let mut c = claiming(None);
        assert_eq!(bind(&mut c, Some("shop1-agent"), &config), Ok(()));
        assert_eq!(c.merchant_id.as_deref(), Some("shop-1"));
        assert_eq!(c.account.as_deref(), Some("shop1-agent"));
        let mut c = claiming(Some("shop-1"));
        assert_eq!(bind(&mut c, Some("shop1-agent"), &config), Ok(()));
        assert_eq!(c.session_id.as_deref(), Some("s-1"));

        let mut c = claiming(Some("shop-2"));
        let e = bind(&mut c, Some("shop1-agent"), &config).unwrap_err();
        assert_eq!(e.claimed, "shop-2");
        assert_eq!(c.merchant_id.as_deref(), Some("shop-1"));
        assert_eq!(c.session_id, None);

        let mut c = claiming(Some("shop-1"));
        assert!(bind(&mut c, Some("mallory"), &config).is_err());
        assert_eq!(c.merchant_id, None, "the claimed merchant is not kept");
        let mut c = claiming(None);
        assert_eq!(bind(&mut c, Some("mallory"), &config), Ok(()));
        assert_eq!(c.merchant_id, None);

        let mut c = claiming(Some("shop-2"));
        assert_eq!(bind(&mut c, None, &config), Ok(()));
        assert_eq!(c.merchant_id.as_deref(), Some("shop-2"));
    }
}
