//! `/wc/v3/webhooks`: the webhook resource and its quirks (status ignored on create, secret
//! never returned, synchronous ping, 400 for a missing ID on GET, 501 without `force`).

use time::OffsetDateTime;
use url::Url;

use crate::json::{links, obj, Json};
use crate::rest::{paginate, ApiError, Reply, Req, Result};
use crate::state::{Config, Shared};
use crate::{dates, ping, secrets};

/// A stored webhook (`{prefix}wc_webhooks` row).
#[derive(Debug, Clone)]
pub(crate) struct Webhook {
    pub id: i64,
    pub name: String,
    pub status: String,
    pub topic: String,
    pub delivery_url: String,
    /// As registered; HTML entities are decoded when signing.
    pub secret: String,
    pub failure_count: u32,
    pub pending_delivery: bool,
    pub created: OffsetDateTime,
    pub modified: Option<OffsetDateTime>,
}

/// A read-only view of a webhook, for tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookView {
    pub id: i64,
    pub name: String,
    /// `"active"`, `"paused"` or `"disabled"`.
    pub status: String,
    pub failure_count: u32,
    pub delivery_url: String,
    pub topic: String,
    /// The decoded secret actually used to sign deliveries.
    pub secret: String,
    /// True until a ping got an exact 200.
    pub pending_delivery: bool,
}

impl Webhook {
    pub(crate) fn view(&self) -> WebhookView {
        WebhookView {
            id: self.id,
            name: self.name.clone(),
            status: self.status.clone(),
            failure_count: self.failure_count,
            delivery_url: self.delivery_url.clone(),
            topic: self.topic.clone(),
            secret: secrets::decode(&self.secret),
            pending_delivery: self.pending_delivery,
        }
    }

    fn render(&self, config: &Config) -> Json {
        let (resource, event) = self.topic.split_once('.').unwrap_or((&self.topic, ""));
        obj! {
            "id" => self.id,
            "name" => self.name.as_str(),
            "status" => self.status.as_str(),
            "topic" => self.topic.as_str(),
            "resource" => resource,
            "event" => event,
            "hooks" => hooks(&self.topic),
            "delivery_url" => self.delivery_url.as_str(),
            "date_created" => dates::format(self.created),
            "date_created_gmt" => dates::format(self.created),
            "date_modified" => self.modified.map(dates::format),
            "date_modified_gmt" => self.modified.map(dates::format),
            "_links" => links(config.api_url(&format!("webhooks/{}", self.id)), config.api_url("webhooks")),
        }
    }
}

/// `WC_Webhook::get_hooks()` for a topic (WooCommerce 8.9).
fn hooks(topic: &str) -> Vec<String> {
    let list: &[&str] = match topic {
        "order.created" => &["woocommerce_new_order"],
        "order.updated" => &["woocommerce_update_order", "woocommerce_order_refunded"],
        "order.deleted" => &["wp_trash_post", "woocommerce_trash_order"],
        "order.restored" => &["untrashed_post", "woocommerce_untrash_order"],
        "coupon.created" => &[
            "woocommerce_process_shop_coupon_meta",
            "woocommerce_new_coupon",
        ],
        "coupon.updated" => &[
            "woocommerce_process_shop_coupon_meta",
            "woocommerce_update_coupon",
        ],
        "coupon.deleted" => &["wp_trash_post"],
        "coupon.restored" => &["untrashed_post"],
        "customer.created" => &[
            "user_register",
            "woocommerce_created_customer",
            "woocommerce_new_customer",
        ],
        "customer.updated" => &["profile_update", "woocommerce_update_customer"],
        "customer.deleted" => &["delete_user"],
        "product.created" => &[
            "woocommerce_process_product_meta",
            "woocommerce_new_product",
            "woocommerce_new_product_variation",
        ],
        "product.updated" => &[
            "woocommerce_process_product_meta",
            "woocommerce_update_product",
            "woocommerce_update_product_variation",
        ],
        "product.deleted" => &["wp_trash_post"],
        "product.restored" => &["untrashed_post"],
        t => {
            return t
                .strip_prefix("action.")
                .map(|a| vec![a.to_string()])
                .unwrap_or_default()
        }
    };
    list.iter().map(|s| s.to_string()).collect()
}

