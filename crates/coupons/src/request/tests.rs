//! Tests of the coupon request: amounts per currency, the body, checks of the input.

use super::*;
use ledger::Currency;
use serde_json::json;
use time::macros::{datetime, offset};

fn input(value: &str, currency: Currency) -> CouponInput {
    CouponInput {
        redemption_id: 123,
        points: Points::new(1000),
        value: Money::parse(value, currency).unwrap(),
        member_email: "Ann.Buyer@Example.com ".to_owned(),
        issued_at: datetime!(2026-12-01 10:00 UTC),
        valid_days: 7,
        issue_day_offset: offset!(+01:00),
        expiry_day_offset: offset!(+01:00),
    }
}

fn code() -> CouponCode {
    CouponCode::parse("POINTS-AB3CD4EF").unwrap()
}

fn amount(value: &str, currency: Currency) -> Result<String, RequestError> {
    CouponRequest::build(&input(value, currency), &code()).map(|r| r.amount().to_owned())
}

#[test]
fn the_body_is_what_woocommerce_expects() {
    let request = CouponRequest::build(&input("5", Currency::EUR), &code()).unwrap();
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({
            "code": "points-ab3cd4ef",
            "discount_type": "fixed_cart",
            "amount": "5.00",
            "individual_use": false,
            "usage_limit": 1,
            "usage_limit_per_user": 1,
            "email_restrictions": ["ann.buyer@example.com"],
            "date_expires": "2026-12-08T23:59:59+01:00",
            "description": "Tally redemption 123: 1,000 points for 5.00 EUR",
            "meta_data": [
                {"key": "tally_redemption_id", "value": "123"},
                {"key": "tally_points", "value": "1000"}
            ]
        })
    );
}

#[test]
fn getters_match_the_body() {
    let request = CouponRequest::build(&input("50", Currency::EUR), &code()).unwrap();
    assert_eq!(request.code(), "points-ab3cd4ef");
    assert_eq!(request.amount(), "50.00");
    assert_eq!(request.date_expires(), "2026-12-08T23:59:59+01:00");
    assert_eq!(
        request.description(),
        "Tally redemption 123: 1,000 points for 50.00 EUR"
    );
    assert_eq!(request.email_restrictions(), ["ann.buyer@example.com"]);
    let meta: Vec<(&str, &str)> = request
        .meta_data()
        .iter()
        .map(|m| (m.key(), m.value()))
        .collect();
    assert_eq!(
        meta,
        [(REDEMPTION_META_KEY, "123"), (POINTS_META_KEY, "1000")]
    );
}

#[test]
fn amounts_carry_exactly_the_currencys_minor_units() {
    assert_eq!(amount("5", Currency::EUR), Ok("5.00".to_owned()));
    assert_eq!(amount("5.5", Currency::EUR), Ok("5.50".to_owned()));
    assert_eq!(amount("5.000", Currency::EUR), Ok("5.00".to_owned()));
    assert_eq!(amount("0.01", Currency::USD), Ok("0.01".to_owned()));
    assert_eq!(amount("500", Currency::JPY), Ok("500".to_owned()));
    assert_eq!(amount("500.00", Currency::JPY), Ok("500".to_owned()));
    assert_eq!(amount("1.25", Currency::BHD), Ok("1.250".to_owned()));
    assert_eq!(
        amount("1000000", Currency::EUR),
        Ok("1000000.00".to_owned())
    );
    let krw = Currency::parse("KRW").unwrap();
    assert_eq!(amount("12000", krw), Ok("12000".to_owned()));
}

#[test]
fn values_finer_than_the_minor_unit_or_zero_are_refused() {
    assert_eq!(
        amount("5.001", Currency::EUR),
        Err(RequestError::ValueBeyondMinorUnit {
            currency: Currency::EUR
        })
    );
    assert_eq!(
        amount("500.5", Currency::JPY),
        Err(RequestError::ValueBeyondMinorUnit {
            currency: Currency::JPY
        })
    );
    assert_eq!(amount("0", Currency::EUR), Err(RequestError::ZeroValue));
    assert_eq!(amount("0.000", Currency::BHD), Err(RequestError::ZeroValue));
    assert_eq!(
        RequestError::ValueBeyondMinorUnit {
            currency: Currency::JPY
        }
        .to_string(),
        "A coupon in JPY can be worth whole multiples of its smallest unit only (0 decimals)."
    );
}

