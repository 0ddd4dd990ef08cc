//! The data export: everything Tally holds about one member, as one JSON document —
//! profile, email preferences, every card with its balance, all entries and
//! redemptions, sign-ins, sessions and the emails sent to them.

use database::{member_data, members, posting, sessions, wallets, DbError};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

fn ts(at: OffsetDateTime) -> Value {
    at.format(&Rfc3339)
        .map(Value::String)
        .unwrap_or(Value::Null)
}

fn ts_opt(at: Option<OffsetDateTime>) -> Value {
    at.map(ts).unwrap_or(Value::Null)
}

/// The export of the member's data, made at `now`.
pub async fn export(
    pool: &database::Pool,
    member_id: i64,
    now: OffsetDateTime,
) -> Result<Value, DbError> {
    let mut conn = database::pool::get(pool).await?;
    let member = members::find_by_id(&mut conn, member_id)
        .await?
        .ok_or(DbError::NotFound("member"))?;
    let redemptions = member_data::redemptions_of_member(&mut conn, member_id).await?;
    let mut cards = Vec::new();
    for view in wallets::of_member(&mut conn, member_id).await? {
        let w = &view.wallet;
        let entries = posting::entries_of_wallet(&mut conn, w.partner_id, w.id, i64::MAX).await?;
        let entries: Vec<Value> = entries
            .iter()
            .rev()
            .map(|e| {
                json!({
                    "id": e.id,
                    "kind": e.kind,
                    "channel": e.channel,
                    "points": e.points,
                    "applied_points": e.applied_points,
                    "balance_after": e.balance_after,
                    "order_id": e.order_id,
                    "reference": e.reference,
                    "note": e.note,
                    "rule": e.rule,
                    "created_at": ts(e.created_at),
                })
            })
            .collect();
        let own: Vec<Value> = redemptions
            .iter()
            .filter(|r| r.partner_id == w.partner_id && r.wallet_id == w.id)
            .map(|r| {
                json!({
                    "id": r.id,
                    "points": r.points,
                    "amount": r.amount.to_string(),
                    "currency": r.currency,
                    "code": r.code,
                    "status": r.status,
                    "expires_on": r.expires_on.to_string(),
                    "created_at": ts(r.created_at),
                })
            })
            .collect();
        cards.push(json!({
            "business": view.business_name,
            "card": view.card_name,
            "currency": view.currency,
            "balance": w.balance,
            "earned_points": w.earned_points,
            "joined_at": ts(w.created_at),
            "first_purchase_at": ts_opt(w.first_purchase_at),
            "entries": entries,
            "redemptions": own,
        }));
    }
    let sign_ins: Vec<Value> = sessions::sign_ins_of_member(&mut conn, member_id, i64::MAX)
        .await?
        .into_iter()
        .map(|(method, at)| json!({ "method": method, "at": ts(at) }))
        .collect();
    let sessions: Vec<Value> = sessions::of_member(&mut conn, member_id)
        .await?
        .iter()
        .map(|s| {
            json!({
                "method": s.method,
                "created_at": ts(s.created_at),
                "last_seen_at": ts(s.last_seen_at),
                "expires_at": ts(s.expires_at),
                "revoked_at": ts_opt(s.revoked_at),
            })
        })
        .collect();
    let emails: Vec<Value> =
        member_data::emails_of_member(&mut conn, member_id, &member.email_normalized)
            .await?
            .iter()
            .map(|m| {
                json!({
                    "kind": m.kind,
                    "to": m.to_address,
                    "language": m.language,
                    "status": m.status,
                    "created_at": ts(m.created_at),
                    "sent_at": ts_opt(m.sent_at),
                })
            })
            .collect();
    Ok(json!({
        "exported_at": ts(now),
        "profile": {
            "member_number": member.number,
            "member_code": member.code,
            "email": member.email,
            "name": member.name,
            "phone": member.phone,
            "language": member.language,
            "created_at": ts(member.created_at),
            "updated_at": ts(member.updated_at),
        },
        "email_preferences": {
            "loyalty_emails": member.loyalty_emails,
            "language": member.language,
        },
        "cards": cards,
        "sign_ins": sign_ins,
        "sessions": sessions,
        "emails": emails,
    }))
}
