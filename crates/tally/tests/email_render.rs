//! Every member email in every language: rendered from the embedded templates, with
//! numbers, money and dates written for the reader, nothing left in English, values
//! escaped in HTML and literal in plain text.
//!
//! `tests/snapshots/email/` holds the expected subject and text of every kind and
//! language (and the English HTML); run with `UPDATE_SNAPSHOTS=1` to rewrite them after
//! changing copy on purpose, and read the diff.

use std::path::PathBuf;
use std::sync::OnceLock;

use tally::email::message::{
    CouponEmail, DiscountLoop, EmailKind, EmailPayload, Envelope, InvitationEmail, Language,
    PointsEmail, PointsLoop, Realm, SignInCodeEmail, WelcomeEmail,
};
use tally::email::render::{EmailRenderer, Rendered};

const REDEEM_URL: &str = "https://tally.example/portal/link/r3d33m-t0k3n";
const UNSUBSCRIBE_URL: &str = "https://tally.example/unsubscribe/unsub-t0k3n";
const SIGN_IN_URL: &str = "https://tally.example/login";
const STORE_URL: &str = "https://shop.cafe-noord.example/";

fn renderer() -> &'static EmailRenderer {
    static RENDERER: OnceLock<EmailRenderer> = OnceLock::new();
    RENDERER.get_or_init(|| EmailRenderer::load().expect("the email templates load"))
}

fn render(payload: &EmailPayload, language: Language, unsubscribe: bool) -> Rendered {
    let envelope = Envelope {
        unsubscribe_url: unsubscribe.then(|| UNSUBSCRIBE_URL.to_owned()),
        language,
    };
    renderer()
        .render(payload, &envelope)
        .unwrap_or_else(|e| panic!("{} in {language}: {e:?}", payload.kind()))
}

fn discount(balance_value: &str, points_to_go: Option<i64>) -> DiscountLoop {
    DiscountLoop {
        currency: "EUR".into(),
        balance_value: balance_value.into(),
        min_points: 1000,
        min_value: "50.00".into(),
        points_to_go,
    }
}

/// 1,200 points worth 60.00, above the 1,000-point minimum.
fn rich_loop() -> PointsLoop {
    PointsLoop {
        balance: 1200,
        discount: Some(discount("60.00", None)),
        redeem_url: Some(REDEEM_URL.into()),
    }
}

/// 820 points: 180 to go until the first 50.00.
fn progress_loop() -> PointsLoop {
    PointsLoop {
        balance: 820,
        discount: Some(discount("41.00", Some(180))),
        redeem_url: Some(REDEEM_URL.into()),
    }
}

/// No store discount on this card.
fn bare_loop() -> PointsLoop {
    PointsLoop {
        balance: 1200,
        discount: None,
        redeem_url: None,
    }
}

fn sign_in(realm: Realm) -> EmailPayload {
    EmailPayload::SignInCode(SignInCodeEmail {
        code: "402917".into(),
        minutes_valid: 10,
        realm,
        sender_name: match realm {
            Realm::Member => "Café Noord".into(),
            Realm::Partner => "Tally".into(),
        },
    })
}

fn welcome(loop_: PointsLoop, welcome_bonus: i64) -> EmailPayload {
    EmailPayload::Welcome(WelcomeEmail {
        business_name: "Café Noord".into(),
        member_name: "Ann".into(),
        card_name: "Koffiekaart".into(),
        points_earned: loop_.balance - welcome_bonus,
        welcome_bonus,
        order_reference: Some("#1042".into()),
        loop_,
        sign_in_url: SIGN_IN_URL.into(),
    })
}

fn points(loop_: PointsLoop, order_reference: Option<&str>) -> EmailPayload {
    EmailPayload::Points(PointsEmail {
        business_name: "Café Noord".into(),
        member_name: "Ann".into(),
        card_name: "Koffiekaart".into(),
        points_earned: 125,
        order_reference: order_reference.map(Into::into),
        loop_,
    })
}

fn coupon(store_url: Option<&str>) -> EmailPayload {
    EmailPayload::Coupon(CouponEmail {
        business_name: "Café Noord".into(),
        member_name: "Ann".into(),
        code: "POINTS-AB3CD4EF".into(),
        amount: "1234.5".into(),
        currency: "EUR".into(),
        expires_on: "2026-11-30".into(),
        points: 24690,
        store_url: store_url.map(Into::into),
    })
}

