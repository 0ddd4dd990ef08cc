//! Driving one redemption's issuance saga against the store: each store answer becomes
//! a typed outcome, the saga says what to do next, and the new state is saved (compare
//! and swap on `saga_version`) before that is done. Finishing — issued with the coupon
//! email, or reversed with the points given back — commits with the last save, so only
//! one process can finish a redemption.

use coupons::{Action, CouponCode, CouponId, CreateOutcome, LookupOutcome, Saga};
use database::redemptions::{self, Redemption, SagaUpdate};
use database::DbError;
use identity::KeyRing;
use serde::Deserialize;
use time::{Duration, OffsetDateTime};
use woo_client::{ClientError, Coupon, MetaData, NewCoupon, WooApi};

use super::finish;
use crate::usecases::integration::access;

/// When an unclear answer is looked at again.
pub const RETRY_AFTER: Duration = Duration::seconds(60);

/// Where a redemption stands after a request or a worker pass.
#[derive(Debug, Clone, PartialEq)]
pub enum Finished {
    /// The coupon exists on the store; the points are spent.
    Issued(Redemption),
    /// The store's answer was unclear; the worker finishes it.
    Pending(Redemption),
    /// The store refused; the points are back.
    Reversed(Redemption),
}

impl Finished {
    pub fn redemption(&self) -> &Redemption {
        match self {
            Finished::Issued(r) | Finished::Pending(r) | Finished::Reversed(r) => r,
        }
    }
}

/// What `r` is now, by its status.
pub fn current(r: Redemption) -> Finished {
    match r.status.as_str() {
        "issued" => Finished::Issued(r),
        "reversed" => Finished::Reversed(r),
        _ => Finished::Pending(r),
    }
}

/// What the redemption's `saga` column holds.
#[derive(Debug, Deserialize)]
struct Doc {
    saga: Saga,
    coupon: StoredCoupon,
}

/// The coupon request as stored at the hold (`coupons::CouponRequest`), code aside.
#[derive(Debug, Deserialize)]
struct StoredCoupon {
    amount: String,
    email_restrictions: Vec<String>,
    date_expires: String,
    description: String,
    meta_data: Vec<MetaData>,
}

impl StoredCoupon {
    /// The create request under `code` (WooCommerce keeps codes lower-case).
    fn for_code(&self, code: &CouponCode) -> NewCoupon {
        NewCoupon {
            code: code.for_store(),
            amount: self.amount.clone(),
            discount_type: "fixed_cart".into(),
            usage_limit: 1,
            usage_limit_per_user: 1,
            email_restrictions: self.email_restrictions.clone(),
            date_expires: self.date_expires.clone(),
            description: self.description.clone(),
            meta_data: self.meta_data.clone(),
        }
    }
}

/// Saves `doc` as the saga of a still-pending `row` (the hold's second write).
pub async fn save_doc(
    conn: &mut database::Connection,
    row: &Redemption,
    doc: &serde_json::Value,
) -> Result<Redemption, DbError> {
    redemptions::save_saga(
        conn,
        &SagaUpdate {
            partner_id: row.partner_id,
            id: row.id,
            expected_version: row.saga_version,
            saga: doc,
            code: &row.code,
            status: "pending",
            coupon_id: None,
            attempts: row.attempts,
            next_attempt_at: row.next_attempt_at,
            last_error: None,
            issued_at: None,
        },
    )
    .await?
    .ok_or(DbError::Conflict("redemption saga"))
}

fn create_outcome(answer: Result<Coupon, ClientError>) -> CreateOutcome {
    match answer {
        Ok(c) => CreateOutcome::Created {
            coupon_id: CouponId::new(c.id),
        },
        Err(e) if e.is_duplicate_coupon_code() => CreateOutcome::DuplicateCode,
        Err(e) if e.is_definite_refusal() || e.request_not_sent() => {
            CreateOutcome::DefiniteRefusal {
                reason: e.explained(),
            }
        }
        Err(_) => CreateOutcome::Unclear,
    }
}

/// Only a coupon that names this redemption is ours; someone else's code is not found.
fn lookup_outcome(
    answer: Result<Option<Coupon>, ClientError>,
    redemption_id: i64,
) -> LookupOutcome {
    match answer {
        Ok(Some(c))
            if c.meta("tally_redemption_id").as_deref() == Some(&redemption_id.to_string()) =>
        {
            LookupOutcome::Found {
                coupon_id: CouponId::new(c.id),
            }
        }
        Ok(_) => LookupOutcome::NotFound,
        Err(_) => LookupOutcome::Unclear,
    }
}

/// Drives `row` until it is finished or waits for a later pass. `fresh` is true for the
/// request that just held the points (its first step is the create); otherwise the
/// saga resumes (an interrupted create is looked up first).
pub async fn drive(
    pool: &database::Pool,
    keys: &KeyRing,
    woo: &dyn WooApi,
    row: Redemption,
    now: OffsetDateTime,
) -> Result<Finished, DbError> {
    let fresh = row.saga_version <= 1 && row.attempts == 0 && row.status == "pending";
    drive_from(pool, keys, woo, row, now, fresh).await
}

/// [`drive`] for the worker: always resumes.
pub async fn resume(
    pool: &database::Pool,
    keys: &KeyRing,
    woo: &dyn WooApi,
    row: Redemption,
    now: OffsetDateTime,
) -> Result<Finished, DbError> {
    drive_from(pool, keys, woo, row, now, false).await
}

