//! Hand-built payloads for what the recordings do not show: other decimals, guests,
//! custom statuses, error objects and broken bodies.

use webhook::{parse, OrderEvent, OrderStatus, ParseError, Payload, WooError, MAX_BODY_BYTES};

/// An order body: sensible defaults, each `(key, raw JSON)` replacing or adding a field;
/// a raw value of `""` removes the field.
fn order_body(overrides: &[(&str, &str)]) -> Vec<u8> {
    let mut fields: Vec<(String, String)> = [
        ("id", "7"),
        ("number", "\"7\""),
        ("status", "\"processing\""),
        ("currency", "\"EUR\""),
        ("total", "\"42.50\""),
        ("customer_id", "3"),
        (
            "billing",
            r#"{"first_name":"Zoë","last_name":"Ng","email":"zoe@example.com","phone":""}"#,
        ),
        ("refunds", "[]"),
        ("date_modified_gmt", "\"2026-01-02T03:04:05\""),
        ("line_items", r#"[{"id":1,"price":9.5,"total":"9.50"}]"#),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (key, raw) in overrides {
        fields.retain(|(k, _)| k != key);
        if !raw.is_empty() {
            fields.push((key.to_string(), raw.to_string()));
        }
    }
    let inner: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
    format!("{{{}}}", inner.join(",")).into_bytes()
}

fn order(overrides: &[(&str, &str)]) -> OrderEvent {
    match parse(&order_body(overrides)) {
        Ok(Payload::Order(order)) => order,
        other => panic!("expected an order, got {other:?}"),
    }
}

fn error(overrides: &[(&str, &str)]) -> ParseError {
    match parse(&order_body(overrides)) {
        Err(e) => e,
        Ok(p) => panic!("expected an error, got {p:?}"),
    }
}

#[test]
fn defaults_parse_into_every_field() {
    let o = order(&[]);
    assert_eq!(o.id(), 7);
    assert_eq!(o.number(), Some("7"));
    assert_eq!(o.status(), &OrderStatus::Processing);
    assert_eq!(o.currency(), "EUR");
    assert_eq!(o.total(), "42.50");
    assert_eq!(o.customer_id(), 3);
    assert_eq!(o.billing().first_name(), "Zoë");
    assert_eq!(o.billing().phone(), None);
    assert!(o.refunds().is_empty());
}

#[test]
fn jpy_store_total_without_decimals() {
    let o = order(&[("currency", "\"JPY\""), ("total", "\"1500\"")]);
    assert_eq!((o.currency(), o.total()), ("JPY", "1500"));
}

#[test]
fn three_decimal_total_is_kept_as_sent() {
    assert_eq!(order(&[("total", "\"12.345\"")]).total(), "12.345");
    assert_eq!(order(&[("total", "\"29.999\"")]).total(), "29.999");
}

#[test]
fn numeric_total_is_kept_as_its_exact_text() {
    assert_eq!(order(&[("total", "1500")]).total(), "1500");
    assert_eq!(order(&[("total", "50.10")]).total(), "50.10");
    let many = "12345678901234567890.123456789012345678";
    assert_eq!(order(&[("total", many)]).total(), many);
    let refunds = r#"[{"id":3,"total":-10.5,"reason":""}]"#;
    assert_eq!(order(&[("refunds", refunds)]).refunds()[0].total(), "-10.5");
}

#[test]
fn totals_that_are_not_plain_non_negative_decimals_are_refused() {
    for raw in [
        "\"-5.00\"",
        "-5",
        "1e3",
        "\"1e3\"",
        "\"\"",
        "\" 5\"",
        "\"5,00\"",
        "\"abc\"",
        "true",
        "{}",
        "[]",
    ] {
        assert!(
            matches!(
                error(&[("total", raw)]),
                ParseError::InvalidField { field: "total", .. }
            ),
            "{raw}"
        );
    }
}

#[test]
fn currency_is_upper_cased_and_must_be_three_letters() {
    assert_eq!(order(&[("currency", "\"usd\"")]).currency(), "USD");
    for raw in ["\"US\"", "\"US$\"", "\"EURO\"", "\"\"", "978"] {
        assert!(
            matches!(
                error(&[("currency", raw)]),
                ParseError::InvalidField {
                    field: "currency",
                    ..
                }
            ),
            "{raw}"
        );
    }
}

#[test]
fn guest_without_email() {
    let billing = r#"{"first_name":"","last_name":"","email":"","phone":""}"#;
    let o = order(&[("customer_id", "0"), ("billing", billing)]);
    assert_eq!(o.customer_id(), 0);
    assert_eq!(o.billing().email(), None);
    assert_eq!(o.billing().first_name(), "");
    let no_billing = order(&[("customer_id", ""), ("billing", "")]);
    assert_eq!(no_billing.customer_id(), 0);
    assert_eq!(no_billing.billing().email(), None);
    assert_eq!(order(&[("billing", "null")]).billing().email(), None);
    assert_eq!(
        order(&[("billing", r#"{"email":null}"#)]).billing().email(),
        None
    );
}

#[test]
fn whitespace_email_is_none_and_others_are_trimmed() {
    let o = order(&[("billing", r#"{"email":"  "}"#)]);
    assert_eq!(o.billing().email(), None);
    let o = order(&[(
        "billing",
        r#"{"email":" a@b.example ","first_name":" Al "}"#,
    )]);
    assert_eq!(o.billing().email(), Some("a@b.example"));
    assert_eq!(o.billing().first_name(), "Al");
}

#[test]
fn unknown_status_is_kept() {
    assert_eq!(
        order(&[("status", "\"wc-custom\"")]).status(),
        &OrderStatus::Other("wc-custom".to_owned())
    );
}

#[test]
fn checkout_draft_is_recognised() {
    assert_eq!(
        order(&[("status", "\"checkout-draft\"")]).status(),
        &OrderStatus::CheckoutDraft
    );
}

#[test]
fn cannot_view_error_object_with_status() {
    let body = br#"{"code":"woocommerce_rest_cannot_view","message":"Sorry, you cannot view this resource.","data":{"status":401}}"#;
    assert_eq!(
        parse(body),
        Ok(Payload::Error(WooError {
            code: "woocommerce_rest_cannot_view".to_owned(),
            message: "Sorry, you cannot view this resource.".to_owned(),
            status: Some(401),
        }))
    );
}

#[test]
fn error_object_without_data_or_with_odd_data() {
    for body in [
        &br#"{"code":"woocommerce_rest_shop_order_invalid_id","message":"Invalid ID."}"#[..],
        br#"{"code":"woocommerce_rest_shop_order_invalid_id","message":"Invalid ID.","data":null}"#,
        br#"{"code":"woocommerce_rest_shop_order_invalid_id","message":"Invalid ID.","data":{"status":"404"}}"#,
        br#"{"code":"woocommerce_rest_shop_order_invalid_id","message":"Invalid ID.","data":{"status":70000}}"#,
        br#"{"code":"woocommerce_rest_shop_order_invalid_id","message":"Invalid ID.","data":[]}"#,
    ] {
        match parse(body) {
            Ok(Payload::Error(e)) => {
                assert_eq!(e.code, "woocommerce_rest_shop_order_invalid_id");
                assert_eq!(e.message, "Invalid ID.");
                assert_eq!(e.status, None);
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn error_object_without_message_is_missing_a_field() {
    assert_eq!(
        parse(br#"{"code":"x"}"#),
        Err(ParseError::MissingField("message"))
    );
}

#[test]
fn missing_required_fields_are_named() {
    for field in ["id", "status", "currency", "total"] {
        assert_eq!(error(&[(field, "")]), ParseError::MissingField(field));
        assert_eq!(error(&[(field, "null")]), ParseError::MissingField(field));
    }
    assert_eq!(parse(b"{}"), Err(ParseError::MissingField("id")));
    assert_eq!(
        parse(br#"{"id":5}"#),
        Err(ParseError::MissingField("status"))
    );
}

#[test]
fn invalid_ids_are_refused() {
    for raw in ["0", "-1", "\"11\"", "1.5", "99999999999999999999"] {
        assert!(
            matches!(
                error(&[("id", raw)]),
                ParseError::InvalidField { field: "id", .. }
            ),
            "{raw}"
        );
    }
    assert!(matches!(
        error(&[("customer_id", "-2")]),
        ParseError::InvalidField {
            field: "customer_id",
            ..
        }
    ));
}

#[test]
fn broken_refunds_name_the_field() {
    let cases = [
        ("{}", "refunds"),
        ("[1]", "refunds"),
        (r#"[{"total":"-1.00"}]"#, "refunds[].id"),
        (r#"[{"id":1}]"#, "refunds[].total"),
        (r#"[{"id":1,"total":"-1,00"}]"#, "refunds[].total"),
        (
            r#"[{"id":1,"total":"-1.00","reason":5}]"#,
            "refunds[].reason",
        ),
    ];
    for (raw, field) in cases {
        let got = error(&[("refunds", raw)]);
        let named = match &got {
            ParseError::MissingField(f) | ParseError::InvalidField { field: f, .. } => *f,
            _ => "",
        };
        assert_eq!(named, field, "{raw}: {got:?}");
    }
}

#[test]
fn an_object_with_an_id_and_a_code_is_an_order() {
    assert!(matches!(
        parse(&order_body(&[("code", "\"x\""), ("message", "\"y\"")])),
        Ok(Payload::Order(_))
    ));
}

#[test]
fn non_object_json_is_refused() {
    for body in [
        &b"[]"[..],
        b"[{\"id\":1}]",
        b"\"order\"",
        b"42",
        b"null",
        b"true",
    ] {
        assert_eq!(parse(body), Err(ParseError::NotAnObject), "{body:?}");
    }
}

#[test]
fn truncated_or_non_json_bodies_are_refused() {
    let full = order_body(&[]);
    for cut in [0, 1, full.len() / 2, full.len() - 1] {
        assert!(
            matches!(parse(&full[..cut]), Err(ParseError::NotJson { .. })),
            "cut at {cut}"
        );
    }
    for body in [
        &b"webhook_id=12"[..],
        b"{\"id\":1,}",
        b"{} {}",
        b"\xff\xfe{}",
    ] {
        assert!(
            matches!(parse(body), Err(ParseError::NotJson { .. })),
            "{body:?}"
        );
    }
}

#[test]
fn huge_nesting_is_refused_without_recursing() {
    let deep = "[".repeat(500_000) + &"]".repeat(500_000);
    assert_eq!(parse(deep.as_bytes()), Err(ParseError::TooDeep));
    let in_a_field = format!("{{\"id\":1,\"meta\":{}}}", "{\"a\":".repeat(100));
    assert_eq!(parse(in_a_field.as_bytes()), Err(ParseError::TooDeep));
    let mut fine = "[".repeat(60);
    fine.push_str(&"]".repeat(60));
    let nested_meta = format!("[{fine}]");
    assert!(matches!(
        parse(&order_body(&[("meta_data", &nested_meta)])),
        Ok(Payload::Order(_))
    ));
}

#[test]
fn bodies_over_one_mebibyte_are_refused_before_parsing() {
    let mut big = order_body(&[]);
    big.resize(MAX_BODY_BYTES + 1, b' ');
    assert_eq!(parse(&big), Err(ParseError::TooLarge));
    let mut at_limit = order_body(&[]);
    at_limit.resize(MAX_BODY_BYTES, b' ');
    assert!(matches!(parse(&at_limit), Ok(Payload::Order(_))));
}

#[test]
fn unparseable_date_is_kept_but_reads_as_none() {
    let o = order(&[("date_modified_gmt", "\"yesterday\"")]);
    assert_eq!(o.date_modified_gmt(), Some("yesterday"));
    assert_eq!(o.date_modified_gmt_parsed(), None);
    assert_eq!(
        order(&[("date_modified_gmt", "null")]).date_modified_gmt(),
        None
    );
}

#[test]
fn error_messages_are_readable() {
    assert_eq!(
        error(&[("total", "\"abc\"")]).to_string(),
        "The field `total` must be a decimal number such as \"50.00\" or \"1500\""
    );
    assert_eq!(
        ParseError::MissingField("id").to_string(),
        "The body has no `id` field"
    );
    let not_json = parse(b"{\"id\":").unwrap_err().to_string();
    assert!(
        not_json.starts_with("The body is not valid JSON: EOF"),
        "{not_json}"
    );
}
