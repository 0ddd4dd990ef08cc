//! `GET /orders`: pagination (`per_page` 1..=100), date filters (`after`/`before` on the
//! creation date, `modified_after`/`modified_before`; all exclusive; `dates_are_gmt`),
//! `orderby` date|id|modified (+ include/title/slug), `order`, `status`, `customer`,
//! `include`/`exclude`.

use serde_json::Value;
use time::OffsetDateTime;

use crate::dates;
use crate::json::Json;
use crate::orders::{self, Order, STATUSES};
use crate::rest::{not_in_enum, paginate, ApiError, Reply, Req, Result};
use crate::state::Shared;

fn date_param(req: &Req, name: &str) -> Result<Option<OffsetDateTime>> {
    match req.string(name)? {
        None => Ok(None),
        Some(s) => dates::parse(&s)
            .map(Some)
            .ok_or_else(|| ApiError::invalid_param(name, "rest_invalid_date", "Invalid date.")),
    }
}

fn id_list(req: &Req, name: &str) -> Vec<i64> {
    match req.param(name) {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()))
            .collect(),
        Some(Value::String(s)) => s.split(',').filter_map(|p| p.trim().parse().ok()).collect(),
        Some(Value::Number(n)) => n.as_i64().into_iter().collect(),
        _ => Vec::new(),
    }
}

fn statuses(req: &Req) -> Result<Vec<String>> {
    let raw: Vec<String> = match req.param("status") {
        None | Some(Value::Null) => vec!["any".into()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        Some(Value::String(s)) => s.split(',').map(|p| p.trim().to_string()).collect(),
        Some(_) => {
            return Err(ApiError::invalid_param(
                "status",
                "rest_invalid_type",
                "status is not of type array.",
            ))
        }
    };
    let mut allowed = vec!["any", "trash"];
    allowed.extend_from_slice(STATUSES);
    for (i, s) in raw.iter().enumerate() {
        if !allowed.contains(&s.as_str()) {
            let mut e = not_in_enum(&format!("status[{i}]"), &allowed);
            e.message = "Invalid parameter(s): status".into();
            return Err(e);
        }
    }
    Ok(raw)
}

pub(crate) fn list(shared: &Shared, req: &Req) -> Result<Reply> {
    let per_page = req.bounded("per_page", 10, 1, Some(100))?;
    let page = req.bounded("page", 1, 1, None)?;
    let offset = req.int("offset")?;
    let order = req
        .one_of("order", &["asc", "desc"])?
        .unwrap_or_else(|| "desc".into());
    let orderby = req
        .one_of(
            "orderby",
            &["date", "id", "include", "title", "slug", "modified"],
        )?
        .unwrap_or_else(|| "date".into());
    let after = date_param(req, "after")?;
    let before = date_param(req, "before")?;
    let modified_after = date_param(req, "modified_after")?;
    let modified_before = date_param(req, "modified_before")?;
    // The store's timezone is UTC, so site-local and GMT columns agree.
    let _gmt = req.bool("dates_are_gmt")?.unwrap_or(false);
    let statuses = statuses(req)?;
    let customer = req.int("customer")?;
    let include = id_list(req, "include");
    let exclude = id_list(req, "exclude");

    let store = shared.lock();
    let mut found: Vec<&Order> = store
        .orders
        .values()
        .filter(|o| {
            let status_ok = statuses
                .iter()
                .any(|s| s == &o.status || (s == "any" && o.status != "trash"));
            status_ok
                && after.is_none_or(|t| o.created > t)
                && before.is_none_or(|t| o.created < t)
                && modified_after.is_none_or(|t| o.modified > t)
                && modified_before.is_none_or(|t| o.modified < t)
                && customer.is_none_or(|c| o.customer_id == c)
                && (include.is_empty() || include.contains(&o.id))
                && !exclude.contains(&o.id)
        })
        .collect();
    found.sort_by(|a, b| match orderby.as_str() {
        "modified" => a.modified.cmp(&b.modified).then(a.id.cmp(&b.id)),
        "id" | "include" => a.id.cmp(&b.id),
        _ => a.created.cmp(&b.created).then(a.id.cmp(&b.id)),
    });
    if order == "desc" {
        found.reverse();
    }
    if let Some(off) = offset {
        // With `offset`, WordPress skips that many and ignores `page` for the slice.
        let skipped: Vec<&Order> = found.iter().skip(off.max(0) as usize).copied().collect();
        let total = found.len();
        let slice: Vec<Json> = skipped
            .iter()
            .take(per_page as usize)
            .map(|o| orders::render(o, &shared.config))
            .collect();
        let pages = (total as i64 + per_page - 1) / per_page;
        return Ok(Reply::ok(Json::Arr(slice))
            .header("X-WP-Total", total.to_string())
            .header("X-WP-TotalPages", pages.to_string()));
    }
    let (slice, headers) = paginate(req, &shared.config.api_url("orders"), found, per_page, page);
    let mut reply = Reply::ok(Json::Arr(
        slice
            .iter()
            .map(|o| orders::render(o, &shared.config))
            .collect(),
    ));
    reply.headers = headers;
    Ok(reply)
}
