//! The card form: `GET /partner/cards/new` and `POST /partner/cards` (create),
//! `GET /partner/cards/{card_id}` and `POST /partner/cards/{card_id}` (change). Staff see
//! a card's rules without a way to save them; creating and saving is the owner's. A
//! refused form comes back with what was typed and a message beside each field; a
//! double submit is carried out once (`form_once`).
//!
//! The page shows what a few example purchases earn under the saved rules, computed with
//! the ledger, so it is right without JavaScript; `templates/static/card-preview.js`
//! recomputes the same table from the rules as they are typed.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use database::activity::Actor;
use database::catalog::CardWithTiers;
use ledger::{Currency, EarnRule};
use serde::{Deserialize, Serialize};

use super::fields::{Submitted, Values};
use super::{card_url, done_message, not_found};
use crate::http::auth::PartnerAuth;
use crate::http::dashboard::{self, OwnerAuth};
use crate::http::once::form_once;
use crate::http::partner_woo::form_key;
use crate::http::render::{failure, page, see_other, stale_form};
use crate::http::AppState;
use crate::usecases::cards::{self, preview, rules_of, CardError, Preview};

/// `?done=` after a successful save.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShowQuery {
    pub done: Option<String>,
}

/// A currency of the form's list, with the decimals the preview needs.
#[derive(Debug, Serialize)]
struct CurrencyOption {
    code: &'static str,
    minor: u32,
}

/// What the preview shows, and on which rules.
struct Shown {
    preview: Option<Preview>,
    caption: &'static str,
}

impl Shown {
    fn of(saved: &CardWithTiers) -> Shown {
        match rules_of(saved) {
            Ok((rule, tiers)) => Shown {
                preview: Some(preview(&rule, &tiers)),
                caption: "With the saved rules.",
            },
            Err(_) => Shown::none(),
        }
    }

    fn defaults() -> Shown {
        Shown {
            preview: Some(preview(&EarnRule::default_for(Currency::EUR), &[])),
            caption: "With the default rules.",
        }
    }

    fn none() -> Shown {
        Shown {
            preview: None,
            caption: "Correct the rules above to see what purchases earn.",
        }
    }
}

/// Everything a render of the form needs besides who is signed in.
struct View<'a> {
    saved: Option<&'a CardWithTiers>,
    values: &'a Values,
    errors: &'a BTreeMap<String, String>,
    flash: Option<&'static str>,
    shown: Shown,
}

async fn render(
    state: &AppState,
    auth: &PartnerAuth,
    view: View<'_>,
    status: StatusCode,
) -> HttpResponse {
    let partner_id = auth.partner.id;
    let clubs = match cards::clubs(&state.pool, partner_id).await {
        Ok(clubs) => clubs,
        Err(e) => return failure(state, &e),
    };
    let has_members = match view.saved {
        Some(saved) => match cards::has_members(&state.pool, partner_id, saved.card.id).await {
            Ok(yes) => yes,
            Err(e) => return failure(state, &e),
        },
        None => false,
    };
    let mut ctx = dashboard::context(state, auth, "cards");
    ctx.insert("idem", &form_key());
    ctx.insert("values", view.values);
    ctx.insert("errors", view.errors);
    ctx.insert(
        "has_errors",
        &(!view.errors.is_empty() || view.values.tiers.iter().any(|t| !t.errors.is_empty())),
    );
    ctx.insert("flash", &view.flash);
    ctx.insert("readonly", &!dashboard::is_owner(auth));
    ctx.insert("creating", &view.saved.is_none());
    ctx.insert(
        "action",
        &view
            .saved
            .map(|s| card_url(s.card.id))
            .unwrap_or_else(|| "/partner/cards".to_owned()),
    );
    ctx.insert(
        "club",
        &view
            .saved
            .and_then(|s| clubs.iter().find(|c| c.id == s.card.club_id))
            .map(|c| c.name.clone()),
    );
    let choices: Vec<(String, &str)> = if clubs.len() > 1 {
        clubs
            .iter()
            .map(|c| (c.id.to_string(), c.name.as_str()))
            .collect()
    } else {
        Vec::new()
    };
    ctx.insert("clubs", &choices);
    ctx.insert("currency_fixed", &has_members);
    ctx.insert(
        "currencies",
        &Currency::all()
            .map(|c| CurrencyOption {
                code: c.code(),
                minor: c.minor_units(),
            })
            .collect::<Vec<_>>(),
    );
    let minor = Currency::parse(&view.values.currency)
        .map(|c| c.minor_units())
        .unwrap_or(2);
    ctx.insert("minor", &minor);
    ctx.insert("preview", &view.shown.preview);
    ctx.insert("preview_caption", view.shown.caption);
    page(state, "partner/cards/form.html", ctx, status)
}

