//! The HTTP shell: routes, shared state, security headers, request ids.

mod activity_log;
pub mod api;
mod assets;
pub mod auth;
mod business;
mod chart;
pub mod client;
pub mod cookies;
mod counter;
pub mod dashboard;
mod health;
pub mod i18n;
mod link;
mod login;
mod mailbox;
mod once;
mod pages;
mod partner_cards;
mod partner_home;
mod partner_members;
mod partner_woo;
mod portal;
mod portal_account;
mod portal_email;
mod portal_gate;
mod portal_redeem;
pub mod render;
pub mod routes;
mod team;
pub(crate) mod templates;
mod tokens;
mod unsubscribe;
mod webhooks;

use std::sync::Arc;

use actix_web::dev::Service;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{DefaultHeaders, NormalizePath, TrailingSlash};
use actix_web::{web, App, HttpMessage, HttpServer};
use anyhow::Context;
use secrecy::ExposeSecret;
use tracing_actix_web::{RequestId, TracingLogger};

use crate::config::Config;
use crate::email::render::EmailRenderer;
use crate::email::transport::Transport;
use crate::email::worker::Mailer;
use crate::usecases::ingest::{BatchOptions, Batcher};
use crate::usecases::reconcile::Reconciler;
pub use templates::Templates;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub pool: database::Pool,
    pub config: Arc<Config>,
    pub templates: Arc<Templates>,
    pub strings: Arc<i18n::Strings>,
    pub emails: Arc<EmailRenderer>,
    /// The WooCommerce REST client (shared by the pages, the API and the workers).
    pub woo: Woo,
    /// The group-commit writers signed order deliveries are applied by.
    pub ingest: Batcher,
}

/// The shared WooCommerce client; `&*state.woo` is a `&dyn WooApi`.
#[derive(Clone)]
pub struct Woo(pub Arc<dyn woo_client::WooApi>);

impl std::fmt::Debug for Woo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Woo")
    }
}

impl std::ops::Deref for Woo {
    type Target = dyn woo_client::WooApi;
    fn deref(&self) -> &Self::Target {
        self.0.as_ref()
    }
}

impl AppState {
    /// Cookies are `Secure` (with the `__Host-` prefix) when Tally is served over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.config.public_base_url.starts_with("https://")
    }
}

/// The strict policy every page is served with: no inline scripts or styles, nothing
/// from elsewhere, no framing.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; \
frame-ancestors 'none'; base-uri 'none'";

/// Registers every route (the table in [`routes`]); shared by the server and the tests.
pub fn routes(cfg: &mut web::ServiceConfig) {
    routes::register(cfg);
}

