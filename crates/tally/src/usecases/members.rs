//! Members as a partner sees them (SPEC §2, §7, §8): finding one by the string a person
//! types (an email if it contains `@`, a member number if it is all digits, a member code
//! otherwise), the partner's member list, a member's page (wallets per card with balance,
//! tier and history in words) and a wallet as the API shows it.
//!
//! A partner sees a member only once the member has a wallet on one of its cards; every
//! function here takes the partner and finds nothing of anyone else's.

use database::catalog::Card;
use database::member_search::{self, HistoryEntry, Listed, MemberKey, MemberWallet};
use database::members::Member;
use database::posting::Entry;
use database::wallets::Wallet;
use database::DbError;
use ledger::{Money, Points};

use super::history;

/// How a person named a member: parsed once from the text they typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Trimmed and lower-cased.
    Email(String),
    Number(i64),
    /// Trimmed and upper-cased.
    Code(String),
}

impl Lookup {
    /// An email if `text` contains `@`, a member number if it is all digits, a member
    /// code otherwise; `None` for blank text or a number too large to be one.
    pub fn parse(text: &str) -> Option<Lookup> {
        let text = text.trim();
        if text.is_empty() {
            None
        } else if text.contains('@') {
            Some(Lookup::Email(text.to_lowercase()))
        } else if text.chars().all(|c| c.is_ascii_digit()) {
            text.parse().ok().map(Lookup::Number)
        } else {
            Some(Lookup::Code(text.to_uppercase()))
        }
    }

    fn key(&self) -> MemberKey<'_> {
        match self {
            Lookup::Email(e) => MemberKey::Email(e),
            Lookup::Number(n) => MemberKey::Number(*n),
            Lookup::Code(c) => MemberKey::Code(c),
        }
    }
}

/// The partner's member named by `lookup`.
pub async fn find_by(
    pool: &database::Pool,
    partner_id: i64,
    lookup: &Lookup,
) -> Result<Option<Member>, DbError> {
    let mut conn = database::pool::get(pool).await?;
    member_search::find(&mut conn, partner_id, lookup.key()).await
}

/// The partner's member named by the text a person typed (see [`Lookup::parse`]).
pub async fn find(
    pool: &database::Pool,
    partner_id: i64,
    text: &str,
) -> Result<Option<Member>, DbError> {
    match Lookup::parse(text) {
        Some(lookup) => find_by(pool, partner_id, &lookup).await,
        None => Ok(None),
    }
}

/// The partner's member with this id.
pub async fn by_id(
    pool: &database::Pool,
    partner_id: i64,
    member_id: i64,
) -> Result<Option<Member>, DbError> {
    let mut conn = database::pool::get(pool).await?;
    member_search::find_by_id(&mut conn, partner_id, member_id).await
}

/// A page of the partner's members, newest to join first.
#[derive(Debug, Clone)]
pub struct MemberPage {
    pub members: Vec<Listed>,
    /// The cursor of the next page, when there is one.
    pub next: Option<i64>,
}

