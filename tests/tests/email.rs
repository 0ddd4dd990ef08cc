//! Email through a real SMTP server (aiosmtpd in its own process): the bytes that
//! arrive, outages that delay but never lose or duplicate, opt-outs, one-click
//! unsubscribe.

use std::sync::Arc;
use std::time::Duration;

use database::members::{self, NewMember};
use database::outbox::{self, NewEmail};
use database::partners::{self, NewPartner};
use database::pool;
use database::testing::TestDatabase;
use tally::config::Config;
use tally::email::message::{CouponEmail, EmailPayload, PointsEmail, PointsLoop};
use tally::email::render::EmailRenderer;
use tally::email::transport::Transport;
use tally::email::worker::{Mailer, Report};
use tests::smtp::SmtpSink;
use tests::TestServer;
use time::OffsetDateTime;

const MAIL_FROM: &str = "loyalty@tally.test";

struct Shop {
    db: TestDatabase,
    partner_id: i64,
    member_id: i64,
}

async fn shop() -> Shop {
    let db = TestDatabase::new().await;
    let mut conn = pool::get(db.pool()).await.unwrap();
    let now = OffsetDateTime::now_utc();
    let (partner, _) = partners::create_with_owner(
        &mut conn,
        &NewPartner {
            name: "Corner Café",
            business_email: "owner@corner.test",
            timezone: "UTC",
            owner_email: "owner@corner.test",
            owner_email_normalized: "owner@corner.test",
            owner_name: "Olga",
            now,
        },
    )
    .await
    .unwrap();
    let (member, _) = members::find_or_create(
        &mut conn,
        &NewMember {
            email: "ann@example.com",
            email_normalized: "ann@example.com",
            name: "Ann",
            language: "en",
            now,
        },
        || "ANNC2DE3".into(),
    )
    .await
    .unwrap();
    Shop {
        db,
        partner_id: partner.id,
        member_id: member.id,
    }
}

fn config(db: &TestDatabase, smtp: &str) -> Arc<Config> {
    let vars = [
        ("DATABASE_URL", db.url().to_owned()),
        ("APP_SECRET_KEY", tests::TEST_APP_SECRET_KEY.to_owned()),
        ("SMTP_URL", smtp.to_owned()),
        ("MAIL_FROM", MAIL_FROM.to_owned()),
        ("PUBLIC_BASE_URL", "https://loyalty.example".to_owned()),
    ];
    Arc::new(
        Config::from_lookup(|k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()))
            .unwrap(),
    )
}

fn mailer(shop: &Shop, smtp: &str) -> Mailer {
    Mailer {
        pool: shop.db.pool().clone(),
        config: config(&shop.db, smtp),
        renderer: Arc::new(EmailRenderer::load().unwrap()),
        transport: Transport::smtp(smtp, Duration::from_secs(5)).unwrap(),
    }
}

fn points_email(points: i64) -> EmailPayload {
    EmailPayload::Points(PointsEmail {
        business_name: "Corner Café".into(),
        member_name: "Ann".into(),
        card_name: "Coffee card".into(),
        points_earned: points,
        order_reference: Some("1234".into()),
        loop_: PointsLoop {
            balance: 1200,
            discount: None,
            redeem_url: Some("https://loyalty.example/l/l_abc".into()),
        },
    })
}

async fn enqueue(shop: &Shop, payload: &EmailPayload, key: &str, now: OffsetDateTime) -> i64 {
    let conn = pool::get(shop.db.pool()).await.unwrap();
    outbox::enqueue(
        &conn,
        &NewEmail {
            partner_id: Some(shop.partner_id),
            member_id: Some(shop.member_id),
            kind: payload.kind().as_str(),
            to_address: "ann@example.com",
            language: "en",
            payload: &payload.to_json(),
            idempotency_key: key,
            now,
        },
    )
    .await
    .unwrap()
    .expect("queued")
}

async fn status_of(shop: &Shop, id: i64) -> (String, Option<String>) {
    let mut conn = pool::get(shop.db.pool()).await.unwrap();
    let row = outbox::find(&mut conn, id).await.unwrap().unwrap();
    (row.status, row.last_error)
}

