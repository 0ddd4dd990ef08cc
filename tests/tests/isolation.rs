//! Partner isolation, walked over the router's own route table
//! (`tally::http::routes::table()`): every dashboard and API route that names one of the
//! first partner's things is tried with a second partner's session or token and must
//! answer 404, as for something that does not exist; every owner-only route answers
//! 403 to the first partner's staff. A route added later is walked too; one whose
//! path parameter or request body the walk does not know fails it until it is taught.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{json, Value};
use tally::http::routes::{table, Access, Route};
use tests::redeem::{world_with, World, ANN};
use tests::session::{sign_in_partner, PartnerSession};
use tests::{api_token, partner};

/// The first partner's things, by path parameter name.
struct Ids(BTreeMap<&'static str, String>);

impl Ids {
    /// The route's path with every parameter replaced by the first partner's id.
    fn fill(&self, route: &Route) -> Option<String> {
        let mut path = String::new();
        let mut rest = route.path;
        let mut named = false;
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}').expect("a closed parameter") + open;
            let name = &rest[open + 1..close];
            let value = self.0.get(name).unwrap_or_else(|| {
                panic!(
                    "{} {}: the isolation walk does not know the parameter {{{name}}}; \
                     add the first partner's {name} to Ids",
                    route.method, route.path
                )
            });
            path.push_str(&rest[..open]);
            path.push_str(value);
            rest = &rest[close + 1..];
            named = true;
        }
        path.push_str(rest);
        named.then_some(path)
    }
}

/// Form fields a dashboard POST needs to get past parsing, by route path.
fn form_fields(route: &Route) -> Vec<(&'static str, &'static str)> {
    let idem = ("idem", "isolation-walk-key");
    let fields: &[(&str, &str)] = match route.path {
        "/partner/integrations/woocommerce/{id}/settings" => &[
            ("award_on", "completed"),
            ("partial_refunds", "ignore"),
            ("email_language", "en"),
            ("value_per_point", "0.05"),
            ("min_points", "100"),
            ("max_points", ""),
            ("code_prefix", "X"),
            ("valid_days", "7"),
        ],
        "/partner/integrations/woocommerce/{id}/redeem" => &[("member", ANN), ("points", "100")],
        "/partner/integrations/woocommerce/{id}/disconnect" => &[("confirm", "yes")],
        p if p.starts_with("/partner/integrations/woocommerce/{id}/") => &[],
        "/partner/integrations/woocommerce" => &[
            ("card_id", "1"),
            ("store_url", "https://shop.example"),
            ("consumer_key", "ck_x"),
            ("consumer_secret", "cs_x"),
        ],
        "/partner/members/{member_id}/adjustments" => &[
            ("card_id", "1"),
            ("points", "5"),
            ("note", "Isolation walk"),
        ],
        "/partner/cards" | "/partner/cards/{card_id}" => &[
            ("name", "Walk Card"),
            ("currency", "USD"),
            ("points_per_unit", "1"),
            ("unit_amount", "1.00"),
            ("rounding", "down"),
            ("min_purchase_amount", "0"),
            ("min_points_per_purchase", "0"),
            ("max_points_per_purchase", ""),
            ("welcome_bonus_points", "0"),
            ("active", "on"),
        ],
        "/partner/team" => &[
            ("email", "walk@corner.test"),
            ("name", ""),
            ("role", "staff"),
        ],
        "/partner/team/{user_id}/role" => &[("role", "owner")],
        "/partner/team/{user_id}/remove" | "/partner/tokens/{token_id}/revoke" => &[],
        "/partner/settings" => &[
            ("name", "Isolation walk"),
            ("business_email", "walk@corner.test"),
            ("timezone", "UTC"),
        ],
        "/partner/tokens" => &[("name", "Isolation walk")],
        other => panic!("POST {other}: the isolation walk has no sample form for it"),
    };
    let mut all = vec![idem];
    all.extend_from_slice(fields);
    all
}

/// A JSON body an API POST or PATCH needs to get past parsing, by route path.
fn api_body(route: &Route) -> Option<Value> {
    match (route.method.as_str(), route.path) {
        ("GET" | "DELETE", _) => None,
        ("PATCH", "/api/v1/integrations/woocommerce/{id}/settings") => {
            Some(json!({"award_on": "completed"}))
        }
        ("POST", "/api/v1/integrations/woocommerce/{id}/redemptions") => {
            Some(json!({"member": ANN, "points": 100}))
        }
        ("POST", p) if p.starts_with("/api/v1/integrations/woocommerce/{id}/") => Some(json!({})),
        ("POST", "/api/v1/cards/{card_id}/purchases") => {
            Some(json!({"member_email": ANN, "amount": "10.00"}))
        }
        ("PATCH", "/api/v1/cards/{card_id}") => Some(json!({"name": "Walk Card"})),
        ("POST", "/api/v1/cards/{card_id}/adjustments") => {
            Some(json!({"member": ANN, "points": 5, "note": "Isolation walk"}))
        }
        (method, other) => panic!("{method} {other}: the isolation walk has no sample body"),
    }
}

struct Walk {
    world: World,
    ids: Ids,
    /// The second partner's owner, and its API token.
    intruder: PartnerSession,
    intruder_token: String,
    /// The first partner's owner and staff member.
    owner: PartnerSession,
    staff: PartnerSession,
}