/// `wc_is_webhook_valid_topic()`.
fn valid_topic(topic: &str) -> bool {
    if let Some(action) = topic.strip_prefix("action.") {
        return !action.is_empty();
    }
    match topic.split_once('.') {
        Some((resource, event)) => {
            ["coupon", "customer", "order", "product"].contains(&resource)
                && ["created", "updated", "deleted", "restored"].contains(&event)
        }
        None => false,
    }
}

/// `wc_is_valid_url()`: http(s) and a parseable URL.
fn valid_url(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && Url::parse(s).is_ok_and(|u| u.host_str().is_some_and(|h| !h.is_empty()))
}

fn invalid_topic() -> ApiError {
    ApiError::new(
        400,
        "woocommerce_rest_shop_webhook_invalid_topic",
        "Webhook topic is required and must be valid.",
    )
}

fn invalid_url() -> ApiError {
    ApiError::new(
        400,
        "woocommerce_rest_shop_webhook_invalid_delivery_url",
        "Webhook delivery URL must be a valid URL starting with http:// or https://.",
    )
}

fn invalid_id(status: u16) -> ApiError {
    let message = if status == 400 {
        "ID is invalid."
    } else {
        "Invalid ID."
    };
    ApiError::new(status, "woocommerce_rest_shop_webhook_invalid_id", message)
}

/// `POST /webhooks`: saved active whatever `status` says, answered 201 without the secret,
/// after a synchronous ping whose outcome is ignored.
pub(crate) async fn create(shared: &Shared, req: &Req) -> Result<Reply> {
    let missing: Vec<&str> = ["topic", "delivery_url"]
        .into_iter()
        .filter(|p| !req.has(p))
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::missing(&missing));
    }
    let topic = req
        .string("topic")?
        .unwrap_or_default()
        .trim()
        .to_lowercase();
    if topic.is_empty() || !valid_topic(&topic) {
        return Err(invalid_topic());
    }
    let delivery_url = req.string("delivery_url")?.unwrap_or_default();
    if !valid_url(&delivery_url) {
        return Err(invalid_url());
    }
    let now = dates::now();
    let name = match req.string("name")? {
        Some(n) if !n.is_empty() => n,
        _ => format!(
            "Webhook created on {}",
            now.format(time::macros::format_description!(
                "[month repr:short] [day], [year] @ [hour repr:12]:[minute] [period]"
            ))
            .unwrap_or_default()
        ),
    };
    let secret = match req.string("secret")? {
        Some(s) if !s.is_empty() => s,
        _ => secrets::generate(),
    };
    let (id, body) = {
        let mut store = shared.lock();
        let id = store.next_webhook_id;
        store.next_webhook_id += 1;
        let webhook = Webhook {
            id,
            name,
            status: "active".into(),
            topic,
            delivery_url,
            secret,
            failure_count: 0,
            pending_delivery: true,
            created: now,
            modified: None,
        };
        let body = webhook.render(&shared.config);
        store.webhooks.insert(id, webhook);
        (id, body)
    };
    // The response is prepared first; then the ping runs inside the request.
    let _ = ping::send(shared, id).await;
    Ok(Reply::new(201, body).header("Location", shared.config.api_url(&format!("webhooks/{id}"))))
}

/// `GET /webhooks/{id}`: a missing ID is a 400 "ID is invalid.".
pub(crate) fn get(shared: &Shared, id: i64) -> Result<Reply> {
    let store = shared.lock();
    let webhook = store
        .webhooks
        .get(&id)
        .ok_or_else(|| invalid_id(if id == 0 { 404 } else { 400 }))?;
    Ok(Reply::ok(webhook.render(&shared.config)))
}

