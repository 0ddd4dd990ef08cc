//! The dashboard's clubs and cards (SPEC §2, §7): the list of cards with their key rules,
//! and the card form (every rule and the tiers, with a live preview of what purchases
//! earn). Everyone signed in sees the cards; only the owner creates and changes them.

pub(super) mod fields;
pub(super) mod form;

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use database::catalog::{Card, CardWithTiers};
use ledger::Points;
use serde::{Deserialize, Serialize};

use super::auth::PartnerAuth;
use super::dashboard;
use super::render::{failure, page};
use super::AppState;
use crate::usecases::cards::{self, money_text, multiplier_text};

pub(crate) use form::{create, new_form, save, show};

/// Cards on one page of the list.
const PAGE: i64 = 50;

/// Where a card's page is.
pub fn card_url(card_id: i64) -> String {
    format!("/partner/cards/{card_id}")
}

/// The 404 page, as for any unknown address.
fn not_found(state: &AppState) -> HttpResponse {
    page(
        state,
        "not_found.html",
        tera::Context::new(),
        StatusCode::NOT_FOUND,
    )
}

/// `?before=<card id>` for older cards.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub before: Option<String>,
}

/// What a `?done=` code says.
fn done_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "created" => "The card is created.",
        "saved" => "The card's rules are saved.",
        _ => return None,
    })
}

/// One card of the list, in words.
#[derive(Debug, Serialize)]
struct Summary {
    url: String,
    name: String,
    club: String,
    active: bool,
    earn: String,
    rules: Vec<String>,
    tiers: Vec<String>,
}

fn points_phrase(points: i64) -> String {
    let grouped = Points::new(points).grouped();
    if points == 1 {
        format!("{grouped} point")
    } else {
        format!("{grouped} points")
    }
}

/// "1 point per 1.00 EUR, rounded down".
pub fn earn_phrase(card: &Card) -> String {
    let rounding = match card.rounding.as_str() {
        "nearest" => "rounded to the nearest point",
        "up" => "rounded up",
        _ => "rounded down",
    };
    format!(
        "{} per {} {}, {rounding}",
        points_phrase(card.points_per_unit),
        money_text(&card.unit_amount, &card.currency),
        card.currency
    )
}

fn summary(found: &CardWithTiers, clubs: &HashMap<i64, String>) -> Summary {
    let card = &found.card;
    let mut rules = Vec::new();
    if card.min_purchase_amount > 0 {
        rules.push(format!(
            "Minimum purchase {} {}",
            money_text(&card.min_purchase_amount, &card.currency),
            card.currency
        ));
    }
    if card.min_points_per_purchase > 0 {
        rules.push(format!(
            "At least {} per purchase",
            points_phrase(card.min_points_per_purchase)
        ));
    }
    if let Some(max) = card.max_points_per_purchase {
        rules.push(format!("At most {} per purchase", points_phrase(max)));
    }
    if card.welcome_bonus_points > 0 {
        rules.push(format!(
            "Welcome bonus {}",
            points_phrase(card.welcome_bonus_points)
        ));
    }
    Summary {
        url: card_url(card.id),
        name: card.name.clone(),
        club: clubs.get(&card.club_id).cloned().unwrap_or_default(),
        active: card.active,
        earn: earn_phrase(card),
        rules,
        tiers: found
            .tiers
            .iter()
            .map(|t| {
                format!(
                    "{} from {} ×{}",
                    t.name,
                    points_phrase(t.threshold),
                    multiplier_text(&t.multiplier)
                )
            })
            .collect(),
    }
}

pub(crate) async fn list(
    state: web::Data<AppState>,
    auth: PartnerAuth,
    query: web::Query<ListQuery>,
) -> HttpResponse {
    let partner_id = auth.partner.id;
    let before = query.before.as_deref().and_then(|b| b.parse::<i64>().ok());
    let (mut found, clubs) = match tokio::try_join!(
        cards::list(&state.pool, partner_id, before, PAGE + 1),
        cards::clubs(&state.pool, partner_id)
    ) {
        Ok(both) => both,
        Err(e) => return failure(&state, &e),
    };
    let older = (found.len() as i64 > PAGE).then(|| {
        found.truncate(PAGE as usize);
        found
            .last()
            .map(|c| format!("/partner/cards?before={}", c.card.id))
    });
    let names: HashMap<i64, String> = clubs.iter().map(|c| (c.id, c.name.clone())).collect();
    let mut ctx = dashboard::context(&state, &auth, "cards");
    ctx.insert(
        "cards",
        &found.iter().map(|c| summary(c, &names)).collect::<Vec<_>>(),
    );
    ctx.insert("show_clubs", &(clubs.len() > 1));
    ctx.insert("older", &older.flatten());
    ctx.insert("newest", &before.is_some());
    page(&state, "partner/cards/index.html", ctx, StatusCode::OK)
}
