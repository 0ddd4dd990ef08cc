//! The issuance saga: from held points to exactly one store coupon, or the points back.
//!
//! The caller holds the points and records the redemption (one transaction), then
//! starts a [`Saga`] with the first code. Each step takes what the store answered and
//! returns the next [`Action`] to carry out. **Persist the saga after every step and
//! before carrying out its action**: a saga loaded in [`SagaState::Held`] whose answer
//! was never recorded is resumed as an unclear create ([`Saga::resume`]).
//!
//! The invariant: the points end up spent on exactly one coupon ([`Action::FinishIssued`])
//! or given back ([`Action::Reverse`]), never both and never neither, and a finished
//! saga never changes again (every step on it is [`SagaError::Finished`]). It rests on
//! three rules:
//! - after an unclear create the code is **looked up before anything else**; no coupon
//!   is created under a new code while an earlier one may exist on the store;
//! - a code whose create was ever unclear stays suspect: a duplicate or a refusal for it
//!   is checked by lookup before the saga moves on;
//! - a lookup is the truth about a code. The caller looks up only once the earlier
//!   request can no longer land (its timeout has passed) and reports
//!   [`LookupOutcome::Found`] only for a coupon whose `tally_redemption_id` meta names
//!   this redemption; a coupon under the code that belongs to someone else is
//!   [`LookupOutcome::NotFound`].
//!
//! Creates are bounded by `max_attempts` (each create request counts, including
//! re-sends after an unclear answer); when they run out with nothing on the store the
//! points go back. Unclear lookups are never bounded: giving points back while a coupon
//! may exist would break the invariant, so the saga waits ([`Action::RetryLater`]).

use std::fmt;
use std::num::NonZeroU8;

use ring::rand::SecureRandom;
use serde::{Deserialize, Serialize};

use crate::{CodeError, CouponCode, CouponId, CreateOutcome, LookupOutcome};

/// Why the saga is waiting for a lookup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cause", rename_all = "snake_case")]
pub enum CheckCause {
    /// The create's answer was unclear or never recorded.
    UnclearCreate,
    /// The store called a suspect code a duplicate: it may be this redemption's coupon.
    DuplicateCode,
    /// The store refused a suspect code: the earlier create may still have succeeded.
    Refused {
        /// The store's message.
        reason: String,
    },
}

/// Why the points went back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReverseReason {
    /// The store refused the coupon.
    Refused {
        /// The store's message.
        reason: String,
    },
    /// Every allowed create was answered without a coupon on the store.
    AttemptsExhausted {
        /// Creates sent.
        attempts: u8,
    },
}

impl fmt::Display for ReverseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReverseReason::Refused { reason } => {
                write!(f, "The store refused the coupon: {reason}")
            }
            ReverseReason::AttemptsExhausted { attempts } => write!(
                f,
                "The store did not create the coupon after {attempts} attempts."
            ),
        }
    }
}

/// Where the saga stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SagaState {
    /// Points held; a create of `code` is to be sent or awaits its answer.
    Held {
        /// The code being created.
        code: CouponCode,
    },
    /// Points held; the store must be asked whether `code` exists before anything else.
    NeedsCheck {
        /// The code to look up.
        code: CouponCode,
        /// Why.
        cause: CheckCause,
    },
    /// Terminal: the points are spent on this coupon.
    Issued {
        /// The coupon's code.
        code: CouponCode,
        /// The coupon's id on the store.
        coupon_id: CouponId,
    },
    /// Terminal: the points are given back and no coupon of this redemption exists.
    Reversed {
        /// Why.
        reason: ReverseReason,
    },
}

/// What the caller must do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Send `POST /coupons` with this code, then call [`Saga::on_create`].
    CreateCoupon {
        /// The code to create (new codes must be stored with the redemption first).
        code: CouponCode,
    },
    /// Look the code up, then call [`Saga::on_lookup`].
    LookUp {
        /// The code to look up (send [`CouponCode::for_store`]).
        code: CouponCode,
    },
    /// Nothing can be decided now: wait (with back-off), then call [`Saga::resume`].
    RetryLater,
    /// Mark the redemption issued with this coupon and tell the member. Final.
    FinishIssued {
        /// The coupon's code.
        code: CouponCode,
        /// The coupon's id on the store.
        coupon_id: CouponId,
    },
    /// Give the points back (a `redemption_reversal` entry) and say why. Final.
    Reverse {
        /// Why.
        reason: ReverseReason,
    },
}

