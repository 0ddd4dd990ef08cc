//! `POST /partner/members/{member_id}/adjustments`: the adjustment form of one wallet
//! (card, signed points, a required note). Carried out once per form key (a double
//! submit posts once); a refusal shows the member page again with the values and why;
//! success goes back to the member page, which says what changed.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::member::{render, Refused, View};
use super::{member_url, not_found};
use crate::http::auth::PartnerAuth;
use crate::http::once::form_once;
use crate::http::partner_woo::form_key;
use crate::http::render::{failure, see_other, stale_form};
use crate::http::AppState;
use crate::usecases::adjust::{adjust, parse_points, AdjustError, AdjustRequest, AdjustedBy};
use crate::usecases::members;

/// The adjustment form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct AdjustFields {
    csrf: String,
    idem: String,
    card_id: String,
    points: String,
    note: String,
}

pub(crate) async fn create(
    state: web::Data<AppState>,
    auth: PartnerAuth,
    member_id: web::Path<i64>,
    form: web::Form<AdjustFields>,
) -> HttpResponse {
    let member_id = member_id.into_inner();
    let partner_id = auth.partner.id;
    let member = match members::by_id(&state.pool, partner_id, member_id).await {
        Ok(Some(m)) => m,
        Ok(None) => return not_found(&state),
        Err(e) => return failure(&state, &e),
    };
    if !auth.csrf_ok(&state, &form.csrf) {
        return stale_form(&state);
    }
    let scope = format!("form:members:{member_id}:adjust");
    let fields = [form.card_id.trim(), form.points.trim(), form.note.trim()];
    form_once(&state, partner_id, &scope, &form.idem, &fields, || async {
        let card_id = form.card_id.trim().parse::<i64>().unwrap_or(0);
        let refuse = |error: String, status| {
            let refused = Refused {
                card_id,
                points: form.points.clone(),
                note: form.note.clone(),
                error,
            };
            let view = View {
                refused: Some(refused),
                ..View::default()
            };
            render(&state, &auth, member_id, view, status)
        };
        let Some(points) = parse_points(&form.points) else {
            let message =
                "Enter the points as a whole number: 25 adds points, -25 takes them away.";
            return refuse(message.into(), StatusCode::UNPROCESSABLE_ENTITY).await;
        };
        let idem = if form.idem.is_empty() {
            form_key()
        } else {
            form.idem.clone()
        };
        let request = AdjustRequest {
            partner_id,
            card_id,
            member: &member,
            points,
            note: &form.note,
            by: AdjustedBy::PartnerUser(auth.user.id),
            idempotency_key: format!("dashboard:adjustment:{}:{idem}", auth.user.id),
            now: time::OffsetDateTime::now_utc(),
        };
        match adjust(&state.pool, &request).await {
            Ok(done) => see_other(&format!(
                "{}?adjusted={}#card-{card_id}",
                member_url(member_id),
                done.entry.id
            )),
            Err(AdjustError::Db(e)) => failure(&state, &e),
            Err(e) => {
                let status = match e {
                    AdjustError::NoWallet => StatusCode::NOT_FOUND,
                    AdjustError::KeyReused => StatusCode::CONFLICT,
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                refuse(e.to_string(), status).await
            }
        }
    })
    .await
}
