//! Coupon resources (`/wp-json/wc/v3/coupons`, WOOCOMMERCE.md §5).

use serde::{Deserialize, Serialize};
use time::format_description::FormatItem;
use time::macros::format_description;
use time::OffsetDateTime;

/// `date_expires` with an explicit offset: WooCommerce ignores `date_expires_gmt` on
/// write and reads an offset-less date in the site's timezone.
const WITH_OFFSET: &[FormatItem<'static>] = format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory]:[offset_minute]"
);

/// One `meta_data` entry to send: `{"key": "...", "value": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaData {
    pub key: String,
    pub value: String,
}

/// A coupon to create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewCoupon {
    /// Sent lower-cased (WooCommerce stores it so anyway).
    pub code: String,
    /// A decimal string in the store's currency, e.g. `"5.00"`.
    pub amount: String,
    /// `fixed_cart` for Tally's coupons.
    pub discount_type: String,
    pub usage_limit: u32,
    pub usage_limit_per_user: u32,
    pub email_restrictions: Vec<String>,
    /// ISO-8601 with an explicit offset, e.g. `2025-01-31T23:59:59+01:00`.
    pub date_expires: String,
    pub description: String,
    /// Stored by WooCommerce with the coupon and returned with an `id` each.
    pub meta_data: Vec<MetaData>,
}

impl NewCoupon {
    /// A single-use fixed-cart coupon for one email address, expiring at `expires`
    /// (sent with its offset).
    pub fn single_use(
        code: &str,
        amount: impl Into<String>,
        email: impl Into<String>,
        expires: OffsetDateTime,
        description: impl Into<String>,
    ) -> NewCoupon {
        NewCoupon {
            code: code.to_lowercase(),
            amount: amount.into(),
            discount_type: "fixed_cart".into(),
            usage_limit: 1,
            usage_limit_per_user: 1,
            email_restrictions: vec![email.into()],
            date_expires: format_with_offset(expires),
            description: description.into(),
            meta_data: Vec::new(),
        }
    }

    /// Adds one `meta_data` entry.
    pub fn with_meta(mut self, key: &str, value: &str) -> NewCoupon {
        self.meta_data.push(MetaData {
            key: key.to_owned(),
            value: value.to_owned(),
        });
        self
    }
}

/// `2025-01-31T23:59:59+01:00`.
pub fn format_with_offset(at: OffsetDateTime) -> String {
    // The description is valid for every OffsetDateTime with a year in 0..=9999.
    at.format(WITH_OFFSET).unwrap_or_else(|_| at.to_string())
}

/// A coupon as the store describes it. `date_expires` is site-local without an
/// offset, `date_expires_gmt` the same moment in UTC; both are null without expiry.
/// `usage_limit` is null when unlimited (WooCommerce answers 0 as null).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Coupon {
    pub id: u64,
    pub code: String,
    pub amount: String,
    #[serde(default)]
    pub date_expires: Option<String>,
    #[serde(default)]
    pub date_expires_gmt: Option<String>,
    #[serde(default)]
    pub usage_count: Option<u64>,
    #[serde(default)]
    pub meta_data: Vec<CouponMeta>,
    #[serde(default)]
    pub email_restrictions: Vec<String>,
    #[serde(default)]
    pub usage_limit: Option<u64>,
    #[serde(default)]
    pub discount_type: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// A `meta_data` entry as the store returns it: with its meta ID, and a value that is
/// not always a string (plugins store numbers, arrays, objects).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponMeta {
    #[serde(default)]
    pub id: Option<u64>,
    pub key: String,
    pub value: serde_json::Value,
}

impl Coupon {
    /// The first `meta_data` value under `key`: a string as is, a number as text;
    /// `None` when absent or of another type.
    pub fn meta(&self, key: &str) -> Option<String> {
        let entry = self.meta_data.iter().find(|m| m.key == key)?;
        match &entry.value {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn single_use_coupon_sends_offset_and_lower_case_code() {
        let c = NewCoupon::single_use(
            "POINTS-AB3CD4EF",
            "5.00",
            "ann@example.com",
            datetime!(2025-01-31 23:59:59 +01:00),
            "Tally redemption 42",
        );
        assert_eq!(
            serde_json::to_value(&c).unwrap()["meta_data"],
            serde_json::json!([])
        );
        let c = c.with_meta("_tally_redemption_id", "r-42");
        let body = serde_json::to_value(&c).unwrap();
        assert_eq!(
            body["meta_data"],
            serde_json::json!([{"key": "_tally_redemption_id", "value": "r-42"}])
        );
        assert_eq!(body["code"], "points-ab3cd4ef");
        assert_eq!(body["discount_type"], "fixed_cart");
        assert_eq!(body["usage_limit"], 1);
        assert_eq!(body["usage_limit_per_user"], 1);
        assert_eq!(
            body["email_restrictions"],
            serde_json::json!(["ann@example.com"])
        );
        assert_eq!(body["date_expires"], "2025-01-31T23:59:59+01:00");
        assert_eq!(
            format_with_offset(datetime!(2025-06-30 23:59:59 -04:30)),
            "2025-06-30T23:59:59-04:30"
        );
        assert_eq!(
            format_with_offset(datetime!(2025-06-30 23:59:59 UTC)),
            "2025-06-30T23:59:59+00:00"
        );
    }

    #[test]
    fn recorded_coupon_answer_parses() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/woocommerce-captures/rest/coupon_create_201.json"
        );
        let capture: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let coupon: Coupon = serde_json::from_value(capture["response_body"].clone()).unwrap();
        assert_eq!(coupon.id, 16);
        assert_eq!(coupon.code, "loyal-1795456608");
        assert_eq!(coupon.amount, "5.00");
        assert_eq!(coupon.date_expires.as_deref(), Some("2027-12-31T23:59:59"));
        assert_eq!(coupon.usage_count, Some(0));
        assert_eq!(
            coupon.meta("_loyalty_redemption_id").as_deref(),
            Some("r-123")
        );
        assert_eq!(coupon.meta_data[0].id, Some(34));
        assert_eq!(coupon.meta("absent"), None);
        assert_eq!(coupon.email_restrictions, vec!["ann.buyer@example.com"]);
        assert_eq!(coupon.usage_limit, Some(1));
        assert_eq!(coupon.discount_type.as_deref(), Some("fixed_cart"));
        assert_eq!(
            coupon.description.as_deref(),
            Some("Loyalty reward: 500 points")
        );
    }

    #[test]
    fn meta_values_that_are_not_strings() {
        let coupon: Coupon = serde_json::from_value(serde_json::json!({
            "id": 1, "code": "x", "amount": "1.00", "usage_limit": null,
            "meta_data": [
                {"id": 5, "key": "n", "value": 42},
                {"key": "o", "value": {"a": 1}},
                {"id": 6, "key": "n", "value": "second"}
            ]
        }))
        .unwrap();
        assert_eq!(coupon.meta("n").as_deref(), Some("42"));
        assert_eq!(coupon.meta("o"), None);
        assert_eq!(coupon.meta_data[1].id, None);
        assert_eq!(coupon.usage_limit, None);
        assert!(coupon.email_restrictions.is_empty());
    }
}