fn invitation(role: &str) -> EmailPayload {
    EmailPayload::Invitation(InvitationEmail {
        business_name: "Café Noord".into(),
        invited_by: "Noor de Vries".into(),
        role: role.into(),
        address: "sam@cafe-noord.example".into(),
        sign_in_url: "https://tally.example/partner/login".into(),
    })
}

/// Every shape of every kind: with and without discount, progress, redeem link,
/// welcome bonus, order reference and store link.
fn all_payloads() -> Vec<EmailPayload> {
    vec![
        sign_in(Realm::Member),
        sign_in(Realm::Partner),
        welcome(rich_loop(), 50),
        welcome(progress_loop(), 0),
        welcome(bare_loop(), 50),
        points(rich_loop(), Some("#1042")),
        points(progress_loop(), None),
        points(bare_loop(), Some("#1042")),
        coupon(Some(STORE_URL)),
        coupon(None),
        invitation("staff"),
        invitation("owner"),
    ]
}

fn both(rendered: &Rendered) -> [&str; 2] {
    [&rendered.html, &rendered.text]
}

#[test]
fn every_kind_renders_in_every_language_without_leftovers() {
    let mut kinds_seen = Vec::new();
    for payload in all_payloads() {
        kinds_seen.push(payload.kind());
        for language in Language::ALL {
            for unsubscribe in [true, false] {
                let r = render(&payload, language, unsubscribe);
                let what = format!("{} in {language}", payload.kind());
                assert!(!r.subject.trim().is_empty(), "{what}: empty subject");
                assert!(!r.subject.contains('\n'), "{what}: subject {:?}", r.subject);
                for part in [&r.subject, &r.html, &r.text] {
                    for leftover in ["{{", "}}", "{%", "%}", "{#"] {
                        assert!(!part.contains(leftover), "{what}: {leftover} in {part}");
                    }
                }
                assert!(r.html.starts_with("<!DOCTYPE html>"), "{what}");
                assert!(
                    r.html.contains(&format!("<html lang=\"{language}\">")),
                    "{what}"
                );
                assert!(!r.html.to_lowercase().contains("<script"), "{what}");
                assert!(!r.html.contains("<img"), "{what}: no images");
                for markup in ["&amp;", "&lt;", "&#", "&quot;", "<p", "<a ", "<strong"] {
                    assert!(!r.text.contains(markup), "{what}: {markup} in text");
                }
                assert!(
                    !r.text.contains("\n\n\n"),
                    "{what}: text has runs of blank lines"
                );
            }
        }
    }
    for kind in EmailKind::ALL {
        assert!(kinds_seen.contains(&kind), "no fixture for {kind}");
    }
}

#[test]
fn the_loop_is_written_with_the_languages_numbers_and_money() {
    let expected = [
        (Language::En, "1,200", "€60.00", "1,150"),
        (Language::Nl, "1.200", "€ 60,00", "1.150"),
        (Language::De, "1.200", "60,00 €", "1.150"),
        (Language::Fr, "1\u{202F}200", "60,00 €", "1\u{202F}150"),
        (Language::Es, "1.200", "60,00 €", "1.150"),
    ];
    for (language, balance, value, earned) in expected {
        let welcome = render(&welcome(rich_loop(), 50), language, true);
        let points = render(&points(rich_loop(), Some("#1042")), language, true);
        for body in both(&welcome).into_iter().chain(both(&points)) {
            assert!(body.contains(balance), "{language}: {balance} in {body}");
            assert!(body.contains(value), "{language}: {value} in {body}");
            assert!(!body.contains("1200"), "{language}: unformatted balance");
        }
        for body in both(&welcome) {
            assert!(body.contains(earned), "{language}: {earned} in {body}");
            assert!(
                !body.contains("1150"),
                "{language}: unformatted points earned"
            );
        }
    }
}

#[test]
fn english_loop_uses_the_spec_phrasing() {
    let rich = render(&points(rich_loop(), Some("#1042")), Language::En, true);
    let phrase = "You now have 1,200 points = €60.00 in store discount.";
    assert!(rich.text.contains(phrase), "{}", rich.text);
    assert!(rich.html.contains(phrase), "{}", rich.html);
    assert!(rich
        .text
        .contains(&format!("Redeem my points: {REDEEM_URL}")));
    assert!(rich.html.contains(&format!("href=\"{REDEEM_URL}\"")));
    assert!(rich.html.contains(">Redeem my points</a>"));

    let progress = render(&points(progress_loop(), None), Language::En, true);
    assert!(progress.text.contains("You now have 820 points."));
    assert!(progress
        .text
        .contains("Only 180 more points until your first €50.00 discount."));
    assert!(
        !progress.text.contains("€41.00"),
        "no value below the minimum"
    );

    let bare = render(&points(bare_loop(), None), Language::En, true);
    assert!(bare.text.contains("You now have 1,200 points."));
    assert!(!bare.text.contains('€') && !bare.text.contains("discount"));
    assert!(!bare.text.contains("Redeem"));
}

