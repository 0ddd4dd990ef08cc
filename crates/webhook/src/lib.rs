//! WooCommerce deliveries: telling the creation ping from a signed delivery, verifying
//! `X-WC-Webhook-Signature` (base64 HMAC-SHA256 over the raw body, constant time) and
//! parsing the body into a typed order event or a WooCommerce error object.
//!
//! Pure: it takes headers and bytes and returns values. It must never know HTTP servers,
//! databases, members or points: what a delivery *means* is decided by the caller.
