//! Server-side sessions (members and partner users) and sign-in links.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

use crate::schema::{sessions, sign_in_events, sign_in_links};
use crate::DbError;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = sessions, check_for_backend(diesel::pg::Pg))]
pub struct Session {
    pub id: i64,
    pub token_hash: Vec<u8>,
    pub realm: String,
    pub member_id: Option<i64>,
    pub partner_id: Option<i64>,
    pub partner_user_id: Option<i64>,
    pub method: String,
    pub last_code_verified_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}

/// Who a new session belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    Member {
        member_id: i64,
    },
    PartnerUser {
        partner_id: i64,
        partner_user_id: i64,
    },
}

#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub token_hash: &'a [u8],
    pub holder: Holder,
    /// `code` or `link`.
    pub method: &'a str,
    pub now: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    new: &NewSession<'_>,
) -> Result<Session, DbError> {
    let (realm, member_id, partner_id, partner_user_id) = match new.holder {
        Holder::Member { member_id } => ("member", Some(member_id), None, None),
        Holder::PartnerUser {
            partner_id,
            partner_user_id,
        } => ("partner", None, Some(partner_id), Some(partner_user_id)),
    };
    let code_verified = (new.method == "code").then_some(new.now);
    Ok(diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(new.token_hash),
            sessions::realm.eq(realm),
            sessions::member_id.eq(member_id),
            sessions::partner_id.eq(partner_id),
            sessions::partner_user_id.eq(partner_user_id),
            sessions::method.eq(new.method),
            sessions::last_code_verified_at.eq(code_verified),
            sessions::created_at.eq(new.now),
            sessions::last_seen_at.eq(new.now),
            sessions::expires_at.eq(new.expires_at),
        ))
        .returning(Session::as_returning())
        .get_result(conn)
        .await?)
}

/// The live session of `realm` whose token hashes to one of `candidates` (the hash under
/// the current key, then under the previous one).
pub async fn find_live(
    conn: &mut AsyncPgConnection,
    realm: &str,
    candidates: &[Vec<u8>],
    now: OffsetDateTime,
) -> Result<Option<Session>, DbError> {
    Ok(sessions::table
        .filter(sessions::token_hash.eq_any(candidates))
        .filter(sessions::realm.eq(realm))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .select(Session::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn revoke(
    conn: &mut AsyncPgConnection,
    id: i64,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    diesel::update(sessions::table.find(id))
        .filter(sessions::revoked_at.is_null())
        .set(sessions::revoked_at.eq(now))
        .execute(conn)
        .await?;
    Ok(())
}

/// Records that the session's holder just verified a code (sensitive actions are allowed
/// for ten minutes after).
pub async fn mark_code_verified(
    conn: &mut AsyncPgConnection,
    id: i64,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    diesel::update(sessions::table.find(id))
        .set(sessions::last_code_verified_at.eq(now))
        .execute(conn)
        .await?;
    Ok(())
}

/// Refreshes `last_seen_at`, at most once a minute per session.
pub async fn touch(
    conn: &mut AsyncPgConnection,
    id: i64,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    diesel::update(sessions::table.find(id))
        .filter(sessions::last_seen_at.lt(now - time::Duration::minutes(1)))
        .set(sessions::last_seen_at.eq(now))
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = sign_in_links, check_for_backend(diesel::pg::Pg))]
pub struct SignInLink {
    pub id: i64,
    pub token_hash: Vec<u8>,
    pub member_id: i64,
    pub partner_id: i64,
    pub card_id: i64,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone)]
pub struct NewSignInLink<'a> {
    pub token_hash: &'a [u8],
    pub member_id: i64,
    pub partner_id: i64,
    pub card_id: i64,
    pub now: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

pub async fn create_link(
    conn: &mut AsyncPgConnection,
    new: &NewSignInLink<'_>,
) -> Result<i64, DbError> {
    Ok(diesel::insert_into(sign_in_links::table)
        .values((
            sign_in_links::token_hash.eq(new.token_hash),
            sign_in_links::member_id.eq(new.member_id),
            sign_in_links::partner_id.eq(new.partner_id),
            sign_in_links::card_id.eq(new.card_id),
            sign_in_links::created_at.eq(new.now),
            sign_in_links::expires_at.eq(new.expires_at),
        ))
        .returning(sign_in_links::id)
        .get_result(conn)
        .await?)
}

/// The unexpired link whose token hashes to one of `candidates`; marks it used.
pub async fn use_link(
    conn: &mut AsyncPgConnection,
    candidates: &[Vec<u8>],
    now: OffsetDateTime,
) -> Result<Option<SignInLink>, DbError> {
    Ok(diesel::update(sign_in_links::table)
        .filter(sign_in_links::token_hash.eq_any(candidates))
        .filter(sign_in_links::expires_at.gt(now))
        .set(sign_in_links::last_used_at.eq(now))
        .returning(SignInLink::as_returning())
        .get_result(conn)
        .await
        .optional()?)
}

/// A sign-in, kept apart by method (`code` or `link`).
#[derive(Debug, Clone, Copy)]
pub struct SignInEvent<'a> {
    pub holder: Holder,
    pub method: &'a str,
    pub now: OffsetDateTime,
}

