//! `GET/POST /partner/integrations/woocommerce/{id}/settings`: the Settings tab
//! (SPEC §3.5), validated again on the server with a message per field.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use bigdecimal::{BigDecimal, RoundingMode, Signed};
use database::activity::Actor;
use database::integrations::{Integration, Settings};
use serde::Serialize;

use super::forms::{done_message, ActivityQuery, SettingsFields};
use super::{base_context, gate, gate_owner, integration_context, integration_of, link};
use crate::email::format::format_points;
use crate::email::message::Language;
use crate::http::auth::PartnerAuth;
use crate::http::once::form_once;
use crate::http::render::{failure, page, see_other, stale_form};
use crate::http::AppState;
use crate::usecases::integration::{update_settings, SettingsError, SettingsInput};

/// The form's values as text (what was saved, or what was typed).
#[derive(Debug, Serialize)]
struct Values {
    award_on: String,
    partial_refunds: String,
    email_language: String,
    discount_enabled: bool,
    value_per_point: String,
    min_points: String,
    max_points: String,
    code_prefix: String,
    valid_days: String,
}

impl From<&Settings> for Values {
    fn from(s: &Settings) -> Self {
        Values {
            award_on: s.award_on.clone(),
            partial_refunds: s.partial_refunds.clone(),
            email_language: s.email_language.clone(),
            discount_enabled: s.discount_enabled,
            value_per_point: at_least_cents(&s.value_per_point),
            min_points: s.min_points.to_string(),
            max_points: s.max_points.map(|m| m.to_string()).unwrap_or_default(),
            code_prefix: s.code_prefix.clone(),
            valid_days: s.valid_days.to_string(),
        }
    }
}

impl From<&SettingsFields> for Values {
    fn from(f: &SettingsFields) -> Self {
        Values {
            award_on: f.award_on.clone(),
            partial_refunds: f.partial_refunds.clone(),
            email_language: f.email_language.clone(),
            discount_enabled: f.discount_enabled.is_some(),
            value_per_point: f.value_per_point.clone(),
            min_points: f.min_points.clone(),
            max_points: f.max_points.clone(),
            code_prefix: f.code_prefix.clone(),
            valid_days: f.valid_days.clone(),
        }
    }
}

/// "1,000 points = 50.00 store discount" (the page's script keeps it current).
fn preview(values: &Values) -> String {
    let points = values
        .min_points
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 1);
    let value = values
        .value_per_point
        .trim()
        .parse::<BigDecimal>()
        .ok()
        .filter(|v| v.is_positive());
    match (points, value) {
        (Some(points), Some(value)) => {
            let amount =
                (BigDecimal::from(points) * value).with_scale_round(2, RoundingMode::HalfUp);
            format!(
                "{} points = {} store discount",
                format_points(points, Language::En),
                amount.to_plain_string()
            )
        }
        _ => "Enter a minimum and a discount per point to see the preview.".into(),
    }
}

async fn render(
    state: &AppState,
    auth: &PartnerAuth,
    integration: &Integration,
    values: &Values,
    errors: BTreeMap<&'static str, String>,
    flash: Option<&str>,
    status: StatusCode,
) -> HttpResponse {
    let mut ctx = base_context(state, auth);
    integration_context(&mut ctx, integration, "settings");
    ctx.insert("values", values);
    ctx.insert("preview", &preview(values));
    ctx.insert("errors", &errors);
    ctx.insert("flash", &flash);
    ctx.insert("currency", &integration.store_currency);
    ctx.insert("sender_name", &auth.partner.name);
    ctx.insert("sender_email", &auth.partner.business_email);
    ctx.insert(
        "languages",
        &[
            ("en", "English"),
            ("nl", "Dutch"),
            ("de", "German"),
            ("fr", "French"),
            ("es", "Spanish"),
        ],
    );
    page(state, "partner/woo/settings.html", ctx, status)
}

pub(crate) async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    query: web::Query<ActivityQuery>,
) -> HttpResponse {
    let auth = match gate(&state, &req).await {
        Ok(auth) => auth,
        Err(res) => return res,
    };
    let (integration, settings) = match integration_of(&state, &auth, id.into_inner()).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    let flash = query.done.as_deref().and_then(done_message);
    let values = Values::from(&settings);
    render(
        &state,
        &auth,
        &integration,
        &values,
        BTreeMap::new(),
        flash,
        StatusCode::OK,
    )
    .await
}

pub(crate) async fn save(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    form: web::Form<SettingsFields>,
) -> HttpResponse {
    let auth = match gate_owner(&state, &req).await {
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
    let input = SettingsInput {
        award_on: Some(form.award_on.clone()),
        partial_refunds: Some(form.partial_refunds.clone()),
        email_language: Some(form.email_language.clone()),
        discount_enabled: Some(form.discount_enabled.is_some()),
        value_per_point: Some(form.value_per_point.clone()),
        min_points: Some(form.min_points.clone()),
        max_points: Some(form.max_points.clone()),
        code_prefix: Some(form.code_prefix.clone()),
        valid_days: Some(form.valid_days.clone()),
    };
    let enabled = if form.discount_enabled.is_some() {
        "on"
    } else {
        "off"
    };
    let fields = [
        form.award_on.as_str(),
        form.partial_refunds.as_str(),
        form.email_language.as_str(),
        enabled,
        form.value_per_point.as_str(),
        form.min_points.as_str(),
        form.max_points.as_str(),
        form.code_prefix.as_str(),
        form.valid_days.as_str(),
    ];
    let scope = format!("form:woo:{}:settings", integration.id);
    form_once(
        &state,
        auth.partner.id,
        &scope,
        &form.idem,
        &fields,
        || async {
            let saved = update_settings(
                &state.pool,
                &integration,
                &settings,
                &input,
                Actor::PartnerUser(auth.user.id),
                time::OffsetDateTime::now_utc(),
            )
            .await;
            saved_or_refused(&state, &auth, &integration, &form, saved).await
        },
    )
    .await
}

async fn saved_or_refused(
    state: &AppState,
    auth: &PartnerAuth,
    integration: &Integration,
    form: &SettingsFields,
    saved: Result<Settings, SettingsError>,
) -> HttpResponse {
    match saved {
        // Saving the same values twice is harmless: a double submit changes nothing more.
        Ok(_) => see_other(&format!("{}?done=saved", link(integration.id, "/settings"))),
        Err(SettingsError::Invalid(problems)) => {
            let mut errors = BTreeMap::new();
            for p in problems {
                errors.entry(p.field).or_insert(p.message);
            }
            let values = Values::from(form);
            let flash = None;
            render(
                state,
                auth,
                integration,
                &values,
                errors,
                flash,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(SettingsError::Db(e)) => failure(state, &e),
    }
}

/// A value per point as typed money is read: at least two decimals (`0.10`, `0.125`).
fn at_least_cents(v: &BigDecimal) -> String {
    let v = v.normalized();
    let (_, scale) = v.as_bigint_and_exponent();
    if scale < 2 {
        v.with_scale(2).to_plain_string()
    } else {
        v.to_plain_string()
    }
}
