//! `WooClient`: the real [`WooApi`] over HTTPS with reqwest and rustls.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use reqwest::header::{HeaderMap, ACCEPT, LOCATION};
use reqwest::{Method, StatusCode};
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use url::{Host, Url};

use crate::address::{is_public, GuardedResolver};
use crate::error::{from_status, from_transport, looks_like_html};
use crate::webhooks::{NewWebhookBody, WebhookUpdateBody};
use crate::{
    ClientError, Coupon, Credentials, Deleted, NewCoupon, NewWebhook, OrderPage, OrderQuery,
    RawOrder, StoreInfo, StoreUrl, Webhook, WebhookUpdate, WooApi,
};

/// Answers larger than this are refused (WooCommerce sets no limit; a page of 100 big
/// orders stays well below).
const MAX_BODY: usize = 16 * 1024 * 1024;

/// How the client talks to stores.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The whole exchange, connect to last byte. Default 15 s.
    pub timeout: Duration,
    /// TCP connect and TLS handshake. Default 10 s.
    pub connect_timeout: Duration,
    /// PEM certificates trusted on top of the webpki roots (`WOO_EXTRA_CA_CERT`'s
    /// contents), e.g. the simulator's CA.
    pub extra_ca_pem: Option<Vec<u8>>,
    /// Allow loopback and private addresses (`WOO_ALLOW_PRIVATE_NETWORKS`).
    pub allow_private_networks: bool,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            timeout: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(10),
            extra_ca_pem: None,
            allow_private_networks: false,
        }
    }
}

/// The WooCommerce REST client: one connection pool for all stores. Cheap to clone.
#[derive(Debug, Clone)]
pub struct WooClient {
    http: reqwest::Client,
    allow_private_networks: bool,
}

/// A 2xx answer.
struct Answer {
    headers: HeaderMap,
    body: Vec<u8>,
}

impl WooClient {
    pub fn new(config: &ClientConfig) -> Result<WooClient, ClientError> {
        let resolver = GuardedResolver {
            allow_private_networks: config.allow_private_networks,
        };
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .https_only(true)
            // Never follow: credentials and writes must not move to another address,
            // and a redirect target would escape the address checks.
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve and connect on our behalf, past the resolver.
            .no_proxy()
            .dns_resolver(Arc::new(resolver))
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("Tally-WooCommerce/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = &config.extra_ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                ClientError::InvalidConfiguration(format!("extra CA certificate: {e}"))
            })?;
            if certs.is_empty() {
                return Err(ClientError::InvalidConfiguration(
                    "the extra CA file holds no PEM certificate".into(),
                ));
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder
            .build()
            .map_err(|e| ClientError::InvalidConfiguration(e.to_string()))?;
        Ok(WooClient {
            http,
            allow_private_networks: config.allow_private_networks,
        })
    }

    /// Refuses what the resolver never sees: a non-HTTPS URL, a literal IP host that is
    /// not public.
    fn check_target(&self, url: &Url) -> Result<(), ClientError> {
        if url.scheme() != "https" {
            return Err(ClientError::NotHttps);
        }
        let literal: Option<IpAddr> = match url.host() {
            Some(Host::Ipv4(ip)) => Some(ip.into()),
            Some(Host::Ipv6(ip)) => Some(ip.into()),
            Some(Host::Domain(_)) => None,
            None => return Err(ClientError::UnexpectedResponse("URL without a host".into())),
        };
        match literal {
            Some(ip) if !self.allow_private_networks && !is_public(ip) => {
                Err(ClientError::PrivateAddress)
            }
            _ => Ok(()),
        }
    }

    async fn send(
        &self,
        method: Method,
        url: Url,
        credentials: &Credentials,
        body: Option<serde_json::Value>,
    ) -> Result<Answer, ClientError> {
        self.check_target(&url)?;
        let started = Instant::now();
        let path = url.path().to_owned();
        let mut request = self
            .http
            .request(method.clone(), url)
            .basic_auth(
                credentials.consumer_key.expose_secret(),
                Some(credentials.consumer_secret.expose_secret()),
            )
            .header(ACCEPT, "application/json");
        if let Some(body) = &body {
            request = request.json(body);
        }
        let result = self.exchange(request).await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match &result {
            Ok((status, _, _)) => {
                tracing::debug!(%method, %path, status = status.as_u16(), elapsed_ms, key = %credentials.key_prefix(), "woocommerce call")
            }
            Err(e) => {
                tracing::debug!(%method, %path, error = %e, elapsed_ms, "woocommerce call failed")
            }
        }
        let (status, headers, body) = result?;
        if status.is_success() {
            return Ok(Answer { headers, body });
        }
        let location = headers.get(LOCATION).and_then(|l| l.to_str().ok());
        Err(from_status(status.as_u16(), location, &body))
    }

