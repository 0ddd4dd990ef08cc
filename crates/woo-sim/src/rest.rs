//! The WordPress REST plumbing: request parameters, error objects and JSON responses.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde_json::{Map, Value};

use crate::json::{obj, Json};

/// A REST error: `{"code","message","data":{"status",...}}`.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
    /// Extra members of `data` after `status` (e.g. `params`, `details`).
    pub data: Vec<(String, Json)>,
}

impl ApiError {
    pub(crate) fn new(status: u16, code: &str, message: &str) -> ApiError {
        ApiError {
            status,
            code: code.to_string(),
            message: message.to_string(),
            data: Vec::new(),
        }
    }

    /// 400 `rest_invalid_param` as WordPress' argument validation answers it.
    pub(crate) fn invalid_param(param: &str, detail_code: &str, message: &str) -> ApiError {
        ApiError {
            status: 400,
            code: "rest_invalid_param".into(),
            message: format!("Invalid parameter(s): {param}"),
            data: vec![
                ("params".into(), obj! { param => message }),
                (
                    "details".into(),
                    obj! { param => obj! { "code" => detail_code, "message" => message, "data" => Json::Null } },
                ),
            ],
        }
    }

    /// 400 `rest_missing_callback_param`.
    pub(crate) fn missing(params: &[&str]) -> ApiError {
        ApiError {
            status: 400,
            code: "rest_missing_callback_param".into(),
            message: format!("Missing parameter(s): {}", params.join(", ")),
            data: vec![(
                "params".into(),
                Json::Arr(params.iter().map(|p| Json::from(*p)).collect()),
            )],
        }
    }

    pub(crate) fn no_route() -> ApiError {
        ApiError::new(
            404,
            "rest_no_route",
            "No route was found matching the URL and request method.",
        )
    }

    pub(crate) fn to_json(&self) -> Json {
        let mut data = vec![("status".to_string(), Json::from(self.status))];
        data.extend(self.data.iter().cloned());
        obj! { "code" => self.code.as_str(), "message" => self.message.as_str(), "data" => Json::Obj(data) }
    }

    pub(crate) fn into_reply(self) -> Reply {
        Reply::new(self.status, self.to_json())
    }
}

/// A JSON answer with extra headers.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub body: Json,
    pub headers: Vec<(String, String)>,
}

impl Reply {
    pub(crate) fn new(status: u16, body: Json) -> Reply {
        Reply {
            status,
            body,
            headers: Vec::new(),
        }
    }

    pub(crate) fn ok(body: Json) -> Reply {
        Reply::new(200, body)
    }

    pub(crate) fn header(mut self, name: &str, value: String) -> Reply {
        self.headers.push((name.to_string(), value));
        self
    }

    pub(crate) fn into_response(self, base_url: &str) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK);
        let mut resp = HttpResponse::build(status);
        resp.insert_header(("Content-Type", "application/json; charset=UTF-8"));
        resp.insert_header(("X-Robots-Tag", "noindex"));
        resp.append_header((
            "Link",
            format!("<{base_url}/wp-json/>; rel=\"https://api.w.org/\""),
        ));
        resp.insert_header(("X-Content-Type-Options", "nosniff"));
        resp.insert_header((
            "Access-Control-Expose-Headers",
            "X-WP-Total, X-WP-TotalPages, Link",
        ));
        resp.insert_header((
            "Access-Control-Allow-Headers",
            "Authorization, X-WP-Nonce, Content-Disposition, Content-MD5, Content-Type",
        ));
        for (k, v) in self.headers {
            resp.append_header((k, v));
        }
        resp.insert_header(("Expires", "Wed, 11 Jan 1984 05:00:00 GMT"));
        resp.insert_header((
            "Cache-Control",
            "no-cache, must-revalidate, max-age=0, no-store, private",
        ));
        resp.body(self.body.encode())
    }
}

pub(crate) type Result<T> = std::result::Result<T, ApiError>;

/// One REST request: route segments below `/wp-json/wc/v3/`, query and JSON body.
#[derive(Debug)]
pub(crate) struct Req {
    pub query: Vec<(String, String)>,
    pub body: Map<String, Value>,
}

