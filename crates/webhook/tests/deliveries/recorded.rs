//! Every delivery recorded from a real WooCommerce 8.9.1 store.

use webhook::{classify, parse, verify_signature, Kind, OrderStatus, Payload, SignatureError};

use crate::captures::{deliveries, expected, Delivery};

fn signed() -> Vec<Delivery> {
    let all = deliveries();
    assert!(all.len() >= 30, "expected at least 30 recorded deliveries");
    all.into_iter().skip(1).collect()
}

fn order(d: &Delivery) -> webhook::OrderEvent {
    match parse(&d.body) {
        Ok(Payload::Order(order)) => order,
        other => panic!("line {}: expected an order, got {other:?}", d.line),
    }
}

#[test]
fn first_line_is_the_creation_ping_for_webhook_12() {
    let ping = deliveries().into_iter().next().expect("a first line");
    let headers = ping.headers();
    assert_eq!(
        classify(&headers, &ping.body),
        Kind::Ping { webhook_id: 12 }
    );
    assert!(!headers.has_any_wc_header());
    assert_eq!(headers.signature(), None);
    assert!(matches!(
        parse(&ping.body),
        Err(webhook::ParseError::NotJson { .. })
    ));
}

#[test]
fn every_other_line_classifies_as_signed() {
    for d in signed() {
        assert_eq!(
            classify(&d.headers(), &d.body),
            Kind::Signed,
            "line {}",
            d.line
        );
    }
}

#[test]
fn every_signed_line_verifies_with_the_key_woocommerce_used() {
    for d in signed() {
        let sig = d.headers().signature().expect("signature").to_owned();
        assert_eq!(
            verify_signature(&d.signing_key(), &d.body, &sig),
            Ok(()),
            "line {}",
            d.line
        );
    }
}

#[test]
fn every_signed_line_fails_with_a_wrong_secret() {
    for d in signed() {
        let sig = d.headers().signature().expect("signature").to_owned();
        let mut wrong = d.signing_key();
        wrong.push(b'!');
        assert_eq!(
            verify_signature(&wrong, &d.body, &sig),
            Err(SignatureError::Mismatch),
            "line {}",
            d.line
        );
        assert_eq!(
            verify_signature(b"loyalty-secret-9876543210", &d.body, &sig),
            Err(SignatureError::Mismatch)
        );
    }
}

#[test]
fn html_entity_secret_as_registered_does_not_verify() {
    let mut seen = 0;
    for d in signed()
        .into_iter()
        .filter(Delivery::signed_with_html_decoded_secret)
    {
        let registered = d.secret_as_registered.clone().expect("secret");
        let sig = d.headers().signature().expect("signature").to_owned();
        assert_eq!(
            verify_signature(registered.as_bytes(), &d.body, &sig),
            Err(SignatureError::Mismatch),
            "line {}",
            d.line
        );
        seen += 1;
    }
    assert!(seen > 0);
}

#[test]
fn every_signed_line_fails_when_any_one_body_byte_changes() {
    for d in signed() {
        let sig = d.headers().signature().expect("signature").to_owned();
        let key = d.signing_key();
        for at in [0, d.body.len() / 2, d.body.len() - 1] {
            let mut body = d.body.clone();
            body[at] ^= 0x01;
            assert_eq!(
                verify_signature(&key, &body, &sig),
                Err(SignatureError::Mismatch),
                "line {} byte {at}",
                d.line
            );
        }
        let mut longer = d.body.clone();
        longer.push(b'\n');
        assert_eq!(
            verify_signature(&key, &longer, &sig),
            Err(SignatureError::Mismatch)
        );
    }
}

#[test]
fn every_signed_line_parses_to_what_it_says() {
    for d in signed() {
        let want = expected(&d.what);
        let order = order(&d);
        assert_eq!(order.id(), want.id, "line {}", d.line);
        assert_eq!(order.status().as_str(), want.status, "line {}", d.line);
        assert_eq!(order.total(), want.total, "line {}", d.line);
        let refunds: Vec<&str> = order.refunds().iter().map(|r| r.total()).collect();
        assert_eq!(refunds, want.refunds, "line {}", d.line);
        assert_eq!(order.currency(), "USD");
        assert_eq!(order.number(), Some(want.id.to_string().as_str()));
        assert!(
            order.date_modified_gmt_parsed().is_some(),
            "line {}",
            d.line
        );
    }
}

