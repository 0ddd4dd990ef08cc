//! Property tests of the issuance saga against a simulated store.
//!
//! The fake store keeps every coupon it holds (ours and other people's), answers
//! creates and lookups the way WooCommerce does (codes compared case-insensitively,
//! duplicates refused) and, when told, loses its answer or fails outright. The caller
//! persists the saga as JSON after every step and may crash before recording an
//! answer. Whatever happens, the points must end up spent on the one coupon the store
//! holds for the redemption, or given back with none on the store.

use std::num::NonZeroU8;

use coupons::{
    Action, CouponCode, CouponId, CreateOutcome, LookupOutcome, Saga, SagaError, SagaState,
};
use proptest::prelude::*;
use ring::rand::SystemRandom;

const REDEMPTION: i64 = 123;
const POINTS: i64 = 1000;

#[derive(Debug, Clone)]
struct StoreCoupon {
    id: CouponId,
    code: String,
    redemption: Option<i64>,
}

#[derive(Debug, Default)]
struct FakeStore {
    coupons: Vec<StoreCoupon>,
    next_id: u64,
}

impl FakeStore {
    fn holds(&self, code: &CouponCode) -> bool {
        self.coupons.iter().any(|c| *code == c.code.as_str())
    }

    fn insert(&mut self, code: &CouponCode, redemption: Option<i64>) -> CouponId {
        self.next_id += 1;
        let id = CouponId::new(self.next_id);
        self.coupons.push(StoreCoupon {
            id,
            code: code.for_store(),
            redemption,
        });
        id
    }

    /// WooCommerce's create: a duplicate is refused, otherwise the coupon is stored.
    fn create(&mut self, code: &CouponCode) -> CreateOutcome {
        if self.holds(code) {
            return CreateOutcome::DuplicateCode;
        }
        let coupon_id = self.insert(code, Some(REDEMPTION));
        CreateOutcome::Created { coupon_id }
    }

    /// `GET /coupons?code=…`, reported as `Found` only when the meta links it to us.
    fn look_up(&self, code: &CouponCode) -> LookupOutcome {
        match self
            .coupons
            .iter()
            .find(|c| *code == c.code.as_str() && c.redemption == Some(REDEMPTION))
        {
            Some(c) => LookupOutcome::Found { coupon_id: c.id },
            None => LookupOutcome::NotFound,
        }
    }

    fn ours(&self) -> Vec<StoreCoupon> {
        self.coupons
            .iter()
            .filter(|c| c.redemption == Some(REDEMPTION))
            .cloned()
            .collect()
    }
}

/// What happens to one create request.
#[derive(Debug, Clone, Copy)]
enum OnCreate {
    /// The store answers truthfully.
    Answer,
    /// The store handles it but the answer is lost (timeout after the write).
    AnswerLost,
    /// The request never reaches the store (connection refused, 502 from a proxy).
    NeverArrives,
    /// A 4xx other than a duplicate (revoked key, invalid email…).
    Refused,
    /// Someone else takes the code just before our request arrives.
    CodeTakenByOthers,
    /// The caller crashes before recording the answer; `arrived` says whether the
    /// request reached the store.
    Crash { arrived: bool },
}

/// What happens to one lookup.
#[derive(Debug, Clone, Copy)]
enum OnLookup {
    Answer,
    Unclear,
    Crash,
}

fn on_create() -> impl Strategy<Value = OnCreate> {
    prop_oneof![
        3 => Just(OnCreate::Answer),
        2 => Just(OnCreate::AnswerLost),
        2 => Just(OnCreate::NeverArrives),
        1 => Just(OnCreate::Refused),
        2 => Just(OnCreate::CodeTakenByOthers),
        2 => any::<bool>().prop_map(|arrived| OnCreate::Crash { arrived }),
    ]
}

fn on_lookup() -> impl Strategy<Value = OnLookup> {
    prop_oneof![
        3 => Just(OnLookup::Answer),
        2 => Just(OnLookup::Unclear),
        1 => Just(OnLookup::Crash),
    ]
}

