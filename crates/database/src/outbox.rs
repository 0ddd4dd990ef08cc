//! The transactional email outbox.
//!
//! An email is enqueued in the same transaction as the event that causes it. Workers
//! (any number, in any process) claim due messages with `FOR UPDATE SKIP LOCKED`,
//! leasing them for a while so nobody else picks them up, and report back: sent, or
//! failed and due again later.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

use crate::prepared::Prepared;
use crate::schema::email_outbox;
use crate::DbError;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = email_outbox, check_for_backend(diesel::pg::Pg))]
pub struct OutboxEmail {
    pub id: i64,
    pub partner_id: Option<i64>,
    pub member_id: Option<i64>,
    pub kind: String,
    pub to_address: String,
    pub language: String,
    pub payload: serde_json::Value,
    pub idempotency_key: String,
    pub status: String,
    pub attempts: i32,
    pub due_at: OffsetDateTime,
    pub last_error: Option<String>,
    pub created_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone)]
pub struct NewEmail<'a> {
    pub partner_id: Option<i64>,
    pub member_id: Option<i64>,
    pub kind: &'a str,
    pub to_address: &'a str,
    pub language: &'a str,
    pub payload: &'a serde_json::Value,
    /// The same event enqueues its email once.
    pub idempotency_key: &'a str,
    pub now: OffsetDateTime,
}

/// A [`NewEmail`] that owns its parts, to be queued later in the same transaction
/// ([`enqueue_many`]: a batch of deliveries queues its emails in one statement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedEmail {
    pub partner_id: Option<i64>,
    pub member_id: Option<i64>,
    pub kind: String,
    pub to_address: String,
    pub language: String,
    pub payload: serde_json::Value,
    pub idempotency_key: String,
    pub now: OffsetDateTime,
}

impl QueuedEmail {
    pub fn as_new(&self) -> NewEmail<'_> {
        NewEmail {
            partner_id: self.partner_id,
            member_id: self.member_id,
            kind: &self.kind,
            to_address: &self.to_address,
            language: &self.language,
            payload: &self.payload,
            idempotency_key: &self.idempotency_key,
            now: self.now,
        }
    }
}

type EmailRow<'a> = (
    diesel::dsl::Eq<email_outbox::partner_id, Option<i64>>,
    diesel::dsl::Eq<email_outbox::member_id, Option<i64>>,
    diesel::dsl::Eq<email_outbox::kind, &'a str>,
    diesel::dsl::Eq<email_outbox::to_address, &'a str>,
    diesel::dsl::Eq<email_outbox::language, &'a str>,
    diesel::dsl::Eq<email_outbox::payload, &'a serde_json::Value>,
    diesel::dsl::Eq<email_outbox::idempotency_key, &'a str>,
    diesel::dsl::Eq<email_outbox::due_at, OffsetDateTime>,
    diesel::dsl::Eq<email_outbox::created_at, OffsetDateTime>,
);

/// The row an email is queued as (a tuple: the statement's text never varies).
fn row<'a>(new: &NewEmail<'a>) -> EmailRow<'a> {
    (
        email_outbox::partner_id.eq(new.partner_id),
        email_outbox::member_id.eq(new.member_id),
        email_outbox::kind.eq(new.kind),
        email_outbox::to_address.eq(new.to_address),
        email_outbox::language.eq(new.language),
        email_outbox::payload.eq(new.payload),
        email_outbox::idempotency_key.eq(new.idempotency_key),
        email_outbox::due_at.eq(new.now),
        email_outbox::created_at.eq(new.now),
    )
}

/// Queues several emails in one statement; an idempotency key queued before queues
/// nothing, as with [`enqueue`].
pub async fn enqueue_many(conn: &AsyncPgConnection, emails: &[QueuedEmail]) -> Result<(), DbError> {
    let mut conn = conn;
    match emails {
        [] => {}
        [one] => {
            enqueue(conn, &one.as_new()).await?;
        }
        many => {
            let news: Vec<NewEmail<'_>> = many.iter().map(QueuedEmail::as_new).collect();
            let rows: Vec<_> = news.iter().map(row).collect();
            // One text per number of rows (at most a batch's size).
            Prepared(
                diesel::insert_into(email_outbox::table)
                    .values(rows)
                    .on_conflict(email_outbox::idempotency_key)
                    .do_nothing(),
            )
            .execute(&mut conn)
            .await?;
        }
    }
    Ok(())
}

/// Queues an email; returns its id, or `None` when this idempotency key was queued
/// before. Call inside the transaction of the event.
pub async fn enqueue(conn: &AsyncPgConnection, new: &NewEmail<'_>) -> Result<Option<i64>, DbError> {
    let mut conn = conn;
    Ok(diesel::insert_into(email_outbox::table)
        .values(row(new))
        .on_conflict(email_outbox::idempotency_key)
        .do_nothing()
        .returning(email_outbox::id)
        .get_result(&mut conn)
        .await
        .optional()?)
}

