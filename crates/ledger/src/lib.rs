//! The loyalty arithmetic of Tally, and nothing else.
//!
//! This crate owns:
//! - **money**: [`Money`] (a non-negative [`bigdecimal::BigDecimal`] amount in a
//!   [`Currency`] from the built-in ISO 4217 table, never floating point) and whole
//!   [`Points`];
//! - **earn rules**: [`EarnRule::points_for`] turns a purchase into points in the order the
//!   product specification fixes (base, tier multiplier on counter purchases only, one
//!   [`Rounding`], clamp to the per-purchase minimum and maximum), with a [`Breakdown`]
//!   that explains the result to a person and can be stored as JSON;
//! - **the welcome bonus** ([`EarnRule::welcome_bonus`]), awarded outside the clamp;
//! - **tiers** ([`Tier`], [`tier_for`]);
//! - **posting arithmetic** ([`apply`], [`deduct`]): a wallet's balance never goes below
//!   zero, refunds record the full deduction and apply only what brings the balance to
//!   zero, manual adjustments larger than the balance are refused;
//! - **refund clamping** for full and proportional refunds ([`proportional_refund`]);
//! - **redemption bounds** and coupon values ([`RedemptionRule`]).
//!
//! It must never know about databases, HTTP, WooCommerce wire formats, email or clocks:
//! it is pure, every function is a function of its arguments, and every fallible step
//! returns a typed error ([`LedgerError`], [`RedemptionRefusal`]) whose message a shop
//! owner or a member can read.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod breakdown;
mod currency;
mod decimal;
mod deduction;
mod earn;
mod earn_rule;
mod entry;
mod error;
mod fraction;
mod money;
mod points;
mod posting;
mod redemption;
mod refund;
mod rounding;
mod tier;

pub use breakdown::{Breakdown, Clamp};
pub use currency::Currency;
pub use deduction::{deduct, Deduction};
pub use earn::Earned;
pub use earn_rule::{EarnRule, EarnRuleParams};
pub use entry::{Channel, EntryKind};
pub use error::LedgerError;
pub use money::Money;
pub use points::Points;
pub use posting::{apply, Applied};
pub use redemption::{RedemptionRefusal, RedemptionRule};
pub use refund::{full_refund_points, proportional_refund};
pub use rounding::Rounding;
pub use tier::{tier_for, Tier};

/// The decimal type used for every amount, re-exported so callers need not pin the
/// same `bigdecimal` version by hand.
pub use bigdecimal::BigDecimal;
