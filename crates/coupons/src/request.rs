//! The coupon Tally asks WooCommerce to create (`POST /wp-json/wc/v3/coupons`).
//!
//! [`CouponTerms::new`] checks a redemption's [`CouponInput`] once; the saga may then
//! try several codes, and [`CouponTerms::request`] writes the same coupon under each.
//! The body is a single-use fixed-cart discount: the value as a decimal string with
//! exactly the currency's minor units (`"5.00"`, JPY `"500"`, BHD `"1.250"`), usage
//! limit 1 and 1 per user, restricted to the member's email, expiring as
//! [`crate::expiry`] describes, with a description and `meta_data` naming the
//! redemption so the store's coupon can be traced back to it.

use ledger::{Currency, Money, Points};
use serde::Serialize;
use time::{Date, OffsetDateTime, UtcOffset};

use crate::{CouponCode, Expiry};

/// The meta key linking a store coupon to its redemption.
pub const REDEMPTION_META_KEY: &str = "tally_redemption_id";
/// The meta key recording the points the coupon was bought with.
pub const POINTS_META_KEY: &str = "tally_points";

/// Longest email address accepted (RFC 5321 path limit).
const MAX_EMAIL_LEN: usize = 254;

/// Why a coupon request could not be written, in words a partner can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// A redemption id of zero or below.
    #[error("The redemption id must be a positive number.")]
    RedemptionId,
    /// Zero or fewer points.
    #[error("A redemption uses at least one point.")]
    Points,
    /// A coupon worth nothing.
    #[error("A coupon must be worth more than zero.")]
    ZeroValue,
    /// A value finer than the currency's smallest unit, such as 5.001 EUR.
    #[error("A coupon in {currency} can be worth whole multiples of its smallest unit only ({} decimals).", .currency.minor_units())]
    ValueBeyondMinorUnit {
        /// The coupon's currency.
        currency: Currency,
    },
    /// An address the store would refuse (`coupon_invalid_email_address`).
    #[error("The member's email address is not one the store will accept.")]
    Email,
    /// Validity outside 1–90 days.
    #[error("A coupon must stay valid for 1 to 90 days, not {days}.")]
    ValidDays {
        /// The days asked for.
        days: u32,
    },
    /// A UTC offset with seconds, which `date_expires` cannot carry.
    #[error("The timezone offset must be a whole number of minutes.")]
    OffsetNotWholeMinutes,
    /// A UTC offset no timezone has.
    #[error("The timezone offset must lie between -12:00 and +14:00.")]
    OffsetOutOfRange,
    /// An expiry date beyond the calendar the store understands.
    #[error("The coupon's expiry date is out of range.")]
    DateOutOfRange,
}

/// What a redemption says about its coupon, before any check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CouponInput {
    /// The redemption's id (positive).
    pub redemption_id: i64,
    /// The points spent (positive).
    pub points: Points,
    /// The coupon's value, already rounded down to the currency's minor unit
    /// (`ledger::RedemptionRule::value_of`).
    pub value: Money,
    /// The member's email; the coupon is restricted to it.
    pub member_email: String,
    /// The moment of the redemption.
    pub issued_at: OffsetDateTime,
    /// Days of validity after the redemption date, 1–90.
    pub valid_days: u32,
    /// The partner's UTC offset at `issued_at`.
    pub issue_day_offset: UtcOffset,
    /// The partner's UTC offset at 23:59:59 on the expiry date ([`crate::expires_on`]).
    pub expiry_day_offset: UtcOffset,
}

/// A checked [`CouponInput`]: everything about the coupon except its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CouponTerms {
    redemption_id: i64,
    points: Points,
    value: Money,
    amount: String,
    email: String,
    expiry: Expiry,
}

impl CouponTerms {
    /// Checks the input: positive id and points, a value above zero in whole minor
    /// units, a plausible email (trimmed and lower-cased, as WooCommerce keeps it) and
    /// the expiry rule's inputs.
    pub fn new(input: &CouponInput) -> Result<CouponTerms, RequestError> {
        if input.redemption_id <= 0 {
            return Err(RequestError::RedemptionId);
        }
        if !input.points.is_positive() {
            return Err(RequestError::Points);
        }
        let value = &input.value;
        if value.is_zero() {
            return Err(RequestError::ZeroValue);
        }
        let whole_units = value.round_down_to_minor_unit();
        if whole_units != *value {
            return Err(RequestError::ValueBeyondMinorUnit {
                currency: value.currency(),
            });
        }
        let email = store_email(&input.member_email)?;
        let expiry = Expiry::new(
            input.issued_at,
            input.valid_days,
            input.issue_day_offset,
            input.expiry_day_offset,
        )?;
        Ok(CouponTerms {
            redemption_id: input.redemption_id,
            points: input.points,
            amount: whole_units.to_exact_string(),
            value: whole_units,
            email,
            expiry,
        })
    }

