//! The route table: every route of the server, once, with who may use it.
//!
//! [`register`] mounts the table on the actix-web router and [`table`] lists the same
//! entries, so the OpenAPI check and the partner-isolation walk test the router itself
//! rather than a copy of it. Each route is its own resource guarded by its method, so a
//! path served for GET and POST is two entries.

use actix_web::http::Method;
use actix_web::{guard, web};

use super::{
    activity_log, api, assets, business, counter, health, link, login, mailbox, pages,
    partner_cards, partner_home, partner_members, partner_woo, portal, portal_account,
    portal_email, portal_gate, portal_redeem, team, tokens, unsubscribe, webhooks,
};

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: sign-in pages, links from emails, health, assets.
    Public,
    /// A signed-in member (the portal).
    Member,
    /// A signed-in partner user of either role, owner or staff.
    Partner,
    /// A signed-in owner; staff get 403.
    Owner,
    /// A partner API token.
    Api,
    /// A WooCommerce store, by the integration's signature.
    Webhook,
    /// Only with `TALLY_ENV=dev`.
    Dev,
}

/// One entry of the table.
#[derive(Debug, Clone)]
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

macro_rules! route_table {
    ($($method:ident $path:literal $access:ident => $handler:path;)*) => {
        /// Mounts every route on the router, in the table's order.
        pub fn register(cfg: &mut web::ServiceConfig) {
            $(
                cfg.service(
                    web::resource($path)
                        .guard(guard::Method(Method::$method))
                        .to($handler),
                );
            )*
        }

        /// Every route, as [`register`] mounts it.
        pub fn table() -> Vec<Route> {
            vec![$(Route { method: Method::$method, path: $path, access: Access::$access }),*]
        }
    };
}

