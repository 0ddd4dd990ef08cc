//! Settings, pause and resume, disconnect; and who may call the endpoints at all.

use reqwest::Method;
use serde_json::{json, Value};
use tests::api_token;
use tests::woo::Store;

use super::{code, id_path, world, world_with, BASE, SECRET};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_change_in_part_and_each_refusal_names_its_field() {
    let w = world().await;
    let path = format!("{BASE}/{}/settings", w.shop.integration_id);
    let change = json!({"award_on": "completed", "partial_refunds": "proportional", "email_language": "nl",
        "discount": {"enabled": true, "value_per_point": "0.10", "min_points": 500, "max_points": 2000, "code_prefix": "cafe1", "valid_days": 14}});
    let (status, saved) = w.call(Method::PATCH, &path, Some(change)).await;
    assert_eq!(status, 200, "{saved}");
    let expected = json!({"award_on": "completed", "partial_refunds": "proportional", "email_language": "nl",
        "discount": {"enabled": true, "value_per_point": "0.10", "min_points": 500, "max_points": 2000, "code_prefix": "CAFE1", "valid_days": 14}});
    assert_eq!(saved, expected);
    let (_, cleared) = w
        .call(
            Method::PATCH,
            &path,
            Some(json!({"discount": {"max_points": null}})),
        )
        .await;
    assert_eq!(
        (
            cleared["discount"]["max_points"].clone(),
            cleared["discount"]["min_points"].clone()
        ),
        (Value::Null, json!(500))
    );

    let refusals = [
        (json!({"award_on": "shipped"}), "award_on"),
        (json!({"partial_refunds": "some"}), "partial_refunds"),
        (json!({"email_language": "xx"}), "email_language"),
        (
            json!({"discount": {"value_per_point": "0"}}),
            "discount.value_per_point",
        ),
        (
            json!({"discount": {"min_points": 0}}),
            "discount.min_points",
        ),
        (
            json!({"discount": {"min_points": 10.5}}),
            "discount.min_points",
        ),
        (
            json!({"discount": {"max_points": 100}}),
            "discount.max_points",
        ),
        (
            json!({"discount": {"code_prefix": "TOO-LONG-PREFIX"}}),
            "discount.code_prefix",
        ),
        (
            json!({"discount": {"valid_days": 91}}),
            "discount.valid_days",
        ),
    ];
    for (body, field) in refusals {
        let (status, res) = w.call(Method::PATCH, &path, Some(body.clone())).await;
        assert_eq!(
            (status, code(&res)),
            (422, "validation_failed"),
            "{body} → {res}"
        );
        assert_eq!(res["error"]["fields"][0]["field"], field, "{res}");
        assert!(res["error"]["message"].as_str().unwrap().contains(field));
        assert!(res["error"]["hint"]
            .as_str()
            .unwrap()
            .contains(res["error"]["fields"][0]["message"].as_str().unwrap()));
    }
    for malformed in [
        json!({"colour": "red"}),
        json!({"discount": {"enabled": "yes"}}),
        json!([1]),
    ] {
        let (status, res) = w.call(Method::PATCH, &path, Some(malformed.clone())).await;
        assert_eq!(
            (status, code(&res)),
            (400, "validation_failed"),
            "{malformed} → {res}"
        );
    }
    let (_, got) = w
        .call(
            Method::GET,
            &format!("{BASE}/{}", w.shop.integration_id),
            None,
        )
        .await;
    assert_eq!(got["settings"], cleared, "refusals changed nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_and_resume_answer_the_integration_and_409_when_already_so() {
    let w = world().await;
    let path = format!("{BASE}/{}", w.shop.integration_id);
    let (status, body) = w.call(Method::POST, &format!("{path}/resume"), None).await;
    assert_eq!((status, code(&body)), (409, "conflict"), "{body}");
    let (status, body) = w.call(Method::POST, &format!("{path}/pause"), None).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("paused")),
        "{body}"
    );
    let (status, body) = w.call(Method::POST, &format!("{path}/pause"), None).await;
    assert_eq!((status, code(&body)), (409, "conflict"), "{body}");
    let (status, body) = w.call(Method::POST, &format!("{path}/resume"), None).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("active")),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disconnecting_deletes_the_webhook_and_the_integration_is_then_gone() {
    let w = world().await;
    let created = w.connect().await;
    let path = id_path(&created);
    let (status, body) = w.call(Method::DELETE, &path, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (
            body["disconnected"].clone(),
            body["webhook_deleted"].clone()
        ),
        (json!(true), json!(true))
    );
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("Revoke the API key"));
    assert!(w.sim.webhooks().is_empty());
    for (method, suffix) in [
        (Method::GET, ""),
        (Method::DELETE, ""),
        (Method::POST, "/pause"),
        (Method::GET, "/receipts"),
    ] {
        let (status, body) = w.call(method, &format!("{path}{suffix}"), None).await;
        assert_eq!(
            (status, code(&body)),
            (404, "not_found"),
            "{suffix}: {body}"
        );
    }
}

fn every_route(id: i64) -> Vec<(Method, String)> {
    let one = format!("{BASE}/{id}");
    vec![
        (Method::POST, BASE.to_owned()),
        (Method::GET, one.clone()),
        (Method::PATCH, format!("{one}/settings")),
        (Method::POST, format!("{one}/pause")),
        (Method::POST, format!("{one}/resume")),
        (Method::DELETE, one.clone()),
        (Method::GET, format!("{one}/receipts")),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_partners_integration_is_404_and_a_missing_token_401() {
    let w = world().await;
    let other = Store::connect_in(&w.server.db, SECRET, "Elsewhere").await;
    let other_token = api_token(&w.server, other.partner_id).await;
    for (method, path) in every_route(w.shop.integration_id).into_iter().skip(1) {
        let (status, body) = w
            .call_as(Some(&other_token), method.clone(), &path, Some(json!({})))
            .await;
        assert_eq!(
            (status, code(&body)),
            (404, "not_found"),
            "{method} {path}: {body}"
        );
    }
    let (status, _) = w
        .call(Method::GET, &format!("{BASE}/not-a-number"), None)
        .await;
    assert_eq!(status, 404);
    for (method, path) in every_route(w.shop.integration_id) {
        for token in [None, Some("tly_not-a-token")] {
            let (status, body) = w
                .call_as(token, method.clone(), &path, Some(json!({})))
                .await;
            assert_eq!(
                (status, code(&body)),
                (401, "unauthorized"),
                "{method} {path}: {body}"
            );
        }
    }
    let (_, still) = w
        .call(
            Method::GET,
            &format!("{BASE}/{}", w.shop.integration_id),
            None,
        )
        .await;
    assert_eq!(still["status"], "active", "nothing changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_feature_off_every_route_is_404() {
    let w = world_with("false").await;
    for (method, path) in every_route(w.shop.integration_id) {
        for token in [Some(w.token.as_str()), None] {
            let body = Some(w.form(w.sim.read_write_key()));
            let (status, res) = w.call_as(token, method.clone(), &path, body).await;
            assert_eq!(
                (status, code(&res)),
                (404, "not_found"),
                "{method} {path}: {res}"
            );
        }
    }
    assert!(w.sim.webhooks().is_empty());
}
