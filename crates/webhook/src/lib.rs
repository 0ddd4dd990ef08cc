//! WooCommerce deliveries: telling the creation ping from a signed delivery, verifying
//! `X-WC-Webhook-Signature` (base64 HMAC-SHA256 over the raw body, constant time) and
//! parsing the body into a typed order event or a WooCommerce error object.
//!
//! This crate owns:
//! - **headers** ([`DeliveryHeaders`]): the `X-WC-Webhook-*` headers of one request, read
//!   case-insensitively;
//! - **classifying** ([`classify`]): the unsigned creation ping, a signed delivery, or
//!   anything else (unsigned or forged traffic);
//! - **verifying** ([`verify_signature`], [`sign`]): base64(HMAC-SHA256(body, secret)) over
//!   the bytes exactly as received, compared in constant time by `ring`;
//! - **parsing** ([`parse`]): an `order.updated` body into an [`OrderEvent`] (money kept as
//!   the decimal text WooCommerce sent, an open set of [`OrderStatus`]es, refunds), or a
//!   WooCommerce error object into a [`WooError`], with readable [`ParseError`]s for
//!   everything else. Bodies over [`MAX_BODY_BYTES`] or nested deeper than
//!   [`MAX_DEPTH`] are refused before any JSON is built.
//!
//! It must never know HTTP frameworks, databases, clocks, points, members or cards: it
//! takes headers and bytes and returns values. What a delivery *means* (award, refund,
//! ignore) is decided by the caller. It never panics, whatever the input.
//!
//! Order of use by a receiver: [`classify`] → for [`Kind::Signed`], [`verify_signature`]
//! over the raw bytes → only then [`parse`].
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod classify;
mod decimal;
mod error_object;
mod headers;
mod json;
mod order;
mod payload;
mod signature;
mod status;

pub use classify::{classify, Kind};
pub use error_object::WooError;
pub use headers::DeliveryHeaders;
pub use order::{Billing, OrderEvent, Refund};
pub use payload::{parse, ParseError, Payload, MAX_BODY_BYTES, MAX_DEPTH};
pub use signature::{sign, verify_signature, SignatureError};
pub use status::OrderStatus;
