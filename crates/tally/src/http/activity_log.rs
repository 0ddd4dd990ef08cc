//! `/partner/activity`: the business's activity log, newest first, a page at a time
//! (`?before=<entry id>`): when (on the partner's clock), who, and what, in words.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use database::activity::Activity;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::auth::PartnerAuth;
use super::dashboard;
use super::partner_woo::when;
use super::render::{failure, page};
use super::AppState;

/// Entries per page.
const PAGE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    pub before: Option<String>,
}

#[derive(Debug, Serialize)]
struct Row {
    id: i64,
    when: String,
    who: String,
    what: String,
}

/// Names for the actors of one page: users and tokens by id.
struct Names {
    users: HashMap<i64, String>,
    tokens: HashMap<i64, String>,
}

impl Names {
    fn who(&self, a: &Activity) -> String {
        match a.actor_kind.as_str() {
            "partner_user" => a
                .partner_user_id
                .and_then(|id| self.users.get(&id).cloned())
                .unwrap_or_else(|| "A former user".into()),
            "api_token" => a
                .api_token_id
                .and_then(|id| self.tokens.get(&id))
                .map(|name| format!("API token “{name}”"))
                .unwrap_or_else(|| "An API token".into()),
            "member" => "A member".into(),
            _ => "Tally (automatic)".into(),
        }
    }
}

pub(crate) async fn show(
    state: web::Data<AppState>,
    auth: PartnerAuth,
    query: web::Query<PageQuery>,
) -> HttpResponse {
    let before = query
        .before
        .as_deref()
        .and_then(|b| b.trim().parse::<i64>().ok());
    let partner_id = auth.partner.id;
    let loaded = async {
        let mut conn = database::pool::get(&state.pool).await?;
        let entries = database::activity::page(&mut conn, partner_id, before, PAGE + 1).await?;
        let users = database::partners::users_of_partner(&mut conn, partner_id).await?;
        let tokens = database::tokens::of_partner(&mut conn, partner_id).await?;
        Ok::<_, database::DbError>((entries, users, tokens))
    }
    .await;
    let (mut entries, users, tokens) = match loaded {
        Ok(found) => found,
        Err(e) => return failure(&state, &e),
    };
    let more = entries.len() as i64 > PAGE;
    entries.truncate(PAGE as usize);
    let names = Names {
        users: users.into_iter().map(|u| (u.id, u.email)).collect(),
        tokens: tokens.into_iter().map(|t| (t.id, t.name)).collect(),
    };
    let tz = auth.partner.timezone.as_str();
    let rows: Vec<Row> = entries
        .iter()
        .map(|a| Row {
            id: a.id,
            when: when(tz, a.created_at),
            who: names.who(a),
            what: describe(a),
        })
        .collect();
    let older = more
        .then(|| {
            rows.last()
                .map(|r| format!("/partner/activity?before={}", r.id))
        })
        .flatten();
    let mut ctx = dashboard::context(&state, &auth, "activity");
    ctx.insert("rows", &rows);
    ctx.insert("older", &older);
    ctx.insert("paged", &before.is_some());
    page(&state, "partner/activity.html", ctx, StatusCode::OK)
}