pub async fn record_sign_in(
    conn: &mut AsyncPgConnection,
    event: &SignInEvent<'_>,
) -> Result<(), DbError> {
    let (realm, member_id, partner_id, partner_user_id) = match event.holder {
        Holder::Member { member_id } => ("member", Some(member_id), None, None),
        Holder::PartnerUser {
            partner_id,
            partner_user_id,
        } => ("partner", None, Some(partner_id), Some(partner_user_id)),
    };
    diesel::insert_into(sign_in_events::table)
        .values((
            sign_in_events::realm.eq(realm),
            sign_in_events::member_id.eq(member_id),
            sign_in_events::partner_id.eq(partner_id),
            sign_in_events::partner_user_id.eq(partner_user_id),
            sign_in_events::method.eq(event.method),
            sign_in_events::created_at.eq(event.now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// A member's sign-ins, newest first: (method, time).
pub async fn sign_ins_of_member(
    conn: &mut AsyncPgConnection,
    member_id: i64,
    limit: i64,
) -> Result<Vec<(String, OffsetDateTime)>, DbError> {
    Ok(sign_in_events::table
        .filter(sign_in_events::member_id.eq(member_id))
        .order(sign_in_events::created_at.desc())
        .limit(limit)
        .select((sign_in_events::method, sign_in_events::created_at))
        .load(conn)
        .await?)
}

/// Every session of a member, newest first (for the data export and the tests).
pub async fn of_member(
    conn: &mut AsyncPgConnection,
    member_id: i64,
) -> Result<Vec<Session>, DbError> {
    Ok(sessions::table
        .filter(sessions::member_id.eq(member_id))
        .order(sessions::created_at.desc())
        .select(Session::as_select())
        .load(conn)
        .await?)
}

/// Ends every live session of a member (the account is deleted).
pub async fn revoke_all_of_member(
    conn: &mut AsyncPgConnection,
    member_id: i64,
    now: OffsetDateTime,
) -> Result<usize, DbError> {
    Ok(diesel::update(sessions::table)
        .filter(sessions::member_id.eq(member_id))
        .filter(sessions::revoked_at.is_null())
        .set(sessions::revoked_at.eq(now))
        .execute(conn)
        .await?)
}

/// Ends every live session of a partner user (they were removed from the team).
pub async fn revoke_all_of_partner_user(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    partner_user_id: i64,
    now: OffsetDateTime,
) -> Result<usize, DbError> {
    Ok(diesel::update(sessions::table)
        .filter(sessions::partner_id.eq(partner_id))
        .filter(sessions::partner_user_id.eq(partner_user_id))
        .filter(sessions::revoked_at.is_null())
        .set(sessions::revoked_at.eq(now))
        .execute(conn)
        .await?)
}

/// Removes every sign-in link of a member.
pub async fn delete_links_of_member(
    conn: &mut AsyncPgConnection,
    member_id: i64,
) -> Result<usize, DbError> {
    Ok(
        diesel::delete(sign_in_links::table.filter(sign_in_links::member_id.eq(member_id)))
            .execute(conn)
            .await?,
    )
}
