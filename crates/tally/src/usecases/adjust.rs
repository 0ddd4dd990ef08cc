//! Manual adjustments (SPEC §2, §7, §8): a partner adds or takes away points on a
//! member's wallet with a note saying why. A debit larger than the balance is refused
//! (the ledger's `apply` decides, under the wallet lock), the entry is an `adjustment`
//! with the staff user as its source, the same idempotency key posts once, and the
//! activity log records who adjusted whom by how much and why — all in one transaction.

use database::activity::{self, Actor, NewActivity};
use database::members::Member;
use database::posting::{self, Entry, EntrySource, Posting, PostingError};
use database::{wallets, DbError, ScopedFutureExt};
use ledger::{Channel, EntryKind, LedgerError, Points};
use time::OffsetDateTime;

/// The longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 500;

/// Who adjusts: a staff user in the dashboard (channel `counter`) or an API token
/// (channel `api`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdjustedBy {
    PartnerUser(i64),
    ApiToken(i64),
}

impl AdjustedBy {
    fn actor(self) -> Actor {
        match self {
            AdjustedBy::PartnerUser(id) => Actor::PartnerUser(id),
            AdjustedBy::ApiToken(id) => Actor::ApiToken(id),
        }
    }

    fn channel(self) -> Channel {
        match self {
            AdjustedBy::PartnerUser(_) => Channel::Counter,
            AdjustedBy::ApiToken(_) => Channel::Api,
        }
    }
}

/// A request to move `points` (signed) on `member`'s wallet on `card_id`.
#[derive(Debug, Clone)]
pub struct AdjustRequest<'a> {
    pub partner_id: i64,
    pub card_id: i64,
    pub member: &'a Member,
    pub points: i64,
    /// As typed: trimmed here, required, at most [`MAX_NOTE_CHARS`].
    pub note: &'a str,
    pub by: AdjustedBy,
    /// Unique per partner: the same key is the same adjustment.
    pub idempotency_key: String,
    pub now: OffsetDateTime,
}

/// The adjustment's entry (or, replayed, the one posted before under its key).
#[derive(Debug, Clone)]
pub struct Adjusted {
    pub entry: Entry,
    pub replayed: bool,
}

/// Why an adjustment was not made; nothing was posted.
#[derive(Debug, thiserror::Error)]
pub enum AdjustError {
    #[error("Enter a number of points other than zero: positive adds, negative takes away.")]
    ZeroPoints,
    #[error("Add a note saying why the points change.")]
    NoteMissing,
    #[error("Keep the note to {MAX_NOTE_CHARS} characters.")]
    NoteTooLong,
    #[error("This member has no wallet on this card.")]
    NoWallet,
    #[error("Cannot take away {} points: the balance is {}, and an adjustment may not take it below zero.", .requested.grouped(), .balance.grouped())]
    InsufficientPoints { balance: Points, requested: Points },
    #[error("This idempotency key was already used for another request.")]
    KeyReused,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl AdjustError {
    /// The API's error code (SPEC §8).
    pub fn code(&self) -> &'static str {
        match self {
            AdjustError::ZeroPoints | AdjustError::NoteMissing | AdjustError::NoteTooLong => {
                "validation_failed"
            }
            AdjustError::NoWallet => "not_found",
            AdjustError::InsufficientPoints { .. } => "insufficient_points",
            AdjustError::KeyReused => "idempotency_key_reused",
            AdjustError::Db(_) => "internal_error",
        }
    }

    /// The request field the refusal is about, when it is one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            AdjustError::ZeroPoints | AdjustError::InsufficientPoints { .. } => Some("points"),
            AdjustError::NoteMissing | AdjustError::NoteTooLong => Some("note"),
            _ => None,
        }
    }
}

/// The note, trimmed, when it is 1 to [`MAX_NOTE_CHARS`] characters.
pub fn check_note(note: &str) -> Result<&str, AdjustError> {
    let note = note.trim();
    if note.is_empty() {
        Err(AdjustError::NoteMissing)
    } else if note.chars().count() > MAX_NOTE_CHARS {
        Err(AdjustError::NoteTooLong)
    } else {
        Ok(note)
    }
}

