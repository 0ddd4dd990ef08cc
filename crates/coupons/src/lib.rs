//! Coupons: turning held points into one WooCommerce coupon, as pure logic.
//!
//! This crate owns:
//! - **codes** ([`code`]): the look-alike-free [`ALPHABET`] (no 0/O, 1/I/L), the
//!   partner's [`CodePrefix`] and the [`CouponCode`] (`POINTS-AB3CD4EF`: shown
//!   upper-case, compared case-insensitively, sent lower-case as WooCommerce stores it),
//!   drawn from a CSPRNG the caller passes in;
//! - **the expiry rule** ([`expiry`]): the end of the day that is `valid_days` after
//!   the redemption date in the partner's timezone, sent with an explicit offset;
//! - **the coupon request** ([`request`]): the `POST /wp-json/wc/v3/coupons` body for a
//!   redemption, amounts as decimal strings in the currency's minor units (money is
//!   [`ledger::Money`], never floating point);
//! - **the issuance saga** ([`saga`]): a state machine that takes typed store answers
//!   ([`outcome`]) and says what to do next, so the points are spent on exactly one
//!   coupon or given back.
//!
//! It must never know databases, HTTP clients, web frameworks or the clock: the caller
//! carries out each [`Action`], maps the store's HTTP answers to [`CreateOutcome`] and
//! [`LookupOutcome`], resolves the partner's timezone to UTC offsets and passes the
//! current time in.

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod code;
pub mod expiry;
pub mod outcome;
pub mod request;
pub mod saga;

pub use code::{random_code, CodeError, CodePrefix, CouponCode, ALPHABET};
pub use expiry::{expires_on, Expiry};
pub use outcome::{CouponId, CreateOutcome, LookupOutcome};
pub use request::{CouponInput, CouponRequest, CouponTerms, MetaData, RequestError};
pub use saga::{Action, CheckCause, ReverseReason, Saga, SagaError, SagaState};