/// The partner's members (those matching `text`, when given), `limit` from `before`.
pub async fn list(
    pool: &database::Pool,
    partner_id: i64,
    text: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> Result<MemberPage, DbError> {
    let mut conn = database::pool::get(pool).await?;
    let mut members = member_search::list(&mut conn, partner_id, text, before, limit + 1).await?;
    let more = members.len() as i64 > limit;
    members.truncate(limit.max(0) as usize);
    let next = more.then(|| members.last().map(|m| m.cursor)).flatten();
    Ok(MemberPage { members, next })
}

/// One line of a wallet's history, with its sentence.
#[derive(Debug, Clone)]
pub struct Line {
    pub entry: Entry,
    pub text: String,
}

/// A member's wallet on one card: balance, tier and (a page of) history.
#[derive(Debug, Clone)]
pub struct WalletSummary {
    pub wallet: Wallet,
    pub card: Card,
    /// The tier the member is in on this card: the highest threshold at most the points
    /// earned from purchases.
    pub tier: Option<String>,
    pub history: Vec<Line>,
    /// The entry id to page on from, when older entries exist.
    pub older: Option<i64>,
}

/// A member and their wallets on the partner's cards.
#[derive(Debug, Clone)]
pub struct Profile {
    pub member: Member,
    pub wallets: Vec<WalletSummary>,
}

/// Which page of one wallet's history the member page shows (the others show their
/// newest entries).
#[derive(Debug, Clone, Copy, Default)]
pub struct HistoryPage {
    pub card_id: Option<i64>,
    pub before: Option<i64>,
}

/// The member page: `limit` entries per wallet.
pub async fn profile(
    pool: &database::Pool,
    partner_id: i64,
    member_id: i64,
    page: HistoryPage,
    limit: i64,
) -> Result<Option<Profile>, DbError> {
    let mut conn = database::pool::get(pool).await?;
    let Some(member) = member_search::find_by_id(&mut conn, partner_id, member_id).await? else {
        return Ok(None);
    };
    let mut wallets = Vec::new();
    for w in member_search::wallets_of(&mut conn, partner_id, member_id).await? {
        let before = page.before.filter(|_| page.card_id == Some(w.card.id));
        let (history, older) = history_page(&mut conn, &w.wallet, before, limit).await?;
        wallets.push(WalletSummary {
            tier: tier_of(&w),
            wallet: w.wallet,
            card: w.card,
            history,
            older,
        });
    }
    Ok(Some(Profile { member, wallets }))
}

async fn history_page(
    conn: &mut database::Connection,
    wallet: &Wallet,
    before: Option<i64>,
    limit: i64,
) -> Result<(Vec<Line>, Option<i64>), DbError> {
    let mut rows =
        member_search::entries(conn, wallet.partner_id, wallet.id, before, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit.max(0) as usize);
    let older = more.then(|| rows.last().map(|r| r.entry.id)).flatten();
    let lines = rows
        .into_iter()
        .map(|HistoryEntry { entry, by_email }| Line {
            text: history::describe(&entry, by_email.as_deref()),
            entry,
        })
        .collect();
    Ok((lines, older))
}

/// The ledger's tier rule over the card's tiers; a tier that no longer validates is
/// skipped rather than failing the page.
fn tier_of(w: &MemberWallet) -> Option<String> {
    let tiers: Vec<ledger::Tier> = w.tiers.iter().filter_map(|t| t.tier().ok()).collect();
    ledger::tier_for(&tiers, Points::new(w.wallet.earned_points)).map(|t| t.name().to_owned())
}

/// A wallet as the API shows it.
#[derive(Debug, Clone)]
pub struct WalletView {
    pub wallet: Wallet,
    /// What the balance is worth in store discount, when the card is linked to an active
    /// store with the points discount on.
    pub value: Option<Money>,
    pub entries: Vec<Entry>,
    /// The entry id to page on from, when older entries exist.
    pub next: Option<i64>,
}

/// The member's wallet on the partner's card, with `limit` entries from `before`.
/// `discounts` says whether store discounts exist at all (the WooCommerce feature).
pub async fn wallet(
    pool: &database::Pool,
    partner_id: i64,
    card_id: i64,
    member_id: i64,
    page: (Option<i64>, i64),
    discounts: bool,
) -> Result<Option<WalletView>, DbError> {
    let (before, limit) = page;
    let mut conn = database::pool::get(pool).await?;
    if member_search::find_by_id(&mut conn, partner_id, member_id)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    let Some(wallet) = database::wallets::find(&mut conn, partner_id, card_id, member_id).await?
    else {
        return Ok(None);
    };
    let mut rows =
        member_search::entries(&mut conn, partner_id, wallet.id, before, limit + 1).await?;
    drop(conn);
    let more = rows.len() as i64 > limit;
    rows.truncate(limit.max(0) as usize);
    let next = more.then(|| rows.last().map(|r| r.entry.id)).flatten();
    let value = if discounts {
        super::redeem::offer::offer(pool, partner_id, card_id, wallet.balance)
            .await?
            .map(|o| o.balance_value)
    } else {
        None
    };
    Ok(Some(WalletView {
        wallet,
        value,
        entries: rows.into_iter().map(|r| r.entry).collect(),
        next,
    }))
}

#[cfg(test)]
mod tests {
    use super::Lookup;

    #[test]
    fn a_lookup_is_an_email_with_an_at_sign_a_number_when_all_digits_else_a_code() {
        assert_eq!(
            Lookup::parse("  Ann@Example.COM "),
            Some(Lookup::Email("ann@example.com".into()))
        );
        assert_eq!(Lookup::parse("1042"), Some(Lookup::Number(1042)));
        assert_eq!(
            Lookup::parse(" ab3cd4ef"),
            Some(Lookup::Code("AB3CD4EF".into()))
        );
        assert_eq!(Lookup::parse("12a"), Some(Lookup::Code("12A".into())));
        assert_eq!(Lookup::parse("   "), None);
        assert_eq!(Lookup::parse("99999999999999999999999"), None);
    }
}
