//! `/__sim/*`: a small unauthenticated control surface for people running the binary
//! (not part of WooCommerce). `GET /__sim/webhooks`, `GET /__sim/deliveries`,
//! `POST /__sim/faults` with `{"drop_next":n}`, `{"duplicate_next":n}`,
//! `{"delay_next":n,"delay_ms":ms}`, `{"error_body_next":n,"code","message","status"}`,
//! `{"coupon_create_next":n,"coupon_fault":"slow_create"|"error_after_create"|
//! "error_before_create"|"code_taken_first"|"refuse","delay_ms","status","code","message"}` or
//! `{"coupon_lookup_next":n,"lookup_fault":"slow"|"error","delay_ms"}`.

use std::time::Duration;

use actix_web::HttpResponse;
use serde_json::{json, Value};

use crate::faults::{CouponFault, LookupFault};
use crate::state::Shared;

fn delay(v: &Value) -> Duration {
    Duration::from_millis(v.get("delay_ms").and_then(Value::as_u64).unwrap_or(1000))
}

fn text(v: &Value, k: &str, default: &str) -> String {
    v.get(k)
        .and_then(Value::as_str)
        .unwrap_or(default)
        .to_string()
}

fn coupon_fault(v: &Value) -> Option<CouponFault> {
    Some(match v.get("coupon_fault").and_then(Value::as_str)? {
        "slow_create" => CouponFault::SlowCreate(delay(v)),
        "error_after_create" => CouponFault::ErrorAfterCreate,
        "error_before_create" => CouponFault::ErrorBeforeCreate,
        "code_taken_first" => CouponFault::CodeTakenFirst,
        "refuse" => CouponFault::Refuse {
            status: v.get("status").and_then(Value::as_u64).unwrap_or(400) as u16,
            code: text(v, "code", "woocommerce_rest_invalid_coupon"),
            message: text(v, "message", "Refused by woo-sim."),
        },
        _ => return None,
    })
}

fn lookup_fault(v: &Value) -> Option<LookupFault> {
    match v.get("lookup_fault").and_then(Value::as_str)? {
        "slow" => Some(LookupFault::Slow(delay(v))),
        "error" => Some(LookupFault::Error),
        _ => None,
    }
}

pub(crate) fn handle(shared: &Shared, method: &str, path: &str, body: &[u8]) -> HttpResponse {
    match (method, path.trim_end_matches('/')) {
        ("GET", "/__sim/webhooks") => {
            let store = shared.lock();
            let hooks: Vec<Value> = store
                .webhooks
                .values()
                .map(|w| {
                    let v = w.view();
                    json!({"id": v.id, "name": v.name, "status": v.status, "failure_count": v.failure_count,
                           "delivery_url": v.delivery_url, "topic": v.topic, "secret": v.secret,
                           "pending_delivery": v.pending_delivery})
                })
                .collect();
            HttpResponse::Ok().json(hooks)
        }
        ("GET", "/__sim/deliveries") => {
            let store = shared.lock();
            let list: Vec<Value> = store
                .deliveries
                .iter()
                .map(|d| {
                    json!({"webhook_id": d.webhook_id, "order_id": d.order_id, "kind": d.kind,
                           "status": d.status, "error": d.error, "delivery_id": d.delivery_id,
                           "success": d.success, "url": d.url, "at": crate::dates::format(d.at)})
                })
                .collect();
            HttpResponse::Ok().json(list)
        }
        ("POST", "/__sim/faults") => {
            let Ok(v) = serde_json::from_slice::<Value>(body) else {
                return HttpResponse::BadRequest().json(json!({"error": "expected a JSON object"}));
            };
            let n = |k: &str| v.get(k).and_then(Value::as_u64).map(|n| n as usize);
            let f = &shared.faults;
            if let Some(n) = n("drop_next") {
                f.drop_next(n);
            }
            if let Some(n) = n("duplicate_next") {
                f.duplicate_next(n);
            }
            if let Some(n) = n("delay_next") {
                let ms = v.get("delay_ms").and_then(Value::as_u64).unwrap_or(1000);
                f.delay_next(n, Duration::from_millis(ms));
            }
            if let Some(n) = n("error_body_next") {
                let s =
                    |k: &str, d: &str| v.get(k).and_then(Value::as_str).unwrap_or(d).to_string();
                let status = v.get("status").and_then(Value::as_u64).unwrap_or(401) as u16;
                f.error_body_next(
                    n,
                    &s("code", "woocommerce_rest_cannot_view"),
                    &s("message", "Sorry, you cannot view this resource."),
                    status,
                );
            }
            if let Some(n) = n("coupon_create_next") {
                let Some(fault) = coupon_fault(&v) else {
                    return HttpResponse::BadRequest()
                        .json(json!({"error": "unknown coupon_fault"}));
                };
                f.coupon_create_next(n, fault);
            }
            if let Some(n) = n("coupon_lookup_next") {
                let Some(fault) = lookup_fault(&v) else {
                    return HttpResponse::BadRequest()
                        .json(json!({"error": "unknown lookup_fault"}));
                };
                f.coupon_lookup_next(n, fault);
            }
            HttpResponse::Ok().json(json!({"ok": true}))
        }
        _ => HttpResponse::NotFound().json(json!({"error": "unknown /__sim route"})),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coupon_knobs_parse_from_json() {
        let v = json!({"coupon_fault": "slow_create", "delay_ms": 250});
        assert_eq!(
            coupon_fault(&v),
            Some(CouponFault::SlowCreate(Duration::from_millis(250)))
        );
        let v = json!({"coupon_fault": "refuse", "status": 403, "code": "c", "message": "m"});
        assert_eq!(
            coupon_fault(&v),
            Some(CouponFault::Refuse {
                status: 403,
                code: "c".into(),
                message: "m".into()
            })
        );
        assert_eq!(coupon_fault(&json!({"coupon_fault": "nope"})), None);
        assert_eq!(
            lookup_fault(&json!({"lookup_fault": "error"})),
            Some(LookupFault::Error)
        );
    }
}
