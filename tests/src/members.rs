//! Members with wallets and history in a test database: a member joining a store's card,
//! a counter purchase through the earn use case, and reading a wallet back.

use database::members::{self, Member, NewMember};
use database::posting::{self, Entry, EntrySource};
use database::wallets::{self, Wallet};
use database::{pool, ScopedFutureExt};
use ledger::{Channel, Currency, Money};
use tally::usecases::earn::{earn, EarnError, Purchase};

use super::woo::Store;
use super::TestServer;

/// `email` (named `name`) with a wallet on the store's card; returns the member.
pub async fn join(server: &TestServer, shop: &Store, email: &str, name: &str) -> Member {
    let now = time::OffsetDateTime::now_utc();
    let mut conn = pool::get(server.db.pool()).await.unwrap();
    let normalized = email.trim().to_lowercase();
    let new = NewMember {
        email,
        email_normalized: &normalized,
        name,
        language: "en",
        now,
    };
    let rng = ring::rand::SystemRandom::new();
    let (member, _) =
        members::find_or_create(&mut conn, &new, || coupons::random_code(&rng, 8).unwrap())
            .await
            .unwrap();
    wallets::find_or_create(&mut conn, shop.partner_id, shop.card.id, member.id, now)
        .await
        .unwrap();
    member
}

/// The member's wallet on the store's card.
pub async fn wallet(server: &TestServer, shop: &Store, member: &Member) -> Wallet {
    let mut conn = pool::get(server.db.pool()).await.unwrap();
    wallets::find(&mut conn, shop.partner_id, shop.card.id, member.id)
        .await
        .unwrap()
        .expect("a wallet on the card")
}

/// A purchase of `amount` USD at the counter, as the counter page records it (the first
/// one carries the welcome bonus).
pub async fn counter_purchase(server: &TestServer, shop: &Store, member: &Member, amount: &str) {
    let wallet_id = wallet(server, shop, member).await.id;
    let key = format!("test:counter:{}:{amount}", member.id);
    let amount = Money::parse(amount, Currency::parse("USD").unwrap()).unwrap();
    let card = shop.card.clone();
    database::transaction(server.db.pool(), |conn| {
        async move {
            earn(
                conn,
                &Purchase {
                    card: &card,
                    tiers: &[],
                    wallet_id,
                    locked_wallet: None,
                    amount: &amount,
                    channel: Channel::Counter,
                    idempotency_key: key,
                    source: EntrySource::default(),
                    now: time::OffsetDateTime::now_utc(),
                },
            )
            .await
            .map(|_| ())
        }
        .scope_boxed()
    })
    .await
    .map_err(|e: EarnError| e.to_string())
    .unwrap();
}

/// The wallet's entries, newest first.
pub async fn entries(server: &TestServer, shop: &Store, member: &Member) -> Vec<Entry> {
    let wallet_id = wallet(server, shop, member).await.id;
    let mut conn = pool::get(server.db.pool()).await.unwrap();
    posting::entries_of_wallet(&mut conn, shop.partner_id, wallet_id, 1000)
        .await
        .unwrap()
}
