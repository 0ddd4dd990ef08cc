//! `POST /orders`, `PUT /orders/{id}`, `GET /orders/{id}`: every save queues `order.updated`
//! (creation also `order.created`), with or without actual changes.

use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::json::Json;
use crate::money::Money;
use crate::orders::{self, Address, LineItem, Meta, Order, ShippingLine, STATUSES};
use crate::rest::{ApiError, Reply, Req, Result};
use crate::state::{random_string, Shared, Store, ALNUM};
use crate::{checkout, dates, delivery};

pub(crate) fn invalid_id() -> ApiError {
    ApiError::new(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
}

fn valid_email(e: &str) -> bool {
    let Some((local, domain)) = e.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.ends_with('.')
        && !e.contains(char::is_whitespace)
}

fn str_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn objects(req: &Req, name: &str) -> Vec<Map<String, Value>> {
    match req.param(name) {
        Some(Value::Array(items)) => items
            .into_iter()
            .filter_map(|v| match v {
                Value::Object(m) => Some(m),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn apply_address(req: &Req, name: &str, addr: &mut Address) -> Result<()> {
    let Some(Value::Object(m)) = req.param(name) else {
        return Ok(());
    };
    for field in Address::FIELDS {
        if let Some(v) = m.get(*field).and_then(str_of) {
            if *field == "email" && name == "billing" && !v.is_empty() && !valid_email(&v) {
                return Err(ApiError::invalid_param(
                    "billing",
                    "rest_invalid_email",
                    "Invalid email address.",
                ));
            }
            if let Some(slot) = addr.field_mut(field) {
                *slot = v;
            }
        }
    }
    Ok(())
}

fn line_item(
    store: &mut Store,
    m: &Map<String, Value>,
    dp: u32,
    existing: Option<&LineItem>,
) -> LineItem {
    let int = |k: &str| {
        m.get(k)
            .and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()))
    };
    let money = |k: &str| m.get(k).and_then(|v| Money::from_json(v, dp));
    let product_id = int("product_id")
        .or(existing.map(|e| e.product_id))
        .unwrap_or(0);
    let quantity = int("quantity")
        .or(existing.map(|e| e.quantity))
        .unwrap_or(1);
    let price = money("price");
    let total = money("total");
    let subtotal = money("subtotal");
    let subtotal = subtotal
        .or(total)
        .or(price.map(|p| Money(p.0 * quantity)))
        .unwrap_or_else(|| match existing {
            Some(e) if e.quantity > 0 => Money(e.subtotal.0 / e.quantity * quantity),
            _ => Money::ZERO,
        });
    let name = m
        .get("name")
        .and_then(str_of)
        .or(existing.map(|e| e.name.clone()))
        .unwrap_or_else(|| {
            if product_id > 0 {
                format!("Product {product_id}")
            } else {
                String::new()
            }
        });
    LineItem {
        id: existing.map_or_else(|| store.item_id(), |e| e.id),
        name,
        product_id,
        variation_id: int("variation_id")
            .or(existing.map(|e| e.variation_id))
            .unwrap_or(0),
        quantity,
        subtotal,
        total: total.unwrap_or(subtotal),
        sku: m
            .get("sku")
            .and_then(str_of)
            .or(existing.map(|e| e.sku.clone()))
            .unwrap_or_default(),
    }
}

/// Applies the writable order fields of `req`; returns the requested status, if any.
fn apply(
    store: &mut Store,
    shared: &Shared,
    o: &mut Order,
    req: &Req,
    now: OffsetDateTime,
) -> Result<Option<String>> {
    let dp = shared.config.decimals;
    let status = req.one_of("status", STATUSES)?;
    if let Some(c) = req.string("currency")? {
        o.currency = c.to_uppercase();
    }
    if let Some(id) = req.int("customer_id")? {
        o.customer_id = id;
    }
    apply_address(req, "billing", &mut o.billing)?;
    apply_address(req, "shipping", &mut o.shipping)?;
    for (name, field) in [
        ("payment_method", &mut o.payment_method),
        ("payment_method_title", &mut o.payment_method_title),
        ("transaction_id", &mut o.transaction_id),
        ("customer_note", &mut o.customer_note),
    ] {
        if let Some(v) = req.string(name)? {
            *field = v;
        }
    }
    for m in objects(req, "meta_data") {
        let Some(key) = m.get("key").and_then(Value::as_str) else {
            continue;
        };
        let value = m.get("value").cloned().unwrap_or(Value::Null);
        match o.meta_data.iter_mut().find(|x| x.key == key) {
            Some(x) => x.value = value,
            None => {
                let id = store.meta_id();
                o.meta_data.push(Meta {
                    id,
                    key: key.to_string(),
                    value,
                });
            }
        }
    }
    let mut recalc = false;
    for m in objects(req, "line_items") {
        recalc = true;
        let id = m.get("id").and_then(Value::as_i64);
        match id.and_then(|id| o.line_items.iter().position(|i| i.id == id)) {
            Some(pos) if m.get("quantity").and_then(Value::as_i64) == Some(0) => {
                o.line_items.remove(pos);
            }
            Some(pos) => {
                let updated = line_item(store, &m, dp, Some(&o.line_items[pos]));
                o.line_items[pos] = updated;
            }
            None => {
                let item = line_item(store, &m, dp, None);
                o.line_items.push(item);
            }
        }
    }
    for m in objects(req, "shipping_lines") {
        recalc = true;
        let text = |k: &str| m.get(k).and_then(str_of).unwrap_or_default();
        let total = m
            .get("total")
            .and_then(|v| Money::from_json(v, dp))
            .unwrap_or(Money::ZERO);
        let id = m.get("id").and_then(Value::as_i64);
        match id.and_then(|id| o.shipping_lines.iter_mut().find(|s| s.id == id)) {
            Some(s) => s.total = total,
            None => {
                let id = store.item_id();
                o.shipping_lines.push(ShippingLine {
                    id,
                    method_title: text("method_title"),
                    method_id: text("method_id"),
                    instance_id: text("instance_id"),
                    total,
                });
            }
        }
    }
    for m in objects(req, "coupon_lines") {
        let Some(code) = m.get("code").and_then(Value::as_str) else {
            continue;
        };
        if o.coupon_lines.iter().any(|c| c.code == code.to_lowercase()) {
            continue;
        }
        let line = checkout::coupon_line(store, o, code, now)?;
        o.coupon_lines.push(line);
        recalc = true;
    }
    if recalc {
        checkout::apply_discounts(o, dp);
    }
    Ok(status)
}

/// Moves `o` to `status` with WooCommerce's side effects (paid/completed dates, coupon
/// usage, and for `refunded` a refund of whatever is left, "Order fully refunded.").
pub(crate) fn transition(store: &mut Store, o: &mut Order, status: &str, now: OffsetDateTime) {
    if o.status != status {
        o.status = status.to_string();
        if ["processing", "completed"].contains(&status) && o.paid.is_none() {
            o.paid = Some(now);
        }
        if status == "completed" {
            o.completed = Some(now);
        }
        if status == "refunded" {
            let left = Money(o.total().0 - o.refunded().0);
            if left > Money::ZERO {
                let id = store.post_id();
                o.refunds.push(orders::Refund {
                    id,
                    reason: "Order fully refunded.".into(),
                    amount: left,
                    created: now,
                });
            }
        }
    }
    checkout::update_usage(store, o);
}

pub(crate) fn create(shared: &Shared, req: &Req) -> Result<Reply> {
    let now = dates::now();
    let mut store = shared.lock();
    let mut o = Order {
        id: 0,
        status: "pending".into(),
        currency: shared.config.currency.clone(),
        created: now,
        modified: now,
        completed: None,
        paid: None,
        customer_id: 0,
        order_key: format!("wc_order_{}", random_string(13, ALNUM)),
        billing: Address::default(),
        shipping: Address::default(),
        payment_method: String::new(),
        payment_method_title: String::new(),
        transaction_id: String::new(),
        customer_note: String::new(),
        meta_data: Vec::new(),
        line_items: Vec::new(),
        shipping_lines: Vec::new(),
        coupon_lines: Vec::new(),
        refunds: Vec::new(),
        coupon_usage_counted: false,
    };
    let status = apply(&mut store, shared, &mut o, req, now)?;
    o.id = store.post_id();
    transition(
        &mut store,
        &mut o,
        status.as_deref().unwrap_or("pending"),
        now,
    );
    if req.bool("set_paid")?.unwrap_or(false) {
        payment_complete(&mut store, &mut o, now);
    }
    let id = o.id;
    let body = orders::render(&o, &shared.config);
    store.orders.insert(id, o);
    delivery::enqueue(shared, &mut store, id, &["order.created", "order.updated"]);
    Ok(Reply::new(201, body).header("Location", shared.config.api_url(&format!("orders/{id}"))))
}

fn payment_complete(store: &mut Store, o: &mut Order, now: OffsetDateTime) {
    if o.paid.is_none() {
        o.paid = Some(now);
    }
    if [
        "pending",
        "on-hold",
        "failed",
        "cancelled",
        "checkout-draft",
    ]
    .contains(&o.status.as_str())
    {
        transition(store, o, "processing", now);
    }
}

pub(crate) fn update(shared: &Shared, id: i64, req: &Req) -> Result<Reply> {
    let now = dates::now();
    let mut store = shared.lock();
    let mut o = store.orders.get(&id).cloned().ok_or_else(invalid_id)?;
    if let Some(status) = apply(&mut store, shared, &mut o, req, now)? {
        transition(&mut store, &mut o, &status, now);
    }
    if req.bool("set_paid")?.unwrap_or(false) {
        payment_complete(&mut store, &mut o, now);
    }
    o.modified = now;
    let body = orders::render(&o, &shared.config);
    store.orders.insert(id, o);
    delivery::enqueue(shared, &mut store, id, &["order.updated"]);
    Ok(Reply::ok(body))
}

pub(crate) fn get(shared: &Shared, id: i64) -> Result<Reply> {
    let store = shared.lock();
    let o = store.orders.get(&id).ok_or_else(invalid_id)?;
    Ok(Reply::ok(orders::render(o, &shared.config)))
}

/// For [`crate::Sim::order`].
pub(crate) fn snapshot(shared: &Shared, id: i64) -> Option<Json> {
    let store = shared.lock();
    store
        .orders
        .get(&id)
        .map(|o| orders::render(o, &shared.config))
}
