//! Members: one record per email across the platform.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

use crate::prepared::Prepared;
use crate::schema::members;
use crate::DbError;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = members, check_for_backend(diesel::pg::Pg))]
pub struct Member {
    pub id: i64,
    pub number: i64,
    pub code: String,
    pub email: String,
    pub email_normalized: String,
    pub name: String,
    pub phone: Option<String>,
    pub language: String,
    pub loyalty_emails: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub deleted_at: Option<OffsetDateTime>,
}

/// A member to create when the email is not known yet.
#[derive(Debug, Clone)]
pub struct NewMember<'a> {
    pub email: &'a str,
    /// Trimmed and lower-cased by the caller (identity's `Email`).
    pub email_normalized: &'a str,
    pub name: &'a str,
    pub language: &'a str,
    pub now: OffsetDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = members)]
struct MemberRow<'a> {
    code: &'a str,
    email: &'a str,
    email_normalized: &'a str,
    name: &'a str,
    language: &'a str,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

pub async fn find_by_email(
    conn: &mut AsyncPgConnection,
    email_normalized: &str,
) -> Result<Option<Member>, DbError> {
    Ok(members::table
        .filter(members::email_normalized.eq(email_normalized))
        .select(Member::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// The members with these normalized emails, in one statement (a batch of deliveries).
pub async fn find_many_by_email(
    conn: &AsyncPgConnection,
    emails_normalized: &[&str],
) -> Result<Vec<Member>, DbError> {
    let mut conn = conn;
    if emails_normalized.is_empty() {
        return Ok(Vec::new());
    }
    Ok(members::table
        .filter(members::email_normalized.eq_any(emails_normalized))
        .select(Member::as_select())
        .load(&mut conn)
        .await?)
}

pub async fn find_by_id(conn: &mut AsyncPgConnection, id: i64) -> Result<Option<Member>, DbError> {
    Ok(members::table
        .find(id)
        .select(Member::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Which of these members switched loyalty emails off, in one statement (the email
/// worker checks a whole batch at once).
pub async fn without_loyalty_emails(
    conn: &mut AsyncPgConnection,
    ids: &[i64],
) -> Result<Vec<i64>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(Prepared(
        members::table
            .filter(members::id.eq_any(ids))
            .filter(members::loyalty_emails.eq(false))
            .select(members::id),
    )
    .load(conn)
    .await?)
}

/// The member whose member code is `code` (upper case, as printed on the card).
pub async fn find_by_code(
    conn: &mut AsyncPgConnection,
    code: &str,
) -> Result<Option<Member>, DbError> {
    Ok(members::table
        .filter(members::code.eq(code))
        .select(Member::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// The member with member number `number`.
pub async fn find_by_number(
    conn: &mut AsyncPgConnection,
    number: i64,
) -> Result<Option<Member>, DbError> {
    Ok(members::table
        .filter(members::number.eq(number))
        .select(Member::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Finds the member with this email or creates one, safely under concurrency: two
/// requests for the same new email end with one member. `next_code` supplies member
/// codes; a code that happens to be taken is replaced and tried again.
/// Returns the member and whether it was created now.
pub async fn find_or_create(
    conn: &mut AsyncPgConnection,
    new: &NewMember<'_>,
    next_code: impl FnMut() -> String,
) -> Result<(Member, bool), DbError> {
    find_or_create_known(conn, new, None, next_code).await
}

/// [`find_or_create`] when the caller already looked the email up in this transaction
/// (`known`: what it found; `None` when it did not look).
pub async fn find_or_create_known(
    conn: &mut AsyncPgConnection,
    new: &NewMember<'_>,
    mut known: Option<Option<Member>>,
    mut next_code: impl FnMut() -> String,
) -> Result<(Member, bool), DbError> {
    const CODE_TRIES: usize = 8;
    for _ in 0..CODE_TRIES {
        let found = match known.take() {
            Some(known) => known,
            None => find_by_email(conn, new.email_normalized).await?,
        };
        if let Some(found) = found {
            return Ok((found, false));
        }
        let code = next_code();
        let inserted = Prepared(
            diesel::insert_into(members::table)
                .values(MemberRow {
                    code: &code,
                    email: new.email,
                    email_normalized: new.email_normalized,
                    name: new.name,
                    language: new.language,
                    created_at: new.now,
                    updated_at: new.now,
                })
                .on_conflict_do_nothing()
                .returning(Member::as_returning()),
        )
        .get_result(conn)
        .await
        .optional()?;
        if let Some(member) = inserted {
            return Ok((member, true));
        }
        // Either the email appeared concurrently (found on the next turn) or the code
        // was taken (a new one is drawn).
    }
    Err(DbError::Conflict("no free member code after several draws"))
}

/// What a member may change on their account page.
#[derive(Debug, Clone)]
pub struct MemberPreferences<'a> {
    pub name: &'a str,
    pub language: &'a str,
    pub loyalty_emails: bool,
}

pub async fn update_preferences(
    conn: &mut AsyncPgConnection,
    id: i64,
    prefs: &MemberPreferences<'_>,
) -> Result<Member, DbError> {
    Ok(diesel::update(members::table.find(id))
        .set((
            members::name.eq(prefs.name),
            members::language.eq(prefs.language),
            members::loyalty_emails.eq(prefs.loyalty_emails),
        ))
        .returning(Member::as_returning())
        .get_result(conn)
        .await?)
}

/// Switches loyalty emails off (the one-click unsubscribe); true when it was on.
pub async fn unsubscribe(conn: &mut AsyncPgConnection, id: i64) -> Result<bool, DbError> {
    let changed = diesel::update(members::table.find(id))
        .filter(members::loyalty_emails.eq(true))
        .set(members::loyalty_emails.eq(false))
        .execute(conn)
        .await?;
    Ok(changed == 1)
}

/// Why an email change was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailChange {
    Changed,
    /// Another member already has this address.
    Taken,
}

/// Moves the member to a new address, unless another member holds it (decided by the
/// unique key, so two members racing for one address cannot both get it).
pub async fn change_email(
    conn: &mut AsyncPgConnection,
    id: i64,
    email: &str,
    email_normalized: &str,
) -> Result<EmailChange, DbError> {
    if let Some(other) = find_by_email(conn, email_normalized).await? {
        if other.id != id {
            return Ok(EmailChange::Taken);
        }
    }
    let updated = diesel::update(members::table.find(id))
        .filter(members::deleted_at.is_null())
        .set((
            members::email.eq(email),
            members::email_normalized.eq(email_normalized),
        ))
        .execute(conn)
        .await;
    match updated {
        Ok(1) => Ok(EmailChange::Changed),
        Ok(_) => Err(DbError::NotFound("member")),
        Err(e) if crate::is_unique_violation(&e) => Ok(EmailChange::Taken),
        Err(e) => Err(e.into()),
    }
}

/// Erases a member's personal data: the address becomes `placeholder` (unique, never
/// deliverable), name and phone are cleared, loyalty emails are off and the member is
/// marked deleted. The row itself stays, so the wallets and their entries keep their
/// owner and the partners' ledger totals hold.
pub async fn anonymise(
    conn: &mut AsyncPgConnection,
    id: i64,
    placeholder: &str,
    now: OffsetDateTime,
) -> Result<Member, DbError> {
    Ok(diesel::update(members::table.find(id))
        .set((
            members::email.eq(placeholder),
            members::email_normalized.eq(placeholder.to_lowercase()),
            members::name.eq(""),
            members::phone.eq(None::<String>),
            members::loyalty_emails.eq(false),
            members::deleted_at.eq(now),
        ))
        .returning(Member::as_returning())
        .get_result(conn)
        .await?)
}
