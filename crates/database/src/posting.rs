//! The posting operation: the only way points move.
//!
//! In one transaction it locks the wallet row, asks the ledger crate what the entry
//! applies (clamping refunds at zero, refusing adjustments and redemptions larger than
//! the balance), inserts the entry with the balance after it and the rule breakdown, and
//! moves the balance. PostgreSQL backs every guarantee: the wallet's `CHECK (balance >=
//! 0)`, the unique idempotency key, the trigger that refuses changes to entries.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use ledger::{Channel, EntryKind, LedgerError, Points};
use time::OffsetDateTime;

use crate::schema::{entries, wallets};
use crate::{is_unique_violation, pool, DbError, Pool};

/// Where an entry came from; every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntrySource {
    pub integration_id: Option<i64>,
    pub order_id: Option<String>,
    pub redemption_id: Option<i64>,
    pub partner_user_id: Option<i64>,
    pub reference: Option<String>,
    pub note: Option<String>,
}

/// A request to move points on one wallet.
#[derive(Debug, Clone)]
pub struct Posting {
    pub partner_id: i64,
    pub wallet_id: i64,
    pub kind: EntryKind,
    pub channel: Channel,
    /// What the entry records: positive credits, negative deductions.
    pub points: Points,
    /// Change to the points that decide the tier (purchases add, their refunds subtract).
    pub tier_points: Points,
    /// Unique per partner: posting the same key again returns the first entry.
    pub idempotency_key: String,
    pub source: EntrySource,
    /// The earn rule breakdown, stored so a person can be told why.
    pub rule: Option<serde_json::Value>,
    pub now: OffsetDateTime,
}

/// One immutable line of a wallet's history.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = entries, check_for_backend(diesel::pg::Pg))]
pub struct Entry {
    pub partner_id: i64,
    pub id: i64,
    pub wallet_id: i64,
    pub kind: String,
    pub channel: String,
    pub points: i64,
    pub applied_points: i64,
    pub balance_after: i64,
    pub idempotency_key: String,
    pub integration_id: Option<i64>,
    pub order_id: Option<String>,
    pub redemption_id: Option<i64>,
    pub partner_user_id: Option<i64>,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub rule: Option<serde_json::Value>,
    pub created_at: OffsetDateTime,
}

/// The outcome of a posting.
#[derive(Debug, Clone, PartialEq)]
pub struct Posted {
    pub entry: Entry,
    /// True when the idempotency key had been posted before and this is that entry.
    pub replayed: bool,
}

/// Why a posting did not happen.
#[derive(Debug, thiserror::Error)]
pub enum PostingError {
    #[error("wallet not found")]
    WalletNotFound,
    #[error("the idempotency key '{0}' was already used for a different posting")]
    IdempotencyKeyReused(String),
    #[error(transparent)]
    Refused(#[from] LedgerError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for PostingError {
    fn from(error: diesel::result::Error) -> Self {
        PostingError::Db(DbError::Query(error))
    }
}

#[derive(Insertable)]
#[diesel(table_name = entries)]
struct NewEntry<'a> {
    partner_id: i64,
    wallet_id: i64,
    kind: &'a str,
    channel: &'a str,
    points: i64,
    applied_points: i64,
    balance_after: i64,
    idempotency_key: &'a str,
    integration_id: Option<i64>,
    order_id: Option<&'a str>,
    redemption_id: Option<i64>,
    partner_user_id: Option<i64>,
    reference: Option<&'a str>,
    note: Option<&'a str>,
    rule: Option<&'a serde_json::Value>,
    created_at: OffsetDateTime,
}

