//! One-time sign-in codes, stored only as keyed hashes.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

use crate::schema::one_time_codes;
use crate::DbError;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = one_time_codes, check_for_backend(diesel::pg::Pg))]
pub struct OneTimeCode {
    pub id: i64,
    pub realm: String,
    pub email_normalized: String,
    pub code_hash: Vec<u8>,
    pub attempts: i32,
    pub max_attempts: i32,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub consumed_at: Option<OffsetDateTime>,
}

/// Stores a new code for `email` and retires the ones sent before it: only the newest
/// code counts. Call inside a transaction.
pub async fn replace(
    conn: &mut AsyncPgConnection,
    realm: &str,
    email_normalized: &str,
    code_hash: &[u8],
    max_attempts: i32,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<i64, DbError> {
    diesel::update(one_time_codes::table)
        .filter(one_time_codes::realm.eq(realm))
        .filter(one_time_codes::email_normalized.eq(email_normalized))
        .filter(one_time_codes::consumed_at.is_null())
        .set(one_time_codes::consumed_at.eq(now))
        .execute(conn)
        .await?;
    Ok(diesel::insert_into(one_time_codes::table)
        .values((
            one_time_codes::realm.eq(realm),
            one_time_codes::email_normalized.eq(email_normalized),
            one_time_codes::code_hash.eq(code_hash),
            one_time_codes::max_attempts.eq(max_attempts),
            one_time_codes::created_at.eq(now),
            one_time_codes::expires_at.eq(expires_at),
        ))
        .returning(one_time_codes::id)
        .get_result(conn)
        .await?)
}

/// The newest unconsumed code for `email`, locked until the transaction ends so that
/// concurrent attempts are counted one by one.
pub async fn latest_for_update(
    conn: &mut AsyncPgConnection,
    realm: &str,
    email_normalized: &str,
) -> Result<Option<OneTimeCode>, DbError> {
    Ok(one_time_codes::table
        .filter(one_time_codes::realm.eq(realm))
        .filter(one_time_codes::email_normalized.eq(email_normalized))
        .filter(one_time_codes::consumed_at.is_null())
        .order(one_time_codes::created_at.desc())
        .select(OneTimeCode::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// Counts one attempt; returns the attempts made so far.
pub async fn count_attempt(conn: &mut AsyncPgConnection, id: i64) -> Result<i32, DbError> {
    Ok(diesel::update(one_time_codes::table.find(id))
        .set(one_time_codes::attempts.eq(one_time_codes::attempts + 1))
        .returning(one_time_codes::attempts)
        .get_result(conn)
        .await?)
}

pub async fn consume(
    conn: &mut AsyncPgConnection,
    id: i64,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    diesel::update(one_time_codes::table.find(id))
        .set(one_time_codes::consumed_at.eq(now))
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes codes that expired before `before`.
pub async fn delete_expired(
    conn: &mut AsyncPgConnection,
    before: OffsetDateTime,
) -> Result<usize, DbError> {
    Ok(
        diesel::delete(one_time_codes::table.filter(one_time_codes::expires_at.lt(before)))
            .execute(conn)
            .await?,
    )
}

/// Removes the codes of `realm` whose key is `email_normalized` or starts with
/// `key_prefix` (when given).
pub async fn delete_for(
    conn: &mut AsyncPgConnection,
    realm: &str,
    email_normalized: &str,
    key_prefix: Option<&str>,
) -> Result<usize, DbError> {
    let mut removed = diesel::delete(
        one_time_codes::table
            .filter(one_time_codes::realm.eq(realm))
            .filter(one_time_codes::email_normalized.eq(email_normalized)),
    )
    .execute(conn)
    .await?;
    if let Some(prefix) = key_prefix {
        let pattern = format!(
            "{}%",
            prefix
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        removed += diesel::delete(
            one_time_codes::table
                .filter(one_time_codes::realm.eq(realm))
                .filter(one_time_codes::email_normalized.like(pattern)),
        )
        .execute(conn)
        .await?;
    }
    Ok(removed)
}
