//! The partner's activity log: who did what, when.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

use crate::schema::activity_log;
use crate::DbError;

/// Who acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    PartnerUser(i64),
    ApiToken(i64),
    Member,
    System,
}

#[derive(Debug, Clone)]
pub struct NewActivity<'a> {
    pub partner_id: i64,
    pub actor: Actor,
    /// e.g. `signed_in`, `integration_connected`.
    pub action: &'a str,
    pub subject: Option<&'a str>,
    pub details: serde_json::Value,
    pub now: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = activity_log, check_for_backend(diesel::pg::Pg))]
pub struct Activity {
    pub partner_id: i64,
    pub id: i64,
    pub actor_kind: String,
    pub partner_user_id: Option<i64>,
    pub api_token_id: Option<i64>,
    pub action: String,
    pub subject: Option<String>,
    pub details: serde_json::Value,
    pub created_at: OffsetDateTime,
}

pub async fn record(conn: &mut AsyncPgConnection, new: &NewActivity<'_>) -> Result<(), DbError> {
    let (kind, user, token) = match new.actor {
        Actor::PartnerUser(id) => ("partner_user", Some(id), None),
        Actor::ApiToken(id) => ("api_token", None, Some(id)),
        Actor::Member => ("member", None, None),
        Actor::System => ("system", None, None),
    };
    diesel::insert_into(activity_log::table)
        .values((
            activity_log::partner_id.eq(new.partner_id),
            activity_log::actor_kind.eq(kind),
            activity_log::partner_user_id.eq(user),
            activity_log::api_token_id.eq(token),
            activity_log::action.eq(new.action),
            activity_log::subject.eq(new.subject),
            activity_log::details.eq(&new.details),
            activity_log::created_at.eq(new.now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The partner's latest activity, newest first.
pub async fn recent(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    limit: i64,
) -> Result<Vec<Activity>, DbError> {
    Ok(activity_log::table
        .filter(activity_log::partner_id.eq(partner_id))
        .order((activity_log::created_at.desc(), activity_log::id.desc()))
        .limit(limit)
        .select(Activity::as_select())
        .load(conn)
        .await?)
}

/// One page of the partner's log, newest first: `limit` entries older than the entry
/// `before` (the page's cursor), or the newest ones.
pub async fn page(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Activity>, DbError> {
    let mut query = activity_log::table
        .filter(activity_log::partner_id.eq(partner_id))
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(activity_log::id.lt(before));
    }
    Ok(query
        .order(activity_log::id.desc())
        .limit(limit)
        .select(Activity::as_select())
        .load(conn)
        .await?)
}
