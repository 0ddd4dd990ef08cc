//! The partner dashboard's members pages (SPEC §7): the search (email, member code or
//! number; a direct hit opens the member) with the newest members, a member's page with
//! a wallet per card (balance, tier, the history in words) and the manual adjustment
//! form of each wallet. Staff may use all of it.

pub(super) mod adjust;
pub(super) mod member;
pub(super) mod search;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use super::render::page;
use super::AppState;

/// Where the members pages live.
pub const BASE: &str = "/partner/members";

/// The page of member `id`.
pub fn member_url(id: i64) -> String {
    format!("{BASE}/{id}")
}

/// The 404 page, as for any unknown address (another partner's member included).
pub fn not_found(state: &AppState) -> HttpResponse {
    page(
        state,
        "not_found.html",
        tera::Context::new(),
        StatusCode::NOT_FOUND,
    )
}
