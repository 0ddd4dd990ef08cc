//! `GET /partner/integrations/woocommerce/{id}/activity`: the deliveries, newest first,
//! a page at a time (`?before=<receipt id>`), filterable by outcome (SPEC §3.6).

use actix_web::{web, HttpRequest, HttpResponse};

use super::forms::ActivityQuery;
use super::overview::ReceiptRow;
use super::{base_context, gate, integration_context, integration_of, link, ok};
use crate::http::render::failure;
use crate::http::AppState;

/// Receipts per page.
const PAGE: i64 = 50;
const OUTCOMES: [&str; 4] = ["processed", "ignored", "skipped", "failed"];

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
    let (integration, _) = match integration_of(&state, &auth, id.into_inner()).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    let outcome = query.outcome.as_deref().filter(|o| OUTCOMES.contains(o));
    let before = query
        .before
        .as_deref()
        .and_then(|b| b.trim().parse::<i64>().ok());
    let receipts = async {
        let mut conn = database::pool::get(&state.pool).await?;
        database::receipts::recent(
            &mut conn,
            auth.partner.id,
            integration.id,
            outcome,
            before,
            PAGE + 1,
        )
        .await
    }
    .await;
    let mut receipts = match receipts {
        Ok(r) => r,
        Err(e) => return failure(&state, &e),
    };
    let more = receipts.len() as i64 > PAGE;
    receipts.truncate(PAGE as usize);
    let tz = auth.partner.timezone.as_str();
    let rows: Vec<ReceiptRow> = receipts.iter().map(|r| ReceiptRow::new(r, tz)).collect();
    let here = link(integration.id, "/activity");
    let filter = outcome.map(|o| format!("&outcome={o}")).unwrap_or_default();
    let next = more
        .then(|| {
            rows.last()
                .map(|r| format!("{here}?before={}{filter}", r.id))
        })
        .flatten();
    let mut ctx = base_context(&state, &auth);
    integration_context(&mut ctx, &integration, "activity");
    ctx.insert("receipts", &rows);
    ctx.insert("outcomes", &OUTCOMES);
    ctx.insert("outcome", &outcome);
    ctx.insert("paged", &before.is_some());
    ctx.insert("next", &next);
    ok(&state, "partner/woo/activity.html", ctx)
}
