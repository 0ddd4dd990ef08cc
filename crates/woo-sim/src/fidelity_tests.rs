//! Byte-for-byte comparisons of rendered orders with bodies a real WooCommerce 8.9.1 sent.

use std::time::Duration;

use crate::dates;
use crate::money::Money;
use crate::orders::{render, Address, LineItem, Order, Refund};
use crate::state::Config;

fn config() -> Config {
    Config {
        base_url: "http://127.0.0.1:8080".into(),
        currency: "USD".into(),
        decimals: 2,
        strict_urls: false,
        delivery_delay: Duration::ZERO,
        read_write: (String::new(), String::new()),
        read_only: (String::new(), String::new()),
        hash_salt: Vec::new(),
    }
}

fn order_11() -> Order {
    let at = |s: &str| dates::parse(s).unwrap();
    Order {
        id: 11,
        status: "pending".into(),
        currency: "USD".into(),
        created: at("2026-11-23T17:56:40"),
        modified: at("2026-11-23T17:56:40"),
        completed: None,
        paid: None,
        customer_id: 0,
        order_key: "wc_order_neDA99FeIM97H".into(),
        billing: Address {
            first_name: "Ann".into(),
            last_name: "Buyer".into(),
            address_1: "2 Main St".into(),
            city: "Austin".into(),
            state: "TX".into(),
            postcode: "78701".into(),
            country: "US".into(),
            email: "ann.buyer@example.com".into(),
            phone: "+1-555-0199".into(),
            ..Address::default()
        },
        shipping: Address::default(),
        payment_method: String::new(),
        payment_method_title: String::new(),
        transaction_id: String::new(),
        customer_note: String::new(),
        meta_data: Vec::new(),
        line_items: vec![LineItem {
            id: 1,
            name: "Test Mug".into(),
            product_id: 10,
            variation_id: 0,
            quantity: 2,
            subtotal: Money(5000),
            total: Money(5000),
            sku: "MUG-1795456599".into(),
        }],
        shipping_lines: Vec::new(),
        coupon_lines: Vec::new(),
        refunds: Vec::new(),
        coupon_usage_counted: true,
    }
}

#[test]
fn pending_order_renders_like_the_recorded_delivery() {
    let expected = include_str!("../tests/data/order11_pending.json");
    assert_eq!(render(&order_11(), &config()).encode(), expected);
}

#[test]
fn refunded_order_renders_like_the_recorded_delivery() {
    let at = |s: &str| dates::parse(s).unwrap();
    let mut o = order_11();
    o.status = "refunded".into();
    o.modified = at("2026-11-23T17:56:44");
    o.completed = Some(at("2026-11-23T17:56:42"));
    o.paid = Some(at("2026-11-23T17:56:41"));
    o.refunds = vec![
        Refund {
            id: 12,
            reason: "damaged".into(),
            amount: Money(1000),
            created: at("2026-11-23T17:56:43"),
        },
        Refund {
            id: 13,
            reason: "Order fully refunded.".into(),
            amount: Money(4000),
            created: at("2026-11-23T17:56:44"),
        },
    ];
    let expected = include_str!("../tests/data/order11_refunded.json");
    assert_eq!(render(&o, &config()).encode(), expected);
}
