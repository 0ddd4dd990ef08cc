//! Properties of the loyalty arithmetic that must hold for every input.

use bigdecimal::num_bigint::BigInt;
use ledger::{
    apply, proportional_refund, BigDecimal, Channel, Currency, EarnRule, EarnRuleParams, EntryKind,
    Money, Points, RedemptionRule, Rounding, Tier,
};
use proptest::prelude::*;

fn decimal(int: u64, scale: u32) -> BigDecimal {
    BigDecimal::new(BigInt::from(int), i64::from(scale))
}

fn rounding() -> impl Strategy<Value = Rounding> {
    prop_oneof![
        Just(Rounding::Down),
        Just(Rounding::Nearest),
        Just(Rounding::Up)
    ]
}

/// A non-negative EUR amount with up to 4 decimals (stores send more than 2).
fn amount() -> impl Strategy<Value = Money> {
    (0u64..10_000_000_000, 0u32..=4)
        .prop_map(|(int, scale)| Money::new(decimal(int, scale), Currency::EUR).unwrap())
}

fn currency() -> impl Strategy<Value = Currency> {
    prop_oneof![
        Just(Currency::EUR),
        Just(Currency::JPY),
        Just(Currency::BHD)
    ]
}

prop_compose! {
    fn earn_rule(with_caps: bool)(
        points_per_unit in 0i64..1_000,
        unit in 1u64..100_000,
        unit_scale in 0u32..=3,
        rounding in rounding(),
        min_purchase in 0u64..5_000,
        min_points in 0i64..50,
        spread in proptest::option::of(0i64..1_000),
    ) -> EarnRule {
        EarnRule::new(EarnRuleParams {
            currency: Currency::EUR,
            points_per_unit,
            unit_amount: decimal(unit, unit_scale),
            rounding,
            min_purchase_amount: decimal(min_purchase, 2),
            min_points_per_purchase: if with_caps { min_points } else { 0 },
            max_points_per_purchase: spread.filter(|_| with_caps).map(|s| min_points + s),
            welcome_bonus_points: 0,
        })
        .unwrap()
    }
}

fn tier() -> impl Strategy<Value = Option<Tier>> {
    proptest::option::of(
        (1u64..500, 0u32..=2)
            .prop_map(|(m, s)| Tier::new("Gold", Points::ZERO, decimal(m, s)).unwrap()),
    )
}

fn channel() -> impl Strategy<Value = Channel> {
    prop_oneof![Just(Channel::Counter), Just(Channel::WooCommerce)]
}

fn kind() -> impl Strategy<Value = EntryKind> {
    proptest::sample::select(EntryKind::ALL.to_vec())
}