#[test]
fn progress_below_the_minimum_is_shown_in_every_language() {
    let expected = [
        (Language::En, "180 more points", "€50.00"),
        (Language::Nl, "180 punten", "€ 50,00"),
        (Language::De, "180 Punkte", "50,00 €"),
        (Language::Fr, "180 points", "50,00 €"),
        (Language::Es, "180 puntos", "50,00 €"),
    ];
    for (language, to_go, min_value) in expected {
        let r = render(&welcome(progress_loop(), 0), language, true);
        for body in both(&r) {
            assert!(body.contains(to_go), "{language}: {to_go} in {body}");
            assert!(
                body.contains(min_value),
                "{language}: {min_value} in {body}"
            );
            assert!(
                !body.contains("41,00") && !body.contains("41.00"),
                "{language}"
            );
        }
    }
}

#[test]
fn an_invitation_says_who_invited_whom_to_which_business_with_a_sign_in_link() {
    for language in Language::ALL {
        for role in ["staff", "owner"] {
            let r = render(&invitation(role), language, false);
            assert!(
                r.subject.contains("Noor de Vries"),
                "{language}: {}",
                r.subject
            );
            assert!(
                r.subject.contains("Café Noord"),
                "{language}: {}",
                r.subject
            );
            for body in both(&r) {
                assert!(
                    body.contains("sam@cafe-noord.example"),
                    "{language}: {body}"
                );
                assert!(
                    body.contains("https://tally.example/partner/login"),
                    "{language}: {body}"
                );
                assert!(
                    !body.contains("unsubscribe"),
                    "{language}: not a member email"
                );
            }
        }
    }
    let staff = render(&invitation("staff"), Language::En, false);
    let owner = render(&invitation("owner"), Language::En, false);
    assert!(
        staff.text.contains("as a member of staff"),
        "{}",
        staff.text
    );
    assert!(owner.text.contains("as an owner"), "{}", owner.text);
    assert!(staff
        .html
        .contains("href=\"https://tally.example/partner/login\""));
}

#[test]
fn one_point_is_singular() {
    let one = PointsLoop {
        balance: 1,
        discount: None,
        redeem_url: None,
    };
    let expected = [
        (Language::En, "You now have 1 point."),
        (Language::Nl, "Je hebt nu 1 punt."),
        (Language::De, "Du hast jetzt 1 Punkt."),
        (Language::Fr, "Vous avez maintenant 1 point."),
        (Language::Es, "Ahora tienes 1 punto."),
    ];
    for (language, sentence) in expected {
        let r = render(&points(one.clone(), None), language, false);
        assert!(r.text.contains(sentence), "{language}: {}", r.text);
    }
}

#[test]
fn links_appear_only_when_given() {
    for language in Language::ALL {
        for payload in [welcome(rich_loop(), 50), points(progress_loop(), None)] {
            let with = render(&payload, language, true);
            let without = render(&payload, language, false);
            for body in both(&with) {
                assert!(body.contains(REDEEM_URL), "{language}: redeem link");
                assert!(body.contains(UNSUBSCRIBE_URL), "{language}: opt-out link");
            }
            for body in both(&without) {
                assert!(!body.contains(UNSUBSCRIBE_URL), "{language}: opt-out link");
            }
        }
        let bare = render(&points(bare_loop(), None), language, true);
        for body in both(&bare) {
            assert!(!body.contains(REDEEM_URL), "{language}: no redeem link");
        }
        let welcome = render(&welcome(bare_loop(), 0), language, false);
        for body in both(&welcome) {
            assert!(body.contains(SIGN_IN_URL), "{language}: sign-in page");
        }
        let shop = render(&coupon(Some(STORE_URL)), language, true);
        let no_shop = render(&coupon(None), language, true);
        for body in both(&shop) {
            assert!(body.contains(STORE_URL), "{language}: store link");
            assert!(
                body.contains(UNSUBSCRIBE_URL),
                "{language}: coupon opt-out link"
            );
        }
        for body in both(&no_shop) {
            assert!(!body.contains(STORE_URL), "{language}: no store link");
        }
        let code = render(&sign_in(Realm::Member), language, false);
        for body in both(&code) {
            assert!(
                !body.contains("unsubscribe"),
                "{language}: no footer on codes"
            );
        }
    }
}

