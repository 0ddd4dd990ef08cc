use super::*;

/// A recorded answer from the real store in `shared/woocommerce-captures/rest/`.
fn recorded(name: &str) -> (u16, Vec<u8>) {
    let path = format!(
        "{}/../../../shared/woocommerce-captures/rest/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let capture: serde_json::Value = serde_json::from_str(&text).unwrap();
    let status = capture["status"].as_u64().unwrap() as u16;
    let body = serde_json::to_vec(&capture["response_body"]).unwrap();
    (status, body)
}

fn map_recorded(name: &str) -> ClientError {
    let (status, body) = recorded(name);
    from_status(status, None, &body)
}

#[test]
fn recorded_read_only_key_write_is_read_only_key() {
    let err = map_recorded("coupon_read_only_key_401.json");
    assert_eq!(err, ClientError::ReadOnlyKey);
    assert!(err.is_definite_refusal());
}

#[test]
fn recorded_duplicate_coupon_is_bad_request_with_its_code() {
    let err = map_recorded("coupon_duplicate_400.json");
    assert_eq!(
        err,
        ClientError::BadRequest {
            code: "woocommerce_rest_coupon_code_already_exists".into(),
            message: "The coupon code already exists".into()
        }
    );
    assert!(err.is_definite_refusal());
    assert!(!err.is_transient());
    assert!(err.is_duplicate_coupon_code());
}

#[test]
fn recorded_bad_discount_type_and_refused_coupons_are_bad_requests() {
    for (name, code) in [
        ("coupon_bad_discount_type_400.json", "rest_invalid_param"),
        (
            "order_coupon_expired_400.json",
            "woocommerce_rest_invalid_coupon",
        ),
        (
            "order_coupon_usage_limit_400.json",
            "woocommerce_rest_invalid_coupon",
        ),
    ] {
        let err = map_recorded(name);
        assert!(!err.is_duplicate_coupon_code(), "{name}");
        match err {
            ClientError::BadRequest { code: got, .. } => assert_eq!(got, code, "{name}"),
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn recorded_webhook_delete_again_is_not_found() {
    assert_eq!(
        map_recorded("webhook_delete_again_404.json"),
        ClientError::NotFound {
            code: "woocommerce_rest_shop_webhook_invalid_id".into()
        }
    );
}

#[test]
fn recorded_delete_without_force_is_a_transient_server_error() {
    let err = map_recorded("webhook_delete_no_force_501.json");
    match &err {
        ClientError::ServerError {
            status,
            body_snippet,
        } => {
            assert_eq!(*status, 501);
            assert!(
                body_snippet.contains("woocommerce_rest_trash_not_supported"),
                "{body_snippet}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(err.is_transient());
    assert!(!err.is_definite_refusal());
}

fn woo(status: u16, code: &str, message: &str) -> ClientError {
    let body = serde_json::json!({"code": code, "message": message, "data": {"status": status}});
    from_status(status, None, &serde_json::to_vec(&body).unwrap())
}

#[test]
fn authentication_failures_are_wrong_credentials() {
    assert_eq!(
        woo(
            401,
            "woocommerce_rest_authentication_error",
            "Consumer key is invalid."
        ),
        ClientError::WrongCredentials
    );
    assert_eq!(
        woo(
            401,
            "woocommerce_rest_authentication_error",
            "Consumer secret is invalid."
        ),
        ClientError::WrongCredentials
    );
    assert_eq!(
        woo(
            401,
            "woocommerce_rest_cannot_view",
            "Sorry, you cannot list resources."
        ),
        ClientError::WrongCredentials
    );
    assert_eq!(
        woo(
            401,
            "woocommerce_rest_authentication_error",
            "The API key provided does not have write permissions."
        ),
        ClientError::ReadOnlyKey
    );
}

#[test]
fn capability_route_and_html_answers() {
    assert_eq!(
        woo(
            403,
            "woocommerce_rest_cannot_create",
            "Sorry, you are not allowed to create resources."
        ),
        ClientError::Forbidden {
            code: "woocommerce_rest_cannot_create".into()
        }
    );
    assert_eq!(
        woo(
            404,
            "rest_no_route",
            "No route was found matching the URL and request method."
        ),
        ClientError::RestApiMissing
    );
    let html = b"\n<!DOCTYPE html><html><body>Page not found</body></html>";
    assert_eq!(from_status(404, None, html), ClientError::RestApiMissing);
    assert!(looks_like_html(html));
    assert_eq!(
        from_status(403, None, html),
        ClientError::Blocked { status: 403 }
    );
    assert_eq!(
        from_status(401, None, b"Unauthorized"),
        ClientError::Blocked { status: 401 }
    );
    assert_eq!(
        woo(
            410,
            "woocommerce_rest_already_trashed",
            "The coupon has already been deleted."
        ),
        ClientError::Refused {
            status: 410,
            code: "woocommerce_rest_already_trashed".into(),
            message: "The coupon has already been deleted.".into()
        }
    );
}

#[test]
fn redirects_throttling_and_server_errors() {
    assert_eq!(
        from_status(
            301,
            Some("https://www.shop.example.com/wp-json/wc/v3/system_status"),
            b""
        ),
        ClientError::Redirected {
            location: "https://www.shop.example.com/wp-json/wc/v3/system_status".into()
        }
    );
    assert_eq!(from_status(429, None, b""), ClientError::RateLimited);
    assert_eq!(from_status(408, None, b""), ClientError::Timeout);
    let err = from_status(502, None, b"<html>\n  Bad   gateway\n</html>");
    assert_eq!(
        err,
        ClientError::ServerError {
            status: 502,
            body_snippet: "<html> Bad gateway </html>".into()
        }
    );
    assert!(err.is_transient());
    assert_eq!(snippet(&[b'x'; 500]).chars().count(), 201);
}

#[test]
fn every_error_has_a_hint_and_refusal_and_transience_never_overlap() {
    let all = [
        ClientError::WrongCredentials,
        ClientError::ReadOnlyKey,
        ClientError::Forbidden { code: "c".into() },
        ClientError::NotFound { code: "c".into() },
        ClientError::BadRequest {
            code: "c".into(),
            message: "m".into(),
        },
        ClientError::Refused {
            status: 409,
            code: "c".into(),
            message: "m".into(),
        },
        ClientError::RestApiMissing,
        ClientError::Redirected {
            location: "l".into(),
        },
        ClientError::Blocked { status: 403 },
        ClientError::RateLimited,
        ClientError::Certificate("x".into()),
        ClientError::HostNotFound,
        ClientError::PrivateAddress,
        ClientError::Timeout,
        ClientError::Unreachable("x".into()),
        ClientError::ServerError {
            status: 500,
            body_snippet: String::new(),
        },
        ClientError::UnexpectedResponse("x".into()),
        ClientError::NotHttps,
        ClientError::InvalidConfiguration("x".into()),
    ];
    for e in &all {
        assert!(!e.hint().is_empty());
        assert!(!(e.is_definite_refusal() && e.is_transient()), "{e:?}");
        assert!(!(e.is_definite_refusal() && e.request_not_sent()), "{e:?}");
    }
    assert_eq!(
        ClientError::NotHttps.to_string(),
        "Store URL must use HTTPS"
    );
    assert!(ClientError::RestApiMissing
        .hint()
        .starts_with("REST API missing or permalinks set to Plain"));
}

#[test]
fn an_explanation_says_the_message_once_and_then_the_hint() {
    assert_eq!(
        ClientError::ReadOnlyKey.explained(),
        ClientError::ReadOnlyKey.hint(),
        "the hint already starts with the message"
    );
    let refused = map_recorded("coupon_duplicate_400.json");
    let explained = refused.explained();
    assert!(explained.starts_with(&refused.to_string()), "{explained}");
    assert!(explained.ends_with(refused.hint()), "{explained}");
    assert_eq!(explained.matches(refused.hint()).count(), 1);
}
