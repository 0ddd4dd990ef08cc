//! One test per transition of the saga, plus the refusals of impossible steps.

use super::*;
use ring::rand::SystemRandom;

fn code() -> CouponCode {
    CouponCode::parse("POINTS-AB3CD4EF").unwrap()
}

fn id(n: u64) -> CouponId {
    CouponId::new(n)
}

fn max(n: u8) -> NonZeroU8 {
    NonZeroU8::new(n).unwrap()
}

fn started(attempts: u8) -> Saga {
    let (saga, action) = Saga::start(code(), max(attempts));
    assert_eq!(action, Action::CreateCoupon { code: code() });
    saga
}

fn refused(text: &str) -> CreateOutcome {
    CreateOutcome::DefiniteRefusal {
        reason: text.to_owned(),
    }
}

/// A saga whose first create was unclear, now waiting for its lookup.
fn after_unclear(attempts: u8) -> Saga {
    let mut saga = started(attempts);
    saga.on_create(CreateOutcome::Unclear, &SystemRandom::new())
        .unwrap();
    saga
}

/// A saga re-sending a suspect code after the lookup found nothing.
fn resending_suspect(attempts: u8) -> Saga {
    let mut saga = after_unclear(attempts);
    let action = saga
        .on_lookup(LookupOutcome::NotFound, &SystemRandom::new())
        .unwrap();
    assert_eq!(action, Action::CreateCoupon { code: code() });
    saga
}

fn assert_frozen(mut saga: Saga) {
    let rng = SystemRandom::new();
    let before = saga.clone();
    assert!(saga.is_finished());
    assert_eq!(
        saga.on_create(CreateOutcome::Created { coupon_id: id(9) }, &rng),
        Err(SagaError::Finished)
    );
    assert_eq!(
        saga.on_create(CreateOutcome::Unclear, &rng),
        Err(SagaError::Finished)
    );
    assert_eq!(
        saga.on_lookup(LookupOutcome::Found { coupon_id: id(9) }, &rng),
        Err(SagaError::Finished)
    );
    assert_eq!(
        saga.on_lookup(LookupOutcome::NotFound, &rng),
        Err(SagaError::Finished)
    );
    assert_eq!(saga.resume(), Err(SagaError::Finished));
    assert_eq!(saga, before);
}

#[test]
fn start_holds_the_points_and_creates_the_first_code() {
    let saga = started(5);
    assert_eq!(saga.state(), &SagaState::Held { code: code() });
    assert_eq!(saga.attempts(), 1);
    assert_eq!(saga.max_attempts(), max(5));
    assert_eq!(saga.code(), Some(&code()));
    assert!(!saga.is_finished());
    assert_eq!(Saga::DEFAULT_MAX_ATTEMPTS.get(), 5);
}

#[test]
fn held_created_is_issued() {
    let mut saga = started(5);
    let action = saga
        .on_create(
            CreateOutcome::Created { coupon_id: id(16) },
            &SystemRandom::new(),
        )
        .unwrap();
    assert_eq!(
        action,
        Action::FinishIssued {
            code: code(),
            coupon_id: id(16)
        }
    );
    assert_eq!(
        saga.state(),
        &SagaState::Issued {
            code: code(),
            coupon_id: id(16)
        }
    );
    assert_frozen(saga);
}

#[test]
fn held_definite_refusal_is_reversed() {
    let mut saga = started(5);
    let action = saga
        .on_create(refused("Invalid email"), &SystemRandom::new())
        .unwrap();
    let reason = ReverseReason::Refused {
        reason: "Invalid email".to_owned(),
    };
    assert_eq!(
        action,
        Action::Reverse {
            reason: reason.clone()
        }
    );
    assert_eq!(saga.state(), &SagaState::Reversed { reason });
    assert_eq!(saga.code(), None);
    assert_frozen(saga);
}