fn text(details: &Value, key: &str) -> String {
    match details.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

fn fmt_points(n: i64) -> String {
    crate::email::format::format_points(n, crate::email::message::Language::En)
}

fn points(details: &Value) -> String {
    details
        .get("points")
        .and_then(Value::as_i64)
        .map(fmt_points)
        .unwrap_or_default()
}

/// What an entry says, in words.
fn describe(a: &Activity) -> String {
    let subject = a.subject.clone().unwrap_or_default();
    let d = &a.details;
    match a.action.as_str() {
        "signed_in" if text(d, "method") == "link" => "Signed in with a link".into(),
        "signed_in" => "Signed in with a code".into(),
        "team_member_invited" => format!("Invited {subject} as {}", text(d, "role")),
        "team_role_changed" => format!(
            "Changed the role of {subject} from {} to {}",
            text(d, "from"),
            text(d, "to")
        ),
        "team_member_removed" => format!("Removed {subject} from the team"),
        "business_settings_changed" => settings_change(d),
        "api_token_created" => format!("Created the API token “{subject}”"),
        "api_token_revoked" => format!("Revoked the API token “{subject}”"),
        "integration_connected" if text(d, "revived") == "true" => {
            format!("Connected the WooCommerce store {subject} again")
        }
        "integration_connected" => format!("Connected the WooCommerce store {subject}"),
        "integration_settings_changed" => {
            format!("Changed the WooCommerce settings of {subject}")
        }
        "integration_paused" => format!("Paused the WooCommerce store {subject}"),
        "integration_resumed" => format!("Resumed the WooCommerce store {subject}"),
        "integration_disconnected" => format!("Disconnected the WooCommerce store {subject}"),
        "webhook_reactivated" => format!("Re-activated the WooCommerce webhook of {subject}"),
        "counter_purchase" => {
            let bonus = d.get("welcome_bonus").and_then(Value::as_i64).unwrap_or(0);
            let bonus = if bonus > 0 {
                format!(" and a welcome bonus of {}", fmt_points(bonus))
            } else {
                String::new()
            };
            format!(
                "Recorded a purchase of {} {} at the counter for {subject}: {} points{bonus}",
                text(d, "amount"),
                text(d, "currency"),
                points(d)
            )
        }
        "points_adjusted" => {
            let n = d.get("points").and_then(Value::as_i64).unwrap_or(0);
            let (verb, to) = if n < 0 {
                ("Took", "from")
            } else {
                ("Gave", "to")
            };
            let note = match text(d, "note") {
                note if note.is_empty() => String::new(),
                note => format!(" (“{note}”)"),
            };
            format!("{verb} {} points {to} {subject}{note}", fmt_points(n.abs()))
        }
        "redemption_requested" => {
            format!("Asked for coupon {subject} for {} points", points(d))
        }
        "redemption_issued" => format!(
            "Coupon {subject} was created in the store ({} points)",
            points(d)
        ),
        "redemption_reversed" => format!(
            "Coupon {subject} could not be created: {} points were given back",
            points(d)
        ),
        other => {
            let words = other.replace('_', " ");
            let mut chars = words.chars();
            let said = match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            };
            if subject.is_empty() {
                said
            } else {
                format!("{said}: {subject}")
            }
        }
    }
}

fn settings_change(details: &Value) -> String {
    let labels = [
        ("name", "name"),
        ("business_email", "business email"),
        ("timezone", "timezone"),
    ];
    let changes: Vec<String> = labels
        .iter()
        .filter_map(|(key, label)| {
            let change = details.get(*key)?;
            Some(format!(
                "{label} from “{}” to “{}”",
                text(change, "from"),
                text(change, "to")
            ))
        })
        .collect();
    if changes.is_empty() {
        "Saved the business settings".into()
    } else {
        format!("Changed the business settings: {}", changes.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: &str, subject: Option<&str>, details: Value) -> Activity {
        Activity {
            partner_id: 1,
            id: 1,
            actor_kind: "partner_user".into(),
            partner_user_id: Some(1),
            api_token_id: None,
            action: action.into(),
            subject: subject.map(Into::into),
            details,
            created_at: time::OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn entries_are_said_in_words() {
        let cases = [
            (
                entry("signed_in", None, serde_json::json!({"method": "code"})),
                "Signed in with a code",
            ),
            (
                entry(
                    "team_member_invited",
                    Some("sam@x.test"),
                    serde_json::json!({"role": "staff"}),
                ),
                "Invited sam@x.test as staff",
            ),
            (
                entry("api_token_revoked", Some("Till"), serde_json::json!({})),
                "Revoked the API token “Till”",
            ),
            (
                entry(
                    "redemption_reversed",
                    Some("P-ABCDEFGH"),
                    serde_json::json!({"points": 1200}),
                ),
                "Coupon P-ABCDEFGH could not be created: 1,200 points were given back",
            ),
            (
                entry("card_created", Some("Coffee"), serde_json::json!({})),
                "Card created: Coffee",
            ),
            (
                entry(
                    "business_settings_changed",
                    None,
                    serde_json::json!({"timezone": {"from": "UTC", "to": "Europe/Amsterdam"}}),
                ),
                "Changed the business settings: timezone from “UTC” to “Europe/Amsterdam”",
            ),
        ];
        for (a, said) in cases {
            assert_eq!(describe(&a), said);
        }
    }
}