async fn walk() -> Walk {
    let world = world_with(&[("TALLY_ENV", "dev"), ("SMTP_URL", "")]).await;
    let server = &world.server;
    let now = time::OffsetDateTime::now_utc();
    let mut conn = database::pool::get(server.db.pool()).await.unwrap();
    let owner_email = database::partners::find(&mut conn, world.shop.partner_id)
        .await
        .unwrap()
        .unwrap()
        .business_email;
    let staff_email = "staff@corner.test";
    let staff = database::partners::add_user(
        &mut conn,
        &database::partners::NewPartnerUser {
            partner_id: world.shop.partner_id,
            email: staff_email,
            email_normalized: staff_email,
            name: "Sam",
            role: "staff",
            now,
        },
    )
    .await
    .unwrap()
    .unwrap();
    let ann = database::members::find_by_email(&mut conn, ANN)
        .await
        .unwrap()
        .unwrap();
    let token_hash = tests::woo::keys().token_hash(&world.token).unwrap();
    let token = database::tokens::find_active(&mut conn, &token_hash)
        .await
        .unwrap()
        .unwrap();
    drop(conn);

    // A check for missed orders, so the first partner has one to read back.
    let reconcile = format!("{}/{}/reconcile", tests::redeem::BASE, world.integration);
    let (status, body) = world.call(Method::POST, &reconcile, None).await;
    assert_eq!(status, 202, "{body}");

    let mut ids = BTreeMap::new();
    ids.insert("id", world.integration.clone());
    ids.insert("card_id", world.shop.card.id.to_string());
    ids.insert("member_id", ann.id.to_string());
    ids.insert("user_id", staff.id.to_string());
    ids.insert("token_id", token.id.to_string());

    let intruder_id = partner::create_partner(server, "Other Shop", "boss@other.test").await;
    partner::add_usd_card(server, intruder_id, "Other Card").await;
    let intruder_token = api_token(server, intruder_id).await;
    let intruder = sign_in_partner(server, "boss@other.test").await;
    let owner = sign_in_partner(server, &owner_email).await;
    let staff = sign_in_partner(server, staff_email).await;
    Walk {
        world,
        ids: Ids(ids),
        intruder,
        intruder_token,
        owner,
        staff,
    }
}

async fn dashboard_call(session: &PartnerSession, route: &Route, path: &str) -> (u16, String) {
    if route.method.as_str() == "GET" {
        session.page(path).await
    } else {
        session.post_form(path, &form_fields(route)).await
    }
}

async fn api_call(world: &World, token: &str, route: &Route, path: &str) -> (u16, String) {
    let mut req = world
        .server
        .client
        .request(method(route), world.server.url(path))
        .bearer_auth(token)
        .header("Idempotency-Key", "isolation-walk-key");
    if let Some(body) = api_body(route) {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// The route's method, for the test's HTTP client.
fn method(route: &Route) -> Method {
    Method::from_bytes(route.method.as_str().as_bytes()).unwrap()
}

fn partner_routes() -> Vec<Route> {
    table()
        .into_iter()
        .filter(|r| matches!(r.access, Access::Partner | Access::Owner | Access::Api))
        .collect()
}

#[tokio::test]
async fn another_partners_session_or_token_finds_nothing_of_the_first_partners() {
    let w = walk().await;
    let mut walked = 0;
    for route in partner_routes() {
        let Some(path) = w.ids.fill(&route) else {
            continue;
        };
        // The first partner's own ids are real: its owner (or token) reads them.
        if route.method.as_str() == "GET" {
            let (status, body) = if route.access == Access::Api {
                api_call(&w.world, &w.world.token, &route, &path).await
            } else {
                w.owner.page(&path).await
            };
            assert_eq!(status, 200, "the owner reads GET {path}: {body}");
        }
        let (status, body) = if route.access == Access::Api {
            api_call(&w.world, &w.intruder_token, &route, &path).await
        } else {
            dashboard_call(&w.intruder, &route, &path).await
        };
        assert_eq!(
            status,
            404,
            "{} {path} with another partner's {}: {body}",
            route.method,
            if route.access == Access::Api {
                "token"
            } else {
                "session"
            }
        );
        walked += 1;
    }
    assert!(walked >= 20, "the walk covered {walked} routes");
    // Nothing of the first partner's shows in the second partner's lists.
    for route in partner_routes() {
        if route.method.as_str() != "GET" || w.ids.fill(&route).is_some() {
            continue;
        }
        let (status, body) = if route.access == Access::Api {
            api_call(&w.world, &w.intruder_token, &route, route.path).await
        } else {
            w.intruder.page(route.path).await
        };
        if status == 200 {
            for secret in [
                ANN,
                w.world.shop.card.name.as_str(),
                &w.world.sim.base_url(),
            ] {
                assert!(!body.contains(secret), "GET {} shows {secret}", route.path);
            }
        }
    }
    // The second partner still works normally: the walk did not just break sign-in.
    let (status, _) = w.intruder.page("/partner").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn staff_are_refused_every_owner_only_route() {
    let w = walk().await;
    let mut refused = 0;
    for route in table().into_iter().filter(|r| r.access == Access::Owner) {
        let path = w.ids.fill(&route).unwrap_or_else(|| route.path.to_owned());
        let (status, body) = dashboard_call(&w.staff, &route, &path).await;
        assert_eq!(status, 403, "staff {} {path}: {body}", route.method);
        assert!(body.contains("Only the owner"), "{body}");
        refused += 1;
    }
    assert!(refused >= 8, "{refused} owner-only routes");
    // Staff still use the routes open to them.
    for route in table().into_iter().filter(|r| r.access == Access::Partner) {
        if route.method.as_str() == "GET" {
            let path = w.ids.fill(&route).unwrap_or_else(|| route.path.to_owned());
            let (status, body) = w.staff.page(&path).await;
            assert_eq!(status, 200, "staff GET {path}: {body}");
            // Staff are not offered the owner's buttons they would be refused.
            for owners in [
                ">Pause<",
                ">Save settings<",
                ">Connect the store<",
                "Disconnect…",
            ] {
                assert!(!body.contains(owners), "staff GET {path} offers {owners}");
            }
        }
    }
}
