//! The OpenAPI 3 document of the partner API, served at `/api/v1/openapi.json`.
//!
//! Generated from the handlers' `#[utoipa::path]` annotations. A test below checks that
//! the document's operations are exactly the route table's `/api/v1` routes, so a route
//! cannot be added or removed without the document following.

use actix_web::HttpResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tally partner API",
        version = "1",
        description = "The partner JSON API: cards, members, wallets, counter purchases, \
adjustments and the WooCommerce integration. Authenticate with `Authorization: Bearer <token>` \
(tokens are created in the dashboard under API tokens). Money is a decimal string, points are \
integers, ids are strings, times RFC 3339. Errors are `{\"error\": {\"code\", \"message\", \"hint\"}}`."
    ),
    paths(
        document,
        super::cards::list,
        super::cards::create,
        super::cards::change,
        super::integrations::create,
        super::integrations::show,
        super::integrations::change_settings,
        super::integrations::pause_integration,
        super::integrations::resume_integration,
        super::integrations::remove,
        super::receipts::receipts,
        super::reconcile::request,
        super::reconcile::status,
        super::redemptions::create,
        super::members::find,
        super::wallets::show,
        super::wallets::create_adjustment,
        super::purchases::create,
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "cards", description = "Cards, their rules and their tiers"),
        (name = "integrations", description = "WooCommerce stores connected to a card"),
        (name = "members", description = "Members, their wallets and manual adjustments"),
        (name = "meta", description = "This document"),
        (name = "purchases", description = "Counter purchases on a card"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document itself.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    description = "This OpenAPI 3 document. No token needed.",
    responses((status = 200, description = "The document"))
)]
pub(crate) async fn document() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use utoipa::OpenApi;

    use super::ApiDoc;
    use crate::http::routes::{table, Access};

    fn documented() -> BTreeSet<(String, String)> {
        let doc = ApiDoc::openapi();
        let mut found = BTreeSet::new();
        for (path, item) in &doc.paths.paths {
            let operations = [
                ("GET", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
                ("HEAD", item.head.is_some()),
                ("OPTIONS", item.options.is_some()),
                ("TRACE", item.trace.is_some()),
            ];
            for (method, present) in operations {
                if present {
                    found.insert((method.to_owned(), path.clone()));
                }
            }
        }
        found
    }

    fn routed() -> BTreeSet<(String, String)> {
        table()
            .into_iter()
            .filter(|r| r.path.starts_with("/api/"))
            .map(|r| (r.method.to_string(), r.path.to_owned()))
            .collect()
    }

    #[test]
    fn every_api_route_is_documented_and_every_documented_operation_is_routed() {
        let documented = documented();
        let routed = routed();
        let undocumented: Vec<_> = routed.difference(&documented).collect();
        let unrouted: Vec<_> = documented.difference(&routed).collect();
        assert!(
            undocumented.is_empty(),
            "routes missing from /api/v1/openapi.json: {undocumented:?}"
        );
        assert!(
            unrouted.is_empty(),
            "documented operations the router does not serve: {unrouted:?}"
        );
        assert!(routed.len() >= 11, "the API has its routes: {routed:?}");
    }

    #[test]
    fn every_api_route_but_the_document_needs_a_token() {
        for route in table().into_iter().filter(|r| r.path.starts_with("/api/")) {
            let expected = if route.path == "/api/v1/openapi.json" {
                Access::Public
            } else {
                Access::Api
            };
            assert_eq!(route.access, expected, "{} {}", route.method, route.path);
        }
    }

    #[test]
    fn token_routes_declare_the_bearer_scheme() {
        let doc = serde_json::to_value(ApiDoc::openapi()).expect("serialises");
        assert_eq!(
            doc["components"]["securitySchemes"]["bearer"]["scheme"],
            "bearer"
        );
        assert_eq!(
            doc["openapi"].as_str().map(|v| v.starts_with("3.")),
            Some(true)
        );
        let receipts = &doc["paths"]["/api/v1/integrations/woocommerce/{id}/receipts"]["get"];
        assert_eq!(receipts["security"][0]["bearer"], serde_json::json!([]));
    }
}