/// A step the saga cannot take. The saga is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SagaError {
    /// The saga is issued or reversed; it never changes again.
    #[error("This redemption is already finished; its coupon cannot change.")]
    Finished,
    /// A create answer while waiting for a lookup, or the other way round.
    #[error("A {got} answer does not fit a redemption that is {state}.")]
    UnexpectedOutcome {
        /// What the saga waits for.
        state: &'static str,
        /// What it was given.
        got: &'static str,
    },
    /// No new code could be drawn.
    #[error(transparent)]
    Code(#[from] CodeError),
}

/// The issuance saga of one redemption. See the module documentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saga {
    state: SagaState,
    attempts: u8,
    max_attempts: NonZeroU8,
    /// The current code's create was unclear at least once: it may be on the store.
    suspect: bool,
}

impl Saga {
    /// Creates allowed when the caller has no reason to choose otherwise.
    pub const DEFAULT_MAX_ATTEMPTS: NonZeroU8 = match NonZeroU8::new(5) {
        Some(n) => n,
        None => NonZeroU8::MIN,
    };

    /// A saga for points just held, with its first code; the action is the first create.
    pub fn start(code: CouponCode, max_attempts: NonZeroU8) -> (Saga, Action) {
        let saga = Saga {
            state: SagaState::Held { code: code.clone() },
            attempts: 1,
            max_attempts,
            suspect: false,
        };
        (saga, Action::CreateCoupon { code })
    }

    /// Where the saga stands.
    pub fn state(&self) -> &SagaState {
        &self.state
    }

    /// Creates sent so far, counting the one in flight.
    pub fn attempts(&self) -> u8 {
        self.attempts
    }

    /// Creates allowed.
    pub fn max_attempts(&self) -> NonZeroU8 {
        self.max_attempts
    }

    /// The code being created or checked, or the issued one; `None` once reversed.
    pub fn code(&self) -> Option<&CouponCode> {
        match &self.state {
            SagaState::Held { code }
            | SagaState::NeedsCheck { code, .. }
            | SagaState::Issued { code, .. } => Some(code),
            SagaState::Reversed { .. } => None,
        }
    }

    /// Issued or reversed.
    pub fn is_finished(&self) -> bool {
        matches!(
            self.state,
            SagaState::Issued { .. } | SagaState::Reversed { .. }
        )
    }

    /// Takes the store's answer to the create of the current code. `rng` draws a new
    /// code when the code turns out to be taken.
    pub fn on_create(
        &mut self,
        outcome: CreateOutcome,
        rng: &dyn SecureRandom,
    ) -> Result<Action, SagaError> {
        let code = match &self.state {
            SagaState::Held { code } => code.clone(),
            SagaState::NeedsCheck { .. } => {
                return Err(unexpected("waiting for a lookup", "create"))
            }
            SagaState::Issued { .. } | SagaState::Reversed { .. } => {
                return Err(SagaError::Finished)
            }
        };
        let (next, action) = match outcome {
            CreateOutcome::Created { coupon_id } => self.issued(code, coupon_id),
            CreateOutcome::Unclear => self.check(code, CheckCause::UnclearCreate),
            CreateOutcome::DuplicateCode if self.suspect => {
                self.check(code, CheckCause::DuplicateCode)
            }
            CreateOutcome::DuplicateCode => self.create_new_code(&code, rng)?,
            CreateOutcome::DefiniteRefusal { reason } if self.suspect => {
                self.check(code, CheckCause::Refused { reason })
            }
            CreateOutcome::DefiniteRefusal { reason } => {
                self.reversed(ReverseReason::Refused { reason })
            }
        };
        *self = next;
        Ok(action)
    }

