//! The checks of a card's rules, field by field.

use super::*;

fn text(s: &str) -> Option<String> {
    Some(s.to_owned())
}

fn new_card() -> CardInput {
    CardInput {
        name: text("Coffee Card"),
        currency: text("EUR"),
        ..CardInput::default()
    }
}

fn tier(name: &str, threshold: &str, multiplier: &str) -> TierInput {
    TierInput {
        name: name.into(),
        threshold: threshold.into(),
        multiplier: multiplier.into(),
    }
}

fn fields(errors: &[FieldError]) -> Vec<&str> {
    errors.iter().map(|e| e.field.as_str()).collect()
}

#[test]
fn a_new_card_needs_only_a_name_and_a_currency() {
    let card = validate(&Base::defaults(), &new_card()).unwrap();
    assert_eq!(card.name, "Coffee Card");
    assert_eq!(card.rule, EarnRule::default_for(Currency::EUR));
    assert!(card.active);
    let errors = validate(&Base::defaults(), &CardInput::default()).unwrap_err();
    assert_eq!(fields(&errors), ["name", "currency"]);
}

#[test]
fn every_rule_is_checked_and_every_problem_reported() {
    let input = CardInput {
        name: text("  "),
        currency: text("BTC"),
        points_per_unit: text("-1"),
        unit_amount: text("0"),
        rounding: text("half_even"),
        min_purchase_amount: text("-5"),
        min_points_per_purchase: text("1.5"),
        max_points_per_purchase: text("x"),
        welcome_bonus_points: text("lots"),
        tiers: Some(vec![tier("", "-1", "0")]),
        ..CardInput::default()
    };
    let errors = validate(&Base::defaults(), &input).unwrap_err();
    assert_eq!(
        fields(&errors),
        [
            "name",
            "currency",
            "points_per_unit",
            "min_points_per_purchase",
            "welcome_bonus_points",
            "max_points_per_purchase",
            "rounding",
            "unit_amount",
            "min_purchase_amount",
            "tiers[0].name",
            "tiers[0].threshold",
            "tiers[0].multiplier",
        ]
    );
    assert!(errors[1]
        .message
        .contains("“BTC” is not a currency we know"));
}

#[test]
fn the_maximum_is_at_least_the_minimum() {
    let input = CardInput {
        min_points_per_purchase: text("10"),
        max_points_per_purchase: text("9"),
        ..new_card()
    };
    let errors = validate(&Base::defaults(), &input).unwrap_err();
    assert_eq!(
        errors[0].message,
        "The maximum must be at least the minimum points per purchase (10)."
    );
    let equal = CardInput {
        max_points_per_purchase: text("10"),
        ..input
    };
    assert!(validate(&Base::defaults(), &equal).is_ok());
}

#[test]
fn amounts_keep_their_decimals_but_not_finer_than_the_currency() {
    let input = CardInput {
        unit_amount: text("2.50"),
        min_purchase_amount: text("5.0"),
        ..new_card()
    };
    let card = validate(&Base::defaults(), &input).unwrap();
    assert_eq!(card.rule.unit_amount().to_string(), "2.50");
    let finer = CardInput {
        unit_amount: text("0.001"),
        ..new_card()
    };
    let errors = validate(&Base::defaults(), &finer).unwrap_err();
    assert_eq!(
        errors[0].message,
        "In EUR the unit amount can have at most 2 decimals."
    );
    let yen = CardInput {
        currency: text("JPY"),
        unit_amount: text("100.00"),
        min_purchase_amount: text("0.5"),
        ..new_card()
    };
    let errors = validate(&Base::defaults(), &yen).unwrap_err();
    assert_eq!(fields(&errors), ["min_purchase_amount"]);
    assert_eq!(
        errors[0].message,
        "JPY has no decimals: the minimum purchase must be a whole amount."
    );
    let dinar = CardInput {
        currency: text("bhd"),
        unit_amount: text("0.125"),
        ..new_card()
    };
    assert!(validate(&Base::defaults(), &dinar).is_ok());
}

#[test]
fn tiers_need_distinct_names_and_thresholds_and_a_positive_multiplier() {
    let input = CardInput {
        tiers: Some(vec![
            tier("Gold", "1000", "1.5"),
            tier("gold", "500", "1.2"),
            tier("Silver", "1000", "1.25"),
            tier("Bronze", "0", "1.00001"),
            tier(&"x".repeat(101), "5", "101"),
        ]),
        ..new_card()
    };
    let errors = validate(&Base::defaults(), &input).unwrap_err();
    assert_eq!(
        fields(&errors),
        [
            "tiers[1].name",
            "tiers[2].threshold",
            "tiers[3].multiplier",
            "tiers[4].name",
            "tiers[4].multiplier",
        ]
    );
    assert_eq!(
        errors[0].message,
        "Two tiers are called “gold”: give each tier its own name."
    );
    assert_eq!(
        errors[1].message,
        "Two tiers start at 1,000 points: give each tier its own threshold."
    );
    let good = CardInput {
        tiers: Some(vec![
            tier(" Gold ", "1000", "1.5"),
            tier("Silver", "500", "1.25"),
            tier(&"B".repeat(100), "0", "1"),
        ]),
        ..new_card()
    };
    let card = validate(&Base::defaults(), &good).unwrap();
    let names: Vec<&str> = card.tiers.iter().map(Tier::name).collect();
    assert_eq!(names, [&*"B".repeat(100), "Silver", "Gold"], "by threshold");
    let eleven = CardInput {
        tiers: Some(
            (0..11)
                .map(|i| tier(&format!("T{i}"), &i.to_string(), "1"))
                .collect(),
        ),
        ..new_card()
    };
    assert_eq!(
        fields(&validate(&Base::defaults(), &eleven).unwrap_err()),
        ["tiers"]
    );
}

#[test]
fn a_change_keeps_what_it_does_not_name() {
    let base = validate(
        &Base::defaults(),
        &CardInput {
            max_points_per_purchase: text("30"),
            welcome_bonus_points: text("50"),
            tiers: Some(vec![tier("Gold", "100", "2")]),
            ..new_card()
        },
    )
    .unwrap();
    let base = Base {
        name: Some(base.name),
        currency: Some(base.rule.currency()),
        max_points: Some(30),
        welcome: 50,
        tiers: base.tiers,
        ..Base::defaults()
    };
    let changed = validate(
        &base,
        &CardInput {
            rounding: text("nearest"),
            ..CardInput::default()
        },
    )
    .unwrap();
    assert_eq!(changed.rule.rounding(), Rounding::Nearest);
    assert_eq!(changed.rule.welcome_bonus_points(), Points::new(50));
    assert_eq!(changed.tiers.len(), 1);
    let cleared = validate(
        &base,
        &CardInput {
            max_points_per_purchase: text(""),
            tiers: Some(Vec::new()),
            ..CardInput::default()
        },
    )
    .unwrap();
    assert_eq!(cleared.rule.max_points_per_purchase(), None);
    assert!(cleared.tiers.is_empty());
}
