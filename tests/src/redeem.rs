//! A partner whose card is connected to the WooCommerce simulator with the points
//! discount on, and members with points: the world of the redemption tests.

use std::time::Duration;

use database::posting::{self, EntrySource, Posting};
use database::{members, pool, redemptions, wallets};
use ledger::{Channel, EntryKind, Points};
use reqwest::Method;
use serde_json::{json, Value};
use woo_sim::{Sim, SimOptions};

use super::woo::Store;
use super::{api_token, TestServer};

pub const BASE: &str = "/api/v1/integrations/woocommerce";
pub const ANN: &str = "ann@example.com";

#[derive(Debug)]
pub struct World {
    pub server: TestServer,
    pub sim: Sim,
    pub shop: Store,
    pub token: String,
    /// The integration's id.
    pub integration: String,
}

/// A partner whose USD card is connected to the simulator, the points discount on
/// (0.05 a point, 100 to 2,000 points), and Ann with 1,500 points on the card.
pub async fn world() -> World {
    world_with(&[]).await
}

/// [`world`] with extra server settings (`TALLY_ENV=dev` for the dev mailbox, …).
pub async fn world_with(extra: &[(&str, &str)]) -> World {
    let sim = Sim::start(SimOptions::default()).await.unwrap();
    let ca = sim.ca_cert_path().to_str().unwrap().to_owned();
    let mut env = vec![
        ("FEATURE_WOOCOMMERCE", "true"),
        ("WOO_ALLOW_PRIVATE_NETWORKS", "true"),
        ("WOO_EXTRA_CA_CERT", ca.as_str()),
        ("WOO_TIMEOUT", "1s"),
        ("PUBLIC_BASE_URL", "http://127.0.0.1:9"),
    ];
    env.extend_from_slice(extra);
    let server = TestServer::start_with(&env).await;
    let shop = Store::connect_in(&server.db, "s3cretAlphanumeric42", "Corner Café").await;
    let token = api_token(&server, shop.partner_id).await;
    let mut w = World {
        server,
        sim,
        shop,
        token,
        integration: String::new(),
    };
    let (ck, cs) = w.sim.read_write_key();
    let (status, body) = w
        .call(
            Method::POST,
            BASE,
            Some(json!({"card_id": w.shop.card.id.to_string(), "store_url": w.sim.base_url(), "consumer_key": ck, "consumer_secret": cs})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    w.integration = body["id"].as_str().unwrap().to_owned();
    let settings = json!({"discount": {"enabled": true, "value_per_point": "0.05", "min_points": 100, "max_points": 2000, "code_prefix": "CAFE", "valid_days": 7}});
    let (status, body) = w
        .call(
            Method::PATCH,
            &format!("{BASE}/{}/settings", w.integration),
            Some(settings),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    w.give(ANN, 1500).await;
    w
}

impl World {
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        self.call_keyed(method, path, body, None).await
    }

    pub async fn call_keyed(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        key: Option<&str>,
    ) -> (u16, Value) {
        let mut req = self
            .server
            .client
            .request(method, self.server.url(path))
            .bearer_auth(&self.token);
        if let Some(key) = key {
            req = req.header("Idempotency-Key", key);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Redeems `points` of `member`'s on behalf of the partner.
    pub async fn redeem(&self, member: &str, points: i64, key: Option<&str>) -> (u16, Value) {
        let path = format!("{BASE}/{}/redemptions", self.integration);
        self.call_keyed(
            Method::POST,
            &path,
            Some(json!({"member": member, "points": points})),
            key,
        )
        .await
    }

    /// A member with a wallet on the card holding `points`.
    pub async fn give(&self, email: &str, points: i64) {
        let now = time::OffsetDateTime::now_utc();
        let mut conn = pool::get(self.server.db.pool()).await.unwrap();
        let new = members::NewMember {
            email,
            email_normalized: email,
            name: "Ann",
            language: "en",
            now,
        };
        let mut n = 0u64;
        let (member, _) = members::find_or_create(&mut conn, &new, || {
            n += 1;
            member_code(email, n)
        })
        .await
        .unwrap();
        let (wallet, _) = wallets::find_or_create(
            &mut conn,
            self.shop.partner_id,
            self.shop.card.id,
            member.id,
            now,
        )
        .await
        .unwrap();
        drop(conn);
        posting::post(
            self.server.db.pool(),
            &Posting {
                partner_id: self.shop.partner_id,
                wallet_id: wallet.id,
                kind: EntryKind::Adjustment,
                channel: Channel::Api,
                points: Points::new(points),
                tier_points: Points::ZERO,
                idempotency_key: format!("test:give:{email}"),
                source: EntrySource {
                    note: Some("test".into()),
                    ..EntrySource::default()
                },
                rule: None,
                now,
            },
        )
        .await
        .unwrap();
    }

    pub async fn balance(&self, email: &str) -> i64 {
        self.shop.balance(&self.server, email).await.unwrap()
    }

    pub async fn redemption(&self, id: &str) -> redemptions::Redemption {
        let mut conn = pool::get(self.server.db.pool()).await.unwrap();
        redemptions::find(&mut conn, self.shop.partner_id, id.parse().unwrap())
            .await
            .unwrap()
            .unwrap()
    }

    /// Waits for the worker to finish redemption `id`.
    pub async fn settled(&self, id: &str) -> redemptions::Redemption {
        for _ in 0..200 {
            let r = self.redemption(id).await;
            if r.status != "pending" {
                return r;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("redemption {id} stayed pending:\n{}", self.server.logs());
    }

    /// Makes pending redemptions due now, so the worker does not wait out its lease.
    pub async fn make_due(&self) {
        let mut conn = pool::get(self.server.db.pool()).await.unwrap();
        redemptions::make_due_for_tests(&mut conn, time::OffsetDateTime::now_utc())
            .await
            .unwrap();
    }
}

/// The coupons on the store that name redemption `id`.
pub fn ours(sim: &Sim, id: &str) -> Vec<woo_sim::CouponView> {
    sim.coupons()
        .into_iter()
        .filter(|c| {
            c.meta
                .iter()
                .any(|(k, v)| k == "tally_redemption_id" && v == id)
        })
        .collect()
}

/// A member code (8 of the look-alike-free alphabet, at least one letter) from `email`.
pub fn member_code(email: &str, n: u64) -> String {
    use std::hash::{Hash, Hasher};
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (email, n).hash(&mut h);
    let mut x = h.finish();
    let mut code = String::from("T");
    for _ in 0..7 {
        code.push(ALPHABET[(x % ALPHABET.len() as u64) as usize] as char);
        x /= ALPHABET.len() as u64;
    }
    code
}
