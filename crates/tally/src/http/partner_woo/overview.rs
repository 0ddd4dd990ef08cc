//! `GET /partner/integrations/woocommerce/{id}`: the Overview tab (SPEC §3.4), with the
//! answer to "why did order N earn (or not earn) points?" under `?order=N`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use database::integrations::{Integration, Settings};
use database::receipts::Receipt;
use serde::Serialize;

use super::forms::{done_message, OverviewQuery};
use super::{base_context, gate, integration_context, integration_of, link, when};
use crate::http::auth::PartnerAuth;
use crate::http::render::{failure, page};
use crate::http::AppState;
use crate::usecases::integration::{explain_order, overview as load_overview};

#[derive(Debug, Serialize)]
pub struct ReceiptRow {
    pub id: i64,
    pub received: String,
    pub order_id: String,
    pub order_status: String,
    pub outcome: String,
    pub reason: String,
    pub points: i64,
}

impl ReceiptRow {
    /// The row of `r`, its time on the clock of `zone`.
    pub fn new(r: &Receipt, zone: &str) -> Self {
        ReceiptRow {
            id: r.id,
            received: when(zone, r.received_at),
            order_id: r.order_id.clone().unwrap_or_default(),
            order_status: r.order_status.clone().unwrap_or_default(),
            outcome: r.outcome.clone(),
            reason: r.reason.clone(),
            points: r.points,
        }
    }
}

#[derive(Debug, Serialize)]
struct EntryRow {
    created: String,
    kind: String,
    points: i64,
    applied_points: i64,
    why: String,
}

#[derive(Debug, Serialize)]
struct CheckRow {
    status: String,
    requested: String,
    finished: Option<String>,
    pages_read: i32,
    orders_seen: i32,
    awarded: i32,
    already_processed: i32,
    ignored: i32,
    skipped: i32,
    failed: i32,
    error: Option<String>,
}

/// A message above the page: `kind` is "note" (it worked) or "error" (refused).
pub type Flash = Option<(&'static str, String)>;

/// Renders the Overview of `integration`, with `flash` and an optional order question.
pub async fn render(
    state: &AppState,
    auth: &PartnerAuth,
    integration: Integration,
    settings: Settings,
    flash: Flash,
    order: Option<&str>,
    status: StatusCode,
) -> HttpResponse {
    let now = time::OffsetDateTime::now_utc();
    let tz = auth.partner.timezone.as_str();
    let discount_on = settings.discount_enabled;
    let mut ctx = base_context(state, auth);
    integration_context(&mut ctx, &integration, "overview");
    if let Some(order) = order.map(str::trim).filter(|o| !o.is_empty()) {
        let explained = match explain_order(&state.pool, &integration, order).await {
            Ok(e) => e,
            Err(e) => return failure(state, &e),
        };
        let receipts: Vec<ReceiptRow> = explained
            .receipts
            .iter()
            .map(|r| ReceiptRow::new(r, tz))
            .collect();
        let entries: Vec<EntryRow> = explained
            .entries
            .into_iter()
            .map(|(e, why)| EntryRow {
                created: when(tz, e.created_at),
                kind: e.kind,
                points: e.points,
                applied_points: e.applied_points,
                why: why.unwrap_or_default(),
            })
            .collect();
        ctx.insert("order", order);
        ctx.insert("order_receipts", &receipts);
        ctx.insert("order_entries", &entries);
    }
    let o = match load_overview(
        &state.pool,
        &state.config.keys,
        &state.config.public_base_url,
        integration,
        settings,
        now,
    )
    .await
    {
        Ok(o) => o,
        Err(e) => return failure(state, &e),
    };
    if let Some((kind, message)) = flash {
        ctx.insert("flash_kind", kind);
        ctx.insert("flash", &message);
    }
    let i = &o.integration;
    ctx.insert("paused", &(i.status == "paused"));
    ctx.insert("redeem_on_behalf", &(discount_on && i.status == "active"));
    ctx.insert("disconnected", &(i.status == "disconnected"));
    ctx.insert(
        "automatic",
        &(i.webhook_mode.as_deref() == Some("automatic")),
    );
    ctx.insert("webhook_id", &i.webhook_id);
    ctx.insert("delivery_url", &o.delivery_url);
    ctx.insert("manual_secret", &o.manual_secret);
    ctx.insert("manual_reason", &o.manual_reason);
    ctx.insert("health", &o.health);
    ctx.insert("health_checked", &o.health_checked_at.map(|t| when(tz, t)));
    ctx.insert("last_delivery", &i.last_delivery_at.map(|t| when(tz, t)));
    ctx.insert("counts", &o.counts_24h_view());
    ctx.insert(
        "last_failure",
        &o.last_failure
            .as_ref()
            .map(|(at, reason, hint)| (when(tz, *at), reason.clone(), *hint)),
    );
    ctx.insert("public_url_warning", &o.public_url_warning);
    ctx.insert("currency_warning", &o.currency_warning);
    ctx.insert(
        "latest_check",
        &o.latest_check.as_ref().map(|r| CheckRow {
            status: r.status.clone(),
            requested: when(tz, r.created_at),
            finished: r.finished_at.map(|t| when(tz, t)),
            pages_read: r.pages_read,
            orders_seen: r.orders_seen,
            awarded: r.awarded,
            already_processed: r.already_processed,
            ignored: r.ignored,
            skipped: r.skipped,
            failed: r.failed,
            error: r.error.clone(),
        }),
    );
    ctx.insert("action_base", &link(i.id, ""));
    page(state, "partner/woo/overview.html", ctx, status)
}

/// The 24-hour counts as the template reads them.
trait CountsView {
    fn counts_24h_view(&self) -> [(&'static str, i64); 4];
}

impl CountsView for crate::usecases::integration::Overview {
    fn counts_24h_view(&self) -> [(&'static str, i64); 4] {
        let c = &self.counts_24h;
        [
            ("processed", c.processed),
            ("ignored", c.ignored),
            ("skipped", c.skipped),
            ("failed", c.failed),
        ]
    }
}

pub(crate) async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    query: web::Query<OverviewQuery>,
) -> HttpResponse {
    let auth = match gate(&state, &req).await {
        Ok(auth) => auth,
        Err(res) => return res,
    };
    let (integration, settings) = match integration_of(&state, &auth, id.into_inner()).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    let flash = query
        .done
        .as_deref()
        .and_then(done_message)
        .map(|m| ("note", m.to_owned()));
    render(
        &state,
        &auth,
        integration,
        settings,
        flash,
        query.order.as_deref(),
        StatusCode::OK,
    )
    .await
}
