//! What a test can see of the store's coupons ([`CouponView`]), and coupons created
//! behind the REST API's back, as a shop manager does in wp-admin.

use serde_json::Value;

use crate::coupons::{self, Coupon, AMOUNT_DP};
use crate::dates;
use crate::state::Store;

/// A coupon as stored, for assertions.
#[derive(Debug, Clone)]
pub struct CouponView {
    pub id: u64,
    /// Lower case, as stored.
    pub code: String,
    /// With 2 decimals, as the REST API answers it (`"5.00"`).
    pub amount: String,
    pub discount_type: String,
    pub email_restrictions: Vec<String>,
    /// 0 = unlimited.
    pub usage_limit: i64,
    /// 0 = unlimited.
    pub usage_limit_per_user: i64,
    /// `YYYY-MM-DDTHH:MM:SS` in UTC; `None` without expiry.
    pub date_expires_gmt: Option<String>,
    pub description: String,
    /// `(key, value)`; a value that is not a string is shown as its JSON text.
    pub meta: Vec<(String, String)>,
    /// The post status: `publish`, `trash`, `draft`, …
    pub status: String,
}

impl Coupon {
    pub(crate) fn view(&self) -> CouponView {
        CouponView {
            id: u64::try_from(self.id).unwrap_or_default(),
            code: self.code.clone(),
            amount: self.amount.rescale(AMOUNT_DP, 2).format(2),
            discount_type: self.discount_type.clone(),
            email_restrictions: self.email_restrictions.clone(),
            usage_limit: self.usage_limit,
            usage_limit_per_user: self.usage_limit_per_user,
            date_expires_gmt: self.expires.map(dates::format),
            description: self.description.clone(),
            meta: self
                .meta_data
                .iter()
                .map(|m| {
                    let value = match &m.value {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (m.key.clone(), value)
                })
                .collect(),
            status: self.status.clone(),
        }
    }
}

/// Publishes a blank `fixed_cart` coupon with `code` (formatted like WooCommerce does)
/// the way wp-admin does: with no duplicate check (the admin screen only warns).
pub(crate) fn insert_direct(store: &mut Store, code: &str) -> i64 {
    let mut c = coupons::blank(dates::now());
    c.code = coupons::format_code(code);
    c.id = store.post_id();
    let id = c.id;
    store.coupons.insert(id, c);
    id
}
