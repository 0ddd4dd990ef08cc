//! `WC_Webhook::deliver_ping()`: an unsigned form POST `webhook_id=<id>` with no
//! `X-WC-Webhook-*` headers, 5 s timeout, up to 5 redirects followed; only an exact 200
//! counts, and only that clears `pending_delivery`. Ping failures never touch
//! `failure_count`.

use std::time::Duration;

use url::Url;

use crate::http_client;
use crate::state::{DeliveryRecord, Shared, USER_AGENT};
use crate::{dates, safe_url};

const TIMEOUT: Duration = Duration::from_secs(5);
const MAX_REDIRECTS: usize = 5;

/// Pings webhook `id`; `Err` carries WooCommerce's error text. Recorded in `deliveries()`.
pub(crate) async fn send(shared: &Shared, id: i64) -> Result<(), String> {
    let url = match shared.lock().webhooks.get(&id) {
        Some(w) => w.delivery_url.clone(),
        None => return Ok(()),
    };
    let body = format!("webhook_id={id}");
    let at = dates::now();
    let (status, result) = post_following_redirects(shared, &url, &body).await;
    let result = match (status, result) {
        (_, Err(e)) => Err(format!("Error: Delivery URL cannot be reached: {e}")),
        (Some(200), Ok(())) => Ok(()),
        (code, Ok(())) => Err(format!(
            "Error: Delivery URL returned response code: {}",
            code.unwrap_or_default()
        )),
    };
    let mut store = shared.lock();
    store.deliveries.push(DeliveryRecord {
        webhook_id: id,
        order_id: None,
        kind: "ping".into(),
        status,
        error: result.as_ref().err().cloned(),
        delivery_id: None,
        success: result.is_ok(),
        url,
        body,
        at,
    });
    if result.is_ok() {
        if let Some(w) = store.webhooks.get_mut(&id) {
            w.pending_delivery = false;
            w.modified = Some(dates::now());
        }
    }
    tracing::debug!(webhook = id, ?status, ok = result.is_ok(), "ping");
    result
}

async fn post_following_redirects(
    shared: &Shared,
    url: &str,
    body: &str,
) -> (Option<u16>, Result<(), String>) {
    let mut url = match Url::parse(url) {
        Ok(u) => u,
        Err(_) => return (None, Err(safe_url::REFUSED.into())),
    };
    let mut method = "POST";
    for _ in 0..=MAX_REDIRECTS {
        if shared.config.strict_urls {
            if let Err(e) = safe_url::check(&url).await {
                return (None, Err(e.into()));
            }
        }
        let sent_body = if method == "POST" {
            body.as_bytes()
        } else {
            &[]
        };
        let mut headers = vec![
            ("User-Agent".to_string(), USER_AGENT.to_string()),
            ("Accept".to_string(), "*/*".to_string()),
            (
                "Accept-Encoding".to_string(),
                "deflate, gzip, br, zstd".to_string(),
            ),
            ("Connection".to_string(), "close".to_string()),
        ];
        if method == "POST" {
            headers.push(("Content-Length".into(), sent_body.len().to_string()));
            headers.push((
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            ));
        }
        let resp = match http_client::send(method, &url, &headers, sent_body, TIMEOUT).await {
            Ok(r) => r,
            Err(e) => return (None, Err(e)),
        };
        let redirect = matches!(resp.status, 301 | 302 | 303 | 307 | 308);
        match (redirect, resp.location.and_then(|l| url.join(&l).ok())) {
            (true, Some(next)) => {
                if resp.status == 303 {
                    method = "GET";
                }
                url = next;
            }
            _ => return (Some(resp.status), Ok(())),
        }
    }
    (None, Err("Too many redirects".into()))
}