/// The caller's side: persist, carry out actions, keep the wallet.
struct Run {
    store: FakeStore,
    saved: String,
    wallet: i64,
    finishes: u32,
    reversals: u32,
    steps: u32,
}

impl Run {
    fn save(&mut self, saga: &Saga) {
        self.saved = serde_json::to_string(saga).unwrap();
    }

    fn load(&self) -> Saga {
        serde_json::from_str(&self.saved).unwrap()
    }
}

fn run(
    max_attempts: u8,
    mut creates: Vec<OnCreate>,
    mut lookups: Vec<OnLookup>,
) -> Result<(Saga, FakeStore), TestCaseError> {
    let rng = SystemRandom::new();
    creates.reverse();
    lookups.reverse();
    let first = CouponCode::parse("POINTS-AB3CD4EF").unwrap();
    let (saga, mut action) = Saga::start(first, NonZeroU8::new(max_attempts).unwrap());
    // Points held and redemption recorded in one transaction, then the saga saved.
    let mut run = Run {
        store: FakeStore::default(),
        saved: String::new(),
        wallet: 0,
        finishes: 0,
        reversals: 0,
        steps: 0,
    };
    run.save(&saga);
    let mut last_created: Option<CouponCode> = None;
    loop {
        run.steps += 1;
        prop_assert!(run.steps < 500, "the saga did not finish");
        let mut saga = run.load();
        let next = match action {
            Action::CreateCoupon { code } => {
                if last_created.as_ref().is_some_and(|last| *last != code) {
                    prop_assert!(
                        run.store.ours().is_empty(),
                        "a new code while an earlier coupon of ours is on the store"
                    );
                }
                last_created = Some(code.clone());
                match creates.pop().unwrap_or(OnCreate::Answer) {
                    OnCreate::Answer => {
                        let answer = run.store.create(&code);
                        saga.on_create(answer, &rng)
                    }
                    OnCreate::AnswerLost => {
                        run.store.create(&code);
                        saga.on_create(CreateOutcome::Unclear, &rng)
                    }
                    OnCreate::NeverArrives => saga.on_create(CreateOutcome::Unclear, &rng),
                    OnCreate::Refused => {
                        let reason = "Sorry, you are not allowed to create resources.".into();
                        saga.on_create(CreateOutcome::DefiniteRefusal { reason }, &rng)
                    }
                    OnCreate::CodeTakenByOthers => {
                        if !run.store.holds(&code) {
                            run.store.insert(&code, None);
                        }
                        let answer = run.store.create(&code);
                        saga.on_create(answer, &rng)
                    }
                    OnCreate::Crash { arrived } => {
                        if arrived {
                            run.store.create(&code);
                        }
                        saga = run.load();
                        saga.resume()
                    }
                }
            }
            Action::LookUp { code } => match lookups.pop().unwrap_or(OnLookup::Answer) {
                OnLookup::Answer => {
                    let answer = run.store.look_up(&code);
                    saga.on_lookup(answer, &rng)
                }
                OnLookup::Unclear => saga.on_lookup(LookupOutcome::Unclear, &rng),
                OnLookup::Crash => {
                    saga = run.load();
                    saga.resume()
                }
            },
            Action::RetryLater => saga.resume(),
            Action::FinishIssued { .. } | Action::Reverse { .. } => {
                prop_assert!(false, "a final action was answered: {action:?}");
                unreachable!()
            }
        };
        action = next.map_err(|e| TestCaseError::fail(format!("step refused: {e}")))?;
        run.save(&saga);
        prop_assert!(
            run.store.ours().len() <= 1,
            "two coupons for one redemption"
        );
        match &action {
            Action::FinishIssued { .. } => {
                run.finishes += 1;
                break;
            }
            Action::Reverse { .. } => {
                run.reversals += 1;
                run.wallet += POINTS;
                break;
            }
            _ => {}
        }
    }
    let saga = run.load();
    let ours = run.store.ours();
    prop_assert_eq!(run.finishes + run.reversals, 1);
    match saga.state() {
        SagaState::Issued { code, coupon_id } => {
            prop_assert_eq!(
                &action,
                &Action::FinishIssued {
                    code: code.clone(),
                    coupon_id: *coupon_id
                }
            );
            prop_assert_eq!(ours.len(), 1, "issued, but the store holds {:?}", ours);
            prop_assert_eq!(ours[0].id, *coupon_id);
            prop_assert!(*code == ours[0].code.as_str());
            prop_assert_eq!(run.wallet, 0, "spent and given back");
        }
        SagaState::Reversed { reason } => {
            prop_assert_eq!(
                &action,
                &Action::Reverse {
                    reason: reason.clone()
                }
            );
            prop_assert!(ours.is_empty(), "reversed, but the store holds {:?}", ours);
            prop_assert_eq!(run.wallet, POINTS);
        }
        other => prop_assert!(false, "finished in {other:?}"),
    }
    prop_assert!(saga.attempts() <= max_attempts);
    // A finished saga never moves again, whatever it is told.
    let mut frozen = saga.clone();
    let coupon_id = CouponId::new(999);
    for result in [
        frozen.on_create(CreateOutcome::Created { coupon_id }, &rng),
        frozen.on_create(CreateOutcome::Unclear, &rng),
        frozen.on_create(CreateOutcome::DuplicateCode, &rng),
        frozen.on_lookup(LookupOutcome::Found { coupon_id }, &rng),
        frozen.on_lookup(LookupOutcome::NotFound, &rng),
        frozen.on_lookup(LookupOutcome::Unclear, &rng),
        frozen.resume(),
    ] {
        prop_assert_eq!(result, Err(SagaError::Finished));
    }
    prop_assert_eq!(&frozen, &saga);
    Ok((saga, run.store))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Points are spent on exactly one coupon the store holds, or given back with none
    /// on the store; never both, never neither; nothing moves after the end.
    #[test]
    fn points_are_spent_on_one_coupon_or_given_back(
        max_attempts in 1u8..=6,
        creates in proptest::collection::vec(on_create(), 0..16),
        lookups in proptest::collection::vec(on_lookup(), 0..16),
    ) {
        run(max_attempts, creates, lookups)?;
    }
}

