//! `/partner/settings` (owners only): the business name and email members' emails are
//! sent with, and the timezone of the dashboard's times, the chart's days and coupon
//! expiry dates.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use database::activity::Actor;
use serde::{Deserialize, Serialize};

use super::dashboard::{self, OwnerAuth};
use super::once::form_once;
use super::partner_woo::form_key;
use super::render::{failure, page, see_other, stale_form};
use super::team::DoneQuery;
use super::AppState;
use crate::usecases::business::{self, BusinessError, BusinessForm};

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SettingsForm {
    #[serde(skip_serializing)]
    pub csrf: String,
    #[serde(skip_serializing)]
    pub idem: String,
    pub name: String,
    pub business_email: String,
    pub timezone: String,
}

fn render(
    state: &AppState,
    auth: &OwnerAuth,
    values: &SettingsForm,
    errors: BTreeMap<&'static str, String>,
    notice: Option<&str>,
    status: StatusCode,
) -> HttpResponse {
    let mut ctx = dashboard::context(state, auth, "settings");
    ctx.insert("idem", &form_key());
    ctx.insert("values", values);
    ctx.insert("errors", &errors);
    ctx.insert("notice", &notice);
    ctx.insert("zones", crate::timezone::offered());
    ctx.insert(
        "now_there",
        &crate::timezone::when(&auth.partner.timezone, time::OffsetDateTime::now_utc()),
    );
    page(state, "partner/settings.html", ctx, status)
}

pub(crate) async fn show(
    state: web::Data<AppState>,
    auth: OwnerAuth,
    query: web::Query<DoneQuery>,
) -> HttpResponse {
    let values = SettingsForm {
        name: auth.partner.name.clone(),
        business_email: auth.partner.business_email.clone(),
        timezone: auth.partner.timezone.clone(),
        ..SettingsForm::default()
    };
    let notice = (query.done.as_deref() == Some("saved")).then_some("Business settings saved.");
    render(
        &state,
        &auth,
        &values,
        BTreeMap::new(),
        notice,
        StatusCode::OK,
    )
}

pub(crate) async fn save(
    state: web::Data<AppState>,
    auth: OwnerAuth,
    form: web::Form<SettingsForm>,
) -> HttpResponse {
    if !auth.csrf_ok(&state, &form.csrf) {
        return stale_form(&state);
    }
    let fields = [
        form.name.as_str(),
        form.business_email.as_str(),
        form.timezone.as_str(),
    ];
    form_once(
        &state,
        auth.partner.id,
        "form:settings",
        &form.idem,
        &fields,
        || async {
            let input = BusinessForm {
                name: form.name.clone(),
                business_email: form.business_email.clone(),
                timezone: form.timezone.clone(),
            };
            let actor = Actor::PartnerUser(auth.user.id);
            let now = time::OffsetDateTime::now_utc();
            match business::update(&state.pool, &auth.partner, actor, &input, now).await {
                Ok(_) => see_other("/partner/settings?done=saved"),
                Err(BusinessError::Invalid(problems)) => {
                    let mut errors = BTreeMap::new();
                    for p in problems {
                        errors.entry(p.field).or_insert(p.message);
                    }
                    render(
                        &state,
                        &auth,
                        &form,
                        errors,
                        None,
                        StatusCode::UNPROCESSABLE_ENTITY,
                    )
                }
                Err(BusinessError::Db(e)) => failure(&state, &e),
            }
        },
    )
    .await
}
