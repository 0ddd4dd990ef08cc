//! Fault injection for order deliveries (pings are never affected).

use std::sync::Mutex;
use std::time::Duration;

/// Thread-safe knobs; each applies to the next `n` order deliveries.
///
/// Delays are taken when a delivery is queued; drop, duplicate and error-body are taken
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
        let mut s = self.state();
        if s.error_body.0 > 0 {
            s.error_body.0 -= 1;
            s.error_body.1.clone()
        } else {
            None
        }
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