/// `GET /webhooks` with `status`, `page`, `per_page`, `order`, `orderby`.
pub(crate) fn list(shared: &Shared, req: &Req) -> Result<Reply> {
    let status = req
        .one_of("status", &["all", "active", "paused", "disabled"])?
        .unwrap_or_else(|| "all".into());
    let per_page = req.bounded("per_page", 10, 1, Some(100))?;
    let page = req.bounded("page", 1, 1, None)?;
    let order = req
        .one_of("order", &["asc", "desc"])?
        .unwrap_or_else(|| "desc".into());
    let orderby = req
        .one_of("orderby", &["date", "id", "title"])?
        .unwrap_or_else(|| "date".into());
    let store = shared.lock();
    let mut hooks: Vec<&Webhook> = store
        .webhooks
        .values()
        .filter(|w| status == "all" || w.status == status)
        .collect();
    hooks.sort_by(|a, b| match orderby.as_str() {
        "title" => a.name.cmp(&b.name).then(a.id.cmp(&b.id)),
        "id" => a.id.cmp(&b.id),
        _ => a.created.cmp(&b.created).then(a.id.cmp(&b.id)),
    });
    if order == "desc" {
        hooks.reverse();
    }
    let (slice, headers) = paginate(
        req,
        &shared.config.api_url("webhooks"),
        hooks,
        per_page,
        page,
    );
    let mut reply = Reply::ok(Json::Arr(
        slice.iter().map(|w| w.render(&shared.config)).collect(),
    ));
    reply.headers = headers;
    Ok(reply)
}

/// `PUT /webhooks/{id}`: saving an active webhook re-pings when the URL changed or no ping
/// has succeeded yet. Re-activating does not reset `failure_count`.
pub(crate) async fn update(shared: &Shared, id: i64, req: &Req) -> Result<Reply> {
    let status = match req.string("status")? {
        Some(s) if !["active", "paused", "disabled"].contains(&s.as_str()) => {
            return Err(ApiError::new(
                400,
                "woocommerce_rest_shop_webhook_invalid_status",
                "Webhook status must be valid.",
            ))
        }
        s => s,
    };
    let topic = match req.string("topic")? {
        Some(t) => {
            let t = t.trim().to_lowercase();
            if !valid_topic(&t) {
                return Err(invalid_topic());
            }
            Some(t)
        }
        None => None,
    };
    let url = match req.string("delivery_url")? {
        Some(u) if !valid_url(&u) => return Err(invalid_url()),
        u => u,
    };
    let name = req.string("name")?;
    let secret = req.string("secret")?;
    let needs_ping = {
        let mut store = shared.lock();
        let webhook = store.webhooks.get_mut(&id).ok_or_else(|| invalid_id(404))?;
        let mut url_changed = false;
        if let Some(u) = url {
            url_changed = u != webhook.delivery_url;
            webhook.delivery_url = u;
        }
        if let Some(n) = name {
            webhook.name = n;
        }
        if let Some(s) = secret {
            webhook.secret = s;
        }
        if let Some(t) = topic {
            webhook.topic = t;
        }
        if let Some(s) = status {
            webhook.status = s;
        }
        webhook.modified = Some(dates::now());
        webhook.status == "active" && (url_changed || webhook.pending_delivery)
    };
    if needs_ping {
        let _ = ping::send(shared, id).await;
    }
    let store = shared.lock();
    let webhook = store.webhooks.get(&id).ok_or_else(|| invalid_id(404))?;
    Ok(Reply::ok(webhook.render(&shared.config)))
}

/// `DELETE /webhooks/{id}`: 501 without `force=true`; 404 "Invalid ID." once gone.
pub(crate) fn delete(shared: &Shared, id: i64, req: &Req) -> Result<Reply> {
    if !req.bool("force")?.unwrap_or(false) {
        return Err(ApiError::new(
            501,
            "woocommerce_rest_trash_not_supported",
            "Webhooks do not support trashing.",
        ));
    }
    let mut store = shared.lock();
    let webhook = store.webhooks.remove(&id).ok_or_else(|| invalid_id(404))?;
    // Queued deliveries of a deleted webhook are skipped.
    store.queue.retain(|j| j.webhook_id != id);
    Ok(Reply::ok(webhook.render(&shared.config)))
}