#[test]
fn the_description_names_the_redemption_in_the_currency() {
    let mut yen = input("500", Currency::JPY);
    yen.redemption_id = 9;
    yen.points = Points::new(12_345);
    let request = CouponRequest::build(&yen, &code()).unwrap();
    assert_eq!(
        request.description(),
        "Tally redemption 9: 12,345 points for 500 JPY"
    );
    assert_eq!(request.meta_data()[1].value(), "12345");
}

#[test]
fn terms_write_the_same_coupon_under_each_code() {
    let terms = CouponTerms::new(&input("5", Currency::EUR)).unwrap();
    let other = CouponCode::parse("POINTS-ZZZZ2222").unwrap();
    let a = terms.request(&code());
    let b = terms.request(&other);
    assert_eq!(b.code(), "points-zzzz2222");
    assert_eq!(a.amount(), b.amount());
    assert_eq!(a.date_expires(), b.date_expires());
    assert_eq!(a.description(), b.description());
    assert_eq!(a.meta_data(), b.meta_data());
    assert_eq!(terms.redemption_id(), 123);
    assert_eq!(terms.value().to_exact_string(), "5.00");
    assert_eq!(terms.expires_on(), time::macros::date!(2026 - 12 - 08));
    assert_eq!(terms.expiry().offset(), offset!(+01:00));
}

#[test]
fn ids_and_points_must_be_positive() {
    let mut bad = input("5", Currency::EUR);
    bad.redemption_id = 0;
    assert_eq!(CouponTerms::new(&bad), Err(RequestError::RedemptionId));
    let mut bad = input("5", Currency::EUR);
    bad.points = Points::ZERO;
    assert_eq!(CouponTerms::new(&bad), Err(RequestError::Points));
    bad.points = Points::new(-3);
    assert_eq!(CouponTerms::new(&bad), Err(RequestError::Points));
}

#[test]
fn expiry_errors_come_through() {
    let mut bad = input("5", Currency::EUR);
    bad.valid_days = 91;
    assert_eq!(
        CouponTerms::new(&bad),
        Err(RequestError::ValidDays { days: 91 })
    );
    let mut bad = input("5", Currency::EUR);
    bad.expiry_day_offset = offset!(+15:00);
    assert_eq!(CouponTerms::new(&bad), Err(RequestError::OffsetOutOfRange));
}

#[test]
fn emails_are_trimmed_lower_cased_and_checked() {
    for (given, kept) in [
        ("ann@example.com", "ann@example.com"),
        ("  ANN@Example.COM ", "ann@example.com"),
        (
            "ann.b+tally@sub.example.co.uk",
            "ann.b+tally@sub.example.co.uk",
        ),
    ] {
        let mut ok = input("5", Currency::EUR);
        ok.member_email = given.to_owned();
        let request = CouponRequest::build(&ok, &code()).unwrap();
        assert_eq!(request.email_restrictions(), [kept], "{given:?}");
    }
    let long_local = format!("{}@example.com", "a".repeat(65));
    let long = format!("a@{}.com", "b".repeat(250));
    for bad in [
        "",
        "   ",
        "ann",
        "ann@",
        "@example.com",
        "ann@example",
        "ann@@example.com",
        "ann@exa@mple.com",
        "ann@.example.com",
        "ann@example..com",
        "ann@example.com.",
        "ann@-example.com",
        "ann smith@example.com",
        "ann@example.com,bob@example.com",
        "ann;bob@example.com",
        "<ann@example.com>",
        "ann\u{0}@example.com",
        long_local.as_str(),
        long.as_str(),
    ] {
        let mut wrong = input("5", Currency::EUR);
        wrong.member_email = bad.to_owned();
        assert_eq!(
            CouponTerms::new(&wrong),
            Err(RequestError::Email),
            "{bad:?}"
        );
    }
}