/// Posts inside the caller's transaction (several postings and other writes can then
/// commit together). The caller must have opened a transaction on `conn`.
pub async fn post_in(
    conn: &mut AsyncPgConnection,
    posting: &Posting,
) -> Result<Posted, PostingError> {
    let balance: i64 = wallets::table
        .filter(wallets::partner_id.eq(posting.partner_id))
        .filter(wallets::id.eq(posting.wallet_id))
        .select(wallets::balance)
        .for_update()
        .first(conn)
        .await
        .optional()?
        .ok_or(PostingError::WalletNotFound)?;

    if let Some(existing) = find_by_key(conn, posting.partner_id, &posting.idempotency_key).await? {
        return if same_content(&existing, posting) {
            Ok(Posted {
                entry: existing,
                replayed: true,
            })
        } else {
            Err(PostingError::IdempotencyKeyReused(
                posting.idempotency_key.clone(),
            ))
        };
    }

    let applied = ledger::apply(Points::new(balance), posting.kind, posting.points)?;
    let entry: Entry = diesel::insert_into(entries::table)
        .values(NewEntry {
            partner_id: posting.partner_id,
            wallet_id: posting.wallet_id,
            kind: posting.kind.as_str(),
            channel: posting.channel.as_str(),
            points: applied.recorded.get(),
            applied_points: applied.applied.get(),
            balance_after: applied.balance_after.get(),
            idempotency_key: &posting.idempotency_key,
            integration_id: posting.source.integration_id,
            order_id: posting.source.order_id.as_deref(),
            redemption_id: posting.source.redemption_id,
            partner_user_id: posting.source.partner_user_id,
            reference: posting.source.reference.as_deref(),
            note: posting.source.note.as_deref(),
            rule: posting.rule.as_ref(),
            created_at: posting.now,
        })
        .returning(Entry::as_returning())
        .get_result(conn)
        .await?;

    diesel::update(wallets::table)
        .filter(wallets::partner_id.eq(posting.partner_id))
        .filter(wallets::id.eq(posting.wallet_id))
        .set((
            wallets::balance.eq(applied.balance_after.get()),
            wallets::earned_points.eq(wallets::earned_points + posting.tier_points.get()),
        ))
        .execute(conn)
        .await?;

    Ok(Posted {
        entry,
        replayed: false,
    })
}

/// Posts in a transaction of its own. A concurrent posting of the same key on another
/// wallet surfaces as a unique violation; the posting is then tried once more, and finds
/// the winner's entry.
pub async fn post(pool: &Pool, posting: &Posting) -> Result<Posted, PostingError> {
    let mut conn = pool::get(pool).await?;
    let mut tried_again = false;
    loop {
        let result = conn
            .transaction(async |conn| post_in(conn, posting).await)
            .await;
        match result {
            Err(PostingError::Db(DbError::Query(ref e)))
                if is_unique_violation(e) && !tried_again =>
            {
                tried_again = true;
            }
            other => return other,
        }
    }
}

/// The entry posted under `key`, if any.
pub async fn find_by_key(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    key: &str,
) -> Result<Option<Entry>, DbError> {
    Ok(entries::table
        .filter(entries::partner_id.eq(partner_id))
        .filter(entries::idempotency_key.eq(key))
        .select(Entry::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// A wallet's entries, newest first.
pub async fn entries_of_wallet(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    wallet_id: i64,
    limit: i64,
) -> Result<Vec<Entry>, DbError> {
    Ok(entries::table
        .filter(entries::partner_id.eq(partner_id))
        .filter(entries::wallet_id.eq(wallet_id))
        .order((entries::created_at.desc(), entries::id.desc()))
        .limit(limit)
        .select(Entry::as_select())
        .load(conn)
        .await?)
}

fn same_content(entry: &Entry, posting: &Posting) -> bool {
    entry.wallet_id == posting.wallet_id
        && entry.kind == posting.kind.as_str()
        && entry.channel == posting.channel.as_str()
        && entry.points == posting.points.get()
        && entry.integration_id == posting.source.integration_id
        && entry.order_id == posting.source.order_id
        && entry.redemption_id == posting.source.redemption_id
        && entry.partner_user_id == posting.source.partner_user_id
        && entry.reference == posting.source.reference
        && entry.note == posting.source.note
}

/// The entries a store order produced, oldest first ("why did this order earn points?").
pub async fn entries_of_order(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    integration_id: i64,
    order_id: &str,
) -> Result<Vec<Entry>, DbError> {
    Ok(entries::table
        .filter(entries::partner_id.eq(partner_id))
        .filter(entries::integration_id.eq(integration_id))
        .filter(entries::order_id.eq(order_id))
        .order((entries::created_at.asc(), entries::id.asc()))
        .select(Entry::as_select())
        .load(conn)
        .await?)
}
