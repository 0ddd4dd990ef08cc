//! What an email says, before it is rendered: its kind, its language and a payload of
//! plain values (names, codes, points, decimal strings).
//!
//! A payload is stored as JSON in the outbox row, written in the same transaction as
//! the event that causes it, and rendered by [`crate::email::render`] when the worker
//! sends it. Payloads hold no formatting: numbers, money and dates are formatted for
//! the reader's language at render time.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The kinds of email Tally sends. Stored in the outbox row as [`EmailKind::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailKind {
    /// A one-time sign-in code (member portal or partner dashboard).
    SignInCode,
    /// A new member from a store order: points earned and how to sign in.
    Welcome,
    /// Points received for a purchase.
    Points,
    /// A store coupon issued for redeemed points.
    Coupon,
    /// An owner added someone to the team of a business (dashboard, not a member).
    Invitation,
}

impl EmailKind {
    /// Every kind, in a stable order.
    pub const ALL: [EmailKind; 5] = [
        EmailKind::SignInCode,
        EmailKind::Welcome,
        EmailKind::Points,
        EmailKind::Coupon,
        EmailKind::Invitation,
    ];

    /// `"sign_in_code"`, `"welcome"`, `"points"`, `"coupon"` or `"invitation"`; also the
    /// template folder.
    pub fn as_str(&self) -> &'static str {
        match self {
            EmailKind::SignInCode => "sign_in_code",
            EmailKind::Welcome => "welcome",
            EmailKind::Points => "points",
            EmailKind::Coupon => "coupon",
            EmailKind::Invitation => "invitation",
        }
    }

    /// The kind named by [`EmailKind::as_str`], or `None`.
    pub fn parse(text: &str) -> Option<EmailKind> {
        EmailKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text.trim())
    }
}

impl std::fmt::Display for EmailKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

pub use super::language::Language;

/// Who a sign-in code is for: the member portal or the partner dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Realm {
    Member,
    Partner,
}

/// A one-time sign-in code. The code is in the payload so the worker can send it; the
/// worker blanks the outbox row once it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInCodeEmail {
    /// Six digits.
    pub code: String,
    pub minutes_valid: u32,
    pub realm: Realm,
    /// The business name, or `"Tally"` where no business applies.
    pub sender_name: String,
}

/// "The loop" shown in every points email: the new balance, what it is worth in the
/// store, the progress towards the minimum, and a sign-in link to redeem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsLoop {
    pub balance: i64,
    /// `Some` when the card's store discount is on.
    pub discount: Option<DiscountLoop>,
    /// The "Redeem my points" sign-in link.
    pub redeem_url: Option<String>,
}

/// The store-discount part of [`PointsLoop`]. Money is decimal text in `currency`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountLoop {
    /// ISO 4217 code, e.g. `"EUR"`.
    pub currency: String,
    /// What the whole balance is worth, e.g. `"60.00"`.
    pub balance_value: String,
    /// The fewest points one coupon takes.
    pub min_points: i64,
    /// What `min_points` are worth, e.g. `"50.00"`.
    pub min_value: String,
    /// `Some(min_points - balance)` while the balance is below the minimum.
    pub points_to_go: Option<i64>,
}

/// Welcome to a card, for a new member created from a store order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WelcomeEmail {
    pub business_name: String,
    pub member_name: String,
    pub card_name: String,
    pub points_earned: i64,
    /// Zero when the card has no welcome bonus.
    pub welcome_bonus: i64,
    pub order_reference: Option<String>,
    #[serde(rename = "loop")]
    pub loop_: PointsLoop,
    /// The portal's sign-in page.
    pub sign_in_url: String,
}

/// Points received for a purchase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsEmail {
    pub business_name: String,
    pub member_name: String,
    pub card_name: String,
    pub points_earned: i64,
    pub order_reference: Option<String>,
    #[serde(rename = "loop")]
    pub loop_: PointsLoop,
}

/// A store coupon bought with points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponEmail {
    pub business_name: String,
    pub member_name: String,
    /// Upper case, e.g. `"POINTS-AB3CD4EF"`.
    pub code: String,
    /// Decimal text, e.g. `"50.00"`.
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
    /// The last day it can be used, `YYYY-MM-DD`.
    pub expires_on: String,
    /// The points it cost.
    pub points: i64,
    /// The webshop, for a "go to the shop" link.
    pub store_url: Option<String>,
}

/// An invitation to a business's dashboard team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationEmail {
    pub business_name: String,
    /// Who invited them: a name, or an email address.
    pub invited_by: String,
    /// `owner` or `staff`.
    pub role: String,
    /// The address they sign in with (the one invited).
    pub address: String,
    /// The dashboard's sign-in page.
    pub sign_in_url: String,
}

/// One email's content. Serialized with a `"kind"` field next to the payload's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EmailPayload {
    SignInCode(SignInCodeEmail),
    Welcome(WelcomeEmail),
    Points(PointsEmail),
    Coupon(CouponEmail),
    Invitation(InvitationEmail),
}

