//! A member's account: name, language and email preferences; the gate in front of the
//! sensitive actions (a code verified on this session in the last ten minutes); moving
//! the account to a new address; deleting it. The data export is `member_export`.
//!
//! Time is an argument everywhere: the handlers read the clock, nothing here does.

use std::net::IpAddr;

use database::members::{self, EmailChange, Member, MemberPreferences};
use database::{codes, member_data, sessions, DbError, ScopedFutureExt};
use identity::{Email, KeyRing};
use time::{Duration, OffsetDateTime};

use super::codes::{check_code_in, send_code, CodeFailure, CodePurpose};
use super::signin::{CodeRequested, SignInError};
use crate::email::message::{Language, Realm};

/// How long a verified code opens the sensitive actions.
pub const RECENT_CODE: Duration = Duration::minutes(10);

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    SignIn(#[from] SignInError),
    #[error("the member's stored address does not parse: {0}")]
    StoredEmail(String),
}

/// Whether a code verified at `last_code_verified_at` still opens the sensitive actions
/// at `now`.
pub fn code_is_recent(last_code_verified_at: Option<OffsetDateTime>, now: OffsetDateTime) -> bool {
    last_code_verified_at.is_some_and(|at| now - at < RECENT_CODE)
}

/// The member's language (English when the stored value is unknown).
pub fn language_of(member: &Member) -> Language {
    Language::parse(&member.language).unwrap_or(Language::En)
}

fn email_of(member: &Member) -> Result<Email, AccountError> {
    Email::parse(&member.email).map_err(|e| AccountError::StoredEmail(e.to_string()))
}

/// Saves name (trimmed, at most 200 characters), language and loyalty emails.
pub async fn save_preferences(
    pool: &database::Pool,
    member_id: i64,
    name: &str,
    language: Language,
    loyalty_emails: bool,
) -> Result<(), AccountError> {
    let name: String = name.trim().chars().take(200).collect();
    let mut conn = database::pool::get(pool).await?;
    members::update_preferences(
        &mut conn,
        member_id,
        &MemberPreferences {
            name: &name,
            language: language.as_str(),
            loyalty_emails,
        },
    )
    .await?;
    Ok(())
}

/// Sends a code to the member's current address, to open the sensitive actions. The
/// sign-in limits apply (it is a member sign-in code).
pub async fn send_gate_code(
    pool: &database::Pool,
    keys: &KeyRing,
    member: &Member,
    client: IpAddr,
    now: OffsetDateTime,
) -> Result<CodeRequested, AccountError> {
    let email = email_of(member)?;
    let purpose = CodePurpose::SignIn(Realm::Member);
    let lang = language_of(member);
    Ok(send_code(pool, keys, purpose, &email, client, lang, now).await?)
}

/// Checks the code sent by [`send_gate_code`]; the right one marks the session as
/// having verified a code `now`.
pub async fn verify_gate_code(
    pool: &database::Pool,
    keys: &KeyRing,
    session_id: i64,
    member: &Member,
    code: &str,
    client: IpAddr,
    now: OffsetDateTime,
) -> Result<Result<(), CodeFailure>, AccountError> {
    let email = email_of(member)?;
    let code = code.to_owned();
    let purpose = CodePurpose::SignIn(Realm::Member);
    Ok(database::transaction(pool, |conn| {
        async move {
            let checked = check_code_in(conn, keys, purpose, &email, &code, client, now).await?;
            if checked.is_ok() {
                sessions::mark_code_verified(conn, session_id, now).await?;
            }
            Ok::<_, DbError>(checked)
        }
        .scope_boxed()
    })
    .await?)
}

/// What became of a request to move the account to a new address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeRequested {
    /// A code went to the new address.
    Sent,
    /// That is the member's address already.
    Same,
    Limited(super::limits::Limited),
}

