//! The members pages of the partner dashboard (SPEC §7) against the running binary:
//! search by email, code or number, the newest members, a member's page with the history
//! in words (a clamped refund shows what was recorded and what was applied), manual
//! adjustments — once per form, refused beyond the balance or without a note — and
//! nothing of another partner's members.

use database::members::Member;
use database::pool;
use tests::html::{csrf, field_value, unescape};
use tests::members::{counter_purchase, entries, join};
use tests::woo::{deliver, order_json, Store};
use tests::{mailbox, TestServer};

const SECRET: &str = "s3cretAlphanumeric42";
const ANN: &str = "ann@example.com";

struct World {
    server: TestServer,
    shop: Store,
    owner: String,
}

/// A dev server (codes in the dev mailbox, the store's webhook receiver on), a partner
/// with a USD card connected to a store, its owner signed in.
async fn world() -> World {
    let server = TestServer::start_with(&[
        ("TALLY_ENV", "dev"),
        ("SMTP_URL", ""),
        ("FEATURE_WOOCOMMERCE", "true"),
    ])
    .await;
    let shop = Store::connect_in(&server.db, SECRET, "Corner Café").await;
    let owner = {
        let mut conn = pool::get(server.db.pool()).await.unwrap();
        database::partners::find(&mut conn, shop.partner_id)
            .await
            .unwrap()
            .unwrap()
            .business_email
    };
    sign_in(&server, &owner).await;
    World {
        server,
        shop,
        owner,
    }
}

async fn sign_in(server: &TestServer, email: &str) {
    let (_, login) = server.page("/partner/login").await;
    let res = server
        .post_form(
            "/partner/login",
            &[("email", email), ("csrf", &csrf(&login))],
        )
        .await;
    let code_page = res.text().await.unwrap();
    let code = mailbox::code_for(server, email)
        .await
        .expect("a sign-in code");
    let fields = [
        ("email", email),
        ("code", &code),
        ("csrf", &csrf(&code_page)),
    ];
    let res = server.post_form("/partner/login/code", &fields).await;
    assert_eq!(res.status(), 303);
}

fn page_of(member: &Member) -> String {
    format!("/partner/members/{}", member.id)
}

impl World {
    /// Sends the adjustment form of `member`'s page for `card_id`, with the page's own
    /// idempotency key unless `idem` is given.
    async fn adjust_on(
        &self,
        member: &Member,
        card_id: i64,
        idem: Option<&str>,
        points: &str,
        note: &str,
    ) -> reqwest::Response {
        let (status, page) = self.server.page(&page_of(member)).await;
        assert_eq!(status, 200, "{page}");
        let key = idem
            .map(str::to_owned)
            .unwrap_or_else(|| field_value(&page, "idem").expect("a form key"));
        let card = card_id.to_string();
        let fields = [
            ("csrf", csrf(&page)),
            ("idem", key),
            ("card_id", card),
            ("points", points.to_owned()),
            ("note", note.to_owned()),
        ];
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let action = format!("{}/adjustments", page_of(member));
        self.server.post_form(&action, &fields).await
    }

    async fn adjust(
        &self,
        member: &Member,
        idem: Option<&str>,
        points: &str,
        note: &str,
    ) -> reqwest::Response {
        self.adjust_on(member, self.shop.card.id, idem, points, note)
            .await
    }

    async fn balance(&self, email: &str) -> i64 {
        self.shop.balance(&self.server, email).await.unwrap()
    }

    async fn order(&self, body: &str) {
        let res = deliver(&self.server, &self.shop, body, SECRET).await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    }

