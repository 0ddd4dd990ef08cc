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

use crate::prepared::Prepared;
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

/// Posts inside the caller's transaction (several postings and other writes can then
/// commit together). The caller must have opened a transaction on `conn`.
pub async fn post_in(
    conn: &mut AsyncPgConnection,
    posting: &Posting,
) -> Result<Posted, PostingError> {
    let balance = lock_balance(conn, posting.partner_id, posting.wallet_id).await?;
    post_locked(conn, posting, balance).await
}

/// Locks the wallet row until the transaction ends and returns its balance.
pub async fn lock_balance(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    wallet_id: i64,
) -> Result<i64, PostingError> {
    wallets::table
        .filter(wallets::partner_id.eq(partner_id))
        .filter(wallets::id.eq(wallet_id))
        .select(wallets::balance)
        .for_update()
        .first(conn)
        .await
        .optional()?
        .ok_or(PostingError::WalletNotFound)
}

/// Posts on a wallet this transaction has locked ([`lock_balance`], or the wallet read
/// `FOR UPDATE`), whose balance is `balance`: several postings then share one lock.
pub async fn post_locked(
    conn: &mut AsyncPgConnection,
    posting: &Posting,
    balance: i64,
) -> Result<Posted, PostingError> {
    let posted = insert_locked(conn, posting, balance).await?;
    if !posted.replayed {
        move_balance(
            conn,
            posting.partner_id,
            posting.wallet_id,
            &Moved {
                balance: posted.entry.balance_after,
                tier_points: posting.tier_points,
                first_purchase_at: None,
            },
        )
        .await?;
    }
    Ok(posted)
}

/// [`post_locked`] without moving the balance: the entry only, for a caller that posts
/// several entries on the locked wallet and then moves its balance once ([`move_balance`])
/// to the last entry's `balance_after`.
pub async fn insert_locked(
    conn: &mut AsyncPgConnection,
    posting: &Posting,
    balance: i64,
) -> Result<Posted, PostingError> {
    // The entry is inserted first (one statement for a new key); a key posted before
    // inserts nothing, and the entry under it is then read and compared.
    let applied = match ledger::apply(Points::new(balance), posting.kind, posting.points) {
        Ok(applied) => applied,
        Err(refused) => {
            return match replay(conn, posting).await? {
                Some(replayed) => Ok(replayed),
                None => Err(refused.into()),
            }
        }
    };
    let inserted: Option<Entry> = diesel::insert_into(entries::table)
        .values(entry_row(posting, &applied))
        .on_conflict((entries::partner_id, entries::idempotency_key))
        .do_nothing()
        .returning(Entry::as_returning())
        .get_result(conn)
        .await
        .optional()?;
    let Some(entry) = inserted else {
        return replay(conn, posting)
            .await?
            .ok_or_else(|| PostingError::IdempotencyKeyReused(posting.idempotency_key.clone()));
    };
    Ok(Posted {
        entry,
        replayed: false,
    })
}

pub(crate) type EntryRow<'a> = (
    diesel::dsl::Eq<entries::partner_id, i64>,
    diesel::dsl::Eq<entries::wallet_id, i64>,
    diesel::dsl::Eq<entries::kind, &'static str>,
    diesel::dsl::Eq<entries::channel, &'static str>,
    diesel::dsl::Eq<entries::points, i64>,
    diesel::dsl::Eq<entries::applied_points, i64>,
    diesel::dsl::Eq<entries::balance_after, i64>,
    diesel::dsl::Eq<entries::idempotency_key, &'a str>,
    diesel::dsl::Eq<entries::integration_id, Option<i64>>,
    diesel::dsl::Eq<entries::order_id, Option<&'a str>>,
    diesel::dsl::Eq<entries::redemption_id, Option<i64>>,
    diesel::dsl::Eq<entries::partner_user_id, Option<i64>>,
    diesel::dsl::Eq<entries::reference, Option<&'a str>>,
    diesel::dsl::Eq<entries::note, Option<&'a str>>,
    diesel::dsl::Eq<entries::rule, Option<&'a serde_json::Value>>,
    diesel::dsl::Eq<entries::created_at, OffsetDateTime>,
);

/// The row an entry is inserted as: a tuple, so that `None` binds NULL rather than
/// DEFAULT and the statement's text never varies.
pub(crate) fn entry_row<'a>(posting: &'a Posting, applied: &ledger::Applied) -> EntryRow<'a> {
    (
        entries::partner_id.eq(posting.partner_id),
        entries::wallet_id.eq(posting.wallet_id),
        entries::kind.eq(posting.kind.as_str()),
        entries::channel.eq(posting.channel.as_str()),
        entries::points.eq(applied.recorded.get()),
        entries::applied_points.eq(applied.applied.get()),
        entries::balance_after.eq(applied.balance_after.get()),
        entries::idempotency_key.eq(posting.idempotency_key.as_str()),
        entries::integration_id.eq(posting.source.integration_id),
        entries::order_id.eq(posting.source.order_id.as_deref()),
        entries::redemption_id.eq(posting.source.redemption_id),
        entries::partner_user_id.eq(posting.source.partner_user_id),
        entries::reference.eq(posting.source.reference.as_deref()),
        entries::note.eq(posting.source.note.as_deref()),
        entries::rule.eq(posting.rule.as_ref()),
        entries::created_at.eq(posting.now),
    )
}

/// What the entries just posted on a locked wallet did to it.
#[derive(Debug, Clone, Copy)]
pub struct Moved {
    /// The last entry's `balance_after`.
    pub balance: i64,
    /// Added to the points that decide the tier.
    pub tier_points: Points,
    /// Set when these entries hold the wallet's first qualifying purchase (the caller
    /// read, on the locked row, that there was none before).
    pub first_purchase_at: Option<OffsetDateTime>,
}

/// Moves the locked wallet's balance after [`insert_locked`] entries: one statement.
pub async fn move_balance(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    wallet_id: i64,
    moved: &Moved,
) -> Result<(), PostingError> {
    let wallet = wallets::table
        .filter(wallets::partner_id.eq(partner_id))
        .filter(wallets::id.eq(wallet_id));
    let balance = wallets::balance.eq(moved.balance);
    let earned = wallets::earned_points.eq(wallets::earned_points + moved.tier_points.get());
    match moved.first_purchase_at {
        None => {
            Prepared(diesel::update(wallet).set((balance, earned)))
                .execute(conn)
                .await?
        }
        Some(at) => {
            Prepared(diesel::update(wallet).set((
                balance,
                earned,
                wallets::first_purchase_at.eq(at),
            )))
            .execute(conn)
            .await?
        }
    };
    Ok(())
}

/// The entry already posted under the posting's key, when there is one: replayed when it
/// records the same posting, refused as a reused key otherwise.
async fn replay(
    conn: &mut AsyncPgConnection,
    posting: &Posting,
) -> Result<Option<Posted>, PostingError> {
    match find_by_key(conn, posting.partner_id, &posting.idempotency_key).await? {
        None => Ok(None),
        Some(existing) if same_content(&existing, posting) => Ok(Some(Posted {
            entry: existing,
            replayed: true,
        })),
        Some(_) => Err(PostingError::IdempotencyKeyReused(
            posting.idempotency_key.clone(),
        )),
    }
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