    /// The create body for this coupon under `code`.
    pub fn request(&self, code: &CouponCode) -> CouponRequest {
        CouponRequest {
            code: code.for_store(),
            discount_type: "fixed_cart",
            amount: self.amount.clone(),
            individual_use: false,
            usage_limit: 1,
            usage_limit_per_user: 1,
            email_restrictions: vec![self.email.clone()],
            date_expires: self.expiry.to_woocommerce(),
            description: format!(
                "Tally redemption {}: {} points for {}",
                self.redemption_id,
                self.points.grouped(),
                self.value
            ),
            meta_data: vec![
                MetaData {
                    key: REDEMPTION_META_KEY,
                    value: self.redemption_id.to_string(),
                },
                MetaData {
                    key: POINTS_META_KEY,
                    value: self.points.get().to_string(),
                },
            ],
        }
    }

    /// The redemption's id.
    pub fn redemption_id(&self) -> i64 {
        self.redemption_id
    }

    /// The coupon's value.
    pub fn value(&self) -> &Money {
        &self.value
    }

    /// When the coupon expires.
    pub fn expiry(&self) -> &Expiry {
        &self.expiry
    }

    /// The last valid day, as shown to the member.
    pub fn expires_on(&self) -> Date {
        self.expiry.date()
    }
}

/// The JSON body of `POST /wp-json/wc/v3/coupons`, field for field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CouponRequest {
    code: String,
    discount_type: &'static str,
    amount: String,
    individual_use: bool,
    usage_limit: u32,
    usage_limit_per_user: u32,
    email_restrictions: Vec<String>,
    date_expires: String,
    description: String,
    meta_data: Vec<MetaData>,
}

impl CouponRequest {
    /// Checks `input` and writes its coupon under `code`:
    /// [`CouponTerms::new`] then [`CouponTerms::request`].
    pub fn build(input: &CouponInput, code: &CouponCode) -> Result<CouponRequest, RequestError> {
        Ok(CouponTerms::new(input)?.request(code))
    }

    /// The code as sent, lower-case.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The value as sent: `"5.00"`.
    pub fn amount(&self) -> &str {
        &self.amount
    }

    /// `date_expires` as sent: `"2026-12-08T23:59:59+01:00"`.
    pub fn date_expires(&self) -> &str {
        &self.date_expires
    }

    /// The description as sent.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The email addresses the coupon is restricted to (one).
    pub fn email_restrictions(&self) -> &[String] {
        &self.email_restrictions
    }

    /// The `meta_data` entries as sent.
    pub fn meta_data(&self) -> &[MetaData] {
        &self.meta_data
    }
}

/// One `meta_data` entry: `{"key": "tally_redemption_id", "value": "123"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetaData {
    key: &'static str,
    value: String,
}

impl MetaData {
    /// The key.
    pub fn key(&self) -> &str {
        self.key
    }

    /// The value, always a string.
    pub fn value(&self) -> &str {
        &self.value
    }
}

/// Trims and lower-cases an email, refusing what WooCommerce's `is_email` would: no
/// single `@`, an empty local part, a domain without a dot or with empty labels, spaces,
/// control characters and list separators.
fn store_email(text: &str) -> Result<String, RequestError> {
    let email = text.trim().to_lowercase();
    if email.is_empty() || email.len() > MAX_EMAIL_LEN {
        return Err(RequestError::Email);
    }
    let forbidden = |c: char| c.is_whitespace() || c.is_control() || ",;<>\"()[]\\".contains(c);
    if email.chars().any(forbidden) {
        return Err(RequestError::Email);
    }
    let (local, domain) = email.split_once('@').ok_or(RequestError::Email)?;
    let domain_ok = domain.contains('.')
        && domain
            .split('.')
            .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'));
    if local.is_empty() || local.len() > 64 || domain.contains('@') || !domain_ok {
        return Err(RequestError::Email);
    }
    Ok(email)
}

#[cfg(test)]
mod tests;
