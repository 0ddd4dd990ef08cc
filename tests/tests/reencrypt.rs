//! Key rotation: `tally admin reencrypt` moves stored secrets to the new key, and nobody
//! is signed out or loses a store connection on the way.

use database::catalog::{self, NewCard};
use database::integrations::{self, NewIntegration};
use database::partners::{self, NewPartner};
use database::pool;
use database::testing::TestDatabase;
use identity::{KeyRing, SecretKey};
use secrecy::ExposeSecret;
use tally::usecases::secrets::{integration_aad, IntegrationSecret};
use tests::{base_env, run_tally, TempDir};

const OLD: &str = "b2xkLWtleS1vbGQta2V5LW9sZC1rZXktb2xkLWtleS0h";
const NEW: &str = "bmV3LWtleS1uZXcta2V5LW5ldy1rZXktbmV3LWtleS0h";

fn ring(current: &str, previous: Option<&str>) -> KeyRing {
    KeyRing::new(
        SecretKey::from_base64(current).unwrap(),
        previous.map(|p| SecretKey::from_base64(p).unwrap()),
    )
}

#[tokio::test]
async fn reencrypt_moves_every_secret_to_the_new_key_once() {
    let db = TestDatabase::new().await;
    let old = ring(OLD, None);
    let now = time::OffsetDateTime::now_utc();
    let mut conn = pool::get(db.pool()).await.unwrap();
    let (partner, _) = partners::create_with_owner(
        &mut conn,
        &NewPartner {
            name: "Shop",
            business_email: "o@shop.test",
            timezone: "UTC",
            owner_email: "o@shop.test",
            owner_email_normalized: "o@shop.test",
            owner_name: "",
            now,
        },
    )
    .await
    .unwrap();
    let club = catalog::find_or_create_club(&mut conn, partner.id, "Club", now)
        .await
        .unwrap();
    let rule = ledger::EarnRule::default_for(ledger::Currency::parse("EUR").unwrap());
    let card = catalog::create_card(
        &mut conn,
        &NewCard {
            partner_id: partner.id,
            club_id: club.id,
            name: "Card",
            rule: &rule,
            now,
        },
    )
    .await
    .unwrap();
    let public_id = "pub_0123456789abcdef";
    let seal = |which, text: &str| {
        old.encrypt_str(text, &integration_aad(public_id, which))
            .unwrap()
    };
    integrations::create(
        &mut conn,
        &NewIntegration {
            partner_id: partner.id,
            public_id,
            club_id: club.id,
            card_id: card.id,
            store_url: "https://shop.test",
            consumer_key_enc: &seal(IntegrationSecret::ConsumerKey, "ck_live"),
            consumer_secret_enc: &seal(IntegrationSecret::ConsumerSecret, "cs_live"),
            webhook_secret_enc: &seal(IntegrationSecret::WebhookSecret, "whsec"),
            now,
        },
    )
    .await
    .unwrap();

    let dir = TempDir::new("reencrypt");
    let mut env = base_env(&db, dir.path());
    env.retain(|(k, _)| k != "APP_SECRET_KEY");
    env.push(("APP_SECRET_KEY".into(), NEW.into()));
    env.push(("APP_SECRET_KEY_PREVIOUS".into(), OLD.into()));
    let first = run_tally(&env, dir.path(), &["admin", "reencrypt"]).await;
    assert!(first.success, "{}", first.stderr);
    assert!(
        first.stdout.contains("3 stored secret(s) moved"),
        "{}",
        first.stdout
    );
    let again = run_tally(&env, dir.path(), &["admin", "reencrypt"]).await;
    assert!(
        again.stdout.contains("0 stored secret(s) moved"),
        "{}",
        again.stdout
    );

    // The new key alone now opens every secret; the old key alone opens none.
    let new_only = ring(NEW, None);
    let row = integrations::with_secrets(&mut conn)
        .await
        .unwrap()
        .remove(0);
    for (which, blob, plain) in [
        (
            IntegrationSecret::ConsumerKey,
            row.consumer_key_enc.unwrap(),
            "ck_live",
        ),
        (
            IntegrationSecret::ConsumerSecret,
            row.consumer_secret_enc.unwrap(),
            "cs_live",
        ),
        (
            IntegrationSecret::WebhookSecret,
            row.webhook_secret_enc.unwrap(),
            "whsec",
        ),
    ] {
        let aad = integration_aad(public_id, which);
        assert_eq!(
            new_only
                .decrypt_string(&blob, &aad)
                .unwrap()
                .expose_secret(),
            plain
        );
        assert!(old.decrypt_string(&blob, &aad).is_err());
        // Bound to its field: the same blob does not open as another secret.
        assert!(
            new_only
                .decrypt_string(
                    &blob,
                    &integration_aad(public_id, IntegrationSecret::WebhookSecret)
                )
                .is_err()
                || which == IntegrationSecret::WebhookSecret
        );
    }
}
