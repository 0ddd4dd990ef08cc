//! What Tally holds about one member beyond the member row, wallets and entries: the
//! reads of the data export (redemptions, emails) and the erasure of the member's
//! traces in the email outbox when the account is deleted.

use bigdecimal::BigDecimal;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::{Date, OffsetDateTime};

use crate::schema::{email_outbox, redemptions, wallets};
use crate::DbError;

diesel::define_sql_function! {
    /// PostgreSQL's `lower(text)`.
    fn lower(x: Text) -> Text;
}

/// A redemption as its member sees it.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = redemptions, check_for_backend(diesel::pg::Pg))]
pub struct MemberRedemption {
    pub partner_id: i64,
    pub id: i64,
    pub wallet_id: i64,
    pub points: i64,
    pub amount: BigDecimal,
    pub currency: String,
    pub code: String,
    pub status: String,
    pub expires_on: Date,
    pub created_at: OffsetDateTime,
}

/// Every redemption on the member's wallets, oldest first.
pub async fn redemptions_of_member(
    conn: &mut AsyncPgConnection,
    member_id: i64,
) -> Result<Vec<MemberRedemption>, DbError> {
    Ok(redemptions::table
        .inner_join(
            wallets::table.on(wallets::partner_id
                .eq(redemptions::partner_id)
                .and(wallets::id.eq(redemptions::wallet_id))),
        )
        .filter(wallets::member_id.eq(member_id))
        .order((redemptions::created_at.asc(), redemptions::id.asc()))
        .select(MemberRedemption::as_select())
        .load(conn)
        .await?)
}

/// An email Tally queued for the member (without its content, which may hold codes).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = email_outbox, check_for_backend(diesel::pg::Pg))]
pub struct MemberEmail {
    pub kind: String,
    pub to_address: String,
    pub language: String,
    pub status: String,
    pub created_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
}

/// The emails queued for the member or to their address (sign-in codes carry no
/// member), oldest first.
pub async fn emails_of_member(
    conn: &mut AsyncPgConnection,
    member_id: i64,
    email_normalized: &str,
) -> Result<Vec<MemberEmail>, DbError> {
    Ok(email_outbox::table
        .filter(
            email_outbox::member_id
                .eq(member_id)
                .or(lower(email_outbox::to_address).eq(email_normalized)),
        )
        .order((email_outbox::created_at.asc(), email_outbox::id.asc()))
        .select(MemberEmail::as_select())
        .load(conn)
        .await?)
}

/// Blanks the member's emails: the address becomes `placeholder`, the content is
/// dropped, and what was still waiting is cancelled (marked failed, never sent).
/// Returns how many rows were blanked.
pub async fn erase_emails(
    conn: &mut AsyncPgConnection,
    member_id: i64,
    email_normalized: &str,
    placeholder: &str,
) -> Result<usize, DbError> {
    let mine = email_outbox::member_id
        .eq(member_id)
        .or(lower(email_outbox::to_address).eq(email_normalized));
    diesel::update(email_outbox::table)
        .filter(mine)
        .filter(email_outbox::status.eq("pending"))
        .set((
            email_outbox::status.eq("failed"),
            email_outbox::last_error.eq("cancelled: the account was deleted"),
        ))
        .execute(conn)
        .await?;
    Ok(diesel::update(email_outbox::table)
        .filter(
            email_outbox::member_id
                .eq(member_id)
                .or(lower(email_outbox::to_address).eq(email_normalized)),
        )
        .set((
            email_outbox::to_address.eq(placeholder),
            email_outbox::payload.eq(serde_json::json!({})),
        ))
        .execute(conn)
        .await?)
}
