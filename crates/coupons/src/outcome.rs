//! What the store answers to the saga's requests, as typed outcomes the caller maps
//! its HTTP results to (the mapping itself lives with the WooCommerce client).
//!
//! - create `201` → [`CreateOutcome::Created`]; `400
//!   woocommerce_rest_coupon_code_already_exists` → [`CreateOutcome::DuplicateCode`];
//!   any other 4xx → [`CreateOutcome::DefiniteRefusal`]; a timeout, a 5xx or a broken
//!   connection → [`CreateOutcome::Unclear`];
//! - lookup (`GET /coupons?code=…`, an array of 0 or 1) → [`LookupOutcome::Found`] when
//!   it holds a coupon whose `tally_redemption_id` meta names this redemption,
//!   [`LookupOutcome::NotFound`] otherwise, [`LookupOutcome::Unclear`] when the lookup
//!   itself failed.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A coupon's id on the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CouponId(u64);

impl CouponId {
    /// Wraps the store's id.
    pub const fn new(id: u64) -> CouponId {
        CouponId(id)
    }

    /// The store's id.
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for CouponId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What the store answered to a create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateOutcome {
    /// 201: the coupon exists.
    Created {
        /// Its id.
        coupon_id: CouponId,
    },
    /// A 4xx other than a duplicate code: the store will not create this coupon.
    DefiniteRefusal {
        /// The store's message, for the member and the partner.
        reason: String,
    },
    /// 400 `woocommerce_rest_coupon_code_already_exists`.
    DuplicateCode,
    /// Timeout, 5xx, connection reset: the coupon may or may not exist.
    Unclear,
}

/// What a lookup of the code (`GET /coupons?code=…`) found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupOutcome {
    /// A published coupon with the code, linked to this redemption by its meta.
    Found {
        /// Its id.
        coupon_id: CouponId,
    },
    /// No published coupon with the code is linked to this redemption.
    NotFound,
    /// The lookup itself failed (timeout, 5xx, refusal): nothing learned.
    Unclear,
}