impl Req {
    /// A parameter as WordPress merges them: JSON body first, then the query string.
    pub(crate) fn param(&self, name: &str) -> Option<Value> {
        if let Some(v) = self.body.get(name) {
            return Some(v.clone());
        }
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| Value::String(v.clone()))
    }

    pub(crate) fn has(&self, name: &str) -> bool {
        self.param(name).is_some()
    }

    pub(crate) fn string(&self, name: &str) -> Result<Option<String>> {
        match self.param(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(if b { "1".into() } else { String::new() })),
            Some(_) => Err(ApiError::invalid_param(
                name,
                "rest_invalid_type",
                &format!("{name} is not of type string."),
            )),
        }
    }

    pub(crate) fn int(&self, name: &str) -> Result<Option<i64>> {
        let bad = || {
            ApiError::invalid_param(
                name,
                "rest_invalid_type",
                &format!("{name} is not of type integer."),
            )
        };
        match self.param(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(bad),
            Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| bad()),
            Some(_) => Err(bad()),
        }
    }

    pub(crate) fn bool(&self, name: &str) -> Result<Option<bool>> {
        match self.param(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => as_bool(&v).map(Some).ok_or_else(|| {
                ApiError::invalid_param(
                    name,
                    "rest_invalid_type",
                    &format!("{name} is not of type boolean."),
                )
            }),
        }
    }

    /// An integer parameter with bounds, answered like WordPress' schema validation.
    pub(crate) fn bounded(
        &self,
        name: &str,
        default: i64,
        min: i64,
        max: Option<i64>,
    ) -> Result<i64> {
        let v = self.int(name)?.unwrap_or(default);
        let msg = match max {
            Some(max) if v < min || v > max => Some(format!(
                "{name} must be between {min} (inclusive) and {max} (inclusive)"
            )),
            None if v < min => Some(format!("{name} must be greater than or equal to {min}")),
            _ => None,
        };
        match msg {
            Some(m) => Err(ApiError::invalid_param(name, "rest_out_of_bounds", &m)),
            None => Ok(v),
        }
    }

    /// A string parameter that must be one of `allowed`.
    pub(crate) fn one_of(&self, name: &str, allowed: &[&str]) -> Result<Option<String>> {
        match self.string(name)? {
            None => Ok(None),
            Some(s) if allowed.contains(&s.as_str()) => Ok(Some(s)),
            Some(_) => Err(not_in_enum(name, allowed)),
        }
    }
}

/// `rest_not_in_enum`: "x is not one of a, b, and c."
pub(crate) fn not_in_enum(name: &str, allowed: &[&str]) -> ApiError {
    let list = match allowed {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{}, and {last}", init.join(", ")),
    };
    ApiError::invalid_param(
        name,
        "rest_not_in_enum",
        &format!("{name} is not one of {list}."),
    )
}

/// `rest_sanitize_boolean`.
pub(crate) fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => Some(n.as_f64() != Some(0.0)),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Some(true),
            "false" | "0" | "no" | "off" | "" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Pagination of a collection: the page slice plus `X-WP-Total`, `X-WP-TotalPages` and `Link`.
pub(crate) fn paginate<T>(
    req: &Req,
    collection_url: &str,
    items: Vec<T>,
    per_page: i64,
    page: i64,
) -> (Vec<T>, Vec<(String, String)>) {
    let total = items.len() as i64;
    let total_pages = if total == 0 {
        0
    } else {
        (total + per_page - 1) / per_page
    };
    let start = ((page - 1) * per_page).max(0) as usize;
    let slice: Vec<T> = items
        .into_iter()
        .skip(start)
        .take(per_page as usize)
        .collect();
    let mut headers = vec![
        ("X-WP-Total".to_string(), total.to_string()),
        ("X-WP-TotalPages".to_string(), total_pages.to_string()),
    ];
    let link = |p: i64| {
        let mut q: Vec<(String, String)> = req
            .query
            .iter()
            .filter(|(k, _)| k != "page" && k != "consumer_key" && k != "consumer_secret")
            .cloned()
            .collect();
        q.push(("page".into(), p.to_string()));
        let qs = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(q)
            .finish();
        format!("{collection_url}?{qs}")
    };
    if page > 1 {
        let prev = (page - 1).min(total_pages.max(1));
        headers.push(("Link".into(), format!("<{}>; rel=\"prev\"", link(prev))));
    }
    if page < total_pages {
        headers.push(("Link".into(), format!("<{}>; rel=\"next\"", link(page + 1))));
    }
    (slice, headers)
}
