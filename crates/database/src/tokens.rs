//! Partner API tokens, stored only as keyed hashes.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

use crate::schema::api_tokens;
use crate::DbError;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = api_tokens, check_for_backend(diesel::pg::Pg))]
pub struct ApiToken {
    pub partner_id: i64,
    pub id: i64,
    pub name: String,
    pub token_hash: Vec<u8>,
    pub token_prefix: String,
    pub created_by: Option<i64>,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone)]
pub struct NewApiToken<'a> {
    pub partner_id: i64,
    pub name: &'a str,
    pub token_hash: &'a [u8],
    pub token_prefix: &'a str,
    pub created_by: Option<i64>,
    pub now: OffsetDateTime,
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    new: &NewApiToken<'_>,
) -> Result<ApiToken, DbError> {
    Ok(diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::partner_id.eq(new.partner_id),
            api_tokens::name.eq(new.name),
            api_tokens::token_hash.eq(new.token_hash),
            api_tokens::token_prefix.eq(new.token_prefix),
            api_tokens::created_by.eq(new.created_by),
            api_tokens::created_at.eq(new.now),
        ))
        .returning(ApiToken::as_returning())
        .get_result(conn)
        .await?)
}

/// The unrevoked token with this hash (any partner: the hash names the partner).
pub async fn find_active(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> Result<Option<ApiToken>, DbError> {
    Ok(api_tokens::table
        .filter(api_tokens::token_hash.eq(token_hash))
        .filter(api_tokens::revoked_at.is_null())
        .select(ApiToken::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Every token of the partner, newest first, revoked ones too.
pub async fn of_partner(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
) -> Result<Vec<ApiToken>, DbError> {
    Ok(api_tokens::table
        .filter(api_tokens::partner_id.eq(partner_id))
        .order((api_tokens::created_at.desc(), api_tokens::id.desc()))
        .select(ApiToken::as_select())
        .load(conn)
        .await?)
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    id: i64,
) -> Result<Option<ApiToken>, DbError> {
    Ok(api_tokens::table
        .find((partner_id, id))
        .select(ApiToken::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Revokes the token; `None` when it does not exist or was revoked before.
pub async fn revoke(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    id: i64,
    now: OffsetDateTime,
) -> Result<Option<ApiToken>, DbError> {
    Ok(diesel::update(api_tokens::table)
        .filter(api_tokens::partner_id.eq(partner_id))
        .filter(api_tokens::id.eq(id))
        .filter(api_tokens::revoked_at.is_null())
        .set(api_tokens::revoked_at.eq(now))
        .returning(ApiToken::as_returning())
        .get_result(conn)
        .await
        .optional()?)
}

/// Notes that the token was used at `now`, at most once a minute (a busy integration
/// does not write on every request).
pub async fn mark_used(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    id: i64,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    let stale = now - time::Duration::minutes(1);
    diesel::update(api_tokens::table)
        .filter(api_tokens::partner_id.eq(partner_id))
        .filter(api_tokens::id.eq(id))
        .filter(
            api_tokens::last_used_at
                .is_null()
                .or(api_tokens::last_used_at.lt(stale)),
        )
        .set(api_tokens::last_used_at.eq(now))
        .execute(conn)
        .await?;
    Ok(())
}
