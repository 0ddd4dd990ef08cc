//! The deliveries the benchmark sends: one WooCommerce `order.updated` per order, for a
//! new member each (`m<order>@bench.test`), completed, 42.50 USD, signed as WooCommerce
//! signs them.

/// The order total every benchmark order carries.
pub const TOTAL: &str = "42.50";
/// Points one order awards on the benchmark's card (1 per 1.00, rounded down) ...
pub const POINTS: i64 = 42;
/// ... and the welcome bonus of the member's first purchase.
pub const WELCOME_BONUS: i64 = 50;

/// The billing email of `order_id`'s (new) member.
pub fn email(order_id: i64) -> String {
    format!("m{order_id}@bench.test")
}

/// The body WooCommerce sends for a completed order (the fields Tally reads and a few
/// it does not).
pub fn body(order_id: i64) -> String {
    serde_json::json!({
        "id": order_id,
        "parent_id": 0,
        "number": order_id.to_string(),
        "status": "completed",
        "currency": "USD",
        "total": TOTAL,
        "customer_id": 0,
        "billing": {
            "first_name": "Bench",
            "last_name": "Member",
            "email": email(order_id),
            "phone": "",
        },
        "refunds": [],
        "date_modified_gmt": "2026-11-23T12:00:00",
        "line_items": [{"id": 1, "name": "Coffee", "quantity": 1, "price": 42.5}],
    })
    .to_string()
}

/// The headers WooCommerce sends with a signed `order.updated` delivery of `body`.
pub fn headers(secret: &str, body: &str, delivery: u64) -> Vec<(&'static str, String)> {
    vec![
        ("content-type", "application/json".into()),
        (
            "user-agent",
            "WooCommerce/8.9.1 Hookshot (WordPress/6.5.3)".into(),
        ),
        ("x-wc-webhook-source", "https://store.invalid/".into()),
        ("x-wc-webhook-topic", "order.updated".into()),
        ("x-wc-webhook-resource", "order".into()),
        ("x-wc-webhook-event", "updated".into()),
        (
            "x-wc-webhook-signature",
            webhook::sign(secret.as_bytes(), body.as_bytes()),
        ),
        ("x-wc-webhook-id", "12".into()),
        ("x-wc-webhook-delivery-id", format!("{delivery:032x}")),
    ]
}
