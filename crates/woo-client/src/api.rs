//! `WooApi`: what Tally asks of a store, as a small trait so use cases can be tested
//! with a fake and the real client against the simulator.

use async_trait::async_trait;

use crate::{
    ClientError, Coupon, Credentials, Deleted, NewCoupon, NewWebhook, OrderPage, OrderQuery,
    StoreUrl, Webhook, WebhookUpdate,
};

/// What `system_status` tells about a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreInfo {
    /// ISO 4217, e.g. `EUR`.
    pub currency: String,
    pub woocommerce_version: Option<String>,
    /// The store's price decimals (money strings carry this many).
    pub decimals: Option<u32>,
}

/// The WooCommerce REST calls Tally makes. Object-safe (`&dyn WooApi`) and usable as a
/// generic bound. Implement it for a fake with `#[woo_client::async_trait]`.
#[async_trait]
pub trait WooApi: Send + Sync {
    /// An authenticated read of `system_status`: checks the URL and credentials, and
    /// gives the store's currency.
    async fn system_status(
        &self,
        store: &StoreUrl,
        credentials: &Credentials,
    ) -> Result<StoreInfo, ClientError>;

    async fn create_webhook(
        &self,
        store: &StoreUrl,
        credentials: &Credentials,
        webhook: &NewWebhook,
    ) -> Result<Webhook, ClientError>;

    /// `None` when the store does not have it (WooCommerce answers 400 "ID is invalid.").
    async fn get_webhook(
        &self,
        store: &StoreUrl,
        credentials: &Credentials,
        id: u64,
    ) -> Result<Option<Webhook>, ClientError>;

    async fn update_webhook(
        &self,
        store: &StoreUrl,
        credentials: &Credentials,
        id: u64,
        update: &WebhookUpdate,
    ) -> Result<Webhook, ClientError>;

    /// Always with `force=true`; a webhook that is already gone is `Ok(AlreadyGone)`.
    async fn delete_webhook(
        &self,
        store: &StoreUrl,
        credentials: &Credentials,
        id: u64,
    ) -> Result<Deleted, ClientError>;

    /// A duplicate code is `BadRequest { code: "woocommerce_rest_coupon_code_already_exists", .. }`.
    async fn create_coupon(
        &self,
        store: &StoreUrl,
        credentials: &Credentials,
        coupon: &NewCoupon,
    ) -> Result<Coupon, ClientError>;

    /// Looks a published coupon up by code (sent lower-cased; compared case-insensitively).
    async fn find_coupon_by_code(
        &self,
        store: &StoreUrl,
        credentials: &Credentials,
        code: &str,
    ) -> Result<Option<Coupon>, ClientError>;

    /// One page of orders modified after a moment, oldest change first.
    async fn list_orders(
        &self,
        store: &StoreUrl,
        credentials: &Credentials,
        query: &OrderQuery,
    ) -> Result<OrderPage, ClientError>;
}
