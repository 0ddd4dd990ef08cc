//! `/wc/v3/coupons`: codes stored lower-cased, duplicates among published coupons refused,
//! `date_expires_gmt` ignored on write, amounts answered with 2 decimals.

use serde_json::Value;
use time::OffsetDateTime;

use crate::json::{links, obj, Json};
use crate::money::Money;
use crate::orders::{render_meta, Meta};
use crate::rest::{not_in_enum, paginate, ApiError, Reply, Req, Result};
use crate::state::{Config, Shared, Store};
use crate::{dates, secrets};

/// Coupon amounts are kept with this many decimals and answered with 2.
pub(crate) const AMOUNT_DP: u32 = 6;
const TYPES: &[&str] = &["percent", "fixed_cart", "fixed_product"];

#[derive(Debug, Clone)]
pub(crate) struct Coupon {
    pub id: i64,
    pub code: String,
    pub amount: Money,
    pub status: String,
    pub created: OffsetDateTime,
    pub modified: OffsetDateTime,
    pub discount_type: String,
    pub description: String,
    pub expires: Option<OffsetDateTime>,
    pub usage_count: i64,
    pub individual_use: bool,
    pub usage_limit: i64,
    pub usage_limit_per_user: i64,
    pub limit_usage_to_x_items: i64,
    pub free_shipping: bool,
    pub exclude_sale_items: bool,
    pub minimum_amount: Money,
    pub maximum_amount: Money,
    pub email_restrictions: Vec<String>,
    pub used_by: Vec<String>,
    pub meta_data: Vec<Meta>,
    pub id_lists: [Vec<i64>; 4],
}

const ID_LISTS: [&str; 4] = [
    "product_ids",
    "excluded_product_ids",
    "product_categories",
    "excluded_product_categories",
];

fn limit(v: i64) -> Json {
    if v == 0 {
        Json::Null
    } else {
        Json::from(v)
    }
}

impl Coupon {
    fn render(&self, config: &Config) -> Json {
        let two = |m: Money| m.rescale(AMOUNT_DP, 2).format(2);
        let ids = |i: usize| Json::Arr(self.id_lists[i].iter().map(|v| Json::from(*v)).collect());
        obj! {
            "id" => self.id, "code" => self.code.as_str(), "amount" => two(self.amount),
            "status" => self.status.as_str(),
            "date_created" => dates::format(self.created), "date_created_gmt" => dates::format(self.created),
            "date_modified" => dates::format(self.modified), "date_modified_gmt" => dates::format(self.modified),
            "discount_type" => self.discount_type.as_str(), "description" => self.description.as_str(),
            "date_expires" => self.expires.map(dates::format), "date_expires_gmt" => self.expires.map(dates::format),
            "usage_count" => self.usage_count, "individual_use" => self.individual_use,
            "product_ids" => ids(0), "excluded_product_ids" => ids(1),
            "usage_limit" => limit(self.usage_limit), "usage_limit_per_user" => limit(self.usage_limit_per_user),
            "limit_usage_to_x_items" => limit(self.limit_usage_to_x_items),
            "free_shipping" => self.free_shipping, "product_categories" => ids(2),
            "excluded_product_categories" => ids(3), "exclude_sale_items" => self.exclude_sale_items,
            "minimum_amount" => two(self.minimum_amount), "maximum_amount" => two(self.maximum_amount),
            "email_restrictions" => self.email_restrictions.clone(), "used_by" => self.used_by.clone(),
            "meta_data" => render_meta(&self.meta_data),
            "_links" => links(config.api_url(&format!("coupons/{}", self.id)), config.api_url("coupons")),
        }
    }
}

/// `wc_format_coupon_code()`: entities decoded, trimmed, lower-cased.
pub(crate) fn format_code(code: &str) -> String {
    secrets::decode_html(code).trim().to_lowercase()
}

/// The newest published coupon with this code (case-insensitive, like MySQL's `_ci`).
pub(crate) fn find_by_code<'a>(store: &'a Store, code: &str) -> Option<&'a Coupon> {
    let code = code.trim().to_lowercase();
    store
        .coupons
        .values()
        .filter(|c| c.status == "publish" && c.code == code)
        .max_by_key(|c| (c.created, c.id))
}

fn invalid_id() -> ApiError {
    ApiError::new(
        404,
        "woocommerce_rest_shop_coupon_invalid_id",
        "Invalid ID.",
    )
}

