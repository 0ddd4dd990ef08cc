//! The words that label a wallet entry: its kind and the channel it came through.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::shown;
use crate::LedgerError;

/// Where an entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// Recorded at the shop counter (the dashboard's counter page).
    Counter,
    /// From a WooCommerce order or coupon.
    WooCommerce,
    /// Through the partner JSON API.
    Api,
    /// By Tally itself (corrections, background work).
    System,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 4] = [
        Channel::Counter,
        Channel::WooCommerce,
        Channel::Api,
        Channel::System,
    ];

    /// `"counter"`, `"woocommerce"`, `"api"` or `"system"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Channel::Counter => "counter",
            Channel::WooCommerce => "woocommerce",
            Channel::Api => "api",
            Channel::System => "system",
        }
    }

    /// Reads what [`Channel::as_str`] writes (any case, surrounding spaces ignored).
    pub fn parse(text: &str) -> Result<Channel, LedgerError> {
        let wanted = text.trim();
        Channel::ALL
            .into_iter()
            .find(|channel| channel.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| LedgerError::UnknownChannel { text: shown(text) })
    }
}

/// What an entry did to the wallet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// Points earned by a purchase (credit).
    Purchase,
    /// The once-per-wallet bonus on the first qualifying purchase (credit).
    WelcomeBonus,
    /// Points taken back because an order was refunded (deduction, clamped at zero).
    Refund,
    /// Points spent on a coupon (deduction, refused beyond the balance).
    Redemption,
    /// Points given back because the store refused a coupon (credit).
    RedemptionReversal,
    /// A manual correction by the partner (either sign, refused beyond the balance).
    Adjustment,
    /// Reserved for a later version: points that expired (deduction, clamped at zero).
    Expiry,
}

impl EntryKind {
    /// Every kind.
    pub const ALL: [EntryKind; 7] = [
        EntryKind::Purchase,
        EntryKind::WelcomeBonus,
        EntryKind::Refund,
        EntryKind::Redemption,
        EntryKind::RedemptionReversal,
        EntryKind::Adjustment,
        EntryKind::Expiry,
    ];

    /// The stored name: `"purchase"`, `"welcome_bonus"`, `"refund"`, `"redemption"`,
    /// `"redemption_reversal"`, `"adjustment"` or `"expiry"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            EntryKind::Purchase => "purchase",
            EntryKind::WelcomeBonus => "welcome_bonus",
            EntryKind::Refund => "refund",
            EntryKind::Redemption => "redemption",
            EntryKind::RedemptionReversal => "redemption_reversal",
            EntryKind::Adjustment => "adjustment",
            EntryKind::Expiry => "expiry",
        }
    }

    /// The name in words, for sentences: `"welcome bonus"`.
    pub fn label(&self) -> &'static str {
        match self {
            EntryKind::Purchase => "purchase",
            EntryKind::WelcomeBonus => "welcome bonus",
            EntryKind::Refund => "refund",
            EntryKind::Redemption => "redemption",
            EntryKind::RedemptionReversal => "redemption reversal",
            EntryKind::Adjustment => "adjustment",
            EntryKind::Expiry => "expiry",
        }
    }

    /// Reads what [`EntryKind::as_str`] writes (any case, surrounding spaces ignored).
    pub fn parse(text: &str) -> Result<EntryKind, LedgerError> {
        let wanted = text.trim();
        EntryKind::ALL
            .into_iter()
            .find(|kind| kind.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| LedgerError::UnknownEntryKind { text: shown(text) })
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for EntryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Channel {
    type Err = LedgerError;
    fn from_str(text: &str) -> Result<Channel, LedgerError> {
        Channel::parse(text)
    }
}

impl std::str::FromStr for EntryKind {
    type Err = LedgerError;
    fn from_str(text: &str) -> Result<EntryKind, LedgerError> {
        EntryKind::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_round_trip_through_text_and_serde() {
        for channel in Channel::ALL {
            assert_eq!(Channel::parse(channel.as_str()), Ok(channel));
            let json = serde_json::to_string(&channel).unwrap();
            assert_eq!(json, format!("\"{}\"", channel.as_str()));
            assert_eq!(serde_json::from_str::<Channel>(&json).unwrap(), channel);
        }
        assert_eq!(Channel::WooCommerce.as_str(), "woocommerce");
        assert_eq!(Channel::parse("WooCommerce"), Ok(Channel::WooCommerce));
        assert!(matches!(
            Channel::parse("web"),
            Err(LedgerError::UnknownChannel { .. })
        ));
    }

    #[test]
    fn entry_kinds_round_trip_through_text_and_serde() {
        for kind in EntryKind::ALL {
            assert_eq!(EntryKind::parse(kind.as_str()), Ok(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(serde_json::from_str::<EntryKind>(&json).unwrap(), kind);
        }
        assert_eq!(EntryKind::WelcomeBonus.as_str(), "welcome_bonus");
        assert_eq!(
            EntryKind::RedemptionReversal.as_str(),
            "redemption_reversal"
        );
        assert!(matches!(
            EntryKind::parse("bonus"),
            Err(LedgerError::UnknownEntryKind { .. })
        ));
    }
}
