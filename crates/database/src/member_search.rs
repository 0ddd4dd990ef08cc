//! Members as one partner sees them: a member is the partner's only once they have a
//! wallet on one of the partner's cards. Lookup by email, member code or member number,
//! the partner's member list (newest first, paged), a member's wallets on the partner's
//! cards with their tiers, and a wallet's entries (newest first, paged) with the staff
//! user who made each.
//!
//! Members are a global table; every query here is scoped by the partner's wallets, so
//! no other partner's members or entries are ever returned. Deleted members (personal
//! data erased) are not found.

use diesel::dsl::{exists, min};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

use crate::catalog::{Card, CardTier};
use crate::members::Member;
use crate::posting::Entry;
use crate::schema::{card_tiers, cards, entries, members, partner_users, wallets};
use crate::wallets::Wallet;
use crate::DbError;

/// How a partner names a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberKey<'a> {
    /// The address trimmed and lower-cased by the caller (identity's `Email`).
    Email(&'a str),
    /// The member code in upper case, as printed on the card.
    Code(&'a str),
    Number(i64),
}

/// The partner's member named by `key`, if the member has a wallet on one of its cards.
pub async fn find(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    key: MemberKey<'_>,
) -> Result<Option<Member>, DbError> {
    let visible = members::table
        .filter(members::deleted_at.is_null())
        .filter(exists(
            wallets::table
                .filter(wallets::partner_id.eq(partner_id))
                .filter(wallets::member_id.eq(members::id)),
        ))
        .select(Member::as_select());
    let found = match key {
        MemberKey::Email(email) => {
            visible
                .filter(members::email_normalized.eq(email))
                .first(conn)
                .await
        }
        MemberKey::Code(code) => visible.filter(members::code.eq(code)).first(conn).await,
        MemberKey::Number(n) => visible.filter(members::number.eq(n)).first(conn).await,
    };
    Ok(found.optional()?)
}

/// The partner's member with id `member_id` (another partner's member is not found).
pub async fn find_by_id(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    member_id: i64,
) -> Result<Option<Member>, DbError> {
    Ok(members::table
        .filter(members::id.eq(member_id))
        .filter(members::deleted_at.is_null())
        .filter(exists(
            wallets::table
                .filter(wallets::partner_id.eq(partner_id))
                .filter(wallets::member_id.eq(members::id)),
        ))
        .select(Member::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// One member of the partner's list.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub member: Member,
    /// When the member's first wallet on the partner's cards was created.
    pub joined_at: OffsetDateTime,
    /// The cursor of this row: pass it as `before` for the next page.
    pub cursor: i64,
}

/// The partner's members, newest to join first, `limit` at a time from `before` (a
/// previous row's cursor). With `text`, only members whose email or name contains it,
/// or whose member code or number is it.
pub async fn list(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    text: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Listed>, DbError> {
    let text = text.map(str::trim).unwrap_or_default();
    let pattern = format!("%{}%", escape_like(&text.to_lowercase()));
    let code = text.to_uppercase();
    let number = text.parse::<i64>().unwrap_or(-1);
    let rows: Vec<(Member, Option<i64>, Option<OffsetDateTime>)> = wallets::table
        .inner_join(members::table)
        .filter(wallets::partner_id.eq(partner_id))
        .filter(members::deleted_at.is_null())
        .filter(
            members::email_normalized
                .like(&pattern)
                .or(members::name.ilike(&pattern))
                .or(members::code.eq(&code))
                .or(members::number.eq(number)),
        )
        .group_by(members::id)
        .having(min(wallets::id).lt(before.unwrap_or(i64::MAX)))
        .order(min(wallets::id).desc())
        .limit(limit)
        .select((
            Member::as_select(),
            min(wallets::id),
            min(wallets::created_at),
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(member, cursor, joined_at)| {
            Some(Listed {
                member,
                joined_at: joined_at?,
                cursor: cursor?,
            })
        })
        .collect())
}

/// `%`, `_` and `\` taken literally in a LIKE pattern.
fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A member's wallet on one of the partner's cards, with the card and its tiers.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberWallet {
    pub wallet: Wallet,
    pub card: Card,
    /// The card's tiers, lowest threshold first.
    pub tiers: Vec<CardTier>,
}

/// The member's wallets on the partner's cards, in the order the member joined them.
pub async fn wallets_of(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    member_id: i64,
) -> Result<Vec<MemberWallet>, DbError> {
    let rows: Vec<(Wallet, Card)> = wallets::table
        .inner_join(
            cards::table.on(cards::partner_id
                .eq(wallets::partner_id)
                .and(cards::id.eq(wallets::card_id))),
        )
        .filter(wallets::partner_id.eq(partner_id))
        .filter(wallets::member_id.eq(member_id))
        .order(wallets::id)
        .select((Wallet::as_select(), Card::as_select()))
        .load(conn)
        .await?;
    let card_ids: Vec<i64> = rows.iter().map(|(_, card)| card.id).collect();
    let tiers: Vec<CardTier> = card_tiers::table
        .filter(card_tiers::partner_id.eq(partner_id))
        .filter(card_tiers::card_id.eq_any(&card_ids))
        .order((card_tiers::card_id, card_tiers::threshold))
        .select(CardTier::as_select())
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(wallet, card)| MemberWallet {
            tiers: tiers
                .iter()
                .filter(|t| t.card_id == card.id)
                .cloned()
                .collect(),
            wallet,
            card,
        })
        .collect())
}

/// One line of a wallet's history, with the email of the staff user who made it.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub entry: Entry,
    pub by_email: Option<String>,
}

/// The wallet's entries, newest first, `limit` at a time, older than the entry `before`
/// (an entry id of this wallet; an unknown one gives an empty page).
pub async fn entries(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    wallet_id: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<HistoryEntry>, DbError> {
    let mut query = entries::table
        .left_join(
            partner_users::table.on(partner_users::partner_id
                .eq(entries::partner_id)
                .and(partner_users::id.nullable().eq(entries::partner_user_id))),
        )
        .filter(entries::partner_id.eq(partner_id))
        .filter(entries::wallet_id.eq(wallet_id))
        .order((entries::created_at.desc(), entries::id.desc()))
        .limit(limit)
        .select((Entry::as_select(), partner_users::email.nullable()))
        .into_boxed();
    if let Some(before) = before {
        let cursor: Option<OffsetDateTime> = entries::table
            .filter(entries::partner_id.eq(partner_id))
            .filter(entries::wallet_id.eq(wallet_id))
            .filter(entries::id.eq(before))
            .select(entries::created_at)
            .first(conn)
            .await
            .optional()?;
        let Some(at) = cursor else {
            return Ok(Vec::new());
        };
        query = query.filter(
            entries::created_at
                .lt(at)
                .or(entries::created_at.eq(at).and(entries::id.lt(before))),
        );
    }
    let rows: Vec<(Entry, Option<String>)> = query.load(conn).await?;
    Ok(rows
        .into_iter()
        .map(|(entry, by_email)| HistoryEntry { entry, by_email })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::escape_like;

    #[test]
    fn like_wildcards_are_taken_literally() {
        assert_eq!(escape_like("a_b%c\\d"), "a\\_b\\%c\\\\d");
        assert_eq!(escape_like("ann@example.com"), "ann@example.com");
    }
}
