//! The dashboard's cards over HTTP against the running binary: the list with each
//! card's key rules, the card form (create, edit, every rule and the tiers), the preview
//! of what purchases earn under the saved rules, refusals shown beside their fields with
//! what was typed, a double submit, CSRF, the activity log, staff who may look but not
//! change, and another partner's card.

use reqwest::Method;
use tests::html::{field_value, unescape};
use tests::session::{sign_in_partner, PartnerSession};
use tests::{partner, TestServer};

const OWNER: &str = "owner@corner.test";
const STAFF: &str = "staff@corner.test";

struct Dash {
    server: TestServer,
    partner_id: i64,
    owner: PartnerSession,
}

async fn dash() -> Dash {
    let server = TestServer::start_with(&[("TALLY_ENV", "dev"), ("SMTP_URL", "")]).await;
    let partner_id = partner::create_partner(&server, "Corner Café", OWNER).await;
    let owner = sign_in_partner(&server, OWNER).await;
    Dash {
        server,
        partner_id,
        owner,
    }
}

/// Every field of the form, as an owner would fill it in.
fn rules(name: &str) -> Vec<(&'static str, String)> {
    [
        ("name", name),
        ("currency", "EUR"),
        ("points_per_unit", "2"),
        ("unit_amount", "1.00"),
        ("rounding", "nearest"),
        ("min_purchase_amount", "10.00"),
        ("min_points_per_purchase", "5"),
        ("max_points_per_purchase", "150"),
        ("welcome_bonus_points", "50"),
        ("active", "on"),
        ("tier_name_0", "Gold"),
        ("tier_threshold_0", "1000"),
        ("tier_multiplier_0", "1.5"),
        ("tier_name_1", "Silver"),
        ("tier_threshold_1", "500"),
        ("tier_multiplier_1", "1.25"),
        ("tier_name_2", "Platinum"),
        ("tier_threshold_2", "5000"),
        ("tier_multiplier_2", "2"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

fn with(
    mut fields: Vec<(&'static str, String)>,
    changes: &[(&'static str, &str)],
) -> Vec<(&'static str, String)> {
    for (key, value) in changes {
        fields.retain(|(k, _)| k != key);
        fields.push((key, (*value).to_owned()));
    }
    fields
}

/// A preview cell of the page: row `row` (0 = the first example amount), column `col`.
fn cell(html: &str, row: usize, col: usize) -> String {
    let marker = format!("data-row=\"{row}\" data-col=\"{col}\">");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no preview cell {row},{col}:\n{html}"))
        + marker.len();
    let end = html[start..].find('<').unwrap() + start;
    unescape(&html[start..end])
}

impl Dash {
    /// Sends the form of `page_path` to `action` with `fields`, the page's CSRF token
    /// and its idempotency key (or `idem`).
    async fn submit(
        &self,
        session: &PartnerSession,
        page_path: &str,
        action: &str,
        fields: &[(&'static str, String)],
        idem: Option<&str>,
    ) -> reqwest::Response {
        let (status, page) = session.page(page_path).await;
        assert_eq!(status, 200, "{page}");
        let key = idem
            .map(str::to_owned)
            .unwrap_or_else(|| field_value(&page, "idem").expect("an idempotency key"));
        let mut all: Vec<(&str, &str)> = vec![("csrf", &session.csrf), ("idem", &key)];
        all.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
        session
            .request(Method::POST, action)
            .form(&all)
            .send()
            .await
            .unwrap()
    }

    /// Creates a card through the form; returns its page's path.
    async fn create(&self, fields: &[(&'static str, String)]) -> String {
        let res = self
            .submit(
                &self.owner,
                "/partner/cards/new",
                "/partner/cards",
                fields,
                None,
            )
            .await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.ends_with("?done=created"), "{location}");
        location.trim_end_matches("?done=created").to_owned()
    }

    async fn cards(&self) -> Vec<database::catalog::CardWithTiers> {
        let mut conn = database::pool::get(self.server.db.pool()).await.unwrap();
        database::catalog::cards_page(&mut conn, self.partner_id, None, 50)
            .await
            .unwrap()
    }

    async fn staff(&self) -> PartnerSession {
        let mut conn = database::pool::get(self.server.db.pool()).await.unwrap();
        database::partners::add_user(
            &mut conn,
            &database::partners::NewPartnerUser {
                partner_id: self.partner_id,
                email: STAFF,
                email_normalized: STAFF,
                name: "Sam",
                role: "staff",
                now: time::OffsetDateTime::now_utc(),
            },
        )
        .await
        .unwrap()
        .unwrap();
        sign_in_partner(&self.server, STAFF).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_creates_a_card_with_three_tiers_and_sees_it_in_the_list() {
    let d = dash().await;
    let (status, list) = d.owner.page("/partner/cards").await;
    assert_eq!(status, 200);
    assert!(list.contains("No cards yet."), "{list}");
    let (status, form) = d.owner.page("/partner/cards/new").await;
    assert_eq!(status, 200);
    assert_eq!(
        form.matches("name=\"tier_name_").count(),
        3,
        "three tier rows without JavaScript"
    );
    assert!(form.contains("<script src=\"/static/card-preview.js\" defer></script>"));
    // The default rules' preview: 1 point per 1.00, rounded down.
    assert_eq!(cell(&form, 1, 0), "12");
    assert_eq!(cell(&form, 3, 0), "100");

    let card = d.create(&rules("Coffee Card")).await;
    let (status, page) = d.owner.page(&format!("{card}?done=created")).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("The card is created."), "{page}");
    assert_eq!(field_value(&page, "name").as_deref(), Some("Coffee Card"));
    assert_eq!(field_value(&page, "points_per_unit").as_deref(), Some("2"));
    assert_eq!(
        field_value(&page, "min_purchase_amount").as_deref(),
        Some("10.00")
    );
    assert_eq!(
        field_value(&page, "max_points_per_purchase").as_deref(),
        Some("150")
    );
    assert!(
        page.contains("<option value=\"nearest\" selected>"),
        "{page}"
    );
    // Tiers come back lowest threshold first, plus a blank row for one more.
    assert_eq!(field_value(&page, "tier_name_0").as_deref(), Some("Silver"));
    assert_eq!(field_value(&page, "tier_name_1").as_deref(), Some("Gold"));
    assert_eq!(
        field_value(&page, "tier_name_2").as_deref(),
        Some("Platinum")
    );
    assert_eq!(
        field_value(&page, "tier_multiplier_2").as_deref(),
        Some("2")
    );
    assert_eq!(field_value(&page, "tier_name_3").as_deref(), Some(""));

    let saved = d.cards().await;
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].tiers.len(), 3);
    let mut conn = database::pool::get(d.server.db.pool()).await.unwrap();
    let clubs = database::catalog::clubs_of_partner(&mut conn, d.partner_id)
        .await
        .unwrap();
    assert_eq!(clubs.len(), 1);
    assert_eq!(clubs[0].name, "Corner Café", "named after the business");

    let (_, list) = d.owner.page("/partner/cards").await;
    let list = unescape(&list);
    assert!(list.contains("Coffee Card"), "{list}");
    assert!(
        list.contains("2 points per 1.00 EUR, rounded to the nearest point"),
        "{list}"
    );
    assert!(list.contains("Minimum purchase 10.00 EUR"), "{list}");
    assert!(list.contains("At least 5 points per purchase"), "{list}");
    assert!(list.contains("At most 150 points per purchase"), "{list}");
    assert!(list.contains("Welcome bonus 50 points"), "{list}");
    assert!(
        list.contains("Silver from 500 points ×1.25 · Gold from 1,000 points ×1.5 · Platinum from 5,000 points ×2"),
        "{list}"
    );
    assert!(
        list.contains("href=\"/partner/cards/new\""),
        "the owner may add cards"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_card_page_previews_what_the_saved_rules_earn_online_and_per_tier() {
    let d = dash().await;
    let card = d.create(&rules("Coffee Card")).await;
    let (_, page) = d.owner.page(&card).await;
    let page = unescape(&page);
    for column in [
        "Online",
        "Counter, Silver ×1.25",
        "Counter, Gold ×1.5",
        "Counter, Platinum ×2",
    ] {
        assert!(
            page.contains(&format!("class=\"num\">{column}</th>")),
            "{column}: {page}"
        );
    }
    // 5.00 is below the minimum purchase of 10.00.
    assert_eq!(cell(&page, 0, 0), "0 (below minimum)");
    assert_eq!(cell(&page, 0, 3), "0 (below minimum)");
    // 12.34 × 2 = 24.68 → 25; × 1.25 = 30.85 → 31; × 1.5 = 37.02 → 37; × 2 = 49.36 → 49.
    assert_eq!(cell(&page, 1, 0), "25");
    assert_eq!(cell(&page, 1, 1), "31");
    assert_eq!(cell(&page, 1, 2), "37");
    assert_eq!(cell(&page, 1, 3), "49");
    // 50.00 × 2 = 100; at Platinum 200, capped at 150.
    assert_eq!(cell(&page, 2, 0), "100");
    assert_eq!(cell(&page, 2, 3), "150");
    assert_eq!(cell(&page, 3, 0), "150");
    assert!(page.contains(
        "Plus 50 welcome bonus points, once, with a member's first qualifying purchase."
    ));
    assert!(page
        .contains("a member who has not reached the first tier earns what they would earn online"));
    assert!(page.contains("With the saved rules."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editing_saves_every_rule_replaces_the_tiers_and_logs_who_did_it() {
    let d = dash().await;
    let card = d.create(&rules("Coffee Card")).await;
    let changed = with(
        rules("Coffee Card"),
        &[
            ("name", "Coffee Club Card"),
            ("rounding", "up"),
            ("unit_amount", "2.50"),
            ("max_points_per_purchase", ""),
            ("active", ""),
            // Silver's row emptied: Silver is gone.
            ("tier_name_1", ""),
            ("tier_threshold_1", ""),
            ("tier_multiplier_1", ""),
            ("tier_multiplier_0", "1.75"),
        ],
    );
    let res = d.submit(&d.owner, &card, &card, &changed, None).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    assert_eq!(
        res.headers()["location"],
        format!("{card}?done=saved").as_str()
    );
    let (_, page) = d.owner.page(&format!("{card}?done=saved")).await;
    assert!(page.contains("The card&#x27;s rules are saved."), "{page}");
    let saved = d.cards().await.remove(0);
    assert_eq!(saved.card.name, "Coffee Club Card");
    assert_eq!(saved.card.rounding, "up");
    assert_eq!(saved.card.unit_amount.to_string(), "2.50");
    assert_eq!(saved.card.max_points_per_purchase, None);
    assert!(!saved.card.active);
    let tiers: Vec<(String, i64, String)> = saved
        .tiers
        .iter()
        .map(|t| {
            (
                t.name.clone(),
                t.threshold,
                t.multiplier.normalized().to_string(),
            )
        })
        .collect();
    assert_eq!(
        tiers,
        [
            ("Gold".to_owned(), 1000, "1.75".to_owned()),
            ("Platinum".to_owned(), 5000, "2".to_owned())
        ]
    );
    let mut conn = database::pool::get(d.server.db.pool()).await.unwrap();
    let log = database::activity::recent(&mut conn, d.partner_id, 20)
        .await
        .unwrap();
    let owner = database::partners::users_by_email(&mut conn, OWNER)
        .await
        .unwrap()
        .remove(0);
    let entry = log
        .iter()
        .find(|e| e.action == "card_changed")
        .expect("the change is in the activity log");
    assert_eq!(entry.partner_user_id, Some(owner.id));
    assert_eq!(entry.subject.as_deref(), Some("Coffee Club Card"));
    let changes = &entry.details["changes"];
    assert_eq!(changes["rounding"]["to"], "up");
    assert_eq!(changes["name"]["from"], "Coffee Card");
    assert_eq!(changes["active"]["to"], false);
    assert_eq!(changes["tiers"]["to"].as_array().unwrap().len(), 2);
    let created = log.iter().find(|e| e.action == "card_created").unwrap();
    assert_eq!(created.partner_user_id, Some(owner.id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_form_comes_back_with_what_was_typed_and_a_message_beside_each_field() {
    let d = dash().await;
    let bad = with(
        rules("Coffee Card"),
        &[
            ("unit_amount", "0"),
            ("min_purchase_amount", "1.005"),
            ("min_points_per_purchase", "20"),
            ("max_points_per_purchase", "10"),
            ("welcome_bonus_points", "lots"),
            ("tier_threshold_1", "1000"),
            ("tier_multiplier_2", "0"),
        ],
    );
    let (_, form) = d.owner.page("/partner/cards/new").await;
    let idem = field_value(&form, "idem").unwrap();
    let res = d
        .submit(
            &d.owner,
            "/partner/cards/new",
            "/partner/cards",
            &bad,
            Some(&idem),
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = unescape(&res.text().await.unwrap());
    assert!(page.contains("The card was not saved"), "{page}");
    for message in [
        "an amount greater than 0, such as 1.00",
        "In EUR the minimum purchase can have at most 2 decimals.",
        "The maximum must be at least the minimum points per purchase (20).",
        "Enter a whole number of points, 0 or more",
        "Two tiers start at 1,000 points: give each tier its own threshold.",
        "Enter a multiplier greater than 0, such as 1.5.",
    ] {
        assert!(page.contains(message), "{message}: {page}");
    }
    // What was typed is still there.
    assert_eq!(field_value(&page, "unit_amount").as_deref(), Some("0"));
    assert_eq!(
        field_value(&page, "welcome_bonus_points").as_deref(),
        Some("lots")
    );
    assert_eq!(
        field_value(&page, "tier_threshold_1").as_deref(),
        Some("1000")
    );
    assert_eq!(
        field_value(&page, "tier_multiplier_2").as_deref(),
        Some("0")
    );
    assert!(d.cards().await.is_empty(), "nothing saved");
    // The same form, corrected, is carried out (a refusal gives its key back).
    let res = d
        .submit(
            &d.owner,
            "/partner/cards/new",
            "/partner/cards",
            &rules("Coffee Card"),
            Some(&idem),
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    assert_eq!(d.cards().await.len(), 1);

    // On the card's page, a refusal keeps the saved rules' preview and the typed values.
    let card = res.headers()["location"]
        .to_str()
        .unwrap()
        .trim_end_matches("?done=created")
        .to_owned();
    let res = d
        .submit(
            &d.owner,
            &card,
            &card,
            &with(rules(""), &[("points_per_unit", "-3")]),
            None,
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = unescape(&res.text().await.unwrap());
    assert!(
        page.contains("Give the card a name of 1 to 200 characters."),
        "{page}"
    );
    assert_eq!(field_value(&page, "points_per_unit").as_deref(), Some("-3"));
    assert_eq!(cell(&page, 1, 0), "25", "the saved rules' preview");
    assert_eq!(d.cards().await[0].card.name, "Coffee Card", "unchanged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_double_submit_creates_one_card_and_an_old_form_changes_nothing() {
    let d = dash().await;
    let (_, form) = d.owner.page("/partner/cards/new").await;
    let idem = field_value(&form, "idem").unwrap();
    let fields = rules("Coffee Card");
    let first = d
        .submit(
            &d.owner,
            "/partner/cards/new",
            "/partner/cards",
            &fields,
            Some(&idem),
        )
        .await;
    let second = d
        .submit(
            &d.owner,
            "/partner/cards/new",
            "/partner/cards",
            &fields,
            Some(&idem),
        )
        .await;
    assert_eq!(first.status(), 303);
    assert_eq!(second.status(), 303);
    assert_eq!(first.headers()["location"], second.headers()["location"]);
    assert_eq!(d.cards().await.len(), 1);
    // The same key with other values is refused, not carried out.
    let other = d
        .submit(
            &d.owner,
            "/partner/cards/new",
            "/partner/cards",
            &rules("Tea Card"),
            Some(&idem),
        )
        .await;
    assert_eq!(other.status(), 409);
    assert_eq!(d.cards().await.len(), 1);
    // A form whose CSRF token does not match changes nothing.
    let res = d
        .owner
        .request(Method::POST, "/partner/cards")
        .form(&[
            ("csrf", "forged"),
            ("idem", "another-key"),
            ("name", "Forged"),
            ("currency", "EUR"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("This form has expired"));
    assert_eq!(d.cards().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_see_the_rules_but_may_not_create_or_change_a_card() {
    let d = dash().await;
    let card = d.create(&rules("Coffee Card")).await;
    let staff = d.staff().await;
    let (status, list) = staff.page("/partner/cards").await;
    assert_eq!(status, 200);
    assert!(list.contains("Coffee Card"), "{list}");
    assert!(!list.contains("href=\"/partner/cards/new\""), "{list}");
    assert!(list.contains("See the rules"), "{list}");
    let (status, page) = staff.page(&card).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Only the owner of the business can change them."),
        "{page}"
    );
    assert!(
        page.contains("<fieldset class=\"stack bare\" disabled>"),
        "{page}"
    );
    assert!(!page.contains("Save the rules"), "{page}");
    assert_eq!(
        cell(&page, 1, 0),
        "25",
        "the preview is there for staff too"
    );

    let (status, body) = staff.page("/partner/cards/new").await;
    assert_eq!(status, 403);
    assert!(body.contains("Only the owner can do this"), "{body}");
    for path in ["/partner/cards", card.as_str()] {
        let fields = with(rules("Staff Card"), &[("idem", "staff-key")]);
        let mut all: Vec<(&str, &str)> = vec![("csrf", &staff.csrf)];
        all.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
        let res = staff
            .request(Method::POST, path)
            .form(&all)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "POST {path}");
    }
    let cards = d.cards().await;
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0].card.name, "Coffee Card");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_partners_card_is_not_found_in_the_dashboard() {
    let d = dash().await;
    let other = partner::create_partner(&d.server, "Other Shop", "boss@other.test").await;
    let theirs = partner::add_usd_card(&d.server, other, "Their Card").await;
    let path = format!("/partner/cards/{theirs}");
    let (status, _) = d.owner.page(&path).await;
    assert_eq!(status, 404);
    let (status, _) = d.owner.page("/partner/cards/nonsense").await;
    assert_eq!(status, 404);
    let res = d
        .submit(&d.owner, "/partner/cards/new", &path, &rules("Mine"), None)
        .await;
    assert_eq!(res.status(), 404);
    let (_, list) = d.owner.page("/partner/cards").await;
    assert!(!list.contains("Their Card"), "{list}");
    let mut conn = database::pool::get(d.server.db.pool()).await.unwrap();
    let card = database::catalog::find_card(&mut conn, other, theirs)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(card.name, "Their Card");
}
