//! The dashboard's home over HTTP: the chart of points issued and redeemed per day on
//! the partner's calendar (an entry at 23:30 UTC is the next day in Amsterdam), drawn as
//! a labelled inline SVG with the numbers beside it; and what happened lately.

use std::time::Duration;

use ledger::{Channel, EntryKind};
use tests::html::unescape;
use tests::partner::{add_usd_card, create_partner};
use tests::partner_session::{post_at, wallet_of, At, Dashboard};
use tests::redeem::{self, ANN};
use tests::TestServer;
use time::{Date, OffsetDateTime, Time};

const OWNER: &str = "owner@corner.test";

/// The issued and redeemed numbers of `day` in the table under the chart.
fn numbers_of(page: &str, day: Date) -> (String, String) {
    let marker = format!("<tr data-day=\"{day}\">");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no row for {day}: {page}"));
    let row = &page[start..start + page[start..].find("</tr>").unwrap()];
    let cell = |class: &str| {
        let open = format!("<td class=\"num {class}\">");
        let from = row.find(&open).unwrap() + open.len();
        row[from..from + row[from..].find('<').unwrap()].to_owned()
    };
    (cell("issued"), cell("redeemed"))
}

fn entry(kind: EntryKind, points: i64, at: OffsetDateTime) -> At<'static> {
    At {
        kind,
        channel: Channel::Counter,
        points,
        order_id: None,
        at,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chart_adds_points_up_per_day_of_the_partners_calendar() {
    let server = TestServer::start_with(&[("TALLY_ENV", "dev"), ("SMTP_URL", "")]).await;
    let partner_id = create_partner(&server, "Corner Café", OWNER).await;
    let card_id = add_usd_card(&server, partner_id, "Coffee Card").await;
    let day = OffsetDateTime::now_utc().date() - time::Duration::days(3);
    let next = day + time::Duration::days(1);
    let at = |d: Date, h: u8, m: u8| d.with_time(Time::from_hms(h, m, 0).unwrap()).assume_utc();
    let wallet = wallet_of(
        &server,
        partner_id,
        card_id,
        "sam@example.com",
        "Sam",
        at(day, 9, 0),
    )
    .await;
    for e in [
        entry(EntryKind::Purchase, 10, at(day, 12, 0)),
        entry(EntryKind::WelcomeBonus, 50, at(day, 12, 0)),
        // 23:30 UTC is already the next day in Amsterdam (00:30 or 01:30).
        entry(EntryKind::Purchase, 5, at(day, 23, 30)),
        entry(EntryKind::Redemption, -4, at(next, 10, 0)),
        // Refunds are neither issued nor redeemed.
        entry(EntryKind::Refund, -2, at(next, 11, 0)),
    ] {
        post_at(&server, partner_id, wallet, e).await;
    }

    let owner = Dashboard::sign_in(&server, OWNER).await;
    let (status, home) = owner.page("/partner").await;
    assert_eq!(status, 200);
    let home = unescape(&home);
    assert_eq!(numbers_of(&home, day), ("60".into(), "0".into()));
    assert_eq!(numbers_of(&home, next), ("5".into(), "4".into()));
    assert!(home.contains("65 issued"), "{home}");
    assert!(home.contains("4 redeemed"), "{home}");
    let label = format!("{} {}", next.day(), &next.month().to_string()[..3]);
    assert!(
        home.contains(&format!("<title>{label}: 5 points issued</title>")),
        "{home}"
    );
    assert!(
        home.contains(&format!("<title>{label}: 4 points redeemed</title>")),
        "{home}"
    );

    // The chart is an inline SVG that scales, with a title, legend and axes.
    assert!(
        home.contains("<svg class=\"chart\" viewBox=\"0 0 400 230\" role=\"img\" aria-labelledby=\"chart-title chart-desc\""),
        "{home}"
    );
    assert!(home.contains("<title id=\"chart-title\">Points issued and redeemed per day,"));
    assert!(
        home.contains("65 points were issued and 4 points were redeemed"),
        "{home}"
    );
    assert!(home.contains(">Issued</text>") && home.contains(">Redeemed</text>"));
    assert!(home.contains(">Points</text>"));
    assert!(home.contains(">Day (Europe/Amsterdam)</text>"));
    assert_eq!(
        home.matches("<rect class=\"issued\"").count(),
        31,
        "30 days and the legend"
    );
    assert!(home.matches("<tr data-day=").count() == 30);
    assert!(!home.contains("style="), "the CSP forbids style attributes");

    // On UTC's calendar the 23:30 purchase stays on its own day.
    let mut conn = database::pool::get(server.db.pool()).await.unwrap();
    let partner = database::partners::find(&mut conn, partner_id)
        .await
        .unwrap()
        .unwrap();
    let utc = database::partners::BusinessSettings {
        name: &partner.name,
        business_email: &partner.business_email,
        timezone: "UTC",
    };
    database::partners::update_business(&mut conn, partner_id, &utc)
        .await
        .unwrap();
    let (_, home) = owner.page("/partner").await;
    assert_eq!(numbers_of(&home, day), ("65".into(), "0".into()));
    assert_eq!(numbers_of(&home, next), ("0".into(), "4".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_chart_says_so() {
    let server = TestServer::start_with(&[("TALLY_ENV", "dev"), ("SMTP_URL", "")]).await;
    create_partner(&server, "Corner Café", OWNER).await;
    let owner = Dashboard::sign_in(&server, OWNER).await;
    let (status, home) = owner.page("/partner").await;
    assert_eq!(status, 200);
    assert!(home.contains("No points were issued or redeemed in these 30 days yet."));
    assert!(home.contains("Nothing yet."), "{home}");
    let in_amsterdam = tally::timezone::local("Europe/Amsterdam", OffsetDateTime::now_utc()).date();
    assert!(
        home.contains(&format!("<tr data-day=\"{in_amsterdam}\">")),
        "the last day is Amsterdam's today: {home}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recent_purchases_redemptions_and_new_members_are_listed_newest_first() {
    let w = redeem::world_with(&[("TALLY_ENV", "dev"), ("SMTP_URL", "")]).await;
    let (partner_id, card_id) = (w.shop.partner_id, w.shop.card.id);
    let now = OffsetDateTime::now_utc();
    let wallet = wallet_of(&w.server, partner_id, card_id, ANN, "Ann", now).await;
    post_at(
        &w.server,
        partner_id,
        wallet,
        entry(EntryKind::Purchase, 42, now),
    )
    .await;
    let online = At {
        channel: Channel::WooCommerce,
        order_id: Some("1042"),
        ..entry(EntryKind::Purchase, 17, now + time::Duration::seconds(1))
    };
    post_at(&w.server, partner_id, wallet, online).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, body) = w.redeem(ANN, 200, None).await;
    assert!(status == 201 || status == 200, "{status} {body}");
    let id = body["id"].as_str().unwrap().to_owned();
    let coupon = w.settled(&id).await;
    assert_eq!(coupon.status, "issued");

    let mut conn = database::pool::get(w.server.db.pool()).await.unwrap();
    let owner = database::partners::users_of_partner(&mut conn, partner_id)
        .await
        .unwrap()[0]
        .email
        .clone();
    let dashboard = Dashboard::sign_in(&w.server, &owner).await;
    let (status, home) = dashboard.page("/partner").await;
    assert_eq!(status, 200);
    let home = unescape(&home);
    let lines = [
        format!(
            "Coupon {} for Ann (ann@example.com), redeemed for them (10.00 USD)",
            coupon.code
        ),
        "Online order #1042 by Ann (ann@example.com) (Coffee Card)".to_owned(),
        "Purchase at the counter by Ann (ann@example.com) (Coffee Card)".to_owned(),
        "Ann (ann@example.com) joined Coffee Card".to_owned(),
    ];
    let mut last = 0;
    for line in &lines {
        let at = home
            .find(line.as_str())
            .unwrap_or_else(|| panic!("{line} in {home}"));
        assert!(at >= last, "{line} is in order");
        last = at;
    }
    assert!(
        home.contains("+42 points") && home.contains("+17 points"),
        "{home}"
    );
    assert!(home.contains("−200 points"), "{home}");
    assert!(home.contains("200 redeemed"), "{home}");

    // The API token that asked for the coupon is named in the log.
    let (_, log) = dashboard.page("/partner/activity").await;
    let log = unescape(&log);
    let row = log
        .split("<tr id=\"activity-")
        .find(|r| r.contains(&format!("Asked for coupon {} for 200 points", coupon.code)))
        .unwrap_or_else(|| panic!("{log}"));
    assert!(row.contains("API token “Test token”"), "{row}");
}
