//! The WooCommerce REST API client: credentials check and store currency, webhooks,
//! coupons and orders, over HTTPS with Basic auth, with request timeouts and refusal of
//! non-public addresses enforced in its own resolver.
//!
//! It must never know the database, pages or points: it speaks WooCommerce and returns
//! typed answers and typed errors that the dashboard turns into hints.
