//! Turning a verified delivery body into an order event or a WooCommerce error object.

use serde_json::value::RawValue;

use crate::error_object::WooError;
use crate::json::{self, Fields};
use crate::order::OrderEvent;

/// Largest body [`parse`] accepts: 1 MiB. Real orders are a few KB; plugin meta can
/// reach hundreds of KB.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Deepest nesting of arrays and objects [`parse`] accepts. A WooCommerce order nests
/// about four levels (`_links.self[0].href`); plugin meta may add a few.
pub const MAX_DEPTH: usize = 64;

/// What a signed `order.updated` body holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// An order (an object with an `id`).
    Order(OrderEvent),
    /// A REST error object (no `id`, a `code`): signed and delivered like an order.
    Error(WooError),
}

/// Why a body could not be read. Messages are meant for a partner reading a receipt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The body is over [`MAX_BODY_BYTES`]; refused before reading it.
    #[error("The body is larger than 1 MiB")]
    TooLarge,
    /// Arrays or objects nested deeper than [`MAX_DEPTH`]; refused before parsing.
    #[error("The body nests arrays or objects more than 64 levels deep")]
    TooDeep,
    /// Not JSON at all, or cut short (`reason` says where).
    #[error("The body is not valid JSON: {reason}")]
    NotJson {
        /// The JSON parser's explanation, with line and column.
        reason: String,
    },
    /// Valid JSON, but not an object.
    #[error("The body is JSON but not an object, so it is neither an order nor an error")]
    NotAnObject,
    /// A field an order (or error object) must have is absent or `null`.
    #[error("The body has no `{0}` field")]
    MissingField(&'static str),
    /// A field is present but unusable.
    #[error("The field `{field}` {reason}")]
    InvalidField {
        /// The field, e.g. `total` or `refunds[].total`.
        field: &'static str,
        /// What is wrong, e.g. `must be a whole number`.
        reason: &'static str,
    },
}

impl ParseError {
    pub(crate) fn invalid(field: &'static str, reason: &'static str) -> Self {
        Self::InvalidField { field, reason }
    }
}

/// Parses a delivery body (call it only after the signature verified).
///
/// An object with an `id` is an order; an object without `id` but with a `code` is a
/// WooCommerce error object; anything else is a [`ParseError`]. Unknown fields are
/// ignored. Never panics, whatever the bytes.
///
/// Money: `total` and `refunds[].total` are normally strings; a JSON number is also
/// accepted and kept as its exact token text (read through `serde_json`'s `RawValue`, never
/// through `f64`), but exponent notation (`1e3`) is refused as not a decimal amount.
pub fn parse(body: &[u8]) -> Result<Payload, ParseError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(ParseError::TooLarge);
    }
    if json::nesting_exceeds(body, MAX_DEPTH) {
        return Err(ParseError::TooDeep);
    }
    let raw: &RawValue = serde_json::from_slice(body).map_err(|e| ParseError::NotJson {
        reason: e.to_string(),
    })?;
    let fields = Fields::of(raw).ok_or(ParseError::NotAnObject)?;
    if fields.has("id") || !fields.has("code") {
        OrderEvent::from_fields(&fields).map(Payload::Order)
    } else {
        WooError::from_fields(&fields).map(Payload::Error)
    }
}
