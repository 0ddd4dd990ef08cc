//! The worked examples of the loyalty core, one test each.

use ledger::{
    apply, proportional_refund, BigDecimal, Channel, Clamp, Currency, EarnRule, EarnRuleParams,
    EntryKind, LedgerError, Money, Points, RedemptionRefusal, RedemptionRule, Rounding, Tier,
};

fn dec(text: &str) -> BigDecimal {
    text.parse().unwrap()
}

fn money(text: &str, currency: Currency) -> Money {
    Money::parse(text, currency).unwrap()
}

fn eur(text: &str) -> Money {
    money(text, Currency::EUR)
}

/// 1 point per 1.00 EUR with the given rounding; everything else default.
fn params(rounding: Rounding) -> EarnRuleParams {
    EarnRuleParams {
        currency: Currency::EUR,
        points_per_unit: 1,
        unit_amount: dec("1.00"),
        rounding,
        min_purchase_amount: dec("0"),
        min_points_per_purchase: 0,
        max_points_per_purchase: None,
        welcome_bonus_points: 0,
    }
}

fn rule(params: EarnRuleParams) -> EarnRule {
    EarnRule::new(params).unwrap()
}

fn points(rule: &EarnRule, amount: &Money) -> i64 {
    rule.points_for(amount, Channel::WooCommerce, None)
        .unwrap()
        .points()
        .get()
}

fn gold() -> Tier {
    Tier::new("Gold", Points::new(1000), dec("1.5")).unwrap()
}

#[test]
fn two_fifty_rounded_down_earns_two() {
    assert_eq!(points(&rule(params(Rounding::Down)), &eur("2.50")), 2);
}

#[test]
fn two_fifty_rounded_to_nearest_earns_three() {
    assert_eq!(points(&rule(params(Rounding::Nearest)), &eur("2.50")), 3);
}

#[test]
fn two_fifty_rounded_up_earns_three() {
    assert_eq!(points(&rule(params(Rounding::Up)), &eur("2.50")), 3);
}

#[test]
fn forty_nine_cents_rounded_to_nearest_earns_nothing_but_qualifies() {
    let earned = rule(params(Rounding::Nearest))
        .points_for(&eur("0.49"), Channel::Counter, None)
        .unwrap();
    assert_eq!(earned.points(), Points::ZERO);
    assert!(earned.qualifies());
}

#[test]
fn nearest_rounds_an_exact_half_up() {
    let nearest = rule(params(Rounding::Nearest));
    assert_eq!(points(&nearest, &eur("0.50")), 1);
    assert_eq!(points(&nearest, &eur("3.50")), 4);
    assert_eq!(points(&nearest, &eur("3.4999999")), 3);
}

#[test]
fn yen_amounts_use_whole_units() {
    let yen = rule(EarnRuleParams {
        currency: Currency::JPY,
        unit_amount: dec("100"),
        ..params(Rounding::Down)
    });
    let earned = yen
        .points_for(&money("1234", Currency::JPY), Channel::Counter, None)
        .unwrap();
    assert_eq!(earned.points(), Points::new(12));
    assert_eq!(
        earned.breakdown().explain(),
        "1234 JPY at 1 point per 100 = 12.34, rounded down to 12 points."
    );
}

#[test]
fn a_large_purchase_is_capped_at_the_maximum() {
    let capped = rule(EarnRuleParams {
        max_points_per_purchase: Some(30),
        ..params(Rounding::Down)
    });
    let earned = capped
        .points_for(&eur("45.00"), Channel::WooCommerce, None)
        .unwrap();
    assert_eq!(earned.points(), Points::new(30));
    assert_eq!(earned.breakdown().rounded, 45);
    assert_eq!(
        earned.breakdown().clamp,
        Some(Clamp::CappedAtMaximum {
            max: Points::new(30)
        })
    );
}

#[test]
fn a_small_purchase_is_raised_to_the_minimum_points() {
    let with_minimum = rule(EarnRuleParams {
        min_points_per_purchase: 5,
        ..params(Rounding::Down)
    });
    let earned = with_minimum
        .points_for(&eur("1.00"), Channel::Counter, None)
        .unwrap();
    assert_eq!(earned.points(), Points::new(5));
    assert_eq!(
        earned.breakdown().clamp,
        Some(Clamp::RaisedToMinimum {
            min: Points::new(5)
        })
    );
}

