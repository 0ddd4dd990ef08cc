//! Coupons: the codes members and coupons are known by, and (as redemption arrives) the
//! coupon request and the issuance saga that turns held points into a store coupon.
//!
//! Owns the code alphabet (no look-alikes: no 0/O, 1/I/L) and code generation. It must
//! never know databases, HTTP clients or web frameworks: the saga's steps are described
//! here and carried out by the caller through a small trait.

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

pub use code::{random_code, CodeError, ALPHABET};
