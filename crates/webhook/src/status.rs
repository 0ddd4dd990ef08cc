//! Order statuses: WooCommerce's core set plus whatever extensions register.

use std::fmt;

/// An order's status as WooCommerce emits it in JSON (without the `wc-` storage prefix).
///
/// An open set: statuses added by extensions (or by newer WooCommerce versions, such as
/// `ready-for-pickup`) are kept verbatim in [`Other`](Self::Other).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    /// `pending`: awaiting payment.
    Pending,
    /// `processing`: paid, being fulfilled.
    Processing,
    /// `on-hold`: awaiting confirmation.
    OnHold,
    /// `completed`.
    Completed,
    /// `cancelled`.
    Cancelled,
    /// `refunded`: fully refunded (a partial refund leaves the status unchanged).
    Refunded,
    /// `failed`: payment failed.
    Failed,
    /// `checkout-draft`: a block-checkout draft that may never be placed; ignore it.
    CheckoutDraft,
    /// `trash`: a trashed order.
    Trash,
    /// Any other slug, kept exactly as sent (e.g. `wc-custom`, `ready-for-pickup`).
    Other(String),
}

impl OrderStatus {
    /// Reads a WooCommerce status slug. Exact, case-sensitive match; anything else is
    /// [`Other`](Self::Other) holding the text unchanged.
    pub fn parse(slug: &str) -> Self {
        match slug {
            "pending" => Self::Pending,
            "processing" => Self::Processing,
            "on-hold" => Self::OnHold,
            "completed" => Self::Completed,
            "cancelled" => Self::Cancelled,
            "refunded" => Self::Refunded,
            "failed" => Self::Failed,
            "checkout-draft" => Self::CheckoutDraft,
            "trash" => Self::Trash,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The WooCommerce slug: `parse(s).as_str() == s` for every `s`.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Pending => "pending",
            Self::Processing => "processing",
            Self::OnHold => "on-hold",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
            Self::Refunded => "refunded",
            Self::Failed => "failed",
            Self::CheckoutDraft => "checkout-draft",
            Self::Trash => "trash",
            Self::Other(slug) => slug,
        }
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_slugs_round_trip() {
        for (slug, status) in [
            ("pending", OrderStatus::Pending),
            ("processing", OrderStatus::Processing),
            ("on-hold", OrderStatus::OnHold),
            ("completed", OrderStatus::Completed),
            ("cancelled", OrderStatus::Cancelled),
            ("refunded", OrderStatus::Refunded),
            ("failed", OrderStatus::Failed),
            ("checkout-draft", OrderStatus::CheckoutDraft),
            ("trash", OrderStatus::Trash),
        ] {
            assert_eq!(OrderStatus::parse(slug), status);
            assert_eq!(status.as_str(), slug);
            assert_eq!(status.to_string(), slug);
        }
    }

    #[test]
    fn unknown_slugs_are_kept_verbatim() {
        for slug in [
            "wc-custom",
            "ready-for-pickup",
            "Completed",
            "wc-processing",
            "",
        ] {
            let status = OrderStatus::parse(slug);
            assert_eq!(status, OrderStatus::Other(slug.to_owned()));
            assert_eq!(status.as_str(), slug);
        }
    }
}