    async fn exchange(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<(StatusCode, HeaderMap, Vec<u8>), ClientError> {
        let mut response = request.send().await.map_err(|e| from_transport(&e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| from_transport(&e))? {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(ClientError::UnexpectedResponse(format!(
                    "an answer larger than {MAX_BODY} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((status, headers, body))
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        credentials: &Credentials,
        body: Option<serde_json::Value>,
    ) -> Result<T, ClientError> {
        let answer = self.send(method, url, credentials, body).await?;
        parse_json(&answer.body)
    }
}

/// A 2xx body as `T`. An HTML page with 2xx is WordPress answering instead of its REST
/// API (Plain permalinks serve the front page for `/wp-json/...`).
fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ClientError> {
    serde_json::from_slice(body).map_err(|e| {
        if looks_like_html(body) {
            ClientError::RestApiMissing
        } else {
            ClientError::UnexpectedResponse(format!("{e}"))
        }
    })
}

fn to_json<T: serde::Serialize>(value: T) -> Result<serde_json::Value, ClientError> {
    serde_json::to_value(value)
        .map_err(|e| ClientError::UnexpectedResponse(format!("cannot encode the request: {e}")))
}

fn header_number<T: std::str::FromStr>(headers: &HeaderMap, name: &str) -> Option<T> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// Reads `system_status`: `settings.currency`, `settings.number_of_decimals`,
/// `environment.version` (documented as `wc_version`).
pub(crate) fn store_info(status: &serde_json::Value) -> Result<StoreInfo, ClientError> {
    let currency = status
        .pointer("/settings/currency")
        .and_then(|c| c.as_str())
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            ClientError::UnexpectedResponse("system_status has no settings.currency".into())
        })?;
    let version = ["/environment/version", "/environment/wc_version"]
        .iter()
        .find_map(|p| status.pointer(p).and_then(|v| v.as_str()))
        .map(str::to_owned);
    let decimals = status
        .pointer("/settings/number_of_decimals")
        .and_then(|d| match d {
            serde_json::Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
            serde_json::Value::String(s) => s.trim().parse().ok(),
            _ => None,
        });
    Ok(StoreInfo {
        currency: currency.to_owned(),
        woocommerce_version: version,
        decimals,
    })
}

fn is_unknown_webhook(e: &ClientError) -> bool {
    match e {
        ClientError::NotFound { .. } => true,
        ClientError::BadRequest { code, .. } => code == "woocommerce_rest_shop_webhook_invalid_id",
        _ => false,
    }
}

#[async_trait]
impl WooApi for WooClient {
    async fn system_status(
        &self,
        store: &StoreUrl,
        credentials: &Credentials,
    ) -> Result<StoreInfo, ClientError> {
        let status: serde_json::Value = self
            .call(
                Method::GET,
                store.api_url("system_status"),
                credentials,
                None,
            )
            .await?;
        store_info(&status)
    }

    async fn create_webhook(
        &self,
        store: &StoreUrl,
        credentials: &Credentials,
        webhook: &NewWebhook,
    ) -> Result<Webhook, ClientError> {
        let body = to_json(NewWebhookBody::from(webhook))?;
        self.call(
            Method::POST,
            store.api_url("webhooks"),
            credentials,
            Some(body),
        )
        .await
    }

    async fn get_webhook(
        &self,
        store: &StoreUrl,
        credentials: &Credentials,
        id: u64,
    ) -> Result<Option<Webhook>, ClientError> {
        let url = store.api_url(&format!("webhooks/{id}"));
        match self.call(Method::GET, url, credentials, None).await {
            Ok(hook) => Ok(Some(hook)),
            Err(e) if is_unknown_webhook(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn update_webhook(
        &self,
        store: &StoreUrl,
        credentials: &Credentials,
        id: u64,
        update: &WebhookUpdate,
    ) -> Result<Webhook, ClientError> {
        let body = to_json(WebhookUpdateBody::from(update))?;
        self.call(
            Method::PUT,
            store.api_url(&format!("webhooks/{id}")),
            credentials,
            Some(body),
        )
        .await
    }

    async fn delete_webhook(
        &self,
        store: &StoreUrl,
        credentials: &Credentials,
        id: u64,
    ) -> Result<Deleted, ClientError> {
        let mut url = store.api_url(&format!("webhooks/{id}"));
        url.query_pairs_mut().append_pair("force", "true");
        match self.send(Method::DELETE, url, credentials, None).await {
            Ok(_) => Ok(Deleted::Removed),
            Err(e) if is_unknown_webhook(&e) => Ok(Deleted::AlreadyGone),
            Err(e) => Err(e),
        }
    }

    async fn create_coupon(
        &self,
        store: &StoreUrl,
        credentials: &Credentials,
        coupon: &NewCoupon,
    ) -> Result<Coupon, ClientError> {
        let mut body = to_json(coupon)?;
        body["code"] = coupon.code.to_lowercase().into();
        self.call(
            Method::POST,
            store.api_url("coupons"),
            credentials,
            Some(body),
        )
        .await
    }

    async fn find_coupon_by_code(
        &self,
        store: &StoreUrl,
        credentials: &Credentials,
        code: &str,
    ) -> Result<Option<Coupon>, ClientError> {
        let code = code.trim().to_lowercase();
        let mut url = store.api_url("coupons");
        url.query_pairs_mut().append_pair("code", &code);
        let found: Vec<Coupon> = self.call(Method::GET, url, credentials, None).await?;
        // A store that ignores `code` would list every coupon: take only an exact match.
        Ok(found.into_iter().find(|c| c.code.to_lowercase() == code))
    }

    async fn list_orders(
        &self,
        store: &StoreUrl,
        credentials: &Credentials,
        query: &OrderQuery,
    ) -> Result<OrderPage, ClientError> {
        let answer = self
            .send(Method::GET, query.url(store), credentials, None)
            .await?;
        let orders: Vec<RawOrder> = parse_json(&answer.body)?;
        Ok(OrderPage {
            orders,
            total: header_number(&answer.headers, "x-wp-total"),
            total_pages: header_number(&answer.headers, "x-wp-totalpages"),
            page: query.page.max(1),
        })
    }
}

#[cfg(test)]
mod tests;
