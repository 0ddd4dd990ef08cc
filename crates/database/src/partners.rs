//! Partners (the businesses) and their users.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

use crate::prepared::Prepared;
use crate::schema::{partner_users, partners};
use crate::DbError;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = partners, check_for_backend(diesel::pg::Pg))]
pub struct Partner {
    pub id: i64,
    pub name: String,
    pub business_email: String,
    pub timezone: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = partner_users, check_for_backend(diesel::pg::Pg))]
pub struct PartnerUser {
    pub partner_id: i64,
    pub id: i64,
    pub email: String,
    pub email_normalized: String,
    pub name: String,
    pub role: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub disabled_at: Option<OffsetDateTime>,
}

/// A partner to onboard, with its first user (the owner).
#[derive(Debug, Clone)]
pub struct NewPartner<'a> {
    pub name: &'a str,
    pub business_email: &'a str,
    pub timezone: &'a str,
    pub owner_email: &'a str,
    pub owner_email_normalized: &'a str,
    pub owner_name: &'a str,
    pub now: OffsetDateTime,
}

/// Creates the partner and its owner. Call inside a transaction.
pub async fn create_with_owner(
    conn: &mut AsyncPgConnection,
    new: &NewPartner<'_>,
) -> Result<(Partner, PartnerUser), DbError> {
    let partner: Partner = diesel::insert_into(partners::table)
        .values((
            partners::name.eq(new.name),
            partners::business_email.eq(new.business_email),
            partners::timezone.eq(new.timezone),
            partners::created_at.eq(new.now),
            partners::updated_at.eq(new.now),
        ))
        .returning(Partner::as_returning())
        .get_result(conn)
        .await?;
    let owner: PartnerUser = diesel::insert_into(partner_users::table)
        .values((
            partner_users::partner_id.eq(partner.id),
            partner_users::email.eq(new.owner_email),
            partner_users::email_normalized.eq(new.owner_email_normalized),
            partner_users::name.eq(new.owner_name),
            partner_users::role.eq("owner"),
            partner_users::created_at.eq(new.now),
            partner_users::updated_at.eq(new.now),
        ))
        .returning(PartnerUser::as_returning())
        .get_result(conn)
        .await?;
    Ok((partner, owner))
}

