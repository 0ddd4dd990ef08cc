//! HTTPS front door: authentication before routing (as `rest_pre_dispatch` does), then the
//! `wc/v3` routes, then each endpoint's permission check, then the handler.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{Map, Value};

use crate::auth::{self, Action, Caller};
use crate::rest::{ApiError, Reply, Req, Result};
use crate::state::{Shared, SharedRef};
use crate::{
    control, coupon_faults, coupons, order_api, order_list, refunds, system_status, webhooks,
};

/// The catch-all actix handler.
pub(crate) async fn dispatch(
    http: HttpRequest,
    body: web::Bytes,
    shared: web::Data<SharedRef>,
) -> HttpResponse {
    let method = http.method().as_str().to_ascii_uppercase();
    let path = http.path().to_string();
    if path.starts_with("/__sim/") {
        return control::handle(&shared, &method, &path, &body);
    }
    let query: Vec<(String, String)> = url::form_urlencoded::parse(http.query_string().as_bytes())
        .into_owned()
        .collect();
    let authorization = http
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let content_type = http
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let result = handle(
        &shared,
        method,
        &path,
        query,
        authorization.as_deref(),
        &content_type,
        &body,
    )
    .await;
    let reply = result.unwrap_or_else(ApiError::into_reply);
    reply.into_response(&shared.config.base_url)
}

fn guard(caller: Caller, action: Action) -> Result<()> {
    match caller {
        Caller::Anonymous => Err(auth::permission_error(action)),
        _ => Ok(()),
    }
}

fn parse_body(content_type: &str, body: &[u8]) -> Result<Map<String, Value>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return Ok(url::form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect());
    }
    if !content_type.starts_with("application/json") {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Ok(Map::new()),
        Err(_) => {
            let mut e = ApiError::new(400, "rest_invalid_json", "Invalid JSON body passed.");
            e.data.push(("json_error_code".into(), 4i64.into()));
            e.data
                .push(("json_error_message".into(), "Syntax error".into()));
            Err(e)
        }
    }
}

fn numeric(s: &str) -> Option<i64> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

async fn handle(
    shared: &Shared,
    method: String,
    path: &str,
    query: Vec<(String, String)>,
    authorization: Option<&str>,
    content_type: &str,
    body: &[u8],
) -> Result<Reply> {
    let route = path
        .strip_prefix("/wp-json/")
        .ok_or_else(ApiError::no_route)?;
    // Authentication (and the read-only key's write refusal) comes before routing.
    let caller = auth::authenticate(&shared.config, &method, &query, authorization)?;
    let segs: Vec<&str> = route.trim_end_matches('/').split('/').collect();
    let rest: &[&str] = match segs.as_slice() {
        ["wc", "v3", rest @ ..] if !rest.is_empty() => rest,
        _ => return Err(ApiError::no_route()),
    };
    let editable = matches!(method.as_str(), "POST" | "PUT" | "PATCH");
    let route_kind = route_of(rest, &method, editable).ok_or_else(ApiError::no_route)?;
    let req = Req {
        body: parse_body(content_type, body)?,
        query,
    };
    guard(caller, route_kind.action())?;
    match route_kind {
        Route::SystemStatus => Ok(system_status::get(&shared.config)),
        Route::Webhooks(Action::List) => webhooks::list(shared, &req),
        Route::Webhooks(_) => webhooks::create(shared, &req).await,
        Route::Webhook(id, Action::View) => webhooks::get(shared, id),
        Route::Webhook(id, Action::Edit) => webhooks::update(shared, id, &req).await,
        Route::Webhook(id, _) => webhooks::delete(shared, id, &req),
        Route::Coupons(Action::List) => coupon_faults::list(shared, &req).await,
        Route::Coupons(_) => coupon_faults::create(shared, &req).await,
        Route::Coupon(id, Action::View) => coupons::get(shared, id),
        Route::Coupon(id, Action::Edit) => coupons::update(shared, id, &req),
        Route::Coupon(id, _) => coupons::delete(shared, id, &req),
        Route::Orders(Action::List) => order_list::list(shared, &req),
        Route::Orders(_) => order_api::create(shared, &req),
        Route::Order(id, Action::View) => order_api::get(shared, id),
        Route::Order(id, _) => order_api::update(shared, id, &req),
        Route::Refunds(id, Action::List) => refunds::list(shared, id),
        Route::Refunds(id, _) => refunds::create(shared, id, &req),
    }
}

#[derive(Debug, Clone, Copy)]
enum Route {
    SystemStatus,
    Webhooks(Action),
    Webhook(i64, Action),
    Coupons(Action),
    Coupon(i64, Action),
    Orders(Action),
    Order(i64, Action),
    Refunds(i64, Action),
}

impl Route {
    fn action(self) -> Action {
        match self {
            Route::SystemStatus => Action::List,
            Route::Webhooks(a)
            | Route::Webhook(_, a)
            | Route::Coupons(a)
            | Route::Coupon(_, a)
            | Route::Orders(a)
            | Route::Order(_, a)
            | Route::Refunds(_, a) => a,
        }
    }
}

fn route_of(rest: &[&str], method: &str, editable: bool) -> Option<Route> {
    let collection = |m: &str| match m {
        "GET" => Some(Action::List),
        "POST" => Some(Action::Create),
        _ => None,
    };
    let item = |m: &str, deletable: bool| match m {
        "GET" => Some(Action::View),
        "DELETE" if deletable => Some(Action::Delete),
        _ if editable => Some(Action::Edit),
        _ => None,
    };
    Some(match rest {
        ["system_status"] if method == "GET" => Route::SystemStatus,
        ["webhooks"] => Route::Webhooks(collection(method)?),
        ["webhooks", id] => Route::Webhook(numeric(id)?, item(method, true)?),
        ["coupons"] => Route::Coupons(collection(method)?),
        ["coupons", id] => Route::Coupon(numeric(id)?, item(method, true)?),
        ["orders"] => Route::Orders(collection(method)?),
        ["orders", id] => Route::Order(numeric(id)?, item(method, false)?),
        ["orders", id, "refunds"] => Route::Refunds(numeric(id)?, collection(method)?),
        _ => return None,
    })
}