proptest! {
    #[test]
    fn points_never_decrease_when_the_amount_grows(
        rule in any::<bool>().prop_flat_map(earn_rule),
        a in amount(),
        b in amount(),
        tier in tier(),
        channel in channel(),
    ) {
        let (small, large) = if a.amount() <= b.amount() { (a, b) } else { (b, a) };
        let small_points = rule.points_for(&small, channel, tier.as_ref()).unwrap().points();
        let large_points = rule.points_for(&large, channel, tier.as_ref()).unwrap().points();
        prop_assert!(small_points <= large_points, "{} → {small_points}, {} → {large_points}", small.to_exact_string(), large.to_exact_string());
    }

    #[test]
    fn caps_always_hold_for_qualifying_purchases(
        rule in earn_rule(true),
        a in amount(),
        tier in tier(),
        channel in channel(),
    ) {
        let earned = rule.points_for(&a, channel, tier.as_ref()).unwrap();
        if earned.qualifies() {
            prop_assert!(earned.points() >= rule.min_points_per_purchase());
            if let Some(max) = rule.max_points_per_purchase() {
                prop_assert!(earned.points() <= max);
            }
        } else {
            prop_assert_eq!(earned.points(), Points::ZERO);
            prop_assert!(a.amount() < rule.min_purchase_amount());
        }
        prop_assert_eq!(earned.breakdown().points, earned.points());
    }

    #[test]
    fn rounding_stays_within_one_point_of_the_base(
        rule in earn_rule(false),
        a in amount(),
    ) {
        let earned = rule.points_for(&a, Channel::Api, None).unwrap();
        prop_assume!(earned.qualifies());
        let base: BigDecimal = earned.breakdown().base.parse().unwrap();
        let rounded = BigDecimal::from(earned.breakdown().rounded);
        let one = BigDecimal::from(1);
        match rule.rounding() {
            Rounding::Down => prop_assert!(rounded <= base && base < &rounded + &one),
            Rounding::Up => prop_assert!(rounded >= base && base > &rounded - &one),
            Rounding::Nearest => {
                let distance = (&base - &rounded).abs();
                prop_assert!(distance <= decimal(5, 1));
            }
        }
    }

    #[test]
    fn applied_deductions_never_take_a_balance_below_zero(
        balance in 0i64..1_000_000,
        deduction in -2_000_000i64..=0,
        kind in prop_oneof![Just(EntryKind::Refund), Just(EntryKind::Expiry)],
    ) {
        let applied = apply(Points::new(balance), kind, Points::new(deduction)).unwrap();
        prop_assert_eq!(applied.recorded, Points::new(deduction));
        prop_assert!(applied.applied <= Points::ZERO);
        prop_assert!(applied.applied >= applied.recorded);
        prop_assert!(applied.balance_after >= Points::ZERO);
        prop_assert_eq!(applied.balance_after.get(), balance + applied.applied.get());
    }

    #[test]
    fn the_balance_is_always_the_sum_of_applied_points(
        postings in proptest::collection::vec((kind(), -500i64..500), 0..60),
    ) {
        let mut balance = Points::ZERO;
        let mut sum_applied = 0i64;
        for (kind, points) in postings {
            if let Ok(applied) = apply(balance, kind, Points::new(points)) {
                sum_applied += applied.applied.get();
                balance = applied.balance_after;
            }
            prop_assert!(balance >= Points::ZERO);
            prop_assert_eq!(balance.get(), sum_applied);
        }
    }

    #[test]
    fn proportional_refunds_never_exceed_what_was_awarded(
        awarded in 0i64..100_000,
        total_cents in 0u64..1_000_000,
        steps in proptest::collection::vec(0u64..400_000, 1..8),
    ) {
        let total = Money::new(decimal(total_cents, 2), Currency::EUR).unwrap();
        let mut cumulative = 0u64;
        let mut taken = Points::ZERO;
        for step in steps {
            cumulative += step;
            let refunded = Money::new(decimal(cumulative, 2), Currency::EUR).unwrap();
            let now = proportional_refund(Points::new(awarded), &total, &refunded, taken).unwrap();
            prop_assert!(now >= Points::ZERO);
            let again = proportional_refund(Points::new(awarded), &total, &refunded, taken).unwrap();
            prop_assert_eq!(now, again);
            taken = taken.checked_add(now).unwrap();
            prop_assert!(taken.get() <= awarded);
            let repeat = proportional_refund(Points::new(awarded), &total, &refunded, taken).unwrap();
            prop_assert_eq!(repeat, Points::ZERO);
        }
        let full = proportional_refund(Points::new(awarded), &total, &total, taken).unwrap();
        prop_assert_eq!(taken.get() + full.get(), if total_cents == 0 { taken.get() } else { awarded });
    }

    #[test]
    fn coupon_value_is_within_one_minor_unit_below_the_exact_value(
        currency in currency(),
        value_int in 1u64..100_000,
        value_scale in 0u32..=5,
        points in 1i64..10_000_000,
    ) {
        let per_point = Money::new(decimal(value_int, value_scale), currency).unwrap();
        let rule = RedemptionRule::new(per_point.clone(), 1, None).unwrap();
        let value = rule.value_of(Points::new(points));
        let exact = per_point.amount() * BigDecimal::from(points);
        let minor_unit = BigDecimal::new(BigInt::from(1), i64::from(currency.minor_units()));
        prop_assert!(value.amount() <= &exact);
        prop_assert!(&exact - value.amount() < minor_unit);
        prop_assert_eq!(value.currency(), currency);
        prop_assert_eq!(rule.check(Points::new(points), Points::new(points)), Ok(value));
    }

    #[test]
    fn money_text_round_trips(
        currency in currency(),
        whole in 0u64..1_000_000_000_000,
        fraction in proptest::option::of("[0-9]{1,8}"),
    ) {
        let text = match &fraction {
            Some(fraction) => format!("{whole}.{fraction}"),
            None => whole.to_string(),
        };
        let money = Money::parse(&text, currency).unwrap();
        // The exact string is the input, padded to the minor units.
        let exact = money.to_exact_string();
        prop_assert_eq!(Money::parse(&exact, currency).unwrap(), money.clone());
        prop_assert!(exact.starts_with(&text));
        prop_assert!(exact[text.len()..].chars().all(|c| c == '0' || c == '.'));
        // The display string has exactly the minor units and is within half a unit.
        let shown = money.to_minor_string();
        let decimals = shown.split_once('.').map_or(0, |(_, f)| f.len());
        prop_assert_eq!(decimals, currency.minor_units() as usize);
        let back = Money::parse(&shown, currency).unwrap();
        let half_unit = BigDecimal::new(BigInt::from(5), i64::from(currency.minor_units()) + 1);
        prop_assert!((back.amount() - money.amount()).abs() <= half_unit);
        if fraction.as_ref().map_or(0, String::len) <= currency.minor_units() as usize {
            prop_assert_eq!(back, money.clone());
        }
        // JSON keeps the exact amount.
        let json = serde_json::to_string(&money).unwrap();
        prop_assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), money);
    }

    #[test]
    fn redemption_accepts_exactly_the_requests_within_bounds(
        balance in 0i64..10_000,
        min in 1i64..3_000,
        spread in proptest::option::of(0i64..5_000),
        near in prop_oneof![Just(0u8), Just(1), Just(2), Just(3)],
        offset in -2i64..=2,
        anywhere in -10i64..10_000,
) {
        let per_point = Money::parse("0.05", Currency::EUR).unwrap();
        let max = spread.map(|s| min + s);
        // Aim at the edges: the balance, the minimum, the maximum, or anywhere.
        let requested = match near {
            0 => balance + offset,
            1 => min + offset,
            2 => max.unwrap_or(balance) + offset,
            _ => anywhere,
        };
        let rule = RedemptionRule::new(per_point, min, max).unwrap();
        let within = requested > 0
            && requested >= min
            && max.is_none_or(|max| requested <= max)
            && requested <= balance;
        let checked = rule.check(Points::new(balance), Points::new(requested));
        prop_assert_eq!(checked.is_ok(), within);
        if within {
            prop_assert!(apply(Points::new(balance), EntryKind::Redemption, Points::new(-requested)).is_ok());
        }
    }
}