fn simple_email(e: &str) -> bool {
    let Some((local, domain)) = e.rsplit_once('@') else {
        return false;
    };
    !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !e.contains(' ')
}

/// Applies the writable fields of `req` (schema checks first, like WordPress does).
fn apply(store: &Store, c: &mut Coupon, req: &Req, creating: bool) -> Result<()> {
    if let Some(t) = req.string("discount_type")? {
        if !TYPES.contains(&t.as_str()) {
            return Err(not_in_enum("discount_type", TYPES));
        }
        c.discount_type = t;
    }
    let expires = match req.param("date_expires") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::String(s)) if s.is_empty() => Some(None),
        Some(Value::String(s)) => Some(Some(dates::parse(&s).ok_or_else(|| {
            ApiError::invalid_param("date_expires", "rest_invalid_date", "Invalid date.")
        })?)),
        Some(_) => {
            return Err(ApiError::invalid_param(
                "date_expires",
                "rest_invalid_type",
                "date_expires is not of type string.",
            ))
        }
    };
    if creating || req.has("code") {
        let code = format_code(&req.string("code")?.unwrap_or_default());
        if code.is_empty() {
            return Err(ApiError::new(
                400,
                "woocommerce_rest_empty_coupon_code",
                "The coupon code cannot be empty.",
            ));
        }
        let taken = store
            .coupons
            .values()
            .any(|o| o.id != c.id && o.status == "publish" && o.code == code);
        if taken {
            return Err(ApiError::new(
                400,
                "woocommerce_rest_coupon_code_already_exists",
                "The coupon code already exists",
            ));
        }
        c.code = code;
    }
    if let Some(a) = req.param("amount") {
        let amount = Money::from_json(&a, AMOUNT_DP).unwrap_or(Money::ZERO);
        let too_big = c.discount_type == "percent" && amount > Money(100 * 10i64.pow(AMOUNT_DP));
        if amount < Money::ZERO || too_big {
            return Err(ApiError::new(
                400,
                "coupon_invalid_amount",
                "Invalid discount amount",
            ));
        }
        c.amount = amount;
    }
    if let Some(e) = expires {
        // `date_expires_gmt` has no setter in WC_Coupon: it is silently ignored.
        c.expires = e;
    }
    for (name, field) in [
        ("minimum_amount", &mut c.minimum_amount),
        ("maximum_amount", &mut c.maximum_amount),
    ] {
        if let Some(v) = req.param(name) {
            *field = Money::from_json(&v, AMOUNT_DP).unwrap_or(Money::ZERO);
        }
    }
    for (name, field) in [
        ("usage_limit", &mut c.usage_limit),
        ("usage_limit_per_user", &mut c.usage_limit_per_user),
        ("limit_usage_to_x_items", &mut c.limit_usage_to_x_items),
    ] {
        if req.has(name) {
            *field = req.int(name)?.unwrap_or(0).abs();
        }
    }
    for (name, field) in [
        ("individual_use", &mut c.individual_use),
        ("free_shipping", &mut c.free_shipping),
        ("exclude_sale_items", &mut c.exclude_sale_items),
    ] {
        if let Some(b) = req.bool(name)? {
            *field = b;
        }
    }
    if let Some(d) = req.string("description")? {
        c.description = d;
    }
    if let Some(s) = req.one_of(
        "status",
        &["publish", "future", "draft", "pending", "private", "trash"],
    )? {
        c.status = s;
    }
    for (i, name) in ID_LISTS.iter().enumerate() {
        if let Some(Value::Array(items)) = req.param(name) {
            c.id_lists[i] = items.iter().filter_map(Value::as_i64).collect();
        }
    }
    if let Some(Value::Array(items)) = req.param("email_restrictions") {
        let mut emails = Vec::new();
        for e in items.iter().filter_map(Value::as_str) {
            let e = e.trim().to_lowercase();
            if e.is_empty() {
                continue;
            }
            if !e.contains('*') && !simple_email(&e) {
                return Err(ApiError::new(
                    400,
                    "coupon_invalid_email_address",
                    "Invalid email address restriction",
                ));
            }
            emails.push(e);
        }
        c.email_restrictions = emails;
    }
    Ok(())
}

