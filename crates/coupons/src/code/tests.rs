//! Tests of the alphabet, the prefix and the coupon code.

use super::*;
use proptest::prelude::*;
use ring::rand::SystemRandom;

fn prefix(text: &str) -> CodePrefix {
    CodePrefix::parse(text).unwrap()
}

#[test]
fn alphabet_has_no_look_alikes() {
    for c in b"01OIL" {
        assert!(!ALPHABET.contains(c), "{}", char::from(*c));
    }
    assert_eq!(ALPHABET.len(), 31);
}

#[test]
fn prefix_is_one_to_twelve_letters_or_digits_kept_upper_case() {
    assert_eq!(prefix("POINTS").as_str(), "POINTS");
    assert_eq!(prefix("  points ").as_str(), "POINTS");
    assert_eq!(prefix("A").as_str(), "A");
    assert_eq!(prefix("LOYAL2026ABC").as_str(), "LOYAL2026ABC");
    assert_eq!(prefix("OIL10").to_string(), "OIL10");
}

#[test]
fn prefix_refusals_say_what_is_wrong() {
    assert_eq!(CodePrefix::parse(""), Err(CodeError::EmptyPrefix));
    assert_eq!(CodePrefix::parse("   "), Err(CodeError::EmptyPrefix));
    assert_eq!(
        CodePrefix::parse("ABCDEFGHIJKLM"),
        Err(CodeError::PrefixTooLong { len: 13 })
    );
    for bad in ["PO-INTS", "PO INTS", "PUNTÉ", "PÖINTS", "_X", "€", "A.B"] {
        assert_eq!(
            CodePrefix::parse(bad),
            Err(CodeError::PrefixCharacters),
            "{bad:?}"
        );
    }
    assert_eq!(
        CodeError::PrefixTooLong { len: 13 }.to_string(),
        "The code prefix has 13 characters; use at most 12."
    );
}

#[test]
fn generated_code_is_prefix_dash_eight_symbols() {
    let code = CouponCode::generate(&prefix("points"), &SystemRandom::new()).unwrap();
    let text = code.to_string();
    let (head, random) = text.split_once('-').unwrap();
    assert_eq!(head, "POINTS");
    assert_eq!(code.prefix(), "POINTS");
    assert_eq!(random.len(), 8);
    assert!(random.bytes().all(|b| ALPHABET.contains(&b)));
    assert!(random.bytes().any(|b| b.is_ascii_alphabetic()));
    assert_eq!(code.as_str(), text);
}

#[test]
fn shown_upper_case_and_stored_lower_case() {
    let code = CouponCode::parse("points-ab3cd4ef").unwrap();
    assert_eq!(code.to_string(), "POINTS-AB3CD4EF");
    assert_eq!(code.for_store(), "points-ab3cd4ef");
}

#[test]
fn equality_ignores_case() {
    let upper = CouponCode::parse("POINTS-AB3CD4EF").unwrap();
    let lower = CouponCode::parse(" points-ab3cd4ef ").unwrap();
    let mixed = CouponCode::parse("Points-aB3cD4Ef").unwrap();
    assert_eq!(upper, lower);
    assert_eq!(upper, mixed);
    assert!(upper == "points-ab3cd4ef");
    assert!(upper == *"POINTS-ab3cd4ef");
    assert!(upper != "points-ab3cd4eg");
    let other = CouponCode::parse("POINTS-AB3CD4EG").unwrap();
    assert_ne!(upper, other);
}

#[test]
fn parse_refuses_what_is_not_a_code_of_ours() {
    for bad in [
        "",
        "POINTS",
        "POINTS-",
        "-AB3CD4EF",
        "POINTS-AB3CD4E",
        "POINTS-AB3CD4EFG",
        "POINTS-AB3CD4E0",
        "POINTS-AB3CD4EO",
        "POINTS-AB3CD4E1",
        "POINTS-AB3CD4EI",
        "POINTS-AB3CD4EL",
        "POINTS-AB3C-D4EF",
        "POINTS -AB3CD4EF",
        "POINTS- AB3CD4EF",
        "POI NTS-AB3CD4EF",
        "ABCDEFGHIJKLM-AB3CD4EF",
        "PÖINTS-AB3CD4EF",
        "POINTS_AB3CD4EF",
    ] {
        assert_eq!(CouponCode::parse(bad), Err(CodeError::Malformed), "{bad:?}");
    }
    let message = CouponCode::parse("SECRET-QQQQQQQ0")
        .unwrap_err()
        .to_string();
    assert!(!message.contains("QQQQ") && !message.contains("SECRET"));
}

#[test]
fn prefix_may_use_look_alikes_but_the_random_part_may_not() {
    assert!(CouponCode::parse("OIL10-AB3CD4EF").is_ok());
    assert!(CouponCode::parse("OIL10-AB3CD4E1").is_err());
}

#[test]
fn regenerate_keeps_the_prefix_and_changes_the_code() {
    let rng = SystemRandom::new();
    let code = CouponCode::generate(&prefix("LOYAL"), &rng).unwrap();
    let next = code.regenerate(&rng).unwrap();
    assert_ne!(next, code);
    assert_eq!(next.prefix(), "LOYAL");
}

#[test]
fn serde_uses_the_upper_case_text_and_validates_it() {
    let code = CouponCode::parse("points-ab3cd4ef").unwrap();
    assert_eq!(serde_json::to_string(&code).unwrap(), "\"POINTS-AB3CD4EF\"");
    let back: CouponCode = serde_json::from_str("\"points-ab3cd4ef\"").unwrap();
    assert_eq!(back, code);
    assert!(serde_json::from_str::<CouponCode>("\"POINTS-0000OOOO\"").is_err());
}

proptest! {
    #[test]
    fn codes_use_only_the_alphabet_and_hold_a_letter(len in 1usize..20) {
        let code = random_code(&SystemRandom::new(), len).unwrap();
        prop_assert_eq!(code.len(), len);
        prop_assert!(code.bytes().all(|b| ALPHABET.contains(&b)));
        prop_assert!(code.bytes().any(|b| b.is_ascii_alphabetic()));
    }

    #[test]
    fn shown_and_stored_forms_parse_back_to_the_same_code(p in "[A-Za-z0-9]{1,12}") {
        let code = CouponCode::generate(&prefix(&p), &SystemRandom::new()).unwrap();
        prop_assert_eq!(CouponCode::parse(&code.to_string()).unwrap(), code.clone());
        prop_assert_eq!(CouponCode::parse(&code.for_store()).unwrap(), code.clone());
        prop_assert_eq!(code.prefix(), p.to_ascii_uppercase());
    }

    #[test]
    fn prefixes_outside_the_rules_are_refused(p in "[A-Z0-9]{13,20}|[^A-Za-z0-9 ]{1,5}") {
        prop_assert!(CodePrefix::parse(&p).is_err());
    }
}