/// Points as a person types them: `5`, `+5`, `-5`, `−5` (a real minus), `1,200`.
pub fn parse_points(text: &str) -> Option<i64> {
    let cleaned: String = text
        .trim()
        .replace('\u{2212}', "-")
        .chars()
        .filter(|c| !matches!(c, ',' | ' ' | '\u{a0}' | '_'))
        .collect();
    cleaned.strip_prefix('+').unwrap_or(&cleaned).parse().ok()
}

/// Posts the adjustment and records it in the activity log, in one transaction.
pub async fn adjust(
    pool: &database::Pool,
    req: &AdjustRequest<'_>,
) -> Result<Adjusted, AdjustError> {
    if req.points == 0 {
        return Err(AdjustError::ZeroPoints);
    }
    let note = check_note(req.note)?.to_owned();
    let (partner_id, card_id, points, by, now) =
        (req.partner_id, req.card_id, req.points, req.by, req.now);
    let member = req.member;
    let key = req.idempotency_key.clone();
    database::transaction(pool, |conn| {
        async move {
            let wallet = wallets::find(conn, partner_id, card_id, member.id)
                .await?
                .ok_or(AdjustError::NoWallet)?;
            let posting = Posting {
                partner_id,
                wallet_id: wallet.id,
                kind: EntryKind::Adjustment,
                channel: by.channel(),
                points: Points::new(points),
                // Only purchases (less their refunds) decide the tier.
                tier_points: Points::ZERO,
                idempotency_key: key,
                source: EntrySource {
                    partner_user_id: match by {
                        AdjustedBy::PartnerUser(id) => Some(id),
                        AdjustedBy::ApiToken(_) => None,
                    },
                    note: Some(note.clone()),
                    ..EntrySource::default()
                },
                rule: None,
                now,
            };
            let posted = posting::post_in(conn, &posting).await.map_err(refusal)?;
            if !posted.replayed {
                let subject = format!("member {}", member.number);
                activity::record(
                    conn,
                    &NewActivity {
                        partner_id,
                        actor: by.actor(),
                        action: "points_adjusted",
                        subject: Some(&subject),
                        details: serde_json::json!({
                            "member_id": member.id.to_string(),
                            "member_number": member.number,
                            "card_id": card_id.to_string(),
                            "entry_id": posted.entry.id.to_string(),
                            "points": points,
                            "balance": posted.entry.balance_after,
                            "note": note,
                        }),
                        now,
                    },
                )
                .await?;
            }
            Ok::<_, AdjustError>(Adjusted {
                entry: posted.entry,
                replayed: posted.replayed,
            })
        }
        .scope_boxed()
    })
    .await
}

fn refusal(e: PostingError) -> AdjustError {
    match e {
        PostingError::Refused(LedgerError::AdjustmentExceedsBalance { balance, requested }) => {
            AdjustError::InsufficientPoints { balance, requested }
        }
        PostingError::Refused(LedgerError::ZeroAdjustment) => AdjustError::ZeroPoints,
        PostingError::WalletNotFound => AdjustError::NoWallet,
        PostingError::IdempotencyKeyReused(_) => AdjustError::KeyReused,
        PostingError::Db(e) => AdjustError::Db(e),
        PostingError::Refused(other) => AdjustError::Db(DbError::Conflict(leak(other))),
    }
}

/// Any other ledger refusal is a bug in this module (the sign and kind are fixed here).
fn leak(e: LedgerError) -> &'static str {
    tracing::error!(error = %e, "an adjustment was refused unexpectedly");
    "the ledger refused the adjustment"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_read_as_people_type_them() {
        assert_eq!(parse_points("5"), Some(5));
        assert_eq!(parse_points(" +5 "), Some(5));
        assert_eq!(parse_points("-5"), Some(-5));
        assert_eq!(parse_points("\u{2212}1,200"), Some(-1200));
        assert_eq!(parse_points("five"), None);
        assert_eq!(parse_points(""), None);
        assert_eq!(parse_points("1.5"), None);
    }

    #[test]
    fn a_note_is_required_trimmed_and_at_most_500_characters() {
        assert!(matches!(check_note("   "), Err(AdjustError::NoteMissing)));
        assert_eq!(check_note("  Broken cup ").unwrap(), "Broken cup");
        assert!(check_note(&"é".repeat(500)).is_ok());
        assert!(matches!(
            check_note(&"é".repeat(501)),
            Err(AdjustError::NoteTooLong)
        ));
    }
}