fn apply_meta(store: &mut Store, c: &mut Coupon, req: &Req) {
    let Some(Value::Array(items)) = req.param("meta_data") else {
        return;
    };
    for item in items {
        let Some(key) = item.get("key").and_then(Value::as_str) else {
            continue;
        };
        let value = item.get("value").cloned().unwrap_or(Value::Null);
        match c.meta_data.iter_mut().find(|m| m.key == key) {
            Some(m) => m.value = value,
            None => {
                let id = store.meta_id();
                c.meta_data.push(Meta {
                    id,
                    key: key.to_string(),
                    value,
                });
            }
        }
    }
}

/// A new published `fixed_cart` coupon with nothing set, as `new WC_Coupon()` starts.
pub(crate) fn blank(now: OffsetDateTime) -> Coupon {
    Coupon {
        id: 0,
        code: String::new(),
        amount: Money::ZERO,
        status: "publish".into(),
        created: now,
        modified: now,
        discount_type: "fixed_cart".into(),
        description: String::new(),
        expires: None,
        usage_count: 0,
        individual_use: false,
        usage_limit: 0,
        usage_limit_per_user: 0,
        limit_usage_to_x_items: 0,
        free_shipping: false,
        exclude_sale_items: false,
        minimum_amount: Money::ZERO,
        maximum_amount: Money::ZERO,
        email_restrictions: Vec::new(),
        used_by: Vec::new(),
        meta_data: Vec::new(),
        id_lists: Default::default(),
    }
}

pub(crate) fn create(shared: &Shared, req: &Req) -> Result<Reply> {
    let mut store = shared.lock();
    let mut c = blank(dates::now());
    apply(&store, &mut c, req, true)?;
    c.id = store.post_id();
    apply_meta(&mut store, &mut c, req);
    let body = c.render(&shared.config);
    let id = c.id;
    store.coupons.insert(id, c);
    Ok(Reply::new(201, body).header("Location", shared.config.api_url(&format!("coupons/{id}"))))
}

pub(crate) fn get(shared: &Shared, id: i64) -> Result<Reply> {
    let store = shared.lock();
    let c = store.coupons.get(&id).ok_or_else(invalid_id)?;
    Ok(Reply::ok(c.render(&shared.config)))
}

/// `GET /coupons`; with `code`, an array of 0 or 1 published coupon.
pub(crate) fn list(shared: &Shared, req: &Req) -> Result<Reply> {
    let per_page = req.bounded("per_page", 10, 1, Some(100))?;
    let page = req.bounded("page", 1, 1, None)?;
    let order = req
        .one_of("order", &["asc", "desc"])?
        .unwrap_or_else(|| "desc".into());
    let store = shared.lock();
    let mut found: Vec<&Coupon> = match req.string("code")? {
        Some(code) => find_by_code(&store, &code).into_iter().collect(),
        None => store
            .coupons
            .values()
            .filter(|c| c.status != "trash")
            .collect(),
    };
    found.sort_by_key(|c| (c.created, c.id));
    if order == "desc" {
        found.reverse();
    }
    let (slice, headers) = paginate(
        req,
        &shared.config.api_url("coupons"),
        found,
        per_page,
        page,
    );
    let mut reply = Reply::ok(Json::Arr(
        slice.iter().map(|c| c.render(&shared.config)).collect(),
    ));
    reply.headers = headers;
    Ok(reply)
}

pub(crate) fn update(shared: &Shared, id: i64, req: &Req) -> Result<Reply> {
    let mut store = shared.lock();
    let mut c = store.coupons.get(&id).cloned().ok_or_else(invalid_id)?;
    apply(&store, &mut c, req, false)?;
    apply_meta(&mut store, &mut c, req);
    c.modified = dates::now();
    let body = c.render(&shared.config);
    store.coupons.insert(id, c);
    Ok(Reply::ok(body))
}

/// `DELETE /coupons/{id}`: trash (410 when already trashed) or, with `force`, delete.
pub(crate) fn delete(shared: &Shared, id: i64, req: &Req) -> Result<Reply> {
    let force = req.bool("force")?.unwrap_or(false);
    let mut store = shared.lock();
    let c = store.coupons.get_mut(&id).ok_or_else(invalid_id)?;
    if force {
        let c = store.coupons.remove(&id).ok_or_else(invalid_id)?;
        return Ok(Reply::ok(c.render(&shared.config)));
    }
    if c.status == "trash" {
        return Err(ApiError::new(
            410,
            "woocommerce_rest_already_trashed",
            "The coupon has already been deleted.",
        ));
    }
    c.status = "trash".into();
    c.modified = dates::now();
    Ok(Reply::ok(c.render(&shared.config)))
}
