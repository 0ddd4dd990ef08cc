//! Idempotency keys of API requests and dashboard forms: a request with a key is carried
//! out once; a replay gets the first answer; the same key with another request is
//! refused. The key is claimed in its own short transaction before the work starts, so a
//! concurrent duplicate sees it in flight instead of doing the work twice.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::{Duration, OffsetDateTime};

use crate::schema::idempotency_keys as keys;
use crate::DbError;

/// A claim left unfinished this long (its process died mid-request) may be taken over.
pub const ABANDONED_AFTER: Duration = Duration::seconds(60);

/// What claiming a key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Nobody had it: do the work, then [`complete`] (or [`release`] it).
    Fresh,
    /// Done before with the same request: answer this again.
    Replay { status: i32, body: Vec<u8> },
    /// Another request with this key is being carried out right now.
    InFlight,
    /// The key was used for a different request.
    Reused,
}

/// The key `(partner, scope, key)`: who, what kind of request, which key.
#[derive(Debug, Clone, Copy)]
pub struct Key<'a> {
    pub partner_id: i64,
    pub scope: &'a str,
    pub key: &'a str,
}

/// Claims `key` for a request whose fingerprint is `request_hash`.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    key: Key<'_>,
    request_hash: &[u8],
    now: OffsetDateTime,
) -> Result<Claim, DbError> {
    let inserted = diesel::insert_into(keys::table)
        .values((
            keys::partner_id.eq(key.partner_id),
            keys::scope.eq(key.scope),
            keys::key.eq(key.key),
            keys::request_hash.eq(request_hash),
            keys::created_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    if inserted == 1 {
        return Ok(Claim::Fresh);
    }
    let row = find(key)
        .select((
            keys::request_hash,
            keys::response_status,
            keys::response_body,
            keys::created_at,
        ))
        .first::<(Vec<u8>, Option<i32>, Option<Vec<u8>>, OffsetDateTime)>(conn)
        .await
        .optional()?;
    let Some((hash, status, body, created_at)) = row else {
        // Released between our insert and our read: try once more.
        return Box::pin(claim(conn, key, request_hash, now)).await;
    };
    if hash != request_hash {
        return Ok(Claim::Reused);
    }
    if let Some(status) = status {
        return Ok(Claim::Replay {
            status,
            body: body.unwrap_or_default(),
        });
    }
    if created_at < now - ABANDONED_AFTER {
        // Take over an abandoned claim, unless another request just did.
        let taken = diesel::update(
            find(key)
                .filter(keys::created_at.eq(created_at))
                .filter(keys::completed_at.is_null()),
        )
        .set(keys::created_at.eq(now))
        .execute(conn)
        .await?;
        if taken == 1 {
            return Ok(Claim::Fresh);
        }
    }
    Ok(Claim::InFlight)
}

/// Records the answer of a claimed request, to be given to every replay.
pub async fn complete(
    conn: &mut AsyncPgConnection,
    key: Key<'_>,
    status: i32,
    body: &[u8],
    now: OffsetDateTime,
) -> Result<(), DbError> {
    diesel::update(find(key))
        .set((
            keys::response_status.eq(status),
            keys::response_body.eq(body),
            keys::completed_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Gives a claimed key back (the request failed in a way worth retrying as it is).
pub async fn release(conn: &mut AsyncPgConnection, key: Key<'_>) -> Result<(), DbError> {
    diesel::delete(find(key).filter(keys::completed_at.is_null()))
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes keys older than `before` (they are kept for a day or so).
pub async fn delete_before(
    conn: &mut AsyncPgConnection,
    before: OffsetDateTime,
) -> Result<usize, DbError> {
    Ok(
        diesel::delete(keys::table.filter(keys::created_at.lt(before)))
            .execute(conn)
            .await?,
    )
}

fn find(key: Key<'_>) -> diesel::dsl::Find<keys::table, (i64, &str, &str)> {
    keys::table.find((key.partner_id, key.scope, key.key))
}