#[test]
fn held_duplicate_retries_with_a_new_code_of_the_same_prefix() {
    let mut saga = started(5);
    let action = saga
        .on_create(CreateOutcome::DuplicateCode, &SystemRandom::new())
        .unwrap();
    let Action::CreateCoupon { code: next } = action else {
        panic!("expected a create, got {action:?}");
    };
    assert_ne!(next, code());
    assert_eq!(next.prefix(), "POINTS");
    assert_eq!(saga.state(), &SagaState::Held { code: next });
    assert_eq!(saga.attempts(), 2);
}

#[test]
fn held_duplicate_without_attempts_left_is_reversed() {
    let mut saga = started(1);
    let action = saga
        .on_create(CreateOutcome::DuplicateCode, &SystemRandom::new())
        .unwrap();
    let reason = ReverseReason::AttemptsExhausted { attempts: 1 };
    assert_eq!(action, Action::Reverse { reason });
    assert_frozen(saga);
}

#[test]
fn held_unclear_looks_the_same_code_up_first() {
    let saga = after_unclear(5);
    assert_eq!(
        saga.state(),
        &SagaState::NeedsCheck {
            code: code(),
            cause: CheckCause::UnclearCreate
        }
    );
    assert_eq!(saga.attempts(), 1);
}

#[test]
fn resume_of_a_held_saga_counts_as_unclear() {
    let mut saga = started(5);
    assert_eq!(saga.resume(), Ok(Action::LookUp { code: code() }));
    assert_eq!(saga, after_unclear(5));
}

#[test]
fn needs_check_found_is_issued() {
    let mut saga = after_unclear(5);
    let action = saga
        .on_lookup(
            LookupOutcome::Found { coupon_id: id(7) },
            &SystemRandom::new(),
        )
        .unwrap();
    assert_eq!(
        action,
        Action::FinishIssued {
            code: code(),
            coupon_id: id(7)
        }
    );
    assert_frozen(saga);
}

#[test]
fn needs_check_unclear_lookup_waits_and_resumes_with_the_lookup() {
    let mut saga = after_unclear(5);
    let before = saga.clone();
    let action = saga
        .on_lookup(LookupOutcome::Unclear, &SystemRandom::new())
        .unwrap();
    assert_eq!(action, Action::RetryLater);
    assert_eq!(saga, before);
    assert_eq!(saga.resume(), Ok(Action::LookUp { code: code() }));
    assert_eq!(saga, before);
}

#[test]
fn unclear_then_not_found_resends_the_same_code() {
    let saga = resending_suspect(5);
    assert_eq!(saga.state(), &SagaState::Held { code: code() });
    assert_eq!(saga.attempts(), 2);
}

#[test]
fn unclear_then_not_found_without_attempts_left_is_reversed() {
    let mut saga = after_unclear(1);
    let action = saga
        .on_lookup(LookupOutcome::NotFound, &SystemRandom::new())
        .unwrap();
    let reason = ReverseReason::AttemptsExhausted { attempts: 1 };
    assert_eq!(action, Action::Reverse { reason });
    assert_frozen(saga);
}

#[test]
fn a_duplicate_of_a_suspect_code_is_looked_up_not_replaced() {
    let mut saga = resending_suspect(5);
    let action = saga
        .on_create(CreateOutcome::DuplicateCode, &SystemRandom::new())
        .unwrap();
    assert_eq!(action, Action::LookUp { code: code() });
    assert_eq!(
        saga.state(),
        &SagaState::NeedsCheck {
            code: code(),
            cause: CheckCause::DuplicateCode
        }
    );
    // The late first create is there: it is this redemption's coupon.
    let action = saga
        .on_lookup(
            LookupOutcome::Found { coupon_id: id(3) },
            &SystemRandom::new(),
        )
        .unwrap();
    assert_eq!(
        action,
        Action::FinishIssued {
            code: code(),
            coupon_id: id(3)
        }
    );
}

#[test]
fn a_suspect_duplicate_not_linked_to_us_moves_to_a_new_code() {
    let mut saga = resending_suspect(5);
    let rng = SystemRandom::new();
    saga.on_create(CreateOutcome::DuplicateCode, &rng).unwrap();
    let action = saga.on_lookup(LookupOutcome::NotFound, &rng).unwrap();
    let Action::CreateCoupon { code: next } = action else {
        panic!("expected a create, got {action:?}");
    };
    assert_ne!(next, code());
    assert_eq!(saga.attempts(), 3);
    // The new code has never been unclear: a duplicate of it is someone else's.
    let action = saga.on_create(CreateOutcome::DuplicateCode, &rng).unwrap();
    assert!(matches!(action, Action::CreateCoupon { .. }), "{action:?}");
}