/// A stored payload that cannot be read back.
#[derive(Debug, thiserror::Error)]
pub enum PayloadError {
    #[error("the stored {kind} email payload is malformed: {source}")]
    Malformed {
        kind: EmailKind,
        source: serde_json::Error,
    },
    #[error("the stored payload says it is a {found} email, but the row says {expected}")]
    KindMismatch { expected: EmailKind, found: String },
}

impl EmailPayload {
    pub fn kind(&self) -> EmailKind {
        match self {
            EmailPayload::SignInCode(_) => EmailKind::SignInCode,
            EmailPayload::Welcome(_) => EmailKind::Welcome,
            EmailPayload::Points(_) => EmailKind::Points,
            EmailPayload::Coupon(_) => EmailKind::Coupon,
            EmailPayload::Invitation(_) => EmailKind::Invitation,
        }
    }

    /// The JSON stored in the outbox row: the payload's fields plus `"kind"`.
    pub fn to_json(&self) -> Value {
        // Only strings, integers, booleans and options: serializing cannot fail.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// Reads back what [`EmailPayload::to_json`] stored, for the row's `kind`. A
    /// `"kind"` field in the JSON, when present, must agree.
    pub fn from_json(kind: EmailKind, json: &Value) -> Result<EmailPayload, PayloadError> {
        if let Some(found) = json.get("kind") {
            if found.as_str() != Some(kind.as_str()) {
                return Err(PayloadError::KindMismatch {
                    expected: kind,
                    found: found.to_string(),
                });
            }
        }
        let malformed = |source| PayloadError::Malformed { kind, source };
        let json = json.clone();
        Ok(match kind {
            EmailKind::SignInCode => {
                EmailPayload::SignInCode(serde_json::from_value(json).map_err(malformed)?)
            }
            EmailKind::Welcome => {
                EmailPayload::Welcome(serde_json::from_value(json).map_err(malformed)?)
            }
            EmailKind::Points => {
                EmailPayload::Points(serde_json::from_value(json).map_err(malformed)?)
            }
            EmailKind::Coupon => {
                EmailPayload::Coupon(serde_json::from_value(json).map_err(malformed)?)
            }
            EmailKind::Invitation => {
                EmailPayload::Invitation(serde_json::from_value(json).map_err(malformed)?)
            }
        })
    }
}

/// What rendering needs besides the payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// The opt-out link for the footer: `Some` for member emails except sign-in codes.
    pub unsubscribe_url: Option<String>,
    pub language: Language,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in EmailKind::ALL {
            assert_eq!(EmailKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(EmailKind::parse("newsletter"), None);
    }

    #[test]
    fn language_parse_ignores_case_and_region() {
        assert_eq!(Language::parse("nl"), Some(Language::Nl));
        assert_eq!(Language::parse("NL"), Some(Language::Nl));
        assert_eq!(Language::parse("nl-BE"), Some(Language::Nl));
        assert_eq!(Language::parse(" de_AT "), Some(Language::De));
        assert_eq!(Language::parse("pt"), None);
        assert_eq!(Language::parse(""), None);
        assert_eq!(Language::parse("english"), None);
        for lang in Language::ALL {
            assert_eq!(Language::parse(lang.as_str()), Some(lang));
        }
    }

    #[test]
    fn accept_language_picks_the_best_supported_quality() {
        let cases = [
            ("", Language::En),
            ("pt-BR, pt;q=0.9", Language::En),
            ("nl-BE,nl;q=0.9,en;q=0.8", Language::Nl),
            ("en;q=0.5, de;q=0.8", Language::De),
            ("fr;q=0, es;q=0.1", Language::Es),
            ("pt, fr-CH;q=0.7, *;q=0.5", Language::Fr),
            ("es;q=0.8, de;q=0.8", Language::Es),
            ("de;q=1.0, fr;q=bad", Language::De),
            ("fr;q=1.5, nl;q=0.2", Language::Nl),
            ("*", Language::En),
        ];
        for (header, expected) in cases {
            assert_eq!(
                Language::from_accept_language(header),
                expected,
                "{header:?}"
            );
        }
    }

    #[test]
    fn payload_json_round_trips_and_checks_the_kind() {
        let payload = EmailPayload::SignInCode(SignInCodeEmail {
            code: "123456".into(),
            minutes_valid: 10,
            realm: Realm::Partner,
            sender_name: "Tally".into(),
        });
        let json = payload.to_json();
        assert_eq!(json["kind"], "sign_in_code");
        assert_eq!(json["realm"], "partner");
        let back = EmailPayload::from_json(EmailKind::SignInCode, &json);
        assert_eq!(back.ok(), Some(payload));
        assert!(matches!(
            EmailPayload::from_json(EmailKind::Coupon, &json),
            Err(PayloadError::KindMismatch { .. })
        ));
        assert!(matches!(
            EmailPayload::from_json(EmailKind::Points, &serde_json::json!({"balance": 1})),
            Err(PayloadError::Malformed { .. })
        ));
    }
}
