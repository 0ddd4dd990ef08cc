//! Listing orders for back-fill (`GET /wp-json/wc/v3/orders`, WOOCOMMERCE.md §7).

use serde_json::value::RawValue;
use time::format_description::FormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};
use url::Url;

use crate::StoreUrl;

/// UTC without an offset: with `dates_are_gmt=true` WooCommerce compares it with the
/// GMT columns.
const UTC_NO_OFFSET: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");

/// WooCommerce's limit for `per_page`.
pub const MAX_PER_PAGE: u32 = 100;

/// One page of orders modified after a moment, oldest change first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderQuery {
    /// Exclusive; `None` lists from the beginning.
    pub modified_after: Option<OffsetDateTime>,
    /// From 1.
    pub page: u32,
    /// 1..=100 (clamped).
    pub per_page: u32,
}

impl OrderQuery {
    /// The URL of this page: `modified_after=<UTC>&dates_are_gmt=true&orderby=modified&order=asc&per_page&page`.
    pub fn url(&self, store: &StoreUrl) -> Url {
        let mut url = store.api_url("orders");
        {
            let mut q = url.query_pairs_mut();
            if let Some(after) = self.modified_after {
                let utc = after.to_offset(UtcOffset::UTC);
                let text = utc
                    .format(UTC_NO_OFFSET)
                    .unwrap_or_else(|_| utc.to_string());
                q.append_pair("modified_after", &text);
            }
            q.append_pair("dates_are_gmt", "true")
                .append_pair("orderby", "modified")
                .append_pair("order", "asc")
                .append_pair(
                    "per_page",
                    &self.per_page.clamp(1, MAX_PER_PAGE).to_string(),
                )
                .append_pair("page", &self.page.max(1).to_string());
        }
        url
    }
}

/// One order's JSON exactly as the store sent it, for the webhook crate's parser (so
/// numbers never go through f64).
#[derive(Debug, Clone)]
pub struct RawOrder(Box<RawValue>);

impl RawOrder {
    pub fn as_str(&self) -> &str {
        self.0.get()
    }

    pub fn as_bytes(&self) -> &[u8] {
        self.0.get().as_bytes()
    }

    /// The order as a JSON value (numbers become f64 here).
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::from_str(self.0.get()).unwrap_or(serde_json::Value::Null)
    }
}

impl<'de> serde::Deserialize<'de> for RawOrder {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(d).map(RawOrder)
    }
}

/// A page of orders with the totals from `X-WP-Total` / `X-WP-TotalPages`.
#[derive(Debug, Clone)]
pub struct OrderPage {
    pub orders: Vec<RawOrder>,
    pub total: Option<u64>,
    pub total_pages: Option<u32>,
    /// The page this is (as sent).
    pub page: u32,
}

impl OrderPage {
    /// Whether a later page exists (by `X-WP-TotalPages`, or a full page when the
    /// header is missing).
    pub fn has_more(&self, per_page: u32) -> bool {
        match self.total_pages {
            Some(pages) => self.page < pages,
            None => self.orders.len() as u32 >= per_page.clamp(1, MAX_PER_PAGE),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn query_string_asks_for_gmt_modified_order_ascending() {
        let store = StoreUrl::parse("https://shop.example.com/wp").unwrap();
        let q = OrderQuery {
            modified_after: Some(datetime!(2025-03-01 12:30:45.9 +02:00)),
            page: 3,
            per_page: 50,
        };
        assert_eq!(
            q.url(&store).as_str(),
            "https://shop.example.com/wp/wp-json/wc/v3/orders?modified_after=2025-03-01T10%3A30%3A45&dates_are_gmt=true&orderby=modified&order=asc&per_page=50&page=3"
        );
    }

    #[test]
    fn query_clamps_page_size_and_omits_missing_start() {
        let store = StoreUrl::parse("https://shop.example.com").unwrap();
        let q = OrderQuery {
            modified_after: None,
            page: 0,
            per_page: 500,
        };
        assert_eq!(
            q.url(&store).as_str(),
            "https://shop.example.com/wp-json/wc/v3/orders?dates_are_gmt=true&orderby=modified&order=asc&per_page=100&page=1"
        );
    }

    #[test]
    fn raw_orders_keep_their_bytes() {
        let orders: Vec<RawOrder> =
            serde_json::from_str(r#"[{"id":11,"total":"50.00","line_items":[{"price":9.50}]}]"#)
                .unwrap();
        assert_eq!(
            orders[0].as_str(),
            r#"{"id":11,"total":"50.00","line_items":[{"price":9.50}]}"#
        );
        assert_eq!(orders[0].to_value()["id"], 11);
        let page = OrderPage {
            orders,
            total: Some(1),
            total_pages: Some(1),
            page: 1,
        };
        assert!(!page.has_more(10));
    }
}