#[test]
fn a_suspect_duplicate_without_attempts_left_is_reversed() {
    let mut saga = resending_suspect(2);
    let rng = SystemRandom::new();
    saga.on_create(CreateOutcome::DuplicateCode, &rng).unwrap();
    let action = saga.on_lookup(LookupOutcome::NotFound, &rng).unwrap();
    let reason = ReverseReason::AttemptsExhausted { attempts: 2 };
    assert_eq!(action, Action::Reverse { reason });
}

#[test]
fn a_refusal_of_a_suspect_code_is_looked_up_before_reversing() {
    let mut saga = resending_suspect(5);
    let rng = SystemRandom::new();
    let action = saga.on_create(refused("Sorry"), &rng).unwrap();
    assert_eq!(action, Action::LookUp { code: code() });
    assert_eq!(
        saga.state(),
        &SagaState::NeedsCheck {
            code: code(),
            cause: CheckCause::Refused {
                reason: "Sorry".to_owned()
            }
        }
    );
    let action = saga.on_lookup(LookupOutcome::NotFound, &rng).unwrap();
    let reason = ReverseReason::Refused {
        reason: "Sorry".to_owned(),
    };
    assert_eq!(action, Action::Reverse { reason });
    assert_frozen(saga);
}

#[test]
fn a_refusal_of_a_suspect_code_that_exists_after_all_is_issued() {
    let mut saga = resending_suspect(5);
    let rng = SystemRandom::new();
    saga.on_create(refused("Sorry"), &rng).unwrap();
    let action = saga
        .on_lookup(LookupOutcome::Found { coupon_id: id(4) }, &rng)
        .unwrap();
    assert!(matches!(action, Action::FinishIssued { .. }), "{action:?}");
}

#[test]
fn answers_of_the_wrong_kind_are_refused_and_change_nothing() {
    let rng = SystemRandom::new();
    let mut held = started(5);
    let before = held.clone();
    assert!(matches!(
        held.on_lookup(LookupOutcome::NotFound, &rng),
        Err(SagaError::UnexpectedOutcome { got: "lookup", .. })
    ));
    assert_eq!(held, before);
    let mut checking = after_unclear(5);
    let before = checking.clone();
    assert!(matches!(
        checking.on_create(CreateOutcome::Created { coupon_id: id(1) }, &rng),
        Err(SagaError::UnexpectedOutcome { got: "create", .. })
    ));
    assert_eq!(checking, before);
    assert_eq!(
        SagaError::UnexpectedOutcome {
            state: "waiting for a lookup",
            got: "create"
        }
        .to_string(),
        "A create answer does not fit a redemption that is waiting for a lookup."
    );
}

#[test]
fn reasons_read_well() {
    assert_eq!(
        ReverseReason::Refused {
            reason: "Invalid email".to_owned()
        }
        .to_string(),
        "The store refused the coupon: Invalid email"
    );
    assert_eq!(
        ReverseReason::AttemptsExhausted { attempts: 5 }.to_string(),
        "The store did not create the coupon after 5 attempts."
    );
}

#[test]
fn the_saga_survives_a_round_trip_through_json() {
    let saga = resending_suspect(5);
    let json = serde_json::to_value(&saga).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "state": {"state": "held", "code": "POINTS-AB3CD4EF"},
            "attempts": 2,
            "max_attempts": 5,
            "suspect": true
        })
    );
    let back: Saga = serde_json::from_value(json).unwrap();
    assert_eq!(back, saga);
    let mut reversed = started(1);
    reversed
        .on_create(refused("No"), &SystemRandom::new())
        .unwrap();
    let back: Saga = serde_json::from_str(&serde_json::to_string(&reversed).unwrap()).unwrap();
    assert_eq!(back, reversed);
    assert_frozen(back);
}
