//! A partner user's own browser in a test: its own cookies, signed in at
//! `/partner/login` with the code from the dev mailbox; and points posted at a chosen
//! moment, for the pages that show what happened when.

use database::posting::{self, EntrySource, Posting};
use database::{members, pool, wallets};
use ledger::{Channel, EntryKind, Points};

use super::html::{csrf, field_value, six_digit_code};
use super::mailbox::mail;
use super::TestServer;

/// One signed-in (or signing-in) user of the dashboard.
#[derive(Debug)]
pub struct Dashboard {
    pub client: reqwest::Client,
    pub email: String,
    base: String,
}

impl Dashboard {
    /// A browser with no cookies yet.
    pub fn new(server: &TestServer, email: &str) -> Dashboard {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .unwrap();
        Dashboard {
            client,
            email: email.to_owned(),
            base: server.base_url.clone(),
        }
    }

    /// Signs `email` in with a code from the dev mailbox; panics unless it works.
    pub async fn sign_in(server: &TestServer, email: &str) -> Dashboard {
        let d = Dashboard::new(server, email);
        let (status, location) = d.try_sign_in(server).await;
        assert_eq!((status, location.as_str()), (303, "/partner"), "{email}");
        d
    }

    /// Asks for a code and enters the newest one mailed to this address; returns the
    /// answer's status and location.
    pub async fn try_sign_in(&self, server: &TestServer) -> (u16, String) {
        let (_, login) = self.page("/partner/login").await;
        let res = self
            .post(
                "/partner/login",
                &[("email", &self.email), ("csrf", &csrf(&login))],
            )
            .await;
        assert_eq!(res.status(), 200);
        let code_page = res.text().await.unwrap();
        let code = match mail(server, &self.email, "sign-in code").await {
            Some(email) => six_digit_code(&email).expect("a code in the email"),
            None => "000000".to_owned(),
        };
        let res = self
            .post(
                "/partner/login/code",
                &[
                    ("email", &self.email),
                    ("code", &code),
                    ("csrf", &csrf(&code_page)),
                ],
            )
            .await;
        let location = res
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .unwrap_or("")
            .to_owned();
        (res.status().as_u16(), location)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn page(&self, path: &str) -> (u16, String) {
        let res = self.get(path).await;
        (res.status().as_u16(), res.text().await.unwrap())
    }

    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .unwrap()
    }

    /// Sends a form of `page_path` to `action`: the page's CSRF token and idempotency
    /// key (or `idem` when given), and `fields`.
    pub async fn submit(
        &self,
        page_path: &str,
        action: &str,
        idem: Option<&str>,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let (status, page) = self.page(page_path).await;
        assert_eq!(status, 200, "{page_path}: {page}");
        let token = csrf(&page);
        let idem = idem
            .map(str::to_owned)
            .or_else(|| field_value(&page, "idem"))
            .unwrap_or_default();
        let mut all = vec![("csrf", token.as_str()), ("idem", idem.as_str())];
        all.extend_from_slice(fields);
        self.post(action, &all).await
    }
}

/// The member `email` (created when new) with a wallet on `card_id`; returns the
/// wallet's id. The wallet is created at `at` (the member "joins" then).
pub async fn wallet_of(
    server: &TestServer,
    partner_id: i64,
    card_id: i64,
    email: &str,
    name: &str,
    at: time::OffsetDateTime,
) -> i64 {
    let mut conn = pool::get(server.db.pool()).await.unwrap();
    let new = members::NewMember {
        email,
        email_normalized: email,
        name,
        language: "en",
        now: at,
    };
    let mut n = 0u64;
    let (member, _) = members::find_or_create(&mut conn, &new, || {
        n += 1;
        super::redeem::member_code(email, n)
    })
    .await
    .unwrap();
    let (wallet, _) = wallets::find_or_create(&mut conn, partner_id, card_id, member.id, at)
        .await
        .unwrap();
    wallet.id
}

/// An entry on a wallet as of `at`: what it is, where it came from, the points.
#[derive(Debug, Clone)]
pub struct At<'a> {
    pub kind: EntryKind,
    pub channel: Channel,
    pub points: i64,
    pub order_id: Option<&'a str>,
    pub at: time::OffsetDateTime,
}

/// Posts `entry` on the wallet (through the posting operation).
pub async fn post_at(server: &TestServer, partner_id: i64, wallet_id: i64, entry: At<'_>) {
    let key = format!(
        "test:{wallet_id}:{:?}:{}:{}",
        entry.kind,
        entry.points,
        entry.at.unix_timestamp_nanos()
    );
    posting::post(
        server.db.pool(),
        &Posting {
            partner_id,
            wallet_id,
            kind: entry.kind,
            channel: entry.channel,
            points: Points::new(entry.points),
            tier_points: Points::ZERO,
            idempotency_key: key,
            source: EntrySource {
                order_id: entry.order_id.map(Into::into),
                ..EntrySource::default()
            },
            rule: None,
            now: entry.at,
        },
    )
    .await
    .unwrap();
}
