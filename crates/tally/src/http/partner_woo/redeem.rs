//! Redeem on behalf (SPEC §4.7): on the Overview, staff enter a member's email, member
//! number or member code and the points; the same rules as the member's own redemption
//! apply, the code is shown here and emailed to the member, and the activity log names
//! the staff user. A double submit of the form redeems once (its idempotency key).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::overview::render;
use super::{gate, integration_of};
use crate::http::once::form_once;
use crate::http::render::{failure, stale_form};
use crate::http::AppState;
use crate::usecases::redeem::{
    amount_text, find_member, redeem, Finished, RedeemError, RedeemRequest, Requester,
};

/// The redeem-on-behalf form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RedeemFields {
    pub csrf: String,
    pub idem: String,
    pub member: String,
    pub points: String,
}

pub(crate) async fn redeem_on_behalf(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    form: web::Form<RedeemFields>,
) -> HttpResponse {
    let auth = match gate(&state, &req).await {
        Ok(auth) => auth,
        Err(res) => return res,
    };
    let (integration, settings) = match integration_of(&state, &auth, id.into_inner()).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    if !auth.csrf_ok(&state, &form.csrf) {
        return stale_form(&state);
    }
    let scope = format!("form:woo:{}:redeem", integration.id);
    let fields = [form.member.trim(), form.points.trim()];
    form_once(&state, auth.partner.id, &scope, &form.idem, &fields, || async {
        let refuse = |message: String, status| {
            render(&state, &auth, integration.clone(), settings.clone(), Some(("error", message)), None, status)
        };
        let Ok(points) = form.points.trim().replace([',', ' '], "").parse::<i64>() else {
            return refuse("Enter the points as a whole number.".into(), StatusCode::UNPROCESSABLE_ENTITY).await;
        };
        let member = match find_member(&state.pool, &form.member).await {
            Ok(Some(m)) => m,
            Ok(None) => {
                let message = "No member matches that email, member number or member code.".into();
                return refuse(message, StatusCode::NOT_FOUND).await;
            }
            Err(e) => return failure(&state, &e),
        };
        let request = RedeemRequest {
            integration: &integration,
            settings: &settings,
            member: &member,
            timezone: &auth.partner.timezone,
            business_name: &auth.partner.name,
            points,
            by: Requester::PartnerUser(auth.user.id),
            idempotency_key: format!("dashboard:{}:{}", auth.user.id, form.idem),
            now: time::OffsetDateTime::now_utc(),
        };
        match redeem(&state.pool, &state.config.keys, &*state.woo, &request).await {
            Ok(done) => {
                let r = done.redemption();
                let value = format!("{} {}", amount_text(r), r.currency);
                let (kind, message) = match &done {
                    Finished::Issued(_) => ("note", format!(
                        "Coupon {} created for {}: {value}, valid until {}. It was emailed to the member.",
                        r.code, member.email, r.expires_on
                    )),
                    Finished::Pending(_) => ("note", format!(
                        "The store did not answer clearly. Coupon {} ({value}) for {} is being finished in the background; the member gets it by email, or the points back.",
                        r.code, member.email
                    )),
                    Finished::Reversed(_) => ("error", format!(
                        "The store did not create the coupon, so the points were given back. {}",
                        r.last_error.clone().unwrap_or_default()
                    )),
                };
                render(&state, &auth, integration.clone(), settings.clone(), Some((kind, message)), None, StatusCode::OK).await
            }
            Err(RedeemError::Db(e)) => failure(&state, &e),
            Err(e) => {
                let status = match e {
                    RedeemError::Paused | RedeemError::Disconnected | RedeemError::KeyReused => StatusCode::CONFLICT,
                    RedeemError::NoWallet => StatusCode::NOT_FOUND,
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                refuse(e.to_string(), status).await
            }
        }
    })
    .await
}