    /// The search's answer for `q`: the redirect's target, or the page.
    async fn search(&self, q: &str) -> Result<String, (u16, String)> {
        let res = self
            .server
            .client
            .get(self.server.url("/partner/members"))
            .query(&[("q", q)])
            .send()
            .await
            .unwrap();
        if res.status() == 303 {
            return Ok(res.headers()["location"].to_str().unwrap().to_owned());
        }
        Err((res.status().as_u16(), unescape(&res.text().await.unwrap())))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searching_by_email_code_or_number_opens_the_member_page() {
    let w = world().await;
    let ann = join(&w.server, &w.shop, ANN, "Ann Archer").await;
    let bob = join(&w.server, &w.shop, "bob@example.com", "Bob Baker").await;
    let target = page_of(&ann);
    assert_eq!(w.search("  ANN@Example.com ").await, Ok(target.clone()));
    assert_eq!(w.search(&ann.code.to_lowercase()).await, Ok(target.clone()));
    assert_eq!(w.search(&ann.number.to_string()).await, Ok(target.clone()));
    // Not an exact key: the members whose email or name contains it.
    let (status, list) = w.search("baker").await.unwrap_err();
    assert_eq!(status, 200);
    assert!(
        list.contains("bob@example.com") && !list.contains(ANN),
        "{list}"
    );
    let (_, none) = w.search("nobody@example.com").await.unwrap_err();
    assert!(
        none.contains("No member matches “nobody@example.com”"),
        "{none}"
    );
    // Without a query: the newest members first.
    let (status, recent) = w.server.page("/partner/members").await;
    assert_eq!(status, 200);
    let recent = unescape(&recent);
    let (b, a) = (recent.find("bob@example.com"), recent.find(ANN));
    assert!(b.is_some() && a.is_some() && b < a, "{recent}");
    assert!(
        recent.contains(&format!("href=\"{}\"", page_of(&bob))),
        "{recent}"
    );
    // The member page says who it is.
    let (status, page) = w.server.page(&target).await;
    assert_eq!(status, 200);
    for fact in ["Ann Archer", ANN, &ann.number.to_string(), &ann.code] {
        assert!(page.contains(fact), "{fact} in {page}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_history_reads_in_words_and_a_clamped_refund_shows_recorded_and_applied() {
    let w = world().await;
    let ann = join(&w.server, &w.shop, ANN, "Ann").await;
    counter_purchase(&w.server, &w.shop, &ann, "12.34").await;
    w.order(&order_json(981, "processing", "50.00", Some(ANN), &[]))
        .await;
    assert_eq!(w.balance(ANN).await, 12 + 50 + 50);
    let res = w
        .adjust(&ann, None, "-100", "Spent at the market stall")
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    assert_eq!(w.balance(ANN).await, 12);
    // The order is refunded in full after most of its points were spent.
    w.order(&order_json(
        981,
        "refunded",
        "50.00",
        Some(ANN),
        &[(1, "-50.00")],
    ))
    .await;
    assert_eq!(w.balance(ANN).await, 0);
    let (status, page) = w.server.page(&page_of(&ann)).await;
    assert_eq!(status, 200);
    let page = unescape(&page);
    let lines = [
        "Refund of order #981: \u{2212}50 points recorded, \u{2212}12 applied (the rest had already been spent)",
        &format!("Adjustment by {}: \u{2212}100 points \u{2014} Spent at the market stall", w.owner),
        "Online order #981: +50 points",
        "Welcome bonus for the first purchase: +50 points",
        "Purchase at the counter, 12.34 USD: +12 points",
    ];
    let mut at = 0;
    for line in lines {
        let found = page[at..]
            .find(line)
            .unwrap_or_else(|| panic!("{line:?} (newest first) in {page}"));
        at += found + line.len();
    }
    assert!(
        page.contains("<span class=\"label\">Balance</span> 0 points"),
        "{page}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_adjustment_posts_once_per_form_and_is_logged_with_who_and_why() {
    let w = world().await;
    let ann = join(&w.server, &w.shop, ANN, "Ann").await;
    let first = w
        .adjust(&ann, Some("form-1"), "+25", "  Birthday gift ")
        .await;
    assert_eq!(first.status(), 303);
    let location = first.headers()["location"].to_str().unwrap().to_owned();
    let again = w
        .adjust(&ann, Some("form-1"), "+25", "  Birthday gift ")
        .await;
    assert_eq!(again.status(), 303);
    assert_eq!(again.headers()["location"], location.as_str());
    assert_eq!(w.balance(ANN).await, 25);
    let posted = entries(&w.server, &w.shop, &ann).await;
    assert_eq!(posted.len(), 1, "{posted:?}");
    assert_eq!(
        (posted[0].kind.as_str(), posted[0].channel.as_str()),
        ("adjustment", "counter")
    );
    assert_eq!(posted[0].note.as_deref(), Some("Birthday gift"));
    assert!(posted[0].partner_user_id.is_some());
    // The page it lands on says what happened.
    let (_, page) = w.server.page(&location).await;
    assert!(
        page.contains("Saved: +25 points on Coffee Card. The balance is now 25 points."),
        "{page}"
    );
    let mut conn = pool::get(w.server.db.pool()).await.unwrap();
    let log = database::activity::recent(&mut conn, w.shop.partner_id, 50)
        .await
        .unwrap();
    let logged: Vec<_> = log
        .iter()
        .filter(|a| a.action == "points_adjusted")
        .collect();
    assert_eq!(logged.len(), 1, "{log:?}");
    assert_eq!(logged[0].actor_kind, "partner_user");
    assert_eq!(logged[0].partner_user_id, posted[0].partner_user_id);
    assert_eq!(logged[0].details["points"], 25);
    assert_eq!(logged[0].details["note"], "Birthday gift");
    assert_eq!(logged[0].details["member_id"], ann.id.to_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_debit_beyond_the_balance_or_without_a_note_is_refused_and_nothing_moves() {
    let w = world().await;
    let ann = join(&w.server, &w.shop, ANN, "Ann").await;
    counter_purchase(&w.server, &w.shop, &ann, "12.34").await;
    assert_eq!(w.balance(ANN).await, 62);
    let res = w.adjust(&ann, None, "-100", "Too much").await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("Cannot take away 100 points: the balance is 62"),
        "{page}"
    );
    assert!(
        page.contains("value=\"Too much\""),
        "the form keeps what was typed: {page}"
    );
    let res = w.adjust(&ann, None, "5", "   ").await;
    assert_eq!(res.status(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Add a note saying why the points change."));
    let res = w.adjust(&ann, None, "0", "Nothing").await;
    assert_eq!(res.status(), 422);
    let res = w.adjust(&ann, None, "ten", "Words").await;
    assert_eq!(res.status(), 422);
    let res = w.adjust(&ann, None, "5", &"x".repeat(501)).await;
    assert_eq!(res.status(), 422);
    assert_eq!(w.balance(ANN).await, 62);
    let kinds: Vec<String> = entries(&w.server, &w.shop, &ann)
        .await
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["welcome_bonus", "purchase"]);
    // A refused form gives its key back: corrected, the same form goes through.
    let res = w.adjust(&ann, Some("form-2"), "-100", "Too much").await;
    assert_eq!(res.status(), 422);
    let res = w
        .adjust(&ann, Some("form-2"), "-60", "Spent at the stall")
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(w.balance(ANN).await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_partners_member_and_card_are_not_found() {
    let w = world().await;
    let other = Store::connect_in(&w.server.db, SECRET, "Other Shop").await;
    let carol = join(&w.server, &other, "carol@example.com", "Carol").await;
    counter_purchase(&w.server, &other, &carol, "77.00").await;
    // Ann is a member of both; this partner sees only its own wallet.
    let ann = join(&w.server, &w.shop, ANN, "Ann").await;
    join(&w.server, &other, ANN, "Ann").await;
    counter_purchase(&w.server, &other, &ann, "77.00").await;
    let (status, _) = w.server.page(&page_of(&carol)).await;
    assert_eq!(status, 404);
    let (status, list) = w.search("carol@example.com").await.unwrap_err();
    assert_eq!(status, 200);
    assert!(list.contains("No member matches"), "{list}");
    let (status, list) = w.search(&carol.number.to_string()).await.unwrap_err();
    assert_eq!(status, 200);
    assert!(!list.contains("carol@example.com"), "{list}");
    let (_, recent) = w.server.page("/partner/members").await;
    assert!(!recent.contains("carol@example.com"), "{recent}");
    let (status, page) = w.server.page(&page_of(&ann)).await;
    assert_eq!(status, 200);
    assert!(!page.contains("77.00 USD"), "{page}");
    assert!(!page.contains(&format!("card-{}", other.card.id)), "{page}");
    // Adjusting Carol, or Ann on the other partner's card, finds nothing and moves nothing.
    let (_, own) = w.server.page(&page_of(&ann)).await;
    let fields = [
        ("csrf", csrf(&own)),
        ("idem", "x-1".to_owned()),
        ("card_id", w.shop.card.id.to_string()),
        ("points", "5".to_owned()),
        ("note", "Not yours".to_owned()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = w
        .server
        .post_form(&format!("{}/adjustments", page_of(&carol)), &fields)
        .await;
    assert_eq!(res.status(), 404);
    let res = w
        .adjust_on(&ann, other.card.id, None, "-5", "Not yours")
        .await;
    assert_eq!(res.status(), 404);
    assert_eq!(other.balance(&w.server, ANN).await, Some(77 + 50));
    assert_eq!(
        other.balance(&w.server, "carol@example.com").await,
        Some(77 + 50)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_adjust_points_and_the_history_names_them() {
    let w = world().await;
    let ann = join(&w.server, &w.shop, ANN, "Ann").await;
    let staff = "sam@corner.test";
    let mut conn = pool::get(w.server.db.pool()).await.unwrap();
    let new = database::partners::NewPartnerUser {
        partner_id: w.shop.partner_id,
        email: staff,
        email_normalized: staff,
        name: "Sam",
        role: "staff",
        now: time::OffsetDateTime::now_utc(),
    };
    database::partners::add_user(&mut conn, &new)
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    let session = tests::session::sign_in_partner(&w.server, staff).await;
    let (status, _) = session.page("/partner/members").await;
    assert_eq!(status, 200);
    let (status, page) = session.page(&page_of(&ann)).await;
    assert_eq!(status, 200);
    let idem = field_value(&page, "idem").unwrap();
    let card = w.shop.card.id.to_string();
    let fields = [
        ("idem", idem.as_str()),
        ("card_id", card.as_str()),
        ("points", "30"),
        ("note", "Stamp card carried over"),
    ];
    let action = format!("{}/adjustments", page_of(&ann));
    let (status, body) = session.post_form(&action, &fields).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(w.balance(ANN).await, 30);
    let (_, page) = session.page(&page_of(&ann)).await;
    let expected = "Adjustment by sam@corner.test: +30 points \u{2014} Stamp card carried over";
    assert!(unescape(&page).contains(expected), "{page}");
}
