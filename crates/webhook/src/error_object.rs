//! A WooCommerce REST error object delivered instead of an order.

use crate::json::Fields;
use crate::payload::ParseError;

/// `{"code": "...", "message": "...", "data": {"status": 401}}`: what WooCommerce signs and
/// sends when the webhook's owner may no longer read the order (e.g.
/// `woocommerce_rest_cannot_view`) or the order vanished before delivery
/// (`woocommerce_rest_shop_order_invalid_id`).
///
/// `data` and `data.status` are optional; a `status` that is not a whole number between
/// 0 and 65535 reads as `None` (the object only explains a failure, so it is read leniently).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WooError {
    /// Machine-readable code, e.g. `woocommerce_rest_cannot_view`.
    pub code: String,
    /// The store's human-readable message.
    pub message: String,
    /// The HTTP status WooCommerce attached (`data.status`), when present.
    pub status: Option<u16>,
}

impl WooError {
    pub(crate) fn from_fields(fields: &Fields<'_>) -> Result<Self, ParseError> {
        let code = fields
            .string("code", "code")?
            .ok_or(ParseError::MissingField("code"))?;
        let message = fields
            .string("message", "message")?
            .ok_or(ParseError::MissingField("message"))?;
        let status = fields
            .object("data", "data")
            .ok()
            .flatten()
            .and_then(|data| data.int("status", "data.status").ok().flatten())
            .and_then(|status| u16::try_from(status).ok());
        Ok(Self {
            code,
            message,
            status,
        })
    }
}