/// The case the lookup rule exists for: the first create lands but its answer is lost,
/// the lookup fails, the caller crashes, then the lookup finds the coupon. It is issued
/// on that first attempt and no second coupon is ever created.
#[test]
fn a_lost_answer_is_found_by_lookup_not_created_again() {
    let (saga, store) = run(
        5,
        vec![OnCreate::AnswerLost],
        vec![OnLookup::Unclear, OnLookup::Crash, OnLookup::Answer],
    )
    .unwrap();
    assert!(matches!(saga.state(), SagaState::Issued { .. }));
    assert_eq!(saga.attempts(), 1);
    assert_eq!(store.coupons.len(), 1);
}

/// A crash before the request arrived, then a refusal of the re-send of that suspect
/// code: the lookup confirms nothing is there, and the points go back.
#[test]
fn a_refused_resend_is_checked_then_reversed() {
    let (saga, store) = run(
        5,
        vec![OnCreate::Crash { arrived: false }, OnCreate::Refused],
        vec![OnLookup::Answer, OnLookup::Answer],
    )
    .unwrap();
    assert!(matches!(saga.state(), SagaState::Reversed { .. }));
    assert_eq!(saga.attempts(), 2);
    assert!(store.coupons.is_empty());
}

/// Someone else holds every code we draw: after the allowed attempts the points go back
/// and only the other people's coupons are on the store.
#[test]
fn codes_taken_by_others_run_out_and_reverse() {
    let (saga, store) = run(3, vec![OnCreate::CodeTakenByOthers; 3], vec![]).unwrap();
    assert!(matches!(saga.state(), SagaState::Reversed { .. }));
    assert_eq!(saga.attempts(), 3);
    assert_eq!(store.coupons.len(), 3);
    assert!(store.ours().is_empty());
}