/// The partner's card named by the path, or the 404 page.
async fn card_of(
    state: &AppState,
    partner_id: i64,
    card_id: &str,
) -> Result<CardWithTiers, HttpResponse> {
    let Ok(card_id) = card_id.parse::<i64>() else {
        return Err(not_found(state));
    };
    match cards::find(&state.pool, partner_id, card_id).await {
        Ok(Some(found)) => Ok(found),
        Ok(None) => Err(not_found(state)),
        Err(e) => Err(failure(state, &e)),
    }
}

pub(crate) async fn new_form(state: web::Data<AppState>, auth: OwnerAuth) -> HttpResponse {
    let view = View {
        saved: None,
        values: &Values::defaults(),
        errors: &BTreeMap::new(),
        flash: None,
        shown: Shown::defaults(),
    };
    render(&state, &auth, view, StatusCode::OK).await
}

pub(crate) async fn create(
    state: web::Data<AppState>,
    auth: OwnerAuth,
    form: web::Form<Vec<(String, String)>>,
) -> HttpResponse {
    let form = Submitted::new(form.into_inner());
    if !auth.csrf_ok(&state, form.get("csrf")) {
        return stale_form(&state);
    }
    let fingerprint = form.fingerprint();
    let fields: Vec<&str> = fingerprint.iter().map(String::as_str).collect();
    form_once(
        &state,
        auth.partner.id,
        "form:cards:new",
        form.get("idem"),
        &fields,
        || async {
            let (input, rows) = form.input();
            let created = cards::create(
                &state.pool,
                auth.partner.id,
                &input,
                Actor::PartnerUser(auth.user.id),
                time::OffsetDateTime::now_utc(),
            )
            .await;
            match created {
                Ok(card) => see_other(&format!("{}?done=created", card_url(card.card.id))),
                Err(CardError::Invalid(errors)) => {
                    let (values, general) = Values::typed(&form, &errors, &rows);
                    let view = View {
                        saved: None,
                        values: &values,
                        errors: &general,
                        flash: None,
                        shown: Shown::none(),
                    };
                    render(&state, &auth, view, StatusCode::UNPROCESSABLE_ENTITY).await
                }
                Err(e) => failure(&state, &e),
            }
        },
    )
    .await
}

pub(crate) async fn show(
    state: web::Data<AppState>,
    auth: PartnerAuth,
    card_id: web::Path<String>,
    query: web::Query<ShowQuery>,
) -> HttpResponse {
    let saved = match card_of(&state, auth.partner.id, &card_id).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    let view = View {
        saved: Some(&saved),
        values: &Values::of(&saved),
        errors: &BTreeMap::new(),
        flash: query.done.as_deref().and_then(done_message),
        shown: Shown::of(&saved),
    };
    render(&state, &auth, view, StatusCode::OK).await
}

pub(crate) async fn save(
    state: web::Data<AppState>,
    auth: OwnerAuth,
    card_id: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> HttpResponse {
    let saved = match card_of(&state, auth.partner.id, &card_id).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    let form = Submitted::new(form.into_inner());
    if !auth.csrf_ok(&state, form.get("csrf")) {
        return stale_form(&state);
    }
    let fingerprint = form.fingerprint();
    let fields: Vec<&str> = fingerprint.iter().map(String::as_str).collect();
    let scope = format!("form:cards:{}", saved.card.id);
    form_once(
        &state,
        auth.partner.id,
        &scope,
        form.get("idem"),
        &fields,
        || async {
            let (input, rows) = form.input();
            let changed = cards::change(
                &state.pool,
                auth.partner.id,
                saved.card.id,
                &input,
                Actor::PartnerUser(auth.user.id),
                time::OffsetDateTime::now_utc(),
            )
            .await;
            match changed {
                Ok(card) => see_other(&format!("{}?done=saved", card_url(card.card.id))),
                Err(CardError::Invalid(errors)) => {
                    let (values, general) = Values::typed(&form, &errors, &rows);
                    let view = View {
                        saved: Some(&saved),
                        values: &values,
                        errors: &general,
                        flash: None,
                        shown: Shown::of(&saved),
                    };
                    render(&state, &auth, view, StatusCode::UNPROCESSABLE_ENTITY).await
                }
                Err(CardError::NotFound) => not_found(&state),
                Err(e) => failure(&state, &e),
            }
        },
    )
    .await
}