route_table! {
    GET    "/healthz" Public => health::healthz;
    GET    "/readyz" Public => health::readyz;
    GET    "/static/{path:.*}" Public => assets::static_file;
    GET    "/" Public => pages::home;
    GET    "/login" Public => login::member_login;
    POST   "/login" Public => login::member_send_code;
    POST   "/login/code" Public => login::member_check_code;
    GET    "/partner/login" Public => login::partner_login;
    POST   "/partner/login" Public => login::partner_send_code;
    POST   "/partner/login/code" Public => login::partner_check_code;
    GET    "/l/{token}" Public => link::link_landing;
    GET    "/portal" Member => portal::home;
    GET    "/portal/cards/{partner_id}/{card_id}" Member => portal::card;
    GET    "/portal/account" Member => portal_account::account;
    POST   "/portal/account" Member => portal_account::save_account;
    POST   "/portal/account/verify/send" Member => portal_gate::send;
    POST   "/portal/account/verify" Member => portal_gate::check;
    GET    "/portal/account/export" Member => portal_account::show_export;
    POST   "/portal/account/export" Member => portal_account::export;
    GET    "/portal/account/delete" Member => portal_account::show_delete;
    POST   "/portal/account/delete" Member => portal_account::delete;
    GET    "/portal/account/email" Member => portal_email::show;
    POST   "/portal/account/email" Member => portal_email::request;
    POST   "/portal/account/email/code" Member => portal_email::confirm;
    POST   "/portal/cards/{partner_id}/{card_id}/redeem" Member => portal_redeem::redeem_points;
    GET    "/portal/coupons" Member => portal_redeem::coupons;
    GET    "/portal/coupons/{partner_id}/{id}" Member => portal_redeem::coupon;
    POST   "/logout" Member => portal::sign_out;
    GET    "/partner" Partner => partner_home::home;
    POST   "/partner/logout" Partner => partner_home::sign_out;
    GET    "/partner/integrations/woocommerce" Partner => partner_woo::connect::index;
    POST   "/partner/integrations/woocommerce" Owner => partner_woo::connect::connect;
    GET    "/partner/integrations/woocommerce/{id}" Partner => partner_woo::overview::show;
    GET    "/partner/integrations/woocommerce/{id}/settings" Partner => partner_woo::settings::show;
    POST   "/partner/integrations/woocommerce/{id}/settings" Owner => partner_woo::settings::save;
    GET    "/partner/integrations/woocommerce/{id}/activity" Partner => partner_woo::activity::show;
    POST   "/partner/integrations/woocommerce/{id}/pause" Owner => partner_woo::actions::pause;
    POST   "/partner/integrations/woocommerce/{id}/resume" Owner => partner_woo::actions::resume;
    POST   "/partner/integrations/woocommerce/{id}/health" Owner => partner_woo::actions::health;
    POST   "/partner/integrations/woocommerce/{id}/reactivate" Owner => partner_woo::actions::reactivate;
    POST   "/partner/integrations/woocommerce/{id}/check" Owner => partner_woo::actions::check;
    GET    "/partner/integrations/woocommerce/{id}/disconnect" Owner => partner_woo::actions::confirm_disconnect;
    POST   "/partner/integrations/woocommerce/{id}/disconnect" Owner => partner_woo::actions::disconnect;
    POST   "/partner/integrations/woocommerce/{id}/redeem" Partner => partner_woo::redeem::redeem_on_behalf;
    // Members: search, a member's wallets and history, manual adjustments.
    GET    "/partner/members" Partner => partner_members::search::index;
    GET    "/partner/members/{member_id}" Partner => partner_members::member::show;
    POST   "/partner/members/{member_id}/adjustments" Partner => partner_members::adjust::create;
    // The counter: recording an in-store purchase.
    GET    "/partner/counter" Partner => counter::show;
    POST   "/partner/counter/preview" Partner => counter::preview;
    POST   "/partner/counter/confirm" Partner => counter::confirm;
    // Clubs, cards and tiers
    GET    "/partner/cards" Partner => partner_cards::list;
    GET    "/partner/cards/new" Owner => partner_cards::new_form;
    POST   "/partner/cards" Owner => partner_cards::create;
    GET    "/partner/cards/{card_id}" Partner => partner_cards::show;
    POST   "/partner/cards/{card_id}" Owner => partner_cards::save;
    // Team, business settings, the activity log and API tokens
    GET    "/partner/team" Owner => team::show;
    POST   "/partner/team" Owner => team::invite;
    POST   "/partner/team/{user_id}/role" Owner => team::change_role;
    POST   "/partner/team/{user_id}/remove" Owner => team::remove;
    GET    "/partner/settings" Owner => business::show;
    POST   "/partner/settings" Owner => business::save;
    GET    "/partner/activity" Partner => activity_log::show;
    GET    "/partner/tokens" Owner => tokens::show;
    POST   "/partner/tokens" Owner => tokens::create;
    POST   "/partner/tokens/{token_id}/revoke" Owner => tokens::revoke;
    GET    "/unsubscribe/{member_id}/{token}" Public => unsubscribe::ask;
    POST   "/unsubscribe/{member_id}/{token}" Public => unsubscribe::confirm;
    GET    "/dev/mailbox" Dev => mailbox::list;
    GET    "/dev/mailbox/{id}" Dev => mailbox::show;
    GET    "/dev/mailbox/{id}/html" Dev => mailbox::html;
    POST   "/webhooks/woocommerce/{public_id}" Webhook => webhooks::receive;
    GET    "/api/v1/openapi.json" Public => api::openapi::document;
    POST   "/api/v1/integrations/woocommerce/{id}/reconcile" Api => api::reconcile::request;
    GET    "/api/v1/integrations/woocommerce/{id}/reconcile" Api => api::reconcile::status;
    POST   "/api/v1/integrations/woocommerce" Api => api::integrations::create;
    GET    "/api/v1/integrations/woocommerce/{id}" Api => api::integrations::show;
    PATCH  "/api/v1/integrations/woocommerce/{id}/settings" Api => api::integrations::change_settings;
    POST   "/api/v1/integrations/woocommerce/{id}/pause" Api => api::integrations::pause_integration;
    POST   "/api/v1/integrations/woocommerce/{id}/resume" Api => api::integrations::resume_integration;
    DELETE "/api/v1/integrations/woocommerce/{id}" Api => api::integrations::remove;
    GET    "/api/v1/integrations/woocommerce/{id}/receipts" Api => api::receipts::receipts;
    POST   "/api/v1/integrations/woocommerce/{id}/redemptions" Api => api::redemptions::create;
    // Members: lookup, a member's wallet on a card, manual adjustments.
    GET    "/api/v1/members" Api => api::members::find;
    GET    "/api/v1/cards/{card_id}/wallets/{member_id}" Api => api::wallets::show;
    POST   "/api/v1/cards/{card_id}/adjustments" Api => api::wallets::create_adjustment;
    // Counter purchases.
    POST   "/api/v1/cards/{card_id}/purchases" Api => api::purchases::create;
    // Clubs, cards and tiers
    GET    "/api/v1/cards" Api => api::cards::list;
    POST   "/api/v1/cards" Api => api::cards::create;
    PATCH  "/api/v1/cards/{card_id}" Api => api::cards::change;
}