#[test]
fn a_purchase_below_the_minimum_amount_earns_nothing_and_does_not_qualify() {
    let with_minimum_purchase = rule(EarnRuleParams {
        min_purchase_amount: dec("15.00"),
        min_points_per_purchase: 5,
        welcome_bonus_points: 100,
        ..params(Rounding::Down)
    });
    let earned = with_minimum_purchase
        .points_for(&eur("12.00"), Channel::Counter, None)
        .unwrap();
    assert_eq!(earned.points(), Points::ZERO);
    assert!(!earned.qualifies());
    assert_eq!(
        earned.breakdown().below_minimum_purchase.as_deref(),
        Some("15.00")
    );
    assert_eq!(
        earned.breakdown().explain(),
        "12.00 EUR is below the minimum purchase of 15.00 EUR: no points."
    );
    let at_minimum = with_minimum_purchase
        .points_for(&eur("15.00"), Channel::Counter, None)
        .unwrap();
    assert!(at_minimum.qualifies());
    assert_eq!(at_minimum.points(), Points::new(15));
}

#[test]
fn the_tier_multiplier_applies_at_the_counter() {
    let nearest = rule(params(Rounding::Nearest));
    let earned = nearest
        .points_for(&eur("25.99"), Channel::Counter, Some(&gold()))
        .unwrap();
    assert_eq!(earned.points(), Points::new(39));
    assert_eq!(earned.breakdown().base, "38.985");
    assert_eq!(earned.breakdown().multiplier.as_deref(), Some("1.5"));
}

#[test]
fn the_tier_multiplier_never_applies_to_online_orders() {
    let nearest = rule(params(Rounding::Nearest));
    for channel in [Channel::WooCommerce, Channel::Api, Channel::System] {
        let earned = nearest
            .points_for(&eur("25.99"), channel, Some(&gold()))
            .unwrap();
        assert_eq!(earned.points(), Points::new(26), "{channel}");
        assert_eq!(earned.breakdown().multiplier, None);
        assert_eq!(earned.breakdown().tier, None);
    }
}

#[test]
fn the_multiplier_comes_before_rounding_and_the_cap() {
    let capped = rule(EarnRuleParams {
        max_points_per_purchase: Some(30),
        ..params(Rounding::Nearest)
    });
    let earned = capped
        .points_for(&eur("25.99"), Channel::Counter, Some(&gold()))
        .unwrap();
    assert_eq!(earned.points(), Points::new(30));
    assert_eq!(
        earned.breakdown().explain(),
        "25.99 EUR at 1 point per 1.00 × Gold tier multiplier 1.5 = 38.985, \
         rounded to nearest: 39 points, capped at the maximum of 30 points."
    );
}

#[test]
fn a_plain_purchase_explains_itself() {
    let dollars = rule(EarnRuleParams {
        currency: Currency::USD,
        ..params(Rounding::Down)
    });
    let earned = dollars
        .points_for(&money("25.99", Currency::USD), Channel::Api, None)
        .unwrap();
    assert_eq!(
        earned.breakdown().explain(),
        "25.99 USD at 1 point per 1.00 = 25.99, rounded down to 25 points."
    );
}

#[test]
fn the_welcome_bonus_is_outside_the_clamp() {
    let generous = rule(EarnRuleParams {
        max_points_per_purchase: Some(30),
        welcome_bonus_points: 100,
        ..params(Rounding::Down)
    });
    let earned = generous
        .points_for(&eur("80.00"), Channel::WooCommerce, None)
        .unwrap();
    assert_eq!(earned.points(), Points::new(30));
    assert_eq!(generous.welcome_bonus(), Points::new(100));
}