async fn drive_from(
    pool: &database::Pool,
    keys: &KeyRing,
    woo: &dyn WooApi,
    mut row: Redemption,
    now: OffsetDateTime,
    fresh: bool,
) -> Result<Finished, DbError> {
    if row.status != "pending" {
        return Ok(current(row));
    }
    let Ok(Doc { mut saga, coupon }) = serde_json::from_value::<Doc>(row.saga.clone()) else {
        tracing::error!(redemption = row.id, "a redemption's saga could not be read");
        return Ok(Finished::Pending(row));
    };
    let mut conn = database::pool::get(pool).await?;
    let (integration, _) =
        database::integrations::find(&mut conn, row.partner_id, row.integration_id)
            .await?
            .ok_or(DbError::NotFound("integration"))?;
    drop(conn);
    let Some((url, credentials)) = access(keys, &integration) else {
        // Disconnected (keys wiped): nobody can tell what the store holds. Kept for an
        // operator; the points stay held rather than risk a coupon and the points both.
        let note = "The store is disconnected; the coupon's fate cannot be checked.";
        let coupon = coupon_json(&row);
        return park(pool, row, &saga, &coupon, now, note).await;
    };
    let rng = ring::rand::SystemRandom::new();
    let first = if fresh {
        saga.code()
            .map(|code| Action::CreateCoupon { code: code.clone() })
    } else {
        saga.resume().ok()
    };
    let Some(mut action) = first else {
        return Ok(Finished::Pending(row));
    };
    loop {
        let step = match &action {
            Action::CreateCoupon { code } => {
                let answer = woo
                    .create_coupon(&url, &credentials, &coupon.for_code(code))
                    .await;
                saga.on_create(create_outcome(answer), &rng)
            }
            Action::LookUp { code } => {
                let answer = woo
                    .find_coupon_by_code(&url, &credentials, &code.for_store())
                    .await;
                saga.on_lookup(lookup_outcome(answer, row.id), &rng)
            }
            Action::RetryLater => {
                let note = "The store's answer was unclear; checking again shortly.";
                let coupon = coupon_json(&row);
                return park(pool, row, &saga, &coupon, now + RETRY_AFTER, note).await;
            }
            Action::FinishIssued { code, coupon_id } => {
                return finish::issued(
                    pool,
                    row,
                    &saga,
                    &integration.store_url,
                    code,
                    *coupon_id,
                    now,
                )
                .await;
            }
            Action::Reverse { reason } => {
                return finish::reverse(pool, row, &saga, &reason.to_string(), now).await;
            }
        };
        action = match step {
            Ok(next) => next,
            Err(e) => {
                tracing::error!(redemption = row.id, error = %e, "the issuance saga refused a step");
                return Ok(Finished::Pending(row));
            }
        };
        if matches!(action, Action::CreateCoupon { .. } | Action::LookUp { .. }) {
            // Saved before the next call to the store, so a crash resumes from here.
            let mut conn = database::pool::get(pool).await?;
            let doc = with_saga(&row, &saga);
            let update = pending_update(&row, &saga, &doc, Some(now + super::INLINE_LEASE), None);
            match redemptions::save_saga(&mut conn, &update).await? {
                Some(saved) => row = saved,
                None => return reload(pool, row).await,
            }
        }
    }
}

fn coupon_json(row: &Redemption) -> serde_json::Value {
    row.saga.get("coupon").cloned().unwrap_or_default()
}

pub(super) fn with_saga(row: &Redemption, saga: &Saga) -> serde_json::Value {
    serde_json::json!({ "saga": saga, "coupon": coupon_json(row) })
}

pub(super) fn pending_update<'a>(
    row: &'a Redemption,
    saga: &'a Saga,
    doc: &'a serde_json::Value,
    next_attempt_at: Option<OffsetDateTime>,
    last_error: Option<&'a str>,
) -> SagaUpdate<'a> {
    SagaUpdate {
        partner_id: row.partner_id,
        id: row.id,
        expected_version: row.saga_version,
        saga: doc,
        code: saga.code().map(CouponCode::as_str).unwrap_or(&row.code),
        status: "pending",
        coupon_id: None,
        attempts: i32::from(saga.attempts()),
        next_attempt_at,
        last_error,
        issued_at: None,
    }
}

async fn reload(pool: &database::Pool, row: Redemption) -> Result<Finished, DbError> {
    let mut conn = database::pool::get(pool).await?;
    let fresh = redemptions::find(&mut conn, row.partner_id, row.id)
        .await?
        .unwrap_or(row);
    Ok(current(fresh))
}

/// Leaves the redemption for the worker at `next`.
async fn park(
    pool: &database::Pool,
    row: Redemption,
    saga: &Saga,
    coupon: &serde_json::Value,
    next: OffsetDateTime,
    note: &str,
) -> Result<Finished, DbError> {
    let mut conn = database::pool::get(pool).await?;
    let doc = serde_json::json!({ "saga": saga, "coupon": coupon });
    let update = pending_update(&row, saga, &doc, Some(next), Some(note));
    match redemptions::save_saga(&mut conn, &update).await? {
        Some(saved) => Ok(Finished::Pending(saved)),
        None => {
            drop(conn);
            reload(pool, row).await
        }
    }
}

pub(super) async fn reload_by_id(
    pool: &database::Pool,
    (partner_id, id): (i64, i64),
) -> Result<Finished, DbError> {
    let mut conn = database::pool::get(pool).await?;
    let row = redemptions::find(&mut conn, partner_id, id)
        .await?
        .ok_or(DbError::NotFound("redemption"))?;
    Ok(current(row))
}
