//! The counter page's context: the card picker, the entry form, who was found, the
//! preview with its Confirm form, the receipt.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use database::posting::Entry;
use ledger::{Points, Tier};
use serde_json::{json, Value};

use super::CounterFields;
use crate::email::language::Language;
use crate::http::auth::PartnerAuth;
use crate::http::partner_woo::form_key;
use crate::http::render::{failure, page};
use crate::http::{dashboard, AppState};
use crate::usecases::counter::{self, CounterError, Customer, Found, Preview, Recorded};

/// What the page shows below the form.
#[derive(Debug)]
pub enum Screen {
    /// An empty counter.
    Entry,
    /// What the purchase would earn, with the Confirm form.
    Preview {
        preview: Box<Preview>,
        notice: Option<String>,
    },
    /// The form again with what is wrong (and who was found, when the member was).
    Refused {
        error: Box<CounterError>,
        found: Option<Box<Found>>,
        empty_amount: bool,
    },
    /// The receipt of a recorded purchase, above an empty counter.
    Done(Box<Recorded>),
}

/// The 404 page, as for any unknown address.
pub fn not_found(state: &AppState) -> HttpResponse {
    page(
        state,
        "not_found.html",
        tera::Context::new(),
        StatusCode::NOT_FOUND,
    )
}

fn grouped(points: i64) -> String {
    Points::new(points).grouped()
}

fn multiplier(tier: &Tier) -> String {
    tier.multiplier().normalized().to_string()
}

fn customer_json(customer: &Customer, tier: Option<&Tier>, has_tiers: bool) -> Value {
    match customer {
        Customer::Known { member, wallet } => json!({
            "known": true,
            "name": member.name,
            "email": member.email,
            "number": member.number,
            "code": member.code,
            "on_card": wallet.is_some(),
            "balance": grouped(wallet.as_ref().map(|w| w.balance).unwrap_or(0)),
            "has_tiers": has_tiers,
            "tier": tier.map(Tier::name),
            "multiplier": tier.map(multiplier),
        }),
        Customer::New { email } => json!({"known": false, "email": email.as_str()}),
    }
}

fn preview_json(preview: &Preview) -> Value {
    let quote = &preview.quote;
    json!({
        "amount": preview.amount.to_string(),
        "amount_value": preview.amount.to_exact_string(),
        "qualifies": quote.qualifies,
        "points": grouped(quote.points),
        "welcome_bonus": quote.welcome_bonus,
        "welcome_bonus_text": grouped(quote.welcome_bonus),
        "total": quote.total(),
        "total_text": grouped(quote.total()),
        "balance_after": grouped(preview.balance_after()),
        "tier": quote.tier.as_ref().map(Tier::name),
        "multiplier": quote.tier.as_ref().map(multiplier),
        "explain": quote.breakdown.explain(),
    })
}

fn breakdown_of(entry: &Entry) -> Option<ledger::Breakdown> {
    entry
        .rule
        .as_ref()
        .and_then(|r| serde_json::from_value(r.clone()).ok())
}

fn receipt_json(recorded: &Recorded) -> Value {
    let m = &recorded.member;
    let who = if m.name.trim().is_empty() {
        m.email.clone()
    } else {
        m.name.clone()
    };
    let breakdown = breakdown_of(&recorded.purchase);
    json!({
        "points": grouped(recorded.points()),
        "who": who,
        "email": m.email,
        "number": m.number,
        "balance": grouped(recorded.balance()),
        "purchase_points": grouped(recorded.purchase.applied_points),
        "welcome_bonus": recorded.welcome_bonus.as_ref().map(|e| grouped(e.applied_points)),
        "tier": recorded.tier,
        "multiplier": breakdown.as_ref().and_then(|b| b.multiplier.clone()),
        "amount": breakdown.as_ref().map(|b| format!("{} {}", b.amount, b.currency)),
        "reference": recorded.purchase.reference,
        "member_created": recorded.member_created,
    })
}

/// The message of a refusal, under the field it is about (or above the form).
fn errors_json(error: &CounterError) -> (Value, Option<String>) {
    match error.field() {
        Some(field) => {
            let mut map = serde_json::Map::new();
            map.insert(field.to_owned(), Value::String(error.to_string()));
            (Value::Object(map), None)
        }
        None => (json!({}), Some(error.to_string())),
    }
}

/// Renders the counter page with `fields` in the form and `screen` below it.
pub async fn render(
    state: &AppState,
    auth: &PartnerAuth,
    fields: &CounterFields,
    screen: Screen,
    status: StatusCode,
) -> HttpResponse {
    let cards = match counter::active_cards(&state.pool, auth.partner.id).await {
        Ok(cards) => cards,
        Err(e) => return failure(state, &e),
    };
    let mut ctx = dashboard::context(state, auth, "counter");
    ctx.insert("idem", &form_key());
    let wanted: Option<i64> = fields.card_id.trim().parse().ok();
    let Some(card) = cards
        .iter()
        .find(|c| Some(c.id) == wanted)
        .or(cards.first())
    else {
        ctx.insert("no_cards", &true);
        return page(state, "partner/counter.html", ctx, status);
    };
    let card_list: Vec<Value> = cards
        .iter()
        .map(|c| json!({"id": c.id, "name": c.name, "currency": c.currency}))
        .collect();
    ctx.insert("cards", &card_list);
    ctx.insert("card_id", &card.id);
    ctx.insert("card_name", &card.name);
    ctx.insert("currency", &card.currency);
    ctx.insert(
        "form",
        &json!({
            "member": fields.member.trim(),
            "amount": fields.amount.trim(),
            "reference": fields.reference.trim(),
            "name": fields.name.trim(),
            "language": fields.language.trim(),
        }),
    );
    let languages: Vec<Value> = Language::ALL
        .iter()
        .map(|l| json!({"code": l.as_str(), "name": language_name(*l)}))
        .collect();
    ctx.insert("languages", &languages);
    ctx.insert("errors", &json!({}));
    match screen {
        Screen::Entry => {}
        Screen::Preview { preview, notice } => {
            let tier = preview.current_tier.as_ref();
            let customer = customer_json(&preview.customer, tier, preview.has_tiers);
            ctx.insert("customer", &customer);
            ctx.insert("preview", &preview_json(&preview));
            ctx.insert("notice", &notice);
        }
        Screen::Refused {
            error,
            found,
            empty_amount,
        } => {
            if let Some(found) = &found {
                let customer = customer_json(&found.customer, found.tier.as_ref(), found.has_tiers);
                ctx.insert("customer", &customer);
            }
            let (errors, general) = errors_json(&error);
            ctx.insert("errors", &errors);
            ctx.insert("error", &general);
            ctx.insert("empty_amount", &empty_amount);
        }
        Screen::Done(recorded) => {
            ctx.insert("receipt", &receipt_json(&recorded));
        }
    }
    page(state, "partner/counter.html", ctx, status)
}

fn language_name(language: Language) -> &'static str {
    match language {
        Language::En => "English",
        Language::Nl => "Nederlands",
        Language::De => "Deutsch",
        Language::Fr => "Français",
        Language::Es => "Español",
    }
}