#[tokio::test]
async fn a_member_email_arrives_with_sender_reply_to_both_parts_and_one_click_unsubscribe() {
    let shop = shop().await;
    let sink = SmtpSink::start().await;
    let now = OffsetDateTime::now_utc();
    let id = enqueue(&shop, &points_email(42), "points:1", now).await;
    let report = mailer(&shop, &sink.url()).deliver_due(now).await.unwrap();
    assert_eq!(
        report,
        Report {
            sent: 1,
            retrying: 0,
            failed: 0
        }
    );
    let got = sink.received();
    assert_eq!(got.len(), 1);
    let mail = &got[0];
    assert_eq!(mail.envelope["mail_from"], MAIL_FROM);
    assert_eq!(
        mail.envelope["rcpt_tos"],
        serde_json::json!(["ann@example.com"])
    );
    let from = mail.header("From").unwrap();
    assert!(
        from.contains(MAIL_FROM) && (from.contains("Corner Caf") || from.contains("=?utf-8?")),
        "{from}"
    );
    assert!(mail
        .header("Reply-To")
        .unwrap()
        .contains("owner@corner.test"));
    let unsubscribe = mail.header("List-Unsubscribe").unwrap();
    assert!(
        unsubscribe.starts_with(&format!(
            "<https://loyalty.example/unsubscribe/{}/",
            shop.member_id
        )),
        "{unsubscribe}"
    );
    assert_eq!(
        mail.header("List-Unsubscribe-Post").unwrap(),
        "List-Unsubscribe=One-Click"
    );
    let created = {
        let mut conn = pool::get(shop.db.pool()).await.unwrap();
        outbox::find(&mut conn, id)
            .await
            .unwrap()
            .unwrap()
            .created_at
    };
    assert_eq!(
        mail.header("Message-ID").unwrap(),
        tally::email::compose::message_id(id, created.unix_timestamp(), MAIL_FROM)
    );
    assert!(mail.raw.contains("multipart/alternative"));
    assert!(mail.raw.contains("text/plain") && mail.raw.contains("text/html"));
    assert!(
        mail.raw.contains("1,200"),
        "the loop's balance is in the message"
    );
    assert_eq!(status_of(&shop, id).await.0, "sent");
}

#[tokio::test]
async fn an_smtp_outage_delays_emails_and_loses_or_duplicates_none() {
    let shop = shop().await;
    let mut sink = SmtpSink::start().await;
    let mailer = mailer(&shop, &sink.url());
    let t0 = OffsetDateTime::now_utc();

    // Up: the first email goes out.
    let first = enqueue(&shop, &points_email(1), "outage:1", t0).await;
    assert_eq!(mailer.deliver_due(t0).await.unwrap().sent, 1);

    // Down: the next two wait, with their error noted.
    sink.stop().await;
    let second = enqueue(&shop, &points_email(2), "outage:2", t0).await;
    let third = enqueue(&shop, &points_email(3), "outage:3", t0).await;
    assert_eq!(
        mailer.deliver_due(t0).await.unwrap(),
        Report {
            sent: 0,
            retrying: 2,
            failed: 0
        }
    );
    let (status, error) = status_of(&shop, second).await;
    assert_eq!(status, "pending");
    assert!(error.is_some());

    // Back up: nothing is resent before its back-off, then each goes out once.
    sink.resume().await;
    assert_eq!(
        mailer
            .deliver_due(t0 + time::Duration::seconds(10))
            .await
            .unwrap()
            .claimed(),
        0
    );
    assert_eq!(
        mailer
            .deliver_due(t0 + time::Duration::seconds(31))
            .await
            .unwrap()
            .sent,
        2
    );
    assert_eq!(
        mailer
            .deliver_due(t0 + time::Duration::hours(2))
            .await
            .unwrap()
            .claimed(),
        0
    );
    let got = sink.wait_for(3, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 3, "every email arrives exactly once");
    let mut ids: Vec<_> = got
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3);
    for id in [first, second, third] {
        assert_eq!(status_of(&shop, id).await.0, "sent");
    }
}

#[tokio::test]
async fn retries_go_on_for_a_day_and_then_the_email_is_marked_failed() {
    let shop = shop().await;
    let mut sink = SmtpSink::start().await;
    sink.stop().await;
    let mailer = mailer(&shop, &sink.url());
    let t0 = OffsetDateTime::now_utc();
    let id = enqueue(&shop, &points_email(5), "late:1", t0).await;
    assert_eq!(mailer.deliver_due(t0).await.unwrap().retrying, 1);
    assert_eq!(
        mailer
            .deliver_due(t0 + time::Duration::hours(30))
            .await
            .unwrap()
            .retrying,
        1,
        "still retrying after a day"
    );
    assert_eq!(
        mailer
            .deliver_due(t0 + time::Duration::hours(49))
            .await
            .unwrap()
            .failed,
        1
    );
    assert_eq!(status_of(&shop, id).await.0, "failed");
}