    /// Takes the store's answer to the lookup of the current code. `rng` draws a new
    /// code when the code turns out to be someone else's.
    pub fn on_lookup(
        &mut self,
        outcome: LookupOutcome,
        rng: &dyn SecureRandom,
    ) -> Result<Action, SagaError> {
        let (code, cause) = match &self.state {
            SagaState::NeedsCheck { code, cause } => (code.clone(), cause.clone()),
            SagaState::Held { .. } => return Err(unexpected("waiting for a create", "lookup")),
            SagaState::Issued { .. } | SagaState::Reversed { .. } => {
                return Err(SagaError::Finished)
            }
        };
        let (next, action) = match (outcome, cause) {
            (LookupOutcome::Found { coupon_id }, _) => self.issued(code, coupon_id),
            (LookupOutcome::Unclear, _) => return Ok(Action::RetryLater),
            // The create never landed: send it again under the same code, which the
            // store refuses as a duplicate should the first one land after all.
            (LookupOutcome::NotFound, CheckCause::UnclearCreate) => self.create_again(code),
            // The code is taken, but not by this redemption.
            (LookupOutcome::NotFound, CheckCause::DuplicateCode) => {
                self.create_new_code(&code, rng)?
            }
            (LookupOutcome::NotFound, CheckCause::Refused { reason }) => {
                self.reversed(ReverseReason::Refused { reason })
            }
        };
        *self = next;
        Ok(action)
    }

    /// The action for a saga loaded from storage, or after [`Action::RetryLater`]. A
    /// create whose answer was never recorded counts as unclear, so a held saga moves
    /// to [`SagaState::NeedsCheck`] and the action is a lookup.
    pub fn resume(&mut self) -> Result<Action, SagaError> {
        let (next, action) = match &self.state {
            SagaState::Held { code } => self.check(code.clone(), CheckCause::UnclearCreate),
            SagaState::NeedsCheck { code, .. } => return Ok(Action::LookUp { code: code.clone() }),
            SagaState::Issued { .. } | SagaState::Reversed { .. } => {
                return Err(SagaError::Finished)
            }
        };
        *self = next;
        Ok(action)
    }

    fn with(&self, state: SagaState, attempts: u8, suspect: bool) -> Saga {
        Saga {
            state,
            attempts,
            max_attempts: self.max_attempts,
            suspect,
        }
    }

    fn issued(&self, code: CouponCode, coupon_id: CouponId) -> (Saga, Action) {
        let state = SagaState::Issued {
            code: code.clone(),
            coupon_id,
        };
        (
            self.with(state, self.attempts, false),
            Action::FinishIssued { code, coupon_id },
        )
    }

    fn reversed(&self, reason: ReverseReason) -> (Saga, Action) {
        let state = SagaState::Reversed {
            reason: reason.clone(),
        };
        (
            self.with(state, self.attempts, false),
            Action::Reverse { reason },
        )
    }

    fn check(&self, code: CouponCode, cause: CheckCause) -> (Saga, Action) {
        let state = SagaState::NeedsCheck {
            code: code.clone(),
            cause,
        };
        (
            self.with(state, self.attempts, true),
            Action::LookUp { code },
        )
    }

    fn exhausted(&self) -> bool {
        self.attempts >= self.max_attempts.get()
    }

    /// Another create of a suspect code that the store just said it does not hold.
    fn create_again(&self, code: CouponCode) -> (Saga, Action) {
        if self.exhausted() {
            return self.reversed(ReverseReason::AttemptsExhausted {
                attempts: self.attempts,
            });
        }
        let state = SagaState::Held { code: code.clone() };
        (
            self.with(state, self.attempts.saturating_add(1), true),
            Action::CreateCoupon { code },
        )
    }

    /// A create under a fresh code, the old one being someone else's.
    fn create_new_code(
        &self,
        old: &CouponCode,
        rng: &dyn SecureRandom,
    ) -> Result<(Saga, Action), SagaError> {
        if self.exhausted() {
            return Ok(self.reversed(ReverseReason::AttemptsExhausted {
                attempts: self.attempts,
            }));
        }
        let code = old.regenerate(rng)?;
        let state = SagaState::Held { code: code.clone() };
        Ok((
            self.with(state, self.attempts.saturating_add(1), false),
            Action::CreateCoupon { code },
        ))
    }
}

fn unexpected(state: &'static str, got: &'static str) -> SagaError {
    SagaError::UnexpectedOutcome { state, got }
}

#[cfg(test)]
mod tests;
