//! `POST /orders/{id}/refunds`: a partial refund keeps the status and the total and adds a
//! negative entry to `refunds[]`; refunding what is left sets the status to `refunded`.
//! Either way the order is saved, which queues `order.updated`.

use serde_json::Value;

use crate::json::{obj, Json};
use crate::money::Money;
use crate::order_api::transition;
use crate::orders::{render_meta, Order, Refund};
use crate::rest::{ApiError, Reply, Req, Result};
use crate::state::{Config, Shared};
use crate::{dates, delivery};

fn invalid_order() -> ApiError {
    ApiError::new(
        404,
        "woocommerce_rest_invalid_order_id",
        "Invalid order ID.",
    )
}

fn cannot_create(message: &str) -> ApiError {
    ApiError::new(500, "woocommerce_rest_cannot_create_order_refund", message)
}

fn render(order: &Order, r: &Refund, config: &Config) -> Json {
    let base = format!("orders/{}/refunds", order.id);
    obj! {
        "id" => r.id,
        "date_created" => dates::format(r.created),
        "date_created_gmt" => dates::format(r.created),
        "amount" => r.amount.format(config.decimals),
        "reason" => r.reason.as_str(),
        "refunded_by" => 1i64,
        "refunded_payment" => false,
        "meta_data" => render_meta(&[]),
        "line_items" => Json::Arr(vec![]),
        "shipping_lines" => Json::Arr(vec![]),
        "tax_lines" => Json::Arr(vec![]),
        "fee_lines" => Json::Arr(vec![]),
        "_links" => obj! {
            "self" => vec![obj! { "href" => config.api_url(&format!("{base}/{}", r.id)) }],
            "collection" => vec![obj! { "href" => config.api_url(&base) }],
            "up" => vec![obj! { "href" => config.api_url(&format!("orders/{}", order.id)) }],
        },
    }
}

/// Creates a refund. `api_refund` defaults to true as in WooCommerce, which asks the
/// order's payment gateway to refund: with no gateway (`payment_method` empty) that fails,
/// and bacs/cheque/cod do not support it; any other `payment_method` is taken as a gateway
/// that can. Send `"api_refund": false` to record a manual refund.
pub(crate) fn create(shared: &Shared, order_id: i64, req: &Req) -> Result<Reply> {
    let dp = shared.config.decimals;
    let now = dates::now();
    let mut store = shared.lock();
    let mut o = store
        .orders
        .get(&order_id)
        .cloned()
        .ok_or_else(invalid_order)?;
    let amount = match req.param("amount") {
        Some(v) => Money::from_json(&v, dp).unwrap_or(Money::ZERO),
        None => Money::ZERO,
    };
    if amount <= Money::ZERO {
        return Err(ApiError::new(
            400,
            "woocommerce_rest_invalid_order_refund",
            "Refund amount must be greater than zero.",
        ));
    }
    let left = Money(o.total().0 - o.refunded().0);
    if amount > left {
        return Err(cannot_create("Invalid refund amount."));
    }
    if req.bool("api_refund")?.unwrap_or(true) {
        match o.payment_method.as_str() {
            "" => {
                return Err(cannot_create(
                    "The payment gateway for this order does not exist.",
                ))
            }
            "bacs" | "cheque" | "cod" => {
                return Err(cannot_create(
                    "The payment gateway for this order does not support automatic refunds.",
                ))
            }
            _ => {}
        }
    }
    let reason = match req.param("reason") {
        Some(Value::String(s)) => s,
        _ => String::new(),
    };
    let refund = Refund {
        id: store.post_id(),
        reason,
        amount,
        created: now,
    };
    o.refunds.push(refund.clone());
    if o.refunded() == o.total() {
        transition(&mut store, &mut o, "refunded", now);
    }
    o.modified = now;
    let body = render(&o, &refund, &shared.config);
    store.orders.insert(order_id, o);
    delivery::enqueue(shared, &mut store, order_id, &["order.updated"]);
    // WooCommerce's Location header really carries the route pattern.
    let location = shared.config.api_url(&format!(
        "orders/(?P<order_id>[\\d]+)/refunds/{}",
        refund.id
    ));
    Ok(Reply::new(201, body).header("Location", location))
}

/// `GET /orders/{id}/refunds`, newest first.
pub(crate) fn list(shared: &Shared, order_id: i64) -> Result<Reply> {
    let store = shared.lock();
    let o = store.orders.get(&order_id).ok_or_else(invalid_order)?;
    let items: Vec<Json> = o
        .refunds
        .iter()
        .rev()
        .map(|r| render(o, r, &shared.config))
        .collect();
    let n = items.len().to_string();
    Ok(Reply::ok(Json::Arr(items))
        .header("X-WP-Total", n)
        .header("X-WP-TotalPages", "1".into()))
}