#[tokio::test]
async fn loyalty_emails_respect_the_opt_out_but_coupons_are_always_sent() {
    let shop = shop().await;
    let sink = SmtpSink::start().await;
    {
        let mut conn = pool::get(shop.db.pool()).await.unwrap();
        assert!(members::unsubscribe(&mut conn, shop.member_id)
            .await
            .unwrap());
    }
    let now = OffsetDateTime::now_utc();
    let points = enqueue(&shop, &points_email(9), "optout:points", now).await;
    let coupon = EmailPayload::Coupon(CouponEmail {
        business_name: "Corner Café".into(),
        member_name: "Ann".into(),
        code: "POINTS-AB3CD4EF".into(),
        amount: "50.00".into(),
        currency: "EUR".into(),
        expires_on: "2026-11-30".into(),
        points: 1000,
        store_url: None,
    });
    let coupon_id = enqueue(&shop, &coupon, "optout:coupon", now).await;
    mailer(&shop, &sink.url()).deliver_due(now).await.unwrap();
    let got = sink.received();
    assert_eq!(got.len(), 1);
    assert!(got[0].raw.contains("POINTS-AB3CD4EF"));
    let (status, reason) = status_of(&shop, points).await;
    assert_eq!(status, "failed");
    assert!(reason.unwrap().contains("switched loyalty emails off"));
    assert_eq!(status_of(&shop, coupon_id).await.0, "sent");
}

#[tokio::test]
async fn two_workers_at_once_send_each_email_once() {
    let shop = shop().await;
    let sink = SmtpSink::start().await;
    let now = OffsetDateTime::now_utc();
    for i in 0..12 {
        enqueue(&shop, &points_email(i), &format!("race:{i}"), now).await;
    }
    let (a, b) = (mailer(&shop, &sink.url()), mailer(&shop, &sink.url()));
    let (ra, rb) = tokio::join!(a.deliver_due(now), b.deliver_due(now));
    assert_eq!(ra.unwrap().sent + rb.unwrap().sent, 12);
    assert_eq!(sink.wait_for(12, Duration::from_secs(5)).await.len(), 12);
}

