//! The coupon REST endpoints with [`crate::Faults`]' coupon knobs applied: a create that
//! is slow, fails after or before creating, loses the race for its code or is refused;
//! a lookup by code that is slow or fails.

use crate::coupon_view::insert_direct;
use crate::coupons::{self, format_code};
use crate::faults::{CouponFault, LookupFault};
use crate::json::{obj, Json};
use crate::rest::{ApiError, Reply, Req, Result};
use crate::state::Shared;

/// What WordPress (≥ 5.2, `WP_Fatal_Error_Handler` through `_json_wp_die_handler`)
/// answers a REST request that hit a PHP fatal error.
pub(crate) fn critical_error() -> Reply {
    let message = "<p>There has been a critical error on this website.</p>\
        <p><a href=\"https://wordpress.org/documentation/article/faq-troubleshooting/\">\
        Learn more about troubleshooting WordPress.</a></p>";
    Reply::new(
        500,
        obj! {
            "code" => "internal_server_error", "message" => message,
            "data" => obj! { "status" => 500i64 },
            "additional_errors" => Json::Arr(Vec::new()),
        },
    )
}

/// `POST /coupons`.
pub(crate) async fn create(shared: &Shared, req: &Req) -> Result<Reply> {
    match shared.faults.take_coupon_create() {
        None => coupons::create(shared, req),
        Some(CouponFault::SlowCreate(wait)) => {
            let reply = coupons::create(shared, req);
            tokio::time::sleep(wait).await;
            reply
        }
        Some(CouponFault::ErrorAfterCreate) => {
            coupons::create(shared, req)?;
            Ok(critical_error())
        }
        Some(CouponFault::ErrorBeforeCreate) => Ok(critical_error()),
        Some(CouponFault::CodeTakenFirst) => {
            let code = format_code(&req.string("code")?.unwrap_or_default());
            if !code.is_empty() {
                insert_direct(&mut shared.lock(), &code);
            }
            coupons::create(shared, req)
        }
        Some(CouponFault::Refuse {
            status,
            code,
            message,
        }) => Err(ApiError::new(status, &code, &message)),
    }
}

/// `GET /coupons`; the lookup faults apply only to a lookup by `code`.
pub(crate) async fn list(shared: &Shared, req: &Req) -> Result<Reply> {
    if !req.has("code") {
        return coupons::list(shared, req);
    }
    match shared.faults.take_coupon_lookup() {
        None => coupons::list(shared, req),
        Some(LookupFault::Slow(wait)) => {
            tokio::time::sleep(wait).await;
            coupons::list(shared, req)
        }
        Some(LookupFault::Error) => Ok(critical_error()),
    }
}