pub async fn find(conn: &mut AsyncPgConnection, id: i64) -> Result<Option<Partner>, DbError> {
    Ok(partners::table
        .find(id)
        .select(Partner::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// The partners with these ids, in one statement (the email worker's senders).
pub async fn find_many(conn: &mut AsyncPgConnection, ids: &[i64]) -> Result<Vec<Partner>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(Prepared(
        partners::table
            .filter(partners::id.eq_any(ids))
            .select(Partner::as_select()),
    )
    .load(conn)
    .await?)
}

/// Active users with this email, across partners (partner sign-in starts here).
pub async fn users_by_email(
    conn: &mut AsyncPgConnection,
    email_normalized: &str,
) -> Result<Vec<PartnerUser>, DbError> {
    Ok(partner_users::table
        .filter(partner_users::email_normalized.eq(email_normalized))
        .filter(partner_users::disabled_at.is_null())
        .order((partner_users::partner_id, partner_users::id))
        .select(PartnerUser::as_select())
        .load(conn)
        .await?)
}

pub async fn find_user(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    id: i64,
) -> Result<Option<PartnerUser>, DbError> {
    Ok(partner_users::table
        .find((partner_id, id))
        .select(PartnerUser::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Every user of the partner, removed ones too, in the order they joined.
pub async fn users_of_partner(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
) -> Result<Vec<PartnerUser>, DbError> {
    Ok(partner_users::table
        .filter(partner_users::partner_id.eq(partner_id))
        .order((partner_users::created_at, partner_users::id))
        .select(PartnerUser::as_select())
        .load(conn)
        .await?)
}

/// The partner's user with this email, removed or not.
pub async fn find_user_by_email(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    email_normalized: &str,
) -> Result<Option<PartnerUser>, DbError> {
    Ok(partner_users::table
        .filter(partner_users::partner_id.eq(partner_id))
        .filter(partner_users::email_normalized.eq(email_normalized))
        .select(PartnerUser::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// A user to add to a partner.
#[derive(Debug, Clone)]
pub struct NewPartnerUser<'a> {
    pub partner_id: i64,
    pub email: &'a str,
    pub email_normalized: &'a str,
    pub name: &'a str,
    /// `owner` or `staff`.
    pub role: &'a str,
    pub now: OffsetDateTime,
}

/// Adds a user to the partner; `None` when the partner already has a user with that
/// email.
pub async fn add_user(
    conn: &mut AsyncPgConnection,
    new: &NewPartnerUser<'_>,
) -> Result<Option<PartnerUser>, DbError> {
    Ok(diesel::insert_into(partner_users::table)
        .values((
            partner_users::partner_id.eq(new.partner_id),
            partner_users::email.eq(new.email),
            partner_users::email_normalized.eq(new.email_normalized),
            partner_users::name.eq(new.name),
            partner_users::role.eq(new.role),
            partner_users::created_at.eq(new.now),
            partner_users::updated_at.eq(new.now),
        ))
        .on_conflict_do_nothing()
        .returning(PartnerUser::as_returning())
        .get_result(conn)
        .await
        .optional()?)
}

/// Gives a removed user access again, as `role` and named `name`; `None` when there
/// is no such removed user.
pub async fn restore_user(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    id: i64,
    role: &str,
    name: &str,
) -> Result<Option<PartnerUser>, DbError> {
    Ok(diesel::update(partner_users::table)
        .filter(partner_users::partner_id.eq(partner_id))
        .filter(partner_users::id.eq(id))
        .filter(partner_users::disabled_at.is_not_null())
        .set((
            partner_users::disabled_at.eq(None::<OffsetDateTime>),
            partner_users::role.eq(role),
            partner_users::name.eq(name),
        ))
        .returning(PartnerUser::as_returning())
        .get_result(conn)
        .await
        .optional()?)
}

/// The partner's active owners, locked until the transaction ends, so two owners
/// changing each other's roles at once cannot leave the business without one.
pub async fn lock_owners(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
) -> Result<Vec<PartnerUser>, DbError> {
    Ok(partner_users::table
        .filter(partner_users::partner_id.eq(partner_id))
        .filter(partner_users::role.eq("owner"))
        .filter(partner_users::disabled_at.is_null())
        .order(partner_users::id)
        .for_update()
        .select(PartnerUser::as_select())
        .load(conn)
        .await?)
}

/// Sets an active user's role; `None` when there is no such active user.
pub async fn set_role(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    id: i64,
    role: &str,
) -> Result<Option<PartnerUser>, DbError> {
    Ok(diesel::update(partner_users::table)
        .filter(partner_users::partner_id.eq(partner_id))
        .filter(partner_users::id.eq(id))
        .filter(partner_users::disabled_at.is_null())
        .set(partner_users::role.eq(role))
        .returning(PartnerUser::as_returning())
        .get_result(conn)
        .await
        .optional()?)
}

/// Removes a user's access (the row stays: entries and the log still name them);
/// `None` when there is no such active user.
pub async fn disable_user(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    id: i64,
    now: OffsetDateTime,
) -> Result<Option<PartnerUser>, DbError> {
    Ok(diesel::update(partner_users::table)
        .filter(partner_users::partner_id.eq(partner_id))
        .filter(partner_users::id.eq(id))
        .filter(partner_users::disabled_at.is_null())
        .set(partner_users::disabled_at.eq(now))
        .returning(PartnerUser::as_returning())
        .get_result(conn)
        .await
        .optional()?)
}

/// The business settings an owner may change.
#[derive(Debug, Clone)]
pub struct BusinessSettings<'a> {
    pub name: &'a str,
    pub business_email: &'a str,
    pub timezone: &'a str,
}

pub async fn update_business(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    settings: &BusinessSettings<'_>,
) -> Result<Partner, DbError> {
    Ok(diesel::update(partners::table)
        .filter(partners::id.eq(partner_id))
        .set((
            partners::name.eq(settings.name),
            partners::business_email.eq(settings.business_email),
            partners::timezone.eq(settings.timezone),
        ))
        .returning(Partner::as_returning())
        .get_result(conn)
        .await?)
}