#[test]
fn coupon_shows_code_value_expiry_and_points_per_language() {
    let expected = [
        (Language::En, "€1,234.50", "30 November 2026", "24,690"),
        (Language::Nl, "€ 1.234,50", "30 november 2026", "24.690"),
        (Language::De, "1.234,50 €", "30. November 2026", "24.690"),
        (
            Language::Fr,
            "1\u{202F}234,50 €",
            "30 novembre 2026",
            "24\u{202F}690",
        ),
        (
            Language::Es,
            "1.234,50 €",
            "30 de noviembre de 2026",
            "24.690",
        ),
    ];
    for (language, amount, date, points) in expected {
        let r = render(&coupon(Some(STORE_URL)), language, true);
        assert!(r.subject.contains(amount), "{language}: {}", r.subject);
        for body in both(&r) {
            for wanted in ["POINTS-AB3CD4EF", amount, date, points] {
                assert!(body.contains(wanted), "{language}: {wanted} in {body}");
            }
        }
    }
    let lower = EmailPayload::Coupon(CouponEmail {
        code: "points-ab3cd4ef".into(),
        ..match coupon(None) {
            EmailPayload::Coupon(c) => c,
            _ => unreachable!(),
        }
    });
    assert!(render(&lower, Language::En, true)
        .text
        .contains("POINTS-AB3CD4EF"));
}

#[test]
fn sign_in_code_is_prominent_and_worded_per_realm() {
    for language in Language::ALL {
        let member = render(&sign_in(Realm::Member), language, false);
        let partner = render(&sign_in(Realm::Partner), language, false);
        for r in [&member, &partner] {
            for body in both(r) {
                assert!(body.contains("402917"), "{language}");
                assert!(body.contains("10 "), "{language}: minutes valid");
            }
            assert!(r.html.contains("font-size:32px"), "{language}: big code");
            assert!(
                !r.subject.contains("402917"),
                "{language}: code kept out of subject"
            );
        }
        assert!(member.subject.contains("Café Noord"), "{language}");
        assert_ne!(member.subject, partner.subject, "{language}");
        assert_ne!(member.text, partner.text, "{language}");
    }
    let partner = render(&sign_in(Realm::Partner), Language::En, false);
    assert!(
        partner.text.contains("business dashboard"),
        "{}",
        partner.text
    );
    let member = render(&sign_in(Realm::Member), Language::En, false);
    assert!(member.text.contains("ignore this email"), "{}", member.text);
}

#[test]
fn welcome_bonus_line_only_when_there_is_a_bonus() {
    for language in Language::ALL {
        let with = render(&welcome(bare_loop(), 75), language, true);
        let without = render(&welcome(bare_loop(), 0), language, true);
        for body in both(&with) {
            assert!(body.contains("75"), "{language}: bonus in {body}");
        }
        for body in both(&without) {
            assert!(!body.contains("75"), "{language}: no bonus in {body}");
        }
    }
}

/// Words of the English copy that no other language uses. Each must really occur in
/// the English renders, so the list cannot silently stop checking anything.
const ENGLISH_MARKERS: &[&str] = &[
    "Welcome",
    "Redeem",
    "discount",
    "expires",
    "You now have",
    "Hi ",
    "your ",
    "Your ",
    " the ",
    "Thanks",
    "earned",
    "sign in",
    "sign-in",
    "email",
    "Stop loyalty",
    "checkout",
    "valid for",
    "ignore this",
    "How to",
    "Only ",
    "Go to",
];

#[test]
fn no_english_is_left_in_other_languages() {
    let payloads = all_payloads();
    let renders = |language| {
        payloads
            .iter()
            .map(move |p| render(p, language, true))
            .collect::<Vec<_>>()
    };
    let english = renders(Language::En);
    for marker in ENGLISH_MARKERS {
        assert!(
            english
                .iter()
                .any(|r| r.subject.contains(marker) || both(r).iter().any(|b| b.contains(marker))),
            "marker {marker:?} does not occur in the English copy"
        );
    }
    for language in [Language::Nl, Language::De, Language::Fr, Language::Es] {
        for r in renders(language) {
            for part in [&r.subject, &r.html, &r.text] {
                for marker in ENGLISH_MARKERS {
                    assert!(!part.contains(marker), "{language}: {marker:?} in {part}");
                }
                // French also says "points"; the others must not.
                if language != Language::Fr {
                    assert!(!part.contains("point"), "{language}: \"point\" in {part}");
                }
            }
        }
    }
}

