//! The counter page (SPEC §7), for owners and staff: pick the card, name the member
//! (email, member code or member number — or a new customer's email), type the amount,
//! press Preview to see the points with the tier multiplier and the welcome bonus, then
//! Confirm. The confirm form carries the previewed values and a fresh idempotency key,
//! so a double click records one purchase; the answer is a receipt and an empty counter
//! for the next customer.

mod view;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::auth::PartnerAuth;
use super::once::form_once;
use super::render::{failure, stale_form};
use super::AppState;
use crate::usecases::counter::{
    self, AmountError, CounterError, CounterRequest, Recorder, Recording,
};
use view::{render, Screen};

/// `?card_id=` picks the card.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CardQuery {
    pub card_id: String,
}

/// What the counter's forms carry. Every field has a default, so a malformed submission
/// reaches the handler and gets a page that explains it.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct CounterFields {
    pub csrf: String,
    pub idem: String,
    pub card_id: String,
    pub member: String,
    pub amount: String,
    pub reference: String,
    /// A new customer's name and email language.
    pub name: String,
    pub language: String,
    /// The total points the preview showed.
    pub expected_points: String,
}

impl CounterFields {
    fn request(&self, auth: &PartnerAuth, card_id: i64) -> CounterRequest<'_> {
        CounterRequest {
            partner_id: auth.partner.id,
            card_id,
            member: &self.member,
            amount: &self.amount,
            decimal_comma: true,
        }
    }
}

pub(crate) async fn show(
    state: web::Data<AppState>,
    auth: PartnerAuth,
    query: web::Query<CardQuery>,
) -> HttpResponse {
    let fields = CounterFields {
        card_id: query.card_id.clone(),
        ..CounterFields::default()
    };
    render(&state, &auth, &fields, Screen::Entry, StatusCode::OK).await
}

pub(crate) async fn preview(
    state: web::Data<AppState>,
    auth: PartnerAuth,
    form: web::Form<CounterFields>,
) -> HttpResponse {
    if !auth.csrf_ok(&state, &form.csrf) {
        return stale_form(&state);
    }
    let Some(card_id) = card_id(&form) else {
        return view::not_found(&state);
    };
    show_preview(&state, &auth, &form, card_id, None).await
}

/// The preview of `fields`, or the entry form with what is wrong.
async fn show_preview(
    state: &AppState,
    auth: &PartnerAuth,
    fields: &CounterFields,
    card_id: i64,
    notice: Option<String>,
) -> HttpResponse {
    match counter::preview(&state.pool, &fields.request(auth, card_id)).await {
        Ok(preview) => {
            let screen = Screen::Preview {
                preview: Box::new(preview),
                notice,
            };
            render(state, auth, fields, screen, StatusCode::OK).await
        }
        Err(e) => refused(state, auth, fields, card_id, e).await,
    }
}

pub(crate) async fn confirm(
    state: web::Data<AppState>,
    auth: PartnerAuth,
    form: web::Form<CounterFields>,
) -> HttpResponse {
    if !auth.csrf_ok(&state, &form.csrf) {
        return stale_form(&state);
    }
    let idem = form.idem.trim();
    if idem.is_empty() || idem.len() > 200 {
        return stale_form(&state);
    }
    let Some(card_id) = card_id(&form) else {
        return view::not_found(&state);
    };
    let fields = [
        form.card_id.trim(),
        form.member.trim(),
        form.amount.trim(),
        form.reference.trim(),
        form.name.trim(),
        form.language.trim(),
        form.expected_points.trim(),
    ];
    form_once(&state, auth.partner.id, "form:counter:confirm", idem, &fields, || async {
        let recording = Recording {
            request: form.request(&auth, card_id),
            reference: &form.reference,
            new_name: &form.name,
            new_language: &form.language,
            by: Recorder::PartnerUser(auth.user.id),
            idempotency_key: format!("counter:form:{idem}"),
            expected_points: form.expected_points.trim().parse().ok(),
            record_without_points: false,
            keys: &state.config.keys,
            public_base_url: &state.config.public_base_url,
            store_discount: state.config.feature_woocommerce,
            now: time::OffsetDateTime::now_utc(),
        };
        match counter::record(&state.pool, &recording).await {
            Ok(recorded) => {
                // A fresh, empty counter on the same card for the next customer.
                let next = CounterFields {
                    card_id: form.card_id.clone(),
                    ..CounterFields::default()
                };
                let screen = Screen::Done(Box::new(recorded));
                render(&state, &auth, &next, screen, StatusCode::OK).await
            }
            Err(CounterError::PointsChanged { previewed, now }) => {
                let notice = format!(
                    "Nothing was recorded: the points changed since the preview (from {previewed} to {now}), \
                     for example because the card's rules or the member's tier changed. Check them and confirm again."
                );
                let mut again = form.clone();
                again.expected_points.clear();
                let res = show_preview(&state, &auth, &again, card_id, Some(notice)).await;
                with_status(res, StatusCode::CONFLICT)
            }
            Err(e) => refused(&state, &auth, &form, card_id, e).await,
        }
    })
    .await
}

/// The card the form names, when it is a number.
fn card_id(fields: &CounterFields) -> Option<i64> {
    fields.card_id.trim().parse().ok()
}

/// The page for a refusal: the entry form with the problem next to its field.
async fn refused(
    state: &AppState,
    auth: &PartnerAuth,
    fields: &CounterFields,
    card_id: i64,
    e: CounterError,
) -> HttpResponse {
    let status = match &e {
        CounterError::CardNotFound => return view::not_found(state),
        CounterError::Rule(_) | CounterError::Db(_) | CounterError::Internal(_) => {
            return failure(state, &e)
        }
        CounterError::MemberNotFound => StatusCode::NOT_FOUND,
        CounterError::KeyReused | CounterError::PointsChanged { .. } => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    // Say who was found even when the amount is what is wrong.
    let found = match &e {
        CounterError::Amount(_) | CounterError::BelowMinimum { .. } | CounterError::NoPoints => {
            counter::look_up(&state.pool, auth.partner.id, card_id, &fields.member)
                .await
                .ok()
        }
        _ => None,
    };
    let empty_amount = matches!(e, CounterError::Amount(AmountError::Empty));
    let screen = Screen::Refused {
        error: Box::new(e),
        found: found.map(Box::new),
        empty_amount,
    };
    render(state, auth, fields, screen, status).await
}

fn with_status(mut res: HttpResponse, status: StatusCode) -> HttpResponse {
    if res.status() == StatusCode::OK {
        *res.status_mut() = status;
    }
    res
}