#[test]
fn headers_carry_the_topic_and_a_source_with_a_trailing_slash() {
    for d in signed() {
        let h = d.headers();
        assert_eq!(h.topic(), Some("order.updated"));
        assert_eq!(h.resource(), Some("order"));
        assert_eq!(h.event(), Some("updated"));
        assert_eq!(h.source(), Some("http://127.0.0.1:8080/"));
        assert_eq!(h.content_type(), Some("application/json"));
        assert!(matches!(h.webhook_id(), Some(12 | 13)), "line {}", d.line);
        let delivery_id = h.delivery_id().expect("delivery id");
        assert_eq!(delivery_id.len(), 32);
        assert_eq!(d.header("x-wc-webhook-delivery-id"), Some(delivery_id));
    }
}

#[test]
fn delivery_ids_repeat_across_different_orders() {
    let all = signed();
    let repeated = all.iter().any(|a| {
        all.iter().any(|b| {
            a.headers().delivery_id() == b.headers().delivery_id() && order(a).id() != order(b).id()
        })
    });
    assert!(
        repeated,
        "the recordings show one Delivery-ID for two different orders"
    );
}

#[test]
fn order_11_lifecycle_from_pending_to_refunded() {
    let orders: Vec<_> = signed()
        .iter()
        .map(order)
        .filter(|o| o.id() == 11)
        .collect();
    let statuses: Vec<&str> = orders.iter().map(|o| o.status().as_str()).collect();
    assert_eq!(
        statuses,
        [
            "pending",
            "pending",
            "processing",
            "processing",
            "completed",
            "completed",
            "completed",
            "completed",
            "refunded",
            "refunded"
        ]
    );
    let partial = &orders[6];
    assert_eq!(partial.status(), &OrderStatus::Completed);
    assert_eq!(partial.total(), "50.00");
    assert_eq!(partial.refunds().len(), 1);
    assert_eq!(partial.refunds()[0].id(), 12);
    assert_eq!(partial.refunds()[0].total(), "-10.00");
    assert_eq!(partial.refunds()[0].reason(), Some("damaged"));

    let full = &orders[8];
    assert_eq!(full.status(), &OrderStatus::Refunded);
    assert_eq!(full.total(), "50.00");
    let refunds: Vec<_> = full
        .refunds()
        .iter()
        .map(|r| (r.id(), r.total(), r.reason()))
        .collect();
    assert_eq!(
        refunds,
        [
            (13, "-40.00", Some("Order fully refunded.")),
            (12, "-10.00", Some("damaged"))
        ]
    );
    assert_eq!(full.customer_id(), 0);
    assert_eq!(full.billing().email(), Some("ann.buyer@example.com"));
    assert_eq!(full.billing().first_name(), "Ann");
    assert_eq!(full.billing().last_name(), "Buyer");
    assert_eq!(full.billing().phone(), Some("+1-555-0199"));
    assert_eq!(full.date_modified_gmt(), Some("2026-11-23T17:56:44"));
    let when = full.date_modified_gmt_parsed().expect("a date");
    assert_eq!(
        (when.year(), u8::from(when.month()), when.day()),
        (2026, 11, 23)
    );
    assert_eq!((when.hour(), when.minute(), when.second()), (17, 56, 44));
}

#[test]
fn order_14_is_refunded_in_one_full_refund_with_an_empty_reason() {
    let last = signed()
        .iter()
        .map(order)
        .rfind(|o| o.id() == 14)
        .expect("order 14");
    assert_eq!(last.status(), &OrderStatus::Refunded);
    assert_eq!(last.total(), "25.00");
    assert_eq!(last.customer_id(), 2);
    assert_eq!(last.refunds().len(), 1);
    assert_eq!(last.refunds()[0].total(), "-25.00");
    assert_eq!(last.refunds()[0].reason(), None);
    assert_eq!(last.billing().email(), Some("jane.billing@example.com"));
}

#[test]
fn empty_billing_phone_reads_as_none() {
    let d = signed()
        .into_iter()
        .find(|d| d.what.starts_with("order 19 "))
        .expect("order 19");
    assert_eq!(order(&d).billing().phone(), None);
}