#[test]
fn html_escapes_user_values_and_text_keeps_them_literal() {
    let payload = EmailPayload::Points(PointsEmail {
        business_name: "Bakker & Zn \"De Korf\"".into(),
        member_name: "Ann <b>&".into(),
        card_name: "<i>Kaart</i>".into(),
        points_earned: 10,
        order_reference: Some("#7<script>".into()),
        loop_: rich_loop(),
    });
    for language in Language::ALL {
        let r = render(&payload, language, true);
        assert!(
            r.html.contains("Ann &lt;b&gt;&amp;"),
            "{language}: {}",
            r.html
        );
        assert!(!r.html.contains("Ann <b>"), "{language}");
        assert!(
            !r.html.contains("<i>") && !r.html.contains("<script"),
            "{language}"
        );
        assert!(
            r.html.contains("Bakker &amp; Zn &quot;De Korf&quot;"),
            "{language}"
        );
        assert!(r.text.contains("Ann <b>&"), "{language}: {}", r.text);
        assert!(r.text.contains("Bakker & Zn \"De Korf\""), "{language}");
        assert!(r.text.contains("#7<script>"), "{language}");
        assert!(
            r.subject.contains("Bakker & Zn"),
            "{language}: {}",
            r.subject
        );
        assert!(r.html.contains("<title>"), "{language}");
        assert!(
            !r.html.contains("<title>Bakker & Zn"),
            "{language}: escaped title"
        );
    }
}

#[test]
fn a_member_without_a_name_is_still_greeted() {
    let EmailPayload::Points(mut email) = points(rich_loop(), None) else {
        unreachable!()
    };
    email.member_name = "  ".into();
    let r = render(&EmailPayload::Points(email), Language::En, true);
    assert!(r.text.starts_with("Hi there,\n"), "{}", r.text);
}

#[test]
fn payloads_round_trip_through_the_outbox_json() {
    for payload in all_payloads() {
        let json = payload.to_json();
        let back = EmailPayload::from_json(payload.kind(), &json).expect("reads back");
        assert_eq!(back, payload);
    }
    let json = welcome(rich_loop(), 50).to_json();
    assert_eq!(json["loop"]["discount"]["balance_value"], "60.00");
    assert_eq!(json["kind"], "welcome");
}

/// One snapshot per kind and language: subject and text (and the English HTML).
#[test]
fn renders_match_the_snapshots() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/email");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let fixtures = [
        ("sign_in_code", sign_in(Realm::Member)),
        ("sign_in_code_partner", sign_in(Realm::Partner)),
        ("welcome", welcome(rich_loop(), 50)),
        ("points", points(progress_loop(), Some("#1042"))),
        ("coupon", coupon(Some(STORE_URL))),
        ("invitation", invitation("staff")),
        ("invitation_owner", invitation("owner")),
    ];
    let mut mismatches = Vec::new();
    for (name, payload) in &fixtures {
        for language in Language::ALL {
            let member_email = !matches!(
                payload.kind(),
                EmailKind::SignInCode | EmailKind::Invitation
            );
            let r = render(payload, language, member_email);
            let mut files = vec![(
                format!("{name}.{language}.txt"),
                format!("Subject: {}\n\n{}", r.subject, r.text),
            )];
            if language == Language::En {
                files.push((format!("{name}.{language}.html"), r.html.clone()));
            }
            for (file, actual) in files {
                let path = dir.join(&file);
                if update {
                    std::fs::create_dir_all(&dir).expect("snapshot folder");
                    std::fs::write(&path, &actual).expect("write snapshot");
                    continue;
                }
                match std::fs::read_to_string(&path) {
                    Ok(expected) if expected == actual => {}
                    Ok(expected) => mismatches.push(format!(
                        "{file} differs:\n--- expected\n{expected}\n--- actual\n{actual}"
                    )),
                    Err(_) => mismatches.push(format!("{file} is missing")),
                }
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{}\n\nIf the change is intended, run with UPDATE_SNAPSHOTS=1 and review the diff.",
        mismatches.join("\n\n")
    );
}