#[test]
fn amounts_with_more_decimals_than_the_currency_are_kept_exactly() {
    let amount = eur("49.999");
    assert_eq!(amount.to_exact_string(), "49.999");
    assert_eq!(amount.amount(), &dec("49.999"));
    let earned = rule(EarnRuleParams {
        points_per_unit: 10,
        ..params(Rounding::Down)
    })
    .points_for(&amount, Channel::WooCommerce, None)
    .unwrap();
    assert_eq!(earned.breakdown().amount, "49.999");
    assert_eq!(earned.breakdown().base, "499.99");
    assert_eq!(earned.points(), Points::new(499));
}

#[test]
fn a_thousand_points_at_five_cents_are_worth_fifty_euros() {
    let redemption = RedemptionRule::new(eur("0.05"), 1000, None).unwrap();
    let value = redemption
        .check(Points::new(1200), Points::new(1000))
        .unwrap();
    assert_eq!(value, eur("50.00"));
    assert_eq!(value.to_minor_string(), "50.00");
}

#[test]
fn coupon_values_round_down_to_the_minor_unit() {
    let redemption = RedemptionRule::new(eur("0.333"), 1, None).unwrap();
    assert_eq!(redemption.value_of(Points::new(3)), eur("0.99"));
}

#[test]
fn refund_after_spending_clamps_balance_at_zero() {
    let applied = apply(Points::new(30), EntryKind::Refund, Points::new(-50)).unwrap();
    assert_eq!(applied.recorded, Points::new(-50));
    assert_eq!(applied.applied, Points::new(-30));
    assert_eq!(applied.balance_after, Points::ZERO);
}

#[test]
fn an_adjustment_larger_than_the_balance_is_refused() {
    assert_eq!(
        apply(Points::new(30), EntryKind::Adjustment, Points::new(-50)),
        Err(LedgerError::AdjustmentExceedsBalance {
            balance: Points::new(30),
            requested: Points::new(50),
        })
    );
}

#[test]
fn redemption_refusals_come_in_order() {
    let redemption = RedemptionRule::new(eur("0.05"), 1000, Some(2000)).unwrap();
    let balance = Points::new(1500);
    let refusal = |requested| {
        redemption
            .check(balance, Points::new(requested))
            .unwrap_err()
    };
    assert_eq!(refusal(-5), RedemptionRefusal::NotPositive);
    assert_eq!(refusal(0), RedemptionRefusal::NotPositive);
    assert_eq!(
        refusal(500),
        RedemptionRefusal::BelowMinimum {
            min: Points::new(1000)
        }
    );
    assert_eq!(
        refusal(2500),
        RedemptionRefusal::AboveMaximum {
            max: Points::new(2000)
        }
    );
    assert_eq!(
        refusal(1800),
        RedemptionRefusal::InsufficientPoints {
            balance,
            requested: Points::new(1800)
        }
    );
    // Below the minimum and beyond the balance: the minimum is named first.
    assert_eq!(
        redemption.check(Points::new(10), Points::new(500)),
        Err(RedemptionRefusal::BelowMinimum {
            min: Points::new(1000)
        })
    );
}

#[test]
fn partial_refunds_take_back_points_in_proportion() {
    let awarded = Points::new(50);
    let total = eur("50.00");
    let first = proportional_refund(awarded, &total, &eur("10.00"), Points::ZERO).unwrap();
    assert_eq!(first, Points::new(10));
    let rest = proportional_refund(awarded, &total, &eur("50.00"), first).unwrap();
    assert_eq!(rest, Points::new(40));
    let beyond = proportional_refund(awarded, &total, &eur("60.00"), Points::new(50)).unwrap();
    assert_eq!(beyond, Points::ZERO);
}

#[test]
fn partial_refunds_are_idempotent_for_the_same_cumulative_amount() {
    let awarded = Points::new(50);
    let total = eur("50.00");
    let ask = |taken| proportional_refund(awarded, &total, &eur("10.00"), taken).unwrap();
    assert_eq!(ask(Points::ZERO), ask(Points::ZERO));
    let first = ask(Points::ZERO);
    assert_eq!(ask(first), Points::ZERO);
}

#[test]
fn a_card_rule_in_another_currency_refuses_the_amount() {
    let euros = rule(params(Rounding::Down));
    let err = euros
        .points_for(&money("10.00", Currency::USD), Channel::WooCommerce, None)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "This amount is in USD, but it must be in EUR."
    );
}