#[tokio::test]
async fn the_server_sends_sign_in_codes_by_smtp_and_keeps_no_copy_of_the_code() {
    let sink = SmtpSink::start().await;
    let server =
        TestServer::start_with(&[("SMTP_URL", &sink.url()), ("MAIL_FROM", MAIL_FROM)]).await;
    let (_, login) = server.page("/login").await;
    let res = server
        .post_form(
            "/login",
            &[
                ("email", "zoe@example.com"),
                ("csrf", &tests::html::csrf(&login)),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let code_page = res.text().await.unwrap();
    let got = sink.wait_for(1, Duration::from_secs(15)).await;
    assert_eq!(got.len(), 1, "the worker delivers the code");
    let text_part = got[0]
        .raw
        .split("Content-Type: text/plain")
        .nth(1)
        .expect("a text part");
    let code = tests::html::six_digit_code(
        text_part
            .split_once("\r\n\r\n")
            .map(|(_, body)| body)
            .unwrap_or(""),
    )
    .expect("a code in the text");
    assert!(got[0].header("From").unwrap().contains("Tally"));
    assert!(
        got[0].header("List-Unsubscribe").is_none(),
        "sign-in codes carry no unsubscribe"
    );
    let signed_in = server
        .post_form(
            "/login/code",
            &[
                ("email", "zoe@example.com"),
                ("code", &code),
                ("csrf", &tests::html::csrf(&code_page)),
            ],
        )
        .await;
    assert_eq!(signed_in.status(), 303);
    let mut conn = pool::get(server.db.pool()).await.unwrap();
    let rows = outbox::recent(&mut conn, 10).await.unwrap();
    assert_eq!(rows[0].status, "sent");
    assert!(
        !rows[0].payload.to_string().contains(&code),
        "the code is blanked once sent"
    );
}

#[tokio::test]
async fn one_click_unsubscribe_works_without_signing_in_and_twice() {
    let server = TestServer::start().await;
    let mut conn = pool::get(server.db.pool()).await.unwrap();
    let (member, _) = members::find_or_create(
        &mut conn,
        &NewMember {
            email: "ivy@example.com",
            email_normalized: "ivy@example.com",
            name: "Ivy",
            language: "nl",
            now: OffsetDateTime::now_utc(),
        },
        || "YVYC2DE3".into(),
    )
    .await
    .unwrap();
    let keys = identity::KeyRing::new(
        identity::SecretKey::from_base64(tests::TEST_APP_SECRET_KEY).unwrap(),
        None,
    );
    let token = tally::usecases::links::unsubscribe_token(&keys, member.id).unwrap();
    let url = format!("/unsubscribe/{}/{token}", member.id);

    let (status, ask) = server.page(&url).await;
    assert_eq!(status, 200);
    assert!(
        ask.contains("lang=\"nl\""),
        "the page speaks the member's language"
    );
    assert!(
        members::find_by_id(&mut conn, member.id)
            .await
            .unwrap()
            .unwrap()
            .loyalty_emails,
        "GET changes nothing"
    );

    for _ in 0..2 {
        let res = reqwest::Client::new()
            .post(server.url(&url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    assert!(
        !members::find_by_id(&mut conn, member.id)
            .await
            .unwrap()
            .unwrap()
            .loyalty_emails
    );
    let forged = server
        .client
        .post(server.url(&format!("/unsubscribe/{}/forged", member.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 404);
}

/// One pass reads its emails' senders and members once: each email still gets its own
/// partner as sender and its own member's choice, and a queue longer than a pass goes out
/// over several passes, every email once.
#[tokio::test]
async fn a_pass_gives_each_email_its_own_sender_and_choice_and_long_queues_take_several_passes() {
    let shop = shop().await;
    let sink = SmtpSink::start().await;
    let now = OffsetDateTime::now_utc();
    let mut conn = pool::get(shop.db.pool()).await.unwrap();
    let (bakery, _) = partners::create_with_owner(
        &mut conn,
        &NewPartner {
            name: "Bakery Bram",
            business_email: "bram@bakery.test",
            timezone: "UTC",
            owner_email: "bram@bakery.test",
            owner_email_normalized: "bram@bakery.test",
            owner_name: "Bram",
            now,
        },
    )
    .await
    .unwrap();
    let (ben, _) = members::find_or_create(
        &mut conn,
        &NewMember {
            email: "ben@example.com",
            email_normalized: "ben@example.com",
            name: "Ben",
            language: "en",
            now,
        },
        || "BENC2DE3".into(),
    )
    .await
    .unwrap();
    assert!(members::unsubscribe(&mut conn, ben.id).await.unwrap());
    let payload = points_email(7).to_json();
    let queue = |partner_id: i64, member_id: i64, to: &'static str, key: String| {
        let payload = payload.clone();
        let pool = shop.db.pool().clone();
        async move {
            let conn = pool::get(&pool).await.unwrap();
            outbox::enqueue(
                &conn,
                &NewEmail {
                    partner_id: Some(partner_id),
                    member_id: Some(member_id),
                    kind: "points",
                    to_address: to,
                    language: "en",
                    payload: &payload,
                    idempotency_key: &key,
                    now,
                },
            )
            .await
            .unwrap()
            .expect("queued")
        }
    };
    let total = usize::try_from(tally::email::worker::BATCH).unwrap() + 5;
    let mut to_ann = Vec::new();
    for i in 0..total {
        let partner_id = if i % 2 == 0 {
            shop.partner_id
        } else {
            bakery.id
        };
        to_ann.push(
            queue(
                partner_id,
                shop.member_id,
                "ann@example.com",
                format!("mix:{i}"),
            )
            .await,
        );
    }
    let to_ben = queue(bakery.id, ben.id, "ben@example.com", "mix:ben".into()).await;
    drop(conn);

    let mailer = mailer(&shop, &sink.url());
    let first = mailer.deliver_due(now).await.unwrap();
    assert_eq!(first.claimed(), total - 5, "a pass takes one batch");
    let second = mailer.deliver_due(now).await.unwrap();
    assert_eq!(first.sent + second.sent, total);
    assert_eq!(first.failed + second.failed, 1, "Ben switched emails off");
    assert_eq!(mailer.deliver_due(now).await.unwrap().claimed(), 0);

    let got = sink.wait_for(total, Duration::from_secs(5)).await;
    assert_eq!(got.len(), total, "every email to Ann arrives once");
    assert!(got.iter().all(|m| m.raw.contains("ann@example.com")));
    let from_bakery = got
        .iter()
        .filter(|m| {
            m.header("Reply-To")
                .is_some_and(|r| r.contains("bram@bakery.test"))
        })
        .count();
    assert_eq!(from_bakery, total / 2, "each email names its own partner");
    for id in &to_ann {
        assert_eq!(status_of(&shop, *id).await.0, "sent");
    }
    let (status, reason) = status_of(&shop, to_ben).await;
    assert_eq!(status, "failed");
    assert!(reason.unwrap().contains("switched loyalty emails off"));
}
