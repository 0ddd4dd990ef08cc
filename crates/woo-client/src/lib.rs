//! The WooCommerce REST API client: credentials check and store currency, webhooks,
//! coupons and orders, over HTTPS with Basic auth, with request timeouts and refusal of
//! non-public addresses enforced in its own resolver.
//!
//! It must never know the database, pages or points: it speaks WooCommerce and returns
//! typed answers and typed errors that the dashboard turns into hints.
//!
//! - [`StoreUrl`] parses what a partner typed (`https://` only, normalised).
//! - [`WooApi`] is the small trait use cases depend on; [`WooClient`] implements it with
//!   one reqwest client (rustls, webpki roots plus an optional extra CA, no redirects,
//!   no proxy, a resolver that refuses non-public addresses).
//! - [`ClientError`] maps every failure to something a partner can act on
//!   ([`ClientError::hint`]) and tells a definite refusal by the store from a transient
//!   failure ([`ClientError::is_definite_refusal`], [`ClientError::is_transient`]).
//! - Secrets never reach logs: [`Credentials`]' `Debug` shows a key prefix only.

mod address;
mod api;
mod client;
mod coupons;
mod credentials;
mod error;
mod orders;
mod store_url;
mod webhooks;

pub use address::is_public;
pub use api::{StoreInfo, WooApi};
pub use async_trait::async_trait;
pub use client::{ClientConfig, WooClient};
pub use coupons::{format_with_offset, Coupon, CouponMeta, MetaData, NewCoupon};
pub use credentials::Credentials;
pub use error::ClientError;
pub use orders::{OrderPage, OrderQuery, RawOrder, MAX_PER_PAGE};
pub use store_url::{StoreUrl, StoreUrlError};
pub use webhooks::{Deleted, NewWebhook, Webhook, WebhookStatus, WebhookUpdate};