/// Claims up to `limit` due emails for `lease`: they are not due again until the lease
/// runs out (a worker that dies mid-send leaves them to the next one). Counts the
/// attempt. Runs in its own short transaction so the claim is visible at once.
pub async fn claim_due(
    conn: &mut AsyncPgConnection,
    now: OffsetDateTime,
    lease: time::Duration,
    limit: i64,
) -> Result<Vec<OutboxEmail>, DbError> {
    use diesel_async::AsyncConnection;
    conn.transaction(async |conn| {
        let ids: Vec<i64> = email_outbox::table
            .filter(email_outbox::status.eq("pending"))
            .filter(email_outbox::due_at.le(now))
            .order(email_outbox::due_at)
            .limit(limit)
            .select(email_outbox::id)
            .for_update()
            .skip_locked()
            .load(conn)
            .await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Prepared(
            diesel::update(email_outbox::table.filter(email_outbox::id.eq_any(&ids)))
                .set((
                    email_outbox::due_at.eq(now + lease),
                    email_outbox::attempts.eq(email_outbox::attempts + 1),
                ))
                .returning(OutboxEmail::as_returning()),
        )
        .get_results(conn)
        .await
    })
    .await
    .map_err(DbError::from)
}

/// The email went out. `payload` replaces the stored one (sign-in codes are blanked).
pub async fn mark_sent(
    conn: &mut AsyncPgConnection,
    id: i64,
    payload: Option<&serde_json::Value>,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    // Only a row still pending: one cancelled meanwhile (an account deleted while its
    // email was being sent) keeps its blanked content.
    let query = diesel::update(
        email_outbox::table
            .find(id)
            .filter(email_outbox::status.eq("pending")),
    );
    match payload {
        Some(p) => {
            Prepared(query.set((
                email_outbox::status.eq("sent"),
                email_outbox::sent_at.eq(now),
                email_outbox::last_error.eq(None::<String>),
                email_outbox::payload.eq(p),
            )))
            .execute(conn)
            .await?
        }
        None => {
            Prepared(query.set((
                email_outbox::status.eq("sent"),
                email_outbox::sent_at.eq(now),
                email_outbox::last_error.eq(None::<String>),
            )))
            .execute(conn)
            .await?
        }
    };
    Ok(())
}

/// These emails went out, their content unchanged: one statement for a worker's batch.
/// Like [`mark_sent`], it leaves a row no longer pending as it is.
pub async fn mark_sent_many(
    conn: &mut AsyncPgConnection,
    ids: &[i64],
    now: OffsetDateTime,
) -> Result<(), DbError> {
    if ids.is_empty() {
        return Ok(());
    }
    Prepared(
        diesel::update(
            email_outbox::table
                .filter(email_outbox::id.eq_any(ids))
                .filter(email_outbox::status.eq("pending")),
        )
        .set((
            email_outbox::status.eq("sent"),
            email_outbox::sent_at.eq(now),
            email_outbox::last_error.eq(None::<String>),
        )),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Sending failed; the email is due again at `retry_at`.
pub async fn mark_retry(
    conn: &mut AsyncPgConnection,
    id: i64,
    error: &str,
    retry_at: OffsetDateTime,
) -> Result<(), DbError> {
    diesel::update(email_outbox::table.find(id))
        .set((
            email_outbox::due_at.eq(retry_at),
            email_outbox::last_error.eq(error),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Sending failed for good (a permanent refusal, or retries ran out).
pub async fn mark_failed(
    conn: &mut AsyncPgConnection,
    id: i64,
    error: &str,
) -> Result<(), DbError> {
    diesel::update(email_outbox::table.find(id))
        .set((
            email_outbox::status.eq("failed"),
            email_outbox::last_error.eq(error),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The newest emails, for the dev mailbox.
pub async fn recent(conn: &mut AsyncPgConnection, limit: i64) -> Result<Vec<OutboxEmail>, DbError> {
    Ok(email_outbox::table
        .order((email_outbox::created_at.desc(), email_outbox::id.desc()))
        .limit(limit)
        .select(OutboxEmail::as_select())
        .load(conn)
        .await?)
}

pub async fn find(conn: &mut AsyncPgConnection, id: i64) -> Result<Option<OutboxEmail>, DbError> {
    Ok(email_outbox::table
        .find(id)
        .select(OutboxEmail::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Counts of emails by status: (pending, sent, failed).
pub async fn counts(conn: &mut AsyncPgConnection) -> Result<(i64, i64, i64), DbError> {
    let rows: Vec<(String, i64)> = email_outbox::table
        .group_by(email_outbox::status)
        .select((email_outbox::status, diesel::dsl::count_star()))
        .load(conn)
        .await?;
    let get = |s: &str| {
        rows.iter()
            .find(|(k, _)| k == s)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    Ok((get("pending"), get("sent"), get("failed")))
}
