//! The WooCommerce endpoints of the partner API (SPEC §3, §8) against the running binary,
//! its database and the store simulator over HTTPS.

use reqwest::Method;
use serde_json::{json, Value};
use tests::woo::Store;
use tests::{api_token, TestServer};
use woo_sim::{Sim, SimOptions};

#[path = "api_integrations/lifecycle.rs"]
mod lifecycle;
#[path = "api_integrations/receipts.rs"]
mod receipts;

const SECRET: &str = "s3cretAlphanumeric42";
const BASE: &str = "/api/v1/integrations/woocommerce";

struct World {
    server: TestServer,
    sim: Sim,
    /// A partner with an active USD card (and a seeded integration for https://shop.test).
    shop: Store,
    token: String,
}

async fn world_with(feature: &str) -> World {
    let sim = Sim::start(SimOptions::default()).await.unwrap();
    let ca = sim.ca_cert_path().to_str().unwrap().to_owned();
    let server = TestServer::start_with(&[
        ("FEATURE_WOOCOMMERCE", feature),
        ("WOO_ALLOW_PRIVATE_NETWORKS", "true"),
        ("WOO_EXTRA_CA_CERT", &ca),
        // Nothing listens there: the store's ping during webhook creation fails fast.
        ("PUBLIC_BASE_URL", "http://127.0.0.1:9"),
    ])
    .await;
    let shop = Store::connect_in(&server.db, SECRET, "Corner Café").await;
    let token = api_token(&server, shop.partner_id).await;
    World {
        server,
        sim,
        shop,
        token,
    }
}

async fn world() -> World {
    world_with("true").await
}

