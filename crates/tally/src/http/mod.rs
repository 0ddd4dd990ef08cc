//! The HTTP shell: routes, shared state, security headers, request ids.

mod assets;
mod health;
mod pages;
mod templates;

use std::sync::Arc;

use actix_web::dev::Service;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{DefaultHeaders, NormalizePath, TrailingSlash};
use actix_web::{web, App, HttpMessage, HttpServer};
use anyhow::Context;
use secrecy::ExposeSecret;
use tracing_actix_web::{RequestId, TracingLogger};

use crate::config::Config;
pub use templates::Templates;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub pool: database::Pool,
    pub config: Arc<Config>,
    pub templates: Arc<Templates>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The strict policy every page is served with: no inline scripts or styles, nothing
/// from elsewhere, no framing.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; \
frame-ancestors 'none'; base-uri 'none'";

/// Registers every route; shared by the server and the tests.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(assets::static_file)
        .service(pages::home);
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
    let state = AppState {
        pool,
        config: Arc::new(config),
        templates,
    };
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
    server.run().await.context("server stopped with an error")?;
    tracing::info!("shut down");
    Ok(())
}