/// Serves until SIGINT or SIGTERM, then finishes in-flight requests.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let pool = database::connect(
        config.database_url.expose_secret(),
        database::PoolOptions {
            max_size: config.database_pool_size,
            ..Default::default()
        },
    )?;
    let templates = Arc::new(Templates::load().context("loading the embedded templates")?);
    let strings = Arc::new(
        i18n::Strings::load()
            .map_err(anyhow::Error::msg)
            .context("loading the page strings")?,
    );
    let emails = Arc::new(EmailRenderer::load().context("loading the email templates")?);
    let transport = match &config.smtp_url {
        Some(url) => Transport::smtp(url.expose_secret(), std::time::Duration::from_secs(20))?,
        None => Transport::DevOutbox,
    };
    let bind_addr = config.bind_addr;
    tracing::info!(
        env = ?config.env,
        public_base_url = %config.public_base_url,
        feature_woocommerce = config.feature_woocommerce,
        smtp = config.smtp_url.is_some(),
        woo_allow_private_networks = config.woo_allow_private_networks,
        woo_extra_ca_cert = ?config.woo_extra_ca_cert,
        reconcile_interval_s = config.reconcile_interval.as_secs(),
        trusted_proxies = config.trusted_proxies.len(),
        "starting"
    );
    let woo = Woo(woo_client(&config)?);
    let config = Arc::new(config);
    // The writers' connections are their own (created by them, on this runtime), so a
    // burst of deliveries never starves the pages of connections, nor the reverse.
    let ingest_pool = database::connect(
        config.database_url.expose_secret(),
        database::PoolOptions {
            max_size: config.ingest_writers,
            ..Default::default()
        },
    )?;
    let ingest = Batcher::start(
        ingest_pool,
        config.clone(),
        BatchOptions {
            writers: config.ingest_writers,
            max_batch: 64,
        },
    )
    .context("starting the delivery writers")?;
    let state = AppState {
        pool,
        config,
        templates,
        strings,
        emails,
        woo,
        ingest,
    };
    let mailer = Mailer {
        pool: state.pool.clone(),
        config: state.config.clone(),
        renderer: state.emails.clone(),
        transport,
    };
    let (stop_worker, stop_rx) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(mailer.run(stop_rx.clone(), std::time::Duration::from_secs(1)));
    let reconciler = Reconciler {
        pool: state.pool.clone(),
        config: state.config.clone(),
        woo: state.woo.0.clone(),
    };
    let reconciling =
        tokio::spawn(reconciler.run_forever(stop_rx.clone(), std::time::Duration::from_secs(5)));
    let redeemer = crate::usecases::redeem::worker::RedemptionWorker {
        pool: state.pool.clone(),
        config: state.config.clone(),
        woo: state.woo.0.clone(),
    };
    let redeeming = tokio::spawn(redeemer.run_forever(stop_rx, std::time::Duration::from_secs(2)));
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .wrap(
                DefaultHeaders::new()
                    .add((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
                    .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                    .add((header::REFERRER_POLICY, "same-origin"))
                    .add((header::X_FRAME_OPTIONS, "DENY")),
            )
            .wrap_fn(|req, srv| {
                let id = req.extensions().get::<RequestId>().map(|id| id.to_string());
                let fut = srv.call(req);
                async move {
                    let mut res = fut.await?;
                    if let Some(value) = id.and_then(|id| HeaderValue::from_str(&id).ok()) {
                        res.headers_mut()
                            .insert(header::HeaderName::from_static("x-request-id"), value);
                    }
                    Ok(res)
                }
            })
            .wrap(TracingLogger::default())
            .wrap(NormalizePath::new(TrailingSlash::Trim))
            .configure(routes)
            .default_service(web::to(pages::not_found))
    })
    .shutdown_timeout(10)
    .bind(bind_addr)
    .with_context(|| format!("could not listen on {bind_addr} (BIND_ADDR)"))?;
    for addr in server.addrs() {
        println!("Tally listening on http://{addr}");
        tracing::info!(%addr, "listening");
    }
    let served = server.run().await;
    let _ = stop_worker.send(true);
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), worker).await;
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), reconciling).await;
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), redeeming).await;
    served.context("server stopped with an error")?;
    tracing::info!("shut down");
    Ok(())
}

/// The WooCommerce client, trusting `WOO_EXTRA_CA_CERT` and refusing private addresses
/// unless `WOO_ALLOW_PRIVATE_NETWORKS`.
pub fn woo_client(config: &Config) -> anyhow::Result<Arc<dyn woo_client::WooApi>> {
    let extra_ca_pem = match &config.woo_extra_ca_cert {
        Some(path) => Some(
            std::fs::read(path)
                .with_context(|| format!("reading WOO_EXTRA_CA_CERT ({})", path.display()))?,
        ),
        None => None,
    };
    let client = woo_client::WooClient::new(&woo_client::ClientConfig {
        extra_ca_pem,
        allow_private_networks: config.woo_allow_private_networks,
        timeout: config.woo_timeout,
        connect_timeout: config.woo_timeout.min(std::time::Duration::from_secs(10)),
    })?;
    Ok(Arc::new(client))
}