impl World {
    async fn call_as(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self.server.client.request(method, self.server.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
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

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        self.call_as(Some(&self.token), method, path, body).await
    }

    fn form(&self, (ck, cs): (String, String)) -> Value {
        json!({"card_id": self.shop.card.id.to_string(), "store_url": self.sim.base_url(), "consumer_key": ck, "consumer_secret": cs})
    }

    /// Connects the simulator with the read-write key; returns the integration JSON.
    async fn connect(&self) -> Value {
        let (status, body) = self
            .call(
                Method::POST,
                BASE,
                Some(self.form(self.sim.read_write_key())),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body
    }
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

fn id_path(integration: &Value) -> String {
    format!("{BASE}/{}", integration["id"].as_str().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connecting_registers_the_webhook_and_answers_every_field() {
    let w = world().await;
    let created = w.connect().await;
    let hooks = w.sim.webhooks();
    assert_eq!(hooks.len(), 1);
    assert_eq!(created["webhook"]["mode"], "automatic");
    assert_eq!(created["webhook"]["id"], hooks[0].id);
    let delivery_url = format!(
        "http://127.0.0.1:9/webhooks/woocommerce/{}",
        created["public_id"].as_str().unwrap()
    );
    assert_eq!(created["webhook"]["delivery_url"], delivery_url.as_str());
    assert_eq!(hooks[0].delivery_url, delivery_url);
    assert_eq!(hooks[0].topic, "order.updated");
    assert!(
        created["webhook"].get("secret").is_none(),
        "the secret is shown in manual mode only"
    );

    let (status, got) = w.call(Method::GET, &id_path(&created), None).await;
    assert_eq!(status, 200, "{got}");
    for field in [
        "id",
        "public_id",
        "card_id",
        "store_url",
        "status",
        "webhook",
        "last_delivery_at",
        "counts_24h",
        "last_failure",
        "currency_warning",
        "settings",
    ] {
        assert!(got.get(field).is_some(), "{field} missing in {got}");
    }
    assert!(got["id"].is_string() && got["card_id"] == w.shop.card.id.to_string().as_str());
    assert_eq!(
        (got["store_url"].as_str(), got["status"].as_str()),
        (Some(w.sim.base_url().as_str()), Some("active"))
    );
    for field in ["mode", "id", "delivery_url", "health"] {
        assert!(
            got["webhook"].get(field).is_some(),
            "webhook.{field} missing in {got}"
        );
    }
    assert_eq!(
        got["counts_24h"],
        json!({"processed": 0, "ignored": 0, "skipped": 0, "failed": 0})
    );
    assert_eq!(
        (got["last_failure"].clone(), got["currency_warning"].clone()),
        (Value::Null, Value::Null)
    );
    assert_eq!(
        got["settings"],
        json!({"award_on": "processing_or_completed", "partial_refunds": "ignore", "email_language": "en",
               "discount": {"enabled": false, "value_per_point": "0.05", "min_points": 1000, "max_points": null, "code_prefix": "POINTS", "valid_days": 7}})
    );

    let (status, again) = w
        .call(Method::POST, BASE, Some(w.form(w.sim.read_write_key())))
        .await;
    assert_eq!(
        (status, code(&again)),
        (409, "already_connected"),
        "{again}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_key_connects_in_manual_mode_and_shows_the_secret() {
    let w = world().await;
    let (status, body) = w
        .call(Method::POST, BASE, Some(w.form(w.sim.read_only_key())))
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        (
            body["webhook"]["mode"].as_str(),
            body["webhook"]["id"].clone()
        ),
        (Some("manual"), Value::Null)
    );
    let secret = body["webhook"]["secret"].as_str().unwrap();
    assert!(
        secret.len() == 64 && secret.chars().all(|c| c.is_ascii_hexdigit()),
        "{secret}"
    );
    assert!(w.sim.webhooks().is_empty());
    let (_, got) = w.call(Method::GET, &id_path(&body), None).await;
    assert_eq!(got["webhook"]["secret"], secret);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_refusals_carry_their_codes_and_hints() {
    let w = world().await;
    let mut http = w.form(w.sim.read_write_key());
    http["store_url"] = json!(w.sim.base_url().replace("https://", "http://"));
    let (status, body) = w.call(Method::POST, BASE, Some(http)).await;
    assert_eq!(
        (status, code(&body)),
        (422, "store_url_not_https"),
        "{body}"
    );
    assert_eq!(body["error"]["message"], "Store URL must use HTTPS");

    let (status, body) = w
        .call(
            Method::POST,
            BASE,
            Some(w.form(("ck_wrong".into(), "cs_wrong".into()))),
        )
        .await;
    assert_eq!((status, code(&body)), (502, "store_auth_failed"), "{body}");
    assert!(
        body["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("Wrong key"),
        "{body}"
    );

    let mut unreachable = w.form(w.sim.read_write_key());
    unreachable["store_url"] = json!("https://127.0.0.1:9");
    let (status, body) = w.call(Method::POST, BASE, Some(unreachable)).await;
    assert_eq!((status, code(&body)), (502, "store_unreachable"), "{body}");
    assert!(body["error"]["hint"].is_string());

    let other = Store::connect_in(&w.server.db, SECRET, "Elsewhere").await;
    let mut foreign = w.form(w.sim.read_write_key());
    foreign["card_id"] = json!(other.card.id.to_string());
    let (status, body) = w.call(Method::POST, BASE, Some(foreign)).await;
    assert_eq!((status, code(&body)), (422, "validation_failed"), "{body}");

    let (status, body) = w
        .call(
            Method::POST,
            BASE,
            Some(json!({"store_url": w.sim.base_url()})),
        )
        .await;
    assert_eq!((status, code(&body)), (400, "validation_failed"), "{body}");
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["card_id", "consumer_key", "consumer_secret"]);
    let res = w
        .server
        .client
        .post(w.server.url(BASE))
        .bearer_auth(&w.token)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(code(&res.json().await.unwrap()), "validation_failed");
    assert!(w.sim.webhooks().is_empty(), "nothing was connected");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_reads_the_webhook_from_the_store_and_sees_it_disabled() {
    let w = world().await;
    let created = w.connect().await;
    let (ck, cs) = w.sim.read_write_key();
    let http = reqwest::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(w.sim.ca_cert_pem().as_bytes()).unwrap(),
        )
        .build()
        .unwrap();
    let res = http
        .put(format!(
            "{}/wp-json/wc/v3/webhooks/{}",
            w.sim.base_url(),
            created["webhook"]["id"]
        ))
        .basic_auth(ck, Some(cs))
        .json(&json!({"status": "disabled"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (status, got) = w
        .call(
            Method::GET,
            &format!("{}?refresh=true", id_path(&created)),
            None,
        )
        .await;
    assert_eq!(
        (status, got["webhook"]["health"].as_str()),
        (200, Some("disabled")),
        "{got}"
    );
    let (_, cached) = w.call(Method::GET, &id_path(&created), None).await;
    assert_eq!(
        cached["webhook"]["health"], "disabled",
        "the last check is remembered"
    );
    let (status, body) = w
        .call(
            Method::GET,
            &format!("{}?refresh=maybe", id_path(&created)),
            None,
        )
        .await;
    assert_eq!((status, code(&body)), (400, "validation_failed"));
}
