//! The crate's one integration-test binary: recorded deliveries from a real WooCommerce
//! store, hand-built payloads, and property tests.

mod built;
mod captures;
mod properties;
mod recorded;