/// Sends a code to `new_email`. Whether another member holds the address is not told
/// here: only to whoever proves they read its mail.
pub async fn request_email_change(
    pool: &database::Pool,
    keys: &KeyRing,
    member: &Member,
    new_email: &Email,
    client: IpAddr,
    now: OffsetDateTime,
) -> Result<ChangeRequested, AccountError> {
    if new_email.normalized() == member.email_normalized {
        return Ok(ChangeRequested::Same);
    }
    let purpose = CodePurpose::EmailChange {
        member_id: member.id,
    };
    let lang = language_of(member);
    Ok(
        match send_code(pool, keys, purpose, new_email, client, lang, now).await? {
            CodeRequested::Sent => ChangeRequested::Sent,
            CodeRequested::Limited(limited) => ChangeRequested::Limited(limited),
        },
    )
}

/// The answer to the code sent to the new address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeConfirmed {
    Changed,
    /// Another member has this address; nothing changed.
    Taken,
    Code(CodeFailure),
}

/// Checks the code sent to `new_email`; the right one moves the account there, unless
/// another member holds the address.
pub async fn confirm_email_change(
    pool: &database::Pool,
    keys: &KeyRing,
    member_id: i64,
    new_email: &Email,
    code: &str,
    client: IpAddr,
    now: OffsetDateTime,
) -> Result<ChangeConfirmed, AccountError> {
    let purpose = CodePurpose::EmailChange { member_id };
    let email = new_email.clone();
    let code = code.to_owned();
    Ok(database::transaction(pool, |conn| {
        async move {
            if let Err(failure) =
                check_code_in(conn, keys, purpose, &email, &code, client, now).await?
            {
                return Ok(ChangeConfirmed::Code(failure));
            }
            let changed =
                members::change_email(conn, member_id, email.as_str(), email.normalized()).await?;
            Ok::<_, DbError>(match changed {
                EmailChange::Changed => ChangeConfirmed::Changed,
                EmailChange::Taken => ChangeConfirmed::Taken,
            })
        }
        .scope_boxed()
    })
    .await?)
}

/// The address a deleted member's row keeps: unique, and never deliverable.
pub fn placeholder_email(member_id: i64) -> String {
    format!("deleted-{member_id}@invalid")
}

/// Deletes the account, in one transaction: personal data erased from the member row
/// (see [`members::anonymise`]), emails to them cancelled and blanked, every session
/// revoked, codes and sign-in links removed. Wallets and entries stay: the partners'
/// ledger totals do not change. Signing in with the old address later makes a new
/// account.
pub async fn delete_account(
    pool: &database::Pool,
    member_id: i64,
    now: OffsetDateTime,
) -> Result<(), AccountError> {
    let placeholder = placeholder_email(member_id);
    Ok(database::transaction(pool, |conn| {
        async move {
            let member = members::find_by_id(conn, member_id)
                .await?
                .ok_or(DbError::NotFound("member"))?;
            if member.deleted_at.is_some() {
                return Ok(());
            }
            let old = member.email_normalized.as_str();
            member_data::erase_emails(conn, member_id, old, &placeholder).await?;
            codes::delete_for(conn, "member", old, None).await?;
            let prefix = format!("{member_id}:");
            codes::delete_for(conn, "email_change", old, Some(&prefix)).await?;
            sessions::delete_links_of_member(conn, member_id).await?;
            sessions::revoke_all_of_member(conn, member_id, now).await?;
            members::anonymise(conn, member_id, &placeholder, now).await?;
            Ok::<_, DbError>(())
        }
        .scope_boxed()
    })
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_opens_the_sensitive_actions_for_ten_minutes() {
        let now = time::macros::datetime!(2026-12-01 12:00 UTC);
        assert!(!code_is_recent(None, now));
        assert!(code_is_recent(Some(now), now));
        assert!(code_is_recent(Some(now - Duration::minutes(9)), now));
        assert!(!code_is_recent(Some(now - Duration::minutes(10)), now));
        assert!(!code_is_recent(Some(now - Duration::hours(3)), now));
    }
}
