//! Fault injection: for order deliveries (pings are never affected) and, independently,
//! for the coupon REST endpoints (create and lookup by code).

use std::sync::Mutex;
use std::time::Duration;

/// Thread-safe knobs. The delivery knobs each apply to the next `n` order deliveries;
/// the coupon knobs ([`Faults::coupon_create_next`], [`Faults::coupon_lookup_next`]) to
/// the next `n` REST calls of their kind, and do not touch deliveries.
///
/// Delivery delays are taken when a delivery is queued; drop, duplicate and error-body are taken
/// when a delivery is about to be sent.
#[derive(Debug, Default)]
pub struct Faults {
    inner: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    drop: usize,
    duplicate: usize,
    delay: (usize, Duration),
    error_body: (usize, Option<ErrorBody>),
    coupon_create: (usize, Option<CouponFault>),
    coupon_lookup: (usize, Option<LookupFault>),
}

/// What goes wrong with the next `POST /wc/v3/coupons`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CouponFault {
    /// Creates the coupon, then waits this long before answering: a client with a
    /// shorter timeout gives up although the coupon exists.
    SlowCreate(std::time::Duration),
    /// Creates the coupon, then answers 500 with WordPress' critical-error body.
    ErrorAfterCreate,
    /// Answers 500 with WordPress' critical-error body; nothing is created.
    ErrorBeforeCreate,
    /// Someone else's coupon with the requested code is published just before, so the
    /// create answers 400 `woocommerce_rest_coupon_code_already_exists`.
    CodeTakenFirst,
    /// A definite refusal with this REST error; nothing is created.
    Refuse {
        status: u16,
        code: String,
        message: String,
    },
}

/// What goes wrong with the next `GET /wc/v3/coupons?code=…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupFault {
    /// Waits this long, then answers normally.
    Slow(std::time::Duration),
    /// Answers 500 with WordPress' critical-error body.
    Error,
}

/// The error object sent instead of the order (still signed), like
/// `{"code":"woocommerce_rest_cannot_view","message":"…","data":{"status":401}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ErrorBody {
    pub code: String,
    pub message: String,
    pub status: u16,
}

impl Faults {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The next `n` deliveries are lost: never sent, no failure counted, not recorded.
    pub fn drop_next(&self, n: usize) {
        self.state().drop = n;
    }

    /// The next `n` deliveries are sent twice (each send is counted and recorded).
    pub fn duplicate_next(&self, n: usize) {
        self.state().duplicate = n;
    }

    /// The next `n` deliveries queued wait `by` longer than `SimOptions::delivery_delay`.
    pub fn delay_next(&self, n: usize, by: Duration) {
        self.state().delay = (n, by);
    }

    /// The next `n` deliveries carry this REST error object instead of the order, still
    /// signed, as when the webhook owner lost the right to view orders.
    pub fn error_body_next(&self, n: usize, code: &str, message: &str, status: u16) {
        self.state().error_body = (
            n,
            Some(ErrorBody {
                code: code.to_string(),
                message: message.to_string(),
                status,
            }),
        );
    }

    /// The next `n` coupon creations (`POST /coupons`) fail with `fault`.
    pub fn coupon_create_next(&self, n: usize, fault: CouponFault) {
        self.state().coupon_create = (n, Some(fault));
    }

    /// The next `n` coupon lookups by code (`GET /coupons?code=…`) fail with `fault`.
    pub fn coupon_lookup_next(&self, n: usize, fault: LookupFault) {
        self.state().coupon_lookup = (n, Some(fault));
    }

    pub(crate) fn take_coupon_create(&self) -> Option<CouponFault> {
        take_value(&mut self.state().coupon_create)
    }

    pub(crate) fn take_coupon_lookup(&self) -> Option<LookupFault> {
        take_value(&mut self.state().coupon_lookup)
    }

    pub(crate) fn take_delay(&self) -> Duration {
        let mut s = self.state();
        if s.delay.0 > 0 {
            s.delay.0 -= 1;
            s.delay.1
        } else {
            Duration::ZERO
        }
    }

    pub(crate) fn take_drop(&self) -> bool {
        take(&mut self.state().drop)
    }

    pub(crate) fn take_duplicate(&self) -> bool {
        take(&mut self.state().duplicate)
    }

    pub(crate) fn take_error_body(&self) -> Option<ErrorBody> {
        take_value(&mut self.state().error_body)
    }
}

fn take(counter: &mut usize) -> bool {
    if *counter > 0 {
        *counter -= 1;
        true
    } else {
        false
    }
}

fn take_value<T: Clone>(slot: &mut (usize, Option<T>)) -> Option<T> {
    if slot.0 > 0 {
        slot.0 -= 1;
        slot.1.clone()
    } else {
        None
    }
}
